//! Hailuo Studio's core: everything that touches money, secrets or the library, with no window.
//!
//! The Tauri app is a thin layer of commands over this crate, so every behaviour here can be
//! tested without a window, against the emulator in `hailuo-emulator`.

pub mod budget;
pub mod clock;
pub mod diagnostics;
pub mod field_record;
pub mod first_frame;
#[doc(hidden)]
pub mod fuzzing;
pub mod generation;
pub mod key_test;
pub mod keys;
pub mod ledger;
pub mod library;
pub mod logs;
pub mod media_server;
pub mod money;
pub mod pacing;
pub mod paths;
pub mod poll_schedule;
pub mod pricing;
pub mod provider;
pub mod providers;
pub mod queue;
pub mod settings;

pub use budget::{check_budget, BudgetRefusal};
pub use generation::{FirstFrame, GenerationRequest, Model, Resolution, ValidationError};
pub use ledger::Ledger;
pub use money::Money;
pub use pricing::{compare, quote, Quote};
pub use provider::{Currency, Provider};
pub use settings::{MinimaxRegion, Settings, Theme};
