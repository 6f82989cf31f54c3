//! What stateful programs keep, in their container's filesystem (so in their volumes).
//!
//! A catalog behaviour may declare a data directory ([`crate::catalog::DataDir`]): postgres's
//! `PGDATA`, redis's `/data`. When a run starts, [`World::app_run_starting`] looks for the
//! directory's marker file (`PG_VERSION`, `dump.rdb`): present, the run uses the program's
//! *warm* variant (postgres logs "…appears to contain a database; Skipping initialization"
//! instead of running initdb); absent, the first start writes the behaviour's init files (so
//! the next start, in a new container on the same volume, is warm).
//!
//! Redis keeps its keys in memory while it runs ([`RedisMemory`], per container) and on disk
//! in `/data/dump.rdb`: loaded at start, written by `SAVE`/`BGSAVE`, by a graceful stop
//! ("Saving the final RDB snapshot before exiting"), and by the default `save 3600 1 300 100
//! 60 10000` rule; with `--appendonly yes` every write reaches `/data/appendonly.aof` at once.
//! A container killed (`docker rm -f`, SIGKILL, power loss) loses what was not saved, as the
//! real one does. The dump is text (a header, then `key<TAB>value` lines with `\t`, `\n` and
//! `\\` escaped), so `cat /data/dump.rdb` shows what is kept.

use crate::sort::CollectBTree as _;
use std::collections::BTreeMap;

use crate::machine::MachineId;
use crate::time::{SimDuration, SimTime};
use crate::world::World;

/// The most keys one redis holds (a bound on everything).
pub const MAX_REDIS_KEYS: usize = 10_000;
/// The longest value one key holds.
pub const MAX_REDIS_VALUE: usize = 64 * 1024;

/// A running redis's dataset.
#[derive(Clone, Debug, Default)]
pub struct RedisMemory {
    /// Keys and their string values.
    pub keys: BTreeMap<String, String>,
    /// Keys holding lists (`RPUSH votes …`), head first.
    pub lists: BTreeMap<String, Vec<String>>,
    /// Writes since the last save.
    changes: u64,
    /// When it last saved (or started).
    last_save: SimTime,
    /// `--appendonly yes`.
    aof: bool,
    /// Its data directory.
    dir: String,
    /// Replication (see [`crate::redis_repl`]).
    pub(crate) repl: crate::redis_repl::Repl,
}

impl RedisMemory {
    /// Writes since the last save.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// When it last saved (or started).
    pub fn last_save(&self) -> SimTime {
        self.last_save
    }

    /// `--appendonly yes`.
    pub fn aof(&self) -> bool {
        self.aof
    }
}

/// A reply of redis, as `redis-cli` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedisReply {
    /// `+OK`.
    Status(String),
    /// `-ERR …`.
    Error(String),
    /// `:1`.
    Int(i64),
    /// A bulk string, or nil.
    Bulk(Option<String>),
    /// An array of bulk strings.
    Array(Vec<String>),
    /// An array of replies (`ROLE`).
    Nested(Vec<RedisReply>),
    /// A bulk string redis-cli prints as it is (`INFO`'s, `\r\n` line ends).
    Verbatim(String),
}

/// A value as one line of a data file: `\\`, tab and newline escaped.
pub(crate) fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

/// The inverse of [`escape`].
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

/// The dump file's text for a keyspace: `key<TAB>value` lines, then one
/// `\l<TAB>key<TAB>element…` line per list (escaping never makes a line start with `\l`).
fn dump(keys: &BTreeMap<String, String>, lists: &BTreeMap<String, Vec<String>>) -> String {
    let mut s = String::from("REDIS0011\n");
    for (k, v) in keys {
        s.push_str(&escape(k));
        s.push('\t');
        s.push_str(&escape(v));
        s.push('\n');
    }
    for (k, items) in lists {
        s.push_str("\\l\t");
        s.push_str(&escape(k));
        for v in items {
            s.push('\t');
            s.push_str(&escape(v));
        }
        s.push('\n');
    }
    s
}

