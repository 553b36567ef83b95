//! The HTTP plumbing shared by the three services: one exchange, retries, and reading errors.

use std::future::Future;
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

use super::error::{excerpt, ProviderError, ProviderSaid};
use crate::field_record;
use crate::provider::Provider;

/// API answers are small JSON documents (a few hundred bytes); anything bigger than this is not
/// one of them, and reading on would let a broken or hostile server fill the memory.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// What the creator reads when an answer goes past `MAX_ANSWER_BYTES`.
pub(crate) const OVERSIZED_ANSWER: &str =
    "an answer far larger than any real one (over 4 MiB), so Hailuo Studio stopped reading it";

/// How hard to try again after a transient failure. Tests use milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait before the first retry; it doubles each time up to `max_delay`.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Retries after the first attempt (so `3` means at most 4 requests).
    pub max_retries: usize,
    /// The longest `Retry-After` we wait out ourselves; a longer one is handed to the caller.
    pub max_retry_after: Duration,
    /// The whole of one API exchange (not a download).
    pub request_timeout: Duration,
    /// A download that receives nothing for this long counts as dropped and is resumed.
    pub download_stall: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            max_retries: 4,
            max_retry_after: Duration::from_secs(60),
            request_timeout: Duration::from_secs(60),
            download_stall: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    pub(crate) fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.first_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .with_max_times(self.max_retries)
    }

    /// The wait before the next attempt: the provider's `Retry-After` when it gave one (within
    /// reason), else the backoff; `None` to stop.
    fn next_wait(&self, err: &ProviderError, backoff: Option<Duration>) -> Option<Duration> {
        let backoff = backoff?;
        match err.retry_after() {
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => Some(asked),
            None => Some(backoff),
        }
    }
}

/// One answer from a provider, read whole (API answers only, never videos).
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub retry_after: Option<Duration>,
    pub body: String,
}

impl Answer {
    pub fn said(&self) -> ProviderSaid {
        ProviderSaid {
            http_status: Some(self.status.as_u16()),
            code: None,
            text: Some(excerpt(&self.body)).filter(|t| !t.is_empty()),
        }
    }

    /// Reads the body as `T`, or says plainly that it is not what was expected.
    pub fn json<T: DeserializeOwned>(&self, provider: Provider) -> Result<T, ProviderError> {
        serde_json::from_str(&self.body).map_err(|err| self.unreadable(provider, &err))
    }

    pub fn unreadable(&self, provider: Provider, err: &serde_json::Error) -> ProviderError {
        let trimmed = self.body.trim_start();
        let what = if trimmed.starts_with('<') {
            "a web page instead of data".to_owned()
        } else if trimmed.is_empty() {
            "an empty answer".to_owned()
        } else if err.is_data() {
            // serde quotes the odd value, which may be as long as the answer.
            format!(
                "data with missing or odd fields ({})",
                excerpt(&err.to_string())
            )
        } else {
            "broken data".to_owned()
        };
        ProviderError::UnexpectedAnswer {
            provider,
            what,
            said: self.said(),
        }
    }
}

/// Why an exchange produced no answer.
#[derive(Debug)]
pub(crate) struct NoAnswer {
    /// True when the request certainly never reached the server (DNS, refused connection).
    pub never_sent: bool,
    pub detail: String,
    /// Set when the server did answer, but with more than `MAX_ANSWER_BYTES`: its HTTP status.
    pub oversized: Option<u16>,
}

impl NoAnswer {
    pub fn from_reqwest(err: reqwest::Error) -> Self {
        // Only a failure to connect proves the request never left; a timeout or a reset after
        // connecting may have delivered it.
        let never_sent = err.is_connect() || err.is_builder();
        NoAnswer {
            never_sent,
            detail: plain_transport_error(err),
            oversized: None,
        }
    }

    fn oversized(status: StatusCode) -> Self {
        NoAnswer {
            never_sent: false,
            detail: OVERSIZED_ANSWER.to_owned(),
            oversized: Some(status.as_u16()),
        }
    }

    pub fn into_error(self, provider: Provider) -> ProviderError {
        match self.oversized {
            // The server is there and talking: not a network problem, and not worth a retry
            // unless its status says so.
            Some(http_status) => ProviderError::UnexpectedAnswer {
                provider,
                what: self.detail,
                said: ProviderSaid::status(http_status),
            },
            None => ProviderError::NetworkDown {
                provider,
                detail: self.detail,
            },
        }
    }
}

