//! The transcript suite: every `tests/transcripts/*.txt` at the repository root is a docker
//! session (prompt lines with commands, and their output). Each is re-run through the same code
//! path as `swarmsh` and must come out the same. `[..]` matches within a line, `...` on a line
//! of its own any number of lines. `SNAPSHOTS=overwrite cargo test -p swarm-shell --test
//! transcripts` rewrites the files from what the shell prints now (review the diff!).

use std::path::{Path, PathBuf};

fn transcript_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/transcripts");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
}

#[test]
fn transcripts() {
    let files = transcript_files();
    assert!(!files.is_empty(), "no transcripts found");
    let assert = snapbox::Assert::new()
        .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
        .normalize_paths(false);
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable transcript");
        let actual = match swarm_shell::rerun_transcript(&text) {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        let expected = snapbox::Data::read_from(path, None);
        if let Err(e) = assert.try_eq(None, snapbox::Data::text(actual), expected) {
            failures.push(format!("{}:\n{e}", path.display()));
        }
    }
    eprintln!("{} transcripts, {} failed", files.len(), failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
