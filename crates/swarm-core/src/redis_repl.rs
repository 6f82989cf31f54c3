//! Redis replication, as redis 7 does it, over the simulated network.
//!
//! A server started with `--replicaof HOST PORT` (`--slaveof`, `replicaof` in its config file,
//! or told `REPLICAOF HOST PORT` later) is a replica: it refuses writes (`READONLY`), and its
//! replication cron (a [`crate::container::Timer::App`] step every second while it has no
//! master) resolves the master through the container's DNS and connects as the container
//! would ([`World::app_connect`]): a name that does not resolve, a refused or timed-out
//! connection are logged as redis logs them, and it tries again a second later. Connected,
//! it asks for a partial resynchronization (which only the same master process grants), else
//! a full one: the master delays its diskless BGSAVE five seconds for more replicas to join,
//! then streams its dataset, which the replica loads (and saves to its `dump.rdb`). From then
//! on every write on the master reaches its online replicas at once, and the offsets grow by
//! the commands' RESP size (plus the master's PING every ten seconds). A master that ends
//! drops its replicas' links: they keep their data, cache the master's state and reconnect
//! every second; a master back (a new process) makes them resync in full.
//!
//! Every line both sides log is redis 7's own text (`replication.c`), with the role letter
//! (`M`, `S`, `C` for the RDB child) of the side that writes it. `INFO` and `ROLE` report this
//! state with redis's fields.

use crate::appdata::{RedisMemory, RedisReply};
use crate::apps::ConnectError;
use crate::catalog::Stream;
use crate::machine::MachineId;
use crate::time::{SimDuration, SimTime};
use crate::world::World;

/// redis's `repl-diskless-sync-delay`, seconds.
const DISKLESS_DELAY_S: i64 = 5;
/// redis's `repl-ping-replica-period`, ms.
const PING_PERIOD_MS: u64 = 10_000;
/// redis's `repl-timeout`, ms.
const REPL_TIMEOUT_MS: u64 = 60_000;
/// The bytes of the PING a master sends its replicas (`*1\r\n$4\r\nPING\r\n`).
const PING_BYTES: u64 = 14;
/// The bytes of `SELECT 0` before the first command of a new stream.
const SELECT_BYTES: u64 = 23;
/// An all-zero replication ID.
const NO_ID: &str = "0000000000000000000000000000000000000000";

/// Where a replica's link to its master is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Link {
    /// Not connected (`REPL_STATE_CONNECT`); the cron connects.
    #[default]
    Down,
    /// A connection attempt that gets no answer (a partition, a powered-off machine): it
    /// times out at `until`.
    Connecting { until: SimTime },
    /// Connected to `(machine, container)`, waiting for its full resync.
    Waiting { peer: (MachineId, String) },
    /// In sync with `(machine, container)`.
    Up { peer: (MachineId, String) },
}

/// A replica as its master knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaLink {
    pub machine: MachineId,
    pub id: String,
    /// Its address, as the master sees the connection come.
    pub ip: String,
    /// Synced (`online`), else waiting for the BGSAVE (`wait_bgsave`).
    pub online: bool,
    /// When it asked for synchronization.
    pub since: SimTime,
}

/// One server's replication state (inside its [`RedisMemory`]).
#[derive(Clone, Debug, Default)]
pub struct Repl {
    /// The master it replicates; `None` for a master.
    pub master: Option<(String, u16)>,
    pub link: Link,
    /// The next connection attempt (a replica whose link is down).
    pub retry_at: Option<SimTime>,
    /// The next attempt logs "Reconnecting" (the link just broke).
    pub reconnecting: bool,
    /// The replication ID and offset.
    pub replid: String,
    pub offset: u64,
    /// A backlog exists (a replica ever attached, or it synced from a master).
    pub backlog: bool,
    /// The master's state kept when its link broke (for a partial resync).
    pub cached: Option<(String, u64)>,
    /// When the link went down (`master_link_down_since_seconds`).
    pub down_since: Option<SimTime>,
    /// Its replicas (a master).
    pub replicas: Vec<ReplicaLink>,
    /// The pending diskless BGSAVE for waiting replicas.
    pub bgsave_at: Option<SimTime>,
    /// Pings are counted into the offset up to here.
    pub pinged_to: SimTime,
    /// The next command of the stream is preceded by `SELECT 0`.
    pub select_pending: bool,
    /// Last data from its master (a write or a ping).
    pub last_io: SimTime,
    /// Server start (its cron ticks from here).
    pub started: SimTime,
    /// `run_id`, and a counter for new replication IDs and child pids.
    pub run_id: String,
    pub forks: u32,
    /// Full and partial syncs served.
    pub sync_full: u64,
    pub sync_partial_ok: u64,
    pub sync_partial_err: u64,
    /// The server's version (`REDIS_VERSION`).
    pub version: String,
    /// Its config file (`redis-server /path/redis.conf`), else empty.
    pub config_file: String,
    /// Commands and connections served (INFO stats).
    pub commands: u64,
    pub connections: u64,
}

/// 40 hex digits from a seed (run IDs, replication IDs).
fn hex40(seed: &str) -> String {
    let mut s = String::new();
    let mut i = 0u8;
    while s.len() < 40 {
        let h = crate::catalog::mix(&[seed.as_bytes(), &[i]]);
        s.push_str(&format!("{h:016x}"));
        i += 1;
    }
    s.truncate(40);
    s
}

/// The RESP size of a command as the replication stream carries it.
fn resp_len(args: &[String]) -> u64 {
    let mut n = format!("*{}\r\n", args.len()).len();
    for a in args {
        n += format!("${}\r\n", a.len()).len() + a.len() + 2;
    }
    n as u64
}

/// Commands that write (refused on a replica, propagated by a master).
pub(crate) fn is_write(cmd: &str) -> bool {
    matches!(
        cmd,
        "set"
            | "incr"
            | "decr"
            | "incrby"
            | "decrby"
            | "del"
            | "unlink"
            | "append"
            | "mset"
            | "flushall"
            | "flushdb"
            | "setnx"
            | "getset"
            | "rpush"
            | "lpush"
            | "lpop"
            | "rpop"
    )
}

