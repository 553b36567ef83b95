//! One generation's task: wait its turn, submit once, follow it at the provider, bring the video home.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::ledger::SpendEntry;
use crate::library::{
    local_now, ChargedCost, Generation, GenerationFailure, GenerationState, VideoFile, VIDEO_FILE,
};
use crate::pacing::RequestBudget;
use crate::providers::{
    MoneyState, ProviderClient, ProviderError, TaskRef, TaskStatus, TaskUpdate, VideoLink,
};

use super::card::{CardError, DownloadProgress};
use super::line::Slot;
use super::{request_of, Order, QueueError, Shared};

/// What to do after a step.
enum Flow {
    Next,
    End,
}

/// How a wait ended.
enum Woken {
    /// The planned time came, or the creator asked for a check now.
    Check,
    Stop(oneshot::Sender<Result<(), QueueError>>),
}

pub(crate) struct Runner {
    shared: Arc<Shared>,
    generation: Generation,
    orders: mpsc::Receiver<Order>,
    /// Its place at the provider, held from the submit until the provider finished.
    slot: Option<Slot>,
    /// The answer that said the video is ready, when this run saw it.
    ready: Option<TaskUpdate>,
    /// The wait before the next try while the provider cannot be reached.
    offline_wait: Duration,
    long_running: bool,
    /// The card shows a problem or the offline flag, for the next good answer to clear.
    troubled: bool,
    /// When this generation was last checked: "Check now" never asks sooner than
    /// `CHECK_NOW_GAP` after it, whatever the provider's own pace.
    last_check: Option<Instant>,
}

/// The shortest time between two checks of one generation, however often "Check now" is
/// pressed: every provider is asked at a pace, even those that publish no limit.
const CHECK_NOW_GAP: Duration = Duration::from_secs(5);

impl Runner {
    pub(crate) fn new(
        shared: Arc<Shared>,
        generation: Generation,
        orders: mpsc::Receiver<Order>,
        slot: Option<Slot>,
    ) -> Self {
        let offline_wait = shared.config.offline_first_wait;
        Runner {
            shared,
            generation,
            orders,
            slot,
            ready: None,
            offline_wait,
            long_running: false,
            troubled: false,
            last_check: None,
        }
    }

    pub(crate) async fn run(mut self, turn: Option<oneshot::Receiver<Slot>>) {
        if let Some(turn) = turn {
            if let Flow::End = self.wait_turn(turn).await {
                return self.finish();
            }
        }
        loop {
            let flow = match self.generation.state {
                // Its turn came (it holds a slot): sent now. `submitting` is saved only right
                // before the request leaves.
                GenerationState::Waiting if self.slot.is_some() => self.submit().await,
                GenerationState::Submitting => self.submit().await,
                GenerationState::Queued | GenerationState::Running => self.follow().await,
                GenerationState::Unknown if self.generation.task_id.is_some() => {
                    self.follow().await
                }
                GenerationState::Downloading => self.bring_home().await,
                _ => Flow::End,
            };
            if let Flow::End = flow {
                break;
            }
        }
        self.finish();
    }

    fn finish(self) {
        self.shared.let_go(&self.generation.id);
    }

    fn id(&self) -> &crate::library::GenerationId {
        &self.generation.id
    }

    // -----------------------------------------------------------------------------------------
    // The local line and the submit
    // -----------------------------------------------------------------------------------------

    async fn wait_turn(&mut self, mut turn: oneshot::Receiver<Slot>) -> Flow {
        loop {
            tokio::select! {
                slot = &mut turn => {
                    let Ok(slot) = slot else {
                        // The line is gone: only when the app shuts down.
                        return Flow::End;
                    };
                    self.slot = Some(slot);
                    return Flow::Next;
                }
                order = self.orders.recv() => match order {
                    Some(Order::Stop(reply)) => {
                        let provider = self.generation.request.provider;
                        self.shared.line(provider).leave(&self.generation.id);
                        let done = self.stop().await;
                        self.shared.announce_line(provider);
                        let _ = reply.send(done);
                        return Flow::End;
                    }
                    Some(Order::CheckNow) => {}
                    None => return Flow::End,
                },
            }
        }
    }

