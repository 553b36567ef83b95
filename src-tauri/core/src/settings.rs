//! The creator's preferences, kept in `settings.json` in the config folder, never with a key in it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::provider::{Currency, Provider};

/// The file's name inside `StudioPaths::config_dir`.
pub const SETTINGS_FILE: &str = "settings.json";

/// The layout written today. Older files load too: every field has a default.
pub const SETTINGS_VERSION: u32 = 1;

/// Which of MiniMax's two services "MiniMax" means for this creator. Keys are per region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MinimaxRegion {
    #[default]
    Global,
    China,
}

impl MinimaxRegion {
    pub fn provider(self) -> Provider {
        match self {
            MinimaxRegion::Global => Provider::MinimaxGlobal,
            MinimaxRegion::China => Provider::MinimaxChina,
        }
    }

    /// The region of a MiniMax provider; `None` for the other services.
    pub fn of(provider: Provider) -> Option<MinimaxRegion> {
        match provider {
            Provider::MinimaxGlobal => Some(MinimaxRegion::Global),
            Provider::MinimaxChina => Some(MinimaxRegion::China),
            Provider::OpenRouter | Provider::LinkModel => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the OS's light or dark mode.
    #[default]
    System,
    Light,
    Dark,
}

/// Everything the creator can set in Settings except keys, which live in the OS keyring only.
///
/// `#[serde(default)]` on the struct gives every missing field its value from
/// `Settings::default()`, so files written by older versions load unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    pub version: u32,
    /// The service the Create screen starts with; `None` until the creator picks one.
    /// A MiniMax choice follows `minimax_region` (see [`Settings::preferred_provider`]).
    pub default_provider: Option<Provider>,
    pub minimax_region: MinimaxRegion,
    /// Where videos are saved; `None` means `StudioPaths::default_library_dir`.
    pub library_dir: Option<PathBuf>,
    /// Advanced: another address for a service (a proxy or gateway), http(s) only.
    pub base_url_overrides: BTreeMap<Provider, String>,
    /// MiniMax China answers on two host names (`api.minimax.cn`, the older
    /// `api.minimaxi.com`): the base URL that answered the last key test, tried first.
    pub minimax_china_host: Option<String>,
    /// The most the creator wants to spend per calendar month, per currency. Read by the
    /// spending ledger; an absent currency has no limit.
    pub monthly_budgets: BTreeMap<Currency, Decimal>,
    /// Desktop notifications when a video is ready or fails.
    pub notifications: bool,
    pub theme: Theme,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: SETTINGS_VERSION,
            default_provider: None,
            minimax_region: MinimaxRegion::Global,
            library_dir: None,
            base_url_overrides: BTreeMap::new(),
            minimax_china_host: None,
            monthly_budgets: BTreeMap::new(),
            notifications: true,
            theme: Theme::System,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("The address for {provider} is not a web address ({reason}). It should look like https://example.com/api.")]
    BaseUrlInvalid { provider: Provider, reason: String },
    #[error("The address for {provider} must start with https://, so your key is never sent unencrypted. (http:// works only for a test service on this computer.)")]
    BaseUrlNotHttp { provider: Provider },
    #[error("The address for {provider} must not contain a user name or password. Save the API key in the key field instead.")]
    BaseUrlWithCredentials { provider: Provider },
    #[error("The monthly budget in {} can't be negative.", currency_code(*currency))]
    NegativeBudget { currency: Currency },
    #[error("The library folder must be a full path, such as /home/you/Videos.")]
    LibraryNotAbsolute,
    #[error("Hailuo Studio could not save your settings in {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn currency_code(currency: Currency) -> &'static str {
    match currency {
        Currency::Usd => "USD",
        Currency::Cny => "CNY",
    }
}

impl Settings {
    /// Checks what the creator typed and returns the settings as they will be stored: base URLs
    /// trimmed and without a trailing slash, empty overrides dropped, the current version.
    pub fn validated(mut self) -> Result<Settings, SettingsError> {
        let mut overrides = BTreeMap::new();
        for (provider, raw) in std::mem::take(&mut self.base_url_overrides) {
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            overrides.insert(provider, checked_base_url(provider, trimmed)?);
        }
        self.base_url_overrides = overrides;
        if let Some((currency, _)) = self
            .monthly_budgets
            .iter()
            .find(|(_, v)| v.is_sign_negative() && !v.is_zero())
        {
            return Err(SettingsError::NegativeBudget {
                currency: *currency,
            });
        }
        if let Some(dir) = &self.library_dir {
            if !dir.is_absolute() {
                return Err(SettingsError::LibraryNotAbsolute);
            }
        }
        self.version = SETTINGS_VERSION;
        Ok(self)
    }

