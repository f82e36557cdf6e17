//! Disqualification (取消资格): a contestant found breaking the rules, cheating or sitting in for
//! someone else (冒名顶替, often found at check-in) loses their place in the event. It takes two
//! people (DESIGN §5): the chief judge proposes it for a station with a ground and a reason, a
//! supervisor who is not the proposer approves or declines it, once. The ranking then leaves the
//! station out, so everyone behind moves up one place; results computed before it must be
//! computed again before they are published or made final. Final results are not rewritten this
//! way: after them an award is revoked instead.

use super::ranking::ResultSetStatus;
use super::registration::RegistrationStatus;

crate::string_enum! {
    /// Why a contestant is disqualified.
    pub enum Ground {
        /// 违反赛场纪律或竞赛规则
        RuleBreach = "rule_breach",
        /// 冒名顶替 (impersonation), usually found when identity is checked
        Impersonation = "impersonation",
        /// 作弊 (cheating: unauthorised material, help, devices)
        Cheating = "cheating",
        /// 其他 (named in the reason)
        Other = "other",
    }
}

crate::string_enum! {
    pub enum DisqualificationStatus {
        Pending = "pending",
        Approved = "approved",
        Declined = "declined",
    }
}

/// Why a proposal, or a decision on one, is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisqualificationRefusal {
    /// The contestant is not (or no longer) competing: not admitted, withdrawn, absent or already out.
    NotCompeting(RegistrationStatus),
    /// A proposal for this contestant already waits for a supervisor.
    AlreadyPending,
    /// The event's results are final.
    ResultsFinal,
    /// The proposer may not decide their own proposal.
    SamePerson,
    /// The proposal was already approved or declined.
    AlreadyDecided(DisqualificationStatus),
}

impl DisqualificationRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            DisqualificationRefusal::NotCompeting(_) => "not_competing",
            DisqualificationRefusal::AlreadyPending => "disqualification_pending",
            DisqualificationRefusal::ResultsFinal => "results_final",
            DisqualificationRefusal::SamePerson => "same_person",
            DisqualificationRefusal::AlreadyDecided(_) => "already_decided",
        }
    }

    pub fn message(&self) -> String {
        match self {
            DisqualificationRefusal::NotCompeting(status) => {
                format!("only a contestant admitted, checked in or competing is disqualified (this one is {status})")
            }
            DisqualificationRefusal::AlreadyPending => {
                "a disqualification of this contestant already waits for a supervisor".into()
            }
            DisqualificationRefusal::ResultsFinal => {
                "the event's results are final: an award is revoked instead of rewriting them".into()
            }
            DisqualificationRefusal::SamePerson => {
                "a disqualification takes two people: the chief judge proposes, a supervisor decides".into()
            }
            DisqualificationRefusal::AlreadyDecided(status) => format!("this proposal has already been {status}"),
        }
    }
}

/// The registrations a disqualification can still reach: those holding a place on the day.
pub fn may_be_disqualified(status: RegistrationStatus) -> bool {
    use RegistrationStatus::*;
    matches!(status, Admitted | CheckedIn | Competed)
}

/// Whether the chief judge may propose disqualifying a contestant in `status`, given whether a
/// proposal already waits and the status of the event's latest results (if any).
pub fn may_propose(
    status: RegistrationStatus,
    pending: bool,
    results: Option<ResultSetStatus>,
) -> Result<(), DisqualificationRefusal> {
    if results == Some(ResultSetStatus::Final) {
        return Err(DisqualificationRefusal::ResultsFinal);
    }
    if !may_be_disqualified(status) {
        return Err(DisqualificationRefusal::NotCompeting(status));
    }
    if pending {
        return Err(DisqualificationRefusal::AlreadyPending);
    }
    Ok(())
}

/// Whether `decider` may decide a proposal made by `proposer`, now in `status`, for a contestant
/// now in `registration` with results in `results`. Approval re-checks the contestant and the
/// results, since either may have moved while the proposal waited; declining needs neither.
pub fn may_decide(
    proposer: &str,
    decider: &str,
    status: DisqualificationStatus,
    approve: bool,
    registration: RegistrationStatus,
    results: Option<ResultSetStatus>,
) -> Result<(), DisqualificationRefusal> {
    if proposer == decider {
        return Err(DisqualificationRefusal::SamePerson);
    }
    if status != DisqualificationStatus::Pending {
        return Err(DisqualificationRefusal::AlreadyDecided(status));
    }
    if approve {
        if results == Some(ResultSetStatus::Final) {
            return Err(DisqualificationRefusal::ResultsFinal);
        }
        if !may_be_disqualified(registration) {
            return Err(DisqualificationRefusal::NotCompeting(registration));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use RegistrationStatus::*;

    #[test]
    fn only_a_contestant_holding_a_place_on_the_day_is_proposed_and_once() {
        for status in [Admitted, CheckedIn, Competed] {
            assert_eq!(may_propose(status, false, None), Ok(()), "{status}");
        }
        for status in [Submitted, Returned, Withdrawn, NoShow, Disqualified, Replaced, Reserve] {
            assert_eq!(may_propose(status, false, None), Err(DisqualificationRefusal::NotCompeting(status)));
        }
        assert_eq!(may_propose(CheckedIn, true, None), Err(DisqualificationRefusal::AlreadyPending));
    }

    #[test]
    fn results_in_publicity_can_still_lose_a_contestant_but_final_results_cannot() {
        assert_eq!(may_propose(Competed, false, Some(ResultSetStatus::Publicity)), Ok(()));
        assert_eq!(
            may_propose(Competed, false, Some(ResultSetStatus::Final)),
            Err(DisqualificationRefusal::ResultsFinal)
        );
        assert_eq!(
            may_decide(
                "chief",
                "supervisor",
                DisqualificationStatus::Pending,
                true,
                Competed,
                Some(ResultSetStatus::Final)
            ),
            Err(DisqualificationRefusal::ResultsFinal)
        );
    }

    #[test]
    fn a_second_person_decides_once_and_approval_checks_the_contestant_again() {
        use DisqualificationStatus::*;
        assert_eq!(
            may_decide("chief", "chief", Pending, true, CheckedIn, None),
            Err(DisqualificationRefusal::SamePerson)
        );
        assert_eq!(
            may_decide("chief", "supervisor", Declined, true, CheckedIn, None),
            Err(DisqualificationRefusal::AlreadyDecided(Declined))
        );
        assert_eq!(
            may_decide("chief", "supervisor", Pending, true, Withdrawn, None),
            Err(DisqualificationRefusal::NotCompeting(Withdrawn))
        );
        assert_eq!(may_decide("chief", "supervisor", Pending, false, Withdrawn, None), Ok(()));
        assert_eq!(may_decide("chief", "supervisor", Pending, true, CheckedIn, None), Ok(()));
        assert_eq!(
            DisqualificationRefusal::AlreadyDecided(Approved).message(),
            "this proposal has already been approved"
        );
    }
}
