//! The Create screen in the real app: the price of a typed prompt, a pasted first frame with its
//! fixes, the queue's cards, and (once the app has the generation commands) a real generation
//! against the emulator.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::Locator;
use hailuo_e2e::App;
use serde_json::{json, Value};

/// Starts the app with a saved MiniMax key and waits for the Create screen.
async fn app_with_a_key(test: &str, env: &[(String, String)]) -> App {
    app_with_keys(
        test,
        env,
        &[("minimax-global", "emulator-minimax-global-key")],
    )
    .await
}

/// Starts the app with `(provider, key)` saved and waits for the Create screen.
async fn app_with_keys(test: &str, env: &[(String, String)], keys: &[(&str, &str)]) -> App {
    let app = App::launch(test).envs(env.iter().cloned()).start().await;
    app.wait_ready().await;
    for (provider, key) in keys {
        app.invoke("save_key", json!({ "provider": provider, "key": key }))
            .await
            .unwrap_or_else(|err| panic!("the {provider} key was not saved: {err}"));
    }
    // The studio reads its keys at start: open it again as a creator would after onboarding.
    app.run_js("location.reload(); return null").await;
    app.wait_ready().await;
    app.wait_for(
        "return document.querySelector('[data-testid=create-screen]') !== null",
        "the Create screen",
    )
    .await;
    app
}

