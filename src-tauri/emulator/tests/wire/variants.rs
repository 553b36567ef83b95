//! Reality's variants (providers.md, "Re-checked December 2026"), one switch each.

use hailuo_emulator::{ChinaHostName, EmulatorConfig, Service, Variants};
use serde_json::{json, Value};

use crate::common::*;

async fn with(variants: Variants) -> hailuo_emulator::Emulator {
    start_with(EmulatorConfig {
        variants,
        ..EmulatorConfig::default()
    })
    .await
}

fn text_to_video() -> Value {
    json!({"model":"MiniMax-Hailuo-2.3","prompt":"A man picks up a book","duration":6,"resolution":"768P"})
}

async fn minimax_task(emulator: &hailuo_emulator::Emulator, service: Service) -> String {
    let (_, answer) = post_json(emulator, service, "/v1/video_generation", &text_to_video()).await;
    let id = &answer["task_id"];
    id.as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| id.to_string())
}

#[tokio::test]
async fn minimax_retrieve_can_announce_bytes_0() {
    let emulator = with(Variants {
        minimax_zero_bytes: true,
        ..Variants::default()
    })
    .await;
    let task_id = minimax_task(&emulator, Service::MinimaxGlobal).await;
    assert!(emulator.finish_task_now(&task_id));
    let (_, query) = get_json(
        &emulator,
        Service::MinimaxGlobal,
        &format!("/v1/query/video_generation?task_id={task_id}"),
    )
    .await;
    let file_id = query["file_id"].as_str().unwrap().to_owned();
    let (_, retrieve) = get_json(
        &emulator,
        Service::MinimaxGlobal,
        &format!("/v1/files/retrieve?file_id={file_id}"),
    )
    .await;
    assert_eq!(retrieve["file"]["bytes"], 0);
    assert_eq!(retrieve["file"]["filename"], "output.mp4");
    let link = retrieve["file"]["download_url"].as_str().unwrap();
    let video = client().get(link).send().await.unwrap();
    assert_eq!(video.status(), 200);
    assert!(
        video.bytes().await.unwrap().len() > 1000,
        "the video is whole"
    );
}

