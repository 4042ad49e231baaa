//! The qualification check thread: judges every learner × resource and announces what
//! changed. It runs when someone passes a module (it watches the newest pass's id, so a pass
//! on any replica counts, within a poll), when the site changes (a module's version raised),
//! and at least every [`super::Timing::check_every`], for lapses that no event marks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use time::OffsetDateTime;

use super::{Timing, sleep_unless_stopped, standings};
use crate::model::Site;
use crate::qualify::matrix::{Catalog, matrix_of};
use crate::snapshot::CurrentSnapshot;
use crate::store::Store;

/// Starts the thread.
pub(super) fn spawn(
    store: Store,
    snapshot: Arc<CurrentSnapshot>,
    timing: Timing,
    stop: Arc<AtomicBool>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("webhook-check".into())
        .spawn(move || {
            let mut seen_pass = None;
            let mut seen_site: Option<Arc<Site>> = None;
            let mut last_full: Option<Instant> = None;
            while !stop.load(Ordering::Relaxed) {
                let site = Arc::clone(&snapshot.load().site);
                let pass = match store.latest_pass_id() {
                    Ok(pass) => pass,
                    Err(error) => {
                        tracing::warn!("webhooks: cannot read the newest pass: {error}");
                        sleep_unless_stopped(&stop, timing.poll);
                        continue;
                    }
                };
                let due = seen_pass != Some(pass)
                    || seen_site.as_ref().is_none_or(|s| !Arc::ptr_eq(s, &site))
                    || last_full.is_none_or(|t| t.elapsed() >= timing.check_every);
                if due {
                    match check_now(&store, &site, pass, OffsetDateTime::now_utc()) {
                        Ok(_) => {
                            seen_pass = Some(pass);
                            seen_site = Some(site);
                            last_full = Some(Instant::now());
                        }
                        Err(error) => {
                            tracing::warn!("webhooks: qualification check failed: {error}")
                        }
                    }
                }
                sleep_unless_stopped(&stop, timing.poll);
            }
        })?;
    Ok(())
}

/// One check at `now`, judged with passes up to `pass_id`; how many messages it queued
/// (`None`: another replica had checked with fresher data).
pub fn check_now(
    store: &Store,
    site: &Site,
    pass_id: i64,
    now: OffsetDateTime,
) -> crate::store::Result<Option<usize>> {
    let catalog = Catalog::of(site);
    let matrix = matrix_of(store, &catalog, now, site.config.expiring_days)?;
    store.announce_standings(pass_id, now, |announced, _baseline| {
        standings::changes(&matrix, announced)
    })
}
