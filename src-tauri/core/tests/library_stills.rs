//! Posters, last frames and copies of a generation's video, as the Library screen keeps them.
#![allow(clippy::unwrap_used)] // a test that fails should panic with the cause

use std::io::Cursor;

use hailuo_core::generation::{GenerationRequest, Model, Resolution};
use hailuo_core::library::{
    Generation, Library, LibraryError, Still, StillProblem, LAST_FRAME_FILE, POSTER_FILE,
    VIDEO_FILE,
};
use hailuo_core::Provider;

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::from_pixel(width, height, image::Rgb([30, 120, 200]))
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
        .unwrap();
    bytes
}

fn library_with_one() -> (tempfile::TempDir, Library, Generation) {
    let root = tempfile::tempdir().unwrap();
    let library = Library::open(root.path()).unwrap();
    let request = GenerationRequest {
        provider: Provider::MinimaxGlobal,
        model: Model::Hailuo23,
        prompt: "A paper boat on a puddle".into(),
        first_frame: None,
        duration: 6,
        resolution: Resolution::P768,
        prompt_optimizer: true,
        fast_pretreatment: false,
    };
    let estimate = hailuo_core::quote(&request).unwrap();
    let generation = library.create(&request, &estimate).unwrap();
    (root, library, generation)
}

#[test]
fn a_poster_lands_in_the_folder_and_the_next_scan_shows_it() {
    let (_root, library, generation) = library_with_one();
    assert!(!library.scan().unwrap().generations[0].has_poster);

    let picture = jpeg(1366, 768);
    let path = library
        .save_still(&generation.id, Still::Poster, &picture)
        .unwrap();
    assert_eq!(path.file_name().unwrap(), POSTER_FILE);
    assert_eq!(std::fs::read(&path).unwrap(), picture);
    assert!(library.scan().unwrap().generations[0].has_poster);
}

#[test]
fn the_last_frame_is_kept_apart_from_the_poster() {
    let (_root, library, generation) = library_with_one();
    let poster = jpeg(1366, 768);
    let last = jpeg(1366, 770);
    library
        .save_still(&generation.id, Still::Poster, &poster)
        .unwrap();
    let path = library
        .save_still(&generation.id, Still::LastFrame, &last)
        .unwrap();
    assert_eq!(path.file_name().unwrap(), LAST_FRAME_FILE);
    let folder = library.folder_of(&generation.id).unwrap();
    assert_eq!(std::fs::read(folder.join(POSTER_FILE)).unwrap(), poster);
    assert_eq!(std::fs::read(path).unwrap(), last);
}

#[test]
fn a_still_that_is_not_a_jpeg_never_reaches_the_folder() {
    let (_root, library, generation) = library_with_one();
    let err = library
        .save_still(&generation.id, Still::Poster, b"GIF89a not a jpeg")
        .unwrap_err();
    assert!(matches!(
        err,
        LibraryError::BadStill {
            still: Still::Poster,
            problem: StillProblem::NotAJpeg
        }
    ));
    assert_eq!(
        err.to_string(),
        "The poster picture could not be kept: it is not a JPEG picture."
    );
    let folder = library.folder_of(&generation.id).unwrap();
    assert!(!folder.join(POSTER_FILE).exists());
}

#[test]
fn a_still_for_a_generation_no_longer_in_the_library_is_refused() {
    let (_root, library, generation) = library_with_one();
    let folder = library.folder_of(&generation.id).unwrap();
    std::fs::remove_dir_all(folder).unwrap();
    let err = library
        .save_still(&generation.id, Still::LastFrame, &jpeg(64, 64))
        .unwrap_err();
    assert!(matches!(err, LibraryError::NotFound { .. }), "{err:?}");
}

#[test]
fn saving_a_video_elsewhere_copies_it_byte_for_byte() {
    let (_root, library, generation) = library_with_one();
    let video: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let folder = library.folder_of(&generation.id).unwrap();
    std::fs::write(folder.join(VIDEO_FILE), &video).unwrap();

    let elsewhere = tempfile::tempdir().unwrap();
    let destination = elsewhere.path().join("paper boat.mp4");
    let copied = library.copy_video_to(&generation.id, &destination).unwrap();
    assert_eq!(copied, video.len() as u64);
    assert_eq!(std::fs::read(&destination).unwrap(), video);
    // The library keeps its own copy.
    assert_eq!(std::fs::read(folder.join(VIDEO_FILE)).unwrap(), video);
    let leftovers: Vec<_> = std::fs::read_dir(elsewhere.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, [std::ffi::OsString::from("paper boat.mp4")]);
}

#[test]
fn a_generation_without_its_video_has_nothing_to_save() {
    let (_root, library, generation) = library_with_one();
    let elsewhere = tempfile::tempdir().unwrap();
    let destination = elsewhere.path().join("nothing.mp4");
    let err = library
        .copy_video_to(&generation.id, &destination)
        .unwrap_err();
    assert!(matches!(err, LibraryError::NoVideo { .. }), "{err:?}");
    assert!(!destination.exists());
}