/// Reads a dump file back (lines that are not `key<TAB>value` are skipped).
fn load(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .skip(1)
        .filter(|l| !l.starts_with("\\l\t"))
        .filter_map(|l| l.split_once('\t'))
        .take(MAX_REDIS_KEYS)
        .map(|(k, v)| (unescape(k), unescape(v)))
        .btree_map()
}

/// The lists of a dump file.
fn load_lists(text: &str) -> BTreeMap<String, Vec<String>> {
    text.lines()
        .skip(1)
        .filter_map(|l| l.strip_prefix("\\l\t"))
        .take(MAX_REDIS_KEYS)
        .filter_map(|l| {
            let mut parts = l.split('\t').map(unescape);
            let key = parts.next()?;
            Some((key, parts.take(MAX_REDIS_KEYS).collect()))
        })
        .collect()
}

/// redis's `KEYS` glob: `*`, `?` and literal characters (`\` escapes one).
fn glob(pattern: &[char], s: &[char]) -> bool {
    match pattern.split_first() {
        None => s.is_empty(),
        Some(('*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..])),
        Some(('?', rest)) => !s.is_empty() && glob(rest, &s[1..]),
        Some(('\\', rest)) if !rest.is_empty() => {
            s.first() == rest.first() && glob(&rest[1..], &s[1..])
        }
        Some((c, rest)) => s.first() == Some(c) && glob(rest, &s[1..]),
    }
}

fn is_redis(argv: &[String]) -> bool {
    argv.iter()
        .any(|a| a.rsplit('/').next().unwrap_or(a) == "redis-server")
}

impl World {
    /// A run of container `id` is starting: true when its program's data is already there
    /// (the run uses the warm variant). A first start writes the program's init files; redis
    /// loads its dump.
    pub(crate) fn app_run_starting(&mut self, m: MachineId, id: &str) -> bool {
        self.refresh_hosts_file(m, id);
        let Some(c) = self.container(m, id) else {
            return false;
        };
        let cold = c.program.variant_ref(false);
        let Some(data) = cold.data().cloned() else {
            return false;
        };
        let argv = c.program.argv();
        let dir = data.dir.trim_end_matches('/').to_string();
        let marker = format!("{dir}/{}", data.marker);
        let warm = self.container_stat(m, id, &marker).is_ok();
        if !warm && !data.init.is_empty() {
            let _ = self.container_mkdir(m, id, &dir, true);
            for (name, text) in &data.init {
                let _ =
                    self.container_write(m, id, &format!("{dir}/{name}"), text.as_bytes(), false);
            }
        }
        if is_redis(&argv) {
            let aof = argv
                .windows(2)
                .any(|w| w[0] == "--appendonly" && w[1].eq_ignore_ascii_case("yes"));
            let aof_path = format!("{dir}/appendonly.aof");
            let text = if aof && self.container_stat(m, id, &aof_path).is_ok() {
                self.container_read(m, id, &aof_path).ok()
            } else {
                self.container_read(m, id, &marker).ok()
            };
            let text = text
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            let keys = load(&text);
            let lists = load_lists(&text);
            let now = self.now();
            let server_args: Vec<String> = argv
                .iter()
                .position(|a| a.rsplit('/').next().unwrap_or(a) == "redis-server")
                .map(|i| argv[i + 1..].to_vec())
                .unwrap_or_default();
            let version = c_version(self, m, id);
            let mut repl = crate::redis_repl::Repl::new(id, now, &server_args, &version);
            if repl.master.is_none() {
                repl.master = self.redis_conf_master(m, id, &server_args);
            }
            if let Some(s) = self.storage_mut(m) {
                s.redis.insert(
                    id.to_string(),
                    RedisMemory {
                        keys,
                        lists,
                        changes: 0,
                        last_save: now,
                        aof,
                        dir,
                        repl,
                    },
                );
            }
        }
        warm
    }

    /// The engine writes `/etc/hosts` again at every start, with the container's address on
    /// its first network.
    fn refresh_hosts_file(&mut self, m: MachineId, id: &str) {
        let Some(c) = self.container(m, id) else {
            return;
        };
        let hostname = c.config.hostname.clone();
        let addr = self
            .container_attachments(m, id)
            .into_iter()
            .find_map(|a| a.endpoint.map(|e| e.addr.to_string()))
            .or_else(|| c.config.addresses.first().cloned());
        let text = crate::container_fs::hosts_file(&hostname, addr.as_deref());
        let now = self.now();
        if let Some(cfs) = self.storage_mut(m).and_then(|s| s.filesystems.get_mut(id)) {
            cfs.layer.write_hosts(text, now);
        }
    }

    /// A run of container `id` ended (`graceful`: by itself or on its stop signal, not
    /// killed): redis saves on a graceful end, then its memory is gone.
    pub(crate) fn app_run_ended(&mut self, m: MachineId, id: &str, graceful: bool) {
        let Some(mem) = self.storage_mut(m).and_then(|s| s.redis.remove(id)) else {
            return;
        };
        self.redis_ended(m, id, &mem);
        let now = self.now();
        if graceful || autosave_due(&mem, now) {
            self.redis_save(m, id, &mem);
        }
    }

    /// The `replicaof`/`slaveof` line of the config file redis-server was given
    /// (`redis-server /usr/local/etc/redis/redis.conf`).
    fn redis_conf_master(&self, m: MachineId, id: &str, args: &[String]) -> Option<(String, u16)> {
        let conf = args.first().filter(|a| !a.starts_with('-'))?;
        let text = self.container_read(m, id, conf).ok()?;
        let text = String::from_utf8_lossy(&text);
        let mut found = None;
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let [k, rest @ ..] = words.as_slice() {
                if k.eq_ignore_ascii_case("replicaof") || k.eq_ignore_ascii_case("slaveof") {
                    let args: Vec<String> = std::iter::once("--replicaof".to_string())
                        .chain(rest.iter().map(|w| w.to_string()))
                        .collect();
                    found = crate::catalog::redis_master_of(&args);
                }
            }
        }
        found
    }

    pub(crate) fn redis_save_mem(&mut self, m: MachineId, id: &str, mem: &RedisMemory) {
        self.redis_save(m, id, mem);
    }

    fn redis_save(&mut self, m: MachineId, id: &str, mem: &RedisMemory) {
        let text = dump(&mem.keys, &mem.lists);
        let _ = self.container_mkdir(m, id, &mem.dir, true);
        let _ = self.container_write(
            m,
            id,
            &format!("{}/dump.rdb", mem.dir),
            text.as_bytes(),
            false,
        );
    }

    /// True while container `id` runs a redis server.
    pub fn redis_running(&self, m: MachineId, id: &str) -> bool {
        self.machine(m)
            .is_some_and(|mc| mc.runtime.storage.redis.contains_key(id))
    }

    /// The keys the redis of container `id` holds now (empty when it does not run one).
    pub fn redis_keys(&self, m: MachineId, id: &str) -> BTreeMap<String, String> {
        self.machine(m)
            .and_then(|mc| mc.runtime.storage.redis.get(id))
            .map(|r| r.keys.clone())
            .unwrap_or_default()
    }

    /// One redis command against the server of container `id` (`redis-cli` inside it, or an
    /// app that counts in redis). `None` when no redis runs there.
    pub fn redis_command(&mut self, m: MachineId, id: &str, args: &[String]) -> Option<RedisReply> {
        let mem = self.storage_mut(m)?.redis.get(id)?.clone();
        let cmd = args
            .first()
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_default();
        self.redis_count_command(m, id);
        self.record(format!("redis {m} {} {cmd}", &id[..id.len().min(12)]));
        let a = args.get(1..).unwrap_or_default();
        match cmd.as_str() {
            "info" => return Some(self.redis_info(m, id, a)),
            "role" if a.is_empty() => return Some(self.redis_role(m, id)),
            "replicaof" | "slaveof" if a.len() != 2 => return Some(wrong_args(&cmd)),
            "replicaof" | "slaveof" => return Some(self.redis_replicaof(m, id, a)),
            "config" => return Some(config(&mem, a)),
            _ => {}
        }
        if crate::redis_repl::is_write(&cmd) && mem.repl.master.is_some() {
            return Some(RedisReply::Error(
                "READONLY You can't write against a read only replica.".into(),
            ));
        }
        let mut mem = mem;
        let reply = redis_apply(&mut mem, args);
        let wrote = crate::redis_repl::is_write(&cmd) && !matches!(reply, RedisReply::Error(_));
        self.redis_store(m, id, mem, wrote, &cmd);
        if wrote {
            self.redis_propagate(m, id, args);
        }
        Some(reply)
    }

    /// Keeps a server's dataset after command `cmd` (`wrote`: it changed it): the save rules,
    /// `SAVE`/`BGSAVE`, and the append-only file.
    pub(crate) fn redis_store(
        &mut self,
        m: MachineId,
        id: &str,
        mut mem: RedisMemory,
        wrote: bool,
        cmd: &str,
    ) {
        let now = self.now();
        if wrote {
            mem.changes += 1;
        }
        let save_now = cmd == "save" || cmd == "bgsave" || autosave_due(&mem, now);
        if save_now {
            mem.changes = 0;
            mem.last_save = now;
        }
        if let Some(s) = self.storage_mut(m) {
            s.redis.insert(id.to_string(), mem.clone());
        }
        if save_now {
            self.redis_save(m, id, &mem);
        }
        if wrote && mem.aof {
            let _ = self.container_write(
                m,
                id,
                &format!("{}/appendonly.aof", mem.dir),
                dump(&mem.keys, &mem.lists).as_bytes(),
                false,
            );
        }
    }
}

/// The server's version (`REDIS_VERSION` of its image).
fn c_version(w: &World, m: MachineId, id: &str) -> String {
    w.container(m, id)
        .and_then(|c| c.program.env_var("REDIS_VERSION"))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "7.4.4".into())
}

