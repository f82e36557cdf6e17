//! Review (复核): a sample of stations checked again before decryption.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use super::{competing_stations, current_scores, review_out, unlocked_sections};
use crate::auth::Actor;
use crate::db::Db;
use crate::domain::judging::SampleStatus;
use crate::domain::role::EventRole;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::load;
use crate::store;
use crate::store::new_id;
use crate::wire::judging::{ReviewOut, SampleResult};

/// The chief judge draws the review sample once every section is locked.
pub async fn draw_sample(
    db: &Db,
    actor: Actor,
    event_id: String,
    now: NaiveDateTime,
    zone: crate::domain::time::Zone,
) -> ApiResult<ReviewOut> {
    db.write(move |conn| {
        load::roles_requiring(conn, &actor, &event_id, &[EventRole::ChiefJudge], "drawing the review sample")?;
        let (event, _, _) = load::event_for_roles(conn, &event_id)?;
        let unlocked = unlocked_sections(conn, &event_id)?;
        if !unlocked.is_empty() {
            return Err(ApiError::conflict(
                "sections_not_locked",
                format!("sections {unlocked:?} are not signed and confirmed yet"),
            ));
        }
        let mut judging = store::judging::judging_of(conn, &event_id)?;
        if judging.review_seed.is_some() {
            return Err(ApiError::conflict("already_drawn", "the review sample has been drawn"));
        }
        let ranked: Vec<i32> = current_scores(conn, &event)?.into_iter().map(|s| s.station).collect();
        let seed = crate::auth::random_token(32);
        for (station, reason) in crate::domain::review::draw_review_sample(&ranked, seed.as_bytes()) {
            store::judging::insert_sample(
                conn,
                &store::judging::SampleRow {
                    id: new_id(),
                    event_id: event_id.clone(),
                    station_number: station,
                    reason: reason.as_str().into(),
                    status: SampleStatus::Pending.as_str().into(),
                    note: None,
                    reviewed_by: None,
                    reviewed_at: None,
                },
            )?;
        }
        judging.review_seed = Some(seed);
        judging.review_drawn_at = Some(now);
        store::judging::save_judging(conn, &judging)?;
        let out = review_out(conn, &event)?;
        record(
            conn,
            &actor,
            "judging.review_draw",
            ("event", &event_id),
            None,
            Some(serde_json::json!({ "sampled": out.samples.len(), "of": ranked.len() })),
        )?;
        crate::service::stages::follow_event(conn, &actor, &event_id, now, zone)?;
        Ok(out)
    })
    .await
}

/// The review sample and its outcomes.
pub async fn get(db: &Db, actor: Actor, event_id: String) -> ApiResult<ReviewOut> {
    db.read(move |conn| {
        let (event, _, _) = load::overseen_event(conn, &actor, &event_id, "the review")?;
        review_out(conn, &event)
    })
    .await
}

/// Records what the review of one sampled station found.
pub async fn record_sample(
    db: &Db,
    actor: Actor,
    id: String,
    input: SampleResult,
    note: Option<String>,
    now: NaiveDateTime,
) -> ApiResult<ReviewOut> {
    db.write(move |conn| {
        let mut sample = store::judging::find_sample(conn, &id)?.ok_or_else(|| ApiError::not_found("review sample"))?;
        load::roles_requiring(
            conn,
            &actor,
            &sample.event_id,
            &[EventRole::ChiefJudge, EventRole::Supervisor],
            "recording a review",
        )?;
        sample.status = input.outcome.clone();
        sample.note = note;
        sample.reviewed_by = Some(actor.user_id.clone());
        sample.reviewed_at = Some(now);
        if !store::judging::record_sample(conn, &sample)? {
            return Err(ApiError::conflict("already_reviewed", "this station's review is recorded"));
        }
        let (event, _, _) = load::event_for_roles(conn, &sample.event_id)?;
        let review = review_out(conn, &event)?;
        if crate::domain::review::full_review_required(review.checked, review.discrepancies) {
            let sampled: HashSet<i32> = review.samples.iter().map(|s| s.station_number).collect();
            for station in competing_stations(conn, &event.id)?.into_keys().filter(|s| !sampled.contains(s)) {
                store::judging::insert_sample(
                    conn,
                    &store::judging::SampleRow {
                        id: new_id(),
                        event_id: event.id.clone(),
                        station_number: station,
                        reason: "full".into(),
                        status: SampleStatus::Pending.as_str().into(),
                        note: None,
                        reviewed_by: None,
                        reviewed_at: None,
                    },
                )?;
            }
        }
        record(
            conn,
            &actor,
            "judging.review",
            ("event", &event.id),
            None,
            Some(
                serde_json::json!({ "station": sample.station_number, "outcome": sample.status, "note": sample.note }),
            ),
        )?;
        review_out(conn, &event)
    })
    .await
}
