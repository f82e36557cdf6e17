//! The draw (抽签) and what follows the final roster: tickets (准考证号) for the admitted.

use super::audit::record;
use crate::auth::Actor;
use crate::db::DbConnection;
use crate::domain::draw::ticket_number;
use crate::domain::registration::RegistrationStatus;
use crate::error::{ApiError, ApiResult};
use crate::store;

/// Gives every admitted contestant of a competition a 准考证号 (when its roster becomes final).
pub fn issue_tickets(
    conn: &mut DbConnection,
    actor: &Actor,
    competition_id: &str,
    year: i32,
    now: chrono::NaiveDateTime,
) -> ApiResult<usize> {
    let mut issued = 0;
    let series = store::competitions::ticket_series(conn, competition_id, year)?;
    for (ordinal, (event, _, _)) in store::events::of_competition(conn, competition_id)?.into_iter().enumerate() {
        let admitted: Vec<_> = store::registrations::of_event(conn, &event.id)?
            .into_iter()
            .filter(|r| r.status == RegistrationStatus::Admitted.as_str())
            .collect();
        for (serial, mut registration) in admitted.into_iter().enumerate() {
            if registration.ticket_number.is_some() {
                continue;
            }
            let expected = registration.version;
            registration.ticket_number = Some(ticket_number(year, series, ordinal + 1, serial + 1));
            registration.version += 1;
            registration.updated_at = now;
            if !store::registrations::update_if_version(conn, &registration, expected)? {
                return Err(ApiError::precondition_failed(
                    "a registration changed while tickets were issued; try again",
                ));
            }
            issued += 1;
        }
    }
    record(
        conn,
        actor,
        "competition.tickets",
        ("competition", competition_id),
        None,
        Some(serde_json::json!({ "issued": issued })),
    )?;
    Ok(issued)
}
