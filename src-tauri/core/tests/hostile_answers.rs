//! Hostile answers cannot crash the app: oversized and endless bodies, untrusted links and ids,
//! damaged `generation.json` files and pictures that are not what they claim.
//!
//! The property tests here (and in `providers::hostile`) are the suite's short run of fuzzing;
//! the `cargo fuzz` targets in `fuzz/` (`bash scripts/fuzz.sh`) take far longer to build. A
//! longer proptest run is
//! `PROPTEST_CASES=2000 cargo test -p hailuo-core --test hostile_answers` (about 3 minutes).

// Helpers shared by the tests panic on purpose: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::io::Cursor;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::Bytes;
use futures_util::StreamExt;
use hailuo_core::first_frame::{inspect, PictureSource};
use hailuo_core::library::{Library, MAX_RECORD_BYTES, RECORD_FILE};
use hailuo_core::providers::{
    MoneyState, ProviderClient, RetryPolicy, TaskRef, TaskStatus, TaskUpdate, VideoLink,
    VideoSource, MAX_ANSWER_BYTES,
};
use hailuo_core::{GenerationRequest, Model, Provider, Resolution};
use hailuo_emulator::{Emulator, EmulatorConfig, Endpoint, Fault, FaultKind, Service};
use proptest::prelude::*;
use secrecy::SecretString;
use serde_json::{json, Value};
use url::Url;

/// Milliseconds instead of seconds; no retry, so each test counts exactly one request.
fn quick() -> RetryPolicy {
    RetryPolicy {
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retries: 0,
        max_retry_after: Duration::from_secs(1),
        request_timeout: Duration::from_secs(20),
        download_stall: Duration::from_secs(5),
    }
}

fn client(provider: Provider, base: &str) -> ProviderClient {
    ProviderClient::new(
        provider,
        Url::parse(base).unwrap(),
        SecretString::from("sk-hostile-0000".to_owned()),
        hailuo_core::providers::http_client().unwrap(),
    )
    .with_retry_policy(quick())
}

fn request(provider: Provider) -> GenerationRequest {
    GenerationRequest {
        provider,
        model: Model::Hailuo23,
        prompt: "A lighthouse at dusk".into(),
        first_frame: None,
        duration: 6,
        resolution: Resolution::P768,
        prompt_optimizer: true,
        fast_pretreatment: false,
    }
}

/// What a hostile server saw and how much it sent.
#[derive(Default)]
struct Seen {
    /// Path and query of every request, in order.
    requests: Mutex<Vec<String>>,
    bytes_sent: AtomicU64,
}

