//! A creator's first hour across screens: a key added in Settings reaches Create at once, a
//! mistyped replacement never overwrites a working key, a key that cannot pay says so, chips
//! keep the keyboard's place, and every screen passes axe-core and the layout checks at the
//! smallest and a common window, light and dark.

use std::path::PathBuf;

use hailuo_e2e::App;
use hailuo_emulator::{Emulator, EmulatorConfig, Service};
use serde_json::json;

const OPENROUTER_KEY: &str = "sk-or-v1-emulator-openrouter-key";
const MINIMAX_KEY: &str = "emulator-minimax-global-key";

async fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start(config)
        .await
        .unwrap_or_else(|err| panic!("the emulator did not start: {err}"))
}

async fn launch(emulator: &Emulator, test: &str) -> App {
    let app = App::launch(test)
        .quick_polling()
        .envs(emulator.env_vars())
        .start()
        .await;
    app.wait_ready().await;
    app
}

/// Saves a MiniMax key behind the UI's back and reloads: the studio opens on Create.
async fn with_minimax_key(app: &App) {
    app.invoke(
        "save_key",
        json!({ "provider": "minimax-global", "key": MINIMAX_KEY }),
    )
    .await
    .unwrap_or_else(|err| panic!("the key was not saved: {err}"));
    app.run_js("location.reload(); return null").await;
    app.wait_ready().await;
    app.wait_for_element("[data-testid=create-screen]").await;
}

