//! Amounts of money: exact decimals in a currency, never floating point.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::provider::Currency;

/// An exact amount, e.g. 0.49 USD. Serialized with the amount as a string (`"0.49"`) so no
/// cent is lost on the way to the UI or to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    pub fn usd(amount: Decimal) -> Self {
        Money::new(amount, Currency::Usd)
    }

    pub fn cny(amount: Decimal) -> Self {
        Money::new(amount, Currency::Cny)
    }

    /// How a creator reads it: `$0.49`, `¥3.50`. Rounded to cents for display only; the
    /// amount itself keeps every digit the provider gave.
    pub fn display(&self) -> String {
        let rounded = self
            .amount
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        let symbol = match self.currency {
            Currency::Usd => "$",
            Currency::Cny => "¥",
        };
        format!("{symbol}{rounded:.2}")
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_show_as_the_creator_reads_them() {
        assert_eq!(Money::usd(dec!(0.28)).to_string(), "$0.28");
        assert_eq!(Money::usd(dec!(0.4902)).to_string(), "$0.49");
        assert_eq!(Money::usd(dec!(0.817)).to_string(), "$0.82");
        assert_eq!(Money::cny(dec!(3.5)).to_string(), "¥3.50");
    }

    #[test]
    fn amounts_travel_as_exact_strings() {
        let json = serde_json::to_value(Money::usd(dec!(0.0817))).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"amount": "0.0817", "currency": "USD"})
        );
        let back: Money = serde_json::from_value(json).unwrap();
        assert_eq!(back.amount, dec!(0.0817));
    }
}
