//! `watch [-n SECONDS] [-t] [-g] [-q CYCLES] COMMAND…`: procps-ng 4's watch over simulated time.
//!
//! Every refresh clears the screen (an [`Output::Clear`] piece, what `clear` emits, so the page
//! shows only the latest screen) and prints the header line, a blank line and the command's
//! output (stdout and stderr, as watch shows them). The command runs as `sh -c` would run it,
//! here: parsed and run by the shell. It repeats until Ctrl+C, as the real one does.
//!
//! Bounded runs, for scripts and transcripts (a script presses Ctrl+C only after an hour of
//! simulated time): when the shell variable `WATCH_MAX_REFRESHES` holds a number N, `watch`
//! stops by itself after N screens, with status 0. procps' own exits work too: `-g` ends when
//! the output changes, `-q CYCLES` when it has not changed for CYCLES refreshes, `-e` when the
//! command fails. A script that says `export WATCH_MAX_REFRESHES=3` before a `watch` gets
//! three screens in its transcript (a clear screen is not written to a transcript, so the
//! screens follow each other).

use std::cell::RefCell;
use std::rc::Rc;

use swarm_core::SimDuration;

use crate::exec::{Dest, Interp, Io};
use crate::terminal::{emit, Output};

/// The terminal width the header is laid out for.
const WIDTH: usize = 80;

/// The variable that bounds the number of refreshes (see the module docs).
pub(crate) const MAX_REFRESHES_VAR: &str = "WATCH_MAX_REFRESHES";

const USAGE: &str = "
Usage:
 watch [options] command

Options:
  -b, --beep             beep if command has a non-zero exit
  -c, --color            interpret ANSI color and style sequences
  -C, --no-color         do not interpret ANSI color and style sequences
  -d, --differences[=<permanent>]
                         highlight changes between updates
  -e, --errexit          exit if command has a non-zero exit
  -g, --chgexit          exit when output from command changes
  -q, --equexit <cycles>
                         exit when output from command does not change
  -n, --interval <secs>  seconds to wait between updates
  -p, --precise          attempt run command in precise intervals
  -r, --no-rerun         do not rerun program on window resize
  -t, --no-title         turn off header
  -w, --no-wrap          turn off line wrapping
  -x, --exec             pass command to exec instead of \"sh -c\"

 -h, --help     display this help and exit
 -v, --version  output version information and exit

For more details see watch(1).
";

/// What `watch`'s command line asks for.
#[derive(Debug, PartialEq)]
pub(crate) struct WatchArgs {
    /// Milliseconds between refreshes.
    pub interval_ms: u64,
    pub title: bool,
    pub chgexit: bool,
    pub errexit: bool,
    pub equexit: Option<u32>,
    pub command: String,
}

