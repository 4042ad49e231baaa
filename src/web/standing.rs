//! The signed-in viewer's standing, for pages that are the same for every anonymous reader
//! but add progress for a learner (the home page, the list of training paths): their attempts
//! in one read, and from them each path's progress and each resource's status.

use std::collections::HashMap;

use actix_web::HttpRequest;

use super::AppState;
use super::auth::Identity;
use super::error::blocking;
use crate::model::{Kind, Site};
use crate::progress::{PathProgress, Record};
use crate::qualify::matrix::Catalog;
use crate::qualify::{History, Status, decide};
use crate::records::{Attempt, Pass};

/// The signed-in viewer's attempts; `None` for anonymous readers, and when the store cannot
/// be read (the page is still worth showing, without progress).
pub(super) async fn viewer_attempts(req: &HttpRequest, state: &AppState) -> Option<Vec<Attempt>> {
    let identity = Identity::of(req)?;
    let store = state.store.clone();
    blocking(move || store.attempts_for_user(identity.user.id))
        .await
        .ok()
}

/// The learner's progress on every path of the site.
pub(super) fn path_progress<'s>(site: &'s Site, record: &Record<'_>) -> Vec<PathProgress<'s>> {
    site.of_kind(Kind::Path)
        .map(|p| record.path(site, p))
        .collect()
}

/// The learner's status for every resource, by resource id, judged now. Passes are read from
/// the attempts already loaded, so the page costs one query.
pub(super) fn resource_statuses(site: &Site, attempts: &[Attempt]) -> HashMap<String, Status> {
    let passes: Vec<Pass> = attempts
        .iter()
        .filter(|a| a.passed)
        .map(|a| Pass {
            user_id: a.user_id,
            module_id: a.module_id.clone(),
            version: a.module_version,
            at: a.created_at,
        })
        .collect();
    let history = History::new(&passes, None);
    let now = time::OffsetDateTime::now_utc();
    Catalog::of(site)
        .resources()
        .iter()
        .map(|req| {
            let status = decide(req, &history, now, site.config.expiring_days).status;
            (req.resource.as_str().to_owned(), status)
        })
        .collect()
}
