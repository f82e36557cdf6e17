//! A person's profile fields and skill levels.

use super::Violation;
use crate::domain::competition::Status;
use crate::domain::registration::RegistrationStatus;
use crate::string_enum;

string_enum! {
    /// As derived from the ID card number.
    pub enum Gender { Male = "male", Female = "female" }
}

string_enum! {
    /// Highest completed education (学历).
    pub enum Education {
        Primary = "primary",
        JuniorSecondary = "junior_secondary",
        SeniorSecondary = "senior_secondary",
        VocationalSecondary = "vocational_secondary",
        JuniorCollege = "junior_college",
        Bachelor = "bachelor",
        Master = "master",
        Doctorate = "doctorate",
    }
}

string_enum! {
    /// How a skill credential was obtained.
    pub enum CredentialSource { Exam = "exam", Competition = "competition", Recognition = "recognition" }
}

string_enum! {
    /// Whether a skill credential has been checked (DESIGN §9, "identity at the time"): what a
    /// person enters about themselves is a declaration until a reviewer — an organiser reviewing
    /// their registration, HRSS or a union official over their employer, an admin — has seen the
    /// certificate. Rules (minimum level, promotions) count verified credentials only.
    pub enum CredentialStatus { Declared = "declared", Verified = "verified", Rejected = "rejected" }
}

/// The status a new credential is recorded with: a reviewer's own entry is verified by them;
/// the person's entry (or their unit's import) is a declaration. Nobody verifies themselves.
pub fn recorded_status(by_reviewer: bool, by_the_person: bool) -> CredentialStatus {
    if by_reviewer && !by_the_person {
        CredentialStatus::Verified
    } else {
        CredentialStatus::Declared
    }
}

/// A reviewer's verdict on a credential: a declared one is verified, or rejected with a reason.
/// A verified credential can still be rejected (a forged certificate found later); a rejected one
/// stays rejected — the person declares it again with the right details.
pub fn review_credential(
    current: CredentialStatus,
    verify: bool,
    reason: Option<&str>,
) -> Result<CredentialStatus, Violation> {
    use CredentialStatus::*;
    match (current, verify) {
        (Declared, true) => Ok(Verified),
        (Verified, true) => Err(Violation::new("status", "already_verified", "the credential is verified already")),
        (Rejected, _) => Err(Violation::new(
            "status",
            "credential_rejected",
            "the credential was rejected; the person declares it again with the right details",
        )),
        (Declared | Verified, false) => match reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(_) => Ok(Rejected),
            None => Err(Violation::new("reason", "required", "say why the credential is rejected")),
        },
    }
}

/// The best (smallest) level among credentials of each standing: what rules may count
/// (`verified`) and what only a declaration claims (`declared`). Rejected ones count for nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeldLevels {
    pub verified: Option<i32>,
    pub declared: Option<i32>,
}

pub fn held_levels(credentials: impl IntoIterator<Item = (i32, CredentialStatus)>) -> HeldLevels {
    let mut held = HeldLevels::default();
    for (level, status) in credentials {
        let slot = match status {
            CredentialStatus::Verified => &mut held.verified,
            CredentialStatus::Declared => &mut held.declared,
            CredentialStatus::Rejected => continue,
        };
        *slot = Some(slot.map_or(level, |best: i32| best.min(level)));
    }
    held
}

/// A name as public notices show it (公示): the first and last characters, the rest starred, the
/// separator of minority names (`·`) kept: 李*娜, 王*, 阿*·*呷.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 | 1 => name.to_string(),
        2 => format!("{}*", chars[0]),
        n => chars.iter().enumerate().map(|(i, c)| if i == 0 || i == n - 1 || *c == '·' { *c } else { '*' }).collect(),
    }
}

/// The Chinese name of a skill level.
pub fn level_name(level: i32) -> &'static str {
    SKILL_LEVELS.iter().find(|(l, _)| *l == level).map(|(_, n)| *n).unwrap_or("")
}

/// National vocational skill levels: 5 is 初级工, 1 is 高级技师 (a smaller number is higher).
pub const SKILL_LEVELS: [(i32, &str); 5] = [(5, "初级工"), (4, "中级工"), (3, "高级工"), (2, "技师"), (1, "高级技师")];

