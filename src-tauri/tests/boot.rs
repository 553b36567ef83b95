//! The real wiring boots on Tauri's mock runtime and answers the first screen's question.
#![allow(clippy::unwrap_used)] // a test helper that fails should panic with the cause

use std::sync::{Arc, Mutex};

use hailuo_core::keys::{KeyStore, MemoryKeyStore};
use hailuo_core::Provider;
use hailuo_studio::{run_app, KeyStoreOverride};
use secrecy::SecretString;
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};

/// The data-dir variable is process-wide and read during start-up, so boots take turns.
static BOOTING: Mutex<()> = Mutex::new(());

fn boot(keys: Arc<MemoryKeyStore>) -> (tauri::App<tauri::test::MockRuntime>, tempfile::TempDir) {
    boot_in(keys, tempfile::tempdir().unwrap())
}

fn boot_in(
    keys: Arc<MemoryKeyStore>,
    data_dir: tempfile::TempDir,
) -> (tauri::App<tauri::test::MockRuntime>, tempfile::TempDir) {
    let _turn = BOOTING.lock().unwrap_or_else(|p| p.into_inner());
    std::env::set_var("HAILUO_STUDIO_DATA_DIR", data_dir.path());
    let mut app = run_app(mock_builder().manage(KeyStoreOverride(keys)))
        // The real context, so the real capability file decides what the window may call.
        .build(tauri::generate_context!())
        .expect("the app builds on the mock runtime");
    // The setup hook runs on the event loop's first turn; one turn is all a test needs.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    (app, data_dir)
}

fn invoke(
    app: &tauri::App<tauri::test::MockRuntime>,
    cmd: &str,
    args: serde_json::Value,
) -> serde_json::Value {
    // The mock runtime does not open the configured windows by itself.
    let window = app.get_webview_window("main").unwrap_or_else(|| {
        WebviewWindowBuilder::new(app, "main", Default::default())
            .build()
            .unwrap()
    });
    let response = get_ipc_response(
        &window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .unwrap_or_else(|err| panic!("{cmd} failed: {err:?}"));
    response.deserialize().unwrap()
}

#[test]
fn a_first_run_boots_with_no_keys_and_a_library_under_the_data_dir() {
    let (app, data_dir) = boot(Arc::new(MemoryKeyStore::default()));
    let status = invoke(&app, "app_status", serde_json::json!({}));
    assert_eq!(status["providersWithKeys"], serde_json::json!([]));
    let library = status["libraryDir"].as_str().unwrap();
    assert!(
        library.starts_with(data_dir.path().to_str().unwrap()),
        "{library}"
    );
    assert!(std::path::Path::new(library).is_dir());
}

#[test]
fn saved_keys_are_reported_by_provider_and_last_characters_only() {
    let keys = Arc::new(MemoryKeyStore::default());
    keys.set(
        Provider::OpenRouter,
        &SecretString::from("sk-or-secret-value-9876".to_owned()),
    )
    .unwrap();
    let (app, _data_dir) = boot(keys);
    let saved = invoke(&app, "list_saved_keys", serde_json::json!({}));
    assert_eq!(
        saved,
        serde_json::json!([{"provider": "openrouter", "endsWith": "9876"}])
    );
}

#[test]
fn compose_choices_come_from_the_core_rules_with_reasons() {
    let (app, _data_dir) = boot(Arc::new(MemoryKeyStore::default()));
    let choices = invoke(
        &app,
        "generation_choices",
        serde_json::json!({"request": {
            "provider": "linkmodel", "model": "hailuo-2.3", "prompt": "A fox in snow [Pan left]",
            "duration": 10, "resolution": "768P"
        }}),
    );
    assert_eq!(choices["problem"], serde_json::Value::Null);
    let fast = &choices["models"][1];
    assert_eq!(fast["value"], "hailuo-2.3-fast");
    assert_eq!(fast["allowed"], false);
    let p1080 = &choices["resolutions"][1];
    assert_eq!(p1080["allowed"], false);
    assert!(p1080["reason"].as_str().unwrap().contains("6 seconds"));
}

/// A plain HTTP/1.1 GET, as the webview's player makes it; returns the status line and body.
fn http_get(url: &str) -> (String, Vec<u8>) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    (
        head.lines().next().unwrap().to_owned(),
        answer[split + 4..].to_vec(),
    )
}

