//! What the request log may say. A log is read by operators and often shipped elsewhere, so it
//! carries the route *template* (`/api/v1/persons/{id}`), the query's parameter names without
//! their values (`id_number=…`: ID numbers, certificate check codes), the status and the problem
//! code — never a path's ids, a query value, or a problem's detail (which may name a person).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};

use crate::error::ApiError;

/// The root span of every request, redacted as the module says.
pub struct RedactedSpans;

impl RootSpanBuilder for RedactedSpans {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request.match_pattern().unwrap_or_else(|| "(no route)".into());
        let request_id = request.extensions().get::<RequestId>().map(|id| id.to_string()).unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route,
            query = %query_names(request.query_string()),
            request_id = %request_id,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let (status, code) = match outcome {
            Ok(response) => (
                response.status().as_u16(),
                response.response().error().and_then(|e| e.as_error::<ApiError>()).map(|e| e.code),
            ),
            Err(error) => {
                (error.as_response_error().status_code().as_u16(), error.as_error::<ApiError>().map(|e| e.code))
            }
        };
        span.record("status", status);
        if status >= 400 {
            let _inside = span.enter();
            let code = code.unwrap_or("-");
            if status >= 500 {
                tracing::error!(status, code, "request failed");
            } else {
                tracing::warn!(status, code, "request refused");
            }
        }
    }
}

/// A query string's parameter names, their values replaced by `…`.
pub fn query_names(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| format!("{}=…", pair.split('=').next().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::query_names;

    #[test]
    fn a_logged_query_keeps_its_names_and_loses_its_values() {
        assert_eq!(query_names("id_number=530102199203151248&limit=20"), "id_number=…&limit=…");
        assert_eq!(query_names("number=YN2026&code=7K3Q9X"), "number=…&code=…");
        assert_eq!(query_names(""), "");
    }
}
