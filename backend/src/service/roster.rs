//! The roster: imports from a unit's spreadsheet, the public roster in publicity (公示), and
//! objections to it with their rulings.

use chrono::NaiveDateTime;

use crate::auth::policy::can_manage_competition;
use crate::auth::Actor;
use crate::blocking::off_workers;
use crate::db::Db;
use crate::db::DbConnection;
use crate::domain::competition::Status;
use crate::domain::id_card::{mask_id_number, parse_id_card};
use crate::domain::registration::ObjectionStatus;
use crate::domain::registration::RegistrationStatus;
use crate::domain::role::Role;
use crate::domain::time::Zone;
use crate::domain::{text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::service::load;
use crate::service::qualifiers;
use crate::service::registrations::enter;
use crate::service::registrations::save_status;
use crate::service::spreadsheet::Upload;
use crate::store::organisations::OrganisationRow;
use crate::store::persons::PersonRow;
use crate::store::registrations::ObjectionRow;
use crate::store::{self, new_id};
use crate::wire::registrations::SignUpRequest;
use crate::wire::roster::{ImportReport, ImportRow};
use crate::wire::roster::{ObjectionOut, ObjectionRuling, PublicRoster, RosterEntry};
use crate::wire::utc;
use diesel::Connection;
use std::future::Future;

pub fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

/// The person a roster row names: found by ID number (the name must match), or created as an
/// employee of the unit.
pub fn person_for_row(
    conn: &mut DbConnection,
    actor: &Actor,
    unit_id: &str,
    full_name: &str,
    id_number: &str,
    phone: &str,
    ethnicity: &str,
    now: chrono::NaiveDateTime,
    today: chrono::NaiveDate,
) -> ApiResult<PersonRow> {
    let mut violations = Vec::new();
    let name = crate::domain::keep(&mut violations, text::person_name("full_name", full_name));
    let card = crate::domain::keep(
        &mut violations,
        parse_id_card(id_number, today).map_err(|e| Violation::new("id_number", e.code(), e.message())),
    );
    let phone = crate::domain::keep(
        &mut violations,
        Some(phone)
            .filter(|p| !p.trim().is_empty())
            .map(|p| crate::domain::person::check_phone("phone", p))
            .transpose(),
    )
    .flatten();
    let ethnicity = crate::domain::keep(
        &mut violations,
        Some(ethnicity)
            .filter(|e| !e.trim().is_empty())
            .map(|e| crate::domain::person::check_ethnicity("ethnicity", e))
            .transpose(),
    )
    .flatten();
    if !violations.is_empty() {
        return Err(ApiError::validation(violations));
    }
    let (name, card) = (name.unwrap_or_default(), card.expect("checked above"));
    let existing = store::persons::list(
        conn,
        &store::persons::PersonFilter { id_number: Some(card.number.clone()), limit: 1, ..Default::default() },
    )?;
    if let Some((person, _)) = existing.into_iter().next() {
        if person.full_name != name {
            return Err(ApiError::field(
                "full_name",
                "name_mismatch",
                "this ID number is on record under another name",
            ));
        }
        return Ok(person);
    }
    let at = now;
    let person = PersonRow {
        id: new_id(),
        full_name: name,
        id_number: card.number,
        gender: card.gender.as_str().into(),
        birth_date: card.birth_date,
        ethnicity,
        phone,
        education: None,
        employer_org_id: Some(unit_id.to_string()),
        occupation: None,
        is_migrant_worker: false,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    store::persons::insert(conn, &person)?;
    record(
        conn,
        actor,
        "person.create",
        ("person", &person.id),
        None,
        Some(serde_json::json!({ "by": "roster import", "id_number": mask_id_number(&person.id_number) })),
    )?;
    Ok(person)
}

/// The roster entries of a competition: admitted (and later) registrations, in event order.
pub fn roster_entries(
    conn: &mut DbConnection,
    competition_id: &str,
    whole_numbers: bool,
) -> ApiResult<Vec<(RosterEntry, String)>> {
    let mut entries = Vec::new();
    let events = store::events::of_competition(conn, competition_id)?;
    for (event, _, _) in events {
        for r in store::registrations::of_event(conn, &event.id)? {
            let status = RegistrationStatus::parse(&r.status).unwrap_or(RegistrationStatus::Submitted);
            if !matches!(
                status,
                RegistrationStatus::Admitted
                    | RegistrationStatus::CheckedIn
                    | RegistrationStatus::Competed
                    | RegistrationStatus::NoShow
            ) {
                continue;
            }
            let unit = store::organisations::find(conn, &r.nominating_org_id)?.map(|o| o.name).unwrap_or_default();
            let number = if whole_numbers { r.entrant_id_number.clone() } else { mask_id_number(&r.entrant_id_number) };
            entries.push((
                RosterEntry {
                    registration_id: r.id.clone(),
                    event_id: event.id.clone(),
                    event_name: event.name.clone(),
                    full_name: r.entrant_name.clone(),
                    gender: r.entrant_gender.clone(),
                    id_number: number,
                    nominating_org_name: unit,
                    team_name: r.team_name.clone(),
                    status,
                },
                r.ticket_number.clone().unwrap_or_default(),
            ));
        }
    }
    Ok(entries)
}

pub fn roster_workbook(title: &str, entries: &[(RosterEntry, String)]) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| ApiError::internal(format!("workbook: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("名单").map_err(failed)?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, title, &bold).map_err(failed)?;
    let headers = ["序号", "赛项", "姓名", "性别", "身份证号", "推荐单位", "队名", "准考证号", "状态"];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, *h, &bold).map_err(failed)?;
    }
    for (i, (e, ticket)) in entries.iter().enumerate() {
        let r = (i + 2) as u32;
        let gender = if e.gender == "female" { "女" } else { "男" };
        let cells = [
            e.event_name.as_str(),
            e.full_name.as_str(),
            gender,
            e.id_number.as_str(),
            e.nominating_org_name.as_str(),
            e.team_name.as_deref().unwrap_or(""),
            ticket.as_str(),
            e.status.label(),
        ];
        sheet.write_number(r, 0, (i + 1) as f64).map_err(failed)?;
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(r, (c + 1) as u16, *v).map_err(failed)?;
        }
    }
    for (c, width) in [6.0, 24.0, 12.0, 6.0, 22.0, 30.0, 14.0, 14.0, 12.0].iter().enumerate() {
        sheet.set_column_width(c as u16, *width).map_err(failed)?;
    }
    workbook.save_to_buffer().map_err(failed)
}

