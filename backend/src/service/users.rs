//! Staff accounts and their role grants, within what the caller may grant.

use chrono::NaiveDateTime;

use crate::auth::policy::{can_grant, require_admin};
use crate::auth::Actor;
use crate::db::Db;
use crate::db::DbConnection;
use crate::domain::organisation::in_subtree;
use crate::domain::role::EventRole;
use crate::domain::role::Role;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::store::audit::snapshot;
use crate::store::users::UserFilter;
use crate::store::users::{GrantRow, UserRow};
use crate::store::{self, new_id};
use crate::wire::users::UserPage;
use crate::wire::users::{grant_outs, GrantOut};
use crate::wire::users::{GrantInput, UserOut};
use crate::wire::{parse_id, split_page, utc};

pub fn user_out(conn: &mut DbConnection, user: UserRow) -> ApiResult<UserOut> {
    let full_name = store::users::shown_names(conn, std::slice::from_ref(&user.id))?.remove(&user.id);
    user_out_named(conn, user, full_name)
}

/// A user with the name already looked up (a list looks up all its names in one query).
fn user_out_named(conn: &mut DbConnection, user: UserRow, full_name: Option<String>) -> ApiResult<UserOut> {
    let grants = grant_outs(store::users::grants_of(conn, &user.id)?);
    Ok(UserOut {
        id: user.id,
        username: user.username,
        full_name,
        person_id: user.person_id,
        is_active: user.is_active,
        grants,
        created_at: utc(user.created_at),
    })
}

/// A user the caller may manage: admins any; organisers those holding a grant in their subtree.
pub fn load_managed_user(conn: &mut DbConnection, actor: &Actor, id: &str) -> ApiResult<UserRow> {
    let user = store::users::find(conn, id)?.ok_or_else(|| ApiError::not_found("user"))?;
    if actor.is_admin() {
        return Ok(user);
    }
    let scopes = actor.scope_paths(&[Role::Organiser]);
    let visible = store::users::grants_of(conn, id)?
        .iter()
        .any(|(_, path, _)| path.as_deref().is_some_and(|p| scopes.iter().any(|root| in_subtree(p, root))));
    if visible {
        Ok(user)
    } else {
        Err(ApiError::not_found("user"))
    }
}

/// Checks and writes one grant (used by account creation and by `POST /users/{id}/grants`).
pub fn grant_role(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: &str,
    input: &GrantInput,
    now: chrono::NaiveDateTime,
) -> ApiResult<GrantRow> {
    let organisation_id = input.organisation_id.as_deref().map(|v| parse_id("organisation_id", v)).transpose()?;
    let org_path = match (&organisation_id, input.role.needs_organisation()) {
        (Some(id), true) => Some(
            store::organisations::find(conn, id)?
                .ok_or_else(|| {
                    ApiError::field("organisation_id", "unknown_organisation", "no organisation has this id")
                })?
                .path,
        ),
        (None, true) => {
            return Err(ApiError::field(
                "organisation_id",
                "required",
                format!("a {} grant names the organisation subtree it covers", input.role),
            ))
        }
        (Some(_), false) => {
            return Err(ApiError::field(
                "organisation_id",
                "not_applicable",
                format!("a {} grant is not scoped to an organisation", input.role),
            ))
        }
        (None, false) => None,
    };
    if !can_grant(actor, input.role, org_path.as_deref()) {
        return Err(ApiError::forbidden(format!("you may not grant the {} role there", input.role)));
    }
    let row = GrantRow {
        id: new_id(),
        user_id: user_id.to_string(),
        role: input.role.as_str().into(),
        organisation_id,
        granted_by: Some(actor.user_id.clone()),
        created_at: now,
    };
    store::users::insert_grant(conn, &row)?;
    record(
        conn,
        actor,
        "grant.create",
        ("user", user_id),
        None,
        Some(serde_json::json!({ "grant_id": row.id, "role": row.role, "organisation_id": row.organisation_id })),
    )?;
    Ok(row)
}

pub async fn get_user(db: &Db, actor: Actor, id: String) -> ApiResult<UserOut> {
    db.read(move |conn| {
        let user = load_managed_user(conn, &actor, &id)?;
        user_out(conn, user)
    })
    .await
}

pub async fn add_grant(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    input: GrantInput,
) -> ApiResult<GrantOut> {
    db.write(move |conn| {
        // An organiser may add a grant in their subtree to any existing account (e.g. make a
        // contestant a judge), so only existence is checked here; the grant check does the rest.
        store::users::find(conn, &id)?.ok_or_else(|| ApiError::not_found("user"))?;
        if id == actor.user_id {
            return Err(ApiError::forbidden_because("self_grant", "no one grants a role to themselves"));
        }
        let row = grant_role(conn, &actor, &id, &input, now)?;
        let grants = store::users::grants_of(conn, &id)?;
        grant_outs(grants).into_iter().find(|g| g.id == row.id).ok_or_else(|| ApiError::internal("grant vanished"))
    })
    .await
}

