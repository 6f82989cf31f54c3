//! The docker CLI's help texts: `crates/swarm-shell/data/docker-help.txt`, what the real docker
//! CLI 28.2.2 prints for `--help` of every command (captured and checked by swarm-shell's
//! `cli_oracle` test), as `### docker PATH` headers each followed by its text.
//!
//! The whole text (155 KB, about 20 KB gzipped) is only needed to print help, so it is behind
//! the `engine` feature ([`text`]): the page loads it with the other engines on first use. What
//! the CLI needs for every command (flags, usage lines, aliases, which paths are groups) comes
//! from a much smaller index of the same file that swarm-shell's build script writes.

use std::collections::BTreeMap;

/// The help texts in `data`, by command path (`""` for `docker` itself, `"service create"` …).
pub fn blocks(data: &str) -> BTreeMap<String, &str> {
    let mut map = BTreeMap::new();
    let mut rest = data;
    while let Some(start) = rest.find("### docker") {
        let after = &rest[start + "### docker".len()..];
        let (header, body) = after.split_once('\n').unwrap_or((after, ""));
        let end = body
            .find("\n### docker")
            .map(|i| i + 1)
            .unwrap_or(body.len());
        map.insert(header.trim().to_string(), &body[..end]);
        rest = &body[end..];
    }
    map
}

/// The help text of `docker <path>`, as the CLI prints it.
#[cfg(feature = "engine")]
pub fn text(path: &str) -> Option<&'static str> {
    use std::sync::OnceLock;
    static DATA: &str = include_str!("../../swarm-shell/data/docker-help.txt");
    static MAP: OnceLock<BTreeMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| blocks(DATA)).get(path).copied()
}

#[cfg(all(test, feature = "engine"))]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_its_text() {
        let root = text("").unwrap();
        assert!(root.contains("Usage:  docker [OPTIONS] COMMAND"), "{root}");
        let create = text("service create").unwrap();
        assert!(create.contains("--replicas uint"), "{create}");
        assert!(!create.contains("### docker"));
        assert_eq!(text("no such command"), None);
        assert!(blocks("nothing").is_empty());
    }
}
