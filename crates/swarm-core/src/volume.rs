//! Volumes: each engine's named and anonymous `local` volumes, which hold data.
//!
//! A volume lives on one machine ([`crate::container::Runtime::storage`]); swarm has no
//! cluster-wide local volumes (spec §8.1), so a task that mounts `db-data` on another node gets
//! that node's own, new and empty, `db-data`. Its data is an [`Fs`] of its own: the tree under
//! `Mountpoint` (`/var/lib/docker/volumes/NAME/_data`), what containers see at the mount's
//! target.
//!
//! Volumes are created by `docker volume create`, or on first use by a container or a task
//! that mounts a name that does not exist on its machine (with the mount's labels: a stack's
//! volume carries `com.docker.stack.namespace`), or anonymously (64-hex names) for `-v /path`
//! and for the image's `VOLUME`s. Anonymous volumes go with their container when it was
//! `--rm`, removed with `docker rm -v`, or a task's container the agent removes; named volumes
//! stay until `docker volume rm`/`prune -a` (`docker stack rm` leaves them).
//!
//! The texts are moby's (`daemon/volume/service`): `get NAME: no such volume`,
//! `remove NAME: volume is in use - [ID]`, the local driver's name rule.

use std::collections::BTreeMap;

use crate::container_fs::ContainerFs;
use crate::fs::Fs;
use crate::ids;
use crate::machine::MachineId;
use crate::time::SimTime;
use crate::world::World;

/// The label moby (23+) puts on anonymous volumes.
pub const ANONYMOUS_LABEL: &str = "com.docker.volume.anonymous";

/// The most volumes one engine holds (a bound on everything).
pub const MAX_VOLUMES: usize = 1_000;

/// One volume of an engine.
#[derive(Clone, Debug)]
pub struct Volume {
    /// Its name (64 hex digits for an anonymous volume).
    pub name: String,
    /// `local`.
    pub driver: String,
    /// `Labels`.
    pub labels: BTreeMap<String, String>,
    /// `Options` (`-o type=tmpfs` …), as given.
    pub options: BTreeMap<String, String>,
    /// When it was created.
    pub created_at: SimTime,
    /// Created for `-v /path` or an image `VOLUME`, not by name (labelled
    /// `com.docker.volume.anonymous`, which `docker volume prune` without `-a` looks for).
    pub anonymous: bool,
    /// Created by `docker volume create` (whose empty labels and options show as `{}`, not
    /// `null`).
    pub explicit: bool,
    /// What it holds: the tree below its mountpoint.
    pub data: Fs,
}

impl Volume {
    /// `/var/lib/docker/volumes/NAME/_data`.
    pub fn mountpoint(&self) -> String {
        format!("/var/lib/docker/volumes/{}/_data", self.name)
    }

    /// Bytes its files hold (`docker system df -v`'s SIZE).
    pub fn size(&self) -> u64 {
        self.data.used_bytes()
    }
}

/// What an engine stores besides containers and images: its volumes and each container's own
/// filesystem (see [`crate::container_fs`]), plus the in-memory state of stateful programs.
#[derive(Clone, Debug, Default)]
pub struct Storage {
    /// Volumes by name.
    pub volumes: BTreeMap<String, Volume>,
    /// Each container's filesystem, by container ID.
    pub(crate) filesystems: BTreeMap<String, ContainerFs>,
    /// The keys a running redis holds in memory, by container ID (see `appdata`).
    pub(crate) redis: BTreeMap<String, crate::appdata::RedisMemory>,
}

/// The local driver's rule for volume names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub fn valid_volume_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 2
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// The daemon's error for a name the local driver refuses (`create NAME: …`).
pub fn invalid_name_error(name: &str) -> String {
    if name.len() == 1 {
        return format!(
            "create {name}: volume name is too short, names should be at least two alphanumeric characters"
        );
    }
    format!(
        "create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
    )
}

/// The `-o` keys the local driver accepts (moby `daemon/volume/local`).
const LOCAL_OPTIONS: &[&str] = &["type", "device", "o", "size"];

/// A `docker volume ls` / `prune` filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VolumeFilter {
    /// `dangling=true|false`.
    pub dangling: Option<bool>,
    /// `name=…` (substring match, any of them).
    pub names: Vec<String>,
    /// `label=KEY` or `label=KEY=VALUE` (all of them).
    pub labels: Vec<String>,
    /// `label!=KEY[=VALUE]` (none of them; prune only).
    pub not_labels: Vec<String>,
    /// `driver=…` (any of them).
    pub drivers: Vec<String>,
}

