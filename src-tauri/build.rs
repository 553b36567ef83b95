// Every app command is listed here so that Tauri generates an `allow-…` permission for it, and
// the main window's capability must then name each one explicitly.
const COMMANDS: &[&str] = &[
    "app_status",
    "list_saved_keys",
    "generation_choices",
    "library_list",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("the Tauri build script failed");
}
