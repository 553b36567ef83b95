//! Commands about the app itself: what the first screen needs to know.

use hailuo_core::Provider;
use serde::Serialize;
use tauri::State;

use super::CommandError;
use crate::Studio;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub version: &'static str,
    /// Providers with a saved key; empty on first run.
    pub providers_with_keys: Vec<Provider>,
    pub library_dir: String,
}

#[tauri::command]
pub async fn app_status(studio: State<'_, Studio>) -> Result<AppStatus, CommandError> {
    let keys = studio.keys.clone();
    // The keyring blocks on D-Bus.
    let providers_with_keys = tokio::task::spawn_blocking(move || {
        Provider::ALL
            .into_iter()
            .filter_map(|p| match keys.get(p) {
                Ok(Some(_)) => Some(Ok(p)),
                Ok(None) => None,
                Err(err) => Some(Err(err)),
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await??;
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION"),
        providers_with_keys,
        library_dir: studio.paths.default_library_dir.display().to_string(),
    })
}
