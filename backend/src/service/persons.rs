//! People: profiles checked against their ID card, masked as the caller may see them, and their
//! skill credentials.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::auth::policy::can_edit_person;
use crate::auth::Actor;
use crate::db::Db;
use crate::db::DbConnection;
use crate::domain::id_card::{mask_id_number, parse_id_card};
use crate::domain::person::{check_ethnicity, check_phone, Gender};
use crate::domain::role::Role;
use crate::domain::{keep, text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::check_version;
use crate::service::corrections::{identity_is_locked, refuse_locked_changes};
use crate::store::audit::snapshot;
use crate::store::persons::PersonFilter;
use crate::store::persons::{CredentialRow, PersonRow};
use crate::store::{self, new_id};
use crate::wire::persons::credential_out;
use crate::wire::persons::{person_out, PersonOut};
use crate::wire::persons::{PersonInput, PersonPage, PersonPatch};
use crate::wire::split_page;

/// The audit trail keeps the masked form: the trail is read by admins for accountability, not
/// to look up ID numbers.
pub fn audit_view(row: &PersonRow) -> Option<serde_json::Value> {
    let mut value = serde_json::to_value(row_for_audit(row)).ok()?;
    value["id_number"] = serde_json::Value::String(mask_id_number(&row.id_number));
    Some(value)
}

pub fn row_for_audit(row: &PersonRow) -> AuditPerson<'_> {
    AuditPerson {
        full_name: &row.full_name,
        id_number: &row.id_number,
        gender: &row.gender,
        ethnicity: row.ethnicity.as_deref(),
        education: row.education.as_deref(),
        employer_org_id: row.employer_org_id.as_deref(),
        occupation: row.occupation.as_deref(),
        is_migrant_worker: row.is_migrant_worker,
        version: row.version,
    }
}

pub fn check_person(
    full_name: &str,
    id_number: &str,
    ethnicity: Option<&str>,
    phone: Option<&str>,
    occupation: Option<&str>,
    employer_org_id: Option<&str>,
    today: NaiveDate,
) -> ApiResult<CheckedPerson> {
    let mut violations: Vec<Violation> = Vec::new();
    let name = keep(&mut violations, text::person_name("full_name", full_name));
    let card = keep(
        &mut violations,
        parse_id_card(id_number, today).map_err(|e| Violation::new("id_number", e.code(), e.message())),
    );
    let ethnicity = keep(
        &mut violations,
        ethnicity.filter(|e| !e.trim().is_empty()).map(|e| check_ethnicity("ethnicity", e)).transpose(),
    );
    let phone =
        keep(&mut violations, phone.filter(|p| !p.trim().is_empty()).map(|p| check_phone("phone", p)).transpose());
    let occupation = keep(&mut violations, text::optional("occupation", occupation, 50));
    let employer = keep(
        &mut violations,
        employer_org_id
            .map(|v| {
                uuid::Uuid::parse_str(v)
                    .map(|u| u.to_string())
                    .map_err(|_| Violation::new("employer_org_id", "invalid_id", "must be an organisation id"))
            })
            .transpose(),
    );
    if !violations.is_empty() {
        return Err(ApiError::validation(violations));
    }
    let card = card.expect("checked above");
    Ok(CheckedPerson {
        full_name: name.unwrap_or_default(),
        id_number: card.number,
        gender: card.gender,
        birth_date: card.birth_date,
        ethnicity: ethnicity.flatten(),
        phone: phone.flatten(),
        occupation: occupation.flatten(),
        employer_org_id: employer.flatten(),
    })
}

/// The employer's path, refusing an unknown employer.
pub fn employer_path(conn: &mut DbConnection, employer_org_id: Option<&str>) -> ApiResult<Option<String>> {
    match employer_org_id {
        None => Ok(None),
        Some(id) => store::organisations::find(conn, id)?
            .map(|o| Some(o.path))
            .ok_or_else(|| ApiError::field("employer_org_id", "unknown_organisation", "no organisation has this id")),
    }
}

