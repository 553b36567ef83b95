//! The generation queue: every paid generation from the click to a playable file, surviving restarts.
//!
//! One tokio task follows each generation. Its record is written (temp file, fsync, rename)
//! before its submit leaves and again the moment the task id arrives; polls follow the
//! provider's pace; the video is streamed into the generation's folder. A per-provider line
//! keeps at most `at_once_per_provider` generations at a provider; the others wait, in order,
//! in the `waiting` state on disk, so the line survives a restart too.

mod card;
mod line;
mod run;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rust_decimal::Decimal;
use secrecy::SecretString;
use time::OffsetDateTime;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::budget::BudgetRefusal;
use crate::generation::{FirstFrame, GenerationRequest, Model, Resolution};
use crate::keys::{KeyStore, KeyStoreError};
use crate::ledger::{Ledger, LedgerError, SpendState, SubmitRefused};
use crate::library::{
    local_now, Generation, GenerationFailure, GenerationId, GenerationState, Library, LibraryError,
    RecordedFirstFrame,
};
use crate::media_server::MediaServer;
use crate::pacing::{PollSchedule, RequestPacer};
use crate::poll_schedule::FinishTimes;
use crate::pricing::{quote, QuoteError};
use crate::provider::{Currency, Provider};
use crate::providers::{base_url_for, BaseUrlError, ProviderClient, RetryPolicy};

pub use card::{CardCost, CardError, DownloadProgress, GenerationCard};

use card::{CardContext, Live};
use line::{Line, Slot};

/// The spending line of a generation whose folder could not be made: nothing was sent.
const NEVER_MADE: &str = "Not started: its folder could not be made in your library. Nothing was sent, so nothing was charged.";

/// How the queue paces itself. `Default` follows the providers' guidance; tests use `quick()`.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    pub schedule: PollSchedule,
    pub retry: RetryPolicy,
    /// Generations at one provider at once (from submit until the provider finished); more
    /// wait in the local line.
    pub at_once_per_provider: usize,
    /// The first wait before trying again while the provider cannot be reached; it doubles up
    /// to `offline_longest_wait`.
    pub offline_first_wait: Duration,
    pub offline_longest_wait: Duration,
    /// Download progress reaches the UI at most this often.
    pub progress_every: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            schedule: PollSchedule::default(),
            retry: RetryPolicy::default(),
            at_once_per_provider: 3,
            offline_first_wait: Duration::from_secs(2),
            offline_longest_wait: Duration::from_secs(60),
            progress_every: Duration::from_millis(250),
        }
    }
}

impl QueueConfig {
    /// Milliseconds instead of seconds, for tests and the emulator.
    pub fn quick() -> Self {
        QueueConfig {
            schedule: PollSchedule::quick(),
            retry: RetryPolicy {
                first_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(20),
                max_retries: 2,
                max_retry_after: Duration::from_millis(100),
                request_timeout: Duration::from_secs(3),
                download_stall: Duration::from_secs(3),
            },
            at_once_per_provider: 3,
            offline_first_wait: Duration::from_millis(20),
            offline_longest_wait: Duration::from_millis(200),
            progress_every: Duration::from_millis(20),
        }
    }
}

/// What the queue works with.
pub struct QueueParts {
    pub library: Library,
    pub ledger: Arc<Ledger>,
    pub keys: Arc<dyn KeyStore>,
    /// Where the UI's player reads videos and pictures from; `None` leaves the cards' URLs empty.
    pub media: Option<Arc<MediaServer>>,
    /// Request pace per provider (MiniMax: 20 a minute, slower after "too many"), shared by every generation.
    pub pacer: Arc<RequestPacer>,
    /// Settings' addresses for the services (`providers::base_url_for` weighs them).
    pub base_url_overrides: BTreeMap<Provider, String>,
    pub config: QueueConfig,
}

