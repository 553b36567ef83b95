//! Keys and settings through the real commands: a key goes in once and only its ending comes
//! back; settings survive a restart; a broken keyring is reported, never worked around.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::{boot_in, ok, refused};
use hailuo_core::keys::{KeyStore, KeyStoreError, MemoryKeyStore};
use hailuo_core::Provider;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

fn memory() -> Arc<MemoryKeyStore> {
    Arc::new(MemoryKeyStore::default())
}

#[test]
fn a_pasted_key_is_saved_cleaned_and_only_its_ending_comes_back() {
    let data = tempfile::tempdir().unwrap();
    let keys = memory();
    let app = boot_in(data.path(), keys.clone());
    let saved = ok(
        &app,
        "save_key",
        json!({"provider": "openrouter", "key": "  Bearer sk-or-v1-secret-abcdef123456wxyz\n"}),
    );
    assert_eq!(saved, json!({"provider": "openrouter", "endsWith": "wxyz"}));
    assert_eq!(
        keys.get(Provider::OpenRouter)
            .unwrap()
            .unwrap()
            .expose_secret(),
        "sk-or-v1-secret-abcdef123456wxyz"
    );
    assert_eq!(
        ok(&app, "list_saved_keys", json!({})),
        json!([{"provider": "openrouter", "endsWith": "wxyz"}])
    );
    let status = ok(&app, "app_status", json!({}));
    assert_eq!(status["providersWithKeys"], json!(["openrouter"]));
}

#[test]
fn a_key_can_be_replaced_and_removed() {
    let data = tempfile::tempdir().unwrap();
    let keys = memory();
    let app = boot_in(data.path(), keys.clone());
    ok(
        &app,
        "save_key",
        json!({"provider": "linkmodel", "key": "lm-first-key-1111"}),
    );
    let replaced = ok(
        &app,
        "save_key",
        json!({"provider": "linkmodel", "key": "lm-second-key-2222"}),
    );
    assert_eq!(replaced["endsWith"], "2222");
    assert_eq!(
        keys.get(Provider::LinkModel)
            .unwrap()
            .unwrap()
            .expose_secret(),
        "lm-second-key-2222"
    );
    ok(&app, "remove_key", json!({"provider": "linkmodel"}));
    assert!(keys.get(Provider::LinkModel).unwrap().is_none());
    assert_eq!(ok(&app, "list_saved_keys", json!({})), json!([]));
    // Removing again is not an error: the key is gone, as asked.
    ok(&app, "remove_key", json!({"provider": "linkmodel"}));
}

#[test]
fn each_minimax_region_keeps_its_own_key() {
    let data = tempfile::tempdir().unwrap();
    let keys = memory();
    let app = boot_in(data.path(), keys.clone());
    ok(
        &app,
        "save_key",
        json!({"provider": "minimax-global", "key": "mm-global-key-aaaa"}),
    );
    ok(
        &app,
        "save_key",
        json!({"provider": "minimax-china", "key": "mm-china-key-bbbb"}),
    );
    assert_eq!(
        ok(&app, "list_saved_keys", json!({})),
        json!([
            {"provider": "minimax-global", "endsWith": "aaaa"},
            {"provider": "minimax-china", "endsWith": "bbbb"}
        ])
    );
}

#[test]
fn text_that_cannot_be_a_key_is_refused_without_being_echoed() {
    let data = tempfile::tempdir().unwrap();
    let keys = memory();
    let app = boot_in(data.path(), keys.clone());
    let err = refused(
        &app,
        "save_key",
        json!({"provider": "openrouter", "key": "sk-or-v1 half-of-a-secret"}),
    );
    assert_eq!(err["kind"], "key-malformed");
    assert!(!err.to_string().contains("half-of-a-secret"), "{err}");
    // A key sent as something other than text: serde would normally quote it.
    let err = refused(
        &app,
        "save_key",
        json!({"provider": "openrouter", "key": 98765432109876_u64}),
    );
    assert!(!err.to_string().contains("98765432109876"), "{err}");
    let err = refused(
        &app,
        "save_key",
        json!({"provider": "openrouter", "key": ["sk-in-a-list-123"]}),
    );
    assert!(!err.to_string().contains("sk-in-a-list"), "{err}");
    assert!(keys.get(Provider::OpenRouter).unwrap().is_none());
}

#[test]
fn the_first_saved_key_becomes_the_default_service_and_later_ones_do_not() {
    let data = tempfile::tempdir().unwrap();
    let app = boot_in(data.path(), memory());
    assert_eq!(
        ok(&app, "get_settings", json!({}))["defaultProvider"],
        json!(null)
    );
    ok(
        &app,
        "save_key",
        json!({"provider": "minimax-china", "key": "mm-china-key-cccc"}),
    );
    let settings = ok(&app, "get_settings", json!({}));
    assert_eq!(settings["defaultProvider"], "minimax-china");
    assert_eq!(settings["minimaxRegion"], "china");
    ok(
        &app,
        "save_key",
        json!({"provider": "openrouter", "key": "sk-or-v1-dddddddd"}),
    );
    assert_eq!(
        ok(&app, "get_settings", json!({}))["defaultProvider"],
        "minimax-china"
    );
}

