//! A module's quiz settings from its front matter (`review`, `draw`, `shuffle`, `attempts`)
//! and its questions' `section:` anchors, parsed once into [`QuizSettings`]; every bad value is
//! a diagnostic at its line and falls back to the default.

use std::collections::BTreeSet;

use super::front_matter::{FrontMatter, RawAttempts, RawDuration};
use crate::model::diagnostic::{Diagnostic, LineIndex, Position};
use crate::model::{AttemptLimits, Question, QuizSettings, Review};

/// The longest wait an author may ask for.
const MAX_WAIT_SECS: u64 = 30 * 24 * 60 * 60;

/// Parses `10m`, `90s`, `2h`, `1d`, `10 minutes` into seconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let hint = "write a number and a unit, such as `30s`, `10m`, `2h` or `1d`";
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; {hint}"))?;
    let per = match unit.trim() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "" => return Err(format!("`{text}` has no unit; {hint}")),
        _ => return Err(format!("`{text}` is not a duration; {hint}")),
    };
    n.checked_mul(per)
        .ok_or_else(|| format!("`{text}` is too long; the longest wait is 30 days"))
}

/// Reads the quiz settings of a module with `questions` from its front matter; problems are
/// pushed as diagnostics for `path` (whose whole text is `text`), and `anchors` are the
/// module's heading anchors that a question's `section:` may name.
pub fn module_settings(
    path: &str,
    text: &str,
    front: &FrontMatter,
    questions: &[Question],
    anchors: &BTreeSet<String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> QuizSettings {
    let raw = &front.raw;
    let mut error = |at: Position, message: String| {
        diagnostics.push(Diagnostic::error(path, at, message));
    };
    let mut settings = QuizSettings::default();
    let mut warnings = Vec::new();
    if let Some(review) = raw.review.as_deref() {
        match review.trim() {
            "score" => settings.review = Review::Score,
            "questions" => settings.review = Review::Questions,
            "answers" => settings.review = Review::Answers,
            other => error(
                front.position_of("review"),
                format!(
                    "`review: {other}` is not a review policy; write `score` (the default: the score and the sections to re-read), `questions` (also which questions were wrong) or `answers` (also the right answers and explanations)"
                ),
            ),
        }
    }
    if let Some(draw) = raw.draw {
        let at = front.position_of("draw");
        let count = questions.len();
        match usize::try_from(draw) {
            Ok(n) if n >= 1 && n <= count => settings.draw = Some(n),
            _ if count == 0 => error(
                at,
                "`draw` needs questions to draw from, and this module has no quiz".to_owned(),
            ),
            Ok(n) if n > count => error(
                at,
                format!(
                    "`draw: {n}` asks more questions than the quiz has ({count}); add questions or lower `draw`"
                ),
            ),
            _ => error(
                at,
                format!("`draw: {draw}` must be between 1 and the number of questions ({count})"),
            ),
        }
    }
    if raw.shuffle == Some(true) {
        if questions.is_empty() {
            warnings.push(Diagnostic::warning(
                path,
                front.position_of("shuffle"),
                "`shuffle` has nothing to shuffle: this module has no quiz, so it is ignored"
                    .to_owned(),
            ));
        } else {
            settings.shuffle = true;
        }
    }
    if let Some(attempts) = &raw.attempts {
        settings.limits = limits(text, front, attempts, &mut error);
    }
    for question in questions {
        let Some(section) = question.section.as_deref() else {
            continue;
        };
        if !anchors.contains(section) {
            error(
                section_position(text, section),
                format!(
                    "`section: {section}` names no heading of this module; use a heading's anchor, such as `{}`",
                    anchors.iter().next().map_or("probes", String::as_str)
                ),
            );
        }
    }
    diagnostics.extend(warnings);
    settings
}

/// The attempt limits, each bad value reported at its key.
fn limits(
    text: &str,
    front: &FrontMatter,
    raw: &RawAttempts,
    error: &mut impl FnMut(Position, String),
) -> AttemptLimits {
    let base = front.position_of("attempts");
    let at = |key: &str| nested_position(text, base, key);
    let mut limits = AttemptLimits::default();
    if let Some(free) = raw.free {
        match u32::try_from(free) {
            Ok(n) if (1..=100).contains(&n) => limits.free = n,
            _ => error(
                at("free"),
                format!(
                    "`free: {free}` must be between 1 and 100 (failed attempts in a row before the first wait)"
                ),
            ),
        }
    }
    let mut duration = |key: &str, value: &RawDuration| -> Option<u64> {
        let parsed = match value {
            RawDuration::Text(t) => parse_duration(t),
            RawDuration::Number(n) => Err(format!(
                "`{key}: {n}` has no unit; write for example `{n}m` for minutes"
            )),
        };
        match parsed {
            Ok(secs) if (1..=MAX_WAIT_SECS).contains(&secs) => Some(secs),
            Ok(_) => {
                error(
                    at(key),
                    format!("`{key}` must be between 1 second and 30 days"),
                );
                None
            }
            Err(message) => {
                error(at(key), message);
                None
            }
        }
    };
    let delay = raw.delay.as_ref().and_then(|d| duration("delay", d));
    let max = raw
        .max_delay
        .as_ref()
        .and_then(|d| duration("max_delay", d));
    if let Some(delay) = delay {
        limits.delay_secs = delay;
    }
    if let Some(max) = max {
        limits.max_delay_secs = max;
    }
    if limits.max_delay_secs < limits.delay_secs {
        error(
            at(if max.is_some() { "max_delay" } else { "delay" }),
            "`max_delay` must not be shorter than `delay`".to_owned(),
        );
        limits.max_delay_secs = limits.delay_secs;
    }
    limits
}

/// Where a key nested under `attempts:` is written (its line, or the `attempts` key).
fn nested_position(text: &str, base: Position, key: &str) -> Position {
    let index = LineIndex::new(text);
    let start = index.line_start(base.line);
    let end = index.line_start(base.line + 6).min(text.len());
    text.get(start..end)
        .and_then(|window| window.find(&format!("{key}:")).or_else(|| window.find(key)))
        .map_or(base, |i| index.position(start + i))
}

/// Where a question's `section:` value is written.
fn section_position(text: &str, section: &str) -> Position {
    let index = LineIndex::new(text);
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(col) = line.find("section:")
            && line[col..].contains(section)
        {
            return index.position(offset + col);
        }
        offset += line.len();
    }
    Position::START
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::front_matter::{parse, split};
    use proptest::prelude::*;

    fn settings(front_matter: &str, questions: usize) -> (QuizSettings, Vec<String>) {
        let text = format!("---\n{front_matter}---\n## Probes\n");
        let s = split(&text).expect("splits");
        let (format, block, offset) = s.front.expect("front matter");
        let mut diags = Vec::new();
        let fm = parse("m.md", &text, format, block, offset, &mut diags);
        let q = Question {
            prompt: "q".into(),
            choices: vec!["a".into(), "b".into()],
            answer: vec![0],
            multiple: false,
            explain: None,
            section: None,
            html: crate::model::QuestionHtml::default(),
        };
        let anchors = BTreeSet::from(["probes".to_owned()]);
        let out = module_settings(
            "m.md",
            &text,
            &fm,
            &vec![q; questions],
            &anchors,
            &mut diags,
        );
        (out, diags.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn defaults_when_nothing_is_written() {
        let (s, d) = settings("title: M\n", 3);
        assert_eq!(s, QuizSettings::default());
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(s.limits.free, 3);
        assert_eq!(s.limits.delay_secs, 600);
        assert_eq!(s.limits.max_delay_secs, 86_400);
    }

    #[test]
    fn every_key_is_read() {
        let (s, d) = settings(
            "review: answers\ndraw: 2\nshuffle: true\nattempts: {free: 5, delay: 30s, max_delay: 2h}\n",
            4,
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(s.review, Review::Answers);
        assert_eq!(s.draw, Some(2));
        assert!(s.shuffle && s.pooled());
        assert_eq!(
            s.limits,
            AttemptLimits {
                free: 5,
                delay_secs: 30,
                max_delay_secs: 7200
            }
        );
    }

    #[test]
    fn bad_values_are_errors_at_their_lines() {
        let (s, d) = settings(
            "title: M\nreview: everything\ndraw: 9\nattempts:\n  free: 0\n  delay: 10\n  max_delay: soon\n",
            3,
        );
        assert_eq!(s, QuizSettings::default(), "bad values keep the defaults");
        let expect = [
            "m.md:3:1: error: `review: everything` is not a review policy",
            "m.md:4:1: error: `draw: 9` asks more questions than the quiz has (3)",
            "m.md:6:3: error: `free: 0` must be between 1 and 100",
            "m.md:7:3: error: `delay: 10` has no unit",
            "m.md:8:3: error: `soon` is not a duration",
        ];
        for (needle, got) in expect.iter().zip(&d) {
            assert!(
                got.starts_with(needle),
                "{got} does not start with {needle}"
            );
        }
        assert_eq!(d.len(), expect.len(), "{d:?}");
        let (_, d) = settings("draw: 0\n", 3);
        assert!(d[0].contains("`draw: 0` must be between 1 and"), "{d:?}");
        let (_, d) = settings("draw: 1\n", 0);
        assert!(d[0].contains("has no quiz"), "{d:?}");
        let (s, d) = settings("shuffle: true\n", 0);
        assert!(!s.pooled() && d[0].contains("nothing to shuffle"), "{d:?}");
        let (_, d) = settings("attempts: {delay: 2h, max_delay: 1h}\n", 1);
        assert!(d[0].contains("must not be shorter"), "{d:?}");
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(parse_duration("10m"), Ok(600));
        assert_eq!(parse_duration("1d"), Ok(86_400));
        assert_eq!(parse_duration("90 seconds"), Ok(90));
        assert_eq!(parse_duration("2 hours"), Ok(7200));
        assert!(parse_duration("ten minutes").is_err());
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("10y").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }

    proptest! {
        #[test]
        fn duration_parsing_never_panics(s in "\\PC{0,12}") {
            let _ = parse_duration(&s);
        }

        #[test]
        fn written_durations_round_trip(n in 0u64..100_000, unit in prop::sample::select(vec![("s", 1u64), ("m", 60), ("h", 3600), ("d", 86_400)])) {
            prop_assert_eq!(parse_duration(&format!("{n}{}", unit.0)), Ok(n * unit.1));
        }
    }
}
