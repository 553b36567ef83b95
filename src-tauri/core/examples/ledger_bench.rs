//! How the spend ledger holds up with a lot of history: time per durable write, and the time to
//! open, sum and export 10,000 generations (3 lines each: estimate, charge, and a re-record).
//!
//! `cargo run --release -p hailuo-core --example ledger_bench`

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

use hailuo_core::ledger::{Ledger, LEDGER_FILE};
use hailuo_core::pricing::quote;
use hailuo_core::{Currency, GenerationRequest, Model, Provider, Resolution};
use rust_decimal::Decimal;
use time::OffsetDateTime;

const GENERATIONS: usize = 10_000;
const TIMED_WRITES: usize = 200;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let request = GenerationRequest {
        provider: Provider::OpenRouter,
        model: Model::Hailuo23,
        prompt: "A lighthouse on a cliff at dusk, waves crashing below [Push in]".into(),
        first_frame: None,
        duration: 6,
        resolution: Resolution::P1080,
        prompt_optimizer: false,
        fast_pretreatment: false,
    };
    let price = quote(&request)?;
    let start = OffsetDateTime::now_utc() - time::Duration::days(400);

    // Durable writes through the API: each one is appended and fsynced.
    let ledger = Ledger::open(dir.path())?;
    let timer = Instant::now();
    for i in 0..TIMED_WRITES / 2 {
        let id = format!("g-{i:05}");
        let at = start + time::Duration::minutes(i as i64 * 58);
        ledger.record_submit(&id, &request, &price, at)?;
        ledger.record_charge(&id, price.price, at)?;
    }
    let per_write = timer.elapsed() / TIMED_WRITES as u32;
    drop(ledger);

    // The rest of the history, written as the ledger writes it, without 30,000 fsyncs.
    let path = dir.path().join(LEDGER_FILE);
    let template = std::fs::read_to_string(&path)?;
    let lines: Vec<&str> = template.lines().collect();
    let mut file = std::fs::OpenOptions::new().append(true).open(&path)?;
    for i in TIMED_WRITES / 2..GENERATIONS {
        let id = format!("g-{i:05}");
        let at = (start + time::Duration::minutes(i as i64 * 58))
            .format(&time::format_description::well_known::Rfc3339)?;
        for line in [lines[0], lines[1], lines[1]] {
            let mut entry: serde_json::Value = serde_json::from_str(line)?;
            entry["generationId"] = id.clone().into();
            entry["submittedAt"] = at.clone().into();
            entry["updatedAt"] = at.clone().into();
            writeln!(file, "{entry}")?;
        }
    }
    file.sync_all()?;
    drop(file);
    let bytes = std::fs::metadata(&path)?.len();

    let timer = Instant::now();
    let ledger = Ledger::open(dir.path())?;
    let open = timer.elapsed();
    let budgets = BTreeMap::from([(Currency::Usd, Decimal::new(100, 0))]);
    let timer = Instant::now();
    let summary = ledger.summary(OffsetDateTime::now_utc(), &budgets);
    let sum = timer.elapsed();
    let timer = Instant::now();
    let csv = ledger.csv(time::UtcOffset::UTC)?;
    let export = timer.elapsed();

    println!("durable write (append + fsync): {per_write:?} each, over {TIMED_WRITES}");
    println!(
        "ledger with {GENERATIONS} generations: {} lines, {:.1} MB",
        3 * GENERATIONS,
        bytes as f64 / 1e6
    );
    println!(
        "open: {open:?}  summary: {sum:?}  CSV export: {export:?} ({} KB)",
        csv.len() / 1000
    );
    println!("all time: {}", summary.all_time[0].total);
    Ok(())
}
