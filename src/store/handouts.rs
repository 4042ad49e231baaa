//! Quiz attempts handed out by the server, for modules that draw or shuffle questions: what a
//! learner was shown, so the answers are graded against it and nothing else.
//!
//! A learner has at most one unused hand-out per module and file version: reloading the page
//! shows the same questions again (no re-drawing until the questions one knows come up), and
//! the table grows by one row per graded attempt, not per page view.

use time::OffsetDateTime;

use super::accounts::UserId;
use super::db::{DbResult, Row, args};
use super::{Result, Store};
pub use crate::records::Handout;

const COLUMNS: &str = "id, user_id, module_id, content_hash, drawn, created_at, used_at";

fn from_row(r: &Row) -> DbResult<Handout> {
    Ok(Handout {
        id: r.get(0)?,
        user_id: UserId(r.get(1)?),
        module_id: r.get(2)?,
        content_hash: r.get(3)?,
        drawn_json: r.get(4)?,
        created_at: r.get(5)?,
        used_at: r.get(6)?,
    })
}

impl Store {
    /// The learner's open hand-out for this module version, or a new one whose questions
    /// `draw` picks (JSON). Older unused hand-outs of the module are dropped.
    pub fn open_handout(
        &self,
        user_id: UserId,
        module_id: &str,
        content_hash: &str,
        draw: impl FnOnce() -> String + Send,
    ) -> Result<Handout> {
        // Whole seconds, as stored, so a new hand-out equals itself read back.
        let now = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        let open_sql = format!(
            "SELECT {COLUMNS} FROM quiz_handouts
             WHERE user_id = ?1 AND module_id = ?2 AND content_hash = ?3 AND used_at IS NULL
             ORDER BY created_at DESC LIMIT 1"
        );
        self.write(|tx| {
            // Two page loads at once (on two replicas) must not both draw.
            tx.lock(&format!("handouts:{}:{module_id}", user_id.0))?;
            let open = tx.query_opt(&open_sql, args![user_id.0, module_id, content_hash])?;
            if let Some(open) = open {
                return Ok(from_row(&open)?);
            }
            tx.execute(
                "DELETE FROM quiz_handouts WHERE user_id = ?1 AND module_id = ?2 AND used_at IS NULL",
                args![user_id.0, module_id],
            )?;
            let handout = Handout {
                id: format!("{:032x}", rand::random::<u128>()),
                user_id,
                module_id: module_id.to_owned(),
                content_hash: content_hash.to_owned(),
                drawn_json: draw(),
                created_at: now,
                used_at: None,
            };
            tx.execute(
                "INSERT INTO quiz_handouts (id, user_id, module_id, content_hash, drawn, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                args![
                    &handout.id,
                    user_id.0,
                    module_id,
                    content_hash,
                    &handout.drawn_json,
                    now
                ],
            )?;
            Ok(handout)
        })
    }

    /// A hand-out by id, whoever it belongs to (the caller checks).
    pub fn handout(&self, id: &str) -> Result<Option<Handout>> {
        let sql = format!("SELECT {COLUMNS} FROM quiz_handouts WHERE id = ?1");
        self.read(|c| {
            Ok(c.query_opt(&sql, args![id])?
                .as_ref()
                .map(from_row)
                .transpose()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::stores;
    use crate::store::{Gated, NewAttempt, UserName};

    #[test]
    fn one_open_handout_per_module_version_and_each_grades_once() {
        for (store, _db) in stores() {
            one_open_handout_on(&store);
        }
    }

    fn one_open_handout_on(store: &Store) {
        let name = UserName::parse("ada").expect("name");
        let ada = store.create_user(&name, false, None).expect("user").id;
        let first = store
            .open_handout(ada, "m", "h1", || "[1]".into())
            .expect("open");
        let again = store
            .open_handout(ada, "m", "h1", || "[2]".into())
            .expect("again");
        assert_eq!(first, again, "a reload shows the same questions");
        let attempt = NewAttempt::sample(ada, "m", false);
        let now = OffsetDateTime::now_utc();
        let ok = |_: &[(OffsetDateTime, bool)]| Ok::<(), ()>(());
        assert!(matches!(
            store.record_attempt_gated(&attempt, Some(&first.id), 10, now, ok),
            Ok(Gated::Stored(_))
        ));
        assert_eq!(
            store
                .record_attempt_gated(&attempt, Some(&first.id), 10, now, ok)
                .expect("q"),
            Gated::HandoutUsed,
            "a used hand-out does not grade twice"
        );
        assert!(
            store
                .handout(&first.id)
                .expect("q")
                .is_some_and(|h| h.used_at.is_some())
        );
        let next = store
            .open_handout(ada, "m", "h1", || "[3]".into())
            .expect("next");
        assert_ne!(next.id, first.id);
        assert_eq!(next.drawn_json, "[3]");
        let changed = store
            .open_handout(ada, "m", "h2", || "[4]".into())
            .expect("changed file");
        assert_eq!(changed.drawn_json, "[4]");
        assert!(
            store.handout(&next.id).expect("q").is_none(),
            "stale unused hand-outs go"
        );
        let refused = store.record_attempt_gated(&attempt, None, 10, now, |past| {
            assert_eq!(past.len(), 1);
            Err("wait")
        });
        assert_eq!(refused.expect("q"), Gated::Refused("wait"));
        assert_eq!(store.attempt_count().expect("count"), 1);
    }
}
