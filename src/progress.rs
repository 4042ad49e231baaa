//! Where a learner stands: (site, their stored attempts) → each module's state, each path's
//! progress, and what to do next. Pure, like [`crate::grade`] and [`crate::qualify`].
//!
//! A module is *passed* when some attempt passed it at its current `version`; *passed at an
//! older version* when only earlier versions were passed (the author raised the version, so
//! the learner must retake it); *failed* when attempted without a pass; else *not started*.

use std::collections::HashMap;

use time::OffsetDateTime;

use crate::model::{DocId, Document, Kind, Site};
use crate::records::Attempt;

/// One module's state for one learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModuleState {
    /// Never attempted.
    NotStarted,
    /// Attempted, never passed.
    Failed,
    /// Passed at the current version.
    Passed,
    /// Passed only at an older version: take it again.
    PassedOlder,
}

impl ModuleState {
    /// The words pages show.
    pub fn label(self) -> &'static str {
        match self {
            ModuleState::NotStarted => "not started",
            ModuleState::Failed => "failed",
            ModuleState::Passed => "passed",
            ModuleState::PassedOlder => "passed an older version",
        }
    }

    /// A class-safe name (`state-passed`).
    pub fn slug(self) -> &'static str {
        match self {
            ModuleState::NotStarted => "not-started",
            ModuleState::Failed => "failed",
            ModuleState::Passed => "passed",
            ModuleState::PassedOlder => "outdated",
        }
    }
}

/// One module of a path, for one learner.
#[derive(Debug, Clone)]
pub struct ModuleProgress<'a> {
    /// The id the path names.
    pub id: &'a DocId,
    /// The module, when it exists.
    pub doc: Option<&'a Document>,
    /// The learner's state.
    pub state: ModuleState,
    /// The best score at the current version.
    pub best_score: Option<u8>,
    /// When it was last attempted (any version).
    pub last_attempt: Option<OffsetDateTime>,
}

/// One path, for one learner.
#[derive(Debug, Clone)]
pub struct PathProgress<'a> {
    /// The path document.
    pub path: &'a Document,
    /// Its modules in order.
    pub modules: Vec<ModuleProgress<'a>>,
    /// Modules passed at their current version.
    pub passed: usize,
    /// Modules that exist.
    pub total: usize,
    /// Required paths not yet complete (or missing).
    pub unmet: Vec<&'a DocId>,
    /// When the path is complete: the resources it counts towards, each with the paths they
    /// still wait on (none: the learner may request it now). Empty while incomplete.
    pub opens: Vec<Opening<'a>>,
}

/// A resource a completed path counts towards.
#[derive(Debug, Clone)]
pub struct Opening<'a> {
    /// The resource.
    pub resource: &'a Document,
    /// Other paths it requires that the learner has not completed (prerequisites included).
    pub waiting_on: Vec<&'a Document>,
}

impl Opening<'_> {
    /// True when nothing else is required: the learner may request the resource now.
    pub fn ready(&self) -> bool {
        self.waiting_on.is_empty()
    }
}

impl<'a> PathProgress<'a> {
    /// True when every module is passed at its current version.
    pub fn complete(&self) -> bool {
        self.passed == self.total
    }

    /// True when some module was attempted.
    pub fn started(&self) -> bool {
        self.modules
            .iter()
            .any(|m| m.state != ModuleState::NotStarted)
    }

    /// Percent of modules passed.
    pub fn percent(&self) -> usize {
        (self.passed * 100).checked_div(self.total).unwrap_or(100)
    }

    /// The first module still to pass.
    pub fn next_module(&self) -> Option<&ModuleProgress<'a>> {
        self.modules
            .iter()
            .find(|m| m.doc.is_some() && m.state != ModuleState::Passed)
    }
}

/// A learner's attempts grouped by module, for repeated lookups.
#[derive(Debug, Default)]
pub struct Record<'a> {
    by_module: HashMap<&'a str, Vec<&'a Attempt>>,
}

impl<'a> Record<'a> {
    /// Indexes attempts (any order).
    pub fn new(attempts: &'a [Attempt]) -> Self {
        let mut by_module: HashMap<&str, Vec<&Attempt>> = HashMap::new();
        for attempt in attempts {
            by_module
                .entry(attempt.module_id.as_str())
                .or_default()
                .push(attempt);
        }
        Self { by_module }
    }

