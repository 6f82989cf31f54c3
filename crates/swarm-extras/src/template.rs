//! Go's `text/template`, the subset the docker CLI uses for `--format`, over JSON-shaped data.
//!
//! This is a port of Go 1.24's `text/template` (docker 28 is built with it): the lexer and parser
//! follow `text/template/parse` step by step, so parse errors come out in Go's words and with
//! Go's line numbers, and the executor follows `exec.go`, so execution errors carry Go's
//! `template: :LINE:COL: executing "" at <NODE>: …` location. The functions are Go's builtins
//! (`and or not eq ne lt le gt ge len index slice print printf println html js urlquery call`)
//! and docker's (`json split join title lower upper pad truncate`, cli/templates/templates.go).
//!
//! Data is a `serde_json::Value`. Go would see typed structs and maps; here:
//!
//! - an object whose keys all start with an upper-case letter is a struct (fields in document
//!   order, printed `{v1 v2}`, a missing field is an error), any other object is a Go map (keys
//!   sorted, printed `map[k:v]`, a missing key is `<no value>`);
//! - integers are `int`, other numbers `float64`, JSON `null` is a nil pointer;
//! - [`Types`] can name the Go type of any value by its path (`Spec.Labels`, `Ports[]` for the
//!   elements of an array or the values of a map), which fixes the type names in errors, makes an
//!   object a map or a struct, and gives fields that the JSON omits (`omitempty`) their zero value;
//!   a struct the schema knows is looked up by its Go field names (`.ID`, JSON `Id`);
//! - [`Call::Inspect`] runs docker's inspect template twice if need be: typed, then over the raw
//!   JSON as Go's `any` (every object a map, numbers `json.Number`) with `missingkey=error`.
//!
//! [`render_table`] is docker's `formatter.Context` for list commands (`table`, `json`, `\t`).
//!
//! Nothing here panics on any input, and the executor stops runaway templates (output over
//! 4 MiB, two million steps, nesting deeper than 100) with an error instead of exhausting memory
//! or the stack.
//!
//! The docker commands ask for one [`Call`] at a time and get an [`Answer`]. Both cross a
//! JavaScript boundary as text ([`Call::to_wire`], [`run_wire`], [`Answer::from_wire`]): natively
//! swarm-shell links the engine and calls [`run`]; in the browser the engine is in the lazily
//! loaded module.

use serde_json::{json, Value};

#[cfg(feature = "engine")]
mod engine;
#[cfg(feature = "engine")]
mod gotime;
#[cfg(feature = "engine")]
mod schema;

/// Why a template failed, in Go's words. `.1` is true for parse errors, found before any data
/// is seen (`docker version` exits 64 on those), false for execution errors.
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct TemplateError(pub String, pub bool);

/// The Go types of the data, for error messages and the struct/map distinction.
///
/// `root` names the type of the whole value (`types.VersionResponse`); `fields` maps a path to
/// a type: `Spec`, `Spec.Labels`, `ManagerStatus` (a struct's field is `PARENT.Name`, an array's
/// element or a map's value is `PARENT[]`). A type starting with `map[` makes an object a map,
/// `*` a pointer (JSON `null` is then a nil pointer), `[]` a slice. A struct field missing from
/// the JSON whose path has a type is the zero value of that type, as Go would see it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Types<'h> {
    pub root: &'h str,
    pub fields: &'h [(&'h str, &'h str)],
}

/// What a docker command asks of the engine.
#[derive(Clone, Copy, Debug)]
pub enum Call<'a> {
    /// Go's `template.New(name).Funcs(docker's).Parse(text)`, then `Execute` on each of `data`
    /// (none: only parse).
    Execute {
        name: &'a str,
        text: &'a str,
        data: &'a [Value],
        types: Types<'a>,
    },
    /// As `docker inspect --format` and `docker version --format` render: `json` alone prints
    /// the value as compact JSON; errors name the template `""` and the data's type
    /// `type_name`; output written before an execution error is dropped.
    Render {
        template: &'a str,
        data: &'a Value,
        type_name: &'a str,
    },
    /// docker/cli's `TemplateInspector`, as every `inspect` command's `--format` runs: the
    /// template on each of `data` as the Go type `kinds[i].0` (fields by their Go names: `.ID`),
    /// and when that fails and the command has the raw JSON (`kinds[i].1`), again on the JSON
    /// as Go's `any` with `missingkey=error` (`.Id`; `map has no entry for key "X"`). Answers
    /// [`Answer::Executed`]: a parse error, or each datum's output or error (nothing printed),
    /// both as docker's whole message `template parsing error: …`.
    Inspect {
        template: &'a str,
        data: &'a [Value],
        kinds: &'a [(&'a str, bool)],
    },
    /// docker's `--format` for list commands (cli/command/formatter `Context`): `json` prints
    /// each row as JSON; otherwise the format is trimmed of spaces and its `\t` and `\n`
    /// escapes become tabs and newlines, and each row renders to a line. `table …` also renders
    /// the rest once as the header, where field `F` is the title `header` gives it (a field
    /// without one prints `<no value>`), and aligns everything with docker's tab writer. Errors
    /// are docker's whole message, `template parsing error: template: …`.
    Table {
        format: &'a str,
        rows: &'a [Value],
        type_name: &'a str,
        header: &'a [(&'a str, &'a str)],
    },
}

