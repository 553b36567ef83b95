//! MiniMax's own API (global and China hosts): where HTTP 200 is not success until `base_resp` says so.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::{excerpt, provider_text, MoneyState, ProviderError, ProviderSaid};
use super::http::{
    by_status, key_verdict, read_exchange, salvage_submit, settle_submit_error, submit_exchange,
    submit_with_retries, with_retries, Answer,
};
use super::wire::{check_submitted_id, de_loose_id, first_frame_url, is_plain_id};
use super::{
    KeyCheck, ProviderClient, Submission, TaskRef, TaskStatus, TaskUpdate, VideoLink, VideoSource,
};
use crate::generation::{GenerationRequest, Model};
use crate::provider::Provider;

fn model_id(model: Model) -> &'static str {
    match model {
        Model::Hailuo23 => "MiniMax-Hailuo-2.3",
        Model::Hailuo23Fast => "MiniMax-Hailuo-2.3-Fast",
    }
}

/// `POST /v1/video_generation`.
#[derive(Debug, Serialize)]
pub(crate) struct SubmitBody {
    model: &'static str,
    /// Optional with a first frame; left out rather than sent empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_frame_image: Option<String>,
    prompt_optimizer: bool,
    fast_pretreatment: bool,
    duration: u8,
    resolution: &'static str,
}

