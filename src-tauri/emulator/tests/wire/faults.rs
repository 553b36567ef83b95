//! Every injectable fault, seen over raw HTTP.

use std::time::{Duration, Instant};

use hailuo_emulator::{Emulator, Endpoint, Fault, FaultKind, Service};
use serde_json::{json, Value};

use crate::common::*;

fn submit_path(service: Service) -> &'static str {
    match service {
        Service::MinimaxGlobal | Service::MinimaxChina => "/v1/video_generation",
        Service::OpenRouter => "/videos",
        Service::LinkModel => "/video-generation",
    }
}

fn valid_body(service: Service) -> Value {
    match service {
        Service::OpenRouter => {
            json!({"model":"minimax/hailuo-2.3","prompt":"A bird","resolution":"1080p"})
        }
        _ => json!({"model":"MiniMax-Hailuo-2.3","prompt":"A bird"}),
    }
}

async fn send_submit(emulator: &Emulator, service: Service) -> reqwest::Response {
    authed(
        emulator,
        service,
        reqwest::Method::POST,
        submit_path(service),
    )
    .json(&valid_body(service))
    .send()
    .await
    .expect("answer")
}

#[tokio::test]
async fn http_429_comes_with_retry_after_in_each_services_shape() {
    let emulator = start().await;
    for service in Service::ALL {
        emulator.inject(Fault::new(
            service,
            Endpoint::Submit,
            FaultKind::TooManyRequests {
                retry_after_secs: Some(7),
            },
        ));
        let answer = send_submit(&emulator, service).await;
        assert_eq!(answer.status(), 429, "{service:?}");
        assert_eq!(answer.headers()["retry-after"], "7");
        let body: Value = answer.json().await.expect("json");
        match service {
            Service::MinimaxGlobal | Service::MinimaxChina => {
                assert_eq!(body["base_resp"]["status_code"], 1002)
            }
            Service::OpenRouter => assert_eq!(body["error"]["code"], 429),
            Service::LinkModel => assert_eq!(body["code"], 429),
        }
        assert_eq!(emulator.submits(service), 0);
        // One-shot: the next call goes through.
        assert!(send_submit(&emulator, service).await.status().is_success());
    }
}

#[tokio::test]
async fn server_errors_come_with_retry_after_and_stop_after_n_times() {
    let emulator = start().await;
    emulator.inject(
        Fault::new(
            Service::OpenRouter,
            Endpoint::Query,
            FaultKind::ServerError {
                status: 503,
                retry_after_secs: Some(2),
            },
        )
        .times(2),
    );
    let (_, answer) = post_json(
        &emulator,
        Service::OpenRouter,
        "/videos",
        &valid_body(Service::OpenRouter),
    )
    .await;
    let path = format!("/videos/{}", answer["id"].as_str().expect("id"));
    for _ in 0..2 {
        let answer = authed(&emulator, Service::OpenRouter, reqwest::Method::GET, &path)
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status(), 503);
        assert_eq!(answer.headers()["retry-after"], "2");
        let body: Value = answer.json().await.expect("json");
        assert_eq!(body["error"]["code"], 503);
    }
    assert_eq!(get_json(&emulator, Service::OpenRouter, &path).await.0, 200);
    assert_eq!(emulator.pending_faults(), 0);
}

#[tokio::test]
async fn minimax_business_errors_come_with_http_200_and_create_no_task() {
    let emulator = start().await;
    let service = Service::MinimaxChina;
    for (kind, code) in [
        (FaultKind::minimax_rate_limited(), 1002),
        (FaultKind::minimax_insufficient_balance(), 1008),
        (FaultKind::minimax_prompt_flagged(), 1026),
        (FaultKind::minimax_plan_limit(), 2056),
        (
            FaultKind::MinimaxStatus {
                code: 1004,
                message: "authentication failed".into(),
            },
            1004,
        ),
        (
            FaultKind::MinimaxStatus {
                code: 2049,
                message: "invalid api key".into(),
            },
            2049,
        ),
        (
            FaultKind::MinimaxStatus {
                code: 2013,
                message: "invalid params".into(),
            },
            2013,
        ),
    ] {
        emulator.inject(Fault::new(service, Endpoint::Submit, kind));
        let answer = send_submit(&emulator, service).await;
        assert_eq!(answer.status(), 200);
        let body: Value = answer.json().await.expect("json");
        assert_eq!(body["base_resp"]["status_code"], code);
    }
    assert_eq!(emulator.submits(service), 0);
}

