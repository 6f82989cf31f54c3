//! Package managers inside containers: `apt-get`/`apt` in Debian and Ubuntu images, `apk` in
//! Alpine ones, as labs use them to add a tool before testing the network
//! (`apt-get update && apt-get install -y iputils-ping`, `apk add curl`). They print what the
//! real ones print for the tools labs install and record what was installed in the
//! container's files (`/var/lib/apt/lists`, `/var/lib/dpkg/status`, `/etc/apk/world`), so an
//! install without `apt-get update` fails as in a fresh image and a second one says the
//! package is there. The tools themselves are the simulation's (`ping`, `curl`, `nslookup` …
//! work in every image), so installing one changes nothing else.

use swarm_core::{MachineId, World};

/// A package labs install: name, Debian bookworm version, Ubuntu version, Alpine name and
/// version, download size in kB.
struct Package {
    name: &'static str,
    debian: &'static str,
    ubuntu: &'static str,
    alpine: Option<(&'static str, &'static str)>,
    kb: u32,
}

const PACKAGES: &[Package] = &[
    Package {
        name: "iputils-ping",
        debian: "3:20221126-1+deb12u1",
        ubuntu: "3:20240117-1build1",
        alpine: Some(("iputils-ping", "20240905-r0")),
        kb: 47,
    },
    Package {
        name: "dnsutils",
        debian: "1:9.18.33-1~deb12u2",
        ubuntu: "1:9.18.30-0ubuntu0.24.04.2",
        alpine: None,
        kb: 4,
    },
    Package {
        name: "bind-tools",
        debian: "",
        ubuntu: "",
        alpine: Some(("bind-tools", "9.18.33-r0")),
        kb: 0,
    },
    Package {
        name: "apache2-utils",
        debian: "2.4.62-1~deb12u2",
        ubuntu: "2.4.58-1ubuntu8.7",
        alpine: Some(("apache2-utils", "2.4.65-r0")),
        kb: 208,
    },
    Package {
        name: "curl",
        debian: "7.88.1-10+deb12u12",
        ubuntu: "8.5.0-2ubuntu10.6",
        alpine: Some(("curl", "8.12.1-r1")),
        kb: 315,
    },
    Package {
        name: "wget",
        debian: "1.21.3-1+deb12u1",
        ubuntu: "1.21.4-1ubuntu4.1",
        alpine: Some(("wget", "1.25.0-r0")),
        kb: 984,
    },
    Package {
        name: "net-tools",
        debian: "2.10-0.1",
        ubuntu: "2.10-0.1ubuntu4",
        alpine: Some(("net-tools", "2.10-r3")),
        kb: 243,
    },
    Package {
        name: "iproute2",
        debian: "6.1.0-3",
        ubuntu: "6.1.0-1ubuntu6",
        alpine: Some(("iproute2", "6.11.0-r0")),
        kb: 1046,
    },
    Package {
        name: "netcat-openbsd",
        debian: "1.219-1",
        ubuntu: "1.226-1ubuntu2",
        alpine: Some(("netcat-openbsd", "1.226.1.1-r0")),
        kb: 41,
    },
    Package {
        name: "telnet",
        debian: "0.17+2.4-2+deb12u1",
        ubuntu: "0.17+2.5-3ubuntu4",
        alpine: None,
        kb: 59,
    },
    Package {
        name: "procps",
        debian: "2:4.0.2-3",
        ubuntu: "2:4.0.4-4ubuntu3.2",
        alpine: Some(("procps-ng", "4.0.4-r2")),
        kb: 710,
    },
    Package {
        name: "vim",
        debian: "2:9.0.1378-2+deb12u2",
        ubuntu: "2:9.1.0016-1ubuntu7.8",
        alpine: Some(("vim", "9.1.1105-r0")),
        kb: 1568,
    },
    Package {
        name: "nano",
        debian: "7.2-1+deb12u1",
        ubuntu: "7.2-2ubuntu0.1",
        alpine: Some(("nano", "8.2-r0")),
        kb: 690,
    },
    Package {
        name: "jq",
        debian: "1.6-2.1",
        ubuntu: "1.7.1-3build1",
        alpine: Some(("jq", "1.7.1-r0")),
        kb: 64,
    },
    Package {
        name: "htop",
        debian: "3.2.2-2",
        ubuntu: "3.3.0-4build1",
        alpine: Some(("htop", "3.3.0-r0")),
        kb: 152,
    },
    Package {
        name: "less",
        debian: "590-2.1~deb12u2",
        ubuntu: "590-2ubuntu2.1",
        alpine: Some(("less", "668-r0")),
        kb: 132,
    },
    Package {
        name: "git",
        debian: "1:2.39.5-0+deb12u2",
        ubuntu: "1:2.43.0-1ubuntu7.2",
        alpine: Some(("git", "2.47.2-r0")),
        kb: 7264,
    },
    Package {
        name: "tcpdump",
        debian: "4.99.3-1",
        ubuntu: "4.99.4-3ubuntu4",
        alpine: Some(("tcpdump", "4.99.5-r0")),
        kb: 475,
    },
    Package {
        name: "traceroute",
        debian: "1:2.1.2-1",
        ubuntu: "1:2.1.5-1",
        alpine: None,
        kb: 60,
    },
    Package {
        name: "redis-tools",
        debian: "5:7.0.15-1~deb12u3",
        ubuntu: "5:7.0.15-1build2",
        alpine: Some(("redis", "7.2.7-r0")),
        kb: 1030,
    },
    Package {
        name: "postgresql-client",
        debian: "15+248",
        ubuntu: "16+257build1.1",
        alpine: Some(("postgresql17-client", "17.4-r0")),
        kb: 1852,
    },
];

