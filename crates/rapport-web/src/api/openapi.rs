//! `GET /api/v1/openapi.json`: the API described from the handlers' own annotations.

use super::dto;
use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Rapport API", description = "Rapport's JSON API. Call it with `Authorization: Bearer <API token>`; admins create tokens under Users & tokens. Errors are `{\"error\": {\"code\", \"message\"}}` with a stable code."),
    paths(
        super::me::me,
        super::cases::list,
        super::cases::counts,
        super::cases::show,
        super::views::list,
        super::views::create,
        super::views::delete,
        super::case_actions::assign,
        super::case_actions::status,
        super::case_actions::priority,
        super::case_actions::add_tag,
        super::case_actions::remove_tag,
        super::case_actions::add_note,
        super::case_actions::queue_reply,
        super::contacts_list::list,
        super::contacts::show,
        super::contacts::update,
        super::contacts::timeline,
        super::contacts::merge,
        super::contacts::split,
        super::contacts_privacy::export,
        super::contacts_privacy::erase,
        super::leads::list,
        super::outbox::list,
        super::outbox::show,
        super::outbox::resend,
        super::posts::search,
        super::search::everywhere,
        super::publications::list,
        super::publications::show,
        super::publications::create,
        super::publications::update,
        super::publications::delete,
        super::publications::preview,
        super::publications::submit,
        super::publications::approve,
        super::publications::send_back,
        super::publications::unschedule,
        super::stats::stats,
        super::reports_care::care,
        super::reports_listening::summary::summary,
        super::reports_listening::volume::volume,
        super::reports_listening::share::share,
        super::reports_listening::intents::intents,
        super::reports_listening::authors::authors,
        super::reports_listening::trending::trending,
        super::reports_listening::posts::posts,
        super::topics_list::list,
        super::topic_create::create,
        super::topic_delete::delete,
        super::topic_matches::matches,
        super::users::list,
        super::audit::list,
    ),
    components(schemas(dto::ErrorBody, dto::ErrorDetail)),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