#[tokio::test]
async fn the_china_host_answers_under_both_names_with_either_one_down() {
    let both = with(Variants::default()).await;
    for name in [ChinaHostName::New, ChinaHostName::Old] {
        let answer = client()
            .get(format!(
                "{}/v1/query/video_generation?task_id=1",
                both.china_base_url(name)
            ))
            .bearer_auth(both.key(Service::MinimaxChina))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{name:?}");
    }
    // A task made on one name is known on the other: one service, two names.
    let task_id = minimax_task(&both, Service::MinimaxChina).await;
    let (_, on_old) = {
        let answer = client()
            .get(format!(
                "{}/v1/query/video_generation?task_id={task_id}",
                both.china_base_url(ChinaHostName::Old)
            ))
            .bearer_auth(both.key(Service::MinimaxChina))
            .send()
            .await
            .unwrap();
        (answer.status(), answer.json::<Value>().await.unwrap())
    };
    assert_eq!(on_old["base_resp"]["status_code"], 0, "{on_old}");
    assert!(both
        .env_vars()
        .iter()
        .any(|(name, _)| name == "HAILUO_STUDIO_MINIMAX_CHINA_OLD_BASE_URL"));

    for down in [ChinaHostName::New, ChinaHostName::Old] {
        let emulator = with(Variants {
            china_host_down: Some(down),
            ..Variants::default()
        })
        .await;
        let refused = client()
            .get(format!(
                "{}/v1/query/video_generation",
                emulator.china_base_url(down)
            ))
            .send()
            .await
            .unwrap_err();
        assert!(refused.is_connect(), "{down:?} refuses: {refused}");
        let up = match down {
            ChinaHostName::New => ChinaHostName::Old,
            ChinaHostName::Old => ChinaHostName::New,
        };
        let answer = client()
            .get(format!(
                "{}/v1/query/video_generation?task_id=1",
                emulator.china_base_url(up)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
}

#[tokio::test]
async fn minimax_takes_twenty_requests_a_minute_and_answers_1002_beyond() {
    let emulator = with(Variants {
        minimax_requests_per_minute: Some(20),
        ..Variants::default()
    })
    .await;
    for n in 0..20 {
        let (_, answer) = get_json(
            &emulator,
            Service::MinimaxGlobal,
            "/v1/query/video_generation?task_id=1",
        )
        .await;
        assert_ne!(answer["base_resp"]["status_code"], 1002, "request {n}");
    }
    let (status, answer) = get_json(
        &emulator,
        Service::MinimaxGlobal,
        "/v1/query/video_generation?task_id=1",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(answer["base_resp"]["status_code"], 1002);
    // Each host counts its own minute.
    let (_, china) = get_json(
        &emulator,
        Service::MinimaxChina,
        "/v1/query/video_generation?task_id=1",
    )
    .await;
    assert_ne!(china["base_resp"]["status_code"], 1002);
}

#[tokio::test]
async fn the_openrouter_catalogue_can_list_1080p_only() {
    let real = with(Variants {
        openrouter_catalogue_1080p_only: true,
        ..Variants::default()
    })
    .await;
    let (status, answer) = get_json(&real, Service::OpenRouter, "/videos/models").await;
    assert_eq!(status, 200);
    let model = &answer["data"][0];
    assert_eq!(model["id"], "minimax/hailuo-2.3");
    assert_eq!(model["supported_resolutions"], json!(["1080p"]));
    assert_eq!(model["supported_durations"], json!([6, 10]));
    assert_eq!(model["supported_frame_images"], json!(["first_frame"]));
    assert_eq!(model["pricing_skus"]["duration_seconds"], "0.0817");
    let plain = with(Variants::default()).await;
    let (_, answer) = get_json(&plain, Service::OpenRouter, "/videos/models").await;
    assert_eq!(
        answer["data"][0]["supported_resolutions"],
        json!(["768p", "1080p"])
    );
}

async fn finished_openrouter_poll(emulator: &hailuo_emulator::Emulator) -> Value {
    let (status, job) = post_json(
        emulator,
        Service::OpenRouter,
        "/videos",
        &json!({"model":"minimax/hailuo-2.3","prompt":"a cat","duration":6,"resolution":"1080p"}),
    )
    .await;
    assert_eq!(status, 202);
    let id = job["id"].as_str().expect("a job id").to_owned();
    assert!(emulator.finish_task_now(&id));
    get_json(emulator, Service::OpenRouter, &format!("/videos/{id}"))
        .await
        .1
}

#[tokio::test]
async fn openrouter_can_report_usage_cost_null() {
    let emulator = with(Variants {
        openrouter_cost_null: true,
        ..Variants::default()
    })
    .await;
    let poll = finished_openrouter_poll(&emulator).await;
    assert_eq!(poll["status"], "completed");
    assert!(poll["usage"]["cost"].is_null(), "{poll}");
}

#[tokio::test]
async fn openrouter_can_put_the_result_link_on_another_host() {
    let emulator = with(Variants {
        openrouter_result_elsewhere: true,
        ..Variants::default()
    })
    .await;
    let poll = finished_openrouter_poll(&emulator).await;
    let link = poll["unsigned_urls"][0].as_str().unwrap().to_owned();
    assert!(link.starts_with(&emulator.cdn_url()), "{link}");
    assert!(!link.starts_with(&emulator.base_url(Service::OpenRouter)));
    let video = client().get(&link).send().await.unwrap();
    assert_eq!(video.status(), 200, "no key needed");
}

#[tokio::test]
async fn every_number_can_come_as_a_string() {
    let emulator = with(Variants {
        numbers_as_strings: true,
        ..Variants::default()
    })
    .await;
    let (_, submit) = post_json(
        &emulator,
        Service::MinimaxGlobal,
        "/v1/video_generation",
        &text_to_video(),
    )
    .await;
    assert_eq!(submit["base_resp"]["status_code"], "0");
    let poll = finished_openrouter_poll(&emulator).await;
    assert_eq!(poll["usage"]["cost"], "0.49");
    let (_, linkmodel) = post_json(
        &emulator,
        Service::LinkModel,
        "/video-generation",
        &json!({"model":"MiniMax-Hailuo-2.3","prompt":"a cat","duration":6,"resolution":"768P"}),
    )
    .await;
    assert_eq!(linkmodel["code"], "0");
    assert_eq!(linkmodel["data"]["price"], "0.224");
}

#[tokio::test]
async fn a_task_being_made_can_report_an_unknown_status_word() {
    let emulator = with(Variants {
        unknown_status_word: Some("Rendering".into()),
        ..Variants::default()
    })
    .await;
    let task_id = minimax_task(&emulator, Service::MinimaxGlobal).await;
    let mut seen = Vec::new();
    for _ in 0..4 {
        let (_, answer) = get_json(
            &emulator,
            Service::MinimaxGlobal,
            &format!("/v1/query/video_generation?task_id={task_id}"),
        )
        .await;
        seen.push(answer["status"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen, ["Preparing", "Queueing", "Rendering", "Success"]);
}

#[tokio::test]
async fn extra_fields_can_come_everywhere() {
    let emulator = with(Variants {
        extra_fields: true,
        ..Variants::default()
    })
    .await;
    let (_, submit) = post_json(
        &emulator,
        Service::MinimaxGlobal,
        "/v1/video_generation",
        &text_to_video(),
    )
    .await;
    assert!(submit.get("x_undocumented").is_some(), "{submit}");
    assert!(
        submit["base_resp"].get("x_undocumented").is_some(),
        "{submit}"
    );
    assert!(submit["task_id"].is_string(), "the documented fields stay");
}
