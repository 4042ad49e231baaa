//! Classifying link destinations and resolving relative ones against the linking file's
//! folder, the way a reader browsing the repository on GitLab or GitHub would follow them.

use percent_encoding::percent_decode_str;

use super::rendered::LinkTargets;

/// What a link destination is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Dest {
    /// Empty, or only a query: nothing to check or rewrite.
    Nothing,
    /// `#anchor` in the same document (decoded).
    Anchor(String),
    /// Has a scheme (`https:`, `mailto:`) or starts with `/` or `//`: left alone.
    Absolute,
    /// A path relative to the linking file.
    Relative {
        /// Decoded path as written, without query and fragment.
        path: String,
        /// Decoded fragment after `#`.
        fragment: Option<String>,
    },
}

fn has_scheme(url: &str) -> bool {
    let mut chars = url.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    for c in chars {
        match c {
            ':' => return true,
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-') => {}
            _ => return false,
        }
    }
    false
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Classifies a link or image destination.
pub(super) fn classify(url: &str) -> Dest {
    let url = url.trim();
    if url.starts_with('/') || has_scheme(url) {
        return Dest::Absolute;
    }
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(decode(f))),
        None => (url, None),
    };
    let path = before_fragment
        .split_once('?')
        .map_or(before_fragment, |(p, _)| p);
    match (path.is_empty(), fragment) {
        (true, Some(anchor)) if !anchor.is_empty() => Dest::Anchor(anchor),
        (true, _) => Dest::Nothing,
        (false, fragment) => Dest::Relative {
            path: decode(path),
            fragment: fragment.filter(|f| !f.is_empty()),
        },
    }
}

