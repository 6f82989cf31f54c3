//! `jq`, the compose files' YAML parser and Go templates for the page's terminals, from a second
//! WebAssembly module loaded on first use.
//!
//! jq (jaq and our jq layer, crate `swarm-jq`), the YAML parser (serde_yaml over libyaml), Go's
//! text/template and the docker CLI's help texts (crate `swarm-extras`) are a large part of what
//! the page would download, and many visitors never type `jq`, `docker stack deploy`,
//! `--format` or `--help`. So the page's module
//! leaves them out and registers [`PageJq`] as the shell's [`JqHost`]: the first request starts
//! loading the `swarm-jq-web` module through `window.swarmLoadLazy` (defined by `web/boot.js`,
//! which imports `swarm-jq-web.js` next to the page, initialises its wasm and hands back its
//! exports) and answers "loading"; the command's job stays pending and is polled again on the
//! next tick. Once loaded, each request is one synchronous call with text in and text out:
//! `run_jq` (a JSON `JqRequest` in, a JSON `JqRun` out), `parse_yaml` (YAML in, the parsed
//! document out), `run_template` (a template call in, its answer out) and `docker_help` (a
//! command path in, its help text out). If loading fails, the waiting command prints why and
//! fails, and the next one tries again.
//!
//! The page also loads the module on its own shortly after its first render ([`prefetch`]), so
//! that a page that has loaded needs no network any more (a classroom that goes offline, a
//! laptop on a train): first paint and a usable terminal do not wait for it, and the first
//! `jq`, `--format` or `--help` usually finds it ready. A failed prefetch stays silent; the
//! first command that needs the module tries again and says why if it fails.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use swarm_shell::{JqHost, JqPoll, JqRequest, JqRun, LazyPoll, YamlPoll};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The name of the loader `web/boot.js` puts on `window`.
const LOADER: &str = "swarmLoadLazy";

/// The loaded module's exports.
struct Exports {
    run_jq: Function,
    parse_yaml: Function,
    run_template: Function,
    docker_help: Function,
}

enum State {
    Idle,
    Loading,
    Ready(Rc<Exports>),
    Failed(String),
}

thread_local! {
    /// Set when the module has loaded (or failed): the app polls the waiting jobs at once,
    /// even while the clock is paused.
    static SETTLED: Cell<bool> = const { Cell::new(false) };
    /// The state of the host [`install`] registered, for [`prefetch`].
    static INSTALLED: RefCell<Option<Rc<RefCell<State>>>> = const { RefCell::new(None) };
}

/// The shell's [`JqHost`] in the page.
pub struct PageJq {
    state: Rc<RefCell<State>>,
}

/// Registers the page's jq (and YAML parser) with the shell.
pub fn install() {
    let state = Rc::new(RefCell::new(State::Idle));
    INSTALLED.with(|i| *i.borrow_mut() = Some(state.clone()));
    swarm_shell::set_jq_host(Rc::new(PageJq { state }));
}

/// Starts loading the module if nothing has yet (and the page's host is installed: the
/// browser tests link the engines instead). A failure leaves it unloaded, without a message:
/// the next command that needs it loads it again.
pub fn prefetch() {
    let Some(state) = INSTALLED.with(|i| i.borrow().clone()) else {
        return;
    };
    let idle = matches!(*state.borrow(), State::Idle);
    if idle {
        *state.borrow_mut() = State::Loading;
        wasm_bindgen_futures::spawn_local(load(state, true));
    }
}

/// True once after the module loaded or failed to: jobs waiting for it should be polled.
pub fn take_settled() -> bool {
    SETTLED.with(|s| s.replace(false))
}

impl PageJq {
    /// The module's exports once loaded; otherwise starts loading it (once) and says so.
    fn exports(&self) -> LazyPoll<Rc<Exports>> {
        let mut state = self.state.borrow_mut();
        match &*state {
            State::Ready(exports) => LazyPoll::Ready(exports.clone()),
            State::Loading => LazyPoll::Loading,
            State::Failed(why) => {
                let why = why.clone();
                *state = State::Idle;
                LazyPoll::Failed(why)
            }
            State::Idle => {
                *state = State::Loading;
                wasm_bindgen_futures::spawn_local(load(self.state.clone(), false));
                LazyPoll::Loading
            }
        }
    }
}

impl JqHost for PageJq {
    fn poll(&self, request: &JqRequest) -> JqPoll {
        match self.exports() {
            LazyPoll::Ready(exports) => LazyPoll::Ready(run_jq(&exports.run_jq, request)),
            LazyPoll::Loading => LazyPoll::Loading,
            LazyPoll::Failed(why) => LazyPoll::Failed(why),
        }
    }