/// Parses watch's options; `Err` is (text for stderr or stdout, status, to stdout).
pub(crate) fn parse_args(args: &[String]) -> Result<WatchArgs, (String, i32, bool)> {
    let mut w = WatchArgs {
        interval_ms: 2000,
        title: true,
        chgexit: false,
        errexit: false,
        equexit: None,
        command: String::new(),
    };
    let interval = |v: &str| -> Result<u64, (String, i32, bool)> {
        let secs: f64 = v
            .replace(',', ".")
            .parse()
            .ok()
            .filter(|s: &f64| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| {
                (
                    format!("watch: failed to parse argument: '{v}'\n"),
                    1,
                    false,
                )
            })?;
        // procps' range: at least a tenth of a second, at most about a month.
        Ok((secs.clamp(0.1, 2_678_400.0) * 1000.0).round() as u64)
    };
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if !a.starts_with('-') || a == "-" {
            break;
        }
        i += 1;
        if a == "--" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match name {
                "interval" | "equexit" => {
                    let v = match value {
                        Some(v) => v,
                        None => {
                            let Some(v) = args.get(i).cloned() else {
                                return Err((
                                    format!(
                                        "watch: option '--{name}' requires an argument\n{USAGE}"
                                    ),
                                    1,
                                    false,
                                ));
                            };
                            i += 1;
                            v
                        }
                    };
                    if name == "interval" {
                        w.interval_ms = interval(&v)?;
                    } else {
                        w.equexit = Some(cycles(&v)?);
                    }
                }
                "no-title" => w.title = false,
                "chgexit" => w.chgexit = true,
                "errexit" => w.errexit = true,
                "beep" | "color" | "no-color" | "differences" | "precise" | "no-rerun"
                | "no-wrap" | "exec" => {}
                "help" => return Err((USAGE.trim_start().to_string(), 0, true)),
                "version" => return Err(("watch from procps-ng 4.0.4\n".into(), 0, true)),
                _ => {
                    return Err((
                        format!("watch: unrecognized option '{a}'\n{USAGE}"),
                        1,
                        false,
                    ))
                }
            }
            continue;
        }
        let body = &a[1..];
        for (k, c) in body.char_indices() {
            match c {
                'n' | 'q' => {
                    let rest = &body[k + 1..];
                    let v = if !rest.is_empty() {
                        rest.to_string()
                    } else if let Some(v) = args.get(i) {
                        i += 1;
                        v.clone()
                    } else {
                        return Err((
                            format!("watch: option requires an argument -- '{c}'\n{USAGE}"),
                            1,
                            false,
                        ));
                    };
                    if c == 'n' {
                        w.interval_ms = interval(&v)?;
                    } else {
                        w.equexit = Some(cycles(&v)?);
                    }
                    break;
                }
                't' => w.title = false,
                'g' => w.chgexit = true,
                'e' => w.errexit = true,
                'b' | 'c' | 'C' | 'd' | 'p' | 'r' | 'w' | 'x' => {}
                'h' => return Err((USAGE.trim_start().to_string(), 0, true)),
                'v' => return Err(("watch from procps-ng 4.0.4\n".into(), 0, true)),
                _ => return Err((format!("watch: invalid option -- '{c}'\n{USAGE}"), 1, false)),
            }
        }
    }
    if i >= args.len() {
        return Err((USAGE.to_string(), 1, false));
    }
    w.command = args[i..].join(" ");
    Ok(w)
}

fn cycles(v: &str) -> Result<u32, (String, i32, bool)> {
    v.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
        (
            format!("watch: failed to parse argument: '{v}'\n"),
            1,
            false,
        )
    })
}

/// The header line: `Every 2.0s: COMMAND` on the left, `HOST: DATE` flush right on 80
/// columns; a command too long for the space left is cut, ending in `...`.
pub(crate) fn header(interval_ms: u64, command: &str, host: &str, unix_ms: i64) -> String {
    let left = format!("Every {:.1}s: ", interval_ms as f64 / 1000.0);
    let right = format!("{host}: {}", ctime(unix_ms));
    let room = WIDTH.saturating_sub(left.chars().count() + right.chars().count() + 1);
    let cmd: String = if command.chars().count() > room {
        let keep = room.saturating_sub(3);
        command.chars().take(keep).collect::<String>() + "..."
    } else {
        command.to_string()
    };
    let used = left.chars().count() + cmd.chars().count();
    let pad = WIDTH.saturating_sub(used + right.chars().count()).max(1);
    format!("{left}{cmd}{}{right}", " ".repeat(pad))
}

