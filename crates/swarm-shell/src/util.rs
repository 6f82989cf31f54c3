//! Small helpers shared by the shell and its commands.

/// Go's `path.Match`: [`glob_match`] where no wildcard crosses a `/` (what `COPY *.html`
/// and `docker images --filter reference=` match with).
pub(crate) fn path_match(pattern: &str, text: &str) -> bool {
    pattern.matches('/').count() == text.matches('/').count() && glob_match(pattern, text)
}

/// Shell pattern matching (`*`, `?`, `[…]`, `\x`), as `case` and `${v%pat}` use it.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with backtracking to the last `*` (linear in practice).
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, next)) = class_match(&p, pi, t[ti]) {
                        if matched {
                            pi = next;
                            ti += 1;
                            continue;
                        }
                    } else if t[ti] == '[' {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() => {
                    if p[pi + 1] == t[ti] {
                        pi += 2;
                        ti += 1;
                        continue;
                    }
                }
                c => {
                    if c == t[ti] {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Matches `c` against the class starting at `p[start] == '['`; returns (matched, index after).
fn class_match(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some('!') | Some('^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

/// Parses a GNU `sleep`-style interval: `5`, `0.5`, `10s`, `2m`, `1h`, `1d`, in milliseconds.
pub(crate) fn parse_interval(s: &str) -> Option<u64> {
    let (num, mult) = match s.char_indices().last()? {
        (i, 's') => (&s[..i], 1_000.0),
        (i, 'm') => (&s[..i], 60_000.0),
        (i, 'h') => (&s[..i], 3_600_000.0),
        (i, 'd') => (&s[..i], 86_400_000.0),
        _ => (s, 1_000.0),
    };
    if num.is_empty()
        || !num.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || num.matches('.').count() > 1
    {
        return None;
    }
    let v: f64 = num.parse().ok()?;
    let ms = (v * mult).round();
    if !ms.is_finite() || ms < 0.0 {
        return None;
    }
    // Cap at a year of simulated time: nobody waits longer in a playground.
    Some((ms as u64).min(365 * 86_400_000))
}

/// The value of a short option in a cluster (`-oFILE`, `-o FILE`): the rest of the cluster
/// when there is one, else the next argument (`*i` is the index of that next argument and
/// moves past it).
pub(crate) fn short_value(rest: &str, args: &[String], i: &mut usize) -> Option<String> {
    if rest.is_empty() {
        *i += 1;
        args.get(*i - 1).cloned()
    } else {
        Some(rest.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*", ""));
        assert!(glob_match("a*c", "abbbc"));
        assert!(glob_match("node?", "node1"));
        assert!(!glob_match("node?", "node10"));
        assert!(glob_match("[a-c]x", "bx"));
        assert!(!glob_match("[!a-c]x", "bx"));
        assert!(glob_match("*.yml", "docker-stack.yml"));
        assert!(!glob_match("*.yml", "docker-stack.yaml"));
        assert!(glob_match("\\*", "*"));
        assert!(glob_match("[", "["));
    }

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("5"), Some(5000));
        assert_eq!(parse_interval("0.5"), Some(500));
        assert_eq!(parse_interval("2m"), Some(120_000));
        assert_eq!(parse_interval("1h"), Some(3_600_000));
        assert_eq!(parse_interval("x"), None);
        assert_eq!(parse_interval("1.2.3"), None);
        assert_eq!(parse_interval("-1"), None);
        assert_eq!(parse_interval(""), None);
    }
}
