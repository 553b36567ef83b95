//! The provider clients against the emulated services: every success path, every error of the
//! taxonomy, retries with exact attempt counts, the never-resubmit rule and downloads.

// Helpers shared by the tests panic on purpose: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use hailuo_core::providers::{
    MoneyState, ProviderClient, ProviderError, RetryPolicy, TaskRef, TaskStatus, TaskUpdate,
    VideoLink, VideoSource,
};
use hailuo_core::{FirstFrame, GenerationRequest, Model, Money, Provider, Resolution};
use hailuo_emulator::{
    Emulator, EmulatorConfig, Endpoint, ExpiredLink, Fault, FaultKind, Host, LinkModelErrorStatus,
    LinkModelVideoField, PollingUrl, RecordedRequest, Service, TaskStatus as EmulatedStatus,
};
use rust_decimal_macros::dec;
use secrecy::SecretString;
use url::Url;

const FIRST_FRAME_PNG: &[u8] = include_bytes!("fixtures/first-frame.png");

fn service(provider: Provider) -> Service {
    match provider {
        Provider::MinimaxGlobal => Service::MinimaxGlobal,
        Provider::MinimaxChina => Service::MinimaxChina,
        Provider::OpenRouter => Service::OpenRouter,
        Provider::LinkModel => Service::LinkModel,
    }
}

/// Milliseconds instead of seconds, 3 retries (so at most 4 requests per call).
fn quick() -> RetryPolicy {
    RetryPolicy {
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retries: 3,
        max_retry_after: Duration::from_secs(2),
        request_timeout: Duration::from_secs(3),
        download_stall: Duration::from_secs(3),
    }
}

async fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).await.expect("the emulator starts")
}

async fn emulator() -> Emulator {
    start(EmulatorConfig::default()).await
}

fn client_with_key(emu: &Emulator, provider: Provider, key: &str) -> ProviderClient {
    ProviderClient::new(
        provider,
        Url::parse(&emu.base_url(service(provider))).unwrap(),
        SecretString::from(key.to_owned()),
        reqwest::Client::new(),
    )
    .with_retry_policy(quick())
}

fn client(emu: &Emulator, provider: Provider) -> ProviderClient {
    client_with_key(emu, provider, &emu.key(service(provider)))
}

fn text_to_video(provider: Provider) -> GenerationRequest {
    GenerationRequest {
        provider,
        model: Model::Hailuo23,
        prompt: "A lighthouse at dusk, waves below [Push in]".into(),
        first_frame: None,
        duration: 6,
        resolution: Resolution::P768,
        prompt_optimizer: false,
        fast_pretreatment: false,
    }
}

fn picture() -> FirstFrame {
    FirstFrame::Picture {
        mime: "image/png".into(),
        bytes: FIRST_FRAME_PNG.to_vec(),
    }
}

fn picture_data_url() -> String {
    use base64::Engine;
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(FIRST_FRAME_PNG)
    )
}

/// Polls until the generation ends (the emulator moves one stage per poll).
async fn until_done(client: &ProviderClient, task: &TaskRef) -> (TaskUpdate, Vec<TaskStatus>) {
    let mut seen = Vec::new();
    for _ in 0..20 {
        let update = client.check(task).await.expect("a poll");
        seen.push(update.status);
        if update.status.is_final() {
            return (update, seen);
        }
    }
    panic!("the generation never ended: {seen:?}");
}

fn api_requests(
    emu: &Emulator,
    svc: Service,
    method: &str,
    path_end: &str,
) -> Vec<RecordedRequest> {
    emu.requests()
        .into_iter()
        .filter(|r| {
            r.service == Some(svc)
                && r.host == Host::Api
                && r.method == method
                && r.path.ends_with(path_end)
        })
        .collect()
}

fn cdn_requests(emu: &Emulator) -> Vec<RecordedRequest> {
    emu.requests()
        .into_iter()
        .filter(|r| r.host == Host::Cdn)
        .collect()
}

fn is_mp4(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.len() > 12 && &bytes[4..8] == b"ftyp"
}

