//! Decides everything about the output before a line of it is written: the
//! operations of each family and how each becomes a request struct, the Rust
//! type of every schema (named from the schema key, or from where an inline
//! schema sits), which types each family needs, which derives each type gets,
//! where recursion needs a `Box`, and which file each type lives in. The
//! emitter only prints what this module decided.

use std::collections::{BTreeMap, BTreeSet};

use crate::spec::{ref_key, AdditionalProperties, Operation, Schema, Spec};

/// Extra entries of a family's Cargo feature: the optional dependencies its
/// hand-written companion (`src/extras/<module>.rs`) needs.
pub const FEATURE_DEPS: &[(&str, &[&str])] = &[
    // `artifacts`: streamed multipart uploads and downloads (`devrev-runtime`'s `storage` module).
    ("artifacts", &["devrev-runtime/storage"]),
    ("webhooks", &["dep:hmac", "dep:sha2", "dep:hex", "dep:http", "dep:secrecy", "dep:thiserror"]),
];

/// The body of a webhook delivery: decoded by receivers, so its closure
/// derives `Deserialize` as well (see `events.rs` for the event enum).
pub const WEBHOOK_EVENT: &str = "webhook-event-request";

/// Families whose requests, answers and models derive both `Serialize` and
/// `Deserialize`, whatever their direction: the crate's default families
/// (`rev-orgs`, `accounts`), whose types were hand-written that way. Users
/// store and forward their answers, replay their requests, and
/// `tests/spec_conformance.rs` checks that each decodes and encodes back
/// unchanged. The cost is their closure only (about 40 types), not the 1,400
/// of `full`.
pub const ROUND_TRIP_FAMILIES: &[&str] = &["accounts", "rev-orgs"];

/// Query parameters whose values hold commas of their own
/// (`custom_field_filter=tier:gold,silver`): a list of them goes into a query
/// string one parameter per value (`devrev::query::Repeated`), not joined by
/// commas as other lists are. In a JSON body it is a plain array.
pub const REPEATED_QUERY_FIELDS: &[&str] = &["custom_field_filter"];

/// Wire names of fields that hold a secret wherever they appear: a string
/// field of one of these names (or ending in `_secret`, `_token` or
/// `_password`, or of `format: password`) is a [`Ty::Secret`]. This covers
/// the webhook `secret`, the SSO connections' `client_secret`, the
/// `access_token` and `refresh_token` of `auth-tokens.create`'s answer, its
/// request's `subject_token`, and the snap-in keyring's `secret`. (The
/// `token` of the `auth-tokens.get`, `.info` and `.update` answers is an
/// object of metadata, not a string: nothing in it grants access.)
pub const SECRET_FIELDS: &[&str] = &["secret", "token", "password", "api_key", "client_secret"];

/// Whether a field named `wire` with this schema holds a secret (see [`SECRET_FIELDS`]).
pub fn is_secret(wire: &str, schema: &Schema) -> bool {
    let stringy = schema.ty.as_deref() == Some("string") && schema.enum_values.is_none();
    stringy
        && (SECRET_FIELDS.contains(&wire)
            || wire.ends_with("_secret")
            || wire.ends_with("_token")
            || wire.ends_with("_password")
            || schema.format.as_deref() == Some("password"))
}

/// Names `crate::models` (or the prelude) already uses for something else;
/// a generated type never takes one of them (see [`rust_type_name`]).
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "CustomFields",
    "Timestamp",
    "UnknownObject",
    "Box",
    "Option",
    "Result",
    "String",
    "Vec",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
];

/// The last path segments of a `POST` that only reads, so it may be retried
/// like a `GET` (`idempotent`). The rule, in full: a `POST` is idempotent when
/// DevRev serves the same path as a `GET` too (every such pair in the spec is
/// a read with its fields in a body), or when its last dotted segment is one
/// of these verbs, or when its family is `search`.
pub const READ_ONLY_VERBS: &[&str] = &["count", "export", "get", "list", "locate", "search"];

/// Method names the attribute or the crate's conventions already use on a
/// request; a setter for a field of that name is called `set_<field>`.
pub const RESERVED_METHODS: &[&str] = &["new", "send", "send_with_meta", "pages", "items"];

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
    /// `[redacted]` in `Debug`, the plain string on the wire.
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
    pub facts: crate::facts::Facts,
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

