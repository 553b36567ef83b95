//! The generation queue against the emulated services: from the click to a playable file, through
//! restarts, faults, the local line and the creator's stop.

// Helpers shared by the tests panic on purpose: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use hailuo_core::keys::KeyStore;
use hailuo_core::ledger::{ChargeSource, SpendState};
use hailuo_core::library::{GenerationId, GenerationState, RECORD_FILE, VIDEO_FILE};
use hailuo_core::pacing::{RequestBudget, RequestPacer};
use hailuo_core::queue::GenerationCard;
use hailuo_core::{Currency, FirstFrame, GenerationRequest, Model, Provider};
use hailuo_emulator::{
    EmulatorConfig, Endpoint, Fault, FaultKind, RecordedRequest, Service,
    TaskStatus as EmulatedStatus,
};
use rust_decimal_macros::dec;

const FIRST_FRAME_PNG: &[u8] = include_bytes!("fixtures/first-frame.png");

mod queue_bench;
use queue_bench::*;

// ---------------------------------------------------------------------------------------------
// The happy path
// ---------------------------------------------------------------------------------------------

async fn makes_a_playable_video(provider: Provider) {
    let bench = Bench::new().await;
    let started = bench.start().await;
    let card = started.enqueue(text_to_video(provider)).await;
    assert_eq!(card.state, GenerationState::Waiting);
    let done = started.until_state(&card.id, GenerationState::Done).await;

    let video = started.folder(&card.id).join(VIDEO_FILE);
    assert!(is_mp4(&video), "{provider}: video.mp4 is an MP4");
    assert!(!started
        .folder(&card.id)
        .join(format!("{VIDEO_FILE}.part"))
        .exists());
    let record = started.on_disk(&card.id);
    assert_eq!(record.state, GenerationState::Done);
    assert_eq!(
        record.video.as_ref().unwrap().bytes,
        std::fs::metadata(&video).unwrap().len()
    );
    assert_eq!(bench.emu.submits(service(provider)), 1, "{provider}");
    let states: Vec<GenerationState> = record.history.iter().map(|c| c.state).collect();
    assert_eq!(
        states.first().copied(),
        Some(GenerationState::Waiting),
        "{provider}"
    );
    assert!(states.contains(&GenerationState::Submitting));
    assert!(states.contains(&GenerationState::Downloading));
    assert_eq!(done.state_words, "Ready");
    assert!(!done.may_have_been_charged);
    assert!(
        !done.can_check_now,
        "a finished generation has nothing left to check"
    );

    let spend = started.ledger.entry(card.id.as_str()).unwrap();
    let charged = spend.charged().expect("the success is charged");
    assert_eq!(done.cost.charged, Some(charged.amount.to_string()));
    match provider {
        Provider::MinimaxGlobal => {
            assert_eq!(charged.amount, dec!(0.28));
            assert!(matches!(
                spend.state,
                SpendState::Charged {
                    how: ChargeSource::ListPrice,
                    ..
                }
            ));
        }
        Provider::MinimaxChina => assert_eq!(charged.amount, dec!(2.00)),
        Provider::OpenRouter => {
            assert_eq!(charged.amount, dec!(0.49));
            assert!(matches!(
                spend.state,
                SpendState::Charged {
                    how: ChargeSource::Reported,
                    ..
                }
            ));
        }
        Provider::LinkModel => assert_eq!(charged.amount, dec!(0.224)),
    }
    assert_eq!(
        record.charged_cost.as_ref().map(|c| c.money),
        Some(charged),
        "{provider}: the record keeps the charge too"
    );
}

#[tokio::test]
async fn minimax_global_makes_a_playable_video_with_one_submit() {
    makes_a_playable_video(Provider::MinimaxGlobal).await;
}

#[tokio::test]
async fn minimax_china_makes_a_playable_video_with_one_submit() {
    makes_a_playable_video(Provider::MinimaxChina).await;
}

#[tokio::test]
async fn openrouter_makes_a_playable_video_with_one_submit() {
    makes_a_playable_video(Provider::OpenRouter).await;
}

#[tokio::test]
async fn linkmodel_makes_a_playable_video_with_one_submit() {
    makes_a_playable_video(Provider::LinkModel).await;
}

#[tokio::test]
async fn a_first_frame_picture_is_kept_in_the_folder_and_sent_with_the_submit() {
    let bench = Bench::new().await;
    let started = bench.start().await;
    let request = GenerationRequest {
        model: Model::Hailuo23Fast,
        first_frame: Some(FirstFrame::Picture {
            mime: "image/png".into(),
            bytes: FIRST_FRAME_PNG.to_vec(),
        }),
        ..text_to_video(Provider::MinimaxGlobal)
    };
    let card = started.enqueue(request).await;
    started.until_state(&card.id, GenerationState::Done).await;
    let kept = std::fs::read(started.folder(&card.id).join("first-frame.png")).unwrap();
    assert_eq!(kept, FIRST_FRAME_PNG);
    let submit = bench
        .api_requests(Service::MinimaxGlobal)
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    let sent = submit.body.unwrap()["first_frame_image"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(sent.starts_with("data:image/png;base64,"), "{sent:.40}");
}

// ---------------------------------------------------------------------------------------------
// The record comes first
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_record_is_on_disk_before_the_submit_leaves_and_the_task_id_the_moment_it_arrives() {
    let bench = Bench::new().await;
    bench.emu.inject(Fault::new(
        Service::OpenRouter,
        Endpoint::Submit,
        FaultKind::Slow {
            delay: Duration::from_millis(600),
        },
    ));
    let started = bench.start().await;
    let card = started.enqueue(text_to_video(Provider::OpenRouter)).await;
    // The submit is on its way (the emulator holds its answer): the folder already says so.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while bench.api_requests(Service::OpenRouter).is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no submit arrived");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let folder = started.folder(&card.id);
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join(RECORD_FILE)).unwrap()).unwrap();
    assert_eq!(on_disk["state"], "submitting");
    assert_eq!(on_disk["estimatedCost"]["money"]["amount"], "0.4902");
    assert!(on_disk.get("taskId").is_none());
    let spend = started.ledger.entry(card.id.as_str()).unwrap();
    assert_eq!(spend.state, SpendState::InFlight);

    started.until_state(&card.id, GenerationState::Queued).await;
    let task = task_id(&started, &card.id);
    assert_eq!(bench.emu.task_ids(Service::OpenRouter), vec![task]);
}

