//! The terminal of one machine: its scrollback, its prompt and the line being typed.
//!
//! The component owns only what belongs to the keyboard: the line being typed and where the
//! user is in the command history. The scrollback, the prompt and the history come from the
//! playground through the app, and every line goes back to it through `on_submit`. All output
//! is rendered as text nodes, never parsed as HTML.
//!
//! Keys: Enter submits the line (an empty one too, which echoes the prompt), ↑/↓ walk the
//! history, Ctrl+L clears the screen, Ctrl+C abandons the line or stops the running command
//! (unless text is selected: then it copies, as in terminal emulators). Tab completes through
//! the playground (`on_complete`; the result comes back as the `completion` prop), a second
//! Tab on the same line lists the candidates. readline's Ctrl+A/E/U/K/W and Alt+B/F edit the
//! line; Ctrl+D on an empty line ends the shell as `exit` does; Ctrl+R searches the history
//! backwards as bash does (type to narrow, Ctrl+R for older, Enter runs, Esc/Ctrl+G cancels).
//! A file dropped onto the terminal is uploaded into the shell's working directory.
//!
//! Tab completes, so it does not move the keyboard focus; Esc then Tab does (and Shift+Tab
//! always does), so keyboard-only users are never trapped in the terminal.
//!
//! While a command reads a line it asked for (`[y/N]`, `Username: `, `Password: `; the `mode`
//! prop), the input line comes back without the shell prompt: the question the command printed
//! last moves from the scrollback onto the input line, and Enter gives the typed text to the
//! command. A secret (a password) is typed into a password field, shown as bullets. History,
//! Tab completion, Ctrl+R and Ctrl+D do nothing then; readline's editing keys and Ctrl+C work.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{DragEvent, Element, HtmlElement, HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::i18n::{t, tf, K};

use crate::screen::Screen;

/// A terminal's scrollback, shared between the app (which fills it) and the component (which
/// shows it). Two handles are equal when they are the same scrollback.
#[derive(Clone, Debug, Default)]
pub struct ScreenRef(pub Rc<RefCell<Screen>>);

impl PartialEq for ScreenRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// What the terminal shows and where its input goes.
#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    /// The machine's hostname.
    pub machine: AttrValue,
    /// The machine's address, for the title bar.
    #[prop_or_default]
    pub ip: AttrValue,
    /// The scrollback.
    pub screen: ScreenRef,
    /// Changes whenever the scrollback changes (the handle itself stays the same).
    pub version: u64,
    /// The prompt before the input line.
    pub prompt: AttrValue,
    /// True while a command runs: the input line is hidden then, unless the command reads a
    /// line (`mode`).
    #[prop_or_default]
    pub busy: bool,
    /// What the input line is for: a command, or a line the running command reads.
    #[prop_or_default]
    pub mode: swarm_shell::InputMode,
    /// True once the terminal's shell has exited: the next line typed opens a new one.
    #[prop_or_default]
    pub exited: bool,
    /// Commands entered so far, oldest first.
    #[prop_or_default]
    pub history: Rc<Vec<String>>,
    /// True for the terminal on screen; only it carries the `data-testid`s.
    pub active: bool,
    /// The terminal takes the keyboard focus whenever this changes (while active).
    #[prop_or_default]
    pub focus: u64,
    /// A line was typed and Enter pressed.
    pub on_submit: Callback<String>,
    /// Ctrl+C with no line to abandon on the page's side: stop what runs.
    pub on_interrupt: Callback<String>,
    /// Ctrl+L.
    pub on_clear: Callback<()>,
    /// The last Tab completion (a counter, and the completed text before the cursor).
    #[prop_or_default]
    pub completion: (u64, AttrValue),
    /// Tab: the text before the cursor, and true for a second Tab (list the candidates).
    #[prop_or_default]
    pub on_complete: Callback<(String, bool)>,
    /// A file was dropped onto the terminal: its name and text.
    #[prop_or_default]
    pub on_upload: Callback<(String, String)>,
    /// The page's language.
    #[prop_or_default]
    pub lang: crate::i18n::Lang,
}