pub fn check_skill_level(field: &str, level: i32) -> Result<i32, Violation> {
    if (1..=5).contains(&level) {
        Ok(level)
    } else {
        Err(Violation::new(field, "out_of_range", "a skill level is 5 (初级工) to 1 (高级技师)"))
    }
}

/// A mainland mobile number (11 digits starting 1[3-9]) or a landline with area code
/// (`0871-12345678`, extension after a second dash allowed).
pub fn check_phone(field: &str, phone: &str) -> Result<String, Violation> {
    let phone = phone.trim();
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    let only_digits_and_dashes = phone.chars().all(|c| c.is_ascii_digit() || c == '-');
    let mobile =
        phone.len() == 11 && digits.len() == 11 && phone.starts_with('1') && matches!(phone.as_bytes()[1], b'3'..=b'9');
    let landline =
        only_digits_and_dashes && phone.starts_with('0') && phone.contains('-') && (10..=16).contains(&digits.len());
    if mobile || landline {
        Ok(phone.to_string())
    } else {
        Err(Violation::new(
            field,
            "invalid_phone",
            "a mobile number of 11 digits (13x–19x) or a landline with area code, e.g. 0871-12345678",
        ))
    }
}

/// The 56 officially recognised ethnic groups (民族), as written on ID cards.
pub const ETHNIC_GROUPS: [&str; 56] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
];

/// An ethnic group by its name, with or without the trailing 族 (彝 → 彝族).
pub fn check_ethnicity(field: &str, value: &str) -> Result<String, Violation> {
    let value = value.trim();
    let full = if value.ends_with('族') { value.to_string() } else { format!("{value}族") };
    if ETHNIC_GROUPS.contains(&full.as_str()) {
        Ok(full)
    } else {
        Err(Violation::new(field, "unknown_ethnicity", "one of the 56 ethnic groups, e.g. 汉族, 彝族, 傣族"))
    }
}

string_enum! {
    /// An identity correction's state: asked, then approved (applied) or declined.
    pub enum CorrectionStatus { Pending = "pending", Approved = "approved", Declined = "declined" }
}

/// The fields that say who a person is. Once the person is entered in a competition still under
/// way, they change only by a correction an organiser approves (`identity_locked`).
pub const IDENTITY_FIELDS: [&str; 3] = ["full_name", "id_number", "employer_org_id"];

/// Which identity fields differ between what is stored and what is asked for.
pub fn identity_changes(stored: (&str, &str, Option<&str>), asked: (&str, &str, Option<&str>)) -> Vec<&'static str> {
    let [name, number, employer] = IDENTITY_FIELDS;
    let mut changed = Vec::new();
    if stored.0 != asked.0 {
        changed.push(name);
    }
    if stored.1 != asked.1 {
        changed.push(number);
    }
    if stored.2 != asked.2 {
        changed.push(employer);
    }
    changed
}

