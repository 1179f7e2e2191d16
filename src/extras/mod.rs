//! Hand-written companions of generated families: what DevRev's spec cannot
//! say (helpers, verifiers, shortcuts). `devrev-codegen` re-exports the items
//! of `src/extras/<module>.rs` from the generated `devrev::<module>` when the
//! file exists, so they read as part of the family; each module here is
//! behind its family's feature, like the family itself.
//!
//! `model/<schema>.rs` (helpers on one generated model, such as
//! `UserSummary::id`) are declared by the generated model file itself, under
//! the model's own `cfg`, not here.

#[cfg(feature = "artifacts")]
pub mod artifacts;
#[cfg(feature = "rev-orgs")]
pub mod rev_orgs;
#[cfg(feature = "webhooks")]
pub mod webhooks;
