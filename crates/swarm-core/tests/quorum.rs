//! Manager quorum scenarios on the bare world: election, failover, loss and recovery.

use swarm_core::{MachineId, NodeState, Role, SimDuration, World};

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

fn leader(w: &World) -> Option<MachineId> {
    w.swarm(0).and_then(|s| s.leader())
}

#[test]
fn joins_form_a_quorum_of_three() {
    let w = three_two(1);
    let s = w.swarm(0).unwrap();
    assert_eq!(s.nodes.len(), 5);
    assert_eq!(s.manager_count(), 3);
    assert_eq!(leader(&w), Some(MachineId(0)));
    assert!(s.nodes.values().all(|n| n.state == NodeState::Ready));
    for n in s.nodes.values().filter(|n| n.role == Role::Manager) {
        assert!(s.reachability(n).is_some());
    }
}

#[test]
fn killing_the_leader_elects_another_within_20_seconds() {
    let mut w = three_two(2);
    let old = leader(&w).unwrap();
    w.power_off("node1").unwrap();
    let mut elected_after = None;
    for s in 1..=30 {
        w.advance(SimDuration::from_secs(1));
        if let Some(l) = leader(&w).filter(|l| *l != old) {
            elected_after = Some((s, l));
            break;
        }
    }
    let (secs, l) = elected_after.expect("a new leader");
    assert!((10..=21).contains(&secs), "elected after {secs} s");
    assert_ne!(l, old);
    assert!(w.control(l).is_ok());
    // Killing a second manager loses the quorum.
    let second = w.machine(l).unwrap().hostname.clone();
    w.power_off(&second).unwrap();
    w.advance(SimDuration::from_secs(30));
    let survivor = [MachineId(1), MachineId(2)]
        .into_iter()
        .find(|m| *m != l)
        .unwrap();
    let err = w.control(survivor).unwrap_err();
    assert!(err.contains("does not have a leader"), "{err}");
    // Booting one back restores it.
    w.power_on(&second).unwrap();
    w.advance(SimDuration::from_secs(40));
    assert!(leader(&w).is_some());
    assert!(w.control(survivor).is_ok());
    // node1 is down in the store.
    let s = w.swarm(0).unwrap();
    let n1 = s.nodes.values().find(|n| n.hostname == "node1").unwrap();
    assert_eq!(n1.state, NodeState::Down);
}

#[test]
fn five_managers_survive_two_failures_not_three() {
    let mut w = World::new(5);
    for _ in 0..5 {
        w.add_machine(None).unwrap();
    }
    w.advance(SimDuration::from_secs(1));
    w.swarm_init(MachineId(0), None).unwrap();
    let token = w.swarm(0).unwrap().token(Role::Manager);
    for i in 1..5 {
        let h = w.swarm_join(MachineId(i), &token, "192.168.0.11").unwrap();
        w.advance(SimDuration::from_millis(200));
        assert_eq!(w.op_result(h), Some(&Ok(())));
    }
    w.advance(SimDuration::from_secs(5));
    assert_eq!(w.swarm(0).unwrap().manager_count(), 5);
    w.power_off("node1").unwrap();
    w.power_off("node2").unwrap();
    w.advance(SimDuration::from_secs(40));
    assert!(
        w.control(MachineId(4)).is_ok(),
        "3 of 5 managers keep a quorum"
    );
    w.power_off("node3").unwrap();
    w.advance(SimDuration::from_secs(40));
    let err = w.control(MachineId(4)).unwrap_err();
    assert!(err.contains("does not have a leader"), "{err}");
}

