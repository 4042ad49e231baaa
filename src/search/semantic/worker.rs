//! The semantic leg's state and the background thread that keeps its vectors up to date.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

use crate::model::{DocId, Document, Site};

use super::SemanticError;
use super::cache::VectorCache;
use super::model::Embedder;
use super::passages::{passage_hash, passages};
use super::queries::{MAX_QUERY_TOKENS, QueryThreads};
use super::vectors::{PageVectors, PassageHash, Quantized, VectorSet};

/// Query vectors remembered (a repeated query is not embedded again); the memory is
/// emptied when full, ~1.6 KB each.
const QUERY_MEMORY: usize = 2_048;

/// Where the semantic leg stands, for logs and `/healthz`-like reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SemanticStatus {
    /// Switched off in the configuration.
    Off,
    /// Loading the model or embedding the first site; searches are lexical meanwhile.
    Embedding,
    /// Vectors cover the site (a live edit may be a second or two behind).
    Ready,
    /// The model could not be loaded or run; searches stay lexical (see the log).
    Failed,
}

/// The semantic leg: cheap to clone, shared by the server's workers.
#[derive(Clone)]
pub struct SemanticLeg {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SemanticLeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SemanticLeg")
            .field("status", &self.status())
            .field("passages", &self.shared.vectors.load().passage_count())
            .finish()
    }
}

struct Shared {
    vectors: ArcSwap<VectorSet>,
    ready: AtomicBool,
    failed: AtomicBool,
    off: bool,
    embedder: OnceLock<Embedder>,
    cache_dir: Option<PathBuf>,
    queue: Mutex<Queue>,
    wake: Condvar,
    queries: Mutex<HashMap<String, Arc<[f32]>>>,
    /// Where queries are sent to be embedded (see [`QueryThreads`]).
    query_threads: OnceLock<QueryThreads>,
    embedded: AtomicUsize,
}

#[derive(Default)]
struct Queue {
    /// The newest site not yet taken by the worker.
    next: Option<Arc<Site>>,
    /// Sites submitted / finished, so a caller can wait for "up to date".
    submitted: u64,
    finished: u64,
}

/// What the worker carries between runs.
#[derive(Default)]
struct WorkerState {
    cache: Option<VectorCache>,
    /// Vectors read from the cache file, used up by the first pass and then dropped.
    from_file: HashMap<PassageHash, Quantized>,
    /// The documents the published vectors were made from. Live reload keeps the same
    /// `Arc` for every document it did not rebuild (as the lexical index relies on), so an
    /// edit re-reads only the changed pages instead of every page's passages and hashes.
    seen: HashMap<DocId, Arc<Document>>,
}

impl SemanticLeg {
    /// A leg that is switched off: never ready, costs nothing.
    pub fn off() -> Self {
        Self::with(None, true)
    }

    /// Loads the model now, on this thread (tests, the relevance harness, benchmarks);
    /// vectors are kept in `cache_dir` when given. Embed with [`Self::embed_site_blocking`].
    pub fn load(cache_dir: Option<&Path>) -> Result<Self, SemanticError> {
        let leg = Self::with(cache_dir.map(Path::to_path_buf), false);
        let embedder = Embedder::load()?;
        let _ = leg.shared.embedder.set(embedder);
        Ok(leg)
    }

    /// The server's leg: a background thread loads the model and embeds every site given
    /// to [`Self::submit`], keeping vectors in `cache_dir`.
    pub fn start(cache_dir: Option<PathBuf>) -> Self {
        let leg = Self::with(cache_dir, false);
        let shared = Arc::clone(&leg.shared);
        let spawned = std::thread::Builder::new()
            .name("semantic-embed".into())
            .spawn(move || run(&shared));
        if let Err(error) = spawned {
            tracing::error!(%error, "cannot start the semantic search thread; search stays lexical");
            leg.shared.failed.store(true, Ordering::Release);
        }
        leg
    }

