//! The generation commands through the real wiring on Tauri's mock runtime, against the emulator:
//! a click on Generate ends in a playable file the player can reach.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ok, refused, App};
use hailuo_core::keys::MemoryKeyStore;
use hailuo_core::queue::QueueConfig;
use hailuo_emulator::{Emulator, EmulatorConfig, Service};
use hailuo_studio::{run_app, KeyStoreOverride, QueuePacingOverride};
use serde_json::{json, Value};
use tauri::test::mock_builder;

/// The emulator serves on its own runtime, next to the app's.
struct Services {
    emulator: Emulator,
    _runtime: tokio::runtime::Runtime,
}

fn services() -> Services {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime
        .block_on(Emulator::start(EmulatorConfig::default()))
        .unwrap();
    Services {
        emulator,
        _runtime: runtime,
    }
}

/// The data-dir variable is process-wide and read during start-up, so boots take turns.
static BOOTING: Mutex<()> = Mutex::new(());

/// Starts the app polling in milliseconds, with its state under `data_dir`.
fn boot(data_dir: &Path) -> App {
    let _turn = BOOTING.lock().unwrap_or_else(|p| p.into_inner());
    std::env::set_var("HAILUO_STUDIO_DATA_DIR", data_dir);
    let mut app = run_app(
        mock_builder()
            .manage(KeyStoreOverride(Arc::new(MemoryKeyStore::default())))
            .manage(QueuePacingOverride(QueueConfig::quick())),
    )
    .build(tauri::generate_context!())
    .expect("the app builds on the mock runtime");
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    app
}

/// Points OpenRouter at the emulator through Settings, with its key saved, and `budgets` set.
fn use_emulator(app: &App, emulator: &Emulator, budgets: Value) {
    let mut settings = ok(app, "get_settings", json!({}));
    settings["baseUrlOverrides"] = json!({ "openrouter": emulator.base_url(Service::OpenRouter) });
    settings["monthlyBudgets"] = budgets;
    ok(app, "update_settings", json!({ "settings": settings }));
    ok(
        app,
        "save_key",
        json!({"provider": "openrouter", "key": emulator.key(Service::OpenRouter)}),
    );
}

fn request(first_frame: Value) -> Value {
    json!({
        "provider": "openrouter",
        "model": "hailuo-2.3",
        "prompt": "A paper boat on a rainy street [Tracking shot]",
        "duration": 6,
        "resolution": "768P",
        "promptOptimizer": false,
        "fastPretreatment": false,
        "firstFrame": first_frame,
    })
}

/// Asks for the card (checking now) until it is done, or panics with the last card.
fn until_done(app: &App, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let card = ok(app, "check_generation_now", json!({ "id": id }));
        if card["state"] == "done" {
            return card;
        }
        assert!(
            Instant::now() < deadline && card["state"] != "failed",
            "never done: {card:#}"
        );
        std::thread::sleep(Duration::from_millis(30));
    }
}

fn is_mp4(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.len() > 12 && &bytes[4..8] == b"ftyp"
}

