//! OpenRouter's video catalogue for Hailuo 2.3 (`GET /videos/models`): what it offers today,
//! fetched at most daily, kept with its date, with a built-in copy for offline use.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};
use time::Date;

use super::error::ProviderError;
use super::http::{read_exchange, with_retries};
use super::openrouter::{attributed, error_for, MODEL};
use super::wire::{exact_amount, loose_u64};
use super::ProviderClient;
use crate::provider::Provider;

/// What OpenRouter offers for `minimax/hailuo-2.3`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoOffer {
    /// Lowercase, as OpenRouter spells them (`1080p`).
    pub resolutions: Vec<String>,
    pub durations: Vec<u8>,
    /// `first_frame`, `last_frame`.
    pub frame_images: Vec<String>,
    /// USD per second of video (`pricing_skus.duration_seconds`), when listed.
    pub price_per_second: Option<Decimal>,
}

impl VideoOffer {
    /// The copy shipped with the app: the catalogue as read in July and Sept 2026.
    pub fn built_in() -> Self {
        VideoOffer {
            resolutions: vec!["1080p".into()],
            durations: vec![6, 10],
            frame_images: vec!["first_frame".into()],
            price_per_second: Some(dec!(0.0817)),
        }
    }
}

/// The offer and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalogue {
    pub offer: VideoOffer,
    /// The day it was fetched (`None`: the built-in copy).
    pub fetched_on: Option<Date>,
}

/// Reads the catalogue answer; `None` when it does not list Hailuo 2.3. Liberal: unknown
/// fields ignored, numbers as strings accepted, a missing list is an empty one.
pub fn read_offer(body: &serde_json::Value) -> Option<VideoOffer> {
    let models = body
        .get("data")
        .or_else(|| body.get("models"))
        .unwrap_or(body)
        .as_array()?;
    let model = models
        .iter()
        .find(|m| m.get("id").and_then(|id| id.as_str()) == Some(MODEL))?;
    let words = |field: &str| -> Vec<String> {
        model
            .get(field)
            .and_then(|v| v.as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .map(|s| s.trim().to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default()
    };
    let durations = model
        .get("supported_durations")
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(loose_u64)
                .filter_map(|d| u8::try_from(d).ok())
                .collect()
        })
        .unwrap_or_default();
    Some(VideoOffer {
        resolutions: words("supported_resolutions"),
        durations,
        frame_images: words("supported_frame_images"),
        price_per_second: model
            .get("pricing_skus")
            .and_then(|p| p.get("duration_seconds"))
            .and_then(exact_amount),
    })
}

/// Asks OpenRouter (with the key, on its own origin) what it offers for Hailuo 2.3.
pub(crate) async fn fetch(client: &ProviderClient) -> Result<Option<VideoOffer>, ProviderError> {
    let url = client.endpoint(&["videos", "models"]);
    with_retries(&client.policy, || async {
        let request = attributed(client.get(url.clone()));
        let answer =
            read_exchange(Provider::OpenRouter, request, client.policy.request_timeout).await?;
        if !answer.status.is_success() {
            return Err(error_for(&answer));
        }
        let body: serde_json::Value = answer.json(Provider::OpenRouter)?;
        Ok(read_offer(&body))
    })
    .await
}

/// The kept copy: `openrouter-catalogue.json` in the app's data folder.
#[derive(Debug, Clone)]
pub struct CatalogueFile {
    path: PathBuf,
}

impl CatalogueFile {
    pub fn in_dir(dir: &Path) -> Self {
        CatalogueFile {
            path: dir.join("openrouter-catalogue.json"),
        }
    }

    /// The kept copy, if there is a readable one. Blocking: call off the async workers.
    pub fn load(&self) -> Option<Catalogue> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Keeps a fetched copy. Blocking: call off the async workers.
    pub fn save(&self, catalogue: &Catalogue) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(catalogue).map_err(std::io::Error::other)?;
        let partial = self.path.with_extension("json.part");
        std::fs::write(&partial, text)?;
        std::fs::rename(&partial, &self.path)
    }
}

