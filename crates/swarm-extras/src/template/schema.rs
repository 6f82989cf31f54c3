//! The Go structs docker's `--format` templates run on (moby's `api/types`), so that a field the
//! JSON leaves out (`omitempty`, `null`) has the type and zero value Go gives it: a nil slice
//! prints `[]`, a nil pointer `<nil>`, a nil map `map[]`, while a field no struct has is still
//! `can't evaluate field`.
//!
//! One struct a line: its name, then its fields in declaration order, `Name:Type` separated by
//! `,`; `^Type` is an embedded struct (its fields are promoted; the JSON is flat). Fields carry
//! their JSON names (`Id`, `Dns`), which is how the data is looked up. Named string types are
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
container.ContainerJSONBase Id:string,Created:string,Path:string,Args:[]string,State:*container.State,Image:string,ResolvConfPath:string,HostnamePath:string,HostsPath:string,LogPath:string,Node:*container.ContainerNode,Name:string,RestartCount:int,Driver:string,Platform:string,MountLabel:string,ProcessLabel:string,AppArmorProfile:string,ExecIDs:[]string,HostConfig:*container.HostConfig,GraphDriver:storage.DriverData,SizeRw:*int64,SizeRootFs:*int64
container.State Status:string,Running:bool,Paused:bool,Restarting:bool,OOMKilled:bool,Dead:bool,Pid:int,ExitCode:int,Error:string,StartedAt:string,FinishedAt:string,Health:*container.Health
container.Health Status:string,FailingStreak:int,Log:[]*container.HealthcheckResult
container.HealthcheckResult Start:time.Time,End:time.Time,ExitCode:int,Output:string
storage.DriverData Data:map[string]string,Name:string
container.MountPoint Type:string,Name:string,Source:string,Destination:string,Driver:string,Mode:string,RW:bool,Propagation:string
container.Config Hostname:string,Domainname:string,User:string,AttachStdin:bool,AttachStdout:bool,AttachStderr:bool,ExposedPorts:map[nat.Port]struct {},Tty:bool,OpenStdin:bool,StdinOnce:bool,Env:[]string,Cmd:[]string,Healthcheck:*container.HealthConfig,ArgsEscaped:bool,Image:string,Volumes:map[string]struct {},WorkingDir:string,Entrypoint:[]string,NetworkDisabled:bool,MacAddress:string,OnBuild:[]string,Labels:map[string]string,StopSignal:string,StopTimeout:*int,Shell:[]string
container.HostConfig Binds:[]string,ContainerIDFile:string,LogConfig:container.LogConfig,NetworkMode:string,PortBindings:map[nat.Port][]nat.PortBinding,RestartPolicy:container.RestartPolicy,AutoRemove:bool,VolumeDriver:string,VolumesFrom:[]string,ConsoleSize:[]uint,Annotations:map[string]string,CapAdd:[]string,CapDrop:[]string,CgroupnsMode:string,Dns:[]string,DnsOptions:[]string,DnsSearch:[]string,ExtraHosts:[]string,GroupAdd:[]string,IpcMode:string,Cgroup:string,Links:[]string,OomScoreAdj:int,PidMode:string,Privileged:bool,PublishAllPorts:bool,ReadonlyRootfs:bool,SecurityOpt:[]string,StorageOpt:map[string]string,Tmpfs:map[string]string,UTSMode:string,UsernsMode:string,ShmSize:int64,Sysctls:map[string]string,Runtime:string,Isolation:string,^container.Resources,Mounts:[]mount.Mount,MaskedPaths:[]string,ReadonlyPaths:[]string,Init:*bool
container.Resources CpuShares:int64,Memory:int64,NanoCpus:int64,CgroupParent:string,BlkioWeight:uint16,BlkioWeightDevice:[]*blkiodev.WeightDevice,BlkioDeviceReadBps:[]*blkiodev.ThrottleDevice,BlkioDeviceWriteBps:[]*blkiodev.ThrottleDevice,BlkioDeviceReadIOps:[]*blkiodev.ThrottleDevice,BlkioDeviceWriteIOps:[]*blkiodev.ThrottleDevice,CpuPeriod:int64,CpuQuota:int64,CpuRealtimePeriod:int64,CpuRealtimeRuntime:int64,CpusetCpus:string,CpusetMems:string,Devices:[]container.DeviceMapping,DeviceCgroupRules:[]string,DeviceRequests:[]container.DeviceRequest,MemoryReservation:int64,MemorySwap:int64,MemorySwappiness:*int64,OomKillDisable:*bool,PidsLimit:*int64,Ulimits:[]*container.Ulimit,CpuCount:int64,CpuPercent:int64,IOMaximumIOps:uint64,IOMaximumBandwidth:uint64
container.LogConfig Type:string,Config:map[string]string
container.RestartPolicy Name:string,MaximumRetryCount:int
container.NetworkSettings Bridge:string,SandboxID:string,SandboxKey:string,Ports:map[nat.Port][]nat.PortBinding,HairpinMode:bool,LinkLocalIPv6Address:string,LinkLocalIPv6PrefixLen:int,SecondaryIPAddresses:[]network.Address,SecondaryIPv6Addresses:[]network.Address,EndpointID:string,Gateway:string,GlobalIPv6Address:string,GlobalIPv6PrefixLen:int,IPAddress:string,IPPrefixLen:int,IPv6Gateway:string,MacAddress:string,Networks:map[string]*network.EndpointSettings
nat.PortBinding HostIp:string,HostPort:string
network.EndpointSettings IPAMConfig:*network.EndpointIPAMConfig,Links:[]string,Aliases:[]string,DriverOpts:map[string]string,GwPriority:int,NetworkID:string,EndpointID:string,Gateway:string,IPAddress:string,MacAddress:string,IPPrefixLen:int,IPv6Gateway:string,GlobalIPv6Address:string,GlobalIPv6PrefixLen:int,DNSNames:[]string
network.EndpointIPAMConfig IPv4Address:string,IPv6Address:string,LinkLocalIPs:[]string
network.Inspect Name:string,Id:string,Created:time.Time,Scope:string,Driver:string,EnableIPv4:bool,EnableIPv6:bool,IPAM:network.IPAM,Internal:bool,Attachable:bool,Ingress:bool,ConfigFrom:network.ConfigReference,ConfigOnly:bool,Containers:map[string]network.EndpointResource,Options:map[string]string,Labels:map[string]string,Peers:[]network.PeerInfo,Services:map[string]network.ServiceInfo
network.IPAM Driver:string,Options:map[string]string,Config:[]network.IPAMConfig
network.IPAMConfig Subnet:string,IPRange:string,Gateway:string,AuxiliaryAddresses:map[string]string
network.ConfigReference Network:string
network.EndpointResource Name:string,EndpointID:string,MacAddress:string,IPv4Address:string,IPv6Address:string
network.PeerInfo Name:string,IP:string
volume.Volume ClusterVolume:*volume.ClusterVolume,CreatedAt:string,Driver:string,Labels:map[string]string,Mountpoint:string,Name:string,Options:map[string]string,Scope:string,Status:map[string]interface {},UsageData:*volume.UsageData
";

