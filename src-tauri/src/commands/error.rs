//! The one error the UI receives: `{kind, message}`, with the provider's own words when there are any.

use hailuo_core::budget::BudgetRefusal;
use hailuo_core::first_frame::FirstFrameError;
use hailuo_core::keys::KeyStoreError;
use hailuo_core::ledger::{LedgerError, SubmitRefused};
use hailuo_core::library::LibraryError;
use hailuo_core::pricing::QuoteError;
use hailuo_core::queue::QueueError;
use hailuo_core::settings::SettingsError;
use hailuo_core::ValidationError;
use serde::Serialize;

/// Serialized as `{"kind": "...", "message": "..."}` so the UI can branch on the kind and show
/// the message as it is.
#[derive(Debug, thiserror::Error, Serialize)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct CommandError {
    pub kind: &'static str,
    pub message: String,
}

impl CommandError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        CommandError {
            kind,
            message: message.into(),
        }
    }
}

impl From<ValidationError> for CommandError {
    fn from(err: ValidationError) -> Self {
        CommandError::new("invalid-request", err.to_string())
    }
}

impl From<KeyStoreError> for CommandError {
    fn from(err: KeyStoreError) -> Self {
        let kind = match err {
            KeyStoreError::Unavailable { .. } => "keyring-unavailable",
            KeyStoreError::Malformed(_) => "key-malformed",
        };
        CommandError::new(kind, err.to_string())
    }
}

impl From<LibraryError> for CommandError {
    fn from(err: LibraryError) -> Self {
        let kind = match err {
            LibraryError::Disk { .. } => "library-disk",
            LibraryError::NotFound { .. } => "generation-not-found",
            LibraryError::ReadOnly { .. } => "generation-read-only",
            LibraryError::StillInProgress { .. } => "generation-in-progress",
            LibraryError::Trash { .. } => "trash-unavailable",
            LibraryError::Transition(_) => "invalid-state-change",
            LibraryError::NoVideo { .. } => "no-video",
            LibraryError::BadStill { .. } => "still-refused",
        };
        CommandError::new(kind, err.to_string())
    }
}

impl From<FirstFrameError> for CommandError {
    fn from(err: FirstFrameError) -> Self {
        let kind = match err {
            FirstFrameError::Unreadable { .. } | FirstFrameError::NotAFile { .. } => {
                "first-frame-unreadable"
            }
            FirstFrameError::FileTooLarge { .. } => "first-frame-file-too-large",
            FirstFrameError::NotAPicture | FirstFrameError::UnsupportedFormat { .. } => {
                "first-frame-unsupported"
            }
            FirstFrameError::Damaged { .. } => "first-frame-damaged",
            FirstFrameError::TooManyPixels { .. } => "first-frame-too-many-pixels",
            FirstFrameError::FixNeeded { .. } => "first-frame-fix-needed",
            FirstFrameError::StillTooHeavy => "first-frame-too-heavy",
            FirstFrameError::Processing(_) => "first-frame-processing",
            FirstFrameError::Save { .. } | FirstFrameError::WouldReplaceOriginal => {
                "first-frame-save"
            }
        };
        CommandError::new(kind, err.to_string())
    }
}

impl From<QuoteError> for CommandError {
    fn from(err: QuoteError) -> Self {
        match err {
            QuoteError::Invalid(invalid) => invalid.into(),
            QuoteError::Unpriced { .. } => CommandError::new("unpriced", err.to_string()),
        }
    }
}

impl From<BudgetRefusal> for CommandError {
    fn from(err: BudgetRefusal) -> Self {
        CommandError::new("over-budget", err.to_string())
    }
}

impl From<LedgerError> for CommandError {
    fn from(err: LedgerError) -> Self {
        let kind = match err {
            LedgerError::Disk { .. } => "spending-record-unwritable",
            LedgerError::UnknownGeneration(_) | LedgerError::AlreadyRecorded(_) => "internal",
            LedgerError::Export(_) => "export-failed",
        };
        CommandError::new(kind, err.to_string())
    }
}

impl From<SettingsError> for CommandError {
    fn from(err: SettingsError) -> Self {
        let kind = match err {
            SettingsError::Write { .. } => "settings-not-saved",
            _ => "settings-invalid",
        };
        CommandError::new(kind, err.to_string())
    }
}

impl From<SubmitRefused> for CommandError {
    fn from(err: SubmitRefused) -> Self {
        match err {
            SubmitRefused::OverBudget(refusal) => refusal.into(),
            SubmitRefused::Ledger(ledger) => ledger.into(),
        }
    }
}

impl From<QueueError> for CommandError {
    fn from(err: QueueError) -> Self {
        CommandError::new(err.kind(), err.to_string())
    }
}

impl From<crate::studio::LibraryReadOnly> for CommandError {
    fn from(err: crate::studio::LibraryReadOnly) -> Self {
        CommandError::new("library-read-only", err.to_string())
    }
}

impl From<tokio::task::JoinError> for CommandError {
    fn from(err: tokio::task::JoinError) -> Self {
        CommandError::new(
            "internal",
            format!("An internal task stopped unexpectedly: {err}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_reach_the_ui_as_kind_and_message() {
        let err = CommandError::from(ValidationError::TenSecondsNeeds768p);
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["kind"], "invalid-request");
        assert_eq!(
            json["message"],
            "1080P videos can only be 6 seconds long. Choose 768P for a 10-second video."
        );
    }

    #[test]
    fn first_frame_errors_keep_their_plain_message_under_their_own_kind() {
        let err = CommandError::from(FirstFrameError::TooManyPixels {
            width: 100_000,
            height: 100_000,
        });
        assert_eq!(err.kind, "first-frame-too-many-pixels");
        assert!(err.message.contains("100000×100000"), "{}", err.message);
        let err = CommandError::from(FirstFrameError::NotAPicture);
        assert_eq!(err.kind, "first-frame-unsupported");
    }

    #[test]
    fn a_submit_over_budget_reaches_the_ui_as_over_budget() {
        use hailuo_core::budget::MonthSpend;
        use hailuo_core::{Currency, Money};
        use rust_decimal::Decimal;

        let refusal = BudgetRefusal {
            price: Money::usd(Decimal::new(49, 2)),
            budget: Money::usd(Decimal::new(5, 0)),
            month: MonthSpend::zero(Currency::Usd),
            left: Money::usd(Decimal::new(30, 2)),
        };
        let err = CommandError::from(SubmitRefused::OverBudget(refusal.clone()));
        assert_eq!(err.kind, "over-budget");
        assert_eq!(err.message, refusal.to_string());
    }
}
