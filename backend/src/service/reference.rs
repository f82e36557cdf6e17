//! Reference data that admins keep: the trade catalogue (职业 / 工种 with their classification
//! codes) and the working-day calendar (public holidays and 调休 days) that publicity windows are
//! counted in.

use chrono::{NaiveDate, NaiveDateTime};

use super::audit::record;
use crate::auth::policy::require_admin;
use crate::auth::Actor;
use crate::db::Db;
use crate::domain::calendar::DayKind;
use crate::domain::trade::check_trade_code;
use crate::domain::{keep, text};
use crate::error::{ApiError, ApiResult};
use crate::store::calendar::CalendarDayRow;
use crate::store::trades::{TradeFilter, TradeRow};
use crate::store::{self, audit::snapshot, new_id};
use crate::wire::roster::{CalendarDayInput, CalendarDayOut};
use crate::wire::split_page;
use crate::wire::trades::{trade_out, NewTrade, TradeOut, TradePage};

/// One page of the catalogue (`filter.limit` is the page size; one more row is read to know
/// whether another page follows).
pub async fn list_trades(db: &Db, mut filter: TradeFilter) -> ApiResult<TradePage> {
    let limit = filter.limit;
    filter.limit = limit + 1;
    let rows = db.read(move |conn| Ok(store::trades::list(conn, &filter)?)).await?;
    let (rows, next_cursor) = split_page(rows, limit, |r| r.id.clone());
    Ok(TradePage { items: rows.into_iter().map(trade_out).collect(), next_cursor })
}

/// Adds a trade (admins), e.g. an occupation from a newer MOHRSS list; unconfirmed until the
/// catalogue is reviewed.
pub async fn create_trade(db: &Db, actor: Actor, input: NewTrade, now: NaiveDateTime) -> ApiResult<TradeOut> {
    require_admin(&actor)?;
    let mut violations = Vec::new();
    let code = keep(&mut violations, check_trade_code(&input.code));
    let name = keep(&mut violations, text::required("name", &input.name, 50));
    if !violations.is_empty() {
        return Err(ApiError::validation(violations));
    }
    let row = TradeRow {
        id: new_id(),
        code: code.unwrap_or_default(),
        name: name.unwrap_or_default(),
        category: input.category.as_str().into(),
        confirmed: false,
        created_at: now,
    };
    db.write(move |conn| {
        store::trades::insert(conn, &row).map_err(|e| {
            e.duplicate_means(|| {
                ApiError::field("name", "trade_exists", "this trade (code and name) is already in the catalogue")
            })
        })?;
        let out = trade_out(row);
        record(conn, &actor, "trade.create", ("trade", &out.id), None, snapshot(&out))?;
        Ok(out)
    })
    .await
}

/// The holidays and worked weekend days of a year.
pub async fn calendar_of(db: &Db, year: i32) -> ApiResult<Vec<CalendarDayOut>> {
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field("year", "out_of_range", "a year between 2000 and 2100"));
    }
    let rows = db.read(move |conn| Ok(store::calendar::list_days(conn, year)?)).await?;
    Ok(rows
        .into_iter()
        .map(|r| CalendarDayOut { kind: DayKind::parse(&r.kind).unwrap_or(DayKind::Holiday), day: r.day, name: r.name })
        .collect())
}

/// Declares a day a public holiday or a worked weekend day (admins), replacing what it was.
pub async fn put_calendar_day(
    db: &Db,
    actor: Actor,
    day: NaiveDate,
    input: CalendarDayInput,
) -> ApiResult<CalendarDayOut> {
    require_admin(&actor)?;
    let name = text::required("name", &input.name, 50)?;
    db.write(move |conn| {
        let row = CalendarDayRow { day, kind: input.kind.as_str().into(), name };
        store::calendar::put_day(conn, &row)?;
        record(
            conn,
            &actor,
            "calendar.put",
            ("calendar_day", &day.to_string()),
            None,
            Some(serde_json::json!({ "kind": row.kind, "name": row.name })),
        )?;
        Ok(CalendarDayOut { day, kind: input.kind, name: row.name })
    })
    .await
}

/// Removes a calendar entry (admins).
pub async fn delete_calendar_day(db: &Db, actor: Actor, day: NaiveDate) -> ApiResult<()> {
    require_admin(&actor)?;
    db.write(move |conn| {
        if store::calendar::delete_day(conn, day)? == 0 {
            return Err(ApiError::not_found("calendar day"));
        }
        record(conn, &actor, "calendar.delete", ("calendar_day", &day.to_string()), None, None)
    })
    .await
}
