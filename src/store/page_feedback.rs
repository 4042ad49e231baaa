//! "Was this helpful?" votes (issue 16): one row per vote on a page, with an optional
//! comment; never who voted.
//!
//! Anyone may vote, so the table is bounded like the search log: rows older than its
//! retention go, and past its row cap the oldest rows go first. Both limits come from
//! `site.toml`'s `[search_log]` ([`SearchLogLimits`]); every insert prunes, and the search
//! logger's idle pruning calls [`Store::prune_page_feedback`] too, so old votes go even when
//! nobody votes. The web layer rate-limits votes per client address before they get here.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::db::{Conn, DbResult, Value, args};
use super::{Result, Store, StoreError};
pub use crate::records::{
    DayVotes, FeedbackComment, FeedbackId, MAX_COMMENT_CHARS, NewFeedback, PageVotes,
};
use crate::records::{SearchLogLimits, day_of};

/// Deletes what `limits` no longer keep: votes from days before the retention's first day,
/// then the oldest past the row cap (ids grow with every vote).
fn prune(tx: &mut dyn Conn, limits: SearchLogLimits, now: OffsetDateTime) -> DbResult<u64> {
    let first_day = day_of(now) - i64::from(limits.retention_days.max(1)) + 1;
    let old = tx.execute(
        "DELETE FROM page_feedback WHERE created_at < ?1",
        args![first_day * 86_400],
    )?;
    let max_id: Option<i64> = tx.query_value("SELECT max(id) FROM page_feedback", &[])?;
    let over = match max_id {
        Some(max_id) => tx.execute(
            "DELETE FROM page_feedback WHERE id < ?1",
            args![max_id - i64::from(limits.max_rows.max(1)) + 1],
        )?,
        None => 0,
    };
    Ok(old + over)
}

/// The insert of one vote, with [`vote_args`] (the bulk insert of generated data uses it too).
pub(super) const INSERT_VOTE: &str =
    "INSERT INTO page_feedback (doc_id, helpful, comment, created_at) VALUES (?1, ?2, ?3, ?4)";

/// The values of [`INSERT_VOTE`].
pub(super) fn vote_args(vote: &NewFeedback) -> [Value; 4] {
    [
        Value::from(&vote.doc_id),
        Value::from(i64::from(vote.helpful)),
        Value::from(vote.comment.as_deref()),
        Value::from(vote.at),
    ]
}

impl Store {
    /// Stores one vote and prunes the table to `limits`; the vote's id.
    pub fn insert_feedback(
        &self,
        vote: &NewFeedback,
        limits: SearchLogLimits,
    ) -> Result<FeedbackId> {
        if vote
            .comment
            .as_deref()
            .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
        {
            return Err(StoreError::Invalid(format!(
                "A comment may be at most {MAX_COMMENT_CHARS} characters long; shorten it."
            )));
        }
        self.write(|tx| {
            let id: i64 =
                tx.query_value(&format!("{INSERT_VOTE} RETURNING id"), &vote_args(vote))?;
            prune(tx, limits, OffsetDateTime::now_utc())?;
            Ok(FeedbackId(id))
        })
    }

    /// Deletes the votes `limits` no longer keep; how many went.
    pub fn prune_page_feedback(&self, limits: SearchLogLimits, now: OffsetDateTime) -> Result<u64> {
        self.write(|tx| Ok(prune(tx, limits, now)?))
    }

    /// Every page's votes since `since`, most votes first (ties by id).
    pub fn feedback_by_page(&self, since: OffsetDateTime) -> Result<Vec<PageVotes>> {
        Ok(self.feedback_period(since)?.0)
    }

    /// Votes per page and UTC day since `since`, oldest day first; only `doc_id`'s when given.
    pub fn feedback_by_day(
        &self,
        since: OffsetDateTime,
        doc_id: Option<&str>,
    ) -> Result<Vec<DayVotes>> {
        let Some(doc_id) = doc_id else {
            return Ok(self.feedback_period(since)?.1);
        };
        self.read(|c| {
            Ok(c.query_map(
                "SELECT created_at / 86400 AS day, COUNT(*), CAST(SUM(helpful) AS BIGINT)
                 FROM page_feedback WHERE doc_id = ?1 AND created_at >= ?2
                 GROUP BY created_at / 86400 ORDER BY day",
                args![doc_id, since],
                |r| {
                    Ok(DayVotes {
                        day: r.get(0)?,
                        doc_id: doc_id.to_owned(),
                        votes: r.get(1)?,
                        helpful: r.get(2)?,
                    })
                },
            )?)
        })
    }

