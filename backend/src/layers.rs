//! The layers of DESIGN §1, read from the source as Cargo would enforce them between crates:
//! `api → service → {domain, store, auth}`, `store → {db, domain}`, `domain →` nothing of the
//! crate; the wire types (`wire/`) sit under both `api` and `service` and import neither.
//! One crate cannot stop a wrong import at compile time, so this test does.
//!
//! `STILL_TO_MOVE` would list exceptions while code moves; it is a ratchet: a new violation
//! fails, and so does an entry that no longer happens (strike it off), so the list can only
//! shrink. It is empty.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Today's exceptions, each `file: what` (none left: keep it so).
const STILL_TO_MOVE: &[&str] = &[];

/// What opens a transaction or works on a connection: none of it belongs in `api/`, which hands
/// `&state.db` to one service function.
const DATABASE_WORK: &[&str] = &[".write(", ".read(", ".transaction", "DbConnection", "|conn"];

/// The HTTP layer's module.
const API: &str = "api";

/// The api areas (one file each, besides `mod.rs`).
fn api_areas(src: &Path) -> BTreeSet<String> {
    std::fs::read_dir(src.join("api"))
        .expect("api/")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".rs")).map(String::from))
        .filter(|n| n != "mod")
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder").filter_map(|e| e.ok()) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments (doc comments talk about other layers freely).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The crate-level modules a file names: `crate::x`, and `use crate::{x, y}` groups.
fn crate_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            found.insert(name);
        }
    }
    found
}

fn violations(src: &Path) -> BTreeSet<String> {
    let areas = api_areas(src);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut found = BTreeSet::new();
    for path in files {
        let name = path.strip_prefix(src).expect("under src").to_string_lossy().replace('\\', "/");
        if name == "layers.rs" {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&path).expect("readable source"));
        let modules = crate_modules(&code);
        let layer = name.split('/').next().unwrap_or_default().trim_end_matches(".rs").to_string();
        let mut flag = |what: String| {
            found.insert(format!("{name}: {what}"));
        };
        match layer.as_str() {
            "domain" => {
                for m in modules.iter().filter(|m| !matches!(m.as_str(), "domain" | "string_enum")) {
                    flag(format!("imports crate::{m}"));
                }
            }
            "store" => {
                for m in modules.iter().filter(|m| matches!(m.as_str(), "auth" | "error" | "service" | "api")) {
                    flag(format!("imports crate::{m}"));
                }
            }
            "wire" => {
                for m in modules.iter().filter(|m| m.as_str() == "service") {
                    flag(format!("imports crate::{m}"));
                }
                if code.contains("actix") {
                    flag("uses actix".into());
                }
            }
            "service" => {
                if code.contains("actix") {
                    flag("uses actix".into());
                }
            }
            "api" => {
                let own = name.trim_start_matches("api/").trim_end_matches(".rs").to_string();
                for other in areas.iter().filter(|a| **a != own) {
                    let through_crate = format!("crate::{API}::{other}::");
                    if code.contains(&format!("super::{other}::")) || code.contains(&through_crate) {
                        flag(format!("imports api::{other}"));
                    }
                }
            }
            _ => {}
        }
        if layer != API && modules.contains(API) {
            flag(format!("imports crate::{API}"));
        }
    }
    found
}

#[test]
fn imports_run_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    let allowed: BTreeSet<String> = STILL_TO_MOVE.iter().map(|s| s.to_string()).collect();
    let new: Vec<&String> = found.difference(&allowed).collect();
    let gone: Vec<&String> = allowed.difference(&found).collect();
    assert!(new.is_empty(), "imports against the layers (DESIGN §1):\n  {}", join(&new));
    assert!(gone.is_empty(), "these no longer happen — strike them off STILL_TO_MOVE:\n  {}", join(&gone));
}

#[test]
fn no_transaction_is_opened_in_api() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for f in &files {
        let code = code_of(&std::fs::read_to_string(f).expect("readable source"));
        for (n, line) in code.lines().enumerate() {
            if let Some(what) = DATABASE_WORK.iter().find(|w| line.contains(**w)) {
                found.push(format!("{}:{}: {what}", f.strip_prefix(&src).unwrap_or(f).display(), n + 1));
            }
        }
    }
    let found: Vec<&String> = found.iter().collect();
    assert!(found.is_empty(), "database work in api/ (open it in a service function):\n  {}", join(&found));
}

fn join(items: &[&String]) -> String {
    items.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
}

#[test]
fn the_reader_sees_imports_in_groups_and_paths_and_ignores_comments() {
    let code =
        code_of("use crate::{db::DbConnection, error::ApiError};\nlet x = crate::store::find(); // crate::seed\n");
    let modules = crate_modules(&code);
    assert_eq!(modules.into_iter().collect::<Vec<_>>(), ["db", "error", "store"]);
}
