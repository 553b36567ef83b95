//! The app's managed state: the core's services, opened once at start-up.

use std::sync::Arc;

use hailuo_core::keys::{KeyStore, OsKeyring};
use hailuo_core::ledger::Ledger;
use hailuo_core::library::{
    Library, LibraryInUse, LibraryLock, LibraryLockError, HEARTBEAT, QUITTING_PATIENCE,
};
use hailuo_core::media_server::MediaServer;
use hailuo_core::pacing::RequestPacer;
use hailuo_core::paths::{OsPlaces, StudioPaths, DATA_DIR_ENV};
use hailuo_core::queue::{GenerationQueue, QueueConfig, QueueParts};
use hailuo_core::settings::{Settings, SettingsError, SettingsFile};
use tauri::{AppHandle, Manager, Runtime};

/// A key store to use instead of the OS keyring, managed on the builder before start-up.
/// Only tests use it: the app itself never falls back from the keyring.
pub struct KeyStoreOverride(pub Arc<dyn KeyStore>);

/// How the generation queue paces itself, managed on the builder before start-up instead of
/// the providers' guidance. Only tests use it, to poll the emulator in milliseconds.
pub struct QueuePacingOverride(pub QueueConfig);

/// Set (to anything) to poll in milliseconds: for the emulator and the GUI harness only.
pub const QUICK_POLLING_ENV: &str = "HAILUO_STUDIO_QUICK_POLLING";

/// Everything the commands reach through `tauri::State`.
pub struct Studio {
    pub paths: StudioPaths,
    pub keys: Arc<dyn KeyStore>,
    settings_file: SettingsFile,
    /// The settings in force. An async lock, held while a change is written, so two quick
    /// changes reach the disk in the order they were made.
    settings: tokio::sync::Mutex<Settings>,
    /// What the creator must be told once the window is up (e.g. a damaged settings file).
    pub startup_notices: Vec<String>,
    /// What every generation was expected to cost and did cost.
    pub ledger: Arc<Ledger>,
    /// The generations on disk; the job runner writes every record through it.
    pub library: Library,
    /// Serves the library's videos and pictures to the player on http://127.0.0.1.
    pub media: Arc<MediaServer>,
    /// Every generation from the click to a playable file; resumed at start. `None` while
    /// another app holds the library: this one must not poll, download or write.
    queue: Option<GenerationQueue>,
    /// Why the library opened read-only, when it did.
    pub read_only_reason: Option<String>,
    /// Held for the app's life so no other app writes this library meanwhile.
    _library_lock: Option<Arc<LibraryLock>>,
    /// The task forwarding generation changes to the window; a reloaded window replaces it.
    pub generation_watch: std::sync::Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
}

impl Studio {
    pub fn open<R: Runtime>(app: &AppHandle<R>) -> Result<Self, Box<dyn std::error::Error>> {
        let paths = StudioPaths::resolve(std::env::var_os(DATA_DIR_ENV), || os_places(app));
        paths.create_all()?;
        // Tests boot several apps in one process: the first one's log serves them all.
        match hailuo_core::logs::start(&paths.log_dir, cfg!(debug_assertions)) {
            Ok(()) => tracing::info!(version = env!("CARGO_PKG_VERSION"), "Hailuo Studio starts"),
            Err(hailuo_core::logs::LogError::AlreadyStarted) => {}
            Err(err) => eprintln!("Hailuo Studio runs without a log file: {err}"),
        }
        let keys = match app.try_state::<KeyStoreOverride>() {
            Some(store) => store.0.clone(),
            None => Arc::new(OsKeyring::new()),
        };
        let settings_file = SettingsFile::in_dir(&paths.config_dir);
        let loaded = settings_file.load();
        if let Some(notice) = &loaded.notice {
            tracing::warn!("{notice}");
        }
        let ledger = Arc::new(Ledger::open(&paths.state_dir)?);
        let in_use = LibraryInUse::in_dir(&paths.state_dir);
        let opening =
            in_use.folder_to_open(&loaded.settings.library_dir_or(&paths.default_library_dir));
        if let Some(notice) = &opening.notice {
            tracing::info!("{notice}");
        }
        let library = Library::open(&opening.folder)?;
        let (library_lock, read_only_reason) = match library.lock_patiently(QUITTING_PATIENCE) {
            Ok(lock) => {
                let lock = Arc::new(lock);
                tauri::async_runtime::spawn(keep_saying_we_hold(lock.clone()));
                if let Err(err) = in_use.remember(&opening.folder) {
                    tracing::warn!("the library folder in use could not be noted: {err}");
                }
                (Some(lock), None)
            }
            Err(err @ LibraryLockError::HeldElsewhere { .. }) => {
                tracing::warn!("the library opened read-only: {err}");
                (None, Some(err.to_string()))
            }
            Err(err) => return Err(err.into()),
        };
        let media = Arc::new(tauri::async_runtime::block_on(MediaServer::start(
            library.clone(),
        ))?);
        hailuo_core::providers::remember_china_host(loaded.settings.minimax_china_host.as_deref());
        let config = match app.try_state::<QueuePacingOverride>() {
            Some(pacing) => pacing.0.clone(),
            None if std::env::var_os(QUICK_POLLING_ENV).is_some() => QueueConfig::quick(),
            None => QueueConfig::default(),
        };
        // Marks submits cut short by the last exit as "may have been charged" before anything
        // else runs, then resumes every unfinished generation.
        let queue = match read_only_reason {
            Some(_) => None,
            None => Some(tauri::async_runtime::block_on(GenerationQueue::start(
                QueueParts {
                    library: library.clone(),
                    ledger: ledger.clone(),
                    keys: keys.clone(),
                    media: Some(media.clone()),
                    pacer: Arc::new(RequestPacer::documented()),
                    base_url_overrides: loaded.settings.base_url_overrides.clone(),
                    config,
                },
            ))?),
        };
        let startup_notices = loaded
            .notice
            .into_iter()
            .chain(opening.notice)
            .chain(read_only_reason.clone())
            .collect();
        Ok(Studio {
            queue,
            read_only_reason,
            _library_lock: library_lock,
            generation_watch: std::sync::Mutex::default(),
            paths,
            keys,
            ledger,
            library,
            media,
            settings_file,
            settings: tokio::sync::Mutex::new(loaded.settings),
            startup_notices,
        })
    }

