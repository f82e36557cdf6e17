//! The audit trail's entries, written by every mutation inside its own transaction (the chain
//! itself is `store::audit`).

use chrono::NaiveDateTime;

use crate::auth::policy::require_admin;
use crate::auth::Actor;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::store::{self, audit::AuditFilter};
use crate::wire::audit::{AuditPage, AuditQuery, AuditRecordOut, AuditVerification};
use crate::wire::{split_page, utc, PageParams};

/// Writes the audit record of a mutation by `actor`, inside the mutation's transaction.
pub fn record(
    conn: &mut crate::db::DbConnection,
    actor: &crate::auth::Actor,
    action: &str,
    entity: (&str, &str),
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> ApiResult<()> {
    record_as(conn, Some(&actor.user_id), actor.request_id.as_deref(), action, entity, before, after, actor.at)
}

/// The same, for flows without an authenticated actor (sign-up, login).
pub fn record_as(
    conn: &mut crate::db::DbConnection,
    user_id: Option<&str>,
    request_id: Option<&str>,
    action: &str,
    entity: (&str, &str),
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    at: NaiveDateTime,
) -> ApiResult<()> {
    crate::store::audit::append(
        conn,
        crate::store::audit::AuditEntry {
            actor_user_id: user_id,
            action,
            entity_type: entity.0,
            entity_id: Some(entity.1),
            before,
            after,
            request_id,
        },
        at,
    )?;
    Ok(())
}

pub fn verification(result: Result<i64, crate::domain::audit_chain::ChainBreak>) -> AuditVerification {
    match result {
        Ok(n) => AuditVerification { intact: true, records_verified: n, first_break: None },
        Err(broken) => {
            let verified = match &broken {
                crate::domain::audit_chain::ChainBreak::HashMismatch { seq }
                | crate::domain::audit_chain::ChainBreak::BrokenLink { seq }
                | crate::domain::audit_chain::ChainBreak::Unkeyed { seq, .. } => seq - 1,
                crate::domain::audit_chain::ChainBreak::Gap { expected, .. } => expected - 1,
                crate::domain::audit_chain::ChainBreak::HeadMismatch { last_seq, .. } => *last_seq,
            };
            AuditVerification { intact: false, records_verified: verified, first_break: Some(broken.to_string()) }
        }
    }
}

/// The audit trail, newest first, filtered (admins only).
pub async fn list_records(db: &Db, actor: Actor, q: AuditQuery) -> ApiResult<AuditPage> {
    require_admin(&actor)?;
    let limit = PageParams { limit: q.limit, cursor: None }.limit()?;
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from >= to {
            return Err(ApiError::field("to", "before_from", "'to' must be after 'from'"));
        }
    }
    let before_seq = q
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| ApiError::field("cursor", "invalid_cursor", "use the next_cursor of a previous page"))
        })
        .transpose()?;
    let filter = AuditFilter {
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        actor_user_id: q.actor_user_id,
        action: q.action,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
        before_seq,
        limit: limit + 1,
    };
    let (rows, names) = db
        .read(move |conn| {
            let rows = store::audit::list(conn, &filter)?;
            // Who acted, by username: the page names people, not ids.
            let actors: Vec<String> = rows.iter().filter_map(|r| r.actor_user_id.clone()).collect();
            let names = store::users::usernames(conn, &actors)?;
            Ok((rows, names))
        })
        .await?;
    let (rows, next_cursor) = split_page(rows, limit, |r| r.seq.to_string());
    let items = rows
        .into_iter()
        .map(|r| AuditRecordOut {
            seq: r.seq,
            id: r.id,
            at: utc(r.at),
            actor_username: r.actor_user_id.as_ref().and_then(|id| names.get(id).cloned()),
            actor_user_id: r.actor_user_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: r.before_json.and_then(|j| serde_json::from_str(&j).ok()),
            after: r.after_json.and_then(|j| serde_json::from_str(&j).ok()),
            request_id: r.request_id,
            hash: r.hash,
        })
        .collect();
    Ok(AuditPage { items, next_cursor })
}

/// Walks the whole hash chain and reports the first broken link (admins only).
pub async fn verify_chain(db: &Db, actor: Actor) -> ApiResult<AuditVerification> {
    require_admin(&actor)?;
    let result = db.read(|conn| Ok(store::audit::verify_chain(conn)?)).await?;
    Ok(verification(result))
}
