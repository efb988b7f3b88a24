//! One typed configuration: defaults, then `rapport.toml` (or `--config FILE`), then
//! `RAPPORT_*` environment variables (nested keys with `__`, e.g. `RAPPORT_SERVER__ADDR`), then
//! the command line. Unknown keys in the file are rejected so a typo never goes unnoticed.

use anyhow::{Context, Result, bail};
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use rapport_domain::Network;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The complete, commented example printed by `rapport config example`.
pub const EXAMPLE: &str = include_str!("settings/example.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub log: String,
    /// The key channel credentials are sealed with: 64 hex characters. Empty: the key in
    /// `<data_dir>/secret.key`, made the first time one is needed.
    pub secret_key: String,
    pub server: ServerSettings,
    pub ingest: IngestSettings,
    pub publish: PublishSettings,
    pub own_accounts: OwnAccounts,
    pub sso: SsoSettings,
    pub smtp: SmtpSettings,
}

/// Single sign-on with an OpenID Connect provider; off while `issuer` is empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SsoSettings {
    /// The provider's issuer URL, as its discovery document names it.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The provider's name on the login page's button.
    pub label: String,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The claim that lists a person's groups.
    pub groups_claim: String,
    /// Where the provider sends people back; empty: `http://{server.addr}/login/sso/callback`.
    pub redirect_url: String,
    /// Provider group -> Rapport role (`admin`, `agent`, `analyst`).
    pub roles: std::collections::BTreeMap<String, String>,
    /// The role of a person in no mapped group; empty: they are refused.
    pub default_role: String,
}

impl Default for SsoSettings {
    fn default() -> Self {
        Self {
            issuer: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            label: "single sign-on".into(),
            scopes: vec!["email".into(), "profile".into()],
            groups_claim: "groups".into(),
            redirect_url: String::new(),
            roles: Default::default(),
            default_role: String::new(),
        }
    }
}

/// Where the notification digests are sent from. No host: no digests.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// `starttls`, `tls` or `none` (plain text: a server on the same machine only).
    pub security: String,
    pub username: String,
    /// Never printed: `Debug` shows `***` (set it with `RAPPORT_SMTP__PASSWORD`).
    pub password: String,
    pub from: String,
    /// The web UI's address, which the digest's case links start with.
    pub app_url: String,
    pub timeout_secs: u64,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 587,
            security: "starttls".into(),
            username: String::new(),
            password: String::new(),
            from: "Rapport <rapport@localhost>".into(),
            app_url: "http://127.0.0.1:7070".into(),
            timeout_secs: 30,
        }
    }
}

