//! Find-or-create a person in VAN, apply an activist code, and sign them up
//! for an event shift, against the VAN simulator.
//!
//! Run: `cargo run --example van_find_or_create --features van,simulators`

use canvass::van::models::{EmailAddress, Person, PhoneNumber, Signup};
use canvass::van::simulator::VanSim;

#[tokio::main]
async fn main() -> Result<(), canvass::core::Error> {
    // A simulated VAN with an activist code, a phone bank and its shifts.
    let sim = VanSim::start().await;
    let seeded = sim.seed_standard();
    let van = sim.client();

    // 1. Find or create: VAN matches on first + last + email (or phone, …).
    let person = Person {
        first_name: Some("Ana".into()),
        last_name: Some("Núñez".into()),
        emails: Some(vec![EmailAddress {
            email: "ana.nunez@example.org".into(),
            ..Default::default()
        }]),
        phones: Some(vec![PhoneNumber {
            phone_number: "(404) 262-0192".into(),
            phone_type: Some("C".into()),
            ..Default::default()
        }]),
        ..Person::default()
    };
    let created = van.people().find_or_create(&person).send().await?;
    let matched = van.people().find_or_create(&person).send().await?;
    println!(
        "findOrCreate: van id {} (created: {}), again: van id {} (created: {})",
        created.van_id, created.created, matched.van_id, matched.created
    );

    // 2. Apply an activist code (a canvass response with one response).
    let code = seeded.activist_codes["Volunteer"];
    van.canvass_responses()
        .apply_activist_code(created.van_id, code)
        .send()
        .await?;
    println!(
        "applied activist code {code}; canvass responses stored: {}",
        sim.canvass_response_count()
    );

    // 3. Sign them up for the first shift of a phone bank, as a Volunteer, Scheduled.
    let event = &seeded.events[0];
    let statuses = van.signups().statuses_for_event(event.event_id).await?;
    let scheduled = statuses
        .iter()
        .find(|s| s.name.as_deref() == Some("Scheduled"))
        .map_or(1, |s| s.status_id);
    let signup_id = van
        .signups()
        .create(&Signup::new(
            created.van_id,
            event.event_id,
            event.shift_ids[0],
            event.role_ids[1],
            scheduled,
        ))
        .await?;
    let signup = van.signups().get(signup_id).await?;
    println!(
        "signup {signup_id}: {} on {:?} / shift {:?} as {:?}, status {:?}",
        created.van_id, signup.event.name, signup.shift.name, signup.role.name, signup.status.name
    );
    Ok(())
}
