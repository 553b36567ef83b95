//! Every screen, light and dark, at the smallest window (900×600) and a large one: Welcome,
//! Create with a card, Library, Player, Spending and Settings, saved as screenshots to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use fantoccini::Locator;
use hailuo_core::generation::{GenerationRequest, Model, Resolution};
use hailuo_core::library::{GenerationState, Library, VideoFile, VIDEO_FILE};
use hailuo_core::Provider;
use hailuo_e2e::App;
use serde_json::{json, Value};
use time::macros::datetime;

/// The window sizes every screen must hold up at: the minimum, and a large desktop.
const SIZES: [(u32, u32); 2] = [(900, 600), (1920, 1080)];
const THEMES: [&str; 2] = ["light", "dark"];

/// A real 3 s H.264 clip from ffmpeg.
fn make_clip(dir: &Path) -> PathBuf {
    let path = dir.join("harbour.mp4");
    let output = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"])
        .args(["-i", "testsrc2=size=640x360:rate=24:duration=3"])
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
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

/// A finished generation in the library, as the job runner leaves it.
fn seed_done(library: &Library, prompt: &str, clip: &Path) {
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
    let at = datetime!(2026-11-21 14:32 UTC);
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
    std::fs::copy(clip, folder.join(VIDEO_FILE)).expect("the video is copied in");
    generation.video = Some(VideoFile {
        file_name: VIDEO_FILE.into(),
        bytes: std::fs::metadata(clip).map(|m| m.len()).unwrap_or(0),
        width: Some(640),
        height: Some(360),
    });
    library.save(&generation).expect("the record is saved");
}

async fn click(app: &App, css: &str) {
    app.client()
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("nothing matches {css}: {err}"))
        .click()
        .await
        .unwrap_or_else(|err| panic!("clicking {css} failed: {err}"));
}

/// Sizes the window and checks the page really got that size (the minimum is 900×600).
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

async fn use_theme(app: &App, theme: &str) {
    app.run_js(&format!(
        "document.documentElement.dataset.theme = '{theme}'; return null"
    ))
    .await;
}

/// Whether anything on the page is wider than the window: a sideways scroll bar or cut-off
/// content. Answers the widest offender's description, or null.
async fn overflow(app: &App) -> Value {
    app.run_js(
        "const width = document.documentElement.clientWidth;
         if (document.documentElement.scrollWidth <= width) return null;
         const wide = [...document.querySelectorAll('body *')]
           .filter((e) => e.getBoundingClientRect().right > width + 1 && e.getClientRects().length)
           .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`);
         return `${document.documentElement.scrollWidth}px wide: ${wide.slice(0, 5).join(', ')}`;",
    )
    .await
}

/// Saves the screen as `<name>-<size>-<theme>` and fails if it scrolls sideways.
async fn shoot(app: &App, name: &str, size: (u32, u32), theme: &str) {
    let shot = format!("{name}-{}x{}-{theme}", size.0, size.1);
    let path = app.screen(&shot).await;
    let wide = overflow(app).await;
    assert!(
        wide.is_null(),
        "{shot} scrolls sideways ({wide}); look at {}",
        path.display()
    );
}

// The emulator serves from this test's runtime: its own workers keep it answering while the
// test waits on WebDriver.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_light_and_dark_from_the_smallest_window_to_a_large_one() {
    use hailuo_emulator::{Emulator, EmulatorConfig};

    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("the emulator starts");
    let launch = App::launch("looks")
        .quick_polling()
        .envs(emulator.env_vars());
    let app = launch.start().await;
    app.wait_ready().await;
    app.wait_for_element("[data-testid=welcome]").await;
    for size in SIZES {
        size_window(&app, size).await;
        for theme in THEMES {
            use_theme(&app, theme).await;
            shoot(&app, "welcome", size, theme).await;
        }
    }

    app.invoke(
        "save_key",
        json!({ "provider": "minimax-global", "key": "emulator-minimax-global-key" }),
    )
    .await
    .unwrap_or_else(|err| panic!("the key was not saved: {err}"));
    let status = app.invoke("app_status", json!({})).await.expect("a status");
    let library = Library::open(status["libraryDir"].as_str().expect("a library folder"))
        .expect("the app's library");
    let clips = tempfile::tempdir().expect("a folder for clips");
    let clip = make_clip(clips.path());
    seed_done(&library, "A harbour at dawn, gulls over the boats", &clip);
    app.run_js("location.reload(); return null").await;
    app.wait_ready().await;
    app.wait_for_element("[data-testid=create-screen]").await;

    // A card in the queue: a real generation against the emulator.
    app.client()
        .find(Locator::Css("[data-testid=prompt]"))
        .await
        .expect("the prompt box")
        .send_keys("A paper boat drifts down a rainy street [Tracking shot]")
        .await
        .expect("typing");
    app.wait_for(
        "return !document.querySelector('[data-testid=generate]').disabled",
        "Generate to be clickable",
    )
    .await;
    click(&app, "[data-testid=generate]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=job]') !== null",
        "the generation's card",
    )
    .await;
    let status = app
        .run_js("return document.querySelector('[data-testid=job]').dataset.status")
        .await;
    assert!(status.is_string(), "a job says its state: {status}");

    for size in SIZES {
        size_window(&app, size).await;
        for theme in THEMES {
            use_theme(&app, theme).await;
            click(&app, "[data-view=create]").await;
            app.wait_for_element("[data-testid=cost-preview]").await;
            shoot(&app, "create", size, theme).await;

            click(&app, "[data-view=library]").await;
            app.wait_for(
                "return [...document.querySelectorAll('[data-testid=library-card] img')]
                    .some((img) => img.complete && img.naturalWidth > 0)",
                "a poster in the Library",
            )
            .await;
            shoot(&app, "library", size, theme).await;

            click(&app, "[data-testid=library-card][data-state=done]").await;
            app.wait_for(
                "const v = document.querySelector('[data-testid=player-video]');
                 return v !== null && v.readyState >= 2",
                "the player's video",
            )
            .await;
            // The same frame every time: paused at 1 s.
            app.client()
                .execute_async(
                    "const done = arguments[0];
                     const v = document.querySelector('[data-testid=player-video]');
                     v.pause();
                     v.addEventListener('seeked', () => done(null), { once: true });
                     v.currentTime = 1;",
                    vec![],
                )
                .await
                .expect("the video seeks");
            shoot(&app, "player", size, theme).await;
            click(&app, "[data-testid=player-close]").await;
            app.wait_for(
                "return document.querySelector('.player-backdrop') === null",
                "the player to close",
            )
            .await;

            click(&app, "[data-view=spending]").await;
            app.wait_for_element("[data-testid=spending-screen]").await;
            shoot(&app, "spending", size, theme).await;

            click(&app, "[data-testid=settings]").await;
            app.wait_for_element("[data-testid=notifications]").await;
            shoot(&app, "settings", size, theme).await;
        }
    }
    app.close().await;
}
