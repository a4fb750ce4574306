//! canvass connector for mobilize (in progress).
