//! Identity corrections (DESIGN §9, "who won stays who won"): while a person stands entered in a
//! competition that is not over, their name, ID number and employer are locked
//! (`domain::person::identity_locked`). A change is then a request — by the person, or by an
//! organiser over them — that another organiser over them (or an admin) approves or declines;
//! never the one who asked, never the person. Approving applies it, audited. Registrations and
//! awards keep the identity they recorded either way.

use chrono::NaiveDate;

use super::audit::record;
use super::persons::{audit_view, check_person};
use crate::auth::policy::{can_edit_person, can_see_full_id_number};
use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::competition::Status;
use crate::domain::id_card::mask_id_number;
use crate::domain::person::{identity_changes, identity_locked, CorrectionStatus};
use crate::domain::registration::RegistrationStatus;
use crate::domain::role::Role;
use crate::domain::{text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service::load;
use crate::store::corrections::CorrectionRow;
use crate::store::persons::PersonRow;
use crate::store::{self, new_id};
use crate::wire::persons::{CorrectionDecision, CorrectionOut, CorrectionRequest};
use crate::wire::{parse_id, utc};

pub fn identity_is_locked(conn: &mut DbConnection, person_id: &str) -> ApiResult<bool> {
    let holds = store::registrations::identity_holds(conn, person_id)?;
    Ok(identity_locked(holds.iter().filter_map(|(r, c)| Some((RegistrationStatus::parse(r)?, Status::parse(c)?)))))
}

/// Refuses a profile change that touches a locked identity, naming the fields.
pub fn refuse_locked_changes(
    conn: &mut DbConnection,
    current: &PersonRow,
    full_name: &str,
    id_number: &str,
    employer_org_id: Option<&str>,
) -> ApiResult<()> {
    let stored = (current.full_name.as_str(), current.id_number.as_str(), current.employer_org_id.as_deref());
    let changed = identity_changes(stored, (full_name, id_number, employer_org_id));
    if changed.is_empty() || !identity_is_locked(conn, &current.id)? {
        return Ok(());
    }
    let mut refusal = ApiError::conflict(
        "identity_locked",
        "the person is entered in a competition that is not over: name, ID number and employer change only by a correction an organiser approves (POST /persons/{id}/identity-corrections)",
    );
    refusal.errors = changed
        .into_iter()
        .map(|f| Violation::new(f, "identity_locked", "locked while entered; ask for a correction"))
        .collect();
    Err(refusal)
}

fn correction_out(conn: &mut DbConnection, actor: &Actor, row: CorrectionRow) -> ApiResult<CorrectionOut> {
    let (person, path) = store::persons::find(conn, &row.person_id)?.ok_or_else(|| ApiError::not_found("person"))?;
    let whole = can_see_full_id_number(actor, &person.id, path.as_deref());
    let username = |conn: &mut DbConnection, id: &str| -> ApiResult<String> {
        Ok(store::users::find(conn, id)?.map(|u| u.username).unwrap_or_default())
    };
    let employer_org_name = match &row.employer_org_id {
        Some(id) => store::organisations::find(conn, id)?.map(|o| o.name),
        None => None,
    };
    Ok(CorrectionOut {
        requested_by: username(conn, &row.requested_by)?,
        decided_by: match &row.decided_by {
            Some(id) => Some(username(conn, id)?),
            None => None,
        },
        status: CorrectionStatus::parse(&row.status).unwrap_or(CorrectionStatus::Pending),
        id_number: row.id_number.map(|n| if whole { n } else { mask_id_number(&n) }),
        current_name: person.full_name,
        employer_org_name,
        id: row.id,
        person_id: row.person_id,
        full_name: row.full_name,
        employer_org_id: row.employer_org_id,
        reason: row.reason,
        decision_note: row.decision_note,
        created_at: utc(row.created_at),
        decided_at: row.decided_at.map(utc),
    })
}

/// The person with every asked change applied, checked as a whole (a valid ID number, an
/// existing employer).
fn corrected(current: &PersonRow, row: &CorrectionRow, today: NaiveDate) -> ApiResult<PersonRow> {
    let employer = row.employer_org_id.as_deref().or(current.employer_org_id.as_deref());
    let checked = check_person(
        row.full_name.as_deref().unwrap_or(&current.full_name),
        row.id_number.as_deref().unwrap_or(&current.id_number),
        current.ethnicity.as_deref(),
        current.phone.as_deref(),
        current.occupation.as_deref(),
        employer,
        today,
    )?;
    Ok(PersonRow {
        full_name: checked.full_name,
        id_number: checked.id_number,
        gender: checked.gender.as_str().into(),
        birth_date: checked.birth_date,
        employer_org_id: checked.employer_org_id,
        version: current.version + 1,
        ..current.clone()
    })
}

/// Asks for a correction of a locked identity: by the person, or an organiser over them.
pub async fn request_correction(
    db: &Db,
    actor: Actor,
    today: NaiveDate,
    person_id: String,
    input: CorrectionRequest,
) -> ApiResult<CorrectionOut> {
    db.write(move |conn| {
        let (person, path) = load::person(conn, &actor, &person_id)?;
        if !can_edit_person(&actor, &person.id, path.as_deref()) {
            return Err(ApiError::forbidden("only the person or an organiser over them asks for a correction"));
        }
        let reason = text::required("reason", &input.reason, 500).map_err(|v| ApiError::validation(vec![v]))?;
        let employer_org_id = input.employer_org_id.as_deref().map(|v| parse_id("employer_org_id", v)).transpose()?;
        let mut row = CorrectionRow {
            id: new_id(),
            person_id: person.id.clone(),
            requested_by: actor.user_id.clone(),
            full_name: input.full_name.map(|n| n.trim().to_string()).filter(|n| *n != person.full_name),
            id_number: input.id_number.map(|n| n.trim().to_uppercase()).filter(|n| *n != person.id_number),
            employer_org_id: employer_org_id.filter(|e| Some(e) != person.employer_org_id.as_ref()),
            reason,
            status: CorrectionStatus::Pending.as_str().into(),
            decided_by: None,
            decision_note: None,
            created_at: actor.at,
            decided_at: None,
        };
        if row.full_name.is_none() && row.id_number.is_none() && row.employer_org_id.is_none() {
            return Err(ApiError::field("full_name", "nothing_to_correct", "name at least one field with a new value"));
        }
        let checked = corrected(&person, &row, today)?;
        row.full_name = row.full_name.map(|_| checked.full_name);
        row.id_number = row.id_number.map(|_| checked.id_number);
        if !identity_is_locked(conn, &person.id)? {
            return Err(ApiError::conflict(
                "identity_not_locked",
                "the person is not entered in a competition under way: change the profile directly",
            ));
        }
        let pending = store::corrections::of_person(conn, &person.id)?;
        if pending.iter().any(|c| c.status == CorrectionStatus::Pending.as_str()) {
            return Err(ApiError::conflict("correction_pending", "a correction of this person awaits a decision"));
        }
        store::corrections::insert(conn, &row)?;
        let asked = serde_json::json!({
            "full_name": row.full_name,
            "id_number": row.id_number.as_deref().map(mask_id_number),
            "employer_org_id": row.employer_org_id,
        });
        record(conn, &actor, "person.correction_request", ("person", &person.id), None, Some(asked))?;
        correction_out(conn, &actor, row)
    })
    .await
}

/// A person's corrections, for those who may see the person.
pub async fn corrections_of(db: &Db, actor: Actor, person_id: String) -> ApiResult<Vec<CorrectionOut>> {
    db.read(move |conn| {
        let (person, _) = load::person(conn, &actor, &person_id)?;
        store::corrections::of_person(conn, &person.id)?.into_iter().map(|r| correction_out(conn, &actor, r)).collect()
    })
    .await
}

/// The corrections in `status` an organiser (of people employed in their subtrees) or an admin
/// (everyone's) decides.
pub async fn correction_queue(db: &Db, actor: Actor, status: CorrectionStatus) -> ApiResult<Vec<CorrectionOut>> {
    if !actor.is_admin() && !actor.has_role(Role::Organiser) {
        return Err(ApiError::forbidden("identity corrections are decided by organisers and admins"));
    }
    db.read(move |conn| {
        let paths = (!actor.is_admin()).then(|| actor.scope_paths(&[Role::Organiser]));
        let rows = store::corrections::queue(conn, status.as_str(), paths.as_deref(), 200)?;
        rows.into_iter().map(|r| correction_out(conn, &actor, r)).collect()
    })
    .await
}

/// Approves (applying it) or declines a pending correction: an organiser over the person or an
/// admin, who is neither the one who asked nor the person.
pub async fn decide_correction(
    db: &Db,
    actor: Actor,
    today: NaiveDate,
    id: String,
    decision: CorrectionDecision,
) -> ApiResult<CorrectionOut> {
    db.write(move |conn| {
        let row = store::corrections::find(conn, &id)?.ok_or_else(|| ApiError::not_found("correction"))?;
        let (person, path) =
            load::person(conn, &actor, &row.person_id).map_err(|_| ApiError::not_found("correction"))?;
        let over = actor.is_admin() || path.as_deref().is_some_and(|p| actor.has_role_over(&[Role::Organiser], p));
        if !over {
            return Err(ApiError::forbidden("corrections are decided by an organiser over the person, or an admin"));
        }
        if row.requested_by == actor.user_id || actor.is_person(&person.id) {
            return Err(ApiError::forbidden(
                "a correction is decided by someone else than who asked for it, and not by the person",
            ));
        }
        if row.status != CorrectionStatus::Pending.as_str() {
            return Err(ApiError::conflict("correction_decided", format!("this correction is {} already", row.status)));
        }
        let note = text::optional("note", decision.note.as_deref(), 500).map_err(|v| ApiError::validation(vec![v]))?;
        let status = if decision.approve {
            let updated = corrected(&person, &row, today)?;
            if !store::persons::update_if_version(conn, &updated, person.version)? {
                return Err(ApiError::precondition_failed("the person changed meanwhile; decide again"));
            }
            let entity = ("person", person.id.as_str());
            record(conn, &actor, "person.identity_correct", entity, audit_view(&person), audit_view(&updated))?;
            CorrectionStatus::Approved
        } else {
            if note.is_none() {
                return Err(ApiError::field("note", "required", "say why the correction is declined"));
            }
            CorrectionStatus::Declined
        };
        if !store::corrections::decide(conn, &row.id, status.as_str(), &actor.user_id, note.as_deref(), actor.at)? {
            return Err(ApiError::conflict("correction_decided", "someone decided this correction meanwhile"));
        }
        let after = serde_json::json!({ "correction": row.id, "status": status, "note": note });
        record(conn, &actor, "person.correction_decide", ("person", &person.id), None, Some(after))?;
        let row = store::corrections::find(conn, &row.id)?.ok_or_else(|| ApiError::not_found("correction"))?;
        correction_out(conn, &actor, row)
    })
    .await
}