impl Seen {
    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

type Answerer = Arc<dyn Fn(&str, Arc<Seen>) -> Response + Send + Sync>;

/// A local server on 127.0.0.1 that answers every request with `answer(path and query)`.
async fn hostile_server(
    answer: impl Fn(&str, Arc<Seen>) -> Response + Send + Sync + 'static,
) -> (SocketAddr, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let answer: Answerer = Arc::new(answer);
    let app =
        Router::new()
            .fallback(
                |State((answer, seen)): State<(Answerer, Arc<Seen>)>,
                 OriginalUri(uri): OriginalUri| async move {
                    let target = uri
                        .path_and_query()
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_default();
                    seen.requests.lock().unwrap().push(target.clone());
                    answer(&target, seen)
                },
            )
            .with_state((answer, seen.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, seen)
}

/// A JSON answer that never ends: `[` followed by zeros and commas, 64 KiB at a time.
fn endless(seen: Arc<Seen>) -> Response {
    let chunk = Bytes::from(format!("[{}", "0,".repeat(32 * 1024)));
    let stream = futures_util::stream::repeat_with(move || {
        seen.bytes_sent
            .fetch_add(chunk.len() as u64, Ordering::Relaxed);
        Ok::<_, Infallible>(chunk.clone())
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

fn json_answer(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

#[tokio::test]
async fn an_endless_answer_is_cut_off_with_a_plain_error() {
    let (addr, seen) = hostile_server(|_, seen| endless(seen)).await;
    for provider in [
        Provider::MinimaxGlobal,
        Provider::OpenRouter,
        Provider::LinkModel,
    ] {
        let started = Instant::now();
        let err = client(provider, &format!("http://{addr}/api/v1"))
            .check(&TaskRef::new("task-1"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "unexpected-answer", "{provider}: {err}");
        let message = err.to_string();
        assert!(message.contains("over 4 MiB"), "{message}");
        assert!(message.contains("HTTP 200"), "{message}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }
    // The client stopped reading near the cap; what the server pushed besides sat in buffers.
    let sent = seen.bytes_sent.load(Ordering::Relaxed);
    assert!(
        sent < 3 * MAX_ANSWER_BYTES as u64 + (48 << 20),
        "{sent} bytes"
    );
}

#[tokio::test]
async fn an_answer_announcing_a_gigabyte_is_refused_before_it_is_read() {
    let (addr, seen) = hostile_server(|_, _| {
        // A gigabyte announced, a few bytes sent, then silence: only the announcement is read.
        let stream = futures_util::stream::once(async {
            Ok::<_, Infallible>(Bytes::from_static(b"{\"task_id\":"))
        })
        .chain(futures_util::stream::pending::<Result<Bytes, Infallible>>());
        (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CONTENT_LENGTH, "1073741824"),
            ],
            Body::from_stream(stream),
        )
            .into_response()
    })
    .await;
    let started = Instant::now();
    let err = client(Provider::LinkModel, &format!("http://{addr}/api/v1"))
        .check(&TaskRef::new("task-1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "unexpected-answer", "{err}");
    assert!(err.to_string().contains("over 4 MiB"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(seen.requests().len(), 1);
}

#[tokio::test]
async fn an_endless_submit_answer_leaves_the_outcome_unknown_and_is_not_resent() {
    let (addr, seen) = hostile_server(|_, seen| endless(seen)).await;
    let client = client(Provider::OpenRouter, &format!("http://{addr}/api/v1")).with_retry_policy(
        RetryPolicy {
            max_retries: 3,
            ..quick()
        },
    );
    let err = client
        .submit(&request(Provider::OpenRouter))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "submit-outcome-unknown", "{err}");
    assert_eq!(err.money(), MoneyState::Unknown);
    assert!(err.to_string().contains("over 4 MiB"), "{err}");
    assert_eq!(
        seen.requests(),
        ["/api/v1/videos"],
        "sent once, never again"
    );
}

#[tokio::test]
async fn the_emulator_s_oversized_custom_answer_is_refused() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let padding = "x".repeat(MAX_ANSWER_BYTES);
    let body = json!({"task_id": "1", "status": "Processing", "padding": padding,
        "base_resp": {"status_code": 0, "status_msg": "success"}});
    emu.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Query,
        FaultKind::Custom {
            status: 200,
            body: body.to_string(),
        },
    ));
    let client = ProviderClient::new(
        Provider::MinimaxGlobal,
        Url::parse(&emu.base_url(Service::MinimaxGlobal)).unwrap(),
        SecretString::from(emu.key(Service::MinimaxGlobal)),
        reqwest::Client::new(),
    )
    .with_retry_policy(quick());
    let err = client.check(&TaskRef::new("1")).await.unwrap_err();
    assert_eq!(err.kind(), "unexpected-answer", "{err}");
    assert!(err.to_string().contains("over 4 MiB"), "{err}");
}

#[tokio::test]
async fn an_http_download_link_to_another_host_is_refused_with_a_plain_message() {
    let (cdn, cdn_seen) = hostile_server(|_, _| "\0\0\0\x20ftypisom".into_response()).await;
    // `localhost` is another host than the configured `127.0.0.1`, though it is the same machine.
    let elsewhere = format!("http://localhost:{}/a.mp4", cdn.port());
    let links = [elsewhere.clone(), "http://cdn.example/a.mp4".to_owned()];
    for link in links {
        let answer_link = link.clone();
        let (api, _) = hostile_server(move |_, _| {
            json_answer(
                200,
                json!({"file": {"file_id": 1, "bytes": 12, "download_url": answer_link},
                    "base_resp": {"status_code": 0, "status_msg": "success"}}),
            )
        })
        .await;
        let minimax = client(Provider::MinimaxGlobal, &format!("http://{api}"));
        let mut update = TaskUpdate {
            status: TaskStatus::Succeeded,
            provider_status: "Success".into(),
            detail: None,
            charged: None,
            charge_not_reported: false,
            width: None,
            height: None,
            source: Some(VideoSource::MinimaxFile {
                file_id: "1".into(),
            }),
            failure: None,
        };
        let err = minimax
            .video_link(&TaskRef::new("1"), &update)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "unsafe-link", "{link}: {err}");
        assert!(err.to_string().contains("not secure"), "{err}");

        let linkmodel = client(Provider::LinkModel, &format!("http://{api}/api/v1"));
        update.source = Some(VideoSource::LinkModelFile { url: link.clone() });
        let err = linkmodel
            .video_link(&TaskRef::new("1"), &update)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "unsafe-link", "{link}: {err}");

        // A link made up elsewhere and handed straight to the downloader is refused too.
        let dir = tempfile::tempdir().unwrap();
        let forged = VideoLink {
            url: Url::parse(&link).unwrap(),
            send_key: false,
            expected_bytes: None,
            fallback: None,
        };
        let err = linkmodel
            .download(&forged, &dir.path().join("video.mp4"), |_, _| {})
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "unsafe-link", "{link}: {err}");
    }
    assert!(cdn_seen.requests().is_empty(), "{:?}", cdn_seen.requests());
}

#[tokio::test]
async fn a_polling_url_on_another_host_is_never_followed() {
    let (other, other_seen) =
        hostile_server(|_, _| json_answer(200, json!({"id": "job-1", "status": "in_progress"})))
            .await;
    let foreign = [
        format!("http://localhost:{}/api/v1/videos/job-1", other.port()),
        "https://evil.example/api/v1/videos/job-1".to_owned(),
        format!("//localhost:{}/steal", other.port()),
    ];
    for polling_url in foreign {
        let answer_url = polling_url.clone();
        let (api, seen) = hostile_server(move |target, _| {
            if target == "/api/v1/videos" {
                json_answer(
                    202,
                    json!({"id": "job-1", "polling_url": answer_url, "status": "pending"}),
                )
            } else {
                json_answer(200, json!({"id": "job-1", "status": "in_progress"}))
            }
        })
        .await;
        let openrouter = client(Provider::OpenRouter, &format!("http://{api}/api/v1"));
        let submission = openrouter
            .submit(&request(Provider::OpenRouter))
            .await
            .unwrap();
        assert_eq!(submission.poll_url, None, "{polling_url} was kept");
        // A record edited by hand to point elsewhere is not followed either.
        let tampered = TaskRef {
            task_id: "job-1".into(),
            poll_url: Some(polling_url.clone()),
        };
        for task in [submission.task(), tampered] {
            let update = openrouter.check(&task).await.unwrap();
            assert_eq!(update.status, TaskStatus::Running);
        }
        assert_eq!(
            seen.requests(),
            [
                "/api/v1/videos",
                "/api/v1/videos/job-1",
                "/api/v1/videos/job-1"
            ]
        );
    }
    assert!(
        other_seen.requests().is_empty(),
        "{:?}",
        other_seen.requests()
    );
}

#[tokio::test]
async fn a_task_id_that_looks_like_a_path_is_never_kept() {
    for id in ["../../etc/passwd", "..", "a\\..\\b", "x&task_id=other"] {
        let answers = [
            (
                Provider::MinimaxGlobal,
                "",
                json!({"task_id": id, "base_resp": {"status_code": 0, "status_msg": "success"}}),
            ),
            (
                Provider::OpenRouter,
                "/api/v1",
                json!({"id": id, "status": "pending"}),
            ),
            (
                Provider::LinkModel,
                "/api/v1",
                json!({"code": 0, "data": {"task_id": id, "status": "processing", "price": 0.224}, "msg": "success"}),
            ),
        ];
        for (provider, path, body) in answers {
            let (api, seen) = hostile_server(move |_, _| json_answer(200, body.clone())).await;
            let err = client(provider, &format!("http://{api}{path}"))
                .submit(&request(provider))
                .await
                .unwrap_err();
            // It was accepted and maybe charged, but cannot be followed: said so, not resent.
            assert_eq!(
                err.kind(),
                "submit-outcome-unknown",
                "{provider} {id:?}: {err}"
            );
            assert!(err.to_string().contains("not a plain name"), "{err}");
            assert_eq!(seen.requests().len(), 1);
        }
    }
}

#[tokio::test]
async fn a_recorded_task_id_with_dots_stays_inside_the_endpoint() {
    let (api, seen) = hostile_server(|_, _| {
        json_answer(
            404,
            json!({"error": {"code": 404, "message": "no such job"}}),
        )
    })
    .await;
    let openrouter = client(Provider::OpenRouter, &format!("http://{api}/api/v1"));
    let err = openrouter
        .check(&TaskRef::new("../../key"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "task-not-found");
    let (api2, seen2) = hostile_server(|_, _| {
        json_answer(
            200,
            json!({"base_resp": {"status_code": 2013, "status_msg": "invalid task_id"}}),
        )
    })
    .await;
    let minimax = client(Provider::MinimaxGlobal, &format!("http://{api2}"));
    assert!(minimax
        .check(&TaskRef::new("../../v1/files/retrieve"))
        .await
        .is_err());
    assert_eq!(seen.requests(), ["/api/v1/videos/..%2F..%2Fkey"]);
    assert_eq!(
        seen2.requests(),
        ["/v1/query/video_generation?task_id=..%2F..%2Fv1%2Ffiles%2Fretrieve"]
    );
}

#[tokio::test]
async fn a_download_never_lets_the_server_choose_where_it_lands() {
    let (cdn, _) = hostile_server(|_, _| {
        (
            [
                (header::CONTENT_TYPE, "video/mp4"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"../../evil.mp4\"",
                ),
            ],
            whole_mp4(),
        )
            .into_response()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir
        .path()
        .join("library")
        .join("a generation")
        .join("video.mp4");
    let linkmodel = client(Provider::LinkModel, &format!("http://{cdn}/api/v1"));
    let link = VideoLink {
        url: Url::parse(&format!("http://{cdn}/cdn/..%2F..%2Fevil.mp4")).unwrap(),
        send_key: false,
        expected_bytes: None,
        fallback: None,
    };
    let video = linkmodel.download(&link, &dest, |_, _| {}).await.unwrap();
    assert_eq!(video.path, dest);
    let mut files: Vec<_> = walk(dir.path());
    files.sort();
    assert_eq!(files, [dest]);
}

/// The smallest whole MP4: `ftyp`, a `moov` with a track, and media. Only a whole video is kept.
fn whole_mp4() -> Vec<u8> {
    fn boxed(kind: &[u8; 4], content: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(content.len() + 8)
            .unwrap()
            .to_be_bytes()
            .to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(content);
        out
    }
    [
        boxed(b"ftyp", b"isom\0\0\x02\0"),
        boxed(b"moov", &boxed(b"trak", &[0; 16])),
        boxed(b"mdat", &[7; 64]),
    ]
    .concat()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[tokio::test]
async fn a_video_announced_over_the_cap_by_the_server_is_not_downloaded() {
    let (cdn, seen) = hostile_server(|_, _| {
        let stream = futures_util::stream::once(async {
            Ok::<_, Infallible>(Bytes::from_static(b"\0\0\0\x20ftypisom"))
        })
        .chain(futures_util::stream::pending::<Result<Bytes, Infallible>>());
        (
            [(header::CONTENT_LENGTH, (3u64 << 30).to_string())],
            Body::from_stream(stream),
        )
            .into_response()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("video.mp4");
    let link = VideoLink {
        url: Url::parse(&format!("http://{cdn}/v.mp4")).unwrap(),
        send_key: false,
        expected_bytes: None,
        fallback: None,
    };
    let err = client(Provider::LinkModel, &format!("http://{cdn}/api/v1"))
        .download(&link, &dest, |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "video-too-large", "{err}");
    assert_eq!(seen.requests().len(), 1);
    assert!(walk(dir.path()).is_empty(), "nothing written");
}

// ---- any answer, through the real client -----------------------------------------------------

/// The answer the shared server gives next: a status, a body and maybe a `Retry-After`.
static NEXT_ANSWER: LazyLock<Mutex<(u16, String, Option<String>)>> =
    LazyLock::new(|| Mutex::new((200, String::new(), None)));

/// One runtime and one server for every case, so a case costs one local round trip.
static SHARED: LazyLock<(tokio::runtime::Runtime, SocketAddr)> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (addr, _) = runtime.block_on(hostile_server(|_, _| {
        let (status, body, retry_after) = NEXT_ANSWER.lock().unwrap().clone();
        let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
        if let Some(value) = retry_after.and_then(|v| v.parse().ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }));
    (runtime, addr)
});

fn wire_body() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        any_json().prop_map(|v| v.to_string()),
        prop::sample::select(vec![
            r#"{"task_id":"1","status":"Success","file_id":"176844028768320","base_resp":{"status_code":0,"status_msg":"success"}}"#,
            r#"{"id":"job-1","status":"completed","unsigned_urls":["http://elsewhere.example/v"],"usage":{"cost":1e400}}"#,
            r#"{"code":0,"data":{"task_id":"t","status":"Success","file_url":"ftp://x/y"},"message":"success"}"#,
            r#"{"base_resp":{"status_code":1002,"status_msg":"rate limit"}}"#,
            r#"{"error":{"code":"429","message":["not","a","string"]}}"#,
        ])
        .prop_map(str::to_owned),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(96), ..ProptestConfig::default() })]

    #[test]
    fn any_answer_over_the_wire_is_a_result_or_a_plain_error(
        status in prop_oneof![
            3 => prop::sample::select(vec![200u16, 202, 400, 401, 402, 403, 404, 429, 500, 503]),
            1 => 200u16..=599,
        ],
        body in wire_body(),
        retry_after in prop::option::of(prop_oneof![
            "[0-9]{1,25}".prop_map(|s| s),
            Just("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
            ".{0,12}",
        ]),
        provider in prop::sample::select(vec![Provider::MinimaxChina, Provider::OpenRouter, Provider::LinkModel]),
    ) {
        *NEXT_ANSWER.lock().unwrap() = (status, body, retry_after);
        let (runtime, addr) = &*SHARED;
        let base = match provider {
            Provider::OpenRouter | Provider::LinkModel => format!("http://{addr}/api/v1"),
            _ => format!("http://{addr}"),
        };
        // `Retry-After` is obeyed only up to a second here, and not at all with no retries.
        let client = client(provider, &base);
        let errors = runtime.block_on(async {
            let mut errors = Vec::new();
            match client.submit(&request(provider)).await {
                Ok(submission) => assert!(!submission.task_id.is_empty()),
                Err(err) => errors.push(err),
            }
            match client.check(&TaskRef::new("task-1")).await {
                Ok(update) => {
                    if update.source.is_some() {
                        if let Ok(link) = client.video_link(&TaskRef::new("task-1"), &update).await {
                            let own_host = link.url.host_str() == Some("127.0.0.1");
                            assert!(link.url.scheme() == "https" || own_host, "{}", link.url);
                        }
                    }
                }
                Err(err) => errors.push(err),
            }
            if let Err(err) = client.check_key().await {
                errors.push(err);
            }
            errors
        });
        for err in errors {
            let message = err.to_string();
            prop_assert!(message.len() > 20 && message.chars().count() < 2500, "{}", message);
            prop_assert!(!message.contains("sk-hostile-0000"));
        }
    }
}

// ---- generation.json -------------------------------------------------------------------------

/// A record as this version writes it.
fn valid_record() -> Value {
    json!({
        "schemaVersion": 1,
        "id": "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        "request": {"provider": "minimax-global", "model": "hailuo-2.3", "prompt": "A lighthouse",
            "firstFrame": {"kind": "picture", "fileName": "first-frame.png", "mime": "image/png"},
            "duration": 6, "resolution": "768P", "promptOptimizer": true, "fastPretreatment": false},
        "taskId": "106916112212032",
        "state": "done",
        "history": [{"state": "submitting", "at": "2026-11-21T14:32:00Z"},
                    {"state": "done", "at": "2026-11-21T14:40:00Z", "note": "Success"}],
        "createdAt": "2026-11-21T14:32:00Z",
        "updatedAt": "2026-11-21T14:40:00Z",
        "estimatedCost": {"money": {"amount": "0.28", "currency": "USD"}, "basis": {"kind": "list-price"}, "label": "$0.28"},
        "video": {"fileName": "video.mp4", "bytes": 12, "width": 1366, "height": 768},
        "posterFile": "poster.jpg"
    })
}

/// Writes `bytes` as the only generation of a fresh library and scans it.
fn scan_one(bytes: &[u8]) -> (tempfile::TempDir, hailuo_core::library::LibraryScan) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("2026-11-21 1432 a-lighthouse");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join(RECORD_FILE), bytes).unwrap();
    let scan = Library::open(dir.path()).unwrap().scan().unwrap();
    (dir, scan)
}

#[test]
fn the_valid_record_used_below_is_read() {
    let (_dir, scan) = scan_one(valid_record().to_string().as_bytes());
    assert_eq!(scan.broken, [], "{:?}", scan.broken);
    assert_eq!(scan.generations.len(), 1);
}

#[test]
fn a_record_naming_files_outside_its_folder_is_not_trusted() {
    let cases = [
        ("/video/fileName", "../../../../etc/passwd"),
        ("/posterFile", "/home/someone/.bashrc"),
        ("/request/firstFrame/fileName", "..\\..\\secret.png"),
        ("/request/firstFrame/fileName", "sub/first-frame.png"),
    ];
    for (pointer, name) in cases {
        let mut record = valid_record();
        *record.pointer_mut(pointer).unwrap() = Value::from(name);
        let (_dir, scan) = scan_one(record.to_string().as_bytes());
        assert!(scan.generations.is_empty(), "{pointer} = {name}");
        assert_eq!(scan.broken.len(), 1);
        assert!(
            scan.broken[0].reason.contains("outside its own folder"),
            "{}",
            scan.broken[0].reason
        );
    }
}

#[test]
fn a_record_larger_than_any_real_one_is_not_read() {
    let mut record = valid_record();
    record["request"]["prompt"] = Value::from("x".repeat(MAX_RECORD_BYTES as usize));
    let (_dir, scan) = scan_one(record.to_string().as_bytes());
    assert!(scan.generations.is_empty());
    assert!(
        scan.broken[0]
            .reason
            .contains("far larger than any generation record"),
        "{}",
        scan.broken[0].reason
    );
}

#[test]
fn a_record_with_an_enormous_odd_value_is_listed_with_a_short_reason() {
    // Found by the generation_json fuzz target: serde's message quoted the whole value.
    for odd in ["x".repeat(1_000_000), "\u{7f}".repeat(100_000)] {
        let mut record = valid_record();
        record["schemaVersion"] = Value::from(odd);
        let (_dir, scan) = scan_one(record.to_string().as_bytes());
        assert!(scan.generations.is_empty());
        let reason = &scan.broken[0].reason;
        assert!(
            reason.chars().count() < 400,
            "{} chars",
            reason.chars().count()
        );
        assert!(
            reason.contains("is damaged") && reason.contains("line 1 column"),
            "{reason}"
        );
    }
}

#[test]
fn a_deeply_nested_record_is_broken_not_a_crash() {
    let depth = 100_000;
    let nested = format!(
        "{}{}{}",
        r#"{"schemaVersion":1,"request":"#,
        "[".repeat(depth),
        "]".repeat(depth) + "}"
    );
    let (_dir, scan) = scan_one(nested.as_bytes());
    assert!(scan.generations.is_empty());
    assert_eq!(scan.broken.len(), 1);
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![
            "done",
            "unknown",
            "picture",
            "link",
            "../x",
            "",
            "2026-11-21T14:32:00Z",
            "9999-99-99T99:99:99Z",
            "minimax-global",
            "768P",
            "USD",
            "0.28",
            "1e999",
        ])
        .prop_map(Value::from),
        ".{0,24}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z]{0,10}", inner), 0..5)
                .prop_map(|f| Value::Object(f.into_iter().collect())),
        ]
    })
}

