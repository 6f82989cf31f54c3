//! What the quorum view reads from the core: each member's Raft facts and the last committed
//! writes in words.

use std::collections::BTreeMap;

use swarm_core::raft_info::{Dropped, RaftFlight, RaftKind, MESSAGES_KEPT, WRITES_KEPT};
use swarm_core::{Availability, MachineId, NodeChange, Role, SimDuration, World};

/// A 3-manager, 2-worker swarm formed by init and joins, settled for a few seconds.
fn three_two(seed: u64) -> World {
    let mut w = World::new(seed);
    for _ in 0..5 {
        w.add_machine(None).unwrap();
    }
    w.advance(SimDuration::from_secs(1));
    w.swarm_init(MachineId(0), None).unwrap();
    let s = w.swarm(0).unwrap();
    let (wt, mt) = (s.token(Role::Worker), s.token(Role::Manager));
    for (i, token) in [(1, &mt), (2, &mt), (3, &wt), (4, &wt)] {
        let h = w
            .swarm_join(MachineId(i), token, "192.168.0.11:2377")
            .unwrap();
        w.advance(SimDuration::from_millis(200));
        assert_eq!(w.op_result(h), Some(&Ok(())), "join of machine {i}");
    }
    w.advance(SimDuration::from_secs(5));
    w
}

fn texts(w: &World) -> Vec<String> {
    w.swarm(0)
        .unwrap()
        .recent_writes()
        .iter()
        .map(|x| x.text.clone())
        .collect()
}

#[test]
fn joins_and_updates_in_words() {
    let mut w = three_two(3);
    assert_eq!(
        texts(&w),
        [
            "node node2 joined as manager",
            "node2 joined the Raft voters",
            "node node3 joined as manager",
            "node3 joined the Raft voters",
            "node node4 joined as worker",
            "node node5 joined as worker",
        ]
    );
    let change = NodeChange {
        availability: Some(Availability::Drain),
        labels_add: vec![("zone".into(), "a".into())],
        ..NodeChange::default()
    };
    let h = w.node_update(MachineId(0), "node3", change).unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let last = w.swarm(0).unwrap().recent_writes().back().cloned().unwrap();
    assert_eq!(last.text, "node node3 drained, node node3 labelled zone=a");
    assert_eq!(last.op, h.op);
    // A refused write commits nothing and says nothing.
    let before = texts(&w);
    assert!(w
        .node_update(MachineId(0), "node9", NodeChange::default())
        .is_err());
    w.advance(SimDuration::from_millis(100));
    assert_eq!(texts(&w), before);
}

#[test]
fn the_list_is_bounded() {
    let mut w = three_two(4);
    for i in 0..WRITES_KEPT + 6 {
        let availability = if i % 2 == 0 {
            Availability::Pause
        } else {
            Availability::Active
        };
        let change = NodeChange {
            availability: Some(availability),
            ..NodeChange::default()
        };
        w.node_update(MachineId(0), "node4", change).unwrap();
        w.advance(SimDuration::from_millis(50));
    }
    let writes = w.swarm(0).unwrap().recent_writes();
    assert_eq!(writes.len(), WRITES_KEPT);
    assert_eq!(writes.back().unwrap().text, "node node4 set active");
    assert!(writes.iter().all(|x| x.text.starts_with("node node4 ")));
}

#[test]
fn members_report_state_term_and_votes() {
    let mut w = three_two(5);
    let s = w.swarm(0).unwrap();
    let leader = s.raft_detail(MachineId(0)).unwrap();
    assert_eq!(leader.state, "leader");
    assert_eq!(leader.leader_id, leader.raft_id);
    assert_eq!(leader.voters.len(), 3);
    assert!(leader.commit >= 1 && leader.last_index >= leader.commit);
    let follower = s.raft_detail(MachineId(1)).unwrap();
    assert_eq!(
        (follower.state, follower.leader_id),
        ("follower", leader.raft_id)
    );
    assert!(
        s.raft_detail(MachineId(3)).is_none(),
        "workers hold no Raft state"
    );

    // The leader goes: a new one is elected in a later term, with votes for it.
    w.power_off("node1").unwrap();
    w.advance(SimDuration::from_secs(30));
    let s = w.swarm(0).unwrap();
    let new = s.leader().unwrap();
    let d = s.raft_detail(new).unwrap();
    assert_eq!(d.state, "leader");
    assert!(d.term > leader.term);
    assert_eq!(d.vote, d.raft_id, "a candidate votes for itself");
    let other = [MachineId(1), MachineId(2)]
        .into_iter()
        .find(|m| *m != new)
        .unwrap();
    let o = s.raft_detail(other).unwrap();
    assert_eq!(
        (o.term, o.vote, o.leader_id),
        (d.term, d.raft_id, d.raft_id)
    );
}

/// Advances `w` by `secs` seconds in 100 ms steps, collecting every Raft message noted on the
/// way by its number (the ring forgets, the collection does not).
fn collect(w: &mut World, secs: u64, into: &mut BTreeMap<u64, RaftFlight>) {
    for _ in 0..secs * 10 {
        w.advance(SimDuration::from_millis(100));
        for f in w.swarm(0).unwrap().raft_messages() {
            into.insert(f.seq, *f);
        }
    }
}

