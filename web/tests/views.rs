//! The quorum, traffic and browser views in headless Chromium: the app is mounted into a
//! fresh `<div>` per test with its real-time clock off, time moves with the "+1 s" button.
//!
//! Run with `cargo test --target wasm32-unknown-unknown -p swarm-web --test views`.

#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlInputElement};

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Types `text` into the input at `selector` as a user would (value, then an input event).
async fn type_into(root: &Element, selector: &str, text: &str) {
    let input: HtmlInputElement = find(root, selector).dyn_into().unwrap();
    input.set_value(text);
    input
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    settle().await;
}

fn terminal_text(root: &Element) -> String {
    text_of(root, "[data-testid=terminal-output]")
}

#[wasm_bindgen_test]
async fn the_quorum_view_says_whether_quorum_holds() {
    let root = mount_template("3m2w").await;
    click(&root, "[data-testid=view-tab-quorum]").await;
    assert_eq!(
        text_of(&root, "[data-testid=quorum-summary]"),
        "3 of 3 managers reachable: quorum holds"
    );
    let node1 = text_of(&root, "[data-testid=quorum-node1]");
    assert!(node1.contains("leader"), "{node1:?}");
    let node2 = text_of(&root, "[data-testid=quorum-node2]");
    assert!(
        node2.contains("follower") && node2.contains("node1"),
        "{node2:?}"
    );
    let writes = texts(&root, "[data-testid=quorum-write] .write-text");
    assert!(
        writes.iter().any(|w| w == "node node5 joined as worker"),
        "{writes:?}"
    );

    submit(
        &root,
        "docker service create -d -q --name web --replicas 2 nginx",
    )
    .await;
    step(&root, 1).await;
    submit(&root, "docker service scale -d web=5").await;
    step(&root, 1).await;
    let writes = texts(&root, "[data-testid=quorum-write] .write-text");
    assert_eq!(
        writes[..2],
        [
            "service web scaled to 5",
            "service web created with 2 replicas"
        ]
    );

    // Two managers off: the words change.
    submit(&root, "sim node kill node2").await;
    submit(&root, "sim node kill node3").await;
    step(&root, 15).await;
    let summary = text_of(&root, "[data-testid=quorum-summary]");
    assert!(
        summary.starts_with("quorum lost: the swarm cannot change until 2 of 3 managers are back"),
        "{summary:?}"
    );
}

#[wasm_bindgen_test]
async fn curl_shows_in_the_traffic_view() {
    let root = mount_template("1m2w").await;
    click(&root, "[data-testid=view-tab-traffic]").await;
    assert!(texts(&root, "[data-testid=traffic-row]").is_empty());
    submit(
        &root,
        "docker service create -d -q --name web --replicas 2 -p 8080:80 nginx",
    )
    .await;
    step(&root, 10).await;
    submit(&root, "curl -s node1:8080 > /dev/null").await;
    step(&root, 1).await;
    let rows = texts(&root, "[data-testid=traffic-row]");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("node1 ─▶ node1:8080 (mesh) ─▶ web.") && rows[0].ends_with("200"),
        "{:?}",
        rows[0]
    );
    // A new request is a new row on top; the old one keeps its place below.
    submit(&root, "curl -s node2:8081; echo").await;
    step(&root, 1).await;
    let rows = texts(&root, "[data-testid=traffic-row]");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].contains("node2:8081") && rows[0].ends_with("refused"),
        "{rows:?}"
    );
}

