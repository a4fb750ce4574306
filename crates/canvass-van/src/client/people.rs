//! People: find, findOrCreate, get, search, update, delete, codes.

use canvass_core::Error;
use canvass_core::http::StatusCode;

use super::list::{ListRequest, PageLimits};
use super::{VanClient, decode_value};
use crate::error::MATCH_BODY_CODE;
use crate::models::{MatchBody, MatchResult, Person};

/// The people handler: `van.people()`.
#[derive(Debug, Clone, Copy)]
pub struct People<'a> {
    client: &'a VanClient,
}

/// Which of VAN's documented minimum match combinations a person carries,
/// strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchCombination {
    /// First + last + email.
    NameEmail,
    /// First + last + phone.
    NamePhone,
    /// First + last + ZIP5 + date of birth.
    NameZipDob,
    /// First + last + street number + street name + ZIP5.
    NameStreetZip,
    /// Email alone.
    Email,
}

fn filled(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.trim().is_empty())
}

fn has_street_number_and_name(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let number = words
        .next()
        .is_some_and(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()));
    number
        && words
            .next()
            .is_some_and(|w| w.chars().any(char::is_alphanumeric))
}

/// Checks a person against VAN's documented minimum match inputs before a
/// `find` or `findOrCreate`: first + last + email, first + last + phone,
/// first + last + ZIP5 + date of birth, first + last + street number + street
/// name + ZIP5, or email alone. Matching ignores case and accents.
///
/// # Errors
/// [`Error::InvalidInput`] on field `person`, saying what the person has and
/// what each combination is missing.
///
/// ```
/// use canvass_van::client::{match_combination, MatchCombination};
/// use canvass_van::models::Person;
/// let p = Person { first_name: Some("Ana".into()), last_name: Some("Diaz".into()), ..Person::default() };
/// let err = match_combination(&p).unwrap_err().to_string();
/// assert!(err.contains("missing"), "{err}");
/// assert!(err.contains("email"), "{err}");
/// ```
pub fn match_combination(person: &Person) -> Result<MatchCombination, Error> {
    let first = filled(&person.first_name);
    let last = filled(&person.last_name);
    let email = person
        .emails
        .iter()
        .flatten()
        .any(|e| e.email.contains('@') && e.email.trim().len() > 2);
    let phone = person
        .phones
        .iter()
        .flatten()
        .any(|p| p.phone_number.chars().filter(char::is_ascii_digit).count() >= 10);
    let addresses = person.addresses.iter().flatten();
    let zip_of = |a: &crate::models::Address| {
        a.zip_or_postal_code
            .as_deref()
            .is_some_and(|z| canvass_core::normalize::zip5(z).is_ok())
    };
    let zip = addresses.clone().any(zip_of);
    let street_zip = addresses.clone().any(|a| {
        zip_of(a)
            && a.address_line1
                .as_deref()
                .is_some_and(has_street_number_and_name)
    });
    let dob = filled(&person.date_of_birth);
    let name = first && last;
    if name && email {
        return Ok(MatchCombination::NameEmail);
    }
    if name && phone {
        return Ok(MatchCombination::NamePhone);
    }
    if name && zip && dob {
        return Ok(MatchCombination::NameZipDob);
    }
    if name && street_zip {
        return Ok(MatchCombination::NameStreetZip);
    }
    if email {
        return Ok(MatchCombination::Email);
    }
    let has: Vec<&str> = [
        (first, "first name"),
        (last, "last name"),
        (phone, "phone"),
        (zip, "ZIP5"),
        (dob, "date of birth"),
        (street_zip, "street number and name"),
    ]
    .into_iter()
    .filter_map(|(b, n)| b.then_some(n))
    .collect();
    let mut name_missing = Vec::new();
    if !first {
        name_missing.push("first name");
    }
    if !last {
        name_missing.push("last name");
    }
    let with_name = |extra: &[&'static str]| {
        let mut m = name_missing.clone();
        m.extend_from_slice(extra);
        m.join(" + ")
    };
    let mut zip_dob = Vec::new();
    if !zip {
        zip_dob.push("ZIP5");
    }
    if !dob {
        zip_dob.push("date of birth");
    }
    let street: &[&str] = if street_zip {
        &[]
    } else {
        &["street number and name with ZIP5"]
    };
    let mut options = vec![
        "an email".to_string(),
        with_name(&["phone"]),
        with_name(&zip_dob),
        with_name(street),
    ];
    options.retain(|o| !o.is_empty());
    options.dedup();
    Err(Error::invalid_input(
        "person",
        format!(
            "VAN matches only on first + last + email, first + last + phone, first + last + ZIP5 + date of birth, first + last + street number and name + ZIP5, or email alone; this person has {}; missing one of: {}",
            if has.is_empty() {
                "none of those".to_string()
            } else {
                has.join(", ")
            },
            options.join("; or ")
        ),
    ))
}

