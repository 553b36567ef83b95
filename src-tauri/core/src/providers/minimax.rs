//! MiniMax's own API (global and China hosts): where HTTP 200 is not success until `base_resp` says so.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::{excerpt, provider_text, MoneyState, ProviderError, ProviderSaid};
use super::http::{
    by_status, exchange, key_verdict, salvage_submit, settle_submit_error, submit_no_answer,
    submit_with_retries, with_retries, Answer,
};
use super::wire::{
    check_submitted_id, de_loose_code, de_loose_id, de_loose_string, de_loose_text, de_loose_u32,
    de_loose_u64, first_frame_url, is_plain_id,
};
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

// Every field is read liberally (providers.md, re-check): unknown fields are ignored, numbers
// may come as strings and the reverse, and a missing optional field is never fatal.

#[derive(Debug, Deserialize)]
struct BaseResp {
    #[serde(default, deserialize_with = "de_loose_code")]
    status_code: i64,
    #[serde(default, deserialize_with = "de_loose_string")]
    status_msg: String,
}

#[derive(Debug, Deserialize)]
struct SubmitAnswer {
    #[serde(default, deserialize_with = "de_loose_string")]
    task_id: String,
}

#[derive(Debug, Deserialize)]
struct QueryAnswer {
    #[serde(default, deserialize_with = "de_loose_string")]
    status: String,
    #[serde(default, deserialize_with = "de_loose_id")]
    file_id: Option<String>,
    #[serde(default, deserialize_with = "de_loose_u32")]
    video_width: Option<u32>,
    #[serde(default, deserialize_with = "de_loose_u32")]
    video_height: Option<u32>,
    #[serde(default, deserialize_with = "de_loose_text")]
    error_message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RetrieveAnswer {
    #[serde(default)]
    file: Option<RetrievedFile>,
}

#[derive(Debug, Deserialize)]
struct RetrievedFile {
    /// A hint only: real answers have been seen with `0` (then: unknown).
    #[serde(default, deserialize_with = "de_loose_u64")]
    bytes: Option<u64>,
    #[serde(default, deserialize_with = "de_loose_text")]
    download_url: Option<String>,
}

/// The documented statuses, compared case-insensitively (callbacks use lowercase ones). A word
/// nobody documented means the task is still being worked on, never that it failed.
fn task_status(word: &str) -> TaskStatus {
    match word.trim().to_ascii_lowercase().as_str() {
        "preparing" | "queueing" | "queued" | "pending" => TaskStatus::Queued,
        "success" | "succeeded" => TaskStatus::Succeeded,
        "fail" | "failed" => TaskStatus::Failed,
        _ => TaskStatus::Running,
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
        1008 => ProviderError::NoCredit { provider, said },
        2056 => ProviderError::PlanLimitReached { provider, said },
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
    if query.status.trim().is_empty() {
        // An unknown word is "still working"; no word at all is not an answer about the task.
        return Err(ProviderError::UnexpectedAnswer {
            provider,
            what: "an answer without the task's status".into(),
            said: answer.said(),
        });
    }
    let status = task_status(&query.status);
    if status == TaskStatus::Running && !query.status.trim().eq_ignore_ascii_case("processing") {
        tracing::info!(
            provider = provider.id(),
            status = %excerpt(&query.status),
            "a status word nobody documented: taken as still working"
        );
    }
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
    if task_status(value.get("status")?.as_str()?) != TaskStatus::Failed {
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
        // `bytes: 0` has been seen on real answers: a size of 0 is no size.
        expected_bytes: file.bytes.filter(|b| *b > 0),
        fallback: None,
    })
}

/// MiniMax's own download of a file (`retrieve_content`, with the key): used when the CDN
/// link keeps failing.
pub(crate) fn retrieve_content_url(client: &ProviderClient, file_id: &str) -> url::Url {
    let mut url = client.endpoint(&["v1", "files", "retrieve_content"]);
    url.query_pairs_mut().append_pair("file_id", file_id);
    url
}

/// One exchange with MiniMax. On the China host, when the connection failed before anything
/// was sent (DNS, refused, TLS), the same request goes to the other host name once: never after
/// a request may have arrived. `submit` marks a request that could start a paid video.
async fn send(
    client: &ProviderClient,
    submit: bool,
    request: impl Fn(&ProviderClient) -> reqwest::RequestBuilder,
) -> Result<Answer, ProviderError> {
    let provider = client.provider();
    let timeout = client.policy.request_timeout;
    let answered = match exchange(provider, request(client), timeout).await {
        Err(no_answer) if no_answer.never_sent => match client.on_alternate() {
            Some(other) => {
                tracing::warn!(
                    provider = provider.id(),
                    host = %client.host(),
                    other = %other.host(),
                    "could not connect: trying the other host name"
                );
                exchange(provider, request(&other), timeout).await
            }
            None => Err(no_answer),
        },
        other => other,
    };
    answered.map_err(|no_answer| {
        if submit {
            submit_no_answer(provider, no_answer)
        } else {
            no_answer.into_error(provider)
        }
    })
}

pub(crate) async fn submit(
    client: &ProviderClient,
    req: &GenerationRequest,
) -> Result<Submission, ProviderError> {
    let provider = client.provider();
    let body = SubmitBody::new(req);
    submit_with_retries(&client.policy, || async {
        let answer = send(client, true, |c| {
            c.post(c.endpoint(&["v1", "video_generation"])).json(&body)
        })
        .await?;
        let read = salvage_submit(&answer, "/task_id", read_submit(provider, &answer))
            .map_err(|err| settle_submit_error(provider, err));
        client.pace_after(&read);
        read
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
    with_retries(&client.policy, || async {
        let answer = send(client, false, |c| c.get(query_url(c, &task.task_id))).await?;
        let read = read_query(provider, &answer)
            .map_err(|err| err.unreadable_while_following(&answer.body));
        client.pace_after(&read);
        read
    })
    .await
}

pub(crate) async fn video_link(
    client: &ProviderClient,
    file_id: &str,
) -> Result<VideoLink, ProviderError> {
    let retrieve_url = |c: &ProviderClient| {
        let mut url = c.endpoint(&["v1", "files", "retrieve"]);
        url.query_pairs_mut().append_pair("file_id", file_id);
        url
    };
    with_retries(&client.policy, || async {
        let answer = send(client, false, |c| c.get(retrieve_url(c))).await?;
        let read = read_retrieve(client, &answer);
        client.pace_after(&read);
        read
    })
    .await
    .map(|link| VideoLink {
        fallback: Some(retrieve_content_url(client, file_id)),
        ..link
    })
}

/// A task id no generation has: the query spends nothing, and only the key decides whether
/// MiniMax answers "invalid api key" or "no such task".
const NO_SUCH_TASK: &str = "0";

/// The free key check. On the China host both host names are asked when the first does not
/// accept the key, and the answer says which one did (`KeyCheck::base_url`).
pub(crate) async fn check_key(client: &ProviderClient) -> Result<KeyCheck, ProviderError> {
    let alone = client.clone().with_alternate_base(None);
    let first = check_key_on(&alone).await;
    let other = match (&first, client.on_alternate()) {
        (
            Ok(_) | Err(ProviderError::NoCredit { .. } | ProviderError::PlanLimitReached { .. }),
            _,
        )
        | (_, None) => return first,
        (Err(_), Some(other)) => other,
    };
    let Err(first) = first else {
        return first;
    };
    match check_key_on(&other).await {
        Ok(found) => Ok(found),
        Err(second) => {
            // The first host could not be reached or was busy, or the second knows the key
            // (it only cannot pay now): the second one's verdict stands.
            let first_silent = matches!(
                first,
                ProviderError::NetworkDown { .. }
                    | ProviderError::Unavailable { .. }
                    | ProviderError::RateLimited { .. }
            );
            let second_knows_key = matches!(
                second,
                ProviderError::NoCredit { .. } | ProviderError::PlanLimitReached { .. }
            );
            Err(if first_silent || second_knows_key {
                second
            } else {
                first
            })
        }
    }
}

async fn check_key_on(client: &ProviderClient) -> Result<KeyCheck, ProviderError> {
    let provider = client.provider();
    let outcome = with_retries(&client.policy, || async {
        let answer = send(client, false, |c| c.get(query_url(c, NO_SUCH_TASK))).await?;
        accepted::<serde_json::Value>(provider, &answer)
    })
    .await;
    key_verdict(outcome.map(|_| ())).map(|found| KeyCheck {
        base_url: Some(client.base_url().as_str().trim_end_matches('/').to_owned()),
        ..found
    })
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
            (2056, "plan-limit-reached"),
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
    fn waiting_statuses_are_queued_or_running_whatever_their_case() {
        for (word, status) in [
            ("Preparing", TaskStatus::Queued),
            ("Queueing", TaskStatus::Queued),
            ("Processing", TaskStatus::Running),
            ("processing", TaskStatus::Running),
            ("QUEUEING", TaskStatus::Queued),
        ] {
            let body = format!(
                r#"{{"task_id":"1","status":"{word}","file_id":"","base_resp":{{"status_code":0,"status_msg":"success"}}}}"#
            );
            let update = read_query(G, &answer(200, &body)).unwrap();
            assert_eq!(update.status, status, "{word}");
            assert_eq!(update.source, None);
        }
    }

    #[test]
    fn an_unknown_status_word_is_still_working_not_a_failure() {
        let odd = r#"{"task_id":"1","status":"Rendering","base_resp":{"status_code":0,"status_msg":"success"}}"#;
        let update = read_query(G, &answer(200, odd)).unwrap();
        assert_eq!(update.status, TaskStatus::Running);
        assert_eq!(update.provider_status, "Rendering");
        let none = r#"{"task_id":"1","base_resp":{"status_code":0,"status_msg":"success"}}"#;
        assert_eq!(
            read_query(G, &answer(200, none)).unwrap_err().kind(),
            "unexpected-answer",
            "no status at all is not an answer about the task"
        );
    }

    #[test]
    fn numbers_as_strings_and_unknown_fields_are_read() {
        let body = r#"{"task_id":106916112212032,"status":"success","file_id":176844028768320,"video_width":"1920","video_height":"1080","base_resp":{"status_code":"0","status_msg":"success","trace":"x"},"new_field":{"a":[1,2]}}"#;
        let update = read_query(G, &answer(200, body)).unwrap();
        assert_eq!(update.status, TaskStatus::Succeeded);
        assert_eq!((update.width, update.height), (Some(1920), Some(1080)));
        let submit = r#"{"task_id":106916112212032,"base_resp":{"status_code":"0"}}"#;
        assert_eq!(
            read_submit(G, &answer(200, submit)).unwrap().task_id,
            "106916112212032"
        );
        let limited = r#"{"base_resp":{"status_code":"1002","status_msg":"rate limit"}}"#;
        assert_eq!(
            read_submit(G, &answer(200, limited)).unwrap_err().kind(),
            "rate-limited"
        );
        let retrieve = r#"{"file":{"file_id":"1","bytes":"5896337","download_url":"https://cdn.example/a.mp4","extra":null},"base_resp":{"status_code":0}}"#;
        assert_eq!(
            read_retrieve(&client(), &answer(200, retrieve))
                .unwrap()
                .expected_bytes,
            Some(5896337)
        );
    }

    #[test]
    fn code_2056_plan_limit_reached_is_its_own_plain_message_and_not_charged() {
        let err = code_error(G, 200, 2056, "usage limit exceeded");
        assert_eq!(err.kind(), "plan-limit-reached");
        assert_eq!(err.money(), MoneyState::NotCharged);
        let message = err.to_string();
        assert!(message.contains("5-hour window"), "{message}");
        assert!(message.contains("Nothing was charged"), "{message}");
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
    fn a_retrieve_answer_announcing_0_bytes_means_the_size_is_unknown() {
        let body = r#"{"file":{"file_id":176844028768320,"bytes":0,"created_at":1700469398,"filename":"output.mp4","purpose":"video_generation","download_url":"https://cdn.example/output.mp4?sig=abc"},"base_resp":{"status_code":0,"status_msg":"success"}}"#;
        let link = read_retrieve(&client(), &answer(200, body)).unwrap();
        assert_eq!(link.expected_bytes, None);
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
