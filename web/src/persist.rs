//! Persistence and sharing: the playground's replay log in localStorage, in a link, in a file.
//!
//! The playground records every input into a [`ReplayLog`] (see `swarm_shell::replay`); this
//! module keeps it:
//! - **localStorage**: [`Saver`] writes the log at most once a second while it changes, and at
//!   once when the page is hidden or left (`pagehide`), next to the query string it was
//!   started from. On load ([`start`]) a saved log for the same query is replayed before the
//!   first render, so a reload finds the same machines, terminals and tasks. A link to
//!   another template or seed starts afresh.
//! - **Share**: the log, compressed with the browser's `CompressionStream('deflate-raw')`
//!   (plain JSON where the browser lacks it), base64url-encoded into the URL fragment
//!   (`#r=…`, or `#j=…` uncompressed). Opening such a link decodes it before the app mounts
//!   ([`load_fragment`]); the fragment wins over localStorage and is then removed from the
//!   address bar. `#reset` clears the saved state.
//! - **Export / Import**: the log as a JSON file; an imported file is checked, saved, and the
//!   page reloads from it. **Reset** clears the saved state and reloads the template.
//!
//! A log from a link or a file is untrusted: `ReplayLog::from_json` checks it (format,
//! version, sizes, entry kinds), the page refuses one that starts too many machines, and a bad
//! one is answered with a message while the page starts fresh. Replaying only types into the
//! emulator's terminals, and everything the page shows is text.
//!
//! For crash recovery the app [`register`]s its recording: the panic hook calls
//! [`save_last_good`], which saves the log without the entry being applied when the panic
//! happened (the culprit), so that reloading restores the last good state.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Interval;
use js_sys::{Reflect, Uint8Array};
use swarm_shell::replay::{Replayer, MAX_JSON};
use swarm_shell::{Options, Playground, Recording, ReplayLog};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{current, t, tf, K};

/// Where the log is saved.
pub const LOG_KEY: &str = "swarm-playground.v1.log";
/// The query string the saved playground was started from.
pub const QUERY_KEY: &str = "swarm-playground.v1.query";
/// How often, at most, the log is written while it changes (real milliseconds).
pub const SAVE_EVERY_MS: u32 = 1_000;
/// Longest share fragment read, in characters.
pub const MAX_FRAGMENT: usize = 4 * 1024 * 1024;
/// The file name "Export" offers.
pub const EXPORT_NAME: &str = "swarm-playground.json";

thread_local! {
    /// The share link decoded before mounting: the log, or why it was refused.
    static SHARED: RefCell<Option<Result<ReplayLog, String>>> = const { RefCell::new(None) };
    /// What the panic hook saves: the live recording, the query, and the log being replayed
    /// (while a restore runs).
    static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
}

struct Live {
    recording: Recording,
    query: String,
    /// The full log being replayed at start, until the replay is done.
    source: Option<ReplayLog>,
}

// ---------------------------------------------------------------------------------------
// Starting: a shared link, a saved playground, or a fresh one
// ---------------------------------------------------------------------------------------

/// Where the playground the app starts with came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Made from the options.
    Fresh,
    /// Restored from localStorage.
    Saved,
    /// Opened from a share link.
    Shared,
}

/// The playground the page starts with.
pub struct Start {
    /// The playground (recording).
    pub playground: Result<Playground, String>,
    /// Its options.
    pub options: Options,
    /// Where it came from.
    pub origin: Origin,
    /// A message for the page (a link or a saved state that could not be used).
    pub problem: Option<String>,
    /// Machines the log took off the page.
    pub removed: Vec<String>,
}

