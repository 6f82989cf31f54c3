//! Helpers the browser tests share: mounting the app into a fresh `<div>`, letting yew render,
//! reading the DOM back, clicking, typing into the terminal and stepping the simulated clock.
//!
//! Each test file uses it with `mod common; use common::*;`; not every file uses every helper.

#![cfg(target_arch = "wasm32")]
#![allow(dead_code)]

use std::rc::Rc;
use std::time::Duration;

use swarm_shell::{JqHost, JqPoll, JqRequest, JqRun, LazyPoll, Options, YamlPoll};
use swarm_web::app::{App, AppProps};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

/// The engines of the page's lazily loaded module (YAML, Go templates, help texts),
/// linked into the tests (a dev-dependency) where the page would load the module: the test
/// server serves only the test's own wasm. jq is not linked here.
struct LinkedExtras;

impl JqHost for LinkedExtras {
    fn poll(&self, _: &JqRequest) -> JqPoll {
        LazyPoll::Ready(JqRun::fail(
            "jq: error: jq is not linked into the browser tests\n",
            2,
        ))
    }

    fn poll_yaml(&self, text: &str) -> YamlPoll {
        LazyPoll::Ready(swarm_shell::yaml_from_wire(
            &swarm_extras::yaml::parse_wire(text),
        ))
    }

    fn poll_template(&self, call: &str) -> LazyPoll<String> {
        LazyPoll::Ready(swarm_extras::template::run_wire(call))
    }

    fn poll_help(&self, path: &str) -> LazyPoll<Option<String>> {
        LazyPoll::Ready(swarm_extras::help::text(path).map(String::from))
    }
}

/// Mounts the app with `props` into a new `<div>`.
pub async fn mount_with(props: AppProps) -> Element {
    swarm_shell::set_jq_host(Rc::new(LinkedExtras));
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    settle().await;
    root
}

/// Mounts a playground from `template` with the real-time clock off.
pub async fn mount_template(template: &str) -> Element {
    let options = Options {
        template: Some(template.into()),
        ..Options::default()
    };
    mount_with(AppProps {
        options: Some(options),
        clock: false,
    })
    .await
}

/// Lets yew render what the last events changed.
pub async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(30)).await;
}

pub fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

pub fn text_of(root: &Element, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

/// The texts of every element matching `selector`, in document order.
pub fn texts(root: &Element, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.get(i).and_then(|n| n.text_content()))
        .collect()
}

/// Clicks the element at `selector` without waiting for yew to render.
pub fn click_now(root: &Element, selector: &str) {
    find(root, selector)
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

/// Clicks the element at `selector` and lets yew render.
pub async fn click(root: &Element, selector: &str) {
    click_now(root, selector);
    settle().await;
}

/// The terminal's input line.
pub fn input(root: &Element) -> HtmlInputElement {
    find(root, "[data-testid=terminal-input]")
        .dyn_into()
        .unwrap()
}

/// The terminal's output.
pub fn output(root: &Element) -> Element {
    find(root, "[data-testid=terminal-output]")
}

pub fn output_text(root: &Element) -> String {
    output(root).text_content().unwrap_or_default()
}

/// Dispatches a keydown of `key` (with Ctrl if `ctrl`) on `target`, bubbling as a real one;
/// returns true if the page let the browser act on it (did not prevent its default).
pub fn press(target: &Element, key: &str, ctrl: bool) -> bool {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_ctrl_key(ctrl);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap()
}

/// Types `line` into the visible terminal and presses Enter.
pub async fn submit(root: &Element, line: &str) {
    let input = input(root);
    input.set_value(line);
    press(&input, "Enter", false);
    settle().await;
}

/// The simulated clock the page shows, in seconds.
pub fn clock_secs(root: &Element) -> u64 {
    text_of(root, "[data-testid=sim-clock]")
        .split(':')
        .map(|x| x.parse::<u64>().unwrap_or(0))
        .fold(0, |acc, x| acc * 60 + x)
}

/// Clicks "+1 s" `n` times and waits until the page shows that `n` seconds of simulated time
/// passed (other tests' pages may keep the browser busy).
pub async fn step(root: &Element, n: u64) {
    let before = clock_secs(root);
    for _ in 0..n {
        click_now(root, "[data-testid=time-step]");
    }
    for _ in 0..250 {
        settle().await;
        if clock_secs(root) >= before + n {
            break;
        }
    }
    assert!(clock_secs(root) >= before + n, "{n} steps from {before}");
    settle().await;
}
