//! The one write into the content folder: a new Markdown file (a page stub made from a search
//! gap), written whole or not at all, and never over an existing file.
//!
//! The text goes to a hidden temporary file in the target folder (a `.` name, which the walk
//! and the watcher skip), is flushed to disk, and is then moved to its name with Linux's
//! `renameat2(RENAME_NOREPLACE)`: the kernel refuses when the name exists, so two writers
//! racing for one name cannot both win, and the watcher only ever sees the finished file
//! under a single name. Where that call is missing (other systems, file systems without it)
//! the file is hard-linked to its name and the temporary name removed; the watcher may then
//! see the file with two names for a moment and refuse it (see `root.rs`), and reads it again
//! on the next event.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{ContentRoot, Place, is_content_path, is_ignored_name, is_markdown};

/// Why a new file was not written.
#[derive(Debug, thiserror::Error)]
pub enum StubWriteError {
    /// The name is taken (by a file or a folder).
    #[error("{0} already exists in the content folder; choose another title, or edit that page")]
    Exists(String),
    /// The content folder cannot be written here (permissions, a read-only file system, a
    /// full disk): the author has to bring the file in through the repository instead.
    #[error(
        "the content folder cannot be written ({0}); add the file through a merge request instead"
    )]
    NotWritable(String),
    /// The path is not a visible Markdown file inside the content folder.
    #[error("{0} is not a Markdown file path inside the content folder")]
    BadPath(String),
    /// Anything else the file system said.
    #[error("writing the file failed: {0}")]
    Io(#[from] io::Error),
}

/// True for errors meaning "this server may not or cannot write here".
fn is_not_writable(err: &io::Error) -> bool {
    const EROFS: i32 = 30;
    const ENOSPC: i32 = 28;
    const EDQUOT: i32 = 122;
    err.kind() == io::ErrorKind::PermissionDenied
        || matches!(err.raw_os_error(), Some(EROFS | ENOSPC | EDQUOT))
}

fn classify(err: io::Error) -> StubWriteError {
    if is_not_writable(&err) {
        StubWriteError::NotWritable(err.to_string())
    } else {
        StubWriteError::Io(err)
    }
}

/// Writes `text` as the new file `rel_path` (content-relative, `/`-separated), creating its
/// folders. Never replaces anything: an existing name is [`StubWriteError::Exists`].
pub fn write_new_file(
    root: &ContentRoot,
    rel_path: &str,
    text: &str,
) -> Result<(), StubWriteError> {
    let bad = || StubWriteError::BadPath(rel_path.to_owned());
    if !is_content_path(rel_path)
        || !is_markdown(rel_path)
        || rel_path.split('/').any(is_ignored_name)
    {
        return Err(bad());
    }
    let (folder_rel, name) = rel_path.rsplit_once('/').unwrap_or(("", rel_path));
    let folder = confined_folder(root, folder_rel)?;
    let target = folder.join(name);
    if fs::symlink_metadata(&target).is_ok() {
        return Err(StubWriteError::Exists(rel_path.to_owned()));
    }
    let temp = folder.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    ));
    let written = write_synced(&temp, text).and_then(|()| move_into_place(&temp, &target));
    match written {
        Ok(()) => {
            sync_folder(&folder);
            Ok(())
        }
        Err(err) => {
            // The temporary file, when it was made; nothing else was touched.
            let _ = fs::remove_file(&temp);
            Err(match err.kind() {
                io::ErrorKind::AlreadyExists => StubWriteError::Exists(rel_path.to_owned()),
                _ => classify(err),
            })
        }
    }
}

/// The folder `folder_rel` under the root, made when missing; refused when it (or the part of
/// it that exists) leads outside the content folder or into the data folder.
fn confined_folder(root: &ContentRoot, folder_rel: &str) -> Result<PathBuf, StubWriteError> {
    let bad = || StubWriteError::BadPath(folder_rel.to_owned());
    let wanted = if folder_rel.is_empty() {
        root.canonical().to_path_buf()
    } else {
        if !is_content_path(folder_rel) {
            return Err(bad());
        }
        root.canonical().join(folder_rel)
    };
    // The longest existing part decides where the rest is created.
    let existing = wanted
        .ancestors()
        .find(|a| a.exists())
        .ok_or_else(bad)?
        .to_path_buf();
    let (resolved, place) = root.resolve(&existing)?;
    if place != Place::Inside {
        return Err(bad());
    }
    let rest = wanted.strip_prefix(&existing).map_err(|_| bad())?;
    let folder = resolved.join(rest);
    fs::create_dir_all(&folder).map_err(classify)?;
    let (resolved, place) = root.resolve(&folder)?;
    if place != Place::Inside || !resolved.is_dir() {
        return Err(bad());
    }
    Ok(resolved)
}

