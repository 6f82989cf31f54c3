//! How the page's URL chooses the playground: `?seed=N&machines=N&template=NAME`.
//!
//! Every parameter is optional, and a value that does not parse falls back to its default, so
//! that a mistyped link still opens a playground.

use swarm_shell::{Options, TEMPLATES};

/// The most machines a link may ask for at start; more can be added from the page.
pub const MAX_START_MACHINES: usize = 16;

/// The playground options named by a URL query string (with or without its leading `?`).
pub fn options_from_query(query: &str) -> Options {
    let mut opts = Options::default();
    let query = query.strip_prefix('?').unwrap_or(query);
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "seed" => {
                if let Ok(seed) = value.parse::<u64>() {
                    opts.seed = seed;
                }
            }
            "machines" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_START_MACHINES).contains(&n) => opts.machines = n,
                _ => {}
            },
            "template" if TEMPLATES.iter().any(|(name, _)| *name == value) => {
                opts.template = Some(value.to_string());
            }
            _ => {}
        }
    }
    opts
}

/// The options of the page's own URL.
pub fn options_from_location() -> Options {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    options_from_query(&search)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn reads_seed_and_machines() {
        let o = options_from_query("?seed=42&machines=3");
        assert_eq!((o.seed, o.machines, o.template), (42, 3, None));
        assert_eq!(options_from_query("machines=2").machines, 2);
    }

    #[test]
    fn bad_values_fall_back_to_defaults() {
        let d = Options::default();
        for q in [
            "",
            "?",
            "?seed=-1&machines=0",
            "?seed=x&machines=99",
            "?machines",
            "?a=b&&=",
        ] {
            assert_eq!(options_from_query(q), d, "{q}");
        }
        assert_eq!(options_from_query("?template=nope").template, None);
        let known = TEMPLATES[0].0;
        assert_eq!(
            options_from_query(&format!("?template={known}"))
                .template
                .as_deref(),
            Some(known)
        );
    }
}
