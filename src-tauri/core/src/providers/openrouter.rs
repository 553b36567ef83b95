//! OpenRouter's video API: 202 on submit, a polling URL, HTTP statuses as errors, `usage.cost`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::{provider_text, MoneyState, ProviderError, ProviderSaid};
use super::http::{
    by_status, read_exchange, salvage_submit, settle_submit_error, submit_exchange,
    submit_with_retries, with_retries, Answer,
};
use super::wire::{check_submitted_id, de_amount, de_loose_string, exact_amount, first_frame_url};
use super::{
    KeyCheck, ProviderClient, Submission, TaskRef, TaskStatus, TaskUpdate, VideoLink, VideoSource,
    APP_TITLE, APP_URL,
};
use crate::generation::GenerationRequest;
use crate::money::Money;
use crate::provider::Provider;

const P: Provider = Provider::OpenRouter;

/// OpenRouter lists Hailuo 2.3 under this id (no Fast variant).
pub(crate) const MODEL: &str = "minimax/hailuo-2.3";

/// `POST /videos`. Resolution is sent as asked (lowercased); OpenRouter answers 400 for what
/// its catalogue does not list, and that text reaches the creator.
#[derive(Debug, Serialize)]
pub(crate) struct SubmitBody {
    model: &'static str,
    prompt: String,
    duration: u8,
    resolution: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    frame_images: Vec<FrameImage>,
}

#[derive(Debug, Serialize)]
struct FrameImage {
    #[serde(rename = "type")]
    kind: &'static str,
    image_url: ImageUrl,
    frame_type: &'static str,
}

#[derive(Debug, Serialize)]
struct ImageUrl {
    url: String,
}

impl SubmitBody {
    pub(crate) fn new(req: &GenerationRequest) -> Self {
        SubmitBody {
            model: MODEL,
            prompt: req.prompt.clone(),
            duration: req.duration,
            resolution: req.resolution.as_openrouter(),
            frame_images: req
                .first_frame
                .iter()
                .map(|frame| FrameImage {
                    kind: "image_url",
                    image_url: ImageUrl {
                        url: first_frame_url(frame),
                    },
                    frame_type: "first_frame",
                })
                .collect(),
        }
    }
}

// Answers are read liberally (providers.md, re-check): unknown fields ignored, numbers as
// strings accepted, status words compared case-insensitively, an unknown one "still working".

#[derive(Debug, Deserialize)]
struct SubmitAnswer {
    #[serde(default, deserialize_with = "de_loose_string")]
    id: String,
    #[serde(default, deserialize_with = "super::wire::de_loose_text")]
    polling_url: Option<String>,
}

/// OpenRouter's status words; anything else (a word added later) means still working.
fn job_status(word: &str) -> TaskStatus {
    match word.trim().to_ascii_lowercase().as_str() {
        "pending" | "queued" => TaskStatus::Queued,
        "completed" | "succeeded" | "success" => TaskStatus::Succeeded,
        "failed" => TaskStatus::Failed,
        "cancelled" | "canceled" => TaskStatus::Cancelled,
        "expired" => TaskStatus::Expired,
        _ => TaskStatus::Running,
    }
}

#[derive(Debug, Deserialize)]
struct PollAnswer {
    #[serde(default, deserialize_with = "de_loose_string")]
    status: String,
    #[serde(default)]
    unsigned_urls: Option<serde_json::Value>,
    /// Optional, and `usage.cost` may be `null` (BYOK routing): then the charge is unknown.
    #[serde(default)]
    usage: Option<serde_json::Value>,
    error: Option<serde_json::Value>,
}

/// `usage.cost` exactly, when it is there and a number (or a numeric string).
fn reported_cost(usage: Option<&serde_json::Value>) -> Option<Decimal> {
    usage?.get("cost").and_then(exact_amount)
}

/// The links of `unsigned_urls`, whatever else the list holds.
fn link_list(urls: Option<&serde_json::Value>) -> Vec<String> {
    match urls {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str())
            .filter(|u| !u.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        Some(serde_json::Value::String(one)) if !one.trim().is_empty() => vec![one.clone()],
        _ => Vec::new(),
    }
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: String,
    metadata: Option<serde_json::Value>,
}

