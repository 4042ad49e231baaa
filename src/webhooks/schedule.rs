//! When a failed message is tried again: the Standard Webhooks schedule (5 seconds, 5 minutes,
//! 30 minutes, 2, 5, 10 and 10 hours after each failure), about 28 hours from the first
//! attempt to the last, after which the message is marked failed.

use std::time::Duration;

/// The waits after each failed attempt of a round, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    waits: Vec<Duration>,
}

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;

impl Schedule {
    /// The specification's schedule.
    pub fn standard() -> Self {
        Self::from_waits(
            [
                5,
                5 * MINUTE,
                30 * MINUTE,
                2 * HOUR,
                5 * HOUR,
                10 * HOUR,
                10 * HOUR,
            ]
            .map(Duration::from_secs)
            .to_vec(),
        )
    }

    /// A schedule of these waits (tests shorten it).
    pub fn from_waits(waits: Vec<Duration>) -> Self {
        Self { waits }
    }

    /// The wait after the `failed`-th failed attempt of a round (1 for the first), or
    /// `None` when that was the last attempt.
    pub fn wait_after(&self, failed: u32) -> Option<Duration> {
        let index = usize::try_from(failed).ok()?.checked_sub(1)?;
        self.waits.get(index).copied()
    }

    /// Attempts in a round: the first and one per wait.
    pub fn attempts(&self) -> usize {
        self.waits.len() + 1
    }

    /// From the first attempt to the last.
    pub fn span(&self) -> Duration {
        self.waits.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_schedule_retries_for_about_a_day() {
        let s = Schedule::standard();
        assert_eq!(s.attempts(), 8);
        assert_eq!(s.wait_after(1), Some(Duration::from_secs(5)));
        assert_eq!(s.wait_after(2), Some(Duration::from_secs(300)));
        assert_eq!(s.wait_after(7), Some(Duration::from_secs(36_000)));
        assert_eq!(s.wait_after(8), None, "the eighth failure is the last");
        assert_eq!(s.wait_after(0), None);
        let hours = s.span().as_secs_f64() / 3600.0;
        assert!((24.0..=30.0).contains(&hours), "{hours}");
    }
}
