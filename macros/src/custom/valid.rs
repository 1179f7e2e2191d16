//! Checks that need the whole input: one spanned error per mistake, all
//! reported in one build.

use std::collections::HashMap;

use super::ast::{Container, Enum};
use crate::ctxt::Ctxt;

/// The wire prefixes the derive adds; a name must not carry one already.
const PREFIXES: &[&str] = &["tnt__", "ctype__"];

pub(crate) fn container(c: &Container) -> syn::Result<()> {
    let mut cx = Ctxt::default();
    match (&c.leaf, &c.subtype) {
        (None, Some(subtype)) => cx.syn_error(syn::Error::new(
            subtype.span,
            "a subtype needs its leaf type: add `leaf = \"...\"`, the object type the subtype belongs to \
             (`issue`, `ticket`, `account`, ...)",
        )),
        (None, None) => cx.error_spanned_by(
            &c.input.ident,
            "missing `#[custom(leaf = \"...\")]`: the object type these fields belong to \
             (`ticket`, `issue`, `account`, ...), with `subtype = \"...\"` for a subtype's fields",
        ),
        _ => {}
    }
    for value in [&c.leaf, &c.subtype].into_iter().flatten() {
        if value.value.is_empty() {
            cx.syn_error(syn::Error::new(value.span, "must not be empty"));
        }
    }
    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
    for field in &c.fields {
        let name = field.name.value.as_str();
        if let Some(prefix) = PREFIXES.iter().find(|p| name.starts_with(**p)) {
            cx.syn_error(syn::Error::new(
                field.name.span,
                format!(
                    "custom field name `{name}` already has the prefix `{prefix}`: write `{}`, the derive adds \
                     `tnt__` (tenant fields) or `ctype__` (subtype fields)",
                    &name[prefix.len()..]
                ),
            ));
        } else if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            cx.syn_error(syn::Error::new(
                field.name.span,
                format!("custom field name `{name}`: use letters, digits and `_` only"),
            ));
        }
        if let Some(first) = seen.insert(name, field.member) {
            cx.syn_error(syn::Error::new(
                field.name.span,
                format!("duplicate custom field name `{name}`: field `{first}` has it too"),
            ));
        }
    }
    cx.check()
}

pub(crate) fn enumeration(e: &Enum) -> syn::Result<()> {
    let mut cx = Ctxt::default();
    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
    for (ident, value) in &e.variants {
        if value.value.is_empty() {
            cx.syn_error(syn::Error::new(value.span, "an allowed value must not be empty"));
        }
        if let Some(first) = seen.insert(value.value.as_str(), ident) {
            cx.syn_error(syn::Error::new(
                value.span,
                format!("duplicate allowed value `{}`: variant `{first}` has it too", value.value),
            ));
        }
    }
    cx.check()
}
