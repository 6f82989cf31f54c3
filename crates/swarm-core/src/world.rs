//! The world: machines, simulated time and the event queue; the only place time advances.
//!
//! Everything that happens later than "now" is an [`Event`] in a min-heap keyed by
//! `(time, sequence)`, so two events at the same instant run in the order they were scheduled,
//! never in hash or allocation order. Every command and event is written to a trace; the same
//! seed and the same inputs give the same trace, bit for bit (the determinism test checks it).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::fmt;
use std::net::Ipv4Addr;

use crate::ids;
use crate::machine::{Engine, Machine, MachineId, Power};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// The most machines a world holds; a bound on everything (TigerStyle: put a limit on it).
pub const MAX_MACHINES: usize = 1024;

/// How long an engine takes to start after power-on, in milliseconds (drawn per boot).
const BOOT_MS: (u64, u64) = (400, 900);

/// Something scheduled to happen at a later simulated time.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A machine's engine finished starting.
    EngineStarted(MachineId),
    /// One Raft tick (1 s) for every manager of a cluster.
    RaftTick(usize),
    /// A Raft message arriving.
    RaftMessage {
        /// Cluster index.
        cluster: usize,
        /// Sending machine.
        from: MachineId,
        /// Receiving machine.
        to: MachineId,
        /// The message.
        msg: Box<raft::prelude::Message>,
    },
    /// A node's heartbeat to the dispatcher is due.
    Heartbeat(MachineId),
    /// A `swarm join` that timed out tries again in the background.
    JoinRetry(MachineId),
    /// A container's own timer (its program exits, a stop times out, a probe is due).
    Container {
        /// The machine it runs on.
        machine: MachineId,
        /// The container ID.
        id: String,
        /// What is due.
        timer: crate::container::Timer,
    },
    /// The orchestrator, scheduler and update supervisor of a cluster take a pass.
    Orchestrate(usize),
    /// An agent advances a task one step.
    Agent {
        /// Cluster index.
        cluster: usize,
        /// The task ID.
        task: String,
    },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::EngineStarted(m) => write!(f, "engine-started {m}"),
            Event::RaftTick(c) => write!(f, "raft-tick c{c}"),
            Event::RaftMessage {
                cluster,
                from,
                to,
                msg,
            } => {
                write!(
                    f,
                    "raft-msg c{cluster} {from}->{to} {:?} term={} index={}",
                    msg.get_msg_type(),
                    msg.term,
                    msg.index
                )
            }
            Event::Heartbeat(m) => write!(f, "heartbeat {m}"),
            Event::JoinRetry(m) => write!(f, "join-retry {m}"),
            Event::Container { machine, id, timer } => {
                write!(
                    f,
                    "container {machine} {} {timer:?}",
                    &id[..id.len().min(12)]
                )
            }
            Event::Orchestrate(c) => write!(f, "orchestrate c{c}"),
            Event::Agent { cluster, task } => write!(f, "agent c{cluster} {task}"),
        }
    }
}

#[derive(Debug, PartialEq)]
struct Scheduled {
    at: SimTime,
    seq: u64,
    event: Event,
}

impl Eq for Scheduled {}

impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Why the world refused a command. The world is unchanged when one is returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorldError {
    /// A machine by that name exists already.
    NameTaken(String),
    /// The name is not a valid hostname.
    BadName(String),
    /// No machine by that name.
    NoSuchMachine(String),
    /// The world holds [`MAX_MACHINES`] already.
    TooManyMachines,
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorldError::NameTaken(n) => write!(f, "a machine named {n} exists already"),
            WorldError::BadName(n) => write!(
                f,
                "invalid machine name {n:?}: use 1 to 63 letters, digits and '-', starting with a letter"
            ),
            WorldError::NoSuchMachine(n) => write!(f, "no machine named {n}"),
            WorldError::TooManyMachines => write!(f, "a playground holds at most {MAX_MACHINES} machines"),
        }
    }
}

