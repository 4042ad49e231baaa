//! Browser sessions and the sign-in rate limit.
//!
//! A session token is 256 random bits handed to the browser once, in the cookie; the
//! database keeps only its SHA-256, so a leaked database (or backup) signs nobody in.
//! Sessions expire after [`SESSION_IDLE`] without use; each use slides the expiry, written at
//! most once per [`TOUCH_INTERVAL`] so page views do not turn into a stream of writes.

use std::net::IpAddr;

use rusqlite::{OptionalExtension, params};
use time::{Duration, OffsetDateTime};

use super::accounts::{USER_COLUMNS, User, UserId, user_from_row};
use super::{Result, Store, random_hex, sha256_hex, time_at, unix};

/// A session ends after this long without a request.
pub const SESSION_IDLE: Duration = Duration::days(14);

/// How stale `last_seen` may get before a request writes it again.
pub const TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// Length of the sign-in rate limit's window.
pub const LOGIN_WINDOW: Duration = Duration::minutes(15);

/// Failed sign-ins allowed per account per window: low, because a real person mistyping
/// rarely fails five times, and the limit is what makes online guessing hopeless.
pub const ACCOUNT_FAILURES: i64 = 5;

/// Failed sign-ins allowed per client address per window: higher, because one address may
/// be a whole office behind NAT.
pub const CLIENT_FAILURES: i64 = 20;

/// A signed-in browser: who, and the token its forms must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The signed-in user.
    pub user: User,
    /// The per-session CSRF token every state-changing form carries.
    pub csrf: String,
    /// When the session ends unless it is used again.
    pub expires_at: OffsetDateTime,
}

/// What a sign-in rate limit counts failures against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginKey {
    /// One account, by its name as typed (lowercased, so `Ada` and `ada` share a counter).
    Account(String),
    /// One client address.
    Client(IpAddr),
}

impl LoginKey {
    fn key(&self) -> String {
        match self {
            LoginKey::Account(name) => format!("account:{}", name.to_lowercase()),
            LoginKey::Client(ip) => format!("client:{ip}"),
        }
    }

    fn limit(&self) -> i64 {
        match self {
            LoginKey::Account(_) => ACCOUNT_FAILURES,
            LoginKey::Client(_) => CLIENT_FAILURES,
        }
    }
}