    /// The service the Create screen starts with: the creator's choice, where a MiniMax choice
    /// means the chosen region's MiniMax.
    pub fn preferred_provider(&self) -> Option<Provider> {
        self.default_provider.map(|provider| {
            if provider.is_minimax() {
                self.minimax_region.provider()
            } else {
                provider
            }
        })
    }

    /// After the key of `removed` is gone: when it was the service new videos start with, the
    /// first service that still has a key takes its place (none when no key is left), so
    /// Settings never names a service that cannot be used.
    pub fn forget_default(&mut self, removed: Provider, has_key: impl Fn(Provider) -> bool) {
        if self.preferred_provider() != Some(removed) {
            return;
        }
        self.default_provider = Provider::ALL
            .into_iter()
            .find(|p| *p != removed && has_key(*p));
        if let Some(region) = self.default_provider.and_then(MinimaxRegion::of) {
            self.minimax_region = region;
        }
    }

    /// Where videos go: the chosen folder, else the default library.
    pub fn library_dir_or(&self, default: &Path) -> PathBuf {
        self.library_dir
            .clone()
            .unwrap_or_else(|| default.to_path_buf())
    }

    /// The creator's address for a service, if they set one (see
    /// `providers::base_url_for`, which weighs it against the environment and the default).
    pub fn base_url_override(&self, provider: Provider) -> Option<&str> {
        self.base_url_overrides.get(&provider).map(String::as_str)
    }
}

fn checked_base_url(provider: Provider, raw: &str) -> Result<String, SettingsError> {
    let url = url::Url::parse(raw).map_err(|err| SettingsError::BaseUrlInvalid {
        provider,
        reason: err.to_string(),
    })?;
    // The key goes with every request: in clear text only to this computer itself.
    let secure =
        url.scheme() == "https" || (url.scheme() == "http" && crate::providers::is_loopback(&url));
    if !secure {
        return Err(SettingsError::BaseUrlNotHttp { provider });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SettingsError::BaseUrlWithCredentials { provider });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(SettingsError::BaseUrlInvalid {
            provider,
            reason: "it has no host name".to_owned(),
        });
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Settings as loaded at start-up, with what the creator should be told about it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedSettings {
    pub settings: Settings,
    /// Set when the file could not be used and defaults were used instead.
    pub notice: Option<String>,
}

/// `settings.json` in the config folder.
#[derive(Debug, Clone)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    pub fn in_dir(config_dir: &Path) -> Self {
        SettingsFile {
            path: config_dir.join(SETTINGS_FILE),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the settings. Never fails: a missing file means defaults, and a file that cannot be
    /// read as settings is kept aside as `settings.json.broken-<time>` so nothing the creator
    /// set is destroyed, and defaults are used with a notice saying so.
    pub fn load(&self) -> LoadedSettings {
        let text = match std::fs::read(&self.path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return LoadedSettings {
                    settings: Settings::default(),
                    notice: None,
                }
            }
            Err(err) => {
                return LoadedSettings {
                    settings: Settings::default(),
                    notice: Some(format!(
                        "Your settings could not be read ({err}), so the usual settings are in use for now. Your saved keys are not affected."
                    )),
                }
            }
        };
        match serde_json::from_slice::<Settings>(&text) {
            Ok(settings) => LoadedSettings {
                settings,
                notice: None,
            },
            Err(err) => {
                let notice = match self.keep_aside() {
                    Ok(kept) => format!(
                        "Your settings file was damaged ({err}), so the usual settings are in use. The old file is kept as {}. Your saved keys are not affected.",
                        kept.display()
                    ),
                    Err(move_err) => format!(
                        "Your settings file was damaged ({err}) and could not be moved aside ({move_err}), so the usual settings are in use. Your saved keys are not affected."
                    ),
                };
                LoadedSettings {
                    settings: Settings::default(),
                    notice: Some(notice),
                }
            }
        }
    }

    fn keep_aside(&self) -> std::io::Result<PathBuf> {
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second]Z"
            ))
            .unwrap_or_else(|_| "unknown-time".to_owned());
        let name = format!("{SETTINGS_FILE}.broken-{stamp}");
        let mut aside = self.path.with_file_name(&name);
        // Two damaged files in one second must not overwrite each other.
        let mut attempt = 1;
        while aside.exists() {
            aside = self.path.with_file_name(format!("{name}-{attempt}"));
            attempt += 1;
        }
        std::fs::rename(&self.path, &aside)?;
        Ok(aside)
    }

    /// Writes the settings atomically: a temporary file in the same folder, flushed to disk,
    /// then renamed over the old one, so a crash leaves either the old or the new file whole.
    pub fn save(&self, settings: &Settings) -> Result<(), SettingsError> {
        let write_error = |source| SettingsError::Write {
            path: self.path.clone(),
            source,
        };
        let dir = self.path.parent().unwrap_or_else(|| Path::new("."));
        std::fs::create_dir_all(dir).map_err(write_error)?;
        let json = serde_json::to_vec_pretty(settings)
            .map_err(|err| write_error(std::io::Error::other(err)))?;
        let mut temp = tempfile::Builder::new()
            .prefix(".settings.json.")
            .tempfile_in(dir)
            .map_err(write_error)?;
        temp.write_all(&json).map_err(write_error)?;
        temp.write_all(b"\n").map_err(write_error)?;
        temp.as_file().sync_all().map_err(write_error)?;
        temp.persist(&self.path)
            .map_err(|err| write_error(err.error))?;
        sync_dir(dir);
        Ok(())
    }
}

