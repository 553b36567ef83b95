//! Settings' Help section in the real app: "Copy diagnostics" gathers a key-free report.

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
