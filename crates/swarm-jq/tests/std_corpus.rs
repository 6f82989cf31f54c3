//! jq's formats, maths and dates (what jaq-std's `format`, `math` and `time` features gave
//! before the crate stopped using them, see `src/jq_more.rs`), run through the public API.
//!
//! The expectations were recorded from the engine on jaq-std's default features, then kept
//! where the new code agrees and changed (each marked `was:` with the old result) where it
//! follows jq 1.7 instead of jaq: `format/1`, jq's texts for `@csv`/`@tsv`/`@sh`/`@base64d`
//! errors, `@base64d` without padding and on invalid UTF-8, `nearbyint` rounding half to
//! even, `gamma` as `lgamma`, `ldexp` truncating its exponent, `date`/`dateadd`/`datesub`,
//! `strptime`/`mktime`/`gmtime`/`strftime` as glibc's (`fromdate` only takes
//! `%Y-%m-%dT%H:%M:%SZ`, `mktime` normalizes out-of-range fields, broken-down times keep
//! their weekday and day of the year), jq's error texts; and results that differ in the
//! last digit (the Rust standard library's maths instead of libm's); computed numbers in
//! text (`tojson`, `tostring`, `"\(.)"`) in jq's number format (`1`, `-0`, infinities as the
//! largest doubles) instead of Rust's (`1.0`, `-0.0`, `null`). `erf`, `erfc`, `j0`,
//! `j1`, `jn`, `y0`, `y1` and `yn` are gone (not defined).

use swarm_jq::{run, JqRequest};

/// (arguments, standard input, standard output, standard error, exit status)
type Case = (
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
    i32,
);

