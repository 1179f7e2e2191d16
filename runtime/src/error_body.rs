//! Error bodies: what DevRev sends with an error status, typed.
//!
//! Every DevRev error body is a JSON object with `type`, `message` and
//! `detail`, plus fields that depend on `type`. [`DevRevError`] decodes it into
//! an [`ErrorKind`] that carries those fields; a `type` this crate does not know
//! yet, or a known `type` whose fields do not match, decodes to
//! [`ErrorKind::Unknown`], which keeps the string and the raw fields. An
//! endpoint can name its own body type with `error = ...`: any type that is
//! `Deserialize` and implements [`ErrorBody`].

use std::any::Any;
use std::fmt;
use std::time::Duration;

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The body of an error answer, as an endpoint declares it (`error = ...`).
///
/// The default, [`DevRevError`], is DevRev's own error model. A custom body
/// only has to be `Deserialize` and implement this trait; every method has a
/// default, so `impl devrev::ErrorBody for MyError {}` is enough, and
/// overriding them lets [`Error::error_type`](crate::Error::error_type) and
/// friends, and the retry policy, see into it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as an endpoint's `error = ...` body",
    label = "this type does not implement `devrev::ErrorBody`",
    note = "derive `serde::Deserialize` for it and add `impl devrev::ErrorBody for {Self} {{}}` (every method has a default)"
)]
pub trait ErrorBody: DeserializeOwned + fmt::Debug + Send + Sync + 'static {
    /// The wire `type` string, such as `"not_found"`.
    fn error_type(&self) -> Option<&str> {
        None
    }
    /// The human-readable message.
    fn message(&self) -> Option<&str> {
        None
    }
    /// More detail about the error.
    fn detail(&self) -> Option<&str> {
        None
    }
    /// How long the server asks the caller to wait before trying again.
    fn retry_after(&self) -> Option<Duration> {
        None
    }
    /// An ID to quote to support (DevRev sends it with 500 errors).
    fn reference_id(&self) -> Option<&str> {
        None
    }
}

/// Not part of the API. A request that names its own error body `E` has
/// `<[E; <E as ErrorBodyCheck>::CHECKED] as ErrorOf>::Error` (that is, `E`)
/// as its `Endpoint::Error`, so that a type that is not an `ErrorBody` is
/// reported once, where it is named. Public because that type is.
#[doc(hidden)]
pub trait ErrorOf {
    /// The error body.
    type Error;
}

impl<E, const N: usize> ErrorOf for [E; N] {
    type Error = E;
}

/// Not part of the API: how a request's `error = E` checks, once, that `E`
/// is an [`ErrorBody`]. Naming this constant asks for `E: ErrorBody` and no
/// more (an item of `ErrorBody` itself would ask for its supertraits too),
/// so a user's `impl ErrorBody for E` that lacks `Deserialize` is reported
/// once, on that impl, and a type with no impl once, on `error = E`.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as an endpoint's `error = ...` body",
    label = "this type does not implement `devrev::ErrorBody`",
    note = "derive `serde::Deserialize` for it and add `impl devrev::ErrorBody for {Self} {{}}` (every method has a default)"
)]
pub trait ErrorBodyCheck {
    /// Zero; only its being named matters.
    const CHECKED: usize;
}

impl<E: ErrorBody> ErrorBodyCheck for E {
    const CHECKED: usize = 0;
}

/// A decoded error body, type-erased so [`crate::Error`] needs no type parameter.
pub(crate) trait ErasedBody: fmt::Debug + Send + Sync + 'static {
    fn as_any(&self) -> &dyn Any;
}

impl<T: fmt::Debug + Send + Sync + 'static> ErasedBody for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// DevRev's error body: `type`, `message`, `detail`, and the fields of its type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DevRevError {
    /// The wire `type`, such as `"invalid_enum_value"`; `None` when the body
    /// has none (a proxy's `{"message":"route not found"}`).
    pub error_type: Option<String>,
    /// The message that goes with the error.
    pub message: Option<String>,
    /// More detail about the error.
    pub detail: Option<String>,
    /// The error's type with its own fields.
    pub kind: ErrorKind,
}

/// One dependency of a `missing_dependency` error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MissingDependency {
    /// The dependent field's name.
    pub field_name: String,
    /// The value the dependent field needs.
    pub field_value: String,
}

/// The JSON kinds DevRev names in an `unexpected_json_type` error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonType {
    /// `array`
    Array,
    /// `bool`
    Bool,
    /// `null`
    Null,
    /// `number`
    Number,
    /// `object`
    Object,
    /// `string`
    String,
    /// A kind this crate does not know yet, as sent.
    Unknown(String),
}

