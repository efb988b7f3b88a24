//! Cases: their rows, posts, events and topics, written and read.

use super::*;

pub(super) const CASE_COLS: &str = "c.id, c.conversation_id, c.contact_id, c.network, c.status, \
    c.status_since, c.priority, c.assignee, c.team_id, c.tags, c.opened_at, \
    c.last_customer_post_at, c.last_agent_reply_at, c.last_activity_at, c.preview, c.topics, \
    c.first_response_due, c.next_response_due, c.resolution_due, c.sla_state, c.at_risk_at, \
    c.sla_evaluated_at, c.due_key, c.version";

pub(super) fn opt_time(r: &DbRow, column: &str) -> Result<Option<DateTime<Utc>>> {
    r.try_get::<Option<i64>, _>(column)?
        .map(|v| care::time(v, column))
        .transpose()
}

pub(super) fn json_col<T: serde::de::DeserializeOwned>(r: &DbRow, column: &str) -> Result<T> {
    let text: String = r.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("column {column}: {e}")))
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("care values always serialize")
}

pub(super) fn decode_case(r: &DbRow) -> Result<CaseRecord> {
    let status: String = r.try_get("status")?;
    let sla_state: Option<String> = r.try_get("sla_state")?;
    let sla_state = sla_state
        .map(|s| {
            serde_json::from_value::<SlaState>(serde_json::Value::String(s.clone()))
                .map_err(|_| StoreError::Corrupt(format!("column sla_state: '{s}'")))
        })
        .transpose()?;
    let due_key: i64 = r.try_get("due_key")?;
    let network: String = r.try_get("network")?;
    Ok(CaseRecord {
        case: Case {
            id: CaseId(r.try_get("id")?),
            conversation_id: ConversationId(r.try_get("conversation_id")?),
            contact_id: ContactId(r.try_get("contact_id")?),
            status: status
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("column status: {e}")))?,
            status_since: care::time(r.try_get("status_since")?, "status_since")?,
            priority: care::rank_priority(r.try_get("priority")?)?,
            assignee: r.try_get::<Option<i64>, _>("assignee")?.map(UserId),
            team: r.try_get::<Option<i64>, _>("team_id")?.map(TeamId),
            tags: json_col(r, "tags")?,
            opened_at: care::time(r.try_get("opened_at")?, "opened_at")?,
        },
        network: crate::record::network(&network)?,
        version: r.try_get("version")?,
        sla: CaseSla {
            first_response_due: opt_time(r, "first_response_due")?,
            next_response_due: opt_time(r, "next_response_due")?,
            resolution_due: opt_time(r, "resolution_due")?,
            state: sla_state,
            next_due: (due_key != i64::MAX)
                .then(|| care::time(due_key, "due_key"))
                .transpose()?,
            at_risk_at: opt_time(r, "at_risk_at")?,
            evaluated_at: opt_time(r, "sla_evaluated_at")?,
        },
        last_customer_post_at: opt_time(r, "last_customer_post_at")?,
        last_agent_reply_at: opt_time(r, "last_agent_reply_at")?,
        last_activity_at: care::time(r.try_get("last_activity_at")?, "last_activity_at")?,
        topics: json_col(r, "topics")?,
        preview: r.try_get("preview")?,
    })
}

/// The columns a save writes, in bind order `$2..=$23` (`$1` is the id).
pub(super) struct CaseColumns {
    status: &'static str,
    status_since: i64,
    active: i64,
    priority: i64,
    assignee: Option<i64>,
    team: Option<i64>,
    tags: String,
    last_customer_post_at: Option<i64>,
    last_agent_reply_at: Option<i64>,
    last_activity_at: i64,
    preview: String,
    topics: String,
    first_response_due: Option<i64>,
    next_response_due: Option<i64>,
    resolution_due: Option<i64>,
    sla_state: Option<&'static str>,
    sla_rank: i64,
    at_risk_at: Option<i64>,
    sla_evaluated_at: Option<i64>,
    prio_key: i64,
    due_key: i64,
}

