//! Who may log in, and how: users, passwords, sessions and API tokens.
//!
//! Passwords are hashed with argon2id (the crate's defaults: 19 MiB, 2 passes, one lane, the
//! OWASP minimum) off the async threads. A login for an unknown user checks the password
//! against a hash made at start-up, so it costs the same time as one for a known user and a
//! caller cannot tell which names exist. Session and API tokens are 256 random bits; the store
//! keeps only their SHA-256, so a copy of the database is no key.

mod audit;
mod passwords;
mod secret;
mod sessions;
mod sso;
mod sso_sign_in;
mod tokens;
mod two_factor;

pub use audit::{AuditActor, MAX_AUDIT_PAGE};
pub use rapport_connectors::oidc::{
    OidcCallback, OidcError, OidcIdentity, OidcPending, OidcSettings, OidcStart, PENDING_SECONDS,
};
pub use rapport_store::sso::SsoLink;
pub use rapport_store::users::{ApiToken, ApiTokenId, Session, UserUpdate};
pub use secret::{check_password, hash_token};
pub use sessions::{NewSession, SECOND_FACTOR_WINDOW, SignIn};
pub use sso::{SingleSignOn, SsoConfig, SsoError, user_name};
pub use sso_sign_in::NO_PASSWORD;
pub use tokens::{NewApiTokenSecret, TOKEN_PREFIX, TokenLimits};
pub use two_factor::{RECOVERY_CODES, TwoFactorSetup};

use chrono::{DateTime, Duration, Utc};
use rapport_domain::audit::AuditAction;
use rapport_domain::care::{CareSetting, CareSettingKey};
use rapport_domain::{Permission, Role, SecurityPolicy, User, UserId};
use rapport_store::users::NewUser;
use rapport_store::{Store, StoreError};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AccountError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("invalid user name '{0}': use 1 to 64 letters, digits, '.', '_', '-' or '@'")]
    BadName(String),
    #[error("password: {0}")]
    WeakPassword(&'static str),
    #[error("user '{0}' already exists")]
    NameTaken(String),
    #[error("wrong user name or password")]
    InvalidCredentials,
    #[error("setup is done: a user exists already")]
    AlreadySetUp,
    #[error("no user with id {0}")]
    NoSuchUser(UserId),
    #[error("invalid token name: use 1 to 100 characters, no control characters")]
    BadTokenName,
    #[error("a token needs at least one scope")]
    NoScopes,
    #[error("the last active admin cannot be demoted or deactivated")]
    LastAdmin,
    #[error("only admins may do that")]
    NotAllowed,
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("the current password is wrong")]
    WrongPassword,
    #[error("a two-factor code is due: finish signing in with it")]
    SecondFactorDue,
    #[error("that code is wrong or was used already")]
    WrongCode,
    #[error("the sign-in ran out; enter your password again")]
    SignInExpired,
    #[error("nothing to confirm: start setting up two-factor sign-in again")]
    NothingToConfirm,
    #[error("two-factor sign-in is required here, so it cannot be turned off")]
    TwoFactorRequired,
    #[error("the expiry must be in the future")]
    ExpiryInThePast,
    #[error(transparent)]
    Sso(#[from] SsoError),
    #[error(
        "the two-factor secret of user {0} is sealed and cannot be opened with this secret key \
         (was the key changed or not given?)"
    )]
    SealedSecret(UserId),
}

pub type Result<T, E = AccountError> = std::result::Result<T, E>;

/// How long sessions live.
#[derive(Debug, Clone)]
pub struct AccountsConfig {
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after login, however busy.
    pub session_max: Duration,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::hours(12),
            session_max: Duration::days(7),
        }
    }
}

type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Who is calling: a user, through a session or an API token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub via: Via,
}

#[derive(Debug, Clone)]
pub enum Via {
    /// A browser session; forms must carry its CSRF token.
    Session {
        csrf_token: String,
        /// The security policy requires two-factor sign-in and the user has none: pages
        /// send them to set it up before anything else.
        enrol_two_factor: bool,
    },
    /// An API token, limited to its scopes (and to its own role, when it has one).
    Token {
        scopes: Vec<Permission>,
        role: Option<Role>,
    },
}

