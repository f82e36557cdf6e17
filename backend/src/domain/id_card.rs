//! Resident identity card numbers (居民身份证号码), GB 11643-1999: 6-digit region code, 8-digit
//! birth date, 3-digit sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check
//! character. Birth date and gender are derived from the number, never typed twice.

use chrono::{Datelike, NaiveDate};

use super::person::Gender;

/// A validated 18-character number with what it tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCard {
    /// Normalised: 17 digits and a check character `0`–`9` or upper-case `X`.
    pub number: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdCardError {
    Length,
    Characters,
    Province,
    BirthDate,
    CheckDigit,
}

impl IdCardError {
    pub fn code(self) -> &'static str {
        match self {
            IdCardError::Length => "id_number_length",
            IdCardError::Characters => "id_number_characters",
            IdCardError::Province => "id_number_region",
            IdCardError::BirthDate => "id_number_birth_date",
            IdCardError::CheckDigit => "id_number_check_digit",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            IdCardError::Length => "an ID card number has 18 characters (15-digit numbers are no longer valid)",
            IdCardError::Characters => "an ID card number is 17 digits followed by a digit or X",
            IdCardError::Province => "the first two digits are not a province-level region code",
            IdCardError::BirthDate => "the birth date inside the number (digits 7–14) is not a real past date",
            IdCardError::CheckDigit => "the check character does not match: the number has a typing error",
        }
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Province-level codes of GB/T 2260 (first two digits), including Taiwan, Hong Kong and Macao,
/// whose residents' permits use 83, 81 and 82.
const PROVINCE_PREFIXES: [u32; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82, 83,
];

/// The check character for the first 17 digits.
pub fn check_char(first17: &[u32; 17]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// Validates a number as typed (surrounding spaces and a lower-case x are accepted).
pub fn parse_id_card(input: &str, today: NaiveDate) -> Result<IdCard, IdCardError> {
    let number: String = input.trim().to_uppercase();
    if number.chars().count() != 18 {
        return Err(IdCardError::Length);
    }
    let chars: Vec<char> = number.chars().collect();
    let mut digits = [0u32; 17];
    for (i, c) in chars[..17].iter().enumerate() {
        digits[i] = c.to_digit(10).ok_or(IdCardError::Characters)?;
    }
    if !(chars[17].is_ascii_digit() || chars[17] == 'X') {
        return Err(IdCardError::Characters);
    }
    let province = digits[0] * 10 + digits[1];
    if !PROVINCE_PREFIXES.contains(&province) {
        return Err(IdCardError::Province);
    }
    let number_at = |from: usize, to: usize| digits[from..to].iter().fold(0, |acc, d| acc * 10 + d);
    let birth_date = NaiveDate::from_ymd_opt(number_at(6, 10) as i32, number_at(10, 12), number_at(12, 14))
        .filter(|d| d.year() >= 1900 && *d <= today)
        .ok_or(IdCardError::BirthDate)?;
    if check_char(&digits) != chars[17] {
        return Err(IdCardError::CheckDigit);
    }
    let gender = if digits[16] % 2 == 1 { Gender::Male } else { Gender::Female };
    Ok(IdCard { number, birth_date, gender })
}

/// The form shown to those who may not see the whole number: `5301**********1234`.
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let (head, tail) = (&chars[..4], &chars[chars.len() - 4..]);
    format!("{}{}{}", head.iter().collect::<String>(), "*".repeat(chars.len() - 8), tail.iter().collect::<String>())
}

/// Age in whole years on a given day (the rule for "age on the competition date").
pub fn age_on(birth_date: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth_date.year();
    if (day.month(), day.day()) < (birth_date.month(), birth_date.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
pub mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    /// Builds a valid number for tests from region, birth date and sequence.
    pub fn make_id(region: &str, birth: &str, seq: &str) -> String {
        let first17 = format!("{region}{birth}{seq}");
        let mut digits = [0u32; 17];
        for (i, c) in first17.chars().enumerate() {
            digits[i] = c.to_digit(10).unwrap();
        }
        format!("{first17}{}", check_char(&digits))
    }

    #[test]
    fn the_published_sample_number_is_valid_and_tells_birth_date_and_gender() {
        // The worked example of GB 11643-1999: 11010519491231002X, a woman born 1949-12-31.
        let card = parse_id_card("11010519491231002x", today()).unwrap();
        assert_eq!(card.number, "11010519491231002X");
        assert_eq!(card.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(card.gender, Gender::Female);
    }

    #[test]
    fn a_kunming_man_is_recognised() {
        let id = make_id("530102", "19900315", "123");
        let card = parse_id_card(&id, today()).unwrap();
        assert_eq!(card.gender, Gender::Male);
        assert_eq!(card.birth_date, NaiveDate::from_ymd_opt(1990, 3, 15).unwrap());
    }

    #[test]
    fn residence_permits_of_hong_kong_macao_and_taiwan_residents_are_valid() {
        for region in ["810000", "820000", "830000"] {
            assert!(parse_id_card(&make_id(region, "19900315", "123"), today()).is_ok(), "{region}");
        }
    }

    #[test]
    fn one_wrong_digit_fails_the_check_character() {
        let id = make_id("530102", "19900315", "123");
        let typo = format!("53010319900315123{}", &id[17..]);
        assert_eq!(parse_id_card(&typo, today()), Err(IdCardError::CheckDigit));
    }

    #[test]
    fn wrong_length_letters_region_and_dates_are_named() {
        assert_eq!(parse_id_card("530102199003151", today()), Err(IdCardError::Length));
        assert_eq!(parse_id_card("53010219900315A234", today()), Err(IdCardError::Characters));
        assert_eq!(parse_id_card("53010219900315123Y", today()), Err(IdCardError::Characters));
        assert_eq!(parse_id_card(&make_id("990102", "19900315", "123"), today()), Err(IdCardError::Province));
        assert_eq!(parse_id_card(&make_id("530102", "19900231", "123"), today()), Err(IdCardError::BirthDate));
        assert_eq!(parse_id_card(&make_id("530102", "20300101", "123"), today()), Err(IdCardError::BirthDate));
        assert_eq!(parse_id_card(&make_id("530102", "18990101", "123"), today()), Err(IdCardError::BirthDate));
        assert_eq!(parse_id_card("", today()), Err(IdCardError::Length));
        assert_eq!(parse_id_card("５３０１０２１９９０", today()), Err(IdCardError::Length));
    }

    #[test]
    fn masking_keeps_region_prefix_and_last_four() {
        assert_eq!(mask_id_number("11010519491231002X"), "1101**********002X");
        assert_eq!(mask_id_number("123"), "***");
    }

    #[test]
    fn age_counts_completed_years_on_the_day() {
        let birth = NaiveDate::from_ymd_opt(1990, 3, 15).unwrap();
        assert_eq!(age_on(birth, NaiveDate::from_ymd_opt(2026, 3, 14).unwrap()), 35);
        assert_eq!(age_on(birth, NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()), 36);
    }
}
