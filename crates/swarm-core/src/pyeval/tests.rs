use super::*;

/// A host with an in-memory redis (or none) and a fixed env.
struct Mock {
    up: bool,
    kv: Vec<(String, String)>,
    env: Vec<(String, String)>,
    sent: Vec<Vec<String>>,
}

impl Mock {
    fn new() -> Mock {
        Mock {
            up: true,
            kv: Vec::new(),
            env: vec![("GREETING".into(), "hi".into())],
            sent: Vec::new(),
        }
    }
}

impl Host for Mock {
    fn redis(&mut self, host: &str, port: u16, args: &[String]) -> Result<RedisReply, String> {
        self.sent.push(args.to_vec());
        if !self.up {
            return Err(format!(
                "redis.exceptions.ConnectionError: Error -2 connecting to {host}:{port}. Name or service not known."
            ));
        }
        let get =
            |kv: &Vec<(String, String)>, k: &str| kv.iter().find(|x| x.0 == k).map(|x| x.1.clone());
        fn set(kv: &mut Vec<(String, String)>, k: &str, v: String) {
            kv.retain(|x| x.0 != k);
            kv.push((k.to_string(), v));
        }
        Ok(match args[0].as_str() {
            "GET" => RedisReply::Bulk(get(&self.kv, &args[1])),
            "SET" => {
                set(&mut self.kv, &args[1], args[2].clone());
                RedisReply::Status("OK".into())
            }
            "INCRBY" | "DECRBY" => {
                let cur: i64 = get(&self.kv, &args[1]).map_or(0, |v| v.parse().unwrap_or(0));
                let d: i64 = args[2].parse().unwrap_or(0);
                let n = if args[0] == "INCRBY" {
                    cur + d
                } else {
                    cur - d
                };
                set(&mut self.kv, &args[1], n.to_string());
                RedisReply::Int(n)
            }
            _ => RedisReply::Error("ERR unknown command".into()),
        })
    }
    fn env(&self, name: &str) -> Option<String> {
        self.env.iter().find(|e| e.0 == name).map(|e| e.1.clone())
    }
    fn hostname(&self) -> String {
        "c0ffee123456".into()
    }
    fn ip(&self) -> String {
        "172.18.0.3".into()
    }
    fn now_ms(&self) -> i64 {
        1_700_000_000_000
    }
}

fn req(method: &str, path: &str) -> Request {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    Request {
        method: method.into(),
        path: p.into(),
        query: q.into(),
        ..Request::default()
    }
}

/// Runs `view` of `src` for `r`, keeping the module's state in `state`.
fn run(
    src: &str,
    state: &mut Option<Vec<(String, Value)>>,
    view: &str,
    args: Vec<(String, Value)>,
    r: &Request,
    host: &mut Mock,
) -> Result<Response, Box<Exc>> {
    let app = App {
        source: src,
        main: true,
        debug: false,
        name: "app",
    };
    let out = run_view(&app, state.take(), view, args, r, host);
    *state = Some(out.globals);
    out.result
}

fn body(r: Result<Response, Box<Exc>>) -> String {
    match r {
        Ok(r) => r.body,
        Err(e) => format!("!{}", e.line()),
    }
}

const APP: &str = r#"from flask import Flask, request, jsonify
import redis, os, socket
app = Flask(__name__)
r = redis.Redis(host='redis', port=6379)
counter = 0

@app.route('/', methods=['GET', 'POST'])
def index():
    if request.method == 'POST':
        r.incr('hits')
        return jsonify({'status': 'ok'}), 201
    else:
        count = r.get('hits')
        return f'Hits: {count}'

@app.route('/n')
def n():
    global counter
    counter += 1
    return 'n=%d host=%s env=%s' % (counter, socket.gethostname(), os.environ.get('GREETING', 'x'))

@app.route('/bad')
def bad():
    x = 0
    x += 1
    return str(int(r.get('missing')))

@app.route('/local')
def local():
    counter += 1
    return 'never'
"#;

#[test]
fn branches_bytes_and_status() {
    let mut h = Mock::new();
    let mut st = None;
    let r = run(APP, &mut st, "index", vec![], &req("GET", "/"), &mut h);
    assert_eq!(body(r), "Hits: None");
    let r = run(APP, &mut st, "index", vec![], &req("POST", "/"), &mut h).unwrap();
    assert_eq!(
        (r.status, r.body.as_str(), r.content_type.as_str()),
        (201, "{\"status\":\"ok\"}\n", "application/json")
    );
    assert_eq!(
        h.sent.last().unwrap(),
        &vec!["INCRBY".to_string(), "hits".into(), "1".into()]
    );
    let r = run(APP, &mut st, "index", vec![], &req("GET", "/"), &mut h);
    assert_eq!(body(r), "Hits: b'1'");
}

