//! The webhook outbox (issue 18): messages queued in the transaction of the event they
//! announce, claimed one at a time by delivery workers, every attempt logged; and the
//! qualification statuses last announced, so the scheduled check announces only changes.
//!
//! Messages are queued only once [`Store::enable_webhooks`] was called (the server does when
//! a webhook endpoint is configured): without a receiver the outbox would only grow.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use time::OffsetDateTime;

use super::db::{Conn, DbResult, Row, args};
use super::{Result, Store, StoreError};
use crate::records::webhooks::{
    Announced, Announcement, AttemptResult, ClaimedMessage, Delivery, DeliveryStatus, EventType,
    NextStep, message_body, new_message_id, rfc3339,
};
use crate::records::{RequestId, UserId};

/// The state key recording when the first check took its silent baseline.
const BASELINE: &str = "standings_baseline_at";
/// The state key: the newest pass the last check had seen.
const CHECKED_PASS: &str = "standings_pass_id";
/// The state key: the moment the last check judged at.
const CHECKED_AT: &str = "standings_checked_at";

/// The columns [`delivery_of`] reads, in its order.
const COLUMNS: &str = "id, event_type, payload, created_at, status, attempts, next_attempt_at, \
     last_attempt_at, last_http_status, last_error, last_duration_ms";

fn delivery_of(r: &Row) -> DbResult<Delivery> {
    let status: String = r.get(4)?;
    let last = match r.get::<Option<OffsetDateTime>>(7)? {
        Some(at) => Some(AttemptResult {
            at,
            http_status: r.get(8)?,
            error: r.get(9)?,
            duration_ms: r.get::<Option<u64>>(10)?.unwrap_or(0),
        }),
        None => None,
    };
    Ok(Delivery {
        id: r.get(0)?,
        event: r.get(1)?,
        payload: r.get(2)?,
        created_at: r.get(3)?,
        // The CHECK constraint admits only the three names.
        status: DeliveryStatus::parse(&status).unwrap_or(DeliveryStatus::Pending),
        attempts: r.get(5)?,
        next_attempt_at: r.get(6)?,
        last,
    })
}

/// Queues one message on `c` (inside the caller's transaction); its id.
pub(super) fn enqueue(
    c: &mut dyn Conn,
    event: EventType,
    data: serde_json::Value,
    now: OffsetDateTime,
) -> DbResult<String> {
    let id = new_message_id();
    let body = message_body(&id, event, now, data);
    c.execute(
        "INSERT INTO webhook_messages (id, event_type, payload, created_at, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
        args![&id, event.as_str(), &body, now],
    )?;
    Ok(id)
}

/// The account name of `user`, for a message's data.
fn name_of(c: &mut dyn Conn, user: Option<i64>) -> DbResult<Option<String>> {
    let Some(id) = user else { return Ok(None) };
    c.query_opt("SELECT name FROM users WHERE id = ?1", args![id])?
        .map(|r| r.get::<String>(0))
        .transpose()
}

/// The `data` of a help request's messages.
pub(super) fn help_request_data(
    c: &mut dyn Conn,
    id: RequestId,
    tree: &str,
    status: &str,
    learner: Option<i64>,
) -> DbResult<serde_json::Value> {
    Ok(serde_json::json!({
        "request": id.0,
        "tree": tree,
        "status": status,
        "learner": name_of(c, learner)?,
        "path": format!("/requests#request-{}", id.0),
    }))
}

/// Queues `help_request.answered` for a request just replied to (inside its transaction).
pub(super) fn enqueue_answered(
    c: &mut dyn Conn,
    id: RequestId,
    by: UserId,
    now: OffsetDateTime,
) -> DbResult<()> {
    let Some(row) = c.query_opt(
        "SELECT tree_id, user_id FROM help_requests WHERE id = ?1",
        args![id.0],
    )?
    else {
        return Ok(());
    };
    let tree: String = row.get(0)?;
    let mut data = help_request_data(c, id, &tree, "answered", row.get(1)?)?;
    data["answered_by"] = serde_json::Value::from(name_of(c, Some(by.0))?);
    data["answered_at"] = serde_json::Value::from(rfc3339(now));
    enqueue(c, EventType::HelpRequestAnswered, data, now)?;
    Ok(())
}

impl Store {
    /// From now on, events queue webhook messages (on every clone of this store).
    pub fn enable_webhooks(&self) {
        self.webhooks.store(true, Ordering::Relaxed);
    }

    /// Whether events queue webhook messages.
    pub fn webhooks_enabled(&self) -> bool {
        self.webhooks.load(Ordering::Relaxed)
    }