    /// Records `submitting` on disk right before the request leaves (after the key is read and
    /// the pace allows it), so a quit before then leaves it waiting, never "may have been
    /// charged". Until that write succeeds nothing is sent: a restart would otherwise find it
    /// still waiting and send it a second time.
    async fn mark_sending(&mut self) -> Flow {
        if let Err(err) = self
            .generation
            .advance(GenerationState::Submitting, local_now(), None)
        {
            tracing::error!("{err}");
            return Flow::End;
        }
        self.shared.announce_line(self.generation.request.provider);
        while !self.save().await {
            if let Woken::Stop(reply) = self.pause(self.shared.config.schedule.steady).await {
                let _ = reply.send(self.stop().await);
                return Flow::End;
            }
        }
        Flow::Next
    }

    async fn submit(&mut self) -> Flow {
        let library = self.shared.library.clone();
        let record = self.generation.clone();
        let request = match tokio::task::spawn_blocking(move || request_of(&library, &record)).await
        {
            Ok(Ok(request)) => request,
            Ok(Err(err)) => return self.fail_before_sending(&err).await,
            Err(err) => return self.fail_before_sending(&QueueError::from(err)).await,
        };
        let provider = self.generation.request.provider;
        loop {
            let client = match self.shared.client(provider).await {
                Ok(client) => client,
                Err(err) => return self.fail_before_sending(&err).await,
            };
            self.shared.pacer.wait_turn(provider).await;
            if let Flow::End = self.mark_sending().await {
                return Flow::End;
            }
            match client.submit(&request).await {
                Ok(submission) => {
                    self.came_back_online();
                    self.generation.task_id = Some(submission.task_id.clone());
                    self.generation.poll_url = submission.poll_url.clone();
                    // The task id goes into the spending record and the generation's record
                    // before anything else, so the video can always be followed.
                    let id = self.id().as_str().to_owned();
                    let money = self
                        .ledger(move |ledger| {
                            ledger.record_submission(&id, &submission, local_now())
                        })
                        .await;
                    self.note_money(money);
                    if let Err(err) =
                        self.generation
                            .advance(GenerationState::Queued, local_now(), None)
                    {
                        tracing::error!("{err}");
                        return Flow::End;
                    }
                    self.save_retried().await;
                    return Flow::Next;
                }
                Err(err @ ProviderError::NetworkDown { .. }) => {
                    // Never sent, so sending again cannot charge twice.
                    self.back_in_line(&err).await;
                    if let Woken::Stop(reply) = self.offline(&err).await {
                        let _ = reply.send(self.stop().await);
                        return Flow::End;
                    }
                }
                Err(err @ ProviderError::RateLimited { .. }) => {
                    // The provider said no to this request: nothing was started.
                    let wait = err
                        .retry_after()
                        .unwrap_or(self.shared.config.schedule.steady);
                    self.back_in_line(&err).await;
                    self.show_problem(&err);
                    if let Woken::Stop(reply) = self.pause(wait).await {
                        let _ = reply.send(self.stop().await);
                        return Flow::End;
                    }
                }
                Err(err) => {
                    let id = self.id().as_str().to_owned();
                    let said = err.clone();
                    let money = self
                        .ledger(move |ledger| ledger.record_submit_error(&id, &said, local_now()))
                        .await;
                    self.note_money(money);
                    self.generation.error = Some(failure(&err));
                    let next = if err.money() == MoneyState::Unknown {
                        GenerationState::Unknown
                    } else {
                        GenerationState::Failed
                    };
                    let _ = self.advance(next, Some(err.to_string())).await;
                    self.slot = None;
                    // An unknown outcome is never sent again by itself.
                    return Flow::End;
                }
            }
        }
    }

    /// The submit certainly did not start anything (no connection, or the provider's "too many
    /// requests"): the record goes back to waiting on disk, so an app closed before the next try
    /// sends it at the next start instead of calling it "may have been charged". It keeps its
    /// turn (the slot) meanwhile.
    async fn back_in_line(&mut self, err: &ProviderError) {
        let _ = self
            .advance(GenerationState::Waiting, Some(err.to_string()))
            .await;
    }

