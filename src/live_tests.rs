//! Tests of incremental content updates over real files in a temporary folder.
use super::*;
use std::fs;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create folders");
    }
    fs::write(path, text).expect("write file");
}

fn changed(paths: &[&str]) -> BTreeSet<String> {
    paths.iter().map(|p| (*p).to_owned()).collect()
}

fn fixture() -> (tempfile::TempDir, ContentState) {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "guides/a.md",
        "---\ntitle: A\n---\nSee [B](b.md).\n",
    );
    write(dir.path(), "guides/b.md", "---\ntitle: B\n---\n## Part\n");
    let state = ContentState::load(dir.path()).expect("loads");
    (dir, state)
}

#[test]
fn an_edit_rebuilds_only_that_document() {
    let (dir, mut state) = fixture();
    write(
        dir.path(),
        "guides/b.md",
        "---\ntitle: B two\n---\n## Part\n",
    );
    let changes = state.apply(&changed(&["guides/b.md"]));
    assert_eq!(changes.upserted.len(), 1);
    assert_eq!(changes.upserted[0].title, "B two");
    let site = state.site();
    assert_eq!(
        site.get_str("guides/b").map(|d| d.title.as_str()),
        Some("B two")
    );
    assert_eq!(site.error_count(), 0);
}

#[test]
fn an_unchanged_save_changes_nothing() {
    let (_dir, mut state) = fixture();
    assert!(state.apply(&changed(&["guides/b.md"])).is_empty());
}

#[test]
fn a_broken_save_keeps_the_last_good_version_until_fixed() {
    let (dir, mut state) = fixture();
    write(
        dir.path(),
        "guides/b.md",
        "---\ntitle: [broken\n---\n## Part\n",
    );
    let changes = state.apply(&changed(&["guides/b.md"]));
    assert!(changes.upserted.is_empty());
    let site = state.site();
    assert_eq!(
        site.get_str("guides/b").map(|d| d.title.as_str()),
        Some("B")
    );
    assert!(site.error_count() > 0);
    assert!(
        site.diagnostics
            .iter()
            .any(|d| d.message.contains("last good version"))
    );
    write(
        dir.path(),
        "guides/b.md",
        "---\ntitle: B fixed\n---\n## Part\n",
    );
    state.apply(&changed(&["guides/b.md"]));
    let site = state.site();
    assert_eq!(
        site.get_str("guides/b").map(|d| d.title.as_str()),
        Some("B fixed")
    );
    assert_eq!(site.error_count(), 0);
}

#[test]
fn deleting_a_linked_file_reports_the_broken_link_and_renaming_back_fixes_it() {
    let (dir, mut state) = fixture();
    fs::rename(
        dir.path().join("guides/b.md"),
        dir.path().join("guides/c.md"),
    )
    .expect("rename");
    let changes = state.apply(&changed(&["guides/b.md", "guides/c.md"]));
    assert_eq!(changes.removed.len(), 1);
    assert!(changes.site_wide);
    let site = state.site();
    assert!(site.get_str("guides/b").is_none());
    assert!(site.get_str("guides/c").is_some());
    assert!(
        site.diagnostics
            .iter()
            .any(|d| d.path == "guides/a.md" && d.is_error())
    );
    fs::rename(
        dir.path().join("guides/c.md"),
        dir.path().join("guides/b.md"),
    )
    .expect("rename back");
    state.apply(&changed(&["guides/b.md", "guides/c.md"]));
    assert_eq!(state.site().error_count(), 0);
}

#[test]
fn folders_can_appear_vanish_and_become_files() {
    let (dir, mut state) = fixture();
    write(dir.path(), "ops/x.md", "---\ntitle: X\n---\n");
    write(dir.path(), "ops/deep/y.md", "---\ntitle: Y\n---\n");
    let changes = state.apply(&changed(&["ops"]));
    assert_eq!(changes.upserted.len(), 2);
    fs::remove_dir_all(dir.path().join("ops")).expect("remove folder");
    fs::write(dir.path().join("ops"), "now a file").expect("file replaces folder");
    let changes = state.apply(&changed(&["ops"]));
    assert_eq!(changes.removed.len(), 2);
    let site = state.site();
    assert!(site.get_str("ops/x").is_none());
    assert!(site.assets.contains("ops"));
}