// ---------------------------------------------------------------------------------------------
// Restarts
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn nothing_is_sent_while_the_record_cannot_be_written() {
    let mut bench = Bench::new().await;
    bench.config.at_once_per_provider = 1;
    let started = bench.start().await;
    let head = started.enqueue(text_to_video(Provider::OpenRouter)).await;
    started.until_state(&head.id, GenerationState::Queued).await;
    let head_task = task_id(&started, &head.id);
    bench
        .emu
        .set_task_status(&head_task, EmulatedStatus::Processing);
    let second = started.enqueue(text_to_video(Provider::OpenRouter)).await;
    // The folder goes away while it waits (a creator deleting it by hand, a drive unplugged).
    std::fs::remove_dir_all(started.folder(&second.id)).unwrap();
    bench.emu.finish_task_now(&head_task);
    started.until_state(&head.id, GenerationState::Done).await;
    let stuck = started
        .until(&second.id, "showing the disk problem", |c| {
            c.error.is_some()
        })
        .await;
    assert_eq!(stuck.error.unwrap().kind, "generation-not-found");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(bench.emu.submits(Service::OpenRouter), 1, "never sent");
}

#[tokio::test]
async fn a_restart_mid_poll_keeps_checking_the_same_task_and_never_submits_again() {
    let bench = Bench::new().await;
    let first = bench.start().await;
    let card = first.enqueue(text_to_video(Provider::MinimaxGlobal)).await;
    first.until_state(&card.id, GenerationState::Queued).await;
    let task = task_id(&first, &card.id);
    bench.emu.set_task_status(&task, EmulatedStatus::Processing);
    first.until_state(&card.id, GenerationState::Running).await;
    first.queue.shut_down();
    drop(first);

    let second = bench.start().await;
    let resumed = second.until_state(&card.id, GenerationState::Running).await;
    assert_eq!(resumed.id, card.id);
    let polls_before = bench.emu.task(&task).unwrap().polls;
    // Still checked after the restart.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while bench.emu.task(&task).unwrap().polls == polls_before {
        assert!(tokio::time::Instant::now() < deadline, "never polled again");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    bench.emu.finish_task_now(&task);
    second.until_state(&card.id, GenerationState::Done).await;
    assert_eq!(bench.emu.submits(Service::MinimaxGlobal), 1);
    assert!(is_mp4(&second.folder(&card.id).join(VIDEO_FILE)));
}

/// A video big enough that the emulator's server sends bytes before it cuts the connection.
const PADDED_VIDEO: u64 = 4_000_000;

fn range_start(request: &RecordedRequest) -> Option<u64> {
    request
        .header("range")?
        .strip_prefix("bytes=")?
        .strip_suffix('-')?
        .parse()
        .ok()
}

#[tokio::test]
async fn a_restart_mid_download_resumes_the_part_file_with_a_range_request() {
    let bench = Bench::with(EmulatorConfig {
        pad_videos_to: Some(PADDED_VIDEO),
        ..EmulatorConfig::default()
    })
    .await;
    // The first download is cut after 3 MB, and its retry hangs: the app quits meanwhile.
    bench.emu.inject(Fault::new(
        Service::LinkModel,
        Endpoint::Download,
        FaultKind::DropAfter { bytes: 3_000_000 },
    ));
    bench.emu.inject(Fault::new(
        Service::LinkModel,
        Endpoint::Download,
        FaultKind::Slow {
            delay: Duration::from_secs(30),
        },
    ));
    let first = bench.start().await;
    let card = first.enqueue(text_to_video(Provider::LinkModel)).await;
    first
        .until_state(&card.id, GenerationState::Downloading)
        .await;
    let part = first.folder(&card.id).join(format!("{VIDEO_FILE}.part"));
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while bench.cdn_requests().len() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no retry of the cut download"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.queue.shut_down();
    drop(first);
    let saved = std::fs::metadata(&part).unwrap().len();
    assert!(saved > 0, "the cut download left its part file");
    assert_eq!(bench.emu.pending_faults(), 0);
    bench.emu.clear_requests();

    let second = bench.start().await;
    let mut progress = second.queue.subscribe();
    let done = second.until_state(&card.id, GenerationState::Done).await;
    assert_eq!(done.state_words, "Ready");
    let after_restart = bench.cdn_requests();
    assert_eq!(after_restart.len(), 1, "one request finished it");
    assert_eq!(
        range_start(&after_restart[0]),
        Some(saved),
        "it asked for the rest of the part file"
    );
    // The progress shown starts where the part file ended and reaches the whole size.
    let mut shown = Vec::new();
    while let Ok(card) = progress.try_recv() {
        if let Some(download) = card.download {
            shown.push((download.bytes, download.total, card.state_words));
        }
    }
    assert!(
        shown.iter().all(|(bytes, _, _)| *bytes >= saved),
        "{shown:?}"
    );
    let (bytes, total, words) = shown.last().expect("progress reached the UI").clone();
    assert_eq!((bytes, total), (PADDED_VIDEO, Some(PADDED_VIDEO)));
    assert_eq!(words, "Downloading 100%");
    let video = second.folder(&card.id).join(VIDEO_FILE);
    assert_eq!(std::fs::metadata(&video).unwrap().len(), PADDED_VIDEO);
    assert!(is_mp4(&video));
    assert_eq!(bench.emu.submits(Service::LinkModel), 1);
}

