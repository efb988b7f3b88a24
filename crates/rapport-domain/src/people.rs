//! The people who log in to Rapport, their roles, and what each role may do.
//!
//! [`Role::can`] is the one place that says who may do what: the web server asks it for every
//! page and API call, and API tokens are limited to the [`Permission`]s they were given.

use crate::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// What a user is for. Admins do everything; agents work the inbox and contacts; analysts read
/// topics, posts and reports and change nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Agent,
    Analyst,
}

/// One thing a page or API call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    /// List topics and the posts they matched.
    #[serde(rename = "topics:read")]
    ReadTopics,
    /// Add, edit, remove topics.
    #[serde(rename = "topics:write")]
    WriteTopics,
    /// Search stored posts.
    #[serde(rename = "posts:read")]
    ReadPosts,
    /// Figures and reports.
    #[serde(rename = "reports:read")]
    ReadReports,
    /// See the inbox and cases.
    #[serde(rename = "inbox:read")]
    ReadInbox,
    /// Change cases: assign, reply, note, resolve.
    #[serde(rename = "cases:write")]
    WriteCases,
    /// See contacts and their timelines.
    #[serde(rename = "contacts:read")]
    ReadContacts,
    /// Change contacts: fields, merges.
    #[serde(rename = "contacts:write")]
    WriteContacts,
    /// Users, roles, API tokens and settings.
    #[serde(rename = "users:manage")]
    ManageUsers,
    /// See publications: drafts, the schedule, what went out.
    #[serde(rename = "publications:read")]
    ReadPublications,
    /// Compose, edit, submit and schedule publications.
    #[serde(rename = "publications:write")]
    WritePublications,
    /// Approve publications or send them back.
    #[serde(rename = "publications:approve")]
    ApprovePublications,
}

impl Permission {
    pub const ALL: [Permission; 12] = [
        Permission::ReadTopics,
        Permission::WriteTopics,
        Permission::ReadPosts,
        Permission::ReadReports,
        Permission::ReadInbox,
        Permission::WriteCases,
        Permission::ReadContacts,
        Permission::WriteContacts,
        Permission::ManageUsers,
        Permission::ReadPublications,
        Permission::WritePublications,
        Permission::ApprovePublications,
    ];

    /// The scope name API tokens carry (`topics:read`).
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReadTopics => "topics:read",
            Permission::WriteTopics => "topics:write",
            Permission::ReadPosts => "posts:read",
            Permission::ReadReports => "reports:read",
            Permission::ReadInbox => "inbox:read",
            Permission::WriteCases => "cases:write",
            Permission::ReadContacts => "contacts:read",
            Permission::WriteContacts => "contacts:write",
            Permission::ManageUsers => "users:manage",
            Permission::ReadPublications => "publications:read",
            Permission::WritePublications => "publications:write",
            Permission::ApprovePublications => "publications:approve",
        }
    }
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Agent, Role::Analyst];

    /// Whether this role may do `permission`.
    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            // Agents write publications (a care team answers and posts); approving them is
            // an admin's.
            Role::Agent => matches!(
                permission,
                ReadTopics
                    | ReadPosts
                    | ReadInbox
                    | WriteCases
                    | ReadContacts
                    | WriteContacts
                    | ReadPublications
                    | WritePublications
            ),
            Role::Analyst => {
                matches!(
                    permission,
                    ReadTopics | ReadPosts | ReadReports | ReadPublications
                )
            }
        }
    }

    /// Every permission the role holds, in [`Permission::ALL`] order.
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| self.can(*p))
            .collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Analyst => "analyst",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role or permission name that is not one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParsePeopleError {
    #[error("unknown role '{0}' (expected admin, agent or analyst)")]
    Role(String),
    #[error("unknown scope '{0}'")]
    Scope(String),
}

impl FromStr for Role {
    type Err = ParsePeopleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ParsePeopleError::Role(s.to_string()))
    }
}

impl FromStr for Permission {
    type Err = ParsePeopleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Permission::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| ParsePeopleError::Scope(s.to_string()))
    }
}

/// A person who logs in. The login `name` is unique and compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub display_name: String,
    pub role: Role,
    /// Inactive users cannot log in, and their sessions and API tokens stop working.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Whether signing in takes a two-factor code as well as the password.
    #[serde(default)]
    pub two_factor: bool,
}

impl User {
    /// Whether this user may do `permission` now.
    pub fn can(&self, permission: Permission) -> bool {
        self.active && self.role.can(permission)
    }
}

/// What signing in requires, set by admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityPolicy {
    /// Every user must sign in with a two-factor code; one who has none set up is taken to
    /// set it up before anything else.
    pub require_two_factor: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permission_table_is_what_the_roles_promise() {
        use Permission::*;
        let table: [(Role, &[Permission]); 3] = [
            (Role::Admin, &Permission::ALL),
            (
                Role::Agent,
                &[
                    ReadTopics,
                    ReadPosts,
                    ReadInbox,
                    WriteCases,
                    ReadContacts,
                    WriteContacts,
                    ReadPublications,
                    WritePublications,
                ],
            ),
            (
                Role::Analyst,
                &[ReadTopics, ReadPosts, ReadReports, ReadPublications],
            ),
        ];
        for (role, allowed) in table {
            for p in Permission::ALL {
                assert_eq!(role.can(p), allowed.contains(&p), "{role} {p}");
            }
            assert_eq!(role.permissions(), allowed.to_vec());
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert_eq!("ADMIN".parse::<Role>().unwrap(), Role::Admin);
        assert!("root".parse::<Role>().is_err());
        for p in Permission::ALL {
            assert_eq!(p.as_str().parse::<Permission>().unwrap(), p);
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
        assert_eq!(
            "topics:delete"
                .parse::<Permission>()
                .unwrap_err()
                .to_string(),
            "unknown scope 'topics:delete'"
        );
    }

    #[test]
    fn inactive_users_may_do_nothing() {
        let mut u = User {
            id: UserId(1),
            name: "ana".into(),
            display_name: "Ana".into(),
            role: Role::Admin,
            active: true,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            two_factor: false,
        };
        assert!(u.can(Permission::ManageUsers));
        u.active = false;
        assert!(Permission::ALL.iter().all(|p| !u.can(*p)));
    }
}