/// The valid record with the field at `pointer` (any depth) replaced or removed.
fn all_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                let here = format!("{at}/{key}");
                out.push(here.clone());
                all_pointers(field, here, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let here = format!("{at}/{i}");
                out.push(here.clone());
                all_pointers(item, here, out);
            }
        }
        _ => {}
    }
}

static POINTERS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut out = Vec::new();
    all_pointers(&valid_record(), String::new(), &mut out);
    out
});

/// A name a hand-edited or hostile record might give one of its files.
fn file_name_edit() -> impl Strategy<Value = (String, Option<Value>)> {
    let pointer = prop::sample::select(vec![
        "/video/fileName",
        "/posterFile",
        "/request/firstFrame/fileName",
    ]);
    let name = prop_oneof![
        prop::sample::select(vec![
            "../video.mp4",
            "..",
            ".",
            "/etc/passwd",
            "a/b.mp4",
            "C:\\x.mp4",
            "..\\..\\x",
            "C:x.mp4",
            "video.mp4",
            "",
        ])
        .prop_map(str::to_owned),
        "[./\\\\a-z:]{0,12}",
    ];
    (pointer, name).prop_map(|(p, n)| (p.to_owned(), Some(Value::from(n))))
}

fn mutated_record() -> impl Strategy<Value = Vec<u8>> {
    let edit = prop_oneof![
        3 => (prop::sample::select(POINTERS.clone()), prop::option::of(any_json())),
        1 => file_name_edit(),
    ];
    prop::collection::vec(edit, 1..4).prop_map(|edits| {
        let mut record = valid_record();
        for (pointer, replacement) in edits {
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            let Some(parent) = record.pointer_mut(parent) else {
                continue;
            };
            match (parent, replacement) {
                (Value::Object(fields), None) => {
                    fields.remove(key);
                }
                (Value::Object(fields), Some(value)) => {
                    fields.insert(key.to_owned(), value);
                }
                (Value::Array(items), value) => {
                    if let Ok(i) = key.parse::<usize>() {
                        if i < items.len() {
                            items[i] = value.unwrap_or(Value::Null);
                        }
                    }
                }
                _ => {}
            }
        }
        record.to_string().into_bytes()
    })
}

