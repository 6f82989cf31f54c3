//! What `docker build` makes of a small web app it copied in (`node server.js`, `python
//! app.py` with Flask, `npm start`): the playground runs no JavaScript or Python, so it reads
//! the script for what such labs' apps do: the port they listen on, the text a route answers,
//! and the lines they log at start. The result is a catalog behaviour
//! ([`Image::set_behaviour`]), so the image serves and logs like the catalog's apps, wherever
//! it is pushed and run. A script that is not a web server, or a command that is neither,
//! leaves the image generic.
//!
//! A Flask view is run by a tiny evaluator ([`Py`]): string literals, f-strings,
//! `.format(…)`, `%`, `+` of strings and `str(…)`, over local and module names, helper
//! functions, `socket.gethostname()` (`{hostname}`), `os.environ.get`/`os.getenv`
//! (`{env:NAME|default}`) and a redis client's `.incr('KEY')` (`{incr:KEY}`, with the
//! client's host and port from `redis.Redis(…)`/`from_url(…)` and the traceback frames of the
//! call, which `World::redis_counts` turns into `INCR KEY` in that redis server, or Flask's
//! 500 and the exception). An Express handler's template literal may name
//! `await client.incr('KEY')` or a `const` set from it (node-redis `createClient`, ioredis).
//! Other redis-py calls (`get`, `set`, `incrby`, `decr`, `delete`, `exists`) become the
//! route's `redis` commands and `{r:I|FORM}`/`{rj:I|FORM}` fields (see
//! `World::redis_counts`); `jsonify(…)`, dicts and `(body, status)` are Flask 3's JSON and
//! status; `methods=[…]`/`@app.post` make werkzeug's 405; debug mode (`app.run(debug=True)`,
//! `flask --debug run`, `FLASK_DEBUG`) indents the JSON and prints the debugger's banner.
//! A view it does not understand answers its literal text, as before.

use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;
use swarm_core::catalog::Image;

/// The behaviour for `image`'s command, if it runs a web app the playground can read.
pub(crate) fn infer(image: &Image) -> Option<Value> {
    let mut argv: Vec<String> = image
        .entrypoint
        .iter()
        .chain(image.cmd.iter())
        .cloned()
        .collect();
    // Init wrappers exec the command.
    while argv.first().is_some_and(|a| {
        matches!(
            base(a),
            "docker-entrypoint.sh" | "tini" | "dumb-init" | "--" | "entrypoint.sh"
        )
    }) {
        argv.remove(0);
    }
    if argv.len() == 3 && matches!(base(&argv[0]), "sh" | "bash") && argv[1] == "-c" {
        argv = argv[2].split_whitespace().map(str::to_string).collect();
    }
    // `python -m flask run …` is `flask run …`.
    if argv.len() >= 3
        && base(&argv[0]).starts_with("python")
        && argv[1] == "-m"
        && argv[2] == "flask"
    {
        argv.drain(..2);
    }
    let files = image.layer_files();
    let workdir = if image.workdir.is_empty() {
        "/"
    } else {
        image.workdir.as_str()
    };
    let path = |name: &str| swarm_core::fs::normalize(&swarm_core::fs::join(workdir, name));
    let read = |name: &str| -> Option<String> {
        let path = path(name);
        files
            .iter()
            .find(|f| f.path == path)
            .map(|f| String::from_utf8_lossy(&f.data).into_owned())
    };
    let exposed = image
        .exposed_ports
        .iter()
        .find_map(|p| p.split('/').next()?.parse::<u16>().ok());
    let first = argv.first().map(|a| base(a).to_string())?;
    match first.as_str() {
        "node" | "nodejs" | "nodemon" => {
            let script = argv[1..].iter().find(|a| !a.starts_with('-'))?;
            let name = if script.ends_with(".js") || script.ends_with(".mjs") {
                script.clone()
            } else {
                format!("{script}.js")
            };
            node_app(&read(&name).or_else(|| read(script))?, exposed)
        }
        "npm" if argv.get(1).is_some_and(|a| a == "start" || a == "run") => {
            let pkg: Value = serde_json::from_str(&read("package.json")?).ok()?;
            let start = pkg.get("scripts")?.get("start")?.as_str()?;
            let script = start
                .split_whitespace()
                .skip_while(|w| !matches!(*w, "node" | "nodemon"))
                .nth(1)?;
            node_app(&read(script)?, exposed)
        }
        p if p.starts_with("python") => {
            let script = argv[1..].iter().find(|a| !a.starts_with('-'))?;
            let name = base(script).trim_end_matches(".py").to_string();
            flask_app(
                &read(script)?,
                &path(script),
                None,
                exposed,
                None,
                (Some(name), None),
            )
        }
        "flask" => {
            // `flask --app app --debug run …`: the group's options, then `run`.
            let mut named: Option<String> = None;
            let mut debug: Option<bool> = None;
            let mut i = 1;
            while let Some(a) = argv.get(i).filter(|a| a.as_str() != "run") {
                match a.as_str() {
                    "--app" | "-A" => {
                        named = argv.get(i + 1).cloned();
                        i += 1;
                    }
                    "--debug" => debug = Some(true),
                    "--no-debug" => debug = Some(false),
                    a if a.starts_with("--app=") => named = Some(a[6..].to_string()),
                    _ => return None,
                }
                i += 1;
            }
            argv.drain(1..i);
            if argv.get(1).is_none_or(|a| a != "run") {
                return None;
            }
            for a in &argv {
                match a.as_str() {
                    "--debug" => debug = Some(true),
                    "--no-debug" => debug = Some(false),
                    _ => {}
                }
            }
            let env = |k: &str| {
                image
                    .env
                    .iter()
                    .find_map(|e| e.strip_prefix(k)?.strip_prefix('='))
            };
            let named = named.or_else(|| env("FLASK_APP").map(str::to_string));
            let debug = debug.or_else(|| {
                env("FLASK_DEBUG")
                    .map(|v| !matches!(v.to_ascii_lowercase().as_str(), "" | "0" | "false" | "no"))
            });
            let app = named.clone().unwrap_or_else(|| "app.py".to_string());
            let app = app.split(':').next().unwrap_or("app").to_string();
            let app = if app.ends_with(".py") {
                app
            } else {
                format!("{}.py", app.replace('.', "/"))
            };
            let port = argv
                .iter()
                .position(|a| a == "--port" || a == "-p")
                .and_then(|i| argv.get(i + 1)?.parse().ok())
                .or_else(|| {
                    argv.iter()
                        .find_map(|a| a.strip_prefix("--port=")?.parse().ok())
                })
                .unwrap_or(5000);
            let host = argv
                .iter()
                .position(|a| a == "--host" || a == "-h")
                .and_then(|i| argv.get(i + 1).map(String::as_str))
                .or_else(|| argv.iter().find_map(|a| a.strip_prefix("--host=")))
                .or_else(|| {
                    image
                        .env
                        .iter()
                        .find_map(|e| e.strip_prefix("FLASK_RUN_HOST="))
                })
                .unwrap_or("127.0.0.1");
            flask_app(
                &read(&app)?,
                &path(&app),
                Some(port),
                exposed,
                Some(host),
                (named, Some(debug.unwrap_or(false))),
            )
        }
        _ => None,
    }
}

fn base(a: &str) -> &str {
    a.rsplit('/').next().unwrap_or(a)
}

/// The first integer literal in `s` (`3000` in `process.env.PORT || 3000`).
fn first_number(s: &str) -> Option<u16> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let digits: String = s[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The text between the parenthesis opened just before `s` and its match.
fn call_args(s: &str) -> &str {
    let mut depth = 1;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    return &s[..i];
                }
            }
            _ => {}
        }
    }
    s
}

