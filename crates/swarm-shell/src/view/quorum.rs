//! The quorum view's picture: per cluster, each manager's Raft role, term, commit index and
//! vote, whether the quorum holds (in plain words), and the last writes the cluster
//! committed ("service web scaled to 5").
//!
//! The Raft messages of the last [`FLIGHT_WINDOW_MS`] of simulated time are in the picture
//! too ([`FlightView`], newest first): they cross the simulated LAN in a millisecond, so no
//! picture taken between two frames would catch one in the air; the page replays each as a
//! short animation from its sender to its receiver instead, dropped ones marked.

use swarm_core::raft_info::{Dropped, RaftKind};
use swarm_core::sort::CollectBTree as _;
use swarm_core::{MachineId, Power, World};

use crate::Playground;

/// How many committed writes the picture lists (newest first).
pub const WRITES_SHOWN: usize = 8;

/// How far back the picture shows Raft messages, in simulated milliseconds.
pub const FLIGHT_WINDOW_MS: u64 = 2000;

/// At most this many Raft messages are in the picture (the newest).
pub const FLIGHTS_SHOWN: usize = 24;

/// One cluster's quorum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuorumView {
    /// The cluster ID.
    pub id: String,
    /// Its managers, by hostname.
    pub managers: Vec<QuorumMember>,
    /// Voters in the Raft configuration.
    pub voters: usize,
    /// The most voters that can reach each other (powered on, same side of any partition).
    pub reachable: usize,
    /// Voters needed for a quorum: a majority.
    pub needed: usize,
    /// True while `reachable >= needed`.
    pub holds: bool,
    /// True while some manager leads.
    pub has_leader: bool,
    /// The verdict in plain words.
    pub summary: String,
    /// The last writes committed, newest first.
    pub writes: Vec<WriteView>,
    /// The Raft messages of the last [`FLIGHT_WINDOW_MS`] between managers in `managers`,
    /// newest first (at most [`FLIGHTS_SHOWN`]).
    pub flights: Vec<FlightView>,
}

/// One Raft message between two managers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlightView {
    /// Its number in the cluster (a stable key).
    pub seq: u64,
    /// The sender's hostname.
    pub from: String,
    /// The receiver's hostname.
    pub to: String,
    /// The sender's row in [`QuorumView::managers`].
    pub from_index: usize,
    /// The receiver's row in [`QuorumView::managers`].
    pub to_index: usize,
    /// What it was.
    pub kind: RaftKind,
    /// The sender's term.
    pub term: u64,
    /// A response that refused (vote not granted, append that did not match).
    pub reject: bool,
    /// Log entries it carried.
    pub entries: u32,
    /// Whether, and why, the network dropped it.
    pub dropped: Option<Dropped>,
    /// Milliseconds between its sending and the picture (0 up to [`FLIGHT_WINDOW_MS`]).
    pub age_ms: u64,
}

/// One manager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuorumMember {
    /// Hostname of its machine.
    pub hostname: String,
    /// Power of its machine.
    pub power: Power,
    /// Its Raft ID, in hex as swarmkit logs it.
    pub raft_id: String,
    /// `leader`, `follower`, `candidate`, `pre-candidate`.
    pub state: &'static str,
    /// Its term.
    pub term: u64,
    /// Its commit index.
    pub commit: u64,
    /// The leader it knows, by hostname.
    pub leader: Option<String>,
    /// Whom it voted for in its term, by hostname.
    pub voted_for: Option<String>,
    /// True if it belongs to the largest group of voters that reach each other.
    pub in_quorum: bool,
}

/// One committed write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteView {
    /// Its operation number (a stable key).
    pub op: u64,
    /// Simulated time of the commit, `hh:mm:ss`.
    pub at: String,
    /// In words.
    pub text: String,
}

/// The majority of `n` voters.
pub fn majority(n: usize) -> usize {
    n / 2 + 1
}