/// No error, however it is shown, may carry the key.
fn assert_keeps_key_out(err: &ProviderError, key: &str) {
    let shown = [
        err.to_string(),
        format!("{err:?}"),
        serde_json::to_string(err).unwrap(),
    ];
    for text in shown {
        assert!(!text.contains(key), "the key leaked into: {text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Success paths
// ---------------------------------------------------------------------------------------------

async fn minimax_text_to_video(provider: Provider) {
    let emu = emulator().await;
    let svc = service(provider);
    let client = client(&emu, provider);
    let submission = client.submit(&text_to_video(provider)).await.unwrap();
    assert_eq!(
        submission.charged, None,
        "MiniMax reports no charge at submit"
    );

    let submits = api_requests(&emu, svc, "POST", "/v1/video_generation");
    assert_eq!(submits.len(), 1);
    let sent = &submits[0];
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {}", emu.key(svc)).as_str())
    );
    assert_eq!(
        sent.body.clone().unwrap(),
        serde_json::json!({
            "model": "MiniMax-Hailuo-2.3",
            "prompt": "A lighthouse at dusk, waves below [Push in]",
            "prompt_optimizer": false,
            "fast_pretreatment": false,
            "duration": 6,
            "resolution": "768P"
        })
    );

    let (update, seen) = until_done(&client, &submission.task()).await;
    assert_eq!(update.status, TaskStatus::Succeeded);
    assert!(
        seen.contains(&TaskStatus::Queued) && seen.contains(&TaskStatus::Running),
        "{seen:?}"
    );
    assert_eq!((update.width, update.height), (Some(1366), Some(768)));
    let query = api_requests(&emu, svc, "GET", "/v1/query/video_generation");
    assert_eq!(
        query[0].query_param("task_id"),
        Some(submission.task_id.as_str())
    );

    let link = client
        .video_link(&submission.task(), &update)
        .await
        .unwrap();
    assert!(!link.send_key);
    let expected = link.expected_bytes.expect("retrieve gives the size");
    let retrieve = api_requests(&emu, svc, "GET", "/v1/files/retrieve");
    assert_eq!(retrieve.len(), 1);
    let Some(VideoSource::MinimaxFile { file_id }) = &update.source else {
        panic!("{:?}", update.source)
    };
    assert_eq!(retrieve[0].query_param("file_id"), Some(file_id.as_str()));

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("lighthouse.mp4");
    let mut reports = Vec::new();
    let video = client
        .download(&link, &dest, |got, total| reports.push((got, total)))
        .await
        .unwrap();
    assert_eq!(video.bytes, expected);
    assert_eq!(std::fs::metadata(&dest).unwrap().len(), expected);
    assert!(is_mp4(&dest));
    assert!(!dest.with_file_name("lighthouse.mp4.part").exists());
    assert_eq!(reports.last(), Some(&(expected, Some(expected))));
    assert!(
        reports.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress only grows"
    );

    let cdn = cdn_requests(&emu);
    assert_eq!(cdn.len(), 1);
    assert_eq!(
        cdn[0].header("authorization"),
        None,
        "the CDN never sees the key"
    );
}

#[tokio::test]
async fn minimax_global_makes_a_video_from_text() {
    minimax_text_to_video(Provider::MinimaxGlobal).await;
}

#[tokio::test]
async fn minimax_china_makes_a_video_from_text() {
    minimax_text_to_video(Provider::MinimaxChina).await;
}

#[tokio::test]
async fn minimax_fast_makes_a_video_from_a_first_frame_picture() {
    let emu = emulator().await;
    let client = client(&emu, Provider::MinimaxGlobal);
    let mut req = text_to_video(Provider::MinimaxGlobal);
    req.model = Model::Hailuo23Fast;
    req.prompt = String::new();
    req.first_frame = Some(picture());
    req.prompt_optimizer = true;
    req.fast_pretreatment = true;
    let submission = client.submit(&req).await.unwrap();
    let sent = api_requests(&emu, Service::MinimaxGlobal, "POST", "/v1/video_generation");
    assert_eq!(
        sent[0].body.clone().unwrap(),
        serde_json::json!({
            "model": "MiniMax-Hailuo-2.3-Fast",
            "first_frame_image": picture_data_url(),
            "prompt_optimizer": true,
            "fast_pretreatment": true,
            "duration": 6,
            "resolution": "768P"
        })
    );
    let (update, _) = until_done(&client, &submission.task()).await;
    assert_eq!(update.status, TaskStatus::Succeeded);
    // The output follows the picture's 16:9 aspect with the short side at 768.
    assert_eq!((update.width, update.height), (Some(1366), Some(768)));
}

#[tokio::test]
async fn openrouter_makes_a_video_from_text_and_reports_its_cost() {
    let emu = emulator().await;
    let client = client(&emu, Provider::OpenRouter);
    let mut req = text_to_video(Provider::OpenRouter);
    req.resolution = Resolution::P1080;
    req.prompt_optimizer = true;
    let submission = client.submit(&req).await.unwrap();
    assert!(submission
        .poll_url
        .as_deref()
        .unwrap()
        .ends_with(&format!("/api/v1/videos/{}", submission.task_id)));

    let sent = api_requests(&emu, Service::OpenRouter, "POST", "/api/v1/videos");
    assert_eq!(sent.len(), 1);
    let key = emu.key(Service::OpenRouter);
    assert_eq!(
        sent[0].header("authorization"),
        Some(format!("Bearer {key}").as_str())
    );
    assert_eq!(sent[0].header("x-title"), Some("Hailuo Studio"));
    assert_eq!(
        sent[0].header("http-referer"),
        Some("https://github.com/hailuo-studio/hailuo-studio")
    );
    assert_eq!(
        sent[0].body.clone().unwrap(),
        serde_json::json!({
            "model": "minimax/hailuo-2.3",
            "prompt": "A lighthouse at dusk, waves below [Push in]",
            "duration": 6,
            "resolution": "1080p"
        })
    );

    let (update, _) = until_done(&client, &submission.task()).await;
    assert_eq!(update.status, TaskStatus::Succeeded);
    assert_eq!(update.charged, Some(Money::usd(dec!(0.49))));
    let link = client
        .video_link(&submission.task(), &update)
        .await
        .unwrap();
    assert!(link.send_key);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("or.mp4");
    let video = client.download(&link, &dest, |_, _| {}).await.unwrap();
    assert!(video.bytes > 0 && is_mp4(&dest));
    let content: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/content"))
        .collect();
    assert_eq!(content.len(), 1);
    assert_eq!(
        content[0].header("authorization"),
        Some(format!("Bearer {key}").as_str())
    );
}

#[tokio::test]
async fn openrouter_makes_a_video_from_a_first_frame_with_an_absolute_polling_url() {
    let emu = start(EmulatorConfig {
        openrouter_polling_url: PollingUrl::Absolute,
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(&emu, Provider::OpenRouter);
    let mut req = text_to_video(Provider::OpenRouter);
    req.first_frame = Some(picture());
    let submission = client.submit(&req).await.unwrap();
    let sent = api_requests(&emu, Service::OpenRouter, "POST", "/api/v1/videos");
    assert_eq!(
        sent[0].body.clone().unwrap()["frame_images"],
        serde_json::json!([{"type": "image_url", "image_url": {"url": picture_data_url()}, "frame_type": "first_frame"}])
    );
    let (update, _) = until_done(&client, &submission.task()).await;
    assert_eq!(update.status, TaskStatus::Succeeded);
    let polls = api_requests(
        &emu,
        Service::OpenRouter,
        "GET",
        &format!("/videos/{}", submission.task_id),
    );
    assert!(!polls.is_empty());
}

#[tokio::test]
async fn linkmodel_makes_a_video_from_text_and_records_the_price() {
    let emu = emulator().await;
    let client = client(&emu, Provider::LinkModel);
    let submission = client
        .submit(&text_to_video(Provider::LinkModel))
        .await
        .unwrap();
    assert_eq!(submission.charged, Some(Money::usd(dec!(0.224))));
    let sent = api_requests(&emu, Service::LinkModel, "POST", "/api/v1/video-generation");
    assert_eq!(
        sent[0].body.clone().unwrap(),
        serde_json::json!({
            "model": "MiniMax-Hailuo-2.3",
            "prompt": "A lighthouse at dusk, waves below [Push in]",
            "duration": 6,
            "resolution": "768P"
        })
    );
    let (update, _) = until_done(&client, &submission.task()).await;
    assert_eq!(update.status, TaskStatus::Succeeded);
    let link = client
        .video_link(&submission.task(), &update)
        .await
        .unwrap();
    assert!(!link.send_key);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("lm.mp4");
    client.download(&link, &dest, |_, _| {}).await.unwrap();
    assert!(is_mp4(&dest));
    let cdn = cdn_requests(&emu);
    assert_eq!(cdn.len(), 1);
    assert_eq!(cdn[0].header("authorization"), None);
}

#[tokio::test]
async fn linkmodel_makes_a_video_from_a_linked_first_frame_found_in_output_videos() {
    let emu = start(EmulatorConfig {
        linkmodel_video_field: LinkModelVideoField::OutputVideosOnly,
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(&emu, Provider::LinkModel);
    let mut req = text_to_video(Provider::LinkModel);
    req.first_frame = Some(FirstFrame::Link {
        url: "https://example.com/frames/lighthouse.jpg".into(),
    });
    let submission = client.submit(&req).await.unwrap();
    let sent = api_requests(&emu, Service::LinkModel, "POST", "/api/v1/video-generation");
    assert_eq!(
        sent[0].body.clone().unwrap()["first_frame_image"],
        "https://example.com/frames/lighthouse.jpg"
    );
    let (update, _) = until_done(&client, &submission.task()).await;
    assert!(matches!(
        update.source,
        Some(VideoSource::LinkModelFile { .. })
    ));
    let link = client
        .video_link(&submission.task(), &update)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    client
        .download(&link, &dir.path().join("v.mp4"), |_, _| {})
        .await
        .unwrap();
}

#[tokio::test]
async fn a_failed_or_cancelled_generation_carries_the_provider_s_reason() {
    let emu = emulator().await;
    let openrouter = client(&emu, Provider::OpenRouter);
    let failed = openrouter
        .submit(&text_to_video(Provider::OpenRouter))
        .await
        .unwrap();
    assert!(emu.fail_task(&failed.task_id, 1000, "upstream provider error"));
    let update = openrouter.check(&failed.task()).await.unwrap();
    assert_eq!(update.status, TaskStatus::Failed);
    assert_eq!(update.provider_status, "failed");
    let failure = update.failure.unwrap();
    assert_eq!(failure.kind(), "generation-failed");
    assert_eq!(
        failure.said().unwrap().text.as_deref(),
        Some("upstream provider error")
    );

    let cancelled = openrouter
        .submit(&text_to_video(Provider::OpenRouter))
        .await
        .unwrap();
    assert!(emu.set_task_status(&cancelled.task_id, EmulatedStatus::Cancelled));
    let update = openrouter.check(&cancelled.task()).await.unwrap();
    assert_eq!(update.status, TaskStatus::Cancelled);
    assert!(update.failure.is_some() && update.source.is_none());

    let linkmodel = client(&emu, Provider::LinkModel);
    let failed = linkmodel
        .submit(&text_to_video(Provider::LinkModel))
        .await
        .unwrap();
    assert!(emu.fail_task(&failed.task_id, 1000, "content policy violation"));
    let update = linkmodel.check(&failed.task()).await.unwrap();
    assert_eq!(update.status, TaskStatus::Failed);
    assert_eq!(update.detail.as_deref(), Some("content policy violation"));
    // LinkModel charged at submit and documents no refund: the money is unknown, not "free".
    assert_eq!(update.failure.unwrap().money(), MoneyState::Unknown);
}

// ---------------------------------------------------------------------------------------------
// Key checks
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_working_key_passes_the_check_at_every_provider_without_a_submit() {
    let emu = emulator().await;
    for provider in Provider::ALL {
        client(&emu, provider)
            .check_key()
            .await
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert_eq!(emu.submits(service(provider)), 0);
    }
    assert!(
        emu.requests().iter().all(|r| r.method == "GET"),
        "a key check only reads"
    );
}

#[tokio::test]
async fn a_global_key_on_the_china_host_is_rejected_with_a_hint_at_the_other_region() {
    let emu = emulator().await;
    let global_key = emu.key(Service::MinimaxGlobal);
    let china = client_with_key(&emu, Provider::MinimaxChina, &global_key);
    let err = china.check_key().await.unwrap_err();
    assert!(
        matches!(
            err,
            ProviderError::KeyRejected {
                other_region_hint: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("other region"));
    assert_keeps_key_out(&err, &global_key);
    let err = china
        .submit(&text_to_video(Provider::MinimaxChina))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "key-rejected");
    assert_eq!(err.money(), MoneyState::NotCharged);
    assert_eq!(emu.submits(Service::MinimaxChina), 0);
}

#[tokio::test]
async fn a_wrong_openrouter_key_is_rejected_and_a_right_one_shows_its_credit() {
    let emu = start(EmulatorConfig {
        openrouter_credit_limit: Some(10.0),
        ..EmulatorConfig::default()
    })
    .await;
    let wrong = "sk-or-v1-not-the-right-one";
    let err = client_with_key(&emu, Provider::OpenRouter, wrong)
        .check_key()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "key-rejected");
    assert_eq!(err.said().unwrap().http_status, Some(401));
    assert_keeps_key_out(&err, wrong);
    let check = client(&emu, Provider::OpenRouter)
        .check_key()
        .await
        .unwrap();
    assert_eq!(check.credit_limit, Some(Money::usd(dec!(10))));
    assert_eq!(check.remaining_credit, Some(Money::usd(dec!(10))));
}

#[tokio::test]
async fn a_wrong_linkmodel_key_is_rejected_whether_sent_with_http_401_or_200() {
    for status in [
        LinkModelErrorStatus::SameAsCode,
        LinkModelErrorStatus::Always200,
    ] {
        let emu = start(EmulatorConfig {
            linkmodel_error_status: status,
            ..EmulatorConfig::default()
        })
        .await;
        let wrong = "linkmodel-wrong-key";
        let err = client_with_key(&emu, Provider::LinkModel, wrong)
            .check_key()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "key-rejected", "{status:?}");
        assert_eq!(err.said().unwrap().code, Some(401));
        assert_keeps_key_out(&err, wrong);
    }
}

// ---------------------------------------------------------------------------------------------
// Errors of the taxonomy
// ---------------------------------------------------------------------------------------------

async fn submit_error(emu: &Emulator, provider: Provider, kind: FaultKind) -> ProviderError {
    emu.inject(Fault::new(service(provider), Endpoint::Submit, kind));
    let err = client(emu, provider)
        .submit(&text_to_video(provider))
        .await
        .unwrap_err();
    assert_keeps_key_out(&err, &emu.key(service(provider)));
    err
}

#[tokio::test]
async fn an_empty_balance_or_spent_limit_is_no_credit_at_every_provider() {
    let emu = emulator().await;
    let cases = [
        (
            Provider::MinimaxGlobal,
            FaultKind::minimax_insufficient_balance(),
            Some(1008),
        ),
        (
            Provider::MinimaxChina,
            FaultKind::minimax_plan_limit(),
            Some(2056),
        ),
        (
            Provider::OpenRouter,
            FaultKind::openrouter_insufficient_credits(),
            Some(402),
        ),
        (
            Provider::LinkModel,
            FaultKind::linkmodel_insufficient_balance(),
            Some(500),
        ),
    ];
    for (provider, fault, code) in cases {
        let err = submit_error(&emu, provider, fault).await;
        // Issue 18: a plan's 5-hour limit (2056) has its own plain message, still not charged.
        let kind = if code == Some(2056) {
            "plan-limit-reached"
        } else {
            "no-credit"
        };
        assert_eq!(err.kind(), kind, "{provider}: {err}");
        assert_eq!(err.said().unwrap().code, code, "{provider}");
        assert_eq!(err.money(), MoneyState::NotCharged);
        assert_eq!(emu.submits(service(provider)), 0);
    }
}

#[tokio::test]
async fn a_flagged_prompt_is_reported_at_minimax_and_openrouter() {
    let emu = emulator().await;
    let err = submit_error(
        &emu,
        Provider::MinimaxGlobal,
        FaultKind::minimax_prompt_flagged(),
    )
    .await;
    assert_eq!(err.kind(), "prompt-flagged");
    assert_eq!(err.said().unwrap().code, Some(1026));
    let err = submit_error(
        &emu,
        Provider::OpenRouter,
        FaultKind::openrouter_moderation(&["violence"]),
    )
    .await;
    assert_eq!(err.kind(), "prompt-flagged");
    assert!(err.to_string().contains("violence"), "{err}");
}

#[tokio::test]
async fn a_flagged_video_ends_the_minimax_generation_uncharged() {
    let emu = emulator().await;
    emu.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Submit,
        FaultKind::minimax_video_flagged(),
    ));
    let client = client(&emu, Provider::MinimaxGlobal);
    let submission = client
        .submit(&text_to_video(Provider::MinimaxGlobal))
        .await
        .unwrap();
    let (update, _) = until_done(&client, &submission.task()).await;
    assert_eq!(update.status, TaskStatus::Failed);
    let failure = update.failure.expect("a reason");
    assert_eq!(failure.kind(), "video-flagged");
    assert_eq!(failure.money(), MoneyState::NotCharged);
    assert_eq!(update.source, None);
}

#[tokio::test]
async fn settings_a_provider_refuses_come_back_in_its_own_words() {
    let emu = start(EmulatorConfig {
        openrouter_accepts_768p: false,
        ..EmulatorConfig::default()
    })
    .await;
    let err = client(&emu, Provider::OpenRouter)
        .submit(&text_to_video(Provider::OpenRouter))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "invalid-parameters");
    assert_eq!(err.said().unwrap().http_status, Some(400));
    assert!(err
        .said()
        .unwrap()
        .text
        .as_deref()
        .is_some_and(|t| !t.is_empty()));
    assert_eq!(emu.submits(Service::OpenRouter), 0);

    let err = submit_error(
        &emu,
        Provider::MinimaxGlobal,
        FaultKind::MinimaxStatus {
            code: 2013,
            message: "invalid params, duration".into(),
        },
    )
    .await;
    assert_eq!(err.kind(), "invalid-parameters");
    assert!(err.to_string().contains("invalid params, duration"));
}

#[tokio::test]
async fn an_invalid_request_never_leaves_the_app() {
    let emu = emulator().await;
    let mut req = text_to_video(Provider::MinimaxGlobal);
    req.duration = 10;
    req.resolution = Resolution::P1080;
    let err = client(&emu, Provider::MinimaxGlobal)
        .submit(&req)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "invalid-request");
    assert!(err
        .to_string()
        .contains("1080P videos can only be 6 seconds long"));
    let err = client(&emu, Provider::OpenRouter)
        .submit(&text_to_video(Provider::LinkModel))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "wrong-client");
    assert!(emu.requests().is_empty());
}

