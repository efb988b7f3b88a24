//! Care settings as admins edit them: teams, SLA policies, routing rules, the company's own
//! accounts and saved replies renamed in place. Each write checks what the store cannot (names
//! that are free, teams and policies that exist, members who may take cases) and says which
//! field is wrong, so a settings form can point at it.

use super::{Care, CareError, Result, RoutingRules};
use rapport_domain::care::{SavedReply, Team, TeamSpec};
use rapport_domain::{
    Identity, Network, Permission, SlaPolicy, TeamId, Template, TemplateContext, User,
};
use rapport_store::StoreError;

/// The longest team, policy or saved-reply name.
const MAX_NAME: usize = 100;

fn checked_name(field: &'static str, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(CareError::invalid(field, "use 1 to 100 characters"));
    }
    Ok(name.to_string())
}

impl Care {
    pub async fn team(&self, id: TeamId) -> Result<Team> {
        self.store
            .settings()
            .team(id)
            .await?
            .ok_or(CareError::NoSuchTeam(id))
    }

    /// The users who may be team members: active users whose role works cases.
    pub async fn assignable_users(&self) -> Result<Vec<User>> {
        let mut users = self.store.users().users().await?;
        users.retain(|u| u.can(Permission::WriteCases));
        Ok(users)
    }

    /// Adds a team (`id` `None`) or changes one, renaming it when the name changed. Members
    /// must be active users who work cases; the SLA policy must exist.
    pub async fn save_team(&self, id: Option<TeamId>, spec: &TeamSpec) -> Result<Team> {
        let current = match id {
            Some(id) => Some(self.team(id).await?),
            None => None,
        };
        let name = checked_name("name", &spec.name)?;
        let allowed = self.assignable_users().await?;
        for m in &spec.members {
            if !allowed.iter().any(|u| u.id == *m) {
                return Err(CareError::invalid(
                    "members",
                    format!("user {m} is not an active agent or admin"),
                ));
            }
        }
        if let Some(policy) = &spec.sla_policy
            && self.store.settings().sla_policy(policy).await?.is_none()
        {
            return Err(CareError::invalid(
                "sla_policy",
                format!("no SLA policy named '{policy}'"),
            ));
        }
        let taken = self
            .store
            .settings()
            .teams()
            .await?
            .into_iter()
            .find(|t| t.name == name);
        match (current, taken) {
            (None, Some(_)) => {
                return Err(CareError::invalid(
                    "name",
                    format!("a team named '{name}' exists"),
                ));
            }
            (Some(current), Some(t)) if t.id != current.id => {
                return Err(CareError::invalid(
                    "name",
                    format!("a team named '{name}' exists"),
                ));
            }
            (Some(current), _) => {
                let id = current.id;
                if current.name != name {
                    match self.store.settings().rename_team(id, &name).await {
                        Err(StoreError::Conflict(_)) => {
                            return Err(CareError::invalid(
                                "name",
                                format!("a team named '{name}' exists"),
                            ));
                        }
                        other => other?,
                    };
                }
            }
            (None, None) => {}
        }
        Ok(self
            .store
            .settings()
            .put_team(&TeamSpec {
                name,
                ..spec.clone()
            })
            .await?)
    }

    pub async fn sla_policies(&self) -> Result<Vec<SlaPolicy>> {
        Ok(self.store.settings().sla_policies().await?)
    }

    pub async fn sla_policy(&self, name: &str) -> Result<Option<SlaPolicy>> {
        Ok(self.store.settings().sla_policy(name).await?)
    }

    /// Stores a policy: a new one (`replace` false) must take a free name, a replaced one
    /// must exist (teams and rules refer to policies by name, so names do not change).
    pub async fn save_sla_policy(&self, policy: &SlaPolicy, replace: bool) -> Result<()> {
        let name = checked_name("name", &policy.name)?;
        if name != policy.name {
            return Err(CareError::invalid(
                "name",
                "leading or trailing spaces are not allowed",
            ));
        }
        let exists = self.store.settings().sla_policy(&name).await?.is_some();
        if exists && !replace {
            return Err(CareError::invalid(
                "name",
                format!("an SLA policy named '{name}' exists"),
            ));
        }
        if !exists && replace {
            return Err(CareError::invalid(
                "name",
                format!("no SLA policy named '{name}'"),
            ));
        }
        Ok(self.store.settings().put_sla_policy(policy).await?)
    }

