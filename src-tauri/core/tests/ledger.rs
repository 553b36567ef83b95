//! The spend ledger on disk: sums across restarts, torn files, month boundaries, the budget, CSV.
#![allow(clippy::unwrap_used)] // a test helper that fails should panic with the cause

use std::collections::BTreeMap;
use std::io::Write;

use hailuo_core::budget::check_budget;
use hailuo_core::ledger::{
    ChargeSource, Ledger, LedgerError, SpendState, SubmitRefused, LEDGER_FILE,
};
use hailuo_core::pricing::quote;
use hailuo_core::{Currency, FirstFrame, GenerationRequest, Model, Money, Provider, Resolution};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::macros::{datetime, offset};
use time::OffsetDateTime;

fn request(
    provider: Provider,
    resolution: Resolution,
    duration: u8,
    prompt: &str,
) -> GenerationRequest {
    GenerationRequest {
        provider,
        model: Model::Hailuo23,
        prompt: prompt.into(),
        first_frame: None,
        duration,
        resolution,
        prompt_optimizer: true,
        fast_pretreatment: false,
    }
}

/// Records a submit at its real quote.
fn submit(ledger: &Ledger, id: &str, req: &GenerationRequest, at: OffsetDateTime) {
    ledger
        .record_submit(id, req, &quote(req).unwrap(), at)
        .unwrap();
}

fn usd(amount: Decimal) -> Money {
    Money::usd(amount)
}

fn budgets(pairs: &[(Currency, Decimal)]) -> BTreeMap<Currency, Decimal> {
    pairs.iter().copied().collect()
}

/// A month of activity across providers and both currencies.
fn fill(ledger: &Ledger) {
    let minimax = request(
        Provider::MinimaxGlobal,
        Resolution::P1080,
        6,
        "A lighthouse at dusk",
    );
    let openrouter = request(Provider::OpenRouter, Resolution::P768, 10, "A fox in snow");
    let linkmodel = request(Provider::LinkModel, Resolution::P768, 6, "Rain on a window");
    let china = request(Provider::MinimaxChina, Resolution::P768, 6, "灯塔 at night");

    // Last month: charged at MiniMax's list price.
    submit(ledger, "g-oct", &minimax, datetime!(2026-10-30 12:00 UTC));
    ledger
        .record_list_price_charge("g-oct", datetime!(2026-10-30 12:05 UTC))
        .unwrap();
    // Earlier this month: OpenRouter reports its real charge.
    submit(ledger, "g-or", &openrouter, datetime!(2026-11-03 09:00 UTC));
    ledger
        .record_charge("g-or", usd(dec!(0.82)), datetime!(2026-11-03 09:06 UTC))
        .unwrap();
    // Today: LinkModel reports its price; a MiniMax one is flagged and not charged.
    submit(ledger, "g-lm", &linkmodel, datetime!(2026-11-21 08:00 UTC));
    ledger
        .record_charge("g-lm", usd(dec!(0.224)), datetime!(2026-11-21 08:00 UTC))
        .unwrap();
    submit(ledger, "g-flag", &minimax, datetime!(2026-11-21 08:30 UTC));
    ledger
        .record_not_charged(
            "g-flag",
            "MiniMax flagged the video (1027) and charged nothing.",
            datetime!(2026-11-21 08:40 UTC),
        )
        .unwrap();
    // Today, still running; and one whose submit got no answer.
    submit(ledger, "g-run", &minimax, datetime!(2026-11-21 09:00 UTC));
    submit(
        ledger,
        "g-lost",
        &openrouter,
        datetime!(2026-11-21 09:10 UTC),
    );
    ledger
        .record_may_have_been_charged(
            "g-lost",
            "The connection dropped after the request was sent.",
            datetime!(2026-11-21 09:11 UTC),
        )
        .unwrap();
    // China, in yuan, charged at list price.
    submit(ledger, "g-cn", &china, datetime!(2026-11-21 07:00 UTC));
    ledger
        .record_list_price_charge("g-cn", datetime!(2026-11-21 07:05 UTC))
        .unwrap();
}

