//! What else a server chooses: links, Retry-After, Content-Range, a video's first bytes, ids in URLs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hailuo_core::fuzzing::links_and_headers(data));
