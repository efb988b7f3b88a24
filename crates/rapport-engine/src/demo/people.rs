//! The demo workspace's users: an admin, two care agents and an analyst, each with a fresh
//! random password.
//!
//! Their names start with `demo-`, so they read as demo data. They are created through the
//! account use cases like any user (argon2id hashes, the password rules). Running the demo
//! again never duplicates them: an existing demo user keeps its id, role and history and gets a
//! new password (its sessions end), so the passwords printed last always work.

use crate::accounts::{AccountError, Accounts};
use rand::RngExt;
use rapport_domain::{Role, User};

/// One demo user to make: login name, display name, role.
pub struct DemoPerson {
    pub name: &'static str,
    /// The agents' display names start with a plain first name, so saved replies that say
    /// `{{agent.first_name}}` read naturally.
    pub display_name: &'static str,
    pub role: Role,
}

/// The demo's users, in the order they are printed.
pub const PEOPLE: [DemoPerson; 4] = [
    DemoPerson {
        name: "demo-admin",
        display_name: "Demo admin",
        role: Role::Admin,
    },
    DemoPerson {
        name: "demo-agent1",
        display_name: "Robin (demo agent)",
        role: Role::Agent,
    },
    DemoPerson {
        name: "demo-agent2",
        display_name: "Sasha (demo agent)",
        role: Role::Agent,
    },
    DemoPerson {
        name: "demo-analyst",
        display_name: "Demo analyst",
        role: Role::Analyst,
    },
];

/// A demo user as it stands after [`ensure_users`], with the password it now has.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub user: User,
    pub password: String,
    /// `false` when the user existed and only the password was reset.
    pub created: bool,
}

/// The demo users, made or found, with who does what in the demo.
#[derive(Debug, Clone)]
pub struct DemoUsers {
    pub all: Vec<DemoUser>,
}

impl DemoUsers {
    /// The demo admin; an earlier run's admin may have been demoted since, so any demo user
    /// stands in then.
    pub fn admin(&self) -> &User {
        self.with_role(Role::Admin)
            .next()
            .unwrap_or(&self.all[0].user)
    }

    pub fn agents(&self) -> Vec<&User> {
        self.with_role(Role::Agent).collect()
    }

    fn with_role(&self, role: Role) -> impl Iterator<Item = &User> {
        self.all
            .iter()
            .map(|u| &u.user)
            .filter(move |u| u.role == role)
    }
}

/// Characters of a generated password: letters and digits without look-alikes (0/O, 1/l/I),
/// so a password read off a terminal is typed right the first time.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const PASSWORD_CHARS: usize = 16;

/// A random password from the operating system's generator (16 characters, ~92 bits).
pub fn generate_password() -> String {
    let mut rng = rand::rng();
    (0..PASSWORD_CHARS)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Creates the demo users that do not exist yet and gives the existing ones a new password.
pub async fn ensure_users(accounts: &Accounts) -> Result<DemoUsers, AccountError> {
    let existing = accounts.users().await?;
    let mut all = Vec::with_capacity(PEOPLE.len());
    for person in &PEOPLE {
        let password = generate_password();
        let found = existing.iter().find(|u| u.name == person.name);
        let (user, created) = match found {
            Some(user) => {
                accounts.set_password(user.id, &password).await?;
                (user.clone(), false)
            }
            None => {
                let user = accounts
                    .create_user(person.name, person.display_name, person.role, &password)
                    .await?;
                (user, true)
            }
        };
        all.push(DemoUser {
            user,
            password,
            created,
        });
    }
    Ok(DemoUsers { all })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_pass_the_rules_and_differ() {
        let a = generate_password();
        let b = generate_password();
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), PASSWORD_CHARS);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
        for p in &PEOPLE {
            crate::accounts::check_password(p.name, &a).unwrap();
            crate::accounts::check_name(p.name).unwrap();
        }
    }
}
