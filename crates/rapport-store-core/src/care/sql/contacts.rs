//! The reply outbox, contact fields, merges, splits and leads.

use super::*;

pub(super) const OUTBOX_COLS: &str = "o.id, o.case_id, o.network, o.in_reply_to, o.body, o.author, \
    o.idempotency_key, o.status, o.attempts, o.last_error, o.sent_native_id, o.created_at, \
    o.updated_at";

pub(super) fn decode_reply(r: &DbRow) -> Result<OutboxEntry> {
    let status: String = r.try_get("status")?;
    let network: String = r.try_get("network")?;
    Ok(OutboxEntry {
        id: ReplyId(r.try_get("id")?),
        case_id: r.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
        network: crate::record::network(&network)?,
        in_reply_to: r.try_get::<Option<i64>, _>("in_reply_to")?.map(PostId),
        body: r.try_get("body")?,
        author: UserId(r.try_get("author")?),
        idempotency_key: r.try_get("idempotency_key")?,
        status: status
            .parse()
            .map_err(|e: String| StoreError::Corrupt(format!("column status: {e}")))?,
        attempts: r.try_get::<i64, _>("attempts")?.clamp(0, u32::MAX as i64) as u32,
        last_error: r.try_get("last_error")?,
        sent_native_id: r.try_get("sent_native_id")?,
        created_at: care::time(r.try_get("created_at")?, "created_at")?,
        updated_at: care::time(r.try_get("updated_at")?, "updated_at")?,
    })
}

pub(super) async fn outbox_where(
    pool: &Pool,
    cond: &str,
    value: Option<i64>,
) -> Result<Vec<OutboxEntry>> {
    let sql = format!("SELECT {OUTBOX_COLS} FROM outbox o {cond}");
    let mut q = query(sql);
    if let Some(v) = value {
        q = q.bind(v);
    }
    let rows = q.fetch_all(pool).await?;
    rows.iter().map(decode_reply).collect()
}

pub(super) async fn outbox_entry(pool: &Pool, id: ReplyId) -> Result<Option<OutboxEntry>> {
    Ok(outbox_where(pool, "WHERE o.id = $1", Some(id.0))
        .await?
        .into_iter()
        .next())
}

pub(super) async fn enqueue_reply(pool: &Pool, reply: &NewReply) -> Result<(OutboxEntry, bool)> {
    if reply.idempotency_key.is_empty() {
        return Err(StoreError::Invalid("reply idempotency_key is empty".into()));
    }
    let at = care::micros(reply.at);
    let id: Option<i64> = query_scalar(
        "INSERT INTO outbox (case_id, network, in_reply_to, body, author, idempotency_key, \
         status, attempts, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7) \
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(reply.case_id.0)
    .bind(reply.network.as_str())
    .bind(reply.in_reply_to.map(|p| p.0))
    .bind(&reply.body)
    .bind(reply.author.0)
    .bind(&reply.idempotency_key)
    .bind(at)
    .fetch_optional(pool)
    .await?;
    let created = id.is_some();
    let sql = format!("SELECT {OUTBOX_COLS} FROM outbox o WHERE o.idempotency_key = $1");
    let row = query(sql)
        .bind(&reply.idempotency_key)
        .fetch_one(pool)
        .await?;
    Ok((decode_reply(&row)?, created))
}

pub(super) async fn outbox(
    pool: &Pool,
    status: Option<ReplyStatus>,
    limit: u32,
) -> Result<Vec<OutboxEntry>> {
    let sql = format!(
        "SELECT {OUTBOX_COLS} FROM outbox o WHERE ($1 = '' OR o.status = $1) ORDER BY o.id \
         LIMIT $2"
    );
    let rows = query(sql)
        .bind(status.map_or("", ReplyStatus::as_str))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(decode_reply).collect()
}

pub(super) async fn mark_reply(
    pool: &Pool,
    id: ReplyId,
    outcome: &ReplyOutcome,
    at: DateTime<Utc>,
) -> Result<OutboxEntry> {
    let (status, native, error) = match outcome {
        ReplyOutcome::Sent { native_id } => ("sent", Some(native_id.as_str()), None),
        ReplyOutcome::Failed { error } => ("failed", None, Some(error.as_str())),
    };
    let done = query(
        "UPDATE outbox SET status = $2, attempts = attempts + 1, \
         sent_native_id = COALESCE($3, sent_native_id), last_error = $4, updated_at = $5 \
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(status)
    .bind(native)
    .bind(error)
    .bind(care::micros(at))
    .execute(pool)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(StoreError::NotFound(format!("outbox entry {id}")));
    }
    outbox_entry(pool, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("outbox entry {id}")))
}

pub(super) fn decode_fields(r: &DbRow) -> Result<ContactFields> {
    let tags: Option<String> = r.try_get("tags")?;
    let stage: Option<String> = r.try_get("stage")?;
    Ok(ContactFields {
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        company: r.try_get("company")?,
        crm_id: r.try_get("crm_id")?,
        tags: match tags {
            Some(t) => serde_json::from_str(&t)
                .map_err(|e| StoreError::Corrupt(format!("column tags: {e}")))?,
            None => Default::default(),
        },
        stage: stage
            .map(|s| s.parse())
            .transpose()
            .map_err(|e: String| StoreError::Corrupt(format!("column stage: {e}")))?,
        merged_into: r.try_get::<Option<i64>, _>("merged_into")?.map(ContactId),
    })
}