async fn text_of(app: &App, css: &str) -> String {
    app.run_js(&format!(
        "const e = document.querySelector({}); return e ? e.innerText : ''",
        json!(css)
    ))
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

async fn generate_disabled(app: &App) -> bool {
    app.run_js("return document.querySelector('[data-testid=generate]').disabled")
        .await
        == json!(true)
}

/// Types a prompt and waits for its price, so Generate's state means something.
async fn write_prompt(app: &App, prompt: &str) {
    app.type_into("[data-testid=prompt]", prompt).await;
    app.wait_for(
        "return document.querySelector('[data-testid=generate]').textContent.includes('$')",
        "the price on Generate",
    )
    .await;
}

async fn add_key_in_settings(app: &App, provider: &str, key: &str, action: &str) {
    app.click("[data-testid=settings]").await;
    app.click(&format!("[data-testid={action}-{provider}]"))
        .await;
    app.type_into(&format!("[data-testid=key-input-{provider}-input]"), key)
        .await;
    app.click(&format!("[data-testid=save-{provider}]")).await;
    app.wait_for_element(&format!(
        "[data-testid=key-{provider}] [data-testid=key-verdict]"
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_added_in_settings_lets_create_generate_at_once_without_a_restart() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let app = launch(
        &emulator,
        "a_key_added_in_settings_lets_create_generate_at_once_without_a_restart",
    )
    .await;
    with_minimax_key(&app).await;

    app.click("[data-testid=provider-openrouter]").await;
    write_prompt(&app, "A red kite over a green hill").await;
    let warning = text_of(&app, ".checkout-warning").await;
    assert!(
        warning.contains("Add an OpenRouter key in Settings"),
        "the warning without a key: {warning:?}"
    );
    assert!(generate_disabled(&app).await, "Generate without a key");
    app.screen("create-without-openrouter-key").await;

    add_key_in_settings(&app, "openrouter", OPENROUTER_KEY, "add").await;
    let verdict = text_of(
        &app,
        "[data-testid=key-openrouter] [data-testid=key-verdict]",
    )
    .await;
    assert!(verdict.starts_with("Works"), "{verdict}");

    app.click("[data-testid=nav-create]").await;
    app.wait_for(
        "return document.querySelector(\"[data-testid='provider-openrouter']\")?.getAttribute('aria-checked') === 'true'
            && !document.querySelector('[data-testid=generate]').disabled",
        "Create to offer OpenRouter's Generate at once",
    )
    .await;
    let warning = text_of(&app, ".checkout-warning").await;
    assert!(!warning.contains("Add an"), "{warning:?}");
    app.screen("create-with-openrouter-key").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mistyped_replacement_key_leaves_the_working_key_in_place() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let app = launch(
        &emulator,
        "a_mistyped_replacement_key_leaves_the_working_key_in_place",
    )
    .await;
    with_minimax_key(&app).await;
    add_key_in_settings(&app, "openrouter", OPENROUTER_KEY, "add").await;

    app.click("[data-testid=replace-openrouter]").await;
    app.type_into(
        "[data-testid=key-input-openrouter-input]",
        "sk-or-v1-a-typo-0000",
    )
    .await;
    app.click("[data-testid=save-openrouter]").await;
    app.wait_for_element("[data-testid=key-openrouter] [data-testid=key-kept]")
        .await;
    let row = text_of(&app, "[data-testid=key-openrouter]").await;
    assert!(row.contains("Not accepted"), "{row}");
    assert!(
        row.contains(&format!(
            "ends in …{}",
            &OPENROUTER_KEY[OPENROUTER_KEY.len() - 4..]
        )),
        "the working key is still the one described: {row}"
    );
    assert!(
        !row.contains("0000"),
        "the typo was described as saved: {row}"
    );
    app.screen("settings-typo-refused").await;

    // Test: the key sent is still the working one.
    emulator.clear_requests();
    app.click("[data-testid=test-openrouter]").await;
    app.wait_for(
        "const v = document.querySelector('[data-testid=key-openrouter] [data-testid=key-verdict]');
         return v !== null && v.dataset.tone === 'ok'",
        "the kept key to work",
    )
    .await;
    let bearers: Vec<_> = emulator
        .requests_to(Service::OpenRouter)
        .iter()
        .filter(|r| r.path == "/api/v1/key")
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(bearers, vec![Some(format!("Bearer {OPENROUTER_KEY}"))]);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_openrouter_key_with_nothing_left_reads_no_credit_left_and_create_warns() {
    let emulator = emulator(EmulatorConfig {
        openrouter_credit_limit: Some(0.0),
        ..EmulatorConfig::default()
    })
    .await;
    let app = launch(
        &emulator,
        "an_openrouter_key_with_nothing_left_reads_no_credit_left_and_create_warns",
    )
    .await;
    app.click("[data-testid=choose-openrouter]").await;
    app.type_into("[data-testid=onboarding-key-input]", OPENROUTER_KEY)
        .await;
    app.click("[data-testid=test-key]").await;
    app.wait_for_element("[data-testid=onboarding-done]").await;
    let verdict = app
        .run_js(
            "const v = document.querySelector('[data-testid=key-verdict]');
             return [v.dataset.tone, v.innerText]",
        )
        .await;
    assert_eq!(verdict[0], json!("warn"), "{verdict}");
    let words = verdict[1].as_str().unwrap_or_default();
    assert!(words.starts_with("No credit left"), "{words}");
    assert!(!words.contains("Works"), "{words}");
    app.wait_for_element("[data-testid=open-billing-openrouter]")
        .await;
    app.screen("onboarding-no-credit").await;

    app.click("[data-testid=onboarding-finish]").await;
    app.wait_for_element("[data-testid=create-screen]").await;
    write_prompt(&app, "A lantern on a dark lake").await;
    let warning = text_of(&app, ".checkout-warning").await;
    assert!(warning.contains("no credit left"), "{warning:?}");
    app.screen("create-no-credit").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choosing_a_chip_keeps_focus_on_it_and_the_arrow_keys_move_within_its_group() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let app = launch(
        &emulator,
        "choosing_a_chip_keeps_focus_on_it_and_the_arrow_keys_move_within_its_group",
    )
    .await;
    with_minimax_key(&app).await;
    write_prompt(&app, "A fox in the snow").await;

    app.click("[data-testid=duration-10]").await;
    app.wait_for(
        "const b = document.querySelector('[data-testid=duration-10]');
         return b.getAttribute('aria-checked') === 'true' && document.activeElement === b",
        "the chosen Length chip to keep focus after the controls are drawn again",
    )
    .await;
    // The arrow goes back to 6 s, choosing it and moving focus with it.
    app.run_js(
        "document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true })); return null",
    )
    .await;
    app.wait_for(
        "const b = document.querySelector('[data-testid=duration-6]');
         return b.getAttribute('aria-checked') === 'true' && document.activeElement === b",
        "ArrowLeft to choose 6 s and keep focus on it",
    )
    .await;
    // One Tab stop per group: only the chosen chip is in the Tab order.
    let stops = app
        .run_js(
            "return [...document.querySelectorAll('[role=radiogroup]')].map((g) =>
               [...g.querySelectorAll('[role=radio]')].filter((r) => r.tabIndex === 0).length)",
        )
        .await;
    assert!(
        stops
            .as_array()
            .is_some_and(|groups| groups.iter().all(|n| n == &json!(1))),
        "{stops}"
    );
    app.close().await;
}

// ---------------------------------------------------------------------------------------------
// axe-core and layout on every screen

/// axe-core's minified source, installed from npm by scripts/lib/install.sh (never in ui/).
fn axe_source() -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "..",
        "node_modules",
        "axe-core",
        "axe.min.js",
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "axe-core is needed at {} (npm install; scripts/lib/install.sh does it): {err}",
            path.display()
        )
    })
}

