//! The Library in the real app: a seeded library of real MP4s, posters drawn by the webview, the
//! search, the player really playing, the last frame handed to Create, delete, and a
//! 10,000-generation library that scrolls with only a screenful of cards in the page.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use hailuo_core::generation::{FirstFrame, GenerationRequest, Model, Resolution};
use hailuo_core::library::{
    Generation, GenerationFailure, GenerationId, GenerationState, Library, VideoFile,
    LAST_FRAME_FILE, POSTER_FILE, RECORD_FILE, VIDEO_FILE,
};
use hailuo_core::Provider;
use hailuo_e2e::App;
use serde_json::{json, Value};
use time::macros::datetime;
use time::OffsetDateTime;

/// A real H.264 clip from ffmpeg: `source` for 3 s at 24 fps, its very last frame painted white
/// so a test can tell the last frame from any other.
fn make_clip(dir: &Path, name: &str, source: &str) -> PathBuf {
    let path = dir.join(name);
    let output = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("{source}=size=640x360:rate=24:duration=3"))
        .args([
            "-vf",
            "drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='eq(n,71)'",
        ])
        .args([
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
        ])
        .arg(&path)
        .output()
        .unwrap_or_else(|err| {
            panic!("ffmpeg is needed to make test videos (apt-get install ffmpeg): {err}")
        });
    assert!(
        output.status.success(),
        "ffmpeg failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    path
}

fn request(provider: Provider, prompt: &str, first_frame: Option<FirstFrame>) -> GenerationRequest {
    GenerationRequest {
        provider,
        model: Model::Hailuo23,
        prompt: prompt.into(),
        first_frame,
        duration: 6,
        resolution: Resolution::P768,
        prompt_optimizer: true,
        fast_pretreatment: false,
    }
}

/// Records a generation as the job runner leaves it: made at `at`, then `state`, with `clip`
/// as its video when there is one.
fn seed(
    library: &Library,
    request: &GenerationRequest,
    at: OffsetDateTime,
    state: GenerationState,
    clip: Option<&Path>,
) -> Generation {
    let estimate = hailuo_core::quote(request).expect("a priced request");
    let mut generation = library
        .create_at(request, &estimate, at)
        .expect("the record is written");
    let steps: &[GenerationState] = match state {
        GenerationState::Done => &[
            GenerationState::Queued,
            GenerationState::Running,
            GenerationState::Downloading,
            GenerationState::Done,
        ],
        GenerationState::Failed => &[GenerationState::Queued, GenerationState::Failed],
        _ => &[],
    };
    for next in steps {
        generation
            .advance(*next, at, None)
            .expect("an allowed change");
    }
    if state == GenerationState::Failed {
        generation.error = Some(GenerationFailure {
            kind: "moderated".into(),
            message: "The service refused this prompt.".into(),
            http_status: Some(200),
            provider_code: Some("1026".into()),
            provider_text: Some("input new_sensitive".into()),
        });
    }
    if let Some(clip) = clip {
        let folder = library.folder_of(&generation.id).expect("a folder");
        std::fs::copy(clip, folder.join(VIDEO_FILE)).expect("the video is copied in");
        generation.video = Some(VideoFile {
            file_name: VIDEO_FILE.into(),
            bytes: std::fs::metadata(clip).map(|m| m.len()).unwrap_or(0),
            width: Some(640),
            height: Some(360),
        });
    }
    library.save(&generation).expect("the record is saved");
    generation
}

/// Saves a key (no network) and reloads, so the app opens past the welcome screen with its tabs.
async fn past_onboarding(app: &App) {
    app.invoke(
        "save_key",
        json!({ "provider": "openrouter", "key": "sk-or-v1-e2e-library-test" }),
    )
    .await
    .expect("the key is saved");
    app.run_js("location.reload(); return null").await;
    app.wait_for(
        "return document.body.dataset.ready === 'true' && !document.querySelector('[data-view=library]').hidden",
        "the tabs after a key was saved",
    )
    .await;
}

async fn library_dir(app: &App) -> PathBuf {
    let status = app.invoke("app_status", json!({})).await.expect("a status");
    PathBuf::from(status["libraryDir"].as_str().expect("a library folder"))
}

async fn click(app: &App, css: &str) {
    app.client()
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("no {css} on the page: {err}"))
        .click()
        .await
        .unwrap_or_else(|err| panic!("{css} could not be clicked: {err}"));
}