    /// Stores routing rules after checking that the teams, topics and policy they name exist.
    pub async fn save_rules(&self, rules: &RoutingRules) -> Result<()> {
        let teams = self.store.settings().teams().await?;
        let known = |t: &TeamId| teams.iter().any(|x| x.id == *t);
        if let Some(t) = rules.default_team.filter(|t| !known(t)) {
            return Err(CareError::invalid("default_team", format!("no team {t}")));
        }
        let topics = self.store.topics().topics().await?;
        for rule in &rules.topics {
            if !topics.iter().any(|t| t.id == rule.topic) {
                return Err(CareError::invalid(
                    "topics",
                    format!("no topic {}", rule.topic),
                ));
            }
            if let Some(t) = rule.team.filter(|t| !known(t)) {
                return Err(CareError::invalid("topics", format!("no team {t}")));
            }
        }
        if let Some(p) = &rules.default_sla_policy
            && self.store.settings().sla_policy(p).await?.is_none()
        {
            return Err(CareError::invalid(
                "default_sla_policy",
                format!("no SLA policy named '{p}'"),
            ));
        }
        self.set_rules(rules).await
    }

    /// The company's own accounts, whose mentions and replies are care work.
    pub async fn own_accounts(&self) -> Result<Vec<Identity>> {
        Ok(self.store.contacts().own_accounts().await?)
    }

    /// Marks (`own`) or unmarks an account as the company's; the handle may start with `@`.
    pub async fn set_own_account(&self, network: Network, handle: &str, own: bool) -> Result<()> {
        let handle = handle.trim().trim_start_matches('@');
        if handle.is_empty() || handle.chars().count() > 255 {
            return Err(CareError::invalid("handle", "use 1 to 255 characters"));
        }
        if handle.chars().any(char::is_whitespace) {
            return Err(CareError::invalid("handle", "a handle has no spaces"));
        }
        Ok(self
            .store
            .contacts()
            .set_own_account(network, handle, own)
            .await?)
    }

    /// Replaces the saved reply `old` (renaming it when `name` differs) after checking the
    /// new one; the old one stays when the new one is refused.
    pub async fn replace_saved_reply(
        &self,
        old: &str,
        name: &str,
        body: &str,
        shortcut: Option<&str>,
    ) -> Result<SavedReply> {
        if self.store.notes().saved_reply(old).await?.is_none() {
            return Err(CareError::NoSuchSavedReply(old.to_string()));
        }
        let new = name.trim();
        if new != old && self.store.notes().saved_reply(new).await?.is_some() {
            return Err(CareError::invalid(
                "name",
                format!("a saved reply named '{new}' exists"),
            ));
        }
        let saved = self.save_saved_reply(name, body, shortcut).await?;
        if saved.name != old {
            self.store.notes().remove_saved_reply(old).await?;
        }
        Ok(saved)
    }

    /// Adds a saved reply under a name not used yet.
    pub async fn add_saved_reply(
        &self,
        name: &str,
        body: &str,
        shortcut: Option<&str>,
    ) -> Result<SavedReply> {
        let new = name.trim();
        if self.store.notes().saved_reply(new).await?.is_some() {
            return Err(CareError::invalid(
                "name",
                format!("a saved reply named '{new}' exists"),
            ));
        }
        self.save_saved_reply(name, body, shortcut).await
    }

    /// A saved reply's text as it would read for `sample` (the settings page's preview).
    pub fn preview_saved_reply(body: &str, sample: &TemplateContext) -> Result<String> {
        Ok(Template::parse(body)?.render(sample))
    }
}
