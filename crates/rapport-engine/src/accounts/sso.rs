//! Single sign-on through an OpenID Connect provider: the provider as Rapport knows it (its
//! client, its name on the login page, how its groups become roles), and the errors a sign-in
//! through it can end in. The protocol is `rapport_connectors::oidc`; the sign-in use case is
//! `sso_sign_in.rs`.

use super::check_name;
use rapport_connectors::oidc::{OidcClient, OidcError, OidcIdentity, OidcSettings, OidcStart};
use rapport_domain::sso::RoleMapping;
use thiserror::Error;

/// A provider and what its sign-ins may become here.
#[derive(Debug, Clone)]
pub struct SsoConfig {
    pub oidc: OidcSettings,
    /// The provider's name on the login button ("Sign in with {label}").
    pub label: String,
    pub roles: RoleMapping,
}

#[derive(Debug, Clone, Error)]
pub enum SsoError {
    #[error("single sign-on is not set up")]
    NotConfigured,
    #[error(transparent)]
    Oidc(#[from] OidcError),
    #[error("your account at the identity provider is in no group that has a role here")]
    NoRole,
    #[error("this user is deactivated here")]
    Deactivated,
    #[error(
        "a user named '{0}' exists here and is not linked to your account at the identity \
         provider; an admin can link them"
    )]
    NameTaken(String),
    #[error("the identity provider gave no name usable as a user name")]
    NoName,
}

/// The provider single sign-on goes through.
pub struct SingleSignOn {
    client: OidcClient,
    label: String,
    roles: RoleMapping,
}

impl SingleSignOn {
    /// Checks the settings; the provider is asked nothing until a sign-in starts.
    pub fn new(config: SsoConfig) -> Result<Self, SsoError> {
        Ok(Self {
            client: OidcClient::new(config.oidc)?,
            label: match config.label.trim() {
                "" => "single sign-on".to_string(),
                l => l.to_string(),
            },
            roles: config.roles,
        })
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn roles(&self) -> &RoleMapping {
        &self.roles
    }

    pub(super) fn client(&self) -> &OidcClient {
        &self.client
    }

    /// Starts a sign-in: where to send the browser, and what it must bring back.
    pub async fn start(&self) -> Result<OidcStart, SsoError> {
        Ok(self.client.start().await?)
    }
}

/// The user name a new user gets: the provider's preferred user name, else the verified
/// email, else the subject, whichever first is a valid Rapport name.
pub fn user_name(identity: &OidcIdentity) -> Option<String> {
    [
        identity.preferred_username.as_deref(),
        identity.email.as_deref(),
        Some(identity.subject.as_str()),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .find(|n| check_name(n).is_ok())
    .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(preferred: Option<&str>, email: Option<&str>, subject: &str) -> OidcIdentity {
        OidcIdentity {
            issuer: "https://id.example.org".into(),
            subject: subject.into(),
            preferred_username: preferred.map(str::to_string),
            name: None,
            email: email.map(str::to_string),
            groups: vec![],
        }
    }

    #[test]
    fn the_user_name_is_the_first_valid_of_username_email_subject() {
        for (preferred, email, subject, want) in [
            (Some("ana"), Some("ana@example.org"), "s1", Some("ana")),
            (
                Some("Ana Silva"),
                Some("ana@example.org"),
                "s1",
                Some("ana@example.org"),
            ),
            (None, None, "248289761001", Some("248289761001")),
            (Some(" bo "), None, "s1", Some("bo")),
            (Some("a b"), Some("c d"), "e f", None),
        ] {
            assert_eq!(
                user_name(&identity(preferred, email, subject)).as_deref(),
                want,
                "{preferred:?} {email:?} {subject}"
            );
        }
    }
}
