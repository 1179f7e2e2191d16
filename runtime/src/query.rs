//! Query strings: how a `GET` (or `DELETE`) request struct goes on the wire.
//!
//! DevRev's rules, applied by a small serde `Serializer`:
//!
//! - each field is one parameter, in declaration order; `None` fields and
//!   empty arrays are left out;
//! - an array is one parameter with comma-joined values (`explode: false`):
//!   `type=a,b`;
//! - a nested struct or map becomes dotted names: a date filter in
//!   `created_date` gives `created_date.after=...&created_date.before=...`;
//! - enums use their wire strings (whatever their `Serialize` writes);
//! - names and values are percent-encoded (everything but `A-Z a-z 0-9 - . _ ~`),
//!   so a comma inside a value is `%2C` and cannot be mistaken for a separator.
//!
//! Arrays of objects cannot be expressed in a query and are an error; so are
//! an empty string inside a comma-joined array (`[""]` and `["x", ""]` have
//! no unambiguous spelling) and a float that is NaN or infinite. A single
//! empty string (`name=""`) is sent as `name=`, and a [`Repeated`] array may
//! hold empty strings (`key=&key=x`).
//!
//! A few DevRev parameters take one parameter per value instead, because each
//! value holds commas of its own (`custom_field_filter=f1:a,b&custom_field_filter=f2:c`):
//! wrap such an array in [`Repeated`]. In a JSON body it is a plain array.

use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::ser::{self, Impossible, Serialize};

/// Characters that are percent-encoded: all but the unreserved ones.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A value that cannot be written as a DevRev query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(String);

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot encode the query string: {}", self.0)
    }
}

impl std::error::Error for QueryError {}

impl ser::Error for QueryError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        QueryError(msg.to_string())
    }
}

/// Serializes `value` (a struct or a map) as a DevRev query string, without the `?`.
///
/// # Errors
/// [`QueryError`] when the value is not a struct or map at the top, or holds
/// something a query cannot express (an array of objects, bytes).
pub fn to_query_string<T: Serialize + ?Sized>(value: &T) -> Result<String, QueryError> {
    let mut pairs = Vec::new();
    value.serialize(Node { prefix: None, repeat: false, out: &mut pairs })?;
    let mut query = String::new();
    for (key, value) in pairs {
        if !query.is_empty() {
            query.push('&');
        }
        query.extend(utf8_percent_encode(&key, ENCODE));
        query.push('=');
        query.push_str(&value);
    }
    Ok(query)
}

/// The newtype name [`Repeated`] serializes under, which the query serializer
/// recognises; any other serializer sees a plain newtype and writes the array.
const REPEATED: &str = "$devrev::query::Repeated";

/// An array written as one query parameter per value (`key=a&key=b`) rather
/// than one comma-joined parameter; in a JSON body it is a plain array.
///
/// ```
/// use devrev_runtime::query::{to_query_string, Repeated};
///
/// #[derive(serde::Serialize)]
/// struct Filter {
///     custom_field_filter: Repeated<String>,
/// }
/// let filter = Filter { custom_field_filter: ["tier:gold,silver", "region:emea"].into_iter().map(String::from).collect() };
/// assert_eq!(
///     to_query_string(&filter).unwrap(),
///     "custom_field_filter=tier%3Agold%2Csilver&custom_field_filter=region%3Aemea"
/// );
/// assert_eq!(serde_json::to_string(&filter).unwrap(), r#"{"custom_field_filter":["tier:gold,silver","region:emea"]}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Repeated<T>(pub Vec<T>);

impl<T> Repeated<T> {
    /// The values.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The values, unwrapped.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T> From<Vec<T>> for Repeated<T> {
    fn from(values: Vec<T>) -> Self {
        Repeated(values)
    }
}

impl<T> FromIterator<T> for Repeated<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Repeated(iter.into_iter().collect())
    }
}

