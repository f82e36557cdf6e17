//! Organisations form one tree that follows the administrative tiers (national → province →
//! prefecture → county → enterprise/school); most permissions follow that tree.

use super::Violation;
use crate::string_enum;

string_enum! {
    /// The administrative tier an organisation belongs to.
    pub enum Tier {
        National = "national",
        Province = "province",
        Prefecture = "prefecture",
        County = "county",
        Enterprise = "enterprise",
    }
}

impl Tier {
    /// The tier as printed for people (exports, notices).
    pub fn label(self) -> &'static str {
        match self {
            Tier::National => "全国",
            Tier::Province => "省级",
            Tier::Prefecture => "市（州）级",
            Tier::County => "县（区）级",
            Tier::Enterprise => "企业级",
        }
    }
}

string_enum! {
    /// What kind of body an organisation is.
    pub enum OrgKind {
        /// 工会 (trade union federation at a tier, or an enterprise union)
        Union = "union",
        /// 人力资源和社会保障部门
        Hrss = "hrss",
        Enterprise = "enterprise",
        /// 院校 (vocational college, technical school)
        School = "school",
        /// 行业协会 / 产业工会
        IndustryBody = "industry_body",
    }
}

impl Tier {
    /// Higher number, higher tier.
    pub fn rank(self) -> u8 {
        match self {
            Tier::National => 5,
            Tier::Province => 4,
            Tier::Prefecture => 3,
            Tier::County => 2,
            Tier::Enterprise => 1,
        }
    }

    /// The level of region code an organisation of this tier carries (enterprises sit in a
    /// county or prefecture and carry that code).
    fn accepts_region(self, code: &str) -> bool {
        match self {
            Tier::National => code == NATIONAL_REGION,
            Tier::Province => code.ends_with("0000") && code != NATIONAL_REGION,
            Tier::Prefecture => code.ends_with("00") && !code.ends_with("0000"),
            Tier::County => !code.ends_with("00"),
            Tier::Enterprise => code != NATIONAL_REGION,
        }
    }
}

/// The conventional root code for the whole country (not itself a GB/T 2260 code).
pub const NATIONAL_REGION: &str = "100000";

/// A region code is six digits (GB/T 2260).
pub fn is_region_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with('0')
}

/// Whether region `inner` lies within region `outer`: a province covers codes with its first two
/// digits, a prefecture those with its first four, a county only itself.
pub fn region_within(inner: &str, outer: &str) -> bool {
    if outer == NATIONAL_REGION {
        return true;
    }
    let significant = if outer.ends_with("0000") {
        2
    } else if outer.ends_with("00") {
        4
    } else {
        6
    };
    inner.get(..significant) == outer.get(..significant)
}

/// Where a new or moved organisation would sit.
pub struct Placement<'a> {
    pub kind: OrgKind,
    pub tier: Tier,
    pub region_code: &'a str,
    /// The parent's tier and region, or None for a root.
    pub parent: Option<(Tier, &'a str)>,
}

/// The rules of the tree: a child sits below its parent's tier (enterprises may nest under
/// enterprises: a group and its subsidiaries), enterprises and schools are of the enterprise tier,
/// the region code fits the tier and lies within the parent's region, and only a national or
/// provincial body is a root.
pub fn check_placement(p: &Placement) -> Vec<Violation> {
    let mut violations = Vec::new();
    if matches!(p.kind, OrgKind::Enterprise | OrgKind::School) && p.tier != Tier::Enterprise {
        violations.push(Violation::new(
            "tier",
            "tier_kind_mismatch",
            "an enterprise or school belongs to the enterprise tier",
        ));
    }
    if !is_region_code(p.region_code) {
        violations.push(Violation::new(
            "region_code",
            "invalid_region_code",
            "a region code is six digits (GB/T 2260)",
        ));
        return violations;
    }
    if !p.tier.accepts_region(p.region_code) {
        violations.push(Violation::new(
            "region_code",
            "region_tier_mismatch",
            format!("{} is not a region code of the {} tier", p.region_code, p.tier),
        ));
    }
    match p.parent {
        None => {
            if !matches!(p.tier, Tier::National | Tier::Province) {
                violations.push(Violation::new(
                    "parent_id",
                    "parent_required",
                    "only a national or provincial body may be a root; name its parent",
                ));
            }
        }
        Some((parent_tier, parent_region)) => {
            let below =
                p.tier.rank() < parent_tier.rank() || (p.tier == Tier::Enterprise && parent_tier == Tier::Enterprise);
            if !below {
                violations.push(Violation::new(
                    "tier",
                    "tier_not_below_parent",
                    format!("a {} body cannot sit under a {} body", p.tier, parent_tier),
                ));
            }
            if !region_within(p.region_code, parent_region) {
                violations.push(Violation::new(
                    "region_code",
                    "region_outside_parent",
                    format!("{} is outside the parent's region {}", p.region_code, parent_region),
                ));
            }
        }
    }
    violations
}

