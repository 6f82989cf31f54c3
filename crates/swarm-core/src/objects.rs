//! Configs and secrets: small named blobs stored in the cluster (spec §8.2), as swarmkit's
//! `manager/controlapi/{secret,config}.go` and the daemon's `cluster/{secrets,configs}.go`
//! keep them.
//!
//! Both kinds are the same object ([`StoredObject`]) in two maps of the [`Swarm`]; the
//! [`ObjectKind`] says which, and gives the daemon's words and limits. Creating, updating
//! (labels only) and removing are Raft operations (`Op::Object`) applied on commit, like
//! networks. Services reference them by ID and name ([`crate::service::FileRef`]); removal
//! is refused while a service does.
//!
//! IDs come from their own random stream (`objects`), so creating secrets never shifts the
//! IDs of nodes, services, tasks or networks.

use std::collections::BTreeMap;

use crate::ids;
use crate::machine::MachineId;
use crate::service::{FileRef, ServiceSpec};
use crate::swarm::{rpc, ApiResult, Op, OpHandle, Swarm};
use crate::time::SimTime;
use crate::world::World;

/// Secrets are below 500 KiB (swarmkit `MaxSecretSize`).
pub const MAX_SECRET_SIZE: usize = 500 * 1024;
/// Configs are below 1000 KiB (swarmkit `MaxConfigSize`).
pub const MAX_CONFIG_SIZE: usize = 1000 * 1024;
/// Where secrets are mounted when their target is relative.
pub const SECRETS_DIR: &str = "/run/secrets";

/// Which of the two object kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObjectKind {
    /// `docker secret`.
    Secret,
    /// `docker config`.
    Config,
}

impl ObjectKind {
    /// `secret` / `config`, as the daemon's texts say it.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Secret => "secret",
            ObjectKind::Config => "config",
        }
    }

    /// The size limit (data must be shorter).
    pub fn max_size(self) -> usize {
        match self {
            ObjectKind::Secret => MAX_SECRET_SIZE,
            ObjectKind::Config => MAX_CONFIG_SIZE,
        }
    }

    /// Where a reference with this `target` (`File.Name`) appears in a container:
    /// `/run/secrets/NAME` or `/NAME`; absolute targets as they are.
    pub fn mount_path(self, target: &str) -> String {
        if target.starts_with('/') {
            return target.to_string();
        }
        match self {
            ObjectKind::Secret => format!("{SECRETS_DIR}/{target}"),
            ObjectKind::Config => format!("/{target}"),
        }
    }
}

/// A secret or config in the cluster's store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    /// 25-character ID.
    pub id: String,
    /// `Spec.Name`.
    pub name: String,
    /// `Spec.Labels`.
    pub labels: BTreeMap<String, String>,
    /// `Spec.Data` (never shown for secrets).
    pub data: Vec<u8>,
    /// `Spec.Templating.Name` (`--template-driver`), if any.
    pub templating: Option<String>,
    /// `Spec.Driver.Name` (secrets from an external store), if any.
    pub driver: Option<String>,
    /// Creation time.
    pub created_at: SimTime,
    /// Last update (labels) time.
    pub updated_at: SimTime,
    /// Store version (`Version.Index`).
    pub version: u64,
}

/// What `docker secret create` / `docker config create` send.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectSpec {
    /// Name.
    pub name: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// The payload.
    pub data: Vec<u8>,
    /// Template driver (`golang`), if any.
    pub templating: Option<String>,
    /// Secret driver, if any.
    pub driver: Option<String>,
}

/// An object write waiting for its Raft entry.
#[derive(Clone, Debug)]
pub enum ObjectOp {
    /// Create.
    Create(ObjectKind, Box<StoredObject>),
    /// Replace the labels of the object with this ID.
    Update {
        /// Kind.
        kind: ObjectKind,
        /// ID.
        id: String,
        /// New labels.
        labels: BTreeMap<String, String>,
    },
    /// Remove the object with this ID.
    Remove(ObjectKind, String),
}

