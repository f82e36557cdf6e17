//! Who is calling and what they may do: passwords, tokens, the request extractor, the policy.

pub mod actor;
pub mod hashing;
pub mod password;
pub mod policy;
pub mod rate_limit;
pub mod token;

pub use actor::{Actor, Grant};

use base64::Engine;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// `bytes` of OS randomness, base64url without padding: refresh tokens, generated secrets.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// SHA-256 hex of a secret; refresh tokens are stored only in this form.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}