pub fn objection_out(row: ObjectionRow) -> ObjectionOut {
    ObjectionOut {
        full_name: None,
        event_name: None,
        id: row.id,
        registration_id: row.registration_id,
        grounds: row.grounds,
        status: row.status,
        ruling: row.ruling,
        decided_at: row.decided_at.map(utc),
        created_at: utc(row.created_at),
    }
}

pub async fn public_roster(db: &Db, actor: Option<Actor>, id: String) -> ApiResult<PublicRoster> {
    db.read(move |conn| {
        let (competition, host_path, _) = load::competition(conn, actor.as_ref(), &id)?;
        let status = competition.status()?;
        let organiser = actor.as_ref().is_some_and(|a| can_manage_competition(a, &host_path));
        let public = status != Status::Cancelled
            && status.registration_has_opened()
            && !matches!(status, Status::RegistrationOpen | Status::RegistrationClosed);
        if !public && !organiser {
            return Err(ApiError::conflict(
                "roster_not_public",
                "the roster is published when its publicity (公示) begins",
            ));
        }
        let window = store::calendar::window_of(conn, &id, "roster")?;
        Ok(PublicRoster {
            competition_id: competition.id.clone(),
            competition_name: competition.name,
            publicity_starts_at: window.as_ref().map(|w| utc(w.starts_at)),
            publicity_ends_at: window.as_ref().map(|w| utc(w.ends_at)),
            entries: roster_entries(conn, &id, false)?.into_iter().map(|(e, _)| e).collect(),
        })
    })
    .await
}

