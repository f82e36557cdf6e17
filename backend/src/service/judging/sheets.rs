//! The judge's sheet: aspects assigned to judges, declared relations (回避), the sheet itself.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::id_card::parse_id_card;
use crate::domain::role::Role;
use crate::domain::{text, Violation};

use super::DbConnection;
use super::{
    aspect_out, aspects_of_judge, cell_out, competing_stations, coverage, mark_out, recused_stations,
    require_not_appointed,
};
use crate::auth::policy::can_manage_competition;
use crate::auth::Actor;
use crate::db::Db;
use crate::domain::judging::SignoffKind;
use crate::domain::role::EventRole;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::load;
use crate::store;
use crate::store::judging::{AspectRow, JudgeAspectRow, RelationRow};
use crate::store::new_id;
use crate::wire::judging::{AspectOut, AssignmentOut, AssignmentRequest, MyEvent, RelationOut, SheetOut};
use crate::wire::utc;

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
        let coverage = coverage(conn, &event.id)?;
        assignment_out(conn, &event.id, user_id, &aspects, assigned, &coverage)
    })
    .await
}

/// A judge's aspects (codes) with the stations they stand aside from and who covers them there.
fn assignment_out(
    conn: &mut DbConnection,
    event_id: &str,
    user_id: String,
    aspects: &[AspectRow],
    assigned: Vec<String>,
    coverage: &crate::domain::judging::Coverage,
) -> ApiResult<AssignmentOut> {
    let mut recused: Vec<i32> = recused_stations(conn, event_id, &user_id)?.into_iter().collect();
    recused.sort_unstable();
    let ids: HashSet<&str> = aspects.iter().filter(|a| assigned.contains(&a.code)).map(|a| a.id.as_str()).collect();
    let by_id: HashMap<String, AspectRow> = aspects.iter().map(|a| (a.id.clone(), a.clone())).collect();
    let mut people: Vec<String> = coverage.covers.iter().map(|c| c.judge.clone()).collect();
    people.push(user_id.clone());
    let names = store::users::usernames(conn, &people)?;
    let covers = coverage
        .covers
        .iter()
        .filter(|c| ids.contains(c.aspect_id.as_str()))
        .map(|c| cell_out(&by_id, &names, &c.aspect_id, c.station, Some(&c.judge)))
        .collect();
    let uncovered = coverage
        .uncovered
        .iter()
        .filter(|(a, _)| ids.contains(a.as_str()))
        .map(|(a, s)| cell_out(&by_id, &names, a, *s, None))
        .collect();
    let username = names.get(&user_id).cloned().unwrap_or_default();
    Ok(AssignmentOut { user_id, username, assigned, recused_stations: recused, covers, uncovered })
}

/// Every judge of the event with the aspects they mark (in scheme order), the stations they stand
/// aside from and the cells nobody may mark: the host's organisers, the chief judge and the
/// supervisor see it.
pub async fn list_assignments(db: &Db, actor: Actor, event_id: String) -> ApiResult<Vec<AssignmentOut>> {
    db.read(move |conn| {
        let (event, _, host_path) = load::event_for_roles(conn, &event_id)?;
        if !can_manage_competition(&actor, &host_path) {
            let mine = load::event_roles(conn, &actor, &event.id)?;
            if !mine.iter().any(|r| matches!(r, EventRole::ChiefJudge | EventRole::Supervisor)) {
                return Err(ApiError::forbidden("the host's organisers, the chief judge and the supervisor"));
            }
        }
        let aspects = store::judging::aspects_of(conn, &event.id)?;
        let code_of: HashMap<&str, &str> = aspects.iter().map(|a| (a.id.as_str(), a.code.as_str())).collect();
        let position: HashMap<&str, i32> = aspects.iter().map(|a| (a.code.as_str(), a.position)).collect();
        let assignments = store::judging::assignments_of(conn, &event.id)?;
        let mut judges: Vec<String> = Vec::new();
        for (role, _) in store::draws::roles_of_event(conn, &event.id)? {
            let marks = role.role == EventRole::Judge.as_str() || role.role == EventRole::ChiefJudge.as_str();
            if marks && !judges.contains(&role.user_id) {
                judges.push(role.user_id);
            }
        }
        let coverage = coverage(conn, &event.id)?;
        let mut out = Vec::with_capacity(judges.len());
        for user_id in judges {
            let mut codes: Vec<String> = assignments
                .iter()
                .filter(|a| a.user_id == user_id)
                .filter_map(|a| code_of.get(a.aspect_id.as_str()).map(|c| c.to_string()))
                .collect();
            codes.sort_by_key(|c| position.get(c.as_str()).copied().unwrap_or(i32::MAX));
            out.push(assignment_out(conn, &event.id, user_id, &aspects, codes, &coverage)?);
        }
        Ok(out)
    })
    .await
}