async fn type_prompt(app: &App, text: &str) {
    app.client()
        .find(Locator::Css("[data-testid=prompt]"))
        .await
        .unwrap_or_else(|err| panic!("no prompt box: {err}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|err| panic!("typing failed: {err}"));
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

async fn text_of(app: &App, css: &str) -> String {
    let script = format!("return document.querySelector('{css}')?.innerText ?? null");
    match app.run_js(&script).await {
        Value::String(text) => text,
        other => panic!("nothing matches {css} ({other})"),
    }
}

async fn generate_button(app: &App) -> (String, bool) {
    let answer = app
        .run_js(
            "const b = document.querySelector('[data-testid=generate]');
             return [b.textContent, b.disabled]",
        )
        .await;
    (
        answer[0].as_str().unwrap_or_default().to_owned(),
        answer[1].as_bool().unwrap_or(true),
    )
}

/// A PNG of `width`×`height` with a gradient, so the picture is not one flat colour.
fn png_picture(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .unwrap_or_else(|err| panic!("cannot start the PNG: {err}"));
    let pixels: Vec<u8> = (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .flat_map(|(x, y)| [(x % 256) as u8, (y % 256) as u8, 160])
        .collect();
    writer
        .write_image_data(&pixels)
        .and_then(|()| writer.finish())
        .unwrap_or_else(|err| panic!("cannot write the PNG: {err}"));
    bytes
}

/// Pastes picture bytes into the prompt box, as Ctrl+V with a copied picture does.
async fn paste_picture(app: &App, png: &[u8]) {
    let script = "const [bytes, done] = arguments;
        const file = new File([new Uint8Array(bytes)], 'copied.png', { type: 'image/png' });
        const data = new DataTransfer();
        data.items.add(file);
        const paste = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
        if (!paste.clipboardData) Object.defineProperty(paste, 'clipboardData', { value: data });
        document.querySelector('[data-testid=prompt]').dispatchEvent(paste);
        done(paste.defaultPrevented);";
    let taken = app
        .client()
        .execute_async(script, vec![json!(png)])
        .await
        .unwrap_or_else(|err| panic!("pasting failed: {err}"));
    assert_eq!(taken, json!(true), "the pasted picture was not taken");
}

#[tokio::test]
async fn a_typed_prompt_shows_its_price_on_the_generate_button() {
    let app = app_with_a_key("a_typed_prompt_shows_its_price_on_the_generate_button", &[]).await;
    let (label, disabled) = generate_button(&app).await;
    assert!(disabled, "Generate is clickable with no prompt: {label:?}");

    type_prompt(&app, "A lighthouse on a cliff at dusk [Push in]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=generate]').textContent === 'Generate · $0.28'
            && !document.querySelector('[data-testid=generate]').disabled",
        "the price on an enabled Generate button",
    )
    .await;
    let preview = text_of(&app, "[data-testid=cost-preview]").await;
    assert!(preview.contains("$0.28"), "{preview}");
    assert!(
        preview.contains("MiniMax · Hailuo 2.3 · 768P · 6 s"),
        "{preview}"
    );

    // A 1080P video costs more, and the button follows.
    click(&app, "[data-testid='resolution-1080P']").await;
    app.wait_for(
        "return document.querySelector('[data-testid=generate]').textContent === 'Generate · $0.49'",
        "the 1080P price",
    )
    .await;
    // Whatever the screens, the queue is there, empty, saying what it is for.
    let queue = text_of(&app, "[data-testid=queue]").await;
    assert!(queue.contains("Your generations"), "{queue}");
    app.screen("create-with-price").await;
    app.close().await;
}

#[tokio::test]
async fn a_pasted_picture_becomes_the_first_frame_once_its_fixes_are_chosen() {
    let app = app_with_a_key(
        "a_pasted_picture_becomes_the_first_frame_once_its_fixes_are_chosen",
        &[],
    )
    .await;
    type_prompt(&app, "Waves roll onto the beach").await;
    let fast_disabled =
        "return document.querySelector(\"[data-testid='model-hailuo-2.3-fast']\").disabled";
    assert_eq!(
        app.run_js(fast_disabled).await,
        json!(true),
        "Hailuo 2.3 Fast is choosable without a first frame"
    );

    // Too wide (5:1) and too short (280 px): both rules need the creator's fix.
    paste_picture(&app, &png_picture(1400, 280)).await;
    app.wait_for(
        "return document.querySelector('[data-testid=first-frame-picture]') !== null",
        "the pasted picture's report",
    )
    .await;
    let size = text_of(&app, "[data-testid=first-frame-size]").await;
    assert!(size.starts_with("1400×280 · PNG"), "{size}");
    let frame = text_of(&app, "[data-testid=first-frame]").await;
    assert!(frame.contains("The video will be landscape"), "{frame}");
    app.wait_for(
        "return document.querySelector('.checkout-warning').textContent.startsWith('Choose how to fix the first frame')",
        "the request to choose fixes",
    )
    .await;
    assert!(
        generate_button(&app).await.1,
        "Generate is clickable before the fixes are chosen"
    );

    click(&app, "[data-testid=fix-pad]").await;
    click(&app, "[data-testid=fix-upscale]").await;
    app.wait_for(
        "return !document.querySelector('[data-testid=generate]').disabled",
        "Generate to be clickable with both fixes chosen",
    )
    .await;
    // With a first frame on MiniMax, the Fast model is offered, at its own price.
    assert_eq!(app.run_js(fast_disabled).await, json!(false));
    click(&app, "[data-testid='model-hailuo-2.3-fast']").await;
    app.wait_for(
        "return document.querySelector('[data-testid=generate]').textContent === 'Generate · $0.19'",
        "the Fast model's price",
    )
    .await;
    app.screen("create-with-first-frame").await;

    // Back to Hailuo 2.3, then the picture goes: the prompt stays as typed.
    click(&app, "[data-testid='model-hailuo-2.3']").await;
    click(&app, "[data-testid=remove-first-frame]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=drop-zone]') !== null
            && document.querySelector('[data-testid=prompt]').value === 'Waves roll onto the beach'",
        "the drop zone back, with the prompt kept",
    )
    .await;
    app.close().await;
}

#[tokio::test]
async fn linkmodel_takes_a_first_frame_only_as_a_link_and_says_why() {
    let app = app_with_a_key(
        "linkmodel_takes_a_first_frame_only_as_a_link_and_says_why",
        &[],
    )
    .await;
    // Files dropped from the OS reach the page through this webview API, and only through it.
    assert_eq!(
        app.run_js("return typeof window.__TAURI__.webview.getCurrentWebview().onDragDropEvent")
            .await,
        json!("function")
    );
    type_prompt(&app, "A hot air balloon rises at sunrise").await;
    click(&app, "[data-testid='provider-linkmodel']").await;
    app.wait_for(
        "return document.querySelector('[data-testid=first-frame-link]') !== null",
        "the link box LinkModel needs",
    )
    .await;
    let why = text_of(&app, "[data-testid=drop-zone]").await;
    assert!(
        why.contains("LinkModel takes a first frame only as a link"),
        "{why}"
    );

    let link = app
        .client()
        .find(Locator::Css("[data-testid=first-frame-link]"))
        .await
        .unwrap_or_else(|err| panic!("no link box: {err}"));
    link.send_keys("http://example.com/balloon.jpg\u{E007}")
        .await
        .unwrap_or_else(|err| panic!("typing failed: {err}"));
    let refused = text_of(&app, ".link-form .field-note").await;
    assert!(refused.contains("must start with https://"), "{refused}");

    link.clear()
        .await
        .unwrap_or_else(|err| panic!("clearing failed: {err}"));
    link.send_keys("https://example.com/balloon.jpg\u{E007}")
        .await
        .unwrap_or_else(|err| panic!("typing failed: {err}"));
    app.wait_for(
        "return document.querySelector('[data-testid=first-frame-link-chosen]') !== null",
        "the link taken as the first frame",
    )
    .await;
    // LinkModel's documented price for 768P, 6 s, with the linked first frame.
    app.wait_for(
        "return document.querySelector('[data-testid=cost-preview]').innerText.includes('LinkModel · Hailuo 2.3 · 768P · 6 s')
            && document.querySelector('[data-testid=generate]').textContent === 'Generate · $0.22'",
        "LinkModel's price with a linked first frame",
    )
    .await;
    app.screen("linkmodel-link").await;
    app.close().await;
}

/// Cards shaped as the shared contract's `GenerationCard`.
fn contract_cards() -> Value {
    let card = |id: &str, fields: Value| {
        let mut card = json!({
            "id": id, "state": "running", "stateWords": "Generating",
            "prompt": "A lighthouse on a cliff at dusk, waves crashing below [Push in]",
            "provider": "minimax-global", "model": "hailuo-2.3", "resolution": "768P", "duration": 6,
            "createdAt": "2026-11-21T20:00:00Z", "finishedAt": null,
            "elapsedSeconds": 95, "expectedSeconds": 300, "download": null,
            "offline": false, "longRunning": false, "mayHaveBeenCharged": false, "stopped": false,
            "canCheckNow": true, "changes": 3,
            "error": null,
            "cost": { "estimate": "0.28", "charged": null, "currency": "USD", "basis": "MiniMax's price list" },
            "firstFrameUrl": null, "videoUrl": null, "folder": "/tmp/videos/lighthouse"
        });
        if let (Some(card), Value::Object(fields)) = (card.as_object_mut(), fields) {
            card.extend(fields);
        }
        card
    };
    json!([
        // Under a minute in: its clock moves to "1 min" on a later beat.
        card(
            "g-running",
            json!({ "elapsedSeconds": 40, "expectedSeconds": 220 }),
        ),
        card(
            "g-downloading",
            json!({
                "state": "downloading", "stateWords": "Downloading 45%",
                "createdAt": "2026-11-21T19:58:00Z", "prompt": "A red fox trots through fresh snow [Tracking shot]",
                "download": { "bytes": 2_700_000, "total": 5_896_337 },
                "cost": { "estimate": "0.49", "charged": "0.49", "currency": "USD", "basis": "OpenRouter's answer" },
                "provider": "openrouter", "resolution": "1080P"
            }),
        ),
        card(
            "g-failed",
            json!({
                "state": "failed", "stateWords": "Failed: the service flagged the prompt",
                "createdAt": "2026-11-21T19:50:00Z", "prompt": "A crowded night market, neon signs",
                "error": { "kind": "flagged", "message": "MiniMax flagged the prompt as sensitive (1026)." },
                "finishedAt": "2026-11-21T19:51:00Z"
            }),
        ),
        card(
            "g-unknown",
            json!({
                "state": "unknown", "stateWords": "No answer from the service",
                "createdAt": "2026-11-21T19:40:00Z", "prompt": "Slow pan over a misty valley [Pan left]",
                "mayHaveBeenCharged": true, "offline": true, "expectedSeconds": null,
                "canCheckNow": false, "changes": 2
            }),
        ),
    ])
}

#[tokio::test]
async fn queue_cards_say_state_time_cost_and_warnings_in_plain_words() {
    let app = app_with_a_key(
        "queue_cards_say_state_time_cost_and_warnings_in_plain_words",
        &[],
    )
    .await;
    // The cards go in through the queue module itself, as the app's watch delivers them.
    let shown = app
        .client()
        .execute_async(
            "const [cards, done] = arguments;
             import('./js/views/queue.js').then((queue) => { cards.forEach(queue.showCard); done(true); },
                                                (err) => done(String(err)));",
            vec![contract_cards()],
        )
        .await
        .unwrap_or_else(|err| panic!("the queue module did not load: {err}"));
    assert_eq!(shown, json!(true));

    let order = app
        .run_js(
            "return [...document.querySelectorAll('[data-testid=job]')].map((c) => c.dataset.id)",
        )
        .await;
    assert_eq!(
        order,
        json!(["g-running", "g-downloading", "g-failed", "g-unknown"]),
        "newest first"
    );
    let running = text_of(&app, "[data-id=g-running]").await;
    assert!(running.contains("Generating"), "{running}");
    assert!(running.contains("About 3 min left"), "{running}");
    assert!(running.contains("About $0.28"), "{running}");
    let downloading = text_of(&app, "[data-id=g-downloading]").await;
    assert!(downloading.contains("45% of 5.9 MB"), "{downloading}");
    assert!(downloading.contains("Charged $0.49"), "{downloading}");
    let failed = text_of(&app, "[data-id=g-failed]").await;
    assert!(failed.contains("MiniMax flagged the prompt"), "{failed}");
    assert!(failed.contains("Not charged"), "{failed}");
    assert!(failed.contains("Make again"), "{failed}");
    let unknown = text_of(&app, "[data-id=g-unknown]").await;
    assert!(unknown.contains("May have been charged"), "{unknown}");
    assert!(unknown.contains("Offline"), "{unknown}");
    // Two are still being made (not the failed one, nor the submit that got no answer and
    // waits for the creator): the Create tab says so too.
    assert_eq!(text_of(&app, "[data-testid=making-count]").await, "2");

    // The clock runs between updates: half a minute on, the next beat moves it.
    let before = text_of(&app, "[data-id=g-running] .gen-time").await;
    assert!(before.starts_with("under a minute"), "{before}");
    let moved = app
        .client()
        .execute_async(
            "const [done] = arguments;
             import('./js/views/queue.js').then((queue) => { queue.moveClocks(Date.now() + 30_000); done(true); },
                                                (err) => done(String(err)));",
            vec![],
        )
        .await
        .unwrap_or_else(|err| panic!("the queue module did not load: {err}"));
    assert_eq!(moved, json!(true));
    let after = text_of(&app, "[data-id=g-running] .gen-time").await;
    assert!(
        after.starts_with("1 min"),
        "the elapsed time stood still: {after}"
    );

    // Stopping asks first, and says the service may still charge.
    click(&app, "[data-id=g-running] [data-testid=card-stop]").await;
    let confirm = text_of(&app, "[data-testid=confirm-stop]").await;
    assert!(
        confirm.contains("may still finish this video and charge you"),
        "{confirm}"
    );
    app.screen("queue-cards").await;
    app.close().await;
}

#[tokio::test]
async fn an_answer_the_app_cannot_read_is_explained_on_the_card_and_copied_for_a_bug_report() {
    let app = app_with_a_key(
        "an_answer_the_app_cannot_read_is_explained_on_the_card_and_copied_for_a_bug_report",
        &[],
    )
    .await;
    let raw =
        r#"{"task_id":"1","status":"Success","base_resp":{"status_code":0},"echo":"[your key]"}"#;
    let mut card = contract_cards()[0].clone();
    card["id"] = json!("g-odd");
    card["error"] = json!({
        "kind": "unreadable-answer",
        "message": "MiniMax answered in a way Hailuo Studio does not know yet. It keeps checking; your video is not lost. Copy the answer for a bug report so this can be fixed. (it said: HTTP 200)",
        "raw": raw,
    });
    // The clipboard is stood in for, so the test reads what a bug report would get.
    let shown = app
        .client()
        .execute_async(
            "const [card, done] = arguments;
             Object.defineProperty(navigator, 'clipboard', { configurable: true,
               value: { writeText: (text) => { window.copiedForTest = text; return Promise.resolve(); } } });
             import('./js/views/queue.js').then((queue) => { queue.showCard(card); done(true); },
                                                (err) => done(String(err)));",
            vec![card],
        )
        .await
        .unwrap_or_else(|err| panic!("the queue module did not load: {err}"));
    assert_eq!(shown, json!(true));
    let text = text_of(&app, "[data-id=g-odd]").await;
    assert!(text.contains("does not know yet"), "{text}");
    assert!(text.contains("your video is not lost"), "{text}");
    assert!(text.contains("Generating"), "still being made: {text}");
    click(&app, "[data-id=g-odd] [data-testid=card-copy-answer]").await;
    let mut copied = json!(null);
    for _ in 0..50 {
        copied = app.run_js("return window.copiedForTest ?? null").await;
        if !copied.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(copied, json!(raw));
    app.screen("queue-card-unreadable-answer").await;
    app.close().await;
}

/// Serves the files of one folder on 127.0.0.1, whole or by byte range, as the app's media server
/// does for the library.
struct LoopbackFiles {
    origin: String,
}

impl LoopbackFiles {
    fn serve(folder: PathBuf) -> LoopbackFiles {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a free loopback port");
        let origin = format!(
            "http://127.0.0.1:{}",
            listener
                .local_addr()
                .expect("the listener's address")
                .port()
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let folder = folder.clone();
                std::thread::spawn(move || answer(&folder, stream));
            }
        });
        LoopbackFiles { origin }
    }
}

fn answer(folder: &Path, mut stream: std::net::TcpStream) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(clone) => clone,
        Err(_) => return,
    });
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    let mut range_start = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        let lower = header.to_ascii_lowercase();
        if let Some(spec) = lower.strip_prefix("range: bytes=") {
            range_start = spec
                .split('-')
                .next()
                .and_then(|n| n.trim().parse::<usize>().ok());
        }
    }
    let name = request_line
        .split_whitespace()
        .nth(1)
        .and_then(|path| path.rsplit('/').next())
        .unwrap_or_default();
    let Ok(body) = std::fs::read(folder.join(name)) else {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let kind = if name.ends_with(".mp4") {
        "video/mp4"
    } else {
        "image/png"
    };
    let start = range_start.unwrap_or(0).min(body.len());
    let head = if range_start.is_some() {
        format!(
            "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{}/{}\r\n",
            body.len() - 1,
            body.len()
        )
    } else {
        "HTTP/1.1 200 OK\r\n".to_owned()
    };
    let _ = write!(
        stream,
        "{head}Content-Type: {kind}\r\nAccept-Ranges: bytes\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len() - start
    );
    let _ = stream.write_all(&body[start..]);
}

