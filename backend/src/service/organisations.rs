//! The organisation tree (national → enterprise): listing within the caller's scope, changes and moves.

use crate::auth::policy::can_manage_organisation;
use crate::auth::Actor;
use crate::db::Db;
use crate::db::DbConnection;
use crate::domain::organisation::{check_placement, OrgKind, Placement, Tier};
use crate::domain::organisation::{child_path, in_subtree};
use crate::domain::{text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::check_version;
use crate::store::organisations::OrganisationFilter;
use crate::store::organisations::OrganisationRow;
use crate::store::StoreError;
use crate::store::{self, audit::snapshot};
use crate::wire::organisations::OrganisationOut;
use crate::wire::organisations::OrganisationPatch;
use crate::wire::utc;
use chrono::NaiveDateTime;

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
    if e.is_duplicate() {
        ApiError::field("name", "name_taken", "an organisation with this name already exists under the same parent")
    } else {
        e.into()
    }
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
