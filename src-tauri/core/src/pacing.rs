//! When to ask a provider again: the poll schedule for one generation, and the request pace per provider.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::poll_schedule::NearFinish;
use crate::provider::Provider;

/// After this long at the provider, a generation is "still generating" and checked slowly.
pub const LONG_RUNNING_AFTER: Duration = Duration::from_secs(30 * 60);

/// When to look at a generation next, following the providers' guidance: the first look after
/// about 10 s, then backing off to about 30 s, and every 2 minutes once it has run 30 minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollSchedule {
    pub first: Duration,
    pub step: Duration,
    pub steady: Duration,
    pub slow: Duration,
    pub long_running_after: Duration,
    /// Whether a service's own documented schedule bounds how soon a check may come
    /// ([`linkmodel_floor`]); off in `quick`, whose milliseconds stand for seconds.
    pub documented_floors: bool,
    /// Checks shaped by past times of the same kind (`poll_schedule`); `None` keeps the above.
    pub near_finish: Option<NearFinish>,
}

impl Default for PollSchedule {
    fn default() -> Self {
        PollSchedule {
            first: Duration::from_secs(10),
            step: Duration::from_secs(5),
            steady: Duration::from_secs(30),
            slow: Duration::from_secs(120),
            long_running_after: LONG_RUNNING_AFTER,
            documented_floors: true,
            near_finish: Some(NearFinish::default()),
        }
    }
}

impl PollSchedule {
    /// A schedule in milliseconds, for tests and the emulator.
    pub fn quick() -> Self {
        PollSchedule {
            first: Duration::from_millis(20),
            step: Duration::from_millis(10),
            steady: Duration::from_millis(50),
            slow: Duration::from_millis(100),
            long_running_after: Duration::from_secs(5),
            documented_floors: false,
            near_finish: None,
        }
    }

    /// The wait before check number `checks_done + 1`, given how long the generation has been at
    /// the provider and any `Retry-After` the provider asked for.
    pub fn next_wait(
        &self,
        checks_done: u32,
        at_provider_for: Duration,
        retry_after: Option<Duration>,
    ) -> Duration {
        let planned = if at_provider_for >= self.long_running_after {
            self.slow
        } else if checks_done == 0 {
            self.first
        } else {
            (self.first + self.step * checks_done).min(self.steady)
        };
        planned.max(retry_after.unwrap_or_default())
    }

    pub fn is_long_running(&self, at_provider_for: Duration) -> bool {
        at_provider_for >= self.long_running_after
    }

    /// `planned` (the wait this schedule chose), lengthened where `provider` documents that it
    /// should not be asked that soon.
    pub fn within_documented_floor(
        &self,
        provider: Provider,
        at_provider_for: Duration,
        planned: Duration,
    ) -> Duration {
        match provider {
            Provider::LinkModel if self.documented_floors => {
                planned.max(linkmodel_floor(at_provider_for))
            }
            _ => planned,
        }
    }
}

/// The least wait before asking LinkModel about a task that has been there `at_provider_for`,
/// from its documented schedule (docs/providers.md): nothing for the first 30 s, then every 5 s
/// until 2 min, every 3 s until 4, every 8 s until 8, every 15 s after that. Its own client stops
/// at 15 min, but the task may still finish and it is paid for: it is never given up, and the
/// schedule's slower pace decides from there.
pub fn linkmodel_floor(at_provider_for: Duration) -> Duration {
    const FIRST: Duration = Duration::from_secs(30);
    let minutes = at_provider_for.as_secs() / 60;
    if at_provider_for < FIRST {
        FIRST - at_provider_for
    } else if minutes < 2 {
        Duration::from_secs(5)
    } else if minutes < 4 {
        Duration::from_secs(3)
    } else if minutes < 8 {
        Duration::from_secs(8)
    } else {
        Duration::from_secs(15)
    }
}

