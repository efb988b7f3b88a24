//! How many expensive requests (searches, backtests, topics saved with their backfill) one user
//! may have running at once.
//!
//! Each of them walks stored posts with the exact matcher, for up to the engine's query
//! deadline. Without a bound, one person (or one script with their token) could start dozens and
//! keep every core busy; with it, the rest of the team's requests keep being answered. A
//! request over the bound is refused at once with 429 rather than queued: queued searches
//! would still tie up memory and connections, and the person can simply try again.

use rapport_domain::UserId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The running expensive requests, per user.
#[derive(Debug)]
pub struct HeavyGate {
    per_user: usize,
    running: Mutex<HashMap<UserId, usize>>,
}

/// Held for as long as the request runs; leaving frees the slot.
#[derive(Debug)]
pub struct HeavyPermit {
    gate: Arc<HeavyGate>,
    user: UserId,
}

/// The user already has their share of expensive requests running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub per_user: usize,
}

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "you already have {} searches or backtests running; wait for one to finish and try again",
            self.per_user
        )
    }
}

impl HeavyGate {
    /// At most `per_user` at once per user (at least one).
    pub fn new(per_user: usize) -> Arc<Self> {
        Arc::new(Self {
            per_user: per_user.max(1),
            running: Mutex::new(HashMap::new()),
        })
    }

    /// Takes a slot for `user`, or says they have none left.
    pub fn enter(self: &Arc<Self>, user: UserId) -> Result<HeavyPermit, Busy> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let n = running.entry(user).or_insert(0);
        if *n >= self.per_user {
            return Err(Busy {
                per_user: self.per_user,
            });
        }
        *n += 1;
        Ok(HeavyPermit {
            gate: self.clone(),
            user,
        })
    }

    #[cfg(test)]
    fn held(&self) -> usize {
        self.running.lock().unwrap().len()
    }
}

impl Drop for HeavyPermit {
    fn drop(&mut self) {
        let mut running = self.gate.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = running.get_mut(&self.user) {
            *n -= 1;
            // Users without a running request leave no entry behind, so the map holds at most
            // the requests in flight.
            if *n == 0 {
                running.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_user_gets_their_own_share_and_leaving_frees_it() {
        let gate = HeavyGate::new(2);
        let (ann, bob) = (UserId(1), UserId(2));
        let a1 = gate.enter(ann).unwrap();
        let a2 = gate.enter(ann).unwrap();
        assert_eq!(gate.enter(ann).unwrap_err(), Busy { per_user: 2 });
        // Another user is not held back by the first one's searches.
        let b1 = gate.enter(bob).unwrap();
        drop(a1);
        let a3 = gate.enter(ann).unwrap();
        drop((a2, a3, b1));
        assert_eq!(gate.held(), 0, "finished requests leave nothing behind");
    }

    /// Over HTTP: the user past their share is answered 429 at once, others are not held back.
    #[tokio::test]
    async fn a_search_past_the_users_share_is_answered_429() {
        use crate::{AppState, WebConfig, app};
        use axum::body::{Body, to_bytes};
        use axum::http::Request;
        use rapport_domain::{Permission, Role};
        use rapport_engine::accounts::{Accounts, AccountsConfig};
        use rapport_engine::testing::{backend_from_env, fresh_store};
        use rapport_engine::{Engine, EngineConfig};
        use tower::ServiceExt;

        let store = fresh_store(backend_from_env()).await;
        let engine = Arc::new(
            Engine::new(store.store(), EngineConfig::default())
                .await
                .unwrap(),
        );
        let accounts = Arc::new(Accounts::new(store.store(), AccountsConfig::default()));
        let admin = accounts
            .setup_first_admin("root", "", "correct-horse-7")
            .await
            .unwrap();
        let other = accounts
            .create_user("ann", "", Role::Admin, "correct-horse-7")
            .await
            .unwrap();
        let token = |user| {
            let accounts = accounts.clone();
            async move {
                accounts
                    .create_api_token(&user, "t", &[Permission::ReadPosts])
                    .await
                    .unwrap()
                    .secret
            }
        };
        let (root_token, ann_token) = (token(admin.clone()).await, token(other).await);
        let config = WebConfig {
            heavy_per_user: 1,
            ..WebConfig::default()
        };
        let state = AppState::new(engine, accounts, config);
        let search = |token: String| {
            let state = state.clone();
            async move {
                let request = Request::get("/api/v1/posts?q=refund")
                    .header("authorization", format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap();
                let answer = app(state).oneshot(request).await.unwrap();
                let status = answer.status().as_u16();
                let body = to_bytes(answer.into_body(), 1 << 20).await.unwrap();
                (status, String::from_utf8_lossy(&body).into_owned())
            }
        };
        // Root's one search is running.
        let running = state.heavy.enter(admin.id).unwrap();
        let (status, body) = search(root_token.clone()).await;
        assert_eq!(status, 429, "{body}");
        assert!(body.contains("too_many_queries"), "{body}");
        assert_eq!(search(ann_token).await.0, 200);
        drop(running);
        assert_eq!(search(root_token).await.0, 200);
    }
}
