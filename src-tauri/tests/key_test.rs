//! The key test through the real command against the emulated services, and the proof that a
//! key never leaks: not in a file the app wrote, not in any answer the webview received.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::{boot_in, call, ok, refused, App};
use hailuo_core::keys::MemoryKeyStore;
use hailuo_emulator::{Emulator, EmulatorConfig, Service};
use serde_json::{json, Value};

/// The emulator serves on its own runtime, next to the app's.
struct Services {
    emulator: Emulator,
    _runtime: tokio::runtime::Runtime,
}

fn services(config: EmulatorConfig) -> Services {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime.block_on(Emulator::start(config)).unwrap();
    Services {
        emulator,
        _runtime: runtime,
    }
}

const ALL: [(&str, Service); 4] = [
    ("minimax-global", Service::MinimaxGlobal),
    ("minimax-china", Service::MinimaxChina),
    ("openrouter", Service::OpenRouter),
    ("linkmodel", Service::LinkModel),
];

/// Points every provider at the emulator through the Settings screen's advanced addresses.
fn use_emulator(app: &App, emulator: &Emulator) -> Value {
    let mut settings = ok(app, "get_settings", json!({}));
    settings["baseUrlOverrides"] = ALL
        .iter()
        .map(|(id, service)| (id.to_string(), json!(emulator.base_url(*service))))
        .collect::<serde_json::Map<_, _>>()
        .into();
    ok(app, "update_settings", json!({ "settings": settings }))
}

fn boot() -> (App, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let app = boot_in(data.path(), Arc::new(MemoryKeyStore::default()));
    (app, data)
}

#[test]
fn a_right_key_works_at_every_service_and_openrouter_shows_its_credit() {
    let svc = services(EmulatorConfig {
        openrouter_credit_limit: Some(25.0),
        ..EmulatorConfig::default()
    });
    let (app, _data) = boot();
    use_emulator(&app, &svc.emulator);
    for (id, service) in ALL {
        ok(
            &app,
            "save_key",
            json!({"provider": id, "key": svc.emulator.key(service)}),
        );
        let test = ok(&app, "test_key", json!({ "provider": id }));
        if id == "openrouter" {
            assert_eq!(test["verdict"], "works-with-credit", "{test}");
            assert_eq!(test["creditLeft"]["currency"], "USD");
            let left: f64 = test["creditLeft"]["amount"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(left, 25.0, "{test}");
            assert!(
                test["message"].as_str().unwrap().contains("$25.00"),
                "{test}"
            );
        } else {
            assert_eq!(test["verdict"], "works", "{id}: {test}");
        }
    }
    assert!(
        svc.emulator.requests().iter().all(|r| r.method == "GET"),
        "a key test only reads"
    );
    for (_, service) in ALL {
        assert_eq!(svc.emulator.submits(service), 0, "a key test buys nothing");
    }
}

#[test]
fn a_global_minimax_key_saved_as_china_points_to_the_global_region() {
    let svc = services(EmulatorConfig::default());
    let (app, _data) = boot();
    use_emulator(&app, &svc.emulator);
    let global_key = svc.emulator.key(Service::MinimaxGlobal);
    ok(
        &app,
        "save_key",
        json!({"provider": "minimax-china", "key": global_key}),
    );
    let test = ok(&app, "test_key", json!({"provider": "minimax-china"}));
    assert_eq!(test["verdict"], "other-region", "{test}");
    assert_eq!(test["suggestedProvider"], "minimax-global");
    assert!(
        test["message"]
            .as_str()
            .unwrap()
            .contains("belongs to MiniMax"),
        "{test}"
    );
}

#[test]
fn a_wrong_key_is_rejected_in_the_services_own_words() {
    let svc = services(EmulatorConfig::default());
    let (app, _data) = boot();
    use_emulator(&app, &svc.emulator);
    ok(
        &app,
        "save_key",
        json!({"provider": "linkmodel", "key": "linkmodel-wrong-key-4321"}),
    );
    let test = ok(&app, "test_key", json!({"provider": "linkmodel"}));
    assert_eq!(test["verdict"], "rejected", "{test}");
    assert_eq!(test["errorKind"], "key-rejected");
    assert!(test["message"].as_str().unwrap().contains("401"), "{test}");
    // A MiniMax key neither region takes is rejected, with no region suggested.
    ok(
        &app,
        "save_key",
        json!({"provider": "minimax-global", "key": "minimax-made-up-key-99"}),
    );
    let test = ok(&app, "test_key", json!({"provider": "minimax-global"}));
    assert_eq!(test["verdict"], "rejected", "{test}");
    assert_eq!(test["suggestedProvider"], Value::Null);
}

#[test]
fn a_service_that_cannot_be_reached_is_not_blamed_on_the_key() {
    let (app, _data) = boot();
    let mut settings = ok(&app, "get_settings", json!({}));
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    settings["baseUrlOverrides"] = json!({"openrouter": "http://127.0.0.1:9/api/v1"});
    ok(&app, "update_settings", json!({ "settings": settings }));
    ok(
        &app,
        "save_key",
        json!({"provider": "openrouter", "key": "sk-or-v1-fine-key-5555"}),
    );
    let test = ok(&app, "test_key", json!({"provider": "openrouter"}));
    assert_eq!(test["verdict"], "cannot-reach", "{test}");
    assert!(
        test["message"]
            .as_str()
            .unwrap()
            .contains("could not be checked"),
        "{test}"
    );
}

#[test]
fn testing_without_a_saved_key_asks_for_one() {
    let (app, _data) = boot();
    let err = refused(&app, "test_key", json!({"provider": "linkmodel"}));
    assert_eq!(err["kind"], "no-key");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("No LinkModel key"),
        "{err}"
    );
}