    fn poll_yaml(&self, text: &str) -> YamlPoll {
        match self.exports() {
            LazyPoll::Ready(exports) => LazyPoll::Ready(parse_yaml(&exports.parse_yaml, text)),
            LazyPoll::Loading => LazyPoll::Loading,
            LazyPoll::Failed(why) => LazyPoll::Failed(why),
        }
    }

    fn poll_template(&self, call: &str) -> LazyPoll<String> {
        match self.exports() {
            LazyPoll::Ready(exports) => match text_call(&exports.run_template, call) {
                Ok(answer) => LazyPoll::Ready(answer),
                // A panic inside the engine traps the module, not the page.
                Err(why) => LazyPoll::Failed(why),
            },
            LazyPoll::Loading => LazyPoll::Loading,
            LazyPoll::Failed(why) => LazyPoll::Failed(why),
        }
    }

    fn poll_help(&self, path: &str) -> LazyPoll<Option<String>> {
        match self.exports() {
            LazyPoll::Ready(exports) => {
                match exports
                    .docker_help
                    .call1(&JsValue::NULL, &JsValue::from_str(path))
                {
                    Ok(text) => LazyPoll::Ready(text.as_string()),
                    Err(e) => LazyPoll::Failed(describe(&e)),
                }
            }
            LazyPoll::Loading => LazyPoll::Loading,
            LazyPoll::Failed(why) => LazyPoll::Failed(why),
        }
    }

    fn poll_ready(&self) -> LazyPoll<()> {
        match self.exports() {
            LazyPoll::Ready(_) => LazyPoll::Ready(()),
            LazyPoll::Loading => LazyPoll::Loading,
            LazyPoll::Failed(why) => LazyPoll::Failed(why),
        }
    }
}

/// Loads the module into `state`. A failed `prefetch` leaves the state idle (the commands
/// waiting meanwhile are polled and start a load of their own); otherwise the failure is what
/// the waiting command prints.
async fn load(state: Rc<RefCell<State>>, prefetch: bool) {
    let loaded = match import().await {
        Ok(exports) => State::Ready(Rc::new(exports)),
        Err(e) if prefetch => {
            web_sys::console::warn_2(
                &"Swarm Playground could not prefetch its second module (it is loaded again on first use):".into(),
                &e,
            );
            State::Idle
        }
        Err(e) => {
            web_sys::console::error_2(
                &"Swarm Playground could not load its second module (jq, YAML, templates, help):"
                    .into(),
                &e,
            );
            State::Failed(describe(&e))
        }
    };
    *state.borrow_mut() = loaded;
    SETTLED.with(|s| s.set(true));
}

/// Imports the module with the page's loader; its exports.
async fn import() -> Result<Exports, JsValue> {
    let loader = Reflect::get(&js_sys::global(), &LOADER.into())?
        .dyn_into::<Function>()
        .map_err(|_| JsValue::from_str("the page has no loader for it"))?;
    let promise = loader.call0(&JsValue::NULL)?.dyn_into::<Promise>()?;
    // A module namespace object: not `instanceof Object` (its prototype is null), so it is
    // read with `Reflect` as it is.
    let module = JsFuture::from(promise).await?;
    let export = |name: &str| {
        Reflect::get(&module, &name.into())?
            .dyn_into::<Function>()
            .map_err(|_| JsValue::from_str(&format!("the module has no {name}")))
    };
    Ok(Exports {
        run_jq: export("run_jq")?,
        parse_yaml: export("parse_yaml")?,
        run_template: export("run_template")?,
        docker_help: export("docker_help")?,
    })
}

/// Runs one `jq` request in the loaded module.
fn run_jq(run: &Function, request: &JqRequest) -> JqRun {
    match run.call1(&JsValue::NULL, &JsValue::from_str(&request.to_json())) {
        Ok(result) => match result.as_string() {
            Some(text) => JqRun::from_json(&text),
            None => JqRun::fail("jq: error: the jq module returned no text\n", 5),
        },
        // A panic inside jaq traps the module, not the page.
        Err(e) => JqRun::fail(format!("jq: error: {}\n", describe(&e)), 5),
    }
}

/// Parses one compose file in the loaded module.
fn parse_yaml(parse: &Function, text: &str) -> swarm_shell::YamlDocument {
    match text_call(parse, text) {
        Ok(wire) => swarm_shell::yaml_from_wire(&wire),
        Err(why) => Err(format!("the YAML parser failed: {why}")),
    }
}

/// Calls one of the module's text-in, text-out exports.
fn text_call(export: &Function, text: &str) -> Result<String, String> {
    match export.call1(&JsValue::NULL, &JsValue::from_str(text)) {
        Ok(result) => result
            .as_string()
            .ok_or_else(|| "the module returned no text".to_string()),
        Err(e) => Err(describe(&e)),
    }
}

/// A JavaScript error in a few words (`TypeError: Failed to fetch dynamically imported …`).
fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.to_string()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".to_string())
}