/// Creates `path` (it must not exist), writes `text` and flushes it to the disk.
fn write_synced(path: &Path, text: &str) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Gives `temp` the name `target`, refusing when `target` exists, and removes `temp`.
#[cfg(target_os = "linux")]
fn move_into_place(temp: &Path, target: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags};
    use rustix::io::Errno;
    match rustix::fs::renameat_with(CWD, temp, CWD, target, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        // The file system (or an old kernel) does not know the flag.
        Err(Errno::INVAL | Errno::NOSYS) => link_into_place(temp, target),
        Err(err) => Err(err.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn move_into_place(temp: &Path, target: &Path) -> io::Result<()> {
    link_into_place(temp, target)
}

/// The portable no-replace move: a hard link fails when the name exists.
fn link_into_place(temp: &Path, target: &Path) -> io::Result<()> {
    fs::hard_link(temp, target)?;
    fs::remove_file(temp)
}

/// Makes the new name durable (best effort: some file systems refuse to sync a folder).
fn sync_folder(folder: &Path) {
    if let Ok(dir) = fs::File::open(folder) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_in(dir: &Path) -> ContentRoot {
        ContentRoot::new(dir)
    }

    #[test]
    fn a_new_file_is_written_whole_with_its_folders_and_no_temporary_file_left() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = root_in(dir.path());
        write_new_file(&root, "guides/new/vpn.md", "# VPN\n").expect("written");
        let text = fs::read_to_string(dir.path().join("guides/new/vpn.md")).expect("read");
        assert_eq!(text, "# VPN\n");
        let names: Vec<String> = fs::read_dir(dir.path().join("guides/new"))
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["vpn.md"]);
        // A single name: the loader reads it (it refuses hard-linked files).
        assert!(root.read("guides/new/vpn.md").is_ok());
    }

    #[test]
    fn an_existing_file_is_never_replaced() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = root_in(dir.path());
        fs::create_dir(dir.path().join("guides")).expect("mkdir");
        fs::write(dir.path().join("guides/vpn.md"), "mine").expect("write");
        let err = write_new_file(&root, "guides/vpn.md", "theirs").expect_err("exists");
        assert!(matches!(err, StubWriteError::Exists(_)), "{err}");
        assert_eq!(
            fs::read_to_string(dir.path().join("guides/vpn.md")).expect("read"),
            "mine"
        );
        assert_eq!(
            fs::read_dir(dir.path().join("guides"))
                .expect("list")
                .count(),
            1
        );
    }

    #[test]
    fn the_kernel_refuses_a_name_taken_after_the_check() {
        let dir = tempfile::tempdir().expect("temp dir");
        let temp = dir.path().join(".t.tmp");
        let target = dir.path().join("t.md");
        fs::write(&temp, "new").expect("write");
        fs::write(&target, "old").expect("write");
        let err = move_into_place(&temp, &target).expect_err("taken");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&target).expect("read"), "old");
    }

    #[test]
    fn paths_outside_or_hidden_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = root_in(dir.path());
        for bad in [
            "../x.md",
            "/etc/x.md",
            "guides/.hidden.md",
            "_drafts/x.md",
            "x.txt",
            "",
        ] {
            let err = write_new_file(&root, bad, "x").expect_err(bad);
            assert!(matches!(err, StubWriteError::BadPath(_)), "{bad}: {err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_linking_outside_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let outside = tempfile::tempdir().expect("temp dir");
        std::os::unix::fs::symlink(outside.path(), dir.path().join("guides")).expect("link");
        let err = write_new_file(&root_in(dir.path()), "guides/x.md", "x").expect_err("outside");
        assert!(matches!(err, StubWriteError::BadPath(_)), "{err}");
        assert_eq!(fs::read_dir(outside.path()).expect("list").count(), 0);
    }

    #[test]
    fn permission_read_only_and_full_disk_mean_not_writable() {
        for err in [
            io::Error::from(io::ErrorKind::PermissionDenied),
            io::Error::from_raw_os_error(30), // EROFS
            io::Error::from_raw_os_error(28), // ENOSPC
        ] {
            assert!(matches!(classify(err), StubWriteError::NotWritable(_)));
        }
        let other = io::Error::from(io::ErrorKind::InvalidData);
        assert!(matches!(classify(other), StubWriteError::Io(_)));
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_folder_says_not_writable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let guides = dir.path().join("guides");
        fs::create_dir(&guides).expect("mkdir");
        fs::set_permissions(&guides, fs::Permissions::from_mode(0o555)).expect("chmod");
        let result = write_new_file(&root_in(dir.path()), "guides/x.md", "x");
        fs::set_permissions(&guides, fs::Permissions::from_mode(0o755)).expect("chmod back");
        match result {
            Err(StubWriteError::NotWritable(_)) => {}
            // Root writes anyway: nothing to learn here.
            Ok(()) if rustix::process::geteuid().is_root() => {}
            other => panic!("expected NotWritable, got {other:?}"),
        }
    }
}