    fn with(cache_dir: Option<PathBuf>, off: bool) -> Self {
        Self {
            shared: Arc::new(Shared {
                vectors: ArcSwap::from_pointee(VectorSet::default()),
                ready: AtomicBool::new(false),
                failed: AtomicBool::new(false),
                off,
                embedder: OnceLock::new(),
                cache_dir,
                queue: Mutex::new(Queue::default()),
                wake: Condvar::new(),
                queries: Mutex::new(HashMap::new()),
                query_threads: OnceLock::new(),
                embedded: AtomicUsize::new(0),
            }),
        }
    }

    /// Asks the worker to bring the vectors up to date with `site` (the newest wins).
    pub fn submit(&self, site: Arc<Site>) {
        if self.shared.off {
            return;
        }
        let mut queue = lock(&self.shared.queue);
        queue.next = Some(site);
        queue.submitted += 1;
        self.shared.wake.notify_all();
    }

    /// Embeds `site` on this thread (after [`Self::load`]); the leg is ready when it returns.
    pub fn embed_site_blocking(&self, site: &Site) -> Result<(), SemanticError> {
        let mut state = WorkerState::default();
        open_cache(&self.shared, &mut state);
        sync(&self.shared, &mut state, site)?;
        self.shared.ready.store(true, Ordering::Release);
        Ok(())
    }

    /// Where the leg stands.
    pub fn status(&self) -> SemanticStatus {
        if self.shared.off {
            SemanticStatus::Off
        } else if self.shared.failed.load(Ordering::Acquire) {
            SemanticStatus::Failed
        } else if self.shared.ready.load(Ordering::Acquire) {
            SemanticStatus::Ready
        } else {
            SemanticStatus::Embedding
        }
    }

    /// True once the vectors cover a whole site: searches then use the leg.
    pub fn is_ready(&self) -> bool {
        self.status() == SemanticStatus::Ready
    }

    /// Waits until every submitted site is embedded, or `timeout` passes; true when up to date.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut queue = lock(&self.shared.queue);
        while queue.finished < queue.submitted && !self.shared.failed.load(Ordering::Acquire) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            queue = self
                .shared
                .wake
                .wait_timeout(queue, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        queue.finished >= queue.submitted
    }

    /// Passages embedded (not read from the cache) since the leg started.
    pub fn embedded_count(&self) -> usize {
        self.shared.embedded.load(Ordering::Relaxed)
    }

    /// The current vectors.
    pub fn vectors(&self) -> Arc<VectorSet> {
        self.shared.vectors.load_full()
    }

    /// The unit vector of a query; `None` when the leg is not ready or the model failed.
    pub fn query_vector(&self, query: &str) -> Option<Arc<[f32]>> {
        if !self.is_ready() {
            return None;
        }
        let key = query.trim().to_lowercase();
        if key.is_empty() {
            return None;
        }
        if let Some(v) = lock(&self.shared.queries).get(&key) {
            return Some(Arc::clone(v));
        }
        let threads = self.shared.query_threads.get_or_init(|| {
            let shared = Arc::downgrade(&self.shared);
            QueryThreads::start(move |text| {
                let shared = shared.upgrade()?;
                Some(match shared.embedder.get() {
                    Some(embedder) => embedder.embed_at_most(text, MAX_QUERY_TOKENS),
                    None => Err(SemanticError::Model("the model is not loaded".into())),
                })
            })
        });
        match threads.embed(&key) {
            Some(Ok(v)) => {
                let v: Arc<[f32]> = v.into();
                let mut memory = lock(&self.shared.queries);
                if memory.len() >= QUERY_MEMORY {
                    memory.clear();
                }
                memory.insert(key, Arc::clone(&v));
                Some(v)
            }
            Some(Err(error)) => {
                tracing::warn!(%error, "embedding a query failed; answering lexically");
                None
            }
            None => None,
        }
    }
}

