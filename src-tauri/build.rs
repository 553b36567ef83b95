// Every app command is listed here so that Tauri generates an `allow-…` permission for it, and
// the main window's capability must then name each one explicitly.
const COMMANDS: &[&str] = &[
    "app_status",
    "copy_diagnostics",
    "restart_app",
    "list_saved_keys",
    "generation_choices",
    "inspect_first_frame",
    "inspect_pasted_first_frame",
    "pick_first_frame",
    "save_key",
    "remove_key",
    "test_key",
    "openrouter_offer",
    "try_key",
    "open_service_page",
    "get_settings",
    "update_settings",
    "choose_library_folder",
    "quote_generation",
    "spending_summary",
    "export_spending_csv",
    "library_list",
    "start_generation",
    "watch_generations",
    "check_generation_now",
    "stop_tracking_generation",
    "retry_generation",
    "download_generation_again",
    "show_generation_in_folder",
    "save_generation_as",
    "delete_generation",
    "save_poster",
    "save_last_frame",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("the Tauri build script failed");
}
