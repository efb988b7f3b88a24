//! The OpenID Connect client single sign-on signs in with.
//!
//! The authorization code flow with PKCE (S256) and a nonce, the provider found by discovery,
//! its ID token checked (signature against the provider's published keys, issuer, audience,
//! expiry, nonce) by the `openidconnect` crate. What the browser must carry between the two
//! legs (state, nonce, PKCE verifier) travels in a short-lived HttpOnly cookie
//! ([`OidcPending`]), so any Rapport process can finish a sign-in another one started.
//!
//! What a verified identity may do in Rapport (become a user, which role) is the engine's
//! business (`rapport_engine::accounts`); this module only says who the provider vouches for.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreProviderMetadata,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use thiserror::Error;

/// How Rapport meets its provider.
#[derive(Clone)]
pub struct OidcSettings {
    /// The provider's issuer URL, exactly as its discovery document names it.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the provider sends the browser back: Rapport's `/login/sso/callback`.
    pub redirect_url: String,
    /// Scopes asked for besides `openid` (which is always asked).
    pub scopes: Vec<String>,
    /// The claim that lists the person's groups, in the ID token or at the userinfo endpoint.
    pub groups_claim: String,
}

impl std::fmt::Debug for OidcSettings {
    // By hand, so the client secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<hidden>")
            .field("redirect_url", &self.redirect_url)
            .field("scopes", &self.scopes)
            .field("groups_claim", &self.groups_claim)
            .finish()
    }
}

#[derive(Debug, Clone, Error)]
pub enum OidcError {
    #[error("the single sign-on settings are wrong: {0}")]
    Settings(String),
    #[error("the identity provider could not be reached or answered wrongly: {0}")]
    Provider(String),
    #[error("this sign-in was not started in this browser, or ran out; start again")]
    StateMismatch,
    #[error("the identity provider refused the sign-in: {0}")]
    Refused(String),
    #[error("the identity provider's answer failed verification: {0}")]
    Invalid(String),
}

/// A provider's client as discovery builds it: authorization endpoint known, token and
/// userinfo endpoints as the provider lists them.
type ProviderClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Discovery (and the provider's signing keys with it) is fetched again after this long, so
/// a provider's key rotation is picked up without a restart.
const DISCOVERY_FRESH: Duration = Duration::from_secs(15 * 60);
/// How long the provider may take to answer one request.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a started sign-in may take at the provider.
pub const PENDING_SECONDS: i64 = 600;

/// A provider, discovered when first needed.
pub struct OidcClient {
    config: OidcSettings,
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    http: reqwest::Client,
    discovered: tokio::sync::Mutex<Option<(Instant, Arc<ProviderClient>)>>,
}

/// Where to send the browser, and what it must bring back.
#[derive(Debug, Clone)]
pub struct OidcStart {
    pub url: String,
    pub pending: OidcPending,
}

/// The secrets of a started sign-in, kept by the browser in an HttpOnly cookie.
#[derive(Clone, PartialEq, Eq)]
pub struct OidcPending {
    state: String,
    nonce: String,
    verifier: String,
}

impl std::fmt::Debug for OidcPending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OidcPending(<hidden>)")
    }
}

impl OidcPending {
    /// The cookie value: three URL-safe base64 strings joined by dots.
    pub fn to_cookie(&self) -> String {
        format!("{}.{}.{}", self.state, self.nonce, self.verifier)
    }

