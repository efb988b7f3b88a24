//! Settings, SLA policies, teams, notes and saved replies.

use super::*;

pub(super) async fn care_setting(pool: &Pool, key: CareSettingKey) -> Result<Option<CareSetting>> {
    let text = query_scalar::<String>("SELECT value FROM care_settings WHERE key = $1")
        .bind(key.as_str())
        .fetch_optional(pool)
        .await?;
    text.map(|t| CareSetting::decode(key, &t).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

pub(super) async fn set_care_setting(pool: &Pool, setting: &CareSetting) -> Result<()> {
    query(
        "INSERT INTO care_settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(setting.key().as_str())
    .bind(setting.encode())
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn put_sla_policy(pool: &Pool, policy: &SlaPolicy) -> Result<()> {
    if policy.name.trim().is_empty() {
        return Err(StoreError::Invalid("sla policy name is empty".into()));
    }
    query(
        "INSERT INTO sla_policies (name, policy) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET policy = excluded.policy",
    )
    .bind(&policy.name)
    .bind(to_json(policy))
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn sla_policy(pool: &Pool, name: &str) -> Result<Option<SlaPolicy>> {
    query("SELECT policy FROM sla_policies WHERE name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(|r| json_col(r, "policy"))
        .transpose()
}

pub(super) async fn sla_policies(pool: &Pool) -> Result<Vec<SlaPolicy>> {
    let rows = query("SELECT policy FROM sla_policies ORDER BY name")
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| json_col(r, "policy")).collect()
}

pub(super) fn decode_team(r: &DbRow) -> Result<Team> {
    Ok(Team {
        id: TeamId(r.try_get("id")?),
        name: r.try_get("name")?,
        members: json_col(r, "members")?,
        calendar: json_col(r, "calendar")?,
        sla_policy: r.try_get("sla_policy")?,
        last_assigned: r.try_get::<Option<i64>, _>("last_assigned")?.map(UserId),
    })
}

pub(super) const TEAM_COLS: &str =
    "SELECT id, name, members, calendar, sla_policy, last_assigned FROM teams";

pub(super) async fn put_team(pool: &Pool, team: &TeamSpec) -> Result<Team> {
    if team.name.trim().is_empty() {
        return Err(StoreError::Invalid("team name is empty".into()));
    }
    let id: i64 = query_scalar(
        "INSERT INTO teams (name, members, calendar, sla_policy) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (name) DO UPDATE SET members = excluded.members, \
           calendar = excluded.calendar, sla_policy = excluded.sla_policy RETURNING id",
    )
    .bind(&team.name)
    .bind(to_json(&team.members))
    .bind(to_json(&team.calendar))
    .bind(&team.sla_policy)
    .fetch_one(pool)
    .await?;
    team_by_id(pool, TeamId(id))
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("team {id}")))
}

pub(super) async fn team_by_id(pool: &Pool, id: TeamId) -> Result<Option<Team>> {
    let sql = format!("{TEAM_COLS} WHERE id = $1");
    query(sql)
        .bind(id.0)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(decode_team)
        .transpose()
}

pub(super) async fn teams(pool: &Pool) -> Result<Vec<Team>> {
    let sql = format!("{TEAM_COLS} ORDER BY name");
    let rows = query(sql).fetch_all(pool).await?;
    rows.iter().map(decode_team).collect()
}

pub(super) async fn rename_team(pool: &Pool, id: TeamId, name: &str) -> Result<Team> {
    if name.trim().is_empty() {
        return Err(StoreError::Invalid("team name is empty".into()));
    }
    let holder: Option<i64> = query_scalar("SELECT id FROM teams WHERE name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await?;
    if holder.is_some_and(|h| h != id.0) {
        return Err(StoreError::Conflict(format!(
            "a team named '{name}' exists"
        )));
    }
    let done = query("UPDATE teams SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id.0)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("team {id}")));
    }
    team_by_id(pool, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("team {id}")))
}

pub(super) async fn next_round_robin(pool: &Pool, id: TeamId) -> Result<Option<UserId>> {
    // Compare-and-set on the cursor: a concurrent caller that moved it first makes this one
    // read again, so two cases never go to the same member by accident of timing.
    for _ in 0..32 {
        let team = team_by_id(pool, id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("team {id}")))?;
        let Some(next) = rapport_domain::case::next_round_robin(&team.members, team.last_assigned)
        else {
            return Ok(None);
        };
        let moved = query(
            "UPDATE teams SET last_assigned = $2 WHERE id = $1 \
             AND COALESCE(last_assigned, -1) = $3",
        )
        .bind(id.0)
        .bind(next.0)
        .bind(team.last_assigned.map_or(-1, |u| u.0))
        .execute(pool)
        .await?
        .rows_affected();
        if moved == 1 {
            return Ok(Some(next));
        }
    }
    Err(StoreError::Conflict(format!(
        "team {id}: the round-robin cursor kept changing"
    )))
}

pub(super) fn decode_note(r: &DbRow) -> Result<Note> {
    Ok(Note {
        id: NoteId(r.try_get("id")?),
        case_id: CaseId(r.try_get("case_id")?),
        author: UserId(r.try_get("author")?),
        body: r.try_get("body")?,
        created_at: care::time(r.try_get("created_at")?, "created_at")?,
    })
}

pub(super) async fn add_note<D: Dialect>(
    pool: &Pool,
    case: CaseId,
    author: UserId,
    body: &str,
    event: &CaseEvent,
) -> Result<Note> {
    let mut tx = pool.begin(Begin::Deferred).await?;
    let id: i64 = query_scalar(
        "INSERT INTO case_notes (case_id, author, body, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(case.0)
    .bind(author.0)
    .bind(body)
    .bind(care::micros(event.at))
    .fetch_one(&mut *tx)
    .await?;
    append_events::<D>(&mut tx, case, std::slice::from_ref(event)).await?;
    tx.commit().await?;
    Ok(Note {
        id: NoteId(id),
        case_id: case,
        author,
        body: body.to_string(),
        created_at: event.at,
    })
}

pub(super) async fn notes(pool: &Pool, case: CaseId) -> Result<Vec<Note>> {
    let rows = query(
        "SELECT id, case_id, author, body, created_at FROM case_notes WHERE case_id = $1 \
         ORDER BY id",
    )
    .bind(case.0)
    .fetch_all(pool)
    .await?;
    rows.iter().map(decode_note).collect()
}

pub(super) async fn contact_notes(pool: &Pool, contact: ContactId) -> Result<Vec<Note>> {
    let rows = query(
        "SELECT n.id, n.case_id, n.author, n.body, n.created_at FROM case_notes n \
         JOIN cases c ON c.id = n.case_id WHERE c.contact_id = $1 ORDER BY n.created_at, n.id",
    )
    .bind(contact.0)
    .fetch_all(pool)
    .await?;
    rows.iter().map(decode_note).collect()
}

pub(super) fn decode_saved(r: &DbRow) -> Result<SavedReply> {
    Ok(SavedReply {
        id: SavedReplyId(r.try_get("id")?),
        name: r.try_get("name")?,
        body: r.try_get("body")?,
        shortcut: r.try_get("shortcut")?,
    })
}

pub(super) async fn put_saved_reply(
    pool: &Pool,
    name: &str,
    body: &str,
    shortcut: Option<&str>,
) -> Result<SavedReply> {
    if name.trim().is_empty() {
        return Err(StoreError::Invalid("saved reply name is empty".into()));
    }
    if let Some(s) = shortcut {
        let holder: Option<String> =
            query_scalar("SELECT name FROM saved_replies WHERE shortcut = $1 AND name <> $2")
                .bind(s)
                .bind(name)
                .fetch_optional(pool)
                .await?;
        if let Some(holder) = holder {
            return Err(StoreError::Conflict(format!(
                "shortcut '{s}' is taken by saved reply '{holder}'"
            )));
        }
    }
    let row = query(
        "INSERT INTO saved_replies (name, body, shortcut) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET body = excluded.body, shortcut = excluded.shortcut \
         RETURNING id, name, body, shortcut",
    )
    .bind(name)
    .bind(body)
    .bind(shortcut)
    .fetch_one(pool)
    .await?;
    decode_saved(&row)
}

pub(super) async fn saved_reply(pool: &Pool, name: &str) -> Result<Option<SavedReply>> {
    query("SELECT id, name, body, shortcut FROM saved_replies WHERE name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(decode_saved)
        .transpose()
}

pub(super) async fn saved_replies(pool: &Pool) -> Result<Vec<SavedReply>> {
    let rows = query("SELECT id, name, body, shortcut FROM saved_replies ORDER BY name")
        .fetch_all(pool)
        .await?;
    rows.iter().map(decode_saved).collect()
}

pub(super) async fn remove_saved_reply(pool: &Pool, name: &str) -> Result<bool> {
    Ok(query("DELETE FROM saved_replies WHERE name = $1")
        .bind(name)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}
