//! Opening a store by URL. What a store does once open is the conformance suite's, which
//! each backend crate runs (`rapport_store_core::conformance_suite!`).

use rapport_store_core::conformance::support::P;

#[tokio::test]
async fn unknown_url_schemes_are_refused() {
    let err = rapport_store::open("mysql://localhost/db")
        .await
        .err()
        .unwrap();
    assert!(
        matches!(err, rapport_store::StoreError::UnsupportedUrl(_)),
        "{err}"
    );
}

#[tokio::test]
async fn in_memory_sqlite_opens_and_keeps_data() {
    let store = rapport_store::open("sqlite::memory:").await.unwrap();
    let report = store
        .posts()
        .ingest(vec![P::new("1", "alice").text("hello").new_post()])
        .await
        .unwrap();
    assert_eq!(report.inserted(), 1);
    assert_eq!(store.posts().stats().await.unwrap().posts, 1);
}
