//! Shared by the `derive_*` suites: the schemas under test and a session
//! manager over the memory store with a fake clock.

#![allow(dead_code)] // Each suite uses a different part of this module.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use session_backends::memory::MemoryStore;
use session_core::clock::{FakeClock, SharedClock, Timestamp};
use session_core::id::Id;
use session_core::key::Key;
use session_core::store::{Record, Store};
use session_core::{Config, Handle, Outcome, Session, Sessions};

/// Where the fake clock starts.
pub(crate) const START: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);

/// A line of the cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Item {
    pub(crate) sku: String,
    pub(crate) qty: u32,
}

pub(crate) fn default_lang() -> String {
    "en".to_owned()
}

/// The example schema.
#[derive(Session)]
#[session(max_age = "14d", idle = "30m", namespace = "shop")]
pub(crate) struct Shop {
    pub(crate) user_id: Option<u64>,
    #[session(index)]
    pub(crate) account: Option<String>,
    pub(crate) cart: Vec<Item>,
    #[session(private)]
    pub(crate) payment_token: Option<String>,
    #[session(max_age = "5m")]
    pub(crate) flash: Option<String>,
    #[session(rename = "lang", default = "default_lang")]
    pub(crate) language: String,
    #[session(client)]
    pub(crate) theme: String,
    #[session(skip)]
    pub(crate) scratch: Vec<u8>,
}

/// A second schema in the same session.
#[derive(Session)]
#[session(namespace = "auth")]
pub(crate) struct Auth {
    pub(crate) user_id: Option<u64>,
    #[session(private)]
    pub(crate) password_hash: Option<String>,
}

/// Sessions over a memory store, with a fake clock and a key ring.
pub(crate) struct Env {
    pub(crate) sessions: Sessions<MemoryStore>,
    pub(crate) clock: FakeClock,
}

impl Env {
    pub(crate) fn new() -> Self {
        Env::with_config(|c| c.with_keys(Key::generate()))
    }

    pub(crate) fn with_config(configure: impl FnOnce(Config) -> Config) -> Self {
        let clock = FakeClock::new(START);
        let shared: SharedClock = Arc::new(clock.clone());
        let store = MemoryStore::new(1000).with_clock(Arc::clone(&shared));
        let config = configure(Config::new().with_clock(shared));
        Env {
            sessions: Sessions::with_config(store, config),
            clock,
        }
    }

    /// Commits and returns the id the session is stored under.
    pub(crate) async fn commit(&self, handle: &Handle) -> Id {
        match self.sessions.commit(handle).await.expect("commit") {
            Outcome::Saved { id, .. } => id,
            other => panic!("expected a save, got {other:?}"),
        }
    }

    pub(crate) async fn load(&self, id: &Id) -> Handle {
        self.sessions
            .load(id)
            .await
            .expect("load")
            .expect("live session")
    }

    /// The stored record, straight from the store.
    pub(crate) async fn record(&self, id: &Id) -> Record {
        self.sessions
            .store()
            .load(id)
            .await
            .expect("load")
            .expect("record")
    }

    /// Stores `record` under a fresh id, as if an older or other version
    /// of the app had written it.
    pub(crate) async fn plant(&self, record: &Record) -> Id {
        let id = Id::generate();
        self.sessions
            .store()
            .create(&id, record)
            .await
            .expect("create");
        id
    }

    pub(crate) fn advance(&self, d: Duration) {
        self.clock.advance(d);
    }
}

/// The keys written and removed by the next save, sorted.
pub(crate) fn pending(handle: &Handle) -> (Vec<String>, Vec<String>) {
    let changes = handle.lock().changes().expect("changes encode");
    let mut set: Vec<String> = changes
        .set
        .into_iter()
        .map(|(k, _, _)| k.into_owned())
        .collect();
    let mut removed = changes.removed;
    set.sort();
    removed.sort();
    (set, removed)
}
