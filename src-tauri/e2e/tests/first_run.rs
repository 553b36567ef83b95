//! A creator's first run, in the real app: the welcome screen, the window, no outside requests.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use hailuo_e2e::{App, ScreenProblem};
use serde_json::{json, Value};

#[tokio::test]
async fn a_first_run_shows_the_welcome_screen_with_every_service() {
    let app = App::launch("a_first_run_shows_the_welcome_screen_with_every_service")
        .start()
        .await;
    app.wait_ready().await;

    let text = app.text().await;
    assert!(text.contains("Make a video from a sentence"), "{text}");
    for step in ["Pick a service", "Add its API key", "Describe your video"] {
        assert!(text.contains(step), "missing step {step:?} in:\n{text}");
    }
    let cards = app
        .run_js(
            "return [...document.querySelectorAll('.provider-card h3')].map((h) => h.textContent)",
        )
        .await;
    assert_eq!(cards, json!(["MiniMax", "OpenRouter", "LinkModel"]));
    assert_eq!(
        app.run_js("return document.querySelectorAll('.error-box').length")
            .await,
        json!(0),
        "the welcome screen shows an error: {text}"
    );
    let broken_images = app
        .run_js(
            "return [...document.images].filter((i) => !i.complete || i.naturalWidth === 0)
                .map((i) => i.src)",
        )
        .await;
    assert_eq!(broken_images, json!([]), "pictures that did not load");
    // The cards are laid out side by side only when the stylesheet applied.
    let card_display = app
        .run_js("return getComputedStyle(document.querySelector('.provider-cards')).display")
        .await;
    assert_eq!(card_display, json!("grid"), "the stylesheet did not apply");

    app.screen("welcome").await;
    app.desktop_screen("welcome").await;
    app.close().await;
}

/// scripts/benchmark.sh times the start from this mark, which the page leaves when it is usable.
#[tokio::test]
async fn the_ui_marks_the_moment_it_became_usable() {
    let app = App::launch("the_ui_marks_the_moment_it_became_usable")
        .start()
        .await;
    app.wait_ready().await;

    let mark = app
        .run_js(
            "const marks = performance.getEntriesByName('studio-ready');
             return marks.map((m) => ({ type: m.entryType, early: m.startTime > 0 && m.startTime <= performance.now() }))",
        )
        .await;
    assert_eq!(mark, json!([{ "type": "mark", "early": true }]));
    app.close().await;
}

#[tokio::test]
async fn the_window_is_titled_hailuo_studio() {
    let app = App::launch("the_window_is_titled_hailuo_studio")
        .start()
        .await;
    app.wait_ready().await;

    assert_eq!(
        app.client().title().await.unwrap(),
        "Hailuo Studio",
        "the page title"
    );
    assert_eq!(
        app.native_window_titles(),
        vec!["Hailuo Studio".to_owned()],
        "the X window of this app"
    );
    app.close().await;
}

#[tokio::test]
async fn the_ui_loads_nothing_from_outside_the_app() {
    let app = App::launch("the_ui_loads_nothing_from_outside_the_app")
        .start()
        .await;
    app.wait_ready().await;

    // Everything the page refers to: scripts, styles, images, links.
    let referenced = app
        .run_js(
            "return [location.href, ...[...document.querySelectorAll('[src], [href]')]
                .map((node) => node.src || node.href)]",
        )
        .await;
    let referenced = urls_in(&referenced);
    assert!(
        referenced.iter().any(|url| url.ends_with("/js/main.js")),
        "the page's own scripts are missing from {referenced:?}"
    );
    // Everything the page fetched: WebKit lists loads over the network, not the app's own
    // tauri:// files.
    let fetched_script =
        "return performance.getEntriesByType('resource').map((entry) => entry.name)";
    let fetched = app.run_js(fetched_script).await;
    for url in referenced.iter().chain(&urls_in(&fetched)) {
        assert!(
            is_inside_the_app(url),
            "the UI reached outside the app: {url}\nreferenced: {referenced:?}\nfetched: {fetched}"
        );
    }

    // The check can see a network load: one from a loopback server shows up in the same list.
    let server = LoopbackImage::serve();
    app.run_js(&format!(
        "document.body.append(Object.assign(new Image(), {{ src: '{}' }})); return null",
        server.url
    ))
    .await;
    app.wait_for(
        &format!(
            "return performance.getEntriesByType('resource').some((entry) => entry.name === '{}')",
            server.url
        ),
        "the loopback image to be listed as fetched",
    )
    .await;
    assert!(
        server.was_asked(),
        "the listed image never reached the server"
    );
    app.close().await;
}

