//! Image registries: the `registry` image's HTTP API, served from its storage directory, and
//! the daemon's side of `docker push`, `docker pull` and `docker login` against it.
//!
//! # The server
//!
//! A container of a behaviour with `"app": "registry"` (`registry:2`, `registry:latest`) is
//! served by [`World::registry_serve`]. Its state is files, as distribution's filesystem
//! driver lays them out under `$REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY` (default
//! `/var/lib/registry`), so a bind mount (`-v $(pwd)/registry-data:/var/lib/registry`) shows
//! them on the host (`tree registry-data`) and a new registry container on the same directory
//! serves what the old one stored:
//!
//! ```text
//! docker/registry/v2/blobs/sha256/<2 hex>/<hex>/data          a blob (layer, config, manifest)
//! docker/registry/v2/repositories/<name>/_layers/sha256/<hex>/link
//! docker/registry/v2/repositories/<name>/_manifests/revisions/sha256/<hex>/link
//! docker/registry/v2/repositories/<name>/_manifests/tags/<tag>/current/link
//! docker/registry/v2/repositories/<name>/_manifests/tags/<tag>/index/sha256/<hex>/link
//! docker/registry/v2/repositories/<name>/_uploads/
//! ```
//!
//! Layer blobs hold a one-line placeholder instead of a tarball (a machine's filesystem is
//! bounded); manifests and image configs are real JSON. Routes: `GET /v2/`, `/v2/_catalog`,
//! `/v2/NAME/tags/list`, `GET|HEAD|PUT /v2/NAME/manifests/REF`, `GET|HEAD /v2/NAME/blobs/D`,
//! `POST /v2/NAME/blobs/uploads/` (with `?mount=D&from=REPO`, the cross-repository mount) and
//! `PUT /v2/NAME/blobs/uploads/UUID?digest=D` (a monolithic upload); the error bodies are
//! distribution's (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, `BLOB_UNKNOWN`, `UNAUTHORIZED`).
//! Every request gets an access-log line on stderr, as the registry writes it.
//!
//! - **TLS**: with `REGISTRY_HTTP_TLS_CERTIFICATE` set, the registry speaks HTTPS and presents
//!   that file's text as its certificate ([`World::container_tls_cert`]); a plain HTTP request
//!   gets Go's `400 Client sent an HTTP request to an HTTPS server.`.
//! - **Basic auth**: with `REGISTRY_AUTH=htpasswd`, every request needs an `Authorization:
//!   Basic` header whose user and password match a line of the file at
//!   `REGISTRY_AUTH_HTPASSWD_PATH` (in the container), else `401` with
//!   `WWW-Authenticate: Basic realm="$REGISTRY_AUTH_HTPASSWD_REALM"`. Passwords are checked
//!   against [`htpasswd_line`]'s own `$2y$05$…` format (a stable hash, not bcrypt: nothing here
//!   is security), so a file written by `htpasswd -Bbn` in a container works.
//!
//! # The daemon
//!
//! A reference whose domain is a machine of the playground (`127.0.0.1:5000`, `localhost:5000`,
//! `node2:5000`, `192.168.0.12:5000`) names a registry the daemon reaches over the simulated
//! network from its machine's host network ([`World::http_request`]: published ports, the
//! routing mesh). As moby does, loopback registries are insecure by default (HTTPS without
//! verification, then plain HTTP); any other is HTTPS only, trusting a certificate only when
//! the machine has it in `/etc/docker/certs.d/HOST:PORT/*.crt` (`docker push node2:5000/x` to
//! a plain-HTTP registry fails with `http: server gave HTTP response to HTTPS client`). Host
//! names are not checked against the certificate's subject. Other domains (`docker.io`,
//! `ghcr.io`, `registry.example.com`) are outside the playground: pulls work as the catalog
//! says, pushes are refused.

use crate::apps::Served;
use crate::catalog::{strftime, Catalog, HttpReply, HttpRequest, Stream};
use crate::container::{hex64, PulledImage};
use crate::machine::MachineId;
use crate::network::{HttpCall, HttpError};
use crate::time::SimDuration;
use crate::world::World;

/// Where the registry keeps its data unless told otherwise.
const DEFAULT_ROOT: &str = "/var/lib/registry";
/// Docker's image manifest, schema 2.
const MANIFEST_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";
const CONFIG_V1: &str = "application/vnd.docker.container.image.v1+json";
const LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/// The daemon's `User-Agent` towards registries.
const DAEMON_UA: &str = "docker/28.2.2 go/go1.24.3 git-commit/45873be kernel/6.8.0-1015-gcp os/linux arch/amd64 UpstreamClient(Docker-Client/28.2.2 \\(linux\\))";
/// The most tags or repositories one listing returns (a bound on everything).
const MAX_LIST: usize = 1000;
/// How long pushing one blob takes here.
const PUSH_BLOB_MS: u64 = 300;

/// The registry part of an image reference, as the daemon reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryRef {
    /// The domain as written: `127.0.0.1:5000`, `node2:5000`, `localhost`.
    pub domain: String,
    /// Its host name or address.
    pub host: String,
    /// Its port, if written.
    pub port: Option<u16>,
    /// The repository path inside the registry: `hello-world`, `team/api`.
    pub path: String,
    /// The tag (`latest` when none is written and there is no digest).
    pub tag: Option<String>,
    /// A `sha256:…` digest, if the reference has one.
    pub digest: Option<String>,
}

impl RegistryRef {
    /// Splits `reference`; `None` when its domain is Docker Hub (no domain written) or the
    /// reference is not valid.
    pub fn parse(reference: &str) -> Option<RegistryRef> {
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (reference, None),
        };
        let (domain, path) = rest.split_once('/')?;
        if !(domain.contains('.') || domain.contains(':') || domain == "localhost") {
            return None;
        }
        let (path, tag) = match path.rsplit_once(':') {
            Some((p, t)) if !t.contains('/') => (p, Some(t.to_string())),
            _ => (path, None),
        };
        let (host, port) = match domain.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p.parse().ok()?)),
            None => (domain.to_string(), None),
        };
        if path.is_empty() || host.is_empty() {
            return None;
        }
        let tag = tag.or_else(|| digest.is_none().then(|| "latest".to_string()));
        Some(RegistryRef {
            domain: domain.to_string(),
            host,
            port,
            path: path.to_string(),
            tag,
            digest,
        })
    }

    /// `127.0.0.1:5000/hello-world`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The tag or digest asked for, as the manifest URL ends.
    fn reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// Loopback registries are insecure by default (moby's `127.0.0.0/8`).
    fn insecure(&self) -> bool {
        self.host == "localhost" || self.host == "::1" || self.host.starts_with("127.")
    }

    fn port_for(&self, tls: bool) -> u16 {
        self.port.unwrap_or(if tls { 443 } else { 80 })
    }

    fn url(&self, tls: bool, path: &str) -> String {
        let scheme = if tls { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.domain)
    }
}

