//! Reference data compiled into the binary: GB/T 2260 region codes (Yunnan, with Kunming's and
//! Qujing's counties), sources in backend/data/README.md.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Region {
    pub code: String,
    pub name: String,
    /// national, province, prefecture or county.
    pub level: String,
    pub parent_code: Option<String>,
}

const REGIONS_CSV: &str = include_str!("../../data/regions-yunnan.csv");

/// The regions, parsed once.
pub fn regions() -> &'static [Region] {
    static REGIONS: std::sync::OnceLock<Vec<Region>> = std::sync::OnceLock::new();
    REGIONS.get_or_init(|| {
        REGIONS_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .filter_map(|line| {
                let cols: Vec<&str> = line.split(',').collect();
                (cols.len() == 4).then(|| Region {
                    code: cols[0].to_string(),
                    name: cols[1].to_string(),
                    level: cols[2].to_string(),
                    parent_code: Some(cols[3].trim().to_string()).filter(|p| !p.is_empty()),
                })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn all_regions_of_the_reference_file_are_read() {
        let regions = super::regions();
        assert_eq!(regions.len(), 41);
        assert!(regions.iter().any(|r| r.code == "532500" && r.name == "红河哈尼族彝族自治州"));
    }
}
