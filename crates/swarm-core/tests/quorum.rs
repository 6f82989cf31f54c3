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
