//! The contact list (`ContactBookStore::contacts`). Every row's figures (posts, open cases,
//! last touchpoint) are counted when the page is read, from `posts_identity` and
//! `cases_contact`, so nothing has to be kept in step at ingest; the cost grows with the
//! number of contacts the filters leave, which a text, stage or tag filter keeps small.

use super::*;

/// `%text%` for LIKE, with LIKE's own wildcards escaped (`\` is the escape character).
pub(super) fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

pub(super) fn list_count(r: &DbRow, col: &str) -> Result<u64> {
    Ok(r.try_get::<i64, _>(col)?.max(0) as u64)
}

pub(super) fn decode_contact_row(r: &DbRow) -> Result<ContactSummary> {
    let tags: Option<String> = r.try_get("tags")?;
    let stage: Option<String> = r.try_get("stage")?;
    let last: i64 = r.try_get("last_key")?;
    Ok(ContactSummary {
        id: ContactId(r.try_get("id")?),
        name: r.try_get("name")?,
        identities: Vec::new(),
        email: r.try_get("email")?,
        company: r.try_get("company")?,
        stage: stage
            .map(|s| s.parse())
            .transpose()
            .map_err(|e: String| StoreError::Corrupt(format!("column stage: {e}")))?,
        tags: match tags {
            Some(t) => serde_json::from_str(&t)
                .map_err(|e| StoreError::Corrupt(format!("column tags: {e}")))?,
            None => Default::default(),
        },
        posts: list_count(r, "posts")?,
        open_cases: list_count(r, "open_cases")?,
        last_activity_at: if last < 0 {
            None
        } else {
            Some(care::time(last, "last_key")?)
        },
    })
}

/// A bound value of the list query, in the order of its `$n`.
pub(super) enum ListArg {
    Text(String),
    Int(i64),
}

/// Adds a bound value and returns its placeholder: placeholders are numbered in the order they
/// first appear, which SQLite needs as much as PostgreSQL.
pub(super) fn arg(args: &mut Vec<ListArg>, a: ListArg) -> String {
    args.push(a);
    format!("${}", args.len())
}

