//! Results: computed from the locked marks of a decrypted event, stored with a digest of exactly
//! those marks, checkable by recomputation, publicised (公示) for five working days, then final.
//! Public results show names with masked ID numbers and are cacheable.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{parse_id, record, utc, JsonBody, ProblemResponses};
use crate::auth::policy::can_manage_competition;
use crate::auth::Actor;
use crate::db::DbConnection;
use crate::domain::event::TieBreakKey;
use crate::domain::id_card::mask_id_number;
use crate::domain::ranking::{centi, rank_with_tie_breaks, standardise, Standing};
use crate::domain::ranking::{AppealStatus, ResultSetStatus};
use crate::error::{ApiError, ApiResult};
use crate::service::judging::scores_from;
use crate::service::load;
use crate::store::events::EventRow;
use crate::store::results::{ResultRow, ResultSetRow};
use crate::store::{self, new_id};
use crate::wire::results::{
    ComputeRequest, Difference, EventStatistics, ResultEntry, ResultSetOut, ResultSetSummary, Verification,
};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(compute_results)
        .service(get_results)
        .service(verify_results)
        .service(publish_results)
        .service(finalise_results)
        .service(export_event_results)
        .service(export_competition_results)
        .service(event_statistics);
}

use crate::domain::competition::RESULTS_PUBLICITY_WORKING_DAYS;

