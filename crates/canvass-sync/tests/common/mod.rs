//! Helpers shared by the integration tests: real SQLite files in temp
//! directories and, when `CANVASS_TEST_POSTGRES_URL` is set, the real
//! PostgreSQL server, each test in a schema of its own.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use canvass_core::{Email, Person, Phone, PhoneKind, PostalAddress, SourceRef};
use canvass_sync::{PostgresWarehouse, SqliteWarehouse, Warehouse};

/// A temp directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "canvass-sync-{tag}-{}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
    pub fn file(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PostgreSQL URL, or a loud skip note.
pub fn postgres_url() -> Option<String> {
    match std::env::var("CANVASS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!(
                "SKIPPED: CANVASS_TEST_POSTGRES_URL not set (PostgreSQL half of this test did not run)"
            );
            None
        }
    }
}

/// A schema name unique to this test run.
pub fn unique_schema(tag: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "t_{tag}_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_micros() % 1_000_000_000
    )
}

/// Every backend to test: a fresh SQLite file, and a fresh PostgreSQL
/// schema when the server is configured. The TempDir must outlive the warehouse.
pub async fn backends(tag: &str) -> (TempDir, Vec<Arc<dyn Warehouse>>) {
    let dir = TempDir::new(tag);
    let mut out: Vec<Arc<dyn Warehouse>> = vec![Arc::new(
        SqliteWarehouse::open(dir.file("w.db"))
            .await
            .expect("sqlite opens"),
    )];
    if let Some(url) = postgres_url() {
        let schema = unique_schema(tag);
        out.push(Arc::new(
            PostgresWarehouse::connect(&url, Some(&schema))
                .await
                .expect("postgres connects"),
        ));
    }
    (dir, out)
}

pub fn person(system: &str, id: &str, given: &str, family: &str) -> Person {
    Person {
        source: SourceRef::new(system, id),
        given_name: Some(given.into()),
        family_name: Some(family.into()),
        ..Person::default()
    }
}

pub fn with_email(mut p: Person, email: &str) -> Person {
    p.emails.push(Email::parse(email));
    p
}

pub fn with_phone(mut p: Person, phone: &str) -> Person {
    p.phones.push(Phone::parse(phone, PhoneKind::Unknown));
    p
}

pub fn with_address(mut p: Person, street: &str, zip: &str) -> Person {
    p.addresses.push(PostalAddress {
        lines: vec![street.into()],
        postal_code: Some(zip.into()),
        ..PostalAddress::default()
    });
    p
}
