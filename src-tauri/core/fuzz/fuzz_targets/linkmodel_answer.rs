//! LinkModel's answers (submit, query, key check, error envelopes, CDN links), a status byte then the body.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hailuo_core::fuzzing::linkmodel_answer(data));
