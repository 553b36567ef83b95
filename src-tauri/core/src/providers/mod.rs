//! The clients of the three services that sell Hailuo 2.3 videos: submit, check, fetch, download.
//!
//! One [`ProviderClient`] speaks to any of them; the wire details of each live in their own
//! module (`minimax`, `openrouter`, `linkmodel`) and follow `shared/providers.md` exactly.

pub mod catalogue;
mod download;
pub mod error;
pub(crate) mod fuzzing;
#[cfg(test)]
mod hostile;
mod http;
mod linkmodel;
mod minimax;
mod openrouter;
mod wire;

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

pub use error::{MoneyState, ProviderError, ProviderSaid};
pub use http::{RetryPolicy, MAX_ANSWER_BYTES};

use crate::generation::GenerationRequest;
use crate::money::Money;
use crate::provider::Provider;

/// The name and address OpenRouter shows for the app (its attribution headers).
pub const APP_TITLE: &str = "Hailuo Studio";
pub const APP_URL: &str = "https://github.com/hailuo-studio/hailuo-studio";

/// The largest video Hailuo Studio downloads. A 10 s 1080P clip is a few tens of MB.
pub const MAX_VIDEO_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Where a generation is in its life, the same for every provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Expired,
}

impl TaskStatus {
    /// Whether the provider will not change it any more.
    pub fn is_final(self) -> bool {
        !matches!(self, TaskStatus::Queued | TaskStatus::Running)
    }
}

/// How to find a generation again at its provider. Saved with the generation so a restarted
/// app can keep polling it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskRef {
    pub task_id: String,
    /// OpenRouter's `polling_url`, already resolved against the base URL.
    #[serde(default)]
    pub poll_url: Option<String>,
}

impl TaskRef {
    pub fn new(task_id: impl Into<String>) -> Self {
        TaskRef {
            task_id: task_id.into(),
            poll_url: None,
        }
    }
}

/// A generation the provider accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Submission {
    pub task_id: String,
    pub poll_url: Option<String>,
    /// What the provider says it charged at submit time (LinkModel's `data.price`).
    pub charged: Option<Money>,
}

impl Submission {
    pub fn task(&self) -> TaskRef {
        TaskRef {
            task_id: self.task_id.clone(),
            poll_url: self.poll_url.clone(),
        }
    }
}

/// Where a finished video can be fetched from, as the provider named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum VideoSource {
    /// MiniMax: a file to `retrieve`, which gives a fresh CDN link each time.
    MinimaxFile { file_id: String },
    /// OpenRouter: `unsigned_urls` (may be empty: the content endpoint serves it too).
    OpenRouterContent { urls: Vec<String> },
    /// LinkModel: `data.file_url`, or the first of `data.output_videos`.
    LinkModelFile { url: String },
}

/// What a poll found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskUpdate {
    pub status: TaskStatus,
    /// The provider's own word, e.g. `Queueing` or `in_progress`.
    pub provider_status: String,
    /// The provider's explanation, if any (a failure reason, usually).
    pub detail: Option<String>,
    /// The real charge when the provider reports it (OpenRouter `usage.cost`).
    pub charged: Option<Money>,
    /// The generation is over and the provider, which reports charges, did not say this one
    /// (OpenRouter `usage` missing or `usage.cost: null`): the charge is unknown, never 0.
    pub charge_not_reported: bool,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Set when `status` is `Succeeded`.
    pub source: Option<VideoSource>,
    /// Why a generation ended without a video, classified (e.g. MiniMax 1027 → video flagged).
    pub failure: Option<ProviderError>,
}

impl TaskUpdate {
    pub(crate) fn new(status: TaskStatus, provider_status: impl Into<String>) -> Self {
        TaskUpdate {
            status,
            provider_status: provider_status.into(),
            detail: None,
            charged: None,
            charge_not_reported: false,
            width: None,
            height: None,
            source: None,
            failure: None,
        }
    }
}