/// The most requests a provider takes in a window of time. MiniMax lists 20 video requests a
/// minute for the Hailuo series (providers.md, re-checked December 2026; it was 5 earlier): the
/// pace starts there, slows when MiniMax says "too many" and recovers step by step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestBudget {
    pub requests: u32,
    pub per: Duration,
}

impl RequestBudget {
    pub fn documented(provider: Provider) -> Option<RequestBudget> {
        provider.is_minimax().then_some(RequestBudget {
            requests: 20,
            per: Duration::from_secs(60),
        })
    }
}

/// One provider's pace right now: the budget it may use, lowered after "too many requests".
#[derive(Debug, Default)]
struct Pace {
    /// When recent requests were (or are booked to be) sent.
    sent: Vec<Instant>,
    /// Requests per window allowed now; `None` = the whole budget.
    limit: Option<u32>,
    /// No request before this (the provider's Retry-After).
    hold_until: Option<Instant>,
    /// Answers that went through since the limit last changed.
    calm: u32,
}

/// Spaces requests to each provider so that all generations together stay inside its budget.
/// Callers wait their turn with [`RequestPacer::wait_turn`]; no lock is held while waiting.
/// One pacer is shared by every generation (the queue holds it in an `Arc`).
#[derive(Debug, Default)]
pub struct RequestPacer {
    budgets: HashMap<Provider, RequestBudget>,
    paces: Mutex<HashMap<Provider, Pace>>,
}

impl RequestPacer {
    pub fn new(budgets: HashMap<Provider, RequestBudget>) -> Self {
        RequestPacer {
            budgets,
            paces: Mutex::default(),
        }
    }

    /// The documented limits (MiniMax: 20 a minute).
    pub fn documented() -> Self {
        Self::new(
            Provider::ALL
                .into_iter()
                .filter_map(|p| RequestBudget::documented(p).map(|b| (p, b)))
                .collect(),
        )
    }

    /// Books the next free slot for `provider` and sleeps until it comes.
    pub async fn wait_turn(&self, provider: Provider) {
        let at = self.book(provider, Instant::now());
        tokio::time::sleep_until(at).await;
    }

    /// The requests per window `provider` may send now (`None`: not paced).
    pub fn current_limit(&self, provider: Provider) -> Option<u32> {
        let budget = self.budgets.get(&provider)?;
        let paces = self.paces.lock().unwrap_or_else(|p| p.into_inner());
        Some(
            paces
                .get(&provider)
                .and_then(|p| p.limit)
                .unwrap_or(budget.requests),
        )
    }

    /// The provider said "too many requests" (MiniMax 1002, HTTP 429): halve the pace, and send
    /// nothing before its `Retry-After` when it gave one.
    pub fn slow_down(&self, provider: Provider, retry_after: Option<Duration>) {
        self.slow_down_at(provider, retry_after, Instant::now());
    }

    fn slow_down_at(&self, provider: Provider, retry_after: Option<Duration>, now: Instant) {
        let Some(budget) = self.budgets.get(&provider).copied() else {
            return;
        };
        let mut paces = self.paces.lock().unwrap_or_else(|p| p.into_inner());
        let pace = paces.entry(provider).or_default();
        let limit = pace.limit.unwrap_or(budget.requests);
        pace.limit = Some((limit / 2).max(1));
        pace.calm = 0;
        if let Some(wait) = retry_after {
            let until = now + wait;
            pace.hold_until = Some(pace.hold_until.map_or(until, |h| h.max(until)));
        }
        tracing::info!(
            provider = provider.id(),
            limit = (limit / 2).max(1),
            ?retry_after,
            "the provider asked for fewer requests: slowing down"
        );
    }