    /// A module's state at its current `version`.
    pub fn module<'s>(&self, id: &'s DocId, doc: Option<&'s Document>) -> ModuleProgress<'s> {
        let attempts = self
            .by_module
            .get(id.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let version = doc.and_then(|d| d.module()).map(|m| m.version);
        let current = |a: &&&Attempt| Some(a.module_version) == version;
        let best_score = attempts.iter().filter(current).map(|a| a.score).max();
        let state = if attempts.iter().filter(current).any(|a| a.passed) {
            ModuleState::Passed
        } else if attempts.iter().any(|a| a.passed) {
            ModuleState::PassedOlder
        } else if attempts.is_empty() {
            ModuleState::NotStarted
        } else {
            ModuleState::Failed
        };
        ModuleProgress {
            id,
            doc,
            state,
            best_score,
            last_attempt: attempts.iter().map(|a| a.created_at).max(),
        }
    }

    /// A path's progress, including whether its prerequisites are complete.
    pub fn path<'s>(&self, site: &'s Site, path: &'s Document) -> PathProgress<'s> {
        let (modules, passed, total) = self.modules_of(site, path);
        let unmet = path
            .path_def()
            .map(|def| {
                def.requires
                    .iter()
                    .filter(|req| {
                        site.get(req)
                            .filter(|d| d.kind == Kind::Path)
                            .is_none_or(|d| {
                                let (_, passed, total) = self.modules_of(site, d);
                                passed < total
                            })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let opens = if passed == total {
            self.openings(site, path)
        } else {
            Vec::new()
        };
        PathProgress {
            path,
            modules,
            passed,
            total,
            unmet,
            opens,
        }
    }

    /// The resources whose requirements include `path` (directly or as a prerequisite of a
    /// path they require), with the required paths this learner has not completed.
    fn openings<'s>(&self, site: &'s Site, path: &'s Document) -> Vec<Opening<'s>> {
        site.of_kind(Kind::Resource)
            .filter_map(|resource| {
                let req = crate::qualify::Requirements::of(site, &resource.id)?;
                if !req.paths.contains(&path.id) {
                    return None;
                }
                let waiting_on = req
                    .paths
                    .iter()
                    .filter(|id| **id != path.id)
                    .filter_map(|id| site.get(id).map(AsRef::as_ref))
                    .filter(|other| {
                        let (_, passed, total) = self.modules_of(site, other);
                        passed < total
                    })
                    .collect();
                Some(Opening {
                    resource: resource.as_ref(),
                    waiting_on,
                })
            })
            .collect()
    }

    fn modules_of<'s>(
        &self,
        site: &'s Site,
        path: &'s Document,
    ) -> (Vec<ModuleProgress<'s>>, usize, usize) {
        let modules: Vec<ModuleProgress<'s>> = path
            .path_def()
            .map(|def| {
                def.modules
                    .iter()
                    .map(|id| {
                        let doc = site
                            .get(id)
                            .map(AsRef::as_ref)
                            .filter(|d| d.module().is_some());
                        self.module(id, doc)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let total = modules.iter().filter(|m| m.doc.is_some()).count();
        let passed = modules
            .iter()
            .filter(|m| m.doc.is_some() && m.state == ModuleState::Passed)
            .count();
        (modules, passed, total)
    }
}

/// The paths a learner took up (some module of it attempted): unfinished ones first, then
/// completed ones; and the next module to take in one of them.
///
/// Paths the learner never touched are left out, and so is a next step in them: the site's
/// order of paths is not the learner's choice, so "take the first module of the first path"
/// would push a path on them (pages link to the list of every path instead).
pub fn overview<'s>(
    site: &'s Site,
    record: &Record<'_>,
) -> (Vec<PathProgress<'s>>, Option<NextStep<'s>>) {
    let mut paths: Vec<PathProgress<'s>> = site
        .of_kind(Kind::Path)
        .map(|p| record.path(site, p))
        .filter(PathProgress::started)
        .collect();
    let rank = |p: &PathProgress<'_>| usize::from(p.complete());
    paths.sort_by_key(|p| rank(p));
    let next = paths
        .iter()
        .filter(|p| !p.complete() && p.unmet.is_empty())
        .find_map(|p| {
            p.next_module().and_then(|m| {
                m.doc.map(|module| NextStep {
                    path: p.path,
                    module,
                    state: m.state,
                })
            })
        });
    (paths, next)
}

/// What to do next.
#[derive(Debug, Clone, Copy)]
pub struct NextStep<'a> {
    /// The path it belongs to.
    pub path: &'a Document,
    /// The module to take.
    pub module: &'a Document,
    /// Its current state (not started, failed, or passed at an older version).
    pub state: ModuleState,
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::{Detail, PathDef};
    use crate::records::{AttemptId, UserId};

    fn doc(id: &str, kind: Kind, detail: Detail) -> Arc<Document> {
        Arc::new(Document {
            detail,
            ..Document::sample(id, kind)
        })
    }

    fn module(id: &str, version: u32) -> Arc<Document> {
        let m = crate::model::Module {
            version,
            pass_percent: 50,
            minutes: None,
            questions: vec![],
            settings: Default::default(),
        };
        doc(id, Kind::Module, Detail::Module(m))
    }

    fn path(id: &str, modules: &[&str], requires: &[&str]) -> Arc<Document> {
        let ids = |xs: &[&str]| xs.iter().map(|x| DocId::parse(x).expect("id")).collect();
        let def = PathDef {
            modules: ids(modules),
            requires: ids(requires),
        };
        doc(id, Kind::Path, Detail::Path(def))
    }

    fn site() -> Site {
        let mut site = Site::default();
        for d in [
            module("a", 1),
            module("b", 2),
            path("first", &["a", "b"], &[]),
            path("second", &["b"], &["first"]),
        ] {
            site.documents.insert(d.id.clone(), d);
        }
        site
    }

    fn attempt(module: &str, version: u32, passed: bool) -> Attempt {
        Attempt {
            id: AttemptId(0),
            user_id: UserId(1),
            module_id: module.into(),
            module_version: version,
            answers_json: "[]".into(),
            score: if passed { 100 } else { 0 },
            passed,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn states(site: &Site, attempts: &[Attempt], path_id: &str) -> Vec<ModuleState> {
        let record = Record::new(attempts);
        let p = site.get_str(path_id).expect("path");
        record
            .path(site, p)
            .modules
            .iter()
            .map(|m| m.state)
            .collect()
    }

    #[test]
    fn states_follow_the_current_version() {
        let site = site();
        assert_eq!(
            states(&site, &[], "first"),
            [ModuleState::NotStarted, ModuleState::NotStarted]
        );
        let attempts = [attempt("a", 1, false), attempt("b", 1, true)];
        assert_eq!(
            states(&site, &attempts, "first"),
            [ModuleState::Failed, ModuleState::PassedOlder]
        );
        let attempts = [
            attempt("a", 1, false),
            attempt("a", 1, true),
            attempt("b", 2, true),
        ];
        assert_eq!(
            states(&site, &attempts, "first"),
            [ModuleState::Passed, ModuleState::Passed]
        );
    }

    #[test]
    fn prerequisites_progress_and_the_next_step() {
        let site = site();
        let attempts = [attempt("b", 2, true)];
        let record = Record::new(&attempts);
        let second = record.path(&site, site.get_str("second").expect("path"));
        assert!(second.complete());
        assert_eq!(second.unmet.len(), 1, "first is not complete");
        let first = record.path(&site, site.get_str("first").expect("path"));
        assert_eq!((first.passed, first.total, first.percent()), (1, 2, 50));
        let (paths, next) = overview(&site, &record);
        assert_eq!(paths[0].path.id.as_str(), "first", "started paths first");
        let next = next.expect("a next step");
        assert_eq!(next.module.id.as_str(), "a");
        assert_eq!(next.state, ModuleState::NotStarted);
    }

    #[test]
    fn the_overview_holds_only_paths_the_learner_took_up() {
        let site = site();
        let (paths, next) = overview(&site, &Record::new(&[]));
        assert!(paths.is_empty() && next.is_none(), "nothing chosen yet");
        let attempts = [attempt("a", 1, false)];
        let (paths, next) = overview(&site, &Record::new(&attempts));
        let ids: Vec<&str> = paths.iter().map(|p| p.path.id.as_str()).collect();
        assert_eq!(ids, ["first"], "second was never touched");
        assert_eq!(next.map(|n| n.module.id.as_str()), Some("a"));
    }
}
