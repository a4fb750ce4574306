//! Seeding a [`SpokeDatabase`] with messy, realistic data, and bulk
//! messages for benchmarks.
//!
//! Contacts come from [`Population::messy`] with system `"spoke"`, so the
//! same humans other simulators show appear here, formatted as a Spoke
//! upload left them. The mess is deliberate: invalid and missing cells,
//! custom fields that are not JSON, message statuses a fork added, opt-outs
//! without a reason (and one whose cell matches no contact), answers that
//! name no option, deleted steps and tags, contacts sharing `updated_at`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Utc};
use tokio_postgres::Client;

use canvass_core::{EntityKind, Error};
use canvass_testkit::generate::Population;

use super::fixture::SpokeDatabase;
use crate::mapping::{message_attempt_id, opt_out_attempt_id};

/// What to seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSpec {
    /// The population's seed.
    pub seed: u64,
    /// Humans in the population; each becomes a contact (every tenth also
    /// in a second campaign, every twentieth in another organization).
    pub people: usize,
}

/// An answer option as seeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededOption {
    /// The child step's id.
    pub id: i64,
    /// Its answer text.
    pub text: String,
}

/// The ground truth of a seeded database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeded {
    /// The main organization.
    pub organization_id: i64,
    /// A second organization (a few contacts, its own tag and question).
    pub other_organization_id: i64,
    /// Every campaign contact id, with the human behind it.
    pub contacts: BTreeMap<i64, usize>,
    /// Contacts in the second organization.
    pub other_org_contacts: BTreeSet<i64>,
    /// Each contact's cell as stored.
    pub cells: BTreeMap<i64, String>,
    /// Contacts whose cell is not a valid number (or empty).
    pub invalid_cells: BTreeSet<i64>,
    /// Contacts whose `custom_fields` text is not JSON.
    pub bad_custom_fields: BTreeSet<i64>,
    /// Contacts without an assignment.
    pub unassigned: BTreeSet<i64>,
    /// Every message id.
    pub messages: BTreeSet<i64>,
    /// Messages whose `send_status` Spoke's enum does not have.
    pub unknown_status_messages: BTreeSet<i64>,
    /// Every opt-out id.
    pub opt_outs: BTreeSet<i64>,
    /// Opt-outs with an empty `reason_code`.
    pub reasonless_opt_outs: BTreeSet<i64>,
    /// Question steps with their answer options.
    pub questions: BTreeMap<i64, Vec<SeededOption>>,
    /// Every question response id.
    pub responses: BTreeSet<i64>,
    /// Every tag id, with its name.
    pub tags: BTreeMap<i64, String>,
    /// Every tag-on-contact id.
    pub taggings: BTreeSet<i64>,
}

impl Seeded {
    /// The canonical ids a full read of `kind` returns.
    pub fn expected_ids(&self, kind: &EntityKind) -> BTreeSet<String> {
        let s = |ids: &mut dyn Iterator<Item = i64>| ids.map(|i| i.to_string()).collect();
        match kind {
            EntityKind::People => s(&mut self.contacts.keys().copied()),
            EntityKind::Messages => s(&mut self.messages.iter().copied()),
            EntityKind::OptOuts => s(&mut self.opt_outs.iter().copied()),
            EntityKind::SurveyQuestions => s(&mut self.questions.keys().copied()),
            EntityKind::SurveyResponses => s(&mut self.responses.iter().copied()),
            EntityKind::Tags => s(&mut self.tags.keys().copied()),
            EntityKind::Taggings => s(&mut self.taggings.iter().copied()),
            EntityKind::ContactAttempts => self
                .messages
                .iter()
                .map(|m| message_attempt_id(*m))
                .chain(self.opt_outs.iter().map(|o| opt_out_attempt_id(*o)))
                .collect(),
            _ => BTreeSet::new(),
        }
    }
}

fn pg(what: &str, e: tokio_postgres::Error) -> Error {
    Error::transport("spoke-fixture", format!("seed {what}: {e}"))
}

