//! The last step of the content flow under `--watch`: a watcher thread applies each batch of
//! content changes to the [`ContentState`], builds the next [`Snapshot`] and swaps it in
//! whole, and remembers which pages each update touched so open pages can ask whether to
//! reload (the web layer only answers that question and starts the thread).

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::{Changes, ContentState};
use crate::model::diagnostic::Diagnostic;
use crate::snapshot::{CurrentSnapshot, Snapshot};
use crate::source::ContentRoot;
use crate::source::watch::{ChangeBatch, ContentWatcher};

/// How many updates are remembered for open pages; a page older than that reloads.
const LOG_LEN: usize = 256;

/// One applied update: its generation and the pages it touched (`None`: every page).
#[derive(Debug, Clone)]
struct LoggedUpdate {
    generation: u64,
    urls: Option<BTreeSet<String>>,
}

/// The watcher's state: the content it updates and the log of recent updates.
#[derive(Debug)]
pub struct LiveState {
    content: Mutex<ContentState>,
    log: Mutex<VecDeque<LoggedUpdate>>,
}

impl LiveState {
    /// Wraps the content state the first snapshot was built from.
    pub fn new(content: ContentState) -> Self {
        Self {
            content: Mutex::new(content),
            log: Mutex::new(VecDeque::new()),
        }
    }

    /// Applies one batch and swaps in the next snapshot. Returns what changed.
    pub fn apply(&self, batch: ChangeBatch, current: &CurrentSnapshot) -> Changes {
        let started = Instant::now();
        let mut content = self.content.lock().unwrap_or_else(PoisonError::into_inner);
        let changes = match batch {
            ChangeBatch::Paths(paths) => content.apply(&paths),
            ChangeBatch::Rescan => match ContentState::load_root(content.root().clone()) {
                Ok(fresh) => {
                    *content = fresh;
                    Changes {
                        site_wide: true,
                        ..Changes::default()
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "could not read the content folder again; keeping the current site");
                    return Changes::default();
                }
            },
        };
        if changes.is_empty() {
            return changes;
        }
        let read_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut site_ms = 0.0;
        let mut generation = 0;
        let mut problems = ProblemChanges::default();
        current.update(|previous| {
            let mut site = content.site_after(&previous.site, &changes);
            site.generation = previous.site.generation + 1;
            generation = site.generation;
            problems = ProblemChanges::between(&previous.site.diagnostics, &site.diagnostics);
            site_ms = started.elapsed().as_secs_f64() * 1000.0 - read_ms;
            Snapshot::next(previous, site)
        });
        drop(content);
        let urls = if changes.site_wide {
            None
        } else {
            Some(
                changes
                    .upserted
                    .iter()
                    .chain(&changes.flagged)
                    .map(|d| d.url())
                    .collect(),
            )
        };
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.push_back(LoggedUpdate { generation, urls });
        while log.len() > LOG_LEN {
            log.pop_front();
        }
        tracing::info!(
            generation,
            upserted = changes.upserted.len(),
            removed = changes.removed.len(),
            site_wide = changes.site_wide,
            read_ms,
            site_ms,
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "content updated"
        );
        problems.log();
        changes
    }

    /// True when a page at `url` rendered at generation `since` is out of date.
    pub fn page_changed(&self, url: &str, since: u64) -> bool {
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        if log
            .front()
            .is_some_and(|first| first.generation > since + 1)
        {
            return true;
        }
        log.iter()
            .filter(|u| u.generation > since)
            .any(|u| u.urls.as_ref().is_none_or(|urls| urls.contains(url)))
    }
}

/// The problems an update brought and how many it cleared, so an author running `serve
/// --watch` reads in the terminal what `check` would print, without the unchanged ones again.
#[derive(Debug, Default, PartialEq)]
struct ProblemChanges {
    new: Vec<Diagnostic>,
    fixed: usize,
}

impl ProblemChanges {
    fn between(before: &[Diagnostic], after: &[Diagnostic]) -> Self {
        let old: HashSet<&Diagnostic> = before.iter().collect();
        let now: HashSet<&Diagnostic> = after.iter().collect();
        Self {
            new: after.iter().filter(|d| !old.contains(d)).cloned().collect(),
            fixed: before.iter().filter(|d| !now.contains(d)).count(),
        }
    }

    /// One log line per new problem, as `PATH:LINE:COL: error: MESSAGE`.
    fn log(&self) {
        for problem in &self.new {
            if problem.is_error() {
                tracing::error!("{problem}");
            } else {
                tracing::warn!("{problem}");
            }
        }
        if self.fixed > 0 {
            tracing::info!(fixed = self.fixed, "content problems fixed");
        }
    }
}

/// Starts the watcher thread over `root`, applying each batch to `live` and storing the next
/// snapshot in `current`. The thread ends when the watcher stops.
pub fn spawn_watcher(
    live: Arc<LiveState>,
    root: &ContentRoot,
    current: Arc<CurrentSnapshot>,
) -> notify::Result<()> {
    let watcher = ContentWatcher::start_root(root)?;
    std::thread::Builder::new()
        .name("content-watcher".into())
        .spawn(move || {
            while let Some(batch) = watcher.next_batch() {
                live.apply(batch, &current);
            }
        })
        .map_err(notify::Error::io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::Position;

    #[test]
    fn only_problems_the_update_brought_are_listed() {
        let kept = Diagnostic::error("a.md", Position::new(3, 1), "kept");
        let fixed = Diagnostic::warning("b.md", Position::START, "fixed");
        let new = Diagnostic::error("c.md", Position::new(2, 5), "new");
        let changes = ProblemChanges::between(&[kept.clone(), fixed], &[kept, new.clone()]);
        assert_eq!(
            changes,
            ProblemChanges {
                new: vec![new],
                fixed: 1
            }
        );
        assert_eq!(changes.new[0].to_string(), "c.md:2:5: error: new");
    }
}