    /// Nothing left the machine: the generation fails, not charged.
    async fn fail_before_sending(&mut self, err: &QueueError) -> Flow {
        let reason = err.to_string();
        let (id, why) = (self.id().as_str().to_owned(), reason.clone());
        let noted = self
            .ledger(move |ledger| ledger.record_not_charged(&id, &why, local_now()))
            .await;
        if let Err(err) = noted {
            tracing::warn!("the spending record could not be updated: {err}");
        }
        self.generation.error = Some(GenerationFailure {
            kind: err.kind().to_owned(),
            message: reason.clone(),
            http_status: None,
            provider_code: None,
            provider_text: None,
        });
        let _ = self.advance(GenerationState::Failed, Some(reason)).await;
        self.slot = None;
        Flow::End
    }

    // -----------------------------------------------------------------------------------------
    // Following it at the provider
    // -----------------------------------------------------------------------------------------

    fn task(&self) -> Option<TaskRef> {
        self.generation.task_id.as_ref().map(|id| TaskRef {
            task_id: id.clone(),
            poll_url: self.generation.poll_url.clone(),
        })
    }

    /// When the provider got it: the first state after the submit.
    fn at_provider_since(&self) -> OffsetDateTime {
        self.generation
            .history
            .iter()
            .find(|c| {
                matches!(
                    c.state,
                    GenerationState::Queued | GenerationState::Running | GenerationState::Unknown
                )
            })
            .map_or(self.generation.created_at, |c| c.at)
    }

    async fn follow(&mut self) -> Flow {
        let Some(task) = self.task() else {
            return Flow::End;
        };
        let provider = self.generation.request.provider;
        let expected = self.shared.finish_times.estimate(&self.generation);
        let schedule = self.shared.config.schedule.within_share(
            expected.as_ref(),
            RequestBudget::documented(provider),
            self.shared.config.at_once_per_provider,
        );
        let mut checks = 0;
        let mut asked_wait = None;
        loop {
            let at_provider_for = (OffsetDateTime::now_utc() - self.at_provider_since())
                .try_into()
                .unwrap_or(Duration::ZERO);
            let long_running = schedule.is_long_running(at_provider_for);
            if long_running != self.long_running {
                self.long_running = long_running;
                self.shared.update(self.id(), |_, live| {
                    live.long_running = long_running;
                });
            }
            let wait = schedule.next_wait_expecting(
                checks,
                at_provider_for,
                asked_wait,
                expected.as_ref(),
            );
            let wait = schedule.within_documented_floor(provider, at_provider_for, wait);
            if let Woken::Stop(reply) = self.pause(wait).await {
                let _ = reply.send(self.stop().await);
                return Flow::End;
            }
            if let Some(last) = self.last_check {
                // "Check now" pressed again and again still waits for the gap.
                let gap = CHECK_NOW_GAP.min(schedule.steady);
                tokio::time::sleep_until(last + gap).await;
            }
            let client = match self.shared.client(provider).await {
                Ok(client) => client,
                Err(err) => {
                    self.show_queue_problem(&err);
                    continue;
                }
            };
            self.shared.pacer.wait_turn(provider).await;
            self.last_check = Some(Instant::now());
            match client.check(&task).await {
                Ok(update) => {
                    checks += 1;
                    asked_wait = None;
                    self.came_back_online();
                    if let Some(flow) = self.take_update(update).await {
                        return flow;
                    }
                }
                Err(err @ ProviderError::NetworkDown { .. }) => {
                    if let Woken::Stop(reply) = self.offline(&err).await {
                        let _ = reply.send(self.stop().await);
                        return Flow::End;
                    }
                }
                Err(err) => match while_following(&err) {
                    Answer::Final => return self.ended_by(&err).await,
                    Answer::KeyRejected => {
                        // Parked: its place at the provider goes to the next in line, and it
                        // is checked again slowly (or at "Check now") until a key works.
                        if self.slot.take().is_some() {
                            self.shared.announce_line(provider);
                        }
                        self.troubled = true;
                        let problem = CardError::new("key-rejected", format!(
                                "{provider} did not accept your API key. Add a working key in Settings to go on following this video."
                            ));
                        self.shared
                            .update(self.id(), |_, live| live.problem = Some(problem));
                        asked_wait = Some(schedule.slow);
                    }
                    Answer::Passing => {
                        // Never given up: shown on the card, and asked again later.
                        asked_wait = err.retry_after();
                        self.show_problem(&err);
                    }
                },
            }
        }
    }

