//! Declarative helpers for the models: open string enums, tagged unions and
//! request setters. Each generates code that would otherwise be written out
//! dozens of times.

/// An enum of wire strings that grows over time: a value this crate does not
/// know decodes to `Unknown(String)` instead of failing.
#[doc(hidden)]
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this crate does not know yet, as sent.
            Unknown(String),
        }

        impl $name {
            /// The value as it goes on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Unknown(other) => other,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $( $wire => $name::$variant, )*
                    other => $name::Unknown(other.to_owned()),
                })
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl $crate::__private::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }
                    fn visit_str<E: $crate::__private::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok(v.parse().unwrap_or_else(|never| match never {}))
                    }
                }
                d.deserialize_str(Visitor)
            }
        }
    };
}

/// A union of object types tagged on `type`: a `type` this crate does not know
/// decodes to `Unknown` with the tag and the raw fields.
///
/// Two options may come first, before the enum, ended by `;`:
/// `tag = "field"` tags on another field than `type`, and `deserialize_only`
/// leaves out `Serialize` (for unions that only come in answers: the
/// generated code does, to save compile time).
#[doc(hidden)]
#[macro_export]
macro_rules! tagged_union {
    (tag = $tag:literal, deserialize_only; $($rest:tt)*) => {
        $crate::tagged_union!(@de $tag; $($rest)*);
    };
    (tag = $tag:literal; $($rest:tt)*) => {
        $crate::tagged_union!(@de $tag; $($rest)*);
        $crate::tagged_union!(@ser $tag; $($rest)*);
    };
    (deserialize_only; $($rest:tt)*) => {
        $crate::tagged_union!(@de "type"; $($rest)*);
    };
    (
        @de $tag:literal;
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident($ty:ty) = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant($ty), )*
            #[doc = concat!("A `", $tag, "` this crate does not know yet, with its fields.")]
            Unknown($crate::models::UnknownObject),
        }

        impl $name {
            #[doc = concat!("The `", $tag, "` tag as it goes on the wire.")]
            pub fn type_name(&self) -> &str {
                match self {
                    $( $name::$variant(_) => $wire, )*
                    $name::Unknown(other) => &other.type_name,
                }
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use $crate::__private::serde::de::Error as _;
                let mut fields = <$crate::__private::serde_json::Map<String, $crate::__private::serde_json::Value> as $crate::__private::serde::Deserialize>::deserialize(d)?;
                let tag = match fields.remove($tag) {
                    Some($crate::__private::serde_json::Value::String(tag)) => tag,
                    Some(_) => return Err(D::Error::custom(concat!("the `", $tag, "` of a ", stringify!($name), " must be a string"))),
                    None => return Err(D::Error::missing_field($tag)),
                };
                match tag.as_str() {
                    $( $wire => $crate::__private::serde_json::from_value($crate::__private::serde_json::Value::Object(fields))
                        .map($name::$variant)
                        .map_err(|e| D::Error::custom(format_args!("{} `{}`: {e}", stringify!($name), $wire))), )*
                    _ => Ok($name::Unknown($crate::models::UnknownObject::__from_parts(tag, fields))),
                }
            }
        }
    };
    (
        @ser $tag:literal;
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident($ty:ty) = $wire:literal, )*
        }
    ) => {
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use $crate::__private::serde::ser::Error as _;
                let (tag, value) = match self {
                    $( $name::$variant(inner) => ($wire, $crate::__private::serde_json::to_value(inner).map_err(S::Error::custom)?), )*
                    $name::Unknown(other) => (other.type_name.as_str(), $crate::__private::serde_json::Value::Object(other.fields.clone())),
                };
                let mut map = match value {
                    $crate::__private::serde_json::Value::Object(map) => map,
                    _ => $crate::__private::serde_json::Map::new(),
                };
                map.insert($tag.to_owned(), $crate::__private::serde_json::Value::String(tag.to_owned()));
                $crate::__private::serde::Serialize::serialize(&map, s)
            }
        }
    };
    ($($rest:tt)*) => {
        $crate::tagged_union!(@de "type"; $($rest)*);
        $crate::tagged_union!(@ser "type"; $($rest)*);
    };
}

