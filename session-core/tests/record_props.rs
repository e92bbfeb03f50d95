//! Properties of the binary record format: after any sequence of field
//! operations, the state's binary form, the record's binary form and the
//! JSON form carry the same fields, with or without per-field deflate, and
//! reading the binary form back gives the same values (B10). Arbitrary
//! bytes never panic the reader (B8). 1024 cases per property.

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use session_core::clock::{FakeClock, Timestamp};
use session_core::config::Config;
use session_core::key::Key;
use session_core::schema::FieldSpec;
use session_core::state::State;
use session_core::store::{RawJson, Record};

static PLAIN: FieldSpec = FieldSpec::new("plain", "p.plain");
static TEXT: FieldSpec = FieldSpec::new("text", "p.text");
static SECRET: FieldSpec = FieldSpec {
    private: true,
    ..FieldSpec::new("secret", "p.secret")
};
static FLASH: FieldSpec = FieldSpec {
    max_age: Some(Duration::from_secs(60)),
    ..FieldSpec::new("flash", "p.flash")
};
static INDEXED: FieldSpec = FieldSpec {
    index: true,
    ..FieldSpec::new("user", "p.user")
};

fn config() -> Arc<Config> {
    let now = Timestamp::from_unix_seconds(1_800_000_000);
    Arc::new(
        Config::new()
            .with_clock(Arc::new(FakeClock::new(now)))
            .with_keys(Key::from_secret(b"record-props-secret-0123456789-abcdefghij").unwrap()),
    )
}

#[derive(Debug, Clone)]
enum Op {
    Plain(u64),
    Text(String),
    Secret(String),
    Flash(String),
    User(String),
    Raw(String, i64),
    Remove(String),
    Reset(usize),
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("p.plain".to_owned()),
        Just("p.text".to_owned()),
        Just("legacy".to_owned()),
        "[a-z_.]{1,30}",
        "\\PC{1,8}",
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u64>().prop_map(Op::Plain),
        // Short, and long enough to be deflated.
        prop_oneof!["\\PC{0,40}", "[ab]{1100,1500}", "\\PC{1100,1300}"].prop_map(Op::Text),
        "\\PC{0,40}".prop_map(Op::Secret),
        "\\PC{0,20}".prop_map(Op::Flash),
        "[a-z]{0,12}".prop_map(Op::User),
        (key(), any::<i64>()).prop_map(|(k, v)| Op::Raw(k, v)),
        key().prop_map(Op::Remove),
        (0usize..5).prop_map(Op::Reset),
    ]
}

fn apply(s: &mut State, op: &Op) {
    let specs = [&PLAIN, &TEXT, &SECRET, &FLASH, &INDEXED];
    match op {
        Op::Plain(v) => s.set(&PLAIN, *v),
        Op::Text(v) => s.set(&TEXT, v.clone()),
        Op::Secret(v) => s.set(&SECRET, v.clone()),
        Op::Flash(v) => s.set(&FLASH, v.clone()),
        Op::User(v) => s.set(&INDEXED, v.clone()),
        Op::Raw(k, v) => s.set_raw(k, serde_json::value::to_raw_value(v).unwrap()),
        Op::Remove(k) => s.remove_raw(k),
        Op::Reset(i) => s.reset(specs[*i]),
    }
}

/// Every field as JSON text, by key. A private field is sealed afresh (a
/// new nonce) each time it is encoded, so only its presence is compared;
/// its value is compared after opening, below.
fn texts(r: &Record) -> Vec<(String, String)> {
    r.fields
        .iter()
        .map(|(k, v)| {
            let text = if k == SECRET.key { "sealed" } else { v.get() };
            (k.clone(), text.to_owned())
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn binary_and_json_forms_agree_b10(
        before in proptest::collection::vec(op(), 0..8),
        after in proptest::collection::vec(op(), 0..6),
        deflate in prop_oneof![Just(None), Just(Some(1usize)), Just(Some(1024usize))],
    ) {
        let config = config();
        let mut s = State::new(Arc::clone(&config));
        for op in &before {
            apply(&mut s, op);
        }
        // Saved once, loaded, changed again: unchanged fields travel as
        // loaded (possibly deflated), changed ones are encoded anew.
        let first = s.to_bytes_deflating(deflate).unwrap();
        let mut s = State::from_bytes(Arc::clone(&config), None, first).unwrap();
        for op in &after {
            apply(&mut s, op);
        }
        let bytes = s.to_bytes_deflating(deflate).unwrap();
        let json = s.to_json().unwrap();
        let from_bytes = Record::from_bytes(bytes.clone()).unwrap();
        let from_json = Record::from_bytes(json).unwrap();
        prop_assert_eq!(texts(&from_bytes), texts(&from_json));
        prop_assert_eq!(&from_bytes.deadlines, &from_json.deadlines);
        prop_assert_eq!(&from_bytes.index, &from_json.index);
        prop_assert_eq!(from_bytes.meta, from_json.meta);
        // Without deflate, the state writes exactly what the record writes.
        if deflate.is_none() {
            prop_assert_eq!(&bytes[..], &from_bytes.to_bytes()[..]);
        }
        // Read back, every typed field has the value the state holds.
        let mut back = State::from_bytes(Arc::clone(&config), None, bytes).unwrap();
        prop_assert_eq!(back.keys(), s.keys());
        prop_assert_eq!(*back.get(&PLAIN, || 0u64), *s.get(&PLAIN, || 0u64));
        prop_assert_eq!(back.get(&TEXT, String::new), s.get(&TEXT, String::new));
        prop_assert_eq!(back.get(&SECRET, String::new), s.get(&SECRET, String::new));
        prop_assert_eq!(back.get(&FLASH, String::new), s.get(&FLASH, String::new));
        let keys: Vec<String> = s.keys().into_iter().map(str::to_owned).collect();
        for key in keys.into_iter().filter(|k| k != SECRET.key) {
            let mine = s.get_raw(&key).map(|r| r.get().to_owned());
            let theirs = back.get_raw(&key).map(|r| r.get().to_owned());
            prop_assert_eq!(mine, theirs, "{}", key);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_reader_b8(
        bytes in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..200),
            proptest::collection::vec(any::<u8>(), 0..200).prop_map(|mut v| {
                v.insert(0, 0xB1);
                v
            }),
            proptest::collection::vec(any::<u8>(), 0..200).prop_map(|mut v| {
                v.insert(0, 0xB2);
                v
            }),
        ],
    ) {
        let config = config();
        let _ = Record::from_bytes(bytes.clone());
        if let Ok(mut s) = State::from_bytes(config, None, bytes) {
            let _ = s.get(&TEXT, String::new);
            let _ = s.get(&SECRET, String::new);
            let _ = s.to_record();
            let _ = s.to_bytes_deflating(Some(1));
        }
        let raw = RawJson::from_json("[1]").unwrap();
        prop_assert_eq!(raw.get(), "[1]");
    }
}
