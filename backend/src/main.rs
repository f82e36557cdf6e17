//! The `skillcomp` command: serve | migrate | seed-demo | openapi | audit-verify | create-admin.

use std::io::Read;
use std::process::ExitCode;

use skillcomp::config::{redact_url, Settings};
use skillcomp::db::Db;

const USAGE: &str = "usage: skillcomp [COMMAND]

commands:
  serve                  start the API (and the built SPA) — the default
  migrate                apply pending database migrations and exit
  seed-demo              load a demo province (Yunnan) with accounts for every role
  openapi                print the OpenAPI document
  audit-verify           check the audit trail's hash chain; exit 1 if it is broken
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
    let result = Settings::from_env().and_then(|settings| match command {
        "serve" => serve(settings),
        "migrate" => Db::open(&settings.database_url, 1)
            .and_then(|db| skillcomp::seed::ensure_reference_data(&db))
            .map(|_| println!("migrations and reference data applied to {}", redact_url(&settings.database_url))),
        "seed-demo" => seed_demo(settings),
        "audit-verify" => audit_verify(settings),
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
    skillcomp::seed::ensure_reference_data(&db)?;
    let report = skillcomp::seed::seed_demo(&db, std::path::Path::new("data"))?;
    println!("{report}");
    Ok(())
}

fn audit_verify(settings: Settings) -> Result<(), String> {
    let db = Db::open(&settings.database_url, 1)?;
    let result = db.read_blocking(skillcomp::store::audit::verify_chain).map_err(|e| e.to_string())?;
    match result {
        Ok(n) => {
            println!("audit chain intact: {n} records verified");
            Ok(())
        }
        Err(broken) => Err(format!("audit chain BROKEN: {broken}")),
    }
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
    skillcomp::seed::create_admin(&db, username, &password)?;
    println!("admin '{username}' created");
    Ok(())
}