/// Builder-style setters for the optional fields of a request.
///
/// `name: Type` takes `impl Into<Type>`; `list name: Item` takes any iterator
/// of `impl Into<Item>`. A primitive number type (`i32`, `i64`, `f32`, ...)
/// is taken as itself, as `#[devrev_endpoint(.., builder)]` takes it, so a
/// literal infers: `.temperature(0.5)` on an `f32` field (with
/// `impl Into<f32>` the literal is an `f64`, which does not convert), a
/// `.limit(5_000_000_000)` on an `i64` one, `[1, 2]` for a list of `i64`.
#[doc(hidden)]
#[macro_export]
macro_rules! setters {
    () => {};
    // The parameter type for a value of the type named: a primitive number
    // itself, anything else `impl Into<T>` (expanded in type position).
    (@param u8) => { u8 };
    (@param u16) => { u16 };
    (@param u32) => { u32 };
    (@param u64) => { u64 };
    (@param u128) => { u128 };
    (@param usize) => { usize };
    (@param i8) => { i8 };
    (@param i16) => { i16 };
    (@param i32) => { i32 };
    (@param i64) => { i64 };
    (@param i128) => { i128 };
    (@param isize) => { isize };
    (@param f32) => { f32 };
    (@param f64) => { f64 };
    (@param $other:ident) => { impl ::core::convert::Into<$other> };
    // A type named by one identifier may be a number: its parameter type is
    // chosen above. Any other type (a path, generics) takes `impl Into<T>`.
    ($(#[$m:meta])* list $field:ident : $item:ident $(, $($rest:tt)*)?) => {
        $(#[$m])*
        #[must_use]
        #[allow(clippy::useless_conversion)] // a number is taken as itself
        pub fn $field(mut self, values: impl ::core::iter::IntoIterator<Item = $crate::setters!(@param $item)>) -> Self {
            self.$field = Some(values.into_iter().map(::core::convert::Into::into).collect());
            self
        }
        $crate::setters!($($($rest)*)?);
    };
    ($(#[$m:meta])* list $field:ident : $item:ty $(, $($rest:tt)*)?) => {
        $(#[$m])*
        #[must_use]
        pub fn $field<I>(mut self, values: I) -> Self
        where
            I: IntoIterator,
            I::Item: Into<$item>,
        {
            self.$field = Some(values.into_iter().map(Into::into).collect());
            self
        }
        $crate::setters!($($($rest)*)?);
    };
    ($(#[$m:meta])* $field:ident : $ty:ident $(, $($rest:tt)*)?) => {
        $(#[$m])*
        #[must_use]
        #[allow(clippy::useless_conversion)] // a number is taken as itself
        pub fn $field(mut self, value: $crate::setters!(@param $ty)) -> Self {
            self.$field = Some(::core::convert::Into::into(value));
            self
        }
        $crate::setters!($($($rest)*)?);
    };
    ($(#[$m:meta])* $field:ident : $ty:ty $(, $($rest:tt)*)?) => {
        $(#[$m])*
        #[must_use]
        pub fn $field(mut self, value: impl Into<$ty>) -> Self {
            self.$field = Some(value.into());
            self
        }
        $crate::setters!($($($rest)*)?);
    };
}

/// The two forms of a read endpoint: DevRev serves `*.get` and `*.list` both
/// as `GET` (the fields in the query string) and as `POST` (the same fields
/// as a JSON body). One field list declares both structs, so they cannot
/// drift apart; the `impl` body (constructor, setters) is given to both, and
/// `From` converts either form into the other.
///
/// ```text
/// get_and_post! {
///     /// GET docs
///     #[devrev_endpoint(GET, "/things.get", response = ThingsGetResponse)]
///     get ThingsGetQueryRequest,
///     /// POST docs
///     #[devrev_endpoint(POST, "/things.get", idempotent)]
///     post ThingsGetRequest,
///     #[derive(Debug, Clone, Serialize)]   // shared attributes
///     fields { /// docs
///              pub id: String, }
///     impl { pub fn new(id: impl Into<String>) -> Self { Self { id: id.into() } } }
/// }
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! get_and_post {
    (
        $(#[$get_attr:meta])*
        get $get:ident,
        $(#[$post_attr:meta])*
        post $post:ident,
        $(#[$attr:meta])*
        fields {
            $( $(#[$field_attr:meta])* pub $field:ident : $ty:ty, )*
        }
        impl {
            $($body:tt)*
        }
    ) => {
        $(#[$get_attr])*
        $(#[$attr])*
        pub struct $get {
            $( $(#[$field_attr])* pub $field: $ty, )*
        }

        $(#[$post_attr])*
        $(#[$attr])*
        pub struct $post {
            $( $(#[$field_attr])* pub $field: $ty, )*
        }

        impl $get {
            $($body)*
        }

        impl $post {
            $($body)*
        }

        impl ::std::convert::From<$get> for $post {
            #[doc = concat!("The `POST` form of the same request: `", stringify!($post), "`.")]
            fn from($get { $( $field, )* }: $get) -> Self {
                $post { $( $field, )* }
            }
        }

        impl ::std::convert::From<$post> for $get {
            #[doc = concat!("The `GET` form of the same request: `", stringify!($get), "`.")]
            fn from($post { $( $field, )* }: $post) -> Self {
                $get { $( $field, )* }
            }
        }
    };
}

/// Typed custom fields (`crate::custom_fields`) on a generated type with a
/// `custom_fields` object, one call per type:
///
/// - `custom_access!(read Type)`: `custom::<T>()` decodes its `custom_fields`;
/// - `custom_access!(read Union { A, B })`: the same on a union whose every
///   variant has them (an `Unknown` one's raw `custom_fields` too);
/// - `custom_access!(write Request)`: `.custom(&fields)` sets the custom
///   fields of `fields` that are set, keeping the others;
/// - `custom_access!(write Request, spec = custom_schema_spec)`: and names
///   their fragment in that field (the subtype's, or the tenant fragment).
#[doc(hidden)]
#[macro_export]
macro_rules! custom_access {
    (read $name:ident) => {
        impl $name {
            /// Decodes the custom fields as `T` (a `#[derive(CustomFields)]` struct); keys `T` does not
            /// declare are ignored, a value that does not fit is an error naming its field.
            pub fn custom<T: $crate::custom_fields::CustomFields>(
                &self,
            ) -> ::std::result::Result<T, $crate::custom_fields::CustomFieldsError> {
                $crate::custom_fields::decode_from(self.custom_fields.as_ref())
            }
        }
    };
    (read $name:ident { $($variant:ident),+ $(,)? }) => {
        impl $name {
            /// Decodes the custom fields as `T` (a `#[derive(CustomFields)]` struct); keys `T` does not
            /// declare are ignored, a value that does not fit is an error naming its field.
            pub fn custom<T: $crate::custom_fields::CustomFields>(
                &self,
            ) -> ::std::result::Result<T, $crate::custom_fields::CustomFieldsError> {
                $crate::custom_fields::decode_from(match self {
                    $($name::$variant(v) => v.custom_fields.as_ref(),)+
                    $name::Unknown(other) => other.fields.get("custom_fields").and_then(|v| v.as_object()),
                })
            }
        }
    };
    (write $name:ident) => {
        impl $name {
            /// Sets the custom fields of `fields` that are set (`tnt__`/`ctype__` keys) in `custom_fields`,
            /// keeping the keys it has.
            #[must_use]
            pub fn custom<T: $crate::custom_fields::CustomFields>(mut self, fields: &T) -> Self {
                $crate::custom_fields::merge_into(&mut self.custom_fields, fields);
                self
            }
        }
    };
    (write $name:ident, spec = $spec:ident) => {
        impl $name {
            /// Sets the custom fields of `fields` that are set (`tnt__`/`ctype__` keys) in `custom_fields`,
            /// keeping the keys it has, and names their fragment in `custom_schema_spec`.
            #[must_use]
            pub fn custom<T: $crate::custom_fields::CustomFields>(mut self, fields: &T) -> Self {
                $crate::custom_fields::merge_into(&mut self.custom_fields, fields);
                let spec = self.$spec.get_or_insert_with(Default::default);
                match T::SUBTYPE {
                    Some(subtype) => spec.subtype = Some(subtype.to_owned()),
                    None => spec.tenant_fragment = Some(true),
                }
                self
            }
        }
    };
}