/// Makes the rename itself durable where the OS allows opening a folder (not on Windows).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn creator_settings() -> Settings {
        Settings {
            default_provider: Some(Provider::OpenRouter),
            minimax_region: MinimaxRegion::China,
            library_dir: Some(PathBuf::from("/home/ana/Films")),
            base_url_overrides: BTreeMap::from([(
                Provider::LinkModel,
                "https://gateway.example.com/linkmodel".to_owned(),
            )]),
            monthly_budgets: BTreeMap::from([
                (Currency::Usd, dec!(25.50)),
                (Currency::Cny, dec!(180)),
            ]),
            notifications: false,
            theme: Theme::Dark,
            ..Settings::default()
        }
    }

    #[test]
    fn settings_survive_a_save_and_a_load() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        file.save(&creator_settings()).unwrap();
        let loaded = SettingsFile::in_dir(dir.path()).load();
        assert_eq!(loaded.settings, creator_settings());
        assert_eq!(loaded.notice, None);
    }

    #[test]
    fn removing_the_default_services_key_hands_the_default_to_a_service_with_a_key() {
        let mut settings = Settings {
            default_provider: Some(Provider::OpenRouter),
            ..Settings::default()
        };
        settings.forget_default(Provider::OpenRouter, |p| p == Provider::MinimaxChina);
        assert_eq!(settings.default_provider, Some(Provider::MinimaxChina));
        assert_eq!(settings.minimax_region, MinimaxRegion::China);
        assert_eq!(settings.preferred_provider(), Some(Provider::MinimaxChina));

        // Another service's key going away leaves the default alone.
        settings.forget_default(Provider::LinkModel, |_| false);
        assert_eq!(settings.preferred_provider(), Some(Provider::MinimaxChina));

        // The last key gone: no default at all.
        settings.forget_default(Provider::MinimaxChina, |_| false);
        assert_eq!(settings.default_provider, None);
    }

    #[test]
    fn budgets_are_stored_as_exact_amounts_by_currency_code() {
        let json = serde_json::to_value(creator_settings()).unwrap();
        assert_eq!(
            json["monthlyBudgets"],
            serde_json::json!({"USD": "25.50", "CNY": "180"})
        );
        assert_eq!(
            json["baseUrlOverrides"],
            serde_json::json!({"linkmodel": "https://gateway.example.com/linkmodel"})
        );
    }

    #[test]
    fn a_first_run_has_no_file_and_uses_defaults_quietly() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = SettingsFile::in_dir(dir.path()).load();
        assert_eq!(loaded.settings, Settings::default());
        assert!(loaded.settings.notifications);
        assert_eq!(loaded.notice, None);
    }

    #[test]
    fn an_older_file_with_missing_fields_loads_with_defaults_for_them() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            r#"{"defaultProvider": "linkmodel", "theme": "light"}"#,
        )
        .unwrap();
        let loaded = SettingsFile::in_dir(dir.path()).load();
        assert_eq!(loaded.notice, None);
        assert_eq!(loaded.settings.default_provider, Some(Provider::LinkModel));
        assert_eq!(loaded.settings.theme, Theme::Light);
        assert!(loaded.settings.notifications);
        assert_eq!(loaded.settings.minimax_region, MinimaxRegion::Global);
        assert!(loaded.settings.monthly_budgets.is_empty());
    }

    #[test]
    fn a_damaged_file_is_kept_aside_and_defaults_are_used_with_a_notice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        std::fs::write(&path, b"{\"theme\": \"dark\", oops").unwrap();
        let loaded = SettingsFile::in_dir(dir.path()).load();
        assert_eq!(loaded.settings, Settings::default());
        let notice = loaded.notice.expect("the creator is told");
        assert!(notice.contains("damaged"), "{notice}");
        assert!(
            !path.exists(),
            "the damaged file is moved, not left to fail again"
        );
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.starts_with("settings.json.broken-"))
            .collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert!(notice.contains(&kept[0]), "{notice}");
        assert_eq!(
            std::fs::read(dir.path().join(&kept[0])).unwrap(),
            b"{\"theme\": \"dark\", oops"
        );
    }

    #[test]
    fn two_damaged_files_in_a_row_are_both_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        for content in ["first damage", "second damage"] {
            std::fs::write(file.path(), content).unwrap();
            assert!(file.load().notice.is_some());
        }
        let kept = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().starts_with("settings.json.broken-")
            })
            .count();
        assert_eq!(kept, 2);
    }

    #[test]
    fn saving_replaces_the_file_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        file.save(&Settings::default()).unwrap();
        file.save(&creator_settings()).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec![SETTINGS_FILE.to_owned()]);
        assert_eq!(file.load().settings, creator_settings());
    }

    #[test]
    fn base_url_overrides_are_tidied_and_empty_ones_dropped() {
        let settings = Settings {
            base_url_overrides: BTreeMap::from([
                (
                    Provider::OpenRouter,
                    "  https://proxy.example.com/api/v1/ ".to_owned(),
                ),
                (Provider::LinkModel, "   ".to_owned()),
            ]),
            ..Settings::default()
        }
        .validated()
        .unwrap();
        assert_eq!(
            settings.base_url_overrides,
            BTreeMap::from([(
                Provider::OpenRouter,
                "https://proxy.example.com/api/v1".to_owned()
            )])
        );
    }

    #[test]
    fn base_urls_must_be_plain_web_addresses() {
        let with = |url: &str| Settings {
            base_url_overrides: BTreeMap::from([(Provider::MinimaxGlobal, url.to_owned())]),
            ..Settings::default()
        };
        let err = with("ftp://files.example.com").validated().unwrap_err();
        assert!(matches!(err, SettingsError::BaseUrlNotHttp { .. }), "{err}");
        assert!(err.to_string().contains("http://"), "{err}");
        let err = with("api.minimax.io").validated().unwrap_err();
        assert!(matches!(err, SettingsError::BaseUrlInvalid { .. }), "{err}");
        let err = with("https://me:secret@proxy.example.com")
            .validated()
            .unwrap_err();
        assert!(matches!(err, SettingsError::BaseUrlWithCredentials { .. }));
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(with("http://127.0.0.1:8080").validated().is_ok());
    }

    #[test]
    fn a_plain_http_address_to_another_computer_is_refused_so_the_key_never_travels_in_clear() {
        let with = |url: &str| Settings {
            base_url_overrides: BTreeMap::from([(Provider::OpenRouter, url.to_owned())]),
            ..Settings::default()
        };
        for bad in ["http://api.example.com", "http://192.168.1.2:8080/v1"] {
            let err = with(bad).validated().unwrap_err();
            assert!(matches!(err, SettingsError::BaseUrlNotHttp { .. }), "{err}");
            assert!(err.to_string().contains("https://"), "{err}");
        }
        assert!(with("http://localhost:9000").validated().is_ok());
        assert!(with("http://[::1]:9000").validated().is_ok());
    }

    #[test]
    fn a_negative_budget_or_a_relative_library_folder_is_refused() {
        let negative = Settings {
            monthly_budgets: BTreeMap::from([(Currency::Cny, dec!(-1))]),
            ..Settings::default()
        };
        let err = negative.validated().unwrap_err();
        assert_eq!(
            err.to_string(),
            "The monthly budget in CNY can't be negative."
        );
        let relative = Settings {
            library_dir: Some(PathBuf::from("Videos")),
            ..Settings::default()
        };
        assert!(matches!(
            relative.validated(),
            Err(SettingsError::LibraryNotAbsolute)
        ));
    }

    #[test]
    fn a_minimax_default_follows_the_chosen_region() {
        let settings = Settings {
            default_provider: Some(Provider::MinimaxGlobal),
            minimax_region: MinimaxRegion::China,
            ..Settings::default()
        };
        assert_eq!(settings.preferred_provider(), Some(Provider::MinimaxChina));
        let openrouter = Settings {
            default_provider: Some(Provider::OpenRouter),
            ..settings
        };
        assert_eq!(openrouter.preferred_provider(), Some(Provider::OpenRouter));
    }
}
