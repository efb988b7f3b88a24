//! The care capabilities once for both backends, delegating to the shared queries.

use super::*;

#[async_trait]
impl<D: Dialect> SettingsStore for SqlStore<D> {
    async fn care_setting(&self, key: CareSettingKey) -> Result<Option<CareSetting>> {
        care_setting(self.pool(), key).await
    }

    async fn set_care_setting(&self, setting: &CareSetting) -> Result<()> {
        set_care_setting(self.pool(), setting).await
    }

    async fn put_sla_policy(&self, policy: &SlaPolicy) -> Result<()> {
        put_sla_policy(self.pool(), policy).await
    }

    async fn sla_policy(&self, name: &str) -> Result<Option<SlaPolicy>> {
        sla_policy(self.pool(), name).await
    }

    async fn sla_policies(&self) -> Result<Vec<SlaPolicy>> {
        sla_policies(self.pool()).await
    }

    async fn put_team(&self, team: &TeamSpec) -> Result<Team> {
        put_team(self.pool(), team).await
    }

    async fn team(&self, id: TeamId) -> Result<Option<Team>> {
        team_by_id(self.pool(), id).await
    }

    async fn teams(&self) -> Result<Vec<Team>> {
        teams(self.pool()).await
    }

    async fn rename_team(&self, id: TeamId, name: &str) -> Result<Team> {
        rename_team(self.pool(), id, name).await
    }

    async fn next_round_robin(&self, team: TeamId) -> Result<Option<UserId>> {
        next_round_robin(self.pool(), team).await
    }
}

#[async_trait]
impl<D: Dialect> RoutingStore for SqlStore<D> {
    async fn route_candidates(&self, posts: &[PostId]) -> Result<Vec<RouteCandidate>> {
        route_candidates::<D>(self.pool(), posts).await
    }

    async fn unrouted_posts(&self, limit: u32) -> Result<Unrouted> {
        unrouted_posts(self.pool(), limit).await
    }

    async fn unrouted_count(&self) -> Result<(PostId, u64)> {
        unrouted_count(self.pool()).await
    }

    async fn later_unattached_posts(
        &self,
        after: &[(ConversationId, DateTime<Utc>, PostId)],
        limit_each: u32,
    ) -> Result<Vec<(ConversationId, PostId)>> {
        later_unattached_posts::<D>(self.pool(), after, limit_each).await
    }

    async fn write_cases(
        &self,
        writes: &[CaseWrite],
        routed: Option<RoutedThrough>,
    ) -> Result<Vec<CaseRecord>> {
        write_cases::<D>(self.pool(), writes, routed).await
    }
}

#[async_trait]
impl<D: Dialect> CaseStore for SqlStore<D> {
    async fn create_case(
        &self,
        record: &CaseRecord,
        posts: &[CasePost],
        events: &[CaseEvent],
    ) -> Result<CaseRecord> {
        create_case::<D>(self.pool(), record, posts, events).await
    }

    async fn save_case(
        &self,
        record: &CaseRecord,
        posts: &[CasePost],
        events: &[CaseEvent],
    ) -> Result<CaseRecord> {
        save_case::<D>(self.pool(), record, posts, events).await
    }

    async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>> {
        case_by_id(self.pool(), id).await
    }

    async fn latest_case_in_conversation(&self, id: ConversationId) -> Result<Option<CaseRecord>> {
        latest_case_in_conversation(self.pool(), id).await
    }

    async fn latest_cases_in_conversations(
        &self,
        ids: &[ConversationId],
    ) -> Result<Vec<(ConversationId, CaseRecord)>> {
        latest_cases_in_conversations(self.pool(), ids).await
    }

    async fn case_of_post(&self, post: PostId) -> Result<Option<CaseId>> {
        case_of_post(self.pool(), post).await
    }

    async fn case_posts(&self, id: CaseId) -> Result<Vec<CasePost>> {
        case_posts(self.pool(), id).await
    }

    async fn case_events(&self, id: CaseId) -> Result<Vec<CaseEvent>> {
        case_events(self.pool(), id).await
    }

    async fn contact_cases(&self, contact: ContactId) -> Result<Vec<CaseRecord>> {
        contact_cases(self.pool(), contact).await
    }

    async fn recent_contact_cases(
        &self,
        contact: ContactId,
        limit: u32,
    ) -> Result<Vec<CaseRecord>> {
        recent_contact_cases(self.pool(), contact, limit).await
    }

    async fn bulk_insert_cases(&self, cases: &[BulkCase]) -> Result<u64> {
        bulk_insert_cases::<D>(self.pool(), cases).await
    }

