//! What the quorum view reads from the core: each member's Raft facts and the last committed
//! writes in words.

use swarm_core::raft_info::WRITES_KEPT;
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
