//! Estimates against real charges: the provider clients talk to the emulator, and the ledger
//! records what each answer says about money.
#![allow(clippy::unwrap_used)] // a test helper that fails should panic with the cause

use std::time::Duration;

use hailuo_core::ledger::{ChargeSource, Ledger, SpendEntry, SpendState};
use hailuo_core::pricing::{quote, Basis};
use hailuo_core::providers::{http_client, ProviderClient, RetryPolicy};
use hailuo_core::{FirstFrame, GenerationRequest, Model, Money, Provider, Resolution};
use hailuo_emulator::{Emulator, EmulatorConfig, Endpoint, Fault, FaultKind, Service};
use rust_decimal_macros::dec;
use secrecy::SecretString;
use time::OffsetDateTime;

fn service(provider: Provider) -> Service {
    match provider {
        Provider::MinimaxGlobal => Service::MinimaxGlobal,
        Provider::MinimaxChina => Service::MinimaxChina,
        Provider::OpenRouter => Service::OpenRouter,
        Provider::LinkModel => Service::LinkModel,
    }
}

fn client(emulator: &Emulator, provider: Provider) -> ProviderClient {
    let service = service(provider);
    ProviderClient::new(
        provider,
        emulator.base_url(service).parse().unwrap(),
        SecretString::from(emulator.key(service)),
        http_client().unwrap(),
    )
    .with_retry_policy(RetryPolicy {
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        request_timeout: Duration::from_millis(500),
        ..RetryPolicy::default()
    })
}

fn request(
    provider: Provider,
    model: Model,
    resolution: Resolution,
    duration: u8,
) -> GenerationRequest {
    GenerationRequest {
        provider,
        model,
        prompt: "A paper boat on a rainy street [Tracking shot]".into(),
        first_frame: (model == Model::Hailuo23Fast).then(|| FirstFrame::Link {
            url: "https://example.com/boat.png".into(),
        }),
        duration,
        resolution,
        prompt_optimizer: true,
        fast_pretreatment: false,
    }
}

/// Quotes, records the estimate, submits, and polls to the end, recording every answer, as
/// the job runner does. `on_submit` may act on the emulator's task before the first poll.
async fn generate(
    emulator: &Emulator,
    ledger: &Ledger,
    id: &str,
    req: &GenerationRequest,
    on_submit: impl FnOnce(&Emulator, &str),
) -> SpendEntry {
    let now = OffsetDateTime::now_utc();
    ledger
        .record_submit(id, req, &quote(req).unwrap(), now)
        .unwrap();
    let client = client(emulator, req.provider);
    let submission = match client.submit(req).await {
        Ok(submission) => submission,
        Err(err) => return ledger.record_submit_error(id, &err, now).unwrap(),
    };
    ledger.record_submission(id, &submission, now).unwrap();
    on_submit(emulator, &submission.task_id);
    for _ in 0..20 {
        let update = client.check(&submission.task()).await.unwrap();
        let entry = ledger.record_poll(id, &update, now).unwrap();
        if update.status.is_final() {
            return entry;
        }
    }
    panic!("{id} never finished");
}

fn nothing(_: &Emulator, _: &str) {}

