//! Tests of slots and slot keys.

use super::*;

/// The byte-wise order agrees with slice order.
#[test]
fn less_agrees_with_slice_order() {
    let keys: Vec<&[u8]> = vec![
        b"",
        b"a",
        b"ab",
        b"abc",
        b"abd",
        b"b",
        b"p.x",
        b"p.xy",
        b"\xff",
        b"abcd",
        b"abce",
        b"abcde",
        b"abcd\xff",
        b"abcdefgh",
        b"abcdefgi",
        b"abcdefghi",
        b"abcdefgh\x00",
        b"abcdefgz",
        b"user_id",
        b"username",
        b"p.counter",
        b"p.cart",
    ];
    for a in &keys {
        for b in &keys {
            assert_eq!(less(a, b), a < b, "{a:?} {b:?}");
        }
    }
}

/// A schema key is found whatever its hint says: a hint left by a
/// state of another layout is checked and refreshed, a missing key is
/// inserted in order, and a loaded key takes the schema's `'static`
/// text.
#[test]
fn schema_entry_checks_its_hint() {
    static KEY: &str = "b";
    let slots = |keys: &[&str]| {
        let mut s = Slots::default();
        for k in keys {
            s.insert(SlotKey::copied(k), Slot::default());
        }
        s
    };
    let mut one = slots(&["b"]);
    // Leaves the hint at 0 (other tests may overwrite it: the
    // asserts below hold whatever it says).
    one.schema_entry(KEY).dirty = true;
    let mut two = slots(&["a", "b", "c"]);
    two.schema_entry(KEY).dirty = true;
    assert!(two["b"].dirty && !two["a"].dirty);
    assert!(matches!(two.0[1].0, SlotKey::Static(_)));
    let mut three = slots(&["a", "c"]);
    three.schema_entry(KEY).dirty = true;
    assert_eq!(three.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
    assert!(three["b"].dirty);
    // The same text at another address is the same key.
    let other: &'static str = String::from("b").leak();
    assert!(three.schema_entry(other).dirty);
}

/// The in-line key copy gives the same key as a plain copy for every
/// length it takes, over stale bytes from a longer key.
#[test]
fn copy_short_copies_every_inline_length() {
    let long: Vec<u8> = (0..INLINE as u8).map(|i| b'A' + i).collect();
    for n in 0..=INLINE {
        let src: Vec<u8> = (0..n as u8).map(|i| b'a' + i).collect();
        let mut dst = [0u8; INLINE];
        dst.copy_from_slice(&long);
        copy_short(&mut dst, &src);
        assert_eq!(&dst[..n], &src[..], "{n}");
        assert_eq!(&dst[n..], &long[n..], "{n}");
        let text = std::str::from_utf8(&src).unwrap();
        assert_eq!(SlotKey::copied(text).as_bytes(), &src[..], "{n}");
        let mut key = SlotKey::copied("a-longer-key-than-that");
        key.set_copied(text);
        assert_eq!(key.as_bytes(), &src[..], "{n}");
    }
}

/// The word-wise comparison agrees with slice equality for every
/// length around its cases and a difference at every position.
#[test]
fn same_key_agrees_with_slice_equality() {
    for n in 0..=24 {
        let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
        assert!(same_key(&a, &a.clone()), "{n}");
        for at in 0..n {
            let mut b = a.clone();
            b[at] ^= 0x20;
            assert!(!same_key(&a, &b), "{n} {at}");
        }
        let mut longer = a.clone();
        longer.push(b'z');
        assert!(!same_key(&a, &longer) && !same_key(&longer, &a), "{n}");
    }
}

/// A dropped state's slot vector is reused by the next one built on the
/// same thread, empty and prepared; one too large is not kept, nor is one
/// too small used; a thread keeps one.
#[test]
fn recycled_slot_vectors_are_reused_empty() {
    let mut first = Slots::prepared(3);
    first.0[0].0 = SlotKey::copied("a-key-long-enough-for-the-heap");
    first.0[1].1.dirty = true;
    let at = first.0.as_ptr();
    first.recycle();
    assert!(first.0.is_empty());
    let again = Slots::prepared(2);
    assert_eq!(again.0.as_ptr(), at);
    assert_eq!(again.0.len(), 2);
    assert!(
        again
            .0
            .iter()
            .all(|(k, s)| k.as_bytes().is_empty() && !s.dirty)
    );
    let kept = || {
        SPARE.with(|s| {
            let v = s.take();
            let cap = v.capacity();
            s.set(v);
            cap
        })
    };
    assert_eq!(kept(), 0);
    // A vector too large to keep is freed; the one kept stays.
    Slots::prepared(1).recycle();
    let small = kept();
    assert!(small >= 1);
    Slots::prepared(SPARE_CAP + 1).recycle();
    assert_eq!(kept(), small);
    // Too small for a larger state: it stays kept, the state gets its own.
    let large = Slots::prepared(small + 1);
    assert!(large.0.capacity() > small);
    assert_eq!(kept(), small);
}
