//! The library on disk: one folder per generation, rebuilt from those folders at every scan.
//!
//! A folder holds `generation.json` (the record), `video.mp4`, the first frame if any and a
//! poster. Creators may move, copy or delete folders by hand: the library is whatever the
//! folders say, and one bad folder never hides the others.

mod durable;
mod folder_name;
mod in_use;
mod lock;
mod record;
mod stills;

use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::generation::{FirstFrame, GenerationRequest};
use crate::pricing::Quote;

pub use durable::{sync_folder, write_durably, TEMP_PREFIX};
pub use folder_name::{folder_name, is_portable_name, slug, MAX_SLUG_BYTES};
pub use in_use::{FolderToOpen, LibraryInUse};
pub use lock::{
    LibraryLock, LibraryLockError, LockHolder, HEARTBEAT, LOCK_FILE, QUITTING_PATIENCE, STALE_AFTER,
};
pub use record::{
    ChargedCost, EstimatedCost, Generation, GenerationFailure, GenerationId, GenerationState,
    RecordedFirstFrame, RecordedRequest, StatusChange, TransitionError, VideoFile, SCHEMA_VERSION,
};
pub use stills::{check_still, Still, StillProblem, LAST_FRAME_FILE, MAX_STILL_BYTES};

/// The record's file name inside a generation folder.
pub const RECORD_FILE: &str = "generation.json";
/// Where the downloader puts the video (through a temp file and a rename).
pub const VIDEO_FILE: &str = "video.mp4";
/// The still image the library shows before the video plays.
pub const POSTER_FILE: &str = "poster.jpg";
/// The first frame's name without its extension (`first-frame.png`).
pub const FIRST_FRAME_STEM: &str = "first-frame";
/// A record is a few kilobytes; a `generation.json` over this is not one, and is not read
/// into memory (a synced or hand-edited folder may hold anything).
pub const MAX_RECORD_BYTES: u64 = 4 * 1024 * 1024;

/// Something the library could not do, in words a creator understands.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("Hailuo Studio could not {action} “{}”: {source}. Check that the library folder still exists and that you may write to it.", path.display())]
    Disk {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("This generation is no longer in the library: its folder may have been moved out or deleted.")]
    NotFound { id: GenerationId },
    #[error("This generation was saved by a newer version of Hailuo Studio. This version shows it but does not change it.")]
    ReadOnly { id: GenerationId },
    #[error("This video is still on its way ({}). Wait until it is ready, or cancel it, before deleting it.", state.label())]
    StillInProgress { state: GenerationState },
    #[error("The folder could not be moved to the trash ({detail}). You can delete it permanently instead.")]
    Trash { detail: String },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(
        "This generation has no video in its folder yet, so there is nothing to save or show."
    )]
    NoVideo { id: GenerationId },
    #[error("The {} picture could not be kept: {problem}.", match still { Still::Poster => "poster", Still::LastFrame => "last-frame" })]
    BadStill { still: Still, problem: StillProblem },
}

fn disk(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> LibraryError {
    let path = path.to_owned();
    move |source| LibraryError::Disk {
        action,
        path,
        source,
    }
}

/// How `delete` removes a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Removal {
    /// To the OS trash (recycle bin), where the creator can restore it.
    Trash,
    /// Gone for good; only after the creator confirmed it in the UI.
    Permanently,
}

/// A generation found by a scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LibraryEntry {
    pub generation: Generation,
    #[serde(serialize_with = "lossy_path")]
    pub folder: PathBuf,
    /// Saved by a newer Hailuo Studio: shown, never rewritten.
    pub read_only: bool,
    pub has_video: bool,
    pub has_poster: bool,
    pub has_first_frame: bool,
}

/// A folder the scan could not read as a generation, and why, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BrokenEntry {
    /// Any name a creator gave a folder, even one that is not valid UTF-8, must still list.
    #[serde(serialize_with = "lossy_path")]
    pub folder: PathBuf,
    pub reason: String,
}

