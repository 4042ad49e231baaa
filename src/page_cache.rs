//! Rendered pages kept for anonymous readers, so a popular page is rendered once per content
//! state instead of once per request.
//!
//! The cache lives inside the [`Snapshot`](crate::snapshot::Snapshot): a live reload swaps in
//! a new snapshot with an empty cache, so no page can outlive the content it was rendered
//! from and nothing has to be invalidated by hand. Pages that mention today's date ("needs
//! review") are keyed by the day too: the first lookup on a new day empties the cache.
//!
//! What may be cached is the web layer's call (`web::pages`): only pages that are the
//! same for every anonymous reader (no name, no CSRF token, no query-dependent content), keyed
//! by their canonical URL. Response headers are not stored: the middleware adds them to every
//! answer, cached or not.
//!
//! Each entry keeps its body's strong entity tag (hashed once, at insert) and the compressed
//! forms readers asked for. A coding is compressed the first time a reader asks for it, not
//! at insert: browsers all ask for Brotli, so gzip is made only for the few clients that lack
//! it, a miss answered to a client that takes no coding (monitoring, load tools) compresses
//! nothing, and the byte budget holds no form nobody reads. Every form counts against it.
//!
//! Bounded by entries and bytes; when full, a clock sweep (second chance) evicts entries not
//! read since the last sweep, which keeps the hot pages at the cost of one flag per entry.
//! It holds no request types, so the snapshot can own it.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use time::Date;

use crate::compression::{self, Coding};

/// Most pages kept per snapshot: the real corpus has ~1,150 documents.
pub const MAX_ENTRIES: usize = 4096;
/// Most bytes of page bodies kept per snapshot: at 1× (~40 KB a page) most of the site fits,
/// and even full it keeps the 1× steady state (~92 MB without it) under the 150 MB target.
/// An old snapshot's cache is freed with it once its last request ends.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// One rendered answer and the forms of it made so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedPage {
    /// The whole body; cloning shares it.
    pub body: Bytes,
    /// The `Content-Type` it was answered with.
    pub content_type: &'static str,
    /// [`compression::body_hash`] of `body`: its entity tags are made from it.
    pub hash: String,
    /// The Brotli body, once a reader asked for it.
    brotli: Option<Bytes>,
    /// The gzip body, once a reader asked for it.
    gzip: Option<Bytes>,
}

impl CachedPage {
    /// A page with no compressed form yet; hashes `body` (once: the hash is kept).
    pub fn new(body: Bytes, content_type: &'static str) -> Self {
        Self {
            hash: compression::body_hash(&body),
            body,
            content_type,
            brotli: None,
            gzip: None,
        }
    }

    /// The body in `coding`, if made; the plain body for [`Coding::Identity`].
    pub fn encoded(&self, coding: Coding) -> Option<&Bytes> {
        match coding {
            Coding::Identity => Some(&self.body),
            Coding::Brotli => self.brotli.as_ref(),
            Coding::Gzip => self.gzip.as_ref(),
        }
    }

    /// Keeps `body` as the form in `coding` (the plain body cannot be replaced).
    pub fn set_encoded(&mut self, coding: Coding, body: Bytes) {
        match coding {
            Coding::Identity => {}
            Coding::Brotli => self.brotli = Some(body),
            Coding::Gzip => self.gzip = Some(body),
        }
    }

    /// Bytes held: the body and every compressed form.
    pub fn size(&self) -> usize {
        self.body.len()
            + self.brotli.as_ref().map_or(0, Bytes::len)
            + self.gzip.as_ref().map_or(0, Bytes::len)
    }
}

/// Rendered pages by canonical URL, for one snapshot and one day.
pub struct PageCache {
    inner: Mutex<Inner>,
    max_entries: usize,
    max_bytes: usize,
}

#[derive(Default)]
struct Inner {
    /// The day every entry was rendered on; `None` until the first insert.
    day: Option<Date>,
    entries: HashMap<String, Slot>,
    /// Keys in the order the clock hand visits them.
    clock: VecDeque<String>,
    /// Sum of the entries' [`CachedPage::size`].
    bytes: usize,
}

struct Slot {
    page: CachedPage,
    /// Read since the clock hand last passed: spared once.
    used: bool,
}

impl Default for PageCache {
    fn default() -> Self {
        Self::with_limits(MAX_ENTRIES, MAX_BYTES)
    }
}

impl fmt::Debug for PageCache {
    // Bodies are whole pages: show the size, not the content.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.lock();
        f.debug_struct("PageCache")
            .field("entries", &inner.entries.len())
            .field("bytes", &inner.bytes)
            .finish()
    }
}

