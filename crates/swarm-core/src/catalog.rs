//! The image catalog: what each known image is, and what its containers do.
//!
//! The facts come from `data/images.json`, embedded with `include_str!` and parsed once into a
//! [`Catalog`] ([`Catalog::get`]). Each image object carries what `docker image inspect` shows
//! (entrypoint, cmd, env, exposed ports, healthcheck, labels, size, creation time) and the name
//! of a *behaviour*: a data description of the running program (its start-up log lines, lines it
//! repeats, its HTTP routes, when it breaks, how it answers SIGTERM, how much CPU and memory it
//! uses). The JSON's `about` key summarises the schema; the structs below are its reference.
//!
//! [`Program::new`] resolves an image plus a container's entrypoint override, command and
//! environment into a [`Program`], the thing the simulation asks questions: does it exit on its
//! own ([`Program::exit`]), what does it log between two instants ([`Program::logs`]), does a
//! health probe pass ([`Program::probe`]), what does an HTTP request get ([`Program::request`]).
//!
//! # Which behaviour runs
//!
//! - The image's own command (entrypoint + cmd as in the image), or arguments passed to an app
//!   entrypoint such as `dotnet App.dll`, run the image's behaviour.
//! - With a *wrapper* entrypoint (nginx's, redis's, postgres's `docker-entrypoint.sh`, the
//!   registry's `/entrypoint.sh`), arguments that name the image's program (`redis-server
//!   --appendonly yes`) or start with `-` run the behaviour; any other command is exec'd. A
//!   wrapper that execs options too (nginx's: `docker run nginx --rm`) fails on them as its
//!   shell does (`/docker-entrypoint.sh: 47: exec: --rm: not found`, exit 127).
//! - Any other command is interpreted by a small built-in shell: `sleep N` (`5`, `5s`, `1m`,
//!   `0.5`, `infinity`), `ping [-c N] [-i S] [-w S] HOST` (busybox output), `echo`, `true`,
//!   `false`, `exit N`, `hostname`, `date`, `env`, `tail -f`, `top`, `sh -c '…'` with `;`, `&&`,
//!   `||`, `$VAR`, `$(hostname)` and `while true; do …; done` loops of those. A shell with no
//!   script (`alpine`'s default `/bin/sh`) exits 0 at once because it has no terminal, unless the
//!   container has one ([`Program::with_tty`]). Anything not recognised runs forever with no
//!   output.
//!
//! **Images not in the catalog** (`localhost:5000/ip`, anything a student builds) still work:
//! `Program::new(None, …)` is a generic long-running container with no logs, no ports and no
//! healthcheck, unless its command is one the shell above recognises.
//!
//! # Identity
//!
//! Digests and image IDs are not stored: each is `sha256:` followed by 64 hex digits derived
//! from `repo:tag` with a stable 64-bit hash (FNV-1a, then SplitMix64 mixing, four words), so
//! they look random, never change, and differ between images. The JSON may pin either with
//! `digest` / `id`. `pull_ms` (how long a pull takes here) is 1 s plus 1 ms per 40 kB, capped at
//! 8 s, unless the JSON gives it.
//!
//! # Determinism
//!
//! Nothing here reads a clock or a global RNG: time comes in as milliseconds since container
//! start plus [`LogContext::start_unix_ms`], and every "random" value (the number API's numbers,
//! ping round-trip times, key IDs) is a hash of the container hostname and a counter.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Deserializer};

use crate::time::{civil_from_days, days_from_civil};
use serde_json::{Map, Value};

const DATA: &str = include_str!("../data/images.json");

/// The most images `docker build` records (a bound on everything).
pub const MAX_BUILT: usize = 4096;

/// Images built by `docker build`, by ID (see [`Catalog::register_built`]).
static BUILT: OnceLock<Mutex<BTreeMap<String, &'static Image>>> = OnceLock::new();

fn built_image(id: &str) -> Option<&'static Image> {
    let t = BUILT.get()?.lock().ok()?;
    t.get(id).copied()
}

/// The most lines one [`Program::logs`] call returns (the latest ones in the window).
pub const LOG_CAP: usize = 10_000;
/// Repeating log sources one interpreted script may start (pings, loops).
const MAX_SEGMENTS: usize = 64;
/// How deep `sh -c 'sh -c …'` may nest.
const MAX_DEPTH: usize = 4;
/// Fixed lines one interpreted script may print.
const MAX_SCRIPT_LINES: usize = 100_000;
const MIB: f64 = 1024.0 * 1024.0;

// ------------------------------------------------------------------------------------------
// Public data types
// ------------------------------------------------------------------------------------------

/// An image's `HEALTHCHECK`, as `docker image inspect` shows it. Durations of 0 mean "use the
/// daemon's default" (30 s interval, 30 s timeout, 0 start period, 5 s start interval, 3
/// retries). `test` is `["CMD-SHELL", "curl --fail http://localhost/health"]`,
/// `["CMD", "dotnet", …]` or `["NONE"]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthConfig {
    pub test: Vec<String>,
    pub interval_ms: u64,
    pub timeout_ms: u64,
    pub start_period_ms: u64,
    pub start_interval_ms: u64,
    pub retries: u32,
}

/// One image of the catalog.
#[derive(Clone, Debug)]
pub struct Image {
    /// Familiar repository name: `nginx`, `diamol/ch12-timecheck`.
    pub repository: String,
    pub tag: String,
    /// Repository digest, `sha256:<64 hex>`.
    pub digest: String,
    /// Image ID, `sha256:<64 hex>`.
    pub id: String,
    /// Bytes, as `docker images` shows.
    pub size: u64,
    /// Build time, unix seconds.
    pub created_unix: i64,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub workdir: String,
    pub user: String,
    /// `"80/tcp"`.
    pub exposed_ports: Vec<String>,
    pub healthcheck: Option<HealthConfig>,
    pub labels: BTreeMap<String, String>,
    /// `VOLUME`s: paths that get an anonymous volume unless a mount covers them.
    pub volumes: Vec<String>,
    pub os: String,
    pub arch: String,
    /// How long pulling it takes in the simulation.
    pub pull_ms: u64,
    stop_signal: Option<String>,
    behaviour: Option<Arc<Behaviour>>,
    /// Files a build added (`COPY`/`ADD`), over the base image's.
    pub files: Arc<Vec<ImageFile>>,
    /// The distribution it is built on (the catalog's `base`, else guessed from the name).
    pub distro: crate::distro::Distro,
    /// Common tools the image adds to its distribution's (`dig` in nicolaka/netshoot).
    pub tools: Vec<String>,
    /// Directories a commit added to the base's tree (path, mode).
    pub dirs: Arc<Vec<(String, u32)>>,
    /// Paths of the base's tree a commit or a build's `rm` took away.
    pub removed: Arc<Vec<String>>,
    /// How it was made, oldest step first (`docker history`); empty for a catalog image,
    /// whose rows [`Image::history_rows`] derives (see [`crate::history`]).
    pub history: Arc<Vec<crate::history::HistoryRow>>,
}

/// A file an image holds that a container's layer starts with: a page its web server serves
/// (nginx's `index.html`), a file a build copied in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageFile {
    /// Absolute, normalized path.
    pub path: String,
    pub data: Vec<u8>,
    pub mode: u32,
}

impl Image {
    /// The files a container of this image starts with: the default pages of its web
    /// server's document root, then what builds copied in (a later file at the same path
    /// wins).
    pub fn layer_files(&self) -> Vec<ImageFile> {
        let mut out: Vec<ImageFile> = Vec::new();
        if let Some(http) = self.behaviour.as_ref().and_then(|b| b.http.as_ref()) {
            if let Some(root) = &http.docroot {
                for (name, route) in [("index.html", "/"), ("50x.html", "/50x.html")] {
                    if let Some(r) = http.routes.iter().find(|r| r.path == route && !r.prefix) {
                        out.push(ImageFile {
                            path: format!("{}/{name}", root.trim_end_matches('/')),
                            data: r.body.clone().into_bytes(),
                            mode: 0o644,
                        });
                    }
                }
            }
        }
        for f in self.files.iter() {
            out.retain(|o| o.path != f.path);
            out.push(f.clone());
        }
        out
    }

    /// `repo:tag`.
    pub fn reference(&self) -> String {
        format!("{}:{}", self.repository, self.tag)
    }

    /// The image's `STOPSIGNAL` (`SIGQUIT` for nginx, `SIGINT` for postgres), if it sets one.
    pub fn stop_signal(&self) -> Option<&str> {
        self.stop_signal.as_deref()
    }

    /// An image `docker build` made from `base` (or from an image the catalog does not know):
    /// its own name, ID, size and time, the base's configuration and behaviour; the
    /// Dockerfile's instructions then change the public fields.
    pub fn built_from(
        base: Option<&Image>,
        repository: &str,
        tag: &str,
        id: &str,
        size: u64,
        created_unix: i64,
    ) -> Image {
        let mut image = match base {
            Some(b) => b.clone(),
            None => Image {
                repository: String::new(),
                tag: String::new(),
                digest: String::new(),
                id: String::new(),
                size: 0,
                created_unix: 0,
                entrypoint: Vec::new(),
                cmd: Vec::new(),
                env: vec![
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
                ],
                workdir: String::new(),
                user: String::new(),
                exposed_ports: Vec::new(),
                healthcheck: None,
                labels: BTreeMap::new(),
                volumes: Vec::new(),
                os: default_os(),
                arch: default_arch(),
                pull_ms: 1_500,
                stop_signal: None,
                behaviour: None,
                files: Arc::default(),
                distro: crate::distro::Distro::guess(repository),
                tools: Vec::new(),
                dirs: Arc::default(),
                removed: Arc::default(),
                history: Arc::default(),
            },
        };
        image.repository = repository.to_string();
        image.tag = tag.to_string();
        image.id = id.to_string();
        image.digest = String::new();
        image.size = size;
        image.created_unix = created_unix;
        image
    }

    /// After a Dockerfile changed `CMD` or `ENTRYPOINT`: the base's behaviour stays only if
    /// the new command still starts its program (`nginx -g …` through nginx's wrapper
    /// entrypoint); otherwise the command is the image's own, run by the built-in shell
    /// (`echo hi` prints, anything else runs quietly).
    pub fn retarget_behaviour(&mut self) {
        let Some(b) = &self.behaviour else {
            return;
        };
        let keeps = match (self.entrypoint.first(), self.cmd.first()) {
            (Some(ep), first) => {
                b.is_program(ep)
                    || (b.wrapper && first.is_some_and(|c| c.starts_with('-') || b.is_program(c)))
                    || (b.wrapper && first.is_none())
            }
            (None, Some(c)) => b.is_program(c),
            (None, None) => false,
        };
        if !keeps {
            self.behaviour = None;
        }
    }

    /// Whether containers of the image run a known program (a behaviour of the data file).
    pub fn has_behaviour(&self) -> bool {
        self.behaviour.is_some()
    }

    /// Gives the image a behaviour described as the data file describes one (what a build
    /// makes of a small web app it copied in); `Err` if the description does not parse.
    pub fn set_behaviour(&mut self, spec: Value) -> Result<(), String> {
        let mut b: Behaviour = serde_json::from_value(spec).map_err(|e| e.to_string())?;
        b.finish()?;
        self.behaviour = Some(Arc::new(b));
        Ok(())
    }

    /// The 12-hex short ID `docker images` shows.
    pub fn short_id(&self) -> &str {
        let hex = self.id.strip_prefix("sha256:").unwrap_or(&self.id);
        hex.get(..12).unwrap_or(hex)
    }
}

/// All known images. See the module documentation.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    images: Vec<Image>,
}

impl Catalog {
    /// The catalog built from the embedded `data/images.json`, parsed on first use.
    ///
    /// The data is checked by the unit tests; if it ever failed to parse, the catalog would be
    /// empty (every image generic) rather than panic.
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog::parse(DATA).unwrap_or_default())
    }

    /// The image a reference names: `nginx`, `nginx:alpine`, `docker.io/library/nginx:latest`,
    /// `library/nginx`, `diamol/ch08-numbers-api` (= `:latest`). With a digest
    /// (`nginx@sha256:…`, `nginx:latest@sha256:…`) the image with that digest wins; an unknown
    /// digest falls back to the tag. `None` for an invalid reference or an image not here.
    pub fn lookup(&self, reference: &str) -> Option<&Image> {
        let parsed = parse_reference(reference)?;
        if let Some(digest) = parsed.digest {
            if let Some(image) = self
                .images
                .iter()
                .find(|i| i.repository == parsed.name && i.digest == digest)
            {
                return Some(image);
            }
        }
        let tag = parsed.tag.unwrap_or("latest");
        self.images
            .iter()
            .find(|i| i.repository == parsed.name && i.tag == tag)
    }

    /// The image `reference` names, else the one with ID `id`: a local name given by
    /// `docker tag` (`127.0.0.1:5000/web`) runs what the image it names runs. An image built
    /// here ([`Catalog::register_built`]) is found by its ID first, whatever it is called.
    pub fn lookup_or_id(&self, reference: &str, id: &str) -> Option<&Image> {
        built_image(id)
            .or_else(|| self.lookup(reference))
            .or_else(|| self.lookup_id(id))
    }

    /// Records an image `docker build` made. Images are keyed by their ID, which is derived
    /// from what they were built from (the base image's ID, the Dockerfile, the files it
    /// copies), so the same ID always means the same image, in any world: the table only
    /// ever grows by content, and nothing read from it depends on which world wrote it. It
    /// keeps at most [`MAX_BUILT`] images (later builds are not recorded and run as generic
    /// images). Returns the recorded image.
    pub fn register_built(image: Image) -> Option<&'static Image> {
        let table = BUILT.get_or_init(|| Mutex::new(BTreeMap::new()));
        let mut t = table.lock().ok()?;
        if let Some(i) = t.get(&image.id) {
            return Some(*i);
        }
        if t.len() >= MAX_BUILT {
            return None;
        }
        let leaked: &'static Image = Box::leak(Box::new(image));
        t.insert(leaked.id.clone(), leaked);
        Some(leaked)
    }

    /// The image with this ID: the full `sha256:…`, or a unique prefix of its hex (at least 4
    /// digits, as `docker run 1a2b` accepts); an image built here by its full ID.
    pub fn lookup_id(&self, id: &str) -> Option<&Image> {
        if let Some(i) = built_image(id) {
            return Some(i);
        }
        let hex = id.strip_prefix("sha256:").unwrap_or(id);
        if hex.len() < 4 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let hex = hex.to_ascii_lowercase();
        let mut found = self.images.iter().filter(|i| {
            i.id.strip_prefix("sha256:")
                .unwrap_or(&i.id)
                .starts_with(&hex)
        });
        let first = found.next()?;
        match found.next() {
            Some(_) => None,
            None => Some(first),
        }
    }

    /// Every image, in the order of the data file.
    pub fn images(&self) -> &[Image] {
        &self.images
    }

    fn parse(json: &str) -> Result<Catalog, String> {
        let file: CatalogFile = serde_json::from_str(json).map_err(|e| e.to_string())?;

        // Behaviours: resolve `extends`, deserialize, then link `unless_env` targets (one level).
        let mut plain: BTreeMap<String, Arc<Behaviour>> = BTreeMap::new();
        for name in file.behaviours.keys() {
            let value = resolve_extends(&file.behaviours, name, 0)?;
            let mut behaviour: Behaviour = serde_json::from_value(Value::Object(value))
                .map_err(|e| format!("behaviour {name}: {e}"))?;
            behaviour
                .finish()
                .map_err(|e| format!("behaviour {name}: {e}"))?;
            plain.insert(name.clone(), Arc::new(behaviour));
        }
        let mut linked: BTreeMap<String, Arc<Behaviour>> = BTreeMap::new();
        for (name, behaviour) in &plain {
            let mut behaviour = Behaviour::clone(behaviour);
            if let Some(switch) = &mut behaviour.unless_env {
                let target = plain
                    .get(&switch.target)
                    .ok_or_else(|| format!("behaviour {name}: unknown `use` {}", switch.target))?;
                switch.resolved = Some(Arc::clone(target));
            }
            if let Some(data) = &mut behaviour.data {
                if let Some(existing) = &data.existing {
                    let target = plain.get(existing).ok_or_else(|| {
                        format!("behaviour {name}: unknown data.existing {existing}")
                    })?;
                    data.existing_resolved = Some(Arc::clone(target));
                }
            }
            linked.insert(name.clone(), Arc::new(behaviour));
        }

        let mut images = Vec::with_capacity(file.images.len());
        for entry in file.images {
            let reference = format!("{}:{}", entry.repository, entry.tag);
            if normalize(&reference).as_deref() != Some(reference.as_str()) {
                return Err(format!("image {reference}: not a normalized reference"));
            }
            if images.iter().any(|i: &Image| i.reference() == reference) {
                return Err(format!("image {reference}: listed twice"));
            }
            let behaviour = match &entry.behaviour {
                Some(name) => {
                    Some(Arc::clone(linked.get(name).ok_or_else(|| {
                        format!("image {reference}: unknown behaviour {name}")
                    })?))
                }
                None => None,
            };
            if let Some(h) = &entry.healthcheck {
                let valid = match h.test.first().map(String::as_str) {
                    Some("NONE") => h.test.len() == 1,
                    Some("CMD") | Some("CMD-SHELL") => {
                        h.test.len() > 1 && h.test.iter().skip(1).all(|s| !s.trim().is_empty())
                    }
                    _ => false,
                };
                if !valid {
                    return Err(format!("image {reference}: bad healthcheck test"));
                }
            }
            let digest = match entry.digest {
                Some(d) if is_sha256(&d) => d,
                Some(d) => return Err(format!("image {reference}: bad digest {d}")),
                None => format!("sha256:{}", hex64(&format!("digest:{reference}"))),
            };
            let id = match entry.id {
                Some(d) if is_sha256(&d) => d,
                Some(d) => return Err(format!("image {reference}: bad id {d}")),
                None => format!("sha256:{}", hex64(&format!("id:{reference}"))),
            };
            let created_unix = parse_rfc3339(&entry.created)
                .ok_or_else(|| format!("image {reference}: bad created {}", entry.created))?;
            let distro = match &entry.base {
                Some(b) => crate::distro::Distro::parse(b)
                    .ok_or_else(|| format!("image {reference}: bad base {b}"))?,
                None => crate::distro::Distro::guess(&reference),
            };
            let pull_ms = entry
                .pull_ms
                .unwrap_or_else(|| (1000 + entry.size / 40_000).min(8000));
            images.push(Image {
                repository: entry.repository,
                tag: entry.tag,
                digest,
                id,
                size: entry.size,
                created_unix,
                entrypoint: entry.entrypoint,
                cmd: entry.cmd,
                env: entry.env,
                workdir: entry.workdir,
                user: entry.user,
                exposed_ports: entry.exposed_ports,
                healthcheck: entry.healthcheck,
                labels: entry.labels,
                volumes: entry.volumes,
                os: entry.os,
                arch: entry.arch,
                pull_ms,
                stop_signal: entry.stop_signal,
                behaviour,
                files: Arc::default(),
                distro,
                tools: entry.tools,
                dirs: Arc::default(),
                removed: Arc::default(),
                history: Arc::default(),
            });
        }
        Ok(Catalog { images })
    }
}

/// Which output stream a log line went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line of container output (without its newline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// Milliseconds since the container started.
    pub offset_ms: u64,
    pub stream: Stream,
    pub text: String,
}

/// What log rendering needs to know about the container.
#[derive(Clone, Copy, Debug)]
pub struct LogContext<'a> {
    /// The container's hostname: the first 12 hex digits of its ID unless set.
    pub hostname: &'a str,
    /// The container's environment (`-e`); looked up before the program's own.
    pub env: &'a [String],
    /// Simulated wall-clock time of the container's start, unix milliseconds.
    pub start_unix_ms: i64,
}

/// A program ending by itself: `code` after `after_ms` since start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit {
    pub after_ms: u64,
    pub code: i32,
}

/// What the program does on `docker stop`'s signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnSigterm {
    /// Exits with `code` after `after_ms`.
    Exit { after_ms: u64, code: i32 },
    /// Ignores it (PID 1 without a handler): killed at the stop grace period (exit 137).
    Ignore,
}

/// Mutable per-container state the simulation keeps next to the [`Program`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcState {
    /// Requests the app has served on routes that count (every route except health and
    /// status endpoints): the numbers API breaks after its third `/rng`.
    pub requests: u64,
    /// Broken for good (the numbers API after too many calls).
    pub broken: bool,
    /// What an app that talks to other services remembers during a run (see [`crate::apps`]).
    pub app: crate::apps::AppProc,
}

/// An HTTP response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpReply {
    pub status: u16,
    pub body: String,
    pub content_type: String,
    /// Other response headers (`Location`, `Set-Cookie`), in order. When they hold
    /// `Content-Length` or `Date`, they are the whole header block, in the server's order
    /// (nginx's, Go net/http's).
    pub headers: Vec<(String, String)>,
}

impl HttpReply {
    /// Whether `headers` is the server's whole header block (see [`HttpReply::headers`]);
    /// a Go server's reply to HEAD may have no `Content-Length`, so `Date` marks it too.
    pub fn headers_whole(&self) -> bool {
        self.headers.iter().any(|(k, _)| {
            k.eq_ignore_ascii_case("Content-Length") || k.eq_ignore_ascii_case("Date")
        })
    }

    /// The header block as the client receives it: the server's own when `headers` hold it
    /// whole, else `Content-Type`, `Content-Length` and the other headers.
    pub fn header_block(&self) -> Vec<(String, String)> {
        if self.headers_whole() {
            return self.headers.clone();
        }
        let mut hs = Vec::new();
        if !self.content_type.is_empty() {
            hs.push(("Content-Type".to_string(), self.content_type.clone()));
        }
        hs.push(("Content-Length".to_string(), self.body.len().to_string()));
        hs.extend(self.headers.iter().cloned());
        hs
    }
}

/// An HTTP request with the details access logs and `traefik/whoami` show.
#[derive(Clone, Copy, Debug)]
pub struct HttpRequest<'a> {
    pub port: u16,
    pub method: &'a str,
    /// Path and query: `/rng`, `/?a=1`.
    pub path: &'a str,
    /// The `Host` header.
    pub host: &'a str,
    /// The client's address: `10.0.0.2:43210` (or just an IP).
    pub client: &'a str,
    pub user_agent: &'a str,
    /// Simulated wall-clock time of the request, unix milliseconds (for log lines).
    pub now_unix_ms: i64,
    /// The request body (`curl -d`), empty for most requests.
    pub body: &'a str,
    /// Other request headers (`Cookie`, `Content-Type`), as sent.
    pub headers: &'a [(String, String)],
    /// Over TLS.
    pub tls: bool,
}

