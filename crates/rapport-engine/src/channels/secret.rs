//! Credentials at rest: XChaCha20-Poly1305 under a key only the engine holds.
//!
//! A sealed secret is `v1:` then the hex of a random 24-byte nonce and the ciphertext. The
//! channel's name is the associated data, so a ciphertext copied onto another channel's row
//! does not open there. The key is 32 bytes, written as 64 hex characters (`openssl rand -hex
//! 32` makes one).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::fmt;

const VERSION: &str = "v1:";
const NONCE_BYTES: usize = 24;

/// Why a key or a sealed secret could not be used. Never carries the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error(
        "the secret key must be 64 hex characters (32 bytes), e.g. from `openssl rand -hex 32`"
    )]
    BadKey,
    #[error(
        "the stored credentials of channel '{0}' cannot be opened with this secret key (was the key changed?)"
    )]
    CannotOpen(String),
}

/// The key credentials are sealed with.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

// A key is never printed, not even in debug output.
impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    /// A new random key.
    pub fn generate() -> SecretKey {
        SecretKey(rand::random())
    }

    /// Reads the 64-hex-character form (surrounding whitespace allowed, as in a key file).
    pub fn from_hex(text: &str) -> Result<SecretKey, SecretError> {
        let bytes = hex::decode(text.trim()).map_err(|_| SecretError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SecretError::BadKey)?;
        Ok(SecretKey(key))
    }

    /// The 64-hex-character form, to write into a key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// Seals `plaintext` for the channel `name`.
    pub fn seal(&self, name: &str, plaintext: &str) -> String {
        let nonce: [u8; NONCE_BYTES] = rand::random();
        let sealed = self
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: name.as_bytes(),
                },
            )
            .expect("encrypting into memory cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{VERSION}{}", hex::encode(out))
    }

    /// Whether `text` has the form [`SecretKey::seal`] gives (whether or not any key opens it).
    pub fn looks_sealed(text: &str) -> bool {
        text.strip_prefix(VERSION)
            .is_some_and(|h| h.len() > 2 * NONCE_BYTES && h.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    /// Opens what [`SecretKey::seal`] made for the channel `name`.
    pub fn open(&self, name: &str, sealed: &str) -> Result<String, SecretError> {
        let fail = || SecretError::CannotOpen(name.to_string());
        let bytes = sealed
            .strip_prefix(VERSION)
            .and_then(|h| hex::decode(h).ok())
            .filter(|b| b.len() > NONCE_BYTES)
            .ok_or_else(fail)?;
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| fail())?;
        let plain = self
            .cipher()
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: body,
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| fail())?;
        String::from_utf8(plain).map_err(|_| fail())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_channel() {
        let key = SecretKey::generate();
        let sealed = key.seal("support", "token-123");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("token-123"));
        assert_ne!(
            sealed,
            key.seal("support", "token-123"),
            "fresh nonce each time"
        );
        assert_eq!(key.open("support", &sealed).unwrap(), "token-123");
        assert!(key.open("other", &sealed).is_err(), "bound to the channel");
        assert!(SecretKey::generate().open("support", &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('0') { '1' } else { '0' });
        assert!(key.open("support", &tampered).is_err());
        assert!(key.open("support", "garbage").is_err());
    }

    #[test]
    fn keys_round_trip_through_hex_and_never_print() {
        let key = SecretKey::generate();
        let again = SecretKey::from_hex(&format!(" {}\n", key.to_hex())).unwrap();
        assert_eq!(again.0, key.0);
        assert_eq!(
            SecretKey::from_hex("abcd").unwrap_err(),
            SecretError::BadKey
        );
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
    }
}
