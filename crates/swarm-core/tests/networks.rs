//! Overlay networks, VIPs, task addresses, the embedded DNS and the routing mesh.

use std::net::Ipv4Addr;

use swarm_core::network::NetworkSpec;
use swarm_core::{MachineId, Mode, PortConfig, Role, ServiceSpec, SimDuration, TaskState, World};

fn cluster(seed: u64, managers: u32, workers: u32) -> World {
    let mut w = World::new(seed);
    for _ in 0..managers + workers {
        w.add_machine(None).unwrap();
    }
    w.advance(SimDuration::from_secs(1));
    w.swarm_init(MachineId(0), None).unwrap();
    let s = w.swarm(0).unwrap();
    let (wt, mt) = (s.token(Role::Worker), s.token(Role::Manager));
    for i in 1..managers + workers {
        let token = if i < managers { &mt } else { &wt };
        let h = w
            .swarm_join(MachineId(i), token, "192.168.0.11:2377")
            .unwrap();
        w.advance(SimDuration::from_millis(300));
        assert_eq!(w.op_result(h), Some(&Ok(())));
    }
    w.advance(SimDuration::from_secs(5));
    w
}

fn network(w: &mut World, name: &str) -> String {
    let spec = NetworkSpec {
        name: name.into(),
        driver: "overlay".into(),
        ..NetworkSpec::default()
    };
    let (id, h) = w.network_create(MachineId(0), spec).unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    id
}

fn service(w: &mut World, spec: ServiceSpec) -> String {
    let (id, h) = w.service_create(MachineId(0), spec).unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    id
}

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

#[test]
fn ingress_and_overlays_take_serial_subnets() {
    let mut w = cluster(1, 1, 0);
    let s = w.swarm(0).unwrap();
    let ingress = s.ingress().unwrap().clone();
    assert_eq!(ingress.cidr(), "10.0.0.0/24");
    assert_eq!(ingress.gateway, ip("10.0.0.1"));
    let a = network(&mut w, "a");
    let b = network(&mut w, "b");
    let s = w.swarm(0).unwrap();
    assert_eq!(s.networks[&a].cidr(), "10.0.1.0/24");
    assert_eq!(s.networks[&b].cidr(), "10.0.2.0/24");
    assert_eq!(s.networks[&b].vxlan_id, 4098);
    let dup = NetworkSpec {
        name: "a".into(),
        ..NetworkSpec::default()
    };
    assert_eq!(
        w.network_create(MachineId(0), dup).unwrap_err(),
        "network with name a already exists"
    );
}

#[test]
fn services_get_vips_tasks_get_addresses_and_dns_answers() {
    let mut w = cluster(2, 1, 2);
    let net = network(&mut w, "iotd-net");
    let mut iotd = ServiceSpec::new("iotd", "nginx:alpine");
    iotd.mode = Mode::Replicated { replicas: 3 };
    iotd.networks = vec!["iotd-net".into()];
    let iotd_id = service(&mut w, iotd);
    let mut log = ServiceSpec::new("accesslog", "nginx:alpine");
    log.networks = vec!["iotd-net".into()];
    service(&mut w, log);
    let other = service(&mut w, ServiceSpec::new("other", "nginx:alpine"));
    w.advance(SimDuration::from_secs(15));
    let s = w.swarm(0).unwrap();
    let svc = &s.services[&iotd_id];
    assert_eq!(svc.virtual_ips.len(), 1);
    assert_eq!(svc.virtual_ips[0].addr, ip("10.0.1.2"));
    assert!(s.services[&other].virtual_ips.is_empty());
    let nets = vec![net.clone()];
    assert_eq!(w.dns_lookup(0, &nets, "iotd"), Some(vec![ip("10.0.1.2")]));
    let mut tasks = w.dns_lookup(0, &nets, "tasks.iotd").unwrap();
    tasks.sort();
    assert_eq!(tasks.len(), 3);
    assert!(tasks.iter().all(|a| a.octets()[..3] == [10, 0, 1]));
    assert_eq!(
        w.dns_lookup(0, &nets, "other"),
        None,
        "not on a shared network"
    );
    assert_eq!(w.dns_lookup(0, &nets, "nope"), None);
    let h = w.network_remove(MachineId(0), "iotd-net");
    assert!(h
        .unwrap_err()
        .starts_with("rpc error: code = FailedPrecondition desc = network "));
}