impl<'a> HttpRequest<'a> {
    /// `GET path` from curl on the container itself.
    pub fn get(port: u16, path: &'a str) -> HttpRequest<'a> {
        HttpRequest {
            port,
            method: "GET",
            path,
            host: "localhost",
            client: "127.0.0.1:48702",
            user_agent: "curl/8.5.0",
            now_unix_ms: 0,
            body: "",
            headers: &[],
            tls: false,
        }
    }

    /// The value of request header `name` (ASCII case ignored), if sent.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        let headers: &'a [(String, String)] = self.headers;
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A served request: the reply and the lines the app logged for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpExchange {
    pub reply: HttpReply,
    pub logs: Vec<(Stream, String)>,
}

/// The outcome of one healthcheck command: its exit code (0 = healthy) and output, as
/// `docker inspect`'s `State.Health.Log` keeps them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeResult {
    pub exit_code: i32,
    pub output: String,
}

/// A dependency check the image's command runs before its app (diamol's numbers-web v3/v5:
/// `dotnet Utilities.HttpCheck.dll -c RngApi:Url -t 900 && dotnet Numbers.Web.dll`): the
/// simulation should GET `url` at start and make the container exit 1 at once if it fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartupCheck {
    pub url: String,
    pub timeout_ms: u64,
}

// ------------------------------------------------------------------------------------------
// References
// ------------------------------------------------------------------------------------------

/// A reference in docker's familiar form with a tag: `"nginx"` -> `"nginx:latest"`,
/// `"docker.io/library/nginx:1.2"` -> `"nginx:1.2"`, `"localhost:5000/ip"` ->
/// `"localhost:5000/ip:latest"` (a registry port is not a tag). A digest (`@sha256:…`) is
/// dropped. `None` for an invalid reference, by docker's rules: lowercase path components
/// `[a-z0-9]+` joined by `.`, `_`, `__` or dashes; tag `[\w][\w.-]{0,127}`; the empty string and
/// 64-hex strings (image IDs) are not references.
pub fn normalize(reference: &str) -> Option<String> {
    let parsed = parse_reference(reference)?;
    Some(format!(
        "{}:{}",
        parsed.name,
        parsed.tag.unwrap_or("latest")
    ))
}

struct ParsedRef<'a> {
    /// Familiar name (`nginx`, `diamol/x`, `localhost:5000/ip`).
    name: String,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

fn parse_reference(s: &str) -> Option<ParsedRef<'_>> {
    if s.is_empty() || s.len() > 512 {
        return None;
    }
    if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => {
            if !valid_digest(d) {
                return None;
            }
            (r, Some(d))
        }
        None => (s, None),
    };
    let (name, tag) = match rest.rfind(':') {
        Some(i) if !rest[i + 1..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    if let Some(t) = tag {
        if !valid_tag(t) {
            return None;
        }
    }
    if name.is_empty() || name.len() > 255 {
        return None;
    }
    let (domain, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.')
                || first.contains(':')
                || first == "localhost"
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (first, rest)
        }
        _ => ("docker.io", name),
    };
    if !valid_domain(domain) || path.split('/').any(|c| !valid_component(c)) {
        return None;
    }
    let domain = if domain == "index.docker.io" {
        "docker.io"
    } else {
        domain
    };
    let name = if domain == "docker.io" {
        match path.strip_prefix("library/") {
            Some(short) if !short.contains('/') => short.to_string(),
            _ => path.to_string(),
        }
    } else {
        format!("{domain}/{path}")
    };
    Some(ParsedRef { name, tag, digest })
}

fn valid_tag(t: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = t.as_bytes();
    match bytes.split_first() {
        Some((&first, rest)) => {
            word(first)
                && rest.len() <= 127
                && rest.iter().all(|&b| word(b) || b == b'.' || b == b'-')
        }
        None => false,
    }
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < bytes.len() && alnum(bytes[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == bytes.len() {
            return true;
        }
        let sep_start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &c[sep_start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-')) {
            return false;
        }
    }
}

fn valid_domain(d: &str) -> bool {
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        match rest.split_once(']') {
            Some((v6, after)) => {
                if v6.is_empty() || !v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
                    return false;
                }
                match after.strip_prefix(':') {
                    Some(p) => ("", Some(p)),
                    None if after.is_empty() => ("", None),
                    None => return false,
                }
            }
            None => return false,
        }
    } else {
        match d.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (d, None),
        }
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    if d.starts_with('[') {
        return true;
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
                && b.first() != Some(&b'-')
                && b.last() != Some(&b'-')
        })
}

fn valid_digest(d: &str) -> bool {
    let Some((algo, hex)) = d.split_once(':') else {
        return false;
    };
    let algo_ok = !algo.is_empty()
        && algo.split(['+', '.', '_', '-']).all(|p| {
            let b = p.as_bytes();
            b.first().is_some_and(|c| c.is_ascii_alphabetic())
                && b.iter().all(|c| c.is_ascii_alphanumeric())
        });
    if !algo_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    algo != "sha256" || is_sha256(d)
}

fn is_sha256(d: &str) -> bool {
    d.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

// ------------------------------------------------------------------------------------------
// The data file
// ------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    #[allow(dead_code)]
    about: Vec<String>,
    behaviours: BTreeMap<String, Value>,
    images: Vec<ImageEntry>,
}

fn default_os() -> String {
    "linux".to_string()
}

fn default_arch() -> String {
    "amd64".to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageEntry {
    repository: String,
    tag: String,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    id: Option<String>,
    size: u64,
    /// RFC 3339, UTC: `2025-05-30T17:47:07Z`.
    created: String,
    #[serde(default)]
    entrypoint: Vec<String>,
    #[serde(default)]
    cmd: Vec<String>,
    #[serde(default)]
    env: Vec<String>,
    #[serde(default)]
    workdir: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    exposed_ports: Vec<String>,
    #[serde(default)]
    healthcheck: Option<HealthConfig>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    volumes: Vec<String>,
    #[serde(default = "default_os")]
    os: String,
    #[serde(default = "default_arch")]
    arch: String,
    #[serde(default)]
    pull_ms: Option<u64>,
    #[serde(default)]
    stop_signal: Option<String>,
    #[serde(default)]
    behaviour: Option<String>,
    /// The distribution: `alpine:3.21.3`, `debian:12-slim`, `ubuntu:22.04`, `scratch` …
    #[serde(default)]
    base: Option<String>,
    /// Common tools it adds to its distribution's.
    #[serde(default)]
    tools: Vec<String>,
}

/// A behaviour with its `extends` chain applied (top-level keys of the child win).
fn resolve_extends(
    all: &BTreeMap<String, Value>,
    name: &str,
    depth: usize,
) -> Result<Map<String, Value>, String> {
    if depth > 8 {
        return Err(format!("behaviour {name}: `extends` too deep (a cycle?)"));
    }
    let object = all
        .get(name)
        .and_then(Value::as_object)
        .ok_or_else(|| format!("behaviour {name}: missing or not an object"))?;
    match object.get("extends") {
        Some(Value::String(parent)) => {
            let mut base = resolve_extends(all, parent, depth + 1)?;
            for (k, v) in object {
                if k != "extends" {
                    base.insert(k.clone(), v.clone());
                }
            }
            Ok(base)
        }
        Some(_) => Err(format!("behaviour {name}: `extends` must be a name")),
        None => Ok(object.clone()),
    }
}

/// A string, or an array of lines (joined with newlines, plus a final newline).
fn text_block<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Block {
        Text(String),
        Lines(Vec<String>),
    }
    Ok(match Block::deserialize(d)? {
        Block::Text(s) => s,
        Block::Lines(lines) => {
            let mut s = lines.join("\n");
            s.push('\n');
            s
        }
    })
}

fn yes() -> bool {
    true
}

fn ok_status() -> u16 {
    200
}