async fn number(app: &App, script: &str) -> f64 {
    app.run_js(script)
        .await
        .as_f64()
        .unwrap_or_else(|| panic!("not a number from {script}"))
}

/// The player shows a 640-wide video and plays it: its time moves on.
async fn plays_in_the_player(app: &App) {
    app.wait_for(
        "const v = document.querySelector('[data-testid=player-video]');
         return v !== null && v.readyState >= 2 && v.videoWidth === 640 && !v.paused",
        "the player to show the video and play it",
    )
    .await;
    let time = "return document.querySelector('[data-testid=player-video]').currentTime";
    let before = number(app, time).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let after = number(app, time).await;
    assert!(
        after > before,
        "the video plays: currentTime went from {before} to {after}"
    );
}

/// Frame `n` of `clip` as ffmpeg decodes it, as a PNG beside the clip.
fn frame_of(clip: &Path, n: u32) -> PathBuf {
    let path = clip.with_extension(format!("frame{n}.png"));
    let output = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-i"])
        .arg(clip)
        .arg("-vf")
        .arg(format!("select=eq(n\\,{n})"))
        .args(["-frames:v", "1"])
        .arg(&path)
        .output()
        .expect("ffmpeg runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    path
}

/// How far apart two pictures look: the mean difference of their grey levels (0-255) at 64×36.
fn difference(a: &Path, b: &Path) -> f64 {
    let small = |path: &Path| {
        image::open(path)
            .unwrap_or_else(|err| panic!("{} is not a picture: {err}", path.display()))
            .resize_exact(64, 36, image::imageops::FilterType::Triangle)
            .to_luma8()
    };
    let (a, b) = (small(a), small(b));
    let total: u64 = a
        .pixels()
        .zip(b.pixels())
        .map(|(p, q)| u64::from(p.0[0].abs_diff(q.0[0])))
        .sum();
    total as f64 / (64.0 * 36.0)
}

/// Mean brightness (0-255) of a JPEG on disk, and its size.
fn brightness(path: &Path) -> (f64, u32, u32) {
    let picture = image::open(path)
        .unwrap_or_else(|err| panic!("{} is not a picture: {err}", path.display()))
        .to_luma8();
    let sum: u64 = picture.pixels().map(|p| u64::from(p.0[0])).sum();
    let mean = sum as f64 / f64::from(picture.width() * picture.height());
    (mean, picture.width(), picture.height())
}

#[tokio::test]
async fn the_library_finds_plays_and_hands_on_a_generation() {
    let app = App::launch("the_library_finds_plays_and_hands_on_a_generation")
        .start()
        .await;
    app.wait_ready().await;
    past_onboarding(&app).await;

    let clips = tempfile::tempdir().expect("a folder for clips");
    let lighthouse_clip = make_clip(clips.path(), "lighthouse.mp4", "testsrc");
    let boat_clip = make_clip(clips.path(), "boat.mp4", "testsrc2");
    let library = Library::open(library_dir(&app).await).expect("the app's library");
    let first_frame = FirstFrame::Picture {
        mime: "image/png".into(),
        bytes: std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../core/tests/fixtures/first-frame.png"
        ))
        .expect("the fixture picture"),
    };
    let lighthouse = seed(
        &library,
        &request(
            Provider::MinimaxGlobal,
            "A lighthouse at dusk, waves below",
            None,
        ),
        datetime!(2026-11-21 14:32 UTC),
        GenerationState::Done,
        Some(&lighthouse_clip),
    );
    let boat = seed(
        &library,
        &request(
            Provider::OpenRouter,
            "A paper boat on a puddle [Push in]",
            Some(first_frame),
        ),
        datetime!(2026-11-21 15:10 UTC),
        GenerationState::Done,
        Some(&boat_clip),
    );
    let refused = seed(
        &library,
        &request(Provider::LinkModel, "A kite over dunes", None),
        datetime!(2026-11-21 15:20 UTC),
        GenerationState::Failed,
        None,
    );

    let opened = Instant::now();
    click(&app, "[data-view=library]").await;
    app.wait_for(
        "return document.querySelectorAll('[data-testid=library-card]').length === 3",
        "three cards",
    )
    .await;
    let order = app
        .run_js("return [...document.querySelectorAll('[data-testid=library-card]')].map((c) => c.dataset.id)")
        .await;
    assert_eq!(
        order,
        json!([
            refused.id.as_str(),
            boat.id.as_str(),
            lighthouse.id.as_str()
        ]),
        "newest first"
    );

    // The webview draws each poster from the video and the app keeps it in the folder.
    app.wait_for(
        "return [...document.querySelectorAll('[data-testid=library-card][data-state=done] img')]
            .filter((img) => img.complete && img.naturalWidth === 640).length === 2",
        "both posters drawn from the videos",
    )
    .await;
    eprintln!(
        "2 posters drawn and saved in {} ms",
        opened.elapsed().as_millis()
    );
    for (generation, clip) in [(&lighthouse, &lighthouse_clip), (&boat, &boat_clip)] {
        let poster = library
            .folder_of(&generation.id)
            .expect("a folder")
            .join(POSTER_FILE);
        let (_, width, height) = brightness(&poster);
        assert_eq!((width, height), (640, 360));
        // The poster is taken one second in: frame 24 at 24 fps.
        let apart = difference(&poster, &frame_of(clip, 24));
        assert!(
            apart < 12.0,
            "the poster of {} should look like the video at 1 s, but is {apart} apart",
            clip.display()
        );
    }
    // Posters decode off the main thread: let them reach the screen before the screenshot.
    app.client()
        .execute_async(
            "const done = arguments[0];
             Promise.all([...document.querySelectorAll('.library-thumb img')].map((i) => i.decode()))
               .then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(null))));",
            vec![],
        )
        .await
        .expect("the posters decode");
    app.screen("gallery").await;

    let search = app
        .client()
        .find(Locator::Css("[data-testid=library-search]"))
        .await
        .expect("the search box");
    search.send_keys("LIGHTHOUSE waves").await.expect("typing");
    app.wait_for(
        "return document.querySelectorAll('[data-testid=library-card]').length === 1",
        "one card matching the search",
    )
    .await;
    let count = app
        .run_js("return document.querySelector('[data-testid=library-count]').textContent")
        .await;
    assert_eq!(count, json!("1 of 3 generations"));

    click(
        &app,
        &format!("[data-testid=library-card][data-id='{}']", lighthouse.id),
    )
    .await;
    plays_in_the_player(&app).await;
    let prompt = app
        .run_js("return document.querySelector('[data-testid=player-prompt]').textContent")
        .await;
    assert_eq!(prompt, json!("A lighthouse at dusk, waves below"));
    app.screen("player").await;

    // Pause, scrub, loop and mute drive the video itself.
    click(&app, "[data-testid=player-play]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=player-video]').paused",
        "the video to pause",
    )
    .await;
    app.run_js(
        "const scrub = document.querySelector('[data-testid=player-scrub]');
         scrub.value = '2.5'; scrub.dispatchEvent(new Event('input')); return null",
    )
    .await;
    app.wait_for(
        "return Math.abs(document.querySelector('[data-testid=player-video]').currentTime - 2.5) < 0.1",
        "the scrubber to move the video to 2.5 s",
    )
    .await;
    click(&app, "[data-testid=player-loop]").await;
    click(&app, "[data-testid=player-mute]").await;
    let looped = app
        .run_js("const v = document.querySelector('[data-testid=player-video]'); return [v.loop, v.muted]")
        .await;
    assert_eq!(looped, json!([true, true]));
    click(&app, "[data-testid=player-fullscreen]").await;
    app.wait_for(
        "return document.fullscreenElement?.classList.contains('player-stage') === true",
        "the player to go fullscreen",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    app.desktop_screen("player-fullscreen").await;
    click(&app, "[data-testid=player-fullscreen]").await;
    app.wait_for(
        "return document.fullscreenElement === null",
        "fullscreen to end",
    )
    .await;

    // The last frame goes to Create as the next first frame.
    app.run_js(
        "document.addEventListener('use-first-frame', (e) => { window.handedOver = e.detail; }); return null",
    )
    .await;
    click(&app, "[data-testid=player-last-frame]").await;
    app.wait_for(
        "return window.handedOver !== undefined",
        "the last frame to be handed over",
    )
    .await;
    let handed = app.run_js("return window.handedOver").await;
    let last_frame = PathBuf::from(handed["path"].as_str().expect("a path"));
    assert_eq!(
        last_frame,
        library
            .folder_of(&lighthouse.id)
            .expect("a folder")
            .join(LAST_FRAME_FILE)
    );
    let (mean, width, height) = brightness(&last_frame);
    assert_eq!((width, height), (640, 360));
    assert!(
        mean > 235.0,
        "the very last frame (painted white) was taken: brightness {mean}"
    );
    let current = app
        .run_js("return document.querySelector('[data-view=create]').getAttribute('aria-current')")
        .await;
    assert_eq!(
        current,
        json!("page"),
        "Create is shown to take the picture"
    );
    let inspected = app
        .invoke("inspect_first_frame", json!({ "path": last_frame }))
        .await
        .expect("Create can take the last frame as a first frame");
    assert_eq!(inspected["path"], json!(last_frame));

    // Remix carries the prompt, settings and the first frame's picture.
    click(&app, "[data-view=library]").await;
    app.wait_for(
        "return document.querySelectorAll('[data-testid=library-card]').length === 3",
        "the library again",
    )
    .await;
    app.run_js(
        "document.addEventListener('remix', (e) => { window.remixed = e.detail; }); return null",
    )
    .await;
    click(
        &app,
        &format!("[data-testid=library-card][data-id='{}']", boat.id),
    )
    .await;
    click(&app, "[data-testid=player-remix]").await;
    app.wait_for("return window.remixed !== undefined", "the remix event")
        .await;
    let remixed = app.run_js("return window.remixed").await;
    assert_eq!(
        remixed["request"]["prompt"],
        json!("A paper boat on a puddle [Push in]")
    );
    assert_eq!(remixed["request"]["provider"], json!("openrouter"));
    let picture = PathBuf::from(remixed["firstFramePath"].as_str().expect("a picture path"));
    assert!(picture.is_file(), "{}", picture.display());
    assert!(
        app.run_js("return document.querySelector('[data-testid=player]') === null")
            .await
            == json!(true)
    );

    // Delete, with confirmation, to the trash.
    click(&app, "[data-view=library]").await;
    app.wait_for(
        "return document.querySelectorAll('[data-testid=library-card]').length === 3",
        "the library again",
    )
    .await;
    let refused_folder = library.folder_of(&refused.id).expect("a folder");
    let refused_card = format!("[data-testid=library-card][data-id='{}']", refused.id);
    click(&app, &refused_card).await;
    app.client()
        .active_element()
        .await
        .expect("the focused control")
        .send_keys(&fantoccini::key::Key::Escape.to_string())
        .await
        .expect("pressing Escape");
    app.wait_for(
        "return document.querySelector('[data-testid=player]') === null",
        "Escape to close the player",
    )
    .await;
    click(&app, &refused_card).await;
    // The cause in front; the provider's own words one click away, under "Details".
    let failure = app.text().await;
    assert!(
        !failure.contains("input new_sensitive"),
        "the provider's words are not in front: {failure}"
    );
    click(&app, ".player-failure details summary").await;
    let failure = app.text().await;
    assert!(
        failure.contains("input new_sensitive"),
        "the provider's words are under Details: {failure}"
    );
    assert!(
        failure.contains("Not charged") && !failure.contains("Quoted"),
        "a refused video reads Not charged, with no price beside it: {failure}"
    );
    click(&app, "[data-testid=player-delete]").await;
    assert!(
        refused_folder.is_dir(),
        "nothing is deleted before the creator confirms"
    );
    click(&app, "[data-testid=player-delete-confirm]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=player]') === null
            && document.querySelectorAll('[data-testid=library-card]').length === 2",
        "the deleted generation to leave the library",
    )
    .await;
    assert!(!refused_folder.exists(), "the folder went to the trash");
    app.close().await;
}

