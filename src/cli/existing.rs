//! The database a command that reads or changes records opens: it must already exist, so a
//! mistyped `--data` is a sentence instead of a fresh, empty database in a new folder.

use std::path::Path;

use crate::store::DatabaseUrl;

/// What a command may do when the SQLite file is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Refuse (every command but `user add`).
    Refuse,
    /// Create it, but only inside an existing folder: the first `user add` may set up a
    /// site before its first `serve`, yet a mistyped folder is still refused.
    CreateInExistingFolder,
}

/// `url` when the command may use it, else the sentence saying what to check.
pub fn require(url: DatabaseUrl, data: &Path, missing: Missing) -> anyhow::Result<DatabaseUrl> {
    let DatabaseUrl::Sqlite(file) = &url else {
        return Ok(url);
    };
    if file.is_file() {
        return Ok(url);
    }
    let folder = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if missing == Missing::CreateInExistingFolder && folder.is_dir() {
        return Ok(url);
    }
    if *file == data.join(crate::store::DB_FILE) {
        anyhow::bail!(
            "There is no database in {data} (looked for {file} — check the path, or start `selfserve serve --data {data}` once to create it).",
            data = data.display(),
            file = file.display(),
        );
    }
    anyhow::bail!(
        "There is no database at {} — check the --database URL (or SELFSERVE_DATABASE), or start `selfserve serve` with it once to create it.",
        file.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_folder_is_refused_with_the_path_looked_at() {
        let data = Path::new("/typo");
        let err =
            require(DatabaseUrl::in_data_dir(data), data, Missing::Refuse).expect_err("missing");
        let text = err.to_string();
        assert!(text.contains("There is no database in /typo"), "{text}");
        assert!(text.contains("/typo/selfserve.db"), "{text}");
        assert!(text.contains("selfserve serve --data /typo"), "{text}");
        assert!(!data.exists());
    }

    #[test]
    fn user_add_may_create_a_database_in_an_existing_folder_only() {
        let dir = tempfile::tempdir().expect("dir");
        let url = DatabaseUrl::in_data_dir(dir.path());
        assert!(require(url.clone(), dir.path(), Missing::CreateInExistingFolder).is_ok());
        assert!(require(url, dir.path(), Missing::Refuse).is_err());
        let typo = dir.path().join("typo");
        assert!(
            require(
                DatabaseUrl::in_data_dir(&typo),
                &typo,
                Missing::CreateInExistingFolder
            )
            .is_err()
        );
    }

    #[test]
    fn an_existing_file_is_used() {
        let dir = tempfile::tempdir().expect("dir");
        let url = DatabaseUrl::in_data_dir(dir.path());
        std::fs::write(dir.path().join(crate::store::DB_FILE), b"").expect("write");
        assert!(require(url, dir.path(), Missing::Refuse).is_ok());
    }
}
