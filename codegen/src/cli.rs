//! The command line: `generate`, `families`, and the `devrev` crate's own
//! regeneration (`devrev-codegen <SPEC> <DEVREV_CRATE_DIR>`, the command every
//! file of `src/generated/` names on its first line), on clap.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use devrev_codegen::plan::{self, Endpoint};
use devrev_codegen::spec::Spec;

/// Generates typed DevRev API calls from DevRev's OpenAPI spec.
///
/// `generate` writes chosen families (request structs with `#[devrev_endpoint]`, `new(..)`,
/// setters, and the models they need) into your own crate, which then needs `devrev`, `serde`
/// and `serde_json`. `families` lists what a spec holds. With a spec and the `devrev` crate's
/// folder instead of a command, it regenerates the `devrev` crate itself (`src/generated/`,
/// the feature block of `Cargo.toml`, the family table of `README.md`, the generated tests).
#[derive(Debug, Parser)]
#[command(
    name = "devrev-codegen",
    version,
    propagate_version = true,
    args_conflicts_with_subcommands = true,
    arg_required_else_help = true,
    override_usage = "devrev-codegen generate <SPEC> --families <FAMILIES> --out <DIR> [--crate <PATH>]\n       \
                      devrev-codegen families <SPEC>\n       \
                      devrev-codegen <SPEC> <DEVREV_CRATE_DIR>",
    after_help = "Examples:\n  \
                  devrev-codegen families openapi-beta.yaml\n  \
                  devrev-codegen generate openapi-beta.yaml --families works,parts --out src/devrev_api\n  \
                  cargo run -p devrev-codegen -- openapi-beta.yaml .    (in a checkout of devrev: regenerate it)"
)]
pub struct Cli {
    /// DevRev's OpenAPI spec (openapi-beta.yaml), to regenerate the `devrev` crate itself
    #[arg(value_name = "SPEC", requires = "crate_dir")]
    spec: Option<PathBuf>,
    /// The `devrev` crate's folder (a checkout's root), whose generated files are rewritten
    #[arg(value_name = "DEVREV_CRATE_DIR")]
    crate_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write chosen families into your own crate (a folder to declare with `mod`)
    #[command(
        after_help = "Example:\n  devrev-codegen generate openapi-beta.yaml --families works,parts --out src/devrev_api\n\n\
                      Then `mod devrev_api;` gives `devrev_api::works::WorksCreateRequest` and the rest, with the\n\
                      models those families need in `devrev_api::model`. Your crate needs `devrev`, `serde` (with\n\
                      `derive`) and `serde_json`."
    )]
    Generate(Generate),
    /// List the families a spec holds, with their operations and how many are beta
    Families(Families),
}

#[derive(Debug, Args)]
struct Generate {
    /// DevRev's OpenAPI spec (openapi-beta.yaml; YAML or JSON)
    #[arg(value_name = "SPEC")]
    spec: PathBuf,
    /// The families to write, comma-separated (`works,parts`); `devrev-codegen families <SPEC>` lists them
    #[arg(long, value_name = "FAMILIES", value_delimiter = ',', required = true)]
    families: Vec<String>,
    /// The folder to write, such as src/devrev_api; replaced as a whole, so it must be empty, absent, or an earlier output
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The path your crate names `devrev` by: `::my_devrev` for `my_devrev = { package = "devrev", .. }`
    #[arg(long = "crate", value_name = "PATH", default_value = "::devrev", value_parser = crate_path)]
    krate: String,
}

#[derive(Debug, Args)]
struct Families {
    /// DevRev's OpenAPI spec (openapi-beta.yaml; YAML or JSON)
    #[arg(value_name = "SPEC")]
    spec: PathBuf,
}

