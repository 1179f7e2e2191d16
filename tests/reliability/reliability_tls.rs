//! A server certificate the client does not trust (an unknown issuer, an
//! expired certificate, one made out for another host) fails the same way on
//! every attempt: the client connects once, does not retry, and says it is a
//! certificate problem (`TransportKind::Certificate`, with the TLS library's
//! error at the bottom of the source chain). Refused and reset connections
//! are still retried (`reliability_faults::connection_refused_is_retried_for_every_endpoint`,
//! `reliability_faults::connection_reset_after_sending_never_resends_a_create`).

use crate::reliability_support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use devrev::{Client, Error, TransportKind};
use devrev_testkit::TestServer;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use reliability_support::{builder, thing_json, Ep, RecordingSleeper};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::CertificateError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The TLS library's error in `err`'s chain of causes. rustls's error
/// travels inside `io::Error`s, whose `source()` skips what they wrap, so
/// each `io::Error` is opened with `get_ref()`.
fn tls_error_in_chain(err: &Error) -> Option<&rustls::Error> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = next {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        next = match cause.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
            Some(wrapped) => Some(wrapped as &(dyn std::error::Error + 'static)),
            None => cause.source(),
        };
    }
    None
}

/// `err` is the certificate kind of transport error, after one attempt,
/// permanent, saying so, with rustls's `InvalidCertificate` for `reason`
/// in its chain.
fn assert_certificate_error(err: &Error, reason: impl Fn(&CertificateError) -> bool) {
    let Error::Transport(transport) = err else { panic!("expected a transport error, got {err:?}") };
    assert_eq!(transport.kind(), TransportKind::Certificate, "{err:?}");
    assert_eq!((transport.attempts(), transport.maybe_sent(), err.attempts()), (1, false, 1), "{err:?}");
    assert!(err.is_permanent() && !err.is_retryable() && !err.may_have_been_applied(), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("the server's TLS certificate is not trusted, so the request was not sent: "), "{text}");
    assert!(text.ends_with("(after 1 attempt)"), "{text}");
    match tls_error_in_chain(err) {
        Some(rustls::Error::InvalidCertificate(why)) => assert!(reason(why), "{why:?} in {err:?}"),
        other => panic!("expected rustls's InvalidCertificate in the chain, got {other:?} in {err:?}"),
    }
}

/// A TCP relay on 127.0.0.1 to `target` that counts the connections made to it.
struct CountingRelay {
    url: String,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl CountingRelay {
    async fn start(target: SocketAddr) -> CountingRelay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        CountingRelay { url, connections, task }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for CountingRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test]
async fn a_certificate_from_an_unknown_authority_is_tried_once() {
    let server = TestServer::builder().https().start().await.unwrap();
    for ep in Ep::BOTH {
        let relay = CountingRelay::start(server.addr()).await;
        let sleeper = RecordingSleeper::default();
        // The client does not add `server.ca_pem()`: the testkit's authority is unknown to it.
        let client = builder(&relay.url, &sleeper).build().unwrap();
        let err = ep.call(&client).await.unwrap_err();
        assert_certificate_error(&err, |why| *why == CertificateError::UnknownIssuer);
        assert_eq!(relay.connections(), 1, "{ep:?}: one connection, no retry");
        assert!(sleeper.waits().is_empty(), "{ep:?}: no wait for a retry: {:?}", sleeper.waits());
    }

    // The same server through the same relay, its authority trusted: the
    // handshake passes and the server answers (an error status for this
    // test's endpoint), so the failure above was the certificate's.
    let relay = CountingRelay::start(server.addr()).await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&relay.url, &sleeper).add_root_certificate(server.ca_pem().unwrap()).build().unwrap();
    let err = Ep::Get.call(&client).await.unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
}

/// A certificate authority made for one test, and its PEM for the client.
struct Authority {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

fn authority() -> Authority {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, "reliability_tls CA");
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
    let key = KeyPair::generate().unwrap();
    let pem = params.clone().self_signed(&key).unwrap().pem();
    Authority { params, key, pem }
}