/// `CONFIG GET PATTERN…` over the settings labs look at (`CONFIG SET` is not kept).
fn config(mem: &RedisMemory, a: &[String]) -> RedisReply {
    let Some(sub) = a.first().map(|s| s.to_ascii_lowercase()) else {
        return wrong_args("config");
    };
    if sub != "get" {
        if sub == "set" || sub == "resetstat" || sub == "rewrite" {
            return RedisReply::Status("OK".into());
        }
        return RedisReply::Error(format!(
            "ERR unknown subcommand '{}'. Try CONFIG HELP.",
            a[0]
        ));
    }
    if a.len() < 2 {
        return wrong_args("config|get");
    }
    let replicaof = mem
        .repl
        .master
        .as_ref()
        .map(|(h, p)| format!("{h} {p}"))
        .unwrap_or_default();
    let settings: Vec<(&str, String)> = vec![
        ("appendonly", if mem.aof { "yes" } else { "no" }.into()),
        ("bind", "* -::*".into()),
        ("databases", "16".into()),
        ("dbfilename", "dump.rdb".into()),
        ("dir", mem.dir.clone()),
        ("maxclients", "10000".into()),
        ("maxmemory", "0".into()),
        ("maxmemory-policy", "noeviction".into()),
        ("port", "6379".into()),
        ("protected-mode", "no".into()),
        ("repl-diskless-sync", "yes".into()),
        ("repl-diskless-sync-delay", "5".into()),
        ("replica-read-only", "yes".into()),
        ("replicaof", replicaof.clone()),
        ("save", "3600 1 300 100 60 10000".into()),
        ("slave-read-only", "yes".into()),
        ("slaveof", replicaof),
    ];
    let mut out = Vec::new();
    for (k, v) in &settings {
        let hit = a[1..].iter().any(|p| {
            glob(
                &p.to_ascii_lowercase().chars().collect::<Vec<_>>(),
                &k.chars().collect::<Vec<_>>(),
            )
        });
        if hit {
            out.push(k.to_string());
            out.push(v.clone());
        }
    }
    RedisReply::Array(out)
}

