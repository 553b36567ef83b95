//! The first-frame commands, called through the real IPC wiring and capability on Tauri's mock runtime.
#![allow(clippy::unwrap_used)] // a test helper that fails should panic with the cause

use std::io::Cursor;
use std::sync::{Arc, Mutex};

use hailuo_core::keys::MemoryKeyStore;
use hailuo_studio::{run_app, KeyStoreOverride};
use serde_json::{json, Value};
use tauri::ipc::InvokeBody;
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};

/// The data-dir variable is process-wide and read during start-up, so boots take turns.
static BOOTING: Mutex<()> = Mutex::new(());

fn boot() -> (tauri::App<MockRuntime>, tempfile::TempDir) {
    let data_dir = tempfile::tempdir().unwrap();
    let _turn = BOOTING.lock().unwrap_or_else(|p| p.into_inner());
    std::env::set_var("HAILUO_STUDIO_DATA_DIR", data_dir.path());
    let keys = Arc::new(MemoryKeyStore::default());
    let mut app = run_app(mock_builder().manage(KeyStoreOverride(keys)))
        .build(tauri::generate_context!())
        .unwrap();
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    (app, data_dir)
}

fn invoke(app: &tauri::App<MockRuntime>, cmd: &str, body: InvokeBody) -> Result<Value, Value> {
    let window = app.get_webview_window("main").unwrap_or_else(|| {
        WebviewWindowBuilder::new(app, "main", Default::default())
            .build()
            .unwrap()
    });
    get_ipc_response(
        &window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body,
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|response| response.deserialize().unwrap())
}

fn phone_photo(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = Cursor::new(Vec::new());
    picture
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

#[test]
fn a_dropped_picture_is_reported_with_its_rules_and_fixes() {
    let (app, data_dir) = boot();
    let path = data_dir.path().join("small.jpeg");
    std::fs::write(&path, phone_photo(200, 200)).unwrap();

    let report = invoke(
        &app,
        "inspect_first_frame",
        InvokeBody::Json(json!({ "path": path })),
    )
    .unwrap();
    assert_eq!(report["path"], path.display().to_string());
    assert_eq!(report["format"], "jpeg");
    assert_eq!(report["ready"], false);
    assert_eq!(report["fixes"][0]["fix"], "upscale");
    assert!(report["fixes"][0]["preview"]
        .as_str()
        .unwrap()
        .starts_with("data:image/jpeg;base64,"));
}

#[test]
fn a_picture_that_cannot_be_used_comes_back_as_kind_and_message() {
    let (app, data_dir) = boot();
    let path = data_dir.path().join("notes.png");
    std::fs::write(&path, "not a picture at all").unwrap();
    let err = invoke(
        &app,
        "inspect_first_frame",
        InvokeBody::Json(json!({ "path": path })),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "first-frame-unsupported");
    assert!(err["message"].as_str().unwrap().contains("not a picture"));
}

#[test]
fn a_pasted_picture_is_reported_and_kept_for_the_generation() {
    let (app, data_dir) = boot();
    let bytes = phone_photo(640, 360);
    let report = invoke(
        &app,
        "inspect_pasted_first_frame",
        InvokeBody::Raw(bytes.clone()),
    )
    .unwrap();
    assert_eq!(report["ready"], true);
    assert_eq!(report["shape"], "landscape");
    let kept = std::path::PathBuf::from(report["path"].as_str().unwrap());
    assert!(kept.starts_with(data_dir.path()), "{}", kept.display());
    assert_eq!(kept.extension().unwrap(), "jpeg");
    assert_eq!(std::fs::read(&kept).unwrap(), bytes);
}