/// What a JavaScript or Python expression answers, as a catalog template: a string literal
/// (with `${…}`/`{…}` parts that name the host or its address), `os.hostname()`,
/// `socket.gethostname()`, an address; `None` for anything else.
fn template_of(expr: &str, redis: Option<&[(String, String)]>) -> Option<String> {
    let e = expr.trim();
    let value_of = |inner: &str| -> String {
        let i = inner.trim().trim_start_matches("await ").trim();
        if let Some(v) = redis.and_then(|r| r.iter().find(|v| v.0 == i)) {
            v.1.clone()
        } else if let Some(key) = redis.and(i.find(".incr(")).and_then(|k| js_incr(&i[k..])) {
            key
        } else if i.contains("hostname") {
            "{hostname}".into()
        } else if i.contains("networkInterfaces")
            || i.contains("address")
            || i.contains("gethostbyname")
            || i == "ip"
        {
            "{ip}".into()
        } else {
            String::new()
        }
    };
    let quote = e.chars().next()?;
    let (body, fstring) = match quote {
        '\'' | '"' | '`' => (e.get(1..e.rfind(quote).filter(|&i| i > 0)?)?, false),
        'f' if e[1..].starts_with(['\'', '"']) => {
            let q = e[1..].chars().next()?;
            (e.get(2..e.rfind(q).filter(|&i| i > 1)?)?, true)
        }
        _ => {
            let v = value_of(e);
            return (!v.is_empty()).then_some(v);
        }
    };
    let mut out = String::new();
    let mut rest = body;
    let open = if fstring { "{" } else { "${" };
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i]);
        let after = &rest[i + open.len()..];
        let Some(j) = after.find('}') else {
            rest = after;
            break;
        };
        out.push_str(&value_of(&after[..j]));
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    // Braces left in the text are not templates.
    Some(out.replace("\\n", "\n"))
}

const EXPRESS_404: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot GET {path}</pre>\n</body>\n</html>\n";

fn node_app(script: &str, exposed: Option<u16>) -> Option<Value> {
    let listen = script.find(".listen(")?;
    let args = call_args(&script[listen + ".listen(".len()..]);
    let port = first_number(args.split(',').next().unwrap_or(""))
        .or_else(|| {
            // `const PORT = process.env.PORT || 8080;` before the call.
            let name = args.split(',').next()?.trim();
            let def = script.find(&format!("{name} ="))?;
            first_number(script[def..].lines().next()?)
        })
        .or(exposed)
        .unwrap_or(3000);
    let redis = js_redis(script);
    let mut routes = Vec::new();
    for method in [".get(", ".use(", ".all("] {
        let mut from = 0;
        while let Some(i) = script[from..].find(method) {
            let at = from + i + method.len();
            from = at;
            let args = call_args(&script[at..]);
            let Some(path) = template_of(args.split(',').next().unwrap_or(""), None) else {
                continue;
            };
            if !path.starts_with('/') || routes.iter().any(|(p, _, _): &(String, _, _)| *p == path)
            {
                continue;
            }
            if let Some((body, ctype)) = reply_of_js(args, redis.is_some()) {
                routes.push((path, body, ctype));
            }
        }
    }
    let server = script.contains("createServer(");
    if routes.is_empty() && server {
        if let Some(i) = script.find("createServer(") {
            let handler = call_args(&script[i + "createServer(".len()..]);
            if let Some((body, ctype)) = reply_of_js(handler, redis.is_some()) {
                routes.push(("/".into(), body, ctype));
            }
        }
    }
    let logs: Vec<String> = js_logs(script, port);
    // `app.listen(3000, 'localhost')`: the loopback interface only.
    let loopback = args.split(',').nth(1).is_some_and(|h| {
        matches!(
            h.trim().trim_matches(['\'', '"', '`']),
            "localhost" | "127.0.0.1"
        )
    });
    let counts = routes.iter().any(|r| r.1.contains("{incr:"));
    let redis = redis
        .filter(|_| counts)
        .map(|(host, port)| json!({ "host": host, "port": port }));
    let routes: Vec<Value> = routes
        .into_iter()
        .map(|(path, body, ctype)| {
            json!({
                "path": path,
                "prefix": server && path == "/",
                "content_type": ctype,
                "body": body,
            })
        })
        .collect();
    Some(json!({
        "redis": redis,
        "programs": ["node", "nodejs", "nodemon", "npm"],
        "loopback": loopback,
        "startup_ms": 250,
        "ports": [port],
        "sigterm": { "ignore": true },
        "cpu_percent": 0.01,
        "memory_mb": 38.5,
        "logs": { "start": [ { "at": 240, "lines": logs } ] },
        "http": {
            "routes": routes,
            "not_found": { "status": 404, "content_type": "text/html; charset=utf-8", "body": EXPRESS_404 },
        },
    }))
}

/// `{incr:KEY}` for the `.incr('KEY')` at the start of `s`.
fn js_incr(s: &str) -> Option<String> {
    let key = call_args(s.get(6..)?).trim();
    let key = key.strip_prefix(['\'', '"', '`'])?;
    Some(format!(
        "{{incr:{}}}",
        key.get(..key.len().checked_sub(1)?)?
    ))
}

/// The redis server a node script's client talks to (`createClient({ url: 'redis://…' })`,
/// `{ host: '…', port: … }`, ioredis's `new Redis(…)`).
fn js_redis(script: &str) -> Option<(String, String)> {
    let i = script
        .find("createClient(")
        .or_else(|| script.find("new Redis("))?;
    let args = call_args(&script[script[i..].find('(')? + i + 1..]);
    let quoted = |k: &str| {
        let v = &args[args.find(k)? + k.len()..];
        let v = &v[v.find(['\'', '"', '`'])? + 1..];
        Some(v[..v.find(['\'', '"', '`'])?].to_string())
    };
    let (mut host, mut port) = ("localhost".to_string(), "6379".to_string());
    if let Some(url) = quoted("url") {
        let hp = url.strip_prefix("redis://")?.split('/').next()?;
        match hp.rsplit_once(':') {
            Some((h, p)) => (host, port) = (h.to_string(), p.to_string()),
            None => host = hp.to_string(),
        }
    } else if let Some(h) = quoted("host") {
        host = h;
        if let Some(p) = args.find("port").and_then(|p| first_number(&args[p..])) {
            port = p.to_string();
        }
    }
    Some((host, port))
}

/// The reply a JavaScript handler sends: `res.send(…)`, `res.json(…)`, `res.end(…)`.
/// With `redis`, `NAME = await client.incr('KEY')` before it counts.
fn reply_of_js(handler: &str, redis: bool) -> Option<(String, &'static str)> {
    let mut vars = Vec::new();
    let mut from = 0;
    while let Some(k) = handler[from..].find(".incr(").filter(|_| redis) {
        let at = from + k;
        from = at + 1;
        let stmt = &handler[handler[..at].rfind(['\n', ';', '{']).map_or(0, |s| s + 1)..at];
        if let (Some((lhs, _)), Some(v)) = (stmt.split_once('='), js_incr(&handler[at..])) {
            let name = lhs.split_whitespace().last().unwrap_or("");
            vars.push((name.to_string(), v));
        }
    }
    for (call, ctype) in [
        ("res.send(", "text/html; charset=utf-8"),
        ("res.json(", "application/json; charset=utf-8"),
        ("res.end(", "text/plain"),
        ("res.write(", "text/plain"),
    ] {
        if let Some(i) = handler.find(call) {
            let expr = call_args(&handler[i + call.len()..]);
            let body = template_of(expr, redis.then_some(&vars[..])).unwrap_or_default();
            let ctype = if ctype.starts_with("text/html") && body.trim_start().starts_with('{') {
                "application/json; charset=utf-8"
            } else {
                ctype
            };
            return Some((body, ctype));
        }
    }
    None
}

