//! `GET /metrics`: Prometheus's text format (0.0.4), from one registry kept in [`Metrics`].
//!
//! Requests are counted by the middleware [`track`] under their route *pattern*
//! (`/docs/{id:.*}`, never the address asked for, so a crawler cannot grow the label set;
//! an address no route takes is `unmatched`), their method (unknown ones are `other`) and
//! status, and timed per pattern. Handlers report what only they know: a search's legs and
//! time ([`Metrics::searched`]), a quiz attempt's outcome, a tree walk's end and a help
//! request. Figures that already exist elsewhere (documents, content errors, snapshot swaps,
//! the store's pool) are read when the page is asked for, not counted twice.
//!
//! Who may read it: an admin (session or API token), or a scraper sending the server's
//! `metrics_token` as `Authorization: Bearer`. The token is checked here, before the
//! authentication middleware would take it for an unknown API token; it is kept and compared
//! as a SHA-256 digest, so the comparison's time says nothing about the token.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use sha2::{Digest, Sha256};

use super::AppState;
use super::auth::Identity;
use crate::model::Outcome;

/// The address of the page.
pub const PATH: &str = "/metrics";

/// The route label of a request no route took (a 404 for an unknown address).
pub const UNMATCHED: &str = "unmatched";

/// Registers `GET /metrics`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(page));
}

/// Request latency buckets, seconds: cached pages answer in tens of microseconds, searches in
/// milliseconds, a quiz attempt's database write in up to seconds under load.
const REQUEST_BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Search and query-embedding buckets, seconds.
const SEARCH_BUCKETS: [f64; 11] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0,
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: Arc<str>,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: Arc<str>,
}

/// The `legs` label of a search the words alone ranked.
const LEXICAL_ONLY: &str = "lexical";
/// The `legs` label of a search the semantic leg ranked too.
const BOTH_LEGS: &str = "lexical+semantic";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LegsLabels {
    /// `lexical`, or `lexical+semantic` when the semantic leg ranked too.
    legs: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn request_histogram() -> Histogram {
    Histogram::new(REQUEST_BUCKETS)
}

fn search_histogram() -> Histogram {
    Histogram::new(SEARCH_BUCKETS)
}

/// Figures read from the rest of the server when the page is asked for.
#[derive(Debug, Default)]
struct Sampled {
    documents: Gauge,
    content_errors: Gauge,
    content_warnings: Gauge,
    search_ready: Gauge,
    semantic_ready: Gauge,
    generation: Gauge,
    reloads: Counter,
    site_since: Gauge,
    pool: Family<StateLabels, Gauge>,
    pool_max: Gauge,
}

/// The registry and every metric in it; one per server, in [`AppState`].
pub struct Metrics {
    registry: Registry,
    /// Whether [`track`] wraps the app (the `metrics` setting).
    enabled: bool,
    /// SHA-256 of the `metrics_token` setting, when there is one.
    token: OnceLock<[u8; 32]>,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily<RouteLabels>,
    searches: Family<LegsLabels, Counter>,
    search_seconds: HistogramFamily<LegsLabels>,
    embed_seconds: Histogram,
    empty_searches: Counter,
    quiz_attempts: Family<OutcomeLabels, Counter>,
    tree_outcomes: Family<OutcomeLabels, Counter>,
    help_requests: Counter,
    sampled: Sampled,
    /// The route pattern of recent GET addresses (see [`Metrics::route_of`]).
    routes: RwLock<HashMap<String, Arc<str>>>,
}

/// Addresses whose pattern [`Metrics::route_of`] remembers; past this many it starts afresh,
/// so a crawl of unknown addresses cannot grow it.
const ROUTE_MEMO: usize = 4096;

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("enabled", &self.enabled)
            .field("token", &self.token.get().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new(true)
    }
}

impl Metrics {
    /// A registry with every metric at zero; `enabled` says whether requests are counted.
    pub fn new(enabled: bool) -> Self {
        let mut metrics = Metrics {
            registry: Registry::with_prefix("selfserve"),
            enabled,
            token: OnceLock::new(),
            requests: Family::default(),
            latency: Family::new_with_constructor(request_histogram),
            searches: Family::default(),
            search_seconds: Family::new_with_constructor(search_histogram),
            embed_seconds: search_histogram(),
            empty_searches: Counter::default(),
            quiz_attempts: Family::default(),
            tree_outcomes: Family::default(),
            help_requests: Counter::default(),
            sampled: Sampled::default(),
            routes: RwLock::default(),
        };
        metrics.register();
        metrics.start_at_zero();
        metrics
    }