#[tokio::test]
async fn a_submit_that_never_left_an_offline_machine_is_sent_once_after_a_restart() {
    let bench = Bench::new().await;
    let unreachable = bench.overrides_with_offline(Provider::OpenRouter, "/api/v1");
    let first = bench.start_with(unreachable).await;
    let card = first.enqueue(text_to_video(Provider::OpenRouter)).await;
    first.until(&card.id, "offline", |c| c.offline).await;
    assert_eq!(first.on_disk(&card.id).state, GenerationState::Waiting);
    first.queue.shut_down();
    drop(first);

    // Back online: the record says it was never sent, so it is sent now, once.
    let second = bench.start().await;
    let done = second.until_state(&card.id, GenerationState::Done).await;
    assert!(!done.may_have_been_charged);
    let states: Vec<GenerationState> = second
        .on_disk(&card.id)
        .history
        .iter()
        .map(|c| c.state)
        .collect();
    assert!(!states.contains(&GenerationState::Unknown), "{states:?}");
    assert_eq!(bench.emu.submits(Service::OpenRouter), 1);
}

#[tokio::test]
async fn a_submit_cut_short_by_a_restart_becomes_unknown_and_is_never_sent_again() {
    let bench = Bench::new().await;
    bench.emu.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Submit,
        FaultKind::AnswerLost { after: None },
    ));
    let first = bench.start().await;
    let card = first.enqueue(text_to_video(Provider::MinimaxGlobal)).await;
    first
        .until_state(&card.id, GenerationState::Submitting)
        .await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while bench.emu.submits(Service::MinimaxGlobal) == 0 {
        assert!(tokio::time::Instant::now() < deadline, "no submit arrived");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    first.queue.shut_down();
    drop(first);

    let second = bench.start().await;
    let card = second.until_state(&card.id, GenerationState::Unknown).await;
    assert!(card.may_have_been_charged);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(bench.emu.submits(Service::MinimaxGlobal), 1);
    let posts = bench
        .api_requests(Service::MinimaxGlobal)
        .into_iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn the_waiting_line_survives_a_restart_in_creation_order() {
    let mut bench = Bench::new().await;
    bench.config.at_once_per_provider = 1;
    let first = bench.start().await;
    let head = first.enqueue(text_to_video(Provider::OpenRouter)).await;
    first.until_state(&head.id, GenerationState::Queued).await;
    let head_task = task_id(&first, &head.id);
    bench
        .emu
        .set_task_status(&head_task, EmulatedStatus::Processing);
    let mut waiting = Vec::new();
    for _ in 0..3 {
        waiting.push(first.enqueue(text_to_video(Provider::OpenRouter)).await);
    }
    let last = first.card(&waiting[2].id);
    assert_eq!(last.state_words, "Waiting its turn (2 ahead)");
    // When one ahead leaves the line, the cards behind it are told.
    let mut changes = first.queue.subscribe();
    let extra = first.enqueue(text_to_video(Provider::OpenRouter)).await;
    first.queue.stop_tracking(&waiting[0].id).await.unwrap();
    let mut told = None;
    while let Ok(card) = changes.try_recv() {
        if card.id == extra.id {
            told = Some(card.state_words);
        }
    }
    assert_eq!(told.as_deref(), Some("Waiting its turn (2 ahead)"));
    let waiting = vec![waiting[1].clone(), waiting[2].clone(), extra];
    first.queue.shut_down();
    drop(first);

    let second = bench.start().await;
    for card in &waiting {
        assert_eq!(second.card(&card.id).state, GenerationState::Waiting);
    }
    assert_eq!(
        bench.emu.submits(Service::OpenRouter),
        1,
        "the head still holds its place"
    );
    bench.emu.finish_task_now(&head_task);
    for card in &waiting {
        second.until_state(&card.id, GenerationState::Done).await;
    }
    let tasks = bench.emu.task_ids(Service::OpenRouter);
    let expected: Vec<String> = std::iter::once(head_task)
        .chain(waiting.iter().map(|c| task_id(&second, &c.id)))
        .collect();
    assert_eq!(tasks, expected, "submitted in the order they were made");
}

impl Started {
    fn card(&self, id: &GenerationId) -> GenerationCard {
        self.queue.card(id).expect("the queue knows it")
    }
}

// ---------------------------------------------------------------------------------------------
// Faults at the provider
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_expired_link_is_replaced_by_a_fresh_one() {
    let bench = Bench::new().await;
    // The download is held long enough for the link to be expired when the CDN reads it.
    bench.emu.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Download,
        FaultKind::Slow {
            delay: Duration::from_millis(300),
        },
    ));
    let started = bench.start().await;
    let card = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while bench.cdn_requests().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no download started"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    bench.emu.expire_links_now();
    started.until_state(&card.id, GenerationState::Done).await;
    let retrieves = bench
        .api_requests(Service::MinimaxGlobal)
        .into_iter()
        .filter(|r| r.path.ends_with("/files/retrieve"))
        .count();
    assert_eq!(retrieves, 2, "a second retrieve gave a fresh link");
    let cdn = bench.cdn_requests();
    assert_eq!(cdn.len(), 2);
    assert_ne!(
        (&cdn[0].path, &cdn[0].query),
        (&cdn[1].path, &cdn[1].query),
        "the second download used the fresh link"
    );
    assert!(is_mp4(&started.folder(&card.id).join(VIDEO_FILE)));
}

