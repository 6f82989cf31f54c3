//! A filesystem per container: its own layer, plus mounts resolved by path.
//!
//! Every container gets a [`ContainerFs`] when it is created (kept in its engine's
//! [`crate::volume::Storage`], not in the [`crate::container::Container`], so reading a
//! container never copies its files): a writable *layer*, an [`Fs`] with the image's skeleton
//! (`/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf`, the usual top-level directories, the
//! workdir), and the *mounts* over it:
//!
//! - `volume`: a named or anonymous volume of the machine ([`crate::volume`]), created on
//!   first use; the image's `VOLUME`s get anonymous ones unless a mount covers them;
//! - `bind`: a directory (or file) of the machine's own filesystem; with `--mount` it must
//!   exist (`invalid mount config for type "bind": bind source path does not exist: /x`), with
//!   `-v /host:/path` the daemon creates it;
//! - `tmpfs`: an empty [`Fs`] that goes with the container;
//! - secrets and configs: read-only files written into the layer at their target, whose
//!   writes fail with `EROFS`, as `:ro` mounts do.
//!
//! A path is served by the mount with the longest target that is a prefix of it (after
//! lexical normalisation), else by the layer; so what the program or `docker exec` writes
//! below a volume's target lands in the volume, and survives the container. The file
//! operations are `World` methods (`container_read`, `container_write`, `container_list` …)
//! that the shell's commands in containers and the apps' behaviours use.

use std::collections::BTreeMap;

use crate::catalog::Image;
use crate::fs::{self, Fs, FsError, Metadata, WalkEntry};
use crate::machine::MachineId;
use crate::time::SimTime;
use crate::world::World;

/// The most mounts one container may have (a bound on everything).
pub const MAX_MOUNTS: usize = 64;

/// `Type` of a mount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum MountType {
    /// A volume.
    #[default]
    Volume,
    /// A path of the machine.
    Bind,
    /// Memory.
    Tmpfs,
}

impl MountType {
    /// The API string.
    pub fn as_str(self) -> &'static str {
        match self {
            MountType::Volume => "volume",
            MountType::Bind => "bind",
            MountType::Tmpfs => "tmpfs",
        }
    }

    /// Parses the API string.
    pub fn parse(s: &str) -> Option<MountType> {
        match s {
            "volume" => Some(MountType::Volume),
            "bind" => Some(MountType::Bind),
            "tmpfs" => Some(MountType::Tmpfs),
            _ => None,
        }
    }
}

/// A mount a container is created with (`-v`, `--mount`, a service's mounts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MountSpec {
    /// volume, bind or tmpfs.
    pub kind: MountType,
    /// Volume name (empty: anonymous) or host path.
    pub source: String,
    /// Absolute path in the container.
    pub target: String,
    /// Read-only.
    pub read_only: bool,
    /// Given with `-v` (`Binds`): a missing bind source is created, volumes show mode `z`.
    pub legacy: bool,
    /// Labels of a volume created for this mount (a stack's namespace).
    pub volume_labels: BTreeMap<String, String>,
    /// Driver options of a volume created for this mount.
    pub volume_options: BTreeMap<String, String>,
}

/// A secret or config given to a container: a read-only file with this content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileMount {
    /// Absolute path in the container.
    pub target: String,
    /// Content.
    pub data: Vec<u8>,
    /// Owner (`"0"`).
    pub uid: String,
    /// Group (`"0"`).
    pub gid: String,
    /// Permission bits (`0o444`).
    pub mode: u32,
}

/// A mount as the container has it (`docker inspect`'s `Mounts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mounted {
    /// volume, bind or tmpfs.
    pub kind: MountType,
    /// The volume's name (empty for binds and tmpfs).
    pub name: String,
    /// The volume's mountpoint or the host path (empty for tmpfs).
    pub source: String,
    /// Path in the container.
    pub target: String,
    /// Read-only.
    pub read_only: bool,
    /// From `-v` (volume mode `z`, bind propagation `rprivate`).
    pub legacy: bool,
}

/// A secret's or config's file, with its owner (for `ls -l`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    /// Absolute path in the container.
    pub target: String,
    /// Owner.
    pub uid: String,
    /// Group.
    pub gid: String,
}

/// What a container's layer is made of, until someone looks at it: the skeleton's inputs, the
/// mount points made in it, and the last `/etc/hosts` the engine wrote at a start. Building
/// an [`Fs`] costs tens of microseconds and a few kilobytes per container, and most task
/// containers are never looked into; replaying this gives the same tree as building it at once.
#[derive(Clone, Debug)]
pub(crate) struct LayerRecipe {
    pub image: String,
    pub argv0: Option<String>,
    pub hostname: String,
    pub addresses: Vec<String>,
    pub workdir: String,
    pub created: SimTime,
    /// Mount targets, made as directories at creation.
    pub mount_points: Vec<String>,
    /// `/etc/hosts` as last rewritten, and when.
    pub hosts: Option<(String, SimTime)>,
    /// The image, for the files it holds ([`Image::layer_files`]).
    pub from: Option<&'static Image>,
}

