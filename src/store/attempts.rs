//! Quiz attempts: every submission is kept, and passes feed qualification.
//!
//! An attempt is acknowledged only after its transaction commits, so an attempt the learner
//! saw graded survives a crash of the server a moment later.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use time::OffsetDateTime;

use super::accounts::UserId;
use super::{Result, Store, StoreError, count_at, time_at, unix};
pub use crate::records::{Attempt, AttemptId, Gated, NewAttempt, Pass};

const ATTEMPT_COLUMNS: &str =
    "id, user_id, module_id, module_version, answers, score, passed, created_at";

fn attempt_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Attempt> {
    Ok(Attempt {
        id: AttemptId(r.get(0)?),
        user_id: UserId(r.get(1)?),
        module_id: r.get(2)?,
        module_version: r.get(3)?,
        answers_json: r.get(4)?,
        score: r.get(5)?,
        passed: r.get(6)?,
        created_at: time_at(r, 7)?,
    })
}

fn recent_results(
    conn: &rusqlite::Connection,
    user_id: UserId,
    module_id: &str,
    limit: usize,
) -> Result<Vec<(OffsetDateTime, bool)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT created_at, passed FROM attempts WHERE user_id = ?1 AND module_id = ?2
         ORDER BY created_at DESC, id DESC LIMIT ?3",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![user_id.0, module_id, limit], |r| {
        Ok((time_at(r, 0)?, r.get::<_, bool>(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn pass_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Pass> {
    Ok(Pass {
        user_id: UserId(r.get(0)?),
        module_id: r.get(1)?,
        version: r.get(2)?,
        at: time_at(r, 3)?,
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

/// The one INSERT of a graded attempt, inside the caller's transaction.
fn insert_attempt(
    tx: &rusqlite::Transaction<'_>,
    attempt: &NewAttempt<'_>,
    at: OffsetDateTime,
) -> Result<AttemptId> {
    tx.execute(
        "INSERT INTO attempts (user_id, module_id, module_version, answers, score, passed, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            attempt.user_id.0,
            attempt.module_id,
            attempt.module_version,
            attempt.answers_json,
            attempt.score,
            attempt.passed,
            unix(at),
        ],
    )?;
    Ok(AttemptId(tx.last_insert_rowid()))
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
        let mut conn = self.conn()?;
        // IMMEDIATE takes the write lock up front, so waiting for it honours the busy
        // timeout instead of failing on a read-to-write upgrade.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = insert_attempt(&tx, attempt, at)?;
        tx.commit()?;
        Ok(id)
    }

    /// Stores a graded attempt only if `gate` allows it given the learner's latest attempts at
    /// the module (newest first, at most `history` of them, as `(time, passed)`), and, for a
    /// handed-out attempt, only if that hand-out is still unused (it is marked used in the same
    /// transaction, so two concurrent posts of one hand-out cannot both count). The check and
    /// the insert share one IMMEDIATE transaction, so parallel posts cannot slip past a wait.
    pub fn record_attempt_gated<E>(
        &self,
        attempt: &NewAttempt<'_>,
        handout: Option<&str>,
        history: usize,
        at: OffsetDateTime,
        gate: impl FnOnce(&[(OffsetDateTime, bool)]) -> std::result::Result<(), E>,
    ) -> Result<Gated<E>> {
        check_score(attempt)?;
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let past = recent_results(&tx, attempt.user_id, attempt.module_id, history)?;
        if let Err(refusal) = gate(&past) {
            return Ok(Gated::Refused(refusal));
        }
        if let Some(id) = handout {
            let marked = tx.execute(
                "UPDATE quiz_handouts SET used_at = ?1
                 WHERE id = ?2 AND user_id = ?3 AND module_id = ?4 AND used_at IS NULL",
                params![unix(at), id, attempt.user_id.0, attempt.module_id],
            )?;
            if marked != 1 {
                return Ok(Gated::HandoutUsed);
            }
        }
        let id = insert_attempt(&tx, attempt, at)?;
        tx.commit()?;
        Ok(Gated::Stored(id))
    }

    /// A learner's latest results at one module, newest first, at most `limit`: what the
    /// retry wait is worked out from.
    pub fn recent_results(
        &self,
        user_id: UserId,
        module_id: &str,
        limit: usize,
    ) -> Result<Vec<(OffsetDateTime, bool)>> {
        let conn = self.conn()?;
        recent_results(&conn, user_id, module_id, limit)
    }

    /// A learner's attempts, newest first.
    pub fn attempts_for_user(&self, user_id: UserId) -> Result<Vec<Attempt>> {
        self.attempts_where("user_id = ?1", user_id.0)
    }

    /// All attempts at a module, newest first.
    pub fn attempts_for_module(&self, module_id: &str) -> Result<Vec<Attempt>> {
        self.attempts_where("module_id = ?1", module_id)
    }

    fn attempts_where(&self, condition: &str, value: impl rusqlite::ToSql) -> Result<Vec<Attempt>> {
        let conn = self.conn()?;
        let sql = format!(
            "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE {condition} ORDER BY created_at DESC, id DESC"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([value], attempt_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A learner's most recent attempt at a module.
    pub fn latest_attempt(&self, user_id: UserId, module_id: &str) -> Result<Option<Attempt>> {
        let conn = self.conn()?;
        let sql = format!(
            "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE user_id = ?1 AND module_id = ?2
             ORDER BY created_at DESC, id DESC LIMIT 1"
        );
        Ok(conn
            .query_row(&sql, params![user_id.0, module_id], attempt_from_row)
            .optional()?)
    }

    /// Every pass of one learner, by module, version and time, read from the covering
    /// index alone (in its order, so without a sort).
    pub fn passes_for_user(&self, user_id: UserId) -> Result<Vec<Pass>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT user_id, module_id, module_version, created_at FROM attempts
             WHERE passed = 1 AND user_id = ?1
             ORDER BY module_id, module_version, created_at, id",
        )?;
        let rows = stmt.query_map([user_id.0], pass_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every pass of everyone, in index order, for the qualification matrix. Passes
    /// are few next to attempts (people stop retaking a module once they pass it), and
    /// keeping each one lets qualification answer "as of" a past date.
    pub fn all_passes(&self) -> Result<Vec<Pass>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT user_id, module_id, module_version, created_at FROM attempts
             WHERE passed = 1
             ORDER BY user_id, module_id, module_version, created_at, id",
        )?;
        let rows = stmt.query_map([], pass_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Number of stored attempts (for health pages and tests).
    pub fn attempt_count(&self) -> Result<u64> {
        Ok(self
            .conn()?
            .query_row("SELECT COUNT(*) FROM attempts", [], |r| count_at(r, 0))?)
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
    use crate::store::test_support::store;
    use std::sync::Arc;
    use time::Duration;

    fn user(store: &Store, n: &str) -> UserId {
        let name = UserName::parse(n).expect("name");
        store.create_user(&name, false, None).expect("user").id
    }

    fn attempt(user_id: UserId, module_id: &str, version: u32, passed: bool) -> NewAttempt<'_> {
        NewAttempt {
            user_id,
            module_id,
            module_version: version,
            answers_json: "[[0],[1,2]]",
            score: if passed { 100 } else { 50 },
            passed,
        }
    }

    #[test]
    fn attempts_are_recorded_and_read_back() {
        let (store, _dir) = store();
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
        assert!(latest.passed && latest.score == 100);
        assert!(store.latest_attempt(bob, "git").expect("q").is_none());
        assert_eq!(store.attempt_count().expect("count"), 4);
    }

    #[test]
    fn passes_list_only_passing_attempts() {
        let (store, _dir) = store();
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

    #[test]
    fn the_pass_query_uses_the_covering_index() {
        let (store, _dir) = store();
        let conn = store.conn().expect("conn");
        let plan: Vec<String> = conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT user_id, module_id, module_version, created_at
                 FROM attempts WHERE passed = 1 AND user_id = 1
                 ORDER BY module_id, module_version, created_at, id",
            )
            .expect("prepare")
            .query_map([], |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
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
        let (store, _dir) = store();
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

    #[test]
    fn two_hundred_attempts_from_twenty_threads_all_land() {
        let (store, _dir) = store();
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
