//! API tokens: `ss_` + 256 random bits in hex, shown once, stored as SHA-256, revocable.
//!
//! The `ss_` prefix lets secret scanners and people recognise a leaked selfserve token.

use time::OffsetDateTime;

use super::accounts::{USER_COLUMNS, User, UserId, UserName, user_from_row};
use super::db::{DbResult, Row, args};
use super::{Result, Store, StoreError, random_hex, sha256_hex};
pub use crate::records::{ApiToken, TokenId};

/// What every token starts with.
pub const TOKEN_PREFIX: &str = "ss_";

/// How stale `last_used` may get before a request writes it again.
const TOUCH_SECONDS: i64 = 60;

impl Store {
    /// Makes a new token for `name` and returns it; this is the only time it is visible.
    pub fn create_token(&self, name: &UserName, label: &str) -> Result<(TokenId, String)> {
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 100 {
            return Err(StoreError::Invalid(
                "a token label must be 1 to 100 characters long".into(),
            ));
        }
        let user = self.require_user(name)?;
        let token = format!("{TOKEN_PREFIX}{}", random_hex(32)?);
        let hash = sha256_hex(&token);
        let id = self.read(|c| {
            Ok(c.query_value::<i64>(
                "INSERT INTO api_tokens (user_id, label, token_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4) RETURNING id",
                args![user.id.0, label, hash, OffsetDateTime::now_utc()],
            )?)
        })?;
        Ok((TokenId(id), token))
    }

    /// The user a bearer token authenticates: `None` when it is unknown, revoked, or its
    /// user is disabled.
    pub fn token_user(&self, token: &str, now: OffsetDateTime) -> Result<Option<User>> {
        // Anything without the prefix cannot be ours; skip the query.
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let hash = sha256_hex(token);
        let sql = format!(
            "SELECT {USER_COLUMNS}, t.id, t.last_used
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND u.disabled = 0"
        );
        self.read(|c| {
            let Some(r) = c.query_opt(&sql, args![hash])? else {
                return Ok(None);
            };
            let (user, id) = (user_from_row(&r, 0)?, r.get::<i64>(9)?);
            let last_used: Option<i64> = r.get(10)?;
            // Two requests may both write it: the same time, to the second.
            if last_used.is_none_or(|t| now.unix_timestamp() - t >= TOUCH_SECONDS) {
                c.execute(
                    "UPDATE api_tokens SET last_used = ?1 WHERE id = ?2",
                    args![now, id],
                )?;
            }
            Ok(Some(user))
        })
    }

    /// The tokens of a user, newest first, revoked ones included.
    pub fn list_tokens(&self, name: &UserName) -> Result<Vec<ApiToken>> {
        let user = self.require_user(name)?;
        self.read(|c| {
            Ok(c.query_map(
                "SELECT id, user_id, label, created_at, last_used, revoked_at
                 FROM api_tokens WHERE user_id = ?1 ORDER BY id DESC",
                args![user.id.0],
                token_from_row,
            )?)
        })
    }

    /// Revokes a token. Returns false when it was already revoked.
    pub fn revoke_token(&self, id: TokenId) -> Result<bool> {
        let now = OffsetDateTime::now_utc();
        let (changed, exists) = self.read(|c| {
            let changed = c.execute(
                "UPDATE api_tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                args![now, id.0],
            )?;
            if changed == 1 {
                return Ok((true, true));
            }
            let exists: bool = c.query_value(
                "SELECT EXISTS (SELECT 1 FROM api_tokens WHERE id = ?1)",
                args![id.0],
            )?;
            Ok((false, exists))
        })?;
        if changed {
            return Ok(true);
        }
        if exists {
            Ok(false)
        } else {
            Err(StoreError::NotFound(format!(
                "there is no API token with id {id}"
            )))
        }
    }
}

/// An [`ApiToken`] from `id, user_id, label, created_at, last_used, revoked_at`.
fn token_from_row(r: &Row) -> DbResult<ApiToken> {
    Ok(ApiToken {
        id: TokenId(r.get(0)?),
        user_id: UserId(r.get(1)?),
        label: r.get(2)?,
        created_at: r.get(3)?,
        last_used: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::stores;

    fn name(s: &str) -> UserName {
        UserName::parse(s).expect("name")
    }

    #[test]
    fn tokens_authenticate_until_revoked() {
        for (store, _db) in stores() {
            let ada = store.create_user(&name("ada"), false, None).expect("user");
            let (id, token) = store.create_token(&name("ada"), "ci").expect("token");
            assert!(token.starts_with("ss_") && token.len() == 3 + 64, "{token}");
            let now = OffsetDateTime::now_utc();
            assert_eq!(
                store.token_user(&token, now).expect("q").map(|u| u.id),
                Some(ada.id)
            );
            assert!(store.token_user("ss_wrong", now).expect("q").is_none());
            assert!(store.token_user("no-prefix", now).expect("q").is_none());

            let listed = store.list_tokens(&name("ada")).expect("list");
            assert_eq!(listed.len(), 1);
            assert_eq!(listed[0].label, "ci");
            assert!(listed[0].last_used.is_some(), "use is recorded");

            assert!(store.revoke_token(id).expect("revoke"));
            assert!(!store.revoke_token(id).expect("again"), "already revoked");
            assert!(store.token_user(&token, now).expect("q").is_none());
            assert!(
                store.list_tokens(&name("ada")).expect("list")[0]
                    .revoked_at
                    .is_some()
            );
        }
    }

    #[test]
    fn tokens_are_stored_hashed_and_die_with_a_disabled_user() {
        for (store, _db) in stores() {
            store.create_user(&name("ada"), false, None).expect("user");
            let (_, token) = store.create_token(&name("ada"), "laptop").expect("token");
            let stored: String = store
                .read(|c| Ok(c.query_value("SELECT token_hash FROM api_tokens", &[])?))
                .expect("row");
            assert_eq!(stored, sha256_hex(&token));
            store.disable_user(&name("ada")).expect("disable");
            let now = OffsetDateTime::now_utc();
            assert!(store.token_user(&token, now).expect("q").is_none());
        }
    }

    #[test]
    fn bad_input_is_refused_with_sentences() {
        for (store, _db) in stores() {
            let err = store
                .create_token(&name("ghost"), "x")
                .expect_err("unknown");
            assert_eq!(err.to_string(), "there is no user named ghost");
            store.create_user(&name("ada"), false, None).expect("user");
            assert!(matches!(
                store.create_token(&name("ada"), "  "),
                Err(StoreError::Invalid(_))
            ));
            let err = store.revoke_token(TokenId(99)).expect_err("unknown");
            assert_eq!(err.to_string(), "there is no API token with id 99");
        }
    }
}