    async fn analyze(&self) -> Result<()> {
        for sql in D::ANALYZE {
            self.pool().execute_script(sql).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl<D: Dialect> InboxStore for SqlStore<D> {
    async fn inbox(&self, query: &InboxQuery) -> Result<InboxPage> {
        inbox(self.pool(), query, &InboxFilter::default()).await
    }

    async fn filtered_inbox(&self, query: &InboxQuery, filter: &InboxFilter) -> Result<InboxPage> {
        inbox(self.pool(), query, filter).await
    }

    async fn filtered_counts(&self, sets: &[(InboxView, InboxFilter)]) -> Result<Vec<u64>> {
        filtered_counts(self.pool(), sets).await
    }

    async fn inbox_counts(&self, me: Option<UserId>) -> Result<InboxCounts> {
        inbox_counts(self.pool(), me).await
    }

    async fn sla_stale(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<CaseId>> {
        sla_stale(self.pool(), now, limit).await
    }

    async fn similar_resolved_cases(
        &self,
        text: &str,
        exclude: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<(CaseId, f64)>> {
        D::similar_resolved_cases(self.pool(), text, exclude, limit).await
    }
}

#[async_trait]
impl<D: Dialect> NoteStore for SqlStore<D> {
    async fn add_note(
        &self,
        case: CaseId,
        author: UserId,
        body: &str,
        event: &CaseEvent,
    ) -> Result<Note> {
        add_note::<D>(self.pool(), case, author, body, event).await
    }

    async fn notes(&self, case: CaseId) -> Result<Vec<Note>> {
        notes(self.pool(), case).await
    }

    async fn contact_notes(&self, contact: ContactId) -> Result<Vec<Note>> {
        contact_notes(self.pool(), contact).await
    }

    async fn put_saved_reply(
        &self,
        name: &str,
        body: &str,
        shortcut: Option<&str>,
    ) -> Result<SavedReply> {
        put_saved_reply(self.pool(), name, body, shortcut).await
    }

    async fn saved_reply(&self, name: &str) -> Result<Option<SavedReply>> {
        saved_reply(self.pool(), name).await
    }

    async fn saved_replies(&self) -> Result<Vec<SavedReply>> {
        saved_replies(self.pool()).await
    }

    async fn remove_saved_reply(&self, name: &str) -> Result<bool> {
        remove_saved_reply(self.pool(), name).await
    }
}

#[async_trait]
impl<D: Dialect> OutboxStore for SqlStore<D> {
    async fn enqueue_reply(&self, reply: &NewReply) -> Result<(OutboxEntry, bool)> {
        enqueue_reply(self.pool(), reply).await
    }

    async fn outbox_entry(&self, id: ReplyId) -> Result<Option<OutboxEntry>> {
        outbox_entry(self.pool(), id).await
    }

    async fn outbox(&self, status: Option<ReplyStatus>, limit: u32) -> Result<Vec<OutboxEntry>> {
        outbox(self.pool(), status, limit).await
    }

    async fn case_replies(&self, case: CaseId) -> Result<Vec<OutboxEntry>> {
        outbox_where(
            self.pool(),
            "WHERE o.case_id = $1 ORDER BY o.id",
            Some(case.0),
        )
        .await
    }

    async fn contact_replies(&self, contact: ContactId) -> Result<Vec<OutboxEntry>> {
        outbox_where(
            self.pool(),
            "JOIN cases c ON c.id = o.case_id WHERE c.contact_id = $1 ORDER BY o.created_at, o.id",
            Some(contact.0),
        )
        .await
    }

    async fn mark_reply(
        &self,
        id: ReplyId,
        outcome: &ReplyOutcome,
        at: DateTime<Utc>,
    ) -> Result<OutboxEntry> {
        mark_reply(self.pool(), id, outcome, at).await
    }
}

#[async_trait]
impl<D: Dialect> ContactBookStore for SqlStore<D> {
    async fn contacts(&self, query: &ContactQuery) -> Result<ContactPage> {
        contacts::<D>(self.pool(), query).await
    }

    async fn contact_fields(&self, contact: ContactId) -> Result<Option<ContactFields>> {
        contact_fields(self.pool(), contact).await
    }

    async fn set_contact_fields(&self, contact: ContactId, fields: &ContactFields) -> Result<()> {
        set_contact_fields(self.pool(), contact, fields).await
    }

    async fn merge_contacts(&self, keep: ContactId, absorb: ContactId) -> Result<()> {
        merge_contacts(self.pool(), keep, absorb).await
    }

    async fn split_identity(&self, identity: IdentityId, name: &str) -> Result<ContactId> {
        split_identity(self.pool(), identity, name).await
    }
}

#[async_trait]
impl<D: Dialect> LeadStore for SqlStore<D> {
    async fn flag_lead(&self, contact: ContactId, post: PostId, at: DateTime<Utc>) -> Result<bool> {
        flag_lead(self.pool(), contact, post, at).await
    }

    async fn leads(&self, after: Option<LeadCursor>, limit: u32) -> Result<LeadPage> {
        leads(self.pool(), after, limit).await
    }

    async fn contact_leads(&self, contact: ContactId) -> Result<Vec<Lead>> {
        contact_leads(self.pool(), contact).await
    }
}

#[async_trait]
impl<D: Dialect> SavedViewStore for SqlStore<D> {
    async fn create_view(&self, view: &NewSavedView) -> Result<SavedView> {
        create_view(self.pool(), view).await
    }

    async fn view(&self, id: SavedViewId) -> Result<Option<SavedView>> {
        saved_view(self.pool(), id).await
    }

    async fn views_for(&self, user: UserId, teams: &[TeamId]) -> Result<Vec<SavedView>> {
        views_for(self.pool(), user, teams).await
    }

    async fn rename_view(&self, id: SavedViewId, name: &str) -> Result<bool> {
        rename_view(self.pool(), id, name).await
    }

    async fn remove_view(&self, id: SavedViewId) -> Result<bool> {
        remove_view(self.pool(), id).await
    }
}
