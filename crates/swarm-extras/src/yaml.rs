//! A compose file's YAML as docker/cli 28 reads it (go-yaml v3's first document into a generic
//! value), done with serde_yaml: `<<` merges applied, string keys, and go-yaml's error texts
//! with its choice of line, reproduced from libyaml's marks.
//!
//! The result, a [`Document`], is a JSON tree (`serde_json`), which is what the compose loader
//! in swarm-shell works on. It crosses a JavaScript boundary as text ([`parse_wire`] /
//! [`from_wire`], floats bit for bit): natively the shell calls [`parse`] directly; in the
//! browser the parser lives in the lazily loaded module, which keeps serde_yaml and
//! unsafe-libyaml out of the page's first download.

use serde_json::{Map, Value};

#[cfg(feature = "engine")]
mod engine;
#[cfg(feature = "engine")]
pub use engine::parse;

/// A parsed compose file: its top-level mapping, or the error text docker prints.
pub type Document = Result<Map<String, Value>, String>;

/// [`parse`] as text for [`from_wire`] (`{"ok": TREE}` or `{"err": TEXT}`, see [`crate::wire`]).
#[cfg(feature = "engine")]
pub fn parse_wire(text: &str) -> String {
    let answer = match parse(text) {
        Ok(map) => serde_json::json!({ "ok": Value::Object(map) }),
        Err(e) => serde_json::json!({ "err": e }),
    };
    crate::wire::encode(&answer)
}

/// The [`Document`] that [`parse_wire`] wrote. Text that is not one is an error.
pub fn from_wire(wire: &str) -> Document {
    let bad = |why: &str| Err(format!("unreadable result from the YAML module: {why}"));
    let mut answer = match crate::wire::decode(wire) {
        Ok(Value::Object(answer)) => answer,
        Ok(_) => return bad("not an object"),
        Err(e) => return bad(&e),
    };
    if let Some(e) = answer.get("err") {
        return match e.as_str() {
            Some(e) => Err(e.to_string()),
            None => bad("an error that is not text"),
        };
    }
    match answer.remove("ok") {
        Some(Value::Object(map)) => Ok(map),
        _ => bad("no mapping"),
    }
}

#[cfg(all(test, feature = "engine"))]
mod tests {
    use super::*;

    #[test]
    fn documents_cross_as_text_bit_for_bit() {
        let text = "version: \"3.9\"\nservices:\n  web:\n    image: nginx\n    deploy:\n      \
                    resources:\n        limits:\n          cpus: 0.30000000000000004\n    \
                    x-list: [1, 2.5, -0.0, 1e300, .inf, \"s\", null, true, 1.0715660391465826e-75]\n";
        let doc = parse(text);
        let wire = parse_wire(text);
        let back = from_wire(&wire);
        assert_eq!(back, doc);
        let web = &back.unwrap()["services"]["web"];
        assert_eq!(
            web["deploy"]["resources"]["limits"]["cpus"].as_f64(),
            Some(0.1 + 0.2)
        );
        assert_eq!(web["x-list"][1].as_f64(), Some(2.5));
        // One that serde_json's default float parsing reads one bit off: only the bits that
        // travel with the tree keep it exact.
        let exact: f64 = "1.0715660391465826e-75".parse().unwrap();
        let plain: f64 = serde_json::from_str("1.0715660391465826e-75").unwrap();
        assert_ne!(plain.to_bits(), exact.to_bits());
        assert_eq!(
            web["x-list"][8].as_f64().map(f64::to_bits),
            Some(exact.to_bits())
        );
        // Keys keep the file's order.
        let keys: Vec<String> = parse("b: 1\na: 2\nc: 3\n")
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["b", "a", "c"]);
    }

    #[test]
    fn errors_cross_as_text() {
        let text = "services:\n  web:\n    image: [\n";
        let e = parse(text).unwrap_err();
        assert!(e.starts_with("yaml: line "), "{e}");
        assert_eq!(from_wire(&parse_wire(text)), Err(e));
        assert_eq!(
            parse("- a\n- b\n"),
            Err("top-level object must be a mapping".to_string())
        );
        assert_eq!(
            parse("a: 1\na: 2\n"),
            Err(
                "yaml: unmarshal errors:\n  line 2: mapping key \"a\" already defined at line 1"
                    .to_string()
            )
        );
    }

    #[test]
    fn bad_wire_text_is_an_error() {
        for wire in [
            "",
            "[]",
            "{\"v\": {\"err\": 1}, \"f\": []}",
            "{\"v\": {\"ok\": []}, \"f\": []}",
            "{\"v\": {}, \"f\": []}",
            "{\"v\": {\"ok\": {\"a\": 1.5}}, \"f\": []}",
        ] {
            let e = from_wire(wire).unwrap_err();
            assert!(
                e.starts_with("unreadable result from the YAML module"),
                "{wire}: {e}"
            );
        }
    }
}
