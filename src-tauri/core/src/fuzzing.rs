//! Entry points of the cargo-fuzz targets: every reader of hostile input, fed raw bytes, panics only when it breaks a promise.
//!
//! Not part of the app's API. `src-tauri/core/fuzz/fuzz_targets/*.rs` call one function
//! each; `tests/fuzz_corpus.rs` replays the checked-in seeds and past crashes through the
//! same functions in `cargo test`, so a fixed crash stays fixed without `cargo fuzz`.

use crate::first_frame::{inspect, prepare, FirstFrameError, PictureSource};
use crate::library::{file_names, is_plain_file_name, read_record_bytes};

pub use crate::providers::fuzzing::{
    linkmodel_answer, links_and_headers, minimax_answer, openrouter_answer,
};

/// The longest reason a broken library folder may show: a few sentences, whatever the file.
pub const MAX_BROKEN_REASON_CHARS: usize = 1000;

/// A `generation.json` as a library scan reads it: a record that names only files in its
/// folder and reads back the same once saved again, or a short reason the folder is broken.
pub fn generation_json(data: &[u8]) {
    match read_record_bytes(data) {
        Ok(generation) => {
            for name in file_names(&generation) {
                assert!(
                    is_plain_file_name(name),
                    "a record naming {name:?} was read"
                );
            }
            // The app saves a record it read on the next change: it must read back intact.
            let saved = serde_json::to_vec_pretty(&generation);
            assert!(saved.is_ok(), "a read record cannot be saved: {saved:?}");
            let again = read_record_bytes(&saved.unwrap_or_default());
            assert!(
                again.as_ref() == Ok(&generation),
                "a saved record reads back differently: {again:?}"
            );
        }
        Err(reason) => {
            let chars = reason.chars().count();
            assert!(chars > 20, "a bare reason: {reason}");
            assert!(
                chars <= MAX_BROKEN_REASON_CHARS,
                "a broken folder's reason of {chars} characters"
            );
        }
    }
}

/// A pasted first frame: a report the UI can show and whose offered fixes, accepted, make
/// it ready to send; or a refusal in words.
pub fn first_frame(data: &[u8]) {
    let report = match inspect(PictureSource::Pasted(data)) {
        Ok(report) => report,
        Err(err) => {
            assert!(
                err.to_string().chars().count() > 20,
                "a bare refusal: {err}"
            );
            return;
        }
    };
    assert!(serde_json::to_string(&report).is_ok());
    let offered: Vec<_> = report.fixes.iter().map(|offer| offer.fix).collect();
    // A picture that says it is not ready needs a fix, unless no fix can help (its format).
    match prepare(PictureSource::Pasted(data), &offered) {
        Ok(prepared) => {
            assert!(!prepared.bytes.is_empty());
            assert!(prepared.width > 0 && prepared.height > 0);
        }
        // Even the lightest re-encoding can stay over the limit for a noisy picture.
        Err(FirstFrameError::StillTooHeavy) => {}
        Err(err) => panic!("accepting every fix offered ({offered:?}) still fails: {err}"),
    }
}
