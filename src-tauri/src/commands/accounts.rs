//! Commands about API keys: a key comes in once, and the webview only ever learns that it is
//! saved and how it ends.

use std::time::Duration;

use hailuo_core::key_test::{other_region, KeyTest};
use hailuo_core::keys::{KeyStoreError, PastedKey, SavedKey};
use hailuo_core::providers::{
    base_url_for, http_client, ProviderClient, ProviderError, RetryPolicy,
};
use hailuo_core::settings::MinimaxRegion;
use hailuo_core::Provider;
use secrecy::SecretString;
use tauri::State;

use super::CommandError;
use crate::Studio;

#[tauri::command]
pub async fn list_saved_keys(studio: State<'_, Studio>) -> Result<Vec<SavedKey>, CommandError> {
    let keys = studio.keys.clone();
    let saved = tokio::task::spawn_blocking(move || {
        let mut saved = Vec::new();
        for provider in Provider::ALL {
            if let Some(key) = keys.get(provider)? {
                saved.push(SavedKey::describe(provider, &key));
            }
        }
        Ok::<_, KeyStoreError>(saved)
    })
    .await??;
    Ok(saved)
}

/// Saves (or replaces) the key for one provider in the OS keyring. While no service with a
/// key is the default (a first run, or after the default's key was removed or refused), the
/// service of the key just saved becomes the default, so onboarding ends ready to create.
#[tauri::command]
pub async fn save_key(
    studio: State<'_, Studio>,
    provider: Provider,
    key: PastedKey,
) -> Result<SavedKey, CommandError> {
    let key = key.clean()?;
    let keys = studio.keys.clone();
    let default = studio.settings().await.default_provider;
    let (saved, default_has_key) = tokio::task::spawn_blocking(move || {
        keys.set(provider, &key)?;
        let default_has_key = match default {
            Some(default) if default != provider => keys.get(default)?.is_some(),
            Some(_) => true,
            None => false,
        };
        Ok::<_, KeyStoreError>((SavedKey::describe(provider, &key), default_has_key))
    })
    .await??;
    tracing::info!(provider = provider.id(), "API key saved");
    if !default_has_key {
        studio
            .change_settings(|settings| {
                settings.default_provider = Some(provider);
                if let Some(region) = MinimaxRegion::of(provider) {
                    settings.minimax_region = region;
                }
            })
            .await?;
    }
    Ok(saved)
}

/// Forgets the key for one provider. Removing a key that is not there is not an error.
#[tauri::command]
pub async fn remove_key(studio: State<'_, Studio>, provider: Provider) -> Result<(), CommandError> {
    let keys = studio.keys.clone();
    let with_keys = tokio::task::spawn_blocking(move || {
        keys.remove(provider)?;
        Provider::ALL
            .into_iter()
            .filter_map(|p| keys.get(p).map(|key| key.map(|_| p)).transpose())
            .collect::<Result<Vec<_>, KeyStoreError>>()
    })
    .await??;
    tracing::info!(provider = provider.id(), "API key removed");
    studio
        .change_settings(|settings| settings.forget_default(provider, |p| with_keys.contains(&p)))
        .await?;
    Ok(())
}

/// Tests the saved key of one provider without spending anything (providers.md: OpenRouter's
/// `GET /key`, a query of a task that does not exist elsewhere) and answers a plain verdict.
#[tauri::command]
pub async fn test_key(
    studio: State<'_, Studio>,
    provider: Provider,
) -> Result<KeyTest, CommandError> {
    let keys = studio.keys.clone();
    let key = tokio::task::spawn_blocking(move || keys.get(provider))
        .await??
        .ok_or_else(|| {
            CommandError::new(
                "no-key",
                format!("No {provider} key is saved yet. Paste one first, then test it."),
            )
        })?;
    check_key(&studio, provider, key).await
}

/// Tests a pasted key without saving it, so a mistyped replacement never overwrites a key that
/// works: the UI saves it (`save_key`) only once this says it may be kept.
#[tauri::command]
pub async fn try_key(
    studio: State<'_, Studio>,
    provider: Provider,
    key: PastedKey,
) -> Result<KeyTest, CommandError> {
    let key = key.clean()?;
    check_key(&studio, provider, key).await
}