    /// Both of the above for every page, from one read: [`Store::feedback_by_page`]'s list
    /// and [`Store::feedback_by_day`]'s. The period's rows come from the covering index on
    /// time and are summed here: grouped in the database, 100,000 votes cost a sort by page
    /// (and by day and page) several times longer than the read.
    pub fn feedback_period(
        &self,
        since: OffsetDateTime,
    ) -> Result<(Vec<PageVotes>, Vec<DayVotes>)> {
        self.read(|c| {
            let mut sums = VoteSums::default();
            c.query_each(
                // The CASE is the covering index's own expression, word for word.
                "SELECT doc_id, helpful, CASE WHEN comment IS NULL THEN 0 ELSE 1 END, created_at
                 FROM page_feedback WHERE created_at >= ?1",
                args![since],
                &mut |r| {
                    sums.add(
                        r.text(0)?,
                        r.get::<i64>(1)? != 0,
                        r.get::<i64>(2)? != 0,
                        r.get(3)?,
                    );
                    Ok(())
                },
            )?;
            Ok(sums.finish())
        })
    }

    /// One page's comments since `since`, newest first: `limit` of them after skipping
    /// `offset`.
    pub fn feedback_comments(
        &self,
        doc_id: &str,
        since: OffsetDateTime,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<FeedbackComment>> {
        self.read(|c| {
            Ok(c.query_map(
                "SELECT id, helpful, comment, created_at FROM page_feedback
                 WHERE doc_id = ?1 AND created_at >= ?2 AND comment IS NOT NULL
                 ORDER BY created_at DESC, id DESC LIMIT ?3 OFFSET ?4",
                args![doc_id, since, limit, offset],
                |r| {
                    Ok(FeedbackComment {
                        id: r.get(0)?,
                        helpful: r.get(1)?,
                        comment: r.get(2)?,
                        at: r.get(3)?,
                    })
                },
            )?)
        })
    }

    /// Votes kept, all pages together.
    pub fn page_feedback_rows(&self) -> Result<u64> {
        self.read(|c| Ok(c.query_value("SELECT COUNT(*) FROM page_feedback", &[])?))
    }
}

/// Votes summed, as they are read, per page and per page and UTC day; a page's id is copied
/// once, not once per vote.
#[derive(Default)]
struct VoteSums {
    pages: HashMap<String, PageSums>,
}

/// One page's votes, comments, last vote, and votes and "yes" votes per day.
struct PageSums {
    votes: u64,
    helpful: u64,
    comments: u64,
    last_at: OffsetDateTime,
    days: HashMap<i64, (u64, u64)>,
}

impl VoteSums {
    fn add(&mut self, doc_id: &str, helpful: bool, commented: bool, at: OffsetDateTime) {
        let page = match self.pages.get_mut(doc_id) {
            Some(page) => page,
            None => self
                .pages
                .entry(doc_id.to_owned())
                .or_insert_with(|| PageSums {
                    votes: 0,
                    helpful: 0,
                    comments: 0,
                    last_at: at,
                    days: HashMap::new(),
                }),
        };
        page.votes += 1;
        page.helpful += u64::from(helpful);
        page.comments += u64::from(commented);
        page.last_at = page.last_at.max(at);
        let day = page.days.entry(day_of(at)).or_default();
        day.0 += 1;
        day.1 += u64::from(helpful);
    }

    /// Pages most votes first (ties by id); days oldest first, then by page id.
    fn finish(self) -> (Vec<PageVotes>, Vec<DayVotes>) {
        let mut pages = Vec::with_capacity(self.pages.len());
        let mut days = Vec::new();
        for (doc_id, page) in self.pages {
            days.extend(page.days.iter().map(|(day, (votes, helpful))| DayVotes {
                day: *day,
                doc_id: doc_id.clone(),
                votes: *votes,
                helpful: *helpful,
            }));
            pages.push(PageVotes {
                doc_id,
                votes: page.votes,
                helpful: page.helpful,
                comments: page.comments,
                last_at: page.last_at,
            });
        }
        pages.sort_by(|a, b| b.votes.cmp(&a.votes).then_with(|| a.doc_id.cmp(&b.doc_id)));
        days.sort_by(|a, b| a.day.cmp(&b.day).then_with(|| a.doc_id.cmp(&b.doc_id)));
        (pages, days)
    }
}

#[cfg(test)]
#[path = "page_feedback_tests.rs"]
mod tests;
