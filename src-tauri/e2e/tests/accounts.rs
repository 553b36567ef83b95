//! A creator's API key in the real window: pasted once during onboarding, kept by the system's
//! password store across a restart, sent only as the bearer the service receives, removed from
//! Settings — and never found in a file, a log or an answer the page receives.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

use hailuo_e2e::App;
use hailuo_emulator::{Emulator, EmulatorConfig, RecordedRequest, Service, ServiceKeys};
use serde_json::{json, Value};

/// An OpenRouter-shaped key no other run uses, so finding it anywhere means this run leaked it.
fn distinctive_key() -> String {
    let random = |salt: u64| RandomState::new().hash_one(salt);
    format!(
        "sk-or-v1-{:016x}{:016x}{:016x}",
        random(1),
        random(2),
        random(3)
    )
}

/// The emulator, accepting `key` as the OpenRouter key.
async fn emulator_accepting(key: &str) -> Emulator {
    Emulator::start(EmulatorConfig {
        keys: ServiceKeys {
            openrouter: key.to_owned(),
            ..ServiceKeys::default()
        },
        ..EmulatorConfig::default()
    })
    .await
    .unwrap_or_else(|err| panic!("the emulator did not start: {err}"))
}

async fn launch_against(emulator: &Emulator, test: &str) -> App {
    let launch = App::launch(test).envs(emulator.env_vars());
    let app = launch.start().await;
    app.wait_ready().await;
    record_ipc_answers(&app).await;
    app
}

/// Quits and reopens the app on the same data folder and keyring, as a creator would.
async fn reopen(app: App) -> App {
    let app = app.relaunch().await;
    app.wait_ready().await;
    record_ipc_answers(&app).await;
    app
}

/// From now on, keeps the raw text of every IPC answer the page receives (commands answer over
/// `fetch` to `ipc://localhost/<command>`; errors come back the same way).
async fn record_ipc_answers(app: &App) {
    app.run_js(
        "if (!window.__e2eIpcAnswers) {
           window.__e2eIpcAnswers = [];
           const send = window.fetch;
           window.fetch = function (input, init) {
             const url = String(input instanceof Request ? input.url : input);
             const answer = send.call(this, input, init);
             if (url.startsWith('ipc:')) {
               // Registered before Tauri reads the body, so the clone still has it.
               answer.then((response) => response.clone().text()).then(
                 (text) => window.__e2eIpcAnswers.push({ command: url.split('/').pop(), text }),
                 () => {});
             }
             return answer;
           };
         }
         return null",
    )
    .await;
}