#[tokio::test]
async fn a_download_cut_again_and_again_shows_offline_and_goes_on_until_the_video_is_home() {
    let bench = Bench::with(EmulatorConfig {
        pad_videos_to: Some(PADDED_VIDEO),
        ..EmulatorConfig::default()
    })
    .await;
    // Connections cut before any byte, more often than one download call retries: the
    // queue itself must come back to it.
    bench.emu.inject(
        Fault::new(
            Service::LinkModel,
            Endpoint::Download,
            FaultKind::DropAfter { bytes: 0 },
        )
        .times(6),
    );
    let started = bench.start().await;
    let mut changes = started.queue.subscribe();
    let card = started.enqueue(text_to_video(Provider::LinkModel)).await;
    started.until_state(&card.id, GenerationState::Done).await;
    let mut shown_offline = false;
    while let Ok(card) = changes.try_recv() {
        shown_offline |= card.state == GenerationState::Downloading && card.offline;
    }
    assert!(shown_offline, "the card said offline meanwhile");
    let video = started.folder(&card.id).join(VIDEO_FILE);
    assert_eq!(std::fs::metadata(&video).unwrap().len(), PADDED_VIDEO);
    assert!(is_mp4(&video));
    assert!(
        bench.cdn_requests().len() > 6,
        "{} downloads",
        bench.cdn_requests().len()
    );
    assert_eq!(bench.emu.submits(Service::LinkModel), 1);
}

#[tokio::test]
async fn a_retry_after_from_the_provider_is_honoured_between_checks() {
    let bench = Bench::new().await;
    bench.emu.inject(Fault::new(
        Service::OpenRouter,
        Endpoint::Query,
        FaultKind::TooManyRequests {
            retry_after_secs: Some(1),
        },
    ));
    let started = bench.start().await;
    let card = started.enqueue(text_to_video(Provider::OpenRouter)).await;
    let limited = started
        .until(&card.id, "rate limited", |c| {
            c.error.as_ref().is_some_and(|e| e.kind == "rate-limited")
        })
        .await;
    assert!(!limited.state.is_final());
    started.until_state(&card.id, GenerationState::Done).await;
    let polls: Vec<RecordedRequest> = bench
        .api_requests(Service::OpenRouter)
        .into_iter()
        .filter(|r| {
            r.method == "GET" && r.path.contains("/videos/") && !r.path.ends_with("/content")
        })
        .collect();
    let gap = polls[1].at - polls[0].at;
    assert!(
        gap >= Duration::from_secs(1),
        "waited {gap:?} after a Retry-After of 1 s"
    );
    assert!(
        started.card(&card.id).error.is_none(),
        "a good answer clears the problem"
    );
}

#[tokio::test]
async fn an_answer_the_app_cannot_read_says_so_on_the_card_with_the_answer_and_the_video_still_comes(
) {
    let bench = Bench::new().await;
    let key = bench.emu.key(Service::MinimaxGlobal);
    // "Success" without the file: not readable. It quotes the key back, as a proxy might.
    let odd = format!(
        r#"{{"task_id":"1","status":"Success","base_resp":{{"status_code":0}},"echo":"{key}"}}"#
    );
    bench.emu.inject(
        Fault::new(
            Service::MinimaxGlobal,
            Endpoint::Query,
            FaultKind::Custom {
                status: 200,
                body: odd,
            },
        )
        .times(2),
    );
    let started = bench.start().await;
    let card = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    let odd_card = started
        .until(&card.id, "showing the unreadable answer", |c| {
            c.error
                .as_ref()
                .is_some_and(|e| e.kind == "unreadable-answer")
        })
        .await;
    // The UI receives the answer beside the message.
    let json = serde_json::to_value(&odd_card).unwrap();
    assert!(json["error"]["raw"].is_string(), "{json}");
    let problem = odd_card.error.unwrap();
    assert!(
        problem.message.contains("does not know yet")
            && problem.message.contains("your video is not lost"),
        "{}",
        problem.message
    );
    let raw = problem.raw.expect("the answer, to copy");
    assert!(raw.contains("\"status\":\"Success\""), "{raw}");
    assert!(!raw.contains(&key), "the key never reaches a card: {raw}");
    assert!(!problem.message.contains(&key));
    assert!(!odd_card.state.is_final(), "still followed");
    assert_ne!(odd_card.state, GenerationState::Failed);

    let done = started.until_state(&card.id, GenerationState::Done).await;
    assert!(done.error.is_none(), "a good answer clears the problem");
    assert!(is_mp4(&started.folder(&card.id).join(VIDEO_FILE)));
    assert_eq!(bench.emu.submits(Service::MinimaxGlobal), 1);
}

