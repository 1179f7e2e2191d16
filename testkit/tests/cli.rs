//! The `devrev-testkit` binary: `--help` and `--version` name every flag and
//! its environment variable, and the variables are read (a port, a token,
//! HTTPS with the printed certificate trusted by an https-only client).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_devrev-testkit");

/// Every flag, with its environment variable.
const FLAGS: [(&str, &str); 7] = [
    ("--port", "DEVREV_TESTKIT_PORT"),
    ("--token", "DEVREV_TESTKIT_TOKEN"),
    ("--rate-limit", "DEVREV_TESTKIT_RATE_LIMIT"),
    ("--seed", "DEVREV_TESTKIT_SEED"),
    ("--quiet", "DEVREV_TESTKIT_QUIET"),
    ("--https", "DEVREV_TESTKIT_HTTPS"),
    ("--ca-file", "DEVREV_TESTKIT_CA_FILE"),
];

/// A command with none of the `DEVREV_TESTKIT_*` variables of the test's own environment.
fn command() -> Command {
    let mut command = Command::new(BIN);
    for (_, var) in FLAGS {
        command.env_remove(var);
    }
    command
}

#[test]
fn help_names_every_flag_and_its_variable() {
    let out = command().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for (flag, var) in FLAGS {
        let line = help.lines().find(|l| l.trim_start().starts_with(flag)).unwrap_or_else(|| panic!("{flag}:\n{help}"));
        assert!(help.contains(&format!("[env: {var}")), "{var} for {line}:\n{help}");
    }
    assert!(help.contains("--help") && help.contains("--version"), "{help}");
    // A token set in the environment is not shown in the help.
    let out = command().arg("--help").env("DEVREV_TESTKIT_TOKEN", "s3cret-token").output().unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains("s3cret-token"));
}

#[test]
fn version_is_the_crate_version() {
    let out = command().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), format!("devrev-testkit {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn a_bad_flag_or_value_is_a_usage_error() {
    for args in [&["--no-such-flag"][..], &["--port", "http"], &["--ca-file", "/tmp/x.pem"]] {
        let out = command().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("error:") && stderr.contains(args[0]), "{args:?}: {stderr}");
    }
    let out = command().env("DEVREV_TESTKIT_PORT", "not-a-port").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Kills the child when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary and reads its stdout up to the blank line after the
/// banner; returns the child and those lines.
fn start(command: &mut Command) -> (Running, Vec<String>) {
    let mut child = Running(command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    let stdout = child.0.stdout.take().unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    (child, lines)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn the_port_and_token_come_from_the_environment() {
    let port = free_port();
    let (_child, lines) =
        start(command().env("DEVREV_TESTKIT_PORT", port.to_string()).env("DEVREV_TESTKIT_TOKEN", "env-token"));
    let url = format!("http://127.0.0.1:{port}");
    assert!(lines[0].ends_with(&format!("on {url}")), "{lines:?}");
    assert_eq!(lines[1], "token: env-token");
    let answer = reqwest::Client::new()
        .post(format!("{url}/tags.list"))
        .header("authorization", "env-token")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    // A flag wins over the variable.
    let other = free_port();
    let (_child, lines) =
        start(command().env("DEVREV_TESTKIT_PORT", port.to_string()).args(["--port", &other.to_string()]));
    assert!(lines[0].ends_with(&format!("on http://127.0.0.1:{other}")), "{lines:?}");
}

#[tokio::test]
async fn https_from_the_environment_prints_a_certificate_a_client_can_trust() {
    let dir = std::env::temp_dir().join(format!("devrev-testkit-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    let (_child, lines) = start(
        command()
            .env("DEVREV_TESTKIT_PORT", "0")
            .env("DEVREV_TESTKIT_HTTPS", "1")
            .env("DEVREV_TESTKIT_CA_FILE", &ca_file)
            .env("DEVREV_TESTKIT_QUIET", "true"),
    );
    let url = lines[0].rsplit(' ').next().unwrap().to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{lines:?}");
    let token = lines[1].strip_prefix("token: ").unwrap().to_owned();
    // The PEM as printed, between its markers.
    let begin = lines.iter().position(|l| l == "-----BEGIN CERTIFICATE-----").expect("a printed PEM");
    let end = lines.iter().position(|l| l == "-----END CERTIFICATE-----").unwrap();
    let printed = lines[begin..=end].join("\n") + "\n";
    assert_eq!(std::fs::read_to_string(&ca_file).unwrap(), printed, "the file holds the printed PEM");

    let client = reqwest::Client::builder()
        .https_only(true)
        .add_root_certificate(reqwest::Certificate::from_pem(printed.as_bytes()).unwrap())
        .build()
        .unwrap();
    let answer =
        client.post(format!("{url}/tags.list")).header("authorization", token).body("{}").send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Each request is printed to stderr (without `--quiet`); a stderr whose
/// reader is gone (a supervisor that closed its end of the pipe) makes every
/// write fail, and the server must go on answering, line lost or not.
#[tokio::test]
async fn a_closed_stderr_does_not_stop_the_answers() {
    let port = free_port();
    let mut child = Running(
        command()
            .env("DEVREV_TESTKIT_PORT", port.to_string())
            .env("DEVREV_TESTKIT_TOKEN", "pipe-token")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // The reading end of stderr goes first: each write to it is now EPIPE.
    drop(child.0.stderr.take());
    let stdout = child.0.stdout.take().unwrap();
    let banner: Vec<String> =
        BufReader::new(stdout).lines().map_while(Result::ok).take_while(|l| !l.is_empty()).collect();
    assert!(banner[0].ends_with(&format!("on http://127.0.0.1:{port}")), "{banner:?}");
    let http = reqwest::Client::new();
    for n in 0..3 {
        let answer = http
            .post(format!("http://127.0.0.1:{port}/tags.list"))
            .header("authorization", "pipe-token")
            .body("{}")
            .send()
            .await
            .unwrap_or_else(|e| panic!("request {n}: {e}"));
        assert_eq!(answer.status().as_u16(), 200, "request {n}");
        let body: serde_json::Value = serde_json::from_str(&answer.text().await.unwrap()).unwrap();
        assert_eq!(body["tags"], serde_json::json!([]), "request {n}");
    }
    assert!(child.0.try_wait().unwrap().is_none(), "the server is still running");
}
