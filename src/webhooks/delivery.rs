//! The delivery thread: claims the message due longest, POSTs it signed, logs the result and
//! schedules the next attempt. One message at a time: a receiver is one endpoint, and order
//! roughly follows events. Delivered and failed messages past [`super::Timing::keep`] are
//! pruned hourly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::{Endpoint, Timing, sleep_unless_stopped};
use crate::records::webhooks::{AttemptResult, ClaimedMessage, NextStep};
use crate::store::Store;

/// How often delivered and failed messages past their keep are deleted.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Starts the thread.
pub(super) fn spawn(
    store: Store,
    endpoint: Endpoint,
    timing: Timing,
    stop: Arc<AtomicBool>,
) -> std::io::Result<()> {
    let agent = agent(timing.timeout);
    std::thread::Builder::new()
        .name("webhook-delivery".into())
        .spawn(move || {
            let mut pruned = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                if pruned.elapsed() >= PRUNE_EVERY {
                    pruned = Instant::now();
                    let before = OffsetDateTime::now_utc() - timing.keep;
                    if let Err(error) = store.prune_webhooks(before) {
                        tracing::warn!("webhooks: cannot prune the delivery log: {error}");
                    }
                }
                match deliver_one(&store, &agent, &endpoint, &timing) {
                    Ok(true) => {}
                    Ok(false) => {
                        sleep_unless_stopped(&stop, timing.poll);
                    }
                    Err(error) => {
                        tracing::warn!("webhooks: {error}");
                        sleep_unless_stopped(&stop, timing.poll);
                    }
                }
            }
        })?;
    Ok(())
}

/// The HTTP client: no redirects (a receiver answers where it is configured), non-2xx
/// statuses as answers rather than errors, one overall timeout.
fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent("selfserve-webhooks")
        .build()
        .into()
}

/// Sends the message due longest, if any; true when one was sent (successfully or not).
pub fn deliver_one(
    store: &Store,
    agent: &ureq::Agent,
    endpoint: &Endpoint,
    timing: &Timing,
) -> crate::store::Result<bool> {
    let now = OffsetDateTime::now_utc();
    // Longer than an attempt can take, so a live worker never loses its lease.
    let lease = now + timing.timeout + Duration::from_secs(30);
    let Some(message) = store.claim_webhook(now, lease)? else {
        return Ok(false);
    };
    let result = send(agent, endpoint, &message);
    let next = next_step(&result, message.round_attempts + 1, timing);
    if let Some(error) = &result.error {
        tracing::info!(
            "webhooks: {} not delivered ({error}); {}",
            message.id,
            match next {
                NextStep::RetryAt(at) => format!("next attempt at {at}"),
                _ => "no more attempts".into(),
            }
        );
    }
    store.record_webhook_attempt(&message.id, &result, next)?;
    Ok(true)
}

/// One signed POST.
fn send(agent: &ureq::Agent, endpoint: &Endpoint, message: &ClaimedMessage) -> AttemptResult {
    let at = OffsetDateTime::now_utc();
    let timestamp = at.unix_timestamp();
    let signature = endpoint
        .secret
        .sign(&message.id, timestamp, &message.payload);
    let started = Instant::now();
    let answer = agent
        .post(&endpoint.url)
        .header("content-type", "application/json")
        .header("webhook-id", &message.id)
        .header("webhook-timestamp", &timestamp.to_string())
        .header("webhook-signature", &signature)
        .send(message.payload.as_bytes());
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match answer {
        Ok(response) => {
            let status = response.status().as_u16();
            // The body is not read: what a receiver says beyond its status is not kept.
            drop(response);
            let error = (!(200..300).contains(&status))
                .then(|| format!("the receiver answered HTTP {status}"));
            AttemptResult {
                at,
                http_status: Some(status),
                error,
                duration_ms,
            }
        }
        Err(error) => AttemptResult {
            at,
            http_status: None,
            error: Some(format!("the receiver could not be reached: {error}")),
            duration_ms,
        },
    }
}

/// After the `failed`-th attempt of a round: done, again later, or given up.
pub fn next_step(result: &AttemptResult, failed: u32, timing: &Timing) -> NextStep {
    if result.delivered() {
        return NextStep::Delivered;
    }
    match timing.schedule.wait_after(failed) {
        Some(wait) => NextStep::RetryAt(result.at + wait),
        None => NextStep::GiveUp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::Schedule;

    #[test]
    fn failures_follow_the_schedule_then_give_up() {
        let timing = Timing {
            schedule: Schedule::from_waits(vec![Duration::from_secs(5), Duration::from_secs(300)]),
            ..Timing::standard()
        };
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let failed = AttemptResult {
            at,
            http_status: Some(500),
            error: Some("HTTP 500".into()),
            duration_ms: 3,
        };
        assert_eq!(
            next_step(&failed, 1, &timing),
            NextStep::RetryAt(at + Duration::from_secs(5))
        );
        assert_eq!(
            next_step(&failed, 2, &timing),
            NextStep::RetryAt(at + Duration::from_secs(300))
        );
        assert_eq!(next_step(&failed, 3, &timing), NextStep::GiveUp);
        let ok = AttemptResult {
            http_status: Some(204),
            error: None,
            ..failed
        };
        assert_eq!(next_step(&ok, 3, &timing), NextStep::Delivered);
    }
}