/// Takes a judge off the aspects they were assigned, while they have entered no mark in the event.
pub async fn unassign(db: &Db, actor: Actor, event_id: String, user_id: String) -> ApiResult<()> {
    db.write(move |conn| {
        let (event, _, host_path) = load::event_for_roles(conn, &event_id)?;
        if !can_manage_competition(&actor, &host_path) {
            return Err(ApiError::forbidden("the host's organisers assign judges"));
        }
        if !store::judging::marks_of_judge(conn, &event.id, &user_id)?.is_empty() {
            return Err(ApiError::conflict(
                "judge_has_marks",
                "the judge has entered marks: their assignment stays (re-open marks through the chief judge)",
            ));
        }
        let removed = store::judging::unassign(conn, &event.id, &user_id)?;
        if removed == 0 {
            return Err(ApiError::not_found("assignment"));
        }
        record(
            conn,
            &actor,
            "judging.unassign",
            ("event", &event.id),
            Some(serde_json::json!({ "user_id": user_id, "aspects": removed })),
            None,
        )?;
        Ok(())
    })
    .await
}

/// A judge declares a relation to a person (回避), who then is never on their sheet.
/// A relation as declared: its kind (亲属, 师徒, 同事 …) and the related person's ID number, read
/// on `today`.
pub struct Relation {
    pub kind: String,
    pub id_number: String,
    pub today: NaiveDate,
}

impl Relation {
    /// The kind and the normalised ID number, or the field that is wrong.
    fn checked(self) -> ApiResult<(String, String)> {
        let kind = text::required("relation", &self.kind, 50)?;
        let number = parse_id_card(&self.id_number, self.today)
            .map_err(|e| Violation::new("id_number", e.code(), e.message()))?
            .number;
        Ok((kind, number))
    }
}

pub async fn declare_relation(db: &Db, actor: Actor, relation: Relation, now: NaiveDateTime) -> ApiResult<RelationOut> {
    let (relation, number) = relation.checked()?;
    if !actor.has_role(Role::Judge) {
        return Err(ApiError::forbidden("relations are declared by judges"));
    }
    db.write(move |conn| {
        require_not_appointed(conn, &actor.user_id)?;
        let judge = actor.user_id.clone();
        insert_relation(conn, &actor, &judge, relation, &number, now)
    })
    .await
}

/// The host's organisers declare a relation for a judge of their event (once appointed, the
/// judge's own declarations are frozen).
pub async fn declare_relation_for(
    db: &Db,
    actor: Actor,
    event_id: String,
    judge_user_id: String,
    relation: Relation,
    now: NaiveDateTime,
) -> ApiResult<RelationOut> {
    let (relation, number) = relation.checked()?;
    db.write(move |conn| {
        let (event, _, host_path) = load::event_for_roles(conn, &event_id)?;
        if !can_manage_competition(&actor, &host_path) {
            return Err(ApiError::forbidden("the host's organisers declare relations for their judges"));
        }
        if store::draws::roles_of_user(conn, &event.id, &judge_user_id)?.is_empty() {
            return Err(ApiError::field("user_id", "not_appointed", "the person holds no role on this event"));
        }
        insert_relation(conn, &actor, &judge_user_id, relation, &number, now)
    })
    .await
}

