//! The email digest against a real SMTP server (aiosmtpd, `scripts/smtp-server`), on cases
//! imported from a real twcs file: each user's digest lists their own cases and no one
//! else's, shows times in their time zone, is not sent when switched off, waits for the next
//! local day when daily, and a restarted scheduler sends nothing twice.

mod common;
#[path = "support/smtp.rs"]
mod smtp;

use chrono::{DateTime, TimeZone, Utc};
use common::{data, engine, import};
use rapport_connectors::Format;
use rapport_connectors::mail::{Secret, SmtpConfig, SmtpMailer, SmtpSecurity};
use rapport_domain::care::{InboxQuery, InboxSort, InboxView, PageStart};
use rapport_domain::notify::{DigestFrequency, NotificationSettings};
use rapport_domain::{CaseId, Role, User};
use rapport_engine::notify::Digester;
use rapport_store::users::NewUser;
use std::sync::Arc;
use std::time::Duration;

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap()
}

async fn user(engine: &rapport_engine::Engine, name: &str, role: Role) -> User {
    engine
        .store()
        .users()
        .create_user(&NewUser {
            name: name.into(),
            display_name: name.into(),
            role,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$salt$x".into(),
            created_at: at(1, 0, 0),
        })
        .await
        .unwrap()
}

fn digester(engine: &rapport_engine::Engine, port: u16) -> Digester {
    let mailer = SmtpMailer::new(&SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        username: String::new(),
        password: Secret::default(),
        from: "Rapport <rapport@example.org>".into(),
        timeout: Duration::from_secs(10),
    })
    .unwrap();
    Digester::new(
        engine.store().clone(),
        Arc::new(mailer),
        "http://rapport.test/",
    )
}

/// The message's text with quoted-printable soft breaks undone.
fn body(mail: &str) -> String {
    mail.replace("=\r\n", "").replace("=3D", "=")
}

#[tokio::test]
async fn digests_go_to_their_own_user_in_their_time_zone_once() {
    let smtp = smtp::SmtpServer::start().await;
    let engine = engine().await;
    let (summary, rejects) = import(
        &engine,
        Format::Twcs,
        &data("twcs/twcs_kaggle_sample_93.csv"),
    )
    .await;
    assert!(rejects.is_empty());
    assert_eq!(summary.imported, 93);
    let page = engine
        .care()
        .inbox(&InboxQuery {
            view: InboxView::AllOpen,
            sort: InboxSort::Oldest,
            limit: 10,
            start: PageStart::First,
        })
        .await
        .unwrap();
    let cases: Vec<CaseId> = page.items.iter().map(|i| i.id).collect();
    assert!(cases.len() >= 4, "the sample opens cases: {cases:?}");

    let admin = user(&engine, "lead", Role::Admin).await;
    let ana = user(&engine, "ana", Role::Agent).await;
    let bo = user(&engine, "bo", Role::Agent).await;
    let carl = user(&engine, "carl", Role::Agent).await;
    let n = engine.notifications();
    let settings = |zone: chrono_tz::Tz, digest, email: &str| NotificationSettings {
        digest,
        email: Some(email.into()),
        time_zone: zone,
        ..Default::default()
    };
    n.save_settings(
        ana.id,
        &settings(
            chrono_tz::Asia::Tokyo,
            DigestFrequency::Daily,
            "ana@example.org",
        ),
    )
    .await
    .unwrap();
    n.save_settings(
        bo.id,
        &settings(
            chrono_tz::America::New_York,
            DigestFrequency::Hourly,
            "bo@example.org",
        ),
    )
    .await
    .unwrap();
    n.save_settings(
        carl.id,
        &settings(chrono_tz::UTC, DigestFrequency::Off, "carl@example.org"),
    )
    .await
    .unwrap();

    // 01:30 UTC on 2 March 2026 is 10:30 in Tokyo and 20:30 on 1 March in New York (EST).
    let care = engine.care();
    care.assign(cases[0], Some(ana.id), admin.id, at(2, 1, 30))
        .await
        .unwrap();
    care.assign(cases[1], Some(ana.id), admin.id, at(2, 1, 30))
        .await
        .unwrap();
    care.assign(cases[2], Some(bo.id), admin.id, at(2, 1, 30))
        .await
        .unwrap();
    care.assign(cases[3], Some(carl.id), admin.id, at(2, 1, 30))
        .await
        .unwrap();

    let sent = digester(&engine, smtp.port)
        .run_once(at(2, 2, 0))
        .await
        .unwrap();
    assert_eq!(sent.len(), 2, "{sent:?}");
    let mail = smtp.received();
    assert_eq!(mail.len(), 2);
    let to = |who: &str| {
        mail.iter()
            .find(|(rcpt, _)| rcpt == &vec![who.to_string()])
            .map(|(_, text)| body(text))
            .unwrap_or_else(|| panic!("no digest to {who}"))
    };
    let anas = to("ana@example.org");
    for c in &cases[..2] {
        assert!(
            anas.contains(&format!("http://rapport.test/cases/{c}\r\n")),
            "{anas}"
        );
        assert!(
            anas.contains(&format!("Case {c} was assigned to you by lead")),
            "{anas}"
        );
    }
    for c in &cases[2..4] {
        assert!(!anas.contains(&format!("/cases/{c}\r\n")), "{anas}");
    }
    assert!(anas.contains("2026-03-02 10:30 JST"), "{anas}");
    assert!(
        anas.contains("Subject: Rapport: 2 unread notifications"),
        "{anas}"
    );
    let bos = to("bo@example.org");
    assert!(bos.contains(&format!("http://rapport.test/cases/{}\r\n", cases[2])));
    assert!(!bos.contains(&format!("/cases/{}\r\n", cases[0])));
    assert!(bos.contains("2026-03-01 20:30 EST"), "{bos}");
    assert!(
        !mail
            .iter()
            .any(|(r, _)| r.contains(&"carl@example.org".to_string()))
    );

    // A restarted scheduler finds nothing left to send.
    let again = digester(&engine, smtp.port)
        .run_once(at(2, 2, 5))
        .await
        .unwrap();
    assert!(again.is_empty());
    // Ana's digest is daily: a new case waits for her next local morning.
    care.assign(
        cases[4.min(cases.len() - 1)],
        Some(ana.id),
        admin.id,
        at(2, 2, 10),
    )
    .await
    .unwrap();
    let d = digester(&engine, smtp.port);
    assert!(d.run_once(at(2, 3, 30)).await.unwrap().is_empty());
    // 23:00 UTC is 08:00 on 3 March in Tokyo.
    assert!(d.run_once(at(2, 22, 59)).await.unwrap().is_empty());
    let next = d.run_once(at(2, 23, 0)).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!((next[0].user, next[0].notifications), (ana.id, 1));
    let mail = smtp.received();
    assert_eq!(mail.len(), 3);
    let last = body(&mail[2].1);
    assert!(last.contains("2026-03-02 11:10 JST"), "{last}");
    assert!(!last.contains(&format!("/cases/{}\r\n", cases[0])));
}
