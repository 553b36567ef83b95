//! What the UI shows of one generation while it is made: the `GenerationCard` of the shared contract.

use serde::Serialize;
use time::OffsetDateTime;

use crate::generation::{Model, Resolution};
use crate::ledger::{ChargeSource, SpendEntry, SpendState};
use crate::library::{Generation, GenerationFailure, GenerationId, GenerationState};
use crate::provider::{Currency, Provider};

/// Bytes saved of a video on its way, and its size when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DownloadProgress {
    pub bytes: u64,
    pub total: Option<u64>,
}

impl DownloadProgress {
    pub fn percent(&self) -> Option<u64> {
        self.total
            .filter(|t| *t > 0)
            .map(|t| (self.bytes.min(t) * 100) / t)
    }
}

/// An error as the UI receives every error: `{kind, message}`, and for an answer the app could
/// not read, that answer (redacted) as `raw`, for the card's "Copy the answer".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardError {
    pub kind: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

impl CardError {
    /// A problem with nothing to copy.
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> Self {
        CardError {
            kind: kind.into(),
            message: message.into(),
            raw: None,
        }
    }
}

impl From<&GenerationFailure> for CardError {
    fn from(failure: &GenerationFailure) -> Self {
        CardError::new(failure.kind.clone(), failure.message.clone())
    }
}

/// What the generation costs: the quote, and the charge once known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardCost {
    /// The quote the creator saw, e.g. `"0.28"`.
    pub estimate: Option<String>,
    /// What was charged, when known (reported by the provider, or the list price on success).
    pub charged: Option<String>,
    pub currency: Currency,
    /// How the amount shown is known, in words.
    pub basis: String,
}

/// One generation as the UI shows it while it is made (and once it ended in this run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationCard {
    pub id: GenerationId,
    pub state: GenerationState,
    /// How many state changes the generation has been through: a card with fewer is older news
    /// (an answer can arrive after the watch told what happened next), and the UI keeps the newer.
    pub changes: usize,
    pub state_words: String,
    pub prompt: String,
    pub provider: Provider,
    pub model: Model,
    pub resolution: Resolution,
    pub duration: u8,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    pub elapsed_seconds: u64,
    /// The median time of this machine's past done generations of the same kind.
    pub expected_seconds: Option<u64>,
    pub download: Option<DownloadProgress>,
    /// Checking is paused because the provider cannot be reached; it resumes by itself.
    pub offline: bool,
    /// More than 30 minutes at the provider: still checked, at a slow pace.
    pub long_running: bool,
    pub may_have_been_charged: bool,
    /// There is something to ask the service about now: it has a task id and is not finished.
    /// A submit that got no answer has none, so "Check now" could do nothing for it.
    pub can_check_now: bool,
    /// The creator stopped tracking it.
    pub stopped: bool,
    /// The video was made but not saved: "Try again" fetches it again (nothing is paid again).
    pub can_download_again: bool,
    pub error: Option<CardError>,
    pub cost: CardCost,
    pub first_frame_url: Option<String>,
    pub video_url: Option<String>,
    pub folder: String,
}

/// What the runner knows beyond the record: flags that are not saved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Live {
    pub offline: bool,
    pub long_running: bool,
    pub download: Option<DownloadProgress>,
    /// The last check's problem, cleared by the next good answer.
    pub problem: Option<CardError>,
    /// Generations ahead of this one in the local line.
    pub ahead: Option<usize>,
}

/// The parts of a card that come from elsewhere than the record.
pub(crate) struct CardContext<'a> {
    pub live: &'a Live,
    pub spend: Option<&'a SpendEntry>,
    pub expected_seconds: Option<u64>,
    pub folder: String,
    pub first_frame_url: Option<String>,
    pub video_url: Option<String>,
    pub now: OffsetDateTime,
}