#[tokio::test]
async fn minimax_requests_keep_to_the_provider_s_pace() {
    let mut bench = Bench::new().await;
    let window = Duration::from_millis(500);
    bench.pacer = Arc::new(RequestPacer::new(HashMap::from([(
        Provider::MinimaxGlobal,
        RequestBudget {
            requests: 2,
            per: window,
        },
    )])));
    // Failed checks are asked again in a paced turn too, never at once.
    bench.emu.inject(
        Fault::new(
            Service::MinimaxGlobal,
            Endpoint::Query,
            FaultKind::ServerError {
                status: 500,
                retry_after_secs: None,
            },
        )
        .times(2),
    );
    let started = bench.start().await;
    let a = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    let b = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    started.until_state(&a.id, GenerationState::Done).await;
    started.until_state(&b.id, GenerationState::Done).await;
    let times: Vec<tokio::time::Instant> = bench
        .api_requests(Service::MinimaxGlobal)
        .into_iter()
        .map(|r| r.at)
        .collect();
    assert!(times.len() >= 12, "{} requests", times.len());
    for (i, at) in times.iter().enumerate() {
        // Less a little slack: the emulator notes a request when it arrives, a few
        // milliseconds after the app sent it in its turn.
        let in_window = times[i..]
            .iter()
            .filter(|t| **t - *at < window - Duration::from_millis(150))
            .count();
        assert!(
            in_window <= 2,
            "{in_window} requests within {window:?} from request {i}"
        );
    }
}

#[tokio::test]
async fn offline_pauses_with_a_flag_and_resumes_by_itself() {
    let bench = Bench::new().await;
    let unreachable = bench.overrides_with_offline(Provider::LinkModel, "/api/v1");
    let started = bench.start_with(unreachable.clone()).await;
    let card = started.enqueue(text_to_video(Provider::LinkModel)).await;
    let offline = started.until(&card.id, "offline", |c| c.offline).await;
    assert_eq!(
        offline.state,
        GenerationState::Waiting,
        "nothing left the machine: it is back in the line"
    );
    assert!(
        offline.state_words.starts_with("Offline — will resume"),
        "{}",
        offline.state_words
    );
    assert!(!offline.may_have_been_charged, "nothing was sent");
    started.queue.set_base_url_overrides(bench.overrides());
    started.until_state(&card.id, GenerationState::Queued).await;
    let task = task_id(&started, &card.id);
    bench.emu.set_task_status(&task, EmulatedStatus::Processing);
    started
        .until_state(&card.id, GenerationState::Running)
        .await;

    // The network goes away while it is being made, and comes back.
    started.queue.set_base_url_overrides(unreachable);
    let offline = started
        .until(&card.id, "offline again", |c| c.offline)
        .await;
    assert_eq!(offline.state, GenerationState::Running);
    started.queue.set_base_url_overrides(bench.overrides());
    bench.emu.finish_task_now(&task);
    let done = started.until_state(&card.id, GenerationState::Done).await;
    assert!(!done.offline);
    assert_eq!(bench.emu.submits(Service::LinkModel), 1);
}

#[tokio::test]
async fn a_submit_with_no_answer_is_unknown_never_resubmitted_and_may_have_been_charged() {
    let mut bench = Bench::new().await;
    bench.config.retry.request_timeout = Duration::from_millis(300);
    bench.emu.inject(Fault::new(
        Service::OpenRouter,
        Endpoint::Submit,
        FaultKind::AnswerLost { after: None },
    ));
    let started = bench.start().await;
    let card = started.enqueue(text_to_video(Provider::OpenRouter)).await;
    let unknown = started
        .until_state(&card.id, GenerationState::Unknown)
        .await;
    assert!(unknown.may_have_been_charged);
    assert!(
        !unknown.can_check_now,
        "no task id came back: there is nothing to ask the service"
    );
    assert_eq!(
        unknown.error.as_ref().unwrap().kind,
        "submit-outcome-unknown"
    );
    let spend = started.ledger.entry(card.id.as_str()).unwrap();
    match spend.state {
        SpendState::MayHaveBeenCharged { at_risk, .. } => assert_eq!(at_risk.amount, dec!(0.4902)),
        other => panic!("{other:?}"),
    }
    // Checking now cannot find anything to check, and sends nothing.
    started.queue.check_now(&card.id).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(bench.emu.submits(Service::OpenRouter), 1);
    assert_eq!(
        bench.api_requests(Service::OpenRouter).len(),
        1,
        "one request in all"
    );
    assert_eq!(started.on_disk(&card.id).state, GenerationState::Unknown);

    // The creator sets it aside: it stays in the library, still possibly charged.
    let dismissed = started.queue.stop_tracking(&card.id).await.unwrap();
    assert_eq!(dismissed.state, GenerationState::Cancelled);
    assert_eq!(dismissed.state_words, "Dismissed; it may have been charged");
    assert!(dismissed.may_have_been_charged);
    assert_eq!(started.on_disk(&card.id).state, GenerationState::Cancelled);
}

#[tokio::test]
async fn a_flagged_prompt_fails_with_the_provider_s_words_and_is_not_charged() {
    let bench = Bench::new().await;
    bench.emu.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Submit,
        FaultKind::minimax_prompt_flagged(),
    ));
    let started = bench.start().await;
    let card = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    let failed = started.until_state(&card.id, GenerationState::Failed).await;
    assert!(
        failed.state_words.starts_with("Failed: "),
        "{}",
        failed.state_words
    );
    let record = started.on_disk(&card.id);
    let error = record.error.unwrap();
    assert_eq!(error.provider_code.as_deref(), Some("1026"));
    assert_eq!(error.provider_text.as_deref(), Some("input new_sensitive"));
    assert!(matches!(
        started.ledger.entry(card.id.as_str()).unwrap().state,
        SpendState::NotCharged { .. }
    ));
    assert!(!failed.may_have_been_charged);
}

