//! The accessors generated on union models (`codegen/src/write/unions.rs`), on a small spec.

use devrev_codegen::plan::{self, Plan};
use devrev_codegen::spec::Spec;
use devrev_codegen::write::unions::{accessors, shared_fields, Shape};

const SPEC: &str = r##"
openapi: 3.0.3
paths:
  /gadgets.get:
    post:
      operationId: gadgets-get
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/gadgets-get-request' }
      responses:
        "200":
          content:
            application/json:
              schema: { $ref: '#/components/schemas/gadgets-get-response' }
components:
  schemas:
    gadgets-get-request:
      type: object
      required: [id]
      properties:
        id: { type: string }
    gadgets-get-response:
      type: object
      required: [gadget]
      properties:
        gadget: { $ref: '#/components/schemas/gadget' }
    gadget:
      type: object
      discriminator:
        propertyName: type
        mapping:
          big: '#/components/schemas/big-gadget'
          small: '#/components/schemas/small-gadget'
      oneOf:
        - $ref: '#/components/schemas/big-gadget'
        - $ref: '#/components/schemas/small-gadget'
      properties:
        type: { type: string }
      required: [type]
    big-gadget:
      type: object
      required: [id, owners, size, spec]
      properties:
        id: { type: string }
        owners: { type: array, items: { type: string } }
        size: { type: integer, format: int64 }
        spec: { $ref: '#/components/schemas/spec' }
        created_date: { type: string, format: date-time }
        note: { type: string, nullable: true }
        weight: { type: number, format: double }
        kind: { type: string }
    small-gadget:
      type: object
      required: [id, owners, spec]
      properties:
        id: { type: string }
        owners: { type: array, items: { type: string } }
        size: { type: integer, format: int64 }
        spec: { $ref: '#/components/schemas/spec' }
        created_date: { type: string, format: date-time }
        note: { type: string }
        weight: { type: string }
        kind: { type: string }
    spec:
      type: object
      properties:
        name: { type: string }
"##;

fn plan() -> Plan {
    plan::plan(&Spec::parse(SPEC).unwrap()).unwrap()
}

#[test]
fn the_shared_fields_are_those_every_variant_has_with_one_type() {
    let plan = plan();
    let shared: Vec<(String, bool, Shape)> =
        shared_fields(&plan, &plan.types["gadget"]).into_iter().map(|s| (s.field.wire, s.required, s.shape)).collect();
    assert_eq!(
        shared,
        [
            ("created_date".to_owned(), false, Shape::Ref),
            ("id".to_owned(), true, Shape::Str),
            ("note".to_owned(), false, Shape::Str),
            ("owners".to_owned(), true, Shape::Slice),
            // Required in one variant only: optional for the union.
            ("size".to_owned(), false, Shape::Copy),
            ("spec".to_owned(), true, Shape::Ref),
        ],
        "`weight` differs in type between the variants; `kind` is the tag's accessor"
    );
    assert!(shared_fields(&plan, &plan.types["big-gadget"]).is_empty(), "a struct is not a union");
}

#[test]
fn the_accessors_return_the_fields_type_and_read_an_unknown_variant_from_json() {
    let plan = plan();
    let text = accessors(&plan, &plan.types["gadget"]);
    for expected in [
        "pub fn kind(&self) -> &str {\n        self.type_name()",
        "pub fn id(&self) -> &str {",
        "Gadget::Big(v) => v.id.as_str(),",
        "Gadget::Unknown(other) => other.fields.get(\"id\").and_then(|x| x.as_str()).unwrap_or(\"\"),",
        "pub fn owners(&self) -> &[String] {",
        "Gadget::Unknown(_) => &[],",
        "pub fn size(&self) -> Option<i64> {",
        "Gadget::Big(v) => Some(v.size),",
        "Gadget::Small(v) => v.size,",
        "Gadget::Unknown(other) => other.fields.get(\"size\").and_then(|x| x.as_i64()),",
        // Nullable in one variant: `Option<Option<String>>` there.
        "pub fn note(&self) -> Option<&str> {",
        "Gadget::Big(v) => v.note.as_ref().and_then(|x| x.as_deref()),",
        "Gadget::Small(v) => v.note.as_deref(),",
        // Required, but an unknown variant cannot lend a typed value.
        "pub fn spec(&self) -> Option<&Spec> {",
        "Gadget::Big(v) => Some(&v.spec),",
        "pub fn created_date(&self) -> Option<&Timestamp> {",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    assert!(!text.contains("fn weight"), "{text}");
    assert_eq!(text.matches("pub fn kind").count(), 1, "{text}");
    assert_eq!(accessors(&plan, &plan.types["spec"]), "", "only unions get accessors");
}
