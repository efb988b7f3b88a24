//! `GET /contacts/{id}`: the contact's identities per network, its fields form, the leads
//! flagged on it, every touchpoint newest first, and the merge and split forms.

use super::{Chrome, Row, enc, excerpt, failed, not_found, render, when};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rapport_domain::ContactId;
use rapport_domain::care::{ContactFields, ContactQuery, LifecycleStage};
use rapport_engine::accounts::Principal;
use rapport_engine::care::TimelineEntry;
use serde::Deserialize;

/// Posts read for the timeline.
const TIMELINE_POSTS: u32 = 500;
/// Contacts offered by the merge search.
const MERGE_CHOICES: u32 = 20;

/// What the page's query string may carry: a fixed flash key and the merge search.
#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    #[serde(default)]
    done: String,
    #[serde(default)]
    merge_q: String,
}

/// The message a redirect's `?done=` key stands for; fixed texts only.
fn flash_text(key: &str) -> &'static str {
    match key {
        "saved" => "Contact saved.",
        "merged" => {
            "Contacts merged: the other contact's identities, cases and leads are now here."
        }
        "split" => "Identity split off into this new contact.",
        "was-merged" => "The contact you opened was merged into this one.",
        "erased" => {
            "Erased: this contact's posts, identities, details, leads and what its cases and \
             replies said are gone; the counts remain."
        }
        _ => "",
    }
}

/// A contact id from the path: `None` for anything but a positive number.
pub(crate) fn contact_id(raw: &str) -> Option<ContactId> {
    raw.parse::<i64>().ok().filter(|i| *i > 0).map(ContactId)
}

pub(crate) struct IdentityView {
    pub id: i64,
    pub network: String,
    pub handle: String,
    pub display_name: String,
    pub followers: String,
    pub own: bool,
}

pub(crate) struct EntryView {
    /// post, case, reply or note
    pub kind: &'static str,
    pub at: String,
    pub title: String,
    pub text: String,
    /// `/cases/{id}` for case entries (and posts and replies of a case); empty otherwise.
    pub case_url: String,
    pub status: String,
}

pub(crate) struct LeadView {
    pub at: String,
    pub post: String,
    pub network: String,
}

/// The fields form as it is shown: stored values, or what was typed when saving failed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FieldsForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub crm_id: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub stage: String,
}