/// The literal lines a script logs with `console.log(…)` (`${PORT}` and the like become the
/// port).
fn js_logs(script: &str, port: u16) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = script[from..].find("console.log(") {
        let at = from + i + "console.log(".len();
        from = at;
        let expr = call_args(&script[at..]);
        let e = expr.trim();
        if !e.starts_with(['\'', '"', '`']) {
            continue;
        }
        let q = &e[..1];
        let Some(end) = e[1..].find(q) else {
            continue;
        };
        let mut line = e[1..=end].to_string();
        while let Some(s) = line.find("${") {
            let Some(j) = line[s..].find('}') else { break };
            line.replace_range(s..s + j + 1, &port.to_string());
        }
        out.push(line);
    }
    out
}

const WERKZEUG_405: &str = "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n";

const WERKZEUG_404: &str = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";

fn flask_app(
    script: &str,
    file: &str,
    port: Option<u16>,
    exposed: Option<u16>,
    cli_host: Option<&str>,
    (name, cli_debug): (Option<String>, Option<bool>),
) -> Option<Value> {
    if !script.contains("Flask(") {
        return None;
    }
    let run = script.find(".run(").map(|i| call_args(&script[i + 5..]));
    // `app.run(debug=True)` (ignored by `flask run`, which has its own flag).
    let debug = cli_debug.unwrap_or_else(|| {
        run.is_some_and(|r| {
            split_top(r, ',').iter().any(|a| {
                a.split_once('=')
                    .is_some_and(|(k, v)| k.trim() == "debug" && v.trim() == "True")
            })
        })
    });
    // `app.run()` and `flask run` listen on 127.0.0.1 unless told another host.
    let host = match cli_host {
        Some(h) => h.to_string(),
        None => run
            .and_then(|r| {
                let i = r.find("host")?;
                let v = r[i..].split(['\'', '"']).nth(1)?;
                Some(v.to_string())
            })
            .unwrap_or_else(|| "127.0.0.1".into()),
    };
    let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost" | "::1");
    let port = port
        .or_else(|| {
            let r = run?;
            let p = r.find("port")?;
            first_number(&r[p..])
        })
        .or(if run.is_some() { Some(5000) } else { exposed })
        .unwrap_or(5000);
    let lines: Vec<&str> = script.lines().collect();
    let mut py = Py {
        lines: &lines,
        redis: false,
        vars: Vec::new(),
        globals: 0,
        at: Frame::default(),
        depth: 0,
        clients: Vec::new(),
        calls: None,
        stack: Vec::new(),
        jvars: Vec::new(),
        debug,
    };
    // Module-level names (`HOST = socket.gethostname()`), then the redis client.
    for (i, l) in lines.iter().enumerate() {
        if !l.starts_with([' ', '\t']) {
            py.statement(i, l);
        }
    }
    py.globals = py.vars.len();
    let redis = py_redis(script, &py);
    py.redis = redis.is_some();
    if py.redis {
        py.clients = lines
            .iter()
            .filter(|l| !l.starts_with([' ', '\t']))
            .filter_map(|l| {
                let (name, e) = l.split_once('=')?;
                (is_ident(name.trim()) && (e.contains("Redis(") || e.contains("from_url(")))
                    .then(|| name.trim().to_string())
            })
            .collect();
    }
    let mut routes: Vec<Value> = Vec::new();
    let mut offset = 0;
    for (n, line) in lines.iter().enumerate() {
        let at_line = offset;
        offset += line.len() + 1;
        let t = line.trim_start();
        let Some(deco) = t.strip_prefix('@') else {
            continue;
        };
        let Some((_, call)) = deco.split_once('.') else {
            continue;
        };
        let Some((kind, _)) = call.split_once('(') else {
            continue;
        };
        let verb = match kind {
            "route" => None,
            "get" | "post" | "put" | "delete" | "patch" => Some(kind.to_ascii_uppercase()),
            _ => continue,
        };
        let at = at_line + (line.len() - t.len()) + 1 + deco.find('(').unwrap_or(0) + 1;
        let Some(args) = script.get(at..).map(call_args) else {
            continue;
        };
        let args_v = split_top(args, ',');
        let Some(path) = template_of(args_v[0], None) else {
            continue;
        };
        let methods: Vec<String> = match verb {
            Some(v) => vec![v],
            None => args_v
                .iter()
                .find_map(|a| {
                    let (k, v) = a.split_once('=')?;
                    (k.trim() == "methods").then_some(v.trim())
                })
                .and_then(|v| v.strip_prefix(['[', '(']))
                .map(|v| {
                    split_top(v.trim_end_matches([']', ')']), ',')
                        .into_iter()
                        .filter_map(|m| py_str(m).map(|x| x.0.to_ascii_uppercase()))
                        .collect()
                })
                .unwrap_or_else(|| vec!["GET".to_string()]),
        };
        // The function under the decorator, run; else its first `return`, read as a literal.
        let Some(r) = script[at..].find("return ") else {
            continue;
        };
        let expr = script[at + r + "return ".len()..]
            .lines()
            .next()
            .unwrap_or("");
        let calls = Rc::new(RefCell::new(Vec::new()));
        let mut view = py.clone();
        view.calls = Some(calls.clone());
        let (body, json, status, trace) = (n + 1..lines.len())
            .find(|&d| lines[d].trim_start().starts_with("def "))
            .and_then(|d| view.view(d))
            .unwrap_or_else(|| {
                let json =
                    expr.trim_start().starts_with("jsonify(") || expr.trim_start().starts_with('{');
                (
                    template_of(expr, None).unwrap_or_default(),
                    json,
                    200,
                    Vec::new(),
                )
            });
        let ctype = if json {
            "application/json"
        } else {
            "text/html; charset=utf-8"
        };
        let calls: Vec<Value> = calls
            .borrow()
            .iter()
            .map(|(cmd, trace)| json!({ "cmd": cmd, "trace": trace }))
            .collect();
        let seen = routes
            .iter()
            .any(|r| r["path"] == path && r["methods"] == json!(methods));
        if !seen {
            routes.push(json!({
                "path": path, "methods": methods, "status": status, "content_type": ctype,
                "body": body, "trace": trace, "redis": calls,
            }));
        }
    }
    let decode = script.contains("decode_responses=True");
    let counts = routes.iter().any(|r| {
        r["body"].as_str().is_some_and(|b| b.contains("{incr:"))
            || r["redis"].as_array().is_some_and(|c| !c.is_empty())
    });
    let mut head = Vec::new();
    if let Some(name) = &name {
        head.push(format!(" * Serving Flask app '{name}'"));
    }
    head.push(format!(
        " * Debug mode: {}",
        if debug { "on" } else { "off" }
    ));
    let mut banner = vec![
        "WARNING: This is a development server. Do not use it in a production deployment. Use a production WSGI server instead.".to_string(),
    ];
    if loopback {
        banner.push(format!(" * Running on http://127.0.0.1:{port}"));
    } else {
        banner.push(" * Running on all addresses (0.0.0.0)".to_string());
        banner.push(format!(" * Running on http://127.0.0.1:{port}"));
        banner.push(format!(" * Running on http://{{ip}}:{port}"));
    }
    banner.push("Press CTRL+C to quit".to_string());
    if debug {
        banner.push(" * Restarting with stat".to_string());
        banner.push(" * Debugger is active!".to_string());
        banner.push(" * Debugger PIN: {pin}".to_string());
    }
    let redis = redis
        .filter(|_| counts)
        .map(|(host, port)| json!({ "host": host, "port": port, "file": file, "decode": decode }));
    Some(json!({
        "redis": redis,
        "programs": ["python", "python3", "flask", "gunicorn"],
        "loopback": loopback,
        "startup_ms": 400,
        "ports": [port],
        // Python as PID 1 has no SIGTERM handler: the kernel drops the signal.
        "sigterm": { "ignore": true },
        "cpu_percent": 0.02,
        "memory_mb": 24.1,
        "logs": { "start": [ { "at": 390, "lines": head }, { "at": 390, "stderr": true, "lines": banner } ] },
        "http": {
            "routes": routes,
            "not_found": { "status": 404, "content_type": "text/html; charset=utf-8", "body": WERKZEUG_404 },
            "not_allowed": { "status": 405, "content_type": "text/html; charset=utf-8", "body": WERKZEUG_405 },
            "server": "Werkzeug/3.1.3 Python/{env:PYTHON_VERSION|3.12.7}",
            "access_log": "{client_ip} - - [{time:%d/%b/%Y %H:%M:%S}] \"{method} {path} HTTP/1.1\" {status} -",
            "access_log_stderr": true,
        },
    }))
}

