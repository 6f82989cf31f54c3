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

/// A network alias answers like the service's name, but only on its own network.
#[test]
fn network_aliases_resolve_on_their_network_only() {
    let mut w = cluster(3, 1, 0);
    let front = network(&mut w, "front");
    let back = network(&mut w, "back");
    let mut api = ServiceSpec::new("app_api", "nginx:alpine");
    api.networks = vec!["back".into(), "front".into()];
    api.network_aliases
        .insert("back".into(), vec!["backend".into(), "api".into()]);
    let id = service(&mut w, api);
    w.advance(SimDuration::from_secs(15));
    let s = w.swarm(0).unwrap();
    let vip_on = |net: &str| {
        s.services[&id]
            .virtual_ips
            .iter()
            .find(|v| v.network_id == net)
            .map(|v| v.addr)
            .unwrap()
    };
    let (vb, _vf) = (vip_on(&back), vip_on(&front));
    let on_back = std::slice::from_ref(&back);
    let on_front = std::slice::from_ref(&front);
    assert_eq!(w.dns_lookup(0, on_back, "backend"), Some(vec![vb]));
    assert_eq!(w.dns_lookup(0, on_front, "backend"), None);
    let tasks = w.dns_lookup(0, on_back, "tasks.backend").unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(w.dns_lookup(0, on_front, "tasks.backend"), None);
    // The service's own name still answers on both.
    assert!(w.dns_lookup(0, on_front, "app_api").is_some());
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
fn a_published_port_twice_is_refused_whatever_its_mode() {
    // swarmkit's validateEndpointSpec keys ports on (published port, protocol) only.
    let mut w = cluster(4, 1, 0);
    let port = |target: u16, published: u16, protocol: &str, mode: &str| PortConfig {
        protocol: protocol.into(),
        target,
        published,
        mode: mode.into(),
    };
    for ports in [
        vec![
            port(80, 8080, "tcp", "ingress"),
            port(81, 8080, "tcp", "ingress"),
        ],
        vec![
            port(80, 8080, "tcp", "ingress"),
            port(81, 8080, "tcp", "host"),
        ],
    ] {
        let mut spec = ServiceSpec::new("dup", "nginx:alpine");
        spec.ports = ports;
        assert_eq!(
            w.service_create(MachineId(0), spec).unwrap_err(),
            "rpc error: code = InvalidArgument desc = EndpointSpec: duplicate published ports provided"
        );
    }
    // The same number over udp is another port.
    let mut spec = ServiceSpec::new("dns", "nginx:alpine");
    spec.ports = vec![
        port(53, 5353, "tcp", "ingress"),
        port(53, 5353, "udp", "ingress"),
    ];
    assert!(w.service_create(MachineId(0), spec).is_ok());
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

fn machines(seed: u64, n: u32) -> World {
    let mut w = World::new(seed);
    for _ in 0..n {
        w.add_machine(None).unwrap();
    }
    w.advance(SimDuration::from_secs(1));
    w
}

/// Runs a standalone container on `m` (pulling its image) with networks `nets`.
fn run(
    w: &mut World,
    m: MachineId,
    name: &str,
    image: &str,
    nets: &[&str],
) -> Result<String, String> {
    run_args(w, m, name, image, nets, &[])
}

/// [`run`] with the container's command `args` (empty: the image's).
fn run_args(
    w: &mut World,
    m: MachineId,
    name: &str,
    image: &str,
    nets: &[&str],
    args: &[&str],
) -> Result<String, String> {
    let took = w.image_pull(m, image).unwrap();
    w.advance(took + SimDuration::from_millis(10));
    let config = swarm_core::container::ContainerConfig {
        name: name.into(),
        image: image.into(),
        args: args.iter().map(|a| a.to_string()).collect(),
        ..Default::default()
    };
    let id = w.container_create(m, config).unwrap();
    if !nets.is_empty() {
        let atts = nets
            .iter()
            .map(|n| swarm_core::endpoints::Attachment::to(n))
            .collect();
        w.container_set_networks(m, &id, atts);
    }
    w.container_start(m, &id)?;
    Ok(id)
}

fn addr_of(w: &World, m: MachineId, id: &str) -> Vec<Ipv4Addr> {
    w.live_endpoints(m, id)
        .into_iter()
        .map(|(_, e)| e.addr)
        .collect()
}

#[test]
fn the_default_bridge_hands_out_the_lowest_free_address() {
    let mut w = machines(11, 1);
    let m = MachineId(0);
    let a = run(&mut w, m, "c1", "nginx:alpine", &[]).unwrap();
    let b = run(&mut w, m, "c2", "nginx:alpine", &[]).unwrap();
    assert_eq!(addr_of(&w, m, &a), vec![ip("172.17.0.2")]);
    assert_eq!(addr_of(&w, m, &b), vec![ip("172.17.0.3")]);
    w.container_kill(m, &a, "KILL").unwrap();
    w.advance(SimDuration::from_millis(100));
    assert!(
        addr_of(&w, m, &a).is_empty(),
        "a stopped container holds no address"
    );
    let c = run(&mut w, m, "c3", "nginx:alpine", &[]).unwrap();
    assert_eq!(addr_of(&w, m, &c), vec![ip("172.17.0.2")], "reused");
    w.container_start(m, &a).unwrap();
    assert_eq!(addr_of(&w, m, &a), vec![ip("172.17.0.4")]);
    // No embedded DNS on the default bridge.
    assert_eq!(
        w.container_dns(m, &c, "c2"),
        swarm_core::endpoints::DnsAnswer::NoEmbeddedDns
    );
}

#[test]
fn user_bridges_take_local_pools_and_resolve_container_names() {
    let mut w = machines(12, 2);
    let m = MachineId(0);
    let spec = |name: &str| swarm_core::endpoints::LocalNetworkSpec {
        name: name.into(),
        ..Default::default()
    };
    let net = w.local_network_create(m, spec("app")).unwrap();
    assert_eq!(net.len(), 64);
    w.local_network_create(m, spec("other")).unwrap();
    let nets = w.local_networks(m);
    assert_eq!(nets[0].cidr(), "172.18.0.0/16");
    assert_eq!(nets[1].cidr(), "172.19.0.0/16");
    assert!(
        w.local_networks(MachineId(1)).is_empty(),
        "local to the machine"
    );
    assert_eq!(
        w.local_network_create(m, spec("app")).unwrap_err(),
        "network with name app already exists"
    );
    assert_eq!(
        w.local_network_create(m, spec("host")).unwrap_err(),
        "operation is not permitted on predefined host network"
    );
    let web = run(&mut w, m, "web", "nginx:alpine", &["app"]).unwrap();
    let client = run(&mut w, m, "client", "nginx:alpine", &["app"]).unwrap();
    let outsider = run(&mut w, m, "outsider", "nginx:alpine", &["other"]).unwrap();
    assert_eq!(addr_of(&w, m, &web), vec![ip("172.18.0.2")]);
    use swarm_core::endpoints::DnsAnswer;
    assert_eq!(
        w.container_dns(m, &client, "web"),
        DnsAnswer::Found(vec![ip("172.18.0.2")])
    );
    assert_eq!(
        w.container_dns(m, &client, &web[..12]),
        DnsAnswer::Found(vec![ip("172.18.0.2")]),
        "the short ID resolves too"
    );
    assert_eq!(w.container_dns(m, &outsider, "web"), DnsAnswer::NotFound);
    w.advance(SimDuration::from_secs(5));
    let out = w.http_get(m, Some(&client), "web", 80, "/").unwrap();
    assert_eq!(out.served_by.1, web);
    assert_eq!(
        w.http_get(m, Some(&outsider), "172.18.0.2", 80, "/"),
        Err(swarm_core::network::HttpError::Timeout),
        "bridges are isolated from each other"
    );
    // Connect the outsider: now it resolves web, with an alias of its own.
    w.network_connect(m, "app", "outsider", vec!["ext".into()], None)
        .unwrap();
    assert_eq!(
        w.network_connect(m, "app", "outsider", vec![], None)
            .unwrap_err(),
        "endpoint with name outsider already exists in network app"
    );
    assert_eq!(
        w.container_dns(m, &client, "ext"),
        DnsAnswer::Found(vec![ip("172.18.0.4")])
    );
    let err = w.local_network_remove(m, "app").unwrap_err();
    assert!(
        err.starts_with("error while removing network: network app has active endpoints (name:\"")
            && err.contains("name:\"web\" id:\""),
        "{err}"
    );
    w.network_disconnect(m, "app", "outsider", false).unwrap();
    assert_eq!(
        w.network_disconnect(m, "app", "outsider", false)
            .unwrap_err(),
        format!("container {outsider} is not connected to network app")
    );
    for id in [&web, &client] {
        w.container_kill(m, id, "KILL").unwrap();
    }
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.local_network_remove(m, "app").unwrap(), "app");
    // Starting a container whose network is gone fails as docker's does.
    assert_eq!(
        w.container_start(m, &web).unwrap_err(),
        "failed to set up container networking: network app not found"
    );
    // The pool is handed out again.
    w.local_network_create(m, spec("again")).unwrap();
    assert_eq!(w.local_networks(m)[1].cidr(), "172.18.0.0/16");
}

#[test]
fn standalone_containers_join_attachable_overlays_only() {
    let mut w = cluster(13, 1, 1);
    let plain = network(&mut w, "plain");
    let spec = NetworkSpec {
        name: "shared".into(),
        driver: "overlay".into(),
        attachable: true,
        ..NetworkSpec::default()
    };
    let (shared, h) = w.network_create(MachineId(0), spec).unwrap();
    w.advance(SimDuration::from_millis(100));
    assert_eq!(w.op_result(h), Some(&Ok(())));
    let worker = MachineId(1);
    assert_eq!(
        run(&mut w, worker, "xx", "nginx:alpine", &["plain"]).unwrap_err(),
        "failed to set up container networking: Could not attach to network plain: rpc error: code = PermissionDenied desc = network plain not manually attachable"
    );
    assert_eq!(
        run(&mut w, worker, "yy", "nginx:alpine", &["nope"]).unwrap_err(),
        "failed to set up container networking: Could not attach to network nope: rpc error: code = NotFound desc = network nope not found"
    );
    let mut api = ServiceSpec::new("api", "traefik/whoami");
    api.mode = Mode::Replicated { replicas: 2 };
    api.networks = vec!["shared".into()];
    service(&mut w, api);
    w.advance(SimDuration::from_secs(20));
    let c = run(&mut w, worker, "probe", "nginx:alpine", &["shared"]).unwrap();
    let addrs = addr_of(&w, worker, &c);
    assert_eq!(addrs.len(), 1);
    assert_eq!(addrs[0].octets()[..3], [10, 0, 2]);
    use swarm_core::endpoints::DnsAnswer;
    let vip = w
        .swarm(0)
        .unwrap()
        .services
        .values()
        .next()
        .unwrap()
        .virtual_ips[0]
        .addr;
    assert_eq!(
        w.container_dns(worker, &c, "api"),
        DnsAnswer::Found(vec![vip])
    );
    match w.container_dns(worker, &c, "tasks.api") {
        DnsAnswer::Found(a) => assert_eq!(a.len(), 2),
        other => panic!("{other:?}"),
    }
    let out = w.http_get(worker, Some(&c), "api", 80, "/").unwrap();
    assert!(out.reply.body.contains("Hostname: "));
    // Tasks resolve the standalone container by name.
    assert_eq!(
        w.dns_lookup(0, std::slice::from_ref(&shared), "probe"),
        Some(addrs.clone())
    );
    assert_eq!(w.dns_lookup(0, &[plain], "probe"), None);
    // The network is in use while the container runs on it.
    w.service_remove(MachineId(0), "api").unwrap();
    w.advance(SimDuration::from_secs(5));
    let err = w.network_remove(MachineId(0), "shared").unwrap_err();
    assert!(err.contains("is in use by task "), "{err}");
    w.container_kill(worker, &c, "KILL").unwrap();
    w.advance(SimDuration::from_millis(100));
    assert!(w.network_remove(MachineId(0), "shared").is_ok());
}

/// The data plane follows the control plane under faults: once a killed machine's node is
/// marked down and its tasks replaced, neither the routing mesh, nor a VIP, nor `tasks.NAME`
/// sends anything to the tasks that ran there.
#[test]
fn no_traffic_reaches_a_dead_machine_once_its_tasks_are_down() {
    for seed in 0..100u64 {
        let mut w = cluster(1000 + seed, 1, 3);
        let net = network(&mut w, "app");
        let mut spec = ServiceSpec::new("who", "traefik/whoami");
        spec.mode = Mode::Replicated { replicas: 4 };
        spec.networks = vec!["app".into()];
        spec.ports = vec![PortConfig {
            protocol: "tcp".into(),
            target: 80,
            published: 8080,
            mode: "ingress".into(),
        }];
        let svc = service(&mut w, spec);
        let mut client = ServiceSpec::new("client", "nginx:alpine");
        client.networks = vec!["app".into()];
        client.constraints = vec!["node.role==manager".into()];
        let client_id = service(&mut w, client);
        w.advance(SimDuration::from_secs(20));
        // Kill a worker that runs a task of the service (the seed picks which).
        let s = w.swarm(0).unwrap();
        let mut victims: Vec<(MachineId, String)> = s
            .tasks_of(&svc)
            .filter(|t| t.state == TaskState::Running)
            .filter_map(|t| {
                let n = &s.nodes[t.node_id.as_ref()?];
                (n.machine != MachineId(0)).then(|| (n.machine, n.id.clone()))
            })
            .collect();
        victims.sort();
        victims.dedup();
        assert!(!victims.is_empty(), "seed {seed}: a worker runs a task");
        let (dead, dead_node) = victims[(seed as usize) % victims.len()].clone();
        let name = w.machine(dead).unwrap().hostname.clone();
        let dead_addrs: Vec<Ipv4Addr> = w
            .swarm(0)
            .unwrap()
            .tasks_of(&svc)
            .filter(|t| t.node_id.as_deref() == Some(dead_node.as_str()))
            .flat_map(|t| t.addresses.iter().map(|(_, a)| *a))
            .collect();
        w.power_off(&name).unwrap();
        // Wait until the node is Down and its tasks are replaced.
        let mut replaced = false;
        for _ in 0..120 {
            w.advance(SimDuration::from_secs(1));
            let s = w.swarm(0).unwrap();
            let down = s.nodes[&dead_node].state == swarm_core::NodeState::Down;
            let running = s
                .tasks_of(&svc)
                .filter(|t| t.state == TaskState::Running && t.desired == TaskState::Running)
                .filter(|t| t.node_id.as_deref() != Some(dead_node.as_str()))
                .count();
            if down && running == 4 {
                replaced = true;
                break;
            }
        }
        assert!(replaced, "seed {seed}: the tasks of {name} were replaced");
        let client_task = w
            .swarm(0)
            .unwrap()
            .tasks_of(&client_id)
            .find(|t| t.state == TaskState::Running)
            .cloned()
            .unwrap();
        let cid = client_task.container_id.clone().unwrap();
        for i in 0..24 {
            let t = w.mesh_pick(0, 8080).unwrap().unwrap();
            let task = &w.swarm(0).unwrap().tasks[&t];
            assert_ne!(
                task.node_id.as_deref(),
                Some(dead_node.as_str()),
                "seed {seed}: mesh"
            );
            let from = MachineId(i % 3);
            let from = if from == dead { MachineId(0) } else { from };
            let out = w.http_get(from, None, "localhost", 8080, "/").unwrap();
            assert_ne!(out.served_by.0, dead, "seed {seed}: mesh request");
            let out = w
                .http_get(MachineId(0), Some(&cid), "who", 80, "/")
                .unwrap();
            assert_ne!(out.served_by.0, dead, "seed {seed}: VIP request");
        }
        let tasks = w
            .dns_lookup(0, std::slice::from_ref(&net), "tasks.who")
            .unwrap();
        assert_eq!(tasks.len(), 4, "seed {seed}");
        for a in &tasks {
            assert!(
                !dead_addrs.contains(a),
                "seed {seed}: tasks.who answers {a} of {name}"
            );
        }
        for a in &tasks {
            let out = w
                .http_get(MachineId(0), Some(&cid), &a.to_string(), 80, "/")
                .unwrap();
            assert_ne!(out.served_by.0, dead, "seed {seed}: task address");
        }
    }
}

/// Runs `alpine` with command `args` on `nets`, lets it finish, and returns its log text and
/// exit code.
fn run_command(
    w: &mut World,
    m: MachineId,
    name: &str,
    nets: &[&str],
    args: &[&str],
) -> (String, i32) {
    let id = run_args(w, m, name, "alpine", nets, args).unwrap();
    w.advance(SimDuration::from_secs(3));
    let c = w.container(m, &id).unwrap();
    assert!(!c.is_running(), "{args:?} ended");
    let code = c.exit_code;
    let text: Vec<String> = w
        .container_logs(m, &id, None, None, None)
        .unwrap()
        .into_iter()
        .map(|l| l.text)
        .collect();
    (text.join("\n"), code)
}

#[test]
fn a_containers_own_command_resolves_names_as_docker_exec_does() {
    let mut w = machines(13, 1);
    let m = MachineId(0);
    let spec = swarm_core::endpoints::LocalNetworkSpec {
        name: "mybr".into(),
        ..Default::default()
    };
    w.local_network_create(m, spec).unwrap();
    let srv = run(&mut w, m, "srv", "nginx:alpine", &["mybr"]).unwrap();
    assert_eq!(addr_of(&w, m, &srv), vec![ip("172.18.0.2")]);
    let (out, code) = run_command(&mut w, m, "p1", &["mybr"], &["ping", "-c", "1", "srv"]);
    assert!(
        out.starts_with("PING srv (172.18.0.2): 56 data bytes"),
        "{out}"
    );
    assert_eq!(code, 0);
    let (out, code) = run_command(&mut w, m, "p2", &[], &["ping", "-c", "1", "nowhere"]);
    assert_eq!((out.as_str(), code), ("ping: bad address 'nowhere'", 1));
    let (out, code) = run_command(&mut w, m, "p3", &[], &["ping", "-c", "1", "srv"]);
    assert_eq!(
        (out.as_str(), code),
        ("ping: bad address 'srv'", 1),
        "the default bridge has no embedded DNS"
    );
    let (out, code) = run_command(&mut w, m, "n1", &["mybr"], &["nslookup", "srv"]);
    assert_eq!(
        (out.as_str(), code),
        (
            "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\tsrv\nAddress: 172.18.0.2\n",
            0
        )
    );
    let (out, code) = run_command(&mut w, m, "n2", &["mybr"], &["nslookup", "nope"]);
    assert!(
        out.ends_with("** server can't find nope: NXDOMAIN\n"),
        "{out}"
    );
    assert_eq!(code, 1);
    let exec = w.container_lookup(m, &srv, "srv");
    assert_eq!(exec.ping.as_deref(), Some("172.18.0.2"));
}
