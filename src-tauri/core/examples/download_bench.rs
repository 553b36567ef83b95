//! Download benchmark: our client against `curl` on loopback, for a large emulated video.
//!
//! `cargo run --release -p hailuo-core --example download_bench [-- <megabytes> <rounds>]`
//! prints the throughput of both and our peak memory above idle while downloading.

use std::time::{Duration, Instant};

use hailuo_core::providers::{http_client, ProviderClient, TaskStatus};
use hailuo_core::{GenerationRequest, Model, Provider, Resolution};
use hailuo_emulator::{Emulator, EmulatorConfig, Service};
use secrecy::SecretString;
use url::Url;

type Failure = Box<dyn std::error::Error>;

/// A `/proc/self/status` figure in kB (`VmRSS`, `VmHWM`).
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                let rest = line.strip_prefix(field)?.strip_prefix(':')?;
                rest.trim().trim_end_matches("kB").trim().parse().ok()
            })
        })
        .unwrap_or(0)
}

/// Resets VmHWM to the current RSS (Linux: "5" to clear_refs), so the peak is this run's.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn mb_per_s(bytes: u64, took: Duration) -> f64 {
    bytes as f64 / 1_000_000.0 / took.as_secs_f64()
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let megabytes: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(200);
    let rounds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(3);
    let size = megabytes * 1_000_000;

    let emu = Emulator::start(EmulatorConfig {
        pad_videos_to: Some(size),
        minimax_link_ttl: Duration::from_secs(3600),
        ..EmulatorConfig::default()
    })
    .await?;
    let client = ProviderClient::new(
        Provider::MinimaxGlobal,
        Url::parse(&emu.base_url(Service::MinimaxGlobal))?,
        SecretString::from(emu.key(Service::MinimaxGlobal)),
        http_client()?,
    );
    let submission = client
        .submit(&GenerationRequest {
            provider: Provider::MinimaxGlobal,
            model: Model::Hailuo23,
            prompt: "A benchmark of a very long video".into(),
            first_frame: None,
            duration: 6,
            resolution: Resolution::P1080,
            prompt_optimizer: false,
            fast_pretreatment: false,
        })
        .await?;
    let update = loop {
        let update = client.check(&submission.task()).await?;
        if update.status.is_final() {
            break update;
        }
    };
    if update.status != TaskStatus::Succeeded {
        return Err(format!("the emulated generation ended {:?}", update.status).into());
    }
    let link = client.video_link(&submission.task(), &update).await?;
    let dir = tempfile::tempdir()?;
    println!(
        "video: {} bytes at {}",
        link.expected_bytes.unwrap_or(0),
        link.url.origin().ascii_serialization()
    );

    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut peaks = Vec::new();
    for round in 0..rounds {
        // curl first, then ours, each into a fresh file on the same disk.
        let curl_dest = dir.path().join(format!("curl-{round}.mp4"));
        let started = Instant::now();
        let status = tokio::process::Command::new("curl")
            .args(["--silent", "--show-error", "--fail", "--output"])
            .arg(&curl_dest)
            .arg(link.url.as_str())
            .status()
            .await?;
        let took = started.elapsed();
        if !status.success() {
            return Err(format!("curl failed: {status}").into());
        }
        theirs.push(mb_per_s(std::fs::metadata(&curl_dest)?.len(), took));
        std::fs::remove_file(&curl_dest)?;

        let dest = dir.path().join(format!("ours-{round}.mp4"));
        let idle = status_kb("VmRSS");
        reset_peak();
        let mut sampled_peak = idle;
        let mut next_sample = 0;
        let started = Instant::now();
        let video = client
            .download(&link, &dest, |got, _| {
                if got >= next_sample {
                    sampled_peak = sampled_peak.max(status_kb("VmRSS"));
                    next_sample = got + 4_000_000;
                }
            })
            .await?;
        let took = started.elapsed();
        let hwm = status_kb("VmHWM").max(sampled_peak);
        ours.push(mb_per_s(video.bytes, took));
        peaks.push(hwm.saturating_sub(idle));
        std::fs::remove_file(&dest)?;
        println!(
            "round {}: curl {:.0} MB/s, ours {:.0} MB/s, our peak above idle {:.1} MB (idle RSS {:.1} MB)",
            round + 1,
            theirs[round],
            ours[round],
            peaks[round] as f64 / 1024.0,
            idle as f64 / 1024.0
        );
    }
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let (ours_median, curl_median) = (median(&mut ours), median(&mut theirs));
    let worst_peak = peaks.iter().copied().max().unwrap_or(0);
    println!(
        "median: curl {curl_median:.0} MB/s, ours {ours_median:.0} MB/s ({:+.1}% vs curl); worst peak memory above idle {:.1} MB",
        (ours_median / curl_median - 1.0) * 100.0,
        worst_peak as f64 / 1024.0
    );
    Ok(())
}
