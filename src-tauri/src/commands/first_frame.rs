//! Commands about first-frame pictures: checking a picture dropped, picked in the native dialog, or pasted.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use hailuo_core::first_frame::{self, FirstFrameReport, PictureSource};
use serde::Serialize;
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use super::CommandError;
use crate::Studio;

/// The picture types offered in the native picker (GTK matches case-sensitively); the content
/// decides in the end.
const PICKER_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff", "JPG", "JPEG", "PNG", "WEBP", "GIF",
    "BMP", "TIF", "TIFF",
];

/// A report, with the path the generation will read the picture from.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectedFirstFrame {
    /// The creator's file, or for a pasted picture the copy kept in the app's state folder.
    pub path: String,
    #[serde(flatten)]
    pub report: FirstFrameReport,
}

/// Checks a picture at a path from the OS drag-and-drop or the native picker.
#[tauri::command]
pub async fn inspect_first_frame(path: PathBuf) -> Result<InspectedFirstFrame, CommandError> {
    inspect_path(path).await
}

/// Checks pasted picture bytes, sent as the raw request body, and keeps a copy of them so the
/// generation can read them later.
#[tauri::command]
pub async fn inspect_pasted_first_frame(
    studio: State<'_, Studio>,
    request: Request<'_>,
) -> Result<InspectedFirstFrame, CommandError> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::new(
            "first-frame-unsupported",
            "The pasted content is not a picture.",
        ));
    };
    let bytes = bytes.clone();
    let pasted_dir = studio.paths.state_dir.join("pasted");
    tokio::task::spawn_blocking(move || {
        let report = first_frame::inspect(PictureSource::Pasted(&bytes))?;
        let path = keep_pasted(&pasted_dir, &bytes, report.format.name())?;
        Ok(InspectedFirstFrame {
            path: path.display().to_string(),
            report,
        })
    })
    .await?
}

/// Opens the native file picker on pictures and checks the chosen one; `None` when the creator
/// cancels. Opened from Rust, so the webview needs no dialog permission.
#[tauri::command]
pub async fn pick_first_frame<R: Runtime>(
    app: AppHandle<R>,
) -> Result<Option<InspectedFirstFrame>, CommandError> {
    let picked = tokio::task::spawn_blocking(move || {
        app.dialog()
            .file()
            .set_title("Choose a first frame")
            .add_filter("Pictures", PICKER_EXTENSIONS)
            .blocking_pick_file()
    })
    .await?;
    let Some(picked) = picked else {
        return Ok(None);
    };
    let path = picked.into_path().map_err(|_| {
        CommandError::new(
            "first-frame-unreadable",
            "The chosen picture is not a file on this computer.",
        )
    })?;
    inspect_path(path).await.map(Some)
}

async fn inspect_path(path: PathBuf) -> Result<InspectedFirstFrame, CommandError> {
    let shown = path.display().to_string();
    // Decoding a large photo takes a noticeable fraction of a second: keep it off the runtime.
    let report =
        tokio::task::spawn_blocking(move || first_frame::inspect(PictureSource::File(&path)))
            .await??;
    Ok(InspectedFirstFrame {
        path: shown,
        report,
    })
}

fn keep_pasted(dir: &Path, bytes: &[u8], format: &str) -> Result<PathBuf, CommandError> {
    let unsaved = |err: std::io::Error| {
        CommandError::new(
            "first-frame-save",
            format!(
                "The pasted picture could not be kept in {}: {err}.",
                dir.display()
            ),
        )
    };
    std::fs::create_dir_all(dir).map_err(unsaved)?;
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let path = dir.join(format!("pasted-{stamp}.{}", format.to_lowercase()));
    std::fs::write(&path, bytes).map_err(unsaved)?;
    Ok(path)
}
