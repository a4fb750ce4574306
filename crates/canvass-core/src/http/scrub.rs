//! Removing known secrets from text before it goes into an error or a log.

/// Replaces every occurrence of each secret in `text` with `[REDACTED]`.
/// Secrets shorter than four characters are ignored (they would redact noise).
///
/// ```
/// use canvass_core::http::scrub;
/// let s = scrub("API Key invalid: abc123secret", ["abc123secret"]);
/// assert_eq!(s, "API Key invalid: [REDACTED]");
/// ```
pub fn scrub<S: AsRef<str>>(text: &str, secrets: impl IntoIterator<Item = S>) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        let secret = secret.as_ref();
        if secret.len() >= 4 && out.contains(secret) {
            out = out.replace(secret, "[REDACTED]");
        }
    }
    out
}

/// The first `max` characters of `text`, on a character boundary, with `…`
/// when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let cut: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{cut}…")
    } else {
        cut
    }
}
