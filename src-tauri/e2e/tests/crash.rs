//! The real app killed with SIGKILL at the three moments a paid video is most at risk — while its
//! submit is on the way, while it is followed at the provider, and halfway through the download —
//! then started again on the same data folder: the video ends complete and playable, and the
//! provider saw exactly one submit per generation. A submit cut short ends "may have been charged"
//! and is never sent again.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod served_video;

use hailuo_core::library::{Generation, GenerationState};
use hailuo_e2e::App;
use hailuo_emulator::{
    Emulator, EmulatorConfig, Endpoint, Fault, FaultKind, Service, TaskStatus, TaskTiming,
};
use serde_json::{json, Value};

/// Every test generates at OpenRouter: MiniMax's 5 requests a minute would make the test slow,
/// and what is proven here (records, resume, one submit) is the same for every provider.
const SERVICE: Service = Service::OpenRouter;
/// The served video: a real 1 s H.264 clip padded to 4 MB, so a throttled download lasts long
/// enough to be killed halfway.
const VIDEO_BYTES: u64 = 4_000_000;
const PATIENCE: Duration = Duration::from_secs(45);

async fn emulator(timing: TaskTiming) -> Emulator {
    Emulator::start(EmulatorConfig {
        timing,
        pad_videos_to: Some(VIDEO_BYTES),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap_or_else(|err| panic!("the emulator did not start: {err}"))
}

/// The app against the emulator, polling in milliseconds, with the OpenRouter key saved.
async fn launch_with_a_key(test: &str, emulator: &Emulator) -> App {
    let launch = App::launch(test).quick_polling().envs(emulator.env_vars());
    let app = launch.start().await;
    app.wait_ready().await;
    app.invoke(
        "save_key",
        json!({ "provider": SERVICE.id(), "key": emulator.key(SERVICE) }),
    )
    .await
    .unwrap_or_else(|err| panic!("the key was not saved: {err}"));
    app
}

/// One generation at OpenRouter, as the Create screen sends it. Answers its id and folder.
async fn start_generation(app: &App, prompt: &str) -> (String, PathBuf) {
    let card = app
        .invoke(
            "start_generation",
            json!({ "request": {
                "provider": SERVICE.id(), "model": "hailuo-2.3", "prompt": prompt,
                "duration": 6, "resolution": "768P",
            }}),
        )
        .await
        .unwrap_or_else(|err| panic!("the generation did not start: {err}"));
    let text = |field: &str| card[field].as_str().unwrap_or_default().to_owned();
    (text("id"), PathBuf::from(text("folder")))
}

/// `generation.json` as it is on disk now.
fn record(folder: &Path) -> Generation {
    let path = folder.join("generation.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("{} is not a generation record: {err}", path.display()))
}

fn file_len(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|meta| meta.len())
}

/// Checks `condition` every 10 ms until it holds; panics naming `what` after `PATIENCE`.
async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "waited {} s for {what}",
            PATIENCE.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The submits OpenRouter received carrying `prompt`.
fn submits_of(emulator: &Emulator, prompt: &str) -> usize {
    emulator
        .requests_to(SERVICE)
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/api/v1/videos")
        .filter(|r| r.body.as_ref().and_then(|b| b["prompt"].as_str()) == Some(prompt))
        .count()
}

/// The status checks of `task_id` OpenRouter answered or is answering.
fn checks_of(emulator: &Emulator, task_id: &str) -> usize {
    let path = format!("/api/v1/videos/{task_id}");
    emulator
        .requests_to(SERVICE)
        .iter()
        .filter(|r| r.method == "GET" && r.path == path)
        .count()
}

/// The `Range` header of each request for the video's bytes, in order (`None`: from the start).
fn video_fetches(emulator: &Emulator, task_id: &str) -> Vec<Option<String>> {
    let path = format!("/api/v1/videos/{task_id}/content");
    emulator
        .requests_to(SERVICE)
        .iter()
        .filter(|r| r.path == path)
        .map(|r| r.header("range").map(str::to_owned))
        .collect()
}

/// The card of `id` in the window's queue: `(state, text)`, or `None` while it is not shown.
async fn card(app: &App, id: &str) -> Option<(String, String)> {
    let script = format!(
        "const card = document.querySelector('[data-testid=job][data-id=\"{id}\"]');
         return card && [card.dataset.state, card.innerText]"
    );
    match app.run_js(&script).await {
        Value::Array(parts) => Some((
            parts[0].as_str().unwrap_or_default().to_owned(),
            parts[1].as_str().unwrap_or_default().to_owned(),
        )),
        _ => None,
    }
}

async fn wait_for_card(app: &App, id: &str, state: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let shown = card(app, id).await;
        if let Some((now, text)) = &shown {
            if now == state {
                return text.clone();
            }
        }
        assert!(
            Instant::now() < deadline,
            "the card never became {state}; it shows {shown:?}\n{}",
            app.output()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The video in `folder` is the very file the service served, whole, a real MP4 that ffprobe
/// reads as H.264 at the task's size and ffmpeg decodes without an error.
async fn assert_complete_and_playable(emulator: &Emulator, task_id: &str, folder: &Path) {
    served_video::assert_saved_as_served(emulator, task_id, folder).await;
    let video = folder.join("video.mp4");
    let decode = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&video)
        .args(["-f", "null", "-"])
        .output()
        .unwrap_or_else(|err| panic!("cannot run ffmpeg: {err}"));
    assert!(
        decode.status.success() && decode.stderr.is_empty(),
        "ffmpeg could not decode the video: {}",
        String::from_utf8_lossy(&decode.stderr)
    );
}

/// Plays the card's video in the app's own player: frames decoded, time running.
async fn assert_it_plays_in_the_app(app: &App, id: &str, width: u32) {
    app.click(&format!(
        "[data-testid=job][data-id=\"{id}\"] [data-testid=card-open]"
    ))
    .await;
    app.wait_for(
        &format!(
            "const v = document.querySelector('[data-testid=player-video]');
             return v !== null && v.readyState >= 2 && v.videoWidth === {width} && v.currentTime > 0.3"
        ),
        "the video to play in the player (readyState ≥ 2, its width, time running)",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_its_submit_is_on_the_way_it_ends_may_have_been_charged_and_is_never_sent_again(
) {
    let emulator = emulator(TaskTiming::Polls { per_stage: 1 }).await;
    // OpenRouter makes the video, but its answer never reaches the app.
    emulator.inject(Fault::new(
        SERVICE,
        Endpoint::Submit,
        FaultKind::AnswerLost { after: None },
    ));
    let app = launch_with_a_key(
        "killed_while_its_submit_is_on_the_way_it_ends_may_have_been_charged_and_is_never_sent_again",
        &emulator,
    )
    .await;
    let prompt = "A glass of water tips over in slow motion";
    let (id, folder) = start_generation(&app, prompt).await;
    wait_until("the submit to reach OpenRouter", || {
        emulator.submits(SERVICE) == 1
    })
    .await;

    app.kill_app();
    // Killed in the intended moment: the record said "submitting", with no task id.
    let at_kill = record(&folder);
    assert_eq!(at_kill.state, GenerationState::Submitting, "{at_kill:?}");
    assert_eq!(at_kill.task_id, None);

    let app = app.relaunch().await;
    app.wait_ready().await;
    let text = wait_for_card(&app, &id, "unknown").await;
    assert!(text.contains("may have been charged"), "{text}");
    let after = record(&folder);
    assert_eq!(after.state, GenerationState::Unknown);
    let note = after.history.last().and_then(|c| c.note.clone());
    assert!(
        note.as_deref()
            .is_some_and(|n| n.contains("may have reached the provider")),
        "{note:?}"
    );
    // A second of the quick pace is dozens of rounds: nothing is sent again by itself.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(emulator.submits(SERVICE), 1);
    assert_eq!(submits_of(&emulator, prompt), 1);
    app.screen("may-have-been-charged").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_it_is_followed_at_the_provider_it_is_checked_again_and_its_video_saved() {
    // Stages of ten minutes: the test says when the video is made.
    let emulator = emulator(TaskTiming::Elapsed {
        per_stage: Duration::from_secs(600),
    })
    .await;
    let app = launch_with_a_key(
        "killed_while_it_is_followed_at_the_provider_it_is_checked_again_and_its_video_saved",
        &emulator,
    )
    .await;
    let prompt = "A hummingbird hovers at a red flower";
    let (id, folder) = start_generation(&app, prompt).await;
    wait_until("OpenRouter's task id in the record", || {
        record(&folder).task_id.is_some()
    })
    .await;
    let task_id = record(&folder).task_id.unwrap_or_default();
    assert!(emulator.set_task_status(&task_id, TaskStatus::Processing));
    wait_until("the record to say running, after checks", || {
        record(&folder).state == GenerationState::Running && checks_of(&emulator, &task_id) >= 2
    })
    .await;

    app.kill_app();
    let at_kill = record(&folder);
    assert_eq!(at_kill.state, GenerationState::Running);
    assert!(!folder.join("video.mp4").exists() && !folder.join("video.mp4.part").exists());
    // The video is finished while the app is not running.
    let checks_before = checks_of(&emulator, &task_id);
    assert!(emulator.finish_task_now(&task_id));

    let app = app.relaunch().await;
    app.wait_ready().await;
    let text = wait_for_card(&app, &id, "done").await;
    assert!(text.contains("Charged $0.49"), "{text}");
    assert!(
        checks_of(&emulator, &task_id) > checks_before,
        "the restarted app never asked OpenRouter about the task"
    );
    assert_eq!(record(&folder).state, GenerationState::Done);
    assert_eq!(emulator.submits(SERVICE), 1);
    assert_eq!(submits_of(&emulator, prompt), 1);
    assert_complete_and_playable(&emulator, &task_id, &folder).await;
    assert_it_plays_in_the_app(&app, &id, emulator.task(&task_id).map_or(0, |t| t.size.0)).await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_in_the_middle_of_the_download_it_resumes_where_it_stopped() {
    let emulator = emulator(TaskTiming::Polls { per_stage: 1 }).await;
    // 100 KB a second: the 4 MB video would take 40 s.
    emulator.inject(Fault::new(
        SERVICE,
        Endpoint::Download,
        FaultKind::Throttled {
            bytes_per_second: 100_000,
        },
    ));
    let app = launch_with_a_key(
        "killed_in_the_middle_of_the_download_it_resumes_where_it_stopped",
        &emulator,
    )
    .await;
    let prompt = "Fireworks over a harbour at midnight";
    let (id, folder) = start_generation(&app, prompt).await;
    let part = folder.join("video.mp4.part");
    // Inside the real clip's bytes (61 KB before the padding), so the seam is checked on video data.
    wait_until("the first 20 KB of the video on disk", || {
        file_len(&part).is_some_and(|len| len >= 20_000)
    })
    .await;

    app.kill_app();
    let at_kill = record(&folder);
    assert_eq!(at_kill.state, GenerationState::Downloading);
    let kept = file_len(&part).unwrap_or(0);
    assert!(
        kept > 0 && kept < VIDEO_BYTES,
        "{kept} bytes kept of {VIDEO_BYTES}"
    );
    assert!(!folder.join("video.mp4").exists());
    let task_id = at_kill.task_id.clone().unwrap_or_default();

    let app = app.relaunch().await;
    app.wait_ready().await;
    let text = wait_for_card(&app, &id, "done").await;
    assert!(text.contains("Ready"), "{text}");
    // The second fetch asked for the rest only, from the byte the kill stopped at.
    assert_eq!(
        video_fetches(&emulator, &task_id),
        vec![None, Some(format!("bytes={kept}-"))]
    );
    assert_eq!(record(&folder).state, GenerationState::Done);
    assert_eq!(emulator.submits(SERVICE), 1);
    assert_eq!(submits_of(&emulator, prompt), 1);
    assert_complete_and_playable(&emulator, &task_id, &folder).await;
    assert_it_plays_in_the_app(&app, &id, emulator.task(&task_id).map_or(0, |t| t.size.0)).await;
    app.screen("resumed-and-playing").await;
    app.close().await;
}
