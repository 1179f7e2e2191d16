//! Files in and out: [`ArtifactsExt`] adds `upload_artifact` and
//! `download_artifact` to [`Client`], each one call for what DevRev splits
//! in two (a DevRev call that hands out a storage URL, then the transfer).
//!
//! ```no_run
//! use devrev::artifacts::{ArtifactsExt, UploadSource};
//! use futures_util::TryStreamExt;
//!
//! # async fn run(client: devrev::Client) -> devrev::Result<()> {
//! // Bytes in memory, a file (read as it is sent), or a stream of chunks.
//! let id = client.upload_artifact("notes.txt", b"hello".to_vec()).await?;
//! let big = client.upload_artifact("dump.tar", UploadSource::file("/tmp/dump.tar")).await?;
//!
//! // A stream of `Bytes`, read as it arrives (or an `AsyncRead`: `tokio::io::copy`).
//! let mut download = client.download_artifact(&id).await?;
//! while let Some(chunk) = download.try_next().await? {
//!     println!("{} bytes", chunk.len());
//! }
//! # let _ = big; Ok(()) }
//! ```
//!
//! - **Upload:** `artifacts.prepare` answers an ID, a storage URL and form
//!   fields (an S3 POST policy); the file goes to that URL in a
//!   multipart/form-data POST with the fields in the order given and the
//!   file last. The artifact's ID is returned, to attach to a work, a
//!   comment, and so on.
//! - **Download:** `artifacts.locate` answers a signed URL; its body streams back.
//! - **Memory is bounded:** neither direction holds the file. A file source
//!   is read 64 KiB at a time as the connection takes it, a download yields
//!   chunks as they arrive.
//! - **The DevRev token never leaves for storage:** the transfers go through a
//!   second HTTP client without it, and storage URLs (which carry
//!   signatures) are never printed; errors name their host only.
//! - **Errors:** a storage answer of 403, 5xx and so on is
//!   [`Error::Storage`](crate::Error::Storage) (`err.status()`,
//!   `err.storage().and_then(|s| s.code())` for S3's `AccessDenied`); the
//!   DevRev calls fail as every call does. Retries: `prepare` is a create
//!   (not resent after it may have been applied); the upload is retried
//!   where it is safe (bytes and files on 5xx, a stream only if it was not
//!   read yet; see `devrev::storage`); `locate` and the download are retried
//!   like reads.
//!
//! For a new version of an artifact, or any other storage URL, use
//! [`Client::upload_to_storage`] with an [`UploadForm`] and
//! [`Client::download_from_storage`] directly.

use crate::artifacts::{ArtifactsLocateQueryRequest, ArtifactsPrepareRequest};
use crate::{Client, Result};

pub use devrev_runtime::storage::{Bytes, Download, UploadForm, UploadSource};

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::Client {}
}

/// Artifact uploads and downloads on [`Client`]: bring the trait into scope
/// (`use devrev::artifacts::ArtifactsExt;`, or `devrev::ArtifactsExt`) and call
/// `client.upload_artifact(..)`. Implemented for [`Client`] only.
pub trait ArtifactsExt: sealed::Sealed {
    /// Uploads a file named `file_name` and returns the new artifact's ID
    /// (`don:core:...:artifact/...`).
    ///
    /// `source` is anything that becomes an [`UploadSource`]: a `Vec<u8>`,
    /// [`Bytes`], a `String`, `UploadSource::file(path)` or
    /// `UploadSource::stream(chunks)`.
    ///
    /// # Errors
    /// Any error of `artifacts.prepare`; [`Error::Storage`](crate::Error::Storage)
    /// when the upload URL answers with an error status (403 when the policy
    /// refuses the file, 5xx) or a file cannot be read;
    /// [`Error::Transport`](crate::Error::Transport) when the connection fails.
    fn upload_artifact(
        &self,
        file_name: impl Into<String> + Send,
        source: impl Into<UploadSource> + Send,
    ) -> impl std::future::Future<Output = Result<String>> + Send;

    /// [`upload_artifact`](Self::upload_artifact) with a prepare request of
    /// your own (a `file_type`, which also becomes the file part's
    /// `Content-Type`, or a `configuration_set`).
    ///
    /// # Errors
    /// As for [`upload_artifact`](Self::upload_artifact).
    fn upload_artifact_with(
        &self,
        request: ArtifactsPrepareRequest,
        source: impl Into<UploadSource> + Send,
    ) -> impl std::future::Future<Output = Result<String>> + Send;

    /// Finds where an artifact can be read (`artifacts.locate`) and starts
    /// reading it: a [`Download`], a stream of [`Bytes`] chunks read as they
    /// arrive, or an `AsyncRead`.
    ///
    /// # Errors
    /// Any error of `artifacts.locate` (404 for an unknown ID);
    /// [`Error::Storage`](crate::Error::Storage) when the download URL
    /// answers with an error status.
    fn download_artifact(
        &self,
        id: impl Into<String> + Send,
    ) -> impl std::future::Future<Output = Result<Download>> + Send;
}

impl ArtifactsExt for Client {
    async fn upload_artifact(
        &self,
        file_name: impl Into<String> + Send,
        source: impl Into<UploadSource> + Send,
    ) -> Result<String> {
        self.upload_artifact_with(ArtifactsPrepareRequest::new(file_name), source).await
    }

    async fn upload_artifact_with(
        &self,
        request: ArtifactsPrepareRequest,
        source: impl Into<UploadSource> + Send,
    ) -> Result<String> {
        let source = source.into();
        let prepared = request.send(self).await?;
        let mut form = UploadForm::new(prepared.url, request.file_name);
        for field in prepared.form_data {
            form = form.field(field.key, field.value);
        }
        if let Some(file_type) = request.file_type {
            form = form.content_type(file_type);
        }
        self.upload_to_storage(&form, source).await?;
        Ok(prepared.id)
    }

    async fn download_artifact(&self, id: impl Into<String> + Send) -> Result<Download> {
        let located = ArtifactsLocateQueryRequest::new(id).send(self).await?;
        self.download_from_storage(&located.url).await
    }
}
