//! The organisation tree (national → enterprise): listing within the caller's scope, changes and moves.

use chrono::NaiveDateTime;

use crate::auth::policy::can_manage_organisation;
use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::organisation::is_certifying_body;
use crate::domain::organisation::{check_placement, child_path, in_subtree, OrgKind, Placement, Tier};
use crate::domain::{text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::check_version;
use crate::store::organisations::{OrganisationFilter, OrganisationRow};
use crate::store::{self, audit::snapshot, new_id, StoreError};
use crate::wire::organisations::{
    NewOrganisation, OrganisationOut, OrganisationPage, OrganisationPatch, OrganisationQuery,
};
use crate::wire::{parse_id, split_page, utc, PageParams};

pub fn kind_of(row: &OrganisationRow) -> ApiResult<(OrgKind, Tier)> {
    match (OrgKind::parse(&row.kind), Tier::parse(&row.tier)) {
        (Some(k), Some(t)) => Ok((k, t)),
        _ => Err(ApiError::internal(format!("organisation {} has an unknown kind or tier", row.id))),
    }
}

pub fn organisation_out(row: OrganisationRow) -> ApiResult<OrganisationOut> {
    let (kind, tier) = kind_of(&row)?;
    Ok(OrganisationOut {
        id: row.id,
        name: row.name,
        short_name: row.short_name,
        kind,
        tier,
        parent_id: row.parent_id,
        region_code: row.region_code,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

/// Checks the placement rules and turns the violations into a 422.
pub fn placement_ok(kind: OrgKind, tier: Tier, region_code: &str, parent: Option<&OrganisationRow>) -> ApiResult<()> {
    let parent = match parent {
        Some(p) => Some((kind_of(p)?.1, p.region_code.as_str())),
        None => None,
    };
    let violations = check_placement(&Placement { kind, tier, region_code, parent });
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(violations))
    }
}

pub fn load_parent(conn: &mut DbConnection, parent_id: &str) -> ApiResult<OrganisationRow> {
    store::organisations::find(conn, parent_id)?
        .ok_or_else(|| ApiError::field("parent_id", "unknown_organisation", "no organisation has this id"))
}

pub fn sibling_name_taken(e: StoreError) -> ApiError {
    e.duplicate_means(|| {
        ApiError::field("name", "name_taken", "an organisation with this name already exists under the same parent")
    })
}

/// Changes an organisation at the version read; moving it re-roots its subtree, within what the caller runs.
pub async fn update_organisation(
    db: &Db,
    actor: Actor,
    id: String,
    expected_version: i32,
    patch: OrganisationPatch,
    new_parent_id: Option<String>,
    now: NaiveDateTime,
) -> ApiResult<OrganisationRow> {
    db.write(move |conn| {
        let current = store::organisations::find(conn, &id)?.ok_or_else(|| ApiError::not_found("organisation"))?;
        if !can_manage_organisation(&actor, &current.path) {
            return Err(ApiError::forbidden("this organisation is outside your subtree"));
        }
        check_version(current.version, expected_version)?;
        let before = organisation_out(current.clone())?;
        let mut violations: Vec<Violation> = Vec::new();
        let mut next = current.clone();
        if let Some(name) = &patch.name {
            match text::required("name", name, 100) {
                Ok(n) => next.name = n,
                Err(v) => violations.push(v),
            }
        }
        if let Some(short) = &patch.short_name {
            match text::optional("short_name", short.as_deref(), 30) {
                Ok(s) => next.short_name = s,
                Err(v) => violations.push(v),
            }
        }
        if !violations.is_empty() {
            return Err(ApiError::validation(violations));
        }
        let (mut kind, mut tier) = kind_of(&current)?;
        let moves = [
            patch.kind.is_some_and(|k| k != kind),
            patch.tier.is_some_and(|t| t != tier),
            patch.region_code.as_ref().is_some_and(|r| *r != current.region_code),
            new_parent_id.as_ref().is_some_and(|p| Some(p) != current.parent_id.as_ref()),
        ];
        if moves.iter().any(|m| *m) && !actor.is_admin() {
            return Err(ApiError::forbidden_because(
                "admins_only",
                "an organisation's kind, tier, region and parent are changed by admins: they decide which bodies certify awards",
            ));
        }
        kind = patch.kind.unwrap_or(kind);
        tier = patch.tier.unwrap_or(tier);
        if let Some(region) = &patch.region_code {
            next.region_code = region.clone();
        }
        next.kind = kind.as_str().into();
        next.tier = tier.as_str().into();
        let parent = match (&new_parent_id, &current.parent_id) {
            (Some(pid), _) => {
                let parent = load_parent(conn, pid)?;
                if in_subtree(&parent.path, &current.path) {
                    return Err(ApiError::field(
                        "parent_id",
                        "cycle",
                        "an organisation cannot move under itself or its own subtree",
                    ));
                }
                if !can_manage_organisation(&actor, &parent.path) {
                    return Err(ApiError::forbidden("the new parent is outside your subtree"));
                }
                Some(parent)
            }
            (None, Some(pid)) => Some(load_parent(conn, pid)?),
            (None, None) => None,
        };
        placement_ok(kind, tier, &next.region_code, parent.as_ref())?;
        for child in store::organisations::list(
            conn,
            &OrganisationFilter { parent_id: Some(current.id.clone()), limit: i64::MAX, ..Default::default() },
        )? {
            let (child_kind, child_tier) = kind_of(&child)?;
            if !check_placement(&Placement {
                kind: child_kind,
                tier: child_tier,
                region_code: &child.region_code,
                parent: Some((tier, &next.region_code)),
            })
            .is_empty()
            {
                return Err(ApiError::conflict(
                    "children_would_not_fit",
                    format!("the child organisation '{}' would no longer fit under this tier or region", child.name),
                ));
            }
        }
        next.parent_id = parent.as_ref().map(|p| p.id.clone());
        next.path = child_path(parent.as_ref().map(|p| p.path.as_str()), &current.id);
        next.version = current.version + 1;
        next.updated_at = now;
        if !store::organisations::update_if_version(conn, &next, expected_version).map_err(sibling_name_taken)? {
            return Err(ApiError::precondition_failed(
                "the organisation changed while you were editing it; reload and try again",
            ));
        }
        if next.path != current.path {
            store::organisations::move_descendants(conn, &current.path, &next.path)?;
        }
        record(
            conn,
            &actor,
            "organisation.update",
            ("organisation", &next.id),
            snapshot(&before),
            snapshot(&organisation_out(next.clone())?),
        )?;
        Ok(next)
    })
    .await
}

/// A page of organisations, filtered, ordered by creation (the tree is public to read).
pub async fn list_organisations(db: &Db, q: OrganisationQuery, page: PageParams) -> ApiResult<OrganisationPage> {
    let limit = page.limit()?;
    let after_id = page.cursor_id()?;
    let parent_id = q.parent_id.as_deref().map(|v| parse_id("parent_id", v)).transpose()?;
    let within = q.within.as_deref().map(|v| parse_id("within", v)).transpose()?;
    let name_contains = text::optional("q", q.q.as_deref(), 100)?;
    let rows = db
        .read(move |conn| {
            let within_path = match within {
                Some(id) => Some(
                    store::organisations::find(conn, &id)?.ok_or_else(|| ApiError::not_found("organisation"))?.path,
                ),
                None => None,
            };
            Ok(store::organisations::list(
                conn,
                &OrganisationFilter {
                    parent_id,
                    roots_only: q.roots.unwrap_or(false),
                    tier: q.tier.map(|t| t.as_str().to_string()),
                    kind: q.kind.map(|k| k.as_str().to_string()),
                    name_contains,
                    within_path,
                    region_code: q.region_code,
                    after_id,
                    limit: limit + 1,
                },
            )?)
        })
        .await?;
    let (rows, next_cursor) = split_page(rows, limit, |r| r.id.clone());
    let items = rows.into_iter().map(organisation_out).collect::<ApiResult<Vec<_>>>()?;
    Ok(OrganisationPage { items, next_cursor })
}

/// One organisation.
pub async fn get_organisation(db: &Db, id: String) -> ApiResult<OrganisationRow> {
    let row = db.read(move |conn| Ok(store::organisations::find(conn, &id)?)).await?;
    row.ok_or_else(|| ApiError::not_found("organisation"))
}

/// Creates an organisation under a parent the caller manages (admins may create roots).
pub async fn create_organisation(
    db: &Db,
    actor: Actor,
    input: NewOrganisation,
    now: NaiveDateTime,
) -> ApiResult<OrganisationRow> {
    let mut violations = Vec::new();
    let name = text::required("name", &input.name, 100).map_err(|v| violations.push(v)).ok();
    let short_name =
        text::optional("short_name", input.short_name.as_deref(), 30).map_err(|v| violations.push(v)).ok().flatten();
    let parent_id = input.parent_id.as_deref().map(|v| parse_id("parent_id", v)).transpose()?;
    if !violations.is_empty() {
        return Err(ApiError::validation(violations));
    }
    let name = name.unwrap_or_default();
    db.write(move |conn| {
        let parent = parent_id.as_deref().map(|id| load_parent(conn, id)).transpose()?;
        match &parent {
            Some(p) if !can_manage_organisation(&actor, &p.path) => {
                return Err(ApiError::forbidden("you can only create organisations within your own subtree"))
            }
            None if !actor.is_admin() => {
                return Err(ApiError::forbidden("only an administrator may create a root organisation"))
            }
            _ => {}
        }
        placement_ok(input.kind, input.tier, &input.region_code, parent.as_ref())?;
        if !actor.is_admin() && is_certifying_body(input.kind, input.tier) {
            return Err(ApiError::forbidden_because(
                "admins_only",
                "trade union federations and HRSS departments above the enterprise are created by admins: they certify awards",
            ));
        }
        let at = now;
        let id = new_id();
        let row = OrganisationRow {
            path: child_path(parent.as_ref().map(|p| p.path.as_str()), &id),
            id,
            name,
            short_name,
            kind: input.kind.as_str().into(),
            tier: input.tier.as_str().into(),
            parent_id: parent.map(|p| p.id),
            region_code: input.region_code.clone(),
            version: 1,
            created_at: at,
            updated_at: at,
        };
        store::organisations::insert(conn, &row).map_err(sibling_name_taken)?;
        record(
            conn,
            &actor,
            "organisation.create",
            ("organisation", &row.id),
            None,
            snapshot(&organisation_out(row.clone())?),
        )?;
        Ok(row)
    })
    .await
}

/// Deletes an organisation with no children, no people employed there and no role grants on
/// it, at the version read. Needs rights over its parent (an organiser cannot delete the root of
/// their own grant).
pub async fn delete_organisation(db: &Db, actor: Actor, id: String, expected_version: i32) -> ApiResult<()> {
    db.write(move |conn| {
        let current = store::organisations::find(conn, &id)?.ok_or_else(|| ApiError::not_found("organisation"))?;
        let parent_path = match &current.parent_id {
            Some(pid) => Some(load_parent(conn, pid)?.path),
            None => None,
        };
        let allowed = match &parent_path {
            Some(path) => can_manage_organisation(&actor, path),
            None => actor.is_admin(),
        };
        if !allowed {
            return Err(ApiError::forbidden("deleting an organisation needs rights over its parent"));
        }
        check_version(current.version, expected_version)?;
        if store::organisations::count_children(conn, &id)? > 0 {
            return Err(ApiError::conflict("has_children", "delete or move its child organisations first"));
        }
        if store::users::count_grants_on(conn, &id)? > 0 {
            return Err(ApiError::conflict(
                "still_referenced",
                "accounts hold roles in this organisation; withdraw those grants first",
            ));
        }
        let before = organisation_out(current)?;
        store::organisations::delete(conn, &id).map_err(|e| {
            e.still_referenced_means(|| {
                ApiError::conflict("still_referenced", "people or records still refer to this organisation")
            })
        })?;
        record(conn, &actor, "organisation.delete", ("organisation", &id), snapshot(&before), None)
    })
    .await
}