/// Which distribution a container's image is, by its name: the package manager it has.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Distro {
    Debian,
    Ubuntu { noble: bool },
    Alpine,
}

fn distro_of(image: &str) -> Option<Distro> {
    // A digest-pinned reference (`nginx:alpine@sha256:…`, as a service's tasks run) names
    // the same image as its tag.
    let image = swarm_core::catalog::normalize(image)
        .unwrap_or_else(|| image.to_string())
        .to_ascii_lowercase();
    let (repo, tag) = match image.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (image.as_str(), "latest"),
    };
    let repo = repo.rsplit('/').next().unwrap_or(repo);
    match repo {
        "busybox" | "hello-world" | "whoami" | "visualizer" => None,
        "alpine" | "registry" => Some(Distro::Alpine),
        _ if tag.contains("alpine") => Some(Distro::Alpine),
        "ubuntu" => Some(Distro::Ubuntu {
            noble: !tag.starts_with("22") && !tag.starts_with("jammy"),
        }),
        "mongo" => Some(Distro::Ubuntu {
            noble: !matches!(tag, "7" | "6") && !tag.starts_with("7.") && !tag.starts_with("6."),
        }),
        _ => Some(Distro::Debian),
    }
}

const APT_LISTS: &str = "/var/lib/apt/lists";
const DPKG_STATUS: &str = "/var/lib/dpkg/status";
const APK_WORLD: &str = "/etc/apk/world";

/// Where a package manager keeps what it knows: a container's files, or the files of an
/// image being built.
pub(crate) trait Files {
    /// A file's text, empty if there is none.
    fn read(&self, path: &str) -> String;
    fn write(&mut self, path: &str, text: &str);
    /// Whether directory `dir` holds anything.
    fn has_entries(&self, dir: &str) -> bool;
    /// Puts an installed package's program at `path` (an executable in place of what was
    /// there, such as BusyBox's link of the same name).
    fn install_program(&mut self, path: &str);
}

/// What an installed program's file holds: an ELF header.
const PROGRAM: &str = "\u{7f}ELF";

/// A container's files.
struct InContainer<'a> {
    w: &'a mut World,
    m: MachineId,
    id: &'a str,
}

