//! The library on disk: folders made before anything is sent, records that survive, scans that
//! load everything readable and name what is not.
#![allow(clippy::unwrap_used)] // a test that fails should panic with the cause

use std::path::{Path, PathBuf};

use hailuo_core::generation::{FirstFrame, GenerationRequest, Model, Resolution};
use hailuo_core::library::{
    is_portable_name, GenerationState, Library, LibraryError, RecordedFirstFrame, Removal,
    RECORD_FILE, SCHEMA_VERSION, VIDEO_FILE,
};
use hailuo_core::{Provider, Quote};
use time::macros::datetime;
use time::OffsetDateTime;

const AT: OffsetDateTime = datetime!(2026-11-21 14:32:10 +01:00);

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

/// The quote the creator saw: MiniMax's list price for 768P, 6 s.
fn list_price() -> Quote {
    hailuo_core::quote(&request("A lighthouse at dusk")).unwrap()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn folder_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn json_of(folder: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(folder.join(RECORD_FILE)).unwrap()).unwrap()
}

#[test]
fn creating_a_generation_writes_its_record_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let generation = library
        .create_at(
            &request("A lighthouse at dusk [Push in]"),
            &list_price(),
            AT,
        )
        .unwrap();

    let folder = library.folder_of(&generation.id).unwrap();
    assert_eq!(folder_name(&folder), "2026-11-21 1432 a-lighthouse-at-dusk");
    assert_eq!(names_in(&folder), [RECORD_FILE]);
    let json = json_of(&folder);
    assert_eq!(json["state"], "submitting");
    assert_eq!(json["schemaVersion"], SCHEMA_VERSION);
    assert_eq!(json["id"], generation.id.as_str());
    assert_eq!(json["request"]["prompt"], "A lighthouse at dusk [Push in]");
    assert_eq!(json["estimatedCost"]["money"]["amount"], "0.28");
    assert_eq!(json["history"][0]["at"], "2026-11-21T14:32:10+01:00");
}

#[test]
fn a_picture_first_frame_is_kept_as_a_file_beside_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let mut with_picture = request("Waves");
    let picture = vec![0x89, b'P', b'N', b'G', 1, 2, 3];
    with_picture.first_frame = Some(FirstFrame::Picture {
        mime: "image/png".into(),
        bytes: picture.clone(),
    });
    let generation = library.create_at(&with_picture, &list_price(), AT).unwrap();

    assert_eq!(
        generation.request.first_frame,
        Some(RecordedFirstFrame::Picture {
            file_name: "first-frame.png".into(),
            mime: "image/png".into()
        })
    );
    let path = library.first_frame_path(&generation).unwrap();
    assert_eq!(std::fs::read(path).unwrap(), picture);
    let record =
        std::fs::read_to_string(library.folder_of(&generation.id).unwrap().join(RECORD_FILE))
            .unwrap();
    assert!(!record.contains("bytes"), "{record}");
}

#[test]
fn two_generations_of_one_prompt_in_the_same_minute_get_their_own_folders() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let ids: Vec<_> = (0..3)
        .map(|_| {
            library
                .create_at(&request("Waves"), &list_price(), AT)
                .unwrap()
                .id
        })
        .collect();
    let folders: Vec<_> = ids
        .iter()
        .map(|id| folder_name(&library.folder_of(id).unwrap()))
        .collect();
    assert_eq!(
        folders,
        [
            "2026-11-21 1432 waves",
            "2026-11-21 1432 waves 2",
            "2026-11-21 1432 waves 3"
        ]
    );
    assert_eq!(library.scan().unwrap().generations.len(), 3);
}

#[test]
fn nasty_prompts_still_make_folders_every_os_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let chinese = "海上的灯塔在黄昏时分亮起".repeat(200); // 2400 characters
    let prompts = [
        "CON",
        "nul.txt",
        "COM1",
        "🌅🌊✨",
        "...",
        "?!*",
        "a/b\\c:d<e>f|g\"h",
        "trailing dots...   ",
        chinese.as_str(),
        "Ночь над морем 🌙",
    ];
    for prompt in prompts {
        let generation = library
            .create_at(&request(prompt), &list_price(), AT)
            .unwrap();
        let name = folder_name(&library.folder_of(&generation.id).unwrap());
        assert!(is_portable_name(&name), "{prompt:?} gave {name:?}");
        assert!(
            name.len() <= 16 + 60 + 3,
            "{name:?} is {} bytes",
            name.len()
        );
    }
    let scan = library.scan().unwrap();
    assert_eq!(scan.generations.len(), prompts.len());
    assert_eq!(scan.broken, []);
    let names: Vec<_> = scan
        .generations
        .iter()
        .map(|e| folder_name(&e.folder))
        .collect();
    assert!(
        names.contains(&"2026-11-21 1432 untitled".to_owned()),
        "{names:?}"
    );
    assert!(
        names.contains(&format!(
            "2026-11-21 1432 {}",
            chinese.chars().take(20).collect::<String>()
        )),
        "{names:?}"
    );
}