impl LayerRecipe {
    fn build(&self) -> Fs {
        let distro = match self.from {
            Some(i) => i.distro.clone(),
            None => crate::distro::Distro::guess(&self.image),
        };
        let mut layer = skeleton(
            &distro,
            self.argv0.as_deref(),
            &self.hostname,
            &self.addresses,
            &self.workdir,
            self.created,
        );
        if let Some(image) = self.from {
            add_image_programs(&mut layer, image, self.created);
            for (path, text) in image_etc_files(image, &distro) {
                if let Some((parent, _)) = path.rsplit_once('/') {
                    let _ = layer.mkdir(parent, true, self.created);
                }
                let _ = layer.write(path, text.as_bytes(), false, self.created);
            }
            for path in app_files(image) {
                let full = fs::join(&image.workdir, path);
                if let Some(dir) = full.strip_suffix('/') {
                    let _ = layer.mkdir(dir, true, self.created);
                } else {
                    if let Some((parent, _)) = full.rsplit_once('/') {
                        let _ = layer.mkdir(parent, true, self.created);
                    }
                    let _ = layer.write(&full, b"", false, self.created);
                }
            }
            if image.repository == "registry" && image.cmd == [REGISTRY2_CONFIG_PATH] {
                let _ = layer.mkdir("/etc/docker/registry", true, self.created);
                let _ = layer.write(
                    REGISTRY2_CONFIG_PATH,
                    REGISTRY2_CONFIG.as_bytes(),
                    false,
                    self.created,
                );
            }
            for f in image.layer_files() {
                if let Some((parent, _)) = f.path.rsplit_once('/') {
                    if !parent.is_empty() {
                        let _ = layer.mkdir(parent, true, self.created);
                    }
                }
                if layer.write(&f.path, &f.data, false, self.created).is_ok() {
                    let _ = layer.set_mode(&f.path, f.mode);
                }
            }
        }
        if let Some(image) = self.from {
            // What a commit made of its container's layer: added directories, removed paths.
            for (d, mode) in image.dirs.iter() {
                if layer.mkdir(d, true, self.created).is_ok() {
                    let _ = layer.set_mode(d, *mode);
                }
            }
            for p in image.removed.iter() {
                let _ = layer.remove(p, true, self.created);
            }
        }
        for t in &self.mount_points {
            let _ = layer.mkdir(t, true, self.created);
        }
        if let Some((text, at)) = &self.hosts {
            let _ = layer.write("/etc/hosts", text.as_bytes(), false, *at);
        }
        layer
    }
}

/// A container's writable layer, built from its recipe on first use. The recipe stays: the
/// image's own tree, which `docker diff` compares the layer with, is built from it.
#[derive(Clone, Debug)]
pub(crate) struct Layer {
    recipe: Option<Box<LayerRecipe>>,
    /// Written since it was built (the tree is no longer what the recipe gives).
    dirty: bool,
    fs: std::cell::OnceCell<Fs>,
}

impl Layer {
    /// A layer built at once (and written to by its creator).
    pub(crate) fn built(recipe: LayerRecipe) -> Layer {
        let fs = recipe.build();
        Layer {
            recipe: Some(Box::new(recipe)),
            dirty: true,
            fs: std::cell::OnceCell::from(fs),
        }
    }

    /// A layer built when first read or written.
    pub(crate) fn lazy(recipe: LayerRecipe) -> Layer {
        Layer {
            recipe: Some(Box::new(recipe)),
            dirty: false,
            fs: std::cell::OnceCell::new(),
        }
    }

    /// The tree, for reading.
    pub(crate) fn get(&self) -> &Fs {
        self.fs.get_or_init(|| match &self.recipe {
            Some(r) => r.build(),
            None => Fs::new(SimTime::ZERO),
        })
    }

    /// The tree, for writing.
    pub(crate) fn get_mut(&mut self) -> Option<&mut Fs> {
        self.get();
        self.dirty = true;
        self.fs.get_mut()
    }

    /// The tree when something was written to it (`None` while it is still its recipe).
    fn written(&self) -> Option<&Fs> {
        if self.dirty {
            self.fs.get()
        } else {
            None
        }
    }

    /// The engine rewrites `/etc/hosts` (at every start).
    pub(crate) fn write_hosts(&mut self, text: String, now: SimTime) {
        match (self.fs.get_mut(), &mut self.recipe) {
            (Some(fs), _) => {
                let _ = fs.write("/etc/hosts", text.as_bytes(), false, now);
            }
            (None, Some(r)) => r.hosts = Some((text, now)),
            (None, None) => {}
        }
    }

    /// The tree of the image the container was made from, as its layer started before the
    /// engine's own files and mount points: what `docker diff` compares with.
    fn image_tree(&self) -> Fs {
        let Some(r) = &self.recipe else {
            return Fs::new(SimTime::ZERO);
        };
        let image = LayerRecipe {
            image: r.image.clone(),
            argv0: r.argv0.clone(),
            hostname: String::new(),
            addresses: Vec::new(),
            workdir: r.from.map(|i| i.workdir.clone()).unwrap_or_default(),
            created: r.created,
            // An image's `VOLUME`s are directories of its tree.
            mount_points: r
                .from
                .map(|i| {
                    i.volumes
                        .iter()
                        .filter(|v| v.starts_with('/'))
                        .map(|v| fs::normalize(v))
                        .collect()
                })
                .unwrap_or_default(),
            hosts: None,
            from: r.from,
        };
        image.build()
    }
}

/// Paths the engine bind-mounts into every container (moby's init layer): never a change.
const ENGINE_FILES: &[&str] = &["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"];

/// One change of a container's layer against its image (`docker diff`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// `C`.
    Modified,
    /// `A`.
    Added,
    /// `D`.
    Deleted,
}

impl ChangeKind {
    /// The letter `docker diff` prints.
    pub fn letter(self) -> char {
        match self {
            ChangeKind::Modified => 'C',
            ChangeKind::Added => 'A',
            ChangeKind::Deleted => 'D',
        }
    }
}

/// What a commit takes from a container's layer: its changes as an image holds them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerChanges {
    /// Files added or changed (path, content, mode).
    pub files: Vec<crate::catalog::ImageFile>,
    /// Directories added (path, mode).
    pub dirs: Vec<(String, u32)>,
    /// Paths deleted (the topmost of a deleted tree).
    pub removed: Vec<String>,
}

/// Orders paths as a depth-first walk meets them (each directory's names bytewise): `/a`,
/// `/a/b`, `/a-b`.
fn walk_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.split('/').cmp(b.split('/'))
}

