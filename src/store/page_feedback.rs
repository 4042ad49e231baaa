//! "Was this helpful?" votes (issue 16): one row per vote on a page, with an optional
//! comment; never who voted.
//!
//! Anyone may vote, so the table is bounded like the search log: rows older than its
//! retention go, and past its row cap the oldest rows go first. Both limits come from
//! `site.toml`'s `[search_log]` ([`SearchLogLimits`]); every insert prunes, and the search
//! logger's idle pruning calls [`Store::prune_page_feedback`] too, so old votes go even when
//! nobody votes. The web layer rate-limits votes per client address before they get here.

use time::OffsetDateTime;

use super::db::{Conn, DbResult, args};
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
            let id: i64 = tx.query_value(
                "INSERT INTO page_feedback (doc_id, helpful, comment, created_at)
                 VALUES (?1, ?2, ?3, ?4) RETURNING id",
                args![
                    &vote.doc_id,
                    i64::from(vote.helpful),
                    vote.comment.as_deref(),
                    vote.at
                ],
            )?;
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
        let rows = self.read(|c| {
            Ok(c.query_map(
                // The CASE is the covering index's own expression, word for word.
                "SELECT doc_id, helpful, CASE WHEN comment IS NULL THEN 0 ELSE 1 END, created_at
                 FROM page_feedback WHERE created_at >= ?1",
                args![since],
                |r| {
                    Ok(VoteRow {
                        doc_id: r.get(0)?,
                        helpful: r.get::<i64>(1)? != 0,
                        commented: r.get::<i64>(2)? != 0,
                        at: r.get(3)?,
                    })
                },
            )?)
        })?;
        Ok(sum_votes(rows))
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

/// One vote as [`Store::feedback_period`] reads it.
struct VoteRow {
    doc_id: String,
    helpful: bool,
    commented: bool,
    at: OffsetDateTime,
}

/// Votes summed per page (most votes first, ties by id) and per UTC day and page (oldest
/// day first, then by id).
fn sum_votes(rows: Vec<VoteRow>) -> (Vec<PageVotes>, Vec<DayVotes>) {
    use std::collections::HashMap;
    // Keyed by the rows' own ids: only one string per page and per day is copied.
    let mut pages: HashMap<&str, (u64, u64, u64, OffsetDateTime)> = HashMap::new();
    let mut days: HashMap<(i64, &str), (u64, u64)> = HashMap::new();
    for row in &rows {
        let helpful = u64::from(row.helpful);
        let day = days.entry((day_of(row.at), &row.doc_id)).or_default();
        day.0 += 1;
        day.1 += helpful;
        let page = pages.entry(&row.doc_id).or_insert((0, 0, 0, row.at));
        page.0 += 1;
        page.1 += helpful;
        page.2 += u64::from(row.commented);
        page.3 = page.3.max(row.at);
    }
    let mut pages: Vec<PageVotes> = pages
        .into_iter()
        .map(|(id, (votes, helpful, comments, last_at))| PageVotes {
            doc_id: id.to_owned(),
            votes,
            helpful,
            comments,
            last_at,
        })
        .collect();
    pages.sort_by(|a, b| b.votes.cmp(&a.votes).then_with(|| a.doc_id.cmp(&b.doc_id)));
    let mut days: Vec<DayVotes> = days
        .into_iter()
        .map(|((day, id), (votes, helpful))| DayVotes {
            day,
            doc_id: id.to_owned(),
            votes,
            helpful,
        })
        .collect();
    days.sort_by(|a, b| a.day.cmp(&b.day).then_with(|| a.doc_id.cmp(&b.doc_id)));
    (pages, days)
}

#[cfg(test)]
#[path = "page_feedback_tests.rs"]
mod tests;