/// What one `docker push` did, for the CLI to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushReport {
    /// `127.0.0.1:5000/hello-world`, as `The push refers to repository [...]` shows it.
    pub repository: String,
    /// Each layer's short ID (top layer first) and what became of it: `Pushed`,
    /// `Layer already exists`, `Mounted from REPO`.
    pub layers: Vec<(String, String)>,
    /// The tag pushed.
    pub tag: String,
    /// The manifest's digest.
    pub digest: String,
    /// The manifest's size in bytes.
    pub size: usize,
    /// How long the push takes.
    pub took: SimDuration,
}

/// Why a push failed: the layers shown before the error (`Preparing`) and the error text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushError {
    /// `The push refers to repository [...]`, when the daemon got that far.
    pub repository: Option<String>,
    /// Short IDs of the layers being prepared.
    pub layers: Vec<String>,
    /// The error, as the CLI prints it.
    pub message: String,
}

/// `user:$2y$05$…`: an htpasswd line for `user` and `password`, salted with `salt_seed`.
/// The hash is this program's own (see the module documentation), in bcrypt's shape.
pub fn htpasswd_line(user: &str, password: &str, salt_seed: &str) -> String {
    let salt: String = bcrypt_chars(&hex64(&format!("salt:{salt_seed}")), 22);
    format!("{user}:$2y$05${salt}{}", password_hash(&salt, password))
}

/// Whether `password` matches an htpasswd hash written by [`htpasswd_line`].
pub fn htpasswd_verify(hash: &str, password: &str) -> bool {
    let Some(rest) = hash.strip_prefix("$2y$05$") else {
        return false;
    };
    if rest.len() != 53 || !rest.is_ascii() {
        return false;
    }
    let (salt, h) = rest.split_at(22);
    password_hash(salt, password) == h
}

fn password_hash(salt: &str, password: &str) -> String {
    let mut seed = format!("{salt}\u{0}{password}");
    for _ in 0..3 {
        seed = hex64(&seed);
    }
    bcrypt_chars(&seed, 31)
}

/// `n` characters of bcrypt's alphabet drawn from hex digits.
fn bcrypt_chars(hex: &str, n: usize) -> String {
    const A: &[u8; 64] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(n);
    let mut bytes = hex.bytes().cycle();
    let mut k = 0u32;
    while out.len() < n {
        let a = bytes.next().unwrap_or(b'0');
        let b = bytes.next().unwrap_or(b'0');
        let v = (hexval(a) << 4 | hexval(b)) ^ (k.wrapping_mul(37) as u8);
        out.push(char::from(A[usize::from(v & 63)]));
        k += 1;
    }
    out
}

fn hexval(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => 0,
    }
}

fn json_error(status: u16, code: &str, message: &str, detail: &str) -> HttpReply {
    HttpReply {
        status,
        body: format!(
            "{{\"errors\":[{{\"code\":\"{code}\",\"message\":\"{message}\",\"detail\":{detail}}}]}}\n"
        ),
        content_type: "application/json; charset=utf-8".into(),
        headers: vec![(
            "Docker-Distribution-Api-Version".into(),
            "registry/2.0".into(),
        )],
    }
}

/// A registry reply's header block as Go's net/http writes it: the handler's headers sorted
/// by name, then `Date`, then the `Content-Length` net/http computed (when the handler did
/// not set one: it does for `/v2/`, manifests and blobs). Every response of the app has the
/// API version and the image's config.yml header `X-Content-Type-Options: nosniff`; the
/// `alive("/")` handler in front of it has neither.
fn go_headers(mut reply: HttpReply, req: &HttpRequest) -> HttpReply {
    let path = req.path.split_once('?').map_or(req.path, |(p, _)| p);
    let alive = path == "/";
    let ok_get = reply.status == 200 && matches!(req.method, "GET" | "HEAD");
    let blob = ok_get && path.contains("/blobs/");
    // An upload's 202 and a blob's 201 (blobUploadResponse, writeBlobCreatedHeaders) set
    // `Content-Length: 0` themselves.
    let blob_write = matches!(reply.status, 201 | 202) && path.contains("/blobs/");
    let explicit_len =
        blob_write || ok_get && (path == "/v2/" || blob || path.contains("/manifests/"));
    let mut hs = std::mem::take(&mut reply.headers);
    if !reply.content_type.is_empty() {
        hs.push(("Content-Type".into(), reply.content_type.clone()));
    }
    if !alive {
        if !hs
            .iter()
            .any(|(k, _)| k == "Docker-Distribution-Api-Version")
        {
            hs.push((
                "Docker-Distribution-Api-Version".into(),
                "registry/2.0".into(),
            ));
        }
        hs.push(("X-Content-Type-Options".into(), "nosniff".into()));
    }
    if blob {
        // blobServer.ServeBlob and http.ServeContent.
        hs.push(("Accept-Ranges".into(), "bytes".into()));
        hs.push(("Cache-Control".into(), "max-age=31536000".into()));
        hs.push((
            "Etag".into(),
            format!("\"{}\"", path.rsplit('/').next().unwrap_or("")),
        ));
    }
    if explicit_len {
        hs.push(("Content-Length".into(), reply.body.len().to_string()));
    }
    hs.sort_by(|a, b| a.0.cmp(&b.0));
    hs.push(("Date".into(), crate::catalog::http_date(req.now_unix_ms)));
    let body_allowed = !matches!(reply.status, 100..=199 | 204 | 304);
    if !explicit_len && body_allowed && (req.method != "HEAD" || !reply.body.is_empty()) {
        hs.push(("Content-Length".into(), reply.body.len().to_string()));
    }
    reply.headers = hs;
    reply
}

fn json_ok(status: u16, body: String, content_type: &str) -> HttpReply {
    HttpReply {
        status,
        body,
        content_type: content_type.into(),
        headers: vec![(
            "Docker-Distribution-Api-Version".into(),
            "registry/2.0".into(),
        )],
    }
}

/// Where the registry says a URL of its own is: distribution's URL builder makes them
/// absolute from the request (`http://localhost:5000`, `https://` over TLS).
fn origin(req: &HttpRequest) -> String {
    format!("{}://{}", if req.tls { "https" } else { "http" }, req.host)
}

