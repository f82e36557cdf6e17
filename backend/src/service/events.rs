//! Events as their readers see them.

use crate::domain::ranking::TeamScoring;
use chrono::NaiveDateTime;

use crate::auth::policy::can_manage_competition;
use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::award::{check_rules, AwardRules};
use crate::domain::competition::Status;
use crate::domain::event::{check_event_settings, EventSettings};
use crate::domain::event::{default_tie_breaks, EventMode, Track, Weights};
use crate::domain::event::{overlapping, Sitting};
use crate::domain::organisation::{is_region_code, region_within};
use crate::domain::settings::SettingKey;
use crate::domain::time::Zone;
use crate::domain::{keep, text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::check_version;
use crate::service::load;
use crate::store::audit::snapshot;
use crate::store::competitions::CompetitionWithHost;
use crate::store::events::SessionRow;
use crate::store::events::{DocumentRow, EventRow, EventWithTrade};
use crate::store::StoreError;
use crate::store::{self, new_id};
use crate::wire::events::DocumentInput;
use crate::wire::events::{document_out, session_out, Attachment, DocumentOut, EventDetail, EventOut, SessionOut};
use crate::wire::events::{EventPatch, NewEvent, NewSession};
use crate::wire::schemes::scheme_out;
use crate::wire::trades::{trade_out, TradeOut};
use crate::wire::utc;

/// The wire form of one event.
pub fn event_out(conn: &mut DbConnection, event: EventWithTrade, _manages: bool) -> ApiResult<EventOut> {
    event_outs(conn, vec![event]).map(|mut v| v.remove(0))
}

/// The wire form of many events, with their sittings, documents, schemes and trades read in four
/// queries whatever their number (a provincial final has 50+ events).
pub fn event_outs(conn: &mut DbConnection, events: Vec<EventWithTrade>) -> ApiResult<Vec<EventOut>> {
    use std::collections::{HashMap, HashSet};
    let ids: Vec<String> = events.iter().map(|(e, _, _)| e.id.clone()).collect();
    let trade_ids: Vec<String> = events.iter().map(|(e, _, _)| e.trade_id.clone()).collect();
    let mut sessions: HashMap<String, Vec<SessionOut>> = HashMap::new();
    for s in store::events::sessions_of_many(conn, &ids)? {
        sessions.entry(s.event_id.clone()).or_default().push(session_out(s));
    }
    let mut published: HashMap<String, i32> = HashMap::new();
    for (event_id, version) in store::events::published_versions(conn, &ids)? {
        let entry = published.entry(event_id).or_insert(version);
        *entry = (*entry).max(version);
    }
    let schemes: HashSet<String> = store::events::with_scheme(conn, &ids)?.into_iter().collect();
    let complete: HashSet<String> = store::events::with_aspects(conn, &ids)?.into_iter().collect();
    let trades: HashMap<String, TradeOut> =
        store::trades::find_many(conn, &trade_ids)?.into_iter().map(|t| (t.id.clone(), trade_out(t))).collect();
    events
        .into_iter()
        .map(|(row, trade_code, trade_name)| {
            let trade = trades.get(&row.trade_id).cloned().ok_or_else(|| {
                ApiError::internal(format!("event {} has no trade {trade_code} {trade_name}", row.id))
            })?;
            Ok(EventOut {
                mode: EventMode::parse(&row.mode).unwrap_or(EventMode::Individual),
                track: Track::parse(&row.track).unwrap_or(Track::Worker),
                weights: Weights { theory: row.theory_weight, practical: row.practical_weight },
                tie_breaks: serde_json::from_str(&row.tie_breaks).unwrap_or_else(|_| default_tie_breaks()),
                prize_bands: serde_json::from_str(&row.prize_bands).unwrap_or_default(),
                award_rules: row.award_rules.as_deref().and_then(|j| serde_json::from_str(j).ok()),
                trade,
                sessions: sessions.remove(&row.id).unwrap_or_default(),
                published_document_version: published.get(&row.id).copied(),
                has_marking_scheme: schemes.contains(&row.id),
                scheme_complete: complete.contains(&row.id),
                stage: None,
                id: row.id,
                competition_id: row.competition_id,
                name: row.name,
                team_size: row.team_size,
                team_scoring: row.team_scoring.as_deref().and_then(TeamScoring::parse),
                standard_level: row.standard_level,
                quota_total: row.quota_total,
                quota_per_organisation: row.quota_per_org,
                prefecture_quotas: row.prefecture_quotas.as_deref().and_then(|j| serde_json::from_str(j).ok()),
                min_age: row.min_age,
                max_age: row.max_age,
                min_skill_level: row.min_skill_level,
                region_code: row.region_code,
                qualifiers_count: row.qualifiers_count,
                review_levels: row.review_levels,
                appeal_window_minutes: row.appeal_window_minutes,
                appeal_window_working_days: row.appeal_window_working_days,
                version: row.version,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
            })
        })
        .collect()
}

/// A team event scores as asked, else as before, else as one; an individual event keeps what was
/// asked so that the rules refuse it.
fn team_scoring_of(mode: EventMode, asked: Option<TeamScoring>, current: Option<&str>) -> Option<String> {
    match mode {
        EventMode::Team => {
            Some(asked.or_else(|| current.and_then(TeamScoring::parse)).unwrap_or(TeamScoring::AsOne).as_str().into())
        }
        EventMode::Individual => asked.map(|s| s.as_str().into()),
    }
}

pub fn require_setup_stage(competition: &CompetitionWithHost) -> ApiResult<Status> {
    let status = competition.0.status()?;
    if status.setup_editable() {
        Ok(status)
    } else {
        Err(ApiError::conflict(
            "competition_locked",
            format!("events are fixed once registration opens (the competition is {status})"),
        ))
    }
}

pub fn settings_of(row: &EventRow) -> ApiResult<EventSettings> {
    Ok(EventSettings {
        mode: EventMode::parse(&row.mode).unwrap_or(EventMode::Individual),
        team_size: row.team_size,
        team_scoring: row.team_scoring.as_deref().and_then(TeamScoring::parse),
        weights: Weights { theory: row.theory_weight, practical: row.practical_weight },
        quota_total: row.quota_total,
        quota_per_organisation: row.quota_per_org,
        prefecture_quotas: row.prefecture_quotas.as_deref().and_then(|j| serde_json::from_str(j).ok()),
        min_age: row.min_age,
        max_age: row.max_age,
        min_skill_level: row.min_skill_level,
        standard_level: row.standard_level,
        qualifiers_count: row.qualifiers_count,
        review_levels: row.review_levels,
        appeal_window_minutes: row.appeal_window_minutes,
        appeal_window_working_days: row.appeal_window_working_days,
        tie_breaks: serde_json::from_str(&row.tie_breaks).map_err(|e| ApiError::internal(e.to_string()))?,
        prize_bands: serde_json::from_str(&row.prize_bands).map_err(|e| ApiError::internal(e.to_string()))?,
    })
}

/// Checks an event row: its rules, its trade, its region within the host's, its name.
pub fn check_event_row(conn: &mut DbConnection, row: &EventRow, host_region: &str) -> ApiResult<()> {
    let mut violations = check_event_settings(&settings_of(row)?);
    if store::trades::find(conn, &row.trade_id)?.is_none() {
        violations.push(Violation::new("trade_id", "unknown_trade", "no trade has this id"));
    }
    if let Some(rules) = row.award_rules.as_deref().and_then(|j| serde_json::from_str::<AwardRules>(j).ok()) {
        for v in check_rules(&rules) {
            violations.push(Violation::new(&format!("award_rules.{}", v.field), &v.code, v.message));
        }
    }
    if let Some(region) = &row.region_code {
        if !is_region_code(region) {
            violations.push(Violation::new(
                "region_code",
                "invalid_region_code",
                "a region code is six digits (GB/T 2260)",
            ));
        } else if !region_within(region, host_region) {
            violations.push(Violation::new(
                "region_code",
                "region_outside_host",
                format!("{region} is outside the host's region {host_region}"),
            ));
        }
    }
    for code in settings_of(row)?.prefecture_quotas.unwrap_or_default().keys() {
        if !region_within(code, host_region) {
            violations.push(Violation::new(
                &format!("prefecture_quotas.{code}"),
                "region_outside_host",
                format!("{code} is outside the host's region {host_region}"),
            ));
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(violations))
    }
}

pub fn host_region(conn: &mut DbConnection, competition: &CompetitionWithHost) -> ApiResult<String> {
    Ok(store::organisations::find(conn, &competition.0.host_org_id)?.map(|o| o.region_code).unwrap_or_default())
}

pub fn event_name_taken(e: StoreError) -> ApiError {
    e.duplicate_means(|| ApiError::field("name", "name_taken", "the competition already has an event with this name"))
}

pub fn visible_documents(conn: &mut DbConnection, event_id: &str, manages: bool) -> ApiResult<Vec<DocumentOut>> {
    Ok(store::events::documents_of(conn, event_id)?
        .into_iter()
        .filter(|d| manages || d.status != "draft")
        .map(document_out)
        .collect())
}

pub fn pick<T: Clone>(patch: Option<Option<T>>, current: Option<T>) -> Option<T> {
    match patch {
        Some(v) => v,
        None => current,
    }
}

pub fn check_document(title: &str, body: &str, attachments: &[Attachment]) -> ApiResult<(String, String)> {
    let mut violations = Vec::new();
    let title = keep(&mut violations, text::required("title", title, 200));
    if body.trim().is_empty() {
        violations.push(Violation::new("body", "required", "must not be empty"));
    } else if body.chars().count() > 100_000 {
        violations.push(Violation::new("body", "too_long", "at most 100,000 characters"));
    }
    if attachments.len() > 50 {
        violations.push(Violation::new("attachments", "too_many", "at most 50 attachments"));
    }
    for (i, a) in attachments.iter().enumerate() {
        if a.name.trim().is_empty() || a.name.chars().count() > 200 {
            violations.push(Violation::new(
                &format!("attachments[{i}].name"),
                "invalid_name",
                "a file name of 1 to 200 characters",
            ));
        }
        if a.size_bytes < 0 {
            violations.push(Violation::new(
                &format!("attachments[{i}].size_bytes"),
                "out_of_range",
                "a size cannot be negative",
            ));
        }
        if a.sha256.len() != 64 || !a.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            violations.push(Violation::new(
                &format!("attachments[{i}].sha256"),
                "invalid_digest",
                "64 hexadecimal characters",
            ));
        }
    }
    if violations.is_empty() {
        Ok((title.unwrap_or_default(), body.to_string()))
    } else {
        Err(ApiError::validation(violations))
    }
}

