//! The distribution an image is built on (`base` in the catalog: `alpine:3.21.3`,
//! `debian:12-slim`, `ubuntu:22.04`, `busybox:1.37.0`, `ol:9-slim`, `scratch`), and what that
//! gives a container: its `/etc` files (`os-release`, `passwd`, `group`, the release file), its
//! `/bin/sh` (BusyBox ash, dash, bash), and which common tools are installed. One table per
//! family, kept small: the files and tools students look at, not a whole distribution.

/// A family of distributions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Alpine Linux: BusyBox tools, musl.
    Alpine,
    /// The `busybox` image: BusyBox alone.
    Busybox,
    /// Debian: dash as `sh`, coreutils.
    Debian,
    /// Ubuntu: as Debian, with procps.
    Ubuntu,
    /// Oracle Linux (mysql): bash as `sh`.
    OracleLinux,
    /// No files at all (`hello-world`, `traefik/whoami`).
    Scratch,
}

/// What `/bin/sh` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    /// BusyBox ash: prompt `/ # `, `sh: x: not found`.
    Ash,
    /// dash: prompt `# `, `sh: 1: x: not found`.
    Dash,
    /// bash.
    Bash,
}

/// An image's base distribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Distro {
    pub family: Family,
    /// `3.21.3`, `12`, `22.04`, `1.37.0`, `9`.
    pub version: String,
    /// A `-slim` variant (Debian: no procps; the buildpack-deps variants have it).
    pub slim: bool,
}

/// Debian's releases the catalog's images are on: (major, codename).
const DEBIAN: &[(&str, &str)] = &[
    ("8", "jessie"),
    ("9", "stretch"),
    ("10", "buster"),
    ("11", "bullseye"),
    ("12", "bookworm"),
];

/// Debian's codename of a major version (`12` → `bookworm`).
pub fn debian_codename(version: &str) -> Option<&'static str> {
    let major = version.split('.').next().unwrap_or(version);
    DEBIAN.iter().find(|d| d.0 == major).map(|d| d.1)
}

/// Ubuntu's: (version, point release, codename word, name).
const UBUNTU: &[(&str, &str, &str, &str)] = &[
    ("20.04", "20.04.6", "focal", "Focal Fossa"),
    ("22.04", "22.04.5", "jammy", "Jammy Jellyfish"),
    ("24.04", "24.04.2", "noble", "Noble Numbat"),
];

/// BusyBox applets every Alpine and BusyBox image has (the ones a lab may type).
const BUSYBOX_TOOLS: &[&str] = &[
    "ash", "awk", "basename", "cat", "chmod", "chown", "cp", "cut", "date", "df", "dirname", "du",
    "echo", "egrep", "env", "false", "find", "free", "grep", "gunzip", "gzip", "head", "hostname",
    "id", "ifconfig", "ip", "kill", "killall", "less", "ln", "ls", "mkdir", "more", "mount", "mv",
    "nc", "netstat", "nproc", "nslookup", "od", "ping", "pgrep", "pkill", "printenv", "printf",
    "ps", "pwd", "rm", "rmdir", "route", "sed", "seq", "sh", "sleep", "sort", "stat", "tail",
    "tar", "tee", "test", "top", "touch", "tr", "true", "uname", "uniq", "uptime", "vi", "watch",
    "wc", "wget", "which", "whoami", "xargs",
];

/// What every Debian and Ubuntu image has (coreutils, grep, sed, mawk, findutils, hostname,
/// debianutils, dash, bash, tar, gzip).
const DEBIAN_TOOLS: &[&str] = &[
    "awk", "basename", "bash", "cat", "chmod", "chown", "cp", "cut", "dash", "date", "df",
    "dirname", "du", "echo", "egrep", "env", "false", "find", "grep", "gunzip", "gzip", "head",
    "hostname", "id", "ln", "ls", "mkdir", "more", "mount", "mv", "nproc", "od", "printenv",
    "printf", "pwd", "rm", "rmdir", "sed", "seq", "sh", "sleep", "sort", "stat", "tail", "tar",
    "tee", "test", "touch", "tr", "true", "uname", "uniq", "wc", "which", "whoami", "xargs",
];

/// procps: Ubuntu and Debian's non-slim (buildpack-deps) images.
const PROCPS_TOOLS: &[&str] = &[
    "free", "kill", "pgrep", "pkill", "ps", "top", "uptime", "watch",
];

