//! Poll lag simulation: how long after a service finishes a video the app knows, per poll schedule.
//!
//! `cargo run --release -p hailuo-core --example poll_lag_bench [-- --generations N --in-flight N --minimax-only --cold --spread S]`
//!
//! 1,000 generations (by default) with service times drawn from a log-normal per service and
//! setting, up to 20 at the services at once, on tokio's paused clock (no real waiting). Every
//! request (submit and check) to a MiniMax region goes through the app's own `RequestPacer` at
//! 20 a minute, and the simulated service refuses a 21st in any minute with a `Retry-After`,
//! which the schedule honours. OpenRouter and LinkModel publish no limit and get none. Each
//! schedule runs the same generations at several settings of its knob; the figures are the lag
//! from the service finishing to the check that sees it, and the checks per generation.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot run should stop loudly

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hailuo_core::pacing::{PollSchedule, RequestBudget, RequestPacer};
use hailuo_core::poll_schedule::{FinishEstimate, NearFinish};
use hailuo_core::{Provider, Resolution};
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// MiniMax's listed video limit (providers.md, re-checked December 2026), per region.
const MINIMAX_PER_MINUTE: u32 = 20;

/// σ of ln(time at the service) within one kind, unless `--spread` says otherwise.
const SPREAD: f64 = 0.3;

/// A deterministic generator (SplitMix64): the same generations for every schedule and run.
struct Random(u64);

impl Random {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        (-2.0 * self.unit().ln()).sqrt() * (2.0 * std::f64::consts::PI * self.unit()).cos()
    }

    fn pick<T: Copy>(&mut self, weighted: &[(T, f64)]) -> T {
        let total: f64 = weighted.iter().map(|(_, w)| w).sum();
        let mut at = self.unit() * total;
        for (item, weight) in weighted {
            if at <= *weight {
                return *item;
            }
            at -= weight;
        }
        weighted[weighted.len() - 1].0
    }
}

/// What decides a generation's time at the service (Hailuo 2.3; 1080P is 6 s only).
type Kind = (Provider, Resolution, u8);

#[derive(Debug, Clone, Copy)]
struct Job {
    kind: Kind,
    /// Time at the service, from the submit's answer to the video being ready.
    takes: Duration,
}

/// The typical time of each setting at MiniMax, and how much slower each service is: 1080P is
/// slower than 768P, 10 s slower than 6 s, relays add their own queue. Spread per kind: σ of
/// ln(time) = `SPREAD` (0.3: about ±35 %), clipped to 1–10 minutes.
fn jobs(count: usize, minimax_only: bool, spread: f64) -> Vec<Job> {
    let mut random = Random(20_261_202);
    let providers: &[(Provider, f64)] = if minimax_only {
        &[(Provider::MinimaxGlobal, 1.0)]
    } else {
        &[
            (Provider::MinimaxGlobal, 0.40),
            (Provider::MinimaxChina, 0.10),
            (Provider::OpenRouter, 0.25),
            (Provider::LinkModel, 0.25),
        ]
    };
    (0..count)
        .map(|_| {
            let provider = random.pick(providers);
            let (resolution, seconds) = if provider == Provider::OpenRouter {
                (Resolution::P1080, 6)
            } else {
                random.pick(&[
                    ((Resolution::P768, 6), 0.45),
                    ((Resolution::P768, 10), 0.25),
                    ((Resolution::P1080, 6), 0.30),
                ])
            };
            let kind = (provider, resolution, seconds);
            Job {
                kind,
                takes: draw(&mut random, kind, spread),
            }
        })
        .collect()
}

/// One time at the service for a generation of `kind`.
fn draw(random: &mut Random, (provider, resolution, seconds): Kind, spread: f64) -> Duration {
    let typical = match (resolution, seconds) {
        (Resolution::P768, 6) => 140.0,
        (Resolution::P768, _) => 220.0,
        (Resolution::P1080, _) => 250.0,
    };
    let service = match provider {
        Provider::MinimaxGlobal => 1.0,
        Provider::MinimaxChina => 0.9,
        Provider::OpenRouter => 1.15,
        Provider::LinkModel => 1.1,
    };
    let takes = (typical * service * (spread * random.normal()).exp()).clamp(60.0, 600.0);
    Duration::from_secs_f64(takes)
}

