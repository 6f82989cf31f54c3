//! The Go structs docker's `--format` templates run on (moby's `api/types`), so that a field the
//! JSON leaves out (`omitempty`, `null`) has the type and zero value Go gives it: a nil slice
//! prints `[]`, a nil pointer `<nil>`, a nil map `map[]`, while a field no struct has is still
//! `can't evaluate field`.
//!
//! One struct a line: its name, then its fields in declaration order, `Name:Type` separated by
//! `,`; `^Type` is an embedded struct (its fields are promoted; the JSON is flat). A field whose
//! JSON name differs from its Go name is written `Go/json` (`ID/Id`, `DNS/Dns`): templates name
//! the Go field (the typed pass of `docker inspect`), the data is keyed by the JSON name, and so
//! are the paths of [`super::Types`]. Named string types are
//! written `string` (they print alike); `time.Time` and `time.Duration` are known to the engine.

const STRUCTS: &str = "\
swarm.Version Index:uint64
swarm.Meta Version:swarm.Version,CreatedAt:time.Time,UpdatedAt:time.Time
swarm.Annotations Name:string,Labels:map[string]string
swarm.Driver Name:string,Options:map[string]string
swarm.Service ID:string,^swarm.Meta,Spec:swarm.ServiceSpec,PreviousSpec:*swarm.ServiceSpec,Endpoint:swarm.Endpoint,UpdateStatus:*swarm.UpdateStatus,ServiceStatus:*swarm.ServiceStatus,JobStatus:*swarm.JobStatus
swarm.ServiceSpec ^swarm.Annotations,TaskTemplate:swarm.TaskSpec,Mode:swarm.ServiceMode,UpdateConfig:*swarm.UpdateConfig,RollbackConfig:*swarm.UpdateConfig,Networks:[]swarm.NetworkAttachmentConfig,EndpointSpec:*swarm.EndpointSpec
swarm.ServiceMode Replicated:*swarm.ReplicatedService,Global:*swarm.GlobalService,ReplicatedJob:*swarm.ReplicatedJob,GlobalJob:*swarm.GlobalJob
swarm.ReplicatedService Replicas:*uint64
swarm.GlobalService
swarm.ReplicatedJob MaxConcurrent:*uint64,TotalCompletions:*uint64
swarm.GlobalJob
swarm.UpdateStatus State:string,StartedAt:*time.Time,CompletedAt:*time.Time,Message:string
swarm.UpdateConfig Parallelism:uint64,Delay:time.Duration,FailureAction:string,Monitor:time.Duration,MaxFailureRatio:float32,Order:string
swarm.ServiceStatus RunningTasks:uint64,DesiredTasks:uint64,CompletedTasks:uint64
swarm.JobStatus JobIteration:swarm.Version,LastExecution:time.Time
swarm.TaskSpec ContainerSpec:*swarm.ContainerSpec,PluginSpec:*runtime.PluginSpec,NetworkAttachmentSpec:*swarm.NetworkAttachmentSpec,Resources:*swarm.ResourceRequirements,RestartPolicy:*swarm.RestartPolicy,Placement:*swarm.Placement,Networks:[]swarm.NetworkAttachmentConfig,LogDriver:*swarm.Driver,ForceUpdate:uint64,Runtime:string
swarm.NetworkAttachmentSpec ContainerID:string
swarm.ContainerSpec Image:string,Labels:map[string]string,Command:[]string,Args:[]string,Hostname:string,Env:[]string,Dir:string,User:string,Groups:[]string,Privileges:*swarm.Privileges,Init:*bool,StopSignal:string,TTY:bool,OpenStdin:bool,ReadOnly:bool,Mounts:[]mount.Mount,StopGracePeriod:*time.Duration,Healthcheck:*container.HealthConfig,Hosts:[]string,DNSConfig:*swarm.DNSConfig,Secrets:[]*swarm.SecretReference,Configs:[]*swarm.ConfigReference,Isolation:string,Sysctls:map[string]string,CapabilityAdd:[]string,CapabilityDrop:[]string,Ulimits:[]*container.Ulimit,OomScoreAdj:int64
swarm.Privileges CredentialSpec:*swarm.CredentialSpec,SELinuxContext:*swarm.SELinuxContext,Seccomp:*swarm.SeccompOpts,AppArmor:*swarm.AppArmorOpts,NoNewPrivileges:bool
swarm.DNSConfig Nameservers:[]string,Search:[]string,Options:[]string
swarm.SecretReference File:*swarm.SecretReferenceFileTarget,SecretID:string,SecretName:string
swarm.ConfigReference File:*swarm.ConfigReferenceFileTarget,Runtime:*swarm.ConfigReferenceRuntimeTarget,ConfigID:string,ConfigName:string
swarm.SecretReferenceFileTarget Name:string,UID:string,GID:string,Mode:uint32
swarm.ConfigReferenceFileTarget Name:string,UID:string,GID:string,Mode:uint32
swarm.ResourceRequirements Limits:*swarm.Limit,Reservations:*swarm.Resources,MemorySwap:*int64,MemorySwappiness:*int64
swarm.Limit NanoCPUs:int64,MemoryBytes:int64,Pids:int64
swarm.Resources NanoCPUs:int64,MemoryBytes:int64,GenericResources:[]swarm.GenericResource
swarm.RestartPolicy Condition:string,Delay:*time.Duration,MaxAttempts:*uint64,Window:*time.Duration
swarm.Placement Constraints:[]string,Preferences:[]swarm.PlacementPreference,MaxReplicas:uint64,Platforms:[]swarm.Platform
swarm.PlacementPreference Spread:*swarm.SpreadOver
swarm.SpreadOver SpreadDescriptor:string
swarm.Platform Architecture:string,OS:string
swarm.Endpoint Spec:swarm.EndpointSpec,Ports:[]swarm.PortConfig,VirtualIPs:[]swarm.EndpointVirtualIP
swarm.EndpointSpec Mode:string,Ports:[]swarm.PortConfig
swarm.PortConfig Name:string,Protocol:string,TargetPort:uint32,PublishedPort:uint32,PublishMode:string
swarm.EndpointVirtualIP NetworkID:string,Addr:string
swarm.NetworkAttachmentConfig Target:string,Aliases:[]string,DriverOpts:map[string]string
swarm.NetworkAttachment Network:swarm.Network,Addresses:[]string
swarm.Network ID:string,^swarm.Meta,Spec:swarm.NetworkSpec,DriverState:swarm.Driver,IPAMOptions:*swarm.IPAMOptions
swarm.NetworkSpec ^swarm.Annotations,DriverConfiguration:*swarm.Driver,IPv6Enabled:bool,Internal:bool,Attachable:bool,Ingress:bool,IPAMOptions:*swarm.IPAMOptions,ConfigFrom:*network.ConfigReference,Scope:string
swarm.IPAMOptions Driver:swarm.Driver,Configs:[]swarm.IPAMConfig
swarm.IPAMConfig Subnet:string,Range:string,Gateway:string
swarm.Task ID:string,^swarm.Meta,^swarm.Annotations,Spec:swarm.TaskSpec,ServiceID:string,Slot:int,NodeID:string,Status:swarm.TaskStatus,DesiredState:string,NetworksAttachments:[]swarm.NetworkAttachment,GenericResources:[]swarm.GenericResource,JobIteration:*swarm.Version,Volumes:[]swarm.VolumeAttachment
swarm.TaskStatus Timestamp:time.Time,State:string,Message:string,Err:string,ContainerStatus:*swarm.ContainerStatus,PortStatus:swarm.PortStatus
swarm.ContainerStatus ContainerID:string,PID:int,ExitCode:int
swarm.PortStatus Ports:[]swarm.PortConfig
swarm.Node ID:string,^swarm.Meta,Spec:swarm.NodeSpec,Description:swarm.NodeDescription,Status:swarm.NodeStatus,ManagerStatus:*swarm.ManagerStatus
swarm.NodeSpec ^swarm.Annotations,Role:string,Availability:string
swarm.NodeDescription Hostname:string,Platform:swarm.Platform,Resources:swarm.Resources,Engine:swarm.EngineDescription,TLSInfo:swarm.TLSInfo,CSIInfo:[]swarm.NodeCSIInfo
swarm.EngineDescription EngineVersion:string,Labels:map[string]string,Plugins:[]swarm.PluginDescription
swarm.PluginDescription Type:string,Name:string
swarm.TLSInfo TrustRoot:string,CertIssuerSubject:[]uint8,CertIssuerPublicKey:[]uint8
swarm.NodeStatus State:string,Message:string,Addr:string
swarm.ManagerStatus Leader:bool,Reachability:string,Addr:string
swarm.Secret ID:string,^swarm.Meta,Spec:swarm.SecretSpec
swarm.SecretSpec ^swarm.Annotations,Data:[]uint8,Driver:*swarm.Driver,Templating:*swarm.Driver
swarm.Config ID:string,^swarm.Meta,Spec:swarm.ConfigSpec
swarm.ConfigSpec ^swarm.Annotations,Data:[]uint8,Templating:*swarm.Driver
mount.Mount Type:string,Source:string,Target:string,ReadOnly:bool,Consistency:string,BindOptions:*mount.BindOptions,VolumeOptions:*mount.VolumeOptions,ImageOptions:*mount.ImageOptions,TmpfsOptions:*mount.TmpfsOptions,ClusterOptions:*mount.ClusterOptions
mount.BindOptions Propagation:string,NonRecursive:bool,CreateMountpoint:bool,ReadOnlyNonRecursive:bool,ReadOnlyForceRecursive:bool
mount.VolumeOptions NoCopy:bool,Labels:map[string]string,Subpath:string,DriverConfig:*mount.Driver
mount.ImageOptions Subpath:string
mount.TmpfsOptions SizeBytes:int64,Mode:uint32,Options:[][]string
mount.Driver Name:string,Options:map[string]string
container.HealthConfig Test:[]string,Interval:time.Duration,Timeout:time.Duration,StartPeriod:time.Duration,StartInterval:time.Duration,Retries:int
container.Ulimit Name:string,Hard:int64,Soft:int64
container.InspectResponse ^*container.ContainerJSONBase,Mounts:[]container.MountPoint,Config:*container.Config,NetworkSettings:*container.NetworkSettings,ImageManifestDescriptor:*v1.Descriptor
container.ContainerJSONBase ID/Id:string,Created:string,Path:string,Args:[]string,State:*container.State,Image:string,ResolvConfPath:string,HostnamePath:string,HostsPath:string,LogPath:string,Node:*container.ContainerNode,Name:string,RestartCount:int,Driver:string,Platform:string,MountLabel:string,ProcessLabel:string,AppArmorProfile:string,ExecIDs:[]string,HostConfig:*container.HostConfig,GraphDriver:storage.DriverData,SizeRw:*int64,SizeRootFs:*int64
container.State Status:string,Running:bool,Paused:bool,Restarting:bool,OOMKilled:bool,Dead:bool,Pid:int,ExitCode:int,Error:string,StartedAt:string,FinishedAt:string,Health:*container.Health
container.Health Status:string,FailingStreak:int,Log:[]*container.HealthcheckResult
container.HealthcheckResult Start:time.Time,End:time.Time,ExitCode:int,Output:string
storage.DriverData Data:map[string]string,Name:string
container.MountPoint Type:string,Name:string,Source:string,Destination:string,Driver:string,Mode:string,RW:bool,Propagation:string
container.Config Hostname:string,Domainname:string,User:string,AttachStdin:bool,AttachStdout:bool,AttachStderr:bool,ExposedPorts:map[nat.Port]struct {},Tty:bool,OpenStdin:bool,StdinOnce:bool,Env:[]string,Cmd:[]string,Healthcheck:*container.HealthConfig,ArgsEscaped:bool,Image:string,Volumes:map[string]struct {},WorkingDir:string,Entrypoint:[]string,NetworkDisabled:bool,MacAddress:string,OnBuild:[]string,Labels:map[string]string,StopSignal:string,StopTimeout:*int,Shell:[]string
container.HostConfig Binds:[]string,ContainerIDFile:string,LogConfig:container.LogConfig,NetworkMode:string,PortBindings:map[nat.Port][]nat.PortBinding,RestartPolicy:container.RestartPolicy,AutoRemove:bool,VolumeDriver:string,VolumesFrom:[]string,ConsoleSize:[]uint,Annotations:map[string]string,CapAdd:[]string,CapDrop:[]string,CgroupnsMode:string,DNS/Dns:[]string,DNSOptions/DnsOptions:[]string,DNSSearch/DnsSearch:[]string,ExtraHosts:[]string,GroupAdd:[]string,IpcMode:string,Cgroup:string,Links:[]string,OomScoreAdj:int,PidMode:string,Privileged:bool,PublishAllPorts:bool,ReadonlyRootfs:bool,SecurityOpt:[]string,StorageOpt:map[string]string,Tmpfs:map[string]string,UTSMode:string,UsernsMode:string,ShmSize:int64,Sysctls:map[string]string,Runtime:string,Isolation:string,^container.Resources,Mounts:[]mount.Mount,MaskedPaths:[]string,ReadonlyPaths:[]string,Init:*bool
container.Resources CPUShares/CpuShares:int64,Memory:int64,NanoCPUs/NanoCpus:int64,CgroupParent:string,BlkioWeight:uint16,BlkioWeightDevice:[]*blkiodev.WeightDevice,BlkioDeviceReadBps:[]*blkiodev.ThrottleDevice,BlkioDeviceWriteBps:[]*blkiodev.ThrottleDevice,BlkioDeviceReadIOps:[]*blkiodev.ThrottleDevice,BlkioDeviceWriteIOps:[]*blkiodev.ThrottleDevice,CPUPeriod/CpuPeriod:int64,CPUQuota/CpuQuota:int64,CPURealtimePeriod/CpuRealtimePeriod:int64,CPURealtimeRuntime/CpuRealtimeRuntime:int64,CpusetCpus:string,CpusetMems:string,Devices:[]container.DeviceMapping,DeviceCgroupRules:[]string,DeviceRequests:[]container.DeviceRequest,MemoryReservation:int64,MemorySwap:int64,MemorySwappiness:*int64,OomKillDisable:*bool,PidsLimit:*int64,Ulimits:[]*container.Ulimit,CPUCount/CpuCount:int64,CPUPercent/CpuPercent:int64,IOMaximumIOps:uint64,IOMaximumBandwidth:uint64
container.LogConfig Type:string,Config:map[string]string
container.RestartPolicy Name:string,MaximumRetryCount:int
container.NetworkSettings Bridge:string,SandboxID:string,SandboxKey:string,Ports:map[nat.Port][]nat.PortBinding,HairpinMode:bool,LinkLocalIPv6Address:string,LinkLocalIPv6PrefixLen:int,SecondaryIPAddresses:[]network.Address,SecondaryIPv6Addresses:[]network.Address,EndpointID:string,Gateway:string,GlobalIPv6Address:string,GlobalIPv6PrefixLen:int,IPAddress:string,IPPrefixLen:int,IPv6Gateway:string,MacAddress:string,Networks:map[string]*network.EndpointSettings
nat.PortBinding HostIP/HostIp:string,HostPort:string
network.EndpointSettings IPAMConfig:*network.EndpointIPAMConfig,Links:[]string,Aliases:[]string,DriverOpts:map[string]string,GwPriority:int,NetworkID:string,EndpointID:string,Gateway:string,IPAddress:string,MacAddress:string,IPPrefixLen:int,IPv6Gateway:string,GlobalIPv6Address:string,GlobalIPv6PrefixLen:int,DNSNames:[]string
network.EndpointIPAMConfig IPv4Address:string,IPv6Address:string,LinkLocalIPs:[]string
network.Inspect Name:string,ID/Id:string,Created:time.Time,Scope:string,Driver:string,EnableIPv4:bool,EnableIPv6:bool,IPAM:network.IPAM,Internal:bool,Attachable:bool,Ingress:bool,ConfigFrom:network.ConfigReference,ConfigOnly:bool,Containers:map[string]network.EndpointResource,Options:map[string]string,Labels:map[string]string,Peers:[]network.PeerInfo,Services:map[string]network.ServiceInfo
network.IPAM Driver:string,Options:map[string]string,Config:[]network.IPAMConfig
network.IPAMConfig Subnet:string,IPRange:string,Gateway:string,AuxAddress/AuxiliaryAddresses:map[string]string
network.ConfigReference Network:string
network.EndpointResource Name:string,EndpointID:string,MacAddress:string,IPv4Address:string,IPv6Address:string
network.PeerInfo Name:string,IP:string
volume.Volume ClusterVolume:*volume.ClusterVolume,CreatedAt:string,Driver:string,Labels:map[string]string,Mountpoint:string,Name:string,Options:map[string]string,Scope:string,Status:map[string]interface {},UsageData:*volume.UsageData
image.InspectResponse ID/Id:string,RepoTags:[]string,RepoDigests:[]string,Parent:string,Comment:string,Created:string,DockerVersion:string,Author:string,Config:*v1.DockerOCIImageConfig,Architecture:string,Variant:string,Os:string,OsVersion:string,Size:int64,GraphDriver:storage.DriverData,RootFS:image.RootFS,Metadata:image.Metadata,Descriptor:*v1.Descriptor,Manifests:[]image.ManifestSummary
image.RootFS Type:string,Layers:[]string
image.Metadata LastTagTime:time.Time
v1.DockerOCIImageConfig ^v1.ImageConfig,^v1.DockerOCIImageConfigExt
v1.ImageConfig User:string,ExposedPorts:map[string]struct {},Env:[]string,Entrypoint:[]string,Cmd:[]string,Volumes:map[string]struct {},WorkingDir:string,Labels:map[string]string,StopSignal:string,ArgsEscaped:bool
v1.DockerOCIImageConfigExt Healthcheck:*v1.HealthcheckConfig,OnBuild:[]string,Shell:[]string
v1.HealthcheckConfig Test:[]string,Interval:time.Duration,Timeout:time.Duration,StartPeriod:time.Duration,StartInterval:time.Duration,Retries:int
system.dockerInfo ^*system.Info,ServerErrors:[]string,UserName:string,ClientInfo:*system.clientInfo,ClientErrors:[]string
system.clientInfo Debug:bool,^system.clientVersion,Plugins:[]pluginmanager.Plugin,Warnings:[]string
system.clientVersion Platform:*struct { Name string },Version:string,APIVersion/ApiVersion:string,DefaultAPIVersion:string,GitCommit:string,GoVersion:string,Os:string,Arch:string,BuildTime:string,Context:string
system.Info ID:string,Containers:int,ContainersRunning:int,ContainersPaused:int,ContainersStopped:int,Images:int,Driver:string,DriverStatus:[][2]string,SystemStatus:[][2]string,Plugins:system.PluginsInfo,MemoryLimit:bool,SwapLimit:bool,KernelMemory:bool,KernelMemoryTCP:bool,CPUCfsPeriod/CpuCfsPeriod:bool,CPUCfsQuota/CpuCfsQuota:bool,CPUShares:bool,CPUSet:bool,PidsLimit:bool,IPv4Forwarding:bool,BridgeNfIptables:bool,BridgeNfIP6tables/BridgeNfIp6tables:bool,Debug:bool,NFd:int,OomKillDisable:bool,NGoroutines:int,SystemTime:string,LoggingDriver:string,CgroupDriver:string,CgroupVersion:string,NEventsListener:int,KernelVersion:string,OperatingSystem:string,OSVersion:string,OSType:string,Architecture:string,IndexServerAddress:string,RegistryConfig:*registry.ServiceConfig,NCPU:int,MemTotal:int64,GenericResources:[]swarm.GenericResource,DockerRootDir:string,HTTPProxy/HttpProxy:string,HTTPSProxy/HttpsProxy:string,NoProxy:string,Name:string,Labels:[]string,ExperimentalBuild:bool,ServerVersion:string,Runtimes:map[string]system.RuntimeWithStatus,DefaultRuntime:string,Swarm:swarm.Info,LiveRestoreEnabled:bool,Isolation:string,InitBinary:string,ContainerdCommit:system.Commit,RuncCommit:system.Commit,InitCommit:system.Commit,SecurityOptions:[]string,ProductLicense:string,DefaultAddressPools:[]system.NetworkAddressPool,FirewallBackend:*system.FirewallInfo,CDISpecDirs:[]string,Containerd:*system.ContainerdInfo,Warnings:[]string
system.PluginsInfo Volume:[]string,Network:[]string,Authorization:[]string,Log:[]string
system.RuntimeWithStatus Path/path:string,Args/runtimeArgs:[]string,Options/options:map[string]interface {},Status/status:map[string]string
system.Commit ID:string,Expected:string
system.NetworkAddressPool Base:string,Size:int
system.FirewallInfo Driver:string,Info:[][2]string
system.ContainerdInfo Address:string,Namespaces:system.ContainerdNamespaces
system.ContainerdNamespaces Containers:string,Plugins:string
swarm.Info NodeID:string,NodeAddr:string,LocalNodeState:string,ControlAvailable:bool,Error:string,RemoteManagers:[]swarm.Peer,Nodes:int,Managers:int,Cluster:*swarm.ClusterInfo,Warnings:[]string
swarm.Peer NodeID:string,Addr:string
swarm.ClusterInfo ID:string,^swarm.Meta,Spec:swarm.Spec,TLSInfo:swarm.TLSInfo,RootRotationInProgress:bool,DefaultAddrPool:[]string,SubnetSize:uint32,DataPathPort:uint32
swarm.Spec ^swarm.Annotations,Orchestration:swarm.OrchestrationConfig,Raft:swarm.RaftConfig,Dispatcher:swarm.DispatcherConfig,CAConfig:swarm.CAConfig,TaskDefaults:swarm.TaskDefaults,EncryptionConfig:swarm.EncryptionConfig
swarm.OrchestrationConfig TaskHistoryRetentionLimit:*int64
swarm.RaftConfig SnapshotInterval:uint64,KeepOldSnapshots:*uint64,LogEntriesForSlowFollowers:uint64,ElectionTick:int,HeartbeatTick:int
swarm.DispatcherConfig HeartbeatPeriod:time.Duration
swarm.CAConfig NodeCertExpiry:time.Duration,ExternalCAs:[]*swarm.ExternalCA,SigningCACert:string,SigningCAKey:string,ForceRotate:uint64
swarm.ExternalCA Protocol:string,URL:string,Options:map[string]string,CACert:string
swarm.TaskDefaults LogDriver:*swarm.Driver
swarm.EncryptionConfig AutoLockManagers:bool
";

