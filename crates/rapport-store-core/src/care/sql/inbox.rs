//! Inbox views and counts. Every view is one range of a partial index on active cases (see
//! the 0003 migration), read in the sort's direction from the keyset cursor.

use super::*;

/// The table, sort-key column, id column and view condition for a query: `cond` is followed
/// by the bound `value` when there is one. The table is aliased `v`.
pub(super) struct ViewSql {
    table: &'static str,
    key: &'static str,
    id: &'static str,
    cond: &'static str,
    value: Option<i64>,
}

pub(super) fn view_sql(view: InboxView, sort: InboxSort) -> ViewSql {
    let topic = matches!(view, InboxView::Topic(_));
    let key = match sort {
        InboxSort::Priority => "prio_key",
        InboxSort::SlaDue => "due_key",
        InboxSort::Newest | InboxSort::Oldest => "last_activity_at",
    };
    let (cond, value) = match view {
        InboxView::Mine(u) => ("v.assignee = ", Some(u.0)),
        InboxView::Unassigned => ("v.assignee IS NULL", None),
        InboxView::Team(t) => ("v.team_id = ", Some(t.0)),
        InboxView::AllOpen => ("1 = 1", None),
        InboxView::AtRisk => ("v.sla_rank > 0", None),
        InboxView::Topic(t) => ("v.topic_id = ", Some(t.0)),
        InboxView::Priority(p) => ("v.priority = ", Some(care::priority_rank(p))),
    };
    ViewSql {
        table: if topic { "case_topics" } else { "cases" },
        key,
        id: if topic { "case_id" } else { "id" },
        cond,
        value,
    }
}

impl ViewSql {
    /// `FROM <table> v [JOIN cases fc] WHERE v.active = 1 AND <view> [AND <filters>]`.
    /// `active = 1` is written out literally so that SQLite picks the partial indexes.
    fn push_from(&self, qb: &mut QueryBuilder, filter: &InboxFilter) {
        qb.push(format!(" FROM {} v", self.table));
        // The filters read the case row: the view's own row, or the case it points at.
        let case = if self.table == "cases" || filter.is_empty() {
            "v"
        } else {
            qb.push(" JOIN cases fc ON fc.id = v.case_id");
            "fc"
        };
        qb.push(" WHERE v.active = 1 AND ").push(self.cond);
        if let Some(value) = self.value {
            qb.push_bind(value);
        }
        push_filter(qb, case, filter);
    }
}

pub(super) fn descending(sort: InboxSort) -> bool {
    matches!(sort, InboxSort::Priority | InboxSort::Newest)
}

pub(super) fn sort_key(record_key: (i64, i64, i64), sort: InboxSort) -> i64 {
    let (prio, due, activity) = record_key;
    match sort {
        InboxSort::Priority => prio,
        InboxSort::SlaDue => due,
        InboxSort::Newest | InboxSort::Oldest => activity,
    }
}

pub(super) async fn inbox(pool: &Pool, q: &InboxQuery, filter: &InboxFilter) -> Result<InboxPage> {
    if q.limit == 0 || q.limit > 500 {
        return Err(StoreError::Invalid(format!(
            "limit {} is outside 1 to 500",
            q.limit
        )));
    }
    let v = view_sql(q.view, q.sort);
    let desc = descending(q.sort);
    let (dir, cmp) = if desc { ("DESC", "<") } else { ("ASC", ">") };
    let (key, id) = (v.key, v.id);
    let mut qb = QueryBuilder::new(format!(
        "SELECT c.id, c.status, c.priority, c.assignee, c.team_id, c.contact_id, \
           COALESCE(n.name, '') AS contact_name, c.network, c.preview, c.tags, c.sla_state, \
           c.due_key, c.opened_at, c.last_activity_at, c.prio_key \
         FROM (SELECT v.{id} AS id"
    ));
    v.push_from(&mut qb, filter);
    if let PageStart::After(cursor) = q.start {
        qb.push(format!(" AND (v.{key}, v.{id}) {cmp} ("))
            .push_bind(cursor.key)
            .push(", ")
            .push_bind(cursor.id.0)
            .push(")");
    }
    let offset = match q.start {
        PageStart::Offset(n) => i64::from(n),
        _ => 0,
    };
    qb.push(format!(" ORDER BY v.{key} {dir}, v.{id} {dir} LIMIT "))
        .push_bind(i64::from(q.limit))
        .push(" OFFSET ")
        .push_bind(offset)
        .push(format!(
            ") page JOIN cases c ON c.id = page.id \
             LEFT JOIN contacts n ON n.id = c.contact_id \
             ORDER BY c.{key} {dir}, c.id {dir}"
        ));
    let rows = qb.build().fetch_all(pool).await?;
    let mut items = Vec::with_capacity(rows.len());
    let mut last = None;
    for r in &rows {
        let keys = (
            r.try_get::<i64, _>("prio_key")?,
            r.try_get::<i64, _>("due_key")?,
            r.try_get::<i64, _>("last_activity_at")?,
        );
        let item = decode_item(r)?;
        last = Some(InboxCursor {
            key: sort_key(keys, q.sort),
            id: item.id,
        });
        items.push(item);
    }
    let next = if items.len() == q.limit as usize {
        last
    } else {
        None
    };
    Ok(InboxPage { items, next })
}

