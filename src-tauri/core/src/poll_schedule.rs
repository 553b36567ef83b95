//! Checking a generation where its finish is likely: how long the same kind took before, and the poll plan that follows from it.
//!
//! A check costs a request (MiniMax's are counted against a shared budget) and a late check
//! costs the creator waiting. Given the spread of past times at the service for the same
//! provider, model, resolution and length, the wait between checks is `sqrt(2·c / h(t))`, where
//! `h(t)` is the chance per second of finishing now given it has not finished yet (the hazard)
//! and `c` what one check is worth in seconds of lag: that spacing minimises the expected lag
//! plus `c` times the checks. So checks are sparse while a finish is unlikely and dense around
//! the usual finish, never closer than a floor and never further apart than a ceiling.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use crate::generation::{Model, Resolution};
use crate::library::{Generation, GenerationState};
use crate::pacing::{PollSchedule, RequestBudget};
use crate::provider::Provider;

/// Times of this many recent generations of one kind are kept: services change speed.
const KEEP: usize = 40;

/// The spread (standard deviation of the log of the time) assumed before the history shows
/// its own; each past generation weighs as much as one of these `PRIOR_WEIGHT` guesses.
const PRIOR_SPREAD: f64 = 0.35;
const PRIOR_WEIGHT: f64 = 2.0;
/// Clock granularity and run-to-run noise: no history is trusted to be tighter than this.
const LEAST_SPREAD: f64 = 0.05;

/// Once a generation has taken longer than all but this share of its kind, the history does not
/// describe it (the service is slow today): it is checked on today's schedule, not every few
/// seconds for as long as it takes.
const PAST_USUAL: f64 = 0.01;

/// How the plan near the expected finish is tuned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearFinish {
    /// What one check is worth in seconds of lag: higher means fewer checks and more lag.
    pub check_cost: Duration,
    /// Checks never come closer together than this.
    pub floor: Duration,
    /// Nor further apart than this (while a finish is unlikely).
    pub sparse: Duration,
}

impl Default for NearFinish {
    fn default() -> Self {
        NearFinish::costing(Duration::from_millis(250))
    }
}

impl NearFinish {
    /// The plan for a check worth `check_cost` of lag: checks at least 2 s apart, and while a
    /// finish is unlikely a minute apart (up to 2 minutes for a plan that values checks more
    /// than 4 s of lag each).
    pub fn costing(check_cost: Duration) -> Self {
        let sparse = (30.0 * check_cost.as_secs_f64().sqrt()).clamp(60.0, 120.0);
        NearFinish {
            check_cost,
            floor: Duration::from_secs(2),
            sparse: Duration::from_secs_f64(sparse),
        }
    }
}

/// The likely time at the service of one generation: log-normal, fitted to past times of the
/// same kind (the log-normal is the usual shape of service times: long right tail, never < 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FinishEstimate {
    /// Mean and standard deviation of ln(seconds).
    mu: f64,
    sigma: f64,
}

impl FinishEstimate {
    /// From past times at the service; `None` without any.
    pub fn from_samples(samples: &[Duration]) -> Option<FinishEstimate> {
        let logs: Vec<f64> = samples
            .iter()
            .map(|d| d.as_secs_f64().max(0.5).ln())
            .collect();
        if logs.is_empty() {
            return None;
        }
        let n = logs.len() as f64;
        let mu = logs.iter().sum::<f64>() / n;
        let squares: f64 = logs.iter().map(|l| (l - mu).powi(2)).sum();
        // Few samples say little about the spread: lean on the prior until there are more.
        let variance = (squares + PRIOR_WEIGHT * PRIOR_SPREAD.powi(2)) / (n + PRIOR_WEIGHT);
        Some(FinishEstimate {
            mu,
            sigma: variance.sqrt().max(LEAST_SPREAD),
        })
    }

    /// A log-normal with this median and spread (for tests and the benchmark).
    pub fn with_median(median: Duration, sigma: f64) -> FinishEstimate {
        FinishEstimate {
            mu: median.as_secs_f64().ln(),
            sigma: sigma.max(LEAST_SPREAD),
        }
    }

    pub fn median(&self) -> Duration {
        Duration::from_secs_f64(self.mu.exp())
    }

    /// The mean time, in seconds.
    pub fn mean_secs(&self) -> f64 {
        (self.mu + self.sigma * self.sigma / 2.0).exp()
    }