/// What a scan found: generations newest first, and the folders it could not read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LibraryScan {
    pub generations: Vec<LibraryEntry>,
    pub broken: Vec<BrokenEntry>,
}

/// The creator's library under one root folder. Cheap to clone: clones share which folder
/// holds which generation. Every call does blocking file I/O: async code calls it from
/// `spawn_blocking`.
#[derive(Debug, Clone)]
pub struct Library {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// Canonical, so that "inside the library" can be checked on canonical paths.
    root: PathBuf,
    /// Generation id → its folder, as of the last scan, create or delete.
    folders: RwLock<HashMap<GenerationId, PathBuf>>,
}

pub use crate::clock::{local_now, remember_local_offset};

impl Library {
    /// Opens (and creates if needed) the library at `root`. Call `scan` to learn what it holds.
    pub fn open(root: impl AsRef<Path>) -> Result<Self, LibraryError> {
        let root = root.as_ref();
        std::fs::create_dir_all(root).map_err(disk("create the library folder", root))?;
        let root = root
            .canonicalize()
            .map_err(disk("open the library folder", root))?;
        Ok(Library {
            shared: Arc::new(Shared {
                root,
                folders: RwLock::new(HashMap::new()),
            }),
        })
    }

    pub fn root(&self) -> &Path {
        &self.shared.root
    }

    /// Makes the generation's folder and writes its record durably, in the `submitting` state,
    /// before any request leaves, with the quote the creator saw as its estimated cost. A
    /// picture first frame is saved in the folder beside it.
    pub fn create(
        &self,
        request: &GenerationRequest,
        estimate: &Quote,
    ) -> Result<Generation, LibraryError> {
        self.create_at(request, estimate, local_now())
    }

    /// `create` with "now" given, so folder names and times are predictable in tests.
    pub fn create_at(
        &self,
        request: &GenerationRequest,
        estimate: &Quote,
        now: OffsetDateTime,
    ) -> Result<Generation, LibraryError> {
        self.create_in_state(request, estimate, now, None)
    }

    fn create_in_state(
        &self,
        request: &GenerationRequest,
        estimate: &Quote,
        now: OffsetDateTime,
        waiting: Option<(GenerationId, Option<String>)>,
    ) -> Result<Generation, LibraryError> {
        let folder = self.make_folder(now, &request.prompt)?;
        let written = self.fill_new_folder(&folder, request, estimate, now, waiting);
        match written {
            Ok(generation) => {
                sync_folder(&self.shared.root)
                    .map_err(disk("save the library folder", &self.shared.root))?;
                self.remember(generation.id.clone(), folder);
                Ok(generation)
            }
            Err(err) => {
                // Nothing was sent yet: a half-made folder would only confuse the next scan.
                let _ = std::fs::remove_dir_all(&folder);
                Err(err)
            }
        }
    }

    /// Like `create`, but the record starts in the `waiting` state: the generation joins the
    /// local line and is sent when its turn comes (the line survives a restart).
    pub fn create_waiting(
        &self,
        request: &GenerationRequest,
        estimate: &Quote,
    ) -> Result<Generation, LibraryError> {
        self.create_waiting_as(GenerationId::new(), None, request, estimate)
    }

    /// `create_waiting` with the id chosen beforehand (its spending line is written first) and
    /// the installation that makes it.
    pub fn create_waiting_as(
        &self,
        id: GenerationId,
        created_by: Option<String>,
        request: &GenerationRequest,
        estimate: &Quote,
    ) -> Result<Generation, LibraryError> {
        self.create_in_state(request, estimate, local_now(), Some((id, created_by)))
    }