impl VolumeFilter {
    /// Parses `--filter` values; the daemon's `invalid filter '…'` errors.
    pub fn parse(filters: &[String], prune: bool) -> Result<VolumeFilter, String> {
        let mut f = VolumeFilter::default();
        for raw in filters {
            let (key, value, negated) = match raw.split_once("!=") {
                Some((k, v)) if !k.contains('=') => (k, v, true),
                _ => match raw.split_once('=') {
                    Some((k, v)) => (k, v, false),
                    None => return Err("bad format of filter (expected name=value)".to_string()),
                },
            };
            let key = key.trim().to_ascii_lowercase();
            match (key.as_str(), negated) {
                ("dangling", false) if !prune => {
                    f.dangling = Some(match value.to_ascii_lowercase().as_str() {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        _ => return Err(format!("invalid filter 'dangling={value}'")),
                    })
                }
                ("name", false) if !prune => f.names.push(value.to_string()),
                ("driver", false) if !prune => f.drivers.push(value.to_string()),
                ("label", false) => f.labels.push(value.to_string()),
                ("label", true) if prune => f.not_labels.push(value.to_string()),
                ("all", false) if prune => {}
                _ => return Err(format!("invalid filter '{key}'")),
            }
        }
        Ok(f)
    }

    fn label_matches(labels: &BTreeMap<String, String>, want: &str) -> bool {
        match want.split_once('=') {
            Some((k, v)) => labels.get(k).is_some_and(|x| x == v),
            None => labels.contains_key(want),
        }
    }

    fn matches(&self, v: &Volume, in_use: bool) -> bool {
        if let Some(d) = self.dangling {
            if d == in_use {
                return false;
            }
        }
        if !self.names.is_empty() && !self.names.iter().any(|n| v.name.contains(n.as_str())) {
            return false;
        }
        if !self.drivers.is_empty() && !self.drivers.contains(&v.driver) {
            return false;
        }
        if !self
            .labels
            .iter()
            .all(|l| Self::label_matches(&v.labels, l))
        {
            return false;
        }
        !self
            .not_labels
            .iter()
            .any(|l| Self::label_matches(&v.labels, l))
    }
}

impl World {
    fn storage(&self, m: MachineId) -> Option<&Storage> {
        self.machine(m).map(|mc| &mc.runtime.storage)
    }

    pub(crate) fn storage_mut(&mut self, m: MachineId) -> Option<&mut Storage> {
        self.machine_mut(m).map(|mc| &mut mc.runtime.storage)
    }

    /// The volumes of machine `m`, by name.
    pub fn volumes(&self, m: MachineId) -> Vec<&Volume> {
        self.storage(m)
            .map(|s| s.volumes.values().collect())
            .unwrap_or_default()
    }

    /// The volume `name` of machine `m`.
    pub fn volume(&self, m: MachineId, name: &str) -> Option<&Volume> {
        self.storage(m)?.volumes.get(name)
    }

    /// The containers (full IDs, oldest first) that mount volume `name`, in any state.
    pub fn volume_users(&self, m: MachineId, name: &str) -> Vec<String> {
        let Some(s) = self.storage(m) else {
            return Vec::new();
        };
        self.containers(m)
            .iter()
            .filter(|c| {
                s.filesystems
                    .get(&c.id)
                    .is_some_and(|f| f.uses_volume(name))
            })
            .map(|c| c.id.clone())
            .collect()
    }

    /// The volumes `docker volume ls` lists with these filters (already parsed).
    pub fn volume_list(&self, m: MachineId, filter: &VolumeFilter) -> Vec<&Volume> {
        self.volumes(m)
            .into_iter()
            .filter(|v| filter.matches(v, !self.volume_users(m, &v.name).is_empty()))
            .collect()
    }

