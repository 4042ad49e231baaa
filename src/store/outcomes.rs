//! How troubleshooting walks ended, the help requests escalations open, and per-tree stats.

use time::OffsetDateTime;

use super::db::{DbError, DbResult, args};
use super::{Result, Store, StoreError};
use crate::model::Outcome;
pub use crate::records::{
    Answer, HelpFilter, HelpRequest, NewOutcome, NodeStats, OutcomeId, Reply, RequestId,
    RequestStatus, SentRequest, TreeStats,
};

/// Longest note, contact or reply kept; a help request is not a file upload.
pub(super) const MAX_TEXT: usize = 4000;

pub(super) fn check_text(what: &str, text: Option<&str>) -> Result<()> {
    match text {
        Some(t) if t.len() > MAX_TEXT => Err(StoreError::Invalid(format!(
            "the {what} must be at most {MAX_TEXT} bytes long"
        ))),
        _ => Ok(()),
    }
}

/// A stored trail: the CHECK admits only JSON, so a misfit is a hand-edited row.
pub(super) fn parse_trail(json: &str) -> DbResult<Vec<String>> {
    serde_json::from_str(json).map_err(|e| DbError::Other(Box::new(e)))
}

impl Store {
    /// Stores a walk; an escalation also opens a help request in the same transaction, so
    /// there is never an escalation without its request. The request's private-link secret
    /// is returned this once and stored only as its SHA-256.
    pub fn record_outcome(&self, o: &NewOutcome<'_>) -> Result<(OutcomeId, Option<SentRequest>)> {
        if o.trail.is_empty() {
            return Err(StoreError::Invalid(
                "the path of a walk must not be empty".into(),
            ));
        }
        check_text("note", o.note)?;
        check_text("contact", o.contact)?;
        let trail = serde_json::to_string(o.trail)
            .map_err(|e| StoreError::Invalid(format!("the path cannot be stored: {e}")))?;
        let answers = serde_json::to_string(o.answers)
            .map_err(|e| StoreError::Invalid(format!("the answers cannot be stored: {e}")))?;
        let now = OffsetDateTime::now_utc();
        let user_id = o.user_id.map(|u| u.0);
        let private_token = if o.outcome == Outcome::Escalate {
            Some(super::random_hex(32)?)
        } else {
            None
        };
        self.write(|tx| {
            let outcome_id = OutcomeId(tx.query_value(
                "INSERT INTO tree_outcomes (tree_id, tree_version, trail, outcome, note, user_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                args![o.tree_id, o.tree_version, &trail, o.outcome.as_str(), o.note, user_id, now],
            )?);
            let request = match &private_token {
                Some(token) => Some(SentRequest {
                    id: RequestId(tx.query_value(
                        "INSERT INTO help_requests (outcome_id, tree_id, trail, note, contact, user_id, created_at, updated_at, answers, token_hash)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9) RETURNING id",
                        args![outcome_id.0, o.tree_id, &trail, o.note, o.contact, user_id, now, &answers, super::sha256_hex(token)],
                    )?),
                    private_token: token.clone(),
                }),
                None => None,
            };
            if let (Some(sent), true) = (&request, self.webhooks_enabled()) {
                let data = super::webhooks::help_request_data(tx, sent.id, o.tree_id, "open", user_id)?;
                super::webhooks::enqueue(tx, crate::records::webhooks::EventType::HelpRequestCreated, data, now)?;
            }
            Ok((outcome_id, request))
        })
    }

    /// Counts walks, endings and per-node visits of one tree, all versions together.
    pub fn tree_stats(&self, tree_id: &str) -> Result<TreeStats> {
        let rows = self.read(|c| {
            Ok(c.query(
                "SELECT outcome, trail FROM tree_outcomes WHERE tree_id = ?1",
                args![tree_id],
            )?)
        })?;
        let mut stats = TreeStats::default();
        for row in &rows {
            let outcome: String = row.get(0)?;
            let trail = parse_trail(&row.get::<String>(1)?)?;
            stats.walks += 1;
            match outcome.as_str() {
                "resolved" => stats.resolved += 1,
                "escalate" => stats.escalated += 1,
                _ => {}
            }
            let mut seen = std::collections::BTreeSet::new();
            for node in &trail {
                if seen.insert(node.as_str()) {
                    stats.nodes.entry(node.clone()).or_default().passed_through += 1;
                }
            }
            if let Some(last) = trail.last() {
                stats.nodes.entry(last.clone()).or_default().stopped_at += 1;
            }
        }
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::Dialect;
    use crate::store::test_support::{store, stores};

    fn trail(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    fn walk<'a>(tree: &'a str, trail: &'a [String], outcome: Outcome) -> NewOutcome<'a> {
        NewOutcome {
            tree_id: tree,
            tree_version: "abc123",
            trail,
            outcome,
            note: Some("still broken"),
            contact: None,
            user_id: None,
            answers: &[],
        }
    }

    #[test]
    fn escalation_opens_a_request_in_the_same_transaction() {
        for (store, _db) in stores() {
            escalation_opens_a_request_in_the_same_transaction_on(&store);
        }
    }

    fn escalation_opens_a_request_in_the_same_transaction_on(store: &Store) {
        let t = trail(&["start", "oom"]);
        let (_, none) = store
            .record_outcome(&walk("pods", &t, Outcome::Resolved))
            .expect("r");
        assert!(none.is_none());
        let (oid, rid) = store
            .record_outcome(&walk("pods", &t, Outcome::Escalate))
            .expect("e");
        let rid = rid.expect("a request").id;
        let open = store
            .list_help_requests(HelpFilter {
                status: Some(RequestStatus::Open),
                tree_id: Some("pods"),
                ..Default::default()
            })
            .expect("list");
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].id, open[0].outcome_id), (rid, oid));
        assert_eq!(open[0].trail, t);
        assert_eq!(open[0].note.as_deref(), Some("still broken"));
        assert!(
            store
                .list_help_requests(HelpFilter {
                    tree_id: Some("other"),
                    ..Default::default()
                })
                .expect("l")
                .is_empty()
        );

