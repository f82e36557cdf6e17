//! The plan dashboard: one count of the facts kept in memory, dashboards made from it, plan targets.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::Db;
use crate::domain::organisation::{region_within, NATIONAL_REGION};
use crate::domain::plan::{breakdown, progress, totals, Facts, Filter, PlanMetric, PlanPeriod, Target};
use crate::domain::role::Role;
use crate::domain::text;
use crate::error::{ApiError, ApiResult};
use crate::service::audit::record;
use crate::store::new_id;
use crate::store::statistics::TargetRow;
use crate::store::{self};
use crate::wire::parse_id;
use crate::wire::statistics::DashboardQuery;
use crate::wire::statistics::{Dashboard, NamedBreakdown, TargetOut, TargetRequest};
use crate::wire::utc;
use chrono::Datelike;

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

/// Changes a plan target's figure, period or years (its region and metric stay); the next
/// dashboard counts again.
pub async fn update_target(
    db: &Db,
    cache: &StatisticsCache,
    actor: Actor,
    now: NaiveDateTime,
    id: String,
    request: TargetRequest,
) -> ApiResult<TargetOut> {
    check_target(&request)?;
    let out = db
        .write(move |conn| {
            let mut row =
                store::statistics::find_target(conn, &id)?.ok_or_else(|| ApiError::not_found("plan target"))?;
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
        .await?;
    cache.forget();
    Ok(out)
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
#[derive(Default, Clone)]
pub struct StatisticsCache {
    snapshot: Arc<RwLock<Option<Arc<Snapshot>>>>,
    recounting: Arc<Mutex<()>>,
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

impl StatisticsCache {
    /// The current count, recounted when older than `ttl` (0: every time). While one request
    /// recounts, the others get the last count.
    async fn snapshot(&self, db: &Db, ttl: std::time::Duration, clock: &Clock) -> ApiResult<Arc<Snapshot>> {
        if let Some(current) = self.current() {
            if !ttl.is_zero() && current.counted.elapsed() <= ttl {
                return Ok(current);
            }
            if self.recounting.try_lock().is_err() {
                return Ok(current);
            }
        }
        let (cache, clock) = (self.clone(), clock.clone());
        db.read(move |conn| {
            let _recounting = cache.recounting.lock().unwrap_or_else(|e| e.into_inner());
            let all_trades = store::trades::TradeFilter { limit: i64::MAX, ..Default::default() };
            let snapshot = Arc::new(Snapshot {
                counted: Instant::now(),
                counted_at: clock.now_utc(),
                facts: store::statistics::facts(conn)?,
                targets: targets_of(store::statistics::targets(conn)?),
                trade_names: store::trades::list(conn, &all_trades)?.into_iter().map(|t| (t.id, t.name)).collect(),
                answers: Mutex::new(HashMap::new()),
            });
            *cache.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Some(snapshot.clone());
            Ok(snapshot)
        })
        .await
    }
}

/// What a dashboard request asks for, checked, within what the caller may see, with the count
/// to answer it from.
async fn dashboard_request(
    db: &Db,
    cache: &StatisticsCache,
    ttl: std::time::Duration,
    clock: &Clock,
    actor: Actor,
    query: DashboardQuery,
) -> ApiResult<(Arc<Snapshot>, Filter, String, i32)> {
    if let Some(t) = query.tier.as_deref().filter(|t| crate::domain::organisation::Tier::parse(t).is_none()) {
        return Err(ApiError::field("tier", "invalid_value", format!("'{t}' is not a tier")));
    }
    if let Some(c) = query.category.as_deref().filter(|c| crate::domain::competition::Category::parse(c).is_none()) {
        return Err(ApiError::field("category", "invalid_value", format!("'{c}' is not a category")));
    }
    if query.year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return Err(ApiError::field("year", "out_of_range", "a year from 2000 to 2100"));
    }
    let trade_id = query.trade_id.as_deref().map(|t| parse_id("trade_id", t)).transpose()?;
    let asked = query.region_code.clone();
    let region = db.read(move |conn| scope(&regions_of(conn, &actor)?, asked.as_deref())).await?;
    let year = query.year.unwrap_or_else(|| clock.now().year());
    let filter =
        Filter { region: region.clone(), year: Some(year), tier: query.tier, category: query.category, trade_id };
    let snapshot = cache.snapshot(db, ttl, clock).await?;
    Ok((snapshot, filter, region, year))
}

/// The dashboard for the caller's region (or a region within it they ask for), as JSON: made
/// from the current count, and kept with it for the next caller who asks the same.
pub async fn dashboard(
    db: &Db,
    cache: &StatisticsCache,
    ttl: std::time::Duration,
    clock: &Clock,
    actor: Actor,
    query: DashboardQuery,
) -> ApiResult<bytes::Bytes> {
    let (snapshot, filter, region, year) = dashboard_request(db, cache, ttl, clock, actor, query).await?;
    let key = format!("{region}|{year}|{:?}|{:?}|{:?}", filter.tier, filter.category, filter.trade_id);
    let kept = snapshot.answers.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
    if let Some(bytes) = kept {
        return Ok(bytes);
    }
    let out = make_dashboard(&snapshot, filter, region, year);
    let bytes = bytes::Bytes::from(serde_json::to_vec(&out).map_err(|e| ApiError::internal(e.to_string()))?);
    let mut answers = snapshot.answers.lock().unwrap_or_else(|e| e.into_inner());
    if answers.len() < KEPT_ANSWERS {
        answers.insert(key, bytes.clone());
    }
    Ok(bytes)
}

/// The same dashboard as a workbook (what the official sees, to file or to forward): a sheet
/// per breakdown and one for the plan's targets.
pub async fn export_dashboard(
    db: &Db,
    cache: &StatisticsCache,
    ttl: std::time::Duration,
    clock: &Clock,
    actor: Actor,
    query: DashboardQuery,
) -> ApiResult<Vec<u8>> {
    let (snapshot, filter, region, year) = dashboard_request(db, cache, ttl, clock, actor, query).await?;
    let out = make_dashboard(&snapshot, filter, region, year);
    crate::blocking::off_workers(move || dashboard_workbook(&out)).await
}

/// The award kinds a dashboard's sheets count in columns of their own.
const COUNTED_AWARDS: [(&str, &str); 4] = [
    ("title_champion", "技术状元"),
    ("title_technical_expert", "技术能手"),
    ("title_national_technical_expert", "全国技术能手"),
    ("promotion", "技能等级晋升"),
];

fn dashboard_workbook(d: &Dashboard) -> ApiResult<Vec<u8>> {
    use crate::domain::competition::Category;
    use crate::domain::organisation::Tier;
    use crate::service::spreadsheet::Sheet;
    let counts_row = |label: String, c: &crate::domain::plan::Counts| {
        let mut row =
            vec![label.into(), c.competitions.into(), c.trades.into(), c.contestants.into(), c.competed.into()];
        row.extend(COUNTED_AWARDS.iter().map(|(k, _)| c.awards.get(*k).copied().unwrap_or(0).into()));
        row
    };
    let headers = |first: &'static str| {
        let mut h = vec![first, "赛事", "工种", "报名人数", "实际参赛"];
        h.extend(COUNTED_AWARDS.iter().map(|(_, label)| *label));
        h
    };
    let title = format!("{}年统计（地区 {}）", d.year, d.region_code);
    let mut sheets = vec![
        Sheet::new("总计", &title, headers("范围"), vec![counts_row(format!("{}年", d.year), &d.totals)]),
        Sheet::new(
            "按年度",
            &title,
            headers("年度"),
            d.by_year.iter().map(|b| counts_row(format!("{}年", b.key), &b.counts)).collect(),
        ),
        Sheet::new(
            "按地区",
            &title,
            headers("州（市）"),
            d.by_prefecture
                .iter()
                .map(|b| counts_row(b.name.clone().unwrap_or_else(|| b.key.clone()), &b.counts))
                .collect(),
        ),
        Sheet::new(
            "按层级",
            &title,
            headers("层级"),
            d.by_tier
                .iter()
                .map(|b| {
                    counts_row(Tier::parse(&b.key).map_or_else(|| b.key.clone(), |t| t.label().to_string()), &b.counts)
                })
                .collect(),
        ),
        Sheet::new(
            "按类别",
            &title,
            headers("类别"),
            d.by_category
                .iter()
                .map(|b| {
                    counts_row(
                        Category::parse(&b.key).map_or_else(|| b.key.clone(), |c| c.label().to_string()),
                        &b.counts,
                    )
                })
                .collect(),
        ),
        Sheet::new(
            "按工种",
            &title,
            headers("职业（工种）"),
            d.by_trade.iter().map(|b| counts_row(b.name.clone().unwrap_or_else(|| b.key.clone()), &b.counts)).collect(),
        ),
    ];
    sheets.push(Sheet::new(
        "规划目标",
        &title,
        vec!["规划", "指标", "期间", "起始年", "截止年", "目标", "完成", "完成率"],
        d.targets
            .iter()
            .map(|p| {
                let metric = PlanMetric::parse(&p.metric).map_or_else(|| p.metric.clone(), |m| m.label().to_string());
                let period = PlanPeriod::parse(&p.period).map_or_else(|| p.period.clone(), |m| m.label().to_string());
                vec![
                    p.plan.clone().into(),
                    metric.into(),
                    period.into(),
                    i64::from(p.from_year).into(),
                    i64::from(p.to_year).into(),
                    p.target.into(),
                    p.actual.into(),
                    format!("{:.1}%", p.progress * 100.0).into(),
                ]
            })
            .collect(),
    ));
    crate::service::spreadsheet::workbook(&sheets)
}

/// Adds a plan target for a region the caller is an official of; the next dashboard counts again.
pub async fn create_target(
    db: &Db,
    cache: &StatisticsCache,
    actor: Actor,
    now: NaiveDateTime,
    request: TargetRequest,
) -> ApiResult<TargetOut> {
    check_target(&request)?;
    let plan = text::required("plan", &request.plan, 200)?;
    let note = text::optional("note", request.note.as_deref(), 500)?;
    let region = request.region_code.clone();
    if !crate::domain::organisation::is_region_code(&region) {
        return Err(ApiError::field("region_code", "invalid_region", "a 6-digit region code (GB/T 2260)"));
    }
    let out = db
        .write(move |conn| {
            require_region_official(conn, &actor, &region)?;
            let row = TargetRow {
                id: new_id(),
                plan,
                region_code: region,
                metric: request.metric.as_str().into(),
                period: request.period.as_str().into(),
                from_year: request.from_year,
                to_year: request.to_year,
                target: request.target,
                note,
                created_at: now,
                updated_at: now,
            };
            store::statistics::insert_target(conn, &row).map_err(|e| {
                e.duplicate_means(|| {
                    ApiError::field("metric", "target_exists", "this plan already has a target for this metric")
                })
            })?;
            let after = serde_json::to_value(target_out(row.clone())).ok();
            record(conn, &actor, "plan_target.create", ("plan_target", &row.id), None, after)?;
            Ok(target_out(row))
        })
        .await?;
    cache.forget();
    Ok(out)
}