pub(crate) fn card(generation: &Generation, context: CardContext<'_>) -> GenerationCard {
    let live = context.live;
    let state = generation.state;
    let finished_at = state
        .is_final()
        .then(|| generation.history.last().map(|c| c.at))
        .flatten();
    let elapsed = finished_at.unwrap_or(context.now) - generation.created_at;
    let may_have_been_charged = state == GenerationState::Unknown
        || matches!(
            context.spend.map(|s| &s.state),
            Some(SpendState::MayHaveBeenCharged { .. })
        );
    let stopped = state == GenerationState::Cancelled;
    let error = generation
        .error
        .as_ref()
        .map(CardError::from)
        .or_else(|| live.problem.clone());
    GenerationCard {
        id: generation.id.clone(),
        state,
        changes: generation.history.len(),
        state_words: state_words(generation, live),
        prompt: generation.request.prompt.clone(),
        provider: generation.request.provider,
        model: generation.request.model,
        resolution: generation.request.resolution,
        duration: generation.request.duration,
        created_at: generation.created_at,
        finished_at,
        elapsed_seconds: elapsed.whole_seconds().max(0) as u64,
        expected_seconds: context.expected_seconds,
        download: live
            .download
            .filter(|_| state == GenerationState::Downloading),
        offline: live.offline && !state.is_final(),
        long_running: live.long_running && !state.is_final(),
        may_have_been_charged,
        can_check_now: generation.task_id.is_some()
            && !state.is_final()
            && state != GenerationState::Waiting,
        stopped,
        can_download_again: state == GenerationState::NotSaved,
        error,
        cost: cost(generation, context.spend),
        first_frame_url: context.first_frame_url,
        video_url: context.video_url,
        folder: context.folder,
    }
}

fn state_words(generation: &Generation, live: &Live) -> String {
    let provider = generation.request.provider;
    let words = match generation.state {
        GenerationState::Waiting => match live.ahead {
            Some(n) if n > 0 => format!("Waiting its turn ({n} ahead)"),
            _ => "Waiting its turn".to_owned(),
        },
        GenerationState::Submitting => format!("Sending to {provider}"),
        GenerationState::Queued | GenerationState::Running if live.long_running => {
            format!("Still generating at {provider}")
        }
        GenerationState::Queued => format!("Queued at {provider}"),
        GenerationState::Running => "Generating".to_owned(),
        GenerationState::Downloading => match live.download.and_then(|d| d.percent()) {
            Some(percent) => format!("Downloading {percent}%"),
            None => "Downloading".to_owned(),
        },
        GenerationState::Done => "Ready".to_owned(),
        GenerationState::Failed => match &generation.error {
            Some(failure) => format!("Failed: {}", failure.message),
            None => "Failed".to_owned(),
        },
        GenerationState::Cancelled
            if generation
                .history
                .iter()
                .any(|c| c.state == GenerationState::Downloading) =>
        {
            "Stopped following; made and charged, but not saved".to_owned()
        }
        GenerationState::Cancelled => match generation.task_id {
            Some(_) => format!("Stopped; {provider} may still finish it and charge"),
            None if generation
                .history
                .iter()
                .any(|c| c.state == GenerationState::Unknown) =>
            {
                "Dismissed; it may have been charged".to_owned()
            }
            None => "Stopped before it was sent".to_owned(),
        },
        GenerationState::Unknown => "No answer: may have been charged".to_owned(),
        GenerationState::NotSaved => "Made, but not saved".to_owned(),
    };
    if live.offline && !generation.state.is_final() {
        format!("Offline — will resume ({})", words.to_lowercase())
    } else {
        words
    }
}

fn cost(generation: &Generation, spend: Option<&SpendEntry>) -> CardCost {
    let estimate = generation.estimated_cost.as_ref();
    let charged = spend
        .and_then(SpendEntry::charged)
        .or(generation.charged_cost.as_ref().map(|c| c.money));
    let currency = estimate
        .map(|e| e.money.currency)
        .or(charged.map(|c| c.currency))
        .unwrap_or(generation.request.provider.currency());
    let basis = match spend.map(|s| &s.state) {
        Some(SpendState::Charged {
            how: ChargeSource::Reported,
            ..
        }) => format!("charged, as reported by {}", generation.request.provider),
        Some(SpendState::Charged {
            how: ChargeSource::ListPrice,
            ..
        }) => "charged at the list price".to_owned(),
        Some(SpendState::NotCharged { .. }) => "not charged".to_owned(),
        Some(SpendState::MayHaveBeenCharged { .. }) => {
            "may have been charged: the estimate is at risk".to_owned()
        }
        Some(SpendState::InFlight) | None => estimate
            .map(|e| e.basis.word().to_owned())
            .unwrap_or_else(|| "estimate".to_owned()),
    };
    CardCost {
        estimate: estimate.map(|e| e.money.amount.to_string()),
        charged: charged.map(|c| c.amount.to_string()),
        currency,
        basis,
    }
}
