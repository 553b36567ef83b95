//! What `generation.json` holds: one paid generation, its state machine and its history.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::generation::{FirstFrame, GenerationRequest, Model, Resolution};
use crate::ledger::ChargeSource;
use crate::money::Money;
use crate::pricing::{Basis, Quote};
use crate::provider::Provider;

/// The version of `generation.json` this build writes. A record with a higher version was made
/// by a newer Hailuo Studio: it is shown, but never rewritten (its unknown fields would be lost).
pub const SCHEMA_VERSION: u32 = 1;

/// A generation's identity, stable across renames and moves of its folder. New ids are UUID v7,
/// so they sort by creation time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GenerationId(String);

impl GenerationId {
    pub fn new() -> Self {
        GenerationId(uuid::Uuid::now_v7().to_string())
    }

    /// Only letters, digits, `-` and `_`: the id goes into URLs and must never name a path.
    pub fn parse(id: &str) -> Option<Self> {
        let plain = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plain.then(|| GenerationId(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for GenerationId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for GenerationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a generation is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GenerationState {
    /// On disk, waiting in the local line for its turn to be sent (the provider's limit on
    /// generations at once). Nothing has left the machine: not charged.
    Waiting,
    /// The record is on disk and the submit request is about to leave (or is on its way).
    Submitting,
    Queued,
    Running,
    /// The provider finished; the video is being fetched to the library.
    Downloading,
    Done,
    Failed,
    Cancelled,
    /// The submit may have reached the provider but no answer came: it may have been charged.
    /// Never resubmitted by itself.
    Unknown,
    /// The provider made the video but it could not be brought home after several tries (the
    /// link stayed expired, the file was not a whole MP4...). Nothing runs for it until the
    /// creator asks to try the download again or stops following it; the video may still be
    /// at the provider for a while.
    NotSaved,
}

impl GenerationState {
    /// The one place that says which changes are allowed.
    pub fn can_become(self, next: GenerationState) -> bool {
        use GenerationState::*;
        match self {
            // Only a waiting generation is ever sent: its record was on disk first.
            // Failed: something needed to send it (the key, the first frame) is missing, and
            // nothing left the machine.
            Waiting => matches!(next, Submitting | Cancelled | Failed),
            // Back to waiting only when the submit certainly started nothing (no connection).
            Submitting => matches!(
                next,
                Waiting | Queued | Running | Failed | Cancelled | Unknown
            ),
            Queued => matches!(next, Running | Downloading | Failed | Cancelled),
            Running => matches!(next, Downloading | Failed | Cancelled),
            // A download that cannot finish (the link expired and no fresh one comes) fails.
            Downloading => matches!(next, Done | Failed | NotSaved | Cancelled),
            // The creator tries the download again, or stops following it.
            NotSaved => matches!(next, Downloading | Cancelled),
            // Only a later poll may settle it, or the creator dismisses it (cancelled).
            Unknown => matches!(
                next,
                Queued | Running | Downloading | Done | Failed | Cancelled
            ),
            Done | Failed | Cancelled => false,
        }
    }

    /// Nothing happens to it by itself any more (a video not saved waits for the creator).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            GenerationState::Done
                | GenerationState::Failed
                | GenerationState::Cancelled
                | GenerationState::NotSaved
        )
    }

    /// How the library names the state to a creator.
    pub fn label(self) -> &'static str {
        match self {
            GenerationState::Waiting => "Waiting its turn",
            GenerationState::Submitting => "Sending",
            GenerationState::Queued => "Waiting in the provider's queue",
            GenerationState::Running => "Being made",
            GenerationState::Downloading => "Saving to your library",
            GenerationState::Done => "Ready",
            GenerationState::Failed => "Failed",
            GenerationState::Cancelled => "Cancelled",
            GenerationState::Unknown => "No answer: may have been charged",
            GenerationState::NotSaved => "Made, but not saved",
        }
    }
}

/// A state change that the state machine forbids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("A generation that is “{}” cannot become “{}”.", from.label(), to.label())]
pub struct TransitionError {
    pub from: GenerationState,
    pub to: GenerationState,
}

/// One entry of the status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    pub state: GenerationState,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Why, in words: the provider's status text, "dismissed by you", …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What the generation was expected to cost when it was sent: the quote the creator saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EstimatedCost {
    pub money: Money,
    pub basis: Basis,
    /// The line the creator read, e.g. `$0.28 — MiniMax list price (checked 2026-11)`.
    #[serde(default)]
    pub label: String,
}