/// The changes of `layer` against `image`, in walk order, as overlay2's `Changes` reports
/// them: an added entry `A` (and everything below it), a deleted one `D` (only the topmost),
/// a file whose content, mode or time changed `C`, and every directory on the way to a
/// change `C`.
fn changes(image: &Fs, layer: &Fs) -> Vec<(ChangeKind, String)> {
    let skip = |p: &str| p == "/" || ENGINE_FILES.contains(&p);
    let mut out: BTreeMap<String, ChangeKind> = BTreeMap::new();
    let now_entries = layer.walk("/").unwrap_or_default();
    for (path, meta) in &now_entries {
        if skip(path) {
            continue;
        }
        // Entries as they are (a symbolic link is itself, not what it points at).
        match image.lstat(path) {
            Err(_) => {
                out.insert(path.clone(), ChangeKind::Added);
            }
            Ok(before) => {
                let same_data = if meta.is_symlink() {
                    image.read_link(path).ok() == layer.read_link(path).ok()
                } else {
                    meta.is_dir() || image.read(path).ok() == layer.read(path).ok()
                };
                let same = before.kind == meta.kind
                    && before.mode == meta.mode
                    && before.mtime == meta.mtime
                    && same_data;
                if !same {
                    out.insert(path.clone(), ChangeKind::Modified);
                }
            }
        }
    }
    for (path, _) in image.walk("/").unwrap_or_default() {
        if skip(&path) || layer.lstat(&path).is_ok() {
            continue;
        }
        let parent = match path.rfind('/') {
            Some(0) | None => "/".to_string(),
            Some(i) => path[..i].to_string(),
        };
        if parent == "/" || layer.lstat(&parent).is_ok_and(|m| m.is_dir()) {
            out.insert(path, ChangeKind::Deleted);
        }
    }
    // Every directory above a change changed too.
    let changed: Vec<String> = out.keys().cloned().collect();
    for path in changed {
        let mut p = path.as_str();
        while let Some(i) = p.rfind('/') {
            p = &p[..i];
            if p.is_empty() {
                break;
            }
            out.entry(p.to_string()).or_insert(ChangeKind::Modified);
        }
    }
    let mut list: Vec<(ChangeKind, String)> = out.into_iter().map(|(p, k)| (k, p)).collect();
    crate::sort::sort_by(&mut list, |a, b| walk_order(&a.1, &b.1));
    list
}

/// One container's filesystem: its layer and its mounts.
#[derive(Clone, Debug)]
pub struct ContainerFs {
    pub(crate) layer: Layer,
    /// Mounts, in the order given.
    pub mounts: Vec<Mounted>,
    pub(crate) tmpfs: BTreeMap<String, Fs>,
    /// Read-only files (secrets, configs).
    pub files: Vec<FileInfo>,
}

/// Which tree serves a path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Backing {
    Layer,
    Volume(String),
    Bind,
    Tmpfs(String),
}

#[derive(Clone, Debug)]
struct Route {
    backing: Backing,
    /// The path inside that tree.
    inner: String,
    read_only: bool,
    /// The path is the mount point itself (it can't be removed or renamed).
    is_mount_point: bool,
}

/// True when `path` is `dir` or below it (both normalised).
fn under(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.starts_with(&format!("{dir}/"))
}

/// `rest` of `path` below `dir`, as an absolute path of the mounted tree.
fn inner_of(path: &str, dir: &str) -> String {
    let rest = if dir == "/" { path } else { &path[dir.len()..] };
    if rest.is_empty() {
        "/".to_string()
    } else {
        rest.to_string()
    }
}

impl ContainerFs {
    /// True when one of its mounts is volume `name`.
    pub fn uses_volume(&self, name: &str) -> bool {
        self.mounts
            .iter()
            .any(|m| m.kind == MountType::Volume && m.name == name)
    }

    /// The owner of a path, when it is one of the secret/config files.
    pub fn owner(&self, path: &str) -> Option<(&str, &str)> {
        let p = fs::normalize(path);
        self.files
            .iter()
            .find(|f| f.target == p)
            .map(|f| (f.uid.as_str(), f.gid.as_str()))
    }

    fn route(&self, path: &str) -> Route {
        let p = fs::normalize(path);
        if self.files.iter().any(|f| f.target == p) {
            return Route {
                backing: Backing::Layer,
                inner: p,
                read_only: true,
                is_mount_point: true,
            };
        }
        let best = self
            .mounts
            .iter()
            .filter(|m| under(&p, &m.target))
            .max_by_key(|m| m.target.len());
        match best {
            None => Route {
                backing: Backing::Layer,
                inner: p,
                read_only: false,
                is_mount_point: false,
            },
            Some(m) => {
                let is_mount_point = p == m.target;
                let (backing, inner) = match m.kind {
                    MountType::Volume => (Backing::Volume(m.name.clone()), inner_of(&p, &m.target)),
                    MountType::Tmpfs => (Backing::Tmpfs(m.target.clone()), inner_of(&p, &m.target)),
                    MountType::Bind => {
                        let rest = inner_of(&p, &m.target);
                        let inner = if rest == "/" {
                            m.source.clone()
                        } else {
                            fs::normalize(&format!("{}{rest}", m.source))
                        };
                        (Backing::Bind, inner)
                    }
                };
                Route {
                    backing,
                    inner,
                    read_only: m.read_only,
                    is_mount_point,
                }
            }
        }
    }
}

/// The distribution of an image by reference (the catalog's `base`, else a guess by name).
pub fn distro_of(image: &str) -> crate::distro::Distro {
    match crate::catalog::Catalog::get().lookup(image) {
        Some(i) => i.distro.clone(),
        None => crate::distro::Distro::guess(image),
    }
}

/// The image is Alpine or BusyBox based (its tools are BusyBox's).
pub fn is_busybox_image(image: &str) -> bool {
    distro_of(image).is_busybox()
}

/// Files the lab images' builds put in their working directory (`COPY`; a name ending in `/`
/// is a directory), by repository. Their contents are not modelled.
const APP_FILES: &[(&str, &[&str])] = &[
    (
        "diamol/ch09-access-log",
        &["node_modules/", "package.json", "server.js"],
    ),
    ("diamol/ch09-image-of-the-day", &["iotd-service-0.1.0.jar"]),
    ("diamol/ch09-image-gallery", &["index.html", "server"]),
    (
        "diamol/ch06-todo-list",
        &[
            "ToDoList.deps.json",
            "ToDoList.dll",
            "ToDoList.pdb",
            "ToDoList.runtimeconfig.json",
            "appsettings.json",
            "wwwroot/",
        ],
    ),
    (
        "diamol/ch08-numbers-api",
        &[
            "Numbers.Api.deps.json",
            "Numbers.Api.dll",
            "Numbers.Api.pdb",
            "Numbers.Api.runtimeconfig.json",
            "appsettings.json",
        ],
    ),
    (
        "diamol/ch14-numbers-api",
        &[
            "Numbers.Api.deps.json",
            "Numbers.Api.dll",
            "Numbers.Api.pdb",
            "Numbers.Api.runtimeconfig.json",
            "appsettings.json",
        ],
    ),
    (
        "diamol/ch08-numbers-web",
        &[
            "Numbers.Web.deps.json",
            "Numbers.Web.dll",
            "Numbers.Web.pdb",
            "Numbers.Web.runtimeconfig.json",
            "Utilities.HttpCheck.dll",
            "appsettings.json",
            "wwwroot/",
        ],
    ),
    (
        "diamol/ch14-numbers-web",
        &[
            "Numbers.Web.deps.json",
            "Numbers.Web.dll",
            "Numbers.Web.pdb",
            "Numbers.Web.runtimeconfig.json",
            "Utilities.HttpCheck.dll",
            "appsettings.json",
            "wwwroot/",
        ],
    ),
    (
        "diamol/ch12-timecheck",
        &[
            "TimeCheck.deps.json",
            "TimeCheck.dll",
            "TimeCheck.pdb",
            "TimeCheck.runtimeconfig.json",
            "appsettings.json",
        ],
    ),
];

