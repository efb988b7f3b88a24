//! Contacts: the contact list, fields, merging two contacts, splitting an identity off, the
//! timeline of every touchpoint, and leads.

use super::{Care, CareError, Result};
use chrono::{DateTime, Utc};
use rapport_domain::care::{
    CaseRecord, ContactFields, ContactPage, ContactQuery, Lead, LeadCursor, LeadPage, Note,
    OutboxEntry,
};
use rapport_domain::{CaseId, CaseStatus, Contact, ContactId, IdentityId, StoredPost};
use serde::Serialize;
use std::collections::BTreeSet;

/// One touchpoint on a contact's timeline.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TimelineEntry {
    Post {
        at: DateTime<Utc>,
        post: Box<StoredPost>,
    },
    CaseOpened {
        at: DateTime<Utc>,
        case_id: CaseId,
        status: CaseStatus,
    },
    Reply {
        at: DateTime<Utc>,
        reply: OutboxEntry,
    },
    Note {
        at: DateTime<Utc>,
        note: Note,
    },
}

impl TimelineEntry {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::Post { at, .. }
            | Self::CaseOpened { at, .. }
            | Self::Reply { at, .. }
            | Self::Note { at, .. } => *at,
        }
    }

    /// Same-instant entries read in the order things happen: the post, the case it opened,
    /// then notes and replies.
    fn rank(&self) -> u8 {
        match self {
            Self::Post { .. } => 0,
            Self::CaseOpened { .. } => 1,
            Self::Note { .. } => 2,
            Self::Reply { .. } => 3,
        }
    }
}

/// One page of [`FlaggedLead`]s.
#[derive(Debug, Clone)]
pub struct FlaggedLeadPage {
    pub items: Vec<FlaggedLead>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<LeadCursor>,
}

/// A lead flag with the post that raised it (`None` when that post is no longer stored).
#[derive(Debug, Clone, Serialize)]
pub struct FlaggedLead {
    pub lead: Lead,
    pub post: Option<StoredPost>,
}