fn not_found_status() -> u16 {
    404
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Behaviour {
    /// argv[0] basenames that start the image's own program.
    programs: Vec<String>,
    /// The entrypoint execs commands that are not the program.
    wrapper: bool,
    /// A wrapper that execs an option too (`exec "$@"` without postgres's or redis's
    /// `if [ "${1#-}" != "$1" ]; then set -- postgres "$@"`): what its shell says when the first
    /// argument is an option, `{}` standing for it (nginx: `/docker-entrypoint.sh: 47: exec:
    /// {}: not found`). The container exits 127 after that line on stderr.
    exec_not_found: Option<String>,
    startup_ms: u64,
    ports: Vec<u16>,
    exit: Option<ExitSpec>,
    sigterm: Option<SigtermSpec>,
    cpu_percent: f64,
    memory_mb: f64,
    logs: LogsSpec,
    http: Option<HttpSpec>,
    /// Broken for good once more than this many counted requests arrived.
    breaks_after: Option<u64>,
    broken_at_start: bool,
    unless_env: Option<EnvSwitch>,
    startup_check: Option<StartupCheckSpec>,
    /// Where the program keeps its data, and how it starts when the data is there already.
    data: Option<DataSpec>,
    /// The program talks to other services: `counter`, `todo`, `vote`, `result`, `worker`
    /// (served by [`crate::apps`]).
    app: Option<String>,
    /// Commands the image does not have (`htpasswd` left `registry` in 2.7): running one as
    /// the container's command fails to start, as runc does.
    missing: Vec<String>,
    /// The program listens on the loopback interface only (Flask's `app.run()` without
    /// `host='0.0.0.0'`): nothing outside the container reaches it.
    loopback: bool,
    /// The redis server a built web app counts in: `{incr:KEY}` in a route's body is
    /// `INCR KEY` there (see [`Program::redis_use`]).
    redis: Option<RedisSpec>,
    /// A built Flask app: its script, run by [`crate::pyeval`] for routes with a `view`.
    python: Option<PySpec>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PySpec {
    /// The script's path in the image (`/app/app.py`), for tracebacks.
    file: String,
    source: String,
    /// Run as `python app.py` (`__name__ == '__main__'`).
    #[serde(default)]
    main: bool,
    /// Flask's debug mode.
    #[serde(default)]
    debug: bool,
    /// The module's name under `flask run`.
    #[serde(default)]
    module: String,
}

/// A Flask view to run for a request (see [`Program::py_view`]).
#[derive(Clone, Debug)]
pub struct PyView {
    pub file: String,
    pub source: String,
    pub main: bool,
    pub debug: bool,
    pub module: String,
    /// The view function.
    pub view: String,
    /// The route's arguments (`<int:id>`).
    pub args: Vec<(String, crate::pyeval::Value)>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RedisSpec {
    /// Templates (`{env:REDIS_HOST|redis}`).
    host: String,
    port: String,
    /// The script, for a traceback (`/code/app.py`); empty for a node app.
    #[serde(default)]
    file: String,
    /// redis-py's `decode_responses=True`: replies are `str`, not `bytes`.
    #[serde(default)]
    decode: bool,
}

/// Where a built web app's route counts in redis (see [`Program::redis_use`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisUse {
    pub host: String,
    pub port: u16,
    /// The Python script, empty for a node app.
    pub file: String,
    /// The route's own frames of a traceback: line, function, code.
    pub trace: Vec<(u32, String, String)>,
    /// The route's redis commands (see `Route::redis`).
    pub calls: Vec<RedisCall>,
    /// Replies are `str` (`decode_responses=True`), not `bytes`.
    pub decode: bool,
}

impl Behaviour {
    fn finish(&mut self) -> Result<(), String> {
        if let Some(http) = &mut self.http {
            let snapshot = http.routes.clone();
            for route in &mut http.routes {
                if let Some(same) = route.same_as.clone() {
                    let other = snapshot
                        .iter()
                        .find(|r| r.path == same && r.same_as.is_none())
                        .ok_or_else(|| format!("route {}: unknown same_as {same}", route.path))?;
                    let path = route.path.clone();
                    *route = other.clone();
                    route.path = path;
                }
            }
        }
        if self.logs.every.as_ref().is_some_and(|e| e.ms == 0) {
            return Err("logs.every.ms must be positive".to_string());
        }
        Ok(())
    }

    fn is_program(&self, arg0: &str) -> bool {
        let base = basename(arg0);
        self.programs.iter().any(|p| p == base)
    }
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExitSpec {
    after_ms: u64,
    code: i32,
}

#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SigtermSpec {
    ignore: bool,
    after_ms: u64,
    code: i32,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct LogsSpec {
    start: Vec<LogGroup>,
    every: Option<EverySpec>,
    stop: Vec<LogGroup>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct LogGroup {
    at: u64,
    stderr: bool,
    /// Printed only when none of these env patterns matches.
    unless_env: Vec<String>,
    lines: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EverySpec {
    first_ms: u64,
    ms: u64,
    #[serde(default)]
    stderr: bool,
    lines: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct HttpSpec {
    /// A web server's document root: requests are served from the container's files there
    /// (its image's pages, a bind mount, what `docker exec` or a build wrote).
    docroot: Option<String>,
    routes: Vec<Route>,
    not_found: Reply,
    /// The page for a route asked with a method it does not take (werkzeug's 405).
    not_allowed: Option<Reply>,
    /// The server's `Server` header (a template): its replies carry the whole header block
    /// (`Server`, `Date`, `Content-Type`, `Content-Length`, `Connection: close`), as
    /// werkzeug's development server sends it.
    server: Option<String>,
    access_log: Option<String>,
    access_log_stderr: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Route {
    path: String,
    #[serde(default)]
    prefix: bool,
    #[serde(default = "yes")]
    counts: bool,
    #[serde(default = "ok_status")]
    status: u16,
    #[serde(default)]
    content_type: String,
    #[serde(default, deserialize_with = "text_block")]
    body: String,
    #[serde(default)]
    broken: Option<Reply>,
    #[serde(default)]
    log: Vec<String>,
    #[serde(default)]
    broken_log: Vec<String>,
    #[serde(default)]
    same_as: Option<String>,
    /// The script's frames in a traceback of a failed `{incr:…}`: line, function, code.
    #[serde(default)]
    trace: Vec<(u32, String, String)>,
    /// The methods the route takes (`GET` also takes `HEAD`); empty: any.
    #[serde(default)]
    methods: Vec<String>,
    /// Redis commands the view runs, in order, before its body is made: the body's
    /// `{r:I|FORM}` (text) and `{rj:I|FORM}` (a JSON value) are the `I`th command's reply
    /// (see `World::redis_counts`).
    #[serde(default)]
    redis: Vec<RedisCall>,
    /// The Flask view function that answers (its `path` a werkzeug rule such as
    /// `/hello/<name>`), run by [`crate::pyeval`].
    #[serde(default)]
    view: Option<String>,
}

/// One redis command of a view, with the script's frames of a traceback when it fails.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisCall {
    pub cmd: Vec<String>,
    #[serde(default)]
    pub trace: Vec<(u32, String, String)>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Reply {
    #[serde(default = "not_found_status")]
    status: u16,
    content_type: String,
    #[serde(deserialize_with = "text_block")]
    body: String,
}

impl Route {
    /// Whether the route takes `method` (werkzeug: `GET` takes `HEAD`, and `OPTIONS` is
    /// answered for every route).
    fn takes(&self, method: &str) -> bool {
        self.methods.is_empty()
            || self.methods.iter().any(|m| m == method)
            || (method == "HEAD" && self.methods.iter().any(|m| m == "GET"))
            || method == "OPTIONS"
    }

    /// The methods an `Allow` header names for the route.
    fn allowed(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.methods.iter().map(String::as_str).collect();
        if all.contains(&"GET") {
            all.push("HEAD");
        }
        all.push("OPTIONS");
        all
    }
}

impl Default for Reply {
    fn default() -> Self {
        Reply {
            status: 404,
            content_type: String::new(),
            body: String::new(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvSwitch {
    any_of: Vec<String>,
    #[serde(rename = "use")]
    target: String,
    #[serde(skip)]
    resolved: Option<Arc<Behaviour>>,
}

/// A stateful program's data directory (`behaviours.*.data`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct DataSpec {
    /// The variable that moves the directory (`PGDATA`), if any.
    dir_env: String,
    /// The directory.
    dir: String,
    /// The file whose presence means "already initialised" (`PG_VERSION`).
    marker: String,
    /// Files (relative to the directory) a first start writes (initdb's).
    init: BTreeMap<String, String>,
    /// The behaviour of a start that finds the marker.
    existing: Option<String>,
    #[serde(skip)]
    existing_resolved: Option<Arc<Behaviour>>,
}

/// Where a container's program keeps its data ([`Program::data`]): the directory, the file
/// that says it is initialised, and the files a first start writes there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataDir {
    /// Absolute directory (`/var/lib/postgresql/data`, `/data`).
    pub dir: String,
    /// Marker file name inside it (`PG_VERSION`, `dump.rdb`).
    pub marker: String,
    /// Files a first start writes: (name inside the directory, content).
    pub init: Vec<(String, String)>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StartupCheckSpec {
    url_env: String,
    default_url: String,
    timeout_ms: u64,
}

// ------------------------------------------------------------------------------------------
// Programs
// ------------------------------------------------------------------------------------------

/// The resolved behaviour of one container. Cheap to clone; immutable except for the builder
/// methods. See the module documentation for how the command is interpreted.
#[derive(Clone, Debug)]
pub struct Program {
    argv: Vec<String>,
    /// Image env then container env; lookups take the last match.
    env: Vec<String>,
    hostname: String,
    addresses: Vec<String>,
    tty: bool,
    app: Option<Arc<Behaviour>>,
    /// Shared by the program's copies (each start takes one, see [`Program::variant`]).
    timeline: Arc<Timeline>,
    exit: Option<Exit>,
    /// A bare shell that exits because it has no terminal.
    bare_shell: bool,
    sigterm: OnSigterm,
    startup_ms: u64,
    ports: Vec<u16>,
    cpu_percent: f64,
    memory_bytes: u64,
    healthcheck: Option<HealthConfig>,
    /// The app's data directory, if it keeps data.
    data: Option<DataDir>,
    /// This is the variant for a start that found its data initialised.
    warm: bool,
    /// The other variant (warm for a cold program and the reverse), if the app has one.
    alt: Option<Arc<Program>>,
    /// The command is not in the image: the container cannot start.
    exec_error: Option<String>,
    /// A redis server started as a replica (`--replicaof`): its lines carry role `S`.
    redis_replica: bool,
    /// The command is a real short-lived tool the interpreter does not emulate (`id`, `pwd`,
    /// `nproc`): it exits 0 without output, and the shell may answer it as `docker exec` does.
    stub: bool,
    /// The script looks names up (`ping NAME`, `nslookup NAME`): what to run again once the
    /// container's resolver answered them ([`Program::with_dns`]).
    lookups: Option<Arc<Lookups>>,
}

/// An interpreted command that looks names up, kept to run again with the answers.
#[derive(Debug)]
struct Lookups {
    words: Vec<String>,
    programs: Vec<String>,
    names: Vec<String>,
}

/// Whether the command's program, as PID 1, installs no SIGTERM handler, so that the kernel
/// drops the stop signal and `docker stop` kills it after the grace period (137): the Python
/// interpreter (`python app.py`, `python -m http.server`, `flask run`). Servers that handle it
/// (nginx, redis, gunicorn) end at once.
fn ignores_sigterm(words: &[String]) -> bool {
    let mut words = words.iter().map(|w| basename(w));
    let mut first = words.next().unwrap_or("");
    while matches!(first, "exec" | "docker-entrypoint.sh" | "entrypoint.sh") {
        first = words.next().unwrap_or("");
    }
    first == "flask"
        || first
            .strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Generic long-running process: what an unknown image or command looks like to `docker stats`.
const GENERIC_MEMORY: u64 = 1_536 * 1024;

impl Program {
    /// Resolve a container's program. `image` `None` is an image not in the catalog.
    /// `entrypoint_override` is `--entrypoint` (`Some(&[])` clears it, as `--entrypoint ""`
    /// does); `args` is the command after the image name (empty: the image's `CMD`, which an
    /// entrypoint override drops); `env` is the container's `-e` list, applied over the image's.
    pub fn new(
        image: Option<&Image>,
        entrypoint_override: Option<&[String]>,
        args: &[String],
        env: &[String],
    ) -> Program {
        let empty: &[String] = &[];
        let (image_ep, image_cmd, image_env) = match image {
            Some(i) => (&i.entrypoint[..], &i.cmd[..], &i.env[..]),
            None => (empty, empty, empty),
        };
        let args_or_cmd = if args.is_empty() { image_cmd } else { args };
        let (entrypoint, cmd): (&[String], &[String]) = match entrypoint_override {
            Some([]) => (empty, args_or_cmd),
            Some(o) => (o, args),
            None => (image_ep, args_or_cmd),
        };
        let argv: Vec<String> = entrypoint.iter().chain(cmd).cloned().collect();
        let mut all_env = image_env.to_vec();
        all_env.extend(env.iter().cloned());
        let hostname = lookup_env(&[&all_env], "HOSTNAME").unwrap_or_default();

        let mut program = Program {
            argv,
            env: all_env,
            hostname,
            addresses: Vec::new(),
            tty: false,
            app: None,
            timeline: Arc::default(),
            exit: None,
            bare_shell: false,
            sigterm: OnSigterm::Exit {
                after_ms: 50,
                code: 0,
            },
            startup_ms: 0,
            ports: Vec::new(),
            cpu_percent: 0.0,
            memory_bytes: GENERIC_MEMORY,
            healthcheck: image.and_then(|i| i.healthcheck.clone()),
            data: None,
            warm: false,
            alt: None,
            exec_error: None,
            redis_replica: false,
            stub: false,
            lookups: None,
        };

        let behaviour = image.and_then(|i| i.behaviour.clone());
        let to_interpret: Option<&[String]> = match &behaviour {
            Some(b) => {
                let is_default = entrypoint_override.is_none() && args.is_empty();
                if is_default {
                    None
                } else if entrypoint_override.is_none() && !image_ep.is_empty() {
                    if !b.wrapper {
                        None // arguments to the app
                    } else {
                        match cmd.first() {
                            Some(c) if c.starts_with('-') => {
                                if let Some(line) = &b.exec_not_found {
                                    let mut script = Script::new();
                                    script.say(Stream::Stderr, line.replace("{}", c));
                                    program.run_script(script, Outcome::Exit(127));
                                    return program;
                                }
                                None
                            }
                            Some(c) if b.is_program(c) => None,
                            None => None,
                            Some(_) => Some(cmd),
                        }
                    }
                } else {
                    Some(&program.argv[..])
                }
            }
            None => Some(&program.argv[..]),
        };

        match to_interpret {
            None => {
                if let Some(b) = behaviour {
                    program.run_app(b);
                }
            }
            Some(words) => {
                let words = words.to_vec();
                let first = words.first().map(|w| basename(w).to_string());
                if let (Some(b), Some(first)) = (&behaviour, &first) {
                    if b.missing.contains(first) {
                        program.exec_error = Some(first.clone());
                        return program;
                    }
                }
                // The runtime execs the first word itself: a name no image has cannot start.
                let whole = words == program.argv;
                if let (Some(image), Some(arg0)) = (image, words.first()) {
                    if whole && !program_exists(image, arg0) {
                        program.exec_error = Some(arg0.clone());
                        return program;
                    }
                }
                let programs = behaviour.as_ref().map(|b| b.programs.clone());
                let programs = programs.unwrap_or_default();
                let script = interpret_argv(&words, &programs, &program.env, None);
                match script.outcome {
                    Outcome::App => {
                        if let Some(b) = behaviour {
                            program.run_app(b);
                        }
                    }
                    outcome => {
                        let silent = outcome == Outcome::Unknown && ignores_sigterm(&words);
                        if !script.asked.is_empty() {
                            program.lookups = Some(Arc::new(Lookups {
                                words,
                                programs,
                                names: script.asked.clone(),
                            }));
                        }
                        program.run_script(script, outcome);
                        if silent {
                            program.sigterm = OnSigterm::Ignore;
                        }
                    }
                }
            }
        }
        program
    }

    /// The container's hostname, for templates (`{hostname}`, whoami's reply, the random
    /// numbers); defaults to the `HOSTNAME` env variable.
    pub fn with_hostname(mut self, hostname: &str) -> Program {
        self.hostname = hostname.to_string();
        self.map_alt(|p| p.hostname = hostname.to_string());
        self
    }

    /// The container's IP addresses on its networks (whoami lists them).
    pub fn with_addresses(mut self, addresses: &[String]) -> Program {
        self.addresses = addresses.to_vec();
        self.map_alt(|p| p.addresses = addresses.to_vec());
        self
    }

    /// Whether the container has a terminal (`-t`): then a bare shell waits instead of exiting.
    pub fn with_tty(mut self, tty: bool) -> Program {
        self.tty = tty;
        self.map_alt(|p| p.tty = tty);
        self
    }

    /// The names the command looks up (`ping NAME`, `nslookup NAME`), which the container's
    /// resolver answers when it starts ([`Program::with_dns`]).
    pub fn dns_names(&self) -> &[String] {
        self.lookups.as_ref().map_or(&[], |l| &l.names[..])
    }

    /// The program with the resolver's answers for [`Program::dns_names`]: its command runs
    /// again, so `ping` reaches the real address or says `bad address`, and `nslookup` prints
    /// what the embedded DNS answers.
    pub fn with_dns(mut self, answers: BTreeMap<String, Lookup>) -> Program {
        let Some(l) = self.lookups.clone() else {
            return self;
        };
        let script = interpret_argv(&l.words, &l.programs, &self.env, Some(Arc::new(answers)));
        let outcome = script.outcome;
        if outcome != Outcome::App {
            self.exit = None;
            self.run_script(script, outcome);
        }
        self
    }

    fn map_alt(&mut self, f: impl FnOnce(&mut Program)) {
        if let Some(a) = &self.alt {
            let mut p = Program::clone(a);
            f(&mut p);
            self.alt = Some(Arc::new(p));
        }
    }

    /// The kind of app that talks to other services (`counter`, `todo`, `vote`, `result`,
    /// `worker`), when the image's own program runs one. See [`crate::apps`].
    pub fn app_kind(&self) -> Option<&str> {
        self.app.as_ref()?.app.as_deref()
    }

    /// The redis server (host and port rendered with the program's env) whose `INCR` a
    /// built web app's `{incr:KEY}` stands for, with the traceback frames of the route
    /// `path` serves.
    pub fn redis_use(&self, method: &str, path: &str) -> Option<RedisUse> {
        let spec = self.app.as_ref()?.redis.as_ref()?;
        let env = [&self.env[..]];
        let ctx = Render {
            unix_ms: 0,
            hostname: &self.hostname,
            env: &env,
            n: 0,
            salt: 0,
            addresses: &self.addresses,
            req: None,
        };
        Some(RedisUse {
            host: render(&spec.host, &ctx),
            port: render(&spec.port, &ctx).trim().parse().unwrap_or(6379),
            file: spec.file.clone(),
            trace: self
                .route_for(method, path)
                .map(|r| r.trace.clone())
                .unwrap_or_default(),
            calls: self
                .route_for(method, path)
                .filter(|r| r.takes(method) && method != "OPTIONS")
                .map(|r| r.redis.clone())
                .unwrap_or_default(),
            decode: spec.decode,
        })
    }

    /// The Flask view that answers `method` on `path`, with the route's arguments: `None`
    /// when no view does (another program, no route, a method the route does not take,
    /// `OPTIONS`, which werkzeug answers itself).
    pub fn py_view(&self, method: &str, path: &str) -> Option<PyView> {
        let spec = self.app.as_ref()?.python.as_ref()?;
        let route = self
            .route_for(method, path)
            .filter(|r| r.takes(method) && method != "OPTIONS")?;
        let view = route.view.clone()?;
        let p = path.split(['?', '#']).next().unwrap_or(path);
        let p = if p.is_empty() { "/" } else { p };
        let args = if route.path.contains('<') {
            crate::pyeval::match_rule(&route.path, p)?
        } else {
            Vec::new()
        };
        Some(PyView {
            file: spec.file.clone(),
            source: spec.source.clone(),
            main: spec.main,
            debug: spec.debug,
            module: spec.module.clone(),
            view,
            args,
        })
    }

    /// The container's first address (`socket.gethostbyname(socket.gethostname())`).
    pub fn address(&self) -> Option<&str> {
        self.addresses.first().map(String::as_str)
    }

    /// The value of environment variable `name` as the program sees it (the container's
    /// `-e` over the image's).
    pub fn env_var(&self, name: &str) -> Option<String> {
        lookup_env(&[&self.env], name)
    }

    /// The container's hostname as the program sees it.
    pub fn hostname(&self) -> &str {
        &self.hostname
    }

    /// Where the app keeps its data (postgres's `PGDATA`, redis's `/data`), if it does.
    pub fn data(&self) -> Option<&DataDir> {
        self.data.as_ref()
    }

    /// True for the variant of a start that found its data initialised.
    pub fn is_warm(&self) -> bool {
        self.warm
    }

    /// The program of a run that found its data initialised (`warm`: postgres skips initdb)
    /// or not; the program itself when the app has no such variant.
    pub fn variant(&self, warm: bool) -> Program {
        if self.warm == warm {
            return self.clone();
        }
        match &self.alt {
            Some(a) => {
                let mut me = self.clone();
                me.alt = None;
                let mut p = Program::clone(a);
                p.alt = Some(Arc::new(me));
                p
            }
            None => self.clone(),
        }
    }

    /// [`Program::variant`] by reference, for reading an earlier run's logs.
    pub fn variant_ref(&self, warm: bool) -> &Program {
        match &self.alt {
            Some(a) if self.warm != warm => a,
            _ => self,
        }
    }

    fn run_app(&mut self, behaviour: Arc<Behaviour>) {
        if let Some(d) = behaviour.data.clone() {
            let dir = if d.dir_env.is_empty() {
                d.dir.clone()
            } else {
                lookup_env(&[&self.env], &d.dir_env)
                    .filter(|v| v.starts_with('/'))
                    .unwrap_or_else(|| d.dir.clone())
            };
            self.data = Some(DataDir {
                dir,
                marker: d.marker.clone(),
                init: d.init.clone().into_iter().collect(),
            });
            if let Some(existing) = &d.existing_resolved {
                let mut warm = self.clone();
                warm.run_behaviour(Arc::clone(existing), false);
                warm.warm = true;
                warm.data = self.data.clone();
                if let Some(w) = &mut warm.data {
                    w.init.clear();
                }
                self.run_behaviour(behaviour, true);
                let mut cold = self.clone();
                cold.alt = None;
                warm.alt = Some(Arc::new(cold));
                self.alt = Some(Arc::new(warm));
                return;
            }
        }
        self.run_behaviour(behaviour, true);
    }

    /// Sets the program up as `behaviour` (or its `unless_env` target when `env_switch` and
    /// no pattern matches: the warm variant of postgres needs no password).
    fn run_behaviour(&mut self, behaviour: Arc<Behaviour>, env_switch: bool) {
        let mut b = behaviour;
        if let Some(switch) = b.unless_env.as_ref().filter(|_| env_switch) {
            let matched = switch.any_of.iter().any(|p| env_matches(&[&self.env], p));
            if !matched {
                if let Some(target) = &switch.resolved {
                    b = Arc::clone(target);
                    // The program that runs instead writes no data.
                    if let Some(d) = &mut self.data {
                        d.init.clear();
                    }
                }
            }
        }
        let mut lines = Vec::new();
        for group in &b.logs.start {
            if group
                .unless_env
                .iter()
                .any(|p| env_matches(&[&self.env], p))
            {
                continue;
            }
            let stream = if group.stderr {
                Stream::Stderr
            } else {
                Stream::Stdout
            };
            for line in &group.lines {
                lines.push(Timed {
                    at: group.at,
                    stream,
                    text: Text::Tpl(line.clone()),
                });
            }
        }
        crate::sort::sort_by_key(&mut lines, |l| l.at);
        self.redis_start_lines(&b, &mut lines);
        let mut segments = Vec::new();
        if let Some(every) = &b.logs.every {
            let stream = if every.stderr {
                Stream::Stderr
            } else {
                Stream::Stdout
            };
            segments.push(Segment {
                start: every.first_ms,
                every: every.ms.max(1),
                count: None,
                lines: every
                    .lines
                    .iter()
                    .map(|l| SegLine {
                        off: 0,
                        stream,
                        text: Text::Tpl(l.clone()),
                    })
                    .collect(),
            });
        }
        self.timeline = Arc::new(Timeline { lines, segments });
        self.exit = b.exit.map(|e| Exit {
            after_ms: e.after_ms,
            code: e.code,
        });
        self.sigterm = match b.sigterm {
            Some(s) if s.ignore => OnSigterm::Ignore,
            Some(s) => OnSigterm::Exit {
                after_ms: s.after_ms,
                code: s.code,
            },
            None => OnSigterm::Exit {
                after_ms: 100,
                code: 0,
            },
        };
        self.startup_ms = b.startup_ms;
        self.ports = b.ports.clone();
        self.cpu_percent = b.cpu_percent;
        self.memory_bytes = (b.memory_mb * MIB) as u64;
        self.app = Some(b);
    }

    /// The arguments after `redis-server` when the program is redis's server.
    fn redis_server_args(&self, b: &Behaviour) -> Option<&[String]> {
        if !b.programs.iter().any(|p| p == "redis-server") {
            return None;
        }
        let i = self
            .argv
            .iter()
            .position(|a| basename(a) == "redis-server")?;
        Some(&self.argv[i + 1..])
    }

    /// A replica (`--replicaof`/`--slaveof`) logs with role `S` from its server's start; a
    /// command line with options loads them ("Configuration loaded") instead of warning that no
    /// configuration file was given (redis's `argc == 1` test).
    fn redis_start_lines(&mut self, b: &Behaviour, lines: &mut [Timed]) {
        let Some(args) = self.redis_server_args(b) else {
            return;
        };
        let replica = redis_replica_args(args);
        let configured = !args.is_empty();
        self.redis_replica = replica;
        for l in lines.iter_mut() {
            if let Text::Tpl(t) = &mut l.text {
                if configured && t.contains("# Warning: no config file specified") {
                    if let Some(i) = t.find("} # Warning") {
                        *t = format!("{}}} * Configuration loaded", &t[..i]);
                    }
                }
                if replica {
                    if let Some(rest) = t.strip_prefix("1:M ") {
                        *t = format!("1:S {rest}");
                    }
                }
            }
        }
    }

    fn run_script(&mut self, script: Script, outcome: Outcome) {
        self.timeline = Arc::new(Timeline {
            lines: script.lines,
            segments: script.segments,
        });
        self.bare_shell = script.bare_shell;
        self.cpu_percent = script.cpu_percent;
        self.memory_bytes = script.memory_bytes;
        self.stub = script.stub;
        match outcome {
            Outcome::Exit(code) => {
                self.exit = Some(Exit {
                    after_ms: script.t,
                    code,
                });
                self.sigterm = OnSigterm::Ignore;
            }
            Outcome::Forever => self.sigterm = OnSigterm::Ignore,
            Outcome::Unknown | Outcome::App => {
                self.sigterm = OnSigterm::Exit {
                    after_ms: 50,
                    code: 0,
                };
            }
        }
    }

    /// Why the command cannot start, as runc says it (`exec: "htpasswd": executable file not
    /// found in $PATH`), for a command the image does not have.
    pub fn exec_error(&self) -> Option<String> {
        self.exec_error.as_ref().map(|name| {
            format!("failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: \"{name}\": executable file not found in $PATH: unknown")
        })
    }

    /// Whether the command is a real tool the interpreter does not emulate (`id`, `pwd`,
    /// `uname -a`): it ends at once with status 0 and no output of its own.
    pub fn is_stub(&self) -> bool {
        self.stub
    }

    /// The effective command line, entrypoint then command (`docker inspect`'s Path and Args,
    /// `docker ps`'s COMMAND).
    pub fn argv(&self) -> Vec<String> {
        self.argv.clone()
    }

    /// When the program ends by itself, if it does (`hello-world`, `sleep 5`, `sh -c 'exit 1'`,
    /// postgres without a password, a shell without a terminal).
    pub fn exit(&self) -> Option<Exit> {
        if self.bare_shell && self.tty {
            return None;
        }
        self.exit
    }

    /// What it does on the stop signal.
    pub fn on_sigterm(&self) -> OnSigterm {
        self.sigterm
    }

    /// Milliseconds from start until it serves requests (and passes HTTP health probes).
    pub fn startup_ms(&self) -> u64 {
        self.startup_ms
    }

    /// The image's healthcheck, if it has one.
    pub fn healthcheck(&self) -> Option<&HealthConfig> {
        self.healthcheck.as_ref()
    }

    /// Whether one run of the image's health test passes `since_start_ms` after start. Without
    /// a healthcheck: true.
    pub fn probe(&self, state: &ProcState, since_start_ms: u64) -> bool {
        match &self.healthcheck {
            Some(h) => self.check(&h.test, state, since_start_ms).exit_code == 0,
            None => true,
        }
    }

    /// Run a health test (the image's, or a service's `--health-cmd` as
    /// `["CMD-SHELL", cmd]`). Understands `curl`, `wget`, diamol's `dotnet
    /// Utilities.HttpCheck.dll -u URL`, `redis-cli ping`, `pg_isready`, `exit`, `true`, `false`
    /// and `echo`, joined by `;`, `&&`, `||`; HTTP checks go to [`Program::request`]'s routes
    /// (refused before [`Program::startup_ms`]), other hosts are assumed to answer 200. Other
    /// commands pass once the program has started.
    pub fn check(&self, test: &[String], state: &ProcState, since_start_ms: u64) -> ProbeResult {
        let list = match test.first().map(String::as_str) {
            None | Some("NONE") => {
                return ProbeResult {
                    exit_code: 0,
                    output: String::new(),
                }
            }
            Some("CMD-SHELL") => {
                let script = test.get(1..).unwrap_or_default().join(" ");
                let env = [&self.env[..]];
                match tokenize(&script, &env) {
                    Some(tokens) => parse_list(&tokens),
                    None => vec![(Op::Seq, Cmd::Unsupported)],
                }
            }
            Some("CMD") => {
                let words = test
                    .get(1..)
                    .unwrap_or_default()
                    .iter()
                    .map(|w| vec![Piece::Lit(w.clone())])
                    .collect();
                vec![(Op::Seq, Cmd::simple(words))]
            }
            Some(_) => {
                return ProbeResult {
                    exit_code: 1,
                    output: "unknown healthcheck type".to_string(),
                }
            }
        };
        let mut status = 0;
        let mut output = String::new();
        for (op, cmd) in &list {
            match op {
                Op::And if status != 0 => continue,
                Op::Or if status == 0 => continue,
                _ => {}
            }
            let words = match cmd {
                Cmd::Simple { words, .. } => words.iter().map(flatten).collect::<Vec<_>>(),
                _ => {
                    status = 0;
                    continue;
                }
            };
            match self.check_command(&words, state, since_start_ms, &mut output) {
                CheckStep::Status(s) => status = s,
                CheckStep::Exit(s) => {
                    status = s;
                    break;
                }
            }
        }
        ProbeResult {
            exit_code: status,
            output,
        }
    }

    fn check_command(
        &self,
        words: &[String],
        state: &ProcState,
        since: u64,
        out: &mut String,
    ) -> CheckStep {
        let words: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .skip_while(|w| *w == "exec" || is_assignment(w))
            .collect();
        let Some(&name) = words.first() else {
            return CheckStep::Status(0);
        };
        let args = &words[1..];
        let started = since >= self.startup_ms;
        match basename(name) {
            "true" | ":" => CheckStep::Status(0),
            "false" => CheckStep::Status(1),
            "exit" => CheckStep::Exit(args.first().and_then(|a| parse_exit_code(a)).unwrap_or(0)),
            "echo" => {
                out.push_str(&args.join(" "));
                out.push('\n');
                CheckStep::Status(0)
            }
            "curl" => CheckStep::Status(self.check_curl(args, state, since, out)),
            "wget" => CheckStep::Status(self.check_wget(args, state, since, out)),
            "dotnet"
                if args
                    .first()
                    .is_some_and(|a| basename(a) == "Utilities.HttpCheck.dll") =>
            {
                CheckStep::Status(self.check_httpcheck(&args[1..], state, since, out))
            }
            "redis-cli" => {
                if started && self.ports.contains(&6379) {
                    out.push_str("PONG\n");
                    CheckStep::Status(0)
                } else {
                    out.push_str(
                        "Could not connect to Redis at 127.0.0.1:6379: Connection refused\n",
                    );
                    CheckStep::Status(1)
                }
            }
            "pg_isready" => {
                if started && self.ports.contains(&5432) {
                    out.push_str("/var/run/postgresql:5432 - accepting connections\n");
                    CheckStep::Status(0)
                } else {
                    out.push_str("/var/run/postgresql:5432 - no response\n");
                    CheckStep::Status(2)
                }
            }
            _ => CheckStep::Status(if started { 0 } else { 1 }),
        }
    }

    fn fetch(&self, url: &str, state: &ProcState, since: u64) -> Fetch {
        let Some(target) = parse_url(url) else {
            return Fetch::BadUrl;
        };
        let local = matches!(
            target.host.as_str(),
            "localhost" | "127.0.0.1" | "0.0.0.0" | "::1" | "[::1]"
        ) || (!self.hostname.is_empty() && target.host == self.hostname);
        if !local {
            return Fetch::Reply(HttpReply {
                status: 200,
                ..HttpReply::default()
            });
        }
        if since < self.startup_ms || !self.ports.contains(&target.port) {
            return Fetch::Refused(target);
        }
        let mut req = HttpRequest::get(target.port, &target.path);
        req.host = &target.host;
        match self.reply(state, &req) {
            Some(exchange) => Fetch::Reply(exchange.reply),
            None => Fetch::Refused(target),
        }
    }

    fn check_curl(&self, args: &[&str], state: &ProcState, since: u64, out: &mut String) -> i32 {
        let mut fail = false;
        let mut silent = false;
        let mut show_error = false;
        let mut to_file = false;
        let mut url = None;
        let mut i = 0;
        while let Some(&a) = args.get(i) {
            i += 1;
            match a {
                "-f" | "--fail" | "--fail-with-body" => fail = true,
                "-s" | "--silent" => silent = true,
                "-S" | "--show-error" => show_error = true,
                "-o" | "--output" => {
                    to_file = args.get(i).is_some_and(|f| *f != "-");
                    i += 1;
                }
                "-X" | "--request" | "-H" | "--header" | "-m" | "--max-time" | "-w"
                | "--write-out" | "-u" | "--user" | "-d" | "--data" | "--connect-timeout"
                | "-A" | "--user-agent" | "-e" | "--referer" | "--retry" | "--retry-delay" => {
                    i += 1
                }
                _ if a.starts_with("--") => {}
                _ if a.starts_with('-') && a.len() > 1 => {
                    fail |= a.contains('f');
                    silent |= a.contains('s');
                    show_error |= a.contains('S');
                }
                _ => url = url.or(Some(a)),
            }
        }
        let Some(url) = url else {
            out.push_str("curl: no URL specified!\n");
            return 2;
        };
        let errors = !silent || show_error;
        if !silent {
            out.push_str(
                "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n",
            );
            out.push_str(
                "                                 Dload  Upload   Total   Spent    Left  Speed\n",
            );
        }
        match self.fetch(url, state, since) {
            Fetch::BadUrl => {
                if errors {
                    out.push_str("curl: (3) URL rejected: Malformed input to a URL function\n");
                }
                3
            }
            Fetch::Refused(t) => {
                if !silent {
                    out.push_str("\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0\n");
                }
                if errors {
                    out.push_str(&format!(
                        "curl: (7) Failed to connect to {} port {} after 0 ms: Couldn't connect to server\n",
                        t.host, t.port
                    ));
                }
                7
            }
            Fetch::Reply(reply) => {
                let n = reply.body.len();
                if fail && reply.status >= 400 {
                    if !silent {
                        out.push_str("\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0\n");
                    }
                    if errors {
                        out.push_str(&format!(
                            "curl: (22) The requested URL returned error: {}\n",
                            reply.status
                        ));
                    }
                    return 22;
                }
                if !silent {
                    out.push_str(&format!(
                        "\r100 {n:>5}  100 {n:>5}    0     0   {:>5}      0 --:--:-- --:--:-- --:--:-- {:>5}\n",
                        n * 50,
                        n * 50
                    ));
                }
                if !to_file {
                    out.push_str(&reply.body);
                }
                0
            }
        }
    }

    fn check_wget(&self, args: &[&str], state: &ProcState, since: u64, out: &mut String) -> i32 {
        let mut quiet = false;
        let mut spider = false;
        let mut to_stdout = false;
        let mut url = None;
        let mut i = 0;
        while let Some(&a) = args.get(i) {
            i += 1;
            match a {
                "-q" | "--quiet" => quiet = true,
                "--spider" => spider = true,
                "-O" => {
                    to_stdout = args.get(i) == Some(&"-");
                    i += 1;
                }
                "-O-" => to_stdout = true,
                "-T" | "-t" | "--header" | "-U" | "--user-agent" => i += 1,
                _ if a.starts_with('-') => {}
                _ => url = url.or(Some(a)),
            }
        }
        let Some(url) = url else {
            out.push_str("wget: missing URL\n");
            return 1;
        };
        match self.fetch(url, state, since) {
            Fetch::BadUrl => {
                out.push_str(&format!("wget: bad address '{url}'\n"));
                1
            }
            Fetch::Refused(t) => {
                if !quiet {
                    out.push_str(&format!(
                        "Connecting to {} (127.0.0.1:{})\n",
                        t.host, t.port
                    ));
                }
                out.push_str(
                    "wget: can't connect to remote host (127.0.0.1): Connection refused\n",
                );
                1
            }
            Fetch::Reply(reply) => {
                if !quiet {
                    out.push_str(&format!("Connecting to {url}\n"));
                }
                if reply.status >= 400 {
                    out.push_str(&format!(
                        "wget: server returned error: HTTP/1.1 {} {}\n",
                        reply.status,
                        reason(reply.status)
                    ));
                    return 1;
                }
                if to_stdout && !spider {
                    out.push_str(&reply.body);
                } else if spider && !quiet {
                    out.push_str("remote file exists\n");
                }
                0
            }
        }
    }

    fn check_httpcheck(
        &self,
        args: &[&str],
        state: &ProcState,
        since: u64,
        out: &mut String,
    ) -> i32 {
        let mut url = "http://localhost".to_string();
        let mut timeout_ms = 300;
        let mut log_success = true;
        let mut i = 0;
        while let Some(&a) = args.get(i) {
            i += 1;
            match a {
                "-u" | "-Url" => {
                    if let Some(u) = args.get(i) {
                        url = u.to_string();
                    }
                    i += 1;
                }
                "-c" | "-UrlFromConfigSetting" => {
                    if let Some(key) = args.get(i) {
                        if let Some(u) = config_env(&[&self.env], key) {
                            url = u;
                        }
                    }
                    i += 1;
                }
                "-t" | "-TimeoutMilliseconds" => {
                    timeout_ms = args
                        .get(i)
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(timeout_ms);
                    i += 1;
                }
                "-ls" | "-LogSuccess" => {
                    if let Some(v) = args.get(i).filter(|v| !v.starts_with('-')) {
                        log_success = !v.eq_ignore_ascii_case("false");
                        i += 1;
                    }
                }
                _ => {}
            }
        }
        let took = 8 + mix(&[self.hostname.as_bytes(), &since.to_le_bytes()]) % 30;
        match self.fetch(&url, state, since) {
            Fetch::Reply(reply) => {
                if log_success {
                    out.push_str(&format!(
                        "HTTP: status {}, took {took}ms\n",
                        dotnet_status_name(reply.status)
                    ));
                }
                if reply.status == 200 && took < timeout_ms {
                    0
                } else {
                    1
                }
            }
            Fetch::Refused(_) => {
                out.push_str("HTTP: error. Exception Connection refused\n");
                1
            }
            Fetch::BadUrl => {
                out.push_str("HTTP: error. Exception An invalid request URI was provided.\n");
                1
            }
        }
    }

    /// An HTTP `GET` to the container on `port` (curl/wget from anywhere end up here), counting
    /// toward [`ProcState::requests`] and breaking the app when it breaks. `None` when nothing
    /// listens on that port. The caller decides reachability and waits for
    /// [`Program::startup_ms`].
    pub fn request(&self, state: &mut ProcState, port: u16, path: &str) -> Option<HttpReply> {
        self.handle(state, &HttpRequest::get(port, path))
            .map(|exchange| exchange.reply)
    }

    /// [`Program::request`] with the request's details, returning also the lines the app logs
    /// for it (nginx's access log, the numbers API's `Unhealthy!` warning), to be appended to
    /// the container's log at the request's time.
    pub fn handle(&self, state: &mut ProcState, req: &HttpRequest) -> Option<HttpExchange> {
        let app = self.app.as_ref()?;
        app.http.as_ref()?;
        if !self.ports.contains(&req.port) {
            return None;
        }
        if let Some(route) = self.route_for(req.method, req.path) {
            if route.counts {
                state.requests = state.requests.saturating_add(1);
                if app.breaks_after.is_some_and(|n| state.requests > n) {
                    state.broken = true;
                }
            }
        }
        self.reply(state, req)
    }

    /// The reply without side effects (what a health probe sees).
    fn reply(&self, state: &ProcState, req: &HttpRequest) -> Option<HttpExchange> {
        let app = self.app.as_ref()?;
        let http = app.http.as_ref()?;
        if !self.ports.contains(&req.port) {
            return None;
        }
        let broken = state.broken || app.broken_at_start;
        let route = self.route_for(req.method, req.path);
        let mut headers = Vec::new();
        let allowed = route
            .filter(|r| !r.takes(req.method) || (req.method == "OPTIONS" && !r.methods.is_empty()))
            .map(|r| {
                let mut all: Vec<&str> = http
                    .routes
                    .iter()
                    .filter(|o| o.path == r.path && o.prefix == r.prefix)
                    .flat_map(|o| o.allowed())
                    .collect();
                all.sort_unstable();
                all.dedup();
                all.join(", ")
            });
        let (status, content_type, body, logs): (u16, &str, &str, &[String]) =
            match (route, &http.not_allowed, allowed) {
                (Some(_), _, Some(allow)) if req.method == "OPTIONS" => {
                    headers.push(("Allow".to_string(), allow));
                    (200, "text/html; charset=utf-8", "", &[])
                }
                (Some(_), Some(na), Some(allow)) => {
                    headers.push(("Allow".to_string(), allow));
                    (na.status, &na.content_type, &na.body, &[])
                }
                (Some(route), _, _) => match (&route.broken, broken) {
                    (Some(b), true) => (b.status, &b.content_type, &b.body, &route.broken_log),
                    _ => (route.status, &route.content_type, &route.body, &route.log),
                },
                (None, _, _) => (
                    http.not_found.status,
                    &http.not_found.content_type,
                    &http.not_found.body,
                    &[],
                ),
            };
        let n = state.requests;
        let vars = ReqVars::of(req, status, 0, n);
        let body = self.render_for(body, req, &vars, n);
        let vars = ReqVars {
            bytes: body.len(),
            ..vars
        };
        let mut lines: Vec<(Stream, String)> = logs
            .iter()
            .map(|l| (Stream::Stdout, self.render_for(l, req, &vars, n)))
            .collect();
        if let Some(access) = &http.access_log {
            let stream = if http.access_log_stderr {
                Stream::Stderr
            } else {
                Stream::Stdout
            };
            lines.push((stream, self.render_for(access, req, &vars, n)));
        }
        Some(HttpExchange {
            reply: HttpReply {
                status,
                body,
                content_type: content_type.to_string(),
                headers,
            },
            logs: lines,
        })
    }

    /// The reply as the server sends it, once its body is final: with a `server` (werkzeug's
    /// development server), the whole header block in its order.
    pub fn finish_reply(&self, reply: &mut HttpReply, req: &HttpRequest) {
        let Some(server) = self
            .app
            .as_ref()
            .and_then(|a| a.http.as_ref())
            .and_then(|h| h.server.as_ref())
        else {
            return;
        };
        let vars = ReqVars::of(req, reply.status, 0, 0);
        let mut hs = vec![
            ("Server".to_string(), self.render_for(server, req, &vars, 0)),
            ("Date".to_string(), http_date(req.now_unix_ms)),
            ("Content-Type".to_string(), reply.content_type.clone()),
            ("Content-Length".to_string(), reply.body.len().to_string()),
        ];
        hs.append(&mut reply.headers);
        hs.push(("Connection".to_string(), "close".to_string()));
        reply.headers = hs;
    }

    /// Whether the program listens on the loopback interface only, out of reach from
    /// outside its container.
    pub fn loopback_only(&self) -> bool {
        self.app.as_ref().is_some_and(|a| a.loopback)
    }

    /// The document root of the web server this program is, if it serves files (nginx's
    /// `/usr/share/nginx/html`, httpd's `htdocs`): `World::container_serve` answers its
    /// requests from the container's files there.
    pub fn docroot(&self) -> Option<&str> {
        self.app.as_ref()?.http.as_ref()?.docroot.as_deref()
    }

    /// The server's own page for an error `status` (404 as its data file says; 403 and 301
    /// in the same style), and its content type.
    pub fn error_page(&self, status: u16, req: &HttpRequest) -> (String, String) {
        let Some(http) = self.app.as_ref().and_then(|a| a.http.as_ref()) else {
            return ("text/plain".into(), String::new());
        };
        let nf = &http.not_found;
        let body = match status {
            404 => nf.body.clone(),
            403 => nf
                .body
                .replace("404 Not Found", "403 Forbidden")
                .replace(
                    "The requested URL was not found on this server.",
                    "You don't have permission to access this resource.",
                )
                .replace("<h1>Not Found</h1>", "<h1>Forbidden</h1>"),
            _ => nf
                .body
                .replace("404 Not Found", "301 Moved Permanently")
                .replace(
                    "<p>The requested URL was not found on this server.</p>",
                    "<p>The document has moved.</p>",
                )
                .replace("<h1>Not Found</h1>", "<h1>Moved Permanently</h1>"),
        };
        let vars = ReqVars::of(req, status, 0, 0);
        (
            nf.content_type.clone(),
            self.render_for(&body, req, &vars, 0),
        )
    }

    /// `reply`, made by the caller from the container's files, with the access log line
    /// the program writes for it.
    pub fn file_exchange(
        &self,
        state: &ProcState,
        req: &HttpRequest,
        reply: HttpReply,
    ) -> HttpExchange {
        let mut logs = Vec::new();
        if let Some(http) = self.app.as_ref().and_then(|a| a.http.as_ref()) {
            if let Some(access) = &http.access_log {
                let bytes = if req.method == "HEAD" {
                    0
                } else {
                    reply.body.len()
                };
                let vars = ReqVars::of(req, reply.status, bytes, state.requests);
                let line = self.render_for(access, req, &vars, state.requests);
                let stream = if http.access_log_stderr {
                    Stream::Stderr
                } else {
                    Stream::Stdout
                };
                logs.push((stream, line));
            }
        }
        HttpExchange { reply, logs }
    }

    /// `template` rendered for a request: its variables, the program's env and names, `n`
    /// as the request count.
    fn render_for(&self, template: &str, req: &HttpRequest, vars: &ReqVars, n: u64) -> String {
        let env = [&self.env[..]];
        render(
            template,
            &Render {
                unix_ms: req.now_unix_ms,
                hostname: &self.hostname,
                env: &env,
                n,
                salt: n,
                addresses: &self.addresses,
                req: Some(vars),
            },
        )
    }

    /// The route for `method` and `path`: one that takes the method, else the first with
    /// the path (which answers 405 when it does not take it).
    fn route_for(&self, method: &str, path: &str) -> Option<&Route> {
        let http = self.app.as_ref()?.http.as_ref()?;
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let path = if path.is_empty() { "/" } else { path };
        let rule = |r: &&Route| {
            r.view.is_some()
                && r.path.contains('<')
                && crate::pyeval::match_rule(&r.path, path).is_some()
        };
        http.routes
            .iter()
            .find(|r| !r.prefix && r.path == path && r.takes(method))
            .or_else(|| http.routes.iter().find(|r| !r.prefix && r.path == path))
            .or_else(|| http.routes.iter().find(|r| rule(r) && r.takes(method)))
            .or_else(|| http.routes.iter().find(rule))
            .or_else(|| {
                http.routes
                    .iter()
                    .filter(|r| r.prefix && path.starts_with(&r.path))
                    .max_by_key(|r| r.path.len())
            })
    }

    /// A dependency check to run at start, if the image's command has one.
    pub fn startup_check(&self) -> Option<StartupCheck> {
        let spec = self.app.as_ref()?.startup_check.as_ref()?;
        let url =
            config_env(&[&self.env], &spec.url_env).unwrap_or_else(|| spec.default_url.clone());
        Some(StartupCheck {
            url,
            timeout_ms: spec.timeout_ms,
        })
    }

    /// Log lines with offsets in `[from_ms, to_ms)` since start, in order; at most
    /// [`LOG_CAP`] (the latest). Costs O(lines returned), however long the window.
    pub fn logs(&self, ctx: &LogContext, from_ms: u64, to_ms: u64) -> Vec<LogLine> {
        if from_ms >= to_ms {
            return Vec::new();
        }
        let mut picks: Vec<Pick> = Vec::new();
        let lines = &self.timeline.lines;
        let hi = lines.partition_point(|l| l.at < to_ms);
        let lo = lines
            .partition_point(|l| l.at < from_ms)
            .max(hi.saturating_sub(LOG_CAP));
        for i in lo..hi {
            if let Some(line) = lines.get(i) {
                picks.push(Pick {
                    at: line.at,
                    source: 0,
                    k: 0,
                    idx: i,
                });
            }
        }
        for (s, seg) in self.timeline.segments.iter().enumerate() {
            if to_ms <= seg.start || seg.lines.is_empty() {
                continue;
            }
            let every = seg.every.max(1);
            let mut k_end = (to_ms - 1 - seg.start) / every + 1;
            if let Some(count) = seg.count {
                k_end = k_end.min(count);
            }
            let max_off = seg.lines.iter().map(|l| l.off).max().unwrap_or(0);
            let reach = seg.start.saturating_add(max_off);
            let k_begin = if from_ms > reach {
                (from_ms - reach).div_ceil(every)
            } else {
                0
            };
            let mut taken = 0;
            let mut k = k_end;
            while k > k_begin && taken < LOG_CAP {
                k -= 1;
                let base = seg.start.saturating_add(k.saturating_mul(every));
                for (idx, line) in seg.lines.iter().enumerate().rev() {
                    let at = base.saturating_add(line.off);
                    if at >= from_ms && at < to_ms {
                        picks.push(Pick {
                            at,
                            source: s + 1,
                            k,
                            idx,
                        });
                        taken += 1;
                    }
                }
            }
        }
        crate::sort::sort_by_key(&mut picks, |p| (p.at, p.source, p.k, p.idx));
        let skip = picks.len().saturating_sub(LOG_CAP);
        let hostname = if ctx.hostname.is_empty() {
            self.hostname.as_str()
        } else {
            ctx.hostname
        };
        let env = [ctx.env, &self.env[..]];
        picks
            .iter()
            .skip(skip)
            .filter_map(|p| {
                let (stream, text) = if p.source == 0 {
                    let line = lines.get(p.idx)?;
                    (line.stream, &line.text)
                } else {
                    let line = self.timeline.segments.get(p.source - 1)?.lines.get(p.idx)?;
                    (line.stream, &line.text)
                };
                let render_ctx = Render {
                    unix_ms: ctx.start_unix_ms.saturating_add(p.at as i64),
                    hostname,
                    env: &env,
                    n: p.k,
                    salt: p.at,
                    addresses: &self.addresses,
                    req: None,
                };
                Some(LogLine {
                    offset_ms: p.at,
                    stream,
                    text: text.render(&render_ctx),
                })
            })
            .collect()
    }

    /// The lines the program prints when it gets the stop signal at `at_ms` after start
    /// (nginx's shutdown notices, redis's "bye bye"). Empty for programs that ignore it.
    pub fn stop_logs(&self, ctx: &LogContext, at_ms: u64) -> Vec<LogLine> {
        let Some(app) = &self.app else {
            return Vec::new();
        };
        if self.sigterm == OnSigterm::Ignore {
            return Vec::new();
        }
        let hostname = if ctx.hostname.is_empty() {
            self.hostname.as_str()
        } else {
            ctx.hostname
        };
        let env = [ctx.env, &self.env[..]];
        let mut out = Vec::new();
        for group in &app.logs.stop {
            let stream = if group.stderr {
                Stream::Stderr
            } else {
                Stream::Stdout
            };
            let at = at_ms.saturating_add(group.at);
            for line in &group.lines {
                let render_ctx = Render {
                    unix_ms: ctx.start_unix_ms.saturating_add(at as i64),
                    hostname,
                    env: &env,
                    n: 0,
                    salt: at,
                    addresses: &self.addresses,
                    req: None,
                };
                let mut text = render(line, &render_ctx);
                if self.redis_replica {
                    if let Some(rest) = text.strip_prefix("1:M ") {
                        text = format!("1:S {rest}");
                    }
                }
                out.push(LogLine {
                    offset_ms: at,
                    stream,
                    text,
                });
            }
        }
        out
    }

    /// CPU use for `docker stats`, percent of one core.
    pub fn cpu_percent(&self) -> f64 {
        self.cpu_percent
    }

    /// Resident memory for `docker stats`.
    pub fn memory_bytes(&self) -> u64 {
        self.memory_bytes
    }

    /// The TCP ports it listens on.
    pub fn ports(&self) -> Vec<u16> {
        self.ports.clone()
    }
}

enum CheckStep {
    Status(i32),
    Exit(i32),
}

enum Fetch {
    BadUrl,
    Refused(Url),
    Reply(HttpReply),
}

struct Url {
    host: String,
    port: u16,
    path: String,
}

/// `%xx` escapes decoded (an invalid one kept as it is); with `form`, `+` is a space too
/// (`application/x-www-form-urlencoded`, query strings).
pub fn percent_decode(s: &str, form: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
        match (bytes[i], hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) if form => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_url(url: &str) -> Option<Url> {
    let (default_port, rest) = if let Some(r) = url.strip_prefix("http://") {
        (80, r)
    } else if let Some(r) = url.strip_prefix("https://") {
        (443, r)
    } else if url.contains("://") {
        return None;
    } else {
        (80, url)
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = if authority.starts_with('[') {
        match authority.rsplit_once("]:") {
            Some((h, p)) => (format!("{h}]"), p.parse().ok()?),
            None => (authority.to_string(), default_port),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()?),
            None => (authority.to_string(), default_port),
        }
    };
    if host.is_empty() {
        return None;
    }
    Some(Url {
        host,
        port,
        path: path.to_string(),
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// .NET's `HttpStatusCode` names, as Utilities.HttpCheck prints them.
fn dotnet_status_name(status: u16) -> String {
    match status {
        200 => "OK".to_string(),
        s => {
            let r: String = reason(s).split_whitespace().collect();
            if r.is_empty() {
                s.to_string()
            } else {
                r
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// Timelines: log lines by arithmetic
// ------------------------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
struct Timeline {
    /// Lines printed once, sorted by `at`.
    lines: Vec<Timed>,
    /// Lines repeated every `every` ms.
    segments: Vec<Segment>,
}

#[derive(Clone, Debug)]
struct Timed {
    at: u64,
    stream: Stream,
    text: Text,
}

#[derive(Clone, Debug)]
struct Segment {
    start: u64,
    every: u64,
    /// Iterations; `None` = forever.
    count: Option<u64>,
    lines: Vec<SegLine>,
}

#[derive(Clone, Debug)]
struct SegLine {
    off: u64,
    stream: Stream,
    text: Text,
}

struct Pick {
    at: u64,
    source: usize,
    k: u64,
    idx: usize,
}

#[derive(Clone, Debug)]
enum Text {
    /// A data template (see [`render`]).
    Tpl(String),
    /// Shell output: literal text with the hostname spliced in.
    Pieces(Vec<Piece>),
    /// `64 bytes from IP: seq=N ttl=T time=X ms`, N = the iteration.
    PingReply { ip: String, size: u32 },
    /// Line `part` (0 to 2) of busybox ping's summary after `count` replies.
    PingStats {
        host: String,
        ip: String,
        count: u64,
        part: u8,
    },
}

impl Text {
    fn render(&self, ctx: &Render) -> String {
        match self {
            Text::Tpl(t) => render(t, ctx),
            Text::Pieces(pieces) => pieces
                .iter()
                .map(|p| match p {
                    Piece::Lit(s) => s.as_str(),
                    Piece::Hostname => ctx.hostname,
                })
                .collect(),
            Text::PingReply { ip, size } => {
                let us = ping_rtt_us(ctx.hostname, ip, ctx.n);
                format!(
                    "{} bytes from {ip}: seq={} ttl={} time={}.{:03} ms",
                    size.saturating_add(8),
                    ctx.n,
                    ping_ttl(ip),
                    us / 1000,
                    us % 1000
                )
            }
            Text::PingStats {
                host,
                ip,
                count,
                part,
            } => {
                match part {
                    0 => return format!("--- {host} ping statistics ---"),
                    1 => {
                        return format!(
                            "{count} packets transmitted, {count} packets received, 0% packet loss"
                        )
                    }
                    _ => {}
                }
                let samples = (*count).min(100_000);
                let (mut min, mut max, mut sum) = (u64::MAX, 0u64, 0u64);
                for seq in 0..samples {
                    let us = ping_rtt_us(ctx.hostname, ip, seq);
                    min = min.min(us);
                    max = max.max(us);
                    sum += us;
                }
                let avg = sum / samples.max(1);
                let min = if samples == 0 { 0 } else { min };
                let ms = |us: u64| format!("{}.{:03}", us / 1000, us % 1000);
                format!(
                    "round-trip min/avg/max = {}/{}/{} ms",
                    ms(min),
                    ms(avg),
                    ms(max)
                )
            }
        }
    }
}

fn ping_rtt_us(hostname: &str, ip: &str, seq: u64) -> u64 {
    let h = mix(&[hostname.as_bytes(), ip.as_bytes(), &seq.to_le_bytes()]);
    if ip.starts_with("127.") {
        30 + h % 60
    } else if is_private(ip) {
        60 + h % 190
    } else {
        9_000 + h % 16_000
    }
}

fn ping_ttl(ip: &str) -> u32 {
    if ip.starts_with("127.") || is_private(ip) {
        64
    } else {
        117
    }
}

fn is_private(ip: &str) -> bool {
    let octets: Vec<u8> = ip.split('.').filter_map(|o| o.parse().ok()).collect();
    matches!(octets.as_slice(), [10, ..] | [192, 168, ..])
        || matches!(octets.as_slice(), [172, b, ..] if (16..32).contains(b))
}

/// A stable address for a name: IPv4 literals as they are, `localhost` the loopback, dotted
/// names a public-looking address, single-label names (services) an overlay-looking 10.0.x.y.
pub(crate) fn resolve_host(host: &str) -> String {
    if host == "localhost" {
        return "127.0.0.1".to_string();
    }
    if host.parse::<std::net::Ipv4Addr>().is_ok() {
        return host.to_string();
    }
    let h = mix(&[host.as_bytes()]);
    if host.contains('.') {
        let first = [34u64, 104, 142, 151, 185, 216][(h % 6) as usize];
        format!(
            "{first}.{}.{}.{}",
            (h >> 8) % 256,
            (h >> 16) % 256,
            1 + (h >> 24) % 254
        )
    } else {
        format!("10.0.{}.{}", 1 + (h >> 8) % 8, 2 + (h >> 16) % 250)
    }
}

// ------------------------------------------------------------------------------------------
// Templates
// ------------------------------------------------------------------------------------------

struct Render<'a> {
    unix_ms: i64,
    hostname: &'a str,
    /// Env lists, searched in order, each from its end.
    env: &'a [&'a [String]],
    /// The repetition number (periodic lines) or request count.
    n: u64,
    /// Extra entropy for `{rand}`.
    salt: u64,
    addresses: &'a [String],
    req: Option<&'a ReqVars<'a>>,
}

#[derive(Clone, Copy)]
struct ReqVars<'a> {
    method: &'a str,
    path: &'a str,
    host: &'a str,
    client: &'a str,
    user_agent: &'a str,
    status: u16,
    bytes: usize,
    requests: u64,
    body: &'a str,
}

impl<'a> ReqVars<'a> {
    fn of(req: &HttpRequest<'a>, status: u16, bytes: usize, requests: u64) -> ReqVars<'a> {
        ReqVars {
            body: req.body,
            method: req.method,
            path: req.path,
            host: req.host,
            client: req.client,
            user_agent: req.user_agent,
            status,
            bytes,
            requests,
        }
    }
}

/// Go's `r.RemoteAddr` for a request from `client`: the address and its source port, one of
/// the kernel's ephemeral range drawn from `seed` and `salt` (a new one per connection); a
/// client that already carries a port keeps it.
pub(crate) fn remote_addr(client: &str, seed: u64, salt: &[u8]) -> String {
    if client.contains(':') {
        return client.to_string();
    }
    let h = salt
        .iter()
        .fold(seed, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(*b)));
    let port = 32768 + (h.wrapping_mul(2_654_435_761) >> 7) % 28_232;
    format!("{client}:{port}")
}

/// Expand `{name}` / `{name:arg}` placeholders; anything else in braces stays as it is.
fn render(template: &str, ctx: &Render) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(j) = after.find('}') {
            if let Some(value) = placeholder(&after[..j], ctx) {
                out.push_str(&value);
                rest = &after[j + 1..];
                continue;
            }
        }
        out.push('{');
        rest = after;
    }
    out.push_str(rest);
    out
}

fn placeholder(inner: &str, ctx: &Render) -> Option<String> {
    let (name, arg) = match inner.split_once(':') {
        Some((n, a)) => (n, Some(a)),
        None => (inner, None),
    };
    let req = ctx.req;
    Some(match (name, arg) {
        ("time", Some(fmt)) => strftime(ctx.unix_ms, fmt),
        ("unix", None) => ctx.unix_ms.div_euclid(1000).to_string(),
        ("env", Some(spec)) => {
            let (var, default) = match spec.split_once('|') {
                Some((v, d)) => (v, d),
                None => (spec, ""),
            };
            lookup_env(ctx.env, var).unwrap_or_else(|| default.to_string())
        }
        ("hostname", None) => ctx.hostname.to_string(),
        ("n", None) => ctx.n.to_string(),
        ("rand", Some(range)) => {
            let (lo, hi) = parse_range(range)?;
            let h = mix(&[
                ctx.hostname.as_bytes(),
                &ctx.salt.to_le_bytes(),
                &ctx.n.to_le_bytes(),
            ]);
            (lo + h % (hi - lo + 1)).to_string()
        }
        ("rng", Some(range)) => {
            let (lo, hi) = parse_range(range)?;
            let h = mix(&[b"rng", ctx.hostname.as_bytes(), &ctx.n.to_le_bytes()]);
            (lo + h % (hi - lo + 1)).to_string()
        }
        // werkzeug's debugger PIN: nine digits from the machine (the container).
        ("pin", None) => {
            let n = mix(&[b"pin", ctx.hostname.as_bytes()]) % 1_000_000_000;
            format!(
                "{:03}-{:03}-{:03}",
                n / 1_000_000,
                n / 1000 % 1000,
                n % 1000
            )
        }
        ("uuid", seed) => uuid(&format!("{}/{}", ctx.hostname, seed.unwrap_or(""))),
        ("ip_of", Some(host)) => resolve_host(host),
        ("ip", None) => ctx
            .addresses
            .first()
            .map_or("127.0.0.1", String::as_str)
            .to_string(),
        ("ips", None) => {
            let mut s = String::from("IP: 127.0.0.1\nIP: ::1\n");
            for a in ctx.addresses {
                s.push_str("IP: ");
                s.push_str(a);
                s.push('\n');
            }
            s
        }
        // `r.RemoteAddr`: the address and the client's source port (one of the kernel's
        // ephemeral range, a new one per connection).
        ("client", None) => {
            let r = req?;
            remote_addr(r.client, r.requests, r.client.as_bytes())
        }
        ("client_ip", None) => {
            let c = req?.client;
            match c.rsplit_once(':') {
                Some((ip, port)) if !ip.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                    ip.trim_start_matches('[').trim_end_matches(']').to_string()
                }
                _ => c.to_string(),
            }
        }
        ("method", None) => req?.method.to_string(),
        ("path", None) => req?.path.to_string(),
        ("host", None) => req?.host.to_string(),
        ("ua", None) => req?.user_agent.to_string(),
        ("status", None) => req?.status.to_string(),
        ("bytes", None) => req?.bytes.to_string(),
        ("requests", None) => req?.requests.to_string(),
        // A string field of the JSON body, as node prints a missing one (`undefined`).
        ("body_json", Some(key)) => serde_json::from_str::<serde_json::Value>(req?.body)
            .ok()
            .and_then(|v| match v.get(key) {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Null) => Some("null".to_string()),
                Some(other) => Some(other.to_string()),
                None => None,
            })
            .unwrap_or_else(|| "undefined".to_string()),
        _ => return None,
    })
}

fn parse_range(range: &str) -> Option<(u64, u64)> {
    let (lo, hi) = range.split_once('-')?;
    let (lo, hi): (u64, u64) = (lo.trim().parse().ok()?, hi.trim().parse().ok()?);
    (lo <= hi && hi < u64::MAX).then_some((lo, hi))
}

fn uuid(seed: &str) -> String {
    let a = mix(&[b"uuid-a", seed.as_bytes()]);
    let b = mix(&[b"uuid-b", seed.as_bytes()]);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

fn lookup_env(lists: &[&[String]], name: &str) -> Option<String> {
    lists.iter().find_map(|list| {
        list.iter().rev().find_map(|kv| match kv.split_once('=') {
            Some((k, v)) if k == name => Some(v.to_string()),
            _ => None,
        })
    })
}

/// .NET configuration keys: `RngApi:Url` is also `RngApi__Url` in the environment.
fn config_env(lists: &[&[String]], key: &str) -> Option<String> {
    lookup_env(lists, key)
        .or_else(|| lookup_env(lists, &key.replace(':', "__")))
        .or_else(|| lookup_env(lists, &key.replace("__", ":")))
}

/// `NAME` matches a set, non-empty variable; `NAME=value` an equal one (ASCII case ignored).
fn env_matches(lists: &[&[String]], pattern: &str) -> bool {
    match pattern.split_once('=') {
        Some((name, value)) => {
            lookup_env(lists, name).is_some_and(|v| v.eq_ignore_ascii_case(value))
        }
        None => lookup_env(lists, pattern).is_some_and(|v| !v.is_empty()),
    }
}

// ------------------------------------------------------------------------------------------
// Time formatting
// ------------------------------------------------------------------------------------------

/// `YYYY-MM-DDTHH:MM:SSZ` to unix seconds.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    Some(days_from_civil(y, mo as u32, d as u32) * 86_400 + h * 3600 + mi * 60 + se)
}

/// An HTTP date (RFC 1123, as `Date` and `Last-Modified` give it): `Thu, 03 Dec 2026
/// 10:16:53 GMT`.
pub fn http_date(unix_ms: i64) -> String {
    strftime(unix_ms, "%a, %d %b %Y %H:%M:%S GMT")
}

/// A subset of strftime over unix milliseconds, UTC: `%Y %y %m %d %e %H %I %M %S %p %b %a %j
/// %T %F %s %z %Z %%`, plus `%L` (milliseconds), `%f` (microseconds), `%N` (nanoseconds).
pub(crate) fn strftime(unix_ms: i64, fmt: &str) -> String {
    let secs = unix_ms.div_euclid(1000);
    let ms = unix_ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (sod / 3600, sod / 60 % 60, sod % 60);
    let weekday = crate::time::weekday(days);
    let month = crate::time::MONTH_NAMES
        .get((m as usize).wrapping_sub(1))
        .map_or("???", |n| crate::time::abbr(n));
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Y') => out.push_str(&y.to_string()),
            Some('y') => out.push_str(&format!("{:02}", y.rem_euclid(100))),
            Some('m') => out.push_str(&format!("{m:02}")),
            Some('d') => out.push_str(&format!("{d:02}")),
            Some('e') => out.push_str(&format!("{d:>2}")),
            Some('H') => out.push_str(&format!("{hh:02}")),
            Some('I') => out.push_str(&format!("{:02}", (hh + 11) % 12 + 1)),
            Some('p') => out.push_str(if hh < 12 { "AM" } else { "PM" }),
            Some('M') => out.push_str(&format!("{mm:02}")),
            Some('S') => out.push_str(&format!("{ss:02}")),
            Some('T') => out.push_str(&format!("{hh:02}:{mm:02}:{ss:02}")),
            Some('F') => out.push_str(&format!("{y}-{m:02}-{d:02}")),
            Some('b') => out.push_str(month),
            Some('a') => out.push_str(crate::time::abbr(crate::time::WEEKDAY_NAMES[weekday])),
            Some('j') => {
                out.push_str(&format!("{:03}", days - days_from_civil(y, 1, 1) + 1));
            }
            Some('s') => out.push_str(&secs.to_string()),
            Some('L') => out.push_str(&format!("{ms:03}")),
            Some('f') => out.push_str(&format!("{:06}", ms * 1000)),
            Some('N') => out.push_str(&format!("{:09}", ms * 1_000_000)),
            Some('z') => out.push_str("+0000"),
            Some('Z') => out.push_str("UTC"),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// Hashing
// ------------------------------------------------------------------------------------------

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Whether redis-server's arguments make it a replica (`--replicaof HOST PORT`, `--slaveof`,
/// or the one-argument form `--replicaof "HOST PORT"`).
pub(crate) fn redis_replica_args(args: &[String]) -> bool {
    redis_master_of(args).is_some()
}

/// The master redis-server's arguments name: `--replicaof HOST PORT` (or `--slaveof`, or
/// `--replicaof "HOST PORT"`); `NO ONE` is none.
pub(crate) fn redis_master_of(args: &[String]) -> Option<(String, u16)> {
    let mut found = None;
    for (i, a) in args.iter().enumerate() {
        if a != "--replicaof" && a != "--slaveof" {
            continue;
        }
        let mut words: Vec<&str> = Vec::new();
        if let Some(v) = args.get(i + 1) {
            words.extend(v.split_whitespace());
        }
        if words.len() < 2 {
            if let Some(v) = args.get(i + 2).filter(|v| !v.starts_with("--")) {
                words.push(v);
            }
        }
        found = match words.as_slice() {
            [h, p, ..] if h.eq_ignore_ascii_case("no") && p.eq_ignore_ascii_case("one") => None,
            [h, p, ..] => p.parse::<u16>().ok().map(|p| (h.to_string(), p)),
            _ => None,
        };
    }
    found
}

/// FNV-1a over the parts (each followed by a separator byte), finished with SplitMix64.
pub(crate) fn mix(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(&[0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    splitmix(h)
}

/// 64 hex digits derived from `seed`.
fn hex64(seed: &str) -> String {
    let mut h = mix(&[seed.as_bytes()]);
    let mut out = String::with_capacity(64);
    for _ in 0..4 {
        h = splitmix(h);
        out.push_str(&format!("{h:016x}"));
    }
    out
}

// ------------------------------------------------------------------------------------------
// The built-in shell
// ------------------------------------------------------------------------------------------

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !name.as_bytes()[0].is_ascii_digit()
        }
        None => false,
    }
}

fn parse_exit_code(s: &str) -> Option<i32> {
    let n: i64 = s.parse().ok()?;
    Some(n.rem_euclid(256) as i32)
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Lit(String),
    Hostname,
}

type Word = Vec<Piece>;

fn flatten(word: &Word) -> String {
    word.iter()
        .map(|p| match p {
            Piece::Lit(s) => s.as_str(),
            Piece::Hostname => "localhost",
        })
        .collect()
}

fn literal(word: &Word) -> Option<&str> {
    match word.as_slice() {
        [Piece::Lit(s)] => Some(s),
        [] => Some(""),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Seq,
    And,
    Or,
    Pipe,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(Word),
    Op(Op),
    /// A redirection of `fd` (3 = both); its target word follows unless `dup`.
    Redir {
        fd: u8,
        dup: bool,
    },
}

struct WordBuf {
    pieces: Vec<Piece>,
    lit: String,
    started: bool,
}

impl WordBuf {
    fn new() -> WordBuf {
        WordBuf {
            pieces: Vec::new(),
            lit: String::new(),
            started: false,
        }
    }

    fn push_char(&mut self, c: char) {
        self.lit.push(c);
        self.started = true;
    }

    fn push_str(&mut self, s: &str) {
        self.lit.push_str(s);
        self.started = true;
    }

    fn push_hostname(&mut self) {
        if !self.lit.is_empty() {
            self.pieces.push(Piece::Lit(std::mem::take(&mut self.lit)));
        }
        self.pieces.push(Piece::Hostname);
        self.started = true;
    }

    fn finish(&mut self, out: &mut Vec<Tok>) {
        if self.started {
            if !self.lit.is_empty() {
                self.pieces.push(Piece::Lit(std::mem::take(&mut self.lit)));
            }
            out.push(Tok::Word(std::mem::take(&mut self.pieces)));
        }
        self.started = false;
    }

    /// The word so far is a bare file-descriptor number (`2` in `2>&1`).
    fn fd_prefix(&self) -> Option<u8> {
        if self.pieces.is_empty() && self.lit.len() == 1 {
            self.lit.parse().ok()
        } else {
            None
        }
    }
}

/// Split shell text into words and operators, expanding `$VAR`, `${VAR}`, `$(hostname)` and
/// `` `hostname` ``. `None` on an unterminated quote.
fn tokenize(s: &str, env: &[&[String]]) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut w = WordBuf::new();
    let mut chars = s.chars().peekable();
    let mut quoted_fd = false;
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => w.finish(&mut out),
            '\n' | ';' => {
                w.finish(&mut out);
                out.push(Tok::Op(Op::Seq));
            }
            '&' => {
                w.finish(&mut out);
                if chars.peek() == Some(&'&') {
                    chars.next();
                    out.push(Tok::Op(Op::And));
                } else if chars.peek() == Some(&'>') {
                    chars.next();
                    if chars.peek() == Some(&'>') {
                        chars.next();
                    }
                    out.push(Tok::Redir { fd: 3, dup: false });
                } else {
                    out.push(Tok::Op(Op::Seq));
                }
            }
            '|' => {
                w.finish(&mut out);
                if chars.peek() == Some(&'|') {
                    chars.next();
                    out.push(Tok::Op(Op::Or));
                } else {
                    out.push(Tok::Op(Op::Pipe));
                }
            }
            '>' | '<' => {
                let fd = match (w.fd_prefix(), quoted_fd) {
                    (Some(fd), false) => {
                        w.lit.clear();
                        w.started = false;
                        fd
                    }
                    _ => {
                        w.finish(&mut out);
                        u8::from(c == '>')
                    }
                };
                if chars.peek() == Some(&'>') {
                    chars.next();
                }
                if chars.peek() == Some(&'&') {
                    chars.next();
                    while chars
                        .peek()
                        .is_some_and(|c| c.is_ascii_digit() || *c == '-')
                    {
                        chars.next();
                    }
                    out.push(Tok::Redir { fd, dup: true });
                } else {
                    out.push(Tok::Redir { fd, dup: false });
                }
            }
            '#' if !w.started => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push(Tok::Op(Op::Seq));
                        break;
                    }
                }
            }
            '\'' => {
                w.started = true;
                quoted_fd = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push_char(c),
                        None => return None,
                    }
                }
            }
            '"' => {
                w.started = true;
                quoted_fd = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('$' | '`' | '"' | '\\')) => w.push_char(c),
                            Some('\n') => {}
                            Some(c) => {
                                w.push_char('\\');
                                w.push_char(c);
                            }
                            None => return None,
                        },
                        Some('$') => expand_dollar(&mut chars, &mut w, env)?,
                        Some('`') => expand_backquote(&mut chars, &mut w)?,
                        Some(c) => w.push_char(c),
                        None => return None,
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(c) => w.push_char(c),
                None => w.push_char('\\'),
            },
            '$' => expand_dollar(&mut chars, &mut w, env)?,
            '`' => expand_backquote(&mut chars, &mut w)?,
            c => {
                if !w.started {
                    quoted_fd = false;
                }
                w.push_char(c)
            }
        }
    }
    w.finish(&mut out);
    Some(out)
}

fn expand_dollar(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    w: &mut WordBuf,
    env: &[&[String]],
) -> Option<()> {
    match chars.peek().copied() {
        Some('(') => {
            chars.next();
            let mut depth = 1;
            let mut inner = String::new();
            for c in chars.by_ref() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                inner.push(c);
            }
            if depth != 0 {
                return None;
            }
            if inner.trim() == "hostname" {
                w.push_hostname();
            } else {
                w.started = true;
            }
        }
        Some('{') => {
            chars.next();
            let mut name = String::new();
            loop {
                match chars.next() {
                    Some('}') => break,
                    Some(c) => name.push(c),
                    None => return None,
                }
            }
            let (var, default) = match name.split_once(":-") {
                Some((v, d)) => (v.to_string(), Some(d.to_string())),
                None => (name, None),
            };
            expand_var(&var, default.as_deref(), w, env);
        }
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    name.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            expand_var(&name, None, w, env);
        }
        Some('?') => {
            chars.next();
            w.push_str("0");
        }
        Some('$') => {
            chars.next();
            w.push_str("1");
        }
        _ => w.push_char('$'),
    }
    Some(())
}

fn expand_var(name: &str, default: Option<&str>, w: &mut WordBuf, env: &[&[String]]) {
    match name {
        "HOSTNAME" => w.push_hostname(),
        "HOME" => w.push_str("/root"),
        _ => match lookup_env(env, name).filter(|v| !v.is_empty() || default.is_none()) {
            Some(v) => w.push_str(&v),
            None => w.push_str(default.unwrap_or("")),
        },
    }
    w.started = true;
}

fn expand_backquote(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    w: &mut WordBuf,
) -> Option<()> {
    let mut inner = String::new();
    loop {
        match chars.next() {
            Some('`') => break,
            Some(c) => inner.push(c),
            None => return None,
        }
    }
    if inner.trim() == "hostname" {
        w.push_hostname();
    } else {
        w.started = true;
    }
    Some(())
}

#[derive(Clone, Debug, PartialEq)]
enum Cmd {
    Simple {
        words: Vec<Word>,
        stdout_redirected: bool,
        stderr_redirected: bool,
    },
    /// `while true; do BODY; done`
    Loop(Vec<(Op, Cmd)>),
    /// `ls / | wc -l`: a pipeline of short-lived tools, left to the container's shell.
    Tools,
    Unsupported,
}

impl Cmd {
    fn simple(words: Vec<Word>) -> Cmd {
        Cmd::Simple {
            words,
            stdout_redirected: false,
            stderr_redirected: false,
        }
    }
}

fn is_keyword_at(tokens: &[Tok], i: usize, keyword: &str) -> bool {
    matches!(tokens.get(i), Some(Tok::Word(w)) if literal(w) == Some(keyword))
}

/// Parse a token list into commands, each with the operator that joins it to the previous one.
fn parse_list(tokens: &[Tok]) -> Vec<(Op, Cmd)> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut op = Op::Seq;
    while i < tokens.len() {
        // Skip empty commands.
        if let Some(Tok::Op(o)) = tokens.get(i) {
            if *o != Op::Pipe {
                op = if *o == Op::Seq { op } else { *o };
            }
            i += 1;
            continue;
        }
        let start_word = match tokens.get(i) {
            Some(Tok::Word(w)) => literal(w),
            _ => None,
        };
        match start_word {
            Some(kw @ ("while" | "until")) => {
                let cond_start = i + 1;
                let Some(do_at) = find_keyword(tokens, cond_start, "do") else {
                    out.push((op, Cmd::Unsupported));
                    return out;
                };
                let Some(done_at) = find_done(tokens, do_at + 1) else {
                    out.push((op, Cmd::Unsupported));
                    return out;
                };
                let cond = parse_list(&tokens[cond_start..do_at]);
                let forever_cond = matches!(cond.as_slice(), [(_, Cmd::Simple { words, .. })]
                if words.len() == 1 && matches!((kw, literal(&words[0])),
                    ("while", Some("true" | ":")) | ("until", Some("false"))));
                let body = parse_list(&tokens[do_at + 1..done_at]);
                out.push((
                    op,
                    if forever_cond {
                        Cmd::Loop(body)
                    } else {
                        Cmd::Unsupported
                    },
                ));
                i = done_at + 1;
                // Skip redirections after `done`.
                while let Some(Tok::Redir { dup, .. }) = tokens.get(i) {
                    i += if *dup { 1 } else { 2 };
                }
                op = Op::Seq;
            }
            Some("if" | "for" | "case" | "function" | "select" | "{" | "(" | "!" | "[[") => {
                out.push((op, Cmd::Unsupported));
                return out;
            }
            _ => {
                let mut words = Vec::new();
                let mut stdout_redirected = false;
                let mut stderr_redirected = false;
                let mut pipeline = false;
                // Each part of a pipeline is a short-lived tool.
                let mut tools = true;
                let mut part_start = true;
                while let Some(tok) = tokens.get(i) {
                    if part_start {
                        tools &= matches!(tok, Tok::Word(w) if literal(w).is_some_and(|n| {
                            is_utility(basename(n)) || PIPE_BUILTINS.contains(&basename(n))
                        }));
                    }
                    part_start = matches!(tok, Tok::Op(Op::Pipe));
                    match tok {
                        Tok::Word(w) => words.push(w.clone()),
                        Tok::Redir { fd, dup } => {
                            if *fd == 1 || *fd == 3 {
                                stdout_redirected |= !*dup;
                            }
                            if *fd == 2 || *fd == 3 {
                                stderr_redirected |= !*dup;
                            }
                            if !*dup {
                                i += 1;
                            }
                        }
                        Tok::Op(Op::Pipe) => pipeline = true,
                        Tok::Op(_) => break,
                    }
                    i += 1;
                }
                let cmd = if pipeline && tools {
                    Cmd::Tools
                } else if pipeline {
                    Cmd::Unsupported
                } else {
                    Cmd::Simple {
                        words,
                        stdout_redirected,
                        stderr_redirected,
                    }
                };
                out.push((op, cmd));
                op = match tokens.get(i) {
                    Some(Tok::Op(o)) => *o,
                    _ => Op::Seq,
                };
                i += 1;
            }
        }
    }
    out
}

