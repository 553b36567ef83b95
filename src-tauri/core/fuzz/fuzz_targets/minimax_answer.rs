//! MiniMax's answers (submit, query, retrieve, key check, error codes), a status byte then the body.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hailuo_core::fuzzing::minimax_answer(data));
