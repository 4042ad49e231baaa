//! The content folder as a confined root: every read of content goes through [`ContentRoot`],
//! and nothing outside the folder is opened, whatever a symlink, `..` or mount says.
//!
//! Content arrives through merge requests from many people, so a file in it may be a symlink
//! to the server's database or to `/etc/passwd`. Opening such a file is already harmful (closing
//! any descriptor on the database drops SQLite's POSIX locks), so the check comes before the
//! open: the path is resolved and must lie inside the resolved root and outside the folders
//! the root excludes (the data folder, when it lies inside the content folder). On Linux the
//! open itself is then confined by the kernel (`openat2` with `RESOLVE_BENEATH` and
//! `RESOLVE_NO_XDEV`), so a link swapped in between the check and the open, or a mount point,
//! is refused too; elsewhere the resolved path is opened without following a final symlink.

use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// The content folder, resolved once.
#[derive(Debug, Clone)]
pub struct ContentRoot {
    /// The folder as given.
    path: PathBuf,
    /// The folder with every symlink resolved: what "inside" means.
    canonical: PathBuf,
    /// Resolved folders inside the root that are never read (the data folder).
    excluded: Vec<PathBuf>,
}

/// Where a resolved path lies relative to the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Inside the root and not in an excluded folder.
    Inside,
    /// Outside the root.
    Outside,
    /// Inside an excluded folder (the data folder).
    Excluded,
}

/// Why a content file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The path is not a plain relative path (`..`, empty segments, backslashes).
    #[error("this is not a path inside the content folder")]
    NotAContentPath,
    /// It resolves to a place outside the content folder (a symlink or a mount point).
    #[error(
        "it leads outside the content folder (through a symlink or a mount point); nothing \
         outside the content folder is read: put the file itself in the folder, or remove the link"
    )]
    Outside,
    /// It resolves into the data folder.
    #[error(
        "it leads into the data folder, which is never read as content: remove the link, and \
         keep the data folder (--data) outside the content folder"
    )]
    DataFolder,
    /// A regular file with more than one name (a hard link): path checks cannot see where its
    /// other names are (the database, `/etc/passwd`).
    #[error(
        "it is a hard link (the same file has another name, perhaps outside the content \
         folder), which is never read: copy the file into the folder instead of linking it"
    )]
    HardLink,
    /// A folder, a device, a FIFO…
    #[error("it is not a regular file")]
    NotAFile,
    /// The file system said no (including "not found").
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl ReadError {
    /// True when nothing is there (deleted since it was listed).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(err) if err.kind() == io::ErrorKind::NotFound)
    }
}

