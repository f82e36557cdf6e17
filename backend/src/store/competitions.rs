use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::lower;
use super::{StoreError, StoreResult};
use crate::db::schema::{competition_bodies, competitions, events, organisations, upgrade_applications};
use crate::db::{like_contains, DbConnection};
use crate::domain::competition::{Category, Status};
use crate::domain::organisation::Tier;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = competitions)]
pub struct CompetitionRow {
    pub id: String,
    pub name: String,
    pub edition: Option<i32>,
    pub year: i32,
    pub category: String,
    pub tier: String,
    pub class: String,
    pub host_org_id: String,
    pub is_season: bool,
    pub major_project: Option<String>,
    pub description: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub registration_opens_at: Option<NaiveDateTime>,
    pub registration_closes_at: Option<NaiveDateTime>,
    pub feeds_into_id: Option<String>,
    pub recognised_tier: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub roster_publicity_days: i32,
    pub version: i32,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub results_publicity_days: i32,
    /// When the next tier's organisers accepted `feeds_into_id` (none: not yet): only an accepted
    /// link sends qualifiers on.
    pub feeds_into_accepted_at: Option<NaiveDateTime>,
}

impl CompetitionRow {
    /// The lifecycle state (DESIGN §5).
    pub fn status(&self) -> StoreResult<Status> {
        Status::parse(&self.status)
            .ok_or_else(|| StoreError::Corrupt(format!("competition {} has an unknown status", self.id)))
    }

    pub fn tier(&self) -> StoreResult<Tier> {
        Tier::parse(&self.tier)
            .ok_or_else(|| StoreError::Corrupt(format!("competition {} has an unknown tier", self.id)))
    }

    pub fn category(&self) -> StoreResult<Category> {
        Category::parse(&self.category)
            .ok_or_else(|| StoreError::Corrupt(format!("competition {} has an unknown category", self.id)))
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = competition_bodies)]
pub struct BodyRow {
    pub id: String,
    pub competition_id: String,
    pub organisation_id: String,
    pub role: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = upgrade_applications)]
