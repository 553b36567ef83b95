//! LinkModel's API: `{code, msg|message, data}` envelopes where any non-zero code is an error.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::{excerpt, provider_text, MoneyState, ProviderError, ProviderSaid};
use super::http::{
    by_status, key_verdict, read_exchange, salvage_submit, settle_submit_error, submit_exchange,
    submit_with_retries, with_retries, Answer,
};
use super::wire::{
    check_submitted_id, de_amount, de_loose_string, de_loose_text, first_frame_url, loose_i64,
};
use super::{KeyCheck, ProviderClient, Submission, TaskRef, TaskStatus, TaskUpdate, VideoSource};
use crate::generation::GenerationRequest;
use crate::money::Money;
use crate::provider::Provider;

const P: Provider = Provider::LinkModel;

/// LinkModel offers only the full model (no Fast).
const MODEL: &str = "MiniMax-Hailuo-2.3";

/// `POST /video-generation`. The first frame is typed as a URL; a picture file is refused
/// earlier, by `GenerationRequest::validate`.
#[derive(Debug, Serialize)]
pub(crate) struct SubmitBody {
    model: &'static str,
    prompt: String,
    duration: u8,
    resolution: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_frame_image: Option<String>,
}

impl SubmitBody {
    pub(crate) fn new(req: &GenerationRequest) -> Self {
        SubmitBody {
            model: MODEL,
            prompt: req.prompt.clone(),
            duration: req.duration,
            resolution: req.resolution.as_minimax(),
            first_frame_image: req.first_frame.as_ref().map(first_frame_url),
        }
    }
}

// Answers are read liberally (providers.md, re-check): unknown fields ignored, numbers as
// strings and the reverse accepted, a missing optional field never fatal.

/// Every answer's envelope. The submit answer says `msg`, the query answer `message`.
#[derive(Debug, Deserialize)]
struct Envelope<T> {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "de_loose_text")]
    msg: Option<String>,
    #[serde(default, deserialize_with = "de_loose_text")]
    message: Option<String>,
    data: Option<T>,
}

#[derive(Debug, Deserialize)]
struct SubmitData {
    #[serde(default, deserialize_with = "de_loose_string")]
    task_id: String,
    #[serde(default, deserialize_with = "de_amount")]
    price: Option<Decimal>,
}

#[derive(Debug, Deserialize)]
struct QueryData {
    #[serde(default, deserialize_with = "de_loose_string")]
    status: String,
    #[serde(default, deserialize_with = "de_loose_text")]
    file_url: Option<String>,
    #[serde(default)]
    output_videos: Option<serde_json::Value>,
    /// The failure reason.
    #[serde(default, deserialize_with = "de_loose_text")]
    msg: Option<String>,
    #[serde(default, deserialize_with = "de_amount")]
    price: Option<Decimal>,
}

/// The documented statuses, compared case-insensitively (submit says `processing`, the query
/// `Processing`). A word nobody documented means still working, never failed.
fn task_status(word: &str) -> TaskStatus {
    match word.trim().to_ascii_lowercase().as_str() {
        "pending" | "queued" | "queueing" => TaskStatus::Queued,
        "success" | "succeeded" => TaskStatus::Succeeded,
        "failed" | "fail" => TaskStatus::Failed,
        "cancelled" | "canceled" => TaskStatus::Cancelled,
        _ => TaskStatus::Running,
    }
}

/// What a non-zero `code` means. The code mirrors an HTTP status; the text is what decides
/// a billing failure (`create task failed: billing: code=100601: insufficient balance`).
fn code_error(answer: &Answer, code: i64, text: Option<String>) -> ProviderError {
    let said = ProviderSaid {
        http_status: Some(answer.status.as_u16()),
        code: Some(code),
        text: text.clone(),
    };
    let lowered = text.unwrap_or_default().to_lowercase();
    if lowered.contains("insufficient balance") || lowered.contains("insufficient_balance") {
        return ProviderError::NoCredit { provider: P, said };
    }
    match code {
        401 => ProviderError::KeyRejected {
            provider: P,
            other_region_hint: false,
            said,
        },
        402 => ProviderError::NoCredit { provider: P, said },
        404 => ProviderError::TaskNotFound { provider: P, said },
        400 | 413 | 422 => ProviderError::InvalidParameters { provider: P, said },
        429 => ProviderError::RateLimited {
            provider: P,
            retry_after: answer.retry_after,
            said,
        },
        408 | 500..=599 => ProviderError::Unavailable {
            provider: P,
            retry_after: answer.retry_after,
            said,
        },
        _ => ProviderError::Refused { provider: P, said },
    }
}

