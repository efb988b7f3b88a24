//! Routing rules: which intents make a topic match a case, per-topic overrides and teams, the
//! reopen window, the default team, round-robin and the default SLA policy.

use super::{FormPairs, Problem, Refusal, checked, failed, field, fields};
use crate::AppState;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rapport_domain::{Intent, TeamId, TopicId};
use rapport_engine::accounts::Principal;
use rapport_engine::care::{RoutingRules, TopicRule};

const DAY_SECS: i64 = 86_400;

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct IntentBox {
    value: &'static str,
    checked: bool,
}

struct TopicRow {
    id: i64,
    name: String,
    custom: bool,
    intents: Vec<IntentBox>,
    teams: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "settings_routing.html")]
struct RoutingPage {
    chrome: Chrome,
    actionable: Vec<IntentBox>,
    reopen_days: String,
    round_robin: bool,
    teams: Vec<Choice>,
    policies: Vec<Choice>,
    topics: Vec<TopicRow>,
    problem: Problem,
    notice: String,
}

fn intent_boxes(chosen: &[Intent]) -> Vec<IntentBox> {
    Intent::ALL
        .into_iter()
        .map(|i| IntentBox {
            value: i.as_str(),
            checked: chosen.contains(&i),
        })
        .collect()
}

fn show_days(secs: i64) -> String {
    if secs % DAY_SECS == 0 {
        (secs / DAY_SECS).to_string()
    } else {
        format!("{:.2}", secs as f64 / DAY_SECS as f64)
    }
}

async fn page_with(
    state: &AppState,
    p: &Principal,
    status: StatusCode,
    rules: &RoutingRules,
    reopen_days: String,
    problem: Problem,
    notice: String,
) -> Response {
    let care = state.engine.care();
    let (teams, policies, topics) = match (
        care.teams().await,
        care.sla_policies().await,
        state.engine.topics().await,
    ) {
        (Ok(t), Ok(s), Ok(topics)) => (t, s, topics),
        (Err(e), _, _) | (_, Err(e), _) => return failed(p, e),
        (_, _, Err(e)) => return failed(p, e),
    };
    let team_choices = |chosen: Option<TeamId>| -> Vec<Choice> {
        teams
            .iter()
            .map(|t| Choice {
                value: t.id.0.to_string(),
                label: t.name.clone(),
                selected: chosen == Some(t.id),
            })
            .collect()
    };
    let topic_rows = topics
        .iter()
        .map(|t| {
            let rule = rules.topics.iter().find(|r| r.topic == t.topic.id);
            let custom = rule.and_then(|r| r.intents.as_ref());
            TopicRow {
                id: t.topic.id.0,
                name: t.topic.name.clone(),
                custom: custom.is_some(),
                intents: intent_boxes(custom.map_or(&[][..], |v| v.as_slice())),
                teams: team_choices(rule.and_then(|r| r.team)),
            }
        })
        .collect();
    render(
        status,
        &RoutingPage {
            chrome: Chrome::for_principal(p, "Routing", "settings"),
            actionable: intent_boxes(&rules.actionable),
            reopen_days,
            round_robin: rules.round_robin,
            teams: team_choices(rules.default_team),
            policies: policies
                .into_iter()
                .map(|s| Choice {
                    selected: rules.default_sla_policy.as_deref() == Some(s.name.as_str()),
                    value: s.name.clone(),
                    label: s.name,
                })
                .collect(),
            topics: topic_rows,
            problem,
            notice,
        },
    )
}

/// `GET /settings/routing`.
pub async fn page(State(state): State<AppState>, Extension(p): Extension<Principal>) -> Response {
    match state.engine.care().rules().await {
        Ok(rules) => {
            let days = show_days(rules.reopen_window_secs);
            page_with(
                &state,
                &p,
                StatusCode::OK,
                &rules,
                days,
                Problem::default(),
                String::new(),
            )
            .await
        }
        Err(e) => failed(&p, e),
    }
}

