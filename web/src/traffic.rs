//! The traffic view: the last requests through the simulated network, newest first, each
//! drawn from the machine it entered at to the task (or container) that answered, or to what
//! went wrong.
//!
//! Rows are keyed by the request's number, so a row keeps its element while it stays and
//! only new rows play the arrival animation (CSS, `traffic-in`). The list is bounded by the
//! shell ([`TRAFFIC_SHOWN`](swarm_shell::view::traffic::TRAFFIC_SHOWN)).

use std::rc::Rc;

use swarm_shell::view::traffic::TrafficRow;
use yew::prelude::*;

use crate::i18n::{t, tf, Lang, K};

/// What the traffic view shows.
#[derive(Properties, PartialEq)]
pub struct TrafficProps {
    /// The rows, newest first.
    pub rows: Rc<Vec<TrafficRow>>,
    /// The page's language.
    #[prop_or_default]
    pub lang: Lang,
}

/// The traffic view.
#[function_component(TrafficPanel)]
pub fn traffic_panel(props: &TrafficProps) -> Html {
    let lang = props.lang;
    if props.rows.is_empty() {
        return html! {
            <div class="traffic-view" data-testid="traffic-view">
                <p class="empty">
                    { t(lang, K::NoRequestsA) }
                    <code>{ "docker service create -p 8080:80 nginx" }</code>
                    { t(lang, K::NoRequestsB) }<code>{ "curl" }</code>{ t(lang, K::NoRequestsC) }
                </p>
            </div>
        };
    }
    let rows = props.rows.iter().map(|r| row(lang, r));
    html! {
        <div class="traffic-view" data-testid="traffic-view">
            <ol class="traffic-list" aria-label={t(lang, K::RequestsNewest)}>{ for rows }</ol>
        </div>
    }
}

fn row(lang: Lang, r: &TrafficRow) -> Html {
    let answer = match (&r.task, &r.to) {
        (Some(task), Some(to)) => tf(lang, K::TaskOn, &[task, to]),
        (None, Some(to)) => tf(lang, K::ContainerOn, &[to]),
        _ => t(lang, K::NoAnswer).to_string(),
    };
    html! {
        <li
            key={r.seq}
            class={classes!("traffic-row", if r.ok { "ok" } else { "failed" })}
            data-testid="traffic-row"
        >
            <span class="traffic-at">{ r.at.clone() }</span>
            <span class="traffic-path">
                <span class="traffic-from" title={t(lang, K::WhereEntered)}>{ r.from.clone() }</span>
                <span class="traffic-arrow" aria-hidden="true">{ " ─▶ " }</span>
                <span class="traffic-target">{ r.target.clone() }</span>
                <span class="traffic-via">{ format!(" ({})", r.via) }</span>
                <span class="traffic-arrow" aria-hidden="true">{ " ─▶ " }</span>
                <span class="traffic-answer">{ answer }</span>
            </span>
            <span class={classes!("traffic-outcome", if r.ok { "ok" } else { "failed" })}>{ r.outcome.clone() }</span>
        </li>
    }
}