/// A link to download a finished video from, right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoLink {
    pub url: Url,
    /// Whether the API key goes with it: OpenRouter's content endpoint needs it; CDN links
    /// (MiniMax, LinkModel) must never see it.
    pub send_key: bool,
    /// The size the provider announced (MiniMax `bytes`): a hint for progress, never a check
    /// (MiniMax has been seen announcing 0). What proves a video whole is the MP4 itself.
    pub expected_bytes: Option<u64>,
    /// The service's own address for the same file, fetched with the key when `url` keeps
    /// failing (MiniMax `retrieve_content`, OpenRouter's content endpoint).
    pub fallback: Option<Url>,
}

/// A video now on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadedVideo {
    pub path: PathBuf,
    pub bytes: u64,
    /// How many times a dropped download was picked up again where it stopped.
    pub resumed: u32,
}

/// What a key check learned. A rejected key is `Err(ProviderError::KeyRejected)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyCheck {
    /// OpenRouter only: the credit left under the key's limit (`limit_remaining`).
    pub remaining_credit: Option<Money>,
    pub credit_limit: Option<Money>,
    pub used: Option<Money>,
    /// The base URL that answered (MiniMax China has two host names).
    pub base_url: Option<String>,
}

/// Why a configured base URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The address set for {provider} ({origin}) cannot be used: {value:?}. It must start with https://, so your key is never sent unencrypted (http:// only works for a test service on this computer).")]
pub struct BaseUrlError {
    pub provider: Provider,
    pub origin: String,
    pub value: String,
}

/// MiniMax China's older host name. The documented one (`api.minimax.cn`, Sept 2026) is the
/// default; whether this one still answers is unknown, so a China key works on either.
pub const MINIMAX_CHINA_OLD_BASE_URL: &str = "https://api.minimaxi.com";

/// The variable that points the older China host name elsewhere (the emulator serves both).
pub const MINIMAX_CHINA_OLD_ENV_VAR: &str = "HAILUO_STUDIO_MINIMAX_CHINA_OLD_BASE_URL";

/// Which China host answered the last key test, for the whole app (settings keep it across
/// starts; the app puts it here at start and after each key test).
static REMEMBERED_CHINA_HOST: std::sync::RwLock<Option<String>> = std::sync::RwLock::new(None);

/// Remembers (or forgets) the China base URL that answered for the saved key.
pub fn remember_china_host(base_url: Option<&str>) {
    let mut remembered = REMEMBERED_CHINA_HOST
        .write()
        .unwrap_or_else(|p| p.into_inner());
    *remembered = base_url.map(str::to_owned);
}

/// The China base URL the last key test found working, if any.
pub fn remembered_china_host() -> Option<String> {
    REMEMBERED_CHINA_HOST
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

/// The base URL to use: the settings' override, else the first environment variable set
/// (`Provider::base_url_env_vars`), else the documented default. For MiniMax China, the host the
/// last key test found working comes first (see [`base_urls_from`]).
pub fn base_url_for(
    provider: Provider,
    settings_override: Option<&str>,
) -> Result<Url, BaseUrlError> {
    let remembered = remembered_china_host();
    let mut candidates =
        base_urls_from(provider, settings_override, remembered.as_deref(), |name| {
            std::env::var(name).ok()
        })?;
    Ok(candidates.remove(0))
}

/// Every base URL a provider may be reached at, the one to try first first. Only MiniMax China
/// has two (its new and old host names, each movable by its own variable); an address set in
/// Settings, or one variable alone, means exactly that one host. `remembered` (a base URL that
/// answered before) goes first when it is one of them.
pub fn base_urls_from(
    provider: Provider,
    settings_override: Option<&str>,
    remembered: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Vec<Url>, BaseUrlError> {
    let first = base_url_from(provider, settings_override, &env)?;
    let mut candidates = vec![first];
    let overridden = settings_override.is_some_and(|v| !v.trim().is_empty());
    if provider == Provider::MinimaxChina && !overridden {
        let primary_is_default = provider
            .base_url_env_vars()
            .iter()
            .all(|name| env(name).is_none_or(|v| v.trim().is_empty()));
        let old = env(MINIMAX_CHINA_OLD_ENV_VAR)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .map(|v| {
                (
                    format!("environment variable {MINIMAX_CHINA_OLD_ENV_VAR}"),
                    v,
                )
            })
            .or_else(|| {
                primary_is_default
                    .then(|| ("default".to_owned(), MINIMAX_CHINA_OLD_BASE_URL.to_owned()))
            });
        if let Some((origin, value)) = old {
            match Url::parse(&value) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
                    if !same_base(&url, &candidates[0]) {
                        candidates.push(url);
                    }
                }
                _ => {
                    return Err(BaseUrlError {
                        provider,
                        origin,
                        value,
                    })
                }
            }
        }
        if let Some(remembered) = remembered.and_then(|r| Url::parse(r).ok()) {
            if let Some(at) = candidates.iter().position(|c| same_base(c, &remembered)) {
                let chosen = candidates.remove(at);
                candidates.insert(0, chosen);
            }
        }
    }
    Ok(candidates)
}