#[test]
fn the_library_lists_generations_with_urls_the_player_can_read() {
    use hailuo_core::library::{Library, VIDEO_FILE};

    let (app, data_dir) = boot(Arc::new(MemoryKeyStore::default()));
    let empty = invoke(&app, "library_list", serde_json::json!({}));
    assert_eq!(empty["generations"], serde_json::json!([]));

    // What the job runner will do: a record first, later the video beside it.
    let library = Library::open(data_dir.path().join("library")).unwrap();
    let request: hailuo_core::GenerationRequest = serde_json::from_value(serde_json::json!({
        "provider": "minimax-global", "model": "hailuo-2.3", "prompt": "A lighthouse at dusk",
        "duration": 6, "resolution": "768P"
    }))
    .unwrap();
    let estimate = hailuo_core::quote(&request).unwrap();
    let generation = library.create(&request, &estimate).unwrap();
    let video = b"\0\0\0\x18ftypisom fake but exact video bytes".to_vec();
    std::fs::write(
        library.folder_of(&generation.id).unwrap().join(VIDEO_FILE),
        &video,
    )
    .unwrap();
    std::fs::create_dir(data_dir.path().join("library/made by hand")).unwrap();

    let listing = invoke(&app, "library_list", serde_json::json!({}));
    let item = &listing["generations"][0];
    assert_eq!(item["generation"]["id"], generation.id.as_str());
    assert_eq!(item["generation"]["state"], "submitting");
    assert_eq!(item["stateLabel"], "Sending");
    assert_eq!(item["media"]["poster"], serde_json::Value::Null);
    let video_url = item["media"]["video"].as_str().unwrap();
    assert!(video_url.starts_with("http://127.0.0.1:"), "{video_url}");
    assert!(video_url.ends_with(&format!("/{}/video.mp4", generation.id)));
    assert!(listing["broken"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("no generation.json"));

    let (status, body) = http_get(video_url);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(body, video);
}

#[test]
fn a_submit_cut_short_by_the_last_exit_shows_as_may_have_been_charged() {
    use hailuo_core::library::Library;

    let data_dir = tempfile::tempdir().unwrap();
    let library = Library::open(data_dir.path().join("library")).unwrap();
    let request: hailuo_core::GenerationRequest = serde_json::from_value(serde_json::json!({
        "provider": "openrouter", "model": "hailuo-2.3", "prompt": "A fox in snow",
        "duration": 6, "resolution": "1080P"
    }))
    .unwrap();
    let estimate = hailuo_core::quote(&request).unwrap();
    library.create(&request, &estimate).unwrap();

    let (app, _data_dir) = boot_in(Arc::new(MemoryKeyStore::default()), data_dir);
    let listing = invoke(&app, "library_list", serde_json::json!({}));
    let item = &listing["generations"][0];
    assert_eq!(item["generation"]["state"], "unknown");
    assert_eq!(item["stateLabel"], "No answer: may have been charged");
}

/// A data folder whose settings chose `chosen` as the library, after the app last opened its
/// default library, where a generation in `state` was left.
fn moved_library_with_one_generation(
    state: hailuo_core::library::GenerationState,
) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    use hailuo_core::library::{Library, LibraryInUse};
    use hailuo_core::paths::StudioPaths;
    use hailuo_core::settings::{Settings, SettingsFile};

    let data_dir = tempfile::tempdir().unwrap();
    let paths = StudioPaths::under(data_dir.path());
    paths.create_all().unwrap();
    let old = paths.default_library_dir.clone();
    let library = Library::open(&old).unwrap();
    let request: hailuo_core::GenerationRequest = serde_json::from_value(serde_json::json!({
        "provider": "openrouter", "model": "hailuo-2.3", "prompt": "A fox in snow",
        "duration": 6, "resolution": "1080P"
    }))
    .unwrap();
    let estimate = hailuo_core::quote(&request).unwrap();
    let mut generation = library.create(&request, &estimate).unwrap();
    generation.state = state;
    generation.task_id = Some("task-still-at-openrouter".into());
    library.save(&generation).unwrap();
    LibraryInUse::in_dir(&paths.state_dir)
        .remember(&old)
        .unwrap();

    let chosen = data_dir.path().join("Bigger disk");
    let settings = Settings {
        library_dir: Some(chosen.clone()),
        ..Settings::default()
    };
    SettingsFile::in_dir(&paths.config_dir)
        .save(&settings)
        .unwrap();
    (data_dir, old, chosen)
}

#[test]
fn a_new_library_folder_waits_until_the_videos_being_made_in_the_old_one_are_saved() {
    use hailuo_core::library::GenerationState;

    let (data_dir, old, chosen) = moved_library_with_one_generation(GenerationState::Running);
    let (app, _data_dir) = boot_in(Arc::new(MemoryKeyStore::default()), data_dir);
    let status = invoke(&app, "app_status", serde_json::json!({}));
    assert_eq!(status["libraryDir"], old.display().to_string());
    let notices = status["notices"].to_string();
    assert!(
        notices.contains("what can still arrive there is in: 1 video still being made"),
        "{notices}"
    );
    assert!(notices.contains(&chosen.display().to_string()), "{notices}");
    let listing = invoke(&app, "library_list", serde_json::json!({}));
    assert_eq!(listing["generations"].as_array().unwrap().len(), 1);
}

#[test]
fn a_new_library_folder_opens_at_the_next_start_once_nothing_is_being_made() {
    use hailuo_core::library::GenerationState;

    let (data_dir, _old, chosen) = moved_library_with_one_generation(GenerationState::Done);
    let (app, _data_dir) = boot_in(Arc::new(MemoryKeyStore::default()), data_dir);
    let status = invoke(&app, "app_status", serde_json::json!({}));
    assert_eq!(status["libraryDir"], chosen.display().to_string());
    assert_eq!(status["notices"], serde_json::json!([]));
    assert!(chosen.is_dir(), "the chosen folder is made");
}
