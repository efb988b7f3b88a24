//! Browser sessions: log in, look up (sliding expiry), log out.

use super::secret::{hash_token, random_hex};
use super::{Accounts, Principal, Result, Via};
use chrono::{DateTime, Duration, Utc};
use rapport_store::users::Session;

/// A session just made: the token goes in the cookie, and is not kept anywhere else.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Activity is written back at most this often, not on every request.
const TOUCH_EVERY: Duration = Duration::seconds(60);

impl Accounts {
    /// Checks the password and opens a session.
    pub async fn login(&self, name: &str, password: &str) -> Result<(Principal, NewSession)> {
        let user = self.verify_login(name, password).await?;
        let now = self.now();
        // Logins are rare next to requests: a good moment to drop sessions that ran out.
        self.users.sessions().delete_expired_sessions(now).await?;
        let token = random_hex();
        let session = Session {
            token_hash: hash_token(&token),
            user_id: user.id,
            csrf_token: random_hex(),
            created_at: now,
            last_seen_at: now,
            expires_at: self.expiry(now, now),
        };
        self.users.sessions().create_session(&session).await?;
        let new = NewSession {
            token,
            csrf_token: session.csrf_token.clone(),
            expires_at: session.expires_at,
        };
        let principal = Principal {
            user,
            via: Via::Session {
                csrf_token: session.csrf_token,
            },
        };
        Ok((principal, new))
    }

    fn expiry(&self, created: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        (now + self.config.session_idle).min(created + self.config.session_max)
    }

    /// The caller a session cookie names, or `None` when the session is unknown, expired, or
    /// its user is inactive. Use moves the idle expiry forward.
    pub async fn session(&self, token: &str) -> Result<Option<Principal>> {
        let hash = hash_token(token);
        let Some(session) = self.users.sessions().session(&hash).await? else {
            return Ok(None);
        };
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
        Ok(Some(Principal {
            user,
            via: Via::Session {
                csrf_token: session.csrf_token,
            },
        }))
    }

    /// Ends a session; unknown tokens are ignored.
    pub async fn logout(&self, token: &str) -> Result<()> {
        self.users
            .sessions()
            .delete_session(&hash_token(token))
            .await?;
        Ok(())
    }
}
