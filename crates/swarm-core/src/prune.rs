//! `docker container prune`, `docker image prune` and `docker network prune` (and so
//! `docker system prune`), as moby's daemon does them (`daemon/prune.go`,
//! `daemon/images/image_prune.go`).
//!
//! - Containers: every container that is not running (created, exited, dead; swarm task
//!   containers too), created before `until`, whose labels match.
//! - Images: dangling ones (no tag), or with `all` every image; an image some container (in
//!   any state) uses is skipped, as its delete conflicts. Each reference is untagged in turn
//!   (a repository's digest references go with its last tag), then the image ID and the
//!   layers no remaining image has are deleted.
//! - Networks: the user-defined local networks no running container has an endpoint on (a
//!   stopped container does not hold one); the swarm networks are the caller's (their removal
//!   is a swarm operation), see [`World::swarm_network_prune_candidates`].

use std::collections::{BTreeMap, BTreeSet};

use crate::container::{ContainerState, PulledImage};
use crate::machine::MachineId;
use crate::time::SimTime;
use crate::world::World;

/// The filters every prune takes: `until`, `label` and `label!`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PruneFilter {
    /// `until=…`: objects created after it stay.
    pub until: Option<SimTime>,
    /// `until` as unix seconds, for images (their creation time is their build time).
    pub until_unix: Option<i64>,
    /// `label=KEY` / `label=KEY=VALUE`: all of them must match.
    pub labels: Vec<String>,
    /// `label!=KEY[=VALUE]`: an object all of them match stays.
    pub not_labels: Vec<String>,
}

fn label_matches(labels: &BTreeMap<String, String>, want: &str) -> bool {
    match want.split_once('=') {
        Some((k, v)) => labels.get(k).is_some_and(|x| x == v),
        None => labels.contains_key(want),
    }
}

impl PruneFilter {
    /// moby's `matchLabels`: every `label` matches, and not every `label!` does.
    pub fn labels_match(&self, labels: &BTreeMap<String, String>) -> bool {
        if !self.labels.iter().all(|l| label_matches(labels, l)) {
            return false;
        }
        self.not_labels.is_empty() || !self.not_labels.iter().all(|l| label_matches(labels, l))
    }

    fn created_ok(&self, created: SimTime) -> bool {
        self.until.is_none_or(|u| created <= u)
    }
}

/// What `docker image prune` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImagePruneReport {
    /// `(true, ref)` for an untagged reference, `(false, id)` for a deleted image or layer,
    /// in order.
    pub lines: Vec<(bool, String)>,
    /// Bytes reclaimed.
    pub bytes: u64,
}

impl World {
    /// `docker container prune`: removes the containers of `m` that are not running and
    /// match. Returns their full IDs (newest first, as moby lists them) and the bytes reclaimed (their writable
    /// layers: nothing is written to them here).
    pub fn container_prune(&mut self, m: MachineId, filter: &PruneFilter) -> (Vec<String>, u64) {
        let picked: Vec<String> = self
            .containers(m)
            .iter()
            .filter(|c| {
                matches!(
                    c.state,
                    ContainerState::Created | ContainerState::Exited | ContainerState::Dead
                )
            })
            .filter(|c| filter.created_ok(c.created_at))
            .filter(|c| filter.labels_match(&c.config.labels))
            .map(|c| c.id.clone())
            .rev()
            .collect();
        let mut removed = Vec::new();
        for id in picked {
            if self.container_remove(m, &id, false).is_ok() {
                removed.push(id);
            }
        }
        (removed, 0)
    }