/// `GET /key`: documented as reporting `limit`, `limit_remaining` and `usage`; the live API
/// wraps them in `data`, so both shapes are read.
#[derive(Debug, Deserialize)]
struct KeyAnswer {
    data: Option<KeyInfo>,
    #[serde(flatten)]
    top: KeyInfo,
}

#[derive(Debug, Default, Deserialize)]
struct KeyInfo {
    #[serde(default, deserialize_with = "de_amount")]
    limit: Option<Decimal>,
    #[serde(default, deserialize_with = "de_amount")]
    limit_remaining: Option<Decimal>,
    #[serde(default, deserialize_with = "de_amount")]
    usage: Option<Decimal>,
}

/// An error answer: the HTTP status is the error's meaning; `error.message` is the text.
pub(crate) fn error_for(answer: &Answer) -> ProviderError {
    let parsed: Option<ErrorBody> = serde_json::from_str(&answer.body).ok();
    let said = match &parsed {
        Some(ErrorBody { error }) => {
            let reasons = error
                .metadata
                .as_ref()
                .and_then(|m| m.get("reasons"))
                .map(|r| match r {
                    serde_json::Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                });
            let text = match reasons {
                Some(reasons) if !reasons.is_empty() => {
                    format!("{} (reasons: {reasons})", error.message)
                }
                _ => error.message.clone(),
            };
            ProviderSaid {
                http_status: Some(answer.status.as_u16()),
                code: error.code.as_ref().and_then(serde_json::Value::as_i64),
                text: Some(provider_text(&text)).filter(|t| !t.is_empty()),
            }
        }
        None => answer.said(),
    };
    if answer.status.as_u16() == 403 {
        // 403 is moderation or a permission problem; the metadata or the message tells which.
        let flagged = parsed.as_ref().is_some_and(|b| {
            let message = b.error.message.to_lowercase();
            b.error
                .metadata
                .as_ref()
                .is_some_and(|m| m.get("reasons").is_some())
                || message.contains("moderat")
                || message.contains("flag")
        });
        return if flagged {
            ProviderError::PromptFlagged { provider: P, said }
        } else {
            ProviderError::Refused { provider: P, said }
        };
    }
    by_status(P, answer.status, said, answer.retry_after)
}

/// A 2xx answer read as `T`, or the error an error status means.
fn success<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<T, ProviderError> {
    if !answer.status.is_success() {
        return Err(error_for(answer));
    }
    answer.json(P)
}

pub(crate) fn read_submit(
    client: &ProviderClient,
    answer: &Answer,
) -> Result<Submission, ProviderError> {
    let submitted: SubmitAnswer = success(answer)?;
    check_submitted_id(
        P,
        &submitted.id,
        answer,
        "an accepted job without its id",
        "a job id",
    )?;
    // The spec writes `polling_url` relative, the guide absolute: resolve either against the
    // base, and keep it only if the key may go there.
    let poll_url = submitted
        .polling_url
        .filter(|u| !u.trim().is_empty())
        .and_then(|u| client.link(&u).ok())
        .filter(|u| client.is_own_origin(u))
        .map(|u| u.to_string());
    Ok(Submission {
        task_id: submitted.id,
        poll_url,
        charged: None,
    })
}