/// Every answer the webview received, successes and errors alike.
#[derive(Default)]
struct Transcript(Vec<String>);

impl Transcript {
    fn call(&mut self, app: &App, cmd: &str, args: Value) -> Result<Value, Value> {
        let answer = call(app, cmd, args);
        self.0.push(match &answer {
            Ok(v) | Err(v) => format!("{cmd}: {v}"),
        });
        answer
    }
}

#[test]
fn no_key_ever_appears_in_a_file_the_app_wrote_or_in_an_answer_to_the_webview() {
    let svc = services(EmulatorConfig {
        openrouter_credit_limit: Some(5.0),
        ..EmulatorConfig::default()
    });
    let data = tempfile::tempdir().unwrap();
    let keys = Arc::new(MemoryKeyStore::default());
    let app = boot_in(data.path(), keys.clone());
    let mut ipc = Transcript::default();
    use_emulator(&app, &svc.emulator);

    let right: Vec<(&str, String)> = ALL
        .iter()
        .map(|(id, service)| (*id, svc.emulator.key(*service)))
        .collect();
    let wrong = "sk-wrong-but-still-secret-8080";
    let malformed_tail = "tail-of-a-broken-paste-7070";
    let mut secrets: Vec<String> = right.iter().map(|(_, k)| k.clone()).collect();
    secrets.extend([wrong.to_owned(), malformed_tail.to_owned()]);

    ipc.call(&app, "app_status", json!({})).unwrap();
    for (id, key) in &right {
        ipc.call(
            &app,
            "save_key",
            json!({"provider": id, "key": format!(" {key}\n")}),
        )
        .unwrap();
        ipc.call(&app, "test_key", json!({"provider": id})).unwrap();
    }
    // A rejected key, the other-region path, and pastes that cannot be keys.
    ipc.call(
        &app,
        "save_key",
        json!({"provider": "linkmodel", "key": wrong}),
    )
    .unwrap();
    ipc.call(&app, "test_key", json!({"provider": "linkmodel"}))
        .unwrap();
    ipc.call(
        &app,
        "save_key",
        json!({"provider": "minimax-china", "key": right[0].1}),
    )
    .unwrap();
    let other = ipc
        .call(&app, "test_key", json!({"provider": "minimax-china"}))
        .unwrap();
    assert_eq!(other["verdict"], "other-region");
    ipc.call(
        &app,
        "save_key",
        json!({"provider": "openrouter", "key": format!("sk-or {malformed_tail}")}),
    )
    .unwrap_err();
    ipc.call(
        &app,
        "save_key",
        json!({"provider": "openrouter", "key": [malformed_tail]}),
    )
    .unwrap_err();
    // Settings changed back and forth, and refused once.
    let mut settings = ipc.call(&app, "get_settings", json!({})).unwrap();
    settings["theme"] = json!("dark");
    settings["monthlyBudgets"] = json!({"USD": "30"});
    ipc.call(
        &app,
        "update_settings",
        json!({ "settings": settings.clone() }),
    )
    .unwrap();
    settings["baseUrlOverrides"]["linkmodel"] = json!("ftp://not-a-service");
    ipc.call(&app, "update_settings", json!({ "settings": settings }))
        .unwrap_err();
    ipc.call(&app, "list_saved_keys", json!({})).unwrap();
    ipc.call(&app, "app_status", json!({})).unwrap();
    ipc.call(&app, "remove_key", json!({"provider": "linkmodel"}))
        .unwrap();

    // The keys really were used: the services saw them in the Authorization header.
    let authorizations: Vec<String> = svc
        .emulator
        .requests()
        .iter()
        .filter_map(|r| r.headers.get("authorization").cloned())
        .collect();
    for (_, key) in &right {
        assert!(
            authorizations.contains(&format!("Bearer {key}")),
            "{key} was never sent: the test proves nothing"
        );
    }

    for answer in &ipc.0 {
        for secret in &secrets {
            assert!(
                !answer.contains(secret.as_str()),
                "a key reached the webview: {answer}"
            );
        }
    }
    let files = walk(data.path());
    assert!(
        files.iter().any(|f| f.ends_with("config/settings.json")),
        "the app wrote its settings: {files:?}"
    );
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{} holds a key",
                file.display()
            );
        }
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