/// A line of a Python traceback: line number, function, code.
type Frame = (u32, String, String);
/// A Python value as a catalog template, with the traceback frames of the redis call in it.
type Val = (String, Vec<Frame>);

/// A tiny Python evaluator for what a Flask view returns: string literals, f-strings,
/// `.format(…)`, `%`, `+` of strings and `str(…)`, local and module names, helper functions,
/// `socket.gethostname()`, `os.environ.get(…)`/`os.getenv(…)`, and redis `.incr('KEY')`
/// (the `{incr:KEY}` that `World::redis_counts` counts). Anything else is not understood.
#[derive(Clone)]
struct Py<'a> {
    lines: &'a [&'a str],
    /// The script makes a redis client.
    redis: bool,
    vars: Vec<(String, Val)>,
    /// How many of `vars` are the module's.
    globals: usize,
    /// The statement being run, as a traceback shows it.
    at: Frame,
    depth: u8,
    /// Names of the script's redis clients (`r = redis.Redis(…)`).
    clients: Vec<String>,
    /// The redis commands the view runs, in order (shared with the helpers it calls);
    /// `None` at module level, where none is recorded.
    calls: Option<Rc<RefCell<Vec<Call>>>>,
    /// The callers' frames of a helper being run.
    stack: Vec<Frame>,
    /// Names whose value is a JSON number, dict, list or redis reply.
    jvars: Vec<(String, J)>,
    /// `app.run(debug=True)`, `flask run --debug`: Flask's JSON is indented.
    debug: bool,
}

/// A redis command of a view and the frames of its traceback.
type Call = (Vec<String>, Vec<Frame>);

/// A value in Flask's JSON: a number, `true`/`false`/`null` or a redis reply's field
/// (`Raw`), a string (its text, a template), an object (sorted on output), an array.
#[derive(Clone, Debug)]
enum J {
    Raw(String),
    Str(String),
    Obj(Vec<(String, J)>),
    Arr(Vec<J>),
}

impl J {
    /// As Flask 3 writes it (`sort_keys`, `ensure_ascii`): compact, or with `indent=2`
    /// (`Some(level)`) in debug mode.
    fn write(&self, out: &mut String, indent: Option<usize>) {
        let nl = |out: &mut String, level: usize| {
            out.push('\n');
            out.push_str(&"  ".repeat(level));
        };
        match self {
            J::Raw(r) => out.push_str(r),
            J::Str(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c if (c as u32) < 0x20 || !c.is_ascii() => {
                            let mut buf = [0u16; 2];
                            for u in c.encode_utf16(&mut buf) {
                                out.push_str(&format!("\\u{u:04x}"));
                            }
                        }
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            J::Obj(items) if items.is_empty() => out.push_str("{}"),
            J::Arr(items) if items.is_empty() => out.push_str("[]"),
            J::Obj(items) => {
                let mut sorted: Vec<&(String, J)> = items.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                // A key given twice: the last value wins.
                sorted.reverse();
                sorted.dedup_by(|a, b| a.0 == b.0);
                sorted.reverse();
                out.push('{');
                for (n, (k, v)) in sorted.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    if let Some(l) = indent {
                        nl(out, l + 1);
                    }
                    J::Str(k.clone()).write(out, None);
                    out.push_str(if indent.is_some() { ": " } else { ":" });
                    v.write(out, indent.map(|l| l + 1));
                }
                if let Some(l) = indent {
                    nl(out, l);
                }
                out.push('}');
            }
            J::Arr(items) => {
                out.push('[');
                for (n, v) in items.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    if let Some(l) = indent {
                        nl(out, l + 1);
                    }
                    v.write(out, indent.map(|l| l + 1));
                }
                if let Some(l) = indent {
                    nl(out, l);
                }
                out.push(']');
            }
        }
    }
}

