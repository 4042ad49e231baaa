//! Applying a batch of changed paths to the content state: re-reading site.toml, removing, re-parsing and re-linking what changed.

use super::*;

impl ContentState {
    pub(super) fn apply_paths(&mut self, changed: &BTreeSet<String>) -> Changes {
        let mut changes = Changes::default();
        let mut to_build: Vec<SourceFile> = Vec::new();
        let mut removed_paths: BTreeSet<String> = BTreeSet::new();
        let mut lost_track = false;
        for rel_path in changed {
            if rel_path == "site.toml" {
                self.reload_config();
                changes.site_wide = true;
                continue;
            }
            self.problems.remove(rel_path);
            match source::read_entry(&self.root, rel_path) {
                Entry::Ignored => {}
                Entry::Missing => {
                    let known = self.paths_under(rel_path);
                    lost_track |= known.is_empty()
                        && !self.assets.contains(rel_path)
                        && may_be_content(rel_path);
                    removed_paths.extend(known);
                    if self.assets.remove(rel_path) {
                        changes.site_wide = true;
                    }
                    let prefix = format!("{rel_path}/");
                    self.assets.retain(|a| !a.starts_with(&prefix));
                    self.problems.retain(|p, _| !p.starts_with(&prefix));
                }
                Entry::Asset => {
                    // A file replacing a folder of the same name removes the folder's documents.
                    removed_paths.extend(self.paths_under(&format!("{rel_path}/")));
                    removed_paths.remove(rel_path);
                    if self.files.contains_key(rel_path) {
                        removed_paths.insert(rel_path.clone());
                    }
                    self.assets.insert(rel_path.clone());
                }
                Entry::Markdown(file) => {
                    removed_paths.extend(self.paths_under(&format!("{rel_path}/")));
                    self.assets.remove(rel_path);
                    to_build.push(file);
                }
                Entry::Folder(found) => {
                    let prefix = format!("{rel_path}/");
                    let present: HashSet<&str> =
                        found.markdown.iter().map(|f| f.rel_path.as_str()).collect();
                    removed_paths.extend(
                        self.paths_under(&prefix)
                            .into_iter()
                            .filter(|p| !present.contains(p.as_str())),
                    );
                    if self.files.contains_key(rel_path) {
                        removed_paths.insert(rel_path.clone());
                    }
                    self.assets.retain(|a| !a.starts_with(&prefix));
                    self.assets.extend(found.assets);
                    for problem in found.problems {
                        self.problems.insert(
                            problem.rel_path.clone(),
                            Diagnostic::error(&problem.rel_path, Position::START, problem.message),
                        );
                    }
                    to_build.extend(found.markdown);
                }
                Entry::Refused(problem) => {
                    // It now leads outside the content folder: left out, not kept.
                    removed_paths.extend(self.paths_under(rel_path));
                    if self.assets.remove(rel_path) {
                        changes.site_wide = true;
                    }
                    let prefix = format!("{rel_path}/");
                    self.assets.retain(|a| !a.starts_with(&prefix));
                    self.problems.retain(|p, _| !p.starts_with(&prefix));
                    self.problems.insert(
                        problem.rel_path.clone(),
                        Diagnostic::error(&problem.rel_path, Position::START, problem.message),
                    );
                }
                Entry::Problem(problem) => {
                    // Keep the last good version; surface the problem.
                    self.problems.insert(
                        problem.rel_path.clone(),
                        Diagnostic::error(&problem.rel_path, Position::START, problem.message),
                    );
                }
            }
        }

        if lost_track {
            // Content we never heard of vanished: the watcher's debouncer reports a file
            // renamed and then deleted only by its new name, so the old name's document
            // would stay served. Check every known file still exists (a stat each).
            let gone: Vec<String> = self
                .files
                .keys()
                .filter(|p| !to_build.iter().any(|f| &f.rel_path == *p))
                .filter(|p| !self.root.path().join(p.as_str()).exists())
                .cloned()
                .collect();
            removed_paths.extend(gone);
        }

        // Remove deleted files first, remembering URLs that changed.
        let mut url_changed: BTreeSet<String> = BTreeSet::new();
        for path in &removed_paths {
            if let Some(old) = self.files.remove(path) {
                self.urls.remove(path);
                url_changed.insert(path.clone());
                changes.removed.push(old.built.document.id.clone());
            }
        }

        // Re-read heads of changed files, skipping saves that changed nothing.
        let mut heads = Vec::new();
        for file in to_build {
            match loader::into_head(file) {
                Ok(head) => {
                    if self
                        .files
                        .get(&head.rel_path)
                        .is_some_and(|f| f.hash == head.content_hash && f.broken_save.is_none())
                    {
                        continue;
                    }
                    let old = self.files.get(&head.rel_path).map(|f| &f.built.document);
                    let moved = old.is_none_or(|d| d.id != head.id || d.kind != head.kind);
                    if moved {
                        url_changed.insert(head.rel_path.clone());
                        if let Some(old) = old {
                            changes.removed.push(old.id.clone());
                        }
                    }
                    heads.push(head);
                }
                Err(diag) => {
                    // Not UTF-8 and the like: keep the last good version if there is one.
                    self.problems.insert(diag.path.clone(), diag);
                }
            }
        }
        for head in &heads {
            self.urls.insert(head);
        }

        // Documents linking to a file whose URL changed are rendered again (their links).
        let rebuilt: HashSet<String> = heads.iter().map(|h| h.rel_path.clone()).collect();
        let backlinkers: Vec<String> = if url_changed.is_empty() {
            Vec::new()
        } else {
            self.files
                .iter()
                .filter(|(path, f)| {
                    !rebuilt.contains(*path)
                        && f.built
                            .links
                            .iter()
                            .any(|l| url_changed.contains(&l.target_path))
                })
                .map(|(path, _)| path.clone())
                .collect()
        };
        for path in backlinkers {
            if let Entry::Markdown(file) = source::read_entry(&self.root, &path)
                && let Ok(head) = loader::into_head(file)
            {
                heads.push(head);
            }
        }

        for head in heads {
            let rel_path = head.rel_path.clone();
            let hash = head.content_hash.clone();
            let built = loader::build_document(head, &self.urls);
            let has_errors = built.diagnostics.iter().any(Diagnostic::is_error);
            match self.files.get_mut(&rel_path) {
                Some(existing)
                    if has_errors
                        && !existing.built.diagnostics.iter().any(Diagnostic::is_error)
                        && existing.built.document.id == built.document.id =>
                {
                    existing.hash = hash;
                    existing.broken_save = Some(built.diagnostics);
                    changes.flagged.push(Arc::clone(&existing.built.document));
                }
                _ => {
                    changes.upserted.push(Arc::clone(&built.document));
                    self.files.insert(rel_path, FileState::served(built, hash));
                }
            }
        }
        if !url_changed.is_empty() {
            changes.site_wide = true;
        }
        changes
    }