#[wasm_bindgen_test]
async fn a_port_badge_opens_nginx_and_a_closed_port_the_error_page() {
    let root = mount_template("1m2w").await;
    submit(
        &root,
        "docker service create -d -q --name web --replicas 1 -p 8080:80 nginx",
    )
    .await;
    step(&root, 10).await;
    click(&root, "[data-testid=view-tab-browser]").await;
    // The ingress port shows on every node, the task runs on one.
    for n in ["node1", "node2", "node3"] {
        assert_eq!(
            text_of(&root, &format!("[data-testid=port-badge-{n}-8080]")),
            "8080"
        );
    }
    click(&root, "[data-testid=port-badge-node2-8080]").await;
    let address: HtmlInputElement = find(&root, "[data-testid=browser-address]")
        .dyn_into()
        .unwrap();
    assert_eq!(address.value(), "http://node2:8080/");
    let page = text_of(&root, "[data-testid=browser-page]");
    assert!(page.contains("Welcome to nginx!"), "{page:?}");
    assert!(page.contains("Thank you for using nginx."), "{page:?}");
    assert_eq!(
        text_of(&root, "[data-testid=browser-title]"),
        "Welcome to nginx!"
    );
    // The request went through the mesh: the traffic view has it.
    click(&root, "[data-testid=view-tab-traffic]").await;
    let rows = texts(&root, "[data-testid=traffic-row]");
    assert!(rows[0].contains("node2 ─▶ node2:8080 (mesh)"), "{rows:?}");

    // A port nothing publishes: the browser's error page.
    click(&root, "[data-testid=view-tab-browser]").await;
    type_into(&root, "[data-testid=browser-address]", "http://node1:9999/").await;
    click(&root, "[data-testid=browser-go]").await;
    let error = text_of(&root, "[data-testid=browser-error]");
    assert!(
        error.contains("This site can't be reached")
            && error.contains("node1 refused to connect.")
            && error.contains("ERR_CONNECTION_REFUSED"),
        "{error:?}"
    );
    // The service gone: the same address that worked is refused.
    submit(&root, "docker service rm web").await;
    step(&root, 2).await;
    type_into(&root, "[data-testid=browser-address]", "node2:8080").await;
    click(&root, "[data-testid=browser-go]").await;
    assert!(text_of(&root, "[data-testid=browser-error]").contains("ERR_CONNECTION_REFUSED"));
}

#[wasm_bindgen_test]
async fn a_todo_item_added_in_the_browser_is_in_curl_and_stays_text() {
    let root = mount_template("1m1w").await;
    submit(
        &root,
        "docker service create -d -q --name todo -p 8080:80 diamol/ch06-todo-list",
    )
    .await;
    step(&root, 15).await;
    click(&root, "[data-testid=view-tab-browser]").await;
    click(&root, "[data-testid=port-badge-node1-8080]").await;
    click(&root, "[data-testid=todo-nav-new]").await;
    let xss = "<img src=x onerror=alert(1)>";
    type_into(&root, "[data-testid=todo-input]", xss).await;
    click(&root, "[data-testid=todo-submit]").await;
    // Redirected to the list, which shows the item as text.
    let address: HtmlInputElement = find(&root, "[data-testid=browser-address]")
        .dyn_into()
        .unwrap();
    assert_eq!(address.value(), "http://node1:8080/list");
    assert_eq!(texts(&root, "[data-testid=todo-item]"), [xss]);
    let page = find(&root, "[data-testid=browser-page]");
    assert!(
        page.query_selector("img").unwrap().is_none(),
        "no element made from the item"
    );
    submit(&root, "curl -s node1:8080/list | grep onerror").await;
    step(&root, 1).await;
    let out = terminal_text(&root);
    assert!(
        out.contains("<td>&lt;img src=x onerror=alert(1)&gt;</td>"),
        "{out:?}"
    );
}

