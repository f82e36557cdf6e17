//! Accounts created outside the API (the first admin) and the demo province for `make run`.

pub mod history;

use std::fmt::Write as _;
use std::path::Path;

use crate::auth::password::{check_password_policy, hash_password, normalise_username};
use crate::auth::random_token;
use crate::service::audit::record_as;
use chrono::NaiveDateTime;

use crate::db::{Db, DbConnection};
use crate::domain::id_card::check_char;
use crate::domain::organisation::{child_path, OrgKind, Tier};
use crate::domain::role::Role;
use crate::domain::time::Zone;
use crate::error::{ApiError, ApiResult};
use crate::store::organisations::OrganisationRow;
use crate::store::persons::{CredentialRow, PersonRow};
use crate::store::users::{GrantRow, UserRow};
use crate::store::{self, new_id};

fn insert_user(
    conn: &mut DbConnection,
    username: &str,
    password_hash: String,
    person_id: Option<String>,
    full_name: Option<&str>,
    at: NaiveDateTime,
) -> ApiResult<UserRow> {
    let user = UserRow {
        person_id,
        full_name: full_name.map(String::from),
        ..UserRow::new_account(username.to_string(), password_hash, at)
    };
    store::users::insert(conn, &user)?;
    record_as(
        conn,
        None,
        None,
        "user.create",
        ("user", &user.id),
        None,
        Some(serde_json::json!({ "username": user.username, "by": "skillcomp cli" })),
        at,
    )?;
    Ok(user)
}

fn grant(
    conn: &mut DbConnection,
    user_id: &str,
    role: Role,
    organisation_id: Option<&str>,
    at: NaiveDateTime,
) -> ApiResult<()> {
    let row = GrantRow {
        id: new_id(),
        user_id: user_id.to_string(),
        role: role.as_str().into(),
        organisation_id: organisation_id.map(String::from),
        granted_by: None,
        created_at: at,
    };
    store::users::insert_grant(conn, &row)?;
    record_as(
        conn,
        None,
        None,
        "grant.create",
        ("user", user_id),
        None,
        Some(serde_json::json!({ "grant_id": row.id, "role": row.role, "organisation_id": row.organisation_id })),
        at,
    )
}

/// Loads the shipped reference data that is missing (the trade catalogue), once per database.
pub fn ensure_reference_data(db: &Db, at: NaiveDateTime) -> Result<(), String> {
    db.write_blocking(|conn| {
        let added = store::trades::ensure_catalogue(conn, at)?;
        if added > 0 {
            record_as(
                conn,
                None,
                None,
                "trade.catalogue_load",
                ("trade", "catalogue"),
                None,
                Some(serde_json::json!({ "added": added })),
                at,
            )?;
            tracing::info!(added, "trade catalogue loaded");
        }
        Ok(())
    })
    .map_err(|e| e.detail)
}

/// Creates an admin account (username and password checked like any other).
pub fn create_admin(db: &Db, username: &str, password: &str, at: NaiveDateTime) -> Result<(), String> {
    let username = normalise_username(username).map_err(|v| format!("username: {}", v.message))?;
    check_password_policy(&username, password).map_err(|v| format!("password: {}", v.message))?;
    let hash = hash_password(password)?;
    db.write_blocking(|conn| {
        let user = insert_user(conn, &username, hash, None, None, at)?;
        grant(conn, &user.id, Role::Admin, None, at)
    })
    .map_err(|e| e.detail)
}

/// Creates the configured first admin when there is no admin yet; true if it did.
pub fn ensure_admin(db: &Db, username: &str, password: &str, at: NaiveDateTime) -> Result<bool, String> {
    let admins = db.read_blocking(|conn| Ok(store::users::count_admins(conn)?)).map_err(|e| e.detail)?;
    if admins > 0 {
        return Ok(false);
    }
    create_admin(db, username, password, at).map(|_| true)
}

/// A valid ID card number for demo people.
fn demo_id_number(region: &str, birth: &str, seq: u32) -> String {
    let first17 = format!("{region}{birth}{seq:03}");
    let mut digits = [0u32; 17];
    for (i, c) in first17.chars().enumerate() {
        digits[i] = c.to_digit(10).unwrap_or(0);
    }
    format!("{first17}{}", check_char(&digits))
}

