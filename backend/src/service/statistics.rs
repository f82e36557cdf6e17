//! The plan dashboard: one count of the facts kept in memory, dashboards made from it, plan targets.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::auth::Actor;
use crate::db::Db;
use crate::domain::organisation::{region_within, NATIONAL_REGION};
use crate::domain::plan::{breakdown, progress, totals, Facts, Filter, PlanMetric, PlanPeriod, Target};
use crate::domain::role::Role;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::store::statistics::TargetRow;
use crate::store::{self};
use crate::wire::statistics::{Dashboard, NamedBreakdown, TargetOut, TargetRequest};
use crate::wire::utc;

/// The regions the caller's official, organiser or admin grants cover.
pub fn regions_of(conn: &mut crate::db::DbConnection, actor: &Actor) -> ApiResult<Vec<String>> {
    if actor.is_admin() {
        return Ok(vec![NATIONAL_REGION.to_string()]);
    }
    let ids: Vec<String> = actor
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::Official | Role::Organiser))
        .filter_map(|g| g.organisation_id.clone())
        .collect();
    Ok(store::awards::organisations_by_ids(conn, &ids)?.into_iter().map(|(_, _, _, _, region, _)| region).collect())
}

/// The region a request looks at: the one asked for if the caller covers it, else the widest the
/// caller covers.
pub fn scope(regions: &[String], asked: Option<&str>) -> ApiResult<String> {
    if regions.is_empty() {
        return Err(ApiError::forbidden("the dashboard is for officials and organisers"));
    }
    match asked {
        Some(region) if regions.iter().any(|r| region_within(region, r)) => Ok(region.to_string()),
        Some(_) => Err(ApiError::forbidden("that region is outside yours")),
        None => Ok(regions.iter().min_by_key(|r| r.trim_end_matches('0').len()).cloned().unwrap_or_default()),
    }
}

pub fn targets_of(rows: Vec<TargetRow>) -> Vec<Target> {
    rows.into_iter()
        .filter_map(|t| {
            Some(Target {
                id: t.id,
                plan: t.plan,
                region: t.region_code,
                metric: PlanMetric::parse(&t.metric)?,
                period: PlanPeriod::parse(&t.period)?,
                from_year: t.from_year,
                to_year: t.to_year,
                target: t.target,
            })
        })
        .collect()
}

pub fn make_dashboard(snapshot: &Snapshot, filter: Filter, region: String, year: i32) -> Dashboard {
    let facts = &snapshot.facts;
    let regions = crate::domain::region::regions();
    let region_name = |code: &str| regions.iter().find(|r| r.code == code).map(|r| r.name.clone());
    let mut by_trade: Vec<NamedBreakdown> = breakdown(facts, &filter, "trade")
        .into_iter()
        .map(|b| NamedBreakdown { name: snapshot.trade_names.get(&b.key).cloned(), key: b.key, counts: b.counts })
        .collect();
    by_trade.sort_by(|a, b| b.counts.contestants.cmp(&a.counts.contestants).then(a.key.cmp(&b.key)));
    by_trade.truncate(20);
    Dashboard {
        year,
        counted_at: snapshot.counted_at,
        totals: totals(facts, &filter),
        by_year: breakdown(facts, &filter, "year"),
        by_prefecture: breakdown(facts, &filter, "prefecture")
            .into_iter()
            .map(|b| NamedBreakdown { name: region_name(&b.key), key: b.key, counts: b.counts })
            .collect(),
        by_tier: breakdown(facts, &filter, "tier"),
        by_category: breakdown(facts, &filter, "category"),
        by_trade,
        targets: progress(facts, &snapshot.targets, &region, year),
        region_code: region,
    }
}

pub fn target_out(t: TargetRow) -> TargetOut {
    TargetOut {
        id: t.id,
        plan: t.plan,
        region_code: t.region_code,
        metric: t.metric,
        period: t.period,
        from_year: t.from_year,
        to_year: t.to_year,
        target: t.target,
        note: t.note,
        updated_at: utc(t.updated_at),
    }
}

pub fn check_target(t: &TargetRequest) -> ApiResult<()> {
    if !(2000..=2100).contains(&t.from_year) {
        return Err(ApiError::field("from_year", "out_of_range", "a year from 2000 to 2100"));
    }
    if t.to_year < t.from_year || t.to_year > 2100 {
        return Err(ApiError::field("to_year", "dates_out_of_order", "the plan ends in or after the year it starts"));
    }
    if !(1..=1_000_000_000).contains(&t.target) {
        return Err(ApiError::field("target", "out_of_range", "a positive number"));
    }
    Ok(())
}

/// Sets a plan target for a region the caller's grant is on (an official of that region's body,
/// or an admin).
pub fn require_region_official(conn: &mut crate::db::DbConnection, actor: &Actor, region: &str) -> ApiResult<()> {
    if actor.is_admin() {
        return Ok(());
    }
    let own = crate::service::load::official_bodies(conn, actor)?;
    if own.iter().any(|(_, _, _, r, _)| r == region) {
        Ok(())
    } else {
        Err(ApiError::forbidden("plan targets are set by the region's own officials"))
    }
}

pub async fn list_targets(db: &Db, actor: Actor) -> ApiResult<Vec<TargetOut>> {
    db.read(move |conn| {
        let regions = regions_of(conn, &actor)?;
        Ok(store::statistics::targets(conn)?
            .into_iter()
            .filter(|t| regions.iter().any(|r| region_within(&t.region_code, r)))
            .map(target_out)
            .collect::<Vec<_>>())
    })
    .await
}

pub async fn update_target(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    request: TargetRequest,
) -> ApiResult<TargetOut> {
    db.write(move |conn| {
        let mut row = store::statistics::find_target(conn, &id)?.ok_or_else(|| ApiError::not_found("plan target"))?;
        require_region_official(conn, &actor, &row.region_code)?;
        if row.metric != request.metric.as_str() || row.region_code != request.region_code {
            return Err(ApiError::field(
                "metric",
                "immutable",
                "a target's region and metric stay; add another target",
            ));
        }
        let before = target_out(row.clone());
        row.period = request.period.as_str().into();
        row.from_year = request.from_year;
        row.to_year = request.to_year;
        row.target = request.target;
        row.note = request.note.clone();
        row.updated_at = now;
        store::statistics::update_target(conn, &row)?;
        record(
            conn,
            &actor,
            "plan_target.update",
            ("plan_target", &row.id),
            serde_json::to_value(before).ok(),
            serde_json::to_value(target_out(row.clone())).ok(),
        )?;
        Ok(target_out(row))
    })
    .await
}

/// One count of the facts with what every dashboard needs besides (targets, trade names), and
/// the dashboards already made from it.
pub struct Snapshot {
    pub counted: Instant,
    pub counted_at: DateTime<Utc>,
    pub facts: Facts,
    pub targets: Vec<Target>,
    pub trade_names: HashMap<String, String>,
    /// Serialised dashboards by their query: the same question asks nothing new of the count.
    pub answers: Mutex<HashMap<String, bytes::Bytes>>,
}

/// Dashboards kept per count (distinct queries; more are answered without keeping them).
pub const KEPT_ANSWERS: usize = 512;

/// The last count, recounted after `statistics_ttl`; plan target changes recount at once.
#[derive(Default)]
pub struct StatisticsCache {
    pub snapshot: RwLock<Option<Arc<Snapshot>>>,
    pub recounting: Mutex<()>,
}

impl StatisticsCache {
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.snapshot.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Makes the next request count again.
    pub fn forget(&self) {
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
