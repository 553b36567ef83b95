//! The request log that tests elsewhere read field by field.

use hailuo_emulator::{Host, Service};
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn every_request_is_recorded_in_order_with_lowercased_headers_query_and_body() {
    let emulator = start().await;
    let body = json!({"model":"minimax/hailuo-2.3","prompt":"A kite","resolution":"1080p"});
    authed(
        &emulator,
        Service::OpenRouter,
        reqwest::Method::POST,
        "/videos",
    )
    .header("X-Title", "Hailuo Studio")
    .json(&body)
    .send()
    .await
    .expect("answer");
    get_json(
        &emulator,
        Service::MinimaxGlobal,
        "/v1/query/video_generation?task_id=42",
    )
    .await;
    client()
        .get(format!(
            "{}/api/v1/nowhere",
            emulator
                .base_url(Service::LinkModel)
                .trim_end_matches("/api/v1")
        ))
        .send()
        .await
        .expect("answer");

    let requests = emulator.requests();
    assert_eq!(requests.len(), 3);
    let submit = &requests[0];
    assert_eq!(
        (submit.service, submit.host),
        (Some(Service::OpenRouter), Host::Api)
    );
    assert_eq!(
        (submit.method.as_str(), submit.path.as_str()),
        ("POST", "/api/v1/videos")
    );
    assert_eq!(submit.body.as_ref(), Some(&body));
    assert_eq!(submit.header("x-title"), Some("Hailuo Studio"));
    assert_eq!(
        submit.headers.get("authorization").map(String::as_str),
        Some(format!("Bearer {}", emulator.key(Service::OpenRouter)).as_str())
    );
    let query = &requests[1];
    assert_eq!(query.service, Some(Service::MinimaxGlobal));
    assert_eq!(query.query_param("task_id"), Some("42"));
    assert_eq!(query.body, None);
    let unknown = &requests[2];
    assert_eq!(
        (unknown.service, unknown.path.as_str()),
        (Some(Service::LinkModel), "/api/v1/nowhere")
    );
    assert!(requests[0].at <= requests[1].at && requests[1].at <= requests[2].at);
    assert_eq!(emulator.requests_to(Service::MinimaxGlobal).len(), 1);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_kept_as_text() {
    let emulator = start().await;
    authed(
        &emulator,
        Service::LinkModel,
        reqwest::Method::POST,
        "/video-generation",
    )
    .body("model=MiniMax-Hailuo-2.3")
    .send()
    .await
    .expect("answer");
    assert_eq!(
        emulator.requests()[0].body,
        Some(json!("model=MiniMax-Hailuo-2.3"))
    );
}

#[tokio::test]
async fn env_vars_point_the_app_at_every_api_host() {
    let emulator = start().await;
    let vars = emulator.env_vars();
    let names: Vec<&str> = vars.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "HAILUO_STUDIO_MINIMAX_BASE_URL",
            "HAILUO_STUDIO_MINIMAX_CHINA_BASE_URL",
            "HAILUO_STUDIO_OPENROUTER_BASE_URL",
            "HAILUO_STUDIO_LINKMODEL_BASE_URL",
            // MiniMax China's older name (issue 18): the app tries both.
            "HAILUO_STUDIO_MINIMAX_CHINA_OLD_BASE_URL",
        ]
    );
    assert!(vars[2].1.ends_with("/api/v1") && vars[3].1.ends_with("/api/v1"));
    assert!(!vars[0].1.ends_with("/api/v1"));
    let distinct: std::collections::HashSet<_> = vars.iter().map(|(_, url)| url).collect();
    assert_eq!(distinct.len(), 5);
}