const NOW: OffsetDateTime = datetime!(2026-11-21 10:00 UTC);

#[test]
fn sums_per_period_currency_and_provider_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let before = {
        let ledger = Ledger::open(dir.path()).unwrap();
        fill(&ledger);
        ledger.summary(NOW, &BTreeMap::new())
    };
    let ledger = Ledger::open(dir.path()).unwrap();
    let after = ledger.summary(NOW, &BTreeMap::new());
    assert_eq!(before, after);
    assert_eq!(ledger.damaged_lines(), 0);

    let json = serde_json::to_value(&after).unwrap();
    let total = |period: &str, i: usize| {
        let t = &json[period][i]["total"];
        (
            t["amount"].as_str().unwrap().to_owned(),
            t["currency"].as_str().unwrap().to_owned(),
        )
    };
    // Today: LinkModel's $0.224 (the flagged one is not charged), and ¥2 at MiniMax China.
    assert_eq!(total("today", 0), ("0.224".into(), "USD".into()));
    assert_eq!(total("today", 1), ("2.00".into(), "CNY".into()));
    // This month adds OpenRouter's reported $0.82.
    assert_eq!(total("thisMonth", 0), ("1.044".into(), "USD".into()));
    assert_eq!(
        json["thisMonth"][0]["byProvider"],
        serde_json::json!([
            {"provider": "openrouter", "amount": {"amount": "0.82", "currency": "USD"}, "generations": 1},
            {"provider": "linkmodel", "amount": {"amount": "0.224", "currency": "USD"}, "generations": 1},
        ])
    );
    // All time adds October's $0.49.
    assert_eq!(total("allTime", 0), ("1.534".into(), "USD".into()));
    assert_eq!(json["allTime"][0]["generations"], 3);
    // Apart: the running MiniMax video at its list price, the lost OpenRouter one at its estimate.
    assert_eq!(total("inFlight", 0), ("0.49".into(), "USD".into()));
    assert_eq!(
        total("mayHaveBeenCharged", 0),
        ("0.817".into(), "USD".into())
    );
    assert_eq!(
        json["mayHaveBeenCharged"][0]["byProvider"][0]["provider"],
        "openrouter"
    );
}

#[test]
fn each_generation_keeps_its_estimate_and_its_charge_with_how_it_is_known() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    fill(&ledger);
    let ledger = Ledger::open(dir.path()).unwrap();

    let openrouter = ledger.entry("g-or").unwrap();
    assert_eq!(openrouter.estimate, usd(dec!(0.817)));
    assert_eq!(openrouter.estimate_basis.word(), "per second");
    assert_eq!(
        openrouter.state,
        SpendState::Charged {
            amount: usd(dec!(0.82)),
            how: ChargeSource::Reported
        }
    );
    let minimax = ledger.entry("g-oct").unwrap();
    assert_eq!(
        minimax.state,
        SpendState::Charged {
            amount: usd(dec!(0.49)),
            how: ChargeSource::ListPrice
        }
    );
    let lost = ledger.entry("g-lost").unwrap();
    assert_eq!(
        lost.state,
        SpendState::MayHaveBeenCharged {
            at_risk: usd(dec!(0.8170)),
            reason: "The connection dropped after the request was sent.".into()
        }
    );
    assert_eq!(lost.updated_at, datetime!(2026-11-21 09:11 UTC));
}

#[test]
fn an_estimate_is_replaced_by_the_charge_the_provider_reports() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    let req = request(
        Provider::LinkModel,
        Resolution::P1080,
        6,
        "A kite over dunes",
    );
    submit(&ledger, "g-1", &req, NOW);
    let running = ledger.summary(NOW, &BTreeMap::new());
    assert_eq!(running.in_flight[0].total, usd(dec!(0.392))); // the labelled estimate
    assert!(running.this_month.is_empty());

    ledger.record_charge("g-1", usd(dec!(0.35)), NOW).unwrap();
    let done = ledger.summary(NOW, &BTreeMap::new());
    assert!(done.in_flight.is_empty());
    assert_eq!(done.this_month[0].total, usd(dec!(0.35)));
}