impl Repl {
    /// The state of a server starting at `now` in container `id` with `args` after
    /// `redis-server`.
    pub(crate) fn new(id: &str, now: SimTime, args: &[String], version: &str) -> Repl {
        let seed = format!("{id}/{}", now.as_millis());
        Repl {
            master: crate::catalog::redis_master_of(args),
            replid: hex40(&format!("{seed}/replid")),
            run_id: hex40(&format!("{seed}/run")),
            started: now,
            pinged_to: now,
            last_io: now,
            version: version.to_string(),
            config_file: args
                .first()
                .filter(|a| !a.starts_with('-'))
                .cloned()
                .unwrap_or_default(),
            ..Repl::default()
        }
    }

    fn role(&self) -> char {
        if self.master.is_some() {
            'S'
        } else {
            'M'
        }
    }

    /// Counts the master's pings up to `now` into its offset (every 10 s of its cron while it
    /// has replicas).
    fn settle_pings(&mut self, now: SimTime) {
        if now <= self.pinged_to {
            return;
        }
        if self.backlog && !self.replicas.is_empty() && self.master.is_none() {
            let tick = |t: SimTime| t.saturating_since(self.started).as_millis() / PING_PERIOD_MS;
            let n = tick(now) - tick(self.pinged_to);
            self.offset += n * PING_BYTES;
        }
        self.pinged_to = now;
    }

    /// The last ping tick at or before `now`.
    fn last_ping(&self, now: SimTime) -> SimTime {
        let up = now.saturating_since(self.started).as_millis();
        self.started + SimDuration::from_millis(up - up % PING_PERIOD_MS)
    }
}

impl World {
    fn rmem(&self, m: MachineId, id: &str) -> Option<&RedisMemory> {
        self.machine(m)?.runtime.storage.redis.get(id)
    }

    fn rmem_mut(&mut self, m: MachineId, id: &str) -> Option<&mut RedisMemory> {
        self.storage_mut(m)?.redis.get_mut(id)
    }

    /// One line of redis's log: `1:S 23 Nov 2026 09:00:13.136 * text` (`level` `*` notice,
    /// `#` warning); `pid` other than 1 is the RDB child (`C`).
    fn redis_log(&mut self, m: MachineId, id: &str, pid: u32, level: char, text: &str) {
        let Some(mem) = self.rmem(m, id) else {
            return;
        };
        let role = if pid == 1 { mem.repl.role() } else { 'C' };
        let ts = crate::catalog::strftime(self.now().unix_ms(), "%d %b %Y %H:%M:%S.%L");
        self.container_log_append(
            m,
            id,
            Stream::Stdout,
            &format!("{pid}:{role} {ts} {level} {text}"),
        );
    }

    /// The address a container's connections come from (its first network's).
    fn redis_ip(&self, m: MachineId, id: &str) -> String {
        self.container_attachments(m, id)
            .into_iter()
            .find_map(|a| a.endpoint.map(|e| e.addr.to_string()))
            .or_else(|| {
                self.container(m, id)
                    .and_then(|c| c.config.addresses.first().cloned())
            })
            .map(|a| a.split('/').next().unwrap_or(&a).to_string())
            .unwrap_or_else(|| "127.0.0.1".into())
    }

    /// A redis server started: a replica's cron begins once it accepts connections.
    pub(crate) fn redis_started(&mut self, m: MachineId, id: &str) {
        let startup = self.container(m, id).map_or(0, |c| c.program.startup_ms());
        let now = self.now();
        let Some(mem) = self.rmem_mut(m, id) else {
            return;
        };
        if mem.repl.master.is_some() {
            mem.repl.retry_at = Some(now + SimDuration::from_millis(startup));
        }
        self.redis_reschedule(m, id);
    }

    /// Schedules the server's next replication step (the earliest of what it waits for).
    fn redis_reschedule(&mut self, m: MachineId, id: &str) {
        let now = self.now();
        let Some(mem) = self.rmem(m, id) else {
            return;
        };
        let r = &mem.repl;
        let mut due: Vec<SimTime> = Vec::new();
        due.extend(r.bgsave_at);
        if r.master.is_some() {
            match r.link {
                Link::Down => due.extend(r.retry_at),
                Link::Connecting { until } => due.push(until),
                _ => {}
            }
        }
        if let Some(at) = due.into_iter().min() {
            self.schedule_redis_step(m, id, at.saturating_since(now).as_millis());
        }
    }

    /// The server's timer fired: the diskless BGSAVE, a connection attempt or its timeout.
    pub(crate) fn redis_step(&mut self, m: MachineId, id: &str) {
        let now = self.now();
        let Some(mem) = self.rmem(m, id) else {
            return;
        };
        let r = mem.repl.clone();
        if r.bgsave_at.is_some_and(|t| t <= now) {
            self.redis_bgsave_for_sync(m, id);
        }
        if r.master.is_some() {
            match r.link {
                Link::Connecting { until } if until <= now => {
                    self.redis_log(m, id, 1, '#', "Timeout connecting to the MASTER...");
                    if let Some(mem) = self.rmem_mut(m, id) {
                        mem.repl.link = Link::Down;
                    }
                    self.redis_connect_master(m, id);
                }
                Link::Down if r.retry_at.is_some_and(|t| t <= now) => {
                    self.redis_connect_master(m, id)
                }
                _ => {}
            }
        }
        self.redis_reschedule(m, id);
    }