/// redis's default `save 3600 1 300 100 60 10000`.
fn autosave_due(mem: &RedisMemory, now: SimTime) -> bool {
    let elapsed = now.saturating_since(mem.last_save);
    let s = |n: u64| SimDuration::from_secs(n);
    mem.changes > 0
        && (elapsed >= s(3600)
            || elapsed >= s(300) && mem.changes >= 100
            || elapsed >= s(60) && mem.changes >= 10_000)
}

fn wrong_args(cmd: &str) -> RedisReply {
    RedisReply::Error(format!("ERR wrong number of arguments for '{cmd}' command"))
}

fn not_int() -> RedisReply {
    RedisReply::Error("ERR value is not an integer or out of range".into())
}

fn full(mem: &RedisMemory, key: &str) -> bool {
    mem.keys.len() >= MAX_REDIS_KEYS && !mem.keys.contains_key(key)
}

fn oom() -> RedisReply {
    RedisReply::Error("OOM command not allowed when used memory > 'maxmemory'.".into())
}

fn wrong_type() -> RedisReply {
    RedisReply::Error("WRONGTYPE Operation against a key holding the wrong kind of value".into())
}

/// The list commands, and the type checks of the string commands on list keys; `None` for
/// the others.
fn list_apply(mem: &mut RedisMemory, cmd: &str, a: &[String]) -> Option<RedisReply> {
    let on_list = a.first().is_some_and(|k| mem.lists.contains_key(k));
    let on_string = a.first().is_some_and(|k| mem.keys.contains_key(k));
    Some(match cmd {
        "get" | "incr" | "decr" | "incrby" | "decrby" | "append" | "strlen" | "getset"
            if on_list =>
        {
            wrong_type()
        }
        "set" if a.len() >= 2 => {
            mem.lists.remove(&a[0]);
            return None;
        }
        "rpush" | "lpush" | "lpop" | "rpop" | "llen" | "lrange" if on_string => wrong_type(),
        "rpush" | "lpush" => {
            if a.len() < 2 {
                return Some(wrong_args(cmd));
            }
            let fresh = !mem.lists.contains_key(&a[0]);
            if fresh && mem.keys.len() + mem.lists.len() >= MAX_REDIS_KEYS
                || a[1..].iter().any(|v| v.len() > MAX_REDIS_VALUE)
            {
                return Some(oom());
            }
            let list = mem.lists.entry(a[0].clone()).or_default();
            if list.len() + a.len() > MAX_REDIS_KEYS {
                return Some(oom());
            }
            for v in &a[1..] {
                if cmd == "rpush" {
                    list.push(v.clone());
                } else {
                    list.insert(0, v.clone());
                }
            }
            RedisReply::Int(list.len() as i64)
        }
        "lpop" | "rpop" => {
            let [k] = a else {
                return Some(wrong_args(cmd));
            };
            let Some(list) = mem.lists.get_mut(k) else {
                return Some(RedisReply::Bulk(None));
            };
            let v = if cmd == "lpop" {
                (!list.is_empty()).then(|| list.remove(0))
            } else {
                list.pop()
            };
            if list.is_empty() {
                mem.lists.remove(k);
            }
            RedisReply::Bulk(v)
        }
        "llen" => match a {
            [k] => RedisReply::Int(mem.lists.get(k).map_or(0, |l| l.len() as i64)),
            _ => wrong_args(cmd),
        },
        "lrange" => {
            let [k, start, stop] = a else {
                return Some(wrong_args(cmd));
            };
            let (Ok(start), Ok(stop)) = (start.parse::<i64>(), stop.parse::<i64>()) else {
                return Some(not_int());
            };
            let list = mem.lists.get(k).map(Vec::as_slice).unwrap_or_default();
            let n = list.len() as i64;
            let norm = |i: i64| if i < 0 { (n + i).max(0) } else { i };
            let (lo, hi) = (norm(start), norm(stop).min(n - 1));
            if lo > hi || lo >= n {
                RedisReply::Array(Vec::new())
            } else {
                RedisReply::Array(list[lo as usize..=hi as usize].to_vec())
            }
        }
        "del" | "unlink" | "exists" if !a.is_empty() => {
            let mut n = 0;
            for k in a {
                let hit = if cmd == "exists" {
                    mem.keys.contains_key(k) || mem.lists.contains_key(k)
                } else {
                    let s = mem.keys.remove(k).is_some();
                    mem.lists.remove(k).is_some() || s
                };
                n += i64::from(hit);
            }
            RedisReply::Int(n)
        }
        "dbsize" if a.is_empty() => RedisReply::Int((mem.keys.len() + mem.lists.len()) as i64),
        "flushall" | "flushdb" => {
            mem.lists.clear();
            return None;
        }
        "keys" if a.len() == 1 => {
            let pat: Vec<char> = a[0].chars().collect();
            let mut all: Vec<String> = mem
                .keys
                .keys()
                .chain(mem.lists.keys())
                .filter(|k| glob(&pat, &k.chars().collect::<Vec<_>>()))
                .cloned()
                .collect();
            crate::sort::sort(&mut all);
            RedisReply::Array(all)
        }
        _ => return None,
    })
}

