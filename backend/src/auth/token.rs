//! Access tokens: short-lived JWTs signed with HS256, issuer, audience and expiry checked, the
//! algorithm pinned. The crypto provider below can do HS256 and nothing else, so no other
//! algorithm can be accepted even by mistake, and no RSA code is linked in.

use std::sync::Once;
use std::time::Duration;

use hmac::{Hmac, Mac};
use jsonwebtoken::crypto::{CryptoProvider, JwkUtils, JwtSigner, JwtVerifier};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::clock::Clock;
use crate::error::ApiError;

pub const ISSUER: &str = "skillcomp";
pub const AUDIENCE: &str = "skillcomp-api";

struct Hs256(Hmac<Sha256>);

impl signature::Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        let mut mac = self.0.clone();
        mac.update(msg);
        Ok(mac.finalize().into_bytes().to_vec())
    }
}

impl signature::Verifier<Vec<u8>> for Hs256 {
    fn verify(&self, msg: &[u8], sig: &Vec<u8>) -> Result<(), signature::Error> {
        let mut mac = self.0.clone();
        mac.update(msg);
        mac.verify_slice(sig).map_err(signature::Error::from_source)
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

fn hs256(alg: &Algorithm, secret: jsonwebtoken::errors::Result<&[u8]>) -> jsonwebtoken::errors::Result<Hs256> {
    if *alg != Algorithm::HS256 {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    Hmac::<Sha256>::new_from_slice(secret?).map(Hs256).map_err(|_| ErrorKind::InvalidKeyFormat.into())
}

static HS256_ONLY: CryptoProvider = CryptoProvider {
    signer_factory: |alg, key| Ok(Box::new(hs256(alg, key.try_get_hmac_secret())?)),
    verifier_factory: |alg, key| Ok(Box::new(hs256(alg, key.try_get_hmac_secret())?)),
    jwk_utils: JwkUtils::new_unimplemented(),
};

fn install_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = HS256_ONLY.install_default();
    });
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The session (refresh-token family) the token was issued in: ending the session ends the
    /// token at once, not when it expires.
    pub sid: String,
}

#[derive(Clone)]
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Expiry is read against the server's clock, not the library's own (so a server whose clock
    /// is set, in a test, issues and accepts tokens by the same time).
    clock: Clock,
}

/// Seconds of grace for a token's expiry (clock skew between nodes).
const LEEWAY_SECONDS: i64 = 5;

impl TokenService {
    pub fn new(secret: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> Self {
        install_provider();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_exp = false;
        TokenService {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl,
            refresh_ttl,
            clock: Clock::real(),
        }
    }

    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// A signed access token for the user in session `session_id`, valid for the access TTL.
    pub fn issue(&self, user_id: &str, session_id: &str) -> Result<String, ApiError> {
        let now = self.clock.timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iss: ISSUER.to_string(),
            aud: AUDIENCE.to_string(),
            iat: now,
            exp: now + self.access_ttl.as_secs() as i64,
            jti: uuid::Uuid::now_v7().to_string(),
            sid: session_id.to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::internal(format!("token signing failed: {e}")))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| ApiError::unauthorized("invalid_token", "the access token is not valid"))?;
        if claims.exp + LEEWAY_SECONDS < self.clock.timestamp() {
            return Err(ApiError::unauthorized("token_expired", "the access token has expired; refresh it"));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> TokenService {
        TokenService::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(60), Duration::from_secs(600))
    }

    #[test]
    fn an_issued_token_verifies_and_names_its_user() {
        let s = service();
        let token = s.issue("user-1", "s").unwrap();
        assert_eq!(s.verify(&token).unwrap().sub, "user-1");
    }

    #[test]
    fn another_key_a_tampered_token_and_alg_none_are_refused() {
        let s = service();
        let token = s.issue("user-1", "s").unwrap();
        let other =
            TokenService::new(b"another-secret-another-secret-xx", Duration::from_secs(60), Duration::from_secs(60));
        assert_eq!(other.verify(&token).unwrap_err().code, "invalid_token");
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged_payload = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"sub":"admin","iss":"skillcomp","aud":"skillcomp-api","iat":0,"exp":9999999999,"jti":"x","sid":"s"}"#,
        );
        parts[1] = &forged_payload;
        assert!(s.verify(&parts.join(".")).is_err());
        let none_header =
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, br#"{"alg":"none","typ":"JWT"}"#);
        assert!(s.verify(&format!("{none_header}.{}.", forged_payload)).is_err());
    }

    #[test]
    fn an_expired_token_says_so() {
        let s = TokenService::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(0), Duration::from_secs(0));
        let mut claims_token = s.issue("u", "s").unwrap();
        // Re-sign a token that expired a minute ago (beyond the leeway).
        let now = s.clock.timestamp();
        let claims = Claims {
            sub: "u".into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now - 120,
            exp: now - 60,
            jti: "j".into(),
            sid: "s".into(),
        };
        claims_token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &s.encoding).unwrap_or(claims_token);
        assert_eq!(s.verify(&claims_token).unwrap_err().code, "token_expired");
    }

    #[test]
    fn expiry_follows_the_servers_clock() {
        let clock = Clock::real();
        let s = service().with_clock(clock.clone());
        let token = s.issue("u", "s").unwrap();
        clock.advance(chrono::Duration::seconds(30));
        assert!(s.verify(&token).is_ok(), "still inside its minute");
        clock.advance(chrono::Duration::seconds(60));
        assert_eq!(s.verify(&token).unwrap_err().code, "token_expired");
        // A server whose clock was set years ahead issues tokens it accepts.
        let ahead = Clock::starting_at(chrono::Utc::now() + chrono::Duration::days(700));
        let s = service().with_clock(ahead);
        assert!(s.verify(&s.issue("u", "s").unwrap()).is_ok());
    }
}
