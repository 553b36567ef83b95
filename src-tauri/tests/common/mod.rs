//! Booting the real app wiring on Tauri's mock runtime, and calling commands as the webview does.
#![allow(clippy::unwrap_used, dead_code)] // helpers: a failure should panic with its cause

use std::path::Path;
use std::sync::{Arc, Mutex};

use hailuo_core::keys::KeyStore;
use hailuo_studio::{run_app, KeyStoreOverride};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};

pub type App = tauri::App<MockRuntime>;

/// The data-dir variable is process-wide and read during start-up, so boots take turns.
static BOOTING: Mutex<()> = Mutex::new(());

/// Starts the app with its state under `data_dir` and keys in `keys`.
pub fn boot_in(data_dir: &Path, keys: Arc<dyn KeyStore>) -> App {
    let _turn = BOOTING.lock().unwrap_or_else(|p| p.into_inner());
    std::env::set_var("HAILUO_STUDIO_DATA_DIR", data_dir);
    let mut app = run_app(mock_builder().manage(KeyStoreOverride(keys)))
        // The real context, so the real capability file decides what the window may call.
        .build(tauri::generate_context!())
        .expect("the app builds on the mock runtime");
    // The setup hook runs on the event loop's first turn.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    app
}

/// Calls a command as the webview would; `Err` holds what the webview would receive.
pub fn call(
    app: &App,
    cmd: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    // The mock runtime does not open the configured windows by itself.
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
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|response| response.deserialize().unwrap())
}

/// Calls a command that must succeed.
pub fn ok(app: &App, cmd: &str, args: serde_json::Value) -> serde_json::Value {
    call(app, cmd, args).unwrap_or_else(|err| panic!("{cmd} failed: {err}"))
}

/// Calls a command that must fail, and answers the error the webview would receive.
pub fn refused(app: &App, cmd: &str, args: serde_json::Value) -> serde_json::Value {
    match call(app, cmd, args) {
        Ok(answer) => panic!("{cmd} should have failed, answered {answer}"),
        Err(err) => err,
    }
}
