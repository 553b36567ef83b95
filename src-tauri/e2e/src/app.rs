//! One running Hailuo Studio per test: a fresh data folder, its own tauri-driver, a WebDriver
//! session, and the checks every screen must pass.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use nix::unistd::{getpgid, Pid};
use serde_json::{json, Value};
use tempfile::TempDir;

use crate::desktop::Desktop;
use crate::driver::TauriDriver;
use crate::screens::{judge_screenshot, ScreenProblem};
use crate::session::PrivateSession;

const READY_TIMEOUT: Duration = Duration::from_secs(45);

/// How to start the app: the test's name (used for screenshot and log names) and extra
/// environment variables, such as the emulator's `HAILUO_STUDIO_*_BASE_URL` values.
#[derive(Debug, Clone)]
pub struct Launch {
    test: String,
    env: Vec<(OsString, OsString)>,
    shipped_renderer: bool,
}

/// WebKitGTK's switch for its DMA-BUF renderer; see `src-tauri/src/rendering.rs`.
const DMABUF_SWITCH: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

impl Launch {
    pub fn env(mut self, name: impl Into<OsString>, value: impl Into<OsString>) -> Launch {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Several variables at once, e.g. the emulator's base URLs (`emulator.env_vars()`).
    pub fn envs<N, V>(self, vars: impl IntoIterator<Item = (N, V)>) -> Launch
    where
        N: Into<OsString>,
        V: Into<OsString>,
    {
        vars.into_iter()
            .fold(self, |launch, (name, value)| launch.env(name, value))
    }

    /// The app checks on generations every few hundred milliseconds instead of every 10 s.
    pub fn quick_polling(self) -> Launch {
        self.env("HAILUO_STUDIO_QUICK_POLLING", "1")
    }

    /// Lets the app choose its WebKit renderer as it does on a creator's machine. Without this,
    /// tests keep WebKit's DMA-BUF renderer: on a machine with no GPU the app picks the older
    /// one, and WebKitWebDriver's screenshot never answers under it (WebKitGTK 2.50, seen
    /// here), so such a test proves its screens with X's own capture (`desktop_screen`).
    pub fn with_the_shipped_renderer(mut self) -> Launch {
        self.shipped_renderer = true;
        self
    }

    /// Opens the app's window under WebDriver, with a new data folder and a new, empty keyring
    /// on a private D-Bus bus. Panics, saying what to do, when the desktop session or a program
    /// is missing or the app does not start.
    pub async fn start(self) -> App {
        let desktop = Desktop::find();
        for dir in [desktop.screens_dir(), desktop.logs_dir()] {
            std::fs::create_dir_all(&dir)
                .unwrap_or_else(|err| panic!("cannot create {}: {err}", dir.display()));
        }
        let scratch = tempfile::Builder::new()
            .prefix("hailuo-e2e-")
            .tempdir()
            .unwrap_or_else(|err| panic!("cannot create a folder for the app: {err}"));
        let session = PrivateSession::start(&scratch.path().join("session"));
        let mut env = self.env;
        if !self.shipped_renderer && !env.iter().any(|(name, _)| name == DMABUF_SWITCH) {
            env.insert(0, (DMABUF_SWITCH.into(), "0".into()));
        }
        App::open(desktop, self.test, env, session, scratch).await
    }
}

/// The real app, running. Dropping it ends every process it started.
pub struct App {
    // Field order is drop order: the app's processes end, then the bus and keyring, and only
    // then do the folders go.
    client: Client,
    driver: TauriDriver,
    session: PrivateSession,
    scratch: TempDir,
    desktop: Desktop,
    test: String,
    env: Vec<(OsString, OsString)>,
}

impl App {
    /// `test` names the screenshots and the driver log; use the test function's name.
    pub fn launch(test: &str) -> Launch {
        Launch {
            test: test.to_owned(),
            env: Vec::new(),
            shipped_renderer: false,
        }
    }