/// The page's query string (`?template=3m2w`), or empty.
pub fn location_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The playground to start with when the page's options come from its URL: a share link's
/// (decoded by [`load_fragment`]), else the one saved for this query, else a fresh one.
pub fn start(fresh: Options) -> Start {
    let query = location_query();
    let mut problem = None;
    let shared = SHARED.with(|s| s.borrow_mut().take());
    match shared {
        Some(Ok(log)) => match restore(&log, &query) {
            Ok(start) => {
                return Start {
                    origin: Origin::Shared,
                    ..start
                }
            }
            Err(e) => problem = Some(tf(current(), K::SharedLinkFailed, &[&e])),
        },
        Some(Err(e)) => problem = Some(tf(current(), K::SharedLinkFailed, &[&e])),
        None => {}
    }
    if problem.is_none() {
        if let Some(saved) = saved_for(&query) {
            match ReplayLog::from_json(&saved).and_then(|log| restore(&log, &query)) {
                Ok(start) => return start,
                Err(e) => problem = Some(tf(current(), K::RestoreFailed, &[&e])),
            }
        }
    }
    let playground = Playground::new(&fresh).or_else(|e| {
        web_sys::console::warn_1(&format!("cannot start a playground with {fresh:?}: {e}").into());
        Playground::new(&Options::default())
    });
    let mut playground = playground;
    if let Ok(pg) = &mut playground {
        let recording = pg.start_recording(true);
        register(recording, &query, None);
    }
    Start {
        playground,
        options: fresh,
        origin: Origin::Fresh,
        problem,
        removed: Vec::new(),
    }
}

/// A playground for tests and other callers that give the options themselves: recording, not
/// saved anywhere.
pub fn start_unsaved(opts: Options) -> Start {
    let mut playground = Playground::new(&opts).or_else(|e| {
        web_sys::console::warn_1(&format!("cannot start a playground with {opts:?}: {e}").into());
        Playground::new(&Options::default())
    });
    if let Ok(pg) = &mut playground {
        pg.start_recording(true);
    }
    Start {
        playground,
        options: opts,
        origin: Origin::Fresh,
        problem: None,
        removed: Vec::new(),
    }
}

/// Replays `log` (registered for the panic hook while it runs).
fn restore(log: &ReplayLog, query: &str) -> Result<Start, String> {
    check_for_page(log)?;
    let mut replayer = Replayer::new(log)?;
    register(replayer.recording(), query, Some(log.clone()));
    let done = replayer.step(usize::MAX);
    let mut pg = replayer.finish();
    if let Err(e) = done {
        // Keep recording the fresh start rather than a half-replayed one.
        LIVE.with(|l| *l.borrow_mut() = None);
        return Err(e);
    }
    if let Some(r) = pg.recording() {
        register(r.clone(), query, None);
    }
    // The editor requests of the replayed `nano`s are history, not something to open now.
    for name in pg.machine_names() {
        if let Some(t) = pg.terminal_mut(&name) {
            let _ = t.take_edit_request();
        }
    }
    Ok(Start {
        playground: Ok(pg),
        options: log.options(),
        origin: Origin::Saved,
        problem: None,
        removed: log.removed_machines(),
    })
}

/// What the page refuses beyond the log's own checks: starting more machines than a link may
/// ask for.
fn check_for_page(log: &ReplayLog) -> Result<(), String> {
    if log.template.is_none() && log.machines > crate::query::MAX_START_MACHINES {
        return Err(format!(
            "it starts {} machines; a link may start at most {}",
            log.machines,
            crate::query::MAX_START_MACHINES
        ));
    }
    Ok(())
}

/// Makes `recording` the one [`save_last_good`] and [`Saver`] use.
pub fn register(recording: Recording, query: &str, source: Option<ReplayLog>) {
    LIVE.with(|l| {
        *l.borrow_mut() = Some(Live {
            recording,
            query: query.to_string(),
            source,
        })
    });
}

// ---------------------------------------------------------------------------------------
// localStorage
// ---------------------------------------------------------------------------------------

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The log saved for a playground started from `query`, if any.
pub fn saved_for(query: &str) -> Option<String> {
    let s = storage()?;
    let q = s.get_item(QUERY_KEY).ok().flatten()?;
    if q != query {
        return None;
    }
    s.get_item(LOG_KEY).ok().flatten()
}

