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

/// Something the GUI suite needs and this machine lacks, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MissingPiece {
    #[error(
        "No X display: DISPLAY is not set, so the app has nowhere to open its window. {HOW_TO_RUN}"
    )]
    NoDisplay,
    #[error(
        "DISPLAY is {display}, but no X server listens there ({socket} is missing). {HOW_TO_RUN}"
    )]
    NoXServer { display: String, socket: String },
    #[error("No D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set, so the app cannot reach the system's password store. {HOW_TO_RUN}")]
    NoSessionBus,
    #[error("tauri-driver is not installed. Install it with `cargo install tauri-driver --locked`. {HOW_TO_RUN}")]
    NoTauriDriver,
    #[error("WebKitWebDriver is not installed. On Debian or Ubuntu: `sudo apt-get install webkit2gtk-driver`. {HOW_TO_RUN}")]
    NoWebKitWebDriver,
    #[error("The app binary {0} does not exist. Build it first with `cargo build -p hailuo-studio`. {HOW_TO_RUN}")]
    NoAppBinary(String),
    #[error("The app binary {binary} is older than {source_file}: rebuild it with `cargo build -p hailuo-studio`. {HOW_TO_RUN}")]
    StaleApp { binary: String, source_file: String },
}

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
        Self::try_find().unwrap_or_else(|missing| panic!("{missing}"))
    }

    pub fn try_find() -> Result<Desktop, MissingPiece> {
        check_session(
            &|name| std::env::var(name).ok(),
            Path::new("/tmp/.X11-unix"),
        )?;
        let search_path = std::env::var_os("PATH").unwrap_or_default();
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
        let tauri_driver = find_program(
            "tauri-driver",
            &search_path,
            cargo_home.map(|home| home.join("bin").join("tauri-driver")),
        )
        .ok_or(MissingPiece::NoTauriDriver)?;
        let webkit_driver = find_program(
            "WebKitWebDriver",
            &search_path,
            Some(PathBuf::from("/usr/bin/WebKitWebDriver")),
        )
        .ok_or(MissingPiece::NoWebKitWebDriver)?;
        let (app_binary, target_dir) = find_app_binary()?;
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        refuse_a_stale_app(&app_binary, &workspace)?;
        Ok(Desktop {
            tauri_driver,
            webkit_driver,
            app_binary,
            target_dir,
        })
    }

    pub fn screens_dir(&self) -> PathBuf {
        self.target_dir.join("e2e-screens")
    }

    pub fn logs_dir(&self) -> PathBuf {
        self.target_dir.join("e2e-logs")
    }
}

/// Panics, with a pointer to `scripts/test.sh`, unless there is an X display and a D-Bus session
/// bus to talk to. For any test that needs a window or the real Secret Service.
pub fn require_desktop_session() {
    if let Err(missing) = check_session(
        &|name| std::env::var(name).ok(),
        Path::new("/tmp/.X11-unix"),
    ) {
        panic!("{missing}");
    }
}

/// `env` reads a variable; `x11_sockets` is where local X servers put their sockets.
fn check_session(
    env: &dyn Fn(&str) -> Option<String>,
    x11_sockets: &Path,
) -> Result<(), MissingPiece> {
    let display = env("DISPLAY")
        .filter(|d| !d.is_empty())
        .ok_or(MissingPiece::NoDisplay)?;
    // A local display ":N" or ":N.S" is a socket in /tmp/.X11-unix; check it is really there.
    if let Some(number) = display
        .strip_prefix(':')
        .and_then(|rest| rest.split('.').next())
    {
        let socket = x11_sockets.join(format!("X{number}"));
        if !socket.exists() {
            return Err(MissingPiece::NoXServer {
                display,
                socket: socket.display().to_string(),
            });
        }
    }
    env("DBUS_SESSION_BUS_ADDRESS")
        .filter(|a| !a.is_empty())
        .ok_or(MissingPiece::NoSessionBus)?;
    Ok(())
}

/// `program` on the search path, else `fallback` if it exists.
fn find_program(
    program: &str,
    search_path: &std::ffi::OsStr,
    fallback: Option<PathBuf>,
) -> Option<PathBuf> {
    std::env::split_paths(search_path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .or(fallback.filter(|path| path.is_file()))
}

/// The test executable lives in `<target>/<profile>/deps/`; the app binary that
/// `cargo build -p hailuo-studio` made for the same profile sits in `<target>/<profile>/`.
fn find_app_binary() -> Result<(PathBuf, PathBuf), MissingPiece> {
    let exe = std::env::current_exe()
        .unwrap_or_else(|err| panic!("cannot tell where this test executable is: {err}"));
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("unexpected test executable location {}", exe.display()));
    let target_dir = profile_dir.parent().unwrap_or(profile_dir).to_path_buf();
    let binary = profile_dir.join("hailuo-studio");
    if !binary.is_file() {
        return Err(MissingPiece::NoAppBinary(binary.display().to_string()));
    }
    Ok((binary, target_dir))
}

