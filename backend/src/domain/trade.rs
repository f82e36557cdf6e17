//! Trades (职业 / 工种) from the national occupational classification (职业分类大典, 2022).

use super::Violation;
use crate::string_enum;

string_enum! {
    /// Our grouping of contest trades (not part of the classification).
    pub enum TradeCategory {
        Manufacturing = "manufacturing",
        Construction = "construction",
        Mining = "mining",
        EnergyPower = "energy_power",
        Transport = "transport",
        /// Yunnan's plateau agriculture: 割胶工, 评茶师, 咖啡加工工 …
        AgricultureYunnan = "agriculture_yunnan",
        Services = "services",
        Digital = "digital",
    }
}

/// A classification code: major group 1–8, then three two-digit levels (`6-18-01-01`).
pub fn check_trade_code(code: &str) -> Result<String, Violation> {
    let code = code.trim();
    let parts: Vec<&str> = code.split('-').collect();
    let well_formed = parts.len() == 4
        && parts[0].len() == 1
        && matches!(parts[0].as_bytes()[0], b'1'..=b'8')
        && parts[1..].iter().all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()));
    if well_formed {
        Ok(code.to_string())
    } else {
        Err(Violation::new("code", "invalid_trade_code", "a classification code looks like 6-18-01-01"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_codes_have_four_levels() {
        assert_eq!(check_trade_code(" 6-18-01-01 ").unwrap(), "6-18-01-01");
        assert!(check_trade_code("4-04-05-13").is_ok());
        assert!(check_trade_code("9-18-01-01").is_err());
        assert!(check_trade_code("6-18-01").is_err());
        assert!(check_trade_code("6-18-1-01").is_err());
        assert!(check_trade_code("车工").is_err());
    }
}