impl Principal {
    /// Whether the caller may do `permission`: the user's role allows it, and a token's scopes
    /// and own role include it.
    pub fn can(&self, permission: Permission) -> bool {
        self.user.can(permission)
            && match &self.via {
                Via::Session { .. } => true,
                Via::Token { scopes, role } => {
                    scopes.contains(&permission) && role.is_none_or(|r| r.can(permission))
                }
            }
    }
}

/// The account use cases over a user store.
pub struct Accounts {
    users: Arc<dyn Store>,
    config: AccountsConfig,
    clock: Clock,
    /// Checked against when the user is unknown, so every login costs one verification.
    dummy_hash: String,
    /// The security policy as last read, and when: every request of a user without two-factor
    /// sign-in asks it, and other processes may change it.
    policy: Mutex<Option<(Instant, SecurityPolicy)>>,
    /// The single sign-on provider, when one is set up.
    sso: Option<Arc<SingleSignOn>>,
    /// The key two-factor secrets are sealed with, when given.
    totp_key: Option<crate::channels::SecretKey>,
}

/// How long a read of the security policy is trusted before it is read again.
const POLICY_FRESH: std::time::Duration = std::time::Duration::from_secs(5);

impl Accounts {
    pub fn new(users: Arc<dyn Store>, config: AccountsConfig) -> Self {
        let dummy: [u8; 32] = rand::random();
        let dummy_hash = secret::hash_password_blocking(&hex::encode(dummy))
            .expect("argon2 with default parameters hashes any password");
        Self {
            users,
            config,
            clock: Arc::new(Utc::now),
            dummy_hash,
            policy: Mutex::new(None),
            sso: None,
            totp_key: None,
        }
    }

    /// Replaces the clock (tests move time forward to expire sessions).
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub fn config(&self) -> &AccountsConfig {
        &self.config
    }

    /// True until the first user exists: the first-run setup page is open only then.
    pub async fn needs_setup(&self) -> Result<bool> {
        Ok(self.users.users().user_count().await? == 0)
    }

    /// Creates the first admin; `AlreadySetUp` once any user exists.
    pub async fn setup_first_admin(
        &self,
        name: &str,
        display_name: &str,
        password: &str,
    ) -> Result<User> {
        let new = self
            .new_user(name, display_name, Role::Admin, password)
            .await?;
        self.users
            .users()
            .create_first_user(&new)
            .await?
            .ok_or(AccountError::AlreadySetUp)
    }