pub(super) async fn contacts<D: Dialect>(pool: &Pool, q: &ContactQuery) -> Result<ContactPage> {
    if !(1..=500).contains(&q.limit) {
        return Err(StoreError::Invalid(format!(
            "contacts limit {} is outside 1 to 500",
            q.limit
        )));
    }
    let mut args: Vec<ListArg> = Vec::new();
    let mut filters = vec!["f.merged_into IS NULL".to_string()];
    let text = q.text.trim();
    if !text.is_empty() {
        let any = arg(&mut args, ListArg::Text(like_pattern(&text.to_lowercase())));
        let handle = arg(
            &mut args,
            ListArg::Text(like_pattern(&text.trim_start_matches('@').to_lowercase())),
        );
        filters.push(format!(
            "(LOWER(c.name) LIKE {any} ESCAPE '\\' \
             OR LOWER(COALESCE(f.email, '')) LIKE {any} ESCAPE '\\' \
             OR LOWER(COALESCE(f.company, '')) LIKE {any} ESCAPE '\\' \
             OR EXISTS (SELECT 1 FROM identities ti WHERE ti.contact_id = c.id \
               AND (ti.handle_key LIKE {handle} ESCAPE '\\' \
               OR LOWER(COALESCE(ti.display_name, '')) LIKE {any} ESCAPE '\\')))"
        ));
    }
    if let Some(stage) = q.stage {
        let p = arg(&mut args, ListArg::Text(stage.as_str().to_string()));
        filters.push(format!("f.stage = {p}"));
    }
    if let Some(tag) = q.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // Tags are a JSON array of strings: the quoted tag matches one whole element.
        let quoted = serde_json::to_string(&tag.to_lowercase())
            .map_err(|e| StoreError::Invalid(format!("tag filter: {e}")))?;
        let p = arg(&mut args, ListArg::Text(like_pattern(&quoted)));
        filters.push(format!("f.tags LIKE {p} ESCAPE '\\'"));
    }
    if !q.include_own {
        filters.push(
            "NOT EXISTS (SELECT 1 FROM identities oi WHERE oi.contact_id = c.id \
             AND oi.own_account)"
                .to_string(),
        );
    }
    let (keyset, order) = match (&q.after, q.sort) {
        (None, ContactSort::LastActivity) => (None, "s.last_key DESC, s.id DESC"),
        (None, ContactSort::Name) => (None, "s.name_key, s.id"),
        (Some(ContactCursor::LastActivity { micros, id }), ContactSort::LastActivity) => {
            let k = arg(&mut args, ListArg::Int(*micros));
            let i = arg(&mut args, ListArg::Int(id.0));
            (
                Some(format!(
                    "(s.last_key < {k} OR (s.last_key = {k} AND s.id < {i}))"
                )),
                "s.last_key DESC, s.id DESC",
            )
        }
        (Some(ContactCursor::Name { key, id }), ContactSort::Name) => {
            let k = arg(&mut args, ListArg::Text(key.clone()));
            let i = arg(&mut args, ListArg::Int(id.0));
            (
                Some(format!(
                    "(s.name_key > {k} OR (s.name_key = {k} AND s.id > {i}))"
                )),
                "s.name_key, s.id",
            )
        }
        (Some(c), sort) => {
            return Err(StoreError::Invalid(format!(
                "contacts cursor '{c}' is not one of sort {}",
                sort.as_str()
            )));
        }
    };
    let limit = arg(&mut args, ListArg::Int(i64::from(q.limit) + 1));
    let created = D::CREATED_MICROS;
    let sql = format!(
        "SELECT s.* FROM ( \
           SELECT t.*, CASE WHEN t.last_post IS NULL THEN COALESCE(t.last_case, -1) \
             WHEN t.last_case IS NULL OR t.last_post >= t.last_case THEN t.last_post \
             ELSE t.last_case END AS last_key FROM ( \
             SELECT c.id, c.name, LOWER(c.name) AS name_key, f.email, f.company, f.tags, \
               f.stage, \
               (SELECT MAX({created}) FROM posts p \
                 JOIN identities pi ON pi.id = p.identity_id \
                 WHERE pi.contact_id = c.id) AS last_post, \
               (SELECT MAX(k.last_activity_at) FROM cases k WHERE k.contact_id = c.id) \
                 AS last_case, \
               (SELECT COUNT(*) FROM posts p JOIN identities pi ON pi.id = p.identity_id \
                 WHERE pi.contact_id = c.id) AS posts, \
               (SELECT COUNT(*) FROM cases k WHERE k.contact_id = c.id AND k.active = 1) \
                 AS open_cases \
             FROM contacts c LEFT JOIN contact_fields f ON f.contact_id = c.id \
             WHERE {}) t) s \
         {} ORDER BY {order} LIMIT {limit}",
        filters.join(" AND "),
        keyset.map(|k| format!("WHERE {k}")).unwrap_or_default(),
    );
    let mut query = query(sql);
    for a in args {
        query = match a {
            ListArg::Text(s) => query.bind(s),
            ListArg::Int(i) => query.bind(i),
        };
    }
    let rows = query.fetch_all(pool).await?;
    let mut items = Vec::with_capacity(rows.len().min(q.limit as usize));
    let mut last_keys = Vec::with_capacity(items.capacity());
    for r in rows.iter().take(q.limit as usize) {
        items.push(decode_contact_row(r)?);
        last_keys.push((
            r.try_get::<i64, _>("last_key")?,
            r.try_get::<String, _>("name_key")?,
        ));
    }
    let next = if rows.len() > q.limit as usize {
        let (micros, key) = last_keys.last().cloned().unwrap_or_default();
        let id = items.last().map_or(ContactId(0), |c| c.id);
        Some(match q.sort {
            ContactSort::LastActivity => ContactCursor::LastActivity { micros, id },
            ContactSort::Name => ContactCursor::Name { key, id },
        })
    } else {
        None
    };
    attach_identities(pool, &mut items).await?;
    Ok(ContactPage { items, next })
}

/// Fills in the identities of a page's contacts with one query.
pub(super) async fn attach_identities(pool: &Pool, items: &mut [ContactSummary]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let marks: Vec<String> = (1..=items.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, contact_id, network, handle, followers FROM identities \
         WHERE contact_id IN ({}) ORDER BY contact_id, network, handle_key",
        marks.join(", ")
    );
    let mut query = query(sql);
    for c in items.iter() {
        query = query.bind(c.id.0);
    }
    let rows = query.fetch_all(pool).await?;
    let mut by_contact: HashMap<i64, Vec<ContactIdentity>> = HashMap::new();
    for r in &rows {
        let network: String = r.try_get("network")?;
        by_contact
            .entry(r.try_get("contact_id")?)
            .or_default()
            .push(ContactIdentity {
                id: IdentityId(r.try_get("id")?),
                network: crate::record::network(&network)?,
                handle: r.try_get("handle")?,
                followers: r
                    .try_get::<Option<i64>, _>("followers")?
                    .map(|f| f.max(0) as u64),
            });
    }
    for c in items.iter_mut() {
        c.identities = by_contact.remove(&c.id.0).unwrap_or_default();
    }
    Ok(())
}