struct Tree<'a> {
    conn: &'a mut DbConnection,
    at: NaiveDateTime,
}

impl Tree<'_> {
    fn add(
        &mut self,
        parent: Option<&OrganisationRow>,
        name: &str,
        kind: OrgKind,
        tier: Tier,
        region: &str,
    ) -> ApiResult<OrganisationRow> {
        let at = self.at;
        let id = new_id();
        let row = OrganisationRow {
            path: child_path(parent.map(|p| p.path.as_str()), &id),
            id,
            name: name.to_string(),
            short_name: None,
            kind: kind.as_str().into(),
            tier: tier.as_str().into(),
            parent_id: parent.map(|p| p.id.clone()),
            region_code: region.to_string(),
            version: 1,
            created_at: at,
            updated_at: at,
        };
        store::organisations::insert(self.conn, &row)?;
        record_as(
            self.conn,
            None,
            None,
            "organisation.create",
            ("organisation", &row.id),
            None,
            Some(serde_json::json!({ "name": row.name, "by": "seed-demo" })),
            at,
        )?;
        Ok(row)
    }
}

const PROVINCE_UNION: &str = "云南省总工会";
const ACCOUNTS_FILE: &str = "demo-accounts.txt";

/// Loads the demo province once; later runs print the accounts saved by the first. Its season is
/// dated from `at` (the server's clock), its days read in `zone`.
pub fn seed_demo(db: &Db, data_dir: &Path, at: NaiveDateTime, zone: Zone) -> Result<String, String> {
    let accounts_path = data_dir.join(ACCOUNTS_FILE);
    let seeded = db
        .read_blocking(|conn| {
            Ok(store::organisations::list(
                conn,
                &store::organisations::OrganisationFilter {
                    name_contains: Some(PROVINCE_UNION.into()),
                    limit: 1,
                    ..Default::default()
                },
            )?)
        })
        .map_err(|e| e.detail)?;
    if !seeded.is_empty() {
        let saved = std::fs::read_to_string(&accounts_path)
            .unwrap_or_else(|_| "(the account list of the first seeding is not in data/)\n".into());
        return Ok(format!("demo data already present.\n{saved}"));
    }
    let accounts = demo_accounts();
    // Hash before the transaction: argon2 is slow on purpose.
    let hashed: Vec<(DemoAccount, String, String)> = accounts
        .into_iter()
        .map(|a| {
            let password = format!("Yn-{}", random_token(9));
            hash_password(&password).map(|h| (a, password, h))
        })
        .collect::<Result<_, _>>()?;
    let listing = db.write_blocking(|conn| load_province(conn, &hashed, at, zone)).map_err(|e| e.detail)?;
    std::fs::create_dir_all(data_dir).map_err(|e| e.to_string())?;
    // Passwords: readable by whoever runs the server, no one else on the machine.
    crate::config::write_private_file(&accounts_path, &listing)
        .map_err(|e| format!("cannot save {}: {e}", accounts_path.display()))?;
    Ok(format!("demo province loaded.\n{listing}"))
}

struct DemoAccount {
    username: &'static str,
    role: Role,
    /// Name of the organisation the grant covers.
    scope: Option<&'static str>,
    what: &'static str,
    /// (full name, county region, birth yyyymmdd, sequence, ethnicity, occupation, level)
    person: Option<(&'static str, &'static str, &'static str, u32, &'static str, &'static str, i32)>,
}

/// The names the demo's staff are shown by (panels, lists, the audit trail).
fn staff_name(username: &str) -> Option<&'static str> {
    Some(match username {
        "admin" => "系统管理员",
        "org.yunnan" => "周晓梅",
        "org.kunming" => "陈立新",
        "org.wuhua" => "杨光明",
        "org.qujing" => "刘海燕",
        "org.factory" => "王建华",
        "official.union" => "赵文静",
        "official.hrss" => "孙志强",
        "official.kunming" => "李红梅",
        "official.wuhua" => "何丽",
        "official.km.hrss" => "张德明",
        "official.wh.hrss" => "罗春燕",
        "judge.zhang" => "张国栋",
        "judge.wang" => "王振华",
        "judge.yang" => "杨德胜",
        "judge.km.li" => "李建国",
        "judge.km.zhao" => "赵卫东",
        "judge.km.he" => "和志刚",
        "judge.km.sun" => "孙永平",
        "judge.km.zhou" => "周明",
        "judge.wuhua" => "段红军",
        "judge.wh.chen" => "陈国强",
        "judge.wh.liu" => "刘建平",
        "judge.wh.ma" => "马丽华",
        _ => return None,
    })
}

