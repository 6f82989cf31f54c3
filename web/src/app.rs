//! The page: machines on the left, the selected machine's terminal in the middle (with tabs
//! for the machines used recently), and a panel of views on the right, over one playground.
//!
//! The app owns the [`Playground`] and drives its clock: a timer fires every [`TICK_MS`]
//! milliseconds, measures the real time that passed with `performance.now()` (never
//! `std::time`, which panics on wasm32) and owes the simulation as much times the chosen
//! speed (1×, 2×, 5×, 10×, 60×). Each tick pays what it can within [`ADVANCE_BUDGET_MS`] of
//! real time (`Playground::advance_within`, one event timestamp at a time) and keeps the rest
//! owed for the next tick, so a large cluster's busy second never blocks the page: the clock
//! shown lags while it catches up, and what is owed beyond [`MAX_OWED_MS`] of real time is
//! dropped (simulated time then runs slower than asked). Pause stops it; it also stops while
//! the tab is hidden. The Step button ("+1 s") adds one second to what the clock owes, paused
//! or not, and that is never dropped: the click pays what it can within the same budget (a
//! small cluster's whole second, so its terminals show at once what happened in it) and the
//! rest is paid [`ADVANCE_BUDGET_MS`] at a time in tasks of their own, one after another,
//! until the clock stands exactly one second further per click. After every step and every
//! command the app drains each terminal's output into its scrollback and re-renders only what
//! changed.
//!
//! What the page shows of the cluster (the sidebar's roles, states and task counts, and the
//! cluster view) comes from one [`ClusterView`], rebuilt only when the world recorded
//! something since the last one (its generation), at most every [`CLUSTER_EVERY_MS`] while
//! the clock runs, and handed down only when it differs; nodes that did not change keep their
//! `Rc`, so their cards are not rendered again.
//! One-click faults are typed into a terminal as the command they stand for.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Interval;
use swarm_core::{Availability, NodeState, Power, SimDuration};
use swarm_shell::view::{ClusterView, Fault, MachineView, PictureBuilder, TaskFilter};
use swarm_shell::{Options, Playground};
use yew::prelude::*;

use crate::browser_panel::BrowserPanel;
use crate::cluster::{role_icon, ClusterPanel};
use crate::editor::Editor;
use crate::i18n::{self, t, tf, Lang, Noun, K};
use crate::panel_data::{PanelData, Shown, TabAction};
use crate::quorum::QuorumPanel;
use crate::screen::Screen;
use crate::terminal::{ScreenRef, Terminal};
use crate::traffic::TrafficPanel;

/// How often the clock ticks, in real milliseconds.
pub const TICK_MS: u32 = 100;

/// The most real time one tick accounts for, in milliseconds. A tick that comes later than
/// that (the computer slept, the tab was throttled) does not make the simulation leap ahead.
pub const MAX_STEP_MS: f64 = 5_000.0;

/// The real time, in milliseconds, a tick may spend moving simulated time; what is left is
/// owed to the next tick.
pub const ADVANCE_BUDGET_MS: f64 = 25.0;

/// The most real time, in milliseconds, the clock may owe the simulation (times the speed):
/// beyond it, time owed is dropped rather than piled up.
pub const MAX_OWED_MS: f64 = 3_000.0;

/// While the clock runs, the cluster picture is taken again at most this often (real
/// milliseconds); commands, clicks and steps take it at once.
pub const CLUSTER_EVERY_MS: f64 = 250.0;

/// The real time, in milliseconds, one task spends taking the cluster picture (a large
/// cluster's picture takes several, each in a task of its own; see `PictureBuilder`).
pub const CLUSTER_SLICE_MS: f64 = 10.0;

/// The same after a command, a click or a step: a small cluster's picture is then taken at
/// once, a large one's first slice is larger.
pub const CLUSTER_AT_ONCE_MS: f64 = 25.0;

/// The speeds the time controls offer: simulated seconds per real second.
pub const SPEEDS: [u32; 5] = [1, 2, 5, 10, 60];

/// How many machines the sidebar lists at first (the selected one always; "+K more" lists
/// this many more).
pub const MACHINES_SHOWN: usize = 50;

/// How long after its first render the page loads its second module (see `jq_host::prefetch`):
/// after the first paint and the first keystrokes' work, well before most first `--format`.
pub const PREFETCH_AFTER_MS: u32 = 1_000;

/// How many recently used machines have a tab over the terminal.
pub const MAX_TABS: usize = 5;

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
    /// What the input line is for (a command, nothing, a line the command reads).
    mode: swarm_shell::InputMode,
    exited: bool,
    history: Rc<Vec<String>>,
    /// The last Tab completion: bumped on each, with the completed text before the cursor.
    completion: (u64, AttrValue),
    /// Taken off the page with "remove" (powered off, as Play with Docker's delete left a
    /// node Down in its swarm); it comes back if something powers it on again.
    removed: bool,
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
            mode: swarm_shell::InputMode::Command,
            exited: false,
            history: Rc::default(),
            completion: (0, AttrValue::default()),
            removed: false,
        }
    }
}

/// The views of the right panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    /// Nodes and their tasks.
    Cluster,
    /// The managers' Raft state and the last committed writes.
    Quorum,
    /// Requests through the network.
    Traffic,
    /// Published ports and an in-page browser.
    Browser,
}

impl Panel {
    /// Every view, in tab order.
    pub const ALL: [Panel; 4] = [
        Panel::Cluster,
        Panel::Quorum,
        Panel::Traffic,
        Panel::Browser,
    ];