/// An upload's `_state` token as distribution's `blobUploadState` packs it: an HMAC of the
/// JSON, then the JSON (name, UUID, offset, start time), URL-safe base64.
fn upload_state(name: &str, uuid: &str, now_unix_ms: i64) -> String {
    // Go's RFC 3339 with nanoseconds, trailing zeros trimmed.
    let frac = format!("{:03}", now_unix_ms.rem_euclid(1000));
    let frac = frac.trim_end_matches('0');
    let started = format!(
        "{}{}{frac}Z",
        strftime(now_unix_ms, "%Y-%m-%dT%H:%M:%S"),
        if frac.is_empty() { "" } else { "." }
    );
    let json = format!(
        "{{\"Name\":{},\"UUID\":\"{uuid}\",\"Offset\":0,\"StartedAt\":\"{started}\"}}",
        json_str(name)
    );
    let mac = crate::container::hex64(&format!("hmac:{json}"));
    let mut bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(mac.get(i * 2..i * 2 + 2).unwrap_or("0"), 16).unwrap_or(0))
        .collect();
    bytes.extend_from_slice(json.as_bytes());
    crate::base64::encode(&bytes)
        .replace('+', "-")
        .replace('/', "_")
}

/// The path and query of `location`, absolute or not.
pub(crate) fn strip_origin(location: &str) -> &str {
    match location.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => location,
    }
}

