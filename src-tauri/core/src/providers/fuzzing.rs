//! The fuzz targets' way into the services' answer readers: raw bytes in, a panic when an answer breaks a promise.
//!
//! Each function reads one input the way the app reads a server's answer, then checks what
//! the rest of the app relies on: an error a creator can read (short, named, never the key),
//! ids that are plain names, links that are https and never carry the key off the provider's
//! origin. `src-tauri/core/fuzz` calls them from `cargo fuzz`; `tests/fuzz_corpus.rs` replays
//! the checked-in corpus and past crashes through them in `cargo test`.

use std::sync::LazyLock;

use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::StatusCode;
use secrecy::SecretString;
use url::Url;

use super::error::{ProviderError, MAX_PROVIDER_TEXT_CHARS};
use super::http::{key_verdict, retry_after, task_id_in, Answer};
use super::wire::is_plain_id;
use super::{
    download, linkmodel, minimax, openrouter, ProviderClient, Submission, TaskRef, TaskStatus,
    TaskUpdate, VideoLink, VideoSource,
};
use crate::provider::Provider;

/// Never a real key: the checks make sure it never shows in an error.
const KEY: &str = "sk-fuzzing-0000";

/// Statuses the services use; the first byte of an input picks one (or, from 0xF0 up, any
/// status from the next two bytes), so the fuzzer reaches every status rule quickly.
const STATUSES: [u16; 16] = [
    200, 201, 202, 204, 400, 401, 402, 403, 404, 408, 413, 422, 429, 500, 502, 503,
];

/// One client for every input: building one loads the OS's certificates.
static HTTP: LazyLock<reqwest::Client> = LazyLock::new(reqwest::Client::new);

fn client(provider: Provider, base: &str) -> Option<ProviderClient> {
    let base = Url::parse(base).ok()?;
    Some(ProviderClient::new(
        provider,
        base,
        SecretString::from(KEY.to_owned()),
        HTTP.clone(),
    ))
}

/// The status an input starts with, and the body after it, read as the app reads a body.
fn answer(data: &[u8]) -> Answer {
    let (status, body) = match data {
        [0xF0..=0xFF, high, low, body @ ..] => {
            (100 + u16::from_be_bytes([*high, *low]) % 900, body)
        }
        [pick, body @ ..] => (STATUSES[usize::from(*pick) % STATUSES.len()], body),
        [] => (200, data),
    };
    Answer {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        retry_after: None,
        body: String::from_utf8_lossy(body).into_owned(),
    }
}

/// An error anyone could be shown: named, in words, short whatever the answer, never the key.
fn check_error(err: &ProviderError) {
    assert!(!err.kind().is_empty());
    let message = err.to_string();
    assert!(message.chars().count() > 20, "a bare message: {message}");
    assert!(
        message.chars().count() <= 2 * MAX_PROVIDER_TEXT_CHARS,
        "a message of {} characters",
        message.chars().count()
    );
    if let Some(text) = err.said().and_then(|said| said.text.as_ref()) {
        assert!(
            text.chars().count() <= MAX_PROVIDER_TEXT_CHARS + 1,
            "the provider's text kept at {} characters",
            text.chars().count()
        );
    }
    assert!(!message.contains(KEY), "the key in an error: {message}");
}

fn check_submission(result: &Result<Submission, ProviderError>) {
    match result {
        Ok(submission) => assert!(
            is_plain_id(&submission.task_id),
            "a task id kept that is not a plain name: {:?}",
            submission.task_id
        ),
        Err(err) => check_error(err),
    }
}

fn check_update(result: &Result<TaskUpdate, ProviderError>) {
    let update = match result {
        Ok(update) => update,
        Err(err) => return check_error(err),
    };
    if let Some(detail) = &update.detail {
        assert!(detail.chars().count() <= MAX_PROVIDER_TEXT_CHARS + 1);
    }
    match update.status {
        TaskStatus::Succeeded => assert!(update.source.is_some(), "a success without a video"),
        TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Expired => {
            if let Some(failure) = &update.failure {
                check_error(failure);
            }
        }
        TaskStatus::Queued | TaskStatus::Running => assert!(
            update.source.is_none() && update.failure.is_none(),
            "an unfinished generation with a video or a failure: {update:?}"
        ),
    }
    if let Some(VideoSource::MinimaxFile { file_id }) = &update.source {
        assert!(is_plain_id(file_id), "a file id kept: {file_id:?}");
    }
}

/// A link the app would fetch: https (every client here has an https base), and the key
/// only ever sent to the provider's own origin.
fn check_link(client: &ProviderClient, link: &VideoLink) {
    assert_eq!(link.url.scheme(), "https", "{}", link.url);
    if link.send_key {
        assert!(
            client.is_own_origin(&link.url),
            "the key would go to {}",
            link.url
        );
    }
}

