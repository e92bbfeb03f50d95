//! Unit tests of the session state.

use super::*;
use crate::clock::FakeClock;
use crate::key::Key;

static PLAIN: FieldSpec = FieldSpec::new("plain", "plain");
static OTHER: FieldSpec = FieldSpec::new("other", "other");
pub(super) static SECRET_FIELD: FieldSpec = FieldSpec {
    private: true,
    ..FieldSpec::new("secret", "secret")
};

pub(super) fn config() -> Arc<Config> {
    let now = Timestamp::from_unix_seconds(1_800_000_000);
    Arc::new(
        Config::new()
            .with_clock(Arc::new(FakeClock::new(now)))
            .with_keys(Key::from_secret(b"state-tests-secret-0123456789-abcdefghijkl").unwrap()),
    )
}

pub(super) fn raw(json: &str) -> Box<RawValue> {
    RawValue::from_string(json.to_owned()).unwrap()
}

fn loaded(config: &Arc<Config>) -> State {
    let now = config.clock().now();
    let mut record = Record::new(Meta::new(now), now);
    record.fields.insert("plain".into(), raw("1").into());
    record.fields.insert("other".into(), raw("\"x\"").into());
    // Unknown to any schema, with odd spacing: must come back byte for byte.
    record
        .fields
        .insert("legacy".into(), raw("{ \"a\" : [1, 2] }").into());
    let later = now.saturating_add(std::time::Duration::from_secs(60));
    record.deadlines.insert("legacy".into(), later);
    State::from_record(Arc::clone(config), None, record)
}

#[test]
fn to_record_splices_untouched_raw_and_encodes_dirty() {
    let config = config();
    let mut state = loaded(&config);
    assert_eq!(*state.get(&OTHER, String::new), "x");
    state.set(&PLAIN, 42u32);
    let record = state.to_record().unwrap();
    let fields: Vec<(&str, &str)> = record
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.get()))
        .collect();
    assert_eq!(
        fields,
        [
            ("legacy", "{ \"a\" : [1, 2] }"),
            ("other", "\"x\""),
            ("plain", "42")
        ]
    );
    assert_eq!(record.deadlines.keys().collect::<Vec<_>>(), ["legacy"]);
    // Round trip through JSON gives the same fields back.
    let again = Record::from_json(&record.to_json()).unwrap();
    assert_eq!(again.fields["legacy"].get(), "{ \"a\" : [1, 2] }");
}

#[test]
fn changes_hold_only_written_fields_h3() {
    let config = config();
    let mut state = loaded(&config);
    assert_eq!(*state.get(&PLAIN, || 0u32), 1); // read only: not written
    state.set(&OTHER, "y".to_owned());
    state.set_raw("tool", raw("[true]"));
    let changes = state.changes().unwrap();
    let set: Vec<(&str, &str)> = changes
        .set
        .iter()
        .map(|(k, v, _)| (k.as_ref(), v.get()))
        .collect();
    assert_eq!(set, [("other", "\"y\""), ("tool", "[true]")]);
    assert!(changes.removed.is_empty());
}

/// Plain values encoded together into one buffer, a sealed one on its
/// own: `Changes` lists them in key order, and applied to the stored
/// record they read back as written (H3).
#[test]
fn changes_of_several_fields_apply_back_in_key_order_h3() {
    let config = config();
    let now = config.clock().now();
    let mut stored = Record::new(Meta::new(now), now);
    stored.fields.insert("plain".into(), raw("1").into());
    stored.fields.insert("other".into(), raw("\"x\"").into());
    let mut state = State::from_record(Arc::clone(&config), None, stored.clone());
    state.set(&PLAIN, 123_456u32);
    state.set(&SECRET_FIELD, "card-4242".to_owned());
    let slot = state.slot_mut(&OTHER, String::new, Held::new);
    *slot.typed_mut::<String>() = "y".repeat(300);
    slot.dirty = true;
    let changes = state.changes().unwrap();
    let keys: Vec<&str> = changes.set.iter().map(|(k, _, _)| k.as_ref()).collect();
    assert_eq!(keys, ["other", "plain", "secret"]);
    assert!(!changes.set[2].1.get().contains("card-4242"));
    changes.apply(&mut stored);
    let mut back = State::from_record(config, None, stored);
    assert_eq!(*back.get(&PLAIN, || 0u32), 123_456);
    assert_eq!(*back.get(&OTHER, String::new), "y".repeat(300));
    assert_eq!(*back.get(&SECRET_FIELD, String::new), "card-4242");
}

