//! What a generation costs before it is sent: the one price table, quotes, and the same video elsewhere.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

use crate::generation::{GenerationRequest, Model, Resolution, ValidationError};
use crate::money::Money;
use crate::provider::{Currency, Provider};

/// When every price below was last checked against the providers' own pages.
pub const PRICES_CHECKED: &str = "2026-11";

/// How a row of the table charges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tariff {
    /// A fixed price per video.
    PerVideo(Money),
    /// A price per second of video.
    PerSecond(Money),
}

/// One published price: a provider's price for one model, resolution and duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceRow {
    pub provider: Provider,
    pub model: Model,
    pub resolution: Resolution,
    pub duration: u8,
    pub tariff: Tariff,
    /// The month the price was checked, `YYYY-MM`.
    pub checked: &'static str,
    /// Where the price was published.
    pub source: &'static str,
}

impl PriceRow {
    /// The price of one video of this row's duration.
    pub fn price(&self) -> Money {
        match self.tariff {
            Tariff::PerVideo(price) => price,
            Tariff::PerSecond(rate) => Money::new(
                (rate.amount * Decimal::from(self.duration)).normalize(),
                rate.currency,
            ),
        }
    }

    fn matches(
        &self,
        provider: Provider,
        model: Model,
        resolution: Resolution,
        duration: u8,
    ) -> bool {
        self.provider == provider
            && self.model == model
            && self.resolution == resolution
            && self.duration == duration
    }
}

const MINIMAX_LIST: &str = "MiniMax pay-as-you-go price list (platform.minimax.io)";
const MINIMAX_CHINA_LIST: &str = "MiniMax China price list (platform.minimaxi.com), in yuan";
const OPENROUTER_RATE: &str = "OpenRouter model page for minimax/hailuo-2.3: $0.0817 per second";
const LINKMODEL_LIST: &str = "LinkModel model page: \"from $0.224 per call\"";

const fn row(
    provider: Provider,
    model: Model,
    resolution: Resolution,
    duration: u8,
    tariff: Tariff,
    source: &'static str,
) -> PriceRow {
    PriceRow {
        provider,
        model,
        resolution,
        duration,
        tariff,
        checked: PRICES_CHECKED,
        source,
    }
}

const fn usd(amount: Decimal) -> Money {
    Money {
        amount,
        currency: Currency::Usd,
    }
}

const fn cny(amount: Decimal) -> Money {
    Money {
        amount,
        currency: Currency::Cny,
    }
}

use Model::{Hailuo23 as H23, Hailuo23Fast as H23F};
use Provider::{LinkModel, MinimaxChina, MinimaxGlobal, OpenRouter};
use Resolution::{P1080, P768};
use Tariff::{PerSecond, PerVideo};

/// Every published price (providers.md, "Prices"). A combination missing here is estimated.
pub const PRICE_TABLE: &[PriceRow] = &[
    row(
        MinimaxGlobal,
        H23,
        P768,
        6,
        PerVideo(usd(dec!(0.28))),
        MINIMAX_LIST,
    ),
    row(
        MinimaxGlobal,
        H23,
        P768,
        10,
        PerVideo(usd(dec!(0.56))),
        MINIMAX_LIST,
    ),
    row(
        MinimaxGlobal,
        H23,
        P1080,
        6,
        PerVideo(usd(dec!(0.49))),
        MINIMAX_LIST,
    ),
    row(
        MinimaxGlobal,
        H23F,
        P768,
        6,
        PerVideo(usd(dec!(0.19))),
        MINIMAX_LIST,
    ),
    row(
        MinimaxGlobal,
        H23F,
        P768,
        10,
        PerVideo(usd(dec!(0.32))),
        MINIMAX_LIST,
    ),
    row(
        MinimaxGlobal,
        H23F,
        P1080,
        6,
        PerVideo(usd(dec!(0.33))),
        MINIMAX_LIST,
    ),
    row(
        MinimaxChina,
        H23,
        P768,
        6,
        PerVideo(cny(dec!(2.00))),
        MINIMAX_CHINA_LIST,
    ),
    row(
        MinimaxChina,
        H23,
        P768,
        10,
        PerVideo(cny(dec!(4.00))),
        MINIMAX_CHINA_LIST,
    ),
    row(
        MinimaxChina,
        H23,
        P1080,
        6,
        PerVideo(cny(dec!(3.50))),
        MINIMAX_CHINA_LIST,
    ),
    row(
        MinimaxChina,
        H23F,
        P768,
        6,
        PerVideo(cny(dec!(1.35))),
        MINIMAX_CHINA_LIST,
    ),
    row(
        MinimaxChina,
        H23F,
        P768,
        10,
        PerVideo(cny(dec!(2.25))),
        MINIMAX_CHINA_LIST,
    ),
    row(
        MinimaxChina,
        H23F,
        P1080,
        6,
        PerVideo(cny(dec!(2.31))),
        MINIMAX_CHINA_LIST,
    ),
    // OpenRouter's catalogue names 1080p; which resolution its 10 s videos come in is unknown,
    // but the charge is per second either way.
    row(
        OpenRouter,
        H23,
        P768,
        6,
        PerSecond(usd(dec!(0.0817))),
        OPENROUTER_RATE,
    ),
    row(
        OpenRouter,
        H23,
        P768,
        10,
        PerSecond(usd(dec!(0.0817))),
        OPENROUTER_RATE,
    ),
    row(
        OpenRouter,
        H23,
        P1080,
        6,
        PerSecond(usd(dec!(0.0817))),
        OPENROUTER_RATE,
    ),
    row(
        LinkModel,
        H23,
        P768,
        6,
        PerVideo(usd(dec!(0.224))),
        LINKMODEL_LIST,
    ),
];

