//! The creator's optional monthly budget per currency, and the refusal of a submit that would pass it.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;

use crate::ledger::Ledger;
use crate::money::Money;
use crate::pricing::Quote;
use crate::provider::Currency;

/// One currency's spending this month, as the budget counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MonthSpend {
    /// Charged (reported, or MiniMax's list price).
    pub spent: Money,
    /// Estimates of generations still being made.
    pub in_flight: Money,
    /// Submits whose outcome is unknown: they may have been charged.
    pub at_risk: Money,
}

impl MonthSpend {
    pub fn zero(currency: Currency) -> Self {
        let zero = Money::new(Decimal::ZERO, currency);
        MonthSpend {
            spent: zero,
            in_flight: zero,
            at_risk: zero,
        }
    }

    /// Everything that counts against the budget.
    pub fn committed(&self) -> Decimal {
        self.spent.amount + self.in_flight.amount + self.at_risk.amount
    }

    /// What is left of `limit`, never below zero.
    pub fn left(&self, limit: Decimal) -> Money {
        Money::new(
            (limit - self.committed()).max(Decimal::ZERO),
            self.spent.currency,
        )
    }
}

/// A submit that would take the month past its budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
pub struct BudgetRefusal {
    pub price: Money,
    pub budget: Money,
    pub month: MonthSpend,
    pub left: Money,
}

impl std::fmt::Display for BudgetRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "This video would cost {}, more than the {} left of your monthly budget of {}. This month {} is spent and {} is in videos still being made",
            self.price, self.left, self.budget, self.month.spent, self.month.in_flight
        )?;
        if !self.month.at_risk.amount.is_zero() {
            write!(
                f,
                ", and {} may have been charged for videos whose outcome is unknown",
                self.month.at_risk
            )?;
        }
        write!(f, ". You can change the budget in Settings.")
    }
}

/// Refuses `quote` if its currency has a budget and the month's spent, in-flight and at-risk
/// amounts plus this price would pass it. Months are those of `now`'s offset.
pub fn check_budget(
    ledger: &Ledger,
    quote: &Quote,
    budgets: &BTreeMap<Currency, Decimal>,
    now: OffsetDateTime,
) -> Result<(), BudgetRefusal> {
    match budgets.get(&quote.price.currency) {
        Some(limit) => judge(
            &ledger.month_spend(quote.price.currency, now),
            quote,
            *limit,
        ),
        None => Ok(()),
    }
}

/// The one rule: reaching the budget exactly is allowed, passing it is not.
pub(crate) fn judge(
    month: &MonthSpend,
    quote: &Quote,
    limit: Decimal,
) -> Result<(), BudgetRefusal> {
    if month.committed() + quote.price.amount <= limit {
        return Ok(());
    }
    Err(BudgetRefusal {
        price: quote.price,
        budget: Money::new(limit, quote.price.currency),
        month: *month,
        left: month.left(limit),
    })
}