    /// Reads [`Self::to_cookie`]'s value back; `None` for anything else.
    pub fn from_cookie(value: &str) -> Option<Self> {
        let part = |s: &str| {
            (16..=128).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        let mut parts = value.split('.');
        let (state, nonce, verifier) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !part(state) || !part(nonce) || !part(verifier) {
            return None;
        }
        Some(Self {
            state: state.into(),
            nonce: nonce.into(),
            verifier: verifier.into(),
        })
    }
}

/// What the provider's callback carried.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OidcCallback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The issuer (RFC 9207), where the provider names itself.
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A person as their provider vouches for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcIdentity {
    pub issuer: String,
    pub subject: String,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    /// Only when the provider says it verified it.
    pub email: Option<String>,
    pub groups: Vec<String>,
}

/// Every claim, to find the groups claim by its configured name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct AnyClaims(#[serde(default)] serde_json::Map<String, serde_json::Value>);
impl AdditionalClaims for AnyClaims {}

impl OidcClient {
    /// Checks the settings; the provider is not asked anything until a sign-in starts.
    pub fn new(config: OidcSettings) -> Result<Self, OidcError> {
        let issuer = IssuerUrl::new(config.issuer.trim().to_string())
            .map_err(|e| OidcError::Settings(format!("issuer '{}': {e}", config.issuer)))?;
        let redirect = RedirectUrl::new(config.redirect_url.trim().to_string()).map_err(|e| {
            OidcError::Settings(format!("redirect_url '{}': {e}", config.redirect_url))
        })?;
        if config.client_id.trim().is_empty() {
            return Err(OidcError::Settings("client_id is empty".into()));
        }
        if config.groups_claim.trim().is_empty() {
            return Err(OidcError::Settings("groups_claim is empty".into()));
        }
        let http = reqwest::Client::builder()
            // Following redirects would let a provider's answer point Rapport anywhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()
            .map_err(|e| OidcError::Settings(format!("HTTP client: {e}")))?;
        Ok(Self {
            config,
            issuer,
            redirect,
            http,
            discovered: tokio::sync::Mutex::new(None),
        })
    }

    pub fn config(&self) -> &OidcSettings {
        &self.config
    }

    /// The provider's client, discovered now unless a fresh one is at hand.
    async fn client(&self, refresh: bool) -> Result<Arc<ProviderClient>, OidcError> {
        let mut held = self.discovered.lock().await;
        if let Some((at, client)) = held.as_ref()
            && !refresh
            && at.elapsed() < DISCOVERY_FRESH
        {
            return Ok(client.clone());
        }
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| {
                OidcError::Provider(format!("discovery at {}: {}", self.issuer, chain(&e)))
            })?;
        let client = Arc::new(
            CoreClient::from_provider_metadata(
                metadata,
                ClientId::new(self.config.client_id.clone()),
                Some(ClientSecret::new(self.config.client_secret.clone())),
            )
            .set_redirect_uri(self.redirect.clone()),
        );
        *held = Some((Instant::now(), client.clone()));
        Ok(client)
    }

