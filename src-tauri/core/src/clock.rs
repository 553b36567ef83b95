//! The one clock of the app: "now" in the creator's own time zone, for folder names, spending
//! months and budgets alike.
//!
//! On Linux the `time` crate reads the OS offset only while the process has a single thread, so
//! the offset is remembered at start-up (`remember_local_offset`, first thing in `main`) and used
//! whenever the OS will not say later. Two clocks that disagreed (UTC for the budget month at
//! Generate, the creator's offset for the price line) counted a late-evening video in the wrong
//! month.

use std::sync::OnceLock;

use time::{OffsetDateTime, UtcOffset};

/// The creator's UTC offset, read while the process had one thread.
static LOCAL_OFFSET: OnceLock<UtcOffset> = OnceLock::new();

/// Reads and remembers the creator's UTC offset. Call first thing in `main`.
pub fn remember_local_offset() {
    if let Ok(offset) = UtcOffset::current_local_offset() {
        remember_offset(offset);
    }
}

/// Remembers `offset` as the creator's, unless one is remembered already.
pub fn remember_offset(offset: UtcOffset) {
    let _ = LOCAL_OFFSET.set(offset);
}

/// "Now" in the creator's time zone: the OS's offset when it can be read now, else the one
/// remembered at start-up, else UTC.
pub fn local_now() -> OffsetDateTime {
    OffsetDateTime::now_local().unwrap_or_else(|_| {
        let now = OffsetDateTime::now_utc();
        LOCAL_OFFSET
            .get()
            .map_or(now, |offset| now.to_offset(*offset))
    })
}

/// "Now" at the offset the webview reports (`-Date.getTimezoneOffset()` minutes), which knows
/// the creator's time zone even where the OS call gives up; `local_now` without one.
pub fn now_at_offset(offset_minutes: Option<i32>) -> OffsetDateTime {
    offset_minutes
        .and_then(|minutes| UtcOffset::from_whole_seconds(minutes.checked_mul(60)?).ok())
        .map(|offset| OffsetDateTime::now_utc().to_offset(offset))
        .unwrap_or_else(local_now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::offset;

    #[test]
    fn where_the_os_will_not_say_the_offset_now_the_one_remembered_at_start_is_used() {
        remember_offset(offset!(+8));
        // The test harness runs several threads, so on Linux the OS offset is refused here, as
        // it is in the running app: the remembered one must be used, not UTC.
        if UtcOffset::current_local_offset().is_err() {
            assert_eq!(local_now().offset(), offset!(+8));
            assert_eq!(now_at_offset(None).offset(), offset!(+8));
        }
        assert_eq!(now_at_offset(Some(-300)).offset(), offset!(-5));
    }
}
