//! Decides everything about the output before a line of it is written: the
//! operations of each family and how each becomes a request struct, the Rust
//! type of every schema (named from the schema key, or from where an inline
//! schema sits), which types each family needs, which derives each type gets,
//! where recursion needs a `Box`, and which file each type lives in. The
//! writers (`crate::write`) only print what this module decided.
//!
//! By concern: [`names`] (every name, each rule once), [`types`] (the Rust
//! type of every schema), [`families`] (operations into endpoints),
//! [`features`] (closures, directions, homes, pagination).

use std::collections::{BTreeMap, BTreeSet};

use crate::spec::{PathItem, ResponseSpec, Schema, Spec};

use families::{body_key, endpoint_for, endpoint_for_twin, read_op};
use features::finish;
use types::Planner;

pub mod facts;
pub mod families;
pub mod features;
pub mod names;
pub mod types;

pub use families::*;
pub use features::*;
pub use names::*;
pub use types::*;

/// A Rust type, as the plan sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    String,
    Bool,
    I32,
    I64,
    F32,
    F64,
    /// `date-time`: `chrono::DateTime<Utc>`.
    DateTime,
    /// `date`: `chrono::NaiveDate`.
    Date,
    /// Any JSON value.
    Json,
    /// An object with no declared properties: a JSON map.
    JsonMap,
    /// `additionalProperties` with a schema: a map to that type.
    Map(Box<Ty>),
    Vec(Box<Ty>),
    /// A planned type, by key.
    Named(String),
    /// A string that holds a secret ([`is_secret`]): `devrev::Secret`,
    /// `Secret(<redacted>)` in `Debug`, the plain string on the wire.
    Secret,
}

impl Ty {
    /// The planned types this type refers to, and whether each is held
    /// inline (not behind a `Vec` or a map, so recursion through it needs a box).
    fn refs(&self, inline: bool, out: &mut Vec<(String, bool)>) {
        match self {
            Ty::Named(key) => out.push((key.clone(), inline)),
            Ty::Vec(inner) | Ty::Map(inner) => inner.refs(false, out),
            _ => {}
        }
    }
}

/// A field of a struct.
#[derive(Debug, Clone)]
pub struct Field {
    /// The name on the wire.
    pub wire: String,
    /// The Rust name (a raw identifier for keywords).
    pub ident: String,
    pub ty: Ty,
    pub required: bool,
    pub deprecated: bool,
    /// `#[serde(flatten)]`: the tagged part of a union with shared fields.
    pub flatten: bool,
    /// Held in a `Box`, because the type contains itself through it.
    pub boxed: bool,
    /// Optional and `nullable`: `Option<Option<T>>`, so a request can send an
    /// explicit `null` (DevRev's way to clear a field in an update).
    pub nullable: bool,
    /// A list sent one query parameter per value ([`REPEATED_QUERY_FIELDS`]):
    /// `Repeated<T>` instead of `Vec<T>`.
    pub repeated: bool,
    /// What the spec states beside the type (format, bounds, default), for the docs.
    pub facts: facts::Facts,
}

/// One variant of a tagged union.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The tag value on the wire.
    pub wire: String,
    pub name: String,
    pub ty: Ty,
    pub boxed: bool,
}

/// What a planned type is.
#[derive(Debug, Clone)]
pub enum Kind {
    Struct(Vec<Field>),
    /// An open string enum: (variant name, wire value).
    Enum(Vec<(String, String)>),
    /// A union tagged on `tag`.
    Union {
        tag: String,
        variants: Vec<Variant>,
    },
    Alias(Ty),
}

/// Where a type's source lives: by family, never by the words of its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Home {
    /// A request or answer of one family that no other type refers to:
    /// beside the requests, in the family's module
    /// (`src/generated/<family>/mod.rs`, `devrev::<family>::X`).
    Family(String),
    /// A model only this family uses: `src/generated/<family>/models.rs`,
    /// compiled with the family's folder (`devrev::models::X`).
    FamilyModels(String),
    /// A model several families use: `src/generated/shared/<module>.rs`,
    /// one module per set of families ([`shared_module_names`]), gated once
    /// by `any(...)` of them (`devrev::models::X`).
    Shared(String),
}

