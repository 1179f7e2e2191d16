//! The client: configuration, and the one connection pool calls share.
//!
//! A [`Client`] is cheap to clone (an `Arc` and reqwest's own pooled client)
//! and is meant to be built once and shared. Defaults:
//!
//! | setting | default |
//! | --- | --- |
//! | base URL | `https://api.devrev.ai` (https required unless the host is loopback) |
//! | connect timeout | 10 s |
//! | attempt timeout (`timeout`) | 60 s, headers and body of one attempt |
//! | deadline | 120 s for the whole call, retries and waits included |
//! | retries | see [`RetryPolicy`]: 3 attempts, 1 s base, 30 s cap |
//! | body cap | 16 MiB |
//! | redirects | never followed: a 3xx is [`Error::Redirect`](crate::Error::Redirect) |
//!
//! A zero timeout, deadline or body cap is refused at `build()`
//! ([`ConfigError::InvalidSetting`]).
//!
//! Per-call overrides take a derived client: `client.with_retry_policy(..)`,
//! `client.with_timeout(..)`, `client.with_deadline(..)` each return a new
//! `Client` that shares the connection pool.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, USER_AGENT};

use crate::auth::{Token, TOKEN_ENV};
use crate::error::{ConfigError, Result};
use crate::pacing::{LocalBudget, PacingBudget};
use crate::redact::{redact_userinfo, Redacted};
use crate::retry::{RetryPolicy, Sleeper, TokioSleeper};

/// DevRev's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.devrev.ai";
/// The environment variable [`Client::from_env`] reads the base URL from.
pub const BASE_URL_ENV: &str = "DEVREV_BASE_URL";
/// The `User-Agent` every request carries (after the caller's own, if any).
pub const USER_AGENT_PREFIX: &str = concat!("devrev-rust/", env!("CARGO_PKG_VERSION"));
/// The smallest timeout or deadline a derived client takes
/// ([`Client::with_timeout`], [`Client::with_deadline`]): a zero is raised to it.
pub const MIN_LIMIT: Duration = Duration::from_millis(1);
/// The default cap on a response body: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// A DevRev API client. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) config: Arc<Config>,
}

#[derive(Clone)]
pub(crate) struct Config {
    /// Kept only to scrub it from error text a server echoes it in; the
    /// header itself is one of reqwest's default headers, marked sensitive.
    pub(crate) token: Token,
    pub(crate) base_url: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) attempt_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) deadline: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) sleeper: Arc<dyn Sleeper>,
    /// The rate-limit budget, shared by every clone and derived client;
    /// `None` when pacing is off.
    pub(crate) pacer: Option<Arc<dyn PacingBudget>>,
    /// The HTTP client for storage URLs (no `Authorization` header), built
    /// on first use and shared by clones and derived clients.
    #[cfg(feature = "storage")]
    pub(crate) storage_http: Arc<std::sync::OnceLock<reqwest::Client>>,
    /// The roots added with [`ClientBuilder::add_root_certificate`], which
    /// the storage client trusts too (an artifact URL on the same server).
    #[cfg(feature = "storage")]
    pub(crate) root_certificates: Vec<reqwest::Certificate>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        f.debug_struct("Client")
            .field("base_url", &c.base_url)
            .field("token", &c.token)
            .field("retry", &c.retry)
            .field("attempt_timeout", &c.attempt_timeout)
            .field("connect_timeout", &c.connect_timeout)
            .field("deadline", &c.deadline)
            .field("max_body_bytes", &c.max_body_bytes)
            .field("pacing", &c.pacer.is_some())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The rate-limit budget as the client knows it (limit, remaining,
    /// reset); all `None` until an answer told it, or when pacing is off.
    pub fn rate_limit_budget(&self) -> crate::response::RateLimit {
        self.config.pacer.as_ref().map(|p| p.snapshot()).unwrap_or_default()
    }

    /// A builder with the defaults; only the token is required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `DEVREV_TOKEN` and, if set, `DEVREV_BASE_URL`.
    ///
    /// # Errors
    /// [`ConfigError::MissingToken`] when `DEVREV_TOKEN` is unset or empty,
    /// and any error of [`ClientBuilder::build`].
    pub fn from_env() -> Result<Client> {
        let token = std::env::var(TOKEN_ENV).ok().filter(|t| !t.trim().is_empty());
        let Some(token) = token else {
            return Err(ConfigError::MissingToken.into());
        };
        let mut builder = Client::builder().token(token);
        if let Some(url) = std::env::var(BASE_URL_ENV).ok().filter(|u| !u.trim().is_empty()) {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.config.retry
    }

    /// A client sharing this one's connections, with another retry policy.
    #[must_use]
    pub fn with_retry_policy(&self, retry: RetryPolicy) -> Client {
        self.derive(|c| c.retry = retry)
    }

    /// A client sharing this one's connections, with another attempt timeout.
    ///
    /// `build()` refuses a zero timeout; here, where no error can be
    /// returned, zero is raised to [`MIN_LIMIT`] (one millisecond), so the
    /// call times out at once with a typed [`Error::Timeout`](crate::Error::Timeout).
    #[must_use]
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        self.derive(|c| c.attempt_timeout = timeout.max(MIN_LIMIT))
    }

    /// A client sharing this one's connections, with another total deadline.
    ///
    /// Zero is raised to [`MIN_LIMIT`], as for [`with_timeout`](Self::with_timeout).
    #[must_use]
    pub fn with_deadline(&self, deadline: Duration) -> Client {
        self.derive(|c| c.deadline = deadline.max(MIN_LIMIT))
    }

    fn derive(&self, change: impl FnOnce(&mut Config)) -> Client {
        let mut config = Config::clone(&self.config);
        change(&mut config);
        Client { http: self.http.clone(), config: Arc::new(config) }
    }
}