/// What the engine answers to a [`Call`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// To [`Call::Execute`]: the parse error, or what each datum printed and its error (Go
    /// returns what was written before an execution error, which docker prints).
    Executed(Result<Vec<(String, Option<TemplateError>)>, TemplateError>),
    /// To [`Call::Render`] and [`Call::Table`].
    Rendered(Result<String, TemplateError>),
}

/// Runs one call.
#[cfg(feature = "engine")]
pub fn run(call: &Call<'_>) -> Answer {
    match *call {
        Call::Execute {
            name,
            text,
            data,
            types,
        } => Answer::Executed(engine::Template::parse(name, text).map(|tpl| {
            data.iter()
                .map(|datum| tpl.execute(datum, &types))
                .collect()
        })),
        Call::Render {
            template,
            data,
            type_name,
        } => Answer::Rendered(engine::render(template, data, type_name)),
        Call::Inspect {
            template,
            data,
            kinds,
        } => Answer::Executed(engine::inspect(template, data, kinds)),
        Call::Table {
            format,
            rows,
            type_name,
            header,
        } => {
            let title = |field: &str| {
                header
                    .iter()
                    .find(|(f, _)| *f == field)
                    .map(|(_, t)| t.to_string())
            };
            Answer::Rendered(engine::render_table(format, rows, type_name, &title))
        }
    }
}

/// [`run`] over text: a [`Call::to_wire`] in, an answer for [`Answer::from_wire`] out. This is
/// what the browser module exports.
#[cfg(feature = "engine")]
pub fn run_wire(call: &str) -> String {
    let answer = match OwnedCall::from_wire(call) {
        Ok(owned) => {
            let fields: Vec<(&str, &str)> = owned
                .fields
                .iter()
                .map(|(p, t)| (p.as_str(), t.as_str()))
                .collect();
            let header: Vec<(&str, &str)> = owned
                .header
                .iter()
                .map(|(f, t)| (f.as_str(), t.as_str()))
                .collect();
            let types = Types {
                root: &owned.root,
                fields: &fields,
            };
            let kinds: Vec<(&str, bool)> =
                owned.kinds.iter().map(|(t, r)| (t.as_str(), *r)).collect();
            let call = match owned.op.as_str() {
                "execute" => Call::Execute {
                    name: &owned.name,
                    text: &owned.text,
                    data: &owned.data,
                    types,
                },
                "render" => Call::Render {
                    template: &owned.text,
                    data: owned.data.first().unwrap_or(&Value::Null),
                    type_name: &owned.root,
                },
                "inspect" => Call::Inspect {
                    template: &owned.text,
                    data: &owned.data,
                    kinds: &kinds,
                },
                _ => Call::Table {
                    format: &owned.text,
                    rows: &owned.data,
                    type_name: &owned.root,
                    header: &header,
                },
            };
            run(&call)
        }
        Err(e) => Answer::Rendered(Err(TemplateError(
            format!("template: unreadable call: {e}"),
            false,
        ))),
    };
    answer.to_wire()
}