impl<T> IntoIterator for Repeated<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<T: Serialize> Serialize for Repeated<T> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(REPEATED, &self.0)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Repeated<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::deserialize(deserializer).map(Repeated)
    }
}

fn encode(value: &str) -> String {
    utf8_percent_encode(value, ENCODE).to_string()
}

/// A float as text; NaN and the infinities have no JSON or DevRev spelling,
/// so they are an error rather than `NaN` or `inf` on the wire.
fn finite(value: f64, shown: impl fmt::Display) -> Result<String, QueryError> {
    if value.is_finite() {
        Ok(shown.to_string())
    } else {
        Err(QueryError(format!("{value} is not a finite number, which a query string cannot hold")))
    }
}

fn join(prefix: Option<&str>, key: &str) -> String {
    match prefix {
        Some(p) => format!("{p}.{key}"),
        None => key.to_owned(),
    }
}

/// Serializes a value at a position: the top (no prefix) or a named parameter.
struct Node<'a> {
    prefix: Option<String>,
    /// An array here is written one parameter per value ([`Repeated`]).
    repeat: bool,
    out: &'a mut Vec<(String, String)>,
}

impl Node<'_> {
    fn scalar(self, value: String) -> Result<(), QueryError> {
        match self.prefix {
            Some(key) => {
                self.out.push((key, encode(&value)));
                Ok(())
            }
            None => Err(QueryError("the request must be a struct or a map, not a single value".into())),
        }
    }
}

macro_rules! scalars {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result<Self::Ok, Self::Error> { self.scalar(v.to_string()) })*
    };
}

impl<'a> ser::Serializer for Node<'a> {
    type Ok = ();
    type Error = QueryError;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Impossible<(), QueryError>;
    type SerializeMap = Map<'a>;
    type SerializeStruct = Map<'a>;
    type SerializeStructVariant = Impossible<(), QueryError>;

    scalars!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_u128: u128, serialize_char: char, serialize_str: &str);

    fn serialize_f32(self, v: f32) -> Result<(), QueryError> {
        self.scalar(finite(f64::from(v), v)?)
    }
    fn serialize_f64(self, v: f64) -> Result<(), QueryError> {
        self.scalar(finite(v, v)?)
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), QueryError> {
        Err(QueryError("bytes cannot go in a query string".into()))
    }
    fn serialize_none(self) -> Result<(), QueryError> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), QueryError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), QueryError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), QueryError> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), QueryError> {
        self.scalar(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<(), QueryError> {
        let repeat = name == REPEATED;
        value.serialize(Node { repeat, ..self })
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: &T,
    ) -> Result<(), QueryError> {
        Err(QueryError(format!("the enum variant `{variant}` carries data, which a query string cannot hold")))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>, QueryError> {
        match self.prefix {
            Some(key) => Ok(Seq { key, repeat: self.repeat, values: Vec::new(), out: self.out }),
            None => Err(QueryError("the request must be a struct or a map, not an array".into())),
        }
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>, QueryError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a>, QueryError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, QueryError> {
        Err(QueryError(format!("the enum variant `{variant}` carries data, which a query string cannot hold")))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Map<'a>, QueryError> {
        Ok(Map { prefix: self.prefix, key: None, out: self.out })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Map<'a>, QueryError> {
        Ok(Map { prefix: self.prefix, key: None, out: self.out })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, QueryError> {
        Err(QueryError(format!("the enum variant `{variant}` carries data, which a query string cannot hold")))
    }
}

/// The fields of a struct or the entries of a map.
struct Map<'a> {
    prefix: Option<String>,
    key: Option<String>,
    out: &'a mut Vec<(String, String)>,
}

impl ser::SerializeStruct for Map<'_> {
    type Ok = ();
    type Error = QueryError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), QueryError> {
        value.serialize(Node { prefix: Some(join(self.prefix.as_deref(), key)), repeat: false, out: self.out })
    }
    fn end(self) -> Result<(), QueryError> {
        Ok(())
    }
}

impl ser::SerializeMap for Map<'_> {
    type Ok = ();
    type Error = QueryError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), QueryError> {
        match key.serialize(Scalar)? {
            Some(key) => {
                self.key = Some(join(self.prefix.as_deref(), &key));
                Ok(())
            }
            None => Err(QueryError("a map key must be a string or a number".into())),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), QueryError> {
        let key = self.key.take().ok_or_else(|| QueryError("a map value came without its key".into()))?;
        value.serialize(Node { prefix: Some(key), repeat: false, out: self.out })
    }
    fn end(self) -> Result<(), QueryError> {
        Ok(())
    }
}