/// A key the terminal acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Enter.
    Submit,
    /// ↑.
    Older,
    /// ↓.
    Newer,
    /// Ctrl+L.
    Clear,
    /// Ctrl+C.
    Interrupt,
    /// Tab.
    Complete,
    /// Ctrl+A: to the start of the line.
    Home,
    /// Ctrl+E: to the end of the line.
    End,
    /// Ctrl+U: delete before the cursor.
    KillBefore,
    /// Ctrl+K: delete after the cursor.
    KillAfter,
    /// Ctrl+W: delete the word before the cursor.
    KillWord,
    /// Alt+B: a word left.
    WordLeft,
    /// Alt+F: a word right.
    WordRight,
    /// Ctrl+D on an empty line: end the shell, as `exit`.
    Eof,
    /// Ctrl+R: reverse search through the history (again: the next older match).
    Search,
    /// Esc or Ctrl+G during a search: back to the line as it was.
    CancelSearch,
}

/// Messages of the terminal component.
pub enum Msg {
    /// A key the terminal handles was pressed (its default action is already prevented).
    Key(Key),
    /// A click in the terminal: take the focus unless the user is selecting text.
    Click,
    /// The input's text changed (the search query, while searching).
    Input,
}

/// The terminal component.
pub struct Terminal {
    root: NodeRef,
    scroller: NodeRef,
    input: NodeRef,
    /// Where ↑/↓ are in the history: `None` while editing a new line.
    cursor: Option<usize>,
    /// The new line being typed, kept while ↑/↓ show older ones.
    draft: String,
    /// True while the view is scrolled to the bottom: new output then keeps it there.
    stick: Rc<Cell<bool>>,
    /// The text after the cursor while a Tab completion is on its way.
    after_cursor: String,
    /// The line as the last completion left it: Tab again on it lists the candidates.
    completed_line: Option<String>,
    /// While Ctrl+R searches: the line before the search, and the history index found.
    search: Option<(String, Option<usize>)>,
    want_focus: bool,
    want_scroll: bool,
    /// Set by Esc: the next Tab moves the focus out of the terminal instead of completing.
    release_tab: Rc<Cell<bool>>,
}

impl Component for Terminal {
    type Message = Msg;
    type Properties = TerminalProps;