    async fn open(
        desktop: Desktop,
        test: String,
        env: Vec<(OsString, OsString)>,
        session: PrivateSession,
        scratch: TempDir,
    ) -> App {
        let data_dir = scratch.path().join("studio");
        let mut driver_env = session.env();
        driver_env.push(("HAILUO_STUDIO_DATA_DIR".into(), data_dir.into_os_string()));
        driver_env.extend(env.iter().cloned());
        let log = desktop.logs_dir().join(format!("{test}.log"));
        let driver = TauriDriver::start(&desktop, &driver_env, &log);

        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("wry"));
        capabilities.insert(
            "tauri:options".into(),
            json!({ "application": desktop.app_binary }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|err| {
                panic!(
                    "the app did not start under WebDriver: {err}\nDriver output ({}):\n{}",
                    log.display(),
                    driver.log_text()
                )
            });
        App {
            client,
            driver,
            session,
            scratch,
            desktop,
            test,
            env,
        }
    }

    /// Quits the app and starts it again with the same data folder, keyring and variables, as a
    /// creator reopening it would.
    pub async fn relaunch(self) -> App {
        let App {
            client,
            driver,
            session,
            scratch,
            desktop,
            test,
            env,
        } = self;
        // After `kill_app` the session has no browser left to close: do not wait long for it.
        let _ = tokio::time::timeout(Duration::from_secs(5), client.close()).await;
        drop(driver);
        App::open(desktop, test, env, session, scratch).await
    }

    /// The app's process id, whether or not WebDriver still drives it (after a restart the new
    /// process is the app's, not WebDriver's).
    pub fn app_pid(&self) -> Option<i32> {
        crate::process::find_app(self.driver.process_group(), &self.desktop.app_binary)
    }

    /// Kills the app's own process with SIGKILL, as a crash or a forced quit would: it gets no
    /// chance to save or clean anything. Returns once the process is dead (its files closed,
    /// its locks released) with its pid. Follow with [`App::relaunch`] to start it again on the
    /// same data folder.
    pub fn kill_app(&self) -> i32 {
        let group = self.driver.process_group();
        let pid = crate::process::find_app(group, &self.desktop.app_binary).unwrap_or_else(|| {
            panic!(
                "{}: no running {} in tauri-driver's process group {group}",
                self.test,
                self.desktop.app_binary.display()
            )
        });
        crate::process::kill_now(pid).unwrap_or_else(|err| panic!("{}: {err}", self.test));
        pid
    }

    /// The app's `HAILUO_STUDIO_DATA_DIR`, new for this test and kept across relaunches.
    pub fn data_dir(&self) -> PathBuf {
        self.scratch.path().join("studio")
    }

    /// Every folder this test's app may write to: its data folder and the private session's
    /// XDG folders (WebKit's caches and storage, the keyring's files). Kept across relaunches.
    pub fn run_dir(&self) -> &Path {
        self.scratch.path()
    }

    /// What tauri-driver, WebKitWebDriver and the app printed (the app's stderr lands here), for
    /// every launch of this test so far.
    pub fn output(&self) -> String {
        self.driver.log_text()
    }

