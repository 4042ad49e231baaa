//! `GET /insights` (and `/insights/overview.csv`): what needs attention at a glance, for the
//! viewer's scope — an admin every page, an owner their own. Each figure is read the cheap
//! way (sums in the database, a walk over the site's documents) and links to its page.

use actix_web::{HttpRequest, HttpResponse, web};

use super::super::error::blocking;
use super::super::{AppError, AppState};
use super::{InsightsViewer, csv_response, period_and_params, private_html};
use crate::insights::digest::{overdue_reviews, stubs_of};
use crate::insights::{Period, Scope, site_owners};
use crate::model::Site;
use crate::render::insights::Tab;
use crate::render::insights::overview::{CSV_HEADER, Card, Overview, OwnerRow, csv_rows, page};
use crate::render::insights::table::QueryParams;
use crate::web::context::page_context;

/// A page is "unhelpful" when fewer than half of its votes in the period said yes.
const UNHELPFUL_BELOW: f64 = 0.5;

/// Registers the overview.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/insights", web::get().to(overview))
        .route("/insights/overview.csv", web::get().to(overview_csv));
}

fn scope_label(scope: &Scope) -> String {
    match scope {
        Scope::All => "every page".to_owned(),
        Scope::Owners(names) => format!("the pages of {}", names.join(", ")),
    }
}

/// Every figure of the overview.
async fn figures<'a>(
    state: &AppState,
    site: &Site,
    scope: &Scope,
    period: Period,
    params: &'a QueryParams,
) -> Result<Overview<'a>, AppError> {
    let now = time::OffsetDateTime::now_utc();
    let today = now.date();
    let since = period.since(now);
    let first_day = since.unix_timestamp().div_euclid(86_400);
    let days = period.days();
    let mut cards = Vec::new();

    let store = state.store.clone();
    let searched = blocking(move || store.search_period(first_day)).await?;
    // Grouped as the search insights group them, so the figure is the length of that list.
    let gaps = crate::insights::search::group(&searched.queries)
        .iter()
        .filter(|g| g.zero_results > 0)
        .count() as u64;
    let zero_searches: u64 = searched.queries.iter().map(|q| q.zero_results).sum();
    cards.push(Card {
        title: "Searches that found nothing",
        figure: gaps,
        note: format!(
            "groups of queries found nothing in the last {days} days ({zero_searches} searches, site-wide)."
        ),
        tab: Tab::Search,
    });

    // Stubs are not dated by the period: one still marked is still to write.
    let stubs = stubs_of(site, |o| scope.covers(o)).len() as u64;
    cards.push(Card {
        title: "Stubs still to write",
        figure: stubs,
        note: "pages started from a search gap and still marked “status: stub”; each owner's digest lists theirs."
            .to_owned(),
        tab: Tab::Digest,
    });

    let store = state.store.clone();
    let votes = blocking(move || store.feedback_by_page(since)).await?;
    let covered = |id: &str| {
        site.get_str(id)
            .is_some_and(|doc| scope.covers(doc.owner.as_deref()))
    };
    let unhelpful = votes
        .iter()
        .filter(|v| covered(&v.doc_id))
        .filter(|v| v.helpful_rate().is_some_and(|r| r < UNHELPFUL_BELOW))
        .count() as u64;
    cards.push(Card {
        title: "Pages that did not help",
        figure: unhelpful,
        note: format!(
            "pages where most readers answered “No” to “Was this helpful?” in the last {days} days."
        ),
        tab: Tab::Pages,
    });

    let overdue = overdue_reviews(site, |o| scope.covers(o), today);
    cards.push(Card {
        title: "Reviews overdue",
        figure: overdue.len() as u64,
        note: format!(
            "pages last reviewed more than {} days ago.",
            site.config.review_days
        ),
        tab: Tab::Pages,
    });

    let trees = super::trees::overview(state, scope, period).await?;
    cards.push(Card {
        title: "Troubleshooting escalations",
        figure: trees.total.escalated,
        note: format!(
            "walks of {} ended in a help request in the last {days} days, of {} finished.",
            if trees.trees.len() == 1 {
                "the tree".to_owned()
            } else {
                format!("{} trees", trees.trees.len())
            },
            trees.total.walks
        ),
        tab: Tab::Trees,
    });

    // Item analysis reads every attempt of each module; the quiz figure covers them all.
    let modules = super::modules::analyses(state, scope).await?;
    let flagged = modules
        .iter()
        .flat_map(|m| &m.questions)
        .filter(|q| crate::insights::items::flag(q).is_some())
        .count() as u64;
    cards.push(Card {
        title: "Quiz questions to check",
        figure: flagged,
        note: format!(
            "questions almost nobody gets right, or that strong learners miss, across {} quizzes.",
            modules.len()
        ),
        tab: Tab::Modules,
    });

    let owners: Vec<OwnerRow> = site_owners(site)
        .into_iter()
        .filter(|o| scope.covers(Some(o)))
        .map(|owner| {
            let owns = |o: Option<&str>| o.is_some_and(|o| o.eq_ignore_ascii_case(&owner));
            OwnerRow {
                pages: site
                    .documents
                    .values()
                    .filter(|d| owns(d.owner.as_deref()))
                    .count() as u64,
                overdue: overdue_of(site, &overdue, &owner),
                owner,
            }
        })
        .collect();
    cards.push(Card {
        title: "Weekly digests",
        figure: owners.len() as u64,
        note: "owners with a weekly digest of their gaps, unhelpful pages and overdue reviews."
            .to_owned(),
        tab: Tab::Digest,
    });

    let overdue = overdue
        .into_iter()
        .map(|o| {
            let owner = site
                .get_str(&o.page.id)
                .and_then(|d| d.owner.clone())
                .unwrap_or_default();
            (o, owner)
        })
        .collect();
    Ok(Overview {
        days,
        scope: scope_label(scope),
        cards,
        owners,
        overdue,
        params,
    })
}

fn overdue_of(site: &Site, overdue: &[crate::insights::digest::OverduePage], owner: &str) -> u64 {
    overdue
        .iter()
        .filter(|o| {
            site.get_str(&o.page.id)
                .and_then(|d| d.owner.as_deref())
                .is_some_and(|o| o.eq_ignore_ascii_case(owner))
        })
        .count() as u64
}

/// `GET /insights`.
async fn overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (period, params) = period_and_params(&req)?;
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let view = figures(&state, site, &viewer.scope, period, &params).await?;
    let ctx = page_context(&req, site, "/insights");
    Ok(private_html(page(&ctx, &view)))
}

/// `GET /insights/overview.csv`.
async fn overview_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (period, params) = period_and_params(&req)?;
    let snapshot = state.snapshot.load_full();
    let view = figures(&state, &snapshot.site, &viewer.scope, period, &params).await?;
    csv_response("insights-overview", &CSV_HEADER, csv_rows(&view))
}
