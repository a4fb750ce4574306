//! canvass connector for van (in progress).
