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
