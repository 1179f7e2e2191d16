//! The generator's naming and plan, on small specs written for these tests.

use devrev_codegen::plan::{
    self, family_of, module_name, post_only_reads, rust_field_name, rust_type_name, variant_names, Endpoint, Home,
    Kind, Ty,
};
use devrev_codegen::replace_features;
use devrev_codegen::spec::Spec;
use devrev_codegen::write::crate_source::{self as emit, header};

#[test]
fn type_names_follow_schema_keys() {
    assert_eq!(rust_type_name("works-create-request"), "WorksCreateRequest");
    assert_eq!(rust_type_name("work"), "Work");
    assert_eq!(rust_type_name("p0"), "P0");
    assert_eq!(rust_type_name("1d"), "N1d");
    assert_eq!(rust_type_name("dev_user"), "DevUser");
    assert_eq!(rust_type_name("option"), "OptionSchema");
    assert_eq!(rust_type_name("timestamp"), "TimestampSchema");
}

#[test]
fn field_and_module_names() {
    assert_eq!(rust_field_name("display_name"), "display_name");
    assert_eq!(rust_field_name("type"), "r#type");
    assert_eq!(rust_field_name("self"), "self_");
    assert_eq!(rust_field_name("created_date.after"), "created_date_after");
    assert_eq!(rust_field_name("fooBar"), "foo_bar");
    assert_eq!(rust_field_name("3d"), "n3d");
    assert_eq!(module_name("timeline-entries"), "timeline_entries");
    assert_eq!(module_name("type"), "type_");
}

#[test]
fn families_and_the_read_only_rule() {
    assert_eq!(family_of("/works.create"), "works");
    assert_eq!(family_of("/dev-orgs.auth-connections.list"), "dev-orgs");
    assert!(post_only_reads("/gadgets.get", false));
    assert!(post_only_reads("/gadgets.count", false));
    assert!(post_only_reads("/gadgets.export", false));
    assert!(post_only_reads("/gadgets.locate", false));
    assert!(post_only_reads("/search.core", false));
    assert!(post_only_reads("/gadgets.anything", true), "a POST with a GET twin only reads");
    assert!(!post_only_reads("/gadgets.create", false));
    assert!(!post_only_reads("/gadgets.update", false));
    assert!(!post_only_reads("/gadgets.delete", false));
}

#[test]
fn variant_names_avoid_clashes() {
    let wires: Vec<String> = ["unknown", "dev_user", "dev-user", "4xx"].iter().map(|s| s.to_string()).collect();
    assert_eq!(variant_names(&wires), ["UnknownValue", "DevUser", "DevUser2", "N4xx"]);
}

/// A made-up API with the shapes DevRev's spec uses.
const GADGETS: &str = r##"
openapi: 3.0.3
paths:
  /gadgets.create:
    post:
      operationId: gadgets-create
      x-fern-availability: beta
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/gadgets-create-request' }
      responses:
        "201":
          content:
            application/json:
              schema: { $ref: '#/components/schemas/gadgets-create-response' }
        "400": { $ref: '#/components/responses/bad-request' }
  /gadgets.list:
    get:
      operationId: gadgets-list
      x-fern-availability: generally-available
      parameters:
        - { name: cursor, in: query, schema: { type: string } }
        - { name: limit, in: query, schema: { type: integer, format: int32 } }
      responses:
        "200":
          content:
            application/json:
              schema: { $ref: '#/components/schemas/gadgets-list-response' }
    post:
      operationId: gadgets-list-post
      x-fern-availability: generally-available
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
  /gadgets.stream:
    post:
      operationId: gadgets-stream
      x-fern-streaming: { format: sse }
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/gadgets-delete-request' }
      responses:
        "200": { description: events }