impl<'de> Deserialize<'de> for JsonType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "array" => JsonType::Array,
            "bool" => JsonType::Bool,
            "null" => JsonType::Null,
            "number" => JsonType::Number,
            "object" => JsonType::Object,
            "string" => JsonType::String,
            _ => JsonType::Unknown(s),
        })
    }
}

/// The type of a DevRev error, with the fields that type carries.
///
/// Variants follow DevRev's error `type` values by status: 400 (the
/// bad-request family), 401, 403, 404, 409, 429, 500 and 503.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400 `bad_request`.
    BadRequest,
    /// 400 `artifact_already_attached_to_a_parent`.
    #[non_exhaustive]
    ArtifactAlreadyAttachedToAParent {
        /// The parent the artifact is attached to.
        existing_parent: String,
        /// Whether that parent is the one requested.
        is_same: bool,
    },
    /// 400 `customization_validation_error`.
    #[non_exhaustive]
    CustomizationValidationError {
        /// What failed (`field_required`, `wrong_type`, ...).
        subtype: String,
        /// The field at fault.
        field_name: Option<String>,
        /// Why it failed.
        reason: Option<String>,
    },
    /// 400 `invalid_api_version`.
    #[non_exhaustive]
    InvalidApiVersion {
        /// The version that was sent.
        value: String,
    },
    /// 400 `invalid_enum_value`.
    #[non_exhaustive]
    InvalidEnumValue {
        /// The values the field accepts.
        allowed_values: Vec<String>,
        /// The field at fault.
        field_name: String,
        /// The value that was sent.
        value: String,
    },
    /// 400 `invalid_field`.
    #[non_exhaustive]
    InvalidField {
        /// The field at fault.
        field_name: String,
    },
    /// 400 `invalid_id`.
    #[non_exhaustive]
    InvalidId {
        /// The field whose ID is malformed.
        field_name: String,
    },
    /// 400 `merge_works_error`, with its per-work errors as sent.
    #[non_exhaustive]
    MergeWorksError {
        /// The errors found while validating the merge.
        errors: Vec<Value>,
    },
    /// 400 `missing_dependency`.
    #[non_exhaustive]
    MissingDependency {
        /// The fields that must be set too.
        dependencies: Vec<MissingDependency>,
        /// The field the value depends on.
        dependent_field_name: Option<String>,
        /// The value the dependent field needs.
        dependent_field_value: Option<String>,
        /// The field that was sent.
        provided_field_name: Option<String>,
        /// The value that was sent.
        provided_field_value: Option<String>,
    },
    /// 400 `missing_required_field`.
    #[non_exhaustive]
    MissingRequiredField {
        /// The missing field.
        field_name: String,
    },
    /// 400 `parse_error`: the body was not valid JSON for the endpoint.
    ParseError,
    /// 400 `stale_schema_fragments`.
    StaleSchemaFragments,
    /// 400 `unexpected_id_type`.
    #[non_exhaustive]
    UnexpectedIdType {
        /// The field whose ID has the wrong type.
        field_name: String,
    },
    /// 400 `unexpected_json_type`.
    #[non_exhaustive]
    UnexpectedJsonType {
        /// The JSON kind that was sent.
        actual: JsonType,
        /// The JSON kind expected.
        expected: JsonType,
        /// The field at fault.
        field_name: String,
    },
    /// 400 `value_not_permitted`.
    #[non_exhaustive]
    ValueNotPermitted {
        /// The values that are permitted, when DevRev says.
        allowed_values: Vec<String>,
        /// The field at fault.
        field_name: String,
        /// Why the value is not permitted.
        reason: Option<String>,
    },
    /// 400 `workflow_component_validation_errors`, with its errors as sent.
    #[non_exhaustive]
    WorkflowComponentValidationErrors {
        /// The validation errors.
        errors: Vec<Value>,
    },
    /// 401 `unauthenticated`.
    Unauthenticated,
    /// 403 `forbidden`.
    Forbidden,
    /// 404 `not_found`.
    NotFound,
    /// 409 `conflict`.
    Conflict,
    /// 429 `too_many_requests`.
    #[non_exhaustive]
    TooManyRequests {
        /// Seconds to wait, from the body.
        retry_after: Option<u64>,
    },
    /// 500 `internal_error`.
    #[non_exhaustive]
    InternalError {
        /// The ID to quote to support.
        reference_id: Option<String>,
    },
    /// 503 `service_unavailable`.
    ServiceUnavailable,
    /// A `type` this crate does not know, a known `type` whose fields did not
    /// match, or no `type` at all. Nothing is lost: the raw fields are kept.
    #[non_exhaustive]
    Unknown {
        /// The wire `type`, if there was one.
        error_type: Option<String>,
        /// The body's other fields (all but `type`, `message` and `detail`).
        fields: Map<String, Value>,
    },
}