    fn title(self, lang: Lang) -> &'static str {
        t(
            lang,
            match self {
                Panel::Cluster => K::Cluster,
                Panel::Quorum => K::Quorum,
                Panel::Traffic => K::Traffic,
                Panel::Browser => K::Browser,
            },
        )
    }

    fn id(self) -> &'static str {
        match self {
            Panel::Cluster => "cluster",
            Panel::Quorum => "quorum",
            Panel::Traffic => "traffic",
            Panel::Browser => "browser",
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
    /// The machine at this index was chosen (sidebar, tab, or a notice's "show").
    Select(usize),
    /// The "add machine" button.
    AddMachine,
    /// The "remove" button of the machine at this index.
    Remove(usize),
    /// Pause or play the clock.
    TogglePause,
    /// Run the clock at this speed (one of [`SPEEDS`]).
    Speed(u32),
    /// Advance simulated time by one second.
    Step,
    /// Go on paying what the Step button owes (see `App::step_ms`), after a [`Msg::Sync`].
    StepOn,
    /// A one-click fault.
    Fault(Fault),
    /// Saving the playground in the browser failed: why.
    PersistProblem(String),
    /// A view of the right panel was chosen.
    ShowPanel(Panel),
    /// Show or hide the right panel.
    TogglePanel,
    /// Something done in the browser view (a badge, a link, a button, the address bar).
    Browse(TabAction),
    /// The language switch.
    Lang(Lang),
    /// The cluster view's filters changed.
    ClusterFilter(TaskFilter),
    /// Take the cluster picture again (asked for by a clock tick).
    Cluster,
    /// Drain the terminals after a clock tick.
    Sync,
    /// "+K more" under the sidebar's machines.
    MoreMachines,
}

/// A file open in the editor panel.
struct Editing {
    /// The terminal that asked for it.
    view: usize,
    path: AttrValue,
    content: AttrValue,
    error: Option<AttrValue>,
}

/// What the last fault or removal did: the command and where it was typed, or why not.
struct Notice {
    text: AttrValue,
    error: bool,
    /// The terminal it went to, for a "show" button.
    terminal: Option<usize>,
}

/// The app component.
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
    /// Real time of the last tick, `None` after the tab was hidden or the clock paused.
    last_tick: Option<f64>,
    /// Simulated milliseconds measured but not yet given to the simulation: fractions of a
    /// millisecond, and what ticks over budget could not pay (see [`ADVANCE_BUDGET_MS`]).
    owed_ms: f64,
    /// Simulated milliseconds the Step button asked for and the clock has not paid yet: paid
    /// before what real time owes, even while paused, and never dropped.
    step_ms: u64,
    /// Set when the chain paid off the Step button's debt: the drain after it takes the
    /// cluster picture at once, so the page shows the state at the end of the step.
    step_paid: bool,
    /// Sends [`Msg::StepOn`], made once, and whether it is on its way.
    on_step: Callback<()>,
    step_queued: bool,
    /// The simulated time the clock shows, in whole seconds.
    shown_secs: u64,
    paused: bool,
    /// Simulated seconds per real second.
    speed: u32,
    /// Tabs over the terminal: (view index, when last selected), in the order they opened.
    tabs: Vec<(usize, u64)>,
    tab_clock: u64,
    panel: Panel,
    panel_open: bool,
    /// The picture of the cluster, replaced only when it changes.
    cluster: Rc<ClusterView>,
    /// The world's generation when the picture was taken (`u64::MAX`: take it again).
    cluster_gen: u64,
    /// Real time when the picture was last taken, and how long that took (milliseconds).
    cluster_taken: f64,
    cluster_cost: f64,
    /// A clock tick found the picture out of date and asked for it in a task of its own.
    cluster_queued: bool,
    /// The picture being taken, a slice at a time.
    picture: Option<PictureBuilder>,
    /// Sends [`Msg::Cluster`], made once.
    on_cluster: Callback<()>,
    /// Sends [`Msg::Sync`], made once, and whether it is on its way.
    on_sync: Callback<()>,
    sync_queued: bool,
    /// How many machines the sidebar lists (see [`MACHINES_SHOWN`]).
    machines_shown: usize,
    /// The sidebar's callbacks, made once (see `on_fault`).
    on_select: Callback<usize>,
    on_remove: Callback<usize>,
    /// Each terminal's callbacks, made on its first render (see `view`).
    term_callbacks: RefCell<Vec<TermCallbacks>>,
    /// The cluster view's filters (the picture is built with them).
    cluster_filter: TaskFilter,
    /// The cluster view's filter callback, made once (see `on_fault`).
    on_filter: Callback<TaskFilter>,
    notice: Option<Notice>,
    /// The cluster view's fault callback, made once so that the view's props compare equal
    /// (and it skips rendering) while the picture stays the same.
    on_fault: Callback<Fault>,
    /// The quorum, traffic and browser views' pictures, and the browser tab.
    more: PanelData,
    /// The browser view's callback, made once (see `on_fault`).
    on_browse: Callback<TabAction>,
    _timer: Option<Interval>,
    _visibility: Option<EventListener>,
    /// Whether the playground is saved in this browser (see `persist`).
    saved: bool,
    _saver: Option<crate::persist::Saver>,
    /// The page's language (see `i18n`).
    lang: Lang,
}

impl Component for App {
    type Message = Msg;
    type Properties = AppProps;

