//! `docker service …`: services and their tasks over the world's control API. SKELETON.

use super::cli::Parsed;
use super::Status;
use crate::exec::{Interp, Io};
use swarm_core::MachineId;

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    let _ = path;
    false
}

/// Runs one of this module's commands against machine `m`'s engine.
pub(crate) async fn run(
    interp: &Interp,
    m: MachineId,
    path: &str,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let _ = (interp, m, path, cmd, io);
    1
}
