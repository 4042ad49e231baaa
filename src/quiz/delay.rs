//! The retry rule: after `free` failed attempts in a row at a module, the next attempt waits
//! `delay`, doubling with each further failure up to `max_delay`; a pass resets the count.
//! The wait is worked out from the stored attempts alone, so a restart or a second server
//! process cannot forget it.

use time::{Duration, OffsetDateTime};

use crate::model::AttemptLimits;

/// One stored attempt as the rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Past {
    /// When it was submitted.
    pub at: OffsetDateTime,
    /// Whether it passed.
    pub passed: bool,
}

/// How many attempts (newest first) the rule needs at most: beyond this many failures the
/// doubling has long reached any `max_delay` (30 days ≥ 1 s · 2^22).
pub const HISTORY: usize = 200;

/// Failed attempts since the last pass; `history` is newest first.
pub fn failures_in_a_row(history: &[Past]) -> usize {
    history.iter().take_while(|a| !a.passed).count()
}

/// The wait that follows `failures` failures in a row, in seconds.
pub fn delay_after(limits: &AttemptLimits, failures: usize) -> u64 {
    let free = usize::try_from(limits.free).unwrap_or(usize::MAX);
    if failures < free {
        return 0;
    }
    let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX);
    let factor = 2u64.checked_pow(doublings).unwrap_or(u64::MAX);
    limits
        .delay_secs
        .saturating_mul(factor)
        .min(limits.max_delay_secs)
}

/// When the learner may try again: `None` when they may now (or have never failed enough).
pub fn next_allowed(limits: &AttemptLimits, history: &[Past]) -> Option<OffsetDateTime> {
    let failures = failures_in_a_row(history);
    let wait = delay_after(limits, failures);
    let last = history.first()?;
    (wait > 0).then(|| last.at + Duration::seconds(i64::try_from(wait).unwrap_or(i64::MAX)))
}

/// The time left to wait at `now`, in whole seconds rounded up; `None` when no wait.
pub fn wait_at(limits: &AttemptLimits, history: &[Past], now: OffsetDateTime) -> Option<u64> {
    let until = next_allowed(limits, history)?;
    let left = until - now;
    if left <= Duration::ZERO {
        return None;
    }
    let secs = left.whole_seconds() + i64::from(left.subsec_nanoseconds() > 0);
    u64::try_from(secs).ok()
}

/// A wait in words: "10 minutes", "1 hour 20 minutes", "45 seconds".
pub fn describe(secs: u64) -> String {
    let unit = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m) {
        (0, 0) => unit(s, "second", "seconds"),
        // Round a partial minute up: "wait 10 minutes" must not end early.
        (0, m) => unit(m + u64::from(s > 0), "minute", "minutes"),
        (h, 0) if s == 0 => unit(h, "hour", "hours"),
        (h, m) => format!(
            "{} {}",
            unit(h, "hour", "hours"),
            unit(m + u64::from(s > 0), "minute", "minutes")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(secs: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000 + secs).expect("time")
    }

    /// Oldest-first results at one-second steps, returned newest first as the store does.
    fn history(results: &[bool]) -> Vec<Past> {
        let mut h: Vec<Past> = results
            .iter()
            .enumerate()
            .map(|(i, passed)| Past {
                at: t(i64::try_from(i).expect("small")),
                passed: *passed,
            })
            .collect();
        h.reverse();
        h
    }

    #[test]
    fn three_free_failures_then_ten_minutes_doubling_to_a_day() {
        let l = AttemptLimits::default();
        let waits: Vec<u64> = (0..12).map(|f| delay_after(&l, f)).collect();
        assert_eq!(
            waits,
            [
                0, 0, 0, 600, 1200, 2400, 4800, 9600, 19_200, 38_400, 76_800, 86_400
            ]
        );
        assert_eq!(delay_after(&l, 10_000), 86_400);
        assert_eq!(delay_after(&l, usize::MAX), 86_400);
    }

    #[test]
    fn the_wait_runs_from_the_last_failure_and_a_pass_resets_it() {
        let l = AttemptLimits::default();
        let h = history(&[false, false, false]);
        assert_eq!(next_allowed(&l, &h), Some(t(2 + 600)));
        assert_eq!(wait_at(&l, &h, t(2)), Some(600));
        assert_eq!(wait_at(&l, &h, t(301)), Some(301));
        assert_eq!(wait_at(&l, &h, t(602)), None);
        let h = history(&[false, false, false, true, false, false]);
        assert_eq!(wait_at(&l, &h, t(5)), None, "a pass resets the count");
        assert_eq!(next_allowed(&l, &history(&[])), None);
    }

    #[test]
    fn waits_read_as_words() {
        assert_eq!(describe(600), "10 minutes");
        assert_eq!(describe(599), "10 minutes");
        assert_eq!(describe(1), "1 second");
        assert_eq!(describe(3600), "1 hour");
        assert_eq!(describe(86_400), "24 hours");
        assert_eq!(describe(4800), "1 hour 20 minutes");
    }

    fn arb_limits() -> impl Strategy<Value = AttemptLimits> {
        (1u32..10, 1u64..10_000, 0u64..100_000).prop_map(|(free, delay, extra)| AttemptLimits {
            free,
            delay_secs: delay,
            max_delay_secs: delay + extra,
        })
    }

    proptest! {
        #[test]
        fn waits_never_shrink_and_stay_within_bounds(l in arb_limits(), f in 0usize..400) {
            let now = delay_after(&l, f);
            let next = delay_after(&l, f + 1);
            prop_assert!(next >= now);
            prop_assert!(now <= l.max_delay_secs);
            let free = usize::try_from(l.free).expect("small");
            prop_assert_eq!(now == 0, f < free);
            if f >= free {
                prop_assert!(now >= l.delay_secs);
                prop_assert!(next == l.max_delay_secs || next == 2 * now);
            }
        }

        #[test]
        fn only_the_failures_after_the_last_pass_count(l in arb_limits(), results in prop::collection::vec(any::<bool>(), 0..40), tail in 0usize..20) {
            let mut all = results.clone();
            all.push(true);
            all.extend(std::iter::repeat_n(false, tail));
            let h = history(&all);
            prop_assert_eq!(failures_in_a_row(&h), tail);
            let last = h.first().map(|p| p.at);
            let expect = delay_after(&l, tail);
            match next_allowed(&l, &h) {
                None => prop_assert_eq!(expect, 0),
                Some(at) => prop_assert_eq!(Some(at), last.map(|x| x + Duration::seconds(i64::try_from(expect).expect("small")))),
            }
            // Waiting out the wait always frees the learner.
            let later = t(10_000_000);
            prop_assert_eq!(wait_at(&l, &h, later), None);
        }
    }
}