impl Py<'_> {
    /// Runs the function defined on line `def` (0-based) up to its first `return` (outside
    /// `if`/`else`/`except` blocks, which are not run, but for `if NAME is None:`/`if not
    /// NAME:` giving a redis reply a default): the state there, the return's line (0-based)
    /// and its expression.
    fn exec(mut self, def: usize) -> Option<(Self, usize, String, Vec<usize>)> {
        let head = self.lines.get(def)?;
        let indent = head.len() - head.trim_start().len();
        let name = head
            .trim_start()
            .strip_prefix("def ")?
            .split('(')
            .next()?
            .trim()
            .to_string();
        let body: Vec<usize> = (def + 1..self.lines.len())
            .take_while(|&i| {
                let l = self.lines[i];
                l.trim().is_empty() || l.len() - l.trim_start().len() > indent
            })
            .collect();
        // A block not run: its indentation, and the name an `is None` test gives a default.
        let mut skip: Option<(usize, Option<String>)> = None;
        for &i in &body {
            let l = self.lines[i];
            let t = l.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let ind = l.len() - t.len();
            if let Some((at, test)) = &skip {
                if ind > *at {
                    // `value = 0` under `if value is None:`: `value or 0`.
                    if let (Some(n), Some((lhs, rhs))) = (test, t.split_once('=')) {
                        if lhs.trim() == n && self.eval(rhs).is_some_and(|v| v.0 == "0") {
                            if let Some(v) = self.vars.iter_mut().rev().find(|v| v.0 == *n) {
                                v.1 .0 = v.1 .0.replace("|raw}", "|or0}");
                            }
                        }
                    }
                    continue;
                }
                skip = None;
            }
            self.at = (i as u32 + 1, name.clone(), t.to_string());
            if let Some(cond) = t.strip_prefix("if ").and_then(|c| c.strip_suffix(':')) {
                let c = cond.trim();
                let test = c
                    .strip_suffix(" is None")
                    .or_else(|| c.strip_prefix("not "))
                    .map(|n| n.trim().to_string())
                    .filter(|n| is_ident(n));
                skip = Some((ind, test));
                continue;
            }
            if ["elif ", "else:", "except", "finally:"]
                .iter()
                .any(|k| t.starts_with(k))
            {
                skip = Some((ind, None));
                continue;
            }
            if let Some(e) = t.strip_prefix("return ") {
                return Some((self, i, e.to_string(), body));
            }
            self.statement(i, t);
        }
        None
    }

    /// Runs the helper function defined on line `def` and gives what it returns.
    fn run(self, def: usize) -> Option<Val> {
        let (st, i, e, body) = self.exec(def)?;
        let name = st.at.1.clone();
        let (v, mut tr) = st.eval(&e)?;
        // `raise exc` of what an `except` caught: Python shows that line first.
        if tr.first().is_some_and(|f| f.0 == i as u32 + 1) {
            let raise = body.iter().find(|&&j| {
                j > i
                    && st.lines[j]
                        .trim()
                        .strip_prefix("raise ")
                        .is_some_and(is_ident)
            });
            if let Some(&j) = raise {
                let f = (j as u32 + 1, name, st.lines[j].trim().to_string());
                tr.insert(0, f);
            }
        }
        Some((v, tr))
    }

    /// What the view defined on line `def` answers: its body (Flask's JSON for a dict or
    /// `jsonify(…)`), whether it is JSON, its status (`return …, 201`) and the traceback
    /// frames of an `{incr:…}` in it.
    fn view(self, def: usize) -> Option<(String, bool, u16, Vec<Frame>)> {
        let (st, _, e, _) = self.exec(def)?;
        let parts = split_top(e.trim(), ',');
        let parts = match &parts[..] {
            [one] => match one
                .trim()
                .strip_prefix('(')
                .and_then(|x| x.strip_suffix(')'))
            {
                Some(inner) if split_top(inner, ',').len() > 1 => split_top(inner, ','),
                _ => parts,
            },
            _ => parts,
        };
        let status = match parts.get(1) {
            Some(p) => p.trim().parse().ok().filter(|s| (100..600).contains(s))?,
            None => 200,
        };
        let body = parts.first()?.trim();
        let json = body.starts_with("jsonify(")
            || body.starts_with('{')
            || body.starts_with("dict(")
            || st
                .jvars
                .iter()
                .rev()
                .find(|v| v.0 == body)
                .is_some_and(|v| matches!(v.1, J::Obj(_) | J::Arr(_)));
        if json {
            let (j, tr) = st.json(body)?;
            let mut out = String::new();
            j.write(&mut out, st.debug.then_some(0));
            out.push('\n');
            return Some((out, true, status, tr));
        }
        let (v, tr) = st.eval(body)?;
        Some((v, false, status, tr))
    }

    /// `NAME = EXPR`: remembers NAME when the value is understood; a redis call on its own
    /// (`r.set('counter', 0)`) runs.
    fn statement(&mut self, i: usize, line: &str) {
        if self.at.0 != i as u32 + 1 {
            self.at = (i as u32 + 1, "<module>".into(), line.trim().to_string());
        }
        if let Some((name, e)) = line.split_once('=') {
            let name = name.trim();
            if is_ident(name) && !e.starts_with('=') {
                self.vars.retain(|v| v.0 != name);
                self.jvars.retain(|v| v.0 != name);
                if let Some((j, _)) = self.json(e).filter(|j| !matches!(j.0, J::Str(_))) {
                    self.jvars.push((name.to_string(), j));
                }
                if let Some(v) = self.eval(e) {
                    self.vars.push((name.to_string(), v));
                }
                return;
            }
        }
        if self.redis_call(line.trim()).is_some() {
            let _ = self.eval(line);
        }
    }

    /// A JSON value as Flask's `jsonify` makes it: dicts, lists, `jsonify(…)`, numbers,
    /// `True`/`False`/`None`, a redis reply (`{rj:…}`), else a string.
    fn json(&self, e: &str) -> Option<(J, Vec<Frame>)> {
        let e = e.trim();
        if e.len() > 400 {
            return None;
        }
        let mut trace = Vec::new();
        let items = |inner: &str, trace: &mut Vec<Frame>| -> Option<Vec<J>> {
            let mut out = Vec::new();
            for a in split_top(inner, ',') {
                if a.trim().is_empty() {
                    continue;
                }
                let (j, t) = self.json(a)?;
                if trace.is_empty() {
                    *trace = t;
                }
                out.push(j);
            }
            Some(out)
        };
        let kwargs = |inner: &str, trace: &mut Vec<Frame>| -> Option<J> {
            let mut obj = Vec::new();
            for a in split_top(inner, ',') {
                if a.trim().is_empty() {
                    continue;
                }
                let (k, v) = a.split_once('=')?;
                if !is_ident(k.trim()) || v.starts_with('=') {
                    return None;
                }
                let (j, t) = self.json(v)?;
                if trace.is_empty() {
                    *trace = t;
                }
                obj.push((k.trim().to_string(), j));
            }
            Some(J::Obj(obj))
        };
        if let Some(inner) = e.strip_prefix("jsonify(").and_then(|x| x.strip_suffix(')')) {
            let args = split_top(inner, ',');
            let kw = args.iter().any(|a| {
                a.split_once('=')
                    .is_some_and(|(k, v)| is_ident(k.trim()) && !v.starts_with('='))
            });
            let j = if kw {
                kwargs(inner, &mut trace)?
            } else if args.len() == 1 {
                let (j, t) = self.json(args[0])?;
                trace = t;
                j
            } else {
                J::Arr(items(inner, &mut trace)?)
            };
            return Some((j, trace));
        }
        if let Some(inner) = e.strip_prefix("dict(").and_then(|x| x.strip_suffix(')')) {
            return Some((kwargs(inner, &mut trace)?, trace));
        }
        if let Some(inner) = e.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
            let mut obj = Vec::new();
            for a in split_top(inner, ',') {
                if a.trim().is_empty() {
                    continue;
                }
                let [k, v] = split_top(a, ':')[..] else {
                    return None;
                };
                let (k, kt) = self.eval(k)?;
                let (j, t) = self.json(v)?;
                if trace.is_empty() {
                    trace = if t.is_empty() { kt } else { t };
                }
                obj.push((k, j));
            }
            return Some((J::Obj(obj), trace));
        }
        if let Some(inner) = e.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
            return Some((J::Arr(items(inner, &mut trace)?), trace));
        }
        let raw = |s: &str| Some((J::Raw(s.to_string()), Vec::new()));
        match e {
            "True" => return raw("true"),
            "False" => return raw("false"),
            "None" => return raw("null"),
            _ => {}
        }
        let digits = e.strip_prefix('-').unwrap_or(e);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return raw(&e.parse::<i64>().ok()?.to_string());
        }
        if let Some((_, j)) = self.jvars.iter().rev().find(|v| v.0 == e) {
            return Some((j.clone(), Vec::new()));
        }
        let (v, t) = self.eval(e)?;
        let single =
            v.starts_with('{') && v.ends_with('}') && v[1..].find('}') == Some(v.len() - 2);
        if single && v.starts_with("{incr:") {
            return Some((J::Raw(v), t));
        }
        if let Some(f) = v.strip_prefix("{r:").filter(|_| single) {
            return Some((J::Raw(format!("{{rj:{f}")), t));
        }
        if !v.is_empty()
            && v.bytes().all(|b| b.is_ascii_digit())
            && (e.starts_with("int(") || e.starts_with("len("))
        {
            return Some((J::Raw(v), t));
        }
        Some((J::Str(v), t))
    }

    /// `CLIENT.METHOD(ARGS)` of the script's redis client: the method and its arguments.
    fn redis_call<'e>(&self, e: &'e str) -> Option<(&'e str, Vec<&'e str>)> {
        let (client, rest) = e.split_once('.')?;
        if !self.clients.iter().any(|c| c == client.trim()) {
            return None;
        }
        let (method, args) = rest.split_once('(')?;
        let inner = call_args(args);
        if args.len() != inner.len() + 1 || !is_ident(method) {
            return None;
        }
        Some((
            method,
            split_top(inner, ',')
                .into_iter()
                .filter(|a| !a.trim().is_empty())
                .collect(),
        ))
    }

    fn eval(&self, e: &str) -> Option<Val> {
        // Long text is not what labs return (and bounds the recursion).
        if e.len() > 400 {
            return None;
        }
        let parts = split_top(e, '+');
        let mut out = (String::new(), Vec::new());
        for p in &parts {
            let p = p.trim();
            // `+` joins strings only (numbers would add).
            let text = ["str(", "os.", "socket."].iter().any(|s| p.starts_with(s));
            if parts.len() > 1 && !text && py_str(p).is_none() {
                return None;
            }
            let (s, t) = self.term(p)?;
            out.0.push_str(&s);
            if out.1.is_empty() {
                out.1 = t;
            }
        }
        Some(out)
    }

    fn term(&self, e: &str) -> Option<Val> {
        let e = e.trim();
        if let [fmt, args] = split_top(e, '%')[..] {
            let (text, false, "") = py_str(fmt).map(|(t, f, r)| (t, f, r.trim()))? else {
                return None;
            };
            let args = args.trim();
            let args = match args.strip_prefix('(').and_then(|a| a.strip_suffix(')')) {
                Some(inner) => split_top(inner, ','),
                None => vec![args],
            };
            let mut args = args.into_iter().filter(|a| !a.trim().is_empty());
            let mut out: Val = (String::new(), Vec::new());
            let mut chars = text.chars();
            while let Some(c) = chars.next() {
                if c != '%' {
                    out.0.push(c);
                    continue;
                }
                match chars.next()? {
                    '%' => out.0.push('%'),
                    's' | 'd' | 'i' => {
                        let (v, t) = self.eval(args.next()?)?;
                        out.0.push_str(&v);
                        if out.1.is_empty() {
                            out.1 = t;
                        }
                    }
                    _ => return None,
                }
            }
            return args.next().is_none().then_some(out);
        }
        if let Some((text, f, rest)) = py_str(e) {
            let rest = rest.trim();
            if rest.is_empty() {
                return if f {
                    fill(&text, |x| {
                        self.eval(split_top(split_top(x, '!')[0], ':')[0])
                    })
                } else {
                    Some((text, Vec::new()))
                };
            }
            let args = rest.strip_prefix(".format(")?.strip_suffix(')')?;
            let mut pos = Vec::new();
            let mut kw = Vec::new();
            for a in split_top(args, ',') {
                match a.split_once('=') {
                    Some((k, v)) if is_ident(k.trim()) && !v.starts_with('=') => {
                        kw.push((k.trim(), self.eval(v)?))
                    }
                    _ if a.trim().is_empty() => {}
                    _ => pos.push(self.eval(a)?),
                }
            }
            let mut next = 0;
            return (!f).then(|| {
                fill(&text, |x| {
                    let x = split_top(split_top(x, '!')[0], ':')[0].trim();
                    let v = if x.is_empty() {
                        next += 1;
                        pos.get(next - 1)
                    } else if let Ok(i) = x.parse::<usize>() {
                        pos.get(i)
                    } else {
                        kw.iter().find(|k| k.0 == x).map(|k| &k.1)
                    };
                    v.cloned()
                })
            })?;
        }
        // `A if C else B`, `A or B`.
        if let [a, rest] = split_word(e, " if ")[..] {
            if let [c, b] = split_word(rest, " else ")[..] {
                let (c, _) = self.eval(c)?;
                let (a, t) = self.eval(a)?;
                let b = self.eval(b)?.0;
                // `int(v) if v else 0`: a redis reply or 0.
                return match (a.strip_suffix("|raw}"), a.strip_suffix("|int}")) {
                    (Some(x), _) if b == "0" && c == a => Some((format!("{x}|or0}}"), t)),
                    (_, Some(x)) if b == "0" && c == format!("{x}|raw}}") => {
                        Some((format!("{x}|int0}}"), t))
                    }
                    _ => None,
                };
            }
            return None;
        }
        if let [a, b] = split_word(e, " or ")[..] {
            let (a, t) = self.eval(a)?;
            return match (a.strip_suffix("|raw}"), self.eval(b)?.0.as_str()) {
                (Some(x), "0") => Some((format!("{x}|or0}}"), t)),
                _ => None,
            };
        }
        for f in ["str(", "int("] {
            if let Some(inner) = e.strip_prefix(f).and_then(|r| r.strip_suffix(')')) {
                let (v, t) = self.eval(inner)?;
                let single = v.starts_with("{r:") && v[1..].find('}') == Some(v.len() - 2);
                let conv = match (f, v.rsplit_once('|')) {
                    ("int(", Some((x, "raw}"))) if single => format!("{x}|int}}"),
                    ("int(", Some((x, "or0}"))) if single => format!("{x}|int0}}"),
                    ("str(", Some((x, _))) if single => format!("{x}|str}}"),
                    _ => v,
                };
                return Some((conv, t));
            }
        }
        if let Some(inner) = e.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            return self.eval(inner);
        }
        let lit = |s: &str| Some((s.to_string(), Vec::new()));
        if e.ends_with("gethostname()") || e == "platform.node()" {
            return lit("{hostname}");
        }
        if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) {
            return lit(e);
        }
        for f in ["environ.get(", "getenv(", "environ["] {
            if let Some(args) = e
                .find(f)
                .and_then(|i| e[i + f.len()..].strip_suffix([')', ']']))
            {
                let args = split_top(args, ',');
                let (name, _, _) = py_str(args[0])?;
                let default = match args.get(1) {
                    Some(d) => self.term(d)?.0,
                    None => "None".into(),
                };
                return lit(&format!("{{env:{name}|{default}}}"));
            }
        }
        if let Some((method, args)) = self.redis_call(e) {
            let word = |a: &str| -> Option<String> {
                let v = self.eval(a)?.0;
                (!v.contains('{')).then_some(v)
            };
            let key = word(args.first()?)?;
            let cmd: Vec<String> = match (method, &args[..]) {
                ("incr", [_]) => return Some((format!("{{incr:{key}}}"), vec![self.at.clone()])),
                ("incr" | "incrby", [_, n]) => vec!["INCRBY".into(), key, word(n)?],
                ("decr", [_]) => vec!["DECR".into(), key],
                ("decr" | "decrby", [_, n]) => vec!["DECRBY".into(), key, word(n)?],
                ("get", [_]) => vec!["GET".into(), key],
                ("set", [_, v]) => vec!["SET".into(), key, word(v)?],
                ("delete", [_]) => vec!["DEL".into(), key],
                ("exists", [_]) => vec!["EXISTS".into(), key],
                _ => return None,
            };
            let calls = self.calls.as_ref()?;
            let mut tr = self.stack.clone();
            tr.push(self.at.clone());
            let mut calls = calls.borrow_mut();
            let i = match calls.iter().position(|c| c.0 == cmd && c.1 == tr) {
                Some(i) => i,
                None => {
                    calls.push((cmd, tr));
                    calls.len() - 1
                }
            };
            return Some((format!("{{r:{i}|raw}}"), Vec::new()));
        }
        if let Some((_, v)) = self.vars.iter().rev().find(|(n, _)| n == e) {
            return Some(v.clone());
        }
        let name = e.strip_suffix("()").filter(|n| is_ident(n))?;
        let def = self.lines.iter().position(|l| {
            l.trim_start()
                .strip_prefix("def ")
                .and_then(|d| d.strip_prefix(name))
                .is_some_and(|d| d.trim_start().starts_with('('))
        })?;
        if self.depth > 2 {
            return None;
        }
        let mut f = self.clone();
        f.depth += 1;
        f.stack.push(self.at.clone());
        // The helper sees module names only.
        f.vars.truncate(self.globals);
        f.jvars.clear();
        let (v, t) = f.run(def)?;
        let mut tr = Vec::new();
        if v.contains("{incr:") {
            tr.push(self.at.clone());
            tr.extend(t);
        }
        Some((v, tr))
    }
}

