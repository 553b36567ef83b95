//! The spend ledger: what each generation was expected to cost and what it did cost, kept on disk.
//!
//! Stored as `ledger.jsonl` in the state folder: one JSON line per change, each line the whole
//! entry as it now stands, appended and fsynced before the call returns. The last line for a
//! generation id wins. A line torn by a crash can only be the last one, and it was never
//! acknowledged, so opening the ledger cuts it off; every earlier line is kept.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};

use crate::budget::{judge, BudgetRefusal, MonthSpend};
use crate::generation::{GenerationRequest, Model, Resolution};
use crate::money::Money;
use crate::pricing::{Basis, Quote};
use crate::provider::{Currency, Provider};
use crate::providers::{MoneyState, ProviderError, Submission, TaskStatus, TaskUpdate};

/// The ledger's file name inside `StudioPaths::state_dir`.
pub const LEDGER_FILE: &str = "ledger.jsonl";

/// The file beside the ledger that names this installation.
pub const INSTALLATION_FILE: &str = "installation-id";

/// How much of the prompt the ledger keeps: enough to recognise the video in an export.
pub const PROMPT_EXCERPT_CHARS: usize = 60;

/// Where a generation stands, money-wise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "state",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum SpendState {
    /// Sent and not finished: the estimate is what it should cost.
    InFlight,
    /// Charged, and how the amount is known.
    Charged { amount: Money, how: ChargeSource },
    /// Failed or flagged, and the provider says it charged nothing.
    NotCharged { reason: String },
    /// The submit may have reached the provider but no answer came: it may have charged.
    MayHaveBeenCharged { at_risk: Money, reason: String },
}

impl SpendState {
    /// The word a creator reads in the Spending view and the CSV export.
    pub fn word(&self) -> &'static str {
        match self {
            SpendState::InFlight => "in flight",
            SpendState::Charged { .. } => "charged",
            SpendState::NotCharged { .. } => "not charged",
            SpendState::MayHaveBeenCharged { .. } => "may have been charged",
        }
    }
}

/// How a charge is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChargeSource {
    /// The provider said what it charged (OpenRouter `usage.cost`, LinkModel `data.price`).
    Reported,
    /// The provider reports no amount (MiniMax), so its list price is taken as the charge.
    ListPrice,
}

/// One generation's line in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpendEntry {
    pub generation_id: String,
    /// When it was submitted: the day and month it counts in.
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub provider: Provider,
    pub model: Model,
    pub resolution: Resolution,
    pub duration: u8,
    pub prompt_excerpt: String,
    /// The quote shown before submitting.
    pub estimate: Money,
    pub estimate_basis: Basis,
    pub state: SpendState,
    /// The provider's task id, kept here too the moment it arrives, so the video can be followed
    /// even if its record could not be saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
}

impl SpendEntry {
    /// What this generation costs or may cost: the charge, else the amount already at risk,
    /// else the estimate.
    pub fn amount_at_stake(&self) -> Money {
        match &self.state {
            SpendState::Charged { amount, .. } => *amount,
            SpendState::MayHaveBeenCharged { at_risk, .. } => *at_risk,
            SpendState::InFlight | SpendState::NotCharged { .. } => self.estimate,
        }
    }