#[tokio::test]
async fn an_unreachable_service_is_network_down() {
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = ProviderClient::new(
        Provider::LinkModel,
        Url::parse(&format!("http://127.0.0.1:{port}/api/v1")).unwrap(),
        SecretString::from("linkmodel-key-1234".to_owned()),
        reqwest::Client::new(),
    )
    .with_retry_policy(quick());
    let err = client.check(&TaskRef::new("t")).await.unwrap_err();
    assert_eq!(err.kind(), "network-down");
    // Never sent, so a submit may be retried, and still reports the network.
    let err = client
        .submit(&text_to_video(Provider::LinkModel))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "network-down");
    assert_eq!(err.money(), MoneyState::NotCharged);
}

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_poll_retries_server_errors_and_succeeds_on_the_third_request() {
    let emu = emulator().await;
    let client = client(&emu, Provider::OpenRouter);
    let submission = client
        .submit(&text_to_video(Provider::OpenRouter))
        .await
        .unwrap();
    emu.inject(
        Fault::new(
            Service::OpenRouter,
            Endpoint::Query,
            FaultKind::ServerError {
                status: 503,
                retry_after_secs: None,
            },
        )
        .times(2),
    );
    let update = client.check(&submission.task()).await.unwrap();
    assert!(!update.status.is_final());
    let polls = api_requests(
        &emu,
        Service::OpenRouter,
        "GET",
        &format!("/videos/{}", submission.task_id),
    );
    assert_eq!(polls.len(), 3);
}

