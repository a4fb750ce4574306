//! The VAN simulator.