impl Files for InContainer<'_> {
    fn read(&self, path: &str) -> String {
        self.w
            .container_read(self.m, self.id, path)
            .map(|d| String::from_utf8_lossy(&d).into_owned())
            .unwrap_or_default()
    }

    fn write(&mut self, path: &str, text: &str) {
        if let Some((dir, _)) = path.rsplit_once('/') {
            let _ = self.w.container_mkdir(self.m, self.id, dir, true);
        }
        let _ = self
            .w
            .container_write(self.m, self.id, path, text.as_bytes(), false);
    }

    fn has_entries(&self, dir: &str) -> bool {
        self.w
            .container_list(self.m, self.id, dir)
            .is_ok_and(|l| !l.is_empty())
    }

    fn install_program(&mut self, path: &str) {
        if self.w.container_lstat(self.m, self.id, path).is_ok() {
            let _ = self.w.container_unlink(self.m, self.id, path, false);
        }
        self.write(path, PROGRAM);
        let _ = self.w.container_set_mode(self.m, self.id, path, 0o755);
    }
}

/// The files of an image being built (a `RUN` step's view).
impl Files for Vec<swarm_core::catalog::ImageFile> {
    fn read(&self, path: &str) -> String {
        self.iter()
            .find(|f| f.path == path)
            .map(|f| String::from_utf8_lossy(&f.data).into_owned())
            .unwrap_or_default()
    }

    fn write(&mut self, path: &str, text: &str) {
        self.retain(|f| f.path != path);
        self.push(swarm_core::catalog::ImageFile {
            path: path.to_string(),
            data: text.as_bytes().to_vec(),
            mode: 0o644,
        });
    }

    fn has_entries(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        self.iter().any(|f| f.path.starts_with(&prefix))
    }

    fn install_program(&mut self, path: &str) {
        self.retain(|f| f.path != path);
        self.push(swarm_core::catalog::ImageFile {
            path: path.to_string(),
            data: PROGRAM.as_bytes().to_vec(),
            mode: 0o755,
        });
    }
}

/// Runs `name args` in a container if it is its image's package manager; `None` leaves the
/// command to the caller (not found in this image).
pub(crate) fn run(
    w: &mut World,
    m: MachineId,
    id: &str,
    image: &str,
    name: &str,
    args: &[String],
    tty: bool,
) -> Option<(String, String, i32)> {
    run_on(&mut InContainer { w, m, id }, image, name, args, tty)
}

/// Runs `name args` over `files` if it is `image`'s package manager.
pub(crate) fn run_on(
    files: &mut dyn Files,
    image: &str,
    name: &str,
    args: &[String],
    tty: bool,
) -> Option<(String, String, i32)> {
    let distro = distro_of(image)?;
    match (name, distro) {
        ("apt-get" | "apt", Distro::Debian | Distro::Ubuntu { .. }) => {
            Some(apt(files, distro, name, args, tty))
        }
        ("apk", Distro::Alpine) => {
            let version = swarm_core::container_fs::distro_of(image).version;
            let mut system = ApkSystem::alpine(&version, APK_BASE);
            // nginx:alpine (and the curl images) ship curl.
            let found = swarm_core::catalog::Catalog::get().lookup(image);
            if found.is_some_and(|i| {
                let repo = i.repository.rsplit('/').next().unwrap_or(&i.repository);
                matches!(repo, "nginx" | "curl" | "netshoot")
            }) {
                system.has = &["curl"];
            }
            Some(apk(files, args, system))
        }
        _ => None,
    }
}

fn apt(
    files: &mut dyn Files,
    distro: Distro,
    name: &str,
    args: &[String],
    tty: bool,
) -> (String, String, i32) {
    let (out, err, code) = apt_get(files, distro, args, tty);
    if name == "apt" {
        // apt's warning (on stderr) comes first on the screen; a reply does not interleave
        // its two streams, so it leads the output.
        let lead =
            "\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n";
        return (format!("{lead}{out}"), err, code);
    }
    (out, err, code)
}

