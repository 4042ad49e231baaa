//! The knowledge loop's figures (issue 16): what people search for and do not find, which
//! pages do not help, where troubleshooting escalates, which quiz questions mislead — computed
//! here from plain records, with no I/O, for the insight pages and their JSON.
//!
//! Who sees what: admins see everything; an account that answers for an `owner:` value (its
//! own name, or an `[owners]` entry in `site.toml` that lists it) sees the pages, trees and
//! modules of those owners. Search queries belong to nobody, so every owner sees them (never
//! who searched).

pub mod digest;

pub mod deflection;
pub mod items;
pub mod pages;
pub mod search;
pub mod stub;

use crate::config::SiteConfig;
use crate::model::Site;

/// Longest period an insight covers, in days (the search log keeps at most what
/// `[search_log] retention_days` says, usually less).
pub const MAX_DAYS: u32 = 366;

/// The period when `?days=` is not given.
pub const DEFAULT_DAYS: u32 = 28;

/// The last N days, today included (`?days=N`, 1..=[`MAX_DAYS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    days: u32,
}

impl Period {
    /// Reads `?days=`: absent is [`DEFAULT_DAYS`]; anything but a whole number from 1 to
    /// [`MAX_DAYS`] is refused with a sentence.
    pub fn parse(days: Option<&str>) -> Result<Self, String> {
        let Some(text) = days else {
            return Ok(Self { days: DEFAULT_DAYS });
        };
        match text.trim().parse::<u32>() {
            Ok(days) if (1..=MAX_DAYS).contains(&days) => Ok(Self { days }),
            _ => Err(format!(
                "days must be a whole number from 1 to {MAX_DAYS}, such as days=28; `{text}` is not."
            )),
        }
    }

    /// A period of `days` days, clamped to 1..=[`MAX_DAYS`].
    pub fn of_days(days: u32) -> Self {
        Self {
            days: days.clamp(1, MAX_DAYS),
        }
    }

    /// Its length in days.
    pub fn days(self) -> u32 {
        self.days
    }

    /// The first day it covers, in days since the Unix epoch (UTC), given today's.
    pub fn first_day(self, today: i64) -> i64 {
        today - i64::from(self.days) + 1
    }

    /// Its start as a time: midnight UTC of [`Self::first_day`].
    pub fn since(self, now: time::OffsetDateTime) -> time::OffsetDateTime {
        let today = now.unix_timestamp().div_euclid(86_400);
        time::OffsetDateTime::from_unix_timestamp(self.first_day(today) * 86_400)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }
}

/// What one viewer of the insights may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// An admin: every page, tree and module.
    All,
    /// An owner: documents whose `owner:` is one of these names (compared without case).
    Owners(Vec<String>),
}

impl Scope {
    /// The scope of a signed-in account, or `None` when it answers for no document.
    pub fn of(site: &Site, user: &str, is_admin: bool) -> Option<Self> {
        if is_admin {
            return Some(Self::All);
        }
        let names = site.config.owner_names_of(user);
        let scope = Self::Owners(names);
        site.documents
            .values()
            .any(|doc| scope.covers(doc.owner.as_deref()))
            .then_some(scope)
    }

    /// Whether a document with this `owner:` is in the scope.
    pub fn covers(&self, owner: Option<&str>) -> bool {
        match self {
            Self::All => true,
            Self::Owners(names) => {
                owner.is_some_and(|o| names.iter().any(|n| n.eq_ignore_ascii_case(o)))
            }
        }
    }

    /// The owner names a stub made by this viewer may name: `None` for an admin (any).
    pub fn owner_choices(&self) -> Option<&[String]> {
        match self {
            Self::All => None,
            Self::Owners(names) => Some(names),
        }
    }
}

/// The `owner:` values that appear on the site, sorted, each once.
pub fn site_owners(site: &Site) -> Vec<String> {
    let mut owners: Vec<String> = site
        .documents
        .values()
        .filter_map(|d| d.owner.clone())
        .collect();
    owners.sort_unstable();
    owners.dedup();
    owners
}

/// Whether `config` names `user` as answering for anything beyond its own name.
pub fn is_listed_owner(config: &SiteConfig, user: &str) -> bool {
    config.owner_names_of(user).len() > 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_whole_numbers_in_range() {
        assert_eq!(Period::parse(None).map(Period::days), Ok(DEFAULT_DAYS));
        assert_eq!(Period::parse(Some("7")).map(Period::days), Ok(7));
        for bad in ["0", "-1", "367", "seven", "1.5", ""] {
            let err = Period::parse(Some(bad)).expect_err(bad);
            assert!(err.contains("from 1 to 366"), "{err}");
        }
    }

    #[test]
    fn a_period_starts_at_midnight_of_its_first_day() {
        let now = time::macros::datetime!(2026-12-02 19:30 UTC);
        let since = Period::of_days(7).since(now);
        assert_eq!(since, time::macros::datetime!(2026-11-26 00:00 UTC));
        assert_eq!(
            Period::of_days(1).since(now),
            time::macros::datetime!(2026-12-02 00:00 UTC)
        );
    }

    #[test]
    fn owners_cover_their_names_without_case() {
        let scope = Scope::Owners(vec!["ada".into(), "team-platform".into()]);
        assert!(scope.covers(Some("Team-Platform")));
        assert!(scope.covers(Some("ada")));
        assert!(!scope.covers(Some("team-data")));
        assert!(!scope.covers(None));
        assert!(Scope::All.covers(None));
    }
}