/// The verdict in words: `3 of 5 managers reachable: quorum holds`, or `quorum lost: the
/// swarm cannot change until 2 of 3 managers are back`.
pub fn summary(reachable: usize, voters: usize, has_leader: bool) -> String {
    let needed = majority(voters);
    if voters == 0 {
        "no managers".to_string()
    } else if reachable >= needed {
        let mut s = format!("{reachable} of {voters} managers reachable: quorum holds");
        if !has_leader {
            s.push_str(", electing a leader");
        }
        s
    } else {
        format!(
            "quorum lost: the swarm cannot change until {needed} of {voters} managers are back \
             ({reachable} reachable now)"
        )
    }
}

fn clock(ms: u64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

impl QuorumView {
    /// The quorum of every cluster some machine belongs to, oldest first.
    pub fn all(w: &World) -> Vec<QuorumView> {
        let clusters: std::collections::BTreeSet<usize> = w
            .machines()
            .iter()
            .filter_map(|m| w.membership(m.id).map(|ms| ms.cluster))
            .btree_set();
        clusters
            .into_iter()
            .filter_map(|c| w.swarm(c).map(|s| QuorumView::of(w, s)))
            .collect()
    }

    /// The quorum of one cluster.
    pub fn of(w: &World, s: &swarm_core::Swarm) -> QuorumView {
        let members = s.raft_members();
        let host = |raft_id: u64| -> Option<String> {
            members
                .iter()
                .find(|(_, r)| *r == raft_id)
                .and_then(|(m, _)| w.machine(*m))
                .map(|m| m.hostname.clone())
                .or_else(|| (raft_id != 0).then(|| format!("{raft_id:x}")))
        };
        // The configuration as the leader sees it, else as the most advanced member does.
        let reference = s.leader().or_else(|| {
            members
                .iter()
                .filter_map(|(m, _)| s.raft_detail(*m).map(|d| (*m, d)))
                .max_by_key(|(_, d)| (d.term, d.commit))
                .map(|(m, _)| m)
        });
        let voters: Vec<u64> = reference.map(|m| s.voters(m)).unwrap_or_default();
        let voter_machines: Vec<MachineId> = voters
            .iter()
            .filter_map(|v| members.iter().find(|(_, r)| r == v).map(|(m, _)| *m))
            .collect();
        // Reaching is "powered and on the same side": the largest such group of voters.
        let group = |a: MachineId| -> Vec<MachineId> {
            voter_machines
                .iter()
                .copied()
                .filter(|b| w.can_reach(a, *b))
                .collect()
        };
        let best: Vec<MachineId> = voter_machines
            .iter()
            .map(|m| group(*m))
            .max_by_key(Vec::len)
            .unwrap_or_default();
        let reachable = best.len();
        let needed = majority(voters.len());
        let has_leader = s.leader().is_some();
        let mut managers: Vec<QuorumMember> = members
            .iter()
            .filter_map(|(m, _)| {
                let d = s.raft_detail(*m)?;
                let machine = w.machine(*m)?;
                Some(QuorumMember {
                    hostname: machine.hostname.clone(),
                    power: machine.power,
                    raft_id: format!("{:x}", d.raft_id),
                    state: d.state,
                    term: d.term,
                    commit: d.commit,
                    leader: (d.leader_id != 0).then(|| host(d.leader_id)).flatten(),
                    voted_for: (d.vote != 0).then(|| host(d.vote)).flatten(),
                    in_quorum: best.contains(m) && reachable >= needed,
                })
            })
            .collect();
        swarm_core::sort::sort_by(&mut managers, |a, b| a.hostname.cmp(&b.hostname));
        let writes = s
            .recent_writes()
            .iter()
            .rev()
            .take(WRITES_SHOWN)
            .map(|x| WriteView {
                op: x.op,
                at: clock(x.at.as_millis()),
                text: x.text.clone(),
            })
            .collect();
        let now = w.now().as_millis();
        let row = |m: MachineId| {
            let name = &w.machine(m)?.hostname;
            managers.iter().position(|x| &x.hostname == name)
        };
        let flights = s
            .raft_messages()
            .iter()
            .rev()
            .take_while(|f| now.saturating_sub(f.sent.as_millis()) < FLIGHT_WINDOW_MS)
            .filter_map(|f| {
                let (from_index, to_index) = (row(f.from)?, row(f.to)?);
                Some(FlightView {
                    seq: f.seq,
                    from: managers[from_index].hostname.clone(),
                    to: managers[to_index].hostname.clone(),
                    from_index,
                    to_index,
                    kind: f.kind,
                    term: f.term,
                    reject: f.reject,
                    entries: f.entries,
                    dropped: f.dropped,
                    age_ms: now.saturating_sub(f.sent.as_millis()),
                })
            })
            .take(FLIGHTS_SHOWN)
            .collect();
        QuorumView {
            id: s.id.clone(),
            managers,
            voters: voters.len(),
            reachable,
            needed,
            holds: voters.is_empty() || reachable >= needed,
            has_leader,
            summary: summary(reachable, voters.len(), has_leader),
            writes,
            flights,
        }
    }
}

impl Playground {
    /// The quorum of every cluster, for the page's quorum view.
    pub fn quorum_view(&self) -> Vec<QuorumView> {
        QuorumView::all(&self.world())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;
    use swarm_core::SimDuration;

    fn template(name: &str) -> Playground {
        Playground::new(&Options {
            template: Some(name.into()),
            ..Options::default()
        })
        .unwrap()
    }

    fn run(pg: &mut Playground, machine: &str, line: &str) -> String {
        pg.submit(machine, line);
        assert!(pg.run_until_idle(machine, SimDuration::from_secs(120)));
        let (out, err) = pg.terminal_mut(machine).unwrap().drain_streams();
        out + &err
    }

    #[test]
    fn words_for_the_quorum() {
        assert_eq!(
            summary(3, 5, true),
            "3 of 5 managers reachable: quorum holds"
        );
        assert_eq!(
            summary(1, 3, false),
            "quorum lost: the swarm cannot change until 2 of 3 managers are back (1 reachable now)"
        );
        assert_eq!(
            summary(2, 3, false),
            "2 of 3 managers reachable: quorum holds, electing a leader"
        );
        assert_eq!(majority(1), 1);
        assert_eq!(majority(4), 3);
    }

    #[test]
    fn three_managers_then_two_lost() {
        let mut pg = template("3m2w");
        let q = pg.quorum_view();
        assert_eq!(q.len(), 1);
        let q = &q[0];
        assert_eq!(q.summary, "3 of 3 managers reachable: quorum holds");
        let rows: Vec<(&str, &str, Option<&str>)> = q
            .managers
            .iter()
            .map(|m| (m.hostname.as_str(), m.state, m.leader.as_deref()))
            .collect();
        assert_eq!(
            rows,
            [
                ("node1", "leader", Some("node1")),
                ("node2", "follower", Some("node1")),
                ("node3", "follower", Some("node1")),
            ]
        );
        assert!(q.managers.iter().all(|m| m.term >= 1 && m.commit >= 1));
        // The template's joins are the last writes.
        let texts: Vec<&str> = q.writes.iter().map(|w| w.text.as_str()).collect();
        assert!(texts.contains(&"node node5 joined as worker"), "{texts:?}");
        assert!(
            texts.iter().any(|t| t.ends_with("joined the Raft voters")),
            "{texts:?}"
        );

        run(
            &mut pg,
            "node1",
            "docker service create -q --name web --replicas 2 nginx",
        );
        run(
            &mut pg,
            "node1",
            "docker service scale -d web=5 > /dev/null",
        );
        run(
            &mut pg,
            "node1",
            "docker node update --availability drain node3",
        );
        run(
            &mut pg,
            "node1",
            "docker service update -q -d --image nginx:alpine web",
        );
        let q = &pg.quorum_view()[0];
        let texts: Vec<&str> = q.writes.iter().take(4).map(|w| w.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "service web updated to nginx:alpine",
                "node node3 drained",
                "service web scaled to 5",
                "service web created with 2 replicas",
            ]
        );

        run(&mut pg, "node1", "sim node kill node2");
        run(&mut pg, "node1", "sim node kill node3");
        pg.advance(SimDuration::from_secs(30));
        let q = &pg.quorum_view()[0];
        assert!(!q.holds);
        assert_eq!(
            q.summary,
            "quorum lost: the swarm cannot change until 2 of 3 managers are back (1 reachable now)"
        );
        let node1 = &q.managers[0];
        assert_eq!(node1.hostname, "node1");
        assert_ne!(node1.state, "leader", "check-quorum makes it step down");
        assert_eq!(node1.leader, None);
    }

    #[test]
    fn raft_messages_of_the_last_seconds_with_an_election() {
        let mut pg = template("3m2w");
        pg.advance(SimDuration::from_secs(5));
        let q = &pg.quorum_view()[0];
        assert!(!q.flights.is_empty(), "heartbeats are always flying");
        assert!(q.flights.len() <= FLIGHTS_SHOWN);
        for pair in q.flights.windows(2) {
            assert!(pair[0].seq > pair[1].seq, "newest first");
            assert!(pair[0].age_ms <= pair[1].age_ms);
        }
        for f in &q.flights {
            assert!(f.age_ms < FLIGHT_WINDOW_MS, "{f:?}");
            assert_eq!(q.managers[f.from_index].hostname, f.from);
            assert_eq!(q.managers[f.to_index].hostname, f.to);
            assert_ne!(f.from, f.to);
        }
        let kinds: Vec<(&str, &str, RaftKind)> = q
            .flights
            .iter()
            .map(|f| (f.from.as_str(), f.to.as_str(), f.kind))
            .collect();
        assert!(
            kinds.contains(&("node1", "node2", RaftKind::Heartbeat))
                && kinds.contains(&("node3", "node1", RaftKind::HeartbeatResponse)),
            "{kinds:?}"
        );
        assert!(q.flights.iter().all(|f| f.dropped.is_none()));

        // The leader powered off: what reaches for it is dropped, then an election flies.
        run(&mut pg, "node2", "sim node kill node1");
        let mut seen = std::collections::BTreeMap::new();
        for _ in 0..300 {
            pg.advance(SimDuration::from_millis(100));
            for f in &pg.quorum_view()[0].flights {
                seen.insert(f.seq, f.clone());
            }
        }
        let dropped: Vec<&FlightView> = seen.values().filter(|f| f.dropped.is_some()).collect();
        assert!(!dropped.is_empty());
        assert!(dropped
            .iter()
            .all(|f| f.to == "node1" && f.dropped == Some(Dropped::PowerOff)));
        let election: Vec<(RaftKind, bool)> = seen
            .values()
            .filter(|f| f.kind.is_election() && f.to != "node1")
            .map(|f| (f.kind, f.reject))
            .collect();
        assert!(
            election.contains(&(RaftKind::RequestPreVote, false))
                && election.contains(&(RaftKind::RequestVote, false))
                && election.contains(&(RaftKind::RequestVoteResponse, false)),
            "{election:?}"
        );
        // Two seconds later with nothing but heartbeats, the election is out of the picture.
        let q = &pg.quorum_view()[0];
        assert!(q.flights.iter().all(|f| !f.kind.is_election()));
    }

    #[test]
    fn a_partition_splits_the_voters() {
        let mut pg = template("5m");
        run(
            &mut pg,
            "node1",
            "sim partition node1,node2 node3,node4,node5",
        );
        pg.advance(SimDuration::from_secs(40));
        let q = &pg.quorum_view()[0];
        assert_eq!(q.summary, "3 of 5 managers reachable: quorum holds");
        let in_quorum: Vec<&str> = q
            .managers
            .iter()
            .filter(|m| m.in_quorum)
            .map(|m| m.hostname.as_str())
            .collect();
        assert_eq!(in_quorum, ["node3", "node4", "node5"]);
        let leader = q.managers.iter().find(|m| m.state == "leader").unwrap();
        assert!(in_quorum.contains(&leader.hostname.as_str()));
        // The new leader's voters voted in its term: for it, or for whoever asked first.
        assert!(q
            .managers
            .iter()
            .filter(|m| m.in_quorum && m.term == leader.term)
            .all(|m| m.voted_for.is_some()));
    }
}
