//! Lists upcoming Mobilize events with their shifts and signup counts,
//! against the Mobilize simulator (no network, no key needed).
//!
//! Run: `cargo run --example mobilize_upcoming_events --features mobilize,simulators`

use std::collections::HashMap;

use canvass::core::time::from_unix;
use canvass::mobilize::client::{Compare, TimeRef};
use canvass::mobilize::models::SignupStatus;
use canvass::mobilize::simulator::{MobilizeSim, SimOptions};

fn when(unix: Option<i64>) -> String {
    unix.and_then(from_unix).map_or_else(
        || "?".to_string(),
        |t| t.format("%a %b %e %H:%M UTC").to_string(),
    )
}

#[tokio::main]
async fn main() -> Result<(), canvass::core::Error> {
    let sim = MobilizeSim::start(SimOptions::small()).await;
    let client = sim.client_builder().build()?;
    let org = sim.organization_id();

    // Upcoming events: only timeslots starting from now come back.
    let events = client
        .events(org)
        .list()
        .timeslot_start(Compare::Gte(TimeRef::Now))
        .all()
        .await?;

    // Signups per timeslot, from one walk over the organization's attendances.
    let mut signups: HashMap<u64, usize> = HashMap::new();
    for a in client.attendances(org).list().per_page(100).all().await? {
        if a.status != Some(SignupStatus::Cancelled)
            && let Some(slot) = a.timeslot.and_then(|t| t.id)
        {
            *signups.entry(slot).or_default() += 1;
        }
    }

    println!("{} upcoming events for organization {org}:\n", events.len());
    for e in &events {
        let kind = e.event_type.as_ref().map_or("?", |t| t.as_str());
        let place = e
            .location
            .as_ref()
            .and_then(|l| l.locality.clone())
            .unwrap_or_else(|| "virtual".into());
        println!(
            "#{} {} [{kind}, {place}]",
            e.id.unwrap_or_default(),
            e.title.as_deref().unwrap_or("(untitled)")
        );
        for t in &e.timeslots {
            let id = t.id.unwrap_or_default();
            let end = t
                .end_date
                .map_or_else(|| "open-ended".to_string(), |_| when(t.end_date));
            let capacity = t
                .max_attendees
                .map_or_else(String::new, |m| format!(" of {m}"));
            println!(
                "    shift {id}: {} -> {end}: {} signed up{capacity}",
                when(t.start_date),
                signups.get(&id).copied().unwrap_or(0)
            );
        }
    }
    Ok(())
}