/// The files of `image`'s working directory that its build copied in.
fn app_files(image: &Image) -> &'static [&'static str] {
    if !image.workdir.starts_with('/') || !image.files.is_empty() {
        return &[];
    }
    APP_FILES
        .iter()
        .find(|(r, _)| *r == image.repository)
        .map_or(&[], |(_, f)| f)
}

/// nginx's `/etc/nginx/nginx.conf` (the same in its Debian and Alpine images).
const NGINX_CONF: &str = "
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] \"$request\" '
                      '$status $body_bytes_sent \"$http_referer\" '
                      '\"$http_user_agent\" \"$http_x_forwarded_for\"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
";

/// nginx's `/etc/nginx/conf.d/default.conf`.
const NGINX_DEFAULT_CONF: &str = "server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }

    # proxy the PHP scripts to Apache listening on 127.0.0.1:80
    #
    #location ~ \\.php$ {
    #    proxy_pass   http://127.0.0.1;
    #}

    # pass the PHP scripts to FastCGI server listening on 127.0.0.1:9000
    #
    #location ~ \\.php$ {
    #    root           html;
    #    fastcgi_pass   127.0.0.1:9000;
    #    fastcgi_index  index.php;
    #    fastcgi_param  SCRIPT_FILENAME  /scripts$fastcgi_script_name;
    #    include        fastcgi_params;
    #}

    # deny access to .htaccess files, if Apache's document root
    # concurs with nginx's one
    #
    #location ~ /\\.ht {
    #    deny  all;
    #}
}

";

/// The `/etc` files of a container of `image`: its distribution's (`os-release`, `passwd`,
/// `group` …), with the users and configuration its program adds (nginx).
fn image_etc_files(image: &Image, distro: &crate::distro::Distro) -> Vec<(&'static str, String)> {
    let mut files = distro.etc_files();
    let nginx = image.env.iter().any(|e| e.starts_with("NGINX_VERSION="));
    if nginx {
        let (user, group) = if distro.is_busybox() {
            (
                "nginx:x:101:101:nginx:/var/cache/nginx:/sbin/nologin\n",
                "nginx:x:101:nginx\n",
            )
        } else {
            (
                "nginx:x:101:101:nginx user:/nonexistent:/bin/false\n",
                "nginx:x:101:\n",
            )
        };
        for (path, text) in files.iter_mut() {
            match *path {
                "/etc/passwd" => text.push_str(user),
                "/etc/group" => text.push_str(group),
                _ => {}
            }
        }
        files.push(("/etc/nginx/nginx.conf", NGINX_CONF[1..].to_string()));
        files.push((
            "/etc/nginx/conf.d/default.conf",
            NGINX_DEFAULT_CONF.to_string(),
        ));
    }
    files
}

/// `/etc/hosts` of a container: docker's localhost lines and its own address.
pub fn hosts_file(hostname: &str, address: Option<&str>) -> String {
    let mut s = String::from("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::\tip6-localnet\nff00::\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
    if let Some(ip) = address {
        s.push_str(&format!("{ip}\t{hostname}\n"));
    }
    s
}

/// The layer of a new container: the top-level directories its image has, its `/etc` files
/// and its workdir.
pub fn skeleton(
    distro: &crate::distro::Distro,
    argv0: Option<&str>,
    hostname: &str,
    addresses: &[String],
    workdir: &str,
    now: SimTime,
) -> Fs {
    let mut layer = Fs::new(now);
    let mut dirs: Vec<(&str, u32)> = crate::fs::LINUX_DIRS.to_vec();
    if !distro.is_busybox() {
        dirs.push(("/boot", 0o755));
        dirs.push(("/lib64", 0o755));
    }
    let entrypoint_dir = argv0 == Some("/docker-entrypoint.sh");
    if entrypoint_dir {
        dirs.push(("/docker-entrypoint.d", 0o755));
    }
    let merged = distro.merged_usr();
    for (d, mode) in dirs {
        if merged && matches!(d, "/bin" | "/sbin" | "/lib" | "/lib64") {
            continue;
        }
        let _ = layer.mkdir(d, true, now);
        let _ = layer.set_mode(d, mode);
    }
    if merged {
        let _ = layer.mkdir("/usr/lib64", true, now);
        for (link, target) in [
            ("/bin", "usr/bin"),
            ("/lib", "usr/lib"),
            ("/lib64", "usr/lib64"),
            ("/sbin", "usr/sbin"),
        ] {
            let _ = layer.symlink(target, link, now);
        }
    }
    // The busybox image's applets are hard links to one program, of its size.
    let one = (distro.family == crate::distro::Family::Busybox).then_some(1_131_168);
    for (dir, entries) in distro.program_dirs() {
        add_programs(&mut layer, dir, entries, one, now);
    }
    if entrypoint_dir {
        let _ = layer.write("/docker-entrypoint.sh", b"#!/bin/sh\n", false, now);
        let _ = layer.set_mode("/docker-entrypoint.sh", 0o775);
    }
    let ip = addresses.first().map(String::as_str);
    let _ = layer.write(
        "/etc/hostname",
        format!("{hostname}\n").as_bytes(),
        false,
        now,
    );
    let _ = layer.write(
        "/etc/hosts",
        hosts_file(hostname, ip).as_bytes(),
        false,
        now,
    );
    let _ = layer.write(
        "/etc/resolv.conf",
        b"nameserver 127.0.0.11\noptions ndots:0\n",
        false,
        now,
    );
    if workdir.starts_with('/') {
        let _ = layer.mkdir(&fs::normalize(workdir), true, now);
    }
    layer
}

/// Puts programs in directory `dir` of `layer`: a link to its target, or an executable that
/// holds only the ELF magic and lists at `size` or a size of its own.
fn add_programs<'a>(
    layer: &mut Fs,
    dir: &str,
    entries: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    size: Option<u64>,
    now: SimTime,
) {
    let _ = layer.mkdir(dir, true, now);
    for (name, target) in entries {
        let path = format!("{dir}/{name}");
        match target {
            Some(t) => {
                let _ = layer.symlink(t, &path, now);
            }
            None => {
                if layer.write(&path, b"\x7fELF", false, now).is_ok() {
                    let _ = layer.set_mode(&path, 0o755);
                    let size = if let Some(s) = size {
                        s
                    } else if name == "busybox" {
                        808_712
                    } else {
                        let h = crate::container::hex64(&format!("bin:{name}"));
                        14_480 + u64::from_str_radix(&h[..4], 16).unwrap_or(0) * 3
                    };
                    let _ = layer.set_apparent_size(&path, size);
                }
            }
        }
    }
}