/// Runs axe-core on the page as it is; answers each violation as `rule: target (summary)`.
async fn axe_violations(app: &App, axe: &str) -> Vec<String> {
    let loaded = app
        .run_js(&format!(
            "if (!window.axe) {{ {axe}\n }} return typeof window.axe"
        ))
        .await;
    assert_eq!(loaded, json!("object"), "axe-core did not load");
    let found = app
        .client()
        .execute_async(
            "const done = arguments[0];
             window.axe.run(document, { resultTypes: ['violations'] }).then(
               (r) => done(r.violations.flatMap((v) => v.nodes.map((n) =>
                 `${v.id}: ${n.target.join(' ')} (${(n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 160)})`))),
               (e) => done([`axe failed: ${e}`]));",
            vec![],
        )
        .await
        .unwrap_or_else(|err| panic!("axe-core could not run: {err}"));
    found
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Layout defects the eye misses: anything wider than the window, text cut mid-line (content
/// overflowing its box with no ellipsis), and anything left of a closed player.
async fn layout_problems(app: &App) -> Vec<String> {
    let found = app
        .run_js(
            "const problems = [];
             const width = document.documentElement.clientWidth;
             const name = (e) => `${e.tagName.toLowerCase()}${e.dataset.testid ? `[${e.dataset.testid}]` : ''}.${String(e.className).split(' ')[0]}`;
             for (const e of document.querySelectorAll('body *')) {
               if (!e.getClientRects().length) continue;
               const box = e.getBoundingClientRect();
               // Words for screen readers only (.visually-hidden) are clipped to 1 px on purpose.
               if (box.width <= 1 && box.height <= 1) continue;
               if (box.right > width + 1 && getComputedStyle(e).position !== 'fixed') problems.push(`wider than the window: ${name(e)} ${Math.round(box.right)}px`);
               const style = getComputedStyle(e);
               const clips = style.overflowX === 'hidden' || style.overflowY === 'hidden';
               const text = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
               if (clips && text && style.textOverflow !== 'ellipsis' && style.webkitLineClamp === 'none'
                   && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)) {
                 problems.push(`text cut off: ${name(e)} \"${e.textContent.trim().slice(0, 40)}\"`);
               }
             }
             if (!document.querySelector('.player-backdrop') && document.querySelector('dialog, [data-testid=player], [data-testid=player-video]')) {
               problems.push('something of a closed player is still in the page');
             }
             return problems;",
        )
        .await;
    found
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn size_window(app: &App, (width, height): (u32, u32)) {
    app.client()
        .set_window_size(width, height)
        .await
        .unwrap_or_else(|err| panic!("the window could not be sized {width}×{height}: {err}"));
    app.wait_for(
        &format!("return window.innerWidth === {width} && window.innerHeight === {height}"),
        &format!("the page to be {width}×{height}"),
    )
    .await;
}

async fn check_screen(app: &App, axe: &str, shot: &str, problems: &mut Vec<String>) {
    app.screen(shot).await;
    for violation in axe_violations(app, axe).await {
        problems.push(format!("{shot}: axe {violation}"));
    }
    for problem in layout_problems(app).await {
        problems.push(format!("{shot}: {problem}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_passes_axe_core_and_the_layout_checks_at_both_sizes_light_and_dark() {
    let axe = axe_source();
    let emulator = emulator(EmulatorConfig::default()).await;
    let app = launch(
        &emulator,
        "every_screen_passes_axe_core_and_the_layout_checks_at_both_sizes_light_and_dark",
    )
    .await;
    let mut problems = Vec::new();
    let sizes = [(900, 600), (1280, 800)];
    let themes = ["light", "dark"];
    app.wait_for_element("[data-testid=welcome]").await;
    for size in sizes {
        size_window(&app, size).await;
        for theme in themes {
            app.run_js(&format!(
                "document.documentElement.dataset.theme = '{theme}'; return null"
            ))
            .await;
            check_screen(
                &app,
                &axe,
                &format!("a11y-welcome-{}x{}-{theme}", size.0, size.1),
                &mut problems,
            )
            .await;
        }
    }
    app.click("[data-testid=choose-openrouter]").await;
    app.wait_for_element("[data-testid=key-step]").await;
    check_screen(&app, &axe, "a11y-key-step", &mut problems).await;

    with_minimax_key(&app).await;
    write_prompt(
        &app,
        "A paper boat drifts down a rainy street [Tracking shot]",
    )
    .await;
    app.click("[data-testid=generate]").await;
    app.wait_for_element("[data-testid=job]").await;

    for size in sizes {
        size_window(&app, size).await;
        for theme in themes {
            app.run_js(&format!(
                "document.documentElement.dataset.theme = '{theme}'; return null"
            ))
            .await;
            let tag = format!("{}x{}-{theme}", size.0, size.1);
            app.click("[data-testid=nav-create]").await;
            app.wait_for_element("[data-testid=cost-preview]").await;
            check_screen(&app, &axe, &format!("a11y-create-{tag}"), &mut problems).await;
            if size == (900, 600) {
                let hidden = app
                    .run_js(
                        "const h = window.innerHeight;
                         return ['[data-testid=prompt]', '[role=radiogroup]:has([data-testid^=duration-])',
                                 '[role=radiogroup]:has([data-testid^=resolution-])', '[data-testid=cost-preview]',
                                 '[data-testid=generate]']
                           .filter((css) => { const e = document.querySelector(css);
                                              return !e || e.getBoundingClientRect().bottom > h; });",
                    )
                    .await;
                if hidden != json!([]) {
                    problems.push(format!(
                        "a11y-create-{tag}: below the fold at 900×600: {hidden}"
                    ));
                }
            }
            app.click("[data-testid=nav-library]").await;
            app.wait_for_element("[data-testid=library-card]").await;
            check_screen(&app, &axe, &format!("a11y-library-{tag}"), &mut problems).await;
            app.click("[data-testid=nav-spending]").await;
            app.wait_for_element("[data-testid=spending-screen]").await;
            check_screen(&app, &axe, &format!("a11y-spending-{tag}"), &mut problems).await;
            app.click("[data-testid=settings]").await;
            app.wait_for_element("[data-testid=notifications]").await;
            check_screen(&app, &axe, &format!("a11y-settings-{tag}"), &mut problems).await;
        }
    }
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} problems (screens in target/e2e-screens):\n{}",
        problems.len(),
        problems.join("\n")
    );
    app.close().await;
}

// ---------------------------------------------------------------------------------------------
// The player, by keyboard alone

/// A finished generation with a real 3 s clip (ffmpeg), as the job runner leaves it.
fn seed_done(app_library_dir: &str, prompt: &str) -> tempfile::TempDir {
    use hailuo_core::generation::{GenerationRequest, Model, Resolution};
    use hailuo_core::library::{GenerationState, Library, VideoFile, VIDEO_FILE};
    use hailuo_core::Provider;

    let clips = tempfile::tempdir().expect("a folder for clips");
    let clip = clips.path().join("clip.mp4");
    let output = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"])
        .args(["-i", "testsrc2=size=640x360:rate=24:duration=3"])
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(&clip)
        .output()
        .unwrap_or_else(|err| panic!("ffmpeg is needed to make test videos: {err}"));
    assert!(output.status.success(), "ffmpeg failed");
    let library = Library::open(app_library_dir).expect("the app's library");
    let request = GenerationRequest {
        provider: Provider::MinimaxGlobal,
        model: Model::Hailuo23,
        prompt: prompt.into(),
        first_frame: None,
        duration: 6,
        resolution: Resolution::P768,
        prompt_optimizer: true,
        fast_pretreatment: false,
    };
    let at = time::OffsetDateTime::now_utc();
    let estimate = hailuo_core::quote(&request).expect("a priced request");
    let mut generation = library
        .create_at(&request, &estimate, at)
        .expect("the record is written");
    for next in [
        GenerationState::Queued,
        GenerationState::Running,
        GenerationState::Downloading,
        GenerationState::Done,
    ] {
        generation
            .advance(next, at, None)
            .expect("an allowed change");
    }
    let folder = library.folder_of(&generation.id).expect("a folder");
    std::fs::copy(&clip, folder.join(VIDEO_FILE)).expect("the video is copied in");
    generation.video = Some(VideoFile {
        file_name: VIDEO_FILE.into(),
        bytes: std::fs::metadata(&clip).map(|m| m.len()).unwrap_or(0),
        width: Some(640),
        height: Some(360),
    });
    library.save(&generation).expect("the record is saved");
    clips
}

async fn press(app: &App, key: fantoccini::key::Key) {
    app.client()
        .active_element()
        .await
        .expect("the focused control")
        .send_keys(&key.to_string())
        .await
        .expect("pressing a key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_player_keeps_tab_inside_gives_focus_back_and_leaves_nothing_when_closed() {
    use fantoccini::key::Key;

    let axe = axe_source();
    let emulator = emulator(EmulatorConfig::default()).await;
    let app = launch(
        &emulator,
        "the_player_keeps_tab_inside_gives_focus_back_and_leaves_nothing_when_closed",
    )
    .await;
    app.invoke(
        "save_key",
        json!({ "provider": "minimax-global", "key": MINIMAX_KEY }),
    )
    .await
    .unwrap_or_else(|err| panic!("the key was not saved: {err}"));
    let status = app.invoke("app_status", json!({})).await.expect("a status");
    let _clips = seed_done(
        status["libraryDir"].as_str().expect("a library folder"),
        "A harbour at dawn, gulls over the boats",
    );
    app.run_js("location.reload(); return null").await;
    app.wait_ready().await;
    app.click("[data-testid=nav-library]").await;
    app.wait_for_element("[data-testid=library-card]").await;

    // Enter on the focused card opens the player.
    app.run_js("document.querySelector('[data-testid=library-card]').focus(); return null")
        .await;
    press(&app, Key::Enter).await;
    app.wait_for(
        "const v = document.querySelector('[data-testid=player-video]');
         return v !== null && v.readyState >= 2",
        "the player's video",
    )
    .await;
    let mut problems = Vec::new();
    check_screen(&app, &axe, "a11y-player", &mut problems).await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    for _ in 0..25 {
        press(&app, Key::Tab).await;
        let inside = app
            .run_js("return document.querySelector('.player-backdrop').contains(document.activeElement)")
            .await;
        assert_eq!(inside, json!(true), "Tab left the open player");
    }
    press(&app, Key::Escape).await;
    app.wait_for(
        "return document.querySelector('[data-testid=player], [data-testid=player-video], .player-backdrop') === null",
        "Escape to close the player and leave nothing behind",
    )
    .await;
    app.wait_for(
        "return document.activeElement?.dataset.testid === 'library-card'",
        "focus to go back to the card that opened the player",
    )
    .await;
    assert_eq!(
        app.run_js("return document.getElementById('app').inert")
            .await,
        json!(false),
        "the screen behind stays unreachable after the player closed"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn started_goes_when_the_video_fails_and_the_card_says_not_charged_without_codes() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let app = launch(
        &emulator,
        "started_goes_when_the_video_fails_and_the_card_says_not_charged_without_codes",
    )
    .await;
    with_minimax_key(&app).await;
    write_prompt(&app, "A storm over a wheat field").await;
    app.click("[data-testid=generate]").await;
    app.wait_for_element("[data-testid=generate-started]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=job]')?.dataset.state === 'running'
            || document.querySelector('[data-testid=job]')?.dataset.state === 'queued'",
        "the generation to be at the service",
    )
    .await;
    let task = emulator
        .task_ids(Service::MinimaxGlobal)
        .pop()
        .expect("a task at MiniMax");
    assert!(emulator.fail_task(&task, 1026, "input new_sensitive"));
    app.wait_for(
        "return document.querySelector('[data-testid=job]').dataset.state === 'failed'",
        "the card to say the video failed",
    )
    .await;
    app.wait_for(
        "return document.querySelector('[data-testid=generate-started]') === null",
        "“Started” to go once the video failed",
    )
    .await;
    let cost = text_of(&app, "[data-testid=job] [data-testid=card-cost]").await;
    assert_eq!(cost, "Not charged", "the failed card's money");
    let front = app
        .run_js(
            "const card = document.querySelector('[data-testid=job]').cloneNode(true);
             card.querySelectorAll('details').forEach((d) => d.remove());
             return card.textContent",
        )
        .await;
    let front = front.as_str().unwrap_or_default();
    assert!(
        !front.contains("1026") && !front.contains("HTTP"),
        "codes in front on the failed card: {front}"
    );
    app.screen("failed-card").await;

    // The Library and the player say the same.
    app.click("[data-testid=nav-library]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=library-card][data-state=failed] [data-testid=library-cost]')?.textContent === 'Not charged'",
        "the Library card of the failed video to read Not charged",
    )
    .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_of_the_other_minimax_region_is_saved_there_with_one_click_and_never_blamed_on_the_region_otherwise(
) {
    let emulator = emulator(EmulatorConfig::default()).await;
    let app = launch(
        &emulator,
        "a_key_of_the_other_minimax_region_is_saved_there_with_one_click",
    )
    .await;
    with_minimax_key(&app).await;

    // A typo: both regions refuse it, so the region is not mentioned.
    app.click("[data-testid=settings]").await;
    app.click("[data-testid=replace-minimax-global]").await;
    app.type_into(
        "[data-testid=key-input-minimax-global-input]",
        "emulator-typo-key",
    )
    .await;
    app.click("[data-testid=save-minimax-global]").await;
    app.wait_for_element("[data-testid=key-minimax-global] [data-testid=key-kept]")
        .await;
    let words = text_of(
        &app,
        "[data-testid=key-minimax-global] [data-testid=key-verdict]",
    )
    .await;
    assert!(!words.contains("region"), "{words}");
    assert!(
        !words.contains("HTTP") && !words.contains("code "),
        "{words}"
    );

    // A China key pasted as a global one: kept out of the global row, saved as China on request.
    app.run_js(
        "const f = document.querySelector('[data-testid=key-input-minimax-global-input]'); f.value = ''; return null",
    )
    .await;
    app.type_into(
        "[data-testid=key-input-minimax-global-input]",
        "emulator-minimax-china-key",
    )
    .await;
    app.click("[data-testid=save-minimax-global]").await;
    app.click("[data-testid=save-as-minimax-china]").await;
    app.wait_for_element("[data-testid=saved-elsewhere]").await;
    let china = text_of(&app, "[data-testid=key-state-minimax-china]").await;
    assert!(china.contains("ends in …-key"), "{china}");
    let global = text_of(&app, "[data-testid=key-state-minimax-global]").await;
    assert!(
        global.contains("ends in …-key"),
        "the global key stays: {global}"
    );
    let saved = app.invoke("app_status", json!({})).await.expect("a status");
    assert_eq!(
        saved["providersWithKeys"],
        json!(["minimax-global", "minimax-china"])
    );
    app.screen("saved-as-china").await;
    app.close().await;
}

// ---------------------------------------------------------------------------------------------
// The whole newcomer path, by keyboard alone

/// Where focus is, named for messages: `tag[testid]` or `body`.
async fn focused(app: &App) -> String {
    app.run_js(
        "const e = document.activeElement;
         if (!e || e === document.body) return 'body';
         return `${e.tagName.toLowerCase()}[${e.dataset.testid ?? e.id ?? ''}] ${(e.innerText || e.value || '').slice(0, 30)}`",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Presses a key, then checks the keyboard's place was not dropped to the page.
async fn press_kept(app: &App, key: fantoccini::key::Key, step: &str) {
    press(app, key).await;
    let at = focused(app).await;
    assert_ne!(at, "body", "focus fell to the page after {step}");
}

/// Tabs forward until `css` has focus, as a keyboard user would; focus never on `body` on the way.
async fn tab_to(app: &App, css: &str) {
    let check = format!(
        "return document.activeElement?.matches({}) === true",
        json!(css)
    );
    for _ in 0..60 {
        if app.run_js(&check).await == json!(true) {
            return;
        }
        press_kept(
            app,
            fantoccini::key::Key::Tab,
            &format!("Tab towards {css}"),
        )
        .await;
    }
    panic!(
        "{css} was not reached with Tab (focus is on {})",
        focused(app).await
    );
}

/// Types into the focused control, as the keyboard does.
async fn type_keys(app: &App, text: &str) {
    app.client()
        .active_element()
        .await
        .expect("the focused control")
        .send_keys(text)
        .await
        .expect("typing");
}

async fn checked_value(app: &App, prefix: &str) -> String {
    app.run_js(&format!(
        "return document.querySelector('[role=radio][data-testid^={prefix}-][aria-checked=true]')?.dataset.value ?? ''"
    ))
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_goes_from_welcome_to_a_playing_video_with_the_keyboard_alone() {
    use fantoccini::key::Key;

    let emulator = emulator(EmulatorConfig::default()).await;
    let app = launch(
        &emulator,
        "a_newcomer_goes_from_welcome_to_a_playing_video_with_the_keyboard_alone",
    )
    .await;
    size_window(&app, (900, 600)).await;
    app.wait_for_element("[data-testid=welcome]").await;
    app.screen("keyboard-1-welcome").await;

    // Choose a service.
    tab_to(&app, "[data-testid=choose-openrouter]").await;
    press_kept(&app, Key::Enter, "choosing OpenRouter").await;
    app.wait_for(
        "return document.activeElement?.dataset.testid === 'onboarding-key-input'",
        "focus in the key field once the service is chosen",
    )
    .await;

    // Paste a key, Test and save.
    type_keys(&app, OPENROUTER_KEY).await;
    app.screen("keyboard-2-key").await;
    tab_to(&app, "[data-testid=test-key]").await;
    press_kept(&app, Key::Enter, "Test and save").await;
    app.wait_for(
        "return document.activeElement?.dataset.testid === 'onboarding-finish'",
        "focus on Start creating once the key works",
    )
    .await;
    app.screen("keyboard-3-ready").await;

    // "Start creating": focus lands in the prompt.
    press_kept(&app, Key::Enter, "Start creating").await;
    app.wait_for(
        "return document.activeElement?.dataset.testid === 'prompt'",
        "focus in the prompt after Start creating",
    )
    .await;
    type_keys(&app, "A kite rises over a windy beach").await;
    app.wait_for(
        "return document.querySelector('[data-testid=generate]').textContent.includes('$')",
        "the price on Generate",
    )
    .await;

    // Length and Resolution with the arrow keys; focus stays on the chosen chip.
    tab_to(&app, "[role=radio][data-testid^=duration-]").await;
    let before = checked_value(&app, "duration").await;
    press_kept(&app, Key::Right, "ArrowRight on Length").await;
    app.wait_for(
        &format!(
            "const b = document.querySelector('[role=radio][data-testid^=duration-][aria-checked=true]');
             return b !== null && b.dataset.value !== {} && document.activeElement === b",
            json!(before)
        ),
        "ArrowRight to choose the next Length and keep focus on it",
    )
    .await;
    press_kept(&app, Key::Left, "ArrowLeft on Length").await;
    app.wait_for(
        &format!(
            "const b = document.querySelector('[role=radio][data-testid^=duration-][aria-checked=true]');
             return b !== null && b.dataset.value === {} && document.activeElement === b",
            json!(before)
        ),
        "ArrowLeft to choose the first Length again",
    )
    .await;
    tab_to(&app, "[role=radio][data-testid^=resolution-]").await;
    let before = checked_value(&app, "resolution").await;
    press_kept(&app, Key::Right, "ArrowRight on Resolution").await;
    app.wait_for(
        &format!(
            "const b = document.querySelector('[role=radio][data-testid^=resolution-][aria-checked=true]');
             return b !== null && b.dataset.value !== {} && document.activeElement === b",
            json!(before)
        ),
        "ArrowRight to choose the next Resolution and keep focus on it",
    )
    .await;
    assert_ne!(focused(&app).await, "body");
    app.wait_for(
        "const g = document.querySelector('[data-testid=generate]');
         return g.textContent.includes('$') && !g.disabled",
        "the new price on Generate",
    )
    .await;
    app.screen("keyboard-4-create").await;

    // Generate.
    tab_to(&app, "[data-testid=generate]").await;
    press_kept(&app, Key::Enter, "Generate").await;
    app.wait_for_element("[data-testid=generate-started]").await;
    assert_ne!(focused(&app).await, "body", "focus after Generate");
    app.wait_for(
        "return document.querySelector('[data-testid=job]')?.dataset.state === 'done'",
        "the video to finish in the queue",
    )
    .await;
    app.screen("keyboard-5-done").await;

    // Open it in the player.
    tab_to(&app, "[data-testid=job] [data-testid=card-open]").await;
    press_kept(&app, Key::Enter, "Play").await;
    app.wait_for(
        "const v = document.querySelector('[data-testid=player-video]');
         return v !== null && v.readyState >= 2 && v.currentTime > 0.5",
        "the video to play (readyState ≥ 2, time running)",
    )
    .await;
    app.wait_for(
        "return document.querySelector('.player-backdrop').contains(document.activeElement)",
        "focus inside the player",
    )
    .await;
    app.screen("keyboard-6-playing").await;

    // Escape closes it; focus goes back to what opened it.
    press(&app, Key::Escape).await;
    app.wait_for(
        "return document.querySelector('.player-backdrop') === null",
        "Escape to close the player",
    )
    .await;
    app.wait_for(
        "return document.activeElement?.matches('[data-testid=job] [data-testid=card-open]') === true",
        "focus back on the card's Play",
    )
    .await;
    app.screen("keyboard-7-closed").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_tabs_opens_each_screen_at_its_top() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let app = launch(&emulator, "switching_tabs_opens_each_screen_at_its_top").await;
    size_window(&app, (900, 600)).await;
    with_minimax_key(&app).await;
    // Scrolled down on Settings (long at 900×600), whichever box scrolls.
    app.click("[data-testid=settings]").await;
    app.wait_for_element("[data-testid=notifications]").await;
    let scroll = "const v = document.getElementById('view');
                  return [v.scrollTop, document.scrollingElement.scrollTop]";
    app.run_js(
        "document.getElementById('view').scrollTop = 100000;
         document.scrollingElement.scrollTop = 100000; return null",
    )
    .await;
    let down = app.run_js(scroll).await;
    assert_ne!(down, json!([0, 0]), "Settings could not be scrolled");

    for tab in ["nav-create", "nav-library", "nav-spending", "settings"] {
        app.click(&format!("[data-testid={tab}]")).await;
        assert_eq!(
            app.run_js(scroll).await,
            json!([0, 0]),
            "{tab} did not open at its top"
        );
        app.run_js(
            "document.getElementById('view').scrollTop = 100000;
             document.scrollingElement.scrollTop = 100000; return null",
        )
        .await;
    }
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_camera_picker_names_each_move_with_the_command_it_inserts() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let app = launch(
        &emulator,
        "the_camera_picker_names_each_move_with_the_command_it_inserts",
    )
    .await;
    with_minimax_key(&app).await;
    app.click(".camera-picker summary").await;
    let label = app
        .run_js(
            "return document.querySelector('.camera-picker input[value=\"Push in\"]').closest('label').innerText.replace(/\\s+/g, ' ').trim()",
        )
        .await;
    assert_eq!(label, json!("Move in [Push in]"));
    app.click(".camera-picker input[value=\"Push in\"]").await;
    app.click(".camera-picker .picker-actions button").await;
    let prompt = app
        .run_js("return document.querySelector('[data-testid=prompt]').value")
        .await;
    assert_eq!(prompt, json!("[Push in]"));
    app.close().await;
}
