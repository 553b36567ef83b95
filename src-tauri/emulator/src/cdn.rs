//! The CDN host behind MiniMax's `download_url` and LinkModel's `file_url`, and the byte-range
//! file serving it shares with OpenRouter's content endpoint.

use std::io::SeekFrom;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::time::Instant;
use tokio_util::io::ReaderStream;

use crate::clips::{ClipError, ClipFile};
use crate::config::ExpiredLink;
use crate::shared::{lock, Shared};
use crate::Service;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{service}/{file}/{name}", get(download))
        .with_state(shared)
}

#[derive(Debug, Deserialize)]
struct Signed {
    #[serde(rename = "Signature")]
    signature: Option<String>,
}

async fn download(
    State(shared): State<Arc<Shared>>,
    Path((service, _file, _name)): Path<(String, String, String)>,
    Query(signed): Query<Signed>,
    headers: HeaderMap,
) -> Response {
    let link = signed
        .signature
        .and_then(|signature| lock(&shared.links).get(&signature).cloned())
        .filter(|link| link.service.id() == service);
    let Some(link) = link else {
        return cdn_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        );
    };
    if Instant::now() >= link.expires_at {
        return match shared.config.expired_link {
            ExpiredLink::Forbidden => cdn_error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Request has expired.",
            ),
            ExpiredLink::NotFound => cdn_error(
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.",
            ),
        };
    }
    let size = lock(&shared.tasks)
        .any_mut(&link.task_id)
        .map(|task| task.size);
    let Some((width, height)) = size else {
        return cdn_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        );
    };
    match shared.clips.get(width, height).await {
        Ok(clip) => serve_file(&clip, &headers).await,
        Err(error) => clip_failure(&error),
    }
}

/// An object-storage style XML error.
fn cdn_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/xml")],
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>{code}</Code>\n  <Message>{message}</Message>\n</Error>\n"
        ),
    )
        .into_response()
}

/// The emulator itself could not make the video: say so plainly.
pub(crate) fn clip_failure(error: &ClipError) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("hailuo-emulator: {error}"),
    )
        .into_response()
}

/// Serves a clip from disk with `Content-Length`, honouring a single byte range (206) and
/// answering 416 to a range past the end. Other range forms get the whole file, as RFC 9110
/// allows.
pub(crate) async fn serve_file(clip: &ClipFile, headers: &HeaderMap) -> Response {
    let range = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| http_range_header::parse_range_header(value).ok())
        .map(|parsed| parsed.validate(clip.len));
    let (status, start, len) = match range {
        None => (StatusCode::OK, 0, clip.len),
        Some(Err(_)) => {
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{}", clip.len))],
            )
                .into_response()
        }
        Some(Ok(ranges)) => match ranges.as_slice() {
            [only] => (
                StatusCode::PARTIAL_CONTENT,
                *only.start(),
                only.end() - only.start() + 1,
            ),
            _ => (StatusCode::OK, 0, clip.len),
        },
    };
    let file = async {
        let mut file = tokio::fs::File::open(&clip.path).await?;
        file.seek(SeekFrom::Start(start)).await?;
        Ok::<_, std::io::Error>(file)
    }
    .await;
    let file = match file {
        Ok(file) => file,
        Err(error) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "hailuo-emulator: cannot read {}: {error}",
                    clip.path.display()
                ),
            )
                .into_response()
        }
    };
    let body = Body::from_stream(ReaderStream::with_capacity(file.take(len), 64 * 1024));
    let mut answer = Response::new(body);
    *answer.status_mut() = status;
    let headers = answer.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if status == StatusCode::PARTIAL_CONTENT {
        let content_range = format!("bytes {start}-{}/{}", start + len - 1, clip.len);
        if let Ok(value) = HeaderValue::from_str(&content_range) {
            headers.insert(header::CONTENT_RANGE, value);
        }
    }
    answer
}

/// The CDN file name of a service's videos.
pub(crate) fn file_name(service: Service) -> &'static str {
    match service {
        Service::LinkModel => "out.mp4",
        _ => "output_aigc.mp4",
    }
}
