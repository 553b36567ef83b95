//! The state every emulated host shares: tasks, links, faults, the request log, the clips.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::clips::Clips;
use crate::config::EmulatorConfig;
use crate::fault::FaultQueue;
use crate::record::RecordedRequest;
use crate::tasks::Tasks;
use crate::Service;

/// A download link on the CDN host.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub service: Service,
    pub task_id: String,
    pub expires_at: Instant,
}

/// The addresses the hosts listen on, known once they are bound.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origins {
    pub minimax_global: String,
    pub minimax_china: String,
    pub openrouter: String,
    pub linkmodel: String,
    pub cdn: String,
    /// MiniMax China's older name (`api.minimaxi.com`); `minimax_china` is the new one.
    pub minimax_china_old: String,
}

impl Origins {
    pub(crate) fn of(&self, service: Service) -> &str {
        match service {
            Service::MinimaxGlobal => &self.minimax_global,
            Service::MinimaxChina => &self.minimax_china,
            Service::OpenRouter => &self.openrouter,
            Service::LinkModel => &self.linkmodel,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub config: EmulatorConfig,
    pub origins: Origins,
    pub requests: Mutex<Vec<RecordedRequest>>,
    pub faults: Mutex<FaultQueue>,
    pub tasks: Mutex<Tasks>,
    pub links: Mutex<HashMap<String, Link>>,
    pub openrouter_usage: Mutex<f64>,
    /// When each MiniMax host let requests through in the last minute (`Variants`).
    pub minimax_minute: Mutex<HashMap<Service, std::collections::VecDeque<Instant>>>,
    pub clips: Clips,
    pub shutdown: CancellationToken,
    next_id: AtomicU64,
}

/// A poisoned lock only means a handler panicked mid-update; the emulator keeps serving.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(config: EmulatorConfig, origins: Origins) -> Self {
        let clips = Clips::new(
            config.clip_dir.clone(),
            config.ffmpeg.clone(),
            config.pad_videos_to,
        );
        Self {
            config,
            origins,
            requests: Mutex::default(),
            faults: Mutex::default(),
            tasks: Mutex::default(),
            links: Mutex::default(),
            openrouter_usage: Mutex::new(0.0),
            minimax_minute: Mutex::default(),
            clips,
            shutdown: CancellationToken::new(),
            next_id: AtomicU64::new(1),
        }
    }

    pub(crate) fn next_number(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// A fresh opaque token (hex), unique within this emulator and unlikely across runs.
    pub(crate) fn token(&self) -> String {
        let n = self.next_number();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        format!(
            "{:08x}{:08x}",
            n.wrapping_mul(0x9e37_79b9) as u32,
            nanos ^ (n as u32)
        )
    }

    /// A UUID-shaped id, as LinkModel writes its ids.
    pub(crate) fn uuid(&self) -> String {
        let a = self.token();
        let b = self.token();
        format!(
            "{}-{}-4{}-8{}-{}",
            &a[0..8],
            &a[8..12],
            &a[13..16],
            &b[0..3],
            &b[3..15]
        )
    }

    /// Mints a CDN link to a task's video, valid for `ttl`.
    pub(crate) fn mint_link(
        &self,
        service: Service,
        task_id: &str,
        file_id: u64,
        filename: &str,
        ttl: Duration,
    ) -> String {
        let signature = self.token();
        let expires_unix = std::time::SystemTime::now()
            .checked_add(ttl)
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs())
            .unwrap_or_default();
        lock(&self.links).insert(
            signature.clone(),
            Link {
                service,
                task_id: task_id.to_string(),
                expires_at: Instant::now() + ttl,
            },
        );
        format!(
            "{}/{}/{file_id}/{filename}?Expires={expires_unix}&Signature={signature}",
            self.origins.cdn,
            service.id()
        )
    }
}
