//! The page in headless Chromium: the app is mounted into a fresh `<div>` per test, lines are
//! typed by setting the input's value and dispatching key events, and the DOM is read back.
//!
//! Run with `cargo test --target wasm32-unknown-unknown -p swarm-web` (the runner,
//! `wasm-bindgen-test-runner`, drives Chromium through chromedriver).

#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use swarm_shell::Options;
use swarm_web::app::AppProps;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a playground of `machines` machines into a new `<div>`; `clock` runs its real-time
/// clock.
async fn mount(machines: usize, clock: bool) -> Element {
    let options = Some(Options {
        machines,
        ..Options::default()
    });
    mount_with(AppProps { options, clock }).await
}

#[wasm_bindgen_test]
async fn a_command_and_its_output_appear() {
    let root = mount(1, false).await;
    let input = input(&root);
    let document = web_sys::window().unwrap().document().unwrap();
    assert_eq!(
        document.active_element().as_ref(),
        Some(input.unchecked_ref::<Element>()),
        "the input has the focus at load"
    );
    submit(&root, "echo hello").await;
    let text = output_text(&root);
    assert!(
        text.contains("$ echo hello\n"),
        "the line is echoed after the prompt: {text:?}"
    );
    assert!(
        text.contains("\nhello\n"),
        "echo's output follows: {text:?}"
    );
    assert_eq!(input.value(), "", "the input is empty again");
    submit(&root, "hostname").await;
    assert!(
        output_text(&root).contains("\nnode1\n"),
        "{:?}",
        output_text(&root)
    );
}

#[wasm_bindgen_test]
async fn output_is_text_not_html() {
    let root = mount(1, false).await;
    submit(&root, "echo '<b>x</b>'").await;
    let out = output(&root);
    let text = out.text_content().unwrap_or_default();
    assert!(
        text.contains("\n<b>x</b>\n"),
        "the literal text is shown: {text:?}"
    );
    assert!(
        out.query_selector("b").unwrap().is_none(),
        "no <b> element was made"
    );
    assert!(
        !out.inner_html().contains("<b>"),
        "the markup is escaped: {}",
        out.inner_html()
    );
}

#[wasm_bindgen_test]
async fn an_empty_line_echoes_the_prompt() {
    let root = mount(1, false).await;
    let prompt = find(&root, ".input-line .ps1")
        .text_content()
        .unwrap_or_default();
    assert!(
        prompt.contains("node1"),
        "the prompt names the machine: {prompt:?}"
    );
    submit(&root, "").await;
    assert_eq!(output_text(&root), format!("{prompt}\n"));
}

#[wasm_bindgen_test]
async fn history_clear_and_interrupt() {
    let root = mount(1, false).await;
    submit(&root, "echo one").await;
    submit(&root, "echo two").await;
    let input = input(&root);
    press(&input, "ArrowUp", false);
    settle().await;
    assert_eq!(input.value(), "echo two");
    press(&input, "ArrowUp", false);
    settle().await;
    assert_eq!(input.value(), "echo one");
    press(&input, "ArrowUp", false);
    settle().await;
    assert_eq!(input.value(), "echo one", "the oldest entry stays");
    press(&input, "ArrowDown", false);
    settle().await;
    assert_eq!(input.value(), "echo two");
    press(&input, "ArrowDown", false);
    settle().await;
    assert_eq!(input.value(), "", "below the newest entry is the new line");

    press(&input, "l", true);
    settle().await;
    assert_eq!(output_text(&root), "", "Ctrl+L clears the screen");

    input.set_value("half a line");
    press(&input, "c", true);
    settle().await;
    assert_eq!(input.value(), "", "Ctrl+C abandons the line");
    assert!(
        output_text(&root).ends_with("^C\n"),
        "{:?}",
        output_text(&root)
    );
}

