//! Everything that can go wrong while talking to a provider, in words a creator understands.

use std::time::Duration;

use serde::Serialize;

use crate::generation::ValidationError;
use crate::provider::Provider;

/// What a provider said, kept verbatim so support can see it: the HTTP status, the provider's
/// own error code and its own text. Never holds the API key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSaid {
    pub http_status: Option<u16>,
    /// MiniMax `base_resp.status_code`, OpenRouter `error.code`, LinkModel `code`.
    pub code: Option<i64>,
    /// The provider's message, or a short excerpt of an answer that could not be read.
    pub text: Option<String>,
}

impl ProviderSaid {
    pub fn status(http_status: u16) -> Self {
        ProviderSaid {
            http_status: Some(http_status),
            ..Default::default()
        }
    }

    /// What to show after the plain-language sentence, e.g. ` (MiniMax said: "invalid api key", code 2049, HTTP 200)`.
    /// An excerpt of a raw answer (JSON, an HTML page) stays in `text` for support, but is not
    /// quoted: the sentence before it already says what was wrong with it.
    pub(crate) fn suffix(&self) -> String {
        let mut parts = Vec::new();
        if let Some(text) = self
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty() && !is_raw_answer(t))
        {
            parts.push(format!("\u{201c}{text}\u{201d}"));
        }
        if let Some(code) = self.code {
            parts.push(format!("code {code}"));
        }
        if let Some(status) = self.http_status {
            parts.push(format!("HTTP {status}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" (it said: {})", parts.join(", "))
        }
    }
}

/// Replaces every copy of `secret` in `text` with `[your key]` (nothing for an empty secret).
pub(crate) fn scrub_secret(text: &mut String, secret: &str) {
    if !secret.is_empty() && text.contains(secret) {
        *text = text.replace(secret, "[your key]");
    }
}

/// Whether `text` is a piece of a raw answer (JSON or markup) rather than a provider's message.
fn is_raw_answer(text: &str) -> bool {
    text.starts_with(['{', '[', '<'])
}

/// Whether the failed call cost the creator money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MoneyState {
    NotCharged,
    Charged,
    /// The provider may have started (and billed) a generation we never heard about.
    Unknown,
}

