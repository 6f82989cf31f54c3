//! `docker service logs SERVICE|TASK`: the lines of the tasks' containers, interleaved by
//! time, each behind docker's `name.slot.task@node    | ` prefix (spec §10.14).

use swarm_core::catalog::Stream;
use swarm_core::{MachineId, Mode, NodeState, SimDuration, SimTime, Swarm, TaskState};

use super::super::cli::Parsed;
use super::daemon_error;
use super::opts::go_parse_duration;
use crate::exec::{Interp, Io};
use crate::format::service::{log_prefix, replicas_digits};

/// How often `--follow` looks for new lines.
const FOLLOW_POLL: SimDuration = SimDuration::from_millis(250);

/// What is being followed: a service's tasks, or one task.
struct Target {
    service_id: String,
    task_id: Option<String>,
    digits: usize,
    tty: bool,
}

fn find(interp: &Interp, m: MachineId, r: &str) -> Result<Target, String> {
    let world = interp.world();
    let w = world.borrow();
    let (_, s) = w
        .control_swarm(m)
        .map_err(|e| format!("Error response from daemon: {e}"))?;
    match s.find_service(r) {
        Ok(svc) => Ok(Target {
            service_id: svc.id.clone(),
            task_id: None,
            digits: match svc.spec.mode {
                Mode::Replicated { replicas } => replicas_digits(Some(replicas)),
                _ => 1,
            },
            tty: svc.spec.tty,
        }),
        Err(e) if !e.ends_with(" not found") => Err(format!("Error response from daemon: {e}")),
        Err(_) => {
            let task = s.tasks.get(r).or_else(|| {
                let mut it = s
                    .tasks
                    .values()
                    .filter(|t| t.id.starts_with(r) && !r.is_empty());
                match (it.next(), it.next()) {
                    (Some(t), None) => Some(t),
                    _ => None,
                }
            });
            match task {
                Some(t) => Ok(Target {
                    service_id: t.service_id.clone(),
                    task_id: Some(t.id.clone()),
                    digits: replicas_digits(Some(t.slot)),
                    tty: t.spec.tty,
                }),
                None => Err(format!("no such task or service: {r}")),
            }
        }
    }
}

/// `--since`: a Go duration before now, or an RFC 3339 / Unix timestamp.
fn parse_since(v: &str, now: SimTime) -> Result<SimTime, String> {
    if v.is_empty() {
        return Ok(SimTime::ZERO);
    }
    if let Ok(d) = go_parse_duration(v) {
        let ms = (d.max(0) / 1_000_000) as u64;
        return Ok(SimTime::from_millis(now.as_millis().saturating_sub(ms)));
    }
    let epoch_ms = crate::model::unix_ms(SimTime::ZERO);
    let to_sim = |unix_ms: i64| SimTime::from_millis((unix_ms - epoch_ms).max(0) as u64);
    // Unix seconds, with an optional fraction.
    let (secs, frac) = v.split_once('.').unwrap_or((v, ""));
    if !secs.is_empty()
        && secs.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
    {
        let s: i64 = secs.parse().unwrap_or(0);
        let mut ms: i64 = 0;
        for (i, c) in frac.bytes().take(3).enumerate() {
            ms += i64::from(c - b'0') * 10i64.pow(2 - i as u32);
        }
        return Ok(to_sim(s.saturating_mul(1000).saturating_add(ms)));
    }
    if let Some(unix_ms) = crate::format::text::parse_rfc3339_ms(v) {
        return Ok(to_sim(unix_ms));
    }
    Err(format!(
        "failed to parse value as time or duration: \"{v}\""
    ))
}