#[tokio::test]
async fn a_poll_gives_up_after_the_last_retry() {
    let emu = emulator().await;
    let client = client(&emu, Provider::MinimaxGlobal);
    let submission = client
        .submit(&text_to_video(Provider::MinimaxGlobal))
        .await
        .unwrap();
    emu.inject(
        Fault::new(
            Service::MinimaxGlobal,
            Endpoint::Query,
            FaultKind::ServerError {
                status: 502,
                retry_after_secs: None,
            },
        )
        .times(10),
    );
    let err = client.check(&submission.task()).await.unwrap_err();
    assert_eq!(err.kind(), "provider-unavailable");
    assert_eq!(err.said().unwrap().http_status, Some(502));
    assert_eq!(
        api_requests(
            &emu,
            Service::MinimaxGlobal,
            "GET",
            "/v1/query/video_generation"
        )
        .len(),
        4
    );
}

#[tokio::test]
async fn minimax_retry_codes_are_retried_but_answers_are_not() {
    let emu = emulator().await;
    let client = client(&emu, Provider::MinimaxChina);
    let submission = client
        .submit(&text_to_video(Provider::MinimaxChina))
        .await
        .unwrap();
    emu.inject(Fault::new(
        Service::MinimaxChina,
        Endpoint::Query,
        FaultKind::MinimaxStatus {
            code: 1033,
            message: "system error".into(),
        },
    ));
    client.check(&submission.task()).await.unwrap();
    assert_eq!(
        api_requests(
            &emu,
            Service::MinimaxChina,
            "GET",
            "/v1/query/video_generation"
        )
        .len(),
        2
    );

    emu.inject(Fault::new(
        Service::MinimaxChina,
        Endpoint::Query,
        FaultKind::BrokenJson,
    ));
    let err = client.check(&submission.task()).await.unwrap_err();
    // Issue 18: while following, an unreadable answer is its own outcome, with the answer.
    assert_eq!(err.kind(), "unreadable-answer");
    assert!(
        err.said().unwrap().text.is_some(),
        "an excerpt of the body is kept"
    );
    assert_eq!(
        api_requests(
            &emu,
            Service::MinimaxChina,
            "GET",
            "/v1/query/video_generation"
        )
        .len(),
        3
    );
}

