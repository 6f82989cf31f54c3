//! The browser view: each machine's published ports as badges (as Play with Docker showed
//! them), and browser tabs, each with Back, Forward, Reload and an editable address bar, whose
//! requests go through the simulated network exactly like `curl` (`Playground::browse_in`),
//! so they show in the traffic view and are written into the replay log.
//!
//! A badge opens its address in a new tab, or shows the open tab that already shows it; "+"
//! shows a blank tab that opens with its first address; × closes a tab (the focus moves to
//! the tab shown next). Every control is a `<button>` or an `<input>` in the tab order. The
//! tabs, their pages and histories are the playground's; which tab is on screen is the
//! page's ([`BrowserState`]).
//!
//! Pages are drawn by our own components from the shell's [`PageContent`]: nginx's welcome
//! page and the image gallery as headings and paragraphs, the to-do list (list, new item), the
//! random-number page and its button, the voting and result pages; anything else as status,
//! headers and body in a `<pre>`; a server that cannot be reached as the browser's error page.
//! Everything from the world is a text node; no reply is ever inserted as HTML, and images
//! from other sites are shown as their description (the page loads nothing from elsewhere).

use std::rc::Rc;

use swarm_shell::view::browser::{
    Block, BrowserAction, MachinePorts, Page, PageContent, PortBadge, Tab, TodoPage,
};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::i18n::{t, tf, Lang, K};
use crate::panel_data::{BrowserState, TabAction};

/// What the browser view shows and where its actions go.
#[derive(Properties, PartialEq)]
pub struct BrowserProps {
    /// Every machine's published ports.
    pub ports: Rc<Vec<MachinePorts>>,
    /// The tabs and the one on screen.
    pub state: Rc<BrowserState>,
    /// A badge, tab, link, button or the address bar asked for something.
    pub on_action: Callback<TabAction>,
    /// The page's language.
    #[prop_or_default]
    pub lang: crate::i18n::Lang,
}

/// Messages of the browser view.
pub enum Msg {
    /// The address bar was edited.
    Address(String),
    /// The to-do form's input was edited.
    TodoValue(String),
    /// A tab's × (the focus then moves to the tab shown next).
    Close(u32),
}

/// The browser view; it owns what is typed in the address bar and the form.
pub struct BrowserPanel {
    address: String,
    todo_value: String,
    /// The list of tabs, to move the focus after a close.
    tab_list: NodeRef,
    /// Set by a close: focus the tab on screen after the next render.
    focus_tab: bool,
}

fn typed_value(page: Option<&Page>) -> String {
    match page.map(|p| &p.content) {
        Some(PageContent::Todo(TodoPage::New { value, .. })) => value.clone(),
        _ => String::new(),
    }
}

fn current_page(state: &BrowserState) -> Option<&Page> {
    state.current().and_then(|t| t.page.as_ref())
}

/// A tab's name: its page's title, else its address, else "New tab".
fn tab_title(lang: Lang, tab: Option<&Tab>) -> String {
    match tab.and_then(|t| t.page.as_ref()) {
        Some(p) if !p.title.trim().is_empty() => p.title.clone(),
        Some(p) if !p.url.is_empty() => p.url.clone(),
        _ => t(lang, K::NewTab).to_string(),
    }
}

impl Component for BrowserPanel {
    type Message = Msg;
    type Properties = BrowserProps;

    fn create(ctx: &Context<Self>) -> Self {
        let page = current_page(&ctx.props().state);
        BrowserPanel {
            address: page.map(|p| p.url.clone()).unwrap_or_default(),
            todo_value: typed_value(page),
            tab_list: NodeRef::default(),
            focus_tab: false,
        }
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Self::Properties) -> bool {
        let props = ctx.props();
        if props.state.version != old.state.version || props.state.selected != old.state.selected {
            let page = current_page(&props.state);
            self.address = page.map(|p| p.url.clone()).unwrap_or_default();
            self.todo_value = typed_value(page);
        }
        true
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Address(a) => self.address = a,
            Msg::TodoValue(v) => self.todo_value = v,
            Msg::Close(id) => {
                self.focus_tab = true;
                ctx.props().on_action.emit(TabAction::Close(id));
                return false;
            }
        }
        // Redrawn so that the form's callbacks carry what is typed now.
        true
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first: bool) {
        if std::mem::take(&mut self.focus_tab) {
            let selected = self.tab_list.cast::<web_sys::Element>().and_then(|list| {
                list.query_selector(".browser-tab-item.selected .browser-tab-button")
                    .ok()
                    .flatten()
            });
            if let Some(button) = selected.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                let _ = button.focus();
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let props = ctx.props();
        let on_action = props.on_action.clone();
        let machines = props
            .ports
            .iter()
            .filter(|m| !m.ports.is_empty())
            .map(|m| machine_ports(props.lang, m, &on_action));
        let any = props.ports.iter().any(|m| !m.ports.is_empty());
        html! {
            <div class="browser-view" data-testid="browser-view">
                <section class="port-list" aria-label={t(props.lang, K::PublishedPorts)}>
                    if any {
                        <ul class="port-machines">{ for machines }</ul>
                    } else {
                        <p class="empty">
                            { t(props.lang, K::NoPortsA) }
                            <code>{ "docker service create -p 8080:80 nginx" }</code>
                            { t(props.lang, K::NoPortsB) }
                        </p>
                    }
                </section>
                { self.tab(ctx) }
            </div>
        }
    }
}