/// Where a type's source lives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Home {
    /// The family's own file, beside its requests.
    Family(String),
    /// `src/generated/model/<group>.rs`.
    Models(String),
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
    /// `src/extras/model/<module of the schema key>.rs` (helpers on the
    /// generated type, such as `UserSummary::id`), which the generated model
    /// file declares as a module under the model's own `cfg`. Filled by
    /// [`crate::run`] from the files present; by schema key.
    pub model_companions: BTreeSet<String>,
    /// Whom the code is for: the `devrev` crate itself, or a user's crate.
    pub target: Target,
    /// Which operations answer with each type, by key, for its doc (`facts::returns`).
    pub returns: BTreeMap<String, crate::facts::Returns>,
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

/// `works-create-request` -> `WorksCreateRequest`; `p0` -> `P0`; a leading
/// digit gets an `N` in front. Reserved names get a `Schema` suffix.
pub fn rust_type_name(key: &str) -> String {
    let mut out = String::new();
    for part in key.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'N');
    }
    if RESERVED_TYPE_NAMES.contains(&out.as_str()) {
        out.push_str("Schema");
    }
    out
}

/// A wire field name as a Rust field: snake case, keywords raw (`r#type`).
pub fn rust_field_name(wire: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in wire.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            out.push('_');
            prev_lower = false;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'n');
    }
    match out.as_str() {
        "self" | "Self" | "super" | "crate" => format!("{out}_"),
        word if is_keyword(word) => format!("r#{out}"),
        _ => out,
    }
}

/// A module name for a family or group: `timeline-entries` -> `timeline_entries`.
pub fn module_name(name: &str) -> String {
    let ident = rust_field_name(name);
    match ident.strip_prefix("r#") {
        Some(word) => format!("{word}_"),
        None => ident,
    }
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "gen"
            | "macro"
            | "override"
            | "priv"
            | "try"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
    )
}

/// The family of a path: the part before the first dot (`/works.create` -> `works`).
pub fn family_of(path: &str) -> &str {
    let path = path.trim_start_matches('/');
    path.split('.').next().unwrap_or(path)
}

/// Whether a `POST` only reads (see [`READ_ONLY_VERBS`]).
pub fn post_only_reads(path: &str, has_get_twin: bool) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    has_get_twin || READ_ONLY_VERBS.contains(&last) || family_of(path) == "search"
}

/// Variant names for wire values: `dev_user` -> `DevUser`; clashes (with each
/// other, or with the `Unknown` fallback) get a numeric suffix.
pub fn variant_names(wires: &[String]) -> Vec<String> {
    let mut taken: BTreeSet<String> = BTreeSet::from(["Unknown".to_owned()]);
    wires
        .iter()
        .map(|wire| {
            let base = {
                let name = rust_type_name(wire);
                if name.ends_with("Schema") && !wire.to_ascii_lowercase().ends_with("schema") {
                    name.trim_end_matches("Schema").to_owned()
                } else {
                    name
                }
            };
            let mut name = if base == "Unknown" { "UnknownValue".to_owned() } else { base.clone() };
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}{n}");
                n += 1;
            }
            name
        })
        .collect()
}

struct Planner<'s> {
    spec: &'s Spec,
    /// How many endpoints (a GET/POST pair counts once) send each body schema.
    request_uses: BTreeMap<String, usize>,
    types: BTreeMap<String, TypeDef>,
    problems: Vec<String>,
}

