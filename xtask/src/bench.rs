//! `cargo xtask bench`: the simulation's speed and the size of what a visitor downloads.
//!
//! It runs the simulation benchmarks of `swarm-core` (`cargo bench`, release build), then builds
//! the release bundle and prints the gzip size (best compression) of every `.wasm` and `.js`
//! file in `dist/`, and the total in KiB. It records nothing: figures go into BENCHMARKS.md by
//! hand, with the machine and the date.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::check::trunk_build;
use crate::shell::Ctx;
use crate::Result;

pub fn run(ctx: &Ctx) -> Result<()> {
    println!("xtask bench: simulation (swarm-core, release build)");
    for bench in ["idle_cluster", "scheduler", "services"] {
        ctx.run(
            ctx.cargo()
                .args(["bench", "-p", "swarm-core", "--bench", bench]),
        )?;
    }
    println!("\nxtask bench: the release bundle's download size");
    trunk_build(ctx, true)?;
    let dist = ctx.root.join("dist");
    let mut files = Vec::new();
    collect_assets(&dist, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(format!("no .wasm or .js files in {}", dist.display()));
    }
    println!("\n{:>12} {:>12}  file", "bytes", "gzip -9");
    let (mut raw_total, mut gzip_total) = (0, 0);
    for file in &files {
        let bytes =
            std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let gzipped = gzip_len(&bytes)?;
        raw_total += bytes.len();
        gzip_total += gzipped;
        let name = file.strip_prefix(&dist).unwrap_or(file);
        println!("{:>12} {:>12}  {}", bytes.len(), gzipped, name.display());
    }
    println!(
        "{raw_total:>12} {gzip_total:>12}  total: {:.1} KiB, {:.1} KiB gzipped",
        kib(raw_total),
        kib(gzip_total)
    );
    Ok(())
}

/// Every `.wasm` and `.js` file under `dir`, recursively (wasm-bindgen puts JS snippets in
/// sub-folders).
fn collect_assets(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            collect_assets(&path, files)?;
        } else if path
            .extension()
            .is_some_and(|extension| extension == "wasm" || extension == "js")
        {
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
    fn gzip_shrinks_repetitive_input() {
        let input = vec![b'a'; 10_000];
        let size = gzip_len(&input).unwrap();
        assert!(size > 0 && size < 100, "{size}");
    }
}