/// `(command, answer text)` of every IPC answer recorded since this launch's page loaded.
async fn ipc_answers(app: &App) -> Vec<(String, String)> {
    let answers = app.run_js("return window.__e2eIpcAnswers || []").await;
    answers
        .as_array()
        .unwrap_or_else(|| panic!("the IPC recording is not a list: {answers}"))
        .iter()
        .map(|answer| {
            (
                answer["command"].as_str().unwrap_or_default().to_owned(),
                answer["text"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn last_four(key: &str) -> &str {
    &key[key.len() - 4..]
}

/// The onboarding path as a creator walks it: pick OpenRouter, paste the key, Test and save.
async fn onboard(app: &App, key: &str) {
    app.wait_for_element("[data-testid=welcome]").await;
    app.click("[data-testid=choose-openrouter]").await;
    app.type_into("[data-testid=onboarding-key-input]", key)
        .await;
    app.screen("key-pasted").await;
    app.click("[data-testid=test-key]").await;
    app.wait_for_element("[data-testid=onboarding-done]").await;
    assert_eq!(
        verdict_tone(app, "[data-testid=onboarding-done]").await,
        json!("ok"),
        "the emulator's key was not found to work: {}",
        app.text().await
    );
    let text = app.text().await;
    assert!(
        text.contains(&format!("ends in …{}", last_four(key))),
        "the saved key is not described by its last four characters: {text}"
    );
}

async fn verdict_tone(app: &App, inside: &str) -> Value {
    app.run_js(&format!(
        "const box = document.querySelector({});
         return box && box.dataset.tone",
        json!(format!("{inside} [data-testid=key-verdict]"))
    ))
    .await
}

/// The key checks (`GET /api/v1/key`) OpenRouter received, with the Authorization each carried.
fn key_checks(emulator: &Emulator) -> Vec<Option<String>> {
    emulator
        .requests_to(Service::OpenRouter)
        .iter()
        .filter(|request| request.method == "GET" && request.path == "/api/v1/key")
        .map(|request| request.header("authorization").map(str::to_owned))
        .collect()
}

async fn saved_providers(app: &App) -> Value {
    let status = app
        .invoke("app_status", json!({}))
        .await
        .unwrap_or_else(|err| panic!("app_status failed: {err}"));
    status["providersWithKeys"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_saved_in_the_window_survives_a_restart_is_the_bearer_sent_and_can_be_removed() {
    const TEST: &str =
        "a_key_saved_in_the_window_survives_a_restart_is_the_bearer_sent_and_can_be_removed";
    let key = distinctive_key();
    let emulator = emulator_accepting(&key).await;
    let app = launch_against(&emulator, TEST).await;
    app.screen("welcome").await;

    onboard(&app, &key).await;
    app.screen("key-saved").await;
    assert_eq!(
        key_checks(&emulator),
        vec![Some(format!("Bearer {key}"))],
        "the key test is one GET /key carrying the pasted key as its bearer"
    );
    app.click("[data-testid=onboarding-finish]").await;
    app.wait_for_element("[data-testid=create-screen]").await;

    // Reopened on the same data folder and the same keyring: straight to the studio.
    let app = reopen(app).await;
    app.wait_for_element("[data-testid=create-screen]").await;
    assert_eq!(
        app.run_js("return document.querySelector('[data-testid=welcome]') === null")
            .await,
        json!(true),
        "a returning creator was shown the onboarding again"
    );
    assert_eq!(saved_providers(&app).await, json!(["openrouter"]));

    app.click("[data-testid=settings]").await;
    let ends_in = format!("…{}", last_four(&key));
    app.wait_for(
        &format!(
            "const state = document.querySelector('[data-testid=key-state-openrouter]');
             return state !== null && state.textContent.includes({})",
            json!(ends_in)
        ),
        "Settings to show the saved OpenRouter key",
    )
    .await;
    emulator.clear_requests();
    app.click("[data-testid=test-openrouter]").await;
    app.wait_for_element("[data-testid=key-openrouter] [data-testid=key-verdict]")
        .await;
    assert_eq!(
        verdict_tone(&app, "[data-testid=key-openrouter]").await,
        json!("ok")
    );
    assert_eq!(
        key_checks(&emulator),
        vec![Some(format!("Bearer {key}"))],
        "after the restart the key came back from the password store unchanged"
    );
    app.screen("settings-key-kept").await;

    app.click("[data-testid=remove-openrouter]").await;
    app.click("[data-testid=confirm-remove-openrouter]").await;
    app.wait_for_element("[data-testid=add-openrouter]").await;
    let state = app
        .run_js("return document.querySelector('[data-testid=key-state-openrouter]').textContent")
        .await;
    assert_eq!(state, json!("No key saved"));
    assert_eq!(saved_providers(&app).await, json!([]));
    app.screen("settings-key-removed").await;

    // With no key left, the next start asks for one again.
    let app = reopen(app).await;
    app.wait_for_element("[data-testid=welcome]").await;
    app.screen("asked-again").await;
    app.close().await;
}

/// Every file under `dir`, however deep.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => folders.push(path),
                Ok(kind) if kind.is_file() => files.push(path),
                _ => {}
            }
        }
    }
    files
}

/// The pieces of `key` a leak would show: the whole key, and a stretch of its random middle
/// (OpenRouter itself echoes the first 12 characters as a label; the UI shows the last 4).
fn telltales(key: &str) -> [&str; 2] {
    [key, &key[20..36]]
}

fn mentions(haystack: &[u8], key: &str) -> bool {
    telltales(key).iter().any(|needle| {
        haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_is_in_no_file_no_log_and_no_answer_the_page_receives() {
    const TEST: &str = "the_key_is_in_no_file_no_log_and_no_answer_the_page_receives";
    let key = distinctive_key();
    let emulator = emulator_accepting(&key).await;
    let app = launch_against(&emulator, TEST).await;

    onboard(&app, &key).await;
    let mut answers = ipc_answers(&app).await;
    // The recording sees real answers: the saved key's description came through it.
    assert!(
        answers
            .iter()
            .any(|(command, text)| command == "save_key" && text.contains(last_four(&key))),
        "the IPC recording missed save_key's answer: {answers:?}"
    );
    app.click("[data-testid=onboarding-finish]").await;
    app.wait_for_element("[data-testid=create-screen]").await;
    answers.extend(ipc_answers(&app).await);

    let app = reopen(app).await;
    app.click("[data-testid=settings]").await;
    app.wait_for_element("[data-testid=test-openrouter]").await;
    app.click("[data-testid=test-openrouter]").await;
    app.wait_for_element("[data-testid=key-openrouter] [data-testid=key-verdict]")
        .await;
    for command in ["app_status", "list_saved_keys", "get_settings"] {
        let _ = app.invoke(command, json!({})).await;
    }
    // A refused save echoes nothing of what was pasted either.
    let refused = app
        .invoke(
            "save_key",
            json!({ "provider": "openrouter", "key": [key.clone()] }),
        )
        .await;
    assert!(refused.is_err(), "a key sent as a list was accepted");
    let page = app
        .run_js(
            "return document.documentElement.outerHTML + '\\n' +
                [...document.querySelectorAll('input, textarea')].map((f) => f.value).join('\\n')",
        )
        .await;
    answers.extend(ipc_answers(&app).await);
    for command in [
        "save_key",
        "test_key",
        "list_saved_keys",
        "get_settings",
        "app_status",
    ] {
        assert!(
            answers.iter().any(|(seen, _)| seen == command),
            "no {command} answer was recorded: {answers:?}"
        );
    }
    let run_dir = app.run_dir().to_path_buf();
    let data_dir = app.data_dir();

    for (command, text) in &answers {
        assert!(
            !mentions(text.as_bytes(), &key),
            "the {command} answer holds the key: {text}"
        );
    }
    assert!(
        !mentions(page.as_str().unwrap_or_default().as_bytes(), &key),
        "the page holds the key"
    );

    // The key went out only as the bearer, never in an address or a body.
    for RecordedRequest {
        path, query, body, ..
    } in emulator.requests()
    {
        let sent = format!("{path}?{query:?} {body:?}");
        assert!(
            !mentions(sent.as_bytes(), &key),
            "a request carried the key: {sent}"
        );
    }

    // Searched while the app still runs: its folders go when it closes.
    let files = files_under(&run_dir);
    assert!(
        files.iter().any(|f| f.starts_with(&data_dir)),
        "the app wrote nothing under its data folder {}: the search would prove nothing",
        data_dir.display()
    );
    let leaks: Vec<_> = files
        .iter()
        .filter(|file| std::fs::read(file).is_ok_and(|bytes| mentions(&bytes, &key)))
        .collect();
    assert!(
        leaks.is_empty(),
        "files holding the key (searched {} files under {}): {leaks:?}",
        files.len(),
        run_dir.display()
    );
    assert!(
        !mentions(app.output().as_bytes(), &key),
        "the app's output holds the key"
    );
    app.close().await;
}