#[test]
fn a_torn_last_line_is_cut_off_and_every_earlier_entry_kept() {
    let dir = tempfile::tempdir().unwrap();
    let req = request(Provider::MinimaxGlobal, Resolution::P768, 6, "Waves");
    {
        let ledger = Ledger::open(dir.path()).unwrap();
        submit(&ledger, "g-1", &req, NOW);
        submit(&ledger, "g-2", &req, NOW);
    }
    let path = dir.path().join(LEDGER_FILE);
    let whole = std::fs::read(&path).unwrap();
    // A crash in the middle of the third write.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    file.write_all(br#"{"generationId":"g-3","submittedAt":"2026-11-"#)
        .unwrap();
    drop(file);

    let ledger = Ledger::open(dir.path()).unwrap();
    assert_eq!(ledger.entries().len(), 2);
    assert_eq!(ledger.damaged_lines(), 0);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        whole,
        "the torn tail is cut off exactly"
    );
    // Later writes are whole lines again, and survive the next start.
    submit(&ledger, "g-3", &req, NOW);
    drop(ledger);
    let ids: Vec<String> = Ledger::open(dir.path())
        .unwrap()
        .entries()
        .into_iter()
        .map(|e| e.generation_id)
        .collect();
    assert_eq!(ids, ["g-1", "g-2", "g-3"]);
}

#[test]
fn a_damaged_line_in_the_middle_is_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let req = request(Provider::MinimaxGlobal, Resolution::P768, 6, "Waves");
    {
        let ledger = Ledger::open(dir.path()).unwrap();
        submit(&ledger, "g-1", &req, NOW);
    }
    let path = dir.path().join(LEDGER_FILE);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    file.write_all(b"\x00\x00 not json\n").unwrap();
    drop(file);
    {
        let ledger = Ledger::open(dir.path()).unwrap();
        submit(&ledger, "g-2", &req, NOW);
    }
    let ledger = Ledger::open(dir.path()).unwrap();
    assert_eq!(ledger.entries().len(), 2);
    assert_eq!(ledger.damaged_lines(), 1);
}

#[test]
fn the_last_state_written_for_a_generation_wins_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let req = request(Provider::OpenRouter, Resolution::P768, 6, "Waves");
    {
        let ledger = Ledger::open(dir.path()).unwrap();
        submit(&ledger, "g-1", &req, NOW);
        ledger
            .record_may_have_been_charged("g-1", "No answer.", NOW)
            .unwrap();
        // A later poll found it: the provider reported the charge.
        ledger.record_charge("g-1", usd(dec!(0.49)), NOW).unwrap();
    }
    let ledger = Ledger::open(dir.path()).unwrap();
    assert_eq!(
        ledger.entry("g-1").unwrap().charged(),
        Some(usd(dec!(0.49)))
    );
    let lines = std::fs::read_to_string(dir.path().join(LEDGER_FILE)).unwrap();
    assert_eq!(lines.lines().count(), 3, "append-only: one line per change");
}

#[test]
fn unknown_and_repeated_generations_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    assert!(matches!(
        ledger.record_charge("nope", usd(dec!(1)), NOW),
        Err(LedgerError::UnknownGeneration(id)) if id == "nope"
    ));
    let req = request(Provider::OpenRouter, Resolution::P768, 6, "Waves");
    submit(&ledger, "g-1", &req, NOW);
    assert!(matches!(
        ledger.record_submit("g-1", &req, &quote(&req).unwrap(), NOW),
        Err(LedgerError::AlreadyRecorded(_))
    ));
}