impl ContentRoot {
    /// The folder at `path`. When it cannot be resolved (missing), reads fail later with the
    /// reason; the walk reports a missing root as [`super::SourceError::Root`].
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            canonical: absolute(path),
            excluded: Vec::new(),
        }
    }

    /// The same root, never reading `folder` when it lies inside it (the data folder: its
    /// database must never become an asset). `Err` when `folder` is the root itself.
    pub fn excluding(mut self, folder: &Path) -> Result<Self, super::SourceError> {
        let folder = absolute(folder);
        if self.canonical.starts_with(&folder) {
            // The content folder inside (or equal to) the data folder: only equality puts
            // the database among the content.
            if folder == self.canonical {
                return Err(super::SourceError::DataIsContent(self.path));
            }
            return Ok(self);
        }
        if folder.starts_with(&self.canonical) {
            self.excluded.push(folder);
        }
        Ok(self)
    }

    /// The folder as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder with symlinks resolved.
    pub fn canonical(&self) -> &Path {
        &self.canonical
    }

    /// Where the resolved path `resolved` lies.
    pub fn place(&self, resolved: &Path) -> Place {
        place(&self.canonical, &self.excluded, resolved)
    }

    /// True when `rel_path`, taken literally (no symlink resolved), is an excluded folder or
    /// lies in one: the data folder's own files, which the walk and the watcher skip.
    pub fn is_excluded(&self, rel_path: &str) -> bool {
        let lexical = self.canonical.join(rel_path);
        self.excluded.iter().any(|e| lexical.starts_with(e))
    }

    /// Resolves `path` (under the root) and says where it lies; `Err` when it cannot be
    /// resolved (a dangling symlink, a missing file).
    pub fn resolve(&self, path: &Path) -> io::Result<(PathBuf, Place)> {
        let resolved = fs::canonicalize(path)?;
        let place = self.place(&resolved);
        Ok((resolved, place))
    }

    /// Reads the whole regular file at `rel_path`, confined to the root.
    pub fn read(&self, rel_path: &str) -> Result<Vec<u8>, ReadError> {
        let (mut file, meta) = self.open(rel_path)?;
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        file.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// Opens the regular file at `rel_path` for reading, confined to the root.
    pub fn open(&self, rel_path: &str) -> Result<(File, Metadata), ReadError> {
        if !is_content_path(rel_path) {
            return Err(ReadError::NotAContentPath);
        }
        // Checked before opening: opening the database at all is already harmful.
        let (resolved, place) = self.resolve(&self.canonical.join(rel_path))?;
        refuse(place)?;
        // Opened by its resolved path, which has no symlink left in it: the kernel refuses
        // any that appears meanwhile (and a mount point), so what was checked is what opens.
        let inner = resolved
            .strip_prefix(&self.canonical)
            .map_err(|_| ReadError::Outside)?;
        if inner.as_os_str().is_empty() {
            return Err(ReadError::NotAFile);
        }
        // A hard link is invisible to resolving, so it is refused by its link count, before
        // the open (stat opens nothing, so the database's locks stay intact).
        if is_hard_linked(&fs::metadata(&resolved)?) {
            return Err(ReadError::HardLink);
        }
        let file = open_confined(&self.canonical, inner, &resolved)?;
        // Where the descriptor really points, in case a link was swapped in meanwhile.
        if let Ok(actual) = fs::read_link(fd_path(&file)) {
            refuse(self.place(&actual))?;
        }
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(ReadError::NotAFile);
        }
        if is_hard_linked(&meta) {
            return Err(ReadError::HardLink);
        }
        Ok((file, meta))
    }
}

/// True for a regular file with more than one name. Git never checks out hard links, so
/// nothing a merge request brings is refused; only someone on the server makes one (`ln`,
/// `cp -al`), and where its other names lie cannot be known.
#[cfg(unix)]
pub fn is_hard_linked(meta: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.is_file() && meta.nlink() > 1
}

/// Elsewhere the link count is not known.
#[cfg(not(unix))]
pub fn is_hard_linked(_meta: &Metadata) -> bool {
    false
}

fn refuse(place: Place) -> Result<(), ReadError> {
    match place {
        Place::Inside => Ok(()),
        Place::Outside => Err(ReadError::Outside),
        Place::Excluded => Err(ReadError::DataFolder),
    }
}

/// Where `resolved` lies relative to the resolved `root` and its `excluded` folders. Paths
/// compare by components, so `/srv/content-old` is not inside `/srv/content`.
pub fn place(root: &Path, excluded: &[PathBuf], resolved: &Path) -> Place {
    if !resolved.starts_with(root) {
        Place::Outside
    } else if excluded.iter().any(|e| resolved.starts_with(e)) {
        Place::Excluded
    } else {
        Place::Inside
    }
}

/// True for a plain `/`-separated relative path: no empty, `.` or `..` segment, no
/// backslash or NUL, not absolute.
pub fn is_content_path(rel_path: &str) -> bool {
    !rel_path.is_empty()
        && rel_path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(['\\', '\0']))
}

/// `path` made absolute with symlinks resolved; a part that does not exist yet (a data folder
/// created later) is appended to its longest existing ancestor, `..` applied lexically.
pub fn absolute(path: &Path) -> PathBuf {
    if let Ok(canonical) = fs::canonicalize(path) {
        return canonical;
    }
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| path.to_path_buf(), |cwd| cwd.join(path))
    };
    for ancestor in joined.ancestors().skip(1) {
        if let (Ok(base), Ok(rest)) = (fs::canonicalize(ancestor), joined.strip_prefix(ancestor)) {
            let mut out = base;
            push_lexical(&mut out, rest);
            return out;
        }
    }
    let mut out = PathBuf::new();
    push_lexical(&mut out, &joined);
    out
}

