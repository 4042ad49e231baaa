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
//! Bounded by entries and bytes; when full, a clock sweep (second chance) evicts entries not
//! read since the last sweep, which keeps the hot pages at the cost of one flag per entry.
//! It holds no request types, so the snapshot can own it.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use time::Date;

/// Most pages kept per snapshot: the real corpus has ~1,150 documents.
pub const MAX_ENTRIES: usize = 4096;
/// Most bytes of page bodies kept per snapshot: at 1× (~40 KB a page) most of the site fits,
/// and even full it keeps the 1× steady state (~92 MB without it) under the 150 MB target.
/// An old snapshot's cache is freed with it once its last request ends.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// One rendered answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedPage {
    /// The whole body; cloning shares it.
    pub body: Bytes,
    /// The `Content-Type` it was answered with.
    pub content_type: &'static str,
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
    /// Sum of the entries' body lengths.
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
        let size = page.body.len();
        if size > self.max_bytes || self.max_entries == 0 {
            return;
        }
        let mut inner = self.lock();
        if inner.day != Some(day) {
            inner.clear(day);
        }
        if let Some(slot) = inner.entries.get_mut(&key) {
            // Two readers missed at once and both rendered: keep the newer, same key.
            let old = std::mem::replace(&mut slot.page, page).body.len();
            inner.bytes = inner.bytes - old + size;
            return;
        }
        while inner.entries.len() >= self.max_entries || inner.bytes + size > self.max_bytes {
            if !inner.evict_one() {
                break;
            }
        }
        inner.bytes += size;
        inner.clock.push_back(key.clone());
        inner.entries.insert(key, Slot { page, used: false });
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
                        self.bytes -= slot.page.body.len();
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
        CachedPage {
            body: Bytes::copy_from_slice(text.as_bytes()),
            content_type: "text/html; charset=utf-8",
        }
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
