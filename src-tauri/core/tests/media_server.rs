//! The loopback media server: the player gets exact bytes and ranges; nothing else gets anything.
#![allow(clippy::unwrap_used)] // a test that fails should panic with the cause

use std::path::{Path, PathBuf};

use hailuo_core::generation::{GenerationRequest, Model, Resolution};
use hailuo_core::library::{Generation, Library, POSTER_FILE, VIDEO_FILE};
use hailuo_core::media_server::MediaServer;
use hailuo_core::Provider;
use reqwest::header::{ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Served {
    server: MediaServer,
    library: Library,
    generation: Generation,
    video: Vec<u8>,
    root: tempfile::TempDir,
}

/// A real H.264 MP4 from ffmpeg when it is installed, else the start of one (an `ftyp` box and
/// an `mdat` of known bytes): either way, bytes that must arrive unchanged.
fn make_mp4(dir: &Path) -> Vec<u8> {
    let out = dir.join("clip.mp4");
    let made = std::process::Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc=size=320x180:rate=24")
        .args(["-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .args(["-movflags", "+faststart"])
        .arg(&out)
        .status()
        .is_ok_and(|s| s.success());
    if made {
        return std::fs::read(&out).unwrap();
    }
    let mut bytes = vec![0, 0, 0, 24];
    bytes.extend_from_slice(b"ftypisom\0\0\x02\0isomiso2");
    let mdat: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    bytes.extend_from_slice(&(mdat.len() as u32 + 8).to_be_bytes());
    bytes.extend_from_slice(b"mdat");
    bytes.extend_from_slice(&mdat);
    bytes
}

async fn serve() -> Served {
    let root = tempfile::tempdir().unwrap();
    let library = Library::open(root.path()).unwrap();
    let request = GenerationRequest {
        provider: Provider::OpenRouter,
        model: Model::Hailuo23,
        prompt: "A lighthouse at dusk".into(),
        first_frame: None,
        duration: 6,
        resolution: Resolution::P1080,
        prompt_optimizer: true,
        fast_pretreatment: false,
    };
    let estimate = hailuo_core::quote(&request).unwrap();
    let generation = library.create(&request, &estimate).unwrap();
    let folder = library.folder_of(&generation.id).unwrap();
    let video = make_mp4(root.path());
    std::fs::write(folder.join(VIDEO_FILE), &video).unwrap();
    std::fs::write(folder.join(POSTER_FILE), b"\xff\xd8\xff\xe0 poster").unwrap();
    let server = MediaServer::start(library.clone()).await.unwrap();
    Served {
        server,
        library,
        generation,
        video,
        root,
    }
}

impl Served {
    fn video_url(&self) -> String {
        self.server.url_for(&self.generation.id, VIDEO_FILE)
    }

    fn folder(&self) -> PathBuf {
        self.library.folder_of(&self.generation.id).unwrap()
    }

    /// A request line sent as is: HTTP clients tidy `..` away, an attacker's does not.
    async fn raw_status(&self, path: &str) -> u16 {
        let mut stream = tokio::net::TcpStream::connect(self.server.address())
            .await
            .unwrap();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        answer
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status in {answer:?}"))
    }

    fn path_of(&self, rest: &str) -> String {
        let base = url::Url::parse(self.server.base_url()).unwrap();
        format!("{}{rest}", base.path())
    }
}

#[tokio::test]
async fn a_real_mp4_arrives_byte_identical_as_video_mp4() {
    let served = serve().await;
    let response = reqwest::get(served.video_url()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "video/mp4");
    assert_eq!(response.headers()[ACCEPT_RANGES], "bytes");
    let body = response.bytes().await.unwrap();
    assert_eq!(body.len(), served.video.len());
    assert!(body == served.video, "the bytes differ");
    assert_eq!(&body[4..8], b"ftyp");
}

#[tokio::test]
async fn the_server_listens_on_loopback_only_with_a_token_in_every_url() {
    let served = serve().await;
    assert!(served.server.address().ip().is_loopback());
    let url = served.video_url();
    let token = url::Url::parse(served.server.base_url())
        .unwrap()
        .path_segments()
        .unwrap()
        .next()
        .unwrap()
        .to_owned();
    assert!(token.len() >= 32, "{token}");
    assert_eq!(
        url,
        format!(
            "http://127.0.0.1:{}/{token}/{}/video.mp4",
            served.server.address().port(),
            served.generation.id
        )
    );
    let other = MediaServer::start(served.library.clone()).await.unwrap();
    assert_ne!(
        other.base_url(),
        served.server.base_url(),
        "a token per run"
    );
}

#[tokio::test]
async fn a_range_gets_206_with_exactly_those_bytes() {
    let served = serve().await;
    let client = reqwest::Client::new();
    let len = served.video.len();
    let response = client
        .get(served.video_url())
        .header(RANGE, "bytes=100-1123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        response.headers()[CONTENT_RANGE],
        format!("bytes 100-1123/{len}").as_str()
    );
    assert_eq!(response.headers()[CONTENT_TYPE], "video/mp4");
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        &served.video[100..1124]
    );

    // The tail, as players ask for an MP4's index.
    let response = client
        .get(served.video_url())
        .header(RANGE, "bytes=-500")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        &served.video[len - 500..]
    );
}

#[tokio::test]
async fn a_range_past_the_end_gets_416_with_the_real_length() {
    let served = serve().await;
    let len = served.video.len();
    let response = reqwest::Client::new()
        .get(served.video_url())
        .header(RANGE, format!("bytes={}-{}", len + 10, len + 20))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        response.headers()[CONTENT_RANGE],
        format!("bytes */{len}").as_str()
    );
}

