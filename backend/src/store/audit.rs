//! Appending to and reading the hash-chained audit trail.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::StoreResult;
use crate::db::schema::{audit_head, audit_records};
use crate::db::DbConnection;
use crate::domain::audit_chain::{
    anchor_line, check_link, read_anchor, record_hash, ChainBreak, ChainKey, ChainedFields, GENESIS_HASH,
};

/// The chain's key and the first record it seals (earlier ones predate keying), from the
/// process's settings (`install_key`, at start-up): kept in memory, never in the database they
/// protect. One process serves one installation, so one key.
static CHAIN_KEY: std::sync::OnceLock<(ChainKey, i64)> = std::sync::OnceLock::new();

/// Sets the chain's key for this process; the first key installed stays.
pub fn install_key(key: ChainKey, keyed_from: i64) {
    let _ = CHAIN_KEY.set((key, keyed_from.max(1)));
}

fn installed() -> StoreResult<&'static (ChainKey, i64)> {
    CHAIN_KEY.get().ok_or_else(|| super::StoreError::Corrupt("the audit chain's key is not installed".into()))
}

fn chain_key() -> StoreResult<&'static ChainKey> {
    Ok(&installed()?.0)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_records)]
pub struct AuditRow {
    pub seq: i64,
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    /// The record's time as its seal covers it.
    pub fn at_text(&self) -> String {
        format_at(self.at)
    }

    /// The fields its seal covers; `at` is `at_text()`.
    pub fn chained<'a>(&'a self, at: &'a str) -> ChainedFields<'a> {
        ChainedFields {
            seq: self.seq,
            id: &self.id,
            at,
            actor_user_id: self.actor_user_id.as_deref(),
            action: &self.action,
            entity_type: &self.entity_type,
            entity_id: self.entity_id.as_deref(),
            before_json: self.before_json.as_deref(),
            after_json: self.after_json.as_deref(),
            request_id: self.request_id.as_deref(),
        }
    }
}

fn format_at(at: NaiveDateTime) -> String {
    at.and_utc().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// What happened, by whom, to what: one mutation.
pub struct AuditEntry<'a> {
    pub actor_user_id: Option<&'a str>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<&'a str>,
}

/// A snapshot of a wire value for the trail.
pub fn snapshot<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// Appends one record inside the caller's transaction. Touching the head row first takes its
/// write lock (a row lock on PostgreSQL, the database lock on SQLite), so concurrent appends
/// line up one after another and each sees the true previous hash.
pub fn append(conn: &mut DbConnection, entry: AuditEntry, at: NaiveDateTime) -> StoreResult<i64> {
    diesel::update(audit_head::table.find(1)).set(audit_head::seq.eq(audit_head::seq)).execute(conn)?;
    let (head_seq, head_hash, keyed_from): (i64, String, i64) =
        audit_head::table.find(1).select((audit_head::seq, audit_head::hash, audit_head::keyed_from)).first(conn)?;
    let seq = head_seq + 1;
    // Every record from the database's keying point on is sealed with the key.
    let key = if seq >= keyed_from { Some(chain_key()?) } else { None };
    let id = super::new_id();
    let at_text = format_at(at);
    let before_json = entry.before.map(|v| v.to_string());
    let after_json = entry.after.map(|v| v.to_string());
    let hash = record_hash(
        key,
        &head_hash,
        &ChainedFields {
            seq,
            id: &id,
            at: &at_text,
            actor_user_id: entry.actor_user_id,
            action: entry.action,
            entity_type: entry.entity_type,
            entity_id: entry.entity_id,
            before_json: before_json.as_deref(),
            after_json: after_json.as_deref(),
            request_id: entry.request_id,
        },
    );
    let row = AuditRow {
        seq,
        id,
        at,
        actor_user_id: entry.actor_user_id.map(String::from),
        action: entry.action.to_string(),
        entity_type: entry.entity_type.to_string(),
        entity_id: entry.entity_id.map(String::from),
        before_json,
        after_json,
        request_id: entry.request_id.map(String::from),
        prev_hash: head_hash,
        hash: hash.clone(),
    };
    diesel::insert_into(audit_records::table).values(&row).execute(conn)?;
    diesel::update(audit_head::table.find(1))
        .set((audit_head::seq.eq(seq), audit_head::hash.eq(hash)))
        .execute(conn)?;
    Ok(seq)
}