pub(crate) fn read_poll(answer: &Answer) -> Result<TaskUpdate, ProviderError> {
    let poll: PollAnswer = success(answer)?;
    if poll.status.trim().is_empty() {
        // An unknown word is "still working"; no word at all is not an answer about the job.
        return Err(ProviderError::UnexpectedAnswer {
            provider: P,
            what: "an answer without the job's status".into(),
            said: answer.said(),
        });
    }
    let status = job_status(&poll.status);
    let mut update = TaskUpdate::new(status, poll.status.trim());
    let cost = reported_cost(poll.usage.as_ref());
    update.charged = cost.map(Money::usd);
    // A finished job without `usage.cost` says nothing about the charge: never read as 0.
    update.charge_not_reported = status.is_final() && cost.is_none();
    update.detail = poll.error.as_ref().and_then(error_text);
    match status {
        TaskStatus::Succeeded => {
            update.source = Some(VideoSource::OpenRouterContent {
                urls: link_list(poll.unsigned_urls.as_ref()),
            });
        }
        TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Expired => {
            let money = match cost {
                Some(c) if c > Decimal::ZERO => MoneyState::Charged,
                Some(_) => MoneyState::NotCharged,
                None => MoneyState::Unknown,
            };
            update.failure = Some(ProviderError::GenerationFailed {
                provider: P,
                money,
                said: ProviderSaid {
                    http_status: Some(answer.status.as_u16()),
                    code: None,
                    text: update.detail.clone(),
                },
            });
        }
        TaskStatus::Queued | TaskStatus::Running => {}
    }
    Ok(update)
}

/// The `error` of a failed job: documented as a string; an object's message is read too.
fn error_text(error: &serde_json::Value) -> Option<String> {
    match error {
        serde_json::Value::String(s) if !s.is_empty() => Some(provider_text(s)),
        serde_json::Value::Object(o) => {
            o.get("message").and_then(|m| m.as_str()).map(provider_text)
        }
        _ => None,
    }
}

pub(crate) fn read_key(answer: &Answer) -> Result<KeyCheck, ProviderError> {
    let key: KeyAnswer = success(answer)?;
    let info = key.data.unwrap_or(key.top);
    Ok(KeyCheck {
        remaining_credit: info.limit_remaining.map(Money::usd),
        credit_limit: info.limit.map(Money::usd),
        used: info.usage.map(Money::usd),
        base_url: None,
    })
}

/// OpenRouter's attribution headers: `X-OpenRouter-Title` is the current name, `X-Title` the
/// older one it still accepts.
pub(crate) fn attributed(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    request
        .header("HTTP-Referer", APP_URL)
        .header("X-OpenRouter-Title", APP_TITLE)
        .header("X-Title", APP_TITLE)
}

pub(crate) async fn submit(
    client: &ProviderClient,
    req: &GenerationRequest,
) -> Result<Submission, ProviderError> {
    let body = SubmitBody::new(req);
    let url = client.endpoint(&["videos"]);
    submit_with_retries(&client.policy, || async {
        let request = attributed(client.post(url.clone())).json(&body);
        let answer = submit_exchange(P, request, client.policy.request_timeout).await?;
        salvage_submit(&answer, "/id", read_submit(client, &answer))
            .map_err(|err| settle_submit_error(P, err))
    })
    .await
}

pub(crate) async fn check(
    client: &ProviderClient,
    task: &TaskRef,
) -> Result<TaskUpdate, ProviderError> {
    let url = task
        .poll_url
        .as_deref()
        .and_then(|u| client.link(u).ok())
        .filter(|u| client.is_own_origin(u))
        .unwrap_or_else(|| client.endpoint(&["videos", &task.task_id]));
    with_retries(&client.policy, || async {
        let request = attributed(client.get(url.clone()));
        let answer = read_exchange(P, request, client.policy.request_timeout).await?;
        read_poll(&answer).map_err(|err| err.unreadable_while_following(&answer.body))
    })
    .await
}

/// The first of `unsigned_urls`, with OpenRouter's content endpoint as the fallback. The key
/// goes only to OpenRouter's own origin: a link to outside storage (a cloud bucket) is signed
/// already and fetched without it.
pub(crate) fn video_link(
    client: &ProviderClient,
    task: &TaskRef,
    urls: &[String],
) -> Result<VideoLink, ProviderError> {
    let mut content = client.endpoint(&["videos", &task.task_id, "content"]);
    content.query_pairs_mut().append_pair("index", "0");
    let links: Vec<url::Url> = urls.iter().filter_map(|u| client.link(u).ok()).collect();
    let own = links.iter().find(|u| client.is_own_origin(u));
    Ok(match (own, links.first()) {
        (Some(own), _) => VideoLink {
            url: own.clone(),
            send_key: true,
            expected_bytes: None,
            fallback: (*own != content).then_some(content),
        },
        (None, Some(outside)) => VideoLink {
            url: outside.clone(),
            send_key: false,
            expected_bytes: None,
            fallback: Some(content),
        },
        (None, None) => VideoLink {
            url: content,
            send_key: true,
            expected_bytes: None,
            fallback: None,
        },
    })
}