/// A transport error without its URL (a download link may carry a signature), with its causes.
pub(crate) fn plain_transport_error(err: reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_body() || err.is_decode() {
        "the connection dropped while receiving"
    } else {
        "the connection failed"
    };
    let err = err.without_url();
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    match causes.last() {
        Some(root) => format!("{kind}: {root}"),
        None => kind.to_owned(),
    }
}

/// Sends one request and reads the whole answer. Logs the provider, the endpoint's path (never
/// its query, headers or body), the status, the time taken and the task id when the URL has one.
pub(crate) async fn exchange(
    provider: Provider,
    request: RequestBuilder,
    timeout: Duration,
) -> Result<Answer, NoAnswer> {
    let (http, request) = request.timeout(timeout).build_split();
    let request = request.map_err(NoAnswer::from_reqwest)?;
    let method = request.method().clone();
    let endpoint = request.url().path().to_owned();
    let task_id = task_id_in(request.url());
    let record = field_record::is_on().then(|| RecordStart::of(provider, &request));
    let started = Instant::now();
    let mut answer_headers = None;
    let answered = match http.execute(request).await {
        Ok(response) => {
            let status = response.status();
            let retry_after = retry_after(response.headers());
            if record.is_some() {
                answer_headers = Some(response.headers().clone());
            }
            read_limited(response).await.map(|bytes| Answer {
                status,
                retry_after,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            })
        }
        Err(err) => Err(NoAnswer::from_reqwest(err)),
    };
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    if let Some(record) = record {
        record.finish(&answered, answer_headers.as_ref(), elapsed_ms);
    }
    let task_id = task_id.as_deref().unwrap_or("-");
    match &answered {
        Ok(answer) => tracing::info!(
            provider = provider.id(),
            %method,
            endpoint,
            status = answer.status.as_u16(),
            elapsed_ms,
            task_id,
            "provider request"
        ),
        Err(no_answer) => tracing::warn!(
            provider = provider.id(),
            %method,
            endpoint,
            elapsed_ms,
            task_id,
            error = %no_answer.detail,
            "provider request got no answer"
        ),
    }
    answered
}

/// What the field record keeps of a request, taken before it is sent (redacted at once).
struct RecordStart {
    exchange: field_record::Exchange,
    key: Option<String>,
}

impl RecordStart {
    fn of(provider: Provider, request: &reqwest::Request) -> Self {
        let key = request
            .headers()
            .get(reqwest::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim_start_matches("Bearer ").trim().to_owned())
            .filter(|k| !k.is_empty());
        let key_ref = key.as_deref();
        let url = request.url();
        let path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let body = request
            .body()
            .and_then(|b| b.as_bytes())
            .map(|b| field_record::redact_body_with_key(&String::from_utf8_lossy(b), key_ref));
        RecordStart {
            exchange: field_record::Exchange {
                at: httpdate::fmt_http_date(std::time::SystemTime::now()),
                service: provider.id().to_owned(),
                method: request.method().to_string(),
                path: field_record::redact_text(&path, key_ref),
                status: None,
                elapsed_ms: 0,
                request_headers: field_record::headers(request.headers(), key_ref),
                request_body: body,
                response_headers: Default::default(),
                response_body: None,
                error: None,
            },
            key,
        }
    }

    fn finish(
        mut self,
        answered: &Result<Answer, NoAnswer>,
        headers: Option<&HeaderMap>,
        elapsed_ms: u64,
    ) {
        let key = self.key.as_deref();
        self.exchange.elapsed_ms = elapsed_ms;
        if let Some(headers) = headers {
            self.exchange.response_headers = field_record::headers(headers, key);
        }
        match answered {
            Ok(answer) => {
                self.exchange.status = Some(answer.status.as_u16());
                self.exchange.response_body =
                    Some(field_record::redact_body_with_key(&answer.body, key));
            }
            Err(no_answer) => {
                self.exchange.status = no_answer.oversized;
                self.exchange.error = Some(field_record::redact_text(&no_answer.detail, key));
            }
        }
        field_record::keep(self.exchange);
    }
}

/// The task a request is about, as its URL names it: MiniMax's and LinkModel's `task_id` (or
/// MiniMax's `file_id`) query, OpenRouter's `/videos/{id}` path.
pub(crate) fn task_id_in(url: &url::Url) -> Option<String> {
    let from_query = url
        .query_pairs()
        .find(|(name, _)| name == "task_id" || name == "file_id")
        .map(|(_, value)| value.into_owned());
    from_query.or_else(|| {
        let mut segments = url.path_segments()?;
        segments.find(|s| *s == "videos")?;
        segments
            .next()
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
    })
}

