//! Accessors on union models (`Work`, `Part`, `TimelineEntry`, ...): a method
//! for each field every variant has, with the field's own type, and `kind()`,
//! the variant's tag on the wire. Reading `work.title()` then needs no match
//! on `Work::Issue`, `Work::Ticket`, ...
//!
//! The rule, in full:
//! - A field is shared when every variant is a generated struct holding a
//!   field of the same wire name, Rust name and type (the variants' flattened
//!   parts do not count).
//! - Its accessor returns a reference as the field is: `&T` when every variant
//!   requires it, `Option<&T>` otherwise; a string reads as `str`, a list as a
//!   slice (`&str`, `Option<&[UserSummary]>`); numbers and booleans by value.
//! - A variant this crate does not know (`Unknown`) answers from its JSON
//!   where the value can be read without a type (a string, a number, a
//!   boolean: the JSON value if it has the right type), an empty list for a
//!   required list, and `None` otherwise. A required field of another type
//!   (an object, a date) therefore returns `Option<&T>`, `None` only for an
//!   unknown variant.
//! - No accessor is generated where its name is already taken: by a method
//!   every union has ([`TAKEN`]), or by a hand-written companion
//!   ([`COMPANION_METHODS`]).
//!
//! Plain data in, text out: [`shared_fields`] decides, [`accessors`] prints.

use std::fmt::Write as _;

use super::rust_names::rust_ty;
use crate::plan::{Field, Kind, Plan, Target, Ty, TypeDef};

/// Method names every generated union has already (`type_name`, from
/// `tagged_union!`; `kind`, from here; `custom`, for custom fields), and
/// those of the traits it derives, which an inherent method would shadow.
pub const TAKEN: &[&str] =
    &["kind", "type_name", "custom", "clone", "eq", "ne", "fmt", "from", "into", "serialize", "deserialize"];

/// Methods the hand-written companions of union models
/// (`src/models/<schema>.rs`) define, by schema key: the generator
/// leaves them to the companion, which keeps their signatures (`UserSummary::id`
/// answers `Option<&str>`, as it did before accessors were generated).
pub const COMPANION_METHODS: &[(&str, &[&str])] =
    &[("org-summary", &["id"]), ("user-summary", &["id", "display_name"])];

/// How an accessor hands out its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `&str`.
    Str,
    /// `&[T]`.
    Slice,
    /// A `Copy` scalar (`bool`, a number), by value.
    Copy,
    /// `&T`.
    Ref,
}

/// A field every variant of a union shares.
#[derive(Debug, Clone)]
pub struct SharedField {
    /// The field as the first variant declares it (wire name, Rust name, type).
    pub field: Field,
    /// Required (and not nullable) in every variant.
    pub required: bool,
    pub shape: Shape,
}

impl SharedField {
    /// The accessor's name: the field's Rust name (a raw identifier stays raw).
    pub fn method(&self) -> &str {
        &self.field.ident
    }

    /// Whether the accessor returns the value itself rather than an `Option`:
    /// required everywhere, and readable from an unknown variant too.
    pub fn plain(&self) -> bool {
        self.required && self.shape != Shape::Ref
    }
}

fn shape(ty: &Ty) -> Shape {
    match ty {
        Ty::String => Shape::Str,
        Ty::Vec(_) => Shape::Slice,
        Ty::Bool | Ty::I32 | Ty::I64 | Ty::F32 | Ty::F64 => Shape::Copy,
        _ => Shape::Ref,
    }
}

fn fields(t: &TypeDef) -> Option<&[Field]> {
    match &t.kind {
        Kind::Struct(fields) => Some(fields),
        _ => None,
    }
}

/// The variants' structs, or `None` when a variant is not a generated struct.
fn variant_structs<'p>(plan: &'p Plan, t: &TypeDef) -> Option<Vec<&'p [Field]>> {
    let Kind::Union { variants, .. } = &t.kind else { return None };
    variants
        .iter()
        .map(|v| match &v.ty {
            Ty::Named(key) => plan.types.get(key).and_then(fields),
            _ => None,
        })
        .collect()
}

/// The names an accessor on `t` may not take.
fn taken(plan: &Plan, t: &TypeDef) -> Vec<&'static str> {
    let mut out = TAKEN.to_vec();
    if plan.target == Target::Devrev && plan.model_companions.contains(&t.key) {
        if let Some((_, methods)) = COMPANION_METHODS.iter().find(|(key, _)| *key == t.key) {
            out.extend_from_slice(methods);
        }
    }
    out
}

/// The fields every variant of the union `t` has, in the first variant's
/// order; empty for a type that is not a union, or one with a variant that is
/// not a struct.
pub fn shared_fields(plan: &Plan, t: &TypeDef) -> Vec<SharedField> {
    let Some(structs) = variant_structs(plan, t) else { return Vec::new() };
    let Some((first, rest)) = structs.split_first() else { return Vec::new() };
    let taken = taken(plan, t);
    let mut out = Vec::new();
    for f in first.iter().filter(|f| !f.flatten && !f.repeated) {
        let plain = f.ident.strip_prefix("r#").unwrap_or(&f.ident);
        if taken.contains(&plain) {
            continue;
        }
        let same: Option<Vec<&Field>> = rest
            .iter()
            .map(|fields| {
                fields
                    .iter()
                    .find(|g| g.wire == f.wire && g.ident == f.ident && g.ty == f.ty && !g.flatten && !g.repeated)
            })
            .collect();
        let Some(same) = same else { continue };
        let required = f.required && !f.nullable && same.iter().all(|g| g.required && !g.nullable);
        out.push(SharedField { field: f.clone(), required, shape: shape(&f.ty) });
    }
    out
}

