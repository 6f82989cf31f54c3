// Loads the page's WebAssembly. Trunk writes the names of the JS glue and the .wasm file (they
// carry content hashes) into a <meta name="swarm-app"> tag (see `pattern_script` in
// Trunk.toml); this external module loads them, so the page needs no inline script.
const status = () => document.querySelector('[data-testid="loading"]');

// jq and the compose files' YAML parser are a second module (crates/swarm-jq-web) under fixed
// names next to the page; web/src/jq_host.rs calls this on the first `jq` or `docker stack
// deploy` and gets the module's exports. A failed load is retried on the next (with a fresh URL).
let lazy = null;
let lazyAttempts = 0;
globalThis.swarmLoadLazy = () => {
  lazy ??= (async () => {
    const retry = lazyAttempts++ > 0 ? `?attempt=${lazyAttempts}` : "";
    const base = document.baseURI;
    const glue = await import(new URL(`swarm-jq-web.js${retry}`, base).href);
    await glue.default({ module_or_path: new URL(`swarm-jq-web_bg.wasm${retry}`, base) });
    return glue;
  })().catch((error) => {
    lazy = null;
    throw error;
  });
  return lazy;
};

try {
  const meta = document.querySelector('meta[name="swarm-app"]');
  const glue = await import(new URL(meta.dataset.js, document.baseURI).href);
  await glue.default({ module_or_path: new URL(meta.dataset.wasm, document.baseURI) });
} catch (error) {
  console.error("Swarm Playground could not load:", error);
  const note = status();
  if (note) {
    note.textContent =
      "Swarm Playground could not load: " + error + ". It needs a browser with WebAssembly.";
    note.classList.add("failed");
  }
}