impl Store {
    /// Starts a session for `user_id`; returns the cookie token and the CSRF token. The
    /// cookie token is never stored, so it cannot be shown again.
    pub fn create_session(&self, user_id: UserId, now: OffsetDateTime) -> Result<(String, String)> {
        let token = random_hex(32)?;
        let csrf = random_hex(32)?;
        let conn = self.conn()?;
        // Expired rows are useless; dropping them here keeps the table small without a timer.
        conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [unix(now)])?;
        conn.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
            params![sha256_hex(&token), user_id.0, csrf, unix(now), unix(now + SESSION_IDLE)],
        )?;
        Ok((token, csrf))
    }

    /// The live session a cookie token names, sliding its expiry; `None` when the token is
    /// unknown, expired, or its user is disabled.
    pub fn session_user(&self, token: &str, now: OffsetDateTime) -> Result<Option<Session>> {
        let hash = sha256_hex(token);
        let conn = self.conn()?;
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_at, s.last_seen
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0"
        );
        let found = conn
            .query_row(&sql, params![hash, unix(now)], |r| {
                Ok((
                    user_from_row(r, 0)?,
                    r.get::<_, String>(9)?,
                    time_at(r, 10)?,
                    time_at(r, 11)?,
                ))
            })
            .optional()?;
        let Some((user, csrf, mut expires_at, last_seen)) = found else {
            return Ok(None);
        };
        if now - last_seen >= TOUCH_INTERVAL {
            expires_at = now + SESSION_IDLE;
            conn.execute(
                "UPDATE sessions SET last_seen = ?1, expires_at = ?2 WHERE token_hash = ?3",
                params![unix(now), unix(expires_at), hash],
            )?;
        }
        Ok(Some(Session {
            user,
            csrf,
            expires_at,
        }))
    }

    /// Ends one session (sign-out). Unknown tokens are not an error.
    pub fn delete_session(&self, token: &str) -> Result<()> {
        self.conn()?.execute(
            "DELETE FROM sessions WHERE token_hash = ?1",
            [sha256_hex(token)],
        )?;
        Ok(())
    }

    /// Ends every session of a user; returns how many there were.
    pub fn delete_user_sessions(&self, user_id: UserId) -> Result<usize> {
        Ok(self
            .conn()?
            .execute("DELETE FROM sessions WHERE user_id = ?1", [user_id.0])?)
    }

    /// Counts one failed sign-in against `key`. A window older than [`LOGIN_WINDOW`] starts
    /// over at one.
    pub fn record_login_failure(&self, key: &LoginKey, now: OffsetDateTime) -> Result<()> {
        let window_opened_after = unix(now - LOGIN_WINDOW);
        self.conn()?.execute(
            "INSERT INTO login_failures (key, count, window_start) VALUES (?1, 1, ?2)
             ON CONFLICT (key) DO UPDATE SET
                 count = CASE WHEN window_start > ?3 THEN count + 1 ELSE 1 END,
                 window_start = CASE WHEN window_start > ?3 THEN window_start ELSE ?2 END",
            params![key.key(), unix(now), window_opened_after],
        )?;
        Ok(())
    }

    /// False while `key` has used up its failures in the current window.
    pub fn login_allowed(&self, key: &LoginKey, now: OffsetDateTime) -> Result<bool> {
        let count: Option<i64> = self
            .conn()?
            .query_row(
                "SELECT count FROM login_failures WHERE key = ?1 AND window_start > ?2",
                params![key.key(), unix(now - LOGIN_WINDOW)],
                |r| r.get(0),
            )
            .optional()?;
        Ok(count.unwrap_or(0) < key.limit())
    }

    /// Forgets the failures of `key` (after a successful sign-in).
    pub fn clear_login_failures(&self, key: &LoginKey) -> Result<()> {
        self.conn()?
            .execute("DELETE FROM login_failures WHERE key = ?1", [key.key()])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::UserName;
    use crate::store::test_support::store;

    fn user(store: &Store, n: &str) -> User {
        let name = UserName::parse(n).expect("name");
        store.create_user(&name, false, Some("pw")).expect("user")
    }

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time")
    }

    #[test]
    fn sessions_resolve_and_store_only_hashes() {
        let (store, _dir) = store();
        let ada = user(&store, "ada");
        let (token, csrf) = store.create_session(ada.id, t0()).expect("session");
        assert_eq!(token.len(), 64);
        assert_ne!(token, csrf);
        let s = store.session_user(&token, t0()).expect("q").expect("live");
        assert_eq!(s.user.id, ada.id);
        assert_eq!(s.csrf, csrf);
        let stored: String = store
            .conn()
            .expect("conn")
            .query_row("SELECT token_hash FROM sessions", [], |r| r.get(0))
            .expect("row");
        assert_ne!(stored, token);
        assert!(store.session_user("nope", t0()).expect("q").is_none());
    }

    #[test]
    fn sessions_expire_when_idle_and_slide_when_used() {
        let (store, _dir) = store();
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

    #[test]
    fn last_seen_is_written_at_most_once_a_minute() {
        let (store, _dir) = store();
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

    #[test]
    fn sign_out_disable_and_password_reset_end_sessions() {
        let (store, _dir) = store();
        let ada = user(&store, "ada");
        let name = ada.name.clone();
        let (a, _) = store.create_session(ada.id, t0()).expect("s");
        store.delete_session(&a).expect("delete");
        assert!(store.session_user(&a, t0()).expect("q").is_none());

        let (b, _) = store.create_session(ada.id, t0()).expect("s");
        store.set_disabled(&name, true).expect("disable");
        assert!(store.session_user(&b, t0()).expect("q").is_none());
        store.set_disabled(&name, false).expect("enable");

        let (c, _) = store.create_session(ada.id, t0()).expect("s");
        store.set_password(&name, "new").expect("reset");
        assert!(store.session_user(&c, t0()).expect("q").is_none());

        store.create_session(ada.id, t0()).expect("s");
        store.create_session(ada.id, t0()).expect("s");
        assert_eq!(store.delete_user_sessions(ada.id).expect("all"), 2);
    }

    #[test]
    fn account_limit_blocks_after_five_failures_until_the_window_passes() {
        let (store, _dir) = store();
        let key = LoginKey::Account("Ada".into());
        for i in 0..ACCOUNT_FAILURES {
            assert!(store.login_allowed(&key, t0()).expect("q"), "failure {i}");
            store
                .record_login_failure(&key, t0() + Duration::seconds(i))
                .expect("rec");
        }
        assert!(
            !store
                .login_allowed(&key, t0() + Duration::minutes(1))
                .expect("q")
        );
        assert!(
            !store
                .login_allowed(&LoginKey::Account("ada".into()), t0())
                .expect("q"),
            "names share a counter regardless of case"
        );
        assert!(
            store
                .login_allowed(&key, t0() + LOGIN_WINDOW + Duration::seconds(1))
                .expect("q")
        );
        // A failure after the window starts a new count at one.
        let later = t0() + LOGIN_WINDOW + Duration::minutes(1);
        store.record_login_failure(&key, later).expect("rec");
        assert!(store.login_allowed(&key, later).expect("q"));
    }

    #[test]
    fn client_limit_is_higher_and_success_clears() {
        let (store, _dir) = store();
        let client = LoginKey::Client("192.0.2.7".parse().expect("ip"));
        for _ in 0..ACCOUNT_FAILURES {
            store.record_login_failure(&client, t0()).expect("rec");
        }
        assert!(store.login_allowed(&client, t0()).expect("q"));
        for _ in ACCOUNT_FAILURES..CLIENT_FAILURES {
            store.record_login_failure(&client, t0()).expect("rec");
        }
        assert!(!store.login_allowed(&client, t0()).expect("q"));
        store.clear_login_failures(&client).expect("clear");
        assert!(store.login_allowed(&client, t0()).expect("q"));
    }
}
