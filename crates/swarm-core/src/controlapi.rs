//! The control API for services (swarmkit `manager/controlapi/service.go`): validation, then a
//! Raft operation applied when it commits.
//!
//! Reads need no operation: they look at the leader's store through [`World::control_swarm`]
//! and [`Swarm::find_service`].

use crate::machine::MachineId;
use crate::scheduler;
use crate::service::{Mode, Service, ServiceSpec, UpdateState, UpdateStatus};
use crate::sort::CollectBTree as _;
use crate::swarm::{rpc, ApiResult, Op, OpHandle, Swarm};
use crate::world::World;
use crate::{catalog, ids};

/// A service write waiting for its Raft entry.
#[derive(Clone, Debug)]
pub enum ServiceOp {
    /// Create.
    Create(Box<Service>),
    /// Replace the spec (`docker service update`, `scale`).
    Update {
        /// Service ID.
        id: String,
        /// The new spec.
        spec: Box<ServiceSpec>,
    },
    /// Swap spec and previous spec (`docker service rollback`).
    Rollback {
        /// Service ID.
        id: String,
    },
    /// Remove.
    Remove {
        /// Service ID.
        id: String,
    },
}

impl Swarm {
    /// Resolves a service reference as the daemon does: full ID, exact name, unique ID prefix.
    /// Errors are the daemon's: `service foo not found`, `service foo is ambiguous (2 matches
    /// found)`.
    pub fn find_service(&self, r: &str) -> Result<&Service, String> {
        if let Some(s) = self.services.get(r) {
            return Ok(s);
        }
        if let Some(s) = self.services.values().find(|s| s.spec.name == r) {
            return Ok(s);
        }
        let by_prefix: Vec<&Service> = self
            .services
            .values()
            .filter(|s| !r.is_empty() && s.id.starts_with(r))
            .collect();
        match by_prefix.len() {
            1 => Ok(by_prefix[0]),
            0 => Err(format!("service {r} not found")),
            n => Err(format!("service {r} is ambiguous ({n} matches found)")),
        }
    }

    /// The tasks of a service, in ID order.
    pub fn tasks_of<'a>(&'a self, service_id: &'a str) -> impl Iterator<Item = &'a crate::Task> {
        self.tasks.of_service(service_id)
    }

    /// The node ID → hostname map, for task tables.
    pub fn node_name(&self, node_id: &str) -> String {
        self.nodes
            .get(node_id)
            .map(|n| n.hostname.clone())
            .unwrap_or_else(|| node_id.to_string())
    }
}

/// `^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$`.
fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    b.iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
}

fn invalid(desc: &str) -> String {
    rpc("InvalidArgument", desc)
}

/// The daemon's and swarmkit's checks of a spec (`validateServiceSpec`).
/// The daemon's conversion of a port to swarmkit's (moby `ServiceSpecToGRPC`): the protocol
/// and the publish mode go through the protobuf enums' name maps, upper-cased, so a name
/// the map lacks is the enum's zero: `tcp`, `ingress` (a stack file's `mode: hots` publishes
/// on the routing mesh, `protocol: TCP` comes back as `tcp`).
fn ports_to_grpc(spec: &mut ServiceSpec) {
    for p in &mut spec.ports {
        p.protocol = match p.protocol.to_uppercase().as_str() {
            "UDP" => "udp",
            "SCTP" => "sctp",
            _ => "tcp",
        }
        .to_string();
        p.mode = match p.mode.to_uppercase().as_str() {
            "HOST" => "host",
            _ => "ingress",
        }
        .to_string();
    }
}

fn validate(spec: &ServiceSpec) -> ApiResult<()> {
    if spec.name.len() > 63 {
        return Err(invalid("name must be 63 characters or fewer"));
    }
    if !valid_name(&spec.name) {
        return Err(invalid("name must be valid as a DNS name component"));
    }
    if spec.image.is_empty() {
        return Err(invalid("ContainerSpec: image reference must be provided"));
    }
    if catalog::normalize(&spec.image).is_none() {
        return Err(invalid(&format!(
            "ContainerSpec: \"{}\" is not a valid repository/tag",
            spec.image
        )));
    }
    scheduler::parse_constraints(&spec.constraints).map_err(|e| rpc("Unknown", &e))?;
    for u in [&spec.update, &spec.rollback].into_iter().flatten() {
        if !(0.0..=1.0).contains(&u.max_failure_ratio) {
            return Err(invalid(
                "TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1",
            ));
        }
    }
    // swarmkit's validateEndpointSpec: a published port and protocol once, whatever the mode.
    let mut seen = std::collections::BTreeSet::new();
    for p in &spec.ports {
        if p.published != 0 && !seen.insert((p.published, p.protocol.clone())) {
            return Err(invalid("EndpointSpec: duplicate published ports provided"));
        }
    }
    Ok(())
}