/// What the app already knows before the run: the last `PAST` times of each kind, from the
/// same spread (a creator who has used the app before). `--cold` starts with none.
const PAST: usize = 20;

fn past(jobs: &[Job], spread: f64) -> History {
    let mut random = Random(7);
    let history = History::default();
    let mut kinds: Vec<Kind> = jobs.iter().map(|j| j.kind).collect();
    kinds.sort_by_key(|k| format!("{k:?}"));
    kinds.dedup();
    for kind in kinds {
        for _ in 0..PAST {
            history.remember(kind, draw(&mut random, kind, spread));
        }
    }
    history
}

/// A schedule under test, with its knob's value.
#[derive(Debug, Clone)]
enum Plan {
    /// The app's `PollSchedule` as it was (10 s, then +5 s up to 30 s), its times × the knob.
    Today(f64),
    /// Every N seconds.
    Fixed(f64),
    /// LinkModel's documented plan (nothing for 30 s; every 5 s to 2 min, 3 s to 4 min, 8 s to
    /// 8 min, 15 s after), its intervals × the knob.
    LinkModel(f64),
    /// Ours: the app's `PollSchedule` with its plan near the expected finish, check cost = knob s.
    Ours(f64),
}

impl Plan {
    fn name(&self) -> &'static str {
        match self {
            Plan::Today(_) => "today's",
            Plan::Fixed(_) => "fixed",
            Plan::LinkModel(_) => "LinkModel's",
            Plan::Ours(_) => "ours",
        }
    }

    fn knob(&self) -> String {
        match self {
            Plan::Today(k) | Plan::LinkModel(k) => format!("times ×{k}"),
            Plan::Fixed(k) => format!("every {k} s"),
            Plan::Ours(k) => format!("check = {k} s"),
        }
    }

    fn schedule(&self) -> PollSchedule {
        let today = PollSchedule {
            near_finish: None,
            ..PollSchedule::default()
        };
        match *self {
            Plan::Today(k) => PollSchedule {
                first: today.first.mul_f64(k),
                step: today.step.mul_f64(k),
                steady: today.steady.mul_f64(k),
                ..today
            },
            Plan::Ours(k) => PollSchedule {
                near_finish: Some(NearFinish::costing(Duration::from_secs_f64(k))),
                ..PollSchedule::default()
            },
            _ => today,
        }
    }

    fn wait(
        &self,
        schedule: &PollSchedule,
        checks: u32,
        at: Duration,
        retry_after: Option<Duration>,
        expected: Option<&FinishEstimate>,
    ) -> Duration {
        let planned = match *self {
            Plan::Fixed(every) => Duration::from_secs_f64(every),
            Plan::LinkModel(k) => {
                let secs = at.as_secs_f64();
                let every = if secs < 30.0 {
                    return Duration::from_secs_f64(30.0 - secs)
                        .max(retry_after.unwrap_or_default());
                } else if secs < 120.0 {
                    5.0
                } else if secs < 240.0 {
                    3.0
                } else if secs < 480.0 {
                    8.0
                } else {
                    15.0
                };
                Duration::from_secs_f64(every * k)
            }
            Plan::Today(_) | Plan::Ours(_) => {
                return schedule.next_wait_expecting(checks, at, retry_after, expected)
            }
        };
        planned.max(retry_after.unwrap_or_default())
    }
}

/// The simulated services' own count of requests: MiniMax refuses the 21st in any minute.
#[derive(Default)]
struct Services {
    sent: Mutex<HashMap<Provider, VecDeque<Instant>>>,
    refused: Mutex<u32>,
}

impl Services {
    /// `Err(retry_after)` when over the limit.
    fn request(&self, provider: Provider) -> Result<(), Duration> {
        if !provider.is_minimax() {
            return Ok(());
        }
        let now = Instant::now();
        let minute = Duration::from_secs(60);
        let mut sent = self.sent.lock().unwrap();
        let times = sent.entry(provider).or_default();
        while times.front().is_some_and(|t| *t + minute <= now) {
            times.pop_front();
        }
        if times.len() >= MINIMAX_PER_MINUTE as usize {
            *self.refused.lock().unwrap() += 1;
            let free_at = times[times.len() - MINIMAX_PER_MINUTE as usize] + minute;
            // HTTP's Retry-After is in whole seconds.
            return Err(Duration::from_secs(
                (free_at - now).as_secs_f64().ceil() as u64
            ));
        }
        times.push_back(now);
        Ok(())
    }
}

