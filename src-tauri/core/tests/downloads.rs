//! Bringing a video home from servers that answer exactly as scripted, byte for byte: answers
//! without a length cut short, resumes with `If-Range`, a link planted at the partial file,
//! and the service's own address as the fallback.

// Helpers shared by the tests panic on purpose: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hailuo_core::providers::{ProviderClient, RetryPolicy, VideoLink};
use hailuo_core::Provider;
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

const KEY: &str = "sk-api-downloads-0000";

fn quick() -> RetryPolicy {
    RetryPolicy {
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retries: 2,
        max_retry_after: Duration::from_secs(1),
        request_timeout: Duration::from_secs(5),
        download_stall: Duration::from_secs(5),
    }
}

fn boxed(kind: &[u8; 4], content: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(content.len() + 8)
        .unwrap()
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(content);
    out
}

/// A small whole MP4 with its `moov` at the end, as many encoders write it: cut anywhere, it
/// still starts with `ftyp` but has no index.
fn video() -> Vec<u8> {
    [
        boxed(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41"),
        boxed(b"mdat", &[7; 20_000]),
        boxed(
            b"moov",
            &[boxed(b"mvhd", &[0; 100]), boxed(b"trak", &[0; 400])].concat(),
        ),
    ]
    .concat()
}

/// What a scripted server received: each request's head, lowercased.
type Heads = Arc<Mutex<Vec<String>>>;

/// A server that answers the n-th connection with `answer(n, request head)`: raw bytes,
/// written as given, then the connection is closed.
async fn scripted(
    answer: impl Fn(usize, &str) -> Vec<u8> + Send + Sync + 'static,
) -> (SocketAddr, Heads) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heads: Heads = Arc::default();
    let seen = heads.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(read) => head.extend_from_slice(&buf[..read]),
                }
            }
            let head = String::from_utf8_lossy(&head).to_lowercase();
            seen.lock().unwrap().push(head.clone());
            let bytes = answer(n, &head);
            n += 1;
            let _ = socket.write_all(&bytes).await;
            let _ = socket.shutdown().await;
        }
    });
    (addr, heads)
}

