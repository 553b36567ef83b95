//! The queue's promises under faults (issue 17): no double charge, no endless wait, no leaked key.
//! Each test names the behaviour it proves.

// Helpers shared by the tests panic on purpose: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use hailuo_core::ledger::{ChargeSource, Ledger, SpendState};
use hailuo_core::library::{GenerationId, GenerationState, RECORD_FILE};
use hailuo_core::pacing::{RequestBudget, RequestPacer};
use hailuo_core::{Currency, Provider};
use hailuo_emulator::{Endpoint, Fault, FaultKind, Service, TaskStatus as EmulatedStatus};
use rust_decimal_macros::dec;
use tempfile::TempDir;

mod queue_bench;
use queue_bench::*;

// ---------------------------------------------------------------------------------------------
// The happy path
// ---------------------------------------------------------------------------------------------

fn at_ledger_state(started: &Started, id: &GenerationId) -> SpendState {
    started
        .ledger
        .entry(id.as_str())
        .expect("a spending line")
        .state
}

async fn until_submits(bench: &Bench, svc: Service, n: usize) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while bench.emu.submits(svc) < n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{n} submits never arrived"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Path 1: the record and its spending line are one step
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_waiting_record_without_its_spending_line_is_never_sent_after_a_restart() {
    let bench = Bench::new().await;
    // A crash between the two writes of an earlier version: the record, and no line.
    let (library, _) = bench.open();
    let request = text_to_video(Provider::OpenRouter);
    let orphan = library
        .create_waiting(&request, &hailuo_core::pricing::quote(&request).unwrap())
        .unwrap();
    drop(library);

    let started = bench.start().await;
    let card = started
        .until(&orphan.id, "held with why", |c| c.error.is_some())
        .await;
    assert_eq!(card.state, GenerationState::Waiting);
    assert!(card.error.unwrap().message.contains("spending record"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        bench.emu.submits(Service::OpenRouter),
        0,
        "never sent silently"
    );
    assert!(started.ledger.entry(orphan.id.as_str()).is_none());
    // The creator can stop it (never sent: free), and then delete it.
    let stopped = started.queue.stop_tracking(&orphan.id).await.unwrap();
    assert_eq!(stopped.state, GenerationState::Cancelled);
    started
        .library
        .delete(&orphan.id, hailuo_core::library::Removal::Permanently)
        .unwrap();
}

#[tokio::test]
async fn a_spending_line_whose_record_was_never_made_is_not_charged_after_a_restart() {
    let bench = Bench::new().await;
    let (_, ledger) = bench.open();
    let request = text_to_video(Provider::MinimaxGlobal);
    let id = GenerationId::new();
    ledger
        .record_submit(
            id.as_str(),
            &request,
            &hailuo_core::pricing::quote(&request).unwrap(),
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    drop(ledger);

    let started = bench.start().await;
    assert!(matches!(
        at_ledger_state(&started, &id),
        SpendState::NotCharged { .. }
    ));
    let summary = started
        .ledger
        .summary(time::OffsetDateTime::now_utc(), &no_budgets());
    assert!(summary.in_flight.is_empty(), "{summary:?}");
}

#[tokio::test]
async fn a_generation_whose_folder_cannot_be_made_leaves_no_reservation_and_no_record() {
    let bench = Bench::new().await;
    let started = bench.start().await;
    // The library folder is gone (an unplugged drive): nothing can be filed.
    std::fs::remove_dir_all(bench.library_root()).unwrap();
    std::fs::write(bench.library_root(), b"not a folder").unwrap();
    let refused = started
        .queue
        .enqueue(text_to_video(Provider::OpenRouter), no_budgets())
        .await;
    assert!(refused.is_err());
    let lines = started.ledger.entries();
    assert_eq!(lines.len(), 1);
    assert!(matches!(lines[0].state, SpendState::NotCharged { .. }));
    assert!(started.queue.cards().is_empty());
    assert_eq!(bench.emu.submits(Service::OpenRouter), 0);
}

#[tokio::test]
async fn a_new_generation_records_the_installation_that_made_it() {
    let bench = Bench::new().await;
    let started = bench.start().await;
    let card = started.enqueue(text_to_video(Provider::OpenRouter)).await;
    let on_disk = started.on_disk(&card.id);
    assert_eq!(
        on_disk.created_by.as_deref(),
        Some(started.ledger.installation_id())
    );
}

// ---------------------------------------------------------------------------------------------
// Path 2: a submit cut short is "may have been charged" everywhere
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_submit_cut_short_by_a_restart_is_may_have_been_charged_in_spending_and_the_csv_too() {
    let bench = Bench::new().await;
    bench.emu.inject(Fault::new(
        Service::MinimaxGlobal,
        Endpoint::Submit,
        FaultKind::AnswerLost { after: None },
    ));
    let first = bench.start().await;
    let card = first.enqueue(text_to_video(Provider::MinimaxGlobal)).await;
    until_submits(&bench, Service::MinimaxGlobal, 1).await;
    first.queue.shut_down();
    drop(first);

    let second = bench.start().await;
    let card = second.until_state(&card.id, GenerationState::Unknown).await;
    assert!(card.may_have_been_charged);
    assert!(matches!(
        at_ledger_state(&second, &card.id),
        SpendState::MayHaveBeenCharged { .. }
    ));
    let summary = second
        .ledger
        .summary(time::OffsetDateTime::now_utc(), &no_budgets());
    assert_eq!(summary.may_have_been_charged.len(), 1, "{summary:?}");
    assert!(summary.in_flight.is_empty(), "{summary:?}");
    let csv = second.ledger.csv(time::UtcOffset::UTC).unwrap();
    assert!(csv.contains("may have been charged"), "{csv}");
}

// ---------------------------------------------------------------------------------------------
// Path 6: "sending" only right before the request leaves
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn quitting_while_a_generation_waits_for_the_provider_s_pace_leaves_it_waiting_not_may_have_been_charged(
) {
    let mut bench = Bench::new().await;
    // One MiniMax request a minute: the second generation's submit waits for its turn.
    bench.pacer = Arc::new(RequestPacer::new(HashMap::from([(
        Provider::MinimaxGlobal,
        RequestBudget {
            requests: 1,
            per: Duration::from_secs(60),
        },
    )])));
    let first = bench.start().await;
    let head = first.enqueue(text_to_video(Provider::MinimaxGlobal)).await;
    until_submits(&bench, Service::MinimaxGlobal, 1).await;
    let second = first.enqueue(text_to_video(Provider::MinimaxGlobal)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(bench.emu.submits(Service::MinimaxGlobal), 1);
    first.queue.shut_down();
    drop(first);

    bench.pacer = Arc::new(RequestPacer::new(HashMap::new()));
    let again = bench.start().await;
    again.until_state(&head.id, GenerationState::Done).await;
    let card = again.until_state(&second.id, GenerationState::Done).await;
    assert!(!card.may_have_been_charged);
    assert_eq!(bench.emu.submits(Service::MinimaxGlobal), 2);
}

// ---------------------------------------------------------------------------------------------
// Path 8: a final answer while following ends it; a rejected key parks it
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_minimax_1027_while_following_fails_it_not_charged_and_frees_its_place() {
    let mut bench = Bench::new().await;
    bench.config.at_once_per_provider = 1;
    let started = bench.start().await;
    let head = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    started.until_state(&head.id, GenerationState::Queued).await;
    bench
        .emu
        .set_task_status(&task_id(&started, &head.id), EmulatedStatus::Processing);
    // `base_resp` only, no `status`: the video was flagged.
    bench.emu.inject(
        Fault::new(
            Service::MinimaxGlobal,
            Endpoint::Query,
            FaultKind::MinimaxStatus {
                code: 1027,
                message: "output video sensitive".into(),
            },
        )
        .times(1000),
    );
    let next = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    started.until_state(&head.id, GenerationState::Failed).await;
    assert!(matches!(
        at_ledger_state(&started, &head.id),
        SpendState::NotCharged { .. }
    ));
    until_submits(&bench, Service::MinimaxGlobal, 2).await;
    let _ = next;
}

#[tokio::test]
async fn an_openrouter_job_the_service_no_longer_knows_ends_may_have_been_charged() {
    let bench = Bench::new().await;
    let started = bench.start().await;
    let card = started.enqueue(text_to_video(Provider::OpenRouter)).await;
    started.until_state(&card.id, GenerationState::Queued).await;
    bench
        .emu
        .set_task_status(&task_id(&started, &card.id), EmulatedStatus::Processing);
    bench.emu.inject(
        Fault::new(
            Service::OpenRouter,
            Endpoint::Query,
            FaultKind::OpenRouterError {
                status: 404,
                message: "Not found".into(),
                metadata: None,
            },
        )
        .times(1000),
    );
    let card = started.until_state(&card.id, GenerationState::Failed).await;
    assert!(card.error.is_some());
    assert!(matches!(
        at_ledger_state(&started, &card.id),
        SpendState::MayHaveBeenCharged { .. }
    ));
}

#[tokio::test]
async fn a_key_rejected_while_following_parks_the_generation_without_blocking_the_next() {
    let mut bench = Bench::new().await;
    bench.config.at_once_per_provider = 1;
    let started = bench.start().await;
    let head = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    started.until_state(&head.id, GenerationState::Queued).await;
    bench
        .emu
        .set_task_status(&task_id(&started, &head.id), EmulatedStatus::Processing);
    bench.emu.inject(
        Fault::new(
            Service::MinimaxGlobal,
            Endpoint::Query,
            FaultKind::MinimaxStatus {
                code: 2049,
                message: "invalid api key".into(),
            },
        )
        .times(1000),
    );
    let _next = started
        .enqueue(text_to_video(Provider::MinimaxGlobal))
        .await;
    let parked = started
        .until(&head.id, "parked", |c| {
            c.error
                .as_ref()
                .is_some_and(|e| e.message.contains("Add a working key"))
        })
        .await;
    assert_eq!(parked.state, GenerationState::Queued);
    until_submits(&bench, Service::MinimaxGlobal, 2).await;
}

// ---------------------------------------------------------------------------------------------
// Path 11: the task id is durable before anything else happens
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_task_id_the_record_lost_is_found_in_the_spending_record_and_followed_after_a_restart() {
    let bench = Bench::new().await;
    let first = bench.start().await;
    let card = first.enqueue(text_to_video(Provider::OpenRouter)).await;
    first.until_state(&card.id, GenerationState::Queued).await;
    let task = task_id(&first, &card.id);
    bench.emu.set_task_status(&task, EmulatedStatus::Processing);
    first.queue.shut_down();
    assert_eq!(
        first.ledger.entry(card.id.as_str()).unwrap().task_id,
        Some(task.clone())
    );
    // The record as it stood had its save after the task id failed: still "submitting".
    let record = first.folder(&card.id).join(RECORD_FILE);
    let mut on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    on_disk.as_object_mut().unwrap().remove("taskId");
    on_disk["state"] = "submitting".into();
    on_disk["history"].as_array_mut().unwrap().pop();
    std::fs::write(&record, serde_json::to_vec(&on_disk).unwrap()).unwrap();
    drop(first);

    let second = bench.start().await;
    bench.emu.finish_task_now(&task);
    second.until_state(&card.id, GenerationState::Done).await;
    assert_eq!(bench.emu.submits(Service::OpenRouter), 1);
}

// ---------------------------------------------------------------------------------------------
// Path 13: the key never gets into a record, a card or the spending record
// ---------------------------------------------------------------------------------------------

fn quoting(provider: Provider, key: &str) -> FaultKind {
    let text = format!("invalid request from key {key}");
    match provider {
        Provider::MinimaxGlobal | Provider::MinimaxChina => FaultKind::MinimaxStatus {
            code: 2013,
            message: text,
        },
        Provider::OpenRouter => FaultKind::OpenRouterError {
            status: 400,
            message: text,
            metadata: None,
        },
        Provider::LinkModel => FaultKind::LinkModelCode {
            code: 400,
            msg: text,
        },
    }
}

#[tokio::test]
async fn a_provider_that_quotes_the_key_never_gets_it_into_a_record_a_card_or_spending() {
    let bench = Bench::new().await;
    let started = bench.start().await;
    for provider in Provider::ALL {
        let key = bench.emu.key(service(provider));
        // Refused at submit.
        bench.emu.inject(Fault::new(
            service(provider),
            Endpoint::Submit,
            quoting(provider, &key),
        ));
        let refused = started.enqueue(text_to_video(provider)).await;
        let card = started
            .until(&refused.id, "ended", |c| c.state.is_final())
            .await;
        // Ended while followed.
        let followed = started.enqueue(text_to_video(provider)).await;
        started
            .until_state(&followed.id, GenerationState::Queued)
            .await;
        bench
            .emu
            .set_task_status(&task_id(&started, &followed.id), EmulatedStatus::Processing);
        bench.emu.inject(
            Fault::new(service(provider), Endpoint::Query, quoting(provider, &key)).times(50),
        );
        let ended = started
            .until(&followed.id, "ended", |c| c.state.is_final())
            .await;
        for (card, id) in [(card, &refused.id), (ended, &followed.id)] {
            let shown = serde_json::to_string(&card).unwrap();
            assert!(!shown.contains(&key), "{provider}: card {shown}");
            let record = std::fs::read_to_string(started.folder(id).join(RECORD_FILE)).unwrap();
            assert!(!record.contains(&key), "{provider}: record {record}");
            assert!(record.contains("[your key]"), "{provider}: record {record}");
        }
    }
    let ledger = std::fs::read_to_string(started.ledger.path()).unwrap();
    for provider in Provider::ALL {
        assert!(!ledger.contains(&bench.emu.key(service(provider))));
    }
}

// ---------------------------------------------------------------------------------------------
// Path 14: a service address must be https (or http to this computer)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_service_address_is_https_or_http_to_this_computer_only() {
    use hailuo_core::providers::base_url_from;
    let no_env = |_: &str| None;
    for good in [
        "https://api.minimax.io",
        "http://127.0.0.1:8080/v1",
        "http://localhost:9000",
        "http://[::1]:9000",
    ] {
        assert!(
            base_url_from(Provider::MinimaxGlobal, Some(good), no_env).is_ok(),
            "{good}"
        );
    }
    for bad in [
        "http://api.minimax.io",
        "http://192.168.1.20:8080",
        "http://localhost.example.com",
        "ftp://api.minimax.io",
    ] {
        let err = base_url_from(Provider::MinimaxGlobal, Some(bad), no_env).unwrap_err();
        assert!(err.to_string().contains("https://"), "{err}");
    }
    let from_env = |_: &str| Some("http://proxy.example.com".to_owned());
    assert!(base_url_from(Provider::OpenRouter, None, from_env).is_err());
}

// ---------------------------------------------------------------------------------------------
// Path 17: a waiting generation is sent only by the installation that made it
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_waiting_generation_made_on_another_computer_is_never_sent_from_this_one() {
    let bench = Bench::new().await;
    let (library, _) = bench.open();
    let request = text_to_video(Provider::OpenRouter);
    let elsewhere = library
        .create_waiting_as(
            GenerationId::new(),
            Some("another-computer".into()),
            &request,
            &hailuo_core::pricing::quote(&request).unwrap(),
        )
        .unwrap();
    drop(library);

    let started = bench.start().await;
    let card = started
        .until(&elsewhere.id, "held with why", |c| c.error.is_some())
        .await;
    assert_eq!(card.state, GenerationState::Waiting);
    assert_eq!(card.error.unwrap().kind, "made-elsewhere");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(bench.emu.submits(Service::OpenRouter), 0);
    // Only the computer that made it may stop it.
    assert!(started.queue.stop_tracking(&elsewhere.id).await.is_err());
    assert_eq!(
        started.on_disk(&elsewhere.id).state,
        GenerationState::Waiting
    );
}

// ---------------------------------------------------------------------------------------------
// Path 19: "Check now" is paced for every provider
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn check_now_pressed_again_and_again_is_paced_for_every_provider() {
    let bench = Bench::new().await;
    let started = bench.start().await;
    for provider in [Provider::OpenRouter, Provider::LinkModel] {
        let card = started.enqueue(text_to_video(provider)).await;
        started.until_state(&card.id, GenerationState::Queued).await;
        bench
            .emu
            .set_task_status(&task_id(&started, &card.id), EmulatedStatus::Processing);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let before = bench.api_requests(service(provider)).len();
        let pressed = tokio::time::Instant::now();
        for _ in 0..200 {
            let _ = started.queue.check_now(&card.id);
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let took = pressed.elapsed();
        let asked = bench.api_requests(service(provider)).len() - before;
        // The quick schedule's gap is 50 ms: at most one check per gap, and a few to spare.
        let most = (took.as_millis() / 50) as usize + 3;
        assert!(asked <= most, "{provider}: {asked} checks in {took:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Paths 3 and 4: only a final outcome releases a reservation; a charge keeps its source
// ---------------------------------------------------------------------------------------------

fn update(
    status: hailuo_core::providers::TaskStatus,
    charged: Option<hailuo_core::Money>,
) -> hailuo_core::providers::TaskUpdate {
    hailuo_core::providers::TaskUpdate {
        status,
        provider_status: format!("{status:?}"),
        detail: None,
        charged,
        charge_not_reported: false,
        width: None,
        height: None,
        source: None,
        failure: None,
    }
}

fn ledger_with(provider: Provider) -> (TempDir, Ledger, String) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    let request = text_to_video(provider);
    let id = GenerationId::new().as_str().to_owned();
    ledger
        .record_submit(
            &id,
            &request,
            &hailuo_core::pricing::quote(&request).unwrap(),
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    (dir, ledger, id)
}

#[test]
fn a_reported_charge_of_zero_while_the_job_runs_keeps_the_budget_reservation() {
    use hailuo_core::providers::TaskStatus;
    let (_dir, ledger, id) = ledger_with(Provider::LinkModel);
    let now = time::OffsetDateTime::now_utc();
    let zero = hailuo_core::Money::usd(dec!(0));
    ledger
        .record_poll(&id, &update(TaskStatus::Running, Some(zero)), now)
        .unwrap();
    assert_eq!(ledger.entry(&id).unwrap().state, SpendState::InFlight);
    let month = ledger.month_spend(Currency::Usd, now);
    assert!(!month.in_flight.amount.is_zero(), "{month:?}");
    ledger
        .record_submission(
            &id,
            &hailuo_core::providers::Submission {
                task_id: "t-1".into(),
                poll_url: None,
                charged: Some(zero),
            },
            now,
        )
        .unwrap();
    assert_eq!(ledger.entry(&id).unwrap().state, SpendState::InFlight);
    // The final answer settles it.
    ledger
        .record_poll(&id, &update(TaskStatus::Succeeded, Some(zero)), now)
        .unwrap();
    assert!(matches!(
        ledger.entry(&id).unwrap().state,
        SpendState::Charged { .. }
    ));
}

#[test]
fn a_minimax_list_price_stays_a_list_price_when_the_finished_video_is_checked_again() {
    use hailuo_core::providers::TaskStatus;
    let (_dir, ledger, id) = ledger_with(Provider::MinimaxGlobal);
    let now = time::OffsetDateTime::now_utc();
    for _ in 0..3 {
        ledger
            .record_poll(&id, &update(TaskStatus::Succeeded, None), now)
            .unwrap();
        assert!(matches!(
            ledger.entry(&id).unwrap().state,
            SpendState::Charged {
                how: ChargeSource::ListPrice,
                ..
            }
        ));
    }
}

#[test]
fn the_task_id_is_kept_in_the_spending_record_the_moment_it_arrives() {
    let (dir, ledger, id) = ledger_with(Provider::OpenRouter);
    let now = time::OffsetDateTime::now_utc();
    ledger
        .record_submission(
            &id,
            &hailuo_core::providers::Submission {
                task_id: "job-42".into(),
                poll_url: None,
                charged: None,
            },
            now,
        )
        .unwrap();
    drop(ledger);
    let reopened = Ledger::open(dir.path()).unwrap();
    assert_eq!(
        reopened.entry(&id).unwrap().task_id.as_deref(),
        Some("job-42")
    );
}

// ---------------------------------------------------------------------------------------------
// Path 7: an accepted submit with an odd answer keeps its task id and is followed
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_accepted_submit_with_an_odd_answer_keeps_its_task_id_and_is_followed() {
    let bench = Bench::new().await;
    bench.emu.inject(Fault::new(
        Service::LinkModel,
        Endpoint::Submit,
        FaultKind::Custom {
            status: 200,
            body: r#"{"code":0,"msg":"ok","data":{"task_id":"odd-task-1","price":{"odd":true}}}"#
                .into(),
        },
    ));
    let started = bench.start().await;
    let card = started.enqueue(text_to_video(Provider::LinkModel)).await;
    started
        .until(&card.id, "past the submit", |c| {
            !matches!(
                c.state,
                GenerationState::Waiting | GenerationState::Submitting
            )
        })
        .await;
    assert_eq!(
        started.on_disk(&card.id).task_id.as_deref(),
        Some("odd-task-1")
    );
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !bench
        .api_requests(Service::LinkModel)
        .iter()
        .any(|r| r.method == "GET" && r.query.as_deref().is_some_and(|q| q.contains("odd-task-1")))
    {
        assert!(tokio::time::Instant::now() < deadline, "never followed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
