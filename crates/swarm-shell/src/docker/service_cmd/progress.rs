//! The convergence display of `service create/update/scale/rollback` without `--detach`: a
//! port of docker/cli 28's `service/progress` package, polling the world every 200 ms of
//! simulated time.
//!
//! Docker writes the display as a JSON-message stream rendered by `jsonmessage`:
//!
//! - **On a terminal** every line is rewritten in place (cursor movements), so what stays on
//!   the screen is each line's last value, in the order the lines first appeared. The
//!   playground's terminal is append-only text, so swarmsh shows exactly that final screen,
//!   written once when the command ends (converged, paused, failed). A person watching the
//!   page sees the service ID, then the final screen when the wait is over. If the command is
//!   stopped with Ctrl+C (a service that never converges, e.g. unschedulable), the screen as
//!   it stood is written when the job is dropped, so it appears just above the `^C`, and
//!   docker's two lines after it, `Operation continuing in background.` and
//!   ``Use `docker service ps …` to check progress.``, come from the session's interrupt
//!   note, which the terminal prints after `^C`. Scripts press Ctrl+C after the script
//!   runner's idle limit.
//! - **When stdout is not a terminal** (a pipe, `$(…)`, a redirection) docker prints every
//!   update as a new line and drops those that carry a bar: so does this module.
//!
//! Bars are drawn as on a terminal wider than 110 columns.

use std::collections::{BTreeMap, BTreeSet};
use swarm_core::sort::CollectBTree as _;

use swarm_core::{MachineId, Mode, NodeState, SimDuration, SimTime, TaskState, UpdateState};

use crate::exec::{Dest, Interp, Io};
use crate::format::service::{progress_bar_of, progress_error, task_state_index};
use crate::format::truncate_id;

/// How often the CLI polls.
const POLL: SimDuration = SimDuration::from_millis(200);
const MAX_PROGRESS: u64 = 9;
const MAX_PROGRESS_BARS: u64 = 20;
const MAX_JOB_PROGRESS: u64 = 10;
/// `longestState`: `preparing`/`allocated`/`complete`… are at most 9 bytes.
const LONGEST_STATE: usize = 9;

/// The jsonmessage renderer, terminal or not.
struct Screen {
    io: Io,
    tty: bool,
    /// Terminal: the lines on screen; the index of each progress ID's line.
    lines: Vec<String>,
    ids: BTreeMap<String, usize>,
    finished: bool,
}

impl Screen {
    fn new(io: &Io) -> Screen {
        Screen {
            io: io.clone(),
            tty: matches!(io.out, Dest::Terminal(_, false)),
            lines: Vec::new(),
            ids: BTreeMap::new(),
            finished: false,
        }
    }

    /// `WriteProgress` with an action (and a bar when `bar` is set).
    fn progress(&mut self, id: &str, action: &str, bar: Option<(u64, u64)>) {
        if self.tty {
            let bar = bar.map(|(c, t)| progress_bar_of(c, t)).unwrap_or_default();
            let text = format!("{id}: {action} {bar}");
            match self.ids.get(id) {
                Some(&i) => {
                    if let Some(l) = self.lines.get_mut(i) {
                        *l = text;
                    }
                }
                None => {
                    self.ids.insert(id.to_string(), self.lines.len());
                    self.lines.push(text);
                }
            }
        } else if bar.is_none_or(|(c, t)| c == 0 && t == 0) {
            self.io.out.write(&format!("{id}: {action}\n"));
        }
    }

    /// `progress.Message`: a plain line (it also ends the tracking of progress IDs).
    fn message(&mut self, id: &str, msg: &str) {
        let text = if id.is_empty() {
            msg.to_string()
        } else {
            format!("{id}: {msg}")
        };
        if self.tty {
            self.ids.clear();
            self.lines.push(text);
        } else {
            self.io.out.write(&format!("{text}\n"));
        }
    }

