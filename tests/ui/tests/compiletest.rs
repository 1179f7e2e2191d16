//! The compile-time contract of `#[devrev_endpoint]` and `#[derive(Page)]`.
//!
//! `fail/` holds one file per mistake with the exact compiler output a user
//! sees (`.stderr`); `pass/` holds every accepted shape, each calling the
//! generated methods so their signatures are checked too. Regenerate the
//! `.stderr` files after a deliberate change with
//! `TRYBUILD=overwrite cargo test -p devrev-ui-tests`, then read the diff:
//! [`one_mistake_one_error`] then checks that no case gained an error.

use std::path::Path;

#[test]
fn ui() {
    // trybuild builds the cases, devrev and every dependency in a target
    // directory of its own (`target/tests/trybuild`: its rustflags differ, so
    // nothing is shared with the workspace build) and under cargo's default
    // `dev` profile, with full debug info, which only slows that build and
    // its links: nothing the cases print depends on it. Its cargo inherits
    // this environment; a value already set is kept.
    if std::env::var_os("CARGO_PROFILE_DEV_DEBUG").is_none() {
        std::env::set_var("CARGO_PROFILE_DEV_DEBUG", "false");
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("fail/*.rs");
    t.pass("pass/*.rs");
}

/// The cases of `fail/` that do not report exactly one error, and why.
const NOT_ONE_ERROR: &[(&str, usize, &str)] = &[
    ("several-mistakes", 4, "four mistakes in one attribute, reported together"),
    (
        "paginate-cascade-page-not-imported-elsewhere",
        2,
        "rustc's own unresolved `derive(Page)` in a module other than the request's (name \
         resolution, which no macro can stop), then the response is not a page, on `paginate`, whose \
         note names the missing `use devrev::Page;`: the attribute cannot tell a derive that did not \
         resolve from a missing one (both leave the type without a `Page` impl), and the missing one \
         needs its error. Beside the request, where the trial wrote it, the derive resolves: see \
         `TYPICAL_MISTAKES_ACCEPTED`",
    ),
];

/// The mistakes a new user makes most, each a `fail/` case (its file stem)
/// with the user's own call site (`.send(client).await?` and the use of its
/// answer, or an `.items(client)` loop), so a cascade into the calls shows up
/// in its error count. Before the fallback expansion of issue 30, five of
/// them reported two errors. The nineteenth, `#[derive(Page)]` without its
/// import beside a `paginate` request, now compiles: see
/// [`TYPICAL_MISTAKES_ACCEPTED`].
const TYPICAL_MISTAKES: [&str; 18] = [
    "typical-option-misspelled",
    "typical-request-not-clone",
    "typical-name-without-request",
    "typical-keyword-field",
    "typical-method-as-string",
    "typical-method-lowercase",
    "typical-missing-path",
    "typical-missing-comma",
    "typical-path-without-slash",
    "typical-path-is-url",
    "typical-request-not-serialize",
    "typical-response-not-deserialize",
    "typical-response-misnamed",
    "typical-response-option-misspelled",
    "typical-response-without-page",
    "typical-paginate-without-cursor",
    "typical-cursor-wrong-type",
    "typical-tuple-struct",
];

/// Typical mistakes that are no longer mistakes, each a `pass/` case: the
/// attribute's `paginate` brings the `Page` derive into its module, so
/// `#[derive(Page)]` without `use devrev::Page;` beside the request compiles
/// (in another module it is [`NOT_ONE_ERROR`]'s
/// `paginate-cascade-page-not-imported-elsewhere`).
const TYPICAL_MISTAKES_ACCEPTED: [&str; 1] = ["page-derive-beside-paginate"];

/// Every typical mistake has its case, its recorded output and a call site;
/// [`one_mistake_one_error`] pins its count.
#[test]
fn typical_mistakes_have_their_cases() {
    let pass = Path::new(env!("CARGO_MANIFEST_DIR")).join("pass");
    for case in TYPICAL_MISTAKES_ACCEPTED {
        let source =
            std::fs::read_to_string(pass.join(format!("{case}.rs"))).unwrap_or_else(|e| panic!("{case}.rs: {e}"));
        assert!(source.contains(".items(client)"), "{case}.rs has no call site");
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fail");
    for case in TYPICAL_MISTAKES {
        let source =
            std::fs::read_to_string(dir.join(format!("{case}.rs"))).unwrap_or_else(|e| panic!("{case}.rs: {e}"));
        assert!(
            source.contains(".send(client).await?") || source.contains(".items(client)"),
            "{case}.rs has no call site"
        );
        assert!(dir.join(format!("{case}.stderr")).exists(), "{case}.stderr is missing");
    }
    let cases = std::fs::read_dir(&dir)
        .expect("fail/ is readable")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("typical-") && name.ends_with(".rs"))
        .count();
    let listed = TYPICAL_MISTAKES.iter().filter(|case| case.starts_with("typical-")).count();
    assert_eq!(cases, listed, "a typical-*.rs case that TYPICAL_MISTAKES does not list");
}

/// One mistake, one error: every `fail/` case reports exactly one error
/// (counted in its recorded compiler output) unless [`NOT_ONE_ERROR`] lists
/// it with its count and the reason.
#[test]
fn one_mistake_one_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fail");
    let mut cases = 0;
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fail/ is readable") {
        let path = entry.expect("fail/ entry").path();
        if path.extension().is_none_or(|ext| ext != "stderr") {
            continue;
        }
        let name = path.file_stem().and_then(|s| s.to_str()).expect("UTF-8 file name").to_owned();
        let stderr = std::fs::read_to_string(&path).expect("stderr is UTF-8");
        let errors = stderr
            .lines()
            .filter(|line| {
                line.strip_prefix("error")
                    .is_some_and(|rest| rest.starts_with(':') || (rest.starts_with("[E") && rest.contains("]:")))
            })
            .count();
        let expected = NOT_ONE_ERROR.iter().find(|(case, ..)| *case == name).map_or(1, |(_, n, _)| *n);
        if errors != expected {
            wrong.push(format!("{name}: {errors} errors, expected {expected}"));
        }
        cases += 1;
    }
    assert!(cases >= 60, "only {cases} recorded cases in {}", dir.display());
    for (case, ..) in NOT_ONE_ERROR {
        assert!(dir.join(format!("{case}.stderr")).exists(), "NOT_ONE_ERROR names {case}, which has no case");
    }
    assert!(wrong.is_empty(), "error counts changed:\n{}", wrong.join("\n"));
}