    fn make_folder(&self, now: OffsetDateTime, prompt: &str) -> Result<PathBuf, LibraryError> {
        // Same minute, same prompt: number the folders. `create_dir` fails on an existing
        // folder, so two generations can never share one, even when made at the same moment.
        for attempt in 1..=10_000 {
            let folder = self.shared.root.join(folder_name(now, prompt, attempt));
            match std::fs::create_dir(&folder) {
                Ok(()) => return Ok(folder),
                Err(err) if err.kind() == ErrorKind::AlreadyExists => continue,
                Err(err) => return Err(disk("create a folder in", &self.shared.root)(err)),
            }
        }
        Err(disk("create a folder in", &self.shared.root)(
            std::io::Error::new(ErrorKind::AlreadyExists, "too many folders of that name"),
        ))
    }

    fn fill_new_folder(
        &self,
        folder: &Path,
        request: &GenerationRequest,
        estimate: &Quote,
        now: OffsetDateTime,
        waiting: Option<(GenerationId, Option<String>)>,
    ) -> Result<Generation, LibraryError> {
        let first_frame_file = match &request.first_frame {
            Some(FirstFrame::Picture { mime, bytes }) => {
                let name = format!("{FIRST_FRAME_STEM}.{}", picture_extension(mime));
                let path = folder.join(&name);
                write_durably(&path, bytes).map_err(disk("save the first frame in", folder))?;
                Some(name)
            }
            _ => None,
        };
        let recorded = RecordedRequest::from_request(request, first_frame_file.as_deref());
        let generation = if let Some((id, created_by)) = waiting {
            let mut generation = Generation::waiting(recorded, Some(estimate.into()), now);
            generation.id = id;
            generation.created_by = created_by;
            generation
        } else {
            Generation::new(recorded, Some(estimate.into()), now)
        };
        write_record(folder, &generation)?;
        Ok(generation)
    }

    /// Writes the record again (atomically, fsync of file and folder): on every state change,
    /// the moment the task id arrives, when the video is in place.
    pub fn save(&self, generation: &Generation) -> Result<(), LibraryError> {
        if generation.is_read_only() {
            return Err(LibraryError::ReadOnly {
                id: generation.id.clone(),
            });
        }
        let folder = self.folder_or_find(&generation.id)?;
        write_record(&folder, generation)
    }

    /// Reads one generation's record as it is on disk now.
    pub fn load(&self, id: &GenerationId) -> Result<Generation, LibraryError> {
        let folder = self.folder_or_find(id)?;
        match read_record(&folder) {
            Ok(generation) => Ok(generation),
            Err(RecordProblem::Missing) => Err(LibraryError::NotFound { id: id.clone() }),
            Err(RecordProblem::Disk(source)) => Err(LibraryError::Disk {
                action: "read",
                path: folder.join(RECORD_FILE),
                source,
            }),
            Err(problem) => Err(LibraryError::Disk {
                action: "read",
                path: folder.join(RECORD_FILE),
                source: std::io::Error::new(ErrorKind::InvalidData, problem.reason()),
            }),
        }
    }

    /// Reads every folder. Never fails because of one folder: what cannot be read is listed
    /// in `broken` with the reason. Fails only if the library folder itself cannot be read.
    pub fn scan(&self) -> Result<LibraryScan, LibraryError> {
        let root = &self.shared.root;
        let mut folders = Vec::new();
        let mut broken = Vec::new();
        for entry in std::fs::read_dir(root).map_err(disk("read the library folder", root))? {
            let entry = entry.map_err(disk("read the library folder", root))?;
            let name = entry.file_name();
            // Hidden entries are the OS's or a crash's leftovers (.DS_Store, .Trash, temp files).
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => folders.push(entry.path()),
                Ok(kind) if kind.is_symlink() && entry.path().is_dir() => broken.push(BrokenEntry {
                    folder: entry.path(),
                    reason: "This is a shortcut to a folder elsewhere. Move the folder itself into the library to see it here.".into(),
                }),
                _ => {}
            }
        }
        // Folder-name order decides which of two copies of one generation is shown.
        folders.sort();

