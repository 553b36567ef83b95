//! The real OS keyring (Secret Service under D-Bus here) keeps, replaces and forgets a key.
//!
//! Run through `scripts/test.sh`, which starts a D-Bus session with an unlocked gnome-keyring.
//! Without a session bus this test fails on purpose: a skipped keyring test would hide the one
//! way keys can silently stop being saved.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failing step should panic with its cause

use hailuo_core::keys::{KeyStore, OsKeyring};
use hailuo_core::Provider;
use secrecy::{ExposeSecret, SecretString};

fn require_session_bus() {
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").filter(|v| !v.is_empty());
    assert!(
        bus.is_some(),
        "DBUS_SESSION_BUS_ADDRESS is not set, so there is no Secret Service to test against. \
         Run the tests with scripts/test.sh, which starts a D-Bus session with an unlocked \
         gnome-keyring."
    );
}

/// A service name no real key uses, different on every run.
fn throwaway_service() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("io.hailuostudio.test.{}.{nanos:x}", std::process::id())
}

fn secret(text: &str) -> SecretString {
    SecretString::from(text.to_owned())
}

// One test function, so the steps run in order on one thread: Secret Service sessions from
// parallel threads have been seen to interfere with each other.
#[test]
fn keys_round_trip_through_the_real_secret_service() {
    require_session_bus();
    let service = throwaway_service();
    let keyring = OsKeyring::with_service(&service);

    for provider in Provider::ALL {
        assert!(
            keyring.get(provider).unwrap().is_none(),
            "{provider} starts without a key under {service}"
        );
    }

    keyring
        .set(Provider::MinimaxGlobal, &secret("mm-global-first-key-1111"))
        .unwrap();
    keyring
        .set(Provider::MinimaxChina, &secret("mm-china-key-2222"))
        .unwrap();

    // A fresh handle on the same service reads what the first one wrote: it was stored by the
    // OS, not kept in this process (keyring 3 without its platform features would only mock).
    let reopened = OsKeyring::with_service(&service);
    assert_eq!(
        reopened
            .get(Provider::MinimaxGlobal)
            .unwrap()
            .unwrap()
            .expose_secret(),
        "mm-global-first-key-1111"
    );
    assert_eq!(
        reopened
            .get(Provider::MinimaxChina)
            .unwrap()
            .unwrap()
            .expose_secret(),
        "mm-china-key-2222",
        "each MiniMax region keeps its own key"
    );

    keyring
        .set(
            Provider::MinimaxGlobal,
            &secret("mm-global-replacement-3333"),
        )
        .unwrap();
    assert_eq!(
        reopened
            .get(Provider::MinimaxGlobal)
            .unwrap()
            .unwrap()
            .expose_secret(),
        "mm-global-replacement-3333"
    );

    keyring.remove(Provider::MinimaxGlobal).unwrap();
    assert!(reopened.get(Provider::MinimaxGlobal).unwrap().is_none());
    // Removing what is already gone is not an error: the creator's intent is met.
    keyring.remove(Provider::MinimaxGlobal).unwrap();
    assert!(
        reopened.get(Provider::MinimaxChina).unwrap().is_some(),
        "removing one key leaves the others"
    );

    keyring.remove(Provider::MinimaxChina).unwrap();
    for provider in Provider::ALL {
        assert!(reopened.get(provider).unwrap().is_none());
    }

    // The app's own namespace was never touched by the test.
    assert_ne!(service, hailuo_core::keys::KEYRING_SERVICE);
}
