//! When to ask a provider again: the poll schedule for one generation, and the request pace per provider.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

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
}

impl Default for PollSchedule {
    fn default() -> Self {
        PollSchedule {
            first: Duration::from_secs(10),
            step: Duration::from_secs(5),
            steady: Duration::from_secs(30),
            slow: Duration::from_secs(120),
            long_running_after: LONG_RUNNING_AFTER,
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
}

/// The most requests a provider takes in a window of time. MiniMax allows 5 video requests a
/// minute on pay-as-you-go (providers.md); the others publish no number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestBudget {
    pub requests: u32,
    pub per: Duration,
}

impl RequestBudget {
    pub fn documented(provider: Provider) -> Option<RequestBudget> {
        provider.is_minimax().then_some(RequestBudget {
            requests: 5,
            per: Duration::from_secs(60),
        })
    }
}

/// Spaces requests to each provider so that all generations together stay inside its budget.
/// Callers wait their turn with [`RequestPacer::wait_turn`]; no lock is held while waiting.
#[derive(Debug, Default)]
pub struct RequestPacer {
    budgets: HashMap<Provider, RequestBudget>,
    /// When each provider's recent requests were (or are booked to be) sent.
    sent: Mutex<HashMap<Provider, Vec<Instant>>>,
}

impl RequestPacer {
    pub fn new(budgets: HashMap<Provider, RequestBudget>) -> Self {
        RequestPacer {
            budgets,
            sent: Mutex::default(),
        }
    }

    /// The documented limits (MiniMax: 5 a minute).
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

    /// Reserves a send time: now if the window has room, else when its oldest request leaves it.
    fn book(&self, provider: Provider, now: Instant) -> Instant {
        let Some(budget) = self.budgets.get(&provider).copied() else {
            return now;
        };
        let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        let times = sent.entry(provider).or_default();
        times.retain(|t| *t + budget.per > now);
        let slot = if times.len() < budget.requests as usize {
            // Room in the window, but never before a slot already booked for later.
            times.last().copied().map_or(now, |last| last.max(now))
        } else {
            times[times.len() - budget.requests as usize] + budget.per
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
    fn a_retry_after_from_the_provider_is_never_shortened() {
        let schedule = PollSchedule::default();
        let wait = schedule.next_wait(0, Duration::ZERO, Some(Duration::from_secs(45)));
        assert_eq!(wait, Duration::from_secs(45));
    }

    #[test]
    fn minimax_gets_five_requests_a_minute_across_all_generations() {
        let pacer = RequestPacer::documented();
        let start = Instant::now();
        let slots: Vec<Duration> = (0..11)
            .map(|_| pacer.book(Provider::MinimaxGlobal, start) - start)
            .collect();
        let secs: Vec<u64> = slots.iter().map(|d| d.as_secs()).collect();
        assert_eq!(secs, [0, 0, 0, 0, 0, 60, 60, 60, 60, 60, 120]);
    }

    #[test]
    fn the_regions_and_other_providers_are_paced_separately() {
        let pacer = RequestPacer::documented();
        let start = Instant::now();
        for _ in 0..5 {
            pacer.book(Provider::MinimaxGlobal, start);
        }
        assert_eq!(pacer.book(Provider::MinimaxChina, start), start);
        for _ in 0..100 {
            assert_eq!(pacer.book(Provider::OpenRouter, start), start);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_sixth_minimax_request_waits_a_minute() {
        let pacer = RequestPacer::documented();
        let start = Instant::now();
        for _ in 0..5 {
            pacer.wait_turn(Provider::MinimaxGlobal).await;
        }
        assert_eq!(Instant::now(), start);
        pacer.wait_turn(Provider::MinimaxGlobal).await;
        assert_eq!(Instant::now() - start, Duration::from_secs(60));
    }
}
