//! Events, their sittings and technical documents on the wire.

use crate::domain::award::AwardRules;
use crate::domain::ranking::TeamScoring;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::double_option;

use super::schemes::MarkingSchemeOut;
use super::trades::TradeOut;
use super::utc;
use crate::domain::event::{EventMode, PrizeBands, SessionKind, TieBreakKey, Track, Weights};
use crate::store::events::{DocumentRow, SessionRow};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionOut {
    pub id: String,
    pub kind: SessionKind,
    /// e.g. 理论考试, 实操模块A.
    pub name: String,
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventOut {
    pub id: String,
    pub competition_id: String,
    pub trade: TradeOut,
    pub name: String,
    pub mode: EventMode,
    pub team_size: Option<i32>,
    /// Team events: how a team scores (as one at one station, or the sum or mean of its members'
    /// scores at stations of their own).
    pub team_scoring: Option<TeamScoring>,
    pub track: Track,
    /// The skill level the tasks are set at (5 初级工 … 1 高级技师).
    pub standard_level: Option<i32>,
    pub weights: Weights,
    pub quota_total: Option<i32>,
    pub quota_per_organisation: Option<i32>,
    /// 名额分配: places allotted per prefecture (region code → places).
    pub prefecture_quotas: Option<std::collections::BTreeMap<String, i32>>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    /// Contestants hold this level or a better one.
    pub min_skill_level: Option<i32>,
    /// Contestants' employers lie in this region.
    pub region_code: Option<String>,
    /// How many go on to the `feeds_into` competition.
    pub qualifiers_count: i32,
    pub tie_breaks: Vec<TieBreakKey>,
    pub prize_bands: PrizeBands,
    /// The event's own award rules, when they differ from the competition's.
    pub award_rules: Option<AwardRules>,
    pub sessions: Vec<SessionOut>,
    /// Review levels: 2 = nominating unit then host organisers, 1 = host organisers only.
    pub review_levels: i32,
    /// Minutes appeals stay open after the scores are announced.
    pub appeal_window_minutes: i32,
    /// Working days appeals stay open instead (China time, holidays observed), when set.
    pub appeal_window_working_days: Option<i32>,
    pub published_document_version: Option<i32>,
    pub has_marking_scheme: bool,
    /// The scheme has criteria and aspects in every section (an outline does not): the event can be
    /// drawn and marked.
    pub scheme_complete: bool,
    /// Where the event stands on its own schedule, read from what has happened to it (its draw,
    /// check-ins, locked sheets, review, decryption, results): in the event's own answer, and in
    /// the competition's answer to its organisers; otherwise absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<crate::domain::event::EventStage>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn session_out(row: SessionRow) -> SessionOut {
    SessionOut {
        kind: SessionKind::parse(&row.kind).unwrap_or(SessionKind::Practical),
        id: row.id,
        name: row.name,
        venue: row.venue,
        starts_at: utc(row.starts_at),
        ends_at: utc(row.ends_at),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentOut {
    pub id: String,
    pub event_id: String,
    pub version: i32,
    pub title: String,
    pub body: String,
    pub attachments: Vec<Attachment>,
    /// draft, published or superseded.
    pub status: String,
    /// Why a version published after registration opened changed the rules.
    pub change_reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    #[schema(example = "车工赛项图纸.pdf")]
    pub name: String,
    #[schema(example = "application/pdf")]
    pub media_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventDetail {
    #[serde(flatten)]
    pub event: EventOut,
    pub competition_name: String,
    /// Published versions for everyone; drafts too for the organisers.
    pub documents: Vec<DocumentOut>,
    pub marking_scheme: Option<MarkingSchemeOut>,
}

pub fn document_out(row: DocumentRow) -> DocumentOut {
    DocumentOut {
        attachments: serde_json::from_str(&row.attachments).unwrap_or_default(),
        published_at: row.published_at.map(utc),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        id: row.id,
        event_id: row.event_id,
        version: row.version,
        title: row.title,
        body: row.body,
        status: row.status,
        change_reason: row.change_reason,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    pub trade_id: String,
    /// Defaults to the trade's name (and track, when not the worker track).
    pub name: Option<String>,
    /// Default individual.
    pub mode: Option<EventMode>,
    pub team_size: Option<i32>,
    /// Team events: default as_one (the team is marked as one at its station).
    pub team_scoring: Option<TeamScoring>,
    /// Default worker (职工组).
    pub track: Option<Track>,
    pub standard_level: Option<i32>,
    /// Default 30 / 70.
    pub weights: Option<Weights>,
    pub quota_total: Option<i32>,
    /// Default 5 per nominating organisation.
    pub quota_per_organisation: Option<i32>,
    /// 名额分配: places allotted per prefecture (region code → places); a prefecture not named
    /// has none. Default: none (no allotment).
    pub prefecture_quotas: Option<std::collections::BTreeMap<String, i32>>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub min_skill_level: Option<i32>,
    pub region_code: Option<String>,
    /// Default 0.
    pub qualifiers_count: Option<i32>,
    /// Default practical, theory, elapsed_time, shared_rank.
    pub tie_breaks: Option<Vec<TieBreakKey>>,
    /// Default 10 % / 20 % / 30 %.
    pub prize_bands: Option<PrizeBands>,
    /// The event's own award rules, checked like the competition's; none: the competition's.
    pub award_rules: Option<AwardRules>,
    /// 2 (default): the nominating unit, then the host's organisers; 1: the host's organisers only.
    pub review_levels: Option<i32>,
    /// Minutes appeals stay open after the scores are announced: default 120 (2 hours), up to
    /// 2,880 (48 hours, online rounds).
    pub appeal_window_minutes: Option<i32>,
    /// Or working days (1 to 10, China time, holidays observed) instead of minutes.
    pub appeal_window_working_days: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    pub trade_id: Option<String>,
    pub name: Option<String>,
    pub mode: Option<EventMode>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub team_size: Option<Option<i32>>,
    pub team_scoring: Option<TeamScoring>,
    pub track: Option<Track>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub standard_level: Option<Option<i32>>,
    pub weights: Option<Weights>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub quota_total: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub quota_per_organisation: Option<Option<i32>>,
    /// null removes the allotment.
    #[serde(default, deserialize_with = "double_option")]
    pub prefecture_quotas: Option<Option<std::collections::BTreeMap<String, i32>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub min_age: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub max_age: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub min_skill_level: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub region_code: Option<Option<String>>,
    pub qualifiers_count: Option<i32>,
    pub tie_breaks: Option<Vec<TieBreakKey>>,
    pub prize_bands: Option<PrizeBands>,
    /// null goes back to the competition's rules.
    #[serde(default, deserialize_with = "double_option")]
    pub award_rules: Option<Option<AwardRules>>,
    pub review_levels: Option<i32>,
    pub appeal_window_minutes: Option<i32>,
    /// null goes back to minutes.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub appeal_window_working_days: Option<Option<i32>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    pub kind: SessionKind,
    #[schema(example = "实操模块A")]
    pub name: String,
    #[schema(example = "云南技师学院实训楼3层")]
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    #[schema(example = "2026年云南省职工职业技能大赛车工赛项技术工作文件")]
    pub title: String,
    /// The text (Markdown).
    pub body: String,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// Required once registration has opened: what changed and why.
    pub reason: Option<String>,
}
