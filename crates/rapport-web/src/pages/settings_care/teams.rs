//! Teams: the list, a new team, and one team's name, members, time zone, business hours,
//! holidays and SLA policy.

use super::{FormPairs, Problem, Refusal, failed, field, fields, not_found};
use crate::AppState;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Weekday};
use rapport_domain::care::{Team, TeamSpec};
use rapport_domain::{BusinessCalendar, OpenWindow, TeamId, UserId};
use rapport_engine::accounts::Principal;
use rapport_engine::care::Care;

const DAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Mon, "mon", "Monday"),
    (Weekday::Tue, "tue", "Tuesday"),
    (Weekday::Wed, "wed", "Wednesday"),
    (Weekday::Thu, "thu", "Thursday"),
    (Weekday::Fri, "fri", "Friday"),
    (Weekday::Sat, "sat", "Saturday"),
    (Weekday::Sun, "sun", "Sunday"),
];

struct TeamRow {
    id: i64,
    name: String,
    members: usize,
    time_zone: String,
    policy: String,
}

#[derive(Template)]
#[template(path = "settings_teams.html")]
struct TeamsPage {
    chrome: Chrome,
    teams: Vec<TeamRow>,
    problem: Problem,
    name: String,
}

struct MemberBox {
    id: i64,
    label: String,
    role: &'static str,
    checked: bool,
}

struct DayRow {
    key: &'static str,
    label: &'static str,
    value: String,
    invalid: bool,
}

#[derive(Template)]
#[template(path = "settings_team.html")]
struct TeamPage {
    chrome: Chrome,
    id: i64,
    name: String,
    members: Vec<MemberBox>,
    time_zone: String,
    days: Vec<DayRow>,
    holidays: String,
    policies: Vec<String>,
    policy: String,
    problem: Problem,
    notice: String,
}

/// What the team form holds, as typed.
struct Typed {
    name: String,
    members: Vec<i64>,
    time_zone: String,
    days: Vec<String>,
    holidays: String,
    policy: String,
}

impl Typed {
    fn of(team: &Team) -> Self {
        let cal = &team.calendar;
        Typed {
            name: team.name.clone(),
            members: team.members.iter().map(|m| m.0).collect(),
            time_zone: cal.tz().name().to_string(),
            days: DAYS
                .iter()
                .map(|(d, _, _)| {
                    cal.hours(*d)
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect(),
            holidays: cal
                .holidays()
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
            policy: team.sla_policy.clone().unwrap_or_default(),
        }
    }

    fn read(form: &[(String, String)]) -> Self {
        Typed {
            name: field(form, "name").to_string(),
            members: fields(form, "member")
                .filter_map(|v| v.parse().ok())
                .collect(),
            time_zone: field(form, "time_zone").trim().to_string(),
            days: DAYS
                .iter()
                .map(|(_, key, _)| field(form, &format!("hours_{key}")).to_string())
                .collect(),
            holidays: field(form, "holidays").to_string(),
            policy: field(form, "sla_policy").to_string(),
        }
    }

    /// The team as stored, or the first input that is wrong.
    fn spec(&self) -> Result<TeamSpec, Problem> {
        let tz = BusinessCalendar::parse_tz(&self.time_zone)
            .map_err(|e| Problem::new("time_zone", format!("Time zone: {e}")))?;
        let mut calendar = BusinessCalendar::closed(tz);
        for ((day, key, label), text) in DAYS.iter().zip(&self.days) {
            let mut windows = Vec::new();
            for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let w: OpenWindow = part.parse().map_err(|e| {
                    Problem::new(format!("hours_{key}"), format!("{label} hours: {e}"))
                })?;
                windows.push(w);
            }
            calendar = calendar
                .with_hours(*day, &windows)
                .map_err(|e| Problem::new(format!("hours_{key}"), format!("{label} hours: {e}")))?;
        }
        let mut holidays = Vec::new();
        for (n, line) in self.holidays.lines().enumerate() {
            for text in line.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                    Problem::new(
                        "holidays",
                        format!(
                            "Holidays: '{text}' on line {} is not a date (use YYYY-MM-DD)",
                            n + 1
                        ),
                    )
                })?;
                holidays.push(date);
            }
        }
        Ok(TeamSpec {
            name: self.name.clone(),
            members: self.members.iter().map(|m| UserId(*m)).collect(),
            calendar: calendar.with_holidays(holidays),
            sla_policy: Some(self.policy.trim().to_string()).filter(|p| !p.is_empty()),
        })
    }
}

fn label(field: &str) -> &str {
    match field {
        "name" => "Team name",
        "members" => "Members",
        "sla_policy" => "SLA policy",
        _ => field,
    }
}

/// A field-named message: engine errors say which field, the page says it in words.
fn worded(mut p: Problem) -> Problem {
    if matches!(p.field.as_str(), "name" | "members" | "sla_policy") {
        p.message = format!("{}: {}", label(&p.field), p.message);
    }
    p
}