#[rustfmt::skip]
const CASES: &[Case] = &[
    // Computed numbers in text as jq's writer prints them: `tojson`, `tostring`, interpolation.
    (&["-nc", "[0 | exp] | tojson, \"\\(0 | exp)\", (infinite | tostring), (1.5 * 2 | tostring)"], "", "\"[1]\"\n\"1\"\n\"1.7976931348623157e+308\"\n\"3\"\n", "", 0),
    (&["-c", "@text"], "[1,\"a\",null]", "\"[1,\\\"a\\\",null]\"\n", "", 0),
    (&["-c", "-r", "@text"], "\"x\"", "x\n", "", 0),
    (&["-c", "-r", "@text"], "{\"a\":1}", "{\"a\":1}\n", "", 0),
    (&["-c", "-r", "@json"], "{\"a\":[1,\"x\\\"y\"],\"b\":null}", "{\"a\":[1,\"x\\\"y\"],\"b\":null}\n", "", 0),
    (&["-c", "-r", "@html"], "\"<a href='x'>&\\\"</a>\"", "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;\n", "", 0),
    (&["-c", "-r", "@html"], "{\"a\":\"<b>\"}", "{&quot;a&quot;:&quot;&lt;b&gt;&quot;}\n", "", 0),
    (&["-c", "-r", "@html"], "12", "12\n", "", 0),
    (&["-c", "-r", "@uri"], "\"a b&c=d/é~_.-!*'()\"", "a%20b%26c%3Dd%2F%C3%A9~_.-%21%2A%27%28%29\n", "", 0),
    (&["-c", "-r", "@uri"], "[1,\"x y\"]", "%5B1%2C%22x%20y%22%5D\n", "", 0),
    (&["-c", "-r", "@uri"], "\"\\u0000\\u007f\\t\"", "%00%7F%09\n", "", 0),
    // was: 1,"a""b",,true,1.5,false,"",-0.25,1e20
    (&["-c", "-r", "@csv"], "[1,\"a\\\"b\",null,true,1.5,false,\"\",-0.25,100000000000000000000]", "1,\"a\"\"b\",,true,1.5,false,\"\",-0.25,1e+20\n", "", 0),
    // was: jq: error (at <stdin>:0): object ({"a":"1"}) cannot be used as array
    (&["-c", "@csv"], "{\"a\":1}", "", "jq: error (at <stdin>:0): object ({\"a\":1}) cannot be csv-formatted, only an array can be\n", 5),
    // was: jq: error (at <stdin>:0): Cannot iterate over string ("x")
    (&["-c", "@csv"], "\"x\"", "", "jq: error (at <stdin>:0): string (\"x\") cannot be csv-formatted, only an array can be\n", 5),
    // was: jq: error (at <stdin>:0): array ([1]) cannot be used as string
    (&["-c", "@csv"], "[[1]]", "", "jq: error (at <stdin>:0): array ([1]) is not valid in a csv row\n", 5),
    // was: jq: error (at <stdin>:0): object ({"a":1}) cannot be used as string
    (&["-c", "@csv"], "[{\"a\":1}]", "", "jq: error (at <stdin>:0): object ({\"a\":1}) is not valid in a csv row\n", 5),
    (&["-c", "-r", "@csv"], "[]", "\n", "", 0),
    (&["-c", "-r", "@tsv"], "[1,\"a\\tb\\nc\\\\d\\re\",null,true,\"q\\\"t\"]", "1\ta\\tb\\nc\\\\d\\re\t\ttrue\tq\"t\n", "", 0),
    // was: jq: error (at <stdin>:0): Cannot iterate over string ("x")
    (&["-c", "@tsv"], "\"x\"", "", "jq: error (at <stdin>:0): string (\"x\") cannot be tsv-formatted, only an array can be\n", 5),
    // was: jq: error (at <stdin>:0): array ([1]) cannot be used as string
    (&["-c", "@tsv"], "[[1]]", "", "jq: error (at <stdin>:0): array ([1]) is not valid in a csv row\n", 5),
    // was: \0x
    (&["-c", "-r", "@tsv"], "[\"\\u0000x\"]", "\0x\n", "", 0),
    (&["-c", "-r", "@sh"], "\"it's\"", "'it'\\''s'\n", "", 0),
    (&["-c", "-r", "@sh"], "[1,\"a b\",null,false,\"x'y\"]", "1 'a b' null false 'x'\\''y'\n", "", 0),
    // was: jq: error (at <stdin>:0): array ([1]) cannot be used as string
    (&["-c", "@sh"], "[[1]]", "", "jq: error (at <stdin>:0): array ([1]) can not be escaped for shell\n", 5),
    // was: jq: error (at <stdin>:0): object ({"a":1}) cannot be used as string
    (&["-c", "@sh"], "{\"a\":1}", "", "jq: error (at <stdin>:0): object ({\"a\":1}) can not be escaped for shell\n", 5),
    (&["-c", "-r", "@sh"], "3.5", "3.5\n", "", 0),
    (&["-c", "-r", "@sh"], "null", "null\n", "", 0),
    (&["-c", "-r", "@base64"], "\"hello world!?\"", "aGVsbG8gd29ybGQhPw==\n", "", 0),
    (&["-c", "-r", "@base64"], "\"a\"", "YQ==\n", "", 0),
    (&["-c", "-r", "@base64"], "\"ab\"", "YWI=\n", "", 0),
    (&["-c", "-r", "@base64"], "\"abc\"", "YWJj\n", "", 0),
    (&["-c", "-r", "@base64"], "\"\"", "\n", "", 0),
    (&["-c", "-r", "@base64"], "\"é€😀\"", "w6nigqzwn5iA\n", "", 0),
    (&["-c", "-r", "@base64"], "12", "MTI=\n", "", 0),
    (&["-c", "-r", "@base64"], "[1]", "WzFd\n", "", 0),
    (&["-c", "-r", "@base64d"], "\"aGVsbG8gd29ybGQhPw==\"", "hello world!?\n", "", 0),
    // was: jq: error (at <stdin>:0): Invalid padding
    (&["-c", "-r", "@base64d"], "\"YQ\"", "a\n", "", 0),
    (&["-c", "-r", "@base64d"], "\"YQ==\"", "a\n", "", 0),
    (&["-c", "-r", "@base64d"], "\"YWI=\"", "ab\n", "", 0),
    (&["-c", "-r", "@base64d"], "\"YWJj\"", "abc\n", "", 0),
    // was: jq: error (at <stdin>:0): Invalid symbol 33, offset 0.
    (&["-c", "-r", "@base64d"], "\"!!\"", "", "jq: error (at <stdin>:0): string (\"!!\") is not valid base64 data\n", 5),
    // was: jq: error (at <stdin>:0): Invalid input length: 1
    (&["-c", "-r", "@base64d"], "\"Y\"", "", "jq: error (at <stdin>:0): string (\"Y\") trailing base64 byte found\n", 5),
    (&["-c", "-r", "@base64d"], "\"\"", "\n", "", 0),
    // was: jq: error (at <stdin>:0): invalid utf-8 sequence of 1 bytes from index 0
    (&["-c", "-r", "@base64d"], "\"/w==\"", "\u{fffd}\n", "", 0),
    (&["-c", "-r", "@base64d"], "\"w6k=\"", "é\n", "", 0),
    // was: jq: error (at <stdin>:0): Invalid symbol 32, offset 2.
    (&["-c", "-r", "@base64d"], "\"YW Jj\"", "", "jq: error (at <stdin>:0): string (\"YW Jj\") is not valid base64 data\n", 5),
    // was: jq: error (at <stdin>:0): Invalid symbol 61, offset 2.
    (&["-c", "-r", "@base64d"], "\"YQ=x\"", "a\n", "", 0),
    // was: jq: error (at <stdin>:0): Invalid input length: 1
    (&["-c", "-r", "@base64d"], "1", "", "jq: error (at <stdin>:0): string (\"1\") trailing base64 byte found\n", 5),
    (&["-c", "-r", "@csv \"x: \\(.)\""], "[1,\"a\"]", "x: 1,\"a\"\n", "", 0),
    (&["-c", "-r", "@base64 \"\\(.a)-\\(.b)\""], "{\"a\":\"x\",\"b\":1}", "eA==-MQ==\n", "", 0),
    (&["-c", "-r", "@json \"v=\\(.)\""], "{\"a\":\"q\"}", "v={\"a\":\"q\"}\n", "", 0),
    (&["-c", "-r", "@uri \"https://x/?q=\\(.q)&n=\\(.n)\""], "{\"q\":\"a b/c\",\"n\":1}", "https://x/?q=a%20b%2Fc&n=1\n", "", 0),
    (&["-c", "-r", "@sh \"echo \\(.)\""], "\"a'b\"", "echo 'a'\\''b'\n", "", 0),
    (&["-c", "-r", "@html \"<p>\\(.)</p>\""], "\"<&>\"", "<p>&lt;&amp;&gt;</p>\n", "", 0),
    (&["-c", "-r", "@text \"t=\\(.)\""], "[1]", "t=[1]\n", "", 0),
    (&["-c", "-r", "@tsv \"\\(.)\""], "[1,2]", "1\t2\n", "", 0),
    (&["-c", "-r", "@base64d \"\\(.)!\""], "\"YWJj\"", "abc!\n", "", 0),
    (&["-c", "-r", "@urid"], "\"a%20b%C3%A9+c\"", "a bé+c\n", "", 0),
    (&["-c", "-r", "@urid"], "\"%zz\"", "%zz\n", "", 0),
    // was: jq: error: format/1 is not defined at <top-level>, line 1: format("csv") jq: 1 compile err…
    (&["-c", "-r", "format(\"csv\")"], "[\"a b\",1]", "\"a b\",1\n", "", 0),
    // was: jq: error: format/1 is not defined at <top-level>, line 1: format("tsv") jq: 1 compile err…
    (&["-c", "-r", "format(\"tsv\")"], "[\"a b\",1]", "a b\t1\n", "", 0),
    // was: jq: error: format/1 is not defined at <top-level>, line 1: format("text") jq: 1 compile er…
    (&["-c", "-r", "format(\"text\")"], "[\"a b\",1]", "[\"a b\",1]\n", "", 0),
    // was: jq: error: format/1 is not defined at <top-level>, line 1: format("json") jq: 1 compile er…
    (&["-c", "-r", "format(\"json\")"], "[\"a b\",1]", "[\"a b\",1]\n", "", 0),
    // was: jq: error: format/1 is not defined at <top-level>, line 1: format("html") jq: 1 compile er…
    (&["-c", "-r", "format(\"html\")"], "[\"a b\",1]", "[&quot;a b&quot;,1]\n", "", 0),
    // was: jq: error: format/1 is not defined at <top-level>, line 1: format("uri") jq: 1 compile err…
    (&["-c", "-r", "format(\"uri\")"], "[\"a b\",1]", "%5B%22a%20b%22%2C1%5D\n", "", 0),
    // was: jq: error: format/1 is not defined at <top-level>, line 1: format("sh") jq: 1 compile erro…
    (&["-c", "-r", "format(\"sh\")"], "[\"a b\",1]", "'a b' 1\n", "", 0),
    // was: jq: error: format/1 is not defined at <top-level>, line 1: format("base64") jq: 1 compile …
    (&["-c", "-r", "format(\"base64\")"], "[\"a b\",1]", "WyJhIGIiLDFd\n", "", 0),
    // was: jq: error: format/1 is not defined at <top-level>, line 1: format("base64d") jq: 1 compile…
    (&["-c", "-r", "format(\"base64d\")"], "[\"a b\",1]", "", "jq: error (at <stdin>:0): string (\"[\\\"a b\\\",1]\") is not valid base64 data\n", 5),
    // was: jq: error: format/1 is not defined at <top-level>, line 1: format("bogus") jq: 1 compile e…
    (&["-c", "-r", "format(\"bogus\")"], "[\"a b\",1]", "", "jq: error (at <stdin>:0): bogus is not a valid format\n", 5),
    // was: jq: error: format/1 is not defined at <top-level>, line 1: format(1) jq: 1 compile error
    (&["-c", "format(1)"], "\"x\"", "", "jq: error (at <stdin>:0): number (1) is not a valid format\n", 5),
    (&["-c", "[.[] | try floor catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1,-1,2,-3,0,-1,3,8,10000000000,0,100]\n", "", 0),
    // was: [0,1,-1,3,-2,1,0,4,8,10000000000,1,100]
    (&["-c", "[.[] | try ceil catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1,-1,3,-2,1,-0,4,8,10000000000,1,100]\n", "", 0),
    (&["-c", "[.[] | try round catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1,-1,3,-3,1,-1,4,8,10000000000,0,100]\n", "", 0),
    (&["-c", "[.[] | try fabs catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1,1,2.5,2.5,0.5,0.5,3.7,8,10000000000,0.001,100]\n", "", 0),
    (&["-c", "[.[] | try sqrt catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1,null,1.5811388300841898,null,0.7071067811865476,null,1.9235384061671346,2.8284271247461903,100000,0.03162277660168379,10]\n", "", 0),
    (&["-c", "[.[] | try trunc catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1,-1,2,-2,0,-0,3,8,10000000000,0,100]\n", "", 0),
    (&["-c", "[.[] | try cbrt catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1,-1,1.3572088082974534,-1.3572088082974534,0.7937005259840998,-0.7937005259840998,1.5466803737720354,2,2154.4346900318837,0.1,4.641588833612779]\n", "", 0),
    // was: [1,2.7182818284590455,0.36787944117144233,12.182493960703473,0.0820849986238988,1.64872127…
    (&["-c", "[.[] | try exp catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[1,2.718281828459045,0.36787944117144233,12.182493960703473,0.0820849986238988,1.6487212707001282,0.6065306597126334,40.4473043600674,2980.9579870417283,1.7976931348623157e+308,1.0010005001667084,2.6881171418161356e+43]\n", "", 0),
    (&["-c", "[.[] | try exp2 catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[1,2,0.5,5.656854249492381,0.1767766952966369,1.4142135623730951,0.7071067811865476,12.99603834169977,256,1.7976931348623157e+308,1.0006933874625807,1267650600228229400000000000000]\n", "", 0),
    // was: [1,10,0.1,316.2277660168379,0.0031622776601683794,3.162277660168379,0.31622776601683794,50…
    (&["-c", "[.[] | try exp10 catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[1,10,0.1,316.22776601683796,0.0031622776601683794,3.1622776601683795,0.31622776601683794,5011.872336272725,100000000,1.7976931348623157e+308,1.0023052380778996,1e+100]\n", "", 0),
    (&["-c", "[.[] | try log catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[-1.7976931348623157e+308,0,null,0.9162907318741551,null,-0.6931471805599453,null,1.308332819650179,2.0794415416798357,23.025850929940457,-6.907755278982137,4.605170185988092]\n", "", 0),
    (&["-c", "[.[] | try log2 catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[-1.7976931348623157e+308,0,null,1.3219280948873624,null,-1,null,1.8875252707415875,3,33.219280948873624,-9.965784284662087,6.643856189774724]\n", "", 0),
    (&["-c", "[.[] | try log10 catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[-1.7976931348623157e+308,0,null,0.3979400086720376,null,-0.3010299956639812,null,0.568201724066995,0.9030899869919435,10,-3,2]\n", "", 0),
    (&["-c", "[.[] | try expm1 catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1.718281828459045,-0.6321205588285577,11.182493960703473,-0.9179150013761013,0.6487212707001282,-0.3934693402873666,39.4473043600674,2979.9579870417283,1.7976931348623157e+308,0.0010005001667083417,2.6881171418161356e+43]\n", "", 0),
    (&["-c", "[.[] | try log1p catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,0.6931471805599453,-1.7976931348623157e+308,1.252762968495368,null,0.4054651081081644,-0.6931471805599453,1.547562508716013,2.1972245773362196,23.025850930040455,0.0009995003330835331,4.61512051684126]\n", "", 0),
    // was: [0,0.8414709848078965,-0.8414709848078965,0.5984721441039564,-0.5984721441039564,0.4794255…
    (&["-c", "[.[] | try sin catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,0.8414709848078965,-0.8414709848078965,0.5984721441039565,-0.5984721441039565,0.479425538604203,-0.479425538604203,-0.5298361409084934,0.9893582466233818,-0.4875060250875107,0.0009999998333333417,-0.5063656411097588]\n", "", 0),
    (&["-c", "[.[] | try cos catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[1,0.5403023058681398,0.5403023058681398,-0.8011436155469337,-0.8011436155469337,0.8775825618903728,0.8775825618903728,-0.848100031710408,-0.14550003380861354,0.873119622676856,0.9999995000000417,0.8623188722876839]\n", "", 0),
    (&["-c", "[.[] | try tan catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1.5574077246549023,-1.5574077246549023,-0.7470222972386603,0.7470222972386603,0.5463024898437905,-0.5463024898437905,0.6247330752245639,-6.799711455220379,-0.5583496378112418,0.0010000003333334668,-0.5872139151569291]\n", "", 0),
    (&["-c", "[.[] | try asin catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1.5707963267948966,-1.5707963267948966,null,null,0.5235987755982989,-0.5235987755982989,null,null,null,0.0010000001666667416,null]\n", "", 0),
    (&["-c", "[.[] | try acos catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[1.5707963267948966,0,3.141592653589793,null,null,1.0471975511965979,2.0943951023931957,null,null,null,1.56979632662823,null]\n", "", 0),
    (&["-c", "[.[] | try atan catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,0.7853981633974483,-0.7853981633974483,1.1902899496825317,-1.1902899496825317,0.4636476090008061,-0.4636476090008061,1.3068326031691921,1.446441332248135,1.5707963266948965,0.0009999996666668668,1.5607966601082315]\n", "", 0),
    (&["-c", "[.[] | try sinh catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1.1752011936438014,-1.1752011936438014,6.0502044810397875,-6.0502044810397875,0.5210953054937474,-0.5210953054937474,20.21129041679853,1490.4788257895502,1.7976931348623157e+308,0.001000000166666675,1.3440585709080678e+43]\n", "", 0),
    // was: [1,1.543080634815244,1.543080634815244,6.132289479663686,6.132289479663686,1.1276259652063…
    (&["-c", "[.[] | try cosh catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[1,1.5430806348152437,1.5430806348152437,6.132289479663686,6.132289479663686,1.1276259652063807,1.1276259652063807,20.23601394326887,1490.479161252178,1.7976931348623157e+308,1.0000005000000416,1.3440585709080678e+43]\n", "", 0),
    (&["-c", "[.[] | try tanh catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,0.7615941559557649,-0.7615941559557649,0.9866142981514303,-0.9866142981514303,0.46211715726000974,-0.46211715726000974,0.9987782412811312,0.9999997749296758,1,0.0009999996666668,1]\n", "", 0),
    (&["-c", "[.[] | try asinh catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,0.881373587019543,-0.881373587019543,1.6472311463710958,-1.6472311463710958,0.48121182505960347,-0.48121182505960347,2.0192606561549606,2.7764722807237177,23.7189981105004,0.0009999998333334083,5.298342365610589]\n", "", 0),
    // was: [null,0,null,1.566799236972411,null,null,null,1.9826969446812033,2.7686593833135738,23.718…
    (&["-c", "[.[] | try acosh catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[null,0,null,1.5667992369724109,null,null,null,1.9826969446812035,2.7686593833135738,23.7189981105004,null,5.298292365610485]\n", "", 0),
    (&["-c", "[.[] | try atanh catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1.7976931348623157e+308,-1.7976931348623157e+308,null,null,0.5493061443340548,-0.5493061443340548,null,null,null,0.0010000003333335333,null]\n", "", 0),
    // was: [0.0,1,-1,1.25,-1.25,1,-1,1.85,1,1.1641532182693481,1.024,1.5625]
    (&["-c", "[.[] | try significand catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1,-1,1.25,-1.25,1,-1,1.85,1,1.1641532182693481,1.024,1.5625]\n", "", 0),
    (&["-c", "[.[] | try logb catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[-1.7976931348623157e+308,0,0,1,1,-1,-1,1,3,33,-10,6]\n", "", 0),
    // was: [1.7976931348623157e+308,1,null,1.329340388179137,-0.9453087204829418,1.7724538509055159,-…
    (&["-c", "[.[] | try gamma catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[1.7976931348623157e+308,0,1.7976931348623157e+308,0.28468287047292096,-0.056243716497675456,0.5723649429246995,1.2655121234846451,1.4280723266653905,8.525161361065418,220258509288.8106,6.907178885383853,359.13420536957534]\n", "", 0),
    // was: [1.7976931348623157e+308,0,1.7976931348623157e+308,0.2846828704729192,-0.05624371649767412…
    (&["-c", "[.[] | try lgamma catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[1.7976931348623157e+308,0,1.7976931348623157e+308,0.28468287047292096,-0.056243716497675456,0.5723649429246995,1.2655121234846451,1.4280723266653905,8.525161361065418,220258509288.8106,6.907178885383853,359.13420536957534]\n", "", 0),
    // was: [1.7976931348623157e+308,1,null,1.329340388179137,-0.9453087204829418,1.7724538509055159,-…
    (&["-c", "[.[] | try tgamma catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[1.7976931348623157e+308,1,null,1.3293403881791395,-0.9453087204829406,1.772453850905515,-3.5449077018110313,4.170651783796614,5040,1.7976931348623157e+308,999.4237724845951,9.332621544393872e+155]\n", "", 0),
    // was: jq: error: lgamma_r/0 is not defined at <top-level>, line 1: [.[] | try lgamma_r catch "E:…
    (&["-c", "[.[] | try lgamma_r catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[[1.7976931348623157e+308,1],[0,1],[1.7976931348623157e+308,1],[0.28468287047292096,1],[-0.056243716497675456,-1],[0.5723649429246995,1],[1.2655121234846451,-1],[1.4280723266653905,1],[8.525161361065418,1],[220258509288.8106,1],[6.907178885383853,1],[359.13420536957534,1]]\n", "", 0),
    (&["-c", "[.[] | try frexp catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[[0,0],[0.5,1],[-0.5,1],[0.625,2],[-0.625,2],[0.5,0],[-0.5,0],[0.925,2],[0.5,4],[0.5820766091346741,34],[0.512,-9],[0.78125,7]]\n", "", 0),
    (&["-c", "[.[] | try modf catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[[0,0],[0,1],[-0,-1],[0.5,2],[-0.5,-2],[0.5,0],[-0.5,-0],[0.7000000000000002,3],[0,8],[0,10000000000],[0.001,0],[0,100]]\n", "", 0),
    // was: [0,1,-1,3,-3,1,-1,4,8,10000000000,0,100]
    (&["-c", "[.[] | try nearbyint catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1,-1,2,-2,0,-0,4,8,10000000000,0,100]\n", "", 0),
    (&["-c", "[.[] | try rint catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1,-1,2,-2,0,-0,4,8,10000000000,0,100]\n", "", 0),
    (&["-c", "[.[] | try ilogb catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[-2147483648,0,0,1,1,-1,-1,1,3,33,-10,6]\n", "", 0),
    // was: [0,0.8427007929497149,-0.8427007929497149,0.999593047982555,-0.999593047982555,0.520499877…
    (&["-c", "[.[] | try erf catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "", "jq: error: erf/0 is not defined at <top-level>, line 1:\n[.[] | try erf catch \"E: \\(.)\"]\njq: 1 compile error\n", 3),
    // was: [1,0.15729920705028513,1.8427007929497148,0.0004069520174449589,1.999593047982555,0.479500…
    (&["-c", "[.[] | try erfc catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "", "jq: error: erfc/0 is not defined at <top-level>, line 1:\n[.[] | try erfc catch \"E: \\(.)\"]\njq: 1 compile error\n", 3),
    // was: [1,0.7651976865579666,0.7651976865579666,-0.04838377646819801,-0.04838377646819801,0.93846…
    (&["-c", "[.[] | try j0 catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "", "jq: error: j0/0 is not defined at <top-level>, line 1:\n[.[] | try j0 catch \"E: \\(.)\"]\njq: 1 compile error\n", 3),
    // was: [0,0.4400505857449335,-0.4400505857449335,0.49709410246427393,-0.49709410246427393,0.24226…
    (&["-c", "[.[] | try j1 catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "", "jq: error: j1/0 is not defined at <top-level>, line 1:\n[.[] | try j1 catch \"E: \\(.)\"]\njq: 1 compile error\n", 3),
    // was: [-1.7976931348623157e+308,0.08825696421567697,null,0.4980703596152318,null,-0.444518733506…
    (&["-c", "[.[] | try y0 catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "", "jq: error: y0/0 is not defined at <top-level>, line 1:\n[.[] | try y0 catch \"E: \\(.)\"]\njq: 1 compile error\n", 3),
    // was: [-1.7976931348623157e+308,-0.7812128213002887,null,0.14591813796678577,null,-1.47147239267…
    (&["-c", "[.[] | try y1 catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "", "jq: error: y1/0 is not defined at <top-level>, line 1:\n[.[] | try y1 catch \"E: \\(.)\"]\njq: 1 compile error\n", 3),
    // was: [1,10,0.1,316.2277660168379,0.0031622776601683794,3.1622776601683795,0.31622776601683794,5…
    (&["-c", "[.[] | try pow10 catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[1,10,0.1,316.22776601683796,0.0031622776601683794,3.1622776601683795,0.31622776601683794,5011.872336272725,100000000,1.7976931348623157e+308,1.0023052380778996,1e+100]\n", "", 0),
    (&["-c", "[.[] | try abs catch \"E: \\(.)\"]"], "[0, 1, -1, 2.5, -2.5, 0.5, -0.5, 3.7, 8, 1e10, 1e-3, 100]", "[0,1,1,2.5,2.5,0.5,0.5,3.7,8,10000000000,0.001,100]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try floor catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try ceil catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try round catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try fabs catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try sqrt catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try trunc catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try cbrt catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try exp catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try exp2 catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try exp10 catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try log catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try log2 catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try log10 catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try expm1 catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try log1p catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try sin catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try cos catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try tan catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try asin catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try acos catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try atan catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try sinh catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try cosh catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try tanh catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try asinh catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try acosh catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try atanh catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try significand catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try logb catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try gamma catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try lgamma catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try tgamma catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: jq: error: lgamma_r/0 is not defined at <top-level>, line 1: try lgamma_r catch . jq: 1 co…
    (&["-c", "try lgamma_r catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try frexp catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try modf catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try nearbyint catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try rint catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try ilogb catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try erf catch ."], "\"a\"", "", "jq: error: erf/0 is not defined at <top-level>, line 1:\ntry erf catch .\njq: 1 compile error\n", 3),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try erfc catch ."], "\"a\"", "", "jq: error: erfc/0 is not defined at <top-level>, line 1:\ntry erfc catch .\njq: 1 compile error\n", 3),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try j0 catch ."], "\"a\"", "", "jq: error: j0/0 is not defined at <top-level>, line 1:\ntry j0 catch .\njq: 1 compile error\n", 3),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try j1 catch ."], "\"a\"", "", "jq: error: j1/0 is not defined at <top-level>, line 1:\ntry j1 catch .\njq: 1 compile error\n", 3),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try y0 catch ."], "\"a\"", "", "jq: error: y0/0 is not defined at <top-level>, line 1:\ntry y0 catch .\njq: 1 compile error\n", 3),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try y1 catch ."], "\"a\"", "", "jq: error: y1/0 is not defined at <top-level>, line 1:\ntry y1 catch .\njq: 1 compile error\n", 3),
    // was: "cannot use \"a\" as floating-point number"
    (&["-c", "try pow10 catch ."], "\"a\"", "\"string (\\\"a\\\") number required\"\n", "", 0),
    (&["-c", "try abs catch ."], "\"a\"", "\"a\"\n", "", 0),
    // was: ["9223372036854775807","-9223372036854775808","0","0","0"]
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(floor | tostring)"], "", "[\"1.7976931348623157e+308\",\"-1.7976931348623157e+308\",\"null\",\"-0\",\"0\"]\n", "", 0),
    // was: ["9223372036854775807","-9223372036854775808","0","0","0"]
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(ceil | tostring)"], "", "[\"1.7976931348623157e+308\",\"-1.7976931348623157e+308\",\"null\",\"-0\",\"0\"]\n", "", 0),
    // was: ["9223372036854775807","-9223372036854775808","0","0","0"]
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(round | tostring)"], "", "[\"1.7976931348623157e+308\",\"-1.7976931348623157e+308\",\"null\",\"-0\",\"0\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(fabs | tostring)"], "", "[\"1.7976931348623157e+308\",\"1.7976931348623157e+308\",\"null\",\"0\",\"0\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(sqrt | tostring)"], "", "[\"1.7976931348623157e+308\",\"null\",\"null\",\"-0\",\"0\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(trunc | tostring)"], "", "[\"1.7976931348623157e+308\",\"-1.7976931348623157e+308\",\"null\",\"-0\",\"0\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(cbrt | tostring)"], "", "[\"1.7976931348623157e+308\",\"-1.7976931348623157e+308\",\"null\",\"-0\",\"0\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(exp | tostring)"], "", "[\"1.7976931348623157e+308\",\"0\",\"null\",\"1\",\"1\"]\n", "", 0),
    // was: ["null","null","null","0.0","0.0"]
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(significand | tostring)"], "", "[\"1.7976931348623157e+308\",\"-1.7976931348623157e+308\",\"null\",\"-0\",\"0\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(logb | tostring)"], "", "[\"1.7976931348623157e+308\",\"1.7976931348623157e+308\",\"null\",\"-1.7976931348623157e+308\",\"-1.7976931348623157e+308\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(frexp | tostring)"], "", "[\"[1.7976931348623157e+308,0]\",\"[-1.7976931348623157e+308,0]\",\"[null,0]\",\"[-0,0]\",\"[0,0]\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(modf | tostring)"], "", "[\"[0,1.7976931348623157e+308]\",\"[-0,-1.7976931348623157e+308]\",\"[null,null]\",\"[-0,-0]\",\"[0,0]\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(nearbyint | tostring)"], "", "[\"1.7976931348623157e+308\",\"-1.7976931348623157e+308\",\"null\",\"-0\",\"0\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(rint | tostring)"], "", "[\"1.7976931348623157e+308\",\"-1.7976931348623157e+308\",\"null\",\"-0\",\"0\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(ilogb | tostring)"], "", "[\"2147483647\",\"2147483647\",\"-2147483648\",\"-2147483648\",\"-2147483648\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, -0.0, 0.0] | map(abs | tostring)"], "", "[\"1.7976931348623157e+308\",\"1.7976931348623157e+308\",\"null\",\"-0\",\"0.0\"]\n", "", 0),
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try pow($a; $b) catch \"E: \\(.)\")"], "", "[1024,1.4142135623730951,null,1,1,30.25,30.25,0.3333333333333333,1,1,8,1000,0.0029154518950437317,5.196152422706632]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as floating-point number"
    (&["-nc", "try pow(\"a\"; 1) catch ., try pow(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: [0.19739555984988078,1.3258176636680326,-1.5291537476963082,0.4636476090008061,-2.67794504…
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try atan2($a; $b) catch \"E: \\(.)\")"], "", "[0.19739555984988075,1.3258176636680326,-1.5291537476963082,0.4636476090008061,-2.677945044588987,1.2220253232109897,-1.2220253232109897,1.892546881191539,0,1.5707963267948966,0.5880026035475675,1.2793395323170296,1.97568811307998,1.1071487177940904]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as floating-point number"
    (&["-nc", "try atan2(\"a\"; 1) catch ., try atan2(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try fmin($a; $b) catch \"E: \\(.)\")"], "", "[2,0.5,-8,1,-2,2,-5.5,-1,0,0,2,3,-3,1.5]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as floating-point number"
    (&["-nc", "try fmin(\"a\"; 1) catch ., try fmin(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try fmax($a; $b) catch \"E: \\(.)\")"], "", "[10,2,0.3333333333333333,2,-1,5.5,2,3,0,1,3,10,7,3]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as floating-point number"
    (&["-nc", "try fmax(\"a\"; 1) catch ., try fmax(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try fmod($a; $b) catch \"E: \\(.)\")"], "", "[2,0,-4.440892098500626e-16,1,-1,1.5,-1.5,0,null,null,2,1,1,0]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as floating-point number"
    (&["-nc", "try fmod(\"a\"; 1) catch ., try fmod(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try fdim($a; $b) catch \"E: \\(.)\")"], "", "[0,1.5,0,0,1,3.5,0,4,0,1,0,7,10,1.5]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as floating-point number"
    (&["-nc", "try fdim(\"a\"; 1) catch ., try fdim(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try hypot($a; $b) catch \"E: \\(.)\")"], "", "[10.198039027185569,2.0615528128088303,8.006941432976209,2.23606797749979,2.23606797749979,5.852349955359813,5.852349955359813,3.1622776601683795,0,1,3.605551275463989,10.44030650891055,7.615773105863909,3.3541019662496847]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as floating-point number"
    (&["-nc", "try hypot(\"a\"; 1) catch ., try hypot(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try copysign($a; $b) catch \"E: \\(.)\")"], "", "[2,2,8,1,-1,5.5,5.5,-3,0,1,2,10,-7,3]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as floating-point number"
    (&["-nc", "try copysign(\"a\"; 1) catch ., try copysign(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try drem($a; $b) catch \"E: \\(.)\")"], "", "[2,0,-4.440892098500626e-16,1,-1,-0.5,0.5,0,null,null,-1,1,1,0]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as floating-point number"
    (&["-nc", "try drem(\"a\"; 1) catch ., try drem(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try remainder($a; $b) catch \"E: \\(.)\")"], "", "[2,0,-4.440892098500626e-16,1,-1,-0.5,0.5,0,null,null,-1,1,1,0]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as floating-point number"
    (&["-nc", "try remainder(\"a\"; 1) catch ., try remainder(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try nextafter($a; $b) catch \"E: \\(.)\")"], "", "[2.0000000000000004,1.9999999999999998,-7.999999999999999,1.0000000000000002,-1.0000000000000002,5.499999999999999,-5.499999999999999,2.9999999999999996,0,0.9999999999999999,2.0000000000000004,9.999999999999998,6.999999999999999,2.9999999999999996]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as floating-point number"
    (&["-nc", "try nextafter(\"a\"; 1) catch ., try nextafter(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try nexttoward($a; $b) catch \"E: \\(.)\")"], "", "[2.0000000000000004,1.9999999999999998,-7.999999999999999,1.0000000000000002,-1.0000000000000002,5.499999999999999,-5.499999999999999,2.9999999999999996,0,0.9999999999999999,2.0000000000000004,9.999999999999998,6.999999999999999,2.9999999999999996]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as floating-point number"
    (&["-nc", "try nexttoward(\"a\"; 1) catch ., try nexttoward(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: [2048,"E: cannot use 0.5 as integer","E: cannot use 0.3333333333333333 as integer",4,-0.25…
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try ldexp($a; $b) catch \"E: \\(.)\")"], "", "[2048,2,-8,4,-0.25,22,-22,1.5,0,1,16,80,0.875,6]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as integer"
    (&["-nc", "try ldexp(\"a\"; 1) catch ., try ldexp(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: [2048,2.8284271247461903,-10.079368399158986,4,-0.25,22,-22,1.5,0,1,16,80,0.875,8.48528137…
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try scalb($a; $b) catch \"E: \\(.)\")"], "", "[2048,2.8284271247461903,-10.079368399158986,4,-0.25,22,-22,1.5,0,1,16,80,0.875,8.485281374238571]\n", "", 0),
    // was: "cannot calculate \"a\" * 2.0" "cannot use \"a\" as floating-point number"
    (&["-nc", "try scalb(\"a\"; 1) catch ., try scalb(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: [2048,"E: cannot use 0.5 as integer","E: cannot use 0.3333333333333333 as integer",4,-0.25…
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try scalbln($a; $b) catch \"E: \\(.)\")"], "", "[2048,2,-8,4,-0.25,22,-22,1.5,0,1,16,80,0.875,6]\n", "", 0),
    // was: "cannot use \"a\" as floating-point number" "cannot use \"a\" as integer"
    (&["-nc", "try scalbln(\"a\"; 1) catch ., try scalbln(1; \"a\") catch ."], "", "\"string (\\\"a\\\") number required\"\n\"string (\\\"a\\\") number required\"\n", "", 0),
    // was: [0.25463031368512057,0.03060402345868264,1.472071319873666e-11,0.5767248077568733,0.576724…
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try jn($a; $b) catch \"E: \\(.)\")"], "", "", "jq: error: jn/2 is not defined at <top-level>, line 1:\n[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try jn($a; $b) catch \"E: \\(.)\")\njq: 1 compile error\n", 3),
    // was: "cannot use \"a\" as integer" "cannot use \"a\" as floating-point number"
    (&["-nc", "try jn(\"a\"; 1) catch ., try jn(1; \"a\") catch ."], "", "", "jq: error: jn/2 is not defined at <top-level>, line 1:\ntry jn(\"a\"; 1) catch ., try jn(1; \"a\") catch .\njq: error: jn/2 is not defined at <top-level>, line 1:\ntry jn(\"a\"; 1) catch ., try jn(1; \"a\") catch .\njq: 2 compile errors\n", 3),
    // was: [-0.0058680824422086345,-5.441370837174267,-2705294989.3230147,-0.10703243154093756,null,"…
    (&["-nc", "[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try yn($a; $b) catch \"E: \\(.)\")"], "", "", "jq: error: yn/2 is not defined at <top-level>, line 1:\n[[2,10],[2,0.5],[-8,1/3],[1,2],[-1,-2],[5.5,2],[-5.5,2],[3,-1],[0,0],[1,0],[2,3],[10,3],[7,-3],[3,1.5]] | map(. as [$a,$b] | try yn($a; $b) catch \"E: \\(.)\")\njq: 1 compile error\n", 3),
    // was: "cannot use \"a\" as integer" "cannot use \"a\" as floating-point number"
    (&["-nc", "try yn(\"a\"; 1) catch ., try yn(1; \"a\") catch ."], "", "", "jq: error: yn/2 is not defined at <top-level>, line 1:\ntry yn(\"a\"; 1) catch ., try yn(1; \"a\") catch .\njq: error: yn/2 is not defined at <top-level>, line 1:\ntry yn(\"a\"; 1) catch ., try yn(1; \"a\") catch .\njq: 2 compile errors\n", 3),
    // was: [10,5.551115123125783e-17,"cannot use \"a\" as floating-point number"]
    (&["-nc", "[fma(2;3;4), fma(0.1;10;-1), (try fma(1;2;\"a\") catch .)]"], "", "[10,5.551115123125783e-17,\"string (\\\"a\\\") number required\"]\n", "", 0),
    (&["-nc", "[infinite, -infinite, nan, 1, 0, 1e-310, -1e-310] | map([isinfinite, isnan, isnormal, isvalid(.)?])"], "", "", "jq: error: isvalid/1 is not defined at <top-level>, line 1:\n[infinite, -infinite, nan, 1, 0, 1e-310, -1e-310] | map([isinfinite, isnan, isnormal, isvalid(.)?])\njq: 1 compile error\n", 3),
    (&["-nc", "[infinite, -infinite, nan] | tostring"], "", "\"[1.7976931348623157e+308,-1.7976931348623157e+308,null]\"\n", "", 0),
    (&["-nc", "[nan < 0, nan > 0, ([nan] | sort), (nan | type)]"], "", "[true,false,[null],\"number\"]\n", "", 0),
    (&["-nc", "[1,2,3] | map(sqrt)"], "", "[1,1.4142135623730951,1.7320508075688772]\n", "", 0),
    (&["-nc", "4 | sqrt | type, (. == 2)"], "", "\"number\"\ntrue\n", "", 0),
    // was: [3,3,2,4,4,4,-3,-3,-2]
    (&["-nc", "[2.5, 3.5, -2.5] | map(round, nearbyint, rint)"], "", "[3,2,2,4,4,4,-3,-2,-2]\n", "", 0),
    (&["-nc", "[1 | floor, ceil, round | type]"], "", "[\"number\",\"number\",\"number\"]\n", "", 0),
    // was: 9223372036854775807
    (&["-nc", "1e300 * 1e300 | floor"], "", "1.7976931348623157e+308\n", "", 0),
    (&["-nc", "[pow(2; 1024), pow(0; -1), pow(-1; 0.5)]"], "", "[1.7976931348623157e+308,1.7976931348623157e+308,null]\n", "", 0),
    (&["-nc", "[10 | log10, log2, exp10], [3 | exp2]"], "", "[1,3.321928094887362,10000000000]\n[8]\n", "", 0),
    (&["-nc", "[1.5 | frexp, modf], [-3.25 | frexp, modf], [8 | significand, logb]"], "", "[[0.75,1],[0.5,1]]\n[[-0.8125,2],[-0.25,-3]]\n[1,3]\n", "", 0),
    // was: jq: error (at <unknown>): number (2.7) cannot be used as integer
    (&["-nc", "ldexp(3; 2.7)"], "", "12\n", "", 0),
    // was: jq: error (at <unknown>): number (10000000000) cannot be used as integer
    (&["-nc", "ldexp(1; 1e10)"], "", "1.7976931348623157e+308\n", "", 0),
    (&["-nc", "[100 | ilogb, (0|ilogb), (nan|ilogb), (infinite|ilogb)]"], "", "[6,-2147483648,-2147483648,2147483647]\n", "", 0),
    // was: jq: error: date/0 is not defined at <top-level>, line 1: 0 | [todate, gmtime, (gmtime|mkti…
    (&["-nc", "0 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]"], "", "[\"1970-01-01T00:00:00Z\",[1970,0,1,0,0,0,4,0],0,\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\",[1970,0,1,0,0,0,4,0]]\n", "", 0),
    // was: "1970 01 01 00 00 00 +00:00 +0000 001 Thu Thursday Jan January  1 00:00:00 1970-01-01 01/0…
    (&["-nc", "0 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")"], "", "\"1970 01 01 00 00 00 UTC +0000 001 Thu Thursday Jan January  1 00:00:00 1970-01-01 01/01/70 0 70 AM 12 Thu Jan  1 00:00:00 1970 % 19 70 1970 Jan  0 12 \\n 00:00 12:00:00 AM \\t 4 00 01 4 00 01/01/70 00:00:00\"\n", "", 0),
    // was: jq: error: date/0 is not defined at <top-level>, line 1: 1425599621 | [todate, gmtime, (gm…
    (&["-nc", "1425599621 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]"], "", "[\"2015-03-05T23:53:41Z\",[2015,2,5,23,53,41,4,63],1425599621,\"2015-03-05T23:53:41Z\",\"2015-03-05T23:53:41Z\",\"2015-03-05T23:53:41Z\",[2015,2,5,23,53,41,4,63]]\n", "", 0),
    // was: "2015 03 05 23 53 41 +00:00 +0000 064 Thu Thursday Mar March  5 23:53:41 2015-03-05 03/05/…
    (&["-nc", "1425599621 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")"], "", "\"2015 03 05 23 53 41 UTC +0000 064 Thu Thursday Mar March  5 23:53:41 2015-03-05 03/05/15 1425599621 15 PM 11 Thu Mar  5 23:53:41 2015 % 20 15 2015 Mar 23 11 \\n 23:53 11:53:41 PM \\t 4 09 10 4 09 03/05/15 23:53:41\"\n", "", 0),
    // was: jq: error: date/0 is not defined at <top-level>, line 1: 1425599621.123 | [todate, gmtime,…
    (&["-nc", "1425599621.123 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]"], "", "[\"2015-03-05T23:53:41Z\",[2015,2,5,23,53,41.12299990653992,4,63],1425599621,\"2015-03-05T23:53:41Z\",\"2015-03-05T23:53:41Z\",\"2015-03-05T23:53:41Z\",[2015,2,5,23,53,41.12299990653992,4,63]]\n", "", 0),
    // was: "2015 03 05 23 53 41 +00:00 +0000 064 Thu Thursday Mar March  5 23:53:41 2015-03-05 03/05/…
    (&["-nc", "1425599621.123 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")"], "", "\"2015 03 05 23 53 41 UTC +0000 064 Thu Thursday Mar March  5 23:53:41 2015-03-05 03/05/15 1425599621 15 PM 11 Thu Mar  5 23:53:41 2015 % 20 15 2015 Mar 23 11 \\n 23:53 11:53:41 PM \\t 4 09 10 4 09 03/05/15 23:53:41\"\n", "", 0),
    // was: jq: error: date/0 is not defined at <top-level>, line 1: 1425599621.9999 | [todate, gmtime…
    (&["-nc", "1425599621.9999 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]"], "", "[\"2015-03-05T23:53:41Z\",[2015,2,5,23,53,41.999900102615356,4,63],1425599621,\"2015-03-05T23:53:41Z\",\"2015-03-05T23:53:41Z\",\"2015-03-05T23:53:41Z\",[2015,2,5,23,53,41.999900102615356,4,63]]\n", "", 0),
    // was: "2015 03 05 23 53 41 +00:00 +0000 064 Thu Thursday Mar March  5 23:53:41 2015-03-05 03/05/…
    (&["-nc", "1425599621.9999 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")"], "", "\"2015 03 05 23 53 41 UTC +0000 064 Thu Thursday Mar March  5 23:53:41 2015-03-05 03/05/15 1425599621 15 PM 11 Thu Mar  5 23:53:41 2015 % 20 15 2015 Mar 23 11 \\n 23:53 11:53:41 PM \\t 4 09 10 4 09 03/05/15 23:53:41\"\n", "", 0),
    (&["-nc", "-86400 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]"], "", "", "jq: Unknown option: -86400 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]\nUse jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n", 2),
    (&["-nc", "-86400 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")"], "", "", "jq: Unknown option: -86400 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")\nUse jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n", 2),
    (&["-nc", "-1.5 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]"], "", "", "jq: Unknown option: -1.5 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]\nUse jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n", 2),
    (&["-nc", "-1.5 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")"], "", "", "jq: Unknown option: -1.5 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")\nUse jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n", 2),
    // was: jq: error: date/0 is not defined at <top-level>, line 1: 951782400 | [todate, gmtime, (gmt…
    (&["-nc", "951782400 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]"], "", "[\"2000-02-29T00:00:00Z\",[2000,1,29,0,0,0,2,59],951782400,\"2000-02-29T00:00:00Z\",\"2000-02-29T00:00:00Z\",\"2000-02-29T00:00:00Z\",[2000,1,29,0,0,0,2,59]]\n", "", 0),
    // was: "2000 02 29 00 00 00 +00:00 +0000 060 Tue Tuesday Feb February 29 00:00:00 2000-02-29 02/2…
    (&["-nc", "951782400 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")"], "", "\"2000 02 29 00 00 00 UTC +0000 060 Tue Tuesday Feb February 29 00:00:00 2000-02-29 02/29/00 951782400 00 AM 12 Tue Feb 29 00:00:00 2000 % 20 00 2000 Feb  0 12 \\n 00:00 12:00:00 AM \\t 2 09 09 2 09 02/29/00 00:00:00\"\n", "", 0),
    // was: jq: error: date/0 is not defined at <top-level>, line 1: 4102444800 | [todate, gmtime, (gm…
    (&["-nc", "4102444800 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]"], "", "[\"2100-01-01T00:00:00Z\",[2100,0,1,0,0,0,5,0],4102444800,\"2100-01-01T00:00:00Z\",\"2100-01-01T00:00:00Z\",\"2100-01-01T00:00:00Z\",[2100,0,1,0,0,0,5,0]]\n", "", 0),
    // was: "2100 01 01 00 00 00 +00:00 +0000 001 Fri Friday Jan January  1 00:00:00 2100-01-01 01/01/…
    (&["-nc", "4102444800 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")"], "", "\"2100 01 01 00 00 00 UTC +0000 001 Fri Friday Jan January  1 00:00:00 2100-01-01 01/01/00 4102444800 00 AM 12 Fri Jan  1 00:00:00 2100 % 21 99 2099 Jan  0 12 \\n 00:00 12:00:00 AM \\t 5 00 53 5 00 01/01/00 00:00:00\"\n", "", 0),
    // was: jq: error: date/0 is not defined at <top-level>, line 1: 1e11 | [todate, gmtime, (gmtime|m…
    (&["-nc", "1e11 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]"], "", "[\"5138-11-16T09:46:40Z\",[5138,10,16,9,46,40,3,319],100000000000,\"5138-11-16T09:46:40Z\",\"5138-11-16T09:46:40Z\",\"5138-11-16T09:46:40Z\",[5138,10,16,9,46,40,3,319]]\n", "", 0),
    // was: "5138 11 16 09 46 40 +00:00 +0000 320 Wed Wednesday Nov November 16 09:46:40 5138-11-16 11…
    (&["-nc", "1e11 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")"], "", "\"5138 11 16 09 46 40 UTC +0000 320 Wed Wednesday Nov November 16 09:46:40 5138-11-16 11/16/38 100000000000 38 AM 09 Wed Nov 16 09:46:40 5138 % 51 38 5138 Nov  9  9 \\n 09:46 09:46:40 AM \\t 3 46 46 3 46 11/16/38 09:46:40\"\n", "", 0),
    // was: jq: error: date/0 is not defined at <top-level>, line 1: 253402300799 | [todate, gmtime, (…
    (&["-nc", "253402300799 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]"], "", "[\"9999-12-31T23:59:59Z\",[9999,11,31,23,59,59,5,364],253402300799,\"9999-12-31T23:59:59Z\",\"9999-12-31T23:59:59Z\",\"9999-12-31T23:59:59Z\",[9999,11,31,23,59,59,5,364]]\n", "", 0),
    // was: "9999 12 31 23 59 59 +00:00 +0000 365 Fri Friday Dec December 31 23:59:59 9999-12-31 12/31…
    (&["-nc", "253402300799 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")"], "", "\"9999 12 31 23 59 59 UTC +0000 365 Fri Friday Dec December 31 23:59:59 9999-12-31 12/31/99 253402300799 99 PM 11 Fri Dec 31 23:59:59 9999 % 99 99 9999 Dec 23 11 \\n 23:59 11:59:59 PM \\t 5 52 52 5 52 12/31/99 23:59:59\"\n", "", 0),
    (&["-nc", "-62135596800 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]"], "", "", "jq: Unknown option: -62135596800 | [todate, gmtime, (gmtime|mktime), (gmtime|todate), todateiso8601, date, localtime]\nUse jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n", 2),
    (&["-nc", "-62135596800 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")"], "", "", "jq: Unknown option: -62135596800 | strftime(\"%Y %m %d %H %M %S %Z %z %j %a %A %b %B %e %T %F %D %s %y %p %I %c %% %C %g %G %h %k %l %n %R %r %t %u %U %V %w %W %x %X\")\nUse jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n", 2),
    (&["-c", "try fromdate catch ."], "\"2015-03-05T23:51:47Z\"", "1425599507\n", "", 0),
    (&["-c", "try fromdateiso8601 catch ."], "\"2015-03-05T23:51:47Z\"", "1425599507\n", "", 0),
    (&["-c", "try strptime(\"%Y-%m-%dT%H:%M:%SZ\") catch ."], "\"2015-03-05T23:51:47Z\"", "[2015,2,5,23,51,47,4,63]\n", "", 0),
    (&["-c", "try (strptime(\"%Y-%m-%dT%H:%M:%SZ\") | mktime) catch ."], "\"2015-03-05T23:51:47Z\"", "1425599507\n", "", 0),
    // was: 1425599507.123
    (&["-c", "try fromdate catch ."], "\"2015-03-05T23:51:47.123Z\"", "\"date \\\"2015-03-05T23:51:47.123Z\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: 1425599507.123
    (&["-c", "try fromdateiso8601 catch ."], "\"2015-03-05T23:51:47.123Z\"", "\"date \\\"2015-03-05T23:51:47.123Z\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: "cannot parse 2015-03-05T23:51:47.123Z using %Y-%m-%dT%H:%M:%SZ: input contains invalid ch…
    (&["-c", "try strptime(\"%Y-%m-%dT%H:%M:%SZ\") catch ."], "\"2015-03-05T23:51:47.123Z\"", "\"date \\\"2015-03-05T23:51:47.123Z\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: "cannot parse 2015-03-05T23:51:47.123Z using %Y-%m-%dT%H:%M:%SZ: input contains invalid ch…
    (&["-c", "try (strptime(\"%Y-%m-%dT%H:%M:%SZ\") | mktime) catch ."], "\"2015-03-05T23:51:47.123Z\"", "\"date \\\"2015-03-05T23:51:47.123Z\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: 1425595907
    (&["-c", "try fromdate catch ."], "\"2015-03-05T23:51:47+01:00\"", "\"date \\\"2015-03-05T23:51:47+01:00\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: 1425595907
    (&["-c", "try fromdateiso8601 catch ."], "\"2015-03-05T23:51:47+01:00\"", "\"date \\\"2015-03-05T23:51:47+01:00\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: "cannot parse 2015-03-05T23:51:47+01:00 using %Y-%m-%dT%H:%M:%SZ: input contains invalid c…
    (&["-c", "try strptime(\"%Y-%m-%dT%H:%M:%SZ\") catch ."], "\"2015-03-05T23:51:47+01:00\"", "\"date \\\"2015-03-05T23:51:47+01:00\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: "cannot parse 2015-03-05T23:51:47+01:00 using %Y-%m-%dT%H:%M:%SZ: input contains invalid c…
    (&["-c", "try (strptime(\"%Y-%m-%dT%H:%M:%SZ\") | mktime) catch ."], "\"2015-03-05T23:51:47+01:00\"", "\"date \\\"2015-03-05T23:51:47+01:00\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: "cannot parse 2015-03-05 as ISO-8601 timestamp: premature end of input"
    (&["-c", "try fromdate catch ."], "\"2015-03-05\"", "\"date \\\"2015-03-05\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: "cannot parse 2015-03-05 as ISO-8601 timestamp: premature end of input"
    (&["-c", "try fromdateiso8601 catch ."], "\"2015-03-05\"", "\"date \\\"2015-03-05\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: "cannot parse 2015-03-05 using %Y-%m-%dT%H:%M:%SZ: premature end of input"
    (&["-c", "try strptime(\"%Y-%m-%dT%H:%M:%SZ\") catch ."], "\"2015-03-05\"", "\"date \\\"2015-03-05\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: "cannot parse 2015-03-05 using %Y-%m-%dT%H:%M:%SZ: premature end of input"
    (&["-c", "try (strptime(\"%Y-%m-%dT%H:%M:%SZ\") | mktime) catch ."], "\"2015-03-05\"", "\"date \\\"2015-03-05\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: "cannot parse x as ISO-8601 timestamp: premature end of input"
    (&["-c", "try fromdate catch ."], "\"x\"", "\"date \\\"x\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: "cannot parse x as ISO-8601 timestamp: premature end of input"
    (&["-c", "try fromdateiso8601 catch ."], "\"x\"", "\"date \\\"x\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: "cannot parse x using %Y-%m-%dT%H:%M:%SZ: input contains invalid characters"
    (&["-c", "try strptime(\"%Y-%m-%dT%H:%M:%SZ\") catch ."], "\"x\"", "\"date \\\"x\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    // was: "cannot parse x using %Y-%m-%dT%H:%M:%SZ: input contains invalid characters"
    (&["-c", "try (strptime(\"%Y-%m-%dT%H:%M:%SZ\") | mktime) catch ."], "\"x\"", "\"date \\\"x\\\" does not match format \\\"%Y-%m-%dT%H:%M:%SZ\\\"\"\n", "", 0),
    (&["-c", "try fromdate catch ."], "\"1970-01-01T00:00:00Z\"", "0\n", "", 0),
    (&["-c", "try fromdateiso8601 catch ."], "\"1970-01-01T00:00:00Z\"", "0\n", "", 0),
    (&["-c", "try strptime(\"%Y-%m-%dT%H:%M:%SZ\") catch ."], "\"1970-01-01T00:00:00Z\"", "[1970,0,1,0,0,0,4,0]\n", "", 0),
    (&["-c", "try (strptime(\"%Y-%m-%dT%H:%M:%SZ\") | mktime) catch ."], "\"1970-01-01T00:00:00Z\"", "0\n", "", 0),
    (&["-c", "try fromdate catch ."], "\"2024-02-29T12:00:00Z\"", "1709208000\n", "", 0),
    (&["-c", "try fromdateiso8601 catch ."], "\"2024-02-29T12:00:00Z\"", "1709208000\n", "", 0),
    (&["-c", "try strptime(\"%Y-%m-%dT%H:%M:%SZ\") catch ."], "\"2024-02-29T12:00:00Z\"", "[2024,1,29,12,0,0,4,59]\n", "", 0),
    (&["-c", "try (strptime(\"%Y-%m-%dT%H:%M:%SZ\") | mktime) catch ."], "\"2024-02-29T12:00:00Z\"", "1709208000\n", "", 0),
    // was: "cannot parse 2023-02-29T12:00:00Z as ISO-8601 timestamp: input is out of range"
    (&["-c", "try fromdate catch ."], "\"2023-02-29T12:00:00Z\"", "1677672000\n", "", 0),
    // was: "cannot parse 2023-02-29T12:00:00Z as ISO-8601 timestamp: input is out of range"
    (&["-c", "try fromdateiso8601 catch ."], "\"2023-02-29T12:00:00Z\"", "1677672000\n", "", 0),
    // was: "cannot parse 2023-02-29T12:00:00Z using %Y-%m-%dT%H:%M:%SZ: input is out of range"
    (&["-c", "try strptime(\"%Y-%m-%dT%H:%M:%SZ\") catch ."], "\"2023-02-29T12:00:00Z\"", "[2023,1,29,12,0,0,3,59]\n", "", 0),
    // was: "cannot parse 2023-02-29T12:00:00Z using %Y-%m-%dT%H:%M:%SZ: input is out of range"
    (&["-c", "try (strptime(\"%Y-%m-%dT%H:%M:%SZ\") | mktime) catch ."], "\"2023-02-29T12:00:00Z\"", "1677672000\n", "", 0),
    (&["-c", "try fromdate catch ."], "\"1900-01-01T00:00:00Z\"", "-2208988800\n", "", 0),
    (&["-c", "try fromdateiso8601 catch ."], "\"1900-01-01T00:00:00Z\"", "-2208988800\n", "", 0),
    (&["-c", "try strptime(\"%Y-%m-%dT%H:%M:%SZ\") catch ."], "\"1900-01-01T00:00:00Z\"", "[1900,0,1,0,0,0,1,0]\n", "", 0),
    (&["-c", "try (strptime(\"%Y-%m-%dT%H:%M:%SZ\") | mktime) catch ."], "\"1900-01-01T00:00:00Z\"", "-2208988800\n", "", 0),
    (&["-nc", "\"10/03/2024 14:05\" | try strptime(\"%d/%m/%Y %H:%M\") catch ."], "", "[2024,2,10,14,5,0,0,69]\n", "", 0),
    (&["-nc", "\"10/03/2024 14:05\" | try (strptime(\"%d/%m/%Y %H:%M\") | mktime) catch ."], "", "1710079500\n", "", 0),
    (&["-nc", "\"Tue, 05 Mar 2024 01:02:03\" | try strptime(\"%a, %d %b %Y %H:%M:%S\") catch ."], "", "[2024,2,5,1,2,3,2,64]\n", "", 0),
    (&["-nc", "\"Tue, 05 Mar 2024 01:02:03\" | try (strptime(\"%a, %d %b %Y %H:%M:%S\") | mktime) catch ."], "", "1709600523\n", "", 0),
    // was: "cannot parse 2024-060 using %Y-%j: input is not enough for unique date and time"
    (&["-nc", "\"2024-060\" | try strptime(\"%Y-%j\") catch ."], "", "[2024,1,29,0,0,0,4,59]\n", "", 0),
    // was: "cannot parse 2024-060 using %Y-%j: input is not enough for unique date and time"
    (&["-nc", "\"2024-060\" | try (strptime(\"%Y-%j\") | mktime) catch ."], "", "1709164800\n", "", 0),
    // was: "cannot parse 12:30:45 using %H:%M:%S: input is not enough for unique date and time"
    (&["-nc", "\"12:30:45\" | try strptime(\"%H:%M:%S\") catch ."], "", "[1900,0,0,12,30,45,8,367]\n", "", 0),
    // was: "cannot parse 12:30:45 using %H:%M:%S: input is not enough for unique date and time"
    (&["-nc", "\"12:30:45\" | try (strptime(\"%H:%M:%S\") | mktime) catch ."], "", "-2209030155\n", "", 0),
    // was: "cannot parse March 5 2024 using %B %d %Y: input is not enough for unique date and time"
    (&["-nc", "\"March 5 2024\" | try strptime(\"%B %d %Y\") catch ."], "", "[2024,2,5,0,0,0,2,64]\n", "", 0),
    // was: "cannot parse March 5 2024 using %B %d %Y: input is not enough for unique date and time"
    (&["-nc", "\"March 5 2024\" | try (strptime(\"%B %d %Y\") | mktime) catch ."], "", "1709596800\n", "", 0),
    (&["-nc", "\"2024-03-05 1:02:03 PM\" | try strptime(\"%Y-%m-%d %I:%M:%S %p\") catch ."], "", "[2024,2,5,13,2,3,2,64]\n", "", 0),
    (&["-nc", "\"2024-03-05 1:02:03 PM\" | try (strptime(\"%Y-%m-%d %I:%M:%S %p\") | mktime) catch ."], "", "1709643723\n", "", 0),
    (&["-nc", "\"1425599621\" | try strptime(\"%s\") catch ."], "", "[2015,2,5,23,53,41,4,63]\n", "", 0),
    (&["-nc", "\"1425599621\" | try (strptime(\"%s\") | mktime) catch ."], "", "1425599621\n", "", 0),
    // was: "cannot parse 24-3-5 using %y-%m-%d: input is not enough for unique date and time"
    (&["-nc", "\"24-3-5\" | try strptime(\"%y-%m-%d\") catch ."], "", "[2024,2,5,0,0,0,2,64]\n", "", 0),
    // was: "cannot parse 24-3-5 using %y-%m-%d: input is not enough for unique date and time"
    (&["-nc", "\"24-3-5\" | try (strptime(\"%y-%m-%d\") | mktime) catch ."], "", "1709596800\n", "", 0),
    (&["-nc", "\"2024-03-05T01:02:03 +0100\" | try strptime(\"%Y-%m-%dT%H:%M:%S %z\") catch ."], "", "[2024,2,5,1,2,3,2,64]\n", "", 0),
    (&["-nc", "\"2024-03-05T01:02:03 +0100\" | try (strptime(\"%Y-%m-%dT%H:%M:%S %z\") | mktime) catch ."], "", "1709600523\n", "", 0),
    // was: "cannot parse 2024-03-05 UTC using %Y-%m-%d %Z: input is not enough for unique date and ti…
    (&["-nc", "\"2024-03-05 UTC\" | try strptime(\"%Y-%m-%d %Z\") catch ."], "", "[2024,2,5,0,0,0,2,64]\n", "", 0),
    // was: "cannot parse 2024-03-05 UTC using %Y-%m-%d %Z: input is not enough for unique date and ti…
    (&["-nc", "\"2024-03-05 UTC\" | try (strptime(\"%Y-%m-%d %Z\") | mktime) catch ."], "", "1709596800\n", "", 0),
    // was: "cannot parse   2024-03-05 using %Y-%m-%d: input is not enough for unique date and time"
    (&["-nc", "\"  2024-03-05\" | try strptime(\"%Y-%m-%d\") catch ."], "", "[2024,2,5,0,0,0,2,64]\n", "", 0),
    // was: "cannot parse   2024-03-05 using %Y-%m-%d: input is not enough for unique date and time"
    (&["-nc", "\"  2024-03-05\" | try (strptime(\"%Y-%m-%d\") | mktime) catch ."], "", "1709596800\n", "", 0),
    // was: "cannot parse 2024-03-05x using %Y-%m-%d: trailing input"
    (&["-nc", "\"2024-03-05x\" | try strptime(\"%Y-%m-%d\") catch ."], "", "\"date \\\"2024-03-05x\\\" does not match format \\\"%Y-%m-%d\\\"\"\n", "", 0),
    // was: "cannot parse 2024-03-05x using %Y-%m-%d: trailing input"
    (&["-nc", "\"2024-03-05x\" | try (strptime(\"%Y-%m-%d\") | mktime) catch ."], "", "\"date \\\"2024-03-05x\\\" does not match format \\\"%Y-%m-%d\\\"\"\n", "", 0),
    // was: "cannot parse 2024-3-5 using %F: input is not enough for unique date and time"
    (&["-nc", "\"2024-3-5\" | try strptime(\"%F\") catch ."], "", "[2024,2,5,0,0,0,2,64]\n", "", 0),
    // was: "cannot parse 2024-3-5 using %F: input is not enough for unique date and time"
    (&["-nc", "\"2024-3-5\" | try (strptime(\"%F\") | mktime) catch ."], "", "1709596800\n", "", 0),
    // was: "cannot parse 05.03.2024 using %d.%m.%Y: input is not enough for unique date and time"
    (&["-nc", "\"05.03.2024\" | try strptime(\"%d.%m.%Y\") catch ."], "", "[2024,2,5,0,0,0,2,64]\n", "", 0),
    // was: "cannot parse 05.03.2024 using %d.%m.%Y: input is not enough for unique date and time"
    (&["-nc", "\"05.03.2024\" | try (strptime(\"%d.%m.%Y\") | mktime) catch ."], "", "1709596800\n", "", 0),
    // was: "cannot parse 2024-03-05 % using %Y-%m-%d %%: input is not enough for unique date and time…
    (&["-nc", "\"2024-03-05 %\" | try strptime(\"%Y-%m-%d %%\") catch ."], "", "[2024,2,5,0,0,0,2,64]\n", "", 0),
    // was: "cannot parse 2024-03-05 % using %Y-%m-%d %%: input is not enough for unique date and time…
    (&["-nc", "\"2024-03-05 %\" | try (strptime(\"%Y-%m-%d %%\") | mktime) catch ."], "", "1709596800\n", "", 0),
    // was: "cannot parse 13/45/2024 using %m/%d/%Y: input is out of range"
    (&["-nc", "\"13/45/2024\" | try strptime(\"%m/%d/%Y\") catch ."], "", "\"date \\\"13/45/2024\\\" does not match format \\\"%m/%d/%Y\\\"\"\n", "", 0),
    // was: "cannot parse 13/45/2024 using %m/%d/%Y: input is out of range"
    (&["-nc", "\"13/45/2024\" | try (strptime(\"%m/%d/%Y\") | mktime) catch ."], "", "\"date \\\"13/45/2024\\\" does not match format \\\"%m/%d/%Y\\\"\"\n", "", 0),
    // was: "cannot use 1 as string"
    (&["-nc", "1 | try strptime(\"%Y\") catch ."], "", "\"strptime/1 requires string inputs and arguments\"\n", "", 0),
    // was: "cannot use 1 as string"
    (&["-nc", "\"x\" | try strptime(1) catch ."], "", "\"strptime/1 requires string inputs and arguments\"\n", "", 0),
    (&["-nc", "[2024,1,29,0,0,0,0,0] | try mktime catch ."], "", "1709164800\n", "", 0),
    (&["-nc", "[2024,1,29,0,0,0,0,0] | try todate catch ."], "", "\"2024-02-29T00:00:00Z\"\n", "", 0),
    // was: "2024-02-29 00:00:00 Thu 060"
    (&["-nc", "[2024,1,29,0,0,0,0,0] | try strftime(\"%Y-%m-%d %H:%M:%S %a %j\") catch ."], "", "\"2024-02-29 00:00:00 Sun 001\"\n", "", 0),
    // was: "cannot convert [2024,12,1,0,0,0] to time"
    (&["-nc", "[2024,12,1,0,0,0] | try mktime catch ."], "", "1735689600\n", "", 0),
    // was: "cannot convert [2024,12,1,0,0,0] to time"
    (&["-nc", "[2024,12,1,0,0,0] | try todate catch ."], "", "\"2024-13-01T00:00:00Z\"\n", "", 0),
    // was: "cannot convert [2024,12,1,0,0,0] to time"
    (&["-nc", "[2024,12,1,0,0,0] | try strftime(\"%Y-%m-%d %H:%M:%S %a %j\") catch ."], "", "\"2024-13-01 00:00:00 Sun 001\"\n", "", 0),
    // was: "cannot convert [2024,0,1,25,61,61.5,0,0] to time"
    (&["-nc", "[2024,0,1,25,61,61.5,0,0] | try mktime catch ."], "", "1704160921\n", "", 0),
    // was: "cannot convert [2024,0,1,25,61,61.5,0,0] to time"
    (&["-nc", "[2024,0,1,25,61,61.5,0,0] | try todate catch ."], "", "\"2024-01-01T25:61:61Z\"\n", "", 0),
    // was: "cannot convert [2024,0,1,25,61,61.5,0,0] to time"
    (&["-nc", "[2024,0,1,25,61,61.5,0,0] | try strftime(\"%Y-%m-%d %H:%M:%S %a %j\") catch ."], "", "\"2024-01-01 25:61:61 Sun 001\"\n", "", 0),
    // was: "cannot convert [2024,0,1] to time"
    (&["-nc", "[2024,0,1] | try mktime catch ."], "", "\"mktime requires array of 6 numbers\"\n", "", 0),
    // was: "cannot convert [2024,0,1] to time"
    (&["-nc", "[2024,0,1] | try todate catch ."], "", "\"strftime/1 requires parsed datetime inputs\"\n", "", 0),
    // was: "cannot convert [2024,0,1] to time"
    (&["-nc", "[2024,0,1] | try strftime(\"%Y-%m-%d %H:%M:%S %a %j\") catch ."], "", "\"strftime/1 requires parsed datetime inputs\"\n", "", 0),
    // was: "cannot convert [2024,0,1,0,0,\"a\"] to time"
    (&["-nc", "[2024,0,1,0,0,\"a\"] | try mktime catch ."], "", "\"mktime requires parsed datetime inputs\"\n", "", 0),
    // was: "cannot convert [2024,0,1,0,0,\"a\"] to time"
    (&["-nc", "[2024,0,1,0,0,\"a\"] | try todate catch ."], "", "\"strftime/1 requires parsed datetime inputs\"\n", "", 0),
    // was: "cannot convert [2024,0,1,0,0,\"a\"] to time"
    (&["-nc", "[2024,0,1,0,0,\"a\"] | try strftime(\"%Y-%m-%d %H:%M:%S %a %j\") catch ."], "", "\"strftime/1 requires parsed datetime inputs\"\n", "", 0),
    // was: "cannot use {} as array"
    (&["-nc", "{} | try mktime catch ."], "", "\"mktime requires array of 6 numbers\"\n", "", 0),
    // was: "cannot use {} as floating-point number"
    (&["-nc", "{} | try todate catch ."], "", "\"strftime/1 requires parsed datetime inputs\"\n", "", 0),
    // was: "cannot use {} as floating-point number"
    (&["-nc", "{} | try strftime(\"%Y-%m-%d %H:%M:%S %a %j\") catch ."], "", "\"strftime/1 requires parsed datetime inputs\"\n", "", 0),
    // was: "cannot use \"x\" as array"
    (&["-nc", "\"x\" | try mktime catch ."], "", "\"mktime requires array of 6 numbers\"\n", "", 0),
    // was: "cannot use \"x\" as floating-point number"
    (&["-nc", "\"x\" | try todate catch ."], "", "\"strftime/1 requires parsed datetime inputs\"\n", "", 0),
    // was: "cannot use \"x\" as floating-point number"
    (&["-nc", "\"x\" | try strftime(\"%Y-%m-%d %H:%M:%S %a %j\") catch ."], "", "\"strftime/1 requires parsed datetime inputs\"\n", "", 0),
    (&["-nc", "[1970,0,1,0,0,0,0,0] | try mktime catch ."], "", "0\n", "", 0),
    (&["-nc", "[1970,0,1,0,0,0,0,0] | try todate catch ."], "", "\"1970-01-01T00:00:00Z\"\n", "", 0),
    // was: "1970-01-01 00:00:00 Thu 001"
    (&["-nc", "[1970,0,1,0,0,0,0,0] | try strftime(\"%Y-%m-%d %H:%M:%S %a %j\") catch ."], "", "\"1970-01-01 00:00:00 Sun 001\"\n", "", 0),
    // was: "cannot convert [2024,-1,1,0,0,0] to time"
    (&["-nc", "[2024,-1,1,0,0,0] | try mktime catch ."], "", "1701388800\n", "", 0),
    // was: "cannot convert [2024,-1,1,0,0,0] to time"
    (&["-nc", "[2024,-1,1,0,0,0] | try todate catch ."], "", "\"2024-00-01T00:00:00Z\"\n", "", 0),
    // was: "cannot convert [2024,-1,1,0,0,0] to time"
    (&["-nc", "[2024,-1,1,0,0,0] | try strftime(\"%Y-%m-%d %H:%M:%S %a %j\") catch ."], "", "\"2024-00-01 00:00:00 Sun 001\"\n", "", 0),
    // was: "cannot convert [2024,0,0,0,0,0] to time"
    (&["-nc", "[2024,0,0,0,0,0] | try mktime catch ."], "", "1703980800\n", "", 0),
    // was: "cannot convert [2024,0,0,0,0,0] to time"
    (&["-nc", "[2024,0,0,0,0,0] | try todate catch ."], "", "\"2024-01-00T00:00:00Z\"\n", "", 0),
    // was: "cannot convert [2024,0,0,0,0,0] to time"
    (&["-nc", "[2024,0,0,0,0,0] | try strftime(\"%Y-%m-%d %H:%M:%S %a %j\") catch ."], "", "\"2024-01-00 00:00:00 Sun 001\"\n", "", 0),
    // was: -1
    (&["-nc", "[1969,11,31,23,59,59] | try mktime catch ."], "", "\"invalid gmtime representation\"\n", "", 0),
    (&["-nc", "[1969,11,31,23,59,59] | try todate catch ."], "", "\"1969-12-31T23:59:59Z\"\n", "", 0),
    // was: "1969-12-31 23:59:59 Wed 365"
    (&["-nc", "[1969,11,31,23,59,59] | try strftime(\"%Y-%m-%d %H:%M:%S %a %j\") catch ."], "", "\"1969-12-31 23:59:59 Sun 001\"\n", "", 0),
    // was: "cannot use \"x\" as floating-point number"
    (&["-nc", "\"x\" | try gmtime catch ."], "", "\"gmtime() requires a number\"\n", "", 0),
    // was: "cannot use null as floating-point number"
    (&["-nc", "null | try gmtime catch ."], "", "\"gmtime() requires a number\"\n", "", 0),
    // was: "cannot use {} as floating-point number"
    (&["-nc", "{} | try strftime(\"%Y\") catch ."], "", "\"strftime/1 requires parsed datetime inputs\"\n", "", 0),
    // was: "cannot use 1 as string"
    (&["-nc", "0 | try strftime(1) catch ."], "", "\"strftime/1 requires a string format\"\n", "", 0),
    // was: "cannot use \"x\" as floating-point number"
    (&["-nc", "\"x\" | try todate catch ."], "", "\"strftime/1 requires parsed datetime inputs\"\n", "", 0),
    // was: "cannot use 1 as string"
    (&["-nc", "1 | try fromdate catch ."], "", "\"strptime/1 requires string inputs and arguments\"\n", "", 0),
    // was: "cannot use null as array"
    (&["-nc", "null | try mktime catch ."], "", "\"mktime requires array of 6 numbers\"\n", "", 0),
    // was: jq: error: dateadd/2 is not defined at <top-level>, line 1: 1425599621 | dateadd("seconds"…
    (&["-nc", "1425599621 | dateadd(\"seconds\"; 10), datesub(\"seconds\"; 10)"], "", "1425599631\n1425599611\n", "", 0),
    (&["-nc", "now | type"], "", "\"number\"\n", "", 0),
    (&["-nc", "now | todate"], "", "\"2026-11-23T09:00:05Z\"\n", "", 0),
    // was: 1795424405.25
    (&["-nc", "now | gmtime | mktime"], "", "1795424405\n", "", 0),
    // was: "23:53 +00:00" 1425599621
    (&["-nc", "1425599621 | strflocaltime(\"%H:%M %Z\"), (localtime | mktime)"], "", "\"23:53 UTC\"\n1425599621\n", "", 0),
    // was: 1425599621.5 "2015-03-05T23:53:41Z" "41"
    (&["-nc", "1425599621 | gmtime | .[5] |= . + 0.5 | mktime, todate, strftime(\"%S\")"], "", "1425599621\n\"2015-03-05T23:53:41Z\"\n\"41\"\n", "", 0),
    (&["-nc", "\"2015-03-05T23:51:47Z\" | strptime(\"%Y-%m-%dT%H:%M:%SZ\") | strftime(\"%A %j %U\")"], "", "\"Thursday 064 09\"\n", "", 0),
    (&["-nc", "[0, 1, 2] | map(. * 86400 * 365.25 | todate)"], "", "[\"1970-01-01T00:00:00Z\",\"1971-01-01T06:00:00Z\",\"1972-01-01T12:00:00Z\"]\n", "", 0),
    // was: "cannot parse 1e20 as epoch timestamp"
    (&["-nc", "1e20 | try todate catch ."], "", "\"error converting number of seconds since epoch to datetime\"\n", "", 0),
    (&["-nc", "-1e20 | try gmtime catch ."], "", "", "jq: Unknown option: -1e20 | try gmtime catch .\nUse jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n", 2),
    // was: "1970-01-01T00:00:00Z"
    (&["-nc", "nan | try todate catch ."], "", "\"error converting number of seconds since epoch to datetime\"\n", "", 0),
    // was: "cannot parse null as epoch timestamp"
    (&["-nc", "infinite | try gmtime catch ."], "", "\"error converting number of seconds since epoch to datetime\"\n", "", 0),
    (&["-nc", "1425599621 | strftime(\"\")"], "", "\"\"\n", "", 0),
    // was: jq: error: the filter could not be evaluated (internal error)
    (&["-nc", "1425599621 | strftime(\"%Q|%5Y|%-d|%_m|%Ez\")"], "", "\"%Q|02015|5| 3|+0000\"\n", "", 0),
];

#[test]
fn formats_maths_and_dates_as_recorded() {
    let mut failed = Vec::new();
    for (args, stdin, out, err, status) in CASES {
        let r = run(&JqRequest {
            args: args.iter().map(|s| s.to_string()).collect(),
            stdin: stdin.to_string(),
            now_ms: 1_795_424_405_250,
            vars: Vec::new(),
            files: Vec::new(),
        });
        if (r.out.as_str(), r.err.as_str(), r.status) != (*out, *err, *status) {
            failed.push(format!(
                "jq {args:?} <<< {stdin:?}\n  expected {out:?} {err:?} {status}\n  got      {:?} {:?} {}",
                r.out, r.err, r.status
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} differ:\n{}",
        failed.len(),
        CASES.len(),
        failed.join("\n")
    );
}
