//! Past seasons in bulk, so that the plan dashboard has a believable province to show: for each
//! year, a provincial workers' final, the sixteen prefecture finals, county and enterprise
//! contests, the provincial labour competitions and the college contest's final, all archived,
//! with their contestants, final results and the awards the default rules give (through the same
//! `domain::award` rules the API uses). Deterministic (a fixed seed) and written in multi-row
//! inserts, one transaction per year.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{Tree, PROVINCE_UNION};
use crate::db::schema::{awards, events, organisations, persons, registrations, result_sets, results};
use crate::db::{Db, DbConnection};
use crate::domain::award::{default_rules, propose, AwardKind, Finisher};
use crate::domain::competition::{Category, CompetitionClass};
use crate::domain::event::{default_tie_breaks, PrizeBands};
use crate::domain::organisation::{OrgKind, Tier};
use crate::error::{ApiError, ApiResult};
use crate::store::awards::AwardRow;
use crate::store::competitions::CompetitionRow;
use crate::store::events::EventRow;
use crate::store::organisations::OrganisationRow;
use crate::store::persons::PersonRow;
use crate::store::registrations::RegistrationRow;
use crate::store::results::{ResultRow, ResultSetRow};
use crate::store::{self, new_id};

/// How much history: the years, and the workers' contestants a year (the plan asks 100,000).
#[derive(Debug, Clone, Copy)]
pub struct HistoryScale {
    pub first_year: i32,
    pub last_year: i32,
    pub workers_per_year: usize,
    /// No competition of the history starts after this day (a season that ended this year is
    /// history, but not the days of it still ahead); None: the seasons run in full.
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Default)]
pub struct HistorySummary {
    pub competitions: usize,
    pub events: usize,
    pub persons: usize,
    pub registrations: usize,
    pub awards: usize,
    pub seconds: f64,
}

/// Marks generated competitions, so that a second run finds them.
const HISTORY_NOTE: &str = "往届赛事（批量生成的历史数据）";

/// A fixed xorshift sequence: the same province every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "段", "普", "字", "岩", "刀", "和", "木", "杞", "鲁", "施",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "兰", "华", "建", "文", "云", "春", "红", "海",
];
/// Names of the province's minority peoples, written with `·`.
const MINORITY_NAMES: &[&str] = &["阿苏·木呷", "扎西·次仁", "玉罕·岩温", "依娜·沙玛", "阿依·古丽"];

fn person_name(rng: &mut Rng) -> String {
    if rng.below(40) == 0 {
        return MINORITY_NAMES[rng.below(MINORITY_NAMES.len())].to_string();
    }
    let given: String = (0..1 + rng.below(2)).map(|_| GIVEN[rng.below(GIVEN.len())]).collect();
    format!("{}{given}", SURNAMES[rng.below(SURNAMES.len())])
}

/// A valid ID card number for the i-th generated person: born `birth`, with a serial that keeps
/// every generated number apart from the others (and from the demo's own people, who use larger
/// serials).
fn id_number(region: &str, birth: NaiveDate, serial: usize) -> String {
    let first17 = format!("{region}{}{serial:03}", birth.format("%Y%m%d"));
    let mut digits = [0u32; 17];
    for (d, c) in digits.iter_mut().zip(first17.chars()) {
        *d = c.to_digit(10).unwrap_or(0);
    }
    format!("{first17}{}", crate::domain::id_card::check_char(&digits))
}

/// One of the history's people, with what their registrations and awards record of them.
struct Someone {
    id: String,
    employer: String,
    name: String,
    id_number: String,
    female: bool,
    birth: NaiveDate,
}

struct People {
    workers: Vec<Someone>,
    students: Vec<Someone>,
}

