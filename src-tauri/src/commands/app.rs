//! Commands about the app itself: what the first screen needs to know.

use hailuo_core::diagnostics::{diagnostics_report, DiagnosticsSources};
use hailuo_core::keys::KeyStoreError;
use hailuo_core::Provider;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use super::CommandError;
use crate::Studio;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub version: &'static str,
    /// Providers with a saved key; empty on first run. Returning creators have at least one.
    pub providers_with_keys: Vec<Provider>,
    /// Set when the OS password store cannot be used: what happened and what to do. The app
    /// still opens, and no key is kept anywhere else meanwhile.
    pub keyring_problem: Option<String>,
    /// Where videos are saved now (the creator's choice, else the default).
    pub library_dir: String,
    pub default_library_dir: String,
    /// Things to tell the creator once, e.g. that a damaged settings file was set aside.
    pub notices: Vec<String>,
    /// Set when another copy of the app holds the library: why this one only shows it.
    pub library_read_only: Option<String>,
}

#[tauri::command]
pub async fn app_status(studio: State<'_, Studio>) -> Result<AppStatus, CommandError> {
    let keys = studio.keys.clone();
    // The keyring blocks on D-Bus.
    let found = tokio::task::spawn_blocking(move || {
        Provider::ALL
            .into_iter()
            .filter_map(|p| match keys.get(p) {
                Ok(Some(_)) => Some(Ok(p)),
                Ok(None) => None,
                Err(err) => Some(Err(err)),
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let (providers_with_keys, keyring_problem) = match found {
        Ok(providers) => (providers, None),
        Err(err @ KeyStoreError::Unavailable { .. }) => (Vec::new(), Some(err.to_string())),
        Err(err) => return Err(err.into()),
    };
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION"),
        providers_with_keys,
        keyring_problem,
        library_dir: studio.library_dir().display().to_string(),
        default_library_dir: studio.paths.default_library_dir.display().to_string(),
        notices: studio.startup_notices.clone(),
        library_read_only: studio.read_only_reason.clone(),
    })
}

/// The text "Copy diagnostics" puts on the clipboard: version, OS, settings, which services
/// have a key (never the key), and the log's last lines.
#[tauri::command]
pub async fn copy_diagnostics(studio: State<'_, Studio>) -> Result<String, CommandError> {
    let settings = studio.settings().await;
    let library_dir = studio.library_dir().to_path_buf();
    let paths = studio.paths.clone();
    let keys = studio.keys.clone();
    let read_only_reason = studio.read_only_reason.clone();
    // The keyring blocks on D-Bus, and the log is read from disk.
    let report = tokio::task::spawn_blocking(move || {
        diagnostics_report(&DiagnosticsSources {
            app_version: env!("CARGO_PKG_VERSION"),
            settings: &settings,
            paths: &paths,
            library_dir: &library_dir,
            read_only_reason: read_only_reason.as_deref(),
            keys: keys.as_ref(),
        })
    })
    .await?;
    Ok(report)
}

/// Restarts the app, so a library folder chosen in Settings is opened. Generations in progress
/// are followed on after the start, from their records on disk.
#[tauri::command]
pub fn restart_app<R: Runtime>(app: AppHandle<R>) {
    tracing::info!("restarting at the creator's request");
    app.request_restart();
}