/// Saves a change to a draft version and records `action` with what `detail` picks of it; a
/// version published meanwhile is refused (a published version never changes).
fn save_draft(
    conn: &mut DbConnection,
    actor: &Actor,
    doc: DocumentRow,
    action: &str,
    detail: impl Fn(&DocumentOut) -> serde_json::Value,
) -> ApiResult<DocumentOut> {
    if !store::events::save_document(conn, &doc)? {
        return Err(ApiError::conflict("document_frozen", "the version was published meanwhile"));
    }
    let out = document_out(doc);
    record(conn, actor, action, ("event", &out.event_id), None, Some(detail(&out)))?;
    Ok(out)
}

pub fn load_document(conn: &mut DbConnection, event_id: &str, version: i32) -> ApiResult<DocumentRow> {
    store::events::documents_of(conn, event_id)?
        .into_iter()
        .find(|d| d.version == version)
        .ok_or_else(|| ApiError::not_found("document version"))
}

pub async fn get_event(
    db: &Db,
    actor: Option<Actor>,
    id: String,
    now: NaiveDateTime,
    zone: crate::domain::time::Zone,
) -> ApiResult<EventDetail> {
    db.read(move |conn| {
        let (event, competition) = load::event(conn, actor.as_ref(), &id)?;
        let stage = crate::service::stages::stage_of(conn, &id, &competition.0, now, zone)?;
        let manages = actor.as_ref().is_some_and(|a| can_manage_competition(a, &competition.1));
        let documents = visible_documents(conn, &id, manages)?;
        let marking_scheme = store::events::scheme_of(conn, &id)?.map(scheme_out);
        let mut event = event_out(conn, event, manages)?;
        event.stage = Some(stage);
        Ok(EventDetail { event, competition_name: competition.0.name, documents, marking_scheme })
    })
    .await
}

