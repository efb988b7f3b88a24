//! Replies: the composer's length check, the durable outbox, saved replies rendered with the
//! domain templates, and suggested answers from similar resolved cases.

use super::{Care, CareError, ChangeKind, Result};
use chrono::{DateTime, Utc};
use rapport_domain::care::{NewReply, OutboxEntry, ReplyId, ReplyOutcome, ReplyStatus, SavedReply};
use rapport_domain::{
    CaseAction, CaseId, CaseStatus, ContactId, Network, PersonVars, PostId, SourceCase, Template,
    TemplateContext, UserId, compose, generalize,
};
use serde::Serialize;

/// What the composer shows under the reply box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ComposerCount {
    pub network: Network,
    /// The length as the network counts it.
    pub count: usize,
    pub limit: Option<usize>,
    /// Negative when over the limit.
    pub remaining: Option<i64>,
    pub fits: bool,
}

/// A suggested answer: what an agent replied on a similar resolved case, made a template and
/// filled in for this case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The similar case the reply was given on.
    pub case_id: CaseId,
    /// Higher is more similar.
    pub score: f64,
    /// The reply as a template: the source customer's details replaced by variables and
    /// visible blanks such as `[number]`.
    pub template: String,
    /// The template rendered for this case's customer and the asking agent.
    pub text: String,
}

/// Counts a reply the way `network` will.
pub fn compose_count(network: Network, text: &str) -> ComposerCount {
    ComposerCount {
        network,
        count: compose::count(network, text),
        limit: compose::limit(network),
        remaining: compose::remaining(network, text),
        fits: compose::fits(network, text),
    }
}

impl Care {
    /// Counts a reply on this case as it will go out, answering the case's latest customer
    /// post: on Mastodon with that customer's `@acct` in front when the reply does not name
    /// them ([`compose::as_posted`]).
    pub async fn reply_count(&self, id: CaseId, text: &str) -> Result<ComposerCount> {
        let record = self.load(id).await?;
        let answered = self.latest_customer_post(id).await?;
        self.count_as_posted(record.network, answered, text).await
    }

    /// The post a reply on this case answers: the customer's latest.
    async fn latest_customer_post(&self, id: CaseId) -> Result<Option<PostId>> {
        let posts = self.store.cases().case_posts(id).await?;
        Ok(posts
            .iter()
            .rev()
            .find(|p| p.from_customer)
            .map(|p| p.post_id))
    }

    /// Counts `text` as it goes out answering `answered`; the answered post is read only on a
    /// network whose replies name the account they answer.
    pub(super) async fn count_as_posted(
        &self,
        network: Network,
        answered: Option<PostId>,
        text: &str,
    ) -> Result<ComposerCount> {
        let handle = match answered {
            Some(post) if compose::names_answered(network) => self
                .store
                .posts()
                .post(post)
                .await?
                .map(|p| p.post.author.handle),
            _ => None,
        };
        let posted = compose::as_posted(network, text, handle.as_deref());
        Ok(compose_count(network, &posted))
    }

    /// Queues a reply to a case in the outbox, after the composer's length check and the
    /// network's reply rules ([`Care::reply_rule`]). The same `idempotency_key` queues it once
    /// (a double click, a retried request); the key is the case's: it returns the reply it
    /// queued on this case, and a different body or another case with it is `KeyReused`.
    pub async fn queue_reply(
        &self,
        id: CaseId,
        author: UserId,
        body: &str,
        idempotency_key: &str,
        at: DateTime<Utc>,
    ) -> Result<OutboxEntry> {
        if body.trim().is_empty() {
            return Err(CareError::invalid("reply", "the reply is empty"));
        }
        if idempotency_key.trim().is_empty() {
            return Err(CareError::invalid("idempotency_key", "the key is empty"));
        }
        let record = self.case_to_change(id).await?;
        let in_reply_to = self.latest_customer_post(id).await?;
        let count = self
            .count_as_posted(record.network, in_reply_to, body)
            .await?;
        if let (false, Some(limit)) = (count.fits, count.limit) {
            return Err(CareError::TooLong {
                network: record.network,
                count: count.count,
                limit,
            });
        }
        if let Some(reason) = self.reply_rule(id).await? {
            return Err(CareError::ReplyNotAllowed(reason));
        }
        let (entry, created) = self
            .store
            .outbox()
            .enqueue_reply(&NewReply {
                case_id: id,
                network: record.network,
                in_reply_to,
                body: body.to_string(),
                author,
                idempotency_key: idempotency_key.to_string(),
                at,
            })
            .await?;
        if !created && (entry.case_id != Some(id) || entry.body != body) {
            return Err(CareError::KeyReused(idempotency_key.to_string()));
        }
        if created {
            self.announce(&record, ChangeKind::ReplyQueued, at);
            // Answering a new case takes it up, as a help desk does: the customer has been
            // answered and the case is no longer waiting for someone to notice it.
            if record.case.status == CaseStatus::New {
                self.apply(id, CaseAction::Open, author, at).await?;
            }
        }
        Ok(entry)
    }

