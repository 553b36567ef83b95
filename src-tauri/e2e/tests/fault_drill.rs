//! The fault drill: the emulator's whole fault list fired at the running app while ten
//! generations, made from the Create screen at four services, are in flight. Afterwards every
//! generation is a complete, playable video or an honest error in plain words, no paid submit
//! was sent twice, a submit whose answer was lost says "may have been charged" and stays unsent,
//! and the app still answers, navigates and makes a new video.
//!
//! Which generation meets which fault is up to the queue's timing (faults are served to calls in
//! the order they arrive), so outcomes are checked per service as counts of outcome classes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod served_video;

use fantoccini::Locator;
use hailuo_core::library::{Generation, GenerationState};
use hailuo_e2e::App;
use hailuo_emulator::{
    Emulator, EmulatorConfig, Endpoint, Fault, FaultKind, Service, TaskStatus, TaskTiming,
};
use serde_json::{json, Value};

const TEST: &str = "the_whole_fault_list_leaves_every_generation_playable_or_honestly_failed";

/// Tasks never end by themselves: the drill says when (see `Release`).
const STAGE: Duration = Duration::from_secs(600);

/// Two of MiniMax's minutes, and one more for slack.
const DRILL_PATIENCE: Duration = Duration::from_secs(150);

/// One generation of the drill: where it goes and its prompt, which names it in the request log.
struct Planned {
    service: Service,
    prompt: &'static str,
}

/// MiniMax first, so its paced minute starts early; then the others, mixed.
const PLAN: [Planned; 10] = [
    Planned {
        service: Service::MinimaxGlobal,
        prompt: "Drill one: a lighthouse beam sweeps the fog",
    },
    Planned {
        service: Service::MinimaxGlobal,
        prompt: "Drill two: a red kite climbs over the dunes",
    },
    Planned {
        service: Service::MinimaxChina,
        prompt: "Drill three: lanterns drift down a river",
    },
    Planned {
        service: Service::MinimaxGlobal,
        prompt: "Drill four: a cat naps in a sunny window",
    },
    Planned {
        service: Service::OpenRouter,
        prompt: "Drill five: waves break on black sand",
    },
    Planned {
        service: Service::MinimaxChina,
        prompt: "Drill six: a tram crosses a snowy bridge",
    },
    Planned {
        service: Service::LinkModel,
        prompt: "Drill seven: bees circle a lavender field",
    },
    Planned {
        service: Service::OpenRouter,
        prompt: "Drill eight: a paper plane glides over a city",
    },
    Planned {
        service: Service::MinimaxChina,
        prompt: "Drill nine: rain runs down a cafe window",
    },
    Planned {
        service: Service::OpenRouter,
        prompt: "Drill ten: a hot air balloon rises at dawn",
    },
];

/// How a generation ended, as a creator would sort them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// A playable video in the library.
    Video,
    /// The service had no money on the account.
    NoCredit,
    /// The prompt or the made video was flagged.
    Flagged,
    /// The service refused the settings.
    SettingsRefused,
    /// No clear answer to the submit: it may have been charged.
    MayHaveBeenCharged,
}

/// A service's faults that refuse a submit before anything is started: the app may and does
/// send that submit again, so its prompt reaches the service twice.
struct Refusals {
    minimax_global: usize,
    openrouter: usize,
    linkmodel: usize,
}

const REFUSALS: Refusals = Refusals {
    minimax_global: 1,
    openrouter: 1,
    linkmodel: 1,
};

fn refusals(service: Service) -> usize {
    match service {
        Service::MinimaxGlobal => REFUSALS.minimax_global,
        Service::MinimaxChina => 0,
        Service::OpenRouter => REFUSALS.openrouter,
        Service::LinkModel => REFUSALS.linkmodel,
    }
}

