//! The last frame of BuildKit's TTY progress display (`progressui`), which compose shows
//! while it builds a service's image: `[+] Building 4.2s (11/11) FINISHED` with the builder
//! on the right, then one line per vertex (` => [web 2/5] WORKDIR /code`) and its statuses
//! (` => => transferring context: 1.12kB`), each with its time at the right edge.
//!
//! The playground's builder is the classic one (`build_cmd`); this renders what BuildKit's
//! frontend would have shown for the same Dockerfile.

use super::super::build_cmd::Instruction;

/// One line: the name after ` => `, and its seconds.
pub(crate) struct Job {
    pub name: String,
    pub secs: f64,
}

/// buildkit's `units.Bytes` with `%.2f`: `293B`, `1.12kB`, `3.64MB`.
pub(crate) fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n}B");
    }
    let mut v = n as f64;
    let mut k = 0;
    while v >= 1000.0 && k < UNITS.len() - 1 {
        v /= 1000.0;
        k += 1;
    }
    format!("{v:.2}{}", UNITS[k])
}

/// The vertices of a service's build. `dockerfile`: its name as given; `steps`: its
/// instructions; `base`: the FROM reference in full (`docker.io/library/python:3.11-alpine`)
/// and its digest; `from_secs`/`run_secs`: how long the base took and each RUN.
#[allow(clippy::too_many_arguments)]
pub(crate) fn jobs(
    service: &str,
    dockerfile: &str,
    dockerfile_bytes: u64,
    context_bytes: u64,
    steps: &[Instruction],
    base: &str,
    digest: &str,
    image_id: &str,
    image_name: &str,
    from_secs: f64,
    run_secs: f64,
) -> Vec<Job> {
    let job = |name: String, secs: f64| Job { name, secs };
    let mut out = vec![
        job(
            format!("[{service} internal] load build definition from {dockerfile}"),
            0.0,
        ),
        job(
            format!("=> transferring dockerfile: {}", bytes(dockerfile_bytes)),
            0.0,
        ),
        job(
            format!("[{service} internal] load metadata for {base}"),
            0.6,
        ),
        job(format!("[{service} internal] load .dockerignore"), 0.0),
        job("=> transferring context: 2B".to_string(), 0.0),
    ];
    let fs_steps: Vec<&Instruction> = steps
        .iter()
        .filter(|s| matches!(s.keyword.as_str(), "RUN" | "COPY" | "ADD" | "WORKDIR"))
        .collect();
    let total = fs_steps.len() + 1;
    let pinned = if digest.is_empty() {
        base.to_string()
    } else {
        format!("{base}@{digest}")
    };
    out.push(job(
        format!("[{service} 1/{total}] FROM {pinned}"),
        from_secs,
    ));
    out.push(job(format!("=> resolve {pinned}"), 0.0));
    out.push(job(format!("[{service} internal] load build context"), 0.0));
    out.push(job(
        format!("=> transferring context: {}", bytes(context_bytes)),
        0.0,
    ));
    for (k, s) in fs_steps.iter().enumerate() {
        let secs = match s.keyword.as_str() {
            "RUN" => run_secs,
            "WORKDIR" => 0.1,
            _ => 0.0,
        };
        out.push(job(
            format!("[{service} {}/{total}] {} {}", k + 2, s.keyword, s.args),
            secs,
        ));
    }
    out.push(job(format!("[{service}] exporting to image"), 0.1));
    out.push(job("=> exporting layers".to_string(), 0.1));
    out.push(job(format!("=> writing image {image_id}"), 0.0));
    out.push(job(
        format!("=> naming to docker.io/library/{image_name}"),
        0.0,
    ));
    out.push(job(
        format!("[{service}] resolving provenance for metadata file"),
        0.0,
    ));
    out
}

/// `align` of progressui: `l` padded so that ` r` ends the `w`-column line.
fn align(l: &str, r: &str, w: usize) -> String {
    let width = w.saturating_sub(r.len() + 1);
    format!("{l:<width$} {r}")
}

