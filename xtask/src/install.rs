//! The idempotent tool installer that every command runs first.
//!
//! It checks each tool (and its version where the version matters), says what it finds, and
//! installs only what is missing, so a fresh machine with just the Rust toolchain and node/npm gets
//! everything, and a prepared one gets through in a second. The pins follow
//! `shared/reference/toolchain.md`:
//!
//! - the `wasm32-unknown-unknown` target, and rustfmt and clippy, through rustup;
//! - Chromium, its WebDriver and protoc from Debian (`apt-get`, with sudo when not root);
//! - `wasm-bindgen-cli` exactly 0.2.130 (it must equal the `wasm-bindgen` crate in Cargo.lock;
//!   no `--locked`, as the registry mirror lacks one locked dependency);
//! - trunk 0.21 (0.22 needs a newer rustc);
//! - `wasm-opt` from npm's binaryen 132 into `target/tools/binaryen` (Debian's is too old to read
//!   current wasm-bindgen output), found first on `PATH` by trunk.

use std::path::Path;

use crate::shell::{binaryen_bin_dir, Ctx};
use crate::Result;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const WASM_BINDGEN_VERSION: &str = "0.2.130";
const TRUNK_REQUIREMENT: &str = "~0.21";
const TRUNK_VERSION_PREFIX: &str = "0.21.";
const BINARYEN_VERSION: &str = "132";

/// Debian packages: the package name and the executable that shows it is installed.
const APT_PACKAGES: [(&str, &str); 3] = [
    ("chromium", "/usr/bin/chromium"),
    ("chromium-driver", "/usr/bin/chromedriver"),
    ("protobuf-compiler", "protoc"),
];

/// Installs whatever is missing; prints one line per tool.
pub fn ensure_tools(ctx: &Ctx) -> Result<()> {
    println!("xtask: checking tools");
    ensure_rust_parts(ctx)?;
    ensure_apt_packages(ctx)?;
    ensure_wasm_bindgen(ctx)?;
    ensure_trunk(ctx)?;
    ensure_wasm_opt(ctx)?;
    println!("xtask: tools ready");
    Ok(())
}