pub async fn list_documents(db: &Db, actor: Option<Actor>, id: String) -> ApiResult<Vec<DocumentOut>> {
    db.read(move |conn| {
        let (_, competition) = load::event(conn, actor.as_ref(), &id)?;
        let manages = actor.as_ref().is_some_and(|a| can_manage_competition(a, &competition.1));
        visible_documents(conn, &id, manages)
    })
    .await
}

pub async fn create_document(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    event_id: String,
    input: DocumentInput,
    title: String,
    text_body: String,
) -> ApiResult<DocumentOut> {
    db.write(move |conn| {
        load::managed_event(conn, &actor, &event_id)?;
        let existing = store::events::documents_of(conn, &event_id)?;
        if existing.iter().any(|d| d.status == "draft") {
            return Err(ApiError::conflict("draft_exists", "a draft version already exists: edit or publish it"));
        }
        let at = now;
        let row = DocumentRow {
            id: new_id(),
            event_id: event_id.clone(),
            version: existing.iter().map(|d| d.version).max().unwrap_or(0) + 1,
            title,
            body: text_body,
            attachments: serde_json::to_string(&input.attachments).unwrap_or_else(|_| "[]".into()),
            status: "draft".into(),
            change_reason: None,
            published_at: None,
            published_by: None,
            created_by: Some(actor.user_id.clone()),
            created_at: at,
            updated_at: at,
        };
        store::events::insert_document(conn, &row)?;
        let out = document_out(row);
        record(
            conn,
            &actor,
            "document.create",
            ("event", &event_id),
            None,
            Some(serde_json::json!({ "version": out.version, "title": out.title })),
        )?;
        Ok(out)
    })
    .await
}

