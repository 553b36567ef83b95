//! Reality's variants of the documented answers (`Variants`): a layer on the API hosts that
//! enforces MiniMax's per-minute limit and reshapes JSON answers (numbers as strings, extra
//! fields, an undocumented status word, `bytes: 0`, `usage.cost: null`).

use std::collections::VecDeque;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::config::Variants;
use crate::record::HostContext;
use crate::shared::lock;
use crate::Service;

/// The MiniMax window the per-minute limit counts in.
const MINUTE: Duration = Duration::from_secs(60);

/// Whether any variant reshapes answers, so the plain path stays untouched otherwise.
fn reshapes(variants: &Variants) -> bool {
    variants.minimax_zero_bytes
        || variants.openrouter_cost_null
        || variants.numbers_as_strings
        || variants.unknown_status_word.is_some()
        || variants.extra_fields
}

pub(crate) async fn layer(
    State(host): State<HostContext>,
    request: Request,
    next: Next,
) -> Response {
    let Some(service) = host.service else {
        return next.run(request).await;
    };
    let variants = &host.shared.config.variants;
    if let (Some(limit), true) = (variants.minimax_requests_per_minute, is_minimax(service)) {
        let now = Instant::now();
        let mut sent = lock(&host.shared.minimax_minute);
        let times = sent.entry(service).or_insert_with(VecDeque::new);
        while times.front().is_some_and(|t| *t + MINUTE <= now) {
            times.pop_front();
        }
        if times.len() >= limit as usize {
            drop(sent);
            return axum::Json(json!({
                "base_resp": {"status_code": 1002, "status_msg": "rate limit exceeded(RPM)"}
            }))
            .into_response();
        }
        times.push_back(now);
    }
    let answer = next.run(request).await;
    if !reshapes(variants) {
        return answer;
    }
    let is_json = answer
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return answer;
    }
    let (mut parts, body) = answer.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return parts.status.into_response();
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    reshape(service, variants, &mut value);
    let text = value.to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(text))
}

fn is_minimax(service: Service) -> bool {
    matches!(service, Service::MinimaxGlobal | Service::MinimaxChina)
}

/// Applies the answer variants to one JSON answer of `service`.
pub(crate) fn reshape(service: Service, variants: &Variants, value: &mut Value) {
    if variants.minimax_zero_bytes && is_minimax(service) {
        if let Some(file) = value.get_mut("file").and_then(Value::as_object_mut) {
            file.insert("bytes".into(), json!(0));
            file.insert("filename".into(), json!("output.mp4"));
        }
    }
    if variants.openrouter_cost_null && service == Service::OpenRouter {
        if let Some(usage) = value.get_mut("usage").and_then(Value::as_object_mut) {
            usage.insert("cost".into(), Value::Null);
            usage.insert("is_byok".into(), json!(true));
        }
    }
    if let Some(word) = &variants.unknown_status_word {
        rename_working_status(value, word);
    }
    if variants.extra_fields {
        add_extra_fields(value);
    }
    if variants.numbers_as_strings {
        numbers_to_strings(value);
    }
}

/// A status meaning "being made" becomes `word`, keeping the service's capitalisation style.
fn rename_working_status(value: &mut Value, word: &str) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(status)) = map.get_mut("status") {
                if matches!(status.as_str(), "Processing" | "processing" | "in_progress") {
                    *status = word.to_owned();
                }
            }
            map.values_mut()
                .for_each(|v| rename_working_status(v, word));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| rename_working_status(v, word)),
        _ => {}
    }
}

fn add_extra_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(add_extra_fields);
            map.insert(
                "x_undocumented".into(),
                json!({"trace": "emulator", "flags": [1, "two", null], "nested": {"deep": true}}),
            );
            map.insert("server_time_ms".into(), json!(1_764_652_800_000_u64));
        }
        Value::Array(items) => items.iter_mut().for_each(add_extra_fields),
        _ => {}
    }
}

fn numbers_to_strings(value: &mut Value) {
    match value {
        Value::Number(n) => *value = Value::String(n.to_string()),
        Value::Object(map) => map.values_mut().for_each(numbers_to_strings),
        Value::Array(items) => items.iter_mut().for_each(numbers_to_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_strings_everywhere() {
        let mut value = json!({"file": {"file_id": 17, "bytes": 5}, "list": [0.49, "x"]});
        numbers_to_strings(&mut value);
        assert_eq!(
            value,
            json!({"file": {"file_id": "17", "bytes": "5"}, "list": ["0.49", "x"]})
        );
    }
}
