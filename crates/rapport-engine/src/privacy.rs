//! Privacy requests about one person: everything held on a contact, exported whole; and the
//! contact erased (see `rapport_store::privacy` for what erasure empties and keeps).

use crate::{Engine, EngineError, Result};
use chrono::{DateTime, Utc};
use rapport_domain::care::{CasePost, CaseRecord, ContactFields, Lead, Note, OutboxEntry};
use rapport_domain::{CaseEvent, Contact, ContactId, StoredPost};
use serde::Serialize;

pub use rapport_store::privacy::{ERASED, Erasure};

/// Everything Rapport holds on one contact, as a data subject may ask for it.
#[derive(Debug, Clone, Serialize)]
pub struct ContactExport {
    pub exported_at: DateTime<Utc>,
    /// The contact and its identities on each network.
    pub contact: Contact,
    /// What the team recorded: email, company, CRM id, tags, stage.
    pub fields: Option<ContactFields>,
    /// Every post of the contact's identities, oldest first, with the record as the network
    /// or the import gave it and the labels Rapport put on it.
    pub posts: Vec<StoredPost>,
    /// The contact's cases, each with its posts, history, notes and replies.
    pub cases: Vec<CaseExport>,
    pub leads: Vec<Lead>,
}

/// One case of an export.
#[derive(Debug, Clone, Serialize)]
pub struct CaseExport {
    pub case: CaseRecord,
    pub posts: Vec<CasePost>,
    pub events: Vec<CaseEvent>,
    pub notes: Vec<Note>,
    pub replies: Vec<OutboxEntry>,
}

impl Engine {
    /// Everything held on `id`; `NotFound` for an unknown contact.
    pub async fn export_contact(&self, id: ContactId) -> Result<ContactExport> {
        let store = self.store();
        let contact = store
            .contacts()
            .contact(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("contact {id}")))?;
        let mut cases = Vec::new();
        for case in store.cases().contact_cases(id).await? {
            let case_id = case.case.id;
            cases.push(CaseExport {
                posts: store.cases().case_posts(case_id).await?,
                events: store.cases().case_events(case_id).await?,
                notes: store.notes().notes(case_id).await?,
                replies: store.outbox().case_replies(case_id).await?,
                case,
            });
        }
        Ok(ContactExport {
            exported_at: Utc::now(),
            fields: store.contact_book().contact_fields(id).await?,
            posts: store.contacts().contact_timeline(id, u32::MAX).await?,
            leads: store.leads().contact_leads(id).await?,
            cases,
            contact,
        })
    }

    /// Erases what is held on `id`, in one transaction. `NotFound` for an unknown contact,
    /// `Conflict` while a reply to it is being sent.
    pub async fn erase_contact(&self, id: ContactId) -> Result<Erasure> {
        Ok(self.store().privacy().erase_contact(id, Utc::now()).await?)
    }
}
