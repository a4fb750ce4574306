//! Template connector (in progress).