fn ensure_rust_parts(ctx: &Ctx) -> Result<()> {
    let sysroot = ctx
        .probe(ctx.command("rustc").args(["--print", "sysroot"]))
        .ok_or("cannot run `rustc --print sysroot`: is the Rust toolchain installed?")?;
    let target_dir = Path::new(sysroot.trim())
        .join("lib")
        .join("rustlib")
        .join(WASM_TARGET);
    if target_dir.is_dir() {
        println!("  ok       rust target {WASM_TARGET}");
    } else {
        println!("  install  rust target {WASM_TARGET}");
        ctx.run(ctx.command("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    for (subcommand, component) in [("fmt", "rustfmt"), ("clippy", "clippy")] {
        if ctx
            .probe(ctx.cargo().args([subcommand, "--version"]))
            .is_some()
        {
            println!("  ok       {component}");
        } else {
            println!("  install  {component}");
            ctx.run(ctx.command("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

fn ensure_apt_packages(ctx: &Ctx) -> Result<()> {
    let mut missing = Vec::new();
    for (package, executable) in APT_PACKAGES {
        let present = if executable.starts_with('/') {
            Path::new(executable).is_file()
        } else {
            ctx.on_path(executable)
        };
        if present {
            println!("  ok       {package} ({executable})");
        } else {
            println!("  install  {package} (no {executable})");
            missing.push(package);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    // Root runs apt-get directly; anyone else needs sudo.
    let is_root = ctx
        .probe(ctx.command("id").arg("-u"))
        .is_some_and(|uid| uid.trim() == "0");
    // No questions asked; sudo resets the environment, so it gets the setting as an argument.
    let apt_get = |args: &[&str]| {
        let mut command = if is_root {
            let mut apt = ctx.command("apt-get");
            apt.env("DEBIAN_FRONTEND", "noninteractive");
            apt
        } else {
            let mut sudo = ctx.command("sudo");
            sudo.args(["DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            sudo
        };
        command.args(args);
        command
    };
    if !is_root && !ctx.on_path("sudo") {
        return Err(format!(
            "the Debian packages {missing:?} are missing, and installing them needs root or sudo"
        ));
    }
    ctx.run(&mut apt_get(&["update"]))?;
    let mut install = apt_get(&["install", "-y"]);
    install.args(&missing);
    ctx.run(&mut install)
}

fn ensure_wasm_bindgen(ctx: &Ctx) -> Result<()> {
    // The CLI package installs both the bindgen and the test runner; both must match the crate.
    let versions = ["wasm-bindgen", "wasm-bindgen-test-runner"]
        .map(|tool| installed_version(ctx, tool).unwrap_or_default());
    if versions
        .iter()
        .all(|version| version == WASM_BINDGEN_VERSION)
    {
        println!("  ok       wasm-bindgen-cli {WASM_BINDGEN_VERSION}");
        return Ok(());
    }
    println!(
        "  install  wasm-bindgen-cli {WASM_BINDGEN_VERSION} (found {})",
        describe_found(&versions[0])
    );
    ctx.run(ctx.cargo().args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        WASM_BINDGEN_VERSION,
        "--force",
    ]))
}

fn ensure_trunk(ctx: &Ctx) -> Result<()> {
    let version = installed_version(ctx, "trunk").unwrap_or_default();
    if version.starts_with(TRUNK_VERSION_PREFIX) {
        println!("  ok       trunk {version}");
        return Ok(());
    }
    println!(
        "  install  trunk {TRUNK_REQUIREMENT} (found {})",
        describe_found(&version)
    );
    ctx.run(ctx.cargo().args([
        "install",
        "trunk",
        "--version",
        TRUNK_REQUIREMENT,
        "--locked",
        "--force",
    ]))
}

fn ensure_wasm_opt(ctx: &Ctx) -> Result<()> {
    let wasm_opt = binaryen_bin_dir(&ctx.root).join("wasm-opt");
    let found = ctx
        .probe(ctx.command(&wasm_opt).arg("--version"))
        .unwrap_or_default();
    if wasm_opt_version_matches(&found) {
        println!("  ok       wasm-opt {BINARYEN_VERSION} (npm binaryen)");
        return Ok(());
    }
    println!("  install  wasm-opt {BINARYEN_VERSION} (npm binaryen@{BINARYEN_VERSION})");
    let prefix = ctx.tools_dir().join("binaryen");
    std::fs::create_dir_all(&prefix)
        .map_err(|e| format!("cannot create {}: {e}", prefix.display()))?;
    ctx.run(
        ctx.command("npm")
            .arg("install")
            .arg("--prefix")
            .arg(&prefix)
            .args(["--no-audit", "--no-fund"])
            .arg(format!("binaryen@{BINARYEN_VERSION}")),
    )?;
    let found = ctx
        .probe(ctx.command(&wasm_opt).arg("--version"))
        .unwrap_or_default();
    if wasm_opt_version_matches(&found) {
        Ok(())
    } else {
        Err(format!(
            "after installing, `{} --version` says {:?}, not version {BINARYEN_VERSION}",
            wasm_opt.display(),
            found.trim()
        ))
    }
}

/// The version a `tool --version` prints as its second word (`trunk 0.21.14`), if it runs.
fn installed_version(ctx: &Ctx, tool: &str) -> Option<String> {
    let output = ctx.probe(ctx.command(tool).arg("--version"))?;
    parse_version_line(&output)
}

fn parse_version_line(output: &str) -> Option<String> {
    output.split_whitespace().nth(1).map(str::to_string)
}

/// `wasm-opt --version` prints `wasm-opt version 132 (version_132)`.
fn wasm_opt_version_matches(output: &str) -> bool {
    output.split_whitespace().nth(2) == Some(BINARYEN_VERSION)
}

fn describe_found(version: &str) -> String {
    if version.is_empty() {
        "none".to_string()
    } else {
        version.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_lines_parse() {
        assert_eq!(
            parse_version_line("wasm-bindgen 0.2.130\n").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            parse_version_line("trunk 0.21.14").as_deref(),
            Some("0.21.14")
        );
        assert_eq!(parse_version_line("trunk"), None);
    }

    #[test]
    fn wasm_opt_version_is_checked_exactly() {
        assert!(wasm_opt_version_matches(
            "wasm-opt version 132 (version_132)\n"
        ));
        assert!(!wasm_opt_version_matches(
            "wasm-opt version 108 (version_108)"
        ));
        assert!(!wasm_opt_version_matches(""));
    }
}
