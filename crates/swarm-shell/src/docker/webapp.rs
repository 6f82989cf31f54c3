//! What `docker build` makes of a small web app it copied in (`node server.js`, `python
//! app.py` with Flask, `npm start`): the playground runs no JavaScript or Python, so it reads
//! the script for what such labs' apps do: the port they listen on, the text a route answers,
//! and the lines they log at start. The result is a catalog behaviour
//! ([`Image::set_behaviour`]), so the image serves and logs like the catalog's apps, wherever
//! it is pushed and run. A script that is not a web server, or a command that is neither,
//! leaves the image generic.
//!
//! A Flask app's routes name their view function and the behaviour carries the script:
//! `swarm_core::pyeval` runs the view at request time (the request's method, arguments, form
//! and JSON, redis-py on the simulated network, the module's globals kept by the container's
//! process), so branches, counters and exceptions behave as CPython and Flask 3 would; an
//! exception is Flask's 500 page and traceback. `methods=[…]`/`@app.post` make werkzeug's
//! 405; debug mode (`app.run(debug=True)`, `flask --debug run`, `FLASK_DEBUG`) indents the
//! JSON and prints the debugger's banner. An Express handler's template literal may name
//! `await client.incr('KEY')` or a `const` set from it (node-redis `createClient`, ioredis):
//! `{incr:KEY}`, which `World::redis_counts` turns into `INCR KEY` in that redis server.

use serde_json::{json, Value};
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
    // `python app.py` runs the module as `__main__`; `flask run` imports it.
    let main = cli_debug.is_none();
    let lines: Vec<&str> = script.lines().collect();
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
        let Some((path, false, _)) = py_str(args_v[0]) else {
            continue;
        };
        if !path.starts_with('/') {
            continue;
        }
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
        // The function under the decorators, which the view runs (`crate::pyeval`).
        let Some(view) = lines[n + 1..]
            .iter()
            .map(|l| l.trim_start())
            .find(|l| !l.starts_with('@') && !l.is_empty() && !l.starts_with('#'))
            .and_then(|l| l.strip_prefix("def "))
            .and_then(|d| d.split('(').next())
            .map(|d| d.trim().to_string())
            .filter(|d| is_ident(d))
        else {
            continue;
        };
        let seen = routes
            .iter()
            .any(|r| r["path"] == path && r["methods"] == json!(methods));
        if !seen {
            routes.push(json!({
                "path": path, "methods": methods, "content_type": "text/html; charset=utf-8",
                "view": view,
            }));
        }
    }
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
    let module = name
        .as_deref()
        .unwrap_or("app")
        .split(':')
        .next()
        .unwrap_or("app")
        .trim_end_matches(".py")
        .replace('/', ".");
    Some(json!({
        "python": { "file": file, "source": script, "main": main, "debug": debug, "module": module },
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
        assert_eq!(b["http"]["routes"][0]["view"], "hello");
        assert_eq!(b["python"]["main"], true);
        assert_eq!(b["python"]["file"], "/app/app.py");
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
    fn flask_routes_name_their_views() {
        let py = "import redis\nfrom flask import Flask, jsonify\napp = Flask(__name__)\nr = redis.Redis(host='redis', decode_responses=True)\n\n@app.route('/api/counter', methods=['GET'])\ndef get_counter():\n    return jsonify(count=int(r.get('c') or 0))\n\n@app.route('/a')\n@app.route('/b/<int:n>', methods=('POST', 'get'))\n# a comment\ndef ab(n=0):\n    return str(n)\n\n@app.post('/reset')\ndef reset():\n    return {}\n\n@app.route(PATH)\ndef dynamic():\n    return ''\n\nif __name__ == '__main__':\n    app.run(host='0.0.0.0', port=8000, debug=True)\n";
        let b = infer(&image_with(&["python", "app.py"], &[("app.py", py)])).expect("an app");
        let r = &b["http"]["routes"];
        let got: Vec<(String, Value, String)> = (0..r.as_array().map_or(0, Vec::len))
            .map(|i| {
                (
                    r[i]["path"].as_str().unwrap_or("").to_string(),
                    r[i]["methods"].clone(),
                    r[i]["view"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("/api/counter".into(), json!(["GET"]), "get_counter".into()),
                ("/a".into(), json!(["GET"]), "ab".into()),
                ("/b/<int:n>".into(), json!(["POST", "GET"]), "ab".into()),
                ("/reset".into(), json!(["POST"]), "reset".into()),
            ]
        );
        assert_eq!(b["python"]["source"], py);
        assert_eq!(b["python"]["debug"], true);
        assert!(b["redis"].is_null());
        let mut img = image_with(&["python", "app.py"], &[("app.py", py)]);
        assert!(img.set_behaviour(b).is_ok());
        // `flask --app app run`: imported as `app`, not run as `__main__`.
        let b = infer(&image_with(
            &["flask", "--app", "app", "run"],
            &[("app.py", py)],
        ))
        .expect("flask --app app run");
        assert_eq!(
            (
                &b["python"]["main"],
                &b["python"]["module"],
                &b["python"]["debug"]
            ),
            (&json!(false), &json!("app"), &json!(false))
        );
        assert_eq!(b["ports"], json!([5000]));
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
