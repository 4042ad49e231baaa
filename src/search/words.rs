//! Query text → words. Never fails: any text, pasted log lines included, becomes a list of
//! words (maybe empty), each split like the index splits identifiers.

use super::tokenizer::{normalize, normalize_unstemmed, split_chunks};

/// Longest query text considered (characters); the rest is ignored, not an error.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Most words turned into clauses: the first ones of a pasted log line carry the message.
pub const MAX_WORDS: usize = 16;

/// Words that carry no meaning on their own. `no` and `not` are kept: "no such host" and
/// "not found" are the message.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from",
    "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "so",
    "such", "that", "the", "their", "then", "there", "these", "this", "to", "was", "we", "what",
    "when", "where", "which", "why", "will", "with", "you", "your",
];

/// One word of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// As typed.
    pub text: String,
    /// Byte offset in the cleaned query (for did-you-mean rewriting).
    pub offset: usize,
    /// Token position of its first part, as the index analyzer counts.
    pub position: usize,
    /// The whole identifier, normalised, when the word is a compound.
    pub whole: Option<String>,
    /// The parts, normalised (one for a plain word).
    pub parts: Vec<String>,
    /// The word lowercased but not stemmed (plain words only): for typo lookups.
    pub spelling: Option<String>,
    /// A stop word.
    pub stop: bool,
}

impl Word {
    /// The term that stands for the whole word in phrases.
    pub fn head_term(&self) -> Option<&str> {
        self.whole
            .as_deref()
            .or_else(|| self.parts.first().map(String::as_str))
    }

    /// Number of token positions the word takes.
    pub fn width(&self) -> usize {
        self.parts.len().max(1)
    }
}

/// Removes what must never reach the analyzers as-is: control characters become spaces and
/// text past [`MAX_QUERY_CHARS`] is dropped.
pub fn clean(q: &str) -> String {
    q.chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Splits a cleaned query into words. Never fails; may return nothing (`"?!"`).
pub fn words(cleaned: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut position = 0;
    for chunk in split_chunks(cleaned).into_iter().take(MAX_WORDS) {
        // Case never changes the query: `CrashLoopBackOff`, `crashloopbackoff` and
        // `CRASHLOOPBACKOFF` are one word. Connectors still split (`pg_txid`); the parts a
        // camelCase spelling would have given are found again from the index's vocabulary
        // (see `segment.rs`) for words the index does not know whole.
        let lower = chunk.text.to_lowercase();
        let lowered = split_chunks(&lower);
        let raw_parts: Vec<&str> = lowered
            .iter()
            .flat_map(|c| c.parts.iter().map(|(_, p)| *p))
            .collect();
        let parts: Vec<String> = raw_parts.iter().filter_map(|p| normalize(p)).collect();
        let width = raw_parts.len().max(1);
        if parts.is_empty() {
            position += width;
            continue;
        }
        let compound = raw_parts.len() > 1;
        out.push(Word {
            text: chunk.text.to_owned(),
            offset: chunk.offset,
            position,
            whole: if compound { normalize(&lower) } else { None },
            spelling: if compound {
                None
            } else {
                normalize_unstemmed(&lower)
            },
            stop: !compound && STOP_WORDS.contains(&lower.as_str()),
            parts,
        });
        position += width;
    }
    // A query of stop words only ("how to") still searches for them.
    if out.iter().all(|w| w.stop) {
        for w in &mut out {
            w.stop = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_error_text_becomes_words() {
        let w = words(
            r#"Error: pq: permission denied for table "users" (SQLSTATE 42501) -x [a] && b || !c"#,
        );
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Error",
                "pq",
                "permission",
                "denied",
                "for",
                "table",
                "users",
                "SQLSTATE",
                "42501",
                "x",
                "a",
                "b",
                "c"
            ]
        );
        assert!(w.iter().find(|w| w.text == "for").is_some_and(|w| w.stop));
    }

    #[test]
    fn identifiers_keep_whole_and_parts() {
        let w = words("pg_txid_xmin_age pod");
        assert_eq!(w[0].whole.as_deref(), Some("pg_txid_xmin_ag"));
        assert_eq!(w[0].parts, vec!["pg", "txid", "xmin", "age"]);
        assert_eq!(w[1].position, 4);
    }

    #[test]
    fn case_never_changes_a_word() {
        let camel = words("CrashLoopBackOff pod");
        for q in [
            "crashloopbackoff pod",
            "CRASHLOOPBACKOFF POD",
            "CrashLoopBackOff Pod",
        ] {
            let other = words(q);
            assert_eq!(other.len(), camel.len());
            for (a, b) in camel.iter().zip(&other) {
                assert_eq!(
                    (&a.whole, &a.parts, &a.spelling, a.position, a.stop),
                    (&b.whole, &b.parts, &b.spelling, b.position, b.stop)
                );
            }
        }
        assert_eq!(camel[0].parts, vec!["crashloopbackoff"]);
    }

    #[test]
    fn stop_words_only_queries_still_search() {
        let w = words("how to");
        assert!(w.iter().all(|w| !w.stop));
    }

    #[test]
    fn cleaning_bounds_length_and_removes_controls() {
        let long = "x".repeat(10_000);
        assert_eq!(clean(&long).chars().count(), MAX_QUERY_CHARS);
        assert_eq!(clean("a\u{0}b\nc"), "a b c");
        assert!(words(&clean(&"word ".repeat(1000))).len() <= MAX_WORDS);
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_bounded_words_without_panicking(q in "\\PC{0,300}") {
            let w = words(&clean(&q));
            proptest::prop_assert!(w.len() <= MAX_WORDS);
            for word in &w {
                proptest::prop_assert!(!word.parts.is_empty());
            }
        }

        #[test]
        fn operators_and_quotes_never_hide_words(
            word in "[a-z]{3,10}",
            noise in "[-+:\"'()\\[\\]{}!&|^~*?/\\\\ ]{0,6}"
        ) {
            let w = words(&format!("{noise}{word}{noise}"));
            proptest::prop_assert!(w.iter().any(|x| x.spelling.as_deref() == Some(word.as_str())));
        }
    }
}
