//! The log file a supporter reads: every provider request is in it, no key and no picture is.

// A failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use hailuo_core::keys::{KeyStore, MemoryKeyStore};
use hailuo_core::ledger::Ledger;
use hailuo_core::library::{GenerationState, Library};
use hailuo_core::pacing::RequestPacer;
use hailuo_core::queue::{GenerationQueue, QueueConfig, QueueParts};
use hailuo_core::{FirstFrame, GenerationRequest, Model, Provider, Resolution};
use hailuo_emulator::{Emulator, EmulatorConfig, Endpoint, Fault, FaultKind, Service};
use secrecy::SecretString;

const FIRST_FRAME_PNG: &[u8] = include_bytes!("fixtures/first-frame.png");

/// The log is process-wide: this file holds the one test that starts it. It also proves that a
/// key a provider quotes back never reaches the log (issue 17, path 13).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generation_s_requests_are_logged_without_the_key_or_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let log_dir = dir.path().join("logs");
    hailuo_core::logs::start(&log_dir, false).expect("the log starts");

    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let key = emu.key(Service::MinimaxGlobal);
    let keys = Arc::new(MemoryKeyStore::default());
    keys.set(Provider::MinimaxGlobal, &SecretString::from(key.clone()))
        .unwrap();
    let library = Library::open(dir.path().join("library")).unwrap();
    let queue = GenerationQueue::start(QueueParts {
        library,
        ledger: Arc::new(Ledger::open(&dir.path().join("state")).unwrap()),
        keys,
        media: None,
        pacer: Arc::new(RequestPacer::new(HashMap::new())),
        base_url_overrides: BTreeMap::from([(
            Provider::MinimaxGlobal,
            emu.base_url(Service::MinimaxGlobal),
        )]),
        config: QueueConfig::quick(),
    })
    .await
    .unwrap();
    // A picture first frame travels to MiniMax as a data URL.
    let request = GenerationRequest {
        provider: Provider::MinimaxGlobal,
        model: Model::Hailuo23Fast,
        prompt: "The lighthouse keeper waves [Push in]".into(),
        first_frame: Some(FirstFrame::Picture {
            mime: "image/png".into(),
            bytes: FIRST_FRAME_PNG.to_vec(),
        }),
        duration: 6,
        resolution: Resolution::P768,
        prompt_optimizer: false,
        fast_pretreatment: false,
    };
    let card = queue.enqueue(request, BTreeMap::new()).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while queue.card(&card.id).map(|c| c.state) != Some(GenerationState::Done) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the video never came"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(emu.submits(Service::MinimaxGlobal), 1);

    // A provider that quotes the key back in its refusal: the log keeps the refusal, not the key.
    emu.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Submit,
        FaultKind::MinimaxStatus {
            code: 2013,
            message: format!("invalid params for key {key}"),
        },
    ));
    let refused = queue
        .enqueue(request_again(), BTreeMap::new())
        .await
        .unwrap();
    while !queue
        .card(&refused.id)
        .is_some_and(|c| c.state == GenerationState::Failed)
    {
        assert!(tokio::time::Instant::now() < deadline, "never refused");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let log = hailuo_core::logs::recent_lines(&log_dir, 10_000).join("\n");
    let raw: String = std::fs::read_dir(&log_dir)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    assert!(!raw.contains(&key), "the key is in the log:\n{raw}");
    assert!(
        !raw.contains("data:image"),
        "a data URL is in the log:\n{raw}"
    );
    assert!(!raw.to_lowercase().contains("bearer"), "{raw}");
    for endpoint in [
        "endpoint=\"/v1/video_generation\"",
        "endpoint=\"/v1/query/video_generation\"",
        "endpoint=\"/v1/files/retrieve\"",
    ] {
        assert!(log.contains(endpoint), "no {endpoint} in the log:\n{log}");
    }
    let on_disk = hailuo_core::library::Library::open(dir.path().join("library"))
        .unwrap()
        .load(&card.id)
        .unwrap();
    let task = on_disk.task_id.unwrap();
    let poll = log
        .lines()
        .find(|line| line.contains("/v1/query/video_generation"))
        .unwrap();
    for field in [
        "provider=\"minimax-global\"".to_owned(),
        "status=200".to_owned(),
        "elapsed_ms=".to_owned(),
        format!("task_id=\"{task}\""),
    ] {
        assert!(poll.contains(&field), "{field} missing from: {poll}");
    }
    let accepted = log
        .lines()
        .find(|line| line.contains("the provider accepted a generation"))
        .unwrap_or_else(|| panic!("the submit's answer is not logged:\n{log}"));
    assert!(accepted.contains(&task), "{accepted}");
    assert!(log.contains("video download"), "{log}");
    assert!(log.contains("[your key]"), "the refusal is logged: {log}");
}

fn request_again() -> GenerationRequest {
    GenerationRequest {
        provider: Provider::MinimaxGlobal,
        model: Model::Hailuo23,
        prompt: "The lighthouse keeper waves again [Push in]".into(),
        first_frame: None,
        duration: 6,
        resolution: Resolution::P768,
        prompt_optimizer: false,
        fast_pretreatment: false,
    }
}