#[tokio::test]
async fn head_gives_the_length_and_type_without_a_body() {
    let served = serve().await;
    let response = reqwest::Client::new()
        .head(served.video_url())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "video/mp4");
    assert_eq!(
        response.headers()[CONTENT_LENGTH],
        served.video.len().to_string().as_str()
    );
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_poster_is_served_as_a_jpeg() {
    let served = serve().await;
    let response = reqwest::get(served.server.url_for(&served.generation.id, POSTER_FILE))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "image/jpeg");
}

#[tokio::test]
async fn a_wrong_token_finds_nothing() {
    let served = serve().await;
    let url = served.video_url();
    let base = served.server.base_url();
    let token = &base[base.len() - 33..base.len() - 1];
    let mut wrong = token.to_owned().into_bytes();
    wrong[0] = if wrong[0] == b'a' { b'b' } else { b'a' };
    let wrong_url = url.replace(token, std::str::from_utf8(&wrong).unwrap());
    assert_ne!(wrong_url, url);
    let response = reqwest::get(wrong_url).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let without = url.replace(&format!("{token}/"), "");
    assert_eq!(
        reqwest::get(without).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn paths_that_climb_out_of_a_generation_are_refused() {
    let served = serve().await;
    let id = served.generation.id.as_str();
    std::fs::write(served.root.path().join("secret.mp4"), b"not for the player").unwrap();
    for attempt in [
        format!("{id}/../secret.mp4"),
        format!("{id}/..%2fsecret.mp4"),
        format!("{id}/..%2Fsecret.mp4"),
        format!("{id}/%2e%2e%2fsecret.mp4"),
        format!("{id}/..%5csecret.mp4"),
        "..%2fsecret.mp4/video.mp4".to_owned(),
        "%2e%2e/secret.mp4".to_owned(),
        format!("{id}/%2e%2e"),
    ] {
        let status = served.raw_status(&served.path_of(&attempt)).await;
        assert!(
            status == 404 || status == 403 || status == 400,
            "{attempt} answered {status}"
        );
    }
    // And the same folder's real file answers 200 through the same raw path.
    let ok = served
        .raw_status(&served.path_of(&format!("{id}/video.mp4")))
        .await;
    assert_eq!(ok, 200);
}

#[tokio::test]
async fn a_link_to_a_file_outside_the_library_is_refused() {
    let served = serve().await;
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.mp4");
    std::fs::write(&secret, b"outside the library").unwrap();
    std::os::unix::fs::symlink(&secret, served.folder().join("escape.mp4")).unwrap();
    let response = reqwest::get(served.server.url_for(&served.generation.id, "escape.mp4"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // A link that stays inside the library is fine: creators organise their folders.
    std::os::unix::fs::symlink(
        served.folder().join(VIDEO_FILE),
        served.folder().join("alias.mp4"),
    )
    .unwrap();
    let response = reqwest::get(served.server.url_for(&served.generation.id, "alias.mp4"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn records_folders_and_unknown_generations_are_not_served() {
    let served = serve().await;
    let id = &served.generation.id;
    std::fs::create_dir(served.folder().join("clips.mp4")).unwrap();
    let base = served.server.base_url().to_owned();
    for url in [
        served.server.url_for(id, "generation.json"),
        served.server.url_for(id, "clips.mp4"),
        served.server.url_for(id, "missing.mp4"),
        format!("{base}{id}/"),
        format!("{base}{id}"),
        base.clone(),
        format!("{base}0190aaaa-0000-7000-8000-000000000000/video.mp4"),
    ] {
        let status = reqwest::get(&url).await.unwrap().status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
    }
}

#[tokio::test]
async fn only_reading_is_allowed() {
    let served = serve().await;
    let status = reqwest::Client::new()
        .put(served.video_url())
        .body("overwrite")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        std::fs::read(served.folder().join(VIDEO_FILE)).unwrap(),
        served.video
    );
}

#[tokio::test]
async fn a_stopped_server_no_longer_answers() {
    let served = serve().await;
    let url = served.video_url();
    let Served { server, .. } = served;
    server.stop();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(reqwest::get(url).await.is_err());
}

#[tokio::test]
async fn a_scanned_entry_gets_urls_only_for_the_files_it_has() {
    let served = serve().await;
    let scan = served.library.scan().unwrap();
    let urls = served.server.urls_for(&scan.generations[0]);
    assert_eq!(urls.video.as_deref(), Some(served.video_url().as_str()));
    assert!(urls.poster.unwrap().ends_with("/poster.jpg"));
    assert_eq!(
        urls.first_frame, None,
        "a text-to-video generation has no first frame"
    );

    std::fs::remove_file(served.folder().join(VIDEO_FILE)).unwrap();
    let scan = served.library.scan().unwrap();
    assert_eq!(served.server.urls_for(&scan.generations[0]).video, None);
}

#[tokio::test]
async fn only_the_apps_own_pages_may_read_the_pixels() {
    use reqwest::header::{ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN, VARY};
    let served = serve().await;
    let client = reqwest::Client::new();
    let ask = |origin: &'static str| {
        client
            .get(served.video_url())
            .header(ORIGIN, origin)
            .header(RANGE, "bytes=0-99")
            .send()
    };
    for app_origin in ["tauri://localhost", "http://tauri.localhost"] {
        let response = ask(app_origin).await.unwrap();
        assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(response.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], app_origin);
        assert_eq!(response.headers()[VARY], "Origin");
    }
    for stranger in [
        "http://evil.example",
        "null",
        "tauri://localhost.evil.example",
    ] {
        let response = ask(stranger).await.unwrap();
        assert_eq!(
            response.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN),
            None,
            "{stranger} may not read the video's pixels"
        );
    }
}