/// Reads a whole API answer, refusing one that says or turns out to be over
/// `MAX_ANSWER_BYTES`: at most that much is ever held, however long the server goes on.
pub(crate) async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, NoAnswer> {
    let status = response.status();
    if response
        .content_length()
        .is_some_and(|announced| announced > MAX_ANSWER_BYTES as u64)
    {
        return Err(NoAnswer::oversized(status));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|err| NoAnswer {
        never_sent: false,
        detail: plain_transport_error(err),
        oversized: None,
    })? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(NoAnswer::oversized(status));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The start of a body, at most `limit` bytes, for an excerpt of an error page; whatever
/// goes wrong while reading just ends it.
pub(crate) async fn read_start(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = limit.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    body
}

/// `Retry-After` in seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// MiniMax's "retry later" codes (providers.md, `base_resp.status_code` values).
pub(crate) const MINIMAX_TRANSIENT_CODES: [i64; 8] =
    [1000, 1001, 1002, 1013, 1024, 1033, 1039, 1041];

/// Whether waiting and asking again may help: 429, 408, 5xx, MiniMax's retry codes, and
/// dropped connections. Everything else is an answer that will not change.
pub(crate) fn is_transient(err: &ProviderError) -> bool {
    let said = match err {
        ProviderError::NetworkDown { .. } => return true,
        ProviderError::RateLimited { said, .. }
        | ProviderError::Unavailable { said, .. }
        | ProviderError::UnexpectedAnswer { said, .. }
        | ProviderError::UnreadableAnswer { said, .. } => said,
        _ => return false,
    };
    // LinkModel's own client retries only 5xx and network errors, never a 4xx or a business
    // code (providers.md, re-check): a code inside an HTTP 200 is an answer, not an outage.
    let provider = match err {
        ProviderError::RateLimited { provider, .. }
        | ProviderError::Unavailable { provider, .. }
        | ProviderError::UnexpectedAnswer { provider, .. }
        | ProviderError::UnreadableAnswer { provider, .. } => *provider,
        _ => return false,
    };
    if provider == Provider::LinkModel {
        return said.http_status.is_some_and(|s| (500..600).contains(&s));
    }
    let status_says_retry = said
        .http_status
        .is_some_and(|s| s == 429 || s == 408 || (500..600).contains(&s));
    let code_says_retry = match err {
        // A MiniMax business code travels with HTTP 200.
        ProviderError::RateLimited { provider, .. }
        | ProviderError::Unavailable { provider, .. }
            if provider.is_minimax() =>
        {
            said.code
                .is_some_and(|c| MINIMAX_TRANSIENT_CODES.contains(&c))
        }
        _ => false,
    };
    status_says_retry || code_says_retry
}

/// Whether a failed submit may be sent again: only when the provider surely did not start a
/// generation — it was never sent, or the provider explicitly said "too many requests".
pub(crate) fn submit_may_retry(err: &ProviderError) -> bool {
    match err {
        ProviderError::NetworkDown { .. } => true,
        // LinkModel's own client never retries a 4xx: its "too many" goes back to the queue.
        ProviderError::RateLimited { provider, .. } if *provider == Provider::LinkModel => false,
        ProviderError::RateLimited { said, .. } => {
            said.http_status == Some(429) || said.code == Some(1002) || said.code == Some(429)
        }
        _ => false,
    }
}

/// Runs a read-only call (poll, retrieve, key check), retrying transient failures.
pub(crate) async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    call: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    call.retry(policy.backoff())
        .when(is_transient)
        .adjust(|err, backoff| policy.next_wait(err, backoff))
        .notify(|err, wait| tracing::info!(kind = err.kind(), ?wait, "retrying a provider call"))
        .await
}

/// Runs a submit, retrying only when the provider cannot have started a generation.
pub(crate) async fn submit_with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    call: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    call.retry(policy.backoff())
        .when(submit_may_retry)
        .adjust(|err, backoff| policy.next_wait(err, backoff))
        .notify(|err, wait| {
            tracing::info!(
                kind = err.kind(),
                ?wait,
                "retrying a submit that was not taken"
            )
        })
        .await
}

