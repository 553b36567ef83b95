//! The tail after "finished": from the check that says a 1080P 6 s video is ready to a playable file and its poster.
//!
//! `cargo run --release -p hailuo-core --example finish_tail_bench [-- <rounds> <megabytes>]`
//!
//! The app's own queue (library, ledger, media server) runs against the loopback emulator,
//! which serves a real 1920×1080 H.264 clip made by ffmpeg (1 s of picture, padded with an MP4
//! `free` box to `<megabytes>`, 8 by default, about the size Hailuo sends for 6 s at 1080P: the
//! bytes are what the download, the check and the fsync cost). The clock starts when the emulator receives the
//! status check that answers "Success" and stops when the queue announces the card `done` with
//! its video's URL: in between are the ledger's and record's durable writes, the link request,
//! the download, the MP4 check and the fsync. The poster is then drawn by the webview in the
//! app; here ffmpeg draws a 640 px frame in its place (timed apart, as an indication) and the
//! library's own check-and-keep of that JPEG is timed as the app's part.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use hailuo_core::keys::{KeyStore, MemoryKeyStore};
use hailuo_core::library::{GenerationState, Library, Still, VIDEO_FILE};
use hailuo_core::media_server::MediaServer;
use hailuo_core::pacing::RequestPacer;
use hailuo_core::queue::{GenerationQueue, QueueConfig, QueueParts};
use hailuo_core::{GenerationRequest, Ledger, Model, Provider, Resolution};
use hailuo_emulator::{Emulator, EmulatorConfig, Host, Service};
use secrecy::SecretString;
use tokio::time::Instant;

type Failure = Box<dyn std::error::Error>;

/// The goal of issue 20: the service's "finished" to a playable video within a second.
const GOAL: Duration = Duration::from_secs(1);

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values[values.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5);
    let megabytes: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(8);

    let emu = Emulator::start(EmulatorConfig {
        pad_videos_to: Some(megabytes * 1_000_000),
        minimax_link_ttl: Duration::from_secs(3600),
        ..EmulatorConfig::default()
    })
    .await?;
    let keys = Arc::new(MemoryKeyStore::default());
    keys.set(
        Provider::MinimaxGlobal,
        &SecretString::from(emu.key(Service::MinimaxGlobal)),
    )?;
    let dir = tempfile::tempdir()?;
    let library = Library::open(dir.path().join("library"))?;
    let ledger = Arc::new(Ledger::open(&dir.path().join("state"))?);
    let media = Arc::new(MediaServer::start(library.clone()).await?);
    let queue = GenerationQueue::start(QueueParts {
        library: library.clone(),
        ledger,
        keys,
        media: Some(media),
        pacer: Arc::new(RequestPacer::new(HashMap::new())),
        base_url_overrides: BTreeMap::from([(
            Provider::MinimaxGlobal,
            emu.base_url(Service::MinimaxGlobal),
        )]),
        config: QueueConfig::quick(),
    })
    .await?;

    let mut tails = Vec::new();
    let mut posters = Vec::new();
    let mut drawn = Vec::new();
    for round in 0..=rounds {
        let mut cards = queue.subscribe();
        let card = queue
            .enqueue(
                GenerationRequest {
                    provider: Provider::MinimaxGlobal,
                    model: Model::Hailuo23,
                    prompt: format!("A lighthouse at dusk, round {round}"),
                    first_frame: None,
                    duration: 6,
                    resolution: Resolution::P1080,
                    prompt_optimizer: false,
                    fast_pretreatment: false,
                },
                BTreeMap::new(),
            )
            .await?;
        let done_at = loop {
            let seen = tokio::time::timeout(Duration::from_secs(60), cards.recv()).await??;
            if seen.id != card.id {
                continue;
            }
            match seen.state {
                GenerationState::Done if seen.video_url.is_some() => break Instant::now(),
                GenerationState::Failed | GenerationState::Unknown => {
                    return Err(format!("the generation ended {:?}", seen.state).into())
                }
                _ => {}
            }
        };
        // The last status check before the link request is the one that said "Success".
        let finished_at = emu
            .requests_to(Service::MinimaxGlobal)
            .into_iter()
            .filter(|r| r.host == Host::Api && r.path.ends_with("/v1/query/video_generation"))
            .map(|r| r.at)
            .max()
            .ok_or("no status check was seen")?;
        let tail = done_at - finished_at;

        // The poster: ffmpeg stands in for the webview's drawing; the app's part is keeping it.
        let folder = library.folder_of(&card.id).ok_or("no folder")?;
        let video = folder.join(VIDEO_FILE);
        let jpeg = dir.path().join(format!("poster-{round}.jpg"));
        let started = Instant::now();
        let status = tokio::process::Command::new("ffmpeg")
            // A third into the clip, as the UI does for a short one.
            .args(["-v", "error", "-y", "-ss", "0.33", "-i"])
            .arg(&video)
            .args(["-frames:v", "1", "-vf", "scale=640:-2", "-q:v", "4"])
            .arg(&jpeg)
            .status()
            .await?;
        let draw = started.elapsed();
        if !status.success() {
            return Err(format!("ffmpeg could not draw a poster: {status}").into());
        }
        let bytes = std::fs::read(&jpeg)?;
        let (lib, id) = (library.clone(), card.id.clone());
        let started = Instant::now();
        tokio::task::spawn_blocking(move || lib.save_still(&id, Still::Poster, &bytes)).await??;
        let keep = started.elapsed();
        let size = std::fs::metadata(&video)?.len();
        if round == 0 {
            // The first round makes and caches the emulator's clip: not a figure.
            println!(
                "warm-up: {:.0} ms (the emulator's clip made by ffmpeg; not counted)",
                ms(tail)
            );
            continue;
        }
        println!(
            "round {round}: finished → playable {:.0} ms ({size} bytes); poster: drawn by ffmpeg {:.0} ms, kept {:.1} ms",
            ms(tail),
            ms(draw),
            ms(keep)
        );
        tails.push(tail);
        drawn.push(draw);
        posters.push(keep);
    }
    let worst = tails.iter().copied().max().unwrap_or_default();
    let tail = median(&mut tails);
    let keep = median(&mut posters);
    let draw = median(&mut drawn);
    println!(
        "median of {rounds}: finished → playable {:.0} ms (worst {:.0} ms); with the poster kept {:.0} ms; \
         goal ≤ {:.0} ms: {}",
        ms(tail),
        ms(worst),
        ms(tail + keep),
        ms(GOAL),
        if tail + keep <= GOAL { "met" } else { "MISSED" }
    );
    println!(
        "the poster's drawing (ffmpeg here, the webview in the app): {:.0} ms; finished → playable with poster drawn and kept {:.0} ms",
        ms(draw),
        ms(tail + draw + keep)
    );
    queue.shut_down();
    Ok(())
}
