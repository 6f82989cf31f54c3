//! A small static file server for `dist/`, on `tiny_http`.
//!
//! `cargo xtask serve` uses it at `/`; the end-to-end test mounts the bundle under a sub-path to
//! prove that the page's asset paths are relative. It serves GET and HEAD only, never leaves the
//! served folder, and labels `.wasm` as `application/wasm` so browsers can stream-compile it.

use std::fs::File;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

use crate::Result;

/// Requests are answered by this many threads, so a browser's parallel fetches do not queue.
const WORKERS: usize = 4;

/// A running server; dropping it stops the workers and closes the socket.
pub struct StaticServer {
    addr: SocketAddr,
    prefix: String,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves `root` under `prefix` (which starts and ends with `/`) on `addr`; port 0 picks a
    /// free port. With `log`, each request is printed.
    pub fn start(root: &Path, prefix: &str, addr: &str, log: bool) -> Result<Self> {
        if !prefix.starts_with('/') || !prefix.ends_with('/') {
            return Err(format!(
                "the mount path `{prefix}` must start and end with `/`"
            ));
        }
        let index = root.join("index.html");
        if !index.is_file() {
            return Err(format!(
                "{} does not exist: build the bundle first (`cargo xtask build`)",
                index.display()
            ));
        }
        let server = Server::http(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or("the server is not on a TCP address")?;
        let server = Arc::new(server);
        let stop = Arc::new(AtomicBool::new(false));
        let workers = (0..WORKERS)
            .map(|_| {
                let server = Arc::clone(&server);
                let stop = Arc::clone(&stop);
                let root = root.to_path_buf();
                let prefix = prefix.to_string();
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        // The timeout lets the worker notice `stop`.
                        match server.recv_timeout(Duration::from_millis(100)) {
                            Ok(Some(request)) => answer(request, &root, &prefix, log),
                            Ok(None) => {}
                            Err(error) => {
                                eprintln!("xtask serve: cannot accept a request: {error}");
                                break;
                            }
                        }
                    }
                })
            })
            .collect();
        Ok(StaticServer {
            addr,
            prefix: prefix.to_string(),
            stop,
            workers,
        })
    }

    /// The address of the served folder, ending with `/`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.prefix)
    }

    /// Blocks for as long as the server runs (until the process is interrupted).
    fn wait(mut self) {
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// `cargo xtask serve`: serves `dist` at `/` on loopback until interrupted.
pub fn serve_forever(dist: &Path, port: u16) -> Result<()> {
    let server = StaticServer::start(dist, "/", &format!("127.0.0.1:{port}"), true)?;
    println!("xtask: serving {} on {}", dist.display(), server.url());
    println!("xtask: press Ctrl-C to stop");
    server.wait();
    Ok(())
}

/// What a request path resolves to.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    File(PathBuf),
    Redirect(String),
    NotFound,
}

fn answer(request: Request, root: &Path, prefix: &str, log: bool) {
    let method = request.method().clone();
    let url = request.url().to_string();
    let response = if method == Method::Get || method == Method::Head {
        match resolve(root, prefix, &url) {
            Target::File(path) => match File::open(&path) {
                Ok(file) => {
                    let mut response = Response::from_file(file);
                    add_header(&mut response, "Content-Type", content_type(&path));
                    add_header(&mut response, "Cache-Control", "no-cache");
                    response.boxed()
                }
                Err(_) => text_response(404, "not found"),
            },
            Target::Redirect(location) => {
                let mut response = Response::empty(StatusCode(301));
                add_header(&mut response, "Location", &location);
                response.boxed()
            }
            Target::NotFound => text_response(404, "not found"),
        }
    } else {
        text_response(405, "only GET and HEAD are served")
    };
    let status = response.status_code().0;
    if log {
        println!("{method} {url} -> {status}");
    }
    // The browser may have gone away; there is nobody left to tell.
    let _ = request.respond(response);
}