    /// `docker volume create`: an existing volume of that name is returned as it is (the
    /// daemon's create is idempotent); `None` gets a random 64-hex name. Returns the name.
    pub fn volume_create(
        &mut self,
        m: MachineId,
        name: Option<&str>,
        driver: &str,
        labels: BTreeMap<String, String>,
        options: BTreeMap<String, String>,
    ) -> Result<String, String> {
        let driver = if driver.is_empty() { "local" } else { driver };
        if let Some(n) = name {
            if !valid_volume_name(n) {
                return Err(invalid_name_error(n));
            }
        }
        let shown = name.unwrap_or("");
        if driver != "local" {
            return Err(format!(
                "create {shown}: error looking up volume plugin {driver}: plugin \"{driver}\" not found"
            ));
        }
        if let Some(bad) = options
            .keys()
            .find(|k| !LOCAL_OPTIONS.contains(&k.as_str()))
        {
            return Err(format!("create {shown}: invalid option key: \"{bad}\""));
        }
        if let Some(n) = name {
            if let Some(v) = self.volume(m, n) {
                return Ok(v.name.clone());
            }
        }
        let name = self.volume_ensure(m, name, labels, options, false)?;
        if let Some(v) = self.storage_mut(m).and_then(|s| s.volumes.get_mut(&name)) {
            v.explicit = true;
        }
        Ok(name)
    }

    /// Creates the volume unless it exists (first use by a container or a task); an anonymous
    /// volume (`name` None) gets a fresh 64-hex name. Returns its name.
    pub(crate) fn volume_ensure(
        &mut self,
        m: MachineId,
        name: Option<&str>,
        labels: BTreeMap<String, String>,
        options: BTreeMap<String, String>,
        anonymous: bool,
    ) -> Result<String, String> {
        if self.machine(m).is_none() {
            return Err("no such machine".to_string());
        }
        if let Some(n) = name {
            if self.volume(m, n).is_some() {
                return Ok(n.to_string());
            }
            if !valid_volume_name(n) {
                return Err(invalid_name_error(n));
            }
        }
        if self.volumes(m).len() >= MAX_VOLUMES {
            return Err(format!(
                "the playground's engines hold at most {MAX_VOLUMES} volumes"
            ));
        }
        let name = match name {
            Some(n) => n.to_string(),
            None => {
                let mut id = ids::hex_id(self.rng("volumes"));
                while self.volume(m, &id).is_some() {
                    id = ids::hex_id(self.rng("volumes"));
                }
                id
            }
        };
        let now = self.now();
        let mut labels = labels;
        if anonymous {
            labels.insert(ANONYMOUS_LABEL.to_string(), String::new());
        }
        self.record(format!("volume-create {m} {name}"));
        if let Some(s) = self.storage_mut(m) {
            s.volumes.insert(
                name.clone(),
                Volume {
                    name: name.clone(),
                    driver: "local".into(),
                    labels,
                    options,
                    created_at: now,
                    anonymous,
                    explicit: false,
                    data: Fs::new(now),
                },
            );
        }
        Ok(name)
    }

    /// `docker volume rm [-f] NAME`: refused while a container (in any state) mounts it;
    /// `force` only makes a missing volume no error.
    pub fn volume_remove(&mut self, m: MachineId, name: &str, force: bool) -> Result<(), String> {
        if self.volume(m, name).is_none() {
            if force {
                return Ok(());
            }
            return Err(format!("get {name}: no such volume"));
        }
        let users = self.volume_users(m, name);
        if !users.is_empty() {
            return Err(format!(
                "remove {name}: volume is in use - [{}]",
                users.join(", ")
            ));
        }
        self.record(format!("volume-rm {m} {name}"));
        if let Some(s) = self.storage_mut(m) {
            s.volumes.remove(name);
        }
        Ok(())
    }

    /// `docker volume prune`: removes the unused volumes that match (only anonymous ones
    /// unless `all`, as docker 23+ does). Returns their names and the bytes reclaimed.
    pub fn volume_prune(
        &mut self,
        m: MachineId,
        all: bool,
        filter: &VolumeFilter,
    ) -> (Vec<String>, u64) {
        let picked: Vec<(String, u64)> = self
            .volumes(m)
            .into_iter()
            .filter(|v| all || v.anonymous)
            .filter(|v| filter.matches(v, false))
            .filter(|v| self.volume_users(m, &v.name).is_empty())
            .map(|v| (v.name.clone(), v.size()))
            .collect();
        let mut names = Vec::new();
        let mut bytes = 0;
        for (n, size) in picked {
            if self.volume_remove(m, &n, false).is_ok() {
                names.push(n);
                bytes += size;
            }
        }
        (names, bytes)
    }
}
