//! Results (成绩): computed from the marks of a decrypted event with a digest of exactly those
//! marks, checked by recomputation, publicised (公示), then final — when the top finishers go on
//! to the tier above (`super::qualifiers::advance_on_final`). Public results are kept in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use super::audit::record;
use super::judging::scores_from;
use crate::auth::policy::can_manage_competition;
use crate::auth::Actor;
use crate::blocking::off_workers;
use crate::db::{Db, DbConnection};
use crate::domain::competition::RESULTS_PUBLICITY_WORKING_DAYS;
use crate::domain::event::TieBreakKey;
use crate::domain::id_card::mask_id_number;
use crate::domain::ranking::{
    centi, medallion_for_excellence, rank_with_tie_breaks, standardise, AppealStatus, Ranked, ResultSetStatus,
    Standing, TeamScoring, TieNote,
};
use crate::domain::role::EventRole;
use crate::domain::text;
use crate::domain::time::Zone;
use crate::error::{ApiError, ApiResult};
use crate::service::load;
use crate::service::spreadsheet::csv_field;
use crate::store::events::EventRow;
use crate::store::results::{ResultRow, ResultSetRow};
use crate::store::{self, new_id};
use crate::wire::results::{
    ComputeRequest, Difference, EventStatistics, ResultEntry, ResultSetOut, ResultSetPage, ResultSetSummary,
    ResultsPage, Verification,
};
use crate::wire::results::{TieDecision, TieGroup};
use crate::wire::utc;