components:
  schemas:
    gadgets-create-request:
      type: object
      required: [name, parts]
      properties:
        name: { type: string }
        parts: { type: array, items: { type: string, format: id } }
        size: { type: integer, format: int64 }
        color: { type: string, enum: [red, green, unknown] }
        parent: { $ref: '#/components/schemas/node' }
    gadgets-create-response:
      type: object
      required: [gadget]
      properties:
        gadget: { $ref: '#/components/schemas/gadget' }
    gadgets-list-request:
      type: object
      properties:
        cursor: { type: string }
        limit: { type: integer, format: int32 }
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
        id: { type: string }
    gadget-base:
      type: object
      required: [id]
      properties:
        id: { type: string }
        created_date: { type: string, format: date-time }
        note: { type: string, nullable: true }
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
      allOf:
        - $ref: '#/components/schemas/gadget-base'
        - type: object
          properties:
            weight: { type: number, format: double }
    small-gadget:
      allOf:
        - $ref: '#/components/schemas/gadget-base'
    node:
      type: object
      properties:
        next: { $ref: '#/components/schemas/node' }
        children: { type: array, items: { $ref: '#/components/schemas/node' } }
        labels: { type: object }
"##;

fn gadgets() -> plan::Plan {
    plan::plan(&Spec::parse(GADGETS).unwrap()).unwrap()
}

/// The pair's endpoints as `METHOD path request`, sorted.
fn list_endpoints(plan: &plan::Plan) -> Vec<String> {
    let mut seen: Vec<String> = plan
        .endpoints()
        .filter_map(|e| match e {
            Endpoint::Single { op, request, .. } if op.path == "/gadgets.list" => {
                Some(format!("{} {request}", op.method))
            }
            Endpoint::Twin { request, .. } => Some(format!("GET+POST {request}")),
            _ => None,
        })
        .collect();
    seen.sort();
    seen
}

#[test]
fn a_get_whose_query_is_not_the_body_gets_a_struct_of_its_own_parameters() {
    // The fixture's GET takes the body's fields: one pair.
    assert_eq!(list_endpoints(&gadgets()), ["GET+POST gadgets-list-request"]);
    // A body field the GET does not take (`limit`) ...
    let fewer = GADGETS.replace("        - { name: limit, in: query, schema: { type: integer, format: int32 } }\n", "");
    let plan = plan::plan(&Spec::parse(&fewer).unwrap()).unwrap();
    assert_eq!(list_endpoints(&plan), ["GET gadgets-list-query-request", "POST gadgets-list-request"]);
    let Kind::Struct(fields) = &plan.types["gadgets-list-query-request"].kind else { panic!("a struct") };
    assert_eq!(fields.iter().map(|f| f.wire.as_str()).collect::<Vec<_>>(), ["cursor"]);
    // ... or a query parameter the body does not have, spelled per field of an object.
    let more = GADGETS.replace(
        "        - { name: limit, in: query, schema: { type: integer, format: int32 } }\n",
        "        - { name: limit, in: query, schema: { type: integer, format: int32 } }\n        - { name: owner.id, in: query, schema: { type: string } }\n",
    );
    let plan = plan::plan(&Spec::parse(&more).unwrap()).unwrap();
    assert_eq!(list_endpoints(&plan), ["GET gadgets-list-query-request", "POST gadgets-list-request"]);
    let Kind::Struct(fields) = &plan.types["gadgets-list-query-request"].kind else { panic!("a struct") };
    let idents: Vec<(&str, &str)> = fields.iter().map(|f| (f.wire.as_str(), f.ident.as_str())).collect();
    assert_eq!(idents, [("cursor", "cursor"), ("limit", "limit"), ("owner.id", "owner_id")]);
}

#[test]
fn operations_become_endpoints() {
    let plan = gadgets();
    let family = &plan.families["gadgets"];
    let mut seen = Vec::new();
    for endpoint in &family.endpoints {
        match endpoint {
            Endpoint::Single { op, request, response } => {
                seen.push(format!("{} {} {request} -> {response}", op.method, op.path));
                if op.path == "/gadgets.create" {
                    assert!(op.beta && !op.idempotent && !op.paginate);
                    assert_eq!(op.status, 201);
                }
                assert_eq!(op.streaming, op.path == "/gadgets.stream");
            }
            Endpoint::Twin { get, post, request, response } => {
                seen.push(format!("GET+POST {} {request} -> {response}", get.path));
                assert!(get.paginate && post.paginate && post.idempotent);
            }
            Endpoint::Skipped { op, reason } => seen.push(format!("skip {} {}: {reason}", op.method, op.path)),
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "GET+POST /gadgets.list gadgets-list-request -> gadgets-list-response",
            "POST /gadgets.create gadgets-create-request -> gadgets-create-response",
            "POST /gadgets.delete gadgets-delete-request -> gadgets-delete-response",
            "POST /gadgets.stream gadgets-stream-request -> gadgets-stream-response",
        ]
    );
    // No success body: an empty answer of its own.
    assert!(matches!(&plan.types["gadgets-delete-response"].kind, Kind::Struct(f) if f.is_empty()));
    assert!(plan.types["gadgets-list-response"].page.is_some());
}

