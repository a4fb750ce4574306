//! # canvass
//!
//! Connector libraries for the data of organizing groups, in one facade.
//! Each connector is behind a feature of its name (all on by default):
//!
//! | module | crate | what |
//! |---|---|---|
//! | [`core`] | canvass-core | canonical model, `Connector` trait, errors, HTTP layer |
//! | `van` | canvass-van | NGP VAN / EveryAction API v4 |
//! | `actionnetwork` | canvass-actionnetwork | Action Network API v2 |
//! | `mobilize` | canvass-mobilize | Mobilize API v1 |
//! | `hustle` | canvass-hustle | Hustle API v3 (texting) |
//! | `strive` | canvass-strive | Strive (texting) |
//! | `spoke` | canvass-spoke | Spoke (texting: database reads, GraphQL writes) |
//! | `files` | canvass-files | CSV exports and sign-in sheets, CSV or XLSX (`kind = "csv"`) |
//! | `sync` | canvass-sync | the engine: warehouse, identity, VAN sync |

pub use canvass_core as core;

#[cfg(feature = "actionnetwork")]
pub use canvass_actionnetwork as actionnetwork;
#[cfg(feature = "files")]
pub use canvass_files as files;
#[cfg(feature = "hustle")]
pub use canvass_hustle as hustle;
#[cfg(feature = "mobilize")]
pub use canvass_mobilize as mobilize;
#[cfg(feature = "spoke")]
pub use canvass_spoke as spoke;
#[cfg(feature = "strive")]
pub use canvass_strive as strive;
#[cfg(feature = "sync")]
pub use canvass_sync as sync;
#[cfg(feature = "van")]
pub use canvass_van as van;