    fn create(ctx: &Context<Self>) -> Self {
        let lang = i18n::detect();
        let props = ctx.props();
        // The page's own options come from its URL, and its playground may be restored (a
        // share link, or what this browser saved: see `persist`); options given as props
        // start afresh, unsaved. Options the playground refuses fall back to the defaults.
        let bench = props
            .options
            .is_none()
            .then(|| crate::query::bench_from_query(&crate::persist::location_query()))
            .flatten();
        let saved = props.options.is_none() && bench.is_none();
        let crate::persist::Start {
            playground,
            options: opts,
            problem,
            removed,
            ..
        } = match (props.options.clone(), bench) {
            (Some(opts), _) => crate::persist::start_unsaved(opts),
            (None, Some(machines)) => crate::persist::Start {
                playground: crate::query::bench_playground(machines),
                options: Options::default(),
                origin: crate::persist::Origin::Fresh,
                problem: None,
                removed: Vec::new(),
            },
            (None, None) => crate::persist::start(crate::query::options_from_location()),
        };
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
            owed_ms: 0.0,
            step_ms: 0,
            step_paid: false,
            on_step: ctx.link().callback(|()| Msg::StepOn),
            step_queued: false,
            shown_secs: 0,
            paused: false,
            speed: 1,
            tabs: Vec::new(),
            tab_clock: 0,
            panel: Panel::Cluster,
            panel_open: true,
            cluster: Rc::default(),
            cluster_gen: u64::MAX,
            cluster_taken: f64::NEG_INFINITY,
            cluster_cost: 0.0,
            cluster_queued: false,
            picture: None,
            on_cluster: ctx.link().callback(|()| Msg::Cluster),
            on_sync: ctx.link().callback(|()| Msg::Sync),
            sync_queued: false,
            machines_shown: MACHINES_SHOWN,
            on_select: ctx.link().callback(Msg::Select),
            on_remove: ctx.link().callback(Msg::Remove),
            term_callbacks: RefCell::default(),
            cluster_filter: TaskFilter::default(),
            on_filter: ctx.link().callback(Msg::ClusterFilter),
            notice: None,
            on_fault: ctx.link().callback(Msg::Fault),
            more: PanelData::default(),
            on_browse: ctx.link().callback(Msg::Browse),
            _timer: timer,
            _visibility: visibility,
            saved,
            _saver: saved
                .then(|| crate::persist::Saver::start(ctx.link().callback(Msg::PersistProblem))),
            lang,
        };
        // A restored playground: machines the user removed stay off the page, and a link or
        // saved state that could not be used says why.
        for view in app.views.iter_mut() {
            if removed.iter().any(|r| view.name == r.as_str()) {
                view.removed = true;
            }
        }
        if let Some(first) = app.views.iter().position(|v| !v.removed) {
            app.selected = first;
        }
        if let Some(problem) = problem {
            app.notice = Some(Notice {
                text: problem.into(),
                error: true,
                terminal: None,
            });
        }
        app.touch_tab(app.selected);
        app.sync();
        app
    }

    fn update(&mut self, _ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::Tick => self.tick(false),
            Msg::Visibility => {
                // Measure the next step from the moment the tab shows again.
                self.last_tick = None;
                false
            }
            Msg::Submit(i, line) => {
                if let (Ok(pg), Some(view)) = (&mut self.playground, self.views.get(i)) {
                    crate::query::timed("submit", || pg.submit(&view.name, &line));
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
                    (Ok(pg), Some(name)) => pg.save_file(&name, &ed.path, &text),
                    _ => Err(t(i18n::current(), K::MachineGone).to_string()),
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
                    let _ = pg.upload(&view.name, &name, &text);
                }
                self.sync()
            }
            Msg::EditorCancel => {
                self.editing = None;
                self.focus += 1;
                true
            }
            Msg::Clear(i) => {
                // Through the playground, so that the replay log has it too.
                if let (Ok(pg), Some(view)) = (&mut self.playground, self.views.get(i)) {
                    pg.clear_screen(&view.name);
                }
                self.sync();
                true
            }
            Msg::PersistProblem(text) => {
                self.notice = Some(Notice {
                    text: text.into(),
                    error: true,
                    terminal: None,
                });
                true
            }
            Msg::Select(i) => {
                if self.views.get(i).is_some_and(|v| !v.removed) {
                    self.selected = i;
                    self.touch_tab(i);
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
                        self.touch_tab(self.selected);
                        self.focus += 1;
                        self.add_error = None;
                        self.sync();
                    }
                    Err(e) => self.add_error = Some(e),
                }
                true
            }
            Msg::Remove(i) => {
                self.remove(i);
                self.sync();
                true
            }
            Msg::TogglePause => {
                self.paused = !self.paused;
                self.last_tick = None;
                true
            }
            Msg::Speed(s) => {
                if SPEEDS.contains(&s) {
                    self.speed = s;
                }
                true
            }
            Msg::Step => {
                // One second more owed. A click while none was owed pays what it can within a
                // tick's budget; later ones only add to the debt (clicks the browser queued
                // while the page was busy come in one task, which must not pay for each).
                let idle = self.step_ms == 0;
                self.step_ms = self.step_ms.saturating_add(1_000);
                if idle {
                    self.pay(0, now_ms() + ADVANCE_BUDGET_MS);
                }
                if self.step_ms == 0 {
                    // All of it (a small cluster): what happened shows now.
                    self.step_paid = false;
                    self.sync();
                    return true;
                }
                // A large cluster: the rest in tasks of their own, drained and rendered
                // between them as after a clock tick (see `Msg::Sync`).
                self.queue_sync();
                false
            }
            Msg::StepOn => {
                self.step_queued = false;
                self.tick(true)
            }
            Msg::Fault(fault) => {
                let selected = self.selected_name();
                // The machine the fault is about takes the command when it can (a powered-off
                // one cannot: powering on is typed where the user is).
                let mut prefer = Vec::new();
                if !matches!(fault, Fault::PowerOn(_)) {
                    prefer.push(fault.machine().to_string());
                }
                prefer.extend(selected);
                self.inject(&fault, &prefer);
                self.sync();
                true
            }
            Msg::ShowPanel(p) => {
                self.panel = p;
                self.panel_open = true;
                self.sync();
                true
            }
            Msg::Browse(action) => {
                if let Ok(pg) = &mut self.playground {
                    self.more.browse(pg, action);
                }
                self.panel = Panel::Browser;
                self.panel_open = true;
                self.sync();
                true
            }
            Msg::TogglePanel => {
                self.panel_open = !self.panel_open;
                true
            }
            Msg::Lang(lang) => {
                i18n::set(lang);
                let changed = self.lang != lang;
                self.lang = lang;
                changed
            }
            Msg::MoreMachines => {
                self.machines_shown = self.machines_shown.saturating_add(MACHINES_SHOWN);
                true
            }
            Msg::Sync => {
                self.sync_queued = false;
                let at_once = std::mem::take(&mut self.step_paid);
                let changed = crate::query::timed("sync", || self.sync_now(at_once));
                // Paying a step goes on after each drain, one timer at a time: timers due
                // together may run in one task of the browser's, which the budget is for.
                if self.step_ms > 0 {
                    self.queue_step();
                }
                changed
            }
            Msg::Cluster => {
                self.cluster_queued = false;
                self.take_cluster(CLUSTER_SLICE_MS)
            }
            Msg::ClusterFilter(filter) => {
                self.cluster_filter = filter;
                self.cluster_gen = u64::MAX;
                self.picture = None;
                self.sync();
                true
            }
        }
    }

    fn rendered(&mut self, _ctx: &Context<Self>, first_render: bool) {
        if first_render {
            // For `cargo xtask bench`: the moment the page (and its terminal) first showed.
            if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
                let _ = performance.mark("swarm-ready");
            }
            // The second module (jq, YAML, templates, help) once the page is up, so that a
            // loaded page needs no network (see `jq_host`).
            gloo::timers::callback::Timeout::new(PREFETCH_AFTER_MS, crate::jq_host::prefetch)
                .forget();
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        crate::query::timed("view", || {
            crate::query::rendered("render-app");
            if let Err(e) = &self.playground {
                return html! {
                    <div class="fatal" role="alert">
                        <h1>{ t(self.lang, K::CouldNotStart) }</h1>
                        <pre>{ e.clone() }</pre>
                    </div>
                };
            }
            let link = ctx.link();
            // The first machines (and the selected one): a thousand items would be rendered again
            // on every picture of a converging cluster, as their task counts change.
            let listed: Vec<(usize, &View)> = self
                .views
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.removed)
                .collect();
            let unlisted = listed.len().saturating_sub(self.machines_shown);
            let machines = listed
                .iter()
                .enumerate()
                .filter(|(k, (i, _))| *k < self.machines_shown || *i == self.selected)
                .map(|(_, (i, view))| self.machine_item(*i, view));
            // Each terminal's callbacks are made once, so an idle terminal's props compare equal
            // and it is not rendered again.
            let mut made = self.term_callbacks.borrow_mut();
            while made.len() < self.views.len() {
                let i = made.len();
                made.push(TermCallbacks {
                    submit: link.callback(move |line| Msg::Submit(i, line)),
                    interrupt: link.callback(move |typed: String| Msg::Interrupt(i, typed)),
                    clear: link.callback(move |()| Msg::Clear(i)),
                    complete: link
                        .callback(move |(text, list): (String, bool)| Msg::Complete(i, text, list)),
                    upload: link
                        .callback(move |(name, text): (String, String)| Msg::Upload(i, name, text)),
                });
            }
            // Only the selected machine's terminal and those with a tab are mounted: the others
            // keep their scrollback in their view and mount when picked, so a thousand
            // machines are not a thousand hidden terminals to compare and lay out.
            let mounted = |i: usize| i == self.selected || self.tabs.iter().any(|(v, _)| *v == i);
            let terminals = self
                .views
                .iter()
                .zip(made.iter())
                .enumerate()
                .filter(|(i, _)| mounted(*i))
                .map(|(i, (view, cb))| {
                    html! {
                        <Terminal
                            key={view.name.to_string()}
                            machine={view.name.clone()}
                            ip={view.ip.clone()}
                            screen={view.screen.clone()}
                            version={view.version}
                            prompt={view.prompt.clone()}
                            busy={view.busy}
                            mode={view.mode}
                            exited={view.exited}
                            history={view.history.clone()}
                            active={i == self.selected && !view.removed}
                            focus={self.focus}
                            on_submit={cb.submit.clone()}
                            on_interrupt={cb.interrupt.clone()}
                            on_clear={cb.clear.clone()}
                            completion={view.completion.clone()}
                            on_complete={cb.complete.clone()}
                            on_upload={cb.upload.clone()}
                            lang={self.lang}
                        />
                    }
                });
            let count = self.views.iter().filter(|v| !v.removed).count();
            let none_left = count == 0;
            html! {
                <div class={classes!("layout", (!self.panel_open).then_some("no-panel"))}>
                    <aside class="sidebar">
                        <header class="brand">
                            <span class="logo" aria-hidden="true">{ "◆" }</span>
                            <h1>{ "Swarm Playground" }</h1>
                        </header>
                        <p class="tagline">{ t(self.lang, K::Tagline) }</p>
                        <div class="instances">
                            <h2>{ tf(self.lang, K::Instances, &[&count]) }</h2>
                            <button
                                type="button"
                                class="add"
                                data-testid="add-machine"
                                onclick={link.callback(|_| Msg::AddMachine)}
                            >
                                { t(self.lang, K::AddInstance) }
                            </button>
                            <details class="templates">
                                <summary>{ t(self.lang, K::StartFromTemplate) }</summary>
                                <ul>
                                    <li><a href="?template=3m2w">{ t(self.lang, K::Tpl3m2w) }</a></li>
                                    <li><a href="?template=5m">{ t(self.lang, K::Tpl5m) }</a></li>
                                    <li><a href="?template=1m1w">{ t(self.lang, K::Tpl1m1w) }</a></li>
                                    <li><a href="?template=1m2w">{ t(self.lang, K::Tpl1m2w) }</a></li>
                                    <li><a href="?machines=1">{ t(self.lang, K::Tpl1Empty) }</a></li>
                                </ul>
                            </details>
                            if let Some(e) = &self.add_error {
                                <p class="add-error" role="alert">{ e.clone() }</p>
                            }
                            <nav aria-label={t(self.lang, K::Machines)}>
                                <ul class="machines">{ for machines }</ul>
                                if unlisted > 0 {
                                    <button
                                        type="button"
                                        class="machines-more"
                                        data-testid="machines-more"
                                        onclick={link.callback(|_| Msg::MoreMachines)}
                                    >
                                        { tf(self.lang, K::MoreTasks, &[&unlisted]) }
                                    </button>
                                }
                            </nav>
                        </div>
                        { self.time_controls(ctx) }
                        <crate::persist::PersistControls saved={self.saved} lang={self.lang} />
                        { self.lang_switch(ctx) }
                    </aside>
                    <main class="workspace">
                        { self.tab_bar(ctx) }
                        if let Some(n) = &self.notice {
                            <p class={classes!("notice", n.error.then_some("error"))} role="status" data-testid="notice">
                                <span class="notice-text">{ n.text.clone() }</span>
                                if let Some(t) = n.terminal.filter(|t| *t != self.selected) {
                                    <button type="button" class="link-button" onclick={link.callback(move |_| Msg::Select(t))}>{ i18n::t(self.lang, K::Show) }</button>
                                }
                            </p>
                        }
                        <div class="terminals">
                            { for terminals }
                            if none_left {
                                <p class="empty">{ t(self.lang, K::NoMachines) }</p>
                            }
                        </div>
                    </main>
                    if self.panel_open {
                        { self.panel(ctx) }
                    }
                    if let Some(ed) = &self.editing {
                        <Editor
                            key={format!("{}:{}", ed.view, ed.path)}
                            path={ed.path.clone()}
                            content={ed.content.clone()}
                            error={ed.error.clone()}
                            on_save={link.callback(Msg::EditorSave)}
                            on_cancel={link.callback(|()| Msg::EditorCancel)}
                            lang={self.lang}
                        />
                    }
                </div>
            }
        })
    }
}

