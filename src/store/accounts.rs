//! Users: names, roles, the disabled flag, and passwords (hashed in `passwords`).

use time::OffsetDateTime;

use super::db::{DbError, DbResult, Row, args};
pub use super::passwords::MAX_PASSWORD_BYTES;
use super::passwords::{dummy_hash, hash_password, password_matches};
use super::{Result, Store, StoreError};
pub use crate::records::{User, UserId, UserName, UserSource};

/// What disabling an account revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disabled {
    /// The account, now disabled.
    pub user: User,
    /// Sessions ended.
    pub sessions: usize,
    /// API tokens revoked (those revoked before are not counted).
    pub tokens: usize,
}

/// Shortest password a person may choose: on the account page and with `selfserve user
/// add|passwd --password-stdin`.
pub const MIN_CHOSEN_PASSWORD_CHARS: usize = 8;

/// What [`Store::change_own_password`] came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange {
    /// Stored; this many other sessions were ended.
    Changed {
        /// Sessions of the account other than the kept one.
        other_sessions: usize,
    },
    /// The current password given is not the account's.
    WrongCurrent,
    /// The account has no local password (single sign-on) or is disabled: nothing to change.
    NoPassword,
}

/// The columns [`user_from_row`] reads, in order; `u` is the users table's alias.
pub(crate) const USER_COLUMNS: &str = "u.id, u.name, u.display_name, u.email, u.is_admin, \
     u.disabled, u.password_hash IS NOT NULL, u.source, u.created_at";

/// Builds a [`User`] from a row selected with [`USER_COLUMNS`] starting at column `base`.
pub(crate) fn user_from_row(row: &Row, base: usize) -> DbResult<User> {
    let name: String = row.get(base + 1)?;
    let source: String = row.get(base + 7)?;
    Ok(User {
        id: UserId(row.get(base)?),
        // Names were parsed before they were written; wrapping them again is safe.
        name: UserName::from_stored(name),
        display_name: row.get(base + 2)?,
        email: row.get(base + 3)?,
        is_admin: row.get(base + 4)?,
        disabled: row.get(base + 5)?,
        has_password: row.get(base + 6)?,
        source: if source == "proxy" {
            UserSource::Proxy
        } else {
            UserSource::Local
        },
        created_at: row.get(base + 8)?,
    })
}

impl Store {
    /// Creates a local account; without a password it can sign in only through SSO or tokens.
    pub fn create_user(
        &self,
        name: &UserName,
        is_admin: bool,
        password: Option<&str>,
    ) -> Result<User> {
        let hash = password.map(hash_password).transpose()?;
        self.insert_user(name, is_admin, hash.as_deref(), None, UserSource::Local)
    }

    fn insert_user(
        &self,
        name: &UserName,
        is_admin: bool,
        hash: Option<&str>,
        email: Option<&str>,
        source: UserSource,
    ) -> Result<User> {
        let now = OffsetDateTime::now_utc();
        let inserted = self.read(|c| {
            Ok(c.query_value::<i64>(
                "INSERT INTO users (name, email, password_hash, is_admin, source, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                args![name.as_str(), email, hash, is_admin, source.as_str(), now],
            ))
        })?;
        let id = match inserted {
            Ok(id) => UserId(id),
            Err(DbError::Unique(_)) => {
                return Err(StoreError::Conflict(format!(
                    "a user named {name} already exists (user names ignore case and surrounding spaces)"
                )));
            }
            Err(e) => return Err(e.into()),
        };
        self.user_by_id(id)?
            .ok_or_else(|| StoreError::NotFound(format!("the new user {name} vanished")))
    }

    /// The account an SSO proxy names, created (without a password) on first sight.
    pub fn ensure_proxy_user(&self, name: &UserName, email: Option<&str>) -> Result<User> {
        if let Some(user) = self.find_user(name)? {
            return Ok(user);
        }
        match self.insert_user(name, false, None, email, UserSource::Proxy) {
            // Two first requests raced; the other one created it.
            Err(StoreError::Conflict(_)) => self.require_user(name),
            other => other,
        }
    }

    /// Looks a user up by name (case-insensitively).
    pub fn find_user(&self, name: &UserName) -> Result<Option<User>> {
        // `ORDER BY`: the oldest account, should a hand-edited database hold two spellings.
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.name = ?1 ORDER BY u.id");
        self.read(|c| {
            c.query_opt(&sql, args![name.as_str()])?
                .map(|r| user_from_row(&r, 0))
                .transpose()
                .map_err(Into::into)
        })
    }

    /// Like [`Store::find_user`], with "no user named X" as the error when there is none.
    pub fn require_user(&self, name: &UserName) -> Result<User> {
        self.find_user(name)?
            .ok_or_else(|| StoreError::NotFound(format!("there is no user named {name}")))
    }

