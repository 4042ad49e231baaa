//! Troubleshooting deflection as JSON (issue 16, item 4), for admins and the trees' owners:
//!
//! `GET /api/v1/insights/trees?days=N` →
//! `{"days", "bucket": "day"|"week", "walks", "resolved", "escalated", "deflection",
//!   "trend": [{"start": "YYYY-MM-DD", "walks", "resolved", "escalated"}],
//!   "trees": [{"id", "title", "walks", "resolved", "escalated", "deflection"}]}`
//! — every tree in the viewer's scope (sorted by title), the totals and trend over them.
//!
//! `GET /api/v1/insights/trees/{id}?days=N` →
//! `{"id", "title", "days", "bucket", "walks", "resolved", "escalated", "deflection",
//!   "trend": [...], "nodes": [{"id", "title", "reached", "stopped", "escalated",
//!   "resolved"}]}` — nodes in the tree's order, then nodes only older versions had
//! (`"title": null`).
//!
//! `deflection` = resolved ÷ walks (`null` without walks); a trend point counts the walks
//! ended on the day (or the seven days) starting at `start`. Definitions:
//! [`crate::insights::deflection`]. 401 anonymous, 403 for accounts that own nothing or a
//! tree of another owner, 404 for an unknown tree, 400 for a bad `days`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::trees::plain_text;
use crate::insights::deflection::{Deflection, Trend};
use crate::web::insights::{InsightsViewer, period_and_params, trees};
use crate::web::{AppError, AppState};

#[derive(Serialize, ToSchema)]
#[schema(as = Deflection)]
struct Figures {
    walks: u64,
    resolved: u64,
    escalated: u64,
    deflection: Option<f64>,
}

impl From<Deflection> for Figures {
    fn from(d: Deflection) -> Self {
        Self {
            walks: d.walks,
            resolved: d.resolved,
            escalated: d.escalated,
            deflection: d.rate(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = DeflectionPoint)]
struct Point {
    start: String,
    #[serde(flatten)]
    figures: Figures,
}

fn points(trend: &Trend) -> Vec<Point> {
    trend
        .points
        .iter()
        .map(|p| Point {
            start: p.label.clone(),
            figures: p.figures.into(),
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
#[schema(as = TreeDeflection)]
struct TreeJson {
    id: String,
    title: String,
    #[serde(flatten)]
    figures: Figures,
}

#[derive(Serialize, ToSchema)]
#[schema(as = TreesInsights)]
struct OverviewJson {
    days: u32,
    bucket: &'static str,
    #[serde(flatten)]
    figures: Figures,
    trend: Vec<Point>,
    trees: Vec<TreeJson>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = TreeNodeFigures)]
struct NodeJson {
    id: String,
    title: Option<String>,
    reached: u64,
    stopped: u64,
    escalated: u64,
    resolved: u64,
}

#[derive(Serialize, ToSchema)]
#[schema(as = TreeInsights)]
struct DetailJson {
    id: String,
    title: String,
    days: u32,
    bucket: &'static str,
    #[serde(flatten)]
    figures: Figures,
    trend: Vec<Point>,
    nodes: Vec<NodeJson>,
}

fn private_json(body: &impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(body)
}

/// Troubleshooting deflection over every tree the caller answers for.
#[utoipa::path(
    get,
    path = "/api/v1/insights/trees",
    operation_id = "trees_insights",
    tag = "insights",
    params(("days" = Option<u32>, Query, minimum = 1, maximum = 366, description = "The period: the last N days with today (1 to 366)."),),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::OWNER))),
    responses(
        (status = 200, description = "The totals, the trend and each tree's figures.", body = OverviewJson),
        (status = 400, description = "`days` is not a whole number from 1 to 366.", body = super::schemas::ErrorBody),
        (status = 403, description = "The account answers for no pages (or not for these).", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (period, _) = period_and_params(&req)?;
    let data = trees::overview(&state, &viewer.scope, period).await?;
    Ok(private_json(&OverviewJson {
        days: period.days(),
        bucket: data.trend.bucket.as_str(),
        figures: data.total.into(),
        trend: points(&data.trend),
        trees: data
            .trees
            .iter()
            .map(|t| TreeJson {
                id: t.doc.id.as_str().to_owned(),
                title: plain_text(&t.doc.title),
                figures: t.figures.into(),
            })
            .collect(),
    }))
}

/// One tree's deflection and where its walks stopped.
#[utoipa::path(
    get,
    path = "/api/v1/insights/trees/{id}",
    operation_id = "tree_insights",
    tag = "insights",
    params(("id" = String, Path, description = "The document id; a `/` in it is part of the path."), ("days" = Option<u32>, Query, minimum = 1, maximum = 366, description = "The period: the last N days with today (1 to 366)."),),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::OWNER))),
    responses(
        (status = 200, description = "The tree's figures, trend and nodes.", body = DetailJson),
        (status = 400, description = "`days` is not a whole number from 1 to 366.", body = super::schemas::ErrorBody),
        (status = 403, description = "The account does not answer for this tree.", body = super::schemas::ErrorBody),
        (status = 404, description = "No troubleshooting tree has this id.", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn tree(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (period, _) = period_and_params(&req)?;
    let data = trees::detail(&state, &viewer.scope, &id, period).await?;
    Ok(private_json(&DetailJson {
        id: data.doc.id.as_str().to_owned(),
        title: plain_text(&data.doc.title),
        days: period.days(),
        bucket: data.trend.bucket.as_str(),
        figures: data.figures.into(),
        trend: points(&data.trend),
        nodes: data
            .nodes
            .iter()
            .map(|n| NodeJson {
                id: n.id.clone(),
                title: n.title.as_deref().map(plain_text),
                reached: n.reached,
                stopped: n.stopped,
                escalated: n.escalated,
                resolved: n.resolved,
            })
            .collect(),
    }))
}