pub async fn update_document(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    event_id: String,
    version: i32,
    input: DocumentInput,
    title: String,
    text_body: String,
) -> ApiResult<DocumentOut> {
    db.write(move |conn| {
        load::managed_event(conn, &actor, &event_id)?;
        let mut doc = load_document(conn, &event_id, version)?;
        if doc.status != "draft" {
            return Err(ApiError::conflict(
                "document_frozen",
                "a published version never changes; start a new version",
            ));
        }
        doc.title = title;
        doc.body = text_body;
        doc.attachments = serde_json::to_string(&input.attachments).unwrap_or_else(|_| "[]".into());
        doc.updated_at = now;
        save_draft(
            conn,
            &actor,
            doc,
            "document.update",
            |out| serde_json::json!({ "version": out.version, "title": out.title }),
        )
    })
    .await
}

pub async fn publish_document(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    event_id: String,
    version: i32,
    reason: Option<String>,
) -> ApiResult<DocumentOut> {
    db.write(move |conn| {
        let (_, (competition, _, _)) = load::managed_event(conn, &actor, &event_id)?;
        let status = competition.status()?;
        if status == Status::Cancelled {
            return Err(ApiError::conflict("competition_locked", "the competition was cancelled"));
        }
        let mut doc = load_document(conn, &event_id, version)?;
        if doc.status != "draft" {
            return Err(ApiError::conflict("document_frozen", "this version is already published"));
        }
        if status.registration_has_opened() && reason.is_none() {
            return Err(ApiError::field(
                "reason",
                "change_reason_required",
                "registration has opened, so the published rules are frozen: a new version needs a reason",
            ));
        }
        let at = now;
        doc.status = "published".into();
        doc.change_reason = reason;
        doc.published_at = Some(at);
        doc.published_by = Some(actor.user_id.clone());
        doc.updated_at = at;
        store::events::supersede_documents(conn, &event_id, version)?;
        save_draft(
            conn,
            &actor,
            doc,
            "document.publish",
            |out| serde_json::json!({ "version": out.version, "change_reason": out.change_reason }),
        )
    })
    .await
}

