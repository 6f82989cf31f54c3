//! The page: a sidebar of machines and one terminal per machine, over one playground.
//!
//! The app owns the [`Playground`] and drives its clock in real time: a timer fires every
//! [`TICK_MS`] milliseconds, measures the real time that passed with `performance.now()` (never
//! `std::time`, which panics on wasm32) and advances the simulation by as much. The clock stops
//! while the tab is hidden. After every step and every command the app drains each terminal's
//! output into its scrollback and re-renders only what changed.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Interval;
use swarm_core::SimDuration;
use swarm_shell::{Options, Playground};
use yew::prelude::*;

use crate::editor::Editor;
use crate::screen::Screen;
use crate::terminal::{ScreenRef, Terminal};

/// How often the clock ticks, in real milliseconds.
pub const TICK_MS: u32 = 100;

/// The most simulated time one tick advances, in milliseconds. A tick that comes later than
/// that (the computer slept, the tab was throttled) does not make the simulation leap ahead.
pub const MAX_STEP_MS: f64 = 5_000.0;

/// How the app starts.
#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// The playground's options; `None` reads them from the page's URL.
    #[prop_or_default]
    pub options: Option<Options>,
    /// Whether the clock runs in real time (tests turn it off to keep simulated time still).
    #[prop_or(true)]
    pub clock: bool,
}

// Written out rather than derived: the page mounts the app with these default props, and its
// clock must run.
impl Default for AppProps {
    fn default() -> Self {
        AppProps {
            options: None,
            clock: true,
        }
    }
}

/// What the page shows of one machine's terminal.
struct View {
    name: AttrValue,
    ip: AttrValue,
    screen: ScreenRef,
    version: u64,
    prompt: AttrValue,
    busy: bool,
    exited: bool,
    history: Rc<Vec<String>>,
    /// `on`, `booting` or `off`.
    power: &'static str,
    /// `leader`, `manager`, `worker`, or empty outside a swarm.
    role: &'static str,
    /// The last Tab completion: bumped on each, with the completed text before the cursor.
    completion: (u64, AttrValue),
}

impl View {
    fn new(name: String, ip: String) -> Self {
        View {
            name: name.into(),
            ip: ip.into(),
            screen: ScreenRef(Rc::new(RefCell::new(Screen::new()))),
            version: 0,
            prompt: AttrValue::default(),
            busy: false,
            exited: false,
            history: Rc::default(),
            power: "on",
            role: "",
            completion: (0, AttrValue::default()),
        }
    }
}

/// Messages of the app.
pub enum Msg {
    /// The clock timer fired.
    Tick,
    /// The tab was hidden or shown.
    Visibility,
    /// A line was submitted in the terminal at this index.
    Submit(usize, String),
    /// Ctrl+C in the terminal at this index.
    Interrupt(usize, String),
    /// Ctrl+L in the terminal at this index.
    Clear(usize),
    /// Tab in the terminal at this index: the text before the cursor, and whether to list
    /// the candidates (a second Tab).
    Complete(usize, String, bool),
    /// The editor's Save, with the text.
    EditorSave(String),
    /// The editor's Cancel.
    EditorCancel,
    /// A file dropped onto the terminal at this index: name and text.
    Upload(usize, String, String),
    /// The machine at this index was chosen in the sidebar.
    Select(usize),
    /// The "add machine" button.
    AddMachine,
}

/// The app component.
/// A file open in the editor panel.
struct Editing {
    /// The terminal that asked for it.
    view: usize,
    path: AttrValue,
    content: AttrValue,
    error: Option<AttrValue>,
}

pub struct App {
    playground: Result<Playground, String>,
    /// The editor panel, while a file is open (`nano FILE`).
    editing: Option<Editing>,
    seed: u64,
    views: Vec<View>,
    selected: usize,
    /// Bumped to give the selected terminal the keyboard focus.
    focus: u64,
    add_error: Option<String>,
    /// Real time of the last tick, `None` after the tab was hidden.
    last_tick: Option<f64>,
    /// Real milliseconds measured but not yet given to the simulation (it counts whole ones).
    carry_ms: f64,
    /// The simulated time the clock in the sidebar shows, in whole seconds.
    shown_secs: u64,
    _timer: Option<Interval>,
    _visibility: Option<EventListener>,
}