/// Parses `args` (with the program name first), runs the command, prints
/// its summary or its error.
pub fn main(args: Vec<OsString>) -> ExitCode {
    if let Some(hint) = old_user_form(&args).or_else(|| unknown_command(&args)) {
        let _ = writeln!(std::io::stderr(), "error: {hint}");
        return ExitCode::from(2);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        // `--help` and `--version` are "errors" that print to stdout and exit 0.
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let started = std::time::Instant::now();
    let result = match cli.command {
        Some(Command::Generate(args)) => generate(&args),
        Some(Command::Families(args)) => families(&args.spec),
        None => match (cli.spec, cli.crate_dir) {
            (Some(spec), Some(crate_dir)) => {
                load_spec(&spec).and_then(|spec| devrev_codegen::run_spec(&spec, &crate_dir)).map(Some)
            }
            // clap requires both (`requires`) or a command (`arg_required_else_help`).
            _ => Err("give a command (`generate`, `families`) or a spec and the devrev crate's folder".to_owned()),
        },
    };
    match result {
        Ok(summary) => {
            // A closed stdout (`| head`) is not an error of the generator.
            if let Some(summary) = summary {
                let _ = writeln!(std::io::stdout(), "{summary}\ndone in {:.2?}", started.elapsed());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One word that is neither a command nor a file (`devrev-codegen generat`):
/// clap would read it as the spec of the regeneration and ask for the crate's
/// folder; name the commands instead.
fn unknown_command(args: &[OsString]) -> Option<String> {
    let [_, word] = args else { return None };
    let word = word.to_str()?;
    if word.starts_with('-') || ["generate", "families", "help"].contains(&word) || Path::new(word).exists() {
        return None;
    }
    let near = ["generate", "families"].into_iter().find(|c| strsim::jaro_winkler(word, c) >= 0.8);
    Some(format!(
        "unrecognized command `{word}`{}; the commands are `generate` and `families`, \
         or give a spec and the devrev crate's folder (see `devrev-codegen --help`)",
        near.map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default()
    ))
}

/// The form before the subcommands (`devrev-codegen <SPEC> --families ..`)
/// gets the new one named, instead of clap's "unexpected argument".
fn old_user_form(args: &[OsString]) -> Option<String> {
    let first = args.get(1)?.to_str()?;
    let is_command = ["generate", "families", "help"].contains(&first) || first.starts_with('-');
    let user_flags = args.iter().skip(2).any(|a| {
        a.to_str().is_some_and(|a| ["--families", "--out", "--crate"].iter().any(|f| a.split('=').next() == Some(f)))
    });
    (!is_command && user_flags).then(|| {
        let rest: Vec<String> = args.iter().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
        format!(
            "writing families into your crate is the `generate` command now: \
             `devrev-codegen generate {}` (see `devrev-codegen generate --help`)",
            rest.join(" ")
        )
    })
}

/// `--crate`: a Rust path such as `::my_devrev` (a leading `::` is added to a bare name).
fn crate_path(value: &str) -> Result<String, String> {
    let path = value.trim();
    let valid = !path.is_empty()
        && path.trim_start_matches("::").split("::").all(|seg| {
            seg.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if !valid {
        return Err(format!("expected a Rust path such as `::my_devrev`, not `{value}`"));
    }
    Ok(if path.starts_with("::") || path == "crate" || path.starts_with("crate::") {
        path.to_owned()
    } else {
        format!("::{path}")
    })
}

/// Reads the spec at `path`, with an error that says what is wrong: the file
/// cannot be read, is not YAML or JSON, is not an OpenAPI 3 document, or lacks
/// what the generator reads.
fn load_spec(path: &Path) -> Result<Spec, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the spec `{shown}`: {e}"))?;
    let doc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&text).map_err(|e| format!("`{shown}` is not a YAML or JSON document: {e}"))?;
    let version = doc.get("openapi").map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| format!("{v:?}")));
    match version {
        Some(v) if v.starts_with("3.") => {}
        Some(v) => {
            return Err(format!(
                "`{shown}` is OpenAPI `{v}`; the generator reads OpenAPI 3 documents (DevRev's openapi-beta.yaml)"
            ))
        }
        None => {
            return Err(format!(
                "`{shown}` is not an OpenAPI document: it has no top-level `openapi: 3.x` \
                 (expected DevRev's openapi-beta.yaml)"
            ))
        }
    }
    serde_yaml_ng::from_value(doc)
        .map_err(|e| format!("`{shown}`: not an OpenAPI document the generator can read: {e}"))
}

/// `generate`: the chosen families into `--out`.
fn generate(args: &Generate) -> Result<Option<String>, String> {
    let families: Vec<String> =
        args.families.iter().map(|f| f.trim()).filter(|f| !f.is_empty()).map(str::to_owned).collect();
    if families.is_empty() {
        return Err("--families needs at least one family (`works,parts`)".to_owned());
    }
    let spec = load_spec(&args.spec)?;
    let plan = plan::plan(&spec)?;
    let unknown: Vec<String> = families
        .iter()
        .filter(|f| !plan.families.contains_key(f.as_str()))
        .map(|f| unknown_family(f, plan.families.keys().map(String::as_str)))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "{}\n(`devrev-codegen families {}` lists the {} families of this spec)",
            unknown.join("\n"),
            args.spec.display(),
            plan.families.len()
        ));
    }
    for name in &families {
        let skipped: Vec<String> = plan.families[name.as_str()]
            .endpoints
            .iter()
            .map(|e| match e {
                Endpoint::Skipped { op, reason } => Ok(format!("{} {}: {reason}", op.method, op.path)),
                _ => Err(()),
            })
            .collect::<Result<_, ()>>()
            .unwrap_or_default();
        if !skipped.is_empty() {
            return Err(format!("`{name}` has no operation that is a typed call ({})", skipped.join("; ")));
        }
    }
    devrev_codegen::run_user_spec(&spec, &args.out, &families, &args.krate).map(Some)
}