/// A state saved twice through `Changes` (the second time its fields
/// point into the first save's buffer), then written whole: every value
/// reads back as last written, in both the changes and the record (H3).
#[test]
fn changes_twice_then_the_whole_record_keep_every_value_h3() {
    let config = config();
    let now = config.clock().now();
    let mut stored = Record::new(Meta::new(now), now);
    stored.fields.insert("plain".into(), raw("1").into());
    let mut state = State::from_record(Arc::clone(&config), None, stored.clone());
    state.set(&PLAIN, 2u32);
    state.set(&OTHER, "a".to_owned());
    let first = state.changes().unwrap();
    let keys: Vec<&str> = first.set.iter().map(|(k, _, _)| k.as_ref()).collect();
    assert_eq!(keys, ["other", "plain"]);
    first.apply(&mut stored);
    state.mark_saved(None);
    state.set(&OTHER, "bb".to_owned());
    let second = state.changes().unwrap();
    assert_eq!(second.set.len(), 1);
    assert_eq!(second.set[0].1.get(), "\"bb\"");
    second.apply(&mut stored);
    for mut back in [
        State::from_record(Arc::clone(&config), None, stored),
        State::from_bytes(Arc::clone(&config), None, state.to_bytes().unwrap()).unwrap(),
    ] {
        assert_eq!(*back.get(&PLAIN, || 0u32), 2);
        assert_eq!(*back.get(&OTHER, String::new), "bb");
    }
}

#[test]
fn private_field_is_sealed_in_the_record_and_reads_back() {
    let config = config();
    let mut state = State::new(Arc::clone(&config));
    state.set(&SECRET_FIELD, "card-4242".to_owned());
    let record = state.to_record().unwrap();
    let stored = record.fields["secret"].get();
    assert!(stored.starts_with('"') && !stored.contains("card-4242"));
    let mut back = State::from_record(config, None, record);
    assert_eq!(*back.get(&SECRET_FIELD, String::new), "card-4242");
}