/// `201 Created` for blob `d` of repository `name` (an upload finished, a mount done).
fn blob_created(req: &HttpRequest, name: &str, d: &str) -> HttpReply {
    let mut reply = json_ok(201, String::new(), "");
    reply.headers.push((
        "Location".into(),
        format!("{}/v2/{name}/blobs/{d}", origin(req)),
    ));
    reply
        .headers
        .push(("Docker-Content-Digest".into(), d.to_string()));
    reply
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// A repository name distribution accepts: lowercase components joined by `/`.
fn valid_repo(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name.split('/').all(|c| {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
                && c.as_bytes()[0].is_ascii_alphanumeric()
        })
}

fn valid_digest(d: &str) -> bool {
    d.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn query_param<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// The manifest a push writes for an image: its config and layers.
fn manifest_for(image: &PulledImage) -> String {
    let n = image.layers.len().max(1) as u64;
    let per = (image.size / 2 / n).max(1);
    let layers: Vec<String> = image
        .layers
        .iter()
        .map(|l| {
            format!(
                "      {{\n         \"mediaType\": \"{LAYER_GZIP}\",\n         \"size\": {per},\n         \"digest\": \"{l}\"\n      }}"
            )
        })
        .collect();
    let config = config_for(image);
    format!(
        "{{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"{MANIFEST_V2}\",\n   \"config\": {{\n      \"mediaType\": \"{CONFIG_V1}\",\n      \"size\": {},\n      \"digest\": \"{}\"\n   }},\n   \"layers\": [\n{}\n   ]\n}}",
        config.len(),
        image.id,
        layers.join(",\n")
    )
}

/// The image's config blob (what `docker image inspect` reads from a pulled image).
fn config_for(image: &PulledImage) -> String {
    let catalog = Catalog::get();
    let known = catalog.lookup_id(&image.id);
    let strings = |v: &[String]| {
        serde_json::Value::Array(
            v.iter()
                .map(|s| serde_json::Value::String(s.clone()))
                .collect(),
        )
    };
    let mut config = serde_json::Map::new();
    if let Some(i) = known {
        config.insert("Env".into(), strings(&i.env));
        if !i.entrypoint.is_empty() {
            config.insert("Entrypoint".into(), strings(&i.entrypoint));
        }
        config.insert("Cmd".into(), strings(&i.cmd));
        if !i.workdir.is_empty() {
            config.insert("WorkingDir".into(), i.workdir.clone().into());
        }
    }
    let created = strftime(image.created_unix * 1000, "%Y-%m-%dT%H:%M:%SZ");
    let v = serde_json::json!({
        "architecture": "amd64",
        "config": config,
        "created": created,
        "os": "linux",
        "rootfs": { "type": "layers", "diff_ids": image.layers },
    });
    v.to_string()
}

fn digest_of(content: &str) -> String {
    format!("sha256:{}", hex64(&format!("blob:{content}")))
}

impl World {
    // ---------------------------------------------------------------------------------------
    // The server
    // ---------------------------------------------------------------------------------------

    fn registry_env(&self, m: MachineId, id: &str, name: &str) -> Option<String> {
        self.container(m, id)?
            .program
            .env_var(name)
            .filter(|v| !v.is_empty())
    }

    fn registry_v2(&self, m: MachineId, id: &str) -> String {
        let root = self
            .registry_env(m, id, "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY")
            .unwrap_or_else(|| DEFAULT_ROOT.to_string());
        format!("{}/docker/registry/v2", root.trim_end_matches('/'))
    }

    /// The certificate a container presents over TLS, if its program speaks TLS: a registry
    /// with `REGISTRY_HTTP_TLS_CERTIFICATE` (that file's text).
    pub fn container_tls_cert(&self, m: MachineId, id: &str) -> Option<String> {
        let c = self.container(m, id)?;
        if c.program.app_kind() != Some("registry") {
            return None;
        }
        let path = self.registry_env(m, id, "REGISTRY_HTTP_TLS_CERTIFICATE")?;
        let text = self.container_read(m, id, &path).unwrap_or_default();
        Some(String::from_utf8_lossy(&text).into_owned())
    }

    fn reg_read(&self, m: MachineId, id: &str, path: &str) -> Option<String> {
        self.container_read(m, id, path)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    fn reg_write(&mut self, m: MachineId, id: &str, path: &str, data: &str) -> bool {
        if let Some((dir, _)) = path.rsplit_once('/') {
            if self.container_mkdir(m, id, dir, true).is_err() {
                return false;
            }
        }
        self.container_write(m, id, path, data.as_bytes(), false)
            .is_ok()
    }

    fn blob_path(v2: &str, digest: &str) -> String {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        format!(
            "{v2}/blobs/sha256/{}/{hex}/data",
            hex.get(..2).unwrap_or("00")
        )
    }

    fn repo_dir(v2: &str, name: &str) -> String {
        format!("{v2}/repositories/{name}")
    }

    fn repo_has_layer(&self, m: MachineId, id: &str, v2: &str, name: &str, d: &str) -> bool {
        let hex = d.strip_prefix("sha256:").unwrap_or(d);
        let link = format!("{}/_layers/sha256/{hex}/link", Self::repo_dir(v2, name));
        self.container_stat(m, id, &link).is_ok()
            && self.container_stat(m, id, &Self::blob_path(v2, d)).is_ok()
    }

    fn link_layer(&mut self, m: MachineId, id: &str, v2: &str, name: &str, d: &str) -> bool {
        let hex = d.strip_prefix("sha256:").unwrap_or(d);
        let dir = Self::repo_dir(v2, name);
        let _ = self.container_mkdir(m, id, &format!("{dir}/_uploads"), true);
        self.reg_write(m, id, &format!("{dir}/_layers/sha256/{hex}/link"), d)
    }

    /// Repositories: every directory under `repositories/` holding `_manifests`, sorted.
    fn registry_repositories(&self, m: MachineId, id: &str, v2: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![String::new()];
        while let Some(prefix) = stack.pop() {
            let dir = format!("{v2}/repositories{prefix}");
            let Ok(entries) = self.container_list(m, id, &dir) else {
                continue;
            };
            for (name, meta) in entries {
                if !meta.is_dir() || name.starts_with('_') {
                    continue;
                }
                let path = format!("{prefix}/{name}");
                let repo = path.trim_start_matches('/').to_string();
                if self
                    .container_stat(m, id, &format!("{dir}/{name}/_manifests"))
                    .is_ok()
                {
                    out.push(repo);
                }
                if out.len() < MAX_LIST {
                    stack.push(path);
                }
            }
        }
        out.sort();
        out.truncate(MAX_LIST);
        out
    }

    fn registry_tags(&self, m: MachineId, id: &str, v2: &str, name: &str) -> Option<Vec<String>> {
        let dir = format!("{}/_manifests/tags", Self::repo_dir(v2, name));
        let entries = self.container_list(m, id, &dir).ok()?;
        let mut tags: Vec<String> = entries
            .into_iter()
            .filter(|(_, meta)| meta.is_dir())
            .map(|(n, _)| n)
            .take(MAX_LIST)
            .collect();
        tags.sort();
        Some(tags)
    }

    /// The manifest digest a tag or digest names in a repository, if stored.
    fn registry_resolve(
        &self,
        m: MachineId,
        id: &str,
        v2: &str,
        name: &str,
        reference: &str,
    ) -> Option<String> {
        let dir = Self::repo_dir(v2, name);
        let digest = if valid_digest(reference) {
            let hex = &reference[7..];
            let link = format!("{dir}/_manifests/revisions/sha256/{hex}/link");
            self.reg_read(m, id, &link)?
        } else {
            let link = format!("{dir}/_manifests/tags/{reference}/current/link");
            self.reg_read(m, id, &link)?
        };
        let digest = digest.trim().to_string();
        self.container_stat(m, id, &Self::blob_path(v2, &digest))
            .is_ok()
            .then_some(digest)
    }

    /// Whether the request's `Authorization` passes the registry's htpasswd file.
    fn registry_authorized(&self, m: MachineId, id: &str, req: &HttpRequest) -> bool {
        let Some(path) = self.registry_env(m, id, "REGISTRY_AUTH_HTPASSWD_PATH") else {
            return false;
        };
        let Some(basic) = req
            .header("Authorization")
            .and_then(|h| h.strip_prefix("Basic "))
            .and_then(|b| crate::base64::decode(b.trim()))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
        else {
            return false;
        };
        let Some((user, password)) = basic.split_once(':') else {
            return false;
        };
        let file = self.reg_read(m, id, &path).unwrap_or_default();
        file.lines().any(|line| {
            line.split_once(':')
                .is_some_and(|(u, h)| u == user && htpasswd_verify(h.trim(), password))
        })
    }

    /// Serves one request of a registry container (see the module documentation).
    pub(crate) fn registry_serve(&mut self, m: MachineId, id: &str, req: &HttpRequest) -> Served {
        let tls = self.container_tls_cert(m, id).is_some();
        if tls && !req.tls {
            let reply = HttpReply {
                status: 400,
                body: "Client sent an HTTP request to an HTTPS server.\n".into(),
                content_type: "text/plain; charset=utf-8".into(),
                headers: Vec::new(),
            };
            return (reply, Vec::new());
        }
        let reply = go_headers(self.registry_route(m, id, req), req);
        let client = req.client.rsplit_once(':').map_or(req.client, |(ip, _)| ip);
        let log = format!(
            "{client} - - [{}] \"{} {} HTTP/1.1\" {} {} \"\" \"{}\"",
            strftime(req.now_unix_ms, "%d/%b/%Y:%H:%M:%S +0000"),
            req.method,
            req.path,
            reply.status,
            if req.method == "HEAD" {
                0
            } else {
                reply.body.len()
            },
            req.user_agent
        );
        // The access log goes to stdout (`CombinedLoggingHandler(os.Stdout, …)`), the logrus
        // lines to stderr.
        (reply, vec![(Stream::Stdout, log)])
    }

    fn registry_route(&mut self, m: MachineId, id: &str, req: &HttpRequest) -> HttpReply {
        if self.registry_env(m, id, "REGISTRY_AUTH").as_deref() == Some("htpasswd")
            && !self.registry_authorized(m, id, req)
        {
            let realm = self
                .registry_env(m, id, "REGISTRY_AUTH_HTPASSWD_REALM")
                .unwrap_or_else(|| "Registry Realm".into());
            let mut reply = json_error(401, "UNAUTHORIZED", "authentication required", "null");
            reply.headers.push((
                "Www-Authenticate".into(),
                format!("Basic realm=\"{realm}\""),
            ));
            return reply;
        }
        let v2 = self.registry_v2(m, id);
        let (path, query) = req.path.split_once('?').unwrap_or((req.path, ""));
        let Some(rest) = path.strip_prefix("/v2/") else {
            return if path == "/" {
                // registry.go's `alive("/")`, in front of the app.
                HttpReply {
                    status: 200,
                    body: String::new(),
                    content_type: String::new(),
                    headers: vec![("Cache-Control".into(), "no-cache".into())],
                }
            } else {
                HttpReply {
                    status: 404,
                    body: "404 page not found\n".into(),
                    content_type: "text/plain; charset=utf-8".into(),
                    headers: Vec::new(),
                }
            };
        };
        let method = req.method;
        if rest.is_empty() {
            return json_ok(200, "{}".into(), "application/json; charset=utf-8");
        }
        if rest == "_catalog" {
            let repos = self.registry_repositories(m, id, &v2);
            let list: Vec<String> = repos.iter().map(|r| json_str(r)).collect();
            return json_ok(
                200,
                format!("{{\"repositories\":[{}]}}\n", list.join(",")),
                "application/json; charset=utf-8",
            );
        }
        let unsupported =
            || json_error(405, "UNSUPPORTED", "The operation is unsupported.", "null");
        if let Some(name) = rest.strip_suffix("/tags/list") {
            if !valid_repo(name) {
                return json_error(
                    404,
                    "NAME_UNKNOWN",
                    "repository name not known to registry",
                    &format!("{{\"name\":{}}}", json_str(name)),
                );
            }
            return match self.registry_tags(m, id, &v2, name) {
                Some(tags) => {
                    let list: Vec<String> = tags.iter().map(|t| json_str(t)).collect();
                    json_ok(
                        200,
                        format!(
                            "{{\"name\":{},\"tags\":[{}]}}\n",
                            json_str(name),
                            list.join(",")
                        ),
                        "application/json; charset=utf-8",
                    )
                }
                None => json_error(
                    404,
                    "NAME_UNKNOWN",
                    "repository name not known to registry",
                    &format!("{{\"name\":{}}}", json_str(name)),
                ),
            };
        }
        if let Some((name, reference)) = rest.rsplit_once("/manifests/") {
            if !valid_repo(name) {
                return json_error(400, "NAME_INVALID", "invalid repository name", "null");
            }
            return match method {
                "GET" | "HEAD" => match self.registry_resolve(m, id, &v2, name, reference) {
                    Some(digest) => {
                        let body = self
                            .reg_read(m, id, &Self::blob_path(&v2, &digest))
                            .unwrap_or_default();
                        let mut reply = json_ok(200, body, MANIFEST_V2);
                        reply
                            .headers
                            .push(("Docker-Content-Digest".into(), digest.clone()));
                        reply.headers.push(("Etag".into(), format!("\"{digest}\"")));
                        reply
                    }
                    None => {
                        let detail = if valid_digest(reference) {
                            format!(
                                "{{\"Name\":{},\"Revision\":{}}}",
                                json_str(name),
                                json_str(reference)
                            )
                        } else {
                            format!("{{\"Tag\":{}}}", json_str(reference))
                        };
                        json_error(404, "MANIFEST_UNKNOWN", "manifest unknown", &detail)
                    }
                },
                "PUT" => {
                    let mut reply =
                        self.registry_put_manifest(m, id, &v2, name, reference, req.body);
                    for (_, v) in reply.headers.iter_mut().filter(|(k, _)| k == "Location") {
                        *v = format!("{}{v}", origin(req));
                    }
                    reply
                }
                _ => unsupported(),
            };
        }
        if let Some((name, upload)) = rest.split_once("/blobs/uploads/") {
            if !valid_repo(name) {
                return json_error(400, "NAME_INVALID", "invalid repository name", "null");
            }
            return match method {
                "POST" => {
                    if let (Some(d), Some(from)) =
                        (query_param(query, "mount"), query_param(query, "from"))
                    {
                        if valid_digest(d) && self.repo_has_layer(m, id, &v2, from, d) {
                            self.link_layer(m, id, &v2, name, d);
                            return blob_created(req, name, d);
                        }
                    }
                    // Random in the registry: one per upload, even within a millisecond.
                    let served = self.container(m, id).map_or(0, |c| c.proc.app.served);
                    let uuid = crate::container::hex64(&format!(
                        "upload:{name}:{}:{served}",
                        req.now_unix_ms
                    ));
                    let uuid = format!(
                        "{}-{}-{}-{}-{}",
                        &uuid[..8],
                        &uuid[8..12],
                        &uuid[12..16],
                        &uuid[16..20],
                        &uuid[20..32]
                    );
                    let _ = self.container_mkdir(
                        m,
                        id,
                        &format!("{}/_uploads", Self::repo_dir(&v2, name)),
                        true,
                    );
                    let mut reply = json_ok(202, String::new(), "");
                    reply.headers.push((
                        "Location".into(),
                        format!(
                            "{}/v2/{name}/blobs/uploads/{uuid}?_state={}",
                            origin(req),
                            upload_state(name, &uuid, req.now_unix_ms)
                        ),
                    ));
                    reply.headers.push(("Docker-Upload-Uuid".into(), uuid));
                    reply.headers.push(("Range".into(), "0-0".into()));
                    reply
                }
                "PUT" if !upload.is_empty() => {
                    let Some(d) = query_param(query, "digest").filter(|d| valid_digest(d)) else {
                        return json_error(
                            400,
                            "DIGEST_INVALID",
                            "provided digest did not match uploaded content",
                            "null",
                        );
                    };
                    let path = Self::blob_path(&v2, d);
                    if !self.reg_write(m, id, &path, req.body)
                        || !self.link_layer(m, id, &v2, name, d)
                    {
                        return json_error(500, "UNKNOWN", "unknown error", "null");
                    }
                    blob_created(req, name, d)
                }
                _ => unsupported(),
            };
        }
        if let Some((name, d)) = rest.rsplit_once("/blobs/") {
            if !valid_repo(name) {
                return json_error(400, "NAME_INVALID", "invalid repository name", "null");
            }
            return match method {
                "GET" | "HEAD" if valid_digest(d) && self.repo_has_layer(m, id, &v2, name, d) => {
                    let body = self
                        .reg_read(m, id, &Self::blob_path(&v2, d))
                        .unwrap_or_default();
                    let mut reply = json_ok(200, body, "application/octet-stream");
                    reply
                        .headers
                        .push(("Docker-Content-Digest".into(), d.to_string()));
                    reply
                }
                "GET" | "HEAD" => json_error(
                    404,
                    "BLOB_UNKNOWN",
                    "blob unknown to registry",
                    &json_str(d),
                ),
                _ => unsupported(),
            };
        }
        HttpReply {
            status: 404,
            body: "404 page not found\n".into(),
            content_type: "text/plain; charset=utf-8".into(),
            headers: Vec::new(),
        }
    }

    fn registry_put_manifest(
        &mut self,
        m: MachineId,
        id: &str,
        v2: &str,
        name: &str,
        tag: &str,
        body: &str,
    ) -> HttpReply {
        let Ok(manifest) = serde_json::from_str::<serde_json::Value>(body) else {
            return json_error(400, "MANIFEST_INVALID", "manifest invalid", "null");
        };
        // Every blob it names must be in the repository.
        let mut blobs: Vec<String> = Vec::new();
        if let Some(c) = manifest["config"]["digest"].as_str() {
            blobs.push(c.to_string());
        }
        if let Some(ls) = manifest["layers"].as_array() {
            blobs.extend(
                ls.iter()
                    .filter_map(|l| l["digest"].as_str().map(str::to_string)),
            );
        }
        if let Some(missing) = blobs
            .iter()
            .find(|d| !self.repo_has_layer(m, id, v2, name, d))
        {
            return json_error(
                400,
                "MANIFEST_BLOB_UNKNOWN",
                "blob unknown to registry",
                &json_str(missing),
            );
        }
        let digest = digest_of(body);
        let hex = digest[7..].to_string();
        let dir = Self::repo_dir(v2, name);
        let ok = self.reg_write(m, id, &Self::blob_path(v2, &digest), body)
            && self.reg_write(
                m,
                id,
                &format!("{dir}/_manifests/revisions/sha256/{hex}/link"),
                &digest,
            )
            && (valid_digest(tag)
                || self.reg_write(
                    m,
                    id,
                    &format!("{dir}/_manifests/tags/{tag}/current/link"),
                    &digest,
                ) && self.reg_write(
                    m,
                    id,
                    &format!("{dir}/_manifests/tags/{tag}/index/sha256/{hex}/link"),
                    &digest,
                ));
        if !ok {
            return json_error(500, "UNKNOWN", "unknown error", "null");
        }
        let mut reply = json_ok(201, String::new(), "");
        reply
            .headers
            .push(("Location".into(), format!("/v2/{name}/manifests/{digest}")));
        reply.headers.push(("Docker-Content-Digest".into(), digest));
        reply
    }

    // ---------------------------------------------------------------------------------------
    // The daemon
    // ---------------------------------------------------------------------------------------

    /// Whether `r`'s registry is in the playground: a loopback address, or a machine's name
    /// or address.
    pub fn registry_in_playground(&self, r: &RegistryRef) -> bool {
        r.insecure()
            || self.machine_by_name(&r.host).is_some()
            || r.host
                .parse()
                .ok()
                .and_then(|ip| self.machine_by_ip(ip))
                .is_some()
    }

    /// The address Go's dialer names for `r`'s host.
    fn dial_addr(&self, r: &RegistryRef, port: u16) -> String {
        let ip = if r.insecure() {
            "127.0.0.1".to_string()
        } else {
            self.machine_by_name(&r.host)
                .map(|x| x.ip.to_string())
                .unwrap_or_else(|| r.host.clone())
        };
        format!("{ip}:{port}")
    }

    /// Whether machine `m` trusts `cert` for `r` (`/etc/docker/certs.d/DOMAIN/*.crt`).
    fn trusts(&self, m: MachineId, r: &RegistryRef, cert: &str) -> bool {
        let Some(machine) = self.machine(m) else {
            return false;
        };
        let dir = format!("/etc/docker/certs.d/{}", r.domain);
        let Ok(entries) = machine.fs.list(&dir) else {
            return false;
        };
        entries.iter().any(|(name, _)| {
            name.ends_with(".crt")
                && machine
                    .fs
                    .read(&format!("{dir}/{name}"))
                    .is_ok_and(|b| String::from_utf8_lossy(b).trim() == cert.trim())
        })
    }

    /// [`World::registry_exchange`]'s reply alone.
    fn registry_call(
        &mut self,
        m: MachineId,
        r: &RegistryRef,
        method: &str,
        path: &str,
        body: &str,
        auth: Option<&str>,
    ) -> Result<HttpReply, String> {
        self.registry_exchange(m, r, method, path, body, auth)
            .map(|(reply, _)| reply)
    }

    /// One request from `m`'s daemon to `r`'s registry, over HTTPS and (for an insecure
    /// registry) then HTTP: the reply and whether it came over TLS. Err is the daemon's text:
    /// `Get "http://…/v2/": dial tcp …`.
    fn registry_exchange(
        &mut self,
        m: MachineId,
        r: &RegistryRef,
        method: &str,
        path: &str,
        body: &str,
        auth: Option<&str>,
    ) -> Result<(HttpReply, bool), String> {
        let schemes: &[bool] = if r.insecure() {
            &[true, false]
        } else {
            &[true]
        };
        let go_method = {
            let mut cs = method.chars();
            match cs.next() {
                Some(f) => f.to_string() + &cs.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        };
        let mut last = String::new();
        for &tls in schemes {
            let port = r.port_for(tls);
            let mut headers = vec![("User-Agent".to_string(), DAEMON_UA.to_string())];
            if let Some(a) = auth {
                headers.push(("Authorization".into(), format!("Basic {a}")));
            }
            if path.contains("/manifests/") {
                headers.push(("Accept".into(), MANIFEST_V2.into()));
            }
            let call = HttpCall {
                method: method.to_string(),
                path: path.to_string(),
                body: body.to_string(),
                headers,
                tls,
            };
            let url = r.url(tls, path);
            match self.http_request(m, None, &r.host, port, &call) {
                Ok(out) => {
                    if tls && !r.insecure() && !self.trusts(m, r, out.cert.as_deref().unwrap_or(""))
                    {
                        return Err(format!("{go_method} \"{url}\": tls: failed to verify certificate: x509: certificate signed by unknown authority"));
                    }
                    return Ok((out.reply, tls));
                }
                Err(HttpError::NotTls) if !r.insecure() => {
                    return Err(format!(
                        "{go_method} \"{url}\": http: server gave HTTP response to HTTPS client"
                    ));
                }
                Err(HttpError::NotTls) => {
                    last = format!(
                        "{go_method} \"{url}\": http: server gave HTTP response to HTTPS client"
                    );
                }
                Err(HttpError::Refused) => {
                    last = format!(
                        "{go_method} \"{url}\": dial tcp {}: connect: connection refused",
                        self.dial_addr(r, port)
                    );
                }
                Err(HttpError::Timeout) => {
                    last = format!(
                        "{go_method} \"{url}\": dial tcp {}: i/o timeout",
                        self.dial_addr(r, port)
                    );
                }
                Err(HttpError::CouldNotResolve) => {
                    last = format!(
                        "{go_method} \"{url}\": dial tcp: lookup {}: no such host",
                        r.host
                    );
                }
                Err(HttpError::EmptyReply) => {
                    last = format!("{go_method} \"{url}\": EOF");
                }
            }
        }
        Err(last)
    }

    /// `GET /v2/`: whether the registry wants credentials it did not get (`auth` refused or
    /// missing), and whether it answered over TLS.
    fn registry_ping(
        &mut self,
        m: MachineId,
        r: &RegistryRef,
        auth: Option<&str>,
    ) -> Result<(bool, bool), String> {
        let (reply, tls) = self.registry_exchange(m, r, "GET", "/v2/", "", auth)?;
        Ok((reply.status == 401, tls))
    }

    /// `docker login SERVER` on `m`: checks the credentials (`user:password` in base64) with
    /// the registry. Err is the daemon's text (`login attempt to https://…/v2/ failed with
    /// status: 401 Unauthorized`).
    pub fn registry_login(&mut self, m: MachineId, domain: &str, auth: &str) -> Result<(), String> {
        let Some(r) = RegistryRef::parse(&format!("{domain}/x")) else {
            return Err(format!("invalid registry address {domain}"));
        };
        if !self.registry_in_playground(&r) {
            return Err(format!(
                "Get \"https://{domain}/v2/\": dial tcp: lookup {}: no such host",
                r.host
            ));
        }
        // Which scheme answers: ask without credentials first.
        self.registry_call(m, &r, "GET", "/v2/", "", None)?;
        let (refused, tls) = self.registry_ping(m, &r, Some(auth))?;
        if refused {
            return Err(format!(
                "login attempt to {} failed with status: 401 Unauthorized",
                r.url(tls, "/v2/")
            ));
        }
        Ok(())
    }

    /// `docker push REFERENCE` from `m`, with the credentials the CLI found for its registry
    /// (`user:password` in base64). The image must be on `m` under that name.
    pub fn image_push(
        &mut self,
        m: MachineId,
        reference: &str,
        auth: Option<&str>,
    ) -> Result<PushReport, PushError> {
        let Some(norm) = crate::catalog::normalize(reference) else {
            return Err(PushError {
                repository: None,
                layers: Vec::new(),
                message: "invalid reference format".into(),
            });
        };
        let (name, tag) = norm.rsplit_once(':').unwrap_or((norm.as_str(), "latest"));
        let r = RegistryRef::parse(&norm);
        let shown = match &r {
            Some(_) => name.to_string(),
            None if name.contains('/') => format!("docker.io/{name}"),
            None => format!("docker.io/library/{name}"),
        };
        let Some(image) = self.find_image(m, &norm).cloned() else {
            return Err(PushError {
                repository: Some(shown),
                layers: Vec::new(),
                message: format!("An image does not exist locally with the tag: {name}"),
            });
        };
        let mut shorts: Vec<String> = image
            .layers
            .iter()
            .map(|l| l.strip_prefix("sha256:").unwrap_or(l)[..12].to_string())
            .collect();
        shorts.reverse();
        let fail = |message: String| PushError {
            repository: Some(shown.clone()),
            layers: shorts.clone(),
            message,
        };
        // The pusher pings the registry before it shows any layer: a registry it cannot
        // reach fails with no `Preparing` line (Docker Hub answers, then denies the upload).
        let unreachable = |message: String| PushError {
            repository: Some(shown.clone()),
            layers: Vec::new(),
            message,
        };
        let Some(r) = r.filter(|r| self.registry_in_playground(r)) else {
            return Err(match RegistryRef::parse(&norm) {
                Some(r) => unreachable(format!(
                    "Get \"https://{}/v2/\": dial tcp: lookup {}: no such host",
                    r.domain, r.host
                )),
                None => fail("denied: requested access to the resource is denied".into()),
            });
        };
        let (needs_auth, _) = self.registry_ping(m, &r, auth).map_err(unreachable)?;
        if needs_auth {
            return Err(fail(if auth.is_some() {
                "unauthorized: authentication required".into()
            } else {
                "no basic auth credentials".into()
            }));
        }
        let path = r.path.clone();
        let mut layers = Vec::new();
        let mut took = 0u64;
        let config = config_for(&image);
        let mut blobs: Vec<(String, String)> = image
            .layers
            .iter()
            .map(|l| (l.clone(), format!("layer {l}\n")))
            .collect();
        blobs.reverse();
        blobs.push((image.id.clone(), config));
        let n_layers = image.layers.len();
        for (k, (digest, content)) in blobs.iter().enumerate() {
            let head = self
                .registry_call(
                    m,
                    &r,
                    "HEAD",
                    &format!("/v2/{path}/blobs/{digest}"),
                    "",
                    auth,
                )
                .map_err(&fail)?;
            let status = if head.status == 200 {
                "Layer already exists".to_string()
            } else {
                let from = self.registry_layer_source(m, &r, digest, &path);
                let mounted = match &from {
                    Some(from) => {
                        self.registry_call(
                            m,
                            &r,
                            "POST",
                            &format!("/v2/{path}/blobs/uploads/?mount={digest}&from={from}"),
                            "",
                            auth,
                        )
                        .map_err(&fail)?
                        .status
                            == 201
                    }
                    None => false,
                };
                if mounted {
                    format!("Mounted from {}", from.unwrap_or_default())
                } else {
                    let post = self
                        .registry_call(
                            m,
                            &r,
                            "POST",
                            &format!("/v2/{path}/blobs/uploads/"),
                            "",
                            auth,
                        )
                        .map_err(&fail)?;
                    let location = post
                        .headers
                        .iter()
                        .find(|(k, _)| k == "Location")
                        .map(|(_, v)| v.clone())
                        .ok_or_else(|| {
                            fail(format!(
                                "unexpected status from POST request to {}: {}",
                                r.url(true, &format!("/v2/{path}/blobs/uploads/")),
                                post.status
                            ))
                        })?;
                    let location = strip_origin(&location);
                    let sep = if location.contains('?') { '&' } else { '?' };
                    let put = self
                        .registry_call(
                            m,
                            &r,
                            "PUT",
                            &format!("{location}{sep}digest={digest}"),
                            content,
                            auth,
                        )
                        .map_err(&fail)?;
                    if put.status != 201 {
                        return Err(fail(format!(
                            "received unexpected HTTP status: {}",
                            put.status
                        )));
                    }
                    took += PUSH_BLOB_MS;
                    "Pushed".to_string()
                }
            };
            if k < n_layers {
                layers.push((shorts[k].clone(), status));
            }
        }
        let manifest = manifest_for(&image);
        let put = self
            .registry_call(
                m,
                &r,
                "PUT",
                &format!("/v2/{path}/manifests/{tag}"),
                &manifest,
                auth,
            )
            .map_err(&fail)?;
        if put.status != 201 {
            return Err(fail(
                "manifest blob unknown: blob unknown to registry".to_string(),
            ));
        }
        let digest = put
            .headers
            .iter()
            .find(|(k, _)| k == "Docker-Content-Digest")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| digest_of(&manifest));
        self.record(format!("image-push {m} {norm} {digest}"));
        if let Some(rt) = self.runtime_mut(m) {
            for i in rt.images.iter_mut().filter(|i| i.reference() == norm) {
                i.digest = digest.clone();
            }
        }
        Ok(PushReport {
            repository: shown,
            layers,
            tag: tag.to_string(),
            digest,
            size: manifest.len(),
            took: SimDuration::from_millis(took.max(PUSH_BLOB_MS)),
        })
    }

    /// The digest of the manifest `reference` names in its registry, asked from `m` (what
    /// the CLI pins a service's image to), if the registry is in the playground and has it.
    pub fn registry_manifest_digest(
        &mut self,
        m: MachineId,
        reference: &str,
        auth: Option<&str>,
    ) -> Option<String> {
        let r = RegistryRef::parse(reference)?;
        if !self.registry_in_playground(&r) {
            return None;
        }
        let path = format!("/v2/{}/manifests/{}", r.path, r.reference());
        let reply = self.registry_call(m, &r, "HEAD", &path, "", auth).ok()?;
        (reply.status == 200)
            .then(|| {
                reply
                    .headers
                    .iter()
                    .find(|(k, _)| k == "Docker-Content-Digest")
                    .map(|(_, v)| v.clone())
            })
            .flatten()
    }

    /// Another repository of the same registry that holds blob `digest` (for a cross
    /// repository mount), as the daemon remembers where it pushed or pulled a layer from.
    fn registry_layer_source(
        &self,
        m: MachineId,
        r: &RegistryRef,
        digest: &str,
        path: &str,
    ) -> Option<String> {
        let rt = self.runtime(m)?;
        rt.images
            .iter()
            .filter(|i| i.layers.iter().any(|l| l == digest) && !i.digest.is_empty())
            .filter_map(|i| RegistryRef::parse(&i.reference()))
            .find(|o| o.domain == r.domain && o.path != path)
            .map(|o| o.path)
    }

    /// Pulls `reference` from a registry in the playground onto `m` (see
    /// [`World::image_pull_auth`]).
    pub(crate) fn registry_pull(
        &mut self,
        m: MachineId,
        r: &RegistryRef,
        norm: &str,
        auth: Option<&str>,
    ) -> Result<SimDuration, String> {
        let manifest_path = format!("/v2/{}/manifests/{}", r.path, r.reference());
        let (needs_auth, tls) = self.registry_ping(m, r, auth)?;
        if needs_auth {
            return Err(format!(
                "Head \"{}\": {}",
                r.url(tls, &manifest_path),
                if auth.is_some() {
                    "unauthorized: authentication required"
                } else {
                    "no basic auth credentials"
                }
            ));
        }
        let reply = self.registry_call(m, r, "GET", &manifest_path, "", auth)?;
        let shown = match &r.digest {
            Some(d) => format!("{}@{d}", r.name()),
            None => format!("{}:{}", r.name(), r.tag.as_deref().unwrap_or("latest")),
        };
        if reply.status == 404 {
            return Err(format!(
                "manifest for {shown} not found: manifest unknown: manifest unknown"
            ));
        }
        if reply.status != 200 {
            return Err(format!("received unexpected HTTP status: {}", reply.status));
        }
        let digest = reply
            .headers
            .iter()
            .find(|(k, _)| k == "Docker-Content-Digest")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| digest_of(&reply.body));
        let manifest: serde_json::Value =
            serde_json::from_str(&reply.body).map_err(|_| "manifest invalid".to_string())?;
        let id = manifest["config"]["digest"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let layers: Vec<String> = manifest["layers"]
            .as_array()
            .map(|ls| {
                ls.iter()
                    .filter_map(|l| l["digest"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let layer_bytes: u64 = manifest["layers"]
            .as_array()
            .map(|ls| ls.iter().filter_map(|l| l["size"].as_u64()).sum())
            .unwrap_or_default();
        let config =
            self.registry_call(m, r, "GET", &format!("/v2/{}/blobs/{id}", r.path), "", auth)?;
        let config: serde_json::Value = serde_json::from_str(&config.body).unwrap_or_default();
        let created_unix = config["created"]
            .as_str()
            .and_then(crate::catalog::parse_rfc3339)
            .unwrap_or(1_790_000_000);
        let catalog = Catalog::get();
        let known = catalog.lookup_id(&id);
        let already = self
            .find_image(m, norm)
            .is_some_and(|i| i.id == id && i.digest == digest);
        if already {
            return Ok(SimDuration::ZERO);
        }
        for layer in &layers {
            // The daemon fetches the layers it does not have.
            let _ = self.registry_call(
                m,
                r,
                "GET",
                &format!("/v2/{}/blobs/{layer}", r.path),
                "",
                auth,
            )?;
        }
        let (repository, tag) = norm.rsplit_once(':').unwrap_or((norm, "latest"));
        let image = PulledImage {
            repository: repository.to_string(),
            tag: tag.to_string(),
            size: known.map_or(layer_bytes * 2, |i| i.size),
            created_unix,
            available_at: self.now(),
            layers,
            known: known.is_some(),
            id,
            digest,
        };
        let took = known.map_or(1_500, |i| i.pull_ms);
        self.record(format!("image-pull {m} {norm} {}", image.digest));
        if let Some(rt) = self.runtime_mut(m) {
            rt.images.retain(|i| i.reference() != norm);
            rt.images.push(image);
        }
        Ok(SimDuration::from_millis(took))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split() {
        let r = RegistryRef::parse("127.0.0.1:5000/hello-world").unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.path.as_str(), r.tag.as_deref()),
            ("127.0.0.1", Some(5000), "hello-world", Some("latest"))
        );
        let r = RegistryRef::parse("node2:5000/team/api:v2").unwrap();
        assert_eq!(
            (r.path.as_str(), r.tag.as_deref()),
            ("team/api", Some("v2"))
        );
        assert!(!r.insecure());
        let r = RegistryRef::parse("localhost/x@sha256:abc").unwrap();
        assert_eq!(
            (r.port, r.tag.as_deref(), r.digest.as_deref()),
            (None, None, Some("sha256:abc"))
        );
        assert!(r.insecure());
        assert_eq!(RegistryRef::parse("nginx:alpine"), None);
        assert_eq!(RegistryRef::parse("library/nginx"), None);
        assert_eq!(RegistryRef::parse("host:notaport/x"), None);
    }

    #[test]
    fn htpasswd_lines_verify() {
        let line = htpasswd_line("moby", "gordon", "c1");
        let (user, hash) = line.split_once(':').unwrap();
        assert_eq!(user, "moby");
        assert!(hash.starts_with("$2y$05$") && hash.len() == 60, "{hash}");
        assert!(htpasswd_verify(hash, "gordon"));
        assert!(!htpasswd_verify(hash, "gordon2"));
        assert!(!htpasswd_verify("$2y$05$short", "gordon"));
        // Another salt, another line; both verify.
        let other = htpasswd_line("moby", "gordon", "c2");
        assert_ne!(line, other);
        assert!(htpasswd_verify(other.split_once(':').unwrap().1, "gordon"));
    }

    #[test]
    fn repository_names() {
        assert!(valid_repo("hello-world"));
        assert!(valid_repo("team/api"));
        assert!(!valid_repo("Team"));
        assert!(!valid_repo("a//b"));
        assert!(!valid_repo(""));
    }
}
