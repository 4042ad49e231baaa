//! Help requests after they are opened (by `record_outcome` in [`super::outcomes`]): the
//! platform team's list, a requester's own list, one request found by its private link, the
//! reply and the status.

use time::OffsetDateTime;

use super::accounts::UserId;
use super::db::{DbError, DbResult, Row, args};
use super::outcomes::{check_text, parse_trail};
use super::{Result, Store, StoreError};
use crate::records::{Answer, HelpFilter, HelpRequest, OutcomeId, Reply, RequestId, RequestStatus};

/// The columns [`help_request_of`] reads, in its order.
const COLUMNS: &str = "id, outcome_id, tree_id, trail, note, contact, status, user_id, created_at, \
     updated_at, answers, reply, replied_by, replied_at";

/// A private link's secret is 32 random bytes in hex; anything else names no request.
fn is_private_token(token: &str) -> bool {
    token.len() == 64
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Stored answers: the CHECK admits only JSON; NULL (requests from before answers were
/// kept) is none.
fn parse_answers(json: Option<String>) -> DbResult<Vec<Answer>> {
    match json {
        Some(json) => serde_json::from_str(&json).map_err(|e| DbError::Other(Box::new(e))),
        None => Ok(Vec::new()),
    }
}

fn help_request_of(r: &Row) -> DbResult<HelpRequest> {
    let status: String = r.get(6)?;
    let reply = match (r.get::<Option<String>>(11)?, r.get(13)?) {
        (Some(text), Some(at)) => Some(Reply {
            text,
            by: r.get::<Option<i64>>(12)?.map(UserId),
            at,
        }),
        _ => None,
    };
    Ok(HelpRequest {
        id: RequestId(r.get(0)?),
        outcome_id: OutcomeId(r.get(1)?),
        tree_id: r.get(2)?,
        trail: parse_trail(&r.get::<String>(3)?)?,
        note: r.get(4)?,
        contact: r.get(5)?,
        // The CHECK constraint admits only the three names.
        status: RequestStatus::parse(&status).unwrap_or(RequestStatus::Open),
        user_id: r.get::<Option<i64>>(7)?.map(UserId),
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
        answers: parse_answers(r.get(10)?)?,
        reply,
    })
}

impl Store {
    /// Help requests matching `filter`, newest first.
    pub fn list_help_requests(&self, filter: HelpFilter<'_>) -> Result<Vec<HelpRequest>> {
        self.read(|c| {
            Ok(c.query_map(
                &format!(
                    "SELECT {COLUMNS} FROM help_requests
                     WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1)
                       AND (CAST(?2 AS TEXT) IS NULL OR tree_id = ?2)
                       AND (CAST(?3 AS BIGINT) IS NULL OR user_id = ?3)
                     ORDER BY created_at DESC, id DESC"
                ),
                args![
                    filter.status.map(RequestStatus::as_str),
                    filter.tree_id,
                    filter.user_id.map(|u| u.0)
                ],
                help_request_of,
            )?)
        })
    }

    /// The help request whose private link carries `token`, if any. Only the token's
    /// SHA-256 is compared, as only that is stored.
    pub fn help_request_by_token(&self, token: &str) -> Result<Option<HelpRequest>> {
        if !is_private_token(token) {
            return Ok(None);
        }
        let hash = super::sha256_hex(token);
        let mut found = self.read(|c| {
            Ok(c.query_map(
                &format!("SELECT {COLUMNS} FROM help_requests WHERE token_hash = ?1"),
                args![&hash],
                help_request_of,
            )?)
        })?;
        Ok(found.pop())
    }

    /// Stores the platform team's reply (replacing an earlier one), who sent it and when,
    /// and marks the request answered.
    pub fn reply_to_request(&self, id: RequestId, text: &str, by: UserId) -> Result<()> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid("a reply must not be empty".into()));
        }
        check_text("reply", Some(text))?;
        let now = OffsetDateTime::now_utc();
        let webhooks = self.webhooks_enabled();
        let changed = self.write(|c| {
            let changed = c.execute(
                "UPDATE help_requests
                 SET reply = ?1, replied_by = ?2, replied_at = ?3, status = 'answered', updated_at = ?3
                 WHERE id = ?4",
                args![text, by.0, now, id.0],
            )?;
            if changed > 0 && webhooks {
                super::webhooks::enqueue_answered(c, id, by, now)?;
            }
            Ok(changed)
        })?;
        if changed == 0 {
            return Err(no_request(id));
        }
        Ok(())
    }

    /// Moves a help request to `status` (a reply stays).
    pub fn set_request_status(&self, id: RequestId, status: RequestStatus) -> Result<()> {
        let now = OffsetDateTime::now_utc();
        let changed = self.read(|c| {
            Ok(c.execute(
                "UPDATE help_requests SET status = ?1, updated_at = ?2 WHERE id = ?3",
                args![status.as_str(), now, id.0],
            )?)
        })?;
        if changed == 0 {
            return Err(no_request(id));
        }
        Ok(())
    }
}

