//! Events as their readers see them.

use chrono::NaiveDateTime;

use crate::auth::policy::can_manage_competition;
use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::competition::Status;
use crate::domain::event::{check_event_settings, EventSettings};
use crate::domain::event::{default_tie_breaks, EventMode, Track, Weights};
use crate::domain::organisation::{is_region_code, region_within};
use crate::domain::{keep, text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::load;
use crate::store::competitions::CompetitionWithHost;
use crate::store::events::{DocumentRow, EventRow, EventWithTrade};
use crate::store::StoreError;
use crate::store::{self, new_id};
use crate::wire::events::DocumentInput;
use crate::wire::events::{document_out, session_out, Attachment, DocumentOut, EventDetail, EventOut, SessionOut};
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
                id: row.id,
                competition_id: row.competition_id,
                name: row.name,
                team_size: row.team_size,
                standard_level: row.standard_level,
                quota_total: row.quota_total,
                quota_per_organisation: row.quota_per_org,
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
        weights: Weights { theory: row.theory_weight, practical: row.practical_weight },
        quota_total: row.quota_total,
        quota_per_organisation: row.quota_per_org,
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
    if e.is_duplicate() {
        ApiError::field("name", "name_taken", "the competition already has an event with this name")
    } else {
        e.into()
    }
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

pub fn load_document(conn: &mut DbConnection, event_id: &str, version: i32) -> ApiResult<DocumentRow> {
    store::events::documents_of(conn, event_id)?
        .into_iter()
        .find(|d| d.version == version)
        .ok_or_else(|| ApiError::not_found("document version"))
}

pub async fn get_event(db: &Db, actor: Option<Actor>, id: String) -> ApiResult<EventDetail> {
    db.read(move |conn| {
        let (event, competition) = load::event(conn, actor.as_ref(), &id)?;
        let manages = actor.as_ref().is_some_and(|a| can_manage_competition(a, &competition.1));
        let documents = visible_documents(conn, &id, manages)?;
        let marking_scheme = store::events::scheme_of(conn, &id)?.map(scheme_out);
        Ok(EventDetail {
            event: event_out(conn, event, manages)?,
            competition_name: competition.0.name,
            documents,
            marking_scheme,
        })
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
        if !store::events::save_document(conn, &doc)? {
            return Err(ApiError::conflict("document_frozen", "the version was published meanwhile"));
        }
        let out = document_out(doc);
        record(
            conn,
            &actor,
            "document.update",
            ("event", &event_id),
            None,
            Some(serde_json::json!({ "version": out.version, "title": out.title })),
        )?;
        Ok(out)
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
        if !store::events::save_document(conn, &doc)? {
            return Err(ApiError::conflict("document_frozen", "the version was published meanwhile"));
        }
        let out = document_out(doc);
        record(
            conn,
            &actor,
            "document.publish",
            ("event", &event_id),
            None,
            Some(serde_json::json!({ "version": out.version, "change_reason": out.change_reason })),
        )?;
        Ok(out)
    })
    .await
}