/// One taxonomy for the three services. Every variant names the provider and keeps what it said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("{provider} did not accept your API key.{hint}{said}", hint = if *other_region_hint { " MiniMax keys only work in the region they were made in: if this key is from the other region (global vs. mainland China), choose that one instead." } else { " Check that you pasted the whole key, and that it has not been revoked." }, said = said.suffix())]
    KeyRejected {
        provider: Provider,
        other_region_hint: bool,
        said: ProviderSaid,
    },

    #[error("Your {provider} account has no credit left, or has reached its spending limit. Top it up on {provider}'s website, then try again.{said}", said = said.suffix())]
    NoCredit {
        provider: Provider,
        said: ProviderSaid,
    },

    /// MiniMax 2056: a plan ("sk-cp-") key has used its allowance for the current 5-hour window.
    #[error("Your {provider} plan has used up its allowance for now. Plans allow a set amount of use in each 5-hour window: wait for the next window, or use a pay-as-you-go key, then try again. Nothing was charged.{said}", said = said.suffix())]
    PlanLimitReached {
        provider: Provider,
        said: ProviderSaid,
    },

    #[error("{provider} is receiving too many requests from this key right now.{wait} Nothing was charged for this attempt.{said}", wait = retry_after.map(try_again_in).unwrap_or_else(|| " Try again in a minute.".into()), said = said.suffix())]
    RateLimited {
        provider: Provider,
        retry_after: Option<Duration>,
        said: ProviderSaid,
    },

    #[error("{provider} flagged the prompt or the first frame as sensitive and refused to make the video. Rephrase it or pick another picture.{said}", said = said.suffix())]
    PromptFlagged {
        provider: Provider,
        said: ProviderSaid,
    },

    #[error("{provider} made the video but flagged the result as sensitive, so it cannot be downloaded. Try a different prompt.{said}", said = said.suffix())]
    VideoFlagged {
        provider: Provider,
        said: ProviderSaid,
    },

    #[error("{provider} refused these settings.{said}", said = said.suffix())]
    InvalidParameters {
        provider: Provider,
        said: ProviderSaid,
    },

    #[error("{provider} is having trouble at the moment.{wait}{said}", wait = retry_after.map(try_again_in).unwrap_or_else(|| " Try again in a few minutes.".into()), said = said.suffix())]
    Unavailable {
        provider: Provider,
        retry_after: Option<Duration>,
        said: ProviderSaid,
    },

    #[error(
        "Hailuo Studio could not reach {provider}. Check your internet connection. ({detail})"
    )]
    NetworkDown { provider: Provider, detail: String },

    #[error("{provider} sent an answer Hailuo Studio could not understand: {what}.{said}", said = said.suffix())]
    UnexpectedAnswer {
        provider: Provider,
        what: String,
        said: ProviderSaid,
    },

    /// An answer about a generation being followed that could not be read at all. The
    /// generation stays followable; `raw` is the answer, redacted, for a bug report.
    #[error("{provider} answered in a way Hailuo Studio does not know yet ({what}). The generation is still being followed. Copy the answer below into a bug report so this can be fixed.{said}", said = said.suffix())]
    UnreadableAnswer {
        provider: Provider,
        what: String,
        said: ProviderSaid,
        raw: String,
    },

    #[error("The request reached {provider} but no clear answer came back ({cause}), so the video may have been started and charged. Check your {provider} account before trying again, so you do not pay twice.{said}", said = said.suffix())]
    SubmitOutcomeUnknown {
        provider: Provider,
        cause: String,
        said: ProviderSaid,
    },

    #[error("{provider} could not make this video.{charged}{said}", charged = match money { MoneyState::NotCharged => " You were not charged.", MoneyState::Charged => " It was charged anyway.", MoneyState::Unknown => "" }, said = said.suffix())]
    GenerationFailed {
        provider: Provider,
        money: MoneyState,
        said: ProviderSaid,
    },

    #[error("{provider} does not know this generation.{said}", said = said.suffix())]
    TaskNotFound {
        provider: Provider,
        said: ProviderSaid,
    },

    /// Caught before sending: nothing reached the provider.
    #[error("{0}")]
    InvalidRequest(#[from] ValidationError),

    #[error("This generation is meant for {request}, but was sent to the {client} client.")]
    WrongClient { request: Provider, client: Provider },

    #[error("{provider} refused the request.{said}", said = said.suffix())]
    Refused {
        provider: Provider,
        said: ProviderSaid,
    },

    #[error("The download link from {provider} has expired (HTTP {http_status}). Hailuo Studio will ask for a fresh one.")]
    LinkExpired {
        provider: Provider,
        http_status: u16,
    },

    #[error("The download from {provider} stopped early: {received} of {expected} bytes arrived. Try the download again; the part already saved is kept.")]
    DownloadIncomplete {
        provider: Provider,
        received: u64,
        expected: u64,
    },

    #[error("The video from {provider} arrived incomplete, so it could not be played. Hailuo Studio fetches it again.")]
    VideoIncomplete { provider: Provider },

    #[error("{provider} offered a video of {bytes} bytes, more than the {limit} bytes Hailuo Studio accepts, so it was not downloaded.")]
    VideoTooLarge {
        provider: Provider,
        bytes: u64,
        limit: u64,
    },

    #[error("Hailuo Studio could not save the video to {path}: {detail}")]
    Disk { path: String, detail: String },

    #[error("{provider} pointed to a link that is not secure (not https), so Hailuo Studio did not follow it: {url}")]
    UnsafeLink { provider: Provider, url: String },
}

