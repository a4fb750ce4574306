//! canvass connector for Spoke (in progress).