/// A struct's fields in order: `(name, type, embedded)`. `None` for a type this table does not
/// describe.
pub(super) fn fields(ty: &str) -> Option<impl Iterator<Item = (&'static str, &'static str, bool)>> {
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
                    (short.rsplit('.').next().unwrap_or(short), t, true)
                }
                None => {
                    let (name, t) = f.split_once(':').unwrap_or((f, ""));
                    (name, t, false)
                }
            }),
    )
}

/// The type of field `name` of struct `ty`, looking into embedded structs as Go promotes their
/// fields, and whether it is an embedded struct itself.
pub(super) fn field(ty: &str, name: &str) -> Option<(&'static str, bool)> {
    field_in(ty, name, 0)
}

fn field_in(ty: &str, name: &str, depth: usize) -> Option<(&'static str, bool)> {
    let all: Vec<_> = fields(ty)?.collect();
    if let Some((_, t, e)) = all.iter().find(|(n, _, _)| *n == name) {
        return Some((t, *e));
    }
    if depth > 4 {
        return None;
    }
    all.iter()
        .filter(|(_, _, e)| *e)
        .find_map(|(_, t, _)| field_in(t, name, depth + 1))
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
            ty = field(ty, name)?.0;
        }
        for _ in 0..(seg.len() - name.len()) / 2 {
            ty = elem(ty)?;
        }
    }
    Some(ty)
}