/// The whole simulated world.
#[derive(Debug)]
pub struct World {
    seed: u64,
    now: SimTime,
    seq: u64,
    queue: BinaryHeap<Reverse<Scheduled>>,
    streams: BTreeMap<&'static str, SimRng>,
    machines: Vec<Machine>,
    /// The most recent trace lines (bounded: a page may run for hours).
    trace: VecDeque<String>,
    /// Digest of every trace line ever written.
    trace_digest: u64,
    /// How many trace lines were ever written.
    trace_count: u64,
    pub(crate) swarms: Vec<crate::swarm::Swarm>,
    pub(crate) memberships: BTreeMap<MachineId, crate::swarm::Membership>,
    /// Joins that timed out and go on in the background: (token, remote address).
    pub(crate) pending_joins: BTreeMap<MachineId, (String, String)>,
    /// Managers powered off while autolock was on, with the unlock key their state is sealed
    /// with: once their engine is back they stay locked (out of the swarm) until `docker swarm
    /// unlock` gives that key.
    pub(crate) sealed: BTreeMap<MachineId, String>,
    /// Partition group of each machine (absent: group 0); machines reach only their group.
    groups: BTreeMap<MachineId, u32>,
    /// The latest requests through the simulated network (bounded), for views and traces.
    pub(crate) traffic: VecDeque<crate::network::TrafficEvent>,
    /// How many requests were ever recorded.
    pub(crate) traffic_count: u64,
    /// Programs resolved for containers (see `World::program_for`), at most
    /// [`PROGRAMS_KEPT`].
    pub(crate) programs: BTreeMap<ProgramKey, crate::catalog::Program>,
    /// The trace's time prefix of the current instant.
    stamp: (SimTime, String),
}

/// What a program is resolved from: the catalog image (repository, tag, digest), the
/// entrypoint override, the arguments and the environment.
pub(crate) type ProgramKey = (
    Option<[String; 3]>,
    Option<Vec<String>>,
    Vec<String>,
    Vec<String>,
);

/// How many resolved programs a world remembers (it forgets them all past that).
pub(crate) const PROGRAMS_KEPT: usize = 256;

impl World {
    /// An empty world at time zero whose randomness all derives from `seed`.
    pub fn new(seed: u64) -> Self {
        World {
            seed,
            now: SimTime::ZERO,
            seq: 0,
            queue: BinaryHeap::new(),
            streams: BTreeMap::new(),
            machines: Vec::new(),
            trace: VecDeque::new(),
            trace_digest: 0xcbf2_9ce4_8422_2325,
            trace_count: 0,
            swarms: Vec::new(),
            memberships: BTreeMap::new(),
            pending_joins: BTreeMap::new(),
            sealed: BTreeMap::new(),
            groups: BTreeMap::new(),
            traffic: VecDeque::new(),
            traffic_count: 0,
            programs: BTreeMap::new(),
            stamp: (SimTime::ZERO, String::new()),
        }
    }

    /// The seed the world was created with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The random stream `name`, created on first use from the world's seed.
    pub fn rng(&mut self, name: &'static str) -> &mut SimRng {
        let seed = self.seed;
        self.streams
            .entry(name)
            .or_insert_with(|| SimRng::stream(seed, name))
    }

    /// Every machine, in the order they were added.
    pub fn machines(&self) -> &[Machine] {
        &self.machines
    }

    /// The machine with this id.
    pub fn machine(&self, id: MachineId) -> Option<&Machine> {
        self.machines.get(id.0 as usize)
    }

    /// The machine with this id, to change (its engine's containers and images).
    pub(crate) fn machine_mut(&mut self, id: MachineId) -> Option<&mut Machine> {
        self.machines.get_mut(id.0 as usize)
    }

    /// The filesystem of a machine, to change (the shell's file commands and redirections).
    pub fn fs_mut(&mut self, id: MachineId) -> Option<&mut crate::fs::Fs> {
        self.machines.get_mut(id.0 as usize).map(|m| &mut m.fs)
    }

    /// The machine with this hostname.
    pub fn machine_by_name(&self, name: &str) -> Option<&Machine> {
        self.machines.iter().find(|m| m.hostname == name)
    }

    /// The machine with this address.
    pub fn machine_by_ip(&self, ip: Ipv4Addr) -> Option<&Machine> {
        self.machines.iter().find(|m| m.ip == ip)
    }

