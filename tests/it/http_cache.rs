//! HTTP caching through the real server: `HEAD` wherever `GET` is routed, strong ETags and
//! 304s, and Brotli and gzip answers that decode to the plain page.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use selfserve::web::assets::ASSET_CSP;
use selfserve::web::headers::HTML_CSP;

use crate::auth::{add_user, token_for};
use crate::support::TestApp;

const PAGE: &str = "/docs/guides/kubernetes/deploy";
const ASSET: &str = "/assets/guides/img/overview.svg";

/// One answer with its body as bytes (compressed bodies are not text).
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `method path` with `headers`, on a new connection; the server's answers here are never
/// chunked (cached pages and files have a known length), so the body is the rest.
fn raw(app: &TestApp, method: &str, path: &str, headers: &[(&str, &str)]) -> Raw {
    let mut stream = TcpStream::connect(app.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read");
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let text = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Raw {
        status,
        headers,
        body: bytes[split + 4..].to_vec(),
    }
}

fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Raw {
    raw(app, "GET", path, headers)
}

fn unbrotli(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(body, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

fn gunzip(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

#[test]
fn head_answers_every_get_address_with_its_headers_and_no_body() {
    let app = TestApp::start("site-basic");
    // A cached page, a static file, a content asset, the JSON API. A first GET puts the page in the cache: then GET and HEAD take the same path.
    get(&app, PAGE, &[]);
    for path in [
        PAGE,
        "/static/style.css",
        ASSET,
        "/api/v1/docs/guides/kubernetes/deploy",
        "/healthz",
    ] {
        let full = get(&app, path, &[]);
        assert_eq!(full.status, 200, "GET {path}");
        let head = raw(&app, "HEAD", path, &[]);
        assert_eq!(head.status, 200, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} sent a body");
        assert_eq!(
            head.header("content-length"),
            Some(full.body.len().to_string().as_str()),
            "HEAD {path}"
        );
        for name in [
            "content-type",
            "etag",
            "cache-control",
            "content-security-policy",
        ] {
            assert_eq!(head.header(name), full.header(name), "HEAD {path}: {name}");
        }
    }
    // Answers made per request (their length may vary: timings, tokens) have a length too.
    for path in ["/api/v1/search?q=deploy", "/search?q=deploy"] {
        let head = raw(&app, "HEAD", path, &[]);
        assert_eq!(head.status, 200, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} sent a body");
        let length: usize = head
            .header("content-length")
            .and_then(|n| n.parse().ok())
            .expect("a Content-Length");
        assert!(length > 100, "HEAD {path}: {length}");
    }
    // An address with no GET answers HEAD as it answers GET: the app's default service
    // (404) stands in for a resource's 405 (actix-web inherits it), for both methods.
    for path in ["/sign-out", "/account/tokens"] {
        let full = get(&app, path, &[]);
        let head = raw(&app, "HEAD", path, &[]);
        assert!(
            matches!(full.status, 404 | 405),
            "GET {path}: {}",
            full.status
        );
        assert_eq!(head.status, full.status, "HEAD {path}");
        assert!(head.body.is_empty());
    }
    assert_eq!(raw(&app, "HEAD", "/no/such/page", &[]).status, 404);
}

#[test]
fn a_known_etag_gets_304_with_the_security_and_caching_headers() {
    let app = TestApp::start("site-basic");
    for (path, csp, cache) in [
        (PAGE, HTML_CSP, "no-cache"),
        ("/", HTML_CSP, "no-cache"),
        ("/static/style.css", HTML_CSP, "public, max-age=3600"),
        (ASSET, ASSET_CSP, "public, max-age=300"),
    ] {
        // The first answer may be a miss (rendered, with the anonymous CSRF cookie and so
        // `private, no-store`); the second comes from the cache.
        get(&app, path, &[]);
        let full = get(&app, path, &[]);
        assert_eq!(full.status, 200, "{path}");
        assert_eq!(full.header("cache-control"), Some(cache), "{path}");
        let etag = full.header("etag").expect("an ETag").to_owned();
        assert!(etag.starts_with('"') && etag.len() > 30, "strong: {etag}");
        let again = get(&app, path, &[("If-None-Match", &etag)]);
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        assert_eq!(again.header("cache-control"), Some(cache), "{path}");
        assert_eq!(again.header("content-security-policy"), Some(csp), "{path}");
        assert_eq!(again.header("x-content-type-options"), Some("nosniff"));
        // Another version's tag is answered in full.
        let stale = get(&app, path, &[("If-None-Match", "\"0123\"")]);
        assert_eq!(stale.status, 200, "{path}");
        assert_eq!(stale.body, full.body);
    }
}

#[test]
fn brotli_and_gzip_decode_to_the_plain_page_and_each_has_its_own_etag() {
    let app = TestApp::start("site-basic");
    for path in [PAGE, "/tags", "/static/style.css"] {
        get(&app, path, &[]);
        let plain = get(&app, path, &[]);
        assert_eq!(plain.header("content-encoding"), None, "{path}");
        assert_eq!(plain.header("vary"), Some("accept-encoding"), "{path}");

        let br = get(&app, path, &[("Accept-Encoding", "gzip, deflate, br")]);
        assert_eq!(br.header("content-encoding"), Some("br"), "{path}");
        assert_eq!(br.header("vary"), Some("accept-encoding"));
        assert_eq!(unbrotli(&br.body), plain.body, "{path}");
        assert!(br.body.len() < plain.body.len() / 2, "{path}");

        let gz = get(&app, path, &[("Accept-Encoding", "gzip")]);
        assert_eq!(gz.header("content-encoding"), Some("gzip"), "{path}");
        assert_eq!(gunzip(&gz.body), plain.body, "{path}");

        let refused = get(&app, path, &[("Accept-Encoding", "identity;q=1, br;q=0")]);
        assert_eq!(refused.header("content-encoding"), None);
        assert_eq!(refused.body, plain.body);

        let tags = [&plain, &br, &gz].map(|r| r.header("etag").expect("etag").to_owned());
        assert!(tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2]);
        // The same coding again: the kept form, and a 304 for its own tag.
        let again = get(&app, path, &[("Accept-Encoding", "br")]);
        assert_eq!(again.body, br.body);
        let fresh = get(
            &app,
            path,
            &[("Accept-Encoding", "br"), ("If-None-Match", &tags[1])],
        );
        assert_eq!(fresh.status, 304, "{path}");
        let head = raw(&app, "HEAD", path, &[("Accept-Encoding", "br")]);
        assert_eq!(
            head.header("content-length"),
            Some(br.body.len().to_string().as_str())
        );
    }
}

#[test]
fn pages_for_one_reader_are_private_uncompressed_and_carry_no_etag() {
    let app = TestApp::start("site-basic");
    add_user(&app, "ada", false, None);
    let token = format!("Bearer {}", token_for(&app, "ada"));
    let mine = get(
        &app,
        PAGE,
        &[("Authorization", &token), ("Accept-Encoding", "br")],
    );
    assert_eq!(mine.status, 200);
    assert_eq!(mine.header("cache-control"), Some("private, no-store"));
    assert_eq!(mine.header("etag"), None);
    // Compressing a name or a token beside text the reader chose leaks them (BREACH).
    assert_eq!(mine.header("content-encoding"), None);
    assert!(String::from_utf8_lossy(&mine.body).contains("ada"));
}

#[test]
fn a_live_edit_gives_the_page_a_new_etag() {
    let app = TestApp::start_watching("site-basic", |_| {});
    get(&app, PAGE, &[]);
    let before = get(&app, PAGE, &[("Accept-Encoding", "br")]);
    let old = before.header("etag").expect("etag").to_owned();

    let file = app.content.join("guides/kubernetes/deploy.md");
    let text = fs::read_to_string(&file).expect("read guide");
    fs::write(
        &file,
        format!("{text}\n\nA paragraph about blue-green releases.\n"),
    )
    .expect("edit guide");
    let deadline = Instant::now() + Duration::from_secs(5);
    let after = loop {
        let now = get(
            &app,
            PAGE,
            &[("Accept-Encoding", "br"), ("If-None-Match", &old)],
        );
        if now.status == 200 || Instant::now() > deadline {
            break now;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(after.status, 200, "the old tag no longer matches");
    assert_ne!(after.header("etag"), Some(old.as_str()));
    assert!(String::from_utf8_lossy(&unbrotli(&after.body)).contains("blue-green releases"));
}
