//! The quorum view: per cluster, whether the managers' quorum holds (in plain words), a row
//! per manager (Raft state, term, commit index, the leader it knows, its vote) and the last
//! writes the cluster committed ("service web scaled to 5").
//!
//! It renders the shell's [`QuorumView`] pictures and nothing else; every name and word is a
//! text node.

use std::rc::Rc;

use swarm_core::Power;
use swarm_shell::view::quorum::{QuorumMember, QuorumView};
use yew::prelude::*;

use crate::i18n::{quorum_summary, t, tf, Lang, K};

/// What the quorum view shows.
#[derive(Properties, PartialEq)]
pub struct QuorumProps {
    /// One picture per cluster.
    pub views: Rc<Vec<QuorumView>>,
    /// The page's language.
    #[prop_or_default]
    pub lang: Lang,
}

/// The quorum view.
#[function_component(QuorumPanel)]
pub fn quorum_panel(props: &QuorumProps) -> Html {
    let lang = props.lang;
    if props.views.is_empty() {
        return html! {
            <div class="quorum-view" data-testid="quorum-view">
                <p class="empty">
                    { t(lang, K::NoSwarmRun) }<code>{ "docker swarm init" }</code>
                    { t(lang, K::NoSwarmRest) }
                </p>
            </div>
        };
    }
    let several = props.views.len() > 1;
    let clusters = props.views.iter().map(|q| cluster(lang, q, several));
    html! {
        <div class="quorum-view" data-testid="quorum-view">{ for clusters }</div>
    }
}

fn cluster(lang: Lang, q: &QuorumView, several: bool) -> Html {
    let rows = q.managers.iter().map(|m| member(lang, m));
    let writes = q.writes.iter().map(|w| {
        html! {
            <li key={w.op} class="write" data-testid="quorum-write">
                <span class="write-at">{ w.at.clone() }</span>
                <span class="write-text">{ w.text.clone() }</span>
            </li>
        }
    });
    html! {
        <section class="quorum" aria-label={tf(lang, K::QuorumOf, &[&short(&q.id)])}>
            if several {
                <h3 class="swarm-title">{ tf(lang, K::SwarmTitle, &[&short(&q.id)]) }</h3>
            }
            <p
                class={classes!("quorum-summary", if q.holds { "holds" } else { "lost" })}
                role="status"
                data-testid="quorum-summary"
            >
                { quorum_summary(lang, q.reachable, q.voters, q.needed, q.has_leader) }
            </p>
            <table class="quorum-table">
                <thead>
                    <tr>
                        <th scope="col">{ t(lang, K::ColManager) }</th>
                        <th scope="col">{ t(lang, K::ColRaftState) }</th>
                        <th scope="col">{ t(lang, K::ColTerm) }</th>
                        <th scope="col">{ t(lang, K::ColCommit) }</th>
                        <th scope="col">{ t(lang, K::ColKnowsLeader) }</th>
                        <th scope="col">{ t(lang, K::ColVotedFor) }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
            <h3 class="swarm-title">{ t(lang, K::LastWrites) }</h3>
            if q.writes.is_empty() {
                <p class="empty">{ t(lang, K::NothingWritten) }</p>
            } else {
                <ol class="writes" data-testid="quorum-writes">{ for writes }</ol>
            }
        </section>
    }
}

fn member(lang: Lang, m: &QuorumMember) -> Html {
    let off = m.power == Power::Off;
    html! {
        <tr
            key={m.hostname.clone()}
            class={classes!("quorum-member", m.state.replace(' ', "-"), off.then_some("off"), (!m.in_quorum).then_some("cut-off"))}
            data-testid={format!("quorum-{}", m.hostname)}
        >
            <th scope="row">
                <span class="member-name">{ m.hostname.clone() }</span>
                if m.state == "leader" {
                    <span class="crown" title={t(lang, K::RaftLeader)}>{ " ♛" }</span>
                }
                <span class="raft-id">{ format!(" {}", m.raft_id) }</span>
                if off {
                    <span class="badge off">{ t(lang, K::PoweredOff) }</span>
                }
            </th>
            <td class="raft-state">{ m.state }</td>
            <td class="num">{ m.term }</td>
            <td class="num">{ m.commit }</td>
            <td>{ m.leader.clone().unwrap_or_else(|| t(lang, K::NoneLeader).into()) }</td>
            <td>{ m.voted_for.clone().unwrap_or_else(|| t(lang, K::Nobody).into()) }</td>
        </tr>
    }
}

fn short(id: &str) -> String {
    id.chars().take(12).collect()
}