/// The programs an image adds to its distribution's, by the version its environment declares:
/// (variable, directory, entries as in `distro`'s lists; `{v}` is Python's `MAJOR.MINOR`).
const IMAGE_PROGRAMS: &[(&str, &str, &str)] = &[
    ("NGINX_VERSION", "/usr/sbin", "nginx nginx-debug"),
    ("NGINX_VERSION", "/usr/bin", "curl"),
    (
        "REDIS_VERSION",
        "/usr/local/bin",
        "docker-entrypoint.sh gosu redis-benchmark redis-check-aof>redis-server redis-check-rdb>redis-server redis-cli redis-sentinel>redis-server redis-server",
    ),
    (
        "PYTHON_VERSION",
        "/usr/local/bin",
        "idle3>idle{v} idle{v} pip pip3 pip{v} pydoc3>pydoc{v} pydoc{v} python>python3 python-config>python3-config python3>python{v} python3-config>python{v}-config python{v} python{v}-config",
    ),
    (
        "NODE_VERSION",
        "/usr/local/bin",
        "corepack>../lib/node_modules/corepack/dist/corepack.js docker-entrypoint.sh node nodejs>node npm>../lib/node_modules/npm/bin/npm-cli.js npx>../lib/node_modules/npm/bin/npx-cli.js",
    ),
];

/// Adds the programs of [`IMAGE_PROGRAMS`] that `image` declares to `layer`.
fn add_image_programs(layer: &mut Fs, image: &Image, now: SimTime) {
    for (var, dir, list) in IMAGE_PROGRAMS {
        let prefix = format!("{var}=");
        let Some(version) = image
            .env
            .iter()
            .find_map(|e| e.strip_prefix(prefix.as_str()))
        else {
            continue;
        };
        let v: String = version.split('.').take(2).collect::<Vec<_>>().join(".");
        let list = list.replace("{v}", &v);
        let entries = list
            .split_ascii_whitespace()
            .map(|e| match e.split_once('>') {
                Some((n, t)) => (n, Some(t)),
                None => (e, None),
            });
        add_programs(layer, dir, entries, None, now);
    }
}

/// The registry:2 image's `/etc/docker/registry/config.yml` (its CMD names it); its
/// `http.headers` is why every response has `X-Content-Type-Options: nosniff`.
const REGISTRY2_CONFIG_PATH: &str = "/etc/docker/registry/config.yml";

/// Its content.
const REGISTRY2_CONFIG: &str = "version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
";

/// The daemon's error for a mount, `invalid mount config for type "…": …`.
fn mount_error(kind: MountType, msg: &str) -> String {
    format!("invalid mount config for type \"{}\": {msg}", kind.as_str())
}

impl World {
    /// `docker diff`: the changes of container `id`'s layer against its image, in the order
    /// moby reports them (see [`changes`]). What is below a mount is not in the layer. `None`
    /// when there is no such container.
    pub fn container_changes(&self, m: MachineId, id: &str) -> Option<Vec<(ChangeKind, String)>> {
        let layer = &self.container_fs(m, id)?.layer;
        Some(changes(&layer.image_tree(), layer.get()))
    }

    /// What `docker commit` keeps of container `id`'s layer: the files added or changed, the
    /// directories added, the paths deleted (the engine's own files left out).
    pub fn container_layer_changes(&self, m: MachineId, id: &str) -> Option<LayerChanges> {
        let layer = &self.container_fs(m, id)?.layer;
        let tree = layer.get();
        let mut out = LayerChanges::default();
        for (kind, path) in changes(&layer.image_tree(), tree) {
            let Ok(meta) = tree.stat(&path) else {
                if kind == ChangeKind::Deleted {
                    out.removed.push(path);
                }
                continue;
            };
            match (kind, meta.is_dir()) {
                (ChangeKind::Deleted, _) => out.removed.push(path),
                (ChangeKind::Added, true) => out.dirs.push((path, meta.mode)),
                (_, true) => {}
                (_, false) => out.files.push(crate::catalog::ImageFile {
                    data: tree.read(&path).map(<[u8]>::to_vec).unwrap_or_default(),
                    path,
                    mode: meta.mode,
                }),
            }
        }
        Some(out)
    }

    /// The filesystem of container `id` on `m` (its mounts for `docker inspect`).
    pub fn container_fs(&self, m: MachineId, id: &str) -> Option<&ContainerFs> {
        self.machine(m)?.runtime.storage.filesystems.get(id)
    }

    /// `SizeRw` of container `id`: the bytes of the files of its writable layer written after
    /// `since` (its creation), as `docker ps -s` shows them. The files the engine bind-mounts
    /// (`/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`) and mounts do not count.
    pub fn container_size_rw(&self, m: MachineId, id: &str, since: SimTime) -> u64 {
        let Some(fs) = self.container_fs(m, id).and_then(|c| c.layer.written()) else {
            return 0;
        };
        let Ok(entries) = fs.walk("/") else {
            return 0;
        };
        entries
            .iter()
            .filter(|(path, meta)| {
                meta.is_file()
                    && meta.mtime > since
                    && !matches!(
                        path.as_str(),
                        "/etc/hosts" | "/etc/hostname" | "/etc/resolv.conf"
                    )
            })
            .map(|(_, meta)| meta.size)
            .sum()
    }

