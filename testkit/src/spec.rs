//! DevRev's operations and schemas, as the generator wrote them
//! (`src/spec/devrev-api.json`, from DevRev's OpenAPI spec: facts only, JSON
//! Schema draft 7, see `codegen/src/tables.rs`), parsed once per process.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Map, Value};

/// The description's text, embedded in the binary.
pub(crate) const TEXT: &str = include_str!("spec/devrev-api.json");

/// One operation.
#[derive(Debug, Deserialize)]
pub(crate) struct Operation {
    /// `GET` or `POST`.
    pub(crate) method: String,
    /// `/works.create`.
    pub(crate) path: String,
    /// The success status: 200, 201 or 204.
    pub(crate) status: u16,
    /// An early-access operation (`X-Devrev-Scope: beta`).
    #[serde(default)]
    #[allow(dead_code)] // read by tests and the summary
    pub(crate) beta: bool,
    /// Answers with server-sent events.
    #[serde(default)]
    pub(crate) streaming: bool,
    /// Whether the operation needs a token (all but `keyrings.authorize`).
    #[serde(default = "yes")]
    pub(crate) auth: bool,
    /// The request's schema: the JSON body, or for a `GET` its query parameters.
    pub(crate) request: Value,
    /// The answer's schema; `None` for a 204.
    #[serde(default)]
    pub(crate) response: Option<Value>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
struct File {
    operations: Vec<Operation>,
    definitions: Map<String, Value>,
}

/// The whole description.
#[derive(Debug)]
pub(crate) struct Api {
    /// Every operation, in the file's order (by path, then method).
    pub(crate) operations: Vec<Operation>,
    /// The named schemas.
    pub(crate) definitions: Map<String, Value>,
    /// The whole file, as the validator's registry resource.
    pub(crate) document: Value,
    by_route: HashMap<(String, String), usize>,
}

impl Api {
    fn load() -> Api {
        // The file is generated and checked in; a test keeps it parseable.
        let document: Value = serde_json::from_str(TEXT).unwrap_or_else(|e| panic!("devrev-api.json: {e}"));
        let file: File = serde_json::from_value(document.clone()).unwrap_or_else(|e| panic!("devrev-api.json: {e}"));
        let by_route =
            file.operations.iter().enumerate().map(|(i, op)| ((op.method.clone(), op.path.clone()), i)).collect();
        Api { operations: file.operations, definitions: file.definitions, document, by_route }
    }

    /// The operation served at `method` and `path`, with its index.
    pub(crate) fn find(&self, method: &str, path: &str) -> Option<(usize, &Operation)> {
        let i = *self.by_route.get(&(method.to_owned(), path.to_owned()))?;
        Some((i, &self.operations[i]))
    }

    /// `schema` with `$ref`s followed to a definition that is not one.
    pub(crate) fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..16 {
            match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/definitions/")) {
                Some(key) => match self.definitions.get(key) {
                    Some(target) => schema = target,
                    None => return schema,
                },
                None => return schema,
            }
        }
        schema
    }

    /// The schema of property `name` of an object schema, through `$ref`s and `allOf`s.
    pub(crate) fn property<'a>(&'a self, schema: &'a Value, name: &str) -> Option<&'a Value> {
        let schema = self.resolve(schema);
        if let Some(p) = schema.get("properties").and_then(|p| p.get(name)) {
            return Some(p);
        }
        schema.get("allOf")?.as_array()?.iter().filter(|m| m.get("if").is_none()).find_map(|m| self.property(m, name))
    }

    /// The `type` of a schema (the first that is not `null`), through `$ref`s.
    pub(crate) fn type_of<'a>(&'a self, schema: &'a Value) -> Option<&'a str> {
        let schema = self.resolve(schema);
        match schema.get("type")? {
            Value::String(t) => Some(t),
            Value::Array(types) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
            _ => None,
        }
    }
}

/// The description, parsed on first use.
pub(crate) static API: LazyLock<Api> = LazyLock::new(Api::load);

/// How many operations the server answers.
pub fn operation_count() -> usize {
    API.operations.len()
}