#[test]
fn days_and_months_are_counted_in_the_creators_own_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    let req = request(Provider::MinimaxGlobal, Resolution::P768, 6, "Fireworks");
    // 23:30 on 30 November in Shanghai is 15:30 UTC.
    submit(&ledger, "g-late", &req, datetime!(2026-11-30 15:30 UTC));
    ledger
        .record_list_price_charge("g-late", datetime!(2026-11-30 15:35 UTC))
        .unwrap();

    let shanghai_same_night = datetime!(2026-11-30 23:50 +8);
    let s = ledger.summary(shanghai_same_night, &BTreeMap::new());
    assert_eq!(s.today[0].total, usd(dec!(0.28)));
    assert_eq!(s.this_month[0].total, usd(dec!(0.28)));

    // Twenty minutes later it is December in Shanghai: a new day and a new month.
    let shanghai_december = datetime!(2026-12-01 00:10 +8);
    let s = ledger.summary(shanghai_december, &BTreeMap::new());
    assert!(s.today.is_empty());
    assert!(s.this_month.is_empty());
    assert_eq!(s.all_time[0].total, usd(dec!(0.28)));

    // In New York it is still the afternoon of the 30th.
    let new_york = shanghai_december.to_offset(offset!(-5));
    let s = ledger.summary(new_york, &BTreeMap::new());
    assert_eq!(s.today[0].total, usd(dec!(0.28)));
}

#[test]
fn a_submit_that_would_pass_the_budget_counting_videos_in_flight_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    let minimax = request(Provider::MinimaxGlobal, Resolution::P768, 6, "Waves");
    let big = request(
        Provider::MinimaxGlobal,
        Resolution::P1080,
        6,
        "Waves, sharp",
    );
    submit(&ledger, "g-done", &minimax, NOW);
    ledger.record_list_price_charge("g-done", NOW).unwrap(); // $0.28 spent
    submit(&ledger, "g-running", &big, NOW); // $0.49 in flight
    let limits = budgets(&[(Currency::Usd, dec!(1.00))]);

    // $0.28 + $0.49 + $0.28 = $1.05 > $1.00.
    let refusal = check_budget(&ledger, &quote(&minimax).unwrap(), &limits, NOW).unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "This video would cost $0.28, more than the $0.23 left of your monthly budget of $1.00. \
         This month $0.28 is spent and $0.49 is in videos still being made. \
         You can change the budget in Settings."
    );
    assert_eq!(refusal.left, usd(dec!(0.23)));

    // Once the running one turns out not charged, the same video fits.
    ledger
        .record_not_charged("g-running", "Flagged; not charged.", NOW)
        .unwrap();
    assert_eq!(
        check_budget(&ledger, &quote(&minimax).unwrap(), &limits, NOW),
        Ok(())
    );
}

#[test]
fn reaching_the_budget_exactly_is_allowed_and_other_currencies_are_apart() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    let minimax = request(Provider::MinimaxGlobal, Resolution::P768, 6, "Waves");
    submit(&ledger, "g-1", &minimax, NOW);
    let q = quote(&minimax).unwrap();
    assert_eq!(
        check_budget(&ledger, &q, &budgets(&[(Currency::Usd, dec!(0.56))]), NOW),
        Ok(())
    );
    assert!(check_budget(&ledger, &q, &budgets(&[(Currency::Usd, dec!(0.55))]), NOW).is_err());
    // A yuan budget does not limit dollars, and no budget means no limit.
    assert_eq!(
        check_budget(&ledger, &q, &budgets(&[(Currency::Cny, dec!(0))]), NOW),
        Ok(())
    );
    assert_eq!(check_budget(&ledger, &q, &BTreeMap::new(), NOW), Ok(()));
    // Last month's spending does not count against this month.
    let december = datetime!(2026-12-01 00:00 UTC);
    assert_eq!(
        check_budget(
            &ledger,
            &q,
            &budgets(&[(Currency::Usd, dec!(0.28))]),
            december
        ),
        Ok(())
    );
}

