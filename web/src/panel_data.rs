//! What the quorum, traffic and browser views show, kept by the app between frames: each
//! picture is taken again only when the world recorded something since the last one, and
//! only for the view on screen (the browser's badges also while the browser view shows).
//! The browser tab's page is kept here too, so it survives switching views; its cookies are
//! the playground's (`Playground::browse_tab`, which writes the action into the replay log).

use std::rc::Rc;

use swarm_shell::view::browser::{BrowserAction, MachinePorts, Page};
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
    /// The tab's page.
    pub page: Option<Rc<Page>>,
    /// Bumped on every load.
    pub version: u64,
    /// (generation, view) of the last refresh.
    seen: (u64, Shown),
}

impl Default for PanelData {
    fn default() -> Self {
        PanelData {
            quorum: Rc::default(),
            traffic: Rc::default(),
            ports: Rc::default(),
            page: None,
            version: 0,
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
                // A restored (replayed) playground brings its tab's page back.
                let restored = self.page.is_none() && pg.browser_tab().is_some();
                if restored {
                    self.page = pg.browser_tab().cloned().map(Rc::new);
                    self.version += 1;
                }
                replace(&mut self.ports, pg.published_ports()) || restored
            }
            Shown::Other => false,
        }
    }

    /// Does `action` in the browser tab.
    pub fn browse(&mut self, pg: &mut Playground, action: BrowserAction) {
        let page = pg.browse_tab(action);
        self.page = Some(Rc::new(page));
        self.version += 1;
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
