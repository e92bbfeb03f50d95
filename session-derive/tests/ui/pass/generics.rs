//! Generic schemas: type and const parameters, bounds inferred from the
//! field types (as serde does), a where clause kept.

use std::sync::Arc;

use serde::{Serialize, de::DeserializeOwned};
use session_core::schema::Schema;
use session_core::{Config, Handle, Session};

/// A multi-step form whose payload type varies.
#[derive(Session)]
#[session(namespace = "wizard")]
pub struct Wizard<T, const STEPS: usize>
where
    T: Clone,
{
    step: u32,
    data: Option<T>,
    #[session(skip)]
    cache: Vec<T>,
}

fn roundtrip<T>(handle: &Handle, value: T) -> Option<T>
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    let wizard: Session<Wizard<T, 3>> = handle.typed();
    wizard.set_data(Some(value));
    *wizard.step_mut() += 1;
    wizard.data().clone()
}

fn main() {
    assert_eq!(<Wizard<String, 3> as Schema>::SPEC.fields.len(), 2);
    let handle = Handle::empty(Arc::new(Config::new()));
    assert_eq!(roundtrip(&handle, "x".to_owned()), Some("x".to_owned()));
    let wizard: Session<Wizard<String, 3>> = handle.typed();
    assert_eq!(*wizard.step(), 1);
    let whole = wizard.take_all();
    assert!(whole.cache.is_empty());
}