#[test]
fn a_generation_started_from_the_create_screen_ends_ready_with_a_video_url() {
    let svc = services();
    let data = tempfile::tempdir().unwrap();
    let app = boot(data.path());
    use_emulator(&app, &svc.emulator, json!({}));
    ok(
        &app,
        "watch_generations",
        json!({ "onChange": "__CHANNEL__:7" }),
    );

    let card = ok(
        &app,
        "start_generation",
        json!({ "request": request(Value::Null) }),
    );
    assert_eq!(card["state"], "waiting", "{card:#}");
    let mut fields: Vec<&str> = card
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    let mut contract = vec![
        "id",
        "state",
        "changes",
        "stateWords",
        "prompt",
        "provider",
        "model",
        "resolution",
        "duration",
        "createdAt",
        "finishedAt",
        "elapsedSeconds",
        "expectedSeconds",
        "download",
        "offline",
        "longRunning",
        "mayHaveBeenCharged",
        "canCheckNow",
        "canDownloadAgain",
        "stopped",
        "error",
        "cost",
        "firstFrameUrl",
        "videoUrl",
        "folder",
    ];
    contract.sort_unstable();
    assert_eq!(
        fields, contract,
        "the GenerationCard of the shared contract"
    );
    assert_eq!(card["provider"], "openrouter");
    assert_eq!(card["stateWords"], "Waiting its turn");
    assert_eq!(card["cost"]["estimate"], "0.4902");
    assert_eq!(card["cost"]["currency"], "USD");
    assert_eq!(card["mayHaveBeenCharged"], false);
    assert_eq!(
        card["canCheckNow"], false,
        "just started: no task id to ask about yet"
    );
    let id = card["id"].as_str().unwrap().to_owned();

    let done = until_done(&app, &id);
    assert_eq!(done["stateWords"], "Ready");
    assert_eq!(done["cost"]["charged"], "0.49", "OpenRouter's usage.cost");
    let url = done["videoUrl"].as_str().expect("a video URL once done");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url.ends_with(&format!("/{id}/video.mp4")), "{url}");
    let folder = done["folder"].as_str().unwrap();
    assert!(is_mp4(&Path::new(folder).join("video.mp4")));
    assert_eq!(svc.emulator.submits(Service::OpenRouter), 1);

    // Finished, so there is nothing to stop; the library lists it as ready.
    let err = refused(&app, "stop_tracking_generation", json!({ "id": id }));
    assert_eq!(err["kind"], "cannot-stop");
    let library = ok(&app, "library_list", json!({}));
    assert_eq!(library["generations"][0]["generation"]["state"], "done");
}

#[test]
fn a_first_frame_file_is_prepared_kept_and_shown_through_the_media_server() {
    let svc = services();
    let data = tempfile::tempdir().unwrap();
    let app = boot(data.path());
    use_emulator(&app, &svc.emulator, json!({}));
    let picture = Path::new(env!("CARGO_MANIFEST_DIR")).join("core/tests/fixtures/first-frame.png");
    let card = ok(
        &app,
        "start_generation",
        json!({ "request": request(json!({"kind": "file", "path": picture, "fixes": []})) }),
    );
    let id = card["id"].as_str().unwrap().to_owned();
    let first_frame_url = card["firstFrameUrl"]
        .as_str()
        .expect("the first frame's URL");
    assert!(first_frame_url.starts_with("http://127.0.0.1:"));
    until_done(&app, &id);
    let submit = svc
        .emulator
        .requests_to(Service::OpenRouter)
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    let frame = &submit.body.unwrap()["frame_images"][0];
    assert_eq!(frame["frame_type"], "first_frame");
    assert!(frame["image_url"]["url"]
        .as_str()
        .unwrap()
        .starts_with("data:image/"));
}

#[test]
fn a_generation_over_the_budget_is_refused_and_retry_makes_a_new_one() {
    let svc = services();
    let data = tempfile::tempdir().unwrap();
    let app = boot(data.path());
    use_emulator(&app, &svc.emulator, json!({ "USD": "0.60" }));
    let first = ok(
        &app,
        "start_generation",
        json!({ "request": request(Value::Null) }),
    );
    let err = refused(
        &app,
        "start_generation",
        json!({ "request": request(Value::Null) }),
    );
    assert_eq!(err["kind"], "over-budget", "{err}");
    let id = first["id"].as_str().unwrap().to_owned();
    until_done(&app, &id);
    // A retry is a new paid generation: still over the budget while the first one counts.
    let err = refused(&app, "retry_generation", json!({ "id": id }));
    assert_eq!(err["kind"], "over-budget", "{err}");
    assert_eq!(svc.emulator.submits(Service::OpenRouter), 1);
    let err = refused(&app, "check_generation_now", json!({ "id": "../etc" }));
    assert_eq!(err["kind"], "generation-not-found");
}
