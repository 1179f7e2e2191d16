//! Writes the webhook event enum, `src/generated/webhook_event.rs`, and its
//! decode tests, `tests/generated_webhook_events.rs`, from the spec's
//! `webhook-event-request` schema: its `type` is a `webhook-event-type`, and
//! the object holds a field named after that type with the event's data.
//!
//! One variant per value of `webhook-event-type`: holding the generated type
//! of the field of the same name, or the raw JSON when the spec lists the
//! type but no field for it (`job_created`, `sync_unit_updated`). The
//! hand-written `devrev::webhooks` (`src/extras/webhooks.rs`) includes the
//! file and wraps the enum with the envelope (`id`, `webhook_id`, `timestamp`)
//! and the signature check.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{json, Value};

use super::crate_source::header;
use crate::plan::Source;
use crate::plan::{rust_type_name, Plan, WEBHOOK_EVENT};
use crate::spec::ref_key;

/// The schema of the event type names.
const EVENT_TYPE: &str = "webhook-event-type";

/// The file the enum goes to, declared from the generated `mod.rs`.
pub const ENUM_FILE: &str = "src/generated/webhook_event.rs";
/// The decode tests: one per event type, from spec-synthesized instances.
pub const TEST_FILE: &str = "tests/generated_webhook_events.rs";

/// One event type: its wire name, variant name, and payload type (`None`:
/// the spec has no field for it; the variant keeps the raw JSON).
struct EventType {
    wire: String,
    variant: String,
    payload: Option<(String, String)>,
}

fn event_types(plan: &Plan) -> Result<Vec<EventType>, String> {
    let schemas = &plan.source.schemas;
    let request = schemas.get(WEBHOOK_EVENT).ok_or_else(|| format!("no `{WEBHOOK_EVENT}` schema"))?;
    let names = schemas
        .get(EVENT_TYPE)
        .and_then(|s| s.enum_values.as_ref())
        .ok_or_else(|| format!("no `{EVENT_TYPE}` enum"))?;
    let mut out = Vec::new();
    for name in names {
        let serde_yaml_ng::Value::String(wire) = name else { continue };
        let payload = match request.properties.get(wire).and_then(|p| p.reference.as_deref()) {
            Some(reference) => {
                let key = ref_key(reference)?;
                let t = plan.types.get(key).ok_or_else(|| format!("`{key}` (event `{wire}`) is not planned"))?;
                Some((key.to_owned(), t.name.clone()))
            }
            None => None,
        };
        out.push(EventType { wire: wire.clone(), variant: rust_type_name(wire), payload });
    }
    Ok(out)
}

/// Adds the enum file, its `mod` line in `src/generated/mod.rs`, and the
/// decode tests to `files`.
pub fn add(plan: &Plan, files: &mut BTreeMap<String, String>) -> Result<(), String> {
    if !plan.families.contains_key("webhooks") {
        return Ok(());
    }
    let types = event_types(plan)?;
    files.insert(ENUM_FILE.to_owned(), enum_file(&types));
    if let Some(top) = files.get_mut("src/generated/mod.rs") {
        top.push_str(
            "\n// The webhook event enum (`write/webhook_events.rs` of the generator), re-exported by `devrev::webhooks`.\n\
             #[cfg(feature = \"webhooks\")]\npub(crate) mod webhook_event;\n",
        );
    }
    files.insert(TEST_FILE.to_owned(), test_file(&plan.source, &types));
    Ok(())
}

