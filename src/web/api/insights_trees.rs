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

use super::trees::plain_text;
use crate::insights::deflection::{Deflection, Trend};
use crate::web::insights::{InsightsViewer, period_and_params, trees};
use crate::web::{AppError, AppState};

#[derive(Serialize)]
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

#[derive(Serialize)]
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

#[derive(Serialize)]
struct TreeJson {
    id: String,
    title: String,
    #[serde(flatten)]
    figures: Figures,
}

#[derive(Serialize)]
struct OverviewJson {
    days: u32,
    bucket: &'static str,
    #[serde(flatten)]
    figures: Figures,
    trend: Vec<Point>,
    trees: Vec<TreeJson>,
}

#[derive(Serialize)]
struct NodeJson {
    id: String,
    title: Option<String>,
    reached: u64,
    stopped: u64,
    escalated: u64,
    resolved: u64,
}

#[derive(Serialize)]
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

/// `GET /api/v1/insights/trees`.
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

/// `GET /api/v1/insights/trees/{id}`.
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
