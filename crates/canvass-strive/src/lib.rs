//! canvass connector for strive (in progress).