/// Why a quote is what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Basis {
    /// The provider's published price for exactly this video.
    ListPrice,
    /// The provider's published price per second, times the video's length.
    PerSecond { rate: Money, seconds: u8 },
    /// No published price: worked out from the table, see `why`.
    Estimate { why: String },
}

impl Basis {
    /// The short word used in the ledger and the CSV export.
    pub fn word(&self) -> &'static str {
        match self {
            Basis::ListPrice => "list price",
            Basis::PerSecond { .. } => "per second",
            Basis::Estimate { .. } => "estimate",
        }
    }
}

/// What one generation will cost at one provider, shown before the creator submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    pub provider: Provider,
    pub model: Model,
    pub resolution: Resolution,
    pub duration: u8,
    pub price: Money,
    pub basis: Basis,
    /// One line a creator reads, e.g. `$0.28 — MiniMax list price (checked 2026-11)`.
    pub label: String,
    pub checked: String,
    pub source: String,
}

/// Why a request has no quote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("Hailuo Studio has no price for a {seconds}-second {resolution} {model} video at {provider}, so it cannot tell you what it would cost.", resolution = resolution.as_minimax(), model = model.display_name())]
    Unpriced {
        provider: Provider,
        model: Model,
        resolution: Resolution,
        seconds: u8,
    },
}

/// The price of a valid request, from the table, or a labelled estimate where nothing is published.
pub fn quote(request: &GenerationRequest) -> Result<Quote, QuoteError> {
    request.validate()?;
    let (provider, model, resolution, duration) = (
        request.provider,
        request.model,
        request.resolution,
        request.duration,
    );
    let unpriced = QuoteError::Unpriced {
        provider,
        model,
        resolution,
        seconds: duration,
    };
    if let Some(row) = find_row(provider, model, resolution, duration) {
        let price = row.price();
        let (basis, label) = match row.tariff {
            Tariff::PerVideo(_) => (
                Basis::ListPrice,
                format!("{price} — {provider} list price (checked {})", row.checked),
            ),
            Tariff::PerSecond(rate) => (
                Basis::PerSecond {
                    rate,
                    seconds: duration,
                },
                format!(
                    "{price} — {provider} charges {} per second × {duration} s (checked {})",
                    exact(rate),
                    row.checked
                ),
            ),
        };
        return Ok(Quote {
            provider,
            model,
            resolution,
            duration,
            price,
            basis,
            label,
            checked: row.checked.to_owned(),
            source: row.source.to_owned(),
        });
    }
    let estimate = estimate(provider, model, resolution, duration).ok_or(unpriced)?;
    Ok(Quote {
        provider,
        model,
        resolution,
        duration,
        price: estimate.price,
        label: format!(
            "about {} — estimate: {provider} publishes no price for this video; the charge it reports will be recorded",
            estimate.price
        ),
        basis: Basis::Estimate { why: estimate.why },
        checked: estimate.reference.checked.to_owned(),
        source: estimate.reference.source.to_owned(),
    })
}