impl SsoSettings {
    /// The provider settings, or `None` while single sign-on is off; errors name the key.
    pub fn config(&self, server_addr: &str) -> Result<Option<rapport_engine::accounts::SsoConfig>> {
        use rapport_domain::Role;
        if self.issuer.trim().is_empty() {
            return Ok(None);
        }
        let role = |key: &str, value: &str| -> Result<Role> {
            value.trim().parse::<Role>().map_err(|_| {
                anyhow::anyhow!("{key}: '{value}' is not a role (admin, agent or analyst)")
            })
        };
        let groups = self
            .roles
            .iter()
            .map(|(group, r)| Ok((group.clone(), role(&format!("sso.roles.{group}"), r)?)))
            .collect::<Result<Vec<_>>>()?;
        let default_role = match self.default_role.trim() {
            "" => None,
            r => Some(role("sso.default_role", r)?),
        };
        if groups.is_empty() && default_role.is_none() {
            bail!(
                "sso: no one could sign in: map provider groups to roles in [sso.roles], or set sso.default_role"
            );
        }
        let redirect_url = match self.redirect_url.trim() {
            "" => format!("http://{server_addr}/login/sso/callback"),
            url => url.to_string(),
        };
        Ok(Some(rapport_engine::accounts::SsoConfig {
            oidc: rapport_engine::accounts::OidcSettings {
                issuer: self.issuer.trim().to_string(),
                client_id: self.client_id.trim().to_string(),
                client_secret: self.client_secret.clone(),
                redirect_url,
                scopes: self.scopes.clone(),
                groups_claim: self.groups_claim.trim().to_string(),
            },
            label: self.label.trim().to_string(),
            roles: rapport_domain::sso::RoleMapping {
                groups,
                default_role,
            },
        }))
    }
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field(
                "password",
                &if self.password.is_empty() { "" } else { "***" },
            )
            .field("from", &self.from)
            .field("app_url", &self.app_url)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

impl SmtpSettings {
    /// The mail server's settings, or `None` when no host is set (no digests are sent).
    pub fn config(&self) -> Result<Option<rapport_connectors::mail::SmtpConfig>> {
        use rapport_connectors::mail::{Secret, SmtpConfig, SmtpSecurity};
        if self.host.trim().is_empty() {
            return Ok(None);
        }
        let Some(security) = SmtpSecurity::parse(self.security.trim()) else {
            bail!(
                "smtp.security is '{}': use starttls, tls or none",
                self.security
            );
        };
        Ok(Some(SmtpConfig {
            host: self.host.trim().to_string(),
            port: self.port,
            security,
            username: self.username.clone(),
            password: Secret(self.password.clone()),
            from: self.from.clone(),
            timeout: std::time::Duration::from_secs(self.timeout_secs.max(1)),
        }))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublishSettings {
    /// How long a publisher holds a reply it is sending before another may take it over.
    pub lease_seconds: u64,
    /// How often an idle publisher looks for replies to send.
    pub poll_ms: u64,
    /// The first retry's delay after a transient failure (doubling up to 15 minutes).
    pub backoff_ms: u64,
    /// How long an unknown outcome settles before the network is asked about it.
    pub settle_ms: u64,
}

impl Default for PublishSettings {
    fn default() -> Self {
        Self {
            lease_seconds: 120,
            poll_ms: 500,
            backoff_ms: 2_000,
            settle_ms: 5_000,
        }
    }
}

impl PublishSettings {
    pub fn config(&self) -> rapport_engine::publish::PublishConfig {
        use std::time::Duration;
        rapport_engine::publish::PublishConfig {
            lease: Duration::from_secs(self.lease_seconds.max(1)),
            poll: Duration::from_millis(self.poll_ms.max(10)),
            backoff: Duration::from_millis(self.backoff_ms.max(1)),
            settle: Duration::from_millis(self.settle_ms),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub addr: String,
    /// Mark the session cookie `Secure` (set when Rapport is served over HTTPS).
    pub secure_cookies: bool,
    pub max_body_bytes: usize,
    /// Reverse proxies (addresses or CIDR networks) whose `X-Forwarded-For` names the client
    /// and whose `X-Forwarded-Proto: https` marks cookies `Secure`.
    pub trusted_proxies: Vec<String>,
    /// Seconds a client has to send a request's headers before its connection is closed.
    pub header_read_timeout_secs: u64,
    /// Seconds from a request to the start of its answer before it is answered 408.
    pub request_timeout_secs: u64,
    /// Connections served at once; more wait until one closes.
    pub max_connections: usize,
    /// Seconds a search or backtest may run before it is stopped.
    pub query_deadline_secs: u64,
    /// Searches, backtests and topic saves one user may run at once.
    pub searches_per_user: usize,
    /// Clients (addresses or networks) that may read `/metrics` without a token.
    pub metrics_allow: Vec<String>,
    /// A bearer token that lets a scraper read `/metrics` from anywhere (empty: none).
    pub metrics_token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestSettings {
    pub batch_size: usize,
    pub classify: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OwnAccounts {
    pub x: Vec<String>,
    pub bluesky: Vec<String>,
    pub mastodon: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./rapport-data"),
            database_url: String::new(),
            log: "info".into(),
            secret_key: String::new(),
            server: ServerSettings::default(),
            ingest: IngestSettings::default(),
            publish: PublishSettings::default(),
            own_accounts: OwnAccounts::default(),
            sso: SsoSettings::default(),
            smtp: SmtpSettings::default(),
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:7070".into(),
            secure_cookies: false,
            max_body_bytes: 1 << 20,
            trusted_proxies: Vec::new(),
            header_read_timeout_secs: 10,
            request_timeout_secs: 30,
            max_connections: 1_024,
            query_deadline_secs: 10,
            searches_per_user: 2,
            metrics_allow: vec!["127.0.0.0/8".into(), "::1".into()],
            metrics_token: String::new(),
        }
    }
}

impl Default for IngestSettings {
    fn default() -> Self {
        Self {
            batch_size: 2_000,
            classify: true,
        }
    }
}

impl ServerSettings {
    /// The trusted proxies as networks: a bare address is a network of one.
    pub fn trusted_proxy_nets(&self) -> Result<Vec<ipnet::IpNet>> {
        networks("server.trusted_proxies", &self.trusted_proxies)
    }

    /// The clients that may read `/metrics` without a token.
    pub fn metrics_allow_nets(&self) -> Result<Vec<ipnet::IpNet>> {
        networks("server.metrics_allow", &self.metrics_allow)
    }
}

/// Addresses or networks from a setting: a bare address is a network of one.
fn networks(setting: &str, list: &[String]) -> Result<Vec<ipnet::IpNet>> {
    list.iter()
        .map(|p| {
            let p = p.trim();
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .with_context(|| {
                    format!("{setting}: '{p}' is not an address or a network such as 10.0.0.0/8")
                })
        })
        .collect()
}

impl OwnAccounts {
    pub fn pairs(&self) -> Vec<(Network, String)> {
        let mut out = Vec::new();
        for (network, handles) in [
            (Network::X, &self.x),
            (Network::Bluesky, &self.bluesky),
            (Network::Mastodon, &self.mastodon),
        ] {
            out.extend(
                handles
                    .iter()
                    .map(|h| (network, h.trim_start_matches('@').to_string())),
            );
        }
        out
    }
}

impl Settings {
    /// Loads settings from an optional file and the environment. An explicitly named file must
    /// exist; the default `rapport.toml` is read only when present.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    bail!("config file {} does not exist", path.display());
                }
                figment = figment.merge(Toml::file_exact(path));
            }
            None if Path::new("rapport.toml").exists() => {
                figment = figment.merge(Toml::file_exact("rapport.toml"));
            }
            None => {}
        }
        // RAPPORT_TEST_* variables steer the test suite, not the program.
        let env = Env::prefixed("RAPPORT_")
            .split("__")
            .filter(|key| !key.as_str().to_ascii_lowercase().starts_with("test_"));
        figment
            .merge(env)
            .extract()
            .context("invalid configuration")
    }