async fn list_with(
    state: &AppState,
    p: &Principal,
    status: StatusCode,
    problem: Problem,
    name: String,
) -> Response {
    let teams = match state.engine.care().teams().await {
        Ok(t) => t,
        Err(e) => return failed(p, e),
    };
    let teams = teams
        .into_iter()
        .map(|t| TeamRow {
            id: t.id.0,
            members: t.members.len(),
            time_zone: t.calendar.tz().name().to_string(),
            policy: t
                .sla_policy
                .unwrap_or_else(|| "the default policy".to_string()),
            name: t.name,
        })
        .collect();
    render(
        status,
        &TeamsPage {
            chrome: Chrome::for_principal(p, "Teams", "settings"),
            teams,
            problem,
            name,
        },
    )
}

/// `GET /settings/teams`.
pub async fn list(State(state): State<AppState>, Extension(p): Extension<Principal>) -> Response {
    list_with(
        &state,
        &p,
        StatusCode::OK,
        Problem::default(),
        String::new(),
    )
    .await
}

/// `POST /settings/teams`: a new team, open around the clock in UTC until its page says
/// otherwise; the admin lands on that page.
pub async fn create(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<FormPairs>,
) -> Response {
    let name = field(&form, "name").to_string();
    let utc = BusinessCalendar::parse_tz("UTC").expect("UTC is a time zone");
    let spec = TeamSpec {
        name: name.clone(),
        members: Vec::new(),
        calendar: BusinessCalendar::always_open(utc),
        sla_policy: None,
    };
    match state.engine.care().save_team(None, &spec).await {
        Ok(team) => {
            tracing::info!(by = %p.user.name, team = %team.name, "team created");
            Redirect::to(&format!("/settings/teams/{}", team.id.0)).into_response()
        }
        Err(e) => match Refusal::from(e) {
            Refusal::Input(status, problem) => {
                list_with(&state, &p, status, worded(problem), name).await
            }
            Refusal::Failed(e) => failed(&p, e),
        },
    }
}

async fn team_page(
    care: &Care,
    p: &Principal,
    id: i64,
    status: StatusCode,
    typed: Typed,
    problem: Problem,
    notice: String,
) -> Response {
    let (users, policies) = match (care.assignable_users().await, care.sla_policies().await) {
        (Ok(u), Ok(s)) => (u, s),
        (Err(e), _) | (_, Err(e)) => return failed(p, e),
    };
    let members = users
        .into_iter()
        .map(|u| MemberBox {
            id: u.id.0,
            checked: typed.members.contains(&u.id.0),
            label: format!("{} ({})", u.display_name, u.name),
            role: u.role.as_str(),
        })
        .collect();
    let days = DAYS
        .iter()
        .zip(typed.days)
        .map(|((_, key, label), value)| DayRow {
            key,
            label,
            value,
            invalid: problem.field == format!("hours_{key}"),
        })
        .collect();
    render(
        status,
        &TeamPage {
            chrome: Chrome::for_principal(p, &format!("Team {}", typed.name), "settings"),
            id,
            name: typed.name,
            members,
            time_zone: typed.time_zone,
            days,
            holidays: typed.holidays,
            policies: policies.into_iter().map(|s| s.name).collect(),
            policy: typed.policy,
            problem,
            notice,
        },
    )
}

/// `GET /settings/teams/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    let care = state.engine.care();
    match care.team(TeamId(id)).await {
        Ok(team) => {
            let typed = Typed::of(&team);
            team_page(
                &care,
                &p,
                id,
                StatusCode::OK,
                typed,
                Problem::default(),
                String::new(),
            )
            .await
        }
        Err(rapport_engine::care::CareError::NoSuchTeam(_)) => {
            not_found(&p, &format!("There is no team {id}."))
        }
        Err(e) => failed(&p, e),
    }
}

/// `POST /settings/teams/{id}`: saves the whole team form.
pub async fn save(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(id): Path<i64>,
    Form(form): Form<FormPairs>,
) -> Response {
    let care = state.engine.care();
    let typed = Typed::read(&form);
    let result = match typed.spec() {
        Ok(spec) => care
            .save_team(Some(TeamId(id)), &spec)
            .await
            .map_err(Refusal::from),
        Err(problem) => Err(Refusal::from(problem)),
    };
    match result {
        Ok(team) => {
            tracing::info!(by = %p.user.name, team = %team.name, "team saved");
            team_page(
                &care,
                &p,
                id,
                StatusCode::OK,
                Typed::of(&team),
                Problem::default(),
                format!("Team '{}' saved.", team.name),
            )
            .await
        }
        Err(Refusal::Input(StatusCode::NOT_FOUND, _)) => {
            not_found(&p, &format!("There is no team {id}."))
        }
        Err(Refusal::Input(status, problem)) => {
            team_page(&care, &p, id, status, typed, worded(problem), String::new()).await
        }
        Err(Refusal::Failed(e)) => failed(&p, e),
    }
}
