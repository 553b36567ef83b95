//! One tauri-driver per test, on its own free ports and with its own environment, so that the app
//! it launches sees exactly the variables that test chose. Dropping it ends the whole process
//! group: tauri-driver, WebKitWebDriver, the app and its web processes.

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::sys::wait::waitpid;
use nix::unistd::Pid;

use crate::desktop::Desktop;

pub struct TauriDriver {
    child: Child,
    port: u16,
    native_port: u16,
    log: PathBuf,
}

impl TauriDriver {
    /// Starts tauri-driver with `env` on top of this process's environment minus every
    /// `HAILUO_STUDIO_*` variable, and waits until it accepts connections.
    pub fn start(desktop: &Desktop, env: &[(OsString, OsString)], log: &Path) -> TauriDriver {
        // Processes orphaned when the group is killed come back to this process to be reaped,
        // instead of lingering as zombies under an init that may not reap them.
        let _ = nix::sys::prctl::set_child_subreaper(true);
        let (port, native_port) = two_free_ports();
        // Appended to, so a relaunch keeps the first launch's output.
        let mut log_file = File::options()
            .create(true)
            .append(true)
            .open(log)
            .unwrap_or_else(|err| panic!("cannot open the driver log {}: {err}", log.display()));
        let _ = writeln!(
            log_file,
            "--- tauri-driver on port {port}, WebKitWebDriver on {native_port}"
        );
        let log_copy = log_file
            .try_clone()
            .unwrap_or_else(|err| panic!("cannot share the driver log: {err}"));
        let mut command = Command::new(&desktop.tauri_driver);
        command
            .arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .arg("--native-driver")
            .arg(&desktop.webkit_driver)
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(log_copy)
            // Its own process group, so that one signal reaches every process under it.
            .process_group(0);
        for (name, _) in std::env::vars_os() {
            // The test says how the app is set up, whatever the developer's shell has set.
            let name_text = name.to_string_lossy();
            if name_text.starts_with("HAILUO_STUDIO_")
                || name_text == "WEBKIT_DISABLE_DMABUF_RENDERER"
            {
                command.env_remove(name);
            }
        }
        command.envs(env.iter().map(|(k, v)| (k, v)));
        let child = command.spawn().unwrap_or_else(|err| {
            panic!(
                "cannot start tauri-driver ({}): {err}",
                desktop.tauri_driver.display()
            )
        });
        let mut driver = TauriDriver {
            child,
            port,
            native_port,
            log: log.to_path_buf(),
        };
        driver.wait_until_listening();
        driver
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The driver's output so far, for failure messages.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The process group every process of this test's app belongs to.
    pub fn process_group(&self) -> i32 {
        // A child's pid fits in pid_t on every Unix.
        i32::try_from(self.child.id()).unwrap_or(i32::MAX)
    }

    /// Both tauri-driver and the WebKitWebDriver behind it must listen: a session requested
    /// before the second one is up fails with a bare connection error.
    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let listening = |port: u16| TcpStream::connect(("127.0.0.1", port)).is_ok();
        loop {
            if listening(self.port) && listening(self.native_port) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "tauri-driver exited ({status}) before listening. Its output:\n{}",
                    self.log_text()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "tauri-driver did not listen on ports {} and {} within 15 s. Its output:\n{}",
                    self.port,
                    self.native_port,
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        // Killing only tauri-driver would leave WebKitWebDriver and the app running.
        let group = self.process_group();
        let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
        // Reap tauri-driver, then each orphan of the group as it is handed to this process,
        // until none is left (ECHILD).
        while waitpid(Pid::from_raw(-group), None).is_ok() {}
        let _ = self.child.try_wait();
    }
}

/// Two ports that were free a moment ago. Both listeners are held at once so they differ.
fn two_free_ports() -> (u16, u16) {
    let bind = || {
        TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| Ok((l.local_addr()?.port(), l)))
            .unwrap_or_else(|err| panic!("no free port on 127.0.0.1: {err}"))
    };
    let (first, _a) = bind();
    let (second, _b) = bind();
    (first, second)
}