/// Every kind of fault the emulator has, each on a call where it means something, spread over
/// the services. The refusals counted in `REFUSALS` are the 1002 and the two 429s on submits.
fn the_fault_list() -> Vec<Fault> {
    use Endpoint::{Download, Key, Query, Retrieve, Submit};
    use Service::{LinkModel, MinimaxChina, MinimaxGlobal, OpenRouter};
    let empty_task_id = r#"{"task_id":"","base_resp":{"status_code":0,"status_msg":"success"}}"#;
    vec![
        // MiniMax global: rate limited (retried in its paced turn), no balance, a video flagged
        // after it was made; a slow check, an unreadable retrieve, a download cut short.
        Fault::new(MinimaxGlobal, Submit, FaultKind::minimax_rate_limited()),
        Fault::new(
            MinimaxGlobal,
            Submit,
            FaultKind::minimax_insufficient_balance(),
        ),
        Fault::new(MinimaxGlobal, Submit, FaultKind::minimax_video_flagged()),
        Fault::new(
            MinimaxGlobal,
            Query,
            FaultKind::Slow {
                delay: Duration::from_millis(800),
            },
        ),
        Fault::new(MinimaxGlobal, Retrieve, FaultKind::BrokenJson),
        Fault::new(
            MinimaxGlobal,
            Download,
            FaultKind::Truncated { bytes: 30_000 },
        ),
        // MiniMax China: a flagged prompt, refused settings, and "success" with no task id.
        Fault::new(MinimaxChina, Submit, FaultKind::minimax_prompt_flagged()),
        Fault::new(
            MinimaxChina,
            Submit,
            FaultKind::MinimaxStatus {
                code: 2013,
                message: "invalid params, duration".into(),
            },
        ),
        Fault::new(
            MinimaxChina,
            Submit,
            FaultKind::Custom {
                status: 200,
                body: empty_task_id.into(),
            },
        ),
        // OpenRouter: a 429 asking for a second, moderation, a submit whose answer never comes;
        // 5xx with and without Retry-After, its own error shape, a proxy's page and a dropped
        // answer while checking; a dropped and a slow download; a 503 while testing the key.
        Fault::new(
            OpenRouter,
            Submit,
            FaultKind::TooManyRequests {
                retry_after_secs: Some(1),
            },
        ),
        Fault::new(
            OpenRouter,
            Submit,
            FaultKind::openrouter_moderation(&["violence"]),
        ),
        Fault::new(OpenRouter, Submit, FaultKind::AnswerLost { after: None }),
        Fault::new(
            OpenRouter,
            Query,
            FaultKind::ServerError {
                status: 502,
                retry_after_secs: None,
            },
        ),
        Fault::new(
            OpenRouter,
            Query,
            FaultKind::ServerError {
                status: 503,
                retry_after_secs: Some(1),
            },
        ),
        Fault::new(
            OpenRouter,
            Query,
            FaultKind::OpenRouterError {
                status: 502,
                message: "Provider returned error".into(),
                metadata: Some(json!({ "provider_name": "Minimax" })),
            },
        ),
        Fault::new(OpenRouter, Query, FaultKind::HtmlErrorPage { status: 502 }),
        Fault::new(OpenRouter, Query, FaultKind::DropAfter { bytes: 10 }),
        Fault::new(OpenRouter, Download, FaultKind::DropAfter { bytes: 20_000 }),
        Fault::new(
            OpenRouter,
            Download,
            FaultKind::Throttled {
                bytes_per_second: 20_000,
            },
        ),
        Fault::new(
            OpenRouter,
            Key,
            FaultKind::ServerError {
                status: 503,
                retry_after_secs: Some(1),
            },
        ),
        // LinkModel: a 429 without Retry-After; its own error code and then broken JSON on one
        // check, a slow answer on the next; a proxy's error page instead of the video.
        Fault::new(
            LinkModel,
            Submit,
            FaultKind::TooManyRequests {
                retry_after_secs: None,
            },
        ),
        Fault::new(
            LinkModel,
            Query,
            FaultKind::LinkModelCode {
                code: 503,
                msg: "service busy, please retry".into(),
            },
        ),
        Fault::new(LinkModel, Query, FaultKind::BrokenJson),
        Fault::new(
            LinkModel,
            Query,
            FaultKind::Slow {
                delay: Duration::from_millis(1500),
            },
        ),
        Fault::new(
            LinkModel,
            Download,
            FaultKind::HtmlErrorPage { status: 502 },
        ),
    ]
}

