//! The key test: whether a saved key works, told plainly, without spending anything.

use std::future::Future;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::money::Money;
use crate::provider::Provider;
use crate::providers::{KeyCheck, ProviderError};

/// The one-word answer the UI branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The service accepted the key.
    Works,
    /// OpenRouter accepted the key and said how much credit is left under its limit.
    WorksWithCredit,
    /// The key is accepted but the account cannot pay for a video now.
    NoCredit,
    /// The service refused the key.
    Rejected,
    /// A MiniMax key refused here and accepted by the other region.
    OtherRegion,
    /// The service could not be reached or was too busy to answer; the key may be fine.
    CannotReach,
    /// The service answered something that says neither yes nor no.
    CouldNotTell,
}

/// What kind of MiniMax key it is, by its prefix (providers.md, re-check): billed separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyKind {
    /// `sk-api-…`: pay-as-you-go, each video paid from the balance.
    PayAsYouGo,
    /// `sk-cp-…`: a subscription ("plan") key, with usage limits per 5-hour window.
    Plan,
}

impl KeyKind {
    /// The kind of a MiniMax key, from its prefix; `None` for other services or other prefixes.
    pub fn of(provider: Provider, key: &str) -> Option<KeyKind> {
        if !provider.is_minimax() {
            return None;
        }
        let key = key.trim();
        if key.starts_with("sk-api-") {
            Some(KeyKind::PayAsYouGo)
        } else if key.starts_with("sk-cp-") {
            Some(KeyKind::Plan)
        } else {
            None
        }
    }

    fn sentence(self) -> &'static str {
        match self {
            KeyKind::PayAsYouGo => {
                " It is a pay-as-you-go key: each video is paid from your MiniMax balance."
            }
            KeyKind::Plan => {
                " It is a plan (subscription) key: it is billed separately from pay-as-you-go and has a usage limit in each 5-hour window. Whether plans include Hailuo 2.3 videos is not documented: if a video is refused, use a pay-as-you-go key."
            }
        }
    }
}

/// What the creator is told after pressing Test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyTest {
    pub provider: Provider,
    pub verdict: Verdict,
    /// A full sentence, with the provider's own code and text when it refused.
    pub message: String,
    pub credit_left: Option<Money>,
    /// With `OtherRegion`: the MiniMax region the key belongs to.
    pub suggested_provider: Option<Provider>,
    /// The provider error's kind, when the test ended in one.
    pub error_kind: Option<&'static str>,
    /// MiniMax only: pay-as-you-go or plan key, by its prefix.
    pub key_kind: Option<KeyKind>,
    /// The host that answered (`api.minimax.cn`), for Settings to show.
    pub host: Option<String>,
    /// The base URL that answered, for the app to remember (MiniMax China has two names).
    pub base_url: Option<String>,
}

/// Tests `key` at `provider`. `check(p)` asks provider `p` about the same key; for a MiniMax
/// key that is refused, the other region is asked too, so the creator learns where it belongs.
///
/// Whatever a provider echoes back, the key itself never appears in the answer.
pub async fn test_key<F, Fut>(provider: Provider, key: &SecretString, check: F) -> KeyTest
where
    F: Fn(Provider) -> Fut,
    Fut: Future<Output = Result<KeyCheck, ProviderError>>,
{
    let first = check(provider).await;
    let mut answer = match first {
        Ok(found) => accepted(provider, found),
        Err(err @ ProviderError::KeyRejected { .. }) => match other_region(provider) {
            Some(other) if check(other).await.is_ok() => KeyTest {
                provider,
                verdict: Verdict::OtherRegion,
                message: format!(
                    "{provider} did not accept this key, but {other} did: it belongs to {other}. Save it as a {other} key instead, and choose that region in Settings."
                ),
                credit_left: None,
                suggested_provider: Some(other),
                error_kind: Some(err.kind()),
                key_kind: None,
                host: None,
                base_url: None,
            },
            _ => failed(provider, Verdict::Rejected, &err),
        },
        Err(err @ ProviderError::PlanLimitReached { .. }) => KeyTest {
            message: format!("{provider} accepted your key. {err}"),
            ..failed(provider, Verdict::NoCredit, &err)
        },
        Err(err @ ProviderError::NoCredit { .. }) => KeyTest {
            message: format!(
                "{provider} accepted your key, but the account cannot pay for a video right now. {err}"
            ),
            ..failed(provider, Verdict::NoCredit, &err)
        },
        Err(
            err @ (ProviderError::NetworkDown { .. }
            | ProviderError::Unavailable { .. }
            | ProviderError::RateLimited { .. }),
        ) => KeyTest {
            message: format!(
                "The key is saved, but it could not be checked right now. {err}"
            ),
            ..failed(provider, Verdict::CannotReach, &err)
        },
        Err(err) => failed(provider, Verdict::CouldNotTell, &err),
    };
    answer.key_kind = KeyKind::of(answer.provider, key.expose_secret());
    if let Some(kind) = answer.key_kind {
        if matches!(answer.verdict, Verdict::Works | Verdict::NoCredit) {
            answer.message.push_str(kind.sentence());
        }
    }
    answer.message = without_key(&answer.message, key);
    answer
}