    /// The chance that it is not finished after `t` seconds.
    pub fn survival(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 1.0;
        }
        0.5 * libm::erfc((t.ln() - self.mu) / (self.sigma * std::f64::consts::SQRT_2))
    }

    /// The chance per second of finishing at `t` seconds given it has not finished before.
    pub fn hazard(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        let z = (t.ln() - self.mu) / self.sigma;
        if z > 8.0 {
            // Far in the tail the ratio below is 0/0 in floating point; its limit is this.
            return z / (t * self.sigma);
        }
        let density = (-0.5 * z * z).exp() / (t * self.sigma * (2.0 * std::f64::consts::PI).sqrt());
        let survival = self.survival(t);
        if survival <= 0.0 {
            return z / (t * self.sigma);
        }
        density / survival
    }
}

impl NearFinish {
    /// The wait before the next check of a generation `at` into its time at the service.
    pub fn wait_at(&self, at: Duration, expected: &FinishEstimate) -> Duration {
        Duration::from_secs_f64(self.wait_secs(at.as_secs_f64(), expected))
    }

    fn wait_secs(&self, t: f64, expected: &FinishEstimate) -> f64 {
        let floor = self.floor.as_secs_f64();
        let sparse = self.sparse.as_secs_f64().max(floor);
        let cost = self.check_cost.as_secs_f64();
        let spacing = |s: f64| {
            let h = expected.hazard(s);
            if h <= 0.0 {
                sparse
            } else {
                (2.0 * cost / h).sqrt().clamp(floor, sparse)
            }
        };
        // The spacing wanted anywhere up to the next check, so that a sparse wait does not jump
        // over the start of the likely finish.
        let mut wait = sparse;
        for _ in 0..6 {
            let tightest = (0..=8)
                .map(|i| spacing(t + wait * f64::from(i) / 8.0))
                .fold(wait, f64::min);
            if tightest >= wait {
                break;
            }
            wait = tightest;
        }
        wait.max(floor)
    }

    /// How many checks this plan makes, on average, for a generation like `expected`.
    pub fn expected_checks(&self, expected: &FinishEstimate) -> f64 {
        let (mut t, mut checks) = (0.0, 0.0);
        // Each planned check happens if the generation was not finished at the one before.
        let mut unfinished = 1.0;
        while unfinished > 1e-3 && t < 4.0 * 3600.0 {
            checks += unfinished;
            t += self.wait_secs(t, expected);
            unfinished = expected.survival(t);
        }
        checks
    }

    /// This plan, made sparser where needed so that a generation like `expected` makes at most
    /// `allowed` checks on average: its share of a provider's request budget.
    pub fn within(&self, expected: &FinishEstimate, allowed: f64) -> NearFinish {
        if self.expected_checks(expected) <= allowed {
            return self.clone();
        }
        let cost = self.check_cost.as_secs_f64().max(0.01);
        let (mut low, mut high) = (cost, cost * 65_536.0);
        for _ in 0..20 {
            let middle = (low * high).sqrt();
            let plan = NearFinish::costing(Duration::from_secs_f64(middle));
            if plan.expected_checks(expected) <= allowed {
                high = middle;
            } else {
                low = middle;
            }
        }
        NearFinish {
            floor: self.floor,
            ..NearFinish::costing(Duration::from_secs_f64(high))
        }
    }
}

impl PollSchedule {
    /// The wait before the next check, knowing how long this kind of generation usually takes.
    /// Without that knowledge (or without a plan near the finish, or once it runs long) it is
    /// [`PollSchedule::next_wait`]; a provider's `Retry-After` is never shortened.
    pub fn next_wait_expecting(
        &self,
        checks_done: u32,
        at_provider_for: Duration,
        retry_after: Option<Duration>,
        expected: Option<&FinishEstimate>,
    ) -> Duration {
        match (&self.near_finish, expected) {
            (Some(near), Some(expected))
                if !self.is_long_running(at_provider_for)
                    && expected.survival(at_provider_for.as_secs_f64()) >= PAST_USUAL =>
            {
                near.wait_at(at_provider_for, expected)
                    .max(retry_after.unwrap_or_default())
            }
            _ => self.next_wait(checks_done, at_provider_for, retry_after),
        }
    }
}

impl PollSchedule {
    /// This schedule for one generation like `expected` that shares a provider's request
    /// `budget` with up to `sharing` generations: its plan near the finish is made sparser where
    /// it would take more than its share (each generation's time in flight at most that many
    /// requests). Without a budget, or a plan, or an estimate, it is unchanged.
    pub fn within_share(
        &self,
        expected: Option<&FinishEstimate>,
        budget: Option<RequestBudget>,
        sharing: usize,
    ) -> PollSchedule {
        let (Some(near), Some(expected), Some(budget)) = (&self.near_finish, expected, budget)
        else {
            return self.clone();
        };
        let per_second =
            f64::from(budget.requests) / budget.per.as_secs_f64().max(1.0) / sharing.max(1) as f64;
        let allowed = (per_second * expected.mean_secs()).max(1.0);
        PollSchedule {
            near_finish: Some(near.within(expected, allowed)),
            ..self.clone()
        }
    }
}