/// Appends `part`, applying `.` and `..` lexically.
fn push_lexical(out: &mut PathBuf, part: &Path) {
    for component in part.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
}

/// Which mount a folder is on: its device and, on Linux 5.8 and later, the kernel's mount id
/// (a bind mount of a folder on the same file system keeps the device).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mount {
    device: Option<u64>,
    id: Option<u64>,
}

impl Mount {
    /// The mount of `path`, whose metadata (symlinks followed) is `meta`.
    pub fn of(path: &Path, meta: &Metadata) -> Self {
        Self {
            device: device(meta),
            id: mount_id(path),
        }
    }

    /// True when the two are known to be different mounts.
    pub fn differs(self, other: Self) -> bool {
        let known_differ = |a: Option<u64>, b: Option<u64>| a.zip(b).is_some_and(|(a, b)| a != b);
        known_differ(self.device, other.device) || known_differ(self.id, other.id)
    }
}

#[cfg(unix)]
fn device(meta: &Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.dev())
}

#[cfg(not(unix))]
fn device(_meta: &Metadata) -> Option<u64> {
    None
}

#[cfg(target_os = "linux")]
fn mount_id(path: &Path) -> Option<u64> {
    use rustix::fs::{AtFlags, CWD, StatxFlags};
    let stat = rustix::fs::statx(CWD, path, AtFlags::empty(), StatxFlags::MNT_ID).ok()?;
    (stat.stx_mask & StatxFlags::MNT_ID.bits() != 0).then_some(stat.stx_mnt_id)
}

#[cfg(not(target_os = "linux"))]
fn mount_id(_path: &Path) -> Option<u64> {
    None
}

/// `/proc/self/fd/N`: the kernel's idea of where an open file is.
#[cfg(unix)]
fn fd_path(file: &File) -> PathBuf {
    use std::os::fd::AsRawFd;
    PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()))
}

#[cfg(not(unix))]
fn fd_path(_file: &File) -> PathBuf {
    PathBuf::new()
}

/// Opens `inner` (resolved, relative) beneath `root` in the kernel: no symlink, no `..`
/// above the root, no mount point crossed. Falls back to [`open_resolved`] where `openat2` is
/// missing (kernels before 5.6, some seccomp filters).
#[cfg(target_os = "linux")]
fn open_confined(root: &Path, inner: &Path, resolved: &Path) -> Result<File, ReadError> {
    use rustix::fs::{Mode, OFlags, ResolveFlags};
    use rustix::io::Errno;
    let dir = rustix::fs::open(
        root,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io::Error::from)?;
    match rustix::fs::openat2(
        &dir,
        inner,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
        ResolveFlags::BENEATH | ResolveFlags::NO_XDEV | ResolveFlags::NO_SYMLINKS,
    ) {
        Ok(fd) => Ok(File::from(fd)),
        // A mount point, or a link swapped in since the check.
        Err(Errno::XDEV | Errno::LOOP) => Err(ReadError::Outside),
        Err(Errno::NOSYS | Errno::PERM) => open_resolved(resolved),
        Err(err) => Err(ReadError::Io(err.into())),
    }
}

#[cfg(not(target_os = "linux"))]
fn open_confined(_root: &Path, _inner: &Path, resolved: &Path) -> Result<File, ReadError> {
    open_resolved(resolved)
}

/// Opens an already resolved path without following a final symlink and without blocking
/// on a FIFO.
#[cfg(unix)]
fn open_resolved(resolved: &Path) -> Result<File, ReadError> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(
        resolved,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io::Error::from)?;
    Ok(File::from(fd))
}

