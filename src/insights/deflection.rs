//! Troubleshooting deflection (issue 16, item 4): of the walks through a tree, how many ended
//! resolved (the reader fixed it themselves) and how many escalated (a help request), over
//! time, and per node where walks reached, stopped, escalated or resolved.
//!
//! Definitions, used by the pages, the CSV and the JSON alike:
//! - walks = resolved + escalated (only finished walks are stored; an abandoned walk leaves
//!   no record);
//! - deflection rate = resolved ÷ walks, `None` without walks;
//! - per node: *reached* = walks whose trail contains it (once per walk, however often a
//!   walk came back to it); *stopped* = walks that ended at it; *escalated* and *resolved* =
//!   those of the stopped walks that ended that way (an escalation may end on a `.resolved`
//!   leaf: the fix was tried and did not work).

use std::collections::{BTreeMap, BTreeSet};

use super::Period;
use crate::model::{Outcome, Tree};
use crate::records::{WalkDay, WalkRecord};

/// Walks and how they ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deflection {
    /// Finished walks.
    pub walks: u64,
    /// Walks that ended resolved.
    pub resolved: u64,
    /// Walks that ended in a help request.
    pub escalated: u64,
}

impl Deflection {
    /// Adds `walks` walks that ended as `outcome`.
    pub fn add(&mut self, outcome: Outcome, walks: u64) {
        self.walks += walks;
        match outcome {
            Outcome::Resolved => self.resolved += walks,
            Outcome::Escalate => self.escalated += walks,
        }
    }

    /// resolved ÷ walks, `None` without walks.
    pub fn rate(&self) -> Option<f64> {
        (self.walks > 0).then(|| self.resolved as f64 / self.walks as f64)
    }
}

/// Whether a trend counts per day or per week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// One point per UTC day.
    Day,
    /// One point per seven days, counted from the period's first day.
    Week,
}

impl Bucket {
    /// Days for a period of up to 31 days, weeks beyond (a line of 365 points says less).
    pub fn for_period(period: Period) -> Self {
        if period.days() <= 31 {
            Self::Day
        } else {
            Self::Week
        }
    }

    /// Its name in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
        }
    }

    fn len(self) -> i64 {
        match self {
            Self::Day => 1,
            Self::Week => 7,
        }
    }
}

/// One point of a trend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendPoint {
    /// The first day it covers, in days since the Unix epoch (UTC).
    pub first_day: i64,
    /// `2026-11-30`, for a week the date of its first day.
    pub label: String,
    /// The walks it counts.
    pub figures: Deflection,
}

/// Resolved and escalated walks per day or week of the period, oldest first, every point
/// present (zero when nothing happened), so a chart's x axis is the period itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trend {
    /// Days or weeks.
    pub bucket: Bucket,
    /// The points.
    pub points: Vec<TrendPoint>,
}

/// A day number (days since the Unix epoch) as `YYYY-MM-DD`.
pub fn day_label(day: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(day.saturating_mul(86_400))
        .map(|t| {
            let d = t.date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        })
        .unwrap_or_default()
}

/// The trend of `days` (walks per day and ending) over `period`, today being `today`; days
/// outside the period are ignored.
pub fn trend(
    period: Period,
    today: i64,
    days: impl IntoIterator<Item = (i64, Outcome, u64)>,
) -> Trend {
    let bucket = Bucket::for_period(period);
    let first = period.first_day(today);
    let count = (i64::from(period.days()) + bucket.len() - 1) / bucket.len();
    let mut points: Vec<TrendPoint> = (0..count)
        .map(|i| {
            let first_day = first + i * bucket.len();
            TrendPoint {
                first_day,
                label: day_label(first_day),
                figures: Deflection::default(),
            }
        })
        .collect();
    for (day, outcome, walks) in days {
        if day < first || day > today {
            continue;
        }
        let index = usize::try_from((day - first) / bucket.len()).unwrap_or(usize::MAX);
        if let Some(point) = points.get_mut(index) {
            point.figures.add(outcome, walks);
        }
    }
    Trend { bucket, points }
}

/// One tree's figures over a period, from the per-day counts of any trees (others ignored).
pub fn tree_figures(tree_id: &str, days: &[WalkDay]) -> Deflection {
    let mut figures = Deflection::default();
    for d in days.iter().filter(|d| d.tree_id == tree_id) {
        figures.add(d.outcome, d.walks);
    }
    figures
}

/// What walks did at one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeFigures {
    /// The node's id.
    pub id: String,
    /// Its heading in the tree as it is now; `None` for a node only older versions had.
    pub title: Option<String>,
    /// Walks that passed through it.
    pub reached: u64,
    /// Walks that ended at it.
    pub stopped: u64,
    /// Walks that ended at it with a help request.
    pub escalated: u64,
    /// Walks that ended at it resolved.
    pub resolved: u64,
}

