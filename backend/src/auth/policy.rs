//! The access policy: every handler asks here, and only here, whether the caller may act.
//! Grants are scoped to an organisation subtree; a contestant acts on their own records only.
//!
//! Convention: where the caller may not even know an object exists, handlers answer 404;
//! where the object is public but the action is not theirs, 403.

use super::actor::Actor;
use crate::domain::organisation::in_subtree;
use crate::domain::role::{EventRole, Role};
use crate::error::{ApiError, ApiResult};

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.grants.iter().any(|g| g.role == Role::Admin)
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Holds one of `roles` over the organisation at `org_path` (granted on it or an ancestor).
    pub fn has_role_over(&self, roles: &[Role], org_path: &str) -> bool {
        self.grants
            .iter()
            .any(|g| roles.contains(&g.role) && g.org_path.as_deref().is_some_and(|root| in_subtree(org_path, root)))
    }

    /// The subtree roots where the caller holds one of `roles`.
    pub fn scope_paths(&self, roles: &[Role]) -> Vec<String> {
        self.grants.iter().filter(|g| roles.contains(&g.role)).filter_map(|g| g.org_path.clone()).collect()
    }

    pub fn is_person(&self, person_id: &str) -> bool {
        self.person_id.as_deref() == Some(person_id)
    }
}

pub fn require_admin(actor: &Actor) -> ApiResult<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden("only an administrator may do this"))
    }
}

/// Create, change or delete organisations below (and including) `org_path`.
pub fn can_manage_organisation(actor: &Actor, org_path: &str) -> bool {
    actor.is_admin() || actor.has_role_over(&[Role::Organiser], org_path)
}

/// See a person's profile: themselves, an admin, or an organiser or official over their employer.
pub fn can_view_person(actor: &Actor, person_id: &str, employer_path: Option<&str>) -> bool {
    actor.is_person(person_id)
        || actor.is_admin()
        || employer_path.is_some_and(|p| actor.has_role_over(&[Role::Organiser, Role::Official], p))
}

/// See the whole ID card number: themselves, an admin, or an organiser (a reviewer) over their
/// employer. Officials and everyone else see it masked.
pub fn can_see_full_id_number(actor: &Actor, person_id: &str, employer_path: Option<&str>) -> bool {
    actor.is_person(person_id)
        || actor.is_admin()
        || employer_path.is_some_and(|p| actor.has_role_over(&[Role::Organiser], p))
}

/// Verify or reject a person's skill credentials, or record verified ones: an admin, an
/// organiser or official (union, HRSS) over their employer, or an organiser reviewing one of their
/// registrations (`review_paths`: the paths of those registrations' hosts and nominating units).
/// Never the person themselves, whatever roles they hold.
pub fn can_review_credentials(
    actor: &Actor,
    person_id: &str,
    employer_path: Option<&str>,
    review_paths: &[String],
) -> bool {
    if actor.is_person(person_id) {
        return false;
    }
    actor.is_admin()
        || employer_path.is_some_and(|p| actor.has_role_over(&[Role::Organiser, Role::Official], p))
        || review_paths.iter().any(|p| actor.has_role_over(&[Role::Organiser], p))
}

/// Change a person's profile and credentials.
pub fn can_edit_person(actor: &Actor, person_id: &str, employer_path: Option<&str>) -> bool {
    can_see_full_id_number(actor, person_id, employer_path)
}

/// Grant or withdraw `role` scoped to the organisation at `org_path`: an admin any role, an
/// organiser only organiser and judge grants within their own subtree.
pub fn can_grant(actor: &Actor, role: Role, org_path: Option<&str>) -> bool {
    if actor.is_admin() {
        return true;
    }
    matches!(role, Role::Organiser | Role::Judge)
        && org_path.is_some_and(|p| actor.has_role_over(&[Role::Organiser], p))
}