impl PageCache {
    /// An empty cache holding at most `max_entries` pages and `max_bytes` of bodies.
    pub fn with_limits(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            max_entries,
            max_bytes,
        }
    }

    /// The page rendered for `key` on `day`, if kept.
    pub fn get(&self, day: Date, key: &str) -> Option<CachedPage> {
        let mut inner = self.lock();
        if inner.day != Some(day) {
            // A new day: yesterday's "needs review" notices may be wrong now.
            inner.clear(day);
            return None;
        }
        let slot = inner.entries.get_mut(key)?;
        slot.used = true;
        Some(slot.page.clone())
    }

    /// Keeps `page` for `key` on `day`, evicting others to stay within the limits. A page
    /// larger than the whole budget is not kept.
    pub fn insert(&self, day: Date, key: String, page: CachedPage) {
        let size = page.size();
        if size > self.max_bytes || self.max_entries == 0 {
            return;
        }
        let mut inner = self.lock();
        if inner.day != Some(day) {
            inner.clear(day);
        }
        if let Some(slot) = inner.entries.get_mut(&key) {
            // Two readers missed at once and both rendered: keep the newer, same key.
            let old = std::mem::replace(&mut slot.page, page).size();
            inner.bytes = inner.bytes - old + size;
            inner.make_room(0, self.max_entries, self.max_bytes);
            return;
        }
        inner.make_room(size, self.max_entries - 1, self.max_bytes);
        inner.bytes += size;
        inner.clock.push_back(key.clone());
        inner.entries.insert(key, Slot { page, used: false });
    }

    /// Adds the form in `coding` to the page kept for `key` on `day`, if that is still the
    /// page hashed `hash` (a reader compressed it outside the lock; a reload or a second
    /// render may have replaced it meanwhile) and the form is not there yet. Counted against
    /// the byte budget like any body, so other pages may be evicted.
    pub fn add_encoded(&self, day: Date, key: &str, hash: &str, coding: Coding, body: Bytes) {
        let size = body.len();
        let mut inner = self.lock();
        if inner.day != Some(day) {
            return;
        }
        let Some(slot) = inner.entries.get_mut(key) else {
            return;
        };
        if slot.page.hash != hash || slot.page.encoded(coding).is_some() {
            return;
        }
        if slot.page.size() + size > self.max_bytes {
            return;
        }
        slot.page.set_encoded(coding, body);
        // Just read: spared by the next sweep, so making room evicts others first.
        slot.used = true;
        inner.bytes += size;
        inner.make_room(0, self.max_entries, self.max_bytes);
    }

    /// Bytes held by all entries, every compressed form included.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Pages kept.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(guard) => guard,
            // A panic while holding the lock may have left the byte count wrong; the cache
            // is only a copy of what can be rendered again, so start over.
            Err(poisoned) => {
                let mut guard = poisoned.into_inner();
                *guard = Inner::default();
                self.inner.clear_poison();
                guard
            }
        }
    }
}

impl Inner {
    fn clear(&mut self, day: Date) {
        *self = Inner {
            day: Some(day),
            ..Inner::default()
        };
    }

    /// Evicts until `incoming` more bytes fit and at most `max_entries` entries remain.
    fn make_room(&mut self, incoming: usize, max_entries: usize, max_bytes: usize) {
        while self.entries.len() > max_entries || self.bytes + incoming > max_bytes {
            if !self.evict_one() {
                break;
            }
        }
    }

