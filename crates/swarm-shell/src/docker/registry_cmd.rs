//! The commands that talk to registries: `push` (`image push`), `login`, `logout`; and the
//! credentials `docker pull` sends.
//!
//! The daemon's side is `swarm_core::registry` (a `registry` container of the playground,
//! reached over the simulated network). The CLI keeps credentials as docker/cli does without a
//! credential helper: base64 `user:password` under `auths` in `~/.docker/config.json` (tab
//! indented, as Go's `json.MarshalIndent` writes it), keyed by the registry's domain.

use serde_json::{json, Map, Value};
use swarm_core::registry::RegistryRef;
use swarm_core::MachineId;

use super::cli::Parsed;
use super::Status;
use crate::exec::{Dest, Interp, Io};
use crate::format;

/// Where the CLI keeps its configuration (the terminal's user is root).
const CONFIG: &str = "/root/.docker/config.json";
/// Docker Hub's key in `auths`.
const HUB: &str = "https://index.docker.io/v1/";

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    matches!(path, "push" | "image push" | "login" | "logout")
}

pub(crate) async fn run(
    interp: &Interp,
    m: MachineId,
    path: &str,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    match path {
        "login" => login(interp, m, cmd, io).await,
        "logout" => logout(interp, cmd, io),
        _ => push(interp, m, cmd, io).await,
    }
}

fn read_config(interp: &Interp) -> Map<String, Value> {
    crate::fsutils::read_file(interp, CONFIG)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| match v {
            Value::Object(o) => Some(o),
            _ => None,
        })
        .unwrap_or_default()
}

fn write_config(interp: &Interp, config: &Map<String, Value>) -> Result<(), String> {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(config, &mut ser).map_err(|e| e.to_string())?;
    let text = String::from_utf8(buf).unwrap_or_default();
    let _ = crate::fsutils::mkdir_p(interp, "/root/.docker");
    crate::fsutils::write_file(interp, CONFIG, &text, false).map_err(|e| e.to_string())
}

/// The key of a server in `auths`: its address without scheme or trailing `/`, Docker Hub's
/// when none is given.
fn server_key(server: Option<&str>) -> String {
    match server {
        Some(s) => s
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string(),
        None => HUB.to_string(),
    }
}

/// The credentials (`user:password` in base64) stored for `domain`.
pub(crate) fn stored_auth(interp: &Interp, domain: &str) -> Option<String> {
    let config = read_config(interp);
    let auths = config.get("auths")?.as_object()?;
    [
        domain.to_string(),
        format!("http://{domain}"),
        format!("https://{domain}"),
    ]
    .iter()
    .find_map(|k| auths.get(k)?.get("auth")?.as_str().map(str::to_string))
    .filter(|a| !a.is_empty())
}

/// The credentials to send with a pull or push of `reference`.
pub(crate) fn auth_for(interp: &Interp, reference: &str) -> Option<String> {
    let r = RegistryRef::parse(reference)?;
    stored_auth(interp, &r.domain)
}