/// SHA-256 over every mark of the event, in a fixed order.
fn marks_digest(marks: &[(String, i32, String, i32)]) -> String {
    let mut lines: Vec<String> =
        marks.iter().map(|(aspect, station, judge, value)| format!("{aspect}|{station}|{judge}|{value}")).collect();
    lines.sort_unstable();
    let mut hasher = Sha256::new();
    for line in &lines {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn current_digest(conn: &mut DbConnection, event_id: &str) -> ApiResult<String> {
    Ok(marks_digest(&store::judging::mark_values_of_event(conn, event_id)?))
}

/// The results as the marks give them now (not stored), with the digest of those marks. The
/// marks are read once for both.
fn calculate(
    conn: &mut DbConnection,
    event: &EventRow,
    options: &ComputeRequest,
) -> ApiResult<(Vec<ResultRow>, String)> {
    let marks = store::judging::mark_values_of_event(conn, &event.id)?;
    let digest = marks_digest(&marks);
    let stations: HashMap<i32, String> = store::judging::competing_stations(conn, &event.id)?.into_iter().collect();
    let scores = scores_from(conn, event, &marks)?;
    let standings: Vec<Standing> = scores
        .iter()
        .map(|s| Standing {
            id: s.station.to_string(),
            total: centi(s.total),
            practical: centi(s.practical),
            theory: centi(s.theory),
            elapsed_seconds: None,
            modules: s.sections.iter().map(|(_, v)| centi(*v)).collect(),
        })
        .collect();
    let chain: Vec<TieBreakKey> =
        serde_json::from_str(&event.tie_breaks).unwrap_or_else(|_| crate::domain::event::default_tie_breaks());
    let placings = rank_with_tie_breaks(&standings, &chain, options.top_three_never_shared);
    let standard = options.standardised.then(|| {
        let totals: Vec<f64> = scores.iter().map(|s| s.total).collect();
        scores.iter().map(|s| s.station).zip(standardise(&totals)).collect::<HashMap<i32, i32>>()
    });
    let by_station: HashMap<i32, &crate::domain::scoring::StationScore> =
        scores.iter().map(|s| (s.station, s)).collect();
    let rows = placings
        .into_iter()
        .map(|p| {
            let station: i32 = p.id.parse().unwrap_or_default();
            let score = by_station.get(&station).ok_or_else(|| ApiError::internal("placing without score"))?;
            Ok(ResultRow {
                id: new_id(),
                result_set_id: String::new(),
                registration_id: stations
                    .get(&station)
                    .cloned()
                    .ok_or_else(|| ApiError::internal("station without registration"))?,
                station_number: station,
                theory_centi: centi(score.theory) as i32,
                practical_centi: centi(score.practical) as i32,
                total_centi: centi(score.total) as i32,
                standardised: standard.as_ref().and_then(|m| m.get(&station).copied()),
                rank: p.rank,
                tie_note: p.tie.map(|(note, _)| note.as_str().to_string()),
                tie_key: p.tie.and_then(|(_, key)| key).map(|k| k.as_str().to_string()),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((rows, digest))
}

fn result_set_out(conn: &mut DbConnection, set: ResultSetRow, public: bool) -> ApiResult<ResultSetOut> {
    let entries: Vec<ResultEntry> = store::results::named_rows_of(conn, &set.id)?
        .into_iter()
        .map(|(row, full_name, id_number, unit)| ResultEntry {
            rank: row.rank,
            station_number: row.station_number,
            registration_id: row.registration_id,
            full_name,
            id_number: if public { mask_id_number(&id_number) } else { id_number },
            nominating_org_name: unit,
            theory: row.theory_centi as f64 / 100.0,
            practical: row.practical_centi as f64 / 100.0,
            total: row.total_centi as f64 / 100.0,
            standardised: row.standardised,
            tie_note: row.tie_note,
            tie_key: row.tie_key,
        })
        .collect();
    Ok(ResultSetOut {
        summary: ResultSetSummary {
            id: set.id,
            event_id: set.event_id,
            version: set.version,
            status: set.status,
            marks_digest: set.marks_digest,
            computed_at: utc(set.computed_at),
            publicity_ends_at: set.publicity_ends_at.map(utc),
            finalised_at: set.finalised_at.map(utc),
        },
        entry_count: entries.len(),
        entries,
    })
}

/// An event the caller runs, decrypted.
fn load_decrypted(conn: &mut DbConnection, actor: &Actor, event_id: &str) -> ApiResult<EventRow> {
    let (event, _, _) = store::events::find(conn, event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
    let (_, host_path, _) =
        store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
    if !can_manage_competition(actor, &host_path) {
        return Err(ApiError::forbidden("results are computed and published by the host's organisers"));
    }
    if store::judging::judging_of(conn, event_id)?.decrypted_at.is_none() {
        return Err(ApiError::conflict("not_decrypted", "results are computed once the event is decrypted"));
    }
    Ok(event)
}

/// Computes the event's results from its marks and stores them as a provisional result set,
/// with the digest of the marks used.
#[utoipa::path(tag = "results", request_body = ComputeRequest, responses((status = 201, body = ResultSetOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results")]
pub async fn compute_results(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<ComputeRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let options = body.0;
    let out = state
        .db
        .write(move |conn| {
            let event = load_decrypted(conn, &actor, &event_id)?;
            if let Some(latest) = store::results::latest(conn, &event_id)? {
                let upheld_since = store::results::appeals_of_event(conn, &event_id)?
                    .iter()
                    .any(|a| a.is(AppealStatus::Upheld) && a.decided_at.is_some_and(|d| d > latest.computed_at));
                crate::domain::ranking::recompute_allowed(&latest.status, upheld_since)
                    .map_err(|(code, detail)| ApiError::conflict(code, detail))?;
            }
            let (mut rows, marks_digest) = calculate(conn, &event, &options)?;
            let set = ResultSetRow {
                id: new_id(),
                event_id: event_id.clone(),
                version: store::results::next_version(conn, &event_id)?,
                status: ResultSetStatus::Provisional.as_str().into(),
                marks_digest,
                computed_by: actor.user_id.clone(),
                computed_at: now,
                publicity_ends_at: None,
                finalised_at: None,
            };
            for row in &mut rows {
                row.result_set_id = set.id.clone();
            }
            store::results::insert(conn, &set, &rows)?;
            // Scored contestants have competed: in bulk, each with its trail entry, one audit record.
            use crate::domain::registration::RegistrationStatus::{CheckedIn, Competed};
            let scored: Vec<String> = rows.iter().map(|r| r.registration_id.clone()).collect();
            let competed = store::registrations::advance_all(conn, &scored, CheckedIn.as_str(), Competed.as_str(), now)?;
            let at = now;
            let trail: Vec<store::registrations::ReviewRow> = competed
                .iter()
                .map(|id| store::registrations::ReviewRow {
                    id: new_id(),
                    registration_id: id.clone(),
                    action: "competed".into(),
                    from_status: CheckedIn.as_str().into(),
                    to_status: Competed.as_str().into(),
                    comment: None,
                    actor_user_id: Some(actor.user_id.clone()),
                    at,
                })
                .collect();
            store::registrations::insert_reviews(conn, &trail)?;
            if !competed.is_empty() {
                record(conn, &actor, "registration.competed", ("event", &event_id), Some(serde_json::json!({ "status": CheckedIn.as_str() })),
                    Some(serde_json::json!({ "status": Competed.as_str(), "registrations": competed })))?;
            }
            record(conn, &actor, "results.compute", ("event", &event_id), None,
                Some(serde_json::json!({ "result_set": set.id, "version": set.version, "marks_digest": set.marks_digest, "contestants": rows.len() })))?;
            result_set_out(conn, set, false)
        })
        .await?;
    state.public_results.forget(&out.summary.event_id);
    Ok(HttpResponse::Created().json(out))
}

/// Publicised and final results kept in memory per event, so the public's reads cost one lookup.
/// This process forgets an event's entry whenever it changes the event's results; another node's
/// change (several API processes on one database) is seen within `RECHECK`, when the entry is
/// checked against the latest set's id and status — well inside the `max-age` public caches may
/// already keep a response for.
#[derive(Default)]
pub struct PublicResultsCache {
    events: Mutex<HashMap<String, CachedResults>>,
}

struct CachedResults {
    checked: Instant,
    set: Arc<ResultSetOut>,
    /// Serialised pages by (offset, limit), so that a popular page is written out once.
    pages: HashMap<(usize, Option<usize>), web::Bytes>,
}

/// Pages kept per event: the usual few (top 20, all, the next pages), not every offset asked for.
const CACHED_PAGES_PER_EVENT: usize = 16;

impl PublicResultsCache {
    const RECHECK: Duration = Duration::from_secs(2);

    fn recent(&self, event_id: &str) -> Option<Arc<ResultSetOut>> {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.get(event_id).filter(|c| c.checked.elapsed() < Self::RECHECK).map(|c| c.set.clone())
    }

    /// The cached set if it is still the latest one, in the same status.
    fn confirm(&self, event_id: &str, latest: &ResultSetRow) -> Option<Arc<ResultSetOut>> {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let cached = events
            .get_mut(event_id)
            .filter(|c| c.set.summary.id == latest.id && c.set.summary.status == latest.status)?;
        cached.checked = Instant::now();
        Some(cached.set.clone())
    }

    fn keep(&self, event_id: &str, set: Arc<ResultSetOut>) {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.insert(event_id.to_string(), CachedResults { checked: Instant::now(), set, pages: HashMap::new() });
    }

    /// A page of the cached set, serialised, if it was kept.
    /// (Pages belong to the very set they were written from: a set replaced meanwhile has none.)
    fn page(&self, set: &Arc<ResultSetOut>, key: (usize, Option<usize>)) -> Option<web::Bytes> {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.get(&set.summary.event_id).filter(|c| Arc::ptr_eq(&c.set, set)).and_then(|c| c.pages.get(&key).cloned())
    }

    fn keep_page(&self, set: &Arc<ResultSetOut>, key: (usize, Option<usize>), bytes: web::Bytes) {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cached) = events.get_mut(&set.summary.event_id).filter(|c| Arc::ptr_eq(&c.set, set)) {
            if cached.pages.len() < CACHED_PAGES_PER_EVENT {
                cached.pages.insert(key, bytes);
            }
        }
    }

    fn forget(&self, event_id: &str) {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).remove(event_id);
    }
}

/// The public view of an event's latest results, if they have been published.
fn public_results(conn: &mut DbConnection, cache: &PublicResultsCache, event_id: &str) -> ApiResult<Arc<ResultSetOut>> {
    let Some(set) = store::results::latest(conn, event_id)? else {
        store::events::find(conn, event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
        return Err(ApiError::not_found("results"));
    };
    if !set.status()?.is_published() {
        return Err(ApiError::not_found("results"));
    }
    if let Some(cached) = cache.confirm(event_id, &set) {
        return Ok(cached);
    }
    let out = Arc::new(result_set_out(conn, set, true)?);
    cache.keep(event_id, out.clone());
    Ok(out)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResultsPage {
    /// Entries to skip, in rank order (default 0).
    pub offset: Option<usize>,
    /// Entries to return, 1 to 1000 (default all).
    pub limit: Option<usize>,
}

impl ResultsPage {
    fn slice<'a>(&self, entries: &'a [ResultEntry]) -> ApiResult<&'a [ResultEntry]> {
        if self.limit.is_some_and(|n| !(1..=1000).contains(&n)) {
            return Err(ApiError::field("limit", "out_of_range", "limit is 1 to 1000"));
        }
        let from = self.offset.unwrap_or(0).min(entries.len());
        let to = self.limit.map_or(entries.len(), |n| (from + n).min(entries.len()));
        Ok(&entries[from..to])
    }
}

/// A result set with a page of its entries (serialises as a `ResultSetOut`).
#[derive(Serialize)]
struct ResultSetPage<'a> {
    #[serde(flatten)]
    summary: &'a ResultSetSummary,
    entry_count: usize,
    entries: &'a [ResultEntry],
}

/// The event's latest results: for its organisers in any state; for everyone once publicised,
/// with masked ID numbers. `entry_count` tells how many entries the whole set has.
#[utoipa::path(tag = "results", params(ResultsPage), responses((status = 200, body = ResultSetOut), (status = 304), ProblemResponses))]
#[get("/events/{id}/results")]
pub async fn get_results(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    req: HttpRequest,
    id: web::Path<String>,
    page: web::Query<ResultsPage>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let public_view = match actor {
        // Anonymous readers of recently checked results touch no database.
        None => state.public_results.recent(&event_id),
        Some(_) => None,
    };
    let (out, public) = match public_view {
        Some(out) => (out, true),
        None => {
            let state = state.clone();
            state
                .db
                .read({
                    let state = state.clone();
                    move |conn| {
                        if let Some(actor) = &actor {
                            let (event, _, _) =
                                store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
                            let (_, host_path, _) = store::competitions::find(conn, &event.competition_id)?
                                .ok_or_else(|| ApiError::not_found("event"))?;
                            if can_manage_competition(actor, &host_path) {
                                let set = store::results::latest(conn, &event_id)?
                                    .ok_or_else(|| ApiError::not_found("results"))?;
                                return Ok((Arc::new(result_set_out(conn, set, false)?), false));
                            }
                        }
                        Ok((public_results(conn, &state.public_results, &event_id)?, true))
                    }
                })
                .await?
        }
    };
    let entries = page.slice(&out.entries)?;
    // Published results change only by a new set or a new status: the pair (and the view) is the tag.
    // The public's and the organisers' copies differ (masked ID numbers), so their tags differ too.
    let view = if public { "public" } else { "full" };
    let tag = format!("\"{}-{}-{view}\"", out.summary.id, out.summary.status);
    // The answer depends on who asks (organisers see whole ID numbers): a cache must not hand the
    // public's copy to a signed-in organiser, nor the reverse.
    let vary = (header::VARY, "Authorization");
    if req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(tag.as_str()) {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, tag)).insert_header(vary).finish());
    }
    let key = (page.offset.unwrap_or(0), page.limit);
    let cached = public.then(|| state.public_results.page(&out, key)).flatten();
    let body = match cached {
        Some(bytes) => bytes,
        None => {
            let page = ResultSetPage { summary: &out.summary, entry_count: out.entry_count, entries };
            let bytes = web::Bytes::from(serde_json::to_vec(&page).map_err(|e| ApiError::internal(e.to_string()))?);
            if public {
                state.public_results.keep_page(&out, key, bytes.clone());
            }
            bytes
        }
    };
    let cache = if public { "public, max-age=60" } else { "private, no-store" };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header(vary)
        .body(body))
}

