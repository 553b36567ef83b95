//! A private D-Bus session bus with its own unlocked gnome-keyring, one per launched app, so keys
//! one test saves never show up in another test's app. Dropping it ends both daemons.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::sys::wait::waitpid;
use nix::unistd::Pid;

/// The keyring's password: any non-empty one works; an empty one leaves no default collection.
const KEYRING_PASSWORD: &str = "hailuo-studio-e2e";

/// A bus that starts no service on demand: nothing (desktop portal, accessibility bus) outlives
/// the test or mounts folders in its runtime directory. The keyring is started by hand.
const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=RUNTIME_DIR</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

pub struct PrivateSession {
    bus: Child,
    keyring: Option<Child>,
    bus_address: String,
    home: PathBuf,
}

impl PrivateSession {
    /// Starts the bus and the keyring, with XDG folders under `home`, and waits until the Secret
    /// Service answers with a default collection.
    pub fn start(home: &Path) -> PrivateSession {
        for dir in ["runtime", "data", "config", "cache"] {
            std::fs::create_dir_all(home.join(dir))
                .unwrap_or_else(|err| panic!("cannot create {}: {err}", home.display()));
        }
        let runtime = home.join("runtime");
        // Programs refuse a runtime directory others can read.
        let _ = std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700));
        let config = home.join("bus.conf");
        let runtime_text = runtime.to_string_lossy();
        std::fs::write(&config, BUS_CONFIG.replace("RUNTIME_DIR", &runtime_text))
            .unwrap_or_else(|err| panic!("cannot write {}: {err}", config.display()));
        let mut config_arg = OsString::from("--config-file=");
        config_arg.push(&config);
        let mut bus = Command::new("dbus-daemon")
            .arg(config_arg)
            .args(["--nofork", "--print-address=1"])
            .envs(xdg_env(home))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // Its own process group, which the keyring joins: one signal ends both.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|err| {
                panic!("cannot start dbus-daemon (apt-get install dbus): {err}. Run `bash scripts/test.sh`.")
            });
        let mut address = String::new();
        if let Some(stdout) = bus.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut address);
        }
        let mut session = PrivateSession {
            bus_address: address.trim().to_owned(),
            bus,
            keyring: None,
            home: home.to_path_buf(),
        };
        if session.bus_address.is_empty() {
            panic!("dbus-daemon printed no bus address");
        }
        session.start_keyring();
        session
    }

    /// The variables that put a program on this bus, with this keyring and these XDG folders.
    pub fn env(&self) -> Vec<(OsString, OsString)> {
        let mut env = xdg_env(&self.home);
        env.push((
            "DBUS_SESSION_BUS_ADDRESS".into(),
            self.bus_address.clone().into(),
        ));
        env
    }

    fn group(&self) -> i32 {
        i32::try_from(self.bus.id()).unwrap_or(i32::MAX)
    }

    fn start_keyring(&mut self) {
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(self.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(self.group())
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "cannot start gnome-keyring-daemon (apt-get install gnome-keyring): {err}. \
                     Run `bash scripts/test.sh`."
                )
            });
        if let Some(mut stdin) = keyring.stdin.take() {
            let _ = stdin.write_all(KEYRING_PASSWORD.as_bytes());
        }
        // Kept so that Drop reaps it, even when the wait below gives up.
        self.keyring = Some(keyring);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.has_default_collection() {
            if Instant::now() > deadline {
                panic!(
                    "gnome-keyring-daemon did not offer an unlocked default collection within 10 s"
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn has_default_collection(&self) -> bool {
        Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.ReadAlias",
                "string:default",
            ])
            .envs(self.env())
            .output()
            .is_ok_and(|out| {
                String::from_utf8_lossy(&out.stdout)
                    .contains("object path \"/org/freedesktop/secrets/collection/")
            })
    }
}

impl Drop for PrivateSession {
    fn drop(&mut self) {
        let group = self.group();
        let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
        if let Some(keyring) = self.keyring.as_mut() {
            let _ = keyring.wait();
        }
        let _ = self.bus.wait();
        // Anything else the group started.
        while waitpid(Pid::from_raw(-group), None).is_ok() {}
    }
}

fn xdg_env(home: &Path) -> Vec<(OsString, OsString)> {
    [
        ("XDG_RUNTIME_DIR", "runtime"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
    ]
    .into_iter()
    .map(|(name, dir)| (name.into(), home.join(dir).into_os_string()))
    // No accessibility bus to look for on a bus that cannot start one.
    .chain([("NO_AT_BRIDGE".into(), "1".into())])
    .collect()
}
