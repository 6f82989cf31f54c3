//! `jq` for the page's terminals, from a second WebAssembly module loaded on first use.
//!
//! jq (jaq and our jq layer, crate `swarm-jq`) is about a quarter of what the page would
//! download, and most visitors never type `jq`. So the page's module leaves it out and
//! registers [`PageJq`] as the shell's [`JqHost`]: the first request starts loading the
//! `swarm-jq-web` module through `window.swarmLoadJq` (defined by `web/boot.js`, which imports
//! `swarm-jq-web.js` next to the page and initialises its wasm) and answers "loading"; the
//! command's job stays pending and is polled again on the next tick. Once loaded, each request
//! is one synchronous call, a JSON `JqRequest` in and a JSON `JqRun` out. If loading fails,
//! the waiting `jq` prints why and exits 2, and the next `jq` tries again.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use swarm_shell::{JqHost, JqPoll, JqRequest, JqRun};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The name of the loader `web/boot.js` puts on `window`.
const LOADER: &str = "swarmLoadJq";

enum State {
    Idle,
    Loading,
    /// The module's `run_jq` export.
    Ready(Function),
    Failed(String),
}

thread_local! {
    /// Set when the module has loaded (or failed): the app polls the waiting jobs at once,
    /// even while the clock is paused.
    static SETTLED: Cell<bool> = const { Cell::new(false) };
}

/// The shell's [`JqHost`] in the page.
pub struct PageJq {
    state: Rc<RefCell<State>>,
}

/// Registers the page's jq with the shell.
pub fn install() {
    swarm_shell::set_jq_host(Rc::new(PageJq {
        state: Rc::new(RefCell::new(State::Idle)),
    }));
}

/// True once after the module loaded or failed to: jobs waiting for it should be polled.
pub fn take_settled() -> bool {
    SETTLED.with(|s| s.replace(false))
}

impl JqHost for PageJq {
    fn poll(&self, request: &JqRequest) -> JqPoll {
        let mut state = self.state.borrow_mut();
        match &*state {
            State::Ready(run) => JqPoll::Ready(call(run, request)),
            State::Loading => JqPoll::Loading,
            State::Failed(why) => {
                let why = why.clone();
                *state = State::Idle;
                JqPoll::Failed(why)
            }
            State::Idle => {
                *state = State::Loading;
                wasm_bindgen_futures::spawn_local(load(self.state.clone()));
                JqPoll::Loading
            }
        }
    }
}

async fn load(state: Rc<RefCell<State>>) {
    let loaded = match import().await {
        Ok(run) => State::Ready(run),
        Err(e) => {
            web_sys::console::error_2(&"Swarm Playground could not load jq:".into(), &e);
            State::Failed(describe(&e))
        }
    };
    *state.borrow_mut() = loaded;
    SETTLED.with(|s| s.set(true));
}

/// Imports the module with the page's loader; its `run_jq` function.
async fn import() -> Result<Function, JsValue> {
    let loader = Reflect::get(&js_sys::global(), &LOADER.into())?
        .dyn_into::<Function>()
        .map_err(|_| JsValue::from_str("the page has no jq loader"))?;
    let promise = loader.call0(&JsValue::NULL)?.dyn_into::<Promise>()?;
    JsFuture::from(promise)
        .await?
        .dyn_into::<Function>()
        .map_err(|_| JsValue::from_str("the jq module has no run_jq"))
}

/// Runs one request in the loaded module.
fn call(run: &Function, request: &JqRequest) -> JqRun {
    match run.call1(&JsValue::NULL, &JsValue::from_str(&request.to_json())) {
        Ok(result) => match result.as_string() {
            Some(text) => JqRun::from_json(&text),
            None => JqRun::fail("jq: error: the jq module returned no text\n", 5),
        },
        // A panic inside jaq traps the module, not the page.
        Err(e) => JqRun::fail(format!("jq: error: {}\n", describe(&e)), 5),
    }
}

/// A JavaScript error in a few words (`TypeError: Failed to fetch dynamically imported …`).
fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.to_string()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".to_string())
}
