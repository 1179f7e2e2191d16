//! Helpers on the generated [`DateTimeFilter`](crate::models::DateTimeFilter),
//! a range of dates and times; either end may be left open, both are inclusive.
//!
//! In a `GET` request it becomes two dotted parameters
//! (`created_date.after=...&created_date.before=...`), in a `POST` body a
//! nested object.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use devrev::models::DateTimeFilter;
//!
//! let march = DateTimeFilter::new()
//!     .after(Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap())
//!     .before(Utc.with_ymd_and_hms(2024, 3, 31, 23, 59, 59).unwrap());
//! assert!(march.before.is_some());
//! assert_eq!(DateTimeFilter::between(march.after.unwrap(), march.before.unwrap()), march);
//! ```

use crate::models::{DateTimeFilter, Timestamp};

impl DateTimeFilter {
    /// The range from `after` to `before`, both inclusive.
    pub fn between(after: impl Into<Timestamp>, before: impl Into<Timestamp>) -> Self {
        DateTimeFilter { after: Some(after.into()), before: Some(before.into()) }
    }
}
