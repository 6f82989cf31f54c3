//! `cargo xtask test`: every check CI runs, in order, stopping at the first failure.
//!
//! The closing line has the form `N passed, M failed` (with `, K skipped` after a failure),
//! which is what CI reads.

use std::time::Instant;

use crate::shell::Ctx;
use crate::Result;

/// Crates that must build for the browser (`swarm-jq-web` is the module with jq, the YAML
/// parser and the Go template engine that the page loads on first use).
const WASM_CRATES: [&str; 6] = [
    "swarm-core",
    "swarm-shell",
    "swarm-jq",
    "swarm-extras",
    "swarm-jq-web",
    "swarm-web",
];

/// Crates the deterministic core must never depend on: they reach for the browser or for OS
/// randomness. The one exception is `raft` (raft-rs), whose `rand` reaches `getrandom`: its
/// only random draw, the election timeout, is pinned to a one-wide range from the world's
/// seeded stream (see `quorum` in swarm-core), so the guard prunes `raft` from the tree and
/// checks everything else.
const BANNED_IN_CORE: [&str; 4] = ["wasm-bindgen", "web-sys", "js-sys", "getrandom"];

/// Crates the page's main module must not contain: jq's engine and the compose files' YAML
/// parser are a second module the page loads on first use (`crates/swarm-jq-web`), which keeps
/// them out of the first download.
const LAZY_ONLY: [&str; 4] = ["jaq-core", "jaq-std", "serde_yaml", "unsafe-libyaml"];

/// Features the page's main module must not enable: the engines of `swarm-jq` and
/// `swarm-extras` (YAML, Go templates) are in the lazily loaded module; the main module has
/// only their types and the text their calls cross as.
const LAZY_FEATURES: [&str; 2] = [
    "swarm-jq feature \"engine\"",
    "swarm-extras feature \"engine\"",
];

/// One check: a name for the report and the work.
struct Step {
    name: &'static str,
    run: fn(&Ctx) -> Result<()>,
}