    /// The provider's answer ended the generation while it was followed: failed, with the
    /// money state the answer implies, and its place freed.
    async fn ended_by(&mut self, err: &ProviderError) -> Flow {
        let money = match err {
            ProviderError::GenerationFailed { money, .. } => *money,
            ProviderError::VideoFlagged { .. } | ProviderError::PromptFlagged { .. } => {
                MoneyState::NotCharged
            }
            // The job is gone or refused: whether it was charged is not known.
            _ => MoneyState::Unknown,
        };
        let (id, reason) = (self.id().as_str().to_owned(), err.to_string());
        let noted = self
            .ledger(move |ledger| ledger.record_ended(&id, money, &reason, local_now()))
            .await;
        self.note_money(noted);
        self.generation.error = Some(failure(err));
        let _ = self
            .advance(GenerationState::Failed, Some(err.to_string()))
            .await;
        self.slot = None;
        Flow::End
    }

    /// Applies what a check found; `Some` when following is over.
    async fn take_update(&mut self, update: TaskUpdate) -> Option<Flow> {
        let (id, seen) = (self.id().as_str().to_owned(), update.clone());
        let money = self
            .ledger(move |ledger| ledger.record_poll(&id, &seen, local_now()))
            .await;
        let charge_changed = self.note_money(money);
        match update.status {
            TaskStatus::Queued | TaskStatus::Running => {
                let next = match (update.status, self.generation.state) {
                    // The provider may report queued again; the card never goes backwards.
                    (TaskStatus::Queued, GenerationState::Running) => GenerationState::Running,
                    (TaskStatus::Queued, _) => GenerationState::Queued,
                    _ => GenerationState::Running,
                };
                if next != self.generation.state {
                    let note = Some(update.provider_status.clone());
                    if self.advance(next, note).await.is_err() {
                        return Some(Flow::End);
                    }
                } else if charge_changed {
                    let _ = self.save().await;
                }
                None
            }
            TaskStatus::Succeeded => {
                self.ready = Some(update.clone());
                let note = Some(update.provider_status.clone());
                let moved = self.advance(GenerationState::Downloading, note).await;
                // The provider is done with it: the next in line may go.
                self.slot = None;
                Some(if moved.is_ok() { Flow::Next } else { Flow::End })
            }
            TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Expired => {
                let provider = self.generation.request.provider;
                let failure = match &update.failure {
                    Some(err) => failure(err),
                    None => GenerationFailure {
                        kind: "generation-failed".to_owned(),
                        message: match &update.detail {
                            Some(detail) => format!(
                                "{provider} could not make this video ({}): {detail}",
                                update.provider_status
                            ),
                            None => format!(
                                "{provider} ended this generation without a video ({}).",
                                update.provider_status
                            ),
                        },
                        http_status: None,
                        provider_code: None,
                        provider_text: update.detail.clone(),
                    },
                };
                let note = Some(failure.message.clone());
                self.generation.error = Some(failure);
                let _ = self.advance(GenerationState::Failed, note).await;
                self.slot = None;
                Some(Flow::End)
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Bringing the video home
    // -----------------------------------------------------------------------------------------

    async fn bring_home(&mut self) -> Flow {
        let Some(task) = self.task() else {
            return Flow::End;
        };
        let provider = self.generation.request.provider;
        let Some(dest) = self
            .shared
            .library
            .folder_of(self.id())
            .map(|folder| folder.join(VIDEO_FILE))
        else {
            self.show_queue_problem(&QueueError::Library(
                crate::library::LibraryError::NotFound {
                    id: self.id().clone(),
                },
            ));
            return Flow::End;
        };
        // Steps that failed for a reason other than the connection: bounded, then the card
        // says what happened and waits for the creator.
        let mut tries = 0;
        loop {
            let client = match self.shared.client(provider).await {
                Ok(client) => client,
                Err(err) => {
                    self.show_queue_problem(&err);
                    if let Woken::Stop(reply) = self.pause(self.shared.config.schedule.steady).await
                    {
                        return self.stop_and_reply(reply).await;
                    }
                    continue;
                }
            };
            let update = match self.ready.clone() {
                Some(update) => update,
                // After a restart, or when a link expired: ask again for where the video is.
                None => match self.check_ready(&client, &task).await {
                    Ok(update) => update,
                    Err(err) => match self.download_setback(&err, &mut tries).await {
                        Some(flow) => return flow,
                        None => continue,
                    },
                },
            };
            self.shared.pacer.wait_turn(provider).await;
            let link = match client.video_link(&task, &update).await {
                // The service's own address is for a link that keeps failing, not the first try.
                Ok(link) if tries == 0 => VideoLink {
                    fallback: None,
                    ..link
                },
                Ok(link) => link,
                Err(err) => {
                    self.ready = None;
                    match self.download_setback(&err, &mut tries).await {
                        Some(flow) => return flow,
                        None => continue,
                    }
                }
            };
            let fetcher = self.shared.fetcher(&client);
            let downloaded = match self.download(&fetcher, &link, &dest).await {
                Ok(downloaded) => downloaded,
                Err(reply) => return self.stop_and_reply(reply).await,
            };
            match downloaded {
                Ok(video) => {
                    self.came_back_online();
                    let (width, height) = match (update.width, update.height) {
                        (Some(w), Some(h)) => (Some(w), Some(h)),
                        _ if self.generation.request.first_frame.is_none() => {
                            let (w, h) = self.generation.request.resolution.landscape_size();
                            (Some(w), Some(h))
                        }
                        _ => (None, None),
                    };
                    self.generation.video = Some(VideoFile {
                        file_name: VIDEO_FILE.to_owned(),
                        bytes: video.bytes,
                        width,
                        height,
                    });
                    if self.advance(GenerationState::Done, None).await.is_ok() {
                        self.shared.remember_duration(&self.generation);
                    }
                    return Flow::End;
                }
                Err(err) => {
                    // A fresh link next time: MiniMax retrieves again, OpenRouter's content
                    // endpoint and LinkModel's query give one.
                    self.ready = None;
                    if let Some(flow) = self.download_setback(&err, &mut tries).await {
                        return flow;
                    }
                }
            }
        }
    }

    /// Asks where the finished video is.
    async fn check_ready(
        &mut self,
        client: &ProviderClient,
        task: &TaskRef,
    ) -> Result<TaskUpdate, ProviderError> {
        self.shared
            .pacer
            .wait_turn(self.generation.request.provider)
            .await;
        let update = client.check(task).await?;
        if update.status != TaskStatus::Succeeded {
            // A job that expired at the provider (after a long restart), or a provider that
            // changed its mind: there is no video to fetch now.
            tracing::warn!(
                status = %update.provider_status,
                "a finished generation is no longer reported finished"
            );
            return Err(ProviderError::UnexpectedAnswer {
                provider: self.generation.request.provider,
                what: format!("the finished video is now “{}”", update.provider_status),
                said: update
                    .failure
                    .as_ref()
                    .and_then(|f| f.said().cloned())
                    .unwrap_or_default(),
            });
        }
        self.came_back_online();
        let money = self
            .shared
            .ledger
            .record_poll(self.id().as_str(), &update, local_now());
        if self.note_money(money) {
            let _ = self.save().await;
        }
        Ok(update)
    }

    /// Streams the video into place, reporting progress. `Err` carries a stop request that
    /// came meanwhile: the download is dropped where it is (its partial file stays).
    async fn download(
        &mut self,
        client: &ProviderClient,
        link: &VideoLink,
        dest: &std::path::Path,
    ) -> Result<
        Result<crate::providers::DownloadedVideo, ProviderError>,
        oneshot::Sender<Result<(), QueueError>>,
    > {
        let shared = self.shared.clone();
        let id = self.generation.id.clone();
        let every = shared.config.progress_every;
        let mut last_shown: Option<Instant> = None;
        let progress = move |bytes: u64, total: Option<u64>| {
            let complete = total.is_some_and(|t| bytes >= t);
            if !complete && last_shown.is_some_and(|at| at.elapsed() < every) {
                return;
            }
            last_shown = Some(Instant::now());
            shared.update(&id, |_, live| {
                live.download = Some(DownloadProgress { bytes, total });
            });
        };
        let saving = client.download(link, dest, progress);
        tokio::pin!(saving);
        loop {
            tokio::select! {
                done = &mut saving => return Ok(done),
                order = self.orders.recv() => {
                    if let Some(Order::Stop(reply)) = order {
                        return Err(reply);
                    }
                }
            }
        }
    }

    /// A download step went wrong. Offline waits and resumes, without limit (the video will
    /// come once the connection is back); anything else is shown and tried again a few times
    /// at the steady pace, then the generation becomes "not saved". `Some` when it is over.
    async fn download_setback(&mut self, err: &ProviderError, tries: &mut u32) -> Option<Flow> {
        let woken = if let ProviderError::NetworkDown { .. } = err {
            self.offline(err).await
        } else {
            *tries += 1;
            tracing::info!(tries = *tries, "the download did not work: {err}");
            if *tries >= DOWNLOAD_TRIES {
                return Some(self.not_saved(err).await);
            }
            self.show_problem(err);
            let wait = err
                .retry_after()
                .unwrap_or(self.shared.config.schedule.steady);
            self.pause(wait).await
        };
        match woken {
            Woken::Stop(reply) => Some(self.stop_and_reply(reply).await),
            Woken::Check => None,
        }
    }

    /// The video could not be brought home: the card says why in plain words and offers to try
    /// again or to stop following. Nothing is held meanwhile.
    async fn not_saved(&mut self, err: &ProviderError) -> Flow {
        let provider = self.generation.request.provider;
        let message = not_saved_words(provider, err);
        self.generation.error = Some(GenerationFailure {
            message: message.clone(),
            ..failure(err)
        });
        self.shared.update(self.id(), |_, live| {
            live.download = None;
            live.problem = None;
            live.offline = false;
        });
        let _ = self
            .advance(GenerationState::NotSaved, Some(err.to_string()))
            .await;
        Flow::End
    }

    async fn stop_and_reply(&mut self, reply: oneshot::Sender<Result<(), QueueError>>) -> Flow {
        let _ = reply.send(self.stop().await);
        Flow::End
    }

    // -----------------------------------------------------------------------------------------
    // Waiting, stopping, saving
    // -----------------------------------------------------------------------------------------

    /// Waits `wait`, or less if the creator asks for a check or a stop.
    async fn pause(&mut self, wait: Duration) -> Woken {
        let until = tokio::time::sleep(wait);
        tokio::pin!(until);
        tokio::select! {
            () = &mut until => Woken::Check,
            order = self.orders.recv() => match order {
                Some(Order::CheckNow) => Woken::Check,
                Some(Order::Stop(reply)) => Woken::Stop(reply),
                // The queue is gone: keep the planned pace.
                None => {
                    until.await;
                    Woken::Check
                }
            },
        }
    }

    /// The provider cannot be reached: say so, wait (longer each time), try again.
    async fn offline(&mut self, err: &ProviderError) -> Woken {
        tracing::info!("offline: {err}");
        self.troubled = true;
        self.shared.update(self.id(), |_, live| {
            live.offline = true;
        });
        let wait = self.offline_wait;
        self.offline_wait = (wait * 2).min(self.shared.config.offline_longest_wait);
        self.pause(wait).await
    }

    fn came_back_online(&mut self) {
        self.offline_wait = self.shared.config.offline_first_wait;
        if !std::mem::take(&mut self.troubled) {
            return;
        }
        self.shared.update(self.id(), |_, live| {
            live.offline = false;
            live.problem = None;
        });
    }

    fn show_problem(&mut self, err: &ProviderError) {
        self.troubled = true;
        let problem = problem_of(err);
        self.shared
            .update(self.id(), |_, live| live.problem = Some(problem));
    }

    fn show_queue_problem(&mut self, err: &QueueError) {
        self.troubled = true;
        let problem = CardError::new(err.kind(), err.to_string());
        self.shared
            .update(self.id(), |_, live| live.problem = Some(problem));
    }

    /// The creator stops following it; what that means depends on where it is.
    async fn stop(&mut self) -> Result<(), QueueError> {
        let id = self.id().as_str().to_owned();
        let provider = self.generation.request.provider;
        let note = match self.generation.state {
            GenerationState::Waiting | GenerationState::Submitting => {
                "Stopped by you before it was sent: not charged.".to_owned()
            }
            GenerationState::Queued | GenerationState::Running | GenerationState::Unknown => format!(
                "Stopped tracking by you. {provider} has no cancel call, so it may still finish the video and charge for it."
            ),
            GenerationState::Downloading => {
                // Let go: the video was made and is charged; the app no longer fetches it.
                let note = format!(
                    "Stopped following by you before the video was saved. {provider} made it and charged for it; it may still be there for a while."
                );
                self.slot = None;
                return self.advance(GenerationState::Cancelled, Some(note)).await;
            }
            _ => {
                return Err(QueueError::CannotStop(format!(
                    "This generation has already ended ({}).",
                    self.generation.state.label()
                )))
            }
        };
        let sent = !matches!(
            self.generation.state,
            GenerationState::Waiting | GenerationState::Submitting
        );
        let why = note.clone();
        let money = self
            .ledger(move |ledger| {
                if sent {
                    ledger.record_may_have_been_charged(&id, &why, local_now())
                } else {
                    ledger.record_not_charged(&id, &why, local_now())
                }
            })
            .await;
        self.note_money(money);
        self.slot = None;
        self.advance(GenerationState::Cancelled, Some(note)).await
    }

    /// Runs a ledger call off the async workers: its fsync blocks.
    async fn ledger<T: Send + 'static>(
        &self,
        call: impl FnOnce(&crate::ledger::Ledger) -> Result<T, crate::ledger::LedgerError>
            + Send
            + 'static,
    ) -> Result<T, crate::ledger::LedgerError> {
        let ledger = self.shared.ledger.clone();
        match tokio::task::spawn_blocking(move || call(&ledger)).await {
            Ok(done) => done,
            Err(err) => Err(crate::ledger::LedgerError::Disk {
                path: self.shared.ledger.path().to_owned(),
                source: std::io::Error::other(err.to_string()),
            }),
        }
    }

    /// Saves the record, trying again a few times: used when what it holds (a task id) must
    /// not be lost. The spending record keeps the task id meanwhile.
    async fn save_retried(&mut self) -> bool {
        for attempt in 0..SAVE_TRIES {
            if self.save().await {
                return true;
            }
            if attempt + 1 < SAVE_TRIES {
                tokio::time::sleep(self.shared.config.offline_first_wait).await;
            }
        }
        false
    }

    /// Keeps the charge the ledger now knows in the record; true when it changed.
    fn note_money(&mut self, entry: Result<SpendEntry, crate::ledger::LedgerError>) -> bool {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                tracing::warn!("the spending record could not be updated: {err}");
                return false;
            }
        };
        let charged = match entry.state {
            crate::ledger::SpendState::Charged { amount, how } => {
                Some(ChargedCost { money: amount, how })
            }
            _ => None,
        };
        if charged.is_some() && charged != self.generation.charged_cost {
            self.generation.charged_cost = charged;
            true
        } else {
            false
        }
    }