    /// The database URL in force: the configured one, or SQLite under the data directory.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("rapport.db").display()
            )
        } else {
            self.database_url.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smtp_password_is_never_printed() {
        let mut s = Settings::default();
        s.smtp.host = "mail.example.org".into();
        s.smtp.password = "hunter2-secret".into();
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{:?}", s.smtp.config().unwrap()).contains("hunter2"));
        s.smtp.security = "ssl".into();
        assert!(s.smtp.config().is_err());
        s.smtp.host = String::new();
        assert!(s.smtp.config().unwrap().is_none());
    }

    #[test]
    fn the_example_is_complete_and_equals_the_defaults() {
        let parsed: Settings =
            toml::from_str(EXAMPLE).expect("example parses with unknown keys denied");
        assert_eq!(
            parsed,
            Settings::default(),
            "example values must be the defaults"
        );
        // Every key the program knows appears in the example, commented.
        let defaults = toml::to_string(&Settings::default()).unwrap();
        let table: toml::Table = toml::from_str(&defaults).unwrap();
        for (key, value) in &table {
            match value {
                toml::Value::Table(inner) => {
                    assert!(
                        EXAMPLE.contains(&format!("[{key}]")),
                        "example lacks [{key}]"
                    );
                    for k in inner.keys() {
                        assert!(
                            EXAMPLE.contains(&format!("\n{k} =")),
                            "example lacks {key}.{k}"
                        );
                    }
                }
                _ => assert!(
                    EXAMPLE.contains(&format!("\n{key} =")),
                    "example lacks {key}"
                ),
            }
        }
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = toml::from_str::<Settings>("databse_url = \"x\"").unwrap_err();
        assert!(err.to_string().contains("databse_url"), "{err}");
    }

    #[test]
    fn own_accounts_lose_their_at_sign() {
        let o = OwnAccounts {
            x: vec!["@AppleSupport".into()],
            ..OwnAccounts::default()
        };
        assert_eq!(o.pairs(), vec![(Network::X, "AppleSupport".to_string())]);
    }

    /// Defaults, then the file, then `RAPPORT_*` (nested keys with `__`), each overriding the
    /// one before; unknown keys anywhere are an error that names them.
    #[test]
    // figment's test jail wants its own large error type from the closure.
    #[allow(clippy::result_large_err)]
    fn the_file_then_the_environment_override_the_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "rapport.toml",
                r#"
                data_dir = "from-file"
                log = "debug"
                [server]
                addr = "127.0.0.1:9000"
                trusted_proxies = ["10.0.0.0/8"]
                [own_accounts]
                x = ["@AcmeHelp"]
                "#,
            )?;
            let s = Settings::load(None).expect("the file loads");
            assert_eq!(s.data_dir, PathBuf::from("from-file"));
            assert_eq!(s.log, "debug");
            assert_eq!(s.server.addr, "127.0.0.1:9000");
            assert_eq!(
                s.server.max_body_bytes,
                1 << 20,
                "a default the file left alone"
            );
            assert_eq!(
                s.own_accounts.pairs(),
                vec![(Network::X, "AcmeHelp".to_string())]
            );
            assert_eq!(
                s.server.trusted_proxy_nets().unwrap(),
                vec!["10.0.0.0/8".parse::<ipnet::IpNet>().unwrap()]
            );

            jail.set_env("RAPPORT_DATA_DIR", "from-env");
            jail.set_env("RAPPORT_SERVER__ADDR", "0.0.0.0:7171");
            jail.set_env("RAPPORT_INGEST__BATCH_SIZE", "64");
            jail.set_env("RAPPORT_TEST_BACKEND", "postgres");
            let s = Settings::load(None).expect("the environment loads");
            assert_eq!(s.data_dir, PathBuf::from("from-env"));
            assert_eq!(s.server.addr, "0.0.0.0:7171");
            assert_eq!(s.ingest.batch_size, 64);
            assert_eq!(
                s.log, "debug",
                "the file still counts where the environment is silent"
            );

            jail.set_env("RAPPORT_SERVER__ADRESS", "x");
            let err = format!("{:#}", Settings::load(None).unwrap_err());
            assert!(err.contains("adress"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn a_named_file_must_exist_and_bad_proxies_are_named() {
        let err = Settings::load(Some(Path::new("/nonexistent/rapport.toml"))).unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/rapport.toml"),
            "{err}"
        );
        let server = ServerSettings {
            trusted_proxies: vec!["127.0.0.1".into(), "proxy.local".into()],
            ..ServerSettings::default()
        };
        let err = server.trusted_proxy_nets().unwrap_err().to_string();
        assert!(err.contains("'proxy.local'"), "{err}");
    }

    #[test]
    fn sso_settings_become_a_role_mapping_or_a_clear_error() {
        use rapport_domain::Role;
        let off = SsoSettings::default();
        assert!(off.config("127.0.0.1:7070").unwrap().is_none());
        let on: SsoSettings = toml::from_str(
            r#"
            issuer = "https://id.example.org"
            client_id = "rapport"
            client_secret = "s3cr3t"
            [roles]
            "rapport-admins" = "admin"
            care = "agent"
            "#,
        )
        .unwrap();
        let config = on.config("127.0.0.1:7070").unwrap().unwrap();
        assert_eq!(
            config.oidc.redirect_url,
            "http://127.0.0.1:7070/login/sso/callback"
        );
        assert_eq!(
            config.roles.groups,
            vec![
                ("care".to_string(), Role::Agent),
                ("rapport-admins".to_string(), Role::Admin)
            ]
        );
        assert_eq!(config.roles.default_role, None);
        assert_eq!(config.oidc.scopes, vec!["email", "profile"]);

        let typo = SsoSettings {
            roles: [("care".to_string(), "agnet".to_string())].into(),
            ..on.clone()
        };
        let err = typo.config("x").unwrap_err().to_string();
        assert!(
            err.contains("sso.roles.care") && err.contains("'agnet'"),
            "{err}"
        );
        let nobody = SsoSettings {
            roles: Default::default(),
            ..on.clone()
        };
        let err = nobody.config("x").unwrap_err().to_string();
        assert!(err.contains("default_role"), "{err}");
        let everyone = SsoSettings {
            default_role: "analyst".into(),
            ..nobody
        };
        assert_eq!(
            everyone.config("x").unwrap().unwrap().roles.default_role,
            Some(Role::Analyst)
        );
    }

    #[test]
    fn sqlite_under_the_data_dir_is_the_default_store() {
        let s = Settings::default();
        assert_eq!(
            s.database_url(),
            "sqlite://./rapport-data/rapport.db?mode=rwc"
        );
    }
}
