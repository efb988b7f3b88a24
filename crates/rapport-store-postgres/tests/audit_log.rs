//! The audit log cannot be changed or emptied, even by someone with SQL access.

use chrono::Utc;
use rapport_domain::audit::{AuditAction, AuditQuery, NewAuditEvent};
use sqlx::Connection;
use sqlx::postgres::PgConnectOptions;
use std::str::FromStr;

#[tokio::test]
async fn the_audit_log_refuses_updates_deletes_and_truncation_in_sql() {
    let test = rapport_store_postgres::testing::fresh().await;
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
    let server =
        PgConnectOptions::from_str(&rapport_store_postgres::testing::test_postgres_url()).unwrap();
    let mut conn = sqlx::PgConnection::connect_with(&server.database(&test.location()))
        .await
        .unwrap();
    for statement in [
        "UPDATE audit_log SET actor_name = 'nobody'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let err = sqlx::raw_sql(statement)
            .execute(&mut conn)
            .await
            .expect_err(statement);
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
    let _ = conn.close().await;
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
