//! A per-client rate limit for recording walk outcomes, in memory.
//!
//! Outcomes may be posted anonymously, so something must stop one client from filling the
//! database or the platform team's queue. A fixed window per client address is enough for
//! that; it is kept in memory (a restart forgets it, which only ever lets a client in early)
//! and shared by every worker through [`crate::web::AppState`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Outcome posts allowed per client per window: far above what a person walking trees does,
/// low enough that a script cannot flood the help-request queue.
pub const OUTCOMES_PER_WINDOW: u32 = 30;

/// The window length.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Above this many tracked clients, expired windows are swept before adding another.
const SWEEP_AT: usize = 10_000;

/// Fixed-window counters per client address.
#[derive(Debug)]
pub struct RateLimiter {
    max: u32,
    window: Duration,
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(OUTCOMES_PER_WINDOW, WINDOW)
    }
}

impl RateLimiter {
    /// A limiter allowing `max` hits per `window`.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a hit from `client` at `now`; `Err` carries how long until it may try again.
    pub fn hit(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        // A poisoned lock only means another thread panicked mid-update of plain counters;
        // the map is still usable.
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if clients.len() >= SWEEP_AT {
            let window = self.window;
            clients.retain(|_, (start, _)| now.saturating_duration_since(*start) < window);
        }
        let entry = clients.entry(client).or_insert((now, 0));
        if now.saturating_duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            let elapsed = now.saturating_duration_since(entry.0);
            return Err(self.window.saturating_sub(elapsed));
        }
        entry.1 += 1;
        Ok(())
    }
}

/// Whole seconds for a `Retry-After` header, never 0 (0 would invite an immediate retry).
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_limited_within_its_window_and_free_after_it() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "10.0.0.2".parse().expect("ip");
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.hit(a, t0).is_ok());
        }
        let wait = limiter
            .hit(a, t0 + Duration::from_secs(20))
            .expect_err("limited");
        assert_eq!(wait, Duration::from_secs(40));
        assert!(limiter.hit(b, t0).is_ok(), "other clients are not affected");
        assert!(limiter.hit(a, t0 + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
    }
}
