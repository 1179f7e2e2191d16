//! The derives' inputs as typed models that keep the user's tokens for spans.

use proc_macro2::Span;

use crate::ctxt::Ctxt;

/// A string given in `#[custom(...)]`, with where it was written.
pub(crate) struct Named {
    pub(crate) value: String,
    pub(crate) span: Span,
}

/// A struct deriving `CustomFields`.
pub(crate) struct Container<'a> {
    pub(crate) input: &'a syn::DeriveInput,
    /// `leaf = "..."`.
    pub(crate) leaf: Option<Named>,
    /// `subtype = "..."`.
    pub(crate) subtype: Option<Named>,
    /// `crate = path`, for a renamed dependency.
    pub(crate) krate: syn::Path,
    pub(crate) fields: Vec<Field<'a>>,
}

/// One field of it.
pub(crate) struct Field<'a> {
    pub(crate) member: &'a syn::Ident,
    /// The type without `Option`.
    pub(crate) inner: &'a syn::Type,
    /// Spelled `Option<...>`.
    pub(crate) optional: bool,
    /// The custom field's name, without prefix.
    pub(crate) name: Named,
    /// `#[custom(filterable)]`.
    pub(crate) filterable: bool,
}

/// An enum deriving `CustomEnum`.
pub(crate) struct Enum<'a> {
    pub(crate) input: &'a syn::DeriveInput,
    pub(crate) krate: syn::Path,
    pub(crate) variants: Vec<(&'a syn::Ident, Named)>,
}

fn default_crate() -> syn::Path {
    syn::parse_quote!(::devrev)
}

fn lit_str(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Named> {
    let lit: syn::LitStr = meta.value()?.parse()?;
    Ok(Named { value: lit.value(), span: lit.span() })
}

/// `Option<T>` gives `T`.
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first() {
        Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

fn check_duplicate<T>(cx: &mut Ctxt, slot: &Option<T>, meta: &syn::meta::ParseNestedMeta, key: &str) {
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, format!("duplicate custom attribute `{key}`"));
    }
}

impl<'a> Container<'a> {
    pub(crate) fn parse(input: &'a syn::DeriveInput) -> syn::Result<Self> {
        let mut cx = Ctxt::default();
        let mut leaf = None;
        let mut subtype = None;
        let mut krate = None;
        for attr in input.attrs.iter().filter(|a| a.path().is_ident("custom")) {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("leaf") {
                    check_duplicate(&mut cx, &leaf, &meta, "leaf");
                    leaf = Some(lit_str(&meta)?);
                } else if meta.path.is_ident("subtype") {
                    check_duplicate(&mut cx, &subtype, &meta, "subtype");
                    subtype = Some(lit_str(&meta)?);
                } else if meta.path.is_ident("crate") {
                    check_duplicate(&mut cx, &krate, &meta, "crate");
                    krate = Some(meta.value()?.parse::<syn::Path>()?);
                } else {
                    return Err(meta.error("unknown custom attribute; expected one of: `leaf`, `subtype`, `crate`"));
                }
                Ok(())
            });
            if let Err(e) = parsed {
                cx.syn_error(e);
            }
        }
        let mut fields = Vec::new();
        match &input.data {
            syn::Data::Struct(syn::DataStruct { fields: syn::Fields::Named(named), .. }) => {
                for field in &named.named {
                    if let Some(parsed) = Field::parse(&mut cx, field) {
                        fields.push(parsed);
                    }
                }
            }
            _ => cx.error_spanned_by(
                &input.ident,
                "`#[derive(CustomFields)]` needs a struct with named fields: each field is a custom field",
            ),
        }
        cx.check()?;
        Ok(Container { input, leaf, subtype, krate: krate.unwrap_or_else(default_crate), fields })
    }
}

impl<'a> Field<'a> {
    fn parse(cx: &mut Ctxt, field: &'a syn::Field) -> Option<Self> {
        let member = field.ident.as_ref()?;
        let mut name = None;
        let mut filterable = false;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("custom")) {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("name") {
                    check_duplicate(cx, &name, &meta, "name");
                    name = Some(lit_str(&meta)?);
                } else if meta.path.is_ident("filterable") {
                    filterable = true;
                } else {
                    return Err(meta.error("unknown custom field attribute; expected one of: `name`, `filterable`"));
                }
                Ok(())
            });
            if let Err(e) = parsed {
                cx.syn_error(e);
            }
        }
        let ident = member.to_string();
        let name = name.unwrap_or_else(|| Named {
            value: ident.strip_prefix("r#").unwrap_or(&ident).to_owned(),
            span: member.span(),
        });
        let (inner, optional) = match option_inner(&field.ty) {
            Some(inner) => (inner, true),
            None => (&field.ty, false),
        };
        Some(Field { member, inner, optional, name, filterable })
    }
}

impl<'a> Enum<'a> {
    pub(crate) fn parse(input: &'a syn::DeriveInput) -> syn::Result<Self> {
        let mut cx = Ctxt::default();
        let mut krate = None;
        for attr in input.attrs.iter().filter(|a| a.path().is_ident("custom")) {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("crate") {
                    check_duplicate(&mut cx, &krate, &meta, "crate");
                    krate = Some(meta.value()?.parse::<syn::Path>()?);
                    Ok(())
                } else {
                    Err(meta.error("unknown custom attribute; expected `crate`"))
                }
            });
            if let Err(e) = parsed {
                cx.syn_error(e);
            }
        }
        let mut variants = Vec::new();
        match &input.data {
            syn::Data::Enum(data) => {
                if data.variants.is_empty() {
                    cx.error_spanned_by(&input.ident, "`#[derive(CustomEnum)]` needs at least one variant");
                }
                for variant in &data.variants {
                    if !matches!(variant.fields, syn::Fields::Unit) {
                        cx.error_spanned_by(
                            &variant.fields,
                            "a custom enum's variants carry no data: each is one allowed value",
                        );
                    }
                    let mut rename = None;
                    for attr in variant.attrs.iter().filter(|a| a.path().is_ident("custom")) {
                        let parsed = attr.parse_nested_meta(|meta| {
                            if meta.path.is_ident("rename") {
                                check_duplicate(&mut cx, &rename, &meta, "rename");
                                rename = Some(lit_str(&meta)?);
                                Ok(())
                            } else {
                                Err(meta.error("unknown custom variant attribute; expected `rename`"))
                            }
                        });
                        if let Err(e) = parsed {
                            cx.syn_error(e);
                        }
                    }
                    let value = rename
                        .unwrap_or_else(|| Named { value: variant.ident.to_string(), span: variant.ident.span() });
                    variants.push((&variant.ident, value));
                }
            }
            _ => cx.error_spanned_by(
                &input.ident,
                "`#[derive(CustomEnum)]` needs an enum: each variant is one allowed value",
            ),
        }
        cx.check()?;
        Ok(Enum { input, krate: krate.unwrap_or_else(default_crate), variants })
    }
}