/// Saves `json` as the playground started from `query`. A full storage (or none) says so.
pub fn save(json: &str, query: &str) -> Result<(), String> {
    let s = storage().ok_or("this browser does not let the page store anything")?;
    let quota = |e: JsValue| {
        let name = Reflect::get(&e, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .unwrap_or_default();
        if name.contains("Quota") {
            "the browser's storage for this page is full".to_string()
        } else {
            format!("the browser refused to store it ({name})")
        }
    };
    // The log first: a query without its log is ignored on load.
    s.remove_item(QUERY_KEY).map_err(quota)?;
    s.set_item(LOG_KEY, json).map_err(quota)?;
    s.set_item(QUERY_KEY, query).map_err(quota)?;
    Ok(())
}

/// Forgets the saved playground.
pub fn clear_saved() {
    if let Some(s) = storage() {
        let _ = s.remove_item(LOG_KEY);
        let _ = s.remove_item(QUERY_KEY);
    }
}

/// Called by the panic hook: saves the registered log without the entry that was being
/// applied (or the log being restored, without the entry that crashed it). True if saved.
pub fn save_last_good() -> bool {
    let Ok(Some((log, query))) = LIVE.try_with(|l| {
        let l = l.try_borrow().ok()?;
        let live = l.as_ref()?;
        let culprit = live.recording.applying();
        let log = match (&live.source, culprit) {
            (Some(source), Some(i)) => source.without(i),
            (Some(source), None) => source.clone(),
            (None, _) => live.recording.last_good()?,
        };
        Some((log, live.query.clone()))
    }) else {
        return false;
    };
    save(&log.to_json(), &query).is_ok()
}

/// Writes the registered log to localStorage at most once every [`SAVE_EVERY_MS`] while it
/// changes, and at once when the page is hidden or left. Dropping it stops it.
pub struct Saver {
    _timer: Interval,
    _hide: Option<EventListener>,
    _visibility: Option<EventListener>,
}

impl Saver {
    /// Starts saving; `on_problem` hears when a save fails (once per kind of failure) and
    /// when the log stopped growing.
    pub fn start(on_problem: Callback<String>) -> Saver {
        let state = Rc::new(SaveState::default());
        let tick = {
            let (state, cb) = (state.clone(), on_problem.clone());
            move || state.save_if_changed(&cb)
        };
        let timer = {
            let tick = tick.clone();
            Interval::new(SAVE_EVERY_MS, tick)
        };
        let window = web_sys::window();
        let hide = window.as_ref().map(|w| {
            let tick = tick.clone();
            EventListener::new(w, "pagehide", move |_| tick())
        });
        let visibility = window.and_then(|w| w.document()).map(|d| {
            let doc = d.clone();
            EventListener::new(&d, "visibilitychange", move |_| {
                if doc.hidden() {
                    tick()
                }
            })
        });
        Saver {
            _timer: timer,
            _hide: hide,
            _visibility: visibility,
        }
    }

    /// Saves now if anything changed (tests and "Share" use it).
    pub fn flush() -> Result<(), String> {
        SaveState::default().save_now()
    }
}

#[derive(Default)]
struct SaveState {
    saved: Cell<Option<u64>>,
    last_problem: RefCell<Option<String>>,
    told_full: Cell<bool>,
}

impl SaveState {
    fn save_if_changed(&self, on_problem: &Callback<String>) {
        let changes = LIVE.with(|l| l.borrow().as_ref().map(|l| l.recording.changes()));
        if changes.is_none() || changes == self.saved.get() {
            return;
        }
        match self.save_now() {
            Ok(()) => {
                self.saved.set(changes);
                *self.last_problem.borrow_mut() = None;
            }
            Err(e) => {
                let again = self.last_problem.borrow().as_deref() == Some(e.as_str());
                if !again {
                    on_problem.emit(tf(current(), K::SaveFailed, &[&e]));
                    *self.last_problem.borrow_mut() = Some(e);
                }
            }
        }
        let full = LIVE.with(|l| l.borrow().as_ref().is_some_and(|l| l.recording.full()));
        if full && !self.told_full.replace(true) {
            on_problem.emit(t(current(), K::TooLargeToSave).to_string());
        }
    }

    fn save_now(&self) -> Result<(), String> {
        let Some((json, query)) = LIVE.with(|l| {
            let l = l.borrow();
            let live = l.as_ref()?;
            // Never save a half-replayed log over the full one.
            if live.source.is_some() {
                return None;
            }
            Some((live.recording.to_json(), live.query.clone()))
        }) else {
            return Ok(());
        };
        save(&json, &query)
    }
}

// ---------------------------------------------------------------------------------------
// Share links
// ---------------------------------------------------------------------------------------

#[wasm_bindgen]
extern "C" {
    /// The browser's `CompressionStream` (web-sys has it only behind its unstable flag).
    #[wasm_bindgen(js_name = CompressionStream)]
    type JsCompressionStream;
    #[wasm_bindgen(constructor, catch, js_class = "CompressionStream")]
    fn new(format: &str) -> Result<JsCompressionStream, JsValue>;
    #[wasm_bindgen(method, getter, js_class = "CompressionStream")]
    fn readable(this: &JsCompressionStream) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter, js_class = "CompressionStream")]
    fn writable(this: &JsCompressionStream) -> web_sys::WritableStream;

    /// `DecompressionStream`, likewise.
    #[wasm_bindgen(js_name = DecompressionStream)]
    type JsDecompressionStream;
    #[wasm_bindgen(constructor, catch, js_class = "DecompressionStream")]
    fn new(format: &str) -> Result<JsDecompressionStream, JsValue>;
    #[wasm_bindgen(method, getter, js_class = "DecompressionStream")]
    fn readable(this: &JsDecompressionStream) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter, js_class = "DecompressionStream")]
    fn writable(this: &JsDecompressionStream) -> web_sys::WritableStream;
}