/// The error for a family the spec does not have, with the nearest names.
fn unknown_family<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> String {
    let wanted = name.to_ascii_lowercase().replace('_', "-");
    let mut near: Vec<(f64, &str)> = known
        .map(|k| {
            let score = strsim::jaro_winkler(&wanted, k);
            // A part of a name (`timeline` for `timeline-entries`) is near too.
            let contains = wanted.len() >= 3 && (k.contains(&wanted) || wanted.contains(k));
            (if contains { score.max(0.9) } else { score }, k)
        })
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let near: Vec<String> = near.iter().take(3).map(|(_, k)| format!("`{k}`")).collect();
    if near.is_empty() {
        format!("no family `{name}` in the spec")
    } else {
        format!("no family `{name}` in the spec; the nearest: {}", near.join(", "))
    }
}

/// `families`: each family with its operations, how many are beta, and what
/// is not generated.
fn families(spec_path: &Path) -> Result<Option<String>, String> {
    let spec = load_spec(spec_path)?;
    let plan = plan::plan(&spec)?;
    let mut out = String::new();
    let width = plan.families.keys().map(String::len).max().unwrap_or(6).max("family".len());
    out.push_str(&format!("{:width$}  operations  beta  not generated\n", "family"));
    let (mut all_ops, mut all_beta, mut all_skipped) = (0, 0, 0);
    for family in plan.families.values() {
        let (mut ops, mut beta, mut skipped) = (0, 0, Vec::new());
        for endpoint in &family.endpoints {
            let generated = match endpoint {
                Endpoint::Single { op, .. } => vec![op],
                Endpoint::Twin { get, post, .. } => vec![get, post],
                Endpoint::Skipped { op, reason } => {
                    skipped.push(format!("{} {}: {reason}", op.method, op.path));
                    continue;
                }
            };
            ops += generated.len();
            beta += generated.iter().filter(|op| op.beta).count();
        }
        all_ops += ops;
        all_beta += beta;
        all_skipped += skipped.len();
        let row = format!("{:width$}  {ops:>10}  {beta:>4}  {}", family.name, skipped.join("; "));
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "{} families, {all_ops} operations ({all_beta} beta), {all_skipped} not generated",
        plan.families.len()
    ));
    let _ = writeln!(std::io::stdout(), "{out}");
    Ok(None)
}
