//! Idempotency keys: the push ledger's primary key for each planned write.
//!
//! A key is the SHA-256 of a versioned, unit-separated list of parts: the
//! ledger target, the rule, and the source facts that make the write what it
//! is (see each rule in [`crate::plan`]). The same source facts always give
//! the same key, on any machine and in any run, so the ledger can refuse to
//! write anything twice.

use sha2::{Digest, Sha256};

/// The version mixed into every key; changing how keys are made means a new version.
const VERSION: &str = "canvass-vansync/1";

/// The key of a write made of these parts.
///
/// ```
/// use canvass_vansync::key::idempotency_key;
/// let a = idempotency_key(&["van:state", "opt_outs", "+14045550100"]);
/// assert_eq!(a, idempotency_key(&["van:state", "opt_outs", "+14045550100"]));
/// assert_ne!(a, idempotency_key(&["van:county", "opt_outs", "+14045550100"]));
/// assert_eq!(a.len(), 64);
/// ```
pub fn idempotency_key(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(VERSION.as_bytes());
    for part in parts {
        // 0x1f (unit separator) cannot be confused with text in a part.
        hasher.update([0x1f]);
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn moving_a_separator_changes_the_key(a in "[a-z:]{0,8}", b in "[a-z:]{0,8}") {
            // ("ab", "") and ("a", "b") must differ: parts are delimited.
            let joined = format!("{a}{b}");
            prop_assume!(!b.is_empty());
            prop_assert_ne!(idempotency_key(&[&joined, ""]), idempotency_key(&[&a, &b]));
        }
    }
}
