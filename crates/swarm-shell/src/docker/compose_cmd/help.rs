//! The subcommands' `--help`, laid out as the plugin prints it (docker/cli's usage template
//! over cobra, pflag's `FlagUsagesWrapped(79)`): flags sorted by name, descriptions in one
//! column after the longest flag, wrapped at 79 columns.

/// One flag: shorthand, name, value type (empty for booleans), default, description.
type Flag = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const DRY_RUN: Flag = ("", "dry-run", "", "", "Execute command in dry run mode");

/// (usage after `docker compose `, description, flags) of a subcommand.
fn spec(sub: &str) -> Option<(&'static str, &'static str, Vec<Flag>)> {
    let timeout = (
        "t",
        "timeout",
        "int",
        "",
        "Specify a shutdown timeout in seconds",
    );
    Some(match sub {
        "up" => ("up [OPTIONS] [SERVICE...]", "Create and start containers", vec![
            ("", "abort-on-container-exit", "", "", "Stops all containers if any container was stopped. Incompatible with -d"),
            ("", "always-recreate-deps", "", "", "Recreate dependent containers. Incompatible with --no-recreate."),
            ("", "attach", "stringArray", "", "Restrict attaching to the specified services. Incompatible with --attach-dependencies."),
            ("", "attach-dependencies", "", "", "Automatically attach to log output of dependent services"),
            ("", "build", "", "", "Build images before starting containers"),
            ("d", "detach", "", "", "Detached mode: Run containers in the background"),
            ("", "exit-code-from", "string", "", "Return the exit code of the selected service container. Implies --abort-on-container-exit"),
            ("", "force-recreate", "", "", "Recreate containers even if their configuration and image haven't changed"),
            ("", "menu", "", "", "Enable interactive shortcuts when running attached. Incompatible with --detach. Can also be enable/disable by setting COMPOSE_MENU environment var."),
            ("", "no-attach", "stringArray", "", "Do not attach (stream logs) to the specified services"),
            ("", "no-build", "", "", "Don't build an image, even if it's policy"),
            ("", "no-color", "", "", "Produce monochrome output"),
            ("", "no-deps", "", "", "Don't start linked services"),
            ("", "no-log-prefix", "", "", "Don't print prefix in logs"),
            ("", "no-recreate", "", "", "If containers already exist, don't recreate them. Incompatible with --force-recreate."),
            ("", "no-start", "", "", "Don't start the services after creating them"),
            ("", "pull", "string", "\"policy\"", "Pull image before running (\"always\"|\"missing\"|\"never\")"),
            ("", "quiet-build", "", "", "Suppress the build output"),
            ("", "quiet-pull", "", "", "Pull without printing progress information"),
            ("", "remove-orphans", "", "", "Remove containers for services not defined in the Compose file"),
            ("V", "renew-anon-volumes", "", "", "Recreate anonymous volumes instead of retrieving data from the previous containers"),
            ("", "scale", "scale", "", "Scale SERVICE to NUM instances. Overrides the scale setting in the Compose file if present."),
            ("t", "timeout", "int", "", "Use this timeout in seconds for container shutdown when attached or when containers are already running"),
            ("", "timestamps", "", "", "Show timestamps"),
            ("", "wait", "", "", "Wait for services to be running|healthy. Implies detached mode."),
            ("", "wait-timeout", "int", "", "Maximum duration in seconds to wait for the project to be running|healthy"),
            ("w", "watch", "", "", "Watch source code and rebuild/refresh containers when files are updated."),
            ("y", "yes", "", "", "Assume \"yes\" as answer to all prompts and run non-interactively"),
        ]),
        "down" => ("down [OPTIONS] [SERVICES]", "Stop and remove containers, networks", vec![
            ("", "remove-orphans", "", "", "Remove containers for services not defined in the Compose file"),
            ("", "rmi", "string", "", "Remove images used by services. \"local\" remove only images that don't have a custom tag (\"local\"|\"all\")"),
            timeout,
            ("v", "volumes", "", "", "Remove named volumes declared in the \"volumes\" section of the Compose file and anonymous volumes attached to containers"),
        ]),
        "ps" => ("ps [OPTIONS] [SERVICE...]", "List containers", vec![
            ("a", "all", "", "", "Show all stopped containers (including those created by the run command)"),
            ("", "filter", "string", "", "Filter services by a property (supported filters: status)"),
            ("", "format", "string", "\"table\"", "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates"),
            ("", "no-trunc", "", "", "Don't truncate output"),
            ("", "orphans", "", "true", "Include orphaned services (not declared by project)"),
            ("q", "quiet", "", "", "Only display IDs"),
            ("", "services", "", "", "Display services"),
            ("", "status", "stringArray", "", "Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]"),
        ]),
        "logs" => ("logs [OPTIONS] [SERVICE...]", "View output from containers", vec![
            ("f", "follow", "", "", "Follow log output"),
            ("", "index", "int", "", "index of the container if service has multiple replicas"),
            ("", "no-color", "", "", "Produce monochrome output"),
            ("", "no-log-prefix", "", "", "Don't print prefix in logs"),
            ("", "since", "string", "", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)"),
            ("n", "tail", "string", "\"all\"", "Number of lines to show from the end of the logs for each container"),
            ("t", "timestamps", "", "", "Show timestamps"),
            ("", "until", "string", "", "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)"),
        ]),
        "stop" => ("stop [OPTIONS] [SERVICE...]", "Stop services", vec![timeout]),
        "start" => ("start [SERVICE...]", "Start services", vec![]),
        "restart" => ("restart [OPTIONS] [SERVICE...]", "Restart service containers", vec![
            ("", "no-deps", "", "", "Don't restart dependent services"),
            timeout,
        ]),
        "config" => ("config [OPTIONS] [SERVICE...]", "Parse, resolve and render compose file in canonical format", vec![
            ("", "format", "string", "", "Format the output. Values: [yaml | json]"),
            ("", "images", "", "", "Print the image names, one per line."),
            ("q", "quiet", "", "", "Only validate the configuration, don't print anything"),
            ("", "services", "", "", "Print the service names, one per line."),
            ("", "volumes", "", "", "Print the volume names, one per line."),
        ]),
        "ls" => ("ls [OPTIONS]", "List running compose projects", vec![
            ("a", "all", "", "", "Show all stopped Compose projects"),
            ("", "filter", "filter", "", "Filter output based on conditions provided"),
            ("", "format", "string", "\"table\"", "Format the output. Values: [table | json]"),
            ("q", "quiet", "", "", "Only display project names"),
        ]),
        "version" => ("version [OPTIONS]", "Show the Docker Compose version information", vec![
            ("f", "format", "string", "", "Format the output. Values: [pretty | json]. (Default: pretty)"),
            ("", "short", "", "", "Shows only Compose's version number"),
        ]),
        "build" => ("build [OPTIONS] [SERVICE...]", "Build or rebuild services", vec![
            ("", "no-cache", "", "", "Do not use cache when building the image"),
            ("", "pull", "", "", "Always attempt to pull a newer version of the image"),
            ("q", "quiet", "", "", "Don't print anything to STDOUT"),
        ]),
        "pull" => ("pull [OPTIONS] [SERVICE...]", "Pull service images", vec![
            ("", "ignore-pull-failures", "", "", "Pull what it can and ignores images with pull failures"),
            ("q", "quiet", "", "", "Pull without printing progress information"),
        ]),
        "exec" => ("exec [OPTIONS] SERVICE COMMAND [ARGS...]", "Execute a command in a running container", vec![
            ("d", "detach", "", "", "Detached mode: Run command in the background"),
            ("e", "env", "stringArray", "", "Set environment variables"),
            ("", "index", "int", "", "Index of the container if service has multiple replicas"),
            ("T", "no-TTY", "", "true", "Disable pseudo-TTY allocation. By default 'docker compose exec' allocates a TTY."),
            ("", "privileged", "", "", "Give extended privileges to the process"),
            ("u", "user", "string", "", "Run the command as this user"),
            ("w", "workdir", "string", "", "Path to workdir directory for this command"),
        ]),
        "images" => ("images [OPTIONS] [SERVICE...]", "List images used by the created containers", vec![
            ("", "format", "string", "\"table\"", "Format the output. Values: [table | json]"),
            ("q", "quiet", "", "", "Only display IDs"),
        ]),
        "rm" => ("rm [OPTIONS] [SERVICE...]", "Removes stopped service containers", vec![
            ("f", "force", "", "", "Don't ask to confirm removal"),
            ("s", "stop", "", "", "Stop the containers, if required, before removing"),
            ("v", "volumes", "", "", "Remove any anonymous volumes attached to containers"),
        ]),
        "kill" => ("kill [OPTIONS] [SERVICE...]", "Force stop service containers", vec![
            ("", "remove-orphans", "", "", "Remove containers for services not defined in the Compose file"),
            ("s", "signal", "string", "\"SIGKILL\"", "SIGNAL to send to the container"),
        ]),
        "scale" => ("scale [SERVICE=REPLICAS...]", "Scale services", vec![
            ("", "no-deps", "", "", "Don't start linked services"),
        ]),
        "port" => ("port [OPTIONS] SERVICE PRIVATE_PORT", "Print the public port for a port binding", vec![
            ("", "index", "int", "", "Index of the container if service has multiple replicas"),
            ("", "protocol", "string", "\"tcp\"", "tcp or udp"),
        ]),
        "top" => ("top [SERVICES...]", "Display the running processes", vec![]),
        "pause" => ("pause [SERVICE...]", "Pause services", vec![]),
        "unpause" => ("unpause [SERVICE...]", "Unpause services", vec![]),
        "create" => ("create [OPTIONS] [SERVICE...]", "Creates containers for a service", vec![
            ("", "build", "", "", "Build images before starting containers"),
            ("", "force-recreate", "", "", "Recreate containers even if their configuration and image haven't changed"),
            ("", "no-build", "", "", "Don't build an image, even if it's policy"),
            ("", "no-recreate", "", "", "If containers already exist, don't recreate them. Incompatible with --force-recreate."),
            ("", "pull", "string", "\"policy\"", "Pull image before running (\"always\"|\"missing\"|\"never\"|\"build\")"),
            ("", "quiet-pull", "", "", "Pull without printing progress information"),
            ("", "remove-orphans", "", "", "Remove containers for services not defined in the Compose file"),
            ("", "scale", "scale", "", "Scale SERVICE to NUM instances. Overrides the scale setting in the Compose file if present."),
            ("y", "yes", "", "", "Assume \"yes\" as answer to all prompts and run non-interactively"),
        ]),
        "run" => ("run [OPTIONS] SERVICE [COMMAND] [ARGS...]", "Run a one-off command on a service", vec![
            ("", "build", "", "", "Build image before starting container"),
            ("", "cap-add", "list", "", "Add Linux capabilities"),
            ("", "cap-drop", "list", "", "Drop Linux capabilities"),
            ("d", "detach", "", "", "Run container in background and print container ID"),
            ("", "entrypoint", "string", "", "Override the entrypoint of the image"),
            ("e", "env", "stringArray", "", "Set environment variables"),
            ("i", "interactive", "", "true", "Keep STDIN open even if not attached"),
            ("l", "label", "stringArray", "", "Add or override a label"),
            ("", "name", "string", "", "Assign a name to the container"),
            ("T", "no-TTY", "", "true", "Disable pseudo-TTY allocation (default: auto-detected)"),
            ("", "no-deps", "", "", "Don't start linked services"),
            ("p", "publish", "stringArray", "", "Publish a container's port(s) to the host"),
            ("", "quiet-pull", "", "", "Pull without printing progress information"),
            ("", "remove-orphans", "", "", "Remove containers for services not defined in the Compose file"),
            ("", "rm", "", "", "Automatically remove the container when it exits"),
            ("P", "service-ports", "", "", "Run command with all service's ports enabled and mapped to the host"),
            ("", "use-aliases", "", "", "Use the service's network useAliases in the network(s) the container connects to"),
            ("u", "user", "string", "", "Run as specified username or uid"),
            ("v", "volume", "stringArray", "", "Bind mount a volume"),
            ("w", "workdir", "string", "", "Working directory inside the container"),
        ]),
        _ => return None,
    })
}

