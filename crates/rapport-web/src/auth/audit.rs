//! The audit log's record of admin changes and deletions made through the routes.
//!
//! The account use cases write their own, worded entries (logins, roles, passwords, two-factor,
//! tokens). Every other change an admin can make is a route that needs `users:manage`, and
//! every deletion is a route of its own; this layer writes an entry for each such request that
//! did something, so no new setting page can forget to. "Did something": a form POST answered
//! with a redirect (forms that fail or only ask for confirmation answer a page), an API write
//! answered 2xx.

use crate::AppState;
use crate::auth::client::client_address;
use crate::routes::{Access, Surface};
use axum::extract::{ConnectInfo, OriginalUri, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use rapport_domain::Permission;
use rapport_domain::audit::AuditAction;
use rapport_engine::accounts::{AuditActor, Principal};
use std::net::SocketAddr;

/// The route a request came in on, as the layer records it.
#[derive(Clone)]
pub struct AuditedRoute {
    pub state: AppState,
    pub surface: Surface,
    pub method: Method,
    pub pattern: &'static str,
    pub action: AuditAction,
}

/// Routes whose use cases write their own entries.
const WORDED_BY_USE_CASE: &[&str] = &[
    "/settings/users",
    "/settings/users/{id}",
    "/settings/users/{id}/password",
    "/settings/users/{id}/two-factor/reset",
    "/settings/tokens",
    "/settings/tokens/{id}/revoke",
    "/settings/security",
    "/contacts/{id}/erase",
];

/// Which entry a route's successful requests get, if any.
pub fn audited(access: Access, method: &Method, path: &str) -> Option<AuditAction> {
    if *method == Method::GET || WORDED_BY_USE_CASE.contains(&path) {
        return None;
    }
    // Settings remove things (an own account, a channel); an agent removing a tag from a case
    // deletes nothing worth an entry.
    let admin = access == Access::Needs(Permission::ManageUsers);
    let deletion = *method == Method::DELETE
        || path.ends_with("/delete")
        || (admin && path.ends_with("/remove"));
    if deletion {
        Some(AuditAction::Deleted)
    } else if admin {
        Some(AuditAction::SettingsChanged)
    } else {
        None
    }
}

pub async fn record(State(route): State<AuditedRoute>, request: Request, next: Next) -> Response {
    let principal = request.extensions().get::<Principal>().cloned();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    let address = client_address(peer, request.headers(), &route.state.config.trusted_proxies);
    // Under a nested router the URI lost its prefix; the original one has it.
    let path = request.extensions().get::<OriginalUri>().map_or_else(
        || request.uri().path().to_string(),
        |u| u.path().to_string(),
    );
    let response = next.run(request).await;
    let status = response.status();
    let did_something = match route.surface {
        Surface::Page => status.is_redirection(),
        _ => status.is_success(),
    };
    if let (true, Some(p)) = (did_something, principal) {
        let actor = AuditActor::user(&p.user, Some(&address));
        let prefix = if route.surface == Surface::Api {
            "/api/v1"
        } else {
            ""
        };
        let target = format!("{} {prefix}{}", route.method, route.pattern);
        if let Err(e) = route
            .state
            .accounts
            .record(&actor, route.action, target, path)
            .await
        {
            // The change is made and answered; a lost entry is logged loudly.
            tracing::error!(error = %e, "writing the audit log failed");
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    #[test]
    fn admin_changes_and_deletions_get_an_entry_and_case_work_does_not() {
        let post = Method::POST;
        let cases = [
            (
                Access::Needs(ManageUsers),
                &post,
                "/settings/sla",
                Some(AuditAction::SettingsChanged),
            ),
            (
                Access::Needs(ManageUsers),
                &post,
                "/settings/accounts/remove",
                Some(AuditAction::Deleted),
            ),
            (
                Access::Needs(WritePublications),
                &post,
                "/publish/{id}/delete",
                Some(AuditAction::Deleted),
            ),
            (
                Access::Needs(WriteTopics),
                &Method::DELETE,
                "/topics/{name}",
                Some(AuditAction::Deleted),
            ),
            (
                Access::Needs(WriteCases),
                &post,
                "/cases/{id}/tags/remove",
                None,
            ),
            (
                Access::Needs(WriteCases),
                &post,
                "/cases/{id}/replies",
                None,
            ),
            (
                Access::Needs(ManageUsers),
                &Method::GET,
                "/settings/sla",
                None,
            ),
            // Worded by their use cases: not twice.
            (
                Access::Needs(ManageUsers),
                &post,
                "/settings/users/{id}",
                None,
            ),
            (
                Access::Needs(ManageUsers),
                &post,
                "/contacts/{id}/erase",
                None,
            ),
        ];
        for (access, method, path, expected) in cases {
            assert_eq!(audited(access, method, path), expected, "{method} {path}");
        }
    }
}