/// Collections `GET /people/{vanId}` can expand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the names are VAN's
pub enum PersonExpand {
    Addresses,
    Phones,
    Emails,
    Codes,
    CustomFields,
    ExternalIds,
    Preferences,
    RecordedAddresses,
    ReportedDemographics,
    Suppressions,
    Cases,
    CustomProperties,
    Districts,
    ElectionRecords,
    MembershipStatuses,
    Notes,
    OrganizationRoles,
    Scores,
    DisclosureFieldValues,
    ContributionHistory,
}

impl PersonExpand {
    /// The contact points: addresses, phones, emails.
    pub const CONTACT: [PersonExpand; 3] = [
        PersonExpand::Phones,
        PersonExpand::Emails,
        PersonExpand::Addresses,
    ];

    /// VAN's camelCase name (parsons' snake_case names converted).
    pub fn as_str(self) -> &'static str {
        match self {
            PersonExpand::Addresses => "addresses",
            PersonExpand::Phones => "phones",
            PersonExpand::Emails => "emails",
            PersonExpand::Codes => "codes",
            PersonExpand::CustomFields => "customFields",
            PersonExpand::ExternalIds => "externalIds",
            PersonExpand::Preferences => "preferences",
            PersonExpand::RecordedAddresses => "recordedAddresses",
            PersonExpand::ReportedDemographics => "reportedDemographics",
            PersonExpand::Suppressions => "suppressions",
            PersonExpand::Cases => "cases",
            PersonExpand::CustomProperties => "customProperties",
            PersonExpand::Districts => "districts",
            PersonExpand::ElectionRecords => "electionRecords",
            PersonExpand::MembershipStatuses => "membershipStatuses",
            PersonExpand::Notes => "notes",
            PersonExpand::OrganizationRoles => "organizationRoles",
            PersonExpand::Scores => "scores",
            PersonExpand::DisclosureFieldValues => "disclosureFieldValues",
            PersonExpand::ContributionHistory => "contributionHistory",
        }
    }
}

fn expand_list(expand: &[PersonExpand]) -> String {
    expand
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Turns VAN's match answer (201 with the body, or the 302 the HTTP layer
/// reports as an error) into a [`MatchResult`].
async fn match_answer(
    client: &VanClient,
    sent: Result<canvass_core::http::Response, Error>,
) -> Result<Option<MatchResult>, Error> {
    match sent {
        Ok(resp) => {
            if resp.status == StatusCode::NO_CONTENT {
                return Ok(None);
            }
            let body: MatchBody = resp.json("person match")?;
            Ok(Some(MatchResult {
                van_id: body.van_id,
                status: body.status,
                created: resp.status == StatusCode::CREATED,
            }))
        }
        Err(Error::Api {
            status: 302,
            code: Some(code),
            message,
            fields,
            ..
        }) if code == MATCH_BODY_CODE && fields.len() == 1 => {
            let van_id = fields[0]
                .parse::<u64>()
                .map_err(|e| Error::invalid_input("vanId", e.to_string()))?;
            // The layer prefixes "METHOD /path: "; the rest is VAN's status.
            let status = message
                .rsplit(": ")
                .next()
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            Ok(Some(MatchResult {
                van_id,
                status,
                created: false,
            }))
        }
        Err(e) => Err(client.explain(e)),
    }
}

impl<'a> People<'a> {
    pub(crate) fn new(client: &'a VanClient) -> Self {
        People { client }
    }

    /// `POST /people/findOrCreate`: matches the person (302) or creates them
    /// (201). The minimum match combination is checked first.
    pub fn find_or_create(self, person: &Person) -> FindOrCreate<'a> {
        FindOrCreate {
            client: self.client,
            person: person.clone(),
            path: "people/findOrCreate".into(),
            create: true,
        }
    }

    /// `POST /people/find`: matches without writing; `send` gives `None`
    /// when nobody matches.
    pub fn find(self, person: &Person) -> FindOrCreate<'a> {
        FindOrCreate {
            client: self.client,
            person: person.clone(),
            path: "people/find".into(),
            create: false,
        }
    }

    /// `POST /people/{vanId}`: updates a known person (404 when unknown).
    pub fn update(self, van_id: u64, person: &Person) -> FindOrCreate<'a> {
        let mut person = person.clone();
        person.van_id = Some(van_id);
        FindOrCreate {
            client: self.client,
            person,
            path: format!("people/{van_id}"),
            create: true,
        }
    }

    /// `GET /people/{vanId}`.
    pub fn get(self, van_id: u64) -> GetPerson<'a> {
        GetPerson {
            client: self.client,
            path: format!("people/{van_id}"),
            expand: Vec::new(),
        }
    }

    /// `GET /people/{idType}:{id}`, e.g. `("dwid", "123")` or `("StateFileID", "KLYW682Z")`.
    pub fn get_by_alternate_id(self, id_type: &str, id: &str) -> GetPerson<'a> {
        GetPerson {
            client: self.client,
            path: format!("people/{id_type}:{id}"),
            expand: Vec::new(),
        }
    }

    /// `GET /people?…`: a prefix, case-insensitive search; at least one
    /// filter is required (VAN refuses a bare search).
    pub fn search(self) -> ListRequest<Person> {
        let mut req =
            ListRequest::new(self.client, "people", PageLimits::STANDARD, "people search");
        req.missing = Some(Error::invalid_input(
            "people search",
            "VAN needs at least one of first name, last name, email, phone, street address, city, state or ZIP",
        ));
        req
    }

    /// `DELETE /people/{vanId}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown van id.
    pub async fn delete(self, van_id: u64) -> Result<(), Error> {
        self.client
            .http
            .delete(format!("people/{van_id}"))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.client.explain(e))
    }

    /// `POST /people/{vanId}/codes`: applies a code (tag or source code).
    ///
    /// # Errors
    /// As VAN answers.
    pub async fn apply_code(self, van_id: u64, code_id: u64) -> Result<(), Error> {
        self.client
            .http
            .post(format!("people/{van_id}/codes"))
            .json(&serde_json::json!({ "codeId": code_id }))
            .retry_safe()
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.client.explain(e))
    }
}

