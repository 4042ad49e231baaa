//! Search over HTTP: `GET /search` (the results page, works without JavaScript) and [`run`],
//! which `GET /api/v1/search` (in [`super::api`], shape fixed by interfaces.md) shares.
//! Result links of a logged search go through `GET /search?sid=ID&open=URL`, which records
//! which result was opened and redirects to it (one route, so the page and its clicks share
//! one access rule).
//!
//! The query string is decoded leniently (invalid UTF-8 becomes U+FFFD) so no text a person
//! pastes is refused; only an unknown `kind` or a non-numeric `limit`/`offset` answers 400.
//! Searching is a few milliseconds of CPU, so it runs on the request's worker; logging is
//! handed to a [`SearchLogSink`] and never waits for SQLite. The log is bounded (see
//! `store::search_log`); the logger's queue and its memory of recent searches are too.
//!
//! Click feedback (`[search] click_feedback`, on by default): an opened result that is a
//! page of the site counts as a choice of that page for the search's query, once per
//! search and once per searcher (account or client address; see [`logger`]); the logger
//! keeps, per normalised query, the pages that at least `store::search_clicks::MIN_SEARCHES`
//! searchers chose and their shares in memory ([`ClickLifts`]), and a search of that query
//! is ranked with them. When the switch is off nothing is recorded and nothing applied.
//! Admins see the feedback at `/admin/search-feedback` ([`feedback`]).

pub(super) mod feedback;
mod logger;

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use percent_encoding::percent_decode_str;
use uuid::Uuid;

use super::auth::{Identity, RequestMeta};
use super::context::page_context;
use super::query::{self, decode};
use super::{AppError, AppState};
use crate::model::{DocId, Kind, Site};
use crate::render;
use crate::render::urls::is_site_path;
use crate::search::{Ranking, SearchError, SearchRequest, SearchResults};
use crate::store::SearchLogEntry;

pub use logger::{BatchingSearchLog, ClickLifts, Searcher};

/// Registers the results page and the admin's feedback page (the JSON is in [`super::api`]).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(page));
    cfg.configure(feedback::routes);
}

/// Where searches and opened results are reported. The store's batching logger
/// ([`BatchingSearchLog`]) is the real one; install it once as app data (see `web::start`).
/// Without a sink, searches are simply not logged.
pub trait SearchLogSink: Send + Sync + 'static {
    /// A search ran. Must return at once.
    fn searched(&self, entry: SearchLogEntry);
    /// A result of search `id` was opened. Must return at once.
    fn opened(&self, id: Uuid);
    /// A result of search `id` that is the site's page `page` was opened by `searcher`:
    /// counted as opened and, for click feedback, as a choice. Must return at once.
    fn chose(&self, id: Uuid, page: DocId, searcher: Searcher) {
        let _ = (page, searcher);
        self.opened(id);
    }
    /// The pages past searchers of `query` chose and their shares (see [`ClickLifts`]);
    /// `None` when the query lifts nothing. Must return at once.
    fn click_lift(&self, query: &str) -> Option<Arc<HashMap<DocId, f32>>> {
        let _ = query;
        None
    }
}

/// The query string of a search, decoded leniently.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Params {
    /// `q`.
    pub q: String,
    /// `kind`.
    pub kind: Option<String>,
    /// `tag`.
    pub tag: Option<String>,
    /// `limit`, unparsed.
    pub limit: Option<String>,
    /// `offset`, unparsed.
    pub offset: Option<String>,
}