/// `text` with its `{…}` fields replaced by `field(inner)` (`{{`, `}}`: braces).
fn fill(text: &str, mut field: impl FnMut(&str) -> Option<Val>) -> Option<Val> {
    let mut out: Val = (String::new(), Vec::new());
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.0.push_str(&rest[..i]);
        let c = &rest[i..i + 1];
        if rest[i + 1..].starts_with(c) {
            out.0.push_str(c);
            rest = &rest[i + 2..];
            continue;
        }
        let j = i + rest[i..].find('}').filter(|_| c == "{")?;
        let (v, t) = field(&rest[i + 1..j])?;
        out.0.push_str(&v);
        if out.1.is_empty() {
            out.1 = t;
        }
        rest = &rest[j + 1..];
    }
    out.0.push_str(rest);
    Some(out)
}

/// The characters of `s` outside quotes and brackets, with their byte offsets (where
/// Python source may be split into its parts).
fn top_level(s: &str) -> Vec<(usize, char)> {
    let (mut depth, mut quote) = (0i32, None);
    let mut out = Vec::new();
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, c) if depth == 0 => out.push((i, c)),
            _ => {}
        }
    }
    out
}

/// `s` split at the first `word` (` or `, ` if `) outside quotes and brackets.
fn split_word<'s>(s: &'s str, word: &str) -> Vec<&'s str> {
    match top_level(s)
        .into_iter()
        .find(|(i, _)| s[*i..].starts_with(word))
    {
        Some((i, _)) => vec![&s[..i], &s[i + word.len()..]],
        None => vec![s],
    }
}

