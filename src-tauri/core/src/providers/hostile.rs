//! Property tests: every answer parser of the three services, fed hostile answers, never panics.
//!
//! The suite's short run of fuzzing (the `cargo fuzz` targets in `fuzz/` take far longer to
//! build): arbitrary bytes, arbitrary JSON of random shapes, and the documented answers with
//! fields removed or replaced by values of the wrong type, huge numbers and deep nesting. The
//! suite runs 256 cases per property (a few seconds); a longer run is
//! `PROPTEST_CASES=50000 cargo test -p hailuo-core --lib providers::hostile`.

use proptest::prelude::*;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{json, Value};
use url::Url;

use super::error::{ProviderError, EXCERPT_CHARS, MAX_PROVIDER_TEXT_CHARS};
use super::http::{key_verdict, Answer};
use super::wire::is_plain_id;
use super::{
    linkmodel, minimax, openrouter, ProviderClient, Submission, TaskRef, TaskStatus, TaskUpdate,
    VideoSource,
};
use crate::provider::Provider;

/// One HTTP client for every case: building one loads the OS's certificates (tens of ms).
static HTTP: std::sync::LazyLock<reqwest::Client> = std::sync::LazyLock::new(reqwest::Client::new);

fn client(provider: Provider, base: &str) -> ProviderClient {
    ProviderClient::new(
        provider,
        Url::parse(base).expect("a valid base"),
        SecretString::from("sk-hostile-test-key".to_owned()),
        HTTP.clone(),
    )
}

fn minimax_client() -> ProviderClient {
    client(Provider::MinimaxGlobal, "https://api.minimax.io")
}

fn openrouter_client() -> ProviderClient {
    client(Provider::OpenRouter, "https://openrouter.ai/api/v1")
}

fn linkmodel_client() -> ProviderClient {
    client(Provider::LinkModel, "https://api.linkmodel.ai/api/v1")
}

/// Statuses the services use, and any other a server might send.
fn status() -> impl Strategy<Value = StatusCode> {
    prop_oneof![
        3 => prop::sample::select(vec![200u16, 202, 400, 401, 402, 403, 404, 408, 413, 429, 500, 502, 503]),
        1 => 100u16..=999,
    ]
    .prop_map(|code| StatusCode::from_u16(code).unwrap_or(StatusCode::OK))
}

/// Any JSON value: scalars of every kind (huge and tiny numbers, odd strings) nested a few
/// levels in arrays and objects whose keys are often the services' own field names.
fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        prop::sample::select(vec![
            "task_id",
            "status",
            "file_id",
            "file",
            "download_url",
            "bytes",
            "base_resp",
            "status_code",
            "status_msg",
            "error_message",
            "video_width",
            "video_height",
            "id",
            "polling_url",
            "unsigned_urls",
            "usage",
            "cost",
            "error",
            "code",
            "message",
            "metadata",
            "reasons",
            "data",
            "msg",
            "price",
            "file_url",
            "output_videos",
            "url",
            "limit",
            "limit_remaining",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{0,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![
            "Success",
            "Fail",
            "Processing",
            "completed",
            "failed",
            "in_progress",
            "success",
            "https://cdn.example/v.mp4",
            "http://cdn.example/v.mp4",
            "/api/v1/videos/x",
            "file:///etc/passwd",
            "../../etc/passwd",
            "",
            " ",
            "0",
            "-1",
            "1e400",
            "javascript:alert(1)",
            "data:video/mp4;base64,AAAA",
        ])
        .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        // A message or a status far longer than any real one.
        (1usize..200_000).prop_map(|n| Value::from("é".repeat(n))),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// What happens to one field of a documented answer.
#[derive(Debug, Clone)]
enum Change {
    Keep,
    Remove,
    Replace(Value),
}

fn changes() -> impl Strategy<Value = Vec<Change>> {
    let change = prop_oneof![
        4 => Just(Change::Keep),
        1 => Just(Change::Remove),
        2 => any_json().prop_map(Change::Replace),
    ];
    prop::collection::vec(change, 1..24)
}

/// The documented answer with its fields, at every depth, kept, removed or replaced in turn.
fn mutate(template: &Value, changes: &[Change]) -> Value {
    fn walk(value: &Value, changes: &[Change], next: &mut usize) -> Value {
        match value {
            Value::Object(fields) => {
                let mut out = serde_json::Map::new();
                for (key, field) in fields {
                    let change = &changes[*next % changes.len()];
                    *next += 1;
                    match change {
                        Change::Keep => {
                            out.insert(key.clone(), walk(field, changes, next));
                        }
                        Change::Remove => {}
                        Change::Replace(other) => {
                            out.insert(key.clone(), other.clone());
                        }
                    }
                }
                Value::Object(out)
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|item| walk(item, changes, next)).collect())
            }
            other => other.clone(),
        }
    }
    walk(template, changes, &mut 0)
}