impl Params {
    /// Parses `a=1&b=2`; `+` is a space, bad percent-encoding and invalid UTF-8 are kept as
    /// replacement characters, the first of repeated keys wins.
    pub fn parse(query_string: &str) -> Self {
        let mut params = Params::default();
        let mut seen_q = false;
        for (key, value) in query::pairs(query_string) {
            let value = decode(value);
            let slot = match decode(key).as_str() {
                "q" if !seen_q => {
                    seen_q = true;
                    params.q = value;
                    continue;
                }
                "kind" => &mut params.kind,
                "tag" => &mut params.tag,
                "limit" => &mut params.limit,
                "offset" => &mut params.offset,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        params
    }

    /// The search request, or a 400 naming the bad number.
    pub fn to_request(&self) -> Result<SearchRequest, AppError> {
        Ok(SearchRequest {
            q: self.q.clone(),
            kind: self.kind.clone(),
            tag: self.tag.clone(),
            limit: number("limit", self.limit.as_deref())?,
            offset: number("offset", self.offset.as_deref())?,
        })
    }
}

/// A whole number; out-of-range ones saturate (the search clamps them), words are a 400.
fn number(name: &str, raw: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::BadRequest(format!(
            "`{name}` must be a whole number, such as 10."
        )));
    }
    Ok(Some(raw.parse::<i64>().unwrap_or(
        if raw.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        },
    )))
}

/// Runs a search on the current snapshot and reports it to the log sink. A query new to the
/// semantic leg is embedded first, waited for on the blocking pool (the model runs on the
/// leg's own threads); the search itself (~1 ms) runs here. Running whole searches on the
/// blocking pool's many threads made the server keep ~400 MB more under load, as each
/// thread kept its allocations.
pub(super) async fn run(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    params: &Params,
) -> Result<(SearchResults, Option<Uuid>), AppError> {
    let request = params.to_request()?;
    let snapshot = state.snapshot.load_full();
    let Some(index) = &snapshot.search else {
        return Err(AppError::Unavailable(
            "Search is still being built after the server started; try again in a few seconds."
                .to_owned(),
        ));
    };
    let query_vector = if state.semantic.is_ready() {
        let leg = state.semantic.clone();
        let q = request.q.clone();
        let started = std::time::Instant::now();
        let vector = web::block(move || leg.query_vector(&q))
            .await
            .map_err(|err| AppError::Internal(err.to_string()))?;
        state
            .metrics
            .embedded_query(started.elapsed().as_secs_f64());
        vector
    } else {
        None
    };
    let sink = req.app_data::<web::Data<dyn SearchLogSink>>();
    let lift = match sink {
        Some(sink) if snapshot.site.config.search.click_feedback => sink.click_lift(&request.q),
        _ => None,
    };
    let ranking = Ranking {
        semantic: Some(&state.semantic),
        query_vector: query_vector.as_deref(),
        click_lift: lift.as_deref(),
        ..Ranking::default()
    };
    let results = index
        .search_with(&request, &ranking)
        .map_err(|err| match err {
            SearchError::UnknownKind(_) => AppError::BadRequest(format!("{err}.")),
            SearchError::Index(_) | SearchError::Folder { .. } => {
                AppError::Internal(err.to_string())
            }
        })?;
    let has_words = !request.q.trim().is_empty();
    state
        .metrics
        .searched(&results.legs, results.took_ms, results.total, has_words);
    let mut search_id = None;
    if has_words && let Some(sink) = sink {
        let entry = SearchLogEntry::new(&request.q, results.total as u64);
        search_id = Some(entry.id);
        sink.searched(entry);
    }
    Ok((results, search_id))
}

/// `GET /search?q=…`: the results page (or, with `open=`, a result click).
async fn page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if let Some(response) = open(&req, &state) {
        return Ok(response);
    }
    let params = Params::parse(req.query_string());
    let (results, search_id) = run(&req, &state, &params).await?;
    let snapshot = state.snapshot.load_full();
    let mut ctx = page_context(&req, &snapshot.site, "/search");
    ctx.query = params.q.clone();
    let mut badges = std::collections::BTreeMap::new();
    if let Some(history) = super::qualifications::viewer_history(&state, &req).await {
        let now = time::OffsetDateTime::now_utc();
        for hit in &results.hits {
            // Badges are for the signed-in viewer only.
            if ctx.viewer.is_some()
                && let Some(doc) = snapshot.site.get_str(&hit.id)
                && let Some(status) =
                    crate::qualify::matrix::document_status(&snapshot.site, &history, doc, now)
            {
                badges.insert(hit.id.clone(), status);
            }
        }
    }
    let view = render::search::SearchView {
        query: &params.q,
        kind: params.kind.as_deref().unwrap_or(""),
        tag: params.tag.as_deref().unwrap_or(""),
        results: &results,
        search_id,
        badges: &badges,
    };
    Ok(super::context::html(render::search::page(&ctx, &view)))
}

