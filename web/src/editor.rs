//! The editor panel: what `nano FILE`, `vi FILE` and `vim FILE` open in the page.
//!
//! A monospace text area with line numbers over the terminal, titled like nano. Save
//! (Ctrl+S or Ctrl+O) writes the file back through the playground; Cancel (Esc or Ctrl+X)
//! closes it unchanged. Tab inserts two spaces, as a YAML file wants.

use web_sys::{HtmlTextAreaElement, KeyboardEvent};
use yew::prelude::*;

use crate::i18n::{t, tf, K};

/// What the editor shows and where its answers go.
#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The file's absolute path.
    pub path: AttrValue,
    /// Its content when opened.
    pub content: AttrValue,
    /// Why the last save failed, if it did.
    #[prop_or_default]
    pub error: Option<AttrValue>,
    /// Save with this content.
    pub on_save: Callback<String>,
    /// Close without saving.
    pub on_cancel: Callback<()>,
    /// The page's language.
    #[prop_or_default]
    pub lang: crate::i18n::Lang,
}

/// Messages of the editor.
pub enum Msg {
    /// The text changed.
    Input,
    /// A key the editor handles.
    Key(KeyboardEvent),
    /// The Save button.
    Save,
    /// The Cancel button.
    Cancel,
}

/// The editor component.
pub struct Editor {
    area: NodeRef,
    lines: usize,
}

fn count_lines(text: &str) -> usize {
    text.split('\n').count().max(1)
}

impl Component for Editor {
    type Message = Msg;
    type Properties = EditorProps;

    fn create(ctx: &Context<Self>) -> Self {
        Editor {
            area: NodeRef::default(),
            lines: count_lines(&ctx.props().content),
        }
    }

    fn rendered(&mut self, _ctx: &Context<Self>, first: bool) {
        if first {
            if let Some(area) = self.area.cast::<HtmlTextAreaElement>() {
                let _ = area.focus();
                let _ = area.set_selection_range(0, 0);
            }
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        let text = || {
            self.area
                .cast::<HtmlTextAreaElement>()
                .map(|a| a.value())
                .unwrap_or_default()
        };
        match msg {
            Msg::Input => {
                let n = count_lines(&text());
                if n != self.lines {
                    self.lines = n;
                    return true;
                }
                false
            }
            Msg::Key(e) => {
                let ctrl = e.ctrl_key() || e.meta_key();
                match (ctrl, e.key().as_str()) {
                    (true, "s" | "S" | "o" | "O") => {
                        e.prevent_default();
                        ctx.props().on_save.emit(text());
                    }
                    (true, "x" | "X") | (false, "Escape") => {
                        e.prevent_default();
                        ctx.props().on_cancel.emit(());
                    }
                    (false, "Tab") if !e.shift_key() => {
                        e.prevent_default();
                        if let Some(area) = self.area.cast::<HtmlTextAreaElement>() {
                            let value: Vec<u16> = area.value().encode_utf16().collect();
                            let start = area.selection_start().ok().flatten().unwrap_or(0) as usize;
                            let end = area.selection_end().ok().flatten().unwrap_or(0) as usize;
                            let (start, end) = (start.min(value.len()), end.min(value.len()));
                            let mut out: Vec<u16> = value[..start.min(end)].to_vec();
                            out.extend("  ".encode_utf16());
                            out.extend_from_slice(&value[end.max(start)..]);
                            area.set_value(&String::from_utf16_lossy(&out));
                            let at = (start.min(end) + 2) as u32;
                            let _ = area.set_selection_range(at, at);
                        }
                    }
                    _ => {}
                }
                false
            }
            Msg::Save => {
                ctx.props().on_save.emit(text());
                false
            }
            Msg::Cancel => {
                ctx.props().on_cancel.emit(());
                false
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let props = ctx.props();
        let link = ctx.link();
        let numbers: String = (1..=self.lines).map(|n| format!("{n}\n")).collect();
        html! {
            <div class="editor-backdrop">
                <section class="editor" role="dialog" aria-label={tf(props.lang, K::Editing, &[&props.path])} data-testid="editor">
                    <header class="editor-title">
                        <span>{ "GNU nano" }</span>
                        <span class="editor-path">{ props.path.clone() }</span>
                    </header>
                    <div class="editor-body">
                        <pre class="editor-gutter" aria-hidden="true">{ numbers }</pre>
                        <textarea
                            ref={self.area.clone()}
                            class="editor-text"
                            data-testid="editor-text"
                            spellcheck="false"
                            autocapitalize="off"
                            autocomplete="off"
                            wrap="off"
                            rows={(self.lines + 1).to_string()}
                            value={props.content.clone()}
                            oninput={link.callback(|_| Msg::Input)}
                            onkeydown={link.callback(Msg::Key)}
                        />
                    </div>
                    if let Some(e) = &props.error {
                        <p class="editor-error" role="alert">{ e.clone() }</p>
                    }
                    <footer class="editor-keys">
                        <button type="button" data-testid="editor-save" onclick={link.callback(|_| Msg::Save)}>{ t(props.lang, K::Save) }</button>
                        <button type="button" data-testid="editor-cancel" onclick={link.callback(|_| Msg::Cancel)}>{ t(props.lang, K::Cancel) }</button>
                    </footer>
                </section>
            </div>
        }
    }
}