fn run(shared: &Shared) {
    let started = Instant::now();
    match Embedder::load() {
        Ok(embedder) => {
            let _ = shared.embedder.set(embedder);
            tracing::info!(took = ?started.elapsed(), "semantic search model loaded");
        }
        Err(error) => {
            tracing::error!(%error, "semantic search is off");
            shared.failed.store(true, Ordering::Release);
            shared.wake.notify_all();
            return;
        }
    }
    lower_priority();
    let mut state = WorkerState::default();
    open_cache(shared, &mut state);
    loop {
        let (site, generation) = {
            let mut queue = lock(&shared.queue);
            loop {
                if let Some(site) = queue.next.take() {
                    break (site, queue.submitted);
                }
                queue = shared
                    .wake
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        };
        let started = Instant::now();
        let before = shared.embedded.load(Ordering::Relaxed);
        match sync(shared, &mut state, &site) {
            Ok(()) => {
                let first = !shared.ready.swap(true, Ordering::AcqRel);
                let embedded = shared.embedded.load(Ordering::Relaxed) - before;
                if first || embedded > 0 {
                    tracing::info!(
                        passages = shared.vectors.load().passage_count(),
                        embedded,
                        took = ?started.elapsed(),
                        "semantic search vectors up to date"
                    );
                }
            }
            Err(error) => {
                tracing::error!(%error, "semantic search stopped; searches stay lexical");
                shared.failed.store(true, Ordering::Release);
            }
        }
        let mut queue = lock(&shared.queue);
        queue.finished = queue.finished.max(generation);
        shared.wake.notify_all();
        if shared.failed.load(Ordering::Acquire) {
            return;
        }
    }
}

fn open_cache(shared: &Shared, state: &mut WorkerState) {
    let Some(dir) = &shared.cache_dir else {
        return;
    };
    match VectorCache::open(dir) {
        Ok((cache, vectors)) => {
            state.cache = Some(cache);
            state.from_file = vectors;
        }
        Err(error) => {
            tracing::warn!(%error, "embedding without a vector cache (a restart embeds everything again)");
        }
    }
}

/// Pages planned, embedded and assembled together: bounds the passage texts held at once
/// (at 100x the corpus all of them would be ~0.5 GB).
const PAGES_PER_ROUND: usize = 64;
/// How often the first pass reports its progress.
const PROGRESS_EVERY: Duration = Duration::from_secs(15);

/// One page's passages on their way to vectors.
struct Planned<'s> {
    id: &'s DocId,
    ords: Vec<u32>,
    hashes: Vec<PassageHash>,
    vectors: Vec<Option<Quantized>>,
    texts: Vec<String>,
}