pub(super) async fn contact_fields(
    pool: &Pool,
    contact: ContactId,
) -> Result<Option<ContactFields>> {
    query(
        "SELECT c.name, f.email, f.company, f.crm_id, f.tags, f.stage, f.merged_into \
         FROM contacts c LEFT JOIN contact_fields f ON f.contact_id = c.id WHERE c.id = $1",
    )
    .bind(contact.0)
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(decode_fields)
    .transpose()
}

pub(super) async fn write_fields(
    tx: &mut dyn Tx,
    contact: ContactId,
    f: &ContactFields,
) -> Result<()> {
    let named = query("UPDATE contacts SET name = $2 WHERE id = $1")
        .bind(contact.0)
        .bind(&f.name)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if named == 0 {
        return Err(StoreError::NotFound(format!("contact {contact}")));
    }
    query(
        "INSERT INTO contact_fields (contact_id, email, company, crm_id, tags, stage) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (contact_id) DO UPDATE SET \
         email = excluded.email, company = excluded.company, crm_id = excluded.crm_id, \
         tags = excluded.tags, stage = excluded.stage",
    )
    .bind(contact.0)
    .bind(&f.email)
    .bind(&f.company)
    .bind(&f.crm_id)
    .bind(to_json(&f.tags))
    .bind(f.stage.map(LifecycleStage::as_str))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub(super) async fn set_contact_fields(
    pool: &Pool,
    contact: ContactId,
    f: &ContactFields,
) -> Result<()> {
    if f.name.trim().is_empty() {
        return Err(StoreError::Invalid("contact name is empty".into()));
    }
    let mut tx = pool.begin(Begin::Deferred).await?;
    write_fields(&mut tx, contact, f).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a contact's leads to another, keeping one flag per (contact, post).
pub(super) async fn move_leads(
    tx: &mut dyn Tx,
    from: ContactId,
    to: ContactId,
    only_posts_of: Option<IdentityId>,
) -> Result<()> {
    let filter = if only_posts_of.is_some() {
        " AND post_id IN (SELECT id FROM posts WHERE identity_id = $3)"
    } else {
        ""
    };
    let copy = format!(
        "INSERT INTO leads (contact_id, post_id, at) SELECT $2, post_id, at FROM leads \
         WHERE contact_id = $1{filter} ON CONFLICT (contact_id, post_id) DO NOTHING"
    );
    let delete = format!("DELETE FROM leads WHERE contact_id = $1{filter}");
    for sql in [copy, delete] {
        let mut q = query(sql).bind(from.0).bind(to.0);
        if let Some(i) = only_posts_of {
            q = q.bind(i.0);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

pub(super) async fn merge_contacts(pool: &Pool, keep: ContactId, absorb: ContactId) -> Result<()> {
    if keep == absorb {
        return Err(StoreError::Invalid(format!(
            "cannot merge contact {keep} into itself"
        )));
    }
    let kept = contact_fields(pool, keep)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("contact {keep}")))?;
    let gone = contact_fields(pool, absorb)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("contact {absorb}")))?;
    if gone.merged_into.is_some() {
        return Err(StoreError::Invalid(format!(
            "contact {absorb} was already merged"
        )));
    }
    let mut tx = pool.begin(Begin::Deferred).await?;
    query("UPDATE identities SET contact_id = $2 WHERE contact_id = $1")
        .bind(absorb.0)
        .bind(keep.0)
        .execute(&mut *tx)
        .await?;
    query("UPDATE cases SET contact_id = $2, version = version + 1 WHERE contact_id = $1")
        .bind(absorb.0)
        .bind(keep.0)
        .execute(&mut *tx)
        .await?;
    move_leads(&mut tx, absorb, keep, None).await?;
    let merged = ContactFields {
        name: kept.name.clone(),
        email: kept.email.or(gone.email),
        company: kept.company.or(gone.company),
        crm_id: kept.crm_id.or(gone.crm_id),
        tags: kept.tags.union(&gone.tags).cloned().collect(),
        stage: kept.stage.or(gone.stage),
        merged_into: None,
    };
    write_fields(&mut tx, keep, &merged).await?;
    write_fields(&mut tx, absorb, &gone_fields(gone.name)).await?;
    query("UPDATE contact_fields SET merged_into = $2 WHERE contact_id = $1")
        .bind(absorb.0)
        .bind(keep.0)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) fn gone_fields(name: String) -> ContactFields {
    ContactFields {
        name,
        ..ContactFields::default()
    }
}

pub(super) async fn split_identity(
    pool: &Pool,
    identity: IdentityId,
    name: &str,
) -> Result<ContactId> {
    if name.trim().is_empty() {
        return Err(StoreError::Invalid("contact name is empty".into()));
    }
    let mut tx = pool.begin(Begin::Deferred).await?;
    let old: Option<i64> = query_scalar("SELECT contact_id FROM identities WHERE id = $1")
        .bind(identity.0)
        .fetch_optional(&mut *tx)
        .await?;
    let old = ContactId(old.ok_or_else(|| StoreError::NotFound(format!("identity {identity}")))?);
    let others: i64 =
        query_scalar("SELECT COUNT(*) FROM identities WHERE contact_id = $1 AND id <> $2")
            .bind(old.0)
            .bind(identity.0)
            .fetch_one(&mut *tx)
            .await?;
    if others == 0 {
        return Err(StoreError::Invalid(format!(
            "identity {identity} is the only one of contact {old}: nothing to split off"
        )));
    }
    let new: i64 = query_scalar("INSERT INTO contacts (name) VALUES ($1) RETURNING id")
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
    query("UPDATE identities SET contact_id = $2 WHERE id = $1")
        .bind(identity.0)
        .bind(new)
        .execute(&mut *tx)
        .await?;
    // A case goes with the identity whose post opened it (its first customer post).
    query(
        "UPDATE cases SET contact_id = $2, version = version + 1 WHERE contact_id = $3 AND id IN ( \
           SELECT cp.case_id FROM case_posts cp JOIN posts p ON p.id = cp.post_id \
           WHERE p.identity_id = $1 AND cp.from_customer = 1 AND cp.at = ( \
             SELECT MIN(f.at) FROM case_posts f WHERE f.case_id = cp.case_id \
             AND f.from_customer = 1))",
    )
    .bind(identity.0)
    .bind(new)
    .bind(old.0)
    .execute(&mut *tx)
    .await?;
    move_leads(&mut tx, old, ContactId(new), Some(identity)).await?;
    tx.commit().await?;
    Ok(ContactId(new))
}

pub(super) async fn flag_lead(
    pool: &Pool,
    contact: ContactId,
    post: PostId,
    at: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = pool.begin(Begin::Deferred).await?;
    let added = query(
        "INSERT INTO leads (contact_id, post_id, at) VALUES ($1, $2, $3) \
         ON CONFLICT (contact_id, post_id) DO NOTHING",
    )
    .bind(contact.0)
    .bind(post.0)
    .bind(care::micros(at))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    query(
        "INSERT INTO contact_fields (contact_id, tags, stage) VALUES ($1, '[]', 'lead') \
         ON CONFLICT (contact_id) DO UPDATE SET stage = COALESCE(contact_fields.stage, 'lead')",
    )
    .bind(contact.0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(added > 0)
}

pub(super) fn decode_lead(r: &DbRow) -> Result<Lead> {
    let stage: Option<String> = r.try_get("stage")?;
    Ok(Lead {
        contact_id: ContactId(r.try_get("contact_id")?),
        contact_name: r.try_get("name")?,
        post_id: PostId(r.try_get("post_id")?),
        at: care::time(r.try_get("at")?, "at")?,
        stage: stage
            .map(|s| s.parse())
            .transpose()
            .map_err(|e: String| StoreError::Corrupt(format!("column stage: {e}")))?,
    })
}

/// One page of leads: each contact's latest flag (the latest `at`, then the highest post id),
/// ordered by (at, contact id) descending; reads `limit + 1` rows to know whether more follow.
pub(super) async fn leads(pool: &Pool, after: Option<LeadCursor>, limit: u32) -> Result<LeadPage> {
    let limit = limit.max(1);
    let keyset = if after.is_some() {
        "AND (l.at < $2 OR (l.at = $2 AND l.contact_id < $3)) "
    } else {
        ""
    };
    let sql = format!(
        "SELECT l.contact_id, c.name, l.post_id, l.at, f.stage FROM leads l \
         JOIN contacts c ON c.id = l.contact_id \
         LEFT JOIN contact_fields f ON f.contact_id = l.contact_id \
         WHERE NOT EXISTS (SELECT 1 FROM leads n WHERE n.contact_id = l.contact_id \
           AND (n.at > l.at OR (n.at = l.at AND n.post_id > l.post_id))) \
         {keyset}ORDER BY l.at DESC, l.contact_id DESC LIMIT $1"
    );
    let mut q = query(&sql).bind(i64::from(limit) + 1);
    if let Some(c) = after {
        q = q.bind(c.micros).bind(c.contact.0);
    }
    let rows = q.fetch_all(pool).await?;
    let mut items = rows.iter().map(decode_lead).collect::<Result<Vec<_>>>()?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = if more {
        items.last().map(LeadCursor::after)
    } else {
        None
    };
    Ok(LeadPage { items, next })
}

pub(super) async fn contact_leads(pool: &Pool, contact: ContactId) -> Result<Vec<Lead>> {
    let rows = query(
        "SELECT l.contact_id, c.name, l.post_id, l.at, f.stage FROM leads l \
         JOIN contacts c ON c.id = l.contact_id \
         LEFT JOIN contact_fields f ON f.contact_id = l.contact_id \
         WHERE l.contact_id = $1 ORDER BY l.at DESC, l.post_id DESC",
    )
    .bind(contact.0)
    .fetch_all(pool)
    .await?;
    rows.iter().map(decode_lead).collect()
}