/// swarmkit's `isValidConfigOrSecretName`: `^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$`.
pub fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    let (Some(first), Some(last)) = (b.first(), b.last()) else {
        return false;
    };
    name.len() <= 64
        && first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// The daemon's validation of a new object's spec (`validateSecretSpec`/`validateConfigSpec`).
pub fn validate_spec(kind: ObjectKind, spec: &ObjectSpec) -> ApiResult<()> {
    if spec.name.is_empty() {
        return Err(rpc("InvalidArgument", "name must be provided"));
    }
    if !valid_name(&spec.name) {
        return Err(rpc(
            "InvalidArgument",
            "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]",
        ));
    }
    // Secrets from an external driver carry no data.
    let external = kind == ObjectKind::Secret && spec.driver.is_some();
    if !external && (spec.data.is_empty() || spec.data.len() >= kind.max_size()) {
        return Err(rpc(
            "InvalidArgument",
            &format!(
                "{} data must be larger than 0 and less than {} bytes",
                kind.as_str(),
                kind.max_size()
            ),
        ));
    }
    Ok(())
}

impl Swarm {
    /// The store of one kind.
    pub fn objects(&self, kind: ObjectKind) -> &BTreeMap<String, StoredObject> {
        match kind {
            ObjectKind::Secret => &self.secrets,
            ObjectKind::Config => &self.configs,
        }
    }

    fn objects_mut(&mut self, kind: ObjectKind) -> &mut BTreeMap<String, StoredObject> {
        match kind {
            ObjectKind::Secret => &mut self.secrets,
            ObjectKind::Config => &mut self.configs,
        }
    }

    /// Resolves a reference as the daemon does (`getSecret`/`getConfig`): full ID, exact
    /// name, unique ID prefix. Errors: `secret foo not found`, `secret f is ambiguous (2
    /// matches found)`.
    pub fn find_object(&self, kind: ObjectKind, r: &str) -> Result<&StoredObject, String> {
        let store = self.objects(kind);
        if let Some(o) = store.get(r) {
            return Ok(o);
        }
        if let Some(o) = store.values().find(|o| o.name == r) {
            return Ok(o);
        }
        let by_prefix: Vec<&StoredObject> = store
            .values()
            .filter(|o| !r.is_empty() && o.id.starts_with(r))
            .collect();
        match by_prefix.len() {
            1 => Ok(by_prefix[0]),
            0 => Err(format!("{} {r} not found", kind.as_str())),
            n => Err(format!(
                "{} {r} is ambiguous ({n} matches found)",
                kind.as_str()
            )),
        }
    }

    /// A secret of this cluster by ID or name.
    pub fn secret(&self, id_or_name: &str) -> Option<&StoredObject> {
        self.find_object(ObjectKind::Secret, id_or_name).ok()
    }

    /// A config of this cluster by ID or name.
    pub fn config(&self, id_or_name: &str) -> Option<&StoredObject> {
        self.find_object(ObjectKind::Config, id_or_name).ok()
    }

    /// Names of the services whose current spec references the object `id`, in the store's
    /// order (by service ID), as swarmkit's `ByReferencedSecretID` finds them.
    pub fn services_using(&self, kind: ObjectKind, id: &str) -> Vec<String> {
        self.services
            .values()
            .filter(|s| refs_of(&s.spec, kind).iter().any(|r| r.id == id))
            .map(|s| s.spec.name.clone())
            .collect()
    }

    /// The daemon's `checkSecretExistence`/`checkConfigExistence`: every reference names an
    /// object that exists with that ID and that name.
    pub fn check_refs(&self, spec: &ServiceSpec) -> ApiResult<()> {
        for kind in [ObjectKind::Secret, ObjectKind::Config] {
            let store = self.objects(kind);
            let failed: Vec<&str> = refs_of(spec, kind)
                .iter()
                .filter(|r| store.get(&r.id).is_none_or(|o| o.name != r.source))
                .map(|r| r.source.as_str())
                .collect();
            if !failed.is_empty() {
                let what = if failed.len() == 1 {
                    kind.as_str().to_string()
                } else {
                    format!("{}s", kind.as_str())
                };
                return Err(rpc(
                    "InvalidArgument",
                    &format!("{what} not found: {}", failed.join(", ")),
                ));
            }
        }
        Ok(())
    }
}

