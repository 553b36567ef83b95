//! How long the library takes to load 10,000 generations, and the memory they take once loaded.
//!
//! `cargo run --release -p hailuo-core --example library_bench [count]`
//! The records are realistic (finished generations with history, costs and a video entry);
//! the page cache is warm, as it is when the app starts soon after using the disk.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot run should stop loudly

use std::time::{Duration, Instant};

use hailuo_core::generation::{Model, Resolution};
use hailuo_core::ledger::ChargeSource;
use hailuo_core::library::{
    folder_name, ChargedCost, EstimatedCost, Generation, GenerationState, Library, RecordedRequest,
    VideoFile, POSTER_FILE, RECORD_FILE, VIDEO_FILE,
};
use hailuo_core::pricing::Basis;
use hailuo_core::{Money, Provider};
use rust_decimal::Decimal;
use time::macros::datetime;

const PROMPTS: [&str; 4] = [
    "A lighthouse at dusk, waves crashing against the rocks, seagulls circling [Push in]",
    "海上的灯塔在黄昏时分亮起，海浪拍打着岩石 [Pan left,Pedestal up]",
    "A man picks up a book from a dusty shelf and smiles [Pedestal up]",
    "🌅 Sunset over a quiet harbour, boats rocking gently, cinematic lighting",
];

fn record(i: usize) -> Generation {
    let start = datetime!(2026-01-01 08:00 UTC) + Duration::from_secs(i as u64 * 97);
    let provider = Provider::ALL[i % 4];
    let request = RecordedRequest {
        provider,
        model: Model::Hailuo23,
        prompt: PROMPTS[i % PROMPTS.len()].to_owned(),
        first_frame: None,
        duration: 6,
        resolution: Resolution::P1080,
        prompt_optimizer: i % 3 != 0,
        fast_pretreatment: false,
    };
    let price = Money::new(Decimal::new(49, 2), provider.currency());
    let mut generation = Generation::new(
        request,
        Some(EstimatedCost {
            money: price,
            basis: Basis::ListPrice,
            label: format!("{price} — list price (checked 2026-11)"),
        }),
        start,
    );
    generation.task_id = Some(format!("{}", 106_916_112_212_032u64 + i as u64));
    let mut at = start;
    for (state, note) in [
        (GenerationState::Queued, "Queueing"),
        (GenerationState::Running, "Processing"),
        (GenerationState::Downloading, "Success"),
        (GenerationState::Done, "Saved 5.6 MB"),
    ] {
        at += Duration::from_secs(60);
        generation.advance(state, at, Some(note.into())).unwrap();
    }
    generation.charged_cost = Some(ChargedCost {
        money: price,
        how: ChargeSource::Reported,
    });
    generation.video = Some(VideoFile {
        file_name: VIDEO_FILE.into(),
        bytes: 5_896_337,
        width: Some(1920),
        height: Some(1080),
    });
    generation.poster_file = Some(POSTER_FILE.into());
    generation
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("the count is a number"))
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("a temp dir");

    let setup = Instant::now();
    let mut record_bytes = 0;
    for i in 0..count {
        let generation = record(i);
        let folder = dir.path().join(folder_name(
            generation.created_at,
            &generation.request.prompt,
            1,
        ));
        // Distinct minutes are not guaranteed by the spacing above; number like the library.
        let folder = (1..)
            .map(|n| {
                if n == 1 {
                    folder.clone()
                } else {
                    dir.path().join(folder_name(
                        generation.created_at,
                        &generation.request.prompt,
                        n,
                    ))
                }
            })
            .find(|f| std::fs::create_dir(f).is_ok())
            .unwrap();
        let json = serde_json::to_vec_pretty(&generation).unwrap();
        record_bytes += json.len();
        std::fs::write(folder.join(RECORD_FILE), json).unwrap();
        std::fs::write(folder.join(VIDEO_FILE), b"").unwrap();
        std::fs::write(folder.join(POSTER_FILE), b"").unwrap();
    }
    println!(
        "made {count} generation folders in {:.1?} (records average {} bytes)",
        setup.elapsed(),
        record_bytes / count.max(1)
    );

    // Memory first, in a process that has not loaded the library before.
    let before = rss_kib();
    let library = Library::open(dir.path()).unwrap();
    let start = Instant::now();
    let scan = library.scan().unwrap();
    let mut times = vec![start.elapsed()];
    let after = rss_kib();
    assert_eq!(scan.generations.len(), count);
    assert!(scan.broken.is_empty());
    println!(
        "VmRSS before loading: {:.1} MiB, with {} generations loaded: {:.1} MiB (+{:.1} MiB, about {} bytes each)",
        before as f64 / 1024.0,
        scan.generations.len(),
        after as f64 / 1024.0,
        after.saturating_sub(before) as f64 / 1024.0,
        after.saturating_sub(before) * 1024 / scan.generations.len().max(1) as u64
    );
    drop(scan);

    for _ in 0..4 {
        let library = Library::open(dir.path()).unwrap();
        let start = Instant::now();
        let scan = library.scan().unwrap();
        times.push(start.elapsed());
        assert_eq!(scan.generations.len(), count);
    }
    times.sort();
    println!(
        "scan of {count} generations, 5 runs: best {:.0?}, median {:.0?}, worst {:.0?}",
        times[0],
        times[times.len() / 2],
        times[times.len() - 1]
    );
}
