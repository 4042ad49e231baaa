//! Raw query strings read by hand where actix's `web::Query` does not fit: a search reads its
//! parameters leniently (a bad escape is kept, not a 400) and a tree step splits its trail at
//! literal commas before decoding. One splitter and one decoder serve both.

use percent_encoding::percent_decode_str;

/// The `key=value` pairs of a query string, not yet decoded, in order: empty pairs are
/// skipped and a pair without `=` has an empty value.
pub fn pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}

/// One key or value decoded as browsers encode forms: `+` is a space, a bad percent-escape
/// is kept as written and invalid UTF-8 becomes U+FFFD.
pub fn decode(component: &str) -> String {
    percent_decode_str(&component.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_split_once_and_skip_empty_ones() {
        let got: Vec<_> = pairs("a=1&&b&c=x=y&").collect();
        assert_eq!(got, [("a", "1"), ("b", ""), ("c", "x=y")]);
        assert_eq!(pairs("").count(), 0);
    }

    #[test]
    fn decoding_is_lenient() {
        assert_eq!(decode("pod+crash%3A%20%22x%22"), "pod crash: \"x\"");
        assert_eq!(decode("%FF%FEabc%zz"), "\u{fffd}\u{fffd}abc%zz");
        assert_eq!(decode("a%2Cb"), "a,b");
    }
}
