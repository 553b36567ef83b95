//! Commands about the library: what is in it, with the URLs the player reads the files from, and
//! what the creator does with a generation (show, save a copy, delete, keep its stills).

use std::path::PathBuf;

use hailuo_core::ledger::SpendState;
use hailuo_core::library::{
    slug, BrokenEntry, Generation, GenerationId, Library, LibraryError, Removal, Still,
};
use hailuo_core::media_server::MediaUrls;
use serde::Serialize;
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use super::CommandError;
use crate::Studio;

/// The library as the Library view shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LibraryListing {
    pub root: String,
    /// Newest first.
    pub generations: Vec<LibraryItem>,
    /// Folders that could not be read, with the reason.
    pub broken: Vec<BrokenEntry>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LibraryItem {
    pub generation: Generation,
    pub state_label: &'static str,
    pub folder: String,
    pub read_only: bool,
    pub media: MediaUrls,
    /// What the spending ledger says of its money (`charged`, `not-charged`,
    /// `may-have-been-charged`, `in-flight`), so a failed video never reads as paid.
    pub money: Option<&'static str>,
}

/// Rescans the library folder, so folders moved, copied or deleted by hand show as they are.
#[tauri::command]
pub async fn library_list(studio: State<'_, Studio>) -> Result<LibraryListing, CommandError> {
    let library = studio.library.clone();
    let scan = tokio::task::spawn_blocking(move || library.scan()).await??;
    let money: std::collections::HashMap<String, &'static str> = studio
        .ledger
        .entries()
        .into_iter()
        .map(|entry| (entry.generation_id, money_word(&entry.state)))
        .collect();
    let generations = scan
        .generations
        .into_iter()
        .map(|entry| LibraryItem {
            media: studio.media.urls_for(&entry),
            state_label: entry.generation.state.label(),
            folder: entry.folder.display().to_string(),
            read_only: entry.read_only,
            money: money.get(entry.generation.id.as_str()).copied(),
            generation: entry.generation,
        })
        .collect();
    Ok(LibraryListing {
        root: studio.library.root().display().to_string(),
        generations,
        broken: scan.broken,
    })
}

/// The ledger's state of a generation's money, as the UI branches on it.
fn money_word(state: &SpendState) -> &'static str {
    match state {
        SpendState::InFlight => "in-flight",
        SpendState::Charged { .. } => "charged",
        SpendState::NotCharged { .. } => "not-charged",
        SpendState::MayHaveBeenCharged { .. } => "may-have-been-charged",
    }
}

/// Opens the OS file manager on the generation's folder, with the video selected where the file
/// manager can do that. From Rust, so the webview gets no power to open arbitrary paths.
#[tauri::command]
pub async fn show_generation_in_folder(
    studio: State<'_, Studio>,
    id: String,
) -> Result<(), CommandError> {
    let id = generation_id(&id)?;
    let library = studio.library.clone();
    // Finding the folder may rescan; the file manager call may wait on D-Bus.
    tokio::task::spawn_blocking(move || {
        let shown = match library.video_of(&id) {
            Ok(video) => video,
            Err(LibraryError::NoVideo { .. }) => folder_of(&library, &id)?,
            Err(err) => return Err(err.into()),
        };
        tauri_plugin_opener::reveal_item_in_dir(&shown).map_err(|err| {
            CommandError::new(
                "cannot-show-folder",
                format!(
                    "Your file manager could not be opened ({err}). The generation is in “{}”.",
                    shown.parent().unwrap_or(&shown).display()
                ),
            )
        })
    })
    .await?
}