/// MiniMax's answers to submit, query, retrieve and the key check, on both hosts.
pub fn minimax_answer(data: &[u8]) {
    let answer = answer(data);
    for provider in [Provider::MinimaxGlobal, Provider::MinimaxChina] {
        check_submission(&minimax::read_submit(provider, &answer));
        check_update(&minimax::read_query(provider, &answer));
        if let Err(err) =
            key_verdict(minimax::accepted::<serde_json::Value>(provider, &answer).map(|_| ()))
        {
            check_error(&err);
        }
    }
    let Some(client) = client(Provider::MinimaxGlobal, "https://api.minimax.io") else {
        return;
    };
    match minimax::read_retrieve(&client, &answer) {
        Ok(link) => {
            check_link(&client, &link);
            assert!(!link.send_key, "a CDN link never gets the key");
        }
        Err(err) => check_error(&err),
    }
}

/// OpenRouter's answers to submit, poll and the key check, its error bodies, and the link
/// a finished job's `unsigned_urls` lead to.
pub fn openrouter_answer(data: &[u8]) {
    let answer = answer(data);
    let Some(client) = client(Provider::OpenRouter, "https://openrouter.ai/api/v1") else {
        return;
    };
    let submitted = openrouter::read_submit(&client, &answer);
    if let Ok(Submission {
        poll_url: Some(poll),
        ..
    }) = &submitted
    {
        let poll = Url::parse(poll);
        assert!(
            poll.as_ref().is_ok_and(|poll| client.is_own_origin(poll)),
            "a polling URL kept off OpenRouter's origin: {poll:?}"
        );
    }
    check_submission(&submitted);
    let polled = openrouter::read_poll(&answer);
    check_update(&polled);
    if let Ok(TaskUpdate {
        source: Some(VideoSource::OpenRouterContent { urls }),
        ..
    }) = &polled
    {
        match openrouter::video_link(&client, &TaskRef::new("job-1"), urls) {
            Ok(link) => check_link(&client, &link),
            Err(err) => check_error(&err),
        }
    }
    match openrouter::read_key(&answer) {
        Ok(check) => {
            for amount in [check.remaining_credit, check.credit_limit, check.used]
                .into_iter()
                .flatten()
            {
                assert!(!amount.to_string().is_empty());
            }
        }
        Err(err) => check_error(&err),
    }
    check_error(&openrouter::error_for(&answer));
}

/// LinkModel's answers to submit, query and the key check, and the CDN link of a video.
pub fn linkmodel_answer(data: &[u8]) {
    let answer = answer(data);
    check_submission(&linkmodel::read_submit(&answer));
    let queried = linkmodel::read_query(&answer);
    check_update(&queried);
    if let Ok(TaskUpdate {
        source: Some(VideoSource::LinkModelFile { url }),
        ..
    }) = &queried
    {
        if let Some(client) = client(Provider::LinkModel, "https://api.linkmodel.ai/api/v1") {
            match client.link(url) {
                Ok(link) => assert_eq!(link.scheme(), "https", "{link}"),
                Err(err) => {
                    assert_eq!(err.kind(), "unsafe-link");
                    check_error(&err);
                }
            }
        }
    }
    if let Err(err) = key_verdict(linkmodel::accepted::<serde_json::Value>(&answer).map(|_| ())) {
        check_error(&err);
    }
}

/// What else a server chooses: links (a polling URL, a CDN link), a `Retry-After`, a
/// `Content-Range`, the start of a video, and the ids in a request's URL.
pub fn links_and_headers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let secure = [
        client(Provider::MinimaxGlobal, "https://api.minimax.io"),
        client(Provider::MinimaxChina, "https://api.minimaxi.com"),
        client(Provider::OpenRouter, "https://openrouter.ai/api/v1"),
        client(Provider::LinkModel, "https://api.linkmodel.ai/api/v1"),
    ];
    for client in secure.iter().flatten() {
        match client.link(&text) {
            Ok(url) => assert_eq!(url.scheme(), "https", "{url}"),
            Err(err) => {
                assert_eq!(err.kind(), "unsafe-link");
                check_error(&err);
            }
        }
    }
    // A local test service's plain http reaches its own host only.
    if let Some(local) = client(Provider::LinkModel, "http://127.0.0.1:9/api/v1") {
        if let Ok(url) = local.link(&text) {
            assert!(
                url.scheme() == "https" || url.host_str() == Some("127.0.0.1"),
                "{url}"
            );
        }
    }
    if let Ok(value) = HeaderValue::from_bytes(data) {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, value);
        let _ = retry_after(&headers);
    }
    let _ = download::parse_content_range(&text);
    let _ = download::mp4_state(&mut std::io::Cursor::new(data), data.len() as u64);
    if let Ok(url) = Url::parse(&text) {
        let _ = task_id_in(&url);
    }
}