    /// The mounts container `id` gets, checked as the daemon does before creating it: the
    /// given ones, then anonymous volumes for the image's `VOLUME`s that none covers.
    pub(crate) fn check_mounts(
        &self,
        m: MachineId,
        specs: &[MountSpec],
        image: Option<&Image>,
    ) -> Result<Vec<MountSpec>, String> {
        if specs.len() > MAX_MOUNTS {
            return Err(format!(
                "the playground's containers have at most {MAX_MOUNTS} mounts"
            ));
        }
        let mut out: Vec<MountSpec> = Vec::new();
        for s in specs {
            if s.target.is_empty() {
                return Err(mount_error(s.kind, "field Target must not be empty"));
            }
            if !s.target.starts_with('/') {
                return Err(mount_error(
                    s.kind,
                    &format!(
                        "invalid mount path: '{}' mount path must be absolute",
                        s.target
                    ),
                ));
            }
            let mut s = s.clone();
            s.target = fs::normalize(&s.target);
            if s.target == "/" {
                return Err(mount_error(
                    s.kind,
                    "invalid specification: destination can't be '/'",
                ));
            }
            match s.kind {
                MountType::Bind => {
                    if s.source.is_empty() {
                        return Err(mount_error(s.kind, "field Source must not be empty"));
                    }
                    if !s.source.starts_with('/') {
                        return Err(mount_error(
                            s.kind,
                            &format!(
                                "invalid mount path: '{}' mount path must be absolute",
                                s.source
                            ),
                        ));
                    }
                    s.source = fs::normalize(&s.source);
                    let exists = self.machine(m).is_some_and(|mc| mc.fs.exists(&s.source));
                    if !exists && !s.legacy {
                        return Err(mount_error(
                            s.kind,
                            &format!("bind source path does not exist: {}", s.source),
                        ));
                    }
                }
                MountType::Volume => {
                    if !s.source.is_empty() && !crate::volume::valid_volume_name(&s.source) {
                        return Err(crate::volume::invalid_name_error(&s.source));
                    }
                }
                MountType::Tmpfs => {
                    if !s.source.is_empty() {
                        return Err(mount_error(s.kind, "field Source must not be specified"));
                    }
                }
            }
            if out.iter().any(|o| o.target == s.target) {
                return Err(format!("Duplicate mount point: {}", s.target));
            }
            out.push(s);
        }
        if let Some(img) = image {
            for v in &img.volumes {
                let t = fs::normalize(v);
                if !out.iter().any(|o| o.target == t) {
                    out.push(MountSpec {
                        kind: MountType::Volume,
                        target: t,
                        ..Default::default()
                    });
                }
            }
        }
        Ok(out)
    }

    /// Sets up the filesystem of a container just created: its layer, its volumes (created
    /// on first use), bind sources `-v` creates, tmpfs, and its secret and config files.
    pub(crate) fn setup_container_fs(
        &mut self,
        m: MachineId,
        id: &str,
        mut recipe: LayerRecipe,
        mounts: Vec<MountSpec>,
        files: &[FileMount],
    ) {
        let now = self.now();
        let mut mounted = Vec::new();
        let mut tmpfs = BTreeMap::new();
        for s in mounts {
            recipe.mount_points.push(s.target.clone());
            match s.kind {
                MountType::Volume => {
                    let name = if s.source.is_empty() {
                        None
                    } else {
                        Some(s.source.as_str())
                    };
                    let Ok(name) = self.volume_ensure(
                        m,
                        name,
                        s.volume_labels.clone(),
                        s.volume_options.clone(),
                        name.is_none(),
                    ) else {
                        continue;
                    };
                    mounted.push(Mounted {
                        kind: s.kind,
                        source: format!("/var/lib/docker/volumes/{name}/_data"),
                        name,
                        target: s.target,
                        read_only: s.read_only,
                        legacy: s.legacy,
                    });
                }
                MountType::Bind => {
                    if let Some(mfs) = self.fs_mut(m) {
                        if !mfs.exists(&s.source) {
                            let _ = mfs.mkdir(&s.source, true, now);
                        }
                    }
                    mounted.push(Mounted {
                        kind: s.kind,
                        name: String::new(),
                        source: s.source,
                        target: s.target,
                        read_only: s.read_only,
                        legacy: s.legacy,
                    });
                }
                MountType::Tmpfs => {
                    tmpfs.insert(s.target.clone(), Fs::new(now));
                    mounted.push(Mounted {
                        kind: s.kind,
                        name: String::new(),
                        source: String::new(),
                        target: s.target,
                        read_only: s.read_only,
                        legacy: s.legacy,
                    });
                }
            }
        }
        let mut infos = Vec::new();
        // Secret and config files are written at once (whether each fits decides what the
        // container lists); without any, the layer waits until it is used.
        let mut layer = if files.is_empty() {
            Layer::lazy(recipe)
        } else {
            Layer::built(recipe)
        };
        for f in files {
            let Some(layer) = layer.get_mut() else { break };
            let target = fs::normalize(&f.target);
            let parent = match target.rfind('/') {
                Some(0) | None => "/".to_string(),
                Some(i) => target[..i].to_string(),
            };
            let _ = layer.mkdir(&parent, true, now);
            if layer.write(&target, &f.data, false, now).is_ok() {
                let _ = layer.set_mode(&target, f.mode);
                infos.push(FileInfo {
                    target,
                    uid: f.uid.clone(),
                    gid: f.gid.clone(),
                });
            }
        }
        let cfs = ContainerFs {
            layer,
            mounts: mounted,
            tmpfs,
            files: infos,
        };
        if let Some(s) = self.storage_mut(m) {
            s.filesystems.insert(id.to_string(), cfs);
        }
    }

    /// A container is gone: its filesystem goes, and with `anonymous_volumes` its anonymous
    /// volumes that no other container uses (`--rm`, `docker rm -v`, a task's container).
    pub(crate) fn drop_container_fs(&mut self, m: MachineId, id: &str, anonymous_volumes: bool) {
        let Some(s) = self.storage_mut(m) else {
            return;
        };
        s.redis.remove(id);
        let Some(cfs) = s.filesystems.remove(id) else {
            return;
        };
        if !anonymous_volumes {
            return;
        }
        for mt in cfs.mounts {
            if mt.kind != MountType::Volume {
                continue;
            }
            let anonymous = self.volume(m, &mt.name).is_some_and(|v| v.anonymous);
            if anonymous && self.volume_users(m, &mt.name).is_empty() {
                let _ = self.volume_remove(m, &mt.name, true);
            }
        }
    }

