//! The inbox filters as SQL conditions on a case row, the same text on both backends. Those
//! about the customer's posts (own account, sentiment, intent) probe the case's posts through
//! `case_posts`' primary key (and a post by its id); the rest are columns of the case.

use super::*;

/// The posts a customer wrote in case `{case}.id`, joined as `cp`.
fn customer_posts(case: &str) -> String {
    format!("FROM case_posts cp WHERE cp.case_id = {case}.id AND cp.from_customer = 1")
}

/// Appends ` AND <condition>` for every dimension `f` sets, on the case row aliased `case`.
pub(super) fn push_filter(qb: &mut QueryBuilder, case: &str, f: &InboxFilter) {
    if let Some(n) = f.network {
        qb.push(format!(" AND {case}.network = "))
            .push_bind(n.as_str());
    }
    if let Some(a) = f.account {
        // As the reports count it: the post mentions the account or replies to its post.
        qb.push(format!(
            " AND EXISTS (SELECT 1 {} AND (EXISTS (SELECT 1 FROM post_mentions pm \
             JOIN identities o ON o.network = pm.network AND o.handle_key = pm.handle_key \
             WHERE pm.post_id = cp.post_id AND o.own_account AND o.id = ",
            customer_posts(case)
        ))
        .push_bind(a.0)
        .push(
            ") OR EXISTS (SELECT 1 FROM posts rp JOIN posts parent \
             ON parent.network = rp.network AND parent.native_id = rp.reply_to \
             JOIN identities o ON o.id = parent.identity_id \
             WHERE rp.id = cp.post_id AND o.own_account AND o.id = ",
        )
        .push_bind(a.0)
        .push(")))");
    }
    if let Some(t) = f.topic {
        qb.push(format!(
            " AND EXISTS (SELECT 1 FROM case_topics ft WHERE ft.case_id = {case}.id \
             AND ft.topic_id = "
        ))
        .push_bind(t.0)
        .push(")");
    }
    if let Some(s) = f.sentiment {
        qb.push(format!(
            " AND EXISTS (SELECT 1 {} AND EXISTS (SELECT 1 FROM posts p \
             WHERE p.id = cp.post_id AND p.sentiment = ",
            customer_posts(case)
        ))
        .push_bind(s.as_str())
        .push("))");
    }
    if let Some(bits) = f.intent_bits() {
        qb.push(format!(
            " AND EXISTS (SELECT 1 {} AND EXISTS (SELECT 1 FROM posts p \
             WHERE p.id = cp.post_id AND (p.intents & ",
            customer_posts(case)
        ))
        .push_bind(bits)
        .push(") <> 0))");
    }
    if let Some(tag) = &f.tag {
        // `tags` is a JSON array of strings: the tag's JSON form, quotes included, is one
        // whole element.
        qb.push(format!(" AND {case}.tags LIKE "))
            .push_bind(tag_pattern(tag))
            .push(" ESCAPE '\\'");
    }
    match f.assignee {
        Some(AssigneeFilter::Nobody) => {
            qb.push(format!(" AND {case}.assignee IS NULL"));
        }
        Some(AssigneeFilter::User(u)) => {
            qb.push(format!(" AND {case}.assignee = ")).push_bind(u.0);
        }
        None => {}
    }
    if let Some(t) = f.team {
        qb.push(format!(" AND {case}.team_id = ")).push_bind(t.0);
    }
    match f.sla {
        Some(SlaFilter::NoClock) => {
            qb.push(format!(" AND {case}.sla_state IS NULL"));
        }
        Some(SlaFilter::State(s)) => {
            qb.push(format!(" AND {case}.sla_state = "))
                .push_bind(s.as_str());
        }
        None => {}
    }
    let (start, end) = f.opened_range();
    if let Some(t) = start {
        qb.push(format!(" AND {case}.opened_at >= "))
            .push_bind(care::micros(t));
    }
    if let Some(t) = end {
        qb.push(format!(" AND {case}.opened_at < "))
            .push_bind(care::micros(t));
    }
}

/// `%"tag"%` with LIKE's wildcards and escape character escaped.
fn tag_pattern(tag: &str) -> String {
    let json = serde_json::Value::String(tag.to_string()).to_string();
    let mut out = String::from("%");
    for ch in json.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}