/// SHA-256 over every mark of the event, in a fixed order.
pub fn marks_digest(marks: &[(String, i32, String, i32)]) -> String {
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

pub fn current_digest(conn: &mut DbConnection, event_id: &str) -> ApiResult<String> {
    Ok(marks_digest(&store::judging::mark_values_of_event(conn, event_id)?))
}

/// The results as the marks give them now (not stored), with the digest of those marks. The
/// marks are read once for both.
pub fn calculate(
    conn: &mut DbConnection,
    event: &EventRow,
    options: &ComputeRequest,
) -> ApiResult<(Vec<ResultRow>, String)> {
    let marks = store::judging::mark_values_of_event(conn, &event.id)?;
    let digest = marks_digest(&marks);
    let stations: HashMap<i32, String> = store::judging::competing_stations(conn, &event.id)?.into_iter().collect();
    let mut scores = scores_from(conn, event, &marks)?;
    // A station's time (用时) is the sum over the modules where one was recorded.
    let mut elapsed: HashMap<i32, i64> = HashMap::new();
    for t in store::judging::finish_times_of(conn, &event.id)? {
        *elapsed.entry(t.station_number).or_default() += t.elapsed_seconds as i64;
    }
    // Where a team's members each worked their own station, the team is ranked once, under its
    // captain's station, by the event's team rule; its time is its members' together.
    if let Some(rule) = event.team_scoring.as_deref().and_then(TeamScoring::parse).filter(|r| r.members_own_stations())
    {
        let captains: HashMap<String, i32> = store::draws::assignments_of(conn, &event.id)?
            .into_iter()
            .map(|a| (a.registration_id, a.station_number))
            .collect();
        let mut teams: std::collections::BTreeMap<i32, Vec<&crate::domain::scoring::StationScore>> = Default::default();
        for s in &scores {
            let captain = stations.get(&s.station).and_then(|r| captains.get(r)).copied().unwrap_or(s.station);
            teams.entry(captain).or_default().push(s);
        }
        let mut team_elapsed: HashMap<i32, i64> = HashMap::new();
        for (captain, members) in &teams {
            for m in members {
                if let Some(t) = elapsed.get(&m.station) {
                    *team_elapsed.entry(*captain).or_default() += t;
                }
            }
        }
        scores = teams
            .iter()
            .map(|(captain, members)| crate::domain::scoring::team_station_score(*captain, members, rule))
            .collect();
        elapsed = team_elapsed;
    }
    let standings: Vec<Standing> = scores
        .iter()
        .map(|s| Standing {
            id: s.station.to_string(),
            total: centi(s.total),
            practical: centi(s.practical),
            theory: centi(s.theory),
            elapsed_seconds: elapsed.get(&s.station).copied(),
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

pub fn result_set_out(conn: &mut DbConnection, set: ResultSetRow, public: bool) -> ApiResult<ResultSetOut> {
    let disqualified = crate::service::disqualifications::disqualified_at(conn, &set.event_id, set.computed_at)?;
    let rows = store::results::named_rows_of(conn, &set.id)?;
    let team_ids: Vec<String> =
        rows.iter().filter(|(.., team)| team.is_some()).map(|(row, ..)| row.registration_id.clone()).collect();
    let mut team_members: HashMap<String, Vec<String>> = HashMap::new();
    for (registration_id, person) in store::registrations::competing_members(conn, &team_ids)? {
        team_members.entry(registration_id).or_default().push(person.full_name);
    }
    let entries: Vec<ResultEntry> = rows
        .into_iter()
        .map(|(row, full_name, id_number, unit, team_name)| ResultEntry {
            team_members: team_members.remove(&row.registration_id).unwrap_or_default(),
            team_name,
            rank: row.rank,
            station_number: row.station_number,
            registration_id: row.registration_id,
            full_name,
            id_number: if public { mask_id_number(&id_number) } else { id_number },
            nominating_org_name: unit,
            theory: row.theory_centi as f64 / 100.0,
            practical: row.practical_centi as f64 / 100.0,
            total: row.total_centi as f64 / 100.0,
            medallion_for_excellence: row.standardised.is_some_and(medallion_for_excellence),
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
            published_at: set.published_at.map(utc),
            publicity_ends_at: set.publicity_ends_at.map(utc),
            finalised_at: set.finalised_at.map(utc),
        },
        entry_count: entries.len(),
        disqualified,
        entries,
    })
}

/// An event the caller runs, decrypted.
pub fn load_decrypted(conn: &mut DbConnection, actor: &Actor, event_id: &str) -> ApiResult<EventRow> {
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

/// The event's latest result set, or a 409 asking to compute it first.
pub fn latest_set(conn: &mut DbConnection, event_id: &str) -> ApiResult<ResultSetRow> {
    store::results::latest(conn, event_id)?.ok_or_else(|| ApiError::conflict("no_results", "compute the results first"))
}

/// Publicised and final results kept in memory per event, so the public's reads cost one lookup.
/// This process forgets an event's entry whenever it changes the event's results; another node's
/// change (several API processes on one database) is seen within `RECHECK`, when the entry is
/// checked against the latest set's id and status — well inside the `max-age` public caches may
/// already keep a response for.
#[derive(Default, Clone)]
pub struct PublicResultsCache {
    events: Arc<Mutex<HashMap<String, CachedResults>>>,
}

struct CachedResults {
    checked: Instant,
    set: Arc<ResultSetOut>,
    /// Serialised pages by (offset, limit), so that a popular page is written out once.
    pages: HashMap<(usize, Option<usize>), Bytes>,
}

/// Pages kept per event: the usual few (top 20, all, the next pages), not every offset asked for.
const CACHED_PAGES_PER_EVENT: usize = 16;

impl PublicResultsCache {
    const RECHECK: Duration = Duration::from_secs(2);

    pub fn recent(&self, event_id: &str) -> Option<Arc<ResultSetOut>> {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.get(event_id).filter(|c| c.checked.elapsed() < Self::RECHECK).map(|c| c.set.clone())
    }

    /// The cached set if it is still the latest one, in the same status.
    pub fn confirm(&self, event_id: &str, latest: &ResultSetRow) -> Option<Arc<ResultSetOut>> {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let cached = events
            .get_mut(event_id)
            .filter(|c| c.set.summary.id == latest.id && c.set.summary.status == latest.status)?;
        cached.checked = Instant::now();
        Some(cached.set.clone())
    }

    pub fn keep(&self, event_id: &str, set: Arc<ResultSetOut>) {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.insert(event_id.to_string(), CachedResults { checked: Instant::now(), set, pages: HashMap::new() });
    }

    /// A page of the cached set, serialised, if it was kept.
    /// (Pages belong to the very set they were written from: a set replaced meanwhile has none.)
    pub fn page(&self, set: &Arc<ResultSetOut>, key: (usize, Option<usize>)) -> Option<Bytes> {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.get(&set.summary.event_id).filter(|c| Arc::ptr_eq(&c.set, set)).and_then(|c| c.pages.get(&key).cloned())
    }

    pub fn keep_page(&self, set: &Arc<ResultSetOut>, key: (usize, Option<usize>), bytes: Bytes) {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cached) = events.get_mut(&set.summary.event_id).filter(|c| Arc::ptr_eq(&c.set, set)) {
            if cached.pages.len() < CACHED_PAGES_PER_EVENT {
                cached.pages.insert(key, bytes);
            }
        }
    }

    pub fn forget(&self, event_id: &str) {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).remove(event_id);
    }
}

/// The public view of an event's latest results, if they have been published.
pub fn public_results(
    conn: &mut DbConnection,
    cache: &PublicResultsCache,
    event_id: &str,
) -> ApiResult<Arc<ResultSetOut>> {
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

/// The results an export may show the caller: everything for the organisers, published results
/// (masked) for everyone else. None when there is nothing the caller may see.
pub fn visible_results(
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

/// Computes an event's results from its marks into a provisional result set; contestants scored have competed.
pub async fn compute(
    db: &Db,
    actor: Actor,
    event_id: String,
    options: ComputeRequest,
    now: NaiveDateTime,
) -> ApiResult<ResultSetOut> {
    db.write(move |conn| {
        let event = load_decrypted(conn, &actor, &event_id)?;
        if let Some(latest) = store::results::latest(conn, &event_id)? {
            let upheld_since = store::results::appeals_of_event(conn, &event_id)?
                .iter()
                .any(|a| a.is(AppealStatus::Upheld) && a.decided_at.is_some_and(|d| d > latest.computed_at));
            let changed_since = upheld_since
                || crate::service::disqualifications::approved_since(conn, &event_id, latest.computed_at)?;
            crate::domain::ranking::recompute_allowed(&latest.status, changed_since)
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
            published_at: None,
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
    .await
}

/// Recomputes the latest result set from the raw marks and reports every difference.
pub async fn verify(db: &Db, actor: Actor, event_id: String, options: ComputeRequest) -> ApiResult<Verification> {
    db.read(move |conn| {
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
                // A decided tie keeps the committee's order, which no recomputation can know.
                let decided = |a: &ResultRow, b: &ResultRow| {
                    a.tie_note.as_deref() == Some(TieNote::Decided.as_str())
                        && b.tie_note.as_deref() == Some(TieNote::DecisionRequired.as_str())
                };
                let same = matches!((a, b), (Some(a), Some(b)) if (a.rank == b.rank || decided(a, b)) && a.total_centi == b.total_centi && a.theory_centi == b.theory_centi && a.practical_centi == b.practical_centi);
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
    .await
}

/// The groups of stations in the latest results that wait for the committee's decision (for the
/// chief judge, who records it).
pub async fn ties(db: &Db, actor: Actor, event_id: String) -> ApiResult<Vec<TieGroup>> {
    db.read(move |conn| {
        load::roles_requiring(conn, &actor, &event_id, &[EventRole::ChiefJudge], "tie decisions")?;
        let Some(set) = store::results::latest(conn, &event_id)? else { return Ok(Vec::new()) };
        // Grouped by the stored hundredths, never by a float's equality.
        let mut groups: Vec<(i32, TieGroup)> = Vec::new();
        for row in store::results::rows_of(conn, &set.id)? {
            if row.tie_note.as_deref() != Some(TieNote::DecisionRequired.as_str()) {
                continue;
            }
            match groups.iter_mut().find(|(centi, _)| *centi == row.total_centi) {
                Some((_, group)) => group.stations.push(row.station_number),
                None => groups.push((
                    row.total_centi,
                    TieGroup {
                        total: row.total_centi as f64 / 100.0,
                        first_rank: row.rank,
                        stations: vec![row.station_number],
                    },
                )),
            }
        }
        Ok(groups.into_iter().map(|(_, g)| g).collect())
    })
    .await
}

/// Records the organising committee's order for stations tied for a decision (the chief judge,
/// with the reason, audited): they take the group's places in that order. Only on provisional
/// results; computing again asks for the decision again.
pub async fn decide_tie(db: &Db, actor: Actor, event_id: String, decision: TieDecision) -> ApiResult<ResultSetOut> {
    db.write(move |conn| {
        load::roles_requiring(conn, &actor, &event_id, &[EventRole::ChiefJudge], "recording a tie decision")?;
        let reason = text::required("reason", &decision.reason, 500).map_err(|v| ApiError::validation(vec![v]))?;
        let set = latest_set(conn, &event_id)?;
        if !set.is(ResultSetStatus::Provisional) {
            return Err(ApiError::conflict("already_published", "ties are decided before the results are published"));
        }
        let rows = store::results::rows_of(conn, &set.id)?;
        let ranked: Vec<Ranked> = rows
            .iter()
            .map(|r| Ranked {
                station: r.station_number,
                rank: r.rank,
                total: i64::from(r.total_centi),
                awaiting_decision: r.tie_note.as_deref() == Some(TieNote::DecisionRequired.as_str()),
            })
            .collect();
        let places = crate::domain::ranking::decide_tie(&ranked, &decision.stations)
            .map_err(|why| ApiError::field("stations", "not_the_tie", why))?;
        for (station, rank) in &places {
            let row =
                rows.iter().find(|r| r.station_number == *station).ok_or_else(|| ApiError::internal("tied row"))?;
            store::results::set_place(conn, &row.id, *rank, TieNote::Decided.as_str())?;
        }
        let after = serde_json::json!({ "result_set": set.id, "order": decision.stations, "reason": reason });
        record(conn, &actor, "results.tie_decision", ("event", &event_id), None, Some(after))?;
        result_set_out(conn, set, false)
    })
    .await
}

/// Publishes provisional results for publicity (公示), unchanged since they were computed.
pub async fn publish(
    db: &Db,
    actor: Actor,
    event_id: String,
    now: NaiveDateTime,
    zone: Zone,
) -> ApiResult<ResultSetOut> {
    db.write(move |conn| {
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
        crate::service::disqualifications::require_results_current(conn, &event_id, set.computed_at)?;
        let undecided = store::results::rows_of(conn, &set.id)?
            .into_iter()
            .filter(|r| r.tie_note.as_deref() == Some(TieNote::DecisionRequired.as_str()))
            .map(|r| r.station_number.to_string())
            .collect::<Vec<_>>();
        if !undecided.is_empty() {
            return Err(ApiError::conflict(
                "tie_decision_required",
                format!(
                    "stations {} are tied for the committee's decision: the chief judge records it first",
                    undecided.join(", ")
                ),
            ));
        }
        let adjustments = store::calendar::adjustments(conn)?;
        let (event, _, _) = store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
        let days = store::competitions::find(conn, &event.competition_id)?
            .map(|(c, _, _)| c.results_publicity_days)
            .unwrap_or(RESULTS_PUBLICITY_WORKING_DAYS);
        set.status = ResultSetStatus::Publicity.as_str().into();
        set.published_at = Some(now);
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
        crate::service::stages::follow_event(conn, &actor, &event_id, now, zone)?;
        result_set_out(conn, set, false)
    })
    .await
}

/// Results become final (the event's, not the competition's lifecycle state): after their publicity, with no appeal waiting; then the top finishers go on to the tier above.
pub async fn finalise(
    db: &Db,
    actor: Actor,
    event_id: String,
    now: NaiveDateTime,
    zone: Zone,
) -> ApiResult<ResultSetOut> {
    db.write(move |conn| {
        load_decrypted(conn, &actor, &event_id)?;
        let mut set = latest_set(conn, &event_id)?;
        if !set.is(ResultSetStatus::Publicity) {
            return Err(ApiError::conflict(
                "not_in_publicity",
                format!("results become final after their publicity (they are {})", set.status),
            ));
        }
        // What is made final is what was verified against the marks: a mark changed since (an
        // upheld appeal) means results computed, published and publicised again.
        if current_digest(conn, &event_id)? != set.marks_digest {
            return Err(ApiError::conflict(
                "marks_changed",
                "the marks changed after these results were computed: compute and publish them again",
            ));
        }
        crate::service::disqualifications::require_results_current(conn, &event_id, set.computed_at)?;
        let pending = store::results::appeals_of_event(conn, &event_id)?
            .iter()
            .filter(|a| a.status().is_ok_and(|s| s.is_pending()))
            .count();
        let appeal_deadline = crate::service::appeals::appeal_deadline(conn, &event_id, zone)?;
        use crate::domain::ranking::{may_finalise, FinaliseRefusal};
        may_finalise(pending, appeal_deadline, set.publicity_ends_at, now).map_err(|refusal| match refusal {
            FinaliseRefusal::AppealsPending(n) => {
                ApiError::conflict("appeals_open", format!("{n} appeals wait for the arbiter's ruling"))
            }
            FinaliseRefusal::AppealWindowOpen(deadline) => ApiError::conflict(
                "appeal_window_open",
                format!("contestants may appeal until {}", zone.describe(deadline)),
            )
            .with_extra(serde_json::json!({ "deadline": crate::wire::utc(deadline) })),
            FinaliseRefusal::PublicityNotOver(end) => ApiError::conflict(
                "publicity_not_over",
                format!("the publicity (公示) runs until {}", zone.describe(end)),
            ),
        })?;
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
        crate::service::stages::follow_event(conn, &actor, &event_id, now, zone)?;
        result_set_out(conn, set, false)
    })
    .await
}

/// An event's results for export: names and whole ID numbers for the organisers, published
/// results with masked numbers for everyone else.
pub async fn event_export(db: &Db, actor: Option<Actor>, event_id: String) -> ApiResult<ResultsExport> {
    let (title, sets) = db
        .read(move |conn| {
            let (event, _, _) = store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let (competition, host_path, _) =
                store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let set = visible_results(conn, actor.as_ref(), &event, &host_path)?
                .ok_or_else(|| ApiError::not_found("results"))?;
            Ok((format!("{} {}", competition.name, event.name), vec![(event.name, set)]))
        })
        .await?;
    Ok(ResultsExport { title, sets })
}

/// All events' results of a competition for export (events without visible results are left out).
pub async fn competition_export(db: &Db, actor: Option<Actor>, competition_id: String) -> ApiResult<ResultsExport> {
    let (title, sets) = db
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
    Ok(ResultsExport { title, sets })
}

/// Result sets to write out, each under its event's name.
pub struct ResultsExport {
    pub title: String,
    pub sets: Vec<(String, ResultSetOut)>,
}

impl ResultsExport {
    /// As a workbook (built off the async workers).
    pub async fn xlsx(self) -> ApiResult<Vec<u8>> {
        off_workers(move || results_workbook(&self.title, &self.sets)).await
    }

    /// As CSV with a byte-order mark, so that Excel reads the Chinese right.
    pub fn csv(&self) -> String {
        results_csv(&self.sets)
    }
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

/// Counts of competitors, completion and the score distribution of an event (its organisers, and
/// officials over its host).
pub async fn event_statistics(db: &Db, actor: Actor, event_id: String) -> ApiResult<EventStatistics> {
    use crate::domain::registration::RegistrationStatus as S;
    db.read(move |conn| {
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
    .await
}

/// The event's latest results as the caller may see them, and whether that is the public view:
/// its organisers see the latest set in any state; everyone else the publicised one, with
/// masked ID numbers. Anonymous readers of recently checked results touch no database.
pub async fn results_for(
    db: &Db,
    cache: &PublicResultsCache,
    actor: Option<Actor>,
    event_id: String,
) -> ApiResult<(Arc<ResultSetOut>, bool)> {
    if actor.is_none() {
        if let Some(out) = cache.recent(&event_id) {
            return Ok((out, true));
        }
    }
    let cache = cache.clone();
    db.read(move |conn| {
        if let Some(actor) = &actor {
            let (event, _, _) = store::events::find(conn, &event_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            let (_, host_path, _) =
                store::competitions::find(conn, &event.competition_id)?.ok_or_else(|| ApiError::not_found("event"))?;
            if can_manage_competition(actor, &host_path) {
                let set = store::results::latest(conn, &event_id)?.ok_or_else(|| ApiError::not_found("results"))?;
                return Ok((Arc::new(result_set_out(conn, set, false)?), false));
            }
        }
        Ok((public_results(conn, &cache, &event_id)?, true))
    })
    .await
}

/// One page of a result set as JSON; the public's pages are kept, so that a popular page is
/// written out once.
pub fn page_json(
    cache: &PublicResultsCache,
    out: &Arc<ResultSetOut>,
    public: bool,
    page: &ResultsPage,
) -> ApiResult<Bytes> {
    let entries = slice(page, &out.entries)?;
    let key = (page.offset.unwrap_or(0), page.limit);
    if let Some(bytes) = public.then(|| cache.page(out, key)).flatten() {
        return Ok(bytes);
    }
    let page =
        ResultSetPage { summary: &out.summary, entry_count: out.entry_count, entries, disqualified: &out.disqualified };
    let bytes = Bytes::from(serde_json::to_vec(&page).map_err(|e| ApiError::internal(e.to_string()))?);
    if public {
        cache.keep_page(out, key, bytes.clone());
    }
    Ok(bytes)
}

/// The entries a page asks for (all by default; at most 1000).
fn slice<'a>(page: &ResultsPage, entries: &'a [ResultEntry]) -> ApiResult<&'a [ResultEntry]> {
    if page.limit.is_some_and(|n| !(1..=1000).contains(&n)) {
        return Err(ApiError::field("limit", "out_of_range", "limit is 1 to 1000"));
    }
    let from = page.offset.unwrap_or(0).min(entries.len());
    let to = page.limit.map_or(entries.len(), |n| (from + n).min(entries.len()));
    Ok(&entries[from..to])
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_csv_export_quotes_only_when_needed() {
        use crate::service::spreadsheet::csv_field;
        assert_eq!(csv_field("李娜"), "李娜");
        assert_eq!(csv_field("昆明, 五华"), "\"昆明, 五华\"");
    }
}
