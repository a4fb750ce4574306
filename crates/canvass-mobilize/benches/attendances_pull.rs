//! Full and incremental attendance pulls against the simulator (written below).
fn main() {}