fn enum_file(types: &[EventType]) -> String {
    let mut out = header();
    out.push_str(
        "//! The events DevRev delivers to a webhook: one variant per value of the spec's\n\
         //! `webhook-event-type`, holding the data of the field named after it.\n\n\
         // DevRev deprecates fields the event types still carry.\n#![allow(deprecated)]\n\
         // Variants hold their objects inline, as the generated unions do.\n#![allow(clippy::large_enum_variant)]\n\n\
         #[allow(unused_imports)]\nuse crate::models::*;\n\n",
    );
    out.push_str(
        "/// What a webhook delivery is about: its `type`, with the data DevRev sends in the\n\
         /// field of the same name (`work_created` -> [`EventKind::WorkCreated`]).\n\
         ///\n\
         /// A type the spec lists without a schema for its data keeps the raw JSON; a type\n\
         /// this version does not know is [`EventKind::Unknown`], with the whole delivery.\n\
         #[derive(Debug, Clone, PartialEq)]\n#[non_exhaustive]\npub enum EventKind {\n",
    );
    for t in types {
        match &t.payload {
            Some((_, name)) => {
                let _ = writeln!(out, "    /// `{}`.\n    {}({name}),", t.wire, t.variant);
            }
            None => {
                let _ = writeln!(
                    out,
                    "    /// `{}` (the spec has no schema for its data: the field's raw JSON, `null` when absent).\n    {}(::serde_json::Value),",
                    t.wire, t.variant
                );
            }
        }
    }
    out.push_str(
        "    /// A type this version does not know.\n    Unknown {\n        /// The delivery's `type`.\n        \
         event_type: String,\n        /// The whole delivery, as received.\n        raw: ::serde_json::Value,\n    },\n}\n\n",
    );

    out.push_str("/// Every event type the spec lists, in its order.\npub const EVENT_TYPES: &[&str] = &[\n");
    for t in types {
        let _ = writeln!(out, "    {:?},", t.wire);
    }
    out.push_str("];\n\n");

    out.push_str(
        "impl EventKind {\n    \
         /// Decodes the data of a delivery of type `event_type` (`payload`: the field named\n    \
         /// after it, if any). `raw` is the whole delivery, kept for an unknown type.\n    \
         ///\n    /// # Errors\n    /// When the data does not have the shape the spec gives the type.\n    \
         pub fn decode(event_type: &str, payload: Option<::serde_json::Value>, raw: impl FnOnce() -> ::serde_json::Value) -> Result<Self, ::serde_json::Error> {\n        \
         use ::serde::de::Error as _;\n        \
         let missing = || ::serde_json::Error::custom(format!(\"no `{event_type}` field\"));\n        \
         Ok(match event_type {\n",
    );
    for t in types {
        match &t.payload {
            Some(_) => {
                let _ = writeln!(
                    out,
                    "            {:?} => EventKind::{}(::serde_json::from_value(payload.ok_or_else(missing)?)?),",
                    t.wire, t.variant
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "            {:?} => EventKind::{}(payload.unwrap_or(::serde_json::Value::Null)),",
                    t.wire, t.variant
                );
            }
        }
    }
    out.push_str(
        "            other => EventKind::Unknown { event_type: other.to_owned(), raw: raw() },\n        })\n    }\n\n    \
         /// The event's type as DevRev names it (`work_created`).\n    pub fn event_type(&self) -> &str {\n        match self {\n",
    );
    for t in types {
        let _ = writeln!(out, "            EventKind::{}(_) => {:?},", t.variant, t.wire);
    }
    out.push_str("            EventKind::Unknown { event_type, .. } => event_type,\n        }\n    }\n}\n");
    out
}

const TEST_PRELUDE: &str = r#"//! Every event type of the spec decodes into its variant: a delivery built from a
//! spec-valid instance of its data (every field near the top, required ones deeper),
//! and the same with enum values and union tags no schema lists.
#![cfg(feature = "webhooks")]
#![allow(deprecated)]

use devrev::webhooks::{Event, EventKind};

fn delivery(event_type: &str, payload: &str) -> Vec<u8> {
    let payload: serde_json::Value = serde_json::from_str(payload).unwrap();
    let body = serde_json::json!({
        "id": "don:integration:dvrv-us-1:devo/1:event/1",
        "webhook_id": "don:integration:dvrv-us-1:devo/1:webhook/1",
        "timestamp": "2024-01-01T00:00:00Z",
        "type": event_type,
        event_type: payload,
    });
    serde_json::to_vec(&body).unwrap()
}

fn decodes(event_type: &str, payload: &str, unknown: &str, is: fn(&EventKind) -> bool) {
    for payload in [payload, unknown] {
        let event = Event::parse(&delivery(event_type, payload)).unwrap_or_else(|e| panic!("{event_type}: {e}"));
        assert!(is(&event.kind), "{event_type}: decoded as {:?}", event.kind.event_type());
        assert_eq!(event.kind.event_type(), event_type);
        assert_eq!(event.id, "don:integration:dvrv-us-1:devo/1:event/1");
    }
}
"#;

fn test_file(source: &Source, types: &[EventType]) -> String {
    let mut out = header();
    out.push_str(TEST_PRELUDE);
    for t in types {
        let (sample, unknown) = match &t.payload {
            Some((key, _)) => {
                let schema = &source.schemas[key];
                (
                    super::wire_tests::sample(source, schema, 1, false),
                    super::wire_tests::sample(source, schema, 1, true),
                )
            }
            None => (json!({"any": "thing"}), Value::Null),
        };
        let _ = write!(
            out,
            "\n#[test]\nfn {}() {{\n    decodes({:?}, {}, {}, |k| matches!(k, EventKind::{}(_)));\n}}\n",
            t.wire,
            t.wire,
            raw_string(&sample.to_string()),
            raw_string(&unknown.to_string()),
            t.variant
        );
    }
    out
}

/// `text` as a raw string literal with enough `#`s.
fn raw_string(text: &str) -> String {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}