    /// Creates a user after checking the name and the password rules.
    pub async fn create_user(
        &self,
        name: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<User> {
        let new = self.new_user(name, display_name, role, password).await?;
        self.users
            .users()
            .create_user(&new)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AccountError::NameTaken(name.trim().to_string()),
                e => e.into(),
            })
    }

    /// [`Self::create_user`] by an admin, written to the audit log.
    pub async fn create_user_as(
        &self,
        actor: &AuditActor,
        name: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<User> {
        let user = self.create_user(name, display_name, role, password).await?;
        self.record(
            actor,
            AuditAction::UserCreated,
            format!("user {}", user.id),
            format!("{} as {}", user.name, user.role),
        )
        .await?;
        Ok(user)
    }

    async fn new_user(
        &self,
        name: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<NewUser> {
        let name = name.trim();
        check_name(name)?;
        check_password(name, password)?;
        let display_name = match display_name.trim() {
            "" => name.to_string(),
            d => d.chars().filter(|c| !c.is_control()).take(100).collect(),
        };
        Ok(NewUser {
            name: name.to_string(),
            display_name,
            role,
            password_hash: secret::hash_password(password).await?,
            created_at: self.now(),
        })
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        Ok(self.users.users().users().await?)
    }

    pub async fn user(&self, id: UserId) -> Result<User> {
        self.users
            .users()
            .user(id)
            .await?
            .ok_or(AccountError::NoSuchUser(id))
    }

    /// What sign-in requires.
    pub async fn security_policy(&self) -> Result<SecurityPolicy> {
        if let Some((at, policy)) = *self.policy.lock().expect("policy lock")
            && at.elapsed() < POLICY_FRESH
        {
            return Ok(policy);
        }
        let policy = match self
            .users
            .settings()
            .care_setting(CareSettingKey::SecurityPolicy)
            .await?
        {
            Some(CareSetting::SecurityPolicy(p)) => p,
            _ => SecurityPolicy::default(),
        };
        *self.policy.lock().expect("policy lock") = Some((Instant::now(), policy));
        Ok(policy)
    }

    /// Sets what sign-in requires (admins).
    pub async fn set_security_policy(
        &self,
        actor: &AuditActor,
        admin: &User,
        policy: SecurityPolicy,
    ) -> Result<()> {
        if !admin.can(Permission::ManageUsers) {
            return Err(AccountError::NotAllowed);
        }
        self.users
            .settings()
            .set_care_setting(&CareSetting::SecurityPolicy(policy))
            .await?;
        *self.policy.lock().expect("policy lock") = Some((Instant::now(), policy));
        self.record(
            actor,
            AuditAction::SettingsChanged,
            "security policy",
            format!(
                "two-factor sign-in {}",
                if policy.require_two_factor {
                    "required"
                } else {
                    "optional"
                }
            ),
        )
        .await?;
        Ok(())
    }

    /// Changes a user's role, display name or active flag. Deactivating ends their sessions;
    /// the last active admin is kept, so someone can always manage users.
    pub async fn update_user(
        &self,
        actor: &AuditActor,
        id: UserId,
        update: UserUpdate,
    ) -> Result<User> {
        let current = self.user(id).await?;
        let stays_admin = update.role.unwrap_or(current.role) == Role::Admin
            && update.active.unwrap_or(current.active);
        if current.role == Role::Admin && current.active && !stays_admin {
            let admins = self
                .users
                .users()
                .users()
                .await?
                .into_iter()
                .filter(|u| u.active && u.role == Role::Admin)
                .count();
            if admins <= 1 {
                return Err(AccountError::LastAdmin);
            }
        }
        let user = self.users.users().update_user(id, &update).await?;
        if !user.active {
            self.users.sessions().delete_user_sessions(id).await?;
        }
        let mut changes = Vec::new();
        if user.role != current.role {
            changes.push(format!("role {} -> {}", current.role, user.role));
        }
        if user.active != current.active {
            changes.push(
                if user.active {
                    "reactivated"
                } else {
                    "deactivated; sessions ended"
                }
                .to_string(),
            );
        }
        if user.display_name != current.display_name {
            changes.push(format!(
                "display name '{}' -> '{}'",
                current.display_name, user.display_name
            ));
        }
        if !changes.is_empty() {
            self.record(
                actor,
                AuditAction::UserChanged,
                format!("user {}", user.id),
                format!("{}: {}", user.name, changes.join("; ")),
            )
            .await?;
        }
        Ok(user)
    }

    /// Sets a new password (rules checked) and ends the user's sessions.
    pub async fn set_password(&self, id: UserId, password: &str) -> Result<()> {
        let user = self.user(id).await?;
        check_password(&user.name, password)?;
        let hash = secret::hash_password(password).await?;
        self.users.users().set_password_hash(id, &hash).await?;
        self.users.sessions().delete_user_sessions(id).await?;
        Ok(())
    }

    /// Checks a name and password. Unknown names, wrong passwords and inactive users all
    /// answer `InvalidCredentials` after the same work.
    pub async fn verify_login(&self, name: &str, password: &str) -> Result<User> {
        let found = self.users.users().user_credentials(name).await?;
        let hash = found
            .as_ref()
            .map_or(self.dummy_hash.clone(), |(_, h)| h.clone());
        let ok = secret::verify_password(password, &hash).await?;
        match found {
            Some((user, _)) if ok && user.active => Ok(user),
            _ => Err(AccountError::InvalidCredentials),
        }
    }

    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>> {
        Ok(self.users.sessions().api_tokens().await?)
    }
}

/// Login names: 1 to 64 of letters, digits and `._-@`.
pub fn check_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AccountError::BadName(name.to_string()))
    }
}