    /// Starts the app's binary once more, as a creator double-clicking its icon again would, in
    /// the same desktop session and data folder. Answers its exit status, or `None` when it was
    /// still running after `patience` (it is then stopped).
    pub fn launch_again(&self, patience: Duration) -> Option<std::process::ExitStatus> {
        let mut child = Command::new(&self.desktop.app_binary)
            .envs(self.session.env())
            .env("HAILUO_STUDIO_DATA_DIR", self.data_dir())
            .envs(self.env.iter().cloned())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("{}: the app did not start again: {err}", self.test));
        let deadline = Instant::now() + patience;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100))
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return None;
                }
            }
        }
    }

    /// The WebDriver session, for anything the helpers below do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Waits until the UI says its first screen is drawn (`document.body.dataset.ready`).
    pub async fn wait_ready(&self) {
        self.wait_for(
            "return document.body !== null && document.body.dataset.ready === 'true'",
            "the first screen to be drawn (document.body.dataset.ready)",
        )
        .await;
    }

    /// Waits until `condition` (a script body returning a boolean) holds.
    pub async fn wait_for(&self, condition: &str, what: &str) {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Value::Bool(true)) = self.client.execute(condition, vec![]).await {
                return;
            }
            if Instant::now() > deadline {
                let text = self
                    .client
                    .execute(
                        "return document.body ? document.body.innerText : '(no body)'",
                        vec![],
                    )
                    .await;
                panic!(
                    "{}: waited {} s for {what}. The page said: {text:?}\nDriver output:\n{}",
                    self.test,
                    READY_TIMEOUT.as_secs(),
                    self.driver.log_text()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until an element matching the CSS `selector` is on the page.
    pub async fn wait_for_element(&self, selector: &str) {
        let quoted = json!(selector);
        self.wait_for(
            &format!("return document.querySelector({quoted}) !== null"),
            &format!("an element {selector}"),
        )
        .await;
    }

    /// Waits for the element matching `selector`, then clicks it as a person would.
    pub async fn click(&self, selector: &str) {
        self.wait_for_element(selector).await;
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|err| panic!("{}: no {selector} to click: {err}", self.test))
            .click()
            .await
            .unwrap_or_else(|err| panic!("{}: clicking {selector} failed: {err}", self.test));
    }

    /// Waits for the field matching `selector`, then types `text` into it key by key.
    pub async fn type_into(&self, selector: &str, text: &str) {
        self.wait_for_element(selector).await;
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|err| panic!("{}: no {selector} to type into: {err}", self.test))
            .send_keys(text)
            .await
            .unwrap_or_else(|err| panic!("{}: typing into {selector} failed: {err}", self.test));
    }

    /// Runs a script body in the page and returns its value.
    pub async fn run_js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|err| panic!("{}: the script failed: {err}\n{script}", self.test))
    }

    /// Calls an app command the way the UI does, through `window.__TAURI__.core.invoke`.
    /// `Err` holds the command's `{kind, message}`.
    pub async fn invoke(&self, command: &str, args: Value) -> Result<Value, Value> {
        let script = "const [command, args, done] = arguments;
            window.__TAURI__.core.invoke(command, args).then(
                (value) => done({ ok: value === undefined ? null : value }),
                (error) => done({ err: error }));";
        let answer = self
            .client
            .execute_async(script, vec![json!(command), args])
            .await
            .unwrap_or_else(|err| panic!("{}: invoking {command} failed: {err}", self.test));
        match answer {
            Value::Object(mut fields) => match (fields.remove("ok"), fields.remove("err")) {
                (Some(value), _) => Ok(value),
                (None, Some(error)) => Err(error),
                (None, None) => panic!("{}: {command} answered nothing", self.test),
            },
            other => panic!("{}: {command} answered {other}", self.test),
        }
    }

    /// Waits until WebKit has drawn the page as it is now. Under load a WebDriver screenshot taken
    /// right after a DOM change can show the frame before it: two animation frames later the
    /// change has been through a rendering update.
    pub async fn painted(&self) {
        let script = "const done = arguments[arguments.length - 1];
            requestAnimationFrame(() => requestAnimationFrame(() => done(null)));";
        self.client
            .execute_async(script, vec![])
            .await
            .unwrap_or_else(|err| panic!("{}: the page never drew a frame: {err}", self.test));
    }

    /// Everything the page shows as text.
    pub async fn text(&self) -> String {
        match self.run_js("return document.body.innerText").await {
            Value::String(text) => text,
            other => panic!("{}: innerText was {other}", self.test),
        }
    }

    /// The window's screenshot, saved as `target/e2e-screens/<test>-<name>.png`. Panics when the
    /// screen is blank or the page recorded a script error.
    pub async fn screen(&self, name: &str) -> PathBuf {
        let path = self.screen_path(name);
        self.try_screen(name).await.unwrap_or_else(|problem| {
            panic!(
                "{}: the {name} screen is broken: {problem}. Look at {}",
                self.test,
                path.display()
            )
        })
    }

    /// Like [`App::screen`], but says what is wrong instead of panicking. The PNG is saved either
    /// way.
    pub async fn try_screen(&self, name: &str) -> Result<PathBuf, ScreenProblem> {
        self.painted().await;
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|err| panic!("{}: WebDriver took no screenshot: {err}", self.test));
        let path = self.screen_path(name);
        std::fs::write(&path, &png)
            .unwrap_or_else(|err| panic!("cannot save {}: {err}", path.display()));
        let errors = self
            .run_js(
                "return [Number(document.body.dataset.scriptErrors || 0),
                         document.body.dataset.lastScriptError || '']",
            )
            .await;
        let count = errors[0].as_u64().unwrap_or(0);
        if count > 0 {
            return Err(ScreenProblem::ScriptErrors {
                count,
                last: errors[1].as_str().unwrap_or_default().to_owned(),
            });
        }
        if self.text().await.trim().is_empty() {
            return Err(ScreenProblem::NoText);
        }
        judge_screenshot(&png)?;
        Ok(path)
    }

    /// The whole virtual screen, captured by X itself (`import -window root`), to prove the window
    /// is really there and drawn, not only the page WebDriver renders. Panics when it is blank.
    pub async fn desktop_screen(&self, name: &str) -> PathBuf {
        let path = self
            .desktop
            .screens_dir()
            .join(format!("{}-{name}-desktop.png", self.test));
        let output = Command::new(import_program())
            .args(["-window", "root"])
            .arg(&path)
            .output()
            .unwrap_or_else(|err| {
                panic!("cannot run imagemagick's import (apt-get install imagemagick): {err}")
            });
        if !output.status.success() {
            panic!(
                "import -window root failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let png = std::fs::read(&path)
            .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
        if let Err(problem) = judge_screenshot(&png) {
            panic!(
                "{}: the desktop shows no window: {problem}. Look at {}",
                self.test,
                path.display()
            );
        }
        path
    }

    /// The titles of the X windows this test's app shows (found by process group, so apps of
    /// tests running alongside are left out; GTK's hidden helper windows are left out too).
    pub fn native_window_titles(&self) -> Vec<String> {
        let tree = run_x_tool("xwininfo", &["-root", "-tree"]);
        named_windows(&tree)
            .into_iter()
            .filter(|(id, _)| is_viewable(id) && self.owns_window(id))
            .map(|(_, title)| title)
            .collect()
    }

    fn owns_window(&self, id: &str) -> bool {
        let answer = run_x_tool("xprop", &["-id", id, "_NET_WM_PID"]);
        let Some(pid) = answer
            .rsplit_once('=')
            .and_then(|(_, pid)| pid.trim().parse::<i32>().ok())
        else {
            return false;
        };
        getpgid(Some(Pid::from_raw(pid)))
            .is_ok_and(|group| group.as_raw() == self.driver.process_group())
    }

    /// Ends the WebDriver session (the app closes), then every process left.
    pub async fn close(self) {
        // Whatever the session says, dropping `self` ends the processes.
        let _ = self.client.clone().close().await;
    }

    fn screen_path(&self, name: &str) -> PathBuf {
        self.desktop
            .screens_dir()
            .join(format!("{}-{name}.png", self.test))
    }
}

/// Imagemagick's real `import`; some machines shadow imagemagick tools in /usr/local/bin.
fn import_program() -> &'static str {
    if Path::new("/usr/bin/import").is_file() {
        "/usr/bin/import"
    } else {
        "import"
    }
}

