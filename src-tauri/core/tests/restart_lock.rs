//! A restarted app takes the library from the app that restarted it. In a test binary of its own:
//! it starts a process, and a fork made while another test drops a lock would keep that lock.

#![allow(clippy::unwrap_used)] // a test that fails should panic with the cause

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hailuo_core::library::Library;

/// Set in the child process the test starts, as a restart starts the new app.
const RESTARTED_IN: &str = "HAILUO_TEST_RESTARTED_IN";
const NAME: &str = "a_restart_waits_for_the_app_that_restarted_it_to_let_go_of_the_library";

#[test]
fn a_restart_waits_for_the_app_that_restarted_it_to_let_go_of_the_library() {
    if let Some(dir) = std::env::var_os(RESTARTED_IN) {
        // The new process: its parent still holds the library.
        let asked = Instant::now();
        let lock = Library::open(dir)
            .unwrap()
            .lock_patiently(Duration::from_secs(5));
        assert!(lock.is_ok(), "{lock:?}");
        assert!(asked.elapsed() >= Duration::from_millis(200), "it did wait");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let held = Library::open(dir.path()).unwrap().lock().unwrap();
    let restarted = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", NAME, "--test-threads=1"])
        .env(RESTARTED_IN, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    drop(held);
    let output = restarted.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the restarted app did not get the library:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