/// Oracle Linux slim (mysql): coreutils-single, grep, sed, findutils, procps-ng.
const OL_TOOLS: &[&str] = &[
    "basename", "bash", "cat", "chmod", "chown", "cp", "cut", "date", "df", "dirname", "du",
    "echo", "env", "false", "find", "grep", "head", "id", "ln", "ls", "mkdir", "mv", "nproc",
    "printenv", "printf", "pwd", "rm", "rmdir", "sed", "seq", "sh", "sleep", "sort", "stat",
    "tail", "tee", "test", "touch", "tr", "true", "uname", "uniq", "wc", "whoami", "xargs",
];

/// The programs of a base system, by directory: (directory, target of every entry, entries).
/// Entries are names separated by spaces; with a target, each is a symbolic link to it (a
/// BusyBox applet); `NAME>TARGET` is a link to its own target, a plain `NAME` a program.
type BinDirs = &'static [(&'static str, Option<&'static str>, &'static str)];

/// Alpine 3.x: BusyBox's applets where Alpine's busybox package installs them, and the
/// programs of the other packages of the image (apk-tools, musl-utils, scanelf, ssl_client).
const ALPINE_BINS: BinDirs = &[
    ("/bin", None, "busybox"),
    ("/bin", Some("/bin/busybox"), "arch ash base64 bbconfig cat chgrp chmod chown cp date dd df dmesg dnsdomainname dumpkmap echo ed egrep false fatattr fdflush fgrep fsync getopt grep gunzip gzip hostname ionice iostat ipcalc kbd_mode kill link linux32 linux64 ln login ls lsattr lzop makemime mkdir mknod mktemp more mount mountpoint mpstat mv netstat nice pidof ping ping6 pipe_progress printenv ps pwd reformime rev rm rmdir run-parts sed setpriv setserial sh sleep stat stty su sync tar touch true umount uname usleep watch zcat"),
    ("/sbin", None, "apk ldconfig mkmntdirs"),
    ("/sbin", Some("/bin/busybox"), "acpid adjtimex arp blkdiscard blkid blockdev depmod fbsplash fdisk findfs fsck fstrim getty halt hwclock ifconfig ifdown ifenslave ifup init inotifyd insmod ip ipaddr iplink ipneigh iproute iprule iptunnel klogd loadkmap logread losetup lsmod mdev mkdosfs mkfs.vfat mkswap modinfo modprobe nameif nologin pivot_root poweroff reboot rmmod route setconsole slattach swapoff swapon switch_root sysctl syslogd tunctl udhcpc vconfig watchdog"),
    ("/usr/bin", None, "getconf getent iconv ldd scanelf ssl_client"),
    ("/usr/bin", Some("/bin/busybox"), "[ [[ awk basename bc beep bunzip2 bzcat bzip2 cal chvt cksum clear cmp comm cpio crontab cryptpw cut dc deallocvt diff dirname dos2unix du dumpleases eject env expand expr factor fallocate find flock fold free fuser groups hd head hexdump hostid id install ipcrm ipcs killall less logger lsof lsusb lzcat lzma lzopcat md5sum mesg microcom mkfifo mkpasswd nc nl nmeter nohup nproc nsenter nslookup od openvt passwd paste pgrep pkill pmap printf pscan pstree pwdx readlink realpath renice reset resize seq setkeycodes setsid sha1sum sha256sum sha3sum sha512sum showkey shred shuf sort split strings sum tac tail tee test time timeout top tr traceroute traceroute6 truncate tty ttysize udhcpc6 unexpand uniq unix2dos unlink unlzma unlzop unshare unxz unzip uptime uudecode uuencode vi vlock volname wc wget which whoami whois xargs xxd xzcat yes"),
    ("/usr/sbin", Some("/bin/busybox"), "add-shell addgroup adduser arping brctl chpasswd chroot crond delgroup deluser ether-wake fbset killall5 loadfont lspci nanddump nandwrite nbd-client ntpd partprobe rdate rdev readahead remove-shell sendmail setfont setlogcons"),
];