    /// `connectWithMaster` and the handshake (`syncWithMaster`).
    fn redis_connect_master(&mut self, m: MachineId, id: &str) {
        let now = self.now();
        let Some(mem) = self.rmem_mut(m, id) else {
            return;
        };
        let Some((host, port)) = mem.repl.master.clone() else {
            return;
        };
        mem.repl.retry_at = Some(now + SimDuration::from_millis(1000));
        let reconnecting = std::mem::take(&mut mem.repl.reconnecting);
        let word = if reconnecting {
            "Reconnecting"
        } else {
            "Connecting"
        };
        self.redis_log(m, id, 1, '*', &format!("{word} to MASTER {host}:{port}"));
        let peer = match self.app_connect(m, id, &host, port) {
            Err(ConnectError::NameNotFound) => {
                self.redis_log(
                    m,
                    id,
                    1,
                    '#',
                    "Unable to connect to MASTER: Invalid argument",
                );
                return;
            }
            Err(ConnectError::Unreachable) => {
                self.redis_log(m, id, 1, '*', "MASTER <-> REPLICA sync started");
                if let Some(mem) = self.rmem_mut(m, id) {
                    mem.repl.link = Link::Connecting {
                        until: now + SimDuration::from_millis(REPL_TIMEOUT_MS),
                    };
                }
                return;
            }
            Err(ConnectError::Refused) => None,
            Ok(p) if self.rmem(p.machine, &p.container).is_some() && p.container != id => {
                Some((p.machine, p.container))
            }
            Ok(_) => None,
        };
        self.redis_log(m, id, 1, '*', "MASTER <-> REPLICA sync started");
        let Some(peer) = peer else {
            self.redis_log(
                m,
                id,
                1,
                '#',
                "Error condition on socket for SYNC: Connection refused",
            );
            return;
        };
        self.redis_log(
            m,
            id,
            1,
            '*',
            "Non blocking connect for SYNC fired the event.",
        );
        self.redis_log(
            m,
            id,
            1,
            '*',
            "Master replied to PING, replication can continue...",
        );
        let cached = self.rmem(m, id).and_then(|x| x.repl.cached.clone());
        match &cached {
            Some((rid, off)) => self.redis_log(
                m,
                id,
                1,
                '*',
                &format!(
                    "Trying a partial resynchronization (request {rid}:{}).",
                    off + 1
                ),
            ),
            None => self.redis_log(
                m,
                id,
                1,
                '*',
                "Partial resynchronization not possible (no cached master)",
            ),
        }
        let ip = self.redis_ip(m, id);
        let partial = self.redis_master_accept(&peer, m, id, &ip, cached);
        if let Some(mem) = self.rmem_mut(m, id) {
            mem.repl.retry_at = None;
            mem.repl.link = if partial {
                mem.repl.cached = None;
                mem.repl.down_since = None;
                mem.repl.last_io = now;
                Link::Up { peer: peer.clone() }
            } else {
                Link::Waiting { peer: peer.clone() }
            };
        }
        if partial {
            self.redis_log(
                m,
                id,
                1,
                '*',
                "Successful partial resynchronization with master.",
            );
            self.redis_log(
                m,
                id,
                1,
                '*',
                "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.",
            );
        }
    }

    /// The master's side of a replica's PSYNC: true when it grants a partial resync.
    fn redis_master_accept(
        &mut self,
        master: &(MachineId, String),
        rm: MachineId,
        rid: &str,
        ip: &str,
        cached: Option<(String, u64)>,
    ) -> bool {
        let (mm, mid) = (master.0, master.1.as_str());
        let now = self.now();
        let name = format!("{ip}:6379");
        self.redis_log(
            mm,
            mid,
            1,
            '*',
            &format!("Replica {name} asks for synchronization"),
        );
        let Some(mem) = self.rmem_mut(mm, mid) else {
            return false;
        };
        mem.repl.settle_pings(now);
        mem.repl
            .replicas
            .retain(|r| !(r.machine == rm && r.id == rid));
        mem.repl.connections += 1;
        let r = mem.repl.clone();
        if let Some((id, off)) = &cached {
            if *id == r.replid && r.backlog && *off <= r.offset {
                if let Some(mem) = self.rmem_mut(mm, mid) {
                    mem.repl.replicas.push(ReplicaLink {
                        machine: rm,
                        id: rid.to_string(),
                        ip: ip.to_string(),
                        online: true,
                        since: now,
                    });
                    mem.repl.sync_partial_ok += 1;
                }
                self.redis_log(
                    mm,
                    mid,
                    1,
                    '*',
                    &format!(
                        "Partial resynchronization request from {name} accepted. Sending {} bytes of backlog starting from offset {}.",
                        r.offset - off,
                        off + 1
                    ),
                );
                return true;
            }
            self.redis_log(
                mm,
                mid,
                1,
                '*',
                &format!(
                    "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{id}', my replication IDs are '{}' and '{NO_ID}')",
                    r.replid
                ),
            );
        } else {
            self.redis_log(
                mm,
                mid,
                1,
                '*',
                &format!("Full resync requested by replica {name}"),
            );
        }
        if !r.backlog {
            let Some(mem) = self.rmem_mut(mm, mid) else {
                return false;
            };
            mem.repl.forks += 1;
            mem.repl.replid = hex40(&format!(
                "{}/{}/{}",
                mem.repl.run_id,
                now.as_millis(),
                mem.repl.forks
            ));
            mem.repl.backlog = true;
            mem.repl.pinged_to = now;
            let replid = mem.repl.replid.clone();
            self.redis_log(
                mm,
                mid,
                1,
                '*',
                &format!(
                    "Replication backlog created, my new replication IDs are '{replid}' and '{NO_ID}'"
                ),
            );
        }
        self.redis_log(mm, mid, 1, '*', "Delay next BGSAVE for diskless SYNC");
        let started = r.started;
        let Some(mem) = self.rmem_mut(mm, mid) else {
            return false;
        };
        mem.repl.replicas.push(ReplicaLink {
            machine: rm,
            id: rid.to_string(),
            ip: ip.to_string(),
            online: false,
            since: now,
        });
        if cached.is_some() {
            mem.repl.sync_partial_err += 1;
        }
        if mem.repl.bgsave_at.is_none() {
            // The first cron tick (each second from the server's start) at which the replica
            // has waited the delay, counted in whole unix seconds as redis counts.
            let tick = 1000u64;
            let up = now.saturating_since(started).as_millis();
            let mut t = started + SimDuration::from_millis(up - up % tick + tick);
            let secs = |x: SimTime| x.unix_ms().div_euclid(1000);
            while secs(t) - secs(now) < DISKLESS_DELAY_S {
                t += SimDuration::from_millis(tick);
            }
            mem.repl.bgsave_at = Some(t);
        }
        self.redis_reschedule(mm, mid);
        false
    }