#[derive(Debug, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub action: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Newest first: records with seq below this.
    pub before_seq: Option<i64>,
    pub limit: i64,
}

pub fn list(conn: &mut DbConnection, f: &AuditFilter) -> StoreResult<Vec<AuditRow>> {
    let mut query = audit_records::table.select(AuditRow::as_select()).into_boxed();
    if let Some(v) = &f.entity_type {
        query = query.filter(audit_records::entity_type.eq(v.clone()));
    }
    if let Some(v) = &f.entity_id {
        query = query.filter(audit_records::entity_id.eq(v.clone()));
    }
    if let Some(v) = &f.actor_user_id {
        query = query.filter(audit_records::actor_user_id.eq(v.clone()));
    }
    if let Some(v) = &f.action {
        query = query.filter(audit_records::action.eq(v.clone()));
    }
    if let Some(v) = f.from {
        query = query.filter(audit_records::at.ge(v));
    }
    if let Some(v) = f.to {
        query = query.filter(audit_records::at.lt(v));
    }
    if let Some(v) = f.before_seq {
        query = query.filter(audit_records::seq.lt(v));
    }
    Ok(query.order(audit_records::seq.desc()).limit(f.limit).load(conn)?)
}

/// Walks the whole chain in order, a page at a time; returns how many records verified, or the
/// first break.
pub fn verify_chain(conn: &mut DbConnection) -> StoreResult<Result<i64, ChainBreak>> {
    const PAGE: i64 = 1_000;
    // Which records may carry unkeyed seals is the settings' word, not the database's.
    let (key, vouched_from) = installed()?;
    let recorded_from: i64 = audit_head::table.find(1).select(audit_head::keyed_from).first(conn)?;
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut expected = 1i64;
    loop {
        let page: Vec<AuditRow> = audit_records::table
            .filter(audit_records::seq.ge(expected))
            .order(audit_records::seq.asc())
            .limit(PAGE)
            .select(AuditRow::as_select())
            .load(conn)?;
        for row in &page {
            let at = row.at_text();
            let fields = row.chained(&at);
            let seal = (row.seq >= *vouched_from).then_some(key);
            if let Err(broken) = check_link(seal, expected, &prev_hash, &row.prev_hash, &row.hash, &fields) {
                let unkeyed = seal.is_some() && record_hash(None, &prev_hash, &fields) == row.hash;
                if unkeyed && row.seq < recorded_from {
                    return Ok(Err(ChainBreak::Unkeyed { seq: row.seq, keyed_from: recorded_from }));
                }
                return Ok(Err(broken));
            }
            prev_hash = row.hash.clone();
            expected += 1;
        }
        if (page.len() as i64) < PAGE {
            break;
        }
    }
    let (head_seq, head_hash): (i64, String) =
        audit_head::table.find(1).select((audit_head::seq, audit_head::hash)).first(conn)?;
    let last_seq = expected - 1;
    if head_seq != last_seq || head_hash != prev_hash {
        return Ok(Err(ChainBreak::HeadMismatch { head_seq, last_seq }));
    }
    Ok(Ok(last_seq))
}

/// The signed anchor of the chain's head now, to keep outside the system.
pub fn anchor(conn: &mut DbConnection) -> StoreResult<String> {
    let (seq, hash): (i64, String) =
        audit_head::table.find(1).select((audit_head::seq, audit_head::hash)).first(conn)?;
    Ok(anchor_line(chain_key()?, seq, &hash))
}

/// Whether the chain still holds what `anchor` (a line `anchor` printed earlier) vouches for:
/// the anchored record is there with the anchored hash. `Err` when the anchor itself is not
/// genuine. (Walk the chain with `verify_chain` too: this says the past was not rewritten.)
pub fn matches_anchor(conn: &mut DbConnection, anchor: &str) -> StoreResult<Result<bool, String>> {
    let (seq, hash) = match read_anchor(chain_key()?, anchor) {
        Ok(vouched) => vouched,
        Err(why) => return Ok(Err(why)),
    };
    if seq == 0 {
        return Ok(Ok(true));
    }
    let stored: Option<String> =
        audit_records::table.filter(audit_records::seq.eq(seq)).select(audit_records::hash).first(conn).optional()?;
    Ok(Ok(stored.as_deref() == Some(hash.as_str())))
}
