//! The creator's API keys, kept in the OS's own secret store and never anywhere else.

use std::collections::HashMap;
use std::sync::Mutex;

use secrecy::{ExposeSecret, SecretString};

use crate::provider::Provider;

/// The keyring service name under which every key is stored, one entry per provider.
pub const KEYRING_SERVICE: &str = "io.hailuostudio.desktop";

#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    /// The OS has no usable secret store (no Secret Service, locked, or access refused).
    #[error("Hailuo Studio could not use your system's password store ({detail}). Keys are only ever kept there, never in a plain file. On Linux, make sure a keyring such as GNOME Keyring is installed and unlocked, then try again.")]
    Unavailable { detail: String },
    #[error("That doesn't look like an API key: {0}")]
    Malformed(&'static str),
}

/// Where keys live. The app uses the OS keyring; tests use memory.
///
/// Calls may block on D-Bus: async code calls them from `spawn_blocking`.
pub trait KeyStore: Send + Sync {
    fn get(&self, provider: Provider) -> Result<Option<SecretString>, KeyStoreError>;
    fn set(&self, provider: Provider, key: &SecretString) -> Result<(), KeyStoreError>;
    fn remove(&self, provider: Provider) -> Result<(), KeyStoreError>;
}

/// What the webview may learn about a saved key: that it exists, and its last four characters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedKey {
    pub provider: Provider,
    pub ends_with: String,
}

impl SavedKey {
    pub fn describe(provider: Provider, key: &SecretString) -> Self {
        let chars: Vec<char> = key.expose_secret().chars().collect();
        // Short keys show less, so that a four-character key is never echoed whole.
        let shown = if chars.len() >= 12 {
            4
        } else {
            chars.len() / 4
        };
        SavedKey {
            provider,
            ends_with: chars[chars.len() - shown..].iter().collect(),
        }
    }
}

/// A key as pasted in the UI, on its way in over IPC.
///
/// Its `Deserialize` never quotes the input in an error (serde's usual messages do), so a
/// mistyped argument cannot echo a key back to the webview or into a log.
pub struct PastedKey(SecretString);

impl PastedKey {
    /// The key with paste debris removed, or why it cannot be a key.
    pub fn clean(&self) -> Result<SecretString, KeyStoreError> {
        clean_pasted_key(self.0.expose_secret())
    }
}

impl std::fmt::Debug for PastedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PastedKey([hidden])")
    }
}

impl<'de> serde::Deserialize<'de> for PastedKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)
            .map(|text| PastedKey(SecretString::from(text)))
            .map_err(|_| serde::de::Error::custom("the API key must be sent as text"))
    }
}

/// Trims what a paste tends to add and refuses what cannot be a key.
pub fn clean_pasted_key(pasted: &str) -> Result<SecretString, KeyStoreError> {
    let trimmed = pasted.trim();
    let without_bearer = trimmed
        .strip_prefix("Bearer ")
        .or_else(|| trimmed.strip_prefix("bearer "))
        .unwrap_or(trimmed)
        .trim();
    if without_bearer.is_empty() {
        return Err(KeyStoreError::Malformed("it is empty."));
    }
    if without_bearer.chars().any(char::is_whitespace) {
        return Err(KeyStoreError::Malformed(
            "it contains spaces or line breaks. Copy just the key.",
        ));
    }
    if without_bearer
        .chars()
        .any(|c| c.is_control() || is_invisible(c))
    {
        return Err(KeyStoreError::Malformed(
            "it contains a hidden character (often picked up when copying from a web page or a document). Copy the key again, straight from the service's website.",
        ));
    }
    if !without_bearer.chars().all(|c| c.is_ascii_graphic()) {
        // Keys are plain letters, digits and signs; anything else cannot travel in a request.
        return Err(KeyStoreError::Malformed(
            "it contains characters no API key has (such as accented letters or curly quotes). Copy the key again, straight from the service's website.",
        ));
    }
    if without_bearer.len() < 8 {
        return Err(KeyStoreError::Malformed("it is too short."));
    }
    Ok(SecretString::from(without_bearer.to_owned()))
}

/// Characters that show as nothing: zero-width spaces and joiners, the byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{00ad}'
    )
}

/// Keys in the OS keyring (Secret Service, Keychain, Credential Manager).
pub struct OsKeyring {
    service: String,
}

impl OsKeyring {
    pub fn new() -> Self {
        Self::with_service(KEYRING_SERVICE)
    }

    /// A separate namespace, so tests against the real Secret Service never touch real keys.
    pub fn with_service(service: impl Into<String>) -> Self {
        OsKeyring {
            service: service.into(),
        }
    }

    fn entry(&self, provider: Provider) -> Result<keyring::Entry, KeyStoreError> {
        keyring::Entry::new(&self.service, provider.id()).map_err(unavailable)
    }
}

impl Default for OsKeyring {
    fn default() -> Self {
        Self::new()
    }
}