pub async fn file_objection(
    db: &Db,
    actor: Actor,
    zone: Zone,
    now: NaiveDateTime,
    id: String,
    grounds: String,
) -> ApiResult<ObjectionOut> {
    db.write(move |conn| {
        let registration = store::registrations::find(conn, &id)?.ok_or_else(|| ApiError::not_found("registration"))?;
        let (competition, _, _) = store::competitions::find(conn, &registration.competition_id)?
            .ok_or_else(|| ApiError::not_found("registration"))?;
        if registration.status != RegistrationStatus::Admitted.as_str() {
            return Err(ApiError::not_found("registration"));
        }
        let window = store::calendar::window_of(conn, &competition.id, "roster")?;
        let at = now;
        let open = competition.status()? == Status::RosterPublicity
            && window.as_ref().is_some_and(|w| at >= w.starts_at && at < w.ends_at);
        if !open {
            let detail = match window {
                Some(w) => format!("objections were open until {}", zone.describe(w.ends_at)),
                None => "objections open when the roster is publicised".to_string(),
            };
            return Err(ApiError::conflict("publicity_closed", detail));
        }
        let row = ObjectionRow {
            id: new_id(),
            registration_id: id.clone(),
            filed_by: actor.user_id.clone(),
            grounds,
            status: ObjectionStatus::Filed.as_str().into(),
            ruling: None,
            decided_by: None,
            decided_at: None,
            created_at: at,
        };
        store::registrations::insert_objection(conn, &row)?;
        let out = objection_out(row);
        record(
            conn,
            &actor,
            "objection.file",
            ("registration", &id),
            None,
            Some(serde_json::json!({ "objection_id": out.id })),
        )?;
        Ok(out)
    })
    .await
}

pub async fn list_objections(db: &Db, actor: Actor, id: String) -> ApiResult<Vec<ObjectionOut>> {
    db.read(move |conn| {
        load::managed_competition(conn, &actor, &id)?;
        let mut out = Vec::new();
        for row in store::registrations::objections_of_competition(conn, &id)? {
            // The organisers rule on a name, not an id: say whom and in which event.
            let named = store::registrations::find(conn, &row.registration_id)?;
            let event = match &named {
                Some(r) => store::events::find(conn, &r.event_id)?.map(|(e, _, _)| e.name),
                None => None,
            };
            let mut o = objection_out(row);
            o.full_name = named.map(|r| r.entrant_name);
            o.event_name = event;
            out.push(o);
        }
        Ok(out)
    })
    .await
}

pub async fn rule_objection(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    request: ObjectionRuling,
    ruling: String,
) -> ApiResult<ObjectionOut> {
    db.write(move |conn| {
        let objection =
            store::registrations::find_objection(conn, &id)?.ok_or_else(|| ApiError::not_found("objection"))?;
        let registration = store::registrations::find(conn, &objection.registration_id)?
            .ok_or_else(|| ApiError::not_found("objection"))?;
        load::managed_competition(conn, &actor, &registration.competition_id)?;
        let mut decided = objection.clone();
        decided.status =
            if request.uphold { ObjectionStatus::Upheld } else { ObjectionStatus::Dismissed }.as_str().into();
        decided.ruling = Some(ruling.clone());
        decided.decided_by = Some(actor.user_id.clone());
        decided.decided_at = Some(now);
        if !store::registrations::rule_objection(conn, &decided)? {
            return Err(ApiError::conflict("already_ruled", "this objection has already been ruled on"));
        }
        if request.uphold && registration.status == RegistrationStatus::Admitted.as_str() {
            let event_id = registration.event_id.clone();
            save_status(conn, Some(&actor), registration, RegistrationStatus::Replaced, "replace", Some(ruling), now)?;
            if let Some(next) = qualifiers::promote_next_in_line(conn, Some(&actor), &event_id, now)? {
                // The ruling organisers are the host's reviewers: the replacement is admitted now.
                save_status(
                    conn,
                    Some(&actor),
                    next,
                    RegistrationStatus::Admitted,
                    "approve",
                    Some("递补入选".into()),
                    now,
                )?;
            }
        }
        let out = objection_out(decided);
        record(
            conn,
            &actor,
            "objection.rule",
            ("registration", &out.registration_id),
            None,
            Some(serde_json::json!({ "objection_id": out.id, "status": out.status })),
        )?;
        Ok(out)
    })
    .await
}