#[test]
fn raft_messages_are_a_bounded_ring_in_order() {
    let mut w = three_two(6);
    w.advance(SimDuration::from_secs(60));
    let ring: Vec<RaftFlight> = w
        .swarm(0)
        .unwrap()
        .raft_messages()
        .iter()
        .copied()
        .collect();
    assert_eq!(ring.len(), MESSAGES_KEPT, "a minute of heartbeats fills it");
    // Oldest first, numbered without gaps, sent in time order, all in the last seconds.
    for pair in ring.windows(2) {
        assert_eq!(pair[1].seq, pair[0].seq + 1);
        assert!(pair[1].sent >= pair[0].sent);
    }
    assert!(
        ring[0].seq > MESSAGES_KEPT as u64,
        "older ones were forgotten"
    );
    let now = w.now().as_millis();
    assert!(ring.iter().all(|f| f.sent.as_millis() < now));
    assert!(ring.iter().all(|f| now - f.sent.as_millis() <= 30_000));
    // A quiet, healthy cluster: the leader's heartbeats and their answers, none dropped.
    assert!(ring.iter().all(|f| f.dropped.is_none()), "{ring:?}");
    let leader = w.swarm(0).unwrap().leader().unwrap();
    assert!(ring
        .iter()
        .any(|f| f.kind == RaftKind::Heartbeat && f.from == leader));
    assert!(ring
        .iter()
        .any(|f| f.kind == RaftKind::HeartbeatResponse && f.to == leader));
    assert!(ring.iter().all(|f| f.from != f.to));
    // Nothing in the ring changes the simulation: the same seed gives the same trace.
    let again = three_two(6);
    let mut again = again;
    again.advance(SimDuration::from_secs(60));
    assert_eq!(again.trace_hash(), w.trace_hash());
    assert_eq!(
        again.swarm(0).unwrap().raft_messages(),
        w.swarm(0).unwrap().raft_messages()
    );
}

#[test]
fn a_powered_off_leader_drops_messages_and_an_election_shows() {
    let mut w = three_two(7);
    let mut seen = BTreeMap::new();
    collect(&mut w, 2, &mut seen);
    let old_term = w.swarm(0).unwrap().raft_detail(MachineId(0)).unwrap().term;
    // An append with an entry: a write travels from the leader to both followers.
    let h = w
        .node_update(
            MachineId(0),
            "node4",
            NodeChange {
                availability: Some(Availability::Drain),
                ..NodeChange::default()
            },
        )
        .unwrap();
    collect(&mut w, 1, &mut seen);
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let appends: Vec<MachineId> = seen
        .values()
        .filter(|f| f.kind == RaftKind::Append && f.entries > 0 && f.from == MachineId(0))
        .map(|f| f.to)
        .collect();
    assert!(appends.contains(&MachineId(1)) && appends.contains(&MachineId(2)));
    let before = *seen.keys().last().unwrap();

    w.power_off("node1").unwrap();
    collect(&mut w, 30, &mut seen);
    let after: Vec<&RaftFlight> = seen.range(before + 1..).map(|(_, f)| f).collect();
    // What the followers send to the powered-off machine is dropped, and marked so.
    let to_off: Vec<&&RaftFlight> = after.iter().filter(|f| f.to == MachineId(0)).collect();
    assert!(!to_off.is_empty());
    assert!(to_off.iter().all(|f| f.dropped == Some(Dropped::PowerOff)));
    // Between the two that are up nothing is dropped.
    assert!(after
        .iter()
        .filter(|f| f.to != MachineId(0))
        .all(|f| f.dropped.is_none()));
    // The election: pre-votes first, then votes in a later term, granted.
    let first = |kind: RaftKind| after.iter().position(|f| f.kind == kind);
    let pre = first(RaftKind::RequestPreVote).expect("a pre-vote");
    let vote = first(RaftKind::RequestVote).expect("a vote");
    assert!(pre < vote);
    assert!(after
        .iter()
        .any(|f| f.kind == RaftKind::RequestVoteResponse && !f.reject && f.term > old_term));
    assert!(
        after.iter().all(|f| f.from != MachineId(0)),
        "a dead machine sends nothing"
    );
}

#[test]
fn a_partition_drops_messages_across_it() {
    let mut w = three_two(8);
    let mut seen = BTreeMap::new();
    collect(&mut w, 1, &mut seen);
    let before = *seen.keys().last().unwrap();
    w.partition(&[vec![MachineId(0)], vec![MachineId(1), MachineId(2)]]);
    collect(&mut w, 30, &mut seen);
    let after: Vec<&RaftFlight> = seen.range(before + 1..).map(|(_, f)| f).collect();
    let across = |f: &&&RaftFlight| (f.from == MachineId(0)) != (f.to == MachineId(0));
    assert!(after.iter().filter(across).count() > 5);
    assert!(after
        .iter()
        .filter(across)
        .all(|f| f.dropped == Some(Dropped::Partition)));
    assert!(after
        .iter()
        .filter(|f| !across(f))
        .all(|f| f.dropped.is_none()));
    // The old leader keeps sending heartbeats into the void until check-quorum stops it.
    assert!(after
        .iter()
        .any(|f| f.from == MachineId(0) && f.kind == RaftKind::Heartbeat));
}