    /// The delayed diskless BGSAVE: the dataset streamed to every waiting replica.
    fn redis_bgsave_for_sync(&mut self, m: MachineId, id: &str) {
        let now = self.now();
        let Some(mem) = self.rmem_mut(m, id) else {
            return;
        };
        mem.repl.bgsave_at = None;
        mem.repl.settle_pings(now);
        let waiting: Vec<ReplicaLink> = mem
            .repl
            .replicas
            .iter()
            .filter(|r| !r.online)
            .cloned()
            .collect();
        if waiting.is_empty() {
            return;
        }
        mem.repl.forks += 1;
        mem.repl.select_pending = true;
        mem.repl.sync_full += waiting.len() as u64;
        let pid = 20 + 7 * mem.repl.forks;
        let (replid, offset) = (mem.repl.replid.clone(), mem.repl.offset);
        let (keys, lists) = (mem.keys.clone(), mem.lists.clone());
        let version = mem.repl.version.clone();
        self.redis_log(
            m,
            id,
            1,
            '*',
            "Starting BGSAVE for SYNC with target: replicas sockets",
        );
        for r in &waiting {
            let cached = self
                .rmem(r.machine, &r.id)
                .is_some_and(|x| x.repl.cached.is_some());
            self.redis_log(
                r.machine,
                &r.id,
                1,
                '*',
                &format!("Full resync from master: {replid}:{offset}"),
            );
            if cached {
                self.redis_log(
                    r.machine,
                    &r.id,
                    1,
                    '*',
                    "Discarding previously cached master state.",
                );
            }
        }
        self.redis_log(
            m,
            id,
            1,
            '*',
            &format!("Background RDB transfer started by pid {pid}"),
        );
        for r in &waiting {
            self.redis_log(
                r.machine,
                &r.id,
                1,
                '*',
                "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk",
            );
        }
        self.redis_log(
            m,
            id,
            pid,
            '*',
            "Fork CoW for RDB: current 0 MB, peak 0 MB, average 0 MB",
        );
        for r in &waiting {
            self.redis_log(
                r.machine,
                &r.id,
                1,
                '*',
                "MASTER <-> REPLICA sync: Flushing old data",
            );
            self.redis_log(
                r.machine,
                &r.id,
                1,
                '*',
                "MASTER <-> REPLICA sync: Loading DB in memory",
            );
        }
        self.redis_log(
            m,
            id,
            1,
            '*',
            &format!(
                "Diskless rdb transfer, done reading from pipe, {} replicas still up.",
                waiting.len()
            ),
        );
        self.redis_log(
            m,
            id,
            1,
            '*',
            "Background RDB transfer terminated with success",
        );
        for r in &waiting {
            let name = format!("{}:6379", r.ip);
            self.redis_log(m, id, 1, '*', &format!("Streamed RDB transfer with replica {name} succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming"));
            self.redis_log(
                m,
                id,
                1,
                '*',
                &format!("Synchronization with replica {name} succeeded"),
            );
        }
        let n_keys = keys.len() + lists.len();
        for r in &waiting {
            let master = (m, id.to_string());
            let Some(rm) = self.rmem_mut(r.machine, &r.id) else {
                continue;
            };
            rm.keys = keys.clone();
            rm.lists = lists.clone();
            rm.repl.replid = replid.clone();
            rm.repl.offset = offset;
            rm.repl.backlog = true;
            rm.repl.cached = None;
            rm.repl.down_since = None;
            rm.repl.last_io = now;
            rm.repl.link = Link::Up { peer: master };
            let snapshot = rm.clone();
            for l in [
                format!("Loading RDB produced by version {version}"),
                "RDB age 0 seconds".to_string(),
                "RDB memory usage when created 0.93 Mb".to_string(),
                format!("Done loading RDB, keys loaded: {n_keys}, keys expired: 0."),
                "MASTER <-> REPLICA sync: Finished with success".to_string(),
            ] {
                self.redis_log(r.machine, &r.id, 1, '*', &l);
            }
            self.redis_save_mem(r.machine, &r.id, &snapshot);
        }
        if let Some(mem) = self.rmem_mut(m, id) {
            for r in &mut mem.repl.replicas {
                if waiting
                    .iter()
                    .any(|w| w.machine == r.machine && w.id == r.id)
                {
                    r.online = true;
                }
            }
        }
    }

    /// A write done on master `(m, id)`: the same command on its online replicas.
    pub(crate) fn redis_propagate(&mut self, m: MachineId, id: &str, args: &[String]) {
        let now = self.now();
        let Some(mem) = self.rmem_mut(m, id) else {
            return;
        };
        if !mem.repl.backlog || mem.repl.master.is_some() {
            return;
        }
        mem.repl.settle_pings(now);
        if std::mem::take(&mut mem.repl.select_pending) {
            mem.repl.offset += SELECT_BYTES;
        }
        mem.repl.offset += resp_len(args);
        let offset = mem.repl.offset;
        let online: Vec<ReplicaLink> = mem
            .repl
            .replicas
            .iter()
            .filter(|r| r.online)
            .cloned()
            .collect();
        for r in online {
            let Some(rm) = self.rmem_mut(r.machine, &r.id) else {
                continue;
            };
            if !matches!(&rm.repl.link, Link::Up { peer } if peer.0 == m && peer.1 == id) {
                continue;
            }
            let _ = crate::appdata::redis_apply(rm, args);
            rm.repl.offset = offset;
            rm.repl.last_io = now;
            let snapshot = rm.clone();
            let cmd = args
                .first()
                .map(|a| a.to_ascii_lowercase())
                .unwrap_or_default();
            self.redis_store(r.machine, &r.id, snapshot, true, &cmd);
        }
    }

    /// A server's run ended: its master forgets it, its replicas lose their link.
    pub(crate) fn redis_ended(&mut self, m: MachineId, id: &str, mem: &RedisMemory) {
        let now = self.now();
        if let Link::Up { peer } | Link::Waiting { peer } = &mem.repl.link {
            let ip = self.redis_ip(m, id);
            let online = self
                .rmem(peer.0, &peer.1)
                .is_some_and(|x| x.repl.replicas.iter().any(|r| r.id == id && r.online));
            if let Some(pm) = self.rmem_mut(peer.0, &peer.1) {
                pm.repl.settle_pings(now);
                pm.repl.replicas.retain(|r| !(r.machine == m && r.id == id));
            }
            if online {
                self.redis_log(
                    peer.0,
                    &peer.1,
                    1,
                    '*',
                    &format!("Connection with replica {ip}:6379 lost."),
                );
            }
        }
        for r in mem.repl.replicas.clone() {
            self.redis_master_lost(r.machine, &r.id, m, id);
        }
    }