/// The accessor's return type.
fn return_ty(plan: &Plan, s: &SharedField) -> String {
    let inner = match (&s.field.ty, s.shape) {
        (_, Shape::Str) => "&str".to_owned(),
        (Ty::Vec(item), Shape::Slice) => format!("&[{}]", rust_ty(plan, item)),
        (ty, Shape::Copy) => rust_ty(plan, ty),
        (ty, _) => format!("&{}", rust_ty(plan, ty)),
    };
    if s.plain() {
        inner
    } else {
        format!("Option<{inner}>")
    }
}

/// The arm's value for a known variant bound to `v`, whose own field is `f`.
fn known(s: &SharedField, f: &Field) -> String {
    let name = &f.ident;
    let by_ref = match s.shape {
        Shape::Str | Shape::Slice => "as_deref",
        Shape::Ref if f.boxed => "as_deref",
        _ => "as_ref",
    };
    let value = match (s.shape, f.required, f.nullable) {
        // Required here: the value itself.
        (Shape::Copy, true, _) => format!("v.{name}"),
        (Shape::Str, true, _) => format!("v.{name}.as_str()"),
        (Shape::Slice, true, _) => format!("v.{name}.as_slice()"),
        (Shape::Ref, true, _) if f.boxed => format!("&*v.{name}"),
        (Shape::Ref, true, _) => format!("&v.{name}"),
        // Optional and nullable: `Option<Option<T>>`.
        (Shape::Copy, false, true) => format!("v.{name}.flatten()"),
        (_, false, true) => format!("v.{name}.as_ref().and_then(|x| x.{by_ref}())"),
        // Optional.
        (Shape::Copy, false, false) => format!("v.{name}"),
        (_, false, false) => format!("v.{name}.{by_ref}()"),
    };
    if f.required && !s.plain() {
        format!("Some({value})")
    } else {
        value
    }
}

/// The arm's value for an unknown variant bound to `other` (an `UnknownObject`).
fn unknown(s: &SharedField) -> String {
    let json = format!("other.fields.get({:?})", s.field.wire);
    let read = match (&s.field.ty, s.shape) {
        (_, Shape::Str) => Some(format!("{json}.and_then(|x| x.as_str())")),
        (Ty::Bool, _) => Some(format!("{json}.and_then(|x| x.as_bool())")),
        (Ty::I64, _) => Some(format!("{json}.and_then(|x| x.as_i64())")),
        (Ty::I32, _) => Some(format!("{json}.and_then(|x| x.as_i64()).and_then(|n| i32::try_from(n).ok())")),
        (Ty::F64, _) => Some(format!("{json}.and_then(|x| x.as_f64())")),
        (Ty::F32, _) => Some(format!("{json}.and_then(|x| x.as_f64()).map(|n| n as f32)")),
        _ => None,
    };
    match (read, s.plain(), s.shape) {
        // Plain without a reader: a required list.
        (None, true, _) => "&[]".to_owned(),
        (None, false, _) => "None".to_owned(),
        (Some(read), false, _) => read,
        (Some(read), true, Shape::Str) => format!("{read}.unwrap_or(\"\")"),
        (Some(read), true, _) => format!("{read}.unwrap_or_default()"),
    }
}

/// The doc of an accessor.
fn doc(s: &SharedField) -> String {
    let wire = &s.field.wire;
    let what = if s.required { "required in every variant" } else { "optional" };
    let unknown = match (s.plain(), s.shape) {
        (true, Shape::Str) => "its JSON string, or `\"\"`",
        (true, Shape::Slice) => "an empty list",
        (true, _) => "its JSON value, or the default",
        (false, Shape::Str | Shape::Copy) => "its JSON value",
        (false, _) => "`None`",
    };
    format!("    /// The variant's `{wire}` ({what}); an unknown variant answers {unknown}.\n")
}

/// The `impl` block of a union's accessors (`kind()` and one per shared
/// field); empty for a type that is not a union.
pub fn accessors(plan: &Plan, t: &TypeDef) -> String {
    let Kind::Union { tag, variants } = &t.kind else { return String::new() };
    let mut out = format!("\nimpl {} {{\n", t.name);
    let _ = writeln!(
        out,
        "    /// The variant's `{tag}` on the wire (`{example:?}`); for a variant this crate does not know, the\n    \
         /// `{tag}` it was sent with.\n    \
         pub fn kind(&self) -> &str {{\n        self.type_name()\n    }}",
        example = variants.first().map_or("", |v| v.wire.as_str()),
    );
    let structs = variant_structs(plan, t).unwrap_or_default();
    for s in shared_fields(plan, t) {
        let mut arms = Vec::new();
        for (v, fields) in variants.iter().zip(&structs) {
            let f = fields.iter().find(|g| g.wire == s.field.wire).expect("shared by every variant");
            arms.push(format!("{}::{}(v) => {},", t.name, v.name, known(&s, f)));
        }
        let value = unknown(&s);
        let binding = if value.contains("other") { "other" } else { "_" };
        arms.push(format!("{}::Unknown({binding}) => {value},", t.name));
        let _ = write!(
            out,
            "\n{doc}    pub fn {method}(&self) -> {ty} {{\n        match self {{\n            {arms}\n        }}\n    }}\n",
            doc = doc(&s),
            method = s.method(),
            ty = return_ty(plan, &s),
            arms = arms.join("\n            "),
        );
    }
    out.push_str("}\n");
    out
}
