//! Whether a saved video is the very file the emulator served: shared by the crash test and the
//! fault drill (each test file includes it with `mod served_video;`).

use std::path::Path;

use hailuo_emulator::Emulator;
use serde_json::{json, Value};

/// The video in `folder` is the file the emulator served for `task_id`, whole: same size and
/// bytes, an `ftyp` box, no `.part` left, and ffprobe reads it as H.264 at the task's size.
/// Answers the size the emulator served, in bytes.
pub async fn assert_saved_as_served(emulator: &Emulator, task_id: &str, folder: &Path) -> u64 {
    let task = emulator
        .task(task_id)
        .unwrap_or_else(|| panic!("the emulator has no task {task_id}"));
    let (width, height) = task.size;
    let served = emulator
        .clip(width, height)
        .await
        .unwrap_or_else(|err| panic!("the served clip is not at hand: {err}"));
    let video = folder.join("video.mp4");
    let saved = std::fs::read(&video)
        .unwrap_or_else(|err| panic!("no video at {}: {err}", video.display()));
    assert_eq!(
        saved.len() as u64,
        served.len,
        "{}: the size as served",
        video.display()
    );
    assert_eq!(
        saved.get(4..8),
        Some(b"ftyp".as_slice()),
        "an MP4's ftyp box"
    );
    let served_bytes = std::fs::read(&served.path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", served.path.display()));
    assert!(
        saved == served_bytes,
        "{}: not the served bytes",
        video.display()
    );
    assert!(
        !folder.join("video.mp4.part").exists(),
        "a .part file was left"
    );
    let probe = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=codec_name,width,height"])
        .args(["-of", "json"])
        .arg(&video)
        .output()
        .unwrap_or_else(|err| panic!("cannot run ffprobe (apt-get install ffmpeg): {err}"));
    let streams: Value = serde_json::from_slice(&probe.stdout).unwrap_or(Value::Null);
    assert_eq!(
        streams["streams"][0],
        json!({ "codec_name": "h264", "width": width, "height": height }),
        "ffprobe: {}",
        String::from_utf8_lossy(&probe.stderr)
    );
    served.len
}