/// The folder of a content-relative file path (`""` at the root).
pub(super) fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Joins `rel` to `dir` and normalises `.` and `..`. `None` when the path climbs above the
/// content root. A trailing `/` (or a last `.`/`..` segment) is kept as a trailing `/`.
pub(super) fn resolve(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let segments: Vec<&str> = rel.split('/').collect();
    let last_is_folder = matches!(segments.last(), Some(&"" | &"." | &".."));
    for segment in segments {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if last_is_folder && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// True for `*.md` and `*.markdown` (any case).
pub(super) fn is_markdown(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// The documents a folder link may mean, in the order they are tried.
pub(super) fn folder_candidates(folder: &str) -> [String; 2] {
    let folder = folder.trim_end_matches('/');
    if folder.is_empty() {
        ["README.md".to_owned(), "index.md".to_owned()]
    } else {
        [format!("{folder}/README.md"), format!("{folder}/index.md")]
    }
}

/// Where a link or image destination leads, after resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Resolved {
    /// Absolute or empty: the URL stays as written and nothing is checked.
    Unchanged,
    /// A relative path that climbs above the content root.
    AboveRoot,
    /// `#anchor` in the linking document.
    Anchor(String),
    /// A Markdown document to check; `url` is its site URL (with the fragment) when it exists.
    Doc {
        /// Content-relative path of the target file.
        path: String,
        /// Decoded fragment.
        anchor: Option<String>,
        /// The rewritten URL, `None` when the document is unknown.
        url: Option<String>,
    },
    /// Any other file (every image is one), served as an asset.
    Asset {
        /// Content-relative path.
        path: String,
        /// The rewritten URL.
        url: String,
    },
}

/// Resolves a destination written in the file at `source_path`. Images are always assets;
/// a link to a folder means its `README.md` (or `index.md`); an extensionless link means a
/// document when `path.md` exists, else an asset.
pub(super) fn resolve_link(
    dest: &str,
    source_path: &str,
    image: bool,
    targets: &dyn LinkTargets,
) -> Resolved {
    let (path, fragment) = match classify(dest) {
        Dest::Nothing | Dest::Absolute => return Resolved::Unchanged,
        Dest::Anchor(_) if image => return Resolved::Unchanged,
        Dest::Anchor(anchor) => return Resolved::Anchor(anchor),
        Dest::Relative { path, fragment } => (path, fragment),
    };
    let Some(resolved) = resolve(parent_dir(source_path), &path) else {
        return Resolved::AboveRoot;
    };
    // MkDocs sites link `page.md/#anchor` (their pages are served as folders): the file is
    // meant, not a folder named `page.md`, so it resolves like `page.md#anchor`.
    let resolved = match resolved.strip_suffix('/') {
        Some(file) if is_markdown(file) => file.to_owned(),
        _ => resolved,
    };
    // The fragment is kept as written (still percent-encoded) in the rewritten URL.
    let raw_fragment = dest.find('#').and_then(|i| dest.get(i..)).unwrap_or("");
    if image {
        let path = resolved.trim_end_matches('/').to_owned();
        let url = targets.asset_url(&path);
        return Resolved::Asset { path, url };
    }
    let doc = |path: String, url: Option<String>| Resolved::Doc {
        path,
        anchor: fragment.clone(),
        url: url.map(|u| format!("{u}{raw_fragment}")),
    };
    if is_markdown(&resolved) {
        let url = targets.doc_url(&resolved);
        return doc(resolved, url);
    }
    let [readme, index] = folder_candidates(&resolved);
    for candidate in [readme.clone(), index] {
        if let Some(url) = targets.doc_url(&candidate) {
            return doc(candidate, Some(url));
        }
    }
    if resolved.is_empty() || resolved.ends_with('/') {
        return doc(readme, None);
    }
    let with_ext = format!("{resolved}.md");
    if let Some(url) = targets.doc_url(&with_ext) {
        return doc(with_ext, Some(url));
    }
    let url = format!("{}{raw_fragment}", targets.asset_url(&resolved));
    Resolved::Asset {
        path: resolved,
        url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Docs;

    impl LinkTargets for Docs {
        fn doc_url(&self, rel_path: &str) -> Option<String> {
            ["ops/index.md", "guides/run.md"]
                .contains(&rel_path)
                .then(|| format!("/{rel_path}"))
        }
    }

    #[test]
    fn resolves_links_to_documents_folders_and_assets() {
        let at = |dest| resolve_link(dest, "guides/a.md", false, &Docs);
        assert_eq!(
            at("../ops/#x"),
            Resolved::Doc {
                path: "ops/index.md".to_owned(),
                anchor: Some("x".to_owned()),
                url: Some("/ops/index.md#x".to_owned())
            }
        );
        assert_eq!(
            at("missing/"),
            Resolved::Doc {
                path: "guides/missing/README.md".to_owned(),
                anchor: None,
                url: None
            }
        );
        assert_eq!(
            at("run"),
            Resolved::Doc {
                path: "guides/run.md".to_owned(),
                anchor: None,
                url: Some("/guides/run.md".to_owned())
            }
        );
        assert_eq!(
            at("run.sh"),
            Resolved::Asset {
                path: "guides/run.sh".to_owned(),
                url: "/assets/guides/run.sh".to_owned()
            }
        );
        assert_eq!(at("../../x.md"), Resolved::AboveRoot);
        assert_eq!(at("#top"), Resolved::Anchor("top".to_owned()));
        assert_eq!(at("https://x.org"), Resolved::Unchanged);
        assert_eq!(
            resolve_link("../ops/", "guides/a.md", true, &Docs),
            Resolved::Asset {
                path: "ops".to_owned(),
                url: "/assets/ops".to_owned()
            }
        );
    }

    #[test]
    fn a_slash_after_a_markdown_file_means_the_file() {
        let at = |dest| resolve_link(dest, "guides/a.md", false, &Docs);
        assert_eq!(
            at("../ops/index.md/#x"),
            Resolved::Doc {
                path: "ops/index.md".to_owned(),
                anchor: Some("x".to_owned()),
                url: Some("/ops/index.md#x".to_owned())
            }
        );
        assert_eq!(at("run.md/"), at("run.md"));
        assert_eq!(
            at("gone.md/#x"),
            Resolved::Doc {
                path: "guides/gone.md".to_owned(),
                anchor: Some("x".to_owned()),
                url: None
            },
            "a broken one is reported as the missing file, not as `gone.md/README.md`"
        );
    }

    #[test]
    fn classifies_destinations() {
        assert_eq!(classify("https://x.org/a.md"), Dest::Absolute);
        assert_eq!(classify("mailto:a@b"), Dest::Absolute);
        assert_eq!(classify("/guides/a"), Dest::Absolute);
        assert_eq!(classify("//cdn/x.png"), Dest::Absolute);
        assert_eq!(classify("#caf%C3%A9"), Dest::Anchor("café".to_owned()));
        assert_eq!(classify(""), Dest::Nothing);
        assert_eq!(
            classify("../a%20b.md?x=1#sec"),
            Dest::Relative {
                path: "../a b.md".to_owned(),
                fragment: Some("sec".to_owned())
            }
        );
        assert_eq!(
            classify("c:d.md"),
            Dest::Absolute,
            "a colon before any slash is a scheme, as in browsers"
        );
    }

    #[test]
    fn resolves_against_the_folder() {
        assert_eq!(
            resolve("guides/k8s", "../ops/run.md").as_deref(),
            Some("guides/ops/run.md")
        );
        assert_eq!(
            resolve("guides", "./a/./b.md").as_deref(),
            Some("guides/a/b.md")
        );
        assert_eq!(resolve("guides", "../ops/").as_deref(), Some("ops/"));
        assert_eq!(resolve("guides", "..").as_deref(), Some(""));
        assert_eq!(resolve("guides", "../../x.md"), None);
        assert_eq!(resolve("", "a.md").as_deref(), Some("a.md"));
    }

    #[test]
    fn recognises_markdown_and_folders() {
        assert!(is_markdown("a/B.MD") && is_markdown("x.markdown") && !is_markdown("x.png"));
        assert_eq!(folder_candidates("ops/")[0], "ops/README.md");
        assert_eq!(folder_candidates("")[1], "index.md");
        assert_eq!(parent_dir("guides/a.md"), "guides");
        assert_eq!(parent_dir("a.md"), "");
    }
}
