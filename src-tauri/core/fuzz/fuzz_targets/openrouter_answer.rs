//! OpenRouter's answers (submit, poll, key check, error bodies, content links), a status byte then the body.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hailuo_core::fuzzing::openrouter_answer(data));