/// One field of a struct: its Go name (what a template's `.Name` looks up), its JSON name (how
/// the data is keyed, and the paths of [`super::Types`]), its type, and whether it is embedded.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Field {
    pub(super) go: &'static str,
    pub(super) json: &'static str,
    pub(super) ty: &'static str,
    pub(super) embedded: bool,
}

/// A struct's fields in order. `None` for a type this table does not describe.
pub(super) fn fields(ty: &str) -> Option<impl Iterator<Item = Field>> {
    let ty = ty.trim_start_matches('*');
    let line = STRUCTS
        .lines()
        .find(|l| l.split_once(' ').map_or(*l, |(name, _)| name) == ty)?;
    let list = line.split_once(' ').map_or("", |(_, f)| f);
    Some(
        list.split(',')
            .filter(|f| !f.is_empty())
            .map(|f| match f.strip_prefix('^') {
                Some(t) => {
                    let short = t.trim_start_matches('*');
                    let name = short.rsplit('.').next().unwrap_or(short);
                    Field {
                        go: name,
                        json: name,
                        ty: t,
                        embedded: true,
                    }
                }
                None => {
                    let (name, t) = f.split_once(':').unwrap_or((f, ""));
                    let (go, json) = name.split_once('/').unwrap_or((name, name));
                    Field {
                        go,
                        json,
                        ty: t,
                        embedded: false,
                    }
                }
            }),
    )
}