impl<'s> Planner<'s> {
    fn schema(&self, key: &str) -> Result<&'s Schema, String> {
        self.spec.components.schemas.get(key).ok_or_else(|| format!("dangling $ref to `{key}`"))
    }

    fn add(&mut self, key: &str, kind: Kind, deprecated: bool) {
        let name = rust_type_name(key);
        self.types.insert(
            key.to_owned(),
            TypeDef {
                key: key.to_owned(),
                name,
                kind,
                deprecated,
                ser: false,
                de: false,
                families: BTreeSet::new(),
                home: Home::Models(String::new()),
                page: None,
                synthetic: false,
            },
        );
    }

    /// Plans the named schema `key` (once).
    fn define_named(&mut self, key: &str) -> Result<(), String> {
        if self.types.contains_key(key) {
            return Ok(());
        }
        let schema = self.schema(key)?;
        // Reserve the key first, so recursion terminates.
        self.add(key, Kind::Alias(Ty::Json), schema.deprecated);
        let kind = self.kind_of(schema, key).map_err(|e| format!("`{key}`: {e}"))?;
        self.types.get_mut(key).expect("reserved above").kind = kind;
        Ok(())
    }

    /// The kind of a schema that gets a name of its own.
    fn kind_of(&mut self, schema: &Schema, key: &str) -> Result<Kind, String> {
        if !schema.one_of.is_empty() {
            return self.union_of(schema, key);
        }
        if !schema.all_of.is_empty() {
            let mut props = BTreeMap::new();
            let mut required = BTreeSet::new();
            let mut union = None;
            self.merge_all_of(schema, &mut props, &mut required, 0, &mut union)?;
            let mut fields = self.fields_of(&props, &required, key)?;
            if let Some(member) = union {
                if let Some(kind) = self.union_kind(&member, key)? {
                    let tag = member.discriminator.as_ref().map(|d| d.property_name.clone()).unwrap_or_default();
                    fields.retain(|f| f.wire != tag);
                    fields.push(self.flattened(key, &tag, kind));
                }
            }
            return Ok(Kind::Struct(fields));
        }
        if let Some(values) = &schema.enum_values {
            if schema.ty.as_deref().unwrap_or("string") == "string" {
                let wires: Vec<String> = values.iter().map(yaml_scalar).collect();
                let names = variant_names(&wires);
                return Ok(Kind::Enum(names.into_iter().zip(wires).collect()));
            }
        }
        let is_object = schema.ty.as_deref() == Some("object") || !schema.properties.is_empty();
        if is_object
            && (!schema.properties.is_empty()
                || matches!(schema.additional_properties, Some(AdditionalProperties::Bool(false))))
        {
            let required = schema.required.iter().cloned().collect();
            return Ok(Kind::Struct(self.fields_of(&schema.properties, &required, key)?));
        }
        Ok(Kind::Alias(self.ty_of(schema, key)?))
    }

    /// A `oneOf`: a union tagged on the discriminator. Properties beside the
    /// tag are shared by every variant: the type becomes a struct of them with
    /// the union flattened in as `kind` (`<Name>Kind`).
    fn union_of(&mut self, schema: &Schema, key: &str) -> Result<Kind, String> {
        let Some(union) = self.union_kind(schema, key)? else {
            return Ok(Kind::Alias(Ty::Json));
        };
        let tag = schema.discriminator.as_ref().map(|d| d.property_name.clone()).unwrap_or_default();
        let shared: BTreeMap<String, Schema> =
            schema.properties.iter().filter(|(k, _)| **k != tag).map(|(k, v)| (k.clone(), v.clone())).collect();
        if shared.is_empty() {
            return Ok(union);
        }
        let required = schema.required.iter().cloned().collect();
        let mut fields = self.fields_of(&shared, &required, key)?;
        fields.push(self.flattened(key, &tag, union));
        Ok(Kind::Struct(fields))
    }

    /// The tagged union of a `oneOf`'s variants, by its discriminator mapping.
    fn union_kind(&mut self, schema: &Schema, key: &str) -> Result<Option<Kind>, String> {
        let Some(disc) = schema.discriminator.as_ref().filter(|d| !d.mapping.is_empty()) else {
            self.problems.push(format!("`{key}`: oneOf without a discriminator mapping: kept as JSON"));
            return Ok(None);
        };
        let wires: Vec<String> = disc.mapping.keys().cloned().collect();
        let names = variant_names(&wires);
        let mut variants = Vec::new();
        for (wire, name) in wires.iter().zip(names) {
            let target = ref_key(&disc.mapping[wire])?.to_owned();
            self.define_named(&target)?;
            variants.push(Variant { wire: wire.clone(), name, ty: Ty::Named(target), boxed: false });
        }
        Ok(Some(Kind::Union { tag: disc.property_name.clone(), variants }))
    }

    /// Plans `union` as `<key>-kind` and returns the field that flattens it in.
    fn flattened(&mut self, key: &str, tag: &str, union: Kind) -> Field {
        let kind_key = format!("{key}-kind");
        self.add(&kind_key, union, false);
        Field {
            wire: tag.to_owned(),
            ident: "kind".to_owned(),
            ty: Ty::Named(kind_key),
            required: true,
            deprecated: false,
            flatten: true,
            boxed: false,
            nullable: false,
            repeated: false,
            facts: Default::default(),
        }
    }

    /// Merges an `allOf` into one property list. At most one member may be a
    /// union; it is returned, to be flattened into the merged struct.
    fn merge_all_of(
        &mut self,
        schema: &Schema,
        props: &mut BTreeMap<String, Schema>,
        required: &mut BTreeSet<String>,
        depth: usize,
        union: &mut Option<Schema>,
    ) -> Result<(), String> {
        if depth > 16 {
            return Err("allOf nested too deep".to_owned());
        }
        for member in &schema.all_of {
            let member = match &member.reference {
                Some(r) => self.schema(ref_key(r)?)?,
                None => member,
            };
            if !member.one_of.is_empty() {
                if union.is_some() {
                    return Err("allOf over two unions".to_owned());
                }
                *union = Some(member.clone());
                let tag = member.discriminator.as_ref().map(|d| d.property_name.as_str()).unwrap_or_default();
                for (name, prop) in member.properties.iter().filter(|(k, _)| *k != tag) {
                    props.insert(name.clone(), prop.clone());
                }
                required.extend(member.required.iter().filter(|r| *r != tag).cloned());
                continue;
            }
            self.merge_all_of(member, props, required, depth + 1, union)?;
        }
        for (name, prop) in &schema.properties {
            props.insert(name.clone(), prop.clone());
        }
        required.extend(schema.required.iter().cloned());
        Ok(())
    }

    fn fields_of(
        &mut self,
        props: &BTreeMap<String, Schema>,
        required: &BTreeSet<String>,
        owner: &str,
    ) -> Result<Vec<Field>, String> {
        let mut fields = Vec::new();
        let mut idents = BTreeSet::new();
        for (wire, prop) in props {
            let mut ty = self.ty_of(prop, &format!("{owner}-{wire}"))?;
            if ty == Ty::String && is_secret(wire, prop) {
                ty = Ty::Secret;
            }
            let ty_for_flag = ty.clone();
            let mut ident = rust_field_name(wire);
            while !idents.insert(ident.clone()) {
                ident.push('_');
            }
            fields.push(Field {
                wire: wire.clone(),
                ident,
                ty,
                required: required.contains(wire) && !prop.nullable,
                deprecated: prop.deprecated,
                flatten: false,
                boxed: false,
                nullable: prop.nullable,
                repeated: REPEATED_QUERY_FIELDS.contains(&wire.as_str()) && matches!(ty_for_flag, Ty::Vec(_)),
                facts: crate::facts::Facts::of(prop),
            });
        }
        Ok(fields)
    }

    /// The type of a schema in some position; an inline schema that needs a
    /// type of its own is planned under `here` (its parent's key and field).
    fn ty_of(&mut self, schema: &Schema, here: &str) -> Result<Ty, String> {
        if let Some(r) = &schema.reference {
            let key = ref_key(r)?.to_owned();
            self.define_named(&key)?;
            return Ok(Ty::Named(key));
        }
        // `allOf` around one schema only attaches prose to it: it is that schema.
        if schema.all_of.len() == 1 && schema.properties.is_empty() && schema.one_of.is_empty() {
            return self.ty_of(&schema.all_of[0], here);
        }
        let needs_type = !schema.one_of.is_empty()
            || !schema.all_of.is_empty()
            || !schema.properties.is_empty()
            || (schema.enum_values.is_some() && schema.ty.as_deref().unwrap_or("string") == "string");
        if needs_type {
            let mut key = here.to_owned();
            while self.types.contains_key(&key) || self.spec.components.schemas.contains_key(&key) {
                key.push_str("-inline");
            }
            self.add(&key, Kind::Alias(Ty::Json), schema.deprecated);
            let kind = self.kind_of(schema, &key)?;
            self.types.get_mut(&key).expect("added above").kind = kind;
            return Ok(Ty::Named(key));
        }
        Ok(match (schema.ty.as_deref(), schema.format.as_deref()) {
            (Some("string"), Some("date-time")) => Ty::DateTime,
            (Some("string"), Some("date")) => Ty::Date,
            (Some("string"), _) => Ty::String,
            (Some("boolean"), _) => Ty::Bool,
            (Some("integer"), Some("int32")) => Ty::I32,
            (Some("integer"), _) => Ty::I64,
            (Some("number"), Some("float")) => Ty::F32,
            (Some("number"), _) => Ty::F64,
            (Some("array"), _) => {
                let items = schema.items.as_deref().cloned().unwrap_or_default();
                Ty::Vec(Box::new(self.ty_of(&items, &format!("{here}-item"))?))
            }
            (Some("object"), _) => match &schema.additional_properties {
                Some(AdditionalProperties::Schema(value)) => {
                    Ty::Map(Box::new(self.ty_of(value, &format!("{here}-value"))?))
                }
                _ => Ty::JsonMap,
            },
            _ => Ty::Json,
        })
    }
}

