//! The Library screen's commands through the real wiring on Tauri's mock runtime: stills sent as
//! raw bytes, deleting, and what is refused.
#![allow(clippy::unwrap_used)] // a test that fails should panic with the cause

mod common;

use std::io::Cursor;
use std::sync::Arc;

use common::{boot_in, ok, refused, App};
use hailuo_core::keys::MemoryKeyStore;
use hailuo_core::library::{
    Generation, GenerationState, Library, LAST_FRAME_FILE, POSTER_FILE, VIDEO_FILE,
};
use serde_json::json;
use tauri::test::{get_ipc_response, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};
use time::macros::datetime;

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::from_pixel(width, height, image::Rgb([240, 120, 60]))
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
        .unwrap();
    bytes
}

/// A generation as the job runner leaves it: `state`, and a video in its folder when done.
fn seed(data_dir: &std::path::Path, prompt: &str, state: GenerationState) -> Generation {
    let library = Library::open(data_dir.join("library")).unwrap();
    let request: hailuo_core::GenerationRequest = serde_json::from_value(json!({
        "provider": "minimax-global", "model": "hailuo-2.3", "prompt": prompt,
        "duration": 6, "resolution": "768P"
    }))
    .unwrap();
    let estimate = hailuo_core::quote(&request).unwrap();
    let mut generation = library.create(&request, &estimate).unwrap();
    let at = datetime!(2026-11-21 14:40 UTC);
    let path = [
        GenerationState::Queued,
        GenerationState::Running,
        GenerationState::Downloading,
        GenerationState::Done,
    ];
    for next in path {
        if generation.state == state {
            break;
        }
        generation.advance(next, at, None).unwrap();
    }
    library.save(&generation).unwrap();
    if state == GenerationState::Done {
        let folder = library.folder_of(&generation.id).unwrap();
        std::fs::write(folder.join(VIDEO_FILE), b"\0\0\0\x18ftypisom video bytes").unwrap();
    }
    generation
}

/// Sends `bytes` as the raw body with the generation's id in a header, as the Library view does.
fn send_still(
    app: &App,
    cmd: &str,
    id: Option<&str>,
    bytes: Vec<u8>,
) -> Result<serde_json::Value, serde_json::Value> {
    let window = app.get_webview_window("main").unwrap_or_else(|| {
        WebviewWindowBuilder::new(app, "main", Default::default())
            .build()
            .unwrap()
    });
    let mut headers = tauri::http::HeaderMap::new();
    if let Some(id) = id {
        headers.insert("Generation-Id", id.parse().unwrap());
    }
    get_ipc_response(
        &window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Raw(bytes),
            headers,
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|response| response.deserialize().unwrap())
}

fn boot(data_dir: &std::path::Path) -> App {
    boot_in(data_dir, Arc::new(MemoryKeyStore::default()))
}

#[test]
fn a_poster_drawn_by_the_webview_is_kept_and_listed() {
    let data_dir = tempfile::tempdir().unwrap();
    let generation = seed(data_dir.path(), "A paper boat", GenerationState::Done);
    let app = boot(data_dir.path());
    let listed = ok(&app, "library_list", json!({}));
    assert_eq!(listed["generations"][0]["media"]["poster"], json!(null));

    let picture = jpeg(1366, 768);
    let url = send_still(
        &app,
        "save_poster",
        Some(generation.id.as_str()),
        picture.clone(),
    )
    .unwrap();
    let url = url.as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url.ends_with(&format!("/{}/{POSTER_FILE}", generation.id)));

    let listed = ok(&app, "library_list", json!({}));
    assert_eq!(listed["generations"][0]["media"]["poster"], url);
    let folder = listed["generations"][0]["folder"].as_str().unwrap();
    let kept = std::fs::read(std::path::Path::new(folder).join(POSTER_FILE)).unwrap();
    assert_eq!(kept, picture);
}

#[test]
fn the_last_frame_is_saved_in_the_generations_folder_and_its_path_answered() {
    let data_dir = tempfile::tempdir().unwrap();
    let generation = seed(data_dir.path(), "A kite at noon", GenerationState::Done);
    let app = boot(data_dir.path());
    ok(&app, "library_list", json!({}));

    let picture = jpeg(1366, 768);
    let saved = send_still(
        &app,
        "save_last_frame",
        Some(generation.id.as_str()),
        picture.clone(),
    )
    .unwrap();
    let path = std::path::PathBuf::from(saved["path"].as_str().unwrap());
    assert_eq!(path.file_name().unwrap(), LAST_FRAME_FILE);
    assert_eq!(std::fs::read(&path).unwrap(), picture);

    // The Create screen then checks it like any picture the creator chose.
    let inspected = ok(
        &app,
        "inspect_first_frame",
        json!({ "path": path.display().to_string() }),
    );
    assert_eq!(inspected["path"], path.display().to_string());
}

