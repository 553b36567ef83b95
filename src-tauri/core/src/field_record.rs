//! The field record: the last 50 exchanges with each service, redacted, in the log folder.
//!
//! One JSON-lines file per service (`exchanges-<service>.jsonl`), rewritten to its last
//! [`KEPT_PER_SERVICE`] lines by one writer thread, so the async workers only hand a record
//! over a channel. Nothing in it can carry a key or a picture: the `Authorization` header is
//! dropped, the key and every data URL are removed from paths and bodies, long strings are cut.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::logs;

/// How many exchanges are kept per service.
pub const KEPT_PER_SERVICE: usize = 50;

/// A string in a body longer than this is cut (an answer excerpt is enough to diagnose).
pub const MAX_STRING_CHARS: usize = 500;

/// The most of a body kept when it is not JSON (an HTML error page, say).
pub const MAX_TEXT_CHARS: usize = 2000;

/// The file prefix of the per-service record files.
pub const FILE_PREFIX: &str = "exchanges-";

/// One request and its answer, as kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    /// When it was sent, as an HTTP date (UTC).
    pub at: String,
    pub service: String,
    pub method: String,
    /// Path and query, redacted.
    pub path: String,
    /// `None` when no answer came (the error says why).
    pub status: Option<u16>,
    pub elapsed_ms: u64,
    pub request_headers: BTreeMap<String, String>,
    pub request_body: Option<String>,
    pub response_headers: BTreeMap<String, String>,
    pub response_body: Option<String>,
    pub error: Option<String>,
}

/// Where records go in this process, once [`start`] ran.
static WRITER: OnceLock<Mutex<Sender<Exchange>>> = OnceLock::new();

/// Starts the writer thread for `log_dir`. Later calls are ignored (one log folder a process).
pub fn start(log_dir: &Path) {
    let dir = log_dir.to_owned();
    WRITER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Exchange>();
        let spawned = std::thread::Builder::new()
            .name("field-record".into())
            .spawn(move || {
                let mut kept: HashMap<String, Vec<String>> = HashMap::new();
                for exchange in rx {
                    write(&dir, &mut kept, &exchange);
                }
            });
        if let Err(err) = spawned {
            tracing::warn!("the field record could not start: {err}");
        }
        Mutex::new(tx)
    });
}

/// Whether records are being kept (the app started the writer).
pub fn is_on() -> bool {
    WRITER.get().is_some()
}

/// Hands a record to the writer; without one (tests, or no log folder) it is dropped.
pub fn keep(exchange: Exchange) {
    if let Some(tx) = WRITER.get() {
        let tx = tx.lock().unwrap_or_else(|p| p.into_inner());
        let _ = tx.send(exchange);
    }
}

fn file_of(dir: &Path, service: &str) -> PathBuf {
    let safe: String = service
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    dir.join(format!("{FILE_PREFIX}{safe}.jsonl"))
}

/// Appends one record to its service's file, keeping the last [`KEPT_PER_SERVICE`].
fn write(dir: &Path, kept: &mut HashMap<String, Vec<String>>, exchange: &Exchange) {
    let path = file_of(dir, &exchange.service);
    let lines = kept
        .entry(exchange.service.clone())
        .or_insert_with(|| read_lines(&path));
    let Ok(line) = serde_json::to_string(exchange) else {
        return;
    };
    lines.push(line);
    let excess = lines.len().saturating_sub(KEPT_PER_SERVICE);
    lines.drain(..excess);
    let mut text = lines.join("\n");
    text.push('\n');
    let partial = path.with_extension("jsonl.part");
    // The log folder exists (the log made it); one that went away is not made again.
    let written = std::fs::write(&partial, text).and_then(|()| std::fs::rename(&partial, &path));
    if let Err(err) = written {
        tracing::warn!("the field record could not be written: {err}");
    }
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|text| {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Writes `exchange` straight away (for tests and tools; the app goes through [`keep`]).
pub fn write_now(log_dir: &Path, exchange: &Exchange) {
    write(log_dir, &mut HashMap::new(), exchange);
}

/// The last `count` records of each service found in `log_dir`, oldest first, per service.
pub fn recent(log_dir: &Path, count: usize) -> Vec<(String, Vec<String>)> {
    let mut files = crate::logs::files_named(log_dir, FILE_PREFIX, ".jsonl");
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let service = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .trim_start_matches(FILE_PREFIX)
                .to_owned();
            let mut lines = read_lines(&path);
            let skip = lines.len().saturating_sub(count);
            (service, lines.split_off(skip))
        })
        .collect()
}

/// Whether a header may be kept: nothing that authenticates.
fn header_is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "authorization"
        || name == "proxy-authorization"
        || name.contains("cookie")
        || name.contains("key")
        || name.contains("token")
}

/// Headers as kept: secret ones dropped, values redacted.
pub fn headers(map: &reqwest::header::HeaderMap, key: Option<&str>) -> BTreeMap<String, String> {
    map.iter()
        .filter(|(name, _)| !header_is_secret(name.as_str()))
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes());
            (name.as_str().to_owned(), redact_text(&value, key))
        })
        .collect()
}