/// What decides how long a generation takes at the service.
type Kind = (Provider, Model, Resolution, u8);

fn kind(generation: &Generation) -> Kind {
    let request = &generation.request;
    (
        request.provider,
        request.model,
        request.resolution,
        request.duration,
    )
}

/// When the service got it: the first state after the submit.
pub fn at_provider_since(generation: &Generation) -> time::OffsetDateTime {
    generation
        .history
        .iter()
        .find(|c| {
            matches!(
                c.state,
                GenerationState::Queued | GenerationState::Running | GenerationState::Unknown
            )
        })
        .map_or(generation.created_at, |c| c.at)
}

/// How long a finished generation was at the service: from the submit's answer to the check
/// that found it finished (so it includes that check's lag, which is small with this plan).
pub fn time_at_provider(generation: &Generation) -> Option<Duration> {
    let since = at_provider_since(generation);
    let finished = generation
        .history
        .iter()
        .find(|c| c.state == GenerationState::Downloading)?
        .at;
    (finished - since).try_into().ok()
}

/// The recent times at the service of each kind of generation, learnt from the library at
/// start and from every generation that finishes.
#[derive(Debug, Default)]
pub struct FinishTimes {
    by_kind: Mutex<HashMap<Kind, VecDeque<Duration>>>,
}

impl FinishTimes {
    pub fn remember(&self, generation: &Generation) {
        let Some(took) = time_at_provider(generation) else {
            return;
        };
        let mut by_kind = self.by_kind.lock().unwrap_or_else(|p| p.into_inner());
        let times = by_kind.entry(kind(generation)).or_default();
        if times.len() == KEEP {
            times.pop_front();
        }
        times.push_back(took);
    }