#[tokio::test]
async fn a_flagged_video_is_accepted_then_ends_fail_with_1027() {
    let emulator = start().await;
    let service = Service::MinimaxGlobal;
    emulator.inject(Fault::new(
        service,
        Endpoint::Submit,
        FaultKind::minimax_video_flagged(),
    ));
    let body: Value = send_submit(&emulator, service)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(body["base_resp"]["status_code"], 0);
    let task_id = body["task_id"].as_str().expect("task id");
    let mut last = Value::Null;
    for _ in 0..4 {
        last = get_json(
            &emulator,
            service,
            &format!("/v1/query/video_generation?task_id={task_id}"),
        )
        .await
        .1;
    }
    assert_eq!(last["status"], "Fail");
    assert_eq!(last["base_resp"]["status_code"], 1027);
    assert!(last.get("file_id").is_none());
    assert_eq!(emulator.submits(service), 1);
}

#[tokio::test]
async fn linkmodel_billing_failures_and_openrouter_refusals_keep_their_shapes() {
    let emulator = start().await;
    emulator.inject(Fault::new(
        Service::LinkModel,
        Endpoint::Submit,
        FaultKind::linkmodel_insufficient_balance(),
    ));
    let answer = send_submit(&emulator, Service::LinkModel).await;
    assert_eq!(answer.status(), 500);
    let body: Value = answer.json().await.expect("json");
    assert_eq!(body["code"], 500);
    assert_eq!(
        body["msg"],
        "create task failed: billing: code=100601: insufficient balance"
    );

    emulator.inject(Fault::new(
        Service::OpenRouter,
        Endpoint::Submit,
        FaultKind::openrouter_insufficient_credits(),
    ));
    assert_eq!(
        send_submit(&emulator, Service::OpenRouter).await.status(),
        402
    );
    emulator.inject(Fault::new(
        Service::OpenRouter,
        Endpoint::Submit,
        FaultKind::openrouter_moderation(&["violence"]),
    ));
    let answer = send_submit(&emulator, Service::OpenRouter).await;
    assert_eq!(answer.status(), 403);
    let body: Value = answer.json().await.expect("json");
    assert_eq!(body["error"]["code"], 403);
    assert_eq!(body["error"]["metadata"]["reasons"], json!(["violence"]));
    assert_eq!(emulator.submits(Service::OpenRouter), 0);
}

#[tokio::test]
async fn a_slow_answer_comes_late() {
    let emulator = start().await;
    emulator.inject(Fault::new(
        Service::LinkModel,
        Endpoint::Any,
        FaultKind::Slow {
            delay: Duration::from_millis(300),
        },
    ));
    let started = Instant::now();
    assert!(send_submit(&emulator, Service::LinkModel)
        .await
        .status()
        .is_success());
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn broken_json_and_html_error_pages_are_served_as_is() {
    let emulator = start().await;
    emulator.inject(Fault::everywhere(Endpoint::Submit, FaultKind::BrokenJson));
    let answer = send_submit(&emulator, Service::MinimaxGlobal).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/json");
    assert!(serde_json::from_str::<Value>(&answer.text().await.expect("text")).is_err());

    emulator.inject(Fault::everywhere(
        Endpoint::Submit,
        FaultKind::HtmlErrorPage { status: 502 },
    ));
    let answer = send_submit(&emulator, Service::OpenRouter).await;
    assert_eq!(answer.status(), 502);
    assert_eq!(answer.headers()["content-type"], "text/html");
    assert!(answer
        .text()
        .await
        .expect("text")
        .contains("<title>502 Bad Gateway</title>"));
}

async fn finished_linkmodel_url(emulator: &Emulator) -> String {
    let body: Value = send_submit(emulator, Service::LinkModel)
        .await
        .json()
        .await
        .expect("json");
    let task_id = body["data"]["task_id"]
        .as_str()
        .expect("task id")
        .to_string();
    emulator.finish_task_now(&task_id);
    let (_, answer) = get_json(
        emulator,
        Service::LinkModel,
        &format!("/query/video-generation?task_id={task_id}"),
    )
    .await;
    answer["data"]["file_url"]
        .as_str()
        .expect("file_url")
        .to_string()
}

#[tokio::test]
async fn a_download_can_drop_mid_body_or_come_truncated() {
    let emulator = start().await;
    let url = finished_linkmodel_url(&emulator).await;
    for kind in [
        FaultKind::DropAfter { bytes: 1000 },
        FaultKind::Truncated { bytes: 1000 },
    ] {
        emulator.inject(Fault::new(
            Service::LinkModel,
            Endpoint::Download,
            kind.clone(),
        ));
        let mut answer = client().get(&url).send().await.expect("headers arrive");
        assert_eq!(answer.status(), 200);
        let announced: usize = answer.headers()["content-length"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("number");
        assert!(announced > 1000);
        let mut received = 0;
        let outcome = loop {
            match answer.chunk().await {
                Ok(Some(chunk)) => received += chunk.len(),
                Ok(None) => break Ok(()),
                Err(error) => break Err(error),
            }
        };
        assert!(outcome.is_err(), "{kind:?}: the body must not end cleanly");
        assert_eq!(received, 1000, "{kind:?}");
    }
    let whole = client()
        .get(&url)
        .send()
        .await
        .expect("answer")
        .bytes()
        .await
        .expect("whole body");
    assert!(whole.len() > 1000);
}

#[tokio::test]
async fn a_submit_whose_answer_is_lost_still_creates_its_task() {
    let emulator = start().await;
    emulator.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Submit,
        FaultKind::AnswerLost { after: None },
    ));
    let lost = authed(
        &emulator,
        Service::MinimaxGlobal,
        reqwest::Method::POST,
        "/v1/video_generation",
    )
    .json(&valid_body(Service::MinimaxGlobal))
    .timeout(Duration::from_millis(300))
    .send()
    .await;
    assert!(lost.is_err_and(|e| e.is_timeout()));
    assert_eq!(emulator.submits(Service::MinimaxGlobal), 1);
    assert_eq!(emulator.task_ids(Service::MinimaxGlobal).len(), 1);

    emulator.inject(Fault::new(
        Service::LinkModel,
        Endpoint::Submit,
        FaultKind::AnswerLost {
            after: Some(Duration::from_millis(400)),
        },
    ));
    let started = Instant::now();
    let late: Value = send_submit(&emulator, Service::LinkModel)
        .await
        .json()
        .await
        .expect("json");
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(
        late["data"]["task_id"].as_str(),
        emulator
            .task_ids(Service::LinkModel)
            .first()
            .map(String::as_str)
    );
}

