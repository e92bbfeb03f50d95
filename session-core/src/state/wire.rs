//! A session record's JSON written straight from a [`State`]'s slots and
//! read straight into them, for stores that hold the whole record as one
//! value (cookie sessions): the same bytes as [`Record::to_json`] and
//! [`Record::from_json`], without building the intermediate [`Record`]
//! (two allocations per field, and a map, each way).
//!
//! [`Record`]: crate::store::Record
//! [`Record::to_json`]: crate::store::Record::to_json
//! [`Record::from_json`]: crate::store::Record::from_json

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::clock::Timestamp;
use crate::config::Config;
use crate::error::FieldError;
use crate::expiry::{Meta, is_expired};
use crate::id::Id;
use crate::state::{Slot, State};

impl State {
    /// A session loaded from a record's JSON (as written by
    /// [`State::to_json`] or [`Record::to_json`](crate::store::Record::to_json)): the same state as
    /// `State::from_record(config, id, Record::from_json(bytes)?)`, built
    /// without the intermediate [`Record`](crate::store::Record). For stores that keep the whole
    /// record as one value, such as cookie sessions.
    ///
    /// # Errors
    ///
    /// The serde error for bytes that
    /// [`Record::from_json`](crate::store::Record::from_json) refuses.
    pub fn from_json(
        config: Arc<Config>,
        id: Option<Id>,
        bytes: &[u8],
    ) -> Result<Self, serde_json::Error> {
        let record: RecordIn = serde_json::from_slice(bytes)?;
        let now = config.clock().now();
        let mut slots = record.fields.0;
        for (key, deadline) in record.deadlines {
            if is_expired(deadline, now) {
                slots.remove(key.as_str());
            } else if let Some(slot) = slots.get_mut(key.as_str()) {
                slot.deadline = Some(deadline);
            }
        }
        Ok(Self::loaded(
            config,
            id,
            record.meta,
            slots,
            record.index,
            record.binding,
        ))
    }

    /// The whole record as JSON, as of `now`: the same bytes as
    /// `self.to_record()?.to_json()`, written straight from the fields
    /// (each field's bytes are copied once, into the output). For stores
    /// that keep the whole record as one value, such as cookie sessions.
    ///
    /// # Errors
    ///
    /// As [`State::changes`].
    pub fn to_json(&mut self) -> Result<Vec<u8>, FieldError> {
        let (expires_at, _) = self.encode_pending(|_, _, _| {})?;
        // Sized up front (fields are most of it): no regrowing while writing.
        let fields: usize = self
            .slots
            .iter()
            .filter_map(|(k, s)| Some(k.len() + s.raw.as_ref()?.get().len() + 4))
            .sum();
        let mut out = Vec::with_capacity(fields + self.binding.len() + 128);
        let record = RecordOut {
            version: crate::store::RECORD_VERSION,
            meta: &self.meta,
            expires_at,
            fields: FieldsOut(&self.slots),
            deadlines: DeadlinesOut(&self.slots),
            index: &self.loaded_index,
            binding: &self.binding,
        };
        // Maps of strings to raw JSON and timestamps cannot fail to write.
        serde_json::to_writer(&mut out, &record).expect("a session record always serializes");
        Ok(out)
    }
}

/// The slots of a state, by stored key.
pub(crate) type Slots = BTreeMap<Box<str>, Slot>;

/// A record borrowed from a state. Field names, order and omissions are
/// those of [`crate::store::Record`]'s derive: the bytes are identical.
#[derive(Serialize)]
pub(crate) struct RecordOut<'a> {
    #[serde(rename = "v")]
    pub(crate) version: u32,
    #[serde(rename = "meta")]
    pub(crate) meta: &'a Meta,
    #[serde(rename = "x")]
    pub(crate) expires_at: Timestamp,
    #[serde(rename = "f")]
    pub(crate) fields: FieldsOut<'a>,
    #[serde(rename = "d", skip_serializing_if = "DeadlinesOut::is_empty")]
    pub(crate) deadlines: DeadlinesOut<'a>,
    #[serde(rename = "i", skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) index: &'a BTreeMap<String, String>,
    #[serde(rename = "b", skip_serializing_if = "str::is_empty")]
    pub(crate) binding: &'a str,
}

/// Every slot that holds bytes, as `key: raw`.
pub(crate) struct FieldsOut<'a>(pub(crate) &'a Slots);

impl Serialize for FieldsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (key, slot) in self.0 {
            if let Some(raw) = &slot.raw {
                map.serialize_entry(&**key, &**raw)?;
            }
        }
        map.end()
    }
}

/// Every slot that holds bytes and a deadline, as `key: deadline`.
pub(crate) struct DeadlinesOut<'a>(pub(crate) &'a Slots);

impl DeadlinesOut<'_> {
    fn entries(&self) -> impl Iterator<Item = (&str, Timestamp)> {
        self.0
            .iter()
            .filter(|(_, slot)| slot.raw.is_some())
            .filter_map(|(key, slot)| Some((&**key, slot.deadline?)))
    }

    fn is_empty(&self) -> bool {
        self.entries().next().is_none()
    }
}

impl Serialize for DeadlinesOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.entries())
    }
}

/// A record read from JSON, its fields already made into slots. Accepts
/// and refuses exactly what [`crate::store::Record::from_json`] does.
#[derive(Deserialize)]
pub(crate) struct RecordIn {
    #[serde(rename = "v")]
    #[allow(dead_code)] // Read to refuse records without it, as `Record` does.
    pub(crate) version: u32,
    #[serde(rename = "meta")]
    pub(crate) meta: Meta,
    #[serde(rename = "x")]
    #[allow(dead_code)] // Checked by the store that served the record.
    pub(crate) expires_at: Timestamp,
    #[serde(rename = "f", default)]
    pub(crate) fields: SlotsIn,
    #[serde(rename = "d", default)]
    pub(crate) deadlines: BTreeMap<String, Timestamp>,
    #[serde(rename = "i", default)]
    pub(crate) index: BTreeMap<String, String>,
    #[serde(rename = "b", default)]
    pub(crate) binding: String,
}

/// The `f` map read straight into slots (raw bytes copied once, keys
/// borrowed from the input unless they hold escapes).
#[derive(Default)]
pub(crate) struct SlotsIn(pub(crate) Slots);

/// A map key borrowed from the input when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for SlotsIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SlotsIn;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of field names to JSON values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SlotsIn, A::Error> {
                let mut slots = Slots::new();
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    let raw: Box<RawValue> = map.next_value()?;
                    // A repeated key: the last one wins, as in `Record`.
                    let slot = Slot {
                        raw: Some(raw),
                        ..Slot::default()
                    };
                    slots.insert(key.into(), slot);
                }
                Ok(SlotsIn(slots))
            }
        }
        d.deserialize_map(V)
    }
}