fn no_request(id: RequestId) -> StoreError {
    StoreError::NotFound(format!("there is no help request with id {}", id.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Outcome;
    use crate::records::{NewOutcome, SentRequest, UserName};
    use crate::store::test_support::stores;

    fn escalate(store: &Store, user: Option<UserId>, note: &str) -> SentRequest {
        let trail = ["start".to_owned(), "ask".to_owned()];
        let answers = [Answer {
            question: "Does the pod restart?".into(),
            answer: "Yes, ça redémarre".into(),
        }];
        let (_, request) = store
            .record_outcome(&NewOutcome {
                tree_id: "pods",
                tree_version: "v1",
                trail: &trail,
                outcome: Outcome::Escalate,
                note: Some(note),
                contact: None,
                user_id: user,
                answers: &answers,
            })
            .expect("escalate");
        request.expect("a request")
    }

    #[test]
    fn requests_keep_answers_hear_back_and_open_by_their_private_link() {
        for (store, _db) in stores() {
            requests_keep_answers_hear_back_and_open_by_their_private_link_on(&store);
        }
    }

    fn requests_keep_answers_hear_back_and_open_by_their_private_link_on(store: &Store) {
        let ada = store
            .create_user(&UserName::parse("ada").expect("name"), false, None)
            .expect("ada");
        let root = store
            .create_user(&UserName::parse("root").expect("name"), true, None)
            .expect("root");
        let mine = escalate(store, Some(ada.id), "mine");
        let anonymous = escalate(store, None, "anonymous");
        assert_eq!(mine.private_token.len(), 64);
        assert_ne!(mine.private_token, anonymous.private_token);

        let found = store
            .help_request_by_token(&anonymous.private_token)
            .expect("read")
            .expect("found");
        assert_eq!(found.id, anonymous.id);
        assert_eq!(found.answers[0].answer, "Yes, ça redémarre");
        assert_eq!(found.reply, None);
        // The database holds only the hash: the token itself finds nothing there.
        let stored: i64 = store
            .read(|c| {
                Ok(c.query_value(
                    "SELECT COUNT(*) FROM help_requests WHERE token_hash = ?1",
                    args![&anonymous.private_token],
                )?)
            })
            .expect("count");
        assert_eq!(stored, 0);
        for wrong in [
            "",
            "abc",
            &"0".repeat(64),
            &mine.private_token.to_uppercase(),
        ] {
            assert_eq!(store.help_request_by_token(wrong).expect("read"), None);
        }

        store
            .reply_to_request(anonymous.id, "  Raise the memory limit.  ", root.id)
            .expect("reply");
        let answered = store
            .help_request_by_token(&anonymous.private_token)
            .expect("read")
            .expect("found");
        assert_eq!(answered.status, RequestStatus::Answered);
        let reply = answered.reply.expect("a reply");
        assert_eq!(
            (reply.text.as_str(), reply.by),
            ("Raise the memory limit.", Some(root.id))
        );
        assert_eq!(answered.updated_at, reply.at);
        // Status moves keep the reply; empty or unknown replies are refused.
        store
            .set_request_status(anonymous.id, RequestStatus::Closed)
            .expect("close");
        let closed = store
            .help_request_by_token(&anonymous.private_token)
            .expect("read")
            .expect("found");
        assert_eq!(closed.status, RequestStatus::Closed);
        assert!(closed.reply.is_some());
        assert!(matches!(
            store.reply_to_request(anonymous.id, "  ", root.id),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store.reply_to_request(RequestId(999), "hi", root.id),
            Err(StoreError::NotFound(_))
        ));

        let adas = store
            .list_help_requests(HelpFilter {
                user_id: Some(ada.id),
                ..Default::default()
            })
            .expect("ada's");
        assert_eq!(adas.len(), 1);
        assert_eq!(adas[0].id, mine.id);
        assert_eq!(
            store
                .list_help_requests(HelpFilter::default())
                .expect("all")
                .len(),
            2
        );
    }

    #[test]
    fn requests_from_before_answers_were_kept_still_list() {
        for (store, _db) in stores() {
            store
                .write(|c| {
                    c.execute(
                        "INSERT INTO tree_outcomes (id, tree_id, tree_version, trail, outcome, created_at)
                         VALUES (1, 'pods', 'v0', '[\"start\"]', 'escalate', 5)",
                        &[],
                    )?;
                    c.execute(
                        "INSERT INTO help_requests (outcome_id, tree_id, trail, created_at, updated_at)
                         VALUES (1, 'pods', '[\"start\"]', 5, 5)",
                        &[],
                    )?;
                    Ok(())
                })
                .expect("an old row");
            let old = store
                .list_help_requests(HelpFilter::default())
                .expect("list");
            assert_eq!(old.len(), 1);
            assert!(old[0].answers.is_empty() && old[0].reply.is_none());
        }
    }
}
