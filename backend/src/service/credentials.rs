//! Skill credentials (职业技能等级证书): recorded by the person as a declaration, or by a
//! reviewer as verified; verified or rejected by a reviewer, never by their holder (DESIGN §9).

use chrono::{NaiveDate, NaiveDateTime};

use super::audit::record;
use super::load;
use crate::auth::policy::{can_edit_person, can_review_credentials};
use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::person::check_skill_level;
use crate::domain::person::{recorded_status, review_credential, CredentialSource, CredentialStatus};
use crate::domain::registration::RegistrationStatus;
use crate::domain::role::Role;
use crate::domain::{keep, text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::snapshot;
use crate::store::persons::{CredentialRow, PersonRow};
use crate::store::{self, new_id};
use crate::wire::persons::CredentialInput;

/// A credential as entered, its fields already checked.
pub struct NewCredential {
    pub occupation: String,
    pub level: i32,
    pub certificate_no: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: NaiveDate,
    pub source: CredentialSource,
}

impl NewCredential {
    /// Checks a credential as entered on `today`, naming every field that is wrong.
    pub fn check(input: CredentialInput, today: NaiveDate) -> ApiResult<NewCredential> {
        let mut violations = Vec::new();
        let occupation = keep(&mut violations, text::required("occupation", &input.occupation, 50));
        let level = keep(&mut violations, check_skill_level("level", input.level));
        let certificate_no =
            keep(&mut violations, text::optional("certificate_no", input.certificate_no.as_deref(), 50)).flatten();
        let issuer = keep(&mut violations, text::optional("issuer", input.issuer.as_deref(), 100)).flatten();
        if input.issued_on > today {
            violations.push(Violation::new("issued_on", "in_future", "a certificate cannot be issued in the future"));
        }
        if !violations.is_empty() {
            return Err(ApiError::validation(violations));
        }
        Ok(NewCredential {
            occupation: occupation.unwrap_or_default(),
            level: level.unwrap_or(5),
            certificate_no,
            issuer,
            issued_on: input.issued_on,
            source: input.source,
        })
    }
}

/// Records a credential of `person_id`: `declared` when the person enters it, `verified` (by the
/// caller) when a reviewer does.
pub async fn record_credential(
    db: &Db,
    actor: Actor,
    person_id: String,
    new: NewCredential,
    now: NaiveDateTime,
) -> ApiResult<CredentialRow> {
    db.write(move |conn| {
        let (person, path) = load::person(conn, &actor, &person_id)?;
        let reviewer = is_reviewer(conn, &actor, &person, path.as_deref())?;
        if !reviewer && !can_edit_person(&actor, &person.id, path.as_deref()) {
            return Err(ApiError::forbidden("you may view this person but not change their records"));
        }
        if new.issued_on < person.birth_date {
            return Err(ApiError::field(
                "issued_on",
                "before_birth",
                "the certificate date is before the person's birth date",
            ));
        }
        let status = recorded_status(reviewer, actor.is_person(&person.id));
        let verified = status == CredentialStatus::Verified;
        let row = CredentialRow {
            id: new_id(),
            person_id: person.id.clone(),
            occupation: new.occupation,
            level: new.level,
            certificate_no: new.certificate_no,
            issuer: new.issuer,
            issued_on: new.issued_on,
            source: new.source.as_str().into(),
            created_at: now,
            status: status.as_str().into(),
            recorded_by: Some(actor.user_id.clone()),
            reviewed_by: verified.then(|| actor.user_id.clone()),
            reviewed_at: verified.then_some(now),
            rejection_reason: None,
        };
        store::persons::insert_credential(conn, &row)?;
        record(conn, &actor, "credential.create", ("person", &person.id), None, snapshot(&row))?;
        Ok(row)
    })
    .await
}

/// Verifies (`rejection` none) or rejects a credential, with who and when.
pub async fn decide_credential(
    db: &Db,
    actor: Actor,
    person_id: String,
    credential_id: String,
    rejection: Option<String>,
    now: NaiveDateTime,
) -> ApiResult<CredentialRow> {
    db.write(move |conn| {
        let (person, path) = load::person(conn, &actor, &person_id)?;
        if !is_reviewer(conn, &actor, &person, path.as_deref())? {
            return Err(ApiError::forbidden(if actor.is_person(&person.id) {
                "a credential is verified by a reviewer, not by its holder"
            } else {
                "credentials are verified by the organisers reviewing the person's registration, or by officials over their employer"
            }));
        }
        let mut credential = store::persons::find_credential(conn, &credential_id)?
            .filter(|c| c.person_id == person.id)
            .ok_or_else(|| ApiError::not_found("credential"))?;
        let before = snapshot(&credential);
        let current = CredentialStatus::parse(&credential.status).unwrap_or(CredentialStatus::Declared);
        let next = review_credential(current, rejection.is_none(), rejection.as_deref()).map_err(|v| {
            let code = match v.code.as_str() {
                "required" => "reason_required",
                "already_verified" => "already_verified",
                _ => "credential_rejected",
            };
            ApiError::conflict(code, v.message)
        })?;
        credential.status = next.as_str().into();
        credential.reviewed_by = Some(actor.user_id.clone());
        credential.reviewed_at = Some(now);
        credential.rejection_reason = rejection;
        store::persons::review_credential(conn, &credential)?;
        let action = if next == CredentialStatus::Verified { "credential.verify" } else { "credential.reject" };
        record(conn, &actor, action, ("person", &person.id), before, snapshot(&credential))?;
        Ok(credential)
    })
    .await
}

/// Whether `actor` may verify `person`'s credentials: over their employer, or reviewing one of
/// their live registrations (its host's or nominating unit's organiser).
pub fn is_reviewer(
    conn: &mut DbConnection,
    actor: &Actor,
    person: &PersonRow,
    employer_path: Option<&str>,
) -> ApiResult<bool> {
    if can_review_credentials(actor, &person.id, employer_path, &[]) {
        return Ok(true);
    }
    if actor.is_person(&person.id) || !actor.has_role(Role::Organiser) {
        return Ok(false);
    }
    let mut review_paths = Vec::new();
    for registration in store::registrations::of_person(conn, &person.id)? {
        if !RegistrationStatus::parse(&registration.status).is_some_and(|s| s.is_live()) {
            continue;
        }
        if let Some((_, host_path, _)) = store::competitions::find(conn, &registration.competition_id)? {
            review_paths.push(host_path);
        }
        if let Some(unit) = store::organisations::find(conn, &registration.nominating_org_id)? {
            review_paths.push(unit.path);
        }
    }
    Ok(can_review_credentials(actor, &person.id, employer_path, &review_paths))
}