fn demo_accounts() -> Vec<DemoAccount> {
    let a = |username, role, scope, what| DemoAccount { username, role, scope, what, person: None };
    vec![
        a("admin", Role::Admin, None, "系统管理员 system administrator"),
        a("org.yunnan", Role::Organiser, Some(PROVINCE_UNION), "省总工会竞赛组织者 provincial organiser"),
        a("org.kunming", Role::Organiser, Some("昆明市总工会"), "昆明市总工会竞赛组织者 Kunming organiser"),
        a("org.wuhua", Role::Organiser, Some("五华区总工会"), "五华区总工会竞赛组织者 Wuhua county organiser"),
        a("org.qujing", Role::Organiser, Some("曲靖市总工会"), "曲靖市总工会竞赛组织者 Qujing organiser"),
        a("official.union", Role::Official, Some(PROVINCE_UNION), "省总工会认定官员 provincial union official"),
        a("official.hrss", Role::Official, Some("云南省人力资源和社会保障厅"), "省人社厅官员 provincial HRSS official"),
        a("official.kunming", Role::Official, Some("昆明市总工会"), "昆明市总工会官员 Kunming official"),
        a("judge.zhang", Role::Judge, Some(PROVINCE_UNION), "裁判 judge"),
        a("judge.wang", Role::Judge, Some(PROVINCE_UNION), "裁判 judge"),
        a("judge.yang", Role::Judge, Some(PROVINCE_UNION), "裁判 judge"),
        // A prefecture's own panel (its organisers appoint the judges of their subtree) and a
        // county's: a Kunming or Wuhua contest can be staffed without the province's judges.
        a("judge.km.li", Role::Judge, Some("昆明市总工会"), "昆明市裁判 Kunming judge"),
        a("judge.km.zhao", Role::Judge, Some("昆明市总工会"), "昆明市裁判 Kunming judge"),
        a("judge.km.he", Role::Judge, Some("昆明市总工会"), "昆明市裁判 Kunming judge"),
        a("judge.km.sun", Role::Judge, Some("昆明市总工会"), "昆明市裁判 Kunming judge"),
        a("judge.km.zhou", Role::Judge, Some("昆明市总工会"), "昆明市裁判 Kunming judge"),
        a("judge.wuhua", Role::Judge, Some("五华区总工会"), "五华区裁判 Wuhua judge"),
        a("judge.wh.chen", Role::Judge, Some("五华区总工会"), "五华区裁判 Wuhua judge"),
        a("judge.wh.liu", Role::Judge, Some("五华区总工会"), "五华区裁判 Wuhua judge"),
        a("judge.wh.ma", Role::Judge, Some("五华区总工会"), "五华区裁判 Wuhua judge"),
        a(
            "org.factory",
            Role::Organiser,
            Some("昆明示范机床制造有限公司"),
            "企业工会（推荐单位审核） enterprise unit organiser",
        ),
        a("official.wuhua", Role::Official, Some("五华区总工会"), "五华区总工会官员 Wuhua county official"),
        // Promotions (晋升) of a tier's contests are HRSS's to approve, each tier its own bureau.
        a(
            "official.km.hrss",
            Role::Official,
            Some("昆明市人力资源和社会保障局"),
            "昆明市人社局官员 Kunming HRSS official",
        ),
        a(
            "official.wh.hrss",
            Role::Official,
            Some("五华区人力资源和社会保障局"),
            "五华区人社局官员 Wuhua HRSS official",
        ),
        DemoAccount {
            person: Some(("李娜", "530102", "19920315", 124, "汉族", "车工", 3)),
            ..a("13800000001", Role::Contestant, None, "选手 contestant (五华区)")
        },
        DemoAccount {
            person: Some(("岩温香", "530112", "19950708", 213, "傣族", "焊工", 4)),
            ..a("13800000002", Role::Contestant, None, "选手 contestant (西山区)")
        },
        DemoAccount {
            person: Some(("阿苏·木呷", "530302", "19880921", 331, "彝族", "电工", 2)),
            ..a("13800000003", Role::Contestant, None, "选手 contestant (麒麟区)")
        },
    ]
}

