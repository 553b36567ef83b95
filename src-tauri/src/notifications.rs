//! Desktop notifications when a generation ends while the window is in the background.

use std::collections::HashMap;

use hailuo_core::library::{GenerationId, GenerationState};
use hailuo_core::queue::{GenerationCard, GenerationQueue};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::error::RecvError;

use crate::Studio;

/// How a generation ended, as far as the creator needs telling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The video is in the library.
    Ready,
    /// It failed, or no answer came and it may have been charged.
    Failed,
    /// It was made, but could not be brought home; the card offers to try again.
    NotSaved,
}

impl Ending {
    fn of(state: GenerationState) -> Option<Ending> {
        match state {
            GenerationState::Done => Some(Ending::Ready),
            GenerationState::Failed | GenerationState::Unknown => Some(Ending::Failed),
            GenerationState::NotSaved => Some(Ending::NotSaved),
            // A cancelled generation was the creator's own doing: nothing to tell.
            _ => None,
        }
    }
}

/// Whether a card's change deserves a notification: it just ended (ready or failed), the
/// creator is looking elsewhere, and Settings allows notifications. `previous` is the state the
/// card had when last seen (`None`: first seen now). A card that stays ended (e.g. re-sent when
/// its poster is saved) is not told twice, nor an unanswered one that later turns out failed.
pub fn should_notify(
    previous: Option<GenerationState>,
    now: GenerationState,
    window_focused: bool,
    notifications_on: bool,
) -> Option<Ending> {
    if !notifications_on || window_focused {
        return None;
    }
    let ending = Ending::of(now)?;
    (previous.and_then(Ending::of) != Some(ending)).then_some(ending)
}

/// The notification's title and text. The prompt says which video; a failure says why, in the
/// card's own words (which never hold a key).
pub fn notice_words(ending: Ending, card: &GenerationCard) -> (String, String) {
    let prompt = shortened(&card.prompt, 90);
    match ending {
        Ending::Ready => ("Your video is ready".to_owned(), prompt),
        Ending::Failed => (
            "A video could not be made".to_owned(),
            format!("{prompt}\n{}", card.state_words),
        ),
        Ending::NotSaved => (
            "A video was made but not saved".to_owned(),
            format!("{prompt}\nOpen Hailuo Studio to try the download again."),
        ),
    }
}

fn shortened(text: &str, most: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= most {
        return text.to_owned();
    }
    let cut: String = text.chars().take(most - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Watches every generation's changes for the app's life and notifies as `should_notify` says.
pub fn watch<R: Runtime>(app: AppHandle<R>, queue: GenerationQueue) {
    // Subscribed before the first look, so no change falls between them.
    let mut changes = queue.subscribe();
    let mut last_seen: HashMap<GenerationId, GenerationState> = queue
        .cards()
        .into_iter()
        .map(|card| (card.id, card.state))
        .collect();
    tauri::async_runtime::spawn(async move {
        loop {
            let cards = match changes.recv().await {
                Ok(card) => vec![card],
                // Too many changes at once: compare every card as it stands now.
                Err(RecvError::Lagged(_)) => queue.cards(),
                Err(RecvError::Closed) => break,
            };
            for card in cards {
                let previous = last_seen.insert(card.id.clone(), card.state);
                if previous == Some(card.state) {
                    continue;
                }
                notify_if_due(&app, previous, &card).await;
            }
        }
    });
}

async fn notify_if_due<R: Runtime>(
    app: &AppHandle<R>,
    previous: Option<GenerationState>,
    card: &GenerationCard,
) {
    let Some(studio) = app.try_state::<Studio>() else {
        return;
    };
    let notifications_on = studio.settings().await.notifications;
    // No window (it is closing) counts as looking elsewhere.
    let focused = app
        .get_webview_window("main")
        .and_then(|window| window.is_focused().ok())
        .unwrap_or(false);
    let Some(ending) = should_notify(previous, card.state, focused, notifications_on) else {
        return;
    };
    let (title, body) = notice_words(ending, card);
    if let Err(err) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!("a notification could not be shown: {err}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use GenerationState::*;

    #[test]
    fn a_video_ready_while_the_window_is_in_the_background_is_told() {
        assert_eq!(
            should_notify(Some(Downloading), Done, false, true),
            Some(Ending::Ready)
        );
    }

    #[test]
    fn a_failure_in_the_background_is_told() {
        assert_eq!(
            should_notify(Some(Running), Failed, false, true),
            Some(Ending::Failed)
        );
        assert_eq!(
            should_notify(Some(Submitting), Unknown, false, true),
            Some(Ending::Failed)
        );
    }

    #[test]
    fn a_video_made_but_not_saved_in_the_background_is_told_as_not_saved() {
        assert_eq!(
            should_notify(Some(Downloading), NotSaved, false, true),
            Some(Ending::NotSaved)
        );
    }

    #[test]
    fn nothing_is_told_while_the_creator_looks_at_the_window() {
        assert_eq!(should_notify(Some(Downloading), Done, true, true), None);
        assert_eq!(should_notify(Some(Running), Failed, true, true), None);
    }

    #[test]
    fn nothing_is_told_when_settings_turned_notifications_off() {
        assert_eq!(should_notify(Some(Downloading), Done, false, false), None);
        assert_eq!(should_notify(Some(Running), Failed, false, false), None);
    }

    #[test]
    fn changes_on_the_way_are_not_told() {
        for (previous, now) in [
            (Waiting, Submitting),
            (Submitting, Queued),
            (Queued, Running),
            (Running, Downloading),
        ] {
            assert_eq!(should_notify(Some(previous), now, false, true), None);
        }
    }

    #[test]
    fn a_cancelled_generation_is_the_creators_own_doing() {
        assert_eq!(should_notify(Some(Running), Cancelled, false, true), None);
    }

    #[test]
    fn an_ended_generation_sent_again_is_not_told_twice() {
        assert_eq!(should_notify(Some(Done), Done, false, true), None);
        assert_eq!(should_notify(Some(Failed), Failed, false, true), None);
    }

    #[test]
    fn an_unanswered_generation_that_later_fails_is_told_once() {
        assert_eq!(should_notify(Some(Unknown), Failed, false, true), None);
    }

    #[test]
    fn an_unanswered_generation_that_turns_out_ready_is_told() {
        assert_eq!(
            should_notify(Some(Unknown), Done, false, true),
            Some(Ending::Ready)
        );
    }

    #[test]
    fn a_generation_first_seen_ended_is_told() {
        assert_eq!(should_notify(None, Done, false, true), Some(Ending::Ready));
    }

    #[test]
    fn a_long_prompt_is_shortened_with_an_ellipsis() {
        let long = "a red fox runs through deep snow at dawn ".repeat(5);
        let short = shortened(&long, 30);
        assert!(short.chars().count() <= 30);
        assert!(short.ends_with('…'));
        assert_eq!(shortened("  a cat  ", 30), "a cat");
    }
}