impl<'de> Deserialize<'de> for DevRevError {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut fields = Map::<String, Value>::deserialize(d)?;
        let text = |fields: &mut Map<String, Value>, key: &str| match fields.remove(key) {
            Some(Value::String(s)) => Some(s),
            Some(other) if !other.is_null() => Some(other.to_string()),
            _ => None,
        };
        let error_type = text(&mut fields, "type");
        let message = text(&mut fields, "message");
        let detail = text(&mut fields, "detail");
        let kind = ErrorKind::from_fields(error_type.as_deref(), fields);
        Ok(DevRevError { error_type, message, detail, kind })
    }
}

impl ErrorKind {
    fn from_fields(error_type: Option<&str>, fields: Map<String, Value>) -> ErrorKind {
        fn get<T: DeserializeOwned>(fields: &Map<String, Value>) -> Option<T> {
            serde_json::from_value(Value::Object(fields.clone())).ok()
        }
        #[derive(Deserialize)]
        struct Field {
            field_name: String,
        }
        #[derive(Deserialize)]
        struct Attached {
            existing_parent: String,
            is_same: bool,
        }
        #[derive(Deserialize)]
        struct Customization {
            subtype: String,
            field_name: Option<String>,
            reason: Option<String>,
        }
        #[derive(Deserialize)]
        struct Version {
            value: String,
        }
        #[derive(Deserialize)]
        struct EnumValue {
            allowed_values: Vec<String>,
            field_name: String,
            value: String,
        }
        #[derive(Deserialize)]
        struct Errors {
            #[serde(default)]
            errors: Vec<Value>,
        }
        #[derive(Deserialize)]
        struct Dependency {
            #[serde(default)]
            dependencies: Vec<MissingDependency>,
            dependent_field_name: Option<String>,
            dependent_field_value: Option<String>,
            provided_field_name: Option<String>,
            provided_field_value: Option<String>,
        }
        #[derive(Deserialize)]
        struct JsonTypes {
            actual: JsonType,
            expected: JsonType,
            field_name: String,
        }
        #[derive(Deserialize)]
        struct NotPermitted {
            #[serde(default)]
            allowed_values: Vec<String>,
            field_name: String,
            reason: Option<String>,
        }
        #[derive(Deserialize)]
        struct RetryAfter {
            retry_after: Option<u64>,
        }
        #[derive(Deserialize)]
        struct Reference {
            reference_id: Option<String>,
        }

        let kind = match error_type {
            Some("bad_request") => Some(ErrorKind::BadRequest),
            Some("artifact_already_attached_to_a_parent") => get::<Attached>(&fields).map(|f| {
                ErrorKind::ArtifactAlreadyAttachedToAParent { existing_parent: f.existing_parent, is_same: f.is_same }
            }),
            Some("customization_validation_error") => {
                get::<Customization>(&fields).map(|f| ErrorKind::CustomizationValidationError {
                    subtype: f.subtype,
                    field_name: f.field_name,
                    reason: f.reason,
                })
            }
            Some("invalid_api_version") => {
                get::<Version>(&fields).map(|f| ErrorKind::InvalidApiVersion { value: f.value })
            }
            Some("invalid_enum_value") => get::<EnumValue>(&fields).map(|f| ErrorKind::InvalidEnumValue {
                allowed_values: f.allowed_values,
                field_name: f.field_name,
                value: f.value,
            }),
            Some("invalid_field") => {
                get::<Field>(&fields).map(|f| ErrorKind::InvalidField { field_name: f.field_name })
            }
            Some("invalid_id") => get::<Field>(&fields).map(|f| ErrorKind::InvalidId { field_name: f.field_name }),
            Some("merge_works_error") => {
                get::<Errors>(&fields).map(|f| ErrorKind::MergeWorksError { errors: f.errors })
            }
            Some("missing_dependency") => get::<Dependency>(&fields).map(|f| ErrorKind::MissingDependency {
                dependencies: f.dependencies,
                dependent_field_name: f.dependent_field_name,
                dependent_field_value: f.dependent_field_value,
                provided_field_name: f.provided_field_name,
                provided_field_value: f.provided_field_value,
            }),
            Some("missing_required_field") => {
                get::<Field>(&fields).map(|f| ErrorKind::MissingRequiredField { field_name: f.field_name })
            }
            Some("parse_error") => Some(ErrorKind::ParseError),
            Some("stale_schema_fragments") => Some(ErrorKind::StaleSchemaFragments),
            Some("unexpected_id_type") => {
                get::<Field>(&fields).map(|f| ErrorKind::UnexpectedIdType { field_name: f.field_name })
            }
            Some("unexpected_json_type") => get::<JsonTypes>(&fields).map(|f| ErrorKind::UnexpectedJsonType {
                actual: f.actual,
                expected: f.expected,
                field_name: f.field_name,
            }),
            Some("value_not_permitted") => get::<NotPermitted>(&fields).map(|f| ErrorKind::ValueNotPermitted {
                allowed_values: f.allowed_values,
                field_name: f.field_name,
                reason: f.reason,
            }),
            Some("workflow_component_validation_errors") => {
                get::<Errors>(&fields).map(|f| ErrorKind::WorkflowComponentValidationErrors { errors: f.errors })
            }
            Some("unauthenticated") => Some(ErrorKind::Unauthenticated),
            Some("forbidden") => Some(ErrorKind::Forbidden),
            Some("not_found") => Some(ErrorKind::NotFound),
            Some("conflict") => Some(ErrorKind::Conflict),
            Some("too_many_requests") => {
                get::<RetryAfter>(&fields).map(|f| ErrorKind::TooManyRequests { retry_after: f.retry_after })
            }
            Some("internal_error") => {
                get::<Reference>(&fields).map(|f| ErrorKind::InternalError { reference_id: f.reference_id })
            }
            Some("service_unavailable") => Some(ErrorKind::ServiceUnavailable),
            _ => None,
        };
        kind.unwrap_or_else(|| ErrorKind::Unknown { error_type: error_type.map(str::to_owned), fields })
    }
}