fn apt_get(
    files: &mut dyn Files,
    distro: Distro,
    args: &[String],
    tty: bool,
) -> (String, String, i32) {
    let done = if tty { " Done" } else { "" };
    let reading = format!("Reading package lists...{done}\n");
    let (mirror, suite, security) = match distro {
        Distro::Ubuntu { noble } => {
            let s = if noble { "noble" } else { "jammy" };
            (
                "http://archive.ubuntu.com/ubuntu",
                s,
                "http://security.ubuntu.com/ubuntu",
            )
        }
        _ => (
            "http://deb.debian.org/debian",
            "bookworm",
            "http://deb.debian.org/debian-security",
        ),
    };
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let mut err = String::new();
    match words.first().copied() {
        Some("update") => {
            let out = match distro {
                Distro::Ubuntu { .. } => format!(
                    "Get:1 {mirror} {suite} InRelease [256 kB]\nGet:2 {security} {suite}-security InRelease [126 kB]\nGet:3 {mirror} {suite}-updates InRelease [126 kB]\nGet:4 {mirror} {suite}-backports InRelease [126 kB]\nGet:5 {mirror} {suite}/main amd64 Packages [1808 kB]\nGet:6 {mirror} {suite}/universe amd64 Packages [19.3 MB]\nGet:7 {security} {suite}-security/main amd64 Packages [1151 kB]\nGet:8 {mirror} {suite}-updates/main amd64 Packages [1488 kB]\nFetched 24.4 MB in 3s (8120 kB/s)\n{reading}"
                ),
                _ => format!(
                    "Get:1 {mirror} {suite} InRelease [151 kB]\nGet:2 {mirror} {suite}-updates InRelease [55.4 kB]\nGet:3 {security} {suite}-security InRelease [48.0 kB]\nGet:4 {mirror} {suite}/main amd64 Packages [8792 kB]\nGet:5 {mirror} {suite}-updates/main amd64 Packages [512 B]\nGet:6 {security} {suite}-security/main amd64 Packages [269 kB]\nFetched 9327 kB in 2s (4664 kB/s)\n{reading}"
                ),
            };
            let host = mirror.trim_start_matches("http://").replace('/', "_");
            files.write(&format!("{APT_LISTS}/{host}_dists_{suite}_InRelease"),
                &format!("Origin: {suite}\n"),
            );
            (out, err, 0)
        }
        Some("install") => {
            let wanted: Vec<&str> = words[1..].to_vec();
            let mut out = format!("{reading}Building dependency tree...{done}\nReading state information...{done}\n");
            let updated = files.has_entries(APT_LISTS);
            let status = files.read(DPKG_STATUS);
            let mut new = Vec::new();
            for p in &wanted {
                let found = PACKAGES
                    .iter()
                    .find(|k| k.name == *p && !k.debian.is_empty())
                    .filter(|_| updated);
                let Some(k) = found else {
                    err.push_str(&format!("E: Unable to locate package {p}\n"));
                    return (out, err, 100);
                };
                let version = if matches!(distro, Distro::Ubuntu { .. }) {
                    k.ubuntu
                } else {
                    k.debian
                };
                if status.contains(&format!("Package: {p}\n")) {
                    out.push_str(&format!("{p} is already the newest version ({version}).\n"));
                } else {
                    new.push((k, version));
                }
            }
            if new.is_empty() {
                out.push_str("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n");
                return (out, err, 0);
            }
            let kb: u32 = new.iter().map(|(k, _)| k.kb).sum();
            let names: Vec<&str> = new.iter().map(|(k, _)| k.name).collect();
            out.push_str(&format!(
                "The following NEW packages will be installed:\n  {}\n0 upgraded, {} newly installed, 0 to remove and 0 not upgraded.\nNeed to get {kb} kB of archives.\nAfter this operation, {} kB of additional disk space will be used.\n",
                names.join(" "),
                new.len(),
                kb * 3
            ));
            for (i, (k, v)) in new.iter().enumerate() {
                out.push_str(&format!(
                    "Get:{} {mirror} {suite}/main amd64 {} amd64 {v} [{} kB]\n",
                    i + 1,
                    k.name,
                    k.kb
                ));
            }
            out.push_str(&format!("Fetched {kb} kB in 0s ({} kB/s)\n", kb * 20));
            let mut status = status;
            for (i, (k, v)) in new.iter().enumerate() {
                out.push_str(&format!(
                    "Selecting previously unselected package {}.\n",
                    k.name
                ));
                if i == 0 {
                    out.push_str("(Reading database ... 6090 files and directories currently installed.)\n");
                }
                out.push_str(&format!(
                    "Preparing to unpack .../{}_{}_amd64.deb ...\nUnpacking {} ({v}) ...\n",
                    k.name,
                    v.replace(':', "%3a"),
                    k.name
                ));
                status.push_str(&format!("Package: {}\nStatus: install ok installed\nVersion: {v}\n\n", k.name));
            }
            for (k, v) in &new {
                out.push_str(&format!("Setting up {} ({v}) ...\n", k.name));
            }
            files.write(DPKG_STATUS, &status);
            (out, err, 0)
        }
        Some("upgrade" | "remove" | "purge" | "autoremove" | "clean") => {
            (
                format!("{reading}Building dependency tree...{done}\nReading state information...{done}\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"),
                err,
                0,
            )
        }
        Some(other) => (String::new(), format!("{err}E: Invalid operation {other}\n"), 100),
        None => (
            String::new(),
            format!("{err}E: No operation given\n"),
            100,
        ),
    }
}

