//! Reads the OpenAPI 3.0 document: only the parts the generator uses, as
//! plain serde types over `serde_yaml_ng`. Anything else in the file
//! (descriptions, vendor keys we do not read) is ignored on purpose: the
//! generator carries the spec's facts into Rust, never its prose (an
//! `example` is read only for the prefix of an example ID).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// The document.
#[derive(Debug, Deserialize)]
pub struct Spec {
    /// `paths`, by path (`/works.create`).
    pub paths: BTreeMap<String, PathItem>,
    /// `components`.
    pub components: Components,
}

/// `components`.
#[derive(Debug, Default, Deserialize)]
pub struct Components {
    /// The named schemas, by key (`works-create-request`).
    #[serde(default)]
    pub schemas: BTreeMap<String, Schema>,
    /// The named answers operations share by `$ref` (`bad-request`, `not-found`).
    #[serde(default)]
    pub responses: BTreeMap<String, ResponseSpec>,
}

/// The operations of one path.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct PathItem {
    pub get: Option<Operation>,
    pub post: Option<Operation>,
    pub put: Option<Operation>,
    pub patch: Option<Operation>,
    pub delete: Option<Operation>,
}

impl PathItem {
    /// The operations with their uppercase method, in a fixed order.
    pub fn operations(&self) -> impl Iterator<Item = (&'static str, &Operation)> {
        [("GET", &self.get), ("POST", &self.post), ("PUT", &self.put), ("PATCH", &self.patch), ("DELETE", &self.delete)]
            .into_iter()
            .filter_map(|(method, op)| op.as_ref().map(|op| (method, op)))
    }
}

/// One operation.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Operation {
    #[serde(rename = "operationId")]
    pub operation_id: String,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    #[serde(rename = "requestBody")]
    pub request_body: Option<RequestBody>,
    #[serde(default)]
    pub responses: BTreeMap<String, ResponseSpec>,
    #[serde(default)]
    pub deprecated: bool,
    /// `generally-available`, `beta` or `deprecated`.
    #[serde(rename = "x-fern-availability")]
    pub availability: Option<String>,
    /// Present (`{format: sse}`) on the one streaming operation.
    #[serde(rename = "x-fern-streaming")]
    pub streaming: Option<serde_yaml_ng::Value>,
    /// `security: []` means no token.
    pub security: Option<Vec<serde_yaml_ng::Value>>,
}

/// A query (or other) parameter.
#[derive(Debug, Clone, Deserialize)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "in")]
    pub location: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub deprecated: bool,
    pub schema: Option<Schema>,
}

/// A request body.
#[derive(Debug, Clone, Deserialize)]
pub struct RequestBody {
    #[serde(default)]
    pub content: BTreeMap<String, MediaType>,
}

/// One answer of an operation, or a `$ref` to a shared one.
#[derive(Debug, Clone, Deserialize)]
pub struct ResponseSpec {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    pub content: Option<BTreeMap<String, MediaType>>,
}

/// A media type entry.
#[derive(Debug, Clone, Deserialize)]
pub struct MediaType {
    pub schema: Option<Schema>,
}

/// A schema: the subset of JSON Schema OpenAPI 3.0 uses and DevRev's spec has.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Schema {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(rename = "type")]
    pub ty: Option<String>,
    pub format: Option<String>,
    #[serde(default)]
    pub properties: BTreeMap<String, Schema>,
    #[serde(default)]
    pub required: Vec<String>,
    pub items: Option<Box<Schema>>,
    #[serde(rename = "additionalProperties")]
    pub additional_properties: Option<AdditionalProperties>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<serde_yaml_ng::Value>>,
    #[serde(rename = "allOf", default)]
    pub all_of: Vec<Schema>,
    #[serde(rename = "oneOf", default)]
    pub one_of: Vec<Schema>,
    #[serde(rename = "anyOf", default)]
    pub any_of: Vec<Schema>,
    pub discriminator: Option<Discriminator>,
    #[serde(default)]
    pub nullable: bool,
    #[serde(default)]
    pub deprecated: bool,
    /// `minLength` of a string.
    #[serde(rename = "minLength")]
    pub min_length: Option<u64>,
    /// `maxLength` of a string.
    #[serde(rename = "maxLength")]
    pub max_length: Option<u64>,
    /// `minItems` of an array.
    #[serde(rename = "minItems")]
    pub min_items: Option<u64>,
    /// `maxItems` of an array.
    #[serde(rename = "maxItems")]
    pub max_items: Option<u64>,
    /// `minimum` of a number (inclusive).
    pub minimum: Option<serde_json::Number>,
    /// `maximum` of a number (inclusive).
    pub maximum: Option<serde_json::Number>,
    /// `default`: read for the fact docs (`plan/facts.rs`).
    pub default: Option<serde_yaml_ng::Value>,
    /// `example`: read for the fact docs, which name what an example ID's prefix names (`PROD-1`: a part).
    pub example: Option<serde_yaml_ng::Value>,
}

/// `additionalProperties`: a boolean or a schema.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AdditionalProperties {
    Bool(bool),
    Schema(Box<Schema>),
}

/// `discriminator`.
#[derive(Debug, Clone, Deserialize)]
pub struct Discriminator {
    #[serde(rename = "propertyName")]
    pub property_name: String,
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
}

impl Spec {
    /// Parses a YAML (or JSON) OpenAPI document.
    pub fn parse(text: &str) -> Result<Spec, String> {
        serde_yaml_ng::from_str(text).map_err(|e| format!("parsing the spec: {e}"))
    }

    /// Reads and parses the document at `path`.
    pub fn load(path: &Path) -> Result<Spec, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        Spec::parse(&text)
    }
}

/// The schema key a local `$ref` points at: `#/components/schemas/work` -> `work`.
pub fn ref_key(reference: &str) -> Result<&str, String> {
    reference.strip_prefix("#/components/schemas/").ok_or_else(|| format!("unsupported $ref `{reference}`"))
}