impl Call<'_> {
    /// The call as text for [`run_wire`].
    pub fn to_wire(&self) -> String {
        let pairs =
            |list: &[(&str, &str)]| -> Value { list.iter().map(|(a, b)| json!([a, b])).collect() };
        let v = match *self {
            Call::Execute {
                name,
                text,
                data,
                types,
            } => json!({
                "op": "execute", "name": name, "text": text, "data": data,
                "root": types.root, "fields": pairs(types.fields),
            }),
            Call::Render {
                template,
                data,
                type_name,
            } => json!({
                "op": "render", "text": template, "data": [data], "root": type_name,
            }),
            Call::Inspect {
                template,
                data,
                kinds,
            } => json!({
                "op": "inspect", "text": template, "data": data,
                "kinds": kinds.iter().map(|(t, r)| json!([t, r])).collect::<Vec<_>>(),
            }),
            Call::Table {
                format,
                rows,
                type_name,
                header,
            } => json!({
                "op": "table", "text": format, "data": rows, "root": type_name,
                "header": pairs(header),
            }),
        };
        crate::wire::encode(&v)
    }
}

/// A [`Call`] read from text, owning its parts.
#[cfg(feature = "engine")]
struct OwnedCall {
    op: String,
    name: String,
    text: String,
    data: Vec<Value>,
    root: String,
    fields: Vec<(String, String)>,
    header: Vec<(String, String)>,
    kinds: Vec<(String, bool)>,
}