fn unavailable(err: keyring::Error) -> KeyStoreError {
    KeyStoreError::Unavailable {
        detail: err.to_string(),
    }
}

impl KeyStore for OsKeyring {
    fn get(&self, provider: Provider) -> Result<Option<SecretString>, KeyStoreError> {
        match self.entry(provider)?.get_password() {
            Ok(key) => Ok(Some(SecretString::from(key))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(unavailable(err)),
        }
    }

    fn set(&self, provider: Provider, key: &SecretString) -> Result<(), KeyStoreError> {
        self.entry(provider)?
            .set_password(key.expose_secret())
            .map_err(unavailable)
    }

    fn remove(&self, provider: Provider) -> Result<(), KeyStoreError> {
        match self.entry(provider)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(unavailable(err)),
        }
    }
}

/// Keys in memory, for tests.
#[derive(Default)]
pub struct MemoryKeyStore {
    keys: Mutex<HashMap<Provider, String>>,
}

impl KeyStore for MemoryKeyStore {
    fn get(&self, provider: Provider) -> Result<Option<SecretString>, KeyStoreError> {
        let keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        Ok(keys.get(&provider).cloned().map(SecretString::from))
    }

    fn set(&self, provider: Provider, key: &SecretString) -> Result<(), KeyStoreError> {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.insert(provider, key.expose_secret().to_owned());
        Ok(())
    }

    fn remove(&self, provider: Provider) -> Result<(), KeyStoreError> {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.remove(&provider);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_key_is_described_by_its_last_four_characters_only() {
        let key = SecretString::from("sk-test-1234567890abcd".to_owned());
        let saved = SavedKey::describe(Provider::OpenRouter, &key);
        assert_eq!(saved.ends_with, "abcd");
        let json = serde_json::to_string(&saved).unwrap();
        assert!(!json.contains("1234567890"), "{json}");
    }

    #[test]
    fn a_short_key_is_never_echoed_whole() {
        let key = SecretString::from("abcdefgh".to_owned());
        assert_eq!(
            SavedKey::describe(Provider::LinkModel, &key).ends_with,
            "gh"
        );
    }

    #[test]
    fn pasted_keys_lose_surrounding_space_and_a_bearer_prefix() {
        let key = clean_pasted_key("  Bearer sk-abcdefgh123\n").unwrap();
        assert_eq!(key.expose_secret(), "sk-abcdefgh123");
    }

    #[test]
    fn pasted_text_that_cannot_be_a_key_is_refused_plainly() {
        assert!(clean_pasted_key("   ").is_err());
        let err = clean_pasted_key("sk-abc def-ghijk").unwrap_err();
        assert!(err.to_string().contains("spaces"), "{err}");
    }

    #[test]
    fn a_pasted_key_with_a_hidden_or_foreign_character_is_refused_at_save_with_a_plain_message() {
        for pasted in [
            "sk-abc\u{1}defghijk",
            "sk-abc\u{7f}defghijk",
            "sk-abc\u{200b}defghijk",
            "\u{feff}sk-abcdefghijk",
            "sk-abcdéfghijk",
            "“sk-abcdefghijk”",
        ] {
            let err = clean_pasted_key(pasted).unwrap_err();
            let message = err.to_string();
            assert!(message.contains("Copy the key again"), "{message}");
            assert!(!message.contains("abcd"), "never echoes the key: {message}");
        }
        // Surrounding paste debris is still trimmed, not refused.
        let key = clean_pasted_key("\u{a0}sk-abcdefgh123\r\n").unwrap();
        assert_eq!(key.expose_secret(), "sk-abcdefgh123");
    }

    #[test]
    fn a_pasted_key_that_is_not_text_is_refused_without_echoing_it() {
        let err = serde_json::from_str::<PastedKey>("[\"sk-hidden-123456\"]").unwrap_err();
        assert!(!err.to_string().contains("sk-hidden"), "{err}");
        let err = serde_json::from_str::<PastedKey>("987654321987").unwrap_err();
        assert!(!err.to_string().contains("987654321987"), "{err}");
        let key: PastedKey = serde_json::from_str("\" sk-ok-12345678 \"").unwrap();
        assert_eq!(key.clean().unwrap().expose_secret(), "sk-ok-12345678");
        assert!(!format!("{key:?}").contains("sk-ok"));
    }

    #[test]
    fn the_memory_store_saves_replaces_and_removes() {
        let store = MemoryKeyStore::default();
        assert!(store.get(Provider::LinkModel).unwrap().is_none());
        store
            .set(
                Provider::LinkModel,
                &SecretString::from("first-key-1".to_owned()),
            )
            .unwrap();
        store
            .set(
                Provider::LinkModel,
                &SecretString::from("second-key-2".to_owned()),
            )
            .unwrap();
        let key = store.get(Provider::LinkModel).unwrap().unwrap();
        assert_eq!(key.expose_secret(), "second-key-2");
        store.remove(Provider::LinkModel).unwrap();
        assert!(store.get(Provider::LinkModel).unwrap().is_none());
    }
}
