//! A sign-in under way: what the callback needs to finish it (the state it must see again, the
//! nonce the ID token must carry, the PKCE verifier, where to go afterwards), carried by the
//! browser in a short-lived cookie signed with a key only the servers know. No database row:
//! every replica that shares the client secret can finish a sign-in another one started.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long a sign-in may take at the provider before its cookie is refused.
pub const PENDING_TTL_SECONDS: i64 = 600;

/// One pending sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLogin {
    /// The `state` sent to the provider.
    #[serde(rename = "s")]
    pub state: String,
    /// The `nonce` the ID token must carry.
    #[serde(rename = "n")]
    pub nonce: String,
    /// The PKCE code verifier.
    #[serde(rename = "v")]
    pub verifier: String,
    /// The local page to open afterwards.
    #[serde(rename = "x")]
    pub next: String,
    /// When it started (Unix seconds).
    #[serde(rename = "t")]
    pub started: i64,
}

/// Why a cookie is not a pending sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingRefusal {
    /// Not signed by us, or not ours at all.
    Forged,
    /// Older than [`PENDING_TTL_SECONDS`].
    Expired,
}

/// Signs and checks pending sign-ins.
#[derive(Clone)]
pub struct PendingCodec {
    key: [u8; 32],
}

impl std::fmt::Debug for PendingCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingCodec")
    }
}

type HmacSha256 = Hmac<Sha256>;

impl PendingCodec {
    /// A codec whose key is derived from the client secret: the one secret every replica
    /// already shares, and a new secret at the provider invalidates pending sign-ins.
    pub fn from_secret(secret: &str) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"selfserve pending OpenID Connect sign-in\0");
        hash.update(secret.as_bytes());
        Self {
            key: hash.finalize().into(),
        }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length; 32 bytes cannot fail.
        match HmacSha256::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC accepts a 32-byte key"),
        }
    }

    /// The cookie value: the JSON, a dot, its HMAC-SHA-256 (both base64url).
    pub fn encode(&self, login: &PendingLogin) -> String {
        let json = serde_json::to_vec(login).unwrap_or_default();
        let body = URL_SAFE_NO_PAD.encode(json);
        let mut mac = self.mac();
        mac.update(body.as_bytes());
        let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{body}.{tag}")
    }

    /// The pending sign-in in `value`, checked (signature first, in constant time) and
    /// young enough at `now` (Unix seconds).
    pub fn decode(&self, value: &str, now: i64) -> Result<PendingLogin, PendingRefusal> {
        let (body, tag) = value.split_once('.').ok_or(PendingRefusal::Forged)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| PendingRefusal::Forged)?;
        let mut mac = self.mac();
        mac.update(body.as_bytes());
        mac.verify_slice(&tag).map_err(|_| PendingRefusal::Forged)?;
        let json = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| PendingRefusal::Forged)?;
        let login: PendingLogin =
            serde_json::from_slice(&json).map_err(|_| PendingRefusal::Forged)?;
        let age = now - login.started;
        if !(0..=PENDING_TTL_SECONDS).contains(&age) {
            return Err(PendingRefusal::Expired);
        }
        Ok(login)
    }
}

/// True when two secrets are equal, compared as SHA-256 digests so the time taken says
/// nothing about how much of a guess matched.
pub fn same_secret(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login() -> PendingLogin {
        PendingLogin {
            state: "st".into(),
            nonce: "no".into(),
            verifier: "ve".into(),
            next: "/docs/x".into(),
            started: 1_000,
        }
    }

    #[test]
    fn a_signed_login_reads_back_until_it_expires() {
        let codec = PendingCodec::from_secret("secret");
        let value = codec.encode(&login());
        assert_eq!(codec.decode(&value, 1_010), Ok(login()));
        assert_eq!(
            codec.decode(&value, 1_000 + PENDING_TTL_SECONDS + 1),
            Err(PendingRefusal::Expired)
        );
    }

    #[test]
    fn another_key_or_an_edit_is_refused() {
        let codec = PendingCodec::from_secret("secret");
        let value = codec.encode(&login());
        let other = PendingCodec::from_secret("other secret");
        assert_eq!(other.decode(&value, 1_010), Err(PendingRefusal::Forged));
        // The same body with a later start time but the old tag.
        let (_, tag) = value.split_once('.').expect("dot");
        let later = PendingLogin {
            started: 5_000,
            ..login()
        };
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&later).expect("json"));
        assert_eq!(
            codec.decode(&format!("{body}.{tag}"), 5_010),
            Err(PendingRefusal::Forged)
        );
        assert_eq!(codec.decode("garbage", 1_010), Err(PendingRefusal::Forged));
    }

    #[test]
    fn secrets_compare_by_value() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
    }
}
