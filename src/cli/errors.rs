//! The one sentence `main` prints for an error that reached it.
//!
//! anyhow's alternate form appends every cause (`outer: inner`), but many errors here already
//! name their cause in their own sentence (`cannot listen on … (Address already in use); pick
//! another address`) while still exposing it as `source()` for logs and tests. Printing both
//! repeated the cause, so a cause is appended only when the text so far does not already say it.

/// `err` and those of its causes that its own text does not already contain, joined by `: `.
pub fn sentence(err: &anyhow::Error) -> String {
    let mut text = err.to_string();
    for cause in err.chain().skip(1) {
        let said = cause.to_string();
        if !said.is_empty() && !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot listen on 127.0.0.1:8080: {source}; pick another address with --addr")]
    struct Bind {
        source: std::io::Error,
    }

    #[test]
    fn a_cause_the_sentence_already_names_is_not_repeated() {
        let err = anyhow::Error::new(Bind {
            source: std::io::Error::new(std::io::ErrorKind::AddrInUse, "Address already in use"),
        });
        let text = sentence(&err);
        assert_eq!(text.matches("Address already in use").count(), 1, "{text}");
        assert!(text.ends_with("with --addr"), "{text}");
    }

    #[test]
    fn a_cause_not_yet_said_is_appended() {
        let err = anyhow::Error::new(std::io::Error::other("disk on fire")).context("cannot save");
        assert_eq!(sentence(&err), "cannot save: disk on fire");
    }
}
