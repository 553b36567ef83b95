//! The loopback HTTP server the in-app player reads the library's videos and pictures from.
//!
//! WebKitGTK will not play video from `asset://` or `blob:` URLs but does from
//! `http://127.0.0.1` (desktop-testing.md, "Trap 1"). So the app serves its own library, to
//! itself only: bound to 127.0.0.1 on a random port, every URL carrying a token drawn from the
//! OS's randomness at start-up, only media files of known generations, only inside the library.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::oneshot;
use tower_http::services::ServeFile;

use crate::library::{
    GenerationId, Library, LibraryEntry, RecordedFirstFrame, POSTER_FILE, VIDEO_FILE,
};

/// The files the player may ask for, by extension, with the type they are served as.
const MEDIA_TYPES: [(&str, &str); 5] = [
    ("mp4", "video/mp4"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("webp", "image/webp"),
];

/// The origins the app's own pages load from: `tauri://localhost` on Linux and macOS,
/// `http(s)://tauri.localhost` on Windows. Only they may read the media's pixels (the Library
/// draws video frames onto a canvas to make posters); any other page gets an opaque answer.
pub const APP_ORIGINS: [&str; 3] = [
    "tauri://localhost",
    "http://tauri.localhost",
    "https://tauri.localhost",
];

/// A running media server. Dropping it stops the server.
#[derive(Debug)]
pub struct MediaServer {
    address: SocketAddr,
    base_url: url::Url,
    shutdown: Option<oneshot::Sender<()>>,
}

/// Where the player finds a generation's files; `None` for a file that is not in its folder.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaUrls {
    pub video: Option<String>,
    pub poster: Option<String>,
    pub first_frame: Option<String>,
}

struct Served {
    library: Library,
    token: String,
}

impl MediaServer {
    /// Binds 127.0.0.1 on a port the OS picks and serves `library` on the current tokio runtime.
    pub async fn start(library: Library) -> std::io::Result<Self> {
        // 122 random bits from the OS: not guessable by a page or another local program.
        let token = uuid::Uuid::new_v4().simple().to_string();
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let base_url = url::Url::parse(&format!("http://{address}/{token}/"))
            .map_err(|err| std::io::Error::new(std::io::ErrorKind::InvalidInput, err))?;
        let app = router(library, token);
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let serving = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(err) = serving.await {
                tracing::warn!("the media server stopped: {err}");
            }
        });
        Ok(MediaServer {
            address,
            base_url,
            shutdown: Some(shutdown),
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT/TOKEN/`: every media URL starts with it.
    pub fn base_url(&self) -> &str {
        self.base_url.as_str()
    }

    /// `http://127.0.0.1:PORT/TOKEN/<generation-id>/<file>`, the file name percent-encoded.
    pub fn url_for(&self, id: &GenerationId, file_name: &str) -> String {
        let mut url = self.base_url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push(id.as_str()).push(file_name);
        }
        url.into()
    }

    /// The URLs of the files a scan found in the entry's folder.
    pub fn urls_for(&self, entry: &LibraryEntry) -> MediaUrls {
        let generation = &entry.generation;
        let video = entry.has_video.then(|| {
            let name = generation
                .video
                .as_ref()
                .map_or(VIDEO_FILE, |v| v.file_name.as_str());
            self.url_for(&generation.id, name)
        });
        let poster = entry.has_poster.then(|| {
            let name = generation.poster_file.as_deref().unwrap_or(POSTER_FILE);
            self.url_for(&generation.id, name)
        });
        let first_frame = match &generation.request.first_frame {
            Some(RecordedFirstFrame::Picture { file_name, .. }) if entry.has_first_frame => {
                Some(self.url_for(&generation.id, file_name))
            }
            _ => None,
        };
        MediaUrls {
            video,
            poster,
            first_frame,
        }
    }

    /// Stops accepting connections; requests under way finish.
    pub fn stop(mut self) {
        self.signal_stop();
    }

    fn signal_stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

impl Drop for MediaServer {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

fn router(library: Library, token: String) -> Router {
    Router::new()
        .route("/{token}/{id}/{file}", get(serve_media))
        .with_state(Arc::new(Served { library, token }))
}

/// GET and HEAD (axum answers HEAD with the GET route, without the body). Everything that is
/// not exactly a known generation's media file is 404, so nothing about the disk leaks.
async fn serve_media(
    State(served): State<Arc<Served>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((token, id, file)): Path<(String, String, String)>,
    request: Request,
) -> Response {
    if !peer.ip().is_loopback() {
        return StatusCode::FORBIDDEN.into_response();
    }
    if !same_token(&token, &served.token) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let (Some(id), Some(media_type)) = (GenerationId::parse(&id), media_type(&file)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let library = served.library.clone();
    // Canonicalizing touches the disk.
    let path = tokio::task::spawn_blocking(move || library.media_file(&id, &file)).await;
    let Ok(Some(path)) = path else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let app_origin = request
        .headers()
        .get(header::ORIGIN)
        .filter(|origin| {
            APP_ORIGINS
                .iter()
                .any(|app| origin.as_bytes() == app.as_bytes())
        })
        .cloned();
    // ServeFile streams from disk and does Range (206, Content-Range, 416) and conditional GETs.
    match ServeFile::new(path).try_call(request).await {
        Ok(response) => {
            let mut response = response.map(Body::new);
            if response.status().is_success() {
                let headers = response.headers_mut();
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
                headers.insert(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                );
            }
            let headers = response.headers_mut();
            headers.insert(header::VARY, HeaderValue::from_static("Origin"));
            if let Some(origin) = app_origin {
                headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            }
            response
        }
        Err(err) => {
            tracing::warn!("the media server could not read a file: {err}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn media_type(file_name: &str) -> Option<&'static str> {
    let (_, extension) = file_name.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    MEDIA_TYPES
        .iter()
        .find(|(known, _)| *known == extension)
        .map(|(_, media_type)| *media_type)
}

/// Compares without stopping at the first difference, so timing does not reveal the token.
fn same_token(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    #[test]
    fn only_videos_and_pictures_have_a_media_type() {
        assert_eq!(media_type("video.mp4"), Some("video/mp4"));
        assert_eq!(media_type("poster.JPG"), Some("image/jpeg"));
        assert_eq!(media_type("first-frame.webp"), Some("image/webp"));
        assert_eq!(media_type("first-frame.png"), Some("image/png"));
        assert_eq!(media_type("generation.json"), None);
        assert_eq!(media_type("video"), None);
    }

    #[tokio::test]
    async fn a_peer_that_is_not_this_computer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let app = router(library, "t0ken".into());
        let ask = |peer: &str| {
            let mut request = Request::builder()
                .uri("/t0ken/abc/video.mp4")
                .body(Body::empty())
                .unwrap();
            request
                .extensions_mut()
                .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
            app.clone().oneshot(request)
        };
        let from_lan = ask("192.168.1.20:50000").await.unwrap();
        assert_eq!(from_lan.status(), StatusCode::FORBIDDEN);
        // The same request from this computer gets past the peer check (and finds nothing).
        let from_here = ask("127.0.0.1:50000").await.unwrap();
        assert_eq!(from_here.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn tokens_must_match_exactly() {
        assert!(same_token("abc123", "abc123"));
        assert!(!same_token("abc124", "abc123"));
        assert!(!same_token("abc12", "abc123"));
        assert!(!same_token("", "abc123"));
    }
}