/// Set up and run a competition hosted by the organisation at `host_path`.
pub fn can_manage_competition(actor: &Actor, host_path: &str) -> bool {
    actor.is_admin() || actor.has_role_over(&[Role::Organiser], host_path)
}

/// See a competition: anyone once published; its organisers while it is a draft.
pub fn can_view_competition(actor: Option<&Actor>, is_public: bool, host_path: &str) -> bool {
    is_public || actor.is_some_and(|a| can_manage_competition(a, host_path))
}

/// Decide an upgrade application reviewed by the organisation at `reviewer_path` (the host's
/// ancestor at the tier above): its organisers, and admins.
pub fn can_review_upgrade(actor: &Actor, reviewer_path: &str) -> bool {
    actor.is_admin() || actor.has_role_over(&[Role::Organiser], reviewer_path)
}

/// Review a registration at its nominating unit (推荐单位): an organiser over the unit whose grant
/// does not also cover the host, so that the two review levels are two different bodies. Admins
/// may act at either level.
pub fn is_unit_reviewer(actor: &Actor, unit_path: &str, host_path: &str) -> bool {
    actor.is_admin()
        || actor.grants.iter().any(|g| {
            g.role == Role::Organiser
                && g.org_path.as_deref().is_some_and(|root| in_subtree(unit_path, root) && !in_subtree(host_path, root))
        })
}

/// Create staff accounts (which then receive grants): admins and organisers.
pub fn can_create_accounts(actor: &Actor) -> bool {
    actor.is_admin() || actor.has_role(Role::Organiser)
}

/// The account a reset link would be for, as the policy needs to see it.
pub struct ResetTarget<'a> {
    pub is_self: bool,
    /// Its grants: role and, for organisation-scoped roles, the organisation's path.
    pub grants: &'a [(Role, Option<String>)],
    /// The path of the employer of the person the account belongs to, if any.
    pub employer_path: Option<&'a str>,
}

/// Why a reset link is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetRefusal {
    /// One's own password is changed with the current one.
    OwnAccount,
    /// The account is not in the caller's scope at all: answered like a missing one.
    NotInScope,
    /// In scope, but holding more than the caller reaches.
    StrongerAccount,
}