#[test]
fn models_get_kinds_directions_boxes_and_homes() {
    let plan = gadgets();
    let t = |key: &str| &plan.types[key];

    // The union: variants by the mapping, the tag dropped from them.
    let Kind::Union { tag, variants } = &t("gadget").kind else { panic!("gadget is a union") };
    assert_eq!(tag, "type");
    let names: Vec<_> = variants.iter().map(|v| (v.wire.as_str(), v.name.as_str())).collect();
    assert_eq!(names, [("big", "Big"), ("small", "Small")]);

    // allOf merged, required kept, nullable made optional, date-time typed.
    let Kind::Struct(fields) = &t("big-gadget").kind else { panic!() };
    let summary: Vec<_> = fields.iter().map(|f| (f.wire.as_str(), f.required, f.ty.clone())).collect();
    assert_eq!(
        summary,
        [
            ("created_date", false, Ty::DateTime),
            ("id", true, Ty::String),
            ("note", false, Ty::String),
            ("weight", false, Ty::F64)
        ]
    );

    // An inline enum is named from where it sits.
    assert_eq!(t("gadgets-create-request-color").name, "GadgetsCreateRequestColor");
    let Kind::Enum(values) = &t("gadgets-create-request-color").kind else { panic!() };
    assert_eq!(values[2], ("UnknownValue".to_owned(), "unknown".to_owned()));

    // Recursion through an Option is boxed; through a Vec it is not.
    let Kind::Struct(node) = &t("node").kind else { panic!() };
    let boxed: Vec<_> = node.iter().map(|f| (f.wire.as_str(), f.boxed)).collect();
    assert_eq!(boxed, [("children", false), ("labels", false), ("next", true)]);
    assert_eq!(node[1].ty, Ty::JsonMap);

    // Sent types serialize, answers deserialize.
    assert!(t("node").ser && !t("node").de);
    assert!(t("gadget").de && !t("gadget").ser);
    assert!(t("gadgets-create-request").ser);

    // Homes and families.
    assert_eq!(t("gadgets-create-request").home, Home::Family("gadgets".to_owned()));
    assert_eq!(t("gadget").home, Home::FamilyModels("gadgets".to_owned()));
    assert!(t("big-gadget").families.contains("gadgets"));
}

