//! A real `redis-server` (or `valkey-server`) for the tests of the shared
//! pacing budget, started on a free loopback port with a temp dir, and a
//! small RESP client to look at what the budget wrote.
//!
//! The binary is `$REDIS_SERVER` if set (a path that must exist: CI sets it
//! and a wrong path fails loudly), else `redis-server` or `valkey-server` on
//! `PATH`. With none, [`RedisServer::start`] returns `None` and prints why,
//! and the test returns early.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the server binary is, if anywhere.
pub fn redis_server_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("REDIS_SERVER").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "REDIS_SERVER={} is not a file", path.display());
        return Some(path);
    }
    let paths = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&paths) {
        for name in ["redis-server", "valkey-server"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A free loopback port (free when asked; the server binds it right after).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A `redis-server` child process, killed on drop.
pub struct RedisServer {
    bin: PathBuf,
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a server on a free port, or `None` (with a message) when there is no binary.
    pub fn start(test: &str) -> Option<RedisServer> {
        Self::start_on(test, free_port())
    }

    /// Starts a server on `port`, or `None` (with a message) when there is no binary.
    pub fn start_on(test: &str, port: u16) -> Option<RedisServer> {
        let Some(bin) = redis_server_binary() else {
            eprintln!(
                "SKIPPED {test}: no redis-server found (set REDIS_SERVER to its path or put \
                 redis-server or valkey-server on PATH; .ci/run installs one)"
            );
            return None;
        };
        let dir = std::env::temp_dir().join(format!("devrev-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut server = RedisServer { bin, port, dir, child: None };
        server.restart();
        Some(server)
    }

    /// The URL a budget connects to.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL: no shutdown, no save).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, empty (nothing is saved), and waits until it answers.
    pub fn restart(&mut self) {
        self.kill();
        let child = Command::new(&self.bin)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--enable-debug-command", "local", "--dir"])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.bin.display()));
        self.child = Some(child);
        let started = Instant::now();
        loop {
            if let Ok(mut conn) = Resp::connect(self.port) {
                if conn.cmd(&["PING"]) == Value::Simple("PONG".into()) {
                    return;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{} did not answer on {}",
                self.bin.display(),
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A new connection to the server.
    pub fn conn(&self) -> Resp {
        Resp::connect(self.port).unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A RESP reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Simple(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Value>>),
}

impl Value {
    /// The strings of an array of bulk strings (`KEYS`, `HGETALL`).
    pub fn strings(&self) -> Vec<String> {
        match self {
            Value::Array(Some(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Bulk(Some(b)) => String::from_utf8_lossy(b).into_owned(),
                    other => format!("{other:?}"),
                })
                .collect(),
            other => panic!("not an array: {other:?}"),
        }
    }
}

/// A minimal RESP2 client: enough to inspect and disturb the server in tests.
pub struct Resp {
    reader: BufReader<TcpStream>,
}

impl Resp {
    pub fn connect(port: u16) -> std::io::Result<Resp> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(Resp { reader: BufReader::new(stream) })
    }

    /// Sends one command without reading its reply.
    pub fn send(&mut self, args: &[&str]) {
        let mut out = format!("*{}\r\n", args.len());
        for a in args {
            out.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        self.reader.get_mut().write_all(out.as_bytes()).unwrap();
    }

    /// Sends one command and reads its reply.
    pub fn cmd(&mut self, args: &[&str]) -> Value {
        self.send(args);
        self.read()
    }

    /// Reads one reply.
    pub fn read(&mut self) -> Value {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let line = line.trim_end_matches("\r\n");
        let (kind, rest) = line.split_at(1);
        match kind {
            "+" => Value::Simple(rest.into()),
            "-" => Value::Error(rest.into()),
            ":" => Value::Int(rest.parse().unwrap()),
            "$" => {
                let n: i64 = rest.parse().unwrap();
                if n < 0 {
                    return Value::Bulk(None);
                }
                let mut buf = vec![0; n as usize + 2];
                self.reader.read_exact(&mut buf).unwrap();
                buf.truncate(n as usize);
                Value::Bulk(Some(buf))
            }
            "*" => {
                let n: i64 = rest.parse().unwrap();
                if n < 0 {
                    return Value::Array(None);
                }
                Value::Array(Some((0..n).map(|_| self.read()).collect()))
            }
            other => panic!("unexpected RESP reply {other}{rest}"),
        }
    }

    /// Reads lines until the connection closes or `stop` is reached; for `MONITOR`.
    pub fn read_all_lines(mut self, until: Instant) -> String {
        let mut all = String::new();
        self.reader.get_ref().set_read_timeout(Some(Duration::from_millis(100))).unwrap();
        while Instant::now() < until {
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => break,
                Ok(_) => all.push_str(&line),
                Err(_) => {}
            }
        }
        all
    }

    /// The fields of a hash, as pairs.
    pub fn hgetall(&mut self, key: &str) -> std::collections::BTreeMap<String, String> {
        let flat = self.cmd(&["HGETALL", key]).strings();
        flat.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect()
    }
}