    /// Makes every series of a fixed label set exist from the start, so the page lists them
    /// at 0 (the text format leaves out a family without series, and `rate()` needs the 0).
    fn start_at_zero(&self) {
        for legs in [LEXICAL_ONLY, BOTH_LEGS] {
            let legs = LegsLabels { legs };
            drop(self.searches.get_or_create(&legs));
            drop(self.search_seconds.get_or_create(&legs));
        }
        for outcome in ["passed", "failed"] {
            drop(self.quiz_attempts.get_or_create(&OutcomeLabels { outcome }));
        }
        for outcome in ["resolved", "escalated"] {
            drop(self.tree_outcomes.get_or_create(&OutcomeLabels { outcome }));
        }
    }

    fn register(&mut self) {
        let r = &mut self.registry;
        r.register(
            "http_requests",
            "HTTP requests answered, by route pattern, method and status",
            self.requests.clone(),
        );
        r.register_with_unit(
            "http_request_duration",
            "Time to answer a request, by route pattern",
            Unit::Seconds,
            self.latency.clone(),
        );
        r.register(
            "searches",
            "Searches run, by the ranking legs that answered",
            self.searches.clone(),
        );
        r.register_with_unit(
            "search_duration",
            "Time spent in the index per search (lexical matching, and fusion with the semantic leg when it answered), by legs",
            Unit::Seconds,
            self.search_seconds.clone(),
        );
        r.register_with_unit(
            "search_query_embedding_duration",
            "Time to embed a query for the semantic leg (a query seen before is answered from memory)",
            Unit::Seconds,
            self.embed_seconds.clone(),
        );
        r.register(
            "searches_without_results",
            "Searches with words that matched no page",
            self.empty_searches.clone(),
        );
        r.register(
            "quiz_attempts",
            "Quiz attempts graded and stored, by outcome (passed or failed)",
            self.quiz_attempts.clone(),
        );
        r.register(
            "tree_outcomes",
            "Troubleshooting tree walks recorded, by outcome (resolved or escalated)",
            self.tree_outcomes.clone(),
        );
        r.register(
            "help_requests",
            "Help requests sent from escalated tree walks",
            self.help_requests.clone(),
        );
        let s = &self.sampled;
        r.register(
            "documents",
            "Documents in the current snapshot",
            s.documents.clone(),
        );
        r.register(
            "content_errors",
            "Content errors in the current snapshot (listed at /diagnostics)",
            s.content_errors.clone(),
        );
        r.register(
            "content_warnings",
            "Content warnings in the current snapshot (listed at /diagnostics)",
            s.content_warnings.clone(),
        );
        r.register(
            "search_index_ready",
            "1 once the search index is built, 0 while search answers 503",
            s.search_ready.clone(),
        );
        r.register(
            "semantic_ready",
            "1 while the semantic leg ranks searches",
            s.semantic_ready.clone(),
        );
        r.register(
            "snapshot_generation",
            "Snapshots swapped in since the start (live reloads and the index build)",
            s.generation.clone(),
        );
        r.register(
            "content_reloads",
            "Live reloads that swapped in a new site",
            s.reloads.clone(),
        );
        r.register_with_unit(
            "content_loaded_timestamp",
            "When the current site was loaded (the start, or the last live reload), Unix time",
            Unit::Seconds,
            s.site_since.clone(),
        );
        r.register(
            "store_pool_connections",
            "Database pool connections, by state (in_use or idle)",
            s.pool.clone(),
        );
        r.register(
            "store_pool_max_connections",
            "The most connections the database pool opens",
            s.pool_max.clone(),
        );
    }

    /// Whether requests are counted (the `metrics` setting).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Accepts `token` as `Authorization: Bearer` on `/metrics`. Only the first call counts
    /// (the server sets it once at start); false when a token was already set.
    pub fn set_token(&self, token: &str) -> bool {
        self.token
            .set(Sha256::digest(token.as_bytes()).into())
            .is_ok()
    }

    /// Whether `headers` carry the metrics token as `Authorization: Bearer`.
    fn presents_token(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = self.token.get() else {
            return false;
        };
        let Some(presented) = bearer(headers) else {
            return false;
        };
        // Digests of equal length: how long the comparison takes tells nothing of the token.
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest == *expected
    }