/// Demoting the leader hands leadership over at once (swarmkit's role manager transfers it
/// before the member leaves), instead of leaving the swarm leaderless for an election timeout.
#[test]
fn demoting_the_leader_transfers_leadership_at_once() {
    let mut w = three_two(3);
    let old = leader(&w).unwrap();
    let change = swarm_core::NodeChange {
        role: Some(Role::Worker),
        ..Default::default()
    };
    let h = w.node_update(MachineId(1), "node1", change).unwrap();
    w.advance(SimDuration::from_millis(200));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    w.advance(SimDuration::from_secs(2));
    let l = leader(&w).expect("a leader within 2 s");
    assert_ne!(l, old);
    assert!(w.control(MachineId(1)).is_ok());
    // The new leader removes the demoted node from the Raft configuration.
    let s = w.swarm(0).unwrap();
    assert_eq!(s.manager_count(), 2);
    let n1 = s.nodes.values().find(|n| n.hostname == "node1").unwrap();
    assert_eq!((n1.role, n1.raft_id), (Role::Worker, None));
    assert!(s.reachability(n1).is_none());
}

/// A promoted node that is down joins the Raft configuration only when it comes back.
#[test]
fn promoting_a_down_node_waits_for_it() {
    let mut w = three_two(4);
    w.power_off("node5").unwrap();
    w.advance(SimDuration::from_secs(20));
    let change = swarm_core::NodeChange {
        role: Some(Role::Manager),
        ..Default::default()
    };
    let h = w.node_update(MachineId(0), "node5", change).unwrap();
    w.advance(SimDuration::from_millis(200));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    w.advance(SimDuration::from_secs(5));
    let s = w.swarm(0).unwrap();
    let n5 = s.nodes.values().find(|n| n.hostname == "node5").unwrap();
    assert_eq!((n5.role, n5.state), (Role::Manager, NodeState::Down));
    assert!(s.reachability(n5).is_none());
    assert_eq!(s.manager_count(), 3);
    w.power_on("node5").unwrap();
    w.advance(SimDuration::from_secs(15));
    let s = w.swarm(0).unwrap();
    let n5 = s.nodes.values().find(|n| n.hostname == "node5").unwrap();
    assert!(s.reachability(n5).is_some());
    assert_eq!(s.manager_count(), 4);
}

/// A join nobody answers (a wrong address or port) times out and stays pending in the
/// background: another join is refused until `swarm leave`.
#[test]
fn a_timed_out_join_is_pending_until_leave() {
    let mut w = World::new(5);
    for _ in 0..2 {
        w.add_machine(None).unwrap();
    }
    w.advance(SimDuration::from_secs(1));
    w.swarm_init(MachineId(0), None).unwrap();
    let token = w.swarm(0).unwrap().token(Role::Worker);
    for remote in ["192.168.0.99:2377", "192.168.0.11:2378"] {
        let e = w.swarm_join(MachineId(1), &token, remote).unwrap_err();
        assert!(
            e.starts_with("Timeout was reached before node joined."),
            "{e}"
        );
        assert_eq!(w.join_pending(MachineId(1)), Some(remote));
        let e = w
            .swarm_join(MachineId(1), &token, "192.168.0.11:2377")
            .unwrap_err();
        assert!(
            e.starts_with("This node is already part of a swarm."),
            "{e}"
        );
        w.advance(SimDuration::from_secs(12));
        assert!(w.node_of(MachineId(1)).is_none());
        w.swarm_leave(MachineId(1), false).unwrap();
        assert_eq!(w.join_pending(MachineId(1)), None);
    }
    let h = w.swarm_join(MachineId(1), &token, "192.168.0.11").unwrap();
    w.advance(SimDuration::from_millis(200));
    assert_eq!(w.op_result(h), Some(&Ok(())));
}

/// No live node is ever Down, whatever the seed: while the others elect a leader, the dead
/// one's frozen Raft state decides nothing, and the new leader sees the others as Unknown
/// until their heartbeats.
#[test]
fn a_leader_election_never_marks_a_live_node_down() {
    for seed in 1..=12 {
        let mut w = three_two(seed);
        w.power_off("node1").unwrap();
        for _ in 0..120 {
            w.advance(SimDuration::from_millis(500));
            let s = w.swarm(0).unwrap();
            for n in s.nodes.values().filter(|n| n.hostname != "node1") {
                assert_ne!(
                    n.state,
                    NodeState::Down,
                    "seed {seed}: {} went Down",
                    n.hostname
                );
            }
        }
        let s = w.swarm(0).unwrap();
        let n1 = s.nodes.values().find(|n| n.hostname == "node1").unwrap();
        assert_eq!(n1.state, NodeState::Down, "seed {seed}");
        assert_eq!(
            n1.message,
            "heartbeat failure for node in \"unknown\" state"
        );
    }
}

