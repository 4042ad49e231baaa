//! Learner × resource decisions: the one service behind the learner profile, the resource
//! page, the admin matrix, the JSON API and `selfserve export qualifications`.
//!
//! Pure like the rule it applies: callers read accounts and passes (or hand over
//! [`LearnerRecords`] to read them from), pick the moment to judge at (now, or a past date for
//! an audit) and get decisions back. Judging "as of" a past moment needs nothing special:
//! [`History::latest_pass`] ignores passes after the moment it is asked about, so the same
//! stored passes answer for any date.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::{Decision, History, Pass, Requirements, Status, decide};
use crate::model::{DocId, Document, Kind, Site};
use crate::records::{LearnerRecords, User, UserId};

/// Every resource's requirements, flattened once per request instead of once per learner.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// By resource id (the site's order), so columns and rows come out the same every time.
    resources: Vec<Requirements>,
}

impl Catalog {
    /// All resources of the site.
    pub fn of(site: &Site) -> Self {
        let resources = site
            .of_kind(Kind::Resource)
            .filter_map(|doc| Requirements::of(site, &doc.id))
            .collect();
        Self { resources }
    }

    /// A catalog of exactly these requirements (one resource's page, a filtered export).
    pub fn from_requirements(resources: Vec<Requirements>) -> Self {
        Self { resources }
    }

    /// The resources, in order.
    pub fn resources(&self) -> &[Requirements] {
        &self.resources
    }

    /// One resource's requirements.
    pub fn get(&self, id: &DocId) -> Option<&Requirements> {
        self.resources.iter().find(|r| &r.resource == id)
    }

    /// Every module some resource requires, once, for narrowing a pass query.
    pub fn module_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .resources
            .iter()
            .flat_map(|r| r.modules.iter().map(|(m, _)| m.as_str()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// One learner's decisions for every resource of a catalog, in catalog order.
pub fn decide_all(
    catalog: &Catalog,
    history: &History,
    at: OffsetDateTime,
    expiring_days: u32,
) -> Vec<Decision> {
    catalog
        .resources
        .iter()
        .map(|req| decide(req, history, at, expiring_days))
        .collect()
}

/// The status a signed-in learner's search hit shows for a document: a resource's own status,
/// `None` for every other kind. A guide or tree about a resource is open to everyone, so a
/// "not qualified yet" beside it would read as "you may not read this".
pub fn document_status(
    site: &Site,
    history: &History,
    doc: &Document,
    now: OffsetDateTime,
) -> Option<Status> {
    doc.resource()?;
    let req = Requirements::of(site, &doc.id)?;
    Some(decide(&req, history, now, site.config.expiring_days).status)
}

/// One learner's line of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The account.
    pub user: UserId,
    /// The account name.
    pub name: String,
    /// The account may not sign in (`user disable`): its passes still count, but a
    /// provisioning system reading the export should know.
    pub disabled: bool,
    /// One decision per column, in column order.
    pub decisions: Vec<Decision>,
}

impl Row {
    /// How many resources the learner may self-serve now (qualified or expiring).
    pub fn qualified_count(&self) -> usize {
        self.decisions.iter().filter(|d| d.qualified()).count()
    }
}

/// Learners × resources at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// The moment judged.
    pub at: OffsetDateTime,
    /// The columns.
    pub resources: Vec<DocId>,
    /// One row per learner, by name as the store lists them.
    pub rows: Vec<Row>,
}

/// Decides every learner × resource pair at `at`. `passes` may hold anyone's passes in any
/// order (the store's `all_passes`); passes of accounts not in `users` are ignored.
pub fn matrix(
    catalog: &Catalog,
    users: &[User],
    passes: &[Pass],
    at: OffsetDateTime,
    expiring_days: u32,
) -> Matrix {
    let mut by_user: HashMap<UserId, Vec<&Pass>> = HashMap::new();
    for pass in passes {
        by_user.entry(pass.user_id).or_default().push(pass);
    }
    let rows = users
        .iter()
        .map(|user| {
            let mine = by_user.get(&user.id).map(Vec::as_slice).unwrap_or_default();
            let history = History::new(mine.iter().copied(), Some(at));
            Row {
                user: user.id,
                name: user.name.to_string(),
                disabled: user.disabled,
                decisions: decide_all(catalog, &history, at, expiring_days),
            }
        })
        .collect();
    Matrix {
        at,
        resources: catalog
            .resources
            .iter()
            .map(|r| r.resource.clone())
            .collect(),
        rows,
    }
}

/// Reads every account and pass from `records`, then decides as [`matrix`] does.
pub fn matrix_of<R: LearnerRecords>(
    records: &R,
    catalog: &Catalog,
    at: OffsetDateTime,
    expiring_days: u32,
) -> Result<Matrix, R::Error> {
    let users = records.learners()?;
    let passes = records.all_passes()?;
    Ok(matrix(catalog, &users, &passes, at, expiring_days))
}

/// How the admin matrix orders its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// By account name.
    #[default]
    Name,
    /// By how many resources the learner may self-serve, then by name.
    Qualified,
}

/// The admin matrix's filters and order (from its query string).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    /// Show only this resource's column.
    pub resource: Option<DocId>,
    /// Show only learners with at least one shown cell of this status.
    pub status: Option<Status>,
    /// Row order.
    pub sort: SortKey,
    /// Reverse the order.
    pub descending: bool,
}

impl Matrix {
    /// Applies a view: drops columns and rows it filters out, then orders the rows.
    pub fn view(mut self, view: &View) -> Matrix {
        if let Some(only) = &view.resource {
            let keep: Vec<bool> = self.resources.iter().map(|r| r == only).collect();
            self.resources.retain(|r| r == only);
            for row in &mut self.rows {
                let mut flags = keep.iter();
                row.decisions
                    .retain(|_| flags.next().copied().unwrap_or(false));
            }
        }
        if let Some(status) = view.status {
            self.rows
                .retain(|row| row.decisions.iter().any(|d| d.status == status));
        }
        let by_name = |a: &Row, b: &Row| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.name.cmp(&b.name))
        };
        // Only the chosen key is reversed: equal counts stay alphabetical either way.
        let flip = |o: std::cmp::Ordering| if view.descending { o.reverse() } else { o };
        match view.sort {
            SortKey::Name => self.rows.sort_by(|a, b| flip(by_name(a, b))),
            SortKey::Qualified => self.rows.sort_by(|a, b| {
                flip(a.qualified_count().cmp(&b.qualified_count())).then_with(|| by_name(a, b))
            }),
        }
        self
    }

    /// How many cells have each status, for the summary line above the table.
    pub fn counts(&self) -> [(Status, usize); 4] {
        let mut counts = [
            (Status::Qualified, 0),
            (Status::Expiring, 0),
            (Status::Expired, 0),
            (Status::Missing, 0),
        ];
        for d in self.rows.iter().flat_map(|r| &r.decisions) {
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == d.status) {
                slot.1 += 1;
            }
        }
        counts
    }
}

#[cfg(test)]
#[path = "matrix_tests.rs"]
mod tests;
