//! The audit log cannot be changed or emptied, even by someone holding the database file.

use chrono::Utc;
use rapport_domain::audit::{AuditAction, AuditQuery, NewAuditEvent};

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes_in_sql() {
    let test = rapport_store_sqlite::testing::fresh().await;
    let written = test
        .audit()
        .append_audit(&NewAuditEvent {
            at: Utc::now(),
            actor: None,
            actor_name: "mallory".into(),
            action: AuditAction::LoginFailed,
            target: "user mallory".into(),
            detail: String::new(),
            address: Some("192.0.2.1".into()),
        })
        .await
        .unwrap();
    let url = format!("sqlite://{}/rapport.db", test.location());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    for statement in [
        "UPDATE audit_log SET actor_name = 'nobody'",
        "DELETE FROM audit_log",
    ] {
        let err = sqlx::raw_sql(statement)
            .execute(&pool)
            .await
            .expect_err(statement);
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
    pool.close().await;
    let kept = test
        .audit()
        .audit_events(&AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(kept, vec![written]);
}
