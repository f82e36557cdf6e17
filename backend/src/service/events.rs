//! Events as their readers see them.

use crate::db::DbConnection;
use crate::domain::event::{default_tie_breaks, EventMode, Track, Weights};
use crate::error::{ApiError, ApiResult};
use crate::store;
use crate::store::events::EventWithTrade;
use crate::wire::events::{session_out, EventOut, SessionOut};
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