/// Who may issue a one-time password-reset link: an admin for any other account; an organiser
/// for an account in their subtree (a staff grant there, or a contestant employed there) that
/// holds no admin grant and nothing outside the subtree — so no organiser can take over an
/// account more powerful than their own. Nobody for themselves: they change it with the old one.
pub fn may_issue_reset(actor: &Actor, target: &ResetTarget) -> Result<(), ResetRefusal> {
    if target.is_self {
        return Err(ResetRefusal::OwnAccount);
    }
    if actor.is_admin() {
        return Ok(());
    }
    let scopes = actor.scope_paths(&[Role::Organiser]);
    let within = |path: &str| scopes.iter().any(|root| in_subtree(path, root));
    let staff_paths: Vec<&str> = target.grants.iter().filter_map(|(_, p)| p.as_deref()).collect();
    let visible = staff_paths.iter().any(|p| within(p)) || target.employer_path.is_some_and(within);
    if !visible {
        return Err(ResetRefusal::NotInScope);
    }
    let holds_admin = target.grants.iter().any(|(role, _)| *role == Role::Admin);
    if holds_admin || !staff_paths.iter().all(|p| within(p)) {
        return Err(ResetRefusal::StrongerAccount);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Grant;

    fn actor(grants: &[(Role, Option<&str>)]) -> Actor {
        Actor {
            user_id: "u".into(),
            username: "u".into(),
            person_id: Some("me".into()),
            grants: grants
                .iter()
                .map(|(role, path)| Grant {
                    id: "g".into(),
                    role: *role,
                    organisation_id: None,
                    org_path: path.map(String::from),
                })
                .collect(),
            request_id: None,
            session_id: "s".into(),
            at: Default::default(),
        }
    }

    const PROVINCE: &str = "/yn/";
    const KUNMING: &str = "/yn/km/";
    const QUJING: &str = "/yn/qj/";
    const WUHUA: &str = "/yn/km/wh/";

    #[test]
    fn an_organiser_manages_their_subtree_and_nothing_else() {
        let kunming = actor(&[(Role::Organiser, Some(KUNMING))]);
        assert!(can_manage_organisation(&kunming, KUNMING));
        assert!(can_manage_organisation(&kunming, WUHUA));
        assert!(!can_manage_organisation(&kunming, QUJING));
        assert!(!can_manage_organisation(&kunming, PROVINCE));
    }

    #[test]
    fn credentials_are_verified_by_reviewers_never_by_their_holder() {
        let official = actor(&[(Role::Official, Some(KUNMING))]);
        let host = actor(&[(Role::Organiser, Some(PROVINCE))]);
        let qujing = actor(&[(Role::Organiser, Some(QUJING))]);
        let judge = actor(&[(Role::Judge, Some(PROVINCE))]);
        assert!(can_review_credentials(&official, "p", Some(WUHUA), &[]));
        assert!(!can_review_credentials(&qujing, "p", Some(WUHUA), &[]));
        // Qujing's organisers review the person's registration to a Qujing contest.
        assert!(can_review_credentials(&qujing, "p", Some(WUHUA), &[QUJING.to_string()]));
        assert!(!can_review_credentials(&host, "p", None, &[]));
        assert!(can_review_credentials(&host, "p", Some(WUHUA), &[]));
        assert!(!can_review_credentials(&judge, "p", Some(WUHUA), &[PROVINCE.to_string()]));
        // An organiser (or admin) who is the person does not verify their own certificate.
        let mut own = actor(&[(Role::Admin, None), (Role::Organiser, Some(PROVINCE))]);
        own.person_id = Some("p".into());
        assert!(!can_review_credentials(&own, "p", Some(WUHUA), &[]));
    }

    #[test]
    fn officials_see_people_masked_organisers_in_full_strangers_not_at_all() {
        let official = actor(&[(Role::Official, Some(PROVINCE))]);
        let organiser = actor(&[(Role::Organiser, Some(KUNMING))]);
        let judge = actor(&[(Role::Judge, Some(PROVINCE))]);
        assert!(can_view_person(&official, "p", Some(WUHUA)));
        assert!(!can_see_full_id_number(&official, "p", Some(WUHUA)));
        assert!(can_see_full_id_number(&organiser, "p", Some(WUHUA)));
        assert!(!can_view_person(&organiser, "p", Some(QUJING)));
        assert!(!can_view_person(&judge, "p", Some(WUHUA)));
        let contestant = actor(&[(Role::Contestant, None)]);
        assert!(can_see_full_id_number(&contestant, "me", None));
        assert!(!can_view_person(&contestant, "someone else", None));
    }

    #[test]
    fn competitions_are_run_within_the_host_subtree_and_drafts_stay_private() {
        let kunming = actor(&[(Role::Organiser, Some(KUNMING))]);
        assert!(can_manage_competition(&kunming, WUHUA));
        assert!(!can_manage_competition(&kunming, PROVINCE));
        assert!(can_view_competition(None, true, PROVINCE));
        assert!(!can_view_competition(None, false, WUHUA));
        assert!(can_view_competition(Some(&kunming), false, WUHUA));
        assert!(!can_view_competition(Some(&kunming), false, QUJING));
        // Kunming's organiser reviews Wuhua's application, not the province's.
        assert!(can_review_upgrade(&kunming, KUNMING));
        assert!(!can_review_upgrade(&kunming, PROVINCE));
    }

    #[test]
    fn the_unit_level_and_the_host_level_are_different_people() {
        let wuhua = actor(&[(Role::Organiser, Some(WUHUA))]);
        let kunming = actor(&[(Role::Organiser, Some(KUNMING))]);
        // A Wuhua enterprise nominates to a Kunming final.
        let factory = "/yn/km/wh/f/";
        assert!(is_unit_reviewer(&wuhua, factory, KUNMING));
        assert!(!is_unit_reviewer(&kunming, factory, KUNMING), "the host's organisers review at the host level only");
        assert!(
            is_unit_reviewer(&kunming, factory, PROVINCE),
            "for a provincial final Kunming is a unit above the factory"
        );
    }

    #[test]
    fn organisers_grant_only_organiser_and_judge_roles_in_their_subtree() {
        let organiser = actor(&[(Role::Organiser, Some(KUNMING))]);
        assert!(can_grant(&organiser, Role::Judge, Some(WUHUA)));
        assert!(can_grant(&organiser, Role::Organiser, Some(KUNMING)));
        assert!(!can_grant(&organiser, Role::Official, Some(WUHUA)));
        assert!(!can_grant(&organiser, Role::Admin, None));
        assert!(!can_grant(&organiser, Role::Judge, Some(QUJING)));
        assert!(can_grant(&actor(&[(Role::Admin, None)]), Role::Official, Some(PROVINCE)));
    }

    #[test]
    fn reset_links_reach_only_accounts_weaker_than_the_issuer() {
        let target = |grants: &[(Role, Option<&str>)], employer: Option<&'static str>| {
            let grants: Vec<(Role, Option<String>)> = grants.iter().map(|(r, p)| (*r, p.map(String::from))).collect();
            (grants, employer)
        };
        let check = |who: &Actor, (grants, employer): &(Vec<(Role, Option<String>)>, Option<&str>), is_self| {
            may_issue_reset(who, &ResetTarget { is_self, grants, employer_path: *employer })
        };
        let organiser = actor(&[(Role::Organiser, Some(KUNMING))]);
        let admin = actor(&[(Role::Admin, None)]);
        let judge_below = target(&[(Role::Judge, Some(WUHUA))], None);
        let contestant_below = target(&[(Role::Contestant, None)], Some(WUHUA));
        assert_eq!(check(&organiser, &judge_below, false), Ok(()));
        assert_eq!(check(&organiser, &contestant_below, false), Ok(()));
        // Elsewhere: not in scope at all.
        let unseen = Err(ResetRefusal::NotInScope);
        assert_eq!(check(&organiser, &target(&[(Role::Judge, Some(QUJING))], None), false), unseen);
        assert_eq!(check(&organiser, &target(&[(Role::Contestant, None)], Some(QUJING)), false), unseen);
        // In scope, but also holding more than the organiser reaches.
        let also_province = target(&[(Role::Judge, Some(WUHUA)), (Role::Official, Some(PROVINCE))], None);
        assert_eq!(check(&organiser, &also_province, false), Err(ResetRefusal::StrongerAccount));
        let an_admin = target(&[(Role::Admin, None), (Role::Judge, Some(WUHUA))], None);
        assert_eq!(check(&organiser, &an_admin, false), Err(ResetRefusal::StrongerAccount));
        assert_eq!(check(&admin, &an_admin, false), Ok(()));
        // Nobody resets their own: they change it with the old one.
        assert_eq!(check(&admin, &judge_below, true), Err(ResetRefusal::OwnAccount));
        assert_eq!(check(&actor(&[(Role::Judge, Some(WUHUA))]), &judge_below, false), unseen);
    }
}

/// The caller, holding `roles` on an event, may do `what` only in one of the `allowed` roles.
pub fn require_event_role(roles: &[EventRole], allowed: &[EventRole], what: &str) -> ApiResult<()> {
    if roles.iter().any(|r| allowed.contains(r)) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "{what} is for the event's {}",
            allowed.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or ")
        )))
    }
}

/// Appeals are ruled by the event's arbiter (仲裁), and by no one else.
pub fn require_arbiter(roles: &[EventRole]) -> ApiResult<()> {
    if roles.contains(&EventRole::Arbiter) {
        Ok(())
    } else {
        Err(ApiError::forbidden("appeals are ruled by the event's arbiter (仲裁)"))
    }
}