/// Reads the envelope: a non-zero code is an error whatever the HTTP status; a missing code
/// counts as 0 only with a 2xx status.
pub(crate) fn accepted<T: serde::de::DeserializeOwned>(
    answer: &Answer,
) -> Result<T, ProviderError> {
    let envelope: Envelope<serde_json::Value> = match serde_json::from_str(&answer.body) {
        Ok(envelope) => envelope,
        Err(err) if answer.status.is_success() => return Err(answer.unreadable(P, &err)),
        Err(_) => {
            return Err(by_status(
                P,
                answer.status,
                answer.said(),
                answer.retry_after,
            ))
        }
    };
    let text = envelope
        .msg
        .or(envelope.message)
        .filter(|t| !t.trim().is_empty())
        .map(|t| provider_text(&t));
    let code = envelope.code.as_ref().and_then(loose_i64).unwrap_or(0);
    if code != 0 {
        return Err(code_error(answer, code, text));
    }
    if !answer.status.is_success() {
        let said = ProviderSaid {
            text: text.or_else(|| answer.said().text),
            ..answer.said()
        };
        return Err(by_status(P, answer.status, said, answer.retry_after));
    }
    let data = envelope
        .data
        .ok_or_else(|| ProviderError::UnexpectedAnswer {
            provider: P,
            what: "a success without its data".into(),
            said: answer.said(),
        })?;
    serde_json::from_value(data).map_err(|err| answer.unreadable(P, &err))
}

pub(crate) fn read_submit(answer: &Answer) -> Result<Submission, ProviderError> {
    let data: SubmitData = accepted(answer)?;
    check_submitted_id(
        P,
        &data.task_id,
        answer,
        "a success without a task id",
        "a task id",
    )?;
    Ok(Submission {
        task_id: data.task_id,
        poll_url: None,
        charged: data.price.map(Money::usd),
    })
}

/// `output_videos[]` entries are not documented: a URL string, or an object with one.
fn output_video_url(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) => ["url", "file_url", "video_url"]
            .iter()
            .find_map(|k| o.get(*k).and_then(|v| v.as_str()).map(str::to_owned)),
        _ => None,
    }
    .filter(|u| !u.trim().is_empty())
}