impl From<&Quote> for EstimatedCost {
    fn from(quote: &Quote) -> Self {
        EstimatedCost {
            money: quote.price,
            basis: quote.basis.clone(),
            label: quote.label.clone(),
        }
    }
}

/// What the provider charged, and how that amount is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargedCost {
    pub money: Money,
    pub how: ChargeSource,
}

/// Why a generation failed, keeping the provider's own words next to ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationFailure {
    /// A stable name the UI can branch on (`moderated`, `insufficient-balance`, …).
    pub kind: String,
    /// What the creator reads.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The provider's own error code (`1026`, `402`, `100601`), as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_code: Option<String>,
    /// The provider's own error text, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_text: Option<String>,
}

/// The first frame as recorded: a picture file in the generation's folder, or a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RecordedFirstFrame {
    #[serde(rename_all = "camelCase")]
    Picture {
        file_name: String,
        mime: String,
    },
    Link {
        url: String,
    },
}

/// Every parameter of the request, with the first frame's picture kept as a file, not bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedRequest {
    pub provider: Provider,
    pub model: Model,
    pub prompt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_frame: Option<RecordedFirstFrame>,
    pub duration: u8,
    pub resolution: Resolution,
    pub prompt_optimizer: bool,
    pub fast_pretreatment: bool,
}

impl RecordedRequest {
    /// The request with the picture replaced by `first_frame_file` (the file's name in the folder).
    pub fn from_request(request: &GenerationRequest, first_frame_file: Option<&str>) -> Self {
        let first_frame = request.first_frame.as_ref().map(|frame| match frame {
            FirstFrame::Picture { mime, .. } => RecordedFirstFrame::Picture {
                file_name: first_frame_file.unwrap_or_default().to_owned(),
                mime: mime.clone(),
            },
            FirstFrame::Link { url } => RecordedFirstFrame::Link { url: url.clone() },
        });
        RecordedRequest {
            provider: request.provider,
            model: request.model,
            prompt: request.prompt.clone(),
            first_frame,
            duration: request.duration,
            resolution: request.resolution,
            prompt_optimizer: request.prompt_optimizer,
            fast_pretreatment: request.fast_pretreatment,
        }
    }
}

/// The downloaded video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoFile {
    pub file_name: String,
    pub bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// One generation, exactly as `generation.json` stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Generation {
    pub schema_version: u32,
    pub id: GenerationId,
    pub request: RecordedRequest,
    /// The model id as sent on the wire (`MiniMax-Hailuo-2.3`, `minimax/hailuo-2.3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_url: Option<String>,
    pub state: GenerationState,
    pub history: Vec<StatusChange>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_cost: Option<EstimatedCost>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charged_cost: Option<ChargedCost>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<GenerationFailure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<VideoFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poster_file: Option<String>,
    /// The installation that made it (its ledger's id): only that one ever sends it, so two
    /// computers sharing a synced library cannot both pay for one waiting generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

impl Generation {
    /// A new record in the `submitting` state.
    pub fn new(
        request: RecordedRequest,
        estimated_cost: Option<EstimatedCost>,
        now: OffsetDateTime,
    ) -> Self {
        Generation {
            schema_version: SCHEMA_VERSION,
            id: GenerationId::new(),
            request,
            provider_model: None,
            task_id: None,
            poll_url: None,
            state: GenerationState::Submitting,
            history: vec![StatusChange {
                state: GenerationState::Submitting,
                at: now,
                note: None,
            }],
            created_at: now,
            updated_at: now,
            estimated_cost,
            charged_cost: None,
            error: None,
            video: None,
            poster_file: None,
            created_by: None,
        }
    }