impl App {
    /// One machine in the sidebar (see [`MachineItem`]): a component of its own with props
    /// that compare equal while nothing about it changed, so a page of a thousand machines
    /// does not render them all again on every tick.
    fn machine_item(&self, i: usize, view: &View) -> Html {
        // The picture lists machines in the order they were added, as the views are.
        let info = match self.cluster.machines.get(i) {
            Some(m) if m.name == view.name.as_str() => Some(m),
            _ => self.cluster.machine(&view.name),
        };
        html! {
            <MachineItem
                key={view.name.to_string()}
                index={i}
                name={view.name.clone()}
                ip={view.ip.clone()}
                busy={view.busy}
                exited={view.exited}
                selected={i == self.selected}
                info={info.cloned()}
                lang={self.lang}
                on_select={self.on_select.clone()}
                on_remove={self.on_remove.clone()}
                on_fault={self.on_fault.clone()}
            />
        }
    }

    /// The language switch: EN | RU.
    fn lang_switch(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let buttons = Lang::ALL.iter().map(|&l| {
            let on = l == self.lang;
            html! {
                <button
                    type="button"
                    class={classes!("lang-button", on.then_some("on"))}
                    lang={l.code()}
                    data-testid={format!("lang-{}", l.code())}
                    aria-pressed={if on { "true" } else { "false" }}
                    onclick={link.callback(move |_| Msg::Lang(l))}
                >
                    { l.label() }
                </button>
            }
        });
        html! {
            <div class="lang-switch" role="group" aria-label={t(self.lang, K::Language)} data-testid="lang-switch">
                { for buttons }
            </div>
        }
    }