/// 10,000 records, written as the app writes them but without a sync per file.
fn seed_many(root: &Path, count: usize) -> Vec<GenerationId> {
    let library = Library::open(root).expect("a library");
    let template = seed(
        &library,
        &request(Provider::MinimaxGlobal, "template", None),
        datetime!(2026-01-01 00:00 UTC),
        GenerationState::Done,
        None,
    );
    let template_folder = library.folder_of(&template.id).expect("a folder");
    std::fs::remove_dir_all(template_folder).expect("the template goes");
    let start = datetime!(2026-11-21 12:00 UTC);
    (0..count)
        .map(|i| {
            let mut generation = template.clone();
            generation.id = GenerationId::new();
            generation.request.prompt = format!("Clip {i:05}: a lighthouse, take {i}");
            generation.created_at = start - time::Duration::minutes(i as i64);
            generation.updated_at = generation.created_at;
            let folder = root.join(format!("gen-{i:05}"));
            std::fs::create_dir(&folder).expect("a folder");
            let json = serde_json::to_vec(&generation).expect("json");
            std::fs::write(folder.join(RECORD_FILE), json).expect("a record");
            generation.id
        })
        .collect()
}

#[tokio::test]
async fn ten_thousand_generations_scroll_with_a_screenful_of_cards() {
    let app = App::launch("ten_thousand_generations_scroll_with_a_screenful_of_cards")
        .start()
        .await;
    app.wait_ready().await;
    past_onboarding(&app).await;
    let ids = seed_many(&library_dir(&app).await, 10_000);

    let opened = Instant::now();
    click(&app, "[data-view=library]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=library-count]')?.dataset.total === '10000'
            && document.querySelectorAll('[data-testid=library-card]').length > 0",
        "the 10,000 generations to be listed",
    )
    .await;
    let open_ms = opened.elapsed().as_millis();
    let cards = number(
        &app,
        "return document.querySelectorAll('[data-testid=library-card]').length",
    )
    .await;
    assert!(
        cards > 4.0 && cards < 100.0,
        "{cards} cards in the page for 10,000 generations"
    );
    let first = app
        .run_js("return document.querySelector('[data-testid=library-card]').dataset.id")
        .await;
    assert_eq!(first, json!(ids[0].as_str()), "newest first");

    let idle = app
        .client()
        .execute_async(
            "const done = arguments[0]; const t0 = performance.now(); let n = 0;
             function f() { n += 1; if (n === 10) done(performance.now() - t0); else requestAnimationFrame(f); }
             requestAnimationFrame(f);",
            vec![],
        )
        .await
        .expect("idle frames");
    eprintln!("10 idle frames: {idle} ms");
    // Scroll through the whole grid, a step per frame, timing each frame's work.
    let scrolled = app
        .client()
        .execute_async(
            "const done = arguments[0];
             // Time the script work of every frame (the grid's drawing runs in a frame callback).
             const raf = window.requestAnimationFrame.bind(window);
             let worstWork = 0, work = 0;
             window.requestAnimationFrame = (callback) => raf((t) => {
               const begun = performance.now();
               callback(t);
               const took = performance.now() - begun;
               work += took;
               worstWork = Math.max(worstWork, took);
             });
             const scroller = document.querySelector('.library-scroller');
             const steps = 30;
             const most = scroller.scrollHeight - scroller.clientHeight;
             let step = 0, maxCards = 0, worst = 0, last = performance.now();
             const started = last;
             function next() {
               const now = performance.now();
               worst = Math.max(worst, now - last);
               last = now;
               maxCards = Math.max(maxCards, document.querySelectorAll('[data-testid=library-card]').length);
               if (step > steps) {
                 window.requestAnimationFrame = raf;
                 done({ maxCards, worstFrameMs: worst, worstScriptMs: worstWork, scriptMs: work, totalMs: now - started, scrollHeight: scroller.scrollHeight });
                 return;
               }
               scroller.scrollTop = Math.round(most * step / steps);
               step += 1;
               requestAnimationFrame(() => requestAnimationFrame(next));
             }
             next();",
            vec![],
        )
        .await
        .expect("the scroll script");
    eprintln!("10,000 generations: listed and drawn in {open_ms} ms; scroll: {scrolled}");
    let max_cards = scrolled["maxCards"].as_f64().expect("a count");
    assert!(
        max_cards < 100.0,
        "at most a screenful of cards while scrolling: {max_cards}"
    );
    // Drawing a whole new screenful of cards is a few milliseconds of script (tens on a busy
    // machine); the frame itself is mostly the renderer's, see the idle frames above.
    let worst_script = scrolled["worstScriptMs"].as_f64().expect("a time");
    assert!(
        worst_script < 250.0,
        "a frame's script took {worst_script} ms"
    );
    let at_end = app
        .run_js("return [...document.querySelectorAll('[data-testid=library-card]')].map((c) => c.dataset.id)")
        .await;
    assert!(
        at_end
            .as_array()
            .expect("ids")
            .contains(&Value::from(ids[9_999].as_str())),
        "the oldest generation is drawn at the end of the grid"
    );
    app.screen("ten-thousand-end").await;

    // A search narrows 10,000 to one at once.
    app.client()
        .find(Locator::Css("[data-testid=library-search]"))
        .await
        .expect("the search box")
        .send_keys("take 4242")
        .await
        .expect("typing");
    app.wait_for(
        "return document.querySelectorAll('[data-testid=library-card]').length === 1",
        "one card for 'take 4242'",
    )
    .await;
    let found = app
        .run_js("return document.querySelector('[data-testid=library-card]').dataset.id")
        .await;
    assert_eq!(found, json!(ids[4242].as_str()));
    app.close().await;
}