impl SubmitBody {
    pub(crate) fn new(req: &GenerationRequest) -> Self {
        SubmitBody {
            model: model_id(req.model),
            prompt: Some(req.prompt.clone()).filter(|p| !p.trim().is_empty()),
            first_frame_image: req.first_frame.as_ref().map(first_frame_url),
            prompt_optimizer: req.prompt_optimizer,
            fast_pretreatment: req.fast_pretreatment,
            duration: req.duration,
            resolution: req.resolution.as_minimax(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct BaseResp {
    #[serde(default)]
    status_code: i64,
    #[serde(default)]
    status_msg: String,
}

#[derive(Debug, Deserialize)]
struct SubmitAnswer {
    #[serde(default)]
    task_id: String,
}

#[derive(Debug, Deserialize)]
struct QueryAnswer {
    #[serde(default)]
    status: String,
    #[serde(default, deserialize_with = "de_loose_id")]
    file_id: Option<String>,
    video_width: Option<u32>,
    video_height: Option<u32>,
    error_message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RetrieveAnswer {
    file: Option<RetrievedFile>,
}

#[derive(Debug, Deserialize)]
struct RetrievedFile {
    bytes: Option<u64>,
    download_url: Option<String>,
}

/// The documented statuses, case-sensitive.
fn task_status(word: &str) -> Option<TaskStatus> {
    match word {
        "Preparing" | "Queueing" => Some(TaskStatus::Queued),
        "Processing" => Some(TaskStatus::Running),
        "Success" => Some(TaskStatus::Succeeded),
        "Fail" => Some(TaskStatus::Failed),
        _ => None,
    }
}

/// What a non-zero `base_resp.status_code` means (providers.md's table).
fn code_error(provider: Provider, http_status: u16, code: i64, msg: &str) -> ProviderError {
    let said = ProviderSaid {
        http_status: Some(http_status),
        code: Some(code),
        text: Some(provider_text(msg)).filter(|m| !m.is_empty()),
    };
    match code {
        1004 | 2049 => ProviderError::KeyRejected {
            provider,
            other_region_hint: true,
            said,
        },
        1008 | 2056 => ProviderError::NoCredit { provider, said },
        1002 | 1039 | 1041 | 2045 => ProviderError::RateLimited {
            provider,
            retry_after: None,
            said,
        },
        1000 | 1001 | 1013 | 1024 | 1033 => ProviderError::Unavailable {
            provider,
            retry_after: None,
            said,
        },
        1026 => ProviderError::PromptFlagged { provider, said },
        1027 => ProviderError::VideoFlagged { provider, said },
        1042 | 2013 => ProviderError::InvalidParameters { provider, said },
        _ => ProviderError::Refused { provider, said },
    }
}

/// A rate limit or outage said with a code still honours the answer's `Retry-After` header, when
/// a proxy in front of MiniMax sends one (the code alone says nothing about how long to wait).
fn with_wait(err: ProviderError, wait: Option<Duration>) -> ProviderError {
    match err {
        ProviderError::RateLimited {
            provider,
            retry_after: None,
            said,
        } => ProviderError::RateLimited {
            provider,
            retry_after: wait,
            said,
        },
        ProviderError::Unavailable {
            provider,
            retry_after: None,
            said,
        } => ProviderError::Unavailable {
            provider,
            retry_after: wait,
            said,
        },
        other => other,
    }
}

/// Reads an answer whose `base_resp.status_code` must be 0, then its fields as `T`.
pub(crate) fn accepted<T: DeserializeOwned>(
    provider: Provider,
    answer: &Answer,
) -> Result<T, ProviderError> {
    let value: serde_json::Value = match serde_json::from_str(&answer.body) {
        Ok(value) => value,
        Err(err) if answer.status.is_success() => return Err(answer.unreadable(provider, &err)),
        Err(_) => {
            return Err(by_status(
                provider,
                answer.status,
                answer.said(),
                answer.retry_after,
            ))
        }
    };
    let base_resp = value
        .get("base_resp")
        .and_then(|b| BaseResp::deserialize(b).ok());
    if let Some(base) = &base_resp {
        if base.status_code != 0 {
            let err = code_error(
                provider,
                answer.status.as_u16(),
                base.status_code,
                &base.status_msg,
            );
            return Err(with_wait(err, answer.retry_after));
        }
    }
    if !answer.status.is_success() {
        return Err(by_status(
            provider,
            answer.status,
            answer.said(),
            answer.retry_after,
        ));
    }
    if base_resp.is_none() {
        return Err(ProviderError::UnexpectedAnswer {
            provider,
            what: "an answer without its base_resp".into(),
            said: answer.said(),
        });
    }
    serde_json::from_value(value).map_err(|err| answer.unreadable(provider, &err))
}

pub(crate) fn read_submit(
    provider: Provider,
    answer: &Answer,
) -> Result<Submission, ProviderError> {
    let submitted: SubmitAnswer = accepted(provider, answer)?;
    check_submitted_id(
        provider,
        &submitted.task_id,
        answer,
        "a success without a task id",
        "a task id",
    )?;
    Ok(Submission {
        task_id: submitted.task_id,
        poll_url: None,
        charged: None,
    })
}

pub(crate) fn read_query(provider: Provider, answer: &Answer) -> Result<TaskUpdate, ProviderError> {
    // A failed generation may come with its reason as a non-zero code (1027: the video was
    // flagged), so `Fail` is read before `base_resp` is treated as an error.
    if let Some(failed) = read_failure(provider, answer) {
        return Ok(failed);
    }
    let query: QueryAnswer = accepted(provider, answer)?;
    let status = task_status(&query.status).ok_or_else(|| ProviderError::UnexpectedAnswer {
        provider,
        what: format!("an unknown status {:?}", excerpt(&query.status)),
        said: answer.said(),
    })?;
    let mut update = TaskUpdate::new(status, &query.status);
    update.width = query.video_width;
    update.height = query.video_height;
    update.detail = query
        .error_message
        .filter(|m| !m.is_empty())
        .map(|m| provider_text(&m));
    if status == TaskStatus::Succeeded {
        let file_id = query
            .file_id
            .ok_or_else(|| ProviderError::UnexpectedAnswer {
                provider,
                what: "a finished video without its file_id".into(),
                said: answer.said(),
            })?;
        if !is_plain_id(&file_id) {
            return Err(ProviderError::UnexpectedAnswer {
                provider,
                what: "a file_id that is not a plain name".into(),
                said: answer.said(),
            });
        }
        update.source = Some(VideoSource::MinimaxFile { file_id });
    }
    Ok(update)
}

fn read_failure(provider: Provider, answer: &Answer) -> Option<TaskUpdate> {
    let value: serde_json::Value = serde_json::from_str(&answer.body).ok()?;
    if value.get("status")?.as_str()? != "Fail" {
        return None;
    }
    let base = value
        .get("base_resp")
        .and_then(|b| BaseResp::deserialize(b).ok());
    let error_message = value
        .get("error_message")
        .and_then(|m| m.as_str())
        .filter(|m| !m.is_empty());
    let status_msg = base
        .as_ref()
        .map(|b| b.status_msg.as_str())
        .filter(|m| !m.is_empty() && *m != "success");
    let reason = error_message.or(status_msg).map(provider_text);
    let code = base.as_ref().map(|b| b.status_code).filter(|c| *c != 0);
    let failure = match code {
        Some(code) => match code_error(
            provider,
            answer.status.as_u16(),
            code,
            reason.as_deref().unwrap_or(""),
        ) {
            flagged
            @ (ProviderError::VideoFlagged { .. } | ProviderError::PromptFlagged { .. }) => flagged,
            other => ProviderError::GenerationFailed {
                provider,
                // MiniMax reports failed and moderated generations as not charged.
                money: MoneyState::NotCharged,
                said: other.said().cloned().unwrap_or_default(),
            },
        },
        None => ProviderError::GenerationFailed {
            provider,
            money: MoneyState::NotCharged,
            said: ProviderSaid {
                http_status: Some(answer.status.as_u16()),
                code: None,
                text: reason.clone(),
            },
        },
    };
    let mut update = TaskUpdate::new(TaskStatus::Failed, "Fail");
    update.detail = reason;
    update.failure = Some(failure);
    Some(update)
}

pub(crate) fn read_retrieve(
    client: &ProviderClient,
    answer: &Answer,
) -> Result<VideoLink, ProviderError> {
    let provider = client.provider();
    let retrieved: RetrieveAnswer = accepted(provider, answer)?;
    let file = retrieved
        .file
        .ok_or_else(|| ProviderError::UnexpectedAnswer {
            provider,
            what: "a file answer without the file".into(),
            said: answer.said(),
        })?;
    let raw = file
        .download_url
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ProviderError::UnexpectedAnswer {
            provider,
            what: "a file without its download_url".into(),
            said: answer.said(),
        })?;
    Ok(VideoLink {
        url: client.link(&raw)?,
        // A plain CDN link: the key must not travel with it.
        send_key: false,
        expected_bytes: file.bytes,
    })
}

pub(crate) async fn submit(
    client: &ProviderClient,
    req: &GenerationRequest,
) -> Result<Submission, ProviderError> {
    let provider = client.provider();
    let body = SubmitBody::new(req);
    let url = client.endpoint(&["v1", "video_generation"]);
    submit_with_retries(&client.policy, || async {
        let request = client.post(url.clone()).json(&body);
        let answer = submit_exchange(provider, request, client.policy.request_timeout).await?;
        salvage_submit(&answer, "/task_id", read_submit(provider, &answer))
            .map_err(|err| settle_submit_error(provider, err))
    })
    .await
}

fn query_url(client: &ProviderClient, task_id: &str) -> url::Url {
    let mut url = client.endpoint(&["v1", "query", "video_generation"]);
    url.query_pairs_mut().append_pair("task_id", task_id);
    url
}

pub(crate) async fn check(
    client: &ProviderClient,
    task: &TaskRef,
) -> Result<TaskUpdate, ProviderError> {
    let provider = client.provider();
    let url = query_url(client, &task.task_id);
    with_retries(&client.policy, || async {
        let answer = read_exchange(
            provider,
            client.get(url.clone()),
            client.policy.request_timeout,
        )
        .await?;
        read_query(provider, &answer)
    })
    .await
}

pub(crate) async fn video_link(
    client: &ProviderClient,
    file_id: &str,
) -> Result<VideoLink, ProviderError> {
    let provider = client.provider();
    let mut url = client.endpoint(&["v1", "files", "retrieve"]);
    url.query_pairs_mut().append_pair("file_id", file_id);
    with_retries(&client.policy, || async {
        let answer = read_exchange(
            provider,
            client.get(url.clone()),
            client.policy.request_timeout,
        )
        .await?;
        read_retrieve(client, &answer)
    })
    .await
}

/// A task id no generation has: the query spends nothing, and only the key decides whether
/// MiniMax answers "invalid api key" or "no such task".
const NO_SUCH_TASK: &str = "0";

pub(crate) async fn check_key(client: &ProviderClient) -> Result<KeyCheck, ProviderError> {
    let provider = client.provider();
    let url = query_url(client, NO_SUCH_TASK);
    let outcome = with_retries(&client.policy, || async {
        let answer = read_exchange(
            provider,
            client.get(url.clone()),
            client.policy.request_timeout,
        )
        .await?;
        accepted::<serde_json::Value>(provider, &answer)
    })
    .await;
    key_verdict(outcome.map(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generation::{FirstFrame, Resolution};
    use reqwest::StatusCode;
    use secrecy::SecretString;
    use url::Url;

    #[test]
    fn a_rate_limit_code_with_a_retry_after_header_waits_as_long_as_asked() {
        let mut limited = answer(
            429,
            r#"{"base_resp":{"status_code":1002,"status_msg":"rate limit exceeded(RPM)"}}"#,
        );
        limited.retry_after = Some(Duration::from_secs(7));
        let err = accepted::<serde_json::Value>(G, &limited).unwrap_err();
        assert_eq!(err.kind(), "rate-limited");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
        limited.retry_after = None;
        let err = accepted::<serde_json::Value>(G, &limited).unwrap_err();
        assert_eq!(err.retry_after(), None, "no header: the queue's own pace");
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: None,
            body: body.to_owned(),
        }
    }

    fn client() -> ProviderClient {
        ProviderClient::new(
            Provider::MinimaxGlobal,
            Url::parse("https://api.minimax.io").unwrap(),
            SecretString::from("mm-key-123456".to_owned()),
            reqwest::Client::new(),
        )
    }

    const G: Provider = Provider::MinimaxGlobal;

    #[test]
    fn the_submit_body_matches_the_documented_example() {
        let req = GenerationRequest {
            provider: G,
            model: Model::Hailuo23,
            prompt: "A man picks up a book [Pedestal up]".into(),
            first_frame: None,
            duration: 6,
            resolution: Resolution::P1080,
            prompt_optimizer: false,
            fast_pretreatment: false,
        };
        let body = serde_json::to_value(SubmitBody::new(&req)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"model":"MiniMax-Hailuo-2.3","prompt":"A man picks up a book [Pedestal up]","prompt_optimizer":false,"fast_pretreatment":false,"duration":6,"resolution":"1080P"})
        );
    }

    #[test]
    fn fast_image_to_video_sends_the_picture_as_a_data_url_and_no_empty_prompt() {
        let req = GenerationRequest {
            provider: G,
            model: Model::Hailuo23Fast,
            prompt: " ".into(),
            first_frame: Some(FirstFrame::Picture {
                mime: "image/jpeg".into(),
                bytes: vec![0xff, 0xd8, 0xff],
            }),
            duration: 10,
            resolution: Resolution::P768,
            prompt_optimizer: true,
            fast_pretreatment: true,
        };
        let body = serde_json::to_value(SubmitBody::new(&req)).unwrap();
        assert_eq!(body["model"], "MiniMax-Hailuo-2.3-Fast");
        assert_eq!(body["first_frame_image"], "data:image/jpeg;base64,/9j/");
        assert!(body.get("prompt").is_none());
        assert_eq!(body["fast_pretreatment"], true);
        assert_eq!(body["resolution"], "768P");
    }

    #[test]
    fn a_documented_submit_answer_gives_the_task_id() {
        let ok = answer(
            200,
            r#"{"task_id":"106916112212032","base_resp":{"status_code":0,"status_msg":"success"}}"#,
        );
        assert_eq!(read_submit(G, &ok).unwrap().task_id, "106916112212032");
    }

    #[test]
    fn http_200_with_a_business_error_is_an_error() {
        let no_money = answer(
            200,
            r#"{"task_id":"","base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}"#,
        );
        let err = read_submit(G, &no_money).unwrap_err();
        assert_eq!(err.kind(), "no-credit");
        assert_eq!(err.said().unwrap().code, Some(1008));
        assert_eq!(
            err.said().unwrap().text.as_deref(),
            Some("insufficient balance")
        );
    }

    #[test]
    fn status_zero_without_a_task_id_is_not_success() {
        let odd = answer(
            200,
            r#"{"task_id":"","base_resp":{"status_code":0,"status_msg":"success"}}"#,
        );
        assert_eq!(
            read_submit(G, &odd).unwrap_err().kind(),
            "unexpected-answer"
        );
    }

    #[test]
    fn every_documented_code_has_its_meaning() {
        let kinds = [
            (1000, "provider-unavailable"),
            (1001, "provider-unavailable"),
            (1002, "rate-limited"),
            (1004, "key-rejected"),
            (1008, "no-credit"),
            (1013, "provider-unavailable"),
            (1026, "prompt-flagged"),
            (1027, "video-flagged"),
            (1039, "rate-limited"),
            (1041, "rate-limited"),
            (1042, "invalid-parameters"),
            (2013, "invalid-parameters"),
            (2045, "rate-limited"),
            (2049, "key-rejected"),
            (2056, "no-credit"),
        ];
        for (code, kind) in kinds {
            assert_eq!(code_error(G, 200, code, "x").kind(), kind, "code {code}");
        }
    }

    #[test]
    fn a_key_from_the_other_region_is_hinted_at() {
        let body = r#"{"base_resp":{"status_code":2049,"status_msg":"invalid api key"}}"#;
        let err = read_query(Provider::MinimaxChina, &answer(200, body)).unwrap_err();
        assert!(matches!(
            err,
            ProviderError::KeyRejected {
                other_region_hint: true,
                ..
            }
        ));
        assert!(err.to_string().contains("other region"));
    }

    #[test]
    fn a_success_query_gives_the_file_id_and_size() {
        let body = r#"{"task_id":"1","status":"Success","file_id":"176844028768320","video_width":1920,"video_height":1080,"base_resp":{"status_code":0,"status_msg":"success"}}"#;
        let update = read_query(G, &answer(200, body)).unwrap();
        assert_eq!(update.status, TaskStatus::Succeeded);
        assert_eq!(update.provider_status, "Success");
        assert_eq!((update.width, update.height), (Some(1920), Some(1080)));
        assert_eq!(
            update.source,
            Some(VideoSource::MinimaxFile {
                file_id: "176844028768320".into()
            })
        );
    }

    #[test]
    fn waiting_statuses_are_queued_or_running_and_case_matters() {
        for (word, status) in [
            ("Preparing", TaskStatus::Queued),
            ("Queueing", TaskStatus::Queued),
            ("Processing", TaskStatus::Running),
        ] {
            let body = format!(
                r#"{{"task_id":"1","status":"{word}","file_id":"","base_resp":{{"status_code":0,"status_msg":"success"}}}}"#
            );
            let update = read_query(G, &answer(200, &body)).unwrap();
            assert_eq!(update.status, status);
            assert_eq!(update.source, None);
        }
        let lower = r#"{"task_id":"1","status":"processing","base_resp":{"status_code":0,"status_msg":"success"}}"#;
        assert_eq!(
            read_query(G, &answer(200, lower)).unwrap_err().kind(),
            "unexpected-answer"
        );
    }

    #[test]
    fn success_without_a_file_id_is_unexpected() {
        let body = r#"{"task_id":"1","status":"Success","file_id":"","base_resp":{"status_code":0,"status_msg":"success"}}"#;
        assert_eq!(
            read_query(G, &answer(200, body)).unwrap_err().kind(),
            "unexpected-answer"
        );
    }

    #[test]
    fn a_flagged_video_ends_the_generation_uncharged() {
        let body = r#"{"task_id":"1","status":"Fail","base_resp":{"status_code":1027,"status_msg":"output video sensitive"}}"#;
        let update = read_query(G, &answer(200, body)).unwrap();
        assert_eq!(update.status, TaskStatus::Failed);
        let failure = update.failure.unwrap();
        assert_eq!(failure.kind(), "video-flagged");
        assert_eq!(failure.money(), MoneyState::NotCharged);
        assert_eq!(update.detail.as_deref(), Some("output video sensitive"));
    }

    #[test]
    fn a_plain_failure_keeps_minimax_s_reason() {
        let body = r#"{"task_id":"1","status":"Fail","error_message":"generation timed out","base_resp":{"status_code":0,"status_msg":"success"}}"#;
        let update = read_query(G, &answer(200, body)).unwrap();
        let failure = update.failure.unwrap();
        assert_eq!(failure.kind(), "generation-failed");
        assert_eq!(failure.money(), MoneyState::NotCharged);
        assert_eq!(
            failure.said().unwrap().text.as_deref(),
            Some("generation timed out")
        );
    }

    #[test]
    fn retrieve_reads_a_numeric_file_id_answer_and_its_size() {
        let body = r#"{"file":{"file_id":176844028768320,"bytes":5896337,"created_at":1700469398,"filename":"output_aigc.mp4","purpose":"video_generation","download_url":"https://cdn.example/output_aigc.mp4?sig=abc"},"base_resp":{"status_code":0,"status_msg":"success"}}"#;
        let link = read_retrieve(&client(), &answer(200, body)).unwrap();
        assert_eq!(
            link.url.as_str(),
            "https://cdn.example/output_aigc.mp4?sig=abc"
        );
        assert!(!link.send_key);
        assert_eq!(link.expected_bytes, Some(5896337));
    }

    #[test]
    fn an_http_download_link_from_a_real_host_is_refused() {
        let body = r#"{"file":{"file_id":1,"bytes":5,"download_url":"http://cdn.example/a.mp4"},"base_resp":{"status_code":0,"status_msg":"success"}}"#;
        assert_eq!(
            read_retrieve(&client(), &answer(200, body))
                .unwrap_err()
                .kind(),
            "unsafe-link"
        );
    }

    #[test]
    fn an_html_error_page_is_recognised_and_kept_short() {
        let page = format!(
            "<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
            "nginx ".repeat(100)
        );
        let err = read_query(G, &answer(502, &page)).unwrap_err();
        assert_eq!(err.kind(), "provider-unavailable");
        let text = err.said().unwrap().text.clone().unwrap();
        assert!(text.starts_with("<html><head><title>502 Bad Gateway"));
        assert!(text.chars().count() <= 201);
        let ok_page = read_query(G, &answer(200, &page)).unwrap_err();
        assert_eq!(ok_page.kind(), "unexpected-answer");
        assert!(ok_page.to_string().contains("a web page instead of data"));
    }

    #[test]
    fn broken_json_is_an_unexpected_answer() {
        let err = read_query(G, &answer(200, r#"{"task_id":"1","status":"Succ"#)).unwrap_err();
        assert_eq!(err.kind(), "unexpected-answer");
        assert!(err.to_string().contains("broken data"));
    }

    #[test]
    fn a_key_check_passes_on_any_answer_but_a_rejected_key() {
        assert!(key_verdict(Ok(())).is_ok());
        assert!(key_verdict(Err(code_error(G, 200, 2013, "invalid task_id"))).is_ok());
        assert_eq!(
            key_verdict(Err(code_error(G, 200, 1004, "auth failed")))
                .unwrap_err()
                .kind(),
            "key-rejected"
        );
    }
}