    /// The clock and its controls: pause/play, one second forward, speeds.
    fn time_controls(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let speeds = SPEEDS.iter().map(|&s| {
            let on = s == self.speed;
            html! {
                <button
                    type="button"
                    class={classes!("speed", on.then_some("on"))}
                    data-testid={format!("speed-{s}")}
                    aria-pressed={if on { "true" } else { "false" }}
                    onclick={link.callback(move |_| Msg::Speed(s))}
                >
                    { format!("{s}×") }
                </button>
            }
        });
        html! {
            <section class="time" aria-label={t(self.lang, K::SimulatedTime)}>
                <div class="clock-line">
                    <span class="clock-label">{ t(self.lang, K::SimTime) }</span>
                    <span class="clock" data-testid="sim-clock" title={t(self.lang, K::SimTimeTitle)}>{ clock_text(self.shown_secs) }</span>
                    if self.paused {
                        <span class="paused" data-testid="paused">{ t(self.lang, K::Paused) }</span>
                    }
                </div>
                <div class="time-buttons">
                    <button
                        type="button"
                        class="time-button"
                        data-testid="time-pause"
                        aria-pressed={if self.paused { "true" } else { "false" }}
                        onclick={link.callback(|_| Msg::TogglePause)}
                    >
                        { t(self.lang, if self.paused { K::Play } else { K::Pause }) }
                    </button>
                    <button
                        type="button"
                        class="time-button"
                        data-testid="time-step"
                        title={t(self.lang, K::StepTitle)}
                        onclick={link.callback(|_| Msg::Step)}
                    >
                        { "+1 s" }
                    </button>
                    <span class="seed">{ tf(self.lang, K::Seed, &[&self.seed]) }</span>
                </div>
                <div class="speeds" role="group" aria-label={t(self.lang, K::Speed)}>{ for speeds }</div>
            </section>
        }
    }

    /// Tabs of the recently used machines, and the panel's show/hide button.
    fn tab_bar(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let tabs = self.tabs.iter().filter_map(|&(i, _)| {
            let view = self.views.get(i).filter(|v| !v.removed)?;
            let on = i == self.selected;
            Some(html! {
                <button
                    key={view.name.to_string()}
                    type="button"
                    role="tab"
                    class={classes!("tab", on.then_some("on"))}
                    aria-selected={if on { "true" } else { "false" }}
                    data-testid={format!("tab-{}", view.name)}
                    onclick={link.callback(move |_| Msg::Select(i))}
                >
                    <span class={classes!("dot", view.busy.then_some("busy"))} aria-hidden="true"></span>
                    { view.name.clone() }
                </button>
            })
        });
        html! {
            <div class="tab-bar">
                <div class="tabs" role="tablist" aria-label={t(self.lang, K::RecentMachines)}>{ for tabs }</div>
                <button
                    type="button"
                    class="panel-toggle"
                    data-testid="panel-toggle"
                    aria-expanded={if self.panel_open { "true" } else { "false" }}
                    onclick={link.callback(|_| Msg::TogglePanel)}
                >
                    { t(self.lang, if self.panel_open { K::HideViews } else { K::ShowViews }) }
                </button>
            </div>
        }
    }

