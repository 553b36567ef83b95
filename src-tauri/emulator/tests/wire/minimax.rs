//! MiniMax direct, global and China hosts.

use hailuo_emulator::{EmulatorConfig, MinimaxFailReason, Service, TaskStatus};
use serde_json::{json, Value};

use crate::common::*;

const GLOBAL: Service = Service::MinimaxGlobal;

fn text_to_video() -> Value {
    json!({"model":"MiniMax-Hailuo-2.3","prompt":"A man picks up a book [Pedestal up]","prompt_optimizer":false,"duration":6,"resolution":"1080P"})
}

async fn submit(emulator: &hailuo_emulator::Emulator, service: Service, body: &Value) -> Value {
    let (status, answer) = post_json(emulator, service, "/v1/video_generation", body).await;
    assert_eq!(status, 200);
    answer
}

async fn query(emulator: &hailuo_emulator::Emulator, service: Service, task_id: &str) -> Value {
    let (status, answer) = get_json(
        emulator,
        service,
        &format!("/v1/query/video_generation?task_id={task_id}"),
    )
    .await;
    assert_eq!(status, 200);
    answer
}

#[tokio::test]
async fn a_task_goes_preparing_queueing_processing_then_success_with_a_string_file_id() {
    let emulator = start().await;
    let answer = submit(&emulator, GLOBAL, &text_to_video()).await;
    assert_eq!(
        answer["base_resp"],
        json!({"status_code":0,"status_msg":"success"})
    );
    let task_id = answer["task_id"].as_str().expect("task_id is a string");
    assert!(!task_id.is_empty() && task_id.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(emulator.submits(GLOBAL), 1);

    let mut seen = Vec::new();
    for _ in 0..4 {
        let answer = query(&emulator, GLOBAL, task_id).await;
        assert_eq!(answer["task_id"], task_id);
        seen.push(answer["status"].as_str().unwrap_or_default().to_string());
        if answer["status"] != "Success" {
            assert!(
                answer.get("file_id").is_none(),
                "file_id only on Success: {answer}"
            );
            assert!(answer.get("video_width").is_none());
        } else {
            assert!(
                answer["file_id"].is_string(),
                "string in the query: {answer}"
            );
            assert_eq!(answer["video_width"], 1920);
            assert_eq!(answer["video_height"], 1080);
        }
    }
    assert_eq!(seen, ["Preparing", "Queueing", "Processing", "Success"]);
}

#[tokio::test]
async fn retrieve_gives_a_numeric_file_id_its_bytes_and_a_cdn_link_that_needs_no_key() {
    let emulator = start().await;
    let task_id = submit(&emulator, GLOBAL, &text_to_video()).await["task_id"]
        .as_str()
        .expect("task id")
        .to_string();
    assert!(emulator.finish_task_now(&task_id));
    let file_id = query(&emulator, GLOBAL, &task_id).await["file_id"]
        .as_str()
        .expect("file id")
        .to_string();

    let (status, answer) = get_json(
        &emulator,
        GLOBAL,
        &format!("/v1/files/retrieve?file_id={file_id}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(answer["base_resp"]["status_code"], 0);
    let file = &answer["file"];
    assert_eq!(
        file["file_id"].as_u64().map(|n| n.to_string()),
        Some(file_id)
    );
    assert_eq!(file["filename"], "output_aigc.mp4");
    assert_eq!(file["purpose"], "video_generation");
    assert!(file["created_at"].as_u64().is_some());
    let url = file["download_url"].as_str().expect("download_url");
    assert!(url.starts_with(&emulator.cdn_url()), "{url}");

    let video = client().get(url).send().await.expect("download");
    assert_eq!(video.status(), 200);
    assert_eq!(video.headers()["content-type"], "video/mp4");
    let bytes = video.bytes().await.expect("video bytes");
    assert_eq!(Some(bytes.len() as u64), file["bytes"].as_u64());
    assert_eq!(h264_size(&bytes), Some((1920, 1080)));
    let cdn_request = emulator.requests().pop().expect("recorded");
    assert_eq!(cdn_request.host, hailuo_emulator::Host::Cdn);
    assert_eq!(cdn_request.service, Some(GLOBAL));
    assert_eq!(cdn_request.header("authorization"), None);
}

#[tokio::test]
async fn a_missing_key_gets_1004_and_a_wrong_or_other_region_key_gets_2049_with_http_200() {
    let emulator = start().await;
    let url = format!("{}/v1/video_generation", emulator.base_url(GLOBAL));
    let cases = [
        (None, 1004),
        (Some(emulator.key(Service::MinimaxChina)), 2049),
        (Some("not-a-key".to_string()), 2049),
    ];
    for (key, code) in cases {
        let mut request = client().post(&url).json(&text_to_video());
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let answer = request.send().await.expect("answer");
        assert_eq!(answer.status(), 200);
        let body: Value = answer.json().await.expect("json");
        assert_eq!(body["base_resp"]["status_code"], code, "{body}");
    }
    let china = post_json(
        &emulator,
        Service::MinimaxChina,
        "/v1/video_generation",
        &text_to_video(),
    )
    .await;
    assert_eq!(china.1["base_resp"]["status_code"], 0);
    assert_eq!(emulator.submits(GLOBAL), 0);
    assert_eq!(emulator.submits(Service::MinimaxChina), 1);
}

#[tokio::test]
async fn every_documented_rule_is_enforced_with_2013_and_no_task() {
    let emulator = start().await;
    let base = text_to_video();
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = base.clone();
        body.as_object_mut().expect("object").remove(field);
        body
    };
    let refused = [
        with("model", json!("MiniMax-Hailuo-02")),
        without("model"),
        without("prompt"),
        with("prompt", json!("")),
        with("prompt", json!("灯".repeat(2001))),
        with("duration", json!(8)),
        with("duration", json!("6")),
        with("resolution", json!("1080p")),
        with("resolution", json!("720P")),
        with("duration", json!(10)),                     // 10 s at 1080P
        with("model", json!("MiniMax-Hailuo-2.3-Fast")), // Fast without a first frame
        with("first_frame_image", json!("http://example.com/a.png")),
        with("first_frame_image", json!(png_data_url(200, 400))),
        with("prompt_optimizer", json!("no")),
    ];
    for body in &refused {
        let answer = submit(&emulator, GLOBAL, body).await;
        assert_eq!(
            answer["base_resp"]["status_code"], 2013,
            "{body} → {answer}"
        );
        assert!(answer["base_resp"]["status_msg"]
            .as_str()
            .is_some_and(|m| m.starts_with("invalid params")));
    }
    assert_eq!(emulator.submits(GLOBAL), 0);

    let accepted = [
        with("prompt", json!("灯".repeat(2000))),
        with("resolution", json!("768P")),
        without("duration"),
        without("resolution"),
        with("aigc_watermark", json!(true)),
    ];
    for body in &accepted {
        let answer = submit(&emulator, GLOBAL, body).await;
        assert_eq!(answer["base_resp"]["status_code"], 0, "{body} → {answer}");
    }
}

#[tokio::test]
async fn with_a_first_frame_the_prompt_is_optional_fast_is_allowed_and_the_video_keeps_its_aspect()
{
    let emulator = start().await;
    let body = json!({"model":"MiniMax-Hailuo-2.3-Fast","first_frame_image":png_data_url(1000, 1500),"duration":10,"resolution":"768P"});
    let task_id = submit(&emulator, GLOBAL, &body).await["task_id"]
        .as_str()
        .expect("accepted")
        .to_string();
    emulator.finish_task_now(&task_id);
    let answer = query(&emulator, GLOBAL, &task_id).await;
    assert_eq!(
        (
            answer["video_width"].clone(),
            answer["video_height"].clone()
        ),
        (json!(768), json!(1152))
    );

    let linked =
        json!({"model":"MiniMax-Hailuo-2.3","first_frame_image":"https://example.com/frame.jpg"});
    assert_eq!(
        submit(&emulator, GLOBAL, &linked).await["base_resp"]["status_code"],
        0
    );
}

#[tokio::test]
async fn a_task_is_unknown_on_the_other_regions_host() {
    let emulator = start().await;
    let task_id = submit(&emulator, GLOBAL, &text_to_video()).await["task_id"]
        .as_str()
        .expect("task id")
        .to_string();
    let answer = query(&emulator, Service::MinimaxChina, &task_id).await;
    assert_eq!(answer["base_resp"]["status_code"], 2013, "{answer}");
    let (_, missing) = get_json(&emulator, GLOBAL, "/v1/query/video_generation").await;
    assert_eq!(missing["base_resp"]["status_code"], 2013);
}

#[tokio::test]
async fn a_failed_task_says_fail_without_a_file_and_puts_its_reason_where_configured() {
    for (style, in_base_resp, in_error_message) in [
        (MinimaxFailReason::BaseResp, true, false),
        (MinimaxFailReason::ErrorMessage, false, true),
        (MinimaxFailReason::Both, true, true),
    ] {
        let emulator = start_with(EmulatorConfig {
            minimax_fail_reason: style,
            ..EmulatorConfig::default()
        })
        .await;
        let task_id = submit(&emulator, Service::MinimaxChina, &text_to_video()).await["task_id"]
            .as_str()
            .expect("task id")
            .to_string();
        assert!(emulator.fail_task(&task_id, 1027, "output new_sensitive"));
        let answer = query(&emulator, Service::MinimaxChina, &task_id).await;
        assert_eq!(answer["status"], "Fail");
        assert!(answer.get("file_id").is_none());
        assert_eq!(
            answer["base_resp"]["status_code"] == 1027,
            in_base_resp,
            "{answer}"
        );
        assert_eq!(
            answer.get("error_message") == Some(&json!("output new_sensitive")),
            in_error_message,
            "{answer}"
        );
        assert_eq!(emulator.task_status(&task_id), Some(TaskStatus::Failed));
    }
}