#[test]
fn globals_persist_and_unbound_local() {
    let mut h = Mock::new();
    let mut st = None;
    assert_eq!(
        body(run(APP, &mut st, "n", vec![], &req("GET", "/n"), &mut h)),
        "n=1 host=c0ffee123456 env=hi"
    );
    assert_eq!(
        body(run(APP, &mut st, "n", vec![], &req("GET", "/n"), &mut h)),
        "n=2 host=c0ffee123456 env=hi"
    );
    let e = run(APP, &mut st, "local", vec![], &req("GET", "/local"), &mut h).unwrap_err();
    assert_eq!(e.line(), "UnboundLocalError: cannot access local variable 'counter' where it is not associated with a value");
    assert_eq!(
        e.tb,
        vec![(30, "local".to_string(), "counter += 1".to_string())]
    );
}

#[test]
fn exceptions_and_tracebacks() {
    let mut h = Mock::new();
    let mut st = None;
    let e = run(APP, &mut st, "bad", vec![], &req("GET", "/bad"), &mut h).unwrap_err();
    assert_eq!(e.line(), "TypeError: int() argument must be a string, a bytes-like object or a real number, not 'NoneType'");
    assert_eq!(e.tb[0].0, 26);
    h.up = false;
    let e = run(APP, &mut st, "index", vec![], &req("GET", "/"), &mut h).unwrap_err();
    assert!(
        e.line()
            .starts_with("redis.exceptions.ConnectionError: Error -2 connecting to redis:6379."),
        "{}",
        e.line()
    );
    assert_eq!(
        e.tb,
        vec![(13, "index".to_string(), "count = r.get('hits')".to_string())]
    );
}

#[test]
fn retry_helper_reraises_with_both_lines() {
    let src = "import time\nimport redis\nfrom flask import Flask\napp = Flask(__name__)\ncache = redis.Redis(host='redis', port=6379)\n\ndef get_hit_count():\n    retries = 5\n    while True:\n        try:\n            return cache.incr('hits')\n        except redis.exceptions.ConnectionError as exc:\n            if retries == 0:\n                raise exc\n            retries -= 1\n            time.sleep(0.5)\n\n@app.route('/')\ndef hello():\n    count = get_hit_count()\n    return 'Hello World! I have been seen {} times.\\n'.format(count)\n";
    let mut h = Mock::new();
    let mut st = None;
    assert_eq!(
        body(run(src, &mut st, "hello", vec![], &req("GET", "/"), &mut h)),
        "Hello World! I have been seen 1 times.\n"
    );
    h.up = false;
    let e = run(src, &mut st, "hello", vec![], &req("GET", "/"), &mut h).unwrap_err();
    let lines: Vec<u32> = e.tb.iter().map(|f| f.0).collect();
    assert_eq!(lines, [20, 14, 11]);
    assert_eq!(h.sent.len(), 1 + 6);
}

