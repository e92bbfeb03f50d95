//! The session cookie's attributes: validated when set, serialized with the
//! `cookie` crate (once, at configuration: each response appends the value
//! and `Max-Age` to the precomputed attributes), and read back from `Cookie`
//! headers by an exact-bytes scan (in `scan`) that never decodes or
//! unquotes names (B3) and skips pairs that are not ours before looking at
//! their values.

use std::time::Duration;

use bytes::Bytes;
use cookie::{Cookie, SameSite};
use http::HeaderValue;

pub(crate) mod scan;

/// Written before a `Set-Cookie` line's age.
const MAX_AGE: &[u8] = b"; Max-Age=";

/// Largest `name=value` a browser is required to keep (RFC 6265bis §5.4, F1).
pub const MAX_COOKIE_LEN: usize = 4096;
/// Above this size a `tracing` warning is logged before the hard limit (F3).
pub const WARN_COOKIE_LEN: usize = 3072;
/// Largest attribute value (Path, Domain) accepted (RFC 6265bis §5.4, F2).
pub const MAX_ATTRIBUTE_LEN: usize = 1024;
/// How many cookies carrying the session name are tried, in header order
/// (B2). More are ignored: an attacker who tosses cookies from a sibling
/// subdomain cannot make a request cost more than this many loads.
pub const MAX_CANDIDATES: usize = 3;

/// The `__Host-` prefix: Secure, `Path=/`, no Domain (D10).
pub const HOST_PREFIX: &str = "__Host-";
/// The `__Secure-` prefix: Secure.
pub const SECURE_PREFIX: &str = "__Secure-";

/// A cookie setting was refused when the layer was configured (B4, D10).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The name is empty or has a character outside RFC 9110 `token`.
    #[error("cookie name {0:?} is not a valid token (letters, digits and !#$%&'*+-.^_`|~ only)")]
    Name(String),
    /// A Path or Domain has `;`, a control character, a space, non-ASCII,
    /// or is over 1024 bytes.
    #[error(
        "cookie {attribute} {value:?} is refused: it must be printable ASCII without `;` or spaces, at most 1024 bytes"
    )]
    Attribute {
        /// `Path` or `Domain`.
        attribute: &'static str,
        /// The value given.
        value: String,
    },
    /// A setting conflicts with the `__Host-` prefix (Secure, `Path=/`, no
    /// Domain).
    #[error("`__Host-` cookies must be Secure, have Path=/ and no Domain: {0}")]
    HostPrefix(&'static str),
    /// `__Secure-` cookies must be Secure.
    #[error("`__Secure-` cookies must be Secure")]
    SecurePrefix,
}

/// The attributes of the session cookie.
///
/// Defaults, each chosen for safety first:
///
/// * name `id`: neutral, does not reveal the framework (K6);
/// * `Path=/`: the session covers the whole site (K5);
/// * no Domain: host-only, so sibling subdomains cannot read or set it (K5);
/// * `Secure`: never sent over plain http (K3); turn off only for local
///   plain-http development;
/// * `HttpOnly`: scripts cannot read it, limiting what an XSS can steal (K3);
/// * `SameSite=Lax`: not sent on cross-site subresource or POST requests,
///   which blocks most CSRF, yet top-level navigation keeps the login (K3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieConfig {
    pub(crate) name: String,
    pub(crate) path: String,
    pub(crate) domain: Option<String>,
    pub(crate) secure: bool,
    pub(crate) http_only: bool,
    pub(crate) same_site: Option<SameSite>,
    pub(crate) partitioned: bool,
    /// `; HttpOnly; SameSite=Lax; Secure; Path=/...`: the attributes as
    /// serialized by the `cookie` crate, refreshed by every setter, so a
    /// response's `Set-Cookie` is one string concatenation.
    attrs: String,
}

impl Default for CookieConfig {
    fn default() -> Self {
        let mut c = CookieConfig {
            name: "id".to_owned(),
            path: "/".to_owned(),
            domain: None,
            secure: true,
            http_only: true,
            same_site: Some(SameSite::Lax),
            partitioned: false,
            attrs: String::new(),
        };
        c.refresh();
        c
    }
}

impl CookieConfig {
    /// The cookie name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the name carries the `__Host-` prefix (exact bytes, B3).
    pub fn is_host_prefixed(&self) -> bool {
        self.name.starts_with(HOST_PREFIX)
    }