    /// The name the next [`World::add_machine`] without a name would take: `nodeN` for the
    /// smallest free N counting from the number of machines plus one.
    pub fn next_machine_name(&self) -> String {
        let mut n = self.machines.len() + 1;
        loop {
            let name = format!("node{n}");
            if self.machine_by_name(&name).is_none() {
                return name;
            }
            n += 1;
        }
    }

    /// Powers on a new machine. Its engine answers once [`Event::EngineStarted`] has run,
    /// a fraction of a second later.
    pub fn add_machine(&mut self, name: Option<&str>) -> Result<MachineId, WorldError> {
        if self.machines.len() >= MAX_MACHINES {
            return Err(WorldError::TooManyMachines);
        }
        let hostname = match name {
            Some(n) => n.to_string(),
            None => self.next_machine_name(),
        };
        if !valid_hostname(&hostname) {
            return Err(WorldError::BadName(hostname));
        }
        if self.machine_by_name(&hostname).is_some() {
            return Err(WorldError::NameTaken(hostname));
        }
        let index = self.machines.len() as u32;
        let id = MachineId(index);
        let ip = machine_ip(index);
        let engine_id = ids::uuid_v4(self.rng("machines"));
        let boot = self.rng("machines").range_inclusive(BOOT_MS.0, BOOT_MS.1);
        self.machines.push(Machine {
            id,
            hostname: hostname.clone(),
            ip,
            power: Power::Booting,
            engine: Engine {
                id: engine_id,
                started_at: self.now,
            },
            runtime: Default::default(),
            fs: crate::fs::Fs::skeleton(&hostname, ip, self.now),
            networks: Default::default(),
        });
        self.record(format!("add-machine {id} {hostname} {ip}"));
        self.schedule(SimDuration::from_millis(boot), Event::EngineStarted(id));
        Ok(id)
    }

    /// Schedules `event` to run `after` from now.
    pub fn schedule(&mut self, after: SimDuration, event: Event) {
        self.seq += 1;
        let at = self.now + after;
        self.queue.push(Reverse(Scheduled {
            at,
            seq: self.seq,
            event,
        }));
    }

    /// When the next scheduled event is due, if any (smoltcp's `poll_at`).
    pub fn next_deadline(&self) -> Option<SimTime> {
        self.queue.peek().map(|Reverse(s)| s.at)
    }

    /// Runs every event due at or before `t`, in `(time, sequence)` order, then sets the clock
    /// to `t`. Time never goes backwards: an earlier `t` only runs what is already due.
    pub fn advance_to(&mut self, t: SimTime) {
        while let Some(Reverse(next)) = self.queue.peek() {
            if next.at > t {
                break;
            }
            let Some(Reverse(s)) = self.queue.pop() else {
                break;
            };
            self.now = self.now.max(s.at);
            self.apply(s.event);
        }
        self.now = self.now.max(t);
    }

    /// Advances the clock by `d`.
    pub fn advance(&mut self, d: SimDuration) {
        let t = self.now + d;
        self.advance_to(t);
    }

    /// Runs events until none is left or `limit` is reached; returns the time reached.
    pub fn settle(&mut self, limit: SimTime) -> SimTime {
        while let Some(due) = self.next_deadline() {
            if due > limit {
                break;
            }
            self.advance_to(due);
        }
        self.now
    }

    fn apply(&mut self, event: Event) {
        self.record(format!("event {event}"));
        match event {
            Event::EngineStarted(id) => {
                let now = self.now;
                let mut started = false;
                if let Some(m) = self.machines.get_mut(id.0 as usize) {
                    if m.power == Power::Booting {
                        m.power = Power::Running;
                        m.engine.started_at = now;
                        started = true;
                    }
                }
                // A rebooted member picks up its heartbeats again, unless it is a manager
                // whose state autolock sealed: it waits for `docker swarm unlock`.
                if started {
                    self.containers_engine_started(id);
                    if self.sealed.contains_key(&id) {
                        self.record(format!("locked {id}"));
                    } else if self.memberships.contains_key(&id) {
                        self.schedule(SimDuration::from_millis(100), Event::Heartbeat(id));
                    }
                }
            }
            Event::RaftTick(c) => self.raft_tick(c),
            Event::RaftMessage {
                cluster,
                from,
                to,
                msg,
            } => self.deliver(cluster, from, to, *msg),
            Event::Heartbeat(m) => self.heartbeat(m),
            Event::JoinRetry(m) => self.retry_join(m),
            Event::Container { machine, id, timer } => self.container_timer(machine, &id, timer),
            Event::Orchestrate(c) => self.orchestrate(c),
            Event::Agent { cluster, task } => self.agent_step(cluster, &task),
        }
    }