const STEPS: [Step; 9] = [
    Step {
        name: "format (cargo fmt --check)",
        run: |ctx| ctx.run(ctx.cargo().args(["fmt", "--all", "--", "--check"])),
    },
    Step {
        name: "clippy (native, all targets)",
        run: |ctx| {
            ctx.run(ctx.cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        },
    },
    Step {
        name: "clippy (wasm32)",
        run: |ctx| {
            let mut command = ctx.cargo();
            command.arg("clippy");
            for krate in WASM_CRATES {
                command.args(["-p", krate]);
            }
            command.args(["--target", "wasm32-unknown-unknown", "--", "-D", "warnings"]);
            ctx.run(&mut command)
        },
    },
    Step {
        name: "determinism guard (swarm-core dependencies)",
        run: determinism_guard,
    },
    Step {
        name: "lazy-module guard (no jq, YAML or template engine in the page's main module)",
        run: lazy_module_guard,
    },
    Step {
        name: "tests (native)",
        run: |ctx| ctx.run(ctx.cargo().args(["test", "--workspace"])),
    },
    Step {
        name: "tests (wasm32, headless Chromium)",
        // No `-q`: cargo would forward it to the runner, which rejects it.
        run: |ctx| {
            ctx.run(
                ctx.cargo()
                    .env("CHROMEDRIVER", "/usr/bin/chromedriver")
                    .args([
                        "test",
                        "--target",
                        "wasm32-unknown-unknown",
                        "-p",
                        "swarm-web",
                    ]),
            )
        },
    },
    Step {
        name: "release bundle (trunk build --release)",
        run: |ctx| trunk_build(ctx, true),
    },
    Step {
        name: "end-to-end (headless Chromium)",
        run: crate::e2e::run,
    },
];

/// Runs every step; the error names the step that failed.
pub fn run_all(ctx: &Ctx) -> Result<()> {
    let total = STEPS.len();
    let mut passed = 0;
    for (index, step) in STEPS.iter().enumerate() {
        let number = index + 1;
        println!("\nxtask test: step {number}/{total}: {}", step.name);
        let started = Instant::now();
        let outcome = (step.run)(ctx);
        let seconds = started.elapsed().as_secs_f64();
        match outcome {
            Ok(()) => {
                passed += 1;
                println!(
                    "xtask test: step {number}/{total} passed: {} ({seconds:.1} s)",
                    step.name
                );
            }
            Err(error) => {
                println!("xtask test: step {number}/{total} FAILED: {}", step.name);
                println!("xtask test: {error}");
                println!("{passed} passed, 1 failed, {} skipped", total - number);
                return Err(format!("step {number}/{total} `{}` failed", step.name));
            }
        }
    }
    println!("\nxtask test: all {total} steps passed");
    println!("{passed} passed, 0 failed");
    Ok(())
}

/// `trunk build` (release or dev) of the page into `dist/`, offline: trunk would otherwise
/// download wasm-bindgen and wasm-opt, where the installer has already put the pinned ones.
pub fn trunk_build(ctx: &Ctx, release: bool) -> Result<()> {
    let mut command = ctx.command("trunk");
    command.args(["build", "--offline"]);
    if release {
        command.arg("--release");
    }
    ctx.run(&mut command)
}

/// The simulation core must not depend on the browser or OS randomness, for any target.
fn determinism_guard(ctx: &Ctx) -> Result<()> {
    let tree = ctx.capture(ctx.cargo().args([
        "tree",
        "-p",
        "swarm-core",
        "-e",
        "normal",
        "--target",
        "all",
        "--prefix",
        "none",
        "--format",
        "{p}",
        "--prune",
        "raft",
    ]))?;
    let found = banned_packages(&tree, &BANNED_IN_CORE);
    if found.is_empty() {
        println!("swarm-core depends on none of {BANNED_IN_CORE:?}");
        Ok(())
    } else {
        Err(format!(
            "swarm-core must stay deterministic and browser-free, but depends on: {}",
            found.join(", ")
        ))
    }
}

/// The page's main module (`swarm-web` for wasm32) must not link jq's engine, the YAML parser
/// or the Go template engine.
fn lazy_module_guard(ctx: &Ctx) -> Result<()> {
    let tree = ctx.capture(ctx.cargo().args([
        "tree",
        "-p",
        "swarm-web",
        "-e",
        "normal,features",
        "--target",
        "wasm32-unknown-unknown",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ]))?;
    let mut found = banned_packages(&tree, &LAZY_ONLY);
    found.extend(banned_features(&tree, &LAZY_FEATURES));
    if found.is_empty() {
        println!("the page's main module links none of {LAZY_ONLY:?} nor {LAZY_FEATURES:?}");
        Ok(())
    } else {
        Err(format!(
            "jq's engine, the YAML parser and the Go template engine belong in the lazily \
             loaded module (swarm-jq-web), but swarm-web links: {}",
            found.join(", ")
        ))
    }
}

/// The lines of a `cargo tree -e features --prefix none` listing that are one of `banned`.
fn banned_features(tree: &str, banned: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = tree
        .lines()
        .map(str::trim)
        .filter(|line| banned.contains(line))
        .map(String::from)
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The lines of a `cargo tree --prefix none --format {p}` listing whose crate is in `banned`
/// (feature lines, `NAME feature "F"`, are not crates).
fn banned_packages(tree: &str, banned: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = tree
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?;
            let version = words.next().unwrap_or_default();
            (banned.contains(&name) && version != "feature").then(|| format!("{name} {version}"))
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_matches_whole_crate_names() {
        let tree = "swarm-core v0.0.0 (/work/main/crates/swarm-core)\n\
                    rand v0.9.2\n\
                    getrandom v0.3.3\n\
                    wasm-bindgen-shared v0.2.130\n\
                    getrandom v0.3.3 (*)\n";
        assert_eq!(
            banned_packages(tree, &BANNED_IN_CORE),
            vec!["getrandom v0.3.3"]
        );
        assert!(
            banned_packages("swarm-core v0.0.0\nrand_pcg v0.9.0\n", &BANNED_IN_CORE).is_empty()
        );
        let page = "swarm-web v0.0.0\nswarm-jq v0.0.0\njaq-core v2.2.1\n";
        assert_eq!(banned_packages(page, &LAZY_ONLY), vec!["jaq-core v2.2.1"]);
        let page = "swarm-web v0.0.0\nswarm-extras v0.0.0\nserde_yaml v0.9.34+deprecated\n\
                    unsafe-libyaml v0.2.11\n";
        assert_eq!(
            banned_packages(page, &LAZY_ONLY),
            vec!["serde_yaml v0.9.34+deprecated", "unsafe-libyaml v0.2.11"]
        );
        let page = "swarm-web v0.0.0\nswarm-extras v0.0.0\nswarm-extras feature \"default\"\n\
                    swarm-extras feature \"engine\"\nserde_yaml feature \"default\"\n";
        assert_eq!(
            banned_features(page, &LAZY_FEATURES),
            vec!["swarm-extras feature \"engine\""]
        );
        assert!(banned_packages(page, &LAZY_ONLY).is_empty());
        assert!(banned_features(
            "swarm-web v0.0.0\nswarm-jq v0.0.0\nswarm-extras v0.0.0\n",
            &LAZY_FEATURES
        )
        .is_empty());
    }
}