fn run_x_tool(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("cannot run {program} (apt-get install x11-utils): {err}"));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn is_viewable(id: &str) -> bool {
    run_x_tool("xwininfo", &["-id", id]).contains("Map State: IsViewable")
}

/// `(id, title)` of every window with a name in `xwininfo -root -tree` output, whose lines look
/// like `     0x600003 "Hailuo Studio": ("hailuo-studio" "Hailuo-studio")  1200x800+40+0  +40+0`.
fn named_windows(tree: &str) -> Vec<(String, String)> {
    tree.lines()
        .filter_map(|line| {
            let (id, rest) = line.trim_start().split_once(' ')?;
            if !id.starts_with("0x") {
                return None;
            }
            let title = rest.strip_prefix('"')?.split_once("\":")?.0;
            Some((id.to_owned(), title.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_titles_are_read_from_xwininfo_and_unnamed_windows_left_out() {
        let tree = r#"
xwininfo: Window id: 0x4a3 (the root window) (has no name)

  Root window id: 0x4a3 (the root window) (has no name)
  Parent window id: 0x0 (none)
     3 children:
     0x600003 "Hailuo Studio": ("hailuo-studio" "Hailuo-studio")  1200x800+40+0  +40+0
        1 child:
        0x600004 (has no name): ()  1x1+-1+-1  +39+-1
     0x400001 "a \"quoted\" name": ()  10x10+0+0  +0+0
"#;
        assert_eq!(
            named_windows(tree),
            vec![
                ("0x600003".to_owned(), "Hailuo Studio".to_owned()),
                ("0x400001".to_owned(), r#"a \"quoted\" name"#.to_owned()),
            ]
        );
    }
}
