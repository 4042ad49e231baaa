//! Webhook messages as plain values: the events, the message body every receiver gets, a
//! message's place in the delivery log, and the qualification statuses last announced.

use serde::Serialize;
use time::OffsetDateTime;

use super::UserId;

/// What happened, as the `type` of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EventType {
    /// A learner became qualified for a resource (or renewed a qualification that was about
    /// to lapse: the body carries the new expiry).
    #[serde(rename = "qualification.granted")]
    QualificationGranted,
    /// A qualification entered the site's `expiring_days` window.
    #[serde(rename = "qualification.expiring")]
    QualificationExpiring,
    /// A qualification lapsed: a pass grew older than `valid_for`, or a required module's
    /// version was raised (then the status is `missing`).
    #[serde(rename = "qualification.expired")]
    QualificationExpired,
    /// A troubleshooting walk ended in an escalation and opened a help request.
    #[serde(rename = "help_request.created")]
    HelpRequestCreated,
    /// The platform team replied to a help request.
    #[serde(rename = "help_request.answered")]
    HelpRequestAnswered,
}

impl EventType {
    /// Every event, in the order the documentation lists them.
    pub const ALL: [EventType; 5] = [
        EventType::QualificationGranted,
        EventType::QualificationExpiring,
        EventType::QualificationExpired,
        EventType::HelpRequestCreated,
        EventType::HelpRequestAnswered,
    ];

    /// The name receivers see (`qualification.granted`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::QualificationGranted => "qualification.granted",
            EventType::QualificationExpiring => "qualification.expiring",
            EventType::QualificationExpired => "qualification.expired",
            EventType::HelpRequestCreated => "help_request.created",
            EventType::HelpRequestAnswered => "help_request.answered",
        }
    }
}

/// A new message id: `msg_` and a UUIDv7 (time-ordered), the `webhook-id` of every attempt
/// to deliver it, so receivers can drop a message they already handled.
pub fn new_message_id() -> String {
    format!("msg_{}", uuid::Uuid::now_v7().simple())
}

/// The body of a message, in the envelope the Standard Webhooks specification recommends:
/// `{"id", "type", "timestamp", "data"}` (`timestamp` is when the event happened, RFC 3339).
pub fn message_body(
    id: &str,
    event: EventType,
    at: OffsetDateTime,
    data: serde_json::Value,
) -> String {
    serde_json::json!({
        "id": id,
        "type": event.as_str(),
        "timestamp": rfc3339(at),
        "data": data,
    })
    .to_string()
}

/// A time as messages write it: RFC 3339 in UTC, whole seconds.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Where a message is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// A receiver answered 2xx.
    Delivered,
    /// Every attempt of the retry schedule failed (an admin may redeliver it).
    Failed,
}

impl DeliveryStatus {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    /// The status named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "failed" => Some(DeliveryStatus::Failed),
            _ => None,
        }
    }
}

/// One message of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `msg_…`, the `webhook-id` header.
    pub id: String,
    /// What happened.
    pub event: String,
    /// The body sent (JSON).
    pub payload: String,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// Where it is.
    pub status: DeliveryStatus,
    /// Attempts made so far (redeliveries included).
    pub attempts: u32,
    /// When the next attempt is due (pending messages only).
    pub next_attempt_at: Option<OffsetDateTime>,
    /// The last attempt, if any.
    pub last: Option<AttemptResult>,
}

/// What one attempt to deliver a message came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptResult {
    /// When it was sent.
    pub at: OffsetDateTime,
    /// The receiver's HTTP status, when it answered.
    pub http_status: Option<u16>,
    /// Why it failed, when it did (a status outside 2xx, a timeout, a refused connection).
    pub error: Option<String>,
    /// How long the receiver took, in milliseconds.
    pub duration_ms: u64,
}

impl AttemptResult {
    /// True for a 2xx answer.
    pub fn delivered(&self) -> bool {
        self.http_status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// A message claimed for an attempt by one delivery worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedMessage {
    /// `msg_…`.
    pub id: String,
    /// The body to send.
    pub payload: String,
    /// Attempts made before this one in the current round (a redelivery starts a new round),
    /// which picks the wait before the next one.
    pub round_attempts: u32,
}

/// What comes after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Delivered: no more attempts.
    Delivered,
    /// Failed: try again at this time.
    RetryAt(OffsetDateTime),
    /// Failed for the last time in this round.
    GiveUp,
}

/// The qualification status last announced for one learner and resource (a missing row is
/// `missing`: never qualified, or announced as lapsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    /// `qualified`, `expiring` or `expired`.
    pub status: String,
    /// When it lapses.
    pub expires: Option<OffsetDateTime>,
}

/// A change to what has been announced, with the message announcing it (none while the
/// first check records where everyone stands).
#[derive(Debug, Clone, PartialEq)]
pub struct Announcement {
    /// The learner.
    pub user: UserId,
    /// The resource's id.
    pub resource: String,
    /// The new status; `None` forgets the row (the status is `missing`).
    pub now: Option<Announced>,
    /// The event and its `data`, if the change is one receivers hear of.
    pub event: Option<(EventType, serde_json::Value)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_use_the_recommended_envelope() {
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let body = message_body(
            "msg_1",
            EventType::HelpRequestCreated,
            at,
            serde_json::json!({"request": 7}),
        );
        let value: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(value["type"], "help_request.created");
        assert_eq!(value["id"], "msg_1");
        assert_eq!(value["timestamp"], "2027-01-15T08:00:00Z");
        assert_eq!(value["data"]["request"], 7);
        let id = new_message_id();
        assert!(id.starts_with("msg_") && id.len() == 36, "{id}");
        for event in EventType::ALL {
            let json = serde_json::to_value(event).expect("serialises");
            assert_eq!(json, event.as_str());
        }
    }
}
