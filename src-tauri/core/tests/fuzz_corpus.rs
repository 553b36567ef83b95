//! The fuzz targets' seeds and every input that once crashed one, replayed in `cargo test`.
//!
//! `cargo fuzz` (scripts/fuzz.sh) explores from `fuzz/corpus/<target>/`; an input that made a
//! target fail is committed to `fuzz/regressions/<target>/` once the bug is fixed. Both run
//! here through the same `hailuo_core::fuzzing` functions, on the stable toolchain, so a
//! fixed crash stays fixed even where cargo-fuzz is not installed.

use std::path::{Path, PathBuf};

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 6] = [
    ("minimax_answer", hailuo_core::fuzzing::minimax_answer),
    ("openrouter_answer", hailuo_core::fuzzing::openrouter_answer),
    ("linkmodel_answer", hailuo_core::fuzzing::linkmodel_answer),
    ("links_and_headers", hailuo_core::fuzzing::links_and_headers),
    ("generation_json", hailuo_core::fuzzing::generation_json),
    ("first_frame", hailuo_core::fuzzing::first_frame),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted; none when the folder does not exist.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(fuzz_dir().join(kind).join(target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a readable folder entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

fn replay(kind: &str) -> usize {
    let mut count = 0;
    for (target, run) in TARGETS {
        for path in inputs(kind, target) {
            let data = std::fs::read(&path).expect("a readable input");
            // A panic names the file, so the failing input is one `cargo fuzz run <target>
            // <file>` away.
            eprintln!("{target}: {}", path.display());
            run(&data);
            count += 1;
        }
    }
    count
}

#[test]
fn every_target_has_seeds_and_the_fuzz_project_lists_it() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for (target, _) in TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{target}\"")),
            "fuzz/Cargo.toml has no [[bin]] {target}"
        );
        assert!(
            !inputs("corpus", target).is_empty(),
            "fuzz/corpus/{target}/ has no seed"
        );
    }
    // And no target exists in the fuzz project that this replay would miss.
    assert_eq!(manifest.matches("[[bin]]").count(), TARGETS.len());
}

#[test]
fn every_seed_is_read_without_breaking_a_promise() {
    assert!(replay("corpus") >= TARGETS.len());
}

#[test]
fn every_input_that_once_crashed_a_target_is_now_handled() {
    replay("regressions");
}
