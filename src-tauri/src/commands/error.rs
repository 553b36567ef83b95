//! The one error the UI receives: `{kind, message}`, with the provider's own words when there are any.

use hailuo_core::keys::KeyStoreError;
use hailuo_core::library::LibraryError;
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
        };
        CommandError::new(kind, err.to_string())
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
}