/// After a submit: an answer that is not a clear yes or no leaves the outcome unknown, since
/// the provider may have started (and billed) a generation.
pub(crate) fn settle_submit_error(provider: Provider, err: ProviderError) -> ProviderError {
    match err {
        ProviderError::Unavailable { said, .. } => ProviderError::SubmitOutcomeUnknown {
            provider,
            cause: "the service reported an internal error".into(),
            said,
        },
        ProviderError::UnexpectedAnswer { what, said, .. } => ProviderError::SubmitOutcomeUnknown {
            provider,
            cause: format!("it answered with {what}"),
            said,
        },
        other => other,
    }
}

/// An accepted submit (HTTP 2xx) whose answer is otherwise odd still names its task at
/// `pointer`: keep that task id and follow it, since a task id thrown away is a paid video
/// lost. Classified refusals and answers without a plain id are left as they are.
pub(crate) fn salvage_submit(
    answer: &Answer,
    pointer: &str,
    read: Result<super::Submission, ProviderError>,
) -> Result<super::Submission, ProviderError> {
    let Err(ProviderError::UnexpectedAnswer { .. }) = &read else {
        return read;
    };
    if !answer.status.is_success() {
        return read;
    }
    let task_id = serde_json::from_str::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| {
            v.pointer(pointer)
                .and_then(|id| id.as_str())
                .map(str::to_owned)
        })
        .filter(|id| super::wire::is_plain_id(id));
    match task_id {
        Some(task_id) => {
            // Only the kind: the answer's text has not been cleared of the key yet.
            if let Err(err) = &read {
                tracing::warn!(%task_id, kind = err.kind(), "an accepted submit's answer was odd; following its task");
            }
            Ok(super::Submission {
                task_id,
                poll_url: None,
                charged: None,
            })
        }
        None => read,
    }
}

/// Sends a submit: a failure after the request may have left becomes `SubmitOutcomeUnknown`.
pub(crate) async fn submit_exchange(
    provider: Provider,
    request: RequestBuilder,
    timeout: Duration,
) -> Result<Answer, ProviderError> {
    exchange(provider, request, timeout)
        .await
        .map_err(|no_answer| submit_no_answer(provider, no_answer))
}

/// A submit without an answer: only one that was never sent is a plain network failure.
pub(crate) fn submit_no_answer(provider: Provider, no_answer: NoAnswer) -> ProviderError {
    if no_answer.never_sent {
        no_answer.into_error(provider)
    } else {
        ProviderError::SubmitOutcomeUnknown {
            provider,
            said: no_answer
                .oversized
                .map(ProviderSaid::status)
                .unwrap_or_default(),
            cause: no_answer.detail,
        }
    }
}

/// Sends a read-only request.
pub(crate) async fn read_exchange(
    provider: Provider,
    request: RequestBuilder,
    timeout: Duration,
) -> Result<Answer, ProviderError> {
    exchange(provider, request, timeout)
        .await
        .map_err(|no_answer| no_answer.into_error(provider))
}

/// The error for a status no service-specific rule recognised.
pub(crate) fn by_status(
    provider: Provider,
    status: StatusCode,
    said: ProviderSaid,
    retry_after: Option<Duration>,
) -> ProviderError {
    match status.as_u16() {
        429 => ProviderError::RateLimited {
            provider,
            retry_after,
            said,
        },
        408 | 500..=599 => ProviderError::Unavailable {
            provider,
            retry_after,
            said,
        },
        401 => ProviderError::KeyRejected {
            provider,
            other_region_hint: false,
            said,
        },
        402 => ProviderError::NoCredit { provider, said },
        400 | 413 | 422 => ProviderError::InvalidParameters { provider, said },
        404 => ProviderError::TaskNotFound { provider, said },
        _ => ProviderError::Refused { provider, said },
    }
}

