//! skillcomp: the API server for tiered workers' vocational skills competitions.
//!
//! `api` parses and authorises → `domain` decides → `store` persists.

pub mod api;
pub mod auth;
pub mod blocking;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod seed;
pub mod service;
pub mod store;
pub mod wire;

#[cfg(test)]
mod layers;

use std::net::SocketAddr;

use actix_cors::Cors;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest};
use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, App, HttpMessage, HttpRequest, HttpResponse, HttpServer};
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::token::TokenService;
use crate::config::Settings;
use crate::db::Db;
use crate::error::ApiError;

/// What every handler can reach.
pub struct AppState {
    pub db: Db,
    /// Every "now" of the server (the same clock as `settings.clock`).
    pub clock: clock::Clock,
    /// The zone people's dates are read in.
    pub zone: domain::time::Zone,
    pub tokens: TokenService,
    pub settings: Settings,
    pub public_results: service::results::PublicResultsCache,
    pub statistics: service::statistics::StatisticsCache,
    pub hashing: auth::hashing::HashingPool,
    pub metrics: api::metrics::Metrics,
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// Every documented operation: `/healthz`, `/readyz` and `/api/v1/…`.
pub fn with_routes<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(api::ApiDoc::openapi())
        .configure(api::health::configure)
        .configure(api::metrics::configure)
        .service(utoipa_actix_web::scope("/api/v1").configure(api::configure))
}

/// The OpenAPI document, exactly as the server serves it at `/api/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_app, document) = with_routes(App::new().into_utoipa_app()).split_for_parts();
    with_binary_files(with_uuid_ids(document))
}

/// Files (uploads and downloads, `Vec<u8>` in the handlers) are bytes, not arrays of integers as
/// the derived document says: `{"type": "string", "format": "binary"}`.
fn with_binary_files(mut document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    use utoipa::openapi::{Content, RefOr};
    fn fix<'a>(contents: impl Iterator<Item = (&'a String, &'a mut Content)>) {
        for (media, content) in contents {
            let schema = serde_json::to_value(&content.schema).unwrap_or_default();
            let bytes = schema["type"] == "array" && schema["items"]["type"] == "integer";
            if bytes && !media.contains("json") {
                content.schema = Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                        .into(),
                );
            }
        }
    }
    for item in document.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            if let Some(body) = operation.request_body.as_mut() {
                fix(body.content.iter_mut());
            }
            for response in operation.responses.responses.values_mut() {
                if let RefOr::T(response) = response {
                    fix(response.content.iter_mut());
                }
            }
        }
    }
    document
}

/// Path ids (`{id}`, `{role_id}`, …) are UUIDs; the derived document only knows they are strings.
/// Saying so lets clients and fuzzers (schemathesis) send well-formed ids.
fn with_uuid_ids(mut document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    for item in document.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                if parameter.parameter_in == ParameterIn::Path
                    && (parameter.name == "id" || parameter.name.ends_with("_id"))
                {
                    parameter.schema = Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                            .into(),
                    );
                }
            }
        }
    }
    document
}

pub fn openapi_json() -> String {
    openapi_document().to_pretty_json().expect("the OpenAPI document serialises") + "\n"
}

/// Opens the database (applying migrations) and creates the first admin if configured.
pub fn prepare_state(settings: Settings) -> Result<AppState, String> {
    settings.install_audit_key();
    let db = Db::open_with(&settings.database_url, settings.db_pool_size, settings.apply_migrations)?;
    seed::ensure_reference_data(&db, settings.clock.now())?;
    if let Some((username, password)) = &settings.bootstrap_admin {
        if seed::ensure_admin(&db, username, password, settings.clock.now())? {
            tracing::info!(username, "first admin account created");
        }
    }
    let tokens = TokenService::new(&settings.jwt_secret, settings.access_token_ttl, settings.refresh_token_ttl)
        .with_clock(settings.clock.clone());
    let hashing = auth::hashing::HashingPool::new(settings.hashing_workers, settings.hashing_queue);
    Ok(AppState {
        db,
        clock: settings.clock.clone(),
        zone: settings.timezone,
        tokens,
        settings,
        public_results: Default::default(),
        statistics: Default::default(),
        hashing,
        metrics: Default::default(),
    })
}

