//! Commands about the creator's settings: read, change, and pick the library folder.

use hailuo_core::settings::Settings;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use super::CommandError;
use crate::Studio;

#[tauri::command]
pub async fn get_settings(studio: State<'_, Studio>) -> Result<Settings, CommandError> {
    Ok(studio.settings().await)
}

/// Replaces every setting at once (the Settings screen sends the whole form) and answers the
/// settings as stored, tidied by the core.
#[tauri::command]
pub async fn update_settings(
    studio: State<'_, Studio>,
    settings: Settings,
) -> Result<Settings, CommandError> {
    Ok(studio.replace_settings(settings).await?)
}

/// Opens the OS's folder picker from here, so the webview needs no dialog permission. Answers
/// the new settings, or `null` when the creator cancels.
#[tauri::command]
pub async fn choose_library_folder<R: Runtime>(
    app: AppHandle<R>,
    studio: State<'_, Studio>,
) -> Result<Option<Settings>, CommandError> {
    let current = studio.chosen_library_dir().await;
    let (answer, chosen) = tokio::sync::oneshot::channel();
    let mut picker = app
        .dialog()
        .file()
        .set_title("Choose where Hailuo Studio saves your videos");
    if current.is_dir() {
        picker = picker.set_directory(&current);
    }
    picker.pick_folder(move |folder| {
        // The command may have been abandoned; nothing is waiting then.
        let _ = answer.send(folder);
    });
    let Some(folder) = chosen.await.ok().flatten() else {
        return Ok(None);
    };
    let folder = folder.into_path().map_err(|err| {
        CommandError::new(
            "library-folder",
            format!("That folder can't be used as a library: {err}"),
        )
    })?;
    let checked = folder.clone();
    tokio::task::spawn_blocking(move || check_writable(&checked)).await??;
    let settings = studio
        .change_settings(|settings| settings.library_dir = Some(folder))
        .await?;
    Ok(Some(settings))
}

/// A library the app cannot write to would lose a paid video later; say so now instead.
fn check_writable(folder: &std::path::Path) -> Result<(), CommandError> {
    let refuse = |err: std::io::Error| {
        CommandError::new(
            "library-folder",
            format!(
                "Hailuo Studio can't save videos in {}: {err}. Choose a folder you can write to.",
                folder.display()
            ),
        )
    };
    std::fs::create_dir_all(folder).map_err(refuse)?;
    let probe = folder.join(".hailuo-studio-write-check");
    std::fs::write(&probe, b"").map_err(refuse)?;
    std::fs::remove_file(&probe).map_err(refuse)
}
