//! A faithful local emulator of the three Hailuo 2.3 services, built from ../shared/providers.md.
//!
//! Each service is its own host on 127.0.0.1 (MiniMax global, MiniMax China, OpenRouter,
//! LinkModel), plus a CDN host for plain download links. Every request is recorded; faults can
//! be queued per service and endpoint; task lifecycles can be driven from tests.
//!
//! In a test (any tokio runtime with IO and timers):
//! 1. `let emulator = Emulator::start(EmulatorConfig::default()).await?;`
//! 2. point the client at `emulator.base_url(Service::OpenRouter)` with `emulator.key(..)`;
//! 3. optionally `emulator.inject(Fault::new(service, Endpoint::Submit, FaultKind::…))`;
//! 4. drive tasks with `finish_task_now`, `fail_task` or `set_task_status`, or let the
//!    configured [`TaskTiming`] move them;
//! 5. assert on `emulator.requests()` and `emulator.submits(service)`.
//!
//! Videos are real H.264 MP4 clips made with ffmpeg on first use and cached in
//! `EmulatorConfig::clip_dir`; without ffmpeg, video answers are a 500 naming the problem.

mod api;
mod cdn;
mod clips;
mod config;
mod fault;
mod frame;
mod linkmodel;
mod minimax;
mod openrouter;
mod record;
mod shared;
mod tasks;
mod variants;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::Router;
use tokio::net::TcpListener;

pub use clips::{output_size, ClipError, ClipFile};
pub use config::{
    ChinaHostName, EmulatorConfig, ExpiredLink, LinkModelErrorStatus, LinkModelPrices,
    LinkModelVideoField, MinimaxFailReason, PollingUrl, ServiceKeys, TaskTiming, Variants,
};
pub use fault::{Endpoint, Fault, FaultKind};
pub use record::{Host, RecordedRequest};
pub use tasks::{Failure, TaskStatus, TaskView};

use api::Api;
use record::{intercept, HostContext};
use shared::{lock, Origins, Shared};

/// One of the emulated services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    MinimaxGlobal,
    MinimaxChina,
    OpenRouter,
    LinkModel,
}

impl Service {
    pub const ALL: [Service; 4] = [
        Service::MinimaxGlobal,
        Service::MinimaxChina,
        Service::OpenRouter,
        Service::LinkModel,
    ];

    /// The same ids as `hailuo_core::Provider::id`.
    pub fn id(self) -> &'static str {
        match self {
            Service::MinimaxGlobal => "minimax-global",
            Service::MinimaxChina => "minimax-china",
            Service::OpenRouter => "openrouter",
            Service::LinkModel => "linkmodel",
        }
    }

    /// The variable the app reads this service's base URL from.
    pub fn base_url_env_var(self) -> &'static str {
        match self {
            Service::MinimaxGlobal => "HAILUO_STUDIO_MINIMAX_BASE_URL",
            Service::MinimaxChina => "HAILUO_STUDIO_MINIMAX_CHINA_BASE_URL",
            Service::OpenRouter => "HAILUO_STUDIO_OPENROUTER_BASE_URL",
            Service::LinkModel => "HAILUO_STUDIO_LINKMODEL_BASE_URL",
        }
    }
}

/// The variable the app reads MiniMax China's older host name from.
pub const CHINA_OLD_BASE_URL_ENV_VAR: &str = "HAILUO_STUDIO_MINIMAX_CHINA_OLD_BASE_URL";

/// The running emulator: six HTTP hosts on 127.0.0.1 (MiniMax China twice, under its two
/// names). Stops when dropped.
#[derive(Debug)]
pub struct Emulator {
    shared: Arc<Shared>,
}