    /// The right panel: its view tabs and the chosen view.
    fn panel(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let tabs = Panel::ALL.iter().map(|&p| {
            let on = p == self.panel;
            html! {
                <button
                    type="button"
                    role="tab"
                    id={format!("view-tab-{}", p.id())}
                    class={classes!("tab", on.then_some("on"))}
                    aria-selected={if on { "true" } else { "false" }}
                    aria-controls={format!("view-{}", p.id())}
                    data-testid={format!("view-tab-{}", p.id())}
                    onclick={link.callback(move |_| Msg::ShowPanel(p))}
                >
                    { p.title(self.lang) }
                </button>
            }
        });
        let body = match self.panel {
            Panel::Cluster => html! {
                <ClusterPanel
                    view={self.cluster.clone()}
                    filter={self.cluster_filter.clone()}
                    on_filter={self.on_filter.clone()}
                    on_fault={self.on_fault.clone()}
                    lang={self.lang}
                />
            },
            Panel::Quorum => html! {
                <>
                    <crate::faults::PartitionPanel view={self.cluster.clone()} on_fault={self.on_fault.clone()} lang={self.lang} />
                    <QuorumPanel views={self.more.quorum.clone()} lang={self.lang} />
                </>
            },
            Panel::Traffic => {
                html! { <TrafficPanel rows={self.more.traffic.clone()} lang={self.lang} /> }
            }
            Panel::Browser => html! {
                <BrowserPanel
                    ports={self.more.ports.clone()}
                    state={self.more.browser.clone()}
                    on_action={self.on_browse.clone()}
                    lang={self.lang}
                />
            },
        };
        html! {
            <aside class="panel" aria-label={t(self.lang, K::Views)}>
                <div class="tabs" role="tablist" aria-label={t(self.lang, K::Views)}>{ for tabs }</div>
                <div
                    class="panel-body"
                    role="tabpanel"
                    id={format!("view-{}", self.panel.id())}
                    aria-labelledby={format!("view-tab-{}", self.panel.id())}
                >
                    { body }
                </div>
            </aside>
        }
    }

    /// The selected machine's name, if it is on the page.
    fn selected_name(&self) -> Option<String> {
        self.views
            .get(self.selected)
            .filter(|v| !v.removed)
            .map(|v| v.name.to_string())
    }