#[tokio::test]
async fn a_flagged_video_fails_after_running_with_the_provider_s_words_and_is_not_charged() {
    let bench = Bench::new().await;
    bench.emu.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Submit,
        FaultKind::minimax_video_flagged(),
    ));
    let started = bench.start().await;
    let card = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    let failed = started.until_state(&card.id, GenerationState::Failed).await;
    let record = started.on_disk(&card.id);
    assert!(record.task_id.is_some());
    let error = record.error.unwrap();
    assert_eq!(error.provider_code.as_deref(), Some("1027"), "{error:?}");
    assert_eq!(error.provider_text.as_deref(), Some("output new_sensitive"));
    assert_eq!(failed.error.unwrap().kind, "video-flagged");
    assert!(matches!(
        started.ledger.entry(card.id.as_str()).unwrap().state,
        SpendState::NotCharged { .. }
    ));
    assert!(!started.folder(&card.id).join(VIDEO_FILE).exists());
}

// ---------------------------------------------------------------------------------------------
// Many at once, and the creator's own actions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn twenty_two_generations_run_with_at_most_three_at_the_provider_in_order() {
    let bench = Bench::new().await;
    let started = bench.start().await;
    let mut events = started.queue.subscribe();
    let mut cards = Vec::new();
    for _ in 0..22 {
        cards.push(started.enqueue(text_to_video(Provider::OpenRouter)).await);
    }
    let watcher = tokio::spawn(async move {
        let mut at_provider: HashMap<GenerationId, GenerationState> = HashMap::new();
        let mut most = 0;
        let mut done = 0;
        while done < 22 {
            let card = events.recv().await.expect("events keep coming");
            at_provider.insert(card.id.clone(), card.state);
            let busy = at_provider
                .values()
                .filter(|s| {
                    matches!(
                        s,
                        GenerationState::Submitting
                            | GenerationState::Queued
                            | GenerationState::Running
                    )
                })
                .count();
            most = most.max(busy);
            done = at_provider
                .values()
                .filter(|s| **s == GenerationState::Done)
                .count();
        }
        most
    });
    let most = tokio::time::timeout(PATIENCE, watcher)
        .await
        .expect("all 22 finish")
        .unwrap();
    assert_eq!(
        most, 3,
        "at most three at the provider, and the limit was used"
    );
    assert_eq!(bench.emu.submits(Service::OpenRouter), 22);
    let submitted = bench.emu.task_ids(Service::OpenRouter);
    for (made, card) in cards.iter().enumerate() {
        let task = task_id(&started, &card.id);
        let sent = submitted.iter().position(|t| *t == task).unwrap();
        // The three at the provider together may reach it in any order; the line itself keeps its order.
        assert!(made.abs_diff(sent) < 3, "made {made}th, sent {sent}th");
        assert!(is_mp4(&started.folder(&card.id).join(VIDEO_FILE)));
    }
}

#[tokio::test]
async fn stopping_a_waiting_generation_means_it_is_never_sent_and_not_charged() {
    let mut bench = Bench::new().await;
    bench.config.at_once_per_provider = 1;
    let started = bench.start().await;
    let head = started.enqueue(text_to_video(Provider::LinkModel)).await;
    started.until_state(&head.id, GenerationState::Queued).await;
    let head_task = task_id(&started, &head.id);
    bench
        .emu
        .set_task_status(&head_task, EmulatedStatus::Processing);
    let second = started.enqueue(text_to_video(Provider::LinkModel)).await;
    let stopped = started.queue.stop_tracking(&second.id).await.unwrap();
    assert_eq!(stopped.state, GenerationState::Cancelled);
    assert!(stopped.stopped);
    assert_eq!(stopped.state_words, "Stopped before it was sent");
    assert!(!stopped.may_have_been_charged);
    assert!(matches!(
        started.ledger.entry(second.id.as_str()).unwrap().state,
        SpendState::NotCharged { .. }
    ));
    bench.emu.finish_task_now(&head_task);
    started.until_state(&head.id, GenerationState::Done).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(bench.emu.submits(Service::LinkModel), 1);
    assert_eq!(
        started.on_disk(&second.id).state,
        GenerationState::Cancelled
    );
}

#[tokio::test]
async fn stopping_a_generation_at_the_provider_warns_it_may_still_charge_and_frees_its_place() {
    let mut bench = Bench::new().await;
    bench.config.at_once_per_provider = 1;
    let started = bench.start().await;
    let head = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    started.until_state(&head.id, GenerationState::Queued).await;
    let head_task = task_id(&started, &head.id);
    bench
        .emu
        .set_task_status(&head_task, EmulatedStatus::Processing);
    let next = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    started
        .until_state(&head.id, GenerationState::Running)
        .await;

    let stopped = started.queue.stop_tracking(&head.id).await.unwrap();
    assert_eq!(stopped.state, GenerationState::Cancelled);
    assert!(stopped.stopped && stopped.may_have_been_charged);
    assert!(
        stopped
            .state_words
            .contains("may still finish it and charge"),
        "{}",
        stopped.state_words
    );
    assert!(matches!(
        started.ledger.entry(head.id.as_str()).unwrap().state,
        SpendState::MayHaveBeenCharged { .. }
    ));
    let polls = bench.emu.task(&head_task).unwrap().polls;
    started.until_state(&next.id, GenerationState::Done).await;
    assert_eq!(
        bench.emu.task(&head_task).unwrap().polls,
        polls,
        "no longer checked"
    );
    assert_eq!(bench.emu.submits(Service::MinimaxGlobal), 2);
    // A finished one cannot be stopped.
    let err = started.queue.stop_tracking(&next.id).await.unwrap_err();
    assert_eq!(err.kind(), "cannot-stop");
}

