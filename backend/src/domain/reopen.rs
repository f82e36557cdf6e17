//! Re-opening a locked mark takes two people (DESIGN §6): the chief judge asks, with a reason and a
//! different value; a supervisor who is not the requester approves or declines, once.

use super::judging::MarkStatus;

/// Why a re-open request, or a decision on one, is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReopenRefusal {
    /// Only a locked mark is re-opened; others are edited by their judge.
    NotLocked,
    /// The mark already has a request waiting for a supervisor.
    AlreadyPending,
    /// The new value is the mark's current value.
    Unchanged,
    /// The requester may not decide their own request.
    SamePerson,
    /// The request was already approved or declined.
    AlreadyDecided(String),
    /// The event is decrypted (names are known) and no upheld appeal covers the station.
    NamesKnown,
}

impl ReopenRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            ReopenRefusal::NotLocked => "not_locked",
            ReopenRefusal::AlreadyPending => "reopen_pending",
            ReopenRefusal::Unchanged => "unchanged",
            ReopenRefusal::SamePerson => "same_person",
            ReopenRefusal::AlreadyDecided(_) => "already_decided",
            ReopenRefusal::NamesKnown => "names_known",
        }
    }

    pub fn message(&self) -> String {
        match self {
            ReopenRefusal::NotLocked => "only a locked mark is re-opened; others are edited by their judge".into(),
            ReopenRefusal::AlreadyPending => "this mark already has a re-open request waiting for a supervisor".into(),
            ReopenRefusal::Unchanged => "the new value is the mark's current value".into(),
            ReopenRefusal::SamePerson => {
                "a re-opening needs two people: the chief judge asks, a supervisor decides".into()
            }
            ReopenRefusal::AlreadyDecided(status) => format!("this request has already been {status}"),
            ReopenRefusal::NamesKnown => {
                "the event is decrypted: a mark now changes only for the station of an upheld appeal".into()
            }
        }
    }
}

/// What the event is at when a mark is asked to change: once decrypted, everyone knows whose
/// mark it is, so only an upheld appeal for its station opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blindness {
    /// Before decryption: marks belong to station numbers.
    Blind,
    /// After decryption; whether an upheld appeal covers the mark's station.
    NamesKnown { appeal_upheld: bool },
}

/// Whether the chief judge may ask to change a mark (status, whether a request is already
/// waiting, current and new value in hundredths, and whether names are known).
pub fn may_ask(
    mark_status: MarkStatus,
    pending: bool,
    current_centi: i32,
    new_centi: i32,
    blindness: Blindness,
) -> Result<(), ReopenRefusal> {
    may_still_change(blindness)?;
    if mark_status != MarkStatus::Locked {
        return Err(ReopenRefusal::NotLocked);
    }
    if pending {
        return Err(ReopenRefusal::AlreadyPending);
    }
    if new_centi == current_centi {
        return Err(ReopenRefusal::Unchanged);
    }
    Ok(())
}

/// Whether a mark may still change at all: always while judging is blind, after decryption only
/// for an upheld appeal (checked again when the supervisor approves).
pub fn may_still_change(blindness: Blindness) -> Result<(), ReopenRefusal> {
    match blindness {
        Blindness::NamesKnown { appeal_upheld: false } => Err(ReopenRefusal::NamesKnown),
        _ => Ok(()),
    }
}

/// Whether `decider` may approve or decline a request made by `requested_by` in `status`.
pub fn may_decide(requested_by: &str, decider: &str, status: &str) -> Result<(), ReopenRefusal> {
    if requested_by == decider {
        return Err(ReopenRefusal::SamePerson);
    }
    if status != "pending" {
        return Err(ReopenRefusal::AlreadyDecided(status.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_locked_mark_without_a_waiting_request_is_asked_to_change_and_to_another_value() {
        let blind = Blindness::Blind;
        assert_eq!(may_ask(MarkStatus::Signed, false, 5000, 5300, blind), Err(ReopenRefusal::NotLocked));
        assert_eq!(may_ask(MarkStatus::Locked, true, 5000, 5300, blind), Err(ReopenRefusal::AlreadyPending));
        assert_eq!(may_ask(MarkStatus::Locked, false, 5000, 5000, blind), Err(ReopenRefusal::Unchanged));
        assert_eq!(may_ask(MarkStatus::Locked, false, 5000, 5300, blind), Ok(()));
    }

    #[test]
    fn once_names_are_known_only_an_upheld_appeal_opens_a_mark() {
        let known = |appeal_upheld| Blindness::NamesKnown { appeal_upheld };
        assert_eq!(may_ask(MarkStatus::Locked, false, 5000, 5300, known(false)), Err(ReopenRefusal::NamesKnown));
        assert_eq!(may_ask(MarkStatus::Locked, false, 5000, 5300, known(true)), Ok(()));
        assert_eq!(may_still_change(known(false)), Err(ReopenRefusal::NamesKnown));
        assert_eq!(may_still_change(Blindness::Blind), Ok(()));
    }

    #[test]
    fn a_second_person_decides_once() {
        assert_eq!(may_decide("chief", "chief", "pending"), Err(ReopenRefusal::SamePerson));
        assert_eq!(
            may_decide("chief", "supervisor", "approved"),
            Err(ReopenRefusal::AlreadyDecided("approved".into()))
        );
        assert_eq!(may_decide("chief", "supervisor", "pending"), Ok(()));
        assert_eq!(
            ReopenRefusal::AlreadyDecided("declined".into()).message(),
            "this request has already been declined"
        );
    }
}
