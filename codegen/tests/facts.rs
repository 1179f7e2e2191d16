//! Fact docs (`codegen/src/plan/facts.rs`, `codegen/src/write/facts.rs`): what the spec's structure says, on every
//! generated field, request, model and family, and never the spec's prose.

use devrev_codegen::plan;
use devrev_codegen::plan::facts::id_of;
use devrev_codegen::spec::Spec;
use devrev_codegen::write::crate_source as emit;

const SPEC: &str = r##"
openapi: 3.0.3
paths:
  /gadgets.list:
    post:
      operationId: gadgets-list
      summary: PROSE-SUMMARY-MUST-NOT-APPEAR
      description: PROSE-OPERATION-MUST-NOT-APPEAR
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/gadgets-list-request' }
      responses:
        "200":
          content:
            application/json:
              schema: { $ref: '#/components/schemas/gadgets-list-response' }
  /gadgets.delete:
    post:
      operationId: gadgets-delete
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/gadgets-delete-request' }
      responses:
        "204": { description: gone }
components:
  schemas:
    gadgets-list-request:
      type: object
      description: PROSE-SCHEMA-MUST-NOT-APPEAR
      properties:
        limit:
          type: integer
          format: int32
          description: PROSE-FIELD-MUST-NOT-APPEAR
          minimum: 1
          maximum: 100
          default: 50
        applies_to_part:
          type: array
          items: { type: string, format: id, example: PROD-12345 }
          maxItems: 8
        owner:
          type: string
          format: id
          example: don:core:dvrv-us-1:devo/1:webhook/7
        severity: { $ref: '#/components/schemas/severity' }
        title: { type: string, format: text, maxLength: 256 }
        since: { type: string, format: date-time }
        cursor: { type: string }
    gadgets-list-response:
      type: object
      required: [gadgets]
      properties:
        gadgets: { type: array, items: { $ref: '#/components/schemas/gadget' } }
        next_cursor: { type: string }
    gadgets-delete-request:
      type: object
      required: [id]
      properties:
        id: { type: string, format: id, example: PROD-1 }
    gadget:
      type: object
      required: [id]
      properties:
        id: { type: string, format: id }
        stage: { $ref: '#/components/schemas/stage' }
    stage:
      type: object
      properties:
        name: { type: string }
    severity:
      type: string
      enum: [low, high]
"##;

fn family_file() -> String {
    let plan = plan::plan(&Spec::parse(SPEC).unwrap()).unwrap();
    let output = emit::emit(&plan);
    for text in output.files.values() {
        assert!(!text.contains("MUST-NOT-APPEAR"), "the spec's prose went into the output:\n{text}");
    }
    // The family's module first, then its models and the shared ones.
    output.files["src/generated/gadgets/mod.rs"].clone()
        + &output
            .files
            .iter()
            .filter(|(p, _)| p.starts_with("src/generated/") && !p.ends_with("/mod.rs"))
            .map(|(_, t)| t.as_str())
            .collect::<String>()
}

#[test]
fn each_field_says_required_or_optional_its_type_format_bounds_and_default() {
    let text = family_file();
    for line in [
        "/// `limit`: optional; an integer, 1 to 100; default `50`.",
        "/// `applies_to_part`: optional; a list of items, each the DON ID of a part (at most 8 items).",
        "/// `owner`: optional; the DON ID of a webhook.",
        "/// `severity`: optional; one of `low`, `high` (`Severity`).",
        "/// `title`: optional; text, at most 256 characters.",
        "/// `since`: optional; a date-time (RFC 3339).",
        "/// `id`: required; the DON ID of a part.",
        "/// `stage`: optional; a `Stage`.",
    ] {
        assert!(text.contains(line), "missing `{line}` in:\n{text}");
    }
}

#[test]
fn each_request_names_its_operation_and_answer_and_each_model_who_returns_it() {
    let text = family_file();
    for line in [
        "/// `POST /gadgets.list`.",
        "/// No field is required.",
        "/// Operation `gadgets.list` (`gadgets-list`); `send` answers with a [`GadgetsListResponse`].",
        "/// Required: `id`.",
        "/// Operation `gadgets.delete` (`gadgets-delete`); `send` answers with a [`GadgetsDeleteResponse`], which has no fields",
        "/// Returned by `gadgets.list` (in `gadgets`).",
        "/// Inside the answers of `gadgets.list`.",
    ] {
        assert!(text.contains(line), "missing `{line}` in:\n{text}");
    }
}

#[test]
fn each_family_module_has_an_example_that_builds_a_request() {
    let text = family_file();
    for line in [
        "//! # Example",
        "//! ```no_run",
        "//! use devrev::gadgets::GadgetsListRequest;",
        "//! let request = GadgetsListRequest::new();",
        "//! let answer = request.send(client).await?;",
    ] {
        assert!(text.contains(line), "missing `{line}` in:\n{text}");
    }
}

#[test]
fn an_example_id_names_what_it_identifies() {
    assert_eq!(id_of("PROD-12345").as_deref(), Some("a part"));
    assert_eq!(id_of("DEVU-1").as_deref(), Some("a Dev user"));
    assert_eq!(id_of("don:core:dvrv-us-1:devo/1:custom_type_fragment/abc").as_deref(), Some("a custom type fragment"));
    assert_eq!(id_of("don:core:dvrv-us-1:devo/1:issue/1").as_deref(), Some("an issue"));
    assert_eq!(id_of("NOPE-1"), None);
    assert_eq!(id_of("12345"), None);
}