#[cfg(feature = "engine")]
impl OwnedCall {
    fn from_wire(text: &str) -> Result<OwnedCall, String> {
        let v = crate::wire::decode(text)?;
        let s = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let pairs = |k: &str| -> Vec<(String, String)> {
            v.get(k)
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|p| {
                            Some((p.get(0)?.as_str()?.into(), p.get(1)?.as_str()?.into()))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let op = s("op");
        let kinds = v
            .get("kinds")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|k| {
                        let t = k.get(0).and_then(Value::as_str).unwrap_or_default();
                        (
                            t.to_string(),
                            k.get(1).and_then(Value::as_bool).unwrap_or(true),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !matches!(op.as_str(), "execute" | "render" | "inspect" | "table") {
            return Err(format!("unknown operation {op:?}"));
        }
        Ok(OwnedCall {
            name: s("name"),
            text: s("text"),
            data: match v.get("data") {
                Some(Value::Array(data)) => data.clone(),
                _ => return Err("no data".into()),
            },
            root: s("root"),
            fields: pairs("fields"),
            header: pairs("header"),
            kinds,
            op,
        })
    }
}

impl Answer {
    /// The answer as text for [`Answer::from_wire`].
    pub fn to_wire(&self) -> String {
        let err = |e: &TemplateError| json!([e.0, e.1]);
        let v = match self {
            Answer::Executed(Ok(runs)) => json!({
                "executed": runs
                    .iter()
                    .map(|(out, e)| json!([out, e.as_ref().map(err)]))
                    .collect::<Vec<_>>(),
            }),
            Answer::Executed(Err(e)) => json!({ "parse_error": err(e) }),
            Answer::Rendered(Ok(out)) => json!({ "rendered": out }),
            Answer::Rendered(Err(e)) => json!({ "error": err(e) }),
        };
        crate::wire::encode(&v)
    }

    /// The answer [`run_wire`] wrote; text that is not one is an error answer.
    pub fn from_wire(text: &str) -> Answer {
        let bad = |why: &str| {
            Answer::Rendered(Err(TemplateError(
                format!("template: unreadable answer from the template module: {why}"),
                false,
            )))
        };
        let v = match crate::wire::decode(text) {
            Ok(v) => v,
            Err(e) => return bad(&e),
        };
        let err = |e: &Value| -> Option<TemplateError> {
            Some(TemplateError(
                e.get(0)?.as_str()?.into(),
                e.get(1)?.as_bool()?,
            ))
        };
        if let Some(out) = v.get("rendered").and_then(Value::as_str) {
            return Answer::Rendered(Ok(out.into()));
        }
        if let Some(e) = v.get("error").and_then(err) {
            return Answer::Rendered(Err(e));
        }
        if let Some(e) = v.get("parse_error").and_then(err) {
            return Answer::Executed(Err(e));
        }
        let Some(runs) = v.get("executed").and_then(Value::as_array) else {
            return bad("no answer");
        };
        let mut out = Vec::with_capacity(runs.len());
        for r in runs {
            let (Some(text), Some(e)) = (r.get(0).and_then(Value::as_str), r.get(1)) else {
                return bad("a malformed run");
            };
            let e = match e {
                Value::Null => None,
                e => match err(e) {
                    Some(e) => Some(e),
                    None => return bad("a malformed error"),
                },
            };
            out.push((text.to_string(), e));
        }
        Answer::Executed(Ok(out))
    }
}

#[cfg(all(test, feature = "engine"))]
mod tests {
    use super::*;

    /// Every call gives the same answer directly and across text.
    fn both(call: Call<'_>) -> Answer {
        let direct = run(&call);
        let wire = Answer::from_wire(&run_wire(&call.to_wire()));
        assert_eq!(wire, direct, "{call:?}");
        direct
    }

    #[test]
    fn calls_and_answers_cross_as_text() {
        let exact: f64 = "1.0715660391465826e-75".parse().unwrap();
        let data = [
            json!({"Name": "web", "Ratio": exact, "Labels": {"b": "2", "a": "1"}}),
            json!({"Name": "db", "Ratio": 0.5, "Labels": null}),
        ];
        let types = Types {
            root: "T",
            fields: &[("Labels", "map[string]string")],
        };
        let a = both(Call::Execute {
            name: "",
            text: "{{.Name}} {{.Ratio}} {{.Labels}}",
            data: &data,
            types,
        });
        assert_eq!(
            a,
            Answer::Executed(Ok(vec![
                ("web 1.0715660391465826e-75 map[a:1 b:2]".into(), None),
                ("db 0.5 map[]".into(), None),
            ]))
        );
        let a = both(Call::Execute {
            name: "",
            text: "{{.Name}}{{.Nope}}",
            data: &data[..1],
            types,
        });
        let Answer::Executed(Ok(runs)) = a else {
            panic!("{a:?}")
        };
        assert_eq!(runs[0].0, "web");
        assert!(runs[0].1.as_ref().is_some_and(|e| !e.1), "{runs:?}");
        let a = both(Call::Execute {
            name: "version",
            text: "{{.Name",
            data: &[],
            types,
        });
        assert!(
            matches!(a, Answer::Executed(Err(TemplateError(_, true)))),
            "{a:?}"
        );
        let a = both(Call::Render {
            template: "json",
            data: &data[0],
            type_name: "T",
        });
        assert_eq!(
            a,
            Answer::Rendered(Ok(
                r#"{"Name":"web","Ratio":1.0715660391465826e-75,"Labels":{"a":"1","b":"2"}}"#
                    .into()
            ))
        );
        // Both passes and each datum's own type cross too.
        let objects = [
            json!({"Id": "c1", "Name": "/web"}),
            json!({"Id": "n1", "Name": "bridge"}),
        ];
        let a = both(Call::Inspect {
            template: "{{.ID}}",
            data: &objects,
            kinds: &[
                ("container.InspectResponse", true),
                ("network.Inspect", false),
            ],
        });
        assert_eq!(
            a,
            Answer::Executed(Ok(vec![("c1".into(), None), ("n1".into(), None),]))
        );
        let a = both(Call::Inspect {
            template: "{{.Id}}",
            data: &objects,
            kinds: &[
                ("container.InspectResponse", true),
                ("network.Inspect", false),
            ],
        });
        let Answer::Executed(Ok(runs)) = a else {
            panic!("{a:?}")
        };
        assert_eq!(runs[0], ("c1".into(), None));
        assert!(runs[1].1.as_ref().is_some_and(|e| e
            .0
            .ends_with("can't evaluate field Id in type network.Inspect")));
        let a = both(Call::Table {
            format: r"table {{.Name}}	{{.Ratio}}",
            rows: &data,
            type_name: "T",
            header: &[("Name", "NAME"), ("Ratio", "RATIO")],
        });
        assert_eq!(
            a,
            Answer::Rendered(Ok(
                "NAME      RATIO\nweb       1.0715660391465826e-75\ndb        0.5\n".into()
            ))
        );
        let a = both(Call::Table {
            format: "table {{.Name}} {{.Other}}",
            rows: &[],
            type_name: "T",
            header: &[("Name", "NAME")],
        });
        assert_eq!(a, Answer::Rendered(Ok("NAME <no value>\n".into())));
    }

    #[test]
    fn bad_text_is_an_error_answer() {
        for text in [
            "",
            "{}",
            "{\"v\": {\"op\": \"nope\", \"data\": []}, \"f\": []}",
        ] {
            let a = Answer::from_wire(&run_wire(text));
            assert!(
                matches!(&a, Answer::Rendered(Err(e)) if e.0.starts_with("template: unreadable call")),
                "{a:?}"
            );
        }
        for text in ["", "{\"v\": {\"executed\": [[1, null]]}, \"f\": []}"] {
            let a = Answer::from_wire(text);
            assert!(
                matches!(&a, Answer::Rendered(Err(e)) if e.0.starts_with("template: unreadable answer")),
                "{a:?}"
            );
        }
    }
}
