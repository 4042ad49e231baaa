//! Troubleshooting walks over a period, read for the deflection insights (issue 16): per tree,
//! day and ending, how many; and one tree's walks with their trails. Days are computed in SQL as
//! `created_at / 86400` (integer division on both backends, times being whole seconds).

use time::OffsetDateTime;

use super::db::{DbError, DbResult, Row, args};
use super::outcomes::parse_trail;
use super::{Result, Store};
use crate::model::Outcome;
pub use crate::records::{WalkDay, WalkRecord};

fn outcome_of(raw: &str) -> DbResult<Outcome> {
    match raw {
        "resolved" => Ok(Outcome::Resolved),
        "escalate" => Ok(Outcome::Escalate),
        other => Err(DbError::Other(
            format!("a stored walk ended as `{other}`, which is neither resolved nor escalate")
                .into(),
        )),
    }
}

fn walk_day_from_row(r: &Row) -> DbResult<WalkDay> {
    Ok(WalkDay {
        tree_id: r.get(0)?,
        day: r.get(1)?,
        outcome: outcome_of(&r.get::<String>(2)?)?,
        walks: r.get(3)?,
    })
}

impl Store {
    /// Walks since `since`, counted per tree, UTC day and ending; of every tree, or only of
    /// `tree_id`. Unordered.
    pub fn tree_walk_days(
        &self,
        since: OffsetDateTime,
        tree_id: Option<&str>,
    ) -> Result<Vec<WalkDay>> {
        const SELECT: &str =
            "SELECT tree_id, created_at / 86400, outcome, COUNT(*) FROM tree_outcomes
             WHERE created_at >= ?1";
        const GROUP: &str = "GROUP BY tree_id, created_at / 86400, outcome";
        self.read(|c| {
            Ok(match tree_id {
                Some(tree) => c.query_map(
                    &format!("{SELECT} AND tree_id = ?2 {GROUP}"),
                    args![since, tree],
                    walk_day_from_row,
                )?,
                None => c.query_map(
                    &format!("{SELECT} {GROUP}"),
                    args![since],
                    walk_day_from_row,
                )?,
            })
        })
    }

    /// One tree's walks since `since`, all versions, oldest first.
    pub fn tree_walks(&self, tree_id: &str, since: OffsetDateTime) -> Result<Vec<WalkRecord>> {
        self.read(|c| {
            Ok(c.query_map(
                "SELECT created_at / 86400, outcome, trail FROM tree_outcomes
                 WHERE tree_id = ?1 AND created_at >= ?2 ORDER BY created_at, id",
                args![tree_id, since],
                |r| {
                    Ok(WalkRecord {
                        day: r.get(0)?,
                        outcome: outcome_of(&r.get::<String>(1)?)?,
                        trail: parse_trail(&r.get::<String>(2)?)?,
                    })
                },
            )?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{NewOutcome, day_of};
    use crate::store::test_support::stores;
    use time::Duration;

    fn walk<'a>(tree: &'a str, trail: &'a [String], outcome: Outcome) -> NewOutcome<'a> {
        NewOutcome {
            tree_id: tree,
            tree_version: "v1",
            trail,
            outcome,
            note: None,
            contact: None,
            user_id: None,
            answers: &[],
        }
    }

    #[test]
    fn walks_are_counted_per_tree_day_and_ending() {
        for (store, _db) in stores() {
            walks_are_counted_per_tree_day_and_ending_on(&store);
        }
    }

    fn walks_are_counted_per_tree_day_and_ending_on(store: &Store) {
        let fixed = vec!["start".to_owned(), "oom".to_owned()];
        let asked = vec!["start".to_owned(), "ask".to_owned()];
        for (tree, trail, outcome) in [
            ("pods", &fixed, Outcome::Resolved),
            ("pods", &fixed, Outcome::Resolved),
            ("pods", &asked, Outcome::Escalate),
            ("dns", &asked, Outcome::Escalate),
        ] {
            store
                .record_outcome(&walk(tree, trail, outcome))
                .expect("walk");
        }
        let now = OffsetDateTime::now_utc();
        let today = day_of(now);
        let since = now - Duration::days(1);
        let mut days = store.tree_walk_days(since, None).expect("days");
        days.sort_by(|a, b| {
            (&a.tree_id, a.outcome.as_str()).cmp(&(&b.tree_id, b.outcome.as_str()))
        });
        let counts: Vec<(&str, Outcome, u64)> = days
            .iter()
            .map(|d| (d.tree_id.as_str(), d.outcome, d.walks))
            .collect();
        assert_eq!(
            counts,
            [
                ("dns", Outcome::Escalate, 1),
                ("pods", Outcome::Escalate, 1),
                ("pods", Outcome::Resolved, 2)
            ]
        );
        // A walk can straddle midnight between `now` and the insert; either day is fine.
        assert!(days.iter().all(|d| d.day == today || d.day == today - 1));
        assert_eq!(
            store.tree_walk_days(since, Some("dns")).expect("one").len(),
            1
        );
        let later = now + Duration::days(1);
        assert!(store.tree_walk_days(later, None).expect("none").is_empty());

        let walks = store.tree_walks("pods", since).expect("walks");
        assert_eq!(walks.len(), 3);
        assert_eq!(walks[2].trail, asked);
        assert_eq!(walks[2].outcome, Outcome::Escalate);
        assert!(store.tree_walks("pods", later).expect("none").is_empty());
    }
}