impl Component for App {
    type Message = Msg;
    type Properties = AppProps;

    fn create(ctx: &Context<Self>) -> Self {
        let props = ctx.props();
        let opts = props
            .options
            .clone()
            .unwrap_or_else(crate::query::options_from_location);
        // Options from a link that the playground refuses fall back to the defaults.
        let playground = Playground::new(&opts).or_else(|e| {
            web_sys::console::warn_1(
                &format!("cannot start a playground with {opts:?}: {e}").into(),
            );
            Playground::new(&Options::default())
        });
        let views = match &playground {
            Ok(pg) => pg
                .machine_names()
                .into_iter()
                .map(|name| {
                    let ip = ip_of(pg, &name);
                    View::new(name, ip)
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        let (timer, visibility) = if props.clock {
            let link = ctx.link().clone();
            let timer = Interval::new(TICK_MS, move || link.send_message(Msg::Tick));
            let link = ctx.link().clone();
            let visibility = web_sys::window()
                .and_then(|w| w.document())
                .map(|document| {
                    EventListener::new(&document, "visibilitychange", move |_| {
                        link.send_message(Msg::Visibility)
                    })
                });
            (Some(timer), visibility)
        } else {
            (None, None)
        };
        let mut app = App {
            playground,
            editing: None,
            seed: opts.seed,
            views,
            selected: 0,
            focus: 0,
            add_error: None,
            last_tick: None,
            carry_ms: 0.0,
            shown_secs: 0,
            _timer: timer,
            _visibility: visibility,
        };
        app.sync();
        app
    }

    fn update(&mut self, _ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::Tick => self.tick(),
            Msg::Visibility => {
                // Measure the next step from the moment the tab shows again.
                self.last_tick = None;
                false
            }
            Msg::Submit(i, line) => {
                if let (Ok(pg), Some(view)) = (&mut self.playground, self.views.get(i)) {
                    pg.submit(&view.name, &line);
                }
                self.sync()
            }
            Msg::Interrupt(i, typed) => {
                if let (Ok(pg), Some(view)) = (&mut self.playground, self.views.get(i)) {
                    pg.interrupt_line(&view.name, &typed);
                }
                self.sync()
            }
            Msg::Complete(i, text, list) => {
                if let (Ok(pg), Some(view)) = (&mut self.playground, self.views.get_mut(i)) {
                    let c = pg.complete(&view.name, &text, list);
                    view.completion = (view.completion.0 + 1, c.line.into());
                }
                self.sync();
                true
            }
            Msg::EditorSave(text) => {
                let Some(ed) = &mut self.editing else {
                    return false;
                };
                let name = self.views.get(ed.view).map(|v| v.name.to_string());
                let result = match (&mut self.playground, name) {
                    (Ok(pg), Some(name)) => match pg.terminal_mut(&name) {
                        Some(t) => t.save_file(&ed.path, &text),
                        None => Err("the machine is gone".to_string()),
                    },
                    _ => Err("the machine is gone".to_string()),
                };
                match result {
                    Ok(()) => {
                        self.editing = None;
                        self.focus += 1;
                    }
                    Err(e) => ed.error = Some(e.into()),
                }
                true
            }
            Msg::Upload(i, name, text) => {
                if let (Ok(pg), Some(view)) = (&mut self.playground, self.views.get(i)) {
                    if let Some(t) = pg.terminal_mut(&view.name) {
                        let _ = t.upload(&name, &text);
                    }
                }
                self.sync()
            }
            Msg::EditorCancel => {
                self.editing = None;
                self.focus += 1;
                true
            }
            Msg::Clear(i) => {
                if let Some(view) = self.views.get_mut(i) {
                    view.screen.0.borrow_mut().clear();
                    view.version += 1;
                }
                true
            }
            Msg::Select(i) => {
                if i < self.views.len() {
                    self.selected = i;
                    self.focus += 1;
                }
                true
            }
            Msg::AddMachine => {
                let Ok(pg) = &mut self.playground else {
                    return false;
                };
                match pg.add_machine() {
                    Ok(name) => {
                        let ip = ip_of(pg, &name);
                        self.views.push(View::new(name, ip));
                        self.selected = self.views.len() - 1;
                        self.focus += 1;
                        self.add_error = None;
                        self.sync();
                    }
                    Err(e) => self.add_error = Some(e),
                }
                true
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        if let Err(e) = &self.playground {
            return html! {
                <div class="fatal" role="alert">
                    <h1>{ "Swarm Playground could not start" }</h1>
                    <pre>{ e.clone() }</pre>
                </div>
            };
        }
        let link = ctx.link();
        let machines = self.views.iter().enumerate().map(|(i, view)| {
            let selected = i == self.selected;
            html! {
                <li key={view.name.to_string()}>
                    <button
                        type="button"
                        class={classes!("machine", selected.then_some("selected"))}
                        data-testid={format!("machine-{}", view.name)}
                        aria-current={selected.then_some("true")}
                        onclick={link.callback(move |_| Msg::Select(i))}
                    >
                        <span class={classes!("dot", view.busy.then_some("busy"), view.exited.then_some("ended"), (view.power != "on").then_some(view.power))} aria-hidden="true"></span>
                        <span class="machine-name">{ view.name.clone() }</span>
                        if !view.role.is_empty() {
                            <span class={classes!("role", view.role)} title={format!("swarm {}", view.role)}>
                                { if view.role == "leader" { "★ leader" } else { view.role } }
                            </span>
                        }
                        if view.power != "on" {
                            <span class="power">{ if view.power == "off" { "powered off" } else { "booting" } }</span>
                        }
                        <span class="machine-ip">{ view.ip.clone() }</span>
                    </button>
                </li>
            }
        });
        let terminals = self.views.iter().enumerate().map(|(i, view)| {
            html! {
                <Terminal
                    key={view.name.to_string()}
                    machine={view.name.clone()}
                    ip={view.ip.clone()}
                    screen={view.screen.clone()}
                    version={view.version}
                    prompt={view.prompt.clone()}
                    busy={view.busy}
                    exited={view.exited}
                    history={view.history.clone()}
                    active={i == self.selected}
                    focus={self.focus}
                    on_submit={link.callback(move |line| Msg::Submit(i, line))}
                    on_interrupt={link.callback(move |typed: String| Msg::Interrupt(i, typed))}
                    on_clear={link.callback(move |()| Msg::Clear(i))}
                    completion={view.completion.clone()}
                    on_complete={link.callback(move |(text, list): (String, bool)| Msg::Complete(i, text, list))}
                    on_upload={link.callback(move |(name, text): (String, String)| Msg::Upload(i, name, text))}
                />
            }
        });
        let count = self.views.len();
        html! {
            <div class="layout">
                <aside class="sidebar">
                    <header class="brand">
                        <span class="logo" aria-hidden="true">{ "◆" }</span>
                        <h1>{ "Swarm Playground" }</h1>
                    </header>
                    <p class="tagline">{ "Docker Swarm, simulated in your browser." }</p>
                    <div class="instances">
                        <h2>{ format!("Instances ({count})") }</h2>
                        <button
                            type="button"
                            class="add"
                            data-testid="add-machine"
                            onclick={link.callback(|_| Msg::AddMachine)}
                        >
                            { "+ Add new instance" }
                        </button>
                        <details class="templates">
                            <summary>{ "Start from a template" }</summary>
                            <ul>
                                <li><a href="?template=3m2w">{ "3 managers + 2 workers" }</a></li>
                                <li><a href="?template=5m">{ "5 managers" }</a></li>
                                <li><a href="?template=1m1w">{ "1 manager + 1 worker" }</a></li>
                                <li><a href="?template=1m2w">{ "1 manager + 2 workers" }</a></li>
                                <li><a href="?machines=1">{ "1 empty machine" }</a></li>
                            </ul>
                        </details>
                        if let Some(e) = &self.add_error {
                            <p class="add-error" role="alert">{ e.clone() }</p>
                        }
                        <nav aria-label="Machines">
                            <ul class="machines">{ for machines }</ul>
                        </nav>
                    </div>
                    <footer class="status">
                        <span title="Simulated time since the playground started">
                            { "sim time " }<span class="clock" data-testid="sim-clock">{ clock_text(self.shown_secs) }</span>
                        </span>
                        <span>{ format!("seed {}", self.seed) }</span>
                    </footer>
                </aside>
                <main class="terminals">{ for terminals }</main>
                if let Some(ed) = &self.editing {
                    <Editor
                        key={format!("{}:{}", ed.view, ed.path)}
                        path={ed.path.clone()}
                        content={ed.content.clone()}
                        error={ed.error.clone()}
                        on_save={link.callback(Msg::EditorSave)}
                        on_cancel={link.callback(|()| Msg::EditorCancel)}
                    />
                }
            </div>
        }
    }
}

impl App {
    /// One step of the real-time clock; true if the page must re-render.
    fn tick(&mut self) -> bool {
        if page_hidden() {
            self.last_tick = None;
            return false;
        }
        let now = now_ms();
        let Some(last) = self.last_tick.replace(now) else {
            return false;
        };
        let elapsed = ((now - last).max(0.0) + self.carry_ms).min(MAX_STEP_MS);
        let whole = elapsed.floor();
        self.carry_ms = elapsed - whole;
        if whole >= 1.0 {
            if let Ok(pg) = &mut self.playground {
                pg.advance(SimDuration::from_millis(whole as u64));
            }
        }
        self.sync()
    }

    /// Drains every terminal's output into its scrollback and refreshes prompts, states and
    /// the clock; true if anything the page shows changed.
    fn sync(&mut self) -> bool {
        let Ok(pg) = &mut self.playground else {
            return false;
        };
        let mut changed = false;
        // Machines added from a terminal (`sim node add`) get a view too.
        for name in pg.machine_names() {
            if !self.views.iter().any(|v| v.name == name) {
                let ip = ip_of(pg, &name);
                self.views.push(View::new(name, ip));
                changed = true;
            }
        }
        let mut edit_requests = Vec::new();
        for (index, view) in self.views.iter_mut().enumerate() {
            let (power, role) = pg.machine_status(&view.name);
            let power = match power {
                swarm_core::Power::Running => "on",
                swarm_core::Power::Booting => "booting",
                swarm_core::Power::Off => "off",
            };
            let role = role.unwrap_or("");
            if (view.power, view.role) != (power, role) {
                view.power = power;
                view.role = role;
                changed = true;
            }
            let Some(term) = pg.terminal_mut(&view.name) else {
                continue;
            };
            term.set_editor_available(true);
            if let Some((path, content)) = term.take_edit_request() {
                edit_requests.push((index, path, content));
            }
            let out = term.drain_output();
            if !out.is_empty() {
                let mut screen = view.screen.0.borrow_mut();
                for piece in out {
                    screen.push(piece);
                }
                view.version += 1;
                changed = true;
            }
            let prompt = term.prompt();
            if view.prompt != prompt.as_str() {
                view.prompt = prompt.into();
                changed = true;
            }
            let (busy, exited) = (term.busy(), term.exited());
            if (view.busy, view.exited) != (busy, exited) {
                view.busy = busy;
                view.exited = exited;
                changed = true;
            }
            if view.history.as_slice() != term.history() {
                view.history = Rc::new(term.history().to_vec());
                changed = true;
            }
        }
        if let Some((view, path, content)) = edit_requests.pop() {
            self.editing = Some(Editing {
                view,
                path: path.into(),
                content: content.into(),
                error: None,
            });
            changed = true;
        }
        let secs = pg.now().as_millis() / 1000;
        if secs != self.shown_secs {
            self.shown_secs = secs;
            changed = true;
        }
        changed
    }
}

/// The address of `machine`, or an empty string.
fn ip_of(pg: &Playground, machine: &str) -> String {
    pg.machine_ip(machine)
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

/// `hh:mm:ss`.
fn clock_text(secs: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// Real milliseconds from a monotonic clock: `performance.now()`, or `Date.now()` without it.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// True while the page's tab is hidden.
fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}