/// Asks where to save a copy of the generation's video, then copies it there. Answers the
/// copy's path, or nothing when the creator cancelled. The dialog opens from Rust, so the
/// webview needs no dialog permission.
#[tauri::command]
pub async fn save_generation_as<R: Runtime>(
    app: AppHandle<R>,
    studio: State<'_, Studio>,
    id: String,
) -> Result<Option<String>, CommandError> {
    let id = generation_id(&id)?;
    let library = studio.library.clone();
    let (prompt, has_video) = {
        let library = library.clone();
        let id = id.clone();
        tokio::task::spawn_blocking(move || {
            let generation = library.load(&id)?;
            let has_video = library.video_of(&id).is_ok();
            Ok::<_, LibraryError>((generation.request.prompt, has_video))
        })
        .await??
    };
    if !has_video {
        return Err(LibraryError::NoVideo { id }.into());
    }
    let (chosen_tx, chosen_rx) = tokio::sync::oneshot::channel();
    let mut dialog = app.dialog().file();
    // Otherwise GTK opens wherever the app was started from.
    if let Ok(folder) = app.path().video_dir().or_else(|_| app.path().home_dir()) {
        dialog = dialog.set_directory(folder);
    }
    dialog
        .set_title("Save video as")
        .set_file_name(suggested_file_name(&prompt))
        .add_filter("MP4 video", &["mp4"])
        .save_file(move |chosen| {
            let _ = chosen_tx.send(chosen);
        });
    let Some(chosen) = chosen_rx.await.ok().flatten() else {
        return Ok(None);
    };
    let destination = chosen.into_path().map_err(|err| {
        CommandError::new(
            "save-failed",
            format!("That place cannot hold a file: {err}"),
        )
    })?;
    let written = destination.clone();
    tokio::task::spawn_blocking(move || library.copy_video_to(&id, &written)).await??;
    Ok(Some(destination.display().to_string()))
}

/// Removes a generation's folder: to the OS trash, or, after a second confirmation in the UI,
/// for good. Generations still on their way are refused: a paid video may yet arrive.
#[tauri::command]
pub async fn delete_generation(
    studio: State<'_, Studio>,
    id: String,
    removal: Removal,
) -> Result<(), CommandError> {
    let id = generation_id(&id)?;
    let library = studio.library.clone();
    tokio::task::spawn_blocking(move || library.delete(&id, removal)).await??;
    Ok(())
}

/// Keeps the poster the webview drew from the video: the JPEG is the raw request body, the
/// generation's id is the `Generation-Id` header. Answers the poster's media URL.
#[tauri::command]
pub async fn save_poster(
    studio: State<'_, Studio>,
    request: Request<'_>,
) -> Result<String, CommandError> {
    let (id, jpeg) = still_request(&request)?;
    let library = studio.library.clone();
    let url_id = id.clone();
    tokio::task::spawn_blocking(move || library.save_still(&id, Still::Poster, &jpeg)).await??;
    Ok(studio.media.url_for(&url_id, Still::Poster.file_name()))
}

/// Where the last-frame picture was saved, for the Create screen to take as a first frame.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedLastFrame {
    pub path: String,
}

/// Keeps the video's last frame the webview drew (raw JPEG body, `Generation-Id` header), so
/// the next clip can start from it.
#[tauri::command]
pub async fn save_last_frame(
    studio: State<'_, Studio>,
    request: Request<'_>,
) -> Result<SavedLastFrame, CommandError> {
    let (id, jpeg) = still_request(&request)?;
    let library = studio.library.clone();
    let path =
        tokio::task::spawn_blocking(move || library.save_still(&id, Still::LastFrame, &jpeg))
            .await??;
    Ok(SavedLastFrame {
        path: path.display().to_string(),
    })
}

/// The header that names the generation when the body is a picture.
const GENERATION_ID_HEADER: &str = "generation-id";

fn still_request(request: &Request<'_>) -> Result<(GenerationId, Vec<u8>), CommandError> {
    let id = request
        .headers()
        .get(GENERATION_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let id = generation_id(id)?;
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::new(
            "still-refused",
            "The picture did not arrive as a picture.",
        ));
    };
    Ok((id, bytes.clone()))
}

fn generation_id(id: &str) -> Result<GenerationId, CommandError> {
    GenerationId::parse(id).ok_or_else(|| {
        CommandError::new(
            "generation-not-found",
            "This generation is not in the library.",
        )
    })
}

fn folder_of(library: &Library, id: &GenerationId) -> Result<PathBuf, CommandError> {
    library
        .folder_of(id)
        .ok_or_else(|| LibraryError::NotFound { id: id.clone() }.into())
}

/// `a-paper-boat-on-a-puddle.mp4`: the prompt's first words, safe on every file system.
fn suggested_file_name(prompt: &str) -> String {
    let stem = slug(prompt);
    if stem.is_empty() {
        "hailuo-video.mp4".to_owned()
    } else {
        format!("{stem}.mp4")
    }
}
