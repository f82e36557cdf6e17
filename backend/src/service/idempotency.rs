//! Idempotent writes (`Idempotency-Key`): the first request with a key does the work and keeps
//! its answer in the same transaction; a repeat with the same key and body gets that answer back,
//! a repeat with another body is refused.

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::store::idempotency::IdempotencyRow;
use crate::store::{self, new_id};

/// What a keyed request answers.
pub enum Once {
    /// The work ran now; its JSON body.
    Done(String),
    /// The work had run for this key before: the status and body it answered then.
    Replayed { status: u16, body: String },
}

/// A write the client may retry: its `Idempotency-Key` (none: every request does the work) and a
/// hash of the request, so that a key reused for another request is refused.
pub struct Retry {
    pub key: Option<String>,
    pub request_hash: String,
}

/// Runs `work` in one transaction, at most once per caller and key (none: every time), and
/// keeps its answer under the key with `status`.
pub async fn run_once<T, F>(
    db: &Db,
    actor: &Actor,
    retry: Retry,
    status: u16,
    now: NaiveDateTime,
    work: F,
) -> ApiResult<Once>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConnection, &Actor) -> ApiResult<T> + Send + 'static,
{
    let body_of = |out: &T| serde_json::to_string(out).map_err(|e| ApiError::internal(e.to_string()));
    let Retry { key, request_hash } = retry;
    let Some(key) = key else {
        let a = actor.clone();
        let out = db.write(move |conn| work(conn, &a)).await?;
        return Ok(Once::Done(body_of(&out)?));
    };
    let replay = |row: IdempotencyRow, hash: &str| -> ApiResult<Once> {
        if row.request_hash != hash {
            return Err(ApiError::field(
                "Idempotency-Key",
                "idempotency_key_reused",
                "this key was used for a different request",
            ));
        }
        Ok(Once::Replayed { status: row.response_status as u16, body: row.response_body })
    };
    let (a, k, h) = (actor.clone(), key.clone(), request_hash.clone());
    let result = db
        .write(move |conn| {
            if let Some(existing) = store::idempotency::find(conn, &a.user_id, &k)? {
                return Ok(Err(existing));
            }
            let claim = IdempotencyRow {
                id: new_id(),
                user_id: a.user_id.clone(),
                idempotency_key: k,
                request_hash: h,
                response_status: 0,
                response_body: String::new(),
                created_at: now,
            };
            store::idempotency::claim(conn, &claim)?;
            let out = work(conn, &a)?;
            let body = serde_json::to_string(&out).map_err(|e| ApiError::internal(e.to_string()))?;
            store::idempotency::complete(conn, &claim.id, status as i32, &body)?;
            Ok(Ok(body))
        })
        .await;
    match result {
        Ok(Ok(body)) => Ok(Once::Done(body)),
        Ok(Err(existing)) => replay(existing, &request_hash),
        Err(e) => {
            // A concurrent request with the same key got in first: answer as it did.
            let (user, k) = (actor.user_id.clone(), key.clone());
            match db.read(move |conn| Ok(store::idempotency::find(conn, &user, &k)?)).await? {
                Some(existing) if existing.response_status > 0 => replay(existing, &request_hash),
                _ => Err(e),
            }
        }
    }
}
