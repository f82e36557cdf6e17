use super::typed_column;
use crate::domain::registration::ObjectionStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StoreResult;
use crate::db::schema::{competitions, events, objections, registration_members, registration_reviews, registrations};
use crate::db::DbConnection;
use crate::domain::registration::RegistrationStatus;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = registrations)]
#[diesel(treat_none_as_default_value = false)]
pub struct RegistrationRow {
    pub id: String,
    pub event_id: String,
    pub competition_id: String,
    pub person_id: String,
    pub team_name: Option<String>,
    pub nominating_org_id: String,
    pub status: String,
    pub origin_competition_id: Option<String>,
    pub origin_event_id: Option<String>,
    pub origin_rank: Option<i32>,
    pub reserve_rank: Option<i32>,
    pub ticket_number: Option<String>,
    pub status_reason: Option<String>,
    pub submitted_by: Option<String>,
    pub checked_in_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The entrant as they were when they entered (results and tickets show this, not the
    /// current profile).
    pub entrant_name: String,
    pub entrant_id_number: String,
    pub entrant_gender: String,
    pub entrant_birth_date: chrono::NaiveDate,
    /// How many levels of the review chain have approved it (`domain::registration::review_chain`).
    pub approvals: i32,
}

impl RegistrationRow {
    pub fn status(&self) -> StoreResult<RegistrationStatus> {
        RegistrationStatus::parse(&self.status)
            .ok_or_else(|| super::StoreError::Corrupt(format!("registration {} has an unknown status", self.id)))
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = registration_members)]
pub struct MemberRow {
    pub id: String,
    pub registration_id: String,
    pub person_id: String,
    pub role: String,
    /// When the member accepted the captain's invitation (at once when an organiser entered them);
    /// none while the invitation is open.
    pub accepted_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = registration_reviews)]
#[diesel(treat_none_as_default_value = false)]
pub struct ReviewRow {
    pub id: String,
    pub registration_id: String,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub comment: Option<String>,
    pub actor_user_id: Option<String>,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = objections)]