pub async fn create_event(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    competition_id: String,
    input: NewEvent,
    trade_id: String,
    name: Option<String>,
) -> ApiResult<EventOut> {
    db.write(move |conn| {
        let competition = load::managed_competition(conn, &actor, &competition_id)?;
        require_setup_stage(&competition)?;
        let track = input.track.unwrap_or(Track::Worker);
        let trade = store::trades::find(conn, &trade_id)?
            .ok_or_else(|| ApiError::field("trade_id", "unknown_trade", "no trade has this id"))?;
        let default_name = match track {
            Track::Worker => trade.name.clone(),
            Track::Student => format!("{}（学生组）", trade.name),
            Track::Teacher => format!("{}（教师组）", trade.name),
        };
        let at = now;
        // What the organisers leave unsaid, the system settings give.
        let settings = store::settings::current(conn)?;
        let row = EventRow {
            id: new_id(),
            competition_id: competition_id.clone(),
            trade_id,
            name: name.unwrap_or(default_name),
            mode: input.mode.unwrap_or(EventMode::Individual).as_str().into(),
            team_size: input.team_size,
            track: track.as_str().into(),
            standard_level: input.standard_level,
            theory_weight: input.weights.unwrap_or_default().theory,
            practical_weight: input.weights.unwrap_or_default().practical,
            quota_total: input.quota_total,
            quota_per_org: input.quota_per_organisation.or(Some(settings.get(SettingKey::QuotaPerOrganisation))),
            min_age: input.min_age,
            max_age: input.max_age,
            min_skill_level: input.min_skill_level,
            region_code: input.region_code.clone(),
            qualifiers_count: input.qualifiers_count.unwrap_or(0),
            tie_breaks: serde_json::to_string(&input.tie_breaks.clone().unwrap_or_else(default_tie_breaks))
                .unwrap_or_default(),
            prize_bands: serde_json::to_string(&input.prize_bands.unwrap_or_default()).unwrap_or_default(),
            award_rules: input.award_rules.as_ref().map(|r| serde_json::to_string(r).unwrap_or_default()),
            review_levels: input.review_levels.unwrap_or(settings.get(SettingKey::ReviewLevels)),
            appeal_window_minutes: input.appeal_window_minutes.unwrap_or(settings.get(SettingKey::AppealWindowMinutes)),
            appeal_window_working_days: input.appeal_window_working_days,
            team_scoring: team_scoring_of(input.mode.unwrap_or(EventMode::Individual), input.team_scoring, None),
            prefecture_quotas: input.prefecture_quotas.as_ref().map(|q| serde_json::to_string(q).unwrap_or_default()),
            version: 1,
            created_at: at,
            updated_at: at,
        };
        let region = host_region(conn, &competition)?;
        check_event_row(conn, &row, &region)?;
        store::events::insert(conn, &row).map_err(event_name_taken)?;
        let found = store::events::find(conn, &row.id)?.ok_or_else(|| ApiError::internal("event vanished"))?;
        let out = event_out(conn, found, true)?;
        record(conn, &actor, "event.create", ("event", &out.id), None, snapshot(&out))?;
        Ok(out)
    })
    .await
}

pub async fn update_event(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    expected: i32,
    patch: EventPatch,
    trade_id: Option<String>,
    name: Option<String>,
) -> ApiResult<EventOut> {
    db.write(move |conn| {
        let ((current, trade_code, trade_name), competition) = load::managed_event(conn, &actor, &id)?;
        require_setup_stage(&competition)?;
        check_version(current.version, expected)?;
        let before = event_out(conn, (current.clone(), trade_code, trade_name), true)?;
        let weights =
            patch.weights.unwrap_or(Weights { theory: current.theory_weight, practical: current.practical_weight });
        let next = EventRow {
            trade_id: trade_id.unwrap_or_else(|| current.trade_id.clone()),
            name: name.unwrap_or_else(|| current.name.clone()),
            mode: patch.mode.map(|m| m.as_str().to_string()).unwrap_or_else(|| current.mode.clone()),
            team_size: pick(patch.team_size, current.team_size),
            track: patch.track.map(|t| t.as_str().to_string()).unwrap_or_else(|| current.track.clone()),
            standard_level: pick(patch.standard_level, current.standard_level),
            theory_weight: weights.theory,
            practical_weight: weights.practical,
            quota_total: pick(patch.quota_total, current.quota_total),
            quota_per_org: pick(patch.quota_per_organisation, current.quota_per_org),
            min_age: pick(patch.min_age, current.min_age),
            max_age: pick(patch.max_age, current.max_age),
            min_skill_level: pick(patch.min_skill_level, current.min_skill_level),
            region_code: pick(patch.region_code.clone(), current.region_code.clone()),
            qualifiers_count: patch.qualifiers_count.unwrap_or(current.qualifiers_count),
            tie_breaks: patch
                .tie_breaks
                .as_ref()
                .map(|t| serde_json::to_string(t).unwrap_or_default())
                .unwrap_or_else(|| current.tie_breaks.clone()),
            prize_bands: patch
                .prize_bands
                .map(|p| serde_json::to_string(&p).unwrap_or_default())
                .unwrap_or_else(|| current.prize_bands.clone()),
            award_rules: match &patch.award_rules {
                Some(r) => r.as_ref().map(|r| serde_json::to_string(r).unwrap_or_default()),
                None => current.award_rules.clone(),
            },
            review_levels: patch.review_levels.unwrap_or(current.review_levels),
            appeal_window_minutes: patch.appeal_window_minutes.unwrap_or(current.appeal_window_minutes),
            appeal_window_working_days: pick(patch.appeal_window_working_days, current.appeal_window_working_days),
            team_scoring: team_scoring_of(
                patch.mode.unwrap_or_else(|| EventMode::parse(&current.mode).unwrap_or(EventMode::Individual)),
                patch.team_scoring,
                current.team_scoring.as_deref(),
            ),
            prefecture_quotas: match &patch.prefecture_quotas {
                Some(q) => q.as_ref().map(|q| serde_json::to_string(q).unwrap_or_default()),
                None => current.prefecture_quotas.clone(),
            },
            version: current.version + 1,
            updated_at: now,
            ..current.clone()
        };
        let region = host_region(conn, &competition)?;
        check_event_row(conn, &next, &region)?;
        if !store::events::update_if_version(conn, &next, expected).map_err(event_name_taken)? {
            return Err(ApiError::precondition_failed(
                "the event changed while you were editing it; reload and try again",
            ));
        }
        let saved = store::events::find(conn, &id)?.ok_or_else(|| ApiError::not_found("event"))?;
        let out = event_out(conn, saved, true)?;
        record(conn, &actor, "event.update", ("event", &id), snapshot(&before), snapshot(&out))?;
        Ok(out)
    })
    .await
}