impl Home {
    /// Whether the type is a model (`devrev::models::X`), not a family's own item.
    pub fn is_model(&self) -> bool {
        !matches!(self, Home::Family(_))
    }
}

/// A planned type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// The schema key, or for an inline schema the key it was named from.
    pub key: String,
    pub name: String,
    pub kind: Kind,
    pub deprecated: bool,
    /// Sent in some request: derives `Serialize` and gets `new` and setters.
    pub ser: bool,
    /// Read from some answer: derives `Deserialize`.
    pub de: bool,
    /// The families that need it (their features gate it).
    pub families: BTreeSet<String>,
    pub home: Home,
    /// Derives `devrev::Page`, with `#[page(items)]` on this field when set.
    pub page: Option<Option<String>>,
    /// Not a schema of the spec: the empty answer of an operation without a body.
    pub synthetic: bool,
}

/// An operation of the spec, as the plan needs it.
#[derive(Debug, Clone)]
pub struct Op {
    pub path: String,
    pub method: String,
    pub family: String,
    pub operation_id: String,
    /// The operation's slug on DevRev's reference site.
    pub slug: String,
    pub request: Option<String>,
    /// Query parameters.
    pub query: Vec<QueryParam>,
    pub response: Option<String>,
    pub status: u16,
    pub beta: bool,
    pub deprecated: bool,
    pub streaming: bool,
    pub no_auth: bool,
    pub idempotent: bool,
    pub paginate: bool,
}

/// A query parameter of a `GET`.
#[derive(Debug, Clone)]
pub struct QueryParam {
    pub name: String,
    pub required: bool,
    pub deprecated: bool,
    pub schema: Schema,
}

/// How an operation (or a `GET`/`POST` pair) becomes Rust.
#[derive(Debug, Clone)]
pub enum Endpoint {
    /// One request struct: the request schema's type, with the attribute.
    Single { op: Op, request: String, response: String },
    /// A read served as `GET` and `POST` with the same fields: `get_and_post!`.
    Twin { get: Op, post: Op, request: String, response: String },
    /// Not generated, with the reason.
    Skipped { op: Op, reason: String },
}

/// A family: its operations, as endpoints.
#[derive(Debug, Clone, Default)]
pub struct Family {
    pub name: String,
    pub endpoints: Vec<Endpoint>,
}

/// The whole plan.
#[derive(Debug, Default)]
pub struct Plan {
    pub families: BTreeMap<String, Family>,
    pub types: BTreeMap<String, TypeDef>,
    /// Families with a hand-written companion file, `src/extras/<module>.rs`,
    /// whose items the generated family module re-exports (what the spec
    /// cannot say: helpers such as `by_id`, a webhook verifier). Filled by
    /// [`crate::run`] from the files present.
    pub companions: BTreeSet<String>,
    /// Models with a hand-written companion file,
    /// `src/models/<module of the schema key>.rs` (helpers on the
    /// generated type, such as `UserSummary::id`), which the generated model
    /// file declares as a module under the model's own `cfg`. Filled by
    /// [`crate::run`] from the files present; by schema key.
    pub model_companions: BTreeSet<String>,
    /// Whom the code is for: the `devrev` crate itself, or a user's crate.
    pub target: Target,
    /// Which operations answer with each type, by key, for its doc (`facts::returns`).
    pub returns: BTreeMap<String, facts::Returns>,
    /// The spec's own schemas and operations, as read.
    pub source: Source,
}

/// The spec's facts as the document states them, kept in the plan for the
/// writers that print the spec rather than Rust types: the server table
/// (written from the spec, not from the client's types, so that a mistake
/// shared by a model and the generator cannot hide from the server), sample
/// answers for the wire tests, the conformance tests' JSON pointers and the
/// webhook event payloads. No writer reads [`Spec`] itself.
#[derive(Debug, Default, Clone)]
pub struct Source {
    /// `components.schemas`, by key.
    pub schemas: BTreeMap<String, Schema>,
    /// `components.responses`, by key.
    pub responses: BTreeMap<String, ResponseSpec>,
    /// `paths`, by path.
    pub paths: BTreeMap<String, PathItem>,
}

