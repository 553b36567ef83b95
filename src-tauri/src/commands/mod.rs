//! Tauri commands, grouped by area. Each one only unpacks its arguments and calls the core.

pub mod accounts;
pub mod app;
pub mod catalogue;
mod error;
pub mod first_frame;
pub mod generation;
pub mod generations;
pub mod library;
pub mod money;
pub mod settings;

pub use error::CommandError;
