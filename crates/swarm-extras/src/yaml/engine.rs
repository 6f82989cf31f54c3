//! The parser: serde_yaml over libyaml, with go-yaml's error texts.

use serde_json::{Map, Value};

use super::Document;

/// Scanner problems (go-yaml reports their line 1-based; parser problems 0-based).
const SCANNER_PROBLEMS: &[&str] = &[
    "mapping values are not allowed in this context",
    "block sequence entries are not allowed in this context",
    "found character that cannot start any token",
    "found unexpected end of stream",
    "found a tab character",
    "did not find expected comment or line break",
    "could not find expected ':'",
    "found unknown escape character",
    "found undefined tag handle",
];

/// `(line, column)` of a libyaml mark in serde_yaml's text (`… at line 3 column 12`).
fn mark(s: &str) -> Option<(usize, usize)> {
    let rest = &s[s.rfind(" at line ")? + 9..];
    let (line, rest) = rest.split_once(" column ")?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.parse().ok()?, col.parse().ok()?))
}

/// go-yaml v3's text for a parse error of `text` (docker/cli's `ParseYAML`):
/// `yaml: line 3: did not find expected node content`, where the line is go-yaml's (the
/// enclosing construct's, as its `parser.fail` picks it), or `yaml: unmarshal errors:` for
/// a key defined twice.
fn yaml_error(e: &serde_yaml::Error, text: &str) -> String {
    let msg = e.to_string();
    let (problem_part, context) = match msg.split_once(", while ") {
        Some((p, c)) => (p, Some(c)),
        None => (msg.as_str(), None),
    };
    let problem_mark = mark(problem_part);
    let problem = problem_part
        .rsplit_once(" at line ")
        .map_or(problem_part, |(p, _)| p);
    let problem = problem
        .split_once(": ")
        .filter(|(path, _)| !path.contains(' '))
        .map_or(problem, |(_, p)| p);
    if let Some(key) = problem
        .find("duplicate entry with key ")
        .map(|i| problem[i + 25..].trim_matches('"'))
    {
        // go-yaml parses the whole document before it decodes (where it finds the
        // duplicate): a syntax error anywhere comes first.
        if let Err(syntax) = serde_yaml::from_str::<serde::de::IgnoredAny>(text) {
            if !syntax.to_string().contains("duplicate entry") {
                return yaml_error(&syntax, text);
            }
        }
        return duplicate_key(text, key, problem_mark);
    }
    if problem == "unknown anchor" {
        let name = problem_mark
            .and_then(|(l, c)| text.lines().nth(l.checked_sub(1)?)?.get(c..))
            .map(|rest| {
                rest.chars()
                    .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
                    .collect::<String>()
            })
            .unwrap_or_default();
        return format!("yaml: unknown anchor '{name}' referenced");
    }
    if problem.starts_with("expected a mapping") && problem.contains("merging") {
        return "yaml: map merge requires map or sequence of maps as the value".into();
    }
    let scanner = match context {
        Some(c) => c.starts_with("scanning"),
        None => SCANNER_PROBLEMS.iter().any(|p| problem.starts_with(p)),
    };
    // go-yaml's marks are 0-based: the context's if it is past the first line, else the
    // problem's; a scanner error adds one.
    let zero_based = |m: Option<(usize, usize)>| m.map_or(0, |(l, _)| l.saturating_sub(1));
    let context_line = zero_based(context.and_then(mark));
    let line = if context_line != 0 {
        context_line
    } else {
        zero_based(problem_mark)
    };
    let line = if scanner && line != 0 { line + 1 } else { line };
    if line != 0 {
        format!("yaml: line {line}: {problem}")
    } else {
        format!("yaml: {problem}")
    }
}

/// go-yaml's `mapping key "K" already defined at line N`: serde_yaml gives the mapping's
/// position; the two definitions are found in the text below it, at its indentation.
fn duplicate_key(text: &str, key: &str, at: Option<(usize, usize)>) -> String {
    let (start, col) = at.unwrap_or((1, 1));
    let indent = col.saturating_sub(1);
    let mut found: Vec<usize> = Vec::new();
    for (i, line) in text.lines().enumerate().skip(start.saturating_sub(1)) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let ind = line.len() - trimmed.len();
        if ind < indent && i + 1 > start {
            break;
        }
        if ind != indent {
            continue;
        }
        let trimmed = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        let name = trimmed.split(':').next().unwrap_or("").trim();
        if name.trim_matches(|c| c == '"' || c == '\'') == key {
            found.push(i + 1);
        }
    }
    match found.as_slice() {
        [first, second, ..] => format!(
            "yaml: unmarshal errors:\n  line {second}: mapping key \"{key}\" already defined at line {first}"
        ),
        _ => format!("yaml: unmarshal errors:\n  line {start}: mapping key \"{key}\" already defined"),
    }
}

/// A YAML value as docker's loader sees it: string keys, merges applied.
fn to_json(v: &serde_yaml::Value, path: &str) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                match n.as_f64().and_then(serde_json::Number::from_f64) {
                    Some(f) => Value::Number(f),
                    None => Value::String(n.to_string()),
                }
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                out.push(to_json(x, &format!("{path}[{i}]"))?);
            }
            Value::Array(out)
        }
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                let key = match k {
                    Y::String(s) => s.clone(),
                    // go-yaml cannot hash these into a Go map key.
                    Y::Sequence(_) | Y::Mapping(_) => {
                        return Err(format!("yaml: invalid map key: {}", go_syntax(k)))
                    }
                    other => {
                        let shown = serde_yaml::to_string(other).unwrap_or_default();
                        let shown = shown.trim_end();
                        return Err(if path.is_empty() {
                            format!("Non-string key at top level: {shown}")
                        } else {
                            format!("Non-string key in {path}: {shown}")
                        });
                    }
                };
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                out.insert(key, to_json(x, &sub)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => to_json(&t.value, path)?,
    })
}

/// Go's `%#v` of a decoded YAML value (`[]interface {}{"a", 1}`).
fn go_syntax(v: &serde_yaml::Value) -> String {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => "interface {}(nil)".into(),
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        Y::String(s) => go_quote(s),
        Y::Sequence(items) => format!(
            "[]interface {{}}{{{}}}",
            items.iter().map(go_syntax).collect::<Vec<_>>().join(", ")
        ),
        Y::Mapping(m) => format!(
            "map[string]interface {{}}{{{}}}",
            m.iter()
                .map(|(k, x)| format!("{}:{}", go_syntax(k), go_syntax(x)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Y::Tagged(t) => go_syntax(&t.value),
    }
}

/// Parses one compose file into its top-level mapping, or go-yaml's error text.
pub fn parse(text: &str) -> Document {
    // go-yaml's Unmarshal reads the first document and ignores the rest.
    use serde::Deserialize;
    let first = serde_yaml::Deserializer::from_str(text).next();
    let parsed = match first {
        Some(doc) => serde_yaml::Value::deserialize(doc),
        None => Ok(serde_yaml::Value::Null),
    };
    let mut y: serde_yaml::Value = match parsed {
        Ok(v) => v,
        Err(e) => return Err(yaml_error(&e, text)),
    };
    y.apply_merge().map_err(|e| yaml_error(&e, text))?;
    if !matches!(y, serde_yaml::Value::Mapping(_)) {
        return Err("top-level object must be a mapping".into());
    }
    match to_json(&y, "")? {
        Value::Object(m) => Ok(m),
        _ => Err("top-level object must be a mapping".into()),
    }
}

/// Go's `%q` of a string (as JSON quotes it, for the texts that show one).
fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}
