//! Browser sessions: sign in (with a second factor where the user has one), look up
//! (sliding expiry), log out.

use super::secret::{hash_token, random_hex};
use super::{AccountError, Accounts, AuditActor, Principal, Result, Via};
use chrono::{DateTime, Duration, Utc};
use rapport_domain::User;
use rapport_domain::audit::AuditAction;
use rapport_store::users::Session;

/// A session just made: the token goes in the cookie, and is not kept anywhere else.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// How a password sign-in went on.
#[derive(Debug, Clone)]
pub enum SignIn {
    /// Signed in: the session is open.
    Done(Principal, NewSession),
    /// The password was right; the user's two-factor code is due on the session given,
    /// which opens nothing else and lasts [`SECOND_FACTOR_WINDOW`].
    SecondFactorDue(NewSession),
}

/// Activity is written back at most this often, not on every request.
const TOUCH_EVERY: Duration = Duration::seconds(60);
/// How long a sign-in waits for its two-factor code.
pub const SECOND_FACTOR_WINDOW: Duration = Duration::minutes(5);

impl Accounts {
    /// Checks the password and opens a session, for a user without two-factor sign-in;
    /// `SecondFactorDue` for one with it (use [`Self::sign_in`] to go on).
    pub async fn login(&self, name: &str, password: &str) -> Result<(Principal, NewSession)> {
        match self
            .sign_in(name, password, &AuditActor::unknown(name, None))
            .await?
        {
            SignIn::Done(p, s) => Ok((p, s)),
            SignIn::SecondFactorDue(_) => Err(AccountError::SecondFactorDue),
        }
    }

    /// Checks the password; opens the session, or a pending one that waits for the
    /// two-factor code. Failures and successes are written to the audit log.
    pub async fn sign_in(&self, name: &str, password: &str, from: &AuditActor) -> Result<SignIn> {
        let user = match self.verify_login(name, password).await {
            Ok(user) => user,
            Err(AccountError::InvalidCredentials) => {
                self.record(
                    from,
                    AuditAction::LoginFailed,
                    format!("login {}", from.name),
                    "wrong user name or password",
                )
                .await?;
                return Err(AccountError::InvalidCredentials);
            }
            Err(e) => return Err(e),
        };
        let now = self.now();
        // Logins are rare next to requests: a good moment to drop sessions that ran out.
        self.users.sessions().delete_expired_sessions(now).await?;
        let actor = AuditActor::user(&user, from.address.as_deref());
        if user.two_factor {
            let pending = self
                .open_session(&user, now, now + SECOND_FACTOR_WINDOW, true, false)
                .await?;
            return Ok(SignIn::SecondFactorDue(pending));
        }
        let expires = self.expiry(now, now);
        let session = self.open_session(&user, now, expires, false, false).await?;
        self.record(
            &actor,
            AuditAction::LoginSucceeded,
            format!("user {}", user.id),
            "password",
        )
        .await?;
        let principal = self
            .principal(user, session.csrf_token.clone(), false)
            .await?;
        Ok(SignIn::Done(principal, session))
    }

    /// The user a pending sign-in (password right, code due) belongs to, while it lasts.
    pub async fn pending_sign_in(&self, token: &str) -> Result<Option<User>> {
        let Some(session) = self.users.sessions().session(&hash_token(token)).await? else {
            return Ok(None);
        };
        if !session.second_factor_due || session.expires_at <= self.now() {
            return Ok(None);
        }
        Ok(self
            .users
            .users()
            .user(session.user_id)
            .await?
            .filter(|u| u.active))
    }

