//! Commands about API keys: the webview only ever learns that a key is saved and how it ends.

use hailuo_core::keys::SavedKey;
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
        Ok::<_, hailuo_core::keys::KeyStoreError>(saved)
    })
    .await??;
    Ok(saved)
}