/// An HTTPS server on 127.0.0.1 whose certificate, signed by `ca`, has
/// `leaf`'s names and dates; answers every request with a thing, and counts
/// the connections made to it (handshake passed or not).
struct TlsServer {
    url: String,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl TlsServer {
    async fn start(ca: &Authority, leaf: CertificateParams) -> TlsServer {
        let ca_cert = ca.params.clone().self_signed(&ca.key).unwrap();
        let leaf_key = KeyPair::generate().unwrap();
        let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca.key).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![leaf_cert.der().clone()], key)
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(stream).await else { return };
                    // One request without a body (the test's `GET`): read its head, answer.
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let body = thing_json("T-1");
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tls.write_all(answer.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        TlsServer { url, connections, task }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn leaf_for(names: &[&str]) -> CertificateParams {
    let mut leaf = CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, "reliability_tls");
    leaf.use_authority_key_identifier_extension = true;
    leaf
}

/// The client trusts the authority; the server's certificate is expired,
/// or made out for another host: one connection each, the certificate kind.
/// The same authority's valid certificate for 127.0.0.1 is served and
/// answered, so the defect is what fails.
#[tokio::test]
async fn an_expired_or_misnamed_certificate_is_tried_once() {
    let ca = authority();
    let client_for = |url: &str, sleeper: &RecordingSleeper| -> Client {
        builder(url, sleeper).add_root_certificate(&ca.pem).build().unwrap()
    };

    let valid = TlsServer::start(&ca, leaf_for(&["127.0.0.1"])).await;
    let sleeper = RecordingSleeper::default();
    let answer = Ep::Get.call(&client_for(&valid.url, &sleeper)).await.unwrap();
    assert_eq!(answer.value.thing.id, "T-1");
    assert_eq!(valid.connections(), 1);

    let mut expired = leaf_for(&["127.0.0.1"]);
    expired.not_before = rcgen::date_time_ymd(2000, 1, 1);
    expired.not_after = rcgen::date_time_ymd(2001, 1, 1);
    let misnamed = leaf_for(&["api.elsewhere.example"]);
    type Reason = fn(&CertificateError) -> bool;
    let cases: [(&str, CertificateParams, Reason); 2] = [
        ("expired", expired, |why| matches!(why, CertificateError::Expired | CertificateError::ExpiredContext { .. })),
        ("another host's", misnamed, |why| {
            matches!(why, CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. })
        }),
    ];
    for (what, leaf, reason) in cases {
        let server = TlsServer::start(&ca, leaf).await;
        for ep in Ep::BOTH {
            let sleeper = RecordingSleeper::default();
            let before = server.connections();
            let err = ep.call(&client_for(&server.url, &sleeper)).await.unwrap_err();
            assert_certificate_error(&err, reason);
            assert_eq!(server.connections() - before, 1, "{what} certificate, {ep:?}: one connection, no retry");
            assert!(sleeper.waits().is_empty(), "{what}, {ep:?}: {:?}", sleeper.waits());
        }
    }
}

/// Storage URLs (artifacts) follow the same rule: a download from a server
/// whose certificate has expired is one connection and the certificate kind.
#[cfg(feature = "artifacts")]
#[tokio::test]
async fn a_storage_download_from_an_expired_certificate_is_tried_once() {
    let ca = authority();
    let mut expired = leaf_for(&["127.0.0.1"]);
    expired.not_before = rcgen::date_time_ymd(2000, 1, 1);
    expired.not_after = rcgen::date_time_ymd(2001, 1, 1);
    let server = TlsServer::start(&ca, expired).await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server.url, &sleeper).add_root_certificate(&ca.pem).build().unwrap();
    let err = match client.download_from_storage(&format!("{}/artifact/1", server.url)).await {
        Ok(_) => panic!("the download passed an expired certificate"),
        Err(err) => err,
    };
    assert_certificate_error(&err, |why| {
        matches!(why, CertificateError::Expired | CertificateError::ExpiredContext { .. })
    });
    assert_eq!(server.connections(), 1, "one connection, no retry");
    assert!(sleeper.waits().is_empty(), "{:?}", sleeper.waits());
}
