//! The competitions area on the wire.

use crate::domain::competition::{BodyRole, Category, CompetitionClass, Status};
use crate::domain::organisation::Tier;
use crate::wire::events::EventOut;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::double_option;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BodyOut {
    pub organisation_id: String,
    pub organisation_name: String,
    /// union, hrss, enterprise, school, industry_body.
    pub organisation_kind: String,
    pub role: BodyRole,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompetitionOut {
    pub id: String,
    #[schema(example = "2026年云南省职工职业技能大赛")]
    pub name: String,
    /// 第N届
    pub edition: Option<i32>,
    pub year: i32,
    pub category: Category,
    pub tier: Tier,
    pub class: CompetitionClass,
    pub host_org_id: String,
    pub host_org_name: String,
    /// Co-hosts, undertakers, co-organisers and supporters.
    pub bodies: Vec<BodyOut>,
    /// Part of the fourth-quarter competition season (竞赛季).
    pub is_season: bool,
    /// The named major project of a labour competition.
    pub major_project: Option<String>,
    pub description: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// The higher-tier competition its qualifiers go to.
    pub feeds_into_id: Option<String>,
    /// Whether that competition's organisers accepted the link: only then do qualifiers go on.
    pub feeds_into_accepted: bool,
    /// The tier that recognised it through an upgrade application (e.g. `national`: 全国引领性).
    pub recognised_tier: Option<Tier>,
    pub status: Status,
    /// The reason given with the last transition that needed one.
    pub status_reason: Option<String>,
    pub roster_publicity_days: i32,
    pub results_publicity_days: i32,
    /// Where the lifecycle can go from here.
    pub allowed_transitions: Vec<Status>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompetitionRef {
    pub id: String,
    pub name: String,
    pub year: i32,
    pub tier: Tier,
    pub status: Status,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UpgradeOut {
    pub id: String,
    pub competition_id: String,
    pub target_tier: Tier,
    pub reviewer_org_id: String,
    /// pending, approved or refused.
    pub status: String,
    pub statement: String,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompetitionDetail {
    #[serde(flatten)]
    pub competition: CompetitionOut,
    pub events: Vec<EventOut>,
    /// Upward: the competition this one feeds, the one that feeds, and so on to the top.
    pub feeds_into_chain: Vec<CompetitionRef>,
    /// Downward: the competitions whose qualifiers come here (links this competition's organisers
    /// accepted).
    pub fed_by: Vec<CompetitionRef>,
    /// Links waiting for this competition's organisers to accept or decline (for them only).
    pub feeder_requests: Vec<CompetitionRef>,
    /// Upgrade applications (for its organisers).
    pub upgrade_applications: Vec<UpgradeOut>,
    /// Whether the caller runs it (the host's organisers, admins); a unit reviewer does not.
    pub managed_by_me: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CompetitionPage {
    pub items: Vec<CompetitionOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyInput {
    pub organisation_id: String,
    pub role: BodyRole,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCompetition {
    #[schema(example = "2026年云南省职工职业技能大赛")]
    pub name: String,
    pub edition: Option<i32>,
    pub year: i32,
    pub category: Category,
    pub tier: Tier,
    pub class: CompetitionClass,
    /// 主办单位: the organisation whose organisers run it.
    pub host_org_id: String,
    #[serde(default)]
    pub bodies: Vec<BodyInput>,
    #[serde(default)]
    pub is_season: bool,
    pub major_project: Option<String>,
    pub description: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub feeds_into_id: Option<String>,
    /// Working days the roster is publicised (公示) before it is final; default 7, 0 for none.
    pub roster_publicity_days: Option<i32>,
    /// Working days results are publicised before they are final; default 5, 0 for none.
    pub results_publicity_days: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompetitionPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub edition: Option<Option<i32>>,
    pub year: Option<i32>,
    pub category: Option<Category>,
    pub tier: Option<Tier>,
    pub class: Option<CompetitionClass>,
    pub bodies: Option<Vec<BodyInput>>,
    pub is_season: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub major_project: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub registration_opens_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub registration_closes_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub feeds_into_id: Option<Option<String>>,
    pub roster_publicity_days: Option<i32>,
    pub results_publicity_days: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// The state to move to; the competition's `allowed_transitions` lists the candidates.
    pub to: Status,
    /// Required to cancel, and to close registration before its deadline.
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpgradeRequest {
    /// Why it deserves recognition one tier up (scale, results, standards met).
    pub statement: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeederDecision {
    /// true accepts the lower tier's link (its qualifiers will be entered here); false declines
    /// it, which removes the link.
    pub accept: bool,
    /// Required when declining.
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpgradeDecision {
    pub approve: bool,
    /// Required when refusing.
    pub reason: Option<String>,
}

impl CompetitionPatch {
    /// The fields that only change before registration opens.
    pub fn setup_fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        let mut note = |present: bool, name: &'static str| {
            if present {
                fields.push(name);
            }
        };
        note(self.name.is_some(), "name");
        note(self.edition.is_some(), "edition");
        note(self.year.is_some(), "year");
        note(self.category.is_some(), "category");
        note(self.tier.is_some(), "tier");
        note(self.class.is_some(), "class");
        note(self.bodies.is_some(), "bodies");
        note(self.is_season.is_some(), "is_season");
        note(self.major_project.is_some(), "major_project");
        note(self.starts_on.is_some(), "starts_on");
        note(self.ends_on.is_some(), "ends_on");
        note(self.registration_opens_at.is_some(), "registration_opens_at");
        note(self.roster_publicity_days.is_some(), "roster_publicity_days");
        note(self.results_publicity_days.is_some(), "results_publicity_days");
        fields
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompetitionQuery {
    pub year: Option<i32>,
    pub tier: Option<Tier>,
    pub category: Option<Category>,
    pub status: Option<Status>,
    /// Only the fourth-quarter competition season.
    pub season: Option<bool>,
    /// Host region (GB/T 2260): a province or prefecture code covers everything in it.
    pub region: Option<String>,
    /// Only competitions with an event of this trade (id).
    pub trade_id: Option<String>,
    /// Name contains.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UpgradeQuery {
    /// pending (default), approved or refused.
    pub status: Option<String>,
}
