//! Hailuo Studio's desktop shell: wires the core into a Tauri window through thin commands.

mod commands;
mod notifications;
mod rendering;
mod studio;

use hailuo_core::paths::{StudioPaths, DATA_DIR_ENV};
use tauri::{Manager, Runtime};

pub use studio::{
    KeyStoreOverride, LibraryReadOnly, QueuePacingOverride, Studio, QUICK_POLLING_ENV,
};

/// Starts the desktop app.
pub fn run() {
    // Before any thread starts: the only moment Linux lets `time` read the local offset.
    hailuo_core::clock::remember_local_offset();
    rendering::choose_renderer();
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

/// Where the window's size and position are kept, as the window-state plugin takes it: a name
/// in the OS config folder, or, when `HAILUO_STUDIO_DATA_DIR` moves the app's folders, an
/// absolute path in that config folder (the plugin joins it to its folder, and joining an
/// absolute path gives that path), so test runs never touch the creator's own window.
fn window_state_file(data_dir_env: Option<std::ffi::OsString>) -> String {
    const NAME: &str = "window-state.json";
    match data_dir_env.filter(|v| !v.is_empty()) {
        Some(root) => {
            let config_dir = StudioPaths::under(std::path::Path::new(&root)).config_dir;
            // A relative folder is the working directory's, as Studio::open reads it.
            std::path::absolute(&config_dir)
                .unwrap_or(config_dir)
                .join(NAME)
                .to_string_lossy()
                .into_owned()
        }
        None => NAME.to_owned(),
    }
}

/// All of the app's wiring, on any runtime, so tests can boot it on Tauri's mock runtime.
pub fn run_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        // Used from Rust only; the capability grants the webview none of its commands.
        .plugin(tauri_plugin_notification::init())
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_filename(window_state_file(std::env::var_os(DATA_DIR_ENV)))
                .build(),
        )
        .setup(|app| {
            let studio = Studio::open(app.handle())?;
            if let Ok(queue) = studio.queue() {
                notifications::watch(app.handle().clone(), queue.clone());
            }
            app.manage(studio);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_status,
            commands::app::copy_diagnostics,
            commands::app::restart_app,
            commands::accounts::list_saved_keys,
            commands::accounts::save_key,
            commands::accounts::remove_key,
            commands::accounts::test_key,
            commands::catalogue::openrouter_offer,
            commands::accounts::try_key,
            commands::accounts::open_service_page,
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
            commands::generations::download_generation_again,
            commands::library::show_generation_in_folder,
            commands::library::save_generation_as,
            commands::library::delete_generation,
            commands::library::save_poster,
            commands::library::save_last_frame,
        ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_remembered_in_the_moved_config_folder() {
        let root = std::env::temp_dir().join("studio-root");
        let file = window_state_file(Some(root.clone().into_os_string()));
        assert_eq!(
            std::path::PathBuf::from(file),
            root.join("config").join("window-state.json")
        );
    }

    #[test]
    fn the_window_is_remembered_in_the_os_config_folder_by_default() {
        let file = window_state_file(None);
        assert!(std::path::Path::new(&file).is_relative());
        // What the plugin does with it: the OS config folder's file.
        let os_config = std::env::temp_dir().join("os-config");
        assert_eq!(os_config.join(&file), os_config.join("window-state.json"));
        assert_eq!(window_state_file(Some("".into())), file);
    }

    #[test]
    fn a_moved_folder_wins_over_the_os_config_folder_when_joined() {
        let root = std::env::temp_dir().join("studio-root");
        let file = window_state_file(Some(root.clone().into_os_string()));
        let os_config = std::env::temp_dir().join("os-config");
        assert_eq!(
            os_config.join(file),
            root.join("config").join("window-state.json")
        );
    }
}