#[wasm_bindgen_test]
async fn machines_can_be_added_and_selected() {
    let root = mount(1, false).await;
    submit(&root, "echo on-node1").await;
    let add: HtmlElement = find(&root, "[data-testid=add-machine]").dyn_into().unwrap();
    add.click();
    settle().await;
    let node2 = find(&root, "[data-testid=machine-node2]");
    assert!(node2.text_content().unwrap_or_default().contains("node2"));
    assert_eq!(
        root.query_selector_all("[data-testid=terminal-input]")
            .unwrap()
            .length(),
        1,
        "only the visible terminal has test ids"
    );
    assert!(
        !output_text(&root).contains("on-node1"),
        "the new machine's terminal is shown"
    );
    submit(&root, "hostname").await;
    assert!(
        output_text(&root).contains("\nnode2\n"),
        "{:?}",
        output_text(&root)
    );

    find(&root, "[data-testid=machine-node1]")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    let text = output_text(&root);
    assert!(
        text.contains("on-node1") && !text.contains("\nnode2\n"),
        "node1 kept its own scrollback: {text:?}"
    );
}

#[wasm_bindgen_test]
async fn the_clock_runs_in_real_time() {
    // The props the page itself mounts the app with (its options come from the URL).
    let root = mount_with(AppProps::default()).await;
    let clock = || {
        find(&root, "[data-testid=sim-clock]")
            .text_content()
            .unwrap_or_default()
    };
    let started = clock();
    submit(&root, "sleep 1").await;
    let line = find(&root, ".input-line");
    assert!(
        line.has_attribute("hidden"),
        "the input hides while the command runs"
    );
    yew::platform::time::sleep(Duration::from_millis(1_600)).await;
    assert!(
        !line.has_attribute("hidden"),
        "the prompt is back after a second"
    );
    assert_ne!(clock(), started, "the sidebar clock moved");
}

#[wasm_bindgen_test]
async fn ctrl_c_stops_a_running_command() {
    let root = mount(1, true).await;
    submit(&root, "sleep 100").await;
    let line = find(&root, ".input-line");
    assert!(line.has_attribute("hidden"), "the command runs");
    let document = web_sys::window().unwrap().document().unwrap();
    let focused = document.active_element().expect("something has the focus");
    assert!(
        root.contains(Some(&focused)),
        "the keyboard stays in the terminal while the input is hidden"
    );
    press(&focused, "c", true);
    settle().await;
    assert!(!line.has_attribute("hidden"), "the prompt is back");
    assert!(
        output_text(&root).ends_with("^C\n"),
        "{:?}",
        output_text(&root)
    );
    assert_eq!(
        document.active_element().as_ref(),
        Some(input(&root).unchecked_ref::<Element>()),
        "the input has the focus again"
    );
}

#[wasm_bindgen_test]
async fn the_sidebar_shows_roles_and_power() {
    let options = Options {
        template: Some("3m2w".into()),
        ..Options::default()
    };
    let root = mount_with(AppProps {
        options: Some(options),
        clock: false,
    })
    .await;
    let node1 = find(&root, "[data-testid=\"machine-node1\"]");
    let text = node1.text_content().unwrap_or_default();
    assert!(
        text.contains("manager") && text.contains("♛ leader") && text.contains("Ready"),
        "{text:?}"
    );
    let node4 = find(&root, "[data-testid=\"machine-node4\"]");
    assert!(node4.text_content().unwrap_or_default().contains("worker"));
    submit(&root, "sim node kill node2").await;
    let node2 = find(&root, "[data-testid=\"machine-node2\"]");
    assert!(
        node2
            .text_content()
            .unwrap_or_default()
            .contains("powered off"),
        "{:?}",
        node2.text_content()
    );
}

