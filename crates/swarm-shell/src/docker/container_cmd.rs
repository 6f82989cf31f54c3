//! The engine's own commands: containers and images on this machine. SKELETON.

use super::cli::Parsed;
use super::Status;
use crate::exec::{Interp, Io};
use swarm_core::MachineId;

/// Whether `path` is one of this module's commands.
pub(crate) fn handles(path: &str) -> bool {
    matches!(path, "ps" | "container ls")
}

/// Runs one of this module's commands against machine `m`'s engine.
pub(crate) async fn run(
    interp: &Interp,
    m: MachineId,
    path: &str,
    cmd: &Parsed,
    io: &Io,
) -> Status {
    let _ = (interp, m, path);
    if !cmd.bool("quiet") {
        io.out.write(&crate::format::tabwriter::render(
            "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n",
        ));
    }
    0
}