#[tokio::test]
async fn reported_charges_replace_estimates_and_minimax_costs_its_list_price() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();

    // OpenRouter: quoted per second ($0.4902), charged what usage.cost says ($0.49).
    let openrouter = request(Provider::OpenRouter, Model::Hailuo23, Resolution::P1080, 6);
    let entry = generate(&emulator, &ledger, "g-or", &openrouter, nothing).await;
    assert_eq!(entry.estimate, Money::usd(dec!(0.4902)));
    assert_eq!(
        entry.state,
        SpendState::Charged {
            amount: Money::usd(dec!(0.49)),
            how: ChargeSource::Reported
        }
    );

    // LinkModel 768P 10 s: an estimate before, data.price after.
    let linkmodel = request(Provider::LinkModel, Model::Hailuo23, Resolution::P768, 10);
    let entry = generate(&emulator, &ledger, "g-lm", &linkmodel, nothing).await;
    assert!(matches!(entry.estimate_basis, Basis::Estimate { .. }));
    assert_eq!(entry.estimate, Money::usd(dec!(0.448)));
    assert_eq!(
        entry.state,
        SpendState::Charged {
            amount: Money::usd(dec!(0.448)),
            how: ChargeSource::Reported
        }
    );

    // MiniMax reports no amount: the list price, marked as such, in each region's currency.
    let minimax = request(
        Provider::MinimaxGlobal,
        Model::Hailuo23,
        Resolution::P1080,
        6,
    );
    let entry = generate(&emulator, &ledger, "g-mm", &minimax, nothing).await;
    assert_eq!(
        entry.state,
        SpendState::Charged {
            amount: Money::usd(dec!(0.49)),
            how: ChargeSource::ListPrice
        }
    );
    let china = request(
        Provider::MinimaxChina,
        Model::Hailuo23Fast,
        Resolution::P768,
        6,
    );
    let entry = generate(&emulator, &ledger, "g-cn", &china, nothing).await;
    assert_eq!(
        entry.state,
        SpendState::Charged {
            amount: Money::cny(dec!(1.35)),
            how: ChargeSource::ListPrice
        }
    );

    let summary = ledger.summary(OffsetDateTime::now_utc(), &Default::default());
    assert_eq!(summary.all_time[0].total, Money::usd(dec!(1.428)));
    assert_eq!(summary.all_time[1].total, Money::cny(dec!(1.35)));
    assert!(summary.in_flight.is_empty());
    // Polls that changed nothing wrote nothing: one line per estimate and per charge, and one
    // per task id as it arrives (LinkModel's comes with its charge, in the same line).
    let lines = std::fs::read_to_string(ledger.path())
        .unwrap()
        .lines()
        .count();
    assert_eq!(lines, 11);
}

#[tokio::test]
async fn a_flagged_minimax_video_is_recorded_as_not_charged() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    let req = request(
        Provider::MinimaxGlobal,
        Model::Hailuo23,
        Resolution::P768,
        6,
    );
    let entry = generate(&emulator, &ledger, "g-1", &req, |emulator, task| {
        assert!(emulator.fail_task(task, 1027, "output video sensitive"));
    })
    .await;
    let SpendState::NotCharged { reason } = &entry.state else {
        panic!("expected not charged, got {:?}", entry.state);
    };
    assert!(
        reason.contains("1027") || reason.contains("sensitive"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_linkmodel_failure_after_its_charge_may_have_been_charged_that_amount() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    let req = request(Provider::LinkModel, Model::Hailuo23, Resolution::P768, 6);
    let entry = generate(&emulator, &ledger, "g-1", &req, |emulator, task| {
        assert!(emulator.fail_task(task, 500, "generation failed"));
    })
    .await;
    assert!(
        matches!(&entry.state, SpendState::MayHaveBeenCharged { at_risk, .. } if *at_risk == Money::usd(dec!(0.224))),
        "{:?}",
        entry.state
    );
}

#[tokio::test]
async fn a_submit_whose_answer_is_lost_may_have_been_charged_the_estimate() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    emulator.inject(Fault::new(
        Service::OpenRouter,
        Endpoint::Submit,
        FaultKind::AnswerLost { after: None },
    ));
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    let req = request(Provider::OpenRouter, Model::Hailuo23, Resolution::P768, 10);
    let entry = generate(&emulator, &ledger, "g-1", &req, nothing).await;
    assert_eq!(emulator.submits(Service::OpenRouter), 1, "never sent twice");
    assert!(
        matches!(&entry.state, SpendState::MayHaveBeenCharged { at_risk, .. } if *at_risk == Money::usd(dec!(0.817))),
        "{:?}",
        entry.state
    );
    let summary = ledger.summary(OffsetDateTime::now_utc(), &Default::default());
    assert_eq!(
        summary.may_have_been_charged[0].total,
        Money::usd(dec!(0.817))
    );
    assert!(summary.all_time.is_empty());
}

#[tokio::test]
async fn an_openrouter_failure_without_a_cost_may_have_been_charged_its_estimate() {
    // OpenRouter's failed answer carries an `error` and no `usage`: it does not say whether it
    // charged, so the estimate stays at risk rather than being called free.
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    let req = request(Provider::OpenRouter, Model::Hailuo23, Resolution::P1080, 6);
    let entry = generate(&emulator, &ledger, "g-1", &req, |emulator, task| {
        assert!(emulator.fail_task(task, 502, "upstream provider error"));
    })
    .await;
    let SpendState::MayHaveBeenCharged { at_risk, reason } = &entry.state else {
        panic!("expected may have been charged, got {:?}", entry.state);
    };
    assert_eq!(*at_risk, Money::usd(dec!(0.4902)));
    assert!(reason.contains("upstream provider error"), "{reason}");
}
