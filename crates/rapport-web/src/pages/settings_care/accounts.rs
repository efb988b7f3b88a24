//! The company's own accounts per network: their mentions and replies are care work, and
//! their posts are the brand's side of a conversation.

use super::{FormPairs, Problem, Refusal, failed, field};
use crate::AppState;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rapport_domain::Network;
use rapport_engine::accounts::Principal;

struct AccountRow {
    network: &'static str,
    handle: String,
    display_name: String,
}

#[derive(Template)]
#[template(path = "settings_accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    accounts: Vec<AccountRow>,
    networks: Vec<&'static str>,
    network: String,
    handle: String,
    problem: Problem,
}

async fn page_with(
    state: &AppState,
    p: &Principal,
    status: StatusCode,
    network: String,
    handle: String,
    problem: Problem,
) -> Response {
    let accounts = match state.engine.care().own_accounts().await {
        Ok(a) => a,
        Err(e) => return failed(p, e),
    };
    let mut accounts: Vec<AccountRow> = accounts
        .into_iter()
        .map(|i| AccountRow {
            network: i.network.as_str(),
            handle: i.handle,
            display_name: i.display_name.unwrap_or_default(),
        })
        .collect();
    accounts.sort_by(|a, b| (a.network, &a.handle).cmp(&(b.network, &b.handle)));
    render(
        status,
        &AccountsPage {
            chrome: Chrome::for_principal(p, "Own accounts", "settings"),
            accounts,
            networks: Network::ALL.iter().map(|n| n.as_str()).collect(),
            network,
            handle,
            problem,
        },
    )
}

/// `GET /settings/accounts`.
pub async fn list(State(state): State<AppState>, Extension(p): Extension<Principal>) -> Response {
    page_with(
        &state,
        &p,
        StatusCode::OK,
        String::new(),
        String::new(),
        Problem::default(),
    )
    .await
}

async fn mark(state: &AppState, p: &Principal, form: &[(String, String)], own: bool) -> Response {
    let network_text = field(form, "network");
    let handle = field(form, "handle");
    let result = match network_text.parse::<Network>() {
        Ok(network) => state
            .engine
            .care()
            .set_own_account(network, handle, own)
            .await
            .map_err(Refusal::from),
        Err(_) => Err(Refusal::from(Problem::new(
            "network",
            format!("Network: '{network_text}' is not a network"),
        ))),
    };
    match result {
        Ok(()) => {
            tracing::info!(by = %p.user.name, network = network_text, handle, own, "own account changed");
            Redirect::to("/settings/accounts").into_response()
        }
        Err(Refusal::Input(status, mut problem)) => {
            if problem.field == "handle" {
                problem.message = format!("Handle: {}", problem.message);
            }
            page_with(
                state,
                p,
                status,
                network_text.to_string(),
                handle.to_string(),
                problem,
            )
            .await
        }
        Err(Refusal::Failed(e)) => failed(p, e),
    }
}

/// `POST /settings/accounts`: marks an account as the company's own.
pub async fn add(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<FormPairs>,
) -> Response {
    mark(&state, &p, &form, true).await
}

/// `POST /settings/accounts/remove`: the account is a customer's again (its past posts stay).
pub async fn remove(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Form(form): Form<FormPairs>,
) -> Response {
    if !crate::pages::confirmed(&form) {
        let question = format!(
            "Remove @{} on {} from the own accounts? Its mentions no longer become cases; its \
             past posts stay.",
            field(&form, "handle"),
            field(&form, "network")
        );
        let ask = crate::pages::Ask {
            heading: "Remove own account",
            question: &question,
            button: "Remove account",
            cancel: "/settings/accounts",
        };
        return crate::pages::confirm(&p, "settings", &ask, "/settings/accounts/remove", &form);
    }
    mark(&state, &p, &form, false).await
}
