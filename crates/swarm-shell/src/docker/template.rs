//! Go's `text/template` for `--format`, from `swarm_extras::template` (the engine, its texts and
//! its rules are documented there).
//!
//! The engine is linked natively; in the page it is in the lazily loaded module, which the docker
//! dispatcher awaits before a command with `--format` runs (`jq_cmd::extras_ready`), so the calls
//! here stay synchronous. Each goes through [`crate::jq_cmd::template`] as one
//! [`Call`](swarm_extras::template::Call).

use serde_json::Value;
use swarm_extras::template::{Answer, Call};
pub(crate) use swarm_extras::template::{TemplateError, Types};

/// A template that parsed: its name and text (each [`Template::execute`] hands both to the
/// engine again).
#[derive(Debug)]
pub(crate) struct Template {
    name: String,
    text: String,
}

/// An answer of the wrong kind (only a broken module gives one).
fn confused() -> TemplateError {
    TemplateError(
        "template: the template module gave an answer of the wrong kind".into(),
        false,
    )
}

impl Template {
    /// Parses `text` as the template `name` (docker's list and inspect commands use `""`,
    /// `docker version` uses `"version"`): Go's `template.New(name).Funcs(docker's).Parse(text)`.
    pub(crate) fn parse(name: &str, text: &str) -> Result<Template, TemplateError> {
        let call = Call::Execute {
            name,
            text,
            data: &[],
            types: Types::default(),
        };
        match crate::jq_cmd::template(&call) {
            Answer::Executed(Ok(_)) => Ok(Template {
                name: name.to_string(),
                text: text.to_string(),
            }),
            Answer::Executed(Err(e)) | Answer::Rendered(Err(e)) => Err(e),
            Answer::Rendered(Ok(_)) => Err(confused()),
        }
    }

    /// Executes the template on `data`. Like Go, it returns what was written before an error,
    /// which docker prints (`docker inspect`, `docker version`) before the error message.
    pub(crate) fn execute(
        &self,
        data: &Value,
        types: &Types<'_>,
    ) -> (String, Option<TemplateError>) {
        let call = Call::Execute {
            name: &self.name,
            text: &self.text,
            data: std::slice::from_ref(data),
            types: *types,
        };
        match crate::jq_cmd::template(&call) {
            Answer::Executed(Ok(mut runs)) if runs.len() == 1 => runs.remove(0),
            Answer::Executed(Err(e)) | Answer::Rendered(Err(e)) => (String::new(), Some(e)),
            _ => (String::new(), Some(confused())),
        }
    }
}

/// Renders `template` against `data`, as `docker inspect --format` and `docker version --format`
/// do (see [`Call::Render`]).
pub(crate) fn render(
    template: &str,
    data: &Value,
    type_name: &str,
) -> Result<String, TemplateError> {
    rendered(crate::jq_cmd::template(&Call::Render {
        template,
        data,
        type_name,
    }))
}

/// docker's `--format` for list commands (see [`Call::Table`]); `header` gives the column title
/// of each field the command has one for.
pub(crate) fn render_table(
    format: &str,
    rows: &[Value],
    type_name: &str,
    header: &[(&str, &str)],
) -> Result<String, TemplateError> {
    rendered(crate::jq_cmd::template(&Call::Table {
        format,
        rows,
        type_name,
        header,
    }))
}

fn rendered(answer: Answer) -> Result<String, TemplateError> {
    match answer {
        Answer::Rendered(r) => r,
        Answer::Executed(Err(e)) => Err(e),
        Answer::Executed(Ok(_)) => Err(confused()),
    }
}

/// What `docker volume|network inspect` prints for the objects it found: the JSON array, or
/// each object through `format` (a template that does not parse exits 64; an execution error
/// goes first among the lookup `errors`), then the errors. Returns the exit status.
pub(crate) fn write_inspect(
    io: &crate::exec::Io,
    format: Option<&str>,
    found: Vec<Value>,
    root: &str,
    mut errors: Vec<String>,
) -> i32 {
    if let Some(f) = format.filter(|f| !f.is_empty()) {
        let tpl = match Template::parse("", f) {
            Ok(t) => t,
            Err(e) => {
                io.err.write(&format!("template parsing error: {}\n", e.0));
                return 64;
            }
        };
        let types = Types { root, fields: &[] };
        let mut out = String::new();
        for v in &found {
            match tpl.execute(v, &types) {
                (text, None) => {
                    out.push_str(&text);
                    out.push('\n');
                }
                (_, Some(e)) => errors.insert(0, format!("template parsing error: {}", e.0)),
            }
        }
        // docker/cli's TemplateInspector prints a lone newline when nothing rendered.
        if out.is_empty() {
            out.push('\n');
        }
        io.out.write(&out);
    } else {
        io.out
            .write(&super::swarm_cmd::go_json_indent(&Value::Array(found)));
        io.out.write("\n");
    }
    if errors.is_empty() {
        return 0;
    }
    io.err.write(&format!("{}\n", errors.join("\n")));
    1
}
