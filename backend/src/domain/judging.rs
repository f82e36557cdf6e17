//! The states of what judges write: a mark, a spread flag, a section's sign-off.

crate::string_enum! {
    /// A mark's state: entered, held by a spread flag, signed with its section by the judge,
    /// locked when the section is confirmed (re-opened only with the chief judge and a supervisor).
    pub enum MarkStatus {
        Submitted = "submitted",
        Flagged = "flagged",
        Signed = "signed",
        Locked = "locked",
    }
}

impl MarkStatus {
    /// Signed and locked marks are no longer the judge's to change.
    pub fn is_final(self) -> bool {
        matches!(self, MarkStatus::Signed | MarkStatus::Locked)
    }
}

crate::string_enum! {
    /// A judgement aspect's judges further apart than the spread limit: open until the chief
    /// judge reconciles it, or asks the judges to mark again.
    pub enum FlagStatus {
        Open = "open",
        RescoreRequested = "rescore_requested",
        Reconciled = "reconciled",
    }
}

crate::string_enum! {
    /// Who signed a section: each judge their own sheet, then the chief judge the section.
    pub enum SignoffKind {
        Judge = "judge",
        Chief = "chief",
    }
}

crate::string_enum! {
    /// A review sample's state (复核): waiting, checked, or a discrepancy found (with a note).
    pub enum SampleStatus {
        Pending = "pending",
        Checked = "checked",
        Discrepancy = "discrepancy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_signed_and_locked_marks_are_final() {
        assert!(MarkStatus::Signed.is_final() && MarkStatus::Locked.is_final());
        assert!(!MarkStatus::Submitted.is_final() && !MarkStatus::Flagged.is_final());
        assert_eq!(MarkStatus::parse("rescore_requested"), None);
        assert_eq!(FlagStatus::parse("rescore_requested"), Some(FlagStatus::RescoreRequested));
    }
}
