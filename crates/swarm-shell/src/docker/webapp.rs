//! What `docker build` makes of a small web app it copied in (`node server.js`, `python
//! app.py` with Flask, `npm start`): the playground runs no JavaScript or Python, so it reads
//! the script for what such labs' apps do: the port they listen on, the literal text (or the
//! host name, or the container's address) a route answers, and the lines they log at start.
//! The result is a catalog behaviour ([`Image::set_behaviour`]), so the image serves and logs
//! like the catalog's apps, wherever it is pushed and run. A script that is not a web server,
//! or a command that is neither, leaves the image generic.

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
    let files = image.layer_files();
    let workdir = if image.workdir.is_empty() {
        "/"
    } else {
        image.workdir.as_str()
    };
    let read = |name: &str| -> Option<String> {
        let path = swarm_core::fs::normalize(&swarm_core::fs::join(workdir, name));
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
            flask_app(&read(script)?, None, exposed, None)
        }
        "flask" if argv.get(1).is_some_and(|a| a == "run") => {
            let app = image
                .env
                .iter()
                .find_map(|e| e.strip_prefix("FLASK_APP="))
                .unwrap_or("app.py");
            let app = if app.ends_with(".py") {
                app.to_string()
            } else {
                format!("{app}.py")
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
            flask_app(&read(&app)?, Some(port), exposed, Some(host))
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
fn template_of(expr: &str) -> Option<String> {
    let e = expr.trim();
    let value_of = |inner: &str| -> String {
        let i = inner.trim();
        if i.contains("hostname") {
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
    let mut routes = Vec::new();
    for method in [".get(", ".use(", ".all("] {
        let mut from = 0;
        while let Some(i) = script[from..].find(method) {
            let at = from + i + method.len();
            from = at;
            let args = call_args(&script[at..]);
            let Some(path) = template_of(args.split(',').next().unwrap_or("")) else {
                continue;
            };
            if !path.starts_with('/') || routes.iter().any(|(p, _, _): &(String, _, _)| *p == path)
            {
                continue;
            }
            if let Some((body, ctype)) = reply_of_js(args) {
                routes.push((path, body, ctype));
            }
        }
    }
    let server = script.contains("createServer(");
    if routes.is_empty() && server {
        if let Some(i) = script.find("createServer(") {
            let handler = call_args(&script[i + "createServer(".len()..]);
            if let Some((body, ctype)) = reply_of_js(handler) {
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

/// The reply a JavaScript handler sends: `res.send(…)`, `res.json(…)`, `res.end(…)`.
fn reply_of_js(handler: &str) -> Option<(String, &'static str)> {
    for (call, ctype) in [
        ("res.send(", "text/html; charset=utf-8"),
        ("res.json(", "application/json; charset=utf-8"),
        ("res.end(", "text/plain"),
        ("res.write(", "text/plain"),
    ] {
        if let Some(i) = handler.find(call) {
            let expr = call_args(&handler[i + call.len()..]);
            let body = template_of(expr).unwrap_or_default();
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

const WERKZEUG_404: &str = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";

fn flask_app(
    script: &str,
    port: Option<u16>,
    exposed: Option<u16>,
    cli_host: Option<&str>,
) -> Option<Value> {
    if !script.contains("Flask(") {
        return None;
    }
    let run = script.find(".run(").map(|i| call_args(&script[i + 5..]));
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
    let mut routes = Vec::new();
    let mut from = 0;
    while let Some(i) = script[from..].find(".route(") {
        let at = from + i + ".route(".len();
        from = at;
        let args = call_args(&script[at..]);
        let Some(path) = template_of(args.split(',').next().unwrap_or("")) else {
            continue;
        };
        // The function under the decorator: its first `return`.
        let Some(r) = script[at..].find("return ") else {
            continue;
        };
        let expr = script[at + r + "return ".len()..]
            .lines()
            .next()
            .unwrap_or("");
        let body = template_of(expr).unwrap_or_default();
        let ctype =
            if expr.trim_start().starts_with("jsonify(") || expr.trim_start().starts_with('{') {
                "application/json"
            } else {
                "text/html; charset=utf-8"
            };
        if !routes
            .iter()
            .any(|(p, _, _): &(String, String, &str)| *p == path)
        {
            routes.push((path, body, ctype));
        }
    }
    let routes: Vec<Value> = routes
        .into_iter()
        .map(|(path, body, ctype)| json!({ "path": path, "content_type": ctype, "body": body }))
        .collect();
    let mut banner = vec![
        " * Serving Flask app 'app'".to_string(),
        " * Debug mode: off".to_string(),
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
    Some(json!({
        "programs": ["python", "python3", "flask", "gunicorn"],
        "loopback": loopback,
        "startup_ms": 400,
        "ports": [port],
        "sigterm": { "after_ms": 10, "code": 0 },
        "cpu_percent": 0.02,
        "memory_mb": 24.1,
        "logs": { "start": [ { "at": 390, "stderr": true, "lines": banner } ] },
        "http": {
            "routes": routes,
            "not_found": { "status": 404, "content_type": "text/html; charset=utf-8", "body": WERKZEUG_404 },
            "access_log": "{client_ip} - - [{time:%d/%b/%Y %H:%M:%S}] \"{method} {path} HTTP/1.1\" {status} -",
            "access_log_stderr": true,
        },
    }))
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Any script text, in any app command: inference never panics, and what it makes
        /// is a behaviour the catalog accepts.
        #[test]
        fn any_script_never_panics(
            text in "(listen\\(|\\.get\\(|res\\.send\\(|console\\.log\\(|Flask\\(|\\.route\\(|return |\\.run\\(|port=|[`'\"(){}$,/0-9a-z ]|\n){0,60}",
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
