//! The library's lock: one running app writes a library at a time; another opens it read-only.
//!
//! A lock file in the library root is held (an OS file lock) for the app's life, so two copies
//! of the app never poll, download or write the same generation twice. The OS drops the lock
//! when the app exits or crashes, so a stale file never locks anyone out. The file also says
//! who holds it, for the message the second copy shows.
//!
//! OS locks do not travel through synced folders (Dropbox, OneDrive, a NAS share), so the
//! holder also rewrites its note every [`HEARTBEAT`]: a note from another computer fresher
//! than [`STALE_AFTER`] counts as held, even when the OS lock was free here.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::Library;

/// How often the holder says it is still there.
pub const HEARTBEAT: Duration = Duration::from_secs(60);
/// A note from another computer older than this is a leftover (that app crashed or its
/// computer is off), not a holder.
pub const STALE_AFTER: Duration = Duration::from_secs(5 * 60);

/// Hidden, so library scans and creators browsing the folder pass it by.
pub const LOCK_FILE: &str = ".hailuo-studio.lock";

/// Who holds a library, as written in its lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LockHolder {
    pub computer: String,
    pub process_id: u32,
    pub app_version: String,
    /// RFC 3339, the holder's local time.
    pub since: String,
    /// RFC 3339, UTC: the holder's last heartbeat.
    #[serde(default)]
    pub alive_at: String,
}

impl LockHolder {
    fn this_app() -> Self {
        let now = super::local_now();
        let since = now
            .replace_nanosecond(0)
            .unwrap_or(now)
            .format(&Rfc3339)
            .unwrap_or_default();
        LockHolder {
            computer: computer_name(),
            process_id: std::process::id(),
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            since,
            alive_at: now_utc(),
        }
    }

    /// Whether this note was written by an app on another computer that is still there.
    fn is_alive_elsewhere(&self, now: OffsetDateTime) -> bool {
        if self.computer == computer_name() {
            return false;
        }
        OffsetDateTime::parse(&self.alive_at, &Rfc3339)
            .map(|alive| now - alive < STALE_AFTER && alive - now < STALE_AFTER)
            .unwrap_or(false)
    }
}

fn now_utc() -> String {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .unwrap_or_default()
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Hailuo Studio {} on “{}” (process {}), since {}",
            self.app_version, self.computer, self.process_id, self.since
        )
    }
}

/// Why the library could not be locked for this app.
#[derive(Debug, thiserror::Error)]
pub enum LibraryLockError {
    #[error("{}", held_message(holder.as_ref()))]
    HeldElsewhere { holder: Option<LockHolder> },
    #[error("Hailuo Studio could not {action} its lock file “{}”: {source}. Check that you may write to the library folder.", path.display())]
    Disk {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn held_message(holder: Option<&LockHolder>) -> String {
    let who = match holder {
        Some(holder) => format!("Another copy of Hailuo Studio is using this library ({holder})"),
        None => "Another copy of Hailuo Studio is using this library".to_owned(),
    };
    format!(
        "{who}. This window opened it read-only: you can watch your videos, but new generations \
         can only be started in the other copy. Close it and restart Hailuo Studio to make videos here."
    )
}

/// The library's lock, held until dropped (or the app exits).
#[derive(Debug)]
pub struct LibraryLock {
    path: PathBuf,
    file: File,
    holder: LockHolder,
}

impl LibraryLock {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Rewrites the note with a new heartbeat; call every [`HEARTBEAT`] for the app's life.
    pub fn refresh(&self) -> Result<(), LibraryLockError> {
        let holder = LockHolder {
            alive_at: now_utc(),
            ..self.holder.clone()
        };
        write_note(&self.file, &self.path, &holder)
    }
}

fn write_note(mut file: &File, path: &Path, holder: &LockHolder) -> Result<(), LibraryLockError> {
    let disk = |source| LibraryLockError::Disk {
        action: "write",
        path: path.to_owned(),
        source,
    };
    let note = serde_json::to_vec_pretty(holder).map_err(|err| disk(std::io::Error::other(err)))?;
    file.set_len(0).map_err(disk)?;
    file.seek(SeekFrom::Start(0)).map_err(disk)?;
    file.write_all(&note).map_err(disk)?;
    file.flush().map_err(disk)
}

impl Library {
    /// Takes the library for this app. `HeldElsewhere` when another app (or another machine
    /// through a shared folder) has it, with who that is when its lock file says.
    pub fn lock(&self) -> Result<LibraryLock, LibraryLockError> {
        let path = self.root().join(LOCK_FILE);
        let disk = |action| {
            let path = path.clone();
            move |source| LibraryLockError::Disk {
                action,
                path,
                source,
            }
        };
        // Never truncate on open: the note inside belongs to whoever holds the lock.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(disk("open"))?;
        let taken = fs4::fs_std::FileExt::try_lock_exclusive(&file).map_err(disk("lock"))?;
        let mut note = String::new();
        let holder: Option<LockHolder> = file
            .read_to_string(&mut note)
            .ok()
            .and_then(|_| serde_json::from_str(&note).ok());
        if !taken {
            return Err(LibraryLockError::HeldElsewhere { holder });
        }
        // Free here, but another computer sharing the folder may be using it.
        if let Some(holder) = holder.filter(|h| h.is_alive_elsewhere(OffsetDateTime::now_utc())) {
            // Dropping the file releases the OS lock just taken.
            return Err(LibraryLockError::HeldElsewhere {
                holder: Some(holder),
            });
        }
        let holder = LockHolder::this_app();
        write_note(&file, &path, &holder)?;
        Ok(LibraryLock { path, file, holder })
    }
}

/// How long a restarted app waits for the app that restarted it to let go of the library.
pub const QUITTING_PATIENCE: Duration = Duration::from_secs(5);

impl Library {
    /// Like [`Library::lock`], but waits up to `patience` while the holder is the app that
    /// started this one: a restart's new process starts before the old one has gone, and must
    /// not open the library read-only for that. Any other holder is answered at once.
    pub fn lock_patiently(&self, patience: Duration) -> Result<LibraryLock, LibraryLockError> {
        let started = std::time::Instant::now();
        loop {
            match self.lock() {
                Err(LibraryLockError::HeldElsewhere {
                    holder: Some(holder),
                }) if started.elapsed() < patience && is_our_parent(&holder) => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }
}

fn is_our_parent(holder: &LockHolder) -> bool {
    #[cfg(unix)]
    let parent = Some(std::os::unix::process::parent_id());
    // Windows' standard library does not say; a restart there may open read-only (untested).
    #[cfg(not(unix))]
    let parent: Option<u32> = None;
    holder.computer == computer_name() && Some(holder.process_id) == parent
}

/// The computer's name as its owner knows it, for "who holds the library".
fn computer_name() -> String {
    ["HOSTNAME", "COMPUTERNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()))
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty())
        })
        .unwrap_or_else(|| "this computer".to_owned())
}