impl ProviderError {
    /// A stable identifier the UI branches on.
    pub fn kind(&self) -> &'static str {
        match self {
            ProviderError::KeyRejected { .. } => "key-rejected",
            ProviderError::NoCredit { .. } => "no-credit",
            ProviderError::PlanLimitReached { .. } => "plan-limit-reached",
            ProviderError::UnreadableAnswer { .. } => "unreadable-answer",
            ProviderError::RateLimited { .. } => "rate-limited",
            ProviderError::PromptFlagged { .. } => "prompt-flagged",
            ProviderError::VideoFlagged { .. } => "video-flagged",
            ProviderError::InvalidParameters { .. } => "invalid-parameters",
            ProviderError::Unavailable { .. } => "provider-unavailable",
            ProviderError::NetworkDown { .. } => "network-down",
            ProviderError::UnexpectedAnswer { .. } => "unexpected-answer",
            ProviderError::SubmitOutcomeUnknown { .. } => "submit-outcome-unknown",
            ProviderError::GenerationFailed { .. } => "generation-failed",
            ProviderError::TaskNotFound { .. } => "task-not-found",
            ProviderError::InvalidRequest(_) => "invalid-request",
            ProviderError::WrongClient { .. } => "wrong-client",
            ProviderError::Refused { .. } => "refused",
            ProviderError::LinkExpired { .. } => "link-expired",
            ProviderError::DownloadIncomplete { .. } => "download-incomplete",
            ProviderError::VideoIncomplete { .. } => "video-incomplete",
            ProviderError::VideoTooLarge { .. } => "video-too-large",
            ProviderError::Disk { .. } => "disk",
            ProviderError::UnsafeLink { .. } => "unsafe-link",
        }
    }

    /// Whether the failed call itself cost money. Errors about checking or downloading a
    /// generation say `NotCharged`: whatever the generation cost was decided when it was made.
    pub fn money(&self) -> MoneyState {
        match self {
            ProviderError::SubmitOutcomeUnknown { .. } => MoneyState::Unknown,
            ProviderError::GenerationFailed { money, .. } => *money,
            _ => MoneyState::NotCharged,
        }
    }

    /// What the provider said, when it said anything.
    pub fn said(&self) -> Option<&ProviderSaid> {
        match self {
            ProviderError::KeyRejected { said, .. }
            | ProviderError::NoCredit { said, .. }
            | ProviderError::PlanLimitReached { said, .. }
            | ProviderError::UnreadableAnswer { said, .. }
            | ProviderError::RateLimited { said, .. }
            | ProviderError::PromptFlagged { said, .. }
            | ProviderError::VideoFlagged { said, .. }
            | ProviderError::InvalidParameters { said, .. }
            | ProviderError::Unavailable { said, .. }
            | ProviderError::UnexpectedAnswer { said, .. }
            | ProviderError::SubmitOutcomeUnknown { said, .. }
            | ProviderError::GenerationFailed { said, .. }
            | ProviderError::TaskNotFound { said, .. }
            | ProviderError::Refused { said, .. } => Some(said),
            _ => None,
        }
    }

    /// While following a generation: an answer that could not be read becomes
    /// [`ProviderError::UnreadableAnswer`] carrying the whole answer, redacted. Others pass.
    pub fn unreadable_while_following(self, body: &str) -> ProviderError {
        match self {
            ProviderError::UnexpectedAnswer {
                provider,
                what,
                said,
            } => ProviderError::UnreadableAnswer {
                provider,
                what,
                said,
                raw: crate::field_record::redact_body(body),
            },
            other => other,
        }
    }

    /// The answer as it came (redacted), when it could not be read.
    pub fn raw_answer(&self) -> Option<&str> {
        match self {
            ProviderError::UnreadableAnswer { raw, .. } => Some(raw),
            _ => None,
        }
    }

    /// The same error with every copy of `secret` (the API key) replaced by `[your key]`:
    /// a provider that quotes the key back must not get it onto a card, a record or a log.
    pub fn without_secret(mut self, secret: &str) -> ProviderError {
        let scrub = |text: &mut String| scrub_secret(text, secret);
        match &mut self {
            ProviderError::UnexpectedAnswer { what, said, .. } => {
                scrub(what);
                said.text.as_mut().map(scrub);
            }
            ProviderError::UnreadableAnswer {
                what, said, raw, ..
            } => {
                scrub(what);
                scrub(raw);
                said.text.as_mut().map(scrub);
            }
            ProviderError::SubmitOutcomeUnknown { cause, said, .. } => {
                scrub(cause);
                said.text.as_mut().map(scrub);
            }
            ProviderError::NetworkDown { detail, .. } => scrub(detail),
            ProviderError::Disk { path, detail } => {
                scrub(path);
                scrub(detail);
            }
            ProviderError::UnsafeLink { url, .. } => scrub(url),
            ProviderError::KeyRejected { said, .. }
            | ProviderError::NoCredit { said, .. }
            | ProviderError::PlanLimitReached { said, .. }
            | ProviderError::RateLimited { said, .. }
            | ProviderError::PromptFlagged { said, .. }
            | ProviderError::VideoFlagged { said, .. }
            | ProviderError::InvalidParameters { said, .. }
            | ProviderError::Unavailable { said, .. }
            | ProviderError::GenerationFailed { said, .. }
            | ProviderError::TaskNotFound { said, .. }
            | ProviderError::Refused { said, .. } => {
                said.text.as_mut().map(scrub);
            }
            ProviderError::InvalidRequest(_)
            | ProviderError::WrongClient { .. }
            | ProviderError::LinkExpired { .. }
            | ProviderError::DownloadIncomplete { .. }
            | ProviderError::VideoIncomplete { .. }
            | ProviderError::VideoTooLarge { .. } => {}
        }
        self
    }

    /// How long the provider asked us to wait, when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProviderError::RateLimited { retry_after, .. }
            | ProviderError::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The UI receives `{kind, message, money, said}`.
impl Serialize for ProviderError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("ProviderError", 5)?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("money", &self.money())?;
        s.serialize_field("said", &self.said())?;
        // Only an unreadable answer carries it: what to copy into a bug report.
        if let Some(raw) = self.raw_answer() {
            s.serialize_field("raw", raw)?;
        }
        s.end()
    }
}

