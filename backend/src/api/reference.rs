//! Reference data for forms and filters: the region codes of `domain::region`.

use actix_web::{get, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::region::regions;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_regions);
}

/// Region codes for forms and filters.
#[utoipa::path(tag = "reference", responses((status = 200, body = [crate::domain::region::Region])))]
#[get("/regions")]
pub async fn list_regions() -> HttpResponse {
    HttpResponse::Ok().insert_header(("Cache-Control", "public, max-age=86400")).json(regions())
}
