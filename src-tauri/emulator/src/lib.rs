//! A faithful local emulator of the three Hailuo 2.3 services, built from ../shared/providers.md.
//!
//! Each service is its own host on 127.0.0.1 (MiniMax global, MiniMax China, OpenRouter,
//! LinkModel), plus a CDN host for plain download links. Every request is recorded; faults can
//! be queued per service and endpoint; task lifecycles can be driven from tests.

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

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::Router;
use tokio::net::TcpListener;

pub use clips::{output_size, ClipError, ClipFile};
pub use config::{
    EmulatorConfig, ExpiredLink, LinkModelErrorStatus, LinkModelPrices, LinkModelVideoField,
    MinimaxFailReason, PollingUrl, ServiceKeys, TaskTiming,
};
pub use fault::{Endpoint, Fault, FaultKind};
pub use record::{Host, RecordedRequest};
pub use tasks::{Failure, TaskStatus};

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

/// The running emulator: five HTTP hosts on 127.0.0.1. Stops when dropped.
#[derive(Debug)]
pub struct Emulator {
    shared: Arc<Shared>,
}

impl Emulator {
    /// Binds every host on a free port and starts serving on the current tokio runtime.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let mut listeners = Vec::new();
        for _ in 0..5 {
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
        };
        let shared = Arc::new(Shared::new(config, origins));
        let mut listeners = listeners.into_iter();
        for service in Service::ALL.map(Some).into_iter().chain([None]) {
            let Some(listener) = listeners.next() else {
                break;
            };
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

    /// The CDN host's origin, where download links point.
    pub fn cdn_url(&self) -> String {
        self.shared.origins.cdn.clone()
    }

    /// The valid API key of `service`.
    pub fn key(&self, service: Service) -> String {
        self.shared.config.keys.get(service).to_string()
    }

    /// The `HAILUO_STUDIO_*_BASE_URL` variables pointing the app at this emulator.
    pub fn env_vars(&self) -> Vec<(String, String)> {
        Service::ALL
            .into_iter()
            .map(|s| (s.base_url_env_var().to_string(), self.base_url(s)))
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
        .layer(from_fn_with_state(context, intercept))
}