        let read: Vec<(PathBuf, Result<Generation, RecordProblem>)> = folders
            .into_iter()
            .map(|folder| {
                let record = read_record(&folder);
                (folder, record)
            })
            .collect();

        let mut index: HashMap<GenerationId, PathBuf> = HashMap::with_capacity(read.len());
        let mut generations = Vec::with_capacity(read.len());
        for (folder, record) in read {
            match record {
                Ok(generation) => {
                    if let Some(first) = index.get(&generation.id) {
                        broken.push(BrokenEntry {
                            reason: format!(
                                "This folder holds the same generation as “{}” (one is a copy of the other); only that one is shown.",
                                display_name(first)
                            ),
                            folder,
                        });
                        continue;
                    }
                    index.insert(generation.id.clone(), folder.clone());
                    generations.push(entry_for(folder, generation));
                }
                Err(problem) => {
                    let mut reason = problem.reason();
                    if !matches!(problem, RecordProblem::Missing)
                        && folder.join(VIDEO_FILE).is_file()
                    {
                        reason.push_str(" The video file in it is untouched.");
                    }
                    broken.push(BrokenEntry { folder, reason });
                }
            }
        }
        generations.sort_by(|a, b| {
            b.generation
                .created_at
                .cmp(&a.generation.created_at)
                .then_with(|| b.generation.id.cmp(&a.generation.id))
        });
        broken.sort_by(|a, b| a.folder.cmp(&b.folder));
        {
            let mut folders = self
                .shared
                .folders
                .write()
                .unwrap_or_else(|p| p.into_inner());
            // A generation created while this scan was reading the root is kept: its folder
            // exists even though read_dir may not have listed it.
            for (id, folder) in folders.drain() {
                if !index.contains_key(&id) && folder.join(RECORD_FILE).is_file() {
                    index.insert(id, folder);
                }
            }
            *folders = index;
        }
        Ok(LibraryScan {
            generations,
            broken,
        })
    }

    /// At start-up only: a record still `submitting` means the app stopped while its request
    /// was being sent, so it may have reached the provider and been charged. Each becomes
    /// `unknown` (shown as "may have been charged", never resubmitted by itself). Returns the
    /// ids it changed; a record that cannot be saved is logged and left for the next start.
    pub fn mark_interrupted_submits(
        &self,
        now: OffsetDateTime,
    ) -> Result<Vec<GenerationId>, LibraryError> {
        let mut changed = Vec::new();
        for entry in self.scan()?.generations {
            let mut generation = entry.generation;
            if generation.state != GenerationState::Submitting || entry.read_only {
                continue;
            }
            generation.advance(
                GenerationState::Unknown,
                now,
                Some("Hailuo Studio stopped while sending this request; it may have reached the provider.".into()),
            )?;
            match write_record(&entry.folder, &generation) {
                Ok(()) => changed.push(generation.id),
                Err(err) => tracing::warn!("could not mark an interrupted submit: {err}"),
            }
        }
        Ok(changed)
    }

    /// Removes a finished (or dismissed, or unknown) generation's folder. In-flight ones are
    /// refused: the provider may still deliver a paid video into them.
    pub fn delete(&self, id: &GenerationId, removal: Removal) -> Result<(), LibraryError> {
        let folder = self.folder_or_find(id)?;
        if let Ok(generation) = read_record(&folder) {
            let state = generation.state;
            if !state.is_final() && state != GenerationState::Unknown {
                return Err(LibraryError::StillInProgress { state });
            }
        }
        match removal {
            Removal::Trash => trash::delete(&folder).map_err(|err| LibraryError::Trash {
                detail: err.to_string(),
            })?,
            Removal::Permanently => {
                std::fs::remove_dir_all(&folder).map_err(disk("delete", &folder))?
            }
        }
        self.shared
            .folders
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        Ok(())
    }

    /// The generation's folder as of the last scan (or create).
    pub fn folder_of(&self, id: &GenerationId) -> Option<PathBuf> {
        self.shared
            .folders
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    /// Where the video is, or will be put, for this generation.
    pub fn video_path(&self, generation: &Generation) -> Option<PathBuf> {
        let name = generation
            .video
            .as_ref()
            .map_or(VIDEO_FILE, |v| v.file_name.as_str());
        self.folder_of(&generation.id).map(|f| f.join(name))
    }

    /// Where the poster is, or will be put, for this generation.
    pub fn poster_path(&self, generation: &Generation) -> Option<PathBuf> {
        let name = generation.poster_file.as_deref().unwrap_or(POSTER_FILE);
        self.folder_of(&generation.id).map(|f| f.join(name))
    }

    /// The first-frame picture saved with the generation, if it had one (and its recorded
    /// name is one plain file name: the picture is read back and sent to a provider).
    pub fn first_frame_path(&self, generation: &Generation) -> Option<PathBuf> {
        match &generation.request.first_frame {
            Some(RecordedFirstFrame::Picture { file_name, .. })
                if is_plain_file_name(file_name) =>
            {
                self.folder_of(&generation.id).map(|f| f.join(file_name))
            }
            _ => None,
        }
    }

    /// A file of a generation, only if it really is a file inside the library: `file_name` must
    /// be one plain name (no `..`, no separators) and the resolved path, links followed, must
    /// stay under the library root. This is what the media server serves.
    pub fn media_file(&self, id: &GenerationId, file_name: &str) -> Option<PathBuf> {
        if !is_plain_file_name(file_name) {
            return None;
        }
        let path = self.folder_of(id)?.join(file_name).canonicalize().ok()?;
        (path.starts_with(&self.shared.root) && path.is_file()).then_some(path)
    }

    fn remember(&self, id: GenerationId, folder: PathBuf) {
        self.shared
            .folders
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, folder);
    }

    /// The folder from the index; if the creator moved it since, one scan finds it again.
    fn folder_or_find(&self, id: &GenerationId) -> Result<PathBuf, LibraryError> {
        if let Some(folder) = self.folder_of(id).filter(|f| f.join(RECORD_FILE).is_file()) {
            return Ok(folder);
        }
        self.scan()?;
        self.folder_of(id)
            .ok_or_else(|| LibraryError::NotFound { id: id.clone() })
    }
}

