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
/// of `impl Into<Item>`.
#[doc(hidden)]
#[macro_export]
macro_rules! setters {
    () => {};
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
