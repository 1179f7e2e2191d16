//! The `devrev-codegen` binary as a user runs it: `--help` and `--version` on
//! every command, `families` and `generate` on a small spec written here, and
//! the errors for an unreadable or non-OpenAPI spec, an unknown family (with
//! the nearest names), a bad `--crate`, the old flag form and a misspelt
//! command.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A made-up API: `gadgets` (a beta create, a `GET`/`POST` list pair, a
/// delete), `gizmos` (one beta read), `portals` (only an operation that is no
/// typed call).
const SPEC: &str = r##"
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
  /gadgets.list:
    get:
      operationId: gadgets-list
      parameters:
        - { name: cursor, in: query, schema: { type: string } }
      responses:
        "200":
          content:
            application/json:
              schema: { $ref: '#/components/schemas/gadgets-list-response' }
    post:
      operationId: gadgets-list-post
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
  /gizmos.get:
    post:
      operationId: gizmos-get
      x-fern-availability: beta
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/gadgets-delete-request' }
      responses:
        "200":
          content:
            application/json:
              schema: { $ref: '#/components/schemas/gadgets-create-response' }
  /portals.authorize:
    get:
      operationId: portals-authorize
      security: []
      responses:
        "200": { description: a browser redirect }
components:
  schemas:
    gadgets-create-request:
      type: object
      required: [name]
      properties:
        name: { type: string }
        due: { type: string, format: date }
    gadgets-create-response:
      type: object
      required: [gadget]
      properties:
        gadget: { $ref: '#/components/schemas/gadget' }
    gadgets-list-request:
      type: object
      properties:
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
        id: { type: string }
    gadget:
      type: object
      required: [id]
      properties:
        id: { type: string }
        due: { type: string, format: date }
"##;