#[test]
fn saving_replaces_the_record_and_leaves_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let mut generation = library
        .create_at(&request("Waves"), &list_price(), AT)
        .unwrap();
    generation.task_id = Some("106916112212032".into());
    generation
        .advance(GenerationState::Queued, AT, Some("Queueing".into()))
        .unwrap();
    library.save(&generation).unwrap();

    let folder = library.folder_of(&generation.id).unwrap();
    assert_eq!(names_in(&folder), [RECORD_FILE]);
    assert_eq!(names_in(dir.path()).len(), 1);
    assert_eq!(library.load(&generation.id).unwrap(), generation);
    assert_eq!(json_of(&folder)["taskId"], "106916112212032");
}

#[test]
fn a_folder_moved_by_hand_is_found_again_on_the_next_save() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let mut generation = library
        .create_at(&request("Waves"), &list_price(), AT)
        .unwrap();
    let old = library.folder_of(&generation.id).unwrap();
    let new = dir.path().join("my favourite waves");
    std::fs::rename(&old, &new).unwrap();

    generation.task_id = Some("job-abc123".into());
    library.save(&generation).unwrap();
    assert_eq!(json_of(&new)["taskId"], "job-abc123");
    assert!(!old.exists(), "the old place must not be recreated");
}

#[test]
fn a_scan_loads_every_good_folder_and_names_each_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let older = library
        .create_at(
            &request("Older"),
            &list_price(),
            datetime!(2026-11-20 09:00 UTC),
        )
        .unwrap();
    let newer = library
        .create_at(
            &request("Newer"),
            &list_price(),
            datetime!(2026-11-21 09:00 UTC),
        )
        .unwrap();
    let good_json = std::fs::read(library.folder_of(&newer.id).unwrap().join(RECORD_FILE)).unwrap();

    let make = |name: &str| -> PathBuf {
        let folder = dir.path().join(name);
        std::fs::create_dir(&folder).unwrap();
        folder
    };
    std::fs::write(make("corrupt").join(RECORD_FILE), b"{ this is not json").unwrap();
    std::fs::write(
        make("half written").join(RECORD_FILE),
        &good_json[..good_json.len() / 2],
    )
    .unwrap();
    let no_record = make("no record");
    std::fs::write(no_record.join(VIDEO_FILE), b"....ftyp").unwrap();
    std::fs::write(make("empty file").join(RECORD_FILE), b"").unwrap();
    std::fs::write(
        make("wrong shape").join(RECORD_FILE),
        br#"{"schemaVersion": 1, "id": "x"}"#,
    )
    .unwrap();
    make(".hidden-by-the-os");
    std::fs::write(dir.path().join("notes.txt"), b"not a folder").unwrap();

    let scan = library.scan().unwrap();
    let ids: Vec<_> = scan.generations.iter().map(|e| &e.generation.id).collect();
    assert_eq!(ids, [&newer.id, &older.id], "newest first");

    let reasons: Vec<(String, &str)> = scan
        .broken
        .iter()
        .map(|b| (folder_name(&b.folder), b.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 5, "{reasons:#?}");
    let reason_of = |name: &str| {
        reasons
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| *r)
            .unwrap_or_else(|| panic!("{name} not reported: {reasons:#?}"))
    };
    assert!(reason_of("corrupt").contains("damaged"));
    assert!(reason_of("half written").contains("cut off"));
    assert!(reason_of("empty file").contains("cut off"));
    assert!(reason_of("no record").contains("has no generation.json"));
    assert!(reason_of("wrong shape").contains("damaged"));
}

#[test]
fn a_damaged_record_says_its_video_is_still_there() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let folder = dir.path().join("2026-11-21 1432 waves");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join(RECORD_FILE), b"{\"schemaVersion\":1,").unwrap();
    std::fs::write(folder.join(VIDEO_FILE), b"video").unwrap();
    let scan = library.scan().unwrap();
    assert!(
        scan.broken[0]
            .reason
            .ends_with("The video file in it is untouched."),
        "{}",
        scan.broken[0].reason
    );
}