/// Registers a unit's roster from a spreadsheet: every row checked as a sign-up; all or nothing, or the valid rows.
#[allow(clippy::too_many_arguments)]
pub async fn import(
    db: &Db,
    actor: Actor,
    event_id: String,
    unit_id: String,
    mode: String,
    file: Upload<impl Future<Output = ApiResult<Vec<u8>>>>,
    now: NaiveDateTime,
    zone: Zone,
) -> ApiResult<ImportReport> {
    let today = zone.date_of(now);
    // Who may import, and into what, before a byte of the file is read.
    let (a, e, u) = (actor.clone(), event_id.clone(), unit_id.clone());
    db.read(move |conn| {
        load::event(conn, Some(&a), &e)?;
        import_unit(conn, &a, &u).map(|_| ())
    })
    .await?;
    let RosterTable { rows, name_col, id_col, phone_col, ethnicity_col } =
        RosterTable::from_rows(file.table(MAX_ROSTER_ROWS + 1).await?)?;
    db.write(move |conn| {
        let unit = import_unit(conn, &actor, &unit_id)?;
        let mut report = ImportReport { mode: mode.clone(), registered: 0, refused: 0, committed: false, rows: Vec::new() };
        for (i, cells) in rows.iter().enumerate() {
            let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).cloned().unwrap_or_default();
            let full_name = cell(Some(name_col));
            let id_number = cell(Some(id_col));
            // Each row in its own savepoint: a refused row leaves nothing behind.
            let outcome = conn.transaction::<String, ApiError, _>(|conn| {
                let person = person_for_row(conn, &actor, &unit.id, &full_name, &id_number, &cell(phone_col), &cell(ethnicity_col), now, today)?;
                let request = SignUpRequest { person_id: Some(person.id), nominating_org_id: Some(unit.id.clone()), team_name: None, members: Vec::new() };
                enter(conn, &actor, &event_id, &request, None, now, zone).map(|r| r.id)
            });
            let masked = mask_id_number(id_number.trim());
            match outcome {
                Ok(registration_id) => {
                    report.registered += 1;
                    report.rows.push(ImportRow { row: i + 2, full_name, id_number: masked, outcome: "registered".into(), registration_id: Some(registration_id), reasons: Vec::new() });
                }
                Err(e) if e.status.is_client_error() => {
                    report.refused += 1;
                    let reasons = if e.errors.is_empty() { vec![Violation::new("row", e.code, e.detail)] } else { e.errors };
                    report.rows.push(ImportRow { row: i + 2, full_name, id_number: masked, outcome: "refused".into(), registration_id: None, reasons });
                }
                Err(e) => return Err(e),
            }
        }
        if mode == "all_or_nothing" && report.refused > 0 {
            for row in report.rows.iter_mut().filter(|r| r.outcome == "registered") {
                row.outcome = "valid".into();
                row.registration_id = None;
            }
            report.registered = 0;
            // Failing the transaction undoes the valid rows too: the whole file or nothing.
            let refused = report.refused;
            return Err(ApiError::refused("import_refused", format!("{refused} rows were refused, so nothing was imported; the report lists each row"), Vec::new())
                .with_extra(serde_json::to_value(&report).unwrap_or_default()));
        }
        report.committed = report.registered > 0;
        record(conn, &actor, "registration.import", ("event", &event_id), None,
            Some(serde_json::json!({ "nominating_org_id": unit.id, "registered": report.registered, "refused": report.refused, "mode": mode })))?;
        Ok(report)
    })
    .await
}