/// What each service's generations must come to, whichever met which fault.
fn expected_outcomes(service: Service) -> Vec<Outcome> {
    let mut outcomes = match service {
        Service::MinimaxGlobal => vec![Outcome::Video, Outcome::NoCredit, Outcome::Flagged],
        Service::MinimaxChina => vec![
            Outcome::Flagged,
            Outcome::SettingsRefused,
            Outcome::MayHaveBeenCharged,
        ],
        Service::OpenRouter => vec![
            Outcome::Video,
            Outcome::Flagged,
            Outcome::MayHaveBeenCharged,
        ],
        Service::LinkModel => vec![Outcome::Video],
    };
    outcomes.sort();
    outcomes
}

// ---------------------------------------------------------------------------------------------
// Driving the Create screen
// ---------------------------------------------------------------------------------------------

/// Makes one generation as a creator does: picks the service, types the prompt, clicks
/// Generate, and waits for its card in the queue.
async fn generate_from_the_create_screen(app: &App, service: Service, prompt: &str) {
    app.click(&format!("[data-testid='provider-{}']", service.id()))
        .await;
    app.run_js(
        "const box = document.querySelector('[data-testid=prompt]');
         box.value = '';
         box.dispatchEvent(new Event('input', { bubbles: true }));
         return null",
    )
    .await;
    app.client()
        .find(Locator::Css("[data-testid=prompt]"))
        .await
        .unwrap_or_else(|err| panic!("no prompt box: {err}"))
        .send_keys(prompt)
        .await
        .unwrap_or_else(|err| panic!("typing the prompt failed: {err}"));
    let quoted = json!(prompt);
    app.wait_for(
        &format!(
            "const b = document.querySelector('[data-testid=generate]');
             return document.querySelector('[data-testid=prompt]').value === {quoted}
                 && !b.disabled && b.textContent.startsWith('Generate ·')"
        ),
        &format!("Generate to be clickable for {prompt:?}"),
    )
    .await;
    app.click("[data-testid=generate]").await;
    app.wait_for(
        &format!(
            "return [...document.querySelectorAll('[data-testid=job] .gen-prompt')]
                 .some((p) => p.textContent === {quoted})
               || document.querySelector('[data-testid=generate-refused]') !== null"
        ),
        &format!("the card of {prompt:?}"),
    )
    .await;
    let refused = app
        .run_js(
            "return document.querySelector('[data-testid=generate-refused]')?.innerText ?? null",
        )
        .await;
    assert_eq!(refused, Value::Null, "Generate was refused for {prompt:?}");
}

/// Every card in the queue: id → (state, text). Panics when a generation has two cards.
async fn cards(app: &App) -> BTreeMap<String, (String, String)> {
    let answer = app
        .run_js(
            "return [...document.querySelectorAll('[data-testid=job]')]
                 .map((c) => [c.dataset.id, c.dataset.state, c.innerText])",
        )
        .await;
    let mut cards = BTreeMap::new();
    for card in answer.as_array().into_iter().flatten() {
        let text = |i: usize| card[i].as_str().unwrap_or_default().to_owned();
        if let Some((state, words)) = cards.insert(text(0), (text(1), text(2))) {
            panic!(
                "two cards for one generation: one says {state}:\n{words}\nthe other {}:\n{}",
                text(1),
                text(2)
            );
        }
    }
    cards
}

/// States after which nothing more happens by itself (an unknown outcome without a task id is
/// never sent again, so it stays as it is).
fn has_ended(state: &str) -> bool {
    matches!(state, "done" | "failed" | "cancelled" | "unknown")
}