/// An Alpine package with what it needs: name, the packages it depends on (in the order apk
/// installs them), installed size in KiB, and whether it has programs (the busybox trigger
/// runs after it) and a post-install script.
struct Apk {
    name: &'static str,
    deps: &'static [&'static str],
    kib: u64,
    programs: bool,
    post_install: bool,
}

const fn lib(name: &'static str, deps: &'static [&'static str], kib: u64) -> Apk {
    Apk {
        name,
        deps,
        kib,
        programs: false,
        post_install: false,
    }
}

const fn prog(name: &'static str, deps: &'static [&'static str], kib: u64) -> Apk {
    Apk {
        name,
        deps,
        kib,
        programs: true,
        post_install: false,
    }
}

/// The programs a package installs, where Alpine puts them.
fn apk_programs(name: &str) -> &'static [&'static str] {
    match name {
        "curl" => &["/usr/bin/curl"],
        "wget" => &["/usr/bin/wget"],
        "jq" => &["/usr/bin/jq"],
        "bash" => &["/bin/bash"],
        "bind-tools" => &["/usr/bin/dig", "/usr/bin/host", "/usr/bin/nslookup"],
        _ => &[],
    }
}

/// The Alpine packages whose dependencies the playground knows (the rest install alone).
const APKS: &[Apk] = &[
    lib("brotli-libs", &[], 804),
    lib("c-ares", &[], 204),
    lib("libunistring", &[], 1700),
    lib("libidn2", &["libunistring"], 140),
    lib("nghttp2-libs", &[], 152),
    lib("libpsl", &["libidn2", "libunistring"], 80),
    lib("zstd-libs", &[], 780),
    lib(
        "libcurl",
        &[
            "brotli-libs",
            "c-ares",
            "libidn2",
            "nghttp2-libs",
            "libpsl",
            "zstd-libs",
        ],
        700,
    ),
    prog("curl", &["libcurl"], 272),
    lib("pcre2", &[], 880),
    prog("wget", &["libidn2", "pcre2"], 496),
    lib("oniguruma", &[], 544),
    prog("jq", &["oniguruma"], 312),
    lib("ncurses-terminfo-base", &[], 40),
    lib("libncursesw", &["ncurses-terminfo-base"], 328),
    lib("readline", &["libncursesw"], 264),
    Apk {
        name: "bash",
        deps: &["readline"],
        kib: 1296,
        programs: true,
        post_install: true,
    },
    lib("fstrm", &[], 44),
    lib("krb5-conf", &[], 16),
    lib("libcom_err", &[], 28),
    lib("keyutils-libs", &[], 28),
    lib("libverto", &[], 28),
    lib(
        "krb5-libs",
        &["krb5-conf", "libcom_err", "keyutils-libs", "libverto"],
        1416,
    ),
    lib("json-c", &[], 84),
    lib("protobuf-c", &[], 68),
    lib("libuv", &[], 184),
    lib("xz-libs", &[], 196),
    lib("libxml2", &["xz-libs"], 1292),
    lib(
        "bind-libs",
        &[
            "fstrm",
            "krb5-libs",
            "json-c",
            "nghttp2-libs",
            "protobuf-c",
            "libuv",
            "libxml2",
        ],
        3264,
    ),
    prog("bind-tools", &["bind-libs"], 364),
];

/// The versions of [`APKS`] by Alpine release, and the busybox package whose trigger runs.
const APK_VERSIONS: &[(&str, &str, &str)] = &[
    (
        "3.20",
        "1.36.1-r29",
        "brotli-libs 1.1.0-r2 c-ares 1.33.1-r0 libunistring 1.2-r0 libidn2 2.3.7-r0 nghttp2-libs 1.62.1-r0 libpsl 0.21.5-r1 zstd-libs 1.5.6-r0 libcurl 8.14.1-r2 curl 8.14.1-r2 pcre2 10.43-r0 wget 1.24.5-r0 oniguruma 6.9.9-r0 jq 1.7.1-r0 ncurses-terminfo-base 6.4_p20240420-r2 libncursesw 6.4_p20240420-r2 readline 8.2.10-r0 bash 5.2.26-r0 fstrm 0.6.1-r4 krb5-conf 1.0-r2 libcom_err 1.47.0-r5 keyutils-libs 1.6.3-r3 libverto 0.3.2-r2 krb5-libs 1.21.3-r0 json-c 0.17-r0 protobuf-c 1.5.0-r0 libuv 1.48.0-r0 xz-libs 5.6.2-r1 libxml2 2.12.10-r0 bind-libs 9.18.37-r0 bind-tools 9.18.37-r0",
    ),
    (
        "3.21",
        "1.37.0-r12",
        "brotli-libs 1.1.0-r2 c-ares 1.34.5-r0 libunistring 1.2-r0 libidn2 2.3.7-r0 nghttp2-libs 1.64.0-r0 libpsl 0.21.5-r3 zstd-libs 1.5.6-r2 libcurl 8.12.1-r1 curl 8.12.1-r1 pcre2 10.43-r0 wget 1.25.0-r0 oniguruma 6.9.9-r0 jq 1.7.1-r0 ncurses-terminfo-base 6.5_p20241006-r3 libncursesw 6.5_p20241006-r3 readline 8.2.13-r0 bash 5.2.37-r0 fstrm 0.6.1-r4 krb5-conf 1.0-r2 libcom_err 1.47.1-r1 keyutils-libs 1.6.3-r4 libverto 0.3.2-r2 krb5-libs 1.21.3-r0 json-c 0.18-r0 protobuf-c 1.5.0-r2 libuv 1.49.2-r0 xz-libs 5.6.3-r1 libxml2 2.13.4-r5 bind-libs 9.18.33-r0 bind-tools 9.18.33-r0",
    ),
    (
        "3.22",
        "1.37.0-r18",
        "brotli-libs 1.1.0-r2 c-ares 1.34.5-r0 libunistring 1.3-r0 libidn2 2.3.7-r0 nghttp2-libs 1.65.0-r0 libpsl 0.21.5-r3 zstd-libs 1.5.7-r0 libcurl 8.14.1-r1 curl 8.14.1-r1 pcre2 10.43-r1 wget 1.25.0-r1 oniguruma 6.9.10-r0 jq 1.8.0-r0 ncurses-terminfo-base 6.5_p20250503-r0 libncursesw 6.5_p20250503-r0 readline 8.2.13-r1 bash 5.2.37-r0 fstrm 0.6.1-r4 krb5-conf 1.0-r2 libcom_err 1.47.2-r2 keyutils-libs 1.6.3-r4 libverto 0.3.2-r2 krb5-libs 1.21.3-r1 json-c 0.18-r1 protobuf-c 1.5.2-r0 libuv 1.51.0-r0 xz-libs 5.8.1-r0 libxml2 2.13.8-r0 bind-libs 9.20.13-r0 bind-tools 9.20.13-r0",
    ),
];

/// The packages of the `alpine` image (`/etc/apk/world` of a fresh container lists its
/// explicitly wanted ones; these are all of them): 15, about 7.5 MiB.
pub(crate) const APK_BASE: (usize, u64) = (15, 7_700);

/// The package set an Alpine system has besides its world: (packages, KiB), and its release
/// (`3.21`).
#[derive(Clone, Copy)]
pub(crate) struct ApkSystem {
    pub base: (usize, u64),
    pub release: &'static str,
    /// Packages of [`APKS`] the image has already (curl in nginx:alpine).
    pub has: &'static [&'static str],
}