    /// Looks a user up by id.
    pub fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?1");
        self.read(|c| {
            c.query_opt(&sql, args![id.0])?
                .map(|r| user_from_row(&r, 0))
                .transpose()
                .map_err(Into::into)
        })
    }

    /// Every account, by name.
    pub fn list_users(&self) -> Result<Vec<User>> {
        // Names are stored case-folded, so plain order is case-blind order.
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name");
        self.read(|c| Ok(c.query_map(&sql, &[], |r| user_from_row(r, 0))?))
    }

    /// Disables an account and revokes everything that signed it in: its sessions end and
    /// its API tokens are revoked for good, so [`Store::enable_user`] brings none back.
    pub fn disable_user(&self, name: &UserName) -> Result<Disabled> {
        let user = self.require_user(name)?;
        let now = OffsetDateTime::now_utc();
        let (sessions, tokens) = self.write(|tx| {
            tx.execute(
                "UPDATE users SET disabled = 1 WHERE id = ?1",
                args![user.id.0],
            )?;
            let sessions =
                tx.execute("DELETE FROM sessions WHERE user_id = ?1", args![user.id.0])?;
            let tokens = tx.execute(
                "UPDATE api_tokens SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL",
                args![now, user.id.0],
            )?;
            Ok((sessions, tokens))
        })?;
        Ok(Disabled {
            user: User {
                disabled: true,
                ..user
            },
            sessions: usize::try_from(sessions).unwrap_or(usize::MAX),
            tokens: usize::try_from(tokens).unwrap_or(usize::MAX),
        })
    }

    /// Lets a disabled account sign in again. Its old sessions and tokens stay revoked: the
    /// person signs in anew and creates new tokens.
    pub fn enable_user(&self, name: &UserName) -> Result<User> {
        let user = self.require_user(name)?;
        self.read(|c| {
            Ok(c.execute(
                "UPDATE users SET disabled = 0 WHERE id = ?1",
                args![user.id.0],
            )?)
        })?;
        Ok(User {
            disabled: false,
            ..user
        })
    }

    /// Sets a new password and ends every session of the account (a reset locks out
    /// whoever knew the old one).
    pub fn set_password(&self, name: &UserName, password: &str) -> Result<User> {
        let hash = hash_password(password)?;
        let user = self.require_user(name)?;
        self.write(|tx| {
            tx.execute(
                "UPDATE users SET password_hash = ?1 WHERE id = ?2",
                args![hash.as_str(), user.id.0],
            )?;
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", args![user.id.0])?;
            Ok(())
        })?;
        Ok(User {
            has_password: true,
            ..user
        })
    }

    /// A person changing their own password: checks `current` against the stored hash, then
    /// stores `new` and ends every other session of the account, keeping the one whose cookie
    /// token is `keep_session` (the browser that made the change stays signed in).
    pub fn change_own_password(
        &self,
        user: UserId,
        current: &str,
        new: &str,
        keep_session: Option<&str>,
    ) -> Result<PasswordChange> {
        let stored = self.read(|c| {
            Ok(c.query_opt(
                "SELECT password_hash FROM users WHERE id = ?1 AND disabled = 0",
                args![user.0],
            )?
            .map(|r| r.get::<Option<String>>(0))
            .transpose()?
            .flatten())
        })?;
        let Some(stored) = stored else {
            return Ok(PasswordChange::NoPassword);
        };
        if current.len() > MAX_PASSWORD_BYTES || !password_matches(current, &stored) {
            return Ok(PasswordChange::WrongCurrent);
        }
        let hash = hash_password(new)?;
        let kept = keep_session.map(super::sha256_hex).unwrap_or_default();
        let ended = self.write(|tx| {
            tx.execute(
                "UPDATE users SET password_hash = ?1 WHERE id = ?2",
                args![hash.as_str(), user.0],
            )?;
            Ok(tx.execute(
                "DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2",
                args![user.0, kept.as_str()],
            )?)
        })?;
        Ok(PasswordChange::Changed {
            other_sessions: usize::try_from(ended).unwrap_or(usize::MAX),
        })
    }

    /// Grants or revokes the admin role.
    pub fn set_admin(&self, name: &UserName, is_admin: bool) -> Result<User> {
        let user = self.require_user(name)?;
        self.read(|c| {
            Ok(c.execute(
                "UPDATE users SET is_admin = ?1 WHERE id = ?2",
                args![is_admin, user.id.0],
            )?)
        })?;
        Ok(User { is_admin, ..user })
    }

    /// The user when `password` is right and the account is enabled; `None` otherwise.
    ///
    /// Always runs one argon2 verification, whether or not the name exists, has a password
    /// or is disabled, so response times do not reveal which accounts exist.
    pub fn verify_password(&self, name: &UserName, password: &str) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.name = ?1 ORDER BY u.id"
        );
        // The connection goes back to the pool before the (slow) hash check.
        let found = self.read(|c| {
            let row = c.query_opt(&sql, args![name.as_str()])?;
            let found = row
                .map(|r| Ok::<_, DbError>((user_from_row(&r, 0)?, r.get::<Option<String>>(9)?)))
                .transpose()?;
            Ok(found)
        })?;
        let too_long = password.len() > MAX_PASSWORD_BYTES;
        match found {
            Some((user, Some(hash))) if !too_long => {
                let ok = password_matches(password, &hash);
                Ok((ok && !user.disabled).then_some(user))
            }
            _ => {
                let _ = password_matches(
                    password.get(..MAX_PASSWORD_BYTES).unwrap_or(""),
                    dummy_hash(),
                );
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
#[path = "accounts_tests.rs"]
mod tests;