/// Every documented answer shape (providers.md), success and error alike.
fn documented_answers() -> Vec<Value> {
    vec![
        json!({"task_id":"106916112212032","base_resp":{"status_code":0,"status_msg":"success"}}),
        json!({"task_id":"1","status":"Success","file_id":"176844028768320","video_width":1920,"video_height":1080,"base_resp":{"status_code":0,"status_msg":"success"}}),
        json!({"task_id":"1","status":"Fail","error_message":"timed out","base_resp":{"status_code":1027,"status_msg":"output video sensitive"}}),
        json!({"file":{"file_id":176844028768320u64,"bytes":5896337,"created_at":1700469398,"filename":"output_aigc.mp4","purpose":"video_generation","download_url":"https://cdn.example/out.mp4"},"base_resp":{"status_code":0,"status_msg":"success"}}),
        json!({"id":"job-abc123","polling_url":"/api/v1/videos/job-abc123","status":"pending","generation_id":"gen-xyz"}),
        json!({"id":"job-abc123","status":"completed","polling_url":"/api/v1/videos/job-abc123","unsigned_urls":["https://openrouter.ai/api/v1/videos/job-abc123/content?index=0"],"usage":{"cost":0.49,"is_byok":false}}),
        json!({"id":"job-abc123","status":"failed","error":"provider error","usage":{"cost":0}}),
        json!({"error":{"code":403,"message":"flagged by moderation","metadata":{"reasons":["violence"]}}}),
        json!({"data":{"limit":10,"limit_remaining":"7.5","usage":2.5}}),
        json!({"code":0,"data":{"task_id":"cb6111cf-1","order_id":"019da9cf-2","status":"processing","price":0.224},"msg":"success","request_id":"r"}),
        json!({"code":0,"data":{"task_id":"t","status":"Success","file_url":"https://cdn.example/out.mp4","output_videos":[{"url":"https://cdn.example/a.mp4"}],"model":"MiniMax-Hailuo-2.3","duration":6,"msg":""},"message":"success","request_id":"r"}),
        json!({"code":500,"msg":"create task failed: billing: code=100601: insufficient balance"}),
    ]
}

/// Bodies a server might send: raw bytes, random JSON, mutated documented answers, and
/// documented answers with numbers too large for any integer type.
fn body() -> impl Strategy<Value = String> {
    let templates = documented_answers();
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        any_json().prop_map(|v| v.to_string()),
        (prop::sample::select(templates.clone()), changes())
            .prop_map(|(template, changes)| mutate(&template, &changes).to_string()),
        (prop::sample::select(templates), "[0-9]{20,400}").prop_map(|(template, digits)| {
            // Every number of the answer replaced by one no integer type can hold.
            let mut text = template.to_string();
            for n in [
                "0",
                "1",
                "6",
                "0.49",
                "0.224",
                "176844028768320",
                "5896337",
                "1920",
            ] {
                text = text.replace(&format!(":{n},"), &format!(":{digits},"));
                text = text.replace(&format!(":{n}}}"), &format!(":{digits}}}"));
            }
            text
        }),
        // A documented answer with one of its texts (a message, a status, a link) enormous.
        (
            prop::sample::select(documented_answers()),
            any::<prop::sample::Index>(),
            1_001usize..100_000,
        )
            .prop_map(|(template, at, n)| stretch(&template, at, n).to_string()),
        // A documented answer cut off anywhere.
        (
            prop::sample::select(documented_answers()),
            any::<prop::sample::Index>()
        )
            .prop_map(|(template, at)| {
                let text = template.to_string();
                let cut = at.index(text.len() + 1);
                text.get(..cut).unwrap_or(&text).to_owned()
            }),
    ]
}