fn machine_ports(lang: Lang, m: &MachinePorts, on_action: &Callback<TabAction>) -> Html {
    let badges = m
        .ports
        .iter()
        .map(|p| badge(lang, &m.machine, p, on_action));
    html! {
        <li key={m.machine.clone()} class={classes!("port-machine", (!m.on).then_some("off"))}>
            <span class="port-machine-name">{ m.machine.clone() }</span>
            { for badges }
        </li>
    }
}

fn badge(lang: Lang, machine: &str, p: &PortBadge, on_action: &Callback<TabAction>) -> Html {
    let url = p.url.clone();
    let onclick = on_action.reform(move |_| TabAction::OpenUrl(url.clone()));
    html! {
        <button
            type="button"
            class={classes!("port-badge", p.kind)}
            data-testid={format!("port-badge-{machine}-{}", p.port)}
            title={tf(lang, K::OpenPort, &[&p.url, &p.kind, &p.owner])}
            {onclick}
        >
            { p.port }
        </button>
    }
}

impl BrowserPanel {
    /// Actions in the tab on screen.
    fn in_tab(ctx: &Context<Self>) -> Callback<BrowserAction> {
        ctx.props().on_action.reform(TabAction::In)
    }

    /// The strip of tabs: a button per tab (shows it) with its × (closes it), and "+".
    fn strip(&self, ctx: &Context<Self>) -> Html {
        let props = ctx.props();
        let lang = props.lang;
        let state = &props.state;
        let mut entries: Vec<(u32, Option<&Tab>)> =
            state.tabs.iter().map(|t| (t.id, Some(t))).collect();
        if state.current().is_none() {
            entries.push((state.selected, None));
        }
        let items = entries.into_iter().map(|(id, tab)| {
            let selected = id == state.selected;
            let title = tab_title(lang, tab);
            let url = tab
                .and_then(|t| t.page.as_ref())
                .map(|p| p.url.clone())
                .unwrap_or_default();
            let select = props.on_action.reform(move |_| TabAction::Select(id));
            let close = ctx.link().callback(move |_| Msg::Close(id));
            html! {
                <li key={id} class={classes!("browser-tab-item", selected.then_some("selected"))}>
                    <button
                        type="button"
                        class="browser-tab-button"
                        aria-current={selected.then_some("true")}
                        title={url}
                        data-testid={format!("browser-tab-{id}")}
                        onclick={select}
                    >
                        { title.clone() }
                    </button>
                    <button
                        type="button"
                        class="browser-tab-close"
                        aria-label={tf(lang, K::CloseTab, &[&title])}
                        title={tf(lang, K::CloseTab, &[&title])}
                        data-testid={format!("browser-tab-close-{id}")}
                        onclick={close}
                    >
                        { "×" }
                    </button>
                </li>
            }
        });
        html! {
            <div class="browser-tabs">
                <ul class="browser-tab-list" aria-label={t(lang, K::BrowserTabs)} ref={self.tab_list.clone()}>
                    { for items }
                </ul>
                <button
                    type="button"
                    class="browser-tab-new"
                    aria-label={t(lang, K::NewTab)}
                    title={t(lang, K::NewTab)}
                    data-testid="browser-new-tab"
                    onclick={props.on_action.reform(|_| TabAction::NewTab)}
                >
                    { "+" }
                </button>
            </div>
        }
    }