    /// Outbox entries, optionally of one status.
    pub async fn outbox(
        &self,
        status: Option<ReplyStatus>,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>> {
        Ok(self.store.outbox().outbox(status, limit).await?)
    }

    /// Records what a publisher did with an outbox entry.
    pub async fn mark_reply(
        &self,
        id: ReplyId,
        outcome: &ReplyOutcome,
        at: DateTime<Utc>,
    ) -> Result<OutboxEntry> {
        Ok(self.store.outbox().mark_reply(id, outcome, at).await?)
    }

    /// Stores a saved reply after checking its template.
    pub async fn save_saved_reply(
        &self,
        name: &str,
        body: &str,
        shortcut: Option<&str>,
    ) -> Result<SavedReply> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(CareError::invalid("name", "use 1 to 100 characters"));
        }
        Template::parse(body)?;
        let shortcut = shortcut.map(str::trim).filter(|s| !s.is_empty());
        Ok(self
            .store
            .notes()
            .put_saved_reply(name, body, shortcut)
            .await?)
    }

    pub async fn saved_replies(&self) -> Result<Vec<SavedReply>> {
        Ok(self.store.notes().saved_replies().await?)
    }

    pub async fn remove_saved_reply(&self, name: &str) -> Result<bool> {
        Ok(self.store.notes().remove_saved_reply(name).await?)
    }

    /// Renders a saved reply for a case: the contact's name from the store, the agent's and
    /// the brand's as given.
    pub async fn render_saved_reply(
        &self,
        name: &str,
        id: CaseId,
        agent: PersonVars,
        brand_name: Option<String>,
    ) -> Result<String> {
        let saved = self
            .store
            .notes()
            .saved_reply(name)
            .await?
            .ok_or_else(|| CareError::NoSuchSavedReply(name.to_string()))?;
        let record = self.load(id).await?;
        let contact = self
            .store
            .contact_book()
            .contact_fields(record.case.contact_id)
            .await?;
        let ctx = TemplateContext {
            contact: PersonVars {
                name: contact.map(|c| c.name),
                first_name: None,
            },
            agent,
            case_id: Some(id),
            brand_name,
        };
        Ok(Template::parse(&saved.body)?.render(&ctx))
    }

    /// Replies given on the resolved cases most similar to this one (full-text similarity over
    /// what the customers wrote), best first, at most `limit`, each made a template for this
    /// case first ([`rapport_domain::generalize`]): the other customer's name, handles, case
    /// and order numbers and links never reach this customer. `agent` fills the agent's
    /// variables; suggestions that come out the same are offered once.
    pub async fn suggest_replies(
        &self,
        id: CaseId,
        agent: PersonVars,
        limit: usize,
    ) -> Result<Vec<Suggestion>> {
        let posts = self.store.cases().case_posts(id).await?;
        let mut text = String::new();
        for p in posts.iter().filter(|p| p.from_customer) {
            if let Some(post) = self.store.posts().post(p.post_id).await? {
                text.push_str(&post.post.text);
                text.push('\n');
            }
        }
        let similar = self
            .store
            .inbox()
            .similar_resolved_cases(&text, Some(id), limit.max(1) as u32 * 2)
            .await?;
        if similar.is_empty() {
            return Ok(Vec::new());
        }
        let own: Vec<String> = self
            .store
            .contacts()
            .own_accounts()
            .await?
            .into_iter()
            .map(|i| i.handle)
            .collect();
        let record = self.load(id).await?;
        let ctx = TemplateContext {
            contact: PersonVars {
                name: self.contact_name(record.case.contact_id).await?,
                first_name: None,
            },
            agent,
            case_id: Some(id),
            brand_name: None,
        };
        let mut out: Vec<Suggestion> = Vec::new();
        for (case_id, score) in similar {
            let source = self.source_case(case_id).await?;
            let mut replies = Vec::new();
            for p in self.store.cases().case_posts(case_id).await? {
                if !p.from_customer
                    && let Some(post) = self.store.posts().post(p.post_id).await?
                {
                    replies.push(post.post.text);
                }
            }
            for r in self.store.outbox().case_replies(case_id).await? {
                if r.status != ReplyStatus::Failed {
                    replies.push(r.body);
                }
            }
            for reply in replies {
                let template = generalize(&reply, &source, &own);
                let Ok(parsed) = Template::parse(&template) else {
                    continue;
                };
                let text = parsed.render(&ctx);
                if out.len() < limit && !text.is_empty() && !out.iter().any(|s| s.text == text) {
                    out.push(Suggestion {
                        case_id,
                        score,
                        template,
                        text,
                    });
                }
            }
        }
        Ok(out)
    }

    /// The name a contact goes by: the one an agent gave, else the one from the network.
    async fn contact_name(&self, contact: ContactId) -> Result<Option<String>> {
        Ok(
            match self.store.contact_book().contact_fields(contact).await? {
                Some(fields) if !fields.name.trim().is_empty() => Some(fields.name),
                _ => self
                    .store
                    .contacts()
                    .contact(contact)
                    .await?
                    .map(|c| c.name),
            },
        )
    }

    /// Everything by which a reply on case `id` could name its customer.
    async fn source_case(&self, id: CaseId) -> Result<SourceCase> {
        let record = self.load(id).await?;
        let contact_id = record.case.contact_id;
        let mut names = Vec::new();
        if let Some(fields) = self.store.contact_book().contact_fields(contact_id).await? {
            names.push(fields.name);
        }
        if let Some(contact) = self.store.contacts().contact(contact_id).await? {
            names.push(contact.name);
            for identity in contact.identities {
                names.extend(identity.display_name);
                names.push(identity.handle);
            }
        }
        Ok(SourceCase {
            case_id: Some(id),
            names,
        })
    }
}
