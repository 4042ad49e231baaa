//! Stage 3, per kind: the front-matter keys each kind of document accepts beyond the shared
//! ones, and one function per kind that reads them into its [`Detail`].
//!
//! Adding a kind: a variant of [`Kind`], a table and a function here, and its entry in
//! [`KindRules::of`]; a key that no other kind accepts also gets a line in
//! [`kind_specific_keys`], so other kinds warn that it is ignored.

use crate::model::diagnostic::Diagnostic;
use crate::model::{Detail, DocId, Kind, Module, PathDef, ResourceDef, Tree, ValidFor};
use crate::parse::front_matter::{FrontMatter, RawFrontMatter};
use crate::parse::markdown::Rendered;
use crate::parse::{module_settings, quiz};

/// The pass mark of a module whose front matter sets no `pass:`, in percent.
pub const DEFAULT_PASS_PERCENT: u32 = 80;

/// Keys a guide accepts beyond the shared ones.
pub const GUIDE_KEYS: &[&str] = &[];
/// Keys a troubleshooting tree accepts beyond the shared ones.
pub const TREE_KEYS: &[&str] = &[];
/// Keys a training module accepts beyond the shared ones.
pub const MODULE_KEYS: &[&str] = &[
    "version", "pass", "minutes", "review", "draw", "shuffle", "attempts",
];
/// Keys a training path accepts beyond the shared ones.
pub const PATH_KEYS: &[&str] = &["modules", "requires"];
/// Keys a resource accepts beyond the shared ones.
pub const RESOURCE_KEYS: &[&str] = &["requires", "valid_for", "self_serve"];

/// What a kind-specific function reads besides the front matter.
pub struct KindInput<'a> {
    /// Content-relative path, for diagnostics.
    pub path: &'a str,
    /// The whole file, for positions inside quiz blocks and lists.
    pub text: &'a str,
    /// The parsed front matter.
    pub front: &'a FrontMatter,
    /// The rendered body (quiz blocks and anchors).
    pub rendered: &'a Rendered,
    /// `modules:`, parsed by the shared code (it records the references).
    pub modules: Vec<DocId>,
    /// `requires:`, parsed by the shared code.
    pub requires: Vec<DocId>,
    /// A troubleshooting file's nodes: the tree parser renders its body too, so it runs first.
    pub tree: Option<Tree>,
}

/// How a kind's documents are read: the keys it accepts and the function building its detail.
pub struct KindRules {
    /// The kind in the plural, as warnings about misplaced keys name it.
    pub plural: &'static str,
    /// The keys beyond the shared ones.
    pub keys: &'static [&'static str],
    /// Builds the kind's [`Detail`].
    pub detail: fn(KindInput<'_>, &mut Vec<Diagnostic>) -> Detail,
}

impl KindRules {
    /// The rules of `kind`.
    pub fn of(kind: Kind) -> KindRules {
        match kind {
            Kind::Guide => KindRules {
                plural: "guides",
                keys: GUIDE_KEYS,
                detail: guide,
            },
            Kind::Troubleshooting => KindRules {
                plural: "troubleshooting trees",
                keys: TREE_KEYS,
                detail: tree,
            },
            Kind::Module => KindRules {
                plural: "modules",
                keys: MODULE_KEYS,
                detail: module,
            },
            Kind::Path => KindRules {
                plural: "paths",
                keys: PATH_KEYS,
                detail: path,
            },
            Kind::Resource => KindRules {
                plural: "resources",
                keys: RESOURCE_KEYS,
                detail: resource,
            },
        }
    }
}

