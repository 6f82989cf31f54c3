//! The playground: one world and a terminal per machine, driven by time from outside.

use std::cell::{Ref, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use swarm_core::{SimDuration, SimTime, World};

use crate::exec::Session;
use crate::terminal::{emit, Output, Terminal};

/// The seed a playground uses unless told otherwise (`swarmsh --seed`, the page's URL).
pub const DEFAULT_SEED: u64 = 1;

/// Cluster templates a playground can start from, as Play with Docker offered them:
/// (name, description). Forming the swarm comes with the membership work; today every
/// template starts its machines outside any swarm.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("3m2w", "3 managers and 2 workers"),
    ("5m", "5 managers"),
    ("1m1w", "1 manager and 1 worker"),
    ("1m2w", "1 manager and 2 workers"),
];

/// How a playground starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Seed of every random choice in the world.
    pub seed: u64,
    /// How many machines to start with (ignored when a template is given).
    pub machines: usize,
    /// A name from [`TEMPLATES`].
    pub template: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: DEFAULT_SEED,
            machines: 1,
            template: None,
        }
    }
}

impl Options {
    /// Parses `swarmsh`'s options (`--seed N`, `--machines N`, `--template NAME`, with a space
    /// or `=`); returns them and the FILE operand, if any.
    pub fn from_args(args: &[String]) -> Result<(Options, Option<String>), String> {
        let mut opts = Options::default();
        let mut file = None;
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => (a, None),
            };
            let takes_value = matches!(flag, "--seed" | "--machines" | "--template");
            let value = if !takes_value {
                None
            } else if let Some(v) = inline {
                i += 1;
                Some(v)
            } else {
                i += 2;
                Some(
                    args.get(i - 1)
                        .cloned()
                        .ok_or_else(|| format!("{flag} needs a value"))?,
                )
            };
            match (flag, value) {
                ("--seed", Some(v)) => {
                    opts.seed = v
                        .parse()
                        .map_err(|_| format!("--seed: not a number: {v}"))?
                }
                ("--machines", Some(v)) => {
                    let n: usize = v
                        .parse()
                        .map_err(|_| format!("--machines: not a number: {v}"))?;
                    if n == 0 || n > swarm_core::world::MAX_MACHINES {
                        return Err(format!(
                            "--machines: from 1 to {}",
                            swarm_core::world::MAX_MACHINES
                        ));
                    }
                    opts.machines = n;
                }
                ("--template", Some(v)) => {
                    if !TEMPLATES.iter().any(|(n, _)| *n == v) {
                        let names: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
                        return Err(format!(
                            "--template: unknown template {v:?}; choose one of {}",
                            names.join(", ")
                        ));
                    }
                    opts.template = Some(v);
                }
                _ if a.starts_with('-') && a != "-" => return Err(format!("unknown option {a}")),
                _ => {
                    if file.is_some() {
                        return Err("only one FILE".into());
                    }
                    file = Some(a.to_string());
                    i += 1;
                }
            }
        }
        Ok((opts, file))
    }
}

/// A world and its terminals.
pub struct Playground {
    pub(crate) world: Rc<RefCell<World>>,
    pub(crate) terminals: Vec<Terminal>,
    /// How it started (the head of its replay log).
    pub(crate) options: Options,
    /// Where inputs are logged, once [`Playground::start_recording`] was called.
    pub(crate) recording: Option<crate::replay::Recording>,
    /// The page's browser (cookies, tabs, histories): see [`Playground::browse_in`].
    pub(crate) tab: crate::view::browser::Tabs,
}

/// Longest a playground waits for booting machines when it starts.
const START_LIMIT: SimDuration = SimDuration::from_secs(10);