    /// `docker image prune [-a]`: removes the dangling images of `m` (all unused ones with
    /// `all`) that match; an image a container uses stays.
    pub fn image_prune(
        &mut self,
        m: MachineId,
        all: bool,
        filter: &PruneFilter,
    ) -> ImagePruneReport {
        let mut report = ImagePruneReport::default();
        // Image IDs in `docker images` order, each once.
        let mut ids: Vec<String> = Vec::new();
        for i in self.images(m) {
            if !ids.contains(&i.id) {
                ids.push(i.id.clone());
            }
        }
        for id in ids {
            let rows: Vec<PulledImage> = self
                .images(m)
                .into_iter()
                .filter(|i| i.id == id)
                .cloned()
                .collect();
            let Some(first) = rows.first() else { continue };
            let tagged = rows.iter().any(|i| i.repository != "<none>");
            if tagged && !all {
                continue;
            }
            if filter.until_unix.is_some_and(|u| first.created_unix > u) {
                continue;
            }
            let labels = self
                .image_config(m, &id)
                .map(|c| c.labels.clone())
                .unwrap_or_default();
            if !filter.labels_match(&labels) {
                continue;
            }
            if self.containers(m).iter().any(|c| c.image_id == id) {
                continue;
            }
            // References in moby's lexical order; a repository's digest goes with its last tag.
            let mut named: Vec<&PulledImage> =
                rows.iter().filter(|i| i.repository != "<none>").collect();
            crate::sort::sort_by(&mut named, |a, b| a.reference().cmp(&b.reference()));
            for (k, i) in named.iter().enumerate() {
                report.lines.push((true, i.reference()));
                let last_of_repo = !named[k + 1..].iter().any(|j| j.repository == i.repository);
                if last_of_repo {
                    let digests: BTreeSet<&str> = named
                        .iter()
                        .filter(|j| j.repository == i.repository && !j.digest.is_empty())
                        .map(|j| j.digest.as_str())
                        .collect();
                    for d in digests {
                        report.lines.push((true, format!("{}@{d}", i.repository)));
                    }
                }
            }
            report.lines.push((false, id.clone()));
            let others: Vec<&PulledImage> =
                self.images(m).into_iter().filter(|i| i.id != id).collect();
            for l in self.own_layers(m, first) {
                report.lines.push((false, l));
            }
            // Layers have no sizes of their own: an image another one is built on keeps all
            // its bytes; one built on others frees what it adds to the largest of them.
            let contains = |outer: &PulledImage, inner: &PulledImage| {
                inner.layers.iter().all(|l| outer.layers.contains(l))
            };
            let freed = if others.iter().any(|o| contains(o, first)) {
                0
            } else {
                let base = others
                    .iter()
                    .filter(|o| !o.layers.is_empty() && contains(first, o))
                    .map(|o| o.size)
                    .max()
                    .unwrap_or(0);
                first.size.saturating_sub(base)
            };
            report.bytes += freed;
            self.record(format!("image-prune {m} {id}"));
            if let Some(r) = self.runtime_mut(m) {
                r.images.retain(|i| i.id != id);
            }
        }
        report
    }

    /// `docker network prune`'s local half: removes the user-defined local networks of `m`
    /// that match and no running container is connected to. Returns their names, sorted.
    pub fn local_network_prune(&mut self, m: MachineId, filter: &PruneFilter) -> Vec<String> {
        let mut picked: Vec<(String, String)> = self
            .local_networks(m)
            .iter()
            .filter(|n| filter.created_ok(n.created_at))
            .filter(|n| filter.labels_match(&n.labels))
            .map(|n| (n.name.clone(), n.id.clone()))
            .collect();
        picked.retain(|(_, id)| self.local_endpoints(m, id).is_empty());
        crate::sort::sort_by(&mut picked, |a, b| a.0.cmp(&b.0));
        picked
            .into_iter()
            .filter_map(|(_, id)| self.local_network_remove(m, &id).ok())
            .collect()
    }

    /// `docker network prune`'s swarm half: on a manager with a quorum, the swarm networks
    /// (not ingress) that match, as (ID, name) sorted by name. The caller removes each with
    /// [`World::network_remove`] and skips those still in use.
    pub fn swarm_network_prune_candidates(
        &self,
        m: MachineId,
        filter: &PruneFilter,
    ) -> Vec<(String, String)> {
        let Ok(cluster) = self.control(m) else {
            return Vec::new();
        };
        let Some(s) = self.swarm(cluster) else {
            return Vec::new();
        };
        let mut out: Vec<(String, String)> = s
            .networks
            .values()
            .filter(|n| !n.ingress)
            .filter(|n| filter.created_ok(n.created_at))
            .filter(|n| filter.labels_match(&n.labels))
            .map(|n| (n.id.clone(), n.name.clone()))
            .collect();
        crate::sort::sort_by(&mut out, |a, b| a.1.cmp(&b.1));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_filters_follow_moby() {
        let l = labels(&[("a", "1"), ("b", "2")]);
        let f = |labels: &[&str], not: &[&str]| PruneFilter {
            labels: labels.iter().map(|s| s.to_string()).collect(),
            not_labels: not.iter().map(|s| s.to_string()).collect(),
            ..PruneFilter::default()
        };
        assert!(f(&[], &[]).labels_match(&l));
        assert!(f(&["a"], &[]).labels_match(&l));
        assert!(f(&["a=1", "b"], &[]).labels_match(&l));
        assert!(!f(&["a=2"], &[]).labels_match(&l));
        assert!(!f(&["c"], &[]).labels_match(&l));
        assert!(!f(&[], &["a"]).labels_match(&l));
        // label! keeps only what all of them match.
        assert!(f(&[], &["a", "c"]).labels_match(&l));
        assert!(!f(&[], &["a", "b=2"]).labels_match(&l));
    }
}
