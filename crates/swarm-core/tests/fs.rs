//! The per-machine filesystem: paths, errors with the kernel's meanings, the caps.

use std::net::Ipv4Addr;

use swarm_core::fs::{self, Fs, FsError, Kind, MAX_BYTES, MAX_ENTRIES};
use swarm_core::{SimDuration, SimTime, World};

fn t(s: u64) -> SimTime {
    SimTime::from_millis(s * 1000)
}

fn fresh() -> Fs {
    Fs::skeleton("node1", Ipv4Addr::new(192, 168, 0, 11), SimTime::ZERO)
}

#[test]
fn every_machine_starts_with_an_alpine_skeleton() {
    let mut w = World::new(1);
    let id = w.add_machine(None).unwrap();
    let fs = &w.machine(id).unwrap().fs;
    assert_eq!(fs.read_to_string("/etc/hostname").unwrap(), "node1\n");
    assert!(fs
        .read_to_string("/etc/hosts")
        .unwrap()
        .ends_with("192.168.0.11\tnode1\n"));
    assert!(fs
        .read_to_string("/etc/os-release")
        .unwrap()
        .contains("PRETTY_NAME=\"Alpine Linux v3.21\""));
    for d in ["/root", "/tmp", "/var", "/usr/bin", "/usr/local/bin"] {
        assert!(fs.stat(d).unwrap().is_dir(), "{d}");
    }
    assert_eq!(fs.stat("/tmp").unwrap().mode, 0o1777);
    assert!(fs.list("/root").unwrap().is_empty());
}

#[test]
fn write_read_append_and_times() {
    let mut fs = fresh();
    fs.write("/root/a.txt", b"one\n", false, t(5)).unwrap();
    fs.write("/root/a.txt", b"two\n", true, t(7)).unwrap();
    assert_eq!(fs.read("/root/a.txt").unwrap(), b"one\ntwo\n");
    let m = fs.stat("/root/a.txt").unwrap();
    assert_eq!(
        (m.kind, m.size, m.mode, m.mtime, m.nlink),
        (Kind::File, 8, 0o644, t(7), 1)
    );
    // Creating a file changes its directory's time.
    assert_eq!(fs.stat("/root").unwrap().mtime, t(5));
    fs.write("/root/a.txt", b"x", false, t(9)).unwrap();
    assert_eq!(fs.read("/root/a.txt").unwrap(), b"x");
    assert_eq!(fs.used_bytes(), fresh().used_bytes() + 1);
}

#[test]
fn paths_resolve_dot_and_dotdot_through_the_tree() {
    let mut fs = fresh();
    fs.write("/root/f", b"hi", false, t(1)).unwrap();
    assert_eq!(fs.resolve("/root/./../root//f").unwrap(), "/root/f");
    assert_eq!(fs.resolve("/../..").unwrap(), "/");
    assert_eq!(fs.read("/root/f/.."), Err(FsError::NotADirectory));
    assert_eq!(fs.read("/root/f/"), Err(FsError::NotADirectory));
    assert_eq!(fs.read("/root/nope/../f"), Err(FsError::NotFound));
    assert_eq!(fs.read("root/f"), Err(FsError::InvalidArgument));
    assert_eq!(fs.read("/root"), Err(FsError::IsADirectory));
    assert_eq!(fs::normalize("/a/b/../c/./"), "/a/c");
    assert_eq!(fs::join("/root", "x"), "/root/x");
    assert_eq!(fs::join("/root", "/etc"), "/etc");
    let long = format!("/{}", "x".repeat(256));
    assert_eq!(fs.write(&long, b"", false, t(1)), Err(FsError::NameTooLong));
}

#[test]
fn mkdir_with_and_without_parents() {
    let mut fs = fresh();
    assert_eq!(fs.mkdir("/root/a/b", false, t(1)), Err(FsError::NotFound));
    fs.mkdir("/root/a/b/c", true, t(1)).unwrap();
    assert!(fs.stat("/root/a/b/c").unwrap().is_dir());
    assert_eq!(fs.mkdir("/root/a", false, t(1)), Err(FsError::Exists));
    fs.mkdir("/root/a", true, t(1)).unwrap();
    fs.write("/root/f", b"", false, t(1)).unwrap();
    assert_eq!(fs.mkdir("/root/f", true, t(1)), Err(FsError::Exists));
    assert_eq!(
        fs.mkdir("/root/f/x", true, t(1)),
        Err(FsError::NotADirectory)
    );
    assert_eq!(
        fs.mkdir("/root/f/x", false, t(1)),
        Err(FsError::NotADirectory)
    );
    // `mkdir -p n/../q` makes n as well, as coreutils does.
    fs.mkdir("/root/n/../q", true, t(1)).unwrap();
    assert!(fs.exists("/root/n") && fs.exists("/root/q"));
    // nlink: 2 plus subdirectories.
    assert_eq!(fs.stat("/root/a").unwrap().nlink, 3);
}

#[test]
fn list_is_sorted_and_only_direct_children() {
    let mut fs = fresh();
    fs.mkdir("/root/d", false, t(1)).unwrap();
    fs.write("/root/d/z", b"", false, t(1)).unwrap();
    fs.write("/root/d-x", b"", false, t(1)).unwrap();
    fs.write("/root/b", b"", false, t(1)).unwrap();
    fs.write("/root/d/sub", b"", false, t(1)).unwrap();
    let names: Vec<String> = fs
        .list("/root")
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["b", "d", "d-x"]);
    assert_eq!(fs.list("/root/b"), Err(FsError::NotADirectory));
    let walked: Vec<String> = fs
        .walk("/root")
        .unwrap()
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        walked,
        [
            "/root",
            "/root/b",
            "/root/d",
            "/root/d/sub",
            "/root/d/z",
            "/root/d-x"
        ]
    );
}

