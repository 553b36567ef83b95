//! What the suite needs from the machine: a display, a session bus, the two WebDriver programs and
//! an up-to-date app binary. Anything missing stops the test with what to do, never a skip.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Set to `1` by `scripts/test.sh` inside the desktop session it creates (private D-Bus bus,
/// unlocked gnome-keyring, Xvfb). Tests that need the real Secret Service may look for it.
pub const TEST_SESSION_ENV: &str = "HAILUO_STUDIO_TEST_SESSION";

const HOW_TO_RUN: &str =
    "Run the suite with `bash scripts/test.sh`: it installs what is missing and creates a desktop \
     session (Xvfb, a private D-Bus bus, an unlocked gnome-keyring) around `cargo test`.";

/// The programs one end-to-end test needs, found and checked.
#[derive(Debug, Clone)]
pub struct Desktop {
    pub tauri_driver: PathBuf,
    pub webkit_driver: PathBuf,
    pub app_binary: PathBuf,
    /// Cargo's target folder; screenshots and driver logs go under it.
    pub target_dir: PathBuf,
}

impl Desktop {
    /// Finds everything or panics with what to do.
    pub fn find() -> Desktop {
        require_desktop_session();
        let tauri_driver = find_tauri_driver();
        let webkit_driver = find_webkit_driver();
        let (app_binary, target_dir) = find_app_binary();
        refuse_a_stale_app(&app_binary);
        Desktop {
            tauri_driver,
            webkit_driver,
            app_binary,
            target_dir,
        }
    }

    pub fn screens_dir(&self) -> PathBuf {
        self.target_dir.join("e2e-screens")
    }

    pub fn logs_dir(&self) -> PathBuf {
        self.target_dir.join("e2e-logs")
    }
}

/// Panics, with a pointer to `scripts/test.sh`, unless there is an X display and a D-Bus session
/// bus to talk to.
pub fn require_desktop_session() {
    let display = std::env::var("DISPLAY").unwrap_or_default();
    if display.is_empty() {
        panic!("No X display: DISPLAY is not set, so the app has nowhere to open its window. {HOW_TO_RUN}");
    }
    // A local display ":N" or ":N.S" is a socket in /tmp/.X11-unix; check it is really there.
    if let Some(number) = display
        .strip_prefix(':')
        .and_then(|rest| rest.split('.').next())
    {
        let socket = Path::new("/tmp/.X11-unix").join(format!("X{number}"));
        if !socket.exists() {
            panic!(
                "DISPLAY is {display}, but no X server listens there ({} is missing). {HOW_TO_RUN}",
                socket.display()
            );
        }
    }
    if std::env::var("DBUS_SESSION_BUS_ADDRESS")
        .unwrap_or_default()
        .is_empty()
    {
        panic!(
            "No D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set, so the app cannot reach \
             the system's password store. {HOW_TO_RUN}"
        );
    }
}

fn find_tauri_driver() -> PathBuf {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin").join("tauri-driver"));
    on_path("tauri-driver")
        .or(cargo_bin.filter(|p| p.is_file()))
        .unwrap_or_else(|| {
            panic!(
                "tauri-driver is not installed. Install it with `cargo install tauri-driver --locked`. \
                 {HOW_TO_RUN}"
            )
        })
}

fn find_webkit_driver() -> PathBuf {
    let debian = PathBuf::from("/usr/bin/WebKitWebDriver");
    if debian.is_file() {
        return debian;
    }
    on_path("WebKitWebDriver").unwrap_or_else(|| {
        panic!(
            "WebKitWebDriver is not installed. On Debian or Ubuntu: `sudo apt-get install \
             webkit2gtk-driver`. {HOW_TO_RUN}"
        )
    })
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// The test executable lives in `<target>/<profile>/deps/`; the app binary that
/// `cargo build -p hailuo-studio` made for the same profile sits in `<target>/<profile>/`.
fn find_app_binary() -> (PathBuf, PathBuf) {
    let exe = std::env::current_exe()
        .unwrap_or_else(|err| panic!("cannot tell where this test executable is: {err}"));
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("unexpected test executable location {}", exe.display()));
    let target_dir = profile_dir.parent().unwrap_or(profile_dir).to_path_buf();
    let binary = profile_dir.join("hailuo-studio");
    if !binary.is_file() {
        panic!(
            "The app binary {} does not exist. Build it first with `cargo build -p hailuo-studio`. \
             {HOW_TO_RUN}",
            binary.display()
        );
    }
    (binary, target_dir)
}

/// A binary older than the sources would test yesterday's app and make failures baffling.
fn refuse_a_stale_app(binary: &Path) {
    let built = modified(binary).unwrap_or(SystemTime::UNIX_EPOCH);
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let sources = [
        "ui",
        "src-tauri/src",
        "src-tauri/core/src",
        "src-tauri/capabilities",
        "src-tauri/tauri.conf.json",
    ];
    for source in sources {
        if let Some((path, changed)) = newest_file(&workspace.join(source)) {
            if changed > built {
                panic!(
                    "The app binary {} is older than {}: rebuild it with `cargo build -p \
                     hailuo-studio`. {HOW_TO_RUN}",
                    binary.display(),
                    path.display()
                );
            }
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest file under `path`, leaving out `tests` folders: the UI's unit tests are not part of
/// the app.
fn newest_file(path: &Path) -> Option<(PathBuf, SystemTime)> {
    if path.file_name().is_some_and(|name| name == "tests") {
        return None;
    }
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok().map(|time| (path.to_path_buf(), time));
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| newest_file(&entry.path()))
        .max_by_key(|(_, time)| *time)
}
