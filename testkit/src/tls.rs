//! HTTPS on request ([`TestServerBuilder::https`](crate::TestServerBuilder::https),
//! `devrev-testkit --https`): a certificate authority and a certificate for
//! `127.0.0.1` and `localhost` signed by it, both made with `rcgen` when the
//! server starts (nothing on disk, nothing shared between servers), served
//! with `rustls` (ring). A client trusts the authority's PEM
//! ([`TestServer::ca_pem`](crate::TestServer::ca_pem)).

use std::io;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// The server's TLS side: the acceptor, and the authority's certificate as PEM.
#[derive(Clone)]
pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) ca_pem: String,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The keys stay out of `Debug`.
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("devrev-testkit cannot make its TLS certificate: {e}"))
}

impl Tls {
    /// A new authority and a server certificate for 127.0.0.1 and localhost.
    pub(crate) fn generate() -> io::Result<Tls> {
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "devrev-testkit local CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        let ca_key = KeyPair::generate().map_err(other)?;
        let ca_cert = ca.self_signed(&ca_key).map_err(other)?;

        // `127.0.0.1` becomes an IP address name, `localhost` a DNS name.
        let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).map_err(other)?;
        leaf.distinguished_name.push(DnType::CommonName, "devrev-testkit");
        leaf.use_authority_key_identifier_extension = true;
        let leaf_key = KeyPair::generate().map_err(other)?;
        let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).map_err(other)?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(other)?
            .with_no_client_auth()
            .with_single_cert(vec![leaf_cert.der().clone(), ca_cert.der().clone()], key)
            .map_err(other)?;
        // The server speaks HTTP/1.1 only.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls { acceptor: TlsAcceptor::from(Arc::new(config)), ca_pem: ca_cert.pem() })
    }
}