/// `template` with its `at`-th string (in document order) repeated to `n` characters.
fn stretch(template: &Value, at: prop::sample::Index, n: usize) -> Value {
    fn count(value: &Value) -> usize {
        match value {
            Value::String(_) => 1,
            Value::Array(items) => items.iter().map(count).sum(),
            Value::Object(fields) => fields.values().map(count).sum(),
            _ => 0,
        }
    }
    let mut value = template.clone();
    let target = at.index(count(template).max(1));
    stretch_nth(&mut value, target, n, &mut 0);
    value
}

fn stretch_nth(value: &mut Value, target: usize, n: usize, seen: &mut usize) {
    match value {
        Value::String(s) => {
            if *seen == target {
                let unit = if s.is_empty() {
                    "x".to_owned()
                } else {
                    s.clone()
                };
                *s = unit.repeat(n / unit.len().max(1) + 1);
            }
            *seen += 1;
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| stretch_nth(v, target, n, seen)),
        Value::Object(fields) => fields
            .values_mut()
            .for_each(|v| stretch_nth(v, target, n, seen)),
        _ => {}
    }
}

fn answer(status: StatusCode, body: String) -> Answer {
    Answer {
        status,
        retry_after: None,
        body,
    }
}

/// An error anyone could show: named, in words, and keeping only an excerpt of the answer.
fn assert_presentable(err: &ProviderError) {
    assert!(!err.kind().is_empty());
    let message = err.to_string();
    assert!(message.len() > 20, "{err}");
    // However long the answer, what the creator reads (and the record keeps) stays short.
    assert!(
        message.chars().count() <= 2 * MAX_PROVIDER_TEXT_CHARS,
        "{} chars",
        message.chars().count()
    );
    if let Some(text) = err.said().and_then(|s| s.text.as_ref()) {
        assert!(text.chars().count() <= MAX_PROVIDER_TEXT_CHARS + 1);
    }
    assert!(!err.to_string().contains("sk-hostile-test-key"));
}

fn assert_submission(result: Result<Submission, ProviderError>) {
    match result {
        Ok(submission) => assert!(is_plain_id(&submission.task_id), "{submission:?}"),
        Err(err) => assert_presentable(&err),
    }
}

fn assert_update(result: &Result<TaskUpdate, ProviderError>) {
    match result {
        Ok(update) => {
            if let Some(detail) = &update.detail {
                assert!(detail.chars().count() <= MAX_PROVIDER_TEXT_CHARS + 1);
            }
            match update.status {
                TaskStatus::Succeeded => assert!(update.source.is_some(), "{update:?}"),
                TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Expired => {
                    if let Some(failure) = &update.failure {
                        assert_presentable(failure);
                    }
                }
                TaskStatus::Queued | TaskStatus::Running => {
                    assert!(update.source.is_none() && update.failure.is_none())
                }
            }
            if let Some(VideoSource::MinimaxFile { file_id }) = &update.source {
                assert!(is_plain_id(file_id), "{file_id:?}");
            }
        }
        Err(err) => assert_presentable(err),
    }
}

/// A link the app would fetch: https only (the clients here have https bases), and the key
/// only ever with a link on the provider's own origin.
fn assert_safe_link(client: &ProviderClient, link: &super::VideoLink) {
    assert_eq!(link.url.scheme(), "https", "{}", link.url);
    if link.send_key {
        assert!(client.is_own_origin(&link.url), "{}", link.url);
    }
}

