//! What OpenRouter offers for Hailuo 2.3 (its catalogue), for the Create screen: fetched with
//! the key at most daily, kept with its date, the built-in copy when offline or without a key.

use std::time::Duration;

use hailuo_core::providers::catalogue::{self, Catalogue, CatalogueFile};
use hailuo_core::providers::{base_url_for, http_client, ProviderClient, RetryPolicy};
use hailuo_core::Provider;
use tauri::State;

use super::CommandError;
use crate::Studio;

#[tauri::command]
pub async fn openrouter_offer(studio: State<'_, Studio>) -> Result<Catalogue, CommandError> {
    let file = CatalogueFile::in_dir(&studio.paths.state_dir);
    let keys = studio.keys.clone();
    let reading = file.clone();
    let (kept, key) = tokio::task::spawn_blocking(move || {
        (
            reading.load(),
            keys.get(Provider::OpenRouter).ok().flatten(),
        )
    })
    .await
    .map_err(|err| CommandError::new("internal", err.to_string()))?;
    let settings = studio.settings().await;
    let today = catalogue::today_utc();
    let client = match (key, http_client()) {
        (Some(key), Ok(http)) => base_url_for(
            Provider::OpenRouter,
            settings.base_url_override(Provider::OpenRouter),
        )
        .ok()
        .map(|base| {
            ProviderClient::new(Provider::OpenRouter, base, key, http).with_retry_policy(
                RetryPolicy {
                    max_retries: 1,
                    request_timeout: Duration::from_secs(15),
                    ..RetryPolicy::default()
                },
            )
        }),
        _ => None,
    };
    let (current, fetched) = catalogue::current(kept, today, || async {
        match &client {
            Some(client) => client.openrouter_catalogue().await,
            None => Ok(None),
        }
    })
    .await;
    if fetched {
        let keep = current.clone();
        let saved = tokio::task::spawn_blocking(move || file.save(&keep)).await;
        if let Ok(Err(err)) = saved {
            tracing::warn!("the OpenRouter catalogue could not be kept: {err}");
        }
    }
    Ok(current)
}
