//! How an image was made, as `docker history` shows it (moby's `image.History` entries).
//!
//! An image made here carries its own rows ([`Image::history`]): a build appends one per
//! Dockerfile step to its base's rows, a commit one for the container's layer. A catalog image
//! has none stored; [`Image::history_rows`] derives them: the real rows of the few base images
//! whose Dockerfiles are a couple of lines (alpine, busybox, hello-world, debian), else one
//! honest row (the image's time and size, nothing claimed about how it was made).
//!
//! Which rows show an image ID is the daemon's business ([`crate::world::World::image_history`]):
//! the top row is the image itself; below it, moby follows the local parent chain (the legacy
//! builder's step images, a commit's container image), and every row past the first image
//! that is not stored locally is `<missing>`.

use crate::catalog::Image;
use crate::distro::Family;

/// One entry of an image's history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryRow {
    /// Unix seconds.
    pub created_unix: i64,
    /// `/bin/sh -c #(nop)  CMD ["sh"]`, `RUN /bin/sh -c apk add curl # buildkit`.
    pub created_by: String,
    /// `buildkit.dockerfile.v0`, a commit's `-m`.
    pub comment: String,
    /// Bytes of the layer the step made (0 for a metadata step).
    pub size: u64,
    /// The ID of the image whose top step this is, when the step made an image of its own
    /// (a legacy builder step, a commit, the base image's last step); empty otherwise.
    pub image: String,
}

/// BuildKit's comment on the rows of a Dockerfile step.
pub const BUILDKIT: &str = "buildkit.dockerfile.v0";

impl Image {
    /// The image's history, oldest step first; the last row's `image` is the image's own ID.
    pub fn history_rows(&self) -> Vec<HistoryRow> {
        if !self.history.is_empty() {
            return (*self.history).clone();
        }
        let row = |by: String, comment: &str, size: u64| HistoryRow {
            created_unix: self.created_unix,
            created_by: by,
            comment: comment.to_string(),
            size,
            image: String::new(),
        };
        let arch = match self.arch.as_str() {
            "arm64" => "aarch64",
            "amd64" | "" => "x86_64",
            other => other,
        };
        let mut rows = match (self.repository.as_str(), &self.distro.family) {
            ("alpine", Family::Alpine) => vec![
                row(
                    format!(
                        "ADD alpine-minirootfs-{}-{arch}.tar.gz / # buildkit",
                        self.distro.version
                    ),
                    BUILDKIT,
                    self.size,
                ),
                row("CMD [\"/bin/sh\"]".into(), BUILDKIT, 0),
            ],
            ("busybox", _) => vec![
                row(
                    "ADD busybox.tar.xz / # buildkit".into(),
                    BUILDKIT,
                    self.size,
                ),
                row("CMD [\"sh\"]".into(), BUILDKIT, 0),
            ],
            ("hello-world", _) => vec![
                row("COPY hello / # buildkit".into(), BUILDKIT, self.size),
                row("CMD [\"/hello\"]".into(), BUILDKIT, 0),
            ],
            ("debian", Family::Debian) if !self.distro.slim => {
                match crate::distro::debian_codename(&self.distro.version) {
                    Some(codename) => vec![row(
                        format!(
                            "# debian.sh --arch '{}' out/ '{codename}' '@{}'",
                            if self.arch.is_empty() {
                                "amd64"
                            } else {
                                &self.arch
                            },
                            self.created_unix
                        ),
                        "debuerreotype 0.15",
                        self.size,
                    )],
                    None => vec![row(String::new(), "", self.size)],
                }
            }
            _ => vec![row(String::new(), "", self.size)],
        };
        if let Some(top) = rows.last_mut() {
            top.image = self.id.clone();
        }
        rows
    }
}