#[wasm_bindgen_test]
async fn tab_completes_and_readline_keys_edit() {
    let root = mount(2, false).await;
    let field = input(&root);
    field.set_value("docker serv");
    press(&field, "Tab", false);
    settle().await;
    assert_eq!(
        field.value(),
        "docker service ",
        "Tab completes the subcommand"
    );
    field.set_value("ssh no");
    press(&field, "Tab", false);
    settle().await;
    assert_eq!(
        field.value(),
        "ssh node",
        "several machines: the common prefix"
    );
    press(&field, "Tab", false);
    settle().await;
    let text = output_text(&root);
    assert!(
        text.contains("ssh node\nnode1  node2\n"),
        "a second Tab lists the candidates: {text:?}"
    );
    field.set_value("echo one two");
    press(&field, "w", true);
    settle().await;
    assert_eq!(field.value(), "echo one ", "Ctrl+W deletes the last word");
    press(&field, "u", true);
    settle().await;
    assert_eq!(field.value(), "", "Ctrl+U deletes before the cursor");
}

#[wasm_bindgen_test]
async fn nano_opens_the_editor_and_saves_the_file() {
    let root = mount(1, false).await;
    submit(&root, "nano /root/stack.yaml").await;
    settle().await;
    let document = web_sys::window().unwrap().document().unwrap();
    let editor = document
        .query_selector("[data-testid=editor]")
        .unwrap()
        .expect("nano opens the editor panel");
    let text: web_sys::HtmlTextAreaElement = find(&editor, "[data-testid=editor-text]")
        .dyn_into()
        .unwrap();
    assert_eq!(text.value(), "", "a new file is empty");
    text.set_value("version: \"3.7\"\nservices: {}\n");
    find(&editor, "[data-testid=editor-save]")
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    assert!(
        document
            .query_selector("[data-testid=editor]")
            .unwrap()
            .is_none(),
        "Save closes the editor"
    );
    submit(&root, "cat /root/stack.yaml").await;
    let out = output_text(&root);
    assert!(
        out.contains("$ cat /root/stack.yaml\nversion: \"3.7\"\nservices: {}\n"),
        "the file holds what was saved: {out:?}"
    );
}

#[wasm_bindgen_test]
async fn ctrl_r_finds_an_earlier_command() {
    let root = mount(1, false).await;
    submit(&root, "echo alpha").await;
    submit(&root, "echo beta").await;
    let field = input(&root);
    press(&field, "r", true);
    settle().await;
    field.set_value("alp");
    let ev = web_sys::InputEvent::new("input").unwrap();
    field.dispatch_event(&ev).unwrap();
    settle().await;
    let hit = find(&root, "[data-testid=search-hit]")
        .text_content()
        .unwrap_or_default();
    assert_eq!(hit, "': echo alpha", "the newest match shows");
    press(&field, "Enter", false);
    settle().await;
    let out = output_text(&root);
    assert_eq!(
        out.matches("\nalpha\n").count(),
        2,
        "Enter runs the match again: {out:?}"
    );
}

#[wasm_bindgen_test]
async fn a_dropped_file_lands_in_the_working_directory() {
    let root = mount(1, false).await;
    let parts = js_sys::Array::new();
    parts.push(&"services:\n  web:\n    image: nginx\n".into());
    let file = web_sys::File::new_with_str_sequence(&parts, "stack.yml").unwrap();
    let dt = web_sys::DataTransfer::new().unwrap();
    dt.items().add_with_file(&file).unwrap();
    let init = web_sys::DragEventInit::new();
    init.set_data_transfer(Some(&dt));
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    find(&root, ".terminal").dispatch_event(&ev).unwrap();
    // Reading the file is asynchronous.
    for _ in 0..20 {
        settle().await;
        if output_text(&root).contains("uploaded stack.yml") {
            break;
        }
    }
    let out = output_text(&root);
    assert!(
        out.contains("uploaded stack.yml (34 bytes) to /root/stack.yml\n"),
        "{out:?}"
    );
    submit(&root, "cat stack.yml").await;
    assert!(
        output_text(&root).contains("$ cat stack.yml\nservices:\n  web:\n    image: nginx\n"),
        "{:?}",
        output_text(&root)
    );
}