pub(crate) fn redis_apply(mem: &mut RedisMemory, args: &[String]) -> RedisReply {
    let Some(first) = args.first() else {
        return RedisReply::Error("ERR unknown command ''".into());
    };
    let cmd = first.to_ascii_lowercase();
    let a = &args[1..];
    if let Some(reply) = list_apply(mem, &cmd, a) {
        return reply;
    }
    let ok = || RedisReply::Status("OK".into());
    match cmd.as_str() {
        "ping" => match a {
            [] => RedisReply::Status("PONG".into()),
            [m] => RedisReply::Bulk(Some(m.clone())),
            _ => wrong_args(&cmd),
        },
        "echo" => match a {
            [m] => RedisReply::Bulk(Some(m.clone())),
            _ => wrong_args(&cmd),
        },
        "set" | "setnx" | "getset" => {
            if a.len() < 2 || (cmd != "set" && a.len() != 2) {
                return wrong_args(&cmd);
            }
            if full(mem, &a[0]) || a[1].len() > MAX_REDIS_VALUE {
                return oom();
            }
            if cmd == "setnx" {
                if mem.keys.contains_key(&a[0]) {
                    return RedisReply::Int(0);
                }
                mem.keys.insert(a[0].clone(), a[1].clone());
                return RedisReply::Int(1);
            }
            let old = mem.keys.insert(a[0].clone(), a[1].clone());
            if cmd == "getset" {
                RedisReply::Bulk(old)
            } else {
                ok()
            }
        }
        "get" => match a {
            [k] => RedisReply::Bulk(mem.keys.get(k).cloned()),
            _ => wrong_args(&cmd),
        },
        "mget" if !a.is_empty() => RedisReply::Array(
            a.iter()
                .map(|k| mem.keys.get(k).cloned().unwrap_or_default())
                .collect(),
        ),
        "mset" if !a.is_empty() && a.len().is_multiple_of(2) => {
            for pair in a.chunks(2) {
                if full(mem, &pair[0]) {
                    return oom();
                }
                mem.keys.insert(pair[0].clone(), pair[1].clone());
            }
            ok()
        }
        "incr" | "decr" | "incrby" | "decrby" => {
            let by_arg = cmd.ends_with("by");
            if a.len() != if by_arg { 2 } else { 1 } {
                return wrong_args(&cmd);
            }
            let by: i64 = if by_arg {
                match a[1].parse() {
                    Ok(n) => n,
                    Err(_) => return not_int(),
                }
            } else {
                1
            };
            let by = if cmd.starts_with("decr") {
                by.checked_neg()
            } else {
                Some(by)
            };
            let cur: i64 = match mem.keys.get(&a[0]) {
                None => 0,
                Some(v) => match v.parse() {
                    Ok(n) => n,
                    Err(_) => return not_int(),
                },
            };
            if full(mem, &a[0]) {
                return oom();
            }
            match by.and_then(|b| cur.checked_add(b)) {
                Some(n) => {
                    mem.keys.insert(a[0].clone(), n.to_string());
                    RedisReply::Int(n)
                }
                None => RedisReply::Error("ERR increment or decrement would overflow".into()),
            }
        }
        "append" => match a {
            [k, v] => {
                if full(mem, k) {
                    return oom();
                }
                let e = mem.keys.entry(k.clone()).or_default();
                if e.len() + v.len() > MAX_REDIS_VALUE {
                    return oom();
                }
                e.push_str(v);
                RedisReply::Int(e.len() as i64)
            }
            _ => wrong_args(&cmd),
        },
        "strlen" => match a {
            [k] => RedisReply::Int(mem.keys.get(k).map_or(0, |v| v.len() as i64)),
            _ => wrong_args(&cmd),
        },
        "del" | "unlink" | "exists" if !a.is_empty() => {
            let mut n = 0;
            for k in a {
                let hit = if cmd == "exists" {
                    mem.keys.contains_key(k)
                } else {
                    mem.keys.remove(k).is_some()
                };
                n += i64::from(hit);
            }
            RedisReply::Int(n)
        }
        "keys" => match a {
            [p] => {
                let pat: Vec<char> = p.chars().collect();
                RedisReply::Array(
                    mem.keys
                        .keys()
                        .filter(|k| glob(&pat, &k.chars().collect::<Vec<_>>()))
                        .cloned()
                        .collect(),
                )
            }
            _ => wrong_args(&cmd),
        },
        "dbsize" if a.is_empty() => RedisReply::Int(mem.keys.len() as i64),
        "flushall" | "flushdb" => {
            mem.keys.clear();
            ok()
        }
        "save" if a.is_empty() => ok(),
        "bgsave" => RedisReply::Status("Background saving started".into()),
        "mget" | "mset" | "del" | "unlink" | "exists" | "dbsize" | "save" => wrong_args(&cmd),
        _ => {
            let mut msg = format!("ERR unknown command '{first}', with args beginning with: ");
            for x in a {
                msg.push_str(&format!("'{x}' "));
            }
            RedisReply::Error(msg)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dumps_round_trip_with_escapes() {
        let mut k = BTreeMap::new();
        k.insert("a\tb".to_string(), "line\nnext\\".to_string());
        k.insert("hits".to_string(), "3".to_string());
        let mut l = BTreeMap::new();
        l.insert(
            "votes".to_string(),
            vec!["{\"a\":1}".to_string(), "x\ty".to_string()],
        );
        assert_eq!(load(&dump(&k, &l)), k);
        assert_eq!(load_lists(&dump(&k, &l)), l);
    }

    #[test]
    fn keys_globs_like_redis() {
        let g = |p: &str, s: &str| {
            glob(
                &p.chars().collect::<Vec<_>>(),
                &s.chars().collect::<Vec<_>>(),
            )
        };
        assert!(g("*", "anything"));
        assert!(g("h?ts", "hits"));
        assert!(g("user:*", "user:1"));
        assert!(!g("user:*", "users"));
    }

    #[test]
    fn counters_and_errors() {
        let mut m = RedisMemory::default();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            redis_apply(&mut m, &s(&["INCR", "hits"])),
            RedisReply::Int(1)
        );
        assert_eq!(
            redis_apply(&mut m, &s(&["incrby", "hits", "4"])),
            RedisReply::Int(5)
        );
        assert_eq!(
            redis_apply(&mut m, &s(&["set", "name", "x"])),
            RedisReply::Status("OK".into())
        );
        assert_eq!(redis_apply(&mut m, &s(&["incr", "name"])), not_int());
        assert_eq!(redis_apply(&mut m, &s(&["get"])), wrong_args("get"));
        assert_eq!(
            redis_apply(&mut m, &s(&["foo", "a"])),
            RedisReply::Error("ERR unknown command 'foo', with args beginning with: 'a' ".into())
        );
    }
}