/// Today in UTC: the catalogue's day.
pub fn today_utc() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// Whether a copy fetched on `fetched_on` should be fetched again on `today` (at most daily).
pub fn is_stale(fetched_on: Option<Date>, today: Date) -> bool {
    fetched_on.is_none_or(|day| day < today)
}

/// The catalogue to offer: the kept copy when it is from today; else a fresh fetch (kept);
/// else the kept copy however old; else the built-in one. `fetch` runs only when needed.
pub async fn current<F, Fut>(kept: Option<Catalogue>, today: Date, fetch: F) -> (Catalogue, bool)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Option<VideoOffer>, ProviderError>>,
{
    if let Some(kept) = kept.as_ref().filter(|k| !is_stale(k.fetched_on, today)) {
        return (kept.clone(), false);
    }
    match fetch().await {
        Ok(Some(offer)) => (
            Catalogue {
                offer,
                fetched_on: Some(today),
            },
            true,
        ),
        Ok(None) | Err(_) => (
            kept.unwrap_or(Catalogue {
                offer: VideoOffer::built_in(),
                fetched_on: None,
            }),
            false,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_openrouter_catalogue_is_read_for_hailuo_2_3() {
        let body = serde_json::json!({"data": [
            {"id": "other/model", "supported_resolutions": ["4K"]},
            {"id": "minimax/hailuo-2.3", "supported_resolutions": ["1080P"],
             "supported_aspect_ratios": ["16:9"], "supported_durations": [6, "10"],
             "supported_frame_images": ["first_frame"], "generate_audio": false,
             "pricing_skus": {"duration_seconds": "0.0817"}, "brand_new_field": {"x": 1}}
        ]});
        assert_eq!(read_offer(&body), Some(VideoOffer::built_in()));
        assert_eq!(read_offer(&serde_json::json!({"data": []})), None);
    }

    #[tokio::test]
    async fn the_catalogue_is_fetched_at_most_daily_with_the_built_in_copy_offline() {
        let today = date!(2026 - 12 - 02);
        let fresh = Catalogue {
            offer: VideoOffer {
                resolutions: vec!["768p".into(), "1080p".into()],
                ..VideoOffer::built_in()
            },
            fetched_on: Some(today),
        };
        let (got, fetched) = current(Some(fresh.clone()), today, || async {
            panic!("a copy from today is not fetched again")
        })
        .await;
        assert_eq!((got, fetched), (fresh.clone(), false));

        let yesterday = Catalogue {
            fetched_on: Some(date!(2026 - 12 - 01)),
            ..fresh.clone()
        };
        let (got, fetched) = current(Some(yesterday.clone()), today, || async {
            Ok(Some(VideoOffer::built_in()))
        })
        .await;
        assert!(fetched);
        assert_eq!(got.fetched_on, Some(today));
        assert_eq!(got.offer, VideoOffer::built_in());

        let offline = || async {
            Err(ProviderError::NetworkDown {
                provider: Provider::OpenRouter,
                detail: "offline".into(),
            })
        };
        let (got, _) = current(Some(yesterday.clone()), today, offline).await;
        assert_eq!(got, yesterday, "an old copy beats the built-in one");
        let (got, _) = current(None, today, offline).await;
        assert_eq!(got.fetched_on, None);
        assert_eq!(got.offer, VideoOffer::built_in());
    }

    #[test]
    fn the_kept_copy_round_trips_with_its_date() {
        let dir = tempfile::tempdir().unwrap();
        let file = CatalogueFile::in_dir(dir.path());
        assert_eq!(file.load(), None);
        let kept = Catalogue {
            offer: VideoOffer::built_in(),
            fetched_on: Some(date!(2026 - 12 - 02)),
        };
        file.save(&kept).unwrap();
        assert_eq!(file.load(), Some(kept));
    }
}
