//! Helpers shared by the integration tests that write through the simulator.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use canvass_core::http::RateLimit;
use canvass_spoke::simulator::SpokeSim;
use canvass_spoke::{ConnectorOptions, SpokeConnector};

/// A connector on the simulator with default options.
pub fn connector(sim: &SpokeSim) -> SpokeConnector {
    sim.connector(None, RateLimit::unlimited(), ConnectorOptions::default())
        .unwrap()
}

/// An assigned contact of the main organization with a valid cell.
pub fn assigned(sim: &SpokeSim) -> i64 {
    *sim.seeded
        .contacts
        .keys()
        .find(|id| {
            !sim.seeded.unassigned.contains(id)
                && !sim.seeded.invalid_cells.contains(id)
                && !sim.seeded.other_org_contacts.contains(id)
        })
        .unwrap()
}
