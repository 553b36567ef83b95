//! First contact (issue 18): each row of providers.md's "Re-checked December 2026" that the
//! provider clients answer for, against the emulator switched to that variant.

// Helpers shared by the tests panic on purpose: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use hailuo_core::pacing::RequestPacer;
use hailuo_core::providers::{ProviderClient, RetryPolicy, TaskRef, TaskStatus, TaskUpdate};
use hailuo_core::{GenerationRequest, Model, Provider, Resolution};
use hailuo_emulator::{
    ChinaHostName, Emulator, EmulatorConfig, Endpoint, Fault, FaultKind, Host, RecordedRequest,
    Service, Variants,
};
use secrecy::SecretString;
use url::Url;

fn service(provider: Provider) -> Service {
    match provider {
        Provider::MinimaxGlobal => Service::MinimaxGlobal,
        Provider::MinimaxChina => Service::MinimaxChina,
        Provider::OpenRouter => Service::OpenRouter,
        Provider::LinkModel => Service::LinkModel,
    }
}

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

async fn start(variants: Variants) -> Emulator {
    Emulator::start(EmulatorConfig {
        variants,
        ..EmulatorConfig::default()
    })
    .await
    .expect("the emulator starts")
}

fn client(emu: &Emulator, provider: Provider) -> ProviderClient {
    ProviderClient::new(
        provider,
        Url::parse(&emu.base_url(service(provider))).unwrap(),
        SecretString::from(emu.key(service(provider))),
        reqwest::Client::new(),
    )
    .with_retry_policy(quick())
}

/// A China client on the new name, with the old one as the other host (as the app builds it
/// from its two variables).
fn china_client(emu: &Emulator) -> ProviderClient {
    client(emu, Provider::MinimaxChina).with_alternate_base(Some(
        Url::parse(&emu.china_base_url(ChinaHostName::Old)).unwrap(),
    ))
}

fn text_to_video(provider: Provider) -> GenerationRequest {
    GenerationRequest {
        provider,
        model: Model::Hailuo23,
        prompt: "A lighthouse at dusk, waves below [Push in]".into(),
        first_frame: None,
        duration: 6,
        resolution: if provider == Provider::OpenRouter {
            Resolution::P1080
        } else {
            Resolution::P768
        },
        prompt_optimizer: false,
        fast_pretreatment: false,
    }
}

async fn until_done(client: &ProviderClient, task: &TaskRef) -> (TaskUpdate, Vec<String>) {
    let mut seen = Vec::new();
    for _ in 0..20 {
        let update = client.check(task).await.expect("a poll");
        seen.push(update.provider_status.clone());
        if update.status.is_final() {
            return (update, seen);
        }
    }
    panic!("the generation never ended: {seen:?}");
}

/// One whole generation, submit to a video on disk; answers the final update and the size.
async fn one_generation(client: &ProviderClient) -> (TaskUpdate, Vec<String>, u64) {
    let provider = client.provider();
    let submission = client.submit(&text_to_video(provider)).await.unwrap();
    let (update, seen) = until_done(client, &submission.task()).await;
    assert_eq!(update.status, TaskStatus::Succeeded, "{seen:?}");
    let link = client
        .video_link(&submission.task(), &update)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("video.mp4");
    let video = client.download(&link, &dest, |_, _| {}).await.unwrap();
    let head = std::fs::read(&dest).unwrap();
    assert_eq!(&head[4..8], b"ftyp", "a real MP4");
    (update, seen, video.bytes)
}

/// The port of the host a request was sent to.
fn host_port(request: &RecordedRequest) -> String {
    request
        .header("host")
        .and_then(|h| h.rsplit(':').next())
        .unwrap_or_default()
        .to_owned()
}

fn port_of(base: &str) -> String {
    Url::parse(base).unwrap().port().unwrap().to_string()
}

fn china_api_requests(emu: &Emulator) -> Vec<RecordedRequest> {
    emu.requests_to(Service::MinimaxChina)
        .into_iter()
        .filter(|r| r.host == Host::Api)
        .collect()
}

