//! Bulk reads and writes for qualification: many accounts and attempts in one transaction
//! (imports, generated benchmark data), votes likewise, and the passes of a set of modules
//! (one resource's page lists who is qualified without reading every pass of everyone).

use time::OffsetDateTime;

use super::accounts::{UserId, UserName};
use super::attempts::{NewAttempt, Pass};
use super::db::{DbError, Value, args};
use super::{Result, Store, StoreError};
use crate::records::NewFeedback;

impl Store {
    /// Creates password-less local accounts, all or none; returns their ids in order.
    pub fn create_users_bulk(&self, names: &[UserName], is_admin: bool) -> Result<Vec<UserId>> {
        let now = OffsetDateTime::now_utc();
        self.write(|tx| {
            let mut ids = Vec::with_capacity(names.len());
            for name in names {
                match tx.query_value::<i64>(
                    "INSERT INTO users (name, is_admin, source, created_at)
                     VALUES (?1, ?2, 'local', ?3) RETURNING id",
                    args![name.as_str(), is_admin, now],
                ) {
                    Ok(id) => ids.push(UserId(id)),
                    Err(DbError::Unique(_)) => {
                        return Err(StoreError::Conflict(format!(
                            "a user named {name} already exists"
                        )));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(ids)
        })
    }

    /// Stores graded attempts with their times in one transaction, all or none (a single
    /// commit is what makes a million rows take seconds instead of hours). Returns how many.
    pub fn record_attempts_bulk<'a>(
        &self,
        attempts: impl IntoIterator<Item = (NewAttempt<'a>, OffsetDateTime)> + Send,
    ) -> Result<u64> {
        self.write(|tx| {
            let mut count = 0u64;
            for (attempt, at) in attempts {
                super::attempts::check_score(&attempt)?;
                // The table's json_valid check refuses bad answers; no need to parse twice.
                super::attempts::insert_attempt(tx, &attempt, at)?;
                count += 1;
            }
            Ok(count)
        })
    }

    /// Stores "Was this helpful?" votes in one transaction, all or none, with their own
    /// times and without pruning (imports, generated benchmark data). Returns how many.
    pub fn insert_feedback_bulk(&self, votes: &[NewFeedback]) -> Result<u64> {
        self.write(|tx| {
            for vote in votes {
                tx.execute(
                    super::page_feedback::INSERT_VOTE,
                    &super::page_feedback::vote_args(vote),
                )?;
            }
            Ok(votes.len() as u64)
        })
    }

    /// Every pass of any of these modules, by learner. Empty input reads nothing.
    pub fn passes_for_modules(&self, module_ids: &[&str]) -> Result<Vec<Pass>> {
        if module_ids.is_empty() {
            return Ok(Vec::new());
        }
        // Numbered placeholders (`?1, ?2, …`): PostgreSQL's are numbered too.
        let placeholders: Vec<String> = (1..=module_ids.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "SELECT user_id, module_id, module_version, created_at FROM attempts
             WHERE passed = 1 AND module_id IN ({})
             ORDER BY user_id, module_id, module_version, created_at, id",
            placeholders.join(", ")
        );
        let params: Vec<Value> = module_ids.iter().map(|&id| Value::from(id)).collect();
        self.read(|c| {
            Ok(c.query_map(&sql, &params, |r| {
                Ok(Pass {
                    user_id: UserId(r.get(0)?),
                    module_id: r.get(1)?,
                    version: r.get(2)?,
                    at: r.get(3)?,
                })
            })?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::stores;

    fn names(raw: &[&str]) -> Vec<UserName> {
        raw.iter()
            .map(|n| UserName::parse(n).expect("name"))
            .collect()
    }

    #[test]
    fn bulk_writes_land_in_one_go_and_module_passes_read_back() {
        for (store, _db) in stores() {
            let ids = store
                .create_users_bulk(&names(&["ada", "bob"]), false)
                .expect("users");
            assert_eq!(ids.len(), 2);
            let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
            let rows = vec![
                (NewAttempt::sample(ids[0], "a", true), t),
                (NewAttempt::sample(ids[0], "b", false), t),
                (NewAttempt::sample(ids[1], "b", true), t),
                (NewAttempt::sample(ids[1], "c", true), t),
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
    }

    #[test]
    fn a_bad_row_rolls_the_whole_batch_back() {
        for (store, _db) in stores() {
            let ids = store
                .create_users_bulk(&names(&["ada"]), false)
                .expect("users");
            let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
            let mut bad = NewAttempt::sample(ids[0], "b", true);
            bad.answers_json = "[[";
            let err = store
                .record_attempts_bulk(vec![(NewAttempt::sample(ids[0], "a", true), t), (bad, t)]);
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
}