#[tokio::test]
async fn check_now_asks_at_once_instead_of_at_the_planned_time() {
    let mut bench = Bench::new().await;
    bench.config.schedule.first = Duration::from_secs(30);
    bench.config.schedule.steady = Duration::from_secs(30);
    let started = bench.start().await;
    let card = started.enqueue(text_to_video(Provider::OpenRouter)).await;
    started.until_state(&card.id, GenerationState::Queued).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = bench.api_requests(Service::OpenRouter).len();
    assert_eq!(before, 1, "only the submit so far");
    started.queue.check_now(&card.id).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while bench.api_requests(Service::OpenRouter).len() == before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "check now did not check"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_generation_at_the_provider_for_long_is_still_generating_and_still_checked() {
    let mut bench = Bench::new().await;
    bench.config.schedule.long_running_after = Duration::from_millis(300);
    let started = bench.start().await;
    let card = started.enqueue(text_to_video(Provider::LinkModel)).await;
    started.until_state(&card.id, GenerationState::Queued).await;
    let task = task_id(&started, &card.id);
    bench.emu.set_task_status(&task, EmulatedStatus::Processing);
    let long = started
        .until(&card.id, "long running", |c| c.long_running)
        .await;
    assert_eq!(long.state_words, "Still generating at LinkModel");
    bench.emu.finish_task_now(&task);
    let done = started.until_state(&card.id, GenerationState::Done).await;
    assert!(!done.long_running);
}

#[tokio::test]
async fn a_card_expects_the_median_time_of_past_generations_of_the_same_kind() {
    let bench = Bench::new().await;
    let first = bench.start().await;
    let card = first.enqueue(text_to_video(Provider::LinkModel)).await;
    assert_eq!(card.expected_seconds, None, "nothing to go by yet");
    first.until_state(&card.id, GenerationState::Done).await;
    let next = first.enqueue(text_to_video(Provider::LinkModel)).await;
    // The emulator makes a video in well under five seconds.
    assert!(
        next.expected_seconds.is_some_and(|s| s <= 5),
        "{:?}",
        next.expected_seconds
    );
    let other_kind = first
        .enqueue(GenerationRequest {
            duration: 10,
            ..text_to_video(Provider::LinkModel)
        })
        .await;
    assert_eq!(other_kind.expected_seconds, None);
    first.until_state(&next.id, GenerationState::Done).await;
    first
        .until_state(&other_kind.id, GenerationState::Done)
        .await;
    first.queue.shut_down();
    drop(first);
    // Learnt again from the library at the next start.
    let second = bench.start().await;
    let again = second.enqueue(text_to_video(Provider::LinkModel)).await;
    assert!(again.expected_seconds.is_some_and(|s| s <= 5));
}

#[tokio::test]
async fn retry_makes_a_new_paid_generation_with_the_same_settings() {
    let bench = Bench::new().await;
    bench.emu.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Submit,
        FaultKind::minimax_prompt_flagged(),
    ));
    let started = bench.start().await;
    let card = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    started.until_state(&card.id, GenerationState::Failed).await;
    let again = started.queue.retry(&card.id, no_budgets()).await.unwrap();
    assert_ne!(again.id, card.id);
    assert_eq!(again.prompt, card.prompt);
    started.until_state(&again.id, GenerationState::Done).await;
    assert_eq!(bench.emu.submits(Service::MinimaxGlobal), 1);
}

#[tokio::test]
async fn a_generation_over_the_monthly_budget_is_refused_before_anything_is_written() {
    let bench = Bench::new().await;
    let started = bench.start().await;
    let budgets = BTreeMap::from([(Currency::Usd, dec!(0.50))]);
    started
        .queue
        .enqueue(text_to_video(Provider::OpenRouter), budgets.clone())
        .await
        .unwrap();
    let err = started
        .queue
        .enqueue(text_to_video(Provider::OpenRouter), budgets)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "over-budget");
    assert_eq!(started.library.scan().unwrap().generations.len(), 1);
}

#[tokio::test]
async fn a_generation_without_a_key_is_refused_before_anything_is_written() {
    let bench = Bench::new().await;
    bench.keys.remove(Provider::LinkModel).unwrap();
    let started = bench.start().await;
    let err = started
        .queue
        .enqueue(text_to_video(Provider::LinkModel), no_budgets())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "no-key");
    assert!(err.to_string().contains("LinkModel"), "{err}");
    assert!(started.library.scan().unwrap().generations.is_empty());
    assert!(started.ledger.entries().is_empty());
}

// ---------------------------------------------------------------------------------------------
// A video that cannot be brought home
// ---------------------------------------------------------------------------------------------

/// Every download of `service` gets an error page instead of the video, `times` times.
fn not_a_video(service: Service, times: u32) -> Fault {
    Fault::new(
        service,
        Endpoint::Download,
        FaultKind::Custom {
            status: 200,
            body: "<html><body>Gone</body></html>".into(),
        },
    )
    .times(times)
}