pub(super) fn columns(r: &CaseRecord) -> CaseColumns {
    let c = &r.case;
    let m = |t: Option<DateTime<Utc>>| t.map(care::micros);
    CaseColumns {
        status: c.status.as_str(),
        status_since: care::micros(c.status_since),
        active: i64::from(c.status.is_active()),
        priority: care::priority_rank(c.priority),
        assignee: c.assignee.map(|u| u.0),
        team: c.team.map(|t| t.0),
        tags: to_json(&c.tags),
        last_customer_post_at: m(r.last_customer_post_at),
        last_agent_reply_at: m(r.last_agent_reply_at),
        last_activity_at: care::micros(r.last_activity_at),
        preview: r.preview.clone(),
        topics: to_json(&r.topics),
        first_response_due: m(r.sla.first_response_due),
        next_response_due: m(r.sla.next_response_due),
        resolution_due: m(r.sla.resolution_due),
        sla_state: r.sla.state.map(SlaState::as_str),
        sla_rank: care::sla_rank(r.sla.state),
        at_risk_at: m(r.sla.at_risk_at),
        sla_evaluated_at: m(r.sla.evaluated_at),
        prio_key: care::prio_key(c.priority, c.opened_at),
        due_key: care::due_key(r.sla.next_due),
    }
}

macro_rules! bind_columns {
    ($q:expr, $c:expr) => {
        $q.bind($c.status)
            .bind($c.status_since)
            .bind($c.active)
            .bind($c.priority)
            .bind($c.assignee)
            .bind($c.team)
            .bind($c.tags.clone())
            .bind($c.last_customer_post_at)
            .bind($c.last_agent_reply_at)
            .bind($c.last_activity_at)
            .bind($c.preview.clone())
            .bind($c.topics.clone())
            .bind($c.first_response_due)
            .bind($c.next_response_due)
            .bind($c.resolution_due)
            .bind($c.sla_state)
            .bind($c.sla_rank)
            .bind($c.at_risk_at)
            .bind($c.sla_evaluated_at)
            .bind($c.prio_key)
            .bind($c.due_key)
    };
}

pub(super) const INSERT_CASE: &str = "INSERT INTO cases (conversation_id, status, status_since, active, \
    priority, assignee, team_id, tags, last_customer_post_at, last_agent_reply_at, \
    last_activity_at, preview, topics, first_response_due, next_response_due, resolution_due, \
    sla_state, sla_rank, at_risk_at, sla_evaluated_at, prio_key, due_key, contact_id, network, \
    opened_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
    $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, 1) RETURNING id";

pub(super) const UPDATE_CASE: &str = "UPDATE cases SET status = $2, status_since = $3, active = $4, \
    priority = $5, assignee = $6, team_id = $7, tags = $8, last_customer_post_at = $9, \
    last_agent_reply_at = $10, last_activity_at = $11, preview = $12, topics = $13, \
    first_response_due = $14, next_response_due = $15, resolution_due = $16, sla_state = $17, \
    sla_rank = $18, at_risk_at = $19, sla_evaluated_at = $20, prio_key = $21, due_key = $22, \
    contact_id = $23, version = version + 1 WHERE id = $1 AND version = $24";

/// The rows of case writes that go in after the cases' own rows: topic rows, attached posts
/// and events. Gathered over every case of a write and inserted with one multi-row statement
/// per table (and chunk), because on SQLite each statement is a round trip to the database
/// thread: one per row made routing a batch of new cases cost more than storing its posts.
#[derive(Default)]
pub(super) struct CaseRows {
    /// topic, case, active, prio_key, due_key, last_activity_at
    topics: Vec<(i64, i64, i64, i64, i64, i64)>,
    /// case, post, from_customer, at
    posts: Vec<(i64, i64, bool, i64)>,
    /// case, at, event as JSON
    events: Vec<(i64, i64, String)>,
}

/// Rows per multi-row statement: well under both backends' limits on bound parameters.
pub(super) const ROWS_PER_STATEMENT: usize = 500;

impl CaseRows {
    fn add(
        &mut self,
        id: i64,
        record: &CaseRecord,
        c: &CaseColumns,
        posts: &[CasePost],
        events: &[CaseEvent],
    ) {
        for topic in &record.topics {
            self.topics.push((
                topic.0,
                id,
                c.active,
                c.prio_key,
                c.due_key,
                c.last_activity_at,
            ));
        }
        for p in posts {
            self.posts
                .push((id, p.post_id.0, p.from_customer, care::micros(p.at)));
        }
        for e in events {
            self.event(id, e);
        }
    }

    fn event(&mut self, id: i64, event: &CaseEvent) {
        let mut e = event.clone();
        e.case_id = CaseId(id);
        self.events.push((id, care::micros(e.at), to_json(&e)));
    }