#[test]
fn removing_the_default_services_key_makes_a_service_with_a_key_the_default() {
    let data = tempfile::tempdir().unwrap();
    let app = boot_in(data.path(), memory());
    for (provider, key) in [
        ("openrouter", "sk-or-v1-dddddddd"),
        ("linkmodel", "lm-key-eeeeeeee"),
    ] {
        ok(&app, "save_key", json!({"provider": provider, "key": key}));
    }
    assert_eq!(
        ok(&app, "get_settings", json!({}))["defaultProvider"],
        "openrouter"
    );
    ok(&app, "remove_key", json!({"provider": "openrouter"}));
    assert_eq!(
        ok(&app, "get_settings", json!({}))["defaultProvider"],
        "linkmodel"
    );
    ok(&app, "remove_key", json!({"provider": "linkmodel"}));
    assert_eq!(
        ok(&app, "get_settings", json!({}))["defaultProvider"],
        json!(null)
    );
}

#[test]
fn a_key_saved_after_the_default_services_key_was_removed_becomes_the_default() {
    let data = tempfile::tempdir().unwrap();
    let app = boot_in(data.path(), memory());
    // Onboarding: a key pasted for the wrong MiniMax region is refused and removed again...
    ok(
        &app,
        "save_key",
        json!({"provider": "minimax-global", "key": "mm-key-of-china-eeee"}),
    );
    ok(&app, "remove_key", json!({"provider": "minimax-global"}));
    // ...and saved for the right one, which must now be the default, region included.
    ok(
        &app,
        "save_key",
        json!({"provider": "minimax-china", "key": "mm-key-of-china-eeee"}),
    );
    let settings = ok(&app, "get_settings", json!({}));
    assert_eq!(settings["defaultProvider"], "minimax-china");
    assert_eq!(settings["minimaxRegion"], "china");
}

#[test]
fn settings_survive_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let wanted = {
        let app = boot_in(data.path(), memory());
        let mut settings = ok(&app, "get_settings", json!({}));
        settings["defaultProvider"] = json!("linkmodel");
        settings["minimaxRegion"] = json!("china");
        settings["libraryDir"] = json!(data.path().join("My films"));
        settings["baseUrlOverrides"] = json!({"openrouter": " https://gateway.example.com/or/ "});
        settings["monthlyBudgets"] = json!({"USD": "40.00", "CNY": "250"});
        settings["notifications"] = json!(false);
        settings["theme"] = json!("dark");
        let stored = ok(&app, "update_settings", json!({"settings": settings}));
        // Stored tidied: the address trimmed and without its trailing slash.
        assert_eq!(
            stored["baseUrlOverrides"]["openrouter"],
            "https://gateway.example.com/or"
        );
        stored
    };
    let app = boot_in(data.path(), memory());
    assert_eq!(ok(&app, "get_settings", json!({})), wanted);
    let status = ok(&app, "app_status", json!({}));
    assert_eq!(
        status["libraryDir"],
        json!(data.path().join("My films").display().to_string())
    );
    assert!(data.path().join("config").join("settings.json").is_file());
}

#[test]
fn settings_that_cannot_work_are_refused_plainly_and_nothing_changes() {
    let data = tempfile::tempdir().unwrap();
    let app = boot_in(data.path(), memory());
    let before = ok(&app, "get_settings", json!({}));
    let mut bad = before.clone();
    bad["baseUrlOverrides"] = json!({"minimax-global": "ftp://files.example.com"});
    let err = refused(&app, "update_settings", json!({"settings": bad}));
    assert_eq!(err["kind"], "settings-invalid");
    assert_eq!(
        err["message"],
        "The address for MiniMax must start with https://, so your key is never sent unencrypted. (http:// works only for a test service on this computer.)"
    );
    let mut negative = before.clone();
    negative["monthlyBudgets"] = json!({"USD": "-3"});
    assert_eq!(
        refused(&app, "update_settings", json!({"settings": negative}))["kind"],
        "settings-invalid"
    );
    assert_eq!(ok(&app, "get_settings", json!({})), before);
    assert!(!data.path().join("config").join("settings.json").exists());
}

#[test]
fn a_damaged_settings_file_is_set_aside_and_the_creator_is_told() {
    let data = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(data.path().join("config")).unwrap();
    std::fs::write(data.path().join("config/settings.json"), "{ not json").unwrap();
    let app = boot_in(data.path(), memory());
    let status = ok(&app, "app_status", json!({}));
    let notices = status["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0]
        .as_str()
        .unwrap()
        .contains("settings.json.broken-"));
    assert_eq!(ok(&app, "get_settings", json!({}))["theme"], "system");
}

/// A password store that refuses everything, like a locked keyring or no Secret Service.
struct LockedKeyring;

impl KeyStore for LockedKeyring {
    fn get(&self, _: Provider) -> Result<Option<SecretString>, KeyStoreError> {
        Err(locked())
    }
    fn set(&self, _: Provider, _: &SecretString) -> Result<(), KeyStoreError> {
        Err(locked())
    }
    fn remove(&self, _: Provider) -> Result<(), KeyStoreError> {
        Err(locked())
    }
}

fn locked() -> KeyStoreError {
    KeyStoreError::Unavailable {
        detail: "the collection is locked".to_owned(),
    }
}

#[test]
fn without_a_usable_keyring_the_creator_is_told_what_to_do_and_no_file_gets_the_key() {
    let data = tempfile::tempdir().unwrap();
    let app = boot_in(data.path(), Arc::new(LockedKeyring));
    let status = ok(&app, "app_status", json!({}));
    let problem = status["keyringProblem"].as_str().unwrap();
    assert!(problem.contains("unlocked"), "{problem}");
    let err = refused(
        &app,
        "save_key",
        json!({"provider": "openrouter", "key": "sk-or-v1-never-on-disk-77"}),
    );
    assert_eq!(err["kind"], "keyring-unavailable");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("never in a plain file"),
        "{err}"
    );
    assert!(!err.to_string().contains("never-on-disk"), "{err}");
    for entry in walk(data.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("never-on-disk"),
            "the key was written to {}",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