    /// Starts a sign-in: the provider's authorization URL, and the secrets to keep until the
    /// browser comes back.
    pub async fn start(&self) -> Result<OidcStart, OidcError> {
        let client = self.client(false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &self.config.scopes {
            if scope != "openid" {
                request = request.add_scope(Scope::new(scope.clone()));
            }
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(OidcStart {
            url: url.to_string(),
            pending: OidcPending {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
            },
        })
    }

    /// Finishes a sign-in at the provider: checks the callback belongs to `pending`, trades
    /// the code (with the PKCE verifier) for tokens, verifies the ID token, and reads the
    /// person's groups from it or, when it has none, from the userinfo endpoint.
    pub async fn identify(
        &self,
        pending: &OidcPending,
        callback: &OidcCallback,
    ) -> Result<OidcIdentity, OidcError> {
        if callback.state.as_deref() != Some(pending.state.as_str()) {
            return Err(OidcError::StateMismatch);
        }
        if let Some(error) = &callback.error {
            let detail = callback.error_description.as_deref().unwrap_or("");
            return Err(OidcError::Refused(
                format!("{error} {detail}")
                    .trim()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(300)
                    .collect(),
            ));
        }
        // A callback naming another issuer is an answer meant for another provider (a mix-up).
        if let Some(iss) = &callback.iss
            && iss.trim_end_matches('/') != self.issuer.as_str().trim_end_matches('/')
        {
            return Err(OidcError::Invalid(format!(
                "the callback names issuer '{iss}'"
            )));
        }
        let code = callback
            .code
            .clone()
            .ok_or_else(|| OidcError::Invalid("the callback carries no code".into()))?;
        let client = self.client(false).await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Provider(format!("the provider lists no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Refused(format!("token exchange: {}", chain(&e))))?;
        let id_token = token
            .extra_fields()
            .id_token()
            .ok_or_else(|| OidcError::Invalid("the token answer has no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => claims.clone(),
            Err(first) => {
                // The provider may have rotated its keys since discovery: fetch them once more.
                let fresh = self.client(true).await?;
                id_token
                    .claims(&fresh.id_token_verifier(), &nonce)
                    .map_err(|_| OidcError::Invalid(format!("ID token: {}", chain(&first))))?
                    .clone()
            }
        };
        let verified = claims.email_verified().unwrap_or(false);
        let mut identity = OidcIdentity {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            preferred_username: claims.preferred_username().map(|u| u.to_string()),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
            email: claims.email().filter(|_| verified).map(|e| e.to_string()),
            groups: Vec::new(),
        };
        let groups = groups_in(
            &jwt_payload(&id_token.to_string()),
            &self.config.groups_claim,
        );
        identity.groups = match groups {
            Some(groups) => groups,
            // A provider that keeps the ID token lean has the rest at its userinfo endpoint.
            None => match client.user_info(token.access_token().clone(), None) {
                Ok(request) => {
                    let info: UserInfoClaims<AnyClaims, CoreGenderClaim> = request
                        .request_async(&self.http)
                        .await
                        .map_err(|e| OidcError::Provider(format!("userinfo: {}", chain(&e))))?;
                    if info.subject().as_str() != identity.subject {
                        return Err(OidcError::Invalid(
                            "userinfo speaks of another subject".into(),
                        ));
                    }
                    let verified = info.email_verified().unwrap_or(false);
                    identity.preferred_username = identity
                        .preferred_username
                        .or_else(|| info.preferred_username().map(|u| u.to_string()));
                    identity.name = identity
                        .name
                        .or_else(|| info.name().and_then(|n| n.get(None)).map(|n| n.to_string()));
                    identity.email = identity
                        .email
                        .or_else(|| info.email().filter(|_| verified).map(|e| e.to_string()));
                    groups_in(&info.additional_claims().0, &self.config.groups_claim)
                        .unwrap_or_default()
                }
                Err(_) => Vec::new(),
            },
        };
        Ok(identity)
    }
}

/// The claims of a compact JWT whose signature was verified already.
fn jwt_payload(jwt: &str) -> serde_json::Map<String, serde_json::Value> {
    use base64::Engine;
    jwt.split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// A groups claim: a list of names, or one name. `None` when the claim is absent.
fn groups_in(
    claims: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Option<Vec<String>> {
    match claims.get(name)? {
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        ),
        serde_json::Value::String(one) => Some(vec![one.clone()]),
        _ => Some(Vec::new()),
    }
}

/// An error and its causes on one line (the crate's outer errors say little alone).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_sign_ins_round_trip_through_the_cookie_and_nothing_else_reads() {
        let p = OidcPending {
            state: "s".repeat(22),
            nonce: "n_-".repeat(8),
            verifier: "v".repeat(43),
        };
        assert_eq!(OidcPending::from_cookie(&p.to_cookie()), Some(p.clone()));
        for bad in [
            "",
            "a.b.c",
            &format!("{}.{}", "s".repeat(22), "n".repeat(22)),
            &format!("{}.x", p.to_cookie()),
            &p.to_cookie().replace('s', "%"),
            &format!("{};{}", "s".repeat(22), "n".repeat(40)),
        ] {
            assert_eq!(OidcPending::from_cookie(bad), None, "{bad}");
        }
        assert!(!format!("{p:?}").contains("sss"));
    }

    #[test]
    fn groups_are_read_as_lists_or_single_names() {
        let claims: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
            r#"{"groups": ["care", 7, "admins"], "role": "agents", "odd": {"a": 1}}"#,
        )
        .unwrap();
        assert_eq!(
            groups_in(&claims, "groups"),
            Some(vec!["care".to_string(), "admins".to_string()])
        );
        assert_eq!(groups_in(&claims, "role"), Some(vec!["agents".to_string()]));
        assert_eq!(groups_in(&claims, "odd"), Some(vec![]));
        assert_eq!(groups_in(&claims, "missing"), None);
    }

    #[test]
    fn settings_are_checked_and_the_secret_is_never_printed() {
        let config = OidcSettings {
            issuer: "https://id.example.org".into(),
            client_id: "rapport".into(),
            client_secret: "s3cr3t-value".into(),
            redirect_url: "https://rapport.example.org/login/sso/callback".into(),
            scopes: vec!["email".into()],
            groups_claim: "groups".into(),
        };
        assert!(!format!("{config:?}").contains("s3cr3t-value"));
        assert!(OidcClient::new(config.clone()).is_ok());
        for broken in [
            OidcSettings {
                issuer: "not a url".into(),
                ..config.clone()
            },
            OidcSettings {
                redirect_url: "/login/sso/callback".into(),
                ..config.clone()
            },
            OidcSettings {
                client_id: " ".into(),
                ..config.clone()
            },
        ] {
            assert!(matches!(
                OidcClient::new(broken),
                Err(OidcError::Settings(_))
            ));
        }
    }
}