fn urls_in(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list of URLs: {list}"))
        .iter()
        .map(|url| url.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Tauri serves the UI from `tauri://localhost` and answers IPC on `ipc://localhost` on Linux;
/// the library's video server is on 127.0.0.1.
fn is_inside_the_app(url: &str) -> bool {
    let app_origins = ["tauri://localhost", "ipc://localhost"];
    app_origins
        .iter()
        .any(|origin| url == *origin || url.starts_with(&format!("{origin}/")))
        || ["http://127.0.0.1:", "data:", "blob:"]
            .iter()
            .any(|local| url.starts_with(local))
}

/// A one-picture HTTP server on 127.0.0.1 that remembers being asked.
struct LoopbackImage {
    url: String,
    asked: Arc<AtomicBool>,
}

impl LoopbackImage {
    fn serve() -> LoopbackImage {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a free loopback port");
        let url = format!(
            "http://127.0.0.1:{}/probe.svg",
            listener
                .local_addr()
                .expect("the listener's address")
                .port()
        );
        let asked = Arc::new(AtomicBool::new(false));
        let flag = asked.clone();
        std::thread::spawn(move || {
            let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>"#;
            for mut stream in listener.incoming().map_while(Result::ok) {
                let mut request = [0u8; 2048];
                let _ = stream.read(&mut request);
                flag.store(true, Ordering::SeqCst);
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: image/svg+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{svg}",
                    svg.len()
                );
            }
        });
        LoopbackImage { url, asked }
    }

    fn was_asked(&self) -> bool {
        self.asked.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn the_welcome_screen_appears_only_after_the_app_answered() {
    let app = App::launch("the_welcome_screen_appears_only_after_the_app_answered")
        .start()
        .await;
    app.wait_ready().await;

    // The version on the page comes from the app_status command, not from the HTML.
    let shown = app
        .run_js("return document.getElementById('app').dataset.version")
        .await;
    assert_eq!(shown, json!(env!("CARGO_PKG_VERSION")));

    // The app keeps this test's data in this test's folder: the launch's environment arrived.
    let status = app.invoke("app_status", json!({})).await.unwrap();
    let library = status["libraryDir"].as_str().unwrap();
    assert!(
        library.starts_with(app.data_dir().to_str().unwrap()),
        "library {library} is outside {}",
        app.data_dir().display()
    );
    assert_eq!(status["providersWithKeys"], json!([]));

    // A command the window may not call is refused by the capability, with the command's name.
    let refused = app.invoke("no_such_command", json!({})).await.unwrap_err();
    assert!(refused.to_string().contains("no_such_command"), "{refused}");
    app.close().await;
}

#[tokio::test]
async fn a_script_error_shows_a_calm_notice_and_fails_the_screen_check() {
    let app = App::launch("a_script_error_shows_a_calm_notice_and_fails_the_screen_check")
        .start()
        .await;
    app.wait_ready().await;
    app.screen("before").await;

    app.run_js("setTimeout(() => { throw new Error('the e2e suite broke this on purpose'); }); return null")
        .await;
    app.run_js("Promise.reject(new Error('an unhandled rejection on purpose')); return null")
        .await;
    app.wait_for(
        "return document.body.dataset.scriptErrors === '2'",
        "both errors to be counted",
    )
    .await;

    let notice = app
        .run_js("return document.getElementById('notices').innerText")
        .await;
    let notice = notice.as_str().unwrap();
    assert!(
        notice.contains("Something on this screen went wrong"),
        "{notice}"
    );
    assert!(
        !notice.contains("on purpose"),
        "the creator sees the calm notice, not the developer's message: {notice}"
    );
    match app.try_screen("after-error").await {
        Err(ScreenProblem::ScriptErrors { count: 2, last }) => {
            assert!(last.contains("an unhandled rejection on purpose"), "{last}");
        }
        other => panic!("a page with script errors passed the screen check: {other:?}"),
    }
    app.close().await;
}

#[tokio::test]
async fn a_blank_page_fails_the_screen_check() {
    let app = App::launch("a_blank_page_fails_the_screen_check")
        .start()
        .await;
    app.wait_ready().await;

    app.run_js("document.body.replaceChildren(); return null")
        .await;
    assert_eq!(app.try_screen("blank").await, Err(ScreenProblem::NoText));

    // Text the same colour as the background: WebDriver finds text, the picture shows none.
    app.run_js(
        "document.body.replaceChildren(Object.assign(document.createElement('p'), {textContent: 'invisible'}));
         document.body.style.cssText = 'background: #fff; color: #fff';
         document.documentElement.style.background = '#fff';
         return null",
    )
    .await;
    assert!(matches!(
        app.try_screen("invisible").await,
        Err(ScreenProblem::NearlyOneColour { .. })
    ));
    app.close().await;
}

#[tokio::test]
async fn a_relaunched_app_keeps_its_data_folder() {
    let app = App::launch("a_relaunched_app_keeps_its_data_folder")
        .start()
        .await;
    app.wait_ready().await;
    let before = app.invoke("app_status", json!({})).await.unwrap();
    let data_dir = app.data_dir();

    let app = app.relaunch().await;
    app.wait_ready().await;
    let after = app.invoke("app_status", json!({})).await.unwrap();
    assert_eq!(app.data_dir(), data_dir);
    assert_eq!(after["libraryDir"], before["libraryDir"]);
    app.screen("relaunched").await;
    app.close().await;
}