pub fn new_person_row(p: CheckedPerson, input: &PersonInput, now: chrono::NaiveDateTime) -> PersonRow {
    let at = now;
    PersonRow {
        id: new_id(),
        full_name: p.full_name,
        id_number: p.id_number,
        gender: p.gender.as_str().into(),
        birth_date: p.birth_date,
        ethnicity: p.ethnicity,
        phone: p.phone,
        education: input.education.map(|e| e.as_str().into()),
        employer_org_id: p.employer_org_id,
        occupation: p.occupation,
        is_migrant_worker: input.is_migrant_worker,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// A person as `actor` may see them, with whether their identity is locked.
pub fn person_view(
    conn: &mut DbConnection,
    row: PersonRow,
    employer_path: Option<&str>,
    actor: &Actor,
    credentials: Vec<CredentialRow>,
) -> ApiResult<PersonOut> {
    let locked = identity_is_locked(conn, &row.id)?;
    Ok(person_out(row, employer_path, actor, credentials, locked))
}

pub fn load_editable(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<(PersonRow, Option<String>)> {
    let (row, path) = crate::service::load::person(conn, actor, id)?;
    if !can_edit_person(actor, &row.id, path.as_deref()) {
        return Err(ApiError::forbidden("you may view this person but not change their records"));
    }
    Ok((row, path))
}

/// Applies a patch to a stored person, checking every field again and the new employer's scope.
pub fn apply_patch(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &PersonRow,
    patch: PersonPatch,
    now: chrono::NaiveDateTime,
    today: chrono::NaiveDate,
) -> ApiResult<(PersonRow, Option<String>)> {
    let pick = |new: &Option<Option<String>>, old: &Option<String>| match new {
        Some(v) => v.clone(),
        None => old.clone(),
    };
    let employer = pick(&patch.employer_org_id, &current.employer_org_id);
    let checked = check_person(
        patch.full_name.as_deref().unwrap_or(&current.full_name),
        patch.id_number.as_deref().unwrap_or(&current.id_number),
        pick(&patch.ethnicity, &current.ethnicity).as_deref(),
        pick(&patch.phone, &current.phone).as_deref(),
        pick(&patch.occupation, &current.occupation).as_deref(),
        employer.as_deref(),
        today,
    )?;
    let path = employer_path(conn, checked.employer_org_id.as_deref())?;
    refuse_locked_changes(conn, current, &checked.full_name, &checked.id_number, checked.employer_org_id.as_deref())?;
    // An appointed judge's employer decides which stations they stand aside from: it changes
    // only through an organiser until their events are over.
    if checked.employer_org_id != current.employer_org_id
        && actor.is_person(&current.id)
        && store::draws::live_appointments_of_person(conn, &current.id)? > 0
    {
        return Err(crate::service::judging::profile_frozen());
    }
    if checked.employer_org_id != current.employer_org_id
        && !actor.is_person(&current.id)
        && !can_edit_person(actor, &current.id, path.as_deref())
    {
        return Err(ApiError::forbidden("the new employer is outside your subtree"));
    }
    let education = match patch.education {
        Some(e) => e.map(|e| e.as_str().to_string()),
        None => current.education.clone(),
    };
    let row = PersonRow {
        id: current.id.clone(),
        full_name: checked.full_name,
        id_number: checked.id_number,
        gender: checked.gender.as_str().into(),
        birth_date: checked.birth_date,
        ethnicity: checked.ethnicity,
        phone: checked.phone,
        education,
        employer_org_id: checked.employer_org_id,
        occupation: checked.occupation,
        is_migrant_worker: patch.is_migrant_worker.unwrap_or(current.is_migrant_worker),
        version: current.version + 1,
        created_at: current.created_at,
        updated_at: now,
    };
    if !store::persons::update_if_version(conn, &row, current.version)? {
        return Err(ApiError::precondition_failed("the person changed while you were editing; reload and try again"));
    }
    record(conn, actor, "person.update", ("person", &row.id), audit_view(current), audit_view(&row))?;
    Ok((row, path))
}

pub async fn get_person(db: &Db, actor: Actor, id: String) -> ApiResult<PersonOut> {
    db.read(move |conn| {
        let (row, path) = crate::service::load::person(conn, &actor, &id)?;
        let credentials = store::persons::credentials_of(conn, &id)?;
        Ok(person_view(conn, row, path.as_deref(), &actor, credentials)?)
    })
    .await
}

#[derive(Serialize)]
pub struct AuditPerson<'a> {
    full_name: &'a str,
    id_number: &'a str,
    gender: &'a str,
    ethnicity: Option<&'a str>,
    education: Option<&'a str>,
    employer_org_id: Option<&'a str>,
    occupation: Option<&'a str>,
    is_migrant_worker: bool,
    version: i32,
}

/// The checked fields of a person, or every violation found.
pub struct CheckedPerson {
    pub full_name: String,
    pub id_number: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub ethnicity: Option<String>,
    pub phone: Option<String>,
    pub occupation: Option<String>,
    pub employer_org_id: Option<String>,
}

pub async fn delete_credential(db: &Db, actor: Actor, person_id: String, credential_id: String) -> ApiResult<()> {
    db.write(move |conn| {
        let (person, _) = load_editable(conn, &actor, &person_id)?;
        let credential = store::persons::find_credential(conn, &credential_id)?
            .filter(|c| c.person_id == person.id)
            .ok_or_else(|| ApiError::not_found("credential"))?;
        store::persons::delete_credential(conn, &credential.id)?;
        record(conn, &actor, "credential.delete", ("person", &person.id), snapshot(&credential_out(credential)), None)
    })
    .await
}

/// What a list of people asks for, its paging already checked.
pub struct PersonSearch {
    pub employer_org_id: Option<String>,
    pub name_contains: Option<String>,
    pub id_number: Option<String>,
    pub after_id: Option<String>,
    pub limit: i64,
}

/// People employed within the caller's subtrees (all for admins); searching by ID number is for
/// reviewers (organisers) only, since it confirms whether a number is registered.
pub async fn list_persons(db: &Db, actor: Actor, search: PersonSearch) -> ApiResult<PersonPage> {
    let within_paths = if actor.is_admin() {
        None
    } else {
        let paths = actor.scope_paths(&[Role::Organiser, Role::Official]);
        if paths.is_empty() {
            return Err(ApiError::forbidden("only organisers, officials and admins can list people"));
        }
        if search.id_number.is_some() && actor.scope_paths(&[Role::Organiser]).is_empty() {
            return Err(ApiError::forbidden("searching by ID card number is for reviewers"));
        }
        Some(if search.id_number.is_some() { actor.scope_paths(&[Role::Organiser]) } else { paths })
    };
    let limit = search.limit;
    let filter = PersonFilter {
        within_paths,
        employer_org_id: search.employer_org_id,
        name_contains: search.name_contains,
        id_number: search.id_number.map(|n| n.trim().to_uppercase()),
        after_id: search.after_id,
        limit: limit + 1,
    };
    db.read(move |conn| {
        let rows = store::persons::list(conn, &filter)?;
        let (rows, next_cursor) = split_page(rows, limit, |(r, _)| r.id.clone());
        let ids: Vec<String> = rows.iter().map(|(r, _)| r.id.clone()).collect();
        let mut credentials = store::persons::credentials_of_many(conn, &ids)?;
        let items = rows
            .into_iter()
            .map(|(row, path)| {
                let held = credentials.remove(&row.id).unwrap_or_default();
                person_view(conn, row, path.as_deref(), &actor, held)
            })
            .collect::<ApiResult<_>>()?;
        Ok(PersonPage { items, next_cursor })
    })
    .await
}

fn check_input(input: &PersonInput, today: NaiveDate) -> ApiResult<CheckedPerson> {
    check_person(
        &input.full_name,
        &input.id_number,
        input.ethnicity.as_deref(),
        input.phone.as_deref(),
        input.occupation.as_deref(),
        input.employer_org_id.as_deref(),
        today,
    )
}

/// An organiser records a person employed within their subtree (an admin, anyone).
pub async fn create_person(
    db: &Db,
    actor: Actor,
    input: PersonInput,
    now: NaiveDateTime,
    today: NaiveDate,
) -> ApiResult<PersonOut> {
    let checked = check_input(&input, today)?;
    if !actor.is_admin() && checked.employer_org_id.is_none() {
        return Err(ApiError::field("employer_org_id", "required", "name the employer within your subtree"));
    }
    db.write(move |conn| {
        let path = employer_path(conn, checked.employer_org_id.as_deref())?;
        let row = new_person_row(checked, &input, now);
        if !can_edit_person(&actor, &row.id, path.as_deref()) {
            return Err(ApiError::forbidden("the employer is outside your subtree"));
        }
        store::persons::insert(conn, &row)?;
        record(conn, &actor, "person.create", ("person", &row.id), None, audit_view(&row))?;
        Ok(person_out(row, path.as_deref(), &actor, Vec::new(), false))
    })
    .await
}

/// Changes a person's profile, at the version the caller read.
pub async fn update_person(
    db: &Db,
    actor: Actor,
    id: String,
    expected: i32,
    patch: PersonPatch,
    now: NaiveDateTime,
    today: NaiveDate,
) -> ApiResult<PersonOut> {
    db.write(move |conn| {
        let (current, _) = load_editable(conn, &actor, &id)?;
        check_version(current.version, expected)?;
        let (row, path) = apply_patch(conn, &actor, &current, patch, now, today)?;
        let credentials = store::persons::credentials_of(conn, &id)?;
        Ok(person_view(conn, row, path.as_deref(), &actor, credentials)?)
    })
    .await
}

/// The caller's own profile: created when they have none (`true`), else replaced whole at the
/// version they read (`expected`, required then).
pub async fn put_my_person(
    db: &Db,
    actor: Actor,
    expected: Option<i32>,
    input: PersonInput,
    now: NaiveDateTime,
    today: NaiveDate,
) -> ApiResult<(bool, PersonOut)> {
    db.write(move |conn| match (&actor.person_id, expected) {
        (Some(pid), Some(expected)) => {
            let (current, _) = load_editable(conn, &actor, pid)?;
            check_version(current.version, expected)?;
            let patch = PersonPatch {
                full_name: Some(input.full_name),
                id_number: Some(input.id_number),
                ethnicity: Some(input.ethnicity),
                phone: Some(input.phone),
                education: Some(input.education),
                employer_org_id: Some(input.employer_org_id),
                occupation: Some(input.occupation),
                is_migrant_worker: Some(input.is_migrant_worker),
            };
            let (row, path) = apply_patch(conn, &actor, &current, patch, now, today)?;
            let credentials = store::persons::credentials_of(conn, pid)?;
            Ok((false, person_view(conn, row, path.as_deref(), &actor, credentials)?))
        }
        _ => {
            let checked = check_input(&input, today)?;
            let path = employer_path(conn, checked.employer_org_id.as_deref())?;
            let row = new_person_row(checked, &input, now);
            store::persons::insert(conn, &row)?;
            store::users::set_person(conn, &actor.user_id, &row.id, row.created_at)?;
            record(conn, &actor, "person.create", ("person", &row.id), None, audit_view(&row))?;
            let mut me = actor.clone();
            me.person_id = Some(row.id.clone());
            Ok((true, person_out(row, path.as_deref(), &me, Vec::new(), false)))
        }
    })
    .await
}
