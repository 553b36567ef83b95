//! Commands about money: the price before submitting, what has been spent, and the CSV export.

use hailuo_core::budget::check_budget;
use hailuo_core::ledger::{now_at_offset, SpendingSummary};
use hailuo_core::pricing::{compare, quote, Elsewhere, Quote};
use hailuo_core::{GenerationRequest, Provider};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use super::CommandError;
use crate::Studio;

/// The Create screen's price line.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationQuote {
    pub quote: Quote,
    /// The same video at the other providers, or why it cannot be made there.
    pub elsewhere: Vec<Elsewhere>,
    /// Set when submitting this would pass the month's budget: the refusal the submit would get.
    pub over_budget: Option<String>,
}

/// Prices `request`, compares it with the other providers and checks it against the monthly
/// budgets in Settings. `utc_offset_minutes` is the webview's own offset
/// (`-new Date().getTimezoneOffset()`), so months end at the creator's midnight.
#[tauri::command]
pub async fn quote_generation(
    studio: State<'_, Studio>,
    request: GenerationRequest,
    utc_offset_minutes: Option<i32>,
) -> Result<GenerationQuote, CommandError> {
    let quote = quote(&request)?;
    let budgets = studio.settings().await.monthly_budgets;
    let over_budget = check_budget(
        &studio.ledger,
        &quote,
        &budgets,
        now_at_offset(utc_offset_minutes),
    )
    .err()
    .map(|refusal| refusal.to_string());
    Ok(GenerationQuote {
        elsewhere: compare(&request, &Provider::ALL),
        quote,
        over_budget,
    })
}

/// Today, this month and all time per currency and provider, in flight and "may have been
/// charged" apart, and the month's budget bars.
/// The budgets are Settings' monthly budgets.
#[tauri::command]
pub async fn spending_summary(
    studio: State<'_, Studio>,
    utc_offset_minutes: Option<i32>,
) -> Result<SpendingSummary, CommandError> {
    let budgets = studio.settings().await.monthly_budgets;
    Ok(studio
        .ledger
        .summary(now_at_offset(utc_offset_minutes), &budgets))
}

/// Asks where to save, then writes every generation's cost as CSV. Returns the file's path, or
/// nothing when the creator cancelled. The dialog opens from Rust so the webview needs no
/// dialog permission.
#[tauri::command]
pub async fn export_spending_csv<R: Runtime>(
    app: AppHandle<R>,
    studio: State<'_, Studio>,
    utc_offset_minutes: Option<i32>,
) -> Result<Option<String>, CommandError> {
    let now = now_at_offset(utc_offset_minutes);
    let (chosen_tx, chosen_rx) = tokio::sync::oneshot::channel();
    let mut dialog = app.dialog().file();
    // Otherwise GTK opens wherever the app was started from.
    if let Ok(folder) = app.path().document_dir().or_else(|_| app.path().home_dir()) {
        dialog = dialog.set_directory(folder);
    }
    dialog
        .set_title("Export spending")
        .set_file_name(format!("Hailuo Studio spending {}.csv", now.date()))
        .add_filter("CSV spreadsheet", &["csv"])
        .save_file(move |chosen| {
            let _ = chosen_tx.send(chosen);
        });
    let Some(chosen) = chosen_rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = chosen.into_path().map_err(|err| {
        CommandError::new(
            "export-failed",
            format!("That place cannot hold a file: {err}"),
        )
    })?;
    let ledger = studio.ledger.clone();
    let offset = now.offset();
    let written = path.clone();
    // Writing and syncing the file blocks.
    tokio::task::spawn_blocking(move || ledger.export_csv_to(&written, offset)).await??;
    Ok(Some(path.display().to_string()))
}