impl FieldsForm {
    fn from_fields(f: &ContactFields) -> Self {
        FieldsForm {
            name: f.name.clone(),
            email: f.email.clone().unwrap_or_default(),
            company: f.company.clone().unwrap_or_default(),
            crm_id: f.crm_id.clone().unwrap_or_default(),
            tags: f.tags.iter().cloned().collect::<Vec<_>>().join(", "),
            stage: f.stage.map(|s| s.as_str().to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "contact.html")]
pub(crate) struct ContactPage {
    pub chrome: Chrome,
    pub id: i64,
    pub name: String,
    pub flash: &'static str,
    pub error: String,
    /// Which form the error belongs to: fields, merge or split.
    pub error_form: &'static str,
    pub can_write: bool,
    pub identities: Vec<IdentityView>,
    pub fields: FieldsForm,
    pub stages: Vec<&'static str>,
    pub leads: Vec<LeadView>,
    pub timeline: Vec<EntryView>,
    pub merge_q: String,
    pub merge_choices: Vec<Row>,
    pub merge_searched: bool,
}

/// Why the page could not be built.
pub(crate) enum Failure {
    NoSuchContact,
    MergedInto(ContactId),
    Other(String),
}

fn entry(e: TimelineEntry) -> EntryView {
    match e {
        TimelineEntry::Post { at, post } => EntryView {
            kind: "post",
            at: when(at),
            title: format!(
                "{} post by @{}{}",
                post.post.network,
                post.post.author.handle,
                if post.from_own_account {
                    " (own account)"
                } else {
                    ""
                }
            ),
            text: post.post.text.clone(),
            case_url: String::new(),
            status: String::new(),
        },
        TimelineEntry::CaseOpened {
            at,
            case_id,
            status,
        } => EntryView {
            kind: "case",
            at: when(at),
            title: format!("Case {case_id} opened"),
            text: String::new(),
            case_url: format!("/cases/{case_id}"),
            status: status.to_string(),
        },
        TimelineEntry::Reply { at, reply } => EntryView {
            kind: "reply",
            at: when(at),
            // A contact's timeline holds replies to its cases only.
            title: reply
                .case_id
                .map_or_else(|| "Reply".to_string(), |c| format!("Reply on case {c}")),
            text: reply.body.clone(),
            case_url: reply
                .case_id
                .map_or_else(String::new, |c| format!("/cases/{c}")),
            status: reply.status.as_str().to_string(),
        },
        TimelineEntry::Note { at, note } => EntryView {
            kind: "note",
            at: when(at),
            title: format!("Internal note on case {}", note.case_id),
            text: note.body.clone(),
            case_url: format!("/cases/{}", note.case_id),
            status: String::new(),
        },
    }
}

/// Builds the page; `typed` replaces the stored fields in the form (after a failed save).
pub(crate) async fn build(
    state: &AppState,
    p: &Principal,
    id: ContactId,
    merge_q: &str,
    typed: Option<FieldsForm>,
) -> Result<ContactPage, Failure> {
    let care = state.engine.care();
    let other = |e: rapport_engine::care::CareError| Failure::Other(e.to_string());
    let contact = care
        .contact(id)
        .await
        .map_err(other)?
        .ok_or(Failure::NoSuchContact)?;
    let fields = care
        .contact_fields(id)
        .await
        .map_err(other)?
        .ok_or(Failure::NoSuchContact)?;
    if let Some(keep) = fields.merged_into {
        return Err(Failure::MergedInto(keep));
    }
    let mut timeline: Vec<EntryView> = care
        .timeline(id, TIMELINE_POSTS)
        .await
        .map_err(other)?
        .into_iter()
        .map(entry)
        .collect();
    // The care use case gives the timeline oldest first; the page reads newest first.
    timeline.reverse();
    let leads = care
        .contact_leads_with_posts(id)
        .await
        .map_err(other)?
        .into_iter()
        .map(|l| LeadView {
            at: when(l.lead.at),
            post: l
                .post
                .as_ref()
                .map(|s| excerpt(&s.post.text, 280))
                .unwrap_or_default(),
            network: l
                .post
                .as_ref()
                .map(|s| s.post.network.to_string())
                .unwrap_or_default(),
        })
        .collect();
    let merge_q = merge_q.trim();
    let mut merge_choices = Vec::new();
    if !merge_q.is_empty() {
        let found = care
            .contacts(&ContactQuery {
                text: merge_q.to_string(),
                include_own: true,
                limit: MERGE_CHOICES,
                ..ContactQuery::default()
            })
            .await
            .map_err(other)?;
        merge_choices.extend(found.items.into_iter().map(Row::new));
        // A number names a contact directly.
        if let Some(n) = contact_id(merge_q.trim_start_matches('#'))
            && !merge_choices.iter().any(|r| r.id == n.0)
            && let Some(c) = care.contact(n).await.map_err(other)?
            && let Some(f) = care.contact_fields(n).await.map_err(other)?
            && f.merged_into.is_none()
        {
            merge_choices.push(Row {
                id: c.id.0,
                name: c.name.clone(),
                identities: c
                    .identities
                    .iter()
                    .map(|i| format!("{} @{}", i.network, i.handle))
                    .collect(),
                email: f.email.unwrap_or_default(),
                company: f.company.unwrap_or_default(),
                stage: f.stage.map(|s| s.as_str().to_string()).unwrap_or_default(),
                tags: f.tags.into_iter().collect(),
                posts: 0,
                open_cases: 0,
                last: String::new(),
            });
        }
        merge_choices.retain(|r| r.id != id.0);
    }
    Ok(ContactPage {
        chrome: Chrome::for_principal(p, &contact.name, "contacts"),
        id: id.0,
        name: contact.name.clone(),
        flash: "",
        error: String::new(),
        error_form: "",
        can_write: p.can(rapport_domain::Permission::WriteContacts),
        identities: contact
            .identities
            .iter()
            .map(|i| IdentityView {
                id: i.id.0,
                network: i.network.to_string(),
                handle: i.handle.clone(),
                display_name: i.display_name.clone().unwrap_or_default(),
                followers: i.followers.map(|f| f.to_string()).unwrap_or_default(),
                own: i.own_account,
            })
            .collect(),
        fields: typed.unwrap_or_else(|| FieldsForm::from_fields(&fields)),
        stages: LifecycleStage::ALL.iter().map(|s| s.as_str()).collect(),
        leads,
        timeline,
        merge_q: merge_q.to_string(),
        merge_choices,
        merge_searched: !merge_q.is_empty(),
    })
}

/// Shows the page, with a form error when one is given.
pub(crate) async fn page(
    state: &AppState,
    p: &Principal,
    id: ContactId,
    flash: &'static str,
    error: Option<(StatusCode, &'static str, String)>,
    typed: Option<FieldsForm>,
) -> Response {
    match build(state, p, id, "", typed).await {
        Ok(mut page) => {
            page.flash = flash;
            let status = match error {
                Some((status, form, text)) => {
                    page.error = text;
                    page.error_form = form;
                    status
                }
                None => StatusCode::OK,
            };
            render(status, &page)
        }
        Err(Failure::NoSuchContact) => not_found(p, &id.to_string()),
        Err(Failure::MergedInto(keep)) => {
            Redirect::to(&format!("/contacts/{keep}?done=was-merged")).into_response()
        }
        Err(Failure::Other(e)) => failed(p, e),
    }
}

/// `GET /contacts/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Path(raw): Path<String>,
    Query(params): Query<ShowParams>,
) -> Response {
    let Some(id) = contact_id(&raw) else {
        return not_found(&p, &raw);
    };
    match build(&state, &p, id, &params.merge_q, None).await {
        Ok(mut page) => {
            page.flash = flash_text(&params.done);
            render(StatusCode::OK, &page)
        }
        Err(Failure::NoSuchContact) => not_found(&p, &raw),
        Err(Failure::MergedInto(keep)) => Redirect::to(&format!(
            "/contacts/{keep}?done=was-merged&merge_q={}",
            enc(&params.merge_q)
        ))
        .into_response(),
        Err(Failure::Other(e)) => failed(&p, e),
    }
}
