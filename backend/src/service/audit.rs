//! The audit trail's entries, written by every mutation inside its own transaction (the chain
//! itself is `store::audit`).

use chrono::NaiveDateTime;

use crate::error::ApiResult;
use crate::wire::audit::AuditVerification;

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
                | crate::domain::audit_chain::ChainBreak::BrokenLink { seq } => seq - 1,
                crate::domain::audit_chain::ChainBreak::Gap { expected, .. } => expected - 1,
                crate::domain::audit_chain::ChainBreak::HeadMismatch { last_seq, .. } => *last_seq,
            };
            AuditVerification { intact: false, records_verified: verified, first_break: Some(broken.to_string()) }
        }
    }
}
