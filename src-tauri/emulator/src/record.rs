//! The layer in front of every host: it records each request, then applies the next queued fault.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::time::Instant;

use crate::fault::{Endpoint, FaultKind};
use crate::shared::{lock, Shared};
use crate::tasks::Failure;
use crate::{linkmodel, minimax, openrouter, Service};

/// Which kind of host took a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Host {
    /// A service's API host.
    Api,
    /// The CDN host serving plain download links.
    Cdn,
}

/// One request as the emulator received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The service the request was for; on the CDN, the service whose link it used (`None`
    /// when the path names no service).
    pub service: Option<Service>,
    pub host: Host,
    pub method: String,
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// Header names lowercased; a repeated header keeps its last value.
    pub headers: std::collections::BTreeMap<String, String>,
    /// The body parsed as JSON, or as a JSON string holding the raw text when it is not JSON;
    /// `None` when empty.
    pub body: Option<Value>,
    pub at: Instant,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// A query parameter's raw value.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then_some(value)
        })
    }
}

/// The host a layer sits in front of.
#[derive(Debug, Clone)]
pub(crate) struct HostContext {
    pub shared: Arc<Shared>,
    /// `None` for the CDN.
    pub service: Option<Service>,
}

/// Marks a submit whose task must end failed (a `TaskFails` fault).
#[derive(Debug, Clone)]
pub(crate) struct PlannedFailure(pub Failure);

pub(crate) async fn intercept(
    State(host): State<HostContext>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    let path = parts.uri.path().to_string();
    let (service, kind) = match host.service {
        Some(service) => (Some(service), Host::Api),
        None => (cdn_service(&path), Host::Cdn),
    };
    record(
        &host.shared,
        service,
        kind,
        &parts.method,
        &parts.uri,
        &parts.headers,
        &bytes,
    );
    let endpoint = match (kind, service) {
        (Host::Cdn, _) => Endpoint::Download,
        (Host::Api, Some(service)) => endpoint_of(service, &parts.method, &path),
        (Host::Api, None) => Endpoint::Any,
    };
    let fault = lock(&host.shared.faults).take(service, endpoint);
    let Some(fault) = fault else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    match fault {
        FaultKind::TaskFails { code, message } => {
            parts
                .extensions
                .insert(PlannedFailure(Failure { code, message }));
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        FaultKind::Slow { delay } => {
            tokio::time::sleep(delay).await;
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        FaultKind::AnswerLost { after } => {
            let answer = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            let shutdown = host.shared.shutdown.clone();
            let lost_for_good = async move {
                match after {
                    Some(delay) => tokio::time::sleep(delay).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = lost_for_good => answer,
                () = shutdown.cancelled() => StatusCode::SERVICE_UNAVAILABLE.into_response(),
            }
        }
        FaultKind::DropAfter { bytes: keep } => {
            let answer = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            cut_body(answer, keep, true)
        }
        FaultKind::Truncated { bytes: keep } => {
            let answer = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            cut_body(answer, keep, false)
        }
        FaultKind::Throttled { bytes_per_second } => {
            let answer = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            throttle_body(answer, bytes_per_second)
        }
        other => fault_answer(&host.shared, service, kind, other),
    }
}

fn record(
    shared: &Shared,
    service: Option<Service>,
    host: Host,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &Bytes,
) {
    let body = if body.is_empty() {
        None
    } else {
        Some(
            serde_json::from_slice::<Value>(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned())),
        )
    };
    let headers = headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    lock(&shared.requests).push(RecordedRequest {
        service,
        host,
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        headers,
        body,
        at: Instant::now(),
    });
}

/// CDN paths start with the service id: `/minimax-global/…`.
fn cdn_service(path: &str) -> Option<Service> {
    let first = path.trim_start_matches('/').split('/').next()?;
    Service::ALL.into_iter().find(|s| s.id() == first)
}

fn endpoint_of(service: Service, method: &Method, path: &str) -> Endpoint {
    match service {
        Service::MinimaxGlobal | Service::MinimaxChina => match path {
            "/v1/video_generation" => Endpoint::Submit,
            "/v1/query/video_generation" => Endpoint::Query,
            "/v1/files/retrieve" => Endpoint::Retrieve,
            "/v1/files/retrieve_content" => Endpoint::RetrieveContent,
            _ => Endpoint::Any,
        },
        Service::OpenRouter => {
            let rest = path.strip_prefix("/api/v1").unwrap_or(path);
            if rest == "/key" {
                Endpoint::Key
            } else if rest == "/videos" && method == Method::POST {
                Endpoint::Submit
            } else if rest.starts_with("/videos/") && rest.ends_with("/content") {
                Endpoint::Download
            } else if rest.starts_with("/videos/") {
                Endpoint::Query
            } else {
                Endpoint::Any
            }
        }
        Service::LinkModel => match path {
            "/api/v1/video-generation" => Endpoint::Submit,
            "/api/v1/query/video-generation" => Endpoint::Query,
            _ => Endpoint::Any,
        },
    }
}

/// Keeps the announced `Content-Length`, sends `keep` bytes, then drops the connection
/// (`abort`) or just stops (a truncated body).
fn cut_body(answer: Response, keep: u64, abort: bool) -> Response {
    let (mut parts, body) = answer.into_parts();
    if !parts.headers.contains_key(header::CONTENT_LENGTH) {
        if let Some(exact) = HttpBody::size_hint(&body).exact() {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(exact));
        }
    }
    let limited = body.into_data_stream().scan(keep, |left, chunk| {
        let item = match chunk {
            Err(error) => Some(Err(std::io::Error::other(error))),
            Ok(_) if *left == 0 => None,
            Ok(mut data) => {
                let take = usize::try_from(*left).unwrap_or(usize::MAX).min(data.len());
                data.truncate(take);
                *left -= take as u64;
                Some(Ok(data))
            }
        };
        futures_util::future::ready(item)
    });
    // A pause before the cut lets the server flush what was sent, so the client really
    // receives the announced headers and the first `keep` bytes.
    let tail = futures_util::stream::once(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        abort.then(|| {
            Err::<Bytes, _>(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "hailuo-emulator: connection dropped mid-body (injected fault)",
            ))
        })
    })
    .filter_map(futures_util::future::ready);
    Response::from_parts(parts, Body::from_stream(limited.chain(tail)))
}

