//! Unit tests of the binary record's formats as the state reads and
//! writes them: format 2 (written) and format 1 (still read).

use super::tests::{BIG, SECRET_FIELD, big_value, busy_json, config, raw};
use super::*;

/// Records written in format 1, before format 2, still load: the same
/// record and the same state as format 2's bytes, deflated fields and
/// deadlines included. Format 2 is shorter (about 5 bytes a record and one
/// a field) and is what a save writes.
#[test]
fn format_1_records_still_load_as_format_2_does() {
    let config = config();
    let mut record = Record::from_json(&busy_json(&config)).unwrap();
    let big = RawJson::encode(&big_value()).unwrap();
    record.fields.insert("big".into(), big);
    let old = crate::wire::tests::format_1(&record, &["big"]);
    let new = record.to_bytes();
    assert_eq!((old[0], new[0]), (0xB1, 0xB2));
    let plain_old = crate::wire::tests::format_1(&record, &[]);
    assert!(
        new.len() + 4 + record.fields.len() <= plain_old.len(),
        "{} vs {}",
        new.len(),
        plain_old.len()
    );
    // The same record either way (a deadline of no field is not kept by
    // the binary form, of either format).
    let (a, b) = (
        Record::from_bytes(old.clone()),
        Record::from_bytes(new.clone()),
    );
    let (a, b) = (a.unwrap().to_json(), b.unwrap().to_json());
    assert!(a == b, "formats 1 and 2 read as different records");
    let mut expected = record.clone();
    expected.deadlines.remove("no-such-field");
    assert!(a == expected.to_json(), "format 1 did not read back");
    let mut a = State::from_bytes(Arc::clone(&config), None, old).unwrap();
    let mut b = State::from_bytes(Arc::clone(&config), None, new).unwrap();
    assert_eq!(a.keys(), b.keys());
    assert!(!a.keys().contains(&"gone"), "expired field dropped");
    assert_eq!((a.meta, &a.loaded_index), (b.meta, &b.loaded_index));
    assert_eq!(a.binding.as_str(), b.binding.as_str());
    assert_eq!(a.slots["legacy"].deadline, b.slots["legacy"].deadline);
    assert!(a.slots["legacy"].deadline.is_some());
    assert_eq!(*a.get(&SECRET_FIELD, String::new), "card-4242");
    assert_eq!(*a.get(&BIG, Vec::<String>::new), big_value());
    assert_eq!(a.to_json().unwrap(), b.to_json().unwrap());
    assert_eq!(a.to_bytes().unwrap()[0], 0xB2);
}

/// Format 2 writes `modified` and `expires_at` as differences: instants
/// at the ends of the range (their difference overflows) come back exact.
#[test]
fn extreme_instants_survive_format_2() {
    for (created, modified, expires_at) in [
        (i64::MIN, i64::MAX, i64::MIN),
        (i64::MAX, i64::MIN, i64::MAX),
        (0, -1, 1),
    ] {
        let ts = Timestamp::from_unix_millis;
        let mut record = Record::new(
            Meta {
                created: ts(created),
                modified: ts(modified),
                expiry: Expiry::Default,
            },
            ts(expires_at),
        );
        record.fields.insert("k".into(), raw("1").into());
        let back = Record::from_bytes(record.to_bytes()).unwrap();
        assert_eq!(back.meta, record.meta);
        assert_eq!(back.expires_at, record.expires_at);
    }
}

/// A field's head holds its key's length and its flags: keys long enough
/// for a two-byte head keep their deadline and deflated flags.
#[test]
fn long_keys_keep_their_flags_in_format_2() {
    let config = config();
    static LONG: FieldSpec = FieldSpec {
        max_age: Some(std::time::Duration::from_secs(60)),
        ..FieldSpec::new("a_key_long_enough_for_a_two_byte_head", "long")
    };
    let mut s = State::new(Arc::clone(&config));
    s.set(&LONG, big_value());
    let bytes = s.to_bytes_deflating(Some(64)).unwrap();
    let record = Record::from_bytes(bytes.clone()).unwrap();
    assert!(record.deadlines.contains_key(LONG.key));
    let mut back = State::from_bytes(Arc::clone(&config), None, bytes).unwrap();
    assert!(matches!(
        back.slots[LONG.key].raw,
        Some(Stored::InBuf(_, true))
    ));
    assert!(back.slots[LONG.key].deadline.is_some());
    assert_eq!(*back.get(&LONG, Vec::<String>::new), big_value());
}

/// Fields are loaded in place while keys come in order; a record whose
/// keys do not (written by hand, or by another writer) loads the same
/// fields, sorted, the last of a repeated key winning, whichever field
/// breaks the order.
#[test]
fn out_of_order_keys_load_sorted_wherever_the_order_breaks() {
    let config = config();
    let mut w = Vec::new();
    let meta = Meta::new(config.clock().now());
    let fields: [(&str, &str); 5] = [("b", "1"), ("d", "2"), ("a", "3"), ("d", "4"), ("c", "5")];
    for start in 0..fields.len() {
        let mut order = fields.to_vec();
        order.rotate_left(start);
        w.clear();
        let mut writer = crate::wire::Writer(&mut w);
        writer.header(&meta, Timestamp::MAX, b"b", &BTreeMap::new(), order.len());
        for (key, raw) in &order {
            writer.field(key.as_bytes(), None, raw.as_bytes(), false);
        }
        let s = State::from_bytes(Arc::clone(&config), None, w.clone()).unwrap();
        let mut want: BTreeMap<&str, &str> = BTreeMap::new();
        for (key, raw) in &order {
            want.insert(key, raw);
        }
        let got: Vec<(&str, String)> = s
            .slots
            .iter()
            .map(|(k, slot)| {
                (
                    k,
                    String::from_utf8(
                        slot.raw
                            .as_ref()
                            .unwrap()
                            .text(&s.buf)
                            .unwrap()
                            .into_owned(),
                    )
                    .unwrap(),
                )
            })
            .collect();
        let want: Vec<(&str, String)> = want.into_iter().map(|(k, v)| (k, v.to_owned())).collect();
        assert_eq!(got, want, "rotated by {start}");
    }
}
