//! The HTTP layer (actix-web): the app state, the route table, middleware, and `serve`.
//!
//! Every request loads ONE [`Snapshot`] at its start (`state.snapshot.load_full()`) and reads
//! only that, so a live reload swapping the snapshot mid-request cannot mix two states.
//! Handlers return [`AppError`]; [`error::error_pages`] turns any error into an HTML page (or
//! `{"error": ...}` JSON under `/api/`), and [`headers::security_headers`] adds CSP and friends.

pub mod access_log;
pub mod api;
pub mod assets;
pub mod auth;
pub mod context;
pub mod discovery;
pub mod error;
pub mod feedback;
pub mod headers;
pub mod http_cache;
pub mod insights;
pub mod kinds;
pub mod live;
pub mod metrics;
pub mod pages;
pub mod qualifications;
mod query;
pub mod search;
mod standing;
pub mod training;
pub mod trees;
pub mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpServer, web};

use crate::search::IndexStorage;
use crate::search::semantic::SemanticLeg;
use crate::snapshot::{CurrentSnapshot, Snapshot};
use crate::store::{DatabaseUrl, Store, StoreError};

pub use error::AppError;

/// What `selfserve serve` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The content folder.
    pub content: PathBuf,
    /// Where the search index, the semantic cache and (by default) the database live.
    pub data: PathBuf,
    /// The database (`--database`; by default `selfserve.db` in `data`).
    pub database: DatabaseUrl,
    /// Address to listen on.
    pub addr: SocketAddr,
    /// Reload content on edits.
    pub watch: bool,
    /// Run the semantic search leg (unless the site's `[search] semantic = false`); the
    /// server's switch, `SELFSERVE_SEMANTIC=off`.
    pub semantic: bool,
    /// Sign-in through an OpenID provider (`oidc_*` settings).
    pub oidc: Option<crate::oidc::OidcSettings>,
    /// Count requests for `/metrics` (`SELFSERVE_METRICS=off` leaves the middleware out).
    pub metrics: bool,
    /// The token a scraper sends to `/metrics`.
    pub metrics_token: Option<crate::server_config::Secret>,
    /// The webhook receiver, when one is configured.
    pub webhook: Option<crate::webhooks::Endpoint>,
}