    fn set_name_inner(&mut self, name: &str) -> Result<(), ConfigError> {
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(ConfigError::Name(name.to_owned()));
        }
        self.name = name.to_owned();
        if self.is_host_prefixed() {
            self.secure = true;
            if self.domain.is_some() {
                return Err(ConfigError::HostPrefix("a Domain is set"));
            }
            if self.path != "/" {
                return Err(ConfigError::HostPrefix("the Path is not `/`"));
            }
        }
        if name.starts_with(SECURE_PREFIX) {
            self.secure = true;
        }
        Ok(())
    }

    fn set_path_inner(&mut self, path: &str) -> Result<(), ConfigError> {
        check_attribute("Path", path)?;
        if self.is_host_prefixed() && path != "/" {
            return Err(ConfigError::HostPrefix("the Path must be `/`"));
        }
        self.path = path.to_owned();
        Ok(())
    }

    fn set_domain_inner(&mut self, domain: Option<&str>) -> Result<(), ConfigError> {
        if let Some(d) = domain {
            check_attribute("Domain", d)?;
            if self.is_host_prefixed() {
                return Err(ConfigError::HostPrefix("a Domain cannot be set"));
            }
        }
        self.domain = domain.map(str::to_owned);
        Ok(())
    }

    fn set_secure_inner(&mut self, secure: bool) -> Result<(), ConfigError> {
        if !secure {
            if self.is_host_prefixed() {
                return Err(ConfigError::HostPrefix("Secure cannot be turned off"));
            }
            if self.name.starts_with(SECURE_PREFIX) {
                return Err(ConfigError::SecurePrefix);
            }
            if self.same_site == Some(SameSite::None) || self.partitioned {
                // Browsers drop SameSite=None and Partitioned cookies without
                // Secure; keep it on rather than emit a cookie that vanishes.
                return Ok(());
            }
        }
        self.secure = secure;
        Ok(())
    }

    fn set_same_site_inner(&mut self, same_site: Option<SameSite>) {
        if same_site == Some(SameSite::None) {
            // SameSite=None without Secure is rejected by browsers.
            self.secure = true;
        }
        self.same_site = same_site;
    }

    fn set_partitioned_inner(&mut self, partitioned: bool) {
        if partitioned {
            // CHIPS requires Secure.
            self.secure = true;
        }
        self.partitioned = partitioned;
    }

    fn set_http_only_inner(&mut self, http_only: bool) {
        self.http_only = http_only;
    }

    pub(crate) fn set_name(&mut self, name: &str) -> Result<(), ConfigError> {
        let r = self.set_name_inner(name);
        self.refresh();
        r
    }

    pub(crate) fn set_path(&mut self, path: &str) -> Result<(), ConfigError> {
        let r = self.set_path_inner(path);
        self.refresh();
        r
    }

    pub(crate) fn set_domain(&mut self, domain: Option<&str>) -> Result<(), ConfigError> {
        let r = self.set_domain_inner(domain);
        self.refresh();
        r
    }

    pub(crate) fn set_secure(&mut self, secure: bool) -> Result<(), ConfigError> {
        let r = self.set_secure_inner(secure);
        self.refresh();
        r
    }

    pub(crate) fn set_same_site(&mut self, same_site: Option<SameSite>) {
        self.set_same_site_inner(same_site);
        self.refresh();
    }

    pub(crate) fn set_partitioned(&mut self, partitioned: bool) {
        self.set_partitioned_inner(partitioned);
        self.refresh();
    }

    pub(crate) fn set_http_only(&mut self, http_only: bool) {
        self.set_http_only_inner(http_only);
        self.refresh();
    }

    fn refresh(&mut self) {
        let whole = self.base(String::new()).to_string();
        self.attrs = whole[self.name.len() + 1..].to_owned();
    }

    /// The `Set-Cookie` value for `value` with `max_age` (`None`: a
    /// browser-session cookie).
    pub fn set_cookie(&self, value: &str, max_age: Option<Duration>) -> String {
        String::from_utf8(self.set_cookie_line(value.as_bytes(), max_age))
            .expect("joined from UTF-8 parts")
    }

    /// The `Set-Cookie` header for `value` with `max_age`, or `None` if
    /// `value` has a byte a header cannot carry (B4). The line is written
    /// once into a buffer of exactly its length, which the header then owns
    /// without a copy, and is checked once, by the header (no UTF-8 check:
    /// a header value is bytes).
    pub(crate) fn set_cookie_header(
        &self,
        value: &[u8],
        max_age: Option<Duration>,
    ) -> Option<HeaderValue> {
        HeaderValue::from_maybe_shared(Bytes::from(self.set_cookie_line(value, max_age))).ok()
    }

    /// [`CookieConfig::set_cookie_header`] for a value the caller owns,
    /// `buf[at..]` (`None` if `at` is past its end). If `at` is
    /// [`CookieConfig::set_cookie_prefix`] and the spare capacity the rest
    /// of [`CookieConfig::set_cookie_room`], `name=` is written over
    /// `buf[..at]` and the attributes after the value: the buffer becomes
    /// the line, nothing moves. If `at` is 0 and the spare capacity the
    /// whole room, the value is moved up once to make room for `name=`.
    /// Otherwise the value is copied.
    pub(crate) fn set_cookie_header_from(
        &self,
        mut value: Vec<u8>,
        at: usize,
        max_age: Option<Duration>,
    ) -> Option<HeaderValue> {
        let (room, prefix) = (self.set_cookie_room(max_age), self.set_cookie_prefix());
        let spare = value.capacity() - value.len();
        if at == prefix && spare == room - prefix && value.len() >= at {
            // Written in place below.
        } else if at == 0 && spare == room {
            // Move the value up by `name=`.
            let len = value.len();
            value.resize(len + prefix, 0);
            value.copy_within(..len, prefix);
        } else {
            return self.set_cookie_header(value.get(at..)?, max_age);
        }
        let name = self.name.as_bytes();
        value[..name.len()].copy_from_slice(name);
        value[name.len()] = b'=';
        let mut digits = itoa::Buffer::new();
        let age = max_age.map(|a| digits.format(a.as_secs()).as_bytes());
        push_attributes(&mut value, &self.attrs, age);
        debug_assert_eq!(value.len(), value.capacity(), "exact: no copy");
        HeaderValue::from_maybe_shared(Bytes::from(value)).ok()
    }

    /// The bytes a `Set-Cookie` line writes before its value: `name=`.
    pub(crate) fn set_cookie_prefix(&self) -> usize {
        self.name.len() + 1
    }

    /// The bytes a `Set-Cookie` line adds around its value: `name=`, the
    /// attributes and, if any, `; Max-Age=` and its digits.
    pub(crate) fn set_cookie_room(&self, max_age: Option<Duration>) -> usize {
        let digits = |n: u64| n.checked_ilog10().map_or(1, |d| d as usize + 1);
        let age = max_age.map_or(0, |a| MAX_AGE.len() + digits(a.as_secs()));
        self.name.len() + 1 + self.attrs.len() + age
    }

    fn set_cookie_line(&self, value: &[u8], max_age: Option<Duration>) -> Vec<u8> {
        let mut digits = itoa::Buffer::new();
        let age = max_age.map(|a| digits.format(a.as_secs()).as_bytes());
        let age_len = age.map_or(0, |d| MAX_AGE.len() + d.len());
        let mut out =
            Vec::with_capacity(self.name.len() + 1 + value.len() + self.attrs.len() + age_len);
        out.extend_from_slice(self.name.as_bytes());
        out.push(b'=');
        out.extend_from_slice(value);
        push_attributes(&mut out, &self.attrs, age);
        out
    }

    /// The `Set-Cookie` value that deletes the cookie: the same Path,
    /// Domain, Secure, HttpOnly, SameSite and Partitioned as when set (K4),
    /// an empty value, `Max-Age=0` and an `Expires` in the past.
    pub fn removal_cookie(&self) -> String {
        let mut c = self.base(String::new());
        c.make_removal();
        c.to_string()
    }

    fn base(&self, value: String) -> Cookie<'static> {
        let mut c = Cookie::new(self.name.clone(), value);
        c.set_path(self.path.clone());
        if let Some(d) = &self.domain {
            c.set_domain(d.clone());
        }
        c.set_secure(self.secure);
        c.set_http_only(self.http_only);
        c.set_same_site(self.same_site);
        c.set_partitioned(self.partitioned);
        c
    }
}

