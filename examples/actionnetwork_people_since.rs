//! Pulls the people changed on Action Network since a date and prints them,
//! against the Action Network simulator (no key or network needed).
//!
//! ```text
//! cargo run --example actionnetwork_people_since --features simulators -- 2024-01-01T02:00:00Z
//! ```
//!
//! Against the real API, build the client with
//! `ActionNetworkClient::new(&std::env::var("ACTION_NETWORK_API_KEY")?)` instead.

use canvass::actionnetwork::client::Written;
use canvass::actionnetwork::mapping;
use canvass::actionnetwork::models::{Person, Resource};
use canvass::actionnetwork::simulator::{ActionNetworkSim, SimConfig};
use canvass::core::time::parse_timestamp;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arg = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "2024-01-01T02:00:00Z".to_string());
    let since = parse_timestamp(&arg)
        .ok_or_else(|| format!("not a date: {arg:?} (try 2024-01-01 or 2024-01-01T02:00:00Z)"))?;

    // A simulated Action Network with 150 people (created from 2024-01-01
    // on, a minute apart), a few of whom change while we watch.
    let sim = ActionNetworkSim::start(SimConfig {
        people: 150,
        ..SimConfig::default()
    })
    .await;
    sim.touch_people(3);
    let client = sim.client_builder().build()?; // Action Network's 4 requests/second

    println!("people modified since {}:", since.to_rfc3339());
    let mut pages = client.people().list().modified_since(since).send();
    let (mut count, mut problems) = (0, 0);
    while let Some(page) = pages.try_next().await? {
        for (i, item) in page.items.iter().enumerate() {
            let label = format!("page {} item {i}", page.page);
            let decoded = canvass::actionnetwork::client::decode_item::<Person>(&label, item);
            match decoded.map_err(|e| e.to_string()).and_then(|p| {
                mapping::person(&p, &label).map_err(|i| format!("{}: {}", i.field, i.message))
            }) {
                Ok((person, issues)) => {
                    count += 1;
                    problems += issues.len();
                    let name = [person.given_name.as_deref(), person.family_name.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    let email = person
                        .primary_email()
                        .map(|e| format!("{} ({})", e.address, e.status))
                        .unwrap_or_else(|| "-".into());
                    let phone = person
                        .primary_phone()
                        .map(|p| p.number.clone())
                        .unwrap_or_else(|| "-".into());
                    let modified = person
                        .modified_at
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_default();
                    println!(
                        "  {:36}  {modified:25}  {name:28}  {email:45}  {phone}",
                        person.source.id
                    );
                }
                Err(why) => {
                    problems += 1;
                    println!("  {label}: skipped: {why}");
                }
            }
        }
    }
    println!(
        "{count} people, {problems} field issues, {} requests",
        sim.control().stats().requests
    );

    // Writing is one call too: the signup helper upserts by email and phone.
    let person = canvass::actionnetwork::models::SignupPerson {
        given_name: Some("Ana".into()),
        email_addresses: vec![canvass::actionnetwork::models::SignupEmail {
            address: "ana@example.org".into(),
            status: None,
        }],
        ..Default::default()
    };
    if let Written::Done(out) = client.people().signup(person).send().await? {
        println!(
            "signed up {} ({})",
            out.person.id().unwrap_or_default(),
            if out.created { "new" } else { "matched" }
        );
    }
    Ok(())
}
