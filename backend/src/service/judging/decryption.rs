//! Decryption (解密): the encryption judge opens the draw once every section is locked, a supervisor confirms.

use chrono::NaiveDateTime;

use super::{review_out, unlocked_sections};
use crate::auth::Actor;
use crate::db::Db;
use crate::domain::role::EventRole;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::load;
use crate::store;
use crate::wire::judging::DecryptionOut;
use crate::wire::utc;

/// The encryption judge asks to decrypt the event.
pub async fn request(db: &Db, actor: Actor, event_id: String, now: NaiveDateTime) -> ApiResult<DecryptionOut> {
    db.write(move |conn| {
        load::roles_requiring(conn, &actor, &event_id, &[EventRole::EncryptionJudge], "decryption")?;
        let (event, _, _) = load::event_for_roles(conn, &event_id)?;
        let unlocked = unlocked_sections(conn, &event_id)?;
        if !unlocked.is_empty() {
            return Err(ApiError::conflict(
                "sections_not_locked",
                format!("decryption waits until every section is locked (sections {unlocked:?} are not)"),
            ));
        }
        let review = review_out(conn, &event)?;
        if !review.complete {
            return Err(ApiError::conflict(
                "review_incomplete",
                "decryption waits until the review (复核) is complete",
            ));
        }
        let mut judging = store::judging::judging_of(conn, &event_id)?;
        if judging.decrypted_at.is_some() {
            return Err(ApiError::conflict("already_decrypted", "the event is decrypted"));
        }
        judging.decryption_requested_by = Some(actor.user_id.clone());
        judging.decryption_requested_at = Some(now);
        store::judging::save_judging(conn, &judging)?;
        record(conn, &actor, "judging.decryption_request", ("event", &event_id), None, None)?;
        Ok(DecryptionOut { event_id, requested_at: judging.decryption_requested_at.map(utc), decrypted_at: None })
    })
    .await
}

/// A supervisor confirms the decryption: stations become names.
pub async fn confirm(
    db: &Db,
    actor: Actor,
    event_id: String,
    now: NaiveDateTime,
    zone: crate::domain::time::Zone,
) -> ApiResult<DecryptionOut> {
    db.write(move |conn| {
        load::roles_requiring(conn, &actor, &event_id, &[EventRole::Supervisor], "confirming decryption")?;
        let mut judging = store::judging::judging_of(conn, &event_id)?;
        let Some(requester) = judging.decryption_requested_by.clone() else {
            return Err(ApiError::conflict("not_requested", "the encryption judge has not asked for decryption"));
        };
        if requester == actor.user_id {
            return Err(ApiError::conflict(
                "same_person",
                "decryption needs two people: the encryption judge and a supervisor",
            ));
        }
        if judging.decrypted_at.is_some() {
            return Err(ApiError::conflict("already_decrypted", "the event is decrypted"));
        }
        judging.decrypted_by = Some(actor.user_id.clone());
        judging.decrypted_at = Some(now);
        store::judging::save_judging(conn, &judging)?;
        record(
            conn,
            &actor,
            "judging.decrypt",
            ("event", &event_id),
            None,
            Some(serde_json::json!({ "requested_by": requester })),
        )?;
        crate::service::stages::follow_event(conn, &actor, &event_id, now, zone)?;
        Ok(DecryptionOut {
            event_id,
            requested_at: judging.decryption_requested_at.map(utc),
            decrypted_at: judging.decrypted_at.map(utc),
        })
    })
    .await
}
