//! Small in-memory sites for the tests of qualification and its views.

use time::OffsetDateTime;
use time::macros::datetime;

use crate::loader::build_site;
use crate::model::Site;
use crate::source::{ContentFiles, SourceFile};

/// A site from `(relative path, text)` pairs, as the loader builds it from a folder.
pub(crate) fn site(files: &[(&str, &str)]) -> Site {
    let markdown = files
        .iter()
        .map(|(path, text)| SourceFile {
            rel_path: (*path).to_owned(),
            bytes: text.as_bytes().to_vec(),
        })
        .collect();
    build_site(ContentFiles {
        markdown,
        assets: Default::default(),
        site_toml: None,
        problems: Vec::new(),
    })
    .0
}

/// A module document with a version.
pub(crate) fn module(id: &str, version: u32) -> String {
    format!("---\nid: {id}\ntitle: Module {id}\nversion: {version}\n---\nRead me.\n")
}

/// Two resources: `db` needs path `ops`, which requires path `base` first; `ns` needs `base`.
/// Module `b` is at version 2; `db` lapses after 100 days, `ns` never; a guide is about `ns`.
pub(crate) fn sample_site() -> Site {
    site(&[
        ("training/modules/a.md", &module("a", 1)),
        ("training/modules/b.md", &module("b", 2)),
        ("training/modules/c.md", &module("c", 1)),
        (
            "training/paths/base.md",
            "---\nid: base\ntitle: Base\nmodules: [a]\n---\nFirst.\n",
        ),
        (
            "training/paths/ops.md",
            "---\nid: ops\ntitle: Ops\nmodules: [b, a, c]\nrequires: [base]\n---\nThen.\n",
        ),
        (
            "resources/db.md",
            "---\nid: db\ntitle: Database\nrequires: [ops]\nvalid_for: 100d\nself_serve: https://portal.example.com/db\n---\nA database.\n",
        ),
        (
            "resources/ns.md",
            "---\nid: ns\ntitle: Namespace\nrequires: [base]\nself_serve: https://portal.example.com/ns\n---\nA namespace.\n",
        ),
        (
            "guides/ns-howto.md",
            "---\ntitle: Using a namespace\nresources: [ns]\n---\nHow.\n",
        ),
    ])
}

/// The tests' epoch.
pub(crate) fn t0() -> OffsetDateTime {
    datetime!(2026-01-01 00:00 UTC)
}
