//! Care settings as admins edit them: teams (renamed in place, members who work cases, an SLA
//! policy that exists), policies that ignore business hours, routing rules that name real
//! teams and policies, own accounts and saved replies. Refusals name the field.

#[path = "care_kit/mod.rs"]
mod care_kit;

use care_kit::{kit, post, t};
use chrono::TimeDelta;
use rapport_domain::care::TeamSpec;
use rapport_domain::{
    BusinessCalendar, Network, OpenWindow, PersonVars, Priority, Role, SlaPolicy, TeamId,
    TemplateContext, TopicId,
};
use rapport_engine::accounts::{Accounts, AccountsConfig};
use rapport_engine::care::{Care, CareError, RoutingRules, TopicRule};

fn field_of(e: CareError) -> &'static str {
    match e {
        CareError::Invalid { field, .. } => field,
        other => panic!("expected an input error, got {other:?}"),
    }
}

fn berlin_weekdays() -> BusinessCalendar {
    let tz = BusinessCalendar::parse_tz("Europe/Berlin").unwrap();
    BusinessCalendar::closed(tz)
        .with_weekday_hours(&[OpenWindow::hm(9, 0, 17, 0).unwrap()])
        .unwrap()
}

fn two_hour_policy(name: &str, business_hours: bool) -> SlaPolicy {
    let targets = rapport_domain::Targets {
        first_response: Some(TimeDelta::hours(2)),
        ..Default::default()
    };
    let mut policy = SlaPolicy::new(name).with_business_hours(business_hours);
    for p in Priority::ALL {
        policy = policy.with_targets(p, targets).unwrap();
    }
    policy
}

