//! The `SavedViewStore` capability.

use super::*;

/// Saved inbox views: named filter sets, personal or for a team. Who may see, rename or
/// remove one is the engine's rule; the store keeps them.
#[async_trait]
pub trait SavedViewStore: Send + Sync {
    /// Stores a view; `Conflict` when its owner already has a view of that name.
    async fn create_view(&self, view: &NewSavedView) -> Result<SavedView>;

    async fn view(&self, id: SavedViewId) -> Result<Option<SavedView>>;

    /// The views `user` owns and the team views of `teams`, by name.
    async fn views_for(&self, user: UserId, teams: &[TeamId]) -> Result<Vec<SavedView>>;

    /// `false` when there is no such view; `Conflict` when the owner has another of that name.
    async fn rename_view(&self, id: SavedViewId, name: &str) -> Result<bool>;

    /// `false` when there is no such view.
    async fn remove_view(&self, id: SavedViewId) -> Result<bool>;
}