    fn create(ctx: &Context<Self>) -> Self {
        Terminal {
            root: NodeRef::default(),
            scroller: NodeRef::default(),
            input: NodeRef::default(),
            cursor: None,
            draft: String::new(),
            stick: Rc::new(Cell::new(true)),
            after_cursor: String::new(),
            completed_line: None,
            search: None,
            want_focus: ctx.props().active,
            want_scroll: true,
            release_tab: Rc::new(Cell::new(false)),
        }
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Self::Properties) -> bool {
        let new = ctx.props();
        if new.active && (!old.active || new.focus != old.focus) {
            self.want_focus = true;
            self.stick.set(true);
        }
        // The input hides while a command runs and comes back after: keep the keyboard in
        // the terminal if it was there (or nowhere), so that Ctrl+C and typing keep working.
        if new.active
            && (new.busy != old.busy || new.mode != old.mode || new.exited != old.exited)
            && self.focus_is_here_or_nowhere()
        {
            self.want_focus = true;
        }
        if new.version != old.version
            || new.prompt != old.prompt
            || new.busy != old.busy
            || new.mode != old.mode
            || !old.active
        {
            self.want_scroll = true;
        }
        if new.history.len() != old.history.len() {
            self.cursor = None;
        }
        if new.completion.0 != old.completion.0 {
            let before = new.completion.1.to_string();
            let line = format!("{before}{}", self.after_cursor);
            self.set_line(&line);
            self.set_caret(before.encode_utf16().count() as u32);
            self.completed_line = Some(line);
        }
        true
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        let props = ctx.props();
        if reading(props)
            && matches!(
                msg,
                Msg::Key(Key::Search | Key::Older | Key::Newer | Key::Complete | Key::Eof)
            )
        {
            // An answer has no history, completion or end-of-file here.
            return false;
        }
        if self.search.is_some() {
            match msg {
                Msg::Key(Key::Search) => {
                    let from = self.search.as_ref().and_then(|s| s.1);
                    let hit = find_back(&props.history, &self.line(), from);
                    if let Some(s) = &mut self.search {
                        if hit.is_some() {
                            s.1 = hit;
                        }
                    }
                    return true;
                }
                Msg::Input => {
                    let hit = find_back(&props.history, &self.line(), None);
                    if let Some(s) = &mut self.search {
                        s.1 = hit;
                    }
                    return true;
                }
                Msg::Key(Key::CancelSearch) => {
                    let (draft, _) = self.search.take().unwrap_or_default();
                    self.set_line(&draft);
                    return true;
                }
                Msg::Key(Key::Submit) => {
                    // Enter runs the line found, as bash does.
                    let found = self
                        .search
                        .take()
                        .and_then(|(_, hit)| hit)
                        .and_then(|i| props.history.get(i).cloned())
                        .unwrap_or_default();
                    self.set_line(&found);
                }
                Msg::Click => {}
                _ => {
                    // Any other key takes the line found for editing.
                    let found = self
                        .search
                        .take()
                        .and_then(|(_, hit)| hit)
                        .and_then(|i| props.history.get(i).cloned());
                    if let Some(f) = found {
                        self.set_line(&f);
                    }
                    return true;
                }
            }
        }
        match msg {
            Msg::Key(Key::Search) => {
                self.search = Some((self.line(), None));
                self.set_line("");
                return true;
            }
            Msg::Key(Key::CancelSearch) | Msg::Input => {}
            Msg::Key(Key::Submit) => {
                let line = self.take_line();
                self.stick.set(true);
                self.want_scroll = true;
                props.on_submit.emit(line);
            }
            Msg::Key(Key::Interrupt) => {
                let typed = self.take_line();
                self.stick.set(true);
                self.want_scroll = true;
                props.on_interrupt.emit(typed);
            }
            Msg::Key(Key::Clear) => props.on_clear.emit(()),
            Msg::Key(Key::Complete) => {
                let (chars, caret) = self.chars_and_caret();
                let before: String = chars[..caret].iter().collect();
                let line: String = chars.iter().collect();
                self.after_cursor = chars[caret..].iter().collect();
                let again = self.completed_line.as_deref() == Some(line.as_str());
                props.on_complete.emit((before, again));
            }
            Msg::Key(Key::Eof) => {
                if self.line().is_empty() {
                    self.stick.set(true);
                    self.want_scroll = true;
                    props.on_submit.emit("exit".to_string());
                }
            }
            Msg::Key(
                k @ (Key::Home
                | Key::End
                | Key::KillBefore
                | Key::KillAfter
                | Key::KillWord
                | Key::WordLeft
                | Key::WordRight),
            ) => {
                let (chars, caret) = self.chars_and_caret();
                let (line, at) = edit(&chars, caret, k);
                let text: String = line.iter().collect();
                if text != self.line() {
                    self.set_line(&text);
                }
                let at16: usize = line[..at].iter().map(|c| c.len_utf16()).sum();
                self.set_caret(at16 as u32);
            }
            Msg::Key(Key::Older) => {
                let history = &props.history;
                if history.is_empty() {
                    return false;
                }
                let next = match self.cursor {
                    None => {
                        self.draft = self.line();
                        history.len() - 1
                    }
                    Some(i) => i.saturating_sub(1),
                };
                self.cursor = Some(next);
                self.set_line(&history[next]);
            }
            Msg::Key(Key::Newer) => match self.cursor {
                Some(i) if i + 1 < props.history.len() => {
                    self.cursor = Some(i + 1);
                    self.set_line(&props.history[i + 1]);
                }
                Some(_) => {
                    self.cursor = None;
                    let draft = std::mem::take(&mut self.draft);
                    self.set_line(&draft);
                }
                None => {}
            },
            Msg::Click => {
                if !has_selection() {
                    self.focus(!takes_input(props));
                }
            }
        }
        false
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        crate::query::rendered("render-terminal");
        let props = ctx.props();
        let busy = props.busy;
        // After `exit` the next line opens a new shell, as a terminal emulator would.
        let takes_input = takes_input(props);
        let release_tab = self.release_tab.clone();
        let onkeydown = ctx.link().batch_callback(move |e: KeyboardEvent| {
            // Esc, Tab: the browser moves the focus on.
            if release_tab.replace(e.key() == "Escape") && e.key() == "Tab" {
                return None;
            }
            let key = key_of(&e, takes_input)?;
            e.prevent_default();
            Some(Msg::Key(key))
        });
        let onclick = ctx.link().callback(|_: MouseEvent| Msg::Click);
        let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
        let upload = props.on_upload.clone();
        let ondrop = Callback::from(move |e: DragEvent| {
            e.prevent_default();
            let Some(files) = e.data_transfer().and_then(|d| d.files()) else {
                return;
            };
            for i in 0..files.length() {
                let Some(file) = files.get(i) else { continue };
                let upload = upload.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let name = file.name();
                    let text = wasm_bindgen_futures::JsFuture::from(file.text())
                        .await
                        .ok()
                        .and_then(|v| v.as_string());
                    if let Some(text) = text {
                        upload.emit((name, text));
                    }
                });
            }
        });
        let stick = self.stick.clone();
        let scroller = self.scroller.clone();
        let onscroll = Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<Element>() {
                stick.set(el.scroll_height() - el.scroll_top() - el.client_height() < 24);
            }
        });
        let testid = |id: &'static str| props.active.then_some(id);
        let machine = &props.machine;
        let screen = props.screen.0.borrow();
        let (question, asked_in) = question(&screen, props.mode);
        let pieces = screen.pieces().map(|piece| {
            let (ps1, rest) = piece.split_prompt();
            // The question goes onto the input line.
            let rest = match asked_in {
                Some(id) if id == piece.id => rest
                    .get(..rest.len().saturating_sub(question.len()))
                    .unwrap_or(rest),
                _ => rest,
            };
            let ps1 = (!ps1.is_empty()).then(|| html! { <span class="ps1">{ ps1.to_owned() }</span> });
            html! {
                <span key={piece.id} class={piece.kind.class()}>{ for ps1 }{ rest.to_owned() }</span>
            }
        });
        let lang = props.lang;
        let status = t(
            lang,
            if props.exited {
                K::SessionEnded
            } else if busy {
                K::Running
            } else {
                K::TerminalReady
            },
        );
        html! {
            <section
                ref={self.root.clone()}
                {ondragover}
                {ondrop}
                class="terminal"
                hidden={!props.active}
                aria-label={tf(lang, K::TerminalOf, &[machine])}
            >
                <header class="terminal-bar">
                    <span class={classes!("dot", busy.then_some("busy"), props.exited.then_some("ended"))} aria-hidden="true"></span>
                    <span class="terminal-title">{ machine.clone() }</span>
                    <span class="terminal-ip">{ props.ip.clone() }</span>
                    <span class="terminal-status">{ status }</span>
                    <span class="terminal-keys" aria-hidden="true">{ t(lang, K::TerminalKeys) }</span>
                </header>
                <div
                    ref={self.scroller.clone()}
                    class="screen"
                    tabindex="-1"
                    {onkeydown}
                    {onclick}
                    {onscroll}
                >
                    <pre class="output" role="log" data-testid={testid("terminal-output")}>{ for pieces }</pre>
                    if props.exited {
                        <p class="ended">{ t(lang, K::ShellExited) }</p>
                    }
                    <div class="input-line" hidden={!takes_input}>
                        if self.search.is_some() {
                            <span class="ps1" data-testid={testid("search-label")}>{ "(reverse-i-search)`" }</span>
                        } else if reading(props) {
                            <span class="question" data-testid={testid("terminal-question")}>{ question.to_owned() }</span>
                        } else {
                            <span class="ps1">{ props.prompt.clone() }</span>
                        }
                        <input
                            ref={self.input.clone()}
                            class="command"
                            type={if props.mode == swarm_shell::InputMode::Secret { "password" } else { "text" }}
                            data-testid={testid("terminal-input")}
                            aria-label={tf(lang, K::CommandFor, &[machine])}
                            autocomplete="off"
                            autocapitalize="off"
                            autocorrect="off"
                            spellcheck="false"
                            enterkeyhint="send"
                            oninput={ctx.link().callback(|_: InputEvent| Msg::Input)}
                        />
                        if let Some((_, hit)) = &self.search {
                            <span class="search-hit" data-testid={testid("search-hit")}>
                                { format!("': {}", hit.and_then(|i| props.history.get(i)).cloned().unwrap_or_default()) }
                            </span>
                        }
                    </div>
                </div>
            </section>
        }
    }

    fn rendered(&mut self, ctx: &Context<Self>, _first_render: bool) {
        let props = ctx.props();
        if !props.active {
            return;
        }
        if std::mem::take(&mut self.want_focus) {
            self.focus(!takes_input(props));
        }
        if std::mem::take(&mut self.want_scroll) && self.stick.get() {
            if let Some(el) = self.scroller.cast::<Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        }
    }
}

