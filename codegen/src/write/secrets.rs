//! Writes `tests/generated_secrets.rs`: one test per generated model that
//! holds a secret ([`plan::is_secret`](crate::plan::is_secret)). Each builds
//! the model (with `new(..)` for a type a request sends, else by decoding a
//! spec-valid sample), sets every secret field to a sentinel, and checks that
//! `Debug` (plain and `{:#?}`) never shows it, that the field is a
//! `devrev::Secret` (a plain `String` does not compile), that
//! `expose_secret()` reads it back, and that JSON carries the exact value: a
//! serialized model has it on the wire, a decoded one read it from there.

use std::fmt::Write as _;

use serde_json::Value;

use super::crate_source::header;
use super::wire_tests::{raw_string, type_path, Writer};
use crate::plan::{Field, Kind, Plan, Ty};

/// Where the test goes, relative to the crate root.
pub const TEST_FILE: &str = "tests/generated_secrets.rs";

const PRELUDE: &str = r#"//! Every generated model that holds a secret (a webhook's `secret`, an SSO
//! connection's `client_secret`, the tokens of `auth-tokens.create`, ...):
//! with each secret field set to a sentinel, `Debug` does not show it, the
//! field is a `devrev::Secret` (a plain `String` would not compile), and JSON
//! carries the exact value. Each test runs when a feature that compiles its
//! model is on (`--features full` runs all).
// Generated models name DevRev's deprecated fields too.
#![allow(deprecated)]
// Without a family feature no test below is compiled.
#![allow(dead_code, unused_imports)]

/// The value every secret field is set to: it must never show in `Debug`.
const SENTINEL: &str = "s3nt1nel-not-for-logs";

/// Reads a secret field: compiles only for a `devrev::Secret`.
fn exposed(secret: &devrev::Secret) -> &str {
    secret.expose_secret()
}

/// Neither `{:?}` nor `{:#?}` of `value` shows the sentinel.
fn hidden<T: std::fmt::Debug>(value: &T) {
    let debug = format!("{value:?}");
    let pretty = format!("{value:#?}");
    assert!(!debug.contains(SENTINEL), "{}: Debug shows a secret: {debug}", std::any::type_name::<T>());
    assert!(!pretty.contains(SENTINEL), "{}: {{:#?}} shows a secret", std::any::type_name::<T>());
    assert!(debug.contains("Secret(<redacted>)"), "{}: Debug does not mark the secret: {debug}", std::any::type_name::<T>());
}
"#;

/// The secret fields of a struct.
fn secret_fields(fields: &[Field]) -> Vec<&Field> {
    fields.iter().filter(|f| f.ty == Ty::Secret).collect()
}

/// How to read field `f` of `value` as a `&devrev::Secret`.
fn read(f: &Field) -> String {
    match (f.required, f.nullable) {
        (true, _) => format!("&value.{}", f.ident),
        (false, false) => format!("value.{}.as_ref().unwrap()", f.ident),
        (false, true) => format!("value.{}.as_ref().unwrap().as_ref().unwrap()", f.ident),
    }
}

/// The test file's text, and how many secret fields it covers.
pub fn secrets_tests(plan: &Plan) -> (String, usize) {
    let writer = Writer { source: &plan.source, plan };
    let mut out = header();
    out.push_str(PRELUDE);
    let mut covered = 0;
    let mut listed = String::new();
    for t in plan.types.values() {
        let Kind::Struct(fields) = &t.kind else { continue };
        let secrets = secret_fields(fields);
        if secrets.is_empty() {
            continue;
        }
        let path = type_path(t);
        let name = crate::plan::module_name(&t.key).to_lowercase();
        let mut body = String::new();
        if t.ser {
            let Some(args) = writer.args(t, 0) else {
                let _ = writeln!(out, "\n// {}: no sample could be built (too deep).", t.name);
                continue;
            };
            let _ = writeln!(body, "    let mut value = {path}::new({args});");
            for f in &secrets {
                let set = match (f.required, f.nullable) {
                    (true, _) => "devrev::Secret::from(SENTINEL)".to_owned(),
                    (false, false) => "Some(devrev::Secret::from(SENTINEL))".to_owned(),
                    (false, true) => "Some(Some(devrev::Secret::from(SENTINEL)))".to_owned(),
                };
                let _ = writeln!(body, "    value.{} = {set};", f.ident);
            }
        } else {
            let Some(Value::Object(mut json)) = writer.json_of(&t.key) else {
                let _ = writeln!(out, "\n// {}: no sample could be built.", t.name);
                continue;
            };
            for f in &secrets {
                json.insert(f.wire.clone(), Value::String("s3nt1nel-not-for-logs".to_owned()));
            }
            let _ = writeln!(
                body,
                "    let value: {path} = serde_json::from_str({}).unwrap();",
                raw_string(&Value::Object(json).to_string())
            );
        }
        let _ = writeln!(body, "    hidden(&value);");
        for f in &secrets {
            let _ = writeln!(body, "    assert_eq!(exposed({}), SENTINEL);", read(f));
            let _ = writeln!(listed, "//! - `{}.{}`", t.name, f.wire);
        }
        if t.ser || !t.de {
            let _ = writeln!(body, "    let wire = serde_json::to_value(&value).unwrap();");
            for f in &secrets {
                let _ =
                    writeln!(body, "    assert_eq!(wire[{:?}], SENTINEL, \"the exact value on the wire\");", f.wire);
            }
        }
        if t.de && t.ser {
            let _ = writeln!(
                body,
                "    let back: {path} = serde_json::from_value(wire).unwrap();\n    assert_eq!(back, value);\n    hidden(&back);"
            );
        }
        covered += secrets.len();
        let _ = write!(out, "\n{}\n#[test]\nfn {name}() {{\n{body}}}\n", super::crate_source::cfg_attr(&t.families));
    }
    let list = format!("//!\n//! The {covered} secret fields the generator's rule finds:\n{listed}");
    let out = out.replacen("// Generated models name", &format!("{list}// Generated models name"), 1);
    (out, covered)
}