    /// A new record in the `waiting` state: in the local line, not sent yet.
    pub fn waiting(
        request: RecordedRequest,
        estimated_cost: Option<EstimatedCost>,
        now: OffsetDateTime,
    ) -> Self {
        let mut generation = Generation::new(request, estimated_cost, now);
        generation.state = GenerationState::Waiting;
        for change in &mut generation.history {
            change.state = GenerationState::Waiting;
        }
        generation
    }

    /// Moves to `next` if the state machine allows it, and records when. Staying in the same
    /// state is not a change: nothing is recorded.
    pub fn advance(
        &mut self,
        next: GenerationState,
        at: OffsetDateTime,
        note: Option<String>,
    ) -> Result<(), TransitionError> {
        if next == self.state {
            return Ok(());
        }
        if !self.state.can_become(next) {
            return Err(TransitionError {
                from: self.state,
                to: next,
            });
        }
        self.state = next;
        self.updated_at = at;
        self.history.push(StatusChange {
            state: next,
            at,
            note,
        });
        Ok(())
    }

    /// The creator sets aside a generation whose outcome is unknown. Only `unknown` can be
    /// dismissed; the record (and the possible charge) stays in the library.
    pub fn dismiss(&mut self, at: OffsetDateTime) -> Result<(), TransitionError> {
        if self.state != GenerationState::Unknown {
            return Err(TransitionError {
                from: self.state,
                to: GenerationState::Cancelled,
            });
        }
        self.advance(
            GenerationState::Cancelled,
            at,
            Some("Dismissed by you; it may still have been charged.".into()),
        )
    }