    /// Inserts the rows, in the order they were added (events keep their order by id).
    async fn write<D: Dialect>(&self, tx: &mut dyn Tx) -> Result<()> {
        for chunk in self.topics.chunks(ROWS_PER_STATEMENT) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO case_topics (topic_id, case_id, active, prio_key, due_key, \
                 last_activity_at) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.0)
                    .push_bind(r.1)
                    .push_bind(r.2)
                    .push_bind(r.3)
                    .push_bind(r.4)
                    .push_bind(r.5);
            });
            qb.push(" ON CONFLICT (topic_id, case_id) DO NOTHING");
            qb.build().execute(&mut *tx).await?;
        }
        let mut searchable = Vec::new();
        for chunk in self.posts.chunks(ROWS_PER_STATEMENT) {
            let mut qb =
                QueryBuilder::new("INSERT INTO case_posts (case_id, post_id, from_customer, at) ");
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.0)
                    .push_bind(r.1)
                    .push_bind(i64::from(r.2))
                    .push_bind(r.3);
            });
            qb.push(" ON CONFLICT (case_id, post_id) DO NOTHING RETURNING case_id, post_id, from_customer");
            for row in qb.build().fetch_all(&mut *tx).await? {
                // What the customer wrote is searchable (similar cases); attaching a post again
                // adds nothing.
                if row.try_get::<i64, _>("from_customer")? != 0 {
                    searchable.push((
                        row.try_get::<i64, _>("case_id")?,
                        row.try_get::<i64, _>("post_id")?,
                    ));
                }
            }
        }
        for chunk in searchable.chunks(ROWS_PER_STATEMENT) {
            D::index_case_texts(&mut *tx, chunk).await?;
        }
        for chunk in self.events.chunks(ROWS_PER_STATEMENT) {
            let mut qb = QueryBuilder::new("INSERT INTO case_events (case_id, at, event) ");
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.0).push_bind(r.1).push_bind(r.2.as_str());
            });
            qb.build().execute(&mut *tx).await?;
        }
        Ok(())
    }
}

pub(super) async fn append_events<D: Dialect>(
    tx: &mut dyn Tx,
    id: CaseId,
    events: &[CaseEvent],
) -> Result<()> {
    let mut rows = CaseRows::default();
    for e in events {
        rows.event(id.0, e);
    }
    rows.write::<D>(tx).await
}

/// Inserts a new case's row; its other rows go to `rows`.
/// Inserts new cases (ids already handed out) with one multi-row statement per chunk: on
/// SQLite each statement is a round trip to the database thread, and routing a batch of
/// customer posts opens a case for most of them.
pub(super) async fn insert_cases(tx: &mut dyn Tx, cases: &[CaseRecord]) -> Result<()> {
    for chunk in cases.chunks(ROWS_PER_STATEMENT) {
        let mut qb = QueryBuilder::new(
            "INSERT INTO cases (id, conversation_id, status, status_since, active, priority, \
             assignee, team_id, tags, last_customer_post_at, last_agent_reply_at, \
             last_activity_at, preview, topics, first_response_due, next_response_due, \
             resolution_due, sla_state, sla_rank, at_risk_at, sla_evaluated_at, prio_key, \
             due_key, contact_id, network, opened_at, version) ",
        );
        qb.push_values(chunk, |mut b, r| {
            let c = columns(r);
            b.push_bind(r.case.id.0)
                .push_bind(r.case.conversation_id.0)
                .push_bind(c.status)
                .push_bind(c.status_since)
                .push_bind(c.active)
                .push_bind(c.priority)
                .push_bind(c.assignee)
                .push_bind(c.team)
                .push_bind(c.tags)
                .push_bind(c.last_customer_post_at)
                .push_bind(c.last_agent_reply_at)
                .push_bind(c.last_activity_at)
                .push_bind(c.preview)
                .push_bind(c.topics)
                .push_bind(c.first_response_due)
                .push_bind(c.next_response_due)
                .push_bind(c.resolution_due)
                .push_bind(c.sla_state)
                .push_bind(c.sla_rank)
                .push_bind(c.at_risk_at)
                .push_bind(c.sla_evaluated_at)
                .push_bind(c.prio_key)
                .push_bind(c.due_key)
                .push_bind(r.case.contact_id.0)
                .push_bind(r.network.as_str())
                .push_bind(care::micros(r.case.opened_at))
                .push_bind(1_i64);
        });
        qb.build().execute(&mut *tx).await?;
    }
    Ok(())
}