/// The networks a spec names must exist and be attachable by services.
fn check_networks(s: &Swarm, spec: &ServiceSpec) -> ApiResult<()> {
    for r in &spec.networks {
        let net = s.find_network(r)?;
        if net.ingress {
            return Err(invalid(&format!(
                "Service cannot be explicitly attached to the ingress network \"{}\"",
                net.name
            )));
        }
    }
    if spec.endpoint_mode == "dnsrr" && spec.ports.iter().any(|p| p.mode != "host") {
        return Err(invalid(
            "EndpointSpec: port published with ingress mode can't be used with dnsrr mode",
        ));
    }
    Ok(())
}

/// The port a published port without a number gets: 30000 and up, the first one free.
fn allocate_ports(
    s: &Swarm,
    spec: &ServiceSpec,
    own: Option<&str>,
) -> ApiResult<Vec<crate::PortConfig>> {
    let mut used: std::collections::BTreeSet<(u16, String)> = s
        .services
        .values()
        .filter(|x| Some(x.id.as_str()) != own)
        .flat_map(|x| x.endpoint_ports.iter())
        .filter(|p| p.mode == "ingress")
        .map(|p| (p.published, p.protocol.clone()))
        .btree_set();
    let mut out = Vec::new();
    for p in &spec.ports {
        let mut p = p.clone();
        if p.mode == "ingress" {
            if p.published == 0 {
                let free = (30000u16..=32767).find(|n| !used.contains(&(*n, p.protocol.clone())));
                match free {
                    Some(n) => p.published = n,
                    None => return Err(invalid("could not find an available port")),
                }
            } else if used.contains(&(p.published, p.protocol.clone())) {
                let other = s
                    .services
                    .values()
                    .filter(|x| Some(x.id.as_str()) != own)
                    .find(|x| {
                        x.endpoint_ports
                            .iter()
                            .any(|q| q.published == p.published && q.protocol == p.protocol)
                    })
                    .map(|x| x.id.clone())
                    .unwrap_or_default();
                return Err(invalid(&format!(
                    "port '{}' is already in use by service '{}' ({}) as an ingress port",
                    p.published,
                    s.services
                        .get(&other)
                        .map(|x| x.spec.name.as_str())
                        .unwrap_or(""),
                    other
                )));
            }
            used.insert((p.published, p.protocol.clone()));
        }
        out.push(p);
    }
    Ok(out)
}

impl World {
    /// `docker service create`: validates, then proposes the new service. Returns its ID and
    /// the operation to wait for.
    pub fn service_create(
        &mut self,
        from: MachineId,
        mut spec: ServiceSpec,
    ) -> ApiResult<(String, OpHandle)> {
        let cluster = self.control(from)?;
        if spec.name.is_empty() {
            spec.name = ids::random_name(self.rng("names"));
        }
        ports_to_grpc(&mut spec);
        validate(&spec)?;
        crate::objects::validate_refs(&spec)?;
        let s = &self.swarms[cluster];
        s.check_refs(&spec)?;
        if s.services.values().any(|x| x.spec.name == spec.name) {
            return Err(rpc(
                "AlreadyExists",
                &format!(
                    "name conflicts with an existing object: service {} already exists",
                    spec.name
                ),
            ));
        }
        check_networks(s, &spec)?;
        let endpoint_ports = allocate_ports(s, &spec, None)?;
        let id = ids::swarm_id(self.rng("swarm"));
        let now = self.now();
        let service = Service {
            id: id.clone(),
            version: 0,
            created_at: now,
            updated_at: now,
            spec,
            previous_spec: None,
            update_status: None,
            spec_version: 1,
            previous_spec_version: 0,
            job_iteration: 0,
            endpoint_ports,
            virtual_ips: Vec::new(),
        };
        let h = self.new_op(cluster, Op::Service(ServiceOp::Create(Box::new(service))))?;
        Ok((id, h))
    }

    /// `docker service update` (and `scale`): replaces the spec of the service `service_ref`
    /// whose version the caller read as `version`.
    pub fn service_update(
        &mut self,
        from: MachineId,
        service_ref: &str,
        version: u64,
        mut spec: ServiceSpec,
    ) -> ApiResult<OpHandle> {
        ports_to_grpc(&mut spec);
        let cluster = self.control(from)?;
        let s = &self.swarms[cluster];
        let svc = s.find_service(service_ref)?;
        if svc.version != version {
            return Err(rpc("Unknown", "update out of sequence"));
        }
        if spec.name != svc.spec.name {
            return Err(rpc("Unimplemented", "renaming services is not supported"));
        }
        let same_mode = matches!(
            (&spec.mode, &svc.spec.mode),
            (Mode::Replicated { .. }, Mode::Replicated { .. })
                | (Mode::Global, Mode::Global)
                | (Mode::ReplicatedJob { .. }, Mode::ReplicatedJob { .. })
                | (Mode::GlobalJob, Mode::GlobalJob)
        );
        if !same_mode {
            return Err(rpc("Unimplemented", "service mode change is not allowed"));
        }
        validate(&spec)?;
        crate::objects::validate_refs(&spec)?;
        s.check_refs(&spec)?;
        check_networks(s, &spec)?;
        allocate_ports(s, &spec, Some(&svc.id))?;
        let id = svc.id.clone();
        self.new_op(
            cluster,
            Op::Service(ServiceOp::Update {
                id,
                spec: Box::new(spec),
            }),
        )
    }

