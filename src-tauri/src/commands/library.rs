//! Commands about the library: what is in it, with the URLs the player reads the files from.

use hailuo_core::library::{BrokenEntry, Generation};
use hailuo_core::media_server::MediaUrls;
use serde::Serialize;
use tauri::State;

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
}

/// Rescans the library folder, so folders moved, copied or deleted by hand show as they are.
#[tauri::command]
pub async fn library_list(studio: State<'_, Studio>) -> Result<LibraryListing, CommandError> {
    let library = studio.library.clone();
    let scan = tokio::task::spawn_blocking(move || library.scan()).await??;
    let generations = scan
        .generations
        .into_iter()
        .map(|entry| LibraryItem {
            media: studio.media.urls_for(&entry),
            state_label: entry.generation.state.label(),
            folder: entry.folder.display().to_string(),
            read_only: entry.read_only,
            generation: entry.generation,
        })
        .collect();
    Ok(LibraryListing {
        root: studio.library.root().display().to_string(),
        generations,
        broken: scan.broken,
    })
}