#[test]
fn remove_rmdir_and_their_errors() {
    let mut fs = fresh();
    let before = fs.used_bytes();
    fs.mkdir("/root/d/e", true, t(1)).unwrap();
    fs.write("/root/d/e/f", b"12345", false, t(1)).unwrap();
    assert_eq!(
        fs.remove("/root/d", false, t(2)),
        Err(FsError::IsADirectory)
    );
    assert_eq!(fs.rmdir("/root/d", t(2)), Err(FsError::NotEmpty));
    assert_eq!(fs.remove("/root/nope", true, t(2)), Err(FsError::NotFound));
    assert_eq!(fs.remove("/", true, t(2)), Err(FsError::Busy));
    fs.remove("/root/d", true, t(2)).unwrap();
    assert!(!fs.exists("/root/d/e/f"));
    assert_eq!(fs.used_bytes(), before);
    fs.mkdir("/root/e", false, t(2)).unwrap();
    fs.rmdir("/root/e", t(3)).unwrap();
    assert!(!fs.exists("/root/e"));
}

#[test]
fn rename_follows_rename2() {
    let mut fs = fresh();
    fs.mkdir("/root/d/sub", true, t(1)).unwrap();
    fs.write("/root/d/sub/f", b"x", false, t(1)).unwrap();
    fs.write("/root/g", b"y", false, t(1)).unwrap();
    assert_eq!(
        fs.rename("/root/d", "/root/d/sub/in", t(2)),
        Err(FsError::InvalidArgument)
    );
    assert_eq!(
        fs.rename("/root/d", "/root/g", t(2)),
        Err(FsError::NotADirectory)
    );
    assert_eq!(
        fs.rename("/root/g", "/root/d", t(2)),
        Err(FsError::IsADirectory)
    );
    fs.rename("/root/d", "/root/e", t(2)).unwrap();
    assert_eq!(fs.read("/root/e/sub/f").unwrap(), b"x");
    assert!(!fs.exists("/root/d"));
    fs.rename("/root/g", "/root/e/sub/f", t(3)).unwrap();
    assert_eq!(fs.read("/root/e/sub/f").unwrap(), b"y");
    assert_eq!(fs.used_bytes(), fresh().used_bytes() + 1);
}

#[test]
fn copy_files_and_trees() {
    let mut fs = fresh();
    fs.mkdir("/root/d/sub", true, t(1)).unwrap();
    fs.write("/root/d/sub/f", b"abc", false, t(1)).unwrap();
    fs.copy("/root/d", "/root/c", t(4)).unwrap();
    assert_eq!(fs.read("/root/c/sub/f").unwrap(), b"abc");
    assert_eq!(fs.stat("/root/c/sub/f").unwrap().mtime, t(4));
    assert_eq!(
        fs.copy("/root/d", "/root/d/sub/x", t(4)),
        Err(FsError::InvalidArgument)
    );
    fs.copy("/root/d/sub/f", "/root/g", t(5)).unwrap();
    assert_eq!(fs.read("/root/g").unwrap(), b"abc");
    assert_eq!(fs.used_bytes(), fresh().used_bytes() + 9);
}

#[test]
fn the_caps_give_no_space_and_change_nothing() {
    let mut fs = fresh();
    let big = vec![b'x'; (MAX_BYTES - fs.used_bytes()) as usize];
    fs.write("/root/big", &big, false, t(1)).unwrap();
    let snapshot = fs.clone();
    assert_eq!(
        fs.write("/root/big", b"!", true, t(2)),
        Err(FsError::NoSpace)
    );
    assert_eq!(
        fs.write("/root/more", b"!", false, t(2)),
        Err(FsError::NoSpace)
    );
    assert_eq!(
        fs.copy("/root/big", "/root/big2", t(2)),
        Err(FsError::NoSpace)
    );
    assert_eq!(fs, snapshot);
    // Replacing the content frees the old bytes first.
    fs.write("/root/big", b"small", false, t(3)).unwrap();

    let mut fs = fresh();
    let room = MAX_ENTRIES - fs.entry_count();
    for i in 0..room {
        fs.write(&format!("/tmp/f{i}"), b"", false, t(1)).unwrap();
    }
    let snapshot = fs.clone();
    assert_eq!(
        fs.write("/tmp/one-more", b"", false, t(1)),
        Err(FsError::NoSpace)
    );
    assert_eq!(fs.mkdir("/tmp/dir", true, t(1)), Err(FsError::NoSpace));
    assert_eq!(fs, snapshot);
    assert_eq!(FsError::NoSpace.to_string(), "No space left on device");
}

#[test]
fn fs_writes_use_simulated_time() {
    let mut w = World::new(3);
    let id = w.add_machine(None).unwrap();
    w.advance(SimDuration::from_secs(90));
    let now = w.now();
    w.fs_mut(id)
        .unwrap()
        .write("/root/x", b"1", false, now)
        .unwrap();
    assert_eq!(
        w.machine(id).unwrap().fs.stat("/root/x").unwrap().mtime,
        now
    );
    assert!(now > SimTime::ZERO);
}