async fn insert(
    client: &Client,
    what: &str,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<i64, Error> {
    let row = client
        .query_one(sql, params)
        .await
        .map_err(|e| pg(what, e))?;
    row.try_get::<_, i32>(0)
        .map(i64::from)
        .map_err(|e| pg(what, e))
}

/// The base of every seeded timestamp: well in the past, so no settle time hides a row.
pub fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

const STATUSES: [&str; 8] = [
    "needsMessage",
    "messaged",
    "convo",
    "needsResponse",
    "closed",
    "needsSurvey", // a fork's value
    "messaged",
    "UPDATING",
];

const REASONS: [&str; 5] = ["", "wrong number", "STOP", "hostile", ""];

/// Seeds `db` per `spec` and returns the ground truth.
///
/// # Errors
/// [`Error::Transport`] when an insert fails.
pub async fn seed(db: &SpokeDatabase, spec: SeedSpec) -> Result<Seeded, Error> {
    let c = db.client();
    c.batch_execute("BEGIN").await.map_err(|e| pg("begin", e))?;
    let result = seed_in(c, spec).await;
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    c.batch_execute(end).await.map_err(|e| pg("commit", e))?;
    result
}

async fn seed_in(c: &Client, spec: SeedSpec) -> Result<Seeded, Error> {
    let population = Population::generate(spec.seed, spec.people);
    let t0 = base_time();
    let organization_id = insert(c, "organization", "INSERT INTO organization (name, uuid, created_at) VALUES ('Georgia Votes', 'org-uuid-1', $1) RETURNING id", &[&t0]).await?;
    let other_organization_id = insert(c, "organization", "INSERT INTO organization (name, uuid, created_at) VALUES ('Other Org', 'org-uuid-2', $1) RETURNING id", &[&t0]).await?;
    let mut out = Seeded {
        organization_id,
        other_organization_id,
        ..Seeded::default()
    };
    let (org, other) = (out.organization_id as i32, out.other_organization_id as i32);
    let campaign_sql = "INSERT INTO campaign (organization_id, title, description, is_started, is_archived, created_at) VALUES ($1, $2, 'seeded', true, $3, $4) RETURNING id";
    let gotv = insert(
        c,
        "campaign",
        campaign_sql,
        &[&org, &"GOTV texts", &false, &t0],
    )
    .await? as i32;
    let followup = insert(
        c,
        "campaign",
        campaign_sql,
        &[&org, &"Volunteer follow-up", &true, &t0],
    )
    .await? as i32;
    let ballot = insert(
        c,
        "campaign",
        campaign_sql,
        &[&other, &"Ballot measure", &false, &t0],
    )
    .await? as i32;
    let assign_sql = "INSERT INTO assignment (user_id, campaign_id, created_at) VALUES ($1, $2, $3) RETURNING id";
    let mut assignments: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    for (campaign, users) in [(gotv, 3), (followup, 1), (ballot, 1)] {
        for u in 0..users {
            let a = insert(c, "assignment", assign_sql, &[&(u + 1), &campaign, &t0]).await? as i32;
            assignments.entry(campaign).or_default().push(a);
        }
    }

    // Interaction steps: a question tree per campaign, a deleted option, a
    // deleted question.
    async fn step_in(
        c: &Client,
        t0: DateTime<Utc>,
        campaign: i32,
        question: &str,
        parent: Option<i32>,
        answer: &str,
        deleted: bool,
    ) -> Result<i32, Error> {
        let sql = "INSERT INTO interaction_step (campaign_id, question, script, parent_interaction_id, answer_option, is_deleted, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
        Ok(insert(
            c,
            "interaction_step",
            sql,
            &[
                &campaign,
                &question,
                &"Hi {firstName}!",
                &parent,
                &answer,
                &deleted,
                &t0,
            ],
        )
        .await? as i32)
    }
    let step = |campaign, question, parent, answer, deleted| {
        step_in(c, t0, campaign, question, parent, answer, deleted)
    };
    let vote = step(gotv, "Will you vote on Nov 5?", None, "", false).await?;
    let yes = step(gotv, "Can you volunteer?", Some(vote), "Yes", false).await?;
    let no = step(gotv, "", Some(vote), "No", false).await?;
    let maybe = step(gotv, "", Some(vote), "Maybe", false).await?;
    let _undecided = step(gotv, "", Some(vote), "Undecided", true).await?;
    let weekends = step(gotv, "", Some(yes), "Yes, weekends", false).await?;
    let vol_no = step(gotv, "", Some(yes), "No", false).await?;
    let old = step(followup, "Old question", None, "", true).await?;
    let measure = step(ballot, "Do you support the measure?", None, "", false).await?;
    let support = step(ballot, "", Some(measure), "Support", false).await?;
    let oppose = step(ballot, "", Some(measure), "Oppose", false).await?;
    let opt = |id: i32, text: &str| SeededOption {
        id: i64::from(id),
        text: text.into(),
    };
    out.questions.insert(
        i64::from(vote),
        vec![opt(yes, "Yes"), opt(no, "No"), opt(maybe, "Maybe")],
    );
    out.questions.insert(
        i64::from(yes),
        vec![opt(weekends, "Yes, weekends"), opt(vol_no, "No")],
    );
    out.questions.insert(i64::from(old), vec![]);
    out.questions.insert(
        i64::from(measure),
        vec![opt(support, "Support"), opt(oppose, "Oppose")],
    );

    // Tags.
    let tag_sql = "INSERT INTO tag (\"group\", name, description, is_deleted, organization_id, created_at, updated_at) VALUES ($1, $2, '', $3, $4, $5, $5) RETURNING id";
    let mut tag_ids = Vec::new();
    for (group, name, deleted, o, minutes) in [
        (Some("status"), "Volunteer prospect", false, org, 0),
        (None, "Needs follow-up", false, org, 0),
        (Some("language"), "Spanish speaker", false, org, 5),
        (None, "Old tag", true, org, 9),
        (None, "Other org tag", false, other, 9),
    ] {
        let at = t0 + Duration::minutes(minutes);
        let id = insert(c, "tag", tag_sql, &[&group, &name, &deleted, &o, &at]).await?;
        out.tags.insert(id, name.to_string());
        tag_ids.push(id as i32);
    }

    let contact_sql = "INSERT INTO campaign_contact (campaign_id, assignment_id, external_id, first_name, last_name, cell, zip, custom_fields, created_at, updated_at, message_status, is_opted_out, timezone_offset) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '-5_1') RETURNING id";
    let message_sql = "INSERT INTO message (user_number, user_id, contact_number, is_from_contact, text, assignment_id, service, service_id, send_status, created_at, queued_at, sent_at, service_response_at, error_code, campaign_contact_id) VALUES ($1, $2, $3, $4, $5, $6, 'twilio', $7, $8, $9, $9, $9, $9, $10, $11) RETURNING id";
    let opt_out_sql = "INSERT INTO opt_out (cell, assignment_id, organization_id, reason_code, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let response_sql = "INSERT INTO question_response (campaign_contact_id, interaction_step_id, value, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
    let tagging_sql = "INSERT INTO tag_campaign_contact (value, tag_id, campaign_contact_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id";

    let mut rows: Vec<(usize, i32)> = Vec::new();
    for h in 0..spec.people {
        let campaign = if h % 20 == 19 { ballot } else { gotv };
        rows.push((h, campaign));
        if h % 10 == 3 {
            rows.push((h, followup));
        }
    }
    for (i, (h, campaign)) in rows.into_iter().enumerate() {
        let m = population.messy(h, "spoke");
        let list = &assignments[&campaign];
        let assignment = (i % 4 != 3).then(|| list[i % list.len()]);
        let cell = m.phone.clone().unwrap_or_default();
        let external = if h % 3 == 0 {
            format!("{}", 100_000 + h)
        } else {
            String::new()
        };
        let custom = match i % 11 {
            5 => "{\"precinct\": \"12-A\", ".to_string(),
            7 => "{}".to_string(),
            _ => serde_json::json!({"precinct": format!("{}-{}", h % 40, ["A", "B"][h % 2]), "city": m.city}).to_string(),
        };
        let created = t0 + Duration::minutes(i as i64);
        // Three contacts share each updated_at: the (updated_at, id) key must break ties.
        let updated = t0 + Duration::hours(1 + (i / 3) as i64);
        let opted = i % 6 == 1;
        let status = STATUSES[i % STATUSES.len()];
        let id = insert(
            c,
            "campaign_contact",
            contact_sql,
            &[
                &campaign,
                &assignment,
                &external,
                &m.given_name,
                &m.family_name,
                &cell,
                &m.zip,
                &custom,
                &created,
                &updated,
                &status,
                &opted,
            ],
        )
        .await?;
        out.contacts.insert(id, h);
        out.cells.insert(id, cell.clone());
        if campaign == ballot {
            out.other_org_contacts.insert(id);
        }
        if assignment.is_none() {
            out.unassigned.insert(id);
        }
        if m.phone_invalid || cell.is_empty() {
            out.invalid_cells.insert(id);
        }
        if i % 11 == 5 {
            out.bad_custom_fields.insert(id);
        }
        let id32 = id as i32;

        // Messages: a text out, a reply from every other contact, a follow-up.
        if !cell.is_empty() {
            let mut at = created + Duration::minutes(30);
            let out_status = match i % 9 {
                0 => ("ERROR", Some(30006)),
                1 => ("SENT", None),
                2 => ("UNDELIVERED", None), // a fork's status
                3 => ("QUEUED", None),
                _ => ("DELIVERED", None),
            };
            let mut texts: Vec<(bool, String, &str, Option<i32>)> = vec![(
                false,
                format!("Hi {}, will you vote on Nov 5?", m.given_name.trim()),
                out_status.0,
                out_status.1,
            )];
            if i % 2 == 0 {
                texts.push((
                    true,
                    "Yes I will!".into(),
                    if i % 8 == 0 {
                        "bogus_status"
                    } else {
                        "DELIVERED"
                    },
                    None,
                ));
            }
            if i % 4 == 0 {
                texts.push((false, "Thanks! Can you volunteer?".into(), "SENT", None));
            }
            for (k, (inbound, text, status, error)) in texts.into_iter().enumerate() {
                let sid = format!("SM{id}x{k}");
                let mid = insert(
                    c,
                    "message",
                    message_sql,
                    &[
                        &"+14045550100",
                        &(1i32),
                        &cell,
                        &inbound,
                        &text,
                        &assignment,
                        &sid,
                        &status,
                        &at,
                        &error,
                        &id32,
                    ],
                )
                .await?;
                out.messages.insert(mid);
                if !matches!(
                    status,
                    "QUEUED"
                        | "SENDING"
                        | "SENT"
                        | "DELIVERED"
                        | "ERROR"
                        | "PAUSED"
                        | "NOT_ATTEMPTED"
                ) {
                    out.unknown_status_messages.insert(mid);
                }
                at += Duration::minutes(7);
            }
        }

        if opted {
            let reason = REASONS[(i / 6) % REASONS.len()];
            let o = if campaign == ballot { other } else { org };
            let a = if i % 12 == 7 { None } else { assignment };
            let oid = insert(
                c,
                "opt_out",
                opt_out_sql,
                &[&cell, &a, &o, &reason, &(created + Duration::hours(2))],
            )
            .await?;
            out.opt_outs.insert(oid);
            if reason.is_empty() {
                out.reasonless_opt_outs.insert(oid);
            }
        }

        if campaign == gotv && i % 3 == 0 {
            let answer = match i % 10 {
                5 => "yes!!",
                0 | 3 => "Yes",
                6 => "No",
                _ => "Maybe",
            };
            let rid = insert(
                c,
                "question_response",
                response_sql,
                &[&id32, &vote, &answer, &(created + Duration::hours(3))],
            )
            .await?;
            out.responses.insert(rid);
            if answer == "Yes" && i % 9 == 0 {
                let rid = insert(
                    c,
                    "question_response",
                    response_sql,
                    &[
                        &id32,
                        &yes,
                        &"Yes, weekends",
                        &(created + Duration::hours(3)),
                    ],
                )
                .await?;
                out.responses.insert(rid);
            }
        }
        if campaign == ballot {
            let rid = insert(
                c,
                "question_response",
                response_sql,
                &[&id32, &measure, &"Support", &(created + Duration::hours(3))],
            )
            .await?;
            out.responses.insert(rid);
        }

        let tag_at = t0 + Duration::hours(5 + (i / 4) as i64);
        if campaign != ballot && i % 4 == 0 {
            let tid = insert(
                c,
                "tag_campaign_contact",
                tagging_sql,
                &[&None::<String>, &tag_ids[0], &id32, &tag_at],
            )
            .await?;
            out.taggings.insert(tid);
        }
        if campaign != ballot && i % 7 == 0 {
            let tid = insert(
                c,
                "tag_campaign_contact",
                tagging_sql,
                &[&Some("es"), &tag_ids[2], &id32, &tag_at],
            )
            .await?;
            out.taggings.insert(tid);
        }
        if campaign == ballot {
            let tid = insert(
                c,
                "tag_campaign_contact",
                tagging_sql,
                &[&None::<String>, &tag_ids[4], &id32, &tag_at],
            )
            .await?;
            out.taggings.insert(tid);
        }
    }

    // An opt-out whose cell matches no contact (a number that texted STOP
    // to an old campaign's number).
    let oid = insert(
        c,
        "opt_out",
        opt_out_sql,
        &[
            &"+14149990000",
            &None::<i32>,
            &org,
            &"",
            &(t0 + Duration::days(30)),
        ],
    )
    .await?;
    out.opt_outs.insert(oid);
    out.reasonless_opt_outs.insert(oid);
    Ok(out)
}

/// Inserts `n` outbound and inbound messages (50,000 distinct numbers) for the first seeded contact
/// in one `INSERT ... SELECT generate_series` (the fast path benchmarks use),
/// timestamped before [`base_time`]. Returns the id range inserted.
///
/// # Errors
/// [`Error::Transport`] when the insert fails or there is no contact.
pub async fn seed_bulk_messages(db: &SpokeDatabase, n: i64) -> Result<(i64, i64), Error> {
    let row = db
        .client()
        .query_one(
            "WITH contact AS (SELECT id, cell, assignment_id FROM campaign_contact ORDER BY id LIMIT 1), \
             ins AS (INSERT INTO message (user_number, user_id, contact_number, is_from_contact, text, \
             assignment_id, service, service_id, send_status, created_at, queued_at, sent_at, \
             service_response_at, campaign_contact_id) \
             SELECT '+14045550100', 1, '+1404' || (2000000 + g % 50000)::text, g % 3 = 0, \
             'Hi there, this is a volunteer with Georgia Votes. Will you vote on Nov 5? Reply STOP to opt out. #' || g, \
             contact.assignment_id, 'twilio', 'SM' || g, \
             (ARRAY['DELIVERED','SENT','ERROR','QUEUED'])[1 + g % 4], \
             $2::timestamptz - make_interval(secs => ($1::int8 - g)::float8 / 1000), \
             $2::timestamptz, $2::timestamptz, $2::timestamptz, contact.id \
             FROM generate_series(1, $1::int8) AS g, contact RETURNING id) \
             SELECT min(id)::int8, max(id)::int8 FROM ins",
            &[&n, &base_time()],
        )
        .await
        .map_err(|e| pg("bulk messages", e))?;
    let lo: Option<i64> = row.try_get(0).map_err(|e| pg("bulk messages", e))?;
    let hi: Option<i64> = row.try_get(1).map_err(|e| pg("bulk messages", e))?;
    match (lo, hi) {
        (Some(lo), Some(hi)) => Ok((lo, hi)),
        _ => Err(Error::transport(
            "spoke-fixture",
            "seed bulk messages: no contact to send them to (seed contacts first)",
        )),
    }
}
