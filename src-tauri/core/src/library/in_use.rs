//! Which library folder opens at start, when the creator has chosen a new one since.

use std::path::{Path, PathBuf};

use super::{write_durably, Generation, GenerationState, Library};
use crate::ledger::INSTALLATION_FILE;

/// Remembers the library folder the app last opened, so that at the next start it knows
/// whether generations are still being made in a folder the creator has moved away from.
#[derive(Debug, Clone)]
pub struct LibraryInUse {
    file: PathBuf,
}

/// The folder to open at this start, and what the creator must be told about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderToOpen {
    pub folder: PathBuf,
    pub notice: Option<String>,
}

const FILE_NAME: &str = "library-in-use.json";

impl LibraryInUse {
    pub fn in_dir(state_dir: &Path) -> Self {
        LibraryInUse {
            file: state_dir.join(FILE_NAME),
        }
    }

    /// The folder opened last time; `None` on a first start or when the note cannot be read.
    pub fn last(&self) -> Option<PathBuf> {
        let text = std::fs::read(&self.file).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Notes the folder opened now. A folder whose name is not UTF-8 cannot be noted; the next
    /// start then opens the chosen folder, as a first start would.
    pub fn remember(&self, folder: &Path) -> std::io::Result<()> {
        // Every start calls this; the durable write is only for a change.
        if self.last().as_deref() == Some(folder) {
            return Ok(());
        }
        let text = serde_json::to_vec(folder).map_err(std::io::Error::other)?;
        write_durably(&self.file, &text)
    }

    /// The chosen folder, unless generations are still being made in the folder opened last
    /// time: only the open library's generations are followed, so leaving them would leave a
    /// video already paid for undownloaded. They are finished there first; a later start moves.
    /// Blocking: it reads the last folder's records.
    pub fn folder_to_open(&self, chosen: &Path) -> FolderToOpen {
        let chosen_now = FolderToOpen {
            folder: chosen.to_path_buf(),
            notice: None,
        };
        let Some(last) = self.last() else {
            return chosen_now;
        };
        if last == chosen || !last.is_dir() {
            return chosen_now;
        }
        let mine = self
            .file
            .parent()
            .and_then(|state| std::fs::read_to_string(state.join(INSTALLATION_FILE)).ok())
            .map(|id| id.trim().to_owned());
        let mut waits = Waits::default();
        if let Ok(scan) = Library::open(&last).and_then(|library| library.scan()) {
            for entry in scan.generations.iter().filter(|e| !e.read_only) {
                waits.count(&entry.generation, mine.as_deref());
            }
        }
        let Some(what) = waits.words() else {
            return chosen_now;
        };
        FolderToOpen {
            notice: Some(format!(
                "Videos are still saved in {} until what can still arrive there is in: {what}. \
                 Hailuo Studio moves to {} the next time it starts after that.",
                last.display(),
                chosen.display()
            )),
            folder: last,
        }
    }
}

/// What a library move waits for: only what can still arrive in the old folder.
#[derive(Default)]
struct Waits {
    /// At the provider, with a task id to follow.
    made: usize,
    downloading: usize,
    /// In this installation's local line, still to be sent.
    waiting: usize,
}

impl Waits {
    fn count(&mut self, generation: &Generation, mine: Option<&str>) {
        let followable = generation.task_id.is_some();
        match generation.state {
            GenerationState::Queued | GenerationState::Running => self.made += 1,
            // An unknown outcome (or a submit cut short) with no task id can never arrive.
            GenerationState::Unknown | GenerationState::Submitting if followable => self.made += 1,
            GenerationState::Downloading => self.downloading += 1,
            // A waiting one made on another computer is sent (and saved) there, not here.
            GenerationState::Waiting
                if generation.created_by.is_none() || generation.created_by.as_deref() == mine =>
            {
                self.waiting += 1
            }
            _ => {}
        }
    }

