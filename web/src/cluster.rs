//! The cluster view: a card per node with its tasks as chips, the pending tasks with the
//! scheduler's reason, and filters.
//!
//! It renders a [`ClusterView`] (the shell's read-only picture of the world) and nothing
//! else; the app hands it a new picture only when the picture changed. Chips are keyed by
//! task ID, so a task that fails keeps its element and its class change animates; chips
//! coloured per service take their colour class from a hash of the service name, so a
//! service keeps its colour across reloads. Every name, label and reason is a text node.
//!
//! The picture is bounded (see [`TaskFilter`]): a node card shows its first chips and
//! "+K more", the pending list its first tasks, the cluster its first node cards and a "+K
//! more" button that shows more of them. The filters are the app's: it builds the
//! picture with them, so a service's tasks are found however many others a node runs. Each
//! node card is a component of its own, given an `Rc` the app keeps while the node is
//! unchanged, so a new picture re-renders only the cards that changed.
//!
//! Faults are one click: the power button on each card and the crash button on each running
//! chip emit a [`Fault`], which the app types into a terminal as the command it stands for.

use std::rc::Rc;

use swarm_core::container::HealthStatus;
use swarm_core::{Availability, NodeState, Power, Role, TaskState};
use swarm_shell::view::{
    ClusterView, Fault, NodeView, SwarmView, TaskFilter, TaskView, NODES_SHOWN,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::i18n::{t, tf, Lang, K};

/// Beyond this many chips the view is `calm`: chips appear and change colour without
/// animations, which would restyle and repaint them all on every frame.
pub const CALM_CHIPS: usize = 100;

/// How many colours services cycle through (CSS classes `svc-0` … `svc-11`).
pub const SERVICE_COLOURS: u64 = 12;

/// The colour class of a service: FNV-1a of its name, so it is the same on every page load.
pub fn service_class(name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("svc-{}", h % SERVICE_COLOURS)
}

/// What the cluster view shows and where its faults go.
#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    /// The picture to show (built with `filter`).
    pub view: Rc<ClusterView>,
    /// The filters the picture was built with.
    #[prop_or_default]
    pub filter: TaskFilter,
    /// The filters were changed: the app takes a new picture with them.
    #[prop_or_default]
    pub on_filter: Callback<TaskFilter>,
    /// A power or crash button was pressed.
    pub on_fault: Callback<Fault>,
    /// The page's language.
    #[prop_or_default]
    pub lang: Lang,
}

/// Messages of the cluster view.
pub enum Msg {
    /// The service filter changed (empty: every service).
    Service(String),
    /// "Only running" was toggled.
    OnlyRunning(bool),
    /// "+K more" under the node cards: show more of them.
    MoreNodes,
}

/// The cluster view component; its filters are the app's (see [`ClusterProps::filter`]).
pub struct ClusterPanel;

impl Component for ClusterPanel {
    type Message = Msg;
    type Properties = ClusterProps;

