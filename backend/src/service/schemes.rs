//! Marking schemes (评分标准): checking a scheme document and saving it with its aspects.

use chrono::NaiveDateTime;

use super::audit::record;
use super::load;
use crate::auth::Actor;
use crate::blocking::off_workers;
use crate::db::{Db, DbConnection};
use crate::domain::event::SessionKind;
use crate::domain::scoring::{AspectKind, AspectSpec, CriterionSpec};
use crate::domain::{keep, text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::service::spreadsheet::Upload;
use crate::store::audit::snapshot;
use crate::store::events::SchemeRow;
use crate::store::{self, new_id};
use crate::wire::schemes::{scheme_out, MarkingSchemeInput, MarkingSchemeOut, SchemeSection};
use std::future::Future;

/// Sets the marking scheme of an event the caller runs (checked first, before any read).
pub async fn set_marking_scheme(
    db: &Db,
    actor: Actor,
    event_id: String,
    input: MarkingSchemeInput,
    now: NaiveDateTime,
) -> ApiResult<MarkingSchemeOut> {
    check_scheme_input(&input)?;
    db.write(move |conn| save_marking_scheme(conn, &actor, &event_id, input, now)).await
}

/// The aspects of a scheme, coded `section.criterion.aspect` (e.g. `2.1.3`).
pub(crate) fn aspect_rows(event_id: &str, sections: &[SchemeSection]) -> Vec<store::judging::AspectRow> {
    let mut rows = Vec::new();
    for (si, section) in sections.iter().enumerate() {
        for (ci, criterion) in section.criteria.iter().enumerate() {
            for (ai, aspect) in criterion.aspects.iter().enumerate() {
                rows.push(store::judging::AspectRow {
                    id: new_id(),
                    event_id: event_id.to_string(),
                    section_index: si as i32,
                    section_kind: section.kind.as_str().into(),
                    code: format!("{}.{}.{}", si + 1, ci + 1, ai + 1),
                    criterion: criterion.name.trim().to_string(),
                    description: aspect.description.trim().to_string(),
                    kind: aspect.kind.as_str().into(),
                    max_centi: crate::domain::scoring::to_centi(aspect.max).unwrap_or(0),
                    position: rows.len() as i32,
                });
            }
        }
    }
    rows
}

/// Every rule a scheme document breaks, before anything is read or written.
pub fn check_scheme_input(input: &MarkingSchemeInput) -> ApiResult<()> {
    let mut violations = Vec::new();
    keep(&mut violations, text::required("title", &input.title, 200));
    if input.sections.is_empty() || input.sections.len() > 30 {
        violations.push(Violation::new("sections", "out_of_range", "1 to 30 sections"));
    }
    let detailed = input.sections.iter().any(|s| !s.criteria.is_empty());
    for (i, section) in input.sections.iter().enumerate() {
        keep(&mut violations, text::required(&format!("sections[{i}].name"), &section.name, 100));
        if detailed {
            violations.extend(crate::domain::scoring::check_section(
                &format!("sections[{i}]"),
                section.name.trim(),
                &section.criteria,
            ));
        }
        if input.sections[..i].iter().any(|s| s.name.trim() == section.name.trim()) {
            violations.push(Violation::new(
                &format!("sections[{i}].name"),
                "duplicate_section",
                "each section has its own name",
            ));
        }
    }
    let kinds_and_weights: Vec<(bool, Option<i32>)> =
        input.sections.iter().map(|s| (s.kind == SessionKind::Theory, s.weight)).collect();
    violations.extend(crate::domain::scoring::check_module_weights(&kinds_and_weights));
    if spread_limit_centi(input).is_none() {
        violations.push(Violation::new("judgement_spread_limit", "out_of_range", "0 to 3 points"));
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(violations))
    }
}

fn spread_limit_centi(input: &MarkingSchemeInput) -> Option<i32> {
    let limit = input.judgement_spread_limit.unwrap_or(crate::domain::scoring::DEFAULT_SPREAD_LIMIT);
    crate::domain::scoring::to_centi(limit).filter(|c| (0..=300).contains(c))
}