/// `s` split at `sep` outside quotes and brackets.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in top_level(s) {
        if c == sep {
            out.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&s[start..]);
    out
}

fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// A Python string literal at the start of `s` (`'…'`, `"…"`, maybe `r`, `u` or `f`
/// before): its text, whether it is an f-string, and what follows it.
fn py_str(s: &str) -> Option<(String, bool, &str)> {
    let s = s.trim_start();
    let open = s.find(['\'', '"'])?;
    let prefix = s[..open].to_ascii_lowercase();
    if !matches!(prefix.as_str(), "" | "r" | "u" | "f" | "rf" | "fr") {
        return None;
    }
    let q = &s[open..=open];
    let mut out = String::new();
    let mut chars = s[open + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        if s[open + 1 + i..].starts_with(q) {
            return Some((out, prefix.contains('f'), &s[open + 2 + i..]));
        }
        match c {
            '\\' if !prefix.contains('r') => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                c @ ('\\' | '\'' | '"') => out.push(c),
                c => {
                    out.push('\\');
                    out.push(c);
                }
            },
            c => out.push(c),
        }
    }
    None
}

/// The redis server a script's client talks to (`redis.Redis(host=…, port=…)`,
/// `Redis.from_url('redis://…')`), as templates; `None` without one.
fn py_redis(script: &str, py: &Py) -> Option<(String, String)> {
    let (mut host, mut port) = ("localhost".to_string(), "6379".to_string());
    if let Some(i) = script.find("from_url(") {
        let url = py.eval(split_top(call_args(&script[i + 9..]), ',')[0])?.0;
        let hp = url.strip_prefix("redis://")?.split('/').next()?;
        let hp = hp.rsplit_once('@').map_or(hp, |x| x.1);
        match hp.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => {
                (host, port) = (h.to_string(), p.to_string())
            }
            _ => host = hp.to_string(),
        }
        return Some((host, port));
    }
    let i = script.find("Redis(")?;
    for (n, a) in split_top(call_args(&script[i + 6..]), ',')
        .into_iter()
        .enumerate()
    {
        let (k, v) = match a.split_once('=') {
            Some((k, v)) if is_ident(k.trim()) => (k.trim(), v),
            _ => (["host", "port"].get(n).copied().unwrap_or(""), a),
        };
        match k {
            "host" => host = py.eval(v)?.0,
            "port" => port = py.eval(v)?.0,
            _ => {}
        }
    }
    Some((host, port))
}