fn accepted(provider: Provider, found: KeyCheck) -> KeyTest {
    let (verdict, message) = match (provider, found.remaining_credit) {
        (Provider::OpenRouter, Some(left)) => (
            Verdict::WorksWithCredit,
            format!(
                "OpenRouter accepted your key. It can still spend {left} under its credit limit. Testing it cost nothing."
            ),
        ),
        (Provider::OpenRouter, None) => (
            Verdict::Works,
            "OpenRouter accepted your key. It has no limit of its own: videos are paid from your OpenRouter credit. Testing it cost nothing.".to_owned(),
        ),
        _ => (
            Verdict::Works,
            match found.base_url.as_deref().and_then(host_of) {
                Some(host) if provider == Provider::MinimaxChina => format!(
                    "{provider} accepted your key at {host}. Testing it cost nothing."
                ),
                _ => format!("{provider} accepted your key. Testing it cost nothing."),
            },
        ),
    };
    KeyTest {
        provider,
        verdict,
        message,
        credit_left: found.remaining_credit,
        suggested_provider: None,
        error_kind: None,
        key_kind: None,
        host: found.base_url.as_deref().and_then(host_of),
        base_url: found.base_url,
    }
}

fn host_of(base_url: &str) -> Option<String> {
    url::Url::parse(base_url)
        .ok()
        .map(|url| crate::providers::host_of(&url))
}

fn failed(provider: Provider, verdict: Verdict, err: &ProviderError) -> KeyTest {
    KeyTest {
        provider,
        verdict,
        message: err.to_string(),
        credit_left: None,
        suggested_provider: None,
        error_kind: Some(err.kind()),
        key_kind: None,
        host: None,
        base_url: None,
    }
}

/// The other MiniMax region, where a refused MiniMax key may belong; `None` for other services.
pub fn other_region(provider: Provider) -> Option<Provider> {
    match provider {
        Provider::MinimaxGlobal => Some(Provider::MinimaxChina),
        Provider::MinimaxChina => Some(Provider::MinimaxGlobal),
        Provider::OpenRouter | Provider::LinkModel => None,
    }
}