/// A record with every part set: unknown and escaped keys, a live and
/// an expired deadline, an index, a binding, a private field.
pub(super) fn busy_json(config: &Arc<Config>) -> Vec<u8> {
    let now = config.clock().now();
    let mut state = loaded(config);
    state.set(&SECRET_FIELD, "card-4242".to_owned());
    state.set_raw("we\"ird\u{e9}", raw(r#"[1,{"b":null}]"#));
    let mut record = state.to_record().unwrap();
    record.fields.insert("gone".into(), raw("3").into());
    let past = now.saturating_sub(std::time::Duration::from_secs(1));
    record.deadlines.insert("gone".into(), past);
    record.deadlines.insert("no-such-field".into(), now);
    record.index.insert("user".into(), "alice".into());
    record.to_json()
}

#[test]
fn to_json_writes_the_same_bytes_as_to_record() {
    let config = config();
    let json = busy_json(&config);
    let mut a = State::from_json(Arc::clone(&config), None, &json).unwrap();
    let mut b = State::from_record(Arc::clone(&config), None, Record::from_json(&json).unwrap());
    assert_eq!(a.to_json().unwrap(), b.to_record().unwrap().to_json());
    // After a write, still the same.
    a.set(&PLAIN, 9u8);
    b.set(&PLAIN, 9u8);
    assert_eq!(a.to_json().unwrap(), b.to_record().unwrap().to_json());
    // A new session (no deadlines, no index) too.
    let mut fresh = State::new(Arc::clone(&config));
    fresh.set(&OTHER, "z".to_owned());
    let text = String::from_utf8(fresh.to_json().unwrap()).unwrap();
    assert_eq!(text.as_bytes(), fresh.to_record().unwrap().to_json());
    assert!(
        !text.contains(r#""d":"#) && !text.contains(r#""i":"#),
        "{text}"
    );
}

#[test]
fn from_json_loads_what_from_record_loads() {
    let config = config();
    let json = busy_json(&config);
    let mut a = State::from_json(Arc::clone(&config), None, &json).unwrap();
    let b = State::from_record(Arc::clone(&config), None, Record::from_json(&json).unwrap());
    assert_eq!(a.keys(), b.keys());
    assert!(!a.keys().contains(&"gone"), "expired field dropped");
    assert!(a.keys().contains(&"we\"ird\u{e9}"), "escaped key kept");
    assert_eq!(a.binding.as_str(), b.binding.as_str());
    assert_eq!(a.loaded_index, b.loaded_index);
    assert_eq!(a.meta, b.meta);
    assert_eq!(a.slots["legacy"].deadline, b.slots["legacy"].deadline);
    assert!(a.slots["legacy"].deadline.is_some());
    assert_eq!(*a.get(&SECRET_FIELD, String::new), "card-4242");
    assert_eq!(a.get_raw("legacy").unwrap().get(), r#"{ "a" : [1, 2] }"#);
}

#[test]
fn from_json_refuses_what_record_from_json_refuses() {
    let config = config();
    let good = busy_json(&config);
    let cases: &[&[u8]] = &[
        b"",
        b"null",
        b"[]",
        b"{}",
        br#"{"v":1}"#,
        br#"{"v":1,"meta":{"c":0,"m":0},"x":0}"#,
        br#"{"v":1,"meta":{"c":0,"m":0},"x":0,"f":{"a":}}"#,
        br#"{"v":1,"meta":{"c":0,"m":0},"x":0,"f":{"a":1,"a":2}}"#,
        br#"{"v":1,"meta":{"c":0,"m":0},"x":0,"f":[]}"#,
        br#"{"v":1,"meta":{"c":0,"m":0},"x":0,"f":{"a":1},"d":{"a":"x"}}"#,
        br#"{"v":"1","meta":{"c":0,"m":0},"x":0}"#,
        br#"{"v":1,"meta":{"c":0,"m":0},"x":0,"zz":true}"#,
        br#"{"v":1,"meta":{"c":0,"m":0},"x":0,"f":{"\ud800":1}}"#,
        &good[..good.len() - 1],
        &good,
    ];
    for bytes in cases {
        let ours = State::from_json(Arc::clone(&config), None, bytes).is_ok();
        assert_eq!(ours, Record::from_json(bytes).is_ok(), "{bytes:?}");
    }
}

#[test]
fn reading_a_field_under_another_type_re_decodes_it() {
    let config = config();
    let mut state = State::new(config);
    state.set(&PLAIN, 7u8);
    // Same key read as u64: the cached u8 is re-encoded, then decoded.
    assert_eq!(*state.get(&PLAIN, || 0u64), 7);
    assert_eq!(state.get_raw("plain").unwrap().get(), "7");
}

/// The binary form of `busy_json`'s record.
fn busy_bytes(config: &Arc<Config>) -> Vec<u8> {
    Record::from_json(&busy_json(config)).unwrap().to_bytes()
}

#[test]
fn to_bytes_writes_the_same_bytes_as_to_record() {
    let config = config();
    let bytes = busy_bytes(&config);
    let mut a = State::from_bytes(Arc::clone(&config), None, bytes.clone()).unwrap();
    let mut b = State::from_record(
        Arc::clone(&config),
        None,
        Record::from_bytes(bytes).unwrap(),
    );
    assert_eq!(a.to_bytes().unwrap(), b.to_record().unwrap().to_bytes());
    a.set(&PLAIN, 9u8);
    b.set(&PLAIN, 9u8);
    assert_eq!(a.to_bytes().unwrap(), b.to_record().unwrap().to_bytes());
    // Binary and JSON carry the same record.
    let via_json = Record::from_json(&a.to_json().unwrap()).unwrap();
    let via_bytes = Record::from_bytes(a.to_bytes().unwrap()).unwrap();
    assert_eq!(via_json.to_bytes(), via_bytes.to_bytes());
    assert_eq!(via_json.to_json(), via_bytes.to_json());
}

#[test]
fn from_bytes_loads_what_from_json_loads() {
    let config = config();
    let json = busy_json(&config);
    let mut a = State::from_bytes(Arc::clone(&config), None, busy_bytes(&config)).unwrap();
    let b = State::from_json(Arc::clone(&config), None, &json).unwrap();
    // JSON is still read by `from_bytes` (told apart by the first byte).
    let c = State::from_bytes(Arc::clone(&config), None, json).unwrap();
    assert_eq!(a.keys(), b.keys());
    assert_eq!(a.keys(), c.keys());
    assert!(!a.keys().contains(&"gone"), "expired field dropped");
    assert_eq!(a.binding.as_str(), b.binding.as_str());
    assert_eq!(a.loaded_index, b.loaded_index);
    assert_eq!(a.meta, b.meta);
    assert_eq!(a.slots["legacy"].deadline, b.slots["legacy"].deadline);
    assert_eq!(*a.get(&SECRET_FIELD, String::new), "card-4242");
    assert_eq!(a.get_raw("legacy").unwrap().get(), r#"{ "a" : [1, 2] }"#);
}

#[test]
fn every_expiry_kind_survives_the_binary_form() {
    let config = config();
    let now = config.clock().now();
    for expiry in [
        Expiry::Default,
        Expiry::Idle(std::time::Duration::new(90, 5)),
        Expiry::At(now.saturating_add(std::time::Duration::from_secs(60))),
        Expiry::BrowserSession,
    ] {
        let mut s = State::new(Arc::clone(&config));
        s.set(&PLAIN, 1u8);
        s.set_expiry(expiry);
        let back = State::from_bytes(Arc::clone(&config), None, s.to_bytes().unwrap()).unwrap();
        assert_eq!(back.expiry(), expiry);
        assert_eq!(back.meta, s.meta);
    }
}

/// B8, A6: every truncation of a binary record, every single-byte change
/// and assorted garbage is refused or loads as some record: never a panic,
/// and a truncated record is always refused.
#[test]
fn malformed_binary_records_are_refused_without_panic_b8() {
    let config = config();
    let record = Record::from_json(&busy_json(&config)).unwrap();
    let format_1 = crate::wire::tests::format_1(&record, &[]);
    for good in [busy_bytes(&config), format_1] {
        malformed_forms_are_refused(&config, good);
    }
    // Counts and lengths far beyond the input, an over-long varint.
    for bad in [
        vec![0xB1],
        vec![
            0xB1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
        ],
        vec![0xB1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f],
        vec![0xB1, 0, 0, 9],
        vec![0xB2],
        vec![
            0xB2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
        ],
        vec![0xB2, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f],
        vec![0xB2, 0, 0, 0, 0, 0, 0, 1, 0x7f, 0],
        vec![0xB2, 0, 0, 9],
        vec![0xB3],
    ] {
        let err = Record::from_bytes(bad.clone()).unwrap_err();
        assert!(!err.to_string().is_empty());
        assert!(State::from_bytes(Arc::clone(&config), None, bad).is_err());
    }
}

/// Every truncation of `good` is refused, every single-byte change is
/// refused or loads; whatever loads reads and writes back.
fn malformed_forms_are_refused(config: &Arc<Config>, good: Vec<u8>) {
    for end in 0..good.len() {
        let cut = good[..end].to_vec();
        assert!(State::from_bytes(Arc::clone(config), None, cut.clone()).is_err());
        assert!(Record::from_bytes(cut).is_err(), "truncated at {end}");
    }
    for at in 0..good.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bad = good.clone();
            bad[at] ^= flip;
            // The state defers the UTF-8 check of field bytes to first
            // use; otherwise both accept the same.
            let state = State::from_bytes(Arc::clone(config), None, bad.clone());
            if Record::from_bytes(bad).is_ok() {
                assert!(state.is_ok(), "byte {at} ^ {flip:#x}");
            }
            if let Ok(mut state) = state {
                // Whatever loaded reads and writes back without panicking.
                let _ = state.get(&SECRET_FIELD, String::new);
                let _ = state.get_raw("legacy");
                let _ = state.to_record();
                let _ = state.to_bytes();
            }
        }
    }
    let mut trailing = good;
    trailing.push(0);
    assert!(Record::from_bytes(trailing).is_err());
}

pub(super) static BIG: FieldSpec = FieldSpec::new("big", "big");

pub(super) fn big_value() -> Vec<String> {
    (0..60).map(|i| format!("/catalogue/item-{i}")).collect()
}

#[test]
fn large_fields_are_deflated_once_and_kept_deflated() {
    let config = config();
    let mut s = State::new(Arc::clone(&config));
    s.set(&BIG, big_value());
    s.set(&PLAIN, 1u8);
    let plain = s.to_bytes().unwrap();
    let packed = s.to_bytes_deflating(Some(256)).unwrap();
    assert!(
        packed.len() < plain.len() / 2,
        "{} vs {}",
        packed.len(),
        plain.len()
    );
    // Read back: the big field is still deflated until read.
    let mut back = State::from_bytes(Arc::clone(&config), None, packed.clone()).unwrap();
    assert!(matches!(
        back.slots["big"].raw,
        Some(Stored::InBuf(_, true))
    ));
    back.set(&PLAIN, 2u8);
    let again = back.to_bytes_deflating(Some(256)).unwrap();
    let mut third = State::from_bytes(Arc::clone(&config), None, again).unwrap();
    assert_eq!(*third.get(&BIG, Vec::<String>::new), big_value());
    assert_eq!(*third.get(&PLAIN, || 0u8), 2);
    // The JSON forms inflate it.
    let record = Record::from_bytes(packed).unwrap();
    assert!(
        record.fields["big"]
            .get()
            .starts_with("[\"/catalogue/item-0\"")
    );
    let json = third.to_json().unwrap();
    assert!(String::from_utf8(json).unwrap().contains("item-59"));
    // Small fields and fields that do not shrink stay plain.
    let mut small = State::new(Arc::clone(&config));
    small.set(&PLAIN, 7u8);
    assert_eq!(
        small.to_bytes_deflating(Some(1)).unwrap(),
        small.to_bytes().unwrap()
    );
}

/// J4, B8: a deflated field that is garbage or a bomb is reset alone (the
/// rest of the session loads); `Record::from_bytes` refuses it.
#[test]
fn bad_deflated_field_is_reset_alone_j4() {
    let config = config();
    let bomb = {
        let zeros = vec![b' '; 60_000];
        let mut v = b"[".to_vec();
        v.extend_from_slice(&zeros);
        v.extend_from_slice(b"1]");
        crate::envelope::deflate(&v).unwrap()
    };
    for packed in [vec![0xde, 0xad, 0xbe, 0xef], bomb] {
        let bytes = binary_record(&config, &[(b"big", &packed, true), (b"plain", b"5", false)]);
        let mut s = State::from_bytes(Arc::clone(&config), None, bytes.clone()).unwrap();
        assert_eq!(*s.get(&BIG, Vec::<String>::new), Vec::<String>::new());
        assert_eq!(*s.get(&PLAIN, || 0u8), 5);
        assert!(Record::from_bytes(bytes).is_err());
    }
}

/// B8: field bytes that are not UTF-8 in a binary record: the state loads,
/// the field reads as its default, the other fields are kept.
#[test]
fn non_utf8_field_bytes_reset_that_field_alone_b8() {
    let config = config();
    let bytes = binary_record(
        &config,
        &[(b"other", b"\"\xff\xfe\"", false), (b"plain", b"5", false)],
    );
    let record = Record::from_bytes(bytes.clone()).unwrap();
    assert_eq!(record.fields["other"].get(), "null");
    assert!(record.fields["other"].to_raw_value().is_err());
    let mut s = State::from_bytes(Arc::clone(&config), None, bytes).unwrap();
    assert!(s.get_raw("other").is_none());
    assert_eq!(*s.get(&OTHER, String::new), "");
    assert_eq!(*s.get(&PLAIN, || 0u8), 5);
    let record = s.to_record().unwrap();
    assert_eq!(record.fields["plain"].get(), "5");
}

#[test]
fn with_raw_peeks_without_marking_accessed() {
    let config = config();
    let bytes = busy_bytes(&config);
    let mut s = State::from_bytes(Arc::clone(&config), None, bytes).unwrap();
    assert_eq!(s.with_raw("plain", <[u8]>::to_vec), Some(b"1".to_vec()));
    assert_eq!(s.with_raw("nope", <[u8]>::to_vec), None);
    assert!(!s.is_accessed());
    s.set(&PLAIN, 42u8);
    assert_eq!(s.with_raw("plain", <[u8]>::to_vec), Some(b"42".to_vec()));
}

/// Values encoded straight into the output across the length prefix's
/// size steps (1, 2 and 3 bytes) read back exactly, and match what the
/// record writer produces.
#[test]
fn direct_encoding_handles_every_length_prefix_size() {
    let config = config();
    for n in (120..136).chain(16_370..16_390) {
        let text = "x".repeat(n);
        let mut s = State::new(Arc::clone(&config));
        s.set(&OTHER, text.clone());
        s.set(&PLAIN, 3u8);
        let bytes = s.to_bytes().unwrap();
        assert_eq!(bytes, s.to_record().unwrap().to_bytes(), "n = {n}");
        let mut back = State::from_bytes(Arc::clone(&config), None, bytes).unwrap();
        assert_eq!(*back.get(&OTHER, String::new), text);
        assert_eq!(*back.get(&PLAIN, || 0u8), 3);
        // Written again after the slot kept the output's bytes.
        s.set(&PLAIN, 4u8);
        let again = State::from_bytes(Arc::clone(&config), None, s.to_bytes().unwrap());
        assert_eq!(*again.unwrap().get(&OTHER, String::new), text);
    }
}

/// An edited value is written where the bytes it replaces predicted; when
/// the new value's length prefix is shorter or longer than that
/// prediction, the bytes are moved and the record still reads back (B8:
/// the prefix stays minimal, which the reader insists on).
#[test]
fn direct_encoding_survives_a_wrong_size_hint() {
    let config = config();
    let sizes = [3, 126, 127, 128, 200, 16_380, 16_390, 40_000];
    for &before in &sizes {
        for &after in &sizes {
            let mut s = State::new(Arc::clone(&config));
            s.set(&OTHER, "a".repeat(before));
            s.set(&PLAIN, 1u8);
            let loaded = s.to_bytes().unwrap();
            let mut s = State::from_bytes(Arc::clone(&config), None, loaded).unwrap();
            s.set(&OTHER, "b".repeat(after));
            let bytes = s.to_bytes().unwrap();
            assert_eq!(
                bytes,
                s.to_record().unwrap().to_bytes(),
                "{before} -> {after}"
            );
            let mut back = State::from_bytes(Arc::clone(&config), None, bytes).unwrap();
            assert_eq!(*back.get(&OTHER, String::new), "b".repeat(after));
            assert_eq!(*back.get(&PLAIN, || 0u8), 1);
        }
    }
}

/// A binary record that repeats a key: the last one wins, as in JSON.
#[test]
fn repeated_key_in_a_binary_record_keeps_the_last() {
    let config = config();
    let bytes = binary_record(&config, &[(b"plain", b"1", false), (b"plain", b"2", false)]);
    assert_eq!(
        Record::from_bytes(bytes.clone()).unwrap().fields["plain"].get(),
        "2"
    );
    let mut s = State::from_bytes(Arc::clone(&config), None, bytes).unwrap();
    assert_eq!(*s.get(&PLAIN, || 0u8), 2);
}

/// Keys and the binding are checked to be UTF-8 (ASCII on the fast path):
/// a non-ASCII key loads under its own name, bytes that are not UTF-8 are
/// refused as a malformed record (B8).
#[test]
fn record_keys_must_be_utf8_and_may_be_non_ascii_b8() {
    let config = config();
    let bytes = binary_record(&config, &[("clé".as_bytes(), b"1", false)]);
    let mut s = State::from_bytes(Arc::clone(&config), None, bytes.clone()).unwrap();
    assert_eq!(s.keys(), ["clé"]);
    assert_eq!(s.get_raw("clé").unwrap().get(), "1");
    assert!(
        Record::from_bytes(bytes)
            .unwrap()
            .fields
            .contains_key("clé")
    );
    for bad in [&b"cl\xc3"[..], b"\xff", b"a\x80b"] {
        let bytes = binary_record(&config, &[(bad, b"1", false)]);
        let err = State::from_bytes(Arc::clone(&config), None, bytes.clone()).unwrap_err();
        assert!(err.to_string().contains("field key"), "{err}");
        assert!(Record::from_bytes(bytes).is_err());
    }
}

/// A value that does not serialize (a map with non-string keys): the save
/// fails with an error naming the field, nothing panics, and the state
/// stays whole. Its other fields are saved once the bad one is fixed.
#[test]
fn a_value_that_does_not_encode_fails_the_save_and_keeps_the_rest() {
    static MAP: FieldSpec = FieldSpec::new("map", "map");
    let config = config();
    let mut s = State::new(Arc::clone(&config));
    s.set(&PLAIN, 7u32);
    s.set(&OTHER, "kept".to_owned());
    s.set(&MAP, BTreeMap::from([((1u8, 2u8), 3u8)]));
    for _ in 0..2 {
        let err = s.to_bytes().unwrap_err();
        assert!(err.to_string().contains("map"), "{err}");
        assert!(s.changes().unwrap_err().to_string().contains("map"));
        assert_eq!(*s.get(&PLAIN, || 0u32), 7);
        assert_eq!(*s.get(&OTHER, String::new), "kept");
    }
    s.reset(&MAP);
    let mut back = State::from_bytes(Arc::clone(&config), None, s.to_bytes().unwrap()).unwrap();
    assert_eq!(*back.get(&PLAIN, || 0u32), 7);
    assert_eq!(*back.get(&OTHER, String::new), "kept");
    assert!(back.get_raw("map").is_none());
}

/// A binary record written by hand: `(key, bytes, deflated)` per field.
fn binary_record(config: &Config, fields: &[(&[u8], &[u8], bool)]) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut w = crate::wire::Writer(&mut bytes);
    let meta = Meta::new(config.clock().now());
    w.header(&meta, Timestamp::MAX, b"b", &BTreeMap::new(), fields.len());
    for (key, raw, deflated) in fields {
        w.field(key, None, raw, *deflated);
    }
    bytes
}

/// A reader that kept its value (`Ref::into_arc`), or only a `Weak` of
/// it, never blocks a write: the writer gets its own copy, the reader's
/// snapshot is unchanged, and the write is what gets saved.
#[test]
fn write_after_a_reader_kept_the_value_or_a_weak_of_it() {
    let handle = crate::session::Handle::new(State::new(config()));
    handle.set(&OTHER, "a".to_owned());
    let kept = crate::session::Ref::into_arc(handle.get(&OTHER, String::new));
    handle.get_mut(&OTHER, String::new).push('b');
    assert_eq!(*kept, "a");
    let weak = Arc::downgrade(&crate::session::Ref::into_arc(
        handle.get(&OTHER, String::new),
    ));
    handle.get_mut(&OTHER, String::new).push('c');
    assert!(weak.upgrade().is_none(), "the old value was replaced");
    assert_eq!(*handle.get(&OTHER, String::new), "abc");
    let bytes = handle.lock().to_bytes().unwrap();
    let mut back = State::from_bytes(config(), None, bytes).unwrap();
    assert_eq!(*back.get(&OTHER, String::new), "abc");
}

/// `set` after a read overwrites the value in place when nothing else
/// holds it, and never changes what a live `Ref` sees; a value of another
/// type under the same key is replaced, not reinterpreted.
#[test]
fn set_after_a_read_keeps_snapshots_and_types_apart() {
    let handle = crate::session::Handle::new(State::new(config()));
    handle.set(&OTHER, "a".to_owned());
    let live = handle.get(&OTHER, String::new);
    handle.set(&OTHER, "b".to_owned());
    assert_eq!(*live, "a", "a live Ref is a snapshot");
    drop(live);
    let n = handle.get(&OTHER, String::new).len();
    handle.set(&OTHER, "c".repeat(n + 1));
    assert_eq!(*handle.get(&OTHER, String::new), "cc");
    handle.set(&OTHER, 7u8);
    assert_eq!(*handle.get(&OTHER, || 0u8), 7);
    let bytes = handle.lock().to_bytes().unwrap();
    let mut back = State::from_bytes(config(), None, bytes).unwrap();
    assert_eq!(*back.get(&OTHER, || 0u8), 7);
}

/// A value held in place in its slot (a listed type) and read as another
/// type (two schemas sharing a key) is encoded again and decoded as that
/// type: a number as another width, or reset to the default when it does
/// not fit; a getter's `Ref` of it stays what it was.
#[test]
fn a_value_held_in_place_is_read_back_as_another_type() {
    let handle = crate::session::Handle::new(State::new(config()));
    handle.set(&OTHER, 7u64);
    let kept = handle.get(&OTHER, || 0u64);
    assert_eq!(*handle.get(&OTHER, || 0u32), 7);
    assert_eq!(*handle.get(&OTHER, || Some(0i64)), Some(7));
    assert_eq!(*handle.get(&OTHER, || String::from("none")), "none");
    assert_eq!(*kept, 7);
}

/// A record's fields fill the state's slots in place, in key order: keys
/// short and long (past the inline size), an expired field in between
/// dropped, every value under its own key.
#[test]
fn from_record_fills_slots_in_order_short_and_long_keys() {
    let config = config();
    let now = config.clock().now();
    let mut record = Record::new(Meta::new(now), now);
    let long = "a_key_longer_than_any_inline_key";
    for (key, json) in [("b", "1"), (long, "2"), ("c", "3"), ("z", "4")] {
        record.fields.insert(key.into(), raw(json).into());
    }
    let past = now.saturating_sub(std::time::Duration::from_secs(1));
    record.deadlines.insert("c".into(), past);
    for s in [
        State::from_record_ref(Arc::clone(&config), None, &record),
        State::from_record(Arc::clone(&config), None, record.clone()),
    ] {
        let got: Vec<(&str, String)> = s
            .slots
            .iter()
            .map(|(k, slot)| {
                (
                    k,
                    slot.raw
                        .as_ref()
                        .unwrap()
                        .json(&s.buf)
                        .unwrap()
                        .get()
                        .to_owned(),
                )
            })
            .collect();
        let want = [(long, "2"), ("b", "1"), ("z", "4")].map(|(k, v)| (k, v.to_owned()));
        assert_eq!(got, want);
    }
}
