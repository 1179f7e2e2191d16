//! Inputs write requests share: list replacements and custom schema specifiers.

use serde::{Deserialize, Serialize};

/// Replaces a list field of an object with these values, as updates send it:
/// `{"set": [...]}`. An empty list clears the field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetValues {
    /// The new values; absent leaves the field as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<Vec<String>>,
}

impl SetValues {
    /// Replaces the field with `values`.
    pub fn new<I>(values: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        SetValues { set: Some(values.into_iter().map(Into::into).collect()) }
    }

    /// Empties the field.
    pub fn clear() -> Self {
        SetValues { set: Some(Vec::new()) }
    }
}

/// Which custom schemas apply to an object's custom fields. Every custom
/// field sent needs its schema named here; schemas left out stay as they are.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomSchemaSpec {
    /// The apps whose schemas apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apps: Option<Vec<String>>,
    /// Schemas to remove from the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop: Option<CustomSchemaSpecDrop>,
    /// The subtype's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype: Option<String>,
    /// Whether the tenant's own schema applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_fragment: Option<bool>,
    /// Whether DevRev checks that required custom fields are present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate_required_fields: Option<bool>,
}

impl CustomSchemaSpec {
    /// A specifier naming no schema.
    pub fn new() -> Self {
        CustomSchemaSpec::default()
    }

    setters! {
        /// Sets the apps whose schemas apply.
        list apps: String,
        /// Sets the schemas to remove.
        drop: CustomSchemaSpecDrop,
        /// Sets the subtype.
        subtype: String,
        /// Sets whether the tenant's schema applies.
        tenant_fragment: bool,
        /// Sets whether required fields are checked.
        validate_required_fields: bool,
    }
}

/// The schemas to remove from an object, in a [`CustomSchemaSpec`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomSchemaSpecDrop {
    /// Apps whose schemas are removed; they must not also be in
    /// [`CustomSchemaSpec::apps`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apps: Option<Vec<String>>,
    /// Whether the subtype is removed; then [`CustomSchemaSpec::subtype`]
    /// must be absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype: Option<bool>,
}

impl CustomSchemaSpecDrop {
    /// Removes nothing.
    pub fn new() -> Self {
        CustomSchemaSpecDrop::default()
    }

    setters! {
        /// Sets the apps whose schemas are removed.
        list apps: String,
        /// Sets whether the subtype is removed.
        subtype: bool,
    }
}