/// Errors that stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The content folder cannot be read.
    #[error(transparent)]
    Content(#[from] crate::source::SourceError),
    /// The data folder cannot be created.
    #[error("cannot create the data folder {path}: {source}; pass a writable folder with --data")]
    DataDir {
        /// The folder given.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}; pick another address with --addr")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The database file was emptied where data existed; the sentence says what to do (and
    /// is not repeated as a cause, unlike [`ServeError::Store`]'s).
    #[error("{0}")]
    EmptiedDatabase(String),
    /// The database cannot be opened or migrated.
    #[error("{0}; check the --data folder, or --database when the records live elsewhere")]
    Store(#[from] StoreError),
    /// The search index's folder under the data folder cannot be used.
    #[error(transparent)]
    SearchFolder(#[from] crate::search::SearchError),
    /// The server failed while running.
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// What every handler can reach. Cheap to clone: everything big is behind an `Arc`.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The current content; the live-reload watcher and the background index build store a
    /// new one, requests `load_full()` it once.
    pub snapshot: Arc<CurrentSnapshot>,
    /// The content folder, confined (assets are read from here, only paths listed in the
    /// snapshot, and never through a link that leaves it or into the data folder).
    pub content_root: crate::source::ContentRoot,
    /// Where the database and other state live.
    pub data_dir: PathBuf,
    /// Whether content reloads on edits.
    pub watch: bool,
    /// The content state the watcher updates; `Some` only when watching.
    pub live: Option<Arc<crate::live::LiveState>>,
    /// The database (accounts, sessions, attempts, outcomes); call it inside `web::block`.
    pub store: Store,
    /// Where search indexes keep their files: a folder under `data_dir` once loaded (see
    /// `search/storage.rs`), RAM for a state made with [`AppState::new`].
    pub index_storage: IndexStorage,
    /// The semantic search leg; off until [`Self::start_semantic`].
    pub semantic: SemanticLeg,
    /// Sign-in through an OpenID provider, when the server is configured for one.
    pub oidc: Option<Arc<crate::oidc::Oidc>>,
    /// The Prometheus registry behind `/metrics` (counting on unless `serve` says off).
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    /// Loads the content and prepares the data folder: everything `serve` needs before binding.
    /// Later layers (the store, the watcher) open their parts here too. The search index is
    /// not built yet: call [`Self::build_search_index`] or [`Self::spawn_search_index`].
    pub fn load(content: PathBuf, data: PathBuf, watch: bool) -> Result<Self, ServeError> {
        let database = DatabaseUrl::in_data_dir(&data);
        Self::load_with_database(content, data, &database, watch)
    }

    /// [`Self::load`] with the records in `database` (SQLite or PostgreSQL); `data` still
    /// holds the search index and the semantic cache.
    pub fn load_with_database(
        content: PathBuf,
        data: PathBuf,
        database: &DatabaseUrl,
        watch: bool,
    ) -> Result<Self, ServeError> {
        // A data folder inside the content folder is never walked or served.
        let root = crate::source::ContentRoot::new(&content).excluding(&data)?;
        let content_state = crate::live::ContentState::load_root(root)?;
        let snapshot = Snapshot::without_index(content_state.site());
        let watch = watch || snapshot.site.config.watch;
        std::fs::create_dir_all(&data).map_err(|source| ServeError::DataDir {
            path: data.clone(),
            source,
        })?;
        let store = Store::connect(database).map_err(|err| match err {
            StoreError::Emptied(sentence) => ServeError::EmptiedDatabase(sentence),
            other => ServeError::Store(other),
        })?;
        let index_storage = IndexStorage::in_folder(&data.join("search"))?;
        let mut state = Self::new(snapshot, store, content, data, watch);
        state.index_storage = index_storage;
        if watch {
            state.live = Some(Arc::new(crate::live::LiveState::new(content_state)));
        }
        Ok(state)
    }

    /// Wraps an already loaded snapshot and an open store.
    pub fn new(
        snapshot: Snapshot,
        store: Store,
        content_root: PathBuf,
        data_dir: PathBuf,
        watch: bool,
    ) -> Self {
        let root = crate::source::ContentRoot::new(&content_root);
        let content_root = root.clone().excluding(&data_dir).unwrap_or(root);
        Self {
            snapshot: Arc::new(CurrentSnapshot::new(snapshot)),
            content_root,
            data_dir,
            watch,
            live: None,
            store,
            index_storage: IndexStorage::Memory,
            semantic: SemanticLeg::off(),
            oidc: None,
            metrics: Arc::default(),
        }
    }
}

impl AppState {
    /// Builds the search index now (tests, and tools that need search at once).
    pub fn build_search_index(&self) {
        crate::snapshot::build_index(&self.snapshot, &self.index_storage);
    }

    /// Builds the search index on a background thread; pages are served meanwhile and
    /// search answers 503 "still being built".
    pub fn spawn_search_index(&self) -> std::io::Result<()> {
        crate::snapshot::spawn_index_build(Arc::clone(&self.snapshot), self.index_storage.clone())
    }

    /// Starts the semantic leg unless the site's `[search] semantic = false`: a background
    /// thread loads the model and embeds the site, keeping vectors in `<data>/semantic/`,
    /// and a watcher hands it every new site (live edits) within [`SEMANTIC_POLL`].
    /// Searches stay lexical until the first pass is done.
    pub fn start_semantic(&mut self) -> std::io::Result<()> {
        let site = Arc::clone(&self.snapshot.load().site);
        if !site.config.search.semantic {
            tracing::info!("semantic search is off ([search] semantic = false in site.toml)");
            return Ok(());
        }
        let leg = SemanticLeg::start(Some(self.data_dir.join("semantic")));
        leg.submit(Arc::clone(&site));
        let snapshot = Arc::clone(&self.snapshot);
        let watched = leg.clone();
        std::thread::Builder::new()
            .name("semantic-watch".into())
            .spawn(move || {
                let mut seen = site;
                loop {
                    std::thread::sleep(SEMANTIC_POLL);
                    let now = Arc::clone(&snapshot.load().site);
                    if !Arc::ptr_eq(&now, &seen) {
                        watched.submit(Arc::clone(&now));
                        seen = now;
                    }
                }
            })?;
        self.semantic = leg;
        Ok(())
    }
}

/// How often the semantic leg's watcher looks for a new site (a live edit).
pub const SEMANTIC_POLL: std::time::Duration = std::time::Duration::from_millis(200);

/// The route table: each area registers its routes with one `configure` call. No two areas
/// share a path prefix (every document address is in [`kinds`], every `/api/v1` route in
/// [`api`]), so their order does not matter.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(api::routes); // /healthz and the JSON API
    cfg.configure(assets::routes);
    cfg.configure(kinds::routes); // /{kind}/{id}: every document's address
    cfg.configure(search::routes); // GET /search, /admin/search-feedback
    cfg.configure(auth::routes); // sign-in, sign-out, account and API tokens
    cfg.configure(trees::routes); // /requests
    cfg.configure(training::routes); // "My training"
    cfg.configure(qualifications::routes); // profiles, matrix
    cfg.configure(insights::routes); // /insights/…
    cfg.configure(pages::routes); // home, tags, diagnostics
    cfg.configure(discovery::routes); // /sitemap.xml, /robots.txt, /opensearch.xml
    cfg.configure(metrics::routes); // /metrics
    cfg.configure(webhooks::routes); // /admin/webhooks
}

/// Binds `addr` (port 0 picks a free one) and returns the running server and its address.
/// The caller awaits the server (or its handle) inside an actix runtime.
pub async fn start(
    state: AppState,
    addr: SocketAddr,
) -> Result<(actix_web::dev::Server, SocketAddr), ServeError> {
    // One logger for all workers: searches are batched into SQLite off the request path.
    // Its limits come from the current site.toml, so a live edit applies without a restart.
    let snapshot = Arc::clone(&state.snapshot);
    let search_log: Arc<dyn search::SearchLogSink> =
        search::BatchingSearchLog::start(state.store.clone(), move || {
            let bounds = snapshot.load().site.config.search_log;
            crate::store::SearchLogLimits {
                retention_days: bounds.retention_days,
                max_rows: bounds.max_rows,
            }
        });
    let search_log = web::Data::from(search_log);
    let count_requests = state.metrics.enabled();
    let server = HttpServer::new(move || {
        // The last `wrap` is outermost: security headers also reach the error pages, and the
        // error pages see who is signed in (the auth middleware runs inside them).
        App::new()
            .app_data(web::Data::new(state.clone()))
            .app_data(search_log.clone())
            .configure(routes)
            .default_service(web::to(pages::not_found))
            .wrap(from_fn(auth::authenticate))
            // Anonymous hits on cached pages stop here, before authentication and routing.
            .wrap(from_fn(pages::serve_cached))
            .wrap(from_fn(error::error_pages))
            .wrap(from_fn(headers::security_headers))
            // Outermost: a HEAD is routed as a GET everywhere (the body is dropped on the way out).
            .wrap(from_fn(http_cache::head_as_get))
            // Counts and times every request (HEAD as asked); answers the metrics token.
            .wrap(Condition::new(count_requests, from_fn(metrics::track)))
            // Around everything: the method as asked, the status and bytes as sent.
            .wrap(from_fn(access_log::access_log))
    })
    .workers(worker_count())
    .bind(addr)
    .map_err(|source| ServeError::Bind { addr, source })?;
    let bound = server.addrs().first().copied().unwrap_or(addr);
    Ok((server.run(), bound))
}

fn worker_count() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// Runs the server until it is stopped (Ctrl-C).
pub fn serve(options: ServeOptions) -> Result<(), ServeError> {
    let mut state = AppState::load_with_database(
        options.content.clone(),
        options.data,
        &options.database,
        options.watch,
    )?;
    state.metrics = Arc::new(metrics::Metrics::new(options.metrics));
    if let Some(token) = &options.metrics_token {
        state.metrics.set_token(token.expose());
    }
    // The URL's Display leaves the password out.
    tracing::info!("records in {}", options.database);
    {
        let snapshot = state.snapshot.load();
        let site = &snapshot.site;
        let errors = site.error_count();
        tracing::info!(
            "loaded {} documents from {}: {} errors, {} warnings{}",
            site.documents.len(),
            options.content.display(),
            errors,
            site.diagnostics.len() - errors,
            if site.diagnostics.is_empty() {
                ""
            } else {
                " (listed at /diagnostics)"
            }
        );
    }
    state.oidc = options.oidc.map(auth::start_oidc);
    if let Err(error) = state.spawn_search_index() {
        tracing::warn!("cannot start building the search index ({error}); building it first");
        state.build_search_index();
    }
    if !options.semantic {
        tracing::info!(
            "semantic search is off (--semantic, SELFSERVE_SEMANTIC or the config file)"
        );
    } else if let Err(error) = state.start_semantic() {
        tracing::warn!("cannot start semantic search ({error}); search stays lexical");
    }
    if let Err(error) = live::spawn_watcher(&state) {
        tracing::warn!(
            "cannot watch {} for changes ({error}); serving without live reload",
            state.content_root.path().display()
        );
    }
    // Kept until the server stops: dropping it stops the webhook threads.
    let _webhooks = match options.webhook {
        Some(endpoint) => Some(crate::webhooks::start(
            &state.store,
            Arc::clone(&state.snapshot),
            endpoint,
            crate::webhooks::Timing::standard(),
        )?),
        None => None,
    };
    let index_storage = state.index_storage.clone();
    let served = actix_web::rt::System::new().block_on(async move {
        let (server, bound) = start(state, options.addr).await?;
        crate::cli::logging::listening(&format!("http://{bound}"));
        server.await.map_err(ServeError::Io)
    });
    // The watcher and the index build may still hold the index, so dropping is not enough.
    index_storage.remove_created_folders();
    served
}
