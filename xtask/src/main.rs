//! The project's task runner, invoked as `cargo xtask <command>` through the alias in
//! `.cargo/config.toml`.
//!
//! Every command first runs the idempotent tool installer (see [`install`]), so a fresh machine
//! with only the Rust toolchain and node/npm can build, serve and test the playground.
//!
//! - `build`: the release web bundle in `dist/` (trunk, offline).
//! - `serve`: build, then serve `dist/` on http://127.0.0.1:8080/ with our own static server.
//! - `test`: every check CI runs, in order, stopping at the first failure.
//! - `e2e`: the browser end-to-end test alone, against `dist/`.
//! - `bench`: the simulation benchmarks, the bundle's gzip sizes and the page in headless
//!   Chromium (load times, long tasks while a large cluster converges).
//! - `install`: only the tool installer.

// The workspace's clippy.toml bans `Instant` and `SystemTime` because the simulation must take
// time as an input. The task runner is not the simulation: it needs real wall time for its
// timeouts and step durations, so the ban is lifted for this crate only.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

mod bench;
mod check;
mod e2e;
mod install;
mod page_bench;
mod serve;
mod shell;
mod webdriver;

use std::process::ExitCode;

use shell::Ctx;

/// Errors are messages for the person at the terminal; every layer adds its context.
pub type Result<T, E = String> = std::result::Result<T, E>;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  build                     install the tools, then build the release bundle into dist/
  serve [--port N] [--dev]  build (release unless --dev), then serve dist/ on http://127.0.0.1:N/ (default 8080)
  test                      install, then run every check CI runs, stopping at the first failure
  e2e [--no-build]          install, build, then run the browser end-to-end test against dist/
  bench [--page]            install, build, then the simulation benchmarks (not with --page), the
                            bundle's gzip sizes and the page measured in headless Chromium
  install                   only install the tools (idempotent)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let Some((command, options)) = args.split_first() else {
        println!("{USAGE}");
        return Err("no command given".to_string());
    };
    let ctx = Ctx::new()?;
    match command.as_str() {
        "install" => {
            no_options(command, options)?;
            install::ensure_tools(&ctx)
        }
        "build" => {
            no_options(command, options)?;
            install::ensure_tools(&ctx)?;
            check::trunk_build(&ctx, true)
        }
        "serve" => {
            let serve_options = parse_serve_options(options)?;
            install::ensure_tools(&ctx)?;
            check::trunk_build(&ctx, !serve_options.dev)?;
            serve::serve_forever(&ctx.root.join("dist"), serve_options.port)
        }
        "test" => {
            no_options(command, options)?;
            install::ensure_tools(&ctx)?;
            check::run_all(&ctx)
        }
        "e2e" => {
            let build = match options {
                [] => true,
                [flag] if flag == "--no-build" => false,
                _ => {
                    return Err(format!(
                        "unexpected options for e2e: {options:?}\n\n{USAGE}"
                    ))
                }
            };
            install::ensure_tools(&ctx)?;
            if build {
                check::trunk_build(&ctx, true)?;
            }
            e2e::run(&ctx)
        }
        "bench" => {
            let page_only = match options {
                [] => false,
                [flag] if flag == "--page" => true,
                _ => {
                    return Err(format!(
                        "unexpected options for bench: {options:?}\n\n{USAGE}"
                    ))
                }
            };
            install::ensure_tools(&ctx)?;
            bench::run(&ctx, page_only)
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}

fn no_options(command: &str, options: &[String]) -> Result<()> {
    if options.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "`{command}` takes no options, got {options:?}\n\n{USAGE}"
        ))
    }
}

/// The options of `cargo xtask serve`.
#[derive(Debug, PartialEq, Eq)]
struct ServeOptions {
    port: u16,
    dev: bool,
}

fn parse_serve_options(options: &[String]) -> Result<ServeOptions> {
    let mut parsed = ServeOptions {
        port: 8080,
        dev: false,
    };
    let mut rest = options.iter();
    while let Some(option) = rest.next() {
        let port_text = if let Some(value) = option.strip_prefix("--port=") {
            value.to_string()
        } else if option == "--port" {
            rest.next()
                .ok_or_else(|| "--port needs a value".to_string())?
                .clone()
        } else if option == "--dev" {
            parsed.dev = true;
            continue;
        } else {
            return Err(format!("unknown option for serve: `{option}`\n\n{USAGE}"));
        };
        parsed.port = port_text
            .parse()
            .map_err(|_| format!("--port takes a port number, got `{port_text}`"))?;
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| item.to_string()).collect()
    }

    #[test]
    fn serve_defaults_to_release_on_8080() {
        assert_eq!(
            parse_serve_options(&[]),
            Ok(ServeOptions {
                port: 8080,
                dev: false
            })
        );
    }

    #[test]
    fn serve_takes_port_in_both_spellings_and_dev() {
        let expected = Ok(ServeOptions {
            port: 9000,
            dev: true,
        });
        assert_eq!(
            parse_serve_options(&strings(&["--port", "9000", "--dev"])),
            expected
        );
        assert_eq!(
            parse_serve_options(&strings(&["--dev", "--port=9000"])),
            expected
        );
    }

    #[test]
    fn serve_rejects_bad_options() {
        assert!(parse_serve_options(&strings(&["--port"])).is_err());
        assert!(parse_serve_options(&strings(&["--port", "http"])).is_err());
        assert!(parse_serve_options(&strings(&["--release"])).is_err());
    }
}
