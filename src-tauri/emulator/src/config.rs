//! How an emulator run behaves: keys, task timing, link lifetimes, and the switches for every
//! fact providers.md marks *unknown*.

use std::path::PathBuf;
use std::time::Duration;

use crate::Service;

/// The one valid API key of each service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceKeys {
    pub minimax_global: String,
    pub minimax_china: String,
    pub openrouter: String,
    pub linkmodel: String,
}

impl ServiceKeys {
    pub fn get(&self, service: Service) -> &str {
        match service {
            Service::MinimaxGlobal => &self.minimax_global,
            Service::MinimaxChina => &self.minimax_china,
            Service::OpenRouter => &self.openrouter,
            Service::LinkModel => &self.linkmodel,
        }
    }
}

impl Default for ServiceKeys {
    fn default() -> Self {
        Self {
            minimax_global: "emulator-minimax-global-key".into(),
            minimax_china: "emulator-minimax-china-key".into(),
            openrouter: "sk-or-v1-emulator-openrouter-key".into(),
            linkmodel: "emulator-linkmodel-key".into(),
        }
    }
}

/// How a task moves through its stages (Preparing, Queueing, Processing, then its outcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskTiming {
    /// Each stage lasts this long on the clock.
    Elapsed { per_stage: Duration },
    /// Each stage is seen by this many status polls; deterministic, so tests prefer it.
    /// With `per_stage: 1` the polls see Preparing, Queueing, Processing, then the outcome.
    Polls { per_stage: u32 },
}

/// What a CDN answers for an expired download link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiredLink {
    Forbidden,
    NotFound,
}

/// OpenRouter's `polling_url` is relative in its spec and absolute in its guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollingUrl {
    Relative,
    Absolute,
}

/// Where MiniMax puts the reason of a `Fail` task (unknown in providers.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinimaxFailReason {
    /// `base_resp.status_code`/`status_msg` carry the failure code and reason.
    BaseResp,
    /// `base_resp` says success; an `error_message` field carries the reason.
    ErrorMessage,
    /// Both of the above.
    Both,
}

/// The HTTP status LinkModel sends with a non-zero `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkModelErrorStatus {
    SameAsCode,
    Always200,
}

/// Where LinkModel's query answer names the finished video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkModelVideoField {
    FileUrl,
    OutputVideosOnly,
    Both,
}

/// LinkModel's `data.price` per combination; only 768P 6 s is documented (0.224).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkModelPrices {
    pub p768_6s: f64,
    pub p768_10s: f64,
    pub p1080_6s: f64,
}

impl Default for LinkModelPrices {
    fn default() -> Self {
        // 0.8 × MiniMax's list price, the ratio the documented 768P 6 s price shows.
        Self {
            p768_6s: 0.224,
            p768_10s: 0.448,
            p1080_6s: 0.392,
        }
    }
}

/// MiniMax China's two host names (providers.md, re-check): `api.minimax.cn` (documented since
/// Sept 2026) and the older `api.minimaxi.com`. The emulator serves both on their own ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChinaHostName {
    New,
    Old,
}

/// The variants of real answers seen or possible (providers.md, "Re-checked December 2026"),
/// each off by default so the documented shapes stay the baseline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Variants {
    /// MiniMax retrieve answers `"bytes": 0` and `filename: "output.mp4"` (seen in two clients).
    pub minimax_zero_bytes: bool,
    /// This China host name refuses connections (the other one still serves).
    pub china_host_down: Option<ChinaHostName>,
    /// MiniMax's listed video rate limit per minute and host; beyond it: code 1002.
    pub minimax_requests_per_minute: Option<u32>,
    /// OpenRouter's catalogue (`GET /api/v1/videos/models`) lists `1080p` only for Hailuo 2.3,
    /// as seen in July and Sept 2026; off, it lists `768p` too.
    pub openrouter_catalogue_1080p_only: bool,
    /// OpenRouter answers `usage: {"cost": null}` (BYOK routing).
    pub openrouter_cost_null: bool,
    /// OpenRouter's `unsigned_urls` point at outside storage (the CDN host, no key needed).
    pub openrouter_result_elsewhere: bool,
    /// Every number in every API answer is sent as a string (ids, codes, sizes, prices).
    pub numbers_as_strings: bool,
    /// A task still being made reports this word nobody documented instead of "processing".
    pub unknown_status_word: Option<String>,
    /// Every object in every API answer carries fields nobody documented.
    pub extra_fields: bool,
}

