//! Typos among the words of the search log's queries, for grouping: each word that is a
//! typo of a more searched word, mapped to it (see [`typo_centres`]).

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hasher};

/// How far a word may be from another to count as its typo, by the shorter one's length in
/// letters; 0 for words with anything but letters (versions, ids, codes are not typos).
fn typo_reach(word: &str) -> usize {
    if !word.chars().all(char::is_alphabetic) {
        return 0;
    }
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Each word that is a typo of a more searched word, mapped to it. Words are taken most
/// searched first; a word within reach of an earlier centre joins the most searched such
/// centre, otherwise it becomes a centre. Centres are indexed by the hashes of their
/// deletion variants (symmetric delete): two words within distance d share a variant with
/// at most d letters deleted from each, so a word's own variants find every candidate,
/// which is then checked with the real distance.
pub(super) fn typo_centres<'a>(weights: &FxHashMap<&'a str, u64>) -> FxHashMap<&'a str, &'a str> {
    let mut words: Vec<(&str, u64)> = weights.iter().map(|(w, n)| (*w, *n)).collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut centres: Vec<&str> = Vec::new();
    // Most variants belong to one centre: the first is kept without a Vec of its own.
    let mut first: ByHash<u32> = ByHash::default();
    let mut more: ByHash<Vec<u32>> = ByHash::default();
    let mut joined = FxHashMap::default();
    let mut variants = Vec::new();
    let mut candidates = Vec::new();
    for (word, _) in words {
        let reach = typo_reach(word);
        if reach == 0 {
            continue;
        }
        let chars: Vec<char> = word.chars().collect();
        variants.clear();
        deletion_hashes(&chars, reach, &mut variants);
        variants.sort_unstable();
        variants.dedup();
        candidates.clear();
        for hash in &variants {
            if let Some(id) = first.get(hash) {
                candidates.push(*id);
                if let Some(ids) = more.get(hash) {
                    candidates.extend_from_slice(ids);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        // Centres were made most searched first, so the lowest id that fits is the one.
        let centre = candidates
            .iter()
            .map(|id| centres[*id as usize])
            .find(|centre| is_typo(word, centre));
        match centre {
            Some(centre) => {
                joined.insert(word, centre);
            }
            None => {
                let id = u32::try_from(centres.len()).unwrap_or(u32::MAX);
                centres.push(word);
                for hash in &variants {
                    match first.entry(*hash) {
                        Entry::Vacant(slot) => {
                            slot.insert(id);
                        }
                        Entry::Occupied(_) => more.entry(*hash).or_default().push(id),
                    }
                }
            }
        }
    }
    joined
}

/// One step of FxHash: fast, and spreads letters well enough for the index's keys (a
/// collision only adds a candidate, which the real distance then turns away).
fn mix(hash: u64, value: u64) -> u64 {
    (hash.rotate_left(5) ^ value).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// The index's keys are hashes already: used as they are.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = mix(self.0, u64::from(*byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type ByHash<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// Whether two different words are typos of each other.
fn is_typo(a: &str, b: &str) -> bool {
    let reach = typo_reach(a).min(typo_reach(b));
    reach > 0
        && a.chars().count().abs_diff(b.chars().count()) <= reach
        && strsim::damerau_levenshtein(a, b) <= reach
}

/// Hashes of `word` with up to `reach` (1 or 2) letters deleted, the word itself included.
fn deletion_hashes(word: &[char], reach: usize, out: &mut Vec<u64>) {
    // Positions past the end delete nothing.
    let hash_without = |a: usize, b: usize| {
        let mut hash = 0;
        for (i, c) in word.iter().enumerate() {
            if i != a && i != b {
                hash = mix(hash, u64::from(*c));
            }
        }
        hash
    };
    let none = word.len();
    out.push(hash_without(none, none));
    for i in 0..word.len() {
        out.push(hash_without(i, none));
        if reach >= 2 {
            for j in i + 1..word.len() {
                out.push(hash_without(i, j));
            }
        }
    }
}