/// Pipes `bytes` through a transform stream and reads at most `limit` bytes of its output.
async fn transform(
    bytes: &[u8],
    readable: web_sys::ReadableStream,
    writable: web_sys::WritableStream,
    limit: usize,
) -> Result<Vec<u8>, String> {
    let js = |e: JsValue| {
        e.as_string()
            .or_else(|| {
                Reflect::get(&e, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
            })
            .unwrap_or_else(|| "the browser could not do it".into())
    };
    let mut copy = bytes.to_vec();
    let input = web_sys::Response::new_with_opt_u8_array(Some(&mut copy))
        .map_err(js)?
        .body()
        .ok_or("no stream")?;
    let pair = web_sys::ReadableWritablePair::new(&readable, &writable);
    let output = input.pipe_through(&pair);
    let reader = output.get_reader();
    let read = Reflect::get(&reader, &"read".into())
        .map_err(js)?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| "no reader")?;
    let mut out = Vec::new();
    loop {
        let promise: js_sys::Promise = read.call0(&reader).map_err(js)?.unchecked_into();
        let chunk = JsFuture::from(promise).await.map_err(js)?;
        if Reflect::get(&chunk, &"done".into())
            .map_err(js)?
            .as_bool()
            .unwrap_or(true)
        {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into())
            .map_err(js)?
            .dyn_into()
            .map_err(|_| "not bytes")?;
        if out.len() + value.length() as usize > limit {
            if let Ok(cancel) = Reflect::get(&reader, &"cancel".into()) {
                if let Ok(f) = cancel.dyn_into::<js_sys::Function>() {
                    let _ = f.call0(&reader);
                }
            }
            return Err(format!("it expands to more than {limit} bytes"));
        }
        out.extend(value.to_vec());
    }
    Ok(out)
}

/// `bytes` compressed with the browser's `CompressionStream('deflate-raw')`, if it has one.
pub async fn deflate(bytes: &[u8]) -> Option<Vec<u8>> {
    let cs = JsCompressionStream::new("deflate-raw").ok()?;
    transform(bytes, cs.readable(), cs.writable(), usize::MAX)
        .await
        .ok()
}

