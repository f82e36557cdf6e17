//! One error type for the whole API, rendered as RFC 9457 `application/problem+json` with a
//! stable machine `code` (the SPA translates codes, never messages) and, for validation, the
//! list of fields that are wrong.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Violation;

/// A problem document (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:skillcomp:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `validation_failed`, `registration_closed`.
    pub code: String,
    /// Field-level reasons, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Violation>,
    /// What else the client needs to act (e.g. the transitions allowed from the current state).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub extra: Option<serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub errors: Vec<Violation>,
    pub extra: Option<serde_json::Value>,
    /// Seconds for a `Retry-After` header (429, 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status, code, detail: detail.into(), errors: Vec::new(), extra: None, retry_after: None }
    }

    pub fn with_extra(mut self, extra: serde_json::Value) -> Self {
        self.extra = Some(extra);
        self
    }

    /// 422: the request was well-formed but some fields break the rules.
    pub fn validation(errors: Vec<Violation>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        ApiError { errors, ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", detail) }
    }

    /// 422 with a code of its own: the request is well-formed, but the rules refuse it for
    /// `reasons` (e.g. `not_eligible`).
    pub fn refused(code: &'static str, detail: impl Into<String>, reasons: Vec<Violation>) -> Self {
        ApiError { errors: reasons, ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail) }
    }

    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![Violation::new(field, code, message)])
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    /// 403 with a code of its own (e.g. `draw_sealed`).
    pub fn forbidden_because(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// 404 for a thing that does not exist, or that the caller may not know exists.
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }

    /// 404 with its own code, where the answer must say what was not found.
    pub fn not_found_because(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, detail)
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, "stale_version", detail)
    }

    /// 428 with a code of its own, for a precondition other than `If-Match`.
    pub fn precondition_missing(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_REQUIRED, code, detail)
    }

    pub fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
            "send If-Match with the ETag you last read, so that no one else's change is overwritten",
        )
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", detail)
    }

    pub fn from_pool(e: diesel::r2d2::PoolError) -> Self {
        let mut err = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            format!("no database connection available: {e}"),
        );
        err.retry_after = Some(1);
        err
    }

    pub fn title(&self) -> &'static str {
        self.status.canonical_reason().unwrap_or("Error")
    }

    pub fn to_problem(&self) -> Problem {
        // Internal details go to the log, never to the client.
        let detail = if self.status.is_server_error() && self.code == "internal_error" {
            "an internal error occurred; it has been logged".to_string()
        } else {
            self.detail.clone()
        };
        Problem {
            problem_type: format!("urn:skillcomp:problem:{}", self.code),
            title: self.title().to_string(),
            status: self.status.as_u16(),
            detail,
            code: self.code.to_string(),
            errors: self.errors.clone(),
            extra: self.extra.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, detail = %crate::domain::text::redacted(&self.detail), "internal error");
        }
        let mut builder = HttpResponse::build(self.status);
        builder.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some(seconds) = self.retry_after {
            builder.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        builder.body(serde_json::to_string(&self.to_problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::not_found("record"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => ApiError::conflict(
                "duplicate",
                format!("this record already exists ({})", info.constraint_name().unwrap_or(info.message())),
            ),
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => ApiError::conflict(
                "still_referenced",
                "the record is referenced by other records, or refers to one that does not exist",
            ),
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                let mut err = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "a concurrent change got in first; retry the request",
                );
                err.retry_after = Some(1);
                err
            }
            other => ApiError::internal(format!("database error: {other}")),
        }
    }
}

/// The store's failures as the API answers them.
impl crate::store::StoreError {
    /// The store's error as the API answers it, except that a row a unique index already holds
    /// means `taken` (e.g. "already signed").
    pub fn duplicate_means(self, taken: impl FnOnce() -> ApiError) -> ApiError {
        if self.is_duplicate() {
            taken()
        } else {
            self.into()
        }
    }

    /// The same for a row others still refer to (a delete a foreign key refuses).
    pub fn still_referenced_means(self, referenced: impl FnOnce() -> ApiError) -> ApiError {
        if self.is_still_referenced() {
            referenced()
        } else {
            self.into()
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::{StoreError, Taken};
        match e {
            StoreError::Db(e) => e.into(),
            StoreError::Taken(Taken::IdNumber) => ApiError::field(
                "id_number",
                "id_number_registered",
                "a person with this ID card number is already registered",
            ),
            StoreError::Corrupt(what) => ApiError::internal(what),
            StoreError::Taken(Taken::Username) => ApiError::conflict("username_taken", "this username is taken"),
            StoreError::Taken(Taken::Grant) => {
                ApiError::conflict("grant_exists", "the user already holds this role for this organisation")
            }
        }
    }
}

/// One broken rule is a 422 naming its field, so `?` works on a single check.
impl From<Violation> for ApiError {
    fn from(v: Violation) -> Self {
        ApiError::validation(vec![v])
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