#[tokio::test]
async fn a_proxy_error_page_is_retried_then_reported_with_an_excerpt() {
    let emu = emulator().await;
    let client = client(&emu, Provider::LinkModel);
    let submission = client
        .submit(&text_to_video(Provider::LinkModel))
        .await
        .unwrap();
    emu.inject(
        Fault::new(
            Service::LinkModel,
            Endpoint::Query,
            FaultKind::HtmlErrorPage { status: 502 },
        )
        .times(4),
    );
    let err = client.check(&submission.task()).await.unwrap_err();
    assert_eq!(err.said().unwrap().http_status, Some(502));
    assert!(
        err.said().unwrap().text.as_deref().unwrap().contains('<'),
        "{err}"
    );
    assert_eq!(
        api_requests(&emu, Service::LinkModel, "GET", "/query/video-generation").len(),
        4
    );
}

#[tokio::test]
async fn a_rate_limited_submit_waits_as_asked_and_is_sent_again() {
    let emu = emulator().await;
    emu.inject(
        Fault::new(
            Service::OpenRouter,
            Endpoint::Submit,
            FaultKind::TooManyRequests {
                retry_after_secs: Some(1),
            },
        )
        .times(1),
    );
    let started = std::time::Instant::now();
    let submission = client(&emu, Provider::OpenRouter)
        .submit(&text_to_video(Provider::OpenRouter))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert!(!submission.task_id.is_empty());
    assert_eq!(
        api_requests(&emu, Service::OpenRouter, "POST", "/api/v1/videos").len(),
        2
    );
    assert_eq!(emu.submits(Service::OpenRouter), 1);
}

