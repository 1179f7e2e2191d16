//! The Rust type of every schema: named schemas, inline schemas named from
//! where they sit, unions, secrets, and the boxes recursion needs.

use std::collections::{BTreeMap, BTreeSet};

use super::facts::Facts;
use super::names::{rust_field_name, rust_type_name, variant_names};
use super::{Field, Home, Kind, Plan, Ty, TypeDef, Variant};
use crate::spec::{ref_key, AdditionalProperties, Schema, Spec};

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

pub(super) struct Planner<'s> {
    pub(super) spec: &'s Spec,
    /// How many endpoints (a GET/POST pair counts once) send each body schema.
    pub(super) request_uses: BTreeMap<String, usize>,
    pub(super) types: BTreeMap<String, TypeDef>,
    pub(super) problems: Vec<String>,
}

impl<'s> Planner<'s> {
    pub(super) fn schema(&self, key: &str) -> Result<&'s Schema, String> {
        self.spec.components.schemas.get(key).ok_or_else(|| format!("dangling $ref to `{key}`"))
    }

    pub(super) fn add(&mut self, key: &str, kind: Kind, deprecated: bool) {
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
                home: Home::Shared(String::new()),
                page: None,
                synthetic: false,
            },
        );
    }

    /// Plans the named schema `key` (once).
    pub(super) fn define_named(&mut self, key: &str) -> Result<(), String> {
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
    pub(super) fn kind_of(&mut self, schema: &Schema, key: &str) -> Result<Kind, String> {
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
    pub(super) fn union_of(&mut self, schema: &Schema, key: &str) -> Result<Kind, String> {
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
    pub(super) fn union_kind(&mut self, schema: &Schema, key: &str) -> Result<Option<Kind>, String> {
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
    pub(super) fn flattened(&mut self, key: &str, tag: &str, union: Kind) -> Field {
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
    pub(super) fn merge_all_of(
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

    pub(super) fn fields_of(
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
                facts: Facts::of(prop),
            });
        }
        Ok(fields)
    }

    /// The type of a schema in some position; an inline schema that needs a
    /// type of its own is planned under `here` (its parent's key and field).
    pub(super) fn ty_of(&mut self, schema: &Schema, here: &str) -> Result<Ty, String> {
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

/// Boxes every inline field or variant whose type can contain its owner
/// again (the two are in one strongly connected component).
pub(super) fn box_recursion(plan: &mut Plan) {
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