    /// Moves to `next`, saves the record durably, and shows the change.
    async fn advance(
        &mut self,
        next: GenerationState,
        note: Option<String>,
    ) -> Result<(), QueueError> {
        if let Err(err) = self.generation.advance(next, local_now(), note) {
            tracing::error!("{err}");
            return Err(QueueError::Library(err.into()));
        }
        // A failed write is on the card; the work goes on and the next save tries again.
        let _ = self.save().await;
        Ok(())
    }

    /// Writes the record (temp file, fsync, rename) and shows it. A record that cannot be
    /// written is shown as a problem; the work goes on, and the next save tries again.
    /// Answers whether it reached the disk.
    async fn save(&mut self) -> bool {
        let library = self.shared.library.clone();
        let record = self.generation.clone();
        let saved = tokio::task::spawn_blocking(move || library.save(&record)).await;
        let problem = match saved {
            Ok(Ok(())) => None,
            Ok(Err(err)) => Some(QueueError::from(err)),
            Err(err) => Some(QueueError::from(err)),
        };
        let saved = problem.is_none();
        if !saved {
            self.troubled = true;
        }
        let generation = self.generation.clone();
        self.shared.update(self.id(), |record, live| {
            *record = generation;
            if let Some(err) = &problem {
                tracing::error!("a generation's record could not be saved: {err}");
                live.problem = Some(CardError::new(err.kind(), err.to_string()));
            }
        });
        saved
    }
}

