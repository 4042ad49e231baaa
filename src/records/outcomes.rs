//! Troubleshooting walks' outcomes, help requests and per-tree stats, as plain values.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::UserId;
use crate::model::Outcome;

/// A tree outcome's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct OutcomeId(pub i64);

/// A help request's row id (the `request_id` the API answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RequestId(pub i64);

/// Where a help request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    /// Nobody has answered yet.
    Open,
    /// Someone replied.
    Answered,
    /// Done.
    Closed,
}

impl RequestStatus {
    /// The name in the database, URLs and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Answered => "answered",
            RequestStatus::Closed => "closed",
        }
    }

    /// Parses `open`, `answered` or `closed`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "open" => Ok(RequestStatus::Open),
            "answered" => Ok(RequestStatus::Answered),
            "closed" => Ok(RequestStatus::Closed),
            other => Err(format!(
                "`{other}` is not a request status; use open, answered or closed"
            )),
        }
    }
}

/// A finished walk, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutcome<'a> {
    /// The tree's document id.
    pub tree_id: &'a str,
    /// The tree's content hash at the time (stats can tell versions apart).
    pub tree_version: &'a str,
    /// Node ids from the start to where the walk ended.
    pub trail: &'a [String],
    /// How it ended; `Escalate` opens a help request.
    pub outcome: Outcome,
    /// What the reader wrote, if anything.
    pub note: Option<&'a str>,
    /// How to reach the reader (for escalations), if given.
    pub contact: Option<&'a str>,
    /// The reader, when signed in (walks are allowed anonymously).
    pub user_id: Option<UserId>,
    /// The answers chosen on the way, in order (kept with an escalation's help request).
    pub answers: &'a [Answer],
}

/// One answer of a walk, as the reader saw it: the question's title and the chosen answer's
/// label, copied when the request is sent (the tree may change later).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Answer {
    /// The question.
    pub question: String,
    /// The answer chosen.
    pub answer: String,
}

/// The platform team's reply to a help request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// What they wrote.
    pub text: String,
    /// Who replied (gone when the account was deleted).
    pub by: Option<UserId>,
    /// When.
    pub at: OffsetDateTime,
}

/// A help request just opened, with the secret of its private link. The secret is returned
/// this once; the database keeps only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentRequest {
    /// Row id.
    pub id: RequestId,
    /// 256 random bits in hex: whoever holds it may read the request and its reply.
    pub private_token: String,
}

/// A help request, as admins list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRequest {
    /// Row id.
    pub id: RequestId,
    /// The walk that opened it.
    pub outcome_id: OutcomeId,
    /// The tree's document id.
    pub tree_id: String,
    /// Node ids of the walk.
    pub trail: Vec<String>,
    /// What the reader wrote.
    pub note: Option<String>,
    /// How to reach the reader.
    pub contact: Option<String>,
    /// Where it stands.
    pub status: RequestStatus,
    /// The reader, when signed in.
    pub user_id: Option<UserId>,
    /// When it was opened.
    pub created_at: OffsetDateTime,
    /// When its status or reply last changed (the creation time until then).
    pub updated_at: OffsetDateTime,
    /// The answers chosen on the walk (empty for requests older than their keeping).
    pub answers: Vec<Answer>,
    /// The platform team's reply, once there is one.
    pub reply: Option<Reply>,
}

/// Which help requests to list; `Default` lists all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HelpFilter<'a> {
    /// Only this status.
    pub status: Option<RequestStatus>,
    /// Only this tree.
    pub tree_id: Option<&'a str>,
    /// Only this requester's.
    pub user_id: Option<UserId>,
}

/// How walks through one tree went.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TreeStats {
    /// Recorded walks.
    pub walks: u64,
    /// Walks that ended resolved.
    pub resolved: u64,
    /// Walks that ended in an escalation.
    pub escalated: u64,
    /// Per node id.
    pub nodes: BTreeMap<String, NodeStats>,
}

/// How often walks touched one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NodeStats {
    /// Walks that visited the node (where they ended included); a node visited twice in
    /// one walk counts once.
    pub passed_through: u64,
    /// Walks that ended at the node.
    pub stopped_at: u64,
}

/// How many walks of one tree ended one way on one UTC day (the deflection trend reads these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkDay {
    /// The tree's document id.
    pub tree_id: String,
    /// Days since the Unix epoch, UTC.
    pub day: i64,
    /// How those walks ended.
    pub outcome: Outcome,
    /// How many.
    pub walks: u64,
}

/// One stored walk as the per-node deflection figures read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkRecord {
    /// Days since the Unix epoch, UTC, when it ended.
    pub day: i64,
    /// How it ended.
    pub outcome: Outcome,
    /// Node ids from the start to where it ended.
    pub trail: Vec<String>,
}