    fn paths_under(&self, prefix_or_path: &str) -> Vec<String> {
        let folder = if prefix_or_path.ends_with('/') {
            prefix_or_path.to_owned()
        } else {
            format!("{prefix_or_path}/")
        };
        self.files
            .keys()
            .filter(|p| p.as_str() == prefix_or_path || p.starts_with(&folder))
            .cloned()
            .collect()
    }

    fn reload_config(&mut self) {
        self.config_diagnostics.clear();
        match source::read_site_toml(&self.root) {
            Ok(Some(bytes)) => {
                let config = loader::load_config(&bytes, &mut self.config_diagnostics);
                // A broken site.toml keeps the settings in force; the diagnostic says why.
                if !self.config_diagnostics.iter().any(Diagnostic::is_error) {
                    self.config = config;
                }
            }
            Ok(None) => self.config = SiteConfig::default(),
            Err(err) => self.config_diagnostics.push(Diagnostic::error(
                "site.toml",
                Position::START,
                format!("cannot read site.toml: {err}; the previous settings stay in force"),
            )),
        }
    }
}

/// True for a path that could have been a document or a folder of them (not an editor's
/// backup or temp file such as `page.md~`, which the walk would not have listed anyway).
fn may_be_content(rel_path: &str) -> bool {
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    source::is_markdown(name) || !name.contains('.')
}
