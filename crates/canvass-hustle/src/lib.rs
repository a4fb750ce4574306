//! canvass connector for hustle (in progress).