/// At most this many characters of an unreadable answer are kept: enough to recognise a proxy's
/// error page, not so much that a whole HTML page lands in the log.
pub const EXCERPT_CHARS: usize = 200;

/// The most of a provider's own message that is kept. Real ones are a sentence; a longer one is
/// cut, so a hostile answer can neither fill an error box nor swell `generation.json`.
pub const MAX_PROVIDER_TEXT_CHARS: usize = 1000;

/// A provider's own message, kept verbatim up to `MAX_PROVIDER_TEXT_CHARS`.
pub fn provider_text(text: &str) -> String {
    match text.char_indices().nth(MAX_PROVIDER_TEXT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// A short, single-line excerpt of a body.
pub fn excerpt(body: &str) -> String {
    let flat: String = body
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(EXCERPT_CHARS)
        .collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.chars().count() > EXCERPT_CHARS {
        format!("{flat}…")
    } else {
        flat
    }
}

/// " Try again in 1 second." / " Try again in 30 seconds." / " Try again in 2 minutes.": a
/// provider's Retry-After in words.
fn try_again_in(wait: Duration) -> String {
    let seconds = wait.as_secs().max(1);
    match seconds {
        1 => " Try again in 1 second.".to_owned(),
        2..=119 => format!(" Try again in {seconds} seconds."),
        _ => format!(" Try again in {} minutes.", seconds.div_ceil(60)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_the_provider_asks_for_is_said_in_plain_words() {
        assert_eq!(
            try_again_in(Duration::from_millis(300)),
            " Try again in 1 second."
        );
        assert_eq!(
            try_again_in(Duration::from_secs(1)),
            " Try again in 1 second."
        );
        assert_eq!(
            try_again_in(Duration::from_secs(45)),
            " Try again in 45 seconds."
        );
        assert_eq!(
            try_again_in(Duration::from_secs(600)),
            " Try again in 10 minutes."
        );
    }

    #[test]
    fn a_rejected_minimax_key_suggests_the_other_region() {
        let err = ProviderError::KeyRejected {
            provider: Provider::MinimaxGlobal,
            other_region_hint: true,
            said: ProviderSaid {
                http_status: Some(200),
                code: Some(2049),
                text: Some("invalid api key".into()),
            },
        };
        let message = err.to_string();
        assert!(message.contains("other region"), "{message}");
        assert!(message.contains("code 2049"), "{message}");
        assert!(message.contains("invalid api key"), "{message}");
        assert_eq!(err.kind(), "key-rejected");
    }

    #[test]
    fn an_unknown_submit_outcome_warns_about_being_charged() {
        let err = ProviderError::SubmitOutcomeUnknown {
            provider: Provider::OpenRouter,
            cause: "the connection timed out".into(),
            said: ProviderSaid::default(),
        };
        assert_eq!(err.money(), MoneyState::Unknown);
        assert!(err
            .to_string()
            .contains("may have been started and charged"));
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["kind"], "submit-outcome-unknown");
        assert_eq!(json["money"], "unknown");
    }

    #[test]
    fn a_raw_answer_is_kept_for_support_but_not_quoted_to_the_creator() {
        let body = r#"{"task_id":"","base_resp":{"status_code":0,"status_msg":"success"}}"#;
        let err = ProviderError::SubmitOutcomeUnknown {
            provider: Provider::MinimaxChina,
            cause: "it answered with a success without a task id".into(),
            said: ProviderSaid {
                http_status: Some(200),
                code: None,
                text: Some(excerpt(body)),
            },
        };
        let message = err.to_string();
        assert!(!message.contains("task_id"), "{message}");
        assert!(message.ends_with("(it said: HTTP 200)"), "{message}");
        assert_eq!(err.said().and_then(|s| s.text.as_deref()), Some(body));

        let page = ProviderSaid {
            http_status: Some(502),
            code: None,
            text: Some(excerpt(
                "<html><head><title>502 Bad Gateway</title></head></html>",
            )),
        };
        assert_eq!(page.suffix(), " (it said: HTTP 502)");
        // A provider's own message is still quoted.
        let own = ProviderSaid {
            text: Some("invalid params, duration".into()),
            code: Some(2013),
            http_status: Some(200),
        };
        assert_eq!(
            own.suffix(),
            " (it said: \u{201c}invalid params, duration\u{201d}, code 2013, HTTP 200)"
        );
    }

    #[test]
    fn an_excerpt_is_short_and_on_one_line() {
        let page = format!("<html>\n<body>{}</body></html>", "x".repeat(500));
        let cut = excerpt(&page);
        assert!(!cut.contains('\n'));
        assert!(cut.chars().count() <= EXCERPT_CHARS + 1);
        assert!(cut.starts_with("<html> <body>xxx"));
        assert!(cut.ends_with('…'));
    }
}