    /// Marks `i` as just used, opening a tab for it (closing the least recently used one
    /// beyond [`MAX_TABS`]).
    fn touch_tab(&mut self, i: usize) {
        self.tab_clock += 1;
        let now = self.tab_clock;
        match self.tabs.iter_mut().find(|(v, _)| *v == i) {
            Some(t) => t.1 = now,
            None => self.tabs.push((i, now)),
        }
        if self.tabs.len() > MAX_TABS {
            if let Some(oldest) = self
                .tabs
                .iter()
                .enumerate()
                .filter(|(_, (v, _))| *v != i)
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k)
            {
                self.tabs.remove(oldest);
            }
        }
    }

    /// Types `fault`'s command into a terminal (the first of `prefer` that can take it, else
    /// any) and notes where; true if it went somewhere.
    fn inject(&mut self, fault: &Fault, prefer: &[String]) -> bool {
        let Ok(pg) = &mut self.playground else {
            return false;
        };
        let prefer: Vec<&str> = prefer.iter().map(String::as_str).collect();
        match pg.inject_fault(fault, &prefer) {
            Ok(run) => {
                let terminal = self.views.iter().position(|v| v.name == run.terminal);
                self.notice = Some(Notice {
                    text: format!("{} $ {}", run.terminal, run.command).into(),
                    error: false,
                    terminal,
                });
                true
            }
            Err(e) => {
                self.notice = Some(Notice {
                    text: e.into(),
                    error: true,
                    terminal: None,
                });
                false
            }
        }
    }

    /// "Remove": powers the machine off (typed into another machine's terminal when one is
    /// free) and takes it off the page.
    fn remove(&mut self, i: usize) {
        let Some(name) = self.views.get(i).map(|v| v.name.to_string()) else {
            return;
        };
        let powered = self
            .cluster
            .machine(&name)
            .is_some_and(|m| m.power != Power::Off);
        if powered {
            let mut prefer: Vec<String> = self.selected_name().into_iter().collect();
            prefer.extend(
                self.views
                    .iter()
                    .filter(|v| !v.removed)
                    .map(|v| v.name.to_string()),
            );
            prefer.retain(|n| *n != name);
            if !self.inject(&Fault::PowerOff(name.clone()), &prefer) {
                return;
            }
        }
        self.views[i].removed = true;
        if let Ok(pg) = &mut self.playground {
            pg.note_removed(&name);
        }
        self.tabs.retain(|(v, _)| *v != i);
        if self.selected == i {
            if let Some(next) = self.views.iter().position(|v| !v.removed) {
                self.selected = next;
                self.touch_tab(next);
                self.focus += 1;
            }
        }
    }

    /// One step of the real-time clock, or of paying what the Step button owes (`chained`:
    /// from [`Msg::StepOn`]); true if the page must re-render.
    fn tick(&mut self, chained: bool) -> bool {
        let stopped = self.paused || page_hidden();
        if crate::jq_host::take_settled() && stopped && self.step_ms == 0 {
            // jq's module has loaded: the commands waiting for it go on even while paused.
            if let Ok(pg) = &mut self.playground {
                pg.advance(SimDuration::ZERO);
            }
            return self.sync();
        }
        let now = now_ms();
        let mut clock_ms = 0;
        if stopped {
            self.last_tick = None;
            self.owed_ms = 0.0;
        } else if let Some(last) = self.last_tick.replace(now) {
            let real = (now - last).clamp(0.0, MAX_STEP_MS);
            let speed = f64::from(self.speed);
            self.owed_ms = (self.owed_ms + real * speed).min(MAX_OWED_MS * speed);
            clock_ms = self.owed_ms.floor() as u64;
        } else if self.step_ms == 0 {
            // The first tick after playing again only notes the time.
            return false;
        }
        if self.step_ms > 0 && !chained {
            // While a step is owed, its chain of tasks pays for the clock too: one payer, one
            // slice per task (the timer only measured the real time owed).
            return false;
        }
        if stopped && self.step_ms == 0 {
            return false;
        }
        self.pay(clock_ms, now + ADVANCE_BUDGET_MS);
        // Draining the terminals and the render that follows come in a task of their own; what
        // the Step button still owes is paid in the next one after that (see `Msg::Sync`).
        self.queue_sync();
        false
    }

    /// Moves simulated time by what the Step button owes and `clock_ms` (whole milliseconds
    /// of [`App::owed_ms`]) until real time passes `deadline` (see
    /// `Playground::advance_within`), and takes what it moved off the Step button's debt
    /// first.
    fn pay(&mut self, clock_ms: u64, deadline: f64) {
        let Ok(pg) = &mut self.playground else {
            self.step_ms = 0;
            return;
        };
        let owed = self.step_ms.saturating_add(clock_ms);
        if owed == 0 {
            return;
        }
        let start = pg.now();
        let reached = crate::query::timed("advance", || {
            pg.advance_within(SimDuration::from_millis(owed), &mut || now_ms() > deadline)
        });
        let moved = reached.saturating_since(start).as_millis();
        let stepped = moved.min(self.step_ms);
        if stepped > 0 && stepped == self.step_ms {
            self.step_paid = true;
        }
        self.step_ms -= stepped;
        self.owed_ms = (self.owed_ms - (moved - stepped) as f64).max(0.0);
    }

    /// Asks for [`Msg::StepOn`] in a task of its own, after this one.
    fn queue_step(&mut self) {
        queue_once(&mut self.step_queued, &self.on_step);
    }

    /// Asks for [`Msg::Sync`] in a task of its own, after this one.
    fn queue_sync(&mut self) {
        queue_once(&mut self.sync_queued, &self.on_sync);
    }

    /// Drains every terminal's output into its scrollback and refreshes prompts, states, the
    /// clock and the cluster picture; true if anything the page shows changed.
    fn sync(&mut self) -> bool {
        self.sync_now(true)
    }

    /// [`App::sync`]; `at_once` takes the cluster picture now if it is out of date, else (on
    /// a clock tick) asks for it in a task of its own, at most every [`CLUSTER_EVERY_MS`].
    fn sync_now(&mut self, at_once: bool) -> bool {
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
            let (busy, mode, exited) = (term.busy(), term.input_mode(), term.exited());
            if (view.busy, view.mode, view.exited) != (busy, mode, exited) {
                view.busy = busy;
                view.mode = mode;
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
        let shown = match (self.panel_open, self.panel) {
            (true, Panel::Quorum) => Shown::Quorum,
            (true, Panel::Traffic) => Shown::Traffic,
            (true, Panel::Browser) => Shown::Browser,
            _ => Shown::Other,
        };
        if crate::query::timed("panels", || self.more.refresh(pg, shown)) {
            changed = true;
        }
        if at_once {
            changed |= self.take_cluster(CLUSTER_AT_ONCE_MS);
        } else if self.picture.is_some() || self.cluster_due() {
            self.queue_cluster();
        }
        changed
    }

    /// Asks for [`Msg::Cluster`] in a task of its own, after this one: the picture and its
    /// rendering do not add to the time the clock just took.
    fn queue_cluster(&mut self) {
        queue_once(&mut self.cluster_queued, &self.on_cluster);
    }

    /// True if the cluster picture is out of date (the world recorded something since it was
    /// taken, or a task that ended is due to leave it) and old enough to be taken again on a
    /// clock tick: [`CLUSTER_EVERY_MS`], or four times what the last one took.
    fn cluster_due(&self) -> bool {
        let Ok(pg) = &self.playground else {
            return false;
        };
        let stale = pg.generation() != self.cluster_gen
            || self.cluster.fades_at.is_some_and(|t| pg.now() >= t);
        stale && now_ms() - self.cluster_taken >= CLUSTER_EVERY_MS.max(4.0 * self.cluster_cost)
    }

    /// Goes on taking the cluster picture, if it is out of date or being taken, for at most
    /// about `budget_ms` (the rest in tasks of its own); true if the picture changed (a
    /// removed machine that something powered on again is then back on the page).
    fn take_cluster(&mut self, budget_ms: f64) -> bool {
        if !crate::query::timed("cluster", || self.refresh_cluster(budget_ms)) {
            return false;
        }
        for view in self.views.iter_mut().filter(|v| v.removed) {
            if self
                .cluster
                .machine(&view.name)
                .is_some_and(|m| m.power != Power::Off)
            {
                view.removed = false;
            }
        }
        true
    }

    /// Starts a picture of the cluster if the world recorded anything since the last one
    /// (or a task that ended is due to leave it), and takes a slice of it (see
    /// `PictureBuilder`); true if that finished it and the picture changed.
    fn refresh_cluster(&mut self, budget_ms: f64) -> bool {
        let Ok(pg) = &self.playground else {
            return false;
        };
        let start = now_ms();
        if self.picture.is_none() {
            let generation = pg.generation();
            let fading = self.cluster.fades_at.is_some_and(|t| pg.now() >= t);
            if generation == self.cluster_gen && !fading {
                return false;
            }
            self.cluster_gen = generation;
            self.cluster_cost = 0.0;
            self.picture = Some(PictureBuilder::new(self.cluster_filter.clone()));
        }
        let Some(builder) = self.picture.as_mut() else {
            return false;
        };
        let deadline = start + budget_ms;
        let done = pg.picture_step(builder, &mut || now_ms() > deadline);
        self.cluster_taken = now_ms();
        self.cluster_cost += self.cluster_taken - start;
        let Some(mut picture) = done else {
            self.queue_cluster();
            return false;
        };
        self.picture = None;
        picture.share(&self.cluster);
        let changed = picture != *self.cluster;
        if changed {
            self.cluster = Rc::new(picture);
        }
        changed
    }
}

