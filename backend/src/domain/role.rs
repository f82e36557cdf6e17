//! Roles a user can be granted, and what scope each needs.

use crate::string_enum;

string_enum! {
    /// A role grant's role. Judge sub-roles (chief, encryption judge, …) are per event and come
    /// with judging.
    pub enum Role {
        /// Runs the system: organisations, accounts, the audit trail.
        Admin = "admin",
        /// 竞赛组织者: competitions, registrations and judges within an organisation subtree.
        Organiser = "organiser",
        /// 裁判
        Judge = "judge",
        /// 工会 / 人社 official: certifies awards and promotions within a subtree.
        Official = "official",
        /// 选手: acts on their own records only.
        Contestant = "contestant",
    }
}

string_enum! {
    /// A role on one event (裁判组): appointed by the host's organisers.
    pub enum EventRole {
        /// 裁判长
        ChiefJudge = "chief_judge",
        /// 裁判员
        Judge = "judge",
        /// 加密裁判: runs the draw and alone holds the code mapping until decryption.
        EncryptionJudge = "encryption_judge",
        /// 计分员
        Scorer = "scorer",
        /// 监督
        Supervisor = "supervisor",
        /// 仲裁
        Arbiter = "arbiter",
    }
}

impl EventRole {
    /// The account-level role a user needs to be appointed: judges' roles need a judge grant;
    /// a supervisor may also be an official (union / HRSS).
    pub fn qualifying_roles(self) -> &'static [Role] {
        match self {
            EventRole::Supervisor => &[Role::Judge, Role::Official],
            _ => &[Role::Judge],
        }
    }
}

impl EventRole {
    /// Roles one person may not hold together on one event (separation of duties): the
    /// encryption judge, who alone knows who sits where until decryption, neither marks, leads
    /// the marking nor keeps the scores; the supervisor, who confirms the chief judge's signature
    /// and approves re-opened marks, neither leads the marking nor marks; the arbiter, who rules on
    /// appeals against the scores, gave none of them.
    pub fn excludes(self, other: EventRole) -> bool {
        use EventRole::*;
        let pair = |a: EventRole, b: EventRole| (self == a && other == b) || (self == b && other == a);
        pair(EncryptionJudge, Judge)
            || pair(EncryptionJudge, ChiefJudge)
            || pair(EncryptionJudge, Scorer)
            || pair(Supervisor, ChiefJudge)
            || pair(Supervisor, Judge)
            || pair(Arbiter, Judge)
            || pair(Arbiter, ChiefJudge)
    }
}

impl Role {
    /// Whether a grant of this role names the organisation subtree it covers.
    pub fn needs_organisation(self) -> bool {
        matches!(self, Role::Organiser | Role::Judge | Role::Official)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encryption_judge_neither_marks_nor_scores_and_the_supervisor_and_arbiter_do_not_mark() {
        use EventRole::*;
        for other in [Judge, ChiefJudge, Scorer] {
            assert!(EncryptionJudge.excludes(other) && other.excludes(EncryptionJudge));
        }
        assert!(Supervisor.excludes(ChiefJudge) && ChiefJudge.excludes(Supervisor));
        assert!(!Judge.excludes(ChiefJudge));
        assert!(!Supervisor.excludes(Scorer));
        assert!(!EncryptionJudge.excludes(Supervisor));
        // The supervisor approves re-opened marks and the arbiter rules on appeals: neither marks.
        for judge in [Judge, ChiefJudge] {
            assert!(Supervisor.excludes(judge) && judge.excludes(Supervisor));
            assert!(Arbiter.excludes(judge) && judge.excludes(Arbiter));
        }
        assert!(!Arbiter.excludes(Supervisor) && !Arbiter.excludes(Scorer));
    }

    #[test]
    fn scoped_roles_need_an_organisation_and_global_ones_do_not() {
        assert!(Role::Organiser.needs_organisation());
        assert!(Role::Official.needs_organisation());
        assert!(!Role::Admin.needs_organisation());
        assert!(!Role::Contestant.needs_organisation());
        assert_eq!(Role::parse("official"), Some(Role::Official));
        assert_eq!(Role::parse("root"), None);
    }
}