/// The fragment (`r=…` or `j=…`, without `#`) that carries `log`.
pub async fn encode(log: &ReplayLog) -> String {
    let json = log.to_json();
    if let Ok(cs) = JsCompressionStream::new("deflate-raw") {
        if let Ok(bytes) =
            transform(json.as_bytes(), cs.readable(), cs.writable(), usize::MAX).await
        {
            return format!("r={}", base64url_encode(&bytes));
        }
    }
    format!("j={}", base64url_encode(json.as_bytes()))
}

/// The log a fragment (with or without `#`) carries; a message if it is not one.
pub async fn decode(fragment: &str) -> Result<ReplayLog, String> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_FRAGMENT {
        return Err("the link is too long".into());
    }
    let bad = || "the link is damaged (it is not a playground's replay)".to_string();
    let json = if let Some(data) = fragment.strip_prefix("r=") {
        let bytes = base64url_decode(data).ok_or_else(bad)?;
        let ds = JsDecompressionStream::new("deflate-raw")
            .map_err(|_| "this browser cannot decompress it".to_string())?;
        let raw = transform(&bytes, ds.readable(), ds.writable(), MAX_JSON)
            .await
            .map_err(|e| format!("the link is damaged ({e})"))?;
        String::from_utf8(raw).map_err(|_| bad())?
    } else if let Some(data) = fragment.strip_prefix("j=") {
        let bytes = base64url_decode(data).ok_or_else(bad)?;
        String::from_utf8(bytes).map_err(|_| bad())?
    } else {
        return Err(bad());
    };
    ReplayLog::from_json(&json)
}

/// True if the page's URL carries a share fragment (or `#reset`) to act on before mounting.
pub fn has_fragment() -> bool {
    let hash = location_hash();
    hash.starts_with("#r=") || hash.starts_with("#j=") || hash == "#reset"
}

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Reads the page's fragment: a share link is decoded for [`start`], `#reset` clears the saved
/// playground; either way the fragment leaves the address bar.
pub async fn load_fragment() {
    let hash = location_hash();
    if hash == "#reset" {
        clear_saved();
    } else if hash.starts_with("#r=") || hash.starts_with("#j=") {
        let log = decode(&hash).await;
        if let Err(e) = &log {
            web_sys::console::warn_1(&format!("share link refused: {e}").into());
        }
        set_shared(log);
    }
    drop_fragment();
}

/// True if the playground [`start`] would restore a line that may use the lazily loaded module
/// (`jq`, `docker stack`, Go templates, docker's help: [`swarm_shell::uses_lazy_module`]): then
/// the module (loaded on first use, asynchronously) must be loaded before the replay, or the
/// replayed command would wait for it while the later entries went on without it.
pub fn restore_needs_jq() -> bool {
    let uses_jq = |log: &ReplayLog| {
        log.entries.iter().any(|e| {
            matches!(e, swarm_shell::replay::Entry::Line { text, .. }
                if swarm_shell::uses_lazy_module(text))
        })
    };
    let shared = SHARED.with(|s| match &*s.borrow() {
        Some(Ok(log)) => Some(uses_jq(log)),
        _ => None,
    });
    if let Some(shared) = shared {
        return shared;
    }
    saved_for(&location_query())
        .and_then(|json| ReplayLog::from_json(&json).ok())
        .is_some_and(|log| uses_jq(&log))
}

