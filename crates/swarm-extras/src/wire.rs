//! JSON text that carries every float exactly.
//!
//! serde_json writes an `f64` as its shortest decimal, but its default (fast) parsing can read
//! such a decimal back one bit off (`1.0715660391465826e-75`). So [`encode`] also sends each
//! float's bits, in document order (arrays in order, objects in their order), and [`decode`]
//! puts them back.

use serde_json::Value;

/// `v` as text for [`decode`]: `{"v": V, "f": [BITS…]}`.
pub fn encode(v: &Value) -> String {
    let mut floats = Vec::new();
    each_float(v, &mut |f| floats.push(Value::from(f.to_bits())));
    let mut wire = serde_json::Map::new();
    wire.insert("v".into(), v.clone());
    wire.insert("f".into(), Value::Array(floats));
    Value::Object(wire).to_string()
}

/// The value [`encode`] wrote; text that is not one is an error.
pub fn decode(text: &str) -> Result<Value, String> {
    let Ok(Value::Object(mut wire)) = serde_json::from_str::<Value>(text) else {
        return Err("not a JSON object".into());
    };
    let floats: Vec<f64> = match wire.get("f").and_then(Value::as_array) {
        Some(list) => list
            .iter()
            .filter_map(|b| b.as_u64().map(f64::from_bits))
            .collect(),
        None => return Err("no floats".into()),
    };
    let Some(mut v) = wire.remove("v") else {
        return Err("no value".into());
    };
    let mut exact = floats.into_iter();
    let mut missing = false;
    set_floats(&mut v, &mut || {
        let f = exact.next();
        missing |= f.is_none();
        f
    });
    if missing || exact.next().is_some() {
        return Err("floats do not match".into());
    }
    Ok(v)
}

/// Calls `f` with every float of `v`, in document order.
fn each_float(v: &Value, f: &mut dyn FnMut(f64)) {
    match v {
        Value::Number(n) if n.is_f64() => f(n.as_f64().unwrap_or_default()),
        Value::Array(items) => items.iter().for_each(|x| each_float(x, f)),
        Value::Object(m) => m.values().for_each(|x| each_float(x, f)),
        _ => {}
    }
}

/// Replaces every float of `v`, in document order, with the next exact one.
fn set_floats(v: &mut Value, next: &mut dyn FnMut() -> Option<f64>) {
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(exact) = next().and_then(serde_json::Number::from_f64) {
                *n = exact;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| set_floats(x, next)),
        Value::Object(m) => m.values_mut().for_each(|x| set_floats(x, next)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_cross_bit_for_bit() {
        // serde_json's default float parsing reads this one a bit off: only the bits that
        // travel with the value keep it exact.
        let exact: f64 = "1.0715660391465826e-75".parse().unwrap();
        let plain: f64 = serde_json::from_str("1.0715660391465826e-75").unwrap();
        assert_ne!(plain.to_bits(), exact.to_bits());
        let v = json!({"b": [1, 2.5, exact, {"x": -0.0}], "a": "s", "n": null, "i": -3});
        let back = decode(&encode(&v)).unwrap();
        assert_eq!(back, v);
        assert_eq!(
            back["b"][2].as_f64().map(f64::to_bits),
            Some(exact.to_bits())
        );
        assert_eq!(
            back["b"][3]["x"].as_f64().map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        let keys: Vec<&String> = back.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["b", "a", "n", "i"]);
    }

    #[test]
    fn bad_text_is_an_error() {
        for text in [
            "",
            "[]",
            "{\"v\": 1}",
            "{\"f\": []}",
            "{\"v\": 1.5, \"f\": []}",
            "{\"v\": 1, \"f\": [1]}",
        ] {
            assert!(decode(text).is_err(), "{text}");
        }
    }
}