/// `GET /search?sid=ID&open=URL`: records the click (with click feedback on, as a choice
/// of the page at URL), then redirects to the result; `None` without `open=`. Only site
/// paths are followed, so this is no open redirect.
fn open(req: &HttpRequest, state: &AppState) -> Option<HttpResponse> {
    let mut sid = None;
    let mut target = None;
    for (key, value) in query::pairs(req.query_string()) {
        match key {
            "sid" if sid.is_none() => sid = Uuid::parse_str(&decode(value)).ok(),
            "open" if target.is_none() => target = Some(decode(value)),
            _ => {}
        }
    }
    let target = target?;
    let target = if is_site_path(&target) {
        target
    } else {
        "/".to_owned()
    };
    if let (Some(id), Some(sink)) = (sid, req.app_data::<web::Data<dyn SearchLogSink>>()) {
        let snapshot = state.snapshot.load();
        let site = &snapshot.site;
        match page_at(site, &target) {
            Some(page) if site.config.search.click_feedback => {
                sink.chose(id, page, searcher(req));
            }
            _ => sink.opened(id),
        }
    }
    Some(
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, target))
            .finish(),
    )
}

/// Who clicked: the signed-in account, else the client's address (a trusted proxy's
/// `X-Forwarded-For`, as everywhere else).
fn searcher(req: &HttpRequest) -> Searcher {
    use actix_web::HttpMessage;
    if let Some(identity) = Identity::of(req) {
        return Searcher::User(identity.user.id.0);
    }
    req.extensions()
        .get::<RequestMeta>()
        .and_then(|m| m.client_ip)
        .or_else(|| req.peer_addr().map(|a| a.ip()))
        .map_or(Searcher::Unknown, Searcher::Client)
}

/// The document a result URL (`/docs/a/b#section`) shows, if it is one of the site's.
pub fn page_at(site: &Site, url: &str) -> Option<DocId> {
    let path = url.split(['#', '?']).next().unwrap_or_default();
    Kind::ALL.into_iter().find_map(|kind| {
        let rest = path.strip_prefix(kind.url_prefix())?;
        let id = percent_decode_str(rest).decode_utf8().ok()?;
        let doc = site.get_str(id.trim_end_matches('/'))?;
        (doc.kind == kind).then(|| doc.id.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_leniently() {
        let p = Params::parse("q=pod+crash%3A%20%22x%22&kind=tree&q=second&limit=5&x=1");
        assert_eq!(p.q, "pod crash: \"x\"");
        assert_eq!(p.kind.as_deref(), Some("tree"));
        assert_eq!(p.limit.as_deref(), Some("5"));
        let p = Params::parse("q=%FF%FEabc%zz&offset=");
        assert_eq!(p.q, "\u{fffd}\u{fffd}abc%zz");
        assert_eq!(Params::parse("").q, "");
        assert_eq!(Params::parse("q").q, "");
    }

    #[test]
    fn numbers_clamp_or_explain() {
        assert_eq!(number("limit", Some("-1")).ok(), Some(Some(-1)));
        assert_eq!(
            number("limit", Some("99999999999999999999999")).ok(),
            Some(Some(i64::MAX))
        );
        assert_eq!(number("limit", Some("")).ok(), Some(None));
        assert!(number("limit", Some("ten")).is_err());
        assert!(number("limit", Some("-")).is_err());
    }
}
