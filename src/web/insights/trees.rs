//! Troubleshooting deflection pages (issue 16, item 4): `GET /insights/trees` (every tree in
//! the viewer's scope: walks, resolved, escalated, deflection rate, and their trend) and
//! `GET /insights/trees/{id}` (one tree's trend and what walks did at each node). `?days=N`
//! picks the period, `?format=csv` answers the page's table as CSV. The JSON twins
//! (`/api/v1/insights/trees…`) share [`overview`] and [`detail`].

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use time::OffsetDateTime;

use super::{InsightsViewer, csv_response, period_and_params, private_html};
use crate::insights::deflection::{self, Deflection, NodeFigures, Trend};
use crate::insights::{Period, Scope};
use crate::model::{Document, Kind, Site};
use crate::records::day_of;
use crate::render::insights::trees as view;
use crate::web::context::page_context;
use crate::web::error::blocking;
use crate::web::{AppError, AppState};

/// Registers the two pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/insights/trees", web::get().to(trees_page))
        .route("/insights/trees/{id:.*}", web::get().to(tree_page));
}

/// One tree in scope and its walks over the period.
pub(crate) struct TreeRow {
    /// The tree.
    pub doc: Arc<Document>,
    /// Its walks.
    pub figures: Deflection,
}

/// Every tree in the viewer's scope over a period.
pub(crate) struct Overview {
    /// Each tree, sorted by title.
    pub trees: Vec<TreeRow>,
    /// All those trees' walks together.
    pub total: Deflection,
    /// Their trend.
    pub trend: Trend,
}

/// One tree over a period.
pub(crate) struct Detail {
    /// The tree.
    pub doc: Arc<Document>,
    /// Its walks.
    pub figures: Deflection,
    /// Their trend.
    pub trend: Trend,
    /// Per node, the tree's order first.
    pub nodes: Vec<NodeFigures>,
}

fn trees_in(site: &Site, scope: &Scope) -> Vec<Arc<Document>> {
    let mut trees: Vec<Arc<Document>> = site
        .documents
        .values()
        .filter(|d| d.kind == Kind::Troubleshooting && scope.covers(d.owner.as_deref()))
        .cloned()
        .collect();
    trees.sort_by_cached_key(|d| d.title.to_lowercase());
    trees
}

/// The figures of every tree in `scope` over `period`.
pub(crate) async fn overview(
    state: &AppState,
    scope: &Scope,
    period: Period,
) -> Result<Overview, AppError> {
    let snapshot = state.snapshot.load_full();
    let trees = trees_in(&snapshot.site, scope);
    let now = OffsetDateTime::now_utc();
    let store = state.store.clone();
    let since = period.since(now);
    let days = blocking(move || store.tree_walk_days(since, None)).await?;
    let ids: std::collections::BTreeSet<&str> = trees.iter().map(|d| d.id.as_str()).collect();
    let in_scope: Vec<_> = days
        .iter()
        .filter(|d| ids.contains(d.tree_id.as_str()))
        .collect();
    let trend = deflection::trend(
        period,
        day_of(now),
        in_scope.iter().map(|d| (d.day, d.outcome, d.walks)),
    );
    let mut total = Deflection::default();
    for d in &in_scope {
        total.add(d.outcome, d.walks);
    }
    let trees = trees
        .into_iter()
        .map(|doc| TreeRow {
            figures: deflection::tree_figures(doc.id.as_str(), &days),
            doc,
        })
        .collect();
    Ok(Overview {
        trees,
        total,
        trend,
    })
}

/// One tree's figures; 404 for no such tree, 403 for a tree outside `scope`.
pub(crate) async fn detail(
    state: &AppState,
    scope: &Scope,
    id: &str,
    period: Period,
) -> Result<Detail, AppError> {
    let snapshot = state.snapshot.load_full();
    let doc = snapshot
        .site
        .get_str(id)
        .filter(|d| d.kind == Kind::Troubleshooting && d.id.as_str() == id)
        .cloned()
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no troubleshooting tree with the id “{id}”; /insights/trees lists them."
            ))
        })?;
    if !scope.covers(doc.owner.as_deref()) {
        return Err(AppError::Forbidden(format!(
            "The tree “{id}” belongs to another owner; /insights/trees lists the trees you answer for."
        )));
    }
    let now = OffsetDateTime::now_utc();
    let since = period.since(now);
    let store = state.store.clone();
    let tree_id = doc.id.as_str().to_owned();
    let walks = blocking(move || store.tree_walks(&tree_id, since)).await?;
    let mut figures = Deflection::default();
    for w in &walks {
        figures.add(w.outcome, 1);
    }
    let trend = deflection::trend(
        period,
        day_of(now),
        walks.iter().map(|w| (w.day, w.outcome, 1)),
    );
    let empty = crate::model::Tree::default();
    let nodes = deflection::node_figures(doc.tree().unwrap_or(&empty), &walks);
    Ok(Detail {
        doc,
        figures,
        trend,
        nodes,
    })
}

fn rate_text(rate: Option<f64>) -> String {
    rate.map(|r| format!("{r:.4}")).unwrap_or_default()
}

async fn trees_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (period, params) = period_and_params(&req)?;
    let data = overview(&state, &viewer.scope, period).await?;
    if params.get("format") == Some("csv") {
        let rows = data.trees.iter().map(|t| {
            vec![
                t.doc.id.as_str().to_owned(),
                t.doc.title.clone(),
                t.figures.walks.to_string(),
                t.figures.resolved.to_string(),
                t.figures.escalated.to_string(),
                rate_text(t.figures.rate()),
            ]
        });
        return csv_response(
            &format!("trees-{}-days", period.days()),
            &[
                "tree",
                "title",
                "walks",
                "resolved",
                "escalated",
                "deflection_rate",
            ],
            rows,
        );
    }
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(&req, &snapshot.site, "/insights/trees");
    let lines: Vec<view::TreeLine> = data
        .trees
        .iter()
        .map(|t| view::TreeLine {
            id: t.doc.id.as_str().to_owned(),
            title: t.doc.title.clone(),
            figures: t.figures,
        })
        .collect();
    Ok(private_html(view::trees_page(
        &ctx,
        &view::TreesView {
            days: period.days(),
            params: &params,
            trees: &lines,
            total: data.total,
            trend: &data.trend,
        },
    )))
}

async fn tree_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (period, params) = period_and_params(&req)?;
    let data = detail(&state, &viewer.scope, &id, period).await?;
    if params.get("format") == Some("csv") {
        let rows = data.nodes.iter().map(|n| {
            vec![
                n.id.clone(),
                n.title.clone().unwrap_or_default(),
                n.reached.to_string(),
                n.stopped.to_string(),
                n.escalated.to_string(),
                n.resolved.to_string(),
            ]
        });
        let name = format!(
            "tree-{}-{}-days",
            data.doc.id.as_str().replace('/', "-"),
            period.days()
        );
        return csv_response(
            &name,
            &[
                "node",
                "title",
                "reached",
                "stopped",
                "escalated",
                "resolved",
            ],
            rows,
        );
    }
    let snapshot = state.snapshot.load_full();
    let url = format!("/insights/trees/{}", data.doc.id.as_str());
    let ctx = page_context(&req, &snapshot.site, url);
    Ok(private_html(view::tree_page(
        &ctx,
        &view::TreeView {
            days: period.days(),
            params: &params,
            id: data.doc.id.as_str(),
            title: &data.doc.title,
            tree_url: &data.doc.url(),
            figures: data.figures,
            trend: &data.trend,
            nodes: &data.nodes,
        },
    )))
}
