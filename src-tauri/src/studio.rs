//! The app's managed state: the core's services, opened once at start-up.

use std::sync::Arc;

use hailuo_core::keys::{KeyStore, OsKeyring};
use hailuo_core::library::{local_now, Library};
use hailuo_core::media_server::MediaServer;
use hailuo_core::paths::{OsPlaces, StudioPaths, DATA_DIR_ENV};
use tauri::{AppHandle, Manager, Runtime};

/// A key store to use instead of the OS keyring, managed on the builder before start-up.
/// Only tests use it: the app itself never falls back from the keyring.
pub struct KeyStoreOverride(pub Arc<dyn KeyStore>);

/// Everything the commands reach through `tauri::State`.
pub struct Studio {
    pub paths: StudioPaths,
    pub keys: Arc<dyn KeyStore>,
    /// The generations on disk; the job runner writes every record through it.
    pub library: Library,
    /// Serves the library's videos and pictures to the player on http://127.0.0.1.
    pub media: MediaServer,
}

impl Studio {
    pub fn open<R: Runtime>(app: &AppHandle<R>) -> Result<Self, Box<dyn std::error::Error>> {
        let paths = StudioPaths::resolve(std::env::var_os(DATA_DIR_ENV), || os_places(app));
        paths.create_all()?;
        let keys = match app.try_state::<KeyStoreOverride>() {
            Some(store) => store.0.clone(),
            None => Arc::new(OsKeyring::new()),
        };
        // Until Settings can choose another folder, the library is the default one (which
        // HAILUO_STUDIO_DATA_DIR moves).
        let library = Library::open(&paths.default_library_dir)?;
        // Before any job runs: a submit cut short by the last exit may have been charged.
        if let Err(err) = library.mark_interrupted_submits(local_now()) {
            tracing::warn!("the library could not be checked for interrupted submits: {err}");
        }
        let media = tauri::async_runtime::block_on(MediaServer::start(library.clone()))?;
        Ok(Studio {
            paths,
            keys,
            library,
            media,
        })
    }
}

fn os_places<R: Runtime>(app: &AppHandle<R>) -> OsPlaces {
    let path = app.path();
    let fallback = std::env::temp_dir().join("hailuo-studio");
    OsPlaces {
        config_dir: path
            .app_config_dir()
            .unwrap_or_else(|_| fallback.join("config")),
        data_dir: path
            .app_data_dir()
            .unwrap_or_else(|_| fallback.join("data")),
        log_dir: path.app_log_dir().unwrap_or_else(|_| fallback.join("logs")),
        video_dir: path.video_dir().ok(),
        home_dir: path.home_dir().ok(),
    }
}
