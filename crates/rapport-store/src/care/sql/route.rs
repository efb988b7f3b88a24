// Reading stored posts for routing: shared by both backends (`CREATED_MICROS` is the
// backend's expression for a post's time in microseconds).

async fn route_candidates(pool: &Pool, posts: &[PostId]) -> Result<Vec<RouteCandidate>> {
    let mut out = Vec::with_capacity(posts.len());
    for chunk in posts.chunks(500) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT p.id, COALESCE(cv.merged_into, cv.id) AS conv, i.contact_id, p.identity_id, \
               p.network, {CREATED_MICROS} AS created, \
               CAST(CASE WHEN p.from_own_account THEN 1 ELSE 0 END AS BIGINT) AS own, \
               CAST(CASE WHEN p.is_mention THEN 1 ELSE 0 END AS BIGINT) AS mention, \
               CAST(CASE WHEN p.reply_to IS NULL THEN 0 ELSE 1 END AS BIGINT) AS reply, \
               CAST(p.intents AS BIGINT) AS intents, p.urgency, p.text \
             FROM posts p JOIN identities i ON i.id = p.identity_id \
             JOIN conversations cv ON cv.id = p.conversation_id WHERE p.id IN ({list})"
        );
        let mut q = sqlx::query::<Db>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.0);
        }
        let rows = q.fetch_all(pool).await?;
        let sql = format!(
            "SELECT post_id, topic_id FROM post_topics WHERE post_id IN ({list}) \
             ORDER BY post_id, topic_id"
        );
        let mut q = sqlx::query::<Db>(sqlx::AssertSqlSafe(sql));
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
