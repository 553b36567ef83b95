//! A pasted first frame: decoding, inspection, and preparation with every offered fix accepted.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hailuo_core::fuzzing::first_frame(data));