fn classes(root: &Element, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.get(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .map(|e| e.class_name())
        .collect()
}

#[wasm_bindgen_test]
async fn raft_messages_fly_in_the_quorum_view() {
    let root = mount_template("3m2w").await;
    click(&root, "[data-testid=view-tab-quorum]").await;
    step(&root, 1).await;
    let title = text_of(&root, "[data-testid=raft-flights] h3");
    assert_eq!(title, "Raft messages, last 2 seconds");
    let sentences = texts(&root, "[data-testid=raft-flight]");
    assert!(
        sentences
            .iter()
            .any(|s| s.starts_with("node1 → node2: heartbeat (term ")),
        "{sentences:?}"
    );
    assert!(
        sentences
            .iter()
            .any(|s| s.starts_with("node3 → node1: heartbeat reply (term ")),
        "{sentences:?}"
    );
    // The wire draws the same messages, for the eyes only; the sentences are for readers.
    let wire = find(&root, "[data-testid=flight-wire]");
    assert_eq!(wire.get_attribute("aria-hidden").as_deref(), Some("true"));
    assert_eq!(texts(&wire, ".wire-host"), ["node1", "node2", "node3"]);
    let arrows = classes(&root, "[data-testid=wire-flight] .flight");
    assert_eq!(arrows.len(), sentences.len());
    // node1 → node3: from column 0 to column 2, left to right; the answer right to left.
    assert!(
        arrows.iter().any(|c| c.contains("lo-0")
            && c.contains("hi-2")
            && c.contains("kind-heartbeat")
            && !c.contains("rtl")),
        "{arrows:?}"
    );
    assert!(
        arrows
            .iter()
            .any(|c| c.contains("lo-0") && c.contains("hi-2") && c.contains("rtl")),
        "{arrows:?}"
    );
    assert!(arrows.iter().all(|c| !c.contains("dropped")));

    // Drawn with the page's stylesheet, an arrow runs from the middle of its sender's column
    // to the middle of its receiver's, and its dot travels that way.
    let style = load_stylesheet();
    settle().await;
    let hosts = wire.query_selector_all(".wire-host").unwrap();
    let centre = |i: u32| {
        let (l, r) = rect(&hosts.get(i).unwrap().dyn_into().unwrap());
        (l + r) / 2.0
    };
    let lanes = wire.query_selector_all(".flight").unwrap();
    let mut measured = 0;
    for i in 0..lanes.length() {
        let el: Element = lanes.get(i).unwrap().dyn_into().unwrap();
        let class = el.class_name();
        let col = |prefix: &str| {
            class
                .split(' ')
                .find_map(|c| c.strip_prefix(prefix)?.parse::<u32>().ok())
                .unwrap()
        };
        let (l, r) = rect(&el);
        assert!((l - centre(col("lo-"))).abs() < 2.0, "{class}: {l}");
        assert!((r - centre(col("hi-"))).abs() < 2.0, "{class}: {r}");
        let dot = el.query_selector(".flight-dot").unwrap().unwrap();
        let expected = if class.contains("rtl") {
            "flight-rtl"
        } else {
            "flight-ltr"
        };
        assert_eq!(computed(&dot, "animationName"), expected);
        measured += 1;
    }
    assert!(measured > 0);
    style.remove();

    // The leader powered off: what is sent to it is lost, and the election flies.
    submit(&root, "sim node kill node1").await;
    // What node1 sent before it went off leaves the picture within two seconds.
    step(&root, 3).await;
    let mut seen: Vec<String> = Vec::new();
    let mut dropped_arrows = 0;
    for _ in 0..40 {
        step(&root, 1).await;
        for s in texts(&root, "[data-testid=raft-flight]") {
            if !seen.contains(&s) {
                seen.push(s);
            }
        }
        dropped_arrows += classes(&root, "[data-testid=wire-flight] .flight.dropped").len();
        if seen.iter().any(|s| s.contains(": vote granted (term ")) {
            break;
        }
    }
    assert!(
        seen.iter()
            .any(|s| s.contains("→ node1: ") && s.ends_with(" — lost: machine powered off")),
        "{seen:?}"
    );
    assert!(
        dropped_arrows > 0,
        "dropped messages are marked on the wire"
    );
    for words in [
        ": pre-vote request (term ",
        ": vote request (term ",
        ": vote granted (term ",
    ] {
        assert!(
            seen.iter().any(|s| s.contains(words)),
            "{words} in {seen:?}"
        );
    }
    assert!(
        !seen.iter().any(|s| s.starts_with("node1 → ")),
        "a powered-off machine sends nothing"
    );
}

// ---- Contrast: the page's text against what it is drawn on (WCAG AA) ----

/// The computed value of a CSS property (`color`, `backgroundColor`…) of `el`.
fn computed(el: &Element, prop: &str) -> String {
    let window = web_sys::window().unwrap();
    let f: js_sys::Function = js_sys::Reflect::get(&window, &"getComputedStyle".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let style = f.call1(&window, el).unwrap();
    js_sys::Reflect::get(&style, &prop.into())
        .unwrap()
        .as_string()
        .unwrap_or_default()
}

/// An sRGB colour with alpha, from `rgb()`, `rgba()` or `color(srgb …)`.
fn parse_color(s: &str) -> Option<[f64; 4]> {
    let s = s.trim();
    let (inner, scale) = if let Some(rest) = s.strip_prefix("color(srgb ") {
        (rest.strip_suffix(')')?, 1.0)
    } else {
        let open = s.find('(')?;
        (s[open + 1..].strip_suffix(')')?, 255.0)
    };
    let parts: Vec<f64> = inner
        .split([',', ' ', '/'])
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<f64>().ok())
        .collect::<Option<_>>()?;
    match parts[..] {
        [r, g, b] => Some([r / scale, g / scale, b / scale, 1.0]),
        [r, g, b, a] => Some([r / scale, g / scale, b / scale, a]),
        _ => None,
    }
}

fn luminance(c: [f64; 4]) -> f64 {
    let f = |x: f64| {
        if x <= 0.03928 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2])
}