    fn create(_ctx: &Context<Self>) -> Self {
        ClusterPanel
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        let mut filter = ctx.props().filter.clone();
        match msg {
            Msg::Service(s) => filter.service = (!s.is_empty()).then_some(s),
            Msg::OnlyRunning(on) => filter.only_running = on,
            Msg::MoreNodes => filter.nodes = filter.nodes.saturating_add(NODES_SHOWN),
        }
        if filter != ctx.props().filter {
            ctx.props().on_filter.emit(filter);
        }
        false
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        crate::query::rendered("render-cluster");
        let view = &ctx.props().view;
        let lang = ctx.props().lang;
        let filter = &ctx.props().filter;
        if view.clusters.is_empty() {
            return html! {
                <div class="cluster-view" data-testid="cluster-view">
                    <p class="empty">
                        { t(lang, K::NoSwarmRun) }<code>{ "docker swarm init" }</code>
                        { t(lang, K::NoSwarmRest) }
                    </p>
                </div>
            };
        }
        let mut names: Vec<&str> = view
            .clusters
            .iter()
            .flat_map(|c| c.services.iter().map(|s| s.name.as_str()))
            .collect();
        swarm_core::sort::sort(&mut names);
        names.dedup();
        let selected = filter.service.clone().unwrap_or_default();
        let on_service = ctx.link().callback(|e: Event| {
            Msg::Service(e.target_unchecked_into::<HtmlSelectElement>().value())
        });
        let on_running = ctx.link().callback(|e: Event| {
            Msg::OnlyRunning(e.target_unchecked_into::<HtmlInputElement>().checked())
        });
        let options = names.iter().map(|n| {
            html! { <option value={n.to_string()} selected={*n == selected}>{ n.to_string() }</option> }
        });
        let several = view.clusters.len() > 1;
        let clusters = view.clusters.iter().map(|c| self.swarm(ctx, c, several));
        // Many chips: no animations (see `.calm` in the style sheet).
        let chips: usize = view
            .clusters
            .iter()
            .flat_map(|c| &c.nodes)
            .map(|n| n.tasks.len())
            .sum();
        let calm = chips > CALM_CHIPS;
        html! {
            <div class={classes!("cluster-view", calm.then_some("calm"))} data-testid="cluster-view">
                <div class="filters">
                    <label>
                        { t(lang, K::ServiceFilter) }
                        <select data-testid="filter-service" onchange={on_service}>
                            <option value="" selected={selected.is_empty()}>{ t(lang, K::All) }</option>
                            { for options }
                        </select>
                    </label>
                    <label>
                        <input type="checkbox" data-testid="filter-running" checked={filter.only_running} onchange={on_running} />
                        { t(lang, K::OnlyRunning) }
                    </label>
                </div>
                { for clusters }
            </div>
        }
    }
}

impl ClusterPanel {
    fn swarm(&self, ctx: &Context<Self>, c: &SwarmView, several: bool) -> Html {
        let lang = ctx.props().lang;
        let service = ctx.props().filter.service.as_deref();
        let nodes = c.nodes.iter().map(|n| {
            html! {
                <NodeCard
                    key={n.id.clone()}
                    node={n.clone()}
                    on_fault={ctx.props().on_fault.clone()}
                    {lang}
                />
            }
        });
        // The picture holds only the filtered service's pending tasks.
        let pending = &c.pending;
        let pending_total = pending.len() + c.pending_more;
        let legend = c
            .services
            .iter()
            .filter(|s| service.is_none_or(|f| f == s.name))
            .map(|s| {
                let count = match s.replicas {
                    Some(r) => format!("{}/{}", s.running, r),
                    None => format!("{} {}", s.running, s.mode),
                };
                html! {
                    <li key={s.id.clone()} class={classes!("legend-item", service_class(&s.name))} data-running={s.running.to_string()}>
                        <span class="swatch" aria-hidden="true"></span>
                        <span class="legend-name">{ s.name.clone() }</span>
                        <span class="legend-count">{ count }</span>
                        <span class="legend-image">{ s.image.clone() }</span>
                        { crate::faults::health_button(lang, &s.name, &ctx.props().on_fault) }
                    </li>
                }
            });
        html! {
            <section class="swarm" aria-label={tf(lang, K::SwarmAria, &[&short(&c.id)])}>
                if several {
                    <h3 class="swarm-title">{ tf(lang, K::SwarmTitle, &[&short(&c.id)]) }</h3>
                }
                if !c.has_leader {
                    <p class="no-leader" role="status">{ t(lang, K::NoLeader) }</p>
                }
                if !c.services.is_empty() {
                    <ul class="legend" aria-label={t(lang, K::Services)}>{ for legend }</ul>
                }
                if pending_total > 0 {
                    <section class="pending" data-testid="pending" aria-label={t(lang, K::PendingTasks)}>
                        <h3>{ tf(lang, K::PendingCount, &[&pending_total]) }</h3>
                        <ul>
                            { for pending.iter().map(|t| html! {
                                <li key={t.id.clone()} class={classes!("pending-task", service_class(&t.service))}>
                                    <span class="chip-name">{ t.label.clone() }</span>
                                    <span class="reason">{ if t.error.is_empty() { crate::i18n::t(lang, K::WaitingScheduler).to_string() } else { t.error.clone() } }</span>
                                </li>
                            }) }
                            if c.pending_more > 0 {
                                <li key="more" class="pending-more" data-testid="pending-more">{ tf(lang, K::MoreTasks, &[&c.pending_more]) }</li>
                            }
                        </ul>
                    </section>
                }
                <div class="nodes">{ for nodes }</div>
                if c.nodes_more > 0 {
                    <button
                        type="button"
                        class="nodes-more"
                        data-testid="nodes-more"
                        onclick={ctx.link().callback(|_| Msg::MoreNodes)}
                    >
                        { tf(lang, K::MoreTasks, &[&c.nodes_more]) }
                    </button>
                }
            </section>
        }
    }
}

