//! The results area on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultEntry {
    pub rank: i32,
    pub station_number: i32,
    pub registration_id: String,
    pub full_name: String,
    /// Masked on public results.
    pub id_number: String,
    pub nominating_org_name: String,
    /// Team events: the team's name and its competing team-mates beside the captain
    /// (`full_name`), in the order they were named.
    pub team_name: Option<String>,
    pub team_members: Vec<String>,
    pub theory: f64,
    pub practical: f64,
    pub total: f64,
    /// On the WorldSkills scale (median 700), when asked for.
    pub standardised: Option<i32>,
    /// Medallion for Excellence: 700 or more on that scale.
    pub medallion_for_excellence: bool,
    /// broken, shared, decision_required or decided, when totals were equal.
    pub tie_note: Option<String>,
    /// The key that separated equal totals.
    pub tie_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultSetOut {
    #[serde(flatten)]
    pub summary: ResultSetSummary,
    /// How many entries the whole set has (a page may show fewer).
    pub entry_count: usize,
    pub entries: Vec<ResultEntry>,
    /// Contestants disqualified (取消资格) when these results were computed: left out of the
    /// ranking, so those behind them moved up.
    pub disqualified: Vec<DisqualifiedEntry>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisqualifiedEntry {
    pub station_number: i32,
    pub registration_id: String,
    pub full_name: String,
    pub nominating_org_name: String,
    pub ground: crate::domain::disqualification::Ground,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultSetSummary {
    pub id: String,
    pub event_id: String,
    pub version: i32,
    /// provisional, publicity or final.
    pub status: String,
    /// SHA-256 of the marks the results were computed from.
    pub marks_digest: String,
    pub computed_at: DateTime<Utc>,
    /// When these results were announced to the contestants; the event's first publication opens
    /// the appeal window.
    pub published_at: Option<DateTime<Utc>>,
    pub publicity_ends_at: Option<DateTime<Utc>>,
    pub finalised_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComputeRequest {
    /// Ties in the top three are never shared: they go to the organising committee's decision.
    #[serde(default)]
    pub top_three_never_shared: bool,
    /// Also give scores on the WorldSkills scale (median 700).
    #[serde(default)]
    pub standardised: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Difference {
    pub station_number: i32,
    pub stored_rank: Option<i32>,
    pub recomputed_rank: Option<i32>,
    pub stored_total: Option<f64>,
    pub recomputed_total: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub result_set_id: String,
    /// The marks are exactly those the set was computed from.
    pub digest_matches: bool,
    /// Recomputing from the raw marks gives the stored ranking, score for score.
    pub identical: bool,
    pub differences: Vec<Difference>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventStatistics {
    pub event_id: String,
    /// Registrations holding a place (submitted to competed).
    pub registered: usize,
    /// Admitted to the roster, whatever happened next.
    pub admitted: usize,
    pub competed: usize,
    pub no_show: usize,
    /// Share of the admitted who competed.
    pub completion_rate: f64,
    /// Of the latest result set, when there is one.
    pub scores: Option<crate::domain::statistics::ScoreSummary>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResultsPage {
    /// Entries to skip, in rank order (default 0).
    pub offset: Option<usize>,
    /// Entries to return, 1 to 1000 (default all).
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportFormat {
    /// xlsx (default) or csv.
    pub format: Option<String>,
}

/// A result set with a page of its entries (serialises as a `ResultSetOut`).
#[derive(Serialize)]
pub struct ResultSetPage<'a> {
    #[serde(flatten)]
    pub summary: &'a ResultSetSummary,
    pub entry_count: usize,
    pub entries: &'a [ResultEntry],
    pub disqualified: &'a [DisqualifiedEntry],
}

/// `POST /events/{id}/results/tie-decision`: the organising committee's order for one group of
/// stations tied for a decision, and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TieDecision {
    /// Every station of the tied group, first place first.
    pub stations: Vec<i32>,
    /// The committee's reason (e.g. 经竞赛组委会研究，按实操用时先后确定名次), up to 500 characters.
    pub reason: String,
}

/// Stations tied for the committee's decision, in the places they share.
#[derive(Debug, Serialize, ToSchema)]
pub struct TieGroup {
    pub total: f64,
    /// The first of the places the group takes.
    pub first_rank: i32,
    /// In number order; the decision puts them in the committee's.
    pub stations: Vec<i32>,
}
