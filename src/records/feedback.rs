//! "Was this helpful?" (issue 16) as plain values: a vote on a page with an optional
//! comment, a period's figures per page and per day, and one page's comments. None of them
//! says who voted: the store never keeps it.

use serde::Serialize;
use time::OffsetDateTime;

/// Longest comment kept, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// One vote, as the web layer received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedback {
    /// The page's document id.
    pub doc_id: String,
    /// Yes (true) or no.
    pub helpful: bool,
    /// What the reader wrote, trimmed; `None` when nothing was.
    pub comment: Option<String>,
    /// When it was sent.
    pub at: OffsetDateTime,
}

impl NewFeedback {
    /// A vote sent now; a blank comment is none. `Err` with a sentence when the comment is
    /// longer than [`MAX_COMMENT_CHARS`].
    pub fn new(doc_id: &str, helpful: bool, comment: Option<&str>) -> Result<Self, String> {
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if let Some(text) = comment {
            let chars = text.chars().count();
            if chars > MAX_COMMENT_CHARS {
                return Err(format!(
                    "The comment is {chars} characters long; shorten it to at most {MAX_COMMENT_CHARS}."
                ));
            }
        }
        Ok(Self {
            doc_id: doc_id.to_owned(),
            helpful,
            comment: comment.map(str::to_owned),
            at: OffsetDateTime::now_utc(),
        })
    }
}

/// A stored vote's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FeedbackId(pub i64);

/// One page's votes in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageVotes {
    /// The page's document id.
    pub doc_id: String,
    /// Votes.
    pub votes: u64,
    /// Of those, "yes".
    pub helpful: u64,
    /// Votes that came with a comment.
    pub comments: u64,
    /// The newest vote.
    #[serde(with = "time::serde::rfc3339")]
    pub last_at: OffsetDateTime,
}

impl PageVotes {
    /// The share of "yes", 0–1; `None` without votes.
    pub fn helpful_rate(&self) -> Option<f64> {
        (self.votes > 0).then(|| self.helpful as f64 / self.votes as f64)
    }
}

/// One page's votes on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayVotes {
    /// Days since the Unix epoch.
    pub day: i64,
    /// The page's document id.
    pub doc_id: String,
    /// Votes.
    pub votes: u64,
    /// Of those, "yes".
    pub helpful: u64,
}

/// A comment left with a vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedbackComment {
    /// The vote's id.
    pub id: i64,
    /// Whether the vote was "yes".
    pub helpful: bool,
    /// The comment.
    pub comment: String,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_trimmed_blank_is_none_and_long_is_refused() {
        let vote = NewFeedback::new("a", true, Some("  fine  ")).expect("ok");
        assert_eq!(vote.comment.as_deref(), Some("fine"));
        assert_eq!(
            NewFeedback::new("a", false, Some(" \n "))
                .expect("ok")
                .comment,
            None
        );
        let longest = "é".repeat(MAX_COMMENT_CHARS);
        assert!(NewFeedback::new("a", false, Some(&longest)).is_ok());
        let err = NewFeedback::new("a", false, Some(&format!("{longest}x"))).expect_err("long");
        assert!(err.contains("at most 2000"), "{err}");
    }
}