/// Materialised path of a node: its parent's path followed by its own id.
pub fn child_path(parent_path: Option<&str>, id: &str) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

/// Whether the node at `path` lies in the subtree rooted at `root_path` (itself included).
pub fn in_subtree(path: &str, root_path: &str) -> bool {
    path.starts_with(root_path)
}

/// Whether an organisation of this kind and tier is one of the bodies that certify awards and
/// skill levels (a union federation or an HRSS department above the enterprise, see
/// `award::is_granting_body`): such bodies, and any change that could make one, are for admins.
pub fn is_certifying_body(kind: OrgKind, tier: Tier) -> bool {
    matches!(kind, OrgKind::Union | OrgKind::Hrss) && tier != Tier::Enterprise
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_federations_and_hrss_above_the_enterprise_certify_and_enterprise_unions_do_not() {
        assert!(is_certifying_body(OrgKind::Union, Tier::Prefecture));
        assert!(is_certifying_body(OrgKind::Hrss, Tier::County));
        assert!(!is_certifying_body(OrgKind::Union, Tier::Enterprise));
        assert!(!is_certifying_body(OrgKind::Enterprise, Tier::Enterprise));
        assert!(!is_certifying_body(OrgKind::IndustryBody, Tier::Province));
    }

    fn place<'a>(kind: OrgKind, tier: Tier, region: &'a str, parent: Option<(Tier, &'a str)>) -> Vec<String> {
        check_placement(&Placement { kind, tier, region_code: region, parent }).into_iter().map(|v| v.code).collect()
    }

    #[test]
    fn the_yunnan_chain_is_accepted() {
        assert!(place(OrgKind::Union, Tier::Province, "530000", None).is_empty());
        assert!(place(OrgKind::Union, Tier::Prefecture, "530100", Some((Tier::Province, "530000"))).is_empty());
        assert!(place(OrgKind::Union, Tier::County, "530102", Some((Tier::Prefecture, "530100"))).is_empty());
        assert!(place(OrgKind::Enterprise, Tier::Enterprise, "530102", Some((Tier::County, "530102"))).is_empty());
        assert!(place(OrgKind::Enterprise, Tier::Enterprise, "530102", Some((Tier::Enterprise, "530102"))).is_empty());
        // A provincial SOE reports straight to the province.
        assert!(place(OrgKind::Enterprise, Tier::Enterprise, "530100", Some((Tier::Province, "530000"))).is_empty());
    }

    #[test]
    fn a_child_cannot_sit_at_or_above_its_parent_tier() {
        assert_eq!(
            place(OrgKind::Union, Tier::Province, "530000", Some((Tier::Prefecture, "530100"))),
            ["tier_not_below_parent", "region_outside_parent"]
        );
        assert_eq!(
            place(OrgKind::Union, Tier::Prefecture, "530300", Some((Tier::Prefecture, "530100"))),
            ["tier_not_below_parent", "region_outside_parent"]
        );
    }

    #[test]
    fn region_codes_must_fit_the_tier_and_the_parent() {
        assert_eq!(
            place(OrgKind::Union, Tier::Prefecture, "530102", Some((Tier::Province, "530000"))),
            ["region_tier_mismatch"]
        );
        assert_eq!(
            place(OrgKind::Union, Tier::County, "530302", Some((Tier::Prefecture, "530100"))),
            ["region_outside_parent"]
        );
        assert_eq!(
            place(OrgKind::Union, Tier::County, "53010x", Some((Tier::Prefecture, "530100"))),
            ["invalid_region_code"]
        );
        assert_eq!(place(OrgKind::Union, Tier::National, "110000", None), ["region_tier_mismatch"]);
    }

    #[test]
    fn enterprises_and_schools_are_of_the_enterprise_tier_and_roots_are_high() {
        assert_eq!(
            place(OrgKind::School, Tier::County, "530102", Some((Tier::Prefecture, "530100"))),
            ["tier_kind_mismatch"]
        );
        assert_eq!(place(OrgKind::Union, Tier::County, "530102", None), ["parent_required"]);
    }

    #[test]
    fn subtree_membership_follows_the_path() {
        let province = child_path(None, "p");
        let county = child_path(Some(&child_path(Some(&province), "k")), "c");
        assert_eq!(county, "/p/k/c/");
        assert!(in_subtree(&county, &province));
        assert!(!in_subtree(&province, &county));
        assert!(region_within("530102", "530000"));
        assert!(region_within("530102", "530100"));
        assert!(!region_within("530302", "530100"));
        assert!(region_within("110101", NATIONAL_REGION));
    }
}