/// The index of `keyword` at a command start, from `from`.
fn find_keyword(tokens: &[Tok], from: usize, keyword: &str) -> Option<usize> {
    let mut at_start = true;
    for i in from..tokens.len() {
        if at_start && is_keyword_at(tokens, i, keyword) {
            return Some(i);
        }
        at_start = matches!(tokens.get(i), Some(Tok::Op(_)));
    }
    None
}

/// The `done` matching a `do` just before `from`.
fn find_done(tokens: &[Tok], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at_start = true;
    for i in from..tokens.len() {
        if at_start {
            if ["while", "until", "for"]
                .iter()
                .any(|k| is_keyword_at(tokens, i, k))
            {
                depth += 1;
            } else if is_keyword_at(tokens, i, "done") {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
        }
        at_start = matches!(tokens.get(i), Some(Tok::Op(_)))
            || is_keyword_at(tokens, i, "do")
            || is_keyword_at(tokens, i, "then")
            || is_keyword_at(tokens, i, "else");
    }
    None
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Exits with this code at the script's time.
    Exit(i32),
    /// A recognised command that never ends (sleep infinity, ping, tail -f, loops).
    Forever,
    /// An unrecognised command: runs forever, silently.
    Unknown,
    /// The image's own program.
    App,
}

struct Script {
    t: u64,
    status: i32,
    lines: Vec<Timed>,
    segments: Vec<Segment>,
    outcome: Outcome,
    bare_shell: bool,
    cpu_percent: f64,
    memory_bytes: u64,
    /// The resolver's answers, once the world gave them.
    dns: Option<Arc<BTreeMap<String, Lookup>>>,
    /// The names the script looked up.
    asked: Vec<String>,
    /// The only command was a real tool the interpreter does not emulate.
    stub: bool,
    /// The shell running the commands (`sh`, `bash`), for its `not found` errors.
    shell: &'static str,
}

/// What a container's resolver answers for one name: the embedded DNS (127.0.0.11) on user
/// networks, the host's resolver otherwise. The world computes it
/// (`World::container_lookup`), `docker exec` and a container's own command use it alike.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lookup {
    /// The DNS server the container asks (`127.0.0.11`, or `8.8.8.8` without embedded DNS).
    pub server: String,
    /// Its A records; empty: NXDOMAIN.
    pub addrs: Vec<String>,
    /// The address `ping` uses (the first record, else a machine of that name); `None`:
    /// `bad address`.
    pub ping: Option<String>,
    /// Whether that address answers pings.
    pub reachable: bool,
}

