//! The organisations use cases.

use crate::db::DbConnection;
use crate::domain::organisation::{check_placement, OrgKind, Placement, Tier};
use crate::error::{ApiError, ApiResult};
use crate::store::organisations::OrganisationRow;
use crate::store::StoreError;
use crate::store::{self};
use crate::wire::organisations::OrganisationOut;
use crate::wire::utc;

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