/// A leader cut off with a minority of the managers changes nothing: the majority's nodes
/// stay Ready until the majority's own leader takes over.
#[test]
fn a_minority_leader_marks_nobody_down() {
    let mut w = three_two(3);
    assert_eq!(leader(&w), Some(MachineId(0)));
    w.partition(&[
        vec![MachineId(0), MachineId(3)],
        vec![MachineId(1), MachineId(2), MachineId(4)],
    ]);
    for _ in 0..80 {
        w.advance(SimDuration::from_millis(500));
        let s = w.swarm(0).unwrap();
        for n in s.nodes.values() {
            if ["node2", "node3", "node5"].contains(&n.hostname.as_str()) {
                assert_ne!(n.state, NodeState::Down, "{} went Down", n.hostname);
            }
        }
    }
    let l = leader(&w).unwrap();
    assert!(
        [MachineId(1), MachineId(2)].contains(&l),
        "the majority leads"
    );
    let s = w.swarm(0).unwrap();
    let mut down: Vec<&str> = s
        .nodes
        .values()
        .filter(|n| n.state == NodeState::Down)
        .map(|n| n.hostname.as_str())
        .collect();
    down.sort();
    // The minority's nodes go Down in the majority's store.
    assert_eq!(down, ["node1", "node4"]);
}

/// Autolock: managers powered off and on come back locked and stay out of the quorum (two of
/// three locked: no leader) until each is unlocked with the key it was sealed with; a wrong
/// key changes nothing; a worker never locks.
#[test]
fn autolocked_managers_stay_out_of_the_quorum_until_unlocked() {
    let mut w = three_two(5);
    let (h, key) = w.swarm_set_autolock(MachineId(0), true).unwrap();
    w.advance(SimDuration::from_secs(1));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    for name in ["node1", "node2", "node4"] {
        w.power_off(name).unwrap();
    }
    w.advance(SimDuration::from_secs(1));
    for name in ["node1", "node2", "node4"] {
        w.power_on(name).unwrap();
    }
    w.advance(SimDuration::from_secs(30));
    assert!(w.is_locked(MachineId(0)) && w.is_locked(MachineId(1)));
    assert!(!w.is_locked(MachineId(3)), "a worker never locks");
    assert!(!w.is_locked(MachineId(2)), "node3 was never restarted");
    assert!(
        w.control(MachineId(2)).is_err(),
        "one manager of three: no quorum"
    );
    assert!(w
        .control(MachineId(0))
        .unwrap_err()
        .starts_with("Swarm is encrypted"));
    let wrong = format!("{}A", &key[..key.len() - 1]);
    assert_eq!(
        w.swarm_unlock(MachineId(0), &wrong).unwrap_err(),
        "swarm could not be unlocked: invalid key provided"
    );
    assert_eq!(
        w.swarm_unlock(MachineId(0), "nope").unwrap_err(),
        "invalid key string"
    );
    assert!(w.is_locked(MachineId(0)));
    assert_eq!(
        w.swarm_unlock(MachineId(2), &key).unwrap_err(),
        "swarm is not locked"
    );
    w.swarm_unlock(MachineId(0), &key).unwrap();
    w.advance(SimDuration::from_secs(30));
    let l = leader(&w).expect("two managers of three unlocked: a leader");
    assert!(w.control(l).is_ok());
    assert!(w.is_locked(MachineId(1)));
    w.swarm_unlock(MachineId(1), &key).unwrap();
    w.advance(SimDuration::from_secs(30));
    let s = w.swarm(0).unwrap();
    assert!(s.nodes.values().all(|n| n.state == NodeState::Ready));
}