#[tokio::test]
async fn a_fault_for_one_service_leaves_the_others_alone() {
    let emulator = start().await;
    emulator.inject(Fault::new(
        Service::MinimaxChina,
        Endpoint::Submit,
        FaultKind::minimax_rate_limited(),
    ));
    let global: Value = send_submit(&emulator, Service::MinimaxGlobal)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(global["base_resp"]["status_code"], 0);
    assert_eq!(emulator.pending_faults(), 1);
}

#[tokio::test]
async fn a_custom_answer_is_sent_exactly_as_given() {
    let emulator = start().await;
    let body = r#"{"task_id":"","base_resp":{"status_code":0,"status_msg":"success"}}"#;
    emulator.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Submit,
        FaultKind::Custom {
            status: 200,
            body: body.to_string(),
        },
    ));
    let answer = send_submit(&emulator, Service::MinimaxGlobal).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.expect("text"), body);
    assert_eq!(emulator.submits(Service::MinimaxGlobal), 0);
}

#[tokio::test]
async fn a_throttled_download_comes_whole_but_at_the_given_pace() {
    let emulator = start().await;
    let url = finished_linkmodel_url(&emulator).await;
    let whole = client()
        .get(&url)
        .send()
        .await
        .expect("answer")
        .bytes()
        .await
        .expect("whole body");
    // At the video's own size a second, the body takes about one second.
    let bytes_per_second = whole.len() as u64;
    emulator.inject(Fault::new(
        Service::LinkModel,
        Endpoint::Download,
        FaultKind::Throttled { bytes_per_second },
    ));
    let started = Instant::now();
    let mut answer = client().get(&url).send().await.expect("headers arrive");
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.content_length(), Some(bytes_per_second));
    let mut received = Vec::new();
    let mut after_300_ms = None;
    while let Some(chunk) = answer.chunk().await.expect("the body ends cleanly") {
        received.extend_from_slice(&chunk);
        if after_300_ms.is_none() && started.elapsed() >= Duration::from_millis(300) {
            after_300_ms = Some(received.len());
        }
    }
    let took = started.elapsed();
    assert_eq!(received, whole.to_vec(), "the same bytes, all of them");
    assert!(took >= Duration::from_millis(900), "took only {took:?}");
    let early = after_300_ms.expect("the body was still coming after 300 ms");
    assert!(
        early < whole.len() / 2,
        "{early} of {} bytes came in the first 300 ms",
        whole.len()
    );

    // The fault was one-shot: the next download is at full speed again.
    let started = Instant::now();
    let again = client()
        .get(&url)
        .send()
        .await
        .expect("answer")
        .bytes()
        .await
        .expect("whole body");
    assert_eq!(again.len(), whole.len());
    assert!(started.elapsed() < Duration::from_millis(500));
}
