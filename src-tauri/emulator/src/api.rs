//! What the three API hosts share: the Bearer key check, body field checks, and task creation.

use std::sync::Arc;

use axum::http::{header, HeaderMap};
use serde_json::{Map, Value};
use tokio::time::Instant;

use crate::record::PlannedFailure;
use crate::shared::{lock, Shared};
use crate::tasks::Task;
use crate::Service;

/// The state of one service's API host.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    pub shared: Arc<Shared>,
    pub service: Service,
}

/// The outcome of the Bearer key check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    Valid,
    /// No `Authorization: Bearer …` header at all.
    Missing,
    /// A key, but not this service's (`other_region`: the other MiniMax region's key).
    Wrong {
        other_region: bool,
    },
}

impl Api {
    pub(crate) fn auth(&self, headers: &HeaderMap) -> Auth {
        let key = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|key| !key.is_empty());
        let Some(key) = key else {
            return Auth::Missing;
        };
        let keys = &self.shared.config.keys;
        if key == keys.get(self.service) {
            return Auth::Valid;
        }
        let other_region = match self.service {
            Service::MinimaxGlobal => key == keys.get(Service::MinimaxChina),
            Service::MinimaxChina => key == keys.get(Service::MinimaxGlobal),
            _ => false,
        };
        Auth::Wrong { other_region }
    }

    /// Records a new task; `planned` comes from a `TaskFails` fault.
    pub(crate) fn create_task(&self, spec: TaskSpec, planned: Option<PlannedFailure>) -> Task {
        let shared = &self.shared;
        let number = shared.next_number();
        let id = match self.service {
            Service::MinimaxGlobal | Service::MinimaxChina => {
                (106_916_112_212_032 + number * 7919).to_string()
            }
            Service::OpenRouter => format!("job-{}", shared.token()),
            Service::LinkModel => shared.uuid(),
        };
        let task = Task {
            service: self.service,
            id,
            file_id: 176_844_028_768_320 + number * 104_729,
            created: Instant::now(),
            created_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default(),
            polls: 0,
            pinned: None,
            planned_failure: planned.map(|p| p.0),
            failure: None,
            size: spec.size,
            duration: spec.duration,
            model: spec.model,
            cost: spec.cost,
            charged: false,
            generation_id: format!("gen-{}", shared.token()),
            file_url: None,
        };
        lock(&shared.tasks).insert(task.clone());
        task
    }
}

/// What a validated submit asks for.
#[derive(Debug, Clone)]
pub(crate) struct TaskSpec {
    pub size: (u32, u32),
    pub duration: u8,
    pub model: String,
    pub cost: f64,
}

/// A body field, typed as the docs say; the error is the reason in a service's words.
pub(crate) fn string_field<'a>(
    body: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, String> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(format!("{name} must be a string")),
    }
}

pub(crate) fn bool_field(body: &Map<String, Value>, name: &str) -> Result<(), String> {
    match body.get(name) {
        None | Some(Value::Null) | Some(Value::Bool(_)) => Ok(()),
        Some(_) => Err(format!("{name} must be a boolean")),
    }
}

/// `duration`: 6 (the default) or 10, as an integer.
pub(crate) fn duration_field(body: &Map<String, Value>) -> Result<u8, String> {
    match body.get("duration") {
        None | Some(Value::Null) => Ok(6),
        Some(Value::Number(n)) if n.as_u64() == Some(6) => Ok(6),
        Some(Value::Number(n)) if n.as_u64() == Some(10) => Ok(10),
        Some(other) => Err(format!("duration {other} is not supported, use 6 or 10")),
    }
}

/// The prompt's length check: 1 to 2000 characters (not bytes).
pub(crate) fn prompt_rule(prompt: Option<&str>, required: bool) -> Result<(), String> {
    match prompt.map(|p| p.chars().count()) {
        None | Some(0) if required => Err("prompt is required".into()),
        Some(chars) if chars > 2000 => Err(format!(
            "prompt is {chars} characters long, the maximum is 2000"
        )),
        _ => Ok(()),
    }
}

/// The JSON object a submit must send.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("request body must be a JSON object".into()),
        Err(_) => Err("request body is not valid JSON".into()),
    }
}