#[test]
fn may_have_been_charged_counts_against_the_budget_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    let china = request(Provider::MinimaxChina, Resolution::P1080, 6, "龙舟");
    submit(&ledger, "g-1", &china, NOW);
    ledger
        .record_may_have_been_charged("g-1", "No answer.", NOW)
        .unwrap();
    let refusal = check_budget(
        &ledger,
        &quote(&china).unwrap(),
        &budgets(&[(Currency::Cny, dec!(5))]),
        NOW,
    )
    .unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "This video would cost ¥3.50, more than the ¥1.50 left of your monthly budget of ¥5.00. \
         This month ¥0.00 is spent and ¥0.00 is in videos still being made, \
         and ¥3.50 may have been charged for videos whose outcome is unknown. \
         You can change the budget in Settings."
    );
}

#[test]
fn a_refused_submit_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    let req = request(Provider::OpenRouter, Resolution::P768, 10, "Waves");
    let q = quote(&req).unwrap();
    let limits = budgets(&[(Currency::Usd, dec!(1.50))]);
    ledger
        .record_submit_within_budget("g-1", &req, &q, &limits, NOW)
        .unwrap();
    let refused = ledger.record_submit_within_budget("g-2", &req, &q, &limits, NOW);
    assert!(matches!(refused, Err(SubmitRefused::OverBudget(_))));
    assert!(ledger.entry("g-2").is_none());
    let summary = ledger.summary(NOW, &limits);
    assert_eq!(summary.budgets[0].in_flight, usd(dec!(0.817)));
    assert_eq!(summary.budgets[0].left, usd(dec!(0.683)));
}

#[test]
fn the_csv_export_has_one_quoted_row_per_generation() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    fill(&ledger);
    let tricky = request(
        Provider::LinkModel,
        Resolution::P768,
        6,
        "=HYPERLINK(\"x\") a \"quoted\", comma\nnew line and a very long tail that goes on past sixty characters",
    );
    submit(
        &ledger,
        "g-tricky",
        &tricky,
        datetime!(2026-11-21 09:30 UTC),
    );
    let mut fast = request(Provider::MinimaxGlobal, Resolution::P768, 10, "");
    fast.model = Model::Hailuo23Fast;
    fast.first_frame = Some(FirstFrame::Link {
        url: "https://example.com/a.png".into(),
    });
    submit(&ledger, "g-fast", &fast, datetime!(2026-11-21 09:40 UTC));

    let csv = ledger.csv(offset!(+1)).unwrap();
    let expected = "\
date,generation id,provider,model,resolution,duration,prompt excerpt,status,amount,currency,basis
2026-10-30 13:00,g-oct,MiniMax,Hailuo 2.3,1080P,6,A lighthouse at dusk,charged,0.49,USD,list price
2026-11-03 10:00,g-or,OpenRouter,Hailuo 2.3,768P,10,A fox in snow,charged,0.82,USD,reported by provider
2026-11-21 08:00,g-cn,MiniMax China,Hailuo 2.3,768P,6,灯塔 at night,charged,2.00,CNY,list price
2026-11-21 09:00,g-lm,LinkModel,Hailuo 2.3,768P,6,Rain on a window,charged,0.224,USD,reported by provider
2026-11-21 09:30,g-flag,MiniMax,Hailuo 2.3,1080P,6,A lighthouse at dusk,not charged,0.00,USD,provider says not charged
2026-11-21 10:00,g-run,MiniMax,Hailuo 2.3,1080P,6,A lighthouse at dusk,in flight,0.49,USD,list price
2026-11-21 10:10,g-lost,OpenRouter,Hailuo 2.3,768P,10,A fox in snow,may have been charged,0.817,USD,amount at risk
2026-11-21 10:30,g-tricky,LinkModel,Hailuo 2.3,768P,6,\"'=HYPERLINK(\"\"x\"\") a \"\"quoted\"\", comma new line and a very long …\",in flight,0.224,USD,list price
2026-11-21 10:40,g-fast,MiniMax,Hailuo 2.3 Fast,768P,10,,in flight,0.32,USD,list price
";
    assert_eq!(csv, expected);
    // And a spreadsheet reader gets the excerpt back as one cell.
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let row = reader.records().nth(7).unwrap().unwrap();
    assert_eq!(
        &row[6],
        "'=HYPERLINK(\"x\") a \"quoted\", comma new line and a very long …"
    );
}