fn load_province(
    conn: &mut DbConnection,
    accounts: &[(DemoAccount, String, String)],
    at: NaiveDateTime,
    zone: Zone,
) -> ApiResult<String> {
    let mut tree = Tree { conn, at };
    let national = tree.add(None, "中华全国总工会", OrgKind::Union, Tier::National, "100000")?;
    let province = tree.add(Some(&national), PROVINCE_UNION, OrgKind::Union, Tier::Province, "530000")?;
    let hrss = tree.add(Some(&national), "云南省人力资源和社会保障厅", OrgKind::Hrss, Tier::Province, "530000")?;
    let mut by_name = std::collections::HashMap::new();
    by_name.insert(PROVINCE_UNION.to_string(), province.clone());
    by_name.insert(hrss.name.clone(), hrss.clone());
    let regions = crate::domain::region::regions();
    let mut prefectures = std::collections::HashMap::new();
    for region in regions.iter().filter(|r| r.level == "prefecture") {
        let org = tree.add(
            Some(&province),
            &format!("{}总工会", region.name),
            OrgKind::Union,
            Tier::Prefecture,
            &region.code,
        )?;
        prefectures.insert(region.code.clone(), org.clone());
        by_name.insert(org.name.clone(), org);
    }
    for region in regions.iter().filter(|r| r.level == "county") {
        let parent = region
            .parent_code
            .as_ref()
            .and_then(|p| prefectures.get(p))
            .cloned()
            .ok_or_else(|| ApiError::internal(format!("county {} has no prefecture", region.code)))?;
        let org =
            tree.add(Some(&parent), &format!("{}总工会", region.name), OrgKind::Union, Tier::County, &region.code)?;
        by_name.insert(org.name.clone(), org);
    }
    let enterprises = [
        ("五华区总工会", "昆明示范机床制造有限公司", OrgKind::Enterprise, "530102"),
        ("西山区总工会", "滇池示范焊接工程有限公司", OrgKind::Enterprise, "530112"),
        ("麒麟区总工会", "曲靖示范电力检修有限公司", OrgKind::Enterprise, "530302"),
        ("昆明市总工会", "昆明示范技师学院", OrgKind::School, "530100"),
        (PROVINCE_UNION, "云南示范建设投资集团有限公司", OrgKind::Enterprise, "530100"),
    ];
    for (parent, name, kind, region) in enterprises {
        let parent = by_name.get(parent).cloned().ok_or_else(|| ApiError::internal(format!("no {parent}")))?;
        let org = tree.add(Some(&parent), name, kind, Tier::Enterprise, region)?;
        by_name.insert(org.name.clone(), org);
    }
    // The HRSS bureaus of the demo's prefecture and county, under the province's department.
    let kunming_hrss =
        tree.add(Some(&hrss), "昆明市人力资源和社会保障局", OrgKind::Hrss, Tier::Prefecture, "530100")?;
    let wuhua_hrss =
        tree.add(Some(&kunming_hrss), "五华区人力资源和社会保障局", OrgKind::Hrss, Tier::County, "530102")?;
    by_name.insert(kunming_hrss.name.clone(), kunming_hrss);
    by_name.insert(wuhua_hrss.name.clone(), wuhua_hrss);
    let conn = tree.conn;
    seed_competitions(conn, &by_name, at, zone)?;
    seed_plan_targets(conn, at)?;
    let mut listing = String::from("username              password          role        what\n");
    for (account, password, hash) in accounts {
        let person_id = match account.person {
            Some((name, region, birth, seq, ethnicity, occupation, level)) => {
                let employer =
                    by_name.values().find(|o| o.tier == "enterprise" && o.region_code == region).map(|o| o.id.clone());
                let id_number = demo_id_number(region, birth, seq);
                let card = crate::domain::id_card::parse_id_card(&id_number, zone.date_of(at))
                    .map_err(|e| ApiError::internal(e.message()))?;
                let person = PersonRow {
                    id: new_id(),
                    full_name: name.into(),
                    id_number,
                    gender: card.gender.as_str().into(),
                    birth_date: card.birth_date,
                    ethnicity: Some(ethnicity.into()),
                    phone: Some(account.username.into()),
                    education: Some("vocational_secondary".into()),
                    employer_org_id: employer,
                    occupation: Some(occupation.into()),
                    is_migrant_worker: seq % 2 == 1,
                    version: 1,
                    created_at: at,
                    updated_at: at,
                };
                store::persons::insert(conn, &person)?;
                record_as(
                    conn,
                    None,
                    None,
                    "person.create",
                    ("person", &person.id),
                    None,
                    Some(serde_json::json!({ "by": "seed-demo" })),
                    at,
                )?;
                store::persons::insert_credential(
                    conn,
                    &CredentialRow {
                        id: new_id(),
                        person_id: person.id.clone(),
                        occupation: occupation.into(),
                        level,
                        certificate_no: Some(format!("Y{}{:06}", &birth[..4], seq)),
                        issuer: Some("云南省职业技能鉴定中心".into()),
                        issued_on: chrono::NaiveDate::from_ymd_opt(2021, 6, 30).unwrap_or_default(),
                        source: "exam".into(),
                        created_at: at,
                        // The demo's people hold levels the province's records confirm.
                        status: crate::domain::person::CredentialStatus::Verified.as_str().into(),
                        recorded_by: None,
                        reviewed_by: None,
                        reviewed_at: Some(at),
                        rejection_reason: None,
                    },
                )?;
                Some(person.id)
            }
            None => None,
        };
        let user = insert_user(conn, account.username, hash.clone(), person_id, staff_name(account.username), at)?;
        let scope = match account.scope {
            Some(name) => {
                Some(by_name.get(name).map(|o| o.id.clone()).ok_or_else(|| ApiError::internal(format!("no {name}")))?)
            }
            None => None,
        };
        grant(conn, &user.id, account.role, scope.as_deref(), at)?;
        let _ = writeln!(
            listing,
            "{:<21} {:<17} {:<11} {}",
            account.username,
            password,
            account.role.as_str(),
            account.what
        );
    }
    Ok(listing)
}

