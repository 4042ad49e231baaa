//! Quiz attempts: every submission is kept, and passes feed qualification.
//!
//! An attempt is acknowledged only after its transaction commits, so an attempt the learner
//! saw graded survives a crash of the server a moment later.

use time::OffsetDateTime;

use super::accounts::UserId;
use super::db::{Conn, DbResult, Row, Value, args};
use super::{Result, Store, StoreError};
pub use crate::records::{Attempt, AttemptId, Gated, NewAttempt, Pass};

const ATTEMPT_COLUMNS: &str =
    "id, user_id, module_id, module_version, answers, score, passed, created_at";

fn attempt_from_row(r: &Row) -> DbResult<Attempt> {
    Ok(Attempt {
        id: AttemptId(r.get(0)?),
        user_id: UserId(r.get(1)?),
        module_id: r.get(2)?,
        module_version: r.get(3)?,
        answers_json: r.get(4)?,
        score: r.get(5)?,
        passed: r.get(6)?,
        created_at: r.get(7)?,
    })
}

fn recent_results(
    conn: &mut dyn Conn,
    user_id: UserId,
    module_id: &str,
    limit: usize,
) -> DbResult<Vec<(OffsetDateTime, bool)>> {
    conn.query_map(
        "SELECT created_at, passed FROM attempts WHERE user_id = ?1 AND module_id = ?2
         ORDER BY created_at DESC, id DESC LIMIT ?3",
        args![user_id.0, module_id, limit],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// How many of a learner's latest results the retry gate reads first. The wait depends on
/// nothing older than the last pass, so when these hold a pass (the usual case) they are
/// enough; only a longer run of failures is read again, in full.
const FIRST_LOOK: usize = 8;

/// A learner's latest results at one module, newest first, back to the last pass (or
/// `limit` of them when there is none): what the retry wait is worked out from.
fn results_since_last_pass(
    conn: &mut dyn Conn,
    user_id: UserId,
    module_id: &str,
    limit: usize,
) -> DbResult<Vec<(OffsetDateTime, bool)>> {
    let first = recent_results(conn, user_id, module_id, limit.min(FIRST_LOOK))?;
    let complete = first.len() < FIRST_LOOK || first.iter().any(|&(_, passed)| passed);
    if complete || limit <= FIRST_LOOK {
        return Ok(first);
    }
    recent_results(conn, user_id, module_id, limit)
}

fn pass_from_row(r: &Row) -> DbResult<Pass> {
    Ok(Pass {
        user_id: UserId(r.get(0)?),
        module_id: r.get(1)?,
        version: r.get(2)?,
        at: r.get(3)?,
    })
}

/// Refuses a score no grading can produce.
pub(super) fn check_score(attempt: &NewAttempt<'_>) -> Result<()> {
    if attempt.score > 100 {
        return Err(StoreError::Invalid(
            "a score must be between 0 and 100".into(),
        ));
    }
    Ok(())
}

/// The one INSERT of a graded attempt (inside the caller's transaction, if any).
pub(super) fn insert_attempt(
    conn: &mut dyn Conn,
    attempt: &NewAttempt<'_>,
    at: OffsetDateTime,
) -> DbResult<AttemptId> {
    conn.query_value(
        "INSERT INTO attempts (user_id, module_id, module_version, answers, score, passed, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        args![
            attempt.user_id.0,
            attempt.module_id,
            attempt.module_version,
            attempt.answers_json,
            attempt.score,
            attempt.passed,
            at,
        ],
    )
    .map(AttemptId)
}

impl Store {
    /// Stores a graded attempt, time-stamped now; returns once it is committed.
    pub fn record_attempt(&self, attempt: &NewAttempt<'_>) -> Result<AttemptId> {
        self.record_attempt_at(attempt, OffsetDateTime::now_utc())
    }

    /// Stores a graded attempt with an explicit time (imports and tests of expiry).
    pub fn record_attempt_at(
        &self,
        attempt: &NewAttempt<'_>,
        at: OffsetDateTime,
    ) -> Result<AttemptId> {
        check_score(attempt)?;
        if serde_json::from_str::<serde_json::Value>(attempt.answers_json).is_err() {
            return Err(StoreError::Invalid("the answers are not valid JSON".into()));
        }
        // One statement commits on its own: on SQLite it takes the write lock as it starts
        // (honouring the busy timeout), on PostgreSQL it is one round trip.
        self.read(|c| Ok(insert_attempt(c, attempt, at)?))
    }

    /// Stores a graded attempt only if `gate` allows it given the learner's latest attempts at
    /// the module (newest first, back to the last pass and at most `history` of them, as
    /// `(time, passed)`), and, for a
    /// handed-out attempt, only if that hand-out is still unused (it is marked used in the same
    /// transaction, so two concurrent posts of one hand-out cannot both count). The check and
    /// the insert share one write transaction that holds the learner's lock on the module,
    /// so parallel posts (to any replica) cannot slip past a wait.
    pub fn record_attempt_gated<E: Send>(
        &self,
        attempt: &NewAttempt<'_>,
        handout: Option<&str>,
        history: usize,
        at: OffsetDateTime,
        gate: impl FnOnce(&[(OffsetDateTime, bool)]) -> std::result::Result<(), E> + Send,
    ) -> Result<Gated<E>> {
        check_score(attempt)?;
        self.write(|tx| {
            tx.lock(&format!(
                "attempts:{}:{}",
                attempt.user_id.0, attempt.module_id
            ))?;
            let past = results_since_last_pass(tx, attempt.user_id, attempt.module_id, history)?;
            if let Err(refusal) = gate(&past) {
                return Ok(Gated::Refused(refusal));
            }
            if let Some(id) = handout {
                let marked = tx.execute(
                    "UPDATE quiz_handouts SET used_at = ?1
                     WHERE id = ?2 AND user_id = ?3 AND module_id = ?4 AND used_at IS NULL",
                    args![at, id, attempt.user_id.0, attempt.module_id],
                )?;
                if marked != 1 {
                    return Ok(Gated::HandoutUsed);
                }
            }
            Ok(Gated::Stored(insert_attempt(tx, attempt, at)?))
        })
    }

    /// A learner's latest results at one module, newest first, at most `limit`: what the
    /// retry wait is worked out from.
    pub fn recent_results(
        &self,
        user_id: UserId,
        module_id: &str,
        limit: usize,
    ) -> Result<Vec<(OffsetDateTime, bool)>> {
        self.read(|c| Ok(recent_results(c, user_id, module_id, limit)?))
    }

    /// A learner's attempts, newest first.
    pub fn attempts_for_user(&self, user_id: UserId) -> Result<Vec<Attempt>> {
        self.attempts_where("user_id = ?1", Value::from(user_id.0))
    }

    /// All attempts at a module, newest first.
    pub fn attempts_for_module(&self, module_id: &str) -> Result<Vec<Attempt>> {
        self.attempts_where("module_id = ?1", Value::from(module_id))
    }

    fn attempts_where(&self, condition: &str, value: Value) -> Result<Vec<Attempt>> {
        let sql = format!(
            "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE {condition} ORDER BY created_at DESC, id DESC"
        );
        self.read(|c| Ok(c.query_map(&sql, &[value], attempt_from_row)?))
    }

    /// One attempt by its id (a results page reads it back; the caller checks whose it is).
    pub fn attempt(&self, id: AttemptId) -> Result<Option<Attempt>> {
        let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE id = ?1");
        self.read(|c| {
            Ok(c.query_opt(&sql, args![id.0])?
                .as_ref()
                .map(attempt_from_row)
                .transpose()?)
        })
    }

    /// A learner's most recent attempt at a module.
    pub fn latest_attempt(&self, user_id: UserId, module_id: &str) -> Result<Option<Attempt>> {
        let sql = format!(
            "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE user_id = ?1 AND module_id = ?2
             ORDER BY created_at DESC, id DESC LIMIT 1"
        );
        self.read(|c| {
            Ok(c.query_opt(&sql, args![user_id.0, module_id])?
                .as_ref()
                .map(attempt_from_row)
                .transpose()?)
        })
    }

    /// Every pass of one learner, by module, version and time, read from the covering
    /// index alone (in its order, so without a sort).
    pub fn passes_for_user(&self, user_id: UserId) -> Result<Vec<Pass>> {
        self.read(|c| {
            Ok(c.query_map(
                "SELECT user_id, module_id, module_version, created_at FROM attempts
                 WHERE passed = 1 AND user_id = ?1
                 ORDER BY module_id, module_version, created_at, id",
                args![user_id.0],
                pass_from_row,
            )?)
        })
    }

    /// Every pass of everyone, in index order, for the qualification matrix. Passes
    /// are few next to attempts (people stop retaking a module once they pass it), and
    /// keeping each one lets qualification answer "as of" a past date.
    pub fn all_passes(&self) -> Result<Vec<Pass>> {
        self.read(|c| {
            Ok(c.query_map(
                "SELECT user_id, module_id, module_version, created_at FROM attempts
                 WHERE passed = 1
                 ORDER BY user_id, module_id, module_version, created_at, id",
                &[],
                pass_from_row,
            )?)
        })
    }

    /// Number of stored attempts (for health pages and tests).
    pub fn attempt_count(&self) -> Result<u64> {
        self.read(|c| Ok(c.query_value("SELECT COUNT(*) FROM attempts", &[])?))
    }
}

impl crate::records::LearnerRecords for Store {
    type Error = StoreError;

    fn learners(&self) -> Result<Vec<crate::records::User>> {
        self.list_users()
    }

    fn all_passes(&self) -> Result<Vec<Pass>> {
        Store::all_passes(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::UserName;
    use crate::store::test_support::{store, stores};
    use std::sync::Arc;
    use time::Duration;

    fn user(store: &Store, n: &str) -> UserId {
        let name = UserName::parse(n).expect("name");
        store.create_user(&name, false, None).expect("user").id
    }

    fn attempt(user_id: UserId, module_id: &str, version: u32, passed: bool) -> NewAttempt<'_> {
        NewAttempt {
            module_version: version,
            ..NewAttempt::sample(user_id, module_id, passed)
        }
    }

    #[test]
    fn attempts_are_recorded_and_read_back() {
        for (store, _db) in stores() {
            let ada = user(&store, "ada");
            let bob = user(&store, "bob");
            // In the past, so the attempts stamped "now" below are newer.
            let t = OffsetDateTime::from_unix_timestamp(1_600_000_000).expect("time");
            let first = store
                .record_attempt_at(&attempt(ada, "k8s/basics", 1, false), t)
                .expect("a");
            let second = store
                .record_attempt_at(
                    &attempt(ada, "k8s/basics", 1, true),
                    t + Duration::minutes(5),
                )
                .expect("b");
            store
                .record_attempt(&attempt(bob, "k8s/basics", 1, true))
                .expect("c");
            store
                .record_attempt(&attempt(ada, "git", 2, false))
                .expect("d");

            let mine = store.attempts_for_user(ada).expect("mine");
            assert_eq!(mine.len(), 3);
            assert_eq!(mine[0].module_id, "git", "newest first");
            assert_eq!(mine[2].id, first);
            assert_eq!(mine[2].answers_json, "[[0],[1,2]]");
            assert_eq!(mine[2].created_at, t);
            assert_eq!(store.attempts_for_module("k8s/basics").expect("m").len(), 3);
            let latest = store
                .latest_attempt(ada, "k8s/basics")
                .expect("q")
                .expect("some");
            assert_eq!(latest.id, second);
            let read_back = store.attempt(first).expect("q").expect("stored");
            assert_eq!((read_back.user_id, read_back.passed), (ada, false));
            assert!(
                store
                    .attempt(AttemptId(first.0 + 1000))
                    .expect("q")
                    .is_none()
            );
            assert!(latest.passed && latest.score == 100);
            assert!(store.latest_attempt(bob, "git").expect("q").is_none());
            assert_eq!(store.attempt_count().expect("count"), 4);
            let recent = store.recent_results(ada, "k8s/basics", 1).expect("recent");
            assert_eq!(recent, [(t + Duration::minutes(5), true)]);
        }
    }

    #[test]
    fn passes_list_only_passing_attempts() {
        for (store, _db) in stores() {
            let ada = user(&store, "ada");
            let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
            store
                .record_attempt_at(&attempt(ada, "m", 2, true), t + Duration::days(2))
                .expect("c");
            store
                .record_attempt_at(&attempt(ada, "m", 1, true), t)
                .expect("a");
            store
                .record_attempt_at(&attempt(ada, "m", 1, true), t + Duration::days(1))
                .expect("b");
            store
                .record_attempt_at(&attempt(ada, "m", 3, false), t + Duration::days(3))
                .expect("d");
            let passes = store.passes_for_user(ada).expect("passes");
            let seen: Vec<_> = passes.iter().map(|p| (p.version, p.at)).collect();
            assert_eq!(
                seen,
                [
                    (1, t),
                    (1, t + Duration::days(1)),
                    (2, t + Duration::days(2))
                ]
            );
            assert!(
                passes
                    .iter()
                    .all(|p| p.user_id == ada && p.module_id == "m")
            );
            let bob = user(&store, "bob");
            store
                .record_attempt(&attempt(bob, "m", 3, true))
                .expect("e");
            let all = store.all_passes().expect("all");
            assert_eq!(all.len(), 4);
            assert_eq!(all[3].user_id, bob);
        }
    }

    #[test]
    fn the_pass_query_uses_the_covering_index() {
        // SQLite only: the plan of SQLite's query planner.
        let (store, _dir) = store();
        let plan: Vec<String> = store
            .read(|c| {
                Ok(c.query_map(
                    "EXPLAIN QUERY PLAN SELECT user_id, module_id, module_version, created_at
                     FROM attempts WHERE passed = 1 AND user_id = 1
                     ORDER BY module_id, module_version, created_at, id",
                    &[],
                    |r| r.get::<String>(3),
                )?)
            })
            .expect("plan");
        assert!(
            plan.iter()
                .any(|p| p.contains("COVERING INDEX attempts_passes")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|p| p.contains("TEMP B-TREE")),
            "no sort: {plan:?}"
        );
    }

    #[test]
    fn bad_attempts_are_refused() {
        for (store, _db) in stores() {
            let ada = user(&store, "ada");
            let mut bad = attempt(ada, "m", 1, true);
            bad.answers_json = "[[0";
            assert!(matches!(
                store.record_attempt(&bad),
                Err(StoreError::Invalid(_))
            ));
            let mut bad = attempt(ada, "m", 1, true);
            bad.score = 101;
            assert!(matches!(
                store.record_attempt(&bad),
                Err(StoreError::Invalid(_))
            ));
            let ghost = attempt(UserId(999), "m", 1, true);
            assert!(store.record_attempt(&ghost).is_err(), "foreign key");
            assert_eq!(store.attempt_count().expect("count"), 0);
        }
    }

    #[test]
    fn two_hundred_attempts_from_twenty_threads_all_land() {
        for (store, _db) in stores() {
            let users: Vec<UserId> = (0..20)
                .map(|i| user(&store, &format!("learner{i}")))
                .collect();
            let store = Arc::new(store);
            let handles: Vec<_> = users
                .into_iter()
                .map(|uid| {
                    let store = Arc::clone(&store);
                    std::thread::spawn(move || {
                        for n in 0..10 {
                            let module = format!("module-{n}");
                            store
                                .record_attempt(&attempt(uid, &module, 1, n % 2 == 0))
                                .expect("no busy error");
                            // Interleave reads with writes, as the web layer does.
                            store.latest_attempt(uid, &module).expect("read");
                        }
                    })
                })
                .collect();
            for h in handles {
                h.join().expect("thread finished");
            }
            assert_eq!(store.attempt_count().expect("count"), 200);
        }
    }

    #[test]
    fn a_retry_wait_holds_against_parallel_posts() {
        // Eight posts of one learner at one module at once; the gate admits an attempt only
        // when none is stored yet, so exactly one may land on every backend.
        for (store, _db) in stores() {
            let ada = user(&store, "ada");
            let store = Arc::new(store);
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let store = Arc::clone(&store);
                    std::thread::spawn(move || {
                        let now = OffsetDateTime::now_utc();
                        store
                            .record_attempt_gated(
                                &attempt(ada, "m", 1, false),
                                None,
                                1,
                                now,
                                |past| {
                                    if past.is_empty() { Ok(()) } else { Err(()) }
                                },
                            )
                            .expect("gated")
                    })
                })
                .collect();
            let stored = handles
                .into_iter()
                .map(|h| h.join().expect("thread finished"))
                .filter(|g| matches!(g, Gated::Stored(_)))
                .count();
            assert_eq!(stored, 1);
            assert_eq!(store.attempt_count().expect("count"), 1);
        }
    }
}