    /// The tab on screen: Back, Forward, Reload, the address bar and the page.
    fn tab(&self, ctx: &Context<Self>) -> Html {
        let props = ctx.props();
        let lang = props.lang;
        let on_action = Self::in_tab(ctx);
        let address = self.address.clone();
        let onsubmit = {
            let on_action = on_action.clone();
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                on_action.emit(BrowserAction::Open(address.clone()));
            })
        };
        let oninput = ctx.link().callback(|e: InputEvent| {
            Msg::Address(e.target_unchecked_into::<HtmlInputElement>().value())
        });
        let tab = props.state.current();
        let page = tab.and_then(|t| t.page.as_ref());
        let button =
            |label: K, glyph: &'static str, id: &'static str, on: bool, action: BrowserAction| {
                html! {
                    <button
                        type="button"
                        class="icon-button"
                        aria-label={t(lang, label)}
                        title={t(lang, label)}
                        data-testid={id}
                        disabled={!on}
                        onclick={on_action.reform(move |_| action.clone())}
                    >
                        { glyph }
                    </button>
                }
            };
        html! {
            <section class="browser-tab" aria-label={t(lang, K::BrowserTab)}>
                { self.strip(ctx) }
                <div class="browser-title" data-testid="browser-title">{ tab_title(lang, tab) }</div>
                <form class="address-bar" {onsubmit}>
                    { button(K::Back, "←", "browser-back", tab.is_some_and(Tab::can_go_back), BrowserAction::Back) }
                    { button(K::Forward, "→", "browser-forward", tab.is_some_and(Tab::can_go_forward), BrowserAction::Forward) }
                    { button(K::Reload, "⟳", "browser-reload", page.is_some(), BrowserAction::Reload) }
                    <input
                        type="text"
                        class="address"
                        aria-label={t(lang, K::Address)}
                        spellcheck="false"
                        autocomplete="off"
                        placeholder="http://node1:8080/"
                        data-testid="browser-address"
                        value={self.address.clone()}
                        {oninput}
                    />
                    <button type="submit" class="go" data-testid="browser-go">{ t(lang, K::Go) }</button>
                </form>
                <div class="browser-page" data-testid="browser-page">
                    { match page {
                        Some(p) => self.page(ctx, p),
                        None => html! {
                            <p class="empty">{ t(lang, K::BrowserHint) }</p>
                        },
                    } }
                </div>
            </section>
        }
    }

    fn page(&self, ctx: &Context<Self>, page: &Page) -> Html {
        let on_action = Self::in_tab(ctx);
        match &page.content {
            PageContent::Error {
                headline,
                detail,
                code,
            } => html! {
                <div class="browser-error" data-testid="browser-error">
                    <div class="error-icon" aria-hidden="true">{ "☹" }</div>
                    <h2>{ headline.clone() }</h2>
                    <p>{ detail.clone() }</p>
                    <p class="error-code">{ code.clone() }</p>
                </div>
            },
            PageContent::Document(blocks) => html! {
                <article class="web-page document">{ for blocks.iter().map(block) }</article>
            },
            PageContent::Raw {
                status_line,
                headers,
                body,
            } => {
                let mut text = format!("{status_line}\n");
                for (k, v) in headers {
                    text.push_str(&format!("{k}: {v}\n"));
                }
                text.push('\n');
                text.push_str(body);
                html! { <pre class="raw-reply" data-testid="browser-raw">{ text }</pre> }
            }
            PageContent::Todo(todo) => self.todo(ctx, todo),
            PageContent::Numbers(answer) => {
                let click = on_action.reform(|_| BrowserAction::RandomNumber);
                html! {
                    <article class="web-page numbers">
                        <h1>{ "Random Number Generator" }</h1>
                        <p>{ "Click the button to get a random number from the API." }</p>
                        <button type="button" class="web-button" data-testid="rng-button" onclick={click}>
                            { "Get a random number" }
                        </button>
                        { match answer {
                            Some(Ok(n)) => html! {
                                <p class="rng-answer" data-testid="rng-answer">{ "Here it is: " }<strong>{ n.clone() }</strong></p>
                            },
                            Some(Err(e)) => html! {
                                <p class="rng-answer text-danger" data-testid="rng-answer">{ e.clone() }</p>
                            },
                            None => html! {},
                        } }
                    </article>
                }
            }
            PageContent::Vote {
                question,
                options,
                chosen,
                processed_by,
            } => {
                let buttons = options.iter().map(|(value, label)| {
                    let on = chosen.as_deref() == Some(value.as_str());
                    let v = value.clone();
                    let onclick = on_action.reform(move |_| BrowserAction::Vote(v.clone()));
                    html! {
                        <button
                            type="button"
                            class={classes!("vote-button", on.then_some("chosen"), (chosen.is_some() && !on).then_some("other"))}
                            data-testid={format!("vote-{value}")}
                            disabled={on}
                            {onclick}
                        >
                            { label.clone() }
                            if on {
                                { " ✓" }
                            }
                        </button>
                    }
                });
                html! {
                    <article class="web-page vote">
                        <h1>{ question.clone() }</h1>
                        <div class="vote-buttons">{ for buttons }</div>
                        <p class="vote-tip">{ "(Tip: you can change your vote)" }</p>
                        <p class="vote-host">{ processed_by.clone() }</p>
                    </article>
                }
            }
            PageContent::Result { options, total } => {
                let stats = options.iter().map(|(label, pct)| {
                    html! {
                        <div class="result-choice" data-testid="result-choice">
                            <div class="result-label">{ label.clone() }</div>
                            <div class="result-stat">{ pct.clone() }</div>
                        </div>
                    }
                });
                html! {
                    <article class="web-page result">
                        <div class="result-choices">{ for stats }</div>
                        <p class="result-total" data-testid="result-total">{ total.clone() }</p>
                    </article>
                }
            }
        }
    }

    fn todo(&self, ctx: &Context<Self>, todo: &TodoPage) -> Html {
        let on_action = Self::in_tab(ctx);
        let link = |path: &'static str, text: &'static str| {
            let onclick = on_action.reform(move |_| BrowserAction::Follow(path.into()));
            html! {
                <li><button type="button" class="link-button" data-testid={format!("todo-nav{}", path.replace('/', "-"))} {onclick}>{ text }</button></li>
            }
        };
        let body = match todo {
            TodoPage::List(items) => {
                let rows = items.iter().enumerate().map(|(i, (item, date))| {
                    html! {
                        <tr key={i}>
                            <td data-testid="todo-item">{ item.clone() }</td>
                            <td>{ date.clone() }</td>
                        </tr>
                    }
                });
                let add = on_action.reform(|_| BrowserAction::Follow("/new".into()));
                html! {
                    <>
                        <h1>{ "TODO List" }</h1>
                        <p>{ "There is much still to do." }</p>
                        <p>
                            { "But there's always room to " }
                            <button type="button" class="link-button" data-testid="todo-add-more" onclick={add}>{ "add more" }</button>
                            { "." }
                        </p>
                        <table class="web-table">
                            <thead><tr><th>{ "Item" }</th><th>{ "Date Added" }</th></tr></thead>
                            <tbody>{ for rows }</tbody>
                        </table>
                    </>
                }
            }
            TodoPage::New { error, .. } => {
                let value = self.todo_value.clone();
                let onsubmit = {
                    let on_action = on_action.clone();
                    Callback::from(move |e: SubmitEvent| {
                        e.prevent_default();
                        on_action.emit(BrowserAction::TodoSubmit(value.clone()));
                    })
                };
                let oninput = ctx.link().callback(|e: InputEvent| {
                    Msg::TodoValue(e.target_unchecked_into::<HtmlInputElement>().value())
                });
                html! {
                    <>
                        <h1>{ "New Item" }</h1>
                        <form class="todo-form" {onsubmit}>
                            if let Some(e) = error {
                                <p class="validation-message" role="alert">{ e.clone() }</p>
                            }
                            <input
                                type="text"
                                class={classes!("new-item", error.is_some().then_some("invalid"))}
                                aria-label="Item"
                                data-testid="todo-input"
                                value={self.todo_value.clone()}
                                {oninput}
                            />
                            <button type="submit" class="web-button" data-testid="todo-submit">{ "Submit" }</button>
                        </form>
                    </>
                }
            }
            TodoPage::Other(blocks) => html! { <>{ for blocks.iter().map(block) }</> },
        };
        html! {
            <article class="web-page todo">
                <nav class="todo-nav" aria-label="To-do list">
                    <span class="todo-brand">{ "DIAMOL To-Do List" }</span>
                    <ul>
                        { link("/", "Home") }
                        { link("/new", "New item") }
                        { link("/list", "To-do list") }
                        { link("/diagnostics", "Diagnostics") }
                    </ul>
                </nav>
                <div class="todo-main">{ body }</div>
            </article>
        }
    }
}

fn block(b: &Block) -> Html {
    match b {
        Block::Heading(t) => html! { <h1>{ t.clone() }</h1> },
        Block::Paragraph(t) => html! { <p>{ t.clone() }</p> },
        Block::Table(header, rows) => {
            let head = header.iter().map(|h| html! { <th>{ h.clone() }</th> });
            let rows = rows.iter().map(|r| {
                html! { <tr>{ for r.iter().map(|c| html! { <td>{ c.clone() }</td> }) }</tr> }
            });
            html! {
                <table class="web-table">
                    if !header.is_empty() {
                        <thead><tr>{ for head }</tr></thead>
                    }
                    <tbody>{ for rows }</tbody>
                </table>
            }
        }
        Block::Image { alt, src } => html! {
            <figure class="web-image">
                <div class="image-placeholder" aria-hidden="true">{ "🖼" }</div>
                <figcaption>
                    <span class="image-alt">{ alt.clone() }</span>
                    <span class="image-src">{ src.clone() }</span>
                </figcaption>
            </figure>
        },
    }
}