/// Whom the generated code is for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Target {
    /// The `devrev` crate itself: `src/generated/`, one feature per family,
    /// paths through `crate::`.
    #[default]
    Devrev,
    /// A user's crate: the chosen families and the models they need, in one
    /// directory, without features, naming `devrev` through `root` (`::devrev`,
    /// or the path of a renamed dependency, which also goes into each
    /// attribute as `crate = ...`).
    User {
        root: String,
        families: BTreeSet<String>,
        /// The command that regenerates the files, for their first line.
        command: String,
    },
}

/// Plans the whole spec.
pub fn plan(spec: &Spec) -> Result<Plan, String> {
    let mut request_uses: BTreeMap<String, usize> = BTreeMap::new();
    for item in spec.paths.values() {
        let bodies: BTreeSet<String> = item
            .operations()
            .filter_map(|(_, op)| {
                body_key(
                    op.request_body
                        .as_ref()
                        .and_then(|b| b.content.get("application/json"))
                        .and_then(|m| m.schema.as_ref()),
                )
                .ok()
                .flatten()
            })
            .collect();
        for key in bodies {
            *request_uses.entry(key).or_default() += 1;
        }
    }
    let mut planner = Planner { spec, request_uses, types: BTreeMap::new(), problems: Vec::new() };
    let mut families: BTreeMap<String, Family> = BTreeMap::new();
    for (path, item) in &spec.paths {
        let has_get = item.get.is_some();
        let ops: Vec<Op> =
            item.operations().map(|(method, op)| read_op(path, method, op, has_get)).collect::<Result<_, _>>()?;
        let family = family_of(path).to_owned();
        let entry =
            families.entry(family.clone()).or_insert_with(|| Family { name: family.clone(), endpoints: vec![] });
        let (gets, others): (Vec<Op>, Vec<Op>) = ops.into_iter().partition(|op| op.method == "GET");
        let mut others = others;
        for get in gets {
            // A GET is planned with its POST twin: one `get_and_post!` when the twin's body
            // carries exactly the GET's query parameters, else a query struct of its own
            // (`families::endpoint_for_twin`).
            let twin = others.iter().position(|op| op.method == "POST");
            match twin {
                Some(i) => {
                    let post = others.remove(i);
                    entry.endpoints.extend(endpoint_for_twin(&mut planner, get, post)?);
                }
                None => entry.endpoints.push(Endpoint::Skipped {
                    op: get,
                    reason: "a GET without a POST twin: a query struct is named after its twin's body".to_owned(),
                }),
            }
        }
        for op in others {
            entry.endpoints.push(endpoint_for(&mut planner, op)?);
        }
    }
    let mut plan = Plan {
        families,
        types: planner.types,
        companions: BTreeSet::new(),
        model_companions: BTreeSet::new(),
        target: Target::Devrev,
        returns: BTreeMap::new(),
        source: Source {
            schemas: spec.components.schemas.clone(),
            responses: spec.components.responses.clone(),
            paths: spec.paths.clone(),
        },
    };
    for problem in &planner.problems {
        eprintln!("note: {problem}");
    }
    finish(&mut plan)?;
    Ok(plan)
}

impl Plan {
    /// The planned types a type refers to, each with whether it is held inline.
    pub fn edges(&self, key: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        match &self.types[key].kind {
            Kind::Struct(fields) => fields.iter().for_each(|f| f.ty.refs(true, &mut out)),
            Kind::Union { variants, .. } => variants.iter().for_each(|v| v.ty.refs(true, &mut out)),
            Kind::Alias(ty) => ty.refs(true, &mut out),
            Kind::Enum(_) => {}
        }
        out
    }

    fn closure(&self, roots: impl IntoIterator<Item = String>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = roots.into_iter().collect();
        while let Some(key) = stack.pop() {
            if seen.insert(key.clone()) {
                stack.extend(self.edges(&key).into_iter().map(|(k, _)| k));
            }
        }
        seen
    }

    /// The endpoints of every family, in order.
    pub fn endpoints(&self) -> impl Iterator<Item = &Endpoint> {
        self.families.values().flat_map(|f| f.endpoints.iter())
    }
}
