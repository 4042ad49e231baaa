//! The index itself: building it from a site, replacing or removing one document, searching.
//!
//! A [`SearchIndex`] is a cheap handle (`Arc` inside): live reload clones it into the next
//! snapshot and calls [`SearchIndex::replace_document`] instead of rebuilding. The reader
//! uses `ReloadPolicy::Manual` and is reloaded right after each commit, so a change is
//! visible to the very next search (the default policy makes it visible ~0.5 s later).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;

use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Score, Term, doc};

use crate::model::{DocId, Document, Kind, Site};

use super::collect::ByPage;
use super::hybrid::{Fusion, Ranking};
use super::request::{Facets, Hit, KindCount, SearchError, SearchRequest, SearchResults, TagCount};
use super::schema::{self, Fields};
use super::semantic::VectorSet;
use super::storage::{Created, IndexStorage};
use super::{query, snippet, tokenizer};

#[path = "index_results.rs"]
mod results;
#[path = "index_writing.rs"]
mod writing;

use results::{facets, fuse, hit};
use writing::add_document;

/// The name of the word-matching leg in `SearchResults::legs`.
pub const LEXICAL: &str = "lexical";
/// The name of the meaning-matching leg in `SearchResults::legs`.
pub const SEMANTIC: &str = "semantic";

/// The build's arena (one thread: the machine is shared with the web server). tantivy
/// writes a segment each time it fills and the build merges them all at the end; the
/// merge holds every input's term dictionaries at once, so at 100× the corpus 15 MB (~60
/// segments) cost more memory than it saved and twice the time (50 MB: build 113 → 59 s,
/// peak no longer above the load's). The arena grows in 1 MB pages up to this cap, so a
/// small site never uses it all.
const BUILD_ARENA_BYTES: usize = 50_000_000;
/// The live writer's arena: tantivy's minimum; live edits are a few documents at a time.
const LIVE_ARENA_BYTES: usize = 15_000_000;
/// Share of deleted entries at which a segment is rewritten (see `Inner::writer`).
const DELETED_SHARE_BEFORE_MERGE: f32 = 0.25;
/// Share of a page's second and third best sections added to its score.
const OTHER_SECTIONS_WEIGHT: Score = 0.15;
/// Tags offered as filters.
const MAX_TAG_FACETS: usize = 30;

/// What results and filters need to know about a page without reading the index.
#[derive(Debug, Clone)]
struct PageMeta {
    /// The document, shared with the site: hits read titles and snippet text from it, so
    /// the index keeps no second copy of its text (breadcrumbs are worked out per hit).
    doc: Arc<Document>,
    /// The summary shown for the page, worked out once (it may need the page's text).
    summary: String,
    /// The tags, as numbers in [`Pages::tag_names`]: facets are counted without hashing.
    tag_ids: Vec<u32>,
    /// Where each index entry's text is in `doc`, by `ord`.
    places: Vec<schema::Place>,
}

#[derive(Debug, Default)]
struct Pages {
    /// Indexed by page number; `None` once a page was replaced or removed. Numbers only
    /// grow, one per indexed version of a page, so the holes cost a pointer each.
    by_number: Vec<Option<Arc<PageMeta>>>,
    by_id: HashMap<DocId, u64>,
    /// Every tag seen, by number.
    tag_names: Vec<String>,
    tag_numbers: HashMap<String, u32>,
}

impl Pages {
    fn get(&self, number: u64) -> Option<&Arc<PageMeta>> {
        usize::try_from(number)
            .ok()
            .and_then(|n| self.by_number.get(n))
            .and_then(Option::as_ref)
    }

    fn remove(&mut self, number: u64) {
        if let Some(slot) = usize::try_from(number)
            .ok()
            .and_then(|n| self.by_number.get_mut(n))
        {
            *slot = None;
        }
    }

    fn tag_number(&mut self, tag: &str) -> u32 {
        if let Some(&n) = self.tag_numbers.get(tag) {
            return n;
        }
        let n = u32::try_from(self.tag_names.len()).unwrap_or(u32::MAX);
        self.tag_names.push(tag.to_owned());
        self.tag_numbers.insert(tag.to_owned(), n);
        n
    }
}

struct Inner {
    reader: IndexReader,
    fields: Fields,
    index: Index,
    /// Created on the first update: an index that is never updated (most snapshots) holds
    /// no writer threads or arena.
    writer: Mutex<Option<IndexWriter>>,
    pages: RwLock<Pages>,
    /// Where this index (and a rebuild replacing it) keeps its files.
    storage: IndexStorage,
    /// The index's folder on disk, deleted when dropped; declared last so it outlives the
    /// reader and writer above (fields drop in order).
    _folder: Option<tempfile::TempDir>,
}

/// The search index of one snapshot (and, through live reload, of the next ones).
#[derive(Clone)]
pub struct SearchIndex {
    /// `None` only when building failed; searches then find nothing.
    inner: Option<Arc<Inner>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("pages", &self.page_count())
            .finish()
    }
}

impl Default for SearchIndex {
    /// An index with nothing in it.
    fn default() -> Self {
        Self::build(&Site::default())
    }
}

