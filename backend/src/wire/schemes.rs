//! Marking schemes (评分标准) on the wire.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::event::SessionKind;
use crate::store::events::SchemeRow;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MarkingSchemeOut {
    pub title: String,
    pub sections: Vec<SchemeSection>,
    /// Judges of a judgement aspect further apart than this are flagged (default 1).
    pub judgement_spread_limit: f64,
    /// With five or more judges, drop the highest and lowest judgement score.
    pub drop_extremes: bool,
    /// Locked when the competition starts.
    pub locked: bool,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemeSection {
    #[schema(example = "实操模块A：零件加工")]
    pub name: String,
    pub kind: SessionKind,
    /// Criteria and their aspects. Leave empty for an outline; once any section has criteria,
    /// every section needs them and totals 100.
    #[serde(default)]
    pub criteria: Vec<crate::domain::scoring::CriterionSpec>,
    /// The module's weight in per cent among the sections of its kind (e.g. 模块A 60, 模块B 40).
    /// All of a kind's sections have one or none do (then they count equally); they add up to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100)]
    pub weight: Option<i32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkingSchemeInput {
    pub title: String,
    /// Default 1 point.
    pub judgement_spread_limit: Option<f64>,
    /// Default false.
    pub drop_extremes: Option<bool>,
    /// The sections: the theory paper and the practical modules (criteria and aspects come with judging).
    pub sections: Vec<SchemeSection>,
}

pub fn scheme_out(row: SchemeRow) -> MarkingSchemeOut {
    MarkingSchemeOut {
        title: row.title,
        sections: serde_json::from_str(&row.sections).unwrap_or_default(),
        judgement_spread_limit: crate::domain::scoring::from_centi(row.spread_limit_centi),
        drop_extremes: row.drop_extremes,
        locked: row.locked,
        version: row.version,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportSchemeQuery {
    /// The scheme's title.
    pub title: String,
}