    /// A request went through: after a whole window's worth of them, one more request per
    /// window is allowed again, up to the budget.
    pub fn went_through(&self, provider: Provider) {
        let Some(budget) = self.budgets.get(&provider).copied() else {
            return;
        };
        let mut paces = self.paces.lock().unwrap_or_else(|p| p.into_inner());
        let pace = paces.entry(provider).or_default();
        let Some(limit) = pace.limit else {
            return;
        };
        pace.calm += 1;
        if pace.calm >= limit {
            pace.calm = 0;
            pace.limit = (limit + 1 < budget.requests).then_some(limit + 1);
        }
    }

    /// Reserves a send time: now if the window has room, else when its oldest request leaves it;
    /// never before a `Retry-After` the provider asked for.
    fn book(&self, provider: Provider, now: Instant) -> Instant {
        let Some(budget) = self.budgets.get(&provider).copied() else {
            return now;
        };
        let mut paces = self.paces.lock().unwrap_or_else(|p| p.into_inner());
        let pace = paces.entry(provider).or_default();
        let limit = pace.limit.unwrap_or(budget.requests).max(1) as usize;
        let earliest = pace.hold_until.map_or(now, |h| h.max(now));
        let times = &mut pace.sent;
        times.retain(|t| *t + budget.per > now);
        let slot = if times.len() < limit {
            // Room in the window, but never before a slot already booked for later.
            times
                .last()
                .copied()
                .map_or(earliest, |last| last.max(earliest))
        } else {
            (times[times.len() - limit] + budget.per).max(earliest)
        };
        times.push(slot);
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_starts_after_ten_seconds_and_backs_off_to_thirty() {
        let schedule = PollSchedule::default();
        let waits: Vec<u64> = (0..7)
            .map(|n| {
                schedule
                    .next_wait(n, Duration::from_secs(60), None)
                    .as_secs()
            })
            .collect();
        assert_eq!(waits, [10, 15, 20, 25, 30, 30, 30]);
    }

    #[test]
    fn after_thirty_minutes_a_generation_is_checked_every_two_minutes() {
        let schedule = PollSchedule::default();
        let at = Duration::from_secs(31 * 60);
        assert!(schedule.is_long_running(at));
        assert_eq!(schedule.next_wait(50, at, None), Duration::from_secs(120));
    }

    #[test]
    fn linkmodel_is_first_asked_after_thirty_seconds_then_never_sooner_than_its_documented_gaps() {
        let schedule = PollSchedule::default();
        let secs = Duration::from_secs;
        let floor = |at: u64, planned: u64| {
            schedule
                .within_documented_floor(Provider::LinkModel, secs(at), secs(planned))
                .as_secs()
        };
        // The first check comes at 30 s, not at the usual 10 s.
        assert_eq!(floor(0, 10), 30);
        assert_eq!(floor(12, 10), 18);
        // Later, the documented gap is a floor under the plan, phase by phase.
        assert_eq!(floor(40, 1), 5);
        assert_eq!(floor(3 * 60, 1), 3);
        assert_eq!(floor(5 * 60, 1), 8);
        assert_eq!(floor(10 * 60, 1), 15);
        assert_eq!(floor(40, 30), 30, "a longer plan stays");
        // After 15 min it is still checked (its own client stops), at the schedule's slow pace.
        let late = secs(40 * 60);
        assert_eq!(
            schedule.within_documented_floor(
                Provider::LinkModel,
                late,
                schedule.next_wait(80, late, None)
            ),
            secs(120)
        );
        // Other services, and the quick schedule of tests, are untouched.
        for provider in [
            Provider::MinimaxGlobal,
            Provider::MinimaxChina,
            Provider::OpenRouter,
        ] {
            assert_eq!(
                schedule.within_documented_floor(provider, secs(0), secs(10)),
                secs(10)
            );
        }
        let quick = PollSchedule::quick();
        assert_eq!(
            quick.within_documented_floor(Provider::LinkModel, secs(0), quick.first),
            quick.first
        );
    }

    #[test]
    fn a_retry_after_from_the_provider_is_never_shortened() {
        let schedule = PollSchedule::default();
        let wait = schedule.next_wait(0, Duration::ZERO, Some(Duration::from_secs(45)));
        assert_eq!(wait, Duration::from_secs(45));
    }

    #[test]
    fn minimax_starts_at_the_listed_twenty_requests_a_minute_across_all_generations() {
        let pacer = RequestPacer::documented();
        let start = Instant::now();
        let secs: Vec<u64> = (0..41)
            .map(|_| (pacer.book(Provider::MinimaxGlobal, start) - start).as_secs())
            .collect();
        assert_eq!(&secs[..20], &[0; 20]);
        assert_eq!(&secs[20..40], &[60; 20]);
        assert_eq!(secs[40], 120);
        assert_eq!(pacer.current_limit(Provider::MinimaxGlobal), Some(20));
    }

    #[test]
    fn the_regions_and_other_providers_are_paced_separately() {
        let pacer = RequestPacer::documented();
        let start = Instant::now();
        for _ in 0..20 {
            pacer.book(Provider::MinimaxGlobal, start);
        }
        assert_eq!(pacer.book(Provider::MinimaxChina, start), start);
        for _ in 0..100 {
            assert_eq!(pacer.book(Provider::OpenRouter, start), start);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_twenty_first_minimax_request_waits_a_minute() {
        let pacer = RequestPacer::documented();
        let start = Instant::now();
        for _ in 0..20 {
            pacer.wait_turn(Provider::MinimaxGlobal).await;
        }
        assert_eq!(Instant::now(), start);
        pacer.wait_turn(Provider::MinimaxGlobal).await;
        assert_eq!(Instant::now() - start, Duration::from_secs(60));
    }

    #[test]
    fn minimax_pacing_slows_on_1002_or_429_honouring_retry_after() {
        let pacer = RequestPacer::documented();
        let start = Instant::now();
        pacer.book(Provider::MinimaxGlobal, start);
        pacer.slow_down_at(Provider::MinimaxGlobal, Some(Duration::from_secs(7)), start);
        assert_eq!(pacer.current_limit(Provider::MinimaxGlobal), Some(10));
        // Nothing before the Retry-After, then at most 10 in the minute.
        let secs: Vec<u64> = (0..11)
            .map(|_| (pacer.book(Provider::MinimaxGlobal, start) - start).as_secs())
            .collect();
        assert_eq!(&secs[..9], &[7; 9]);
        assert_eq!(
            secs[9], 60,
            "the 11th of the window waits for the first to leave it"
        );
        pacer.slow_down_at(Provider::MinimaxGlobal, None, start);
        pacer.slow_down_at(Provider::MinimaxGlobal, None, start);
        pacer.slow_down_at(Provider::MinimaxGlobal, None, start);
        pacer.slow_down_at(Provider::MinimaxGlobal, None, start);
        assert_eq!(
            pacer.current_limit(Provider::MinimaxGlobal),
            Some(1),
            "never below one"
        );
        assert_eq!(pacer.current_limit(Provider::MinimaxChina), Some(20));
    }

    #[test]
    fn minimax_pacing_recovers_gradually_after_a_slow_down() {
        let pacer = RequestPacer::documented();
        pacer.slow_down(Provider::MinimaxGlobal, None);
        assert_eq!(pacer.current_limit(Provider::MinimaxGlobal), Some(10));
        for _ in 0..9 {
            pacer.went_through(Provider::MinimaxGlobal);
        }
        assert_eq!(pacer.current_limit(Provider::MinimaxGlobal), Some(10));
        pacer.went_through(Provider::MinimaxGlobal);
        assert_eq!(
            pacer.current_limit(Provider::MinimaxGlobal),
            Some(11),
            "one step at a time"
        );
        for _ in 0..200 {
            pacer.went_through(Provider::MinimaxGlobal);
        }
        assert_eq!(
            pacer.current_limit(Provider::MinimaxGlobal),
            Some(20),
            "never past the listed figure"
        );
    }
}