/// What an error answer to a check means for the generation followed.
enum Answer {
    /// The generation is over at the provider (flagged, failed, gone, refused).
    Final,
    /// The key no longer works: wait for a working one without holding a place.
    KeyRejected,
    /// Offline, busy, odd: ask again later.
    Passing,
}

fn while_following(err: &ProviderError) -> Answer {
    match err {
        ProviderError::VideoFlagged { .. }
        | ProviderError::PromptFlagged { .. }
        | ProviderError::GenerationFailed { .. }
        | ProviderError::TaskNotFound { .. }
        | ProviderError::InvalidParameters { .. }
        | ProviderError::Refused { .. } => Answer::Final,
        ProviderError::KeyRejected { .. } => Answer::KeyRejected,
        _ => Answer::Passing,
    }
}

/// A passing problem as the card shows it. An answer that could not be read is said to be
/// harmless (it is, the generation is still followed) and carries that answer, redacted.
fn problem_of(err: &ProviderError) -> CardError {
    match err {
        ProviderError::UnreadableAnswer {
            provider,
            said,
            raw,
            ..
        } => CardError {
            raw: Some(raw.clone()),
            ..CardError::new(
                err.kind(),
                format!(
                    "{provider} answered in a way Hailuo Studio does not know yet. It keeps checking; your video is not lost. Copy the answer for a bug report so this can be fixed.{}",
                    said.suffix()
                ),
            )
        },
        _ => CardError::new(err.kind(), err.to_string()),
    }
}