impl Terminal {
    /// The line being typed.
    fn line(&self) -> String {
        self.input
            .cast::<HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default()
    }

    /// Replaces the line being typed, with the caret at its end.
    fn set_line(&self, line: &str) {
        if let Some(input) = self.input.cast::<HtmlInputElement>() {
            input.set_value(line);
            let end = line.encode_utf16().count() as u32;
            let _ = input.set_selection_range(end, end);
        }
    }

    /// Puts the caret at a UTF-16 offset of the line.
    fn set_caret(&self, at: u32) {
        if let Some(input) = self.input.cast::<HtmlInputElement>() {
            let _ = input.set_selection_range(at, at);
        }
    }

    /// The line as characters, and the caret as an index into them.
    fn chars_and_caret(&self) -> (Vec<char>, usize) {
        let Some(input) = self.input.cast::<HtmlInputElement>() else {
            return (Vec::new(), 0);
        };
        let chars: Vec<char> = input.value().chars().collect();
        let caret16 = input.selection_start().ok().flatten().unwrap_or(u32::MAX) as usize;
        let mut seen = 0;
        let mut at = chars.len();
        for (i, c) in chars.iter().enumerate() {
            if seen >= caret16 {
                at = i;
                break;
            }
            seen += c.len_utf16();
        }
        (chars, at)
    }