/// Past times at the service by kind, as the app learns them (the last 40, as the app keeps).
#[derive(Default)]
struct History(Mutex<HashMap<Kind, VecDeque<Duration>>>);

impl History {
    fn estimate(&self, kind: Kind) -> Option<FinishEstimate> {
        let by_kind = self.0.lock().unwrap();
        let times: Vec<Duration> = by_kind.get(&kind)?.iter().copied().collect();
        FinishEstimate::from_samples(&times)
    }

    fn remember(&self, kind: Kind, took: Duration) {
        let mut by_kind = self.0.lock().unwrap();
        let times = by_kind.entry(kind).or_default();
        if times.len() == 40 {
            times.pop_front();
        }
        times.push_back(took);
    }
}

struct Outcome {
    lag: Duration,
    checks: u32,
    minimax: bool,
}

struct Figures {
    plan: Plan,
    checks: f64,
    median: f64,
    p95: f64,
    minimax_median: f64,
    minimax_p95: f64,
    others_median: f64,
    others_p95: f64,
    refused: u32,
    took: Duration,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[at]
}

async fn simulate(plan: Plan, jobs: &[Job], in_flight: usize, past_times: Option<f64>) -> Figures {
    let budget = RequestBudget {
        requests: MINIMAX_PER_MINUTE,
        per: Duration::from_secs(60),
    };
    let pacer = Arc::new(RequestPacer::new(
        [Provider::MinimaxGlobal, Provider::MinimaxChina]
            .into_iter()
            .map(|p| (p, budget))
            .collect(),
    ));
    let services = Arc::new(Services::default());
    let history = Arc::new(past_times.map_or_else(History::default, |spread| past(jobs, spread)));
    let slots = Arc::new(Semaphore::new(in_flight));
    let at_service: Arc<Mutex<HashMap<Provider, usize>>> = Arc::default();
    let schedule = plan.schedule();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for job in jobs.iter().copied() {
        // In order: the next generation starts when one of the 20 finishes.
        let permit = slots.clone().acquire_owned().await.unwrap();
        let (pacer, services, history) = (pacer.clone(), services.clone(), history.clone());
        let at_service = at_service.clone();
        let (plan, schedule) = (plan.clone(), schedule.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let provider = job.kind.0;
            // The submit, paced and limited like any request; a refusal is tried again.
            loop {
                pacer.wait_turn(provider).await;
                match services.request(provider) {
                    Ok(()) => break,
                    Err(retry_after) => tokio::time::sleep(retry_after).await,
                }
            }
            let since = Instant::now();
            let finished = since + job.takes;
            let expected = history.estimate(job.kind);
            let sharing = {
                let mut at = at_service.lock().unwrap();
                let count = at.entry(provider).or_default();
                *count += 1;
                *count
            };
            // Ours keeps each generation within its share of a limited service's budget, as
            // the queue does (there with its line's limit of generations at one service).
            let budget = provider.is_minimax().then_some(budget);
            let schedule = schedule.within_share(expected.as_ref(), budget, sharing);
            let mut checks = 0;
            let mut retry_after = None;
            loop {
                let wait = plan.wait(
                    &schedule,
                    checks,
                    since.elapsed(),
                    retry_after,
                    expected.as_ref(),
                );
                tokio::time::sleep(wait).await;
                pacer.wait_turn(provider).await;
                checks += 1;
                match services.request(provider) {
                    Err(asked) => retry_after = Some(asked),
                    Ok(()) => {
                        retry_after = None;
                        let now = Instant::now();
                        if now >= finished {
                            history.remember(job.kind, now - since);
                            *at_service.lock().unwrap().get_mut(&provider).unwrap() -= 1;
                            return Outcome {
                                lag: now - finished,
                                checks,
                                minimax: provider.is_minimax(),
                            };
                        }
                    }
                }
            }
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let took = started.elapsed();
    let sorted = |keep: fn(&Outcome) -> bool| {
        let mut lags: Vec<f64> = outcomes
            .iter()
            .filter(|o| keep(o))
            .map(|o| o.lag.as_secs_f64())
            .collect();
        lags.sort_by(f64::total_cmp);
        lags
    };
    let all = sorted(|_| true);
    let minimax = sorted(|o| o.minimax);
    let others = sorted(|o| !o.minimax);
    let refused = *services.refused.lock().unwrap();
    Figures {
        plan,
        checks: outcomes.iter().map(|o| f64::from(o.checks)).sum::<f64>() / outcomes.len() as f64,
        median: percentile(&all, 0.5),
        p95: percentile(&all, 0.95),
        minimax_median: percentile(&minimax, 0.5),
        minimax_p95: percentile(&minimax, 0.95),
        others_median: percentile(&others, 0.5),
        others_p95: percentile(&others, 0.95),
        refused,
        took,
    }
}

/// Ours' median lag at `checks` checks per generation, read off its curve (linear between its
/// settings); `None` outside the range it covers.
fn ours_at(ours: &[&Figures], checks: f64) -> Option<f64> {
    let mut points: Vec<(f64, f64)> = ours.iter().map(|f| (f.checks, f.median)).collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points.windows(2).find_map(|pair| {
        let ((c0, m0), (c1, m1)) = (pair[0], pair[1]);
        (c0 <= checks && checks <= c1).then(|| {
            if c1 == c0 {
                m0.min(m1)
            } else {
                m0 + (m1 - m0) * (checks - c0) / (c1 - c0)
            }
        })
    })
}

/// Seconds for the table; "—" where no generation of that group ran.
fn secs(value: f64) -> String {
    if value.is_nan() {
        "—".to_owned()
    } else {
        format!("{value:.1} s")
    }
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let mut generations = 1000;
    let mut in_flight = 20;
    let mut minimax_only = false;
    let mut warm = true;
    let mut spread = SPREAD;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--generations" => generations = args.next().and_then(|a| a.parse().ok()).unwrap(),
            "--in-flight" => in_flight = args.next().and_then(|a| a.parse().ok()).unwrap(),
            "--minimax-only" => minimax_only = true,
            "--cold" => warm = false,
            "--spread" => spread = args.next().and_then(|a| a.parse().ok()).unwrap(),
            other => panic!("unknown argument {other}"),
        }
    }
    let jobs = jobs(generations, minimax_only, spread);
    let mut times: Vec<f64> = jobs.iter().map(|j| j.takes.as_secs_f64()).collect();
    times.sort_by(f64::total_cmp);
    let share = |p: fn(Provider) -> bool| {
        jobs.iter().filter(|j| p(j.kind.0)).count() * 100 / jobs.len().max(1)
    };
    println!(
        "Poll lag simulation: {generations} generations, {in_flight} at the services at once, \
         MiniMax {MINIMAX_PER_MINUTE} requests/min per region (submits and checks, Retry-After honoured)"
    );
    println!(
        "what the app knows at the start: {}",
        if warm {
            format!("the last {PAST} times of each kind (same spread)")
        } else {
            "nothing (--cold): today's schedule until the first of a kind finishes".to_owned()
        }
    );
    println!(
        "service times: median {:.0} s, p5 {:.0} s, p95 {:.0} s (1–10 min), σ of ln(time) {spread} within a \
         kind; {}% MiniMax global, {}% MiniMax China, {}% OpenRouter, {}% LinkModel",
        percentile(&times, 0.5),
        percentile(&times, 0.05),
        percentile(&times, 0.95),
        share(|p| p == Provider::MinimaxGlobal),
        share(|p| p == Provider::MinimaxChina),
        share(|p| p == Provider::OpenRouter),
        share(|p| p == Provider::LinkModel),
    );
    let mut plans = Vec::new();
    plans.extend([0.5, 1.0, 2.0].map(Plan::Today));
    plans.extend([3.0, 5.0, 10.0, 20.0, 30.0, 60.0].map(Plan::Fixed));
    plans.extend([0.5, 1.0, 2.0].map(Plan::LinkModel));
    plans.extend(
        [
            0.015, 0.03, 0.06, 0.12, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0,
        ]
        .map(Plan::Ours),
    );
    println!();
    println!(
        "| schedule | knob | checks/gen | median lag | p95 lag | MiniMax median | MiniMax p95 | others median | others p95 | refused (429) | simulated time |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let mut all = Vec::new();
    for plan in plans {
        let figures = simulate(plan, &jobs, in_flight, warm.then_some(spread)).await;
        println!(
            "| {} | {} | {:.1} | {} | {} | {} | {} | {} | {} | {} | {:.0} min |",
            figures.plan.name(),
            figures.plan.knob(),
            figures.checks,
            secs(figures.median),
            secs(figures.p95),
            secs(figures.minimax_median),
            secs(figures.minimax_p95),
            secs(figures.others_median),
            secs(figures.others_p95),
            figures.refused,
            figures.took.as_secs_f64() / 60.0
        );
        all.push(figures);
    }

    let ours: Vec<&Figures> = all
        .iter()
        .filter(|f| matches!(f.plan, Plan::Ours(_)))
        .collect();
    println!();
    println!("Ours against every other setting, at the same checks per generation:");
    println!("| schedule | knob | checks/gen | its median lag | ours at those checks | ours ÷ its | goal |");
    println!("|---|---|---|---|---|---|---|");
    let mut dominates = true;
    let mut halves = true;
    let (mut compared, mut outside) = (0, 0);
    for other in all.iter().filter(|f| !matches!(f.plan, Plan::Ours(_))) {
        let needs_half = matches!(other.plan, Plan::Today(_) | Plan::Fixed(_));
        let goal = if needs_half { "≤ 0.5" } else { "< 1" };
        match ours_at(&ours, other.checks) {
            Some(lag) => {
                compared += 1;
                let ratio = lag / other.median;
                dominates &= ratio < 1.0;
                if needs_half {
                    halves &= ratio <= 0.5;
                }
                println!(
                    "| {} | {} | {:.1} | {:.1} s | {:.1} s | {:.2} | {goal} {} |",
                    other.plan.name(),
                    other.plan.knob(),
                    other.checks,
                    other.median,
                    lag,
                    ratio,
                    verdict(ratio <= if needs_half { 0.5 } else { 0.999 })
                );
            }
            None => {
                outside += 1;
                println!(
                    "| {} | {} | {:.1} | {:.1} s | outside the checks ours spans | — | {goal} not compared |",
                    other.plan.name(),
                    other.plan.knob(),
                    other.checks,
                    other.median,
                );
            }
        }
    }
    let scope = if outside == 0 {
        String::new()
    } else {
        format!(" ({compared} settings compared, {outside} outside the checks ours spans)")
    };
    let best = ours
        .iter()
        .filter(|f| f.median <= 5.0 && f.p95 <= 15.0)
        .min_by(|a, b| a.checks.total_cmp(&b.checks));
    println!();
    println!(
        "goal: ours dominates every other schedule at equal checks: {}{scope}",
        if compared == 0 {
            "NOT SHOWN"
        } else {
            verdict(dominates)
        }
    );
    println!(
        "goal: at most half the median lag of today's and of any fixed interval: {}{scope}",
        if compared == 0 {
            "NOT SHOWN"
        } else {
            verdict(halves)
        }
    );
    match best {
        Some(f) => println!(
            "goal: a setting with median ≤ 5 s and p95 ≤ 15 s, {in_flight} in flight, MiniMax {MINIMAX_PER_MINUTE}/min: met \
             by {} ({:.1} checks/gen, median {:.1} s, p95 {:.1} s; MiniMax's own median {:.1} s, p95 {:.1} s)",
            f.plan.knob(),
            f.checks,
            f.median,
            f.p95,
            f.minimax_median,
            f.minimax_p95
        ),
        None => println!(
            "goal: a setting with median ≤ 5 s and p95 ≤ 15 s, {in_flight} in flight, MiniMax {MINIMAX_PER_MINUTE}/min: MISSED"
        ),
    }
}