pub(super) async fn create_in(
    tx: &mut dyn Tx,
    record: &CaseRecord,
    posts: &[CasePost],
    events: &[CaseEvent],
    rows: &mut CaseRows,
) -> Result<CaseRecord> {
    let c = columns(record);
    let q = query_scalar::<i64>(INSERT_CASE).bind(record.case.conversation_id.0);
    let id: i64 = bind_columns!(q, c)
        .bind(record.case.contact_id.0)
        .bind(record.network.as_str())
        .bind(care::micros(record.case.opened_at))
        .fetch_one(&mut *tx)
        .await?;
    rows.add(id, record, &c, posts, events);
    let mut out = record.clone();
    out.case.id = CaseId(id);
    out.version = 1;
    Ok(out)
}

/// Updates a case's row (if nobody changed it since `record.version`) and the sort keys of
/// its topic rows; its new rows go to `rows`.
pub(super) async fn save_in(
    tx: &mut dyn Tx,
    record: &CaseRecord,
    posts: &[CasePost],
    events: &[CaseEvent],
    rows: &mut CaseRows,
) -> Result<CaseRecord> {
    let c = columns(record);
    let id = record.case.id.0;
    let q = query(UPDATE_CASE).bind(id);
    let updated = bind_columns!(q, c)
        .bind(record.case.contact_id.0)
        .bind(record.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if updated == 0 {
        let exists: Option<i64> = query_scalar("SELECT version FROM cases WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match exists {
            None => StoreError::NotFound(format!("case {id}")),
            Some(v) => StoreError::Conflict(format!(
                "case {id} was changed by someone else (version {v}, this change was made on \
                 version {})",
                record.version
            )),
        });
    }
    query(
        "UPDATE case_topics SET active = $2, prio_key = $3, due_key = $4, \
         last_activity_at = $5 WHERE case_id = $1",
    )
    .bind(id)
    .bind(c.active)
    .bind(c.prio_key)
    .bind(c.due_key)
    .bind(c.last_activity_at)
    .execute(&mut *tx)
    .await?;
    rows.add(id, record, &c, posts, events);
    let mut out = record.clone();
    out.version += 1;
    Ok(out)
}