/// Any answer about the task (even "no such task" or "bad parameters") proves the key works.
pub(crate) fn key_verdict(
    outcome: Result<(), ProviderError>,
) -> Result<super::KeyCheck, ProviderError> {
    match outcome {
        Ok(())
        | Err(
            ProviderError::TaskNotFound { .. }
            | ProviderError::InvalidParameters { .. }
            | ProviderError::Refused { .. }
            | ProviderError::GenerationFailed { .. },
        ) => Ok(super::KeyCheck::default()),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn rate_limited(provider: Provider, http_status: u16, code: Option<i64>) -> ProviderError {
        ProviderError::RateLimited {
            provider,
            retry_after: None,
            said: ProviderSaid {
                http_status: Some(http_status),
                code,
                text: None,
            },
        }
    }

    #[test]
    fn the_logged_task_id_comes_from_the_query_or_openrouter_s_path() {
        let id = |raw: &str| task_id_in(&url::Url::parse(raw).unwrap());
        assert_eq!(
            id("https://api.minimax.io/v1/query/video_generation?task_id=1069").as_deref(),
            Some("1069")
        );
        assert_eq!(
            id("https://openrouter.ai/api/v1/videos/job-abc/content?index=0").as_deref(),
            Some("job-abc")
        );
        assert_eq!(id("https://openrouter.ai/api/v1/videos"), None);
        assert_eq!(id("https://api.linkmodel.ai/api/v1/video-generation"), None);
    }

    #[test]
    fn retry_after_is_read_in_seconds_or_as_a_date() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let in_a_minute = std::time::SystemTime::now() + Duration::from_secs(60);
        let date = httpdate::fmt_http_date(in_a_minute);
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&date).unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(55) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn only_documented_minimax_codes_are_retried() {
        assert!(is_transient(&rate_limited(
            Provider::MinimaxGlobal,
            200,
            Some(1002)
        )));
        assert!(is_transient(&ProviderError::Unavailable {
            provider: Provider::MinimaxChina,
            retry_after: None,
            said: ProviderSaid {
                http_status: Some(200),
                code: Some(1033),
                text: None
            }
        }));
        // 2045 "request growth too fast" is not in the list of retry-later codes.
        assert!(!is_transient(&rate_limited(
            Provider::MinimaxGlobal,
            200,
            Some(2045)
        )));
    }

    #[test]
    fn linkmodel_never_retries_a_4xx_or_a_business_code_only_5xx_and_network_errors() {
        let with = |http_status: u16, code: Option<i64>| ProviderError::Unavailable {
            provider: Provider::LinkModel,
            retry_after: None,
            said: ProviderSaid {
                http_status: Some(http_status),
                code,
                text: None,
            },
        };
        assert!(is_transient(&with(502, Some(500))));
        assert!(is_transient(&with(503, None)));
        assert!(
            !is_transient(&with(200, Some(500))),
            "a business code in an HTTP 200"
        );
        assert!(!is_transient(&with(408, Some(408))));
        assert!(!is_transient(&rate_limited(
            Provider::LinkModel,
            429,
            Some(429)
        )));
        assert!(!is_transient(&rate_limited(
            Provider::LinkModel,
            200,
            Some(429)
        )));
        assert!(is_transient(&ProviderError::NetworkDown {
            provider: Provider::LinkModel,
            detail: "connection reset".into()
        }));
        assert!(!submit_may_retry(&rate_limited(
            Provider::LinkModel,
            429,
            Some(429)
        )));
        // The other services keep their rules: a 429 is waited out and asked again.
        assert!(is_transient(&rate_limited(Provider::OpenRouter, 429, None)));
    }

    #[test]
    fn a_submit_is_retried_only_when_it_cannot_have_started_a_video() {
        assert!(submit_may_retry(&rate_limited(
            Provider::OpenRouter,
            429,
            Some(429)
        )));
        assert!(submit_may_retry(&rate_limited(
            Provider::MinimaxGlobal,
            200,
            Some(1002)
        )));
        assert!(!submit_may_retry(&ProviderError::SubmitOutcomeUnknown {
            provider: Provider::OpenRouter,
            cause: "timed out".into(),
            said: ProviderSaid::default()
        }));
        assert!(!submit_may_retry(&ProviderError::Unavailable {
            provider: Provider::OpenRouter,
            retry_after: None,
            said: ProviderSaid::status(503)
        }));
    }

    #[test]
    fn a_retry_after_longer_than_we_wait_is_handed_back() {
        let policy = RetryPolicy {
            max_retry_after: Duration::from_secs(10),
            ..RetryPolicy::default()
        };
        let mut err = rate_limited(Provider::OpenRouter, 429, None);
        if let ProviderError::RateLimited { retry_after, .. } = &mut err {
            *retry_after = Some(Duration::from_secs(3));
        }
        assert_eq!(
            policy.next_wait(&err, Some(Duration::from_millis(1))),
            Some(Duration::from_secs(3))
        );
        if let ProviderError::RateLimited { retry_after, .. } = &mut err {
            *retry_after = Some(Duration::from_secs(600));
        }
        assert_eq!(policy.next_wait(&err, Some(Duration::from_millis(1))), None);
        // Out of retries: stop whatever the provider asked.
        assert_eq!(policy.next_wait(&err, None), None);
    }
}