fn text_response(status: u16, text: &str) -> tiny_http::ResponseBox {
    let mut response = Response::from_string(text).with_status_code(status);
    add_header(&mut response, "Content-Type", "text/plain; charset=utf-8");
    response.boxed()
}

fn add_header<R: Read>(response: &mut Response<R>, name: &str, value: &str) {
    // `from_bytes` only rejects non-ASCII; our names, types and request paths are ASCII.
    if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        response.add_header(header);
    }
}

/// Maps a request URL to a file under `root`, mounted at `prefix`.
fn resolve(root: &Path, prefix: &str, url: &str) -> Target {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    if format!("{path}/") == prefix {
        return Target::Redirect(prefix.to_string());
    }
    let Some(rest) = path.strip_prefix(prefix) else {
        return Target::NotFound;
    };
    let Some(rest) = percent_decode(rest) else {
        return Target::NotFound;
    };
    let mut file = root.to_path_buf();
    for segment in rest.split('/').filter(|segment| !segment.is_empty()) {
        if segment == "." || segment == ".." || segment.contains(['\\', '\0']) {
            return Target::NotFound;
        }
        file.push(segment);
    }
    if file.is_dir() {
        if !rest.is_empty() && !rest.ends_with('/') {
            return Target::Redirect(format!("{path}/"));
        }
        file.push("index.html");
    }
    if file.is_file() {
        Target::File(file)
    } else {
        Target::NotFound
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throwaway folder shaped like a trunk bundle.
    fn bundle(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("xtask-serve-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("snippets").join("web-1234")).unwrap();
        std::fs::write(root.join("index.html"), "<!doctype html>").unwrap();
        std::fs::write(root.join("app_bg.wasm"), b"\0asm").unwrap();
        std::fs::write(root.join("snippets").join("web-1234").join("x.js"), "").unwrap();
        root
    }

    #[test]
    fn resolves_files_under_the_prefix() {
        let root = bundle("files");
        let prefix = "/swarm-playground/";
        assert_eq!(
            resolve(&root, prefix, "/swarm-playground/"),
            Target::File(root.join("index.html"))
        );
        assert_eq!(
            resolve(&root, prefix, "/swarm-playground/app_bg.wasm?v=1"),
            Target::File(root.join("app_bg.wasm"))
        );
        assert_eq!(
            resolve(&root, prefix, "/swarm-playground/snippets/web%2D1234/x.js"),
            Target::File(root.join("snippets/web-1234/x.js"))
        );
        assert_eq!(
            resolve(&root, prefix, "/swarm-playground"),
            Target::Redirect(prefix.to_string())
        );
        assert_eq!(
            resolve(&root, prefix, "/swarm-playground/snippets"),
            Target::Redirect("/swarm-playground/snippets/".to_string())
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn refuses_paths_outside_the_bundle() {
        let root = bundle("outside");
        let prefix = "/swarm-playground/";
        for url in [
            "/app_bg.wasm",
            "/swarm-playground/../index.html",
            "/swarm-playground/%2e%2e/index.html",
            "/swarm-playground/missing.js",
            "/swarm-playground/%zz",
        ] {
            assert_eq!(resolve(&root, prefix, url), Target::NotFound, "{url}");
        }
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn labels_web_files() {
        assert_eq!(content_type(Path::new("a_bg.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("a.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("index.HTML")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("s.css")), "text/css; charset=utf-8");
        assert_eq!(
            content_type(Path::new("LICENSE")),
            "application/octet-stream"
        );
    }

    #[test]
    fn serves_over_http_with_the_right_types() {
        let root = bundle("http");
        let server = StaticServer::start(&root, "/sub/", "127.0.0.1:0", false).unwrap();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .build()
            .into();
        let response = agent
            .get(format!("{}app_bg.wasm", server.url()))
            .call()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/wasm"
        );
        let missing = agent
            .get(format!("{}nothing", server.url()))
            .call()
            .unwrap();
        assert_eq!(missing.status().as_u16(), 404);
        drop(server);
        let _ = std::fs::remove_dir_all(&root);
    }
}