// The emulator serves from this test's runtime: its own workers keep it answering while the
// test waits on WebDriver.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_library_shows_a_generation_finish_without_being_opened_again() {
    use hailuo_emulator::{Emulator, EmulatorConfig, Service, TaskTiming};

    // Slow stages: the test says when the video is ready.
    let emulator = Emulator::start(EmulatorConfig {
        timing: TaskTiming::Elapsed {
            per_stage: Duration::from_secs(600),
        },
        ..EmulatorConfig::default()
    })
    .await
    .expect("the emulator starts");
    let launch =
        App::launch("an_open_library_shows_a_generation_finish_without_being_opened_again")
            .quick_polling()
            .envs(emulator.env_vars());
    let app = launch.start().await;
    app.wait_ready().await;
    app.invoke(
        "save_key",
        json!({ "provider": "openrouter", "key": "sk-or-v1-emulator-openrouter-key" }),
    )
    .await
    .expect("the key is saved");
    app.run_js("location.reload(); return null").await;
    app.wait_ready().await;
    // The Create screen is drawn once the app answered: a click before that is undone by it.
    app.wait_for_element("[data-testid=create-screen]").await;

    let card = app
        .invoke(
            "start_generation",
            json!({ "request": {
                "provider": "openrouter", "model": "hailuo-2.3", "duration": 6,
                "resolution": "768P", "prompt": "Fireflies over a summer meadow at night"
            }}),
        )
        .await
        .expect("the generation starts");
    let id = card["id"].as_str().expect("a generation id").to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    while emulator.task_ids(Service::OpenRouter).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the submit never reached OpenRouter"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    click(&app, "[data-view=library]").await;
    let listed = format!(
        "const card = document.querySelector('[data-testid=library-card][data-id=\"{id}\"]');
         return card !== null && card.dataset.state"
    );
    app.wait_for(
        &format!("const s = (() => {{ {listed} }})(); return s === 'queued' || s === 'running'"),
        "the generation in the Library, still being made",
    )
    .await;

    // The video is made while the creator looks at the Library: its card turns into a video
    // with a poster, in place, without leaving the screen.
    let task = emulator.task_ids(Service::OpenRouter)[0].clone();
    assert!(emulator.finish_task_now(&task));
    app.wait_for(
        &format!("return (() => {{ {listed} }})() === 'done'"),
        "the Library card to say the video is ready",
    )
    .await;
    app.wait_for(
        &format!(
            "const img = document.querySelector('[data-testid=library-card][data-id=\"{id}\"] img');
             return img !== null && img.complete && img.naturalWidth > 0"
        ),
        "the finished video's poster on its card",
    )
    .await;
    assert_eq!(
        app.run_js("return document.querySelector('[data-testid=library-count]').dataset.total")
            .await,
        json!("1"),
        "listed once, not once per change"
    );
    assert_eq!(emulator.submits(Service::OpenRouter), 1);
    app.screen("library-live-finish").await;
    app.close().await;
}