#[test]
fn a_china_key_test_reports_which_host_answers_and_remembers_it() {
    use hailuo_emulator::{ChinaHostName, Variants, CHINA_OLD_BASE_URL_ENV_VAR};
    let svc = services(EmulatorConfig {
        variants: Variants {
            china_host_down: Some(ChinaHostName::New),
            ..Variants::default()
        },
        ..EmulatorConfig::default()
    });
    // As a new user's app finds them: no address set, the two names the app knows, the
    // documented one down. (Other tests here set their addresses, which win over these.)
    std::env::set_var(
        Service::MinimaxChina.base_url_env_var(),
        svc.emulator.china_base_url(ChinaHostName::New),
    );
    std::env::set_var(
        CHINA_OLD_BASE_URL_ENV_VAR,
        svc.emulator.china_base_url(ChinaHostName::Old),
    );
    let (app, _data) = boot();
    ok(
        &app,
        "save_key",
        json!({"provider": "minimax-china", "key": svc.emulator.key(Service::MinimaxChina)}),
    );
    let test = ok(&app, "test_key", json!({"provider": "minimax-china"}));
    let old = svc.emulator.china_base_url(ChinaHostName::Old);
    let old_host = old.trim_start_matches("http://");
    assert_eq!(test["verdict"], "works", "{test}");
    assert_eq!(test["host"], old_host, "{test}");
    assert!(
        test["message"].as_str().unwrap().contains(old_host),
        "{test}"
    );
    let settings = ok(&app, "get_settings", json!({}));
    assert_eq!(settings["minimaxChinaHost"], old.as_str(), "{settings}");
}

#[test]
fn the_create_screen_gets_openrouter_s_catalogue_at_most_daily_and_the_built_in_copy_offline() {
    let svc = services(EmulatorConfig::default());
    let (app, _data) = boot();
    // No key yet: the built-in copy, and nobody asked.
    let offer = ok(&app, "openrouter_offer", json!({}));
    assert_eq!(offer["fetchedOn"], Value::Null, "{offer}");
    assert_eq!(offer["offer"]["resolutions"], json!(["1080p"]), "{offer}");
    assert!(svc.emulator.requests().is_empty());

    use_emulator(&app, &svc.emulator);
    ok(
        &app,
        "save_key",
        json!({"provider": "openrouter", "key": svc.emulator.key(Service::OpenRouter)}),
    );
    let offer = ok(&app, "openrouter_offer", json!({}));
    assert_ne!(offer["fetchedOn"], Value::Null, "{offer}");
    // This emulator's catalogue lists 768p too: what the catalogue offers is what is offered.
    assert_eq!(
        offer["offer"]["resolutions"],
        json!(["768p", "1080p"]),
        "{offer}"
    );
    assert_eq!(offer["offer"]["durations"], json!([6, 10]));
    ok(&app, "openrouter_offer", json!({}));
    let asked = svc
        .emulator
        .requests_to(Service::OpenRouter)
        .into_iter()
        .filter(|r| r.path.ends_with("/videos/models"))
        .count();
    assert_eq!(asked, 1, "at most once a day");
}