fn generate_people(
    conn: &mut DbConnection,
    rng: &mut Rng,
    enterprises: &[OrganisationRow],
    colleges: &[OrganisationRow],
    workers: usize,
    students: usize,
    at: NaiveDateTime,
) -> ApiResult<People> {
    // Only births before today are valid on an ID card; the history's people are all adults.
    let today = at.date();
    let mut make =
        |count: usize, employers: &[OrganisationRow], born_from: NaiveDate, days: i64, serial_base: usize| {
            let mut rows = Vec::with_capacity(count);
            let mut out = Vec::with_capacity(count);
            for i in 0..count {
                let employer = &employers[i % employers.len()];
                let birth = born_from + chrono::Duration::days((i as i64 * 7919) % days);
                let serial = serial_base + i / days as usize;
                let number = id_number(&employer.region_code, birth, serial);
                let female = crate::domain::id_card::parse_id_card(&number, today)
                    .map(|c| c.gender == crate::domain::person::Gender::Female)
                    .unwrap_or(false);
                let id = new_id();
                let name = person_name(rng);
                out.push(Someone {
                    id: id.clone(),
                    employer: employer.id.clone(),
                    name: name.clone(),
                    id_number: number.clone(),
                    female,
                    birth,
                });
                rows.push(PersonRow {
                    id,
                    full_name: name,
                    id_number: number,
                    gender: if female { "female" } else { "male" }.into(),
                    birth_date: birth,
                    ethnicity: None,
                    phone: None,
                    education: None,
                    employer_org_id: Some(employer.id.clone()),
                    occupation: None,
                    is_migrant_worker: i % 5 == 0,
                    version: 1,
                    created_at: at,
                    updated_at: at,
                });
            }
            (rows, out)
        };
    let born = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
    // Workers born 1966–2002; students 2001–2006 with serials from 500 up.
    let (worker_rows, workers) = make(workers, enterprises, born(1966), 13_500, 1);
    let (student_rows, students) = make(students, colleges, born(2001), 2_100, 500);
    for chunk in worker_rows.chunks(1000).chain(student_rows.chunks(1000)) {
        crate::insert_rows!(conn, persons::table, chunk)?;
    }
    Ok(People { workers, students })
}

/// One competition to generate: what it is, who hosts it, its trades and contestants per event.
struct Plan {
    name: String,
    category: Category,
    tier: Tier,
    class: CompetitionClass,
    host: OrganisationRow,
    trades: usize,
    per_event: usize,
    students: bool,
}