#[tokio::test]
async fn minimax_1002_on_submit_is_retried_until_the_limit() {
    let emu = emulator().await;
    emu.inject(
        Fault::new(
            Service::MinimaxGlobal,
            Endpoint::Submit,
            FaultKind::minimax_rate_limited(),
        )
        .times(10),
    );
    let err = client(&emu, Provider::MinimaxGlobal)
        .submit(&text_to_video(Provider::MinimaxGlobal))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "rate-limited");
    assert_eq!(err.said().unwrap().code, Some(1002));
    assert_eq!(
        api_requests(&emu, Service::MinimaxGlobal, "POST", "/v1/video_generation").len(),
        4
    );
    assert_eq!(emu.submits(Service::MinimaxGlobal), 0);
}

#[tokio::test]
async fn a_retry_after_longer_than_we_wait_goes_back_to_the_caller_at_once() {
    let emu = emulator().await;
    emu.inject(Fault::new(
        Service::OpenRouter,
        Endpoint::Key,
        FaultKind::TooManyRequests {
            retry_after_secs: Some(120),
        },
    ));
    let err = client(&emu, Provider::OpenRouter)
        .check_key()
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(err.to_string().contains("Try again in 2 minutes."), "{err}");
    assert_eq!(
        api_requests(&emu, Service::OpenRouter, "GET", "/api/v1/key").len(),
        1
    );
}

// ---------------------------------------------------------------------------------------------
// The never-resubmit rule
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_submit_whose_answer_is_lost_is_never_sent_again() {
    for provider in Provider::ALL {
        let emu = emulator().await;
        emu.inject(Fault::new(
            service(provider),
            Endpoint::Submit,
            FaultKind::AnswerLost { after: None },
        ));
        let client = client(&emu, provider).with_retry_policy(RetryPolicy {
            request_timeout: Duration::from_millis(500),
            ..quick()
        });
        let err = client.submit(&text_to_video(provider)).await.unwrap_err();
        assert_eq!(err.kind(), "submit-outcome-unknown", "{provider}: {err}");
        assert_eq!(err.money(), MoneyState::Unknown);
        assert!(err
            .to_string()
            .contains("may have been started and charged"));
        assert_eq!(
            emu.submits(service(provider)),
            1,
            "{provider}: the task exists once"
        );
        let posts = emu
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST")
            .count();
        assert_eq!(posts, 1, "{provider}: sent once");
    }
}