#[tokio::test]
async fn minimax_china_works_on_api_minimax_cn_and_on_api_minimaxi_com() {
    for down in [ChinaHostName::New, ChinaHostName::Old] {
        let emu = start(Variants {
            china_host_down: Some(down),
            ..Variants::default()
        })
        .await;
        let up = match down {
            ChinaHostName::New => ChinaHostName::Old,
            ChinaHostName::Old => ChinaHostName::New,
        };
        let client = china_client(&emu);
        one_generation(&client).await;
        assert_eq!(
            emu.submits(Service::MinimaxChina),
            1,
            "one submit, {down:?} down"
        );
        let answered_port = port_of(&emu.china_base_url(up));
        assert!(
            china_api_requests(&emu)
                .iter()
                .all(|r| host_port(r) == answered_port),
            "every request reached the host that is up ({up:?})"
        );
    }
}

#[tokio::test]
async fn the_china_key_test_finds_which_host_answers_for_the_key() {
    let both_up = start(Variants::default()).await;
    let found = china_client(&both_up).check_key().await.unwrap();
    assert_eq!(
        found.base_url.as_deref(),
        Some(both_up.china_base_url(ChinaHostName::New).as_str()),
        "the documented name first"
    );
    let new_down = start(Variants {
        china_host_down: Some(ChinaHostName::New),
        ..Variants::default()
    })
    .await;
    let found = china_client(&new_down).check_key().await.unwrap();
    assert_eq!(
        found.base_url.as_deref(),
        Some(new_down.china_base_url(ChinaHostName::Old).as_str())
    );
}

#[tokio::test]
async fn a_china_submit_that_may_have_arrived_is_never_sent_to_the_other_host() {
    let emu = start(Variants::default()).await;
    emu.inject(Fault::new(
        Service::MinimaxChina,
        Endpoint::Submit,
        FaultKind::AnswerLost {
            after: Some(Duration::from_secs(10)),
        },
    ));
    let client = china_client(&emu).with_retry_policy(RetryPolicy {
        request_timeout: Duration::from_millis(300),
        ..quick()
    });
    let err = client
        .submit(&text_to_video(Provider::MinimaxChina))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "submit-outcome-unknown");
    let old_port = port_of(&emu.china_base_url(ChinaHostName::Old));
    assert!(
        china_api_requests(&emu)
            .iter()
            .all(|r| host_port(r) != old_port),
        "the other host name is only for connections that never started"
    );
    assert_eq!(emu.submits(Service::MinimaxChina), 1);
}

#[tokio::test]
async fn minimax_twenty_a_minute_with_1002_beyond_slows_the_shared_pace() {
    let emu = start(Variants {
        minimax_requests_per_minute: Some(20),
        ..Variants::default()
    })
    .await;
    let pacer = Arc::new(RequestPacer::documented());
    let client = client(&emu, Provider::MinimaxGlobal)
        .with_retry_policy(RetryPolicy {
            max_retries: 0,
            ..quick()
        })
        .with_pacer(pacer.clone());
    let submission = client
        .submit(&text_to_video(Provider::MinimaxGlobal))
        .await
        .unwrap();
    for _ in 0..19 {
        client.check(&submission.task()).await.unwrap();
    }
    assert_eq!(pacer.current_limit(Provider::MinimaxGlobal), Some(20));
    let err = client.check(&submission.task()).await.unwrap_err();
    assert_eq!(err.kind(), "rate-limited");
    assert_eq!(err.said().unwrap().code, Some(1002));
    assert_eq!(
        pacer.current_limit(Provider::MinimaxGlobal),
        Some(10),
        "the pace every generation shares slowed down"
    );
    assert_eq!(pacer.current_limit(Provider::MinimaxChina), Some(20));
}

#[tokio::test]
async fn openrouter_usage_cost_null_is_charge_not_reported_never_zero() {
    let emu = start(Variants {
        openrouter_cost_null: true,
        ..Variants::default()
    })
    .await;
    let (update, _, _) = one_generation(&client(&emu, Provider::OpenRouter)).await;
    assert_eq!(update.charged, None, "never a charge of 0");
    assert!(update.charge_not_reported);
    let plain = start(Variants::default()).await;
    let (update, _, _) = one_generation(&client(&plain, Provider::OpenRouter)).await;
    assert!(update.charged.is_some());
    assert!(!update.charge_not_reported);
}

