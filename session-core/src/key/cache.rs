//! Per-key caches of values derived from an envelope context (a pre-fed
//! MAC state, an AAD, a context cipher), keyed by the context's parts.

use std::sync::OnceLock;

use super::Purpose;

/// How many envelope contexts per key keep their pre-fed MAC state, AAD or
/// cipher (see [`super::Key::signing_mac_for`], [`super::Key::sealed_aad_for`],
/// [`super::Key::context_cipher`]); an application has one or two cookie
/// names.
pub(super) const CACHED_CONTEXTS: usize = 4;

/// The parts that name an envelope context: the subkey purpose, and the
/// context's purpose label, custom flag, name and field. Compared one by
/// one, the fixed ones first (an enum, a flag, a `'static` label that is
/// usually the very same string), so a cache hit costs a few comparisons,
/// not the context's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ContextParts<'a> {
    pub(crate) subkey: Purpose,
    pub(crate) purpose: &'static str,
    pub(crate) custom: bool,
    pub(crate) name: &'a [u8],
    pub(crate) field: &'a [u8],
}

/// [`ContextParts`] kept in a cache.
pub(super) struct CachedParts {
    subkey: Purpose,
    purpose: &'static str,
    custom: bool,
    name: Box<[u8]>,
    field: Box<[u8]>,
}

impl CachedParts {
    pub(super) fn new(parts: &ContextParts<'_>) -> Self {
        CachedParts {
            subkey: parts.subkey,
            purpose: parts.purpose,
            custom: parts.custom,
            name: parts.name.into(),
            field: parts.field.into(),
        }
    }

    /// Whether these are `parts`. Inlined into the lookup (a call cost
    /// as much as the comparisons).
    #[inline]
    pub(super) fn is(&self, parts: &ContextParts<'_>) -> bool {
        self.subkey == parts.subkey
            && self.custom == parts.custom
            && (std::ptr::eq(self.purpose, parts.purpose)
                || same_bytes(self.purpose.as_bytes(), parts.purpose.as_bytes()))
            && same_bytes(&self.name, parts.name)
            && same_bytes(&self.field, parts.field)
    }
}

/// Values derived from a context, for the first few contexts seen: filled
/// once, never evicted.
pub(super) type Cache<T> = [OnceLock<(CachedParts, T)>; CACHED_CONTEXTS];

/// The value cached in `slots` for `parts`, made by `make` in the first
/// free slot; `Err` with a value made for this call alone when every slot
/// holds another context.
///
/// The lookup ([`lookup`]) is inlined into the caller and the filling kept
/// out of line: with both in one function, every hit paid the set-up of
/// the cold path (~40 of its 88 instructions).
#[inline]
pub(super) fn cached<'k, T>(
    slots: &'k Cache<T>,
    parts: &ContextParts<'_>,
    make: impl Fn() -> T,
) -> Result<&'k T, T> {
    match lookup(slots, parts) {
        Some(value) => Ok(value),
        None => fill(slots, parts, make),
    }
}

/// The value cached in `slots` for `parts`, if any: the filled slots,
/// compared in order, up to the first free one. Always inlined: called,
/// it cost as much as the comparisons.
#[inline(always)]
pub(super) fn lookup<'k, T>(slots: &'k Cache<T>, parts: &ContextParts<'_>) -> Option<&'k T> {
    for slot in slots {
        match slot.get() {
            Some((cached, value)) if cached.is(parts) => return Some(value),
            Some(_) => {}
            None => return None,
        }
    }
    None
}

/// [`cached`] once its lookup missed: fills the first free slot (or finds
/// `parts` in a slot another thread has just filled); with every slot
/// another context's, makes a value for this call alone.
#[cold]
#[inline(never)]
fn fill<'k, T>(
    slots: &'k Cache<T>,
    parts: &ContextParts<'_>,
    make: impl Fn() -> T,
) -> Result<&'k T, T> {
    for slot in slots {
        let (cached, value) = slot.get_or_init(|| (CachedParts::new(parts), make()));
        if cached.is(parts) {
            return Ok(value);
        }
    }
    Err(make())
}

/// Whether `a` and `b` are the same bytes: lengths first, then a plain
/// loop (the parts are a few bytes long; a `memcmp` call cost more than
/// the comparison).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Parts with a fixed subkey, purpose and custom flag.
    pub(in crate::key) fn test_parts<'a>(name: &'a [u8], field: &'a [u8]) -> ContextParts<'a> {
        ContextParts {
            subkey: Purpose::CookieSigning,
            purpose: "p",
            custom: false,
            name,
            field,
        }
    }

    /// The lookup finds what `cached` filled, and nothing for parts not
    /// cached (a free slot met, or every slot another context's).
    #[test]
    fn lookup_finds_only_cached_parts() {
        let slots: Cache<u8> = Default::default();
        let names: Vec<[u8; 1]> = (0..CACHED_CONTEXTS as u8 + 1).map(|i| [i]).collect();
        assert_eq!(lookup(&slots, &test_parts(&names[0], b"")), None);
        for (i, n) in names.iter().enumerate() {
            let made = cached(&slots, &test_parts(n, b""), || n[0]);
            assert_eq!(made.is_ok(), i < CACHED_CONTEXTS);
        }
        for (i, n) in names.iter().enumerate() {
            let found = lookup(&slots, &test_parts(n, b"")).copied();
            assert_eq!(found, (i < CACHED_CONTEXTS).then_some(n[0]), "context {i}");
        }
        assert_eq!(lookup(&slots, &test_parts(&names[0], b"x")), None);
    }

    /// Parts are the same only when every one is: a label equal in bytes
    /// but at another address still matches.
    #[test]
    fn cached_parts_compare_every_part() {
        let p = test_parts(b"id", b"");
        let c = CachedParts::new(&p);
        assert!(c.is(&p));
        let owned = String::from("p");
        let elsewhere: &'static str = Box::leak(owned.into_boxed_str());
        assert!(c.is(&ContextParts {
            purpose: elsewhere,
            ..p
        }));
        for other in [
            test_parts(b"ic", b""),
            test_parts(b"id", b"x"),
            test_parts(b"i", b""),
            ContextParts { custom: true, ..p },
            ContextParts {
                subkey: Purpose::IdHashing,
                ..p
            },
            ContextParts { purpose: "pp", ..p },
        ] {
            assert!(!c.is(&other), "{other:?}");
        }
    }
}
