//! How generated code names Rust types: the crate's root path, foreign crates
//! through the hidden path, and a planned type as Rust text. Shared by the
//! writers of the crate source, its fact docs and its union accessors.

use crate::plan::{Plan, Target, Ty};

/// The path generated code names the `devrev` crate by: `crate` inside it,
/// the user's root (`::devrev`, or a renamed dependency) in a user's crate.
pub(crate) fn root(plan: &Plan) -> &str {
    match &plan.target {
        Target::Devrev => "crate",
        Target::User { root, .. } => root,
    }
}

/// A crate other than `devrev` whose types generated code names (`chrono`,
/// `serde_json`): by its own name inside `devrev`, through `<root>::__private`
/// from a user's crate, which then needs no dependency on it.
pub(crate) fn foreign(plan: &Plan, krate: &str) -> String {
    match &plan.target {
        Target::Devrev => format!("::{krate}"),
        Target::User { root, .. } => format!("{root}::__private::{krate}"),
    }
}

/// A planned type as the Rust text generated code writes for it.
pub fn rust_ty(plan: &Plan, ty: &Ty) -> String {
    match ty {
        Ty::String => "String".to_owned(),
        // Named through the hidden path, so a renamed `devrev` dependency builds too.
        Ty::Secret => format!("{}::__private::Secret", root(plan)),
        Ty::Bool => "bool".to_owned(),
        Ty::I32 => "i32".to_owned(),
        Ty::I64 => "i64".to_owned(),
        Ty::F32 => "f32".to_owned(),
        Ty::F64 => "f64".to_owned(),
        Ty::DateTime => "Timestamp".to_owned(),
        Ty::Date => format!("{}::NaiveDate", foreign(plan, "chrono")),
        Ty::Json => format!("{}::Value", foreign(plan, "serde_json")),
        Ty::JsonMap => format!("{0}::Map<String, {0}::Value>", foreign(plan, "serde_json")),
        Ty::Map(inner) => format!("::std::collections::BTreeMap<String, {}>", rust_ty(plan, inner)),
        Ty::Vec(inner) => format!("Vec<{}>", rust_ty(plan, inner)),
        Ty::Named(key) => plan.types[key].name.clone(),
    }
}
