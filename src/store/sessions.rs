//! Browser sessions and the sign-in rate limit.
//!
//! A session token is 256 random bits handed to the browser once, in the cookie; the
//! database keeps only its SHA-256, so a leaked database (or backup) signs nobody in.
//! Sessions expire after [`SESSION_IDLE`] without use; each use slides the expiry, written at
//! most once per [`TOUCH_INTERVAL`] so page views do not turn into a stream of writes.

use time::{Duration, OffsetDateTime};

use super::accounts::{USER_COLUMNS, UserId, user_from_row};
use super::db::{DbError, args};
use super::{Result, Store, random_hex, sha256_hex};
pub use crate::records::{LoginKey, Session};

/// A session ends after this long without a request.
pub const SESSION_IDLE: Duration = Duration::days(14);

/// How stale `last_seen` may get before a request writes it again.
pub const TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// Length of the sign-in rate limit's window.
pub const LOGIN_WINDOW: Duration = Duration::minutes(15);

/// Failed sign-ins allowed per account from one client address per window: low, because a
/// real person mistyping rarely fails five times. Only that address is refused afterwards;
/// the owner signing in from anywhere else is not.
pub const ACCOUNT_CLIENT_FAILURES: i64 = 5;

/// Failed sign-ins allowed per client address per window, whatever accounts it tries:
/// higher, because one address may be a whole office behind NAT.
pub const CLIENT_FAILURES: i64 = 20;

/// Failures per account (from every address) a window tolerates before sign-ins to that
/// account are slowed down; they are never refused for it.
pub const ACCOUNT_FAILURES_BEFORE_DELAY: i64 = 5;

/// The extra wait per account failure past [`ACCOUNT_FAILURES_BEFORE_DELAY`].
pub const ACCOUNT_DELAY_STEP: std::time::Duration = std::time::Duration::from_millis(250);

/// The longest the per-account delay gets: a guesser spread over many addresses is slowed,
/// the owner waits at most this long.
pub const ACCOUNT_DELAY_MAX: std::time::Duration = std::time::Duration::from_secs(2);

/// How long a sign-in to an account that has failed `failures` times in the current window
/// waits before its password is checked: nothing at first, then a quarter of a second more
/// per failure, capped at [`ACCOUNT_DELAY_MAX`].
pub fn account_delay(failures: i64) -> std::time::Duration {
    let over = u32::try_from(
        failures
            .saturating_sub(ACCOUNT_FAILURES_BEFORE_DELAY)
            .max(0),
    )
    .unwrap_or(u32::MAX);
    ACCOUNT_DELAY_STEP
        .saturating_mul(over)
        .min(ACCOUNT_DELAY_MAX)
}

/// Failures after which `key` refuses sign-ins; `None`: it never does.
fn failure_limit(key: &LoginKey) -> Option<i64> {
    match key {
        LoginKey::AccountFromClient(..) => Some(ACCOUNT_CLIENT_FAILURES),
        LoginKey::Client(_) => Some(CLIENT_FAILURES),
        LoginKey::Account(_) => None,
    }
}