    /// The route pattern that answers `req`, `unmatched` when none does. Cached pages are
    /// answered before routing, and finding their pattern then means matching the address
    /// against every route (regular expressions): it cost a tenth of a cached page's
    /// throughput, so the pattern of a GET address is remembered. Other methods are routed,
    /// and actix keeps the route found; their pattern is not remembered, as guards make the
    /// route of one address differ by method.
    fn route_of(&self, req: &HttpRequest, get: bool) -> Arc<str> {
        if get
            && let Some(route) = self
                .routes
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .get(req.path())
        {
            return Arc::clone(route);
        }
        let route: Arc<str> = req
            .match_pattern()
            .map_or_else(|| UNMATCHED.into(), Into::into);
        if get {
            let mut routes = self.routes.write().unwrap_or_else(PoisonError::into_inner);
            if routes.len() >= ROUTE_MEMO {
                routes.clear();
            }
            routes.insert(req.path().to_owned(), Arc::clone(&route));
        }
        route
    }

    /// Counts one answered request.
    fn observe(&self, route: Arc<str>, method: &'static str, status: StatusCode, seconds: f64) {
        self.latency
            .get_or_create(&RouteLabels {
                route: Arc::clone(&route),
            })
            .observe(seconds);
        self.requests
            .get_or_create(&RequestLabels {
                route,
                method,
                status: status.as_u16(),
            })
            .inc();
    }

    /// Counts a search: the legs that ranked it, its time in the index (`took_ms`), and
    /// whether words matched nothing.
    pub fn searched(&self, legs: &[&str], took_ms: f64, total: usize, has_words: bool) {
        let legs = LegsLabels {
            legs: if legs.contains(&crate::search::SEMANTIC) {
                BOTH_LEGS
            } else {
                LEXICAL_ONLY
            },
        };
        self.searches.get_or_create(&legs).inc();
        self.search_seconds
            .get_or_create(&legs)
            .observe(took_ms / 1_000.0);
        if has_words && total == 0 {
            self.empty_searches.inc();
        }
    }

    /// Times a query's embedding for the semantic leg.
    pub fn embedded_query(&self, seconds: f64) {
        self.embed_seconds.observe(seconds);
    }

