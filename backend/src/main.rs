//! The `skillcomp` command: serve | migrate | seed-demo | seed-history | openapi | audit-verify | create-admin.

use std::io::Read;
use std::process::ExitCode;

use skillcomp::config::{redact_url, Settings};
use skillcomp::db::Db;

const USAGE: &str = "usage: skillcomp [COMMAND]

commands:
  serve                  start the API (and the built SPA) — the default
  migrate                apply pending database migrations and exit
  seed-demo              load a demo province (Yunnan) with accounts for every role, and its
                         past five seasons for the dashboard (SKILLCOMP_DEMO_HISTORY contestants
                         a year, default 100000; 0 for none)
  seed-history [N]       add the past five seasons with N workers' contestants a year
  openapi                print the OpenAPI document
  audit-verify [--anchor LINE]
                         check the audit trail's hash chain (sealed with SKILLCOMP_AUDIT_KEY);
                         with an anchor printed earlier, also that the past was not rewritten
                         since; exit 1 if it is broken
  audit-anchor           print a signed anchor of the chain's head, to keep outside the system
  create-admin USERNAME  create an admin account; the password is read from
                         SKILLCOMP_ADMIN_PASSWORD or from standard input

configuration comes from the environment (see README.md): DATABASE_URL, SKILLCOMP_BIND, …";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str).unwrap_or("serve");
    if command == "openapi" {
        print!("{}", skillcomp::openapi_json());
        return ExitCode::SUCCESS;
    }
    if matches!(command, "-h" | "--help" | "help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    skillcomp::init_tracing();
    let result = Settings::from_env().and_then(|settings| {
        settings.install_audit_key();
        Ok(settings)
    });
    let result = result.and_then(|settings| match command {
        "serve" => serve(settings),
        "migrate" => Db::open(&settings.database_url, 1)
            .and_then(|db| skillcomp::seed::ensure_reference_data(&db, settings.clock.now()))
            .map(|_| println!("migrations and reference data applied to {}", redact_url(&settings.database_url))),
        "seed-demo" => seed_demo(settings),
        "seed-history" => match args.get(1).map(|n| n.parse::<usize>()) {
            Some(Ok(n)) => seed_history(&settings, n),
            None => seed_history(&settings, 100_000),
            Some(Err(_)) => Err(format!("seed-history N: N is a number of contestants a year\n\n{USAGE}")),
        },
        "audit-verify" => audit_verify(settings, anchor_argument(&args)?),
        "audit-anchor" => audit_anchor(settings),
        "create-admin" => create_admin(settings, args.get(1)),
        other => Err(format!("unknown command '{other}'\n\n{USAGE}")),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("skillcomp: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: Settings) -> Result<(), String> {
    tracing::info!(?settings, "starting");
    let bind = settings.bind.clone();
    let state = skillcomp::prepare_state(settings)?;
    actix_web::rt::System::new().block_on(async move {
        let (server, addrs) = skillcomp::build_server(state).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        for addr in addrs {
            tracing::info!("listening on http://{addr}");
        }
        server.await.map_err(|e| format!("server failed: {e}"))
    })
}

fn seed_demo(settings: Settings) -> Result<(), String> {
    let db = Db::open(&settings.database_url, 2)?;
    let at = settings.clock.now();
    skillcomp::seed::ensure_reference_data(&db, at)?;
    let report = skillcomp::seed::seed_demo(&db, std::path::Path::new("data"), at, settings.timezone)?;
    println!("{report}");
    let per_year = match std::env::var("SKILLCOMP_DEMO_HISTORY") {
        Ok(v) => v.trim().parse().map_err(|_| format!("SKILLCOMP_DEMO_HISTORY='{v}' is not a number"))?,
        Err(_) => 100_000,
    };
    match per_year {
        0 => Ok(()),
        n => match seed_history(&settings, n) {
            Err(e) if e == "history already present" => Ok(()),
            other => other,
        },
    }
}

/// The five seasons before the demo's current one, in bulk: in December, once this year's season
/// is over, it is history too (up to today).
fn seed_history(settings: &Settings, workers_per_year: usize) -> Result<(), String> {
    let db = Db::open(&settings.database_url, 2)?;
    let at = settings.clock.now();
    let current = skillcomp::seed::current_season_year(at, settings.timezone);
    let scale = skillcomp::seed::history::HistoryScale {
        first_year: current - 5,
        last_year: current - 1,
        workers_per_year,
        until: Some(settings.timezone.date_of(at) - chrono::Duration::days(3)),
    };
    println!(
        "generating {}–{} with {workers_per_year} workers' contestants a year …",
        scale.first_year, scale.last_year
    );
    let s = skillcomp::seed::history::generate_history(&db, scale, at)?;
    println!(
        "history: {} competitions, {} events, {} people, {} registrations with results, {} awards in {:.1} s",
        s.competitions, s.events, s.persons, s.registrations, s.awards, s.seconds
    );
    Ok(())
}

/// `--anchor LINE` after `audit-verify`, if given.
fn anchor_argument(args: &[String]) -> Result<Option<String>, String> {
    match args.get(1).map(String::as_str) {
        None => Ok(None),
        Some("--anchor") => args.get(2).cloned().map(Some).ok_or_else(|| "--anchor needs the anchor line".into()),
        Some(other) => Err(format!("audit-verify: unexpected '{other}'\n\n{USAGE}")),
    }
}

fn audit_verify(settings: Settings, anchor: Option<String>) -> Result<(), String> {
    let db = Db::open(&settings.database_url, 1)?;
    let result =
        db.read_blocking(|conn| Ok(skillcomp::store::audit::verify_chain(conn)?)).map_err(|e| e.to_string())?;
    let n = result.map_err(|broken| format!("audit chain BROKEN: {broken}"))?;
    if let Some(anchor) = anchor {
        let held = db
            .read_blocking(move |conn| Ok(skillcomp::store::audit::matches_anchor(conn, &anchor)?))
            .map_err(|e| e.to_string())?
            .map_err(|why| format!("audit anchor refused: {why}"))?;
        if !held {
            return Err("audit chain BROKEN: the anchored record is gone or altered: the trail was rewritten after the anchor was taken".into());
        }
        println!("audit chain intact: {n} records verified, and the anchor holds");
    } else {
        println!("audit chain intact: {n} records verified");
    }
    Ok(())
}

fn audit_anchor(settings: Settings) -> Result<(), String> {
    let db = Db::open(&settings.database_url, 1)?;
    let line = db.read_blocking(|conn| Ok(skillcomp::store::audit::anchor(conn)?)).map_err(|e| e.to_string())?;
    println!("{line}");
    Ok(())
}

fn create_admin(settings: Settings, username: Option<&String>) -> Result<(), String> {
    let username = username.ok_or("create-admin needs a USERNAME")?;
    let password = match std::env::var("SKILLCOMP_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input).map_err(|e| format!("cannot read the password: {e}"))?;
            input.lines().next().unwrap_or_default().to_string()
        }
    };
    let db = Db::open(&settings.database_url, 1)?;
    skillcomp::seed::create_admin(&db, username, &password, settings.clock.now())?;
    println!("admin '{username}' created");
    Ok(())
}
