//! The canvass engine (in progress).
