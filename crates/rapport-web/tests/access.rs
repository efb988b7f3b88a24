//! Who may call what: every HTML route and API endpoint, called as admin, agent, analyst and
//! nobody. The table below is the specification; a check next to it fails when the server
//! serves a route the table does not list (or the table lists one it does not serve), and
//! another when the OpenAPI document misses an API route.

mod common;

use axum::http::StatusCode;
use common::{Browser, Call, PASSWORD, TWCS_SAMPLE, World};
use rapport_domain::{Permission, Role};
use rapport_web::{Access, LoginLimits, Surface, WebConfig, route_table};
use std::collections::BTreeSet;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    Agent,
    Analyst,
    Nobody,
}

use Who::*;

const EVERYONE: &[Who] = &[Admin, Agent, Analyst, Nobody];
const STAFF: &[Who] = &[Admin, Agent, Analyst];
const ADMIN: &[Who] = &[Admin];
const REPORTS: &[Who] = &[Admin, Analyst];
/// Those who work cases (`inbox:read`, `cases:write`).
const CASES: &[Who] = &[Admin, Agent];
const CARE_API: &[Who] = &[Admin, Agent];
const INBOX: &[Who] = &[Admin, Agent];
/// Those who read and change contacts (`contacts:read`, `contacts:write`).
const CONTACTS: &[Who] = &[Admin, Agent];
/// Those who write publications (`publications:write`); everyone staff reads them.
const PUBLISH: &[Who] = &[Admin, Agent];

/// One route, called once by each caller.
struct Row {
    method: &'static str,
    /// The route's pattern, as the server declares it.
    path: &'static str,
    /// What is called: `{analyst}` and `{spare_token}` are replaced by ids made in setup.
    uri: &'static str,
    /// A form (pages; `csrf` is added with the caller's token) or a JSON body (API).
    body: Body,
    /// Who may; everyone else is refused.
    allowed: &'static [Who],
    /// The answer an allowed caller gets.
    ok: u16,
}

enum Body {
    None,
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
}

const fn row(
    method: &'static str,
    path: &'static str,
    uri: &'static str,
    body: Body,
    allowed: &'static [Who],
    ok: u16,
) -> Row {
    Row {
        method,
        path,
        uri,
        body,
        allowed,
        ok,
    }
}

const NEW_USER: &[(&str, &str)] = &[
    ("name", "newcomer"),
    ("display_name", "New Comer"),
    ("role", "agent"),
    ("password", "newcomer-password-1"),
];

