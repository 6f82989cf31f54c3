//! A panic hook that tells the user, instead of leaving a page that silently stopped.
//!
//! On wasm32 a panic stops the program for good: the hook logs the message to the console and
//! lays a notice over the page. The notice is built from text nodes, like all output.
//!
//! The playground is replayable, so a panic need not lose it: the hook saves the replay log
//! without the entry that was being applied when it happened (the culprit; see
//! `persist::save_last_good`), and the notice offers "Restore last good state", a plain link
//! to the page's own address (without fragment), which reloads and replays that log. A link
//! rather than a button: after a panic the program cannot run any more code, but the browser
//! can still follow a link. (Loading the page with `#reset` forgets the saved playground.)

use std::sync::atomic::{AtomicBool, Ordering};

use crate::i18n::{t, K};

static SHOWN: AtomicBool = AtomicBool::new(false);

/// Installs the hook; call it before anything else runs.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&format!("Swarm Playground panicked: {message}").into());
        if !SHOWN.swap(true, Ordering::SeqCst) {
            let saved = crate::persist::save_last_good();
            show(&message, saved);
        }
    }));
}

/// Adds the notice to the page; does nothing if the page has no body (as in a worker).
fn show(message: &str, saved: bool) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else { return };
    let build = || -> Result<web_sys::Element, wasm_bindgen::JsValue> {
        let notice = document.create_element("div")?;
        notice.set_class_name("crash");
        notice.set_attribute("role", "alert")?;
        notice.set_attribute("data-testid", "crash")?;
        let title = document.create_element("h2")?;
        let lang = crate::i18n::current();
        title.set_text_content(Some(t(lang, K::Stopped)));
        let hint = document.create_element("p")?;
        hint.set_text_content(Some(t(
            lang,
            if saved {
                K::StoppedSaved
            } else {
                K::StoppedUnsaved
            },
        )));
        let actions = document.create_element("p")?;
        actions.set_class_name("crash-actions");
        let here = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let here = here.split('#').next().unwrap_or_default().to_string();
        if saved {
            let restore = document.create_element("a")?;
            restore.set_attribute("href", &here)?;
            restore.set_attribute("data-testid", "crash-restore")?;
            restore.set_class_name("crash-button");
            restore.set_text_content(Some(t(lang, K::RestoreLastGood)));
            actions.append_child(&restore)?;
        }

        let details = document.create_element("pre")?;
        details.set_text_content(Some(message));
        notice.append_child(&title)?;
        notice.append_child(&hint)?;
        notice.append_child(&actions)?;
        notice.append_child(&details)?;
        Ok(notice)
    };
    if let Ok(notice) = build() {
        let _ = body.append_child(&notice);
    }
}