/// The references of one kind in a service spec.
pub fn refs_of(spec: &ServiceSpec, kind: ObjectKind) -> &[FileRef] {
    match kind {
        ObjectKind::Secret => &spec.secrets,
        ObjectKind::Config => &spec.configs,
    }
}

/// swarmkit's `validateSecretRefsSpec`/`validateConfigRefsSpec`: references are complete and
/// no two share a target.
pub fn validate_refs(spec: &ServiceSpec) -> ApiResult<()> {
    for kind in [ObjectKind::Secret, ObjectKind::Config] {
        let k = kind.as_str();
        let mut targets: BTreeMap<&str, &str> = BTreeMap::new();
        for r in refs_of(spec, kind) {
            if r.id.is_empty() || r.source.is_empty() {
                return Err(rpc("InvalidArgument", &format!("malformed {k} reference")));
            }
            if r.target.is_empty() {
                return Err(rpc(
                    "InvalidArgument",
                    &format!("malformed file {k} reference, invalid target file name provided"),
                ));
            }
            if let Some(prev) = targets.get(r.target.as_str()) {
                return Err(rpc(
                    "InvalidArgument",
                    &format!(
                        "{k} references '{prev}' and '{}' have a conflict on target '{}'",
                        r.source, r.target
                    ),
                ));
            }
            targets.insert(&r.target, &r.source);
        }
    }
    Ok(())
}

impl World {
    /// The secret with this ID (in any cluster), else the first with this name.
    pub fn secret(&self, id_or_name: &str) -> Option<&StoredObject> {
        self.object(ObjectKind::Secret, id_or_name)
    }

    /// The config with this ID (in any cluster), else the first with this name.
    pub fn config(&self, id_or_name: &str) -> Option<&StoredObject> {
        self.object(ObjectKind::Config, id_or_name)
    }

    /// [`World::secret`] / [`World::config`] by kind.
    pub fn object(&self, kind: ObjectKind, id_or_name: &str) -> Option<&StoredObject> {
        let swarms = self.swarms();
        swarms
            .iter()
            .find_map(|s| s.objects(kind).get(id_or_name))
            .or_else(|| {
                swarms
                    .iter()
                    .find_map(|s| s.objects(kind).values().find(|o| o.name == id_or_name))
            })
    }

    /// `docker secret create` / `docker config create`: validates, then proposes the object.
    /// Returns its ID and the operation to wait for.
    pub fn object_create(
        &mut self,
        from: MachineId,
        kind: ObjectKind,
        spec: ObjectSpec,
    ) -> ApiResult<(String, OpHandle)> {
        let cluster = self.control(from)?;
        validate_spec(kind, &spec)?;
        let s = &self.swarms[cluster];
        if s.objects(kind).values().any(|o| o.name == spec.name) {
            return Err(already_exists(kind, &spec.name));
        }
        let id = ids::swarm_id(self.rng("objects"));
        let now = self.now();
        let obj = StoredObject {
            id: id.clone(),
            name: spec.name,
            labels: spec.labels,
            data: spec.data,
            templating: spec.templating,
            driver: spec.driver,
            created_at: now,
            updated_at: now,
            version: 0,
        };
        let h = self.new_op(cluster, Op::Object(ObjectOp::Create(kind, Box::new(obj))))?;
        Ok((id, h))
    }

    /// `docker secret create`.
    pub fn secret_create(
        &mut self,
        from: MachineId,
        spec: ObjectSpec,
    ) -> ApiResult<(String, OpHandle)> {
        self.object_create(from, ObjectKind::Secret, spec)
    }

    /// `docker config create`.
    pub fn config_create(
        &mut self,
        from: MachineId,
        spec: ObjectSpec,
    ) -> ApiResult<(String, OpHandle)> {
        self.object_create(from, ObjectKind::Config, spec)
    }