/// Appends the attributes and, if any, `; Max-Age=` and the age's digits
/// to a `Set-Cookie` line.
fn push_attributes(out: &mut Vec<u8>, attrs: &str, age: Option<&[u8]>) {
    out.extend_from_slice(attrs.as_bytes());
    if let Some(d) = age {
        out.extend_from_slice(MAX_AGE);
        out.extend_from_slice(d);
    }
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn check_attribute(attribute: &'static str, value: &str) -> Result<(), ConfigError> {
    let ok = !value.is_empty()
        && value.len() <= MAX_ATTRIBUTE_LEN
        && value.bytes().all(|b| b.is_ascii_graphic() && b != b';');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::Attribute {
            attribute,
            value: value.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_digits_match_display() {
        for n in [0, 1, 9, 10, 99, 1_209_600, u64::MAX] {
            let line = CookieConfig::default().set_cookie("v", Some(Duration::from_secs(n)));
            assert!(line.ends_with(&format!("; Max-Age={n}")), "{line}");
        }
        let c = CookieConfig::default();
        let line = c.set_cookie("v", Some(Duration::from_secs(1_209_600)));
        assert_eq!(line.len(), line.capacity(), "exact capacity, no copy");
        assert_eq!(
            line,
            "id=v; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=1209600"
        );
        assert_eq!(
            c.set_cookie_header(b"v", None).unwrap(),
            "id=v; HttpOnly; SameSite=Lax; Secure; Path=/"
        );
        assert!(c.set_cookie_header(b"v\n", None).is_none());
    }

    /// The room is what the line adds to its value, and a value with
    /// exactly that much spare capacity becomes the same line in place; any
    /// other capacity is copied; bad bytes are refused either way (B4).
    #[test]
    fn line_written_around_an_owned_value_matches_the_copied_one() {
        let mut c = CookieConfig::default();
        c.set_name("session").unwrap();
        for secs in [
            None,
            Some(0),
            Some(9),
            Some(10),
            Some(1_209_600),
            Some(u64::MAX),
        ] {
            let age = secs.map(Duration::from_secs);
            // Values shorter and longer than the name.
            for value in [&b"tok"[..], b"a-much-longer.token_value"] {
                let line = c.set_cookie_line(value, age);
                assert_eq!(line.len(), value.len() + c.set_cookie_room(age));
                let expected = c.set_cookie_header(value, age).unwrap();
                for spare in [0, c.set_cookie_room(age), c.set_cookie_room(age) + 1] {
                    let mut v = Vec::with_capacity(value.len() + spare);
                    v.extend_from_slice(value);
                    assert_eq!(c.set_cookie_header_from(v, 0, age).unwrap(), expected);
                }
                // The value after room for `name=` (or any other offset):
                // the same line, in place with the exact spare capacity.
                let prefix = c.set_cookie_prefix();
                for at in [0, 1, prefix - 1, prefix, prefix + 1] {
                    let rest = c.set_cookie_room(age) - prefix;
                    for spare in [0, rest, rest + 1, c.set_cookie_room(age)] {
                        let mut v = Vec::with_capacity(at + value.len() + spare);
                        v.resize(at, b'?');
                        v.extend_from_slice(value);
                        let line = c.set_cookie_header_from(v, at, age).unwrap();
                        assert_eq!(line, expected, "at {at}, spare {spare}");
                    }
                }
            }
            let mut bad = Vec::with_capacity(4 + c.set_cookie_room(age));
            bad.extend_from_slice(b"to\nk");
            assert!(c.set_cookie_header_from(bad, 0, age).is_none());
            let prefix = c.set_cookie_prefix();
            let mut bad = vec![0; prefix];
            bad.reserve_exact(4 + c.set_cookie_room(age) - prefix);
            bad.extend_from_slice(b"to\nk");
            assert!(c.set_cookie_header_from(bad, prefix, age).is_none());
            // An offset past the end is refused, not a panic.
            let short = Vec::with_capacity(c.set_cookie_room(age));
            assert!(c.set_cookie_header_from(short, prefix, age).is_none());
        }
    }

    /// In place, the buffer becomes the line: no second allocation.
    #[test]
    fn value_after_its_prefix_becomes_the_line_in_place() {
        let c = CookieConfig::default();
        let age = Some(Duration::from_secs(60));
        let prefix = c.set_cookie_prefix();
        assert_eq!(prefix, "id=".len());
        let mut v = Vec::with_capacity(c.set_cookie_room(age) + 3);
        v.resize(prefix, 0);
        v.extend_from_slice(b"tok");
        let at = v.as_ptr();
        let line = c.set_cookie_header_from(v, prefix, age).unwrap();
        assert_eq!(line.as_bytes().as_ptr(), at, "the same buffer");
        assert_eq!(
            line,
            "id=tok; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=60"
        );
    }

    #[test]
    fn names_with_separators_or_ctls_are_refused_b4() {
        let mut c = CookieConfig::default();
        for bad in ["", "a;b", "a=b", "a b", "a\nb", "é", "a,b", "\"id\""] {
            assert!(c.set_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(c.name(), "id");
    }

    #[test]
    fn attributes_with_injection_are_refused_b4_f2() {
        let mut c = CookieConfig::default();
        assert!(c.set_path("/; Domain=evil").is_err());
        assert!(c.set_path("/a b").is_err());
        assert!(c.set_domain(Some("example.com\r\n")).is_err());
        assert!(c.set_path(&"/a".repeat(600)).is_err());
        assert!(c.set_path("/app").is_ok());
    }

    #[test]
    fn host_prefix_refuses_domain_path_and_insecure_d10() {
        let mut c = CookieConfig::default();
        c.set_name("__Host-id").unwrap();
        assert!(c.secure);
        assert!(c.set_domain(Some("example.com")).is_err());
        assert!(c.set_path("/app").is_err());
        assert!(c.set_secure(false).is_err());
        let mut c = CookieConfig::default();
        c.set_path("/app").unwrap();
        assert!(c.set_name("__Host-id").is_err());
    }

    #[test]
    fn same_site_none_forces_secure_k3() {
        let mut c = CookieConfig::default();
        c.set_secure(false).unwrap();
        c.set_same_site(Some(SameSite::None));
        assert!(c.secure);
        assert!(c.set_cookie("v", None).contains("Secure"));
    }

    #[test]
    fn removal_keeps_attributes_k4() {
        let mut c = CookieConfig::default();
        c.set_path("/app").unwrap();
        c.set_domain(Some("example.com")).unwrap();
        c.set_partitioned(true);
        let set = c.set_cookie("v", Some(Duration::from_secs(60)));
        let del = c.removal_cookie();
        for attr in [
            "Path=/app",
            "Domain=example.com",
            "Secure",
            "HttpOnly",
            "SameSite=Lax",
            "Partitioned",
        ] {
            assert!(set.contains(attr), "{set}");
            assert!(del.contains(attr), "{del}");
        }
        assert!(del.contains("Max-Age=0"));
    }

    #[test]
    fn set_cookie_parses_back_with_the_cookie_crate_b9() {
        let mut configs = vec![CookieConfig::default()];
        let mut c = CookieConfig::default();
        c.set_name("sid").unwrap();
        c.set_path("/app").unwrap();
        c.set_domain(Some("example.com")).unwrap();
        c.set_same_site(Some(SameSite::None));
        c.set_partitioned(true);
        c.set_http_only(false);
        configs.push(c);
        let mut c = CookieConfig::default();
        c.set_secure(false).unwrap();
        c.set_same_site(Some(SameSite::Strict));
        configs.push(c);
        for c in configs {
            for age in [
                None,
                Some(Duration::from_secs(0)),
                Some(Duration::from_secs(1_209_600)),
            ] {
                let line = c.set_cookie("v.A-_1", age);
                let parsed = Cookie::parse(line.clone()).unwrap();
                assert_eq!(
                    (parsed.name(), parsed.value()),
                    (c.name(), "v.A-_1"),
                    "{line}"
                );
                assert_eq!(parsed.path(), Some(c.path.as_str()), "{line}");
                assert_eq!(parsed.domain(), c.domain.as_deref(), "{line}");
                assert_eq!(parsed.secure(), Some(c.secure).filter(|s| *s), "{line}");
                assert_eq!(
                    parsed.http_only(),
                    Some(c.http_only).filter(|s| *s),
                    "{line}"
                );
                assert_eq!(parsed.same_site(), c.same_site, "{line}");
                assert_eq!(
                    parsed.partitioned(),
                    Some(c.partitioned).filter(|s| *s),
                    "{line}"
                );
                let secs = parsed.max_age().map(|d| d.whole_seconds());
                assert_eq!(secs, age.map(|a| a.as_secs() as i64), "{line}");
            }
        }
    }
}
