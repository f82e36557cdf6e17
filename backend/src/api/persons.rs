//! People: real name, ID card number (validated, birth date and gender derived from it),
//! contact and employment, and skill credentials. The number is shown masked except to the person,
//! admins and organisers (reviewers) over the person's employer.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    check_version, etag, if_match_version, parse_id, record, split_page, JsonBody, PageParams, ProblemResponses,
};
use crate::auth::policy::can_edit_person;
use crate::auth::Actor;
use crate::domain::person::check_skill_level;
use crate::domain::role::Role;
use crate::domain::{keep, text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::service::credentials::{decide_credential, record_credential, NewCredential};
use crate::service::persons::{apply_patch, audit_view, check_person, employer_path, load_editable, new_person_row};
use crate::store::persons::PersonFilter;
use crate::store::{self};
use crate::wire::persons::PersonQuery;
use crate::wire::persons::{credential_out, person_out, CredentialOut, PersonOut};
use crate::wire::persons::{CredentialInput, PersonInput, PersonPage, PersonPatch, RejectCredentialInput};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_persons)
        .service(create_person)
        .service(get_person)
        .service(update_person)
        .service(put_my_person)
        .service(add_credential)
        .service(verify_credential)
        .service(reject_credential)
        .service(delete_credential);
}

fn respond(status: actix_web::http::StatusCode, out: PersonOut) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, etag(out.version))).json(out)
}