    /// Replica `(m, id)` lost its link to master `(mm, mid)`.
    fn redis_master_lost(&mut self, m: MachineId, id: &str, mm: MachineId, mid: &str) {
        let now = self.now();
        let Some(rm) = self.rmem_mut(m, id) else {
            return;
        };
        let was_up = match &rm.repl.link {
            Link::Up { peer } if peer.0 == mm && peer.1 == mid => true,
            Link::Waiting { peer } if peer.0 == mm && peer.1 == mid => false,
            _ => return,
        };
        rm.repl.link = Link::Down;
        rm.repl.down_since = Some(now);
        rm.repl.reconnecting = true;
        rm.repl.retry_at = Some(now);
        if was_up {
            rm.repl.cached = Some((rm.repl.replid.clone(), rm.repl.offset));
            self.redis_log(m, id, 1, '*', "Connection with master lost.");
            self.redis_log(m, id, 1, '*', "Caching the disconnected master state.");
        } else {
            self.redis_log(
                m,
                id,
                1,
                '#',
                "I/O error reading bulk count from MASTER: Connection lost",
            );
        }
        self.redis_reschedule(m, id);
    }

    /// `REPLICAOF HOST PORT` / `REPLICAOF NO ONE` (and `SLAVEOF`) on server `(m, id)`.
    pub(crate) fn redis_replicaof(&mut self, m: MachineId, id: &str, a: &[String]) -> RedisReply {
        let now = self.now();
        let client = self.redis_client_info(m, id, "replicaof");
        let [host, port] = a else {
            return RedisReply::Error(
                "ERR wrong number of arguments for 'replicaof' command".into(),
            );
        };
        let Some(mem) = self.rmem(m, id) else {
            return RedisReply::Error("ERR".into());
        };
        let r = mem.repl.clone();
        if host.eq_ignore_ascii_case("no") && port.eq_ignore_ascii_case("one") {
            if r.master.is_none() {
                return RedisReply::Status("OK".into());
            }
            if let Link::Up { peer } | Link::Waiting { peer } = &r.link {
                let ip = self.redis_ip(m, id);
                if let Some(pm) = self.rmem_mut(peer.0, &peer.1) {
                    pm.repl.replicas.retain(|x| !(x.machine == m && x.id == id));
                }
                self.redis_log(
                    peer.0,
                    &peer.1,
                    1,
                    '*',
                    &format!("Connection with replica {ip}:6379 lost."),
                );
            }
            let was_up = matches!(r.link, Link::Up { .. });
            let old = r.replid.clone();
            let new = hex40(&format!("{}/{}/promote", r.run_id, now.as_millis()));
            if was_up {
                self.redis_log(m, id, 1, '*', "Connection with master lost.");
                self.redis_log(m, id, 1, '*', "Caching the disconnected master state.");
            }
            if was_up || r.cached.is_some() {
                self.redis_log(m, id, 1, '*', "Discarding previously cached master state.");
            }
            self.redis_log(
                m,
                id,
                1,
                '*',
                &format!(
                    "Setting secondary replication ID to {old}, valid up to offset: {}. New replication ID is {new}",
                    r.offset + 1
                ),
            );
            if let Some(mem) = self.rmem_mut(m, id) {
                mem.repl.master = None;
                mem.repl.link = Link::Down;
                mem.repl.retry_at = None;
                mem.repl.cached = None;
                mem.repl.down_since = None;
                mem.repl.replid = new;
                mem.repl.pinged_to = now;
            }
            self.redis_log(
                m,
                id,
                1,
                '*',
                &format!("MASTER MODE enabled (user request from '{client}')"),
            );
            return RedisReply::Status("OK".into());
        }
        let Ok(port) = port.parse::<u16>() else {
            return RedisReply::Error("ERR Invalid master port".into());
        };
        if r.master.as_ref() == Some(&(host.clone(), port)) {
            self.redis_log(m, id, 1, '*', "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
            return RedisReply::Status("OK Already connected to specified master".into());
        }
        if let Link::Up { peer } | Link::Waiting { peer } = &r.link {
            if let Some(pm) = self.rmem_mut(peer.0, &peer.1) {
                pm.repl.replicas.retain(|x| !(x.machine == m && x.id == id));
            }
        }
        let was_master = r.master.is_none();
        if let Some(mem) = self.rmem_mut(m, id) {
            mem.repl.master = Some((host.clone(), port));
            if was_master {
                mem.repl.cached = Some((mem.repl.replid.clone(), mem.repl.offset));
            } else if let Link::Up { .. } = r.link {
                mem.repl.cached = Some((mem.repl.replid.clone(), mem.repl.offset));
            }
            mem.repl.link = Link::Down;
            mem.repl.down_since = Some(now);
            mem.repl.retry_at = Some(now);
        }
        self.redis_log(
            m,
            id,
            1,
            '*',
            &format!("Connecting to MASTER {host}:{port}"),
        );
        self.redis_log(
            m,
            id,
            1,
            '*',
            &format!("REPLICAOF {host}:{port} enabled (user request from '{client}')"),
        );
        if let Some(mem) = self.rmem_mut(m, id) {
            // The connection the command started goes on in the event loop.
            mem.repl.retry_at = Some(now + SimDuration::from_millis(1));
        }
        self.redis_reschedule(m, id);
        RedisReply::Status("OK".into())
    }

    /// `CLIENT INFO` of redis-cli's connection, as redis logs the client of a command.
    fn redis_client_info(&self, m: MachineId, id: &str, cmd: &str) -> String {
        let _ = (m, id);
        format!("id=3 addr=127.0.0.1:51234 laddr=127.0.0.1:6379 fd=8 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=0 qbuf-free=20474 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=22426 events=r cmd={cmd} user=default redir=-1 resp=2 lib-name= lib-ver=")
    }

    /// `ROLE`.
    pub(crate) fn redis_role(&mut self, m: MachineId, id: &str) -> RedisReply {
        let now = self.now();
        let Some(mem) = self.rmem_mut(m, id) else {
            return RedisReply::Error("ERR".into());
        };
        mem.repl.settle_pings(now);
        let r = mem.repl.clone();
        match &r.master {
            None => RedisReply::Nested(vec![
                RedisReply::Bulk(Some("master".into())),
                RedisReply::Int(r.offset as i64),
                RedisReply::Nested(
                    r.replicas
                        .iter()
                        .filter(|x| x.online)
                        .map(|x| {
                            RedisReply::Nested(vec![
                                RedisReply::Bulk(Some(x.ip.clone())),
                                RedisReply::Bulk(Some("6379".into())),
                                RedisReply::Bulk(Some(r.offset.to_string())),
                            ])
                        })
                        .collect(),
                ),
            ]),
            Some((host, port)) => {
                let state = match r.link {
                    Link::Down => "connect",
                    Link::Connecting { .. } => "connecting",
                    Link::Waiting { .. } => "sync",
                    Link::Up { .. } => "connected",
                };
                let offset = self.redis_replica_offset(m, id);
                RedisReply::Nested(vec![
                    RedisReply::Bulk(Some("slave".into())),
                    RedisReply::Bulk(Some(host.clone())),
                    RedisReply::Int(i64::from(*port)),
                    RedisReply::Bulk(Some(state.into())),
                    RedisReply::Int(offset),
                ])
            }
        }
    }

    /// A replica's processed offset (its master's, pings included, while in sync); -1 before
    /// its first sync.
    fn redis_replica_offset(&mut self, m: MachineId, id: &str) -> i64 {
        let now = self.now();
        let Some(r) = self.rmem(m, id).map(|x| x.repl.clone()) else {
            return -1;
        };
        if let Link::Up { peer } = &r.link {
            if let Some(pm) = self.rmem_mut(peer.0, &peer.1) {
                pm.repl.settle_pings(now);
                let (off, last_ping) = (pm.repl.offset, pm.repl.last_ping(now));
                if let Some(rm) = self.rmem_mut(m, id) {
                    rm.repl.offset = off;
                    rm.repl.last_io = rm.repl.last_io.max(last_ping);
                }
                return off as i64;
            }
        }
        if r.backlog {
            r.offset as i64
        } else {
            -1
        }
    }

    /// `INFO [section …]`: redis 7's sections and fields, `\r\n` line ends.
    pub(crate) fn redis_info(&mut self, m: MachineId, id: &str, a: &[String]) -> RedisReply {
        let now = self.now();
        let replica_offset = self.redis_replica_offset(m, id);
        let Some(mem) = self.rmem_mut(m, id) else {
            return RedisReply::Error("ERR".into());
        };
        mem.repl.settle_pings(now);
        let mem = mem.clone();
        let r = &mem.repl;
        let wanted: Vec<String> = a.iter().map(|s| s.to_ascii_lowercase()).collect();
        const DEFAULT: [&str; 11] = [
            "server",
            "clients",
            "memory",
            "persistence",
            "stats",
            "replication",
            "cpu",
            "modules",
            "errorstats",
            "cluster",
            "keyspace",
        ];
        let all = wanted.is_empty()
            || wanted
                .iter()
                .any(|w| matches!(w.as_str(), "default" | "all" | "everything"));
        let sections: Vec<&str> = DEFAULT
            .iter()
            .copied()
            .filter(|s| all || wanted.iter().any(|w| w == s))
            .collect();
        let unix_ms = now.unix_ms();
        let up_s = now.saturating_since(r.started).as_secs();
        let mut out: Vec<String> = Vec::new();
        for s in sections {
            let mut f: Vec<String> = Vec::new();
            match s {
                "server" => {
                    f.push("# Server".into());
                    f.push(format!("redis_version:{}", r.version));
                    f.extend(
                        [
                            "redis_git_sha1:00000000",
                            "redis_git_dirty:0",
                            "redis_build_id:d7b80adc76717456",
                            "redis_mode:standalone",
                            "os:Linux 6.8.0-51-generic x86_64",
                            "arch_bits:64",
                            "monotonic_clock:POSIX clock_gettime",
                            "multiplexing_api:epoll",
                            "atomicvar_api:c11-builtin",
                            "gcc_version:12.2.0",
                            "process_id:1",
                            "process_supervised:no",
                        ]
                        .map(String::from),
                    );
                    f.push(format!("run_id:{}", r.run_id));
                    f.push("tcp_port:6379".into());
                    f.push(format!("server_time_usec:{}", unix_ms * 1000));
                    f.push(format!("uptime_in_seconds:{up_s}"));
                    f.push(format!("uptime_in_days:{}", up_s / 86_400));
                    f.push("hz:10".into());
                    f.push("configured_hz:10".into());
                    f.push(format!(
                        "lru_clock:{}",
                        (unix_ms.div_euclid(1000)) & ((1 << 24) - 1)
                    ));
                    f.push("executable:/data/redis-server".into());
                    f.push(format!("config_file:{}", r.config_file));
                    f.push("io_threads_active:0".into());
                    f.push("listener0:name=tcp,bind=*,bind=-::*,port=6379".into());
                }
                "clients" => {
                    f.push("# Clients".into());
                    f.push(format!(
                        "connected_clients:{}",
                        1 + r.replicas.len() + usize::from(matches!(r.link, Link::Up { .. }))
                    ));
                    f.extend(
                        [
                            "cluster_connections:0",
                            "maxclients:10000",
                            "client_recent_max_input_buffer:20480",
                            "client_recent_max_output_buffer:0",
                            "blocked_clients:0",
                            "tracking_clients:0",
                            "pubsub_clients:0",
                            "watching_clients:0",
                            "clients_in_timeout_table:0",
                            "total_watched_keys:0",
                            "total_blocking_keys:0",
                            "total_blocking_keys_on_nokey:0",
                        ]
                        .map(String::from),
                    );
                }
                "memory" => {
                    let used: u64 = 1_005_536
                        + mem
                            .keys
                            .iter()
                            .map(|(k, v)| (k.len() + v.len() + 56) as u64)
                            .sum::<u64>();
                    let human = |b: u64| format!("{:.2}M", b as f64 / 1_048_576.0);
                    f.push("# Memory".into());
                    f.push(format!("used_memory:{used}"));
                    f.push(format!("used_memory_human:{}", human(used)));
                    f.extend(
                        ["used_memory_rss:15822848", "used_memory_rss_human:15.09M"]
                            .map(String::from),
                    );
                    f.push(format!("used_memory_peak:{used}"));
                    f.push(format!("used_memory_peak_human:{}", human(used)));
                    f.extend(
                        [
                            "used_memory_peak_perc:100.00%",
                            "used_memory_overhead:1005536",
                            "used_memory_startup:979088",
                        ]
                        .map(String::from),
                    );
                    f.push(format!("used_memory_dataset:{}", used - 1_005_536));
                    f.push(format!(
                        "used_memory_dataset_perc:{:.2}%",
                        (used - 1_005_536) as f64 * 100.0 / (used - 979_088) as f64
                    ));
                    f.extend(
                        [
                            "allocator_allocated:6265120",
                            "allocator_active:15335424",
                            "allocator_resident:17760256",
                            "allocator_muzzy:0",
                            "total_system_memory:8218251264",
                            "total_system_memory_human:7.65G",
                            "used_memory_lua:31744",
                            "used_memory_vm_eval:31744",
                            "used_memory_lua_human:31.00K",
                            "used_memory_scripts_eval:0",
                            "number_of_cached_scripts:0",
                            "number_of_functions:0",
                            "number_of_libraries:0",
                            "used_memory_vm_functions:32768",
                            "used_memory_vm_total:64512",
                            "used_memory_vm_total_human:63.00K",
                            "used_memory_functions:192",
                            "used_memory_scripts:192",
                            "used_memory_scripts_human:192B",
                            "maxmemory:0",
                            "maxmemory_human:0B",
                            "maxmemory_policy:noeviction",
                            "allocator_frag_ratio:2.41",
                            "allocator_frag_bytes:5980640",
                            "allocator_rss_ratio:1.16",
                            "allocator_rss_bytes:2424832",
                            "rss_overhead_ratio:0.89",
                            "rss_overhead_bytes:-1937408",
                            "mem_fragmentation_ratio:13.13",
                            "mem_fragmentation_bytes:14617608",
                            "mem_not_counted_for_evict:0",
                        ]
                        .map(String::from),
                    );
                    f.push(format!(
                        "mem_replication_backlog:{}",
                        if r.backlog { 20508 } else { 0 }
                    ));
                    f.extend(
                        [
                            "mem_total_replication_buffers:0",
                            "mem_clients_slaves:0",
                            "mem_clients_normal:26256",
                            "mem_cluster_links:0",
                            "mem_aof_buffer:0",
                            "mem_allocator:jemalloc-5.3.0",
                            "mem_overhead_db_hashtable_rehashing:0",
                            "active_defrag_running:0",
                            "lazyfree_pending_objects:0",
                            "lazyfreed_objects:0",
                        ]
                        .map(String::from),
                    );
                }
                "persistence" => {
                    f.push("# Persistence".into());
                    f.extend(
                        [
                            "loading:0",
                            "async_loading:0",
                            "current_cow_peak:0",
                            "current_cow_size:0",
                            "current_cow_size_age:0",
                            "current_fork_perc:0.00",
                            "current_save_keys_processed:0",
                            "current_save_keys_total:0",
                        ]
                        .map(String::from),
                    );
                    f.push(format!("rdb_changes_since_last_save:{}", mem.changes()));
                    f.push("rdb_bgsave_in_progress:0".into());
                    f.push(format!(
                        "rdb_last_save_time:{}",
                        mem.last_save().unix_ms().div_euclid(1000)
                    ));
                    f.extend(
                        [
                            "rdb_last_bgsave_status:ok",
                            "rdb_last_bgsave_time_sec:-1",
                            "rdb_current_bgsave_time_sec:-1",
                            "rdb_saves:0",
                            "rdb_last_cow_size:0",
                            "rdb_last_load_keys_expired:0",
                            "rdb_last_load_keys_loaded:0",
                        ]
                        .map(String::from),
                    );
                    f.push(format!("aof_enabled:{}", u8::from(mem.aof())));
                    f.extend(
                        [
                            "aof_rewrite_in_progress:0",
                            "aof_rewrite_scheduled:0",
                            "aof_last_rewrite_time_sec:-1",
                            "aof_current_rewrite_time_sec:-1",
                            "aof_last_bgrewrite_status:ok",
                            "aof_rewrites:0",
                            "aof_rewrites_consecutive_failures:0",
                            "aof_last_write_status:ok",
                            "aof_last_cow_size:0",
                            "module_fork_in_progress:0",
                            "module_fork_last_cow_size:0",
                        ]
                        .map(String::from),
                    );
                }
                "stats" => {
                    f.push("# Stats".into());
                    f.push(format!("total_connections_received:{}", r.connections));
                    f.push(format!("total_commands_processed:{}", r.commands));
                    f.extend(
                        [
                            "instantaneous_ops_per_sec:0",
                            "total_net_input_bytes:713",
                            "total_net_output_bytes:57022",
                            "total_net_repl_input_bytes:0",
                            "total_net_repl_output_bytes:0",
                            "instantaneous_input_kbps:0.00",
                            "instantaneous_output_kbps:0.00",
                            "instantaneous_input_repl_kbps:0.00",
                            "instantaneous_output_repl_kbps:0.00",
                            "rejected_connections:0",
                        ]
                        .map(String::from),
                    );
                    f.push(format!("sync_full:{}", r.sync_full));
                    f.push(format!("sync_partial_ok:{}", r.sync_partial_ok));
                    f.push(format!("sync_partial_err:{}", r.sync_partial_err));
                    f.extend(
                        [
                            "expired_subkeys:0",
                            "expired_keys:0",
                            "expired_stale_perc:0.00",
                            "expired_time_cap_reached_count:0",
                            "expire_cycle_cpu_milliseconds:2",
                            "evicted_keys:0",
                            "evicted_clients:0",
                            "evicted_scripts:0",
                            "total_eviction_exceeded_time:0",
                            "current_eviction_exceeded_time:0",
                            "keyspace_hits:0",
                            "keyspace_misses:0",
                            "pubsub_channels:0",
                            "pubsub_patterns:0",
                            "pubsubshard_channels:0",
                            "latest_fork_usec:0",
                        ]
                        .map(String::from),
                    );
                    f.push(format!("total_forks:{}", r.forks));
                    f.extend(
                        [
                            "migrate_cached_sockets:0",
                            "slave_expires_tracked_keys:0",
                            "active_defrag_hits:0",
                            "active_defrag_misses:0",
                            "active_defrag_key_hits:0",
                            "active_defrag_key_misses:0",
                            "total_active_defrag_time:0",
                            "current_active_defrag_time:0",
                            "tracking_total_keys:0",
                            "tracking_total_items:0",
                            "tracking_total_prefixes:0",
                            "unexpected_error_replies:0",
                            "total_error_replies:0",
                            "dump_payload_sanitizations:0",
                            "total_reads_processed:0",
                            "total_writes_processed:0",
                            "io_threaded_reads_processed:0",
                            "io_threaded_writes_processed:0",
                            "client_query_buffer_limit_disconnections:0",
                            "client_output_buffer_limit_disconnections:0",
                            "reply_buffer_shrinks:0",
                            "reply_buffer_expands:0",
                            "eventloop_cycles:0",
                            "eventloop_duration_sum:0",
                            "eventloop_duration_cmd_sum:0",
                            "instantaneous_eventloop_cycles_per_sec:9",
                            "instantaneous_eventloop_duration_usec:682",
                            "acl_access_denied_auth:0",
                            "acl_access_denied_cmd:0",
                            "acl_access_denied_key:0",
                            "acl_access_denied_channel:0",
                        ]
                        .map(String::from),
                    );
                }
                "replication" => {
                    f.push("# Replication".into());
                    let online: Vec<&ReplicaLink> =
                        r.replicas.iter().filter(|x| x.online).collect();
                    match &r.master {
                        None => {
                            f.push("role:master".into());
                        }
                        Some((host, port)) => {
                            let up = matches!(r.link, Link::Up { .. });
                            f.push("role:slave".into());
                            f.push(format!("master_host:{host}"));
                            f.push(format!("master_port:{port}"));
                            f.push(format!(
                                "master_link_status:{}",
                                if up { "up" } else { "down" }
                            ));
                            let io = if up {
                                now.saturating_since(r.last_io).as_secs() as i64
                            } else {
                                -1
                            };
                            f.push(format!("master_last_io_seconds_ago:{io}"));
                            f.push(format!(
                                "master_sync_in_progress:{}",
                                u8::from(matches!(r.link, Link::Waiting { .. }))
                            ));
                            let off = replica_offset.max(0);
                            f.push(format!("slave_read_repl_offset:{off}"));
                            f.push(format!("slave_repl_offset:{off}"));
                            if !up {
                                let since = r
                                    .down_since
                                    .map_or(-1, |d| now.saturating_since(d).as_secs() as i64);
                                f.push(format!("master_link_down_since_seconds:{since}"));
                            }
                            f.push("slave_priority:100".into());
                            f.push("slave_read_only:1".into());
                            f.push("replica_announced:1".into());
                        }
                    }
                    f.push(format!("connected_slaves:{}", online.len()));
                    for (i, x) in online.iter().enumerate() {
                        f.push(format!(
                            "slave{i}:ip={},port=6379,state=online,offset={},lag=0",
                            x.ip, r.offset
                        ));
                    }
                    f.push("master_failover_state:no-failover".into());
                    f.push(format!("master_replid:{}", r.replid));
                    f.push(format!("master_replid2:{NO_ID}"));
                    f.push(format!("master_repl_offset:{}", r.offset));
                    f.push("second_repl_offset:-1".into());
                    f.push(format!("repl_backlog_active:{}", u8::from(r.backlog)));
                    f.push("repl_backlog_size:1048576".into());
                    f.push(format!(
                        "repl_backlog_first_byte_offset:{}",
                        u8::from(r.backlog)
                    ));
                    f.push(format!(
                        "repl_backlog_histlen:{}",
                        if r.backlog { r.offset } else { 0 }
                    ));
                }
                "cpu" => {
                    let t = up_s as f64;
                    f.push("# CPU".into());
                    f.push(format!("used_cpu_sys:{:.6}", 0.001_8 * t + 0.01));
                    f.push(format!("used_cpu_user:{:.6}", 0.006 * t + 0.02));
                    f.push("used_cpu_sys_children:0.001039".into());
                    f.push("used_cpu_user_children:0.002030".into());
                    f.push(format!(
                        "used_cpu_sys_main_thread:{:.6}",
                        0.001_7 * t + 0.01
                    ));
                    f.push(format!("used_cpu_user_main_thread:{:.6}", 0.006 * t + 0.02));
                }
                "modules" => f.push("# Modules".into()),
                "errorstats" => f.push("# Errorstats".into()),
                "cluster" => {
                    f.push("# Cluster".into());
                    f.push("cluster_enabled:0".into());
                }
                _ => {
                    f.push("# Keyspace".into());
                    let n = mem.keys.len() + mem.lists.len();
                    if n > 0 {
                        let sub = if version_at_least(&r.version, 7, 4) {
                            ",subexpiry=0"
                        } else {
                            ""
                        };
                        f.push(format!("db0:keys={n},expires=0,avg_ttl=0{sub}"));
                    }
                }
            }
            let mut text = f.join("\r\n");
            text.push_str("\r\n");
            out.push(text);
        }
        RedisReply::Verbatim(out.join("\r\n"))
    }

    /// Counts a command served (INFO's stats).
    pub(crate) fn redis_count_command(&mut self, m: MachineId, id: &str) {
        if let Some(mem) = self.rmem_mut(m, id) {
            mem.repl.commands += 1;
            mem.repl.connections += 1;
        }
    }
}

/// `MAJOR.MINOR…` at least `major.minor`.
fn version_at_least(v: &str, major: u32, minor: u32) -> bool {
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (a, b) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp_sizes_match_the_protocol() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        // *3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n
        assert_eq!(resp_len(&s(&["SET", "a", "1"])), 27);
        assert_eq!(resp_len(&s(&["PING"])), PING_BYTES);
        assert_eq!(resp_len(&s(&["SELECT", "0"])), SELECT_BYTES);
    }

    #[test]
    fn replica_arguments() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            crate::catalog::redis_master_of(&s(&["--replicaof", "redis-master", "6379"])),
            Some(("redis-master".into(), 6379))
        );
        assert_eq!(
            crate::catalog::redis_master_of(&s(&["--slaveof", "m 7000", "--appendonly", "yes"])),
            Some(("m".into(), 7000))
        );
        assert_eq!(
            crate::catalog::redis_master_of(&s(&["--replicaof", "no", "one"])),
            None
        );
        assert_eq!(
            crate::catalog::redis_master_of(&s(&["--appendonly", "yes"])),
            None
        );
    }

    #[test]
    fn versions_compare() {
        assert!(version_at_least("7.4.4", 7, 4));
        assert!(version_at_least("8.0.2", 7, 4));
        assert!(!version_at_least("7.2.5", 7, 4));
    }
}
