//! Helpers on the generated [`SetTagWithValue`](crate::models::SetTagWithValue):
//! a tag to set on an object, by ID, with a value if the tag takes one.

use crate::models::SetTagWithValue;

impl SetTagWithValue {
    /// A tag with a value.
    pub fn with_value(id: impl Into<String>, value: impl Into<String>) -> Self {
        SetTagWithValue { id: id.into(), value: Some(value.into()) }
    }
}

/// A tag without a value, by ID: `.tags(["TAG-1"])`.
impl From<&str> for SetTagWithValue {
    fn from(id: &str) -> Self {
        SetTagWithValue::new(id)
    }
}

/// A tag without a value, by ID.
impl From<String> for SetTagWithValue {
    fn from(id: String) -> Self {
        SetTagWithValue::new(id)
    }
}
