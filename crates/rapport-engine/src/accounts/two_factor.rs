//! Two-factor sign-in with time-based one-time passwords (RFC 6238: HMAC-SHA1, six digits,
//! 30-second steps, one step of clock drift either way), as every authenticator app reads
//! them from an `otpauth://` link, and single-use recovery codes for a lost phone.
//!
//! A code is accepted once: the store keeps the newest step used and takes a code only for a
//! later one, in one conditional write, so a code seen over a shoulder or replayed by a proxy
//! is refused. Recovery codes are shown once and kept as SHA-256.
//!
//! Checking a code needs the secret itself, so it cannot be hashed: with a secret key
//! ([`Accounts::with_secret_key`], the key channel credentials are sealed with) it is stored
//! sealed (XChaCha20-Poly1305, the user's id as associated data, so a sealed secret copied onto
//! another user's row does not open there), and a copy of the database alone makes no codes.
//! Secrets stored before the key are sealed by [`Accounts::seal_two_factor_secrets`].

use super::secret::hash_token;
use super::{AccountError, Accounts, AuditActor, Result};
use crate::channels::SecretKey;
use rapport_domain::audit::AuditAction;
use rapport_domain::{Permission, User, UserId};
use totp_rs::{Builder, Secret, Totp};

/// The issuer authenticator apps show beside the account.
const ISSUER: &str = "Rapport";
/// How many recovery codes a user gets.
pub const RECOVERY_CODES: usize = 10;
/// Letters of recovery codes: no 0/o or 1/l to misread.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// A secret offered while a user sets up two-factor sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorSetup {
    /// Base32, for typing into an app by hand.
    pub secret: String,
    /// The `otpauth://totp/...` link a QR code carries.
    pub url: String,
}

fn totp(secret_base32: &str, account: &str) -> Result<Totp> {
    let secret = Secret::try_from_base32(secret_base32)
        .map_err(|e| AccountError::Hashing(format!("stored two-factor secret: {e}")))?;
    // A colon would split the label's issuer from the account.
    let account: String = account.chars().filter(|c| *c != ':').collect();
    Builder::new()
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .map_err(|e| AccountError::Hashing(format!("two-factor secret: {e}")))
}

fn setup(secret: String, account: &str) -> Result<TwoFactorSetup> {
    let url = totp(&secret, account)?
        .to_url()
        .map_err(|e| AccountError::Hashing(format!("two-factor link: {e}")))?;
    Ok(TwoFactorSetup { secret, url })
}