fn find_row(
    provider: Provider,
    model: Model,
    resolution: Resolution,
    duration: u8,
) -> Option<&'static PriceRow> {
    PRICE_TABLE
        .iter()
        .find(|row| row.matches(provider, model, resolution, duration))
}

struct Estimate {
    price: Money,
    why: String,
    reference: &'static PriceRow,
}

/// The estimation rule, for a provider that publishes a price for some videos but not this one
/// (LinkModel publishes only 768P 6 s): take the share its published price is of MiniMax's list
/// price for the same video (LinkModel: $0.224 / $0.28 = 0.8), and apply that share to MiniMax's
/// list price for the video asked for (768P 10 s: 0.8 × $0.56 = $0.448). MiniMax is the model's
/// maker and resellers price against it, so its list is the reference. Rounded to 4 decimals.
fn estimate(
    provider: Provider,
    model: Model,
    resolution: Resolution,
    duration: u8,
) -> Option<Estimate> {
    let currency = provider.currency();
    let reference_provider = match currency {
        Currency::Usd => Provider::MinimaxGlobal,
        Currency::Cny => Provider::MinimaxChina,
    };
    let target = find_row(reference_provider, model, resolution, duration)?.price();
    let (own, reference) = PRICE_TABLE
        .iter()
        .filter(|row| row.provider == provider && matches!(row.tariff, Tariff::PerVideo(_)))
        .find_map(|own| {
            find_row(reference_provider, own.model, own.resolution, own.duration)
                .filter(|reference| reference.price().currency == own.price().currency)
                .map(|reference| (own, reference))
        })?;
    if reference.price().amount.is_zero() {
        return None;
    }
    let share = own.price().amount / reference.price().amount;
    let price = Money::new((share * target.amount).round_dp(4).normalize(), currency);
    let why = format!(
        "{provider} publishes a price only for a {}-second {} {} video ({}), {} × {reference_provider}'s {}; this applies the same share to {reference_provider}'s list price of {} for this video.",
        own.duration,
        own.resolution.as_minimax(),
        own.model.display_name(),
        exact(own.price()),
        share.normalize(),
        exact(reference.price()),
        exact(target),
    );
    Some(Estimate {
        price,
        why,
        reference: own,
    })
}

/// An amount with every digit the provider published (`$0.0817`, `$0.224`), at least cents.
fn exact(money: Money) -> String {
    let mut amount = money.amount.normalize();
    if amount.scale() < 2 {
        amount.rescale(2);
    }
    match money.currency {
        Currency::Usd => format!("${amount}"),
        Currency::Cny => format!("¥{amount}"),
    }
}

/// The same generation at another provider, for the "same video elsewhere" line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Elsewhere {
    Available { quote: Quote },
    NotPossible { provider: Provider, why: String },
}

