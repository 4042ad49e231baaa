//! Tests of the content walk and single-path reads.

use super::*;

#[test]
fn walk_reads_markdown_lists_assets_and_skips_hidden() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    fs::create_dir_all(dir.path().join("guides/img"))?;
    fs::create_dir_all(dir.path().join(".git"))?;
    fs::write(dir.path().join("guides/a.md"), "# A")?;
    fs::write(dir.path().join("guides/_draft.md"), "# D")?;
    fs::write(dir.path().join("guides/img/x.svg"), "<svg/>")?;
    fs::write(dir.path().join(".git/HEAD"), "ref")?;
    fs::write(dir.path().join("site.toml"), "title = 'x'")?;
    let files = read_content(&ContentRoot::new(dir.path())).map_err(io::Error::other)?;
    let paths: Vec<&str> = files.markdown.iter().map(|f| f.rel_path.as_str()).collect();
    assert_eq!(paths, ["guides/a.md"]);
    assert!(files.assets.contains("guides/img/x.svg"));
    assert!(!files.assets.contains("site.toml"));
    assert!(files.site_toml.is_some());
    Ok(())
}

#[test]
fn missing_root_is_an_error() {
    assert!(read_content(&ContentRoot::new(Path::new("/definitely/not/here"))).is_err());
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_not_followed_forever() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    fs::create_dir_all(dir.path().join("a"))?;
    std::os::unix::fs::symlink(dir.path(), dir.path().join("a/loop"))?;
    let files = read_content(&ContentRoot::new(dir.path())).map_err(io::Error::other)?;
    assert!(
        files
            .problems
            .iter()
            .any(|p| p.message.contains("symlink loop"))
    );
    Ok(())
}

#[test]
fn read_asset_refuses_traversal() {
    let root = ContentRoot::new(Path::new("/tmp"));
    assert!(read_asset(&root, "../etc/passwd").is_err());
    assert!(read_asset(&root, "a//b").is_err());
}

/// A content folder beside a data folder and a secret, with every kind of link.
#[cfg(unix)]
fn linked_folder() -> io::Result<(tempfile::TempDir, PathBuf)> {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir()?;
    let content = dir.path().join("content");
    fs::create_dir_all(content.join("guides/img"))?;
    fs::create_dir_all(content.join("_shared"))?;
    fs::create_dir_all(dir.path().join("outside"))?;
    fs::write(dir.path().join("outside/passwd.md"), "# root:x:0:0")?;
    fs::write(content.join("guides/img/logo.png"), "png")?;
    fs::write(content.join("_shared/common.md"), "# Common")?;
    symlink("../../outside/passwd.md", content.join("guides/passwd.md"))?;
    symlink(dir.path().join("outside"), content.join("guides/evil"))?;
    symlink("nowhere.png", content.join("guides/dangling.png"))?;
    symlink("img/logo.png", content.join("guides/logo.png"))?;
    symlink("../_shared", content.join("guides/shared"))?;
    Ok((dir, content))
}

#[cfg(unix)]
#[test]
fn links_leaving_the_folder_are_reported_and_links_inside_followed() -> io::Result<()> {
    let (_dir, content) = linked_folder()?;
    let files = read_content(&ContentRoot::new(&content)).map_err(io::Error::other)?;
    let problem = |path: &str| {
        files
            .problems
            .iter()
            .find(|p| p.rel_path == path)
            .map(|p| p.message.clone())
            .unwrap_or_default()
    };
    assert!(problem("guides/passwd.md").contains("outside the content folder"));
    assert!(problem("guides/evil").contains("outside the content folder"));
    assert!(problem("guides/dangling.png").contains("does not exist"));
    assert_eq!(files.problems.len(), 3, "{:?}", files.problems);
    let paths: Vec<&str> = files.markdown.iter().map(|f| f.rel_path.as_str()).collect();
    assert_eq!(paths, ["guides/shared/common.md"]);
    assert!(files.assets.contains("guides/logo.png"));
    assert!(!files.assets.iter().any(|a| a.contains("evil")));
    Ok(())
}

#[cfg(unix)]
#[test]
fn live_reads_refuse_what_the_walk_refuses() -> io::Result<()> {
    let (_dir, content) = linked_folder()?;
    let root = ContentRoot::new(&content);
    assert!(matches!(
        read_entry(&root, "guides/passwd.md"),
        Entry::Refused(_)
    ));
    assert!(matches!(
        read_entry(&root, "guides/evil"),
        Entry::Refused(_)
    ));
    assert!(matches!(
        read_entry(&root, "guides/dangling.png"),
        Entry::Refused(_)
    ));
    // Under a refused folder link: reported at the link, not again here.
    assert!(matches!(
        read_entry(&root, "guides/evil/passwd.md"),
        Entry::Ignored
    ));
    assert!(matches!(read_entry(&root, "guides/logo.png"), Entry::Asset));
    assert!(matches!(
        read_entry(&root, "guides/shared/common.md"),
        Entry::Markdown(_)
    ));
    Ok(())
}

#[test]
fn the_data_folder_inside_the_content_folder_is_never_walked() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    fs::create_dir_all(dir.path().join("data/search"))?;
    fs::write(dir.path().join("data/selfserve.db"), "db")?;
    fs::write(dir.path().join("data/notes.md"), "# Notes")?;
    fs::write(dir.path().join("a.md"), "# A")?;
    let root = ContentRoot::new(dir.path())
        .excluding(&dir.path().join("data"))
        .map_err(io::Error::other)?;
    let files = read_content(&root).map_err(io::Error::other)?;
    assert_eq!(files.markdown.len(), 1);
    assert!(files.assets.is_empty(), "{:?}", files.assets);
    assert!(files.problems.is_empty(), "{:?}", files.problems);
    assert!(matches!(
        read_entry(&root, "data/selfserve.db"),
        Entry::Ignored
    ));
    assert!(matches!(read_entry(&root, "data"), Entry::Ignored));
    Ok(())
}
