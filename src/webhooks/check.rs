//! The qualification check thread: judges learners × resources and announces what changed.
//! When someone passes a module (it watches the newest pass's id, so a pass on any replica
//! counts, within a poll) it re-judges the learners who passed; when the site changes (a
//! module's version raised) and at least every [`super::Timing::check_every`], for lapses that
//! no event marks, it judges everyone.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use time::OffsetDateTime;

use super::{Timing, sleep_unless_stopped, standings};
use crate::model::Site;
use crate::qualify::matrix::{Catalog, matrix, matrix_of};
use crate::records::{User, UserId};
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
                let full = seen_site.as_ref().is_none_or(|s| !Arc::ptr_eq(s, &site))
                    || last_full.is_none_or(|t| t.elapsed() >= timing.check_every);
                let scope = match (full, seen_pass) {
                    (true, _) | (false, None) => Some(Scope::Everyone),
                    (false, Some(seen)) if seen != pass => Some(Scope::PassedSince(seen)),
                    _ => None,
                };
                if let Some(scope) = scope {
                    match check_now(&store, &site, scope, pass, OffsetDateTime::now_utc()) {
                        Ok(_) => {
                            seen_pass = Some(pass);
                            if scope == Scope::Everyone {
                                seen_site = Some(site);
                                last_full = Some(Instant::now());
                            }
                        }
                        Err(error) => {
                            tracing::warn!("webhooks: qualification check failed: {error}");
                        }
                    }
                }
                sleep_unless_stopped(&stop, timing.poll);
            }
        })?;
    Ok(())
}

/// Whom a check judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every learner (lapses, a site change, the first check).
    Everyone,
    /// The learners with a pass newer than this one's id: after new passes, only their
    /// statuses can have changed, so the others are not read.
    PassedSince(i64),
}

/// One check at `now`, judged with passes up to `pass_id`; how many messages it queued
/// (`None`: another replica had checked with fresher data).
pub fn check_now(
    store: &Store,
    site: &Site,
    scope: Scope,
    pass_id: i64,
    now: OffsetDateTime,
) -> crate::store::Result<Option<usize>> {
    let catalog = Catalog::of(site);
    let expiring_days = site.config.expiring_days;
    let matrix = match scope {
        Scope::Everyone => matrix_of(store, &catalog, now, expiring_days)?,
        Scope::PassedSince(seen) => {
            let who: HashSet<UserId> = store.learners_passed_since(seen)?.into_iter().collect();
            let users: Vec<User> = store
                .list_users()?
                .into_iter()
                .filter(|u| who.contains(&u.id))
                .collect();
            let mut passes = Vec::new();
            for user in &users {
                passes.extend(store.passes_for_user(user.id)?);
            }
            matrix(&catalog, &users, &passes, now, expiring_days)
        }
    };
    store.announce_standings(pass_id, now, |announced, _baseline| {
        standings::changes(&matrix, announced)
    })
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;
    use crate::qualify::test_support::sample_site;
    use crate::records::{NewAttempt, UserName};
    use crate::store::test_support::stores;

    fn pass(store: &Store, user: UserId, module: &str, version: u32, at: OffsetDateTime) {
        let attempt = NewAttempt {
            module_version: version,
            ..NewAttempt::sample(user, module, true)
        };
        store.record_attempt_at(&attempt, at).expect("pass");
    }

    fn events(store: &Store) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = store
            .webhook_deliveries(None, 100)
            .expect("log")
            .into_iter()
            .map(|d| {
                let body: serde_json::Value = serde_json::from_str(&d.payload).expect("JSON");
                let who = format!("{}/{}", body["data"]["learner"], body["data"]["resource"]);
                (d.event, who.replace('"', ""))
            })
            .collect();
        all.sort();
        all
    }

    #[test]
    fn checks_announce_grants_lapses_and_only_changes() {
        for (store, _db) in stores() {
            let site = sample_site();
            let t0 = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
            let ada = store
                .create_user(&UserName::parse("ada").expect("name"), false, None)
                .expect("ada");
            let bob = store
                .create_user(&UserName::parse("bob").expect("name"), false, None)
                .expect("bob");
            // Bob was qualified before webhooks: the baseline records it without a message.
            pass(&store, bob.id, "a", 1, t0);
            let check = |scope, at| {
                let pass_id = store.latest_pass_id().expect("pass id");
                check_now(&store, &site, scope, pass_id, at).expect("check")
            };
            assert_eq!(check(Scope::Everyone, t0), Some(0));
            let seen = store.latest_pass_id().expect("pass id");

            // Ada finishes both paths: only she is re-judged, and both grants are sent.
            for (module, version) in [("a", 1), ("b", 2), ("c", 1)] {
                pass(&store, ada.id, module, version, t0 + Duration::minutes(1));
            }
            assert_eq!(
                check(Scope::PassedSince(seen), t0 + Duration::minutes(2)),
                Some(2)
            );
            assert_eq!(check(Scope::Everyone, t0 + Duration::minutes(3)), Some(0));
            // `db` lapses 100 days after the passes: expiring within 30 days, then expired.
            assert_eq!(check(Scope::Everyone, t0 + Duration::days(75)), Some(1));
            assert_eq!(check(Scope::Everyone, t0 + Duration::days(101)), Some(1));
            assert_eq!(
                events(&store),
                vec![
                    ("qualification.expired".into(), "ada/db".into()),
                    ("qualification.expiring".into(), "ada/db".into()),
                    ("qualification.granted".into(), "ada/db".into()),
                    ("qualification.granted".into(), "ada/ns".into()),
                ]
            );
        }
    }
}