    /// The API's update (what `docker stack deploy` does to an existing object): only the
    /// labels may change, `version` is the one the caller read.
    pub fn object_update(
        &mut self,
        from: MachineId,
        kind: ObjectKind,
        object_ref: &str,
        version: u64,
        spec: ObjectSpec,
    ) -> ApiResult<OpHandle> {
        let cluster = self.control(from)?;
        let s = &self.swarms[cluster];
        let obj = s.find_object(kind, object_ref)?;
        if obj.version != version {
            return Err(rpc("Unknown", "update out of sequence"));
        }
        let data_changed = !spec.data.is_empty() && spec.data != obj.data;
        if obj.name != spec.name || data_changed {
            return Err(rpc("InvalidArgument", "only updates to Labels are allowed"));
        }
        let id = obj.id.clone();
        self.new_op(
            cluster,
            Op::Object(ObjectOp::Update {
                kind,
                id,
                labels: spec.labels,
            }),
        )
    }

    /// `docker secret rm` / `docker config rm`: refused while a service references it.
    pub fn object_remove(
        &mut self,
        from: MachineId,
        kind: ObjectKind,
        object_ref: &str,
    ) -> ApiResult<OpHandle> {
        let cluster = self.control(from)?;
        let s = &self.swarms[cluster];
        let obj = s.find_object(kind, object_ref)?;
        in_use(s, kind, obj)?;
        let id = obj.id.clone();
        self.new_op(cluster, Op::Object(ObjectOp::Remove(kind, id)))
    }

    /// `docker secret rm`.
    pub fn secret_remove(&mut self, from: MachineId, secret_ref: &str) -> ApiResult<OpHandle> {
        self.object_remove(from, ObjectKind::Secret, secret_ref)
    }

    /// `docker config rm`.
    pub fn config_remove(&mut self, from: MachineId, config_ref: &str) -> ApiResult<OpHandle> {
        self.object_remove(from, ObjectKind::Config, config_ref)
    }

    /// Applies a committed object operation.
    pub(crate) fn apply_object_op(
        &mut self,
        cluster: usize,
        op: ObjectOp,
        version: u64,
    ) -> Result<(), String> {
        let now = self.now();
        let Some(s) = self.swarms.get_mut(cluster) else {
            return Err("no such cluster".into());
        };
        let trace = match op {
            ObjectOp::Create(kind, obj) => {
                let mut obj = *obj;
                if s.objects(kind).values().any(|o| o.name == obj.name) {
                    return Err(already_exists(kind, &obj.name));
                }
                obj.version = version;
                let line = format!("{}-create c{cluster} {}", kind.as_str(), obj.id);
                s.objects_mut(kind).insert(obj.id.clone(), obj);
                line
            }
            ObjectOp::Update { kind, id, labels } => {
                let Some(o) = s.objects_mut(kind).get_mut(&id) else {
                    return Err(rpc(
                        "NotFound",
                        &format!("{} {id} not found", kind.as_str()),
                    ));
                };
                o.labels = labels;
                o.version = version;
                o.updated_at = now;
                format!("{}-update c{cluster} {id}", kind.as_str())
            }
            ObjectOp::Remove(kind, id) => {
                let Some(obj) = s.objects(kind).get(&id) else {
                    return Err(rpc(
                        "NotFound",
                        &format!("could not find {} {id}", kind.as_str()),
                    ));
                };
                in_use(s, kind, obj)?;
                s.objects_mut(kind).remove(&id);
                format!("{}-rm c{cluster} {id}", kind.as_str())
            }
        };
        self.record(trace);
        Ok(())
    }
}

fn already_exists(kind: ObjectKind, name: &str) -> String {
    rpc(
        "AlreadyExists",
        &format!("{} {name} already exists", kind.as_str()),
    )
}

fn in_use(s: &Swarm, kind: ObjectKind, obj: &StoredObject) -> ApiResult<()> {
    let users = s.services_using(kind, &obj.id);
    if users.is_empty() {
        return Ok(());
    }
    let noun = if users.len() == 1 {
        "service"
    } else {
        "services"
    };
    Err(rpc(
        "InvalidArgument",
        &format!(
            "{} '{}' is in use by the following {noun}: {}",
            kind.as_str(),
            obj.name,
            users.join(", ")
        ),
    ))
}
