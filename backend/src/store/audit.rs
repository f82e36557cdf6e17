//! Appending to and reading the hash-chained audit trail.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::StoreResult;
use crate::db::schema::{audit_head, audit_records};
use crate::db::DbConnection;
use crate::domain::audit_chain::{check_link, record_hash, ChainBreak, ChainedFields, GENESIS_HASH};

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
    fn at_text(&self) -> String {
        format_at(self.at)
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
    let (head_seq, head_hash): (i64, String) =
        audit_head::table.find(1).select((audit_head::seq, audit_head::hash)).first(conn)?;
    let seq = head_seq + 1;
    let id = super::new_id();
    let at_text = format_at(at);
    let before_json = entry.before.map(|v| v.to_string());
    let after_json = entry.after.map(|v| v.to_string());
    let hash = record_hash(
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
            let fields = ChainedFields {
                seq: row.seq,
                id: &row.id,
                at: &at,
                actor_user_id: row.actor_user_id.as_deref(),
                action: &row.action,
                entity_type: &row.entity_type,
                entity_id: row.entity_id.as_deref(),
                before_json: row.before_json.as_deref(),
                after_json: row.after_json.as_deref(),
                request_id: row.request_id.as_deref(),
            };
            if let Err(broken) = check_link(expected, &prev_hash, &row.prev_hash, &row.hash, &fields) {
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