#[tokio::test]
async fn a_finished_card_plays_its_video_and_remixes_into_compose() {
    let app = app_with_a_key(
        "a_finished_card_plays_its_video_and_remixes_into_compose",
        &[],
    )
    .await;
    // The generation's folder as the library keeps it: the video and the first frame sent.
    let folder = tempfile::tempdir().expect("a folder for the generation");
    let made = std::process::Command::new("ffmpeg")
        .args([
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=1366x768:rate=24",
        ])
        .args([
            "-t",
            "3",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
        ])
        .arg(folder.path().join("video.mp4"))
        .status()
        .expect("ffmpeg runs (apt-get install ffmpeg)");
    assert!(made.success(), "ffmpeg made no clip");
    std::fs::write(folder.path().join("first-frame.png"), png_picture(640, 480))
        .expect("the first frame is written");
    let files = LoopbackFiles::serve(folder.path().to_path_buf());
    let card = json!({
        "id": "g-done", "state": "done", "stateWords": "Ready",
        "prompt": "A kite climbs over the dunes [Tilt up]",
        "provider": "minimax-global", "model": "hailuo-2.3-fast", "resolution": "768P", "duration": 10,
        "createdAt": "2026-11-21T20:10:00Z", "finishedAt": "2026-11-21T20:14:00Z",
        "elapsedSeconds": 240, "expectedSeconds": 250, "download": null,
        "offline": false, "longRunning": false, "mayHaveBeenCharged": false, "stopped": false,
        "error": null,
        "cost": { "estimate": "0.32", "charged": "0.32", "currency": "USD", "basis": "MiniMax's price list" },
        "firstFrameUrl": format!("{}/token/g-done/first-frame.png", files.origin),
        "videoUrl": format!("{}/token/g-done/video.mp4", files.origin),
        "folder": folder.path().to_str().expect("a UTF-8 temp path"),
    });
    let shown = app
        .client()
        .execute_async(
            "const [card, done] = arguments;
             import('./js/views/queue.js').then((queue) => { queue.showCard(card); done(true); },
                                                (err) => done(String(err)));",
            vec![card],
        )
        .await
        .unwrap_or_else(|err| panic!("the queue module did not load: {err}"));
    assert_eq!(shown, json!(true));
    let text = text_of(&app, "[data-id=g-done]").await;
    assert!(
        text.contains("Ready") && text.contains("Charged $0.32"),
        "{text}"
    );

    click(&app, "[data-id=g-done] [data-testid=card-open]").await;
    app.wait_for(
        "const v = document.querySelector('[data-testid=player-video]');
         return v.readyState >= 2 && v.videoWidth === 1366 && v.currentTime > 0.5",
        "the video to play in the player (readyState ≥ 2, 1366 wide, time running)",
    )
    .await;
    app.screen("player").await;
    // The queue's Play opens the app's one player, the Library's: its controls and facts.
    assert_eq!(
        app.run_js(
            "return document.querySelector('.player-backdrop [data-testid=player-play]') !== null
                && document.querySelectorAll('[data-testid=player]').length === 1"
        )
        .await,
        json!(true),
        "the queue opened a player other than the Library's"
    );
    click(&app, "[data-testid=player-close]").await;
    // Closed, nothing of it is left to paint or to take focus.
    app.wait_for(
        "return document.querySelector('[data-testid=player], [data-testid=player-video], dialog') === null",
        "the closed player to leave nothing in the page",
    )
    .await;

    // Remix: the prompt, the settings and the kept first frame come back into Compose.
    click(&app, "[data-id=g-done] [data-testid=card-remix]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=prompt]').value === 'A kite climbs over the dunes [Tilt up]'
            && document.querySelector('[data-testid=first-frame-size]')?.innerText.startsWith('640×480 · PNG')
            && document.querySelector(\"[data-testid='model-hailuo-2.3-fast']\").getAttribute('aria-checked') === 'true'
            && document.querySelector(\"[data-testid='duration-10']\").getAttribute('aria-checked') === 'true'",
        "the remixed prompt, first frame and settings in Compose",
    )
    .await;
    app.wait_for(
        "return document.querySelector('[data-testid=generate]').textContent === 'Generate · $0.32'",
        "the remix's price",
    )
    .await;
    app.screen("remixed").await;

    // The picture moved away before Generate: the refusal says so beside the button, nothing was
    // sent, and everything composed stays.
    std::fs::remove_file(folder.path().join("first-frame.png")).expect("the picture is removed");
    click(&app, "[data-testid=generate]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=generate-refused]') !== null",
        "the refusal beside Generate",
    )
    .await;
    let refusal = app
        .run_js("const r = document.querySelector('[data-testid=generate-refused]'); return [r.dataset.kind, r.innerText]")
        .await;
    assert_eq!(refusal[0], json!("first-frame-unreadable"), "{refusal}");
    let words = refusal[1].as_str().unwrap_or_default();
    assert!(words.contains("could not be opened"), "{words}");
    assert!(
        words.contains("Nothing was sent, so nothing was charged."),
        "{words}"
    );
    assert_eq!(
        app.run_js("return document.querySelector('[data-testid=prompt]').value")
            .await,
        json!("A kite climbs over the dunes [Tilt up]")
    );
    app.screen("refused").await;
    app.close().await;
}

// The emulator serves from this test's runtime: its own workers keep it answering while the
// test waits on WebDriver.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_sends_the_video_to_the_emulator_and_its_card_joins_the_queue() {
    use hailuo_emulator::{Emulator, EmulatorConfig, Service};

    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("the emulator starts");
    // The app checks on generations every few hundred milliseconds instead of every 10 s.
    let mut env = emulator.env_vars();
    env.push(("HAILUO_STUDIO_QUICK_POLLING".to_owned(), "1".to_owned()));
    let app = app_with_a_key(
        "generate_sends_the_video_to_the_emulator_and_its_card_joins_the_queue",
        &env,
    )
    .await;
    type_prompt(
        &app,
        "A paper boat drifts down a rainy street [Tracking shot]",
    )
    .await;
    app.wait_for(
        "return !document.querySelector('[data-testid=generate]').disabled",
        "Generate to be clickable",
    )
    .await;
    click(&app, "[data-testid=generate]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=generate-started]') !== null
            || document.querySelector('[data-testid=generate-refused]') !== null",
        "Generate's outcome",
    )
    .await;
    let outcome = text_of(&app, "[data-testid=generate-outcome]").await;
    assert!(outcome.starts_with("Started"), "{outcome}");
    // The prompt stays, ready for the next variation.
    assert_eq!(
        app.run_js("return document.querySelector('[data-testid=prompt]').value")
            .await,
        json!("A paper boat drifts down a rainy street [Tracking shot]")
    );
    app.wait_for(
        "return [...document.querySelectorAll('[data-testid=job]')]
            .some((c) => c.innerText.includes('A paper boat drifts'))",
        "the new generation's card",
    )
    .await;
    // MiniMax allows 5 video requests a minute and the app keeps to it: the submit and the polls
    // use up the first minute, so fetching the video waits for the next one.
    let deadline = std::time::Instant::now() + Duration::from_secs(150);
    let done = "return document.querySelector('[data-testid=job]').dataset.state";
    while app.run_js(done).await != json!("done") {
        assert!(
            std::time::Instant::now() < deadline,
            "the generation was not done after 150 s: {}",
            text_of(&app, "[data-testid=job]").await
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(emulator.submits(Service::MinimaxGlobal), 1);
    let card = text_of(&app, "[data-testid=job]").await;
    assert!(card.contains("Charged $0.28"), "{card}");
    app.screen("queue-after-generate").await;

    // The downloaded video plays from the app's own media server.
    click(&app, "[data-testid=job] [data-testid=card-open]").await;
    app.wait_for(
        "const v = document.querySelector('[data-testid=player-video]');
         return v.readyState >= 2 && v.videoWidth === 1366 && v.currentTime > 0.5",
        "the generated video to play (readyState ≥ 2, 1366 wide, time running)",
    )
    .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_generation_is_made_again_only_after_its_price_is_confirmed() {
    use hailuo_emulator::{Emulator, EmulatorConfig, Service, TaskTiming};

    // Slow stages, so the test decides how each generation ends.
    let emulator = Emulator::start(EmulatorConfig {
        timing: TaskTiming::Elapsed {
            per_stage: Duration::from_secs(600),
        },
        ..EmulatorConfig::default()
    })
    .await
    .expect("the emulator starts");
    let mut env = emulator.env_vars();
    env.push(("HAILUO_STUDIO_QUICK_POLLING".to_owned(), "1".to_owned()));
    let app = app_with_keys(
        "a_failed_generation_is_made_again_only_after_its_price_is_confirmed",
        &env,
        &[("openrouter", "sk-or-v1-emulator-openrouter-key")],
    )
    .await;
    type_prompt(&app, "Lanterns float over a dark lake").await;
    app.wait_for(
        "return document.querySelector('[data-testid=generate]').textContent === 'Generate · $0.49'
            && !document.querySelector('[data-testid=generate]').disabled",
        "OpenRouter's price on Generate",
    )
    .await;
    click(&app, "[data-testid=generate]").await;
    app.wait_for(
        "const card = document.querySelector('[data-testid=job]');
         return card !== null && ['queued', 'running'].includes(card.dataset.state)",
        "the generation to reach OpenRouter",
    )
    .await;

    // Check now asks the service at once; the card stays as it is.
    click(&app, "[data-testid=job] [data-testid=card-check]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=job] [data-testid=card-check]')?.textContent === 'Check now'",
        "the check to come back",
    )
    .await;

    let first = emulator.task_ids(Service::OpenRouter);
    assert_eq!(first.len(), 1);
    assert!(emulator.fail_task(&first[0], 502, "the provider could not make this video"));
    app.wait_for(
        "return document.querySelector('[data-testid=job]').dataset.state === 'failed'",
        "the failure to reach the card",
    )
    .await;
    let failed = text_of(&app, "[data-testid=job]").await;
    assert!(failed.contains("Make again"), "{failed}");

    // Asking shows the price; cancelling sends nothing.
    click(&app, "[data-testid=job] [data-testid=card-retry]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=confirm-retry]') !== null",
        "the price of making it again",
    )
    .await;
    let question = text_of(&app, "[data-testid=confirm-retry]").await;
    assert!(
        question.contains("new generation at OpenRouter and costs $0.49"),
        "{question}"
    );
    app.screen("retry-price").await;
    click(&app, "[data-testid=confirm-retry-yes]").await;
    app.wait_for(
        "return document.querySelectorAll('[data-testid=job]').length === 2",
        "the new generation's card",
    )
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while emulator.submits(Service::OpenRouter) < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the retry never reached OpenRouter"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Stopping the new one asks first, then says the service may still charge.
    app.wait_for(
        "return document.querySelector('[data-testid=job] [data-testid=card-stop]') !== null",
        "the new card's stop button",
    )
    .await;
    click(&app, "[data-testid=job] [data-testid=card-stop]").await;
    click(&app, "[data-testid=confirm-stop-yes]").await;
    app.wait_for(
        "return document.querySelector('[data-testid=job]').dataset.state === 'cancelled'",
        "the new generation to be no longer followed",
    )
    .await;
    let stopped = text_of(&app, "[data-testid=job]").await;
    assert!(
        stopped.contains("may still finish it and charge"),
        "{stopped}"
    );
    assert_eq!(emulator.submits(Service::OpenRouter), 2);
    app.screen("after-retry-and-stop").await;
    app.close().await;
}
