//! `/metrics` in the Prometheus text format: requests and their latency per route pattern,
//! method and status class, the database pool and the argon2 pool. Counts are kept per server in
//! shards (a worker thread keeps to one), and a scrape adds the shards up.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use actix_web::{get, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(metrics);
}

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Clone, Default)]
struct Series {
    count: u64,
    seconds: f64,
    /// Requests at or under each bucket's bound (not cumulative here; summed when written).
    buckets: [u64; BUCKETS.len()],
}

/// (method, route pattern, status class such as "2xx")
type Key = (&'static str, String, &'static str);

/// The method without an allocation per request (others are counted together).
fn method_name(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}
type Table = BTreeMap<Key, Series>;

/// A server's counts, in shards picked by worker thread so that workers rarely share a lock.
pub struct Metrics {
    shards: Vec<Mutex<Table>>,
}

const SHARDS: usize = 16;

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics { shards: (0..SHARDS).map(|_| Mutex::new(Table::new())).collect() }
    }
}

thread_local! {
    /// This thread's shard, given out in turn.
    static SHARD: usize = {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS
    };
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

impl Metrics {
    /// Counts one request (called by the middleware with the matched route's pattern).
    pub fn observe(&self, method: &str, pattern: Option<String>, status: u16, elapsed: Duration) {
        let shard = SHARD.with(|s| *s);
        let mut table = self.shards[shard].lock().unwrap_or_else(|p| p.into_inner());
        // `match_pattern` already made the pattern a String; it moves into the key.
        let key = (method_name(method), pattern.unwrap_or_else(|| "unmatched".to_string()), status_class(status));
        let series = table.entry(key).or_default();
        let seconds = elapsed.as_secs_f64();
        series.count += 1;
        series.seconds += seconds;
        if let Some(i) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            series.buckets[i] += 1;
        }
    }

    fn merged(&self) -> Table {
        let mut all = Table::new();
        for shard in &self.shards {
            for (key, series) in shard.lock().unwrap_or_else(|p| p.into_inner()).iter() {
                let into = all.entry(key.clone()).or_default();
                into.count += series.count;
                into.seconds += series.seconds;
                for (a, b) in into.buckets.iter_mut().zip(series.buckets) {
                    *a += b;
                }
            }
        }
        all
    }
}

fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The text a scrape gets.
pub fn render(state: &AppState) -> String {
    let mut out = String::new();
    let table = state.metrics.merged();
    out.push_str("# HELP skillcomp_http_requests_total HTTP requests by method, route and status class.\n");
    out.push_str("# TYPE skillcomp_http_requests_total counter\n");
    for ((method, route, status), s) in &table {
        let _ = writeln!(
            out,
            "skillcomp_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
            label(route),
            s.count
        );
    }
    out.push_str("# HELP skillcomp_http_request_duration_seconds Time to answer, by method and route.\n");
    out.push_str("# TYPE skillcomp_http_request_duration_seconds histogram\n");
    let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
    for ((method, route, _), s) in &table {
        let into = by_route.entry((method, route.as_str())).or_default();
        into.count += s.count;
        into.seconds += s.seconds;
        for (a, b) in into.buckets.iter_mut().zip(s.buckets) {
            *a += b;
        }
    }
    for ((method, route), s) in &by_route {
        let labels = format!("method=\"{method}\",route=\"{}\"", label(route));
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(s.buckets) {
            cumulative += n;
            let _ =
                writeln!(out, "skillcomp_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
        }
        let _ = writeln!(out, "skillcomp_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
        let _ = writeln!(out, "skillcomp_http_request_duration_seconds_sum{{{labels}}} {}", s.seconds);
        let _ = writeln!(out, "skillcomp_http_request_duration_seconds_count{{{labels}}} {}", s.count);
    }
    let pool = state.db.pool_state();
    let gauges = [
        ("skillcomp_db_pool_connections", "Open database connections.", pool.connections as u64),
        ("skillcomp_db_pool_idle_connections", "Open database connections not in use.", pool.idle_connections as u64),
        ("skillcomp_db_pool_max_connections", "The pool's size.", state.settings.db_pool_size as u64),
        ("skillcomp_password_hashing_in_progress", "argon2 hashes running or waiting.", state.hashing.in_use() as u64),
    ];
    for (name, help, value) in gauges {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
    }
    out
}

/// Prometheus metrics. When `SKILLCOMP_METRICS_TOKEN` is set, the scraper sends it as a bearer token.
#[utoipa::path(tag = "health", responses((status = 200, description = "Prometheus text format", content_type = "text/plain"), crate::api::ProblemResponses))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    if let Some(expected) = &state.settings.metrics_token {
        let given = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let matches = given.is_some_and(|g| crate::auth::sha256_hex(g) == crate::auth::sha256_hex(expected));
        if !matches {
            return Err(ApiError::unauthorized("metrics_token", "send the metrics token as a bearer token"));
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(render(&state)))
}