    fn route(&self, m: MachineId, id: &str, path: &str) -> Result<Route, FsError> {
        if !path.starts_with('/') {
            return Err(FsError::InvalidArgument);
        }
        if path.len() > fs::MAX_PATH {
            return Err(FsError::NameTooLong);
        }
        let cfs = self.container_fs(m, id).ok_or(FsError::NotFound)?;
        Ok(cfs.route(path))
    }

    fn backing(&self, m: MachineId, id: &str, b: &Backing) -> Option<&Fs> {
        let mc = self.machine(m)?;
        let st = &mc.runtime.storage;
        match b {
            Backing::Layer => st.filesystems.get(id).map(|f| f.layer.get()),
            Backing::Volume(n) => st.volumes.get(n).map(|v| &v.data),
            Backing::Bind => Some(&mc.fs),
            Backing::Tmpfs(t) => st.filesystems.get(id)?.tmpfs.get(t),
        }
    }

    fn backing_mut(&mut self, m: MachineId, id: &str, b: &Backing) -> Option<&mut Fs> {
        let mc = self.machine_mut(m)?;
        match b {
            Backing::Layer => mc
                .runtime
                .storage
                .filesystems
                .get_mut(id)
                .and_then(|f| f.layer.get_mut()),
            Backing::Volume(n) => mc.runtime.storage.volumes.get_mut(n).map(|v| &mut v.data),
            Backing::Bind => Some(&mut mc.fs),
            Backing::Tmpfs(t) => mc.runtime.storage.filesystems.get_mut(id)?.tmpfs.get_mut(t),
        }
    }

    fn with_route<T>(
        &self,
        m: MachineId,
        id: &str,
        path: &str,
        f: impl FnOnce(&Fs, &str) -> Result<T, FsError>,
    ) -> Result<T, FsError> {
        let r = self.route(m, id, path)?;
        let fs = self.backing(m, id, &r.backing).ok_or(FsError::NotFound)?;
        f(fs, &r.inner)
    }

    fn with_route_mut<T>(
        &mut self,
        m: MachineId,
        id: &str,
        path: &str,
        f: impl FnOnce(&mut Fs, &str, SimTime) -> Result<T, FsError>,
    ) -> Result<T, FsError> {
        let r = self.route(m, id, path)?;
        if r.read_only {
            return Err(FsError::ReadOnly);
        }
        let now = self.now();
        let fs = self
            .backing_mut(m, id, &r.backing)
            .ok_or(FsError::NotFound)?;
        f(fs, &r.inner, now)
    }

    /// `stat` of a path in a container.
    pub fn container_stat(&self, m: MachineId, id: &str, path: &str) -> Result<Metadata, FsError> {
        self.with_route(m, id, path, |fs, p| fs.stat(p))
    }

    /// `lstat` of a path in a container: a symbolic link itself.
    pub fn container_lstat(&self, m: MachineId, id: &str, path: &str) -> Result<Metadata, FsError> {
        self.with_route(m, id, path, |fs, p| fs.lstat(p))
    }

    /// The target of a symbolic link in a container (`readlink`).
    pub fn container_read_link(
        &self,
        m: MachineId,
        id: &str,
        path: &str,
    ) -> Result<String, FsError> {
        self.with_route(m, id, path, |fs, p| fs.read_link(p))
    }

    /// The content of a file in a container.
    pub fn container_read(&self, m: MachineId, id: &str, path: &str) -> Result<Vec<u8>, FsError> {
        self.with_route(m, id, path, |fs, p| fs.read(p).map(<[u8]>::to_vec))
    }

    /// The entries of a directory in a container, by name.
    pub fn container_list(
        &self,
        m: MachineId,
        id: &str,
        path: &str,
    ) -> Result<Vec<(String, Metadata)>, FsError> {
        self.with_route(m, id, path, |fs, p| fs.list(p))
    }

    /// Writes (or appends to) a file in a container: into a volume when the path is below one.
    pub fn container_write(
        &mut self,
        m: MachineId,
        id: &str,
        path: &str,
        data: &[u8],
        append: bool,
    ) -> Result<(), FsError> {
        self.with_route_mut(m, id, path, |fs, p, now| fs.write(p, data, append, now))
    }

    /// A path of a container and everything below it (within the mount that serves it), as
    /// [`Fs::walk_with_data`] gives it (what `docker cp` archives).
    pub fn container_walk(
        &self,
        m: MachineId,
        id: &str,
        path: &str,
    ) -> Result<Vec<WalkEntry>, FsError> {
        self.with_route(m, id, path, |fs, p| fs.walk_with_data(p))
    }

    /// `mkdir [-p]` in a container.
    pub fn container_mkdir(
        &mut self,
        m: MachineId,
        id: &str,
        path: &str,
        parents: bool,
    ) -> Result<(), FsError> {
        let r = self.route(m, id, path)?;
        if r.is_mount_point {
            return if parents {
                Ok(())
            } else {
                Err(FsError::Exists)
            };
        }
        self.with_route_mut(m, id, path, |fs, p, now| fs.mkdir(p, parents, now))
    }

    /// `touch` in a container.
    pub fn container_touch(&mut self, m: MachineId, id: &str, path: &str) -> Result<(), FsError> {
        self.with_route_mut(m, id, path, |fs, p, now| fs.touch(p, now))
    }

    /// Sets the permission bits of a path in a container (what a package's install does for
    /// its programs).
    pub fn container_set_mode(
        &mut self,
        m: MachineId,
        id: &str,
        path: &str,
        mode: u32,
    ) -> Result<(), FsError> {
        self.with_route_mut(m, id, path, |fs, p, _| fs.set_mode(p, mode))
    }

