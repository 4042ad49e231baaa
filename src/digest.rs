//! Bytes and SHA-256 digests in lowercase hex: a document's version (its file's bytes), a
//! static file's ETag, session and API tokens and their stored form. One place, so they all
//! agree on case and length.

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of `bytes` (64 characters).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The first `len` bytes of the SHA-256 of `bytes`, in lowercase hex (`2 * len` characters).
pub fn sha256_hex_prefix(bytes: &[u8], len: usize) -> String {
    let digest = Sha256::digest(bytes);
    hex(&digest[..len.min(digest.len())])
}

/// `bytes` in lowercase hex (`2 * len` characters).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256_hex_prefix(b"abc", 4), "ba7816bf");
        assert_eq!(sha256_hex_prefix(b"abc", 99).len(), 64);
    }
}