/// One plain file name on every OS: not empty, no `..`, no separator of any OS, no drive.
pub fn is_plain_file_name(file_name: &str) -> bool {
    let mut parts = Path::new(file_name).components();
    matches!(parts.next(), Some(Component::Normal(n)) if n == file_name)
        && parts.next().is_none()
        && !file_name.contains(['/', '\\', ':', '\0'])
}

fn write_record(folder: &Path, generation: &Generation) -> Result<(), LibraryError> {
    let path = folder.join(RECORD_FILE);
    let json = serde_json::to_vec_pretty(generation).map_err(|err| LibraryError::Disk {
        action: "write",
        path: path.clone(),
        source: err.into(),
    })?;
    write_durably(&path, &json).map_err(disk("write", &path))
}

#[derive(Debug)]
enum RecordProblem {
    Missing,
    HalfWritten,
    Damaged(String),
    TooNew(u32),
    BadId,
    TooLarge(u64),
    StrayFileName(String),
    Disk(std::io::Error),
}

impl RecordProblem {
    fn reason(&self) -> String {
        match self {
            RecordProblem::Missing => format!("This folder has no {RECORD_FILE}, so Hailuo Studio cannot tell which generation it holds."),
            RecordProblem::HalfWritten => format!("{RECORD_FILE} is cut off: it was being written when the app or the computer stopped."),
            RecordProblem::Damaged(detail) => format!("{RECORD_FILE} is damaged and cannot be read ({detail})."),
            RecordProblem::TooNew(version) => format!("{RECORD_FILE} was saved by a newer version of Hailuo Studio (record version {version}) in a form this version cannot read. Update Hailuo Studio to see it."),
            RecordProblem::BadId => format!("{RECORD_FILE} has no valid generation id."),
            RecordProblem::TooLarge(bytes) => format!("{RECORD_FILE} is {bytes} bytes, far larger than any generation record, so it was not read."),
            RecordProblem::StrayFileName(name) => format!("{RECORD_FILE} names a file outside its own folder ({}), so it is not trusted.", crate::providers::error::excerpt(name)),
            RecordProblem::Disk(err) => format!("{RECORD_FILE} could not be read: {err}."),
        }
    }
}