    fn words(&self) -> Option<String> {
        let videos = |n: usize| {
            if n == 1 {
                "1 video".to_owned()
            } else {
                format!("{n} videos")
            }
        };
        let parts: Vec<String> = [
            (self.made, "still being made"),
            (self.downloading, "being downloaded"),
            (self.waiting, "waiting to be sent"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{} {what}", videos(n)))
        .collect();
        match parts.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generation::GenerationRequest;

    struct Folders {
        _root: tempfile::TempDir,
        state: PathBuf,
        old: PathBuf,
        new: PathBuf,
    }

    fn folders() -> Folders {
        let root = tempfile::tempdir().unwrap();
        let state = root.path().join("state");
        std::fs::create_dir_all(&state).unwrap();
        Folders {
            state,
            old: root.path().join("Videos/Hailuo Studio"),
            new: root.path().join("Big disk/Hailuo"),
            _root: root,
        }
    }

    /// A generation in `folder` that has reached `state`.
    fn generation_in(folder: &Path, state: GenerationState) {
        generation_with(folder, state, Some("task-1"));
    }

    /// A generation in `folder` that has reached `state`, with or without a task id.
    fn generation_with(folder: &Path, state: GenerationState, task_id: Option<&str>) {
        let library = Library::open(folder).unwrap();
        let request: GenerationRequest = serde_json::from_value(serde_json::json!({
            "provider": "openrouter", "model": "hailuo-2.3", "prompt": "A fox in snow",
            "duration": 6, "resolution": "1080P"
        }))
        .unwrap();
        let estimate = crate::quote(&request).unwrap();
        let mut generation = library.create(&request, &estimate).unwrap();
        generation.state = state;
        generation.task_id = task_id.map(str::to_owned);
        library.save(&generation).unwrap();
    }

    #[test]
    fn a_first_start_opens_the_chosen_folder() {
        let f = folders();
        let in_use = LibraryInUse::in_dir(&f.state);
        assert_eq!(in_use.folder_to_open(&f.new).folder, f.new);
    }

    #[test]
    fn the_folder_opened_is_remembered_across_starts() {
        let f = folders();
        LibraryInUse::in_dir(&f.state).remember(&f.old).unwrap();
        assert_eq!(LibraryInUse::in_dir(&f.state).last(), Some(f.old));
    }

    #[test]
    fn a_new_folder_opens_at_once_when_nothing_is_being_made_in_the_old_one() {
        let f = folders();
        generation_in(&f.old, GenerationState::Done);
        generation_in(&f.old, GenerationState::Failed);
        let in_use = LibraryInUse::in_dir(&f.state);
        in_use.remember(&f.old).unwrap();
        let opening = in_use.folder_to_open(&f.new);
        assert_eq!(opening.folder, f.new);
        assert_eq!(opening.notice, None);
    }

    #[test]
    fn a_video_not_saved_never_holds_a_library_move() {
        let f = folders();
        generation_in(&f.old, GenerationState::NotSaved);
        let in_use = LibraryInUse::in_dir(&f.state);
        in_use.remember(&f.old).unwrap();
        let opening = in_use.folder_to_open(&f.new);
        assert_eq!(opening.folder, f.new);
        assert_eq!(opening.notice, None);
    }

    #[test]
    fn generations_still_being_made_keep_the_old_folder_open_and_the_creator_is_told() {
        let f = folders();
        generation_in(&f.old, GenerationState::Running);
        generation_in(&f.old, GenerationState::Downloading);
        generation_in(&f.old, GenerationState::Done);
        let in_use = LibraryInUse::in_dir(&f.state);
        in_use.remember(&f.old).unwrap();
        let opening = in_use.folder_to_open(&f.new);
        assert_eq!(
            opening.folder, f.old,
            "the paid-for videos are followed home first"
        );
        let notice = opening.notice.unwrap();
        assert!(
            notice.contains("1 video still being made and 1 video being downloaded"),
            "{notice}"
        );
        assert!(notice.contains(&f.old.display().to_string()), "{notice}");
        assert!(notice.contains(&f.new.display().to_string()), "{notice}");
    }

    #[test]
    fn an_unknown_outcome_with_nothing_to_follow_does_not_hold_a_library_move() {
        let f = folders();
        generation_with(&f.old, GenerationState::Unknown, None);
        generation_with(&f.old, GenerationState::Submitting, None);
        let in_use = LibraryInUse::in_dir(&f.state);
        in_use.remember(&f.old).unwrap();
        let opening = in_use.folder_to_open(&f.new);
        assert_eq!(opening.folder, f.new);
        assert_eq!(opening.notice, None);
    }

    #[test]
    fn a_library_move_says_exactly_what_it_waits_for() {
        let f = folders();
        generation_with(&f.old, GenerationState::Unknown, Some("task-9"));
        generation_in(&f.old, GenerationState::Running);
        generation_in(&f.old, GenerationState::Waiting);
        generation_with(&f.old, GenerationState::Unknown, None);
        let in_use = LibraryInUse::in_dir(&f.state);
        in_use.remember(&f.old).unwrap();
        let notice = in_use.folder_to_open(&f.new).notice.unwrap();
        assert!(
            notice.contains("2 videos still being made and 1 video waiting to be sent"),
            "{notice}"
        );
        assert!(!notice.contains("being downloaded"), "{notice}");
    }

    #[test]
    fn an_old_folder_that_is_gone_does_not_hold_the_app_back() {
        let f = folders();
        let in_use = LibraryInUse::in_dir(&f.state);
        in_use.remember(&f.old).unwrap();
        assert_eq!(in_use.folder_to_open(&f.new).folder, f.new);
    }

    #[test]
    fn a_damaged_note_counts_as_a_first_start() {
        let f = folders();
        std::fs::write(f.state.join(FILE_NAME), b"{not json").unwrap();
        let in_use = LibraryInUse::in_dir(&f.state);
        assert_eq!(in_use.last(), None);
        assert_eq!(in_use.folder_to_open(&f.new).folder, f.new);
    }
}
