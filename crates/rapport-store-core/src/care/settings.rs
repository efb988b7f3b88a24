//! The `SettingsStore` capability.

use super::*;

/// Care settings, SLA policies and teams: what an admin configures.
#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// A care setting; `None` when it was never set. Kept as text under its key (the
    /// domain's `CareSetting::encode`); text that does not read as its type is `Corrupt`.
    async fn care_setting(&self, key: CareSettingKey) -> Result<Option<CareSetting>>;

    async fn set_care_setting(&self, setting: &CareSetting) -> Result<()>;

    /// Adds or replaces the policy of that name.
    async fn put_sla_policy(&self, policy: &SlaPolicy) -> Result<()>;

    async fn sla_policy(&self, name: &str) -> Result<Option<SlaPolicy>>;

    async fn sla_policies(&self) -> Result<Vec<SlaPolicy>>;

    /// Adds a team, or replaces the one of that name (its round-robin cursor is kept).
    async fn put_team(&self, team: &TeamSpec) -> Result<Team>;

    async fn team(&self, id: TeamId) -> Result<Option<Team>>;

    async fn teams(&self) -> Result<Vec<Team>>;

    /// Renames a team, keeping its id (cases and routing rules refer to it); a name another
    /// team holds is a conflict.
    async fn rename_team(&self, id: TeamId, name: &str) -> Result<Team>;

    /// Moves the team's round-robin cursor to the next member and returns them; `None` when the
    /// team has no members. Concurrent callers get different members.
    async fn next_round_robin(&self, team: TeamId) -> Result<Option<UserId>>;
}
