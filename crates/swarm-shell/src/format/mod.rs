//! Docker's output formats, as pure functions over plain data.
//!
//! Everything here takes strings and numbers, never `swarm_core` types, so the renderers can be
//! checked byte for byte against docker/cli's golden files (`tests/format_golden.rs`). The
//! commands in `docker/` gather the values from the world and hand them over.
//!
//! - [`tabwriter`]: docker/cli's fork of Go's `text/tabwriter` with the settings every `table`
//!   format uses (minwidth 10, padding 3, spaces), and docker's display width of a string.
//! - [`text`]: `PrettyPrint`, `TruncateID`, natural ("human") sort order, Go's `time.Time`
//!   string form.
//! - [`units`]: go-units' `HumanDuration` and `BytesSize`.
//! - [`node`]: the `docker node ls` table and `docker node inspect --pretty`.
//! - [`swarm`]: the texts of `docker swarm init`, `join`, `join-token` and `unlock-key`.
//! - [`info`]: the `Swarm:` section of `docker info`.

#![allow(dead_code)]

pub mod container;
pub mod info;
pub mod node;
pub mod service;
pub mod swarm;
pub use swarm_extras::tabwriter;
pub mod text;
pub mod units;

pub use text::{go_time_utc, natural_cmp, pretty_print, truncate_id};
pub use units::{bytes_size, human_duration};
