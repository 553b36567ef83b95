//! The app's own process under tauri-driver: found by its process group and binary, and killed
//! with SIGKILL the way a crash or a forced quit ends it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::{getpgid, Pid};

/// The pid of the running `binary` in process `group` (tauri-driver's group: WebKitWebDriver
/// starts the app inside it). `None` when it is not running.
pub fn find_app(group: i32, binary: &Path) -> Option<i32> {
    let wanted = canonical(binary);
    let entries = std::fs::read_dir("/proc").ok()?;
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| getpgid(Some(Pid::from_raw(*pid))).is_ok_and(|g| g.as_raw() == group))
        .filter(|pid| is_alive(*pid))
        .find(|pid| executable(*pid).is_some_and(|exe| exe == wanted))
}

/// Sends SIGKILL to `pid` and waits until it is dead (gone, or a zombie its parent has not
/// reaped yet): its files are closed and its locks released when this returns.
pub fn kill_now(pid: i32) -> Result<(), String> {
    kill(Pid::from_raw(pid), Signal::SIGKILL)
        .map_err(|err| format!("SIGKILL to process {pid} failed: {err}"))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while is_alive(pid) {
        if Instant::now() > deadline {
            return Err(format!("process {pid} still runs 10 s after SIGKILL"));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}

/// Running, or stopped, or sleeping: anything but gone or a zombie.
fn is_alive(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // `pid (comm) S ...`: the name may hold spaces and parentheses, the state follows the last `)`.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .is_some_and(|state| state != "Z" && state != "X")
}

fn executable(pid: i32) -> Option<PathBuf> {
    let link = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
    // A binary rebuilt while it runs shows as `path (deleted)`.
    let text = link.to_string_lossy();
    Some(PathBuf::from(
        text.strip_suffix(" (deleted)").unwrap_or(&text).to_owned(),
    ))
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    use super::*;

    #[test]
    fn a_program_is_found_in_its_group_by_its_binary_and_killed() {
        let sleep = PathBuf::from("/bin/sleep");
        let mut child = Command::new(&sleep)
            .arg("30")
            .process_group(0)
            .spawn()
            .unwrap();
        let pid = i32::try_from(child.id()).unwrap();
        assert_eq!(find_app(pid, &sleep), Some(pid));
        // Another binary, or another group, is not the app.
        assert_eq!(find_app(pid, Path::new("/bin/true")), None);
        assert_eq!(find_app(pid + 100_000, &sleep), None);

        kill_now(pid).unwrap();
        assert!(!is_alive(pid));
        assert_eq!(find_app(pid, &sleep), None);
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9));
    }
}
