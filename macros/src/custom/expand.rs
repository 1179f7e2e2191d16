//! The impls: `devrev::custom_fields::CustomFields` for a struct,
//! `devrev::custom_fields::CustomScalar` for an enum. Generated code names
//! only the `devrev` crate (or `crate = ...`), through one local alias.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::ast::{Container, Enum};

pub(crate) fn fields(c: &Container) -> TokenStream {
    let krate = &c.krate;
    let ident = &c.input.ident;
    let (impl_generics, ty_generics, where_clause) = c.input.generics.split_for_impl();
    let leaf = c.leaf.as_ref().map(|l| l.value.clone()).unwrap_or_default();
    let subtype = match &c.subtype {
        Some(s) => {
            let value = &s.value;
            quote!(::core::option::Option::Some(#value))
        }
        None => quote!(::core::option::Option::None),
    };
    let prefix = if c.subtype.is_some() { "ctype__" } else { "tnt__" };
    let mut specs = Vec::new();
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for f in &c.fields {
        let member = f.member;
        let name = &f.name.value;
        let wire = format!("{prefix}{name}");
        let required = !f.optional;
        let filterable = f.filterable;
        // Every use of the field's type is spanned on it and names the same
        // bound, so an unsupported type is one error, on the type.
        let value_trait = quote_spanned!(f.inner.span()=> __devrev::custom_fields::CustomValue);
        let inner = f.inner;
        specs.push(quote_spanned! {f.inner.span()=>
            __devrev::custom_fields::FieldSpec {
                name: #name,
                wire: #wire,
                field_type: <#inner as #value_trait>::FIELD_TYPE,
                array: <#inner as #value_trait>::ARRAY,
                required: #required,
                filterable: #filterable,
                allowed_values: <#inner as #value_trait>::ALLOWED_VALUES,
            }
        });
        if f.optional {
            reads.push(quote_spanned! {f.inner.span()=>
                #member: __devrev::custom_fields::read_field(map, #wire, <#inner as #value_trait>::from_json)?
            });
            writes.push(quote_spanned! {f.inner.span()=>
                if let ::core::option::Option::Some(value) = &self.#member {
                    map.insert(::core::convert::From::from(#wire), <#inner as #value_trait>::to_json(value));
                }
            });
        } else {
            reads.push(quote_spanned! {f.inner.span()=>
                #member: __devrev::custom_fields::require_field(map, #wire, <#inner as #value_trait>::from_json)?
            });
            writes.push(quote_spanned! {f.inner.span()=>
                map.insert(::core::convert::From::from(#wire), <#inner as #value_trait>::to_json(&self.#member));
            });
        }
    }
    quote! {
        #[allow(non_upper_case_globals, unused_qualifications)]
        const _: () = {
            use #krate as __devrev;
            #[automatically_derived]
            impl #impl_generics __devrev::custom_fields::CustomFields for #ident #ty_generics #where_clause {
                const LEAF_TYPE: &'static str = #leaf;
                const SUBTYPE: ::core::option::Option<&'static str> = #subtype;
                const FIELDS: &'static [__devrev::custom_fields::FieldSpec] = &[#(#specs),*];

                fn from_custom_fields(
                    map: &__devrev::__private::serde_json::Map<__devrev::__private::String, __devrev::__private::serde_json::Value>,
                ) -> ::core::result::Result<Self, __devrev::custom_fields::CustomFieldsError> {
                    ::core::result::Result::Ok(Self { #(#reads,)* })
                }

                fn write_custom_fields(
                    &self,
                    map: &mut __devrev::__private::serde_json::Map<__devrev::__private::String, __devrev::__private::serde_json::Value>,
                ) {
                    #(#writes)*
                }
            }
        };
    }
}

pub(crate) fn enumeration(e: &Enum) -> TokenStream {
    let krate = &e.krate;
    let ident = &e.input.ident;
    let values: Vec<&String> = e.variants.iter().map(|(_, v)| &v.value).collect();
    let idents: Vec<&syn::Ident> = e.variants.iter().map(|(i, _)| *i).collect();
    let last = idents.len().saturating_sub(1);
    let indexed =
        idents.iter().enumerate().map(
            |(i, v)| {
                if i == last {
                    quote!(_ => #ident::#v)
                } else {
                    quote!(#i => #ident::#v)
                }
            },
        );
    quote! {
        #[allow(non_upper_case_globals, unused_qualifications)]
        const _: () = {
            use #krate as __devrev;
            #[automatically_derived]
            impl __devrev::custom_fields::CustomScalar for #ident {
                const FIELD_TYPE: __devrev::custom_fields::FieldType = __devrev::custom_fields::FieldType::Enum;
                const ALLOWED_VALUES: &'static [&'static str] = &[#(#values),*];

                fn to_json(&self) -> __devrev::__private::serde_json::Value {
                    __devrev::__private::serde_json::Value::String(::core::convert::From::from(match self {
                        #(#ident::#idents => #values,)*
                    }))
                }

                fn from_json(
                    value: &__devrev::__private::serde_json::Value,
                ) -> ::core::result::Result<Self, __devrev::custom_fields::Problem> {
                    let index = __devrev::custom_fields::enum_index(value, <Self as __devrev::custom_fields::CustomScalar>::ALLOWED_VALUES)?;
                    ::core::result::Result::Ok(match index {
                        #(#indexed,)*
                    })
                }
            }
        };
    }
}
