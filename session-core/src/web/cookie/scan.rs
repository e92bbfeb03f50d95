//! Reading the session cookie back from `Cookie` headers: an exact-bytes
//! scan that never decodes or unquotes names (B3) and skips pairs that are
//! not ours before looking at their values.

use std::ops::Range;

use http::HeaderValue;

use super::{CookieConfig, MAX_CANDIDATES, MAX_COOKIE_LEN};

impl CookieConfig {
    /// The values of every cookie named exactly like ours, in header order,
    /// at most [`MAX_CANDIDATES`]; values whose `name=value` is over
    /// [`MAX_COOKIE_LEN`] are dropped before any decoding (F6), and so are
    /// headers that are not visible ASCII (B1). Names are compared as exact
    /// bytes, never percent-decoded or unquoted (B3).
    ///
    /// Returns the candidates and how many oversized ones were dropped.
    pub fn candidates<'h>(
        &self,
        headers: impl IntoIterator<Item = &'h HeaderValue>,
    ) -> (Vec<String>, usize) {
        let found = self.scan(headers);
        let values = found.values().iter().map(|v| (*v).to_owned()).collect();
        (values, found.oversized)
    }

    /// [`CookieConfig::candidates`], borrowing the values from the headers
    /// (no allocation: only the value that loads is ever copied).
    pub(crate) fn scan<'h>(
        &self,
        headers: impl IntoIterator<Item = &'h HeaderValue>,
    ) -> Candidates<'h> {
        let mut found = Candidates {
            values: [""; MAX_CANDIDATES],
            len: 0,
            oversized: 0,
        };
        for header in headers {
            if self.collect(header.as_bytes(), &mut found) {
                break;
            }
        }
        found
    }

    /// Adds the values of the pairs of one `Cookie` header that are named
    /// exactly like ours. The header is split as raw bytes (one vectorised
    /// search per `;`), so another cookie with a non-UTF-8 value cannot hide
    /// ours, and only our values are checked: they must be ASCII (controls
    /// cannot reach a header value), anything else is not ours (B1), and
    /// backends then parse them strictly. True once [`MAX_CANDIDATES`] are
    /// collected.
    fn collect<'h>(&self, header: &'h [u8], found: &mut Candidates<'h>) -> bool {
        let mut rest = header;
        loop {
            let (pair, next) = match memchr::memchr(b';', rest) {
                Some(i) => (&rest[..i], Some(&rest[i + 1..])),
                None => (rest, None),
            };
            if let Some(range) = self.value_range(pair) {
                if self.name.len() + 1 + range.len() > MAX_COOKIE_LEN {
                    found.oversized += 1; // Dropped before any decoding (F6).
                } else if found.len == MAX_CANDIDATES {
                    return true;
                } else if let Some(v) = ascii_str(&pair[range]) {
                    found.values[found.len] = v;
                    found.len += 1;
                }
            }
            match next {
                Some(next) => rest = next,
                None => return false,
            }
        }
    }

    /// Where the value of `pair` is, if `pair` is `name = value` with our
    /// name and optional whitespace (SP, HTAB) around each part. The name
    /// is compared as exact bytes (B3); the value is kept as sent (quotes
    /// included: no backend value has any).
    fn value_range(&self, pair: &[u8]) -> Option<Range<usize>> {
        let name = self.name.as_bytes();
        let mut i = ows_len(pair);
        if !pair[i..].starts_with(name) {
            return None;
        }
        i += name.len();
        i += ows_len(&pair[i..]);
        if pair.get(i) != Some(&b'=') {
            return None;
        }
        i += 1;
        i += ows_len(&pair[i..]);
        let mut end = pair.len();
        while end > i && matches!(pair[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        Some(i..end)
    }
}

/// `bytes` as text if they are all ASCII. The check ORs every byte
/// together with no early exit, which compiles to whole vector registers
/// down to the last few bytes (`is_ascii` stops at each 64-byte block and
/// finishes byte by byte); `from_utf8` then takes its ASCII fast path.
fn ascii_str(bytes: &[u8]) -> Option<&str> {
    if bytes.iter().fold(0u8, |acc, &b| acc | b).is_ascii() {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    }
}

/// How many optional-whitespace bytes (SP, HTAB) `b` starts with.
fn ows_len(b: &[u8]) -> usize {
    b.iter().take_while(|c| matches!(c, b' ' | b'\t')).count()
}

/// The session cookie values of a request, borrowed from its headers.
#[derive(Debug)]
pub(crate) struct Candidates<'h> {
    values: [&'h str; MAX_CANDIDATES],
    len: usize,
    /// How many values over [`MAX_COOKIE_LEN`] were dropped unread (F6).
    pub(crate) oversized: usize,
}

impl<'h> Candidates<'h> {
    /// The values, in header order.
    pub(crate) fn values(&self) -> &[&'h str] {
        &self.values[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;
    use http::header::COOKIE;

    fn cands(c: &CookieConfig, h: &HeaderMap) -> (Vec<String>, usize) {
        c.candidates(h.get_all(COOKIE))
    }

    #[test]
    fn prefixed_names_are_matched_exactly_b3() {
        let mut c = CookieConfig::default();
        c.set_name("__Host-id").unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static(
                "__%48ost-id=a; \"__Host-id\"=b; _[Host-id=c; ..Host-id=d; __host-id=e",
            ),
        );
        assert!(cands(&c, &h).0.is_empty());
        h.append(COOKIE, HeaderValue::from_static("__Host-id=f"));
        assert_eq!(cands(&c, &h).0, vec!["f".to_owned()]);
    }

    #[test]
    fn candidates_are_bounded_and_oversized_dropped_b2_f6() {
        let c = CookieConfig::default();
        let mut h = HeaderMap::new();
        let big = format!("id={}", "a".repeat(MAX_COOKIE_LEN));
        h.insert(COOKIE, HeaderValue::from_str(&big).unwrap());
        h.append(
            COOKIE,
            HeaderValue::from_static("x=1; id=one; id=two; id=three; id=four"),
        );
        let (cands, over) = cands(&c, &h);
        assert_eq!(cands, vec!["one", "two", "three"]);
        assert_eq!(over, 1);
    }

    #[test]
    fn non_utf8_pairs_are_skipped_without_hiding_ours_b1() {
        let c = CookieConfig::default();
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_bytes(b"id=a\xffb").unwrap());
        assert!(cands(&c, &h).0.is_empty());
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_bytes(b"pref=\xffx; lang=caf\xc3\xa9; id=abc").unwrap(),
        );
        assert_eq!(cands(&c, &h).0, vec!["abc".to_owned()]);
        // A value of ours that is UTF-8 but not ASCII is not ours either.
        h.insert(
            COOKIE,
            HeaderValue::from_bytes(b"id=caf\xc3\xa9; id=abc").unwrap(),
        );
        assert_eq!(cands(&c, &h).0, vec!["abc".to_owned()]);
    }

    /// The candidates the default configuration finds in one header.
    fn in_header(header: &'static str) -> Vec<String> {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static(header));
        cands(&CookieConfig::default(), &h).0
    }

    #[test]
    fn optional_whitespace_is_allowed_and_values_must_be_visible_ascii() {
        let found = in_header("idx=1; id = a ;\tid=b\t; ida=2");
        assert_eq!(found, vec!["a".to_owned(), "b".to_owned()]);
    }

    #[test]
    fn smuggled_pairs_inside_a_value_do_not_count_b1() {
        assert!(in_header("ga=\"x id=evil\"; other=id=evil2").is_empty());
    }
}
