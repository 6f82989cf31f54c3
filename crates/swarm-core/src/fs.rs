//! A machine's filesystem: an in-memory tree of directories and regular files.
//!
//! Every machine has one ([`crate::Machine::fs`]), created with the skeleton of a Play with
//! Docker instance (Alpine: `/etc/hostname`, `/etc/hosts`, `/etc/os-release`, `/root`, `/tmp`,
//! `/usr/bin` …). The shell's file commands and redirections work on it; later, bind mounts,
//! `docker stack deploy -c FILE` and `docker config create NAME FILE` read from it.
//!
//! Paths given to [`Fs`] are absolute (the shell joins them to its current directory and
//! expands `~`); `.` and `..` are resolved here, walking the tree, so `file/..` is "Not a
//! directory" as the kernel says. Times are [`SimTime`]s passed in by the caller. The tree is
//! bounded ([`MAX_BYTES`], [`MAX_ENTRIES`]): past the cap a write fails with
//! [`FsError::NoSpace`] and changes nothing.
//!
//! Entries live in a `BTreeMap` keyed by absolute path, so listings come out sorted and
//! iteration order never depends on a hash.

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use crate::time::SimTime;

/// The most bytes all regular files of one machine may hold together (16 MiB).
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;
/// The most entries (files and directories, the root included) of one machine.
pub const MAX_ENTRIES: usize = 10_000;
/// The longest path accepted (Linux's `PATH_MAX`).
pub const MAX_PATH: usize = 4096;
/// The longest name of one entry (Linux's `NAME_MAX`).
pub const MAX_NAME: usize = 255;

/// Why a filesystem operation failed. `Display` gives the C library's `strerror` text, which
/// is what commands print after their own prefix (`cat: x: No such file or directory`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsError {
    /// `ENOENT`.
    NotFound,
    /// `ENOTDIR`: a path component (or a path with a trailing `/`) is a file.
    NotADirectory,
    /// `EISDIR`: a file operation on a directory.
    IsADirectory,
    /// `EEXIST`.
    Exists,
    /// `ENOTEMPTY`.
    NotEmpty,
    /// `ENOSPC`: the machine's filesystem is full ([`MAX_BYTES`] or [`MAX_ENTRIES`]).
    NoSpace,
    /// `ENAMETOOLONG`.
    NameTooLong,
    /// `EINVAL`: a relative path, or moving a directory into itself.
    InvalidArgument,
    /// `EBUSY`: removing or renaming `/`.
    Busy,
    /// `EROFS`: a write below a read-only mount of a container (a secret, `:ro`).
    ReadOnly,
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FsError::NotFound => "No such file or directory",
            FsError::NotADirectory => "Not a directory",
            FsError::IsADirectory => "Is a directory",
            FsError::Exists => "File exists",
            FsError::NotEmpty => "Directory not empty",
            FsError::NoSpace => "No space left on device",
            FsError::NameTooLong => "File name too long",
            FsError::InvalidArgument => "Invalid argument",
            FsError::Busy => "Device or resource busy",
            FsError::ReadOnly => "Read-only file system",
        })
    }
}

impl std::error::Error for FsError {}

/// What an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (its target is [`Fs::read_link`]'s).
    Symlink,
}

/// One entry of [`Fs::walk_with_data`]: its path relative to the walked root, its metadata
/// and, for a file, its content.
pub type WalkEntry = (String, Metadata, Option<Vec<u8>>);

/// What `stat` tells about an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// File or directory.
    pub kind: Kind,
    /// Bytes of a file; 4096 for a directory, as ext4 reports it.
    pub size: u64,
    /// Permission bits (`0o644`, `0o755`, `0o1777` …), without the type bits.
    pub mode: u32,
    /// When the content last changed.
    pub mtime: SimTime,
    /// Hard links: 1 for a file, 2 plus the number of subdirectories for a directory.
    pub nlink: u64,
}

impl Metadata {
    /// True for a directory.
    pub fn is_dir(&self) -> bool {
        self.kind == Kind::Dir
    }