/// The `busybox` image: BusyBox's default build, every applet a hard link in `/bin`.
const BUSYBOX_BINS: BinDirs = &[(
    "/bin",
    None,
    "[ [[ acpid add-shell addgroup adduser adjtimex arch arp arping ash awk base32 base64 basename bc beep blkdiscard blkid blockdev bootchartd brctl bunzip2 busybox bzcat bzip2 cal cat chat chattr chgrp chmod chown chpasswd chpst chroot chrt chvt cksum clear cmp comm conspy cp cpio crc32 crond crontab cryptpw cttyhack cut date dc dd deallocvt delgroup deluser depmod devmem df dhcprelay diff dirname dmesg dnsd dnsdomainname dos2unix dpkg dpkg-deb du dumpkmap dumpleases echo ed egrep eject env envdir envuidgid ether-wake expand expr factor fakeidentd fallocate false fatattr fbset fbsplash fdflush fdformat fdisk fgconsole fgrep find findfs flock fold free freeramdisk fsck fsck.minix fsfreeze fstrim fsync ftpd ftpget ftpput fuser getfattr getopt getty grep groups gunzip gzip halt hd hdparm head hexdump hexedit hostid hostname httpd hush hwclock i2cdetect i2cdump i2cget i2cset i2ctransfer id ifconfig ifdown ifenslave ifplugd ifup inetd init insmod install ionice iostat ip ipaddr ipcalc ipcrm ipcs iplink ipneigh iproute iprule iptunnel kbd_mode kill killall killall5 klogd last less link linux32 linux64 linuxrc ln loadfont loadkmap logger login logname logread losetup lpd lpq lpr ls lsattr lsmod lsof lspci lsscsi lsusb lzcat lzma lzop lzopcat makedevs makemime man md5sum mdev mesg microcom mim mkdir mkdosfs mke2fs mkfifo mkfs.ext2 mkfs.minix mkfs.vfat mknod mkpasswd mkswap mktemp modinfo modprobe more mount mountpoint mpstat mt mv nameif nanddump nandwrite nbd-client nc netstat nice nl nmeter nohup nologin nproc nsenter nslookup ntpd nuke od openvt partprobe passwd paste patch pgrep pidof ping ping6 pipe_progress pivot_root pkill pmap popmaildir poweroff powertop printenv printf ps pscan pstree pwd pwdx raidautorun rdate rdev readahead readlink readprofile realpath reboot reformime remove-shell renice reset resize resume rev rm rmdir rmmod route rpm rpm2cpio rtcwake run-init run-parts runlevel runsv runsvdir rx script scriptreplay sed seedrng sendmail seq setarch setconsole setfattr setfont setkeycodes setlogcons setpriv setserial setsid setuidgid sh sha1sum sha256sum sha3sum sha512sum showkey shred shuf slattach sleep smemcap softlimit sort split ssl_client start-stop-daemon stat strings stty su sulogin sum sv svc svlogd svok swapoff swapon switch_root sync sysctl syslogd tac tail tar taskset tc tcpsvd tee telnet telnetd test tftp tftpd time timeout top touch tr traceroute traceroute6 tree true truncate ts tsort tty ttysize tunctl ubiattach ubidetach ubimkvol ubirename ubirmvol ubirsvol ubiupdatevol udhcpc udhcpc6 udhcpd udpsvd uevent umount uname unexpand uniq unix2dos unlink unlzma unshare unxz unzip uptime users usleep uudecode uuencode vconfig vi vlock volname w wall watch watchdog wc wget which who whoami whois xargs xxd xz xzcat yes zcat zcip",
)];

/// Debian bookworm-slim's `/usr/bin` (its required packages: coreutils, util-linux, bash,
/// dash, dpkg, apt, debconf, debianutils, diffutils, findutils, grep, gzip, hostname, login,
/// mawk, ncurses-bin, perl-base, sed, tar, libc-bin, sensible-utils, sysvinit-utils).
const DEBIAN_USR_BIN: &str = "[ addpart apt apt-cache apt-cdrom apt-config apt-get apt-key apt-mark arch awk>/etc/alternatives/awk b2sum base32 base64 basename basenc bash bashbug captoinfo>tic cat chage chattr chcon chfn chgrp chmod choom chown chrt chsh cksum clear clear_console cmp comm cp csplit cut dash date dd deb-systemd-helper deb-systemd-invoke debconf debconf-apt-progress debconf-communicate debconf-copydb debconf-escape debconf-set-selections debconf-show delpart df diff diff3 dir dircolors dirname dmesg dnsdomainname>hostname domainname>hostname dpkg dpkg-deb dpkg-divert dpkg-maintscript-helper dpkg-query dpkg-realpath dpkg-split dpkg-statoverride dpkg-trigger du echo egrep env expand expiry expr factor faillog fallocate false fgrep findmnt flock fmt fold getconf getent getopt gpasswd gpgv grep groups gunzip gzexe gzip hardlink head hostid hostname i386>setarch iconv id infocmp infotocap>tic install ionice ipcmk ipcrm ipcs ischroot join kill last lastb>last lastlog ldd link linux32>setarch linux64>setarch ln locale localedef logger login logname ls lsattr lsblk lscpu lsipc lslocks lslogins lsmem lsns mawk mcookie md5sum mesg mkdir mkfifo mknod mktemp more mount mountpoint mv namei nawk>/etc/alternatives/nawk newgrp nice nisdomainname>hostname nl nohup nproc nsenter numfmt od pager>/etc/alternatives/pager partx passwd paste pathchk perl perl5.36.0 pidof>/sbin/killall5 pinky pldd pr printenv printf prlimit ptx pwd rbash>bash readlink realpath rename.ul renice reset>tset resizepart rev rgrep rm rmdir run-parts runcon savelog script scriptlive scriptreplay sdiff sed select-editor sensible-browser sensible-editor sensible-pager seq setarch setpriv setsid setterm sg>newgrp sh>dash sha1sum sha224sum sha256sum sha384sum sha512sum shred shuf sleep sort split stat stdbuf stty su sum sync tabs tac tail taskset tee test tic timeout toe touch tput tr true truncate tset tsort tty tzselect uclampset umount uname uncompress unexpand uniq unlink unshare update-alternatives users utmpdump vdir wall wc wdctl whereis which>/etc/alternatives/which which.debianutils who whoami x86_64>setarch xargs yes ypdomainname>hostname zcat zcmp zdiff zdump zegrep zfgrep zforce zgrep zless zmore znew";

