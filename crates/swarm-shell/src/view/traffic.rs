//! The traffic view's rows: the requests and connections the world recorded
//! (`World::traffic_since`), each from the machine it entered at to the task (or container)
//! that answered, newest first.

use swarm_core::network::TrafficEvent;
use swarm_core::{MachineId, World};

use crate::Playground;

/// How many requests the traffic view keeps.
pub const TRAFFIC_SHOWN: usize = 40;

/// One request or connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrafficRow {
    /// Its number (a stable key: new rows have higher numbers).
    pub seq: u64,
    /// Simulated time, `hh:mm:ss.mmm`.
    pub at: String,
    /// The machine it left from (or entered the mesh at).
    pub from: String,
    /// What it asked for: `node2:8080`, `numbers-api:80`.
    pub target: String,
    /// How it was routed: `mesh`, `vip`, `task`, `container`, `host`, `none`.
    pub via: &'static str,
    /// The task that answered, as `web.2` (its container name without the task ID).
    pub task: Option<String>,
    /// The machine that answered.
    pub to: Option<String>,
    /// The HTTP status, `connected`, or what went wrong.
    pub outcome: String,
    /// True if it got an answer (a status below 500, or a connection).
    pub ok: bool,
}

/// `web.2.<task id>` → `web.2`; other names unchanged.
pub fn short_task(container_name: &str) -> &str {
    match container_name.rsplit_once('.') {
        Some((head, id)) if id.len() == 25 && id.bytes().all(|b| b.is_ascii_alphanumeric()) => head,
        _ => container_name,
    }
}

impl TrafficRow {
    /// The row of one recorded event.
    pub fn of(w: &World, ev: &TrafficEvent) -> TrafficRow {
        let name = |m: MachineId| {
            w.machine(m)
                .map_or_else(|| format!("machine {m}"), |x| x.hostname.clone())
        };
        let ms = ev.at.as_millis();
        let s = ms / 1000;
        let ok = match ev.outcome.parse::<u16>() {
            Ok(status) => status < 500,
            Err(_) => ev.outcome == "connected",
        };
        TrafficRow {
            seq: ev.seq,
            at: format!(
                "{:02}:{:02}:{:02}.{:03}",
                s / 3600,
                (s / 60) % 60,
                s % 60,
                ms % 1000
            ),
            from: name(ev.from),
            target: format!("{}:{}", ev.host, ev.port),
            via: ev.via,
            task: ev.task.as_deref().map(|t| short_task(t).to_string()),
            to: ev.to.map(name),
            outcome: ev.outcome.clone(),
            ok,
        }
    }
}

impl Playground {
    /// The last `limit` requests, newest first.
    pub fn traffic(&self, limit: usize) -> Vec<TrafficRow> {
        let w = self.world();
        let total = w.traffic_count();
        let since = total.saturating_sub(limit as u64);
        let mut rows: Vec<TrafficRow> = w
            .traffic_since(since)
            .map(|e| TrafficRow::of(&w, e))
            .collect();
        rows.reverse();
        rows
    }

    /// How many requests were ever recorded (changes whenever a new one is).
    pub fn traffic_count(&self) -> u64 {
        self.world().traffic_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;
    use swarm_core::SimDuration;

    fn run(pg: &mut Playground, machine: &str, line: &str) -> String {
        pg.submit(machine, line);
        assert!(pg.run_until_idle(machine, SimDuration::from_secs(120)));
        let (out, err) = pg.terminal_mut(machine).unwrap().drain_streams();
        out + &err
    }

    #[test]
    fn curl_through_the_mesh_is_a_row() {
        let mut pg = Playground::new(&Options {
            template: Some("1m2w".into()),
            ..Options::default()
        })
        .unwrap();
        assert!(pg.traffic(10).is_empty());
        run(
            &mut pg,
            "node1",
            "docker service create -q --name web --replicas 2 -p 8080:80 nginx",
        );
        let out = run(&mut pg, "node3", "curl -s node3:8080 | head -4 | tail -1");
        assert_eq!(out, "<title>Welcome to nginx!</title>\n");
        run(&mut pg, "node3", "curl -s node3:9999; echo");
        let rows = pg.traffic(10);
        assert_eq!(rows.len(), 2);
        assert_eq!(pg.traffic_count(), 2);
        let (failed, served) = (&rows[0], &rows[1]);
        assert!(served.seq < failed.seq, "newest first");
        assert_eq!(
            (served.from.as_str(), served.target.as_str(), served.via),
            ("node3", "node3:8080", "mesh")
        );
        let task = served.task.as_deref().unwrap();
        assert!(task == "web.1" || task == "web.2", "{task}");
        assert!(matches!(
            served.to.as_deref(),
            Some("node1" | "node2" | "node3")
        ));
        assert_eq!((served.outcome.as_str(), served.ok), ("200", true));
        assert_eq!(
            (failed.outcome.as_str(), failed.ok, failed.task.clone()),
            ("refused", false, None)
        );
        assert_eq!(pg.traffic(1).len(), 1);
    }

    #[test]
    fn task_names_are_shortened() {
        assert_eq!(short_task("web.2.abcdefghijklmnopqrstuvwxy"), "web.2");
        assert_eq!(short_task("web.2"), "web.2");
        assert_eq!(short_task("my.container"), "my.container");
    }
}