/// Recomputes the latest result set from the raw marks and reports any difference.
#[utoipa::path(tag = "results", request_body = ComputeRequest, responses((status = 200, body = Verification), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results/verify")]
pub async fn verify_results(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<ComputeRequest>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let options = body.0;
    let out = state
        .db
        .read(move |conn| {
            let event = load_decrypted(conn, &actor, &event_id)?;
            let set = store::results::latest(conn, &event_id)?.ok_or_else(|| ApiError::not_found("results"))?;
            let stored: HashMap<i32, ResultRow> = store::results::rows_of(conn, &set.id)?.into_iter().map(|r| (r.station_number, r)).collect();
            let (fresh, digest) = calculate(conn, &event, &options)?;
            let fresh: HashMap<i32, ResultRow> = fresh.into_iter().map(|r| (r.station_number, r)).collect();
            let mut stations: Vec<i32> = stored.keys().chain(fresh.keys()).copied().collect();
            stations.sort_unstable();
            stations.dedup();
            let differences: Vec<Difference> = stations
                .into_iter()
                .filter_map(|station| {
                    let (a, b) = (stored.get(&station), fresh.get(&station));
                    let same = matches!((a, b), (Some(a), Some(b)) if a.rank == b.rank && a.total_centi == b.total_centi && a.theory_centi == b.theory_centi && a.practical_centi == b.practical_centi);
                    (!same).then(|| Difference {
                        station_number: station,
                        stored_rank: a.map(|r| r.rank),
                        recomputed_rank: b.map(|r| r.rank),
                        stored_total: a.map(|r| r.total_centi as f64 / 100.0),
                        recomputed_total: b.map(|r| r.total_centi as f64 / 100.0),
                    })
                })
                .collect();
            Ok(Verification { result_set_id: set.id.clone(), digest_matches: digest == set.marks_digest, identical: differences.is_empty(), differences })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Publishes provisional results for publicity (公示) for the competition's working days
/// (default 5), after which they may be made final.
#[utoipa::path(tag = "results", responses((status = 200, body = ResultSetOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results/publish")]
pub async fn publish_results(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .write(move |conn| {
            load_decrypted(conn, &actor, &event_id)?;
            let mut set = latest_set(conn, &event_id)?;
            if !set.is(ResultSetStatus::Provisional) {
                return Err(ApiError::conflict("already_published", format!("the results are {}", set.status)));
            }
            if current_digest(conn, &event_id)? != set.marks_digest {
                return Err(ApiError::conflict(
                    "marks_changed",
                    "the marks changed after these results were computed: compute them again",
                ));
            }
            let adjustments = store::calendar::adjustments(conn)?;
            let (event, _, _) = store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let days = store::competitions::find(conn, &event.competition_id)?
                .map(|(c, _, _)| c.results_publicity_days)
                .unwrap_or(RESULTS_PUBLICITY_WORKING_DAYS);
            set.status = ResultSetStatus::Publicity.as_str().into();
            set.publicity_ends_at = Some(crate::domain::calendar::publicity_end(now, days, &adjustments, zone));
            if !store::results::advance(conn, &set, ResultSetStatus::Provisional)? {
                return Err(ApiError::conflict("already_published", "the results were published meanwhile"));
            }
            record(
                conn,
                &actor,
                "results.publish",
                ("event", &event_id),
                None,
                Some(serde_json::json!({ "result_set": set.id, "publicity_ends_at": set.publicity_ends_at })),
            )?;
            result_set_out(conn, set, false)
        })
        .await?;
    state.public_results.forget(&out.summary.event_id);
    Ok(HttpResponse::Ok().json(out))
}

/// The event's latest result set, or a 409 asking to compute it first.
fn latest_set(conn: &mut DbConnection, event_id: &str) -> ApiResult<ResultSetRow> {
    store::results::latest(conn, event_id)?.ok_or_else(|| ApiError::conflict("no_results", "compute the results first"))
}

/// Makes publicised results final once their publicity window has closed; the top finishers then
/// go on to the competition this one feeds.
#[utoipa::path(tag = "results", responses((status = 200, body = ResultSetOut), ProblemResponses), security(("bearer" = [])))]
#[post("/events/{id}/results/finalise")]
pub async fn finalise_results(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone;
    let now = state.clock.now();
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .write(move |conn| {
            load_decrypted(conn, &actor, &event_id)?;
            let mut set = latest_set(conn, &event_id)?;
            if !set.is(ResultSetStatus::Publicity) {
                return Err(ApiError::conflict(
                    "not_in_publicity",
                    format!("results become final after their publicity (they are {})", set.status),
                ));
            }
            let open = store::results::appeals_of_event(conn, &event_id)?
                .iter()
                .filter(|a| a.status().is_ok_and(|s| s.is_pending()))
                .count();
            if open > 0 {
                return Err(ApiError::conflict(
                    "appeals_open",
                    format!("{open} appeals wait for the arbiter's ruling"),
                ));
            }
            if let Some(end) = set.publicity_ends_at.filter(|end| now < *end) {
                return Err(ApiError::conflict(
                    "publicity_not_over",
                    format!("the publicity (公示) runs until {}", zone.describe(end)),
                ));
            }
            set.status = ResultSetStatus::Final.as_str().into();
            set.finalised_at = Some(now);
            if !store::results::advance(conn, &set, ResultSetStatus::Publicity)? {
                return Err(ApiError::conflict("already_final", "the results were made final meanwhile"));
            }
            let (event, _, _) = store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let rows = store::results::rows_of(conn, &set.id)?;
            crate::service::qualifiers::advance_on_final(conn, &actor, &event, &rows, now)?;
            record(
                conn,
                &actor,
                "results.finalise",
                ("event", &event_id),
                None,
                Some(serde_json::json!({ "result_set": set.id })),
            )?;
            result_set_out(conn, set, false)
        })
        .await?;
    state.public_results.forget(&out.summary.event_id);
    Ok(HttpResponse::Ok().json(out))
}

/// The results an export may show the caller: everything for the organisers, published results
/// (masked) for everyone else. None when there is nothing the caller may see.
fn visible_results(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    event: &EventRow,
    host_path: &str,
) -> ApiResult<Option<ResultSetOut>> {
    let organiser = actor.is_some_and(|a| can_manage_competition(a, host_path));
    let Some(set) = store::results::latest(conn, &event.id)? else { return Ok(None) };
    if !organiser && !set.status()?.is_published() {
        return Ok(None);
    }
    result_set_out(conn, set, !organiser).map(Some)
}

const EXPORT_HEADERS: [&str; 11] =
    ["赛项", "名次", "工位号", "姓名", "身份证号", "推荐单位", "理论", "实操", "总成绩", "标准分", "状态"];

fn results_workbook(title: &str, sets: &[(String, ResultSetOut)]) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| ApiError::internal(format!("workbook: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("成绩").map_err(failed)?;
    let bold = Format::new().set_bold();
    let two_decimals = Format::new().set_num_format("0.00");
    sheet.write_string_with_format(0, 0, title, &bold).map_err(failed)?;
    for (c, h) in EXPORT_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, *h, &bold).map_err(failed)?;
    }
    let mut r = 2u32;
    for (event_name, set) in sets {
        for e in &set.entries {
            sheet.write_string(r, 0, event_name).map_err(failed)?;
            sheet.write_number(r, 1, e.rank as f64).map_err(failed)?;
            sheet.write_number(r, 2, e.station_number as f64).map_err(failed)?;
            sheet.write_string(r, 3, &e.full_name).map_err(failed)?;
            sheet.write_string(r, 4, &e.id_number).map_err(failed)?;
            sheet.write_string(r, 5, &e.nominating_org_name).map_err(failed)?;
            sheet.write_number_with_format(r, 6, e.theory, &two_decimals).map_err(failed)?;
            sheet.write_number_with_format(r, 7, e.practical, &two_decimals).map_err(failed)?;
            sheet.write_number_with_format(r, 8, e.total, &two_decimals).map_err(failed)?;
            if let Some(s) = e.standardised {
                sheet.write_number(r, 9, s as f64).map_err(failed)?;
            }
            sheet.write_string(r, 10, &set.summary.status).map_err(failed)?;
            r += 1;
        }
    }
    for (c, width) in [20.0, 6.0, 8.0, 12.0, 22.0, 30.0, 8.0, 8.0, 9.0, 8.0, 10.0].iter().enumerate() {
        sheet.set_column_width(c as u16, *width).map_err(failed)?;
    }
    workbook.save_to_buffer().map_err(failed)
}

/// A CSV field, quoted when it must be (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn results_csv(sets: &[(String, ResultSetOut)]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&EXPORT_HEADERS.join(","));
    out.push('\n');
    for (event_name, set) in sets {
        for e in &set.entries {
            let cells = [
                csv_field(event_name),
                e.rank.to_string(),
                e.station_number.to_string(),
                csv_field(&e.full_name),
                csv_field(&e.id_number),
                csv_field(&e.nominating_org_name),
                format!("{:.2}", e.theory),
                format!("{:.2}", e.practical),
                format!("{:.2}", e.total),
                e.standardised.map(|s| s.to_string()).unwrap_or_default(),
                set.summary.status.clone(),
            ];
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportFormat {
    /// xlsx (default) or csv.
    pub format: Option<String>,
}

fn export_response(title: &str, sets: Vec<(String, ResultSetOut)>, format: Option<&str>) -> ApiResult<HttpResponse> {
    match format.unwrap_or("xlsx") {
        "xlsx" => Ok(HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"results.xlsx\""))
            .body(results_workbook(title, &sets)?)),
        "csv" => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"results.csv\""))
            .body(results_csv(&sets))),
        _ => Err(ApiError::field("format", "invalid_value", "xlsx or csv")),
    }
}