#[tokio::test]
async fn openrouter_sends_x_openrouter_title_beside_http_referer() {
    let emu = start(Variants::default()).await;
    let client = client(&emu, Provider::OpenRouter);
    client.check_key().await.unwrap();
    client
        .submit(&text_to_video(Provider::OpenRouter))
        .await
        .unwrap();
    let sent = emu.requests_to(Service::OpenRouter);
    assert_eq!(sent.len(), 2);
    for request in sent {
        assert_eq!(request.header("x-openrouter-title"), Some("Hailuo Studio"));
        assert_eq!(request.header("x-title"), Some("Hailuo Studio"));
        assert!(request.header("http-referer").is_some());
    }
}

#[tokio::test]
async fn numbers_as_strings_and_extra_fields_are_read_at_every_provider() {
    let emu = start(Variants {
        numbers_as_strings: true,
        extra_fields: true,
        ..Variants::default()
    })
    .await;
    for provider in [
        Provider::MinimaxGlobal,
        Provider::MinimaxChina,
        Provider::OpenRouter,
        Provider::LinkModel,
    ] {
        let client = client(&emu, provider);
        let (update, _, _) = one_generation(&client).await;
        if provider.is_minimax() {
            assert_eq!((update.width, update.height), (Some(1366), Some(768)));
        }
        if provider == Provider::OpenRouter {
            assert!(
                update.charged.is_some(),
                "a price as a string is still a price"
            );
        }
        assert_eq!(emu.submits(service(provider)), 1, "{provider}");
        client.check_key().await.unwrap();
    }
}

#[tokio::test]
async fn an_unknown_status_word_means_still_working_at_every_provider() {
    let emu = start(Variants {
        unknown_status_word: Some("Rendering".into()),
        ..Variants::default()
    })
    .await;
    for provider in [
        Provider::MinimaxGlobal,
        Provider::OpenRouter,
        Provider::LinkModel,
    ] {
        let client = client(&emu, provider);
        let (_, seen, _) = one_generation(&client).await;
        assert!(
            seen.iter().any(|s| s == "Rendering"),
            "{provider}: the odd word was seen and the generation went on: {seen:?}"
        );
    }
}

#[tokio::test]
async fn an_unreadable_answer_while_following_is_its_own_outcome_with_the_answer_redacted() {
    let emu = start(Variants::default()).await;
    let client = client(&emu, Provider::MinimaxGlobal);
    let submission = client
        .submit(&text_to_video(Provider::MinimaxGlobal))
        .await
        .unwrap();
    let odd = r#"{"task_id":"1","status":"Success","base_resp":{"status_code":0},"note":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUg"}"#;
    emu.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Query,
        FaultKind::Custom {
            status: 200,
            body: odd.into(),
        },
    ));
    let err = client.check(&submission.task()).await.unwrap_err();
    assert_eq!(err.kind(), "unreadable-answer");
    let raw = err.raw_answer().unwrap();
    assert!(raw.contains("\"status\":\"Success\""), "{raw}");
    assert!(!raw.contains("iVBORw0KGgo"), "{raw}");
    assert!(
        err.to_string().contains("does not know yet"),
        "{}",
        err.to_string()
    );
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json["raw"].as_str(), Some(raw));
    // The task is still followable: the next answer is read as usual.
    let (update, _) = until_done(&client, &submission.task()).await;
    assert_eq!(update.status, TaskStatus::Succeeded);
}

/// One generation per service under one variant: "video saved, 1 submit" or what went wrong.
async fn outcome(variants: Variants, provider: Provider) -> String {
    let emu = start(variants).await;
    let client = if provider == Provider::MinimaxChina {
        china_client(&emu)
    } else {
        client(&emu, provider)
    };
    let attempt = async {
        let submission = client.submit(&text_to_video(provider)).await?;
        let mut update = client.check(&submission.task()).await?;
        for _ in 0..20 {
            if update.status.is_final() {
                break;
            }
            update = client.check(&submission.task()).await?;
        }
        let link = client.video_link(&submission.task(), &update).await?;
        let dir = tempfile::tempdir().unwrap();
        client
            .download(&link, &dir.path().join("v.mp4"), |_, _| {})
            .await?;
        Ok::<_, hailuo_core::providers::ProviderError>(())
    };
    match attempt.await {
        Ok(()) => format!("video saved, {} submit", emu.submits(service(provider))),
        Err(err) => format!("{}: {err}", err.kind()),
    }
}

