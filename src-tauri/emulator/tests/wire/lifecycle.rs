//! Task timing, what tasks cost, the emulator's own failures, and the binary run by hand.

use std::io::{BufRead, BufReader};
use std::time::Duration;

use hailuo_emulator::{EmulatorConfig, Service, TaskStatus, TaskTiming};
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn with_elapsed_timing_a_task_advances_on_the_clock_not_on_polls() {
    let emulator = start_with(EmulatorConfig {
        timing: TaskTiming::Elapsed {
            per_stage: Duration::from_millis(500),
        },
        ..EmulatorConfig::default()
    })
    .await;
    let body = json!({"model":"MiniMax-Hailuo-2.3","prompt":"Snow falling"});
    let (_, answer) = post_json(&emulator, Service::LinkModel, "/video-generation", &body).await;
    let task_id = answer["data"]["task_id"]
        .as_str()
        .expect("task id")
        .to_string();
    let path = format!("/query/video-generation?task_id={task_id}");
    for _ in 0..3 {
        assert_eq!(
            get_json(&emulator, Service::LinkModel, &path).await.1["data"]["status"],
            "Pending"
        );
    }
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(
        get_json(&emulator, Service::LinkModel, &path).await.1["data"]["status"],
        "Success"
    );
}

#[tokio::test]
async fn each_task_knows_its_charge_and_size() {
    let emulator = start().await;
    let submit = |service, body| {
        let emulator = &emulator;
        async move {
            let path = match service {
                Service::OpenRouter => "/videos",
                _ => "/v1/video_generation",
            };
            let (_, answer) = post_json(emulator, service, path, &body).await;
            answer["task_id"]
                .as_str()
                .or(answer["id"].as_str())
                .expect("task id")
                .to_string()
        }
    };
    let china = submit(
        Service::MinimaxChina,
        json!({"model":"MiniMax-Hailuo-2.3","prompt":"x","resolution":"1080P"}),
    )
    .await;
    let fast = submit(Service::MinimaxGlobal, json!({"model":"MiniMax-Hailuo-2.3-Fast","first_frame_image":png_data_url(1024, 1024),"duration":10})).await;
    let ten = submit(
        Service::OpenRouter,
        json!({"model":"minimax/hailuo-2.3","prompt":"x","duration":10,"resolution":"768p"}),
    )
    .await;

    let china = emulator.task(&china).expect("task");
    assert_eq!(
        (china.service, china.cost, china.size),
        (Service::MinimaxChina, 3.50, (1920, 1080))
    );
    let fast = emulator.task(&fast).expect("task");
    assert_eq!(
        (fast.cost, fast.size, fast.duration),
        (0.32, (768, 768), 10)
    );
    emulator.finish_task_now(&ten);
    let (_, polled) = get_json(&emulator, Service::OpenRouter, &format!("/videos/{ten}")).await;
    assert_eq!(polled["usage"]["cost"], 0.817);
    let ten = emulator.task(&ten).expect("task");
    assert_eq!((ten.status, ten.polls), (TaskStatus::Success, 1));
}

#[tokio::test]
async fn without_ffmpeg_the_emulator_says_so_instead_of_serving_a_video() {
    let clip_dir = tempfile::tempdir().expect("temp dir");
    let emulator = start_with(EmulatorConfig {
        ffmpeg: "/nonexistent/ffmpeg".into(),
        clip_dir: clip_dir.path().to_path_buf(),
        ..EmulatorConfig::default()
    })
    .await;
    let (_, answer) = post_json(
        &emulator,
        Service::OpenRouter,
        "/videos",
        &json!({"model":"minimax/hailuo-2.3","prompt":"x"}),
    )
    .await;
    let id = answer["id"].as_str().expect("id").to_string();
    emulator.finish_task_now(&id);
    let answer = authed(
        &emulator,
        Service::OpenRouter,
        reqwest::Method::GET,
        &format!("/videos/{id}/content?index=0"),
    )
    .send()
    .await
    .expect("answer");
    assert_eq!(answer.status(), 500);
    let text = answer.text().await.expect("text");
    assert!(
        text.contains("needs ffmpeg") && text.contains("/nonexistent/ffmpeg"),
        "{text}"
    );
}

/// Stops the binary this test started, whatever happens.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_the_exports_and_keys_then_serves() {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_hailuo-emulator"))
        .args(["--stage-seconds", "1"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout");
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take_while(|line| line != "# serving until Ctrl-C")
        .collect();
    let exports: Vec<(String, String)> = lines
        .iter()
        .filter_map(|line| line.strip_prefix("export "))
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    // Four services, MiniMax China under its two names (issue 18).
    assert_eq!(exports.len(), 5, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l == "# openrouter key: sk-or-v1-emulator-openrouter-key"),
        "{lines:?}"
    );

    let (_, openrouter) = exports
        .iter()
        .find(|(name, _)| name == "HAILUO_STUDIO_OPENROUTER_BASE_URL")
        .expect("OpenRouter export");
    let key = client()
        .get(format!("{openrouter}/key"))
        .bearer_auth("sk-or-v1-emulator-openrouter-key")
        .send()
        .await
        .expect("the binary serves");
    assert_eq!(key.status(), 200);
}
