//! The per-client rate limit on recording walk outcomes, shared by every replica.
//!
//! Outcomes may be posted anonymously, so something must stop one client from filling the
//! database or the platform team's queue. A fixed window per client address is enough for
//! that. Its counters live in the store ([`crate::store::Store::take_rate_slot`], key
//! `outcomes:ADDRESS`), so replicas behind a load balancer share one budget per client
//! instead of granting it once each (issue 17).

use std::net::IpAddr;
use std::time::Duration;

use time::OffsetDateTime;

use crate::store::{RateSlot, Store};
use crate::web::AppError;
use crate::web::error::blocking;

/// Outcome posts allowed per client per window: far above what a person walking trees does,
/// low enough that a script cannot flood the help-request queue.
pub const OUTCOMES_PER_WINDOW: u32 = 30;

/// The window length.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Counts an outcome post from `client` (off the async workers, like every store call);
/// `Some(wait)` when the client is over the limit, with how long until it may try again.
pub async fn take_outcome_slot(store: Store, client: IpAddr) -> Result<Option<Duration>, AppError> {
    let key = format!("outcomes:{client}");
    let slot = blocking(move || {
        store.take_rate_slot(&key, OUTCOMES_PER_WINDOW, WINDOW, OffsetDateTime::now_utc())
    })
    .await?;
    Ok(match slot {
        RateSlot::Taken => None,
        RateSlot::Full { retry_after } => Some(retry_after),
    })
}

/// Whole seconds for a `Retry-After` header, never 0 (0 would invite an immediate retry).
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
