use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::lower;
use super::{StoreError, StoreResult, Taken};
use crate::db::schema::{organisations, persons, skill_credentials};
use crate::db::{like_contains, DbConnection};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = persons)]
#[diesel(treat_none_as_default_value = false)]
pub struct PersonRow {
    pub id: String,
    pub full_name: String,
    pub id_number: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub ethnicity: Option<String>,
    pub phone: Option<String>,
    pub education: Option<String>,
    pub employer_org_id: Option<String>,
    pub occupation: Option<String>,
    pub is_migrant_worker: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Serialisable for the audit trail's before/after (it holds no personal number).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = skill_credentials)]
pub struct CredentialRow {
    pub id: String,
    pub person_id: String,
    pub occupation: String,
    pub level: i32,
    pub certificate_no: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: NaiveDate,
    pub source: String,
    pub created_at: NaiveDateTime,
    /// `domain::person::CredentialStatus`.
    pub status: String,
    /// Who entered it (a user id; none for seeded data).
    pub recorded_by: Option<String>,
    /// Who verified or rejected it, and when.
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub rejection_reason: Option<String>,
}

/// A person with the path of their employer, for access checks.
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<(PersonRow, Option<String>)>> {
    Ok(persons::table
        .left_join(organisations::table)
        .filter(persons::id.eq(id))
        .select((PersonRow::as_select(), organisations::path.nullable()))
        .first(conn)
        .optional()?)
}

fn id_number_taken() -> StoreError {
    StoreError::Taken(Taken::IdNumber)
}

/// The person with this ID card number, with their employer's path.
pub fn find_by_id_number(conn: &mut DbConnection, id_number: &str) -> StoreResult<Option<(PersonRow, Option<String>)>> {
    Ok(persons::table
        .left_join(organisations::table)
        .filter(persons::id_number.eq(id_number))
        .select((PersonRow::as_select(), organisations::path.nullable()))
        .first(conn)
        .optional()?)
}

pub fn insert(conn: &mut DbConnection, row: &PersonRow) -> StoreResult<()> {
    let taken: i64 = persons::table.filter(persons::id_number.eq(&row.id_number)).count().get_result(conn)?;
    if taken > 0 {
        return Err(id_number_taken());
    }
    diesel::insert_into(persons::table).values(row).execute(conn).map_err(unique_to_taken)?;
    Ok(())
}

fn unique_to_taken(e: diesel::result::Error) -> StoreError {
    match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
            id_number_taken()
        }
        other => other.into(),
    }
}

/// Writes the row if its stored version is still `expected_version`; returns whether it did.
pub fn update_if_version(conn: &mut DbConnection, row: &PersonRow, expected_version: i32) -> StoreResult<bool> {
    let taken: i64 = persons::table
        .filter(persons::id_number.eq(&row.id_number))
        .filter(persons::id.ne(&row.id))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(id_number_taken());
    }
    let changed =
        diesel::update(persons::table.filter(persons::id.eq(&row.id)).filter(persons::version.eq(expected_version)))
            .set((
                persons::full_name.eq(&row.full_name),
                persons::id_number.eq(&row.id_number),
                persons::gender.eq(&row.gender),
                persons::birth_date.eq(row.birth_date),
                persons::ethnicity.eq(&row.ethnicity),
                persons::phone.eq(&row.phone),
                persons::education.eq(&row.education),
                persons::employer_org_id.eq(&row.employer_org_id),
                persons::occupation.eq(&row.occupation),
                persons::is_migrant_worker.eq(row.is_migrant_worker),
                persons::version.eq(row.version),
                persons::updated_at.eq(row.updated_at),
            ))
            .execute(conn)
            .map_err(unique_to_taken)?;
    Ok(changed == 1)
}

#[derive(Debug, Default)]
pub struct PersonFilter {
    /// Only people whose employer lies in one of these subtrees (None: everyone).
    pub within_paths: Option<Vec<String>>,
    pub employer_org_id: Option<String>,
    pub name_contains: Option<String>,
    pub id_number: Option<String>,
    pub after_id: Option<String>,
    pub limit: i64,
}

pub fn list(conn: &mut DbConnection, f: &PersonFilter) -> StoreResult<Vec<(PersonRow, Option<String>)>> {
    let mut query = persons::table
        .left_join(organisations::table)
        .select((PersonRow::as_select(), organisations::path.nullable()))
        .into_boxed();
    super::filter_within_paths!(query, &f.within_paths);
    if let Some(org) = &f.employer_org_id {
        query = query.filter(persons::employer_org_id.eq(org.clone()));
    }
    if let Some(q) = &f.name_contains {
        query = query.filter(lower(persons::full_name).like(like_contains(q)).escape('\\'));
    }
    if let Some(number) = &f.id_number {
        query = query.filter(persons::id_number.eq(number.clone()));
    }
    if let Some(after) = &f.after_id {
        query = query.filter(persons::id.gt(after.clone()));
    }
    Ok(query.order(persons::id.asc()).limit(f.limit).load(conn)?)
}

pub fn credentials_of(conn: &mut DbConnection, person_id: &str) -> StoreResult<Vec<CredentialRow>> {
    Ok(skill_credentials::table
        .filter(skill_credentials::person_id.eq(person_id))
        .order((skill_credentials::issued_on.asc(), skill_credentials::id.asc()))
        .select(CredentialRow::as_select())
        .load(conn)?)
}

/// The credentials of several people at once (a page of a list), by person.
pub fn credentials_of_many(
    conn: &mut DbConnection,
    person_ids: &[String],
) -> StoreResult<std::collections::HashMap<String, Vec<CredentialRow>>> {
    let mut by_person: std::collections::HashMap<String, Vec<CredentialRow>> = std::collections::HashMap::new();
    for row in skill_credentials::table
        .filter(skill_credentials::person_id.eq_any(person_ids))
        .order((skill_credentials::issued_on.asc(), skill_credentials::id.asc()))
        .select(CredentialRow::as_select())
        .load(conn)?
    {
        by_person.entry(row.person_id.clone()).or_default().push(row);
    }
    Ok(by_person)
}

pub fn insert_credential(conn: &mut DbConnection, row: &CredentialRow) -> StoreResult<()> {
    diesel::insert_into(skill_credentials::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_credential(conn: &mut DbConnection, id: &str) -> StoreResult<Option<CredentialRow>> {
    Ok(skill_credentials::table.find(id).select(CredentialRow::as_select()).first(conn).optional()?)
}

/// Records a reviewer's verdict on a credential.
pub fn review_credential(conn: &mut DbConnection, row: &CredentialRow) -> StoreResult<()> {
    diesel::update(skill_credentials::table.find(&row.id))
        .set((
            skill_credentials::status.eq(&row.status),
            skill_credentials::reviewed_by.eq(&row.reviewed_by),
            skill_credentials::reviewed_at.eq(row.reviewed_at),
            skill_credentials::rejection_reason.eq(&row.rejection_reason),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete_credential(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::delete(skill_credentials::table.find(id)).execute(conn)?;
    Ok(())
}