#[tokio::test]
async fn with_the_renderer_a_creator_gets_the_window_draws_and_a_video_plays() {
    let app = App::launch("with_the_renderer_a_creator_gets_the_window_draws_and_a_video_plays")
        .with_the_shipped_renderer()
        .start()
        .await;
    app.wait_ready().await;
    past_onboarding(&app).await;

    // Which renderer the app chose, as Copy diagnostics tells a supporter.
    let gpu = std::fs::read_dir("/dev/dri")
        .map(|nodes| {
            nodes
                .filter_map(Result::ok)
                .any(|n| n.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false);
    let report = app
        .invoke("copy_diagnostics", json!({}))
        .await
        .expect("copy_diagnostics answers");
    let expected = if gpu {
        "Web view renderer: DMA-BUF\n"
    } else {
        "Web view renderer: DMA-BUF off\n"
    };
    assert!(
        report.as_str().expect("text").contains(expected),
        "{report}"
    );

    let clips = tempfile::tempdir().expect("a folder for clips");
    let clip = make_clip(clips.path(), "meadow.mp4", "testsrc");
    let library = Library::open(library_dir(&app).await).expect("the app's library");
    let meadow = seed(
        &library,
        &request(Provider::OpenRouter, "A meadow under moving clouds", None),
        datetime!(2026-11-21 16:00 UTC),
        GenerationState::Done,
        Some(&clip),
    );
    click(&app, "[data-view=library]").await;
    app.click(&format!(
        "[data-testid=library-card][data-id='{}']",
        meadow.id
    ))
    .await;
    plays_in_the_player(&app).await;
    // X's own capture of the screen: the window is there and drawn (WebDriver's screenshot
    // does not answer under this renderer).
    app.desktop_screen("player").await;
    app.close().await;
}

/// A library folder chosen in Settings is the one in use from the next start, and Settings says
/// so meanwhile: until then, new videos still go to the folder opened at start.
#[tokio::test]
async fn a_library_folder_chosen_in_settings_is_used_from_the_next_start() {
    let app = App::launch("a_library_folder_chosen_in_settings_is_used_from_the_next_start")
        .start()
        .await;
    app.wait_ready().await;
    past_onboarding(&app).await;
    let first = library_dir(&app).await;

    // What the folder picker ends in (the picker itself is the OS's dialog).
    let chosen = app.data_dir().join("Bigger disk");
    let mut settings = app
        .invoke("get_settings", json!({}))
        .await
        .expect("the settings");
    settings["libraryDir"] = json!(chosen.display().to_string());
    app.invoke("update_settings", json!({ "settings": settings }))
        .await
        .expect("the new folder is saved");
    assert_eq!(
        library_dir(&app).await,
        first,
        "in use until the next start"
    );

    click(&app, "[data-testid=settings]").await;
    app.wait_for_element("[data-testid=library-pending] [data-testid=restart-app]")
        .await;
    let pending = app
        .run_js("return document.querySelector('[data-testid=library-pending]').textContent")
        .await;
    let pending = pending.as_str().expect("text");
    assert!(pending.contains("when it next starts"), "{pending}");
    assert!(
        pending.contains(&format!("still saved in {}", first.display())),
        "{pending}"
    );
    app.run_js("document.querySelector('[data-testid=library]').scrollIntoView(); return null")
        .await;
    app.screen("settings-library-pending").await;

    // Restart now: a new process, which takes the chosen folder (its lock note names it).
    let before = app.app_pid().expect("the app runs");
    // Clicked from the page after WebDriver's answer: the app is gone before a WebDriver click
    // could be answered.
    app.run_js(
        "setTimeout(() => document.querySelector('[data-testid=restart-app]').click(), 100);
         return null",
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let restarted = loop {
        let holder = std::fs::read_to_string(chosen.join(hailuo_core::library::LOCK_FILE))
            .ok()
            .and_then(|note| serde_json::from_str::<Value>(&note).ok());
        if let Some(pid) = holder.and_then(|h| h["processId"].as_i64()) {
            break pid;
        }
        assert!(
            Instant::now() < deadline,
            "the restarted app never took {}",
            chosen.display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_ne!(
        restarted,
        i64::from(before),
        "a new process took the library"
    );
    assert_eq!(app.app_pid().map(i64::from), Some(restarted));
    app.kill_app();

    // WebDriver drives the next start again.
    let app = app.relaunch().await;
    app.wait_ready().await;
    assert_eq!(library_dir(&app).await, chosen);
    click(&app, "[data-testid=settings]").await;
    app.wait_for_element("[data-testid=library-path]").await;
    assert_eq!(
        app.run_js(
            "return [document.querySelector('[data-testid=library-path]').textContent,
                     document.querySelector('[data-testid=library-pending]').childElementCount]"
        )
        .await,
        json!([chosen.display().to_string(), 0]),
        "the chosen folder is in use, and nothing is pending"
    );
    app.close().await;
}
