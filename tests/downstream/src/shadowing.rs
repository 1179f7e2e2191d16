//! A module that shadows the prelude names a macro might lean on (`Result`,
//! `Option`, `String`, `Vec`, `Box`, `Clone`, `Send`, `Sync`, `Default`), as
//! user code often does with `type Result<T> = ...`. The endpoints below
//! compile only because the generated code names everything by absolute path
//! (`::core::...`, `devrev::__private::...`), never through the caller's scope.
//!
//! Nothing here is called at run time; the check is that the crate builds.

// The shadowing names are the point of this module, not mistakes.
#![allow(dead_code)]

use serde::{Deserialize, Serialize};

/// Shadows `std::result::Result`, as many crates do.
pub type Result<T> = std::result::Result<T, std::fmt::Error>;
/// Shadows `Option`.
pub struct Option;
/// Shadows `String`.
pub struct String;
/// Shadows `Vec`.
pub struct Vec;
/// Shadows `Box`.
pub struct Box;
/// Shadows the `Clone` trait (the derive macro of that name is untouched).
pub trait Clone {}
/// Shadows the `Send` trait.
pub trait Send {}
/// Shadows the `Sync` trait.
pub trait Sync {}
/// Shadows the `Default` trait.
pub trait Default {}

/// A paginated listing declared under the shadowed names, the attribute
/// written by path with no `use`.
#[devrev::devrev_endpoint(GET, "/shadow.list", paginate, error = ShadowError)]
#[derive(Debug, Clone, Serialize)]
pub struct ShadowListRequest {
    /// The cursor.
    pub cursor: std::option::Option<std::string::String>,
}

/// A page of `shadow.list`.
#[derive(Debug, Deserialize, devrev::Page)]
pub struct ShadowListResponse {
    /// The items.
    pub items: std::vec::Vec<u32>,
    /// The next cursor.
    pub next_cursor: std::option::Option<std::string::String>,
}

/// An error body under the shadowed names.
#[derive(Debug, Deserialize)]
pub struct ShadowError {
    /// The wire `type`.
    #[serde(rename = "type")]
    pub error_type: std::option::Option<std::string::String>,
}

impl devrev::ErrorBody for ShadowError {}

/// A generic POST endpoint under the shadowed names.
#[devrev::devrev_endpoint(POST, "/shadow.create", response = ShadowListResponse)]
#[derive(Debug, Serialize)]
pub struct ShadowCreate<T> {
    /// Any serializable payload.
    pub payload: T,
}