/// A subcommand's `Long` text, which docker/cli's usage template shows instead of `Short`.
fn long(sub: &str) -> Option<&'static str> {
    match sub {
        "rm" => Some("Removes stopped service containers\n\nBy default, anonymous volumes attached to containers will not be removed. You\ncan override this with -v. To list all volumes, use \"docker volume ls\".\n\nAny data which is not in a volume will be lost."),
        _ => None,
    }
}

/// pflag's `wrapN`: the first line of at most `i` (+`slop`) bytes, and the rest.
fn wrap_n(i: usize, slop: usize, s: &str) -> (String, String) {
    if i + slop > s.len() {
        return (s.to_string(), String::new());
    }
    let head = &s[..i.min(s.len())];
    let Some(w) = head.rfind([' ', '\t', '\n']).filter(|w| *w > 0) else {
        return (s.to_string(), String::new());
    };
    if let Some(nl) = head.rfind('\n').filter(|nl| *nl > 0 && *nl < w) {
        return (s[..nl].to_string(), s[nl + 1..].to_string());
    }
    (s[..w].to_string(), s[w + 1..].to_string())
}

/// pflag's `wrap`: `s` wrapped to `w` columns, continuation lines indented by `i`.
fn wrap(mut i: usize, w: usize, s: &str) -> String {
    let mut r = String::new();
    let mut width = w.saturating_sub(i);
    if width < 24 {
        i = 16;
        width = w.saturating_sub(i);
        r.push('\n');
        r.push_str(&" ".repeat(i));
    }
    let indent = format!("\n{}", " ".repeat(i));
    if width < 24 {
        return format!("{r}{}", s.replace('\n', &indent));
    }
    let slop = 5;
    let width = width - slop;
    let (l, mut rest) = wrap_n(width, slop, s);
    r.push_str(&l.replace('\n', &indent));
    while !rest.is_empty() {
        let (t, more) = wrap_n(width, slop, &rest);
        r.push_str(&indent);
        r.push_str(&t.replace('\n', &indent));
        rest = more;
    }
    r
}