/// Every kind-specific key and whether the front matter sets it, in the order their
/// "ignored" warnings are listed.
pub fn kind_specific_keys(raw: &RawFrontMatter) -> [(&'static str, bool); 11] {
    [
        ("version", raw.version.is_some()),
        ("pass", raw.pass.is_some()),
        ("minutes", raw.minutes.is_some()),
        ("review", raw.review.is_some()),
        ("draw", raw.draw.is_some()),
        ("shuffle", raw.shuffle.is_some()),
        ("attempts", raw.attempts.is_some()),
        ("modules", raw.modules.is_some()),
        ("requires", raw.requires.is_some()),
        ("valid_for", raw.valid_for.is_some()),
        ("self_serve", raw.self_serve.is_some()),
    ]
}

/// The kinds accepting `key`, as the warning names them: "modules", "paths and resources".
pub fn kinds_accepting(key: &str) -> String {
    Kind::ALL
        .into_iter()
        .map(KindRules::of)
        .filter(|rules| rules.keys.contains(&key))
        .map(|rules| rules.plural)
        .collect::<Vec<_>>()
        .join(" and ")
}

fn guide(_: KindInput<'_>, _: &mut Vec<Diagnostic>) -> Detail {
    Detail::Guide
}

fn tree(input: KindInput<'_>, _: &mut Vec<Diagnostic>) -> Detail {
    Detail::Tree(input.tree.unwrap_or_default())
}

fn module(input: KindInput<'_>, diagnostics: &mut Vec<Diagnostic>) -> Detail {
    let KindInput {
        path,
        text,
        front,
        rendered,
        ..
    } = input;
    let raw = &front.raw;
    let pass = raw.pass.unwrap_or(DEFAULT_PASS_PERCENT);
    if pass > 100 {
        diagnostics.push(Diagnostic::error(
            path,
            front.position_of("pass"),
            format!("`pass: {pass}` is a percentage and must be between 0 and 100"),
        ));
    }
    if raw.version == Some(0) {
        diagnostics.push(Diagnostic::error(
            path,
            front.position_of("version"),
            "`version` starts at 1; raise it when earlier passes should stop counting",
        ));
    }
    let mut questions = Vec::new();
    for block in &rendered.quizzes {
        let (qs, quiz_diags) = quiz::parse_quiz(path, text, block);
        questions.extend(qs);
        diagnostics.extend(quiz_diags);
    }
    let settings = module_settings::module_settings(
        path,
        text,
        front,
        &questions,
        &rendered.anchors,
        diagnostics,
    );
    Detail::Module(Module {
        version: raw.version.unwrap_or(1).max(1),
        pass_percent: u8::try_from(pass.min(100)).unwrap_or(100),
        minutes: raw.minutes,
        questions,
        settings,
    })
}

fn path(input: KindInput<'_>, diagnostics: &mut Vec<Diagnostic>) -> Detail {
    if input.modules.is_empty() {
        diagnostics.push(Diagnostic::error(
            input.path,
            input.front.position_of("modules"),
            "a path needs `modules: [...]` listing its module ids in order",
        ));
    }
    Detail::Path(PathDef {
        modules: input.modules,
        requires: input.requires,
    })
}

fn resource(input: KindInput<'_>, diagnostics: &mut Vec<Diagnostic>) -> Detail {
    let KindInput {
        path,
        front,
        requires,
        ..
    } = input;
    let raw = &front.raw;
    let valid_for = raw.valid_for.as_deref().and_then(|v| {
        ValidFor::parse(v)
            .map_err(|message| {
                diagnostics.push(Diagnostic::error(
                    path,
                    front.position_of("valid_for"),
                    message,
                ));
            })
            .ok()
    });
    let self_serve = raw.self_serve.as_deref().and_then(|link| {
        if is_safe_link(link) {
            Some(link.to_owned())
        } else {
            diagnostics.push(Diagnostic::error(
                path,
                front.position_of("self_serve"),
                format!(
                    "`self_serve: {link}` must be an http(s) URL or a site path starting with `/`"
                ),
            ));
            None
        }
    });
    if requires.is_empty() {
        diagnostics.push(Diagnostic::warning(
            path,
            front.position_of("requires"),
            "this resource requires no training path, so every signed-in learner is qualified; add `requires: [path-id]`",
        ));
    }
    Detail::Resource(ResourceDef {
        requires,
        valid_for,
        self_serve,
    })
}

fn is_safe_link(link: &str) -> bool {
    let lower = link.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || (lower.starts_with('/') && !lower.starts_with("//"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_specific_key_is_accepted_by_some_kind_and_named_as_before() {
        for (key, _) in kind_specific_keys(&RawFrontMatter::default()) {
            assert!(!kinds_accepting(key).is_empty(), "{key}");
        }
        assert_eq!(kinds_accepting("pass"), "modules");
        assert_eq!(kinds_accepting("modules"), "paths");
        assert_eq!(kinds_accepting("requires"), "paths and resources");
        assert_eq!(kinds_accepting("self_serve"), "resources");
    }
}
