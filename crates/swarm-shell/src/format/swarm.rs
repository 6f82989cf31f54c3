//! The texts of `docker swarm init`, `join`, `join-token`, `unlock-key` and `update`, as
//! docker/cli's `cli/command/swarm` prints them.

/// The role of a join token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `docker swarm join-token worker`.
    Worker,
    /// `docker swarm join-token manager`.
    Manager,
}

impl Role {
    /// Parses the argument of `docker swarm join-token`; anything but `worker` or `manager`
    /// (case-sensitive) is the CLI's error `unknown role <arg>`.
    pub fn parse(arg: &str) -> Result<Role, String> {
        match arg {
            "worker" => Ok(Role::Worker),
            "manager" => Ok(Role::Manager),
            _ => Err(format!("unknown role {arg}")),
        }
    }

    /// `worker` or `manager`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Worker => "worker",
            Role::Manager => "manager",
        }
    }
}

/// The output of `docker swarm init` when the new manager's address is known (always, for a
/// real daemon): the node ID, the worker join command and the hint for managers.
///
/// `addr_port` is the manager's Raft address, e.g. `192.168.99.100:2377`.
pub fn swarm_init_text(node_id: &str, worker_token: &str, addr_port: &str) -> String {
    swarm_init_text_with(node_id, Some((worker_token, addr_port)), None)
}

/// `docker swarm init` with every part explicit: `worker_join` is `(token, addr_port)` (the
/// CLI leaves the join command out when the node has no manager status), `unlock_key` is
/// the key printed after `--autolock`.
pub fn swarm_init_text_with(
    node_id: &str,
    worker_join: Option<(&str, &str)>,
    unlock_key: Option<&str>,
) -> String {
    let mut out = format!("Swarm initialized: current node ({node_id}) is now a manager.\n\n");
    if let Some((token, addr_port)) = worker_join {
        out.push_str(&join_token_text(Role::Worker, token, addr_port));
    }
    out.push_str(
        "To add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.\n",
    );
    if let Some(key) = unlock_key {
        out.push_str(&unlock_key_text(key));
    }
    out
}

/// `docker swarm join-token <role>`: the join command, followed by an empty line.
pub fn join_token_text(role: Role, token: &str, addr_port: &str) -> String {
    format!(
        "To add a {} to this swarm, run the following command:\n\n    docker swarm join --token {token} {addr_port}\n\n",
        role.as_str()
    )
}

/// `docker swarm join-token --rotate <role>`: the rotation notice, then the join command.
pub fn join_token_rotated_text(role: Role, token: &str, addr_port: &str) -> String {
    format!(
        "Successfully rotated {} join token.\n\n{}",
        role.as_str(),
        join_token_text(role, token, addr_port)
    )
}

/// `docker swarm join-token -q <role>` (with or without `--rotate`): the token alone.
pub fn join_token_quiet(token: &str) -> String {
    format!("{token}\n")
}

/// `docker swarm join`: `This node joined a swarm as a worker.` (or `a manager`).
pub fn join_text(role: Role) -> String {
    format!("This node joined a swarm as a {}.\n", role.as_str())
}

/// The unlock-key block of `docker swarm init --autolock`, `docker swarm unlock-key` and
/// `docker swarm update --autolock=true`; empty for an empty key, as in the CLI.
pub fn unlock_key_text(key: &str) -> String {
    if key.is_empty() {
        return String::new();
    }
    format!(
        "To unlock a swarm manager after it restarts, run the `docker swarm unlock`\n\
         command and provide the following key:\n\n    {key}\n\n\
         Remember to store this key in a password manager, since without it you\n\
         will not be able to restart the manager.\n"
    )
}

/// `docker swarm unlock-key --rotate`: the rotation notice, then the unlock-key block.
pub fn unlock_key_rotated_text(key: &str) -> String {
    format!(
        "Successfully rotated manager unlock key.\n{}",
        unlock_key_text(key)
    )
}

/// `docker swarm update`: `Swarm updated.`, followed by the unlock-key block when the update
/// turned autolock on.
pub fn swarm_updated_text(unlock_key: Option<&str>) -> String {
    let mut out = String::from("Swarm updated.\n");
    if let Some(key) = unlock_key {
        out.push_str(&unlock_key_text(key));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_with_worker_join() {
        assert_eq!(
            swarm_init_text("dxn1", "SWMTKN-1-a-b", "192.168.99.100:2377"),
            "Swarm initialized: current node (dxn1) is now a manager.\n\n\
             To add a worker to this swarm, run the following command:\n\n    \
             docker swarm join --token SWMTKN-1-a-b 192.168.99.100:2377\n\n\
             To add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.\n"
        );
    }

    #[test]
    fn roles() {
        assert_eq!(Role::parse("worker"), Ok(Role::Worker));
        assert_eq!(Role::parse("manager"), Ok(Role::Manager));
        assert_eq!(
            Role::parse("Worker"),
            Err("unknown role Worker".to_string())
        );
        assert_eq!(
            join_text(Role::Manager),
            "This node joined a swarm as a manager.\n"
        );
        assert_eq!(unlock_key_text(""), "");
    }
}