#[test]
fn swap_files_and_hidden_paths_are_ignored() {
    let (dir, mut state) = fixture();
    write(dir.path(), "guides/.a.md.swp", "junk");
    write(dir.path(), "guides/a.md~", "junk");
    assert!(
        state
            .apply(&changed(&["guides/.a.md.swp", "guides/a.md~"]))
            .is_empty()
    );
}

#[test]
fn a_broken_site_toml_keeps_the_settings_in_force() {
    let (dir, mut state) = fixture();
    write(dir.path(), "site.toml", "title = \"Docs\"\n");
    state.apply(&changed(&["site.toml"]));
    assert_eq!(state.site().config.title, "Docs");
    write(dir.path(), "site.toml", "title = \n");
    state.apply(&changed(&["site.toml"]));
    let site = state.site();
    assert_eq!(site.config.title, "Docs");
    assert!(site.diagnostics.iter().any(|d| d.path == "site.toml"));
}

/// Applies one batch and checks that the incremental assembly equals a full one.
fn apply_and_compare(state: &mut ContentState, previous: &Site, paths: &[&str]) -> Site {
    let changes = state.apply(&changed(paths));
    let incremental = state.site_after(previous, &changes);
    let full = state.site();
    assert_eq!(incremental.diagnostics, full.diagnostics, "after {paths:?}");
    assert_eq!(incremental.nav, full.nav, "after {paths:?}");
    assert_eq!(incremental.by_path, full.by_path, "after {paths:?}");
    assert_eq!(incremental.assets, full.assets, "after {paths:?}");
    let ids = |s: &Site| -> Vec<(DocId, String)> {
        s.documents
            .values()
            .map(|d| (d.id.clone(), d.title.clone()))
            .collect()
    };
    assert_eq!(ids(&incremental), ids(&full), "after {paths:?}");
    incremental
}

#[test]
fn incremental_assembly_matches_a_full_one_through_a_series_of_edits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write(
        root,
        "guides/a.md",
        "---\ntitle: A\n---\nSee [B](b.md#part) and ![x](x.png).\n",
    );
    write(root, "guides/b.md", "---\ntitle: B\n---\n## Part\n");
    write(root, "guides/c.md", "---\ntitle: C\n---\nText.\n");
    let mut state = ContentState::load(root).expect("loads");
    let mut site = state.site();
    assert_eq!(site.error_count(), 0, "{:?}", site.diagnostics);

    // b loses the heading a links to: a's link is now broken although a did not change.
    write(root, "guides/b.md", "---\ntitle: B\n---\n## Other\n");
    site = apply_and_compare(&mut state, &site, &["guides/b.md"]);
    assert!(
        site.diagnostics
            .iter()
            .any(|d| d.path == "guides/a.md" && d.message.contains("#part")),
        "{:?}",
        site.diagnostics
    );
    // The heading is back: the error clears.
    write(root, "guides/b.md", "---\ntitle: B\n---\n## Part\n");
    site = apply_and_compare(&mut state, &site, &["guides/b.md"]);
    assert_eq!(site.error_count(), 0, "{:?}", site.diagnostics);
    // A title change changes the navigation.
    write(root, "guides/c.md", "---\ntitle: C renamed\n---\nText.\n");
    site = apply_and_compare(&mut state, &site, &["guides/c.md"]);
    // A broken save, then its fix.
    write(root, "guides/c.md", "---\ntitle: [broken\n---\nText.\n");
    site = apply_and_compare(&mut state, &site, &["guides/c.md"]);
    assert!(site.error_count() > 0);
    write(root, "guides/c.md", "---\ntitle: C\n---\nText.\n");
    site = apply_and_compare(&mut state, &site, &["guides/c.md"]);
    assert_eq!(site.error_count(), 0, "{:?}", site.diagnostics);
    // A file that is not UTF-8: a read problem, no document change.
    fs::write(root.join("guides/d.md"), [0xff, 0xfe, 0x00]).expect("write");
    site = apply_and_compare(&mut state, &site, &["guides/d.md"]);
    assert!(site.diagnostics.iter().any(|d| d.path == "guides/d.md"));
    fs::remove_file(root.join("guides/d.md")).expect("remove");
    site = apply_and_compare(&mut state, &site, &["guides/d.md"]);
    assert!(!site.diagnostics.iter().any(|d| d.path == "guides/d.md"));
    // The missing image appears: a's warning clears.
    fs::write(root.join("guides/x.png"), b"png").expect("write");
    site = apply_and_compare(&mut state, &site, &["guides/x.png"]);
    assert!(!site.diagnostics.iter().any(|d| d.message.contains("x.png")));
}