#[test]
fn the_mesh_balances_round_robin_and_skips_dead_nodes() {
    let mut w = cluster(3, 1, 2);
    let mut spec = ServiceSpec::new("who", "traefik/whoami");
    spec.mode = Mode::Replicated { replicas: 3 };
    spec.ports = vec![PortConfig {
        protocol: "tcp".into(),
        target: 80,
        published: 8080,
        mode: "ingress".into(),
    }];
    let id = service(&mut w, spec);
    w.advance(SimDuration::from_secs(15));
    let s = w.swarm(0).unwrap();
    assert_eq!(s.services[&id].virtual_ips.len(), 1, "a VIP on ingress");
    let picks: Vec<String> = (0..6)
        .map(|_| w.mesh_pick(0, 8080).unwrap().unwrap())
        .collect();
    assert_eq!(picks[0..3], picks[3..6], "round robin");
    let distinct: std::collections::BTreeSet<&String> = picks.iter().collect();
    assert_eq!(distinct.len(), 3);
    assert!(w.mesh_pick(0, 9999).is_none());
    // A node that goes down stops receiving traffic once it is marked Down.
    w.power_off("node3").unwrap();
    w.advance(SimDuration::from_secs(20));
    let s = w.swarm(0).unwrap();
    let node3 = s
        .nodes
        .values()
        .find(|n| n.hostname == "node3")
        .unwrap()
        .id
        .clone();
    for _ in 0..10 {
        let t = w.mesh_pick(0, 8080).unwrap().unwrap();
        let task = &w.swarm(0).unwrap().tasks[&t];
        assert_ne!(task.node_id.as_deref(), Some(node3.as_str()));
        assert_eq!(task.state, TaskState::Running);
    }
}

#[test]
fn attaching_to_ingress_or_dnsrr_with_ingress_ports_is_refused() {
    let mut w = cluster(4, 1, 0);
    let mut spec = ServiceSpec::new("x", "nginx:alpine");
    spec.networks = vec!["ingress".into()];
    assert_eq!(
        w.service_create(MachineId(0), spec).unwrap_err(),
        "rpc error: code = InvalidArgument desc = Service cannot be explicitly attached to the ingress network \"ingress\""
    );
    let mut spec = ServiceSpec::new("y", "nginx:alpine");
    spec.networks = vec!["nope".into()];
    assert_eq!(
        w.service_create(MachineId(0), spec).unwrap_err(),
        "network nope not found"
    );
    assert!(w.swarm(0).unwrap().services.is_empty());
}

#[test]
fn http_through_the_mesh_reaches_every_task_from_every_machine() {
    let mut w = cluster(5, 1, 2);
    let mut spec = ServiceSpec::new("who", "traefik/whoami");
    spec.mode = Mode::Replicated { replicas: 2 };
    spec.ports = vec![PortConfig {
        protocol: "tcp".into(),
        target: 80,
        published: 8080,
        mode: "ingress".into(),
    }];
    service(&mut w, spec);
    w.advance(SimDuration::from_secs(20));
    // node3 may run no task: it still answers on 8080.
    let mut served = Vec::new();
    for from in 0..3 {
        for _ in 0..2 {
            let out = w
                .http_get(MachineId(from), None, "localhost", 8080, "/")
                .unwrap();
            assert_eq!(out.reply.status, 200);
            assert!(out.reply.body.contains("Hostname: "), "{}", out.reply.body);
            served.push(out.served_by.1.clone());
        }
    }
    let distinct: std::collections::BTreeSet<&String> = served.iter().collect();
    assert_eq!(distinct.len(), 2, "both tasks answer");
    assert_eq!(
        w.http_get(MachineId(0), None, "localhost", 9090, "/"),
        Err(swarm_core::network::HttpError::Refused)
    );
    assert_eq!(
        w.http_get(MachineId(0), None, "nope", 80, "/"),
        Err(swarm_core::network::HttpError::CouldNotResolve)
    );
    // Across a partition the request times out.
    w.partition(&[vec![MachineId(0)]]);
    assert_eq!(
        w.http_get(MachineId(0), None, "node2", 8080, "/"),
        Err(swarm_core::network::HttpError::Timeout)
    );
}

#[test]
fn containers_reach_services_by_name_on_shared_networks() {
    let mut w = cluster(6, 1, 1);
    network(&mut w, "app");
    let mut api = ServiceSpec::new("api", "traefik/whoami");
    api.mode = Mode::Replicated { replicas: 2 };
    api.networks = vec!["app".into()];
    service(&mut w, api);
    let mut client = ServiceSpec::new("client", "nginx:alpine");
    client.networks = vec!["app".into()];
    let client_id = service(&mut w, client);
    w.advance(SimDuration::from_secs(20));
    let s = w.swarm(0).unwrap();
    let t = s
        .tasks_of(&client_id)
        .find(|t| t.state == TaskState::Running)
        .unwrap();
    let m = s.nodes[t.node_id.as_ref().unwrap()].machine;
    let cid = t.container_id.clone().unwrap();
    let out = w.http_get(m, Some(&cid), "api", 80, "/").unwrap();
    assert!(out.reply.body.contains("Hostname: "));
    let out = w.http_get(m, Some(&cid), "tasks.api", 80, "/").unwrap();
    assert_eq!(out.reply.status, 200);
    assert_eq!(
        w.http_get(m, Some(&cid), "other", 80, "/"),
        Err(swarm_core::network::HttpError::CouldNotResolve)
    );
}
