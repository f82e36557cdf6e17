//! Passwords: argon2id with the OWASP parameters (19 MiB, t=2, p=1), a salt per hash.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::OsRng;

use crate::domain::Violation;

/// OWASP Password Storage Cheat Sheet, argon2id: m=19456 KiB, t=2, p=1.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A real hash of a random password: logins for unknown users verify against it, so an unknown
/// user takes as long to refuse as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password(&super::random_token(24)).unwrap_or_default())
}

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// NIST SP 800-63B style: long enough, not absurdly long, not the username, not one repeated
/// character. No composition rules.
pub fn check_password_policy(username: &str, password: &str) -> Result<(), Violation> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_CHARS {
        return Err(Violation::new(
            "password",
            "password_too_short",
            format!("at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if len > MAX_PASSWORD_CHARS {
        return Err(Violation::new(
            "password",
            "password_too_long",
            format!("at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(Violation::new("password", "password_contains_username", "must not contain the username"));
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(Violation::new("password", "password_too_simple", "must not be one character repeated"));
    }
    Ok(())
}

/// Usernames: 3–64 characters of letters, digits, `.`, `_`, `-` or `@` (a phone number or an
/// e-mail address works); compared case-insensitively.
pub fn normalise_username(username: &str) -> Result<String, Violation> {
    let name = username.trim().to_lowercase();
    let len = name.chars().count();
    if !(3..=64).contains(&len) {
        return Err(Violation::new("username", "invalid_username_length", "3 to 64 characters"));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')) {
        return Err(Violation::new("username", "invalid_username", "letters, digits and . _ - @ only"));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn weak_passwords_are_refused_with_reasons() {
        assert_eq!(check_password_policy("li", "short").unwrap_err().code, "password_too_short");
        assert_eq!(check_password_policy("liming", "xxliming2024").unwrap_err().code, "password_contains_username");
        assert_eq!(check_password_policy("li", "aaaaaaaaaaaa").unwrap_err().code, "password_too_simple");
        assert_eq!(check_password_policy("li", &"ab".repeat(65)).unwrap_err().code, "password_too_long");
        assert!(check_password_policy("liming", "云岭工匠2026年技能大赛").is_ok());
    }

    #[test]
    fn usernames_are_case_insensitive_and_plain() {
        assert_eq!(normalise_username(" Li.Ming ").unwrap(), "li.ming");
        assert_eq!(normalise_username("13812345678").unwrap(), "13812345678");
        assert!(normalise_username("李明").is_err());
        assert!(normalise_username("ab").is_err());
    }
}