#[test]
fn a_record_from_a_newer_version_is_shown_but_never_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let generation = library
        .create_at(&request("Waves"), &list_price(), AT)
        .unwrap();
    let folder = library.folder_of(&generation.id).unwrap();
    let mut json = json_of(&folder);
    json["schemaVersion"] = (SCHEMA_VERSION + 1).into();
    json["somethingNew"] = "from the future".into();
    let future_bytes = serde_json::to_vec(&json).unwrap();
    std::fs::write(folder.join(RECORD_FILE), &future_bytes).unwrap();

    let scan = library.scan().unwrap();
    assert_eq!(scan.broken, []);
    let entry = &scan.generations[0];
    assert!(entry.read_only);

    let err = library.save(&entry.generation).unwrap_err();
    assert!(matches!(err, LibraryError::ReadOnly { .. }), "{err:?}");
    assert!(err.to_string().contains("newer version"), "{err}");
    assert_eq!(
        std::fs::read(folder.join(RECORD_FILE)).unwrap(),
        future_bytes
    );
}

#[test]
fn a_newer_record_this_version_cannot_read_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let folder = dir.path().join("from the future");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join(RECORD_FILE),
        format!(
            r#"{{"schemaVersion": {}, "generation": {{"id": 7}}}}"#,
            SCHEMA_VERSION + 1
        ),
    )
    .unwrap();
    let scan = library.scan().unwrap();
    assert!(
        scan.broken[0]
            .reason
            .contains("newer version of Hailuo Studio"),
        "{}",
        scan.broken[0].reason
    );
}

#[test]
fn a_copied_folder_is_reported_and_the_original_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let generation = library
        .create_at(&request("Waves"), &list_price(), AT)
        .unwrap();
    let original = library.folder_of(&generation.id).unwrap();
    let copy = dir.path().join("2026-11-21 1432 waves copy");
    std::fs::create_dir(&copy).unwrap();
    std::fs::copy(original.join(RECORD_FILE), copy.join(RECORD_FILE)).unwrap();

    let scan = library.scan().unwrap();
    assert_eq!(scan.generations.len(), 1);
    assert_eq!(scan.generations[0].folder, original);
    assert_eq!(scan.broken[0].folder, copy);
    assert!(
        scan.broken[0]
            .reason
            .contains("same generation as “2026-11-21 1432 waves”"),
        "{}",
        scan.broken[0].reason
    );
}

#[test]
fn a_video_still_on_its_way_cannot_be_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let mut generation = library
        .create_at(&request("Waves"), &list_price(), AT)
        .unwrap();
    generation
        .advance(GenerationState::Running, AT, None)
        .unwrap();
    library.save(&generation).unwrap();

    let err = library
        .delete(&generation.id, Removal::Permanently)
        .unwrap_err();
    assert!(
        matches!(err, LibraryError::StillInProgress { .. }),
        "{err:?}"
    );
    assert!(library.folder_of(&generation.id).unwrap().is_dir());

    generation
        .advance(GenerationState::Failed, AT, None)
        .unwrap();
    library.save(&generation).unwrap();
    let folder = library.folder_of(&generation.id).unwrap();
    library
        .delete(&generation.id, Removal::Permanently)
        .unwrap();
    assert!(!folder.exists());
    assert_eq!(library.scan().unwrap().generations, []);
}

#[test]
fn deleting_to_the_trash_keeps_the_folder_restorable() {
    let dir = tempfile::tempdir().unwrap();
    let data_home = tempfile::tempdir().unwrap();
    // The freedesktop trash lives under XDG_DATA_HOME; keep the test's out of the real one.
    // Only this test in this binary uses the trash.
    std::env::set_var("XDG_DATA_HOME", data_home.path());
    let library = Library::open(dir.path()).unwrap();
    let mut generation = library
        .create_at(&request("Waves"), &list_price(), AT)
        .unwrap();
    generation
        .advance(GenerationState::Unknown, AT, None)
        .unwrap();
    library.save(&generation).unwrap();

    library.delete(&generation.id, Removal::Trash).unwrap();
    assert_eq!(names_in(dir.path()), Vec::<String>::new());
    let trashed = data_home.path().join("Trash/files/2026-11-21 1432 waves");
    assert!(
        trashed.join(RECORD_FILE).is_file(),
        "not in {}",
        trashed.display()
    );
}

#[test]
fn a_submit_interrupted_by_a_restart_becomes_may_have_been_charged() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let interrupted = library
        .create_at(&request("Waves"), &list_price(), AT)
        .unwrap();
    let mut answered = library
        .create_at(&request("Fox"), &list_price(), AT)
        .unwrap();
    answered.advance(GenerationState::Queued, AT, None).unwrap();
    library.save(&answered).unwrap();

    let reopened = Library::open(dir.path()).unwrap();
    let later = datetime!(2026-11-21 15:00 UTC);
    let changed = reopened.mark_interrupted_submits(later).unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0], interrupted.id);

    let settled = reopened.load(&interrupted.id).unwrap();
    assert_eq!(settled.state, GenerationState::Unknown);
    assert_eq!(settled.updated_at, later);
    assert_eq!(settled.state.label(), "No answer: may have been charged");
    assert_eq!(
        reopened.load(&answered.id).unwrap().state,
        GenerationState::Queued
    );
    assert_eq!(reopened.mark_interrupted_submits(later).unwrap(), []);
}

