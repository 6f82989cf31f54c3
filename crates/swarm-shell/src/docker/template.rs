//! A first cut of Go's `text/template` for `--format`: text, `{{.Field.Path}}`, `{{json .X}}`
//! and the `json` shorthand. The full subset docker uses (range, if, join, table …) grows here.

use serde_json::Value;

/// Why a template failed, in Go's words. `parse` errors are found before any data is seen
/// (docker exits 64 on those), the others while executing (exit 1).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TemplateError(pub String, pub bool);

fn parse_err(msg: String) -> TemplateError {
    TemplateError(msg, true)
}

fn exec_err(msg: String) -> TemplateError {
    TemplateError(msg, false)
}

/// Renders `template` against `data`. `json` alone prints the whole value as JSON.
pub(crate) fn render(
    template: &str,
    data: &Value,
    type_name: &str,
) -> Result<String, TemplateError> {
    if template.trim() == "json" {
        return Ok(serde_json::to_string(data).unwrap_or_default());
    }
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            let col = template.len() - rest.len() + start;
            return Err(parse_err(format!(
                "template: :1: unclosed action (col {col})"
            )));
        };
        let action = after[..end]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        out.push_str(&eval(action, data, type_name)?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn eval(action: &str, data: &Value, type_name: &str) -> Result<String, TemplateError> {
    let words: Vec<&str> = action.split_whitespace().collect();
    match words.as_slice() {
        [path] if path.starts_with('.') => Ok(go_print(lookup(data, path, type_name)?)),
        ["json", path] if path.starts_with('.') => {
            Ok(serde_json::to_string(lookup(data, path, type_name)?).unwrap_or_default())
        }
        [func, ..] if !func.starts_with('.') => Err(parse_err(format!(
            "template: :1: function \"{func}\" not defined"
        ))),
        _ => Err(parse_err(format!(
            "template: :1: unexpected \"{action}\" in command"
        ))),
    }
}

fn lookup<'a>(data: &'a Value, path: &str, type_name: &str) -> Result<&'a Value, TemplateError> {
    let mut v = data;
    if path == "." {
        return Ok(v);
    }
    for field in path.trim_start_matches('.').split('.') {
        v = match v.get(field) {
            Some(x) => x,
            None => {
                return Err(exec_err(format!(
                    "template: :1:{}: executing \"\" at <{path}>: can't evaluate field {field} in type {type_name}",
                    3
                )))
            }
        };
    }
    Ok(v)
}

/// `fmt.Sprint` of a JSON-shaped value, as Go prints structs' fields.
fn go_print(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_print).collect::<Vec<_>>().join(" ")),
        // Docker's structs have capitalised field names; anything else is a Go map, which
        // prints as `map[k:v …]` in key order.
        Value::Object(o)
            if !o.is_empty()
                && o.keys()
                    .all(|k| k.starts_with(|c: char| c.is_ascii_uppercase())) =>
        {
            format!(
                "{{{}}}",
                o.values().map(go_print).collect::<Vec<_>>().join(" ")
            )
        }
        Value::Object(o) => format!(
            "map[{}]",
            o.iter()
                .map(|(k, v)| format!("{k}:{}", go_print(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_and_json() {
        let d = json!({"Server": {"Version": "28.2.2"}, "Client": {"Version": "28.2.2"}});
        assert_eq!(render("{{.Server.Version}}", &d, "T").unwrap(), "28.2.2");
        assert_eq!(
            render("v={{ .Client.Version }}!", &d, "T").unwrap(),
            "v=28.2.2!"
        );
        assert_eq!(
            render("{{json .Server}}", &d, "T").unwrap(),
            r#"{"Version":"28.2.2"}"#
        );
        assert!(render("{{.Nope}}", &d, "T")
            .unwrap_err()
            .0
            .contains("can't evaluate field Nope"));
        assert!(render("{{foo}}", &d, "T")
            .unwrap_err()
            .0
            .contains("function \"foo\" not defined"));
        assert!(render("{{.Server", &d, "T").is_err());
    }
}
