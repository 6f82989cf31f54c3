//! jq as a second WebAssembly module. The page's main module leaves jq out (it is a quarter
//! of the download) and loads this one the first time a terminal runs `jq`: `trunk` builds it
//! next to the page (`data-type="worker"` in `index.html`: unhashed file names, no script
//! tag), `web/boot.js` knows how to import it, and `web`'s `jq_host` calls [`run_jq`].

use wasm_bindgen::prelude::wasm_bindgen;

/// Runs one `jq` command line: a JSON `JqRequest` in, a JSON `JqRun` out (see `swarm-jq`).
#[wasm_bindgen]
pub fn run_jq(request: &str) -> String {
    swarm_jq::run_json(request)
}

fn main() {}
