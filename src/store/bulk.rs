//! Bulk reads and writes for qualification: many accounts and attempts in one transaction
//! (imports, generated benchmark data) and the passes of a set of modules (one resource's
//! page lists who is qualified without reading every pass of everyone).

use rusqlite::{TransactionBehavior, params, params_from_iter};
use time::OffsetDateTime;

use super::accounts::{UserId, UserName};
use super::attempts::{NewAttempt, Pass};
use super::{Result, Store, StoreError, time_at, unix};

impl Store {
    /// Creates password-less local accounts, all or none; returns their ids in order.
    pub fn create_users_bulk(&self, names: &[UserName], is_admin: bool) -> Result<Vec<UserId>> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = unix(OffsetDateTime::now_utc());
        let mut ids = Vec::with_capacity(names.len());
        {
            let mut stmt = tx.prepare(
                "INSERT INTO users (name, is_admin, source, created_at) VALUES (?1, ?2, 'local', ?3)",
            )?;
            for name in names {
                match stmt.execute(params![name.as_str(), is_admin, now]) {
                    Ok(_) => ids.push(UserId(tx.last_insert_rowid())),
                    Err(e) if super::is_unique_violation(&e) => {
                        return Err(StoreError::Conflict(format!(
                            "a user named {name} already exists"
                        )));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Stores graded attempts with their times in one transaction, all or none (a single
    /// commit is what makes a million rows take seconds instead of hours). Returns how many.
    pub fn record_attempts_bulk<'a>(
        &self,
        attempts: impl IntoIterator<Item = (NewAttempt<'a>, OffsetDateTime)>,
    ) -> Result<u64> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut count = 0u64;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO attempts (user_id, module_id, module_version, answers, score, passed, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (attempt, at) in attempts {
                super::attempts::check_score(&attempt)?;
                // The table's json_valid check refuses bad answers; no need to parse twice.
                stmt.execute(params![
                    attempt.user_id.0,
                    attempt.module_id,
                    attempt.module_version,
                    attempt.answers_json,
                    attempt.score,
                    attempt.passed,
                    unix(at),
                ])?;
                count += 1;
            }
        }
        tx.commit()?;
        Ok(count)
    }

    /// Every pass of any of these modules, by learner. Empty input reads nothing.
    pub fn passes_for_modules(&self, module_ids: &[&str]) -> Result<Vec<Pass>> {
        if module_ids.is_empty() {
            return Ok(Vec::new());
        }
        let conn = self.conn()?;
        let placeholders = vec!["?"; module_ids.len()].join(", ");
        let sql = format!(
            "SELECT user_id, module_id, module_version, created_at FROM attempts
             WHERE passed = 1 AND module_id IN ({placeholders})
             ORDER BY user_id, module_id, module_version, created_at, id"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(module_ids.iter()), |r| {
            Ok(Pass {
                user_id: UserId(r.get(0)?),
                module_id: r.get(1)?,
                version: r.get(2)?,
                at: time_at(r, 3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store;

    fn names(raw: &[&str]) -> Vec<UserName> {
        raw.iter()
            .map(|n| UserName::parse(n).expect("name"))
            .collect()
    }

    fn attempt(user_id: UserId, module_id: &str, passed: bool) -> NewAttempt<'_> {
        NewAttempt {
            user_id,
            module_id,
            module_version: 1,
            answers_json: "[]",
            score: if passed { 100 } else { 0 },
            passed,
        }
    }

    #[test]
    fn bulk_writes_land_in_one_go_and_module_passes_read_back() {
        let (store, _dir) = store();
        let ids = store
            .create_users_bulk(&names(&["ada", "bob"]), false)
            .expect("users");
        assert_eq!(ids.len(), 2);
        let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let rows = vec![
            (attempt(ids[0], "a", true), t),
            (attempt(ids[0], "b", false), t),
            (attempt(ids[1], "b", true), t),
            (attempt(ids[1], "c", true), t),
        ];
        assert_eq!(store.record_attempts_bulk(rows).expect("attempts"), 4);
        let passes = store.passes_for_modules(&["a", "b"]).expect("passes");
        let seen: Vec<(UserId, &str)> = passes
            .iter()
            .map(|p| (p.user_id, p.module_id.as_str()))
            .collect();
        assert_eq!(seen, [(ids[0], "a"), (ids[1], "b")]);
        assert!(store.passes_for_modules(&[]).expect("none").is_empty());
    }

    #[test]
    fn a_bad_row_rolls_the_whole_batch_back() {
        let (store, _dir) = store();
        let ids = store
            .create_users_bulk(&names(&["ada"]), false)
            .expect("users");
        let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let mut bad = attempt(ids[0], "b", true);
        bad.answers_json = "[[";
        let err = store.record_attempts_bulk(vec![(attempt(ids[0], "a", true), t), (bad, t)]);
        assert!(err.is_err());
        assert_eq!(store.attempt_count().expect("count"), 0);
        let dup = store.create_users_bulk(&names(&["eve", "ADA"]), false);
        assert!(matches!(dup, Err(StoreError::Conflict(_))));
        assert_eq!(
            store.list_users().expect("users").len(),
            1,
            "eve rolled back"
        );
    }
}