/// Saves a checked scheme for an event the caller runs, rebuilding its aspects.
pub fn save_marking_scheme(
    conn: &mut DbConnection,
    actor: &Actor,
    event_id: &str,
    input: MarkingSchemeInput,
    now: chrono::NaiveDateTime,
) -> ApiResult<MarkingSchemeOut> {
    let ((event, _, _), (competition, _, _)) = load::managed_event(conn, actor, event_id)?;
    let existing = store::events::scheme_of(conn, event_id)?;
    if store::judging::count_marks(conn, event_id)? > 0 {
        return Err(ApiError::conflict("scheme_locked", "marks have been entered against this scheme"));
    }
    if existing.as_ref().is_some_and(|s| s.locked) || !competition.status()?.is_before_running() {
        return Err(ApiError::conflict("scheme_locked", "the marking scheme is locked once the competition runs"));
    }
    let has = |kind: SessionKind| input.sections.iter().any(|s| s.kind == kind);
    if event.theory_weight > 0 && !has(SessionKind::Theory) {
        return Err(ApiError::field(
            "sections",
            "missing_theory_section",
            "the event weighs theory, so the scheme needs a theory section",
        ));
    }
    if event.practical_weight > 0 && !has(SessionKind::Practical) {
        return Err(ApiError::field(
            "sections",
            "missing_practical_section",
            "the event weighs practical work, so the scheme needs a practical section",
        ));
    }
    let at = now;
    let row = SchemeRow {
        id: existing.as_ref().map(|s| s.id.clone()).unwrap_or_else(new_id),
        event_id: event_id.to_string(),
        title: input.title.trim().to_string(),
        sections: serde_json::to_string(&input.sections).unwrap_or_else(|_| "[]".into()),
        locked: false,
        version: existing.as_ref().map(|s| s.version + 1).unwrap_or(1),
        created_at: existing.as_ref().map(|s| s.created_at).unwrap_or(at),
        updated_at: at,
        spread_limit_centi: spread_limit_centi(&input).unwrap_or(100),
        drop_extremes: input.drop_extremes.unwrap_or(false),
    };
    store::events::save_scheme(conn, &row, existing.is_some())?;
    store::judging::replace_aspects(conn, event_id, &aspect_rows(event_id, &input.sections))?;
    let out = scheme_out(row);
    record(
        conn,
        actor,
        "event.marking_scheme",
        ("event", event_id),
        existing.map(scheme_out).as_ref().and_then(snapshot),
        snapshot(&out),
    )?;
    Ok(out)
}

/// The first six columns are required; 模块权重 (a module's weight in per cent) is written on
/// every row of a weighted module and read from the first row that has it.
const HEADERS: [&str; 12] =
    ["模块", "类型", "评分项", "评分要素", "类别", "分值", "标准", "0分", "1分", "2分", "3分", "模块权重"];

fn kind_label(kind: AspectKind) -> &'static str {
    match kind {
        AspectKind::Measurement => "测量",
        AspectKind::Judgement => "评价",
        AspectKind::Deduction => "扣分",
    }
}

fn parse_kind(label: &str) -> Option<AspectKind> {
    match label.trim() {
        "测量" | "measurement" => Some(AspectKind::Measurement),
        "评价" | "judgement" => Some(AspectKind::Judgement),
        "扣分" | "deduction" => Some(AspectKind::Deduction),
        _ => None,
    }
}

fn parse_section_kind(label: &str) -> Option<SessionKind> {
    match label.trim() {
        "理论" | "theory" => Some(SessionKind::Theory),
        "实操" | "practical" => Some(SessionKind::Practical),
        _ => None,
    }
}

