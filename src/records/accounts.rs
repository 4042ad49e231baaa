//! Accounts, browser sessions, sign-in throttle keys and API tokens, as plain values.

use std::fmt;
use std::net::IpAddr;

use time::OffsetDateTime;

/// A user's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A user name: 1–64 ASCII letters, digits and `.`, `_`, `-`, `@`, `+`, trimmed and
/// lowercased.
///
/// ASCII only, so two accounts cannot look alike (`аdmin` with a Cyrillic `а`); `@`, `.`
/// and `+` admit e-mail addresses, which SSO proxies send as the user's name. Parsing is the
/// one place names are normalised: ` Alice `, `ALICE` and `alice` are the same value, so they
/// are one account, one sign-in counter and one row (the migration to version 2 lowercased
/// names stored before).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct UserName(String);

impl UserName {
    /// Parses a name (surrounding whitespace dropped, case folded), explaining in a sentence
    /// what is wrong with a bad one.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("a user name must not be empty".into());
        }
        if trimmed.len() > 64 {
            return Err("a user name must be at most 64 characters long".into());
        }
        if let Some(bad) = trimmed
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+')))
        {
            return Err(format!(
                "the user name `{}` contains {bad:?}; use letters, digits, `.`, `_`, `-`, `@` and `+`",
                trimmed.escape_debug()
            ));
        }
        Ok(Self(trimmed.to_ascii_lowercase()))
    }

    /// A name read back from storage, where only parsed names were written.
    pub(crate) fn from_stored(name: String) -> Self {
        Self(name)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How an account came to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UserSource {
    /// Created with `selfserve user add` (or by an admin).
    Local,
    /// Created on first sight of a trusted SSO proxy's header.
    Proxy,
}

impl UserSource {
    /// The value in the `source` column.
    pub fn as_str(self) -> &'static str {
        match self {
            UserSource::Local => "local",
            UserSource::Proxy => "proxy",
        }
    }
}

/// An account, without its password hash (which never leaves the store).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// Row id.
    pub id: UserId,
    /// The unique name.
    pub name: UserName,
    /// A friendlier name, when known.
    pub display_name: Option<String>,
    /// An e-mail address, when known.
    pub email: Option<String>,
    /// Admins see every learner, the qualification matrix and insights.
    pub is_admin: bool,
    /// Disabled accounts cannot sign in; disabling revoked their sessions and tokens.
    pub disabled: bool,
    /// Whether the account has a password (SSO- and token-only accounts have none).
    pub has_password: bool,
    /// How the account was created.
    pub source: UserSource,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

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
    /// One account tried from one client address: refused after a few failures
    /// (`store::sessions::ACCOUNT_CLIENT_FAILURES`), for that address only.
    AccountFromClient(UserName, IpAddr),
    /// One client address, whatever names it tries: refused after
    /// `store::sessions::CLIENT_FAILURES`.
    Client(IpAddr),
    /// One account, from anywhere: never refused, only slowed
    /// (`store::sessions::account_delay`).
    Account(UserName),
}

impl LoginKey {
    /// The text the store counts this key's failures under.
    pub fn key(&self) -> String {
        // Names are case-folded and trimmed by `UserName::parse`, so every spelling of a name
        // shares these keys.
        match self {
            LoginKey::AccountFromClient(name, ip) => format!("account-client:{name}|{ip}"),
            LoginKey::Client(ip) => format!("client:{ip}"),
            LoginKey::Account(name) => format!("account:{name}"),
        }
    }
}

/// An API token's row id (shown by `token list`, used by `token revoke`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct TokenId(pub i64);

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What is known about a token; the secret itself is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Row id.
    pub id: TokenId,
    /// Whose token it is.
    pub user_id: UserId,
    /// What the owner called it.
    pub label: String,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it last authenticated a request (to the minute).
    pub last_used: Option<OffsetDateTime>,
    /// When it was revoked; revoked tokens authenticate nothing.
    pub revoked_at: Option<OffsetDateTime>,
}
