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

/// [`render_table`] written out: the table on stdout (status 0), or the template's error
/// as the CLI prints it (status 1).
pub(crate) fn write_table(
    io: &crate::exec::Io,
    format: &str,
    rows: &[Value],
    type_name: &str,
    header: &[(&str, &str)],
) -> i32 {
    match render_table(format, rows, type_name, header) {
        Ok(out) => {
            io.out.write(&out);
            0
        }
        Err(e) => {
            io.err.write(&format!("{}\n", e.0));
            1
        }
    }
}

/// docker's `--format` for list commands (see [`Call::Table`]); `header` gives the column title
/// of each field the command has one for.
pub(crate) fn render_table(
    format: &str,
    rows: &[Value],
    type_name: &str,
    header: &[(&str, &str)],
) -> Result<String, TemplateError> {
    // A row is a formatter context, which `{{json .}}` (and `--format json`) marshals as a
    // Go map: keys in sorted order, whatever order the row was built in.
    let sorted: Vec<Value> = rows
        .iter()
        .map(|row| match row.as_object() {
            Some(obj) => {
                let mut keys: Vec<&String> = obj.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), obj[k].clone()))
                        .collect(),
                )
            }
            None => row.clone(),
        })
        .collect();
    rendered(crate::jq_cmd::template(&Call::Table {
        format,
        rows: &sorted,
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

/// Parses an inspect command's `--format` as `inspect.Inspect` does before any lookup: `None`
/// if it parses (or is `""` or `json`), else the exit status after the error was printed
/// (`parse_status`, as [`write_inspect`] gives it).
pub(crate) fn check_format(io: &crate::exec::Io, format: &str, parse_status: i32) -> Option<i32> {
    if matches!(format, "" | "json") {
        return None;
    }
    let e = Template::parse("", format).err()?;
    io.err.write(&format!("template parsing error: {}\n", e.0));
    Some(if e.1 { parse_status } else { 1 })
}

/// One reference of an inspect command, as its lookup answered: the object's JSON, its Go type
/// (`container.InspectResponse`) and whether the CLI has its raw JSON (the raw template pass,
/// see [`Call::Inspect`]), or the error the CLI reports for it.
pub(crate) type Lookup = Result<(Value, &'static str, bool), String>;

/// docker/cli's `inspect.Inspect`, which every `inspect` command prints through: with no
/// format the objects found as one indented JSON array, `json` as one compact array, otherwise
/// each object through the template (its two passes: [`Call::Inspect`]) on a line, a lone
/// newline when none printed. Then the errors (lookups' and templates' in the order of the
/// references) on stderr, exit 1. A template that does not parse prints
/// `template parsing error: …` and exits `parse_status` (64 from `inspect.Inspect`; the
/// commands that wrap its error in their own exit 1).
pub(crate) fn write_inspect(
    io: &crate::exec::Io,
    format: &str,
    refs: Vec<Lookup>,
    parse_status: i32,
) -> i32 {
    let mut errors = Vec::new();
    match format {
        "" | "json" => {
            let mut found = Vec::new();
            for r in refs {
                match r {
                    Ok((v, _, _)) => found.push(v),
                    Err(e) => errors.push(e),
                }
            }
            let values = Value::Array(found);
            let text = if format == "json" {
                serde_json::to_string(&values)
                    .unwrap_or_default()
                    .replace('<', "\\u003c")
                    .replace('>', "\\u003e")
                    .replace('&', "\\u0026")
            } else {
                super::swarm_cmd::go_json_indent(&values)
            };
            io.out.write(&format!("{text}\n"));
        }
        _ => {
            let mut data = Vec::new();
            let mut kinds = Vec::new();
            for (v, root, raw) in refs.iter().flatten() {
                data.push(v.clone());
                kinds.push((*root, *raw));
            }
            let call = Call::Inspect {
                template: format,
                data: &data,
                kinds: &kinds,
            };
            let mut runs = match crate::jq_cmd::template(&call) {
                Answer::Executed(Ok(runs)) if runs.len() == data.len() => runs.into_iter(),
                Answer::Executed(Err(e)) | Answer::Rendered(Err(e)) => {
                    io.err.write(&format!("{}\n", e.0));
                    return if e.1 { parse_status } else { 1 };
                }
                _ => {
                    io.err.write(&format!("{}\n", confused().0));
                    return 1;
                }
            };
            let mut out = String::new();
            for r in refs {
                match r {
                    Ok(_) => match runs.next() {
                        Some((text, None)) => {
                            out.push_str(&text);
                            out.push('\n');
                        }
                        Some((_, Some(e))) => errors.push(e.0),
                        None => errors.push(confused().0),
                    },
                    Err(e) => errors.push(e),
                }
            }
            // The template inspector's Flush: a lone newline when nothing printed.
            if out.is_empty() {
                out.push('\n');
            }
            io.out.write(&out);
        }
    }
    if errors.is_empty() {
        return 0;
    }
    io.err.write(&format!("{}\n", errors.join("\n")));
    1
}