    /// Written by a newer Hailuo Studio: shown, never rewritten.
    pub fn is_read_only(&self) -> bool {
        self.schema_version > SCHEMA_VERSION
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use time::macros::datetime;
    use GenerationState::*;

    const ALL: [GenerationState; 10] = [
        Waiting,
        Submitting,
        Queued,
        Running,
        Downloading,
        Done,
        Failed,
        Cancelled,
        Unknown,
        NotSaved,
    ];

    fn record() -> Generation {
        let request = RecordedRequest {
            provider: Provider::MinimaxGlobal,
            model: Model::Hailuo23,
            prompt: "A lighthouse at dusk".into(),
            first_frame: None,
            duration: 6,
            resolution: Resolution::P768,
            prompt_optimizer: true,
            fast_pretreatment: false,
        };
        Generation::new(request, None, datetime!(2026-11-21 14:32 UTC))
    }

    #[test]
    fn done_failed_and_cancelled_are_final() {
        assert!(NotSaved.is_final(), "nothing runs for it by itself");
        for end in [Done, Failed, Cancelled] {
            assert!(end.is_final());
            for next in ALL {
                assert!(!end.can_become(next), "{end:?} -> {next:?}");
            }
        }
    }

    #[test]
    fn a_video_not_saved_can_only_be_downloaded_again_or_let_go() {
        assert!(Downloading.can_become(NotSaved));
        for next in ALL {
            assert_eq!(
                NotSaved.can_become(next),
                matches!(next, Downloading | Cancelled),
                "{next:?}"
            );
        }
    }

    #[test]
    fn an_unknown_outcome_is_settled_only_by_a_poll_or_a_dismissal() {
        for next in [Queued, Running, Downloading, Done, Failed, Cancelled] {
            assert!(Unknown.can_become(next), "{next:?}");
        }
        assert!(
            !Unknown.can_become(Submitting),
            "never resubmitted by itself"
        );
    }

    #[test]
    fn a_video_is_done_only_after_it_was_downloaded() {
        for from in [Submitting, Queued, Running] {
            assert!(!from.can_become(Done), "{from:?}");
        }
        assert!(Downloading.can_become(Done));
    }

    #[test]
    fn only_a_waiting_generation_is_ever_sent() {
        for from in ALL {
            assert_eq!(from.can_become(Submitting), from == Waiting, "{from:?}");
        }
        // Only a submit that started nothing goes back to the line; nothing else ever does.
        for from in ALL {
            assert_eq!(from.can_become(Waiting), from == Submitting, "{from:?}");
        }
    }

    #[test]
    fn advancing_records_each_change_with_its_time() {
        let mut generation = record();
        let t1 = datetime!(2026-11-21 14:33 UTC);
        let t2 = datetime!(2026-11-21 14:35 UTC);
        generation.advance(Queued, t1, None).unwrap();
        generation.advance(Queued, t2, None).unwrap();
        generation
            .advance(Running, t2, Some("Processing".into()))
            .unwrap();
        let states: Vec<_> = generation.history.iter().map(|c| c.state).collect();
        assert_eq!(states, [Submitting, Queued, Running]);
        assert_eq!(generation.history[2].at, t2);
        assert_eq!(generation.updated_at, t2);
    }

    #[test]
    fn a_forbidden_change_leaves_the_record_untouched_and_says_why() {
        let mut generation = record();
        generation
            .advance(Queued, generation.created_at, None)
            .unwrap();
        let before = generation.clone();
        let err = generation
            .advance(Done, datetime!(2026-11-21 15:00 UTC), None)
            .unwrap_err();
        assert_eq!(generation, before);
        assert_eq!(
            err.to_string(),
            "A generation that is “Waiting in the provider's queue” cannot become “Ready”."
        );
    }

    #[test]
    fn only_an_unknown_outcome_can_be_dismissed() {
        let mut generation = record();
        assert!(generation.dismiss(generation.created_at).is_err());
        generation
            .advance(Unknown, generation.created_at, None)
            .unwrap();
        generation.dismiss(generation.created_at).unwrap();
        assert_eq!(generation.state, Cancelled);
        let note = generation.history.last().unwrap().note.as_deref().unwrap();
        assert!(note.contains("may still have been charged"), "{note}");
    }

    #[test]
    fn the_record_is_written_with_rfc3339_times_and_exact_amounts() {
        let mut generation = record();
        generation.estimated_cost = Some(EstimatedCost {
            money: Money::usd(dec!(0.28)),
            basis: Basis::ListPrice,
            label: "$0.28 — MiniMax list price".into(),
        });
        generation.charged_cost = Some(ChargedCost {
            money: Money::usd(dec!(0.28)),
            how: ChargeSource::ListPrice,
        });
        generation.error = Some(GenerationFailure {
            kind: "moderated".into(),
            message: "The provider flagged the prompt.".into(),
            http_status: Some(200),
            provider_code: Some("1026".into()),
            provider_text: Some("input new_sensitive".into()),
        });
        let json = serde_json::to_value(&generation).unwrap();
        assert_eq!(json["schemaVersion"], 1);
        assert_eq!(json["createdAt"], "2026-11-21T14:32:00Z");
        assert_eq!(json["history"][0]["state"], "submitting");
        assert_eq!(
            json["estimatedCost"],
            serde_json::json!({
                "money": {"amount": "0.28", "currency": "USD"},
                "basis": {"kind": "list-price"},
                "label": "$0.28 — MiniMax list price"
            })
        );
        assert_eq!(json["chargedCost"]["how"], "list-price");
        assert_eq!(json["error"]["providerCode"], "1026");
        assert_eq!(json["request"]["provider"], "minimax-global");
        let back: Generation = serde_json::from_value(json).unwrap();
        assert_eq!(back, generation);
    }

    #[test]
    fn ids_are_time_sortable_and_safe_in_a_url() {
        let first = GenerationId::new();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = GenerationId::new();
        assert!(first < second);
        assert!(GenerationId::parse(first.as_str()).is_some());
        for bad in ["", "../x", "a/b", "a b", "é"] {
            assert!(GenerationId::parse(bad).is_none(), "{bad:?}");
        }
    }
}