#[test]
fn request_data_and_converters() {
    let src = "from flask import Flask, request, jsonify\napp = Flask(__name__)\n@app.route('/q')\ndef q():\n    name = request.args.get('name', 'world')\n    n = request.args.get('n', 1, type=int)\n    return 'Hello, ' + name + '!' * n\n@app.route('/f', methods=['POST'])\ndef f():\n    return {'got': request.form['item'], 'len': len(request.form)}\n@app.route('/j', methods=['POST'])\ndef j():\n    data = request.get_json()\n    return jsonify(echo=data['msg'].upper(), keys=sorted(data.keys()))\n@app.route('/u/<int:uid>')\ndef u(uid):\n    return f'{uid + 1:>4}|{uid!r}|{\"x\"!r}'\n";
    let mut h = Mock::new();
    let mut st = None;
    assert_eq!(
        body(run(
            src,
            &mut st,
            "q",
            vec![],
            &req("GET", "/q?name=Bob%20B&n=3"),
            &mut h
        )),
        "Hello, Bob B!!!"
    );
    assert_eq!(
        body(run(
            src,
            &mut st,
            "q",
            vec![],
            &req("GET", "/q?n=x"),
            &mut h
        )),
        "Hello, world!"
    );
    let mut r = req("POST", "/f");
    r.body = "item=milk&x=1".into();
    r.headers = vec![(
        "Content-Type".into(),
        "application/x-www-form-urlencoded".into(),
    )];
    assert_eq!(
        body(run(src, &mut st, "f", vec![], &r, &mut h)),
        "{\"got\":\"milk\",\"len\":2}\n"
    );
    r.body = "x=1".into();
    let e = run(src, &mut st, "f", vec![], &r, &mut h).unwrap_err();
    assert_eq!(e.http, Some(400));
    let mut r = req("POST", "/j");
    r.body = "{\"msg\": \"hé\", \"a\": 1}".into();
    let e = run(src, &mut st, "j", vec![], &r, &mut h).unwrap_err();
    assert_eq!(e.http, Some(415));
    r.headers = vec![("Content-Type".into(), "application/json".into())];
    assert_eq!(
        body(run(src, &mut st, "j", vec![], &r, &mut h)),
        "{\"echo\":\"H\\u00c9\",\"keys\":[\"a\",\"msg\"]}\n"
    );
    let args = match_rule("/u/<int:uid>", "/u/41").unwrap();
    assert_eq!(
        body(run(src, &mut st, "u", args, &req("GET", "/u/41"), &mut h)),
        "  42|41|'x'"
    );
    assert!(match_rule("/u/<int:uid>", "/u/abc").is_none());
    assert!(match_rule("/u/<int:uid>", "/u/-1").is_none());
    assert_eq!(
        match_rule("/hello/<name>", "/hello/bob"),
        Some(vec![("name".to_string(), Value::Str("bob".into()))])
    );
    assert!(match_rule("/hello/<name>", "/hello/a/b").is_none());
    assert_eq!(
        match_rule("/f/<path:p>", "/f/a/b.txt"),
        Some(vec![("p".to_string(), Value::Str("a/b.txt".into()))])
    );
    assert!(match_rule("/hello/<string:name>", "/hello/").is_none());
}

#[test]
fn python_values_print_as_python() {
    let src = "from flask import Flask\napp = Flask(__name__)\n@app.route('/')\ndef v():\n    a = str(b'2') + ' ' + str(int(b'2') + 1) + ' ' + b'3'.decode('utf-8')\n    b = '{} {:.2f} {name}'.format([1, 'x', None], 2 / 3, name={'k': (1,)})\n    c = '%s|%5d|%-3s|%.1f%%' % ('s', 42, 'ab', 99.5)\n    d = 'yes' if 'a' in 'cat' and not [] and 1 < 2 <= 2 else 'no'\n    e = ', '.join(x.upper() for x in ['a', 'b']) if False else ','.join([str(i * i) for i in range(4) if i])\n    return '\\n'.join([a, b, c, d, e, repr(\"it's\"), str(7 // 2) + str(-7 % 3) + str(1e20) + str(0.1 + 0.2)])\n";
    let mut h = Mock::new();
    let mut st = None;
    assert_eq!(
        body(run(src, &mut st, "v", vec![], &req("GET", "/"), &mut h)),
        "b'2' 3 3\n[1, 'x', None] 0.67 {'k': (1,)}\ns|   42|ab |99.5%\nyes\n1,4,9\n\"it's\"\n321e+200.30000000000000004"
    );
}

#[test]
fn bad_returns_and_unsupported_code() {
    let src = "from flask import Flask\napp = Flask(__name__)\ndef none():\n    x = 1\ndef weird():\n    with open('f') as fh:\n        return fh.read()\ndef s():\n    return 'n: ' + 1\n";
    let mut h = Mock::new();
    let mut st = None;
    let e = run(src, &mut st, "none", vec![], &req("GET", "/"), &mut h).unwrap_err();
    assert!(e.msg.contains("did not return a valid response"));
    let e = run(src, &mut st, "weird", vec![], &req("GET", "/"), &mut h).unwrap_err();
    assert_eq!(e.kind, "NotImplementedError");
    let e = run(src, &mut st, "s", vec![], &req("GET", "/"), &mut h).unwrap_err();
    assert_eq!(
        e.line(),
        "TypeError: can only concatenate str (not \"int\") to str"
    );
    // A loop that never ends is stopped.
    let lp = "def v():\n    while True:\n        pass\n";
    let e = run(lp, &mut None, "v", vec![], &req("GET", "/"), &mut h).unwrap_err();
    assert_eq!(e.kind, "RuntimeError");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Any text as a view never panics.
    #[test]
    fn any_source_never_panics(text in "(def v\\(\\):\n|    |return |if |else:|try:|except |while |for | in |f'|\\{|\\}|\\(|\\)|\\[|\\]|'|\"|[a-z0-9+*/%=<>:,. -]|\n){0,120}") {
        let mut h = Mock::new();
        let _ = run(&text, &mut None, "v", vec![], &req("GET", "/"), &mut h);
    }
}