    /// Powers a machine off: it stops answering, heartbeating and voting at once.
    pub fn power_off(&mut self, name: &str) -> Result<MachineId, WorldError> {
        let id = self
            .machine_by_name(name)
            .map(|m| m.id)
            .ok_or_else(|| WorldError::NoSuchMachine(name.into()))?;
        if let Some(m) = self.machines.get_mut(id.0 as usize) {
            m.power = Power::Off;
        }
        self.record(format!("power-off {id}"));
        self.seal_if_autolocked(id);
        self.containers_power_off(id);
        Ok(id)
    }

    /// Powers a machine on: it boots and rejoins with the state it had, as after a reboot.
    pub fn power_on(&mut self, name: &str) -> Result<MachineId, WorldError> {
        let id = self
            .machine_by_name(name)
            .map(|m| m.id)
            .ok_or_else(|| WorldError::NoSuchMachine(name.into()))?;
        let was_off = self
            .machines
            .get(id.0 as usize)
            .is_some_and(|m| m.power == Power::Off);
        if was_off {
            if let Some(m) = self.machines.get_mut(id.0 as usize) {
                m.power = Power::Booting;
            }
            let boot = self.rng("machines").range_inclusive(BOOT_MS.0, BOOT_MS.1);
            self.record(format!("power-on {id}"));
            self.schedule(SimDuration::from_millis(boot), Event::EngineStarted(id));
        }
        Ok(id)
    }

    /// Splits the network: each list is a group whose machines reach each other and nobody
    /// else; machines not named form one more group.
    pub fn partition(&mut self, groups: &[Vec<MachineId>]) {
        self.groups.clear();
        for (i, g) in groups.iter().enumerate() {
            for m in g {
                self.groups.insert(*m, i as u32 + 1);
            }
        }
        self.record(format!("partition {groups:?}"));
    }

    /// Ends every partition.
    pub fn heal(&mut self) {
        self.groups.clear();
        self.record("heal".into());
    }

    /// The partition group of `m` (0 when the network is whole).
    pub fn group_of(&self, m: MachineId) -> u32 {
        self.groups.get(&m).copied().unwrap_or(0)
    }

    pub(crate) fn record(&mut self, what: String) {
        // Many lines share an instant: its text is made once.
        if self.stamp.0 != self.now || self.stamp.1.is_empty() {
            self.stamp = (self.now, self.now.to_string());
        }
        let mut line = String::with_capacity(self.stamp.1.len() + 1 + what.len());
        line.push_str(&self.stamp.1);
        line.push(' ');
        line.push_str(&what);
        for b in line.bytes().chain(std::iter::once(b'\n')) {
            self.trace_digest ^= u64::from(b);
            self.trace_digest = self.trace_digest.wrapping_mul(0x0100_0000_01b3);
        }
        self.trace_count += 1;
        if self.trace.len() == TRACE_KEEP {
            self.trace.pop_front();
        }
        self.trace.push_back(line);
    }

    /// The most recent happenings (at most [`TRACE_KEEP`]), one line each, with their time.
    pub fn trace(&self) -> &VecDeque<String> {
        &self.trace
    }

    /// How many trace lines were ever written.
    pub fn trace_count(&self) -> u64 {
        self.trace_count
    }

    /// A 64-bit digest (FNV-1a) of the whole trace; equal digests mean equal histories.
    pub fn trace_hash(&self) -> u64 {
        self.trace_digest
    }
}