/// A binary older than the sources would test yesterday's app and make failures baffling.
fn refuse_a_stale_app(binary: &Path, workspace: &Path) -> Result<(), MissingPiece> {
    let built = modified(binary).unwrap_or(SystemTime::UNIX_EPOCH);
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
                return Err(MissingPiece::StaleApp {
                    binary: binary.display().to_string(),
                    source_file: path.display().to_string(),
                });
            }
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::fs::File;
    use std::time::Duration;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    fn x11_dir_with(display_numbers: &[u32]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for n in display_numbers {
            File::create(dir.path().join(format!("X{n}"))).unwrap();
        }
        dir
    }

    #[test]
    fn without_a_display_the_suite_says_to_run_scripts_test_sh() {
        let sockets = x11_dir_with(&[]);
        let missing = check_session(
            &env_of(&[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/x")]),
            sockets.path(),
        )
        .unwrap_err();
        assert_eq!(missing, MissingPiece::NoDisplay);
        assert!(missing.to_string().contains("bash scripts/test.sh"));
    }

    #[test]
    fn a_display_with_no_x_server_behind_it_is_reported() {
        let sockets = x11_dir_with(&[0]);
        let missing = check_session(
            &env_of(&[
                ("DISPLAY", ":77"),
                ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/x"),
            ]),
            sockets.path(),
        )
        .unwrap_err();
        assert!(
            matches!(&missing, MissingPiece::NoXServer { display, .. } if display == ":77"),
            "{missing:?}"
        );
    }

    #[test]
    fn without_a_session_bus_the_suite_refuses_to_run() {
        let sockets = x11_dir_with(&[77]);
        assert_eq!(
            check_session(&env_of(&[("DISPLAY", ":77.0")]), sockets.path()),
            Err(MissingPiece::NoSessionBus)
        );
    }

    #[test]
    fn a_running_display_and_bus_are_enough() {
        let sockets = x11_dir_with(&[77]);
        assert_eq!(
            check_session(
                &env_of(&[
                    ("DISPLAY", ":77"),
                    ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/x")
                ]),
                sockets.path()
            ),
            Ok(())
        );
    }

    #[test]
    fn tauri_driver_is_found_in_cargos_bin_folder_when_not_on_the_path() {
        let cargo_bin = tempfile::tempdir().unwrap();
        let installed = cargo_bin.path().join("tauri-driver");
        File::create(&installed).unwrap();
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(
            find_program(
                "tauri-driver",
                empty.path().as_os_str(),
                Some(installed.clone())
            ),
            Some(installed)
        );
        assert_eq!(
            find_program(
                "tauri-driver",
                empty.path().as_os_str(),
                Some(empty.path().join("tauri-driver"))
            ),
            None
        );
    }

    #[test]
    fn an_app_built_before_its_last_source_change_is_refused() {
        let workspace = tempfile::tempdir().unwrap();
        let js = workspace.path().join("ui/js");
        std::fs::create_dir_all(&js).unwrap();
        let binary = workspace.path().join("hailuo-studio");
        File::create(&binary).unwrap();
        let main_js = File::create(js.join("main.js")).unwrap();
        main_js
            .set_modified(SystemTime::now() + Duration::from_secs(60))
            .unwrap();
        assert!(matches!(
            refuse_a_stale_app(&binary, workspace.path()),
            Err(MissingPiece::StaleApp { source_file, .. }) if source_file.ends_with("ui/js/main.js")
        ));

        // The UI's unit tests are not built into the app, so they never make it stale.
        main_js
            .set_modified(SystemTime::now() - Duration::from_secs(60))
            .unwrap();
        let tests = workspace.path().join("ui/tests");
        std::fs::create_dir_all(&tests).unwrap();
        File::create(tests.join("moves.test.js"))
            .unwrap()
            .set_modified(SystemTime::now() + Duration::from_secs(60))
            .unwrap();
        assert_eq!(refuse_a_stale_app(&binary, workspace.path()), Ok(()));
    }
}