    /// A copy of the settings in force.
    pub async fn settings(&self) -> Settings {
        self.settings.lock().await.clone()
    }

    /// Checks and stores new settings, then puts them in force; answers them as stored.
    pub async fn replace_settings(&self, new: Settings) -> Result<Settings, SettingsError> {
        self.change_settings(|settings| {
            // The China host that answered is the app's memory, not a field of the form.
            let china_host = settings.minimax_china_host.take();
            *settings = Settings {
                minimax_china_host: new.minimax_china_host.clone().or(china_host),
                ..new
            };
        })
        .await
    }

    /// Changes some settings (e.g. only the library folder), checks them, writes them, and
    /// only then puts them in force. The lock is held throughout, so no change is lost to a
    /// concurrent one.
    pub async fn change_settings(
        &self,
        change: impl FnOnce(&mut Settings),
    ) -> Result<Settings, SettingsError> {
        let mut current = self.settings.lock().await;
        let mut next = current.clone();
        change(&mut next);
        let next = next.validated()?;
        let file = self.settings_file.clone();
        let to_write = next.clone();
        // fsync can take a while on a busy disk: keep it off the async workers.
        tokio::task::spawn_blocking(move || file.save(&to_write))
            .await
            .map_err(|err| SettingsError::Write {
                path: self.settings_file.path().to_path_buf(),
                source: std::io::Error::other(err),
            })??;
        if let Some(queue) = &self.queue {
            queue.set_base_url_overrides(next.base_url_overrides.clone());
        }
        hailuo_core::providers::remember_china_host(next.minimax_china_host.as_deref());
        *current = next.clone();
        Ok(next)
    }

    /// The generation queue, or why this app may not make or follow generations.
    pub fn queue(&self) -> Result<&GenerationQueue, LibraryReadOnly> {
        self.queue.as_ref().ok_or_else(|| {
            LibraryReadOnly(
                self.read_only_reason
                    .clone()
                    .unwrap_or_else(|| "The library is open read-only.".to_owned()),
            )
        })
    }

    /// Where videos are saved now: the folder opened at start. A folder chosen since is
    /// opened at the next start.
    pub fn library_dir(&self) -> &std::path::Path {
        self.library.root()
    }

    /// The folder the creator chose, in use or not yet.
    pub async fn chosen_library_dir(&self) -> std::path::PathBuf {
        self.settings()
            .await
            .library_dir_or(&self.paths.default_library_dir)
    }
}

/// Rewrites the lock's note every `HEARTBEAT`, so a computer sharing the folder through a sync
/// service sees the library is in use.
async fn keep_saying_we_hold(lock: Arc<LibraryLock>) {
    let mut beat = tokio::time::interval(HEARTBEAT);
    // The first tick is at once, and the note was just written.
    beat.tick().await;
    loop {
        beat.tick().await;
        let lock = lock.clone();
        match tokio::task::spawn_blocking(move || lock.refresh()).await {
            Ok(Err(err)) => tracing::warn!("the library's lock note could not be renewed: {err}"),
            Err(err) => tracing::warn!("the library's lock note could not be renewed: {err}"),
            Ok(Ok(())) => {}
        }
    }
}

/// Another app holds the library: the reason, in the creator's words.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LibraryReadOnly(pub String);

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
