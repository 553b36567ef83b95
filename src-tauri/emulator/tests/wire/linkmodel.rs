//! LinkModel's API.

use hailuo_emulator::{
    Emulator, EmulatorConfig, LinkModelErrorStatus, LinkModelVideoField, Service, TaskStatus,
};
use serde_json::{json, Value};

use crate::common::*;

const LM: Service = Service::LinkModel;

fn text_to_video() -> Value {
    json!({"model":"MiniMax-Hailuo-2.3","prompt":"A red fox in snow","duration":6,"resolution":"768P"})
}

async fn submit(emulator: &Emulator, body: &Value) -> (u16, Value) {
    post_json(emulator, LM, "/video-generation", body).await
}

async fn query(emulator: &Emulator, task_id: &str) -> Value {
    let (status, answer) = get_json(
        emulator,
        LM,
        &format!("/query/video-generation?task_id={task_id}"),
    )
    .await;
    assert_eq!(status, 200);
    answer
}

#[tokio::test]
async fn a_submit_answers_processing_with_its_price_and_the_query_uses_message() {
    let emulator = start().await;
    let (status, answer) = submit(&emulator, &text_to_video()).await;
    assert_eq!(status, 200);
    assert_eq!(answer["code"], 0);
    assert_eq!(answer["msg"], "success");
    assert!(answer["request_id"].is_string());
    let data = &answer["data"];
    assert_eq!(data["status"], "processing");
    assert_eq!(data["price"], 0.224);
    assert!(data["order_id"].is_string());
    let task_id = data["task_id"].as_str().expect("task id");

    let mut seen = Vec::new();
    let mut last = Value::Null;
    for _ in 0..4 {
        let answer = query(&emulator, task_id).await;
        assert_eq!(answer["code"], 0);
        assert_eq!(answer["message"], "success");
        assert!(answer.get("msg").is_none(), "message, not msg: {answer}");
        seen.push(
            answer["data"]["status"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
        last = answer;
    }
    assert_eq!(seen, ["Pending", "Pending", "Processing", "Success"]);
    let data = &last["data"];
    assert_eq!(
        (
            data["model"].clone(),
            data["duration"].clone(),
            data["msg"].clone()
        ),
        (json!("MiniMax-Hailuo-2.3"), json!(6), json!(""))
    );
    let url = data["file_url"].as_str().expect("file_url");
    assert!(url.starts_with(&emulator.cdn_url()));
    assert_eq!(
        query(&emulator, task_id).await["data"]["file_url"],
        url,
        "the link stays the same"
    );
    let bytes = client()
        .get(url)
        .send()
        .await
        .expect("download")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(h264_size(&bytes), Some((1366, 768)));
}

#[tokio::test]
async fn a_bad_key_gets_code_401_with_http_401_or_http_200() {
    for (rule, http) in [
        (LinkModelErrorStatus::SameAsCode, 401),
        (LinkModelErrorStatus::Always200, 200),
    ] {
        let emulator = start_with(EmulatorConfig {
            linkmodel_error_status: rule,
            ..EmulatorConfig::default()
        })
        .await;
        for key in [None, Some("wrong")] {
            let mut request = client()
                .post(format!("{}/video-generation", emulator.base_url(LM)))
                .json(&text_to_video());
            if let Some(key) = key {
                request = request.bearer_auth(key);
            }
            let answer = request.send().await.expect("answer");
            assert_eq!(answer.status().as_u16(), http);
            let body: Value = answer.json().await.expect("json");
            assert_eq!(body["code"], 401);
            assert_eq!(body["msg"], "invalid api key");
            assert_eq!(body["data"], json!({}));
        }
        assert_eq!(emulator.submits(LM), 0);
    }
}

#[tokio::test]
async fn invalid_bodies_get_code_400_and_a_missing_task_id_is_named() {
    let emulator = start().await;
    let with = |field: &str, value: Value| {
        let mut body = text_to_video();
        body[field] = value;
        body
    };
    let refused = [
        with("model", json!("MiniMax-Hailuo-2.3-Fast")),
        with("prompt", json!("")),
        with("prompt", json!("a".repeat(2001))),
        with("duration", json!(5)),
        with("resolution", json!("768p")),
        with("first_frame_image", json!(png_data_url(1280, 720))),
        with("first_frame_image", json!("http://example.com/a.png")),
    ];
    for body in &refused {
        let (status, answer) = submit(&emulator, body).await;
        assert_eq!(
            (status, answer["code"].clone()),
            (400, json!(400)),
            "{body} → {answer}"
        );
    }
    let mut ten_at_1080 = text_to_video();
    ten_at_1080["duration"] = json!(10);
    ten_at_1080["resolution"] = json!("1080P");
    assert_eq!(submit(&emulator, &ten_at_1080).await.0, 400);
    assert_eq!(emulator.submits(LM), 0);

    let (status, answer) = get_json(&emulator, LM, "/query/video-generation").await;
    assert_eq!(status, 400);
    assert_eq!(answer["code"], 400);
    assert_eq!(answer["msg"], "task_id is required");

    let linked = with("first_frame_image", json!("https://example.com/a.png"));
    assert_eq!(submit(&emulator, &linked).await.1["code"], 0);
}

#[tokio::test]
async fn data_url_first_frames_and_output_videos_are_switches() {
    let emulator = start_with(EmulatorConfig {
        linkmodel_accepts_data_urls: true,
        linkmodel_video_field: LinkModelVideoField::OutputVideosOnly,
        ..EmulatorConfig::default()
    })
    .await;
    let mut body = text_to_video();
    body["first_frame_image"] = json!(png_data_url(720, 1280));
    let (_, answer) = submit(&emulator, &body).await;
    assert_eq!(answer["code"], 0, "{answer}");
    let task_id = answer["data"]["task_id"]
        .as_str()
        .expect("task id")
        .to_string();
    emulator.finish_task_now(&task_id);
    let data = query(&emulator, &task_id).await["data"].clone();
    assert!(data.get("file_url").is_none());
    let url = data["output_videos"][0].as_str().expect("output_videos[0]");
    let bytes = client()
        .get(url)
        .send()
        .await
        .expect("download")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(h264_size(&bytes), Some((768, 1366)));
}

#[tokio::test]
async fn failed_and_cancelled_tasks_give_their_reason_in_data_msg() {
    let emulator = start().await;
    for (status, expected) in [
        (TaskStatus::Failed, "Failed"),
        (TaskStatus::Cancelled, "Cancelled"),
    ] {
        let (_, answer) = submit(&emulator, &text_to_video()).await;
        let task_id = answer["data"]["task_id"]
            .as_str()
            .expect("task id")
            .to_string();
        if status == TaskStatus::Failed {
            emulator.fail_task(&task_id, 1026, "content moderation failed");
        } else {
            emulator.set_task_status(&task_id, status);
        }
        let data = query(&emulator, &task_id).await["data"].clone();
        assert_eq!(data["status"], expected);
        assert!(
            data["msg"].as_str().is_some_and(|m| !m.is_empty()),
            "{data}"
        );
        assert!(data.get("file_url").is_none());
    }
}