/// Everything an emulator run can vary. `Default` suits tests; `by_hand()` suits a person.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub keys: ServiceKeys,
    pub timing: TaskTiming,
    /// Lifetime of a MiniMax `download_url` (real: as little as 1 hour).
    pub minimax_link_ttl: Duration,
    /// Lifetime of a LinkModel `file_url` (real: about 48 hours).
    pub linkmodel_link_ttl: Duration,
    pub expired_link: ExpiredLink,
    pub openrouter_polling_url: PollingUrl,
    /// Whether OpenRouter takes `768p` (its catalogue lists `1080p` only).
    pub openrouter_accepts_768p: bool,
    /// Whether OpenRouter takes 10 s at `1080p` (MiniMax itself does not).
    pub openrouter_allows_10s_at_1080p: bool,
    /// Keys allowed under `provider.options.minimax.parameters`; `None` accepts any.
    pub openrouter_passthrough_keys: Option<Vec<String>>,
    /// `usage.cost` of a 6 s and a 10 s video.
    pub openrouter_cost_6s: f64,
    pub openrouter_cost_10s: f64,
    /// The key's credit limit in USD as `GET /key` reports it; a submit past it gets 402.
    pub openrouter_credit_limit: Option<f64>,
    pub minimax_fail_reason: MinimaxFailReason,
    pub linkmodel_error_status: LinkModelErrorStatus,
    /// Whether LinkModel takes a data URL as `first_frame_image` (unknown).
    pub linkmodel_accepts_data_urls: bool,
    pub linkmodel_video_field: LinkModelVideoField,
    pub linkmodel_prices: LinkModelPrices,
    /// The pixel size the emulator assumes for a first frame given as an https link
    /// (it cannot fetch it).
    pub linked_first_frame_size: (u32, u32),
    /// Whether MiniMax serves `GET /v1/files/retrieve_content?file_id=ID` (the file itself, with
    /// the key; second-hand). Off: it answers 404, as an unknown path would.
    pub minimax_retrieve_content: bool,
    /// Pads every served video to this many bytes with a trailing `free` box.
    pub pad_videos_to: Option<u64>,
    /// Reality's variants of the documented answers (see [`Variants`]).
    pub variants: Variants,
    /// Where generated clips are cached, shared by runs.
    pub clip_dir: PathBuf,
    pub ffmpeg: PathBuf,
}

impl Default for EmulatorConfig {
    /// Fast and deterministic: one poll per stage, links that live a minute.
    fn default() -> Self {
        Self {
            keys: ServiceKeys::default(),
            timing: TaskTiming::Polls { per_stage: 1 },
            minimax_link_ttl: Duration::from_secs(60),
            linkmodel_link_ttl: Duration::from_secs(60),
            expired_link: ExpiredLink::Forbidden,
            openrouter_polling_url: PollingUrl::Relative,
            openrouter_accepts_768p: true,
            openrouter_allows_10s_at_1080p: false,
            openrouter_passthrough_keys: None,
            openrouter_cost_6s: 0.49,
            openrouter_cost_10s: 0.817,
            openrouter_credit_limit: None,
            minimax_fail_reason: MinimaxFailReason::BaseResp,
            linkmodel_error_status: LinkModelErrorStatus::SameAsCode,
            linkmodel_accepts_data_urls: false,
            linkmodel_video_field: LinkModelVideoField::FileUrl,
            linkmodel_prices: LinkModelPrices::default(),
            linked_first_frame_size: (1920, 1080),
            minimax_retrieve_content: false,
            pad_videos_to: None,
            variants: Variants::default(),
            clip_dir: std::env::temp_dir().join("hailuo-emulator-clips"),
            ffmpeg: PathBuf::from("ffmpeg"),
        }
    }
}

impl EmulatorConfig {
    /// For a person trying the app: stages of a few seconds, links of an hour and 48 hours.
    pub fn by_hand() -> Self {
        Self {
            timing: TaskTiming::Elapsed {
                per_stage: Duration::from_secs(4),
            },
            minimax_link_ttl: Duration::from_secs(3600),
            linkmodel_link_ttl: Duration::from_secs(48 * 3600),
            ..Self::default()
        }
    }
}
