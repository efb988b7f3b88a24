//! Saved inbox views: the view and the filter kept as JSON text on both backends.

use super::*;

const COLUMNS: &str = "id, owner, team_id, name, view, filter";

fn decode_view(r: &DbRow) -> Result<SavedView> {
    Ok(SavedView {
        id: SavedViewId(r.try_get("id")?),
        owner: UserId(r.try_get("owner")?),
        team: r.try_get::<Option<i64>, _>("team_id")?.map(TeamId),
        name: r.try_get("name")?,
        view: json_col(r, "view")?,
        filter: json_col(r, "filter")?,
    })
}

fn taken(name: &str, e: StoreError) -> StoreError {
    if e.is_unique_violation() {
        StoreError::Conflict(format!("a view named '{name}' exists already"))
    } else {
        e
    }
}

fn checked(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("a view's name is empty".into()));
    }
    Ok(name)
}

pub(super) async fn create_view(pool: &Pool, v: &NewSavedView) -> Result<SavedView> {
    let name = checked(&v.name)?;
    let row = query(format!(
        "INSERT INTO saved_views (owner, team_id, name, view, filter) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(v.owner.0)
    .bind(v.team.map(|t| t.0))
    .bind(name)
    .bind(to_json(&v.view))
    .bind(to_json(&v.filter))
    .fetch_one(pool)
    .await
    .map_err(|e| taken(name, e))?;
    decode_view(&row)
}

pub(super) async fn saved_view(pool: &Pool, id: SavedViewId) -> Result<Option<SavedView>> {
    query(format!("SELECT {COLUMNS} FROM saved_views WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(decode_view)
        .transpose()
}

pub(super) async fn views_for(
    pool: &Pool,
    user: UserId,
    teams: &[TeamId],
) -> Result<Vec<SavedView>> {
    let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM saved_views WHERE owner = "));
    qb.push_bind(user.0);
    for t in teams {
        qb.push(" OR team_id = ").push_bind(t.0);
    }
    qb.push(" ORDER BY name, id");
    qb.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(decode_view)
        .collect()
}

pub(super) async fn rename_view(pool: &Pool, id: SavedViewId, name: &str) -> Result<bool> {
    let name = checked(name)?;
    let done = query("UPDATE saved_views SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id.0)
        .execute(pool)
        .await
        .map_err(|e| taken(name, e))?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn remove_view(pool: &Pool, id: SavedViewId) -> Result<bool> {
    let done = query("DELETE FROM saved_views WHERE id = $1")
        .bind(id.0)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}