#[test]
fn a_still_without_a_generation_or_that_is_not_a_jpeg_is_refused() {
    let data_dir = tempfile::tempdir().unwrap();
    let generation = seed(data_dir.path(), "A fox", GenerationState::Done);
    let app = boot(data_dir.path());

    let err = send_still(&app, "save_poster", None, jpeg(64, 64)).unwrap_err();
    assert_eq!(err["kind"], "generation-not-found");
    let err = send_still(&app, "save_poster", Some("../../etc"), jpeg(64, 64)).unwrap_err();
    assert_eq!(err["kind"], "generation-not-found");

    let err = send_still(
        &app,
        "save_poster",
        Some(generation.id.as_str()),
        b"<html>not a picture</html>".to_vec(),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "still-refused");
    assert_eq!(
        err["message"],
        "The poster picture could not be kept: it is not a JPEG picture."
    );
    let err = refused(&app, "save_poster", json!({ "id": generation.id.as_str() }));
    assert_eq!(err["kind"], "generation-not-found", "{err}");
}

#[test]
fn a_finished_generation_can_be_deleted_for_good() {
    let data_dir = tempfile::tempdir().unwrap();
    let generation = seed(data_dir.path(), "A storm at sea", GenerationState::Done);
    let app = boot(data_dir.path());
    let listed = ok(&app, "library_list", json!({}));
    let folder = listed["generations"][0]["folder"]
        .as_str()
        .unwrap()
        .to_owned();

    ok(
        &app,
        "delete_generation",
        json!({ "id": generation.id.as_str(), "removal": "permanently" }),
    );
    assert!(!std::path::Path::new(&folder).exists());
    let listed = ok(&app, "library_list", json!({}));
    assert_eq!(listed["generations"], json!([]));

    let err = refused(
        &app,
        "delete_generation",
        json!({ "id": generation.id.as_str(), "removal": "permanently" }),
    );
    assert_eq!(err["kind"], "generation-not-found");
}

#[test]
fn a_deleted_generation_goes_to_the_trash_where_it_can_be_restored() {
    let data_dir = tempfile::tempdir().unwrap();
    let data_home = tempfile::tempdir_in(data_dir.path()).unwrap();
    // The freedesktop trash lives under XDG_DATA_HOME; keep the test's out of the real one.
    // Only this test in this binary uses the trash.
    std::env::set_var("XDG_DATA_HOME", data_home.path());
    let generation = seed(
        data_dir.path(),
        "Lanterns on a river",
        GenerationState::Done,
    );
    let app = boot(data_dir.path());
    let listed = ok(&app, "library_list", json!({}));
    let folder = std::path::PathBuf::from(listed["generations"][0]["folder"].as_str().unwrap());

    ok(
        &app,
        "delete_generation",
        json!({ "id": generation.id.as_str(), "removal": "trash" }),
    );
    assert!(!folder.exists());
    let trashed = data_home
        .path()
        .join("Trash/files")
        .join(folder.file_name().unwrap());
    assert!(trashed.join(VIDEO_FILE).is_file(), "{}", trashed.display());
}

#[test]
fn a_generation_still_being_made_cannot_be_deleted() {
    let data_dir = tempfile::tempdir().unwrap();
    let generation = seed(data_dir.path(), "A slow sunrise", GenerationState::Running);
    let app = boot(data_dir.path());
    ok(&app, "library_list", json!({}));
    let err = refused(
        &app,
        "delete_generation",
        json!({ "id": generation.id.as_str(), "removal": "trash" }),
    );
    assert_eq!(err["kind"], "generation-in-progress");
    assert!(
        err["message"].as_str().unwrap().contains("Being made"),
        "{err}"
    );
    let listed = ok(&app, "library_list", json!({}));
    assert_eq!(listed["generations"][0]["generation"]["state"], "running");
}

#[test]
fn saving_or_showing_a_generation_without_a_video_says_so() {
    let data_dir = tempfile::tempdir().unwrap();
    let generation = seed(data_dir.path(), "A cat", GenerationState::Running);
    let app = boot(data_dir.path());
    ok(&app, "library_list", json!({}));
    let err = refused(
        &app,
        "save_generation_as",
        json!({ "id": generation.id.as_str() }),
    );
    assert_eq!(err["kind"], "no-video");
    let err = refused(
        &app,
        "show_generation_in_folder",
        json!({ "id": "no-such-id" }),
    );
    assert_eq!(err["kind"], "generation-not-found");
}
