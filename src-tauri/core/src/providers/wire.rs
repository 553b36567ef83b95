//! Small wire shapes every service shares: first frames as URLs, exact prices, loose ids.

use std::str::FromStr;

use base64::Engine;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use crate::generation::FirstFrame;

/// The first frame as the services take it: a `data:<mime>;base64,...` URL, or the link itself.
pub(crate) fn first_frame_url(frame: &FirstFrame) -> String {
    match frame {
        FirstFrame::Picture { mime, bytes } => format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
        FirstFrame::Link { url } => url.clone(),
    }
}

/// A price from JSON, exactly as written: `0.0817` stays 0.0817 (never through f64). Accepts
/// numbers and numeric strings; anything else is no price.
pub(crate) fn exact_amount(value: &serde_json::Value) -> Option<Decimal> {
    match value {
        serde_json::Value::Number(n) => Decimal::from_str(&n.to_string())
            .or_else(|_| Decimal::from_scientific(&n.to_string()))
            .ok(),
        serde_json::Value::String(s) => Decimal::from_str(s.trim()).ok(),
        _ => None,
    }
}

/// Deserializes an optional price field exactly.
pub(crate) fn de_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.as_ref().and_then(exact_amount))
}

/// An id that one endpoint writes as a string and another as a number (MiniMax `file_id`).
pub(crate) fn de_loose_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// Like [`de_loose_id`] for a required-looking field: absent, null or odd is just empty.
pub(crate) fn de_loose_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(de_loose_id(d)?.unwrap_or_default())
}

/// A count or size as a number or a numeric string (`1920`, `"1920"`, `1920.0`); anything
/// else is "not said", never an error.
pub(crate) fn loose_u64(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        }),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Deserializes an optional count or size loosely (see [`loose_u64`]).
pub(crate) fn de_loose_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.as_ref().and_then(loose_u64))
}

/// Deserializes an optional pixel size loosely.
pub(crate) fn de_loose_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(de_loose_u64(d)?.and_then(|n| u32::try_from(n).ok()))
}

/// A code as a number or a numeric string (`1002`, `"1002"`); `None` when absent or odd.
pub(crate) fn loose_i64(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Deserializes a code loosely; absent or odd reads as 0 (MiniMax's and LinkModel's "ok").
pub(crate) fn de_loose_code<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.as_ref().and_then(loose_i64).unwrap_or(0))
}

/// Deserializes an optional text field loosely: a number becomes its digits, anything else
/// that is not text is "not said".
pub(crate) fn de_loose_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    })
}

/// Real task and file ids are under 64 characters; anything much longer is not one.
pub(crate) const MAX_ID_CHARS: usize = 256;

/// Whether an id a provider gave can be kept: not blank, not too long, and nothing that could
/// read as a path (`/`, `\`, `.`, `..`), a second query parameter or a line in a log
/// (whitespace, control characters). Ids only ever go into escaped URLs and records, never
/// into a path on disk; this keeps it that way if a use changes.
pub(crate) fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= MAX_ID_CHARS
        && id != "."
        && id != ".."
        && !id.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '/' | '\\' | '?' | '#' | '&')
        })
}

/// Checks the id a provider gave a newly accepted task: present (`missing` says what the
/// answer lacked) and a plain name (`what_id` names it in the provider's words).
pub(crate) fn check_submitted_id(
    provider: crate::Provider,
    id: &str,
    answer: &super::http::Answer,
    missing: &str,
    what_id: &str,
) -> Result<(), super::error::ProviderError> {
    let what = if id.trim().is_empty() {
        missing.to_owned()
    } else if !is_plain_id(id) {
        format!("{what_id} that is not a plain name")
    } else {
        return Ok(());
    };
    Err(super::error::ProviderError::UnexpectedAnswer {
        provider,
        what,
        said: answer.said(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_picture_becomes_a_base64_data_url_and_a_link_stays_a_link() {
        let picture = FirstFrame::Picture {
            mime: "image/png".into(),
            bytes: b"\x89PNG".to_vec(),
        };
        assert_eq!(first_frame_url(&picture), "data:image/png;base64,iVBORw==");
        let link = FirstFrame::Link {
            url: "https://example.com/a.jpg".into(),
        };
        assert_eq!(first_frame_url(&link), "https://example.com/a.jpg");
    }

    #[test]
    fn prices_keep_every_digit() {
        let json: serde_json::Value =
            serde_json::from_str(r#"[0.0817, 0.49, "0.224", 1e-2, null]"#).unwrap();
        let amounts: Vec<_> = json.as_array().unwrap().iter().map(exact_amount).collect();
        assert_eq!(
            amounts,
            vec![
                Some(dec!(0.0817)),
                Some(dec!(0.49)),
                Some(dec!(0.224)),
                Some(dec!(0.01)),
                None
            ]
        );
    }

    #[test]
    fn numbers_as_strings_and_strings_as_numbers_are_accepted() {
        let json: serde_json::Value =
            serde_json::from_str(r#"[1920, "1920", 1920.0, " 7 ", "x", null, true, -1]"#).unwrap();
        let sizes: Vec<_> = json.as_array().unwrap().iter().map(loose_u64).collect();
        assert_eq!(
            sizes,
            vec![
                Some(1920),
                Some(1920),
                Some(1920),
                Some(7),
                None,
                None,
                None,
                None
            ]
        );
        let codes: Vec<_> = json.as_array().unwrap().iter().map(loose_i64).collect();
        assert_eq!(codes[1], Some(1920));
        assert_eq!(codes[7], Some(-1));
    }

    #[test]
    fn only_plain_ids_are_kept() {
        for good in [
            "106916112212032",
            "job-abc123",
            "cb6111cf-1b2c-4d5e-8f90-0123456789ab",
        ] {
            assert!(is_plain_id(good), "{good}");
        }
        let long = "9".repeat(MAX_ID_CHARS + 1);
        for bad in [
            "",
            ".",
            "..",
            "../../etc/passwd",
            "a\\b",
            "a b",
            "a\nb",
            "a&file_id=2",
            "x?y",
            long.as_str(),
        ] {
            assert!(!is_plain_id(bad), "{bad:?}");
        }
    }
}