/// Builds a [`Client`]; see the module docs for the defaults.
#[derive(Default)]
pub struct ClientBuilder {
    token: Option<String>,
    base_url: Option<String>,
    attempt_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    deadline: Option<Duration>,
    user_agent: Option<String>,
    api_version: Option<String>,
    beta: bool,
    retry: Option<RetryPolicy>,
    max_body_bytes: Option<usize>,
    sleeper: Option<Arc<dyn Sleeper>>,
    pacing: Option<bool>,
    budget: Option<Arc<dyn PacingBudget>>,
    /// PEM certificates trusted besides the built-in roots.
    root_certificates: Vec<Vec<u8>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| Redacted))
            .field("base_url", &self.base_url)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("deadline", &self.deadline)
            .field("user_agent", &self.user_agent)
            .field("api_version", &self.api_version)
            .field("beta", &self.beta)
            .field("retry", &self.retry)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("pacing", &self.pacing)
            .field("budget", &self.budget)
            .field("root_certificates", &self.root_certificates.len())
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API token, sent as `Authorization: Bearer <token>`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Where requests go; `https://api.devrev.ai` by default. Plain `http` is
    /// accepted only for loopback hosts (a local test server).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The time limit of one attempt, from sending to the last byte of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The time limit for opening a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The time limit of a whole call: every attempt and every wait between.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// A product name sent before this crate's own in `User-Agent`
    /// (`my-app/1.0 devrev-rust/0.1.0`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The API version to ask for, sent as `X-Devrev-Version` (such as `2024-01-24`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// Sends `X-Devrev-Scope: beta`, which DevRev's beta endpoints want.
    pub fn beta(mut self, beta: bool) -> Self {
        self.beta = beta;
        self
    }

    /// The retry policy; see [`RetryPolicy`].
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// The largest response body read, in bytes; a larger one is
    /// [`Error::BodyTooLarge`](crate::Error::BodyTooLarge).
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = Some(bytes);
        self
    }

    /// Whether calls are held back to stay within the rate limit DevRev
    /// reports, instead of drawing 429s; on by default. See [`crate::pacing`].
    pub fn pacing(mut self, pacing: bool) -> Self {
        self.pacing = Some(pacing);
        self
    }

    /// Where the pacing budget is kept: by default a [`LocalBudget`] in this
    /// client's memory; a [`RedisBudget`](crate::pacing::RedisBudget)
    /// (feature `redis`) shares one budget between processes. Turns pacing
    /// on unless [`pacing(false)`](Self::pacing) says otherwise. See [`crate::pacing`].
    pub fn pacing_budget<B: PacingBudget + 'static>(mut self, budget: Arc<B>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// How waits between attempts (and pacing waits) are slept; for tests that must not sleep.
    pub fn sleeper(mut self, sleeper: impl Sleeper) -> Self {
        self.sleeper = Some(Arc::new(sleeper));
        self
    }

    /// Trusts the certificate(s) in `pem` (PEM text, one or more
    /// `CERTIFICATE` blocks) as roots, besides the built-in ones: a server
    /// with its own certificate authority, such as `devrev-testkit --https`
    /// (its `TestServer::ca_pem`). May be called more than once.
    ///
    /// ```
    /// # fn run(ca_pem: &str) -> devrev_runtime::Result<()> {
    /// let client = devrev_runtime::Client::builder()
    ///     .token("token")
    ///     .base_url("https://127.0.0.1:8443")
    ///     .add_root_certificate(ca_pem)
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    ///
    /// PEM that holds no certificate is a [`ConfigError::InvalidSetting`]
    /// from [`build`](Self::build).
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.push(pem.as_ref().to_vec());
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    /// [`ConfigError`] for a missing or malformed token, a base URL that does
    /// not parse or is not https (outside loopback), a bad header value, or a
    /// zero timeout, deadline or body cap ([`ConfigError::InvalidSetting`]).
    pub fn build(self) -> Result<Client> {
        let token = Token::new(self.token.ok_or(ConfigError::MissingToken)?)?;
        let base_url = check_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        for (name, value) in
            [("timeout", self.attempt_timeout), ("connect_timeout", self.connect_timeout), ("deadline", self.deadline)]
        {
            if value.is_some_and(|d| d.is_zero()) {
                return Err(
                    ConfigError::InvalidSetting { name, reason: "it must be longer than zero".to_owned() }.into()
                );
            }
        }
        if self.max_body_bytes == Some(0) {
            let reason = "a zero cap would refuse every answer with a body".to_owned();
            return Err(ConfigError::InvalidSetting { name: "max_body_bytes", reason }.into());
        }

        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, token.header_value());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let user_agent = match &self.user_agent {
            Some(ua) => format!("{} {USER_AGENT_PREFIX}", ua.trim()),
            None => USER_AGENT_PREFIX.to_owned(),
        };
        headers.insert(
            USER_AGENT,
            HeaderValue::from_str(&user_agent).map_err(|_| ConfigError::InvalidHeader { name: "User-Agent" })?,
        );
        if let Some(version) = &self.api_version {
            headers.insert(
                HeaderName::from_static("x-devrev-version"),
                HeaderValue::from_str(version).map_err(|_| ConfigError::InvalidHeader { name: "X-Devrev-Version" })?,
            );
        }
        if self.beta {
            headers.insert(HeaderName::from_static("x-devrev-scope"), HeaderValue::from_static("beta"));
        }

        let connect_timeout = self.connect_timeout.unwrap_or(Duration::from_secs(10));
        let mut http = reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(connect_timeout)
            .use_rustls_tls();
        let mut roots = Vec::new();
        for pem in &self.root_certificates {
            let invalid = |reason: String| ConfigError::InvalidSetting { name: "root_certificate", reason };
            let certificates = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| invalid(format!("not PEM certificates: {e}")))?;
            if certificates.is_empty() {
                return Err(invalid("the PEM holds no CERTIFICATE block".to_owned()).into());
            }
            for certificate in certificates {
                http = http.add_root_certificate(certificate.clone());
                roots.push(certificate);
            }
        }
        #[cfg(not(feature = "storage"))]
        let _ = roots;
        let http = http.build().map_err(|e| ConfigError::Http(e.to_string()))?;

        let config = Config {
            token,
            base_url,
            retry: self.retry.unwrap_or_default(),
            attempt_timeout: self.attempt_timeout.unwrap_or(Duration::from_secs(60)),
            connect_timeout,
            deadline: self.deadline.unwrap_or(Duration::from_secs(120)),
            max_body_bytes: self.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES),
            sleeper: self.sleeper.unwrap_or_else(|| Arc::new(TokioSleeper)),
            pacer: match (self.pacing.unwrap_or(true), self.budget) {
                (false, _) => None,
                (true, Some(budget)) => Some(budget),
                (true, None) => Some(Arc::new(LocalBudget::default())),
            },
            #[cfg(feature = "storage")]
            storage_http: Arc::default(),
            #[cfg(feature = "storage")]
            root_certificates: roots,
        };
        Ok(Client { http, config: Arc::new(config) })
    }
}