fn codegen(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_devrev-codegen")).args(args).current_dir(dir).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh directory with the spec as `api.yaml`.
fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("devrev-codegen-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("api.yaml"), SPEC).unwrap();
    dir
}

#[test]
fn help_and_version_on_every_command() {
    let dir = workdir("help");
    for args in [&["--help"][..], &["-h"], &["generate", "--help"], &["families", "--help"], &["help", "generate"]] {
        let out = codegen(args, &dir);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let help = text(&out.stdout);
        assert!(help.contains("Usage: devrev-codegen"), "{args:?}: {help}");
    }
    let top = text(&codegen(&["--help"], &dir).stdout);
    for line in [
        "devrev-codegen generate <SPEC> --families <FAMILIES> --out <DIR> [--crate <PATH>]",
        "devrev-codegen families <SPEC>",
        "devrev-codegen <SPEC> <DEVREV_CRATE_DIR>",
        "generate  Write chosen families into your own crate",
        "families  List the families a spec holds",
    ] {
        assert!(top.contains(line), "--help lacks {line:?}:\n{top}");
    }
    let generate = text(&codegen(&["generate", "--help"], &dir).stdout);
    for flag in ["--families <FAMILIES>", "--out <DIR>", "--crate <PATH>", "[default: ::devrev]", "<SPEC>"] {
        assert!(generate.contains(flag), "generate --help lacks {flag:?}:\n{generate}");
    }

    // clap names a command's version `<bin>-<command>`, as cargo's subcommands do.
    let version = env!("CARGO_PKG_VERSION");
    for (args, name) in [
        (&["--version"][..], "devrev-codegen"),
        (&["-V"], "devrev-codegen"),
        (&["generate", "--version"], "devrev-codegen-generate"),
        (&["families", "-V"], "devrev-codegen-families"),
    ] {
        let out = codegen(args, &dir);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), format!("{name} {version}\n"), "{args:?}");
    }

    // No arguments: the help, on stderr, and a usage error's exit code.
    let out = codegen(&[], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("Usage: devrev-codegen"), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn families_lists_each_family_with_its_operations_and_beta_count() {
    let dir = workdir("families");
    let out = codegen(&["families", "api.yaml"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<Vec<String>> =
        text(&out.stdout).lines().map(|line| line.split_whitespace().take(3).map(str::to_owned).collect()).collect();
    let row = |name: &str| rows.iter().find(|r| r[0] == name).cloned().unwrap_or_default();
    assert_eq!(rows[0], ["family", "operations", "beta"]);
    // gadgets: create (beta), the list's GET and POST, delete.
    assert_eq!(row("gadgets"), ["gadgets", "4", "1"]);
    assert_eq!(row("gizmos"), ["gizmos", "1", "1"]);
    assert_eq!(row("portals"), ["portals", "0", "0"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("GET /portals.authorize: "), "the reason it is not generated:\n{stdout}");
    assert_eq!(stdout.lines().last(), Some("3 families, 5 operations (2 beta), 1 not generated"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generate_writes_the_families_into_the_out_folder() {
    let dir = workdir("generate");
    let out = codegen(&["generate", "api.yaml", "--families", "gadgets,gizmos", "--out", "src/api"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("2 families, 5 operations, "), "{}", text(&out.stdout));
    let gadgets = std::fs::read_to_string(dir.join("src/api/gadgets/mod.rs")).unwrap();
    assert!(
        gadgets.starts_with(
            "// @generated by `devrev-codegen generate <path/to/openapi-beta.yaml> --families gadgets,gizmos --out src/api`"
        ),
        "{gadgets}"
    );
    assert!(gadgets.contains("#[devrev_endpoint(POST, \"/gadgets.create\", beta)]"), "{gadgets}");
    let modrs = std::fs::read_to_string(dir.join("src/api/mod.rs")).unwrap();
    assert!(modrs.contains("pub mod gadgets;") && modrs.contains("pub mod gizmos;"), "{modrs}");

    // A renamed dependency: every attribute names it, and foreign types go through its
    // hidden path, so the user's crate needs no `chrono` of its own (issue 30).
    let out =
        codegen(&["generate", "api.yaml", "--families", " gadgets ", "--crate", "my_devrev", "--out", "src/api"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut all = String::new();
    let mut folders = vec![dir.join("src/api")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                all.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }
    assert!(all.contains("crate = ::my_devrev"), "{all}");
    assert!(all.contains("::my_devrev::__private::chrono::NaiveDate"), "{all}");
    assert!(!all.contains(" ::chrono::") && !all.contains("<::chrono::"), "chrono named directly:\n{all}");
    assert!(!dir.join("src/api/gizmos").exists(), "the folder is replaced as a whole");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs a failing command; its exit code and stderr.
fn fails(args: &[&str], dir: &Path) -> (i32, String) {
    let out = codegen(args, dir);
    assert!(!out.status.success(), "{args:?} succeeded: {}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "{args:?} printed on stdout: {}", text(&out.stdout));
    (out.status.code().unwrap(), text(&out.stderr))
}

#[test]
fn clear_errors_for_a_spec_that_is_unreadable_or_not_openapi() {
    let dir = workdir("spec-errors");
    let (code, err) = fails(&["families", "missing.yaml"], &dir);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: cannot read the spec `missing.yaml`: "), "{err}");

    std::fs::write(dir.join("notes.yaml"), "title: my notes\nitems: [1, 2]\n").unwrap();
    let (_, err) = fails(&["generate", "notes.yaml", "--families", "gadgets", "--out", "out"], &dir);
    assert_eq!(
        err,
        "error: `notes.yaml` is not an OpenAPI document: it has no top-level `openapi: 3.x` \
         (expected DevRev's openapi-beta.yaml)\n"
    );
    assert!(!dir.join("out").exists());

    std::fs::write(dir.join("old.json"), r#"{"openapi": "2.0", "paths": {}}"#).unwrap();
    let (_, err) = fails(&["families", "old.json"], &dir);
    assert!(err.contains("`old.json` is OpenAPI `2.0`; the generator reads OpenAPI 3"), "{err}");

    std::fs::write(dir.join("broken.yaml"), "openapi: 3.0.3\npaths: [\n").unwrap();
    let (_, err) = fails(&["families", "broken.yaml"], &dir);
    assert!(err.starts_with("error: `broken.yaml` is not a YAML or JSON document: "), "{err}");

    std::fs::write(dir.join("odd.yaml"), "openapi: 3.0.3\npaths: 5\n").unwrap();
    let (_, err) = fails(&["families", "odd.yaml"], &dir);
    assert!(err.starts_with("error: `odd.yaml`: not an OpenAPI document the generator can read: "), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_family_is_an_error_with_the_nearest_names() {
    let dir = workdir("family-errors");
    let (code, err) = fails(&["generate", "api.yaml", "--families", "gadgetz,gizmo,zzz", "--out", "out"], &dir);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: no family `gadgetz` in the spec; the nearest: `gadgets`\n\
         no family `gizmo` in the spec; the nearest: `gizmos`\n\
         no family `zzz` in the spec\n\
         (`devrev-codegen families api.yaml` lists the 3 families of this spec)\n"
    );
    assert!(!dir.join("out").exists(), "nothing is written");

    let (_, err) = fails(&["generate", "api.yaml", "--families", "portals", "--out", "out"], &dir);
    assert!(
        err.starts_with("error: `portals` has no operation that is a typed call (GET /portals.authorize: "),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_errors_name_the_flag() {
    let dir = workdir("usage-errors");
    let (code, err) = fails(&["generate", "api.yaml", "--out", "out"], &dir);
    assert_eq!(code, 2);
    assert!(err.contains("required arguments were not provided") && err.contains("--families <FAMILIES>"), "{err}");

    let (_, err) = fails(&["generate", "api.yaml", "--famlies", "gadgets", "--out", "out"], &dir);
    assert!(err.contains("unexpected argument '--famlies'") && err.contains("'--families'"), "{err}");

    let (_, err) =
        fails(&["generate", "api.yaml", "--families", "gadgets", "--out", "out", "--crate", "my devrev"], &dir);
    assert!(err.contains("invalid value 'my devrev' for '--crate <PATH>'"), "{err}");

    let (_, err) = fails(&["generate", "api.yaml", "--families", ",", "--out", "out"], &dir);
    assert_eq!(err, "error: --families needs at least one family (`works,parts`)\n");

    let (code, err) = fails(&["api.yaml", "--families", "gadgets", "--out", "out"], &dir);
    assert_eq!(code, 2);
    assert!(
        err.contains("is the `generate` command now: `devrev-codegen generate api.yaml --families gadgets --out out`"),
        "{err}"
    );

    let (_, err) = fails(&["generat"], &dir);
    assert!(err.starts_with("error: unrecognized command `generat` (did you mean `generate`?)"), "{err}");

    let (_, err) = fails(&["api.yaml"], &dir);
    assert!(err.contains("<DEVREV_CRATE_DIR>"), "{err}");
    assert!(!dir.join("out").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `devrev-codegen <SPEC> <DEVREV_CRATE_DIR>`, the command every generated
/// file of the `devrev` crate names, still regenerates a crate laid out as
/// `devrev` is (the feature markers in `Cargo.toml`, the conformance checker's
/// modules the generated test declares).
#[test]
fn the_devrev_crates_own_regeneration_keeps_its_form() {
    let dir = workdir("regenerate");
    let krate = dir.join("devrev");
    std::fs::create_dir_all(krate.join("tests/spec_conformance")).unwrap();
    for module in ["checks", "introspect", "openapi"] {
        std::fs::write(krate.join(format!("tests/spec_conformance/{module}.rs")), "").unwrap();
    }
    std::fs::write(
        krate.join("Cargo.toml"),
        "[package]\nname = \"devrev\"\nversion = \"0.1.0\"\n\n[features]\n\
         # @generated features begin\n# @generated features end\n",
    )
    .unwrap();
    let out = codegen(&["api.yaml", "devrev"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("2 families, 5 operations generated, "), "{}", text(&out.stdout));
    let gadgets = std::fs::read_to_string(krate.join("src/generated/gadgets/mod.rs")).unwrap();
    assert!(
        gadgets.starts_with(
            "// @generated by `cargo run -p devrev-codegen -- <path/to/openapi-beta.yaml> .`: do not edit.\n"
        ),
        "{gadgets}"
    );
    let toml = std::fs::read_to_string(krate.join("Cargo.toml")).unwrap();
    assert!(toml.contains("full = [\"gadgets\", \"gizmos\"]\ngadgets = []\ngizmos = []\n"), "{toml}");
    assert!(krate.join("tests/generated_wire.rs").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