impl Playground {
    /// A new playground: machines powered on and booted, terminals at their prompts.
    pub fn new(opts: &Options) -> Result<Playground, String> {
        let count = match opts.template.as_deref() {
            None => opts.machines,
            Some(name) => match name {
                "3m2w" => 5,
                "5m" => 5,
                "1m1w" => 2,
                "1m2w" => 3,
                other => {
                    let known: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
                    return Err(format!(
                        "unknown template {other:?}: choose one of {}",
                        known.join(", ")
                    ));
                }
            },
        };
        if count > swarm_core::world::MAX_MACHINES {
            return Err(format!(
                "at most {} machines",
                swarm_core::world::MAX_MACHINES
            ));
        }
        let mut pg = Playground {
            world: Rc::new(RefCell::new(World::new(opts.seed))),
            terminals: Vec::new(),
            options: opts.clone(),
            recording: None,
            tab: Default::default(),
        };
        for _ in 0..count {
            pg.add_machine()?;
        }
        let limit = pg.now() + START_LIMIT;
        pg.world.borrow_mut().settle(limit);
        if let Some(t) = opts.template.as_deref() {
            pg.form_template(t)?;
        }
        Ok(pg)
    }

    /// Forms a template's swarm the way a person would: `docker swarm init` on node1, then
    /// `docker swarm join` with the manager or worker token on the others, each waited for.
    fn form_template(&mut self, name: &str) -> Result<(), String> {
        let managers = match name {
            "3m2w" => 3,
            "5m" => 5,
            _ => 1,
        };
        let names = self.machine_names();
        let Some(first) = names.first().cloned() else {
            return Ok(());
        };
        let ip = self
            .machine_ip(&first)
            .map(|ip| ip.to_string())
            .unwrap_or_default();
        let init = format!("docker swarm init --advertise-addr {ip} > /dev/null");
        self.run_quietly(&first, &init)?;
        for (i, n) in names.iter().enumerate().skip(1) {
            let role = if i < managers { "manager" } else { "worker" };
            let line = format!("docker swarm join --token $(ssh {first} docker swarm join-token -q {role}) {ip}:2377 > /dev/null");
            self.run_quietly(n, &line)?;
        }
        // Let the managers settle (heartbeats, the leader's view of every member).
        self.advance(SimDuration::from_secs(5));
        Ok(())
    }

    /// Runs `line` in `machine`'s terminal, then wipes the screen and history of it.
    fn run_quietly(&mut self, machine: &str, line: &str) -> Result<(), String> {
        self.submit(machine, line);
        self.run_until_idle(machine, SimDuration::from_secs(60));
        let Some(t) = self.terminal_mut(machine) else {
            return Ok(());
        };
        let out = t.drain_output();
        t.session.borrow_mut().history.clear();
        if t.last_status() != 0 {
            let text: String = out.iter().map(|o| o.text()).collect();
            return Err(format!("template step failed on {machine}: {line}: {text}"));
        }
        Ok(())
    }