#[tokio::test]
async fn a_video_that_cannot_be_had_stops_downloading_after_a_few_tries_and_says_why() {
    let bench = Bench::new().await;
    bench.emu.inject(not_a_video(Service::LinkModel, 100));
    let started = bench.start().await;
    let card = started.enqueue(text_to_video(Provider::LinkModel)).await;
    let parked = started
        .until_state(&card.id, GenerationState::NotSaved)
        .await;
    assert_eq!(parked.state_words, "Made, but not saved");
    let error = parked.error.expect("the card says what happened");
    assert!(
        error.message.contains("what arrived was not a video file")
            && error.message.contains("Try again")
            && error.message.contains("Stop following"),
        "{}",
        error.message
    );
    assert!(parked.can_download_again);
    assert!(!parked.can_check_now);
    assert_eq!(parked.download, None);
    let tries = bench.cdn_requests().len();
    assert_eq!(tries, 4, "a few tries, not endless ones");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        bench.cdn_requests().len(),
        tries,
        "nothing runs for it any more"
    );
    assert_eq!(started.on_disk(&card.id).state, GenerationState::NotSaved);
    assert!(!matches!(
        started.ledger.entry(card.id.as_str()).unwrap().state,
        SpendState::NotCharged { .. }
    ));
    assert_eq!(bench.emu.submits(Service::LinkModel), 1);
}

#[tokio::test]
async fn a_minimax_video_whose_file_cannot_be_retrieved_ends_not_saved_instead_of_downloading_forever(
) {
    let bench = Bench::new().await;
    bench.emu.inject(
        Fault::new(
            Service::MinimaxGlobal,
            Endpoint::Retrieve,
            FaultKind::MinimaxStatus {
                code: 2013,
                message: "invalid params, file not found".into(),
            },
        )
        .times(100),
    );
    let started = bench.start().await;
    let card = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    let parked = started
        .until_state(&card.id, GenerationState::NotSaved)
        .await;
    assert!(parked.can_download_again);
    assert!(parked
        .error
        .unwrap()
        .message
        .contains("MiniMax made this video"));
}

#[tokio::test]
async fn try_again_fetches_a_video_not_saved_without_making_it_again() {
    let bench = Bench::new().await;
    bench.emu.inject(not_a_video(Service::LinkModel, 4));
    let started = bench.start().await;
    let card = started.enqueue(text_to_video(Provider::LinkModel)).await;
    started
        .until_state(&card.id, GenerationState::NotSaved)
        .await;
    assert_eq!(bench.emu.pending_faults(), 0);
    let again = started.queue.download_again(&card.id).await.unwrap();
    assert_eq!(again.state, GenerationState::Downloading);
    assert_eq!(again.error, None);
    let done = started.until_state(&card.id, GenerationState::Done).await;
    assert_eq!(done.state_words, "Ready");
    assert!(is_mp4(&started.folder(&card.id).join(VIDEO_FILE)));
    assert_eq!(
        bench.emu.submits(Service::LinkModel),
        1,
        "nothing made again"
    );
    let err = started.queue.download_again(&card.id).await.unwrap_err();
    assert_eq!(err.kind(), "nothing-to-download");
}

#[tokio::test]
async fn a_video_not_saved_can_be_let_go_and_waits_for_the_creator_after_a_restart() {
    let bench = Bench::new().await;
    bench.emu.inject(not_a_video(Service::LinkModel, 100));
    let first = bench.start().await;
    let card = first.enqueue(text_to_video(Provider::LinkModel)).await;
    first.until_state(&card.id, GenerationState::NotSaved).await;
    first.queue.shut_down();
    drop(first);
    bench.emu.clear_requests();

    let second = bench.start().await;
    let shown = second
        .until_state(&card.id, GenerationState::NotSaved)
        .await;
    assert!(shown.can_download_again, "still offered after a restart");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(bench.cdn_requests().is_empty(), "not fetched by itself");
    let stopped = second.queue.stop_tracking(&card.id).await.unwrap();
    assert_eq!(stopped.state, GenerationState::Cancelled);
    assert_eq!(
        stopped.state_words,
        "Stopped following; made and charged, but not saved"
    );
    assert!(!stopped.can_download_again);
    assert_eq!(second.on_disk(&card.id).state, GenerationState::Cancelled);
}

#[tokio::test]
async fn a_download_in_progress_can_be_stopped_and_never_blocks_the_next_generation() {
    let mut bench = Bench::new().await;
    bench.config.at_once_per_provider = 1;
    bench.emu.inject(Fault::new(
        Service::LinkModel,
        Endpoint::Download,
        FaultKind::Slow {
            delay: Duration::from_secs(30),
        },
    ));
    let started = bench.start().await;
    let stuck = started.enqueue(text_to_video(Provider::LinkModel)).await;
    started
        .until_state(&stuck.id, GenerationState::Downloading)
        .await;
    // The provider is done with it: the next one goes through while it downloads.
    let next = started.enqueue(text_to_video(Provider::LinkModel)).await;
    started.until_state(&next.id, GenerationState::Done).await;
    let stopped = started.queue.stop_tracking(&stuck.id).await.unwrap();
    assert_eq!(stopped.state, GenerationState::Cancelled);
    assert!(
        stopped.state_words.contains("not saved"),
        "{}",
        stopped.state_words
    );
}