impl Store {
    /// Starts a session for `user_id`; returns the cookie token and the CSRF token. The
    /// cookie token is never stored, so it cannot be shown again.
    pub fn create_session(&self, user_id: UserId, now: OffsetDateTime) -> Result<(String, String)> {
        let token = random_hex(32)?;
        let csrf = random_hex(32)?;
        self.read(|c| {
            // Expired rows are useless; dropping them here keeps the table small without a timer.
            c.execute("DELETE FROM sessions WHERE expires_at <= ?1", args![now])?;
            c.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
                args![sha256_hex(&token), user_id.0, csrf.as_str(), now, now + SESSION_IDLE],
            )?;
            Ok(())
        })?;
        Ok((token, csrf))
    }

    /// The live session a cookie token names, sliding its expiry; `None` when the token is
    /// unknown, expired, or its user is disabled.
    pub fn session_user(&self, token: &str, now: OffsetDateTime) -> Result<Option<Session>> {
        let hash = sha256_hex(token);
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_at, s.last_seen
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0"
        );
        self.read(|c| {
            let Some(r) = c.query_opt(&sql, args![hash.as_str(), now])? else {
                return Ok(None);
            };
            let (user, csrf) = (user_from_row(&r, 0)?, r.get::<String>(9)?);
            let (mut expires_at, last_seen) = (r.get(10)?, r.get::<OffsetDateTime>(11)?);
            // Two requests may both touch: either write slides the expiry the same way.
            if now - last_seen >= TOUCH_INTERVAL {
                expires_at = now + SESSION_IDLE;
                c.execute(
                    "UPDATE sessions SET last_seen = ?1, expires_at = ?2 WHERE token_hash = ?3",
                    args![now, expires_at, hash.as_str()],
                )?;
            }
            Ok(Some(Session {
                user,
                csrf,
                expires_at,
            }))
        })
    }

    /// Ends one session (sign-out). Unknown tokens are not an error.
    pub fn delete_session(&self, token: &str) -> Result<()> {
        let hash = sha256_hex(token);
        self.read(|c| {
            c.execute("DELETE FROM sessions WHERE token_hash = ?1", args![hash])?;
            Ok(())
        })
    }

    /// Ends every session of a user; returns how many there were.
    pub fn delete_user_sessions(&self, user_id: UserId) -> Result<usize> {
        let deleted = self.read(|c| {
            Ok(c.execute("DELETE FROM sessions WHERE user_id = ?1", args![user_id.0])?)
        })?;
        Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
    }

    /// Counts one failed sign-in against `key`. A window older than [`LOGIN_WINDOW`] starts
    /// over at one.
    pub fn record_login_failure(&self, key: &LoginKey, now: OffsetDateTime) -> Result<()> {
        let window_opened_after = now - LOGIN_WINDOW;
        let key = key.key();
        self.write(|tx| {
            // The upsert is atomic on its own; the key's lock also makes replicas count one
            // key's failures in turn (one more round trip, on failed sign-ins only).
            tx.lock(&format!("login_failures:{key}"))?;
            tx.execute(
                "INSERT INTO login_failures (key, count, window_start) VALUES (?1, 1, ?2)
                 ON CONFLICT (key) DO UPDATE SET
                     count = CASE WHEN login_failures.window_start > ?3
                                  THEN login_failures.count + 1 ELSE 1 END,
                     window_start = CASE WHEN login_failures.window_start > ?3
                                         THEN login_failures.window_start ELSE ?2 END",
                args![key.as_str(), now, window_opened_after],
            )?;
            Ok(())
        })
    }

    /// Failures counted against `key` in its current window.
    pub fn login_failures(&self, key: &LoginKey, now: OffsetDateTime) -> Result<i64> {
        Ok(self.login_window(key, now)?.map_or(0, |(count, _)| count))
    }

    /// `Some(wait)` while `key` has used up its failures: how long until its window ends
    /// (at least a second). `None` when a sign-in may go ahead.
    pub fn login_retry_after(
        &self,
        key: &LoginKey,
        now: OffsetDateTime,
    ) -> Result<Option<Duration>> {
        let Some(limit) = failure_limit(key) else {
            return Ok(None);
        };
        Ok(self
            .login_window(key, now)?
            .filter(|(count, _)| *count >= limit)
            .map(|(_, start)| (start + LOGIN_WINDOW - now).max(Duration::SECOND)))
    }

    /// The live window of `key`: its failure count and when it opened.
    fn login_window(
        &self,
        key: &LoginKey,
        now: OffsetDateTime,
    ) -> Result<Option<(i64, OffsetDateTime)>> {
        let key = key.key();
        self.read(|c| {
            let row = c.query_opt(
                "SELECT count, window_start FROM login_failures WHERE key = ?1 AND window_start > ?2",
                args![key.as_str(), now - LOGIN_WINDOW],
            )?;
            Ok(row
                .map(|r| Ok::<_, DbError>((r.get(0)?, r.get(1)?)))
                .transpose()?)
        })
    }

    /// How many sessions exist (live or expired but not yet swept): for tests and health
    /// checks of the SSO path, which must not start one per request.
    pub fn session_count(&self) -> Result<i64> {
        self.read(|c| Ok(c.query_value("SELECT COUNT(*) FROM sessions", &[])?))
    }

    /// Forgets the failures of `key` (after a successful sign-in).
    pub fn clear_login_failures(&self, key: &LoginKey) -> Result<()> {
        let key = key.key();
        self.read(|c| {
            c.execute("DELETE FROM login_failures WHERE key = ?1", args![key])?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;
    use crate::store::test_support::stores;
    use crate::store::{User, UserName};

    fn user(store: &Store, n: &str) -> User {
        let name = UserName::parse(n).expect("name");
        store.create_user(&name, false, Some("pw")).expect("user")
    }

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time")
    }

    #[test]
    fn sessions_resolve_and_store_only_hashes() {
        for (store, _db) in stores() {
            let ada = user(&store, "ada");
            let (token, csrf) = store.create_session(ada.id, t0()).expect("session");
            assert_eq!(token.len(), 64);
            assert_ne!(token, csrf);
            let s = store.session_user(&token, t0()).expect("q").expect("live");
            assert_eq!(s.user.id, ada.id);
            assert_eq!(s.csrf, csrf);
            let stored: String = store
                .read(|c| Ok(c.query_value("SELECT token_hash FROM sessions", &[])?))
                .expect("row");
            assert_ne!(stored, token);
            assert!(store.session_user("nope", t0()).expect("q").is_none());
        }
    }

    #[test]
    fn sessions_expire_when_idle_and_slide_when_used() {
        for (store, _db) in stores() {
            let ada = user(&store, "ada");
            let (token, _) = store.create_session(ada.id, t0()).expect("session");
            // Used after 13 days: still alive, and the expiry moves forward past day 14.
            let later = t0() + Duration::days(13);
            let s = store
                .session_user(&token, later)
                .expect("q")
                .expect("alive");
            assert_eq!(s.expires_at, later + SESSION_IDLE);
            // Idle for 14 days after the last use: gone.
            assert!(
                store
                    .session_user(&token, later + SESSION_IDLE)
                    .expect("q")
                    .is_none()
            );
        }
    }

    #[test]
    fn last_seen_is_written_at_most_once_a_minute() {
        for (store, _db) in stores() {
            let ada = user(&store, "ada");
            let (token, _) = store.create_session(ada.id, t0()).expect("session");
            let s = store
                .session_user(&token, t0() + Duration::seconds(30))
                .expect("q")
                .expect("s");
            assert_eq!(
                s.expires_at,
                t0() + SESSION_IDLE,
                "not touched within a minute"
            );
            let s = store
                .session_user(&token, t0() + Duration::seconds(61))
                .expect("q")
                .expect("s");
            assert_eq!(s.expires_at, t0() + Duration::seconds(61) + SESSION_IDLE);
        }
    }

    #[test]
    fn sign_out_disable_and_password_reset_end_sessions() {
        for (store, _db) in stores() {
            let ada = user(&store, "ada");
            let name = ada.name.clone();
            let (a, _) = store.create_session(ada.id, t0()).expect("s");
            store.delete_session(&a).expect("delete");
            assert!(store.session_user(&a, t0()).expect("q").is_none());

            let (b, _) = store.create_session(ada.id, t0()).expect("s");
            store.disable_user(&name).expect("disable");
            assert!(store.session_user(&b, t0()).expect("q").is_none());
            store.enable_user(&name).expect("enable");

            let (c, _) = store.create_session(ada.id, t0()).expect("s");
            store.set_password(&name, "new").expect("reset");
            assert!(store.session_user(&c, t0()).expect("q").is_none());

            store.create_session(ada.id, t0()).expect("s");
            store.create_session(ada.id, t0()).expect("s");
            assert_eq!(store.delete_user_sessions(ada.id).expect("all"), 2);
        }
    }

    fn uname(s: &str) -> UserName {
        UserName::parse(s).expect("name")
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn an_account_is_refused_only_to_the_client_that_failed() {
        for (store, _db) in stores() {
            let from_a = LoginKey::AccountFromClient(uname("Ada"), ip("192.0.2.1"));
            for i in 0..ACCOUNT_CLIENT_FAILURES {
                assert_eq!(
                    store.login_retry_after(&from_a, t0()).expect("q"),
                    None,
                    "{i}"
                );
                store
                    .record_login_failure(&from_a, t0() + Duration::seconds(i))
                    .expect("rec");
            }
            let wait = store
                .login_retry_after(&from_a, t0() + Duration::minutes(1))
                .expect("q");
            assert_eq!(wait, Some(LOGIN_WINDOW - Duration::minutes(1)));
            let spelled = LoginKey::AccountFromClient(uname(" ADA "), ip("192.0.2.1"));
            assert!(
                store
                    .login_retry_after(&spelled, t0())
                    .expect("q")
                    .is_some(),
                "every spelling of a name shares the counter"
            );
            let from_b = LoginKey::AccountFromClient(uname("ada"), ip("192.0.2.2"));
            assert_eq!(store.login_retry_after(&from_b, t0()).expect("q"), None);
            assert_eq!(
                store
                    .login_retry_after(&from_a, t0() + LOGIN_WINDOW + Duration::seconds(1))
                    .expect("q"),
                None
            );
            // A failure after the window starts a new count at one.
            let later = t0() + LOGIN_WINDOW + Duration::minutes(1);
            store.record_login_failure(&from_a, later).expect("rec");
            assert_eq!(store.login_failures(&from_a, later).expect("q"), 1);
        }
    }

    #[test]
    fn the_account_counter_only_slows_down() {
        for (store, _db) in stores() {
            let account = LoginKey::Account(uname("ada"));
            for _ in 0..50 {
                store.record_login_failure(&account, t0()).expect("rec");
            }
            assert_eq!(store.login_retry_after(&account, t0()).expect("q"), None);
            assert_eq!(store.login_failures(&account, t0()).expect("q"), 50);
            assert_eq!(account_delay(0), std::time::Duration::ZERO);
            assert_eq!(
                account_delay(ACCOUNT_FAILURES_BEFORE_DELAY),
                std::time::Duration::ZERO
            );
            assert_eq!(
                account_delay(ACCOUNT_FAILURES_BEFORE_DELAY + 2),
                std::time::Duration::from_millis(500)
            );
            assert_eq!(account_delay(50), ACCOUNT_DELAY_MAX);
            assert_eq!(account_delay(i64::MAX), ACCOUNT_DELAY_MAX);
            assert_eq!(account_delay(-3), std::time::Duration::ZERO);
        }
    }

    #[test]
    fn client_limit_is_higher_and_success_clears() {
        for (store, _db) in stores() {
            let client = LoginKey::Client(ip("192.0.2.7"));
            for _ in 0..ACCOUNT_CLIENT_FAILURES {
                store.record_login_failure(&client, t0()).expect("rec");
            }
            assert_eq!(store.login_retry_after(&client, t0()).expect("q"), None);
            for _ in ACCOUNT_CLIENT_FAILURES..CLIENT_FAILURES {
                store.record_login_failure(&client, t0()).expect("rec");
            }
            assert!(store.login_retry_after(&client, t0()).expect("q").is_some());
            store.clear_login_failures(&client).expect("clear");
            assert_eq!(store.login_retry_after(&client, t0()).expect("q"), None);
        }
    }
}