/// The labels of the chips in the node card of `node`, in order.
fn chips(root: &Element, node: &str) -> Vec<String> {
    let card = find(root, &format!("[data-testid=node-{node}]"));
    let list = card.query_selector_all(".chip .chip-name").unwrap();
    (0..list.length())
        .filter_map(|i| list.get(i).and_then(|n| n.text_content()))
        .collect()
}

#[wasm_bindgen_test]
async fn the_cluster_view_shows_task_chips() {
    let root = mount_template("1m2w");
    let root = root.await;
    for n in ["node1", "node2", "node3"] {
        assert!(chips(&root, n).is_empty(), "no tasks yet on {n}");
    }
    submit(
        &root,
        "docker service create -d --name web --replicas 3 nginx",
    )
    .await;
    step(&root, 15).await;
    assert_eq!(chips(&root, "node1"), ["web.1"]);
    assert_eq!(chips(&root, "node2"), ["web.2"]);
    assert_eq!(chips(&root, "node3"), ["web.3"]);
    let chip = find(&root, "[data-testid=node-node2] .chip");
    assert!(
        chip.class_list().contains("state-running"),
        "{}",
        chip.class_name()
    );
    assert!(chip.text_content().unwrap_or_default().contains(":latest"));
    // The same service has the same colour everywhere.
    let colour = |node: &str| {
        find(&root, &format!("[data-testid=node-{node}] .chip"))
            .class_name()
            .split(' ')
            .find(|c| c.starts_with("svc-"))
            .map(str::to_string)
    };
    assert!(colour("node1").is_some());
    assert_eq!(colour("node1"), colour("node3"));
    assert!(text_of(&root, "[data-testid=machine-node2]").contains("1 task"));

    // A service that cannot be placed is listed as pending, with the scheduler's reason.
    submit(
        &root,
        "docker service create -d --name stuck --constraint node.labels.zone==mars redis",
    )
    .await;
    step(&root, 2).await;
    let pending = text_of(&root, "[data-testid=pending]");
    assert!(
        pending.contains("stuck.1")
            && pending
                .contains("no suitable node (scheduling constraints not satisfied on 3 nodes)"),
        "{pending:?}"
    );

    // Filters: one service, only running tasks.
    submit(&root, "docker service create -d --name api redis").await;
    step(&root, 15).await;
    let all: usize = ["node1", "node2", "node3"]
        .iter()
        .map(|n| chips(&root, n).len())
        .sum();
    assert_eq!(all, 4);
    let select: web_sys::HtmlSelectElement = find(&root, "[data-testid=filter-service]")
        .dyn_into()
        .unwrap();
    select.set_value("api");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
    let shown: Vec<String> = ["node1", "node2", "node3"]
        .iter()
        .flat_map(|n| chips(&root, n))
        .collect();
    assert_eq!(shown, ["api.1"]);
    assert!(
        root.query_selector("[data-testid=pending]")
            .unwrap()
            .is_none(),
        "the filter hides other services' pending tasks"
    );
}

#[wasm_bindgen_test]
async fn a_crashed_container_is_replaced() {
    let root = mount_template("1m2w").await;
    submit(
        &root,
        "docker service create -d --name web --replicas 3 nginx",
    )
    .await;
    step(&root, 15).await;
    click_now(&root, "[data-testid=crash-web\\.2]");
    settle().await;
    let notice = text_of(&root, "[data-testid=notice] .notice-text");
    assert!(
        notice.starts_with("node2 $ docker kill web.2."),
        "typed into node2's terminal: {notice:?}"
    );
    click_now(&root, "[data-testid=tab-node1]");
    click_now(&root, "[data-testid=machine-node2]");
    settle().await;
    assert!(
        output_text(&root).contains("$ docker kill web.2."),
        "node2's terminal shows the command: {:?}",
        output_text(&root)
    );
    step(&root, 1).await;
    let card = find(&root, "[data-testid=node-node2]");
    assert!(
        card.query_selector(".chip.ended.state-failed")
            .unwrap()
            .is_some(),
        "the failed task shows: {}",
        card.inner_html()
    );
    step(&root, 10).await;
    let card = find(&root, "[data-testid=node-node2]");
    assert!(card.query_selector(".chip.ended").unwrap().is_none());
    assert_eq!(
        chips(&root, "node2"),
        ["web.2"],
        "replaced in the same slot"
    );
    assert!(card
        .query_selector(".chip.state-running")
        .unwrap()
        .is_some());
}