/// An array: one parameter, comma-joined, or one parameter per value.
struct Seq<'a> {
    key: String,
    repeat: bool,
    values: Vec<String>,
    out: &'a mut Vec<(String, String)>,
}

impl Seq<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), QueryError> {
        if let Some(v) = value.serialize(Scalar)? {
            if v.is_empty() && !self.repeat {
                // `key=` reads as no value and `key=x,` as a stray comma: an
                // empty element of a comma-joined array has no spelling.
                return Err(QueryError(format!(
                    "`{}` holds an empty string, which a comma-joined query array cannot express",
                    self.key
                )));
            }
            self.values.push(encode(&v));
        }
        Ok(())
    }
    fn finish(self) -> Result<(), QueryError> {
        if self.repeat {
            let key = self.key;
            self.out.extend(self.values.into_iter().map(|value| (key.clone(), value)));
        } else if !self.values.is_empty() {
            self.out.push((self.key, self.values.join(",")));
        }
        Ok(())
    }
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = ();
    type Error = QueryError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), QueryError> {
        self.push(value)
    }
    fn end(self) -> Result<(), QueryError> {
        self.finish()
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = ();
    type Error = QueryError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), QueryError> {
        self.push(value)
    }
    fn end(self) -> Result<(), QueryError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = ();
    type Error = QueryError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), QueryError> {
        self.push(value)
    }
    fn end(self) -> Result<(), QueryError> {
        self.finish()
    }
}

/// A single value inside an array or a map key: scalars only.
struct Scalar;

macro_rules! scalar_values {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result<Option<String>, QueryError> { Ok(Some(v.to_string())) })*
    };
}

fn not_scalar<T>() -> Result<T, QueryError> {
    Err(QueryError("an array in a query string can hold only strings, numbers, booleans and plain enums".into()))
}

impl ser::Serializer for Scalar {
    type Ok = Option<String>;
    type Error = QueryError;
    type SerializeSeq = Impossible<Option<String>, QueryError>;
    type SerializeTuple = Impossible<Option<String>, QueryError>;
    type SerializeTupleStruct = Impossible<Option<String>, QueryError>;
    type SerializeTupleVariant = Impossible<Option<String>, QueryError>;
    type SerializeMap = Impossible<Option<String>, QueryError>;
    type SerializeStruct = Impossible<Option<String>, QueryError>;
    type SerializeStructVariant = Impossible<Option<String>, QueryError>;

