//! Fixed-window rate limits that every replica shares (issue 17).
//!
//! A limit kept in one process's memory lets N replicas behind a load balancer allow N times
//! as much; these counters live in the `rate_windows` table instead. Taking a slot is one
//! `INSERT … ON CONFLICT (key) DO UPDATE … RETURNING`, atomic on both backends (PostgreSQL
//! locks the conflicting row, SQLite's writer lock serialises), so no lock is taken and two
//! replicas cannot both take a key's last slot.
//!
//! Each row stores when its window ends rather than when it started, so keys with different
//! window lengths share the table and one prune (`ends_at` passed) is right for all of them.
//! Rows are transient: `migrate-store` does not copy them.

use std::sync::atomic::{AtomicU64, Ordering};

use time::OffsetDateTime;

use super::db::args;
use super::{Result, Store};

/// Every this many slots taken in a process, windows that have ended are deleted: the table
/// holds at most the live windows plus this many stale ones.
pub const PRUNE_EVERY: u64 = 256;

/// Slots taken by this process since it started (only what triggers a prune).
static TAKEN: AtomicU64 = AtomicU64::new(0);

/// The answer to [`Store::take_rate_slot`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateSlot {
    /// The window had a slot left; it is now used.
    Taken,
    /// The window is full; a slot frees up when it ends, this long from now (at least a
    /// second, so a client is never invited to retry at once).
    Full {
        /// How long until the window ends.
        retry_after: std::time::Duration,
    },
}

impl Store {
    /// Takes one of the `max` slots `key` has per `window`, counted across every process on
    /// this database. A window opens with the first slot taken after the previous one ended.
    /// Windows are counted in whole seconds.
    pub fn take_rate_slot(
        &self,
        key: &str,
        max: u32,
        window: std::time::Duration,
        now: OffsetDateTime,
    ) -> Result<RateSlot> {
        let window = time::Duration::try_from(window).unwrap_or(time::Duration::MAX);
        let ends = now.checked_add(window).unwrap_or(now);
        let prune = TAKEN.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1;
        let (count, ends_at) = self.read(|c| {
            if prune {
                c.execute("DELETE FROM rate_windows WHERE ends_at <= ?1", args![now])?;
            }
            // A refused take still counts (the window does not move), which keeps this one
            // statement; the count only ever decides "over `max` or not".
            let row = c.query_one(
                "INSERT INTO rate_windows (key, count, ends_at) VALUES (?1, 1, ?2)
                 ON CONFLICT (key) DO UPDATE SET
                     count = CASE WHEN rate_windows.ends_at > ?3
                                  THEN rate_windows.count + 1 ELSE 1 END,
                     ends_at = CASE WHEN rate_windows.ends_at > ?3
                                    THEN rate_windows.ends_at ELSE ?2 END
                 RETURNING count, ends_at",
                args![key, ends, now],
            )?;
            Ok((row.get::<i64>(0)?, row.get::<OffsetDateTime>(1)?))
        })?;
        if count <= i64::from(max) {
            return Ok(RateSlot::Taken);
        }
        let left = (ends_at - now).max(time::Duration::SECOND);
        Ok(RateSlot::Full {
            retry_after: std::time::Duration::try_from(left)
                .unwrap_or(std::time::Duration::from_secs(1)),
        })
    }

    /// Deletes the windows that ended at or before `now`; how many there were.
    pub fn prune_rate_windows(&self, now: OffsetDateTime) -> Result<u64> {
        self.read(|c| Ok(c.execute("DELETE FROM rate_windows WHERE ends_at <= ?1", args![now])?))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::store::test_support::stores;

    const MINUTE: Duration = Duration::from_secs(60);

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time")
    }

    fn at(seconds: i64) -> OffsetDateTime {
        t0() + time::Duration::seconds(seconds)
    }

    #[test]
    fn the_limit_holds_within_a_window_and_restarts_after_it() {
        for (store, _db) in stores() {
            for i in 0..3 {
                assert_eq!(
                    store.take_rate_slot("k:a", 3, MINUTE, at(i)).expect("take"),
                    RateSlot::Taken,
                    "slot {i}"
                );
            }
            assert_eq!(
                store
                    .take_rate_slot("k:a", 3, MINUTE, at(20))
                    .expect("take"),
                RateSlot::Full {
                    retry_after: Duration::from_secs(40)
                }
            );
            assert_eq!(
                store
                    .take_rate_slot("k:b", 3, MINUTE, at(20))
                    .expect("take"),
                RateSlot::Taken,
                "other keys are not affected"
            );
            assert_eq!(
                store
                    .take_rate_slot("k:a", 3, MINUTE, at(59))
                    .expect("take"),
                RateSlot::Full {
                    retry_after: Duration::from_secs(1)
                }
            );
            // The window ends at t0 + 60 s: the next take opens a new one with one slot used.
            assert_eq!(
                store
                    .take_rate_slot("k:a", 3, MINUTE, at(60))
                    .expect("take"),
                RateSlot::Taken
            );
            for _ in 0..2 {
                store
                    .take_rate_slot("k:a", 3, MINUTE, at(61))
                    .expect("take");
            }
            assert_eq!(
                store
                    .take_rate_slot("k:a", 3, MINUTE, at(62))
                    .expect("take"),
                RateSlot::Full {
                    retry_after: Duration::from_secs(58)
                }
            );
        }
    }

    #[test]
    fn ended_windows_are_pruned() {
        for (store, _db) in stores() {
            store.take_rate_slot("k:a", 3, MINUTE, at(0)).expect("take");
            store
                .take_rate_slot("k:b", 3, Duration::from_secs(600), at(0))
                .expect("take");
            assert_eq!(store.prune_rate_windows(at(59)).expect("prune"), 0);
            assert_eq!(store.prune_rate_windows(at(60)).expect("prune"), 1);
            let left: i64 = store
                .read(|c| Ok(c.query_value("SELECT COUNT(*) FROM rate_windows", &[])?))
                .expect("count");
            assert_eq!(left, 1, "the longer window stays");
        }
    }

    #[test]
    fn two_stores_on_one_database_share_the_limit() {
        for (store, db) in stores() {
            let other = db.open().expect("a second store on the same database");
            for i in 0..4 {
                let one = if i % 2 == 0 { &store } else { &other };
                assert_eq!(
                    one.take_rate_slot("k:a", 4, MINUTE, at(i)).expect("take"),
                    RateSlot::Taken
                );
            }
            for one in [&store, &other] {
                assert!(matches!(
                    one.take_rate_slot("k:a", 4, MINUTE, at(5)).expect("take"),
                    RateSlot::Full { .. }
                ));
            }
        }
    }

    #[test]
    fn concurrent_takers_never_exceed_the_limit() {
        const MAX: u32 = 10;
        for (store, db) in stores() {
            let other = db.open().expect("a second store on the same database");
            let stores = [Arc::new(store), Arc::new(other)];
            let threads: Vec<_> = (0..8)
                .map(|i| {
                    let store = Arc::clone(&stores[i % 2]);
                    std::thread::spawn(move || {
                        (0..5)
                            .filter(|_| {
                                store
                                    .take_rate_slot("k:race", MAX, MINUTE, at(0))
                                    .expect("take")
                                    == RateSlot::Taken
                            })
                            .count()
                    })
                })
                .collect();
            let taken: usize = threads.into_iter().map(|t| t.join().expect("thread")).sum();
            assert_eq!(taken, MAX as usize, "40 tries, {MAX} slots");
        }
    }
}