fn insert_relation(
    conn: &mut DbConnection,
    actor: &Actor,
    judge_user_id: &str,
    relation: String,
    number: &str,
    now: NaiveDateTime,
) -> ApiResult<RelationOut> {
    let found = store::persons::list(
        conn,
        &store::persons::PersonFilter { id_number: Some(number.to_string()), limit: 1, ..Default::default() },
    )?;
    // The relation names someone on record.
    let Some((person, _)) = found.into_iter().next() else {
        return Err(ApiError::field("id_number", "unknown_person", "no person with this ID number is on record"));
    };
    let row = RelationRow {
        id: new_id(),
        user_id: judge_user_id.to_string(),
        person_id: person.id,
        relation,
        created_at: now,
    };
    store::judging::insert_relation(conn, &row).map_err(|e| {
        e.duplicate_means(|| ApiError::conflict("already_declared", "this relation is already declared"))
    })?;
    record(
        conn,
        actor,
        "judging.relation",
        ("user", judge_user_id),
        None,
        Some(serde_json::json!({ "relation_id": row.id, "relation": row.relation })),
    )?;
    Ok(RelationOut { id: row.id, relation: row.relation, created_at: utc(row.created_at) })
}

/// The events the caller holds a role on, with the aspects they mark.
/// The events where the caller holds a role, with the aspects they mark there.
pub async fn my_events(db: &Db, actor: Actor) -> ApiResult<Vec<MyEvent>> {
    db.read(move |conn| {
        let event_ids = store::draws::events_of_user(conn, &actor.user_id)?;
        let mut out = Vec::new();
        for event_id in event_ids {
            let (event, competition, _) = load::event_for_roles(conn, &event_id)?;
            let mine = aspects_of_judge(conn, &event_id, &actor.user_id)?;
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

/// A judge's mark sheet for one section: stations by number, the aspects the judge marks with their descriptors, and the judge's marks so far. No name, ID number or organisation (blind judging).
pub async fn sheet(db: &Db, actor: Actor, event_id: String, section: i32) -> ApiResult<SheetOut> {
    db.read(move |conn| {
        load::roles_requiring(conn, &actor, &event_id, &[EventRole::Judge, EventRole::ChiefJudge], "the mark sheet")?;
        let scheme = store::events::scheme_of(conn, &event_id)?
            .ok_or_else(|| ApiError::conflict("no_scheme", "the event has no marking scheme"))?;
        let sections: Vec<crate::wire::schemes::SchemeSection> =
            serde_json::from_str(&scheme.sections).unwrap_or_default();
        let section_name = sections
            .get(section as usize)
            .map(|s| s.name.clone())
            .ok_or_else(|| ApiError::field("section", "unknown_section", "no such section"))?;
        let mine = aspects_of_judge(conn, &event_id, &actor.user_id)?;
        let coverage = coverage(conn, &event_id)?;
        let covered = |aspect_id: &str| -> Vec<i32> {
            coverage.covers_of(&actor.user_id).filter(|c| c.aspect_id == aspect_id).map(|c| c.station).collect()
        };
        let aspects: Vec<AspectOut> = store::judging::aspects_of(conn, &event_id)?
            .iter()
            .filter(|a| a.section_index == section && (mine.contains(&a.id) || !covered(&a.id).is_empty()))
            .map(|a| AspectOut {
                stations: (!mine.contains(&a.id)).then(|| covered(&a.id)),
                ..aspect_out(a, &sections)
            })
            .collect();
        let aspect_ids: HashSet<&str> = aspects.iter().map(|a| a.id.as_str()).collect();
        let marks = store::judging::marks_of_judge(conn, &event_id, &actor.user_id)?
            .iter()
            .filter(|m| aspect_ids.contains(m.aspect_id.as_str()))
            .map(mark_out)
            .collect();
        // The stations of the judge's own aspects, less those they stand aside from, and the
        // stations they cover.
        let recused = recused_stations(conn, &event_id, &actor.user_id)?;
        let own = aspects.iter().any(|a| a.stations.is_none());
        let mut stations: Vec<i32> = competing_stations(conn, &event_id)?
            .into_keys()
            .filter(|s| !recused.contains(s))
            .filter(|s| own || aspects.iter().any(|a| a.stations.as_ref().is_some_and(|c| c.contains(s))))
            .collect();
        stations.sort_unstable();
        let signed = store::judging::signoffs_of(conn, &event_id)?
            .iter()
            .any(|s| s.section_index == section && s.is(SignoffKind::Judge) && s.signed_by == actor.user_id);
        let finish_times = store::judging::finish_times_of(conn, &event_id)?
            .iter()
            .filter(|t| t.section_index == section && stations.contains(&t.station_number))
            .map(super::times::finish_time_out)
            .collect();
        Ok(SheetOut { event_id, section_index: section, section_name, stations, aspects, marks, finish_times, signed })
    })
    .await
}
