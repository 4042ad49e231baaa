//! Tests of reading `mkdocs.yml`: nav flattening, tags MkDocs' Python loader knows, errors.

use proptest::prelude::*;

use super::*;

const YML: &str = r#"site_name: Demo docs
site_description: "Everything about the demo"
site_url: !ENV [SITE_URL, "https://docs.example.com/"]
repo_url: https://github.com/example/demo
docs_dir: pages
theme:
  name: material
  features: [navigation.indexes]
markdown_extensions:
  - admonition
  - attr_list
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
  - toc:
      permalink: true
plugins:
  - search
  - macros
extra_css: [extra.css]
strict: true
nav:
  - Home: index.md
  - getting-started.md
  - Operations:
      - ops/index.md
      - Backups and restores: ops/backup.md
      - Security:
          - ops/tls.md
          - Scans: scans/index.md
  - Releases: https://example.com/releases
"#;

#[test]
fn settings_and_nav_are_read_and_tagged_values_ignored() {
    let c = MkDocsConfig::parse(YML).expect("parses");
    assert_eq!(c.site_name.as_deref(), Some("Demo docs"));
    assert_eq!(
        c.site_description.as_deref(),
        Some("Everything about the demo")
    );
    assert_eq!(
        c.site_url, None,
        "an !ENV value is not a setting we can read"
    );
    assert_eq!(c.docs_dir, "pages");
    assert_eq!(c.theme.as_deref(), Some("material"));
    assert_eq!(c.plugins, ["search", "macros"]);
    assert_eq!(
        c.markdown_extensions,
        ["admonition", "attr_list", "pymdownx.emoji", "toc"]
    );
    assert_eq!(c.other_keys, ["extra_css"]);
    let targets: Vec<&str> = c.nav.iter().map(|n| n.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            "index.md",
            "getting-started.md",
            "ops/index.md",
            "ops/backup.md",
            "ops/tls.md",
            "scans/index.md",
            "https://example.com/releases"
        ]
    );
    assert_eq!(c.nav[0].title.as_deref(), Some("Home"));
    assert_eq!(c.nav[1].title, None);
    assert_eq!(c.nav[4].section, ["Operations", "Security"]);
    assert!(c.nav[6].is_link());
    let lines: Vec<usize> = c.nav.iter().map(|n| n.line).collect();
    assert_eq!(lines, [23, 24, 26, 27, 29, 30, 31]);
    assert_eq!(
        c.edit_url().as_deref(),
        Some("https://github.com/example/demo/edit/master/pages/{path}")
    );
}

#[test]
fn argo_cds_own_mkdocs_yml_is_read() {
    let text = include_str!("../../tests/fixtures/mkdocs/argo-cd/mkdocs.yml");
    let c = MkDocsConfig::parse(text).expect("parses");
    assert_eq!(c.docs_dir, "docs");
    assert!(c.nav.len() > 200, "{}", c.nav.len());
    assert!(
        c.nav.iter().all(|n| n.line > 0),
        "every entry found in the text"
    );
    assert_eq!(c.site_url, None);
}

#[test]
fn edit_uri_wins_and_an_empty_one_turns_edit_links_off() {
    let c =
        MkDocsConfig::parse("repo_url: https://git.example.com/a/b/\nedit_uri: src/main/docs/\n")
            .expect("parses");
    assert_eq!(
        c.edit_url().as_deref(),
        Some("https://git.example.com/a/b/src/main/docs/{path}")
    );
    let off =
        MkDocsConfig::parse("repo_url: https://github.com/a/b\nedit_uri: ''\n").expect("parses");
    assert_eq!(off.edit_url(), None);
    let other = MkDocsConfig::parse("repo_url: https://git.example.com/a/b\n").expect("parses");
    assert_eq!(other.edit_url(), None);
    let empty = MkDocsConfig::parse("").expect("an empty file is MkDocs' defaults");
    assert_eq!(empty.docs_dir, "docs");
    assert!(empty.nav.is_empty());
}

#[test]
fn malformed_yaml_is_a_sentence_with_its_position() {
    let err = MkDocsConfig::parse("site_name: x\nnav:\n  - a.md\n  key: value\n").expect_err("bad");
    assert_eq!(err.line, 4, "{err:?}");
    assert!(err.column > 0, "{err:?}");
    assert!(
        err.message.starts_with("mkdocs.yml is not valid YAML: "),
        "{err:?}"
    );
}

proptest! {
    /// Any nesting of sections flattens into the pages in document order, each inside the
    /// sections written around it.
    #[test]
    fn nested_sections_flatten_in_order(shape in proptest::collection::vec(0usize..3, 1..12)) {
        // Each number opens that many new sections before the next page.
        let mut yml = String::from("nav:\n");
        let mut want = Vec::new();
        let mut depth = 0;
        for (i, open) in shape.iter().enumerate() {
            let mut section = want.last().map(|(_, s): &(String, Vec<String>)| s.clone()).unwrap_or_default();
            for j in 0..*open {
                let title = format!("S{i}x{j}");
                yml.push_str(&format!("{}- {title}:\n", "  ".repeat(depth + 1)));
                section.push(title);
                depth += 1;
            }
            let page = format!("p{i}.md");
            yml.push_str(&format!("{}- {page}\n", "  ".repeat(depth + 1)));
            want.push((page, section));
        }
        let c = MkDocsConfig::parse(&yml).expect("parses");
        let got: Vec<(String, Vec<String>)> =
            c.nav.into_iter().map(|n| (n.target, n.section)).collect();
        prop_assert_eq!(got, want);
    }
}