/// Why the queue could not do what was asked, in plain words.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error(transparent)]
    Quote(#[from] QuoteError),
    #[error(transparent)]
    OverBudget(#[from] BudgetRefusal),
    #[error("There is no API key for {provider} yet. Add one in Settings, then try again.")]
    NoKey { provider: Provider },
    #[error(transparent)]
    Keys(#[from] KeyStoreError),
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    BaseUrl(#[from] BaseUrlError),
    #[error("The first frame of this generation, “{}”, could not be read: {detail}.", path.display())]
    FirstFrameMissing { path: PathBuf, detail: String },
    #[error("This generation is not being tracked any more.")]
    NotTracked,
    #[error("{0}")]
    CannotStop(String),
    #[error("{0}")]
    NothingToDownload(String),
    #[error("An internal task stopped unexpectedly: {0}")]
    Internal(String),
}

impl QueueError {
    /// A stable name the UI branches on.
    pub fn kind(&self) -> &'static str {
        match self {
            QueueError::Quote(QuoteError::Invalid(_)) => "invalid-request",
            QueueError::Quote(QuoteError::Unpriced { .. }) => "unpriced",
            QueueError::OverBudget(_) => "over-budget",
            QueueError::NoKey { .. } => "no-key",
            QueueError::Keys(KeyStoreError::Unavailable { .. }) => "keyring-unavailable",
            QueueError::Keys(KeyStoreError::Malformed(_)) => "key-malformed",
            QueueError::Library(LibraryError::NotFound { .. }) => "generation-not-found",
            QueueError::Library(_) => "library-disk",
            QueueError::Ledger(_) => "spending-record-unwritable",
            QueueError::BaseUrl(_) => "base-url-invalid",
            QueueError::FirstFrameMissing { .. } => "first-frame-unreadable",
            QueueError::NotTracked => "not-tracked",
            QueueError::CannotStop(_) => "cannot-stop",
            QueueError::NothingToDownload(_) => "nothing-to-download",
            QueueError::Internal(_) => "internal",
        }
    }
}

impl From<tokio::task::JoinError> for QueueError {
    fn from(err: tokio::task::JoinError) -> Self {
        QueueError::Internal(err.to_string())
    }
}

/// Orders a generation's task has not read yet, at most.
const ORDERS_WAITING: usize = 4;

/// What the creator asked of a generation's task.
pub(crate) enum Order {
    CheckNow,
    Stop(oneshot::Sender<Result<(), QueueError>>),
}

/// A generation the queue knows in this run: its record as last saved, and the live flags.
struct Tracked {
    generation: Generation,
    live: Live,
    /// To its task, while one follows it.
    orders: Option<mpsc::Sender<Order>>,
}

/// Past generations' durations, by what decides them.
type Shape = (Provider, Model, Resolution, u8);

pub(crate) struct Shared {
    library: Library,
    ledger: Arc<Ledger>,
    keys: Arc<dyn KeyStore>,
    media: Option<Arc<MediaServer>>,
    pacer: Arc<RequestPacer>,
    config: QueueConfig,
    http: reqwest::Client,
    overrides: Mutex<BTreeMap<Provider, String>>,
    lines: HashMap<Provider, Arc<Line>>,
    tracked: Mutex<BTreeMap<GenerationId, Tracked>>,
    events: broadcast::Sender<GenerationCard>,
    durations: Mutex<HashMap<Shape, Vec<u64>>>,
    /// Past times at the service, for the poll plan near the expected finish.
    finish_times: FinishTimes,
    /// Budget check, record and ledger line of a new generation happen as one step.
    enqueueing: Mutex<()>,
    /// Every generation's task, so that shutting down stops them all.
    tasks: Mutex<Vec<tokio::task::AbortHandle>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// The app's one generation queue. Cheap to clone.
#[derive(Clone)]
pub struct GenerationQueue {
    shared: Arc<Shared>,
}

impl GenerationQueue {
    /// Starts the queue on the current tokio runtime and resumes every unfinished generation
    /// in the library: a submit cut short by the last exit becomes `unknown` (never sent again),
    /// generations at a provider are checked again, finished ones are downloaded, and the
    /// waiting line goes on in creation order.
    pub async fn start(parts: QueueParts) -> Result<GenerationQueue, QueueError> {
        let http = crate::providers::http_client().map_err(|err| {
            QueueError::Internal(format!("the web client could not be made: {err}"))
        })?;
        let (events, _) = broadcast::channel(1024);
        let lines = Provider::ALL
            .into_iter()
            .map(|p| (p, Line::new(parts.config.at_once_per_provider)))
            .collect();
        let shared = Arc::new(Shared {
            library: parts.library,
            ledger: parts.ledger,
            keys: parts.keys,
            media: parts.media,
            pacer: parts.pacer,
            config: parts.config,
            http,
            overrides: Mutex::new(parts.base_url_overrides),
            lines,
            tracked: Mutex::default(),
            events,
            durations: Mutex::default(),
            finish_times: FinishTimes::default(),
            enqueueing: Mutex::default(),
            tasks: Mutex::default(),
        });
        let library = shared.library.clone();
        let ledger = shared.ledger.clone();
        let (scan, held) =
            tokio::task::spawn_blocking(move || reconcile(&library, &ledger, local_now()))
                .await??;
        let mut unfinished: Vec<Generation> = Vec::new();
        for entry in scan.generations {
            let generation = entry.generation;
            if generation.state == GenerationState::Done {
                shared.remember_duration(&generation);
            }
            if let Some(problem) = held.get(&generation.id) {
                // Never sent from here: shown as it is, with why.
                let live = Live {
                    problem: Some(problem.clone()),
                    ..Live::default()
                };
                shared.track(generation, live, None);
                continue;
            }
            // A video not saved stays on the queue: the creator decides what becomes of it.
            let waits_for_the_creator = generation.state == GenerationState::NotSaved;
            if (!generation.state.is_final() || waits_for_the_creator) && !entry.read_only {
                unfinished.push(generation);
            }
        }
        // Oldest first, so the line keeps its order and earlier generations take slots first.
        unfinished.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let queue = GenerationQueue { shared };
        // Generations already at a provider hold their places before the line moves on.
        let mut waiting = Vec::new();
        for generation in unfinished {
            match generation.state {
                GenerationState::Queued | GenerationState::Running => {
                    let slot = queue.shared.line(generation.request.provider).occupy();
                    let _ = queue.follow(generation, None, Some(slot));
                }
                GenerationState::Downloading => {
                    let _ = queue.follow(generation, None, None);
                }
                GenerationState::Unknown if generation.task_id.is_some() => {
                    let _ = queue.follow(generation, None, None);
                }
                GenerationState::Waiting => waiting.push(generation),
                _ => queue.shared.track(generation, Live::default(), None),
            }
        }
        for generation in waiting {
            let turn = queue
                .shared
                .line(generation.request.provider)
                .join(generation.id.clone());
            let _ = queue.follow(generation, Some(turn), None);
        }
        Ok(queue)
    }

    /// Prices and checks the request against the monthly budgets, writes its record in the
    /// `waiting` state with its line in the spending ledger, then queues it. Nothing has left
    /// the machine when this returns.
    pub async fn enqueue(
        &self,
        request: GenerationRequest,
        budgets: BTreeMap<Currency, Decimal>,
    ) -> Result<GenerationCard, QueueError> {
        let estimate = quote(&request)?;
        let provider = request.provider;
        if self.shared.key(provider).await?.is_none() {
            return Err(QueueError::NoKey { provider });
        }
        let shared = self.shared.clone();
        let generation = tokio::task::spawn_blocking(move || -> Result<Generation, QueueError> {
            let _one_at_a_time = locked(&shared.enqueueing);
            let now = crate::clock::local_now();
            // The spending line first, with the budget check in the same step: a record never
            // exists without its line, so nothing is ever sent that Spending and the budget do
            // not count. A line without a record is settled as not charged (here, or at the
            // next start after a crash between the two).
            let id = GenerationId::new();
            shared
                .ledger
                .record_submit_within_budget(id.as_str(), &request, &estimate, &budgets, now)
                .map_err(|refused| match refused {
                    SubmitRefused::OverBudget(refusal) => QueueError::OverBudget(refusal),
                    SubmitRefused::Ledger(err) => QueueError::Ledger(err),
                })?;
            let installation = Some(shared.ledger.installation_id().to_owned());
            match shared
                .library
                .create_waiting_as(id.clone(), installation, &request, &estimate)
            {
                Ok(generation) => Ok(generation),
                Err(err) => {
                    if let Err(ledger) =
                        shared
                            .ledger
                            .record_not_charged(id.as_str(), NEVER_MADE, now)
                    {
                        tracing::warn!("the spending record could not be updated: {ledger}");
                    }
                    Err(err.into())
                }
            }
        })
        .await??;
        let id = generation.id.clone();
        let turn = self.shared.line(provider).join(id.clone());
        self.follow(generation, Some(turn), None)
            .ok_or(QueueError::NotTracked)
    }

    /// A new paid generation with the same settings and first frame as `id`. Never automatic:
    /// the creator saw the price and asked for it.
    pub async fn retry(
        &self,
        id: &GenerationId,
        budgets: BTreeMap<Currency, Decimal>,
    ) -> Result<GenerationCard, QueueError> {
        let library = self.shared.library.clone();
        let id = id.clone();
        let request = tokio::task::spawn_blocking(move || -> Result<_, QueueError> {
            let generation = library.load(&id)?;
            request_of(&library, &generation)
        })
        .await??;
        self.enqueue(request, budgets).await
    }

    /// Asks the provider about the generation now instead of at the next planned check.
    pub fn check_now(&self, id: &GenerationId) -> Result<GenerationCard, QueueError> {
        let orders = {
            let tracked = locked(&self.shared.tracked);
            tracked
                .get(id)
                .ok_or(QueueError::NotTracked)?
                .orders
                .clone()
        };
        if let Some(orders) = orders {
            // Full means checks are already asked for: one more changes nothing.
            let _ = orders.try_send(Order::CheckNow);
        }
        self.card(id).ok_or(QueueError::NotTracked)
    }

    /// Stops following a generation. A waiting one is never sent (not charged); one at the
    /// provider is let go, and since no provider offers a cancel call, it may still finish
    /// and charge; an unknown outcome is set aside. A video being saved, or made but not saved,
    /// is let go: it stays charged, and may remain at the provider for a while.
    pub async fn stop_tracking(&self, id: &GenerationId) -> Result<GenerationCard, QueueError> {
        let orders = {
            let tracked = locked(&self.shared.tracked);
            tracked.get(id).and_then(|t| t.orders.clone())
        };
        if let Some(orders) = orders {
            let (reply, answer) = oneshot::channel();
            if orders.send(Order::Stop(reply)).await.is_ok() {
                if let Ok(answer) = answer.await {
                    answer?;
                    return self.card(id).ok_or(QueueError::NotTracked);
                }
            }
        }
        // No task follows it (finished, or an unknown outcome with nothing to check).
        let library = self.shared.library.clone();
        let ledger = self.shared.ledger.clone();
        let key = id.clone();
        let generation = tokio::task::spawn_blocking(move || -> Result<_, QueueError> {
            let mut generation = library.load(&key)?;
            let now = local_now();
            if generation.state == GenerationState::NotSaved {
                // Made and charged, never saved: let go. The spending line stays as it is.
                let note = format!(
                    "Stopped following by you; the video was not saved. It may still be at {} for a while.",
                    generation.request.provider
                );
                generation
                    .advance(GenerationState::Cancelled, now, Some(note))
                    .map_err(LibraryError::from)?;
                library.save(&generation)?;
                return Ok(generation);
            }
            let mine = ledger.installation_id();
            if generation.state == GenerationState::Waiting {
                // Held back at start (no spending line): never sent, so stopping it is free.
                // One made on another computer is that computer's to stop.
                if generation
                    .created_by
                    .as_deref()
                    .is_some_and(|by| by != mine)
                {
                    return Err(QueueError::CannotStop(MADE_ELSEWHERE.into()));
                }
                let note = "Stopped by you before it was sent: not charged.";
                generation
                    .advance(GenerationState::Cancelled, now, Some(note.into()))
                    .map_err(LibraryError::from)?;
                library.save(&generation)?;
                if ledger.entry(key.as_str()).is_some() {
                    if let Err(err) = ledger.record_not_charged(key.as_str(), note, now) {
                        tracing::warn!("the spending record could not be updated: {err}");
                    }
                }
                return Ok(generation);
            }
            if generation.state != GenerationState::Unknown {
                return Err(QueueError::CannotStop(format!(
                    "This generation has already ended ({}).",
                    generation.state.label()
                )));
            }
            generation.dismiss(now).map_err(LibraryError::from)?;
            library.save(&generation)?;
            if let Err(err) = ledger.record_may_have_been_charged(
                key.as_str(),
                "Dismissed with no answer from the provider.",
                now,
            ) {
                tracing::warn!("the spending record could not be updated: {err}");
            }
            Ok(generation)
        })
        .await??;
        let live = locked(&self.shared.tracked)
            .get(id)
            .map(|t| t.live.clone())
            .unwrap_or_default();
        self.shared.track(generation, live, None);
        self.card(id).ok_or(QueueError::NotTracked)
    }

    /// Fetches a video that was made but not saved once more ("Try again" on its card). Nothing
    /// is sent to be made again and nothing is paid again: only the download is tried.
    pub async fn download_again(&self, id: &GenerationId) -> Result<GenerationCard, QueueError> {
        let running = locked(&self.shared.tracked)
            .get(id)
            .and_then(|t| t.orders.as_ref())
            .is_some_and(|orders| !orders.is_closed());
        if running {
            return Err(QueueError::NothingToDownload(
                "This video is already being downloaded.".into(),
            ));
        }
        let library = self.shared.library.clone();
        let key = id.clone();
        let generation = tokio::task::spawn_blocking(move || -> Result<_, QueueError> {
            let mut generation = library.load(&key)?;
            if generation.state != GenerationState::NotSaved {
                return Err(QueueError::NothingToDownload(format!(
                    "There is nothing to download again for this generation ({}).",
                    generation.state.label()
                )));
            }
            generation.error = None;
            generation
                .advance(
                    GenerationState::Downloading,
                    local_now(),
                    Some("Trying the download again, as you asked.".into()),
                )
                .map_err(LibraryError::from)?;
            library.save(&generation)?;
            Ok(generation)
        })
        .await??;
        self.follow(generation, None, None)
            .ok_or(QueueError::NotTracked)
    }

    /// Every generation not yet finished, and those finished in this run, oldest first.
    pub fn cards(&self) -> Vec<GenerationCard> {
        let ids: Vec<GenerationId> = locked(&self.shared.tracked).keys().cloned().collect();
        let mut cards: Vec<GenerationCard> =
            ids.iter().filter_map(|id| self.shared.card(id)).collect();
        cards.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        cards
    }

    /// The card of one generation the queue knows in this run.
    pub fn card(&self, id: &GenerationId) -> Option<GenerationCard> {
        self.shared.card(id)
    }

    /// A card each time a generation changes (state, flags, download progress at most every
    /// `progress_every`).
    pub fn subscribe(&self) -> broadcast::Receiver<GenerationCard> {
        self.shared.events.subscribe()
    }

    /// New addresses for the services, from Settings; used from the next request on.
    pub fn set_base_url_overrides(&self, overrides: BTreeMap<Provider, String>) {
        *locked(&self.shared.overrides) = overrides;
    }

    /// Starts the task that follows `generation`; answers its card as it was before the task ran.
    fn follow(
        &self,
        generation: Generation,
        turn: Option<oneshot::Receiver<Slot>>,
        slot: Option<Slot>,
    ) -> Option<GenerationCard> {
        // Bounded: a creator pressing "Check now" again and again cannot pile up orders.
        let (orders, orders_in) = mpsc::channel(ORDERS_WAITING);
        let id = generation.id.clone();
        let live = Live {
            ahead: self.shared.line(generation.request.provider).ahead_of(&id),
            ..Live::default()
        };
        self.shared.track(generation.clone(), live, Some(orders));
        let card = self.shared.card(&id);
        let runner = run::Runner::new(self.shared.clone(), generation, orders_in, slot);
        let task = tokio::spawn(runner.run(turn));
        let mut tasks = locked(&self.shared.tasks);
        tasks.retain(|t| !t.is_finished());
        tasks.push(task.abort_handle());
        card
    }

    /// Stops every generation's task where it is, as quitting the app does. Records stay as
    /// last saved: the next start resumes them (a submit cut short becomes `unknown`).
    pub fn shut_down(&self) {
        for task in locked(&self.shared.tasks).drain(..) {
            task.abort();
        }
    }
}

impl Shared {
    fn line(&self, provider: Provider) -> Arc<Line> {
        // Every provider has a line from the start.
        self.lines
            .get(&provider)
            .cloned()
            .unwrap_or_else(|| Line::new(self.config.at_once_per_provider))
    }

    async fn key(&self, provider: Provider) -> Result<Option<SecretString>, QueueError> {
        let keys = self.keys.clone();
        // The Secret Service answers over D-Bus: keep it off the async workers.
        Ok(tokio::task::spawn_blocking(move || keys.get(provider)).await??)
    }

    /// A client of the generation's provider with the key saved now, for its API calls.
    async fn client(&self, provider: Provider) -> Result<ProviderClient, QueueError> {
        let key = self
            .key(provider)
            .await?
            .ok_or(QueueError::NoKey { provider })?;
        let override_url = locked(&self.overrides).get(&provider).cloned();
        let base = base_url_for(provider, override_url.as_deref())?;
        let mut policy = self.config.retry.clone();
        if provider.is_minimax() {
            // Every MiniMax request counts against its pace (20 a minute): the queue asks again itself,
            // in its paced turn, instead of the client retrying at once.
            policy.max_retries = 0;
        }
        Ok(ProviderClient::new(provider, base, key, self.http.clone())
            .with_retry_policy(policy)
            .with_pacer(self.pacer.clone()))
    }

    /// A client for fetching the video itself: CDN links are not rate limited, and a dropped
    /// download resumes at once.
    fn fetcher(&self, client: &ProviderClient) -> ProviderClient {
        client.clone().with_retry_policy(self.config.retry.clone())
    }

    fn track(&self, generation: Generation, live: Live, orders: Option<mpsc::Sender<Order>>) {
        let id = generation.id.clone();
        locked(&self.tracked).insert(
            id.clone(),
            Tracked {
                generation,
                live,
                orders,
            },
        );
        self.announce(&id);
    }

    /// Updates what the UI sees of a generation and tells the subscribers.
    pub(crate) fn update(
        &self,
        id: &GenerationId,
        change: impl FnOnce(&mut Generation, &mut Live),
    ) {
        {
            let mut tracked = locked(&self.tracked);
            let Some(entry) = tracked.get_mut(id) else {
                return;
            };
            change(&mut entry.generation, &mut entry.live);
        }
        self.announce(id);
    }

    /// The task is done with this generation: later orders are handled without it.
    pub(crate) fn let_go(&self, id: &GenerationId) {
        if let Some(entry) = locked(&self.tracked).get_mut(id) {
            entry.orders = None;
        }
    }

    /// The line of `provider` moved: the waiting cards' "n ahead" changed.
    pub(crate) fn announce_line(&self, provider: Provider) {
        let waiting: Vec<GenerationId> = locked(&self.tracked)
            .iter()
            .filter(|(_, t)| {
                t.generation.state == GenerationState::Waiting
                    && t.generation.request.provider == provider
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in waiting {
            self.announce(&id);
        }
    }

    fn announce(&self, id: &GenerationId) {
        if let Some(card) = self.card(id) {
            // No subscriber is fine: the cards are there for the next `watch`.
            let _ = self.events.send(card);
        }
    }

    pub(crate) fn remember_duration(&self, generation: &Generation) {
        self.finish_times.remember(generation);
        let Some(done_at) = generation
            .history
            .iter()
            .rev()
            .find(|c| c.state == GenerationState::Done)
            .map(|c| c.at)
        else {
            return;
        };
        let seconds = (done_at - generation.created_at).whole_seconds().max(0) as u64;
        locked(&self.durations)
            .entry(shape(generation))
            .or_default()
            .push(seconds);
    }

    fn expected_seconds(&self, generation: &Generation) -> Option<u64> {
        let durations = locked(&self.durations);
        let mut seen = durations.get(&shape(generation))?.clone();
        if seen.is_empty() {
            return None;
        }
        seen.sort_unstable();
        let middle = seen.len() / 2;
        Some(if seen.len() % 2 == 0 {
            (seen[middle - 1] + seen[middle]) / 2
        } else {
            seen[middle]
        })
    }

    fn card(&self, id: &GenerationId) -> Option<GenerationCard> {
        let (generation, mut live) = {
            let tracked = locked(&self.tracked);
            let entry = tracked.get(id)?;
            (entry.generation.clone(), entry.live.clone())
        };
        if generation.state == GenerationState::Waiting {
            live.ahead = self.line(generation.request.provider).ahead_of(id);
        }
        let spend = self.ledger.entry(id.as_str());
        let folder = self.library.folder_of(id);
        let first_frame_url = match (&self.media, &generation.request.first_frame) {
            (Some(media), Some(RecordedFirstFrame::Picture { file_name, .. })) => {
                Some(media.url_for(id, file_name))
            }
            _ => None,
        };
        let video_url = match (&self.media, &generation.video) {
            (Some(media), Some(video)) if generation.state == GenerationState::Done => {
                Some(media.url_for(id, &video.file_name))
            }
            _ => None,
        };
        Some(card::card(
            &generation,
            CardContext {
                live: &live,
                spend: spend.as_ref(),
                expected_seconds: self.expected_seconds(&generation),
                folder: folder.map(|f| f.display().to_string()).unwrap_or_default(),
                first_frame_url,
                video_url,
                now: OffsetDateTime::now_utc(),
            },
        ))
    }
}

/// Why a waiting generation made on another computer is not sent from this one.
const MADE_ELSEWHERE: &str = "This video waits on the computer where it was made. Hailuo Studio does not send it from here, so it can never be paid for twice. Open Hailuo Studio on that computer to make it.";

/// A waiting generation found without its spending line: never sent silently.
const HELD_UNRECORDED: &str = "Not sent: Hailuo Studio stopped before this video was added to your spending record. Nothing was charged. Use Retry to make it.";

/// A spending line whose generation never got a folder (a crash between the two writes).
const NEVER_FILED: &str = "Not started: Hailuo Studio stopped before its folder was made in your library. Nothing was sent, so nothing was charged.";

/// Makes the library and the spending record agree before anything is sent, after whatever
/// ended the last run: a submit cut short is "may have been charged" in both; a task id only
/// the ledger kept goes back into the record; a waiting generation without its spending line,
/// or made by another installation, is never sent from here; a spending line without a record
/// was never sent. Answers the scan and the generations held back, with why.
fn reconcile(
    library: &Library,
    ledger: &Ledger,
    now: OffsetDateTime,
) -> Result<
    (
        crate::library::LibraryScan,
        HashMap<GenerationId, CardError>,
    ),
    QueueError,
> {
    let warn = |err: LedgerError| tracing::warn!("the spending record could not be updated: {err}");
    library.mark_interrupted_submits(now)?;
    let mut scan = library.scan()?;
    let mine = ledger.installation_id();
    let mut held = HashMap::new();
    for entry in &mut scan.generations {
        if entry.read_only {
            continue;
        }
        let generation = &mut entry.generation;
        let line = ledger.entry(generation.id.as_str());
        let made_here = generation.created_by.as_deref().is_none_or(|by| by == mine);
        if generation.state == GenerationState::Waiting && !made_here {
            held.insert(
                generation.id.clone(),
                CardError::new("made-elsewhere", MADE_ELSEWHERE),
            );
            continue;
        }
        let Some(line) = line else {
            if generation.state == GenerationState::Waiting {
                if generation.created_by.as_deref() == Some(mine) {
                    generation
                        .advance(
                            GenerationState::Cancelled,
                            now,
                            Some(HELD_UNRECORDED.into()),
                        )
                        .map_err(LibraryError::from)?;
                    library.save(generation)?;
                } else {
                    // Made before installations were recorded: held, never sent silently.
                    held.insert(
                        generation.id.clone(),
                        CardError::new("not-in-spending", HELD_UNRECORDED),
                    );
                }
            }
            continue;
        };
        if generation.task_id.is_none() {
            if let Some(task_id) = line.task_id.clone() {
                // The record missed the task id (its save failed before a crash): follow it.
                generation.task_id = Some(task_id);
                if generation.state == GenerationState::Submitting {
                    let _ = generation.advance(GenerationState::Unknown, now, None);
                }
                library.save(generation)?;
            }
        }
        if let (GenerationState::Unknown, None, SpendState::NotCharged { reason }) =
            (generation.state, &generation.task_id, &line.state)
        {
            // The provider's refusal reached the spending record, and the app stopped before
            // the record said so: the refusal (not charged) is the outcome.
            generation.error = Some(GenerationFailure {
                kind: "submit-refused".into(),
                message: reason.clone(),
                http_status: None,
                provider_code: None,
                provider_text: None,
            });
            generation
                .advance(GenerationState::Failed, now, Some(reason.clone()))
                .map_err(LibraryError::from)?;
            library.save(generation)?;
        }
        if generation.state == GenerationState::Unknown && line.state == SpendState::InFlight {
            let reason = generation
                .history
                .last()
                .and_then(|c| c.note.clone())
                .unwrap_or_else(|| "The outcome of this submit is unknown.".into());
            if let Err(err) =
                ledger.record_may_have_been_charged(generation.id.as_str(), &reason, now)
            {
                warn(err);
            }
        }
    }
    if scan.broken.is_empty() {
        let filed: std::collections::HashSet<&str> = scan
            .generations
            .iter()
            .map(|e| e.generation.id.as_str())
            .collect();
        for line in ledger.entries() {
            if line.state == SpendState::InFlight
                && line.task_id.is_none()
                && !filed.contains(line.generation_id.as_str())
            {
                if let Err(err) = ledger.record_not_charged(&line.generation_id, NEVER_FILED, now) {
                    warn(err);
                }
            }
        }
    }
    Ok((scan, held))
}

fn shape(generation: &Generation) -> Shape {
    let request = &generation.request;
    (
        request.provider,
        request.model,
        request.resolution,
        request.duration,
    )
}

/// The request a record stands for, with its first-frame picture read back from the folder.
pub(crate) fn request_of(
    library: &Library,
    generation: &Generation,
) -> Result<GenerationRequest, QueueError> {
    let recorded = &generation.request;
    let first_frame = match &recorded.first_frame {
        None => None,
        Some(RecordedFirstFrame::Link { url }) => Some(FirstFrame::Link { url: url.clone() }),
        Some(RecordedFirstFrame::Picture { mime, .. }) => {
            let path =
                library
                    .first_frame_path(generation)
                    .ok_or_else(|| LibraryError::NotFound {
                        id: generation.id.clone(),
                    })?;
            let bytes = std::fs::read(&path).map_err(|err| QueueError::FirstFrameMissing {
                path: path.clone(),
                detail: err.to_string(),
            })?;
            Some(FirstFrame::Picture {
                mime: mime.clone(),
                bytes,
            })
        }
    };
    Ok(GenerationRequest {
        provider: recorded.provider,
        model: recorded.model,
        prompt: recorded.prompt.clone(),
        first_frame,
        duration: recorded.duration,
        resolution: recorded.resolution,
        prompt_optimizer: recorded.prompt_optimizer,
        fast_pretreatment: recorded.fast_pretreatment,
    })
}