    /// What this generation charged, if it is known to have charged.
    pub fn charged(&self) -> Option<Money> {
        match &self.state {
            SpendState::Charged { amount, .. } => Some(*amount),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("Hailuo Studio could not read or write its spending record at {path}: {source}. Check that the disk is not full and the folder can be written.")]
    Disk {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("The spending record has no generation {0}.")]
    UnknownGeneration(String),
    #[error("The spending record already has generation {0}.")]
    AlreadyRecorded(String),
    #[error("Hailuo Studio could not write the spending export: {0}")]
    Export(String),
}

/// The durable ledger. Every method takes `&self`; writes are serialised by an inner lock that
/// is never held across an await (the ledger has none: call it from `spawn_blocking`).
pub struct Ledger {
    path: PathBuf,
    /// This installation's id (see [`Ledger::installation_id`]).
    installation: String,
    /// Held by writers only, across the write and its fsync.
    inner: Mutex<Inner>,
    /// What readers (every card update) see; held only for a copy or an insert, never across
    /// disk I/O, so a slow fsync never holds up the cards.
    view: Mutex<View>,
}

struct Inner {
    file: File,
    /// The file's length after the last acknowledged line, to undo a half-written append.
    len: u64,
}

#[derive(Default)]
struct View {
    entries: BTreeMap<String, SpendEntry>,
    damaged_lines: usize,
}

impl Ledger {
    /// Opens (or creates) the ledger in `state_dir`, cutting off a torn last line.
    pub fn open(state_dir: &Path) -> Result<Ledger, LedgerError> {
        let path = state_dir.join(LEDGER_FILE);
        let disk = |source| LedgerError::Disk {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(state_dir).map_err(disk)?;
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(disk)?;
        if !existed {
            // The new file's name must survive a crash as much as its lines do.
            sync_dir(state_dir).map_err(disk)?;
        }
        let mut text = Vec::new();
        file.read_to_end(&mut text).map_err(disk)?;
        let complete = text
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |last| last + 1);
        if complete < text.len() {
            tracing::warn!(
                torn_bytes = text.len() - complete,
                "the spending record ended in a torn line; it is cut off"
            );
            file.set_len(complete as u64).map_err(disk)?;
            file.sync_data().map_err(disk)?;
        }
        let mut entries = BTreeMap::new();
        let mut damaged_lines = 0;
        for line in text[..complete].split(|b| *b == b'\n') {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<SpendEntry>(line) {
                Ok(entry) => {
                    entries.insert(entry.generation_id.clone(), entry);
                }
                Err(err) => {
                    damaged_lines += 1;
                    tracing::warn!(%err, "a line of the spending record could not be read; it is skipped");
                }
            }
        }
        file.seek(SeekFrom::End(0)).map_err(disk)?;
        let installation = installation_id(state_dir).map_err(|source| LedgerError::Disk {
            path: state_dir.join(INSTALLATION_FILE),
            source,
        })?;
        Ok(Ledger {
            path,
            installation,
            inner: Mutex::new(Inner {
                file,
                len: complete as u64,
            }),
            view: Mutex::new(View {
                entries,
                damaged_lines,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Which installation of Hailuo Studio keeps this ledger: made once, kept beside it. A
    /// generation records it, so a library shared by two computers is sent by one only.
    pub fn installation_id(&self) -> &str {
        &self.installation
    }

    /// Lines that could not be read when the ledger was opened (skipped, never fatal).
    pub fn damaged_lines(&self) -> usize {
        self.view().damaged_lines
    }

    /// Every generation's entry, oldest submit first.
    pub fn entries(&self) -> Vec<SpendEntry> {
        let mut entries: Vec<SpendEntry> = self.view().entries.values().cloned().collect();
        entries.sort_by(|a, b| {
            (a.submitted_at, &a.generation_id).cmp(&(b.submitted_at, &b.generation_id))
        });
        entries
    }

    pub fn entry(&self, generation_id: &str) -> Option<SpendEntry> {
        self.view().entries.get(generation_id).cloned()
    }

    /// Records a generation as in flight at its quoted price, just before its submit leaves.
    pub fn record_submit(
        &self,
        generation_id: &str,
        request: &GenerationRequest,
        quote: &Quote,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, LedgerError> {
        let mut inner = self.lock();
        self.insert_new(&mut inner, generation_id, request, quote, at)
    }

    /// Like `record_submit`, but first checks the monthly budget of the quote's currency, in the
    /// same step, so two submits at once cannot both slip under it.
    pub fn record_submit_within_budget(
        &self,
        generation_id: &str,
        request: &GenerationRequest,
        quote: &Quote,
        budgets: &BTreeMap<Currency, Decimal>,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, SubmitRefused> {
        let mut inner = self.lock();
        if let Some(limit) = budgets.get(&quote.price.currency) {
            let month = month_spend(self.view().entries.values(), quote.price.currency, at);
            judge(&month, quote, *limit)?;
        }
        Ok(self.insert_new(&mut inner, generation_id, request, quote, at)?)
    }

    /// The provider reported what it charged.
    pub fn record_charge(
        &self,
        generation_id: &str,
        amount: Money,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, LedgerError> {
        self.update(generation_id, at, |_| SpendState::Charged {
            amount,
            how: ChargeSource::Reported,
        })
    }

    /// The generation succeeded at a provider that reports no amount (MiniMax): its list price
    /// is the charge, marked as such.
    pub fn record_list_price_charge(
        &self,
        generation_id: &str,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, LedgerError> {
        self.update(generation_id, at, |entry| SpendState::Charged {
            amount: entry.estimate,
            how: ChargeSource::ListPrice,
        })
    }

    /// Failed or flagged, and the provider says it charged nothing.
    pub fn record_not_charged(
        &self,
        generation_id: &str,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, LedgerError> {
        let reason = reason.to_owned();
        self.update(generation_id, at, |_| SpendState::NotCharged { reason })
    }

    /// The outcome is unknown: the amount at risk is what was charged if that was reported,
    /// else the estimate.
    pub fn record_may_have_been_charged(
        &self,
        generation_id: &str,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, LedgerError> {
        let reason = reason.to_owned();
        self.update(generation_id, at, |entry| SpendState::MayHaveBeenCharged {
            at_risk: entry.amount_at_stake(),
            reason,
        })
    }

    /// What a submit's answer says: its task id, kept at once so the video can always be
    /// followed, and any charge LinkModel reports (`data.price`). A charge of zero while the job
    /// runs is not an outcome: the estimate stays reserved until the provider says it ended.
    pub fn record_submission(
        &self,
        generation_id: &str,
        submission: &Submission,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, LedgerError> {
        let charge = submission.charged.filter(|amount| !amount.amount.is_zero());
        self.change(generation_id, |entry| {
            let mut changed = false;
            if entry.task_id.as_deref() != Some(submission.task_id.as_str()) {
                entry.task_id = Some(submission.task_id.clone());
                changed = true;
            }
            if let Some(amount) = charge {
                let state = SpendState::Charged {
                    amount,
                    how: ChargeSource::Reported,
                };
                if entry.state != state {
                    entry.state = state;
                    changed = true;
                }
            }
            if changed {
                entry.updated_at = at;
            }
            changed
        })
    }

    /// Keeps a task id that arrived in an answer the app could not otherwise read.
    pub fn record_task_id(
        &self,
        generation_id: &str,
        task_id: &str,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, LedgerError> {
        self.change(generation_id, |entry| {
            if entry.task_id.as_deref() == Some(task_id) {
                return false;
            }
            entry.task_id = Some(task_id.to_owned());
            entry.updated_at = at;
            true
        })
    }

    /// A submit that failed, as the provider client classified it: refused before any work
    /// (not charged), or sent with no answer (may have been charged).
    pub fn record_submit_error(
        &self,
        generation_id: &str,
        error: &ProviderError,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, LedgerError> {
        self.record_money_state(generation_id, error.money(), None, &error.to_string(), at)
    }

    /// What a poll found. A reported charge replaces the estimate whenever it comes; a success
    /// with no reported charge (MiniMax) costs the list price; a failure records what the
    /// provider says about charging, and where it says nothing (a LinkModel failure after its
    /// charge), the charge is "may have been charged". Writes nothing when nothing changed.
    pub fn record_poll(
        &self,
        generation_id: &str,
        update: &TaskUpdate,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, LedgerError> {
        let entry = self
            .entry(generation_id)
            .ok_or_else(|| LedgerError::UnknownGeneration(generation_id.to_owned()))?;
        match update.status {
            // Still running: only a real (non-zero) reported charge replaces the estimate; a zero
            // would release the budget's reservation before the outcome is known.
            TaskStatus::Queued | TaskStatus::Running => match update.charged {
                Some(amount) if !amount.amount.is_zero() => {
                    self.record_charge(generation_id, amount, at)
                }
                _ => Ok(entry),
            },
            // A charge already known keeps its source (a MiniMax list price stays a list price
            // when the finished video is checked again); only a reported amount replaces it.
            TaskStatus::Succeeded => match (update.charged, &entry.state) {
                (Some(amount), _) => self.record_charge(generation_id, amount, at),
                (None, SpendState::Charged { .. }) => Ok(entry),
                (None, _) => self.record_list_price_charge(generation_id, at),
            },
            TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Expired => {
                let money = update.failure.as_ref().map_or(
                    // No classified failure: MiniMax documents failures as not charged; the
                    // others do not say.
                    if entry.provider.is_minimax() {
                        MoneyState::NotCharged
                    } else {
                        MoneyState::Unknown
                    },
                    ProviderError::money,
                );
                let reason = update
                    .failure
                    .as_ref()
                    .map(ToString::to_string)
                    .or_else(|| update.detail.clone())
                    .unwrap_or_else(|| {
                        format!("{} ended the generation without a video.", entry.provider)
                    });
                self.record_money_state(generation_id, money, update.charged, &reason, at)
            }
        }
    }

    /// A generation ended by the provider's answer while it was followed, with what that answer
    /// implies about money.
    pub fn record_ended(
        &self,
        generation_id: &str,
        money: MoneyState,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, LedgerError> {
        self.record_money_state(generation_id, money, None, reason, at)
    }

    fn record_money_state(
        &self,
        generation_id: &str,
        money: MoneyState,
        charged: Option<Money>,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, LedgerError> {
        match money {
            MoneyState::NotCharged => self.record_not_charged(generation_id, reason, at),
            MoneyState::Unknown => self.record_may_have_been_charged(generation_id, reason, at),
            MoneyState::Charged => match charged {
                Some(amount) => self.record_charge(generation_id, amount, at),
                // A charge already known keeps its amount and where it came from.
                None => self.update(generation_id, at, |entry| match &entry.state {
                    SpendState::Charged { .. } => entry.state.clone(),
                    _ => SpendState::Charged {
                        amount: entry.estimate,
                        how: ChargeSource::ListPrice,
                    },
                }),
            },
        }
    }

    /// This month's spending in one currency, in `now`'s offset.
    pub fn month_spend(&self, currency: Currency, now: OffsetDateTime) -> MonthSpend {
        month_spend(self.view().entries.values(), currency, now)
    }

    /// Today, this month and all time, per currency and provider, with in-flight and
    /// "may have been charged" amounts apart. Days and months are those of `now`'s offset.
    pub fn summary(
        &self,
        now: OffsetDateTime,
        budgets: &BTreeMap<Currency, Decimal>,
    ) -> SpendingSummary {
        let inner = self.view();
        let mut today = Totals::default();
        let mut this_month = Totals::default();
        let mut all_time = Totals::default();
        let mut in_flight = Totals::default();
        let mut may_have_been_charged = Totals::default();
        for entry in inner.entries.values() {
            let local = entry.submitted_at.to_offset(now.offset());
            let same_month = local.year() == now.year() && local.month() == now.month();
            let same_day = same_month && local.day() == now.day();
            match &entry.state {
                SpendState::Charged { amount, .. } => {
                    all_time.add(entry.provider, *amount);
                    if same_month {
                        this_month.add(entry.provider, *amount);
                    }
                    if same_day {
                        today.add(entry.provider, *amount);
                    }
                }
                SpendState::InFlight => in_flight.add(entry.provider, entry.estimate),
                SpendState::MayHaveBeenCharged { at_risk, .. } => {
                    may_have_been_charged.add(entry.provider, *at_risk)
                }
                SpendState::NotCharged { .. } => {}
            }
        }
        let budgets = budgets
            .iter()
            .map(|(currency, limit)| {
                let month = month_spend(inner.entries.values(), *currency, now);
                BudgetStatus::new(&month, *limit)
            })
            .collect();
        SpendingSummary {
            today: today.finish(),
            this_month: this_month.finish(),
            all_time: all_time.finish(),
            in_flight: in_flight.finish(),
            may_have_been_charged: may_have_been_charged.finish(),
            budgets,
            damaged_lines: inner.damaged_lines,
        }
    }

    /// Writes every entry as CSV: date (in `offset`), generation id, provider, model,
    /// resolution, duration, prompt excerpt, status, amount, currency, basis.
    pub fn export_csv(&self, offset: UtcOffset, out: impl Write) -> Result<(), LedgerError> {
        let export = |err: csv::Error| LedgerError::Export(err.to_string());
        let mut writer = csv::Writer::from_writer(out);
        writer
            .write_record([
                "date",
                "generation id",
                "provider",
                "model",
                "resolution",
                "duration",
                "prompt excerpt",
                "status",
                "amount",
                "currency",
                "basis",
            ])
            .map_err(export)?;
        let date_format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
        for entry in self.entries() {
            let date = entry
                .submitted_at
                .to_offset(offset)
                .format(&date_format)
                .map_err(|err| LedgerError::Export(err.to_string()))?;
            let (amount, basis) = match &entry.state {
                SpendState::InFlight => (entry.estimate, entry.estimate_basis.word()),
                SpendState::Charged { amount, how } => (
                    *amount,
                    match how {
                        ChargeSource::Reported => "reported by provider",
                        ChargeSource::ListPrice => "list price",
                    },
                ),
                SpendState::NotCharged { .. } => (
                    // Two decimals, so a spreadsheet shows 0.00 like the other amounts.
                    Money::new(Decimal::new(0, 2), entry.estimate.currency),
                    "provider says not charged",
                ),
                SpendState::MayHaveBeenCharged { at_risk, .. } => (*at_risk, "amount at risk"),
            };
            writer
                .write_record([
                    date.as_str(),
                    &entry.generation_id,
                    entry.provider.display_name(),
                    entry.model.display_name(),
                    entry.resolution.as_minimax(),
                    &entry.duration.to_string(),
                    &spreadsheet_safe(&entry.prompt_excerpt),
                    entry.state.word(),
                    &amount.amount.to_string(),
                    currency_code(amount.currency),
                    basis,
                ])
                .map_err(export)?;
        }
        writer
            .flush()
            .map_err(|err| LedgerError::Export(err.to_string()))
    }

    /// The whole export as a string.
    pub fn csv(&self, offset: UtcOffset) -> Result<String, LedgerError> {
        let mut out = Vec::new();
        self.export_csv(offset, &mut out)?;
        String::from_utf8(out).map_err(|err| LedgerError::Export(err.to_string()))
    }

    /// Writes the CSV export to `path` whole or not at all: a temporary file beside it, synced,
    /// then renamed over it, so an existing export is never left half-written.
    pub fn export_csv_to(&self, path: &Path, offset: UtcOffset) -> Result<(), LedgerError> {
        let disk = |source| LedgerError::Disk {
            path: path.to_owned(),
            source,
        };
        let mut name = path.file_name().unwrap_or_default().to_owned();
        name.push(".part");
        let partial = path.with_file_name(name);
        let written = (|| {
            let mut file = File::create(&partial).map_err(disk)?;
            self.export_csv(offset, &mut file)?;
            file.sync_all().map_err(disk)?;
            std::fs::rename(&partial, path).map_err(disk)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        written
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave the map half-updated: it changes only after a write.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn view(&self) -> MutexGuard<'_, View> {
        self.view
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn insert_new(
        &self,
        inner: &mut Inner,
        generation_id: &str,
        request: &GenerationRequest,
        quote: &Quote,
        at: OffsetDateTime,
    ) -> Result<SpendEntry, LedgerError> {
        if self.view().entries.contains_key(generation_id) {
            return Err(LedgerError::AlreadyRecorded(generation_id.to_owned()));
        }
        let entry = SpendEntry {
            generation_id: generation_id.to_owned(),
            submitted_at: at,
            updated_at: at,
            provider: quote.provider,
            model: quote.model,
            resolution: quote.resolution,
            duration: quote.duration,
            prompt_excerpt: excerpt(&request.prompt),
            estimate: quote.price,
            estimate_basis: quote.basis.clone(),
            state: SpendState::InFlight,
            task_id: None,
        };
        self.append(inner, entry)
    }

    fn update(
        &self,
        generation_id: &str,
        at: OffsetDateTime,
        next: impl FnOnce(&SpendEntry) -> SpendState,
    ) -> Result<SpendEntry, LedgerError> {
        self.change(generation_id, |entry| {
            let state = next(entry);
            if state == entry.state {
                // Polls repeat themselves; the ledger only grows when something changed.
                return false;
            }
            entry.state = state;
            entry.updated_at = at;
            true
        })
    }

    /// Changes an entry under the writers' lock; `edit` answers whether anything changed.
    fn change(
        &self,
        generation_id: &str,
        edit: impl FnOnce(&mut SpendEntry) -> bool,
    ) -> Result<SpendEntry, LedgerError> {
        let mut inner = self.lock();
        let mut entry = self
            .entry(generation_id)
            .ok_or_else(|| LedgerError::UnknownGeneration(generation_id.to_owned()))?;
        if !edit(&mut entry) {
            return Ok(entry);
        }
        self.append(&mut inner, entry)
    }

    /// Appends the entry's new state and fsyncs; only then does the in-memory view change.
    fn append(&self, inner: &mut Inner, entry: SpendEntry) -> Result<SpendEntry, LedgerError> {
        let disk = |source| LedgerError::Disk {
            path: self.path.clone(),
            source,
        };
        let mut line = serde_json::to_vec(&entry)
            .map_err(|err| disk(std::io::Error::new(std::io::ErrorKind::InvalidData, err)))?;
        line.push(b'\n');
        let written = inner
            .file
            .write_all(&line)
            .and_then(|()| inner.file.sync_data());
        if let Err(err) = written {
            // Leave no half line for the next append to be glued to.
            let _ = inner.file.set_len(inner.len);
            return Err(disk(err));
        }
        inner.len += line.len() as u64;
        self.view()
            .entries
            .insert(entry.generation_id.clone(), entry.clone());
        Ok(entry)
    }
}

/// Why a submit was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum SubmitRefused {
    #[error(transparent)]
    OverBudget(#[from] BudgetRefusal),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

fn month_spend<'a>(
    entries: impl Iterator<Item = &'a SpendEntry>,
    currency: Currency,
    now: OffsetDateTime,
) -> MonthSpend {
    let mut month = MonthSpend::zero(currency);
    for entry in entries {
        let local = entry.submitted_at.to_offset(now.offset());
        if local.year() != now.year() || local.month() != now.month() {
            continue;
        }
        match &entry.state {
            SpendState::Charged { amount, .. } if amount.currency == currency => {
                month.spent.amount += amount.amount
            }
            SpendState::InFlight if entry.estimate.currency == currency => {
                month.in_flight.amount += entry.estimate.amount
            }
            SpendState::MayHaveBeenCharged { at_risk, .. } if at_risk.currency == currency => {
                month.at_risk.amount += at_risk.amount
            }
            _ => {}
        }
    }
    month
}

/// The spending screen's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpendingSummary {
    pub today: Vec<CurrencyTotal>,
    pub this_month: Vec<CurrencyTotal>,
    pub all_time: Vec<CurrencyTotal>,
    /// Estimates of generations still being made (any date).
    pub in_flight: Vec<CurrencyTotal>,
    /// Amounts at risk where the outcome is unknown (any date).
    pub may_have_been_charged: Vec<CurrencyTotal>,
    /// One per currency with a budget set.
    pub budgets: Vec<BudgetStatus>,
    pub damaged_lines: usize,
}

/// A sum in one currency, and how it splits across providers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTotal {
    pub total: Money,
    pub generations: usize,
    pub by_provider: Vec<ProviderTotal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderTotal {
    pub provider: Provider,
    pub amount: Money,
    pub generations: usize,
}

/// The month's budget in one currency, for the budget bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetStatus {
    pub limit: Money,
    pub spent: Money,
    pub in_flight: Money,
    pub at_risk: Money,
    /// What can still be spent this month; zero once the budget is used up.
    pub left: Money,
}

impl BudgetStatus {
    fn new(month: &MonthSpend, limit: Decimal) -> Self {
        let currency = month.spent.currency;
        BudgetStatus {
            limit: Money::new(limit, currency),
            spent: month.spent,
            in_flight: month.in_flight,
            at_risk: month.at_risk,
            left: month.left(limit),
        }
    }
}

#[derive(Default)]
struct Totals(BTreeMap<Currency, BTreeMap<Provider, (Decimal, usize)>>);

impl Totals {
    fn add(&mut self, provider: Provider, money: Money) {
        let slot = self
            .0
            .entry(money.currency)
            .or_default()
            .entry(provider)
            .or_default();
        slot.0 += money.amount;
        slot.1 += 1;
    }

    fn finish(self) -> Vec<CurrencyTotal> {
        self.0
            .into_iter()
            .map(|(currency, providers)| CurrencyTotal {
                total: Money::new(providers.values().map(|(sum, _)| *sum).sum(), currency),
                generations: providers.values().map(|(_, n)| n).sum(),
                by_provider: providers
                    .into_iter()
                    .map(|(provider, (amount, generations))| ProviderTotal {
                        provider,
                        amount: Money::new(amount, currency),
                        generations,
                    })
                    .collect(),
            })
            .collect()
    }
}

pub use crate::clock::{local_now, now_at_offset};

fn excerpt(prompt: &str) -> String {
    let prompt = prompt.split_whitespace().collect::<Vec<_>>().join(" ");
    if prompt.chars().count() <= PROMPT_EXCERPT_CHARS {
        return prompt;
    }
    let mut cut: String = prompt.chars().take(PROMPT_EXCERPT_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula; a prompt must
/// never become one, so such a cell is prefixed with an apostrophe.
fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

fn currency_code(currency: Currency) -> &'static str {
    match currency {
        Currency::Usd => "USD",
        Currency::Cny => "CNY",
    }
}

/// Reads this installation's id, or makes one (written whole and synced before it is used).
fn installation_id(state_dir: &Path) -> std::io::Result<String> {
    let path = state_dir.join(INSTALLATION_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().to_owned()),
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(err),
    }
    let id = uuid::Uuid::new_v4().to_string();
    let partial = state_dir.join(format!("{INSTALLATION_FILE}.part"));
    let mut file = File::create(&partial)?;
    file.write_all(id.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&partial, &path)?;
    sync_dir(state_dir)?;
    Ok(id)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}