impl Lookup {
    /// BusyBox `nslookup NAME`'s output and exit status for this answer.
    pub fn nslookup_text(&self, name: &str) -> (String, i32) {
        let server = if self.server.is_empty() {
            "127.0.0.11"
        } else {
            &self.server
        };
        let mut out = format!("Server:\t\t{server}\nAddress:\t{server}:53\n\n");
        if self.addrs.is_empty() {
            out.push_str(&format!("** server can't find {name}: NXDOMAIN\n\n"));
            return (out, 1);
        }
        out.push_str("Non-authoritative answer:\n");
        for a in &self.addrs {
            out.push_str(&format!("Name:\t{name}\nAddress: {a}\n"));
        }
        out.push('\n');
        (out, 0)
    }
}

impl Script {
    fn new() -> Script {
        Script {
            t: 0,
            status: 0,
            lines: Vec::new(),
            segments: Vec::new(),
            outcome: Outcome::Exit(0),
            bare_shell: false,
            cpu_percent: 0.0,
            memory_bytes: 360 * 1024,
            dns: None,
            asked: Vec::new(),
            stub: false,
            shell: "",
        }
    }

    /// A script on its own clock that shares this one's resolver (a loop's iteration).
    fn child(&self) -> Script {
        Script {
            dns: self.dns.clone(),
            shell: self.shell,
            ..Script::new()
        }
    }