    /// Finishes a pending sign-in with a code from the user's app or a recovery code: the
    /// pending session ends and a new one (a new token) opens. `WrongCode` leaves the
    /// pending one for another try until it runs out.
    pub async fn finish_sign_in(
        &self,
        token: &str,
        code: &str,
        from: &AuditActor,
    ) -> Result<(Principal, NewSession)> {
        let Some(user) = self.pending_sign_in(token).await? else {
            return Err(AccountError::SignInExpired);
        };
        let actor = AuditActor::user(&user, from.address.as_deref());
        if !self.check_second_factor(&actor, &user, code).await? {
            self.record(
                &actor,
                AuditAction::SecondFactorFailed,
                format!("user {}", user.id),
                "wrong or used code",
            )
            .await?;
            return Err(AccountError::WrongCode);
        }
        // Only one request can take the pending session: the loser of a race gets no session.
        if !self
            .users
            .sessions()
            .delete_session(&hash_token(token))
            .await?
        {
            return Err(AccountError::SignInExpired);
        }
        let now = self.now();
        let session = self
            .open_session(&user, now, self.expiry(now, now), false, false)
            .await?;
        self.record(
            &actor,
            AuditAction::LoginSucceeded,
            format!("user {}", user.id),
            "password and second factor",
        )
        .await?;
        let principal = self
            .principal(user, session.csrf_token.clone(), false)
            .await?;
        Ok((principal, session))
    }

    pub(super) async fn open_session(
        &self,
        user: &User,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        second_factor_due: bool,
        single_sign_on: bool,
    ) -> Result<NewSession> {
        let token = random_hex();
        let session = Session {
            token_hash: hash_token(&token),
            user_id: user.id,
            csrf_token: random_hex(),
            created_at: now,
            last_seen_at: now,
            expires_at,
            second_factor_due,
            single_sign_on,
        };
        self.users.sessions().create_session(&session).await?;
        Ok(NewSession {
            token,
            csrf_token: session.csrf_token,
            expires_at,
        })
    }

    /// A session's caller; flagged to set up two-factor sign-in first when the policy
    /// requires it and they have none, unless they came through single sign-on, where the
    /// provider answers for the second factor.
    pub(super) async fn principal(
        &self,
        user: User,
        csrf_token: String,
        single_sign_on: bool,
    ) -> Result<Principal> {
        let enrol_two_factor =
            !single_sign_on && !user.two_factor && self.security_policy().await?.require_two_factor;
        Ok(Principal {
            user,
            via: Via::Session {
                csrf_token,
                enrol_two_factor,
            },
        })
    }

    pub(super) fn expiry(&self, created: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        (now + self.config.session_idle).min(created + self.config.session_max)
    }

    /// The caller a session cookie names, or `None` when the session is unknown, expired,
    /// still waiting for its second factor, or its user is inactive. Use moves the idle
    /// expiry forward.
    pub async fn session(&self, token: &str) -> Result<Option<Principal>> {
        let hash = hash_token(token);
        let Some(session) = self.users.sessions().session(&hash).await? else {
            return Ok(None);
        };
        if session.second_factor_due {
            return Ok(None);
        }
        let now = self.now();
        if session.expires_at <= now {
            self.users.sessions().delete_session(&hash).await?;
            return Ok(None);
        }
        let Some(user) = self.users.users().user(session.user_id).await? else {
            return Ok(None);
        };
        if !user.active {
            return Ok(None);
        }
        if now - session.last_seen_at >= TOUCH_EVERY {
            let expires = self.expiry(session.created_at, now);
            self.users
                .sessions()
                .touch_session(&hash, now, expires)
                .await?;
        }
        Ok(Some(
            self.principal(user, session.csrf_token, session.single_sign_on)
                .await?,
        ))
    }

    /// Ends a session; unknown tokens are ignored.
    pub async fn logout(&self, token: &str, from: Option<&str>) -> Result<()> {
        let hash = hash_token(token);
        let Some(session) = self.users.sessions().session(&hash).await? else {
            return Ok(());
        };
        self.users.sessions().delete_session(&hash).await?;
        if !session.second_factor_due
            && let Some(user) = self.users.users().user(session.user_id).await?
        {
            self.record(
                &AuditActor::user(&user, from),
                AuditAction::Logout,
                format!("user {}", user.id),
                "",
            )
            .await?;
        }
        Ok(())
    }
}