/// Quotes the same video at each of `providers` (skipping the request's own provider). Options
/// that only shape MiniMax's prompt handling are dropped at the others, since the video is the
/// same; anything that would change the video (model, first frame, length, resolution) is kept,
/// and where that cannot be made there, the reason is given.
pub fn compare(request: &GenerationRequest, providers: &[Provider]) -> Vec<Elsewhere> {
    providers
        .iter()
        .copied()
        .filter(|provider| *provider != request.provider)
        .map(|provider| {
            let mut there = request.clone();
            there.provider = provider;
            if !provider.has_prompt_optimizer() {
                there.fast_pretreatment = false;
            }
            match quote(&there) {
                Ok(quote) => Elsewhere::Available { quote },
                Err(err) => Elsewhere::NotPossible {
                    provider,
                    why: err.to_string(),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generation::FirstFrame;

    fn request(
        provider: Provider,
        model: Model,
        resolution: Resolution,
        duration: u8,
    ) -> GenerationRequest {
        GenerationRequest {
            provider,
            model,
            prompt: "A paper boat on a rainy street [Tracking shot]".into(),
            // Fast needs a first frame; LinkModel takes it as a link.
            first_frame: (model == Model::Hailuo23Fast).then(|| FirstFrame::Link {
                url: "https://example.com/boat.png".into(),
            }),
            duration,
            resolution,
            prompt_optimizer: true,
            fast_pretreatment: false,
        }
    }

    /// Every combination validation allows, with the price and basis it must get.
    #[test]
    fn every_valid_combination_has_its_documented_price() {
        let list = || Basis::ListPrice;
        let per_second = |seconds| Basis::PerSecond {
            rate: Money::usd(dec!(0.0817)),
            seconds,
        };
        let cases: &[(Provider, Model, Resolution, u8, Money, &str)] = &[
            (
                MinimaxGlobal,
                H23,
                P768,
                6,
                Money::usd(dec!(0.28)),
                "list price",
            ),
            (
                MinimaxGlobal,
                H23,
                P768,
                10,
                Money::usd(dec!(0.56)),
                "list price",
            ),
            (
                MinimaxGlobal,
                H23,
                P1080,
                6,
                Money::usd(dec!(0.49)),
                "list price",
            ),
            (
                MinimaxGlobal,
                H23F,
                P768,
                6,
                Money::usd(dec!(0.19)),
                "list price",
            ),
            (
                MinimaxGlobal,
                H23F,
                P768,
                10,
                Money::usd(dec!(0.32)),
                "list price",
            ),
            (
                MinimaxGlobal,
                H23F,
                P1080,
                6,
                Money::usd(dec!(0.33)),
                "list price",
            ),
            (
                MinimaxChina,
                H23,
                P768,
                6,
                Money::cny(dec!(2.00)),
                "list price",
            ),
            (
                MinimaxChina,
                H23,
                P768,
                10,
                Money::cny(dec!(4.00)),
                "list price",
            ),
            (
                MinimaxChina,
                H23,
                P1080,
                6,
                Money::cny(dec!(3.50)),
                "list price",
            ),
            (
                MinimaxChina,
                H23F,
                P768,
                6,
                Money::cny(dec!(1.35)),
                "list price",
            ),
            (
                MinimaxChina,
                H23F,
                P768,
                10,
                Money::cny(dec!(2.25)),
                "list price",
            ),
            (
                MinimaxChina,
                H23F,
                P1080,
                6,
                Money::cny(dec!(2.31)),
                "list price",
            ),
            (
                OpenRouter,
                H23,
                P768,
                6,
                Money::usd(dec!(0.4902)),
                "per second",
            ),
            (
                OpenRouter,
                H23,
                P768,
                10,
                Money::usd(dec!(0.817)),
                "per second",
            ),
            (
                OpenRouter,
                H23,
                P1080,
                6,
                Money::usd(dec!(0.4902)),
                "per second",
            ),
            (
                LinkModel,
                H23,
                P768,
                6,
                Money::usd(dec!(0.224)),
                "list price",
            ),
            (
                LinkModel,
                H23,
                P768,
                10,
                Money::usd(dec!(0.448)),
                "estimate",
            ),
            (
                LinkModel,
                H23,
                P1080,
                6,
                Money::usd(dec!(0.392)),
                "estimate",
            ),
        ];
        let mut valid = 0;
        for provider in Provider::ALL {
            for model in [H23, H23F] {
                for resolution in [P768, P1080] {
                    for duration in [6, 10] {
                        let req = request(provider, model, resolution, duration);
                        if req.validate().is_err() {
                            continue;
                        }
                        valid += 1;
                        let Some((.., price, basis)) = cases.iter().find(|c| {
                            (c.0, c.1, c.2, c.3) == (provider, model, resolution, duration)
                        }) else {
                            panic!("no expected price for a valid {req:?}");
                        };
                        let quote = quote(&req).unwrap();
                        assert_eq!(quote.price, *price, "{req:?}");
                        assert_eq!(quote.basis.word(), *basis, "{req:?}");
                        assert_eq!(quote.price.currency, provider.currency(), "{req:?}");
                    }
                }
            }
        }
        assert_eq!(
            valid,
            cases.len(),
            "every expected case is a valid combination"
        );
        assert_eq!(
            quote(&request(OpenRouter, H23, P768, 10)).unwrap().basis,
            per_second(10)
        );
        assert_eq!(
            quote(&request(MinimaxChina, H23, P768, 6)).unwrap().basis,
            list()
        );
    }

    #[test]
    fn every_row_is_dated_and_sourced_and_unique() {
        for (i, row) in PRICE_TABLE.iter().enumerate() {
            assert_eq!(row.checked, "2026-11");
            assert!(!row.source.is_empty());
            assert_eq!(row.price().currency, row.provider.currency(), "{row:?}");
            let twins = PRICE_TABLE
                .iter()
                .skip(i + 1)
                .filter(|other| {
                    other.matches(row.provider, row.model, row.resolution, row.duration)
                })
                .count();
            assert_eq!(twins, 0, "{row:?} is listed twice");
        }
    }

    #[test]
    fn labels_say_where_the_price_comes_from() {
        let minimax = quote(&request(MinimaxGlobal, H23, P1080, 6)).unwrap();
        assert_eq!(
            minimax.label,
            "$0.49 — MiniMax list price (checked 2026-11)"
        );
        let china = quote(&request(MinimaxChina, H23, P1080, 6)).unwrap();
        assert_eq!(
            china.label,
            "¥3.50 — MiniMax China list price (checked 2026-11)"
        );
        let openrouter = quote(&request(OpenRouter, H23, P768, 10)).unwrap();
        assert_eq!(
            openrouter.label,
            "$0.82 — OpenRouter charges $0.0817 per second × 10 s (checked 2026-11)"
        );
    }

    #[test]
    fn an_unpublished_price_is_a_labelled_estimate_with_its_rule() {
        let quote = quote(&request(LinkModel, H23, P768, 10)).unwrap();
        assert!(
            quote.label.starts_with("about $0.45 — estimate:"),
            "{}",
            quote.label
        );
        let Basis::Estimate { why } = &quote.basis else {
            panic!("expected an estimate, got {:?}", quote.basis);
        };
        assert_eq!(
            why,
            "LinkModel publishes a price only for a 6-second 768P Hailuo 2.3 video ($0.224), 0.8 × MiniMax's $0.28; this applies the same share to MiniMax's list price of $0.56 for this video."
        );
        assert_eq!(quote.source, LINKMODEL_LIST);
    }

    #[test]
    fn an_invalid_request_gets_no_price() {
        let req = request(MinimaxGlobal, H23, P1080, 10);
        assert_eq!(
            quote(&req),
            Err(QuoteError::Invalid(ValidationError::TenSecondsNeeds768p))
        );
    }

    #[test]
    fn the_same_video_elsewhere_is_quoted_where_it_can_be_made() {
        let mut req = request(MinimaxGlobal, H23, P768, 10);
        req.fast_pretreatment = true;
        let elsewhere = compare(&req, &Provider::ALL);
        let summary: Vec<(Provider, Option<Money>)> = elsewhere
            .iter()
            .map(|e| match e {
                Elsewhere::Available { quote } => (quote.provider, Some(quote.price)),
                Elsewhere::NotPossible { provider, .. } => (*provider, None),
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (MinimaxChina, Some(Money::cny(dec!(4.00)))),
                (OpenRouter, Some(Money::usd(dec!(0.817)))),
                (LinkModel, Some(Money::usd(dec!(0.448)))),
            ]
        );
    }

    #[test]
    fn fast_and_picture_first_frames_are_not_possible_everywhere() {
        let mut req = request(MinimaxGlobal, H23F, P768, 6);
        req.first_frame = Some(FirstFrame::Picture {
            mime: "image/png".into(),
            bytes: vec![1, 2, 3],
        });
        let elsewhere = compare(&req, &[MinimaxChina, OpenRouter, LinkModel]);
        assert!(
            matches!(&elsewhere[0], Elsewhere::Available { quote } if quote.price == Money::cny(dec!(1.35)))
        );
        assert!(
            matches!(&elsewhere[1], Elsewhere::NotPossible { provider: OpenRouter, why } if why.contains("only MiniMax"))
        );

        req.model = H23;
        let elsewhere = compare(&req, &[LinkModel]);
        assert!(
            matches!(&elsewhere[0], Elsewhere::NotPossible { provider: LinkModel, why } if why.contains("https link"))
        );
    }

    #[test]
    fn exact_amounts_keep_every_published_digit() {
        assert_eq!(exact(Money::usd(dec!(0.0817))), "$0.0817");
        assert_eq!(exact(Money::usd(dec!(0.224))), "$0.224");
        assert_eq!(exact(Money::usd(dec!(0.5))), "$0.50");
        assert_eq!(exact(Money::cny(dec!(4))), "¥4.00");
    }
}