    /// What the container's resolver answers for `host` (see [`Program::with_dns`]); `None`
    /// before the world has answered, when the made-up address stands in.
    fn lookup(&mut self, host: &str) -> Option<Lookup> {
        if !self.asked.iter().any(|h| h == host) && self.asked.len() < MAX_SEGMENTS {
            self.asked.push(host.to_string());
        }
        self.dns
            .as_ref()
            .map(|d| d.get(host).cloned().unwrap_or_default())
    }

    fn print(&mut self, stream: Stream, text: Text) {
        if self.lines.len() < MAX_SCRIPT_LINES {
            self.lines.push(Timed {
                at: self.t,
                stream,
                text,
            });
        }
    }

    fn say(&mut self, stream: Stream, s: String) {
        self.print(stream, Text::Pieces(vec![Piece::Lit(s)]));
    }
}

/// Interpret a command line (argv, already split).
fn interpret_argv(
    argv: &[String],
    programs: &[String],
    env: &[String],
    dns: Option<Arc<BTreeMap<String, Lookup>>>,
) -> Script {
    let mut script = Script::new();
    script.dns = dns;
    let words: Vec<Word> = argv.iter().map(|a| vec![Piece::Lit(a.clone())]).collect();
    if words.is_empty() {
        script.outcome = Outcome::Unknown;
        script.memory_bytes = GENERIC_MEMORY;
        return script;
    }
    let list = vec![(Op::Seq, Cmd::simple(words))];
    run_list(&mut script, &list, programs, env, 0);
    crate::sort::sort_by_key(&mut script.lines, |l| l.at);
    // A script that ran a tool the interpreter does not emulate, ending at once, is left to
    // the shell in the container (what it printed is the shell's to print).
    script.stub &=
        script.segments.is_empty() && matches!(script.outcome, Outcome::Exit(_)) && script.t == 0;
    if script.stub {
        script.lines.clear();
    }
    script
}

/// Run commands until one ends the script; sets `script.outcome`.
fn run_list(
    script: &mut Script,
    list: &[(Op, Cmd)],
    programs: &[String],
    env: &[String],
    depth: usize,
) {
    for (op, cmd) in list {
        match op {
            Op::And if script.status != 0 => continue,
            Op::Or if script.status == 0 => continue,
            _ => {}
        }
        let stop = match cmd {
            Cmd::Unsupported => Some(Outcome::Unknown),
            Cmd::Tools => {
                script.stub = true;
                script.status = 0;
                None
            }
            Cmd::Simple {
                words,
                stdout_redirected,
                stderr_redirected,
            } => run_simple(
                script,
                words,
                *stdout_redirected,
                *stderr_redirected,
                programs,
                env,
                depth,
            ),
            Cmd::Loop(body) => Some(run_loop(script, body, programs, env, depth)),
        };
        if let Some(outcome) = stop {
            script.outcome = outcome;
            if outcome == Outcome::Unknown {
                script.memory_bytes = script.memory_bytes.max(GENERIC_MEMORY);
            }
            return;
        }
    }
    script.outcome = Outcome::Exit(script.status);
}

fn run_loop(
    script: &mut Script,
    body: &[(Op, Cmd)],
    programs: &[String],
    env: &[String],
    depth: usize,
) -> Outcome {
    // One iteration on its own clock.
    let mut iteration = script.child();
    run_list(&mut iteration, body, programs, env, depth);
    for name in std::mem::take(&mut iteration.asked) {
        if !script.asked.contains(&name) && script.asked.len() < MAX_SEGMENTS {
            script.asked.push(name);
        }
    }
    if iteration.outcome != Outcome::Exit(iteration.status) || !iteration.segments.is_empty() {
        // The body never finishes (or exits, or starts a ping): the loop runs it once.
        let base = script.t;
        for mut line in iteration.lines {
            line.at = line.at.saturating_add(base);
            script.lines.push(line);
        }
        script.t = base.saturating_add(iteration.t);
        for mut seg in iteration.segments {
            seg.start = seg.start.saturating_add(base);
            if script.segments.len() < MAX_SEGMENTS {
                script.segments.push(seg);
            }
        }
        script.cpu_percent = script.cpu_percent.max(iteration.cpu_percent);
        return match iteration.outcome {
            Outcome::Exit(code) => Outcome::Exit(code),
            other => other,
        };
    }
    if iteration.t == 0 {
        // A busy loop: one core at 100 %, output not modelled.
        script.cpu_percent = 100.0;
        return Outcome::Forever;
    }
    if script.segments.len() < MAX_SEGMENTS {
        script.segments.push(Segment {
            start: script.t,
            every: iteration.t,
            count: None,
            lines: iteration
                .lines
                .into_iter()
                .map(|l| SegLine {
                    off: l.at,
                    stream: l.stream,
                    text: l.text,
                })
                .collect(),
        });
    }
    script.cpu_percent = script.cpu_percent.max(0.02);
    script.memory_bytes = script.memory_bytes.max(900 * 1024);
    Outcome::Forever
}

/// Run one simple command; `Some` when it ends the script.
fn run_simple(
    script: &mut Script,
    words: &[Word],
    stdout_redirected: bool,
    stderr_redirected: bool,
    programs: &[String],
    env: &[String],
    depth: usize,
) -> Option<Outcome> {
    let mut words = words;
    while let Some(first) = words.first() {
        let flat = flatten(first);
        if flat == "exec"
            || flat == "busybox"
            || flat == "command"
            || flat == "nohup"
            || is_assignment(&flat)
        {
            words = &words[1..];
        } else {
            break;
        }
    }
    let Some(first) = words.first() else {
        script.status = 0;
        return None;
    };
    let name = flatten(first);
    let args: Vec<String> = words[1..].iter().map(flatten).collect();
    let out_ok = !stdout_redirected;
    let err_ok = !stderr_redirected;
    let base = basename(&name).to_string();
    if programs.contains(&base) {
        return Some(Outcome::App);
    }
    match base.as_str() {
        "sh" | "bash" | "ash" | "dash" | "zsh" => {
            let mut script_text = None;
            let mut file = false;
            let mut i = 0;
            while let Some(a) = args.get(i) {
                i += 1;
                if a.starts_with('-') && a.len() > 1 && !a.starts_with("--") {
                    if a.contains('c') {
                        script_text = Some(args.get(i).cloned().unwrap_or_default());
                        break;
                    }
                } else if a.starts_with("--") {
                    continue;
                } else {
                    file = true;
                    break;
                }
            }
            match (script_text, file) {
                (Some(text), _) => {
                    if depth >= MAX_DEPTH {
                        return Some(Outcome::Unknown);
                    }
                    let env_lists = [env];
                    let Some(tokens) = tokenize(&text, &env_lists) else {
                        if err_ok {
                            script.say(
                                Stream::Stderr,
                                format!("{base}: syntax error: unterminated quoted string"),
                            );
                        }
                        return Some(Outcome::Exit(2));
                    };
                    let list = parse_list(&tokens);
                    let outer = script.shell;
                    script.shell = if base == "bash" { "bash" } else { "sh" };
                    run_list(script, &list, programs, env, depth + 1);
                    script.shell = outer;
                    Some(script.outcome)
                }
                (None, true) => Some(Outcome::Unknown),
                (None, false) => {
                    if depth == 0 {
                        script.bare_shell = true;
                    }
                    script.status = 0;
                    Some(Outcome::Exit(0))
                }
            }
        }
        "sleep" => {
            if args.is_empty() {
                if err_ok {
                    script.say(Stream::Stderr, "sleep: missing operand".to_string());
                }
                script.status = 1;
                return None;
            }
            let mut total: u64 = 0;
            for a in &args {
                match parse_sleep(a) {
                    Some(SleepArg::Forever) => return Some(Outcome::Forever),
                    Some(SleepArg::Ms(ms)) => total = total.saturating_add(ms),
                    None => {
                        if err_ok {
                            script.say(Stream::Stderr, format!("sleep: invalid number '{a}'"));
                        }
                        script.status = 1;
                        return None;
                    }
                }
            }
            script.t = script.t.saturating_add(total);
            script.status = 0;
            None
        }
        "echo" => {
            let mut rest = &words[1..];
            let mut newline = true;
            let mut escapes = false;
            while let Some(flag) = rest.first().and_then(literal) {
                match flag {
                    "-n" => newline = false,
                    "-e" => escapes = true,
                    "-E" => escapes = false,
                    "-ne" | "-en" => {
                        newline = false;
                        escapes = true;
                    }
                    _ => break,
                }
                rest = &rest[1..];
            }
            let _ = newline;
            if out_ok {
                let mut pieces: Vec<Piece> = Vec::new();
                for (i, w) in rest.iter().enumerate() {
                    if i > 0 {
                        pieces.push(Piece::Lit(" ".to_string()));
                    }
                    pieces.extend(w.iter().cloned());
                }
                for line in split_pieces(pieces, escapes) {
                    script.print(Stream::Stdout, Text::Pieces(line));
                }
            }
            script.status = 0;
            None
        }
        "printf" => {
            let fmt = args.first().cloned().unwrap_or_default();
            let p = crate::printf::printf(&fmt, args.get(1..).unwrap_or_default());
            if out_ok {
                for line in p.err.lines() {
                    script.say(Stream::Stderr, line.to_string());
                }
                for line in p.out.trim_end_matches('\n').split('\n') {
                    if !line.is_empty() || p.out.contains('\n') {
                        script.say(Stream::Stdout, line.to_string());
                    }
                }
            }
            script.status = p.status;
            None
        }
        "true" | ":" => {
            script.status = 0;
            None
        }
        "false" => {
            script.status = 1;
            None
        }
        "exit" => {
            let code = match args.first() {
                None => script.status,
                Some(a) => match parse_exit_code(a) {
                    Some(c) => c,
                    None => {
                        if err_ok {
                            script.say(Stream::Stderr, format!("sh: exit: Illegal number: {a}"));
                        }
                        2
                    }
                },
            };
            script.status = code;
            Some(Outcome::Exit(code))
        }
        "hostname" => {
            if out_ok {
                script.print(Stream::Stdout, Text::Pieces(vec![Piece::Hostname]));
            }
            script.status = 0;
            None
        }
        "date" => {
            if out_ok {
                script.print(
                    Stream::Stdout,
                    Text::Tpl("{time:%a %b %e %H:%M:%S UTC %Y}".to_string()),
                );
            }
            script.status = 0;
            None
        }
        "htpasswd" => {
            // Apache's `htpasswd -Bbn USER PASSWORD` (batch mode, to stdout); the hash is
            // crate::registry's own bcrypt-shaped one.
            let flags: String = args
                .iter()
                .filter(|a| a.starts_with('-'))
                .map(|a| a.trim_start_matches('-'))
                .collect();
            let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
            if !(flags.contains('b') && flags.contains('n')) || operands.len() != 2 {
                if err_ok {
                    script.say(
                        Stream::Stderr,
                        "Usage:\n\thtpasswd [-cimB25dpsDv] [-C cost] [-r rounds] passwordfile username\n\thtpasswd -b[cmB25dpsDv] [-C cost] [-r rounds] passwordfile username password\n\n\thtpasswd -n[imB25dps] [-C cost] [-r rounds] username\n\thtpasswd -nb[mB25dps] [-C cost] [-r rounds] username password".to_string(),
                    );
                }
                script.status = 1;
                return Some(Outcome::Exit(1));
            }
            if out_ok {
                let seed = format!("{}:{}:{}", operands[0], operands[1], script.t);
                let line = crate::registry::htpasswd_line(operands[0], operands[1], &seed);
                script.say(Stream::Stdout, line);
                script.say(Stream::Stdout, String::new());
            }
            script.status = 0;
            None
        }
        "id" if args.is_empty() => {
            if out_ok {
                script.say(
                    Stream::Stdout,
                    "uid=0(root) gid=0(root) groups=0(root)".to_string(),
                );
            }
            script.status = 0;
            None
        }
        "nproc" => {
            if out_ok {
                script.say(Stream::Stdout, crate::machine::build::CPUS.to_string());
            }
            script.status = 0;
            None
        }
        "whoami" => {
            if out_ok {
                script.say(Stream::Stdout, "root".to_string());
            }
            script.status = 0;
            None
        }
        "uname" => {
            if out_ok {
                let kernel = crate::machine::build::KERNEL;
                if args.iter().any(|a| a == "-a" || a == "--all") {
                    script.print(
                        Stream::Stdout,
                        Text::Pieces(vec![
                            Piece::Lit("Linux ".to_string()),
                            Piece::Hostname,
                            Piece::Lit(format!(" {kernel} #1 SMP x86_64 Linux")),
                        ]),
                    );
                } else if args.iter().any(|a| a == "-r") {
                    script.say(Stream::Stdout, kernel.to_string());
                } else if args.iter().any(|a| a == "-m") {
                    script.say(Stream::Stdout, "x86_64".to_string());
                } else {
                    script.say(Stream::Stdout, "Linux".to_string());
                }
            }
            script.status = 0;
            None
        }
        "env" | "printenv" if args.is_empty() => {
            if out_ok {
                let path = lookup_env(&[env], "PATH").unwrap_or_else(|| {
                    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()
                });
                script.say(Stream::Stdout, format!("PATH={path}"));
                script.print(
                    Stream::Stdout,
                    Text::Pieces(vec![Piece::Lit("HOSTNAME=".to_string()), Piece::Hostname]),
                );
                let mut seen: Vec<&str> = vec!["PATH", "HOSTNAME", "HOME"];
                for kv in env.iter().rev() {
                    let key = kv.split('=').next().unwrap_or(kv);
                    if !seen.contains(&key) {
                        seen.push(key);
                    }
                }
                let mut listed: Vec<&String> = Vec::new();
                for key in seen.iter().skip(3) {
                    if let Some(kv) = env
                        .iter()
                        .rev()
                        .find(|kv| kv.split('=').next() == Some(key))
                    {
                        listed.push(kv);
                    }
                }
                listed.reverse();
                for kv in listed {
                    script.say(Stream::Stdout, kv.clone());
                }
                script.say(Stream::Stdout, "HOME=/root".to_string());
            }
            script.status = 0;
            None
        }
        "printenv" => {
            match args.first().and_then(|n| lookup_env(&[env], n)) {
                Some(v) => {
                    if out_ok {
                        script.say(Stream::Stdout, v);
                    }
                    script.status = 0;
                }
                None => script.status = 1,
            }
            None
        }
        "cat" if args.is_empty() => {
            script.status = 0;
            None
        }
        "tail"
            if args
                .iter()
                .any(|a| a == "-f" || a == "-F" || a.starts_with("--follow")) =>
        {
            Some(Outcome::Forever)
        }
        "top" => {
            script.cpu_percent = script.cpu_percent.max(0.01);
            Some(Outcome::Forever)
        }
        "ping" => run_ping(script, &args, out_ok, err_ok),
        "nslookup" => {
            let Some(name) = args.iter().find(|a| !a.starts_with('-')) else {
                if err_ok {
                    for line in NSLOOKUP_USAGE.lines() {
                        script.say(Stream::Stderr, line.to_string());
                    }
                }
                script.status = 1;
                return None;
            };
            let answer = script.lookup(name).unwrap_or_else(|| Lookup {
                server: "127.0.0.11".into(),
                addrs: vec![resolve_host(name)],
                ..Lookup::default()
            });
            let (text, code) = answer.nslookup_text(name);
            if out_ok {
                let mut lines: Vec<&str> = text.split('\n').collect();
                lines.pop();
                for line in lines {
                    script.say(Stream::Stdout, line.to_string());
                }
            }
            script.status = code;
            None
        }
        _ if is_utility(&base) || SHELL_ONLY_BUILTINS.contains(&name.as_str()) => {
            // A real tool that ends at once; its output is not emulated here.
            script.stub = true;
            script.status = 0;
            None
        }
        _ if !script.shell.is_empty() && !name.contains('/') && !is_long_running(&base) => {
            // `sh -c 'foo'`: the shell cannot find it.
            if err_ok {
                let msg = if script.shell == "bash" {
                    format!("bash: line 1: {name}: command not found")
                } else {
                    format!("sh: {name}: not found")
                };
                script.say(Stream::Stderr, msg);
            }
            script.status = 127;
            None
        }
        _ => Some(Outcome::Unknown),
    }
}

/// Short-lived tools of BusyBox and the GNU base images that a container may run as its
/// command: they end by themselves (the interpreter does not model their output).
const UTILITIES: &[&str] = &[
    "[",
    "[[",
    "addgroup",
    "adduser",
    "arch",
    "awk",
    "base64",
    "basename",
    "blkid",
    "cal",
    "chgrp",
    "chmod",
    "chown",
    "chroot",
    "cksum",
    "clear",
    "cmp",
    "comm",
    "cp",
    "cut",
    "dd",
    "df",
    "diff",
    "dirname",
    "dmesg",
    "dnsdomainname",
    "du",
    "egrep",
    "expand",
    "expr",
    "fgrep",
    "find",
    "fold",
    "free",
    "fsync",
    "getent",
    "getopt",
    "grep",
    "groups",
    "gunzip",
    "gzip",
    "head",
    "hexdump",
    "hostid",
    "id",
    "install",
    "ip",
    "ipcalc",
    "kill",
    "killall",
    "less",
    "link",
    "ln",
    "logger",
    "ls",
    "lsof",
    "md5sum",
    "mkdir",
    "mkfifo",
    "mknod",
    "mktemp",
    "more",
    "mount",
    "mv",
    "netstat",
    "nice",
    "nl",
    "nproc",
    "od",
    "paste",
    "pgrep",
    "pidof",
    "pkill",
    "ps",
    "pwd",
    "readlink",
    "realpath",
    "renice",
    "reset",
    "rev",
    "rm",
    "rmdir",
    "route",
    "sed",
    "seq",
    "setsid",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "shred",
    "shuf",
    "sort",
    "split",
    "stat",
    "strings",
    "stty",
    "su",
    "sum",
    "sync",
    "sysctl",
    "tac",
    "tar",
    "tee",
    "test",
    "time",
    "touch",
    "tr",
    "traceroute",
    "truncate",
    "tty",
    "umount",
    "uname",
    "uniq",
    "unlink",
    "unzip",
    "uptime",
    "usleep",
    "uudecode",
    "uuencode",
    "vi",
    "wc",
    "which",
    "xargs",
    "zcat",
    "apk",
    "apt",
    "apt-get",
    "apt-cache",
    "dpkg",
    "ifconfig",
    "cat",
    "touch",
    "ldd",
    "locale",
    "lsb_release",
    "mountpoint",
    "nsenter",
    "whereis",
    "ss",
    "base32",
    "factor",
    "fmt",
    "join",
    "numfmt",
    "pr",
    "ptx",
    "tsort",
    "unexpand",
    "users",
    "who",
    "w",
    "last",
    "lscpu",
    "lsblk",
    "iostat",
    "vmstat",
    "jq",
    "openssl",
];