fn read_record(folder: &Path) -> Result<Generation, RecordProblem> {
    use std::io::Read;
    let bytes = std::fs::File::open(folder.join(RECORD_FILE)).and_then(|file| {
        let mut bytes = Vec::new();
        // One byte past the limit tells "at the limit" from "over it" without reading on.
        file.take(MAX_RECORD_BYTES + 1).read_to_end(&mut bytes)?;
        Ok(bytes)
    });
    let bytes = match bytes {
        Ok(bytes) if bytes.len() as u64 > MAX_RECORD_BYTES => {
            let size =
                std::fs::metadata(folder.join(RECORD_FILE)).map_or(bytes.len() as u64, |m| m.len());
            return Err(RecordProblem::TooLarge(size));
        }
        Ok(bytes) => bytes,
        Err(err) if err.kind() == ErrorKind::NotFound => return Err(RecordProblem::Missing),
        Err(err) => return Err(RecordProblem::Disk(err)),
    };
    parse_record(&bytes)
}

/// `generation.json`'s bytes read as a scan reads them: the record, or why its folder is
/// listed as broken.
pub(crate) fn read_record_bytes(bytes: &[u8]) -> Result<Generation, String> {
    parse_record(bytes).map_err(|problem| problem.reason())
}

/// A `generation.json` read from bytes, whatever they hold: a record, or why it is not one.
fn parse_record(bytes: &[u8]) -> Result<Generation, RecordProblem> {
    match serde_json::from_slice::<Generation>(bytes) {
        Ok(generation) if GenerationId::parse(generation.id.as_str()).is_none() => {
            Err(RecordProblem::BadId)
        }
        Ok(generation) => match stray_file_name(&generation) {
            Some(name) => Err(RecordProblem::StrayFileName(name.to_owned())),
            None => Ok(generation),
        },
        Err(err) => {
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Version {
                schema_version: u32,
            }
            match serde_json::from_slice::<Version>(bytes) {
                Ok(v) if v.schema_version > SCHEMA_VERSION => {
                    Err(RecordProblem::TooNew(v.schema_version))
                }
                _ if err.is_eof() => Err(RecordProblem::HalfWritten),
                _ => Err(RecordProblem::Damaged(damage_detail(&err))),
            }
        }
    }
}

/// What is wrong in a damaged record, short: serde quotes the odd value whole (and escapes
/// it, up to 7 characters a byte), which a hostile or broken file can make megabytes long.
fn damage_detail(err: &serde_json::Error) -> String {
    let detail = err.to_string();
    if detail.chars().count() <= crate::providers::error::EXCERPT_CHARS {
        return detail;
    }
    format!(
        "{} at line {} column {}",
        crate::providers::error::excerpt(&detail),
        err.line(),
        err.column()
    )
}

/// The first file name in the record that is not one plain name inside the folder.
fn stray_file_name(generation: &Generation) -> Option<&str> {
    file_names(generation).find(|name| !is_plain_file_name(name))
}

/// The file names a record points at (video, poster, kept first frame), which must all be
/// plain names inside its own folder.
pub(crate) fn file_names(generation: &Generation) -> impl Iterator<Item = &str> {
    let first_frame = match &generation.request.first_frame {
        Some(RecordedFirstFrame::Picture { file_name, .. }) => Some(file_name.as_str()),
        _ => None,
    };
    [
        generation.video.as_ref().map(|v| v.file_name.as_str()),
        generation.poster_file.as_deref(),
        first_frame,
    ]
    .into_iter()
    .flatten()
}