pub(crate) fn read_query(answer: &Answer) -> Result<TaskUpdate, ProviderError> {
    let data: QueryData = accepted(answer)?;
    if data.status.trim().is_empty() {
        // An unknown word is "still working"; no word at all is not an answer about the task.
        return Err(ProviderError::UnexpectedAnswer {
            provider: P,
            what: "an answer without the task's status".into(),
            said: answer.said(),
        });
    }
    let status = task_status(&data.status);
    if status == TaskStatus::Running && !data.status.trim().eq_ignore_ascii_case("processing") {
        tracing::info!(
            provider = P.id(),
            status = %excerpt(&data.status),
            "a status word nobody documented: taken as still working"
        );
    }
    let mut update = TaskUpdate::new(status, &data.status);
    update.charged = data.price.map(Money::usd);
    update.detail = data
        .msg
        .filter(|m| !m.trim().is_empty())
        .map(|m| provider_text(&m));
    match status {
        TaskStatus::Succeeded => {
            let url = data
                .file_url
                .filter(|u| !u.trim().is_empty())
                .or_else(|| match &data.output_videos {
                    Some(serde_json::Value::Array(items)) => {
                        items.iter().find_map(output_video_url)
                    }
                    Some(one) => output_video_url(one),
                    None => None,
                })
                .ok_or_else(|| ProviderError::UnexpectedAnswer {
                    provider: P,
                    what: "a finished video without file_url or output_videos".into(),
                    said: answer.said(),
                })?;
            update.source = Some(VideoSource::LinkModelFile { url });
        }
        TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Expired => {
            update.failure = Some(ProviderError::GenerationFailed {
                provider: P,
                // LinkModel reports the price at submit and documents no refund rule.
                money: MoneyState::Unknown,
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

pub(crate) async fn submit(
    client: &ProviderClient,
    req: &GenerationRequest,
) -> Result<Submission, ProviderError> {
    let body = SubmitBody::new(req);
    let url = client.endpoint(&["video-generation"]);
    submit_with_retries(&client.policy, || async {
        let request = client.post(url.clone()).json(&body);
        let answer = submit_exchange(P, request, client.policy.request_timeout).await?;
        salvage_submit(&answer, "/data/task_id", read_submit(&answer))
            .map_err(|err| settle_submit_error(P, err))
    })
    .await
}

fn query_url(client: &ProviderClient, task_id: &str) -> url::Url {
    let mut url = client.endpoint(&["query", "video-generation"]);
    url.query_pairs_mut().append_pair("task_id", task_id);
    url
}

pub(crate) async fn check(
    client: &ProviderClient,
    task: &TaskRef,
) -> Result<TaskUpdate, ProviderError> {
    let url = query_url(client, &task.task_id);
    with_retries(&client.policy, || async {
        let answer =
            read_exchange(P, client.get(url.clone()), client.policy.request_timeout).await?;
        read_query(&answer).map_err(|err| err.unreadable_while_following(&answer.body))
    })
    .await
}

/// A task id no generation has (LinkModel's ids are UUIDs).
const NO_SUCH_TASK: &str = "00000000-0000-0000-0000-000000000000";

pub(crate) async fn check_key(client: &ProviderClient) -> Result<KeyCheck, ProviderError> {
    let url = query_url(client, NO_SUCH_TASK);
    let outcome = with_retries(&client.policy, || async {
        let answer =
            read_exchange(P, client.get(url.clone()), client.policy.request_timeout).await?;
        accepted::<serde_json::Value>(&answer).map(|_| ())
    })
    .await;
    key_verdict(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generation::{FirstFrame, Model, Resolution};
    use reqwest::StatusCode;
    use rust_decimal_macros::dec;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: None,
            body: body.to_owned(),
        }
    }

    #[test]
    fn the_submit_body_has_only_documented_fields() {
        let req = GenerationRequest {
            provider: P,
            model: Model::Hailuo23,
            prompt: "Rain on a window".into(),
            first_frame: Some(FirstFrame::Link {
                url: "https://example.com/rain.jpg".into(),
            }),
            duration: 6,
            resolution: Resolution::P768,
            prompt_optimizer: true,
            fast_pretreatment: false,
        };
        assert_eq!(
            serde_json::to_value(SubmitBody::new(&req)).unwrap(),
            serde_json::json!({"model":"MiniMax-Hailuo-2.3","prompt":"Rain on a window","duration":6,"resolution":"768P","first_frame_image":"https://example.com/rain.jpg"})
        );
    }

    #[test]
    fn a_documented_submit_answer_gives_the_task_and_its_price() {
        let body = r#"{"code":0,"data":{"task_id":"cb6111cf-1","order_id":"019da9cf-2","status":"processing","price":0.224},"msg":"success","request_id":"r"}"#;
        let sub = read_submit(&answer(200, body)).unwrap();
        assert_eq!(sub.task_id, "cb6111cf-1");
        assert_eq!(sub.charged, Some(Money::usd(dec!(0.224))));
    }

    #[test]
    fn insufficient_balance_is_no_credit_with_http_200_or_500() {
        let body = r#"{"code":500,"msg":"create task failed: billing: code=100601: insufficient balance"}"#;
        for status in [200, 500] {
            let err = read_submit(&answer(status, body)).unwrap_err();
            assert_eq!(err.kind(), "no-credit", "HTTP {status}");
            assert_eq!(err.said().unwrap().code, Some(500));
            assert!(err.to_string().contains("code=100601"));
        }
    }

    #[test]
    fn any_non_zero_code_is_an_error_even_with_http_200() {
        let invalid_key = r#"{"code":401,"data":{},"msg":"invalid api key"}"#;
        for status in [200, 401] {
            let err = read_query(&answer(status, invalid_key)).unwrap_err();
            assert_eq!(err.kind(), "key-rejected");
            assert!(!err.to_string().contains("other region"));
        }
        let missing =
            read_query(&answer(200, r#"{"code":400,"msg":"task_id is required"}"#)).unwrap_err();
        assert_eq!(missing.kind(), "invalid-parameters");
        assert_eq!(
            missing.said().unwrap().text.as_deref(),
            Some("task_id is required")
        );
    }

    #[test]
    fn a_success_query_reads_message_and_the_file_url() {
        let body = r#"{"code":0,"data":{"task_id":"t","status":"Success","file_url":"https://cdn.example/out.mp4","model":"MiniMax-Hailuo-2.3","duration":6,"msg":""},"message":"success","request_id":"r"}"#;
        let update = read_query(&answer(200, body)).unwrap();
        assert_eq!(update.status, TaskStatus::Succeeded);
        assert_eq!(update.detail, None);
        assert_eq!(
            update.source,
            Some(VideoSource::LinkModelFile {
                url: "https://cdn.example/out.mp4".into()
            })
        );
    }

    #[test]
    fn output_videos_stand_in_for_a_missing_file_url() {
        let body = r#"{"code":0,"data":{"task_id":"t","status":"success","output_videos":["https://cdn.example/a.mp4"]},"message":"success"}"#;
        let update = read_query(&answer(200, body)).unwrap();
        assert_eq!(
            update.source,
            Some(VideoSource::LinkModelFile {
                url: "https://cdn.example/a.mp4".into()
            })
        );
        let neither = r#"{"code":0,"data":{"task_id":"t","status":"Success"},"message":"success"}"#;
        assert_eq!(
            read_query(&answer(200, neither)).unwrap_err().kind(),
            "unexpected-answer"
        );
    }

    #[test]
    fn statuses_compare_case_insensitively() {
        for (word, status) in [
            ("Pending", TaskStatus::Queued),
            ("processing", TaskStatus::Running),
            ("PROCESSING", TaskStatus::Running),
            ("Failed", TaskStatus::Failed),
            ("Cancelled", TaskStatus::Cancelled),
        ] {
            let body = format!(
                r#"{{"code":0,"data":{{"task_id":"t","status":"{word}","msg":"why"}},"message":"success"}}"#
            );
            assert_eq!(
                read_query(&answer(200, &body)).unwrap().status,
                status,
                "{word}"
            );
        }
    }

    #[test]
    fn an_unknown_status_word_is_still_working_and_numbers_may_be_strings() {
        let odd = r#"{"code":"0","data":{"task_id":12345,"status":"Rendering","extra":{"x":1}},"message":"success"}"#;
        let update = read_query(&answer(200, odd)).unwrap();
        assert_eq!(update.status, TaskStatus::Running);
        let submit = r#"{"code":"0","data":{"task_id":12345,"status":"processing","price":"0.224"},"msg":"success"}"#;
        let submission = read_submit(&answer(200, submit)).unwrap();
        assert_eq!(submission.task_id, "12345");
        assert_eq!(submission.charged, Some(Money::usd(dec!(0.224))));
        let refused = r#"{"code":"401","msg":"invalid api key"}"#;
        assert_eq!(
            read_submit(&answer(200, refused)).unwrap_err().kind(),
            "key-rejected"
        );
    }

    #[test]
    fn a_failure_keeps_its_reason_from_data_msg() {
        let body = r#"{"code":0,"data":{"task_id":"t","status":"Failed","msg":"content policy"},"message":"success"}"#;
        let update = read_query(&answer(200, body)).unwrap();
        let failure = update.failure.unwrap();
        assert_eq!(failure.kind(), "generation-failed");
        assert_eq!(
            failure.said().unwrap().text.as_deref(),
            Some("content policy")
        );
        assert_eq!(update.detail.as_deref(), Some("content policy"));
    }
}
