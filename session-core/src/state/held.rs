//! How a slot holds its decoded value: the types session fields most often
//! have (ids, counters, flags, amounts, names, tokens) in place, any other
//! behind an `Arc`, or boxed when decoded for a write guard.
//!
//! A value in place costs no allocation of its own: reading such a field
//! allocates what serde allocates for the value and nothing more, as
//! decoding the whole struct would. A getter that hands the value out
//! ([`crate::session::Ref`] holds an `Arc<T>`) moves it behind an `Arc`
//! first, the allocation it always cost.

use std::any::Any;
use std::sync::Arc;

use crate::schema::Value;
use crate::store::RawJson;

/// A decoded value with its type erased, able to encode itself again.
pub(crate) trait Erased: Any + Send + Sync {
    /// The value as JSON, written straight into a `RawValue` (serde_json's
    /// own output is valid JSON: no second parse to validate it).
    fn encode(&self) -> serde_json::Result<RawJson>;
    /// The value as JSON, appended to `out`.
    fn encode_to(&self, out: &mut Vec<u8>) -> serde_json::Result<()>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn into_any_arc(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
    fn into_any_box(self: Box<Self>) -> Box<dyn Any>;
}

impl<T: Value> Erased for T {
    fn encode(&self) -> serde_json::Result<RawJson> {
        RawJson::encode(self)
    }
    fn encode_to(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(out, self)
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
    fn into_any_box(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// Declares [`Held`] with one in-place variant per listed type, and the
/// methods that move a `T` in and out of it. A variant is chosen by the
/// value's `TypeId`, a constant once `T` is known: each method compiles
/// to the one arm of `T`'s variant (or of `Shared`).
macro_rules! held {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        /// A decoded value: in place for the listed types, else shared
        /// or boxed.
        pub(crate) enum Held {
            /// Any type, behind an `Arc` (also a listed type once a
            /// getter shares it).
            Shared(Arc<dyn Erased>),
            /// Any type, boxed: decoded for a write guard, which needs no
            /// `Arc` (see [`Held::owned`]).
            Boxed(Box<dyn Erased>),
            $(
                #[doc = concat!("A `", stringify!($ty), "`, in place.")]
                $variant($ty),
            )*
        }

        impl Held {
            /// `value`, in place if its type is listed, else made by
            /// `other`.
            #[inline]
            fn with<T: Value>(value: T, other: impl FnOnce(T) -> Self) -> Self {
                let mut value = Some(value);
                $(
                    if let Some(v) = (&mut value as &mut dyn Any).downcast_mut::<Option<$ty>>() {
                        return Held::$variant(v.take().expect("set above"));
                    }
                )*
                other(value.take().expect("set above"))
            }

            /// The value, if it is a `T`.
            pub(crate) fn get<T: Value>(&self) -> Option<&T> {
                match self {
                    Held::Shared(v) => v.as_any().downcast_ref::<T>(),
                    Held::Boxed(v) => v.as_any().downcast_ref::<T>(),
                    $(Held::$variant(v) => (v as &dyn Any).downcast_ref::<T>(),)*
                }
            }

            /// The value, mutably, if it is a `T` held in place (others
            /// are left to [`Held::get_mut_unique`]).
            fn get_mut_in_place<T: Value>(&mut self) -> Option<&mut T> {
                match self {
                    Held::Shared(_) | Held::Boxed(_) => None,
                    $(Held::$variant(v) => (v as &mut dyn Any).downcast_mut::<T>(),)*
                }
            }

            /// The value moved out, if it is a `T` held in place or boxed.
            fn take_in_place<T: Value>(self) -> Result<T, Self> {
                match self {
                    Held::Boxed(v) if v.as_any().is::<T>() => {
                        let boxed = v.into_any_box().downcast::<T>();
                        Ok(*boxed.unwrap_or_else(|_| unreachable!("checked to be a `T`")))
                    }
                    $(Held::$variant(v) => {
                        let mut v = Some(v);
                        match (&mut v as &mut dyn Any).downcast_mut::<Option<T>>() {
                            Some(t) => Ok(t.take().expect("set above")),
                            None => Err(Held::$variant(v.take().expect("set above"))),
                        }
                    })*
                    other @ (Held::Shared(_) | Held::Boxed(_)) => Err(other),
                }
            }

            /// The value as JSON, appended to `out`. A shared value goes
            /// straight to its own encoder, without the frame the
            /// in-place encoders (serde_json inlined) need: they build it
            /// in their own function (~8 instructions a field fewer on
            /// the probe's `to_bytes`).
            pub(crate) fn encode_to(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
                match self {
                    Held::Shared(v) => v.encode_to(out),
                    in_place => in_place.encode_in_place(out),
                }
            }

            /// [`Held::encode_to`] for a value held in place (or boxed:
            /// its arm here keeps the one above as short as it was before
            /// there were boxed values; to_bytes probe: 68 instructions).
            #[inline(never)]
            fn encode_in_place(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
                match self {
                    Held::Shared(v) => v.encode_to(out),
                    Held::Boxed(v) => v.encode_to(out),
                    $(Held::$variant(v) => serde_json::to_writer(out, v),)*
                }
            }

            /// The value as JSON.
            pub(crate) fn encode(&self) -> serde_json::Result<RawJson> {
                match self {
                    Held::Shared(v) => v.encode(),
                    Held::Boxed(v) => v.encode(),
                    $(Held::$variant(v) => RawJson::encode(v),)*
                }
            }
        }
    };
}

// At most one variant may be wider than 16 bytes: `String`'s capacity
// then holds the tag (its top values are never capacities), and a
// `Held` takes 24 bytes. A second (a `Vec`, an `Option<String>`) would
// make it 32, and a slot 16 bytes wider: eight fields' slots would then
// no longer fit in one of glibc's per-thread cached blocks (1032 bytes at
// most), and each load would take the allocator's slow path (measured on
// the derive bench: +5% instructions).
held! {
    Bool(bool),
    U32(u32),
    U64(u64),
    I32(i32),
    I64(i64),
    F64(f64),
    OptU64(Option<u64>),
    OptI64(Option<i64>),
    OptF64(Option<f64>),
    String(String),
}

impl Held {
    /// `value`, in place if its type is listed, else behind an `Arc`.
    #[inline]
    pub(crate) fn new<T: Value>(value: T) -> Self {
        Held::with(value, |v| Held::Shared(Arc::new(v)))
    }

    /// `value` for a write guard: in place if its type is listed, else
    /// boxed. No getter shares it yet, and a write guard needs no `Arc`:
    /// none to check for uniqueness on a write (a compare-and-swap) nor
    /// to let go of after (two atomic decrements). A getter that shares it
    /// later moves it behind an `Arc`, as it does a value held in place.
    #[inline]
    pub(crate) fn owned<T: Value>(value: T) -> Self {
        Held::with(value, |v| Held::Boxed(Box::new(v)))
    }

    /// A copy of the value, if it is a `T` held in place and a plain copy
    /// (every listed type but `String`): a getter then hands out the copy
    /// and allocates nothing. `None` for anything else.
    pub(crate) fn copied<T: Value>(&self) -> Option<T> {
        /// `u` as a `T`, if it is one.
        fn cast<T: 'static, U: 'static>(u: U) -> Option<T> {
            let mut u = Some(u);
            (&mut u as &mut dyn Any).downcast_mut::<Option<T>>()?.take()
        }
        match *self {
            Held::Bool(v) => cast(v),
            Held::U32(v) => cast(v),
            Held::U64(v) => cast(v),
            Held::I32(v) => cast(v),
            Held::I64(v) => cast(v),
            Held::F64(v) => cast(v),
            Held::OptU64(v) => cast(v),
            Held::OptI64(v) => cast(v),
            Held::OptF64(v) => cast(v),
            Held::String(_) | Held::Shared(_) | Held::Boxed(_) => None,
        }
    }

    /// Whether the value is a `T`.
    pub(crate) fn is<T: Value>(&self) -> bool {
        self.get::<T>().is_some()
    }

    /// The value, shared (for getters), if it is a `T`. A value held in
    /// place or boxed moves behind an `Arc` first.
    pub(crate) fn shared<T: Value>(&mut self) -> Option<Arc<T>> {
        if let Held::Shared(v) = self {
            return Arc::clone(v).into_any_arc().downcast::<T>().ok();
        }
        let placeholder = Held::Bool(false);
        match std::mem::replace(self, placeholder).take_in_place::<T>() {
            Ok(value) => {
                let arc = Arc::new(value);
                *self = Held::Shared(Arc::clone(&arc) as Arc<dyn Erased>);
                Some(arc)
            }
            Err(other) => {
                *self = other;
                None
            }
        }
    }

    /// The value, mutably, if it is a `T` that no getter shares: held in
    /// place or boxed, or behind an `Arc` held here alone.
    pub(crate) fn get_mut_unique<T: Value>(&mut self) -> Option<&mut T> {
        match self {
            Held::Shared(v) => Arc::get_mut(v).and_then(|v| v.as_any_mut().downcast_mut::<T>()),
            Held::Boxed(v) => v.as_any_mut().downcast_mut::<T>(),
            other => other.get_mut_in_place::<T>(),
        }
    }

    /// Whether a getter still shares the value (an `Arc` held elsewhere,
    /// or a `Weak` of one).
    pub(crate) fn is_shared_elsewhere(&self) -> bool {
        match self {
            Held::Shared(v) => Arc::strong_count(v) > 1 || Arc::weak_count(v) > 0,
            _ => false,
        }
    }

    /// The value moved out, if it is a `T`: from its place, or from its
    /// `Arc` when no getter shares it (`Err` gives the `Arc` back then).
    pub(crate) fn into_value<T: Value>(self) -> Result<T, Arc<T>> {
        let shared = match self.take_in_place::<T>() {
            Ok(value) => return Ok(value),
            Err(Held::Shared(v)) => v,
            Err(_) => panic!("slot holds a decoded value of the accessor's type"),
        };
        let arc = shared
            .into_any_arc()
            .downcast::<T>()
            .unwrap_or_else(|_| panic!("slot holds a decoded value of the accessor's type"));
        Arc::try_unwrap(arc)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Other {
        a: u8,
    }

    /// Plain copies of in-place values are handed out for their own type
    /// only; a `String` or a shared value is never copied.
    #[test]
    fn copies_are_made_of_plain_values_only() {
        assert_eq!(Held::new(7u64).copied::<u64>(), Some(7));
        assert_eq!(Held::new(7u64).copied::<i64>(), None);
        assert_eq!(
            Held::new(Some(-3i64)).copied::<Option<i64>>(),
            Some(Some(-3))
        );
        assert_eq!(Held::new(true).copied::<bool>(), Some(true));
        assert_eq!(Held::new(1.5f64).copied::<f64>(), Some(1.5));
        assert_eq!(Held::new("a".to_owned()).copied::<String>(), None);
        assert_eq!(Held::new(Other { a: 1 }).copied::<Other>(), None);
        let mut shared = Held::new(9u32);
        assert!(shared.shared::<u32>().is_some());
        assert_eq!(
            shared.copied::<u32>(),
            None,
            "shared now: the Arc is handed out"
        );
    }

    /// Listed types are held in place, others shared; each reads back as
    /// its own type only.
    #[test]
    fn listed_types_are_held_in_place_and_others_shared() {
        let n = Held::new(7u64);
        assert!(matches!(n, Held::U64(7)));
        assert_eq!(n.get::<u64>(), Some(&7));
        assert_eq!(n.get::<u32>(), None);
        let s = Held::new("a".to_owned());
        assert!(matches!(s, Held::String(_)));
        assert!(s.is::<String>() && !s.is::<Vec<String>>());
        assert_eq!(std::mem::size_of::<Held>(), 24, "see `held!`");
        let o = Held::new(Other { a: 1 });
        assert!(matches!(o, Held::Shared(_)));
        assert_eq!(o.get::<Other>(), Some(&Other { a: 1 }));
        assert_eq!(o.get::<u64>(), None);
    }

    /// A value held in place moves behind an `Arc` when a getter shares
    /// it, and is then shared (not copied) by the next getter; while
    /// shared it is not handed out mutably.
    #[test]
    fn sharing_moves_a_value_in_place_behind_an_arc() {
        let mut h = Held::new(String::from("x"));
        assert_eq!(h.shared::<u64>(), None);
        assert!(matches!(h, Held::String(_)), "a wrong type leaves it be");
        let a = h.shared::<String>().expect("a String");
        assert!(matches!(h, Held::Shared(_)));
        let b = h.shared::<String>().expect("a String");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(h.is_shared_elsewhere());
        assert!(h.get_mut_unique::<String>().is_none());
        drop((a, b));
        h.get_mut_unique::<String>().expect("unique").push('y');
        assert_eq!(h.into_value::<String>().ok().as_deref(), Some("xy"));
    }

    /// A value decoded for a write guard is boxed (a listed one still in
    /// place); it is written to and moved out directly, and a getter moves
    /// it behind an `Arc`, after which it is shared like any other.
    #[test]
    fn owned_values_are_boxed_until_a_getter_shares_them() {
        assert!(matches!(Held::owned(7u64), Held::U64(7)));
        let mut h = Held::owned(Other { a: 1 });
        assert!(matches!(h, Held::Boxed(_)) && !h.is_shared_elsewhere());
        assert!(h.copied::<Other>().is_none() && h.shared::<u64>().is_none());
        h.get_mut_unique::<Other>().expect("boxed: unique").a = 2;
        let mut out = Vec::new();
        h.encode_to(&mut out).expect("encodes");
        assert_eq!(out, b"{\"a\":2}");
        let a = h.shared::<Other>().expect("an Other");
        assert!(matches!(h, Held::Shared(_)) && h.is_shared_elsewhere());
        assert_eq!(h.get::<Other>(), Some(&*a));
        assert_eq!(
            Held::owned(Other { a: 3 }).into_value::<Other>().ok(),
            Some(Other { a: 3 })
        );
    }

    /// Values come out by value from their place or from an unshared
    /// `Arc`; a shared one gives its `Arc` back.
    #[test]
    fn into_value_moves_out_or_gives_the_arc_back() {
        assert_eq!(
            Held::new(Some(2.5f64)).into_value::<Option<f64>>().ok(),
            Some(Some(2.5))
        );
        let mut h = Held::new(Other { a: 3 });
        assert_eq!(h.get_mut_unique::<Other>().map(|o| o.a), Some(3));
        let kept = h.shared::<Other>().expect("an Other");
        assert!(
            h.into_value::<Other>()
                .is_err_and(|a| Arc::ptr_eq(&a, &kept))
        );
    }

    /// Every variant encodes as its value does.
    #[test]
    fn held_values_encode_as_their_values() {
        let cases = [
            (Held::new(true), "true"),
            (Held::new(1u32), "1"),
            (Held::new(-2i32), "-2"),
            (Held::new(-3i64), "-3"),
            (Held::new(0.5f64), "0.5"),
            (Held::new(None::<u64>), "null"),
            (Held::new(Some(4i64)), "4"),
            (Held::new("s".to_owned()), "\"s\""),
            (Held::new(vec!["s".to_owned()]), "[\"s\"]"),
            (Held::new(Other { a: 5 }), "{\"a\":5}"),
        ];
        for (held, json) in cases {
            let mut out = Vec::new();
            held.encode_to(&mut out).expect("encodes");
            assert_eq!(out, json.as_bytes());
            assert_eq!(held.encode().expect("encodes").get(), json);
        }
    }
}
