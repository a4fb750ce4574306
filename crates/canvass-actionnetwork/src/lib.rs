//! canvass connector for actionnetwork (in progress).
