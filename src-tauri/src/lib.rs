//! Hailuo Studio's desktop shell: wires the core into a Tauri window through thin commands.

mod commands;
mod studio;

use tauri::{Manager, Runtime};

pub use studio::{
    KeyStoreOverride, LibraryReadOnly, QueuePacingOverride, Studio, QUICK_POLLING_ENV,
};

/// Starts the desktop app.
pub fn run() {
    // Before any thread starts: the only moment Linux lets `time` read the local offset.
    hailuo_core::library::remember_local_offset();
    // First, so a second launch hands over to the running app before anything else opens.
    let builder = run_app(
        tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            show_main_window(app)
        })),
    );
    if let Err(err) = builder.run(tauri::generate_context!()) {
        eprintln!("Hailuo Studio could not start: {err}");
        std::process::exit(1);
    }
}

/// A second launch brings the running window to the front instead of opening another app.
fn show_main_window<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// All of the app's wiring, on any runtime, so tests can boot it on Tauri's mock runtime.
pub fn run_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let studio = Studio::open(app.handle())?;
            app.manage(studio);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_status,
            commands::app::copy_diagnostics,
            commands::accounts::list_saved_keys,
            commands::accounts::save_key,
            commands::accounts::remove_key,
            commands::accounts::test_key,
            commands::settings::get_settings,
            commands::settings::update_settings,
            commands::settings::choose_library_folder,
            commands::generation::generation_choices,
            commands::first_frame::inspect_first_frame,
            commands::first_frame::inspect_pasted_first_frame,
            commands::first_frame::pick_first_frame,
            commands::money::quote_generation,
            commands::money::spending_summary,
            commands::money::export_spending_csv,
            commands::library::library_list,
            commands::generations::start_generation,
            commands::generations::watch_generations,
            commands::generations::check_generation_now,
            commands::generations::stop_tracking_generation,
            commands::generations::retry_generation,
            commands::library::show_generation_in_folder,
            commands::library::save_generation_as,
            commands::library::delete_generation,
            commands::library::save_poster,
            commands::library::save_last_frame,
        ])
}