/// A provider might quote the key it refused; the creator's screen must not.
fn without_key(message: &str, key: &SecretString) -> String {
    let key = key.expose_secret();
    if key.is_empty() {
        return message.to_owned();
    }
    message.replace(key, "[your key]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::ProviderSaid;
    use rust_decimal_macros::dec;
    use std::sync::Mutex;

    fn key() -> SecretString {
        SecretString::from("sk-test-key-0123456789".to_owned())
    }

    fn rejected(provider: Provider, text: &str) -> ProviderError {
        ProviderError::KeyRejected {
            provider,
            other_region_hint: provider.is_minimax(),
            said: ProviderSaid {
                http_status: Some(200),
                code: Some(2049),
                text: Some(text.to_owned()),
            },
        }
    }

    #[tokio::test]
    async fn a_working_minimax_key_is_told_so_and_asked_once() {
        let asked = Mutex::new(Vec::new());
        let test = test_key(Provider::MinimaxGlobal, &key(), |p| {
            asked.lock().unwrap().push(p);
            async { Ok(KeyCheck::default()) }
        })
        .await;
        assert_eq!(test.verdict, Verdict::Works);
        assert_eq!(*asked.lock().unwrap(), vec![Provider::MinimaxGlobal]);
        assert!(test.message.contains("cost nothing"), "{}", test.message);
    }

    #[tokio::test]
    async fn openrouter_shows_the_credit_left() {
        let test = test_key(Provider::OpenRouter, &key(), |_| async {
            Ok(KeyCheck {
                remaining_credit: Some(Money::usd(dec!(7.5))),
                ..KeyCheck::default()
            })
        })
        .await;
        assert_eq!(test.verdict, Verdict::WorksWithCredit);
        assert_eq!(test.credit_left, Some(Money::usd(dec!(7.5))));
        assert!(test.message.contains("$7.50"), "{}", test.message);
    }

    #[tokio::test]
    async fn a_minimax_key_rejected_here_but_accepted_by_the_other_region_says_where_it_belongs() {
        let test = test_key(Provider::MinimaxGlobal, &key(), |p| async move {
            match p {
                Provider::MinimaxChina => Ok(KeyCheck::default()),
                _ => Err(rejected(p, "invalid api key")),
            }
        })
        .await;
        assert_eq!(test.verdict, Verdict::OtherRegion);
        assert_eq!(test.suggested_provider, Some(Provider::MinimaxChina));
        assert!(test.message.contains("MiniMax China"), "{}", test.message);
    }

    #[tokio::test]
    async fn a_key_both_regions_refuse_is_rejected_with_the_providers_own_words() {
        let test = test_key(Provider::MinimaxChina, &key(), |p| async move {
            Err(rejected(p, "invalid api key"))
        })
        .await;
        assert_eq!(test.verdict, Verdict::Rejected);
        assert_eq!(test.suggested_provider, None);
        assert!(test.message.contains("invalid api key"), "{}", test.message);
        assert!(test.message.contains("2049"), "{}", test.message);
        assert_eq!(test.error_kind, Some("key-rejected"));
    }

    #[tokio::test]
    async fn a_rejected_linkmodel_key_asks_no_one_else() {
        let asked = Mutex::new(0);
        let test = test_key(Provider::LinkModel, &key(), |p| {
            *asked.lock().unwrap() += 1;
            async move { Err(rejected(p, "invalid api key")) }
        })
        .await;
        assert_eq!(test.verdict, Verdict::Rejected);
        assert_eq!(*asked.lock().unwrap(), 1);
    }

    #[tokio::test]
    async fn an_unreachable_service_is_not_mistaken_for_a_bad_key() {
        let test = test_key(Provider::OpenRouter, &key(), |p| async move {
            Err(ProviderError::NetworkDown {
                provider: p,
                detail: "connection refused".to_owned(),
            })
        })
        .await;
        assert_eq!(test.verdict, Verdict::CannotReach);
        assert!(
            test.message.contains("could not be checked"),
            "{}",
            test.message
        );
    }

    #[tokio::test]
    async fn the_key_test_says_whether_a_minimax_key_is_pay_as_you_go_or_plan() {
        let works = |_| async { Ok(KeyCheck::default()) };
        let payg = SecretString::from("sk-api-0123456789abcdef".to_owned());
        let test = test_key(Provider::MinimaxGlobal, &payg, works).await;
        assert_eq!(test.key_kind, Some(KeyKind::PayAsYouGo));
        assert!(
            test.message.contains("pay-as-you-go key"),
            "{}",
            test.message
        );
        let plan = SecretString::from("sk-cp-0123456789abcdef".to_owned());
        let test = test_key(Provider::MinimaxChina, &plan, works).await;
        assert_eq!(test.key_kind, Some(KeyKind::Plan));
        assert!(
            test.message.contains("plan (subscription) key"),
            "{}",
            test.message
        );
        let other = test_key(Provider::OpenRouter, &plan, works).await;
        assert_eq!(
            other.key_kind, None,
            "only MiniMax keys have these prefixes"
        );
    }

    #[tokio::test]
    async fn code_2056_plan_limit_reached_has_its_own_plain_message_and_is_not_charged() {
        let plan = SecretString::from("sk-cp-0123456789abcdef".to_owned());
        let test = test_key(Provider::MinimaxGlobal, &plan, |p| async move {
            Err(ProviderError::PlanLimitReached {
                provider: p,
                said: ProviderSaid {
                    http_status: Some(200),
                    code: Some(2056),
                    text: Some("usage limit exceeded".into()),
                },
            })
        })
        .await;
        assert_eq!(test.verdict, Verdict::NoCredit);
        assert_eq!(test.error_kind, Some("plan-limit-reached"));
        assert!(test.message.contains("5-hour window"), "{}", test.message);
        assert!(
            test.message.contains("Nothing was charged"),
            "{}",
            test.message
        );
    }

    #[tokio::test]
    async fn the_china_key_test_says_which_host_answered() {
        let test = test_key(Provider::MinimaxChina, &key(), |_| async {
            Ok(KeyCheck {
                base_url: Some("https://api.minimaxi.com".into()),
                ..KeyCheck::default()
            })
        })
        .await;
        assert_eq!(test.host.as_deref(), Some("api.minimaxi.com"));
        assert_eq!(test.base_url.as_deref(), Some("https://api.minimaxi.com"));
        assert!(
            test.message.contains("at api.minimaxi.com"),
            "{}",
            test.message
        );
    }

    #[tokio::test]
    async fn a_key_quoted_back_by_a_provider_never_reaches_the_creator() {
        let test = test_key(Provider::LinkModel, &key(), |p| async move {
            Err(rejected(p, "invalid api key sk-test-key-0123456789"))
        })
        .await;
        assert!(
            !test.message.contains("sk-test-key-0123456789"),
            "{}",
            test.message
        );
        assert!(test.message.contains("[your key]"), "{}", test.message);
    }
}