/// The callbacks of the terminal at one index.
struct TermCallbacks {
    submit: Callback<String>,
    interrupt: Callback<String>,
    clear: Callback<()>,
    complete: Callback<(String, bool)>,
    upload: Callback<(String, String)>,
}

/// Sends `callback` once in a task of its own, after this one, unless `queued` says it is on
/// its way already (the message's handler clears it).
fn queue_once(queued: &mut bool, callback: &Callback<()>) {
    if !*queued {
        *queued = true;
        let callback = callback.clone();
        gloo::timers::callback::Timeout::new(0, move || callback.emit(())).forget();
    }
}

/// What a machine in the sidebar shows.
#[derive(Properties, PartialEq)]
pub struct MachineItemProps {
    /// Its index among the app's machines.
    pub index: usize,
    /// Hostname.
    pub name: AttrValue,
    /// LAN address.
    pub ip: AttrValue,
    /// A command runs in its terminal.
    pub busy: bool,
    /// Its terminal's shell exited.
    pub exited: bool,
    /// It is the selected machine.
    pub selected: bool,
    /// What the cluster picture says of it.
    pub info: Option<MachineView>,
    /// The page's language.
    pub lang: Lang,
    /// It was clicked (its index).
    pub on_select: Callback<usize>,
    /// Its remove button (its index).
    pub on_remove: Callback<usize>,
    /// Its power button.
    pub on_fault: Callback<Fault>,
}

/// One machine in the sidebar: a button that selects it (name, address, role, leader,
/// status, availability, tasks) and its power and remove buttons.
#[function_component(MachineItem)]
pub fn machine_item(props: &MachineItemProps) -> Html {
    crate::query::rendered("render-machine");
    let i = props.index;
    let selected = props.selected;
    let info = props.info.as_ref();
    let power = info.map_or(Power::Running, |m| m.power);
    let member = info.and_then(|m| m.swarm.as_ref());
    let name = props.name.to_string();
    let off = power == Power::Off;
    let fault = if off {
        Fault::PowerOn(name.clone())
    } else {
        Fault::PowerOff(name.clone())
    };
    let lang = props.lang;
    let power_label = format!(
        "{} {name} ({})",
        t(lang, if off { K::PowerOn } else { K::PowerOff }),
        fault.command(&name)
    );
    let status = member.map(|m| match m.status {
        NodeState::Ready => ("ready", t(lang, K::Ready)),
        NodeState::Down => ("down", t(lang, K::Down)),
        NodeState::Unknown => ("unknown", t(lang, K::Unknown)),
    });
    let on_select = props.on_select.clone();
    let on_remove = props.on_remove.clone();
    let on_fault = props.on_fault.clone();
    html! {
        <li class="machine-item">
            <button
                type="button"
                class={classes!("machine", selected.then_some("selected"))}
                data-testid={format!("machine-{name}")}
                aria-current={selected.then_some("true")}
                onclick={Callback::from(move |_: MouseEvent| on_select.emit(i))}
            >
                <span class={classes!("dot", props.busy.then_some("busy"), props.exited.then_some("ended"), match power { Power::Off => Some("off"), Power::Booting => Some("booting"), Power::Running => None })} aria-hidden="true"></span>
                <span class="machine-name">{ name.clone() }</span>
                if let Some(m) = member {
                    <span class={classes!("role", m.role.as_str())}>
                        <span class="role-icon" aria-hidden="true">{ role_icon(m.role) }</span>
                        { format!(" {}", crate::cluster::role_text(lang, m.role)) }
                        if m.leader {
                            <span class="crown" title={t(lang, K::RaftLeader)}>{ " ♛" }<span class="sr-only">{ t(lang, K::Leader) }</span></span>
                        }
                    </span>
                }
                <span class="machine-badges">
                    <span class="machine-ip">{ props.ip.clone() }</span>
                    if off {
                        <span class="badge off">{ t(lang, K::PoweredOff) }</span>
                    } else if power == Power::Booting {
                        <span class="badge booting">{ t(lang, K::Booting) }</span>
                    } else if info.is_some_and(|m| m.locked) {
                        <span class="badge booting" title="docker swarm unlock">{ t(lang, K::Locked) }</span>
                    }
                    if let Some((class, s)) = status {
                        <span class={classes!("badge", "status", class)}>{ s }</span>
                    }
                    if let Some(m) = member.filter(|m| m.availability != Availability::Active) {
                        <span class={classes!("badge", "availability", m.availability.as_str())}>{ m.availability.as_str() }</span>
                    }
                    if let Some(m) = member {
                        <span class="task-count">{ i18n::count(lang, m.tasks as u64, Noun::Task) }</span>
                    }
                </span>
            </button>
            <div class="machine-actions">
                <button
                    type="button"
                    class={classes!("icon-button", off.then_some("is-off"))}
                    data-testid={format!("power-{name}")}
                    aria-label={power_label.clone()}
                    title={power_label}
                    onclick={Callback::from(move |_: MouseEvent| on_fault.emit(fault.clone()))}
                >
                    { t(lang, if off { K::PowerOnShort } else { K::PowerOffShort }) }
                </button>
                <button
                    type="button"
                    class="icon-button"
                    data-testid={format!("remove-{name}")}
                    aria-label={tf(lang, K::Remove, &[&name])}
                    title={tf(lang, K::RemoveTitle, &[&name])}
                    onclick={Callback::from(move |_: MouseEvent| on_remove.emit(i))}
                >
                    { "✕" }
                </button>
            </div>
        </li>
    }
}

/// The address of `machine`, or an empty string.
fn ip_of(pg: &Playground, machine: &str) -> String {
    pg.machine_ip(machine)
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

/// `hh:mm:ss`.
pub fn clock_text(secs: u64) -> String {
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