/// People employed within the caller's subtrees (all for admins).
#[utoipa::path(tag = "persons", params(PersonQuery), responses((status = 200, body = PersonPage), ProblemResponses), security(("bearer" = [])))]
#[get("/persons")]
pub async fn list_persons(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<PersonQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageParams { limit: q.limit, cursor: q.cursor.clone() };
    let limit = page.limit()?;
    let after_id = page.cursor_id()?;
    let within_paths = if actor.is_admin() {
        None
    } else {
        let paths = actor.scope_paths(&[Role::Organiser, Role::Official]);
        if paths.is_empty() {
            return Err(ApiError::forbidden("only organisers, officials and admins can list people"));
        }
        if q.id_number.is_some() && actor.scope_paths(&[Role::Organiser]).is_empty() {
            return Err(ApiError::forbidden("searching by ID card number is for reviewers"));
        }
        Some(if q.id_number.is_some() { actor.scope_paths(&[Role::Organiser]) } else { paths })
    };
    let employer_org_id = q.employer_org_id.as_deref().map(|v| parse_id("employer_org_id", v)).transpose()?;
    let name_contains = text::optional("q", q.q.as_deref(), 50)?;
    let id_number = q.id_number.map(|n| n.trim().to_uppercase());
    let a = actor.clone();
    let items = state
        .db
        .read(move |conn| {
            let rows = store::persons::list(
                conn,
                &PersonFilter { within_paths, employer_org_id, name_contains, id_number, after_id, limit: limit + 1 },
            )?;
            let (rows, next_cursor) = split_page(rows, limit, |(r, _)| r.id.clone());
            let mut items = Vec::with_capacity(rows.len());
            for (row, path) in rows {
                let credentials = store::persons::credentials_of(conn, &row.id)?;
                items.push(person_out(row, path.as_deref(), &a, credentials));
            }
            Ok(PersonPage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// An organiser records a person employed within their subtree (e.g. to nominate them).
#[utoipa::path(tag = "persons", request_body = PersonInput, responses((status = 201, body = PersonOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[post("/persons")]
pub async fn create_person(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<PersonInput>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let today = state.zone.date_of(now);
    let input = body.0;
    let checked = check_person(
        &input.full_name,
        &input.id_number,
        input.ethnicity.as_deref(),
        input.phone.as_deref(),
        input.occupation.as_deref(),
        input.employer_org_id.as_deref(),
        today,
    )?;
    if !actor.is_admin() && checked.employer_org_id.is_none() {
        return Err(ApiError::field("employer_org_id", "required", "name the employer within your subtree"));
    }
    let out = state
        .db
        .write(move |conn| {
            let path = employer_path(conn, checked.employer_org_id.as_deref())?;
            let row = new_person_row(checked, &input, now);
            if !can_edit_person(&actor, &row.id, path.as_deref()) {
                return Err(ApiError::forbidden("the employer is outside your subtree"));
            }
            store::persons::insert(conn, &row)?;
            record(conn, &actor, "person.create", ("person", &row.id), None, audit_view(&row))?;
            Ok(person_out(row, path.as_deref(), &actor, Vec::new()))
        })
        .await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, out))
}

/// One person, as the caller may see them.
#[utoipa::path(tag = "persons", responses((status = 200, body = PersonOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[get("/persons/{id}")]
pub async fn get_person(state: web::Data<AppState>, actor: Actor, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id("id", &id)?;
    let out = service::persons::get_person(&state.db, actor, id).await?;
    Ok(respond(actix_web::http::StatusCode::OK, out))
}

/// Changes a person's profile. Needs `If-Match`.
#[utoipa::path(tag = "persons", request_body = PersonPatch, params(("If-Match" = String, Header, description = "ETag of the version read")), responses((status = 200, body = PersonOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[patch("/persons/{id}")]
pub async fn update_person(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<PersonPatch>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let today = state.zone.date_of(now);
    let id = parse_id("id", &id)?;
    let expected = if_match_version(&req)?;
    let patch = body.0;
    let out = state
        .db
        .write(move |conn| {
            let (current, _) = load_editable(conn, &actor, &id)?;
            check_version(current.version, expected)?;
            let (row, path) = apply_patch(conn, &actor, &current, patch, now, today)?;
            let credentials = store::persons::credentials_of(conn, &id)?;
            Ok(person_out(row, path.as_deref(), &actor, credentials))
        })
        .await?;
    Ok(respond(actix_web::http::StatusCode::OK, out))
}

/// The caller's own profile: created on first call (201), replaced afterwards (200, needs
/// `If-Match`). A number already registered by someone else is refused.
#[utoipa::path(tag = "persons", request_body = PersonInput, params(("If-Match" = Option<String>, Header, description = "ETag, when the profile exists")), responses((status = 200, body = PersonOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), (status = 201, body = PersonOut, headers(("ETag" = String, description = "The version read: send it back as If-Match to change this record"))), ProblemResponses), security(("bearer" = [])))]
#[put("/me/person")]
pub async fn put_my_person(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    body: JsonBody<PersonInput>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let today = state.zone.date_of(now);
    let input = body.0;
    let expected = match (&actor.person_id, if_match_version(&req)) {
        (None, _) => None,
        (Some(_), Ok(v)) => Some(v),
        (Some(_), Err(e)) => return Err(e),
    };
    let (created, out) = state
        .db
        .write(move |conn| match (&actor.person_id, expected) {
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
                Ok((false, person_out(row, path.as_deref(), &actor, credentials)))
            }
            _ => {
                let checked = check_person(
                    &input.full_name,
                    &input.id_number,
                    input.ethnicity.as_deref(),
                    input.phone.as_deref(),
                    input.occupation.as_deref(),
                    input.employer_org_id.as_deref(),
                    today,
                )?;
                let path = employer_path(conn, checked.employer_org_id.as_deref())?;
                let row = new_person_row(checked, &input, now);
                store::persons::insert(conn, &row)?;
                store::users::set_person(conn, &actor.user_id, &row.id, row.created_at)?;
                record(conn, &actor, "person.create", ("person", &row.id), None, audit_view(&row))?;
                let mut me = actor.clone();
                me.person_id = Some(row.id.clone());
                Ok((true, person_out(row, path.as_deref(), &me, Vec::new())))
            }
        })
        .await?;
    let status = if created { actix_web::http::StatusCode::CREATED } else { actix_web::http::StatusCode::OK };
    Ok(respond(status, out))
}

/// Records a skill credential (职业技能等级证书) of a person. The person's own entry is a
/// declaration (`declared`), counted by no rule until a reviewer verifies it; an organiser or
/// official over the person's employer, an organiser reviewing one of their registrations, or an
/// admin records it `verified` (by them).
#[utoipa::path(tag = "persons", request_body = CredentialInput, responses((status = 201, body = CredentialOut), ProblemResponses), security(("bearer" = [])))]
#[post("/persons/{id}/credentials")]
pub async fn add_credential(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody<CredentialInput>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let today = state.zone.date_of(now);
    let person_id = parse_id("id", &id)?;
    let input = body.0;
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
    let new = NewCredential {
        occupation: occupation.unwrap_or_default(),
        level: level.unwrap_or(5),
        certificate_no,
        issuer,
        issued_on: input.issued_on,
        source: input.source,
    };
    let out = credential_out(record_credential(&state.db, actor, person_id, new, now).await?);
    Ok(HttpResponse::Created().json(out))
}

/// Verifies a declared credential after seeing the certificate (a reviewer, never its holder).
#[utoipa::path(tag = "persons", responses((status = 200, body = CredentialOut), ProblemResponses), security(("bearer" = [])))]
#[post("/persons/{id}/credentials/{credential_id}/verify")]
pub async fn verify_credential(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (person_id, credential_id) = path.into_inner();
    let ids = (parse_id("id", &person_id)?, parse_id("credential_id", &credential_id)?);
    let out = decide_credential(&state.db, actor, ids.0, ids.1, None, now).await?;
    Ok(HttpResponse::Ok().json(credential_out(out)))
}

/// Rejects a credential with a reason (a reviewer, never its holder); rules no longer count it.
#[utoipa::path(tag = "persons", request_body = RejectCredentialInput, responses((status = 200, body = CredentialOut), ProblemResponses), security(("bearer" = [])))]
#[post("/persons/{id}/credentials/{credential_id}/reject")]
pub async fn reject_credential(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
    body: JsonBody<RejectCredentialInput>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (person_id, credential_id) = path.into_inner();
    let ids = (parse_id("id", &person_id)?, parse_id("credential_id", &credential_id)?);
    let reason = text::required("reason", &body.0.reason, 500)?;
    let out = decide_credential(&state.db, actor, ids.0, ids.1, Some(reason), now).await?;
    Ok(HttpResponse::Ok().json(credential_out(out)))
}

/// Removes a credential recorded by mistake.
#[utoipa::path(tag = "persons", responses((status = 204), ProblemResponses), security(("bearer" = [])))]
#[delete("/persons/{id}/credentials/{credential_id}")]
pub async fn delete_credential(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (person_id, credential_id) = path.into_inner();
    let person_id = parse_id("id", &person_id)?;
    let credential_id = parse_id("credential_id", &credential_id)?;
    service::persons::delete_credential(&state.db, actor, person_id, credential_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
