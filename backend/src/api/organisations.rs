//! The organisation tree: public to read (names of unions and enterprises are public), changed by
//! admins and by organisers within their own subtree.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    check_version, etag, if_match_version, parse_id, record, split_page, JsonBody, PageParams, ProblemResponses,
};
use crate::auth::policy::can_manage_organisation;
use crate::auth::Actor;
use crate::domain::organisation::child_path;
use crate::domain::text;
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::service::organisations::{load_parent, organisation_out, placement_ok, sibling_name_taken};
use crate::store::organisations::{OrganisationFilter, OrganisationRow};
use crate::store::{self, audit::snapshot, new_id};
use crate::wire::organisations::OrganisationQuery;
use crate::wire::organisations::{NewOrganisation, OrganisationOut, OrganisationPage, OrganisationPatch};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_organisations)
        .service(get_organisation)
        .service(create_organisation)
        .service(update_organisation)
        .service(delete_organisation);
}

/// Lists organisations, filtered; ordered by creation.
#[utoipa::path(tag = "organisations", params(OrganisationQuery), responses((status = 200, body = OrganisationPage), ProblemResponses))]
#[get("/organisations")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    query: web::Query<OrganisationQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageParams { limit: q.limit, cursor: q.cursor.clone() };
    let limit = page.limit()?;
    let after_id = page.cursor_id()?;
    let parent_id = q.parent_id.as_deref().map(|v| parse_id("parent_id", v)).transpose()?;
    let within = q.within.as_deref().map(|v| parse_id("within", v)).transpose()?;
    let name_contains = text::optional("q", q.q.as_deref(), 100)?;
    let rows = state
        .db
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
    Ok(HttpResponse::Ok().json(OrganisationPage { items, next_cursor }))
}

/// One organisation; its `ETag` is needed to change it.
#[utoipa::path(tag = "organisations", responses((status = 200, body = OrganisationOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses))]
#[get("/organisations/{id}")]
pub async fn get_organisation(state: web::Data<AppState>, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let row = state.db.read(move |conn| Ok(store::organisations::find(conn, &id)?)).await?;
    let row = row.ok_or_else(|| ApiError::not_found("organisation"))?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(row.version))).json(organisation_out(row)?))
}

/// Creates an organisation under a parent the caller manages (admins may create roots).
#[utoipa::path(tag = "organisations", request_body = NewOrganisation, responses((status = 201, body = OrganisationOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[post("/organisations")]
pub async fn create_organisation(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<NewOrganisation>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let input = body.0;
    let mut violations = Vec::new();
    let name = text::required("name", &input.name, 100).map_err(|v| violations.push(v)).ok();
    let short_name =
        text::optional("short_name", input.short_name.as_deref(), 30).map_err(|v| violations.push(v)).ok().flatten();
    let parent_id = input.parent_id.as_deref().map(|v| parse_id("parent_id", v)).transpose()?;
    if !violations.is_empty() {
        return Err(ApiError::validation(violations));
    }
    let name = name.unwrap_or_default();
    let row = state
        .db
        .write(move |conn| {
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
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/organisations/{}", row.id)))
        .insert_header((header::ETAG, etag(row.version)))
        .json(organisation_out(row)?))
}

/// Changes an organisation. Needs `If-Match`. Moving it needs rights over the new parent too, and
/// never under its own subtree; its children must still fit under it afterwards.
#[utoipa::path(tag = "organisations", request_body = OrganisationPatch, params(("If-Match" = String, Header, description = "ETag of the version read")), responses((status = 200, body = OrganisationOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[patch("/organisations/{id}")]
pub async fn update_organisation(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<OrganisationPatch>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = parse_id("id", &id)?;
    let expected_version = if_match_version(&req)?;
    let patch = body.0;
    let new_parent_id = patch.parent_id.as_deref().map(|v| parse_id("parent_id", v)).transpose()?;
    let row =
        service::organisations::update_organisation(&state.db, actor, id, expected_version, patch, new_parent_id, now)
            .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(row.version))).json(organisation_out(row)?))
}

/// Deletes an organisation with no children, no people employed there and no role grants on it. Needs rights over its
/// parent (an organiser cannot delete the root of their own grant).
#[utoipa::path(tag = "organisations", params(("If-Match" = String, Header, description = "ETag of the version read")), responses((status = 204), ProblemResponses), security(("bearer" = [])))]
#[delete("/organisations/{id}")]
pub async fn delete_organisation(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let expected_version = if_match_version(&req)?;
    state
        .db
        .write(move |conn| {
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
                if e.is_still_referenced() {
                    ApiError::conflict("still_referenced", "people or records still refer to this organisation")
                } else {
                    e.into()
                }
            })?;
            record(conn, &actor, "organisation.delete", ("organisation", &id), snapshot(&before), None)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