async fn check_key(
    studio: &Studio,
    provider: Provider,
    key: SecretString,
) -> Result<KeyTest, CommandError> {
    let settings = studio.settings().await;
    let http = http_client().map_err(|err| {
        CommandError::new(
            "internal",
            format!("Hailuo Studio could not prepare its connection to {provider}: {err}"),
        )
    })?;
    // Both MiniMax regions may be asked, so both addresses are checked up front.
    let mut bases = Vec::new();
    for candidate in std::iter::once(provider).chain(other_region(provider)) {
        let base = base_url_for(candidate, settings.base_url_override(candidate))
            .map_err(|err| CommandError::new("settings-invalid", err.to_string()))?;
        bases.push((candidate, base));
    }
    let check = |asked: Provider| {
        let base = bases
            .iter()
            .find(|(p, _)| *p == asked)
            .map(|(_, base)| base.clone());
        let client = base.map(|base| {
            ProviderClient::new(asked, base, key.clone(), http.clone())
                .with_retry_policy(key_test_policy())
        });
        async move {
            match client {
                Some(client) => client.check_key().await,
                None => Err(ProviderError::NetworkDown {
                    provider: asked,
                    detail: "no address for this service".to_owned(),
                }),
            }
        }
    };
    let answer = hailuo_core::key_test::test_key(provider, &key, check).await;
    tracing::info!(provider = provider.id(), verdict = ?answer.verdict, host = ?answer.host, "API key tested");
    // MiniMax China answers on two host names: the one that took this key is tried first by
    // every generation from now on (and kept across starts).
    if provider == Provider::MinimaxChina {
        if let Some(base_url) = answer.base_url.clone() {
            if settings.minimax_china_host.as_deref() != Some(base_url.as_str()) {
                studio
                    .change_settings(|settings| settings.minimax_china_host = Some(base_url))
                    .await?;
            }
        }
    }
    Ok(answer)
}

/// A page of a service's own website the creator may need: where keys are made, where credit is
/// bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServicePage {
    Keys,
    Billing,
}

/// The only addresses the app opens in the browser: one key page and one billing page per
/// service, all https on the service's own site. The webview names a page, never an address.
pub fn service_page_url(provider: Provider, page: ServicePage) -> &'static str {
    match (provider, page) {
        (Provider::MinimaxGlobal, ServicePage::Keys) => {
            "https://www.minimax.io/platform/user-center/basic-information/interface-key"
        }
        (Provider::MinimaxGlobal, ServicePage::Billing) => {
            "https://www.minimax.io/platform/user-center/payment/balance"
        }
        (Provider::MinimaxChina, ServicePage::Keys) => {
            "https://platform.minimaxi.com/user-center/basic-information/interface-key"
        }
        (Provider::MinimaxChina, ServicePage::Billing) => {
            "https://platform.minimaxi.com/user-center/payment/balance"
        }
        (Provider::OpenRouter, ServicePage::Keys) => "https://openrouter.ai/settings/keys",
        (Provider::OpenRouter, ServicePage::Billing) => "https://openrouter.ai/settings/credits",
        // LinkModel documents no deep links: its site, where the creator signs in.
        (Provider::LinkModel, _) => "https://linkmodel.ai/",
    }
}

/// Opens a service's key or billing page in the system browser. From Rust, with the address
/// taken from `service_page_url`, so the webview gets no power to open other addresses.
#[tauri::command]
pub async fn open_service_page(provider: Provider, page: ServicePage) -> Result<(), CommandError> {
    let url = service_page_url(provider, page);
    tokio::task::spawn_blocking(move || tauri_plugin_opener::open_url(url, None::<&str>))
        .await?
        .map_err(|err| {
            CommandError::new(
                "cannot-open-browser",
                format!(
                    "Hailuo Studio could not open your web browser. Go to {url} yourself. ({err})"
                ),
            )
        })
}

/// A creator is waiting on the Test button: one quick retry, then an answer.
fn key_test_policy() -> RetryPolicy {
    RetryPolicy {
        first_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(2),
        max_retries: 1,
        max_retry_after: Duration::from_secs(3),
        request_timeout: Duration::from_secs(20),
        ..RetryPolicy::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_page_is_https_on_the_services_own_site() {
        for provider in Provider::ALL {
            for page in [ServicePage::Keys, ServicePage::Billing] {
                let url = tauri::Url::parse(service_page_url(provider, page))
                    .unwrap_or_else(|err| panic!("{provider} {page:?}: {err}"));
                assert_eq!(url.scheme(), "https", "{url}");
                let host = url.host_str().unwrap_or_default();
                let site = match provider {
                    Provider::MinimaxGlobal => "minimax.io",
                    Provider::MinimaxChina => "minimaxi.com",
                    Provider::OpenRouter => "openrouter.ai",
                    Provider::LinkModel => "linkmodel.ai",
                };
                assert!(host == site || host.ends_with(&format!(".{site}")), "{url}");
            }
        }
    }
}