impl SearchIndex {
    /// Builds the index for a site in RAM (see [`Self::build_in`]).
    pub fn build(site: &Site) -> Self {
        Self::build_in(site, &IndexStorage::Memory)
    }

    /// Builds the index for a site with its files in `storage`. Indexing only fails on
    /// resource exhaustion or an unusable data folder; then the error is logged and the
    /// site is served without search rather than not at all.
    pub fn build_in(site: &Site, storage: &IndexStorage) -> Self {
        match Self::try_build(site, storage) {
            Ok(index) => index,
            Err(error) => {
                tracing::error!(%error, "building the search index failed; search is off");
                Self { inner: None }
            }
        }
    }

    /// Builds the index for a site, reporting failure.
    pub fn try_build(site: &Site, storage: &IndexStorage) -> Result<Self, SearchError> {
        let (schema, fields) = schema::build_schema();
        let Created { index, folder } = storage.create(schema)?;
        tokenizer::register(&index);
        let mut writer: IndexWriter = index.writer_with_num_threads(1, BUILD_ARENA_BYTES)?;
        // The one explicit merge below must see every segment; a background merge taking some
        // of them first made it fail at 100x the corpus (and search was switched off).
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let mut pages = Pages::default();
        for doc in site.documents.values() {
            add_document(&writer, &fields, &mut pages, doc)?;
        }
        writer.commit()?;
        // The writer flushes a segment each time its arena fills, and every query pays per
        // segment (term lookups, column opening): on both corpora one merged segment made
        // queries 2-4x faster.
        let segments = index.searchable_segment_ids()?;
        if segments.len() > 1 {
            writer.merge(&segments).wait()?;
        }
        writer.wait_merging_threads()?;
        let Created { index, folder } = Created { index, folder }.into_searchable()?;
        tokenizer::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            inner: Some(Arc::new(Inner {
                reader,
                fields,
                index,
                writer: Mutex::new(None),
                pages: RwLock::new(pages),
                storage: storage.clone(),
                _folder: folder,
            })),
        })
    }

    /// Where this index keeps its files; a rebuild replacing it should use the same.
    pub fn storage(&self) -> IndexStorage {
        self.inner
            .as_ref()
            .map_or(IndexStorage::Memory, |i| i.storage.clone())
    }

    /// Number of pages indexed.
    pub fn page_count(&self) -> usize {
        self.inner
            .as_ref()
            .map_or(0, |i| read(&i.pages).by_id.len())
    }

    /// Number of index segments (each adds a little to every query).
    pub fn segment_count(&self) -> usize {
        self.inner
            .as_ref()
            .map_or(0, |i| i.reader.searcher().segment_readers().len())
    }

    /// Number of index entries (sections) visible to searches.
    pub fn entry_count(&self) -> u64 {
        self.inner
            .as_ref()
            .map_or(0, |i| i.reader.searcher().num_docs())
    }

    /// Indexes `doc`, replacing the version with the same id if there is one. Visible to
    /// the next search when this returns.
    pub fn replace_document(&self, doc: &Arc<Document>) -> Result<(), SearchError> {
        self.replace_documents(std::slice::from_ref(doc), &[])
    }

    /// Removes the document with `id`; nothing happens when it is not indexed.
    pub fn remove_document(&self, id: &DocId) -> Result<(), SearchError> {
        self.replace_documents(&[], std::slice::from_ref(id))
    }

    /// Indexes every document of `upserted` (replacing versions with the same ids) and
    /// removes every id of `removed`, in one commit: a bulk change costs about one edit's
    /// commit and reload (~20 ms) plus the indexing of its documents, instead of one commit
    /// each. Visible to the next search when this returns; on error nothing is committed
    /// for this batch and the caller should rebuild.
    pub fn replace_documents(
        &self,
        upserted: &[Arc<Document>],
        removed: &[DocId],
    ) -> Result<(), SearchError> {
        let Some(inner) = &self.inner else {
            return Ok(());
        };
        let mut slot = inner.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let mut stale: Vec<u64> = Vec::new();
        {
            let pages = read(&inner.pages);
            let known = |id: &DocId| pages.by_id.get(id).copied();
            stale.extend(removed.iter().filter_map(known));
            stale.extend(upserted.iter().filter_map(|d| known(&d.id)));
        }
        if upserted.is_empty() && stale.is_empty() {
            return Ok(());
        }
        let writer = inner.writer(&mut slot)?;
        for id in removed.iter().chain(upserted.iter().map(|d| &d.id)) {
            writer.delete_term(Term::from_field_text(inner.fields.id, id.as_str()));
        }
        {
            let mut pages = write(&inner.pages);
            // New numbers are registered before the commit and old ones dropped after the
            // reload, so a concurrent search never sees a page without its metadata.
            // The same id twice in one batch: only its last version is indexed.
            let last: HashMap<&DocId, usize> = upserted
                .iter()
                .enumerate()
                .map(|(i, d)| (&d.id, i))
                .collect();
            for (i, doc) in upserted.iter().enumerate() {
                if last.get(&doc.id) == Some(&i) {
                    add_document(writer, &inner.fields, &mut pages, doc)?;
                }
            }
        }
        writer.commit()?;
        inner.reader.reload()?;
        let mut pages = write(&inner.pages);
        for number in stale {
            pages.remove(number);
        }
        for id in removed {
            // An id both removed and upserted stays (the upsert registered it again).
            if upserted.iter().all(|d| &d.id != id) {
                pages.by_id.remove(id);
            }
        }
        Ok(())
    }

    /// Runs a search with the words alone (see [`Self::search_with`]). Only an unknown
    /// kind is an error; any text is a valid query, and a query without words answers an
    /// empty result.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        self.search_with(request, &Ranking::default())
    }

    /// Runs a search ranked by the words and by what `ranking` adds: the semantic leg when
    /// it is ready, and past searchers' clicks.
    pub fn search_with(
        &self,
        request: &SearchRequest,
        ranking: &Ranking<'_>,
    ) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        let mut results = self.search_inner(request, ranking)?;
        results.took_ms = started.elapsed().as_secs_f64() * 1_000.0;
        Ok(results)
    }

    fn search_inner(
        &self,
        request: &SearchRequest,
        ranking: &Ranking<'_>,
    ) -> Result<SearchResults, SearchError> {
        let checked = request.validate()?;
        let mut results = SearchResults {
            offset: checked.offset,
            limit: checked.limit,
            legs: vec![LEXICAL],
            ..SearchResults::default()
        };
        let Some(inner) = &self.inner else {
            return Ok(results);
        };
        let searcher = inner.reader.searcher();
        let plan = query::plan(&request.q, &searcher, &inner.fields);
        let Some(tantivy_query) = &plan.query else {
            return Ok(results);
        };
        let matches = searcher.search(tantivy_query.as_ref(), &ByPage)?;
        let pages = read(&inner.pages);
        let mut candidates: Vec<Candidate> = matches
            .iter()
            .filter_map(|m| {
                pages.get(m.page).map(|meta| Candidate {
                    score: m.page_score(OTHER_SECTIONS_WEIGHT),
                    ord: m.ord,
                    meta,
                })
            })
            .collect();
        let semantic = ranking
            .semantic
            .filter(|leg| leg.is_ready())
            .and_then(|leg| {
                let query: Option<Arc<[f32]>> = match ranking.query_vector {
                    Some(q) => Some(q.into()),
                    None => leg.query_vector(&request.q),
                };
                query.map(|q| (leg.vectors(), q))
            });
        if let Some((vectors, query)) = &semantic {
            results.legs.push(SEMANTIC);
            let weight = ranking.fusion.lexical_weight_for(&request.q);
            fuse(
                &mut candidates,
                &pages,
                vectors,
                query,
                &ranking.fusion,
                weight,
            );
        }
        if let Some(clicks) = ranking.click_lift {
            for c in &mut candidates {
                c.score = ranking
                    .fusion
                    .lift(c.score, clicks.get(&c.meta.doc.id).copied());
            }
        }

        let tag_filter: Option<Option<u32>> = checked
            .tag
            .as_ref()
            .map(|t| pages.tag_numbers.get(t).copied());
        let mut kinds: BTreeMap<Kind, usize> = BTreeMap::new();
        let mut tags: Vec<usize> = vec![0; pages.tag_names.len()];
        let mut kept: Vec<Candidate> = Vec::new();
        for c in candidates {
            let meta = c.meta;
            let kind_ok = checked.kind.is_none_or(|k| k == meta.doc.kind);
            let tag_ok = tag_filter.is_none_or(|t| t.is_some_and(|t| meta.tag_ids.contains(&t)));
            if tag_ok {
                *kinds.entry(meta.doc.kind).or_default() += 1;
            }
            if kind_ok {
                for &tag in &meta.tag_ids {
                    if let Some(count) = tags.get_mut(tag as usize) {
                        *count += 1;
                    }
                }
            }
            if kind_ok && tag_ok {
                kept.push(c);
            }
        }
        let total = kept.len();
        let order = |a: &Candidate, b: &Candidate| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.meta.doc.id.cmp(&b.meta.doc.id))
        };
        // Only the requested slice needs ordering: select it, then sort it.
        let wanted = checked.offset.saturating_add(checked.limit);
        if kept.len() > wanted && wanted > 0 {
            kept.select_nth_unstable_by(wanted - 1, order);
            kept.truncate(wanted);
        }
        kept.sort_unstable_by(order);
        results.total = total;
        results.facets = facets(kinds, &tags, &pages.tag_names);
        results.did_you_mean = plan.did_you_mean.clone();
        results.partial = plan.partial;
        for c in kept.iter().skip(checked.offset).take(checked.limit) {
            results
                .hits
                .push(hit(c.ord, c.score, c.meta, &plan.highlight));
        }
        Ok(results)
    }
}

/// A page the search may answer: its score so far and the entry a hit lands on.
struct Candidate<'a> {
    score: Score,
    ord: u64,
    meta: &'a Arc<PageMeta>,
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