    /// True for a regular file.
    pub fn is_file(&self) -> bool {
        self.kind == Kind::File
    }

    /// True for a symbolic link.
    pub fn is_symlink(&self) -> bool {
        self.kind == Kind::Symlink
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    /// The content of a file; `None` for a directory.
    data: Option<Vec<u8>>,
    mode: u32,
    mtime: SimTime,
    /// The size `stat` reports when it is not the content's: a downloaded binary that holds
    /// only a marker but lists at its real size ([`Fs::set_apparent_size`]). Writing the
    /// file drops it.
    apparent: Option<u64>,
    /// A symbolic link: `data` holds its target.
    link: bool,
}

impl Entry {
    fn dir(mode: u32, now: SimTime) -> Entry {
        Entry {
            data: None,
            mode,
            mtime: now,
            apparent: None,
            link: false,
        }
    }

    fn is_dir(&self) -> bool {
        self.data.is_none()
    }

    fn size(&self) -> u64 {
        self.data.as_ref().map_or(0, |d| d.len() as u64)
    }
}

/// One machine's filesystem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fs {
    entries: BTreeMap<String, Entry>,
    /// Bytes held by regular files.
    bytes: u64,
}

impl Default for Fs {
    fn default() -> Self {
        Fs::new(SimTime::ZERO)
    }
}

/// The parent of a normalised absolute path (`/` for `/x` and for `/`).
fn parent_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The last component of a normalised absolute path (`""` for `/`).
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

