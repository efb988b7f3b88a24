//! The OpenID Connect client against a real provider (npm's `oidc-provider`, started by the
//! test): discovery, the authorization code flow with PKCE, the ID token's checks, groups from
//! the ID token or from userinfo, and every way a callback that is not ours is refused.

#[path = "live/oidc_provider.rs"]
mod oidc_provider;

use oidc_provider::{CLIENT_ID, CLIENT_SECRET, OidcProvider, sign_in_at_provider};
use rapport_connectors::oidc::{OidcCallback, OidcClient, OidcError, OidcSettings};

/// Never fetched here: the walk stops at the redirect to it.
const BACK: &str = "http://127.0.0.1:9/login/sso/callback";

fn client(provider: &OidcProvider, secret: &str) -> OidcClient {
    OidcClient::new(OidcSettings {
        issuer: provider.issuer.clone(),
        client_id: CLIENT_ID.into(),
        client_secret: secret.into(),
        redirect_url: BACK.into(),
        scopes: vec!["email".into(), "profile".into(), "groups".into()],
        groups_claim: "groups".into(),
    })
    .unwrap()
}

fn callback(url: &str) -> OidcCallback {
    let url = reqwest::Url::parse(url).unwrap();
    let mut c = OidcCallback::default();
    for (k, v) in url.query_pairs() {
        let v = Some(v.into_owned());
        match &*k {
            "code" => c.code = v,
            "state" => c.state = v,
            "iss" => c.iss = v,
            "error" => c.error = v,
            "error_description" => c.error_description = v,
            _ => {}
        }
    }
    c
}

#[tokio::test]
async fn a_sign_in_at_the_provider_comes_back_as_its_verified_identity() {
    let provider = OidcProvider::start(
        BACK,
        &[("ana", &["care", "rapport-admins"]), ("bo", &[])],
        false,
    );
    let oidc = client(&provider, CLIENT_SECRET);
    let start = oidc.start().await.unwrap();
    // PKCE (S256) and a nonce go out with the request.
    let sent = reqwest::Url::parse(&start.url).unwrap();
    let q: std::collections::HashMap<_, _> = sent.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["redirect_uri"], BACK);
    assert!(q["scope"].split(' ').any(|s| s == "openid"), "{q:?}");
    assert!(q.contains_key("nonce") && q.contains_key("state"), "{q:?}");

    let back = sign_in_at_provider(&start.url, "ana", BACK).await;
    let answer = callback(&back);
    assert_eq!(answer.iss.as_deref(), Some(provider.issuer.as_str()));
    let ana = oidc.identify(&start.pending, &answer).await.unwrap();
    assert_eq!(ana.issuer, provider.issuer);
    assert_eq!(ana.subject, "ana");
    assert_eq!(ana.preferred_username.as_deref(), Some("ana"));
    assert_eq!(ana.name.as_deref(), Some("Ana"));
    assert_eq!(ana.email.as_deref(), Some("ana@example.org"));
    assert_eq!(ana.groups, vec!["care", "rapport-admins"]);

    // A code works once: the same answer again is refused by the provider.
    let again = oidc.identify(&start.pending, &answer).await;
    assert!(matches!(again, Err(OidcError::Refused(_))), "{again:?}");

    // Someone in no group comes back with none.
    let start = oidc.start().await.unwrap();
    let back = sign_in_at_provider(&start.url, "bo", BACK).await;
    let bo = oidc
        .identify(&start.pending, &callback(&back))
        .await
        .unwrap();
    assert_eq!((bo.subject.as_str(), bo.groups.len()), ("bo", 0));
}

#[tokio::test]
async fn answers_that_are_not_this_browsers_sign_in_are_refused() {
    let provider = OidcProvider::start(BACK, &[("ana", &["care"])], false);
    let oidc = client(&provider, CLIENT_SECRET);

    // An answer to another browser's sign-in (login CSRF): its state is not ours.
    let mine = oidc.start().await.unwrap();
    let theirs = oidc.start().await.unwrap();
    let back = sign_in_at_provider(&theirs.url, "ana", BACK).await;
    let r = oidc.identify(&mine.pending, &callback(&back)).await;
    assert!(matches!(r, Err(OidcError::StateMismatch)), "{r:?}");

    // The provider saying no.
    let refused = OidcCallback {
        state: callback(&back).state,
        error: Some("access_denied".into()),
        error_description: Some("the user said no".into()),
        ..Default::default()
    };
    match oidc.identify(&theirs.pending, &refused).await {
        Err(OidcError::Refused(why)) => assert!(why.contains("access_denied"), "{why}"),
        other => panic!("{other:?}"),
    }

    // An answer naming another issuer (a mix-up attack).
    let mixed = OidcCallback {
        iss: Some("https://evil.example".into()),
        ..callback(&back)
    };
    let r = oidc.identify(&theirs.pending, &mixed).await;
    assert!(matches!(r, Err(OidcError::Invalid(_))), "{r:?}");

    // The right state but another sign-in's PKCE verifier: the provider will not trade the code.
    let forged = rapport_connectors::oidc::OidcPending::from_cookie(&format!(
        "{}.{}",
        callback(&back).state.unwrap(),
        mine.pending.to_cookie().split_once('.').unwrap().1
    ))
    .unwrap();
    let r = oidc.identify(&forged, &callback(&back)).await;
    assert!(matches!(r, Err(OidcError::Refused(_))), "{r:?}");

    // A wrong client secret is refused at the token endpoint.
    let wrong = client(&provider, "not-the-secret");
    let start = wrong.start().await.unwrap();
    let back = sign_in_at_provider(&start.url, "ana", BACK).await;
    let r = wrong.identify(&start.pending, &callback(&back)).await;
    assert!(matches!(r, Err(OidcError::Refused(_))), "{r:?}");

    // A provider that is not there.
    let gone = OidcClient::new(OidcSettings {
        issuer: "http://127.0.0.1:9".into(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_url: BACK.into(),
        scopes: vec![],
        groups_claim: "groups".into(),
    })
    .unwrap();
    let r = gone.start().await;
    assert!(matches!(r, Err(OidcError::Provider(_))), "{r:?}");
}

#[tokio::test]
async fn groups_only_at_userinfo_are_read_from_there() {
    let provider = OidcProvider::start(BACK, &[("cy", &["marketing"])], true);
    let oidc = client(&provider, CLIENT_SECRET);
    let start = oidc.start().await.unwrap();
    let back = sign_in_at_provider(&start.url, "cy", BACK).await;
    let cy = oidc
        .identify(&start.pending, &callback(&back))
        .await
        .unwrap();
    assert_eq!(cy.subject, "cy");
    assert_eq!(cy.groups, vec!["marketing"]);
    assert_eq!(cy.preferred_username.as_deref(), Some("cy"));
    assert_eq!(cy.email.as_deref(), Some("cy@example.org"));
}
