//! The inputs list requests share: date ranges and the paging direction.

use serde::{Deserialize, Serialize};

use super::Timestamp;

/// A range of dates and times; either end may be left open. Both ends are
/// inclusive.
///
/// In a `GET` request it becomes two dotted parameters
/// (`created_date.after=...&created_date.before=...`), in a `POST` body a
/// nested object.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use devrev::models::DateTimeFilter;
///
/// let march = DateTimeFilter::new()
///     .after(Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap())
///     .before(Utc.with_ymd_and_hms(2024, 3, 31, 23, 59, 59).unwrap());
/// assert!(march.before.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DateTimeFilter {
    /// Only objects at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Timestamp>,
    /// Only objects at or before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Timestamp>,
}

impl DateTimeFilter {
    /// An open range: no bound on either end.
    pub fn new() -> Self {
        DateTimeFilter::default()
    }

    /// The range from `after` to `before`, both inclusive.
    pub fn between(after: impl Into<Timestamp>, before: impl Into<Timestamp>) -> Self {
        DateTimeFilter { after: Some(after.into()), before: Some(before.into()) }
    }

    setters! {
        /// Sets the lower bound.
        after: Timestamp,
        /// Sets the upper bound.
        before: Timestamp,
    }
}

string_enum! {
    /// Which way a listing pages from its cursor. DevRev assumes `after`
    /// when none is given.
    pub enum ListMode {
        /// `after`: the entries after the cursor (from the start without one).
        After = "after",
        /// `before`: the entries before the cursor (from the end without one).
        Before = "before",
    }
}