#[wasm_bindgen_test]
async fn the_power_button_takes_a_node_down() {
    let root = mount_template("3m2w").await;
    submit(
        &root,
        "docker service create -d --name web --replicas 5 nginx",
    )
    .await;
    step(&root, 15).await;
    let on_node2 = chips(&root, "node2");
    assert_eq!(on_node2.len(), 1, "five tasks spread over five nodes");
    click_now(&root, "[data-testid=node-power-node2]");
    settle().await;
    assert_eq!(
        text_of(&root, "[data-testid=notice] .notice-text"),
        "node2 $ sim node kill node2"
    );
    let card = || text_of(&root, "[data-testid=node-node2]");
    assert!(card().contains("powered off"), "{:?}", card());
    assert!(
        card().contains("Ready"),
        "the managers have not noticed yet"
    );
    step(&root, 20).await;
    assert!(
        find(&root, "[data-testid=node-node2] [data-testid=node-status]")
            .text_content()
            .unwrap_or_default()
            == "Down",
        "{:?}",
        card()
    );
    assert!(find(&root, "[data-testid=node-node2]")
        .class_list()
        .contains("down"));
    let sidebar = text_of(&root, "[data-testid=machine-node2]");
    assert!(
        sidebar.contains("powered off") && sidebar.contains("Down"),
        "{sidebar:?}"
    );
    // Its task was re-created elsewhere.
    let elsewhere: usize = ["node1", "node3", "node4", "node5"]
        .iter()
        .map(|n| {
            chips(&root, n)
                .iter()
                .filter(|c| **c == on_node2[0])
                .count()
        })
        .sum();
    assert_eq!(elsewhere, 1, "{} runs elsewhere", on_node2[0]);

    // Powering it on is typed where the user is (node2 itself cannot take a command).
    click_now(&root, "[data-testid=power-node2]");
    settle().await;
    assert_eq!(
        text_of(&root, "[data-testid=notice] .notice-text"),
        "node1 $ sim node boot node2"
    );
    assert!(output_text(&root).contains("$ sim node boot node2\n"));
    step(&root, 10).await;
    let sidebar = text_of(&root, "[data-testid=machine-node2]");
    assert!(
        sidebar.contains("Ready") && !sidebar.contains("powered off"),
        "{sidebar:?}"
    );
}