#[tokio::test]
async fn a_server_error_or_broken_answer_to_a_submit_is_an_unknown_outcome() {
    let faults = [
        FaultKind::ServerError {
            status: 500,
            retry_after_secs: None,
        },
        FaultKind::HtmlErrorPage { status: 502 },
        FaultKind::BrokenJson,
    ];
    for fault in faults {
        let emu = emulator().await;
        let err = submit_error(&emu, Provider::OpenRouter, fault.clone()).await;
        assert_eq!(err.kind(), "submit-outcome-unknown", "{fault:?}");
        assert_eq!(
            api_requests(&emu, Service::OpenRouter, "POST", "/api/v1/videos").len(),
            1,
            "{fault:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Downloads
// ---------------------------------------------------------------------------------------------

/// A finished MiniMax generation and a link to its video.
async fn finished_minimax(emu: &Emulator) -> (ProviderClient, TaskRef, TaskUpdate, VideoLink) {
    let client = client(emu, Provider::MinimaxGlobal);
    let submission = client
        .submit(&text_to_video(Provider::MinimaxGlobal))
        .await
        .unwrap();
    let (update, _) = until_done(&client, &submission.task()).await;
    let link = client
        .video_link(&submission.task(), &update)
        .await
        .unwrap();
    (client, submission.task(), update, link)
}

/// A video big enough that the emulator's server sends bytes before it cuts the connection
/// (hyper buffers a small body whole and loses it on the cut).
const PADDED_VIDEO: u64 = 4_000_000;

/// Where a `Range: bytes=N-` request resumed, if it was one.
fn resumed_at(request: &RecordedRequest) -> Option<u64> {
    request
        .header("range")?
        .strip_prefix("bytes=")?
        .strip_suffix('-')?
        .parse()
        .ok()
}

async fn resumes_after(fault: FaultKind, cut_at: u64) {
    let emu = start(EmulatorConfig {
        pad_videos_to: Some(PADDED_VIDEO),
        ..EmulatorConfig::default()
    })
    .await;
    let (client, _, _, link) = finished_minimax(&emu).await;
    assert_eq!(link.expected_bytes, Some(PADDED_VIDEO));
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.mp4");
    client.download(&link, &whole, |_, _| {}).await.unwrap();

    emu.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Download,
        fault.clone(),
    ));
    let dest = dir.path().join("resumed.mp4");
    let mut reports = Vec::new();
    let video = client
        .download(&link, &dest, |got, total| reports.push((got, total)))
        .await
        .unwrap();
    assert_eq!(video.resumed, 1, "{fault:?}");
    assert_eq!(video.bytes, PADDED_VIDEO);
    assert!(
        std::fs::read(&dest).unwrap() == std::fs::read(&whole).unwrap(),
        "the resumed video is byte for byte the whole one"
    );
    let cdn = cdn_requests(&emu);
    assert_eq!(cdn.len(), 3, "whole, cut, resumed");
    assert_eq!(resumed_at(&cdn[1]), None);
    let from = resumed_at(&cdn[2]).expect("the last request is a Range request");
    assert!(from > 0 && from <= cut_at, "resumed at {from}");
    assert!(
        reports.contains(&(from, Some(PADDED_VIDEO))),
        "progress continues from {from}"
    );
    assert_eq!(reports.last(), Some(&(PADDED_VIDEO, Some(PADDED_VIDEO))));
}

#[tokio::test]
async fn a_dropped_download_resumes_where_it_stopped() {
    resumes_after(FaultKind::DropAfter { bytes: 3_000_000 }, 3_000_000).await;
}

#[tokio::test]
async fn a_truncated_download_is_completed_with_a_range_request() {
    resumes_after(FaultKind::Truncated { bytes: 3_000_000 }, 3_000_000).await;
}

#[tokio::test]
async fn a_download_the_cdn_keeps_refusing_gives_up_after_the_last_retry() {
    let emu = emulator().await;
    let (client, _, _, link) = finished_minimax(&emu).await;
    emu.inject(
        Fault::new(
            Service::MinimaxGlobal,
            Endpoint::Download,
            FaultKind::ServerError {
                status: 503,
                retry_after_secs: None,
            },
        )
        .times(10),
    );
    let dir = tempfile::tempdir().unwrap();
    let err = client
        .download(&link, &dir.path().join("v.mp4"), |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "provider-unavailable");
    assert_eq!(cdn_requests(&emu).len(), 4);
}

#[tokio::test]
async fn a_partial_file_from_an_earlier_run_is_resumed() {
    let emu = emulator().await;
    let (client, _, _, link) = finished_minimax(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.mp4");
    client.download(&link, &whole, |_, _| {}).await.unwrap();
    let bytes = std::fs::read(&whole).unwrap();
    let dest = dir.path().join("again.mp4");
    std::fs::write(dir.path().join("again.mp4.part"), &bytes[..bytes.len() / 2]).unwrap();
    let mut first_report = None;
    client
        .download(&link, &dest, |got, _| {
            first_report.get_or_insert(got);
        })
        .await
        .unwrap();
    assert_eq!(first_report, Some((bytes.len() / 2) as u64));
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
    assert_eq!(
        cdn_requests(&emu).last().unwrap().header("range"),
        Some(format!("bytes={}-", bytes.len() / 2).as_str())
    );
}

#[tokio::test]
async fn an_expired_link_is_told_apart_and_a_fresh_one_works() {
    let emu = start(EmulatorConfig {
        minimax_link_ttl: Duration::from_millis(200),
        ..EmulatorConfig::default()
    })
    .await;
    let (client, task, update, link) = finished_minimax(&emu).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let err = client.download(&link, &dest, |_, _| {}).await.unwrap_err();
    assert_eq!(err.kind(), "link-expired");
    assert_eq!(
        cdn_requests(&emu).len(),
        1,
        "an expired link is not retried"
    );
    let fresh = client.video_link(&task, &update).await.unwrap();
    assert_ne!(fresh.url, link.url);
    client.download(&fresh, &dest, |_, _| {}).await.unwrap();
    assert!(is_mp4(&dest));
}

#[tokio::test]
async fn an_expired_linkmodel_link_answering_404_is_told_apart_too() {
    let emu = start(EmulatorConfig {
        expired_link: ExpiredLink::NotFound,
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(&emu, Provider::LinkModel);
    let submission = client
        .submit(&text_to_video(Provider::LinkModel))
        .await
        .unwrap();
    let (update, _) = until_done(&client, &submission.task()).await;
    let link = client
        .video_link(&submission.task(), &update)
        .await
        .unwrap();
    emu.expire_links_now();
    let dir = tempfile::tempdir().unwrap();
    let err = client
        .download(&link, &dir.path().join("v.mp4"), |_, _| {})
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ProviderError::LinkExpired {
                http_status: 404,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(cdn_requests(&emu).len(), 1);
}

#[tokio::test]
async fn a_video_announced_over_the_size_cap_is_not_downloaded() {
    let emu = emulator().await;
    let (client, _, _, mut link) = finished_minimax(&emu).await;
    link.expected_bytes = Some(3 * 1024 * 1024 * 1024);
    let dir = tempfile::tempdir().unwrap();
    let err = client
        .download(&link, &dir.path().join("v.mp4"), |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "video-too-large");
    assert!(cdn_requests(&emu).is_empty());
}

#[tokio::test]
async fn an_announced_size_is_a_hint_so_a_whole_video_of_another_size_is_kept() {
    let emu = emulator().await;
    let (client, _, _, mut link) = finished_minimax(&emu).await;
    link.expected_bytes = link.expected_bytes.map(|b| b + 1);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    client.download(&link, &dest, |_, _| {}).await.unwrap();
    assert!(is_mp4(&dest));
    assert_eq!(cdn_requests(&emu).len(), 1, "one request, no retry");
}

#[tokio::test]
async fn a_video_announced_as_0_bytes_is_downloaded_at_once() {
    let emu = emulator().await;
    let (client, _, _, mut link) = finished_minimax(&emu).await;
    // Real MiniMax retrieve answers were seen with `"bytes": 0`.
    link.expected_bytes = Some(0);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let mut reports = Vec::new();
    client
        .download(&link, &dest, |got, total| reports.push((got, total)))
        .await
        .unwrap();
    assert!(is_mp4(&dest));
    assert_eq!(cdn_requests(&emu).len(), 1, "one request, no retry");
    let size = std::fs::metadata(&dest).unwrap().len();
    assert_eq!(
        reports.last(),
        Some(&(size, Some(size))),
        "progress knows the size the server gave"
    );
}

#[tokio::test]
async fn a_minimax_cdn_link_that_keeps_failing_is_fetched_through_retrieve_content_with_the_key() {
    let emu = start(EmulatorConfig {
        minimax_retrieve_content: true,
        ..EmulatorConfig::default()
    })
    .await;
    let (client, _, _, link) = finished_minimax(&emu).await;
    emu.inject(
        Fault::new(
            Service::MinimaxGlobal,
            Endpoint::Download,
            FaultKind::ServerError {
                status: 503,
                retry_after_secs: None,
            },
        )
        .times(10),
    );
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    client.download(&link, &dest, |_, _| {}).await.unwrap();
    assert!(is_mp4(&dest));
    assert_eq!(
        cdn_requests(&emu).len(),
        4,
        "the CDN link was tried to its last retry"
    );
    assert!(cdn_requests(&emu)
        .iter()
        .all(|r| r.header("authorization").is_none()));
    let content: Vec<_> = emu
        .requests_to(Service::MinimaxGlobal)
        .into_iter()
        .filter(|r| r.path == "/v1/files/retrieve_content")
        .collect();
    assert_eq!(content.len(), 1);
    assert_eq!(
        content[0].header("authorization"),
        Some(format!("Bearer {}", emu.key(Service::MinimaxGlobal)).as_str())
    );
}

#[tokio::test]
async fn a_minimax_link_carries_retrieve_content_as_its_fallback() {
    let emu = emulator().await;
    let (_, _, update, link) = finished_minimax(&emu).await;
    let file_id = match update.source.unwrap() {
        VideoSource::MinimaxFile { file_id } => file_id,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        link.fallback.unwrap().as_str(),
        format!(
            "{}/v1/files/retrieve_content?file_id={file_id}",
            emu.base_url(Service::MinimaxGlobal)
        )
    );
}

#[tokio::test]
async fn the_key_never_goes_to_a_cdn_or_another_host() {
    let emu = emulator().await;
    let (client, _, _, mut link) = finished_minimax(&emu).await;
    // A link elsewhere that claims to want the key is refused before any request.
    link.send_key = true;
    let dir = tempfile::tempdir().unwrap();
    let err = client
        .download(&link, &dir.path().join("v.mp4"), |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "unsafe-link");
    assert!(cdn_requests(&emu).is_empty());
}
