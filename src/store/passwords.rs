//! Password hashing: argon2id through the argon2 crate, never anything home-made.
//!
//! Hashes use argon2's default parameters (argon2id, a fresh random salt per hash) and are
//! stored as PHC strings, which carry their own parameters, so raising the defaults later
//! keeps old hashes verifiable. Verification goes through the crate, which compares in
//! constant time.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::{Result, StoreError};

/// Longest password accepted: argon2 copes with more, but a megabyte "password" is an attack.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Checks a new password and hashes it into a PHC string.
pub(crate) fn hash_password(password: &str) -> Result<String> {
    if password.is_empty() {
        return Err(StoreError::Invalid("the password must not be empty".into()));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(StoreError::Invalid(format!(
            "the password must be at most {MAX_PASSWORD_BYTES} bytes long"
        )));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Hash(e.to_string()))
}

/// True when `password` matches the PHC string `hash`.
pub(crate) fn password_matches(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A hash of a throwaway password, verified against when there is no real hash to check,
/// so an unknown name costs the same time as a wrong password (no user enumeration).
pub(crate) fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"selfserve timing equaliser")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted_argon2id_phc_strings() {
        let a = hash_password("correct horse").expect("hash");
        let b = hash_password("correct horse").expect("hash");
        assert!(a.starts_with("$argon2id$v=19$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(password_matches("correct horse", &a));
        assert!(!password_matches("correct horse!", &a));
        assert!(!password_matches("x", "not a phc string"));
        assert!(!password_matches("x", dummy_hash()));
    }

    #[test]
    fn empty_and_huge_passwords_are_refused() {
        assert!(matches!(hash_password(""), Err(StoreError::Invalid(_))));
        let huge = "x".repeat(MAX_PASSWORD_BYTES + 1);
        assert!(matches!(hash_password(&huge), Err(StoreError::Invalid(_))));
    }
}