/// `Mon Nov 23 09:00:05 2026`: C's `ctime` layout (day of month padded with a space), UTC.
pub(crate) fn ctime(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = swarm_core::time::civil_from_days(days);
    use swarm_core::time::{abbr, weekday, MONTH_NAMES, WEEKDAY_NAMES};
    let wd = abbr(WEEKDAY_NAMES[weekday(days)]);
    let mon = abbr(MONTH_NAMES[(m.clamp(1, 12) - 1) as usize]);
    format!(
        "{wd} {mon} {d:>2} {:02}:{:02}:{:02} {y}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Runs `watch`: refreshes until Ctrl+C (or a bound, see the module docs).
pub(crate) async fn watch(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let w = match parse_args(args) {
        Ok(w) => w,
        Err((text, status, to_stdout)) => {
            if to_stdout {
                io.out.write(&text);
            } else {
                io.err.write(&text);
            }
            return status;
        }
    };
    let max_refreshes: Option<u64> = interp
        .get_var(MAX_REFRESHES_VAR)
        .and_then(|v| v.trim().parse().ok());
    let mut previous: Option<String> = None;
    let mut unchanged = 0u32;
    let mut refreshes = 0u64;
    loop {
        // The command's stdout and stderr, together, as watch's pipe gets them.
        let buf = Rc::new(RefCell::new(String::new()));
        let sub = Io::with_stdin("", Dest::Buf(buf.clone()), Dest::Buf(buf.clone()));
        let pending_exit = interp.exiting.take();
        let status = interp.run_source(&w.command, &sub).await;
        let status = interp.exiting.take().unwrap_or(status);
        interp.exiting.set(pending_exit);
        let output = buf.borrow().clone();

        let mut screen = String::new();
        if w.title {
            let (host, now) = {
                let world = interp.world();
                let world = world.borrow();
                let host = world
                    .machine(interp.session.borrow().machine())
                    .map(|m| m.hostname.clone())
                    .unwrap_or_default();
                (host, world.now().unix_ms())
            };
            screen.push_str(&header(w.interval_ms, &w.command, &host, now));
            screen.push_str("\n\n");
        }
        screen.push_str(&output);
        if !screen.ends_with('\n') {
            screen.push('\n');
        }
        match &io.out {
            Dest::Terminal(sink, _) => {
                emit(sink, Output::Clear);
                emit(sink, Output::Stdout(screen));
            }
            other => other.write(&screen),
        }
        refreshes += 1;

        let changed = previous.as_ref().is_some_and(|p| *p != output);
        if w.chgexit && changed {
            return 0;
        }
        if previous.as_ref() == Some(&output) {
            unchanged += 1;
        } else {
            unchanged = 0;
        }
        if w.equexit.is_some_and(|n| unchanged >= n) {
            return 0;
        }
        if w.errexit && status != 0 {
            io.err
                .write("\ncommand exit with a non-zero status, press a key to exit\n");
            return 8;
        }
        if max_refreshes.is_some_and(|n| refreshes >= n) {
            return 0;
        }
        previous = Some(output);
        interp.sleep(SimDuration::from_millis(w.interval_ms)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn header_layout() {
        let h = header(2000, "docker service ls", "node1", 1_795_424_405_000);
        assert_eq!(
            h,
            "Every 2.0s: docker service ls                    node1: Mon Nov 23 09:00:05 2026"
        );
        assert_eq!(h.chars().count(), 80);
        let long = "x".repeat(100);
        let h = header(500, &long, "node1", 1_795_424_405_000);
        assert_eq!(h.chars().count(), 80);
        assert!(h.starts_with("Every 0.5s: xxx"));
        assert!(h.contains("... node1: "));
        assert_eq!(ctime(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(ctime(1_709_164_800_000), "Thu Feb 29 00:00:00 2024");
    }

    #[test]
    fn options() {
        let w = parse_args(&args(&["-n", "0.5", "docker", "ps"])).unwrap();
        assert_eq!((w.interval_ms, w.command.as_str()), (500, "docker ps"));
        let w = parse_args(&args(&["-tn1", "date"])).unwrap();
        assert_eq!((w.interval_ms, w.title), (1000, false));
        assert_eq!(
            parse_args(&args(&["-n", "0", "x"])).unwrap().interval_ms,
            100
        );
        assert_eq!(
            parse_args(&args(&["-n", "abc", "x"])).unwrap_err().0,
            "watch: failed to parse argument: 'abc'\n"
        );
        let e = parse_args(&args(&[])).unwrap_err();
        assert!(e.0.starts_with("\nUsage:\n watch [options] command\n"));
        assert_eq!(e.1, 1);
        assert!(parse_args(&args(&["-z", "x"]))
            .unwrap_err()
            .0
            .starts_with("watch: invalid option -- 'z'\n"));
        let w = parse_args(&args(&["--interval=3", "-g", "ls"])).unwrap();
        assert_eq!((w.interval_ms, w.chgexit), (3000, true));
    }
}