/// The scheme document from a sheet's rows (headers first), or every row's problem.
pub fn scheme_from_rows(title: &str, rows: &[Vec<String>]) -> ApiResult<MarkingSchemeInput> {
    let Some((headers, rows)) = rows.split_first() else {
        return Err(ApiError::bad_request("empty_file", "the sheet has no rows"));
    };
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let cols: Vec<Option<usize>> = HEADERS.iter().map(|h| col(h)).collect();
    if cols[..6].iter().any(Option::is_none) {
        return Err(ApiError::bad_request(
            "missing_columns",
            format!("the first row must name the columns {}", HEADERS[..6].join(", ")),
        ));
    }
    let mut sections: Vec<SchemeSection> = Vec::new();
    let mut violations = Vec::new();
    for (i, cells) in rows.iter().enumerate() {
        let row = i + 2;
        let cell = |c: usize| cols[c].and_then(|c| cells.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
        let (section, section_kind, criterion, description, kind, max) =
            (cell(0), cell(1), cell(2), cell(3), cell(4), cell(5));
        let Some(section_kind) = parse_section_kind(&section_kind) else {
            violations.push(Violation::new(&format!("row {row}.类型"), "invalid_value", "理论 or 实操"));
            continue;
        };
        let Some(kind) = parse_kind(&kind) else {
            violations.push(Violation::new(&format!("row {row}.类别"), "invalid_value", "测量, 评价 or 扣分"));
            continue;
        };
        let Ok(max) = max.parse::<f64>() else {
            violations.push(Violation::new(&format!("row {row}.分值"), "invalid_number", "a number of marks"));
            continue;
        };
        let descriptors: Vec<String> =
            if kind == AspectKind::Judgement { (7..11).map(cell).collect() } else { Vec::new() };
        let aspect =
            AspectSpec { description, kind, max, tolerance: Some(cell(6)).filter(|t| !t.is_empty()), descriptors };
        let weight = match cell(11) {
            w if w.is_empty() => None,
            w => match w.trim_end_matches('%').parse::<i32>() {
                Ok(w) => Some(w),
                Err(_) => {
                    violations.push(Violation::new(
                        &format!("row {row}.模块权重"),
                        "invalid_number",
                        "a whole per cent",
                    ));
                    continue;
                }
            },
        };
        let position = match sections.iter().position(|s| s.name == section) {
            Some(p) => p,
            None => {
                sections.push(SchemeSection {
                    name: section.clone(),
                    kind: section_kind,
                    criteria: Vec::new(),
                    weight: None,
                });
                sections.len() - 1
            }
        };
        let target = &mut sections[position];
        target.weight = target.weight.or(weight);
        match target.criteria.iter_mut().find(|c| c.name == criterion) {
            Some(c) => c.aspects.push(aspect),
            None => target.criteria.push(CriterionSpec { name: criterion, aspects: vec![aspect] }),
        }
    }
    if !violations.is_empty() {
        return Err(ApiError::validation(violations));
    }
    Ok(MarkingSchemeInput { title: title.to_string(), judgement_spread_limit: None, drop_extremes: None, sections })
}

/// The scheme as a workbook in the same layout.
pub fn scheme_workbook(scheme: &MarkingSchemeOut) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| ApiError::internal(format!("workbook: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("评分标准").map_err(failed)?;
    let bold = Format::new().set_bold();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(failed)?;
    }
    let mut r = 1u32;
    for section in &scheme.sections {
        for criterion in &section.criteria {
            for a in &criterion.aspects {
                let kind = if section.kind == SessionKind::Theory { "理论" } else { "实操" };
                let texts =
                    [section.name.as_str(), kind, criterion.name.as_str(), a.description.as_str(), kind_label(a.kind)];
                for (c, t) in texts.iter().enumerate() {
                    sheet.write_string(r, c as u16, *t).map_err(failed)?;
                }
                sheet.write_number(r, 5, a.max).map_err(failed)?;
                sheet.write_string(r, 6, a.tolerance.as_deref().unwrap_or("")).map_err(failed)?;
                for (i, d) in a.descriptors.iter().enumerate().take(4) {
                    sheet.write_string(r, (7 + i) as u16, d).map_err(failed)?;
                }
                if let Some(weight) = section.weight {
                    sheet.write_number(r, 11, weight as f64).map_err(failed)?;
                }
                r += 1;
            }
        }
    }
    for (c, width) in [16.0, 6.0, 14.0, 30.0, 6.0, 6.0, 20.0, 14.0, 14.0, 14.0, 14.0, 8.0].iter().enumerate() {
        sheet.set_column_width(c as u16, *width).map_err(failed)?;
    }
    workbook.save_to_buffer().map_err(failed)
}

/// A filled-in example of the layout for organisers to start from: a theory paper and two weighted
/// practical modules with one aspect of each kind. Importing it unchanged gives a valid scheme.
pub fn template_scheme() -> MarkingSchemeOut {
    let aspect = |description: &str, kind: AspectKind, max: f64, tolerance: Option<&str>| AspectSpec {
        description: description.into(),
        kind,
        max,
        tolerance: tolerance.map(Into::into),
        descriptors: if kind == AspectKind::Judgement {
            ["不合格", "合格", "良好", "优秀"].map(String::from).to_vec()
        } else {
            Vec::new()
        },
    };
    let criterion = |name: &str, aspects: Vec<AspectSpec>| CriterionSpec { name: name.into(), aspects };
    let section = |name: &str, kind: SessionKind, weight: Option<i32>, criteria: Vec<CriterionSpec>| SchemeSection {
        name: name.into(),
        kind,
        weight,
        criteria,
    };
    MarkingSchemeOut {
        title: "评分标准（模板）".into(),
        judgement_spread_limit: crate::domain::scoring::DEFAULT_SPREAD_LIMIT,
        drop_extremes: false,
        locked: false,
        version: 0,
        sections: vec![
            section(
                "理论知识",
                SessionKind::Theory,
                None,
                vec![criterion("理论试卷", vec![aspect("理论知识试卷", AspectKind::Measurement, 100.0, None)])],
            ),
            section(
                "实操模块A：零件加工",
                SessionKind::Practical,
                Some(60),
                vec![
                    criterion(
                        "尺寸精度",
                        vec![aspect("外圆 Φ40±0.02", AspectKind::Measurement, 70.0, Some("±0.02 mm 满分，超差不得分"))],
                    ),
                    criterion("工艺与表面", vec![aspect("表面质量", AspectKind::Judgement, 30.0, None)]),
                ],
            ),
            section(
                "实操模块B：安全文明生产",
                SessionKind::Practical,
                Some(40),
                vec![criterion(
                    "职业素养",
                    vec![
                        aspect("现场整理与工量具摆放", AspectKind::Measurement, 100.0, None),
                        aspect("违反安全操作规程", AspectKind::Deduction, 10.0, Some("每次扣 5 分")),
                    ],
                )],
            ),
        ],
    }
}

/// The template as a workbook.
pub async fn template_workbook() -> ApiResult<Vec<u8>> {
    off_workers(|| scheme_workbook(&template_scheme())).await
}

pub fn load_scheme(
    conn: &mut crate::db::DbConnection,
    actor: Option<&Actor>,
    event_id: &str,
) -> ApiResult<MarkingSchemeOut> {
    load::event(conn, actor, event_id)?;
    store::events::scheme_of(conn, event_id)?.map(scheme_out).ok_or_else(|| ApiError::not_found("marking scheme"))
}

/// The event's marking scheme as JSON (the same document `set_marking_scheme` takes).
pub async fn get_scheme(db: &Db, actor: Option<Actor>, event_id: String) -> ApiResult<MarkingSchemeOut> {
    db.read(move |conn| load_scheme(conn, actor.as_ref(), &event_id)).await
}

/// The event's marking scheme as a workbook, one row per aspect.
pub async fn export_scheme(db: &Db, actor: Option<Actor>, event_id: String) -> ApiResult<Vec<u8>> {
    let scheme = get_scheme(db, actor, event_id).await?;
    off_workers(move || scheme_workbook(&scheme)).await
}

/// The most aspects (rows) a scheme file holds.
pub const MAX_SCHEME_ROWS: usize = 1000;

/// Replaces the event's marking scheme from a workbook (or .csv) in the export's layout; every
/// rule is checked as for the JSON document, and a bad row is named by its number.
pub async fn import_scheme(
    db: &Db,
    actor: Actor,
    event_id: String,
    title: String,
    file: Upload<impl Future<Output = ApiResult<Vec<u8>>>>,
    now: NaiveDateTime,
) -> ApiResult<MarkingSchemeOut> {
    // The event's organisers only, before a byte of the file is read.
    let (a, e) = (actor.clone(), event_id.clone());
    db.read(move |conn| load::managed_event(conn, &a, &e).map(|_| ())).await?;
    let rows = file.table(MAX_SCHEME_ROWS + 1).await?;
    let input = scheme_from_rows(&title, &rows)?;
    set_marking_scheme(db, actor, event_id, input, now).await
}