async fn login(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let password_stdin = cmd.bool("password-stdin");
    let mut password = cmd.value("password").map(str::to_string);
    let mut username = cmd.value("username").map(str::to_string);
    if password.is_some() {
        io.err
            .write("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
        if password_stdin {
            io.err.write(
                "conflicting options: cannot specify both --password and --password-stdin\n",
            );
            return 1;
        }
    }
    if password_stdin {
        if username.is_none() {
            io.err
                .write("Must provide --username with --password-stdin\n");
            return 1;
        }
        // docker/cli: TrimSuffix "\n", then "\r".
        let text = io.stdin.strip_suffix('\n').unwrap_or(&io.stdin);
        password = Some(text.strip_suffix('\r').unwrap_or(text).to_string());
    }
    let server = cmd.args.first().cloned();
    let domain = server_key(server.as_deref());
    if username.is_none() || password.is_none() {
        // Interactive: docker/cli asks on the terminal.
        if username.is_none() {
            if server.is_none() {
                io.out.write("Log in with your Docker ID or email address to push and pull images from Docker Hub. If you don't have a Docker ID, head over to https://hub.docker.com/ to create one.\nYou can log in with your password or a Personal Access Token (PAT). Using a limited-scope PAT grants better security and is required for organizations using SSO. Learn more at https://docs.docker.com/go/access-tokens/\n\n");
            }
            io.out.write("Username: ");
            // On the terminal the typed name is echoed; from a pipe, the next line is taken.
            match interp.read_line(io, true).await {
                Some(u) if !u.trim().is_empty() => username = Some(u.trim().to_string()),
                Some(_) => {
                    io.out.write("\n");
                    io.err.write("Error: Username is required\n");
                    return 1;
                }
                None => {
                    io.out.write("\n");
                    io.err.write(
                        "Error: Cannot perform an interactive login from a non TTY device\n",
                    );
                    return 1;
                }
            }
        }
        if password.is_none() {
            io.out.write("Password: ");
            // Not echoed: on the terminal only the newline shows (the page masks the input).
            let p = interp.read_line(io, false).await;
            if !io.stdin_tty {
                io.out.write("\n");
            }
            match p {
                Some(p) if !p.is_empty() => password = Some(p),
                Some(_) => {
                    io.err.write("Error: Password is required\n");
                    return 1;
                }
                None => {
                    io.err.write(
                        "Error: Cannot perform an interactive login from a non TTY device\n",
                    );
                    return 1;
                }
            }
        }
    }
    let (Some(user), Some(pass)) = (username, password) else {
        return 1;
    };
    if server.is_none() {
        io.err.write("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host\n");
        return 1;
    }
    let auth = swarm_core::base64::encode(format!("{user}:{pass}").as_bytes());
    let r = interp
        .world()
        .borrow_mut()
        .registry_login(m, &domain, &auth);
    if let Err(e) = r {
        io.err.write(&format!("Error response from daemon: {e}\n"));
        return 1;
    }
    let mut config = read_config(interp);
    let auths = config
        .entry("auths")
        .or_insert_with(|| Value::Object(Map::new()));
    if !auths.is_object() {
        *auths = Value::Object(Map::new());
    }
    if let Some(a) = auths.as_object_mut() {
        a.insert(domain.clone(), json!({ "auth": auth }));
    }
    if let Err(e) = write_config(interp, &config) {
        io.err
            .write(&format!("Error: error saving credentials: {e}\n"));
        return 1;
    }
    io.err.write(&format!("WARNING! Your credentials are stored unencrypted in '{CONFIG}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n"));
    io.out.write("Login Succeeded\n");
    0
}

fn logout(interp: &Interp, cmd: &Parsed, io: &Io) -> Status {
    let domain = server_key(cmd.args.first().map(String::as_str));
    io.out
        .write(&format!("Removing login credentials for {domain}\n"));
    let mut config = read_config(interp);
    let removed = config
        .get_mut("auths")
        .and_then(Value::as_object_mut)
        .map(|a| {
            let keys = [
                domain.clone(),
                format!("http://{domain}"),
                format!("https://{domain}"),
            ];
            keys.iter()
                .filter(|k| a.remove(k.as_str()).is_some())
                .count()
        })
        .unwrap_or(0);
    if removed > 0 {
        if let Err(e) = write_config(interp, &config) {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
    }
    0
}

async fn push(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> Status {
    let reference = cmd.args.first().cloned().unwrap_or_default();
    if let Some(e) = format::container::reference_error(&reference) {
        io.err.write(&format!("{e}\n"));
        return 1;
    }
    let quiet = cmd.bool("quiet");
    let named_only = !reference.contains('@')
        && reference
            .rsplit_once(':')
            .is_none_or(|(_, t)| t.contains('/'));
    if named_only && !quiet {
        io.out.write("Using default tag: latest\n");
    }
    let auth = auth_for(interp, &reference);
    let world = interp.world();
    let r = world
        .borrow_mut()
        .image_push(m, &reference, auth.as_deref());
    let tty = matches!(io.out, Dest::Terminal(..));
    match r {
        Ok(report) => {
            interp.sleep(report.took).await;
            if quiet {
                io.out
                    .write(&format!("{}:{}\n", report.repository, report.tag));
                return 0;
            }
            let mut out = format!("The push refers to repository [{}]\n", report.repository);
            if !tty {
                for (id, _) in &report.layers {
                    out.push_str(&format!("{id}: Preparing\n"));
                }
            }
            for (id, status) in &report.layers {
                out.push_str(&format!("{id}: {status}{}\n", if tty { " " } else { "" }));
            }
            out.push_str(&format!(
                "{}: digest: {} size: {}\n",
                report.tag, report.digest, report.size
            ));
            io.out.write(&out);
            0
        }
        Err(e) => {
            if let Some(repo) = &e.repository {
                if !quiet {
                    let mut out = format!("The push refers to repository [{repo}]\n");
                    for id in &e.layers {
                        out.push_str(&format!("{id}: Preparing{}\n", if tty { " " } else { "" }));
                    }
                    io.out.write(&out);
                }
            }
            io.err.write(&format!("{}\n", e.message));
            1
        }
    }
}