/// The demo's competition calendar, relative to today so that it never goes stale: a fourth-quarter
/// season whose provincial final opens registration now.
struct Calendar {
    provincial_start: chrono::NaiveDate,
    opens: chrono::NaiveDateTime,
    /// When the seeding happens (the server's clock).
    at: NaiveDateTime,
    zone: Zone,
}

/// The year of the demo's current season: this year's, or next year's once this one's is over.
pub fn current_season_year(at: NaiveDateTime, zone: Zone) -> i32 {
    chrono::Datelike::year(&demo_calendar(at, zone).provincial_start)
}

fn demo_calendar(at: NaiveDateTime, zone: Zone) -> Calendar {
    use chrono::{Datelike, NaiveDate};
    let today = zone.date_of(at);
    let q4_start = |year: i32| NaiveDate::from_ymd_opt(year, 10, 15).unwrap_or(today);
    let soonest = today + chrono::Duration::days(24);
    let mut start = soonest.max(q4_start(today.year()));
    if start > NaiveDate::from_ymd_opt(today.year(), 12, 20).unwrap_or(start) {
        start = q4_start(today.year() + 1);
    }
    Calendar { provincial_start: start, opens: zone.start_of(today - chrono::Duration::days(10)), at, zone }
}

struct DemoCompetition<'a> {
    name: &'a str,
    category: crate::domain::competition::Category,
    tier: Tier,
    class: crate::domain::competition::CompetitionClass,
    host: &'a str,
    bodies: &'a [(&'a str, crate::domain::competition::BodyRole)],
    major_project: Option<&'a str>,
    /// Days before the provincial final's first day.
    days_before_final: i64,
    feeds_into: Option<String>,
    /// (trade name, track, qualifiers)
    trades: Vec<(&'a str, crate::domain::event::Track, i32)>,
}