/// A match request (`find`, `findOrCreate` or an update); finish with [`send`](Self::send).
#[must_use = "a request does nothing until sent"]
#[derive(Debug)]
pub struct FindOrCreate<'a> {
    client: &'a VanClient,
    person: Person,
    path: String,
    create: bool,
}

impl FindOrCreate<'_> {
    /// Sends it. For `find`, `Ok(None)` means nobody matched; for
    /// `findOrCreate` and updates the result is always `Some`.
    ///
    /// The request is retried after transient failures: with a match
    /// combination present, a repeat matches the person the first attempt
    /// created instead of creating a second one.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the person lacks every match combination
    /// (not for updates, which carry the van id); otherwise as VAN answers.
    pub async fn send_opt(self) -> Result<Option<MatchResult>, Error> {
        if self.person.van_id.is_none() {
            match_combination(&self.person)?;
        }
        let sent = self
            .client
            .http
            .post(self.path.as_str())
            .json(&self.person)
            .retry_safe()
            .send()
            .await;
        if !self.create && matches!(&sent, Err(Error::NotFound { .. })) {
            return Ok(None);
        }
        match_answer(self.client, sent).await
    }

    /// Sends it, treating "nobody matched" as [`Error::NotFound`].
    ///
    /// # Errors
    /// As [`send_opt`](Self::send_opt), plus [`Error::NotFound`].
    pub async fn send(self) -> Result<MatchResult, Error> {
        let what = format!("POST /{}", self.path);
        self.send_opt()
            .await?
            .ok_or_else(|| Error::not_found(crate::SYSTEM, format!("{what}: nobody matched")))
    }
}

/// `GET /people/{id}` with `$expand`; finish with [`send`](Self::send).
#[must_use = "a request does nothing until sent"]
#[derive(Debug)]
pub struct GetPerson<'a> {
    client: &'a VanClient,
    path: String,
    expand: Vec<PersonExpand>,
}

impl GetPerson<'_> {
    /// Collections to expand (`$expand=phones,emails,addresses`).
    pub fn expand(mut self, expand: &[PersonExpand]) -> Self {
        self.expand.extend_from_slice(expand);
        self
    }

    /// Sends it.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown person; otherwise as VAN answers.
    pub async fn send(self) -> Result<Person, Error> {
        let mut rb = self.client.http.get(self.path.as_str());
        if !self.expand.is_empty() {
            rb = rb.query_pair("$expand", expand_list(&self.expand));
        }
        let value: serde_json::Value = rb
            .send_json("person")
            .await
            .map_err(|e| self.client.explain(e))?;
        decode_value("person", &value)
    }
}

impl ListRequest<Person> {
    fn filter(mut self, key: &str, value: &str) -> Self {
        self.missing = None;
        self.param(key, value)
    }

    /// First name (prefix, case-insensitive).
    pub fn first_name(self, v: &str) -> Self {
        self.filter("firstName", v)
    }

    /// Last name.
    pub fn last_name(self, v: &str) -> Self {
        self.filter("lastName", v)
    }

    /// Email.
    pub fn email(self, v: &str) -> Self {
        self.filter("email", v)
    }

    /// Phone number.
    pub fn phone_number(self, v: &str) -> Self {
        self.filter("phoneNumber", v)
    }

    /// Street address.
    pub fn street_address(self, v: &str) -> Self {
        self.filter("streetAddress", v)
    }

    /// City.
    pub fn city(self, v: &str) -> Self {
        self.filter("city", v)
    }

    /// State.
    pub fn state_or_province(self, v: &str) -> Self {
        self.filter("stateOrProvince", v)
    }

    /// ZIP.
    pub fn zip_or_postal_code(self, v: &str) -> Self {
        self.filter("zipOrPostalCode", v)
    }

    /// Collections to expand on each person.
    pub fn expand(self, expand: &[PersonExpand]) -> Self {
        self.param("$expand", expand_list(expand))
    }
}
