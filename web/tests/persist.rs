//! Persistence and sharing in headless Chromium: a session survives a re-mount from
//! localStorage, share links round-trip through the browser's CompressionStream, bad links are
//! refused with a message, and what a shared log carries renders as text.
//!
//! Run with `cargo test --target wasm32-unknown-unknown -p swarm-web --test persist`.

#![cfg(target_arch = "wasm32")]

use swarm_core::SimDuration;
use swarm_shell::{Options, Playground, ReplayLog};
use swarm_web::app::AppProps;
use swarm_web::persist;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlInputElement};

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app as the page does (options from the URL, saved in localStorage), with the
/// real-time clock off.
async fn mount_page() -> Element {
    mount_with(AppProps {
        options: None,
        clock: false,
    })
    .await
}

fn unmount(root: Element) {
    root.remove();
}

/// A 1-manager-1-worker playground with a service, recording; its log.
fn session() -> (Playground, ReplayLog) {
    let mut pg = Playground::new(&Options {
        template: Some("1m1w".into()),
        ..Options::default()
    })
    .unwrap();
    pg.start_recording(true);
    pg.submit(
        "node1",
        "docker service create -d --name web --replicas 3 --label note='<img src=x onerror=alert(1)>' nginx",
    );
    for _ in 0..100 {
        pg.advance(SimDuration::from_millis(100));
    }
    pg.upload(
        "node1",
        "x.html",
        "<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n",
    )
    .unwrap();
    pg.submit("node1", "cat x.html; echo 'javascript:alert(1)'");
    pg.submit("node1", "docker service inspect web --pretty | grep note=");
    pg.advance(SimDuration::from_secs(1));
    let log = pg.recording().unwrap().log();
    (pg, log)
}

fn service_ls(pg: &mut Playground) -> String {
    pg.submit("node1", "docker service ls");
    assert!(pg.run_until_idle("node1", SimDuration::from_secs(30)));
    let (out, err) = pg.terminal_mut("node1").unwrap().drain_streams();
    out + &err
}

#[wasm_bindgen_test]
fn base64url_round_trips() {
    for n in 0..40usize {
        let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + n) as u8).collect();
        let text = persist::base64url_encode(&bytes);
        assert!(!text.contains(['+', '/', '=']), "{text}");
        assert_eq!(persist::base64url_decode(&text).unwrap(), bytes);
    }
    assert_eq!(persist::base64url_encode(b"hi?"), "aGk_");
    assert_eq!(persist::base64url_decode("a"), None);
    assert_eq!(persist::base64url_decode("a b"), None);
}

#[wasm_bindgen_test]
async fn a_session_survives_a_remount_from_local_storage() {
    persist::clear_saved();
    let root = mount_page().await;
    submit(&root, "echo kept-across-reloads > note.txt").await;
    submit(&root, "cat note.txt").await;
    submit(&root, "docker swarm init > /dev/null && echo swarm-ready").await;
    assert!(
        output_text(&root).contains("\nswarm-ready\n"),
        "{}",
        output_text(&root)
    );
    let before = output_text(&root);
    persist::Saver::flush().unwrap();
    unmount(root);

    let again = mount_page().await;
    let after = output_text(&again);
    assert_eq!(after, before, "the same scrollback after the re-mount");
    submit(&again, "cat note.txt; docker node ls | grep -c Leader").await;
    let text = output_text(&again);
    assert!(
        text.ends_with("kept-across-reloads\n1\n[node1] (local) root@192.168.0.11 ~ $ ")
            || text.contains("kept-across-reloads\n1\n"),
        "{text:?}"
    );
    unmount(again);
    persist::clear_saved();
}

#[wasm_bindgen_test]
async fn share_links_round_trip() {
    let (mut pg, log) = session();
    let fragment = persist::encode(&log).await;
    assert!(
        fragment.starts_with("r="),
        "compressed with deflate-raw: {fragment:.40}"
    );
    assert!(
        fragment.len() < log.to_json().len(),
        "{} ≥ {}",
        fragment.len(),
        log.to_json().len()
    );
    let back = persist::decode(&format!("#{fragment}")).await.unwrap();
    assert_eq!(back, log);
    let mut again = Playground::replay(&back).unwrap();
    let ls = service_ls(&mut pg);
    assert!(ls.contains("web       replicated   3/3"), "{ls}");
    assert_eq!(service_ls(&mut again), ls);

    // The uncompressed form reads too.
    let plain = format!("j={}", persist::base64url_encode(log.to_json().as_bytes()));
    assert_eq!(persist::decode(&plain).await.unwrap(), log);

    // Opening the link: the app starts from it.
    persist::clear_saved();
    persist::set_shared(persist::decode(&fragment).await);
    let root = mount_page().await;
    let text = output_text(&root);
    assert!(text.contains("$ cat x.html"), "{text}");
    let chips = root.query_selector_all(".chip").unwrap().length();
    assert_eq!(chips, 3, "three task chips in the cluster view");
    unmount(root);
    persist::clear_saved();
}