/// The LAN address of the machine added as number `index` (from 0). Play with Docker handed
/// out 192.168.0.x; we keep the look: node1 is 192.168.0.11, node239 192.168.0.249, then
/// 192.168.1.1 … 192.168.1.249, 192.168.2.1 …, 250 a block. The four machines whose number
/// would end in .0 (node240, node490, node740, node990) take .250 of their block instead, so
/// no address is a network or broadcast address and all stay distinct.
pub fn machine_ip(index: u32) -> Ipv4Addr {
    let host = 11 + index;
    let (block, last) = (host / 250, host % 250);
    let last = if last == 0 { 250 } else { last };
    Ipv4Addr::new(192, 168, block as u8, last as u8)
}

/// How many trace lines a world keeps.
pub const TRACE_KEEP: usize = 4096;

/// RFC 1123 hostname label: letters, digits and `-`, starting with a letter, at most 63.
fn valid_hostname(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphabetic()
        && !name.ends_with('-')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machines_boot_after_a_delay() {
        let mut w = World::new(1);
        let a = w.add_machine(None).unwrap();
        let b = w.add_machine(Some("db")).unwrap();
        assert_eq!(w.machine(a).unwrap().hostname, "node1");
        assert_eq!(w.machine(b).unwrap().ip, Ipv4Addr::new(192, 168, 0, 12));
        assert!(!w.machine(a).unwrap().engine_up());
        w.advance(SimDuration::from_secs(1));
        assert!(w.machine(a).unwrap().engine_up());
        assert!(w.machine(b).unwrap().engine_up());
        assert_eq!(w.next_machine_name(), "node3");
    }

    #[test]
    fn a_full_world_has_distinct_usable_addresses() {
        let mut w = World::new(1);
        for _ in 0..MAX_MACHINES {
            w.add_machine(None).unwrap();
        }
        assert_eq!(w.add_machine(None), Err(WorldError::TooManyMachines));
        let ips: std::collections::BTreeSet<Ipv4Addr> = w.machines().iter().map(|m| m.ip).collect();
        assert_eq!(ips.len(), MAX_MACHINES);
        assert!(ips
            .iter()
            .all(|ip| ip.octets()[3] != 0 && ip.octets()[3] != 255));
        let ip = |name: &str| w.machine_by_name(name).unwrap().ip;
        assert_eq!(ip("node1"), Ipv4Addr::new(192, 168, 0, 11));
        assert_eq!(ip("node239"), Ipv4Addr::new(192, 168, 0, 249));
        assert_eq!(ip("node240"), Ipv4Addr::new(192, 168, 1, 250));
        assert_eq!(ip("node241"), Ipv4Addr::new(192, 168, 1, 1));
        assert_eq!(ip("node1024"), Ipv4Addr::new(192, 168, 4, 34));
    }

    #[test]
    fn bad_names_leave_the_world_unchanged() {
        let mut w = World::new(1);
        w.add_machine(None).unwrap();
        let before = w.trace_hash();
        assert_eq!(
            w.add_machine(Some("node1")),
            Err(WorldError::NameTaken("node1".into()))
        );
        assert!(matches!(
            w.add_machine(Some("-x")),
            Err(WorldError::BadName(_))
        ));
        assert!(matches!(
            w.add_machine(Some("")),
            Err(WorldError::BadName(_))
        ));
        assert_eq!(w.machines().len(), 1);
        assert_eq!(before, w.trace_hash());
    }

    #[test]
    fn events_at_the_same_time_run_in_schedule_order() {
        let mut w = World::new(3);
        for _ in 0..5 {
            w.add_machine(None).unwrap();
        }
        // Force equal deadlines: schedule two more for the same instant.
        w.schedule(
            SimDuration::from_secs(2),
            Event::EngineStarted(MachineId(4)),
        );
        w.schedule(
            SimDuration::from_secs(2),
            Event::EngineStarted(MachineId(0)),
        );
        w.advance_to(SimTime::from_millis(5000));
        let tail: Vec<&String> = w.trace().iter().rev().take(2).collect();
        assert!(tail[1].ends_with("engine-started m4"), "{tail:?}");
        assert!(tail[0].ends_with("engine-started m0"), "{tail:?}");
        assert_eq!(w.now(), SimTime::from_millis(5000));
    }
}