/// Debian bookworm-slim's `/usr/sbin`.
const DEBIAN_USR_SBIN: &str = "add-shell agetty badblocks blkdiscard blkid blkzone blockdev chcpu chgpasswd chmem chpasswd chroot cpgr cppw ctrlaltdel debugfs delgroup deluser dpkg-fsys-usrunmess dpkg-preconfigure dpkg-reconfigure dumpe2fs e2freefrag e2fsck e2image e2label e2mmpstatus e2scrub e2scrub_all e2undo e4crypt e4defrag faillock filefrag findfs fsck fsck.ext2>e2fsck fsck.ext3>e2fsck fsck.ext4>e2fsck fsck.minix fsfreeze fstab-decode fstrim getty>agetty groupadd groupdel groupmems groupmod grpck grpconv grpunconv hwclock iconvconfig installkernel invoke-rc.d isosize killall5 ldattach ldconfig logsave losetup mke2fs mkfs mkfs.bfs mkfs.ext2>mke2fs mkfs.ext3>mke2fs mkfs.ext4>mke2fs mkfs.minix mkhomedir_helper mklost+found mkswap newusers nologin pam-auth-update pam_getenv pam_namespace_helper pam_timestamp_check pivot_root pwck pwconv pwunconv readprofile remove-shell resize2fs rmt>/etc/alternatives/rmt rmt-tar rtcwake runuser service shadowconfig start-stop-daemon sulogin swaplabel swapoff swapon switch_root tarcat tune2fs unix_chkpwd unix_update update-passwd update-rc.d useradd userdel usermod vigr>vipw vipw wipefs zic zramctl";

/// What lived in `/bin` and `/sbin` before Debian merged them into `/usr` (Debian 11 and
/// older keep them there).
const DEBIAN_ROOT_BIN: &str = "bash cat chgrp chmod chown cp dash date dd df dir dmesg dnsdomainname domainname echo egrep false fgrep findmnt grep gunzip gzexe gzip hostname kill ln login ls lsblk mkdir mknod mktemp more mount mountpoint mv nisdomainname pidof pwd rbash readlink rm rmdir run-parts sed sh sleep stty su sync tar tempfile touch true umount uname uncompress vdir wdctl which ypdomainname zcat zcmp zdiff zegrep zfgrep zforce zgrep zless zmore znew";
const DEBIAN_ROOT_SBIN: &str = "agetty badblocks blkdiscard blkid blockdev chcpu ctrlaltdel debugfs dumpe2fs e2fsck e2image e2label e2mmpstatus e2undo fsck fsck.ext2 fsck.ext3 fsck.ext4 fsck.minix fsfreeze fstab-decode fstrim getty hwclock installkernel isosize killall5 ldconfig logsave losetup mke2fs mkfs mkfs.bfs mkfs.ext2 mkfs.ext3 mkfs.ext4 mkfs.minix mkhomedir_helper mkswap nologin pam_tally pam_tally2 pivot_root raw resize2fs runuser shadowconfig start-stop-daemon sulogin swaplabel swapoff swapon switch_root tune2fs unix_chkpwd unix_update wipefs zramctl";