    /// Takes the line being typed, leaving the input empty and the history at its end.
    fn take_line(&mut self) -> String {
        let line = self.line();
        self.set_line("");
        self.cursor = None;
        self.draft.clear();
        line
    }

    /// Focuses the input, or the screen while the input is hidden (so Ctrl+C still arrives).
    fn focus(&self, input_hidden: bool) {
        let target = if input_hidden {
            self.scroller.cast::<HtmlElement>()
        } else {
            self.input.cast::<HtmlElement>()
        };
        if let Some(el) = target {
            let _ = el.focus();
        }
    }

    /// True if the keyboard focus is inside this terminal or on nothing in particular.
    fn focus_is_here_or_nowhere(&self) -> bool {
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let Some(active) = active else { return true };
        if active.tag_name().eq_ignore_ascii_case("body") {
            return true;
        }
        self.root
            .cast::<Element>()
            .is_some_and(|root| root.contains(Some(&active)))
    }
}

/// The key `e` stands for, if the terminal acts on it. `takes_input` is false while the input
/// line is hidden: only Ctrl+C and Ctrl+L work then.
fn key_of(e: &KeyboardEvent, takes_input: bool) -> Option<Key> {
    if e.is_composing() || e.meta_key() {
        return None;
    }
    let ctrl = e.ctrl_key();
    let key = e.key();
    if e.alt_key() {
        return match (ctrl, key.as_str()) {
            (false, "b" | "B") if takes_input => Some(Key::WordLeft),
            (false, "f" | "F") if takes_input => Some(Key::WordRight),
            _ => None,
        };
    }
    if takes_input && !e.shift_key() {
        let edit = match (ctrl, key.as_str()) {
            (false, "Tab") => Some(Key::Complete),
            (true, "a" | "A") => Some(Key::Home),
            (true, "e" | "E") => Some(Key::End),
            (true, "u" | "U") => Some(Key::KillBefore),
            (true, "k" | "K") => Some(Key::KillAfter),
            (true, "w" | "W") => Some(Key::KillWord),
            (true, "d" | "D") => Some(Key::Eof),
            (true, "r" | "R") => Some(Key::Search),
            (true, "g" | "G") | (false, "Escape") => Some(Key::CancelSearch),
            _ => None,
        };
        if edit.is_some() {
            return edit;
        }
    }
    match (ctrl, key.as_str()) {
        (true, "c" | "C") if !e.shift_key() && !has_selection() && !input_has_selection(e) => {
            Some(Key::Interrupt)
        }
        (true, "l" | "L") if !e.shift_key() => Some(Key::Clear),
        (false, "Enter") if takes_input && !e.shift_key() => Some(Key::Submit),
        (false, "ArrowUp") if takes_input => Some(Key::Older),
        (false, "ArrowDown") if takes_input => Some(Key::Newer),
        _ => None,
    }
}