fn seed_competitions(
    conn: &mut DbConnection,
    orgs: &std::collections::HashMap<String, OrganisationRow>,
    at: NaiveDateTime,
    zone: Zone,
) -> ApiResult<()> {
    use crate::domain::competition::{BodyRole, Category, CompetitionClass, Status};
    use crate::domain::event::Track;
    use chrono::Datelike;
    let calendar = demo_calendar(at, zone);
    let year = calendar.provincial_start.year();
    let all_trades = store::trades::list(conn, &store::trades::TradeFilter { limit: 500, ..Default::default() })?;
    let season_trades: Vec<(&str, Track, i32)> =
        all_trades.iter().take(56).map(|t| (t.name.as_str(), Track::Worker, 0)).collect();
    let provincial_name = format!("{year}年云南省职工职业技能大赛");
    let prefecture_name = format!("{year}年昆明市职工职业技能大赛");
    let county_name = format!("{year}年五华区职工职业技能竞赛");
    let enterprise_name = format!("{year}年昆明示范机床制造有限公司车工技能比武");
    let labour_name = format!("{year}年滇中引水工程劳动和技能竞赛");
    let college_name = format!("{year}年云南省职业院校技能大赛");
    let provincial = DemoCompetition {
        name: &provincial_name,
        category: Category::WorkersSkills,
        tier: Tier::Province,
        class: CompetitionClass::Provincial1,
        host: PROVINCE_UNION,
        bodies: &[("云南省人力资源和社会保障厅", BodyRole::CoHost), ("昆明示范技师学院", BodyRole::Undertaker)],
        major_project: None,
        days_before_final: 0,
        feeds_into: None,
        trades: season_trades,
    };
    let provincial_id = seed_competition(conn, orgs, &calendar, provincial)?;
    let mut feeds = provincial_id;
    for (name, tier, class, host, days) in [
        (prefecture_name.as_str(), Tier::Prefecture, CompetitionClass::District, "昆明市总工会", 6),
        (county_name.as_str(), Tier::County, CompetitionClass::District, "五华区总工会", 12),
        (enterprise_name.as_str(), Tier::Enterprise, CompetitionClass::Enterprise, "昆明示范机床制造有限公司", 18),
    ] {
        feeds = seed_competition(
            conn,
            orgs,
            &calendar,
            DemoCompetition {
                name,
                category: Category::WorkersSkills,
                tier,
                class,
                host,
                bodies: &[],
                major_project: None,
                days_before_final: days,
                feeds_into: Some(feeds),
                trades: vec![("车工", Track::Worker, 3)],
            },
        )?;
    }
    seed_competition(
        conn,
        orgs,
        &calendar,
        DemoCompetition {
            name: &labour_name,
            category: Category::Labour,
            tier: Tier::Province,
            class: CompetitionClass::Provincial2,
            host: PROVINCE_UNION,
            bodies: &[("云南示范建设投资集团有限公司", BodyRole::Undertaker)],
            major_project: Some("滇中引水工程"),
            days_before_final: -7,
            feeds_into: None,
            trades: vec![
                ("混凝土工", Track::Worker, 0),
                ("钢筋工", Track::Worker, 0),
                ("焊工", Track::Worker, 0),
                ("工程测量员", Track::Worker, 0),
            ],
        },
    )?;
    seed_competition(
        conn,
        orgs,
        &calendar,
        DemoCompetition {
            name: &college_name,
            category: Category::VocationalCollege,
            tier: Tier::Province,
            class: CompetitionClass::Provincial1,
            host: "云南省人力资源和社会保障厅",
            bodies: &[("昆明示范技师学院", BodyRole::Undertaker)],
            major_project: None,
            days_before_final: 10,
            feeds_into: None,
            trades: vec![
                ("工业机器人系统运维员", Track::Student, 0),
                ("电工", Track::Student, 0),
                ("网络与信息安全管理员", Track::Student, 0),
                ("电工", Track::Teacher, 0),
            ],
        },
    )?;
    let _ = Status::Draft;
    Ok(())
}