#[wasm_bindgen_test]
async fn bad_share_links_are_refused_with_a_message() {
    let cases = [
        ("r=@@@", "damaged"),
        ("x=abc", "damaged"),
        ("r=AAAA", "damaged"),
        ("j=e30", "format"),           // {}
        ("j=W10", "format"),           // []
        ("j=bm90IGpzb24", "not JSON"), // not json
    ];
    for (fragment, want) in cases {
        let e = persist::decode(fragment).await.unwrap_err();
        assert!(e.contains(want), "{fragment}: {e}");
    }
    // A compressed bomb: more than the largest log once inflated.
    let zeros = vec![b' '; swarm_shell::replay::MAX_JSON + 10];
    let bomb = persist::deflate(&zeros).await.unwrap();
    let e = persist::decode(&format!("r={}", persist::base64url_encode(&bomb)))
        .await
        .unwrap_err();
    assert!(e.contains("expands to more than"), "{e}");
    // A log that names a machine it does not have.
    let (_, mut log) = session();
    if let Some(swarm_shell::replay::Entry::Line { on, .. }) = log.entries.first_mut() {
        *on = "node9".into();
    }
    let fragment = persist::encode(&log).await;

    persist::clear_saved();
    persist::set_shared(persist::decode(&fragment).await);
    let root = mount_page().await;
    let notice = find(&root, "[data-testid=notice]")
        .text_content()
        .unwrap_or_default();
    assert!(
        notice.contains("The shared link could not be opened")
            && notice.contains("no machine node9"),
        "{notice}"
    );
    assert!(
        output_text(&root).ends_with("$ ") || !output_text(&root).contains("docker service create")
    );
    unmount(root);

    persist::set_shared(persist::decode("j=e30").await);
    let root = mount_page().await;
    let notice = find(&root, "[data-testid=notice]")
        .text_content()
        .unwrap_or_default();
    assert!(notice.contains("not a saved playground"), "{notice}");
    unmount(root);
    persist::clear_saved();
}

#[wasm_bindgen_test]
async fn a_shared_log_renders_inert() {
    let (_, log) = session();
    persist::clear_saved();
    persist::set_shared(Ok(log));
    let root = mount_page().await;
    let text = output_text(&root);
    assert!(
        text.contains("<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n"),
        "{text}"
    );
    assert!(text.contains("\njavascript:alert(1)\n"), "{text}");
    assert!(
        text.contains("note=<img src=x onerror=alert(1)>\n"),
        "{text}"
    );
    for tag in [
        "img",
        "script",
        "iframe",
        "[onerror]",
        "a[href^=javascript]",
    ] {
        assert!(
            root.query_selector(tag).unwrap().is_none(),
            "a {tag} element made it into the page"
        );
    }
    unmount(root);
    persist::clear_saved();
}

#[wasm_bindgen_test]
async fn an_import_of_a_bad_file_is_refused() {
    persist::clear_saved();
    let root = mount_page().await;
    let input: HtmlInputElement = find(&root, "[data-testid=import]").dyn_into().unwrap();
    let parts =
        js_sys::Array::of1(&"{\"format\":\"swarm-playground-replay\",\"version\":9}".into());
    let file = web_sys::File::new_with_str_sequence(&parts, "bad.json").unwrap();
    let dt = web_sys::DataTransfer::new().unwrap();
    dt.items().add_with_file(&file).unwrap();
    input.set_files(dt.files().as_ref());
    input
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    let mut message = String::new();
    for _ in 0..100 {
        settle().await;
        if let Some(m) = root
            .query_selector("[data-testid=persist-message]")
            .unwrap()
        {
            message = m.text_content().unwrap_or_default();
            break;
        }
    }
    assert!(
        message.contains("Import refused") && message.contains("version 9"),
        "{message:?}"
    );
    unmount(root);
    persist::clear_saved();
}