pub struct UpgradeRow {
    pub id: String,
    pub competition_id: String,
    pub target_tier: String,
    pub reviewer_org_id: String,
    pub status: String,
    pub statement: String,
    pub decision_reason: Option<String>,
    pub applied_by: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A competition with its host's path (for access checks) and name.
pub type CompetitionWithHost = (CompetitionRow, String, String);

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<CompetitionWithHost>> {
    Ok(competitions::table
        .inner_join(organisations::table)
        .filter(competitions::id.eq(id))
        .select((CompetitionRow::as_select(), organisations::path, organisations::name))
        .first(conn)
        .optional()?)
}

pub fn insert(conn: &mut DbConnection, row: &CompetitionRow) -> StoreResult<()> {
    diesel::insert_into(competitions::table).values(row).execute(conn)?;
    Ok(())
}

/// Writes every column of the row if the stored version is still `expected_version`.
pub fn update_if_version(conn: &mut DbConnection, row: &CompetitionRow, expected_version: i32) -> StoreResult<bool> {
    let changed = diesel::update(
        competitions::table.filter(competitions::id.eq(&row.id)).filter(competitions::version.eq(expected_version)),
    )
    .set((
        competitions::name.eq(&row.name),
        competitions::edition.eq(row.edition),
        competitions::year.eq(row.year),
        competitions::category.eq(&row.category),
        competitions::tier.eq(&row.tier),
        competitions::class.eq(&row.class),
        competitions::host_org_id.eq(&row.host_org_id),
        competitions::is_season.eq(row.is_season),
        competitions::major_project.eq(&row.major_project),
        competitions::description.eq(&row.description),
        competitions::starts_on.eq(row.starts_on),
        competitions::ends_on.eq(row.ends_on),
        competitions::registration_opens_at.eq(row.registration_opens_at),
        competitions::registration_closes_at.eq(row.registration_closes_at),
        competitions::feeds_into_id.eq(&row.feeds_into_id),
        competitions::feeds_into_accepted_at.eq(row.feeds_into_accepted_at),
        competitions::recognised_tier.eq(&row.recognised_tier),
        competitions::status.eq(&row.status),
        competitions::status_reason.eq(&row.status_reason),
        competitions::roster_publicity_days.eq(row.roster_publicity_days),
        competitions::version.eq(row.version),
        competitions::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The competition a given one feeds into, if any.
pub fn feeds_into_of(conn: &mut DbConnection, id: &str) -> StoreResult<Option<String>> {
    Ok(competitions::table
        .find(id)
        .select(competitions::feeds_into_id)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Competitions that feed into `id`.
pub fn feeders_of(conn: &mut DbConnection, id: &str) -> StoreResult<Vec<CompetitionWithHost>> {
    Ok(competitions::table
        .inner_join(organisations::table)
        .filter(competitions::feeds_into_id.eq(id))
        .order(competitions::id.asc())
        .select((CompetitionRow::as_select(), organisations::path, organisations::name))
        .load(conn)?)
}

/// Links from below waiting for acceptance by the organisers of competitions hosted under one of
/// `paths` (None: all). Starts from the links still waiting, which are few.
pub fn feeder_requests_within(conn: &mut DbConnection, paths: Option<&[String]>) -> StoreResult<i64> {
    let targets: Vec<String> = competitions::table
        .filter(competitions::feeds_into_accepted_at.is_null())
        .filter(competitions::feeds_into_id.is_not_null())
        .select(competitions::feeds_into_id.assume_not_null())
        .load(conn)?;
    let mut count = 0;
    for target in targets {
        let Some((_, host_path, _)) = find(conn, &target)? else { continue };
        if paths.is_none_or(|paths| paths.iter().any(|p| host_path.starts_with(p.as_str()))) {
            count += 1;
        }
    }
    Ok(count)
}

pub fn bodies_of_many(
    conn: &mut DbConnection,
    competition_ids: &[String],
) -> StoreResult<Vec<(BodyRow, String, String)>> {
    Ok(competition_bodies::table
        .inner_join(organisations::table)
        .filter(competition_bodies::competition_id.eq_any(competition_ids))
        .order(competition_bodies::id.asc())
        .select((BodyRow::as_select(), organisations::name, organisations::kind))
        .load(conn)?)
}

pub fn replace_bodies(conn: &mut DbConnection, competition_id: &str, bodies: &[BodyRow]) -> StoreResult<()> {
    diesel::delete(competition_bodies::table.filter(competition_bodies::competition_id.eq(competition_id)))
        .execute(conn)?;
    for body in bodies {
        diesel::insert_into(competition_bodies::table).values(body).execute(conn)?;
    }
    Ok(())
}

#[derive(Debug, Default)]
pub struct CompetitionFilter {
    pub year: Option<i32>,
    pub tier: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub is_season: Option<bool>,
    /// Host region code prefix (province: 2 digits, prefecture: 4, county: 6).
    pub region_prefix: Option<String>,
    /// Only competitions with these ids (e.g. those with an event of a trade).
    pub ids: Option<Vec<String>>,
    pub name_contains: Option<String>,
    /// Drafts are listed only inside these subtrees (None: drafts of all, for admins).
    pub drafts_within: Option<Vec<String>>,
    /// Continue after this (first day, id): the list runs newest first.
    pub after: Option<(NaiveDate, String)>,
    pub limit: i64,
}

pub fn list(conn: &mut DbConnection, f: &CompetitionFilter) -> StoreResult<Vec<CompetitionWithHost>> {
    let mut query = competitions::table
        .inner_join(organisations::table)
        .select((CompetitionRow::as_select(), organisations::path, organisations::name))
        .into_boxed();
    // Visibility first, as one OR group: public states, or drafts inside the caller's subtrees.
    if let Some(paths) = &f.drafts_within {
        query = query.filter(competitions::status.ne("draft"));
        for path in paths {
            query = query.or_filter(organisations::path.like(format!("{path}%")));
        }
    }
    if let Some(year) = f.year {
        query = query.filter(competitions::year.eq(year));
    }
    if let Some(v) = &f.tier {
        query = query.filter(competitions::tier.eq(v.clone()));
    }
    if let Some(v) = &f.category {
        query = query.filter(competitions::category.eq(v.clone()));
    }
    if let Some(v) = &f.status {
        query = query.filter(competitions::status.eq(v.clone()));
    }
    if let Some(v) = f.is_season {
        query = query.filter(competitions::is_season.eq(v));
    }
    if let Some(prefix) = &f.region_prefix {
        query = query.filter(organisations::region_code.like(format!("{prefix}%")));
    }
    if let Some(ids) = &f.ids {
        query = query.filter(competitions::id.eq_any(ids.clone()));
    }
    if let Some(q) = &f.name_contains {
        query = query.filter(lower(competitions::name).like(like_contains(q)).escape('\\'));
    }
    if let Some((day, id)) = &f.after {
        query = query.filter(
            competitions::starts_on.lt(*day).or(competitions::starts_on.eq(*day).and(competitions::id.lt(id.clone()))),
        );
    }
    Ok(query.order((competitions::starts_on.desc(), competitions::id.desc())).limit(f.limit).load(conn)?)
}

/// Ids of competitions with an event of this trade.
pub fn with_trade(conn: &mut DbConnection, trade_id: &str) -> StoreResult<Vec<String>> {
    Ok(events::table.filter(events::trade_id.eq(trade_id)).select(events::competition_id).distinct().load(conn)?)
}

pub fn insert_upgrade(conn: &mut DbConnection, row: &UpgradeRow) -> StoreResult<()> {
    diesel::insert_into(upgrade_applications::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_upgrade(conn: &mut DbConnection, id: &str) -> StoreResult<Option<UpgradeRow>> {
    Ok(upgrade_applications::table.find(id).select(UpgradeRow::as_select()).first(conn).optional()?)
}

pub fn upgrades_of(conn: &mut DbConnection, competition_id: &str) -> StoreResult<Vec<UpgradeRow>> {
    Ok(upgrade_applications::table
        .filter(upgrade_applications::competition_id.eq(competition_id))
        .order(upgrade_applications::id.asc())
        .select(UpgradeRow::as_select())
        .load(conn)?)
}

/// Applications waiting on (or decided by) reviewers inside the given subtrees.
pub fn upgrades_for_reviewers(
    conn: &mut DbConnection,
    paths: Option<&[String]>,
    status: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<UpgradeRow>> {
    let mut query = upgrade_applications::table
        .inner_join(organisations::table.on(organisations::id.eq(upgrade_applications::reviewer_org_id)))
        .select(UpgradeRow::as_select())
        .into_boxed();
    super::filter_within_paths!(query, paths.map(|p| p.to_vec()).as_ref());
    if let Some(s) = status {
        query = query.filter(upgrade_applications::status.eq(s.to_string()));
    }
    Ok(query.order(upgrade_applications::id.asc()).limit(limit).load(conn)?)
}

/// Records a decision if the application is still pending; false if someone decided first.
pub fn decide_upgrade(conn: &mut DbConnection, row: &UpgradeRow) -> StoreResult<bool> {
    let changed = diesel::update(
        upgrade_applications::table
            .filter(upgrade_applications::id.eq(&row.id))
            .filter(upgrade_applications::status.eq("pending")),
    )
    .set((
        upgrade_applications::status.eq(&row.status),
        upgrade_applications::decision_reason.eq(&row.decision_reason),
        upgrade_applications::decided_by.eq(&row.decided_by),
        upgrade_applications::decided_at.eq(row.decided_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The competition's 准考证 series within its year: the one it has, or the next free one.
pub fn ticket_series(conn: &mut DbConnection, id: &str, year: i32) -> StoreResult<i32> {
    let current: Option<i32> = competitions::table.find(id).select(competitions::ticket_series).first(conn)?;
    if let Some(series) = current {
        return Ok(series);
    }
    let highest: Option<i32> = competitions::table
        .filter(competitions::year.eq(year))
        .select(diesel::dsl::max(competitions::ticket_series))
        .first(conn)?;
    let series = highest.unwrap_or(0) + 1;
    diesel::update(competitions::table.find(id)).set(competitions::ticket_series.eq(series)).execute(conn)?;
    Ok(series)
}