#[wasm_bindgen_test]
async fn time_controls_pause_step_and_speed() {
    let root = mount(1, true).await;
    let clock = || text_of(&root, "[data-testid=sim-clock]");
    click_now(&root, "[data-testid=time-pause]");
    settle().await;
    assert!(text_of(&root, "[data-testid=time-pause]").contains("Play"));
    let paused_at = clock();
    submit(&root, "sleep 1").await;
    let line = find(&root, ".input-line");
    yew::platform::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(clock(), paused_at, "the clock stands still");
    assert!(
        line.has_attribute("hidden"),
        "and so does the running command"
    );
    step(&root, 1).await;
    assert!(!line.has_attribute("hidden"), "a step of a second ends it");
    assert_ne!(clock(), paused_at);

    // Two clicks at once, while paused: exactly two seconds more, and what was due in them
    // happened (a `sleep 2` typed before them ended); then the clock stands still again.
    let before = clock_secs(&root);
    submit(&root, "sleep 2").await;
    assert!(line.has_attribute("hidden"), "sleep 2 runs");
    click_now(&root, "[data-testid=time-step]");
    click_now(&root, "[data-testid=time-step]");
    for _ in 0..250 {
        settle().await;
        if clock_secs(&root) >= before + 2 {
            break;
        }
    }
    assert_eq!(clock_secs(&root), before + 2, "two clicks, two seconds");
    assert!(!line.has_attribute("hidden"), "the sleep ended within them");
    yew::platform::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(clock_secs(&root), before + 2, "and the clock stopped there");

    click_now(&root, "[data-testid=speed-60]");
    click_now(&root, "[data-testid=time-pause]");
    settle().await;
    assert_eq!(
        find(&root, "[data-testid=speed-60]")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
    let before = clock();
    yew::platform::time::sleep(Duration::from_millis(1_000)).await;
    let secs = |t: &str| {
        let p: Vec<u64> = t.split(':').map(|x| x.parse().unwrap()).collect();
        p[0] * 3600 + p[1] * 60 + p[2]
    };
    let gained = secs(&clock()) - secs(&before);
    assert!(
        gained >= 20,
        "60× runs a minute a second: {before} → {}",
        clock()
    );
}

#[wasm_bindgen_test]
async fn machines_have_tabs_and_can_be_removed() {
    let root = mount(3, false).await;
    click_now(&root, "[data-testid=machine-node2]");
    click_now(&root, "[data-testid=machine-node3]");
    settle().await;
    for n in ["node1", "node2", "node3"] {
        find(&root, &format!("[data-testid=tab-{n}]"));
    }
    assert_eq!(
        find(&root, "[data-testid=tab-node3]")
            .get_attribute("aria-selected")
            .as_deref(),
        Some("true")
    );
    click_now(&root, "[data-testid=tab-node1]");
    settle().await;
    submit(&root, "hostname").await;
    assert!(output_text(&root).contains("\nnode1\n"));
    click_now(&root, "[data-testid=remove-node3]");
    settle().await;
    assert!(root
        .query_selector("[data-testid=machine-node3]")
        .unwrap()
        .is_none());
    assert!(root
        .query_selector("[data-testid=tab-node3]")
        .unwrap()
        .is_none());
    assert_eq!(
        text_of(&root, "[data-testid=notice] .notice-text"),
        "node1 $ sim node kill node3"
    );
    // Powered on again from a terminal, it is back.
    submit(&root, "sim node boot node3").await;
    step(&root, 2).await;
    find(&root, "[data-testid=machine-node3]");
}

/// Only the terminals with a tab are in the page; one whose tab closed keeps its scrollback
/// and shows it again when picked.
#[wasm_bindgen_test]
async fn only_recent_terminals_are_mounted() {
    let root = mount(8, false).await;
    let terminals = |root: &Element| {
        root.query_selector_all("section.terminal")
            .unwrap()
            .length()
    };
    assert_eq!(
        terminals(&root),
        1,
        "only the selected machine's terminal at first"
    );
    click_now(&root, "[data-testid=machine-node2]");
    settle().await;
    submit(&root, "echo kept-in-node2").await;
    for n in 3..=8 {
        click_now(&root, &format!("[data-testid=machine-node{n}]"));
        settle().await;
    }
    assert_eq!(terminals(&root), 5, "one terminal a tab");
    assert!(root
        .query_selector("[data-testid=tab-node2]")
        .unwrap()
        .is_none());
    click_now(&root, "[data-testid=machine-node2]");
    settle().await;
    assert!(
        output_text(&root).contains("\nkept-in-node2\n"),
        "{}",
        output_text(&root)
    );
    submit(&root, "hostname").await;
    assert!(
        output_text(&root).ends_with("node2\n"),
        "{}",
        output_text(&root)
    );
}

#[wasm_bindgen_test]
async fn names_and_labels_render_as_text() {
    let root = mount_template("1m1w").await;
    let payload = "<img src=x onerror=alert(1)>";
    submit(
        &root,
        &format!("docker node update --label-add 'x={payload}' node2"),
    )
    .await;
    step(&root, 2).await;
    submit(
        &root,
        &format!("docker service create -d --name '{payload}' nginx"),
    )
    .await;
    step(&root, 1).await;
    let panel = find(&root, "[data-testid=cluster-view]");
    let text = panel.text_content().unwrap_or_default();
    assert!(text.contains(&format!("x={payload}")), "{text:?}");
    assert!(panel.query_selector("img").unwrap().is_none());
    assert!(root.query_selector("img").unwrap().is_none());
    assert!(
        output_text(&root).contains("name must be valid as a DNS name component"),
        "docker refuses such a service name: {:?}",
        output_text(&root)
    );
}

#[wasm_bindgen_test]
async fn esc_then_tab_leaves_the_terminal() {
    let root = mount(1, false).await;
    let field = input(&root);
    field.set_value("echo");
    assert!(!press(&field, "Tab", false), "Tab completes");
    settle().await;
    press(&field, "Escape", false);
    assert!(
        press(&field, "Tab", false),
        "after Esc, Tab is left to the browser (the focus moves on)"
    );
    assert!(!press(&field, "Tab", false), "and then completes again");
}

#[wasm_bindgen_test]
async fn controls_are_buttons() {
    let root = mount_template("1m1w").await;
    submit(
        &root,
        "docker service create -d --name web --replicas 2 nginx",
    )
    .await;
    step(&root, 15).await;
    let controls = root
        .query_selector_all(
            ".machine, .icon-button, .tab, .speed, .time-button, .chip-crash, .panel-toggle, .add",
        )
        .unwrap();
    assert!(controls.length() >= 15, "{}", controls.length());
    for i in 0..controls.length() {
        let el: Element = controls.get(i).unwrap().dyn_into().unwrap();
        assert_eq!(el.tag_name(), "BUTTON", "{}", el.outer_html());
        assert_eq!(el.get_attribute("type").as_deref(), Some("button"));
    }
}

#[wasm_bindgen_test]
async fn the_healthcheck_button_gets_a_task_replaced() {
    let root = mount_template("1m2w").await;
    submit(
        &root,
        "docker service create -d --name api --replicas 1 --constraint node.hostname==node2 --health-interval 2s --health-retries 2 --health-start-period 5s diamol/ch08-numbers-api:v2",
    )
    .await;
    step(&root, 15).await;
    let task = || {
        find(&root, "[data-testid=node-node2] [data-testid=chip]")
            .get_attribute("title")
            .unwrap_or_default()
    };
    let before = task();
    assert!(before.starts_with("api.1 "), "{before:?}");
    click_now(&root, "[data-testid=health-fail-api]");
    settle().await;
    assert_eq!(
        text_of(&root, "[data-testid=notice] .notice-text"),
        "node1 $ sim health fail api"
    );
    assert!(output_text(&root).contains("$ sim health fail api\n"));
    step(&root, 12).await;
    let after = task();
    assert!(
        after.starts_with("api.1 ") && after != before,
        "the unhealthy task was replaced: {before:?} → {after:?}"
    );
}

#[wasm_bindgen_test]
async fn partition_and_heal_show_in_the_quorum_view() {
    let root = mount_template("3m2w").await;
    step(&root, 2).await;
    click_now(&root, "[data-testid=view-tab-quorum]");
    settle().await;
    let summary = || text_of(&root, "[data-testid=quorum-summary]");
    let healthy = summary();
    assert!(healthy.contains("3 of 3"), "{healthy:?}");
    let partition = find(&root, "[data-testid=partition-button]");
    assert!(partition.has_attribute("disabled"), "no groups yet");
    click_now(&root, "[data-testid=partition-a-node1]");
    click_now(&root, "[data-testid=partition-b-node2]");
    click_now(&root, "[data-testid=partition-b-node3]");
    settle().await;
    click_now(&root, "[data-testid=partition-button]");
    settle().await;
    assert_eq!(
        text_of(&root, "[data-testid=notice] .notice-text"),
        "node1 $ sim partition node1 node2,node3"
    );
    step(&root, 20).await;
    assert_ne!(summary(), healthy, "the partition shows");
    click_now(&root, "[data-testid=heal-button]");
    settle().await;
    assert!(text_of(&root, "[data-testid=notice] .notice-text").ends_with("$ sim heal"));
    step(&root, 20).await;
    assert_eq!(summary(), healthy, "healed");
}

#[wasm_bindgen_test]
async fn a_question_is_answered_on_the_input_line() {
    let root = mount(1, false).await;
    submit(&root, "docker volume create data").await;
    submit(&root, "docker volume prune -a").await;
    let line = find(&root, ".input-line");
    assert!(
        !line.has_attribute("hidden"),
        "the input shows for the answer"
    );
    assert_eq!(
        text_of(&root, "[data-testid=terminal-question]"),
        "Are you sure you want to continue? [y/N] ",
        "the question is on the input line"
    );
    assert!(
        line.query_selector(".ps1").unwrap().is_none(),
        "no shell prompt while the command reads"
    );
    assert_eq!(input(&root).type_(), "text");
    let text = output_text(&root);
    assert!(
        text.ends_with("not used by at least one container.\n"),
        "the scrollback ends before the question: {text:?}"
    );
    // ↑ walks no history for an answer.
    let field = input(&root);
    press(&field, "ArrowUp", false);
    settle().await;
    assert_eq!(field.value(), "", "no history for an answer");
    submit(&root, "y").await;
    let text = output_text(&root);
    assert!(
        text.contains("[y/N] y\nDeleted Volumes:\ndata\n"),
        "the answer is echoed after the question: {text:?}"
    );
    assert!(
        find(&root, ".input-line .ps1")
            .text_content()
            .unwrap_or_default()
            .contains("node1"),
        "the shell prompt is back"
    );

    // Ctrl+C while reading stops the command, showing what was half-typed.
    submit(&root, "docker volume prune").await;
    let field = input(&root);
    field.set_value("ye");
    press(&field, "c", true);
    settle().await;
    assert!(
        output_text(&root).ends_with("[y/N] ye^C\n"),
        "{:?}",
        output_text(&root)
    );
    assert!(root
        .query_selector("[data-testid=terminal-question]")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn a_secret_is_typed_masked_after_its_question() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use swarm_web::screen::Screen;
    use swarm_web::terminal::{ScreenRef, Terminal, TerminalProps};

    let mut screen = Screen::new();
    screen.push(swarm_shell::Output::Echo(
        "[node1] (local) root@192.168.0.11 ~ $ docker login registry\n".into(),
    ));
    screen.push(swarm_shell::Output::Stdout(
        "Username: moby\nPassword: ".into(),
    ));
    let submitted = Rc::new(RefCell::new(Vec::<String>::new()));
    let sent = submitted.clone();
    let props = yew::props!(TerminalProps {
        machine: "node1",
        screen: ScreenRef(Rc::new(RefCell::new(screen))),
        version: 1,
        prompt: "",
        busy: true,
        mode: swarm_shell::InputMode::Secret,
        history: Rc::new(vec!["docker login registry".to_string()]),
        active: true,
        on_submit: yew::Callback::from(move |line: String| sent.borrow_mut().push(line)),
        on_interrupt: yew::Callback::noop(),
        on_clear: yew::Callback::noop(),
    });
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<Terminal>::with_root_and_props(root.clone(), props).render();
    settle().await;

    assert!(!find(&root, ".input-line").has_attribute("hidden"));
    assert_eq!(
        text_of(&root, "[data-testid=terminal-question]"),
        "Password: "
    );
    assert!(
        output_text(&root).ends_with("Username: moby\n"),
        "{:?}",
        output_text(&root)
    );
    let field = input(&root);
    assert_eq!(field.type_(), "password", "the secret is masked");
    press(&field, "ArrowUp", false);
    settle().await;
    assert_eq!(field.value(), "", "no history for a secret");
    submit(&root, "s3cret").await;
    assert_eq!(*submitted.borrow(), vec!["s3cret".to_string()]);
    assert_eq!(field.value(), "", "the field is empty again");
}