pub(crate) async fn check_key(client: &ProviderClient) -> Result<KeyCheck, ProviderError> {
    let url = client.endpoint(&["key"]);
    with_retries(&client.policy, || async {
        let request = attributed(client.get(url.clone()));
        let answer = read_exchange(P, request, client.policy.request_timeout).await?;
        read_key(&answer)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generation::{FirstFrame, Model, Resolution};
    use reqwest::StatusCode;
    use rust_decimal_macros::dec;
    use secrecy::SecretString;
    use std::time::Duration;
    use url::Url;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: None,
            body: body.to_owned(),
        }
    }

    fn client() -> ProviderClient {
        ProviderClient::new(
            P,
            Url::parse("https://openrouter.ai/api/v1").unwrap(),
            SecretString::from("sk-or-v1-abcdef".to_owned()),
            reqwest::Client::new(),
        )
    }

    #[test]
    fn the_submit_body_uses_lowercase_resolution_and_frame_images() {
        let req = GenerationRequest {
            provider: P,
            model: Model::Hailuo23,
            prompt: "A fox in snow".into(),
            first_frame: Some(FirstFrame::Picture {
                mime: "image/webp".into(),
                bytes: b"RIFF".to_vec(),
            }),
            duration: 6,
            resolution: Resolution::P1080,
            prompt_optimizer: true,
            fast_pretreatment: false,
        };
        let body = serde_json::to_value(SubmitBody::new(&req)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "model": "minimax/hailuo-2.3",
                "prompt": "A fox in snow",
                "duration": 6,
                "resolution": "1080p",
                "frame_images": [{"type": "image_url", "image_url": {"url": "data:image/webp;base64,UklGRg=="}, "frame_type": "first_frame"}]
            })
        );
    }

    #[test]
    fn text_to_video_sends_no_frame_images_and_no_minimax_switches() {
        let req = GenerationRequest {
            provider: P,
            model: Model::Hailuo23,
            prompt: "A fox".into(),
            first_frame: None,
            duration: 10,
            resolution: Resolution::P768,
            prompt_optimizer: true,
            fast_pretreatment: false,
        };
        let body = serde_json::to_value(SubmitBody::new(&req)).unwrap();
        let keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["duration", "model", "prompt", "resolution"]);
        assert_eq!(body["resolution"], "768p");
    }

    #[test]
    fn a_relative_or_absolute_polling_url_is_resolved_against_the_base() {
        let c = client();
        let relative = answer(
            202,
            r#"{"id":"job-abc123","polling_url":"/api/v1/videos/job-abc123","status":"pending","generation_id":"gen-xyz"}"#,
        );
        let sub = read_submit(&c, &relative).unwrap();
        assert_eq!(sub.task_id, "job-abc123");
        assert_eq!(
            sub.poll_url.as_deref(),
            Some("https://openrouter.ai/api/v1/videos/job-abc123")
        );
        let absolute = answer(
            202,
            r#"{"id":"job-abc123","polling_url":"https://openrouter.ai/api/v1/videos/job-abc123","status":"pending"}"#,
        );
        assert_eq!(
            read_submit(&c, &absolute).unwrap().poll_url.as_deref(),
            Some("https://openrouter.ai/api/v1/videos/job-abc123")
        );
        // The key must never be sent to another host: such a polling_url is dropped.
        let elsewhere = answer(
            202,
            r#"{"id":"job-1","polling_url":"https://evil.example/poll","status":"pending"}"#,
        );
        assert_eq!(read_submit(&c, &elsewhere).unwrap().poll_url, None);
    }

    #[test]
    fn a_completed_poll_gives_the_links_and_the_real_cost() {
        let body = r#"{"id":"job-abc123","status":"completed","polling_url":"/api/v1/videos/job-abc123","unsigned_urls":["https://openrouter.ai/api/v1/videos/job-abc123/content?index=0"],"usage":{"cost":0.49,"is_byok":false}}"#;
        let update = read_poll(&answer(200, body)).unwrap();
        assert_eq!(update.status, TaskStatus::Succeeded);
        assert_eq!(update.provider_status, "completed");
        assert_eq!(update.charged, Some(Money::usd(dec!(0.49))));
        let link = video_link(
            &client(),
            &TaskRef::new("job-abc123"),
            match update.source.as_ref().unwrap() {
                VideoSource::OpenRouterContent { urls } => urls,
                other => panic!("{other:?}"),
            },
        )
        .unwrap();
        assert_eq!(
            link.url.as_str(),
            "https://openrouter.ai/api/v1/videos/job-abc123/content?index=0"
        );
        assert!(link.send_key);
    }

    #[test]
    fn a_link_to_outside_storage_is_fetched_without_the_key_and_the_content_endpoint_is_the_fallback(
    ) {
        let link = video_link(
            &client(),
            &TaskRef::new("job-9"),
            &["https://storage.example/bucket/v.mp4?sig=1".into()],
        )
        .unwrap();
        assert_eq!(
            link.url.as_str(),
            "https://storage.example/bucket/v.mp4?sig=1"
        );
        assert!(!link.send_key, "the key never goes to outside storage");
        assert_eq!(
            link.fallback.unwrap().as_str(),
            "https://openrouter.ai/api/v1/videos/job-9/content?index=0"
        );
    }

    #[test]
    fn without_usable_links_the_content_endpoint_is_used_with_the_key() {
        let link = video_link(
            &client(),
            &TaskRef::new("job-9"),
            &["http://elsewhere.example/v.mp4".into()],
        )
        .unwrap();
        assert_eq!(
            link.url.as_str(),
            "https://openrouter.ai/api/v1/videos/job-9/content?index=0"
        );
        assert!(link.send_key);
        assert_eq!(link.fallback, None);
    }

    #[test]
    fn every_status_maps_and_terminal_failures_carry_the_error() {
        for (word, status) in [
            ("pending", TaskStatus::Queued),
            ("in_progress", TaskStatus::Running),
            ("failed", TaskStatus::Failed),
            ("cancelled", TaskStatus::Cancelled),
            ("expired", TaskStatus::Expired),
        ] {
            let body = format!(r#"{{"id":"j","status":"{word}","error":"boom {word}"}}"#);
            let update = read_poll(&answer(200, &body)).unwrap();
            assert_eq!(update.status, status, "{word}");
            assert_eq!(update.provider_status, word);
            assert_eq!(update.failure.is_some(), status.is_final(), "{word}");
        }
        let failed = read_poll(&answer(
            200,
            r#"{"id":"j","status":"failed","error":"provider error","usage":{"cost":0}}"#,
        ))
        .unwrap();
        let failure = failed.failure.unwrap();
        assert_eq!(failure.money(), MoneyState::NotCharged);
        assert_eq!(
            failure.said().unwrap().text.as_deref(),
            Some("provider error")
        );
    }

    #[test]
    fn an_unknown_status_word_is_still_working_and_case_does_not_matter() {
        let update = read_poll(&answer(
            200,
            r#"{"id":"j","status":"rendering","eta":"soon"}"#,
        ))
        .unwrap();
        assert_eq!(update.status, TaskStatus::Running);
        assert_eq!(update.provider_status, "rendering");
        let done = read_poll(&answer(
            200,
            r#"{"id":"j","status":"COMPLETED","unsigned_urls":["https://openrouter.ai/api/v1/videos/j/content?index=0",7],"usage":{"cost":"0.49"}}"#,
        ))
        .unwrap();
        assert_eq!(done.status, TaskStatus::Succeeded);
        assert_eq!(
            done.charged,
            Some(Money::usd(dec!(0.49))),
            "a price as a string"
        );
        assert_eq!(
            read_poll(&answer(200, r#"{"id":"j"}"#)).unwrap_err().kind(),
            "unexpected-answer",
            "no status at all is not an answer about the job"
        );
    }

    #[test]
    fn usage_cost_null_or_missing_is_charge_not_reported_never_zero() {
        for body in [
            r#"{"id":"j","status":"completed","unsigned_urls":[],"usage":{"cost":null,"is_byok":true}}"#,
            r#"{"id":"j","status":"completed","unsigned_urls":[]}"#,
            r#"{"id":"j","status":"completed","usage":null}"#,
        ] {
            let update = read_poll(&answer(200, body)).unwrap();
            assert_eq!(update.charged, None, "{body}");
            assert!(update.charge_not_reported, "{body}");
        }
        let failed = read_poll(&answer(
            200,
            r#"{"id":"j","status":"failed","error":"x","usage":{"cost":null}}"#,
        ))
        .unwrap();
        assert_eq!(failed.failure.unwrap().money(), MoneyState::Unknown);
        let running = read_poll(&answer(200, r#"{"id":"j","status":"in_progress"}"#)).unwrap();
        assert!(
            !running.charge_not_reported,
            "only a finished job's charge is due"
        );
    }

    #[test]
    fn error_statuses_keep_openrouter_s_code_and_message() {
        let cases = [
            (400, "invalid-parameters"),
            (401, "key-rejected"),
            (402, "no-credit"),
            (404, "task-not-found"),
            (408, "provider-unavailable"),
            (413, "invalid-parameters"),
            (429, "rate-limited"),
            (500, "provider-unavailable"),
            (502, "provider-unavailable"),
            (503, "provider-unavailable"),
        ];
        for (status, kind) in cases {
            let body = format!(r#"{{"error":{{"code":{status},"message":"said {status}"}}}}"#);
            let err = error_for(&answer(status, &body));
            assert_eq!(err.kind(), kind, "{status}");
            let said = err.said().unwrap();
            assert_eq!(said.code, Some(i64::from(status)));
            assert_eq!(
                said.text.as_deref(),
                Some(format!("said {status}").as_str())
            );
        }
    }

    #[test]
    fn a_moderation_403_names_the_reasons() {
        let body = r#"{"error":{"code":403,"message":"Input was flagged","metadata":{"reasons":["violence"],"flagged_input":"..."}}}"#;
        let err = error_for(&answer(403, body));
        assert_eq!(err.kind(), "prompt-flagged");
        assert!(err.to_string().contains("violence"));
        let permission = error_for(&answer(
            403,
            r#"{"error":{"code":403,"message":"Key not allowed"}}"#,
        ));
        assert_eq!(permission.kind(), "refused");
    }

    #[test]
    fn a_rate_limit_keeps_its_retry_after() {
        let mut limited = answer(
            429,
            r#"{"error":{"code":429,"message":"Rate limit exceeded"}}"#,
        );
        limited.retry_after = Some(Duration::from_secs(4));
        assert_eq!(
            error_for(&limited).retry_after(),
            Some(Duration::from_secs(4))
        );
    }

    #[test]
    fn the_key_answer_is_read_wrapped_or_flat() {
        let wrapped = read_key(&answer(
            200,
            r#"{"data":{"label":"sk-or-v1-ab...","limit":10,"limit_remaining":7.51,"usage":2.49}}"#,
        ))
        .unwrap();
        assert_eq!(wrapped.remaining_credit, Some(Money::usd(dec!(7.51))));
        assert_eq!(wrapped.credit_limit, Some(Money::usd(dec!(10))));
        let flat = read_key(&answer(
            200,
            r#"{"limit":null,"limit_remaining":null,"usage":0.49}"#,
        ))
        .unwrap();
        assert_eq!(flat.remaining_credit, None);
        assert_eq!(flat.used, Some(Money::usd(dec!(0.49))));
        assert_eq!(
            read_key(&answer(
                401,
                r#"{"error":{"code":401,"message":"No auth credentials found"}}"#
            ))
            .unwrap_err()
            .kind(),
            "key-rejected"
        );
    }
}
