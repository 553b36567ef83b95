//! The emulator proven over raw HTTP: every endpoint, error shape, lifecycle, download and fault.

mod common;
mod downloads;
mod faults;
mod lifecycle;
mod linkmodel;
mod minimax;
mod openrouter;
mod requests;
mod variants;