    scalar_values!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_u128: u128, serialize_char: char, serialize_str: &str);

    fn serialize_f32(self, v: f32) -> Result<Option<String>, QueryError> {
        finite(f64::from(v), v).map(Some)
    }
    fn serialize_f64(self, v: f64) -> Result<Option<String>, QueryError> {
        finite(v, v).map(Some)
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<Option<String>, QueryError> {
        not_scalar()
    }
    fn serialize_none(self) -> Result<Option<String>, QueryError> {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Option<String>, QueryError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Option<String>, QueryError> {
        Ok(None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Option<String>, QueryError> {
        Ok(None)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Option<String>, QueryError> {
        Ok(Some(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Option<String>, QueryError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Option<String>, QueryError> {
        not_scalar()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, QueryError> {
        not_scalar()
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, QueryError> {
        not_scalar()
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, QueryError> {
        not_scalar()
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, QueryError> {
        not_scalar()
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, QueryError> {
        not_scalar()
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, QueryError> {
        not_scalar()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, QueryError> {
        not_scalar()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Filter {
        #[serde(skip_serializing_if = "Option::is_none")]
        after: Option<&'static str>,
        before: Option<&'static str>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Mode {
        After,
    }

    #[derive(Serialize)]
    struct Req {
        account: Vec<&'static str>,
        created_date: Option<Filter>,
        display_name: Vec<&'static str>,
        limit: Option<u32>,
        mode: Option<Mode>,
        cursor: Option<String>,
        empty: Vec<String>,
    }

    #[test]
    fn devrev_rules() {
        let req = Req {
            account: vec!["ACC-1", "ACC-2"],
            created_date: Some(Filter { after: Some("2024-01-01T00:00:00Z"), before: None }),
            display_name: vec!["A&B, Inc.", "é 1"],
            limit: Some(50),
            mode: Some(Mode::After),
            cursor: None,
            empty: vec![],
        };
        assert_eq!(
            to_query_string(&req).unwrap(),
            "account=ACC-1,ACC-2&created_date.after=2024-01-01T00%3A00%3A00Z&display_name=A%26B%2C%20Inc.,%C3%A9%201&limit=50&mode=after"
        );
    }

    #[test]
    fn repeated_arrays_are_one_parameter_per_value() {
        #[derive(Serialize)]
        struct Req {
            #[serde(skip_serializing_if = "Option::is_none")]
            filter: Option<Repeated<&'static str>>,
            empty: Repeated<&'static str>,
            tags: Vec<&'static str>,
        }
        let req = Req { filter: Some(Repeated(vec!["a:1,2", "b:3"])), empty: Repeated(vec![]), tags: vec!["x", "y"] };
        assert_eq!(to_query_string(&req).unwrap(), "filter=a%3A1%2C2&filter=b%3A3&tags=x,y");
        let req = Req { filter: None, empty: Repeated(vec![]), tags: vec![] };
        assert_eq!(to_query_string(&req).unwrap(), "");
    }

    #[test]
    fn rejects_what_a_query_cannot_hold() {
        #[derive(Serialize)]
        struct Nested {
            items: Vec<Filter>,
        }
        let err = to_query_string(&Nested { items: vec![Filter { after: None, before: None }] }).unwrap_err();
        assert!(err.to_string().contains("array"), "{err}");
        assert!(to_query_string(&5u32).is_err());
        assert_eq!(to_query_string(&()).unwrap(), "");
    }

    #[test]
    fn empty_strings_in_arrays_and_non_finite_floats_are_typed_errors() {
        #[derive(Serialize)]
        struct Tags {
            tags: Vec<&'static str>,
        }
        for tags in [vec![""], vec!["x", ""], vec!["", "x"]] {
            let err = to_query_string(&Tags { tags: tags.clone() }).unwrap_err();
            assert!(err.to_string().contains("`tags` holds an empty string"), "{tags:?}: {err}");
        }
        // A lone empty string is a parameter with an empty value; a repeated
        // array spells each value on its own.
        #[derive(Serialize)]
        struct Name {
            name: &'static str,
            filter: Repeated<&'static str>,
        }
        assert_eq!(
            to_query_string(&Name { name: "", filter: Repeated(vec!["", "a"]) }).unwrap(),
            "name=&filter=&filter=a"
        );

        #[derive(Serialize)]
        struct Score {
            score: f64,
            weights: Vec<f32>,
        }
        assert_eq!(to_query_string(&Score { score: 0.5, weights: vec![0.1, 2.0] }).unwrap(), "score=0.5&weights=0.1,2");
        for (score, weights) in
            [(f64::NAN, vec![]), (f64::INFINITY, vec![]), (1.0, vec![f32::NEG_INFINITY]), (1.0, vec![f32::NAN])]
        {
            let err = to_query_string(&Score { score, weights: weights.clone() }).unwrap_err();
            assert!(err.to_string().contains("not a finite number"), "{score} {weights:?}: {err}");
        }
    }
}
