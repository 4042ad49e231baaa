//! Webhooks (issue 18): provisioning systems hear when someone becomes qualified or a
//! qualification lapses, and chat tools when a help request opens or is answered, without
//! polling. Delivered and signed per the Standard Webhooks specification.
//!
//! ```text
//! event (escalation, reply)  ──► store: message queued in the event's transaction ─┐
//! check thread: matrix vs last announced ──► store: changes + messages, one tx ────┤
//!                                                                                  ▼
//!                          delivery thread: claim a due message ──► POST, signed ──► log
//! ```
//!
//! [`start`] runs two threads: [`delivery`] sends due messages (each attempt signed anew with
//! its own `webhook-timestamp`, the `webhook-id` the same throughout) and retries failures on
//! [`schedule::Schedule`]; [`check`] judges every learner × resource at a regular interval
//! and whenever someone passes a module (it watches the newest pass's id, so a pass recorded
//! by any replica counts), and announces the changes [`standings`] finds. The first check on
//! a database only records where everyone stands (no message), so turning webhooks on for an
//! existing site does not send "granted" for every learner.

pub mod check;
pub mod delivery;
pub mod schedule;
pub mod signing;
pub mod standings;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use schedule::Schedule;
pub use signing::Secret;

use crate::snapshot::CurrentSnapshot;
use crate::store::Store;

/// The one receiver: where messages go and the key they are signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// An `http://` or `https://` URL.
    pub url: String,
    /// The signing secret.
    pub secret: Secret,
}

impl Endpoint {
    /// Checks a receiver's URL: `http` or `https`, with a host. The error says what to write.
    pub fn parse_url(text: &str) -> Result<String, String> {
        let text = text.trim();
        let uri: ureq::http::Uri = text.parse().map_err(|_| {
            "write the receiver's address as an http:// or https:// URL, as in https://hooks.example.com/selfserve".to_owned()
        })?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        if !scheme_ok || uri.host().is_none_or(str::is_empty) {
            return Err("write the receiver's address as an http:// or https:// URL with a host, as in https://hooks.example.com/selfserve".into());
        }
        Ok(text.to_owned())
    }

    /// The URL's scheme, host and port, for log lines (a path or query may carry a token).
    pub fn origin(&self) -> String {
        match self.url.parse::<ureq::http::Uri>() {
            Ok(uri) => format!(
                "{}://{}",
                uri.scheme_str().unwrap_or("http"),
                uri.authority().map_or("", |a| a.as_str())
            ),
            Err(_) => String::new(),
        }
    }
}

/// How often the threads work. [`Timing::standard`] in the server; tests shorten it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// Waits between retries.
    pub schedule: Schedule,
    /// How long the delivery thread sleeps when nothing is due, and the check thread
    /// between looks at the newest pass.
    pub poll: Duration,
    /// The longest time between two full checks (lapses happen with no event to notice).
    pub check_every: Duration,
    /// How long a receiver may take to answer.
    pub timeout: Duration,
    /// How long delivered and failed messages stay in the log.
    pub keep: Duration,
}

impl Timing {
    /// The server's timing: the specification's retry schedule, a look every second, a full
    /// check every minute, 10 s for a receiver to answer, the log kept for 30 days.
    pub fn standard() -> Self {
        Self {
            schedule: Schedule::standard(),
            poll: Duration::from_secs(1),
            check_every: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
            keep: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// The running webhook threads; they stop when this is dropped.
#[derive(Debug)]
pub struct Webhooks {
    stop: Arc<AtomicBool>,
}

impl Drop for Webhooks {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Turns the outbox on and starts the delivery and check threads.
pub fn start(
    store: &Store,
    snapshot: Arc<CurrentSnapshot>,
    endpoint: Endpoint,
    timing: Timing,
) -> std::io::Result<Webhooks> {
    store.enable_webhooks();
    let stop = Arc::new(AtomicBool::new(false));
    tracing::info!(
        "webhooks: delivering to {} (retries for {} hours)",
        endpoint.origin(),
        timing.schedule.span().as_secs() / 3600
    );
    delivery::spawn(store.clone(), endpoint, timing.clone(), Arc::clone(&stop))?;
    check::spawn(store.clone(), snapshot, timing, Arc::clone(&stop))?;
    Ok(Webhooks { stop })
}

/// Sleeps `total` in short steps, returning early (true) once `stop` is set.
fn sleep_unless_stopped(stop: &AtomicBool, total: Duration) -> bool {
    let step = Duration::from_millis(50);
    let mut left = total;
    while !left.is_zero() {
        if stop.load(Ordering::Relaxed) {
            return true;
        }
        let now = left.min(step);
        std::thread::sleep(now);
        left -= now;
    }
    stop.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receiver_urls_are_checked() {
        assert!(Endpoint::parse_url("https://hooks.example.com/selfserve?t=1").is_ok());
        assert!(Endpoint::parse_url("http://127.0.0.1:9000/").is_ok());
        for bad in ["", "hooks.example.com", "ftp://x/", "https://", "not a url"] {
            let err = Endpoint::parse_url(bad).expect_err(bad);
            assert!(err.contains("https://"), "{err}");
        }
        let endpoint = Endpoint {
            url: "https://h.example:8443/p?token=secret".into(),
            secret: Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("secret"),
        };
        assert_eq!(endpoint.origin(), "https://h.example:8443");
    }
}
