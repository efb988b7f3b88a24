//! SLA policies: first response, next response and resolution targets per priority, whether
//! they count business hours only, and when a clock turns "at risk".

use super::show_duration;
use super::{FormPairs, Problem, Refusal, checked, failed, field, not_found, parse_duration};
use crate::AppState;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rapport_domain::sla::DEFAULT_AT_RISK_FRACTION;
use rapport_domain::{Priority, SlaPolicy, SlaTarget, Targets};
use rapport_engine::accounts::Principal;

const TARGETS: [(SlaTarget, &str); 3] = [
    (SlaTarget::FirstResponse, "First response"),
    (SlaTarget::NextResponse, "Next response"),
    (SlaTarget::Resolution, "Resolution"),
];

fn priority_label(p: Priority) -> &'static str {
    match p {
        Priority::Urgent => "Urgent",
        Priority::High => "High",
        Priority::Normal => "Normal",
        Priority::Low => "Low",
    }
}

struct Cell {
    /// The input's name: `urgent_first_response`.
    key: String,
    label: &'static str,
    value: String,
    invalid: bool,
}

struct PriorityRow {
    label: &'static str,
    cells: Vec<Cell>,
}

struct PolicyRow {
    name: String,
    href: String,
    business_hours: bool,
    /// Per priority: "first / next / resolution".
    summary: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "settings_sla.html")]
struct SlaPage {
    chrome: Chrome,
    policies: Vec<PolicyRow>,
    /// Editing an existing policy (its name is fixed) rather than adding one.
    editing: bool,
    /// Where the form posts.
    action: String,
    name: String,
    business_hours: bool,
    at_risk: String,
    rows: Vec<PriorityRow>,
    problem: Problem,
    notice: String,
}

/// The policy form as typed.
struct Typed {
    name: String,
    business_hours: bool,
    at_risk: String,
    /// `(input name, text)` for every priority and target.
    values: Vec<(String, String)>,
}

fn input_name(p: Priority, t: SlaTarget) -> String {
    format!("{}_{}", p.as_str(), t.as_str())
}

impl Typed {
    fn empty() -> Self {
        Typed {
            name: String::new(),
            business_hours: true,
            at_risk: format!("{}", (DEFAULT_AT_RISK_FRACTION * 100.0).round()),
            values: Vec::new(),
        }
    }

    fn of(policy: &SlaPolicy) -> Self {
        let mut values = Vec::new();
        for p in Priority::ALL {
            for (t, _) in TARGETS {
                values.push((input_name(p, t), show_duration(policy.target(p, t))));
            }
        }
        Typed {
            name: policy.name.clone(),
            business_hours: policy.business_hours(),
            at_risk: format!("{}", (policy.at_risk_fraction() * 100.0).round()),
            values,
        }
    }

    fn read(form: &[(String, String)], name: &str) -> Self {
        let mut values = Vec::new();
        for p in Priority::ALL {
            for (t, _) in TARGETS {
                let key = input_name(p, t);
                let v = field(form, &key).to_string();
                values.push((key, v));
            }
        }
        Typed {
            name: name.to_string(),
            business_hours: checked(form, "business_hours"),
            at_risk: field(form, "at_risk").trim().to_string(),
            values,
        }
    }

    fn value(&self, key: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    fn policy(&self) -> Result<SlaPolicy, Problem> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Problem::new("name", "Policy name: use 1 to 100 characters"));
        }
        let mut policy = SlaPolicy::new(name).with_business_hours(self.business_hours);
        let percent: f64 = self.at_risk.parse().map_err(|_| {
            Problem::new(
                "at_risk",
                format!("At risk from: '{}' is not a percentage", self.at_risk),
            )
        })?;
        policy = policy
            .with_at_risk_fraction(percent / 100.0)
            .map_err(|_| Problem::new("at_risk", "At risk from: use 1 to 100 (percent)"))?;
        for p in Priority::ALL {
            let mut targets = Targets::default();
            for (t, label) in TARGETS {
                let key = input_name(p, t);
                let d = parse_duration(self.value(&key)).map_err(|e| {
                    Problem::new(key.clone(), format!("{} {label}: {e}", priority_label(p)))
                })?;
                match t {
                    SlaTarget::FirstResponse => targets.first_response = d,
                    SlaTarget::NextResponse => targets.next_response = d,
                    SlaTarget::Resolution => targets.resolution = d,
                }
            }
            policy = policy
                .with_targets(p, targets)
                .map_err(|e| Problem::new("", e.to_string()))?;
        }
        Ok(policy)
    }
}

