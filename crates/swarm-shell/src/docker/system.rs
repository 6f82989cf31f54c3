//! `docker version` and `docker info`: what an engine says about itself.

use serde_json::{json, Value};
use swarm_core::machine::build;
use swarm_core::Machine;

/// The client half, as the installed docker CLI 28.2.2 describes itself.
pub(crate) mod client {
    pub const VERSION: &str = "28.2.2";
    pub const API_VERSION: &str = "1.50";
    pub const GO_VERSION: &str = "go1.24.3";
    pub const GIT_COMMIT: &str = "e6534b4";
    pub const BUILT: &str = "Fri May 30 12:07:14 2025";
}

/// `docker version`'s data, shaped like the CLI's `versionInfo` (what `--format` sees).
pub(crate) fn version_value(server: Option<&Machine>) -> Value {
    // The installed CLI's build has no platform name: `Platform` is a nil pointer that
    // `{{json .Client}}` omits and `{{.Client}}` prints as `<nil>`.
    let client = json!({
        "Version": client::VERSION,
        "ApiVersion": client::API_VERSION,
        "DefaultAPIVersion": client::API_VERSION,
        "GitCommit": client::GIT_COMMIT,
        "GoVersion": client::GO_VERSION,
        "Os": "linux",
        "Arch": "amd64",
        "BuildTime": client::BUILT,
        "Context": "default",
    });
    let server = server.map(|_| {
        json!({
            "Platform": {"Name": "Docker Engine - Community"},
            "Components": [
                {"Name": "Engine", "Version": build::VERSION, "Details": {
                    "ApiVersion": build::API_VERSION, "Arch": "amd64", "BuildTime": build::BUILT,
                    "Experimental": "false", "GitCommit": build::GIT_COMMIT, "GoVersion": build::GO_VERSION,
                    "KernelVersion": build::KERNEL, "MinAPIVersion": build::MIN_API_VERSION, "Os": "linux"}},
                {"Name": "containerd", "Version": build::CONTAINERD.0, "Details": {"GitCommit": build::CONTAINERD.1}},
                {"Name": "runc", "Version": build::RUNC.0, "Details": {"GitCommit": build::RUNC.1}},
                {"Name": "docker-init", "Version": build::DOCKER_INIT.0, "Details": {"GitCommit": build::DOCKER_INIT.1}},
            ],
            "Version": build::VERSION,
            "ApiVersion": build::API_VERSION,
            "MinAPIVersion": build::MIN_API_VERSION,
            "GitCommit": build::GIT_COMMIT,
            "GoVersion": build::GO_VERSION,
            "Os": "linux",
            "Arch": "amd64",
            "KernelVersion": build::KERNEL,
            "BuildTime": "2025-05-30T12:07:14.000000000+00:00",
        })
    });
    json!({"Client": client, "Server": server})
}

/// `docker version`'s default output: the client section, and the server's if it answers.
pub(crate) fn version_client_text() -> String {
    format!(
        "Client:\n Version:           {}\n API version:       {}\n Go version:        {}\n Git commit:        {}\n Built:             {}\n OS/Arch:           linux/amd64\n Context:           default\n",
        client::VERSION,
        client::API_VERSION,
        client::GO_VERSION,
        client::GIT_COMMIT,
        client::BUILT
    )
}

/// The server section of `docker version` (after a blank line).
pub(crate) fn version_server_text() -> String {
    format!(
        "\nServer: Docker Engine - Community\n Engine:\n  Version:          {}\n  API version:      {} (minimum version {})\n  Go version:       {}\n  Git commit:       {}\n  Built:            {}\n  OS/Arch:          linux/amd64\n  Experimental:     false\n containerd:\n  Version:          {}\n  GitCommit:        {}\n runc:\n  Version:          {}\n  GitCommit:        {}\n docker-init:\n  Version:          {}\n  GitCommit:        {}\n",
        build::VERSION,
        build::API_VERSION,
        build::MIN_API_VERSION,
        build::GO_VERSION,
        build::GIT_COMMIT,
        build::BUILT,
        build::CONTAINERD.0,
        build::CONTAINERD.1,
        build::RUNC.0,
        build::RUNC.1,
        build::DOCKER_INIT.0,
        build::DOCKER_INIT.1,
    )
}

/// `docker info`'s client section.
pub(crate) fn info_client_text(debug: bool) -> String {
    format!(
        "Client:\n Version:    {}\n Context:    default\n Debug Mode: {debug}\n",
        client::VERSION
    )
}

/// `docker info`'s server section for a machine outside any swarm (starts with a blank line,
/// ends with one, as docker prints it).
pub(crate) fn info_server_text(w: &swarm_core::World, m: &Machine, swarm_section: &str) -> String {
    let mut s = String::from("\nServer:\n");
    let containers = w.containers(m.id);
    let paused = containers.iter().filter(|c| c.paused).count();
    let running = containers.iter().filter(|c| c.is_running()).count() - paused;
    let stopped = containers.len() - running - paused;
    let images = w.images(m.id).len();
    s.push_str(&format!(
        " Containers: {}\n  Running: {running}\n  Paused: {paused}\n  Stopped: {stopped}\n Images: {images}\n",
        containers.len()
    ));
    s.push_str(&format!(" Server Version: {}\n", build::VERSION));
    s.push_str(
        " Storage Driver: overlay2\n  Backing Filesystem: extfs\n  Supports d_type: true\n  Using metacopy: false\n  Native Overlay Diff: true\n  userxattr: false\n Logging Driver: json-file\n Cgroup Driver: cgroupfs\n Cgroup Version: 2\n Plugins:\n  Volume: local\n  Network: bridge host ipvlan macvlan null overlay\n  Log: awslogs fluentd gcplogs gelf journald json-file local splunk syslog\n CDI spec directories:\n  /etc/cdi\n  /var/run/cdi\n",
    );
    s.push_str(swarm_section);
    s.push_str(" Runtimes: io.containerd.runc.v2 runc\n Default Runtime: runc\n Init Binary: docker-init\n");
    s.push_str(&format!(
        " containerd version: {}\n runc version: {}\n init version: {}\n",
        build::CONTAINERD.1,
        build::RUNC.1,
        build::DOCKER_INIT.1
    ));
    s.push_str(" Security Options:\n  seccomp\n   Profile: builtin\n  cgroupns\n");
    s.push_str(&format!(
        " Kernel Version: {}\n Operating System: {}\n OSType: linux\n Architecture: x86_64\n CPUs: {}\n Total Memory: {}\n Name: {}\n ID: {}\n",
        build::KERNEL,
        build::OS,
        build::CPUS,
        crate::format::bytes_size(build::MEMORY_BYTES as f64),
        m.hostname,
        m.engine.id
    ));
    s.push_str(" Docker Root Dir: /var/lib/docker\n Debug Mode: false\n Experimental: false\n Insecure Registries:\n  ::1/128\n  127.0.0.0/8\n Live Restore Enabled: false\n\n");
    s
}

#[cfg(test)]
mod tests {

    #[test]
    fn go_units_bytes() {
        // `docker info`'s sizes go through the formatter's go-units BytesSize.
        let bytes_size = |n: u64| crate::format::bytes_size(n as f64);
        assert_eq!(bytes_size(4 * 1024 * 1024 * 1024), "4GiB");
        assert_eq!(bytes_size(2_097_152_000), "1.953GiB");
        assert_eq!(bytes_size(512), "512B");
        assert_eq!(bytes_size(33_617_100_000), "31.31GiB");
    }
}