/// Programs that may run for as long as the container does (servers, runtimes, network
/// clients): the interpreter lets them run.
const LONG_RUNNING: &[&str] = &[
    "python",
    "python2",
    "python3",
    "node",
    "npm",
    "npx",
    "yarn",
    "java",
    "dotnet",
    "nginx",
    "httpd",
    "apache2",
    "apache2-foreground",
    "redis-server",
    "redis-cli",
    "postgres",
    "psql",
    "mysqld",
    "mysql",
    "mongod",
    "mongo",
    "mongosh",
    "php",
    "php-fpm",
    "ruby",
    "perl",
    "go",
    "gunicorn",
    "uvicorn",
    "flask",
    "nc",
    "netcat",
    "socat",
    "crond",
    "syslogd",
    "watch",
    "yes",
    "tail",
    "top",
    "ping",
    "curl",
    "wget",
    "dig",
    "telnet",
    "ssh",
    "sshd",
    "traefik",
    "haproxy",
    "caddy",
    "envoy",
    "consul",
    "vault",
    "registry",
    "prometheus",
    "grafana-server",
    "mvn",
    "gradle",
    "cargo",
    "rustc",
    "gcc",
    "make",
    "git",
    "elasticsearch",
    "memcached",
    "rabbitmq-server",
    "supervisord",
    "tini",
    "dumb-init",
    "gosu",
    "su-exec",
    "docker-entrypoint.sh",
    "entrypoint.sh",
    "dockerd",
    "docker",
    "busybox",
    "iperf",
    "iperf3",
    "stress",
    "stress-ng",
    "tcpdump",
    "inotifyd",
    "udhcpc",
    "init",
    "hey",
    "ab",
    "siege",
    "htop",
    "strace",
    "dockerd-entrypoint.sh",
    "run.sh",
    "start.sh",
    "pip",
    "pip3",
    "mix",
    "erl",
    "elixir",
    "deno",
    "bun",
    "kubectl",
    "helm",
];

/// Shell builtins that are no program of their own: left to the container's shell.
const SHELL_ONLY_BUILTINS: &[&str] = &[
    "cd", "umask", "ulimit", "type", "command", "alias", "set", "wait", "shift", "read", "trap",
];

/// Builtins and tools that may start or continue a pipeline of short-lived tools.
const PIPE_BUILTINS: &[&str] = &[
    "echo", "printf", "cat", "env", "printenv", "hostname", "date", "whoami", "true", "false",
];

/// [`UTILITIES`].
fn is_utility(name: &str) -> bool {
    UTILITIES.contains(&name)
}

/// [`LONG_RUNNING`].
fn is_long_running(name: &str) -> bool {
    LONG_RUNNING.contains(&name)
}

/// Whether `arg0`, as the program a container of `image` execs, could be in the image: a
/// path (the image's own files are not all known), a shell builtin-free tool of the base
/// images, a known server or runtime, or the image's own entrypoint or command.
fn program_exists(image: &Image, arg0: &str) -> bool {
    let base = basename(arg0);
    if arg0.contains('/') || base.is_empty() || base.contains('.') {
        return true;
    }
    const SHELLS_AND_BUILTINS: &[&str] = &[
        "sh", "bash", "ash", "dash", "zsh", "sleep", "echo", "printf", "true", "false", "hostname",
        "date", "htpasswd", "whoami", "env", "printenv", "nslookup",
    ];
    if SHELLS_AND_BUILTINS.contains(&base) || is_utility(base) || is_long_running(base) {
        return true;
    }
    if base.starts_with(|c: char| c.is_ascii_uppercase()) || base.contains(['-', '_']) {
        // `redis-benchmark`, `pg_ctl`, `Rscript`: names that look like a package's tool.
        return true;
    }
    let own = |v: &[String]| v.iter().any(|w| basename(w) == base);
    if own(&image.entrypoint) || own(&image.cmd) {
        return true;
    }
    image
        .behaviour
        .as_ref()
        .is_some_and(|b| b.programs.iter().any(|p| p == base))
}

/// BusyBox `nslookup` without a name.
pub const NSLOOKUP_USAGE: &str = "BusyBox v1.36.1 (2023-11-07 18:53:09 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]";

/// Split echo output at newlines (and at `\n` with `-e`) into lines.
fn split_pieces(pieces: Vec<Piece>, escapes: bool) -> Vec<Vec<Piece>> {
    let mut lines = vec![Vec::new()];
    for piece in pieces {
        match piece {
            Piece::Hostname => {
                if let Some(last) = lines.last_mut() {
                    last.push(Piece::Hostname);
                }
            }
            Piece::Lit(s) => {
                let s = if escapes {
                    s.replace("\\n", "\n").replace("\\t", "\t")
                } else {
                    s
                };
                let mut parts = s.split('\n');
                if let (Some(first), Some(last)) = (parts.next(), lines.last_mut()) {
                    if !first.is_empty() {
                        last.push(Piece::Lit(first.to_string()));
                    }
                }
                for part in parts {
                    let mut line = Vec::new();
                    if !part.is_empty() {
                        line.push(Piece::Lit(part.to_string()));
                    }
                    lines.push(line);
                }
            }
        }
    }
    lines
}

enum SleepArg {
    Ms(u64),
    Forever,
}

/// `5`, `5s`, `0.5`, `1m`, `2h`, `1d`, `inf`, `infinity`.
fn parse_sleep(arg: &str) -> Option<SleepArg> {
    if arg == "inf" || arg == "infinity" {
        return Some(SleepArg::Forever);
    }
    let (number, unit_ms) = match arg.as_bytes().last()? {
        b's' => (&arg[..arg.len() - 1], 1_000u64),
        b'm' => (&arg[..arg.len() - 1], 60_000),
        b'h' => (&arg[..arg.len() - 1], 3_600_000),
        b'd' => (&arg[..arg.len() - 1], 86_400_000),
        _ => (arg, 1_000),
    };
    let (int, frac) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut ms = whole.checked_mul(unit_ms)?;
    // Fraction: up to millisecond precision of the unit.
    let mut scale = unit_ms;
    for digit in frac.bytes().take(9) {
        scale /= 10;
        ms = ms.saturating_add(u64::from(digit - b'0') * scale);
    }
    Some(SleepArg::Ms(ms))
}

fn run_ping(script: &mut Script, args: &[String], out_ok: bool, err_ok: bool) -> Option<Outcome> {
    let mut count: Option<u64> = None;
    let mut interval_ms: u64 = 1000;
    let mut deadline_ms: Option<u64> = None;
    let mut size: u32 = 56;
    let mut quiet = false;
    let mut host: Option<&str> = None;
    let mut i = 0;
    let seconds = |s: &str| match parse_sleep(s) {
        Some(SleepArg::Ms(ms)) => Some(ms),
        _ => None,
    };
    while let Some(a) = args.get(i) {
        i += 1;
        match a.as_str() {
            "-c" => {
                count = args.get(i).and_then(|n| n.parse().ok());
                i += 1;
            }
            "-i" => {
                interval_ms = args.get(i).and_then(|s| seconds(s)).unwrap_or(1000).max(1);
                i += 1;
            }
            "-w" => {
                deadline_ms = args.get(i).and_then(|s| seconds(s));
                i += 1;
            }
            "-s" => {
                size = args.get(i).and_then(|n| n.parse().ok()).unwrap_or(56);
                i += 1;
            }
            "-W" | "-t" | "-I" => i += 1,
            "-q" => quiet = true,
            s if s.starts_with("-c") && s.len() > 2 => count = s[2..].parse().ok(),
            s if s.starts_with('-') => {}
            s => host = host.or(Some(s)),
        }
    }
    let Some(host) = host else {
        if err_ok {
            script.say(
                Stream::Stderr,
                "ping: usage error: Destination address required".to_string(),
            );
        }
        script.status = 1;
        return None;
    };
    let (ip, reachable) = if host == "localhost" || host.parse::<std::net::Ipv4Addr>().is_ok() {
        (resolve_host(host), true)
    } else {
        match script.lookup(host) {
            None => (resolve_host(host), true),
            Some(Lookup {
                ping: Some(ip),
                reachable,
                ..
            }) => (ip, reachable),
            Some(_) => {
                if err_ok {
                    script.say(Stream::Stderr, format!("ping: bad address '{host}'"));
                }
                script.status = 1;
                return None;
            }
        }
    };
    if out_ok {
        script.say(
            Stream::Stdout,
            format!("PING {host} ({ip}): {size} data bytes"),
        );
    }
    let count = count.filter(|&c| c > 0);
    let by_deadline = deadline_ms.map(|d| (d / interval_ms).max(1));
    let count = match (count, by_deadline) {
        (Some(c), Some(d)) => Some(c.min(d)),
        (c, d) => c.or(d),
    };
    let rtt = 1; // replies land within the millisecond
    if out_ok && !quiet && reachable && script.segments.len() < MAX_SEGMENTS {
        script.segments.push(Segment {
            start: script.t.saturating_add(rtt),
            every: interval_ms,
            count,
            lines: vec![SegLine {
                off: 0,
                stream: Stream::Stdout,
                text: Text::PingReply {
                    ip: ip.clone(),
                    size,
                },
            }],
        });
    }
    script.memory_bytes = script.memory_bytes.max(600 * 1024);
    script.cpu_percent = script.cpu_percent.max(0.01);
    match count {
        None => Some(Outcome::Forever),
        Some(n) => {
            script.t = script
                .t
                .saturating_add((n - 1).saturating_mul(interval_ms))
                .saturating_add(rtt + 1);
            if !reachable {
                // No replies: busybox sends the count, waits a second for the last reply,
                // then gives its summary.
                script.t = script
                    .t
                    .saturating_add((n - 1).saturating_mul(interval_ms))
                    .saturating_add(1000);
                if out_ok {
                    script.say(Stream::Stdout, String::new());
                    script.say(Stream::Stdout, format!("--- {host} ping statistics ---"));
                    script.say(
                        Stream::Stdout,
                        format!("{n} packets transmitted, 0 packets received, 100% packet loss"),
                    );
                }
                script.status = 1;
                return None;
            }
            if out_ok {
                script.say(Stream::Stdout, String::new());
                for part in 0..3 {
                    script.print(
                        Stream::Stdout,
                        Text::PingStats {
                            host: host.to_string(),
                            ip: ip.clone(),
                            count: n,
                            part,
                        },
                    );
                }
            }
            script.status = 0;
            None
        }
    }
}

