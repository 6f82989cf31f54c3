//! `cargo xtask bench`: the simulation's speed and the size of what a visitor downloads.
//!
//! It runs the simulation benchmarks of `swarm-core` (`cargo bench`, release build), then builds
//! the release bundle and prints the size and gzip size (best compression) of every file in
//! `dist/`, in two tables with their totals in KiB: the initial download (`index.html` and
//! everything it loads: the page's wasm and JS glue, the loader, the CSS, the icon) and the jq
//! module the page loads on first use. Last, it measures the page in headless Chromium (see
//! [`crate::page_bench`]): first paint, time to a usable terminal, and the longest main-thread
//! task while a large cluster converges. `--page` skips the simulation benchmarks. It records
//! nothing: figures go into BENCHMARKS.md by hand, with the machine and the date.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::check::trunk_build;
use crate::shell::Ctx;
use crate::Result;

pub fn run(ctx: &Ctx, page_only: bool) -> Result<()> {
    if !page_only {
        println!("xtask bench: simulation (swarm-core, release build)");
        for bench in ["idle_cluster", "scheduler", "services"] {
            ctx.run(
                ctx.cargo()
                    .args(["bench", "-p", "swarm-core", "--bench", bench]),
            )?;
        }
    }
    println!("\nxtask bench: the release bundle's download size");
    trunk_build(ctx, true)?;
    let dist = ctx.root.join("dist");
    let mut files = Vec::new();
    collect_files(&dist, &mut files)?;
    files.sort();
    if !files
        .iter()
        .any(|file| file.extension().is_some_and(|e| e == "wasm"))
    {
        return Err(format!("no .wasm file in {}", dist.display()));
    }
    let (lazy, initial): (Vec<PathBuf>, Vec<PathBuf>) =
        files.into_iter().partition(|file| is_lazy(&dist, file));
    let initial_gzip = size_table(
        &dist,
        "the initial download (index.html and everything it loads)",
        &initial,
    )?;
    let lazy_gzip = size_table(
        &dist,
        "loaded a second after the page shows (jq, YAML, templates, help)",
        &lazy,
    )?;
    println!(
        "\ninitial download: {:.1} KiB gzipped (goal: at most {GOAL_KIB} KiB); with the second \
         module, which the page then loads by itself: {:.1} KiB",
        kib(initial_gzip),
        kib(initial_gzip + lazy_gzip)
    );
    crate::page_bench::run(&ctx.root)
}

/// The goal for the initial download, gzipped.
const GOAL_KIB: usize = 800;

/// The files the page loads after its first render (the second module, see
/// `web/src/jq_host.rs`).
const LAZY_PREFIX: &str = "swarm-jq-web";

fn is_lazy(dist: &Path, file: &Path) -> bool {
    file.strip_prefix(dist)
        .ok()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with(LAZY_PREFIX))
}

/// Prints each file's size and gzip size (best compression) and the totals; the gzip total.
fn size_table(dist: &Path, title: &str, files: &[PathBuf]) -> Result<usize> {
    println!("\n{title}:");
    println!("{:>12} {:>12}  file", "bytes", "gzip -9");
    let (mut raw_total, mut gzip_total) = (0, 0);
    for file in files {
        let bytes =
            std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let gzipped = gzip_len(&bytes)?;
        raw_total += bytes.len();
        gzip_total += gzipped;
        let name = file.strip_prefix(dist).unwrap_or(file);
        println!("{:>12} {:>12}  {}", bytes.len(), gzipped, name.display());
    }
    println!(
        "{raw_total:>12} {gzip_total:>12}  total: {:.1} KiB, {:.1} KiB gzipped",
        kib(raw_total),
        kib(gzip_total)
    );
    Ok(gzip_total)
}

/// Every file under `dir`, recursively (wasm-bindgen puts JS snippets in sub-folders).
fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// The size of `bytes` gzipped at the best compression.
fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map(|gzipped| gzipped.len())
        .map_err(|e| format!("gzip failed: {e}"))
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_jq_module_is_lazy() {
        let dist = Path::new("/dist");
        assert!(is_lazy(dist, Path::new("/dist/swarm-jq-web_bg.wasm")));
        assert!(is_lazy(dist, Path::new("/dist/swarm-jq-web.js")));
        assert!(!is_lazy(dist, Path::new("/dist/swarm-web-0123_bg.wasm")));
        assert!(!is_lazy(dist, Path::new("/dist/index.html")));
    }

    #[test]
    fn gzip_shrinks_repetitive_input() {
        let input = vec![b'a'; 10_000];
        let size = gzip_len(&input).unwrap();
        assert!(size > 0 && size < 100, "{size}");
    }
}
