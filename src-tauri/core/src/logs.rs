//! The app's log: daily files in the log folder that a supporter can read, never holding a key.
//!
//! Every line goes through [`redact`] on its way to the file, so even a provider that echoes a
//! request back in an error (its `Authorization` header, a first frame sent as a data URL)
//! cannot put a secret or a picture in the log.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// Log files are named `hailuo-studio.YYYY-MM-DD.log`.
pub const LOG_FILE_PREFIX: &str = "hailuo-studio";
pub const LOG_FILE_SUFFIX: &str = "log";
/// A week of daily files; older ones are deleted as new days start.
pub const LOG_FILES_KEPT: usize = 7;

/// Why the log could not be started. The app still runs without one.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("The log folder “{}” could not be made: {source}", path.display())]
    Folder {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("The log file could not be opened: {0}")]
    File(#[from] tracing_appender::rolling::InitError),
    #[error("A log was already started in this run.")]
    AlreadyStarted,
}

/// What is written: the app's own events from `info` up, other crates' warnings and errors
/// (their debug output could show URLs with signatures).
fn what_to_keep() -> Targets {
    Targets::new()
        .with_default(LevelFilter::WARN)
        .with_target("hailuo_core", LevelFilter::INFO)
        .with_target("hailuo_studio", LevelFilter::INFO)
}

/// Starts the process-wide log: daily files in `log_dir` (a week kept), plus stderr when
/// `also_stderr` (debug builds). Lines are written as they happen (a few per request), so a
/// crash or a quick exit loses none. Once per process: later calls answer `AlreadyStarted`.
pub fn start(log_dir: &Path, also_stderr: bool) -> Result<(), LogError> {
    std::fs::create_dir_all(log_dir).map_err(|source| LogError::Folder {
        path: log_dir.to_owned(),
        source,
    })?;
    let files = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .filename_suffix(LOG_FILE_SUFFIX)
        .max_log_files(LOG_FILES_KEPT)
        .build(log_dir)?;
    let file_layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(Redacting(files))
        .with_filter(what_to_keep());
    let stderr_layer = also_stderr.then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(Redacting(io::stderr))
            .with_filter(what_to_keep())
    });
    tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .map_err(|_| LogError::AlreadyStarted)?;
    // The last exchanges with each service go beside the log (`field_record`).
    crate::field_record::start(log_dir);
    Ok(())
}

/// The files in `dir` whose names start with `prefix` and end with `suffix`, unsorted.
pub(crate) fn files_named(dir: &Path, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with(prefix) && name.ends_with(suffix))
        })
        .collect()
}

/// The last `count` lines of the log, oldest first, across the newest files.
pub fn recent_lines(log_dir: &Path, count: usize) -> Vec<String> {
    let mut files = files_named(log_dir, LOG_FILE_PREFIX, LOG_FILE_SUFFIX);
    // The date in the name sorts the days.
    files.sort();
    let mut lines: Vec<String> = Vec::new();
    for file in files.iter().rev() {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let mut older: Vec<String> = text.lines().map(redact).collect();
        older.append(&mut lines);
        lines = older;
        if lines.len() >= count {
            break;
        }
    }
    let skip = lines.len().saturating_sub(count);
    lines.split_off(skip)
}

/// A writer that hides bearer tokens and data URLs in everything written through it.
#[derive(Clone)]
struct Redacting<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

struct RedactingWriter<W>(W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // The formatter writes one whole event per call, so a secret is never split.
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// `text` with every `Bearer <token>` made `Bearer [hidden]` and every data URL replaced by
/// its kind and length.
pub fn redact(text: &str) -> String {
    hide_data_urls(&hide_bearer_tokens(text))
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~+/=".contains(c)
}

fn hide_bearer_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find_ignoring_case(rest, "bearer ") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let (word, after) = from.split_at("bearer ".len());
        out.push_str(word);
        let token_len = after
            .find(|c: char| !is_token_char(c))
            .unwrap_or(after.len());
        if token_len > 0 {
            out.push_str("[hidden]");
        }
        rest = &after[token_len..];
    }
    out.push_str(rest);
    out
}

fn hide_data_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find_ignoring_case(rest, "data:") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        // `data:image/png;base64,` — the header up to the comma stays, the payload goes.
        let header_len = from
            .char_indices()
            .take(80)
            .find(|&(_, c)| c == ',' || c.is_whitespace() || c == '"')
            .filter(|&(_, c)| c == ',')
            .map(|(i, _)| i + 1);
        let Some(header_len) = header_len else {
            out.push_str("data:");
            rest = &from["data:".len()..];
            continue;
        };
        let (header, after) = from.split_at(header_len);
        let payload_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || "+/=%-_".contains(c)))
            .unwrap_or(after.len());
        // Even the `data:` prefix goes, so a search of the log for one finds nothing.
        let kind = header["data:".len()..header.len() - 1]
            .split(';')
            .next()
            .unwrap_or_default();
        out.push_str(&format!(
            "[{kind} data URL, {payload_len} characters, hidden]"
        ));
        rest = &after[payload_len..];
    }
    out.push_str(rest);
    out
}

fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bearer_token_is_hidden_whatever_its_case() {
        let line =
            r#"said: {"headers":{"authorization":"Bearer sk-or-v1-abc.DEF_123"}} and bearer xyz"#;
        let shown = redact(line);
        assert!(!shown.contains("sk-or-v1-abc"), "{shown}");
        assert!(!shown.contains("xyz"), "{shown}");
        assert!(shown.contains("Bearer [hidden]"), "{shown}");
        assert!(shown.contains("bearer [hidden]"), "{shown}");
    }

    #[test]
    fn a_data_url_keeps_its_kind_and_loses_its_picture() {
        let line = r#"{"first_frame_image":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUg=="}"#;
        let shown = redact(line);
        assert_eq!(
            shown,
            r#"{"first_frame_image":"[image/png data URL, 24 characters, hidden]"}"#
        );
    }

    #[test]
    fn plain_text_is_left_alone() {
        let line = "provider request provider=OpenRouter endpoint=/api/v1/videos/job-1 status=200 metadata: ok";
        assert_eq!(redact(line), line);
    }

    #[test]
    fn recent_lines_span_days_and_keep_the_newest() {
        let dir = tempfile::tempdir().unwrap_or_else(|err| panic!("{err}"));
        let day = |name: &str, lines: &[&str]| {
            std::fs::write(dir.path().join(name), lines.join("\n") + "\n")
                .unwrap_or_else(|err| panic!("{err}"));
        };
        day("hailuo-studio.2026-11-20.log", &["a", "b", "c"]);
        day("hailuo-studio.2026-11-21.log", &["d", "e"]);
        day("unrelated.txt", &["z"]);
        assert_eq!(recent_lines(dir.path(), 3), ["c", "d", "e"]);
        assert_eq!(recent_lines(dir.path(), 10), ["a", "b", "c", "d", "e"]);
    }
}
