//! `#[session(crate = "...")]`: the generated code reaches session-core
//! through the given path (for crates that re-export it), and raw
//! identifiers as field names.

mod framework {
    pub use session_core as sessions;
}

use framework::sessions::Session;

/// Uses the re-exported path.
#[derive(Session, Default)]
#[session(crate = "framework::sessions", namespace = "prefs")]
pub struct Prefs {
    r#type: String,
    #[session(rename = "lang")]
    language: String,
}

fn main() {
    use framework::sessions::schema::Schema;
    assert_eq!(<Prefs as Schema>::SPEC.fields[0].key, "prefs.type");
    assert_eq!(<Prefs as Schema>::SPEC.fields[0].name, "type");
    let handle = framework::sessions::Handle::empty(Default::default());
    let prefs: framework::sessions::Session<Prefs> = handle.typed();
    prefs.set_type("dark".to_owned());
    assert_eq!(*prefs.r#type(), "dark");
    prefs.reset_type();
    assert_eq!(prefs.take_language(), "");
}
