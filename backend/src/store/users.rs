use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{StoreError, StoreResult, Taken};
use crate::db::schema::{organisations, persons, role_grants, users};
use crate::db::DbConnection;
use crate::domain::role::Role;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub person_id: Option<String>,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The name a staff account is shown by (contestants are named by their profile).
    pub full_name: Option<String>,
}

impl UserRow {
    /// A new, active account with no profile yet.
    pub fn new_account(username: String, password_hash: String, at: NaiveDateTime) -> UserRow {
        UserRow {
            id: super::new_id(),
            username,
            password_hash,
            person_id: None,
            is_active: true,
            created_at: at,
            updated_at: at,
            full_name: None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = role_grants)]
pub struct GrantRow {
    pub id: String,
    pub user_id: String,
    pub role: String,
    pub organisation_id: Option<String>,
    pub granted_by: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table.find(id).select(UserRow::as_select()).first(conn).optional()?)
}

/// Usernames by user id, in one query (lists that name judges, requesters, deciders).
pub fn usernames(conn: &mut DbConnection, ids: &[String]) -> StoreResult<std::collections::HashMap<String, String>> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

pub fn find_by_username(conn: &mut DbConnection, username: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table.filter(users::username.eq(username)).select(UserRow::as_select()).first(conn).optional()?)
}

pub fn find_by_person(conn: &mut DbConnection, person_id: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table.filter(users::person_id.eq(person_id)).select(UserRow::as_select()).first(conn).optional()?)
}

/// Inserts a user; a taken username is a 409 `username_taken`.
pub fn insert(conn: &mut DbConnection, row: &UserRow) -> StoreResult<()> {
    if find_by_username(conn, &row.username)?.is_some() {
        return Err(StoreError::Taken(Taken::Username));
    }
    diesel::insert_into(users::table).values(row).execute(conn).map_err(|e| match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
            StoreError::Taken(Taken::Username)
        }
        other => other.into(),
    })?;
    Ok(())
}

pub fn set_person(conn: &mut DbConnection, user_id: &str, person_id: &str, at: NaiveDateTime) -> StoreResult<()> {
    diesel::update(users::table.find(user_id))
        .set((users::person_id.eq(person_id), users::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

pub fn set_active(conn: &mut DbConnection, user_id: &str, active: bool, at: NaiveDateTime) -> StoreResult<()> {
    diesel::update(users::table.find(user_id))
        .set((users::is_active.eq(active), users::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

pub fn set_password(conn: &mut DbConnection, user_id: &str, password_hash: &str, at: NaiveDateTime) -> StoreResult<()> {
    diesel::update(users::table.find(user_id))
        .set((users::password_hash.eq(password_hash), users::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

pub fn insert_grant(conn: &mut DbConnection, row: &GrantRow) -> StoreResult<()> {
    let mut same = role_grants::table
        .filter(role_grants::user_id.eq(&row.user_id))
        .filter(role_grants::role.eq(&row.role))
        .into_boxed();
    same = match &row.organisation_id {
        Some(org) => same.filter(role_grants::organisation_id.eq(org.clone())),
        None => same.filter(role_grants::organisation_id.is_null()),
    };
    if same.count().get_result::<i64>(conn)? > 0 {
        return Err(StoreError::Taken(Taken::Grant));
    }
    diesel::insert_into(role_grants::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_grant(conn: &mut DbConnection, grant_id: &str) -> StoreResult<Option<GrantRow>> {
    Ok(role_grants::table.find(grant_id).select(GrantRow::as_select()).first(conn).optional()?)
}

pub fn delete_grant(conn: &mut DbConnection, grant_id: &str) -> StoreResult<()> {
    diesel::delete(role_grants::table.find(grant_id)).execute(conn)?;
    Ok(())
}

/// A grant with the path and name of its organisation.
pub type GrantWithOrg = (GrantRow, Option<String>, Option<String>);

/// Grants of a user with the path and name of each granted organisation.
pub fn grants_of(conn: &mut DbConnection, user_id: &str) -> StoreResult<Vec<GrantWithOrg>> {
    Ok(role_grants::table
        .left_join(organisations::table)
        .filter(role_grants::user_id.eq(user_id))
        .order(role_grants::id.asc())
        .select((GrantRow::as_select(), organisations::path.nullable(), organisations::name.nullable()))
        .load(conn)?)
}

pub fn count_grants_on(conn: &mut DbConnection, organisation_id: &str) -> StoreResult<i64> {
    Ok(role_grants::table.filter(role_grants::organisation_id.eq(organisation_id)).count().get_result(conn)?)
}

pub fn count_admins(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(role_grants::table
        .inner_join(users::table.on(users::id.eq(role_grants::user_id)))
        .filter(role_grants::role.eq(Role::Admin.as_str()))
        .filter(users::is_active.eq(true))
        .count()
        .get_result(conn)?)
}

#[derive(Debug, Default)]
pub struct UserFilter {
    pub username_contains: Option<String>,
    /// Only users holding a grant inside one of these subtrees (None: everyone).
    pub within_paths: Option<Vec<String>>,
    pub role: Option<String>,
    pub after_id: Option<String>,
    pub limit: i64,
}

pub fn list(conn: &mut DbConnection, f: &UserFilter) -> StoreResult<Vec<UserRow>> {
    let mut query = users::table
        .left_join(role_grants::table.on(role_grants::user_id.eq(users::id)))
        .left_join(organisations::table.on(role_grants::organisation_id.eq(organisations::id.nullable())))
        .select(UserRow::as_select())
        .distinct()
        .into_boxed();
    super::filter_within_paths!(query, &f.within_paths);
    if let Some(role) = &f.role {
        query = query.filter(role_grants::role.eq(role.clone()));
    }
    if let Some(q) = &f.username_contains {
        query = query.filter(users::username.like(crate::db::like_contains(q)).escape('\\'));
    }
    if let Some(after) = &f.after_id {
        query = query.filter(users::id.gt(after.clone()));
    }
    Ok(query.order(users::id.asc()).limit(f.limit).load(conn)?)
}

/// The names users are shown by: their profile's where they have one, else their account's; a
/// user with neither is left out (shown by username).
pub fn shown_names(
    conn: &mut DbConnection,
    user_ids: &[String],
) -> StoreResult<std::collections::HashMap<String, String>> {
    let rows: Vec<(String, Option<String>, Option<String>)> = users::table
        .left_join(persons::table.on(users::person_id.eq(persons::id.nullable())))
        .filter(users::id.eq_any(user_ids))
        .select((users::id, persons::full_name.nullable(), users::full_name))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(id, person, own)| person.or(own).map(|name| (id, name))).collect())
}
