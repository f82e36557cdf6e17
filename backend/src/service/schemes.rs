//! Marking schemes (评分标准): checking a scheme document and saving it with its aspects.

use chrono::NaiveDateTime;

use super::audit::record;
use super::load;
use crate::auth::Actor;
use crate::db::{Db, DbConnection};
use crate::domain::event::SessionKind;
use crate::domain::{keep, text, Violation};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::snapshot;
use crate::store::events::SchemeRow;
use crate::store::{self, new_id};
use crate::wire::schemes::{scheme_out, MarkingSchemeInput, MarkingSchemeOut, SchemeSection};

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
fn aspect_rows(event_id: &str, sections: &[SchemeSection]) -> Vec<store::judging::AspectRow> {
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
