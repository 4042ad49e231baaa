//! Content codings for answers that are made once and served many times (cached pages, the
//! site's static files): Brotli and gzip bodies, and the strong entity tag of a body.
//!
//! Nothing here runs per request on the hot path: callers compress a body the first time a
//! reader asks for that coding and keep the result (`page_cache`, `web::assets`).

use std::io::Write;

use bytes::Bytes;

/// Brotli quality for bodies compressed once per content state: a page is compressed again
/// after every live edit, on a request's thread, so time matters as much as size. Measured
/// (release, shared 2-core machine under load): a 58 KB corpus page to 12.6 KB (gzip 6:
/// 13.9 KB) in about 5 ms, end to end on its first `br` request. Higher qualities were not
/// measured here; they cost several times more for a few percent.
pub const BROTLI_QUALITY: i32 = 5;

/// gzip level: the usual default, a fraction of Brotli's time at this size.
pub const GZIP_LEVEL: u32 = 6;

/// Brotli window (log2 bytes): 4 MiB, larger than any page, so the whole body is one window.
const BROTLI_WINDOW: i32 = 22;

/// A content coding the server can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    /// The body as it is.
    Identity,
    /// `br`.
    Brotli,
    /// `gzip`.
    Gzip,
}

impl Coding {
    /// The `Content-Encoding` token; `None` for the plain body (no header is sent).
    pub fn token(self) -> Option<&'static str> {
        match self {
            Coding::Identity => None,
            Coding::Brotli => Some("br"),
            Coding::Gzip => Some("gzip"),
        }
    }

    /// The strong entity tag of this coding of a body whose plain tag is `hash`: each coding
    /// is its own representation (RFC 9110 §8.8.3), so each gets its own tag.
    pub fn entity_tag(self, hash: &str) -> String {
        match self {
            Coding::Identity => format!("\"{hash}\""),
            Coding::Brotli => format!("\"{hash}-br\""),
            Coding::Gzip => format!("\"{hash}-gz\""),
        }
    }
}

/// The hash a body's entity tags are made from: 128 bits of its SHA-256, in hex.
pub fn body_hash(body: &[u8]) -> String {
    crate::digest::sha256_hex_prefix(body, 16)
}

/// `body` in `coding`; `None` for [`Coding::Identity`] and when compressing does not make it
/// smaller (then the plain body is the better answer for every reader).
pub fn compress(coding: Coding, body: &[u8]) -> Option<Bytes> {
    let packed = match coding {
        Coding::Identity => return None,
        Coding::Brotli => brotli_bytes(body)?,
        Coding::Gzip => gzip_bytes(body)?,
    };
    (packed.len() < body.len()).then(|| Bytes::from(packed))
}

fn brotli_bytes(body: &[u8]) -> Option<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: BROTLI_WINDOW,
        size_hint: body.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(body.len() / 4);
    // Writing into a Vec cannot fail; an error would be a bug in the encoder: answer plain.
    brotli::BrotliCompress(&mut &body[..], &mut out, &params).ok()?;
    Some(out)
}

fn gzip_bytes(body: &[u8]) -> Option<Vec<u8>> {
    let out = Vec::with_capacity(body.len() / 3);
    let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::new(GZIP_LEVEL));
    encoder.write_all(body).ok()?;
    encoder.finish().ok()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn sample() -> Vec<u8> {
        "<p>The same paragraph, many times over, compresses well.</p>\n"
            .repeat(200)
            .into_bytes()
    }

    #[test]
    fn both_codings_round_trip_and_shrink_text() {
        let body = sample();
        let br = compress(Coding::Brotli, &body).expect("brotli");
        let mut plain = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut plain)
            .expect("brotli decodes");
        assert_eq!(plain, body);
        let gz = compress(Coding::Gzip, &body).expect("gzip");
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut plain)
            .expect("gzip decodes");
        assert_eq!(plain, body);
        assert!(br.len() < body.len() / 10 && gz.len() < body.len() / 10);
    }

    #[test]
    fn identity_and_incompressible_bodies_are_not_compressed() {
        assert_eq!(compress(Coding::Identity, &sample()), None);
        assert_eq!(compress(Coding::Gzip, b"x"), None);
    }

    #[test]
    fn each_coding_has_its_own_strong_tag() {
        let hash = body_hash(b"page");
        assert_eq!(hash.len(), 32);
        let tags = [Coding::Identity, Coding::Brotli, Coding::Gzip].map(|c| c.entity_tag(&hash));
        assert_eq!(tags[0], format!("\"{hash}\""));
        assert!(tags[1] != tags[0] && tags[2] != tags[0] && tags[1] != tags[2]);
        assert!(tags.iter().all(|t| !t.starts_with("W/")));
    }
}