/// The release (`3.21`) whose versions are known nearest to Alpine `version` (`3.21.3`).
fn apk_release(version: &str) -> &'static str {
    let minor = |v: &str| -> u32 {
        v.split('.')
            .nth(1)
            .and_then(|m| m.parse().ok())
            .unwrap_or(21)
    };
    let want = minor(version);
    APK_VERSIONS
        .iter()
        .min_by_key(|(r, _, _)| minor(r).abs_diff(want))
        .map_or("3.21", |(r, _, _)| r)
}

impl ApkSystem {
    /// The system of an image on Alpine `version` (`3.21.3`).
    pub(crate) fn alpine(version: &str, base: (usize, u64)) -> ApkSystem {
        ApkSystem {
            base,
            release: apk_release(version),
            has: &[],
        }
    }
}

/// The version of package `name` in `release`.
fn apk_version(release: &str, name: &str) -> Option<&'static str> {
    let (_, _, list) = APK_VERSIONS.iter().find(|(r, _, _)| *r == release)?;
    let mut words = list.split_ascii_whitespace();
    while let (Some(n), Some(v)) = (words.next(), words.next()) {
        if n == name {
            return Some(v);
        }
    }
    None
}

/// `name` and what it needs, dependencies first (apk's order), each once, into `out`.
fn apk_closure(name: &'static str, out: &mut Vec<&'static str>) {
    if out.contains(&name) {
        return;
    }
    if let Some(p) = APKS.iter().find(|p| p.name == name) {
        for d in p.deps {
            apk_closure(d, out);
        }
    }
    out.push(name);
}