    fn flush(&mut self) {
        self.finished = true;
        if self.tty && !self.lines.is_empty() {
            let mut s = self.lines.join("\n");
            s.push('\n');
            self.io.out.write(&s);
            self.lines.clear();
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        // Interrupted (the job was dropped while waiting): leave the screen as it stood.
        if !self.finished {
            self.flush();
        }
    }
}

/// What the display needs of a task.
#[derive(Clone, Debug)]
struct T {
    slot: u64,
    node: String,
    desired: TaskState,
    state: TaskState,
    err: String,
    job_iteration: u64,
}

fn num(s: TaskState) -> u64 {
    task_state_index(s.as_str())
}

fn terminal(s: TaskState) -> bool {
    num(s) > num(TaskState::Running)
}

fn state_action(s: TaskState) -> String {
    format!("{:<LONGEST_STATE$}", s.as_str())
}

fn overall(screen: &mut Screen, n: u64, d: u64, rollback: bool) {
    let action = if rollback {
        format!("rolling back update: {n} out of {d} tasks")
    } else {
        format!("{n} out of {d} tasks")
    };
    screen.progress("overall progress", &action, None);
}

/// Keeps, per key, the task with the lowest desired state, then the lowest observed state.
fn prefer(existing: &T, task: &T) -> bool {
    if num(existing.desired) < num(task.desired) {
        return false;
    }
    !(num(existing.desired) == num(task.desired) && num(existing.state) <= num(task.state))
}

enum Updater {
    Replicated {
        slot_map: BTreeMap<u64, u64>,
        initialized: bool,
        done: bool,
    },
    Global {
        initialized: bool,
        done: bool,
    },
    ReplicatedJob {
        iteration: u64,
        concurrent: u64,
        total: u64,
        initialized: bool,
    },
    GlobalJob {
        initialized: bool,
        total: u64,
        nodes: BTreeSet<String>,
    },
}

impl Updater {
    fn new(mode: &Mode, iteration: u64) -> Updater {
        match mode {
            Mode::Replicated { .. } => Updater::Replicated {
                slot_map: BTreeMap::new(),
                initialized: false,
                done: false,
            },
            Mode::Global => Updater::Global {
                initialized: false,
                done: false,
            },
            Mode::ReplicatedJob {
                max_concurrent,
                total_completions,
            } => Updater::ReplicatedJob {
                iteration,
                concurrent: *max_concurrent,
                total: *total_completions,
                initialized: false,
            },
            Mode::GlobalJob => Updater::GlobalJob {
                initialized: false,
                total: 0,
                nodes: BTreeSet::new(),
            },
        }
    }