/// `200` with no length: the body ends when the connection closes.
fn unsized_answer(extra_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nConnection: close\r\n{extra_headers}\r\n"
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn answer(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: video/mp4\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn client(addr: SocketAddr) -> ProviderClient {
    ProviderClient::new(
        Provider::MinimaxGlobal,
        Url::parse(&format!("http://{addr}")).unwrap(),
        SecretString::from(KEY.to_owned()),
        hailuo_core::providers::http_client().unwrap(),
    )
    .with_retry_policy(quick())
}

fn link(addr: SocketAddr, path: &str) -> VideoLink {
    VideoLink {
        url: Url::parse(&format!("http://{addr}{path}")).unwrap(),
        send_key: false,
        expected_bytes: None,
        fallback: None,
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .find_map(|line| line.strip_prefix(&format!("{name}:")))
        .map(str::trim)
}

fn nothing_saved(dest: &Path) -> bool {
    !dest.exists()
}

#[tokio::test]
async fn a_download_without_a_length_cut_short_is_never_kept_as_the_video() {
    let whole = video();
    let half = whole[..whole.len() / 2].to_vec();
    // Every answer: 200, no length, half the video, then the connection closes cleanly.
    let (addr, heads) = scripted(move |_, _| unsized_answer("", &half)).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("video.mp4");
    let err = client(addr)
        .download(&link(addr, "/v.mp4"), &dest, |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "video-incomplete", "{err}");
    assert!(nothing_saved(&dest), "half a video is never the video");
    assert_eq!(heads.lock().unwrap().len(), 3, "tried, then retried twice");
}

#[tokio::test]
async fn a_download_without_a_length_cut_short_is_completed_by_a_resume_with_if_range() {
    let whole = video();
    let cut = whole.len() / 2;
    let served = whole.clone();
    let (addr, heads) = scripted(move |n, head| {
        if n == 0 {
            return unsized_answer("ETag: \"v1\"\r\n", &served[..cut]);
        }
        let from: usize = header(head, "range")
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        answer(
            "206 Partial Content",
            &format!(
                "ETag: \"v1\"\r\nContent-Range: bytes {from}-{}/{}\r\n",
                served.len() - 1,
                served.len()
            ),
            &served[from..],
        )
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("video.mp4");
    let video = client(addr)
        .download(&link(addr, "/v.mp4"), &dest, |_, _| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), whole);
    assert_eq!(video.bytes, whole.len() as u64);
    let heads = heads.lock().unwrap();
    assert_eq!(heads.len(), 2);
    assert_eq!(
        header(&heads[1], "range"),
        Some(format!("bytes={cut}-").as_str())
    );
    assert_eq!(
        header(&heads[1], "if-range"),
        Some("\"v1\""),
        "the resume names the file it continues"
    );
}

#[tokio::test]
async fn a_resume_answered_with_the_whole_file_starts_again_from_zero() {
    let old = video();
    let mut new = video();
    new[100] = 42;
    let cut = old.len() / 2;
    let last_modified = "Wed, 02 Dec 2026 04:00:00 GMT";
    let (first, second) = (old.clone(), new.clone());
    let (addr, heads) = scripted(move |n, _| {
        if n == 0 {
            // A length is announced, but the connection closes after half.
            let mut cut_short = answer(
                "200 OK",
                &format!("Last-Modified: {last_modified}\r\n"),
                &first,
            );
            cut_short.truncate(cut_short.len() - (first.len() - cut));
            cut_short
        } else {
            // The file changed meanwhile: If-Range does not match, so the whole new file.
            answer("200 OK", "", &second)
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("video.mp4");
    client(addr)
        .download(&link(addr, "/v.mp4"), &dest, |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(&dest).unwrap(),
        new,
        "never old and new stitched"
    );
    let heads = heads.lock().unwrap();
    assert_eq!(
        header(&heads[1], "if-range"),
        Some(last_modified.to_lowercase().as_str())
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_link_planted_at_the_partial_file_is_never_written_through() {
    let whole = video();
    let served = whole.clone();
    let (addr, _) = scripted(move |_, _| answer("200 OK", "", &served)).await;
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("precious.txt");
    std::fs::write(&elsewhere, b"a file outside the library").unwrap();
    let dest = dir.path().join("video.mp4");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("video.mp4.part")).unwrap();
    client(addr)
        .download(&link(addr, "/v.mp4"), &dest, |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(&elsewhere).unwrap(),
        b"a file outside the library",
        "the file the link pointed to is untouched"
    );
    assert_eq!(std::fs::read(&dest).unwrap(), whole);
    assert!(!std::fs::symlink_metadata(&dest).unwrap().is_symlink());
}

#[tokio::test]
async fn when_the_link_keeps_failing_the_service_s_own_address_serves_the_video_with_the_key() {
    let whole = video();
    let served = whole.clone();
    let (addr, heads) = scripted(move |_, head| {
        if head.starts_with("get /cdn/") {
            answer("403 Forbidden", "", b"<Error>AccessDenied</Error>")
        } else if header(head, "authorization") == Some(&format!("bearer {KEY}").to_lowercase()) {
            answer("200 OK", "", &served)
        } else {
            answer("401 Unauthorized", "", b"{}")
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("video.mp4");
    let mut link = link(addr, "/cdn/v.mp4");
    link.fallback = Some(
        Url::parse(&format!(
            "http://{addr}/v1/files/retrieve_content?file_id=176844028768320"
        ))
        .unwrap(),
    );
    client(addr)
        .download(&link, &dest, |_, _| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), whole);
    let heads = heads.lock().unwrap();
    assert_eq!(heads.len(), 2);
    assert_eq!(
        header(&heads[0], "authorization"),
        None,
        "no key to the CDN"
    );
    assert!(heads[1].starts_with("get /v1/files/retrieve_content?file_id=176844028768320"));
}

#[tokio::test]
async fn a_link_to_outside_storage_is_fetched_without_the_key() {
    let whole = video();
    let served = whole.clone();
    // The storage is another origin (another port) than the service's own.
    let (storage, storage_heads) = scripted(move |_, _| answer("200 OK", "", &served)).await;
    let (service, _) = scripted(|_, _| answer("500 Internal Server Error", "", b"{}")).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("video.mp4");
    let mut link = link(storage, "/bucket/v.mp4?sig=1");
    link.fallback =
        Some(Url::parse(&format!("http://{service}/videos/j/content?index=0")).unwrap());
    let openrouter = ProviderClient::new(
        Provider::OpenRouter,
        Url::parse(&format!("http://{service}")).unwrap(),
        SecretString::from(KEY.to_owned()),
        hailuo_core::providers::http_client().unwrap(),
    )
    .with_retry_policy(quick());
    openrouter.download(&link, &dest, |_, _| {}).await.unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), whole);
    let heads = storage_heads.lock().unwrap();
    assert_eq!(heads.len(), 1);
    assert_eq!(header(&heads[0], "authorization"), None);
    assert!(!heads[0].contains(&KEY.to_lowercase()));
}
