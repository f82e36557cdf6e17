//! Rules for free text: trimmed, bounded, no control characters; people's names as they are
//! written on ID cards, including minority names joined by the middle dot `·`.

use super::Violation;

/// Text for a log line: runs of six or more digits (ID numbers, phone numbers, check codes with
/// an `X`) and Chinese characters (names) are replaced by `…`, so that a database error quoting a
/// row leaves nothing personal behind.
pub fn redacted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let personal =
        |c: char| c.is_ascii_digit() || c == 'X' || c == 'x' || ('\u{3400}'..='\u{9fff}').contains(&c) || c == '·';
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.chars().filter(|c| c.is_ascii_digit()).count();
        let cjk = run.chars().any(|c| ('\u{3400}'..='\u{9fff}').contains(&c));
        if digits >= 6 || cjk {
            out.push('…');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if personal(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

fn has_control_chars(s: &str) -> bool {
    s.chars().any(|c| c.is_control())
}

/// A required single-line text: trimmed, 1..=max characters, no control characters.
pub fn required(field: &str, value: &str, max_chars: usize) -> Result<String, Violation> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Violation::new(field, "required", "must not be empty"));
    }
    check_bounds(field, trimmed, max_chars)?;
    Ok(trimmed.to_string())
}

/// An optional single-line text: blank means absent.
pub fn optional(field: &str, value: Option<&str>, max_chars: usize) -> Result<Option<String>, Violation> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            check_bounds(field, v, max_chars)?;
            Ok(Some(v.to_string()))
        }
    }
}

fn check_bounds(field: &str, value: &str, max_chars: usize) -> Result<(), Violation> {
    let len = value.chars().count();
    if len > max_chars {
        return Err(Violation::new(field, "too_long", format!("at most {max_chars} characters (got {len})")));
    }
    if has_control_chars(value) {
        return Err(Violation::new(field, "control_characters", "must not contain control characters or line breaks"));
    }
    Ok(())
}

/// Marks people type for the name separator of minority and foreign names; all mean `·` (U+00B7).
const DOT_VARIANTS: [char; 6] = ['•', '‧', '・', '･', '.', '．'];

pub const MAX_NAME_CHARS: usize = 50;

/// A person's real name: letters of any script, `·` between parts (阿卜杜拉·艾买提), and single
/// spaces for names in Latin letters. Dot variants are normalised to `·`.
pub fn person_name(field: &str, value: &str) -> Result<String, Violation> {
    let normalised: String = value.trim().chars().map(|c| if DOT_VARIANTS.contains(&c) { '·' } else { c }).collect();
    let name = normalised.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(Violation::new(field, "required", "must not be empty"));
    }
    let len = name.chars().count();
    if len > MAX_NAME_CHARS {
        return Err(Violation::new(field, "too_long", format!("at most {MAX_NAME_CHARS} characters (got {len})")));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_alphabetic() || *c == '·' || *c == ' ')) {
        return Err(Violation::new(field, "invalid_character", format!("'{bad}' cannot be part of a name")));
    }
    if name.starts_with('·') || name.ends_with('·') || name.contains("··") {
        return Err(Violation::new(field, "misplaced_separator", "'·' only stands between two parts of a name"));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_loses_id_numbers_phones_and_names() {
        assert_eq!(
            redacted("Key (id_number)=(53010219920315124X) already exists"),
            "Key (id_number)=(…) already exists"
        );
        assert_eq!(redacted("person 阿苏·木呷 phone 13912345678"), "person … phone …");
        assert_eq!(redacted("pool timed out after 30 s on index 2"), "pool timed out after 30 s on index 2");
    }

    #[test]
    fn han_and_minority_names_are_accepted_and_dots_normalised() {
        assert_eq!(person_name("n", " 李娜 ").unwrap(), "李娜");
        assert_eq!(person_name("n", "阿卜杜拉·艾买提").unwrap(), "阿卜杜拉·艾买提");
        assert_eq!(person_name("n", "玉苏甫江•买买提").unwrap(), "玉苏甫江·买买提");
        assert_eq!(person_name("n", "扎西．顿珠").unwrap(), "扎西·顿珠");
        assert_eq!(person_name("n", "Maria  Chen").unwrap(), "Maria Chen");
    }

    #[test]
    fn digits_symbols_and_stray_dots_are_refused_with_a_reason() {
        assert_eq!(person_name("n", "李娜2").unwrap_err().code, "invalid_character");
        assert_eq!(person_name("n", "·李娜").unwrap_err().code, "misplaced_separator");
        assert_eq!(person_name("n", "李··娜").unwrap_err().code, "misplaced_separator");
        assert_eq!(person_name("n", "   ").unwrap_err().code, "required");
        assert_eq!(person_name("n", &"李".repeat(51)).unwrap_err().code, "too_long");
    }

    #[test]
    fn free_text_is_trimmed_bounded_and_single_line() {
        assert_eq!(required("f", "  云南省总工会 ", 10).unwrap(), "云南省总工会");
        assert_eq!(required("f", "", 10).unwrap_err().code, "required");
        assert_eq!(required("f", "a\nb", 10).unwrap_err().code, "control_characters");
        assert_eq!(required("f", &"字".repeat(11), 10).unwrap_err().code, "too_long");
        assert_eq!(optional("f", Some("  "), 10).unwrap(), None);
        assert_eq!(optional("f", None, 10).unwrap(), None);
    }
}