/// What a node card shows.
#[derive(Properties, PartialEq)]
pub struct NodeCardProps {
    /// The node, shared with the picture (unchanged nodes keep their `Rc`).
    pub node: Rc<NodeView>,
    /// A power or crash button was pressed.
    pub on_fault: Callback<Fault>,
    /// The page's language.
    pub lang: Lang,
}

/// One node: its name, role, state, labels and task chips ("+K more" for the rest).
#[function_component(NodeCard)]
pub fn node_card(props: &NodeCardProps) -> Html {
    crate::query::rendered("render-card");
    let lang = props.lang;
    let n = &*props.node;
    let off = n.power == Power::Off;
    let fault = if off {
        Fault::PowerOn(n.hostname.clone())
    } else {
        Fault::PowerOff(n.hostname.clone())
    };
    let power_label = format!(
        "{} {} ({})",
        t(lang, if off { K::PowerOn } else { K::PowerOff }),
        n.hostname,
        fault.command(&n.hostname)
    );
    let on_fault = props.on_fault.clone();
    let power = Callback::from(move |_: MouseEvent| on_fault.emit(fault.clone()));
    let (status_class, status) = match n.status {
        NodeState::Ready => ("ready", t(lang, K::Ready)),
        NodeState::Down => ("down", t(lang, K::Down)),
        NodeState::Unknown => ("unknown", t(lang, K::Unknown)),
    };
    let chips = n.tasks.iter().map(|t| chip(props, n, t));
    let marked = off || n.status != NodeState::Ready || n.availability != Availability::Active;
    html! {
        <article
            class={classes!(
                "node-card",
                marked.then_some("marked"),
                off.then_some("off"),
                (n.status == NodeState::Down).then_some("down"),
                match n.availability { Availability::Drain => Some("drain"), Availability::Pause => Some("pause"), Availability::Active => None },
            )}
            data-testid={format!("node-{}", n.hostname)}
            aria-label={tf(lang, K::NodeAria, &[&n.hostname])}
        >
            <header class="node-head">
                <span class={classes!("role-icon", n.role.as_str())} aria-hidden="true">{ role_icon(n.role) }</span>
                <span class="node-name">{ n.hostname.clone() }</span>
                if n.leader {
                    <span class="crown" title={t(lang, K::RaftLeader)}>{ "♛" }<span class="sr-only">{ t(lang, K::Leader) }</span></span>
                }
                <span class="node-role">{ role_text(lang, n.role) }</span>
                <button
                    type="button"
                    class="icon-button"
                    data-testid={format!("node-power-{}", n.hostname)}
                    aria-label={power_label.clone()}
                    title={power_label}
                    onclick={power}
                >
                    { t(lang, if off { K::PowerOn } else { K::PowerOff }).to_lowercase() }
                </button>
            </header>
            <div class="badges">
                <span class={classes!("badge", "status", status_class)} data-testid="node-status">{ status }</span>
                if off {
                    <span class="badge off">{ t(lang, K::PoweredOff) }</span>
                } else if n.power == Power::Booting {
                    <span class="badge booting">{ t(lang, K::Booting) }</span>
                } else if n.locked {
                    <span class="badge booting" title="docker swarm unlock">{ t(lang, K::Locked) }</span>
                }
                if n.availability != Availability::Active {
                    <span class={classes!("badge", "availability", n.availability.as_str())}>{ n.availability.as_str() }</span>
                }
                <span class="node-addr">{ n.addr.to_string() }</span>
            </div>
            if !n.labels.is_empty() {
                <ul class="labels" aria-label={t(lang, K::NodeLabels)}>
                    { for n.labels.iter().map(|(k, v)| html! { <li>{ format!("{k}={v}") }</li> }) }
                </ul>
            }
            <ul class="chips" aria-label={tf(lang, K::TasksOn, &[&n.hostname])}>
                { for chips }
                if n.more > 0 {
                    <li key="more" class="chip-more" data-testid="chip-more">{ tf(lang, K::MoreTasks, &[&n.more]) }</li>
                }
            </ul>
        </article>
    }
}