        store
            .set_request_status(rid, RequestStatus::Closed)
            .expect("close");
        let all = store
            .list_help_requests(HelpFilter::default())
            .expect("all");
        assert_eq!(all[0].status, RequestStatus::Closed);
        assert!(
            store
                .set_request_status(RequestId(77), RequestStatus::Open)
                .is_err()
        );
    }

    #[test]
    fn a_failed_request_insert_rolls_back_the_outcome() {
        for (store, _db) in stores() {
            a_failed_request_insert_rolls_back_the_outcome_on(&store);
        }
    }

    fn a_failed_request_insert_rolls_back_the_outcome_on(store: &Store) {
        // Sabotage the request table so the second insert fails; the outcome must vanish too.
        store
            .read(|c| {
                let trigger = match c.dialect() {
                    Dialect::Sqlite => {
                        "CREATE TRIGGER no_requests BEFORE INSERT ON help_requests
                         BEGIN SELECT RAISE(ABORT, 'refused'); END;"
                    }
                    Dialect::Postgres => {
                        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql
                             AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
                         CREATE TRIGGER no_requests BEFORE INSERT ON help_requests
                             FOR EACH ROW EXECUTE FUNCTION refuse();"
                    }
                };
                Ok(c.batch(trigger)?)
            })
            .expect("trigger");
        let t = trail(&["start"]);
        assert!(
            store
                .record_outcome(&walk("pods", &t, Outcome::Escalate))
                .is_err()
        );
        assert_eq!(store.tree_stats("pods").expect("stats").walks, 0);
    }

    #[test]
    fn tree_stats_count_walks_and_nodes() {
        for (store, _db) in stores() {
            tree_stats_count_walks_and_nodes_on(&store);
        }
    }

    fn tree_stats_count_walks_and_nodes_on(store: &Store) {
        let a = trail(&["start", "oom", "limits"]);
        let b = trail(&["start", "oom"]);
        let c = trail(&["start", "crash", "start", "oom"]);
        store
            .record_outcome(&walk("pods", &a, Outcome::Resolved))
            .expect("a");
        store
            .record_outcome(&walk("pods", &b, Outcome::Escalate))
            .expect("b");
        store
            .record_outcome(&walk("pods", &c, Outcome::Escalate))
            .expect("c");
        store
            .record_outcome(&walk("other", &a, Outcome::Resolved))
            .expect("d");
        let s = store.tree_stats("pods").expect("stats");
        assert_eq!((s.walks, s.resolved, s.escalated), (3, 1, 2));
        assert_eq!(
            s.nodes["start"],
            NodeStats {
                passed_through: 3,
                stopped_at: 0
            }
        );
        assert_eq!(
            s.nodes["oom"],
            NodeStats {
                passed_through: 3,
                stopped_at: 2
            }
        );
        assert_eq!(
            s.nodes["limits"],
            NodeStats {
                passed_through: 1,
                stopped_at: 1
            }
        );
        assert_eq!(
            s.nodes["crash"],
            NodeStats {
                passed_through: 1,
                stopped_at: 0
            }
        );
        assert_eq!(
            store.tree_stats("nothing").expect("empty"),
            TreeStats::default()
        );
    }

    #[test]
    fn bad_outcomes_are_refused() {
        // Refused before any SQL runs, so one backend is enough.
        let (store, _dir) = store();
        let empty: Vec<String> = Vec::new();
        assert!(matches!(
            store.record_outcome(&walk("pods", &empty, Outcome::Resolved)),
            Err(StoreError::Invalid(_))
        ));
        let t = trail(&["start"]);
        let long = "x".repeat(MAX_TEXT + 1);
        let mut o = walk("pods", &t, Outcome::Escalate);
        o.note = Some(&long);
        assert!(matches!(
            store.record_outcome(&o),
            Err(StoreError::Invalid(_))
        ));
        assert!(RequestStatus::parse("pending").is_err());
    }
}