/// True while the running command reads a line typed at the terminal.
fn reading(props: &TerminalProps) -> bool {
    matches!(
        props.mode,
        swarm_shell::InputMode::Line | swarm_shell::InputMode::Secret
    )
}

/// True when the input line shows: no command runs, or the one running reads a line.
fn takes_input(props: &TerminalProps) -> bool {
    !props.busy || reading(props)
}

/// While a command reads a line: the question it printed (the unfinished last line of the
/// screen, when a command's output ends it) and the piece it ends; else nothing.
fn question(screen: &Screen, mode: swarm_shell::InputMode) -> (&str, Option<u64>) {
    if !matches!(
        mode,
        swarm_shell::InputMode::Line | swarm_shell::InputMode::Secret
    ) {
        return ("", None);
    }
    match screen.pieces().last() {
        Some(p) if p.kind != crate::screen::Kind::Echo => {
            let start = p.text.rfind('\n').map_or(0, |i| i + 1);
            (&p.text[start..], Some(p.id))
        }
        _ => ("", None),
    }
}

/// The newest history entry containing `query`, older than `before` if given.
fn find_back(history: &[String], query: &str, before: Option<usize>) -> Option<usize> {
    let end = before.unwrap_or(history.len()).min(history.len());
    (0..end).rev().find(|&i| history[i].contains(query))
}

/// readline's editing commands on a line: the new line and caret (character indices).
fn edit(line: &[char], caret: usize, key: Key) -> (Vec<char>, usize) {
    let caret = caret.min(line.len());
    let word_start = |from: usize| {
        let mut i = from;
        while i > 0 && !line[i - 1].is_alphanumeric() {
            i -= 1;
        }
        while i > 0 && line[i - 1].is_alphanumeric() {
            i -= 1;
        }
        i
    };
    match key {
        Key::Home => (line.to_vec(), 0),
        Key::End => (line.to_vec(), line.len()),
        Key::KillBefore => (line[caret..].to_vec(), 0),
        Key::KillAfter => (line[..caret].to_vec(), caret),
        Key::KillWord => {
            // Ctrl+W deletes back to the previous whitespace (unix-word-rubout).
            let mut i = caret;
            while i > 0 && line[i - 1].is_whitespace() {
                i -= 1;
            }
            while i > 0 && !line[i - 1].is_whitespace() {
                i -= 1;
            }
            let mut out = line[..i].to_vec();
            out.extend_from_slice(&line[caret..]);
            (out, i)
        }
        Key::WordLeft => (line.to_vec(), word_start(caret)),
        Key::WordRight => {
            let mut i = caret;
            while i < line.len() && !line[i].is_alphanumeric() {
                i += 1;
            }
            while i < line.len() && line[i].is_alphanumeric() {
                i += 1;
            }
            (line.to_vec(), i)
        }
        _ => (line.to_vec(), caret),
    }
}

/// True if the user has selected text on the page (to copy it with Ctrl+C).
fn has_selection() -> bool {
    web_sys::window()
        .and_then(|w| w.get_selection().ok().flatten())
        .is_some_and(|s| !s.is_collapsed() && s.to_string().length() > 0)
}

/// True if the event comes from an input with part of its text selected.
fn input_has_selection(e: &KeyboardEvent) -> bool {
    let Some(input) = e
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
    else {
        return false;
    };
    matches!(
        (input.selection_start(), input.selection_end()),
        (Ok(Some(a)), Ok(Some(b))) if a != b
    )
}