impl ErrorBody for DevRevError {
    fn error_type(&self) -> Option<&str> {
        self.error_type.as_deref()
    }
    fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
    fn retry_after(&self) -> Option<Duration> {
        match &self.kind {
            ErrorKind::TooManyRequests { retry_after: Some(secs) } => Some(Duration::from_secs(*secs)),
            _ => None,
        }
    }
    fn reference_id(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::InternalError { reference_id } => reference_id.as_deref(),
            _ => None,
        }
    }
}

/// Decodes an error body of type `B`, erased; `None` if it does not decode.
pub(crate) fn decode_error_body<B: ErrorBody>(bytes: &[u8]) -> Option<DecodedErrorBody> {
    let body: B = serde_json::from_slice(bytes).ok()?;
    Some(DecodedErrorBody {
        error_type: body.error_type().map(str::to_owned),
        message: body.message().map(str::to_owned),
        detail: body.detail().map(str::to_owned),
        retry_after: body.retry_after(),
        reference_id: body.reference_id().map(str::to_owned),
        body: Box::new(body),
    })
}

/// What the runtime reads out of any error body, plus the body itself.
#[derive(Debug)]
pub(crate) struct DecodedErrorBody {
    pub(crate) error_type: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) detail: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) reference_id: Option<String>,
    pub(crate) body: Box<dyn ErasedBody>,
}

/// Decodes the error body of the endpoint's declared type.
pub(crate) type ErrorDecoder = fn(&[u8]) -> Option<DecodedErrorBody>;

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> DevRevError {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn typed_fields_decode() {
        let e = decode(
            r#"{"type":"invalid_enum_value","message":"m","detail":"d","allowed_values":["a","b"],"field_name":"environment","value":"prod"}"#,
        );
        assert_eq!(e.error_type.as_deref(), Some("invalid_enum_value"));
        assert_eq!(
            e.kind,
            ErrorKind::InvalidEnumValue {
                allowed_values: vec!["a".into(), "b".into()],
                field_name: "environment".into(),
                value: "prod".into()
            }
        );
    }

    #[test]
    fn unknown_type_keeps_string_and_fields() {
        let e = decode(r#"{"type":"brand_new_error","message":"m","extra":1}"#);
        match e.kind {
            ErrorKind::Unknown { error_type, fields } => {
                assert_eq!(error_type.as_deref(), Some("brand_new_error"));
                assert_eq!(fields["extra"], 1);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn known_type_with_wrong_fields_is_unknown_not_a_failure() {
        let e = decode(r#"{"type":"missing_required_field"}"#);
        assert!(matches!(e.kind, ErrorKind::Unknown { error_type: Some(ref t), .. } if t == "missing_required_field"));
    }

    #[test]
    fn untyped_proxy_body() {
        let e = decode(r#"{"message":"route not found"}"#);
        assert_eq!(e.error_type, None);
        assert_eq!(e.message.as_deref(), Some("route not found"));
    }
}
