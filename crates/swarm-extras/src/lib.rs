//! `swarm-extras`: the heavy, pure parts of the terminal that the page loads on first use.
//!
//! - [`yaml`]: a compose file's YAML as docker/cli 28 reads it (go-yaml's first document into a
//!   JSON tree, with go-yaml's error texts), for `docker stack deploy`;
//! - [`template`]: Go's `text/template` as the docker CLI uses it for `--format`;
//! - [`help`]: the docker CLI's help texts, to print them;
//! - [`tabwriter`]: Go's `text/tabwriter` as docker configures it (always compiled: every table
//!   of the CLI goes through it).
//!
//! Each engine is a pure function of plain data, and every call and answer can cross a
//! JavaScript boundary as text ([`wire`]: JSON with exact floats). Natively swarm-shell links the
//! engines and calls them directly; the page's main module is built without the `engine`
//! feature and hands the text to a second wasm module (`swarm-jq-web`, with jq) that it loads on
//! first use, which keeps them out of the page's first download.
//!
//! Nothing here panics on any input.

pub mod help;
pub mod tabwriter;
pub mod template;
pub mod wire;
pub mod yaml;