pub async fn list_users(db: &Db, limit: i64, filter: UserFilter) -> ApiResult<UserPage> {
    db.read(move |conn| {
        let rows = store::users::list(conn, &filter)?;
        let (rows, next_cursor) = split_page(rows, limit, |u| u.id.clone());
        let ids: Vec<String> = rows.iter().map(|u| u.id.clone()).collect();
        let mut names = store::users::shown_names(conn, &ids)?;
        let items = rows
            .into_iter()
            .map(|u| {
                let name = names.remove(&u.id);
                user_out_named(conn, u, name)
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(UserPage { items, next_cursor })
    })
    .await
}

pub async fn create_user(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    username: String,
    full_name: Option<String>,
    password_hash: String,
    grant: Option<GrantInput>,
) -> ApiResult<UserOut> {
    db.write(move |conn| {
        let at = now;
        let user = UserRow { full_name, ..UserRow::new_account(username, password_hash, at) };
        store::users::insert(conn, &user)?;
        record(
            conn,
            &actor,
            "user.create",
            ("user", &user.id),
            None,
            Some(serde_json::json!({ "username": user.username, "full_name": user.full_name })),
        )?;
        if let Some(grant) = &grant {
            grant_role(conn, &actor, &user.id, grant, now)?;
        }
        user_out(conn, user)
    })
    .await
}

pub async fn remove_grant(db: &Db, actor: Actor, user_id: String, grant_id: String) -> ApiResult<()> {
    db.write(move |conn| {
        let grant = store::users::find_grant(conn, &grant_id)?
            .filter(|g| g.user_id == user_id)
            .ok_or_else(|| ApiError::not_found("grant"))?;
        let role = Role::parse(&grant.role).ok_or_else(|| ApiError::internal("unknown role stored"))?;
        let org_path = match &grant.organisation_id {
            Some(org) => store::organisations::find(conn, org)?.map(|o| o.path),
            None => None,
        };
        if !can_grant(&actor, role, org_path.as_deref()) {
            return Err(ApiError::forbidden(format!("you may not withdraw a {role} grant there")));
        }
        if role == Role::Admin && store::users::count_admins(conn)? <= 1 {
            return Err(ApiError::conflict("last_admin", "this is the last admin grant; grant another admin first"));
        }
        store::users::delete_grant(conn, &grant.id)?;
        end_unqualified_appointments(conn, &actor, &user_id)?;
        record(conn, &actor, "grant.delete", ("user", &user_id), snapshot(&serde_json::json!({ "grant_id": grant.id, "role": grant.role, "organisation_id": grant.organisation_id })), None)
    })
    .await
}

/// Enables or disables an account (admins only, never their own). Disabling ends every session
/// of the account at once.
pub async fn set_active(db: &Db, actor: Actor, now: NaiveDateTime, id: String, active: bool) -> ApiResult<UserOut> {
    require_admin(&actor)?;
    db.write(move |conn| {
        let user = store::users::find(conn, &id)?.ok_or_else(|| ApiError::not_found("user"))?;
        if user.id == actor.user_id && !active {
            return Err(ApiError::conflict("cannot_disable_self", "you cannot disable your own account"));
        }
        store::users::set_active(conn, &id, active, now)?;
        if !active {
            store::tokens::revoke_all_of_user(conn, &id, now)?;
        }
        record(
            conn,
            &actor,
            if active { "user.enable" } else { "user.disable" },
            ("user", &id),
            Some(serde_json::json!({ "is_active": user.is_active })),
            Some(serde_json::json!({ "is_active": active })),
        )?;
        let user = store::users::find(conn, &id)?.ok_or_else(|| ApiError::not_found("user"))?;
        user_out(conn, user)
    })
    .await
}

/// Ends the event roles a user no longer holds a qualifying grant for (a judge whose judge grant
/// is withdrawn is no longer on any panel that is still at work), each audited; appointments on
/// competitions that are over stay as the record of who judged.
fn end_unqualified_appointments(conn: &mut DbConnection, actor: &Actor, user_id: &str) -> ApiResult<()> {
    let held: Vec<Role> =
        store::users::grants_of(conn, user_id)?.iter().filter_map(|(g, _, _)| Role::parse(&g.role)).collect();
    for row in store::draws::live_roles_of_user(conn, user_id)? {
        let Some(role) = EventRole::parse(&row.role) else { continue };
        if role.qualifying_roles().iter().any(|q| held.contains(q)) {
            continue;
        }
        store::draws::delete_role(conn, &row.id)?;
        let ended = serde_json::json!({ "user_id": user_id, "role": row.role, "reason": "grant withdrawn" });
        record(conn, actor, "event.unappoint", ("event", &row.event_id), Some(ended), None)?;
    }
    Ok(())
}