/// Whether the table describes the struct `ty`.
pub(super) fn known(ty: &str) -> bool {
    fields(ty).is_some()
}

/// Field `json` (a JSON name) of struct `ty`, looking into embedded structs as Go promotes
/// their fields.
pub(super) fn field(ty: &str, json: &str) -> Option<Field> {
    field_in(ty, &|f: &Field| f.json == json, 0)
}

/// Field `go` (a Go name, as a template names it) of struct `ty`, promoted fields included.
pub(super) fn go_field(ty: &str, go: &str) -> Option<Field> {
    field_in(ty, &|f: &Field| f.go == go, 0)
}

fn field_in(ty: &str, is: &dyn Fn(&Field) -> bool, depth: usize) -> Option<Field> {
    let all: Vec<Field> = fields(ty)?.collect();
    if let Some(f) = all.iter().find(|f| is(f)) {
        return Some(*f);
    }
    if depth > 4 {
        return None;
    }
    all.iter()
        .filter(|f| f.embedded)
        .find_map(|f| field_in(f.ty, is, depth + 1))
}

/// The element type of a slice or map type, through a pointer.
pub(super) fn elem(ty: &str) -> Option<&str> {
    let t = ty.trim_start_matches('*');
    if let Some(rest) = t.strip_prefix("[]") {
        return Some(rest);
    }
    let rest = t.strip_prefix("map[")?;
    let mut depth = 1;
    for (i, c) in rest.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[i + 1..]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The type at `path` (`Spec.TaskTemplate.Networks[].Aliases`) from the struct `root`.
pub(super) fn at<'t>(root: &'t str, path: &str) -> Option<&'t str> {
    let mut ty = root;
    for seg in path.split('.') {
        let name = seg.trim_end_matches("[]");
        if !name.is_empty() {
            ty = field(ty, name)?.ty;
        }
        for _ in 0..(seg.len() - name.len()) / 2 {
            ty = elem(ty)?;
        }
    }
    Some(ty)
}
