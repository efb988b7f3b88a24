//! The route table: every route the server answers, and who may call it.
//!
//! Routes are added through [`Table::add`], which both registers the handler and records a
//! [`RouteInfo`], and the guard a route gets is derived from the [`Access`] it declares. So the
//! list [`crate::route_table`] returns is exactly what the server serves, and a route cannot
//! declare one rule and enforce another; tests walk the list to call every route as every role.

use crate::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use rapport_domain::Permission;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in caller, whatever the role: a browser session on pages, an API token on
    /// the API.
    LoggedIn,
    /// Callers whose role (and, for an API token, its scopes) include this permission.
    Needs(Permission),
}

/// Which part of the server a route belongs to; it decides how callers prove who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Surface {
    /// HTML pages (and the small JSON helpers their scripts call): browser sessions, CSRF
    /// tokens on every form POST, strangers sent to `/login`.
    Page,
    /// `/api/v1`: API tokens only, strangers answered 401.
    Api,
    /// Health, metrics and static assets.
    Service,
}

/// One route as the router serves it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteInfo {
    pub method: Method,
    /// The full path pattern, with `{name}` placeholders (`/api/v1/topics/{name}`).
    pub path: String,
    pub access: Access,
    pub surface: Surface,
}

type Guard =
    fn(&AppState, Access, &Method, &'static str, MethodRouter<AppState>) -> MethodRouter<AppState>;

/// Builds a router and its [`RouteInfo`] list together.
pub(crate) struct Table {
    state: AppState,
    prefix: &'static str,
    surface: Surface,
    guard: Guard,
    router: Router<AppState>,
    routes: Vec<RouteInfo>,
}

impl Table {
    /// A table whose routes live under `prefix` (as the router is nested) and are guarded by
    /// `guard` according to their access.
    pub fn new(state: &AppState, prefix: &'static str, surface: Surface, guard: Guard) -> Self {
        Self {
            state: state.clone(),
            prefix,
            surface,
            guard,
            router: Router::new(),
            routes: Vec::new(),
        }
    }

    /// Serves `handler` for `method` on `path`, guarded for `access`.
    pub fn add<H, T>(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("routes use standard methods");
        let route = (self.guard)(&self.state, access, &method, path, on(filter, handler));
        // Routes on one path with different methods merge into one method router.
        self.router = self.router.route(path, route);
        self.routes.push(RouteInfo {
            method,
            path: format!("{}{path}", self.prefix),
            access,
            surface: self.surface,
        });
        self
    }

    /// The layer that writes the audit log's entry for `path`, where it gets one; applied
    /// inside the guard, so only allowed requests reach it.
    pub fn with_audit(
        state: &AppState,
        surface: Surface,
        access: Access,
        method: &Method,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> MethodRouter<AppState> {
        match crate::auth::audit::audited(access, method, path) {
            Some(action) => route.route_layer(axum::middleware::from_fn_with_state(
                crate::auth::audit::AuditedRoute {
                    state: state.clone(),
                    surface,
                    method: method.clone(),
                    pattern: path,
                    action,
                },
                crate::auth::audit::record,
            )),
            None => route,
        }
    }

    pub fn finish(self) -> (Router<AppState>, Vec<RouteInfo>) {
        (self.router, self.routes)
    }
}

/// No guard: for health, metrics and assets, which are all public.
pub(crate) fn unguarded(
    _: &AppState,
    access: Access,
    _: &Method,
    _: &'static str,
    route: MethodRouter<AppState>,
) -> MethodRouter<AppState> {
    assert_eq!(access, Access::Public, "service routes are public");
    route
}
