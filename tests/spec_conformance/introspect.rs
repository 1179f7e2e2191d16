//! Serde introspection: the wire names of a struct's fields, read from the
//! `fields` slice that serde's derived `Deserialize` hands to
//! `Deserializer::deserialize_struct`. Renames (`#[serde(rename = "type")]`)
//! are already applied there, so these are the names on the wire.

use std::fmt;

use serde::de::{self, DeserializeOwned, Visitor};

/// Why no field list came back.
#[derive(Debug)]
struct Stop(String);

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Stop(msg.to_string())
    }
}

/// A deserializer that accepts nothing: it only notes what the type asks for.
struct FieldsOf<'a> {
    found: &'a mut Option<&'static [&'static str]>,
}

impl<'de> de::Deserializer<'de> for FieldsOf<'_> {
    type Error = Stop;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Stop> {
        *self.found = Some(fields);
        Err(Stop(format!("stopped after reading the fields of `{name}`")))
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        Err(Stop(format!(
            "asked for a value by `deserialize_any` (expecting {}), not a plain struct",
            Expecting(&visitor)
        )))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// Shows what a visitor expects, for the error message.
struct Expecting<'a, V>(&'a V);

impl<'de, V: Visitor<'de>> fmt::Display for Expecting<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
}

/// The wire names of `T`'s fields, in declaration order.
///
/// # Errors
/// When `T` does not deserialize as a plain struct (a map, a flattened
/// struct, an enum, ...): the field list is then not knowable this way.
pub fn wire_fields<T: DeserializeOwned>() -> Result<&'static [&'static str], String> {
    let mut found = None;
    let outcome = T::deserialize(FieldsOf { found: &mut found });
    match (found, outcome) {
        (Some(fields), _) => Ok(fields),
        (None, Ok(_)) => Err(format!("`{}` deserialized from nothing", std::any::type_name::<T>())),
        (None, Err(e)) => Err(format!("`{}`: {e}", std::any::type_name::<T>())),
    }
}

/// [`wire_fields`] of the type of `value`: lets a `match` arm name a union
/// variant's payload type without spelling it out.
pub fn wire_fields_of_val<T: DeserializeOwned>(_value: &T) -> Result<&'static [&'static str], String> {
    wire_fields::<T>()
}
