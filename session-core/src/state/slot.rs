//! One stored field: its raw bytes, decoded value and flags, and how a
//! field is decoded from and encoded (sealed if private) to its stored form.

use super::*;

/// A decoded value with its type erased, able to encode itself again.
pub(crate) trait Erased: Any + Send + Sync {
    /// The value as JSON, written straight into a `RawValue` (serde_json's
    /// own output is valid JSON: no second parse to validate it).
    fn encode(&self) -> serde_json::Result<Box<RawValue>>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn into_any_arc(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

impl<T: Value> Erased for T {
    fn encode(&self) -> serde_json::Result<Box<RawValue>> {
        serde_json::value::to_raw_value(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn into_any_arc(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// One stored field.
#[derive(Default)]
pub(crate) struct Slot {
    /// The bytes as loaded (sealed for private fields), if any.
    pub(crate) raw: Option<Box<RawValue>>,
    /// The decoded value, once read or written. Shared so a getter can
    /// hand it out without holding the session's lock.
    pub(crate) value: Option<Arc<dyn Erased>>,
    /// Written since load.
    pub(crate) dirty: bool,
    /// Sealed under a fallback key: re-seal on the next save (E2, E6).
    pub(crate) reseal: bool,
    /// Per-field expiry.
    pub(crate) deadline: Option<Timestamp>,
    /// The spec the value was written through (for private sealing and
    /// per-field max-age at save time).
    pub(crate) spec: Option<&'static FieldSpec>,
}

impl Slot {
    pub(crate) fn typed<T: Value>(&self) -> &T {
        self.value
            .as_ref()
            .and_then(|v| v.as_any().downcast_ref::<T>())
            .expect("slot holds a decoded value of the accessor's type")
    }

    /// The decoded value, shared (for getters: no lock is held after).
    pub(crate) fn shared<T: Value>(&self) -> Arc<T> {
        self.value
            .clone()
            .and_then(|v| v.into_any_arc().downcast::<T>().ok())
            .expect("slot holds a decoded value of the accessor's type")
    }

    /// The decoded value, exclusively. If a getter's [`crate::session::Ref`]
    /// still shares the current value, the writer gets its own copy (made
    /// through serde, so field types need not be `Clone`); the reader keeps
    /// seeing the value it was given.
    pub(crate) fn typed_mut<T: Value>(&mut self) -> &mut T {
        let shared = self
            .value
            .as_mut()
            .is_some_and(|v| Arc::get_mut(v).is_none());
        if shared {
            let copy: T = copy_via_json(self.typed::<T>());
            self.value = Some(Arc::new(copy));
        }
        self.value
            .as_mut()
            .and_then(Arc::get_mut)
            .and_then(|v| v.as_any_mut().downcast_mut::<T>())
            .expect("a freshly made Arc is unique and holds the accessor's type")
    }

    /// Moves the decoded value out (copied if a getter still shares it).
    pub(crate) fn into_typed<T: Value>(self) -> T {
        let arc = self.shared::<T>();
        drop(self);
        Arc::try_unwrap(arc).unwrap_or_else(|shared| copy_via_json(&*shared))
    }
}

/// Copies a value through its JSON form.
///
/// # Panics
///
/// If the type's JSON does not read back as itself (such as an `f64` NaN,
/// which JSON writes as `null`): such a value could not be stored either.
pub(super) fn copy_via_json<T: Value>(value: &T) -> T {
    serde_json::to_vec(value)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .expect("a session field's JSON reads back as itself")
}

pub(super) fn slot_expired(slot: &Slot, now: Timestamp) -> bool {
    slot.deadline.is_some_and(|d| is_expired(d, now))
}

pub(super) fn decode_field<T: Value>(
    codec: Option<&crate::envelope::Codec>,
    binding: &str,
    spec: &FieldSpec,
    raw: &RawValue,
) -> Result<(T, bool), &'static str> {
    if !spec.private {
        return serde_json::from_str(raw.get())
            .map(|v| (v, false))
            .map_err(|_| "not valid JSON for the field's type");
    }
    let codec = codec.ok_or("private field but no key ring is configured")?;
    let token: String =
        serde_json::from_str(raw.get()).map_err(|_| "private field is not a sealed token")?;
    let opened = codec
        .open_field(&Context::field(binding, spec.key), &token)
        .map_err(|_| "private field failed to open (tampered, moved or unknown key)")?;
    serde_json::from_slice(&opened.payload)
        .map(|v| (v, opened.rotated))
        .map_err(|_| "private field's plaintext does not decode as the field's type")
}

/// The slot's value encoded (and sealed if private, bound to the record's
/// `binding`), or `None` for a slot without a decoded value (set through
/// `set_raw`: its raw bytes stand).
pub(super) fn encode_slot(
    config: &Config,
    binding: &str,
    key: &str,
    slot: &Slot,
) -> Result<Option<Box<RawValue>>, FieldError> {
    let Some(value) = &slot.value else {
        return Ok(None);
    };
    let raw = value.encode().map_err(|source| FieldError::Encode {
        field: key.to_owned(),
        source,
    })?;
    match slot.spec {
        Some(spec) if spec.private => {
            let codec = config
                .codec()
                .ok_or_else(|| FieldError::NoKeys(key.to_owned()))?;
            let token = codec.seal_field(&Context::field(binding, spec.key), raw.get().as_bytes());
            let sealed =
                serde_json::value::to_raw_value(&token).expect("a string always serializes");
            Ok(Some(sealed))
        }
        _ => Ok(Some(raw)),
    }
}