#[test]
fn a_folder_whose_name_is_not_unicode_still_lists_with_the_rest() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    library
        .create_at(&request("Waves"), &list_price(), AT)
        .unwrap();
    let odd = dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"caf\xe9 latin-1"));
    std::fs::create_dir(&odd).unwrap();

    let scan = library.scan().unwrap();
    assert_eq!(scan.generations.len(), 1);
    let json = serde_json::to_value(&scan).unwrap();
    assert_eq!(json["broken"][0]["folder"], odd.to_string_lossy().as_ref());
}

// ---------------------------------------------------------------------------------------------
// One app per library
// ---------------------------------------------------------------------------------------------

#[test]
fn a_second_app_on_the_same_library_is_refused_and_told_who_holds_it() {
    use hailuo_core::library::{LibraryLockError, LOCK_FILE};

    let dir = tempfile::tempdir().unwrap();
    // Two apps: each opens the folder on its own.
    let first = Library::open(dir.path()).unwrap();
    let second = Library::open(dir.path()).unwrap();
    let held = first.lock().unwrap();
    assert_eq!(held.path(), first.root().join(LOCK_FILE));

    match second.lock() {
        Err(LibraryLockError::HeldElsewhere {
            holder: Some(holder),
        }) => {
            assert_eq!(holder.process_id, std::process::id());
            assert_eq!(holder.app_version, env!("CARGO_PKG_VERSION"));
            let message = LibraryLockError::HeldElsewhere {
                holder: Some(holder.clone()),
            }
            .to_string();
            assert!(message.contains("read-only"), "{message}");
            assert!(message.contains(&holder.computer), "{message}");
        }
        other => panic!("the second lock should be refused with its holder, got {other:?}"),
    }
    // The refused attempt left the holder's note alone.
    let note = std::fs::read_to_string(held.path()).unwrap();
    assert!(note.contains(&std::process::id().to_string()), "{note}");

    // The lock goes with the app that held it: the next start takes it.
    drop(held);
    assert!(second.lock().is_ok());
}

#[test]
fn a_second_copy_of_the_app_is_not_kept_waiting_for_the_library() {
    use hailuo_core::library::LibraryLockError;
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let _held = Library::open(dir.path()).unwrap().lock().unwrap();
    let asked = Instant::now();
    assert!(matches!(
        Library::open(dir.path())
            .unwrap()
            .lock_patiently(Duration::from_secs(5)),
        Err(LibraryLockError::HeldElsewhere { holder: Some(_) })
    ));
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "read-only at once"
    );
}

#[test]
fn the_lock_file_is_not_a_broken_generation() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let _held = library.lock().unwrap();
    let scan = library.scan().unwrap();
    assert!(scan.broken.is_empty(), "{:?}", scan.broken);
}

/// A note written by another computer through a synced folder: the OS lock is free here.
fn note_from_another_computer(alive_at: time::OffsetDateTime) -> String {
    serde_json::json!({
        "computer": "ana-laptop-elsewhere",
        "processId": 4242,
        "appVersion": "0.1.0",
        "since": "2026-11-21T09:00:00+01:00",
        "aliveAt": alive_at.format(&time::format_description::well_known::Rfc3339).unwrap(),
    })
    .to_string()
}

#[test]
fn another_computer_still_using_a_synced_library_keeps_it() {
    use hailuo_core::library::{LibraryLockError, LOCK_FILE};

    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let a_minute_ago = OffsetDateTime::now_utc() - time::Duration::minutes(1);
    std::fs::write(
        dir.path().join(LOCK_FILE),
        note_from_another_computer(a_minute_ago),
    )
    .unwrap();
    match library.lock() {
        Err(LibraryLockError::HeldElsewhere {
            holder: Some(holder),
        }) => assert_eq!(holder.computer, "ana-laptop-elsewhere"),
        other => panic!("the other computer's library should stay its own, got {other:?}"),
    }
}

#[test]
fn a_synced_note_left_by_a_computer_long_gone_does_not_lock_anyone_out() {
    use hailuo_core::library::LOCK_FILE;

    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let yesterday = OffsetDateTime::now_utc() - time::Duration::days(1);
    std::fs::write(
        dir.path().join(LOCK_FILE),
        note_from_another_computer(yesterday),
    )
    .unwrap();
    let held = library.lock().expect("a stale note is no holder");
    held.refresh().unwrap();
    let note = std::fs::read_to_string(held.path()).unwrap();
    assert!(!note.contains("ana-laptop-elsewhere"), "{note}");
}