/// A URL's host with its port when it has one: what Settings shows as "the host in use".
pub fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => url.as_str().to_owned(),
    }
}

/// Whether two base URLs name the same place (a trailing slash aside).
fn same_base(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin() && a.path().trim_end_matches('/') == b.path().trim_end_matches('/')
}

/// `base_url_for` with the environment passed in, so it can be tested without touching it.
pub fn base_url_from(
    provider: Provider,
    settings_override: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Url, BaseUrlError> {
    let chosen = settings_override
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| ("settings".to_owned(), v.to_owned()))
        .or_else(|| {
            provider.base_url_env_vars().iter().find_map(|name| {
                env(name)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
                    .map(|v| (format!("environment variable {name}"), v))
            })
        })
        .unwrap_or_else(|| ("default".to_owned(), provider.default_base_url().to_owned()));
    let (origin, value) = chosen;
    match Url::parse(&value) {
        // The key travels with every request: in clear text only to this computer itself.
        Ok(url) if url.scheme() == "https" && url.has_host() => Ok(url),
        Ok(url) if url.scheme() == "http" && is_loopback(&url) => Ok(url),
        _ => Err(BaseUrlError {
            provider,
            origin,
            value,
        }),
    }
}

/// Whether the address names this computer (localhost, 127.0.0.0/8, ::1): the only place a
/// plain http:// address may send a key.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A reqwest client suited to the providers: named, with a connect timeout, and following
/// redirects only while they stay secure. Share one. (reqwest already drops the
/// Authorization header when a redirect leaves the host.)
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    let secure_redirects = reqwest::redirect::Policy::custom(|attempt| {
        let downgrade = attempt.url().scheme() != "https"
            && attempt.previous().iter().any(|u| u.scheme() == "https");
        if downgrade {
            attempt.stop()
        } else if attempt.previous().len() >= 5 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .user_agent(concat!("HailuoStudio/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(20))
        .redirect(secure_redirects)
        .build()
}

/// A client of one provider with one key.
#[derive(Debug, Clone)]
pub struct ProviderClient {
    provider: Provider,
    /// Always ends with `/`, so endpoint paths append to it.
    base: Url,
    key: SecretString,
    http: reqwest::Client,
    policy: RetryPolicy,
    /// MiniMax China's other host name, tried only when a connection to `base` failed before
    /// anything was sent (DNS, refused, TLS): never after a request may have arrived.
    alternate: Option<Url>,
    /// Told of every answer, so the shared pace slows on "too many requests" and recovers.
    pacer: Option<std::sync::Arc<crate::pacing::RequestPacer>>,
}

impl ProviderClient {
    pub fn new(
        provider: Provider,
        base_url: Url,
        key: SecretString,
        http: reqwest::Client,
    ) -> Self {
        let mut base = base_url;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        base.set_query(None);
        base.set_fragment(None);
        let alternate = if provider == Provider::MinimaxChina {
            base_urls_from(provider, None, None, |name| std::env::var(name).ok())
                .ok()
                .filter(|candidates| candidates.iter().any(|c| same_base(c, &base)))
                .and_then(|candidates| candidates.into_iter().find(|c| !same_base(c, &base)))
        } else {
            None
        };
        ProviderClient {
            provider,
            base,
            key,
            http,
            policy: RetryPolicy::default(),
            alternate,
            pacer: None,
        }
    }

    /// Sets (or removes) the other host to try when `base` cannot be connected to.
    pub fn with_alternate_base(mut self, alternate: Option<Url>) -> Self {
        self.alternate = alternate;
        self
    }

    /// Reports every answer to the shared request pace (MiniMax: slows on 1002 / HTTP 429).
    pub fn with_pacer(mut self, pacer: std::sync::Arc<crate::pacing::RequestPacer>) -> Self {
        self.pacer = Some(pacer);
        self
    }

    /// The host this client talks to, as Settings shows it (`api.minimax.cn`).
    pub fn host(&self) -> String {
        host_of(&self.base)
    }

    /// The same client on the other host name, when there is one.
    pub(crate) fn on_alternate(&self) -> Option<ProviderClient> {
        let alternate = self.alternate.clone()?;
        let mut other = ProviderClient::new(
            self.provider,
            alternate,
            self.key.clone(),
            self.http.clone(),
        )
        .with_retry_policy(self.policy.clone());
        other.alternate = None;
        other.pacer = self.pacer.clone();
        Some(other)
    }

    /// Tells the shared pace how a request went.
    pub(crate) fn pace_after<T>(&self, outcome: &Result<T, ProviderError>) {
        let Some(pacer) = &self.pacer else { return };
        match outcome {
            Err(err @ ProviderError::RateLimited { said, .. })
                if said.http_status == Some(429) || said.code == Some(1002) =>
            {
                pacer.slow_down(self.provider, err.retry_after());
            }
            Ok(_) => pacer.went_through(self.provider),
            Err(_) => {}
        }
    }

    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn provider(&self) -> Provider {
        self.provider
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Starts a generation. Validates the request first, so nothing invalid is ever paid for.
    /// Never sends it twice once it may have arrived: that answer is `SubmitOutcomeUnknown`.
    pub async fn submit(&self, req: &GenerationRequest) -> Result<Submission, ProviderError> {
        if req.provider != self.provider {
            return Err(ProviderError::WrongClient {
                request: req.provider,
                client: self.provider,
            });
        }
        req.validate()?;
        let submitted = match self.provider {
            Provider::MinimaxGlobal | Provider::MinimaxChina => minimax::submit(self, req).await,
            Provider::OpenRouter => openrouter::submit(self, req).await,
            Provider::LinkModel => linkmodel::submit(self, req).await,
        }
        .map_err(|err| self.scrubbed(err));
        match &submitted {
            Ok(submission) => tracing::info!(
                provider = self.provider.id(),
                task_id = %submission.task_id,
                "the provider accepted a generation"
            ),
            Err(err) => tracing::warn!(
                provider = self.provider.id(),
                kind = err.kind(),
                "the submit did not go through: {err}"
            ),
        }
        submitted
    }

    /// Asks where a generation is. Retries transient failures.
    pub async fn check(&self, task: &TaskRef) -> Result<TaskUpdate, ProviderError> {
        let checked = match self.provider {
            Provider::MinimaxGlobal | Provider::MinimaxChina => minimax::check(self, task).await,
            Provider::OpenRouter => openrouter::check(self, task).await,
            Provider::LinkModel => linkmodel::check(self, task).await,
        };
        match checked {
            Ok(mut update) => {
                let secret = self.key.expose_secret();
                error::scrub_secret(&mut update.provider_status, secret);
                if let Some(detail) = update.detail.as_mut() {
                    error::scrub_secret(detail, secret);
                }
                update.failure = update.failure.map(|err| self.scrubbed(err));
                Ok(update)
            }
            Err(err) => Err(self.scrubbed(err)),
        }
    }

    /// The one place provider text enters the app: every error a call answers passes here, so
    /// a key the provider quotes back never reaches a card, a record, a log or diagnostics.
    fn scrubbed(&self, err: ProviderError) -> ProviderError {
        err.without_secret(self.key.expose_secret())
    }

    /// A link to download a succeeded generation from now. After `LinkExpired`, `check` the
    /// task again and call this with the new update: MiniMax's `retrieve` gives a fresh link.
    pub async fn video_link(
        &self,
        task: &TaskRef,
        update: &TaskUpdate,
    ) -> Result<VideoLink, ProviderError> {
        let source = update
            .source
            .as_ref()
            .ok_or_else(|| ProviderError::UnexpectedAnswer {
                provider: self.provider,
                what: format!(
                    "no video to download yet (the generation is {})",
                    update.provider_status
                ),
                said: ProviderSaid::default(),
            })?;
        match source {
            VideoSource::MinimaxFile { file_id } => minimax::video_link(self, file_id).await,
            VideoSource::OpenRouterContent { urls } => openrouter::video_link(self, task, urls),
            VideoSource::LinkModelFile { url } => Ok(VideoLink {
                url: self.link(url)?,
                send_key: false,
                expected_bytes: None,
                fallback: None,
            }),
        }
        .map_err(|err| self.scrubbed(err))
    }

    /// Streams the video to `dest` (through `dest` + `.part`, renamed when complete), calling
    /// `progress(bytes so far, total if known)`. A partial file left by an earlier attempt is
    /// resumed with a Range request.
    pub async fn download(
        &self,
        link: &VideoLink,
        dest: &Path,
        progress: impl FnMut(u64, Option<u64>) + Send,
    ) -> Result<DownloadedVideo, ProviderError> {
        download::download(self, link, dest, progress)
            .await
            .map_err(|err| self.scrubbed(err))
    }

    /// Tells a working key from a rejected one without spending anything.
    pub async fn check_key(&self) -> Result<KeyCheck, ProviderError> {
        match self.provider {
            Provider::MinimaxGlobal | Provider::MinimaxChina => minimax::check_key(self).await,
            Provider::OpenRouter => openrouter::check_key(self).await,
            Provider::LinkModel => linkmodel::check_key(self).await,
        }
        .map_err(|err| self.scrubbed(err))
    }

    /// OpenRouter only: what its catalogue offers for Hailuo 2.3 now (`None`: not listed).
    pub async fn openrouter_catalogue(
        &self,
    ) -> Result<Option<catalogue::VideoOffer>, ProviderError> {
        if self.provider != Provider::OpenRouter {
            return Ok(None);
        }
        catalogue::fetch(self).await
    }

    /// An endpoint under the base URL, each segment escaped.
    pub(crate) fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// A link the provider gave us, resolved against the base URL, refused unless it is https
    /// (or http on the base URL's own host while the base URL itself is http: the emulator).
    pub(crate) fn link(&self, raw: &str) -> Result<Url, ProviderError> {
        let unsafe_link = || ProviderError::UnsafeLink {
            provider: self.provider,
            url: error::excerpt(raw),
        };
        let url = self.base.join(raw.trim()).map_err(|_| unsafe_link())?;
        match url.scheme() {
            "https" => Ok(url),
            // Plain http only on a local test service's own host (the emulator's API and CDN
            // share it on different ports): never to a host the service merely names.
            "http" if self.base.scheme() == "http" && url.host() == self.base.host() => Ok(url),
            _ => Err(unsafe_link()),
        }
    }

    /// Whether the key may go to this URL: only to the provider's own origin.
    pub(crate) fn is_own_origin(&self, url: &Url) -> bool {
        url.origin() == self.base.origin()
    }

    pub(crate) fn get(&self, url: Url) -> reqwest::RequestBuilder {
        self.authorized(self.http.get(url))
    }

    pub(crate) fn post(&self, url: Url) -> reqwest::RequestBuilder {
        self.authorized(self.http.post(url))
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        // `bearer_auth` marks the header sensitive, so it never shows in debug output.
        request.bearer_auth(self.key.expose_secret())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(provider: Provider, base: &str) -> ProviderClient {
        ProviderClient::new(
            provider,
            Url::parse(base).unwrap(),
            SecretString::from("sk-test-0000".to_owned()),
            reqwest::Client::new(),
        )
    }

    #[test]
    fn settings_beat_the_environment_which_beats_the_default() {
        let env = |name: &str| {
            (name == "HAILUO_STUDIO_MINIMAX_BASE_URL").then(|| "http://127.0.0.1:9000".to_owned())
        };
        let from_settings =
            base_url_from(Provider::MinimaxGlobal, Some("https://proxy.example/"), env).unwrap();
        assert_eq!(from_settings.as_str(), "https://proxy.example/");
        let from_env = base_url_from(Provider::MinimaxGlobal, Some("  "), env).unwrap();
        assert_eq!(from_env.as_str(), "http://127.0.0.1:9000/");
        // The China host follows MiniMax's variable when it has none of its own.
        let china = base_url_from(Provider::MinimaxChina, None, env).unwrap();
        assert_eq!(china.as_str(), "http://127.0.0.1:9000/");
        let default = base_url_from(Provider::OpenRouter, None, env).unwrap();
        assert_eq!(default.as_str(), "https://openrouter.ai/api/v1");
    }

    #[test]
    fn a_base_url_that_is_not_a_web_address_is_refused() {
        let err =
            base_url_from(Provider::LinkModel, Some("ftp://files.example"), |_| None).unwrap_err();
        assert_eq!(err.origin, "settings");
        assert!(err.to_string().contains("https://"));
    }

    #[test]
    fn endpoints_keep_the_base_path() {
        let openrouter = client(Provider::OpenRouter, "http://127.0.0.1:5/api/v1");
        assert_eq!(
            openrouter.endpoint(&["videos", "job/1"]).as_str(),
            "http://127.0.0.1:5/api/v1/videos/job%2F1"
        );
        let minimax = client(Provider::MinimaxGlobal, "https://api.minimax.io");
        assert_eq!(
            minimax.endpoint(&["v1", "video_generation"]).as_str(),
            "https://api.minimax.io/v1/video_generation"
        );
    }

    #[test]
    fn provider_links_must_be_https_unless_the_base_is_plain_http() {
        let real = client(Provider::LinkModel, "https://api.linkmodel.ai/api/v1");
        assert!(real.link("https://cdn.example/out.mp4").is_ok());
        assert_eq!(
            real.link("http://cdn.example/out.mp4").unwrap_err().kind(),
            "unsafe-link"
        );
        assert_eq!(
            real.link("file:///etc/passwd").unwrap_err().kind(),
            "unsafe-link"
        );
        let local = client(Provider::LinkModel, "http://127.0.0.1:7/api/v1");
        assert!(local.link("http://127.0.0.1:8/cdn/out.mp4").is_ok());
        assert_eq!(
            local.link("http://cdn.example/out.mp4").unwrap_err().kind(),
            "unsafe-link",
            "a test service's plain http does not extend to other hosts"
        );
    }

    #[test]
    fn a_relative_polling_url_resolves_against_the_base() {
        let openrouter = client(Provider::OpenRouter, "https://openrouter.ai/api/v1");
        assert_eq!(
            openrouter
                .link("/api/v1/videos/job-abc123")
                .unwrap()
                .as_str(),
            "https://openrouter.ai/api/v1/videos/job-abc123"
        );
        assert!(openrouter.is_own_origin(&openrouter.link("/api/v1/videos/x").unwrap()));
        assert!(!openrouter.is_own_origin(&Url::parse("https://evil.example/x").unwrap()));
    }

    #[test]
    fn the_key_never_shows_in_debug_output() {
        let c = client(Provider::OpenRouter, "https://openrouter.ai/api/v1");
        assert!(!format!("{c:?}").contains("sk-test-0000"));
    }
}