fn entry_for(folder: PathBuf, generation: Generation) -> LibraryEntry {
    let has_video = folder
        .join(
            generation
                .video
                .as_ref()
                .map_or(VIDEO_FILE, |v| v.file_name.as_str()),
        )
        .is_file();
    let has_poster = folder
        .join(generation.poster_file.as_deref().unwrap_or(POSTER_FILE))
        .is_file();
    let has_first_frame = match &generation.request.first_frame {
        Some(RecordedFirstFrame::Picture { file_name, .. }) => folder.join(file_name).is_file(),
        _ => false,
    };
    LibraryEntry {
        read_only: generation.is_read_only(),
        generation,
        folder,
        has_video,
        has_poster,
        has_first_frame,
    }
}

fn lossy_path<S: serde::Serializer>(path: &Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.to_string_lossy())
}

fn display_name(folder: &Path) -> String {
    folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The extension a first frame is saved under, from its media type.
fn picture_extension(mime: &str) -> &'static str {
    match mime {
        "image/jpeg" | "image/jpg" => "jpg",
        "image/webp" => "webp",
        "image/png" => "png",
        // Validation lets only the three through; keep anything else without claiming a type.
        _ => "image",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generation::{Model, Resolution};
    use crate::provider::Provider;

    /// Set in the child process that stands in for an app killed mid-save.
    const CRASH_LIBRARY_ENV: &str = "HAILUO_TEST_CRASH_IN_LIBRARY";

    fn request(prompt: &str) -> GenerationRequest {
        GenerationRequest {
            provider: Provider::MinimaxGlobal,
            model: Model::Hailuo23,
            prompt: prompt.into(),
            first_frame: None,
            duration: 6,
            resolution: Resolution::P768,
            prompt_optimizer: true,
            fast_pretreatment: false,
        }
    }

    fn list_price() -> Quote {
        crate::pricing::quote(&request("A lighthouse at dusk")).unwrap()
    }

    #[test]
    fn a_crash_between_write_and_rename_leaves_the_old_record() {
        if let Some(root) = std::env::var_os(CRASH_LIBRARY_ENV) {
            // The child: the new record reaches the disk, then the process dies before the
            // rename, exactly as a power cut or a kill would leave it.
            let library = Library::open(root).unwrap();
            let scan = library.scan().unwrap();
            let mut generation = scan.generations[0].generation.clone();
            generation.task_id = Some("task-that-never-landed".into());
            let folder = library.folder_of(&generation.id).unwrap();
            let json = serde_json::to_vec_pretty(&generation).unwrap();
            let _ = durable::write_durably_then(&folder.join(RECORD_FILE), &json, || {
                std::process::abort()
            });
            unreachable!("the child aborts before the rename");
        }

        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let mut generation = library
            .create(&request("A lighthouse at dusk"), &list_price())
            .unwrap();
        generation.task_id = Some("106916112212032".into());
        library.save(&generation).unwrap();

        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "library::tests::a_crash_between_write_and_rename_leaves_the_old_record",
                "--test-threads=1",
            ])
            .env(CRASH_LIBRARY_ENV, dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(!child.success(), "the child must have died mid-save");

        let folder = library.folder_of(&generation.id).unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(durable::TEMP_PREFIX))
            .collect();
        assert_eq!(leftovers.len(), 1, "the crash left its temp file behind");

        let scan = library.scan().unwrap();
        assert_eq!(scan.broken, []);
        assert_eq!(
            scan.generations[0].generation.task_id.as_deref(),
            Some("106916112212032")
        );
        // The next save still works beside the leftover.
        generation.poll_url = Some("/api/v1/videos/job-1".into());
        library.save(&generation).unwrap();
        assert_eq!(library.load(&generation.id).unwrap(), generation);
    }
}
