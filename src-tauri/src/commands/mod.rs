//! Tauri commands, grouped by area. Each one only unpacks its arguments and calls the core.

pub mod accounts;
pub mod app;
mod error;
pub mod generation;
pub mod first_frame;
pub mod settings;
pub mod money;

pub use error::CommandError;