/// `dir` + `/` + `name`, for a normalised directory.
fn child(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The key prefix of everything below `dir`.
fn below(dir: &str) -> String {
    if dir == "/" {
        "/".to_string()
    } else {
        format!("{dir}/")
    }
}

/// Joins `path` to the directory `cwd` unless it is absolute (no normalisation).
pub fn join(cwd: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else if cwd.ends_with('/') {
        format!("{cwd}{path}")
    } else {
        format!("{cwd}/{path}")
    }
}

/// Lexical normalisation of an absolute path: `.` and empty components dropped, `..` pops
/// (never above `/`). What `cd` does with `$PWD` (bash's logical mode).
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The top-level directories of a Linux root filesystem (Alpine's, with their modes), shared
/// by machines and containers.
pub const LINUX_DIRS: &[(&str, u32)] = &[
    ("/bin", 0o755),
    ("/dev", 0o755),
    ("/etc", 0o755),
    ("/home", 0o755),
    ("/lib", 0o755),
    ("/media", 0o755),
    ("/mnt", 0o755),
    ("/opt", 0o755),
    ("/proc", 0o555),
    ("/root", 0o700),
    ("/run", 0o755),
    ("/sbin", 0o755),
    ("/srv", 0o755),
    ("/sys", 0o555),
    ("/tmp", 0o1777),
    ("/usr", 0o755),
    ("/usr/bin", 0o755),
    ("/usr/lib", 0o755),
    ("/usr/local", 0o755),
    ("/usr/local/bin", 0o755),
    ("/usr/sbin", 0o755),
    ("/usr/share", 0o755),
    ("/var", 0o755),
    ("/var/lib", 0o755),
    ("/var/log", 0o755),
    ("/var/tmp", 0o1777),
];

impl Fs {
    /// An empty filesystem: just `/`.
    pub fn new(now: SimTime) -> Fs {
        let mut entries = BTreeMap::new();
        entries.insert("/".to_string(), Entry::dir(0o755, now));
        Fs { entries, bytes: 0 }
    }

    /// The filesystem of a fresh Play with Docker instance (Alpine) named `hostname` at `ip`.
    pub fn skeleton(hostname: &str, ip: Ipv4Addr, now: SimTime) -> Fs {
        let mut fs = Fs::new(now);
        let machine_only = [
            ("/etc/docker", 0o755),
            ("/var/lib/docker", 0o710),
            ("/var/run", 0o755),
        ];
        for &(dir, mode) in LINUX_DIRS.iter().chain(machine_only.iter()) {
            fs.entries.insert(dir.to_string(), Entry::dir(mode, now));
        }
        let hosts = format!(
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n{ip}\t{hostname}\n"
        );
        let files: [(&str, String); 5] = [
            ("/etc/hostname", format!("{hostname}\n")),
            ("/etc/hosts", hosts),
            (
                "/etc/os-release",
                "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.21.3\nPRETTY_NAME=\"Alpine Linux v3.21\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n".to_string(),
            ),
            ("/etc/alpine-release", "3.21.3\n".to_string()),
            (
                "/etc/resolv.conf",
                "nameserver 8.8.8.8\nnameserver 8.8.4.4\n".to_string(),
            ),
        ];
        // dockerd's socket (a plain empty file here), which tools bind-mount into containers
        // (`--mount type=bind,src=/var/run/docker.sock,…` for portainer, the visualizer).
        fs.entries.insert(
            "/var/run/docker.sock".to_string(),
            Entry {
                data: Some(Vec::new()),
                mode: 0o660,
                mtime: now,
                apparent: None,
                link: false,
            },
        );
        for (path, text) in files {
            fs.bytes += text.len() as u64;
            fs.entries.insert(
                path.to_string(),
                Entry {
                    data: Some(text.into_bytes()),
                    mode: 0o644,
                    mtime: now,
                    apparent: None,
                    link: false,
                },
            );
        }
        fs
    }

    /// Bytes held by regular files.
    pub fn used_bytes(&self) -> u64 {
        self.bytes
    }

    /// Number of entries, `/` included.
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// Resolves an absolute path to its normalised form, walking the tree: every component
    /// before the last must be an existing directory. The last one need not exist.
    pub fn resolve(&self, path: &str) -> Result<String, FsError> {
        if !path.starts_with('/') {
            return Err(FsError::InvalidArgument);
        }
        if path.len() > MAX_PATH {
            return Err(FsError::NameTooLong);
        }
        self.resolve_in(path, 0)
    }

    /// [`Fs::resolve`], `depth` symbolic links deep.
    fn resolve_in(&self, path: &str, depth: usize) -> Result<String, FsError> {
        let mut cur = String::from("/");
        for c in path.split('/').filter(|c| !c.is_empty()) {
            match self.entries.get(&cur) {
                None => return Err(FsError::NotFound),
                Some(e) if e.link => cur = self.follow(&cur, depth)?,
                Some(e) if !e.is_dir() => return Err(FsError::NotADirectory),
                Some(_) => {}
            }
            match c {
                "." => {}
                ".." => cur = parent_of(&cur).to_string(),
                name => {
                    if name.len() > MAX_NAME {
                        return Err(FsError::NameTooLong);
                    }
                    cur = child(&cur, name);
                }
            }
        }
        // `file/` names a directory that is not there (`link/` is the directory it names).
        if path.len() > 1 && path.ends_with('/') {
            if let Some(e) = self.entries.get(&cur) {
                if e.link {
                    return self.follow(&cur, depth);
                }
                if !e.is_dir() {
                    return Err(FsError::NotADirectory);
                }
            }
        }
        Ok(cur)
    }

    /// Where the symbolic link at the normalised path `link` leads, followed to an entry
    /// that is not a link (`ELOOP` past 40 links is `InvalidArgument` here).
    fn follow(&self, link: &str, depth: usize) -> Result<String, FsError> {
        let mut cur = link.to_string();
        let mut depth = depth;
        while let Some(e) = self.entries.get(&cur).filter(|e| e.link) {
            depth += 1;
            if depth > 40 {
                return Err(FsError::InvalidArgument);
            }
            let target = String::from_utf8_lossy(e.data.as_deref().unwrap_or_default());
            let joined = join(parent_of(&cur), &target);
            cur = self.resolve_in(&joined, depth)?;
        }
        Ok(cur)
    }

    /// `path` resolved with its last component followed too when it is a link (`stat`).
    fn resolve_follow(&self, path: &str) -> Result<String, FsError> {
        let p = self.resolve(path)?;
        if self.entries.get(&p).is_some_and(|e| e.link) {
            return self.follow(&p, 0);
        }
        Ok(p)
    }

    /// The target of the symbolic link at `path` (`readlink`).
    pub fn read_link(&self, path: &str) -> Result<String, FsError> {
        let (_, e) = self.get(path)?;
        if !e.link {
            return Err(FsError::InvalidArgument);
        }
        Ok(String::from_utf8_lossy(e.data.as_deref().unwrap_or_default()).into_owned())
    }

    /// Makes `path` a symbolic link to `target` (`ln -s TARGET PATH`).
    pub fn symlink(&mut self, target: &str, path: &str, now: SimTime) -> Result<(), FsError> {
        let p = self.place(path)?;
        if self.entries.contains_key(&p) {
            return Err(FsError::Exists);
        }
        if self.entries.len() >= MAX_ENTRIES {
            return Err(FsError::NoSpace);
        }
        self.bytes += target.len() as u64;
        self.entries.insert(
            p.clone(),
            Entry {
                data: Some(target.as_bytes().to_vec()),
                mode: 0o777,
                mtime: now,
                apparent: None,
                link: true,
            },
        );
        self.touch_parent(&p, now);
        Ok(())
    }

    fn get(&self, path: &str) -> Result<(String, &Entry), FsError> {
        let p = self.resolve(path)?;
        match self.entries.get(&p) {
            Some(e) => Ok((p, e)),
            None => Err(FsError::NotFound),
        }
    }

    /// [`Fs::get`] following a last component that is a symbolic link.
    fn get_follow(&self, path: &str) -> Result<(String, &Entry), FsError> {
        let p = self.resolve_follow(path)?;
        match self.entries.get(&p) {
            Some(e) => Ok((p, e)),
            None => Err(FsError::NotFound),
        }
    }

    /// True when `path` names an existing entry (a link: one that leads somewhere).
    pub fn exists(&self, path: &str) -> bool {
        self.get_follow(path).is_ok()
    }

    fn meta(&self, path: &str, e: &Entry) -> Metadata {
        match &e.data {
            Some(d) if e.link => Metadata {
                kind: Kind::Symlink,
                size: d.len() as u64,
                mode: 0o777,
                mtime: e.mtime,
                nlink: 1,
            },
            Some(d) => Metadata {
                kind: Kind::File,
                size: e.apparent.unwrap_or(d.len() as u64),
                mode: e.mode,
                mtime: e.mtime,
                nlink: 1,
            },
            None => Metadata {
                kind: Kind::Dir,
                size: 4096,
                mode: e.mode,
                mtime: e.mtime,
                nlink: 2 + self.children(path).filter(|(_, c)| c.is_dir()).count() as u64,
            },
        }
    }

    /// The entries directly inside the normalised directory `dir`.
    fn children<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, &'a Entry)> + 'a {
        let prefix = below(dir);
        let skip = prefix.len();
        self.entries
            .range(prefix.clone()..)
            .skip_while(move |(k, _)| k.as_str() == "/")
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .filter(move |(k, _)| !k[skip..].contains('/'))
            .map(move |(k, e)| (&k[skip..], e))
    }

    /// Keys of `path` and everything below it.
    fn subtree(&self, path: &str) -> Vec<String> {
        let mut keys = vec![path.to_string()];
        let prefix = below(path);
        keys.extend(
            self.entries
                .range(prefix.clone()..)
                .take_while(|(k, _)| k.starts_with(&prefix))
                .filter(|(k, _)| k.as_str() != "/")
                .map(|(k, _)| k.clone()),
        );
        keys
    }

    /// What `stat` says about `path` (a symbolic link: about what it leads to).
    pub fn stat(&self, path: &str) -> Result<Metadata, FsError> {
        let (p, e) = self.get_follow(path)?;
        Ok(self.meta(&p, e))
    }

    /// What `lstat` says about `path`: a symbolic link itself.
    pub fn lstat(&self, path: &str) -> Result<Metadata, FsError> {
        let (p, e) = self.get(path)?;
        Ok(self.meta(&p, e))
    }

    /// The content of a file.
    pub fn read(&self, path: &str) -> Result<&[u8], FsError> {
        match self.get_follow(path)?.1.data.as_deref() {
            Some(d) => Ok(d),
            None => Err(FsError::IsADirectory),
        }
    }

    /// The content of a file as text (invalid UTF-8 replaced).
    pub fn read_to_string(&self, path: &str) -> Result<String, FsError> {
        self.read(path)
            .map(|d| String::from_utf8_lossy(d).into_owned())
    }

    /// The entries of a directory, sorted by name, with their metadata.
    pub fn list(&self, path: &str) -> Result<Vec<(String, Metadata)>, FsError> {
        let (p, e) = self.get_follow(path)?;
        if !e.is_dir() {
            return Err(FsError::NotADirectory);
        }
        let names: Vec<(String, &Entry)> =
            self.children(&p).map(|(n, e)| (n.to_string(), e)).collect();
        Ok(names
            .into_iter()
            .map(|(n, e)| {
                let full = child(&p, &n);
                let m = self.meta(&full, e);
                (n, m)
            })
            .collect())
    }

    /// `path` and everything below it, depth first, each directory's entries by name: what
    /// `find` walks. Paths are normalised and absolute.
    pub fn walk(&self, path: &str) -> Result<Vec<(String, Metadata)>, FsError> {
        let (p, e) = self.get(path)?;
        let mut out = vec![(p.clone(), self.meta(&p, e))];
        if e.is_dir() {
            self.walk_into(&p, &mut out);
        }
        Ok(out)
    }

    /// [`Fs::walk`] with each entry's path relative to `path` (`""` for itself) and, for a
    /// file, its content: a tree to copy elsewhere (`docker cp`).
    pub fn walk_with_data(&self, path: &str) -> Result<Vec<WalkEntry>, FsError> {
        let walk = self.walk(path)?;
        let base = walk.first().map(|(p, _)| p.clone()).unwrap_or_default();
        Ok(walk
            .into_iter()
            .map(|(p, meta)| {
                let rel = p.get(base.len()..).unwrap_or("").to_string();
                let data = meta
                    .is_file()
                    .then(|| self.read(&p).map(<[u8]>::to_vec).unwrap_or_default());
                (rel, meta, data)
            })
            .collect())
    }

    fn walk_into(&self, dir: &str, out: &mut Vec<(String, Metadata)>) {
        let kids: Vec<(String, bool)> = self
            .children(dir)
            .map(|(n, e)| (child(dir, n), e.is_dir()))
            .collect();
        for (full, is_dir) in kids {
            if let Some(e) = self.entries.get(&full) {
                out.push((full.clone(), self.meta(&full, e)));
            }
            if is_dir {
                self.walk_into(&full, out);
            }
        }
    }

    /// The normalised path of a new entry and its parent, checking the parent is a directory.
    fn place(&self, path: &str) -> Result<String, FsError> {
        let p = self.resolve(path)?;
        if p == "/" {
            return Ok(p);
        }
        match self.entries.get(parent_of(&p)) {
            None => Err(FsError::NotFound),
            Some(e) if !e.is_dir() => Err(FsError::NotADirectory),
            Some(_) => Ok(p),
        }
    }

    fn touch_parent(&mut self, p: &str, now: SimTime) {
        if let Some(parent) = self.entries.get_mut(parent_of(p)) {
            parent.mtime = now;
        }
    }

    /// Writes `data` to a file, creating it (mode 644) or replacing its content, or appending
    /// to it. Fails with [`FsError::IsADirectory`] on a directory; with
    /// [`FsError::NoSpace`] past the cap, leaving the file as it was.
    pub fn write(
        &mut self,
        path: &str,
        data: &[u8],
        append: bool,
        now: SimTime,
    ) -> Result<(), FsError> {
        let mut p = self.place(path)?;
        if self.entries.get(&p).is_some_and(|e| e.link) {
            p = self.follow(&p, 0)?;
        }
        let old = match self.entries.get(&p) {
            Some(e) if e.is_dir() => return Err(FsError::IsADirectory),
            Some(e) => Some(e.size()),
            None => None,
        };
        if old.is_none() && self.entries.len() >= MAX_ENTRIES {
            return Err(FsError::NoSpace);
        }
        let kept = if append { old.unwrap_or(0) } else { 0 };
        let new_total = self
            .bytes
            .saturating_sub(old.unwrap_or(0))
            .saturating_add(kept)
            .saturating_add(data.len() as u64);
        if new_total > MAX_BYTES {
            return Err(FsError::NoSpace);
        }
        self.bytes = new_total;
        let created = old.is_none();
        let e = self.entries.entry(p.clone()).or_insert_with(|| Entry {
            data: Some(Vec::new()),
            mode: 0o644,
            mtime: now,
            apparent: None,
            link: false,
        });
        e.apparent = None;
        if let Some(d) = e.data.as_mut() {
            if !append {
                d.clear();
            }
            d.extend_from_slice(data);
        }
        e.mtime = now;
        if created {
            self.touch_parent(&p, now);
        }
        Ok(())
    }

    /// `touch`: creates an empty file, or updates the time of an existing entry.
    pub fn touch(&mut self, path: &str, now: SimTime) -> Result<(), FsError> {
        let p = self.place(path)?;
        if let Some(e) = self.entries.get_mut(&p) {
            e.mtime = now;
            return Ok(());
        }
        self.write(&p, &[], true, now)
    }

    /// Creates a directory (mode 755). With `parents`, missing parents are created and an
    /// existing directory is fine, as `mkdir -p`.
    pub fn mkdir(&mut self, path: &str, parents: bool, now: SimTime) -> Result<(), FsError> {
        if !parents {
            let p = self.place(path)?;
            if self.entries.contains_key(&p) {
                return Err(FsError::Exists);
            }
            if self.entries.len() >= MAX_ENTRIES {
                return Err(FsError::NoSpace);
            }
            self.entries.insert(p.clone(), Entry::dir(0o755, now));
            self.touch_parent(&p, now);
            return Ok(());
        }
        if !path.starts_with('/') {
            return Err(FsError::InvalidArgument);
        }
        // Component by component, as `mkdir -p` does: `a/../b` creates `a` too.
        let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        let mut raw = String::new();
        for (i, c) in comps.iter().enumerate() {
            raw.push('/');
            raw.push_str(c);
            if *c == "." || *c == ".." {
                self.resolve(&raw)?;
                continue;
            }
            match self.stat(&raw) {
                Ok(m) if m.is_dir() => {}
                Ok(_) if i + 1 == comps.len() => return Err(FsError::Exists),
                Ok(_) => return Err(FsError::NotADirectory),
                Err(FsError::NotFound) => self.mkdir(&raw, false, now)?,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Removes a file, or a directory and everything in it when `recursive`. A directory
    /// without `recursive` is [`FsError::IsADirectory`] (what `rm` reports).
    pub fn remove(&mut self, path: &str, recursive: bool, now: SimTime) -> Result<(), FsError> {
        let (p, e) = self.get(path)?;
        if p == "/" {
            return Err(FsError::Busy);
        }
        if e.is_dir() && !recursive {
            return Err(FsError::IsADirectory);
        }
        for k in self.subtree(&p) {
            if let Some(e) = self.entries.remove(&k) {
                self.bytes = self.bytes.saturating_sub(e.size());
            }
        }
        self.touch_parent(&p, now);
        Ok(())
    }

    /// Removes an empty directory (`rmdir`).
    pub fn rmdir(&mut self, path: &str, now: SimTime) -> Result<(), FsError> {
        let (p, e) = self.get(path)?;
        if !e.is_dir() {
            return Err(FsError::NotADirectory);
        }
        if p == "/" {
            return Err(FsError::Busy);
        }
        if self.children(&p).next().is_some() {
            return Err(FsError::NotEmpty);
        }
        self.entries.remove(&p);
        self.touch_parent(&p, now);
        Ok(())
    }

    /// Renames `from` to `to` with rename(2)'s rules: a file replaces a file, a directory
    /// replaces an empty directory, a directory never moves into itself.
    pub fn rename(&mut self, from: &str, to: &str, now: SimTime) -> Result<(), FsError> {
        let (src, e) = self.get(from)?;
        let src_dir = e.is_dir();
        let dst = self.place(to)?;
        if src == "/" || dst == "/" {
            return Err(FsError::Busy);
        }
        if src == dst {
            return Ok(());
        }
        if src_dir && dst.starts_with(&below(&src)) {
            return Err(FsError::InvalidArgument);
        }
        if let Some(d) = self.entries.get(&dst) {
            match (src_dir, d.is_dir()) {
                (true, false) => return Err(FsError::NotADirectory),
                (false, true) => return Err(FsError::IsADirectory),
                (true, true) if self.children(&dst).next().is_some() => {
                    return Err(FsError::NotEmpty)
                }
                _ => {}
            }
            if let Some(old) = self.entries.remove(&dst) {
                self.bytes = self.bytes.saturating_sub(old.size());
            }
        }
        for k in self.subtree(&src) {
            if let Some(e) = self.entries.remove(&k) {
                let moved = format!("{dst}{}", &k[src.len()..]);
                self.entries.insert(moved, e);
            }
        }
        self.touch_parent(&src, now);
        self.touch_parent(&dst, now);
        Ok(())
    }

    /// Copies a file to `to` (replacing a file there), or a directory tree to `to` (which
    /// must not exist as a file; an existing directory receives the entries). Fails without
    /// change when the copy would not fit.
    pub fn copy(&mut self, from: &str, to: &str, now: SimTime) -> Result<(), FsError> {
        let (src, e) = self.get(from)?;
        let src_dir = e.is_dir();
        let dst = self.place(to)?;
        if let Some(d) = self.entries.get(&dst) {
            match (src_dir, d.is_dir()) {
                (true, false) => return Err(FsError::NotADirectory),
                (false, true) => return Err(FsError::IsADirectory),
                _ => {}
            }
        }
        if src == dst && !src_dir {
            return Ok(());
        }
        if src_dir && (dst == src || dst.starts_with(&below(&src))) {
            return Err(FsError::InvalidArgument);
        }
        let keys = self.subtree(&src);
        let mut new_entries = 0usize;
        let mut delta: i64 = 0;
        let mut plan: Vec<(String, Entry)> = Vec::new();
        for k in keys {
            let Some(e) = self.entries.get(&k) else {
                continue;
            };
            let target = format!("{dst}{}", &k[src.len()..]);
            match self.entries.get(&target) {
                Some(old) => delta -= old.size() as i64,
                None => new_entries += 1,
            }
            delta += e.size() as i64;
            let mut copy = e.clone();
            copy.mtime = now;
            plan.push((target, copy));
        }
        if self.entries.len() + new_entries > MAX_ENTRIES {
            return Err(FsError::NoSpace);
        }
        let total = self.bytes as i64 + delta;
        if total > MAX_BYTES as i64 {
            return Err(FsError::NoSpace);
        }
        self.bytes = total.max(0) as u64;
        for (k, e) in plan {
            match self.entries.get_mut(&k) {
                // An existing directory keeps its own mode, as `cp -r` into it does.
                Some(old) if old.is_dir() && e.is_dir() => old.mtime = now,
                _ => {
                    self.entries.insert(k, e);
                }
            }
        }
        self.touch_parent(&dst, now);
        Ok(())
    }

    /// Makes a file list at `size` bytes while holding only its content (the marker of a
    /// large download such as hey's 9 MB binary); the machine's byte budget counts the
    /// content. Writing the file again drops the declared size; `cp` and `mv` keep it.
    pub fn set_apparent_size(&mut self, path: &str, size: u64) -> Result<(), FsError> {
        let p = self.resolve(path)?;
        match self.entries.get_mut(&p) {
            Some(e) if e.is_dir() => Err(FsError::IsADirectory),
            Some(e) => {
                e.apparent = Some(size);
                Ok(())
            }
            None => Err(FsError::NotFound),
        }
    }

    /// Sets the permission bits of an entry (`chmod`).
    pub fn set_mode(&mut self, path: &str, mode: u32) -> Result<(), FsError> {
        let p = self.resolve_follow(path)?;
        match self.entries.get_mut(&p) {
            Some(e) => {
                e.mode = mode & 0o7777;
                Ok(())
            }
            None => Err(FsError::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbolic_links_lead_where_they_point() {
        let t = SimTime::ZERO;
        let mut fs = Fs::new(t);
        fs.mkdir("/usr/bin", true, t).unwrap();
        fs.write("/usr/bin/dash", b"ELF", false, t).unwrap();
        fs.symlink("usr/bin", "/bin", t).unwrap();
        fs.symlink("dash", "/usr/bin/sh", t).unwrap();
        assert_eq!(fs.lstat("/bin").unwrap().kind, Kind::Symlink);
        assert_eq!(fs.lstat("/bin").unwrap().size, 7);
        assert!(fs.stat("/bin").unwrap().is_dir());
        assert_eq!(fs.read("/bin/sh").unwrap(), b"ELF");
        assert_eq!(fs.read_link("/bin/sh").unwrap(), "dash");
        let names: Vec<String> = fs.list("/bin").unwrap().into_iter().map(|e| e.0).collect();
        assert_eq!(names, ["dash", "sh"]);
        fs.write("/bin/new", b"x", false, t).unwrap();
        assert!(fs.stat("/usr/bin/new").unwrap().is_file());
        fs.mkdir("/bin/sub/dir", true, t).unwrap();
        assert!(fs.stat("/usr/bin/sub/dir").unwrap().is_dir());
        assert_eq!(fs.symlink("x", "/bin", t), Err(FsError::Exists));
        assert_eq!(fs.read_link("/usr/bin/dash"), Err(FsError::InvalidArgument));
        // A loop and a dangling link.
        fs.symlink("/b", "/a", t).unwrap();
        fs.symlink("/a", "/b", t).unwrap();
        assert_eq!(fs.stat("/a/x"), Err(FsError::InvalidArgument));
        fs.symlink("nowhere", "/d", t).unwrap();
        assert_eq!(fs.stat("/d"), Err(FsError::NotFound));
        assert!(!fs.exists("/d"));
        fs.remove("/bin", false, t).unwrap();
        assert!(fs.stat("/usr/bin/sh").is_ok());
    }

    #[test]
    fn an_apparent_size_lists_until_the_file_is_written() {
        let mut fs = Fs::new(SimTime::ZERO);
        fs.write("/hey", b"marker", false, SimTime::ZERO).unwrap();
        fs.set_apparent_size("/hey", 9_101_824).unwrap();
        assert_eq!(fs.stat("/hey").unwrap().size, 9_101_824);
        assert_eq!(fs.read("/hey").unwrap(), b"marker");
        assert_eq!(fs.used_bytes(), 6);
        fs.copy("/hey", "/hey2", SimTime::ZERO).unwrap();
        assert_eq!(fs.stat("/hey2").unwrap().size, 9_101_824);
        fs.write("/hey", b"x", true, SimTime::ZERO).unwrap();
        assert_eq!(fs.stat("/hey").unwrap().size, 7);
        assert_eq!(fs.set_apparent_size("/", 1), Err(FsError::IsADirectory));
        assert_eq!(fs.set_apparent_size("/nope", 1), Err(FsError::NotFound));
    }

    #[test]
    fn children_of_root_skip_the_root_itself() {
        let fs = Fs::skeleton("node1", Ipv4Addr::new(192, 168, 0, 11), SimTime::ZERO);
        let names: Vec<String> = fs.list("/").unwrap().into_iter().map(|(n, _)| n).collect();
        assert!(names.contains(&"etc".to_string()));
        assert!(!names.iter().any(|n| n.is_empty() || n.contains('/')));
    }
}