/// An image running `cmd` in `/app` with `files` there.
#[cfg(test)]
fn image_with(cmd: &[&str], files: &[(&str, &str)]) -> Image {
    let mut img = Image::built_from(None, "app", "latest", "sha256:00", 0, 0);
    img.workdir = "/app".into();
    img.cmd = cmd.iter().map(|s| s.to_string()).collect();
    img.files = std::sync::Arc::new(
        files
            .iter()
            .map(|(p, d)| swarm_core::catalog::ImageFile {
                path: format!("/app/{p}"),
                data: d.as_bytes().to_vec(),
                mode: 0o644,
            })
            .collect(),
    );
    img
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn express_app_port_routes_and_logs() {
        let js = "const express = require('express');\nconst os = require('os');\nconst app = express();\nconst PORT = process.env.PORT || 3000;\napp.get('/', (req, res) => res.send(`Hello from ${os.hostname()}`));\napp.get('/ip', (req, res) => { res.json({ ip: 'x' }) });\napp.listen(PORT, () => console.log(`listening on ${PORT}`));\n";
        let b = infer(&image_with(&["node", "server.js"], &[("server.js", js)])).expect("an app");
        assert_eq!(b["ports"], json!([3000]));
        assert_eq!(b["http"]["routes"][0]["path"], "/");
        assert_eq!(b["http"]["routes"][0]["body"], "Hello from {hostname}");
        assert_eq!(b["logs"]["start"][0]["lines"], json!(["listening on 3000"]));
        let mut img = image_with(&["node", "server.js"], &[("server.js", js)]);
        assert!(img.set_behaviour(b).is_ok());
        assert!(img.has_behaviour());
    }

    #[test]
    fn flask_app_and_non_servers() {
        let py = "from flask import Flask\nimport socket\napp = Flask(__name__)\n\n@app.route('/')\ndef hello():\n    return f'Hi from {socket.gethostname()}'\n\nif __name__ == '__main__':\n    app.run(host='0.0.0.0', port=8000)\n";
        let b = infer(&image_with(&["python", "app.py"], &[("app.py", py)])).expect("an app");
        assert_eq!(b["ports"], json!([8000]));
        assert_eq!(b["http"]["routes"][0]["body"], "Hi from {hostname}");
        // `python -m flask run` is `flask run` (its port flag, the app module).
        let m = &[
            "python",
            "-m",
            "flask",
            "run",
            "--host=0.0.0.0",
            "--port=5001",
        ];
        let b = infer(&image_with(m, &[("app.py", py)])).expect("an app");
        assert_eq!(b["ports"], json!([5001]));
        // A script that serves nothing, a missing script, another command: generic.
        assert!(infer(&image_with(
            &["python", "job.py"],
            &[("job.py", "print(1)\n")]
        ))
        .is_none());
        assert!(infer(&image_with(&["node", "x.js"], &[])).is_none());
        assert!(infer(&image_with(&["sleep", "9"], &[])).is_none());
        // Unbalanced text does not panic.
        assert!(infer(&image_with(&["node", "a.js"], &[("a.js", "app.listen(")])).is_some());
        assert!(infer(&image_with(
            &["node", "a.js"],
            &[("a.js", "x.get('/', res.send(`${")]
        ))
        .is_none());
    }

    #[test]
    fn flask_routes_are_evaluated() {
        let py = "import os, socket, time\nimport redis\nfrom flask import Flask\napp = Flask(__name__)\ncache = redis.Redis(host=os.environ.get('REDIS_HOST', 'redis'), port=6379)\nNAME = 'web'\n\ndef get_hit_count():\n    retries = 5\n    while True:\n        try:\n            return cache.incr('hits')\n        except redis.exceptions.ConnectionError as exc:\n            if retries == 0:\n                raise exc\n            retries -= 1\n            time.sleep(0.5)\n\n@app.route('/')\ndef hello():\n    count = get_hit_count()\n    return 'Hello World! I have been seen {} times.\\n'.format(count)\n\n@app.route('/f')\ndef f():\n    return f\"{NAME}: {cache.incr('f')} on {socket.gethostname()}\"\n\n@app.route('/p')\ndef p():\n    return 'P %d %s 100%%' % (get_hit_count(), os.getenv('MODE', 'dev'))\n\n@app.route('/s')\ndef s():\n    return 'S ' + str(get_hit_count()) + '!'\n\n@app.route('/k')\ndef k():\n    return '{n}-{0}'.format(1, n=NAME)\n\n@app.route('/x')\ndef x():\n    return 'Odd {} '.format(unknown())\n\n@app.route('/n')\ndef n():\n    return 'N ' + 1\n\n@app.route('/e')\ndef e():\n    return os.environ['X'] + '.'\n";
        let b = infer(&image_with(&["flask", "run"], &[("app.py", py)])).expect("an app");
        let r = &b["http"]["routes"];
        let bodies: Vec<&str> = (0..7)
            .map(|i| r[i]["body"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(
            bodies,
            [
                "Hello World! I have been seen {incr:hits} times.\n",
                "web: {incr:f} on {hostname}",
                "P {incr:hits} {env:MODE|dev} 100%",
                "S {incr:hits}!",
                "web-1",
                // Not understood: the literal, as before.
                "Odd {} ",
                "N ",
            ]
        );
        assert_eq!(r[7]["body"], "{env:X|None}.");
        assert_eq!(
            b["redis"],
            json!({ "host": "{env:REDIS_HOST|redis}", "port": "6379", "file": "/app/app.py", "decode": false })
        );
        assert_eq!(
            r[0]["trace"],
            json!([
                [21, "hello", "count = get_hit_count()"],
                [15, "get_hit_count", "raise exc"],
                [12, "get_hit_count", "return cache.incr('hits')"]
            ])
        );
        assert_eq!(
            r[1]["trace"],
            json!([[
                26,
                "f",
                "return f\"{NAME}: {cache.incr('f')} on {socket.gethostname()}\""
            ]])
        );
        let mut img = image_with(&["flask", "run"], &[("app.py", py)]);
        assert!(img.set_behaviour(b).is_ok());
        let p =
            swarm_core::catalog::Program::new(Some(&img), None, &[], &["REDIS_HOST=cache".into()]);
        let u = p.redis_use("GET", "/").expect("counts in redis");
        assert_eq!((u.host.as_str(), u.port, u.trace.len()), ("cache", 6379, 3));
        // Without a redis client `.incr` is not understood, and nothing counts.
        let plain = py.replace("redis.Redis(", "other(");
        let b = infer(&image_with(&["flask", "run"], &[("app.py", &plain)])).expect("an app");
        assert!(b["redis"].is_null());
        assert_eq!(
            b["http"]["routes"][0]["body"],
            "Hello World! I have been seen {} times.\n"
        );
        // `from_url`.
        let url = "from flask import Flask\nimport redis\napp = Flask(__name__)\nr = redis.Redis.from_url('redis://db:6380/0')\n@app.route('/')\ndef i():\n    return f'{r.incr(\"n\")}'\n";
        let b = infer(&image_with(&["python", "app.py"], &[("app.py", url)])).expect("an app");
        assert_eq!(
            (&b["redis"]["host"], &b["redis"]["port"]),
            (&json!("db"), &json!("6380"))
        );
    }

    #[test]
    fn flask_json_views_methods_and_redis_calls() {
        let py = "import os\nimport redis\nfrom flask import Flask, jsonify\napp = Flask(__name__)\nr = redis.Redis(host=os.getenv('REDIS_HOST', 'localhost'), decode_responses=True)\n\n@app.route('/api/counter', methods=['GET'])\ndef get_counter():\n    value = r.get('counter')\n    if value is None:\n        value = 0\n    return jsonify(count=int(value))\n\n@app.route('/api/counter/increment', methods=['POST'])\ndef inc():\n    return jsonify({'z': [1, True, None], 'count': r.incrby('counter', 2)}), 201\n\n@app.post('/api/counter/reset')\ndef reset():\n    r.set('counter', 0)\n    return {'count': int(r.get('counter') or 0), 'msg': 'ё'}\n\nif __name__ == '__main__':\n    app.run(host='0.0.0.0', port=8000, debug=True)\n";
        let b = infer(&image_with(&["python", "app.py"], &[("app.py", py)])).expect("an app");
        let r = &b["http"]["routes"];
        assert_eq!(r[0]["methods"], json!(["GET"]));
        assert_eq!(r[0]["redis"][0]["cmd"], json!(["GET", "counter"]));
        assert_eq!(r[0]["body"], "{\n  \"count\": {rj:0|int0}\n}\n");
        assert_eq!(r[0]["content_type"], "application/json");
        assert_eq!(r[1]["status"], 201);
        assert_eq!(r[1]["redis"][0]["cmd"], json!(["INCRBY", "counter", "2"]));
        assert_eq!(
            r[1]["body"],
            "{\n  \"count\": {rj:0|raw},\n  \"z\": [\n    1,\n    true,\n    null\n  ]\n}\n"
        );
        assert_eq!(r[2]["methods"], json!(["POST"]));
        assert_eq!(r[2]["redis"][0]["cmd"], json!(["SET", "counter", "0"]));
        assert_eq!(r[2]["redis"][1]["cmd"], json!(["GET", "counter"]));
        assert_eq!(r[2]["redis"][0]["trace"][0][0], 20);
        assert!(r[2]["body"].as_str().unwrap().contains("{rj:1|int0}"));
        assert!(r[2]["body"].as_str().unwrap().contains("\\u0451"));
        assert_eq!(b["redis"]["decode"], true);
        let lines = b["logs"]["start"][1]["lines"].to_string();
        assert!(lines.contains("Debugger PIN: {pin}"));
        // Without debug=True: compact JSON, no debugger.
        let plain = py.replace(", debug=True", "");
        let b = infer(&image_with(&["python", "app.py"], &[("app.py", &plain)])).expect("an app");
        assert_eq!(b["http"]["routes"][0]["body"], "{\"count\":{rj:0|int0}}\n");
        assert!(!b["logs"]["start"][1]["lines"].to_string().contains("PIN"));
        let mut img = image_with(&["flask", "--app", "app", "run"], &[("app.py", py)]);
        let b = infer(&img).expect("flask --app app run");
        assert_eq!(b["ports"], json!([5000]));
        assert!(img.set_behaviour(b).is_ok());
    }

    #[test]
    fn express_counts_in_redis() {
        let js = "const express = require('express');\nconst { createClient } = require('redis');\nconst client = createClient({ url: 'redis://cache:6379' });\nconst app = express();\napp.get('/', async (req, res) => {\n  const visits = await client.incr('visits');\n  res.send(`Visits: ${visits}`);\n});\napp.get('/d', async (req, res) => res.send(`D ${await client.incr('d')}`));\napp.listen(3000);\n";
        let b = infer(&image_with(&["node", "server.js"], &[("server.js", js)])).expect("an app");
        assert_eq!(b["http"]["routes"][0]["body"], "Visits: {incr:visits}");
        assert_eq!(b["http"]["routes"][1]["body"], "D {incr:d}");
        assert_eq!(b["redis"], json!({ "host": "cache", "port": "6379" }));
        let plain = js.replace("createClient(", "other(");
        let b = infer(&image_with(
            &["node", "server.js"],
            &[("server.js", &plain)],
        ))
        .expect("an app");
        assert_eq!(b["http"]["routes"][0]["body"], "Visits: ");
        assert!(b["redis"].is_null());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Any script text, in any app command: inference never panics, and what it makes
        /// is a behaviour the catalog accepts.
        #[test]
        fn any_script_never_panics(
            text in "(listen\\(|\\.get\\(|res\\.send\\(|console\\.log\\(|Flask\\(|\\.route\\(|return |\\.run\\(|port=|def |Redis\\(|from_url\\(|createClient\\(|\\.incr\\(|\\.format\\(|str\\(|environ\\.get\\(|redis://|raise e|[`'\"(){}$%+=:!,/0-9a-zé ]|\\\\|\n){0,80}",
            kind in 0usize..3,
        ) {
            let cmd: &[&str] = match kind {
                0 => &["node", "s.js"],
                1 => &["python", "s.js"],
                _ => &["flask", "run"],
            };
            let mut img = image_with(cmd, &[("s.js", &text), ("app.py", &text)]);
            if let Some(spec) = infer(&img) {
                proptest::prop_assert!(img.set_behaviour(spec).is_ok());
            }
        }
    }
}
