//! Running the external programs the tasks are made of: each command is echoed before it runs,
//! starts in the repository root and sees a `PATH` with the project's own tools first.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Result;

/// Where the tasks run and which tools they see.
pub struct Ctx {
    /// The repository root (the workspace directory).
    pub root: PathBuf,
    /// `PATH` for child processes: the npm binaryen's `wasm-opt`, then cargo's installed
    /// binaries, then the inherited `PATH`.
    path: OsString,
}

impl Ctx {
    pub fn new() -> Result<Self> {
        // `cargo run` names the xtask folder at run time; the build-time name is the fallback
        // for running the binary directly. The run-time one wins because cargo may reuse a
        // binary built in another checkout that shares the target directory.
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir
            .parent()
            .ok_or("the xtask crate has no parent directory")?
            .to_path_buf();
        let mut dirs = vec![binaryen_bin_dir(&root), cargo_home()?.join("bin")];
        if let Some(inherited) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&inherited));
        }
        let path = std::env::join_paths(dirs).map_err(|e| format!("cannot build PATH: {e}"))?;
        Ok(Ctx { root, path })
    }

    /// The folder for tools the project installs itself (ignored by git, like all of target/).
    pub fn tools_dir(&self) -> PathBuf {
        self.root.join("target").join("tools")
    }

    /// A command for `program`, started in the repository root with the project's `PATH`.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program.as_ref());
        command.current_dir(&self.root).env("PATH", &self.path);
        command
    }

    /// A command for the cargo that runs this task runner.
    pub fn cargo(&self) -> Command {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        self.command(cargo)
    }

    /// Runs `command` with inherited output, echoing it first; a non-zero exit is an error.
    pub fn run(&self, command: &mut Command) -> Result<()> {
        let shown = display(command);
        println!("$ {shown}");
        let status = command
            .status()
            .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{shown}` failed ({status})"))
        }
    }

    /// Runs `command` quietly and returns its standard output, or `None` when it cannot start or
    /// fails: that is how the installer asks whether a tool is present.
    pub fn probe(&self, command: &mut Command) -> Option<String> {
        let output = command.stdin(Stdio::null()).stderr(Stdio::null()).output();
        match output {
            Ok(output) if output.status.success() => {
                Some(String::from_utf8_lossy(&output.stdout).into_owned())
            }
            _ => None,
        }
    }

    /// Runs `command` with inherited standard error and returns its standard output.
    pub fn capture(&self, command: &mut Command) -> Result<String> {
        let shown = display(command);
        println!("$ {shown}");
        let output = command
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
        if output.status.success() {
            String::from_utf8(output.stdout)
                .map_err(|_| format!("`{shown}` printed something that is not UTF-8"))
        } else {
            Err(format!("`{shown}` failed ({})", output.status))
        }
    }

    /// Whether `program` is an executable file in one of the `PATH` folders.
    pub fn on_path(&self, program: &str) -> bool {
        std::env::split_paths(&self.path).any(|dir| dir.join(program).is_file())
    }
}

/// The folder holding the npm binaryen's executables (`wasm-opt`).
pub fn binaryen_bin_dir(root: &Path) -> PathBuf {
    root.join("target")
        .join("tools")
        .join("binaryen")
        .join("node_modules")
        .join(".bin")
}

fn cargo_home() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return Ok(PathBuf::from(home));
    }
    std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".cargo"))
        .ok_or_else(|| "neither CARGO_HOME nor HOME is set".to_string())
}

/// The command line as a person would type it (environment overrides first).
fn display(command: &Command) -> String {
    let mut parts: Vec<String> = command
        .get_envs()
        .filter(|(key, _)| *key != "PATH")
        .filter_map(|(key, value)| {
            value.map(|value| format!("{}={}", key.to_string_lossy(), value.to_string_lossy()))
        })
        .collect();
    let program = Path::new(command.get_program());
    // The cargo from $CARGO is a long toolchain path; its file name says the same.
    let program = if program.file_name() == Some(OsStr::new("cargo")) {
        "cargo".into()
    } else {
        program.to_string_lossy()
    };
    parts.push(program.into_owned());
    parts.extend(command.get_args().map(|arg| {
        let arg = arg.to_string_lossy();
        if arg.is_empty() || arg.contains([' ', '"', '\'']) {
            format!("{arg:?}")
        } else {
            arg.into_owned()
        }
    }));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_shows_env_program_and_quoted_args() {
        let mut command = Command::new("/opt/rust/bin/cargo");
        command
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("PATH", "/bin")
            .args(["install", "trunk", "--version", "~0.21", "a b"]);
        assert_eq!(
            display(&command),
            "CHROMEDRIVER=/usr/bin/chromedriver cargo install trunk --version ~0.21 \"a b\""
        );
    }
}