/// One file's content in the property test below: a title, a heading, a link to another
/// file's heading, or a broken save.
#[derive(Debug, Clone)]
enum Variant {
    Plain {
        title: u8,
        heading: u8,
        link: Option<(u8, u8)>,
    },
    BrokenFrontMatter,
    NotUtf8,
    Deleted,
}

fn variant_text(variant: &Variant) -> Option<Vec<u8>> {
    const HEADINGS: [&str; 2] = ["Part", "Other"];
    match variant {
        Variant::Plain {
            title,
            heading,
            link,
        } => {
            let link = link.map_or(String::new(), |(file, heading)| {
                format!(
                    "See [there](f{file}.md#{}).\n",
                    HEADINGS[usize::from(heading % 2)].to_lowercase()
                )
            });
            Some(
                format!(
                    "---\ntitle: Title {title}\n---\n{link}\n## {}\n\nText.\n",
                    HEADINGS[usize::from(heading % 2)]
                )
                .into_bytes(),
            )
        }
        Variant::BrokenFrontMatter => Some(b"---\ntitle: [broken\n---\nText.\n".to_vec()),
        Variant::NotUtf8 => Some(vec![0xff, 0xfe, 0x00]),
        Variant::Deleted => None,
    }
}

fn any_variant() -> impl proptest::strategy::Strategy<Value = Variant> {
    use proptest::prelude::*;
    prop_oneof![
        6 => (0u8..3, 0u8..2, proptest::option::of((0u8..4, 0u8..2)))
            .prop_map(|(title, heading, link)| Variant::Plain { title, heading, link }),
        1 => Just(Variant::BrokenFrontMatter),
        1 => Just(Variant::NotUtf8),
        1 => Just(Variant::Deleted),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Whatever a series of saves does, the incremental assembly equals a full one.
    #[test]
    fn incremental_assembly_always_equals_a_full_one(
        edits in proptest::collection::vec((0u8..4, any_variant()), 1..12)
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        for i in 0..4 {
            write(root, &format!("f{i}.md"), &format!("---\ntitle: F{i}\n---\n## Part\n"));
        }
        let mut state = ContentState::load(root).expect("loads");
        let mut site = state.site();
        for (file, variant) in &edits {
            let rel = format!("f{file}.md");
            match variant_text(variant) {
                Some(bytes) => fs::write(root.join(&rel), bytes).expect("write"),
                None => {
                    let _ = fs::remove_file(root.join(&rel));
                }
            }
            site = apply_and_compare(&mut state, &site, &[rel.as_str()]);
        }
    }
}

#[test]
fn a_file_renamed_then_deleted_is_removed_though_only_its_new_name_is_reported() {
    // notify-debouncer-full folds "rename a -> b, delete b" into one event for b.
    let (dir, mut state) = fixture();
    fs::rename(
        dir.path().join("guides/b.md"),
        dir.path().join("guides/c.md"),
    )
    .expect("rename");
    fs::remove_file(dir.path().join("guides/c.md")).expect("remove");
    let changes = state.apply(&changed(&["guides/c.md"]));
    assert_eq!(changes.removed.len(), 1, "{changes:?}");
    let site = state.site();
    assert!(site.get_str("guides/b").is_none());
    // a.md links to b.md, which is gone now.
    assert!(site.error_count() > 0);
}

#[test]
fn editing_the_served_one_of_two_files_sharing_an_id_keeps_both_errors() {
    let (dir, mut state) = fixture();
    write(
        dir.path(),
        "guides/c.md",
        "---\nid: guides/b\ntitle: C\n---\n",
    );
    let changes = state.apply(&changed(&["guides/c.md"]));
    let before = state.site_after(&state.site(), &changes);
    let duplicate_errors = |site: &Site| {
        site.diagnostics
            .iter()
            .filter(|d| d.message.contains("both have the id `guides/b`"))
            .map(|d| d.path.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(duplicate_errors(&before), ["guides/b.md", "guides/c.md"]);
    write(
        dir.path(),
        "guides/b.md",
        "---\ntitle: B two\n---\n## Part\n",
    );
    let changes = state.apply(&changed(&["guides/b.md"]));
    let after = state.site_after(&before, &changes);
    assert_eq!(duplicate_errors(&after), ["guides/b.md", "guides/c.md"]);
    assert_eq!(
        after.get_str("guides/b").map(|d| d.source_path.as_str()),
        Some("guides/b.md"),
        "the first by path is served"
    );
}
