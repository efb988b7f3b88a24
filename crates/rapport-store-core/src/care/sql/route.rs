//! Reading what routing needs: the candidates' posts, the latest case of their conversations,
//! later posts of opened cases and the watermark.

use super::*;

pub(super) async fn route_candidates<D: Dialect>(
    pool: &Pool,
    posts: &[PostId],
) -> Result<Vec<RouteCandidate>> {
    let created = D::CREATED_MICROS;
    let mut out = Vec::with_capacity(posts.len());
    for chunk in posts.chunks(500) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT p.id, COALESCE(cv.merged_into, cv.id) AS conv, i.contact_id, p.identity_id, \
               p.network, {created} AS created, \
               CAST(CASE WHEN p.from_own_account THEN 1 ELSE 0 END AS BIGINT) AS own, \
               CAST(CASE WHEN p.is_mention THEN 1 ELSE 0 END AS BIGINT) AS mention, \
               CAST(CASE WHEN p.reply_to IS NULL THEN 0 ELSE 1 END AS BIGINT) AS reply, \
               CAST(p.intents AS BIGINT) AS intents, p.urgency, p.text \
             FROM posts p JOIN identities i ON i.id = p.identity_id \
             JOIN conversations cv ON cv.id = p.conversation_id WHERE p.id IN ({list})"
        );
        let mut q = query(sql);
        for id in chunk {
            q = q.bind(id.0);
        }
        let rows = q.fetch_all(pool).await?;
        let sql = format!(
            "SELECT post_id, topic_id FROM post_topics WHERE post_id IN ({list}) \
             ORDER BY post_id, topic_id"
        );
        let mut q = query(sql);
        for id in chunk {
            q = q.bind(id.0);
        }
        let mut topics: HashMap<i64, Vec<TopicId>> = HashMap::new();
        for r in q.fetch_all(pool).await? {
            topics
                .entry(r.try_get("post_id")?)
                .or_default()
                .push(TopicId(r.try_get("topic_id")?));
        }
        let mut found: HashMap<i64, RouteCandidate> = HashMap::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let network: String = r.try_get("network")?;
            let urgency: Option<String> = r.try_get("urgency")?;
            let intents: Option<i64> = r.try_get("intents")?;
            found.insert(
                id,
                RouteCandidate {
                    post_id: PostId(id),
                    conversation_id: ConversationId(r.try_get("conv")?),
                    contact_id: ContactId(r.try_get("contact_id")?),
                    identity_id: IdentityId(r.try_get("identity_id")?),
                    network: crate::record::network(&network)?,
                    created_at: care::time(r.try_get("created")?, "created_at")?,
                    from_own_account: r.try_get::<i64, _>("own")? != 0,
                    is_mention: r.try_get::<i64, _>("mention")? != 0,
                    is_reply: r.try_get::<i64, _>("reply")? != 0,
                    intents: intents.map(|v| IntentSet::from_bits_truncate(v as u8)),
                    urgency: urgency
                        .map(|u| u.parse::<Urgency>())
                        .transpose()
                        .map_err(|e| {
                            StoreError::Corrupt(format!("post {id}, column urgency: {e}"))
                        })?,
                    topics: topics.remove(&id).unwrap_or_default(),
                    text: r.try_get("text")?,
                },
            );
        }
        out.extend(chunk.iter().filter_map(|id| found.remove(&id.0)));
    }
    Ok(out)
}

pub(super) async fn latest_cases_in_conversations(
    pool: &Pool,
    ids: &[ConversationId],
) -> Result<Vec<(ConversationId, CaseRecord)>> {
    let mut latest: std::collections::HashMap<i64, CaseRecord> = Default::default();
    for chunk in ids.chunks(400) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        // Every conversation merged into one of these (and the ones themselves).
        let sql = format!(
            "SELECT COALESCE(m.merged_into, m.id) AS root, {CASE_COLS} FROM conversations m \
             JOIN cases c ON c.conversation_id = m.id \
             WHERE m.id IN ({list}) OR m.merged_into IN ({list})"
        );
        let mut q = query(sql);
        for id in chunk {
            q = q.bind(id.0);
        }
        for r in q.fetch_all(pool).await? {
            let root: i64 = r.try_get("root")?;
            let record = decode_case(&r)?;
            let newer = latest.get(&root).is_none_or(|l| {
                (record.case.opened_at, record.case.id) > (l.case.opened_at, l.case.id)
            });
            if newer {
                latest.insert(root, record);
            }
        }
    }
    Ok(latest
        .into_iter()
        .map(|(root, r)| (ConversationId(root), r))
        .collect())
}

pub(super) async fn later_unattached_posts<D: Dialect>(
    pool: &Pool,
    after: &[(ConversationId, DateTime<Utc>, PostId)],
    limit_each: u32,
) -> Result<Vec<(ConversationId, PostId)>> {
    let (created, after_key) = (D::CREATED_MICROS, D::AFTER_MICROS);
    let mut out = Vec::new();
    for chunk in after.chunks(300) {
        let keys = (0..chunk.len())
            .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "WITH k (conv, at, post) AS (VALUES {keys}) \
             SELECT k.conv AS conv, k.at AS at, k.post AS post, p.id AS id, {created} AS created \
             FROM k JOIN posts p ON p.conversation_id = k.conv AND {after_key} \
             WHERE NOT EXISTS (SELECT 1 FROM case_posts cp WHERE cp.post_id = p.id)"
        );
        let mut q = query(sql);
        for (conv, at, post) in chunk {
            q = q.bind(conv.0).bind(care::micros(*at)).bind(post.0);
        }
        // (entry, created, id) of every candidate; earlier posts are dropped here rather than
        // in SQL, where the two backends keep post times differently.
        let mut found: Vec<((i64, i64, i64), i64, i64)> = Vec::new();
        for r in q.fetch_all(pool).await? {
            let key: (i64, i64, i64) = (r.try_get("conv")?, r.try_get("at")?, r.try_get("post")?);
            let (created, id): (i64, i64) = (r.try_get("created")?, r.try_get("id")?);
            if (created, id) > (key.1, key.2) {
                found.push((key, created, id));
            }
        }
        found.sort_unstable();
        let mut taken: Option<((i64, i64, i64), u32)> = None;
        for (key, _, id) in found {
            let n = match taken {
                Some((k, n)) if k == key => n + 1,
                _ => 1,
            };
            taken = Some((key, n));
            if n <= limit_each {
                out.push((ConversationId(key.0), PostId(id)));
            }
        }
    }
    Ok(out)
}

pub(super) async fn unrouted_count(pool: &Pool) -> Result<(PostId, u64)> {
    let row = query(
        "SELECT w.routed_through AS through, \
           (SELECT COUNT(*) FROM posts WHERE id > w.routed_through) AS n \
         FROM routing_watermark w WHERE w.id = 1",
    )
    .fetch_one(pool)
    .await?;
    let (through, n): (i64, i64) = (row.try_get("through")?, row.try_get("n")?);
    Ok((PostId(through), n.max(0) as u64))
}

pub(super) async fn unrouted_posts(pool: &Pool, limit: u32) -> Result<Unrouted> {
    let routed_through: i64 =
        query_scalar("SELECT routed_through FROM routing_watermark WHERE id = 1")
            .fetch_one(pool)
            .await?;
    let posts: Vec<i64> = query_scalar("SELECT id FROM posts WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(routed_through)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    Ok(Unrouted {
        routed_through: PostId(routed_through),
        posts: posts.into_iter().map(PostId).collect(),
    })
}
