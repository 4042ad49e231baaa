//! Users: names, roles, the disabled flag, and passwords (hashed in `passwords`).

use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

use super::passwords::{MAX_PASSWORD_BYTES, dummy_hash, hash_password, password_matches};
use super::{Result, Store, StoreError, is_unique_violation, time_at, unix};
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

/// The columns [`user_from_row`] reads, in order; `u` is the users table's alias.
pub(crate) const USER_COLUMNS: &str = "u.id, u.name, u.display_name, u.email, u.is_admin, \
     u.disabled, u.password_hash IS NOT NULL, u.source, u.created_at";

/// Builds a [`User`] from a row selected with [`USER_COLUMNS`] starting at column `base`.
pub(crate) fn user_from_row(row: &rusqlite::Row<'_>, base: usize) -> rusqlite::Result<User> {
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
        created_at: time_at(row, base + 8)?,
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
        let conn = self.conn()?;
        let now = OffsetDateTime::now_utc();
        let inserted = conn.execute(
            "INSERT INTO users (name, email, password_hash, is_admin, source, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                name.as_str(),
                email,
                hash,
                is_admin,
                source.as_str(),
                unix(now)
            ],
        );
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Conflict(format!(
                    "a user named {name} already exists (user names ignore case and surrounding spaces)"
                )));
            }
            Err(e) => return Err(e.into()),
        }
        let id = UserId(conn.last_insert_rowid());
        drop(conn);
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
        let conn = self.conn()?;
        // `ORDER BY`: the oldest account, should a hand-edited database hold two spellings.
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.name = ?1 ORDER BY u.id");
        Ok(conn
            .query_row(&sql, [name.as_str()], |r| user_from_row(r, 0))
            .optional()?)
    }

    /// Like [`Store::find_user`], with "no user named X" as the error when there is none.
    pub fn require_user(&self, name: &UserName) -> Result<User> {
        self.find_user(name)?
            .ok_or_else(|| StoreError::NotFound(format!("there is no user named {name}")))
    }

    /// Looks a user up by id.
    pub fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        let conn = self.conn()?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?1");
        Ok(conn
            .query_row(&sql, [id.0], |r| user_from_row(r, 0))
            .optional()?)
    }

    /// Every account, by name.
    pub fn list_users(&self) -> Result<Vec<User>> {
        let conn = self.conn()?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name COLLATE NOCASE");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| user_from_row(r, 0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Disables an account and revokes everything that signed it in: its sessions end and
    /// its API tokens are revoked for good, so [`Store::enable_user`] brings none back.
    pub fn disable_user(&self, name: &UserName) -> Result<Disabled> {
        let user = self.require_user(name)?;
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("UPDATE users SET disabled = 1 WHERE id = ?1", [user.id.0])?;
        let sessions = tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user.id.0])?;
        let tokens = tx.execute(
            "UPDATE api_tokens SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL",
            params![unix(OffsetDateTime::now_utc()), user.id.0],
        )?;
        tx.commit()?;
        Ok(Disabled {
            user: User {
                disabled: true,
                ..user
            },
            sessions,
            tokens,
        })
    }

    /// Lets a disabled account sign in again. Its old sessions and tokens stay revoked: the
    /// person signs in anew and creates new tokens.
    pub fn enable_user(&self, name: &UserName) -> Result<User> {
        let user = self.require_user(name)?;
        self.conn()?
            .execute("UPDATE users SET disabled = 0 WHERE id = ?1", [user.id.0])?;
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
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE users SET password_hash = ?1 WHERE id = ?2",
            params![hash, user.id.0],
        )?;
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user.id.0])?;
        tx.commit()?;
        Ok(User {
            has_password: true,
            ..user
        })
    }

    /// Grants or revokes the admin role.
    pub fn set_admin(&self, name: &UserName, is_admin: bool) -> Result<User> {
        let user = self.require_user(name)?;
        self.conn()?.execute(
            "UPDATE users SET is_admin = ?1 WHERE id = ?2",
            params![is_admin, user.id.0],
        )?;
        Ok(User { is_admin, ..user })
    }

    /// The user when `password` is right and the account is enabled; `None` otherwise.
    ///
    /// Always runs one argon2 verification, whether or not the name exists, has a password
    /// or is disabled, so response times do not reveal which accounts exist.
    pub fn verify_password(&self, name: &UserName, password: &str) -> Result<Option<User>> {
        let conn = self.conn()?;
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.name = ?1 ORDER BY u.id"
        );
        let found = conn
            .query_row(&sql, [name.as_str()], |r| {
                Ok((user_from_row(r, 0)?, r.get::<_, Option<String>>(9)?))
            })
            .optional()?;
        drop(conn);
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
