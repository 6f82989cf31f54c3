//! `sed` and `awk` in the page's own module: a pipeline through both, and `sed -i` writing a
//! file while reporting a missing one.
//!
//! Run with `cargo test --target wasm32-unknown-unknown -p swarm-web --test text_tools`.

#![cfg(target_arch = "wasm32")]

use swarm_shell::Options;
use swarm_web::app::AppProps;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn sed_and_awk_run_in_the_page() {
    let root = mount_with(AppProps {
        options: Some(Options::default()),
        clock: false,
    })
    .await;
    submit(
        &root,
        "printf 'web 3\\ndb 1\\n' | awk '{s += $2; print $1} END {print \"total\", s}' | sed 's/^/- /'",
    )
    .await;
    let text = output_text(&root);
    assert!(
        text.contains("\n- web\n- db\n- total 4\n"),
        "awk then sed in a pipeline: {text:?}"
    );
    submit(
        &root,
        "echo 'replicas: 1' > s.yml; sed -i 's/1/3/' s.yml nosuch; echo \"status $?\"; cat s.yml",
    )
    .await;
    let text = output_text(&root);
    assert!(
        text.contains(
            "\nsed: can't read nosuch: No such file or directory\nstatus 4\nreplicas: 3\n"
        ),
        "sed -i wrote the file: {text:?}"
    );
}