/// The frame, `width` columns wide.
pub(crate) fn render(jobs: &[Job], total_secs: f64, width: usize) -> String {
    let vertices = jobs.iter().filter(|j| !j.name.starts_with("=> ")).count();
    let head = format!("[+] Building {total_secs:.1}s ({vertices}/{vertices}) FINISHED");
    let mut out = align(&head, "docker:default", width);
    out.push('\n');
    for j in jobs {
        let secs = if j.secs < 0.05 { 0.0 } else { j.secs };
        let timer = format!(" {secs:3.1}s\n");
        let pfx = " => ";
        let left = width.saturating_sub(pfx.len() + timer.len() + 1);
        let mut name = j.name.clone();
        if name.len() > left {
            let mut cut = left;
            while !name.is_char_boundary(cut) {
                cut -= 1;
            }
            name.truncate(cut);
        }
        out.push_str(&align(&format!("{pfx}{name}"), &timer, width));
    }
    out
}

/// The same build as BuildKit's plain display prints it (`--progress plain`, or when the
/// output is not a terminal): each vertex numbered, its statuses `done`, then `DONE`.
pub(crate) fn plain(jobs: &[Job]) -> String {
    let mut out = String::from("#0 building with \"default\" instance using docker driver\n");
    let mut n = 0;
    let mut open: Option<f64> = None;
    for j in jobs {
        match j.name.strip_prefix("=> ") {
            Some(status) => {
                if j.secs >= 0.05 {
                    out.push_str(&format!("#{n} {status} {:.1}s done\n", j.secs));
                } else {
                    out.push_str(&format!("#{n} {status} done\n"));
                }
            }
            None => {
                if let Some(secs) = open.take() {
                    out.push_str(&format!("#{n} DONE {secs:.1}s\n"));
                }
                n += 1;
                out.push_str(&format!("\n#{n} {}\n", j.name));
                open = Some(if j.secs < 0.05 { 0.0 } else { j.secs });
            }
        }
    }
    if let Some(secs) = open {
        out.push_str(&format!("#{n} DONE {secs:.1}s\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_output_numbers_vertices() {
        let jobs = vec![
            Job {
                name: "[web internal] load build definition from Dockerfile".into(),
                secs: 0.0,
            },
            Job {
                name: "=> transferring dockerfile: 203B".into(),
                secs: 0.0,
            },
            Job {
                name: "[web 4/5] RUN pip install -r requirements.txt".into(),
                secs: 2.1,
            },
        ];
        assert_eq!(
            plain(&jobs),
            "#0 building with \"default\" instance using docker driver\n\n#1 [web internal] load build definition from Dockerfile\n#1 transferring dockerfile: 203B done\n#1 DONE 0.0s\n\n#2 [web 4/5] RUN pip install -r requirements.txt\n#2 DONE 2.1s\n"
        );
    }

    #[test]
    fn sizes_read_as_buildkit_prints_them() {
        assert_eq!(bytes(2), "2B");
        assert_eq!(bytes(293), "293B");
        assert_eq!(bytes(1120), "1.12kB");
        assert_eq!(bytes(3_640_000), "3.64MB");
    }

    #[test]
    fn frame_lines_end_at_the_edge_and_long_names_are_cut() {
        let jobs = vec![
            Job {
                name: "[web internal] load build definition from Dockerfile".into(),
                secs: 0.01,
            },
            Job {
                name: format!(
                    "[web 1/5] FROM docker.io/library/python:3.11-alpine@sha256:{}",
                    "a".repeat(64)
                ),
                secs: 2.04,
            },
        ];
        let text = render(&jobs, 4.2, 80);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("[+] Building 4.2s (2/2) FINISHED "));
        assert!(lines[0].ends_with(" docker:default"));
        assert_eq!(lines[0].len(), 80);
        assert!(lines[1].starts_with(" => [web internal] load build definition from Dockerfile "));
        assert!(lines[1].ends_with("  0.0s"));
        assert_eq!(lines[1].len(), 79);
        assert!(lines[2].ends_with("  2.0s"));
        assert_eq!(lines[2].len(), 79);
    }
}