/// Per node of `tree` (in the tree's order), then per node only older versions had (by id),
/// what `walks` did there.
pub fn node_figures(tree: &Tree, walks: &[WalkRecord]) -> Vec<NodeFigures> {
    let mut counted: BTreeMap<&str, NodeFigures> = BTreeMap::new();
    let blank = |id: &str| NodeFigures {
        id: id.to_owned(),
        title: tree.node(id).map(|n| n.title.clone()),
        reached: 0,
        stopped: 0,
        escalated: 0,
        resolved: 0,
    };
    for walk in walks {
        let mut seen = BTreeSet::new();
        for node in &walk.trail {
            if seen.insert(node.as_str()) {
                counted
                    .entry(node.as_str())
                    .or_insert_with(|| blank(node))
                    .reached += 1;
            }
        }
        if let Some(last) = walk.trail.last() {
            let figures = counted.entry(last.as_str()).or_insert_with(|| blank(last));
            figures.stopped += 1;
            match walk.outcome {
                Outcome::Resolved => figures.resolved += 1,
                Outcome::Escalate => figures.escalated += 1,
            }
        }
    }
    let mut out: Vec<NodeFigures> = tree
        .nodes
        .iter()
        .map(|n| {
            counted
                .remove(n.id.as_str())
                .unwrap_or_else(|| blank(&n.id))
        })
        .collect();
    out.extend(counted.into_values());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TreeNode;
    use proptest::prelude::*;

    fn tree() -> Tree {
        Tree {
            intro_html: String::new(),
            nodes: vec![
                TreeNode::sample("start", "Is it OOM?", &["oom", "ask"], None),
                TreeNode::sample("oom", "Raise the limit", &[], Some(Outcome::Resolved)),
                TreeNode::sample("ask", "Ask the team", &[], Some(Outcome::Escalate)),
            ],
        }
    }

    fn walk(trail: &[&str], outcome: Outcome) -> WalkRecord {
        WalkRecord {
            day: 0,
            outcome,
            trail: trail.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn nodes_count_reached_stopped_escalated_and_resolved() {
        let walks = [
            walk(&["start", "oom"], Outcome::Resolved),
            walk(&["start", "oom"], Outcome::Resolved),
            // Tried the fix, it did not work: an escalation ending on a resolved leaf.
            walk(&["start", "oom"], Outcome::Escalate),
            walk(&["start", "ask", "start", "ask"], Outcome::Escalate),
            walk(&["start", "gone"], Outcome::Escalate),
        ];
        let rows = node_figures(&tree(), &walks);
        let brief: Vec<(&str, Option<&str>, [u64; 4])> = rows
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    r.title.as_deref(),
                    [r.reached, r.stopped, r.escalated, r.resolved],
                )
            })
            .collect();
        assert_eq!(
            brief,
            [
                ("start", Some("Is it OOM?"), [5, 0, 0, 0]),
                ("oom", Some("Raise the limit"), [3, 3, 1, 2]),
                ("ask", Some("Ask the team"), [1, 1, 1, 0]),
                ("gone", None, [1, 1, 1, 0]),
            ]
        );
    }

    #[test]
    fn a_week_long_trend_has_a_point_per_day_and_a_longer_one_per_week() {
        let today = 20_000;
        let days = [
            (today, Outcome::Resolved, 2),
            (today - 6, Outcome::Escalate, 1),
            (today - 7, Outcome::Escalate, 9), // before the period
            (today + 1, Outcome::Escalate, 9), // after it
        ];
        let t = trend(Period::of_days(7), today, days);
        assert_eq!(t.bucket, Bucket::Day);
        assert_eq!(t.points.len(), 7);
        assert_eq!(t.points[0].figures.escalated, 1);
        assert_eq!(t.points[6].figures.resolved, 2);
        let total: u64 = t.points.iter().map(|p| p.figures.walks).sum();
        assert_eq!(total, 3);
        let long = trend(Period::of_days(90), today, days);
        assert_eq!(long.bucket, Bucket::Week);
        assert_eq!(long.points.len(), 13);
        // Weeks start at the period's first day (today − 89): the last, today − 5 ..= today
        // (cut at today), holds today's walks; the one before, today − 12 ..= today − 6, the
        // rest (today − 7 is inside a 90-day period).
        let last = long.points.last().expect("points");
        assert_eq!(last.first_day, today - 89 + 12 * 7);
        assert_eq!(
            last.figures,
            Deflection {
                walks: 2,
                resolved: 2,
                escalated: 0
            }
        );
        assert_eq!(long.points[11].figures.escalated, 10);
    }

    #[test]
    fn rates_and_labels() {
        assert_eq!(Deflection::default().rate(), None);
        let mut d = Deflection::default();
        d.add(Outcome::Resolved, 3);
        d.add(Outcome::Escalate, 1);
        assert_eq!(d.rate(), Some(0.75));
        assert_eq!(day_label(0), "1970-01-01");
        assert_eq!(day_label(20_424), "2025-12-02");
    }

    proptest! {
        #[test]
        fn node_figures_add_up(walks in prop::collection::vec(
            (prop::collection::vec(0u8..4, 1..6), any::<bool>()), 0..30)) {
            let names = ["start", "oom", "ask", "old"];
            let walks: Vec<WalkRecord> = walks.iter().map(|(trail, resolved)| WalkRecord {
                day: 0,
                outcome: if *resolved { Outcome::Resolved } else { Outcome::Escalate },
                trail: trail.iter().map(|i| names[usize::from(*i)].to_owned()).collect(),
            }).collect();
            let rows = node_figures(&tree(), &walks);
            let stopped: u64 = rows.iter().map(|r| r.stopped).sum();
            prop_assert_eq!(stopped, walks.len() as u64);
            for r in &rows {
                prop_assert_eq!(r.stopped, r.escalated + r.resolved);
                prop_assert!(r.stopped <= r.reached || r.reached == 0 && r.stopped == 0);
                prop_assert!(r.reached <= walks.len() as u64);
            }
        }
    }
}