    /// Counts a stored quiz attempt.
    pub fn quiz_attempt(&self, passed: bool) {
        let outcome = if passed { "passed" } else { "failed" };
        self.quiz_attempts
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// Counts a recorded tree walk, and the help request an escalation sent.
    pub fn tree_outcome(&self, outcome: Outcome, help_request: bool) {
        let outcome = match outcome {
            Outcome::Resolved => "resolved",
            Outcome::Escalate => "escalated",
        };
        self.tree_outcomes
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
        if help_request {
            self.help_requests.inc();
        }
    }

    /// The page: the sampled figures brought up to date, then the registry in text form.
    pub fn exposition(&self, state: &AppState) -> String {
        let s = &self.sampled;
        {
            let snapshot = state.snapshot.load();
            let site = &snapshot.site;
            let errors = site.error_count();
            s.documents.set(as_i64(site.documents.len()));
            s.content_errors.set(as_i64(errors));
            s.content_warnings
                .set(as_i64(site.diagnostics.len().saturating_sub(errors)));
            s.search_ready.set(i64::from(snapshot.search.is_some()));
        }
        s.semantic_ready.set(i64::from(state.semantic.is_ready()));
        let swaps = state.snapshot.swaps();
        s.generation.set(as_i64(swaps.generation));
        s.reloads
            .inner()
            .store(swaps.reloads, std::sync::atomic::Ordering::Relaxed);
        s.site_since.set(as_i64(swaps.site_since));
        let pool = state.store.pool_state();
        s.pool
            .get_or_create(&StateLabels { state: "in_use" })
            .set(i64::from(pool.in_use()));
        s.pool
            .get_or_create(&StateLabels { state: "idle" })
            .set(i64::from(pool.idle));
        s.pool_max.set(i64::from(pool.max));
        let mut text = String::with_capacity(16 * 1024);
        if let Err(error) = prometheus_text::encode(&mut text, &self.registry) {
            // Writing into a String cannot fail; say so in the log rather than panic.
            tracing::error!(%error, "the metrics could not be written");
        }
        text
    }
}

fn as_i64(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

/// The token of an `Authorization: Bearer` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The method as a label: the standard ones by name, anything else `other` (a client can
/// send any token as a method).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware (wrapped only when `metrics` is on): counts and times every request under its
/// route pattern, and answers `/metrics` for the metrics token before authentication.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let Some(metrics) = req
        .app_data::<web::Data<AppState>>()
        .map(|state| Arc::clone(&state.metrics))
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let method = method_label(req.method());
    if req.path() == PATH
        && *req.method() == Method::GET
        && metrics.presents_token(req.headers())
        && let Some(state) = req.app_data::<web::Data<AppState>>().cloned()
    {
        let response = text_page(StatusCode::OK, metrics.exposition(&state));
        let res = req.into_response(response);
        metrics.observe(PATH.into(), method, res.status(), seconds(started));
        return Ok(res);
    }
    let get = matches!(method, "GET" | "HEAD");
    let res = next.call(req).await?.map_into_boxed_body();
    let route = metrics.route_of(res.request(), get);
    metrics.observe(route, method, res.status(), seconds(started));
    Ok(res)
}

fn seconds(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

/// A plain-text answer: Prometheus reads the page, monitors and people read the refusals
/// (the error-page middleware leaves plain text a handler wrote as it is).
fn text_page(status: StatusCode, body: String) -> HttpResponse {
    let content_type = if status == StatusCode::OK {
        prometheus_text::CONTENT_TYPE
    } else {
        "text/plain; charset=utf-8"
    };
    HttpResponse::build(status)
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(body)
}

/// `GET /metrics` for people and tools signed in: admins only. (The metrics token is
/// answered by [`track`] before this.)
async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !state.metrics.enabled() {
        return text_page(
            StatusCode::NOT_FOUND,
            "Metrics are off on this server; start it with metrics on (--metrics on, SELFSERVE_METRICS or the config file).".to_owned(),
        );
    }
    match Identity::of(&req) {
        Some(identity) if identity.is_admin() => {
            text_page(StatusCode::OK, state.metrics.exposition(&state))
        }
        Some(_) => text_page(
            StatusCode::FORBIDDEN,
            "Only admins and the metrics token may read the metrics; ask an admin for access."
                .to_owned(),
        ),
        None => {
            let mut response = text_page(
                StatusCode::UNAUTHORIZED,
                "Send the metrics token as Authorization: Bearer, or sign in as an admin, to read the metrics.".to_owned(),
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(super::auth::CHALLENGE),
            );
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_metrics_token_as_bearer_is_accepted() {
        let metrics = Metrics::new(true);
        let mut headers = HeaderMap::new();
        let token = "a-long-enough-metrics-token";
        assert!(!metrics.presents_token(&headers), "no token set, none sent");
        assert!(metrics.set_token(token));
        assert!(!metrics.set_token("another-long-token-here"), "set once");
        for (value, accepted) in [
            (format!("Bearer {token}"), true),
            (format!("bearer  {token} "), true),
            (format!("Basic {token}"), false),
            (format!("Bearer {token}x"), false),
            ("Bearer ".to_owned(), false),
            (token.to_owned(), false),
        ] {
            headers.insert(
                header::AUTHORIZATION,
                HeaderValue::from_str(&value).expect("header"),
            );
            assert_eq!(metrics.presents_token(&headers), accepted, "{value}");
        }
    }

    #[test]
    fn methods_outside_the_standard_ones_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::HEAD), "HEAD");
        let odd = Method::from_bytes(b"BREW").expect("a method token");
        assert_eq!(method_label(&odd), "other");
    }

    #[test]
    fn counters_appear_in_the_text_format() {
        let metrics = Metrics::new(true);
        metrics.observe("/docs/{id:.*}".into(), "GET", StatusCode::OK, 0.000_3);
        metrics.searched(&["lexical", "semantic"], 2.5, 0, true);
        metrics.quiz_attempt(true);
        metrics.tree_outcome(Outcome::Escalate, true);
        let mut text = String::new();
        prometheus_text::encode(&mut text, &metrics.registry).expect("encodes");
        for line in [
            r#"selfserve_http_requests_total{route="/docs/{id:.*}",method="GET",status="200"} 1"#,
            r#"selfserve_http_request_duration_seconds_bucket{route="/docs/{id:.*}",le="0.0005"} 1"#,
            r#"selfserve_searches_total{legs="lexical+semantic"} 1"#,
            "selfserve_searches_without_results_total 1",
            r#"selfserve_quiz_attempts_total{outcome="passed"} 1"#,
            r#"selfserve_tree_outcomes_total{outcome="escalated"} 1"#,
            "selfserve_help_requests_total 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing in:\n{text}"
            );
        }
    }
}
