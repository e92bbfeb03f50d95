//! The conformance suite against the in-memory store.

use std::sync::Arc;

use session_backends::memory::MemoryStore;
use session_tests::conformance;

#[tokio::test]
async fn memory_store_conforms() {
    conformance::run_all(|clock| MemoryStore::new(1000).with_clock(Arc::new(clock.clone()))).await;
}