    /// Advances the clock hand until one entry is evicted; false when there is none left.
    fn evict_one(&mut self) -> bool {
        while let Some(key) = self.clock.pop_front() {
            match self.entries.get_mut(&key) {
                Some(slot) if slot.used => {
                    slot.used = false;
                    self.clock.push_back(key);
                }
                Some(_) => {
                    if let Some(slot) = self.entries.remove(&key) {
                        self.bytes -= slot.page.size();
                    }
                    return true;
                }
                None => {}
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn page(text: &str) -> CachedPage {
        CachedPage::new(
            Bytes::copy_from_slice(text.as_bytes()),
            "text/html; charset=utf-8",
        )
    }

    const DAY: Date = date!(2026 - 03 - 01);

    #[test]
    fn a_kept_page_is_returned_for_its_key_and_day_only() {
        let cache = PageCache::default();
        cache.insert(DAY, "/docs/a".into(), page("A"));
        assert_eq!(cache.get(DAY, "/docs/a"), Some(page("A")));
        assert_eq!(cache.get(DAY, "/docs/b"), None);
        // The next day starts empty: review notices depend on the date.
        assert_eq!(cache.get(date!(2026 - 03 - 02), "/docs/a"), None);
        assert!(cache.is_empty());
    }

    #[test]
    fn entries_stay_within_the_limits_and_read_pages_survive_a_sweep() {
        let cache = PageCache::with_limits(3, 1000);
        for key in ["/a", "/b", "/c"] {
            cache.insert(DAY, key.into(), page(key));
        }
        assert!(cache.get(DAY, "/a").is_some());
        cache.insert(DAY, "/d".into(), page("/d"));
        assert_eq!(cache.len(), 3);
        // "/a" was read since it was kept, so "/b" went first.
        assert!(cache.get(DAY, "/a").is_some());
        assert!(cache.get(DAY, "/b").is_none());
        assert!(cache.get(DAY, "/d").is_some());
    }

    #[test]
    fn the_byte_budget_evicts_and_oversized_pages_are_not_kept() {
        let cache = PageCache::with_limits(100, 10);
        cache.insert(DAY, "/a".into(), page("123456"));
        cache.insert(DAY, "/b".into(), page("123456"));
        assert_eq!(cache.len(), 1);
        assert!(cache.get(DAY, "/b").is_some());
        cache.insert(DAY, "/big".into(), page("12345678901"));
        assert!(cache.get(DAY, "/big").is_none());
        // Replacing a key counts its bytes once.
        cache.insert(DAY, "/b".into(), page("1234"));
        cache.insert(DAY, "/c".into(), page("123456"));
        assert_eq!(cache.len(), 2);
    }
}

#[cfg(test)]
mod encoded_tests {
    use time::macros::date;

    use super::*;

    const DAY: Date = date!(2026 - 03 - 01);

    fn page(text: &str) -> CachedPage {
        CachedPage::new(Bytes::copy_from_slice(text.as_bytes()), "text/plain")
    }

    #[test]
    fn compressed_forms_count_against_the_budget_and_leave_with_their_page() {
        let cache = PageCache::with_limits(100, 40);
        cache.insert(DAY, "/a".into(), page("0123456789"));
        let hash = cache.get(DAY, "/a").expect("kept").hash;
        cache.add_encoded(
            DAY,
            "/a",
            &hash,
            Coding::Brotli,
            Bytes::from_static(b"bbbb"),
        );
        assert_eq!(cache.bytes(), 14);
        // A second reader's copy of the same form is not counted twice.
        cache.add_encoded(
            DAY,
            "/a",
            &hash,
            Coding::Brotli,
            Bytes::from_static(b"bbbb"),
        );
        cache.add_encoded(DAY, "/a", &hash, Coding::Gzip, Bytes::from_static(b"ggggg"));
        assert_eq!(cache.bytes(), 19);
        let kept = cache.get(DAY, "/a").expect("kept");
        assert_eq!(kept.encoded(Coding::Gzip).map(Bytes::len), Some(5));
        assert_eq!(kept.size(), 19);

        // Filling the budget evicts "/a" with all its forms.
        cache.insert(DAY, "/b".into(), page(&"x".repeat(30)));
        assert!(cache.get(DAY, "/a").is_none());
        assert_eq!(cache.bytes(), 30);
    }

    #[test]
    fn a_form_of_a_replaced_page_is_dropped() {
        let cache = PageCache::default();
        cache.insert(DAY, "/a".into(), page("old"));
        let stale = cache.get(DAY, "/a").expect("kept").hash;
        cache.insert(DAY, "/a".into(), page("new"));
        cache.add_encoded(DAY, "/a", &stale, Coding::Brotli, Bytes::from_static(b"b"));
        assert_eq!(cache.get(DAY, "/a").and_then(|p| p.brotli), None);
        assert_eq!(cache.bytes(), 3);
        // Nor is one for a page no longer kept, or kept for another day.
        cache.add_encoded(
            DAY,
            "/gone",
            &stale,
            Coding::Brotli,
            Bytes::from_static(b"b"),
        );
        assert_eq!(cache.bytes(), 3);
    }

    #[test]
    fn adding_a_form_makes_room_by_evicting_other_pages() {
        let cache = PageCache::with_limits(100, 20);
        cache.insert(DAY, "/a".into(), page("aaaaaaaa"));
        cache.insert(DAY, "/b".into(), page("bbbbbbbb"));
        let hash = cache.get(DAY, "/b").expect("kept").hash;
        cache.add_encoded(
            DAY,
            "/b",
            &hash,
            Coding::Gzip,
            Bytes::from_static(b"gggggg"),
        );
        assert!(cache.get(DAY, "/a").is_none());
        assert_eq!(cache.bytes(), 14);
        assert!(cache.bytes() <= 20);
    }
}