fn cors(settings: &Settings) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_MATCH, header::ACCEPT])
        .allowed_header("Idempotency-Key")
        .expose_headers([header::ETAG, header::LOCATION, header::RETRY_AFTER])
        .max_age(3600)
        // The SPA served from a listed origin sends the refresh cookie (origins are always listed
        // one by one, never `*`, so no other site's page gets the same).
        .supports_credentials();
    for origin in &settings.cors_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Unknown API paths get a problem document; other paths get the SPA (or a pointer to the docs
/// when the SPA is not built).
/// The API's paths and the methods each answers, from its own OpenAPI document: a request for a
/// path the API has, with a method it does not, is `405 Method Not Allowed` with `Allow`
/// (RFC 9110 §15.5.6) rather than a 404 that says the path does not exist.
pub struct Routes(Vec<(Vec<Option<String>>, Vec<&'static str>)>);

impl Routes {
    pub fn of(document: &utoipa::openapi::OpenApi) -> Routes {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template
                    .split('/')
                    .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_string()))
                    .collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, has)| has.then_some(m))
                .collect();
                (segments, methods)
            })
            .collect();
        Routes(routes)
    }

    /// The methods the API answers at `path`, if it has the path at all.
    fn allowed(&self, path: &str) -> Option<Vec<&'static str>> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut allowed: Vec<&'static str> = Vec::new();
        for (segments, methods) in &self.0 {
            let fits = segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(s, p)| s.as_deref().map_or(!p.is_empty(), |s| s == *p));
            if fits {
                for m in methods {
                    if !allowed.contains(m) {
                        allowed.push(m);
                    }
                }
            }
        }
        (!allowed.is_empty()).then_some(allowed)
    }
}

async fn fallback(
    req: HttpRequest,
    state: web::Data<AppState>,
    routes: web::Data<Routes>,
) -> actix_web::Result<HttpResponse> {
    let path = req.path();
    if path.starts_with("/api/") || path == "/api" {
        if let Some(allowed) = routes.allowed(path).filter(|a| !a.contains(&req.method().as_str())) {
            let allow = allowed.join(", ");
            let error = ApiError::new(
                actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{} is not answered at {path}: use {allow}", req.method()),
            );
            let mut response = actix_web::ResponseError::error_response(&error);
            response.headers_mut().insert(
                header::ALLOW,
                header::HeaderValue::from_str(&allow).unwrap_or(header::HeaderValue::from_static("GET")),
            );
            return Ok(response);
        }
        return Err(ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            "no_such_endpoint",
            format!("no endpoint at {path}"),
        )
        .into());
    }
    match &state.settings.static_dir {
        Some(dir) => {
            let file = actix_files::NamedFile::open_async(dir.join("index.html")).await?;
            Ok(file.into_response(&req))
        }
        None => Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(
            "<!doctype html><meta charset=utf-8><title>skillcomp</title>\
             <h1>skillcomp API</h1><p>The web app is not built (run <code>make run</code>). \
             API documentation: <a href=\"/api/docs/\">/api/docs/</a></p>",
        )),
    }
}

/// Scripts only from this origin; Element Plus sets inline styles, and QR codes and icons come as
/// data: images. No framing (clickjacking), no plugins.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
     frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// Builds the HTTP server on the configured address; returns it with the bound addresses
/// (useful with port 0).
pub fn build_server(state: AppState) -> std::io::Result<(Server, Vec<SocketAddr>)> {
    let bind = state.settings.bind.clone();
    let workers = state.settings.workers;
    let state = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        let settings = &state.settings;
        let (app, document) = with_routes(App::new().into_utoipa_app()).split_for_parts();
        let document = with_binary_files(with_uuid_ids(document));
        let routes = web::Data::new(Routes::of(&document));
        let mut app = app
            .app_data(state.clone())
            .app_data(routes)
            .app_data(web::PayloadConfig::new(settings.json_limit))
            .configure(api::extractor_configs)
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", document))
            .route(
                "/api/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/api/docs/")).finish()
                }),
            );
        if let Some(dir) = &settings.static_dir {
            app = app.service(actix_files::Files::new("/assets", dir.join("assets")).prefer_utf8(true));
        }
        app.default_service(web::to(fallback))
            .wrap(
                DefaultHeaders::new()
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((header::X_FRAME_OPTIONS, "DENY"))
                    .add((header::REFERRER_POLICY, "no-referrer"))
                    .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
                    .add((header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin"))
                    .add((
                        header::HeaderName::from_static("permissions-policy"),
                        "camera=(), microphone=(), geolocation=()",
                    )),
            )
            .wrap(cors(settings))
            .wrap_fn(|req, srv| {
                use actix_web::dev::Service;
                let request_id = req.extensions().get::<tracing_actix_web::RequestId>().map(|id| id.to_string());
                let started = std::time::Instant::now();
                let state = req.app_data::<web::Data<AppState>>().cloned();
                let response = srv.call(req);
                async move {
                    let mut response = response.await?;
                    if let Some(state) = state {
                        state.metrics.observe(
                            response.request().method().as_str(),
                            response.request().match_pattern(),
                            response.status().as_u16(),
                            started.elapsed(),
                        );
                    }
                    if let Some(id) = request_id.and_then(|id| header::HeaderValue::from_str(&id).ok()) {
                        response.headers_mut().insert(header::HeaderName::from_static("x-request-id"), id);
                    }
                    Ok(response)
                }
            })
            .wrap(TracingLogger::<api::logging::RedactedSpans>::new())
    });
    if let Some(n) = workers {
        server = server.workers(n);
    }
    let server = server.bind(&bind)?;
    let addrs = server.addrs();
    Ok((server.run(), addrs))
}