/// What the provider said about a generation that ended, in the record's form.
fn failure(err: &ProviderError) -> GenerationFailure {
    let said = err.said();
    GenerationFailure {
        kind: err.kind().to_owned(),
        message: err.to_string(),
        http_status: said.and_then(|s| s.http_status),
        provider_code: said.and_then(|s| s.code).map(|c| c.to_string()),
        provider_text: said.and_then(|s| s.text.clone()),
    }
}

/// Download steps that may fail (not counting a lost connection) before the generation
/// becomes "not saved".
const DOWNLOAD_TRIES: u32 = 4;

/// Why the video is not in the library, for a creator: what happened and what they can do.
pub(crate) fn not_saved_words(provider: crate::provider::Provider, err: &ProviderError) -> String {
    let what = match err {
        ProviderError::LinkExpired { .. } => "its download link kept expiring".to_owned(),
        ProviderError::VideoIncomplete { .. } | ProviderError::DownloadIncomplete { .. } => {
            "the video kept arriving incomplete".to_owned()
        }
        ProviderError::UnsafeLink { .. } => {
            "the download link it gave was not secure, so it was not followed".to_owned()
        }
        ProviderError::VideoTooLarge { .. } => {
            "the video is larger than Hailuo Studio accepts".to_owned()
        }
        ProviderError::TaskNotFound { .. } => format!("{provider} no longer finds it"),
        ProviderError::UnexpectedAnswer { what, .. } if what.contains("not an MP4") => {
            "what arrived was not a video file".to_owned()
        }
        ProviderError::Disk { .. } => "it could not be written to your library folder".to_owned(),
        other => format!(
            "the last try ended with “{}”",
            other.to_string().trim_end_matches('.')
        ),
    };
    format!(
        "{provider} made this video, but Hailuo Studio could not save it: {what}. It may still be at {provider} for a while: choose Try again, or Stop following to let it go."
    )
}

/// How many times a record holding a new task id is written before going on without it.
const SAVE_TRIES: u32 = 5;