/// Every route the server answers. Writes by allowed callers really happen (a topic is added,
/// edited, removed; a user added; a token made and one revoked), so each row names things
/// made for it in `seed`.
const ROUTES: &[Row] = &[
    // HTML pages
    row("GET", "/", "/", Body::None, STAFF, 200),
    // Search everywhere: every role, each seeing the kinds it may read.
    row("GET", "/search", "/search?q=help", Body::None, STAFF, 200),
    // Reports › Listening: analysts and admins.
    row(
        "GET",
        "/reports/listening",
        "/reports/listening?from=2017-10-01&to=2017-12-01",
        Body::None,
        REPORTS,
        200,
    ),
    row(
        "GET",
        "/reports/listening/posts",
        "/reports/listening/posts?from=2017-10-01&to=2017-12-01&intent=question",
        Body::None,
        REPORTS,
        200,
    ),
    row(
        "GET",
        "/reports/listening.csv",
        "/reports/listening.csv?chart=volume",
        Body::None,
        REPORTS,
        200,
    ),
    row("GET", "/login", "/login", Body::None, EVERYONE, 200),
    row(
        "POST",
        "/login",
        "/login",
        Body::Form(&[("name", "analyst"), ("password", PASSWORD)]),
        EVERYONE,
        303,
    ),
    // Setup is over once a user exists: everyone is sent to log in, and no one is created.
    row("GET", "/setup", "/setup", Body::None, EVERYONE, 303),
    row(
        "POST",
        "/setup",
        "/setup",
        Body::Form(&[
            ("name", "intruder"),
            ("password", "intruder-password-1"),
            ("confirm", "intruder-password-1"),
        ]),
        EVERYONE,
        303,
    ),
    row("GET", "/inbox", "/inbox", Body::None, INBOX, 200),
    row(
        "POST",
        "/inbox/bulk",
        "/inbox/bulk",
        Body::Form(&[("action", "assign_me"), ("case", "1")]),
        INBOX,
        303,
    ),
    // Saving a view answers with a redirect (saved, or why not); renaming or deleting a
    // view nobody has changes nothing: a redirect, and a page saying it is not there.
    row(
        "POST",
        "/inbox/views",
        "/inbox/views",
        Body::Form(&[
            ("name", "Negative"),
            ("view", "all"),
            ("sentiment", "negative"),
        ]),
        INBOX,
        303,
    ),
    row(
        "POST",
        "/inbox/views/{id}/rename",
        "/inbox/views/999999/rename",
        Body::Form(&[("name", "Renamed")]),
        INBOX,
        303,
    ),
    row(
        "POST",
        "/inbox/views/{id}/delete",
        "/inbox/views/999999/delete",
        Body::Form(&[("confirm", "yes")]),
        INBOX,
        404,
    ),
    // An unknown token: too late to undo, said on the inbox it goes back to.
    row(
        "POST",
        "/undo",
        "/undo",
        Body::Form(&[("token", "00000000000000000000000000000000")]),
        INBOX,
        303,
    ),
    // A stream asked to end at once, so the call returns.
    row(
        "GET",
        "/inbox/events",
        "/inbox/events?max_secs=0",
        Body::None,
        INBOX,
        200,
    ),
    // The case page; `{page_case}` is opened in `seed_case`. Each allowed caller changes it.
    row(
        "GET",
        "/cases/{id}",
        "/cases/{page_case}",
        Body::None,
        CASES,
        200,
    ),
    row(
        "POST",
        "/cases/{id}/assign",
        "/cases/{page_case}/assign",
        Body::Form(&[("to_me", "1")]),
        CASES,
        303,
    ),
    // The sidebar's one form: assignee (none), team (none), priority and tags in one save.
    row(
        "POST",
        "/cases/{id}/fields",
        "/cases/{page_case}/fields",
        Body::Form(&[("priority", "high"), ("tags", "checked")]),
        CASES,
        303,
    ),
    row(
        "POST",
        "/cases/{id}/team",
        "/cases/{page_case}/team",
        Body::Form(&[("team", "")]),
        CASES,
        303,
    ),
    row(
        "POST",
        "/cases/{id}/priority",
        "/cases/{page_case}/priority",
        Body::Form(&[("priority", "high")]),
        CASES,
        303,
    ),
    row(
        "POST",
        "/cases/{id}/tags",
        "/cases/{page_case}/tags",
        Body::Form(&[("tag", "checked")]),
        CASES,
        303,
    ),
    row(
        "POST",
        "/cases/{id}/tags/remove",
        "/cases/{page_case}/tags/remove",
        Body::Form(&[("tag", "checked")]),
        CASES,
        303,
    ),
    row(
        "POST",
        "/cases/{id}/notes",
        "/cases/{page_case}/notes",
        Body::Form(&[("text", "Access checked")]),
        CASES,
        303,
    ),
    row(
        "POST",
        "/cases/{id}/replies",
        "/cases/{page_case}/replies",
        Body::Form(&[("text", "Thanks, we are on it.")]),
        CASES,
        303,
    ),
    // No reply 999999 on the case: an allowed caller gets the page with the form's error.
    row(
        "POST",
        "/cases/{id}/replies/{entry}/resend",
        "/cases/{page_case}/replies/999999/resend",
        Body::Form(&[("text", "Thanks, we are on it.")]),
        CASES,
        400,
    ),
    row(
        "GET",
        "/cases/{id}/compose-count",
        "/cases/{page_case}/compose-count?text=hello",
        Body::None,
        CASES,
        200,
    ),
    row(
        "GET",
        "/cases/{id}/saved-reply",
        "/cases/{page_case}/saved-reply?name=Case+page",
        Body::None,
        CASES,
        200,
    ),
    row(
        "POST",
        "/cases/{id}/presence",
        "/cases/{page_case}/presence",
        Body::Form(&[("activity", "viewing")]),
        CASES,
        200,
    ),
    // A stream asked to end after its first event, so the call returns.
    row(
        "GET",
        "/cases/{id}/events",
        "/cases/{page_case}/events?max_secs=0",
        Body::None,
        CASES,
        200,
    ),
    // Resolved by the agent; the admin finds it resolved already.
    row(
        "POST",
        "/cases/{id}/status",
        "/cases/{page_case}/status",
        Body::Form(&[("action", "resolve")]),
        CASES,
        303,
    ),
    // Contacts: contact 1 and 2 come from the twcs sample, with one identity each (identity 1
    // is contact 1's), so the merge stops at its confirm step and the split is refused.
    row("GET", "/contacts", "/contacts", Body::None, CONTACTS, 200),
    row(
        "GET",
        "/contacts/{id}",
        "/contacts/1",
        Body::None,
        CONTACTS,
        200,
    ),
    row(
        "POST",
        "/contacts/{id}",
        "/contacts/1",
        Body::Form(&[("name", "Checked contact"), ("stage", "customer")]),
        CONTACTS,
        303,
    ),
    row(
        "POST",
        "/contacts/{id}/merge",
        "/contacts/1/merge",
        Body::Form(&[("other", "2")]),
        CONTACTS,
        200,
    ),
    row(
        "POST",
        "/contacts/{id}/split",
        "/contacts/1/split",
        Body::Form(&[("identity", "1")]),
        CONTACTS,
        400,
    ),
    // Privacy requests: contact 1 exported; the erasure asked about (no `confirm`), so
    // nothing is erased for the rows after it.
    row(
        "GET",
        "/contacts/{id}/export",
        "/contacts/1/export",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/contacts/{id}/erase",
        "/contacts/1/erase",
        Body::Form(&[]),
        ADMIN,
        200,
    ),
    row("GET", "/leads", "/leads", Body::None, CONTACTS, 200),
    // Publishing: `{publication}` is a draft made in setup. Steps name version 0, which it
    // never has: an allowed caller gets 409 and nothing changes for the next.
    row("GET", "/publish", "/publish", Body::None, STAFF, 200),
    row(
        "GET",
        "/publish/calendar",
        "/publish/calendar?view=month",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "GET",
        "/publish/new",
        "/publish/new",
        Body::None,
        PUBLISH,
        200,
    ),
    row(
        "POST",
        "/publish",
        "/publish",
        Body::Form(&[("text", "Checked"), ("action", "preview")]),
        PUBLISH,
        200,
    ),
    row(
        "GET",
        "/publish/{id}",
        "/publish/{publication}",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "GET",
        "/publish/{id}/edit",
        "/publish/{publication}/edit",
        Body::None,
        PUBLISH,
        200,
    ),
    row(
        "POST",
        "/publish/{id}",
        "/publish/{publication}",
        Body::Form(&[("text", "Checked"), ("action", "preview")]),
        PUBLISH,
        200,
    ),
    row(
        "POST",
        "/publish/{id}/schedule",
        "/publish/{publication}/schedule",
        Body::Form(&[("action", "submit"), ("version", "0")]),
        PUBLISH,
        409,
    ),
    row(
        "POST",
        "/publish/{id}/review",
        "/publish/{publication}/review",
        Body::Form(&[("action", "approve"), ("version", "0")]),
        ADMIN,
        409,
    ),
    // Without `confirm=yes`: the confirmation page, and nothing removed.
    row(
        "POST",
        "/publish/{id}/delete",
        "/publish/{publication}/delete",
        Body::Form(&[]),
        PUBLISH,
        200,
    ),
    row("GET", "/topics", "/topics", Body::None, STAFF, 200),
    row(
        "POST",
        "/topics",
        "/topics",
        Body::Form(&[("name", "Added"), ("query", "refund*")]),
        ADMIN,
        303,
    ),
    row(
        "GET",
        "/topics/check",
        "/topics/check?q=%28help",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "GET",
        "/topics/backtest",
        "/topics/backtest?q=help",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "GET",
        "/topics/{name}",
        "/topics/Help",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "POST",
        "/topics/{name}",
        "/topics/Help",
        Body::Form(&[("query", "help OR please")]),
        ADMIN,
        303,
    ),
    row(
        "POST",
        "/topics/{name}/delete",
        "/topics/Doomed/delete",
        Body::Form(&[("confirm", "yes")]),
        ADMIN,
        303,
    ),
    row(
        "GET",
        "/settings/users",
        "/settings/users",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/settings/users",
        "/settings/users",
        Body::Form(NEW_USER),
        ADMIN,
        303,
    ),
    row(
        "POST",
        "/settings/users/{id}",
        "/settings/users/{analyst}",
        Body::Form(&[("role", "analyst"), ("active", "on")]),
        ADMIN,
        303,
    ),
    row(
        "POST",
        "/settings/tokens",
        "/settings/tokens",
        Body::Form(&[("name", "made here"), ("scope", "topics:read")]),
        ADMIN,
        201,
    ),
    row(
        "POST",
        "/settings/tokens/{id}/revoke",
        "/settings/tokens/{spare_token}/revoke",
        Body::Form(&[]),
        ADMIN,
        303,
    ),
    // Care settings; `{team}`, the `Seeded` policy and saved reply and `Doomed` are made in
    // `seed`.
    row("GET", "/settings", "/settings", Body::None, ADMIN, 200),
    row(
        "GET",
        "/settings/teams",
        "/settings/teams",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/settings/teams",
        "/settings/teams",
        Body::Form(&[("name", "Made here")]),
        ADMIN,
        303,
    ),
    row(
        "GET",
        "/settings/teams/{id}",
        "/settings/teams/{team}",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/settings/teams/{id}",
        "/settings/teams/{team}",
        Body::Form(&[("name", "Renamed here"), ("time_zone", "Europe/Berlin")]),
        ADMIN,
        200,
    ),
    row(
        "GET",
        "/settings/sla",
        "/settings/sla",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/settings/sla",
        "/settings/sla",
        Body::Form(&[
            ("name", "Made here"),
            ("at_risk", "80"),
            ("normal_first_response", "1h"),
        ]),
        ADMIN,
        303,
    ),
    row(
        "GET",
        "/settings/sla/{name}",
        "/settings/sla/Seeded",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/settings/sla/{name}",
        "/settings/sla/Seeded",
        Body::Form(&[("at_risk", "90"), ("urgent_first_response", "15")]),
        ADMIN,
        303,
    ),
    row(
        "GET",
        "/settings/routing",
        "/settings/routing",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/settings/routing",
        "/settings/routing",
        Body::Form(&[("actionable", "complaint"), ("reopen_days", "2")]),
        ADMIN,
        303,
    ),
    row(
        "GET",
        "/settings/accounts",
        "/settings/accounts",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/settings/accounts",
        "/settings/accounts",
        Body::Form(&[("network", "mastodon"), ("handle", "madehere")]),
        ADMIN,
        303,
    ),
    row(
        "POST",
        "/settings/accounts/remove",
        "/settings/accounts/remove",
        Body::Form(&[
            ("network", "mastodon"),
            ("handle", "doomed"),
            ("confirm", "yes"),
        ]),
        ADMIN,
        303,
    ),
    // This server has no channel administration: the page says so, adding answers 503.
    row(
        "GET",
        "/settings/channels",
        "/settings/channels",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/settings/channels",
        "/settings/channels",
        Body::Form(&[
            ("network", "mastodon"),
            ("name", "support"),
            ("instance", "http://127.0.0.1:9"),
            ("credential", "token"),
        ]),
        ADMIN,
        503,
    ),
    row(
        "POST",
        "/settings/channels/remove",
        "/settings/channels/remove",
        Body::Form(&[("name", "doomed")]),
        ADMIN,
        303,
    ),
    row(
        "GET",
        "/settings/publishing",
        "/settings/publishing",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/settings/publishing",
        "/settings/publishing",
        Body::Form(&[]),
        ADMIN,
        303,
    ),
    row(
        "GET",
        "/settings/replies",
        "/settings/replies",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/settings/replies",
        "/settings/replies",
        Body::Form(&[("name", "Made here"), ("body", "Hi {{contact.first_name}}")]),
        ADMIN,
        303,
    ),
    row(
        "GET",
        "/settings/replies/{name}",
        "/settings/replies/Seeded",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/settings/replies/{name}",
        "/settings/replies/Seeded",
        Body::Form(&[("name", "Seeded"), ("body", "Changed here")]),
        ADMIN,
        303,
    ),
    row(
        "POST",
        "/settings/replies/{name}/delete",
        "/settings/replies/Doomed/delete",
        Body::Form(&[("confirm", "yes")]),
        ADMIN,
        303,
    ),
    // Logging out ends the session: each caller logs out a session of its own.
    row("POST", "/logout", "/logout", Body::Form(&[]), STAFF, 303),
    // Without a pending sign-in the code form sends everyone to log in.
    row(
        "GET",
        "/login/two-factor",
        "/login/two-factor",
        Body::None,
        EVERYONE,
        303,
    ),
    row(
        "POST",
        "/login/two-factor",
        "/login/two-factor",
        Body::Form(&[("code", "123456")]),
        EVERYONE,
        303,
    ),
    row("GET", "/account", "/account", Body::None, STAFF, 200),
    // Single sign-on is not set up here: nothing to start, and no sign-in to finish.
    row("GET", "/login/sso", "/login/sso", Body::None, EVERYONE, 404),
    row(
        "GET",
        "/login/sso/callback",
        "/login/sso/callback?code=x&state=y",
        Body::None,
        EVERYONE,
        400,
    ),
    // Each caller's own notifications and their settings.
    row(
        "GET",
        "/notifications",
        "/notifications",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "GET",
        "/notifications/events",
        "/notifications/events?max_secs=0",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "POST",
        "/notifications/read",
        "/notifications/read",
        Body::Form(&[("id", "999999")]),
        STAFF,
        303,
    ),
    row(
        "POST",
        "/notifications/read-all",
        "/notifications/read-all",
        Body::Form(&[]),
        STAFF,
        303,
    ),
    row(
        "GET",
        "/account/notifications",
        "/account/notifications",
        Body::None,
        STAFF,
        200,
    ),
    // A time zone that does not exist: refused, nothing saved.
    row(
        "POST",
        "/account/notifications",
        "/account/notifications",
        Body::Form(&[("digest", "off"), ("time_zone", "Mars/Olympus")]),
        STAFF,
        400,
    ),
    // Two new passwords that differ: refused before anything changes.
    row(
        "POST",
        "/account/password",
        "/account/password",
        Body::Form(&[
            ("current", "not-the-password"),
            ("new", "quartz-meadow-17"),
            ("confirm", "quartz-meadow-18"),
        ]),
        STAFF,
        400,
    ),
    row(
        "GET",
        "/account/two-factor",
        "/account/two-factor",
        Body::None,
        STAFF,
        200,
    ),
    // Nothing offered yet: there is nothing to confirm.
    row(
        "POST",
        "/account/two-factor",
        "/account/two-factor",
        Body::Form(&[("step", "confirm"), ("code", "123456")]),
        STAFF,
        400,
    ),
    // A password too short: refused, so the analyst's sessions live on.
    row(
        "POST",
        "/settings/users/{id}/password",
        "/settings/users/{analyst}/password",
        Body::Form(&[("password", "short")]),
        ADMIN,
        400,
    ),
    // A user that does not exist: no one's sessions end.
    row(
        "POST",
        "/settings/users/{id}/two-factor/reset",
        "/settings/users/999999/two-factor/reset",
        Body::Form(&[]),
        ADMIN,
        404,
    ),
    row(
        "GET",
        "/settings/security",
        "/settings/security",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "POST",
        "/settings/security",
        "/settings/security",
        Body::Form(&[]),
        ADMIN,
        303,
    ),
    row(
        "GET",
        "/settings/audit",
        "/settings/audit",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "GET",
        "/settings/audit.csv",
        "/settings/audit.csv",
        Body::None,
        ADMIN,
        200,
    ),
    // JSON API
    row(
        "GET",
        "/api/v1/openapi.json",
        "/api/v1/openapi.json",
        Body::None,
        EVERYONE,
        200,
    ),
    row("GET", "/api/v1/me", "/api/v1/me", Body::None, STAFF, 200),
    row(
        "GET",
        "/api/v1/audit",
        "/api/v1/audit",
        Body::None,
        ADMIN,
        200,
    ),
    row(
        "GET",
        "/api/v1/search",
        "/api/v1/search?q=help",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "GET",
        "/api/v1/posts",
        "/api/v1/posts?q=help",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "GET",
        "/api/v1/stats",
        "/api/v1/stats",
        Body::None,
        REPORTS,
        200,
    ),
    row(
        "GET",
        "/api/v1/reports/care",
        "/api/v1/reports/care",
        Body::None,
        REPORTS,
        200,
    ),
    row(
        "GET",
        "/api/v1/reports/listening",
        "/api/v1/reports/listening?from=2017-10-01&to=2017-12-01",
        Body::None,
        REPORTS,
        200,
    ),
    row(
        "GET",
        "/api/v1/reports/listening/volume",
        "/api/v1/reports/listening/volume?from=2017-10-01&to=2017-12-01",
        Body::None,
        REPORTS,
        200,
    ),
    row(
        "GET",
        "/api/v1/reports/listening/share-of-voice",
        "/api/v1/reports/listening/share-of-voice",
        Body::None,
        REPORTS,
        200,
    ),
    row(
        "GET",
        "/api/v1/reports/listening/intents",
        "/api/v1/reports/listening/intents",
        Body::None,
        REPORTS,
        200,
    ),
    row(
        "GET",
        "/api/v1/reports/listening/authors",
        "/api/v1/reports/listening/authors?order=reach",
        Body::None,
        REPORTS,
        200,
    ),
    row(
        "GET",
        "/api/v1/reports/listening/trending",
        "/api/v1/reports/listening/trending",
        Body::None,
        REPORTS,
        200,
    ),
    row(
        "GET",
        "/api/v1/reports/listening/posts",
        "/api/v1/reports/listening/posts?sentiment=negative",
        Body::None,
        REPORTS,
        200,
    ),
    row(
        "GET",
        "/api/v1/topics",
        "/api/v1/topics",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "POST",
        "/api/v1/topics",
        "/api/v1/topics",
        Body::Json(r#"{"name":"From the API","query":"refund*"}"#),
        ADMIN,
        201,
    ),
    row(
        "DELETE",
        "/api/v1/topics/{name}",
        "/api/v1/topics/ApiDoomed",
        Body::None,
        ADMIN,
        204,
    ),
    row(
        "GET",
        "/api/v1/topics/{name}/matches",
        "/api/v1/topics/Help/matches",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "GET",
        "/api/v1/users",
        "/api/v1/users",
        Body::None,
        ADMIN,
        200,
    ),
    // Care API: `{case}` and `{contact}` are shared by every caller; `{caller_case}` and the
    // `{caller_...}` contacts are each allowed caller's own (a case resolves once, a contact is
    // merged once and split once), all made in `seed_care_api`.
    row(
        "GET",
        "/api/v1/cases",
        "/api/v1/cases?view=all_open&limit=5",
        Body::None,
        CARE_API,
        200,
    ),
    row(
        "GET",
        "/api/v1/cases/counts",
        "/api/v1/cases/counts",
        Body::None,
        CARE_API,
        200,
    ),
    row(
        "GET",
        "/api/v1/views",
        "/api/v1/views",
        Body::None,
        CARE_API,
        200,
    ),
    row(
        "POST",
        "/api/v1/views",
        "/api/v1/views",
        Body::Json(r#"{"filters":{"sentiment":"negative"},"name":"From the API"}"#),
        CARE_API,
        201,
    ),
    row(
        "DELETE",
        "/api/v1/views/{id}",
        "/api/v1/views/999999",
        Body::None,
        CARE_API,
        404,
    ),
    row(
        "GET",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{case}",
        Body::None,
        CARE_API,
        200,
    ),
    row(
        "POST",
        "/api/v1/cases/{id}/assign",
        "/api/v1/cases/{case}/assign",
        Body::Json(r#"{"user_id": null}"#),
        CARE_API,
        200,
    ),
    row(
        "POST",
        "/api/v1/cases/{id}/status",
        "/api/v1/cases/{caller_case}/status",
        Body::Json(r#"{"action": "resolve"}"#),
        CARE_API,
        200,
    ),
    row(
        "POST",
        "/api/v1/cases/{id}/priority",
        "/api/v1/cases/{case}/priority",
        Body::Json(r#"{"priority": "low"}"#),
        CARE_API,
        200,
    ),
    row(
        "POST",
        "/api/v1/cases/{id}/tags",
        "/api/v1/cases/{case}/tags",
        Body::Json(r#"{"tag": "seen"}"#),
        CARE_API,
        200,
    ),
    row(
        "DELETE",
        "/api/v1/cases/{id}/tags/{tag}",
        "/api/v1/cases/{case}/tags/seen",
        Body::None,
        CARE_API,
        200,
    ),
    row(
        "POST",
        "/api/v1/cases/{id}/notes",
        "/api/v1/cases/{case}/notes",
        Body::Json(r#"{"text": "noted through the API"}"#),
        CARE_API,
        201,
    ),
    row(
        "POST",
        "/api/v1/cases/{id}/replies",
        "/api/v1/cases/{case}/replies",
        Body::Json(r#"{"text": "Thanks, we are on it."}"#),
        CARE_API,
        202,
    ),
    row(
        "GET",
        "/api/v1/contacts/{id}",
        "/api/v1/contacts/{contact}",
        Body::None,
        CARE_API,
        200,
    ),
    row(
        "PATCH",
        "/api/v1/contacts/{id}",
        "/api/v1/contacts/{contact}",
        Body::Json(r#"{"company": "Example"}"#),
        CARE_API,
        200,
    ),
    row(
        "GET",
        "/api/v1/contacts/{id}/timeline",
        "/api/v1/contacts/{contact}/timeline?limit=10",
        Body::None,
        CARE_API,
        200,
    ),
    // The merge brings `{caller_identity}` over; the split takes it off again.
    row(
        "POST",
        "/api/v1/contacts/{id}/merge",
        "/api/v1/contacts/{caller_contact}/merge",
        Body::Json(r#"{"absorb": {caller_absorbed}}"#),
        CARE_API,
        200,
    ),
    row(
        "GET",
        "/api/v1/contacts/{id}/export",
        "/api/v1/contacts/1/export",
        Body::None,
        ADMIN,
        200,
    ),
    // The API erases at once: a contact that does not exist, so nothing is erased.
    row(
        "POST",
        "/api/v1/contacts/{id}/erase",
        "/api/v1/contacts/999999/erase",
        Body::None,
        ADMIN,
        404,
    ),
    row(
        "POST",
        "/api/v1/contacts/{id}/split",
        "/api/v1/contacts/{caller_contact}/split",
        Body::Json(r#"{"identity_id": {caller_identity}, "name": "Split here"}"#),
        CARE_API,
        201,
    ),
    row(
        "GET",
        "/api/v1/contacts",
        "/api/v1/contacts?q=a&sort=name&limit=5",
        Body::None,
        CARE_API,
        200,
    ),
    row(
        "GET",
        "/api/v1/leads",
        "/api/v1/leads?limit=5",
        Body::None,
        CARE_API,
        200,
    ),
    // The replies the rows above queued: entry 1 exists, and is not failed (so no resend).
    row(
        "GET",
        "/api/v1/outbox",
        "/api/v1/outbox?status=queued&limit=5",
        Body::None,
        INBOX,
        200,
    ),
    row(
        "GET",
        "/api/v1/outbox/{id}",
        "/api/v1/outbox/1",
        Body::None,
        INBOX,
        200,
    ),
    row(
        "POST",
        "/api/v1/outbox/{id}/resend",
        "/api/v1/outbox/1/resend",
        Body::Json(r#"{"text": "Thanks, we are on it."}"#),
        CARE_API,
        409,
    ),
    row(
        "GET",
        "/api/v1/publications",
        "/api/v1/publications?status=draft",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "POST",
        "/api/v1/publications",
        "/api/v1/publications",
        Body::Json(r#"{"text": "Checked", "channels": []}"#),
        PUBLISH,
        201,
    ),
    row(
        "POST",
        "/api/v1/publications/preview",
        "/api/v1/publications/preview",
        Body::Json(r#"{"text": "Checked", "channels": []}"#),
        PUBLISH,
        200,
    ),
    row(
        "GET",
        "/api/v1/publications/{id}",
        "/api/v1/publications/{publication}",
        Body::None,
        STAFF,
        200,
    ),
    row(
        "PUT",
        "/api/v1/publications/{id}",
        "/api/v1/publications/{publication}",
        Body::Json(r#"{"text": "Checked", "channels": [], "version": 0}"#),
        PUBLISH,
        409,
    ),
    row(
        "POST",
        "/api/v1/publications/{id}/submit",
        "/api/v1/publications/{publication}/submit",
        Body::Json(r#"{"version": 0}"#),
        PUBLISH,
        409,
    ),
    row(
        "POST",
        "/api/v1/publications/{id}/unschedule",
        "/api/v1/publications/{publication}/unschedule",
        Body::Json(r#"{"version": 0}"#),
        PUBLISH,
        409,
    ),
    row(
        "POST",
        "/api/v1/publications/{id}/approve",
        "/api/v1/publications/{publication}/approve",
        Body::Json(r#"{"version": 0}"#),
        ADMIN,
        409,
    ),
    row(
        "POST",
        "/api/v1/publications/{id}/send-back",
        "/api/v1/publications/{publication}/send-back",
        Body::Json(r#"{"version": 0, "comment": "Checked"}"#),
        ADMIN,
        409,
    ),
    // No publication 999999.
    row(
        "DELETE",
        "/api/v1/publications/{id}",
        "/api/v1/publications/999999",
        Body::None,
        PUBLISH,
        404,
    ),
    // health, metrics, assets
    row("GET", "/healthz", "/healthz", Body::None, EVERYONE, 200),
    // Open to every role, but only from the allowed addresses or with the metrics token, which
    // a request handed to the router (no address) does not have: see tests/limits.rs.
    row("GET", "/metrics", "/metrics", Body::None, EVERYONE, 403),
    row(
        "GET",
        "/assets/{file}",
        "/assets/app.js",
        Body::None,
        EVERYONE,
        200,
    ),
    // Last: signing out everywhere ends every session of the caller, the ones the rows
    // above use too (each caller signs out a session of its own, as for logging out).
    row(
        "POST",
        "/account/sessions/end",
        "/account/sessions/end",
        Body::Form(&[]),
        STAFF,
        303,
    ),
];

/// Who the server's own declaration lets in, in the same terms as the table.
fn declared(access: Access) -> Vec<Who> {
    let roles = [
        (Admin, Role::Admin),
        (Agent, Role::Agent),
        (Analyst, Role::Analyst),
    ];
    match access {
        Access::Public => EVERYONE.to_vec(),
        Access::LoggedIn => STAFF.to_vec(),
        Access::Needs(p) => roles
            .into_iter()
            .filter(|(_, r)| r.can(p))
            .map(|(w, _)| w)
            .collect(),
    }
}

fn limits() -> WebConfig {
    // Every login in this test comes from one address; the limits have their own test.
    WebConfig {
        login_limits: LoginLimits {
            per_pair: 1_000,
            per_address: 1_000,
            per_user: 1_000,
            window: Duration::from_secs(60),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn the_table_lists_every_route_the_server_serves() {
    let world = World::new(limits()).await;
    let served = route_table(&world.state);
    let serves: BTreeSet<(String, String)> = served
        .iter()
        .map(|r| (r.method.to_string(), r.path.clone()))
        .collect();
    assert_eq!(serves.len(), served.len(), "a route is declared twice");
    let listed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert_eq!(listed.len(), ROUTES.len(), "a route is listed twice");
    let untested: Vec<_> = serves.difference(&listed).collect();
    assert!(
        untested.is_empty(),
        "routes the server serves that the access table does not list: {untested:?}"
    );
    let gone: Vec<_> = listed.difference(&serves).collect();
    assert!(
        gone.is_empty(),
        "listed routes the server does not serve: {gone:?}"
    );

    // The server's declared access says the same as the table.
    for r in &served {
        let row = ROUTES
            .iter()
            .find(|x| x.method == r.method.as_str() && x.path == r.path)
            .unwrap();
        assert_eq!(
            declared(r.access),
            row.allowed,
            "{} {} is declared {:?}",
            r.method,
            r.path,
            r.access
        );
        assert_eq!(
            r.surface == Surface::Api,
            r.path.starts_with("/api/"),
            "{} {}",
            r.method,
            r.path
        );
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let world = World::new(limits()).await;
    let answer = world.send(Call::get("/api/v1/openapi.json").build()).await;
    let doc: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if method != "parameters" {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let api: BTreeSet<(String, String)> = route_table(&world.state)
        .into_iter()
        .filter(|r| r.surface == Surface::Api && r.path != "/api/v1/openapi.json")
        .map(|r| (r.method.to_string(), r.path))
        .collect();
    assert_eq!(documented, api);
}

/// The callers: a session (pages) and an API token (API) for each role.
struct Callers {
    sessions: Vec<(Who, Browser)>,
    tokens: Vec<(Who, String)>,
    analyst_id: i64,
    spare_token: i64,
    care: CareSeed,
    team: i64,
    publication: i64,
}

async fn seed(world: &World) -> Callers {
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    for (name, query) in [
        ("Help", "help"),
        ("Doomed", "please"),
        ("ApiDoomed", "thanks"),
    ] {
        world
            .engine
            .add_topic(name, query, Default::default())
            .await
            .unwrap();
    }
    let admin = world.user("admin", Role::Admin).await;
    let agent = world.user("agent", Role::Admin).await;
    let analyst = world.user("analyst", Role::Admin).await;
    let team = seed_care_settings(world).await;
    let all = Permission::ALL;
    let tokens = vec![
        (Admin, world.token_as(&admin, Role::Admin, &all).await),
        (Agent, world.token_as(&agent, Role::Agent, &all).await),
        (Analyst, world.token_as(&analyst, Role::Analyst, &all).await),
    ];
    let spare = world
        .accounts
        .create_api_token(&admin, "spare", &[Permission::ReadTopics])
        .await
        .unwrap();
    let sessions = vec![
        (Admin, world.session("admin").await),
        (Agent, world.session("agent").await),
        (Analyst, world.session("analyst").await),
        (Nobody, Browser::default()),
    ];
    Callers {
        sessions,
        tokens,
        analyst_id: analyst.id.0,
        spare_token: spare.token.id.0,
        care: seed_care_api(world).await,
        team,
        publication: world
            .engine
            .publications()
            .compose(
                admin.id,
                &rapport_engine::publish::Draft {
                    body: "Seeded".into(),
                    ..Default::default()
                },
                chrono::Utc::now(),
            )
            .await
            .unwrap()
            .id
            .0,
    }
}

/// What the care settings rows change: a team, a policy, saved replies, an own account.
async fn seed_care_settings(world: &World) -> i64 {
    let care = world.engine.care();
    care.save_sla_policy(&rapport_domain::SlaPolicy::new("Seeded"), false)
        .await
        .unwrap();
    for name in ["Seeded", "Doomed"] {
        care.add_saved_reply(name, "Thanks!", None).await.unwrap();
    }
    care.set_own_account(rapport_domain::Network::Mastodon, "doomed", true)
        .await
        .unwrap();
    let utc = rapport_domain::BusinessCalendar::parse_tz("UTC").unwrap();
    let spec = rapport_domain::care::TeamSpec {
        name: "Seeded".into(),
        members: Vec::new(),
        calendar: rapport_domain::BusinessCalendar::always_open(utc),
        sla_policy: None,
    };
    care.save_team(None, &spec).await.unwrap().id.0
}

/// What the care API rows work on, made from the cases routing opened on the imported sample.
struct CareSeed {
    case: i64,
    contact: i64,
    /// Per allowed caller: a case to resolve, a contact and another it absorbs, and that
    /// other's identity.
    own: Vec<(Who, [i64; 4])>,
}

async fn seed_care_api(world: &World) -> CareSeed {
    use rapport_domain::care::{InboxQuery, InboxSort, InboxView, PageStart};
    let care = world.engine.care();
    let page = care
        .inbox(&InboxQuery {
            view: InboxView::AllOpen,
            sort: InboxSort::Oldest,
            limit: 500,
            start: PageStart::First,
        })
        .await
        .unwrap();
    let mut contacts: Vec<i64> = Vec::new();
    for item in &page.items {
        if !contacts.contains(&item.contact_id.0) {
            contacts.push(item.contact_id.0);
        }
    }
    assert!(
        page.items.len() >= 3 && contacts.len() >= 5,
        "the sample opens cases"
    );
    let mut own = Vec::new();
    for (n, who) in [Agent, Admin].into_iter().enumerate() {
        let absorbed = contacts[2 + 2 * n];
        let identity = world
            .engine
            .care()
            .store()
            .contacts()
            .contact(rapport_domain::ContactId(absorbed))
            .await
            .unwrap()
            .unwrap()
            .identities[0]
            .id
            .0;
        own.push((
            who,
            [
                page.items[1 + n].id.0,
                contacts[1 + 2 * n],
                absorbed,
                identity,
            ],
        ));
    }
    CareSeed {
        case: page.items[0].id.0,
        contact: contacts[0],
        own,
    }
}

/// `text` with the care placeholders filled in for `who` (refused callers use the agent's).
fn fill_care(text: &str, seed: &CareSeed, who: Who) -> String {
    let own = seed
        .own
        .iter()
        .find(|(w, _)| *w == who)
        .unwrap_or(&seed.own[0])
        .1;
    text.replace("{case}", &seed.case.to_string())
        .replace("{contact}", &seed.contact.to_string())
        .replace("{caller_case}", &own[0].to_string())
        .replace("{caller_contact}", &own[1].to_string())
        .replace("{caller_absorbed}", &own[2].to_string())
        .replace("{caller_identity}", &own[3].to_string())
}

/// A case for the case page rows: a post mentioning an own account, and a saved reply.
async fn seed_case(world: &World) -> i64 {
    use rapport_domain::{Author, Network, Post, PostKey};
    let store = world.engine.store();
    store
        .contacts()
        .set_own_account(Network::X, "accesscare", true)
        .await
        .unwrap();
    let post = Post {
        network: Network::X,
        native_id: "access-case-1".into(),
        author: Author {
            handle: "accesscustomer".into(),
            ..Author::default()
        },
        text: "@accesscare my order never arrived, where is it?".into(),
        created_at: chrono::Utc::now(),
        lang: Some("en".into()),
        reply_to: None,
        reply_to_handle: None,
        root_id: None,
        mentions: vec!["accesscare".into()],
        hashtags: Vec::new(),
        cashtags: Vec::new(),
        links: Vec::new(),
        engagement: Default::default(),
        raw: "{}".into(),
    };
    world.engine.ingest_posts(vec![post]).await.unwrap();
    let key = PostKey {
        network: Network::X,
        native_id: "access-case-1".into(),
    };
    let stored = store.posts().post_by_key(&key).await.unwrap().unwrap();
    let case = store
        .cases()
        .case_of_post(stored.id)
        .await
        .unwrap()
        .expect("a mention of an own account opens a case");
    world
        .engine
        .care()
        .save_saved_reply("Case page", "Hi {{contact.first_name}}", None)
        .await
        .unwrap();
    case.0
}

/// Pre-session form token every caller holds, as if it had loaded the login form.
const PRE: &str = "0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn every_route_lets_in_exactly_the_roles_it_should() {
    let world = World::new(limits()).await;
    let callers = seed(&world).await;
    let case = seed_case(&world).await;
    let mut failures = Vec::new();
    for r in ROUTES {
        let uri = r
            .uri
            .replace("{analyst}", &callers.analyst_id.to_string())
            .replace("{spare_token}", &callers.spare_token.to_string())
            .replace("{page_case}", &case.to_string())
            .replace("{team}", &callers.team.to_string())
            .replace("{publication}", &callers.publication.to_string());
        let api = r.path.starts_with("/api/");
        // Nobody first and the admin last: refused calls must change nothing that a later,
        // allowed one needs.
        for who in [Nobody, Analyst, Agent, Admin] {
            let mut browser = callers
                .sessions
                .iter()
                .find(|(w, _)| *w == who)
                .unwrap()
                .1
                .clone();
            if (r.path == "/logout" || r.path == "/account/sessions/end") && who != Nobody {
                let name = format!("{who:?}").to_lowercase();
                browser = world.session(&name).await;
            }
            let mut call = Call::new(r.method, fill_care(&uri, &callers.care, who))
                .cookie("rapport_csrf", PRE);
            if api {
                if let Some((_, t)) = callers.tokens.iter().find(|(w, _)| *w == who) {
                    call = call.bearer(t);
                }
            } else {
                call = call.by(&browser);
            }
            call = match r.body {
                Body::None => call,
                Body::Json(j) => call.json(&fill_care(j, &callers.care, who)),
                Body::Form(fields) => {
                    // Forms open to anyone carry the pre-session token; the others the
                    // session's.
                    let token = if ["/login", "/setup", "/login/two-factor"].contains(&r.path) {
                        PRE
                    } else {
                        browser.csrf.as_str()
                    };
                    let mut pairs = vec![("csrf", token)];
                    pairs.extend_from_slice(fields);
                    call.form(&pairs)
                }
            };
            let answer = world.send(call.build()).await;
            let allowed = r.allowed.contains(&who);
            let fine = match (allowed, who, api) {
                (true, _, _) => answer.status.as_u16() == r.ok,
                (false, Nobody, true) => answer.status == StatusCode::UNAUTHORIZED,
                (false, Nobody, false) => answer.is_redirect_to("/login"),
                (false, _, _) => answer.status == StatusCode::FORBIDDEN,
            };
            if !fine {
                failures.push(format!(
                    "{} {uri} as {who:?} ({}): got {} {:?} {}",
                    r.method,
                    if allowed { "allowed" } else { "refused" },
                    answer.status,
                    answer.location(),
                    answer.body.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The case rows wrote as the agent and the admin, and nothing as the others.
    let page = world
        .engine
        .care()
        .case_page(rapport_domain::CaseId(case))
        .await
        .unwrap();
    let notes = page.notes.iter().filter(|n| n.body == "Access checked");
    assert_eq!(notes.count(), 2, "{:?}", page.notes);
    let replies = page
        .replies
        .iter()
        .filter(|r| r.entry.body == "Thanks, we are on it.");
    assert_eq!(replies.count(), 2, "{:?}", page.replies);

    // The allowed writes happened, the refused ones did not.
    let topics: Vec<String> = world
        .engine
        .topics()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.topic.name)
        .collect();
    for (name, present) in [
        ("Added", true),
        ("From the API", true),
        ("Doomed", false),
        ("ApiDoomed", false),
        ("Help", true),
    ] {
        assert_eq!(
            topics.contains(&name.to_string()),
            present,
            "{name}: {topics:?}"
        );
    }
    let users: Vec<String> = world
        .accounts
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert!(users.contains(&"newcomer".to_string()));
    assert!(!users.contains(&"intruder".to_string()), "setup ran twice");
    let tokens = world.accounts.api_tokens().await.unwrap();
    let spare = tokens
        .iter()
        .find(|t| t.id.0 == callers.spare_token)
        .unwrap();
    assert!(spare.revoked_at.is_some());
    assert!(tokens.iter().any(|t| t.name == "made here"));
    // The care API writes happened once per allowed caller.
    let care = world.engine.care();
    for (_, [case, keep, absorbed, _]) in &callers.care.own {
        let record = care
            .case(rapport_domain::CaseId(*case))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.case.status, rapport_domain::CaseStatus::Resolved);
        let gone = care
            .contact_fields(rapport_domain::ContactId(*absorbed))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(gone.merged_into, Some(rapport_domain::ContactId(*keep)));
    }
    let shared = care
        .case_page(rapport_domain::CaseId(callers.care.case))
        .await
        .unwrap();
    let notes = shared
        .notes
        .iter()
        .filter(|n| n.body == "noted through the API")
        .count();
    let replies = shared
        .replies
        .iter()
        .filter(|r| r.entry.body == "Thanks, we are on it.")
        .count();
    assert_eq!((notes, replies), (2, 2));
    let care = world.engine.care();
    let team = care
        .team(rapport_domain::TeamId(callers.team))
        .await
        .unwrap();
    assert_eq!(team.name, "Renamed here");
    assert_eq!(care.teams().await.unwrap().len(), 2);
    let policy = care.sla_policy("Seeded").await.unwrap().unwrap();
    assert!((policy.at_risk_fraction() - 0.9).abs() < 1e-9);
    assert!(care.sla_policy("Made here").await.unwrap().is_some());
    assert_eq!(care.rules().await.unwrap().reopen_window_secs, 2 * 86_400);
    let own: Vec<_> = care
        .own_accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.handle)
        .collect();
    assert!(own.contains(&"madehere".to_string()) && !own.contains(&"doomed".to_string()));
    let replies: Vec<_> = care
        .saved_replies()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.name, r.body))
        .collect();
    assert!(replies.contains(&("Seeded".to_string(), "Changed here".to_string())));
    assert!(replies.iter().any(|(n, _)| n == "Made here"));
    assert!(!replies.iter().any(|(n, _)| n == "Doomed"));
}