/// `docker service logs`.
pub(crate) async fn logs(interp: &Interp, m: MachineId, cmd: &Parsed, io: &Io) -> i32 {
    let r = cmd.args.first().cloned().unwrap_or_default();
    let target = match find(interp, m, &r) {
        Ok(t) => t,
        Err(e) => {
            io.err.write(&format!("{e}\n"));
            return 1;
        }
    };
    let world = interp.world();
    let now = world.borrow().now();
    let since = match parse_since(cmd.value("since").unwrap_or(""), now) {
        Ok(t) => t,
        Err(e) => return daemon_error(io, &e),
    };
    let tail: Option<usize> = match cmd.value("tail").unwrap_or("all") {
        "all" | "" => None,
        // The daemon's checks (`Cluster.ServiceLogs`): Go's `strconv.Atoi`, then the sign.
        t => match t.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n as usize),
            Ok(_) => return daemon_error(io, "negative tail values not supported"),
            Err(_) => return daemon_error(io, "tail value must be a positive integer or \"all\""),
        },
    };
    if target.tty && !cmd.bool("raw") {
        io.err.write("tty service logs only supported with --raw\n");
        return 1;
    }
    let follow = cmd.bool("follow");
    let mut from = since;
    let mut first = true;
    let mut incomplete: Vec<String> = Vec::new();
    loop {
        let until = world.borrow().now();
        let text = {
            let w = world.borrow();
            let Ok((cluster, s)) = w.control_swarm(m) else {
                return 0;
            };
            if !s.services.contains_key(&target.service_id) && !first {
                return 0;
            }
            let ids: Vec<String> = match &target.task_id {
                Some(t) => vec![t.clone()],
                None => s
                    .tasks_of(&target.service_id)
                    .map(|t| t.id.clone())
                    .collect(),
            };
            if first && !follow {
                incomplete = unavailable(s, &target);
            }
            // `task_logs` reads up to `until` exclusive: lines written at this very moment
            // (a request served by the command line just before) are in the answer.
            let mut lines = w.task_logs(
                cluster,
                &ids,
                from,
                SimTime::from_millis(until.as_millis() + 1),
            );
            // A node without a session with the log broker sends nothing.
            lines.retain(|l| node_connected(s, &l.node_id));
            if first {
                if let Some(n) = tail {
                    tail_per_task(&mut lines, &ids, n);
                }
            }
            // `--no-resolve`: the CLI's ID resolver hands back the IDs it was given.
            let no_resolve = cmd.bool("no-resolve");
            let name = if no_resolve {
                target.service_id.clone()
            } else {
                s.services
                    .get(&target.service_id)
                    .map(|x| x.spec.name.clone())
                    .unwrap_or_default()
            };
            let mut out: Vec<(bool, String)> = Vec::new();
            for l in &lines {
                let mut line = String::new();
                if cmd.bool("timestamps") {
                    // The daemon stamps lines in Go's RFC3339NanoFixed (nine digits).
                    line.push_str(&crate::model::rfc3339_fixed(l.at.as_millis()));
                    line.push(' ');
                }
                if !cmd.bool("raw") {
                    line.push_str(&log_prefix(
                        &name,
                        l.slot,
                        &l.task_id,
                        &if no_resolve {
                            l.node_id.clone()
                        } else {
                            s.node_name(&l.node_id)
                        },
                        target.digits,
                        cmd.bool("no-trunc"),
                        cmd.bool("no-task-ids"),
                    ));
                }
                line.push_str(&l.text);
                line.push('\n');
                out.push((l.stream == Stream::Stderr, line));
            }
            out
        };
        for (is_err, line) in &text {
            if *is_err {
                io.err.write(line);
            } else {
                io.out.write(line);
            }
        }
        if !follow {
            if incomplete.is_empty() {
                return 0;
            }
            // The subscription ends with an error, which the daemon writes as a system-error
            // frame ("Error grabbing logs: …\n") and the CLI's stdcopy turns into its error.
            io.err.write(&format!(
                "error from daemon in stream: Error grabbing logs: rpc error: code = Unknown desc = warning: incomplete log stream. some logs could not be retrieved for the following reasons: {}\n\n",
                incomplete.join(", ")
            ));
            return 1;
        }
        first = false;
        // Lines at `until` were included: the next read starts just after.
        from = SimTime::from_millis(until.as_millis() + 1);
        interp.sleep(FOLLOW_POLL).await;
    }
}

/// Whether a node has a session with the managers (its agent listens for log
/// subscriptions): it is in the swarm and Ready.
fn node_connected(s: &Swarm, node_id: &str) -> bool {
    s.nodes
        .get(node_id)
        .is_some_and(|n| n.state == NodeState::Ready)
}

/// Why a subscription that does not follow is incomplete (swarmkit's logbroker): a
/// service's tasks that got as far as running, or the task asked for, whose node is not
/// connected ("node X is not available"), and a task asked for that has no node yet.
fn unavailable(s: &Swarm, target: &Target) -> Vec<String> {
    let mut nodes: Vec<&str> = Vec::new();
    let mut pending: Vec<&str> = Vec::new();
    let tasks: Vec<&swarm_core::Task> = match &target.task_id {
        Some(t) => s.tasks.get(t).into_iter().collect(),
        None => s
            .tasks_of(&target.service_id)
            .filter(|t| t.state >= TaskState::Running)
            .collect(),
    };
    for t in tasks {
        match t.node_id.as_deref() {
            None => pending.push(&t.id),
            Some(n) if !node_connected(s, n) && !nodes.contains(&n) => nodes.push(n),
            Some(_) => {}
        }
    }
    nodes.sort_unstable();
    pending.sort_unstable();
    nodes
        .into_iter()
        .map(|n| format!("node {n} is not available"))
        .chain(
            pending
                .into_iter()
                .map(|t| format!("task {t} has not been scheduled")),
        )
        .collect()
}

/// Keeps the last `n` lines of each task (`--tail`), in their order.
pub(crate) fn tail_per_task(
    lines: &mut Vec<swarm_core::orchestrator::TaskLogLine>,
    ids: &[String],
    n: usize,
) {
    let mut keep = vec![false; lines.len()];
    for id in ids {
        let idx: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| &l.task_id == id)
            .map(|(i, _)| i)
            .collect();
        for i in idx.iter().skip(idx.len().saturating_sub(n)) {
            if let Some(k) = keep.get_mut(*i) {
                *k = true;
            }
        }
    }
    let mut it = keep.into_iter();
    lines.retain(|_| it.next().unwrap_or(false));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_forms() {
        let now = SimTime::from_millis(60_000);
        assert_eq!(parse_since("10s", now), Ok(SimTime::from_millis(50_000)));
        assert_eq!(
            parse_since("2026-11-23T09:00:30Z", now),
            Ok(SimTime::from_millis(30_000))
        );
        assert_eq!(
            parse_since("1795424410", now),
            Ok(SimTime::from_millis(10_000))
        );
        assert!(parse_since("foo", now).is_err());
    }
}