/// Brings the published vectors up to date with `site`: unchanged pages keep theirs,
/// changed pages reuse every passage vector whose text is unchanged (or cached), and only
/// new text is embedded, on every core at low priority.
fn sync(shared: &Shared, state: &mut WorkerState, site: &Site) -> Result<(), SemanticError> {
    let Some(embedder) = shared.embedder.get() else {
        return Err(SemanticError::Model("the model is not loaded".into()));
    };
    let current = shared.vectors.load_full();
    let mut pages: HashMap<DocId, Arc<PageVectors>> = HashMap::with_capacity(site.documents.len());
    let documents: Vec<_> = site.documents.iter().collect();
    let mut last_report = Instant::now();
    let started = Instant::now();
    for (round, chunk) in documents.chunks(PAGES_PER_ROUND).enumerate() {
        let mut planned: Vec<Planned<'_>> = Vec::new();
        for (id, doc) in chunk {
            if let (Some(seen), Some(old)) = (state.seen.get(*id), current.page(id))
                && Arc::ptr_eq(seen, doc)
            {
                pages.insert((*id).clone(), Arc::clone(old));
                continue;
            }
            let (ords, texts): (Vec<u32>, Vec<String>) = passages(doc).into_iter().unzip();
            let hashes: Vec<PassageHash> = texts.iter().map(|t| passage_hash(t)).collect();
            let old = current.page(id);
            if let Some(old) = old
                && old.hashes == hashes
                && old.ords == ords
            {
                pages.insert((*id).clone(), Arc::clone(old));
                continue;
            }
            let reusable: HashMap<&PassageHash, usize> = old
                .map(|p| p.hashes.iter().enumerate().map(|(i, h)| (h, i)).collect())
                .unwrap_or_default();
            let vectors = hashes
                .iter()
                .map(|hash| {
                    reusable
                        .get(hash)
                        .and_then(|&i| old.and_then(|p| p.vector(i)))
                        .or_else(|| state.from_file.get(hash).cloned())
                })
                .collect();
            planned.push(Planned {
                id,
                ords,
                hashes,
                vectors,
                texts,
            });
        }
        let missing: Vec<(usize, usize)> = planned
            .iter()
            .enumerate()
            .flat_map(|(p, page)| {
                page.vectors
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_none())
                    .map(move |(i, _)| (p, i))
            })
            .collect();
        let texts: Vec<&str> = missing
            .iter()
            .map(|&(p, i)| planned[p].texts[i].as_str())
            .collect();
        let embedded = embed_all(embedder, &texts)?;
        shared.embedded.fetch_add(embedded.len(), Ordering::Relaxed);
        for (&(p, i), vector) in missing.iter().zip(embedded) {
            if let Some(cache) = &mut state.cache {
                cache.append(&planned[p].hashes[i], &vector)?;
            }
            planned[p].vectors[i] = Some(vector);
        }
        if let Some(cache) = &mut state.cache {
            cache.flush()?;
        }
        for page in planned {
            let passages = page
                .ords
                .into_iter()
                .zip(page.hashes)
                .zip(page.vectors)
                .filter_map(|((ord, hash), v)| v.map(|v| (ord, hash, v)))
                .collect();
            pages.insert(page.id.clone(), Arc::new(PageVectors::new(passages)));
        }
        if last_report.elapsed() >= PROGRESS_EVERY {
            last_report = Instant::now();
            tracing::info!(
                pages = ((round + 1) * PAGES_PER_ROUND).min(documents.len()),
                of = documents.len(),
                embedded = shared.embedded.load(Ordering::Relaxed),
                took = ?started.elapsed(),
                "semantic search: embedding"
            );
        }
    }
    let set = VectorSet::from_pages(pages);
    if let Some(cache) = &mut state.cache {
        let live = set.passage_count();
        let all = set.pages().values().flat_map(|page| {
            page.hashes
                .iter()
                .enumerate()
                .filter_map(move |(i, h)| page.vector(i).map(|v| (h, v)))
        });
        if cache.compact(all, live)? {
            tracing::info!(live, "vector cache compacted");
        }
    }
    // Every cached vector the site uses now lives in the set; the rest is stale.
    state.from_file = HashMap::new();
    state.seen = site
        .documents
        .iter()
        .map(|(id, doc)| (id.clone(), Arc::clone(doc)))
        .collect();
    shared.vectors.store(Arc::new(set));
    Ok(())
}

/// Embeds `texts` on one thread per core (each at low priority, so serving comes first);
/// vectors in the order of `texts`.
fn embed_all(embedder: &Embedder, texts: &[&str]) -> Result<Vec<Quantized>, SemanticError> {
    if texts.is_empty() {
        return Ok(Vec::new());
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, texts.len());
    let next = AtomicUsize::new(0);
    let parts: Vec<Result<Vec<(usize, Quantized)>, SemanticError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    lower_priority();
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(text) = texts.get(i) else {
                            return Ok(done);
                        };
                        done.push((i, Quantized::from_f32(&embedder.embed(text)?)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(SemanticError::Model("an embedding thread panicked".into()))
                })
            })
            .collect()
    });
    let mut slots: Vec<Option<Quantized>> = vec![None; texts.len()];
    for part in parts {
        for (i, v) in part? {
            slots[i] = Some(v);
        }
    }
    slots
        .into_iter()
        .map(|v| v.ok_or_else(|| SemanticError::Model("a passage was not embedded".into())))
        .collect()
}

/// Embedding is background work: on Linux a thread's nice value is its own, so raising it
/// lets request threads run first when both want the CPU.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    if let Err(error) = rustix::process::setpriority_process(None, 10) {
        tracing::debug!(%error, "could not lower the embedding thread's priority");
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