fn team_field(
    form: &[(String, String)],
    name: &str,
    label: &str,
) -> Result<Option<TeamId>, Problem> {
    let v = field(form, name).trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse()
        .map(|id| Some(TeamId(id)))
        .map_err(|_| Problem::new(name, format!("{label}: '{v}' is not a team")))
}

fn intents(form: &[(String, String)], name: &str, label: &str) -> Result<Vec<Intent>, Problem> {
    fields(form, name)
        .map(|v| {
            v.parse::<Intent>()
                .map_err(|e| Problem::new(name, format!("{label}: {e}")))
        })
        .collect()
}

/// The rules as the form says them, or the first input that is wrong.
fn read(form: &[(String, String)], topic_ids: &[TopicId]) -> Result<RoutingRules, Problem> {
    let days_text = field(form, "reopen_days").trim();
    let days: f64 = days_text.parse().map_err(|_| {
        Problem::new(
            "reopen_days",
            format!("Reopen window: '{days_text}' is not a number of days"),
        )
    })?;
    if !(0.0..=365.0).contains(&days) {
        return Err(Problem::new(
            "reopen_days",
            "Reopen window: use 0 to 365 days",
        ));
    }
    let mut topics = Vec::new();
    for id in topic_ids {
        let key = format!("topic_{}", id.0);
        let custom = field(form, &format!("{key}_mode")) == "custom";
        let team = team_field(form, &format!("{key}_team"), "Topic team")?;
        let chosen = intents(form, &format!("{key}_intent"), "Topic intents")?;
        if custom || team.is_some() {
            topics.push(TopicRule {
                topic: *id,
                intents: custom.then_some(chosen),
                team,
            });
        }
    }
    let policy = field(form, "default_sla_policy").trim();
    Ok(RoutingRules {
        actionable: intents(form, "actionable", "Actionable intents")?,
        topics,
        reopen_window_secs: (days * DAY_SECS as f64).round() as i64,
        default_team: team_field(form, "default_team", "Default team")?,
        round_robin: checked(form, "round_robin"),
        default_sla_policy: Some(policy.to_string()).filter(|p| !p.is_empty()),
    })
}

fn label(field: &str) -> &str {
    match field {
        "default_team" => "Default team",
        "default_sla_policy" => "Default SLA policy",
        "topics" => "Topic overrides",
        "reopen_window_secs" => "Reopen window",
        _ => field,
    }
}

/// `POST /settings/routing`.
pub async fn save(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<FormPairs>,
) -> Response {
    let care = state.engine.care();
    let topic_ids: Vec<TopicId> = match state.engine.topics().await {
        Ok(t) => t.into_iter().map(|t| t.topic.id).collect(),
        Err(e) => return failed(&p, e),
    };
    let result = match read(&form, &topic_ids) {
        Ok(rules) => care
            .save_rules(&rules)
            .await
            .map(|()| rules)
            .map_err(Refusal::from),
        Err(problem) => Err(Refusal::from(problem)),
    };
    match result {
        Ok(_) => {
            tracing::info!(by = %p.user.name, "routing rules saved");
            Redirect::to("/settings/routing").into_response()
        }
        Err(Refusal::Input(status, mut problem)) => {
            if matches!(
                problem.field.as_str(),
                "default_team" | "default_sla_policy" | "topics" | "reopen_window_secs"
            ) {
                problem.message = format!("{}: {}", label(&problem.field), problem.message);
            }
            // Show the form as typed where it reads, else the stored rules.
            let shown = match read(&form, &topic_ids) {
                Ok(r) => r,
                Err(_) => care.rules().await.unwrap_or_default(),
            };
            let days = field(&form, "reopen_days").to_string();
            page_with(&state, &p, status, &shown, days, problem, String::new()).await
        }
        Err(Refusal::Failed(e)) => failed(&p, e),
    }
}
