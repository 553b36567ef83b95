//! Where the app keeps its state and the creator's library on disk.

use std::path::{Path, PathBuf};

/// Moves all of the app's state and library under one folder (tests and portable use).
pub const DATA_DIR_ENV: &str = "HAILUO_STUDIO_DATA_DIR";

/// The folders the app writes to. Built once at start-up from the OS's normal places, or from
/// `HAILUO_STUDIO_DATA_DIR` when it is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudioPaths {
    /// Settings (never keys).
    pub config_dir: PathBuf,
    /// Durable generation records, the queue, the spend ledger.
    pub state_dir: PathBuf,
    /// Log files.
    pub log_dir: PathBuf,
    /// The default library root, used until the creator picks another in Settings.
    pub default_library_dir: PathBuf,
}

/// The OS's places, as Tauri's path resolver reports them. `video_dir` is `None` on machines
/// without an XDG video folder (fresh Linux installs, CI).
#[derive(Debug, Clone)]
pub struct OsPlaces {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
    pub video_dir: Option<PathBuf>,
    pub home_dir: Option<PathBuf>,
}

impl StudioPaths {
    /// Everything under one root: `HAILUO_STUDIO_DATA_DIR`'s layout.
    pub fn under(root: &Path) -> Self {
        StudioPaths {
            config_dir: root.join("config"),
            state_dir: root.join("state"),
            log_dir: root.join("logs"),
            default_library_dir: root.join("library"),
        }
    }

    /// The OS's normal places; the library goes to Videos/Hailuo Studio, or
    /// `$HOME/Videos/Hailuo Studio` where the OS names no Videos folder.
    pub fn from_os(places: &OsPlaces) -> Self {
        let videos = places
            .video_dir
            .clone()
            .or_else(|| places.home_dir.as_ref().map(|home| home.join("Videos")))
            .unwrap_or_else(|| places.data_dir.join("videos"));
        StudioPaths {
            config_dir: places.config_dir.clone(),
            state_dir: places.data_dir.clone(),
            log_dir: places.log_dir.clone(),
            default_library_dir: videos.join("Hailuo Studio"),
        }
    }

    /// `HAILUO_STUDIO_DATA_DIR` when set and not empty, else the OS's places.
    pub fn resolve(
        env_value: Option<std::ffi::OsString>,
        places: impl FnOnce() -> OsPlaces,
    ) -> Self {
        match env_value.filter(|v| !v.is_empty()) {
            Some(root) => Self::under(Path::new(&root)),
            None => Self::from_os(&places()),
        }
    }

    /// Creates every folder, so later writes fail only for real reasons.
    pub fn create_all(&self) -> std::io::Result<()> {
        for dir in [
            &self.config_dir,
            &self.state_dir,
            &self.log_dir,
            &self.default_library_dir,
        ] {
            std::fs::create_dir_all(dir)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(video_dir: Option<&str>) -> OsPlaces {
        OsPlaces {
            config_dir: "/home/ana/.config/studio".into(),
            data_dir: "/home/ana/.local/share/studio".into(),
            log_dir: "/home/ana/.local/share/studio/logs".into(),
            video_dir: video_dir.map(PathBuf::from),
            home_dir: Some("/home/ana".into()),
        }
    }

    #[test]
    fn the_data_dir_variable_moves_everything_under_one_folder() {
        let paths = StudioPaths::resolve(Some("/tmp/portable".into()), || {
            panic!("the OS places must not be consulted")
        });
        assert_eq!(paths.config_dir, Path::new("/tmp/portable/config"));
        assert_eq!(
            paths.default_library_dir,
            Path::new("/tmp/portable/library")
        );
    }

    #[test]
    fn the_library_defaults_to_the_os_videos_folder() {
        let paths = StudioPaths::resolve(None, || places(Some("/home/ana/Vidéos")));
        assert_eq!(
            paths.default_library_dir,
            Path::new("/home/ana/Vidéos/Hailuo Studio")
        );
    }

    #[test]
    fn without_an_xdg_videos_folder_the_library_goes_to_home_videos() {
        let paths = StudioPaths::resolve(Some("".into()), || places(None));
        assert_eq!(
            paths.default_library_dir,
            Path::new("/home/ana/Videos/Hailuo Studio")
        );
    }
}
