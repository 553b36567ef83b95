//! "Copy diagnostics": what a supporter needs to help, as plain text, never a key.

use std::fmt::Write as _;
use std::path::Path;

use crate::field_record;
use crate::keys::{KeyStore, KeyStoreError};
use crate::logs;
use crate::paths::StudioPaths;
use crate::provider::Provider;
use crate::settings::Settings;

/// How many of each service's last exchanges the report carries.
pub const FIELD_RECORD_LINES: usize = 10;

/// How many of the log's last lines the report carries.
pub const LOG_LINES: usize = 200;

/// What the report is made from.
pub struct DiagnosticsSources<'a> {
    pub app_version: &'a str,
    pub settings: &'a Settings,
    pub paths: &'a StudioPaths,
    pub library_dir: &'a Path,
    /// Why the library opened read-only, when it did.
    pub read_only_reason: Option<&'a str>,
    pub keys: &'a dyn KeyStore,
}

/// The report. Keys are only said to be there or not; base URLs lose any query; the log lines
/// pass through [`logs::redact`] once more. Reads the key store: call off the async workers.
pub fn diagnostics_report(sources: &DiagnosticsSources<'_>) -> String {
    let mut report = String::new();
    let _ = writeln!(report, "Hailuo Studio {}", sources.app_version);
    let _ = writeln!(report, "Operating system: {}", operating_system());
    if cfg!(target_os = "linux") {
        let _ = writeln!(report, "Web view renderer: {}", linux_renderer());
    }
    let _ = writeln!(report, "Library: {}", sources.library_dir.display());
    match sources.read_only_reason {
        Some(reason) => {
            let _ = writeln!(report, "Library open read-only: {reason}");
        }
        None => {
            let _ = writeln!(report, "Library open read-only: no");
        }
    }
    let _ = writeln!(report, "Log folder: {}", sources.paths.log_dir.display());
    let _ = writeln!(
        report,
        "Settings folder: {}",
        sources.paths.config_dir.display()
    );

    let _ = writeln!(report, "\nAPI keys saved:");
    for provider in Provider::ALL {
        let saved = match sources.keys.get(provider) {
            Ok(Some(_)) => "yes".to_owned(),
            Ok(None) => "no".to_owned(),
            Err(err @ KeyStoreError::Unavailable { .. }) => {
                format!("unknown (the password store cannot be used: {err})")
            }
            Err(KeyStoreError::Malformed(_)) => "yes, but it cannot be read".to_owned(),
        };
        let _ = writeln!(report, "  {}: {saved}", provider.display_name());
    }

    let _ = writeln!(report, "\nSettings:");
    let settings = sources.settings;
    let _ = writeln!(
        report,
        "  default service: {}",
        settings
            .default_provider
            .map_or("not chosen", Provider::display_name)
    );
    let _ = writeln!(report, "  MiniMax region: {:?}", settings.minimax_region);
    let _ = writeln!(report, "  notifications: {}", settings.notifications);
    let _ = writeln!(report, "  theme: {:?}", settings.theme);
    for (currency, budget) in &settings.monthly_budgets {
        let _ = writeln!(report, "  monthly budget: {budget} {currency:?}");
    }
    for provider in Provider::ALL {
        let (address, whose) = match settings.base_url_overrides.get(&provider) {
            Some(address) => (without_query(address), "set in Settings"),
            None => (provider.default_base_url().to_owned(), "default"),
        };
        let _ = writeln!(
            report,
            "  {} address: {address} ({whose})",
            provider.display_name()
        );
    }

    let _ = writeln!(
        report,
        "  MiniMax China host in use: {}",
        settings
            .minimax_china_host
            .as_deref()
            .map_or_else(|| "not tested yet".to_owned(), without_query)
    );

    let _ = writeln!(report, "\nLast exchanges with each service (field record):");
    let services = field_record::recent(&sources.paths.log_dir, FIELD_RECORD_LINES);
    if services.is_empty() {
        let _ = writeln!(report, "  none yet");
    }
    for (service, exchanges) in services {
        let _ = writeln!(report, "  {service}, last {}:", exchanges.len());
        for exchange in exchanges {
            let _ = writeln!(report, "  {exchange}");
        }
    }

    let lines = logs::recent_lines(&sources.paths.log_dir, LOG_LINES);
    let _ = writeln!(report, "\nLast {} log lines:", lines.len());
    for line in lines {
        let _ = writeln!(report, "{line}");
    }
    logs::redact(&report)
}