/// An event's results as .xlsx or CSV: names and whole ID numbers for the organisers, published
/// results with masked numbers for everyone else.
#[utoipa::path(tag = "results", params(ExportFormat), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), ProblemResponses))]
#[get("/events/{id}/results/export")]
pub async fn export_event_results(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
    query: web::Query<ExportFormat>,
) -> ApiResult<HttpResponse> {
    let event_id = parse_id("id", &id)?;
    let (title, sets) = state
        .db
        .read(move |conn| {
            let (event, _, _) = store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let (competition, host_path, _) =
                store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let set = visible_results(conn, actor.as_ref(), &event, &host_path)?
                .ok_or_else(|| ApiError::not_found("results"))?;
            Ok((format!("{} {}", competition.name, event.name), vec![(event.name, set)]))
        })
        .await?;
    export_response(&title, sets, query.format.as_deref())
}

/// All events' results of a competition in one .xlsx or CSV (events without visible results are
/// left out).
#[utoipa::path(tag = "results", params(ExportFormat), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), ProblemResponses))]
#[get("/competitions/{id}/results/export")]
pub async fn export_competition_results(
    state: web::Data<AppState>,
    actor: Option<Actor>,
    id: web::Path<String>,
    query: web::Query<ExportFormat>,
) -> ApiResult<HttpResponse> {
    let competition_id = parse_id("id", &id)?;
    let (title, sets) = state
        .db
        .read(move |conn| {
            let (competition, host_path, _) = load::competition(conn, actor.as_ref(), &competition_id)?;
            let mut sets = Vec::new();
            for (event, _, _) in store::events::of_competition(conn, &competition_id)? {
                if let Some(set) = visible_results(conn, actor.as_ref(), &event, &host_path)? {
                    sets.push((event.name, set));
                }
            }
            Ok((competition.name, sets))
        })
        .await?;
    export_response(&title, sets, query.format.as_deref())
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(super::csv_field("李娜"), "李娜");
        assert_eq!(super::csv_field("昆明, 五华"), "\"昆明, 五华\"");
        assert_eq!(super::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}

/// Counts of competitors, completion and the score distribution of an event (its organisers, and
/// officials over its host).
#[utoipa::path(tag = "results", responses((status = 200, body = EventStatistics), ProblemResponses), security(("bearer" = [])))]
#[get("/events/{id}/statistics")]
pub async fn event_statistics(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    use crate::domain::registration::RegistrationStatus as S;
    let event_id = parse_id("id", &id)?;
    let out = state
        .db
        .read(move |conn| {
            let (event, _, _) = store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let (_, host_path, _) =
                store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            if !(can_manage_competition(&actor, &host_path)
                || actor.has_role_over(&[crate::domain::role::Role::Official], &host_path))
            {
                return Err(ApiError::forbidden("statistics are for the host's organisers and officials"));
            }
            let statuses: Vec<S> =
                store::registrations::of_event(conn, &event_id)?.iter().filter_map(|r| S::parse(&r.status)).collect();
            let count = |wanted: &[S]| statuses.iter().filter(|s| wanted.contains(s)).count();
            let admitted = count(&[S::Admitted, S::CheckedIn, S::Competed, S::NoShow, S::Disqualified]);
            let competed = count(&[S::Competed]);
            let scores = match store::results::latest(conn, &event_id)? {
                Some(set) => {
                    let totals: Vec<f64> =
                        store::results::rows_of(conn, &set.id)?.iter().map(|r| r.total_centi as f64 / 100.0).collect();
                    Some(crate::domain::statistics::summarise(&totals))
                }
                None => None,
            };
            Ok(EventStatistics {
                event_id,
                registered: statuses.iter().filter(|s| s.holds_place()).count(),
                admitted,
                competed,
                no_show: count(&[S::NoShow]),
                completion_rate: if admitted == 0 { 0.0 } else { competed as f64 / admitted as f64 },
                scores,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
