//! Password hashing, password rules and token digests.

use super::{AccountError, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest, so hashing stays cheap whatever is posted.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The password rules: 10 to 256 characters, not the user name, not one repeated character.
pub fn check_password(name: &str, password: &str) -> Result<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AccountError::WeakPassword("use at least 10 characters"));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(AccountError::WeakPassword("use at most 256 characters"));
    }
    if password.trim().eq_ignore_ascii_case(name.trim()) {
        return Err(AccountError::WeakPassword("must not be the user name"));
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(AccountError::WeakPassword("must not repeat one character"));
    }
    Ok(())
}

pub(crate) fn hash_password_blocking(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hashing(e.to_string()))
}

/// Hashes with argon2id on a blocking thread: a hash takes tens of milliseconds of CPU.
pub(crate) async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(|e| AccountError::Hashing(e.to_string()))?
}

/// Whether `password` matches a PHC string; a malformed stored hash is a mismatch.
pub(crate) async fn verify_password(password: &str, hash: &str) -> Result<bool> {
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .map_err(|e| AccountError::Hashing(e.to_string()))
}

/// The hex SHA-256 of a token: what the store keeps and looks tokens up by.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 256 random bits, hex.
pub(crate) fn random_hex() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        for (password, ok) in [
            ("short", false),
            ("exactly10!", true),
            ("aaaaaaaaaaaaaa", false),
            ("ana.silva1", true),
            ("ANA.SILVA1", true),
            (&"x1".repeat(129), false),
        ] {
            assert_eq!(check_password("ana", password).is_ok(), ok, "{password}");
        }
        assert!(check_password("ana.silva1", "Ana.Silva1").is_err());
    }

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash_password_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$"), "{h}");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert!(
            rt.block_on(verify_password("correct horse battery", &h))
                .unwrap()
        );
        assert!(
            !rt.block_on(verify_password("correct horse batterx", &h))
                .unwrap()
        );
        assert!(
            !rt.block_on(verify_password("x", "not a phc string"))
                .unwrap()
        );
    }

    #[test]
    fn token_digests_are_sha256_hex() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(random_hex().len(), 64);
        assert_ne!(random_hex(), random_hex());
    }
}
