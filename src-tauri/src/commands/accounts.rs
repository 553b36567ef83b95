//! Commands about API keys: a key comes in once, and the webview only ever learns that it is
//! saved and how it ends.

use hailuo_core::keys::{KeyStoreError, PastedKey, SavedKey};
use hailuo_core::settings::MinimaxRegion;
use hailuo_core::Provider;
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

/// Saves (or replaces) the key for one provider in the OS keyring. The first key a creator
/// saves also makes its provider the default, so onboarding ends ready to create.
#[tauri::command]
pub async fn save_key(
    studio: State<'_, Studio>,
    provider: Provider,
    key: PastedKey,
) -> Result<SavedKey, CommandError> {
    let key = key.clean()?;
    let keys = studio.keys.clone();
    let saved = tokio::task::spawn_blocking(move || {
        keys.set(provider, &key)?;
        Ok::<_, KeyStoreError>(SavedKey::describe(provider, &key))
    })
    .await??;
    tracing::info!(provider = provider.id(), "API key saved");
    if studio.settings().await.default_provider.is_none() {
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
    tokio::task::spawn_blocking(move || keys.remove(provider)).await??;
    tracing::info!(provider = provider.id(), "API key removed");
    Ok(())
}