/// A field name that holds a secret whatever its value.
fn field_is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization" | "api_key" | "apikey" | "key" | "token" | "secret" | "password"
    )
}

/// Something shaped like an API key (`sk-…`, a `Bearer` value).
fn looks_like_key(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("sk-") && t.len() >= 12 && !t.contains(' '))
        || t.to_ascii_lowercase().starts_with("bearer ")
}

/// A body as kept: JSON with secret fields, keys and data URLs removed and long strings cut;
/// anything else redacted as text and cut at [`MAX_TEXT_CHARS`].
pub fn redact_body(body: &str) -> String {
    redact_body_with_key(body, None)
}

/// [`redact_body`], also removing every occurrence of `key`.
pub fn redact_body_with_key(body: &str, key: Option<&str>) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(mut value) if value.is_object() || value.is_array() => {
            redact_value(&mut value, None, key);
            value.to_string()
        }
        _ => cut(&redact_text(body, key), MAX_TEXT_CHARS),
    }
}

fn redact_value(value: &mut Value, field: Option<&str>, key: Option<&str>) {
    match value {
        Value::String(s) => {
            *s = if field.is_some_and(field_is_secret) || looks_like_key(s) {
                "[removed]".to_owned()
            } else {
                cut(&redact_text(s, key), MAX_STRING_CHARS)
            };
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, field, key)),
        Value::Object(map) => map
            .iter_mut()
            .for_each(|(name, v)| redact_value(v, Some(name), key)),
        _ => {}
    }
}

/// Text with the key, bearer tokens and data URLs removed.
pub fn redact_text(text: &str, key: Option<&str>) -> String {
    let text = match key.filter(|k| k.len() >= 4) {
        Some(key) => text.replace(key, "[your key]"),
        None => text.to_owned(),
    };
    logs::redact(&text)
}

fn cut(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((at, _)) => format!(
            "{}…[{} more characters cut]",
            &text[..at],
            text.chars().count() - limit
        ),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "emulator-secret-key-0123456789";

    fn exchange(n: usize, service: &str) -> Exchange {
        let mut request_headers = BTreeMap::new();
        request_headers.insert("content-type".into(), "application/json".into());
        Exchange {
            at: "2026-12-02T05:00:00Z".into(),
            service: service.into(),
            method: "POST".into(),
            path: format!("/v1/video_generation?n={n}"),
            status: Some(200),
            elapsed_ms: 12,
            request_headers,
            request_body: Some(redact_body_with_key(
                &format!(
                    r#"{{"prompt":"a cat {n}","first_frame_image":"data:image/png;base64,{}","note":"{KEY}"}}"#,
                    "iVBORw0KGgo".repeat(50)
                ),
                Some(KEY),
            )),
            response_headers: BTreeMap::new(),
            response_body: Some(redact_body(
                r#"{"task_id":"1","extra":"sk-cp-abcdefghijklmnop"}"#,
            )),
            error: None,
        }
    }

    #[test]
    fn the_field_record_never_holds_a_key_or_a_data_url() {
        let mut map = reqwest::header::HeaderMap::new();
        map.insert("authorization", format!("Bearer {KEY}").parse().unwrap());
        map.insert("x-api-key", KEY.parse().unwrap());
        map.insert("content-type", "application/json".parse().unwrap());
        let kept = headers(&map, Some(KEY));
        assert_eq!(kept.len(), 1, "{kept:?}");

        let dir = tempfile::tempdir().unwrap();
        write_now(dir.path(), &exchange(1, "minimax-china"));
        let text =
            std::fs::read_to_string(dir.path().join("exchanges-minimax-china.jsonl")).unwrap();
        assert!(!text.contains(KEY), "{text}");
        assert!(!text.contains("sk-cp-abcdefghijklmnop"), "{text}");
        assert!(!text.contains("data:"), "{text}");
        assert!(!text.contains("iVBORw0KGgo"), "{text}");
        assert!(text.contains("a cat 1"), "the rest stays readable: {text}");
    }

    #[test]
    fn the_field_record_keeps_the_last_fifty_exchanges_per_service() {
        let dir = tempfile::tempdir().unwrap();
        let mut kept = HashMap::new();
        for n in 0..60 {
            write(dir.path(), &mut kept, &exchange(n, "openrouter"));
        }
        write(dir.path(), &mut kept, &exchange(0, "linkmodel"));
        let recent = recent(dir.path(), 100);
        let services: Vec<&str> = recent.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(services, ["linkmodel", "openrouter"]);
        let openrouter = &recent[1].1;
        assert_eq!(openrouter.len(), KEPT_PER_SERVICE);
        assert!(openrouter[0].contains("n=10"), "{}", openrouter[0]);
        assert!(openrouter[49].contains("n=59"));
    }

    #[test]
    fn long_strings_are_cut_and_odd_bodies_kept_as_text() {
        let long = format!(r#"{{"msg":"{}"}}"#, "x".repeat(2000));
        let kept = redact_body(&long);
        assert!(kept.len() < 700, "{}", kept.len());
        assert!(kept.contains("more characters cut"));
        let page = format!("<html>{}</html>", "y".repeat(5000));
        assert!(redact_body(&page).chars().count() < MAX_TEXT_CHARS + 50);
    }
}
