//! One-click faults beyond a machine's power and a task's crash: partition the network into
//! two groups of machines and heal it, and make a service's healthcheck fail.
//!
//! Like the cluster view's buttons, these controls only emit a [`Fault`]; the app types its
//! command (`sim partition A,B C,D`, `sim heal`, `sim health fail SERVICE`) into a terminal,
//! so it shows in that terminal's history and in the replay log as a typed line. The texts
//! are `i18n`'s, like the rest of the page's.

use std::collections::BTreeMap;
use std::rc::Rc;

use swarm_shell::view::{ClusterView, Fault};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{count, t, tf, Lang, Noun, K};

/// The legend's button that makes `service`'s healthcheck fail.
pub fn health_button(lang: Lang, service: &str, on_fault: &Callback<Fault>) -> Html {
    let fault = Fault::HealthFail(service.to_string());
    let title = tf(lang, K::FailHealth, &[&fault.command("")]);
    let on_fault = on_fault.clone();
    let onclick = Callback::from(move |_: MouseEvent| on_fault.emit(fault.clone()));
    html! {
        <button
            type="button"
            class="fault-health"
            data-testid={format!("health-fail-{service}")}
            title={title.clone()}
            aria-label={title}
            {onclick}
        >
            { "♥✕" }
        </button>
    }
}

/// What the partition panel shows and where its faults go.
#[derive(Properties, PartialEq)]
pub struct PartitionProps {
    /// The machines (their names are the choices).
    pub view: Rc<ClusterView>,
    /// Where a partition or heal goes.
    pub on_fault: Callback<Fault>,
    /// The page's language.
    #[prop_or_default]
    pub lang: Lang,
}

/// Messages of the partition panel.
pub enum Msg {
    /// A machine's checkbox for a group (0: A, 1: B) changed.
    Pick(String, usize, bool),
    /// "Partition".
    Partition,
    /// "Heal".
    Heal,
}

/// The partition panel: a checkbox per machine and group, and the two buttons.
#[derive(Default)]
pub struct PartitionPanel {
    /// The group each ticked machine is in (0: A, 1: B).
    picked: BTreeMap<String, usize>,
}

impl PartitionPanel {
    /// The groups ticked now, of machines that still exist.
    fn groups(&self, view: &ClusterView) -> [Vec<String>; 2] {
        let mut out: [Vec<String>; 2] = [Vec::new(), Vec::new()];
        for m in &view.machines {
            if let Some(g) = self.picked.get(&m.name) {
                out[*g].push(m.name.clone());
            }
        }
        out
    }
}

impl Component for PartitionPanel {
    type Message = Msg;
    type Properties = PartitionProps;

    fn create(_: &Context<Self>) -> Self {
        PartitionPanel::default()
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Pick(name, group, on) => {
                if on {
                    self.picked.insert(name, group);
                } else if self.picked.get(&name) == Some(&group) {
                    self.picked.remove(&name);
                }
                true
            }
            Msg::Partition => {
                let [a, b] = self.groups(&ctx.props().view);
                if !a.is_empty() && !b.is_empty() {
                    ctx.props().on_fault.emit(Fault::Partition(vec![a, b]));
                }
                false
            }
            Msg::Heal => {
                ctx.props().on_fault.emit(Fault::Heal);
                false
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let lang = ctx.props().lang;
        let view = &ctx.props().view;
        let [a, b] = self.groups(view);
        let ready = !a.is_empty() && !b.is_empty();
        let picked = tf(
            lang,
            K::PartitionPicked,
            &[
                &count(lang, a.len() as u64, Noun::Machine),
                &count(lang, b.len() as u64, Noun::Machine),
            ],
        );
        let partition_title = if ready {
            Fault::Partition(vec![a, b]).command("")
        } else {
            t(lang, K::PartitionHelp).to_string()
        };
        let rows = view.machines.iter().map(|m| {
            let name = m.name.clone();
            let boxes = (0..2).map(|g| {
                let n = name.clone();
                let onchange = ctx.link().callback(move |e: Event| {
                    Msg::Pick(
                        n.clone(),
                        g,
                        e.target_unchecked_into::<HtmlInputElement>().checked(),
                    )
                });
                let label = format!(
                    "{} {}",
                    t(lang, if g == 0 { K::GroupA } else { K::GroupB }),
                    name
                );
                html! {
                    <td>
                        <input
                            type="checkbox"
                            data-testid={format!("partition-{}-{}", if g == 0 { "a" } else { "b" }, name)}
                            aria-label={label}
                            checked={self.picked.get(&name) == Some(&g)}
                            {onchange}
                        />
                    </td>
                }
            });
            html! {
                <tr key={name.clone()}>
                    <th scope="row">{ name.clone() }</th>
                    { for boxes }
                </tr>
            }
        });
        html! {
            <details class="partition-panel" data-testid="partition-panel">
                <summary>{ t(lang, K::PartitionTitle) }</summary>
                <p class="partition-help">{ t(lang, K::PartitionHelp) }</p>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{ t(lang, K::ColMachine) }</th>
                            <th scope="col">{ t(lang, K::GroupA) }</th>
                            <th scope="col">{ t(lang, K::GroupB) }</th>
                        </tr>
                    </thead>
                    <tbody>{ for rows }</tbody>
                </table>
                <p class="partition-picked" aria-live="polite" data-testid="partition-picked">
                    { picked }
                </p>
                <div class="partition-buttons">
                    <button
                        type="button"
                        data-testid="partition-button"
                        disabled={!ready}
                        title={partition_title}
                        onclick={ctx.link().callback(|_| Msg::Partition)}
                    >
                        { t(lang, K::PartitionButton) }
                    </button>
                    <button
                        type="button"
                        data-testid="heal-button"
                        title={Fault::Heal.command("")}
                        onclick={ctx.link().callback(|_| Msg::Heal)}
                    >
                        { t(lang, K::HealButton) }
                    </button>
                </div>
            </details>
        }
    }
}
