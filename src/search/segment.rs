//! Splitting a run-together word into known words: `crashloop` → `crash loop`.
//!
//! People type the parts of an identifier without its capitals (`crashloop`, `imagepull`,
//! `splitbrain` for `CrashLoopBackOff`, `ImagePullBackOff`, `PostgresSplitBrain`), and the
//! query builder lowercases every word so that case never changes results. Such a word is
//! not a term of the index, but its parts are: the index holds every part of an identifier
//! at consecutive positions, so the parts searched as a phrase find the identifier (and the
//! same words written apart, "split brain" or "split-brain"). Nothing is added to the index;
//! the split costs a few term-dictionary lookups per unknown word.

/// Shortest word worth splitting (characters): shorter ones are typos or abbreviations.
pub const MIN_CHARS: usize = 6;
/// Longest word tried (characters): the lookups grow with the square of the length.
const MAX_CHARS: usize = 32;
/// Shortest part (characters): two-letter "words" are too easy to find anywhere.
const MIN_PART_CHARS: usize = 3;
/// Most parts in a split.
const MAX_PARTS: usize = 6;

/// The split of `word` (lowercase) into the fewest known words, at least two, each
/// [`MIN_PART_CHARS`] long; `None` when there is none. `frequency` says in how many entries
/// a word is found (0: unknown); among splits with as many parts, the likeliest wins (the
/// highest product of frequencies: `too large` rather than `tool arge`), then the one with
/// the longest first part.
pub fn segment(word: &str, frequency: impl FnMut(&str) -> u64) -> Option<Vec<String>> {
    split_by(word, frequency, Best::fewer_parts)
}

/// Like [`segment`], but the split into the most known words: the parts of an identifier
/// when a known compound hides them (`sidekiq queuetoolarge` → `sidekiq queue too large`).
pub fn segment_finest(word: &str, frequency: impl FnMut(&str) -> u64) -> Option<Vec<String>> {
    split_by(word, frequency, Best::more_parts)
}

fn split_by(
    word: &str,
    mut frequency: impl FnMut(&str) -> u64,
    better: fn(&Best, &Best) -> bool,
) -> Option<Vec<String>> {
    // Byte offsets of character boundaries, end included.
    let bounds: Vec<usize> = word
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(word.len()))
        .collect();
    let n = bounds.len() - 1;
    if !(MIN_CHARS..=MAX_CHARS).contains(&n) || !word.chars().all(char::is_alphanumeric) {
        return None;
    }
    // best[i]: the best split of the characters from i on (fewest parts, then the highest
    // sum of log frequencies) and where its first part ends. Filled right to left; longer
    // first parts are tried first, so exact ties keep them.
    let mut best: Vec<Option<Best>> = vec![None; n + 1];
    best[n] = Some(Best {
        parts: 0,
        score: 0.0,
        end: n,
    });
    for i in (0..n).rev() {
        for j in (i + MIN_PART_CHARS..=n).rev() {
            let Some(rest) = best[j] else { continue };
            if rest.parts + 1 > MAX_PARTS || (i == 0 && j == n) {
                continue;
            }
            let df = frequency(&word[bounds[i]..bounds[j]]);
            if df == 0 {
                continue;
            }
            let candidate = Best {
                parts: rest.parts + 1,
                score: rest.score + (df as f64).ln(),
                end: j,
            };
            if best[i].is_none_or(|b| better(&candidate, &b)) {
                best[i] = Some(candidate);
            }
        }
    }
    if best[0]?.parts < 2 {
        return None;
    }
    let mut parts = Vec::new();
    let mut i = 0;
    while i < n {
        let j = best[i]?.end;
        parts.push(word[bounds[i]..bounds[j]].to_owned());
        i = j;
    }
    Some(parts)
}

/// The best split found of a word's tail.
#[derive(Debug, Clone, Copy)]
struct Best {
    parts: usize,
    score: f64,
    end: usize,
}

impl Best {
    fn fewer_parts(&self, other: &Best) -> bool {
        self.parts < other.parts || (self.parts == other.parts && self.score > other.score)
    }

    fn more_parts(&self, other: &Best) -> bool {
        self.parts > other.parts || (self.parts == other.parts && self.score > other.score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(word: &str, vocabulary: &[&str]) -> Option<Vec<String>> {
        segment(word, |w| u64::from(vocabulary.contains(&w)))
    }

    #[test]
    fn run_together_parts_are_found() {
        let vocabulary = [
            "crash", "loop", "back", "off", "backoff", "image", "pull", "split", "brain",
        ];
        assert_eq!(
            split("crashloop", &vocabulary),
            Some(vec!["crash".into(), "loop".into()])
        );
        assert_eq!(
            split("imagepull", &vocabulary),
            Some(vec!["image".into(), "pull".into()])
        );
        assert_eq!(
            split("splitbrain", &vocabulary),
            Some(vec!["split".into(), "brain".into()])
        );
        // The fewest parts: `backoff` is one known word.
        assert_eq!(
            split("crashloopbackoff", &vocabulary),
            Some(vec!["crash".into(), "loop".into(), "backoff".into()])
        );
    }

    #[test]
    fn words_without_a_split_stay_whole() {
        let vocabulary = ["crash", "loop", "crashloop"];
        // Known whole only: one part is no split.
        assert_eq!(split("crashloop", &["crashloop"]), None);
        assert_eq!(split("crashlooq", &vocabulary), None);
        // Too short, or parts too short.
        assert_eq!(split("abcd", &["ab", "cd"]), None);
        assert_eq!(split("pgdump", &["pg", "dump"]), None);
        assert_eq!(split("crash-loop", &vocabulary), None);
    }

    #[test]
    fn the_likeliest_split_wins() {
        let df = |w: &str| match w {
            "tool" => 50,
            "too" => 400,
            "large" => 300,
            "arge" => 1,
            _ => 0,
        };
        assert_eq!(
            segment("toolarge", df),
            Some(vec!["too".into(), "large".into()])
        );
    }

    #[test]
    fn the_finest_split_finds_the_parts_a_compound_hides() {
        let vocabulary = ["sidekiq", "queue", "too", "large", "queuetoolarge"];
        assert_eq!(
            split("sidekiqqueuetoolarge", &vocabulary),
            Some(vec!["sidekiq".into(), "queuetoolarge".into()])
        );
        assert_eq!(
            segment_finest("sidekiqqueuetoolarge", |w| u64::from(
                vocabulary.contains(&w)
            )),
            Some(vec![
                "sidekiq".into(),
                "queue".into(),
                "too".into(),
                "large".into()
            ])
        );
    }

    #[test]
    fn ties_keep_the_longest_first_part() {
        let vocabulary = ["abc", "abcd", "defg", "efg"];
        assert_eq!(
            split("abcdefg", &vocabulary),
            Some(vec!["abcd".into(), "efg".into()])
        );
    }

    proptest::proptest! {
        #[test]
        fn a_split_rebuilds_the_word_from_known_parts(word in "[a-z]{0,40}", cut in 0usize..40) {
            let cut = cut.min(word.len());
            let vocabulary = [&word[..cut], &word[cut..], "ab", "abc", "xyz"];
            if let Some(parts) = split(&word, &vocabulary) {
                proptest::prop_assert_eq!(parts.concat(), word.clone());
                proptest::prop_assert!(parts.len() >= 2);
                for p in &parts {
                    proptest::prop_assert!(vocabulary.contains(&p.as_str()));
                }
            }
        }
    }
}