fn record_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..400),
        1 => any_json().prop_map(|v| v.to_string().into_bytes()),
        3 => mutated_record(),
        // Cut off anywhere, as by a crash mid-write on a file system without atomic renames.
        1 => any::<prop::sample::Index>().prop_map(|at| {
            let text = valid_record().to_string().into_bytes();
            let cut = at.index(text.len());
            text[..cut].to_vec()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn any_generation_json_is_read_or_listed_as_broken(bytes in record_bytes()) {
        let (dir, scan) = scan_one(&bytes);
        prop_assert_eq!(scan.generations.len() + scan.broken.len(), 1);
        let library = Library::open(dir.path()).unwrap();
        library.scan().unwrap();
        for entry in &scan.generations {
            // Whatever a record says, the files it names stay inside its own folder.
            let generation = &entry.generation;
            for path in [library.video_path(generation), library.poster_path(generation), library.first_frame_path(generation)].into_iter().flatten() {
                prop_assert_eq!(path.parent(), Some(entry.folder.as_path()), "{:?}", path);
            }
            let _ = serde_json::to_string(&entry).unwrap();
        }
        for broken in &scan.broken {
            prop_assert!(broken.reason.len() > 20, "{}", broken.reason);
        }
    }
}

// ---- first frames ----------------------------------------------------------------------------

/// `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]))
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

static PNG: LazyLock<Vec<u8>> = LazyLock::new(|| encoded(image::ImageFormat::Png));
static JPEG: LazyLock<Vec<u8>> = LazyLock::new(|| encoded(image::ImageFormat::Jpeg));

/// A valid picture with bytes of its header (the first 64: PNG's IHDR with the size, JPEG's
/// first segments) overwritten, then maybe cut short.
fn mutated_picture() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::bool::ANY,
        prop::collection::vec((0usize..64, any::<u8>()), 1..6),
        prop::option::of(any::<prop::sample::Index>()),
        prop::option::of((any::<u32>(), any::<u32>())),
    )
        .prop_map(|(png, flips, cut, size)| {
            let mut bytes = if png { PNG.clone() } else { JPEG.clone() };
            for (at, value) in flips {
                bytes[at] = value;
            }
            if let (true, Some((width, height))) = (png, size) {
                // IHDR's width and height (a huge size must be refused before decoding).
                bytes[16..20].copy_from_slice(&width.to_be_bytes());
                bytes[20..24].copy_from_slice(&height.to_be_bytes());
            }
            if let Some(cut) = cut {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_a_first_frame_or_a_plain_refusal(bytes in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        mutated_picture(),
    ]) {
        match inspect(PictureSource::Pasted(&bytes)) {
            Ok(report) => { let _ = serde_json::to_string(&report).unwrap(); }
            Err(err) => prop_assert!(err.to_string().len() > 20, "{}", err),
        }
    }
}

#[test]
fn a_picture_claiming_a_gigantic_size_is_refused_before_decoding() {
    let mut png = PNG.clone();
    png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let started = Instant::now();
    let err = inspect(PictureSource::Pasted(&png)).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(!err.to_string().is_empty());
}
