//! The judge's sheet: aspects assigned to judges, declared relations (回避), the sheet itself.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use super::*;
use crate::db::Db;
use crate::service::audit::record;
use crate::service::load;
use crate::store::new_id;
use crate::wire::judging::*;
use crate::wire::utc;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::store;

/// Assigns a judge the aspects of a section they mark (their declared relations recuse them).
pub async fn assign(
    db: &Db,
    actor: Actor,
    event_id: String,
    input: AssignmentRequest,
    user_id: String,
) -> ApiResult<AssignmentOut> {
    db.write(move |conn| {
        let (event, _, host_path) = load::event_for_roles(conn, &event_id)?;
        if !can_manage_competition(&actor, &host_path) {
            return Err(ApiError::forbidden("the host's organisers assign judges"));
        }
        let roles: Vec<String> = store::draws::roles_of_user(conn, &event.id, &user_id)?;
        if !roles.iter().any(|r| r == EventRole::Judge.as_str() || r == EventRole::ChiefJudge.as_str()) {
            return Err(ApiError::field(
                "user_id",
                "not_a_judge_of_event",
                "appoint the person as a judge of this event first",
            ));
        }
        let aspects: Vec<AspectRow> = store::judging::aspects_of(conn, &event.id)?
            .into_iter()
            .filter(|a| a.section_index == input.section_index)
            .collect();
        if aspects.is_empty() {
            return Err(ApiError::field(
                "section_index",
                "no_aspects",
                "the marking scheme has no aspects in this section",
            ));
        }
        let chosen: Vec<&AspectRow> = match &input.aspect_codes {
            Some(codes) => {
                for code in codes {
                    if !aspects.iter().any(|a| &a.code == code) {
                        return Err(ApiError::field(
                            "aspect_codes",
                            "unknown_aspect",
                            format!("no aspect {code} in this section"),
                        ));
                    }
                }
                aspects.iter().filter(|a| codes.contains(&a.code)).collect()
            }
            None => aspects.iter().collect(),
        };
        let mut assigned = Vec::new();
        for a in chosen {
            store::judging::assign(
                conn,
                &JudgeAspectRow {
                    id: new_id(),
                    event_id: event.id.clone(),
                    user_id: user_id.clone(),
                    aspect_id: a.id.clone(),
                },
            )?;
            assigned.push(a.code.clone());
        }
        record(
            conn,
            &actor,
            "judging.assign",
            ("event", &event.id),
            None,
            Some(serde_json::json!({ "user_id": user_id, "aspects": assigned })),
        )?;
        Ok(AssignmentOut { user_id, assigned })
    })
    .await
}

/// A judge declares a relation to a person (回避), who then is never on their sheet.
pub async fn declare_relation(
    db: &Db,
    actor: Actor,
    relation: String,
    number: String,
    now: NaiveDateTime,
) -> ApiResult<RelationOut> {
    db.write(move |conn| {
        let found = store::persons::list(
            conn,
            &store::persons::PersonFilter { id_number: Some(number), limit: 1, ..Default::default() },
        )?;
        // Recorded even for a person not (yet) on record? No: the relation names someone known.
        let Some((person, _)) = found.into_iter().next() else {
            return Err(ApiError::field("id_number", "unknown_person", "no person with this ID number is on record"));
        };
        let row = RelationRow {
            id: new_id(),
            user_id: actor.user_id.clone(),
            person_id: person.id,
            relation,
            created_at: now,
        };
        store::judging::insert_relation(conn, &row).map_err(|e| {
            if e.is_duplicate() {
                ApiError::conflict("already_declared", "this relation is already declared")
            } else {
                e.into()
            }
        })?;
        record(
            conn,
            &actor,
            "judging.relation",
            ("user", &actor.user_id),
            None,
            Some(serde_json::json!({ "relation_id": row.id, "relation": row.relation })),
        )?;
        Ok(RelationOut { id: row.id, relation: row.relation, created_at: utc(row.created_at) })
    })
    .await
}

/// The events the caller holds a role on, with the aspects they mark.
pub async fn my_events(db: &Db, actor: Actor) -> ApiResult<Vec<MyEvent>> {
    db.read(move |conn| {
        use crate::db::schema::event_roles;
        use diesel::prelude::*;
        let event_ids: Vec<String> = event_roles::table
            .filter(event_roles::user_id.eq(&actor.user_id))
            .select(event_roles::event_id)
            .distinct()
            .load(conn)?;
        let mut out = Vec::new();
        for event_id in event_ids {
            let (event, competition, _) = load::event_for_roles(conn, &event_id)?;
            let mine: HashSet<String> = store::judging::assignments_of(conn, &event_id)?
                .into_iter()
                .filter(|a| a.user_id == actor.user_id)
                .map(|a| a.aspect_id)
                .collect();
            let aspects = store::judging::aspects_of(conn, &event_id)?
                .into_iter()
                .filter(|a| mine.contains(&a.id))
                .map(|a| a.code)
                .collect();
            out.push(MyEvent {
                roles: load::event_roles(conn, &actor, &event_id)?,
                event_id,
                event_name: event.name,
                competition_name: competition.name,
                aspects,
            });
        }
        Ok(out)
    })
    .await
}