pub async fn delete_event(db: &Db, actor: Actor, id: String, expected: i32) -> ApiResult<()> {
    db.write(move |conn| {
        let (event, competition) = load::managed_event(conn, &actor, &id)?;
        require_setup_stage(&competition)?;
        check_version(event.0.version, expected)?;
        let before = event_out(conn, event, true)?;
        store::events::delete(conn, &id)?;
        record(conn, &actor, "event.delete", ("event", &id), snapshot(&before), None)
    })
    .await
}

pub async fn add_session(
    db: &Db,
    actor: Actor,
    zone: Zone,
    now: NaiveDateTime,
    event_id: String,
    input: NewSession,
    name: Option<String>,
    venue: Option<String>,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
) -> ApiResult<SessionOut> {
    db.write(move |conn| {
        let (_, (competition, _, _)) = load::managed_event(conn, &actor, &event_id)?;
        if !competition.status()?.is_before_running() {
            return Err(ApiError::conflict(
                "competition_locked",
                "the schedule is fixed once the competition is running",
            ));
        }
        // The days people read: a sitting at 07:30 Beijing time on the first day is 23:30 UTC
        // the day before, and inside the competition's dates.
        if zone.date_of(starts_at) < competition.starts_on || zone.date_of(ends_at) > competition.ends_on {
            return Err(ApiError::field(
                "starts_at",
                "outside_competition_dates",
                format!(
                    "sittings fall between {} and {} ({})",
                    competition.starts_on,
                    competition.ends_on,
                    zone.name()
                ),
            ));
        }
        let existing: Vec<SessionRow> = store::events::sessions_of(conn, &event_id)?;
        let sittings: Vec<Sitting> =
            existing.iter().map(|s| Sitting { id: s.id.clone(), starts_at: s.starts_at, ends_at: s.ends_at }).collect();
        let row = SessionRow {
            id: new_id(),
            event_id: event_id.clone(),
            kind: input.kind.as_str().into(),
            name: name.unwrap_or_default(),
            venue: venue.unwrap_or_default(),
            starts_at,
            ends_at,
            created_at: now,
        };
        if let Some(clash) = overlapping(&Sitting { id: row.id.clone(), starts_at, ends_at }, &sittings) {
            let clash_name = existing.iter().find(|s| s.id == clash.id).map(|s| s.name.clone()).unwrap_or_default();
            return Err(ApiError::field(
                "starts_at",
                "sessions_overlap",
                format!("overlaps '{clash_name}' of the same event"),
            ));
        }
        store::events::insert_session(conn, &row)?;
        let out = session_out(row);
        record(conn, &actor, "event.session_add", ("event", &event_id), None, snapshot(&out))?;
        Ok(out)
    })
    .await
}

pub async fn delete_session(db: &Db, actor: Actor, event_id: String, session_id: String) -> ApiResult<()> {
    db.write(move |conn| {
        let (_, (competition, _, _)) = load::managed_event(conn, &actor, &event_id)?;
        if !competition.status()?.is_before_running() {
            return Err(ApiError::conflict(
                "competition_locked",
                "the schedule is fixed once the competition is running",
            ));
        }
        let session = store::events::sessions_of(conn, &event_id)?
            .into_iter()
            .find(|s| s.id == session_id)
            .ok_or_else(|| ApiError::not_found("session"))?;
        store::events::delete_session(conn, &session.id)?;
        record(conn, &actor, "event.session_delete", ("event", &event_id), snapshot(&session_out(session)), None)
    })
    .await
}
