//! The typed client against the simulator: paging quirks, filters, errors,
//! auth, writes.

use canvass_actionnetwork::models::Person;
use canvass_actionnetwork::simulator::{ActionNetworkSim, SimConfig};
use canvass_core::http::RateLimit;
use canvass_testkit::Faults;

async fn sim(people: usize) -> ActionNetworkSim {
    ActionNetworkSim::start(SimConfig { people, ..SimConfig::default() }).await
}

#[tokio::test]
async fn reads_through_injected_faults() {
    let sim = sim(60).await;
    let client = sim.client_builder().rate_limit(RateLimit::unlimited()).per_page(5).build().unwrap();
    sim.control().set_faults(Faults::chaos());
    let people: Vec<Person> = client.people().list().all().await.unwrap();
    let stats = sim.control().stats();
    assert_eq!(people.len(), 60);
    assert!(stats.faulted > 0, "{stats:?}");
}