/// An address without its query or fragment, which could carry a token.
fn without_query(address: &str) -> String {
    match url::Url::parse(address) {
        Ok(mut url) => {
            url.set_query(None);
            url.set_fragment(None);
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        Err(_) => "(not a web address)".to_owned(),
    }
}

/// Which WebKitGTK renderer draws the window: the app turns DMA-BUF off where no GPU is found,
/// and a drawing problem on a creator's machine often comes down to this.
fn linux_renderer() -> &'static str {
    match std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER") {
        Some(value) if value != "0" => "DMA-BUF off",
        _ => "DMA-BUF",
    }
}

/// The OS family and architecture, with the distribution's name on Linux.
fn operating_system() -> String {
    let family = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|release| {
            release.lines().find_map(|line| {
                line.strip_prefix("PRETTY_NAME=")
                    .map(|name| name.trim_matches('"').to_owned())
            })
        });
    match pretty {
        Some(name) => format!("{family} ({name})"),
        None => family,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::keys::MemoryKeyStore;
    use secrecy::SecretString;

    #[test]
    fn copy_diagnostics_includes_the_field_record_without_keys_or_pictures() {
        let dir = tempfile::tempdir().unwrap();
        let paths = StudioPaths::under(dir.path());
        std::fs::create_dir_all(&paths.log_dir).unwrap();
        let key = "sk-api-secret-key-987654321";
        field_record::write_now(
            &paths.log_dir,
            &field_record::Exchange {
                at: "Wed, 02 Dec 2026 05:00:00 GMT".into(),
                service: "minimax-china".into(),
                method: "POST".into(),
                path: "/v1/video_generation".into(),
                status: Some(200),
                elapsed_ms: 40,
                request_headers: Default::default(),
                request_body: Some(field_record::redact_body_with_key(
                    &format!(
                        r#"{{"first_frame_image":"data:image/png;base64,iVBORw0KGgoAAAA","echo":"{key}"}}"#
                    ),
                    Some(key),
                )),
                response_headers: Default::default(),
                response_body: Some(
                    r#"{"task_id":"106916112212032","base_resp":{"status_code":0}}"#.into(),
                ),
                error: None,
            },
        );
        let settings = Settings {
            minimax_china_host: Some("https://api.minimax.cn".into()),
            ..Settings::default()
        };
        let report = diagnostics_report(&DiagnosticsSources {
            app_version: "0.1.0",
            settings: &settings,
            paths: &paths,
            library_dir: &paths.default_library_dir,
            read_only_reason: None,
            keys: &MemoryKeyStore::default(),
        });
        assert!(report.contains("minimax-china, last 1:"), "{report}");
        assert!(report.contains("106916112212032"), "{report}");
        assert!(
            report.contains("MiniMax China host in use: https://api.minimax.cn"),
            "{report}"
        );
        assert!(!report.contains(key), "{report}");
        assert!(!report.contains("data:image"), "{report}");
    }

    #[test]
    fn the_report_says_which_keys_exist_but_never_what_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let paths = StudioPaths::under(dir.path());
        std::fs::create_dir_all(&paths.log_dir).unwrap();
        std::fs::write(
            paths.log_dir.join("hailuo-studio.2026-11-21.log"),
            "INFO provider request provider=\"openrouter\" endpoint=\"/api/v1/videos\" status=202\n",
        )
        .unwrap();
        let keys = MemoryKeyStore::default();
        keys.set(
            Provider::OpenRouter,
            &SecretString::from("sk-or-v1-secret-1234"),
        )
        .unwrap();
        let mut settings = Settings::default();
        settings.base_url_overrides.insert(
            Provider::LinkModel,
            "https://gateway.example/api/v1?token=abc".into(),
        );
        let report = diagnostics_report(&DiagnosticsSources {
            app_version: "0.1.0",
            settings: &settings,
            paths: &paths,
            library_dir: &paths.default_library_dir,
            read_only_reason: None,
            keys: &keys,
        });
        assert!(!report.contains("sk-or-v1-secret-1234"), "{report}");
        assert!(report.contains("OpenRouter: yes"), "{report}");
        assert!(report.contains("LinkModel: no"), "{report}");
        assert!(
            report.contains("LinkModel address: https://gateway.example/api/v1 (set in Settings)"),
            "{report}"
        );
        assert!(!report.contains("token=abc"), "{report}");
        assert!(
            report.contains("OpenRouter address: https://openrouter.ai/api/v1 (default)"),
            "{report}"
        );
        assert!(report.contains("Last 1 log lines:"), "{report}");
        assert!(report.contains("endpoint=\"/api/v1/videos\""), "{report}");
        assert!(report.contains(std::env::consts::OS), "{report}");
    }
}