fn contrast(a: [f64; 4], b: [f64; 4]) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// `top` (with its alpha) over the opaque `under`.
fn over(top: [f64; 4], under: [f64; 4]) -> [f64; 4] {
    let a = top[3];
    [
        top[0] * a + under[0] * (1.0 - a),
        top[1] * a + under[1] * (1.0 - a),
        top[2] * a + under[2] * (1.0 - a),
        1.0,
    ]
}

/// What `el` is drawn on: the backgrounds of it and its ancestors, composed.
fn backdrop(el: &Element) -> [f64; 4] {
    let mut layers = Vec::new();
    let mut at = Some(el.clone());
    while let Some(e) = at {
        if let Some(c) = parse_color(&computed(&e, "backgroundColor")) {
            if c[3] > 0.0 {
                layers.push(c);
                if c[3] >= 1.0 {
                    break;
                }
            }
        }
        at = e.parent_element();
    }
    // The canvas under everything is the page's --bg (the body's background).
    let mut out = [13.0 / 255.0, 17.0 / 255.0, 23.0 / 255.0, 1.0];
    for l in layers.into_iter().rev() {
        out = over(l, out);
    }
    out
}

/// Elements of `root` that show text of their own, with their contrast and the minimum they
/// need (3:1 for large text, 4.5:1 otherwise); disabled, hidden and screen-reader-only text
/// is left out, as WCAG does.
fn text_contrasts(root: &Element) -> Vec<(String, f64, f64)> {
    let list = root.query_selector_all("*").unwrap();
    let mut out = Vec::new();
    for i in 0..list.length() {
        let Some(el) = list.get(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let mut child = el.first_child();
        let mut has_text = false;
        while let Some(c) = child {
            if c.node_type() == web_sys::Node::TEXT_NODE
                && !c.text_content().unwrap_or_default().trim().is_empty()
            {
                has_text = true;
            }
            child = c.next_sibling();
        }
        if !has_text
            || el
                .closest(".sr-only, [disabled], :disabled")
                .ok()
                .flatten()
                .is_some()
            || el
                .dyn_ref::<web_sys::HtmlElement>()
                .is_some_and(|h| h.offset_width() <= 1)
        {
            continue;
        }
        let mut faded = false;
        let mut at = Some(el.clone());
        while let Some(e) = at {
            let opacity = computed(&e, "opacity").parse::<f64>().unwrap_or(1.0);
            faded |= opacity < 1.0 || computed(&e, "visibility") == "hidden";
            at = e.parent_element();
        }
        if faded {
            continue;
        }
        let Some(fg) = parse_color(&computed(&el, "color")) else {
            continue;
        };
        let bg = backdrop(&el);
        let ratio = contrast(over(fg, bg), bg);
        let size: f64 = computed(&el, "fontSize")
            .trim_end_matches("px")
            .parse()
            .unwrap_or(16.0);
        let bold = computed(&el, "fontWeight").parse::<u32>().unwrap_or(400) >= 700;
        let need = if size >= 24.0 || (size >= 18.66 && bold) {
            3.0
        } else {
            4.5
        };
        let text: String = el
            .text_content()
            .unwrap_or_default()
            .chars()
            .take(40)
            .collect();
        out.push((
            format!("<{} class={:?}> {text:?}", el.tag_name(), el.class_name()),
            ratio,
            need,
        ));
    }
    out
}

/// The left and right edges of `el` on the page, in CSS pixels.
fn rect(el: &Element) -> (f64, f64) {
    let f: js_sys::Function = js_sys::Reflect::get(el, &"getBoundingClientRect".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let r = f.call0(el).unwrap();
    let get = |k: &str| {
        js_sys::Reflect::get(&r, &k.into())
            .unwrap()
            .as_f64()
            .unwrap()
    };
    (get("left"), get("right"))
}

/// Loads the page's own stylesheet into the test document (the test page has none).
fn load_stylesheet() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let style = document.create_element("style").unwrap();
    style.set_text_content(Some(include_str!("../style.css")));
    document.head().unwrap().append_child(&style).unwrap();
    style
}

/// Lets the arrival animations (≤ 0.9 s) finish before colours are read.
async fn animations_done() {
    yew::platform::time::sleep(std::time::Duration::from_millis(1200)).await;
}

#[wasm_bindgen_test]
async fn text_passes_wcag_aa_contrast_in_every_view() {
    // The measure itself can fail: grey on grey is caught.
    assert!(contrast([0.33, 0.33, 0.33, 1.0], [0.09, 0.1, 0.13, 1.0]) < 4.5);
    assert!(contrast([0.9, 0.93, 0.95, 1.0], [0.05, 0.07, 0.09, 1.0]) > 4.5);
    let style = load_stylesheet();
    let root = mount_template("3m2w").await;
    submit(
        &root,
        "docker service create -d -q --name web --replicas 3 -p 8080:80 nginx",
    )
    .await;
    step(&root, 12).await;
    submit(&root, "curl -s node1:8080 > /dev/null; nosuchcommand").await;
    step(&root, 1).await;
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut check = |what: &str, found: Vec<(String, f64, f64)>| {
        checked += found.len();
        for (el, ratio, need) in found {
            if ratio < need {
                failures.push(format!("{what}: {el} {ratio:.2}:1 < {need}:1"));
            }
        }
    };
    animations_done().await;
    check("cluster", text_contrasts(&root));
    click(&root, "[data-testid=view-tab-quorum]").await;
    click(&root, "[data-testid=partition-panel] summary").await;
    animations_done().await;
    check("quorum", text_contrasts(&root));
    click(&root, "[data-testid=view-tab-traffic]").await;
    animations_done().await;
    check("traffic", text_contrasts(&root));
    click(&root, "[data-testid=view-tab-browser]").await;
    click(&root, "[data-testid=port-badge-node2-8080]").await;
    animations_done().await;
    check("browser", text_contrasts(&root));
    type_into(&root, "[data-testid=browser-address]", "node1:9999").await;
    click(&root, "[data-testid=browser-go]").await;
    check("browser error", text_contrasts(&root));
    style.remove();
    assert!(checked > 150, "only {checked} texts measured");
    assert!(failures.is_empty(), "{failures:#?}");
}

fn address(root: &Element) -> String {
    find(root, "[data-testid=browser-address]")
        .dyn_into::<HtmlInputElement>()
        .unwrap()
        .value()
}

fn disabled(root: &Element, selector: &str) -> bool {
    find(root, selector).has_attribute("disabled")
}

#[wasm_bindgen_test]
async fn browser_tabs_with_back_forward_and_close() {
    let root = mount_template("1m2w").await;
    submit(
        &root,
        "docker service create -d -q --name todo -p 8080:80 diamol/ch06-todo-list",
    )
    .await;
    submit(
        &root,
        "docker service create -d -q --name web -p 8081:80 nginx",
    )
    .await;
    step(&root, 15).await;
    click(&root, "[data-testid=view-tab-browser]").await;
    // No tab yet: a blank one, nothing to go back to.
    assert_eq!(texts(&root, ".browser-tab-button"), ["New tab"]);
    assert!(disabled(&root, "[data-testid=browser-back]"));

    // A badge opens a tab; a link and a form post move it on.
    click(&root, "[data-testid=port-badge-node1-8080]").await;
    let tab0 = find(&root, "[data-testid=browser-tab-0]");
    assert_eq!(tab0.get_attribute("aria-current").as_deref(), Some("true"));
    assert!(disabled(&root, "[data-testid=browser-back]"));
    click(&root, "[data-testid=todo-nav-new]").await;
    assert_eq!(address(&root), "http://node1:8080/new");
    assert!(!disabled(&root, "[data-testid=browser-back]"));
    assert!(disabled(&root, "[data-testid=browser-forward]"));
    type_into(&root, "[data-testid=todo-input]", "eggs").await;
    click(&root, "[data-testid=todo-submit]").await;
    assert_eq!(address(&root), "http://node1:8080/list");
    assert_eq!(texts(&root, "[data-testid=todo-item]"), ["eggs"]);

    // Back asks the server again (the traffic view shows the request), Forward too.
    click(&root, "[data-testid=view-tab-traffic]").await;
    let before = texts(&root, "[data-testid=traffic-row]").len();
    click(&root, "[data-testid=view-tab-browser]").await;
    click(&root, "[data-testid=browser-back]").await;
    assert_eq!(address(&root), "http://node1:8080/new");
    assert!(find(&root, "[data-testid=todo-input]").is_object());
    assert!(!disabled(&root, "[data-testid=browser-forward]"));
    click(&root, "[data-testid=browser-back]").await;
    assert_eq!(address(&root), "http://node1:8080/");
    assert!(disabled(&root, "[data-testid=browser-back]"));
    click(&root, "[data-testid=browser-forward]").await;
    assert_eq!(address(&root), "http://node1:8080/new");
    click(&root, "[data-testid=view-tab-traffic]").await;
    let after = texts(&root, "[data-testid=traffic-row]");
    assert!(after.len() >= before + 3, "{before} → {after:?}");
    assert!(after[0].contains("node1:8080 (mesh)"), "{after:?}");
    click(&root, "[data-testid=view-tab-browser]").await;

    // Another badge: a second tab; the same badge again shows that tab, no third.
    click(&root, "[data-testid=port-badge-node2-8081]").await;
    assert_eq!(address(&root), "http://node2:8081/");
    assert!(text_of(&root, "[data-testid=browser-page]").contains("Welcome to nginx!"));
    let titles = texts(&root, ".browser-tab-button");
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert_eq!(titles[1], "Welcome to nginx!");
    click(&root, "[data-testid=browser-tab-0]").await;
    assert_eq!(
        address(&root),
        "http://node1:8080/new",
        "each tab keeps its page"
    );
    click(&root, "[data-testid=port-badge-node2-8081]").await;
    assert_eq!(texts(&root, ".browser-tab-button").len(), 2);
    assert_eq!(
        find(&root, "[data-testid=browser-tab-1]")
            .get_attribute("aria-current")
            .as_deref(),
        Some("true")
    );

    // × closes the tab on screen; the focus lands on the tab shown next.
    click(&root, "[data-testid=browser-tab-close-1]").await;
    assert_eq!(texts(&root, ".browser-tab-button").len(), 1);
    assert_eq!(address(&root), "http://node1:8080/new");
    let focused = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .and_then(|e| e.get_attribute("data-testid"));
    assert_eq!(focused.as_deref(), Some("browser-tab-0"));

    // "+" shows a blank tab, which opens with the address typed into it.
    click(&root, "[data-testid=browser-new-tab]").await;
    assert_eq!(address(&root), "");
    assert_eq!(
        texts(&root, ".browser-tab-button").last().unwrap(),
        "New tab"
    );
    type_into(&root, "[data-testid=browser-address]", "node3:8081").await;
    click(&root, "[data-testid=browser-go]").await;
    assert_eq!(address(&root), "http://node3:8081/");
    assert_eq!(texts(&root, ".browser-tab-button").len(), 2);

    // Every control of the strip and the bar is a button in the tab order.
    let controls = root
        .query_selector_all(".browser-tabs button, .address-bar button")
        .unwrap();
    assert!(controls.length() >= 8, "{}", controls.length());
    for i in 0..controls.length() {
        let el: Element = controls.get(i).unwrap().dyn_into().unwrap();
        assert_eq!(el.tag_name(), "BUTTON");
        assert_ne!(el.get_attribute("tabindex").as_deref(), Some("-1"));
    }
}

/// The labels of the task chips on `node`'s card, in order.
fn card_chips(root: &Element, node: &str) -> Vec<String> {
    texts(root, &format!("[data-testid=node-{node}] .chip .chip-name"))
}

/// Chooses `value` in the select at `selector`, as a user would.
async fn choose(root: &Element, selector: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = find(root, selector).dyn_into().unwrap();
    select.set_value(value);
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
}

#[wasm_bindgen_test]
async fn a_busy_node_card_shows_its_first_chips_and_counts_the_rest() {
    let root = mount_template("1m1w").await;
    submit(
        &root,
        "docker service create -d -q --name web --replicas 60 nginx",
    )
    .await;
    submit(
        &root,
        "docker service create -d -q --name zz --replicas 2 redis",
    )
    .await;
    submit(
        &root,
        "docker service create -d -q --name stuck --replicas 30 --constraint node.labels.zone==mars redis",
    )
    .await;
    step(&root, 20).await;
    // 31 tasks per node: 24 chips (web sorts first) and "+7 more".
    for node in ["node1", "node2"] {
        let chips = card_chips(&root, node);
        assert_eq!(chips.len(), 24, "{chips:?}");
        assert!(chips.iter().all(|c| c.starts_with("web.")), "{chips:?}");
        assert_eq!(
            text_of(
                &root,
                &format!("[data-testid=node-{node}] [data-testid=chip-more]")
            ),
            "+7 more"
        );
    }
    // The sidebar counts every task, the legend every running one.
    assert!(text_of(&root, "[data-testid=machine-node2]").contains("31 tasks"));
    let running: Vec<String> = texts(&root, ".legend-item .legend-count");
    assert!(running.contains(&"60/60".to_string()), "{running:?}");
    // The pending list: 24 listed, 6 counted, the heading says 30.
    let pending = find(&root, "[data-testid=pending]");
    assert_eq!(
        pending
            .query_selector_all(".pending-task")
            .unwrap()
            .length(),
        24
    );
    assert_eq!(text_of(&root, "[data-testid=pending-more]"), "+6 more");
    assert_eq!(text_of(&root, "[data-testid=pending] h3"), "Pending (30)");

    // The filter finds zz's tasks, which had no chip among web's.
    choose(&root, "[data-testid=filter-service]", "zz").await;
    let shown: Vec<String> = ["node1", "node2"]
        .iter()
        .flat_map(|n| card_chips(&root, n))
        .collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown.iter().all(|c| c.starts_with("zz.")), "{shown:?}");
    assert!(root
        .query_selector("[data-testid=chip-more]")
        .unwrap()
        .is_none());
    assert!(root
        .query_selector("[data-testid=pending]")
        .unwrap()
        .is_none());
    // The filter stays while time passes, and "only running" applies on top of it.
    submit(&root, "docker kill $(docker ps -q -f name=zz.)").await;
    step(&root, 1).await;
    let ended = root
        .query_selector_all("[data-testid=chip].ended")
        .unwrap()
        .length();
    assert!(ended >= 1, "the crashed zz task shows as ended");
    let only: HtmlInputElement = find(&root, "[data-testid=filter-running]")
        .dyn_into()
        .unwrap();
    only.set_checked(true);
    only.dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
    assert_eq!(
        root.query_selector_all("[data-testid=chip].ended")
            .unwrap()
            .length(),
        0
    );
    assert!(
        root.query_selector_all("[data-testid=chip]")
            .unwrap()
            .length()
            >= 1
    );
    // Back to every service: web's chips again.
    choose(&root, "[data-testid=filter-service]", "").await;
    assert!(card_chips(&root, "node1")
        .iter()
        .all(|c| c.starts_with("web.")));
}