#[test]
fn emitted_files_say_how_they_were_made() {
    let plan = gadgets();
    let output = emit::emit(&plan);
    for (path, text) in &output.files {
        assert!(text.starts_with(&header()), "{path}");
        assert!(
            text.lines().next().unwrap().contains("cargo run -p devrev-codegen -- "),
            "{path}: {}",
            text.lines().next().unwrap()
        );
    }
    let gadgets = &output.files["src/generated/gadgets/mod.rs"];
    assert!(gadgets.contains(r#"#[devrev_endpoint(POST, "/gadgets.create", beta)]"#), "{gadgets}");
    // One rule for a GET/POST pair: the POST is `{Op}Request`, the GET `{Op}QueryRequest`.
    assert!(gadgets.contains(
        "#[devrev_endpoint(GET, \"/gadgets.list\", response = GadgetsListResponse, paginate)]\n    get GadgetsListQueryRequest,"
    ));
    assert!(gadgets
        .contains("#[devrev_endpoint(POST, \"/gadgets.list\", idempotent, paginate)]\n    post GadgetsListRequest,"));
    assert!(gadgets.contains("pub type GadgetsListPostRequest = GadgetsListRequest;"), "{gadgets}");
    assert!(gadgets.contains("https://developer.devrev.ai/api-reference/gadgets/create"));
    assert!(gadgets.contains(r#"#[devrev_endpoint(POST, "/gadgets.stream", stream)]"#), "{gadgets}");
    assert!(output.features.contains("full = [\"gadgets\"]\ngadgets = []\n"), "{}", output.features);
    let mod_rs = &output.files["src/generated/mod.rs"];
    assert!(mod_rs.contains("#[cfg(feature = \"gadgets\")]\npub mod gadgets;"), "{mod_rs}");
}

#[test]
fn the_feature_block_is_replaced_in_place() {
    let toml = "[features]\ndefault = []\n# @generated features begin\nold = []\n# @generated features end\n\n[dependencies]\n";
    let block = "# @generated features begin: x\nnew = []\n# @generated features end\n";
    assert_eq!(
        replace_features(toml, block).unwrap(),
        "[features]\ndefault = []\n# @generated features begin: x\nnew = []\n# @generated features end\n\n[dependencies]\n"
    );
    assert_eq!(replace_features("[features]\n", block), None);
}

/// A read whose `POST` body is a union with shared fields.
const WIDGETS: &str = r##"
openapi: 3.0.3
paths:
  /widgets.get:
    get:
      operationId: widgets-get
      parameters:
        - { name: id, in: query, required: true, schema: { type: string } }
      responses:
        "200":
          content:
            application/json:
              schema: { $ref: '#/components/schemas/widgets-get-response' }
    post:
      operationId: widgets-get-post
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/widgets-get-request' }
      responses:
        "200":
          content:
            application/json:
              schema: { $ref: '#/components/schemas/widgets-get-response' }
components:
  schemas:
    widgets-get-request:
      type: object
      required: [id]
      properties:
        id: { type: string }
        type: { type: string }
      discriminator:
        propertyName: type
        mapping:
          round: '#/components/schemas/round-options'
      oneOf:
        - $ref: '#/components/schemas/round-options'
    round-options:
      type: object
      properties:
        radius: { type: integer }
    widgets-get-response:
      type: object
      properties:
        id: { type: string }
"##;

#[test]
fn a_union_body_gets_a_kind_field_and_its_get_a_query_struct() {
    let plan = plan::plan(&Spec::parse(WIDGETS).unwrap()).unwrap();
    let endpoints = &plan.families["widgets"].endpoints;
    let requests: Vec<_> = endpoints
        .iter()
        .map(|e| match e {
            Endpoint::Single { op, request, .. } => format!("{} {request} idempotent={}", op.method, op.idempotent),
            other => panic!("expected two single endpoints, got {other:?}"),
        })
        .collect();
    assert_eq!(requests, ["GET widgets-get-query-request idempotent=true", "POST widgets-get-request idempotent=true"]);

    let Kind::Struct(fields) = &plan.types["widgets-get-request"].kind else { panic!() };
    let names: Vec<_> = fields.iter().map(|f| (f.ident.as_str(), f.flatten)).collect();
    assert_eq!(names, [("id", false), ("kind", true)]);
    assert!(matches!(&plan.types["widgets-get-request-kind"].kind, Kind::Union { .. }));
    assert_eq!(plan.types["widgets-get-query-request"].name, "WidgetsGetQueryRequest");

    let output = emit::emit(&plan);
    let model = output.files.values().find(|text| text.contains("pub enum WidgetsGetRequestKind")).unwrap();
    assert!(model.contains("impl From<RoundOptions> for WidgetsGetRequestKind"), "{model}");
}

#[test]
fn secret_fields_by_name_become_secrets() {
    let spec = GADGETS.replace(
        "        name: { type: string }\n        parts:",
        "        name: { type: string }\n        secret: { type: string, format: byte }\n        client_secret: { type: string }\n        \
         access_token: { type: string }\n        refresh_token: { type: string }\n        pin: { type: string, format: password }\n        \
         token_hint: { type: string }\n        token_id: { type: string }\n        token_kind: { type: string, enum: [aat, pat] }\n        \
         secrets_count: { type: integer }\n        parts:",
    );
    let plan = plan::plan(&Spec::parse(&spec).unwrap()).unwrap();
    let Kind::Struct(fields) = &plan.types["gadgets-create-request"].kind else { panic!() };
    let secret: Vec<&str> = fields.iter().filter(|f| f.ty == Ty::Secret).map(|f| f.wire.as_str()).collect();
    assert_eq!(secret, ["access_token", "client_secret", "pin", "refresh_token", "secret"]);
    let plain: Vec<&str> = fields.iter().filter(|f| f.ty == Ty::String).map(|f| f.wire.as_str()).collect();
    assert_eq!(plain, ["name", "token_hint", "token_id"], "names that only mention a token stay strings");

    // Named through the runtime's hidden path; setters take anything `Into<Secret>`.
    let output = emit::emit(&plan);
    let gadgets = &output.files["src/generated/gadgets/mod.rs"];
    assert!(gadgets.contains("pub secret: Option<crate::__private::Secret>,"), "{gadgets}");
    assert!(gadgets.contains("secret: crate::__private::Secret,"), "{gadgets}");
}

/// GADGETS with a second family, `gizmos`, whose answer holds a `gadget` too.
fn two_families() -> plan::Plan {
    let spec = GADGETS.replace(
        "\n  /gadgets.list:",
        "\n  /gizmos.get:\n    post:\n      operationId: gizmos-get\n      requestBody:\n        content:\n          \
         application/json:\n            schema: { $ref: '#/components/schemas/gadgets-delete-request' }\n      \
         responses:\n        \"200\":\n          content:\n            application/json:\n              \
         schema: { $ref: '#/components/schemas/gizmos-get-response' }\n  /gadgets.list:",
    );
    let spec = spec.replace(
        "\n    gadgets-delete-request:",
        "\n    gizmos-get-response:\n      type: object\n      required: [gadget]\n      properties:\n        \
         gadget: { $ref: '#/components/schemas/gadget' }\n    gadgets-delete-request:",
    );
    plan::plan(&Spec::parse(&spec).unwrap()).unwrap()
}

#[test]
fn models_live_by_family_and_shared_ones_in_the_module_of_their_families() {
    let plan = two_families();
    let t = |key: &str| &plan.types[key];
    // A request or answer of one family that nothing refers to: beside the requests.
    assert_eq!(t("gizmos-get-response").home, Home::Family("gizmos".to_owned()));
    // Used by both families (and everything it reaches): the module of that set.
    for key in ["gadget", "big-gadget", "small-gadget"] {
        assert_eq!(t(key).home, Home::Shared("gadgets_gizmos".to_owned()), "{key}");
    }
    // Used by `gadgets` alone: that family's models.
    assert_eq!(t("node").home, Home::FamilyModels("gadgets".to_owned()));

    let output = emit::emit(&plan);
    let paths: Vec<&str> = output.files.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        [
            "src/generated/families.rs",
            "src/generated/gadgets/mod.rs",
            "src/generated/gadgets/models.rs",
            "src/generated/gizmos/mod.rs",
            "src/generated/mod.rs",
            "src/generated/shared/gadgets_gizmos.rs",
            "src/generated/shared/mod.rs",
        ]
    );
    let file = |path: &str| output.files[path].as_str();
    assert!(file("src/generated/gadgets/models.rs").contains("pub struct Node {"));
    assert!(file("src/generated/shared/gadgets_gizmos.rs").contains("pub struct BigGadget {"));
    // Gated once: the set's module under `any(...)` of its families; a family's folder by its
    // feature; no item of a model file carries a `cfg` of its own.
    let shared = file("src/generated/shared/mod.rs");
    assert!(shared.contains("\nshared!(gadgets_gizmos, \"gadgets\", \"gizmos\");\n"), "{shared}");
    let root = file("src/generated/mod.rs");
    assert!(root.contains("#[cfg(feature = \"gizmos\")]\npub mod gizmos;\n"), "{root}");
    assert!(root.contains("    #[cfg(feature = \"gadgets\")]\n    pub use super::gadgets::models::*;\n"), "{root}");
    assert!(!root.contains("super::gizmos::models"), "gizmos has no models of its own:\n{root}");
    for path in ["src/generated/gadgets/models.rs", "src/generated/shared/gadgets_gizmos.rs"] {
        assert!(!file(path).contains("#[cfg("), "{path}:\n{}", file(path));
    }
    // One `allow` block, at the root.
    for (path, text) in &output.files {
        assert_eq!(text.contains("#![allow(deprecated)]"), path == "src/generated/mod.rs", "{path}");
    }
}
