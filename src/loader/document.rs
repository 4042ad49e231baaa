//! Stage 3 of the loader: one file's head becomes a [`Document`]. The checks every kind
//! shares live here (title, review date, tags, references, keys set for another kind); what
//! differs per kind is in [`super::kinds`].

use std::sync::Arc;

use crate::model::diagnostic::{Diagnostic, Position};
use crate::model::{Body, DocId, Document, Kind};
use crate::parse::front_matter::OneOrMany;
use crate::parse::markdown::{self, RenderInput};
use crate::parse::tree;

use super::checks::locate_value;
use super::kinds::{KindInput, KindRules, kind_specific_keys, kinds_accepting};
use super::{BuiltFile, FileHead, UrlMap};

/// Stage 3: renders the body and reads the kind-specific front matter.
pub fn build_document(head: FileHead, urls: &UrlMap) -> BuiltFile {
    let FileHead {
        rel_path,
        text,
        front,
        body_offset,
        id,
        kind,
        content_hash,
        mut diagnostics,
    } = head;
    let path = rel_path.as_str();
    let input = RenderInput {
        source_path: path,
        file_text: &text,
        body_offset,
        extract_quizzes: kind == Kind::Module,
    };
    let (rendered, tree) = if kind == Kind::Troubleshooting {
        let (tree, rendered, tree_diags) = tree::parse_tree(input, urls);
        diagnostics.extend(tree_diags);
        (rendered, Some(tree))
    } else {
        (markdown::render(input, urls), None)
    };
    diagnostics.extend(rendered.diagnostics.iter().cloned());
    let raw = &front.raw;
    let mut references = Vec::new();
    if raw.id.is_some() {
        references.push(("id", id.clone(), front.position_of("id")));
    }

    let title = match raw
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(title) => title.to_owned(),
        None => {
            let fallback = rendered
                .first_h1
                .clone()
                .unwrap_or_else(|| file_title(path));
            // A broken front matter block or an empty file is reported already; a second
            // warning about the title would only repeat it.
            if front.parsed && !text.trim().is_empty() {
                diagnostics.push(Diagnostic::warning(
                path,
                Position::START,
                format!("no `title:` in front matter; using \"{fallback}\" (add a title so search results and navigation read well)"),
                ));
            }
            fallback
        }
    };
    let reviewed = raw.reviewed.as_deref().and_then(|raw_date| {
        parse_date(raw_date)
            .map_err(|message| {
                diagnostics.push(Diagnostic::error(
                    path,
                    front.position_of("reviewed"),
                    message,
                ));
            })
            .ok()
    });
    let mut id_list =
        |key: &'static str, values: &Option<OneOrMany>, diagnostics: &mut Vec<Diagnostic>| {
            let mut ids = Vec::new();
            for value in values.clone().map(OneOrMany::into_vec).unwrap_or_default() {
                let pos = locate_value(&text, front.position_of(key), &value);
                match DocId::parse(&value) {
                    Ok(id) => {
                        references.push((key, id.clone(), pos));
                        ids.push(id);
                    }
                    Err(message) => diagnostics.push(Diagnostic::error(path, pos, message)),
                }
            }
            ids
        };
    let resources = id_list("resources", &raw.resources, &mut diagnostics);
    let modules = id_list("modules", &raw.modules, &mut diagnostics);
    let requires = id_list("requires", &raw.requires, &mut diagnostics);

    let stub = super::stubs::read_marker(path, &front, &mut diagnostics);

    let rules = KindRules::of(kind);
    for (key, is_set) in kind_specific_keys(raw) {
        if is_set && !rules.keys.contains(&key) {
            let applies_to = kinds_accepting(key);
            diagnostics.push(Diagnostic::warning(
                path,
                front.position_of(key),
                format!("`{key}` only applies to {applies_to}; this document is a {kind}, so it is ignored"),
            ));
        }
    }
    let detail = (rules.detail)(
        KindInput {
            path,
            text: &text,
            front: &front,
            rendered: &rendered,
            modules,
            requires,
            tree,
        },
        &mut diagnostics,
    );

    let mut tags: Vec<String> = raw
        .tags
        .clone()
        .map(OneOrMany::into_vec)
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    tags.dedup();
    let phrases = |list: &Option<OneOrMany>| -> Vec<String> {
        let mut out: Vec<String> = list
            .clone()
            .map(OneOrMany::into_vec)
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect();
        out.dedup();
        out
    };
    let document = Document {
        id,
        kind,
        source_path: rel_path.clone(),
        title,
        summary: raw
            .summary
            .clone()
            .or_else(|| raw.description.clone())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        tags,
        aliases: phrases(&raw.aliases),
        symptoms: phrases(&raw.symptoms),
        owner: raw.owner.clone(),
        reviewed,
        stub: stub.map(|m| crate::model::StubMark { created: m.created }),
        resources,
        order: raw.order,
        body: Body::new(&rendered.html, rendered.sections),
        detail,
        content_hash,
    };
    BuiltFile {
        document: Arc::new(document),
        anchors: rendered.anchors,
        links: rendered.links,
        images: rendered.images,
        references,
        diagnostics,
        stub,
    }
}

/// `YYYY-MM-DD`, or an RFC 3339 date-time whose date is taken.
pub fn parse_date(raw: &str) -> Result<time::Date, String> {
    let raw = raw.trim();
    let date_part = raw.get(..10).unwrap_or(raw);
    time::Date::parse(
        date_part,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        format!("`reviewed: {raw}` is not a date; write it as YYYY-MM-DD, such as 2026-10-01")
    })
}

/// A readable title from a file name: `deploy-to-prod.md` → `Deploy to prod`.
fn file_title(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    crate::model::folder_title(stem)
}