fn chip(props: &NodeCardProps, n: &NodeView, t: &TaskView) -> Html {
    let lang = props.lang;
    let ended = t.ended();
    let stopping = !ended && !t.holds_slot();
    let crash = match (&t.container, &t.node) {
        (Some(container), Some(machine))
            if !ended
                && !stopping
                && n.power == Power::Running
                && t.state >= TaskState::Starting =>
        {
            let fault = Fault::Crash {
                machine: machine.clone(),
                container: container.clone(),
            };
            let label = tf(lang, K::Crash, &[&t.label, &fault.command(machine)]);
            let on_fault = props.on_fault.clone();
            let onclick = Callback::from(move |_: MouseEvent| on_fault.emit(fault.clone()));
            Some(html! {
                <button
                    type="button"
                    class="chip-crash"
                    data-testid={format!("crash-{}", t.label)}
                    aria-label={label.clone()}
                    title={label}
                    {onclick}
                >
                    { "✕" }
                </button>
            })
        }
        _ => None,
    };
    let state = if t.state == TaskState::Running && !stopping {
        None
    } else if stopping {
        Some(format!("{} → {}", t.state.as_str(), t.desired.as_str()))
    } else {
        Some(t.state.as_str().to_string())
    };
    let health = t.health.map(|h| match h {
        HealthStatus::Healthy => ("healthy", crate::i18n::t(lang, K::Healthy)),
        HealthStatus::Unhealthy => ("unhealthy", crate::i18n::t(lang, K::Unhealthy)),
        HealthStatus::Starting => ("starting", crate::i18n::t(lang, K::HealthStarting)),
    });
    html! {
        <li
            key={t.id.clone()}
            class={classes!(
                "chip",
                service_class(&t.service),
                format!("state-{}", t.state.as_str()),
                ended.then_some("ended"),
                stopping.then_some("stopping"),
            )}
            data-testid="chip"
            title={format!("{} {} ({})", t.label, t.short_id, t.image)}
        >
            <span class="chip-name">{ t.label.clone() }</span>
            <span class="chip-tag">{ format!(":{}", t.tag) }</span>
            if let Some(s) = state {
                <span class="chip-state">{ s }</span>
            }
            if let Some((class, text)) = health {
                <span class={classes!("chip-health", class)}>{ text }</span>
            }
            { for crash }
        </li>
    }
}

/// A role in the page's language: «менеджер», «воркер».
pub fn role_text(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Manager => t(lang, K::Manager),
        Role::Worker => t(lang, K::Worker),
    }
}

/// The icon next to a node's name: a filled diamond for managers, a circle for workers.
pub fn role_icon(role: Role) -> &'static str {
    match role {
        Role::Manager => "◆",
        Role::Worker => "○",
    }
}

fn short(id: &str) -> String {
    id.chars().take(12).collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn service_colours_are_stable_and_spread() {
        assert_eq!(service_class("web"), service_class("web"));
        let classes: std::collections::BTreeSet<String> =
            ["web", "api", "db", "redis", "vote", "result"]
                .iter()
                .map(|n| service_class(n))
                .collect();
        assert!(classes.len() >= 4, "{classes:?}");
        assert!(classes.iter().all(|c| c.starts_with("svc-")));
    }
}
