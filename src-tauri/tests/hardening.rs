//! One app per library and "Copy diagnostics", through the real wiring on Tauri's mock runtime.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::{boot_in, ok, refused};
use hailuo_core::keys::{KeyStore, MemoryKeyStore};
use hailuo_core::Provider;
use secrecy::SecretString;
use serde_json::json;

const OPENROUTER_KEY: &str = "sk-or-v1-diagnostics-never-show-me";

fn keys() -> Arc<MemoryKeyStore> {
    let keys = Arc::new(MemoryKeyStore::default());
    keys.set(Provider::OpenRouter, &SecretString::from(OPENROUTER_KEY))
        .unwrap();
    keys
}

#[test]
fn copy_diagnostics_says_which_keys_exist_without_them() {
    let data = tempfile::tempdir().unwrap();
    let app = boot_in(data.path(), keys());
    let mut settings = ok(&app, "get_settings", json!({}));
    settings["baseUrlOverrides"] = json!({ "linkmodel": "https://gateway.example/api/v1" });
    ok(&app, "update_settings", json!({ "settings": settings }));

    let report = ok(&app, "copy_diagnostics", json!({}));
    let report = report.as_str().expect("the report is text");
    assert!(
        report.starts_with(&format!("Hailuo Studio {}", env!("CARGO_PKG_VERSION"))),
        "{report}"
    );
    assert!(report.contains("Operating system: "), "{report}");
    assert!(report.contains("OpenRouter: yes"), "{report}");
    assert!(report.contains("MiniMax: no"), "{report}");
    assert!(
        report.contains("LinkModel address: https://gateway.example/api/v1 (set in Settings)"),
        "{report}"
    );
    assert!(report.contains("log lines:"), "{report}");
    assert!(!report.contains(OPENROUTER_KEY), "{report}");
}

#[test]
fn a_second_app_on_the_same_library_opens_it_read_only_and_says_why() {
    let data = tempfile::tempdir().unwrap();
    let first = boot_in(data.path(), keys());
    let first_status = ok(&first, "app_status", json!({}));
    assert_eq!(first_status["libraryReadOnly"], json!(null));

    let second = boot_in(data.path(), keys());
    let status = ok(&second, "app_status", json!({}));
    let why = status["libraryReadOnly"]
        .as_str()
        .expect("the second app says the library is read-only");
    assert!(why.contains("Another copy of Hailuo Studio"), "{why}");
    assert!(
        status["notices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == why),
        "{status:#}"
    );

    let err = refused(
        &second,
        "start_generation",
        json!({ "request": {
            "provider": "openrouter",
            "model": "hailuo-2.3",
            "prompt": "A paper boat on a rainy street",
            "duration": 6,
            "resolution": "768P",
        }}),
    );
    assert_eq!(err["kind"], "library-read-only", "{err}");
    assert_eq!(err["message"], why);
    // The library itself is still there to look at.
    ok(&second, "library_list", json!({}));

    drop(first);
}
