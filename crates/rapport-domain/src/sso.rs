//! Single sign-on: which Rapport role the groups a provider names give a person.

use crate::Role;

/// Groups at the provider, mapped to roles. A person in several mapped groups gets the widest
/// of their roles (admin, then agent, then analyst: each sees and does more than the next in
/// the places people sign in for); a person in none gets `default_role`, and with no default
/// is refused, so a provider shared with the whole organisation lets in only those an admin
/// named.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleMapping {
    /// `(group, role)`, as the provider spells the group (compared exactly: providers treat
    /// group names and ids as case-sensitive).
    pub groups: Vec<(String, Role)>,
    pub default_role: Option<Role>,
}

impl RoleMapping {
    /// The role `groups` earn, or `None` when they earn none.
    pub fn role_for<S: AsRef<str>>(&self, groups: &[S]) -> Option<Role> {
        self.groups
            .iter()
            .filter(|(g, _)| groups.iter().any(|have| have.as_ref() == g))
            .map(|(_, role)| *role)
            // Role orders admin < agent < analyst: the least is the widest.
            .min()
            .or(self.default_role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(default_role: Option<Role>) -> RoleMapping {
        RoleMapping {
            groups: vec![
                ("rapport-admins".into(), Role::Admin),
                ("care".into(), Role::Agent),
                ("support-tier2".into(), Role::Agent),
                ("marketing".into(), Role::Analyst),
            ],
            default_role,
        }
    }

    #[test]
    fn the_widest_role_of_the_mapped_groups_wins() {
        let m = mapping(None);
        for (groups, want) in [
            (vec!["care"], Some(Role::Agent)),
            (vec!["marketing"], Some(Role::Analyst)),
            (vec!["marketing", "care"], Some(Role::Agent)),
            (
                vec!["care", "rapport-admins", "marketing"],
                Some(Role::Admin),
            ),
            (vec!["support-tier2", "care"], Some(Role::Agent)),
            (vec!["everyone", "marketing"], Some(Role::Analyst)),
            (vec!["everyone"], None),
            (vec![], None),
            // Exact names only: a provider's "Care" is not "care".
            (vec!["Care", "rapport-admins "], None),
        ] {
            assert_eq!(m.role_for(&groups), want, "{groups:?}");
        }
    }

    #[test]
    fn the_default_role_covers_people_in_no_mapped_group_only() {
        let m = mapping(Some(Role::Analyst));
        assert_eq!(m.role_for::<&str>(&[]), Some(Role::Analyst));
        assert_eq!(m.role_for(&["everyone"]), Some(Role::Analyst));
        assert_eq!(m.role_for(&["care"]), Some(Role::Agent));
        let agents_by_default = mapping(Some(Role::Agent));
        // A mapped group narrower than the default still decides.
        assert_eq!(
            agents_by_default.role_for(&["marketing"]),
            Some(Role::Analyst)
        );
        assert_eq!(RoleMapping::default().role_for(&["care"]), None);
    }
}