pub struct ObjectionRow {
    pub id: String,
    pub registration_id: String,
    pub filed_by: String,
    pub grounds: String,
    pub status: String,
    pub ruling: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Takes the event's row lock for the rest of the transaction, so that quota counts and the
/// insert that follows them cannot interleave with another sign-up for the same event.
pub fn lock_event(conn: &mut DbConnection, event_id: &str) -> StoreResult<()> {
    diesel::update(events::table.find(event_id)).set(events::version.eq(events::version)).execute(conn)?;
    Ok(())
}

pub fn insert(conn: &mut DbConnection, row: &RegistrationRow) -> StoreResult<()> {
    diesel::insert_into(registrations::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<RegistrationRow>> {
    Ok(registrations::table.find(id).select(RegistrationRow::as_select()).first(conn).optional()?)
}

pub fn find_by_ticket(conn: &mut DbConnection, event_id: &str, ticket: &str) -> StoreResult<Option<RegistrationRow>> {
    Ok(registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::ticket_number.eq(ticket))
        .select(RegistrationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Saves a changed registration if its stored version is still `expected_version`.
pub fn update_if_version(conn: &mut DbConnection, row: &RegistrationRow, expected_version: i32) -> StoreResult<bool> {
    let changed = diesel::update(
        registrations::table.filter(registrations::id.eq(&row.id)).filter(registrations::version.eq(expected_version)),
    )
    .set((
        registrations::team_name.eq(&row.team_name),
        registrations::nominating_org_id.eq(&row.nominating_org_id),
        registrations::approvals.eq(row.approvals),
        registrations::status.eq(&row.status),
        registrations::reserve_rank.eq(row.reserve_rank),
        registrations::ticket_number.eq(&row.ticket_number),
        registrations::status_reason.eq(&row.status_reason),
        registrations::checked_in_at.eq(row.checked_in_at),
        registrations::version.eq(row.version),
        registrations::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Registrations of an event (all statuses), oldest first.
pub fn of_event(conn: &mut DbConnection, event_id: &str) -> StoreResult<Vec<RegistrationRow>> {
    Ok(registrations::table
        .filter(registrations::event_id.eq(event_id))
        .order(registrations::id.asc())
        .select(RegistrationRow::as_select())
        .load(conn)?)
}

pub fn of_competition(conn: &mut DbConnection, competition_id: &str) -> StoreResult<Vec<RegistrationRow>> {
    Ok(registrations::table
        .filter(registrations::competition_id.eq(competition_id))
        .order(registrations::id.asc())
        .select(RegistrationRow::as_select())
        .load(conn)?)
}

/// The status of each of a person's registrations (as entrant or team member) with its
/// competition's status: what `domain::person::identity_locked` weighs.
pub fn identity_holds(conn: &mut DbConnection, person_id: &str) -> StoreResult<Vec<(String, String)>> {
    let as_member = registration_members::table
        .filter(registration_members::person_id.eq(person_id))
        .select(registration_members::registration_id);
    Ok(registrations::table
        .inner_join(competitions::table.on(competitions::id.eq(registrations::competition_id)))
        .filter(registrations::person_id.eq(person_id).or(registrations::id.eq_any(as_member)))
        .select((registrations::status, competitions::status))
        .load(conn)?)
}

/// A person's registrations (as contestant or team member).
pub fn of_person(conn: &mut DbConnection, person_id: &str) -> StoreResult<Vec<RegistrationRow>> {
    let as_member: Vec<String> = registration_members::table
        .filter(registration_members::person_id.eq(person_id))
        .select(registration_members::registration_id)
        .load(conn)?;
    Ok(registrations::table
        .filter(registrations::person_id.eq(person_id).or(registrations::id.eq_any(as_member)))
        .order(registrations::id.asc())
        .select(RegistrationRow::as_select())
        .load(conn)?)
}

/// The statuses in which a registration waits for a review (at the unit, or on its way up).
const AWAITING_REVIEW: [&str; 2] = ["submitted", "unit_approved"];

/// Registrations waiting for a review nominated by an organisation under one of `paths` (None: all).
pub fn awaiting_review_nominated_within(
    conn: &mut DbConnection,
    paths: Option<&[String]>,
) -> StoreResult<Vec<RegistrationRow>> {
    use crate::db::schema::organisations;
    let mut query = registrations::table
        .inner_join(organisations::table.on(organisations::id.eq(registrations::nominating_org_id)))
        .select(RegistrationRow::as_select())
        .into_boxed();
    // The paths first: their ORs are then grouped before the status is ANDed on.
    super::filter_within_paths!(query, paths);
    Ok(query.filter(registrations::status.eq_any(AWAITING_REVIEW)).load(conn)?)
}

/// Registrations waiting for a review in competitions hosted under one of `paths` (None: all).
pub fn awaiting_review_hosted_within(
    conn: &mut DbConnection,
    paths: Option<&[String]>,
) -> StoreResult<Vec<RegistrationRow>> {
    use crate::db::schema::organisations;
    let mut query = registrations::table
        .inner_join(competitions::table.on(competitions::id.eq(registrations::competition_id)))
        .inner_join(organisations::table.on(organisations::id.eq(competitions::host_org_id)))
        .select(RegistrationRow::as_select())
        .into_boxed();
    super::filter_within_paths!(query, paths);
    Ok(query.filter(registrations::status.eq_any(AWAITING_REVIEW)).load(conn)?)
}

/// Team invitations a person has not answered yet.
pub fn open_invitations(conn: &mut DbConnection, person_id: &str) -> StoreResult<i64> {
    Ok(registration_members::table
        .filter(registration_members::person_id.eq(person_id))
        .filter(registration_members::accepted_at.is_null())
        .count()
        .get_result(conn)?)
}

/// How many registrations of the event (and of one nominating unit) hold a place.
pub fn places_taken(conn: &mut DbConnection, event_id: &str, unit_id: &str) -> StoreResult<(i64, i64)> {
    let holding: Vec<&str> = RegistrationStatus::ALL.iter().filter(|s| s.holds_place()).map(|s| s.as_str()).collect();
    let total: i64 = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::status.eq_any(&holding))
        .count()
        .get_result(conn)?;
    let unit: i64 = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::status.eq_any(&holding))
        .filter(registrations::nominating_org_id.eq(unit_id))
        .count()
        .get_result(conn)?;
    Ok((total, unit))
}

/// Whether anyone has checked in to the event (or competed in it).
pub fn any_competing(conn: &mut DbConnection, event_id: &str) -> StoreResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        registrations::table
            .filter(registrations::event_id.eq(event_id))
            .filter(registrations::status.eq_any(["checked_in", "competed"])),
    ))
    .get_result(conn)?)
}

/// Places of the event taken by units of the prefecture whose region codes start `prefix` (4 digits).
pub fn places_taken_in_prefecture(conn: &mut DbConnection, event_id: &str, prefix: &str) -> StoreResult<i64> {
    use crate::db::schema::organisations;
    let holding: Vec<&str> = RegistrationStatus::ALL.iter().filter(|s| s.holds_place()).map(|s| s.as_str()).collect();
    Ok(registrations::table
        .inner_join(organisations::table)
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::status.eq_any(&holding))
        .filter(organisations::region_code.like(format!("{prefix}%")))
        .count()
        .get_result(conn)?)
}

#[derive(Debug, Default)]
pub struct RegistrationFilter {
    pub competition_id: Option<String>,
    pub event_id: Option<String>,
    pub statuses: Option<Vec<String>>,
    pub nominating_org_ids: Option<Vec<String>>,
    pub after_id: Option<String>,
    pub limit: i64,
}

pub fn list(conn: &mut DbConnection, f: &RegistrationFilter) -> StoreResult<Vec<RegistrationRow>> {
    let mut query = registrations::table.select(RegistrationRow::as_select()).into_boxed();
    if let Some(v) = &f.competition_id {
        query = query.filter(registrations::competition_id.eq(v.clone()));
    }
    if let Some(v) = &f.event_id {
        query = query.filter(registrations::event_id.eq(v.clone()));
    }
    if let Some(v) = &f.statuses {
        query = query.filter(registrations::status.eq_any(v.clone()));
    }
    if let Some(v) = &f.nominating_org_ids {
        query = query.filter(registrations::nominating_org_id.eq_any(v.clone()));
    }
    if let Some(v) = &f.after_id {
        query = query.filter(registrations::id.gt(v.clone()));
    }
    Ok(query.order(registrations::id.asc()).limit(f.limit).load(conn)?)
}

/// (status, count) over the same filter, without paging.
pub fn count_by_status(conn: &mut DbConnection, f: &RegistrationFilter) -> StoreResult<Vec<(String, i64)>> {
    let mut query = registrations::table
        .group_by(registrations::status)
        .select((registrations::status, diesel::dsl::count_star()))
        .into_boxed();
    if let Some(v) = &f.competition_id {
        query = query.filter(registrations::competition_id.eq(v.clone()));
    }
    if let Some(v) = &f.event_id {
        query = query.filter(registrations::event_id.eq(v.clone()));
    }
    if let Some(v) = &f.nominating_org_ids {
        query = query.filter(registrations::nominating_org_id.eq_any(v.clone()));
    }
    Ok(query.load(conn)?)
}

pub fn members_of(conn: &mut DbConnection, registration_id: &str) -> StoreResult<Vec<MemberRow>> {
    Ok(registration_members::table
        .filter(registration_members::registration_id.eq(registration_id))
        .order(registration_members::id.asc())
        .select(MemberRow::as_select())
        .load(conn)?)
}

/// The team-mates who compete beside each captain (advisors do not), once they accepted, with
/// their person records, in the order they were named.
pub fn competing_members(
    conn: &mut DbConnection,
    registration_ids: &[String],
) -> StoreResult<Vec<(String, crate::store::persons::PersonRow)>> {
    use crate::db::schema::persons;
    Ok(registration_members::table
        .inner_join(persons::table)
        .filter(registration_members::registration_id.eq_any(registration_ids))
        .filter(registration_members::role.eq("member"))
        .filter(registration_members::accepted_at.is_not_null())
        .order(registration_members::id.asc())
        .select((registration_members::registration_id, crate::store::persons::PersonRow::as_select()))
        .load(conn)?)
}

pub fn replace_members(conn: &mut DbConnection, registration_id: &str, members: &[MemberRow]) -> StoreResult<()> {
    diesel::delete(registration_members::table.filter(registration_members::registration_id.eq(registration_id)))
        .execute(conn)?;
    for m in members {
        diesel::insert_into(registration_members::table).values(m).execute(conn)?;
    }
    Ok(())
}

/// Whether the person is a member of a live team registration of the event.
pub fn is_member_elsewhere(
    conn: &mut DbConnection,
    event_id: &str,
    person_id: &str,
    except: &str,
) -> StoreResult<bool> {
    let live: Vec<&str> = RegistrationStatus::ALL.iter().filter(|s| s.is_live()).map(|s| s.as_str()).collect();
    let n: i64 = registration_members::table
        .inner_join(registrations::table)
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::status.eq_any(&live))
        .filter(registrations::id.ne(except))
        .filter(registration_members::person_id.eq(person_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Moves the given registrations that are still in `from` to `to` in bulk; returns their ids.
pub fn advance_all(
    conn: &mut DbConnection,
    ids: &[String],
    from: &str,
    to: &str,
    at: NaiveDateTime,
) -> StoreResult<Vec<String>> {
    let mut moved = Vec::new();
    for chunk in ids.chunks(super::MAX_BOUND_IDS) {
        let due: Vec<String> = registrations::table
            .filter(registrations::id.eq_any(chunk))
            .filter(registrations::status.eq(from))
            .select(registrations::id)
            .load(conn)?;
        diesel::update(registrations::table.filter(registrations::id.eq_any(&due)))
            .set((
                registrations::status.eq(to),
                registrations::version.eq(registrations::version + 1),
                registrations::updated_at.eq(at),
            ))
            .execute(conn)?;
        moved.extend(due);
    }
    Ok(moved)
}

pub fn insert_reviews(conn: &mut DbConnection, rows: &[ReviewRow]) -> StoreResult<()> {
    for chunk in rows.chunks(1000) {
        crate::insert_rows!(conn, registration_reviews::table, chunk)?;
    }
    Ok(())
}

pub fn insert_review(conn: &mut DbConnection, row: &ReviewRow) -> StoreResult<()> {
    diesel::insert_into(registration_reviews::table).values(row).execute(conn)?;
    Ok(())
}

pub fn reviews_of(conn: &mut DbConnection, registration_id: &str) -> StoreResult<Vec<ReviewRow>> {
    Ok(registration_reviews::table
        .filter(registration_reviews::registration_id.eq(registration_id))
        .order(registration_reviews::id.asc())
        .select(ReviewRow::as_select())
        .load(conn)?)
}

pub fn insert_objection(conn: &mut DbConnection, row: &ObjectionRow) -> StoreResult<()> {
    diesel::insert_into(objections::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_objection(conn: &mut DbConnection, id: &str) -> StoreResult<Option<ObjectionRow>> {
    Ok(objections::table.find(id).select(ObjectionRow::as_select()).first(conn).optional()?)
}

pub fn objections_of_competition(conn: &mut DbConnection, competition_id: &str) -> StoreResult<Vec<ObjectionRow>> {
    Ok(objections::table
        .inner_join(registrations::table)
        .filter(registrations::competition_id.eq(competition_id))
        .order(objections::id.asc())
        .select(ObjectionRow::as_select())
        .load(conn)?)
}

/// Records a ruling if the objection is still open; false if ruled already.
pub fn rule_objection(conn: &mut DbConnection, row: &ObjectionRow) -> StoreResult<bool> {
    let changed = diesel::update(
        objections::table
            .filter(objections::id.eq(&row.id))
            .filter(objections::status.eq(ObjectionStatus::Filed.as_str())),
    )
    .set((
        objections::status.eq(&row.status),
        objections::ruling.eq(&row.ruling),
        objections::decided_by.eq(&row.decided_by),
        objections::decided_at.eq(row.decided_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Writes where a qualifier came from and their place in line.
pub fn set_origin(conn: &mut DbConnection, row: &RegistrationRow) -> StoreResult<()> {
    diesel::update(registrations::table.find(&row.id))
        .set((
            registrations::origin_competition_id.eq(&row.origin_competition_id),
            registrations::origin_event_id.eq(&row.origin_event_id),
            registrations::origin_rank.eq(row.origin_rank),
            registrations::reserve_rank.eq(row.reserve_rank),
        ))
        .execute(conn)?;
    Ok(())
}

typed_column!(ObjectionRow, status, ObjectionStatus);

/// Marks a member's invitation accepted; false when there is no open invitation for them.
pub fn accept_membership(
    conn: &mut DbConnection,
    registration_id: &str,
    person_id: &str,
    at: NaiveDateTime,
) -> StoreResult<bool> {
    let changed = diesel::update(
        registration_members::table
            .filter(registration_members::registration_id.eq(registration_id))
            .filter(registration_members::person_id.eq(person_id))
            .filter(registration_members::accepted_at.is_null()),
    )
    .set(registration_members::accepted_at.eq(at))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Takes a member off a registration (they declined the invitation).
pub fn remove_member(conn: &mut DbConnection, registration_id: &str, person_id: &str) -> StoreResult<usize> {
    Ok(diesel::delete(
        registration_members::table
            .filter(registration_members::registration_id.eq(registration_id))
            .filter(registration_members::person_id.eq(person_id)),
    )
    .execute(conn)?)
}