    /// `rm [-r]` in a container (a mount point is busy).
    pub fn container_unlink(
        &mut self,
        m: MachineId,
        id: &str,
        path: &str,
        recursive: bool,
    ) -> Result<(), FsError> {
        let r = self.route(m, id, path)?;
        if r.is_mount_point && !r.read_only {
            self.container_stat(m, id, path)?;
            if !recursive {
                return Err(FsError::IsADirectory);
            }
            return Err(FsError::Busy);
        }
        self.with_route_mut(m, id, path, |fs, p, now| fs.remove(p, recursive, now))
    }

    /// `rmdir` in a container.
    pub fn container_rmdir(&mut self, m: MachineId, id: &str, path: &str) -> Result<(), FsError> {
        let r = self.route(m, id, path)?;
        if r.is_mount_point {
            return Err(FsError::Busy);
        }
        self.with_route_mut(m, id, path, |fs, p, now| fs.rmdir(p, now))
    }

    /// Copies a file or a directory tree inside a container, across mounts too.
    pub fn container_copy(
        &mut self,
        m: MachineId,
        id: &str,
        from: &str,
        to: &str,
    ) -> Result<(), FsError> {
        let src = self.route(m, id, from)?;
        let dst = self.route(m, id, to)?;
        if dst.read_only {
            return Err(FsError::ReadOnly);
        }
        if src.backing == dst.backing {
            let now = self.now();
            let fs = self
                .backing_mut(m, id, &dst.backing)
                .ok_or(FsError::NotFound)?;
            return fs.copy(&src.inner, &dst.inner, now);
        }
        // Across trees: read everything first, then write it.
        let entries: Vec<(String, Option<Vec<u8>>)> = {
            let fs = self.backing(m, id, &src.backing).ok_or(FsError::NotFound)?;
            let walk = fs.walk(&src.inner)?;
            let base = walk.first().map(|(p, _)| p.clone()).unwrap_or_default();
            walk.into_iter()
                .map(|(p, meta)| {
                    let rel = p[base.len()..].to_string();
                    let data = if meta.is_file() {
                        fs.read(&p).ok().map(<[u8]>::to_vec)
                    } else {
                        None
                    };
                    (rel, data)
                })
                .collect()
        };
        let to_norm = fs::normalize(to);
        for (rel, data) in entries {
            let target = if rel.is_empty() {
                to_norm.clone()
            } else {
                format!("{}{rel}", to_norm.trim_end_matches('/'))
            };
            match data {
                Some(d) => self.container_write(m, id, &target, &d, false)?,
                None => self.container_mkdir(m, id, &target, true)?,
            }
        }
        Ok(())
    }

    /// Renames inside a container; across mounts it copies and removes, as `mv` does.
    pub fn container_rename(
        &mut self,
        m: MachineId,
        id: &str,
        from: &str,
        to: &str,
    ) -> Result<(), FsError> {
        let src = self.route(m, id, from)?;
        let dst = self.route(m, id, to)?;
        if src.read_only || dst.read_only {
            return Err(FsError::ReadOnly);
        }
        if src.is_mount_point || dst.is_mount_point {
            return Err(FsError::Busy);
        }
        if src.backing == dst.backing {
            let now = self.now();
            let fs = self
                .backing_mut(m, id, &dst.backing)
                .ok_or(FsError::NotFound)?;
            return fs.rename(&src.inner, &dst.inner, now);
        }
        self.container_copy(m, id, from, to)?;
        self.container_unlink(m, id, from, true)
    }
}

impl World {
    /// The container mounts of a task of `spec` (`Mounts` of its container spec).
    pub(crate) fn task_mounts(&self, spec: &crate::service::ServiceSpec) -> Vec<MountSpec> {
        spec.mounts
            .iter()
            .map(|mt| MountSpec {
                kind: MountType::parse(&mt.kind).unwrap_or_default(),
                source: mt.source.clone(),
                target: mt.target.clone(),
                read_only: mt.read_only,
                legacy: false,
                volume_labels: mt.labels.clone(),
                volume_options: BTreeMap::new(),
            })
            .collect()
    }

    /// The secret and config files of a task of `spec`, with the objects' current data (a
    /// reference whose object is gone is skipped, as the agent would fail to fetch it).
    pub(crate) fn task_files(&self, spec: &crate::service::ServiceSpec) -> Vec<FileMount> {
        use crate::objects::ObjectKind;
        let mut out = Vec::new();
        for (kind, refs) in [
            (ObjectKind::Secret, &spec.secrets),
            (ObjectKind::Config, &spec.configs),
        ] {
            for r in refs {
                let key = if r.id.is_empty() { &r.source } else { &r.id };
                let Some(obj) = self.object(kind, key) else {
                    continue;
                };
                let target = if r.target.is_empty() {
                    &r.source
                } else {
                    &r.target
                };
                out.push(FileMount {
                    target: kind.mount_path(target),
                    data: obj.data.clone(),
                    uid: r.uid.clone(),
                    gid: r.gid.clone(),
                    mode: r.mode,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_overlay2s() {
        let t0 = SimTime::ZERO;
        let t1 = SimTime::from_millis(5_000);
        let mut image = Fs::new(t0);
        for d in ["/etc", "/etc/nginx", "/usr/share/html", "/home/u", "/var"] {
            image.mkdir(d, true, t0).unwrap();
        }
        image.write("/etc/nginx/a.conf", b"a", false, t0).unwrap();
        image
            .write("/usr/share/html/index.html", b"x", false, t0)
            .unwrap();
        image.write("/home/u/f", b"f", false, t0).unwrap();
        image.write("/etc/hosts", b"h", false, t0).unwrap();
        let mut layer = image.clone();
        layer
            .write("/usr/share/html/index.html", b"y", false, t1)
            .unwrap();
        layer.remove("/home", true, t1).unwrap();
        layer.mkdir("/var/a-b", true, t1).unwrap();
        layer.mkdir("/var/a/b", true, t1).unwrap();
        layer.write("/etc/hosts", b"engine", false, t1).unwrap();
        let got: Vec<String> = changes(&image, &layer)
            .into_iter()
            .map(|(k, p)| format!("{} {p}", k.letter()))
            .collect();
        assert_eq!(
            got,
            [
                "D /home",
                "C /usr",
                "C /usr/share",
                "C /usr/share/html",
                "C /usr/share/html/index.html",
                "C /var",
                "A /var/a",
                "A /var/a/b",
                "A /var/a-b",
            ]
        );
        assert!(changes(&image, &image).is_empty());
    }
}