/// procps's programs (`/usr/bin`): Ubuntu and Debian's non-slim images.
const PROCPS_BIN: &str =
    "free pgrep pidwait pkill pmap ps pwdx skill slabtop snice tload top uptime vmstat w watch";

/// An entry of a program directory: its name and, for a symbolic link, its target.
pub type BinEntry = (&'static str, Option<&'static str>);

/// The entries of a [`BinDirs`] list.
fn entries(list: &'static str, target: Option<&'static str>) -> impl Iterator<Item = BinEntry> {
    list.split_ascii_whitespace()
        .map(move |e| match e.split_once('>') {
            Some((n, t)) => (n, Some(t)),
            None => (e, target),
        })
}

const ALPINE_PASSWD: &str = "root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/mail:/sbin/nologin
news:x:9:13:news:/usr/lib/news:/sbin/nologin
uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin
cron:x:16:16:cron:/var/spool/cron:/sbin/nologin
ftp:x:21:21::/var/lib/ftp:/sbin/nologin
sshd:x:22:22:sshd:/dev/null:/sbin/nologin
games:x:35:35:games:/usr/games:/sbin/nologin
ntp:x:123:123:NTP:/var/empty:/sbin/nologin
guest:x:405:100:guest:/dev/null:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
";

const ALPINE_GROUP: &str = "root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin
adm:x:4:root,daemon
tty:x:5:
disk:x:6:root
lp:x:7:lp
kmem:x:9:
wheel:x:10:root
floppy:x:11:root
mail:x:12:mail
news:x:13:news
uucp:x:14:uucp
cron:x:16:cron
console:x:17:
audio:x:18:
cdrom:x:19:
dialout:x:20:root
ftp:x:21:
sshd:x:22:
input:x:23:
tape:x:26:root
video:x:27:root
netdev:x:28:
kvm:x:34:kvm
games:x:35:
shadow:x:42:
www-data:x:82:
users:x:100:games
ntp:x:123:
abuild:x:300:
utmp:x:406:
ping:x:999:
nogroup:x:65533:
nobody:x:65534:
";

const BUSYBOX_PASSWD: &str = "root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
";

const BUSYBOX_GROUP: &str = "root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nobody:x:65534:
";

/// Debian 12's `/etc/passwd` (older releases and Ubuntu differ in the lines after `irc`).
const DEBIAN_PASSWD_HEAD: &str = "root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
";

const DEBIAN12_PASSWD_TAIL: &str = "irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
";

const DEBIAN_OLD_PASSWD_TAIL: &str = "irc:x:39:39:ircd:/var/run/ircd:/usr/sbin/nologin
gnats:x:41:41:Gnats Bug-Reporting System (admin):/var/lib/gnats:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
_apt:x:100:65534::/nonexistent:/usr/sbin/nologin
";

const DEBIAN_GROUP: &str = "root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
news:x:9:
uucp:x:10:
man:x:12:
proxy:x:13:
kmem:x:15:
dialout:x:20:
fax:x:21:
voice:x:22:
cdrom:x:24:
floppy:x:25:
tape:x:26:
sudo:x:27:
audio:x:29:
dip:x:30:
www-data:x:33:
backup:x:34:
operator:x:37:
list:x:38:
irc:x:39:
src:x:40:
shadow:x:42:
utmp:x:43:
video:x:44:
sasl:x:45:
plugdev:x:46:
staff:x:50:
games:x:60:
users:x:100:
nogroup:x:65534:
";

const OL_PASSWD: &str = "root:x:0:0:root:/root:/bin/bash
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
adm:x:3:4:adm:/var/adm:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/spool/mail:/sbin/nologin
operator:x:11:0:operator:/root:/sbin/nologin
games:x:12:100:games:/usr/games:/sbin/nologin
ftp:x:14:50:FTP User:/var/ftp:/sbin/nologin
nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin
";

const OL_GROUP: &str = "root:x:0:
bin:x:1:
daemon:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mem:x:8:
kmem:x:9:
wheel:x:10:
cdrom:x:11:
mail:x:12:
man:x:15:
dialout:x:18:
floppy:x:19:
games:x:20:
tape:x:33:
video:x:39:
ftp:x:50:
lock:x:54:
audio:x:63:
users:x:100:
nobody:x:65534:
";