/// How often a throttled body sends its next piece.
const THROTTLE_TICK: Duration = Duration::from_millis(100);

/// Sends the body in pieces of a tenth of `bytes_per_second`, one piece per tick, with the
/// announced `Content-Length` kept.
fn throttle_body(answer: Response, bytes_per_second: u64) -> Response {
    let (mut parts, body) = answer.into_parts();
    if !parts.headers.contains_key(header::CONTENT_LENGTH) {
        if let Some(exact) = HttpBody::size_hint(&body).exact() {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(exact));
        }
    }
    let piece = usize::try_from(bytes_per_second / 10)
        .unwrap_or(usize::MAX)
        .max(1);
    let pieces = body.into_data_stream().flat_map(move |chunk| {
        let split: Vec<Result<Bytes, std::io::Error>> = match chunk {
            Err(error) => vec![Err(std::io::Error::other(error))],
            Ok(mut data) => {
                let mut split = Vec::new();
                while data.len() > piece {
                    split.push(Ok(data.split_to(piece)));
                }
                split.push(Ok(data));
                split
            }
        };
        futures_util::stream::iter(split)
    });
    let paced = pieces.then(|piece| async move {
        tokio::time::sleep(THROTTLE_TICK).await;
        piece
    });
    Response::from_parts(parts, Body::from_stream(paced))
}

/// The answer of a fault that replaces the real one.
fn fault_answer(
    shared: &Shared,
    service: Option<Service>,
    host: Host,
    fault: FaultKind,
) -> Response {
    match fault {
        FaultKind::TooManyRequests { retry_after_secs } => with_retry_after(
            transport_error(shared, service, host, StatusCode::TOO_MANY_REQUESTS),
            retry_after_secs,
        ),
        FaultKind::ServerError {
            status,
            retry_after_secs,
        } => with_retry_after(
            transport_error(
                shared,
                service,
                host,
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            ),
            retry_after_secs,
        ),
        FaultKind::MinimaxStatus { code, message } => minimax::error(code, &message),
        FaultKind::LinkModelCode { code, msg } => linkmodel::error(shared, code, &msg, false),
        FaultKind::OpenRouterError {
            status,
            message,
            metadata,
        } => openrouter::error(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            &message,
            metadata,
        ),
        FaultKind::BrokenJson => (
            [(header::CONTENT_TYPE, "application/json")],
            "{\"task_id\":\"1069161122120\",\"base_resp\":{\"status_code\":0,\"status_m",
        )
            .into_response(),
        FaultKind::Custom { status, body } => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        FaultKind::HtmlErrorPage { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let title = format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Error")
            );
            (
                status,
                [(header::CONTENT_TYPE, "text/html")],
                format!(
                    "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
                ),
            )
                .into_response()
        }
        // Handled in `intercept`; never reaches here.
        FaultKind::TaskFails { .. }
        | FaultKind::Slow { .. }
        | FaultKind::AnswerLost { .. }
        | FaultKind::DropAfter { .. }
        | FaultKind::Truncated { .. }
        | FaultKind::Throttled { .. } => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A 429 or 5xx in the error shape of the host that sends it.
fn transport_error(
    shared: &Shared,
    service: Option<Service>,
    host: Host,
    status: StatusCode,
) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    match (host, service) {
        (Host::Cdn, _) | (Host::Api, None) => (status, reason.to_string()).into_response(),
        (Host::Api, Some(Service::MinimaxGlobal | Service::MinimaxChina)) => {
            let (code, message) = if status == StatusCode::TOO_MANY_REQUESTS {
                (1002, "rate limit exceeded(RPM)")
            } else {
                (1000, "unknown error")
            };
            let mut answer = minimax::error(code, message);
            *answer.status_mut() = status;
            answer
        }
        (Host::Api, Some(Service::OpenRouter)) => openrouter::error(status, reason, None),
        (Host::Api, Some(Service::LinkModel)) => {
            let mut answer = linkmodel::error(shared, i64::from(status.as_u16()), reason, false);
            *answer.status_mut() = status;
            answer
        }
    }
}

fn with_retry_after(mut answer: Response, seconds: Option<u64>) -> Response {
    if let Some(seconds) = seconds {
        answer
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    answer
}
