//! OpenRouter's video API.

use hailuo_emulator::{Emulator, EmulatorConfig, PollingUrl, Service, TaskStatus};
use serde_json::{json, Value};

use crate::common::*;

const OR: Service = Service::OpenRouter;

fn text_to_video() -> Value {
    json!({"model":"minimax/hailuo-2.3","prompt":"A lighthouse at dusk","duration":6,"resolution":"1080p","aspect_ratio":"16:9"})
}

async fn submit(emulator: &Emulator, body: &Value) -> (u16, Value) {
    post_json(emulator, OR, "/videos", body).await
}

async fn accepted_id(emulator: &Emulator) -> String {
    let (status, answer) = submit(emulator, &text_to_video()).await;
    assert_eq!(status, 202, "{answer}");
    answer["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn a_submit_is_accepted_with_202_pending_and_a_relative_or_absolute_polling_url() {
    let emulator = start().await;
    let (status, answer) = submit(&emulator, &text_to_video()).await;
    assert_eq!(status, 202);
    let id = answer["id"].as_str().expect("id");
    assert_eq!(answer["status"], "pending");
    assert_eq!(answer["polling_url"], format!("/api/v1/videos/{id}"));
    assert!(answer["generation_id"]
        .as_str()
        .is_some_and(|g| g.starts_with("gen-")));

    let absolute = start_with(EmulatorConfig {
        openrouter_polling_url: PollingUrl::Absolute,
        ..EmulatorConfig::default()
    })
    .await;
    let (_, answer) = submit(&absolute, &text_to_video()).await;
    let polling_url = answer["polling_url"].as_str().expect("polling url");
    assert_eq!(
        polling_url,
        format!(
            "{}/videos/{}",
            absolute.base_url(OR),
            answer["id"].as_str().expect("id")
        )
    );
    let polled = client()
        .get(polling_url)
        .bearer_auth(absolute.key(OR))
        .send()
        .await
        .expect("poll");
    assert_eq!(polled.status(), 200);
}

#[tokio::test]
async fn a_job_goes_pending_in_progress_completed_with_urls_and_its_cost_charged_once() {
    let emulator = start().await;
    let id = accepted_id(&emulator).await;
    let mut seen = Vec::new();
    let mut last = Value::Null;
    for _ in 0..5 {
        let (status, answer) = get_json(&emulator, OR, &format!("/videos/{id}")).await;
        assert_eq!(status, 200);
        seen.push(answer["status"].as_str().unwrap_or_default().to_string());
        last = answer;
    }
    assert_eq!(
        seen,
        [
            "pending",
            "pending",
            "in_progress",
            "completed",
            "completed"
        ]
    );
    assert_eq!(last["usage"], json!({"cost":0.49,"is_byok":false}));
    let content = format!("{}/videos/{id}/content?index=0", emulator.base_url(OR));
    assert_eq!(last["unsigned_urls"], json!([content]));
    assert!((emulator.openrouter_usage() - 0.49).abs() < 1e-9);
    let (_, key) = get_json(&emulator, OR, "/key").await;
    assert_eq!(key["data"]["usage"], 0.49);
    assert_eq!(key["data"]["limit"], Value::Null);
}

#[tokio::test]
async fn the_content_endpoint_needs_the_key_and_serves_the_h264_video() {
    let emulator = start().await;
    let id = accepted_id(&emulator).await;
    let content = format!("{}/videos/{id}/content?index=0", emulator.base_url(OR));
    let early = client()
        .get(&content)
        .bearer_auth(emulator.key(OR))
        .send()
        .await
        .expect("answer");
    assert_eq!(early.status(), 409);
    emulator.finish_task_now(&id);

    let anonymous = client().get(&content).send().await.expect("answer");
    assert_eq!(anonymous.status(), 401);
    let body: Value = anonymous.json().await.expect("json");
    assert_eq!(body["error"]["code"], 401);

    let video = client()
        .get(&content)
        .bearer_auth(emulator.key(OR))
        .send()
        .await
        .expect("video");
    assert_eq!(video.status(), 200);
    let bytes = video.bytes().await.expect("bytes");
    assert_eq!(h264_size(&bytes), Some((1920, 1080)));
    let other = client()
        .get(format!(
            "{}/videos/{id}/content?index=1",
            emulator.base_url(OR)
        ))
        .bearer_auth(emulator.key(OR))
        .send()
        .await
        .expect("answer");
    assert_eq!(other.status(), 404);
}

#[tokio::test]
async fn a_missing_or_wrong_key_gets_401_in_openrouters_error_shape() {
    let emulator = start().await;
    for key in [None, Some("sk-or-v1-wrong")] {
        let mut request = client()
            .post(format!("{}/videos", emulator.base_url(OR)))
            .json(&text_to_video());
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let answer = request.send().await.expect("answer");
        assert_eq!(answer.status(), 401);
        let body: Value = answer.json().await.expect("json");
        assert_eq!(body["error"]["code"], 401);
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    let unknown = get_json(&emulator, OR, "/videos/job-nope").await;
    assert_eq!(unknown.0, 404);
    assert_eq!(unknown.1["error"]["code"], 404);
    assert_eq!(emulator.submits(OR), 0);
}

#[tokio::test]
async fn unsupported_parameters_get_400_and_no_job() {
    let emulator = start().await;
    let with = |field: &str, value: Value| {
        let mut body = text_to_video();
        body[field] = value;
        body
    };
    let frame = |frame_type: &str, url: String| json!([{"type":"image_url","image_url":{"url":url},"frame_type":frame_type}]);
    let refused = [
        with("model", json!("minimax/hailuo-2.3-fast")),
        with("prompt", json!("")),
        with("prompt", json!("a".repeat(2001))),
        with("resolution", json!("1080P")),
        with("resolution", json!("720p")),
        with("duration", json!(8)),
        with("duration", json!(10)), // 10 s at 1080p
        with("aspect_ratio", json!("9:16")),
        with("size", json!("1920x1080")), // with resolution too
        with("frame_images", json!([{"url": png_data_url(1280, 720)}])),
        with("frame_images", frame("last_frame", png_data_url(1280, 720))),
        with(
            "frame_images",
            frame("first_frame", "ftp://example.com/a.png".into()),
        ),
    ];
    for body in &refused {
        let (status, answer) = submit(&emulator, body).await;
        assert_eq!(status, 400, "{body} → {answer}");
        assert_eq!(answer["error"]["code"], 400);
    }
    assert_eq!(emulator.submits(OR), 0);

    let mut by_size = text_to_video();
    by_size
        .as_object_mut()
        .expect("object")
        .remove("resolution");
    by_size["size"] = json!("1366x768");
    let accepted = [
        with("resolution", json!("768p")),
        with(
            "frame_images",
            frame("first_frame", png_data_url(1280, 720)),
        ),
        with(
            "frame_images",
            frame("first_frame", "https://example.com/a.png".into()),
        ),
        by_size,
    ];
    for body in &accepted {
        let (status, answer) = submit(&emulator, body).await;
        assert_eq!(status, 202, "{body} → {answer}");
    }
}

#[tokio::test]
async fn the_unknown_facts_are_switches() {
    let strict = start_with(EmulatorConfig {
        openrouter_accepts_768p: false,
        openrouter_passthrough_keys: Some(vec!["prompt_optimizer".into()]),
        ..EmulatorConfig::default()
    })
    .await;
    let mut body = text_to_video();
    body["resolution"] = json!("768p");
    assert_eq!(submit(&strict, &body).await.0, 400);
    let mut passthrough = text_to_video();
    passthrough["provider"] =
        json!({"options":{"minimax":{"parameters":{"prompt_optimizer":false}}}});
    assert_eq!(submit(&strict, &passthrough).await.0, 202);
    passthrough["provider"]["options"]["minimax"]["parameters"]["fast_pretreatment"] = json!(true);
    assert_eq!(submit(&strict, &passthrough).await.0, 400);

    let lenient = start_with(EmulatorConfig {
        openrouter_allows_10s_at_1080p: true,
        ..EmulatorConfig::default()
    })
    .await;
    let mut ten = text_to_video();
    ten["duration"] = json!(10);
    assert_eq!(submit(&lenient, &ten).await.0, 202);
    assert_eq!(submit(&lenient, &passthrough).await.0, 202);
}

#[tokio::test]
async fn a_body_over_50_mib_gets_413() {
    let emulator = start().await;
    let mut body = text_to_video();
    body["frame_images"] = json!([{"type":"image_url","image_url":{"url":format!("data:image/png;base64,{}", "A".repeat(50 * 1024 * 1024))},"frame_type":"first_frame"}]);
    let (status, answer) = submit(&emulator, &body).await;
    assert_eq!(status, 413);
    assert_eq!(answer["error"]["code"], 413);
    assert_eq!(emulator.submits(OR), 0);
}

#[tokio::test]
async fn failed_cancelled_and_expired_jobs_carry_an_error() {
    let emulator = start().await;
    for (status, expected) in [
        (TaskStatus::Failed, "failed"),
        (TaskStatus::Cancelled, "cancelled"),
        (TaskStatus::Expired, "expired"),
    ] {
        let id = accepted_id(&emulator).await;
        if status == TaskStatus::Failed {
            emulator.fail_task(&id, 1027, "The generated video was flagged");
        } else {
            emulator.set_task_status(&id, status);
        }
        let (_, answer) = get_json(&emulator, OR, &format!("/videos/{id}")).await;
        assert_eq!(answer["status"], expected);
        assert!(
            answer["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{answer}"
        );
        assert!(answer.get("unsigned_urls").is_none());
    }
    assert_eq!(emulator.openrouter_usage(), 0.0);
}

#[tokio::test]
async fn a_key_past_its_credit_limit_gets_402() {
    let emulator = start_with(EmulatorConfig {
        openrouter_credit_limit: Some(1.0),
        ..EmulatorConfig::default()
    })
    .await;
    for _ in 0..2 {
        let id = accepted_id(&emulator).await;
        emulator.finish_task_now(&id);
        get_json(&emulator, OR, &format!("/videos/{id}")).await;
    }
    let (_, key) = get_json(&emulator, OR, "/key").await;
    assert_eq!(key["data"]["limit"], 1.0);
    assert!((key["data"]["limit_remaining"].as_f64().expect("remaining") - 0.02).abs() < 1e-9);
    let (status, answer) = submit(&emulator, &text_to_video()).await;
    assert_eq!(status, 402);
    assert_eq!(answer["error"]["code"], 402);
}
