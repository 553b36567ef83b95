//! Settings' Help section and a second launch, in the real app.

use fantoccini::Locator;
use hailuo_e2e::App;
use serde_json::json;

#[tokio::test]
async fn copy_diagnostics_in_settings_says_copied() {
    let app = App::launch("copy_diagnostics_in_settings_says_copied")
        .start()
        .await;
    app.wait_ready().await;
    app.run_js("document.querySelector('[data-testid=settings]').click(); return true")
        .await;
    app.wait_for(
        "return document.querySelector('[data-testid=copy-diagnostics]') !== null",
        "the Copy diagnostics button",
    )
    .await;
    app.run_js(
        "document.querySelector('[data-testid=copy-diagnostics]').scrollIntoView(); return true",
    )
    .await;
    // A WebDriver click, like a creator's: the clipboard only opens to a real gesture.
    app.client()
        .find(Locator::Css("[data-testid=copy-diagnostics]"))
        .await
        .expect("the Copy diagnostics button")
        .click()
        .await
        .expect("the button can be clicked");
    app.wait_for(
        "const s = document.querySelector('[data-testid=diagnostics-state]').textContent;
         return s.startsWith('Copied') || s.startsWith('Selected below')",
        "the diagnostics to be copied (or shown for Ctrl+C)",
    )
    .await;
    let state = app
        .run_js("return document.querySelector('[data-testid=diagnostics-state]').textContent")
        .await;
    assert_eq!(
        state,
        json!("Copied. Paste it into your message to support."),
        "the clipboard took the report"
    );
    // Either way the report is the command's: check what it says.
    let report = app
        .invoke("copy_diagnostics", json!({}))
        .await
        .expect("copy_diagnostics answers");
    let report = report.as_str().expect("text");
    assert!(report.starts_with("Hailuo Studio "), "{report}");
    assert!(report.contains("API keys saved:"), "{report}");
    assert!(
        report.contains("Hailuo Studio starts"),
        "the log's lines: {report}"
    );
    let errors = app
        .run_js("return document.querySelectorAll('.error-box').length")
        .await;
    assert_eq!(errors, json!(0), "Settings shows an error ({state})");
    app.screen("settings-help").await;
    app.desktop_screen("settings-help").await;
    app.close().await;
}

#[tokio::test]
async fn opening_the_app_again_hands_over_to_the_running_window() {
    let app = App::launch("opening_the_app_again_hands_over_to_the_running_window")
        .start()
        .await;
    app.wait_ready().await;
    let second = app.launch_again(std::time::Duration::from_secs(30));
    assert!(
        second.is_some_and(|status| status.success()),
        "a second launch should hand over and quit at once, it ended with {second:?}"
    );
    // The first window is still there and answers.
    let status = app
        .invoke("app_status", json!({}))
        .await
        .expect("the running app still answers");
    assert_eq!(status["libraryReadOnly"], json!(null));
    app.close().await;
}
