//! Stage 4 of the loader: checks that need every document — links and anchors, images, and
//! the references between paths, modules and resources — with "did you mean" hints.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::model::diagnostic::{Diagnostic, LineIndex, Position};
use crate::model::{DocId, Document, Kind};

use super::BuiltFile;

/// Cross-file checks for one built file.
pub fn cross_check(
    file: &BuiltFile,
    documents: &BTreeMap<DocId, Arc<Document>>,
    anchors: &HashMap<&str, &BTreeSet<String>>,
    assets: &BTreeSet<String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let path = file.document.source_path.as_str();
    for link in &file.links {
        match anchors.get(link.target_path.as_str()) {
            None => diagnostics.push(Diagnostic::error(
                path,
                link.position,
                format!(
                    "the link points to `{}`, which does not exist; fix the path or create the page",
                    link.target_path
                ),
            )),
            Some(target_anchors) => {
                if let Some(anchor) = &link.anchor
                    && !anchor.is_empty()
                    && !target_anchors.contains(anchor)
                {
                    {
                        let similar = closest(anchor, target_anchors.iter());
                        let hint = similar.map_or(String::new(), |s| format!(" (did you mean `#{s}`?)"));
                        diagnostics.push(Diagnostic::error(
                            path,
                            link.position,
                            format!(
                                "the link points to `#{anchor}` in `{}`, which has no such heading{hint}",
                                link.target_path
                            ),
                        ));
                    }
                }
            }
        }
    }
    for image in &file.images {
        if !assets.contains(&image.target_path) {
            diagnostics.push(Diagnostic::warning(
                path,
                image.position,
                format!(
                    "the image `{}` does not exist in the content folder",
                    image.target_path
                ),
            ));
        }
    }
    for (key, id, pos) in &file.references {
        let expected = match *key {
            "modules" => Kind::Module,
            "requires" => Kind::Path,
            "resources" => Kind::Resource,
            _ => continue,
        };
        match documents.get(id) {
            Some(doc) if doc.kind == expected => {}
            Some(doc) => diagnostics.push(Diagnostic::error(
                path,
                *pos,
                format!(
                    "`{key}` names `{id}`, which is a {} and not a {expected}",
                    doc.kind
                ),
            )),
            None => {
                let candidates = documents
                    .values()
                    .filter(|d| d.kind == expected)
                    .map(|d| d.id.as_str().to_owned())
                    .collect::<Vec<_>>();
                let hint = closest(id.as_str(), candidates.iter())
                    .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
                diagnostics.push(Diagnostic::error(
                    path,
                    *pos,
                    format!("`{key}` names the unknown {expected} `{id}`{hint}"),
                ));
            }
        }
    }
}

/// The candidate closest to `word` by edit distance, when close enough to be a typo.
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a String>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.as_str())
}

/// Finds where `value` is written at or after the line of its key (lists may span lines).
pub(super) fn locate_value(text: &str, key_pos: Position, value: &str) -> Position {
    let index = LineIndex::new(text);
    let start = index.line_start(key_pos.line);
    let window_end = index.line_start(key_pos.line + 50).min(text.len());
    text.get(start..window_end)
        .and_then(|window| window.find(value))
        .map_or(key_pos, |i| index.position(start + i))
}
