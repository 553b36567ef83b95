//! Crash-safe file writes: a temp file beside the target, fsync, rename, fsync of the folder.

use std::io::Write;
use std::path::Path;

/// Temp files start with this (hidden on Unix), so a scan passes over what a crash left
/// behind. Partial downloads in a generation folder should use it too.
pub const TEMP_PREFIX: &str = ".writing-";

/// Replaces `path` with `contents` so that after a crash at any moment the file holds either
/// the old contents or the new, never a mix.
pub fn write_durably(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_durably_then(path, contents, || Ok(()))
}

/// `write_durably`, calling `before_rename` once the new contents are safely on disk but not
/// yet in place (tests use it to stand in for a crash at that moment).
pub(crate) fn write_durably_then(
    path: &Path,
    contents: &[u8],
    before_rename: impl FnOnce() -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "a file needs a folder")
    })?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(contents)?;
    temp.as_file().sync_all()?;
    before_rename()?;
    temp.persist(path).map_err(|err| err.error)?;
    sync_folder(dir)
}

/// Makes a rename or a new entry in `dir` itself durable. Windows has no directory handles to
/// sync; NTFS journals the rename.
pub fn sync_folder(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect()
    }

    #[test]
    fn a_write_replaces_the_file_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("generation.json");
        write_durably(&path, b"first").unwrap();
        write_durably(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn a_failure_before_the_rename_keeps_the_old_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("generation.json");
        write_durably(&path, b"old").unwrap();
        let err = write_durably_then(&path, b"new", || {
            Err(std::io::Error::other("the disk went away"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "the disk went away");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }
}
