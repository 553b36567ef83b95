//! A model-based test of the queue (issue 17): random sequences of generations, provider
//! answers and faults, restarts cut anywhere, Stop, Check now and budget changes, against the
//! emulated services; after every step the queue's promises are checked.
//!
//! The suite runs a few sequences (seconds). A longer run:
//! `PROPTEST_CASES=200 cargo test -p hailuo-core --test queue_model` (several minutes).

// Helpers shared by the tests panic on purpose: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hailuo_core::keys::{KeyStore, MemoryKeyStore};
use hailuo_core::ledger::{Ledger, SpendState};
use hailuo_core::library::{GenerationId, GenerationState, Library};
use hailuo_core::pacing::RequestPacer;
use hailuo_core::queue::{GenerationCard, GenerationQueue, QueueConfig, QueueParts};
use hailuo_core::{Currency, GenerationRequest, Model, Provider, Resolution};
use hailuo_emulator::{
    Emulator, EmulatorConfig, Endpoint, Fault, FaultKind, Service, TaskStatus as EmulatedStatus,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use secrecy::SecretString;
use tempfile::TempDir;

fn service(provider: Provider) -> Service {
    match provider {
        Provider::MinimaxGlobal => Service::MinimaxGlobal,
        Provider::MinimaxChina => Service::MinimaxChina,
        Provider::OpenRouter => Service::OpenRouter,
        Provider::LinkModel => Service::LinkModel,
    }
}

fn request(provider: Provider) -> GenerationRequest {
    GenerationRequest {
        provider,
        model: Model::Hailuo23,
        prompt: "A kite over a beach [Pan left]".into(),
        first_frame: None,
        duration: 6,
        resolution: Resolution::P768,
        prompt_optimizer: false,
        fast_pretreatment: false,
    }
}

/// What a step of a sequence does.
#[derive(Debug, Clone)]
enum Step {
    /// A new generation, under a monthly budget (`None`: no budget).
    Generate {
        provider: Provider,
        budget: Option<u32>,
    },
    /// The service's next answer on `endpoint` is `fault`.
    Answer {
        provider: Provider,
        endpoint: Endpoint,
        fault: FaultChoice,
    },
    /// The emulator finishes (or keeps running) the `nth` generation's task.
    Provider {
        nth: usize,
        finish: bool,
    },
    Stop {
        nth: usize,
    },
    CheckNow {
        nth: usize,
    },
    /// The app quits where it is and starts again.
    Restart,
    /// Time passes.
    Wait {
        ms: u64,
    },
}

#[derive(Debug, Clone, Copy)]
enum FaultChoice {
    Busy,
    RateLimited,
    AnswerLost,
    Slow,
    BrokenJson,
    Html,
    Flagged,
    Gone,
    KeyRejected,
    QuotesKey,
}

fn fault_kind(choice: FaultChoice, provider: Provider, key: &str) -> FaultKind {
    let minimax = provider.is_minimax();
    match choice {
        FaultChoice::Busy => FaultKind::ServerError {
            status: 503,
            retry_after_secs: None,
        },
        FaultChoice::RateLimited => FaultKind::TooManyRequests {
            retry_after_secs: None,
        },
        FaultChoice::AnswerLost => FaultKind::AnswerLost {
            after: Some(Duration::from_millis(400)),
        },
        FaultChoice::Slow => FaultKind::Slow {
            delay: Duration::from_millis(150),
        },
        FaultChoice::BrokenJson => FaultKind::BrokenJson,
        FaultChoice::Html => FaultKind::HtmlErrorPage { status: 502 },
        FaultChoice::Flagged if minimax => FaultKind::MinimaxStatus {
            code: 1027,
            message: "output video sensitive".into(),
        },
        FaultChoice::Gone | FaultChoice::Flagged => match provider {
            Provider::OpenRouter => FaultKind::OpenRouterError {
                status: 404,
                message: "Not found".into(),
                metadata: None,
            },
            _ => FaultKind::Custom {
                status: 404,
                body: r#"{"code":404,"msg":"task not found"}"#.into(),
            },
        },
        FaultChoice::KeyRejected if minimax => FaultKind::MinimaxStatus {
            code: 2049,
            message: "invalid api key".into(),
        },
        FaultChoice::KeyRejected => FaultKind::Custom {
            status: 401,
            body: r#"{"error":{"code":401,"message":"invalid key"}}"#.into(),
        },
        FaultChoice::QuotesKey if minimax => FaultKind::MinimaxStatus {
            code: 2013,
            message: format!("bad key {key}"),
        },
        FaultChoice::QuotesKey => FaultKind::Custom {
            status: 400,
            body: format!(
                r#"{{"code":400,"msg":"bad key {key}","error":{{"code":400,"message":"bad key {key}"}}}}"#
            ),
        },
    }
}

fn provider() -> impl Strategy<Value = Provider> {
    prop_oneof![
        Just(Provider::MinimaxGlobal),
        Just(Provider::OpenRouter),
        Just(Provider::LinkModel),
    ]
}

fn fault() -> impl Strategy<Value = FaultChoice> {
    prop_oneof![
        Just(FaultChoice::Busy),
        Just(FaultChoice::RateLimited),
        Just(FaultChoice::AnswerLost),
        Just(FaultChoice::Slow),
        Just(FaultChoice::BrokenJson),
        Just(FaultChoice::Html),
        Just(FaultChoice::Flagged),
        Just(FaultChoice::Gone),
        Just(FaultChoice::KeyRejected),
        Just(FaultChoice::QuotesKey),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (provider(), proptest::option::weighted(0.2, 0u32..3))
            .prop_map(|(provider, budget)| Step::Generate { provider, budget }),
        3 => (
            provider(),
            prop_oneof![Just(Endpoint::Submit), Just(Endpoint::Query)],
            fault()
        )
            .prop_map(|(provider, endpoint, fault)| Step::Answer { provider, endpoint, fault }),
        2 => (0usize..6, any::<bool>()).prop_map(|(nth, finish)| Step::Provider { nth, finish }),
        1 => (0usize..6).prop_map(|nth| Step::Stop { nth }),
        1 => (0usize..6).prop_map(|nth| Step::CheckNow { nth }),
        1 => Just(Step::Restart),
        2 => (5u64..120).prop_map(|ms| Step::Wait { ms }),
    ]
}

/// The app under test and what the model remembers of it.
struct World {
    emu: Emulator,
    dir: TempDir,
    keys: Arc<MemoryKeyStore>,
    queue: GenerationQueue,
    library: Library,
    ledger: Arc<Ledger>,
    made: Vec<(GenerationId, Provider)>,
}

impl World {
    async fn new() -> World {
        let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
        let keys = Arc::new(MemoryKeyStore::default());
        for provider in Provider::ALL {
            keys.set(provider, &SecretString::from(emu.key(service(provider))))
                .unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let (queue, library, ledger) = start(&emu, &dir, &keys).await;
        World {
            emu,
            dir,
            keys,
            queue,
            library,
            ledger,
            made: Vec::new(),
        }
    }

    fn nth(&self, nth: usize) -> Option<GenerationId> {
        self.made
            .get(nth % self.made.len().max(1))
            .map(|(id, _)| id.clone())
    }

    async fn apply(&mut self, step: &Step) {
        match step {
            Step::Generate { provider, budget } => {
                let budgets: BTreeMap<Currency, Decimal> = budget
                    .map(|b| BTreeMap::from([(Currency::Usd, Decimal::from(b))]))
                    .unwrap_or_default();
                if let Ok(card) = self.queue.enqueue(request(*provider), budgets).await {
                    self.made.push((card.id, *provider));
                }
            }
            Step::Answer {
                provider,
                endpoint,
                fault,
            } => {
                let key = self.emu.key(service(*provider));
                self.emu.inject(Fault::new(
                    service(*provider),
                    *endpoint,
                    fault_kind(*fault, *provider, &key),
                ));
            }
            Step::Provider { nth, finish } => {
                if let Some(task) = self
                    .nth(*nth)
                    .and_then(|id| self.library.load(&id).ok())
                    .and_then(|g| g.task_id)
                {
                    if *finish {
                        self.emu.finish_task_now(&task);
                    } else {
                        self.emu.set_task_status(&task, EmulatedStatus::Processing);
                    }
                }
            }
            Step::Stop { nth } => {
                if let Some(id) = self.nth(*nth) {
                    let _ = self.queue.stop_tracking(&id).await;
                }
            }
            Step::CheckNow { nth } => {
                if let Some(id) = self.nth(*nth) {
                    let _ = self.queue.check_now(&id);
                }
            }
            Step::Restart => {
                self.queue.shut_down();
                tokio::time::sleep(Duration::from_millis(5)).await;
                let (queue, library, ledger) = start(&self.emu, &self.dir, &self.keys).await;
                self.queue = queue;
                self.library = library;
                self.ledger = ledger;
            }
            Step::Wait { ms } => tokio::time::sleep(Duration::from_millis(*ms)).await,
        }
    }

    /// The promises that hold after every step.
    fn check(&self, after: &str) {
        // At most one submit per generation.
        for provider in [
            Provider::MinimaxGlobal,
            Provider::OpenRouter,
            Provider::LinkModel,
        ] {
            let made = self.made.iter().filter(|(_, p)| *p == provider).count();
            let submits = self.emu.submits(service(provider));
            assert!(
                submits <= made,
                "{after}: {submits} submits for {made} {provider} generations"
            );
        }
        // The ledger says what the records say; an unknown outcome is visible as such.
        for (id, _) in &self.made {
            let Ok(record) = self.library.load(id) else {
                continue;
            };
            let line = self
                .ledger
                .entry(id.as_str())
                .unwrap_or_else(|| panic!("{after}: {id:?} has no spending line"));
            let fits = match (record.state, &line.state) {
                (GenerationState::Done, SpendState::Charged { .. }) => true,
                (GenerationState::Done, _) => false,
                (GenerationState::Unknown, state) => matches!(
                    state,
                    SpendState::MayHaveBeenCharged { .. } | SpendState::Charged { .. }
                ),
                (GenerationState::Waiting, state) => matches!(state, SpendState::InFlight),
                (GenerationState::Failed | GenerationState::Cancelled, state) => {
                    !matches!(state, SpendState::InFlight)
                }
                _ => true,
            };
            assert!(
                fits,
                "{after}: record {:?} but spending says {:?}",
                record.state, line.state
            );
            if let Some(card) = self.queue.card(id) {
                if card.state == GenerationState::Unknown {
                    assert!(card.may_have_been_charged, "{after}: {card:?}");
                }
            }
        }
        // No key in any file of the library or the state folder.
        let keys: Vec<String> = Provider::ALL
            .into_iter()
            .map(|p| self.emu.key(service(p)))
            .collect();
        for file in files(self.dir.path()) {
            let text =
                String::from_utf8_lossy(&std::fs::read(&file).unwrap_or_default()).into_owned();
            for key in &keys {
                assert!(
                    !text.contains(key),
                    "{after}: the key is in {}",
                    file.display()
                );
            }
        }
        for card in self.queue.cards() {
            let shown = serde_json::to_string(&card).unwrap();
            for key in &keys {
                assert!(!shown.contains(key), "{after}: the key is on a card");
            }
        }
    }

    /// With the services answering normally and every task finished, nothing stays stuck: each
    /// generation ends, or is visibly "may have been charged" with what it needs.
    async fn settle(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            for task in [
                Service::MinimaxGlobal,
                Service::OpenRouter,
                Service::LinkModel,
            ]
            .into_iter()
            .flat_map(|s| self.emu.task_ids(s))
            {
                self.emu.finish_task_now(&task);
            }
            let cards: Vec<GenerationCard> = self.queue.cards();
            let open: Vec<&GenerationCard> = cards
                .iter()
                .filter(|c| !c.state.is_final() && c.state != GenerationState::Unknown)
                // Held back on purpose, with why on the card.
                .filter(|c| !(c.state == GenerationState::Waiting && c.error.is_some()))
                // Parked for a working key, shown on the card.
                .filter(|c| {
                    !c.error
                        .as_ref()
                        .is_some_and(|e| e.message.contains("Add a working key"))
                })
                .collect();
            if open.is_empty() {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("generations stuck: {open:#?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn start(
    emu: &Emulator,
    dir: &TempDir,
    keys: &Arc<MemoryKeyStore>,
) -> (GenerationQueue, Library, Arc<Ledger>) {
    let library = Library::open(dir.path().join("library")).unwrap();
    let ledger = Arc::new(Ledger::open(&dir.path().join("state")).unwrap());
    let mut config = QueueConfig::quick();
    config.at_once_per_provider = 2;
    let queue = GenerationQueue::start(QueueParts {
        library: library.clone(),
        ledger: ledger.clone(),
        keys: keys.clone(),
        media: None,
        pacer: Arc::new(RequestPacer::new(HashMap::new())),
        base_url_overrides: Provider::ALL
            .into_iter()
            .map(|p| (p, emu.base_url(service(p))))
            .collect(),
        config,
    })
    .await
    .expect("the queue starts");
    (queue, library, ledger)
}

fn files(root: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(4),
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_queue_keeps_its_promises_under_any_sequence_of_answers_faults_and_restarts(
        steps in proptest::collection::vec(step(), 4..14)
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut world = World::new().await;
            for (n, step) in steps.iter().enumerate() {
                world.apply(step).await;
                tokio::time::sleep(Duration::from_millis(10)).await;
                world.check(&format!("after step {n} ({step:?})"));
            }
            world.settle().await;
            world.check("at the end");
            world.queue.shut_down();
        });
    }
}