    /// The world, to read.
    pub fn world(&self) -> Ref<'_, World> {
        self.world.borrow()
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.world.borrow().now()
    }

    /// Hostnames of all machines, in the order they were added.
    pub fn machine_names(&self) -> Vec<String> {
        self.world
            .borrow()
            .machines()
            .iter()
            .map(|m| m.hostname.clone())
            .collect()
    }

    /// Powers on a new machine named `nodeN` and opens its terminal; returns its name.
    /// Its engine answers a fraction of a second of simulated time later.
    pub fn add_machine(&mut self) -> Result<String, String> {
        let id = self
            .world
            .borrow_mut()
            .add_machine(None)
            .map_err(|e| e.to_string())?;
        let name = self
            .world
            .borrow()
            .machine(id)
            .map(|m| m.hostname.clone())
            .unwrap_or_default();
        self.open_terminal(id);
        self.record(|at| crate::replay::Entry::Add {
            at,
            name: name.clone(),
        });
        self.recorded();
        Ok(name)
    }

    /// What the page shows next to a machine's name: whether it is on, and its swarm role
    /// (`leader`, `manager`, `worker`) as its own cluster records it.
    pub fn machine_status(&self, machine: &str) -> (swarm_core::Power, Option<&'static str>) {
        let w = self.world.borrow();
        let Some(m) = w.machine_by_name(machine) else {
            return (swarm_core::Power::Off, None);
        };
        let role = w.node_of(m.id).map(|(s, n)| match s.reachability(n) {
            Some(swarm_core::Reachability::Leader) => "leader",
            Some(_) => "manager",
            None => "worker",
        });
        (m.power, role)
    }

    /// The LAN address of `machine`.
    pub fn machine_ip(&self, machine: &str) -> Option<std::net::Ipv4Addr> {
        self.world.borrow().machine_by_name(machine).map(|m| m.ip)
    }

    /// Opens a new shell in `machine`'s terminal after its shell exited (`exit` at the
    /// outermost level), keeping the history. Submitting a line does the same.
    pub fn reopen(&mut self, machine: &str) {
        let Some(i) = self.index(machine) else { return };
        crate::exec::reopen_if_exited(&mut self.terminals[i]);
    }

    fn index(&self, machine: &str) -> Option<usize> {
        let w = self.world.borrow();
        let m = w.machine_by_name(machine)?;
        self.terminals.iter().position(|t| t.home == m.id)
    }

    /// The terminal opened on `machine`.
    pub fn terminal(&self, machine: &str) -> Option<&Terminal> {
        self.index(machine).map(|i| &self.terminals[i])
    }

    /// The terminal opened on `machine`, to drain its output.
    pub fn terminal_mut(&mut self, machine: &str) -> Option<&mut Terminal> {
        self.index(machine).map(move |i| &mut self.terminals[i])
    }

    /// Types `line` and Enter into `machine`'s terminal. A line that leaves a quote, heredoc
    /// or compound command open waits for the next; a line typed while a job runs goes to the
    /// job if it reads a typed line (see [`Terminal::input_mode`]), else waits: for the job to
    /// read it, or to end.
    pub fn submit(&mut self, machine: &str, line: &str) {
        let Some(i) = self.index(machine) else { return };
        self.record(|at| crate::replay::Entry::Line {
            at,
            on: machine.to_string(),
            text: line.to_string(),
        });
        let t = &mut self.terminals[i];
        if t.job.is_some() {
            t.typeahead.push_back(line.to_string());
            if t.reading() {
                self.poll_terminal(i);
                self.sync_terminals();
            }
            self.recorded();
            return;
        }
        crate::exec::accept_line(t, line);
        self.poll_terminal(i);
        self.sync_terminals();
        self.recorded();
    }

    /// Tab on `machine`'s terminal with `text` before the cursor: the completed text. With
    /// `list` (the second Tab) and several candidates, the terminal shows them as bash does:
    /// the prompt and line, then the candidates in columns.
    pub fn complete(&mut self, machine: &str, text: &str, list: bool) -> crate::Completion {
        let Some(i) = self.index(machine) else {
            return crate::Completion {
                line: text.to_string(),
                candidates: Vec::new(),
            };
        };
        let t = &self.terminals[i];
        let on = t.session.borrow().machine();
        let c = crate::complete::complete(&self.world.borrow(), on, text);
        if list && c.candidates.len() > 1 {
            self.record(|at| crate::replay::Entry::Complete {
                at,
                on: machine.to_string(),
                text: text.to_string(),
            });
            let mut shown = t.prompt();
            shown.push_str(text);
            shown.push('\n');
            emit(&t.sink, Output::Echo(shown));
            emit(
                &t.sink,
                Output::Stdout(crate::complete::columns(&c.candidates)),
            );
            self.recorded();
        }
        c
    }

    /// Ctrl+C: abandons the line being typed or stops the running job.
    pub fn interrupt(&mut self, machine: &str) {
        self.interrupt_line(machine, "");
    }

    /// Ctrl+C with `typed` half-typed on the input line: the terminal shows it before `^C`,
    /// as a real terminal does.
    pub fn interrupt_line(&mut self, machine: &str, typed: &str) {
        let Some(i) = self.index(machine) else { return };
        self.record(|at| crate::replay::Entry::Interrupt {
            at,
            on: machine.to_string(),
            typed: typed.to_string(),
        });
        let t = &mut self.terminals[i];
        let prompt = t.prompt();
        // A read shows what was half-typed as the terminal echoes it (nothing for a secret).
        let echoed = t.input_mode() == crate::terminal::InputMode::Line;
        let had_job = t.job.take().is_some();
        t.typeahead.clear();
        t.end_read();
        if had_job {
            if echoed && !typed.is_empty() {
                emit(&t.sink, Output::Echo(typed.to_string()));
            }
            let note = t.session.borrow_mut().interrupt_note.take();
            emit(
                &t.sink,
                Output::Stdout(format!("^C{}", note.as_deref().unwrap_or("\n"))),
            );
            t.session.borrow_mut().last_status = 130;
        } else {
            let mut text = prompt;
            text.push_str(typed);
            text.push_str("^C\n");
            emit(&t.sink, Output::Echo(text));
            t.pending.clear();
        }
        self.recorded();
    }

    /// Advances simulated time by `d`, resuming jobs whose wait is over. This is what the
    /// page's frame loop calls with the real time that passed.
    pub fn advance(&mut self, d: SimDuration) {
        let target = self.now() + d;
        self.record(|_| crate::replay::Entry::Advance {
            at: target.as_millis(),
        });
        self.advance_unrecorded(d);
        self.recorded();
    }

    /// [`Playground::advance`] without writing it into the replay log.
    pub(crate) fn advance_unrecorded(&mut self, d: SimDuration) {
        let target = self.now() + d;
        // Step through job deadlines so a job that waits twice inside `d` sees both.
        loop {
            let next = self.next_job_wakeup().filter(|t| *t <= target);
            match next {
                Some(t) => {
                    self.world.borrow_mut().advance_to(t);
                    self.poll_all();
                }
                None => break,
            }
        }
        self.world.borrow_mut().advance_to(target);
        self.poll_all();
    }

    /// [`Playground::advance`] in slices: moves towards `now + d` one event timestamp at a time
    /// (job wake-ups included) and, before moving past the current instant, asks
    /// `over_budget`; when it says so, stops there. At least one timestamp is taken, so every
    /// call makes progress. Returns the time reached and records exactly that in the replay
    /// log.
    ///
    /// The result is the same as `advance(reached - start)`: the world runs the same events
    /// in the same order, and jobs are polled at their wake-ups and at the time reached, as
    /// there. The page calls it with a budget of real time per frame and owes itself the rest.
    pub fn advance_within(
        &mut self,
        d: SimDuration,
        over_budget: &mut dyn FnMut() -> bool,
    ) -> SimTime {
        let target = self.now() + d;
        self.record(|_| crate::replay::Entry::Advance {
            at: target.as_millis(),
        });
        let reached = self.step_towards(target, over_budget);
        if reached < target {
            // Merges into the entry just written: the log says where time really went.
            self.record(|_| crate::replay::Entry::Advance {
                at: reached.as_millis(),
            });
        }
        self.recorded();
        reached
    }

    /// The loop of [`Playground::advance_within`]: the events and job wake-ups up to `target`
    /// (or fewer, if over budget), then the final poll of [`Playground::advance_unrecorded`].
    fn step_towards(&mut self, target: SimTime, over_budget: &mut dyn FnMut() -> bool) -> SimTime {
        let mut reached = target;
        let mut wake = self.next_job_wakeup();
        let mut steps = 0u64;
        loop {
            let now = self.now();
            let job = wake.filter(|t| *t <= target);
            let due = self.world.borrow().next_deadline().filter(|t| *t <= target);
            let next = match (job, due) {
                (Some(j), Some(e)) => j.min(e),
                (Some(t), None) | (None, Some(t)) => t,
                (None, None) => break,
            };
            // Everything at or before `now` is done (events run, jobs due polled), so this
            // is a state `advance_unrecorded` to `now` also ends in.
            if next > now && steps > 0 && over_budget() {
                reached = now;
                break;
            }
            steps += 1;
            self.world.borrow_mut().advance_to(next);
            if job == Some(next) {
                // A job's wake-up: the world got there, as `advance_unrecorded` does it.
                self.poll_all();
                // Only polling changes when jobs want to wake.
                wake = self.next_job_wakeup();
            }
        }
        self.world.borrow_mut().advance_to(reached);
        self.poll_all();
        reached
    }

    /// The earliest simulated time at which a running job wants to resume.
    pub fn next_job_wakeup(&self) -> Option<SimTime> {
        self.terminals
            .iter()
            .filter_map(|t| t.job.as_ref().and_then(|j| j.wake_at()))
            .min()
    }

    /// True while any terminal runs a job.
    pub fn busy(&self) -> bool {
        self.terminals.iter().any(|t| t.job.is_some())
    }

    /// Fast-forwards time until `machine`'s terminal is idle, up to `limit` of simulated time;
    /// returns false if it was still busy then. Scripts use this after each line.
    pub fn run_until_idle(&mut self, machine: &str, limit: SimDuration) -> bool {
        let Some(i) = self.index(machine) else {
            return true;
        };
        let deadline = self.now() + limit;
        while self.terminals[i].job.is_some() {
            if self.terminals[i].reading() {
                // Waiting for a typed line is being idle.
                return true;
            }
            let wake = self.terminals[i].job.as_ref().and_then(|j| j.wake_at());
            let Some(at) = wake else {
                // A job waiting on nothing would never wake: poll it once more and stop.
                self.poll_all();
                return self.terminals[i].job.is_none();
            };
            if at > deadline {
                self.world.borrow_mut().advance_to(deadline);
                self.poll_all();
                return self.terminals[i].job.is_none();
            }
            let now = self.now();
            self.world.borrow_mut().advance_to(at.max(now));
            self.poll_all();
        }
        true
    }

    fn poll_all(&mut self) {
        self.sync_terminals();
        for i in 0..self.terminals.len() {
            self.poll_terminal(i);
        }
    }

    /// Opens terminals for machines added from inside a terminal (`sim node add`).
    fn sync_terminals(&mut self) {
        // Machines never leave the world and each has at most one terminal: equal counts
        // mean nothing to open (and no walk over every pair on each poll of a large world).
        if self.terminals.len() >= self.world.borrow().machines().len() {
            return;
        }
        let ids: Vec<swarm_core::MachineId> = self
            .world
            .borrow()
            .machines()
            .iter()
            .map(|m| m.id)
            .collect();
        for id in ids {
            if !self.terminals.iter().any(|t| t.home == id) {
                self.open_terminal(id);
            }
        }
    }

    fn open_terminal(&mut self, id: swarm_core::MachineId) {
        let mut session = Session::new(self.world.clone(), id);
        session.editor_available = self.editor_recorded();
        self.terminals.push(Terminal {
            home: id,
            session: Rc::new(RefCell::new(session)),
            sink: Rc::new(RefCell::new(Vec::new())),
            job: None,
            pending: Vec::new(),
            typeahead: VecDeque::new(),
        });
    }

    /// Polls `i`'s job; when it waits for a typed line, hands it the oldest line typed ahead;
    /// when it finishes, starts the lines typed meanwhile.
    fn poll_terminal(&mut self, i: usize) {
        loop {
            let t = &mut self.terminals[i];
            if let Some(job) = t.job.as_mut() {
                if !job.poll() {
                    if t.reading() {
                        if let Some(line) = t.typeahead.pop_front() {
                            t.give_line(&line);
                            continue;
                        }
                    }
                    return;
                }
                t.job = None;
                t.end_read();
            }
            let Some(line) = t.typeahead.pop_front() else {
                return;
            };
            crate::exec::accept_line(t, &line);
        }
    }
}