/// Loads jq's module (with the YAML parser and Go templates) through the page's jq host and
/// waits until it is ready or failed, at most ten seconds.
pub async fn preload_jq() {
    crate::jq_host::prefetch();
    for _ in 0..200 {
        if crate::jq_host::take_settled() {
            break;
        }
        yew::platform::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Hands a decoded share link to the next [`start`] (what [`load_fragment`] does; tests use
/// it directly).
pub fn set_shared(log: Result<ReplayLog, String>) {
    SHARED.with(|s| *s.borrow_mut() = Some(log));
}

/// The page's address without its fragment.
fn address_without_fragment() -> Option<String> {
    let location = web_sys::window()?.location();
    let href = location.href().ok()?;
    Some(href.split('#').next().unwrap_or(&href).to_string())
}

/// Removes the fragment from the address bar without reloading.
fn drop_fragment() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let (Ok(history), Some(url)) = (window.history(), address_without_fragment()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The share link of `log`: this page's address with the log in its fragment.
pub async fn share_link(log: &ReplayLog) -> String {
    let base = address_without_fragment().unwrap_or_default();
    format!("{base}#{}", encode(log).await)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// base64url with or without padding (and tolerating `+` `/`); `None` if not base64.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        return None;
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------
// The sidebar's buttons
// ---------------------------------------------------------------------------------------

/// The log of the registered recording, if any.
fn current_log() -> Option<ReplayLog> {
    LIVE.with(|l| l.borrow().as_ref().map(|l| l.recording.log()))
}

/// Reloads the page (its address without fragment).
fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// Offers `text` as a file download named `name`.
fn download(name: &str, text: &str) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// Properties of [`PersistControls`].
#[derive(Properties, PartialEq)]
pub struct PersistProps {
    /// Whether the playground is saved in this browser (the page: yes; tests that give
    /// their own options: no).
    pub saved: bool,
    /// The page's language.
    #[prop_or_default]
    pub lang: crate::i18n::Lang,
}

/// Messages of [`PersistControls`].
pub enum PersistMsg {
    /// "Share".
    Share,
    /// The share link is ready.
    Shared(String),
    /// "Copy" the link.
    Copy,
    /// "Export".
    Export,
    /// A file was chosen to import.
    ImportChosen,
    /// Its text, read.
    Imported(Result<String, String>),
    /// "Reset".
    Reset,
}

/// Share, Export, Import and Reset, and the share link once made.
pub struct PersistControls {
    link: Option<AttrValue>,
    busy: bool,
    message: Option<(AttrValue, bool)>,
    file: NodeRef,
    link_box: NodeRef,
}

impl Component for PersistControls {
    type Message = PersistMsg;
    type Properties = PersistProps;

    fn create(_: &Context<Self>) -> Self {
        PersistControls {
            link: None,
            busy: false,
            message: None,
            file: NodeRef::default(),
            link_box: NodeRef::default(),
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            PersistMsg::Share => {
                let Some(log) = current_log() else {
                    return false;
                };
                self.busy = true;
                let done = ctx.link().callback(PersistMsg::Shared);
                wasm_bindgen_futures::spawn_local(async move {
                    done.emit(share_link(&log).await);
                });
                true
            }
            PersistMsg::Shared(url) => {
                self.busy = false;
                // The address bar carries it too, as the "Share" asks.
                if let Some(w) = web_sys::window() {
                    if let Ok(h) = w.history() {
                        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
                    }
                }
                self.message = Some((
                    tf(
                        current(),
                        K::ShareReady,
                        &[&crate::i18n::count(
                            current(),
                            url.len() as u64,
                            crate::i18n::Noun::Character,
                        )],
                    )
                    .into(),
                    false,
                ));
                self.link = Some(url.into());
                true
            }
            PersistMsg::Copy => {
                if let (Some(url), Some(w)) = (&self.link, web_sys::window()) {
                    let clipboard = Reflect::get(&w.navigator(), &"clipboard".into()).ok();
                    let write = clipboard.as_ref().and_then(|c| {
                        Reflect::get(c, &"writeText".into())
                            .ok()?
                            .dyn_into::<js_sys::Function>()
                            .ok()
                    });
                    let copied = match (clipboard, write) {
                        (Some(c), Some(f)) => f.call1(&c, &JsValue::from_str(url)).is_ok(),
                        _ => false,
                    };
                    if !copied {
                        if let Some(input) = self.link_box.cast::<HtmlInputElement>() {
                            input.select();
                        }
                    }
                    self.message = Some((
                        t(
                            current(),
                            if copied {
                                K::LinkCopied
                            } else {
                                K::SelectAndCopy
                            },
                        )
                        .into(),
                        false,
                    ));
                }
                true
            }
            PersistMsg::Export => {
                if let Some(log) = current_log() {
                    if download(EXPORT_NAME, &log.to_json()).is_err() {
                        self.message = Some((t(current(), K::DownloadRefused).into(), true));
                        return true;
                    }
                }
                false
            }
            PersistMsg::ImportChosen => {
                let file = self
                    .file
                    .cast::<HtmlInputElement>()
                    .and_then(|i| i.files())
                    .and_then(|f| f.get(0));
                let Some(file) = file else {
                    return false;
                };
                let done = ctx.link().callback(PersistMsg::Imported);
                if file.size() > MAX_JSON as f64 {
                    done.emit(Err(format!(
                        "the file is too large ({} bytes; at most {MAX_JSON})",
                        file.size()
                    )));
                    return false;
                }
                wasm_bindgen_futures::spawn_local(async move {
                    let text = JsFuture::from(file.text())
                        .await
                        .ok()
                        .and_then(|t| t.as_string())
                        .ok_or_else(|| "the file could not be read".to_string());
                    done.emit(text);
                });
                false
            }
            PersistMsg::Imported(text) => {
                let checked = text
                    .and_then(|t| ReplayLog::from_json(&t))
                    .and_then(|log| check_for_page(&log).map(|()| log));
                match checked {
                    Ok(log) => match save(&log.to_json(), &location_query()) {
                        Ok(()) => {
                            // Stop saving the old playground over the imported one.
                            LIVE.with(|l| *l.borrow_mut() = None);
                            reload();
                        }
                        Err(e) => {
                            self.message =
                                Some((tf(current(), K::ImportFailed, &[&e]).into(), true))
                        }
                    },
                    Err(e) => {
                        self.message = Some((tf(current(), K::ImportRefused, &[&e]).into(), true))
                    }
                }
                if let Some(input) = self.file.cast::<HtmlInputElement>() {
                    input.set_value("");
                }
                true
            }
            PersistMsg::Reset => {
                LIVE.with(|l| *l.borrow_mut() = None);
                clear_saved();
                if let Some(url) = address_without_fragment() {
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href(&url);
                    }
                }
                reload();
                false
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let lang = ctx.props().lang;
        html! {
            <section class="persist" aria-label={t(lang, K::SaveAndShare)}>
                <div class="persist-buttons">
                    <button type="button" data-testid="share" disabled={self.busy}
                        title={t(lang, K::ShareTitle)}
                        onclick={link.callback(|_| PersistMsg::Share)}>{ t(lang, K::Share) }</button>
                    <button type="button" data-testid="export"
                        title={t(lang, K::ExportTitle)}
                        onclick={link.callback(|_| PersistMsg::Export)}>{ t(lang, K::Export) }</button>
                    <label class="import-button" title={t(lang, K::ImportTitle)}>
                        { t(lang, K::Import) }
                        <input ref={self.file.clone()} type="file" class="sr-only" data-testid="import"
                            accept=".json,application/json"
                            onchange={link.callback(|_| PersistMsg::ImportChosen)} />
                    </label>
                    <button type="button" data-testid="reset"
                        title={t(lang, K::ResetTitle)}
                        onclick={link.callback(|_| PersistMsg::Reset)}>{ t(lang, K::Reset) }</button>
                </div>
                if !ctx.props().saved {
                    <p class="persist-note">{ t(lang, K::NotSaved) }</p>
                }
                if let Some(url) = &self.link {
                    <div class="share-link">
                        <input ref={self.link_box.clone()} type="text" readonly=true
                            aria-label={t(lang, K::ShareLink)} data-testid="share-link" value={url.clone()} />
                        <button type="button" data-testid="share-copy"
                            onclick={link.callback(|_| PersistMsg::Copy)}>{ t(lang, K::Copy) }</button>
                    </div>
                }
                if let Some((text, error)) = &self.message {
                    <p class={classes!("persist-message", error.then_some("error"))} role="status"
                        data-testid="persist-message">{ text.clone() }</p>
                }
            </section>
        }
    }
}