    /// What the times of generations like this one say about it; `None` before the first.
    pub fn estimate(&self, generation: &Generation) -> Option<FinishEstimate> {
        let by_kind = self.by_kind.lock().unwrap_or_else(|p| p.into_inner());
        let times = by_kind.get(&kind(generation))?;
        let times: Vec<Duration> = times.iter().copied().collect();
        FinishEstimate::from_samples(&times)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule() -> PollSchedule {
        PollSchedule::default()
    }

    fn three_minutes() -> FinishEstimate {
        FinishEstimate::with_median(Duration::from_secs(180), 0.25)
    }

    fn wait(at_secs: u64, expected: Option<&FinishEstimate>) -> Duration {
        schedule().next_wait_expecting(3, Duration::from_secs(at_secs), None, expected)
    }

    #[test]
    fn checks_are_sparse_while_a_finish_is_unlikely() {
        let expected = three_minutes();
        assert_eq!(wait(0, Some(&expected)), Duration::from_secs(60));
        assert_eq!(wait(20, Some(&expected)), Duration::from_secs(60));
        // Far sparser than today's schedule, which checks every 30 s by then.
        assert!(wait(20, Some(&expected)) > wait(20, None));
    }

    #[test]
    fn checks_are_dense_around_the_expected_finish() {
        let expected = three_minutes();
        for at in [150, 170, 180, 190, 210] {
            let near = wait(at, Some(&expected));
            assert!(
                near <= Duration::from_secs(10),
                "{near:?} at {at} s is not dense"
            );
            assert!(near < wait(at, None));
        }
        assert!(wait(180, Some(&expected)) < wait(60, Some(&expected)));
    }

    #[test]
    fn a_sparse_wait_does_not_jump_over_the_likely_finish() {
        let expected = three_minutes();
        // At 100 s a 60 s wait would land at 160 s, past the start of the likely finish.
        let at = Duration::from_secs(100);
        let next = at + wait(100, Some(&expected));
        assert!(next < Duration::from_secs(150), "next check at {next:?}");
    }

    #[test]
    fn checks_never_come_faster_than_the_floor() {
        let tight = FinishEstimate::with_median(Duration::from_secs(180), 0.0);
        let floor = schedule().near_finish.unwrap().floor;
        for at in (0..400).step_by(5) {
            assert!(wait(at, Some(&tight)) >= floor);
        }
    }

    #[test]
    fn the_queue_checks_near_the_expected_finish_by_default_and_tests_keep_quick_polling() {
        let normal = crate::queue::QueueConfig::default().schedule;
        assert_eq!(normal.near_finish, Some(NearFinish::default()));
        assert_eq!(
            crate::queue::QueueConfig::quick().schedule.near_finish,
            None
        );
    }

    #[test]
    fn without_history_the_schedule_is_todays() {
        let schedule = schedule();
        for (checks, at) in [(0, 0), (1, 10), (4, 70), (9, 200)] {
            let at = Duration::from_secs(at);
            assert_eq!(
                schedule.next_wait_expecting(checks, at, None, None),
                schedule.next_wait(checks, at, None)
            );
        }
    }

    #[test]
    fn a_generation_far_later_than_its_kind_is_checked_on_todays_schedule() {
        let expected = three_minutes();
        // Three minutes typical, ±25 %: at ten minutes the history no longer describes it.
        let at = Duration::from_secs(600);
        assert_eq!(
            schedule().next_wait_expecting(12, at, None, Some(&expected)),
            schedule().next_wait(12, at, None)
        );
    }

    #[test]
    fn a_long_running_generation_is_checked_slowly_as_today() {
        let expected = three_minutes();
        let at = Duration::from_secs(31 * 60);
        assert_eq!(
            schedule().next_wait_expecting(20, at, None, Some(&expected)),
            Duration::from_secs(120)
        );
    }

    #[test]
    fn a_retry_after_is_never_shortened_near_the_finish() {
        let expected = three_minutes();
        let asked = Duration::from_secs(40);
        let wait = schedule().next_wait_expecting(
            3,
            Duration::from_secs(180),
            Some(asked),
            Some(&expected),
        );
        assert_eq!(wait, asked);
    }

    #[test]
    fn a_plan_kept_within_a_share_of_the_budget_makes_no_more_checks_than_that() {
        let expected = three_minutes();
        let dense = NearFinish::costing(Duration::from_millis(60));
        assert!(dense.expected_checks(&expected) > 20.0);
        let shared = dense.within(&expected, 6.0);
        let checks = shared.expected_checks(&expected);
        assert!((5.0..=6.0).contains(&checks), "{checks} checks");
        // A plan already within its share is left as it is.
        assert_eq!(shared.within(&expected, 50.0), shared);
    }

    #[test]
    fn a_generation_takes_no_more_than_its_share_of_a_limited_service() {
        let expected = three_minutes();
        let schedule = schedule();
        let five_a_minute = RequestBudget {
            requests: 5,
            per: Duration::from_secs(60),
        };
        // Three at MiniMax sharing 5 a minute: about 5 requests each over ~3 minutes.
        let shared = schedule.within_share(Some(&expected), Some(five_a_minute), 3);
        let checks = shared
            .near_finish
            .as_ref()
            .unwrap()
            .expected_checks(&expected);
        let share = 5.0 / 60.0 / 3.0 * expected.mean_secs();
        assert!(checks <= share, "{checks} checks for a share of {share}");
        // No published limit, or no history: the schedule as it is.
        assert_eq!(schedule.within_share(Some(&expected), None, 3), schedule);
        assert_eq!(
            schedule.within_share(None, Some(five_a_minute), 3),
            schedule
        );
    }

    #[test]
    fn the_time_at_the_service_is_learnt_from_finished_generations() {
        use crate::generation::GenerationRequest;
        use crate::library::RecordedRequest;
        use time::macros::datetime;

        let request = GenerationRequest {
            provider: Provider::MinimaxGlobal,
            model: Model::Hailuo23,
            prompt: "A lighthouse".into(),
            first_frame: None,
            duration: 6,
            resolution: Resolution::P1080,
            prompt_optimizer: false,
            fast_pretreatment: false,
        };
        let start = datetime!(2026-12-02 05:00 UTC);
        let mut generation =
            Generation::new(RecordedRequest::from_request(&request, None), None, start);
        let times = FinishTimes::default();
        assert_eq!(times.estimate(&generation), None);
        let second = time::Duration::seconds(1);
        for (state, at) in [
            (GenerationState::Queued, 2),
            (GenerationState::Running, 30),
            (GenerationState::Downloading, 242),
            (GenerationState::Done, 245),
        ] {
            generation
                .advance(state, start + second * at, None)
                .unwrap();
        }
        assert_eq!(
            time_at_provider(&generation),
            Some(Duration::from_secs(240))
        );
        times.remember(&generation);
        let estimate = times.estimate(&generation).unwrap();
        assert_eq!(estimate.median().as_secs(), 240);
    }

    #[test]
    fn the_estimate_follows_past_times_and_starts_wide() {
        assert!(FinishEstimate::from_samples(&[]).is_none());
        let one = FinishEstimate::from_samples(&[Duration::from_secs(200)]).unwrap();
        assert!((one.median().as_secs_f64() - 200.0).abs() < 0.5);
        let many: Vec<Duration> = (0..30).map(|i| Duration::from_secs(195 + i % 10)).collect();
        let settled = FinishEstimate::from_samples(&many).unwrap();
        // One sample leaves the prior's spread nearly whole; thirty close ones narrow it.
        assert!(one.sigma > 0.25 && settled.sigma < 0.12);
    }
}