/// The year's competitions, scaled from the plan's 100,000 workers' contestants.
fn year_plan(
    year: i32,
    scale: f64,
    province: &OrganisationRow,
    hrss: &OrganisationRow,
    prefectures: &[OrganisationRow],
    counties: &[OrganisationRow],
    enterprises: &[OrganisationRow],
) -> Vec<Plan> {
    let n = |x: f64| ((x * scale).round() as usize).max(1);
    let short = |o: &OrganisationRow| o.name.trim_end_matches("总工会").to_string();
    let mut plans = vec![Plan {
        name: format!("{year}年云南省职工职业技能大赛"),
        category: Category::WorkersSkills,
        tier: Tier::Province,
        class: CompetitionClass::Provincial1,
        host: province.clone(),
        trades: 50,
        per_event: n(40.0),
        students: false,
    }];
    for p in prefectures {
        plans.push(Plan {
            name: format!("{year}年{}职工职业技能大赛", short(p)),
            category: Category::WorkersSkills,
            tier: Tier::Prefecture,
            class: CompetitionClass::District,
            host: p.clone(),
            trades: 6,
            per_event: n(50.0),
            students: false,
        });
    }
    let county_count = n(96.0).min(counties.len());
    for c in counties.iter().take(county_count) {
        plans.push(Plan {
            name: format!("{year}年{}职工技能竞赛", short(c)),
            category: Category::WorkersSkills,
            tier: Tier::County,
            class: CompetitionClass::District,
            host: c.clone(),
            trades: 3,
            per_event: n(50.0),
            students: false,
        });
    }
    // Enterprise contests fill the rest of the 500 competitions and 100,000 contestants.
    let enterprise_count = n(387.0);
    let placed: usize = plans.iter().map(|p| p.trades * p.per_event).sum();
    let per_enterprise = ((100_000.0 * scale) as usize).saturating_sub(placed) / enterprise_count;
    for i in 0..enterprise_count {
        let host = &enterprises[i % enterprises.len()];
        plans.push(Plan {
            name: format!("{year}年{}岗位技能比武（第{}场）", host.name, i / enterprises.len() + 1),
            category: Category::WorkersSkills,
            tier: Tier::Enterprise,
            class: CompetitionClass::Enterprise,
            host: host.clone(),
            trades: 1,
            per_event: per_enterprise.max(1),
            students: false,
        });
    }
    for (i, project) in [
        "滇中引水工程",
        "全省铁路建设工程",
        "县域高速公路“能通全通”工程",
        "金沙江水电建设工程",
        "高原湖泊保护治理工程",
        "“四个一百”重点建设项目",
    ]
    .iter()
    .cycle()
    .take(12)
    .enumerate()
    {
        plans.push(Plan {
            name: format!("{year}年{project}劳动和技能竞赛（{}）", i / 6 + 1),
            category: Category::Labour,
            tier: Tier::Province,
            class: CompetitionClass::Provincial2,
            host: province.clone(),
            trades: 1,
            per_event: n(500.0),
            students: false,
        });
    }
    plans.push(Plan {
        name: format!("{year}年云南省职业院校技能大赛"),
        category: Category::VocationalCollege,
        tier: Tier::Province,
        class: CompetitionClass::Provincial1,
        host: hrss.clone(),
        trades: 30,
        per_event: n(250.0),
        students: true,
    });
    plans
}