pub(super) async fn create_case<D: Dialect>(
    pool: &Pool,
    record: &CaseRecord,
    posts: &[CasePost],
    events: &[CaseEvent],
) -> Result<CaseRecord> {
    let mut tx = pool.begin(Begin::Deferred).await?;
    let mut rows = CaseRows::default();
    let out = create_in(&mut tx, record, posts, events, &mut rows).await?;
    rows.write::<D>(&mut tx).await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn save_case<D: Dialect>(
    pool: &Pool,
    record: &CaseRecord,
    posts: &[CasePost],
    events: &[CaseEvent],
) -> Result<CaseRecord> {
    let mut tx = pool.begin(Begin::Deferred).await?;
    let mut rows = CaseRows::default();
    let out = save_in(&mut tx, record, posts, events, &mut rows).await?;
    rows.write::<D>(&mut tx).await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn write_cases<D: Dialect>(
    pool: &Pool,
    writes: &[CaseWrite],
    routed: Option<RoutedThrough>,
) -> Result<Vec<CaseRecord>> {
    // The write lock up front (SQLite), so the case ids handed out below stay free.
    let mut tx = pool.begin(Begin::Write).await?;
    if let Some(r) = routed {
        // First, so a pass that lost the race writes nothing (and, on SQLite, takes the write
        // lock before its reads of the case rows below).
        let moved = query(
            "UPDATE routing_watermark SET routed_through = $2 \
             WHERE id = 1 AND routed_through = $1",
        )
        .bind(r.from.0)
        .bind(r.to.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved == 0 {
            return Err(StoreError::Conflict(format!(
                "routing moved past post {} meanwhile",
                r.from.0
            )));
        }
    }
    let mut rows = CaseRows::default();
    let new = writes.iter().filter(|w| w.record.case.id.0 == 0).count();
    let mut ids = D::new_case_ids(&mut tx, new).await?.into_iter();
    let mut out = Vec::with_capacity(writes.len());
    let mut created = Vec::with_capacity(new);
    for w in writes {
        out.push(if w.record.case.id.0 == 0 {
            let id = ids
                .next()
                .ok_or_else(|| StoreError::Corrupt("too few case ids".into()))?;
            rows.add(id, &w.record, &columns(&w.record), &w.posts, &w.events);
            let mut record = w.record.clone();
            record.case.id = CaseId(id);
            record.version = 1;
            created.push(record.clone());
            record
        } else {
            save_in(&mut tx, &w.record, &w.posts, &w.events, &mut rows).await?
        });
    }
    insert_cases(&mut tx, &created).await?;
    rows.write::<D>(&mut tx).await?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn case_by_id(pool: &Pool, id: CaseId) -> Result<Option<CaseRecord>> {
    let sql = format!("SELECT {CASE_COLS} FROM cases c WHERE c.id = $1");
    query(sql)
        .bind(id.0)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(decode_case)
        .transpose()
}

pub(super) async fn latest_case_in_conversation(
    pool: &Pool,
    id: ConversationId,
) -> Result<Option<CaseRecord>> {
    // Cases keep the conversation id they were opened in; a merge may have folded that
    // conversation into this one (or this id into another).
    let sql = format!(
        "SELECT {CASE_COLS} FROM cases c WHERE c.conversation_id IN ( \
           SELECT m.id FROM conversations m WHERE COALESCE(m.merged_into, m.id) = \
             (SELECT COALESCE(merged_into, id) FROM conversations WHERE id = $1)) \
         ORDER BY c.opened_at DESC, c.id DESC LIMIT 1"
    );
    query(sql)
        .bind(id.0)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(decode_case)
        .transpose()
}

pub(super) async fn case_of_post(pool: &Pool, post: PostId) -> Result<Option<CaseId>> {
    Ok(query_scalar::<i64>(
        "SELECT case_id FROM case_posts WHERE post_id = $1 ORDER BY case_id DESC LIMIT 1",
    )
    .bind(post.0)
    .fetch_optional(pool)
    .await?
    .map(CaseId))
}

pub(super) async fn case_posts(pool: &Pool, id: CaseId) -> Result<Vec<CasePost>> {
    let rows = query(
        "SELECT post_id, from_customer, at FROM case_posts WHERE case_id = $1 \
         ORDER BY at, post_id",
    )
    .bind(id.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CasePost {
                post_id: PostId(r.try_get("post_id")?),
                from_customer: r.try_get::<i64, _>("from_customer")? != 0,
                at: care::time(r.try_get("at")?, "at")?,
            })
        })
        .collect()
}

pub(super) async fn case_events(pool: &Pool, id: CaseId) -> Result<Vec<CaseEvent>> {
    let rows = query("SELECT event FROM case_events WHERE case_id = $1 ORDER BY id")
        .bind(id.0)
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| json_col(r, "event")).collect()
}

pub(super) async fn contact_cases(pool: &Pool, contact: ContactId) -> Result<Vec<CaseRecord>> {
    let sql = format!(
        "SELECT {CASE_COLS} FROM cases c WHERE c.contact_id = $1 ORDER BY c.opened_at, c.id"
    );
    let rows = query(sql).bind(contact.0).fetch_all(pool).await?;
    rows.iter().map(decode_case).collect()
}

pub(super) async fn recent_contact_cases(
    pool: &Pool,
    contact: ContactId,
    limit: u32,
) -> Result<Vec<CaseRecord>> {
    let sql = format!(
        "SELECT {CASE_COLS} FROM cases c WHERE c.contact_id = $1 \
         ORDER BY c.opened_at DESC, c.id DESC LIMIT $2"
    );
    let rows = query(sql)
        .bind(contact.0)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    let mut cases = rows.iter().map(decode_case).collect::<Result<Vec<_>>>()?;
    cases.reverse();
    Ok(cases)
}

pub(super) async fn sla_stale(pool: &Pool, now: DateTime<Utc>, limit: u32) -> Result<Vec<CaseId>> {
    let now = care::micros(now);
    let rows: Vec<i64> = query_scalar(
        "SELECT id FROM cases WHERE active = 1 AND at_risk_at IS NOT NULL AND at_risk_at <= $1 \
           AND sla_rank = 0 \
         UNION SELECT id FROM cases WHERE active = 1 AND due_key <= $1 AND sla_rank < 2 \
         ORDER BY id LIMIT $2",
    )
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(CaseId).collect())
}

pub(super) async fn bulk_insert_cases<D: Dialect>(pool: &Pool, cases: &[BulkCase]) -> Result<u64> {
    let mut tx = pool.begin(Begin::Deferred).await?;
    let mut rows = CaseRows::default();
    for bulk in cases {
        // As on the routing path, so bulk-loaded cases are found as similar cases too.
        create_in(&mut tx, &bulk.record, &bulk.posts, &bulk.events, &mut rows).await?;
    }
    rows.write::<D>(&mut tx).await?;
    tx.commit().await?;
    Ok(cases.len() as u64)
}