impl Emulator {
    /// Binds every host on a free port and starts serving on the current tokio runtime.
    /// MiniMax China is served under both its names (`ChinaHostName`), each on its own port;
    /// the one `Variants::china_host_down` names is bound and closed again, so it refuses.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let mut listeners = Vec::new();
        for _ in 0..6 {
            listeners.push(TcpListener::bind(("127.0.0.1", 0)).await?);
        }
        let origin = |listener: &TcpListener| -> std::io::Result<String> {
            Ok(format!("http://{}", listener.local_addr()?))
        };
        let origins = Origins {
            minimax_global: origin(&listeners[0])?,
            minimax_china: origin(&listeners[1])?,
            openrouter: origin(&listeners[2])?,
            linkmodel: origin(&listeners[3])?,
            cdn: origin(&listeners[4])?,
            minimax_china_old: origin(&listeners[5])?,
        };
        let down = config.variants.china_host_down;
        let shared = Arc::new(Shared::new(config, origins));
        let hosts = Service::ALL
            .map(Some)
            .into_iter()
            .chain([None, Some(Service::MinimaxChina)]);
        for (index, (service, listener)) in hosts.zip(listeners).enumerate() {
            let china_name = match (service, index) {
                (Some(Service::MinimaxChina), 5) => Some(ChinaHostName::Old),
                (Some(Service::MinimaxChina), _) => Some(ChinaHostName::New),
                _ => None,
            };
            if china_name.is_some() && china_name == down {
                // Closed: connections to this name are refused, as for a host that is gone.
                drop(listener);
                continue;
            }
            let app = host_router(&shared, service);
            let shutdown = shared.shutdown.clone();
            tokio::spawn(async move {
                let served = axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown.cancelled_owned())
                    .await;
                if let Err(error) = served {
                    eprintln!("hailuo-emulator: a host stopped: {error}");
                }
            });
        }
        Ok(Emulator { shared })
    }

    /// The base URL the app uses for `service` (OpenRouter's and LinkModel's end in `/api/v1`).
    pub fn base_url(&self, service: Service) -> String {
        let origin = self.shared.origins.of(service);
        match service {
            Service::MinimaxGlobal | Service::MinimaxChina => origin.to_string(),
            Service::OpenRouter | Service::LinkModel => format!("{origin}/api/v1"),
        }
    }

    /// The base URL of one of MiniMax China's two names (`base_url(MinimaxChina)` is the new).
    pub fn china_base_url(&self, name: ChinaHostName) -> String {
        match name {
            ChinaHostName::New => self.shared.origins.minimax_china.clone(),
            ChinaHostName::Old => self.shared.origins.minimax_china_old.clone(),
        }
    }

    /// The CDN host's origin, where download links point.
    pub fn cdn_url(&self) -> String {
        self.shared.origins.cdn.clone()
    }

    /// The valid API key of `service`.
    pub fn key(&self, service: Service) -> String {
        self.shared.config.keys.get(service).to_string()
    }

    /// The `HAILUO_STUDIO_*_BASE_URL` variables pointing the app at this emulator, with
    /// MiniMax China's older name on its own variable.
    pub fn env_vars(&self) -> Vec<(String, String)> {
        Service::ALL
            .into_iter()
            .map(|s| (s.base_url_env_var().to_string(), self.base_url(s)))
            .chain([(
                CHINA_OLD_BASE_URL_ENV_VAR.to_string(),
                self.china_base_url(ChinaHostName::Old),
            )])
            .collect()
    }

    pub fn config(&self) -> &EmulatorConfig {
        &self.shared.config
    }

    /// Every request received so far, in order, on every host.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// The requests of one service, API and CDN alike.
    pub fn requests_to(&self, service: Service) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.service == Some(service))
            .collect()
    }

    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// How many tasks `service` created (each one would be a paid video).
    pub fn submits(&self, service: Service) -> usize {
        lock(&self.shared.tasks).count(service)
    }

    /// The ids of `service`'s tasks, oldest first.
    pub fn task_ids(&self, service: Service) -> Vec<String> {
        lock(&self.shared.tasks).ids(service)
    }

    /// The status a poll would see now, without counting as a poll.
    pub fn task_status(&self, task_id: &str) -> Option<TaskStatus> {
        let timing = self.shared.config.timing;
        lock(&self.shared.tasks)
            .any_mut(task_id)
            .map(|task| task.observe(timing, false))
    }

    /// What the emulator knows of a task: its service, status, video size and charge.
    pub fn task(&self, task_id: &str) -> Option<TaskView> {
        let timing = self.shared.config.timing;
        lock(&self.shared.tasks).any_mut(task_id).map(|task| {
            let status = task.observe(timing, false);
            task.view(status)
        })
    }

    /// Queues a fault; faults are served first queued, first served.
    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.faults).push(fault);
    }

    /// Faults still waiting for their calls.
    pub fn pending_faults(&self) -> usize {
        lock(&self.shared.faults).pending()
    }

    /// Makes the task succeed now. False if there is no such task.
    pub fn finish_task_now(&self, task_id: &str) -> bool {
        self.pin(task_id, TaskStatus::Success, None)
    }

    /// Makes the task fail now with MiniMax status `code` and `message` (OpenRouter's `error`,
    /// LinkModel's `data.msg`). False if there is no such task.
    pub fn fail_task(&self, task_id: &str, code: i64, message: &str) -> bool {
        let failure = Failure {
            code,
            message: message.to_string(),
        };
        self.pin(task_id, TaskStatus::Failed, Some(failure))
    }

    /// Holds the task at `status` until changed again. False if there is no such task.
    pub fn set_task_status(&self, task_id: &str, status: TaskStatus) -> bool {
        let failure = match status {
            TaskStatus::Cancelled => Some(Failure {
                code: 1000,
                message: "the task was cancelled".into(),
            }),
            TaskStatus::Expired => Some(Failure {
                code: 1000,
                message: "the task expired before it finished".into(),
            }),
            _ => None,
        };
        self.pin(task_id, status, failure)
    }

    fn pin(&self, task_id: &str, status: TaskStatus, failure: Option<Failure>) -> bool {
        let mut tasks = lock(&self.shared.tasks);
        let Some(task) = tasks.any_mut(task_id) else {
            return false;
        };
        task.pinned = Some(status);
        if failure.is_some() {
            task.failure = failure;
        }
        true
    }

    /// Makes every download link minted so far expired.
    pub fn expire_links_now(&self) {
        let now = tokio::time::Instant::now();
        for link in lock(&self.shared.links).values_mut() {
            link.expires_at = now;
        }
    }

    /// What OpenRouter's `GET /key` reports as `usage`: the cost of completed videos.
    pub fn openrouter_usage(&self) -> f64 {
        *lock(&self.shared.openrouter_usage)
    }

    /// Makes (or finds in the cache) the clip of that pixel size, as served.
    pub async fn clip(&self, width: u32, height: u32) -> Result<ClipFile, ClipError> {
        self.shared.clips.get(width, height).await
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shared.shutdown.cancel();
    }
}

fn host_router(shared: &Arc<Shared>, service: Option<Service>) -> Router {
    let routes = match service {
        Some(service) => {
            let api = Api {
                shared: shared.clone(),
                service,
            };
            match service {
                Service::MinimaxGlobal | Service::MinimaxChina => minimax::router(api),
                Service::OpenRouter => openrouter::router(api),
                Service::LinkModel => linkmodel::router(api),
            }
        }
        None => cdn::router(shared.clone()),
    };
    let context = HostContext {
        shared: shared.clone(),
        service,
    };
    routes
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found").into_response() })
        .layer(DefaultBodyLimit::disable())
        .layer(from_fn_with_state(context.clone(), variants::layer))
        .layer(from_fn_with_state(context, intercept))
}
