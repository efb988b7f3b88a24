//! Inbox filters and saved views: a named filter set kept for its owner alone or for a team,
//! listed with its live count. Only the owner renames or removes a view; a team view is seen
//! by every member of its team. A saved "mine" view means the cases of whoever opens it.

use super::Care;
use super::{CareError, Result};
use rapport_domain::care::{
    InboxFilter, InboxPage, InboxQuery, InboxView, NewSavedView, SavedView, SavedViewId, Team,
};
use rapport_domain::{TeamId, UserId};

/// The longest name a view may have, in characters.
pub const VIEW_NAME_MAX: usize = 80;

/// A view as one user sees it: with its count of active cases.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ViewWithCount {
    #[serde(flatten)]
    pub view: SavedView,
    /// Active cases it holds now.
    pub count: u64,
    /// Whether the user asking owns it (and may rename or remove it).
    pub own: bool,
}

/// The view `v` as `user` opens it: "mine" is the opener's.
pub fn as_seen_by(v: InboxView, user: UserId) -> InboxView {
    match v {
        InboxView::Mine(_) => InboxView::Mine(user),
        other => other,
    }
}

fn valid_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > VIEW_NAME_MAX {
        return Err(CareError::Invalid {
            field: "name",
            reason: format!("a view's name is 1 to {VIEW_NAME_MAX} characters"),
        });
    }
    Ok(name.to_string())
}

impl Care {
    /// One page of an inbox view narrowed by `filter`.
    pub async fn filtered_inbox(&self, q: &InboxQuery, filter: &InboxFilter) -> Result<InboxPage> {
        Ok(self.store.inbox().filtered_inbox(q, filter).await?)
    }

    /// How many active cases each (view, filter) pair holds: one statement for all.
    pub async fn filtered_counts(&self, sets: &[(InboxView, InboxFilter)]) -> Result<Vec<u64>> {
        Ok(self.store.inbox().filtered_counts(sets).await?)
    }

    /// The teams `user` belongs to.
    async fn teams_of(&self, user: UserId) -> Result<Vec<TeamId>> {
        Ok(self
            .store
            .settings()
            .teams()
            .await?
            .into_iter()
            .filter(|t| t.members.contains(&user))
            .map(|t| t.id)
            .collect())
    }

    /// The views `user` sees (their own and their teams'), by name, each with its count of
    /// active cases: one statement for all of them.
    pub async fn saved_views(&self, user: UserId) -> Result<Vec<ViewWithCount>> {
        let teams = self.store.settings().teams().await?;
        self.saved_views_among(user, &teams).await
    }

    /// [`Care::saved_views`] for a caller who has read the teams already.
    pub async fn saved_views_among(
        &self,
        user: UserId,
        teams: &[Team],
    ) -> Result<Vec<ViewWithCount>> {
        let teams: Vec<TeamId> = teams
            .iter()
            .filter(|t| t.members.contains(&user))
            .map(|t| t.id)
            .collect();
        let views = self.store.views().views_for(user, &teams).await?;
        let sets: Vec<_> = views
            .iter()
            .map(|v| (as_seen_by(v.view, user), v.filter.clone()))
            .collect();
        let counts = self.store.inbox().filtered_counts(&sets).await?;
        Ok(views
            .into_iter()
            .zip(counts)
            .map(|(view, count)| ViewWithCount {
                own: view.owner == user,
                view,
                count,
            })
            .collect())
    }

    /// View `id` if `user` may see it.
    pub async fn saved_view(&self, user: UserId, id: SavedViewId) -> Result<SavedView> {
        let missing = || CareError::NotFound(format!("view {id}"));
        let view = self.store.views().view(id).await?.ok_or_else(missing)?;
        let visible = view.owner == user
            || match view.team {
                Some(t) => self.teams_of(user).await?.contains(&t),
                None => false,
            };
        if visible { Ok(view) } else { Err(missing()) }
    }

    /// Saves `filter` over `view` as `name`, for `user` alone or for `team` (which they must
    /// belong to).
    pub async fn save_view(
        &self,
        user: UserId,
        name: &str,
        team: Option<TeamId>,
        view: InboxView,
        filter: InboxFilter,
    ) -> Result<SavedView> {
        let name = valid_name(name)?;
        if let Some(t) = team
            && !self.teams_of(user).await?.contains(&t)
        {
            return Err(CareError::Invalid {
                field: "team",
                reason: format!("you are not in team {t}"),
            });
        }
        Ok(self
            .store
            .views()
            .create_view(&NewSavedView {
                name,
                owner: user,
                team,
                view,
                filter,
            })
            .await?)
    }

    /// The view `user` owns, or `NotFound`.
    async fn owned(&self, user: UserId, id: SavedViewId) -> Result<SavedView> {
        match self.store.views().view(id).await? {
            Some(v) if v.owner == user => Ok(v),
            _ => Err(CareError::NotFound(format!("view {id}"))),
        }
    }

    pub async fn rename_view(&self, user: UserId, id: SavedViewId, name: &str) -> Result<()> {
        let name = valid_name(name)?;
        self.owned(user, id).await?;
        self.store.views().rename_view(id, &name).await?;
        Ok(())
    }

    /// Removes a view `user` owns; answers its name.
    pub async fn delete_view(&self, user: UserId, id: SavedViewId) -> Result<String> {
        let view = self.owned(user, id).await?;
        self.store.views().remove_view(id).await?;
        Ok(view.name)
    }
}