/// The nominating unit a roster is imported for, which the caller must organise.
fn import_unit(conn: &mut DbConnection, actor: &Actor, unit_id: &str) -> ApiResult<OrganisationRow> {
    let unit = store::organisations::find(conn, unit_id)?
        .ok_or_else(|| ApiError::field("nominating_org_id", "unknown_organisation", "no organisation has this id"))?;
    if !(actor.is_admin() || actor.has_role_over(&[Role::Organiser], &unit.path)) {
        return Err(ApiError::forbidden("a roster is imported by the organisers of its nominating unit"));
    }
    Ok(unit)
}

/// The most contestants one roster file registers.
pub const MAX_ROSTER_ROWS: usize = 2000;

/// A roster file read into rows, with the columns found in its first row.
pub struct RosterTable {
    pub rows: Vec<Vec<String>>,
    pub name_col: usize,
    pub id_col: usize,
    pub phone_col: Option<usize>,
    pub ethnicity_col: Option<usize>,
}

impl RosterTable {
    /// A roster file's table: its first row names the columns 姓名 and 身份证号 (手机号 and 民族
    /// optional).
    pub fn from_rows(table: Vec<Vec<String>>) -> ApiResult<RosterTable> {
        let Some((headers, rows)) = table.split_first() else {
            return Err(ApiError::bad_request("empty_file", "the file has no rows"));
        };
        let (Some(name_col), Some(id_col)) = (column(headers, &NAME_HEADERS), column(headers, &ID_HEADERS)) else {
            return Err(ApiError::bad_request(
                "missing_columns",
                "the first row must name the columns 姓名 and 身份证号",
            ));
        };
        let phone_col = column(headers, &PHONE_HEADERS);
        let ethnicity_col = column(headers, &ETHNICITY_HEADERS);
        Ok(RosterTable { rows: rows.to_vec(), name_col, id_col, phone_col, ethnicity_col })
    }
}

/// The roster as an .xlsx workbook: public once publicity (公示) begins, with masked ID numbers;
/// whole numbers (`full`) for the host's organisers (reviewers) only.
pub async fn export_roster(db: &Db, actor: Option<Actor>, id: String, full: bool) -> ApiResult<Vec<u8>> {
    let (name, entries) = db
        .read(move |conn| {
            let (competition, host_path, _) = load::competition(conn, actor.as_ref(), &id)?;
            let organiser = actor.as_ref().is_some_and(|a| can_manage_competition(a, &host_path));
            if full && !organiser {
                return Err(ApiError::forbidden("whole ID numbers are for the host's organisers"));
            }
            let status = competition.status()?;
            if !organiser
                && (!status.registration_has_opened()
                    || matches!(status, Status::RegistrationOpen | Status::RegistrationClosed))
            {
                return Err(ApiError::conflict(
                    "roster_not_public",
                    "the roster is published when its publicity (公示) begins",
                ));
            }
            Ok((competition.name, roster_entries(conn, &id, full)?))
        })
        .await?;
    off_workers(move || roster_workbook(&name, &entries)).await
}

/// The columns an import understands, by their Chinese or English headers.
const NAME_HEADERS: [&str; 3] = ["姓名", "full_name", "name"];

const ID_HEADERS: [&str; 3] = ["身份证号", "id_number", "身份证号码"];

const PHONE_HEADERS: [&str; 3] = ["手机号", "phone", "联系电话"];

const ETHNICITY_HEADERS: [&str; 2] = ["民族", "ethnicity"];
