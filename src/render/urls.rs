//! URLs pages link to and redirect to: whether a target is a path on this site (the guard
//! against open redirects, for sign-in's `next` and for search result clicks) and the
//! sign-in URL that returns to a page. Plain string functions, below every view.

/// A path on this site: `/x`, never `//host` or `/\host` (browsers read both as another host).
pub fn is_site_path(target: &str) -> bool {
    target.starts_with('/')
        && !target.starts_with("//")
        && !target.starts_with("/\\")
        && !target.chars().any(|c| c.is_control() || c == '\\')
}

/// `next` when it is a path on this site, `/` otherwise: an open redirect to another site
/// (`//evil.example`, `https://…`, `/\evil`) would turn the sign-in page into a phishing aid.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(next) = next else {
        return "/".to_owned();
    };
    if is_site_path(next) && next.len() <= 2000 {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// The sign-in page's URL, returning to `next` afterwards.
pub fn sign_in_url(next: &str) -> String {
    let next = safe_next(Some(next));
    if next == "/" || next.starts_with("/sign-in") {
        return "/sign-in".to_owned();
    }
    format!(
        "/sign-in?next={}",
        percent_encoding::utf8_percent_encode(&next, percent_encoding::NON_ALPHANUMERIC)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_site_paths_are_followed() {
        assert!(is_site_path("/docs/a#b"));
        assert!(!is_site_path("//evil.example"));
        assert!(!is_site_path("/\\evil.example"));
        assert!(!is_site_path("https://evil.example"));
        assert!(!is_site_path("/a\nb"));
    }

    #[test]
    fn only_local_paths_are_safe_redirects() {
        assert_eq!(safe_next(Some("/modules/k8s?x=1")), "/modules/k8s?x=1");
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "evil",
            "",
            "/a\r\nSet-Cookie: x",
            "/a\\b",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn sign_in_urls_encode_next() {
        assert_eq!(sign_in_url("/"), "/sign-in");
        assert_eq!(
            sign_in_url("/my/training?x=1"),
            "/sign-in?next=%2Fmy%2Ftraining%3Fx%3D1"
        );
        assert_eq!(sign_in_url("//evil"), "/sign-in");
    }
}
