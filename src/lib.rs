//! canvass
pub use canvass_core as core;