/// Whether a person's name, ID number and employer are locked: some registration of theirs (as
/// entrant or team member) still stands in a competition that is not over. A withdrawn, rejected
/// or replaced entry holds nothing; an archived or cancelled competition is over — what it
/// decided keeps the identity it recorded (registrations and awards carry their own copy).
pub fn identity_locked(holds: impl IntoIterator<Item = (RegistrationStatus, Status)>) -> bool {
    holds.into_iter().any(|(registration, competition)| {
        !matches!(
            registration,
            RegistrationStatus::Withdrawn | RegistrationStatus::Rejected | RegistrationStatus::Replaced
        ) && !matches!(competition, Status::Archived | Status::Cancelled)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn identity_is_locked_while_an_entry_stands_in_a_competition_under_way() {
        use super::{identity_locked, RegistrationStatus as R, Status as S};
        assert!(!identity_locked([]), "never entered");
        assert!(identity_locked([(R::Submitted, S::RegistrationOpen)]), "entered, awaiting review");
        assert!(identity_locked([(R::Competed, S::ResultsPublicity)]), "results under 公示");
        assert!(identity_locked([(R::Competed, S::AwardsCertified)]), "awards being issued");
        assert!(!identity_locked([(R::Withdrawn, S::RegistrationOpen), (R::Rejected, S::Running)]));
        assert!(!identity_locked([(R::Replaced, S::Running)]));
        assert!(!identity_locked([(R::Competed, S::Archived), (R::Admitted, S::Cancelled)]), "all over");
        assert!(identity_locked([(R::Competed, S::Archived), (R::Reserve, S::RosterPublicity)]));
    }

    #[test]
    fn identity_changes_name_the_fields() {
        let stored = ("李娜", "530102199001011234", Some("org-1"));
        assert!(super::identity_changes(stored, stored).is_empty());
        assert_eq!(
            super::identity_changes(stored, ("张冒名", "530102199001011234", None)),
            ["full_name", "employer_org_id"]
        );
        assert_eq!(super::identity_changes(stored, ("李娜", "53010219900101123X", Some("org-1"))), ["id_number"]);
    }

    #[test]
    fn ethnic_groups_are_recognised_with_or_without_the_suffix() {
        assert_eq!(check_ethnicity("e", "彝").unwrap(), "彝族");
        assert_eq!(check_ethnicity("e", "哈尼族").unwrap(), "哈尼族");
        assert!(check_ethnicity("e", "火星族").is_err());
        assert_eq!(ETHNIC_GROUPS.len(), 56);
    }

    use super::*;

    #[test]
    fn names_are_masked_for_public_notices() {
        assert_eq!(mask_name("李娜"), "李*");
        assert_eq!(mask_name("岩温香"), "岩*香");
        assert_eq!(mask_name("阿苏·木呷"), "阿*·*呷");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(level_name(2), "技师");
    }

    #[test]
    fn mobile_and_landline_numbers_pass_others_fail() {
        assert!(check_phone("p", "13812345678").is_ok());
        assert!(check_phone("p", "0871-63123456").is_ok());
        assert!(check_phone("p", "0871-63123456-802").is_ok());
        assert!(check_phone("p", "12812345678").is_err());
        assert!(check_phone("p", "1381234567").is_err());
        assert!(check_phone("p", "+86 138 1234 5678").is_err());
        assert!(check_phone("p", "电话").is_err());
    }

    #[test]
    fn skill_levels_run_from_five_to_one() {
        assert!(check_skill_level("l", 5).is_ok());
        assert!(check_skill_level("l", 1).is_ok());
        assert!(check_skill_level("l", 0).is_err());
        assert!(check_skill_level("l", 6).is_err());
    }

    #[test]
    fn what_a_person_enters_is_a_declaration_and_a_reviewer_verifies_it() {
        assert_eq!(recorded_status(false, true), CredentialStatus::Declared);
        // An organiser entering their own certificate is still declaring it.
        assert_eq!(recorded_status(true, true), CredentialStatus::Declared);
        assert_eq!(recorded_status(true, false), CredentialStatus::Verified);
        assert_eq!(review_credential(CredentialStatus::Declared, true, None), Ok(CredentialStatus::Verified));
        assert_eq!(
            review_credential(CredentialStatus::Declared, false, Some("证书编号查无此证")),
            Ok(CredentialStatus::Rejected)
        );
        assert_eq!(review_credential(CredentialStatus::Declared, false, Some("  ")).unwrap_err().code, "required");
        assert_eq!(review_credential(CredentialStatus::Verified, true, None).unwrap_err().code, "already_verified");
        assert_eq!(
            review_credential(CredentialStatus::Verified, false, Some("forged")),
            Ok(CredentialStatus::Rejected)
        );
        assert_eq!(review_credential(CredentialStatus::Rejected, true, None).unwrap_err().code, "credential_rejected");
    }

    #[test]
    fn only_verified_levels_count_and_rejected_ones_not_at_all() {
        use CredentialStatus::*;
        let held = held_levels([(3, Verified), (1, Declared), (2, Rejected), (4, Verified), (2, Declared)]);
        assert_eq!(held, HeldLevels { verified: Some(3), declared: Some(1) });
        assert_eq!(held_levels([]), HeldLevels::default());
    }
}