#[tokio::test]
async fn every_variant_of_the_re_check_ends_as_a_saved_video_with_one_submit() {
    let variants: Vec<(&str, Variants)> = vec![
        (
            "bytes 0",
            Variants {
                minimax_zero_bytes: true,
                ..Variants::default()
            },
        ),
        (
            "China api.minimax.cn down",
            Variants {
                china_host_down: Some(ChinaHostName::New),
                ..Variants::default()
            },
        ),
        (
            "China api.minimaxi.com down",
            Variants {
                china_host_down: Some(ChinaHostName::Old),
                ..Variants::default()
            },
        ),
        (
            "20/min, 1002 beyond",
            Variants {
                minimax_requests_per_minute: Some(20),
                ..Variants::default()
            },
        ),
        (
            "catalogue 1080p only",
            Variants {
                openrouter_catalogue_1080p_only: true,
                ..Variants::default()
            },
        ),
        (
            "usage.cost null",
            Variants {
                openrouter_cost_null: true,
                ..Variants::default()
            },
        ),
        (
            "result link elsewhere",
            Variants {
                openrouter_result_elsewhere: true,
                ..Variants::default()
            },
        ),
        (
            "numbers as strings",
            Variants {
                numbers_as_strings: true,
                ..Variants::default()
            },
        ),
        (
            "unknown status word",
            Variants {
                unknown_status_word: Some("Rendering".into()),
                ..Variants::default()
            },
        ),
        (
            "extra fields",
            Variants {
                extra_fields: true,
                ..Variants::default()
            },
        ),
    ];
    let providers = [
        Provider::MinimaxGlobal,
        Provider::MinimaxChina,
        Provider::OpenRouter,
        Provider::LinkModel,
    ];
    let mut table = String::from(
        "| variant | MiniMax | MiniMax China | OpenRouter | LinkModel |\n|---|---|---|---|---|\n",
    );
    let mut wrong = Vec::new();
    for (name, variant) in variants {
        let mut row = format!("| {name} |");
        for provider in providers {
            let got = outcome(variant.clone(), provider).await;
            if got != "video saved, 1 submit" {
                wrong.push(format!("{name} × {provider}: {got}"));
            }
            row.push_str(&format!(" {got} |"));
        }
        table.push_str(&row);
        table.push('\n');
    }
    println!("{table}");
    assert!(wrong.is_empty(), "{wrong:#?}\n{table}");
}

#[tokio::test]
async fn the_field_record_keeps_each_exchange_without_the_key_or_a_data_url() {
    let logs = tempfile::tempdir().unwrap();
    hailuo_core::field_record::start(logs.path());
    let emu = start(Variants::default()).await;
    let client = client(&emu, Provider::MinimaxGlobal);
    let mut request = text_to_video(Provider::MinimaxGlobal);
    request.model = Model::Hailuo23Fast;
    request.first_frame = Some(hailuo_core::FirstFrame::Picture {
        mime: "image/png".into(),
        bytes: include_bytes!("fixtures/first-frame.png").to_vec(),
    });
    let submission = client.submit(&request).await.unwrap();
    // The writer thread is asynchronous: wait for the record to land.
    let mut recorded = Vec::new();
    for _ in 0..100 {
        recorded = hailuo_core::field_record::recent(logs.path(), 50);
        if recorded.iter().any(|(s, lines)| {
            s == "minimax-global" && lines.iter().any(|l| l.contains(&submission.task_id))
        }) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, lines) = recorded
        .iter()
        .find(|(s, _)| s == "minimax-global")
        .expect("a record for MiniMax");
    let submit = lines
        .iter()
        .find(|l| l.contains("/v1/video_generation"))
        .expect("the submit is kept");
    assert!(submit.contains(&submission.task_id), "{submit}");
    assert!(submit.contains("\"status\":200"), "{submit}");
    assert!(submit.contains("elapsedMs"), "{submit}");
    let all = std::fs::read_to_string(logs.path().join("exchanges-minimax-global.jsonl")).unwrap();
    assert!(!all.contains(&emu.key(Service::MinimaxGlobal)), "{all}");
    assert!(!all.contains("data:image"), "{all}");
    assert!(!all.to_ascii_lowercase().contains("authorization"), "{all}");
}
