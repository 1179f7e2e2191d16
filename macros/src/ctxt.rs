//! Error collection: every mistake in one attribute is reported in one build.
//!
//! The same shape as serde_derive's `internals/ctxt.rs`: errors are pushed as
//! they are found and folded into one `syn::Error` with `combine`, so the user
//! sees all of them at once instead of fixing them one build at a time.

use std::fmt::Display;

use quote::ToTokens;

/// Collects the errors found while parsing and validating one macro input.
#[derive(Default)]
pub(crate) struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    /// Records an error spanned on `tokens`.
    pub(crate) fn error_spanned_by<T: ToTokens, M: Display>(&mut self, tokens: T, msg: M) {
        self.errors.push(syn::Error::new_spanned(tokens.into_token_stream(), msg));
    }

    /// Records an error that already carries its span.
    pub(crate) fn syn_error(&mut self, err: syn::Error) {
        self.errors.push(err);
    }

    /// Folds the recorded errors into one, or `Ok` if there were none.
    pub(crate) fn check(self) -> syn::Result<()> {
        let mut errors = self.errors.into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for rest in errors {
            combined.combine(rest);
        }
        Err(combined)
    }
}