    fn update(
        &mut self,
        screen: &mut Screen,
        mode: &Mode,
        iteration: u64,
        tasks: &[T],
        active: &BTreeSet<String>,
        rollback: bool,
    ) -> bool {
        match self {
            Updater::Replicated {
                slot_map,
                initialized,
                done,
            } => {
                let replicas = match mode {
                    Mode::Replicated { replicas } => *replicas,
                    _ => 0,
                };
                if !*initialized {
                    overall(screen, 0, replicas, rollback);
                    if replicas <= MAX_PROGRESS_BARS {
                        for i in 1..=replicas {
                            screen.progress(&format!("{i}/{replicas}"), " ", None);
                        }
                    }
                    *initialized = true;
                }
                let mut by_slot: BTreeMap<u64, &T> = BTreeMap::new();
                for t in tasks {
                    if num(t.desired) == 0 || num(t.state) == 0 {
                        continue;
                    }
                    if let Some(e) = by_slot.get(&t.slot) {
                        if !prefer(e, t) {
                            continue;
                        }
                    }
                    if !t.node.is_empty() && !active.contains(&t.node) {
                        continue;
                    }
                    by_slot.insert(t.slot, t);
                }
                if *done && by_slot.values().any(|t| t.state != TaskState::Running) {
                    *done = false;
                }
                let mut running = 0;
                for t in by_slot.values() {
                    let next = slot_map.len() as u64 + 1;
                    let mapped = *slot_map.entry(t.slot).or_insert(next);
                    if !terminal(t.desired) && t.state == TaskState::Running {
                        running += 1;
                    }
                    if *done || replicas > MAX_PROGRESS_BARS || mapped > replicas {
                        continue;
                    }
                    let id = format!("{mapped}/{replicas}");
                    if !t.err.is_empty() {
                        screen.progress(&id, &progress_error(&t.err), None);
                    } else if !terminal(t.desired) && !terminal(t.state) {
                        screen.progress(
                            &id,
                            &state_action(t.state),
                            Some((num(t.state), MAX_PROGRESS)),
                        );
                    }
                }
                if !*done {
                    overall(screen, running, replicas, rollback);
                    if running == replicas {
                        *done = true;
                    }
                }
                running == replicas
            }
            Updater::Global { initialized, done } => {
                let mut by_node: BTreeMap<String, &T> = BTreeMap::new();
                for t in tasks {
                    if num(t.desired) == 0 || num(t.state) == 0 {
                        continue;
                    }
                    if let Some(e) = by_node.get(&t.node) {
                        if !prefer(e, t) {
                            continue;
                        }
                    }
                    by_node.insert(t.node.clone(), t);
                }
                let count = by_node.len() as u64;
                if !*initialized {
                    if count == 0 {
                        screen.progress("overall progress", "waiting for new tasks", None);
                        return false;
                    }
                    overall(screen, 0, count, rollback);
                    *initialized = true;
                }
                if *done && by_node.values().any(|t| t.state != TaskState::Running) {
                    *done = false;
                }
                let mut running = 0;
                for t in by_node.values() {
                    if !active.contains(&t.node) {
                        continue;
                    }
                    if !terminal(t.desired) && t.state == TaskState::Running {
                        running += 1;
                    }
                    if *done || count > MAX_PROGRESS_BARS {
                        continue;
                    }
                    let id = truncate_id(&t.node).to_string();
                    if !t.err.is_empty() {
                        screen.progress(&id, &progress_error(&t.err), None);
                    } else if !terminal(t.desired) && !terminal(t.state) {
                        screen.progress(
                            &id,
                            &state_action(t.state),
                            Some((num(t.state), MAX_PROGRESS)),
                        );
                    }
                }
                if !*done {
                    overall(screen, running, count, rollback);
                    if running == count {
                        *done = true;
                    }
                }
                running == count
            }
            Updater::ReplicatedJob {
                iteration: it,
                concurrent,
                total,
                initialized,
            } => {
                let (concurrent, total) = (*concurrent, *total);
                let pd = total.to_string().len();
                let ad = concurrent.to_string().len();
                let write_overall = |screen: &mut Screen, active: u64, completed: u64| {
                    screen.progress(
                        "job progress",
                        &format!("{completed:>pd$} out of {total} complete"),
                        Some((completed, total)),
                    );
                    let desired = total.saturating_sub(completed).min(concurrent);
                    screen.progress(
                        "active tasks",
                        &format!("{active:>ad$} out of {desired:>ad$} tasks"),
                        None,
                    );
                };
                if !*initialized {
                    write_overall(screen, 0, 0);
                    if total <= MAX_PROGRESS_BARS {
                        for i in 1..=total {
                            screen.progress(&format!("{i}/{total}"), " ", None);
                        }
                    }
                    *initialized = true;
                }
                let mut by_slot: BTreeMap<u64, &T> = BTreeMap::new();
                for t in tasks {
                    if t.job_iteration != *it || num(t.desired) == 0 || num(t.state) == 0 {
                        continue;
                    }
                    match by_slot.get(&t.slot) {
                        Some(e) if num(e.state) <= num(t.state) => {}
                        _ => {
                            by_slot.insert(t.slot, t);
                        }
                    }
                }
                let (mut active_n, mut complete) = (0, 0);
                // Job slots count from 0 in swarmkit; label them 1…N in slot order.
                for (i, t) in by_slot.values().enumerate() {
                    if total <= MAX_PROGRESS_BARS {
                        let id = format!("{}/{total}", i + 1);
                        if !t.err.is_empty() {
                            screen.progress(&id, &progress_error(&t.err), None);
                        } else {
                            screen.progress(
                                &id,
                                &state_action(t.state),
                                Some((num(t.state), MAX_JOB_PROGRESS)),
                            );
                        }
                    }
                    if num(t.state) < num(TaskState::Complete) {
                        active_n += 1;
                    }
                    if t.state == TaskState::Complete {
                        complete += 1;
                    }
                }
                let _ = iteration;
                write_overall(screen, active_n, complete);
                complete == total
            }
            Updater::GlobalJob {
                initialized,
                total,
                nodes,
            } => {
                if !*initialized {
                    if tasks.is_empty() && !active.is_empty() {
                        screen.progress("job progress", "waiting for tasks", None);
                        return false;
                    }
                    for t in tasks.iter().filter(|t| t.job_iteration == iteration) {
                        nodes.insert(t.node.clone());
                    }
                    *total = nodes.len() as u64;
                    let pd = total.to_string().len();
                    screen.progress(
                        "job progress",
                        &format!("{:>pd$} out of {} complete", 0, total),
                        Some((0, *total)),
                    );
                    *initialized = true;
                }
                let mut by_node: BTreeMap<String, &T> = BTreeMap::new();
                for t in tasks {
                    if t.job_iteration != iteration || !nodes.contains(&t.node) {
                        continue;
                    }
                    match by_node.get(&t.node) {
                        Some(e) if num(e.state) <= num(t.state) => {}
                        _ => {
                            by_node.insert(t.node.clone(), t);
                        }
                    }
                }
                let mut complete = 0;
                for t in by_node.values() {
                    if *total <= MAX_PROGRESS_BARS {
                        if !t.err.is_empty() {
                            screen.progress(&t.node, &progress_error(&t.err), None);
                        } else {
                            screen.progress(
                                &t.node,
                                &state_action(t.state),
                                Some((num(t.state), MAX_JOB_PROGRESS)),
                            );
                        }
                    }
                    if t.state == TaskState::Complete {
                        complete += 1;
                    }
                }
                let pd = total.to_string().len();
                screen.progress(
                    "job progress",
                    &format!("{complete:>pd$} out of {total} complete"),
                    Some((complete, *total)),
                );
                complete == *total
            }
        }
    }
}

/// One poll's view of the service.
struct View {
    mode: Mode,
    is_job: bool,
    iteration: u64,
    monitor_ms: Option<u64>,
    status: Option<(UpdateState, String)>,
    tasks: Vec<T>,
    active: BTreeSet<String>,
}

fn look(interp: &Interp, m: MachineId, service_ref: &str) -> Result<View, String> {
    let world = interp.world();
    let w = world.borrow();
    let (_, s) = w
        .control_swarm(m)
        .map_err(|e| format!("Error response from daemon: {e}"))?;
    let svc = s
        .find_service(service_ref)
        .map_err(|e| format!("Error response from daemon: {e}"))?;
    let tasks = s
        .tasks_of(&svc.id)
        .filter(|t| t.spec_version == svc.spec_version)
        .map(|t| T {
            slot: t.slot,
            node: t.node_id.clone().unwrap_or_default(),
            desired: t.desired,
            state: t.state,
            err: t.err.clone(),
            job_iteration: t.job_iteration,
        })
        .collect();
    let active = s
        .nodes
        .values()
        .filter(|n| n.state != NodeState::Down)
        .map(|n| n.id.clone())
        .btree_set();
    Ok(View {
        mode: svc.spec.mode.clone(),
        is_job: svc.spec.mode.is_job(),
        iteration: svc.job_iteration,
        monitor_ms: svc
            .spec
            .update
            .as_ref()
            .map(|u| u.monitor_ms)
            .filter(|m| *m != 0),
        status: svc
            .update_status
            .as_ref()
            .map(|u| (u.state, u.message.clone())),
        tasks,
        active,
    })
}

/// `WaitOnService`: follows the service until it converges. `Err` is the whole error text
/// the CLI prints (on stderr) after the display.
pub(crate) async fn wait_on_service(
    interp: &Interp,
    m: MachineId,
    service_ref: &str,
    quiet: bool,
    io: &Io,
) -> Result<(), String> {
    let sink_io = if quiet {
        Io {
            out: Dest::Null,
            ..io.clone()
        }
    } else {
        io.clone()
    };
    let mut screen = Screen::new(&sink_io);
    if !quiet {
        interp.session.borrow_mut().interrupt_note = Some(format!(
            "Operation continuing in background.\nUse `docker service ps {service_ref}` to check progress.\n"
        ));
    }
    let r = follow(interp, m, service_ref, &mut screen).await;
    interp.session.borrow_mut().interrupt_note = None;
    screen.flush();
    r
}

async fn follow(
    interp: &Interp,
    m: MachineId,
    service_ref: &str,
    screen: &mut Screen,
) -> Result<(), String> {
    let mut updater: Option<Updater> = None;
    let mut converged = false;
    let mut converged_at: Option<SimTime> = None;
    let mut monitor_ms: u64 = 5_000;
    let mut rollback = false;
    let mut message: Option<String> = None;
    loop {
        let view = look(interp, m, service_ref)?;
        if let Some(ms) = view.monitor_ms {
            monitor_ms = ms;
        }
        let up = updater.get_or_insert_with(|| Updater::new(&view.mode, view.iteration));
        if let Some((state, msg)) = &view.status {
            match state {
                UpdateState::Updating => rollback = false,
                UpdateState::Completed => {
                    if !converged {
                        return Ok(());
                    }
                }
                UpdateState::Paused => return Err(format!("service update paused: {msg}")),
                UpdateState::RollbackStarted => {
                    if !rollback && !msg.is_empty() {
                        screen.progress("rollback", msg, None);
                    }
                    rollback = true;
                }
                UpdateState::RollbackPaused => {
                    return Err(format!("service rollback paused: {msg}"))
                }
                UpdateState::RollbackCompleted => {
                    if !converged {
                        message = Some(msg.clone());
                    }
                    rollback = true;
                }
            }
        }
        let now = interp.world().borrow().now();
        if let (true, Some(at)) = (converged, converged_at) {
            if now.saturating_since(at).as_millis() >= monitor_ms {
                screen.progress("verify", "Service converged", None);
                if let Some(msg) = &message {
                    screen.message("rollback", msg);
                }
                return Ok(());
            }
        }
        converged = up.update(
            screen,
            &view.mode,
            view.iteration,
            &view.tasks,
            &view.active,
            rollback,
        );
        if converged {
            if view.is_job {
                screen.message("", "job complete");
                return Ok(());
            }
            let at = *converged_at.get_or_insert(now);
            let elapsed = now.saturating_since(at).as_millis();
            if elapsed <= monitor_ms {
                // Go's `wait/time.Second + 1`, with real time always a little past `at`.
                let wait = monitor_ms - elapsed;
                let secs = if wait == 0 { 1 } else { (wait - 1) / 1000 + 1 };
                screen.progress(
                    "verify",
                    &format!("Waiting {secs} seconds to verify that tasks are stable..."),
                    None,
                );
            }
        } else {
            if converged_at.is_some() {
                screen.progress("verify", "Detected task failure", None);
            }
            converged_at = None;
        }
        interp.sleep(POLL).await;
    }
}