/// One demo competition, with its events ready (technical document and marking scheme), opened
/// for registration.
fn seed_competition(
    conn: &mut DbConnection,
    orgs: &std::collections::HashMap<String, OrganisationRow>,
    calendar: &Calendar,
    c: DemoCompetition,
) -> ApiResult<String> {
    use crate::domain::competition::Status;
    use crate::domain::event::{default_tie_breaks, EventMode, PrizeBands, Weights, DEFAULT_QUOTA_PER_ORGANISATION};
    use chrono::Datelike;
    use store::competitions::{BodyRow, CompetitionRow};
    use store::events::{DocumentRow, EventRow, SchemeRow, SessionRow};
    let org = |name: &str| orgs.get(name).cloned().ok_or_else(|| ApiError::internal(format!("no organisation {name}")));
    let host = org(c.host)?;
    let (at, zone) = (calendar.at, calendar.zone);
    let starts_on = calendar.provincial_start - chrono::Duration::days(c.days_before_final);
    // Registration closes at 18:00 three days before the first day, Beijing time.
    let closes = zone.to_utc((starts_on - chrono::Duration::days(3)).and_hms_opt(18, 0, 0).unwrap_or_default());
    let row = CompetitionRow {
        id: new_id(),
        name: c.name.to_string(),
        edition: None,
        year: starts_on.year(),
        category: c.category.as_str().into(),
        tier: c.tier.as_str().into(),
        class: c.class.as_str().into(),
        host_org_id: host.id.clone(),
        is_season: starts_on.month() >= 10,
        major_project: c.major_project.map(String::from),
        description: Some(format!("{}主办。", host.name)),
        starts_on,
        ends_on: starts_on + chrono::Duration::days(2),
        registration_opens_at: Some(calendar.opens),
        registration_closes_at: Some(closes),
        // The demo province's organisers agreed the season's chain, all but its first link: the
        // machine factory's contest still asks 五华区 to take its qualifiers.
        feeds_into_accepted_at: c.feeds_into.as_ref().filter(|_| c.tier != Tier::Enterprise).map(|_| at),
        feeds_into_id: c.feeds_into,
        recognised_tier: None,
        status: Status::RegistrationOpen.as_str().into(),
        status_reason: None,
        roster_publicity_days: crate::domain::competition::DEFAULT_ROSTER_PUBLICITY_DAYS,
        results_publicity_days: crate::domain::competition::RESULTS_PUBLICITY_WORKING_DAYS,
        version: 1,
        created_by: None,
        created_at: at,
        updated_at: at,
    };
    store::competitions::insert(conn, &row)?;
    let bodies = c
        .bodies
        .iter()
        .map(|(name, role)| {
            org(name).map(|o| BodyRow {
                id: new_id(),
                competition_id: row.id.clone(),
                organisation_id: o.id,
                role: role.as_str().into(),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    store::competitions::replace_bodies(conn, &row.id, &bodies)?;
    record_as(
        conn,
        None,
        None,
        "competition.create",
        ("competition", &row.id),
        None,
        Some(serde_json::json!({ "name": row.name, "by": "seed-demo" })),
        at,
    )?;
    let trades = store::trades::list(conn, &store::trades::TradeFilter { limit: 500, ..Default::default() })?;
    for (i, (trade_name, track, qualifiers)) in c.trades.iter().enumerate() {
        let trade = trades
            .iter()
            .find(|t| t.name == *trade_name)
            .ok_or_else(|| ApiError::internal(format!("no trade {trade_name}")))?;
        let name = match track {
            crate::domain::event::Track::Worker => trade.name.clone(),
            crate::domain::event::Track::Student => format!("{}（学生组）", trade.name),
            crate::domain::event::Track::Teacher => format!("{}（教师组）", trade.name),
        };
        let weights =
            if trade.category == "digital" { Weights { theory: 20, practical: 80 } } else { Weights::default() };
        let event = EventRow {
            id: new_id(),
            competition_id: row.id.clone(),
            trade_id: trade.id.clone(),
            name: name.clone(),
            mode: EventMode::Individual.as_str().into(),
            team_size: None,
            track: track.as_str().into(),
            standard_level: Some(3),
            theory_weight: weights.theory,
            practical_weight: weights.practical,
            quota_total: Some(if c.tier == Tier::Province { 80 } else { 30 }),
            quota_per_org: Some(DEFAULT_QUOTA_PER_ORGANISATION),
            min_age: Some(18),
            max_age: Some(if *track == crate::domain::event::Track::Student { 25 } else { 60 }),
            min_skill_level: None,
            region_code: None,
            qualifiers_count: *qualifiers,
            tie_breaks: serde_json::to_string(&default_tie_breaks()).unwrap_or_default(),
            prize_bands: serde_json::to_string(&PrizeBands::default()).unwrap_or_default(),
            award_rules: None,
            review_levels: 2,
            appeal_window_minutes: 120,
            appeal_window_working_days: None,
            team_scoring: None,
            prefecture_quotas: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        store::events::insert(conn, &event)?;
        // Theory in the morning of day one, practical modules after; events spread over the days.
        let day = starts_on + chrono::Duration::days((i % 3) as i64);
        let time = |h: u32| zone.to_utc(day.and_hms_opt(h, 0, 0).unwrap_or_default());
        for (kind, session_name, from, to) in [("theory", "理论知识考试", 9, 11), ("practical", "实操模块A", 13, 17)]
        {
            store::events::insert_session(
                conn,
                &SessionRow {
                    id: new_id(),
                    event_id: event.id.clone(),
                    kind: kind.into(),
                    name: session_name.into(),
                    venue: format!("{}实训基地", host.name),
                    starts_at: time(from),
                    ends_at: time(to),
                    created_at: at,
                },
            )?;
        }
        store::events::insert_document(conn, &DocumentRow {
            id: new_id(),
            event_id: event.id.clone(),
            version: 1,
            title: format!("{}{}赛项技术工作文件", row.name, name),
            body: format!(
                "# 一、竞赛内容\n理论知识考试占{}%，实际操作占{}%。\n\n# 二、竞赛方式\n个人赛。\n\n# 三、参赛资格\n年满18周岁的在岗职工。\n\n# 四、成绩评定\n按总成绩排序；总成绩相同时依次比较实操成绩、理论成绩、用时。",
                weights.theory, weights.practical
            ),
            attachments: "[]".into(),
            status: "published".into(),
            change_reason: None,
            published_at: Some(at),
            published_by: None,
            created_by: None,
            created_at: at,
            updated_at: at,
        })?;
        // A complete scheme (the template's: a theory paper, measured and judged practical work),
        // so that each demo event can be drawn and marked as it stands.
        let template = crate::service::schemes::template_scheme();
        store::events::save_scheme(
            conn,
            &SchemeRow {
                id: new_id(),
                event_id: event.id.clone(),
                title: format!("{name}评分标准"),
                sections: serde_json::to_string(&template.sections).unwrap_or_else(|_| "[]".into()),
                locked: false,
                version: 1,
                created_at: at,
                updated_at: at,
                spread_limit_centi: 100,
                drop_extremes: false,
            },
            false,
        )?;
        store::judging::replace_aspects(
            conn,
            &event.id,
            &crate::service::schemes::aspect_rows(&event.id, &template.sections),
        )?;
    }
    Ok(row.id)
}

/// The targets of Yunnan's plan for 2021–2025 (云南省产业工人队伍建设改革“十四五”规划, 专栏二):
/// ≥ 50 trades, ≥ 500 competitions and ≥ 100,000 contestants a year; 700 技术状元 and 4,000 技术能手
/// by 2025; ≥ 10 provincial labour competitions and 1,000,000 participations a year; the college
/// contest's provincial final with 7,500 finalists and 4,500 prizes a year.
fn seed_plan_targets(conn: &mut DbConnection, at: NaiveDateTime) -> ApiResult<()> {
    use crate::domain::plan::{PlanMetric::*, PlanPeriod::*};
    const PLAN: &str = "云南省产业工人队伍建设改革“十四五”规划";

    for (metric, period, target) in [
        (WorkersTrades, Annual, 50),
        (WorkersCompetitions, Annual, 500),
        (WorkersContestants, Annual, 100_000),
        (Champions, Cumulative, 700),
        (TechnicalExperts, Cumulative, 4_000),
        (ProvincialLabourCompetitions, Annual, 10),
        (LabourParticipants, Annual, 1_000_000),
        (CollegeFinalists, Annual, 7_500),
        (CollegePrizes, Annual, 4_500),
    ] {
        store::statistics::insert_target(
            conn,
            &store::statistics::TargetRow {
                id: new_id(),
                plan: PLAN.into(),
                region_code: "530000".into(),
                metric: metric.as_str().into(),
                period: period.as_str().into(),
                from_year: 2021,
                to_year: 2025,
                target,
                note: None,
                created_at: at,
                updated_at: at,
            },
        )?;
    }
    Ok(())
}
