//! The queue's test bench, shared by the suites that drive the generation queue against the
//! emulator: an emulator, a library and a ledger in a temporary folder, keys for every service,
//! and a running queue with waits for its cards.

// Each suite uses a part of the bench.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hailuo_core::keys::{KeyStore, MemoryKeyStore};
use hailuo_core::ledger::Ledger;
use hailuo_core::library::{GenerationId, GenerationState, Library};
use hailuo_core::pacing::RequestPacer;
use hailuo_core::queue::{GenerationCard, GenerationQueue, QueueConfig, QueueParts};
use hailuo_core::{Currency, GenerationRequest, Model, Provider, Resolution};
use hailuo_emulator::{Emulator, EmulatorConfig, Host, RecordedRequest, Service};
use secrecy::SecretString;
use tempfile::TempDir;

/// How long any one test waits for a generation to reach a state.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub fn service(provider: Provider) -> Service {
    match provider {
        Provider::MinimaxGlobal => Service::MinimaxGlobal,
        Provider::MinimaxChina => Service::MinimaxChina,
        Provider::OpenRouter => Service::OpenRouter,
        Provider::LinkModel => Service::LinkModel,
    }
}

pub fn text_to_video(provider: Provider) -> GenerationRequest {
    GenerationRequest {
        provider,
        model: Model::Hailuo23,
        prompt: "A lighthouse at dusk, waves below [Push in]".into(),
        first_frame: None,
        duration: 6,
        resolution: Resolution::P768,
        prompt_optimizer: false,
        fast_pretreatment: false,
    }
}

pub fn no_budgets() -> BTreeMap<Currency, rust_decimal::Decimal> {
    BTreeMap::new()
}

/// An emulator, a library and a ledger in a temporary folder, and keys for every service.
pub struct Bench {
    pub emu: Emulator,
    pub dir: TempDir,
    pub keys: Arc<MemoryKeyStore>,
    pub config: QueueConfig,
    pub pacer: Arc<RequestPacer>,
}

impl Bench {
    pub async fn new() -> Bench {
        Bench::with(EmulatorConfig::default()).await
    }

    pub async fn with(config: EmulatorConfig) -> Bench {
        let emu = Emulator::start(config).await.expect("the emulator starts");
        let keys = Arc::new(MemoryKeyStore::default());
        for provider in Provider::ALL {
            keys.set(provider, &SecretString::from(emu.key(service(provider))))
                .unwrap();
        }
        Bench {
            emu,
            dir: tempfile::tempdir().unwrap(),
            keys,
            config: QueueConfig::quick(),
            pacer: Arc::new(RequestPacer::new(HashMap::new())),
        }
    }

    pub fn library_root(&self) -> PathBuf {
        self.dir.path().join("library")
    }

    pub fn overrides(&self) -> BTreeMap<Provider, String> {
        Provider::ALL
            .into_iter()
            .map(|p| (p, self.emu.base_url(service(p))))
            .collect()
    }

    /// The emulator's addresses, but `provider` at a port nothing listens on (bound, noted,
    /// closed), with its API's `path`: that service is offline.
    pub fn overrides_with_offline(
        &self,
        provider: Provider,
        path: &str,
    ) -> BTreeMap<Provider, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut overrides = self.overrides();
        overrides.insert(provider, format!("http://127.0.0.1:{port}{path}"));
        overrides
    }

    /// Opens the library and ledger afresh from disk, as a new start of the app does.
    pub fn open(&self) -> (Library, Arc<Ledger>) {
        let library = Library::open(self.library_root()).unwrap();
        let ledger = Arc::new(Ledger::open(&self.dir.path().join("state")).unwrap());
        (library, ledger)
    }

    pub async fn start_with(&self, overrides: BTreeMap<Provider, String>) -> Started {
        let (library, ledger) = self.open();
        let queue = GenerationQueue::start(QueueParts {
            library: library.clone(),
            ledger: ledger.clone(),
            keys: self.keys.clone(),
            media: None,
            pacer: self.pacer.clone(),
            base_url_overrides: overrides,
            config: self.config.clone(),
        })
        .await
        .expect("the queue starts");
        Started {
            queue,
            library,
            ledger,
        }
    }

    pub async fn start(&self) -> Started {
        self.start_with(self.overrides()).await
    }

    pub fn api_requests(&self, svc: Service) -> Vec<RecordedRequest> {
        self.emu
            .requests_to(svc)
            .into_iter()
            .filter(|r| r.host == Host::Api)
            .collect()
    }

    pub fn cdn_requests(&self) -> Vec<RecordedRequest> {
        self.emu
            .requests()
            .into_iter()
            .filter(|r| r.host == Host::Cdn)
            .collect()
    }
}

/// A running queue with the library and ledger it writes to.
pub struct Started {
    pub queue: GenerationQueue,
    pub library: Library,
    pub ledger: Arc<Ledger>,
}

impl Started {
    pub async fn enqueue(&self, request: GenerationRequest) -> GenerationCard {
        self.queue
            .enqueue(request, no_budgets())
            .await
            .expect("the generation is queued")
    }

    /// Waits until the generation's card passes `test`.
    pub async fn until(
        &self,
        id: &GenerationId,
        what: &str,
        test: impl Fn(&GenerationCard) -> bool,
    ) -> GenerationCard {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(card) = self.queue.card(id) {
                if test(&card) {
                    return card;
                }
                if tokio::time::Instant::now() > deadline {
                    panic!("the generation never became {what}: {card:#?}");
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    pub async fn until_state(&self, id: &GenerationId, state: GenerationState) -> GenerationCard {
        self.until(id, &format!("{state:?}"), |c| c.state == state)
            .await
    }

    pub fn on_disk(&self, id: &GenerationId) -> hailuo_core::library::Generation {
        self.library.load(id).unwrap()
    }

    pub fn folder(&self, id: &GenerationId) -> PathBuf {
        self.library.folder_of(id).unwrap()
    }
}

pub fn is_mp4(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.len() > 12 && &bytes[4..8] == b"ftyp"
}

pub fn task_id(started: &Started, id: &GenerationId) -> String {
    started.on_disk(id).task_id.expect("a task id on disk")
}