impl Distro {
    /// Parses a catalog `base`: `FAMILY:VERSION[-slim]`, or `scratch`.
    pub fn parse(s: &str) -> Option<Distro> {
        if s == "scratch" {
            return Some(Distro {
                family: Family::Scratch,
                version: String::new(),
                slim: false,
            });
        }
        let (family, rest) = s.split_once(':')?;
        let (version, slim) = match rest.strip_suffix("-slim") {
            Some(v) => (v, true),
            None => (rest, false),
        };
        let family = match family {
            "alpine" => Family::Alpine,
            "busybox" => Family::Busybox,
            "debian" => Family::Debian,
            "ubuntu" => Family::Ubuntu,
            "ol" => Family::OracleLinux,
            _ => return None,
        };
        if version.is_empty() || !version.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return None;
        }
        Some(Distro {
            family,
            version: version.to_string(),
            slim,
        })
    }

    /// A guess from the image's name, for images the catalog has no `base` for.
    pub fn guess(image: &str) -> Distro {
        let r = image.to_ascii_lowercase();
        let name = r.split(['@']).next().unwrap_or(&r);
        let (family, version, slim) = if name.starts_with("busybox") || name.contains("/busybox") {
            (Family::Busybox, "1.37.0", false)
        } else if name.contains("alpine") {
            (Family::Alpine, "3.21.3", false)
        } else if name.starts_with("ubuntu") {
            (Family::Ubuntu, "24.04", false)
        } else {
            (Family::Debian, "12", true)
        };
        Distro {
            family,
            version: version.to_string(),
            slim,
        }
    }

    /// Alpine or BusyBox: BusyBox's tools and texts.
    pub fn is_busybox(&self) -> bool {
        matches!(self.family, Family::Alpine | Family::Busybox)
    }

    /// What `/bin/sh` is (`None`: the image has no shell).
    pub fn sh(&self) -> Option<Shell> {
        match self.family {
            Family::Alpine | Family::Busybox => Some(Shell::Ash),
            Family::Debian | Family::Ubuntu => Some(Shell::Dash),
            Family::OracleLinux => Some(Shell::Bash),
            Family::Scratch => None,
        }
    }

    /// The image has `bash`.
    pub fn has_bash(&self) -> bool {
        matches!(
            self.family,
            Family::Debian | Family::Ubuntu | Family::OracleLinux
        )
    }

    /// The image has this common tool (by its base name). Programs an image adds (`nginx`,
    /// `node`, `curl`) are the catalog's business, not the distribution's.
    pub fn has_tool(&self, name: &str) -> bool {
        match self.family {
            Family::Alpine | Family::Busybox => BUSYBOX_TOOLS.contains(&name),
            Family::Debian => {
                DEBIAN_TOOLS.contains(&name) || (!self.slim && PROCPS_TOOLS.contains(&name))
            }
            Family::Ubuntu => DEBIAN_TOOLS.contains(&name) || PROCPS_TOOLS.contains(&name),
            Family::OracleLinux => OL_TOOLS.contains(&name) || PROCPS_TOOLS.contains(&name),
            Family::Scratch => false,
        }
    }

    /// `/bin`, `/sbin`, `/lib` and `/lib64` are links into `/usr` (Debian 12, Ubuntu, Oracle
    /// Linux).
    pub fn merged_usr(&self) -> bool {
        match self.family {
            Family::Debian => self.version.parse::<u32>().is_ok_and(|v| v >= 12),
            Family::Ubuntu | Family::OracleLinux => true,
            _ => false,
        }
    }

    /// The programs of the base system by directory, each directory's entries sorted by name:
    /// what `ls /bin` shows (BusyBox's applets are links to `/bin/busybox`).
    pub fn program_dirs(&self) -> Vec<(&'static str, Vec<BinEntry>)> {
        let mut dirs: Vec<(&'static str, Vec<BinEntry>)> = Vec::new();
        let mut add = |dir: &'static str, e: BinEntry| match dirs.iter_mut().find(|d| d.0 == dir) {
            Some(d) => d.1.push(e),
            None => dirs.push((dir, vec![e])),
        };
        let debian = |add: &mut dyn FnMut(&'static str, BinEntry), procps: bool| {
            let merged = self.merged_usr();
            let root_bin: Vec<&str> = DEBIAN_ROOT_BIN.split_ascii_whitespace().collect();
            let root_sbin: Vec<&str> = DEBIAN_ROOT_SBIN.split_ascii_whitespace().collect();
            let procps = entries(PROCPS_BIN, None).filter(move |_| procps);
            for e in entries(DEBIAN_USR_BIN, None).chain(procps) {
                let dir = if !merged && root_bin.contains(&e.0) {
                    "/bin"
                } else {
                    "/usr/bin"
                };
                add(dir, e);
            }
            for e in entries(DEBIAN_USR_SBIN, None) {
                let dir = if !merged && root_sbin.contains(&e.0) {
                    "/sbin"
                } else {
                    "/usr/sbin"
                };
                add(dir, e);
            }
        };
        match self.family {
            Family::Alpine | Family::Busybox => {
                let lists = if self.family == Family::Alpine {
                    ALPINE_BINS
                } else {
                    BUSYBOX_BINS
                };
                for (dir, target, list) in lists {
                    for e in entries(list, *target) {
                        add(dir, e);
                    }
                }
            }
            Family::Debian => debian(&mut add, !self.slim),
            Family::Ubuntu => debian(&mut add, true),
            Family::OracleLinux => {
                for n in OL_TOOLS.iter().chain(PROCPS_TOOLS) {
                    add("/usr/bin", (n, None));
                }
            }
            Family::Scratch => {}
        }
        for d in dirs.iter_mut() {
            d.1.sort_by(|a, b| a.0.cmp(b.0));
            d.1.dedup_by(|a, b| a.0 == b.0);
        }
        dirs
    }

    /// `uname -o`: BusyBox on Alpine says `Linux`, GNU coreutils (and the busybox image's
    /// default build) `GNU/Linux`.
    pub fn uname_os(&self) -> &'static str {
        match self.family {
            Family::Alpine => "Linux",
            _ => "GNU/Linux",
        }
    }

    /// `/etc/os-release`, if the image has one.
    pub fn os_release(&self) -> Option<String> {
        let v = self.version.as_str();
        match self.family {
            Family::Alpine => {
                let minor: String = v.split('.').take(2).collect::<Vec<_>>().join(".");
                let bugs = if v.split('.').nth(1).and_then(|m| m.parse::<u32>().ok()) >= Some(12)
                {
                    "https://gitlab.alpinelinux.org/alpine/aports/-/issues"
                } else {
                    "https://bugs.alpinelinux.org/"
                };
                Some(format!(
                    "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID={v}\nPRETTY_NAME=\"Alpine Linux v{minor}\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"{bugs}\"\n"
                ))
            }
            Family::Debian => {
                let code = DEBIAN.iter().find(|d| d.0 == v).map(|d| d.1)?;
                let scheme = if v == "8" { "http" } else { "https" };
                let codename = if v == "8" {
                    String::new()
                } else {
                    format!("VERSION_CODENAME={code}\n")
                };
                Some(format!(
                    "PRETTY_NAME=\"Debian GNU/Linux {v} ({code})\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"{v}\"\nVERSION=\"{v} ({code})\"\n{codename}ID=debian\nHOME_URL=\"{scheme}://www.debian.org/\"\nSUPPORT_URL=\"{scheme}://www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs.debian.org/\"\n"
                ))
            }
            Family::Ubuntu => {
                let (_, point, code, name) = UBUNTU.iter().find(|u| u.0 == v)?;
                let logo = if v == "24.04" { "LOGO=ubuntu-logo\n" } else { "" };
                Some(format!(
                    "PRETTY_NAME=\"Ubuntu {point} LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"{v}\"\nVERSION=\"{point} LTS ({name})\"\nVERSION_CODENAME={code}\nID=ubuntu\nID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\nSUPPORT_URL=\"https://help.ubuntu.com/\"\nBUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\nPRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\nUBUNTU_CODENAME={code}\n{logo}"
                ))
            }
            Family::OracleLinux => Some(format!(
                "NAME=\"Oracle Linux Server\"\nVERSION=\"{v}\"\nID=\"ol\"\nID_LIKE=\"fedora\"\nVARIANT=\"Server\"\nVARIANT_ID=\"server\"\nVERSION_ID=\"{v}\"\nPLATFORM_ID=\"platform:el9\"\nPRETTY_NAME=\"Oracle Linux Server {v}\"\nANSI_COLOR=\"0;31\"\nCPE_NAME=\"cpe:/o:oracle:linux:{}:server\"\nHOME_URL=\"https://linux.oracle.com/\"\nBUG_REPORT_URL=\"https://github.com/oracle/oracle-linux\"\n\nORACLE_BUGZILLA_PRODUCT=\"Oracle Linux 9\"\nORACLE_BUGZILLA_PRODUCT_VERSION={v}\nORACLE_SUPPORT_PRODUCT=\"Oracle Linux\"\nORACLE_SUPPORT_PRODUCT_VERSION={v}\n",
                v.replace('.', ":")
            )),
            Family::Busybox | Family::Scratch => None,
        }
    }

    /// The `/etc` files of the distribution: (path, content).
    pub fn etc_files(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(r) = self.os_release() {
            out.push(("/etc/os-release", r));
        }
        match self.family {
            Family::Alpine => {
                out.push(("/etc/alpine-release", format!("{}\n", self.version)));
                out.push(("/etc/passwd", ALPINE_PASSWD.to_string()));
                out.push(("/etc/group", ALPINE_GROUP.to_string()));
                out.push((
                    "/etc/shells",
                    "# valid login shells\n/bin/sh\n/bin/ash\n".into(),
                ));
            }
            Family::Busybox => {
                out.push(("/etc/passwd", BUSYBOX_PASSWD.to_string()));
                out.push(("/etc/group", BUSYBOX_GROUP.to_string()));
            }
            Family::Debian | Family::Ubuntu => {
                let tail = if self.family == Family::Debian && self.version == "12" {
                    DEBIAN12_PASSWD_TAIL
                } else {
                    DEBIAN_OLD_PASSWD_TAIL
                };
                out.push(("/etc/passwd", format!("{DEBIAN_PASSWD_HEAD}{tail}")));
                out.push(("/etc/group", DEBIAN_GROUP.to_string()));
                if self.family == Family::Debian {
                    let point = match self.version.as_str() {
                        "8" => "8.11",
                        "9" => "9.13",
                        "10" => "10.13",
                        "11" => "11.11",
                        _ => "12.11",
                    };
                    out.push(("/etc/debian_version", format!("{point}\n")));
                } else {
                    let code = UBUNTU
                        .iter()
                        .find(|u| u.0 == self.version.as_str())
                        .map_or("noble", |u| u.2);
                    out.push(("/etc/debian_version", format!("{code}/sid\n")));
                }
            }
            Family::OracleLinux => {
                out.push(("/etc/passwd", OL_PASSWD.to_string()));
                out.push(("/etc/group", OL_GROUP.to_string()));
                out.push((
                    "/etc/oracle-release",
                    format!("Oracle Linux Server release {}\n", self.version),
                ));
            }
            Family::Scratch => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_parse_and_give_their_files() {
        let a = Distro::parse("alpine:3.21.3").unwrap();
        assert!(a.is_busybox() && a.has_tool("ps") && !a.has_bash());
        assert!(a
            .os_release()
            .unwrap()
            .contains("PRETTY_NAME=\"Alpine Linux v3.21\""));
        let d = Distro::parse("debian:12-slim").unwrap();
        assert!(d.slim && !d.has_tool("ps") && d.has_tool("seq") && !d.has_tool("nslookup"));
        assert_eq!(d.sh(), Some(Shell::Dash));
        assert!(d
            .os_release()
            .unwrap()
            .starts_with("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\""));
        assert!(Distro::parse("debian:12").unwrap().has_tool("ps"));
        let u = Distro::parse("ubuntu:22.04").unwrap();
        assert!(u
            .os_release()
            .unwrap()
            .contains("VERSION=\"22.04.5 LTS (Jammy Jellyfish)\""));
        assert!(Distro::parse("busybox:1.37.0")
            .unwrap()
            .os_release()
            .is_none());
        assert_eq!(Distro::parse("scratch").unwrap().sh(), None);
        // Program directories: BusyBox's applets link to it; Debian 12 merges /usr.
        let dirs = a.program_dirs();
        let bin = &dirs.iter().find(|d| d.0 == "/bin").unwrap().1;
        assert!(bin.contains(&("sh", Some("/bin/busybox"))) && bin.contains(&("busybox", None)));
        assert!(dirs
            .iter()
            .any(|d| d.0 == "/sbin" && d.1.contains(&("apk", None))));
        assert!(d.merged_usr() && !Distro::parse("debian:11-slim").unwrap().merged_usr());
        let deb = d.program_dirs();
        assert!(deb.iter().all(|d| d.0.starts_with("/usr/")));
        let old = Distro::parse("debian:11-slim").unwrap().program_dirs();
        assert!(old
            .iter()
            .any(|d| d.0 == "/bin" && d.1.contains(&("sh", Some("dash")))));
        for (_, entries) in deb.iter().chain(&dirs) {
            assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        }
        for bad in [
            "",
            "alpine",
            "alpine:",
            "gentoo:1",
            "debian:x",
            "debian:12-slim-slim",
        ] {
            assert!(Distro::parse(bad).is_none(), "{bad}");
        }
    }
}