/// The size of an installed package in KiB (2 MiB for one whose size is not known).
fn apk_kib(name: &str) -> u64 {
    APKS.iter().find(|p| p.name == name).map_or(2048, |p| p.kib)
}

/// `apk` over `files` on `system`.
pub(crate) fn apk(
    files: &mut dyn Files,
    args: &[String],
    system: ApkSystem,
) -> (String, String, i32) {
    let (out, err, code) = apk_run(files, args, system);
    // `-q` takes apk's verbosity to 0: no fetch, install or OK lines; errors still show.
    let quiet = args.iter().any(|a| a == "-q" || a == "--quiet");
    (if quiet { String::new() } else { out }, err, code)
}

fn apk_run(files: &mut dyn Files, args: &[String], system: ApkSystem) -> (String, String, i32) {
    let rel = system.release;
    let fetch = format!("fetch https://dl-cdn.alpinelinux.org/alpine/v{rel}/main/x86_64/APKINDEX.tar.gz\nfetch https://dl-cdn.alpinelinux.org/alpine/v{rel}/community/x86_64/APKINDEX.tar.gz\n");
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let world_file = files.read(APK_WORLD);
    let world: Vec<&str> = world_file.lines().filter(|l| !l.is_empty()).collect();
    // Everything installed: the world and what its packages need.
    let mut installed: Vec<&'static str> = Vec::new();
    for p in system.has {
        apk_closure(p, &mut installed);
    }
    let mut unknown_installed: Vec<&str> = Vec::new();
    for w in &world {
        match APKS.iter().find(|p| p.name == *w) {
            Some(p) => apk_closure(p.name, &mut installed),
            None => unknown_installed.push(w),
        }
    }
    let ok_line = |installed: &[&str], unknown: &[&str]| {
        let kib: u64 = system.base.1
            + installed.iter().map(|n| apk_kib(n)).sum::<u64>()
            + unknown.iter().map(|n| apk_kib(n)).sum::<u64>();
        format!(
            "OK: {} MiB in {} packages\n",
            kib / 1024,
            system.base.0 + installed.len() + unknown.len()
        )
    };
    match words.first().copied() {
        Some("update") => {
            let (main, community, count) = match rel {
                "3.22" => ("v3.22.1-98-g5fa7c4c7e6b", "v3.22.1-97-g9e2b1a5dd2c", 25468),
                "3.20" => ("v3.20.6-170-g1f7cd6e4d8e", "v3.20.6-169-gd2c4e9b1f0a", 24170),
                _ => ("v3.21.3-187-g6f4f47ec1c9", "v3.21.3-186-gf1d69c8b0b3", 25257),
            };
            (
                format!("{fetch}{main} [https://dl-cdn.alpinelinux.org/alpine/v{rel}/main]\n{community} [https://dl-cdn.alpinelinux.org/alpine/v{rel}/community]\nOK: {count} distinct packages available\n"),
                String::new(),
                0,
            )
        }
        Some("add") => {
            let mut out = fetch.clone();
            let mut wanted: Vec<&str> = words[1..].to_vec();
            wanted.sort_unstable();
            wanted.dedup();
            let mut new_world: Vec<&str> = Vec::new();
            let mut new: Vec<(&str, String)> = Vec::new();
            let mut now = installed.clone();
            let mut now_unknown = unknown_installed.clone();
            for p in &wanted {
                if let Some(k) = APKS.iter().find(|k| k.name == *p) {
                    let mut closure = Vec::new();
                    apk_closure(k.name, &mut closure);
                    for n in closure {
                        if !now.contains(&n) {
                            now.push(n);
                            let v = apk_version(rel, n).unwrap_or("0-r0");
                            new.push((n, v.to_string()));
                        }
                    }
                } else if let Some((n, v)) = PACKAGES.iter().filter_map(|k| k.alpine).find(|(n, _)| n == p) {
                    if !now_unknown.contains(&n) {
                        now_unknown.push(n);
                        new.push((n, v.to_string()));
                    }
                } else {
                    return (
                        out,
                        format!("ERROR: unable to select packages:\n  {p} (no such package):\n    required by: world[{p}]\n"),
                        1,
                    );
                }
                if !world.contains(p) {
                    new_world.push(p);
                }
            }
            let total = new.len();
            let mut trigger = false;
            for (i, (n, v)) in new.iter().enumerate() {
                out.push_str(&format!("({}/{total}) Installing {n} ({v})\n", i + 1));
                for path in apk_programs(n) {
                    files.install_program(path);
                }
                let known = APKS.iter().find(|k| k.name == *n);
                if known.is_some_and(|k| k.post_install) {
                    out.push_str(&format!("Executing {n}-{v}.post-install\n"));
                }
                trigger |= known.is_none_or(|k| k.programs);
            }
            if trigger {
                let busybox = APK_VERSIONS
                    .iter()
                    .find(|(r, _, _)| *r == rel)
                    .map_or("1.37.0-r12", |(_, b, _)| b);
                out.push_str(&format!("Executing busybox-{busybox}.trigger\n"));
            }
            out.push_str(&ok_line(&now, &now_unknown));
            if !new_world.is_empty() {
                let mut all: Vec<&str> = world.clone();
                all.extend(new_world);
                all.sort_unstable();
                let text: String = all.iter().map(|n| format!("{n}\n")).collect();
                files.write(APK_WORLD, &text);
            }
            (out, String::new(), 0)
        }
        Some("del" | "upgrade" | "cache" | "info" | "search") => (
            ok_line(&installed, &unknown_installed),
            String::new(),
            0,
        ),
        _ => (
            String::new(),
            "apk-tools 2.14.6, compiled for x86_64.\n\nusage: apk [<OPTIONS>...] COMMAND [<ARGUMENTS>...]\n".into(),
            1,
        ),
    }
}