    /// `docker service rollback` / `update --rollback`.
    pub fn service_rollback(&mut self, from: MachineId, service_ref: &str) -> ApiResult<OpHandle> {
        let cluster = self.control(from)?;
        let svc = self.swarms[cluster].find_service(service_ref)?;
        if svc.previous_spec.is_none() {
            return Err(rpc(
                "FailedPrecondition",
                &format!("service {} does not have a previous spec", svc.id),
            ));
        }
        let id = svc.id.clone();
        self.new_op(cluster, Op::Service(ServiceOp::Rollback { id }))
    }

    /// `docker service rm`.
    pub fn service_remove(&mut self, from: MachineId, service_ref: &str) -> ApiResult<OpHandle> {
        let cluster = self.control(from)?;
        let id = self.swarms[cluster].find_service(service_ref)?.id.clone();
        self.new_op(cluster, Op::Service(ServiceOp::Remove { id }))
    }

    /// Applies a committed service operation.
    pub(crate) fn apply_service_op(
        &mut self,
        cluster: usize,
        op: ServiceOp,
        version: u64,
    ) -> Result<(), String> {
        let now = self.now();
        let s = &mut self.swarms[cluster];
        match op {
            ServiceOp::Create(svc) => {
                let mut svc = *svc;
                if s.services.values().any(|x| x.spec.name == svc.spec.name) {
                    return Err(rpc(
                        "AlreadyExists",
                        &format!(
                            "name conflicts with an existing object: service {} already exists",
                            svc.spec.name
                        ),
                    ));
                }
                svc.version = version;
                svc.job_iteration = u64::from(svc.spec.mode.is_job());
                let id = svc.id.clone();
                s.services.insert(id.clone(), svc);
                s.assign_vips(&id);
                s.control.to_reconcile.insert(id.clone());
                self.record(format!("service-create c{cluster} {id}"));
            }
            ServiceOp::Update { id, spec } => {
                let Some(svc) = s.services.get_mut(&id) else {
                    return Err(format!("service {id} not found"));
                };
                let spec = *spec;
                let dirty = svc.spec.task_differs(&spec);
                let old = std::mem::replace(&mut svc.spec, spec);
                svc.previous_spec = Some(old);
                // Versions only grow: the highest ever issued is the current or the previous.
                let next = svc.spec_version.max(svc.previous_spec_version) + 1;
                svc.previous_spec_version = svc.spec_version;
                svc.version = version;
                svc.updated_at = now;
                if dirty || svc.spec.mode.is_job() {
                    svc.spec_version = next;
                }
                // swarmkit resets the update status on every update but a rollback.
                svc.update_status = None;
                if svc.spec.mode.is_job() {
                    svc.job_iteration += 1;
                }
                let svc_id = svc.id.clone();
                let spec_now = svc.spec.clone();
                if let Ok(p) = allocate_ports(s, &spec_now, Some(&svc_id)) {
                    if let Some(svc) = s.services.get_mut(&svc_id) {
                        svc.endpoint_ports = p;
                    }
                }
                self.swarms[cluster].assign_vips(&id);
                self.control_service_updated(cluster, &id);
                self.record(format!("service-update c{cluster} {id}"));
            }
            ServiceOp::Rollback { id } => {
                let Some(svc) = s.services.get_mut(&id) else {
                    return Err(format!("service {id} not found"));
                };
                let Some(prev) = svc.previous_spec.take() else {
                    return Err(rpc(
                        "FailedPrecondition",
                        &format!("service {id} does not have a previous spec"),
                    ));
                };
                let cur = std::mem::replace(&mut svc.spec, prev);
                svc.previous_spec = Some(cur);
                std::mem::swap(&mut svc.spec_version, &mut svc.previous_spec_version);
                svc.version = version;
                svc.updated_at = now;
                svc.update_status = Some(UpdateStatus {
                    state: UpdateState::RollbackStarted,
                    started_at: now,
                    completed_at: None,
                    message: "manually requested rollback".into(),
                });
                self.swarms[cluster].assign_vips(&id);
                self.control_service_updated(cluster, &id);
                self.record(format!("service-rollback c{cluster} {id}"));
            }
            ServiceOp::Remove { id } => {
                if s.services.remove(&id).is_none() {
                    return Err(format!("service {id} not found"));
                }
                // The orchestrator marks the service's tasks for removal at once (a batch of
                // them: its next passes mark the rest, see `orchestrator::PASS_BATCH`).
                let ids: Vec<String> = s
                    .tasks_of(&id)
                    .take(crate::orchestrator::PASS_BATCH)
                    .map(|t| t.id.clone())
                    .collect();
                for tid in ids {
                    s.tasks.update(&tid, |t| {
                        if t.desired < crate::TaskState::Remove {
                            t.desired = crate::TaskState::Remove;
                            t.updated_at = now;
                        }
                    });
                }
                self.control_service_removed(cluster, &id);
                self.record(format!("service-rm c{cluster} {id}"));
            }
        }
        self.wake_orchestrator(cluster);
        Ok(())
    }
}