proptest! {
    #[test]
    fn minimax_answers_never_crash_the_reader(status in status(), body in body()) {
        let answer = answer(status, body);
        for provider in [Provider::MinimaxGlobal, Provider::MinimaxChina] {
            assert_submission(minimax::read_submit(provider, &answer));
            assert_update(&minimax::read_query(provider, &answer));
            let key = key_verdict(minimax::accepted::<Value>(provider, &answer).map(|_| ()));
            if let Err(err) = key {
                assert_presentable(&err);
            }
        }
        let client = minimax_client();
        match minimax::read_retrieve(&client, &answer) {
            Ok(link) => {
                assert_safe_link(&client, &link);
                assert!(!link.send_key, "a CDN link never gets the key");
            }
            Err(err) => assert_presentable(&err),
        }
    }

    #[test]
    fn openrouter_answers_never_crash_the_reader(status in status(), body in body()) {
        let answer = answer(status, body);
        let client = openrouter_client();
        let submitted = openrouter::read_submit(&client, &answer);
        if let Ok(submission) = &submitted {
            if let Some(poll) = &submission.poll_url {
                let poll = Url::parse(poll).expect("a kept polling URL is absolute");
                assert!(client.is_own_origin(&poll), "{poll}");
            }
        }
        assert_submission(submitted);
        let polled = openrouter::read_poll(&answer);
        assert_update(&polled);
        if let Ok(TaskUpdate { source: Some(VideoSource::OpenRouterContent { urls }), .. }) = &polled {
            let link = openrouter::video_link(&client, &TaskRef::new("job-1"), urls)
                .expect("the content endpoint is always there");
            assert_safe_link(&client, &link);
        }
        match openrouter::read_key(&answer) {
            Ok(check) => {
                for amount in [check.remaining_credit, check.credit_limit, check.used].into_iter().flatten() {
                    let _ = amount.to_string();
                }
            }
            Err(err) => assert_presentable(&err),
        }
        assert_presentable(&openrouter::error_for(&answer));
    }

    #[test]
    fn linkmodel_answers_never_crash_the_reader(status in status(), body in body()) {
        let answer = answer(status, body);
        assert_submission(linkmodel::read_submit(&answer));
        let queried = linkmodel::read_query(&answer);
        assert_update(&queried);
        if let Ok(TaskUpdate { source: Some(VideoSource::LinkModelFile { url }), .. }) = &queried {
            let client = linkmodel_client();
            match client.link(url) {
                Ok(link) => assert_eq!(link.scheme(), "https"),
                Err(err) => assert_eq!(err.kind(), "unsafe-link"),
            }
        }
        if let Err(err) = key_verdict(linkmodel::accepted::<Value>(&answer).map(|_| ())) {
            assert_presentable(&err);
        }
    }

    #[test]
    fn a_provider_link_is_followed_only_when_it_is_https(raw in prop_oneof![
        ".{0,60}",
        "(https?|file|ftp|data|javascript|HTTP)://[a-z0-9.:@%-]{0,20}/[a-z./%-]{0,20}",
        "//[a-z.]{1,12}/x",
    ]) {
        for client in [minimax_client(), openrouter_client(), linkmodel_client()] {
            match client.link(&raw) {
                Ok(url) => prop_assert_eq!(url.scheme(), "https"),
                Err(err) => prop_assert_eq!(err.kind(), "unsafe-link"),
            }
        }
        let local = client(Provider::LinkModel, "http://127.0.0.1:9/api/v1");
        if let Ok(url) = local.link(&raw) {
            prop_assert!(
                url.scheme() == "https" || url.host_str() == Some("127.0.0.1"),
                "{}", url
            );
        }
    }
}

#[test]
fn deeply_nested_answers_are_refused_without_overflowing_the_stack() {
    for depth in [200, 10_000, 1_000_000] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let objects = format!("{}1{}", r#"{"data":"#.repeat(depth), "}".repeat(depth));
        for body in [arrays, objects] {
            let answer = answer(StatusCode::OK, body);
            assert_eq!(
                minimax::read_query(Provider::MinimaxGlobal, &answer)
                    .unwrap_err()
                    .kind(),
                "unexpected-answer"
            );
            assert_eq!(
                openrouter::read_poll(&answer).unwrap_err().kind(),
                "unexpected-answer"
            );
            assert_eq!(
                linkmodel::read_query(&answer).unwrap_err().kind(),
                "unexpected-answer"
            );
        }
    }
}

#[test]
fn an_unreadable_answer_is_kept_as_a_short_excerpt() {
    let page = "<html>".to_owned() + &"x".repeat(3 * 1024 * 1024);
    let err = openrouter::read_poll(&answer(StatusCode::OK, page)).unwrap_err();
    let text = err.said().and_then(|s| s.text.clone()).unwrap_or_default();
    assert!(text.chars().count() <= EXCERPT_CHARS + 1, "{}", text.len());
}
