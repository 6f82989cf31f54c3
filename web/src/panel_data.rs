//! What the quorum, traffic and browser views show, kept by the app between frames: each
//! picture is taken again only when the world recorded something since the last one, and
//! only for the view on screen (the browser's badges also while the browser view shows).
//! The browser's tabs are kept here too ([`BrowserState`]: a copy of the playground's tabs,
//! and which one is on screen), so they survive switching views; the tabs themselves, their
//! cookies and histories are the playground's (`Playground::browse_in`, which writes each
//! action into the replay log). Which tab is on screen is the page's own state.

use std::rc::Rc;

use swarm_shell::view::browser::{BrowserAction, MachinePorts, Tab};
use swarm_shell::view::quorum::QuorumView;
use swarm_shell::view::traffic::{TrafficRow, TRAFFIC_SHOWN};
use swarm_shell::Playground;

/// Which of these views is on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The quorum view.
    Quorum,
    /// The traffic view.
    Traffic,
    /// The browser view.
    Browser,
    /// None of them.
    Other,
}

/// The pictures and the browser tab.
pub struct PanelData {
    /// One quorum picture per cluster.
    pub quorum: Rc<Vec<QuorumView>>,
    /// The last requests, newest first.
    pub traffic: Rc<Vec<TrafficRow>>,
    /// Every machine's published ports.
    pub ports: Rc<Vec<MachinePorts>>,
    /// The browser's tabs and the one on screen.
    pub browser: Rc<BrowserState>,
    /// (generation, view) of the last refresh.
    seen: (u64, Shown),
}

impl Default for PanelData {
    fn default() -> Self {
        PanelData {
            quorum: Rc::default(),
            traffic: Rc::default(),
            ports: Rc::default(),
            browser: Rc::default(),
            seen: (u64::MAX, Shown::Other),
        }
    }
}

impl PanelData {
    /// Takes new pictures for the view on screen if the world moved; true if one changed.
    pub fn refresh(&mut self, pg: &Playground, shown: Shown) -> bool {
        let generation = pg.generation();
        if self.seen == (generation, shown) || shown == Shown::Other {
            return false;
        }
        self.seen = (generation, shown);
        match shown {
            Shown::Quorum => replace(&mut self.quorum, pg.quorum_view()),
            Shown::Traffic => replace(&mut self.traffic, pg.traffic(TRAFFIC_SHOWN)),
            Shown::Browser => {
                // A restored (replayed) playground brings its tabs back.
                let tabs = pg.browser_tabs().tabs();
                let restored = self.browser.tabs != tabs;
                if restored {
                    let selected = if tabs.iter().any(|t| t.id == self.browser.selected) {
                        self.browser.selected
                    } else {
                        tabs.last().map_or(pg.browser_tabs().next_id(), |t| t.id)
                    };
                    self.browser = Rc::new(BrowserState {
                        tabs: tabs.to_vec(),
                        selected,
                        version: self.browser.version + 1,
                    });
                }
                replace(&mut self.ports, pg.published_ports()) || restored
            }
            Shown::Other => false,
        }
    }

    /// Does what the browser view asked: an action in the tab on screen, a badge (a new
    /// tab, or the open tab that shows its address), choosing, opening or closing a tab.
    pub fn browse(&mut self, pg: &mut Playground, action: TabAction) {
        let mut selected = self.browser.selected;
        match action {
            TabAction::OpenUrl(url) => {
                let open = pg
                    .browser_tabs()
                    .tabs()
                    .iter()
                    .find(|t| t.page.as_ref().is_some_and(|p| p.url == url));
                if let Some(t) = open {
                    selected = t.id;
                } else {
                    let id = pg.browser_tabs().next_id();
                    pg.browse_in(id, BrowserAction::Open(url));
                    selected = id;
                }
            }
            TabAction::Select(id) => selected = id,
            TabAction::NewTab => selected = pg.browser_tabs().next_id(),
            TabAction::Close(id) => {
                let ids: Vec<u32> = pg.browser_tabs().tabs().iter().map(|t| t.id).collect();
                if let Some(i) = ids.iter().position(|x| *x == id) {
                    pg.browse_in(id, BrowserAction::Close);
                    if selected == id {
                        selected = ids
                            .get(i + 1)
                            .or_else(|| i.checked_sub(1).and_then(|j| ids.get(j)))
                            .copied()
                            .unwrap_or_else(|| pg.browser_tabs().next_id());
                    }
                } else if selected == id {
                    // The blank new tab: back to the last open one, if any.
                    selected = ids.last().copied().unwrap_or(id);
                }
            }
            TabAction::In(action) => {
                pg.browse_in(selected, action);
            }
        }
        self.browser = Rc::new(BrowserState {
            tabs: pg.browser_tabs().tabs().to_vec(),
            selected,
            version: self.browser.version + 1,
        });
    }
}

/// What the browser view asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TabAction {
    /// A port badge: its address in a new tab, or the open tab that shows it.
    OpenUrl(String),
    /// Show tab `id`.
    Select(u32),
    /// Show a new, blank tab (it opens with its first address).
    NewTab,
    /// Close tab `id`.
    Close(u32),
    /// Something done in the tab on screen: the address bar, a link, a form, Back, Forward,
    /// Reload.
    In(BrowserAction),
}

/// The browser's tabs as the view shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BrowserState {
    /// The playground's open tabs, oldest first.
    pub tabs: Vec<Tab>,
    /// The tab on screen: an open tab's number, or one not open yet (a blank new tab).
    pub selected: u32,
    /// Bumped on every action (the address bar then shows the tab's address).
    pub version: u64,
}

impl BrowserState {
    /// The tab on screen, if it is open.
    pub fn current(&self) -> Option<&Tab> {
        self.tabs.iter().find(|t| t.id == self.selected)
    }
}

/// Replaces `old` with `new` if they differ; true if it did.
fn replace<T: PartialEq>(old: &mut Rc<T>, new: T) -> bool {
    if **old == new {
        return false;
    }
    *old = Rc::new(new);
    true
}