/// How many active cases each (view, filter) pair holds, in one statement of one scalar
/// subquery per pair: each is one range of the view's partial index with the filters checked
/// on its rows.
pub(super) async fn filtered_counts(
    pool: &Pool,
    sets: &[(InboxView, InboxFilter)],
) -> Result<Vec<u64>> {
    let mut out = Vec::with_capacity(sets.len());
    for chunk in sets.chunks(32) {
        let mut qb = QueryBuilder::new("SELECT ");
        for (i, (view, filter)) in chunk.iter().enumerate() {
            if i > 0 {
                qb.push(", ");
            }
            qb.push("(SELECT COUNT(*)");
            view_sql(*view, InboxSort::Priority).push_from(&mut qb, filter);
            qb.push(format!(") AS n{i}"));
        }
        let row = qb.build().fetch_one(pool).await?;
        for i in 0..chunk.len() {
            out.push(row.try_get::<i64, _>(i)?.max(0) as u64);
        }
    }
    Ok(out)
}

pub(super) fn decode_item(r: &DbRow) -> Result<InboxItem> {
    let status: String = r.try_get("status")?;
    let sla_state: Option<String> = r.try_get("sla_state")?;
    let due_key: i64 = r.try_get("due_key")?;
    let network: String = r.try_get("network")?;
    Ok(InboxItem {
        id: CaseId(r.try_get("id")?),
        status: status
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("column status: {e}")))?,
        priority: care::rank_priority(r.try_get("priority")?)?,
        assignee: r.try_get::<Option<i64>, _>("assignee")?.map(UserId),
        team: r.try_get::<Option<i64>, _>("team_id")?.map(TeamId),
        contact_id: ContactId(r.try_get("contact_id")?),
        contact_name: r.try_get("contact_name")?,
        network: crate::record::network(&network)?,
        preview: r.try_get("preview")?,
        tags: json_col(r, "tags")?,
        sla_state: sla_state
            .map(|s| {
                serde_json::from_value::<SlaState>(serde_json::Value::String(s.clone()))
                    .map_err(|_| StoreError::Corrupt(format!("column sla_state: '{s}'")))
            })
            .transpose()?,
        next_due: (due_key != i64::MAX)
            .then(|| care::time(due_key, "due_key"))
            .transpose()?,
        opened_at: care::time(r.try_get("opened_at")?, "opened_at")?,
        last_activity_at: care::time(r.try_get("last_activity_at")?, "last_activity_at")?,
    })
}

pub(super) async fn count(pool: &Pool, sql: &'static str, value: Option<i64>) -> Result<u64> {
    let mut q = query_scalar::<i64>(sql);
    if let Some(v) = value {
        q = q.bind(v);
    }
    Ok(q.fetch_one(pool).await?.max(0) as u64)
}

pub(super) async fn grouped(pool: &Pool, sql: &'static str) -> Result<Vec<(i64, u64)>> {
    let rows = query(sql).fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<i64, _>(0)?,
                r.try_get::<i64, _>(1)?.max(0) as u64,
            ))
        })
        .collect()
}

pub(super) async fn inbox_counts(pool: &Pool, me: Option<UserId>) -> Result<InboxCounts> {
    let by_priority = grouped(
        pool,
        "SELECT priority, COUNT(*) FROM cases WHERE active = 1 GROUP BY priority \
         ORDER BY priority DESC",
    )
    .await?;
    let by_priority = by_priority
        .into_iter()
        .map(|(p, n)| Ok((care::rank_priority(p)?, n)))
        .collect::<Result<Vec<_>>>()?;
    let all_open = by_priority.iter().map(|(_, n)| n).sum();
    Ok(InboxCounts {
        all_open,
        unassigned: count(
            pool,
            "SELECT COUNT(*) FROM cases WHERE active = 1 AND assignee IS NULL",
            None,
        )
        .await?,
        mine: match me {
            Some(u) => {
                count(
                    pool,
                    "SELECT COUNT(*) FROM cases WHERE active = 1 AND assignee = $1",
                    Some(u.0),
                )
                .await?
            }
            None => 0,
        },
        at_risk: count(
            pool,
            "SELECT COUNT(*) FROM cases WHERE active = 1 AND sla_rank > 0",
            None,
        )
        .await?,
        by_priority,
        by_team: grouped(
            pool,
            "SELECT team_id, COUNT(*) FROM cases WHERE active = 1 AND team_id IS NOT NULL \
             GROUP BY team_id ORDER BY team_id",
        )
        .await?
        .into_iter()
        .map(|(t, n)| (TeamId(t), n))
        .collect(),
        by_topic: grouped(
            pool,
            "SELECT topic_id, COUNT(*) FROM case_topics WHERE active = 1 GROUP BY topic_id \
             ORDER BY topic_id",
        )
        .await?
        .into_iter()
        .map(|(t, n)| (TopicId(t), n))
        .collect(),
    })
}
