//! Writes the index of the docker CLI's help texts (`data/docker-help.txt`) that the shell
//! links: every `### docker PATH` header with the lines `docker::cli` reads (the usage line
//! and its continuations, the aliases, the `Commands:` headers that make a path a group, and
//! each option's flags and type word, without its description). The whole text, needed only to
//! print help, is in `swarm-extras` (in the page: the lazily loaded module). `docker::cli`'s
//! tests check that the index answers exactly as the whole text does.

use std::path::Path;

fn main() {
    let source = "data/docker-help.txt";
    println!("cargo:rerun-if-changed={source}");
    let full = std::fs::read_to_string(source).expect("data/docker-help.txt is readable");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(
        Path::new(&out_dir).join("docker-help-index.txt"),
        index(&full),
    )
    .expect("OUT_DIR is writable");
}

fn index(full: &str) -> String {
    let mut out = String::with_capacity(full.len() / 3);
    let mut lines = full.lines().peekable();
    let mut in_options = false;
    let mut in_usage = false;
    while let Some(line) = lines.next() {
        // The usage line and its continuations (`docker cp` has two forms).
        in_usage = line.starts_with("Usage:") || (in_usage && line.starts_with('\t'));
        let keep = if line.starts_with("### docker") {
            in_options = false;
            true
        } else if in_usage {
            true
        } else if line == "Aliases:" {
            out.push_str(line);
            out.push('\n');
            if let Some(aliases) = lines.next() {
                out.push_str(aliases);
                out.push('\n');
            }
            continue;
        } else if line.ends_with("Commands:") {
            true
        } else if line == "Options:" || line == "Global Options:" {
            in_options = true;
            true
        } else if in_options && line.is_empty() {
            in_options = false;
            true
        } else if in_options {
            let flag = line.trim_start();
            if flag.starts_with('-') && line.len() - flag.len() <= 6 {
                // Flags and the type word; the description starts after two spaces.
                let end = line[line.len() - flag.len()..]
                    .find("  ")
                    .map_or(line.len(), |i| line.len() - flag.len() + i);
                out.push_str(&line[..end]);
                out.push('\n');
            }
            continue;
        } else {
            false
        };
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
