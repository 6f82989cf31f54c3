//! A service's healthcheck made to fail: the playground's `sim health fail SERVICE` (and the
//! cluster view's button that types it).
//!
//! Every container a task of the service runs now gets a flag
//! ([`crate::container::Container::health_fault`]) that makes its health probes fail, whatever
//! the test runs; the engine then counts the failures as for a real broken app, marks the
//! container `unhealthy` after `retries` probes, and swarm kills it and starts a replacement
//! (whose container has no flag: the fault hits the containers running when it was injected,
//! like a crash). `sim health ok SERVICE` clears the flag on those still running; their next
//! passing probe makes them `healthy` again. The flag is plain state changed only by this
//! input, so it is deterministic and replays.

use crate::catalog::ProbeResult;
use crate::world::World;

/// The result a probe of a faulted container records (`State.Health.Log`).
pub(crate) fn failed_probe() -> ProbeResult {
    ProbeResult {
        exit_code: 1,
        output: "health check failed (sim health fail)\n".to_string(),
    }
}

impl World {
    /// Makes the health probes of every running container of `service` (a name, ID or unique
    /// ID prefix, in any cluster) fail (`fail`) or run their test again (`!fail`). Returns how
    /// many containers it changed; errors: no such service, or it has no healthcheck.
    pub fn set_health_fault(&mut self, service: &str, fail: bool) -> Result<usize, String> {
        let found = self
            .swarms()
            .iter()
            .find_map(|s| s.find_service(service).ok())
            .map(|s| (s.id.clone(), s.spec.name.clone()));
        let Some((id, name)) = found else {
            return Err(format!("service {service} not found"));
        };
        let mut targets = Vec::new();
        let mut any_container = false;
        for m in self.machines() {
            for c in self.containers(m.id) {
                if c.config.labels.get("com.docker.swarm.service.id") != Some(&id) {
                    continue;
                }
                if !c.is_running() {
                    continue;
                }
                any_container = true;
                if c.config
                    .healthcheck
                    .as_ref()
                    .is_some_and(crate::container::has_test)
                {
                    targets.push((m.id, c.id.clone()));
                }
            }
        }
        if targets.is_empty() {
            return Err(if any_container {
                format!("service {name} has no healthcheck")
            } else {
                format!("service {name} has no running containers")
            });
        }
        let mut changed = 0;
        for (m, cid) in targets {
            if let Some(c) = self.ctr_mut(m, &cid) {
                if c.health_fault != fail {
                    c.health_fault = fail;
                    changed += 1;
                }
            }
        }
        if changed > 0 {
            let verb = if fail { "fail" } else { "ok" };
            self.record(format!("health-fault {name} {verb} {changed}"));
        }
        Ok(changed)
    }
}