fn yaml_scalar(value: &serde_yaml_ng::Value) -> String {
    match value {
        serde_yaml_ng::Value::String(s) => s.clone(),
        serde_yaml_ng::Value::Bool(b) => b.to_string(),
        serde_yaml_ng::Value::Number(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

/// The schema key of a `$ref`-only body schema.
fn body_key(schema: Option<&Schema>) -> Result<Option<String>, String> {
    match schema.and_then(|s| s.reference.as_deref()) {
        Some(r) => Ok(Some(ref_key(r)?.to_owned())),
        None if schema.is_some() => Err("inline body schema".to_owned()),
        None => Ok(None),
    }
}

fn read_op(path: &str, method: &str, op: &Operation, has_get_twin: bool) -> Result<Op, String> {
    let family = family_of(path).to_owned();
    let request = body_key(
        op.request_body.as_ref().and_then(|b| b.content.get("application/json")).and_then(|m| m.schema.as_ref()),
    )?;
    let (status, response) = op
        .responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .map(|(code, r)| {
            let schema = r.content.as_ref().and_then(|c| c.get("application/json")).and_then(|m| m.schema.as_ref());
            (code.parse::<u16>().unwrap_or(200), schema)
        })
        .next()
        .ok_or_else(|| format!("{method} {path}: no success answer"))?;
    let slug = op.operation_id.strip_prefix(&format!("{family}-")).unwrap_or(&op.operation_id).to_owned();
    Ok(Op {
        path: path.to_owned(),
        method: method.to_owned(),
        family,
        operation_id: op.operation_id.clone(),
        slug,
        request,
        query: op
            .parameters
            .iter()
            .filter(|p| p.location == "query")
            .map(|p| QueryParam {
                name: p.name.clone(),
                required: p.required,
                deprecated: p.deprecated,
                schema: p.schema.clone().unwrap_or_default(),
            })
            .collect(),
        response: body_key(response)?,
        status,
        beta: op.availability.as_deref() == Some("beta"),
        deprecated: op.deprecated || op.availability.as_deref() == Some("deprecated"),
        streaming: op.streaming.is_some(),
        no_auth: op.security.as_ref().is_some_and(|s| s.is_empty()),
        idempotent: method != "POST" || post_only_reads(path, has_get_twin),
        paginate: false,
    })
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
            // A GET is planned with its POST twin: the twin's body schema gives both their fields.
            let twin = others.iter().position(|op| op.method == "POST");
            match twin {
                Some(i) => {
                    let post = others.remove(i);
                    entry.endpoints.extend(endpoint_for_twin(&mut planner, get, post)?);
                }
                None => entry.endpoints.push(Endpoint::Skipped {
                    op: get,
                    reason: "a GET without a POST twin: query-parameter structs are not generated yet".to_owned(),
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
    };
    for problem in &planner.problems {
        eprintln!("note: {problem}");
    }
    finish(&mut plan)?;
    Ok(plan)
}

fn skip_reason(op: &Op) -> Option<String> {
    if op.no_auth {
        return Some("an OAuth browser redirect without a token (`security: []`), not a JSON call".to_owned());
    }
    if op.request.is_none() && op.method == "POST" {
        return Some("a POST without a JSON body".to_owned());
    }
    None
}

/// The request and response names of an op, planning the schemas they need.
fn request_and_response(planner: &mut Planner<'_>, op: &Op) -> Result<Result<(String, String), String>, String> {
    let mut request = op.request.clone().expect("checked by skip_reason");
    planner.define_named(&request)?;
    let uses = planner.request_uses.get(&request).copied().unwrap_or(0);
    if !request.ends_with("-request") || uses > 1 {
        // A body schema shared by several operations (`empty`, ...) or not
        // named like a request: the endpoint gets a struct of its own, named
        // from its path, with the same fields.
        let own = format!("{}-request", op.path.trim_start_matches('/').replace('.', "-"));
        if !planner.types.contains_key(&own) {
            let kind = planner.types[&request].kind.clone();
            planner.add(&own, kind, false);
        }
        request = own;
    }
    if !matches!(planner.types[&request].kind, Kind::Struct(_)) {
        return Ok(Err(format!("the request body `{request}` is not an object")));
    }
    let response = match &op.response {
        Some(key) => {
            planner.define_named(key)?;
            key.clone()
        }
        None => {
            // No success body: an empty struct named like the request's answer.
            let key = format!("{}-response", request.trim_end_matches("-request"));
            if !planner.types.contains_key(&key) && !planner.spec.components.schemas.contains_key(&key) {
                planner.add(&key, Kind::Struct(vec![]), false);
                planner.types.get_mut(&key).expect("added").synthetic = true;
            } else {
                planner.define_named(&key)?;
            }
            key
        }
    };
    Ok(Ok((request, response)))
}

fn endpoint_for(planner: &mut Planner<'_>, op: Op) -> Result<Endpoint, String> {
    if let Some(reason) = skip_reason(&op) {
        return Ok(Endpoint::Skipped { op, reason });
    }
    Ok(match request_and_response(planner, &op)? {
        Ok((request, response)) => Endpoint::Single { op, request, response },
        Err(reason) => Endpoint::Skipped { op, reason },
    })
}

/// A `GET`/`POST` pair: one `get_and_post!` when they can share a field
/// list; otherwise the `POST` alone, with the `GET` skipped.
fn endpoint_for_twin(planner: &mut Planner<'_>, get: Op, post: Op) -> Result<Vec<Endpoint>, String> {
    if let Some(reason) = skip_reason(&post).or_else(|| skip_reason(&get)) {
        return Ok(vec![Endpoint::Skipped { op: get, reason: reason.clone() }, Endpoint::Skipped { op: post, reason }]);
    }
    Ok(match request_and_response(planner, &post)? {
        Ok((request, response)) => {
            let shared = match &planner.types[&request].kind {
                Kind::Struct(fields) => !fields.iter().any(|f| f.flatten) && query_matches_body(planner, &get, fields),
                _ => false,
            };
            if shared {
                vec![Endpoint::Twin { get, post, request, response }]
            } else {
                // The POST body is a union, which a query string cannot carry:
                // the GET gets a struct of its own from its query parameters.
                let query = query_struct(planner, &get, &request)?;
                vec![
                    Endpoint::Single { op: get, request: query, response: response.clone() },
                    Endpoint::Single { op: post, request, response },
                ]
            }
        }
        Err(reason) => {
            vec![Endpoint::Skipped { op: get, reason: reason.clone() }, Endpoint::Skipped { op: post, reason }]
        }
    })
}

/// Whether the body's fields, encoded as the runtime's query encoder does
/// (nested objects as dotted names, lists of scalars as one parameter), are
/// exactly the `GET`'s query parameters. When they are not (a list of objects,
/// which a query spells per field, or a body field the `GET` does not take),
/// the `GET` gets a struct of its own query parameters.
fn query_matches_body(planner: &Planner<'_>, get: &Op, fields: &[Field]) -> bool {
    let mut leaves = Vec::new();
    let mut open = Vec::new();
    for f in fields {
        if !query_names(planner, &f.ty, &f.wire, &mut leaves, &mut open, 0) {
            return false;
        }
    }
    let params: BTreeSet<&str> = get.query.iter().map(|p| p.name.as_str()).collect();
    let under =
        |name: &str, prefix: &str| name == prefix || name.strip_prefix(prefix).is_some_and(|r| r.starts_with('.'));
    leaves.iter().all(|l| params.contains(l.as_str()))
        && open.iter().all(|p| params.iter().any(|q| under(q, p)))
        && params.iter().all(|q| leaves.iter().any(|l| l == q) || open.iter().any(|p| under(q, p)))
}

/// The query names a body field of type `ty` at `name` encodes to: `leaves`
/// exactly, `open` as prefixes (maps and hand-written models, whose keys the
/// spec's query lists by name). False when the encoder cannot carry it.
fn query_names(
    planner: &Planner<'_>,
    ty: &Ty,
    name: &str,
    leaves: &mut Vec<String>,
    open: &mut Vec<String>,
    depth: usize,
) -> bool {
    if depth > 8 {
        return false;
    }
    match ty {
        Ty::Named(key) => match &planner.types[key].kind {
            Kind::Struct(fields) if !fields.iter().any(|f| f.flatten) => fields
                .iter()
                .all(|f| query_names(planner, &f.ty, &format!("{name}.{}", f.wire), leaves, open, depth + 1)),
            Kind::Struct(_) | Kind::Union { .. } => false,
            Kind::Enum(_) => {
                leaves.push(name.to_owned());
                true
            }
            Kind::Alias(inner) => query_names(planner, inner, name, leaves, open, depth + 1),
        },
        Ty::Vec(inner) => match &**inner {
            Ty::Named(key) => match &planner.types[key].kind {
                Kind::Enum(_) => {
                    leaves.push(name.to_owned());
                    true
                }
                Kind::Alias(inner) => {
                    query_names(planner, &Ty::Vec(Box::new(inner.clone())), name, leaves, open, depth + 1)
                }
                _ => false,
            },
            Ty::Vec(_) | Ty::Map(_) => false,
            _ => {
                leaves.push(name.to_owned());
                true
            }
        },
        Ty::Map(_) | Ty::JsonMap | Ty::Json => {
            open.push(name.to_owned());
            true
        }
        _ => {
            leaves.push(name.to_owned());
            true
        }
    }
}

/// A struct of a `GET`'s query parameters, named `<Body>QueryRequest` after
/// the `POST` body it stands in for (`chats-get-request` -> `ChatsGetQueryRequest`).
fn query_struct(planner: &mut Planner<'_>, get: &Op, body: &str) -> Result<String, String> {
    let key = crate::naming::query_form(body);
    let mut fields = Vec::new();
    for param in &get.query {
        let ty = planner.ty_of(&param.schema, &format!("{key}-{}", param.name))?;
        fields.push(Field {
            wire: param.name.clone(),
            // `shared_with.member` -> `shared_with_member`.
            ident: rust_field_name(&param.name.replace('.', "_")),
            ty,
            required: param.required,
            deprecated: param.deprecated,
            flatten: false,
            boxed: false,
            nullable: false,
            repeated: REPEATED_QUERY_FIELDS.contains(&param.name.as_str()),
            facts: crate::facts::Facts::of(&param.schema),
        });
    }
    fields.sort_by(|a, b| a.wire.cmp(&b.wire));
    planner.add(&key, Kind::Struct(fields), false);
    Ok(key)
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

/// Directions, families, boxes, homes and pagination.
fn finish(plan: &mut Plan) -> Result<(), String> {
    // Directions and families.
    let mut requests = Vec::new();
    let mut responses = Vec::new();
    let mut roots_by_family: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for family in plan.families.values() {
        for endpoint in &family.endpoints {
            if let Endpoint::Single { request, response, .. } | Endpoint::Twin { request, response, .. } = endpoint {
                requests.push(request.clone());
                responses.push(response.clone());
                roots_by_family.entry(family.name.clone()).or_default().extend([request.clone(), response.clone()]);
            }
        }
    }
    for key in plan.closure(requests.clone()) {
        plan.types.get_mut(&key).expect("planned").ser = true;
    }
    for key in plan.closure(responses.clone()) {
        plan.types.get_mut(&key).expect("planned").de = true;
    }
    // What DevRev POSTs to a webhook is read by receivers (`devrev::webhooks`), not only sent.
    if plan.types.contains_key(WEBHOOK_EVENT) {
        for key in plan.closure([WEBHOOK_EVENT.to_owned()]) {
            plan.types.get_mut(&key).expect("planned").de = true;
        }
    }
    // `tagged_union!` always implements `Deserialize`, so everything a union sent in a request holds must decode too.
    let sent_unions: Vec<String> =
        plan.types.values().filter(|t| t.ser && matches!(t.kind, Kind::Union { .. })).map(|t| t.key.clone()).collect();
    for key in plan.closure(sent_unions) {
        plan.types.get_mut(&key).expect("planned").de = true;
    }
    for (family, roots) in &roots_by_family {
        for key in plan.closure(roots.clone()) {
            plan.types.get_mut(&key).expect("planned").families.insert(family.clone());
        }
    }
    // The round-trip families: everything they reach derives both ways, except
    // their request structs, which are only ever sent.
    for family in ROUND_TRIP_FAMILIES {
        let Some(roots) = roots_by_family.get(*family) else { continue };
        for key in plan.closure(roots.clone()) {
            if !requests.contains(&key) {
                let t = plan.types.get_mut(&key).expect("planned");
                (t.ser, t.de) = (true, true);
            }
        }
    }
    // Types no operation reaches are not emitted.
    plan.types.retain(|_, t| !t.families.is_empty());

    // The discriminator is the union's: a variant struct does not carry it as a field.
    let unions: Vec<(String, Vec<String>)> = plan
        .types
        .values()
        .filter_map(|t| match &t.kind {
            Kind::Union { tag, variants } => Some((
                tag.clone(),
                variants
                    .iter()
                    .filter_map(|v| match &v.ty {
                        Ty::Named(k) => Some(k.clone()),
                        _ => None,
                    })
                    .collect(),
            )),
            _ => None,
        })
        .collect();
    for (tag, keys) in unions {
        for key in keys {
            if let Some(Kind::Struct(fields)) = plan.types.get_mut(&key).map(|t| &mut t.kind) {
                fields.retain(|f| f.wire != tag || f.flatten);
            }
        }
    }

    box_recursion(plan);

    // Homes: requests and answers of one family live in its file, unless
    // another schema refers to them; everything else is a model, grouped by
    // the first word of its key.
    let mut referenced = BTreeSet::new();
    for key in plan.types.keys() {
        for (target, _) in plan.edges(key) {
            referenced.insert(target);
        }
    }
    let mut family_of_root: BTreeMap<String, String> = BTreeMap::new();
    for (family, roots) in &roots_by_family {
        for root in roots {
            family_of_root.insert(root.clone(), family.clone());
        }
    }
    for t in plan.types.values_mut() {
        t.home = match family_of_root.get(&t.key) {
            Some(family) if !referenced.contains(&t.key) && t.families.len() == 1 => Home::Family(family.clone()),
            _ => Home::Models(module_name(t.key.split('-').next().unwrap_or(&t.key))),
        };
    }

    // Names must be unique across everything `crate::models` exports.
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for t in plan.types.values() {
        if let Some(other) = names.insert(t.name.clone(), t.key.clone()) {
            return Err(format!("`{}` and `{other}` both want the name `{}`", t.key, t.name));
        }
    }

    // Pagination.
    let mut paged: BTreeMap<String, Option<String>> = BTreeMap::new();
    for family in plan.families.values_mut() {
        for endpoint in &mut family.endpoints {
            let (ops, request, response): (Vec<&mut Op>, &String, &String) = match endpoint {
                Endpoint::Single { op, request, response } => (vec![op], request, response),
                Endpoint::Twin { get, post, request, response } => (vec![get, post], request, response),
                Endpoint::Skipped { .. } => continue,
            };
            if ops.iter().any(|op| op.streaming) {
                continue;
            }
            if let Some(items) = page_items(&plan.types, request, response) {
                for op in ops {
                    op.paginate = true;
                }
                paged.insert(response.clone(), items);
            }
        }
    }
    for (key, items) in paged {
        plan.types.get_mut(&key).expect("planned").page = Some(items);
    }
    plan.returns = crate::facts::returns(plan);
    Ok(())
}

/// Whether `request` pages into `response`: a `cursor: Option<String>` in the
/// request, a `next_cursor: Option<String>` in the answer and a `Vec` of items
/// (`Some(field)` when `#[page(items)]` must say which).
fn page_items(types: &BTreeMap<String, TypeDef>, request: &str, response: &str) -> Option<Option<String>> {
    let Kind::Struct(req) = &types[request].kind else { return None };
    let Kind::Struct(res) = &types[response].kind else { return None };
    req.iter().find(|f| f.wire == "cursor" && !f.required && f.ty == Ty::String)?;
    res.iter().find(|f| f.wire == "next_cursor" && !f.required && f.ty == Ty::String)?;
    // `Page` needs the items as a plain `Vec`: an optional list cannot page.
    let vecs: Vec<&Field> = res.iter().filter(|f| matches!(f.ty, Ty::Vec(_)) && f.required && !f.boxed).collect();
    match vecs.as_slice() {
        [] => None,
        [_] => Some(None),
        many => Some(Some(many[0].ident.clone())),
    }
}

/// Boxes every inline field or variant whose type can contain its owner
/// again (the two are in one strongly connected component).
fn box_recursion(plan: &mut Plan) {
    let keys: Vec<String> = plan.types.keys().cloned().collect();
    let inline: BTreeMap<String, Vec<String>> = keys
        .iter()
        .map(|k| (k.clone(), plan.edges(k).into_iter().filter(|(_, inline)| *inline).map(|(t, _)| t).collect()))
        .collect();
    let reach = |from: &str, to: &str| -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(k) = stack.pop() {
            if k == to {
                return true;
            }
            if seen.insert(k.clone()) {
                if let Some(next) = inline.get(&k) {
                    stack.extend(next.iter().cloned());
                }
            }
        }
        false
    };
    let mut boxes: Vec<(String, String)> = Vec::new();
    for (owner, targets) in &inline {
        for target in targets {
            if reach(target, owner) {
                boxes.push((owner.clone(), target.clone()));
            }
        }
    }
    for (owner, target) in boxes {
        let t = plan.types.get_mut(&owner).expect("planned");
        match &mut t.kind {
            Kind::Struct(fields) => {
                for f in fields.iter_mut().filter(|f| f.ty == Ty::Named(target.clone())) {
                    f.boxed = true;
                }
            }
            Kind::Union { variants, .. } => {
                for v in variants.iter_mut().filter(|v| v.ty == Ty::Named(target.clone())) {
                    v.boxed = true;
                }
            }
            _ => {}
        }
    }
}

/// The field of a list replacement, `{"set": [...]}` (DevRev's updates send
/// lists that way): a struct sent in requests whose one field is a `set`
/// list. It gets `From` any list of its items, so a setter takes the list
/// itself (`.artifacts(["ARTIFACT-1"])`) as well as the struct.
pub fn set_list(t: &TypeDef) -> Option<&Field> {
    match &t.kind {
        Kind::Struct(fields) if t.ser => match fields.as_slice() {
            [f] if f.wire == "set" && matches!(f.ty, Ty::Vec(_)) && !f.nullable && !f.boxed => Some(f),
            _ => None,
        },
        _ => None,
    }
}