fn normalize_tags(tags: &BTreeSet<String>) -> Result<BTreeSet<String>> {
    tags.iter()
        .map(|t| {
            let t = t.trim();
            if t.is_empty() || t.chars().any(char::is_whitespace) || t.chars().count() > 64 {
                return Err(CareError::invalid(
                    "tags",
                    format!("'{t}' must be 1 to 64 characters without spaces"),
                ));
            }
            Ok(t.to_lowercase())
        })
        .collect()
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl Care {
    /// One page of the contact list, shared by the web page and the API: see
    /// [`ContactQuery`] for what the text, stage, tag and own-account filters match and
    /// [`rapport_domain::care::ContactSort`] for the orders. The next page starts at the
    /// returned `next` cursor with the same filters and sort.
    pub async fn contacts(&self, query: &ContactQuery) -> Result<ContactPage> {
        if !(1..=500).contains(&query.limit) {
            return Err(CareError::invalid(
                "limit",
                format!("{} is outside 1 to 500", query.limit),
            ));
        }
        if query.text.chars().count() > 200 {
            return Err(CareError::invalid(
                "q",
                "the search text is longer than 200 characters",
            ));
        }
        if let (Some(cursor), sort) = (&query.after, query.sort) {
            let matches = matches!(
                (cursor, sort),
                (
                    rapport_domain::care::ContactCursor::LastActivity { .. },
                    rapport_domain::care::ContactSort::LastActivity
                ) | (
                    rapport_domain::care::ContactCursor::Name { .. },
                    rapport_domain::care::ContactSort::Name
                )
            );
            if !matches {
                return Err(CareError::invalid(
                    "after",
                    format!("cursor '{cursor}' belongs to another sort"),
                ));
            }
        }
        Ok(self.store.contact_book().contacts(query).await?)
    }

    /// A contact with its identities; `None` for an unknown id.
    pub async fn contact(&self, id: ContactId) -> Result<Option<Contact>> {
        Ok(self.store.contacts().contact(id).await?)
    }

    /// The contact's cases, oldest first.
    pub async fn contact_cases(&self, id: ContactId) -> Result<Vec<CaseRecord>> {
        Ok(self.store.cases().contact_cases(id).await?)
    }

    /// [`Care::leads`] with the post behind each flag.
    pub async fn leads_with_posts(
        &self,
        after: Option<LeadCursor>,
        limit: u32,
    ) -> Result<FlaggedLeadPage> {
        let page = self.leads(after, limit).await?;
        Ok(FlaggedLeadPage {
            items: self.with_posts(page.items).await?,
            next: page.next,
        })
    }

    /// [`Care::contact_leads`] with the post behind each flag.
    pub async fn contact_leads_with_posts(&self, id: ContactId) -> Result<Vec<FlaggedLead>> {
        let leads = self.store.leads().contact_leads(id).await?;
        self.with_posts(leads).await
    }

    async fn with_posts(&self, leads: Vec<Lead>) -> Result<Vec<FlaggedLead>> {
        let mut out = Vec::with_capacity(leads.len());
        for lead in leads {
            let post = self.store.posts().post(lead.post_id).await?;
            out.push(FlaggedLead { lead, post });
        }
        Ok(out)
    }

    pub async fn contact_fields(&self, id: ContactId) -> Result<Option<ContactFields>> {
        Ok(self.store.contact_book().contact_fields(id).await?)
    }

    /// Replaces a contact's fields after checking them.
    pub async fn set_contact_fields(&self, id: ContactId, fields: &ContactFields) -> Result<()> {
        let name = fields.name.trim();
        if name.is_empty() {
            return Err(CareError::invalid("name", "the name is empty"));
        }
        let email = clean(&fields.email);
        if let Some(e) = &email
            && (e.chars().any(char::is_whitespace)
                || e.split_once('@')
                    .is_none_or(|(u, d)| u.is_empty() || !d.contains('.')))
        {
            return Err(CareError::invalid(
                "email",
                format!("'{e}' is not an address"),
            ));
        }
        let fields = ContactFields {
            name: name.to_string(),
            email,
            company: clean(&fields.company),
            crm_id: clean(&fields.crm_id),
            tags: normalize_tags(&fields.tags)?,
            stage: fields.stage,
            merged_into: None,
        };
        Ok(self
            .store
            .contact_book()
            .set_contact_fields(id, &fields)
            .await?)
    }

    /// Merges `absorb` into `keep`: identities, cases, leads and missing fields move over.
    pub async fn merge_contacts(&self, keep: ContactId, absorb: ContactId) -> Result<()> {
        Ok(self
            .store
            .contact_book()
            .merge_contacts(keep, absorb)
            .await?)
    }

    /// Splits an identity off into a new contact named `name` (with the cases its posts
    /// opened); returns the new contact.
    pub async fn split_identity(&self, identity: IdentityId, name: &str) -> Result<ContactId> {
        Ok(self
            .store
            .contact_book()
            .split_identity(identity, name.trim())
            .await?)
    }

    /// One page of leads, one row per contact, the latest flag first, starting after
    /// `after` (the `next` of the page before); `limit` is 1 to 500.
    pub async fn leads(&self, after: Option<LeadCursor>, limit: u32) -> Result<LeadPage> {
        if !(1..=500).contains(&limit) {
            return Err(CareError::invalid(
                "limit",
                format!("{limit} is outside 1 to 500"),
            ));
        }
        Ok(self.store.leads().leads(after, limit).await?)
    }

    pub async fn contact_leads(&self, id: ContactId) -> Result<Vec<Lead>> {
        Ok(self.store.leads().contact_leads(id).await?)
    }

    /// The touchpoints with a contact in order, oldest first: their posts, the cases opened,
    /// notes and replies; the newest `limit` of them, so a long history shows its recent end.
    pub async fn timeline(&self, id: ContactId, limit: u32) -> Result<Vec<TimelineEntry>> {
        let mut out: Vec<TimelineEntry> = self
            .store
            .contacts()
            .contact_timeline(id, limit)
            .await?
            .into_iter()
            .map(|p| TimelineEntry::Post {
                at: p.post.created_at,
                post: Box::new(p),
            })
            .collect();
        // Only the newest `limit` entries are kept, so no more cases than that can show.
        out.extend(
            self.store
                .as_ref()
                .cases()
                .recent_contact_cases(id, limit)
                .await?
                .into_iter()
                .map(|c| TimelineEntry::CaseOpened {
                    at: c.case.opened_at,
                    case_id: c.case.id,
                    status: c.case.status,
                }),
        );
        out.extend(
            self.store
                .as_ref()
                .notes()
                .contact_notes(id)
                .await?
                .into_iter()
                .map(|n| TimelineEntry::Note {
                    at: n.created_at,
                    note: n,
                }),
        );
        out.extend(
            self.store
                .outbox()
                .contact_replies(id)
                .await?
                .into_iter()
                .map(|r| TimelineEntry::Reply {
                    at: r.created_at,
                    reply: r,
                }),
        );
        out.sort_by_key(|e| (e.at(), e.rank()));
        let keep = (limit as usize).min(out.len());
        out.drain(..out.len() - keep);
        Ok(out)
    }
}