#[tokio::test]
async fn teams_are_checked_and_renamed_in_place() {
    let k = kit().await;
    let accounts = Accounts::new(k.engine.store().clone(), AccountsConfig::default());
    let admin = accounts
        .setup_first_admin("admin", "", "correct-horse-7")
        .await
        .unwrap();
    let agent = accounts
        .create_user("agent", "Ana Agent", Role::Agent, "correct-horse-7")
        .await
        .unwrap();
    let analyst = accounts
        .create_user("analyst", "", Role::Analyst, "correct-horse-7")
        .await
        .unwrap();
    let care = &k.care;
    let assignable: Vec<_> = care
        .assignable_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(assignable, ["admin", "agent"]);

    let spec = TeamSpec {
        name: "  Billing ".into(),
        members: vec![agent.id, admin.id],
        calendar: berlin_weekdays(),
        sla_policy: None,
    };
    let team = care.save_team(None, &spec).await.unwrap();
    assert_eq!(team.name, "Billing");
    assert_eq!(team.members, [agent.id, admin.id]);

    // Refusals name the field: a taken name, an analyst member, a policy that does not exist.
    let again = care.save_team(None, &spec).await.unwrap_err();
    assert_eq!(field_of(again), "name");
    let with_analyst = TeamSpec {
        name: "Other".into(),
        members: vec![analyst.id],
        ..spec.clone()
    };
    assert_eq!(
        field_of(care.save_team(None, &with_analyst).await.unwrap_err()),
        "members"
    );
    let unknown_policy = TeamSpec {
        name: "Other".into(),
        sla_policy: Some("gold".into()),
        ..spec.clone()
    };
    assert_eq!(
        field_of(care.save_team(None, &unknown_policy).await.unwrap_err()),
        "sla_policy"
    );
    assert!(matches!(
        care.save_team(Some(TeamId(9_999)), &spec).await,
        Err(CareError::NoSuchTeam(_))
    ));

    // Renaming keeps the id, so the routing rules that name the team still hold.
    care.save_sla_policy(&two_hour_policy("gold", true), false)
        .await
        .unwrap();
    let renamed = care
        .save_team(
            Some(team.id),
            &TeamSpec {
                name: "Payments".into(),
                members: vec![agent.id],
                sla_policy: Some("gold".into()),
                ..spec.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.id, team.id);
    assert_eq!(renamed.name, "Payments");
    assert_eq!(renamed.sla_policy.as_deref(), Some("gold"));
    let names: Vec<_> = care
        .teams()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Payments"]);
    let other = care
        .save_team(
            None,
            &TeamSpec {
                name: "Other".into(),
                ..spec.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        field_of(
            care.save_team(
                Some(other.id),
                &TeamSpec {
                    name: "Payments".into(),
                    ..spec
                }
            )
            .await
            .unwrap_err()
        ),
        "name"
    );
}

#[tokio::test]
async fn a_policy_without_business_hours_counts_around_the_clock() {
    for (business_hours, due) in [(true, t(3, 9, 0)), (false, t(0, 17, 0))] {
        let k = kit().await;
        let care = &k.care;
        care.save_sla_policy(&two_hour_policy("std", business_hours), false)
            .await
            .unwrap();
        let team = care
            .save_team(
                None,
                &TeamSpec {
                    name: "europe".into(),
                    members: vec![],
                    calendar: berlin_weekdays(),
                    sla_policy: Some("std".into()),
                },
            )
            .await
            .unwrap();
        care.save_rules(&RoutingRules {
            default_team: Some(team.id),
            ..RoutingRules::default()
        })
        .await
        .unwrap();
        // Friday 15:00 UTC, 16:00 in Berlin: one business hour left that day.
        k.send(vec![post(
            "1",
            "alice",
            "@brand the app crashes",
            t(0, 15, 0),
        )])
        .await;
        let id = k.case_of("1").await.unwrap();
        let c = care.refresh_sla(id, t(0, 15, 30)).await.unwrap();
        assert_eq!(c.sla.first_response_due, Some(due), "{business_hours}");
    }
}

#[tokio::test]
async fn policies_rules_accounts_and_replies_refuse_what_they_cannot_keep() {
    let k = kit().await;
    let care = &k.care;
    care.save_sla_policy(&two_hour_policy("std", true), false)
        .await
        .unwrap();
    assert_eq!(
        field_of(
            care.save_sla_policy(&two_hour_policy("std", true), false)
                .await
                .unwrap_err()
        ),
        "name"
    );
    assert_eq!(
        field_of(
            care.save_sla_policy(&two_hour_policy("none", true), true)
                .await
                .unwrap_err()
        ),
        "name"
    );
    care.save_sla_policy(&two_hour_policy("std", false), true)
        .await
        .unwrap();
    assert!(
        !care
            .sla_policy("std")
            .await
            .unwrap()
            .unwrap()
            .business_hours()
    );

    for (rules, field) in [
        (
            RoutingRules {
                default_team: Some(TeamId(77)),
                ..RoutingRules::default()
            },
            "default_team",
        ),
        (
            RoutingRules {
                default_sla_policy: Some("gold".into()),
                ..RoutingRules::default()
            },
            "default_sla_policy",
        ),
        (
            RoutingRules {
                topics: vec![TopicRule {
                    topic: TopicId(5),
                    intents: None,
                    team: None,
                }],
                ..RoutingRules::default()
            },
            "topics",
        ),
    ] {
        assert_eq!(field_of(care.save_rules(&rules).await.unwrap_err()), field);
    }
    assert_eq!(care.rules().await.unwrap(), RoutingRules::default());

    care.set_own_account(Network::Mastodon, "@support", true)
        .await
        .unwrap();
    let own: Vec<_> = care
        .own_accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|i| (i.network, i.handle))
        .collect();
    assert!(
        own.contains(&(Network::Mastodon, "support".to_string())),
        "{own:?}"
    );
    assert_eq!(
        field_of(
            care.set_own_account(Network::X, "two words", true)
                .await
                .unwrap_err()
        ),
        "handle"
    );
    care.set_own_account(Network::Mastodon, "support", false)
        .await
        .unwrap();
    assert!(
        !care
            .own_accounts()
            .await
            .unwrap()
            .iter()
            .any(|i| i.handle == "support")
    );

    care.add_saved_reply("refund", "Hi {{contact.first_name}}", None)
        .await
        .unwrap();
    assert_eq!(
        field_of(care.add_saved_reply("refund", "x", None).await.unwrap_err()),
        "name"
    );
    let renamed = care
        .replace_saved_reply("refund", "refunds", "Hello {{ contact.name }}", Some("/r"))
        .await
        .unwrap();
    assert_eq!(renamed.name, "refunds");
    let names: Vec<_> = care
        .saved_replies()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["refunds"]);
    assert!(matches!(
        care.replace_saved_reply("refunds", "r2", "{{nope}}", None)
            .await,
        Err(CareError::Template(_))
    ));
    let sample = TemplateContext {
        contact: PersonVars {
            name: Some("Sam Example".into()),
            first_name: None,
        },
        ..Default::default()
    };
    assert_eq!(
        Care::preview_saved_reply("Hi {{contact.first_name}}, {{agent.name}} here", &sample)
            .unwrap(),
        "Hi Sam, the team here"
    );
}
