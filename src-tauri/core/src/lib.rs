//! Hailuo Studio's core: everything that touches money, secrets or the library, with no window.
//!
//! The Tauri app is a thin layer of commands over this crate, so every behaviour here can be
//! tested without a window, against the emulator in `hailuo-emulator`.

pub mod generation;
pub mod key_test;
pub mod keys;
pub mod money;
pub mod pacing;
pub mod paths;
pub mod provider;
pub mod providers;
pub mod settings;

pub use generation::{FirstFrame, GenerationRequest, Model, Resolution, ValidationError};
pub use money::Money;
pub use provider::{Currency, Provider};
pub use settings::{MinimaxRegion, Settings, Theme};
