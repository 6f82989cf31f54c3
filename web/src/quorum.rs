//! The quorum view: per cluster, whether the managers' quorum holds (in plain words), a row
//! per manager (Raft state, term, commit index, the leader it knows, its vote) and the last
//! writes the cluster committed ("service web scaled to 5").
//!
//! Between the table and the writes, the Raft messages of the last two simulated seconds:
//! a "wire" with a column per manager where each message is an arrow from its sender to its
//! receiver along which a dot travels once (CSS; still under `prefers-reduced-motion`), a
//! dropped one stopping half-way, crossed out; and the same messages as a list of sentences
//! for screen readers ("node1 → node2: append entries (term 3)"), the wire being
//! `aria-hidden`. Rows are keyed by the message's number, so only new ones animate.
//!
//! It renders the shell's [`QuorumView`] pictures and nothing else; every name and word is a
//! text node.

use std::rc::Rc;

use swarm_core::raft_info::{Dropped, RaftKind};
use swarm_core::Power;
use swarm_shell::view::quorum::{FlightView, QuorumMember, QuorumView, FLIGHT_WINDOW_MS};
use yew::prelude::*;

use crate::i18n::{count, quorum_summary, t, tf, Lang, Noun, K};

/// The wire is drawn for at most this many managers (a column each); beyond, only the list.
pub const WIRE_COLUMNS: usize = 9;

/// A message younger than this (simulated ms) is drawn bright; older ones fade.
const FRESH_MS: u64 = 1000;

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
            { flights(lang, q) }
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

/// What a message was, in words: "append 2 entries", "vote granted".
pub fn kind_words(lang: Lang, f: &FlightView) -> String {
    let key = match (f.kind, f.reject) {
        (RaftKind::Heartbeat, _) => K::MsgHeartbeat,
        (RaftKind::HeartbeatResponse, _) => K::MsgHeartbeatReply,
        (RaftKind::Append, _) if f.entries > 0 => {
            return tf(
                lang,
                K::MsgAppendEntries,
                &[&count(lang, u64::from(f.entries), Noun::Entry)],
            )
        }
        (RaftKind::Append, _) => K::MsgAppend,
        (RaftKind::AppendResponse, false) => K::MsgAppendReply,
        (RaftKind::AppendResponse, true) => K::MsgAppendRefused,
        (RaftKind::RequestVote, _) => K::MsgVote,
        (RaftKind::RequestVoteResponse, false) => K::MsgVoteGranted,
        (RaftKind::RequestVoteResponse, true) => K::MsgVoteRefused,
        (RaftKind::RequestPreVote, _) => K::MsgPreVote,
        (RaftKind::RequestPreVoteResponse, false) => K::MsgPreVoteGranted,
        (RaftKind::RequestPreVoteResponse, true) => K::MsgPreVoteRefused,
        (RaftKind::Snapshot, _) => K::MsgSnapshot,
        (RaftKind::Other, _) => K::MsgOther,
    };
    t(lang, key).to_string()
}

/// A message as a sentence: "node1 → node2: append entries (term 3)", and why it was lost.
pub fn sentence(lang: Lang, f: &FlightView) -> String {
    let mut s = tf(
        lang,
        K::RaftMessageLine,
        &[&f.from, &f.to, &kind_words(lang, f), &f.term],
    );
    if let Some(d) = f.dropped {
        s.push_str(" — ");
        s.push_str(t(
            lang,
            match d {
                Dropped::PowerOff => K::LostPowerOff,
                Dropped::Partition => K::LostPartition,
            },
        ));
    }
    s
}

/// A CSS class for the kind (colour of the arrow).
fn kind_class(kind: RaftKind) -> &'static str {
    match kind {
        RaftKind::Heartbeat | RaftKind::HeartbeatResponse => "kind-heartbeat",
        RaftKind::Append | RaftKind::AppendResponse | RaftKind::Snapshot => "kind-append",
        RaftKind::RequestVote | RaftKind::RequestVoteResponse => "kind-vote",
        RaftKind::RequestPreVote | RaftKind::RequestPreVoteResponse => "kind-prevote",
        RaftKind::Other => "kind-other",
    }
}

/// The messages of the last seconds: the wire (drawn) and the sentences (read).
fn flights(lang: Lang, q: &QuorumView) -> Html {
    let window = count(lang, FLIGHT_WINDOW_MS / 1000, Noun::Second);
    let title = tf(lang, K::RaftMessages, &[&window]);
    if q.flights.is_empty() {
        return html! {
            <section class="raft-flights" aria-label={title.clone()} data-testid="raft-flights">
                <h3 class="swarm-title">{ title }</h3>
                <p class="empty">{ tf(lang, K::NoRaftMessages, &[&window]) }</p>
            </section>
        };
    }
    let columns = q.managers.len();
    let wire = (2..=WIRE_COLUMNS).contains(&columns).then(|| {
        let hosts = q.managers.iter().map(|m| {
            html! { <span class="wire-host">{ m.hostname.clone() }</span> }
        });
        let lanes = q.flights.iter().map(|f| lane(lang, f));
        html! {
            <div class={classes!("flight-wire", format!("cols-{columns}"))} aria-hidden="true" data-testid="flight-wire">
                <div class="wire-hosts">{ for hosts }</div>
                <ol class="wire-lanes">{ for lanes }</ol>
            </div>
        }
    });
    let items = q.flights.iter().map(|f| {
        html! {
            <li key={f.seq} data-testid="raft-flight" class={classes!(f.dropped.is_some().then_some("lost"))}>
                { sentence(lang, f) }
            </li>
        }
    });
    html! {
        <section class="raft-flights" aria-label={title.clone()} data-testid="raft-flights">
            <h3 class="swarm-title">{ title.clone() }</h3>
            { for wire }
            <ol class="flight-list sr-only" aria-label={title}>{ for items }</ol>
        </section>
    }
}

/// One message on the wire: an arrow between two columns with a travelling dot.
fn lane(lang: Lang, f: &FlightView) -> Html {
    let (lo, hi) = (f.from_index.min(f.to_index), f.from_index.max(f.to_index));
    let class = classes!(
        "flight",
        format!("lo-{lo}"),
        format!("hi-{hi}"),
        kind_class(f.kind),
        (f.from_index > f.to_index).then_some("rtl"),
        f.reject.then_some("refused"),
        f.dropped.is_some().then_some("dropped"),
        (f.age_ms >= FRESH_MS).then_some("old"),
    );
    html! {
        <li key={f.seq} class="lane" data-testid="wire-flight">
            <span {class}>
                <span class="flight-dot"></span>
                <span class="flight-label">
                    { kind_words(lang, f) }
                    if f.dropped.is_some() {
                        { " ✕" }
                    }
                </span>
            </span>
        </li>
    }
}