/// A recovery code as typed: lowercase, without spaces or dashes.
fn normalize_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn new_recovery_code() -> String {
    let letters: String = (0..10)
        .map(|_| RECOVERY_ALPHABET[rand::random_range(0..RECOVERY_ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &letters[..5], &letters[5..])
}

/// What a sealed secret's associated data names: its user.
fn sealed_for(user: UserId) -> String {
    format!("two-factor secret of user {user}")
}

impl Accounts {
    /// Two-factor secrets are stored sealed under `key` from now on.
    pub fn with_secret_key(mut self, key: SecretKey) -> Self {
        self.totp_key = Some(key);
        self
    }

    /// A secret as the store keeps it: sealed when there is a key.
    fn seal_totp(&self, user: UserId, secret: &str) -> String {
        match &self.totp_key {
            Some(key) => key.seal(&sealed_for(user), secret),
            None => secret.to_string(),
        }
    }

    /// A stored secret, opened. Unsealed ones (stored before the key) are read as they are.
    fn open_totp(&self, user: UserId, stored: &str) -> Result<String> {
        if !SecretKey::looks_sealed(stored) {
            return Ok(stored.to_string());
        }
        let key = self
            .totp_key
            .as_ref()
            .ok_or(AccountError::SealedSecret(user))?;
        key.open(&sealed_for(user), stored)
            .map_err(|_| AccountError::SealedSecret(user))
    }

    /// Seals every two-factor secret still stored in the clear (kept before the key was
    /// given); answers how many. Without a key it does nothing.
    pub async fn seal_two_factor_secrets(&self) -> Result<usize> {
        if self.totp_key.is_none() {
            return Ok(0);
        }
        let mut sealed = 0;
        for user in self.users.users().users().await? {
            let state = self.users.two_factor().two_factor(user.id).await?;
            for stored in [state.secret, state.pending].into_iter().flatten() {
                if SecretKey::looks_sealed(&stored) {
                    continue;
                }
                let new = self.seal_totp(user.id, &stored);
                if self
                    .users
                    .two_factor()
                    .replace_totp_secret(user.id, &stored, &new)
                    .await?
                {
                    sealed += 1;
                }
            }
        }
        Ok(sealed)
    }

    /// Offers a fresh secret to `user` (an earlier offer is replaced); two-factor sign-in
    /// stays as it is until [`Self::confirm_two_factor`] gets a code made with it.
    pub async fn begin_two_factor(&self, user: &User) -> Result<TwoFactorSetup> {
        let bytes: [u8; 20] = rand::random();
        let secret = Secret::from(bytes.to_vec()).to_base32();
        self.users
            .two_factor()
            .offer_totp(user.id, &self.seal_totp(user.id, &secret))
            .await?;
        setup(secret, &user.name)
    }

    /// The secret on offer, to show again when the set-up page is reloaded.
    pub async fn offered_two_factor(&self, user: &User) -> Result<Option<TwoFactorSetup>> {
        match self.users.two_factor().two_factor(user.id).await?.pending {
            Some(stored) => Ok(Some(setup(self.open_totp(user.id, &stored)?, &user.name)?)),
            None => Ok(None),
        }
    }

    /// How many unused recovery codes `user` has left.
    pub async fn recovery_codes_left(&self, user: UserId) -> Result<u32> {
        Ok(self
            .users
            .two_factor()
            .two_factor(user)
            .await?
            .recovery_left)
    }

    /// Turns two-factor sign-in on once the user proves their app holds the offered secret;
    /// answers the recovery codes, to be shown once.
    pub async fn confirm_two_factor(
        &self,
        actor: &AuditActor,
        user: &User,
        code: &str,
    ) -> Result<Vec<String>> {
        let state = self.users.two_factor().two_factor(user.id).await?;
        let stored = state.pending.ok_or(AccountError::NothingToConfirm)?;
        let secret = self.open_totp(user.id, &stored)?;
        if self.totp_step(&secret, &user.name, code)?.is_none() {
            return Err(AccountError::WrongCode);
        }
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| hash_token(&normalize_recovery(c)))
            .collect();
        if !self
            .users
            .two_factor()
            .enable_totp(user.id, &stored, &hashes, self.now())
            .await?
        {
            // Set up again in another tab meanwhile: the code was for the older secret.
            return Err(AccountError::NothingToConfirm);
        }
        self.record(
            actor,
            AuditAction::TwoFactorEnabled,
            format!("user {}", user.id),
            format!("{RECOVERY_CODES} recovery codes issued"),
        )
        .await?;
        Ok(codes)
    }

    /// Turns the caller's own two-factor sign-in off; it takes their password.
    pub async fn disable_two_factor(
        &self,
        actor: &AuditActor,
        user: &User,
        password: &str,
    ) -> Result<()> {
        let Some((_, hash)) = self.users.users().user_credentials(&user.name).await? else {
            return Err(AccountError::NoSuchUser(user.id));
        };
        if !super::secret::verify_password(password, &hash).await? {
            return Err(AccountError::WrongPassword);
        }
        if self.security_policy().await?.require_two_factor {
            return Err(AccountError::TwoFactorRequired);
        }
        self.users.two_factor().disable_totp(user.id).await?;
        self.record(
            actor,
            AuditAction::TwoFactorDisabled,
            format!("user {}", user.id),
            "",
        )
        .await?;
        Ok(())
    }

    /// An admin removes another user's two-factor sign-in (a lost phone and no recovery
    /// code left); the user's sessions end, and they set it up again at their next login
    /// where the policy requires it.
    pub async fn reset_two_factor(
        &self,
        actor: &AuditActor,
        admin: &User,
        id: UserId,
    ) -> Result<()> {
        if !admin.can(Permission::ManageUsers) {
            return Err(AccountError::NotAllowed);
        }
        let user = self.user(id).await?;
        self.users.two_factor().disable_totp(id).await?;
        self.users.sessions().delete_user_sessions(id).await?;
        self.record(
            actor,
            AuditAction::TwoFactorReset,
            format!("user {}", user.id),
            format!("two-factor sign-in of {} removed by an admin", user.name),
        )
        .await?;
        Ok(())
    }

    /// The time step a six-digit code is right for, now or one step either side.
    fn totp_step(&self, secret: &str, account: &str, code: &str) -> Result<Option<i64>> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Ok(None);
        }
        let now = u64::try_from(self.now().timestamp()).unwrap_or(0);
        Ok(totp(secret, account)?
            .check(&code, now)
            .and_then(|step| i64::try_from(step).ok()))
    }

    /// Checks a second factor for `user`: a code from their app, used at most once, or one
    /// of their recovery codes. Records a recovery code's use.
    pub(super) async fn check_second_factor(
        &self,
        actor: &AuditActor,
        user: &User,
        code: &str,
    ) -> Result<bool> {
        let state = self.users.two_factor().two_factor(user.id).await?;
        let Some(stored) = state.secret else {
            return Ok(false);
        };
        let secret = self.open_totp(user.id, &stored)?;
        if let Some(step) = self.totp_step(&secret, &user.name, code)? {
            return Ok(self.users.two_factor().use_totp_step(user.id, step).await?);
        }
        let recovery = normalize_recovery(code);
        if recovery.len() != 10 {
            return Ok(false);
        }
        let used = self
            .users
            .two_factor()
            .use_recovery_code(user.id, &hash_token(&recovery), self.now())
            .await?;
        if used {
            let left = self.recovery_codes_left(user.id).await?;
            self.record(
                actor,
                AuditAction::RecoveryCodeUsed,
                format!("user {}", user.id),
                format!("{left} recovery code(s) left"),
            )
            .await?;
        }
        Ok(used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_read_the_same_however_they_are_typed() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        let plain = normalize_recovery(&code);
        assert_eq!(plain.len(), 10);
        assert!(plain.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)));
        assert_eq!(
            normalize_recovery(&format!(" {} ", code.to_uppercase())),
            plain
        );
    }
}
