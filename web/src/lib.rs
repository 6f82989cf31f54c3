//! `swarm-web`: the page of Swarm Playground.
//!
//! A static page that runs the whole simulation in the browser: a sidebar lists the machines,
//! and each machine has a terminal that accepts `docker` commands. [`app::App`] owns the
//! [`Playground`](swarm_shell::Playground) and drives its clock in real time;
//! [`terminal::Terminal`] shows one machine's terminal. The page's URL chooses the seed and the
//! number of machines (`?seed=7&machines=3`, see [`query`]).

pub mod app;
pub mod browser_panel;
pub mod cluster;
pub mod editor;
pub mod faults;
pub mod i18n;
pub mod jq_host;
pub mod panel_data;
pub mod panic;
pub mod persist;
pub mod query;
pub mod quorum;
pub mod screen;
pub mod terminal;
pub mod traffic;

/// Starts the page: installs the panic notice and mounts the app on `#app` (or the body).
pub fn start() {
    panic::install();
    jq_host::install();
    if persist::has_fragment() || persist::restore_needs_jq() {
        // A share link is decoded (asynchronously: the browser's DecompressionStream) before
        // the app mounts, so that its first render is the shared playground; a playground
        // to restore that used `jq` waits for jq's module, so that its replay is exact.
        wasm_bindgen_futures::spawn_local(async {
            persist::load_fragment().await;
            if persist::restore_needs_jq() {
                persist::preload_jq().await;
            }
            mount();
        });
    } else {
        mount();
    }
}

/// Mounts the app on `#app` (or the body).
fn mount() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            // Replace the "starting" notice the page shows until the app is up.
            root.set_text_content(None);
            yew::Renderer::<app::App>::with_root(root).render()
        }
        None => yew::Renderer::<app::App>::new().render(),
    };
}