/// pflag's `FlagUsagesWrapped(cols)`.
fn flag_usages(flags: &[Flag], cols: usize) -> String {
    let mut sorted: Vec<Flag> = flags.to_vec();
    sorted.sort_by(|a, b| a.1.cmp(b.1));
    let mut lines = Vec::new();
    let mut maxlen = 0;
    for (short, long, kind, default, usage) in &sorted {
        let mut line = if short.is_empty() {
            format!("      --{long}")
        } else {
            format!("  -{short}, --{long}")
        };
        if !kind.is_empty() {
            line.push(' ');
            line.push_str(kind);
        }
        maxlen = maxlen.max(line.len());
        let mut usage = usage.to_string();
        if !default.is_empty() {
            usage.push_str(&format!(" (default {default})"));
        }
        lines.push((line, usage));
    }
    let mut out = String::new();
    for (line, usage) in lines {
        let spacing = " ".repeat(maxlen - line.len());
        out.push_str(&format!(
            "{line} {spacing} {}\n",
            wrap(maxlen + 2, cols, &usage)
        ));
    }
    out
}

/// The help text of `docker compose SUB`.
pub(crate) fn text(sub: &str) -> Option<String> {
    let (usage, short, mut flags) = spec(sub)?;
    let short = long(sub).unwrap_or(short);
    flags.push(DRY_RUN);
    Some(format!(
        "Usage:  docker compose {usage}\n\n{short}\n\nOptions:\n{}",
        flag_usages(&flags, 79)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_align_and_wrap_as_pflag_does() {
        let t = text("down").unwrap();
        assert!(t.starts_with("Usage:  docker compose down [OPTIONS] [SERVICES]\n\nStop and remove containers, networks\n\nOptions:\n"));
        assert!(t.contains("\n      --dry-run         Execute command in dry run mode\n"));
        assert!(t.contains("\n  -t, --timeout int     Specify a shutdown timeout in seconds\n"));
        assert!(t.lines().all(|l| l.len() <= 79), "{t}");
        // A long description goes on over lines indented to its column.
        assert!(t.contains("\n                        Compose file\n"));
    }

    #[test]
    fn every_subcommand_has_one() {
        for sub in [
            "up", "down", "ps", "logs", "stop", "start", "restart", "config", "ls", "version",
            "build", "pull", "exec", "images", "rm", "kill", "scale", "port", "top", "create",
            "run", "pause", "unpause",
        ] {
            assert!(text(sub).is_some(), "{sub}");
        }
        assert!(text("bogus").is_none());
    }
}
