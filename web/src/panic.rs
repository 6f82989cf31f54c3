//! A panic hook that tells the user, instead of leaving a page that silently stopped.
//!
//! On wasm32 a panic stops the program for good: the hook logs the message to the console and
//! lays a notice over the page. The notice is built from text nodes, like all output.

use std::sync::atomic::{AtomicBool, Ordering};

static SHOWN: AtomicBool = AtomicBool::new(false);

/// Installs the hook; call it before anything else runs.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&format!("Swarm Playground panicked: {message}").into());
        if !SHOWN.swap(true, Ordering::SeqCst) {
            show(&message);
        }
    }));
}

/// Adds the notice to the page; does nothing if the page has no body (as in a worker).
fn show(message: &str) {
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
        title.set_text_content(Some("The playground stopped"));
        let hint = document.create_element("p")?;
        hint.set_text_content(Some(
            "An internal error stopped the simulation. Reload the page to start a new playground. \
             The details below help to report the problem.",
        ));
        let details = document.create_element("pre")?;
        details.set_text_content(Some(message));
        notice.append_child(&title)?;
        notice.append_child(&hint)?;
        notice.append_child(&details)?;
        Ok(notice)
    };
    if let Ok(notice) = build() {
        let _ = body.append_child(&notice);
    }
}
