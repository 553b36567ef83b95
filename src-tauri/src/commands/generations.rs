//! Commands about generations being made: start one, watch them all, check now, stop, retry.

use std::path::PathBuf;

use hailuo_core::first_frame::{self, Fix, PictureSource};
use hailuo_core::library::GenerationId;
use hailuo_core::queue::{GenerationCard, GenerationQueue};
use hailuo_core::{FirstFrame, GenerationRequest, Model, Provider, Resolution};
use serde::Deserialize;
use tauri::ipc::Channel;
use tauri::State;
use tokio::sync::broadcast::error::RecvError;

use super::CommandError;
use crate::Studio;

/// The first frame as the Create screen names it: a checked picture file with the fixes the
/// creator accepted, or a link the provider fetches itself.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FirstFrameChoice {
    File {
        path: PathBuf,
        #[serde(default)]
        fixes: Vec<Fix>,
    },
    Link {
        url: String,
    },
}

/// The Create screen's request, exactly as `quote_generation` takes it, but for the first frame.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartRequest {
    pub provider: Provider,
    pub model: Model,
    pub prompt: String,
    #[serde(default)]
    pub first_frame: Option<FirstFrameChoice>,
    pub duration: u8,
    pub resolution: Resolution,
    #[serde(default = "default_true")]
    pub prompt_optimizer: bool,
    #[serde(default)]
    pub fast_pretreatment: bool,
}

fn default_true() -> bool {
    true
}

/// Prepares the first frame, prices the video, checks the monthly budget, writes the record and
/// queues the generation. Nothing is sent before the record is on disk.
#[tauri::command]
pub async fn start_generation(
    studio: State<'_, Studio>,
    request: StartRequest,
) -> Result<GenerationCard, CommandError> {
    let first_frame = match request.first_frame {
        None => None,
        Some(FirstFrameChoice::Link { url }) => Some(FirstFrame::Link { url }),
        Some(FirstFrameChoice::File { path, fixes }) => {
            // Decoding and re-encoding a photo takes a while: off the async workers.
            let prepared = tokio::task::spawn_blocking(move || {
                first_frame::prepare(PictureSource::File(&path), &fixes)
            })
            .await??;
            Some(prepared.into_first_frame())
        }
    };
    let generation = GenerationRequest {
        provider: request.provider,
        model: request.model,
        prompt: request.prompt,
        first_frame,
        duration: request.duration,
        resolution: request.resolution,
        prompt_optimizer: request.prompt_optimizer,
        fast_pretreatment: request.fast_pretreatment,
    };
    let budgets = studio.settings().await.monthly_budgets;
    Ok(studio.queue()?.enqueue(generation, budgets).await?)
}

/// Sends one card per generation not yet finished (and those finished in this run), then one
/// card each time a generation changes, until the webview goes away.
#[tauri::command]
pub fn watch_generations(
    studio: State<'_, Studio>,
    on_change: Channel<GenerationCard>,
) -> Result<(), CommandError> {
    // A read-only library has nothing in flight in this app: nothing to send.
    let Ok(queue) = studio.queue() else {
        return Ok(());
    };
    // Subscribed before the first cards go out, so no change falls between them.
    let changes = queue.subscribe();
    send_all(queue, &on_change)?;
    let forwarding = tauri::async_runtime::spawn(forward(queue.clone(), changes, on_change));
    // One window watches: a reloaded page's new channel replaces the old one.
    let previous = studio
        .generation_watch
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .replace(forwarding);
    if let Some(previous) = previous {
        previous.abort();
    }
    Ok(())
}

fn send_all(
    queue: &GenerationQueue,
    on_change: &Channel<GenerationCard>,
) -> Result<(), CommandError> {
    for card in queue.cards() {
        on_change.send(card).map_err(|err| {
            CommandError::new(
                "internal",
                format!("The window could not be updated: {err}"),
            )
        })?;
    }
    Ok(())
}

async fn forward(
    queue: GenerationQueue,
    mut changes: tokio::sync::broadcast::Receiver<GenerationCard>,
    on_change: Channel<GenerationCard>,
) {
    loop {
        let sent = match changes.recv().await {
            Ok(card) => on_change.send(card).is_ok(),
            // Too many changes at once: the window gets every card as it stands now.
            Err(RecvError::Lagged(_)) => send_all(&queue, &on_change).is_ok(),
            Err(RecvError::Closed) => false,
        };
        if !sent {
            break;
        }
    }
}

fn generation_id(id: &str) -> Result<GenerationId, CommandError> {
    GenerationId::parse(id).ok_or_else(|| {
        CommandError::new(
            "generation-not-found",
            "This generation is not in the library.",
        )
    })
}

/// Asks the provider about the generation now instead of at the next planned check.
#[tauri::command]
pub fn check_generation_now(
    studio: State<'_, Studio>,
    id: String,
) -> Result<GenerationCard, CommandError> {
    Ok(studio.queue()?.check_now(&generation_id(&id)?)?)
}

/// Stops following a generation; the card says whether the provider may still charge.
#[tauri::command]
pub async fn stop_tracking_generation(
    studio: State<'_, Studio>,
    id: String,
) -> Result<GenerationCard, CommandError> {
    Ok(studio.queue()?.stop_tracking(&generation_id(&id)?).await?)
}

/// Fetches a video that was made but not saved once more; nothing is made or paid again.
#[tauri::command]
pub async fn download_generation_again(
    studio: State<'_, Studio>,
    id: String,
) -> Result<GenerationCard, CommandError> {
    Ok(studio.queue()?.download_again(&generation_id(&id)?).await?)
}

/// A new paid generation with the same settings and first frame. The UI showed the price and
/// asked before calling this.
#[tauri::command]
pub async fn retry_generation(
    studio: State<'_, Studio>,
    id: String,
) -> Result<GenerationCard, CommandError> {
    let budgets = studio.settings().await.monthly_budgets;
    Ok(studio.queue()?.retry(&generation_id(&id)?, budgets).await?)
}