async fn page_with(
    state: &AppState,
    p: &Principal,
    status: StatusCode,
    editing: bool,
    typed: Typed,
    problem: Problem,
    notice: String,
) -> Response {
    let policies = match state.engine.care().sla_policies().await {
        Ok(s) => s,
        Err(e) => return failed(p, e),
    };
    let policies = policies
        .iter()
        .map(|s| PolicyRow {
            name: s.name.clone(),
            href: format!("/settings/sla/{}", encode_path(&s.name)),
            business_hours: s.business_hours(),
            summary: Priority::ALL
                .into_iter()
                .map(|pr| {
                    let text = TARGETS
                        .iter()
                        .map(|(t, _)| {
                            let d = show_duration(s.target(pr, *t));
                            if d.is_empty() { "–".to_string() } else { d }
                        })
                        .collect::<Vec<_>>()
                        .join(" / ");
                    (priority_label(pr), text)
                })
                .collect(),
        })
        .collect();
    let rows = Priority::ALL
        .into_iter()
        .map(|pr| PriorityRow {
            label: priority_label(pr),
            cells: TARGETS
                .iter()
                .map(|(t, label)| {
                    let key = input_name(pr, *t);
                    Cell {
                        value: typed.value(&key).to_string(),
                        invalid: problem.field == key,
                        key,
                        label,
                    }
                })
                .collect(),
        })
        .collect();
    let title = if editing {
        format!("SLA policy {}", typed.name)
    } else {
        "SLA policies".to_string()
    };
    render(
        status,
        &SlaPage {
            chrome: Chrome::for_principal(p, &title, "settings"),
            policies,
            editing,
            action: if editing {
                format!("/settings/sla/{}", encode_path(&typed.name))
            } else {
                "/settings/sla".to_string()
            },
            name: typed.name,
            business_hours: typed.business_hours,
            at_risk: typed.at_risk,
            rows,
            problem,
            notice,
        },
    )
}

/// `GET /settings/sla`: the policies and a form for a new one.
pub async fn list(State(state): State<AppState>, Extension(p): Extension<Principal>) -> Response {
    page_with(
        &state,
        &p,
        StatusCode::OK,
        false,
        Typed::empty(),
        Problem::default(),
        String::new(),
    )
    .await
}

async fn store(
    state: &AppState,
    p: &Principal,
    form: &[(String, String)],
    name: &str,
    replace: bool,
) -> Response {
    let typed = Typed::read(form, name);
    let result = match typed.policy() {
        Ok(policy) => state
            .engine
            .care()
            .save_sla_policy(&policy, replace)
            .await
            .map(|()| policy)
            .map_err(Refusal::from),
        Err(problem) => Err(Refusal::from(problem)),
    };
    match result {
        Ok(policy) => {
            tracing::info!(by = %p.user.name, policy = %policy.name, "sla policy saved");
            Redirect::to(&format!("/settings/sla/{}", encode_path(&policy.name))).into_response()
        }
        Err(Refusal::Input(status, mut problem)) => {
            if problem.field == "name" && !problem.message.starts_with("Policy name") {
                problem.message = format!("Policy name: {}", problem.message);
            }
            page_with(state, p, status, replace, typed, problem, String::new()).await
        }
        Err(Refusal::Failed(e)) => failed(p, e),
    }
}

/// `POST /settings/sla`: adds a policy.
pub async fn create(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<FormPairs>,
) -> Response {
    let name = field(&form, "name").to_string();
    store(&state, &p, &form, &name, false).await
}

/// `GET /settings/sla/{name}`: one policy's form.
pub async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(name): Path<String>,
) -> Response {
    match state.engine.care().sla_policy(&name).await {
        Ok(Some(policy)) => {
            page_with(
                &state,
                &p,
                StatusCode::OK,
                true,
                Typed::of(&policy),
                Problem::default(),
                String::new(),
            )
            .await
        }
        Ok(None) => not_found(&p, &format!("There is no SLA policy named '{name}'.")),
        Err(e) => failed(&p, e),
    }
}

/// `POST /settings/sla/{name}`: replaces a policy's targets (its name stays: teams and the
/// routing rules refer to it).
pub async fn save(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(name): Path<String>,
    Form(form): Form<FormPairs>,
) -> Response {
    match state.engine.care().sla_policy(&name).await {
        Ok(Some(_)) => store(&state, &p, &form, &name, true).await,
        Ok(None) => not_found(&p, &format!("There is no SLA policy named '{name}'.")),
        Err(e) => failed(&p, e),
    }
}

/// Percent-encodes a name for a path segment (letters, digits and `-._~` stay).
pub fn encode_path(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