// ------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn image(reference: &str) -> &'static Image {
        Catalog::get()
            .lookup(reference)
            .unwrap_or_else(|| panic!("{reference} is not in the catalog"))
    }

    fn run(reference: &str, args: &[&str], env: &[&str]) -> Program {
        Program::new(Some(image(reference)), None, &s(args), &s(env)).with_hostname("3f9a1c2b7d4e")
    }

    fn ctx<'a>(env: &'a [String]) -> LogContext<'a> {
        LogContext {
            hostname: "3f9a1c2b7d4e",
            env,
            // 2025-06-05T09:01:00Z
            start_unix_ms: 1_749_114_060_000,
        }
    }

    fn texts(lines: &[LogLine]) -> Vec<String> {
        lines.iter().map(|l| l.text.clone()).collect()
    }

    const LISTED: &[&str] = &[
        "diamol/ch12-timecheck:1.0",
        "diamol/ch12-timecheck:2.0",
        "diamol/ch08-numbers-api",
        "diamol/ch08-numbers-api:v2",
        "diamol/ch08-numbers-api:v3",
        "diamol/ch08-numbers-web",
        "diamol/ch08-numbers-web:v2",
        "diamol/ch08-numbers-web:v3",
        "diamol/ch14-numbers-api:v5",
        "diamol/ch14-numbers-web:v5",
        "diamol/ch09-image-of-the-day",
        "diamol/ch09-access-log",
        "diamol/ch09-image-gallery",
        "diamol/ch06-todo-list",
        "diamol/postgres:11.5",
        "diamol/postgres:11.6",
        "nginx",
        "nginx:alpine",
        "redis",
        "redis:alpine",
        "redis:7",
        "redis:6",
        "redis:3.0.2",
        "redis:3.0.6",
        "redis:3.0.7",
        "postgres:15-alpine",
        "dockersamples/examplevotingapp_vote",
        "dockersamples/examplevotingapp_result",
        "dockersamples/examplevotingapp_worker",
        "hello-world",
        "alpine",
        "busybox",
        "curlimages/curl",
        "ubuntu",
        "traefik/whoami",
        "registry:2",
        "registry:latest",
        "registry:2.6",
        "httpd:2",
        "httpd:latest",
        "python:3.12-alpine",
        "python:3.12-slim",
        "python:3.12",
        "python:3.11",
        "python:3",
        "python:3.11-alpine",
        "python:3.11-slim",
        "python:3.10-alpine",
        "python:3.9",
        "python:3.7-alpine",
        "python:3.10-slim",
        "python:3.9-slim",
        "python:alpine",
        "python:latest",
        "node:20-alpine",
        "node:18-alpine",
        "node:lts-alpine",
        "node:20",
        "node:22",
        "node:alpine",
        "nicolaka/netshoot",
        "redis:7-alpine",
        "mongo",
        "mongo:8",
        "mongo:7",
        "mongo:6",
        "mysql:8",
        "mysql",
        "postgres",
        "postgres:17",
        "postgres:16",
        "postgres:16-alpine",
        "nginx:stable",
        "nginx:1.27",
        "nginx:1.25",
        "nginx:1.26",
        "nginx:stable-alpine",
        "nginx:1.27-alpine",
        "ubuntu:24.04",
        "ubuntu:22.04",
        "ubuntu:20.04",
        "debian",
        "debian:bookworm",
        "alpine:3.21",
        "alpine:3.20",
        "alpine:3.18",
        "alpine:3.19",
        "busybox:1.36",
        "dockersamples/visualizer",
        "nginx:1.21",
        "nginx:1.21-alpine",
        "nginx:1.23",
        "nginx:1.23-alpine",
        "nginx:1.24",
        "nginx:1.24-alpine",
        "nginx:1.25-alpine",
        "nginx:1.26-alpine",
        "nginx:1.28",
        "nginx:1.28-alpine",
        "nginx:mainline",
        "nginx:mainline-alpine",
        "registry:2.7.0",
        "registry:2.7.1",
        "registry:2.7",
        "httpd:alpine",
        "postgres:15",
        "redis:6.2",
        "redis:6.2-alpine",
        "nginxdemos/hello",
        "nginxdemos/hello:plain-text",
        "locustio/locust",
        "locustio/locust:2.32.4",
        "containous/whoami",
        "traefik:v2.10",
        "traefik:v2.11",
        "traefik:v2",
        "traefik:v3.0",
        "traefik:v3",
        "traefik",
        "portainer/portainer-ce",
        "portainer/portainer-ce:lts",
        "portainer/agent",
        "portainer/agent:lts",
        "nginx:1.22",
        "nginx:1.22-alpine",
    ];

    #[test]
    fn percent_decode_paths_and_forms() {
        assert_eq!(percent_decode("/my%20site/a%2Fb", false), "/my site/a/b");
        assert_eq!(percent_decode("a+b%41", false), "a+bA");
        assert_eq!(percent_decode("a+b%41", true), "a bA");
        // Invalid or cut-off escapes stay as they are.
        assert_eq!(percent_decode("100%", false), "100%");
        assert_eq!(percent_decode("%4", false), "%4");
        assert_eq!(percent_decode("%zz%e2%82%ac", false), "%zz€");
    }

    #[test]
    fn the_data_parses_and_every_health_test_is_a_command() {
        let catalog = Catalog::parse(DATA).expect("images.json parses");
        assert_eq!(catalog.images().len(), LISTED.len());
        for image in catalog.images() {
            if let Some(h) = &image.healthcheck {
                assert!(!h.test.is_empty(), "{}", image.reference());
                assert!(
                    matches!(h.test[0].as_str(), "CMD" | "CMD-SHELL"),
                    "{}",
                    image.reference()
                );
                assert!(
                    h.test.len() > 1 && h.test.iter().all(|t| !t.is_empty()),
                    "{}",
                    image.reference()
                );
            }
            assert!(
                is_sha256(&image.digest) && is_sha256(&image.id),
                "{}",
                image.reference()
            );
            assert!(
                (1000..=8000).contains(&image.pull_ms),
                "{}",
                image.reference()
            );
            assert!(image.created_unix > 1_400_000_000, "{}", image.reference());
        }
        let mut ids: Vec<&str> = catalog.images().iter().map(|i| i.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), LISTED.len(), "image IDs are distinct");
        assert!(Catalog::parse("{").is_err());
        assert!(Catalog::parse(r#"{"behaviours": {}, "images": [{"repository": "x", "tag": "1", "size": 1, "created": "2020-01-01T00:00:00Z", "behaviour": "nope"}]}"#).is_err());
    }

    #[test]
    fn every_listed_image_resolves_including_normalized_variants() {
        for reference in LISTED {
            let image = image(reference);
            assert_eq!(Some(image.reference()), normalize(reference));
        }
        let nginx = image("nginx");
        assert_eq!(nginx.reference(), "nginx:latest");
        let catalog = Catalog::get();
        for variant in [
            "nginx:latest",
            "library/nginx",
            "docker.io/library/nginx",
            "docker.io/nginx:latest",
            "index.docker.io/library/nginx",
        ] {
            assert_eq!(
                catalog.lookup(variant).map(Image::reference).as_deref(),
                Some("nginx:latest"),
                "{variant}"
            );
        }
        assert_eq!(
            catalog
                .lookup("docker.io/library/nginx:alpine")
                .map(Image::reference)
                .as_deref(),
            Some("nginx:alpine")
        );
        assert_eq!(
            catalog
                .lookup(&format!("nginx:latest@{}", nginx.digest))
                .map(Image::reference)
                .as_deref(),
            Some("nginx:latest")
        );
        let alpine = image("nginx:alpine");
        assert_eq!(
            catalog
                .lookup(&format!("nginx@{}", alpine.digest))
                .map(Image::reference)
                .as_deref(),
            Some("nginx:alpine"),
            "the digest wins over the default tag"
        );
        assert_eq!(
            catalog
                .lookup("docker.io/diamol/ch08-numbers-api")
                .map(Image::reference)
                .as_deref(),
            Some("diamol/ch08-numbers-api:latest")
        );
        assert!(catalog.lookup("localhost:5000/ip").is_none());
        assert!(catalog.lookup("nginx:1.0-nope").is_none());
        assert!(catalog.lookup("NGINX").is_none());
        assert_eq!(
            catalog
                .lookup_id(nginx.short_id())
                .map(Image::reference)
                .as_deref(),
            Some("nginx:latest")
        );
        assert_eq!(
            catalog
                .lookup_id(&nginx.id)
                .map(Image::reference)
                .as_deref(),
            Some("nginx:latest")
        );
    }

    #[test]
    fn normalize_follows_dockers_rules() {
        let cases: &[(&str, Option<&str>)] = &[
            ("nginx", Some("nginx:latest")),
            ("nginx:1.2", Some("nginx:1.2")),
            ("docker.io/library/nginx:1.2", Some("nginx:1.2")),
            ("library/nginx", Some("nginx:latest")),
            ("docker.io/diamol/x", Some("diamol/x:latest")),
            ("docker.io/library/a/b", Some("library/a/b:latest")),
            ("localhost:5000/ip", Some("localhost:5000/ip:latest")),
            ("localhost/ip:v1", Some("localhost/ip:v1")),
            ("myregistry.example.com:5000/team/app:2.0", Some("myregistry.example.com:5000/team/app:2.0")),
            ("registry:5000/ip", Some("registry:5000/ip:latest")),
            ("nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Some("nginx:latest")),
            ("a__b.c-d---e:Tag_1.0-x", Some("a__b.c-d---e:Tag_1.0-x")),
            ("", None),
            ("Nginx", None),
            ("nginx:", None),
            (":latest", None),
            ("nginx:-x", None),
            ("nginx:.x", None),
            ("ng inx", None),
            ("nginx/", None),
            ("/nginx", None),
            ("a___b", None),
            ("a..b", None),
            ("-nginx", None),
            ("nginx-", None),
            ("nginx@sha256:abc", None),
            ("nginx@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", None),
            ("localhost:port/ip", None),
            ("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize(input).as_deref(),
                *expected,
                "normalize({input:?})"
            );
        }
        let long_tag = format!("nginx:{}", "a".repeat(128));
        assert_eq!(normalize(&long_tag).as_deref(), Some(long_tag.as_str()));
        assert_eq!(normalize(&format!("nginx:{}", "a".repeat(129))), None);
    }

    #[test]
    fn timecheck_logs_every_five_seconds_with_its_version() {
        for (reference, version) in [
            ("diamol/ch12-timecheck:1.0", "1.0"),
            ("diamol/ch12-timecheck:2.0", "2.0"),
        ] {
            let program = run(reference, &[], &[]);
            let lines = program.logs(&ctx(&[]), 5_000, 25_000);
            assert_eq!(
                texts(&lines),
                vec![
                    format!("App version: {version}; time check: 09:01.05"),
                    format!("App version: {version}; time check: 09:01.10"),
                    format!("App version: {version}; time check: 09:01.15"),
                    format!("App version: {version}; time check: 09:01.20"),
                ],
                "{reference}"
            );
            assert!(lines.iter().all(|l| l.stream == Stream::Stdout));
            assert_eq!(program.exit(), None);
            assert_eq!(
                program.on_sigterm(),
                OnSigterm::Exit {
                    after_ms: 150,
                    code: 0
                }
            );
            assert!(program.ports().is_empty() && program.healthcheck().is_none());
        }
        // The container's env overrides the image's (as .NET configuration does).
        let env = s(&["Application__Version=3.1"]);
        let program = run(
            "diamol/ch12-timecheck:1.0",
            &[],
            &["Application__Version=3.1"],
        );
        assert!(program.logs(&ctx(&env), 0, 6_000)[0]
            .text
            .starts_with("App version: 3.1;"));
    }

    #[test]
    fn the_numbers_api_breaks_after_three_calls_and_fails_its_probe() {
        let program = run("diamol/ch08-numbers-api:v2", &[], &[]);
        let mut state = ProcState::default();
        assert_eq!(program.ports(), vec![80]);
        assert!(!program.probe(&state, 500), "not listening yet");
        assert!(program.probe(&state, program.startup_ms()));
        for _ in 0..3 {
            let reply = program
                .request(&mut state, 80, "/rng")
                .expect("listening on 80");
            assert_eq!(reply.status, 200);
            let n: u32 = reply.body.parse().expect("a number");
            assert!(n < 100);
        }
        assert!(
            program.probe(&state, 60_000),
            "still healthy after three calls"
        );
        assert_eq!(
            program.request(&mut state, 80, "/health").map(|r| r.status),
            Some(200)
        );
        let reply = program
            .request(&mut state, 80, "/rng")
            .expect("listening on 80");
        assert_eq!(reply.status, 500);
        assert!(state.broken);
        assert!(!program.probe(&state, 90_000));
        assert_eq!(
            program.request(&mut state, 80, "/health").map(|r| r.status),
            Some(500)
        );
        assert_eq!(program.request(&mut state, 8080, "/rng"), None);
        let exchange = program
            .handle(&mut state, &HttpRequest::get(80, "/rng"))
            .expect("listening");
        assert_eq!(exchange.logs[1].1, "      Unhealthy!");
        let failed = program.check(
            &program.healthcheck().expect("v2 has one").test,
            &state,
            90_000,
        );
        assert_eq!(failed.exit_code, 22);
        assert!(failed
            .output
            .contains("curl: (22) The requested URL returned error: 500"));

        // v1 has no healthcheck (probe passes) but breaks the same way; v3 checks with HttpCheck.
        let v1 = run("diamol/ch08-numbers-api", &[], &[]);
        assert!(v1.healthcheck().is_none());
        let v3 = run("diamol/ch08-numbers-api:v3", &[], &[]);
        let healthy = v3.check(
            &v3.healthcheck().expect("v3 has one").test,
            &ProcState::default(),
            2_000,
        );
        assert_eq!(healthy.exit_code, 0);
        assert!(healthy.output.starts_with("HTTP: status OK, took "));
        assert!(!v3.probe(&state, 90_000));
        // The numbers are deterministic per hostname and call.
        let mut a = ProcState::default();
        let mut b = ProcState::default();
        assert_eq!(
            program.request(&mut a, 80, "/rng"),
            program.request(&mut b, 80, "/rng")
        );
        let starts = texts(&program.logs(&ctx(&[]), 0, 2_000));
        assert!(starts.contains(&"      Now listening on: http://[::]:80".to_string()));
    }

    #[test]
    fn ch14_v5_is_unhealthy_unless_broken_is_false() {
        let broken = run("diamol/ch14-numbers-api:v5", &[], &[]);
        let state = ProcState::default();
        assert!(!broken.probe(&state, 5_000));
        assert!(!broken.probe(&state, 60_000));
        let fixed = run("diamol/ch14-numbers-api:v5", &[], &["Broken=false"]);
        assert!(fixed.probe(&state, 5_000));
        let fixed = run("diamol/ch14-numbers-api:v5", &[], &["Broken=False"]);
        assert!(fixed.probe(&state, 5_000));
        let still_broken = run("diamol/ch14-numbers-api:v5", &[], &["Broken=true"]);
        assert!(!still_broken.probe(&state, 5_000));
        let web = run("diamol/ch14-numbers-web:v5", &[], &[]);
        assert_eq!(
            web.startup_check(),
            Some(StartupCheck {
                url: "http://numbers-api/rng".to_string(),
                timeout_ms: 900
            })
        );
        let page = web
            .request(&mut ProcState::default(), 80, "/")
            .expect("web on 80");
        assert!(page.body.contains("Get a random number"));
    }

    #[test]
    fn sleep_exits_after_its_time_and_ignores_sigterm() {
        for (arg, ms) in [
            ("5", 5_000),
            ("5s", 5_000),
            ("1m", 60_000),
            ("0.5", 500),
            ("1.5m", 90_000),
        ] {
            let program = run("alpine", &["sleep", arg], &[]);
            assert_eq!(
                program.exit(),
                Some(Exit {
                    after_ms: ms,
                    code: 0
                }),
                "sleep {arg}"
            );
            assert_eq!(program.on_sigterm(), OnSigterm::Ignore);
        }
        assert_eq!(run("busybox", &["sleep", "infinity"], &[]).exit(), None);
        assert_eq!(
            run("ubuntu", &["sleep", "x"], &[]).exit(),
            Some(Exit {
                after_ms: 0,
                code: 1
            })
        );
        assert_eq!(
            run("alpine", &["tail", "-f", "/dev/null"], &[]).exit(),
            None
        );
        // Through a wrapper entrypoint: nginx's docker-entrypoint.sh execs it.
        let nginx_sleep = run("nginx", &["sleep", "5"], &[]);
        assert_eq!(
            nginx_sleep.exit(),
            Some(Exit {
                after_ms: 5_000,
                code: 0
            })
        );
        assert!(nginx_sleep.ports().is_empty());
        assert_eq!(
            nginx_sleep.argv(),
            s(&["/docker-entrypoint.sh", "sleep", "5"])
        );
    }

    #[test]
    fn shell_scripts_run_minimally() {
        let exit1 = run("alpine", &["sh", "-c", "exit 1"], &[]);
        assert_eq!(
            exit1.exit(),
            Some(Exit {
                after_ms: 0,
                code: 1
            })
        );
        let later = run("alpine", &["sh", "-c", "sleep 10; exit 3"], &[]);
        assert_eq!(
            later.exit(),
            Some(Exit {
                after_ms: 10_000,
                code: 3
            })
        );
        let chain = run(
            "busybox",
            &[
                "sh",
                "-c",
                "echo hello && sleep 2 && echo \"from $HOSTNAME\"; false || echo fallback",
            ],
            &[],
        );
        assert_eq!(
            chain.exit(),
            Some(Exit {
                after_ms: 2_000,
                code: 0
            })
        );
        let lines = chain.logs(&ctx(&[]), 0, 10_000);
        assert_eq!(
            texts(&lines),
            s(&["hello", "from 3f9a1c2b7d4e", "fallback"])
        );
        assert_eq!(lines[1].offset_ms, 2_000);
        assert_eq!(
            run("alpine", &["false"], &[]).exit(),
            Some(Exit {
                after_ms: 0,
                code: 1
            })
        );
        assert_eq!(
            run("alpine", &["sh", "-c", "false && exit 0"], &[]).exit(),
            Some(Exit {
                after_ms: 0,
                code: 1
            })
        );
        let echo = run("alpine", &["echo", "hello"], &[]);
        assert_eq!(
            echo.exit(),
            Some(Exit {
                after_ms: 0,
                code: 0
            })
        );
        assert_eq!(texts(&echo.logs(&ctx(&[]), 0, 1)), s(&["hello"]));
        // A loop repeats by arithmetic.
        let looped = run(
            "alpine",
            &["sh", "-c", "while true; do echo tick; sleep 2; done"],
            &[],
        );
        assert_eq!(looped.exit(), None);
        let ticks = looped.logs(&ctx(&[]), 0, 10_000);
        assert_eq!(ticks.len(), 5);
        assert_eq!(ticks[4].offset_ms, 8_000);
        // Unknown commands run forever, silently.
        let unknown = run("alpine", &["my-daemon", "--flag"], &[]);
        assert_eq!(unknown.exit(), None);
        assert!(unknown.logs(&ctx(&[]), 0, 100_000).is_empty());
    }

    #[test]
    fn default_shells_exit_at_once_without_a_tty() {
        for reference in ["alpine", "busybox", "ubuntu"] {
            let program = run(reference, &[], &[]);
            assert_eq!(
                program.exit(),
                Some(Exit {
                    after_ms: 0,
                    code: 0
                }),
                "{reference}"
            );
            assert_eq!(program.with_tty(true).exit(), None, "{reference} -t");
        }
    }

    #[test]
    fn unknown_images_are_generic() {
        let program = Program::new(None, None, &[], &[]);
        assert_eq!(program.exit(), None);
        assert!(program.ports().is_empty());
        assert!(program.healthcheck().is_none());
        assert!(program.logs(&ctx(&[]), 0, 3_600_000).is_empty());
        assert!(program
            .request(&mut ProcState::default(), 80, "/")
            .is_none());
        assert!(program.argv().is_empty());
        assert!(program.probe(&ProcState::default(), 0));
        let with_cmd = Program::new(None, None, &s(&["python", "app.py"]), &[]);
        assert_eq!(with_cmd.exit(), None);
        assert_eq!(with_cmd.argv(), s(&["python", "app.py"]));
        let sleeps = Program::new(None, None, &s(&["sleep", "5"]), &[]);
        assert_eq!(
            sleeps.exit(),
            Some(Exit {
                after_ms: 5_000,
                code: 0
            })
        );
    }

    #[test]
    fn logs_over_ten_hours_are_capped_and_computed_by_arithmetic() {
        let ping = run("alpine", &["ping", "localhost"], &[]);
        assert_eq!(ping.on_sigterm(), OnSigterm::Ignore);
        let ten_hours = 36_000_000;
        let lines = ping.logs(&ctx(&[]), 0, ten_hours);
        assert_eq!(lines.len(), LOG_CAP);
        let last = lines.last().expect("lines");
        assert_eq!(last.offset_ms, ten_hours - 1_000 + 1);
        assert!(last.text.starts_with(&format!(
            "64 bytes from 127.0.0.1: seq={} ttl=64 time=0.",
            35_999
        )));
        assert!(lines.windows(2).all(|w| w[0].offset_ms <= w[1].offset_ms));
        // A century-long window would take hours if it were walked line by line.
        let century = 100 * 365 * 86_400_000;
        assert_eq!(ping.logs(&ctx(&[]), 0, century).len(), LOG_CAP);
        let timecheck = run("diamol/ch12-timecheck:1.0", &[], &[]);
        assert_eq!(timecheck.logs(&ctx(&[]), 0, century).len(), LOG_CAP);
        assert_eq!(timecheck.logs(&ctx(&[]), 0, ten_hours).len(), 7_199);
        assert!(timecheck.logs(&ctx(&[]), 10, 10).is_empty());
    }

    #[test]
    fn ping_with_a_count_prints_busybox_output_and_exits() {
        let ping = run("busybox", &["ping", "-c", "3", "8.8.8.8"], &[]);
        assert_eq!(
            ping.exit(),
            Some(Exit {
                after_ms: 2_002,
                code: 0
            })
        );
        let lines = texts(&ping.logs(&ctx(&[]), 0, 10_000));
        assert_eq!(lines.len(), 8);
        assert_eq!(lines[0], "PING 8.8.8.8 (8.8.8.8): 56 data bytes");
        assert!(lines[3].starts_with("64 bytes from 8.8.8.8: seq=2 ttl=117 time="));
        assert_eq!(
            lines[4..7],
            s(&[
                "",
                "--- 8.8.8.8 ping statistics ---",
                "3 packets transmitted, 3 packets received, 0% packet loss"
            ])
        );
        assert!(lines[7].starts_with("round-trip min/avg/max = "));
    }

    #[test]
    fn hello_world_prints_and_exits() {
        let program = run("hello-world", &[], &[]);
        assert_eq!(
            program.exit(),
            Some(Exit {
                after_ms: 50,
                code: 0
            })
        );
        let lines = texts(&program.logs(&ctx(&[]), 0, 1_000));
        assert_eq!(lines[1], "Hello from Docker!");
        assert_eq!(lines.len(), 22);
        assert_eq!(program.argv(), s(&["/hello"]));
    }

    #[test]
    fn postgres_needs_a_password() {
        let refused = run("postgres:15-alpine", &[], &[]);
        assert_eq!(
            refused.exit(),
            Some(Exit {
                after_ms: 45,
                code: 1
            })
        );
        let lines = refused.logs(&ctx(&[]), 0, 1_000);
        assert_eq!(
            lines[0].text,
            "Error: Database is uninitialized and superuser password is not specified."
        );
        assert_eq!(lines[0].stream, Stream::Stderr);
        assert!(refused.ports().is_empty());
        let started = run("postgres:15-alpine", &[], &["POSTGRES_PASSWORD=secret"]);
        assert_eq!(started.exit(), None);
        assert_eq!(started.ports(), vec![5432]);
        let env = s(&["POSTGRES_PASSWORD=secret"]);
        let last = started.logs(&ctx(&env), 0, 10_000).pop().expect("logs");
        assert!(last
            .text
            .ends_with("LOG:  database system is ready to accept connections"));
        let trusted = run(
            "postgres:15-alpine",
            &[],
            &["POSTGRES_HOST_AUTH_METHOD=trust"],
        );
        assert_eq!(trusted.exit(), None);
        // The 2019 images started without one, with a warning.
        let old = run("diamol/postgres:11.5", &[], &[]);
        assert_eq!(old.exit(), None);
        assert!(texts(&old.logs(&ctx(&[]), 0, 5_000))
            .contains(&"WARNING: No password has been set for the database.".to_string()));
    }

    #[test]
    fn mysql_needs_a_password_and_mongo_logs_json() {
        let refused = run("mysql:8", &[], &[]);
        assert_eq!(
            refused.exit(),
            Some(Exit {
                after_ms: 430,
                code: 1
            })
        );
        let env = s(&["MYSQL_VERSION=8.4.5-1.el9"]);
        let lines = refused.logs(&ctx(&env), 0, 1_000);
        assert_eq!(
            lines[0].text,
            "2025-06-05 09:01:00+00:00 [Note] [Entrypoint]: Entrypoint script for MySQL Server 8.4.5-1.el9 started."
        );
        assert_eq!(lines[3].stream, Stream::Stderr);
        assert!(lines[3].text.ends_with(
            "[ERROR] [Entrypoint]: Database is uninitialized and password option is not specified"
        ));
        assert_eq!(lines[7].text, "    - MYSQL_RANDOM_ROOT_PASSWORD");
        assert!(refused.ports().is_empty());
        for ok in [
            "MYSQL_ROOT_PASSWORD=secret",
            "MYSQL_ALLOW_EMPTY_PASSWORD=yes",
            "MYSQL_RANDOM_ROOT_PASSWORD=1",
        ] {
            let started = run("mysql:8", &[], &[ok]);
            assert_eq!(started.exit(), None, "{ok}");
            assert_eq!(started.ports(), vec![3306, 33060]);
        }
        let started = run("mysql:latest", &[], &["MYSQL_ROOT_PASSWORD=secret"]);
        let last = started.logs(&ctx(&[]), 0, 20_000).pop().expect("logs");
        assert!(last.text.ends_with("/usr/sbin/mysqld: ready for connections. Version: '9.3.0'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL."), "{}", last.text);

        let mongo = run("mongo:7", &[], &[]);
        assert_eq!(mongo.argv(), s(&["docker-entrypoint.sh", "mongod"]));
        assert_eq!(mongo.exit(), None);
        assert_eq!(mongo.ports(), vec![27017]);
        assert_eq!(mongo.data().map(|d| d.dir.as_str()), Some("/data/db"));
        let last = mongo.logs(&ctx(&[]), 0, 5_000).pop().expect("logs");
        assert_eq!(
            last.text,
            r#"{"t":{"$date":"2025-06-05T09:01:01.190+00:00"},"s":"I",  "c":"NETWORK",  "id":23016,   "ctx":"listener","msg":"Waiting for connections","attr":{"port":27017,"ssl":"off"}}"#
        );
        // The entrypoint execs other commands.
        assert!(run("mongo", &["sleep", "5"], &[]).exit().is_some());
        // Postgres's and redis's put their program before an option; nginx's execs it.
        assert!(run("redis", &["--appendonly", "yes"], &[]).exit().is_none());
        for (image, line) in [
            ("nginx", "/docker-entrypoint.sh: 47: exec: --rm: not found"),
            (
                "nginx:alpine",
                "/docker-entrypoint.sh: exec: line 47: --rm: not found",
            ),
        ] {
            let p = run(image, &["--rm"], &[]);
            assert_eq!(p.exit().map(|e| e.code), Some(127), "{image}");
            let logs = p.logs(&ctx(&[]), 0, 1_000);
            assert_eq!(logs.len(), 1, "{image}");
            assert_eq!(
                (logs[0].stream, logs[0].text.as_str()),
                (Stream::Stderr, line)
            );
        }

        let pg = run("postgres:17", &[], &["POSTGRES_PASSWORD=x"]);
        let env = s(&["PG_VERSION=17.5-1.pgdg120+1"]);
        let texts = texts(&pg.logs(&ctx(&env), 0, 5_000));
        assert!(texts.iter().any(|t| t.ends_with("LOG:  starting PostgreSQL 17.5 (Debian 17.5-1.pgdg120+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit")));
        assert!(!texts.iter().any(|t| t.contains("no usable system locales")));
        assert!(run("postgres", &[], &[]).exit().is_some());

        let vis = run("dockersamples/visualizer", &[], &[]);
        let mut state = ProcState::default();
        let page = vis.request(&mut state, 8080, "/").expect("port 8080");
        assert!(page.body.contains("<title>Visualizer</title>"));
        assert!(page.body.contains("window.MS = '1000';"));
    }

    #[test]
    fn nginx_serves_its_welcome_page_and_logs_like_the_real_one() {
        let nginx = run("nginx", &[], &[]);
        assert_eq!(
            nginx.argv(),
            s(&["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"])
        );
        assert_eq!(image("nginx").stop_signal(), Some("SIGQUIT"));
        let mut state = ProcState::default();
        let page = nginx.request(&mut state, 80, "/").expect("port 80");
        assert_eq!((page.status, page.body.len()), (200, 615));
        assert!(page.body.contains("<h1>Welcome to nginx!</h1>"));
        assert_eq!(
            nginx.request(&mut state, 80, "/nope").map(|r| r.status),
            Some(404)
        );
        let lines = nginx.logs(&ctx(&[]), 0, 1_000);
        assert_eq!(
            lines[8].text,
            "/docker-entrypoint.sh: Configuration complete; ready for start up"
        );
        assert_eq!(
            lines[10].text,
            "2025/06/05 09:01:00 [notice] 1#1: nginx/1.27.5"
        );
        assert_eq!(lines[10].stream, Stream::Stderr);
        let mut req = HttpRequest::get(80, "/");
        req.client = "10.0.0.2:51234";
        req.now_unix_ms = 1_749_114_065_000;
        let exchange = nginx.handle(&mut state, &req).expect("port 80");
        assert_eq!(
            exchange.logs,
            vec![(Stream::Stdout, "10.0.0.2 - - [05/Jun/2025:09:01:05 +0000] \"GET / HTTP/1.1\" 200 615 \"-\" \"curl/8.5.0\" \"-\"".to_string())]
        );
        assert!(!nginx.stop_logs(&ctx(&[]), 5_000).is_empty());
        // `nginx -T`-style arguments still run nginx.
        assert_eq!(
            run("nginx", &["nginx", "-g", "daemon off;"], &[]).ports(),
            vec![80]
        );
    }

    #[test]
    fn whoami_answers_with_its_hostname() {
        let whoami = run("traefik/whoami", &[], &[]).with_addresses(&s(&["10.0.1.7"]));
        let reply = whoami
            .request(&mut ProcState::default(), 80, "/")
            .expect("port 80");
        assert!(reply.body.starts_with(
            "Hostname: 3f9a1c2b7d4e\nIP: 127.0.0.1\nIP: ::1\nIP: 10.0.1.7\nRemoteAddr: "
        ));
    }

    #[test]
    fn entrypoint_overrides_follow_docker() {
        let nginx = image("nginx");
        let p = Program::new(Some(nginx), Some(&s(&["sh"])), &[], &[]);
        assert_eq!(p.argv(), s(&["sh"]));
        assert_eq!(
            p.exit(),
            Some(Exit {
                after_ms: 0,
                code: 0
            })
        );
        let cleared = Program::new(Some(nginx), Some(&[]), &[], &[]);
        assert_eq!(cleared.argv(), s(&["nginx", "-g", "daemon off;"]));
        assert_eq!(cleared.ports(), vec![80]);
        let api = image("diamol/ch08-numbers-api");
        let with_args = Program::new(Some(api), None, &s(&["--urls", "http://+:80"]), &[]);
        assert_eq!(with_args.ports(), vec![80], "arguments go to the app");
        let redis = Program::new(
            Some(image("redis")),
            None,
            &s(&["redis-server", "--appendonly", "yes"]),
            &[],
        );
        assert_eq!(redis.ports(), vec![6379]);
        assert!(
            redis
                .check(
                    &s(&["CMD", "redis-cli", "ping"]),
                    &ProcState::default(),
                    100
                )
                .exit_code
                == 0
        );
    }

    #[test]
    fn strftime_and_civil_dates_agree() {
        assert_eq!(parse_rfc3339("2025-06-05T09:01:00Z"), Some(1_749_114_060));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2024-02-29T23:59:59Z"), Some(1_709_251_199));
        assert_eq!(parse_rfc3339("2024-13-01T00:00:00Z"), None);
        assert_eq!(
            strftime(1_749_114_065_123, "%a %b %e %Y %T.%L %j"),
            "Thu Jun  5 2025 09:01:05.123 156"
        );
        assert_eq!(strftime(-1, "%F %T"), "1969-12-31 23:59:59");
        // 2025-06-05T13:07:00Z, then 00:30: the 12-hour clock.
        assert_eq!(strftime(1_749_128_820_000, "%I:%M%p"), "01:07PM");
        assert_eq!(strftime(1_749_083_400_000, "%I:%M%p"), "12:30AM");
    }

    #[test]
    fn redirections_and_health_commands() {
        let quiet = run(
            "alpine",
            &[
                "sh",
                "-c",
                "echo hidden > /dev/null; echo shown 2>&1; echo err >&2",
            ],
            &[],
        );
        assert_eq!(texts(&quiet.logs(&ctx(&[]), 0, 10)), s(&["shown", "err"]));
        let nginx = run("nginx:alpine", &[], &[]);
        let test = s(&[
            "CMD-SHELL",
            "curl -fs http://localhost/ > /dev/null || exit 1",
        ]);
        assert_eq!(
            nginx.check(&test, &ProcState::default(), 10).exit_code,
            1,
            "not started"
        );
        assert_eq!(
            nginx.check(&test, &ProcState::default(), 1_000).exit_code,
            0
        );
        let test = s(&[
            "CMD-SHELL",
            "wget -q --spider http://localhost:8080/ || exit 3",
        ]);
        assert_eq!(
            nginx.check(&test, &ProcState::default(), 1_000).exit_code,
            3
        );
    }
}
