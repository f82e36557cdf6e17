//! The organisation tree: public to read (names of unions and enterprises are public), changed by
//! admins and by organisers within their own subtree.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{etag, if_match_version, parse_id, JsonBody, PageParams, ProblemResponses};
use crate::auth::Actor;
use crate::error::ApiResult;
use crate::service;
use crate::service::organisations::organisation_out;
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
    Ok(HttpResponse::Ok().json(service::organisations::list_organisations(&state.db, q, page).await?))
}

/// One organisation; its `ETag` is needed to change it.
#[utoipa::path(tag = "organisations", responses((status = 200, body = OrganisationOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses))]
#[get("/organisations/{id}")]
pub async fn get_organisation(state: web::Data<AppState>, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let row = service::organisations::get_organisation(&state.db, id).await?;
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
    let row = service::organisations::create_organisation(&state.db, actor, body.0, state.clock.now()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/organisations/{}", row.id)))
        .insert_header((header::ETAG, etag(row.version)))
        .json(organisation_out(row)?))
}

/// Changes an organisation. Needs `If-Match`. Its kind, tier, region and parent change by admins
/// only (they decide which bodies certify); never under its own subtree, and its children must
/// still fit under it afterwards.
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
    service::organisations::delete_organisation(&state.db, actor, id, expected_version).await?;
    Ok(HttpResponse::NoContent().finish())
}
