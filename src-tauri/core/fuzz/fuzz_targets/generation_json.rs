//! A generation.json as a library scan reads it, and the same record saved and read again.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hailuo_core::fuzzing::generation_json(data));