#[cfg(not(unix))]
fn open_resolved(resolved: &Path) -> Result<File, ReadError> {
    Ok(File::open(resolved)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_compares_by_components() {
        let root = Path::new("/srv/content");
        let data = [PathBuf::from("/srv/content/data")];
        assert_eq!(
            place(root, &data, Path::new("/srv/content/a.png")),
            Place::Inside
        );
        assert_eq!(place(root, &data, Path::new("/srv/content")), Place::Inside);
        assert_eq!(
            place(root, &data, Path::new("/srv/content-old/a")),
            Place::Outside
        );
        assert_eq!(place(root, &data, Path::new("/etc/passwd")), Place::Outside);
        assert_eq!(
            place(root, &data, Path::new("/srv/content/data/x.db")),
            Place::Excluded
        );
        assert_eq!(
            place(root, &data, Path::new("/srv/content/database")),
            Place::Inside
        );
    }

    #[test]
    fn mounts_differ_only_when_known_to() {
        let mount = |device, id| Mount { device, id };
        assert!(mount(Some(1), Some(7)).differs(mount(Some(2), Some(7))));
        assert!(mount(Some(1), Some(7)).differs(mount(Some(1), Some(8))));
        assert!(!mount(Some(1), Some(7)).differs(mount(Some(1), Some(7))));
        assert!(!mount(Some(1), None).differs(mount(Some(1), Some(8))));
        assert!(!mount(None, None).differs(mount(Some(2), Some(9))));
    }

    #[test]
    fn only_plain_relative_paths_are_content_paths() {
        assert!(is_content_path("guides/img/a.png"));
        assert!(is_content_path("a..b.png"));
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "./a",
            "a/",
            "a\\b",
            "a\0b",
        ] {
            assert!(!is_content_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn absolute_resolves_what_exists_and_appends_the_rest() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let real = fs::canonicalize(dir.path())?;
        assert_eq!(absolute(dir.path()), real);
        assert_eq!(
            absolute(&dir.path().join("new/data")),
            real.join("new/data")
        );
        assert_eq!(absolute(&dir.path().join("new/../data")), real.join("data"));
        Ok(())
    }

    #[test]
    fn the_data_folder_inside_is_excluded_and_equal_is_refused() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = ContentRoot::new(dir.path())
            .excluding(&dir.path().join("data"))
            .map_err(io::Error::other)?;
        assert!(root.is_excluded("data"));
        assert!(root.is_excluded("data/selfserve.db"));
        assert!(!root.is_excluded("database.png"));
        assert!(ContentRoot::new(dir.path()).excluding(dir.path()).is_err());
        let outside = ContentRoot::new(&dir.path().join("content"))
            .excluding(dir.path())
            .map_err(io::Error::other)?;
        assert!(!outside.is_excluded("x"));
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn reads_refuse_links_that_leave_the_root_and_follow_those_that_stay() -> io::Result<()> {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir()?;
        let content = dir.path().join("content");
        fs::create_dir_all(content.join("img"))?;
        fs::create_dir_all(dir.path().join("data"))?;
        fs::write(dir.path().join("secret"), "s")?;
        fs::write(content.join("img/a.png"), "png")?;
        symlink("../secret", content.join("out.png"))?;
        symlink("img/a.png", content.join("in.png"))?;
        symlink(content.join("img/a.png"), content.join("absolute.png"))?;
        symlink(dir.path().join("data"), content.join("linked"))?;
        let root = ContentRoot::new(&content);
        assert_eq!(root.read("in.png").map_err(io::Error::other)?, b"png");
        assert_eq!(root.read("absolute.png").map_err(io::Error::other)?, b"png");
        assert!(matches!(root.read("out.png"), Err(ReadError::Outside)));
        assert!(matches!(
            root.read("../secret"),
            Err(ReadError::NotAContentPath)
        ));
        assert!(matches!(root.read("img"), Err(ReadError::NotAFile)));
        assert!(root.read("missing.png").is_err_and(|e| e.is_not_found()));
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn reads_refuse_links_into_the_data_folder() -> io::Result<()> {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir()?;
        fs::create_dir_all(dir.path().join("data"))?;
        fs::write(dir.path().join("data/selfserve.db"), "db")?;
        symlink("data/selfserve.db", dir.path().join("db.png"))?;
        let root = ContentRoot::new(dir.path())
            .excluding(&dir.path().join("data"))
            .map_err(io::Error::other)?;
        assert!(matches!(root.read("db.png"), Err(ReadError::DataFolder)));
        assert!(matches!(
            root.read("data/selfserve.db"),
            Err(ReadError::DataFolder)
        ));
        Ok(())
    }
}
