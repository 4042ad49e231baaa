//! The semantic leg's state and the background thread that keeps its vectors up to date.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

use crate::model::{DocId, Site};

use super::SemanticError;
use super::cache::VectorCache;
use super::model::Embedder;
use super::passages::{passage_hash, passages};
use super::vectors::{PageVectors, PassageHash, Quantized, VectorSet};

/// Query vectors remembered (a repeated query is not embedded again); the memory is
/// emptied when full, ~1.6 KB each.
const QUERY_MEMORY: usize = 2_048;
/// Cached vectors written between flushes.
const FLUSH_EVERY: usize = 64;

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
        let embedder = self.shared.embedder.get()?;
        match embedder.embed(&key) {
            Ok(v) => {
                let v: Arc<[f32]> = v.into();
                let mut memory = lock(&self.shared.queries);
                if memory.len() >= QUERY_MEMORY {
                    memory.clear();
                }
                memory.insert(key, Arc::clone(&v));
                Some(v)
            }
            Err(error) => {
                tracing::warn!(%error, "embedding a query failed; answering lexically");
                None
            }
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

/// Brings the published vectors up to date with `site`: unchanged pages keep theirs,
/// changed pages reuse every passage vector whose text is unchanged (or cached), and only
/// new text is embedded.
fn sync(shared: &Shared, state: &mut WorkerState, site: &Site) -> Result<(), SemanticError> {
    let Some(embedder) = shared.embedder.get() else {
        return Err(SemanticError::Model("the model is not loaded".into()));
    };
    let current = shared.vectors.load_full();
    let mut pages: HashMap<DocId, Arc<PageVectors>> = HashMap::with_capacity(site.documents.len());
    let mut unflushed = 0usize;
    for (id, doc) in &site.documents {
        let texts = passages(doc);
        let hashes: Vec<PassageHash> = texts.iter().map(|(_, t)| passage_hash(t)).collect();
        let old = current.page(id);
        if let Some(old) = old
            && old.hashes == hashes
            && old.ords.iter().eq(texts.iter().map(|(o, _)| o))
        {
            pages.insert(id.clone(), Arc::clone(old));
            continue;
        }
        let reusable: HashMap<&PassageHash, usize> = old
            .map(|p| p.hashes.iter().enumerate().map(|(i, h)| (h, i)).collect())
            .unwrap_or_default();
        let mut vectors = Vec::with_capacity(texts.len());
        for ((ord, text), hash) in texts.iter().zip(hashes) {
            let known = reusable
                .get(&hash)
                .and_then(|&i| old.and_then(|p| p.vector(i)))
                .or_else(|| state.from_file.get(&hash).cloned());
            let vector = match known {
                Some(v) => v,
                None => {
                    let v = Quantized::from_f32(&embedder.embed(text)?);
                    shared.embedded.fetch_add(1, Ordering::Relaxed);
                    if let Some(cache) = &mut state.cache {
                        cache.append(&hash, &v)?;
                        unflushed += 1;
                        if unflushed >= FLUSH_EVERY {
                            cache.flush()?;
                            unflushed = 0;
                        }
                    }
                    v
                }
            };
            vectors.push((*ord, hash, vector));
        }
        pages.insert(id.clone(), Arc::new(PageVectors::new(vectors)));
    }
    let set = VectorSet::from_pages(pages);
    if let Some(cache) = &mut state.cache {
        cache.flush()?;
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
    shared.vectors.store(Arc::new(set));
    Ok(())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