/// Generates the history, its rows stamped `at` (the server's clock); refuses to run twice or
/// before `seed-demo`.
pub fn generate_history(db: &Db, scale: HistoryScale, at: NaiveDateTime) -> Result<HistorySummary, String> {
    let started = Instant::now();
    let orgs: Vec<OrganisationRow> = db
        .read_blocking(|conn| Ok(organisations::table.select(OrganisationRow::as_select()).load(conn)?))
        .map_err(|e: ApiError| e.detail)?;
    let province =
        orgs.iter().find(|o| o.name == PROVINCE_UNION).cloned().ok_or("load the demo province first (seed-demo)")?;
    let already = db
        .read_blocking(|conn| {
            use crate::db::schema::competitions;
            let n: i64 =
                competitions::table.filter(competitions::description.eq(HISTORY_NOTE)).count().get_result(conn)?;
            Ok(n)
        })
        .map_err(|e: ApiError| e.detail)?;
    if already > 0 {
        return Err("history already present".into());
    }
    let hrss = orgs.iter().find(|o| o.kind == "hrss" && o.tier == "province").cloned().ok_or("no provincial HRSS")?;
    let of = |tier: &str| -> Vec<OrganisationRow> {
        let mut v: Vec<OrganisationRow> =
            orgs.iter().filter(|o| o.tier == tier && o.kind == "union").cloned().collect();
        v.sort_by(|a, b| a.region_code.cmp(&b.region_code));
        v
    };
    let (prefectures, counties) = (of("prefecture"), of("county"));
    let factor = scale.workers_per_year as f64 / 100_000.0;
    let mut summary = HistorySummary::default();
    let mut rng = Rng(0x5eed_2021_0001);

    // Two enterprises in each county and a college in each prefecture, then the people.
    let (enterprises, colleges, people) = db
        .write_blocking(|conn| {
            let mut tree = Tree { conn, at };
            let mut enterprises = Vec::new();
            for c in &counties {
                let base = c.name.trim_end_matches("总工会");
                for suffix in ["机电设备有限公司", "建设工程有限公司"] {
                    enterprises.push(tree.add(
                        Some(c),
                        &format!("{base}{suffix}"),
                        OrgKind::Enterprise,
                        Tier::Enterprise,
                        &c.region_code,
                    )?);
                }
            }
            let mut colleges = Vec::new();
            for p in &prefectures {
                let base = p.name.trim_end_matches("总工会");
                colleges.push(tree.add(
                    Some(p),
                    &format!("{base}职业技术学院"),
                    OrgKind::School,
                    Tier::Enterprise,
                    &p.region_code,
                )?);
            }
            let students = ((7_500.0 * factor) as usize).max(30);
            let people = generate_people(
                tree.conn,
                &mut rng,
                &enterprises,
                &colleges,
                scale.workers_per_year.max(50),
                students,
                at,
            )?;
            Ok((enterprises, colleges, people))
        })
        .map_err(|e| e.detail)?;
    let _ = &colleges;
    summary.persons = people.workers.len() + people.students.len();
    let trades = db
        .read_blocking(|conn| {
            Ok(store::trades::list(conn, &store::trades::TradeFilter { limit: 500, ..Default::default() })?)
        })
        .map_err(|e| e.detail)?;
    let mut promoted: HashMap<i32, HashSet<String>> = HashMap::new();
    for year in scale.first_year..=scale.last_year {
        let plans = year_plan(year, factor, &province, &hrss, &prefectures, &counties, &enterprises);
        let counts = db
            .write_blocking(|conn| {
                write_year(
                    conn,
                    year,
                    &plans,
                    &trades,
                    &people,
                    &hrss.name,
                    &mut rng,
                    promoted.entry(year).or_default(),
                    at,
                    scale.until.filter(|u| chrono::Datelike::year(u) == year),
                )
            })
            .map_err(|e| e.detail)?;
        summary.competitions += counts.0;
        summary.events += counts.1;
        summary.registrations += counts.2;
        summary.awards += counts.3;
    }
    db.write_blocking(|conn| {
        crate::service::audit::record_as(
            conn,
            None,
            None,
            "history.generate",
            ("competition", "history"),
            None,
            Some(serde_json::json!({
                "years": [scale.first_year, scale.last_year], "competitions": summary.competitions,
                "registrations": summary.registrations, "awards": summary.awards,
            })),
            at,
        )
    })
    .map_err(|e| e.detail)?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// One year's competitions, events, registrations, results and awards. Returns the counts of
/// (competitions, events, registrations, awards).
fn write_year(
    conn: &mut DbConnection,
    year: i32,
    plans: &[Plan],
    trades: &[store::trades::TradeRow],
    people: &People,
    hrss_name: &str,
    rng: &mut Rng,
    promoted: &mut HashSet<String>,
    at: NaiveDateTime,
    scale_until: Option<NaiveDate>,
) -> ApiResult<(usize, usize, usize, usize)> {
    let bands = PrizeBands::default();
    let bands_json = serde_json::to_string(&bands).unwrap_or_default();
    let tie_breaks = serde_json::to_string(&default_tie_breaks()).unwrap_or_default();
    let (mut event_rows, mut registration_rows, mut set_rows, mut result_rows, mut award_rows) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut certificate_serial: HashMap<String, usize> = HashMap::new();
    for (c_index, plan) in plans.iter().enumerate() {
        let season_start = NaiveDate::from_ymd_opt(year, 10, 1).unwrap_or_default();
        // Spread over 80 days from 1 October, or over the days of it already past.
        let span = scale_until.map_or(80, |until| (until - season_start).num_days().clamp(1, 80));
        let starts_on = season_start + chrono::Duration::days(c_index as i64 % span);
        let competition = CompetitionRow {
            id: new_id(),
            name: plan.name.clone(),
            edition: None,
            year,
            category: plan.category.as_str().into(),
            tier: plan.tier.as_str().into(),
            class: plan.class.as_str().into(),
            host_org_id: plan.host.id.clone(),
            is_season: starts_on.month() >= 10,
            major_project: None,
            description: Some(HISTORY_NOTE.into()),
            starts_on,
            ends_on: starts_on + chrono::Duration::days(1),
            registration_opens_at: (starts_on - chrono::Duration::days(40)).and_hms_opt(0, 0, 0),
            registration_closes_at: (starts_on - chrono::Duration::days(10)).and_hms_opt(18, 0, 0),
            feeds_into_id: None,
            recognised_tier: None,
            status: "archived".into(),
            status_reason: None,
            roster_publicity_days: crate::domain::competition::DEFAULT_ROSTER_PUBLICITY_DAYS,
            results_publicity_days: crate::domain::competition::RESULTS_PUBLICITY_WORKING_DAYS,
            feeds_into_accepted_at: None,
            version: 1,
            created_by: None,
            created_at: at,
            updated_at: at,
        };
        store::competitions::insert(conn, &competition)?;
        let rules = default_rules(plan.category, plan.tier, plan.class);
        let with_awards = matches!(plan.tier, Tier::Province | Tier::Prefecture) && plan.category != Category::Labour;
        let pool = if plan.students { &people.students } else { &people.workers };
        let first_trade = rng.below(trades.len());
        for e in 0..plan.trades {
            let trade = &trades[(first_trade + e * 7) % trades.len()];
            let event = EventRow {
                id: new_id(),
                competition_id: competition.id.clone(),
                trade_id: trade.id.clone(),
                name: if plan.students { format!("{}（学生组）", trade.name) } else { trade.name.clone() },
                mode: "individual".into(),
                team_size: None,
                track: if plan.students { "student" } else { "worker" }.into(),
                standard_level: Some(3),
                theory_weight: 30,
                practical_weight: 70,
                quota_total: None,
                quota_per_org: None,
                min_age: Some(16),
                max_age: Some(60),
                min_skill_level: None,
                region_code: None,
                qualifiers_count: 0,
                tie_breaks: tie_breaks.clone(),
                prize_bands: bands_json.clone(),
                award_rules: None,
                review_levels: 1,
                version: 1,
                created_at: at,
                updated_at: at,
                appeal_window_minutes: crate::domain::event::DEFAULT_APPEAL_WINDOW_MINUTES,
                appeal_window_working_days: None,
                team_scoring: None,
                prefecture_quotas: None,
            };
            let set = ResultSetRow {
                id: new_id(),
                event_id: event.id.clone(),
                version: 1,
                status: "final".into(),
                marks_digest: "imported".into(),
                computed_by: "history".into(),
                computed_at: at,
                publicity_ends_at: Some(at),
                finalised_at: Some(at),
                published_at: Some(at),
            };
            // Consecutive people from a random start: nobody twice in one event.
            let start = rng.below(pool.len());
            let mut entrants: Vec<(usize, i32)> = (0..plan.per_event.min(pool.len()))
                .map(|k| ((start + k) % pool.len(), 4000 + rng.below(6000) as i32))
                .collect();
            entrants.sort_by(|a, b| b.1.cmp(&a.1));
            let mut finishers = Vec::new();
            let mut who_entered = std::collections::HashMap::new();
            for (place, (who, total)) in entrants.iter().enumerate() {
                let someone = &pool[*who];
                let (person, employer, female, birth) =
                    (&someone.id, &someone.employer, &someone.female, &someone.birth);
                let registration = RegistrationRow {
                    id: new_id(),
                    event_id: event.id.clone(),
                    competition_id: competition.id.clone(),
                    person_id: person.clone(),
                    team_name: None,
                    nominating_org_id: employer.clone(),
                    status: "competed".into(),
                    origin_competition_id: None,
                    origin_event_id: None,
                    origin_rank: None,
                    reserve_rank: None,
                    ticket_number: None,
                    status_reason: None,
                    submitted_by: None,
                    checked_in_at: starts_on.and_hms_opt(1, 0, 0),
                    version: 1,
                    created_at: at,
                    updated_at: at,
                    entrant_name: someone.name.clone(),
                    entrant_id_number: someone.id_number.clone(),
                    entrant_gender: if someone.female { "female" } else { "male" }.into(),
                    entrant_birth_date: someone.birth,
                    approvals: 0,
                };
                let rank = place as i32 + 1;
                result_rows.push(ResultRow {
                    id: new_id(),
                    result_set_id: set.id.clone(),
                    registration_id: registration.id.clone(),
                    station_number: rank,
                    theory_centi: total * 9 / 10,
                    practical_centi: (*total + 500).min(10_000),
                    total_centi: *total,
                    standardised: None,
                    rank,
                    tie_note: None,
                    tie_key: None,
                });
                finishers.push(Finisher {
                    registration_id: registration.id.clone(),
                    person_id: person.clone(),
                    rank,
                    age: crate::domain::id_card::age_on(*birth, starts_on),
                    female: *female,
                    current_level: None,
                });
                who_entered.insert(registration.id.clone(), *who);
                registration_rows.push(registration);
            }
            if with_awards {
                let (proposals, _) = propose(&rules, &bands, &finishers, promoted);
                for p in proposals {
                    let kind = AwardKind::parse(p.kind.as_str()).unwrap_or(AwardKind::PrizeThird);
                    if kind == AwardKind::Promotion {
                        promoted.insert(p.person_id.clone());
                    }
                    let certificate = kind.has_certificate().then(|| {
                        let serial = certificate_serial.entry(plan.host.region_code.clone()).or_default();
                        *serial += 1;
                        format!("{year}-{}-{:06}", plan.host.region_code, *serial)
                    });
                    let granted = (starts_on + chrono::Duration::days(40)).and_hms_opt(2, 0, 0);
                    let holder = &pool[who_entered[&p.registration_id]];
                    award_rows.push(AwardRow {
                        id: new_id(),
                        competition_id: competition.id.clone(),
                        event_id: event.id.clone(),
                        registration_id: p.registration_id,
                        person_id: p.person_id,
                        result_set_id: set.id.clone(),
                        kind: p.kind.as_str().into(),
                        rank: p.rank,
                        from_level: p.from_level,
                        to_level: p.to_level,
                        year,
                        status: if certificate.is_some() { "certificate_issued" } else { "granted" }.into(),
                        publicity_ends_at: granted,
                        check_code: certificate.as_ref().map(|_| format!("{:08X}", rng.next() as u32)),
                        certificate_number: certificate,
                        granted_by: Some(
                            if kind == AwardKind::Promotion { hrss_name } else { &plan.host.name }.to_string(),
                        ),
                        granted_at: granted,
                        issued_at: granted,
                        revoked_reason: None,
                        revoked_at: None,
                        version: 1,
                        created_at: at,
                        updated_at: at,
                        holder_name: holder.name.clone(),
                        holder_id_number: holder.id_number.clone(),
                        holder_gender: if holder.female { "female" } else { "male" }.into(),
                        holder_birth_date: holder.birth,
                    });
                }
            }
            event_rows.push(event);
            set_rows.push(set);
        }
    }
    for chunk in event_rows.chunks(500) {
        crate::insert_rows!(conn, events::table, chunk)?;
    }
    for chunk in registration_rows.chunks(1000) {
        crate::insert_rows!(conn, registrations::table, chunk)?;
    }
    for chunk in set_rows.chunks(1000) {
        crate::insert_rows!(conn, result_sets::table, chunk)?;
    }
    for chunk in result_rows.chunks(1500) {
        crate::insert_rows!(conn, results::table, chunk)?;
    }
    for chunk in award_rows.chunks(1000) {
        crate::insert_rows!(conn, awards::table, chunk)?;
    }
    Ok((plans.len(), event_rows.len(), registration_rows.len(), award_rows.len()))
}