    /// Queues a message now (outside any other write).
    pub fn enqueue_webhook(&self, event: EventType, data: serde_json::Value) -> Result<String> {
        let now = OffsetDateTime::now_utc();
        self.write(|c| Ok(enqueue(c, event, data, now)?))
    }

    /// Takes the message that has been due longest, leased to the caller until `lease_until`
    /// (after which another worker may take it, should this one have died). A conditional
    /// UPDATE: of two workers asking at once, only one gets a message.
    pub fn claim_webhook(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Option<ClaimedMessage>> {
        let row = self.read(|c| {
            Ok(c.query_opt(
                "UPDATE webhook_messages SET claimed_until = ?2
                 WHERE id = (SELECT id FROM webhook_messages
                             WHERE status = 'pending' AND next_attempt_at <= ?1
                               AND (claimed_until IS NULL OR claimed_until <= ?1)
                             ORDER BY next_attempt_at, id LIMIT 1)
                   AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= ?1)
                 RETURNING id, payload, attempts - round_start",
                args![now, lease_until],
            )?)
        })?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ClaimedMessage {
            id: row.get(0)?,
            payload: row.get(1)?,
            round_attempts: row.get(2)?,
        }))
    }

    /// When the next pending message is due, if any (so a worker can sleep until then).
    pub fn next_webhook_due(&self) -> Result<Option<OffsetDateTime>> {
        self.read(|c| {
            Ok(c.query_value(
                "SELECT MIN(next_attempt_at) FROM webhook_messages WHERE status = 'pending'",
                &[],
            )?)
        })
    }

    /// Logs an attempt and moves the message on: delivered, due again, or failed.
    pub fn record_webhook_attempt(
        &self,
        id: &str,
        result: &AttemptResult,
        next: NextStep,
    ) -> Result<()> {
        let (status, next_at) = match next {
            NextStep::Delivered => (DeliveryStatus::Delivered, None),
            NextStep::RetryAt(at) => (DeliveryStatus::Pending, Some(at)),
            NextStep::GiveUp => (DeliveryStatus::Failed, None),
        };
        self.write(|c| {
            c.execute(
                "INSERT INTO webhook_attempts (message_id, attempted_at, http_status, error, duration_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                args![id, result.at, result.http_status, result.error.as_deref(), result.duration_ms],
            )?;
            c.execute(
                "UPDATE webhook_messages
                 SET attempts = attempts + 1, last_attempt_at = ?2, last_http_status = ?3,
                     last_error = ?4, last_duration_ms = ?5, status = ?6, next_attempt_at = ?7,
                     claimed_until = NULL
                 WHERE id = ?1",
                args![
                    id,
                    result.at,
                    result.http_status,
                    result.error.as_deref(),
                    result.duration_ms,
                    status.as_str(),
                    next_at
                ],
            )?;
            Ok(())
        })
    }

    /// The newest messages first, at most `limit`, optionally of one status.
    pub fn webhook_deliveries(
        &self,
        status: Option<DeliveryStatus>,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        self.read(|c| {
            Ok(c.query_map(
                &format!(
                    "SELECT {COLUMNS} FROM webhook_messages
                     WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1)
                     ORDER BY created_at DESC, id DESC LIMIT ?2"
                ),
                args![status.map(DeliveryStatus::as_str), limit],
                delivery_of,
            )?)
        })
    }

    /// One message and every attempt to deliver it, oldest first.
    pub fn webhook_delivery(&self, id: &str) -> Result<Option<(Delivery, Vec<AttemptResult>)>> {
        self.read(|c| {
            let Some(row) = c.query_opt(
                &format!("SELECT {COLUMNS} FROM webhook_messages WHERE id = ?1"),
                args![id],
            )?
            else {
                return Ok(None);
            };
            let delivery = delivery_of(&row)?;
            let attempts = c.query_map(
                "SELECT attempted_at, http_status, error, duration_ms FROM webhook_attempts
                 WHERE message_id = ?1 ORDER BY id",
                args![id],
                |r| {
                    Ok(AttemptResult {
                        at: r.get(0)?,
                        http_status: r.get(1)?,
                        error: r.get(2)?,
                        duration_ms: r.get(3)?,
                    })
                },
            )?;
            Ok(Some((delivery, attempts)))
        })
    }

    /// Sends a message again, whatever became of it: due now, with a fresh retry schedule.
    /// A worker holding it keeps its lease, so it is never sent twice at once.
    pub fn redeliver_webhook(&self, id: &str, now: OffsetDateTime) -> Result<()> {
        let changed = self.write(|c| {
            Ok(c.execute(
                "UPDATE webhook_messages
                 SET status = 'pending', next_attempt_at = ?2, round_start = attempts
                 WHERE id = ?1",
                args![id, now],
            )?)
        })?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!(
                "there is no webhook message {id}; pick one from the delivery log"
            )));
        }
        Ok(())
    }

    /// Deletes delivered and failed messages queued before `before` (and their attempts).
    pub fn prune_webhooks(&self, before: OffsetDateTime) -> Result<u64> {
        self.write(|c| {
            c.execute(
                "DELETE FROM webhook_attempts WHERE message_id IN
                   (SELECT id FROM webhook_messages WHERE status != 'pending' AND created_at < ?1)",
                args![before],
            )?;
            Ok(c.execute(
                "DELETE FROM webhook_messages WHERE status != 'pending' AND created_at < ?1",
                args![before],
            )?)
        })
    }

    /// The id of the newest passing attempt (0: none), which moves whenever anyone passes.
    pub fn latest_pass_id(&self) -> Result<i64> {
        self.read(|c| {
            Ok(c.query_value(
                "SELECT COALESCE(MAX(id), 0) FROM attempts WHERE passed = 1",
                &[],
            )?)
        })
    }

    /// The learners with a pass newer than `pass_id` (what a check after new passes re-judges).
    pub fn learners_passed_since(&self, pass_id: i64) -> Result<Vec<UserId>> {
        self.read(|c| {
            Ok(c.query_map(
                "SELECT DISTINCT user_id FROM attempts WHERE passed = 1 AND id > ?1",
                args![pass_id],
                |r| Ok(UserId(r.get(0)?)),
            )?)
        })
    }

    /// Applies one qualification check: under a lock every replica shares, reads what was
    /// announced, lets `plan` (given it and whether this is the first check, the silent
    /// baseline) say what changed, and stores the changes with their messages in one
    /// transaction. `pass_id` and `at` say how fresh the caller's judgement is: when another
    /// replica already applied a fresher one, nothing is done (`None`), so a stale judgement
    /// never announces a change back. Returns how many messages were queued.
    pub fn announce_standings(
        &self,
        pass_id: i64,
        at: OffsetDateTime,
        plan: impl FnOnce(&HashMap<(UserId, String), Announced>, bool) -> Vec<Announcement> + Send,
    ) -> Result<Option<usize>> {
        self.write(|c| {
            c.lock("webhooks:standings")?;
            let state: HashMap<String, i64> = c
                .query_map("SELECT key, value FROM webhook_state", &[], |r| {
                    Ok((r.get::<String>(0)?, r.get::<i64>(1)?))
                })?
                .into_iter()
                .collect();
            let fresher = state.get(CHECKED_PASS).is_some_and(|p| *p > pass_id)
                || state
                    .get(CHECKED_AT)
                    .is_some_and(|t| *t > at.unix_timestamp());
            if fresher {
                return Ok(None);
            }
            let baseline = !state.contains_key(BASELINE);
            let announced: HashMap<(UserId, String), Announced> = c
                .query_map(
                    "SELECT user_id, resource_id, status, expires_at FROM qualification_announced",
                    &[],
                    |r| {
                        Ok((
                            (UserId(r.get(0)?), r.get::<String>(1)?),
                            Announced {
                                status: r.get(2)?,
                                expires: r.get(3)?,
                            },
                        ))
                    },
                )?
                .into_iter()
                .collect();
            let changes = plan(&announced, baseline);
            let mut queued = 0;
            for change in changes {
                match &change.now {
                    Some(now) => c.execute(
                        "INSERT INTO qualification_announced (user_id, resource_id, status, expires_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT (user_id, resource_id) DO UPDATE SET
                             status = excluded.status, expires_at = excluded.expires_at,
                             updated_at = excluded.updated_at",
                        args![change.user.0, &change.resource, &now.status, now.expires, at],
                    )?,
                    None => c.execute(
                        "DELETE FROM qualification_announced WHERE user_id = ?1 AND resource_id = ?2",
                        args![change.user.0, &change.resource],
                    )?,
                };
                if let (Some((event, data)), false) = (change.event, baseline) {
                    enqueue(c, event, data, at)?;
                    queued += 1;
                }
            }
            let mut set = |key: &str, value: i64| {
                c.execute(
                    "INSERT INTO webhook_state (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    args![key, value],
                )
            };
            if baseline {
                set(BASELINE, at.unix_timestamp())?;
            }
            set(CHECKED_PASS, pass_id)?;
            set(CHECKED_AT, at.unix_timestamp())?;
            Ok(Some(queued))
        })
    }
}

#[cfg(test)]
#[path = "webhooks_tests.rs"]
mod tests;
