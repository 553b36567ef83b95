//! The money commands through the real wiring on Tauri's mock runtime: quotes, budgets, the ledger.
#![allow(clippy::unwrap_used)] // a test helper that fails should panic with the cause

use std::sync::{Arc, Mutex};

use hailuo_core::keys::MemoryKeyStore;
use hailuo_core::ledger::Ledger;
use hailuo_core::paths::StudioPaths;
use hailuo_core::pricing::quote;
use hailuo_core::{GenerationRequest, Model, Provider, Resolution};
use hailuo_studio::{run_app, KeyStoreOverride};
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};
use time::macros::datetime;

/// The data-dir variable is process-wide and read during start-up, so boots take turns.
static BOOTING: Mutex<()> = Mutex::new(());

fn boot(data_dir: &std::path::Path) -> tauri::App<MockRuntime> {
    let _turn = BOOTING.lock().unwrap_or_else(|p| p.into_inner());
    std::env::set_var("HAILUO_STUDIO_DATA_DIR", data_dir);
    let keys = Arc::new(MemoryKeyStore::default());
    let mut app = run_app(mock_builder().manage(KeyStoreOverride(keys)))
        // The real context, so the real capability file decides what the window may call.
        .build(tauri::generate_context!())
        .expect("the app builds on the mock runtime");
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    app
}

fn invoke(app: &tauri::App<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let window = app.get_webview_window("main").unwrap_or_else(|| {
        WebviewWindowBuilder::new(app, "main", Default::default())
            .build()
            .unwrap()
    });
    get_ipc_response(
        &window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|response| response.deserialize().unwrap())
}

/// Sets the monthly budgets the way the Settings screen does.
fn set_budget(app: &tauri::App<MockRuntime>, budgets: Value) {
    let mut settings = invoke(app, "get_settings", json!({})).unwrap();
    settings["monthlyBudgets"] = budgets;
    invoke(app, "update_settings", json!({ "settings": settings })).unwrap();
}

fn linkmodel_1080p() -> Value {
    json!({
        "provider": "linkmodel",
        "model": "hailuo-2.3",
        "prompt": "A kite over dunes",
        "duration": 6,
        "resolution": "1080P",
        "promptOptimizer": false
    })
}

#[test]
fn the_price_line_shows_the_estimate_and_the_same_video_elsewhere() {
    let data_dir = tempfile::tempdir().unwrap();
    let app = boot(data_dir.path());
    let answer = invoke(
        &app,
        "quote_generation",
        json!({ "request": linkmodel_1080p() }),
    )
    .unwrap();
    assert_eq!(
        answer["quote"]["price"],
        json!({"amount": "0.392", "currency": "USD"})
    );
    assert_eq!(answer["quote"]["basis"]["kind"], "estimate");
    assert_eq!(answer["overBudget"], Value::Null);
    let elsewhere: Vec<(String, String)> = answer["elsewhere"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let provider = e["quote"]["provider"].as_str().or(e["provider"].as_str());
            let price = e["quote"]["label"].as_str().unwrap_or("not possible");
            (provider.unwrap().to_owned(), price.to_owned())
        })
        .collect();
    assert_eq!(
        elsewhere,
        [
            (
                "minimax-global".into(),
                "$0.49 — MiniMax list price (checked 2026-11)".into()
            ),
            (
                "minimax-china".into(),
                "¥3.50 — MiniMax China list price (checked 2026-11)".into()
            ),
            (
                "openrouter".into(),
                "$0.49 — OpenRouter charges $0.0817 per second × 6 s (checked 2026-11)".into()
            ),
        ]
    );
}

#[test]
fn an_invalid_request_gets_no_price_but_the_reason() {
    let data_dir = tempfile::tempdir().unwrap();
    let app = boot(data_dir.path());
    let mut request = linkmodel_1080p();
    request["duration"] = json!(10);
    let err = invoke(&app, "quote_generation", json!({ "request": request })).unwrap_err();
    assert_eq!(err["kind"], "invalid-request");
    assert_eq!(
        err["message"],
        "1080P videos can only be 6 seconds long. Choose 768P for a 10-second video."
    );
}

#[test]
fn spending_and_the_budget_come_from_the_ledger_in_the_state_folder() {
    let data_dir = tempfile::tempdir().unwrap();
    // A generation left running by an earlier session, this month.
    let request = GenerationRequest {
        provider: Provider::MinimaxGlobal,
        model: Model::Hailuo23,
        prompt: "A lighthouse at dusk".into(),
        first_frame: None,
        duration: 6,
        resolution: Resolution::P1080,
        prompt_optimizer: true,
        fast_pretreatment: false,
    };
    let now = time::OffsetDateTime::now_utc();
    {
        let ledger = Ledger::open(&StudioPaths::under(data_dir.path()).state_dir).unwrap();
        ledger
            .record_submit("g-earlier", &request, &quote(&request).unwrap(), now)
            .unwrap();
        // Accepted by the service: a line with its task id is followed, never settled as
        // "never sent" at start.
        ledger
            .record_task_id("g-earlier", "task-earlier", now)
            .unwrap();
        ledger
            .record_submit(
                "g-old",
                &request,
                &quote(&request).unwrap(),
                datetime!(2020-01-15 12:00 UTC),
            )
            .unwrap();
        ledger
            .record_list_price_charge("g-old", datetime!(2020-01-15 12:05 UTC))
            .unwrap();
    }
    let app = boot(data_dir.path());
    set_budget(&app, json!({ "USD": "1.00" }));
    let summary = invoke(&app, "spending_summary", json!({ "utcOffsetMinutes": 0 })).unwrap();
    assert_eq!(summary["inFlight"][0]["total"]["amount"], "0.49");
    assert_eq!(summary["allTime"][0]["total"]["amount"], "0.49");
    assert_eq!(summary["thisMonth"], json!([]));
    assert_eq!(
        summary["budgets"],
        json!([{
            "limit": {"amount": "1.00", "currency": "USD"},
            "spent": {"amount": "0", "currency": "USD"},
            "inFlight": {"amount": "0.49", "currency": "USD"},
            "atRisk": {"amount": "0", "currency": "USD"},
            "left": {"amount": "0.51", "currency": "USD"}
        }])
    );

    // The same video again would pass the budget: the price line says so before any submit.
    let mut again = serde_json::to_value(&request).unwrap();
    again["prompt"] = json!("A lighthouse at dawn");
    set_budget(&app, json!({ "USD": "0.90" }));
    let answer = invoke(
        &app,
        "quote_generation",
        json!({ "request": again, "utcOffsetMinutes": 0 }),
    )
    .unwrap();
    assert_eq!(
        answer["overBudget"],
        "This video would cost $0.49, more than the $0.41 left of your monthly budget of $0.90. \
         This month $0.00 is spent and $0.49 is in videos still being made. \
         You can change the budget in Settings."
    );
}