/// Waits until `count` cards are in the queue and all of them have ended.
async fn wait_for_every_card_to_end(app: &App, emulator: &Emulator, count: usize) {
    let deadline = Instant::now() + DRILL_PATIENCE;
    loop {
        let shown = cards(app).await;
        if shown.len() >= count && shown.values().all(|(state, _)| has_ended(state)) {
            return;
        }
        if Instant::now() > deadline {
            let _ = app.try_screen("queue-stuck").await;
            panic!(
                "after {} s not every card had ended ({} faults never fired):\n{shown:#?}\n{}",
                DRILL_PATIENCE.as_secs(),
                emulator.pending_faults(),
                app.output()
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Ends the services' tasks as the drill needs them. MiniMax allows 5 requests a minute and the
/// app keeps to it, so each check finding a MiniMax task still running would cost a slot of
/// that minute: MiniMax's tasks end as soon as they exist (its first task is the one the
/// `TaskFails` fault planned to fail, the faults being served in order), and the drill's nine
/// MiniMax requests fit in two such minutes. OpenRouter's and LinkModel's tasks are held until
/// every generation has been made, so that they are all in flight together.
struct Release {
    stop: Arc<AtomicBool>,
    others: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Release {
    fn start(emulator: &Arc<Emulator>) -> Release {
        let stop = Arc::new(AtomicBool::new(false));
        let others = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn({
            let (emulator, stop, others) = (emulator.clone(), stop.clone(), others.clone());
            async move {
                let mut ended = std::collections::BTreeSet::new();
                while !stop.load(Ordering::Relaxed) {
                    let release_all = others.load(Ordering::Relaxed);
                    for (index, id) in emulator.task_ids(Service::MinimaxGlobal).iter().enumerate()
                    {
                        if index == 0 {
                            if ended.insert(id.clone()) {
                                // Failed with the reason its fault planned (1027).
                                emulator.set_task_status(id, TaskStatus::Failed);
                            }
                        } else if release_all && ended.insert(id.clone()) {
                            // Held with the others: MiniMax's pace (20 a minute) no longer keeps
                            // a video waiting for the next minute.
                            emulator.finish_task_now(id);
                        }
                    }
                    if release_all {
                        for service in [Service::OpenRouter, Service::LinkModel] {
                            for id in emulator.task_ids(service) {
                                if ended.insert(id.clone()) {
                                    emulator.finish_task_now(&id);
                                }
                            }
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        });
        Release { stop, others, task }
    }

    /// From now on MiniMax's, OpenRouter's and LinkModel's tasks end (succeed) too, new ones at
    /// once.
    fn the_others(&self) {
        self.others.store(true, Ordering::Relaxed);
    }

    async fn end(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.task.await;
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the library and the emulator
// ---------------------------------------------------------------------------------------------

/// Every generation record in the library folder, with its folder.
fn records(data_dir: &Path) -> Vec<(PathBuf, Generation)> {
    let library = data_dir.join("library");
    let entries = std::fs::read_dir(&library)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", library.display()));
    let mut found = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path().join("generation.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let generation: Generation = serde_json::from_str(&text)
            .unwrap_or_else(|err| panic!("{} is not a generation record: {err}", path.display()));
        found.push((entry.path(), generation));
    }
    found
}

fn submit_path(service: Service) -> &'static str {
    match service {
        Service::MinimaxGlobal | Service::MinimaxChina => "/v1/video_generation",
        Service::OpenRouter => "/api/v1/videos",
        Service::LinkModel => "/api/v1/video-generation",
    }
}

/// The submits `service` received, by prompt.
fn submits_by_prompt(emulator: &Emulator, service: Service) -> BTreeMap<String, usize> {
    let mut by_prompt = BTreeMap::new();
    for request in emulator.requests_to(service) {
        if request.method != "POST" || request.path != submit_path(service) {
            continue;
        }
        let prompt = request
            .body
            .as_ref()
            .and_then(|body| body["prompt"].as_str())
            .unwrap_or_default()
            .to_owned();
        *by_prompt.entry(prompt).or_default() += 1;
    }
    by_prompt
}

fn service_of(generation: &Generation) -> Service {
    let id = generation.request.provider.id();
    Service::ALL
        .into_iter()
        .find(|service| service.id() == id)
        .unwrap_or_else(|| panic!("no emulated service for {id}"))
}

/// The outcome class a generation's record and card show; panics on anything that is neither
/// a video nor an honest error.
fn outcome_of(generation: &Generation, state: &str, text: &str) -> Outcome {
    let kind = generation
        .error
        .as_ref()
        .map(|e| e.kind.as_str())
        .unwrap_or_default();
    match (generation.state, kind) {
        (GenerationState::Done, _) => {
            assert!(
                text.contains("Ready"),
                "a done card that does not say so: {text}"
            );
            Outcome::Video
        }
        (GenerationState::Failed, "no-credit") => {
            assert!(text.contains("no credit left"), "{text}");
            assert!(text.contains("Not charged"), "{text}");
            Outcome::NoCredit
        }
        (GenerationState::Failed, "prompt-flagged" | "video-flagged") => {
            assert!(text.contains("flagged"), "{text}");
            assert!(text.contains("Not charged"), "{text}");
            Outcome::Flagged
        }
        (GenerationState::Failed, "invalid-parameters") => {
            assert!(text.contains("refused these settings"), "{text}");
            assert!(text.contains("Not charged"), "{text}");
            Outcome::SettingsRefused
        }
        (GenerationState::Unknown, "submit-outcome-unknown") => {
            assert!(text.contains("may have been charged"), "{text}");
            assert!(
                generation.task_id.is_none(),
                "an unknown submit with a task id: {generation:?}"
            );
            Outcome::MayHaveBeenCharged
        }
        _ => panic!("neither a video nor an honest error (card {state}): {generation:?}\n{text}"),
    }
}

/// Text a creator should never see on a card: raw JSON or HTML, JavaScript's and Rust's
/// placeholders and debug output.
fn unreadable_bits(text: &str) -> Vec<&'static str> {
    [
        "{\"",
        "\":",
        "<html",
        "undefined",
        "null",
        "NaN",
        "[object",
        "Some(",
        "None",
        "::",
        "Error {",
        "\\n",
    ]
    .into_iter()
    .filter(|bit| text.contains(bit))
    .collect()
}

/// The video in `folder` is the file the emulator served, whole: same size and bytes, an MP4
/// that ffprobe reads as H.264 at the task's size.
async fn assert_complete_video(emulator: &Emulator, generation: &Generation, folder: &Path) {
    let task_id = generation.task_id.as_deref().unwrap_or_default();
    let served = served_video::assert_saved_as_served(emulator, task_id, folder).await;
    assert_eq!(
        generation.video.as_ref().map(|v| v.bytes),
        Some(served),
        "the record's video size"
    );
}

async fn wait_until(what: &str, patience: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + patience;
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "waited {} s for {what}",
            patience.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// The drill
// ---------------------------------------------------------------------------------------------

// The emulator serves from this test's runtime: its own workers keep it answering while the
// test waits on WebDriver.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_fault_list_leaves_every_generation_playable_or_honestly_failed() {
    let started = Instant::now();
    let emulator = Arc::new(
        Emulator::start(EmulatorConfig {
            timing: TaskTiming::Elapsed { per_stage: STAGE },
            ..EmulatorConfig::default()
        })
        .await
        .unwrap_or_else(|err| panic!("the emulator did not start: {err}")),
    );
    let release = Release::start(&emulator);
    let faults = the_fault_list();
    let fault_count = faults.len();
    for fault in faults {
        emulator.inject(fault);
    }

    let launch = App::launch(TEST).quick_polling().envs(emulator.env_vars());
    let app = launch.start().await;
    app.wait_ready().await;
    for service in [
        Service::MinimaxGlobal,
        Service::MinimaxChina,
        Service::OpenRouter,
        Service::LinkModel,
    ] {
        app.invoke(
            "save_key",
            json!({ "provider": service.id(), "key": emulator.key(service) }),
        )
        .await
        .unwrap_or_else(|err| panic!("the {} key was not saved: {err}", service.id()));
    }
    // The Create screen offers the services whose keys it found when it was drawn.
    app.run_js("location.reload(); return null").await;
    app.wait_ready().await;
    app.wait_for_element("[data-testid=create-screen]").await;

    // Ten generations from the Create screen, while the faults land.
    for planned in &PLAN {
        generate_from_the_create_screen(&app, planned.service, planned.prompt).await;
    }
    let submitted_after = started.elapsed();

    // Testing the OpenRouter key meanwhile meets a 503 asking for a second: the test tries
    // again once and the key is found working.
    app.click("[data-testid=settings]").await;
    app.click("[data-testid=test-openrouter]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=key-openrouter] [data-testid=key-verdict]') !== null",
        "the OpenRouter key's verdict",
    )
    .await;
    let verdict = app
        .run_js(
            "const v = document.querySelector('[data-testid=key-openrouter] [data-testid=key-verdict]');
             return [v.dataset.tone, v.innerText]",
        )
        .await;
    assert_eq!(
        verdict[0],
        json!("ok"),
        "the key test after a 503: {verdict}"
    );
    let key_checks = emulator
        .requests_to(Service::OpenRouter)
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/api/v1/key")
        .count();
    assert_eq!(key_checks, 2, "one 503, one retry");
    app.click("[data-testid=nav-create]").await;

    // The generations still at their services are all in flight now; then their tasks end.
    let in_flight = cards(&app)
        .await
        .values()
        .filter(|(state, _)| !has_ended(state))
        .count();
    // At least OpenRouter's, LinkModel's and MiniMax's held tasks: the drill's faults land on
    // generations running side by side.
    assert!(
        in_flight >= 3,
        "only {in_flight} generations in flight: {:#?}",
        cards(&app).await
    );
    release.the_others();
    wait_for_every_card_to_end(&app, &emulator, PLAN.len()).await;
    let drill_took = started.elapsed();
    assert_eq!(
        emulator.pending_faults(),
        0,
        "every fault of the {fault_count} fired"
    );
    app.screen("queue-after-the-drill").await;
    // The queue scrolled down its cards, errors and all, for a person to read.
    for shown in [3, 6, 9] {
        app.run_js(&format!(
            "document.querySelectorAll('[data-testid=job]')[{shown}]
                 ?.scrollIntoView({{ block: 'end' }}); return null"
        ))
        .await;
        app.screen(&format!("queue-down-to-card-{}", shown + 1))
            .await;
    }

    // Each generation: its record on disk and its card agree, and it is a video or an honest
    // error, as many of each per service as the fault list makes.
    let on_disk = records(&app.data_dir());
    assert_eq!(on_disk.len(), PLAN.len(), "one record per generation");
    let shown = cards(&app).await;
    let mut outcomes: BTreeMap<Service, Vec<Outcome>> = BTreeMap::new();
    let mut videos = Vec::new();
    for (folder, generation) in &on_disk {
        let planned = PLAN
            .iter()
            .find(|p| p.prompt == generation.request.prompt)
            .unwrap_or_else(|| panic!("a generation nobody asked for: {generation:?}"));
        assert_eq!(service_of(generation), planned.service);
        assert!(
            generation
                .history
                .iter()
                .any(|c| c.state == GenerationState::Submitting),
            "{} never reached its submit",
            planned.prompt
        );
        let (state, text) = shown
            .get(generation.id.as_str())
            .unwrap_or_else(|| panic!("no card for {}", planned.prompt));
        assert_eq!(
            json!(state),
            json!(generation.state),
            "the card and the record disagree for {}",
            planned.prompt
        );
        let unreadable = unreadable_bits(text);
        assert!(
            unreadable.is_empty(),
            "the card of {:?} shows {unreadable:?}:\n{text}",
            planned.prompt
        );
        let outcome = outcome_of(generation, state, text);
        if outcome == Outcome::Video {
            assert_complete_video(&emulator, generation, folder).await;
            videos.push(generation.clone());
        } else {
            assert!(
                !folder.join("video.mp4").exists(),
                "{}: a video beside an error",
                planned.prompt
            );
        }
        outcomes.entry(planned.service).or_default().push(outcome);
    }
    for (service, mut got) in outcomes {
        got.sort();
        assert_eq!(
            got,
            expected_outcomes(service),
            "the outcomes at {}",
            service.id()
        );
    }

    // No paid submit was sent twice: a prompt reached its service once, or twice when the
    // first try was refused before anything started (a 429 or MiniMax's 1002), as often as
    // such refusals were queued.
    for service in [
        Service::MinimaxGlobal,
        Service::MinimaxChina,
        Service::OpenRouter,
        Service::LinkModel,
    ] {
        let planned = PLAN.iter().filter(|p| p.service == service).count();
        let by_prompt = submits_by_prompt(&emulator, service);
        assert_eq!(by_prompt.len(), planned, "{}: {by_prompt:?}", service.id());
        assert!(
            by_prompt.values().all(|n| (1..=2).contains(n)),
            "{}: {by_prompt:?}",
            service.id()
        );
        let sent_again = by_prompt.values().filter(|n| **n == 2).count();
        assert_eq!(
            sent_again,
            refusals(service),
            "{}: submits per prompt {by_prompt:?}",
            service.id()
        );
        // Every task the service made belongs to one generation, but for the one whose answer
        // was lost: it was made, never heard of, and not made again.
        let known: Vec<&str> = on_disk
            .iter()
            .filter(|(_, g)| service_of(g) == service)
            .filter_map(|(_, g)| g.task_id.as_deref())
            .collect();
        let made = emulator.task_ids(service);
        let lost = usize::from(service == Service::OpenRouter);
        assert_eq!(
            made.len(),
            known.len() + lost,
            "{}: tasks {made:?}",
            service.id()
        );
        assert!(known.iter().all(|id| made.iter().any(|m| m == id)));
    }
    // Dozens of the quick pace's rounds later, nothing was sent again by itself.
    let before: usize = Service::ALL
        .iter()
        .map(|s| submits_by_prompt(&emulator, *s).values().sum::<usize>())
        .sum();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after: usize = Service::ALL
        .iter()
        .map(|s| submits_by_prompt(&emulator, *s).values().sum::<usize>())
        .sum();
    assert_eq!(before, after, "a submit was sent again after the drill");

    // One of the videos plays in the app's own player.
    let openrouter_video = videos
        .iter()
        .find(|g| service_of(g) == Service::OpenRouter)
        .unwrap_or_else(|| panic!("no OpenRouter video"));
    let width = emulator
        .task(openrouter_video.task_id.as_deref().unwrap_or_default())
        .map_or(0, |t| t.size.0);
    // A card is redrawn whenever news of its generation arrives; a click that lands on the old
    // element as it is replaced opens nothing, and a creator would click again.
    let open = format!(
        "[data-testid=job][data-id=\"{}\"] [data-testid=card-open]",
        openrouter_video.id.as_str()
    );
    for _ in 0..3 {
        app.click(&open).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        if app
            .run_js("return document.querySelector('[data-testid=player-video]') !== null")
            .await
            == json!(true)
        {
            break;
        }
    }
    app.wait_for(
        &format!(
            "const v = document.querySelector('[data-testid=player-video]');
             return v !== null && v.readyState >= 2 && v.videoWidth === {width} && v.currentTime > 0.3"
        ),
        "the video to play in the player (readyState ≥ 2, its width, time running)",
    )
    .await;
    app.screen("a-drill-video-playing").await;
    // The app's one player (the Library's) closes by its button and leaves nothing behind.
    app.click("[data-testid=player-close]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=player]') === null",
        "the player to close",
    )
    .await;

    // Still responsive: a command answers promptly, the Library and Settings open, and a new
    // generation with no faults left is made and saved.
    let asked = Instant::now();
    let status = app.invoke("app_status", json!({})).await;
    assert!(status.is_ok(), "app_status: {status:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "app_status took {:?}",
        asked.elapsed()
    );
    app.click("[data-testid=nav-library]").await;
    app.wait_for(
        &format!(
            "return document.querySelector('[data-testid=library-screen]') !== null
                && document.querySelectorAll('[data-testid=library-card]').length >= {}",
            videos.len()
        ),
        "the Library with the drill's videos",
    )
    .await;
    app.click("[data-testid=settings]").await;
    app.wait_for_element("[data-testid=settings-screen]").await;
    app.click("[data-testid=nav-create]").await;
    app.wait_for_element("[data-testid=create-screen]").await;
    let last = "After the drill: a swan glides on a still lake";
    generate_from_the_create_screen(&app, Service::OpenRouter, last).await;
    wait_until(
        "the new generation's record",
        Duration::from_secs(10),
        || {
            records(&app.data_dir())
                .iter()
                .any(|(_, g)| g.request.prompt == last)
        },
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let (folder, generation) = loop {
        let found = records(&app.data_dir())
            .into_iter()
            .find(|(_, g)| g.request.prompt == last);
        if let Some((folder, generation)) = found {
            if generation.state == GenerationState::Done {
                break (folder, generation);
            }
            assert!(
                Instant::now() < deadline,
                "the generation after the drill did not finish: {generation:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_complete_video(&emulator, &generation, &folder).await;
    assert_eq!(
        submits_by_prompt(&emulator, Service::OpenRouter).get(last),
        Some(&1)
    );
    app.wait_for(
        &format!(
            "return document.querySelector('[data-testid=job][data-id=\"{}\"]')?.dataset.state === 'done'",
            generation.id.as_str()
        ),
        "the new generation's card to say done",
    )
    .await;
    app.screen("after-the-drill").await;
    release.end().await;
    eprintln!(
        "fault drill: {fault_count} faults, {} generations ({in_flight} in flight at once after \
         the last was made); submitted after {:.1} s, all ended after {:.1} s, whole test {:.1} s",
        PLAN.len(),
        submitted_after.as_secs_f64(),
        drill_took.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    app.close().await;
}
