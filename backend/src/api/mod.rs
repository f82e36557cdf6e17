//! HTTP: request and response types, handlers and their OpenAPI annotations, one module per
//! area. Shared here: the JSON body extractor, ETag / If-Match, pagination, the problem
//! responses every operation documents, and the OpenAPI document itself.

pub mod appeals;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod competitions;
pub mod disqualifications;
pub mod draw;
pub mod events;
pub mod health;
pub mod judging;
pub mod logging;
pub mod metrics;
pub mod organisations;
pub mod persons;
pub mod reference;
pub mod registrations;
pub mod reopen;
pub mod results;
pub mod roster;
pub mod schemes;
pub mod settings;
pub mod statistics;
pub mod trades;
pub mod users;

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::Violation;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::idempotency::{Once, Retry};
use crate::AppState;

/// Registers every `/api/v1` operation. The router tries paths with parameters in this order, so
/// the busiest come first: public results, mark sheets, sign-up, competitions.
pub fn configure(cfg: &mut ServiceConfig) {
    results::configure(cfg);
    judging::configure(cfg);
    reopen::configure(cfg);
    disqualifications::configure(cfg);
    registrations::configure(cfg);
    competitions::configure(cfg);
    auth::configure(cfg);
    organisations::configure(cfg);
    persons::configure(cfg);
    users::configure(cfg);
    audit::configure(cfg);
    reference::configure(cfg);
    trades::configure(cfg);
    events::configure(cfg);
    roster::configure(cfg);
    settings::configure(cfg);
    draw::configure(cfg);
    schemes::configure(cfg);
    appeals::configure(cfg);
    awards::configure(cfg);
    statistics::configure(cfg);
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "skillcomp API",
        description = "Tiered workers' vocational skills competitions (职工职业技能大赛): organisations, \
accounts, competitions, registration, judging, results and awards. Errors are RFC 9457 \
application/problem+json with a stable `code`.",
        license(name = "MIT")
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem, Violation)),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Sign-up, login, tokens and the current user"),
        (name = "organisations", description = "The organisation tree (national → enterprise)"),
        (name = "persons", description = "People's profiles and skill credentials"),
        (name = "users", description = "Staff accounts and role grants"),
        (name = "audit", description = "The hash-chained audit trail"),
        (name = "competitions", description = "Trades, competitions across the tiers, events, sessions and technical documents"),
        (name = "reference", description = "Reference data"),
        (name = "judging", description = "Marking schemes, judges' sheets by anonymised station, spread flags, sign-off, re-opening, review and decryption"),
        (name = "results", description = "Result sets computed from the marks, verification, publicity and final results"),
        (name = "statistics", description = "The plan dashboard: counts per year, region, tier, category and trade, and progress against plan targets"),
        (name = "awards", description = "Prizes, titles, honour recommendations and skill-level promotions: proposals, certification, publicity, certificates and their public verification"),
        (name = "registration", description = "Sign-up, eligibility, review, roster publicity, draw, tickets and check-in"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The problem responses an operation may give; every operation lists them.
#[allow(dead_code)]
#[derive(utoipa::IntoResponses)]
pub enum ProblemResponses {
    /// Malformed JSON, query or path parameter.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Not logged in, or the token is invalid or expired.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// Logged in, but not allowed to do this.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such thing, or not visible to the caller.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The action conflicts with the current state (duplicate, wrong lifecycle state).
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The If-Match version is stale: someone else changed the record.
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
    /// The body is larger than allowed.
    #[response(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Problem),
    /// The body is not JSON.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Fields break the rules; `errors` names each.
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
    /// If-Match is required for this update.
    #[response(status = 428, content_type = "application/problem+json")]
    PreconditionRequired(Problem),
    /// Too many requests; see Retry-After.
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
    /// The database is momentarily unavailable; see Retry-After.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// A JSON request body: `Content-Type: application/json`, within the size limit, no unknown
/// fields (request types deny them), and errors that name the offending field.
pub struct JsonBody<T>(pub T);

fn is_json_content_type(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the request body is larger than {limit} bytes"),
    )
}

/// An uploaded file's bytes, read only when the service awaits them — after it has authorised the
/// caller and loaded what the file is for — and never beyond the body limit (413).
pub fn upload(req: &HttpRequest, payload: web::Payload) -> impl std::future::Future<Output = ApiResult<Vec<u8>>> {
    let limit = req.app_data::<web::Data<AppState>>().map(|s| s.settings.json_limit).unwrap_or(256 * 1024);
    let declared_length =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    async move {
        if declared_length.is_some_and(|len| len > limit) {
            return Err(too_large(limit));
        }
        match payload.to_bytes_limited(limit).await {
            Err(_) => Err(too_large(limit)),
            Ok(Err(e)) => {
                Err(ApiError::bad_request("unreadable_body", format!("the request body could not be read: {e}")))
            }
            Ok(Ok(bytes)) => Ok(bytes.to_vec()),
        }
    }
}

/// The request's `Content-Type`, as sent.
/// A `Content-Disposition` for a download: an ASCII name for old clients and the Chinese name
/// people file it under (RFC 6266 / 5987), e.g. `attachment("roster.xlsx", "公示名单.xlsx")`.
pub fn attachment(ascii: &str, name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub fn content_type(req: &HttpRequest) -> String {
    req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// A JSON body with its raw bytes (for request fingerprints, e.g. idempotency keys).
pub struct JsonWithBytes<T> {
    pub value: T,
    pub bytes: web::Bytes,
}

/// Reads a JSON body: content type, declared and actual size, then the bytes.
fn read_json_bytes(req: &HttpRequest, payload: &mut Payload) -> LocalBoxFuture<'static, Result<web::Bytes, ApiError>> {
    let limit = req.app_data::<web::Data<AppState>>().map(|s| s.settings.json_limit).unwrap_or(256 * 1024);
    let declared_length =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    let json = is_json_content_type(req);
    let body = web::Bytes::from_request(req, payload);
    Box::pin(async move {
        if declared_length.is_some_and(|len| len > limit) {
            return Err(too_large(limit));
        }
        if !json {
            return Err(ApiError::new(
                actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = body.await.map_err(|e| {
            if e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
                too_large(limit)
            } else {
                ApiError::bad_request("unreadable_body", format!("the request body could not be read: {e}"))
            }
        })?;
        if bytes.len() > limit {
            return Err(too_large(limit));
        }
        Ok(bytes)
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = read_json_bytes(req, payload);
        Box::pin(async move { parse_json(&bytes.await?).map(JsonBody) })
    }
}

/// A JSON body that may be left out: a request with no body at all (no content type, no length
/// or length 0), or the body `null`, reads as the defaults; any other body is read as `JsonBody`
/// reads it. Documented as `request_body = Option<T>`.
pub struct JsonOrDefault<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for JsonOrDefault<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).map(str::trim);
        let no_body = !headers.contains_key(header::CONTENT_TYPE)
            && !headers.contains_key(header::TRANSFER_ENCODING)
            && matches!(length, None | Some("0"));
        if no_body {
            return Box::pin(async { Ok(JsonOrDefault(T::default())) });
        }
        let bytes = read_json_bytes(req, payload);
        Box::pin(async move {
            let value: Option<T> = parse_json(&bytes.await?)?;
            Ok(JsonOrDefault(value.unwrap_or_default()))
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonWithBytes<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = read_json_bytes(req, payload);
        Box::pin(async move {
            let bytes = bytes.await?;
            Ok(JsonWithBytes { value: parse_json(&bytes)?, bytes })
        })
    }
}

/// Parses JSON, naming the field of the first error (`person.birth_date`, `items[2].value`).
/// Every request body is a JSON object (serde would otherwise also read a struct from an array).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b != b'{')
        && serde_json::from_slice::<serde_json::Value>(bytes).is_ok()
    {
        return Err(ApiError::field("body", "invalid_type", "the body must be a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let err = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => {
            return match de.end() {
                Ok(()) => Ok(value),
                Err(e) => Err(ApiError::bad_request(
                    "malformed_json",
                    format!("the body is not valid JSON: {}", strip_position(&e.to_string())),
                )),
            }
        }
        Err(err) => err,
    };
    let path = err.path().to_string();
    let inner = err.into_inner();
    let message = strip_position(&inner.to_string());
    if !matches!(inner.classify(), serde_json::error::Category::Data) {
        return Err(ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {message}")));
    }
    // serde_path_to_error's path already ends at an unknown field, but stops at the parent of a
    // missing one.
    let named = |prefix: &str| {
        message.strip_prefix(prefix).and_then(|rest| rest.split('`').next()).map(|name| {
            if path == name || path.ends_with(&format!(".{name}")) {
                path.clone()
            } else {
                join_path(&path, name)
            }
        })
    };
    let (field, code) = if let Some(field) = named("unknown field `") {
        (field, "unknown_field")
    } else if let Some(field) = named("missing field `") {
        (field, "missing_field")
    } else if message.starts_with("invalid type") {
        (join_path(&path, ""), "invalid_type")
    } else {
        (join_path(&path, ""), "invalid_value")
    };
    Err(ApiError::validation(vec![Violation::new(&field, code, message)]))
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn join_path(path: &str, name: &str) -> String {
    match (path == "." || path.is_empty(), name.is_empty()) {
        (true, true) => "body".to_string(),
        (true, false) => name.to_string(),
        (false, true) => path.to_string(),
        (false, false) => format!("{path}.{name}"),
    }
}

/// The version the client last read, from `If-Match` (required for updates).
pub fn if_match_version(req: &HttpRequest) -> ApiResult<i32> {
    let value = req.headers().get(header::IF_MATCH).ok_or_else(ApiError::precondition_required)?;
    parse_etag(value)
        .ok_or_else(|| ApiError::bad_request("invalid_if_match", "If-Match must be the ETag you read, e.g. \"3\""))
}

/// The version in `If-Match` when the client sent one (for actions where it is optional).
pub fn optional_if_match(req: &HttpRequest) -> ApiResult<Option<i32>> {
    req.headers().contains_key(header::IF_MATCH).then(|| if_match_version(req)).transpose()
}

fn parse_etag(value: &HeaderValue) -> Option<i32> {
    let text = value.to_str().ok()?.trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
}

/// `?limit=&cursor=`: pages in a stable order; the cursor is the last id of the previous page.
pub use crate::service::audit::{record, record_as};

pub use crate::service::check_version;
pub use crate::wire::{double_option, etag, parse_id, split_page, utc, PageParams};

/// What makes a write safe to retry: the `Idempotency-Key` header (1 to 200 visible ASCII
/// characters; none, and every request does the work) and a hash of the request it came with
/// (`what`, e.g. `POST /events/{id}/registrations`, and the body as sent).
pub fn retry_of(req: &HttpRequest, what: &str, body: &[u8]) -> ApiResult<Retry> {
    let key = match req.headers().get("Idempotency-Key") {
        None => None,
        Some(v) => {
            let key = v.to_str().unwrap_or_default().trim();
            if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(ApiError::bad_request(
                    "invalid_idempotency_key",
                    "Idempotency-Key is 1 to 200 visible ASCII characters",
                ));
            }
            Some(key.to_string())
        }
    };
    let request_hash = crate::auth::sha256_hex(&format!("{what}\n{}", String::from_utf8_lossy(body)));
    Ok(Retry { key, request_hash })
}

/// Answers a keyed write (see `service::idempotency`): the work's body with `status`, or the
/// answer kept from the first request with this key, marked `Idempotent-Replayed`.
pub fn replayable(status: actix_web::http::StatusCode, once: Once) -> actix_web::HttpResponse {
    match once {
        Once::Done(body) => actix_web::HttpResponse::build(status).content_type("application/json").body(body),
        Once::Replayed { status: kept, body } => {
            actix_web::HttpResponse::build(actix_web::http::StatusCode::from_u16(kept).unwrap_or(status))
                .content_type("application/json")
                .insert_header(("Idempotent-Replayed", "true"))
                .body(body)
        }
    }
}

/// Error handlers for actix's own extractors, so they too answer with problem+json.
pub fn extractor_configs(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::QueryConfig::default()
            .error_handler(|err, _| ApiError::bad_request("invalid_query", strip_position(&err.to_string())).into()),
    )
    .app_data(
        web::PathConfig::default()
            .error_handler(|err, _| ApiError::bad_request("invalid_path_parameter", err.to_string()).into()),
    )
    .app_data(
        web::JsonConfig::default()
            .error_handler(|err, _| ApiError::bad_request("malformed_json", strip_position(&err.to_string())).into()),
    );
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        level: i32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        items: Vec<Inner>,
    }

    fn field_and_code(body: &str) -> (u16, String, String) {
        let err = parse_json::<Outer>(body.as_bytes()).unwrap_err();
        let first = err.errors.first().cloned().unwrap_or_else(|| Violation::new("", err.code, ""));
        (err.status.as_u16(), first.field, first.code)
    }

    #[test]
    fn json_errors_name_the_field() {
        assert_eq!(
            field_and_code(r#"{"name":"a","items":[{"level":"x"}]}"#),
            (422, "items[0].level".into(), "invalid_type".into())
        );
        assert_eq!(
            field_and_code(r#"{"name":"a","items":[],"extra":1}"#),
            (422, "extra".into(), "unknown_field".into())
        );
        assert_eq!(field_and_code(r#"{"items":[]}"#), (422, "name".into(), "missing_field".into()));
        assert_eq!(
            field_and_code(r#"{"name":"a","items":[{"level":1,"x":2}]}"#),
            (422, "items[0].x".into(), "unknown_field".into())
        );
        assert_eq!(field_and_code(r#"{"name":"a""#).0, 400);
        assert_eq!(field_and_code(r#"{"name":"a","items":[]} trailing"#).0, 400);
        assert_eq!(field_and_code("[]"), (422, "body".into(), "invalid_type".into()));
        assert_eq!(field_and_code(r#"["a", []]"#), (422, "body".into(), "invalid_type".into()));
        assert_eq!(field_and_code("5"), (422, "body".into(), "invalid_type".into()));
    }

    #[test]
    fn etags_round_trip_and_weak_ones_are_accepted() {
        assert_eq!(parse_etag(&HeaderValue::from_static("\"7\"")), Some(7));
        assert_eq!(parse_etag(&HeaderValue::from_static("W/\"7\"")), Some(7));
        assert_eq!(parse_etag(&HeaderValue::from_static("7")), None);
        assert_eq!(etag(7), "\"7\"");
    }
}