/// Parses and checks a base URL; returns it without a trailing slash.
fn check_base_url(raw: &str) -> std::result::Result<String, ConfigError> {
    let shown = redact_userinfo(raw);
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl { url: shown.clone(), reason: reason.to_owned() };
    let url = url::Url::parse(raw.trim()).map_err(|e| invalid(&e.to_string()))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("it must not carry credentials; use the token"));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(ConfigError::InsecureBaseUrl { url: shown }),
        other => return Err(invalid(&format!("unsupported scheme `{other}`; use https"))),
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn config_err(r: Result<Client>) -> ConfigError {
        match r {
            Err(Error::Config(c)) => *c,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn base_url_rules() {
        let ok = |u: &str| Client::builder().token("t").base_url(u).build().unwrap().base_url().to_owned();
        assert_eq!(ok("https://api.devrev.ai/"), "https://api.devrev.ai");
        assert_eq!(ok("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(ok("http://localhost:1/prefix/"), "http://localhost:1/prefix");
        assert_eq!(ok("http://[::1]:9"), "http://[::1]:9");
        let err = |u: &str| config_err(Client::builder().token("t").base_url(u).build());
        assert!(matches!(err("http://api.devrev.ai"), ConfigError::InsecureBaseUrl { .. }));
        assert!(matches!(err("http://10.0.0.1"), ConfigError::InsecureBaseUrl { .. }));
        assert!(matches!(err("ftp://x"), ConfigError::InvalidBaseUrl { .. }));
        assert!(matches!(err("not a url"), ConfigError::InvalidBaseUrl { .. }));
        assert!(matches!(err("https://x/?a=b"), ConfigError::InvalidBaseUrl { .. }));
    }

    #[test]
    fn refused_base_urls_do_not_print_credentials() {
        for raw in [
            "https://user:hunter2@api.devrev.ai",
            "http://user:hunter2@example.com/x",
            "https://hunter2@api.devrev.ai/",
            "https://a:b@c:hunter2@api.devrev.ai",
            "ftp://user:hunter2@host",
            "https://user:hunter2@[::1",
        ] {
            let err = Error::from(config_err(Client::builder().token("t").base_url(raw).build()));
            for text in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
                assert!(!text.contains("hunter2"), "{raw}: {text}");
                assert!(text.contains("<redacted>@"), "{raw}: {text}");
            }
        }
    }

    #[test]
    fn derived_clients_raise_zero_limits() {
        let client = Client::builder().token("t").build().unwrap();
        assert_eq!(client.with_timeout(Duration::ZERO).config.attempt_timeout, MIN_LIMIT);
        assert_eq!(client.with_deadline(Duration::ZERO).config.deadline, MIN_LIMIT);
        assert_eq!(client.with_timeout(Duration::from_secs(5)).config.attempt_timeout, Duration::from_secs(5));
    }

    #[test]
    fn missing_token_is_typed() {
        assert_eq!(config_err(Client::builder().build()), ConfigError::MissingToken);
    }

    #[test]
    fn zero_limits_are_refused() {
        let setting = |b: ClientBuilder| match config_err(b.token("t").build()) {
            ConfigError::InvalidSetting { name, .. } => name,
            other => panic!("expected an invalid setting, got {other:?}"),
        };
        assert_eq!(setting(Client::builder().timeout(Duration::ZERO)), "timeout");
        assert_eq!(setting(Client::builder().connect_timeout(Duration::ZERO)), "connect_timeout");
        assert_eq!(setting(Client::builder().deadline(Duration::ZERO)), "deadline");
        assert_eq!(setting(Client::builder().max_body_bytes(0)), "max_body_bytes");
        assert!(Client::builder().token("t").timeout(Duration::from_millis(1)).max_body_bytes(1).build().is_ok());
    }

    #[test]
    fn debug_hides_token() {
        let client = Client::builder().token("super-secret-token").build().unwrap();
        let debug = format!("{client:?}");
        assert!(!debug.contains("super-secret-token"), "{debug}");
        assert!(debug.contains("token: Token(<redacted>),"), "{debug}");
        let builder = format!("{:?}", Client::builder().token("super-secret-token"));
        assert!(!builder.contains("super-secret-token"), "{builder}");
        assert!(builder.contains("token: Some(<redacted>),"), "{builder}");
        let pretty = format!("{client:#?}");
        assert!(pretty.contains("    token: Token(<redacted>),\n"), "{pretty}");
    }
}
