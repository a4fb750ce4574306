//! Everything this crate asks of a Spoke: the GraphQL operations it sends
//! ([`OPERATIONS`]) and the database tables it reads ([`TABLES`]), where
//! Spoke defines each, and whether every Spoke can be expected to have it.
//!
//! The crate docs show both tables (a test keeps them the same). Spoke's
//! GraphQL schema is `src/api/schema.js` (types in `src/api/*.js`) and its
//! tables are made by its knex `migrations/`, in
//! [MoveOnOrg/Spoke](https://github.com/MoveOnOrg/Spoke) as carried on by
//! [StateVoicesNational/Spoke](https://github.com/StateVoicesNational/Spoke).

use canvass_core::routes::Availability;

use crate::db::Table;
use crate::graphql;

/// One GraphQL operation the client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphqlOperation {
    /// The root field.
    pub field: &'static str,
    /// The field as Spoke's `src/api/schema.js` declares it.
    pub declared: &'static str,
    /// The document sent (one of the `graphql` module's constants).
    pub document: &'static str,
    /// Required (every Spoke canvass reads has it: without it, an error)
    /// or optional (only a Spoke recent enough: without it, the read is
    /// reported as not offered, the kind skipped and the run going on; the
    /// write fails).
    pub availability: Availability,
    /// What in this crate sends it.
    pub used_by: &'static str,
}

/// The operations, in the order the crate docs list them.
pub const OPERATIONS: &[GraphqlOperation] = &[
    GraphqlOperation {
        field: "currentUser",
        declared: "RootQuery.currentUser: User",
        document: graphql::CURRENT_USER,
        availability: Availability::Required,
        used_by: "`check`; the token check before every read",
    },
    GraphqlOperation {
        field: "createOptOut",
        declared: "RootMutation.createOptOut(optOut: OptOutInput!, campaignContactId: String!): CampaignContact",
        document: graphql::CREATE_OPT_OUT,
        availability: Availability::Required,
        used_by: "opt out",
    },
    GraphqlOperation {
        field: "updateQuestionResponses",
        declared: "RootMutation.updateQuestionResponses(questionResponses: [QuestionResponseInput], campaignContactId: String!): String",
        document: graphql::UPDATE_QUESTION_RESPONSES,
        availability: Availability::Required,
        used_by: "record a survey response",
    },
    GraphqlOperation {
        field: "updateContactTags",
        declared: "RootMutation.updateContactTags(tags: [TagInput], campaignContactId: String!): String",
        document: graphql::UPDATE_CONTACT_TAGS,
        availability: Availability::Optional,
        used_by: "apply tag, remove tag (a Spoke with tags, 2020 on)",
    },
];

/// One database table the connector reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbTable {
    /// The table.
    pub table: Table,
    /// The migration that makes it (and those that add what canvass reads).
    pub made_by: &'static str,
    /// Required (every Spoke canvass reads has it: without it, an error)
    /// or optional (only a Spoke recent enough: without it, the read is
    /// reported as not offered, the kind skipped and the run going on; the
    /// write fails).
    pub availability: Availability,
    /// What in this crate reads it.
    pub used_by: &'static str,
}

/// The tables, in the order the crate docs list them.
pub const TABLES: &[DbTable] = &[
    DbTable {
        table: Table::Organizations,
        made_by: "`20190207220000_init_db.js`",
        availability: Availability::Required,
        used_by: "`check`; organization scoping",
    },
    DbTable {
        table: Table::Campaigns,
        made_by: "`20190207220000_init_db.js`",
        availability: Availability::Required,
        used_by: "`check`; a contact's organization",
    },
    DbTable {
        table: Table::CampaignContacts,
        made_by: "`20190207220000_init_db.js`",
        availability: Availability::Required,
        used_by: "people; finding a contact to write to",
    },
    DbTable {
        table: Table::Messages,
        made_by: "`20190207220000_init_db.js`; `campaign_contact_id` from `20191217125726_add_message_campaign_contact_id.js`",
        availability: Availability::Required,
        used_by: "messages, contact attempts",
    },
    DbTable {
        table: Table::OptOuts,
        made_by: "`20190207220000_init_db.js`",
        availability: Availability::Required,
        used_by: "opt-outs, contact attempts",
    },
    DbTable {
        table: Table::Questions,
        made_by: "`20190207220000_init_db.js`",
        availability: Availability::Required,
        used_by: "survey questions; an answer's text for a write",
    },
    DbTable {
        table: Table::QuestionResponses,
        made_by: "`20190207220000_init_db.js`",
        availability: Availability::Required,
        used_by: "survey responses",
    },
    DbTable {
        table: Table::Tags,
        made_by: "`20200322171627_tags.js`",
        availability: Availability::Optional,
        used_by: "tags; a tag's name for a write",
    },
    DbTable {
        table: Table::ContactTags,
        made_by: "`20200322171627_tags.js`",
        availability: Availability::Optional,
        used_by: "taggings; a contact's tags for a write",
    },
];

/// Whether `table` is one every Spoke has.
pub fn required(table: Table) -> bool {
    TABLES
        .iter()
        .any(|t| t.table == table && t.availability == Availability::Required)
}

/// Both tables as the markdown the crate docs show.
pub fn markdown() -> String {
    let mut out = String::from(
        "| GraphQL operation | declared in `src/api/schema.js` | Spoke | sent for |\n\
         |---|---|---|---|\n",
    );
    for o in OPERATIONS {
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} |\n",
            o.field,
            o.declared,
            o.availability.as_str(),
            o.used_by
        ));
    }
    out.push_str("\n| table | made by (`migrations/`) | Spoke | read for |\n|---|---|---|---|\n");
    for t in TABLES {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            t.table.name(),
            t.made_by,
            t.availability.as_str(),
            t.used_by
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crate_docs_show_exactly_these_tables() {
        let docs: String = include_str!("lib.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("//!").map(str::trim_start))
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|') || l.is_empty())
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(docs.trim_end(), markdown().trim_end(), "update src/lib.rs");
    }

    /// `name: Type` pairs of a declared field's arguments.
    fn arguments(declared: &str) -> Vec<(&str, &str)> {
        let Some((_, rest)) = declared.split_once('(') else {
            return vec![];
        };
        let inside = rest.split_once(')').map_or("", |(a, _)| a);
        inside
            .split(", ")
            .filter_map(|a| a.split_once(": "))
            .collect()
    }

    #[test]
    fn every_document_passes_each_declared_argument_with_its_declared_type() {
        for op in OPERATIONS {
            let doc = op.document.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(doc.contains(&format!("{{ {}", op.field)), "{doc}");
            for (name, ty) in arguments(op.declared) {
                assert!(doc.contains(&format!("${name}: {ty}")), "{name}: {doc}");
                assert!(doc.contains(&format!("{name}: ${name}")), "{name}: {doc}");
            }
            // An object result needs a selection; a scalar one takes none.
            let returns = op.declared.rsplit(": ").next().unwrap_or_default();
            let scalar = matches!(returns, "String" | "Int" | "Boolean" | "ID");
            let after = doc.split_once(op.field).map_or("", |(_, a)| a);
            let after_args = after.split_once(')').map_or(after, |(_, a)| a);
            assert_eq!(
                after_args.trim_start().starts_with('{'),
                !scalar,
                "{}: {doc}",
                op.field
            );
        }
    }

    /// The table names that follow `FROM` or `JOIN` in `sql` (not `IS NOT
    /// DISTINCT FROM`, which compares).
    fn tables_named(sql: &str) -> Vec<String> {
        let words: Vec<&str> = sql.split_whitespace().collect();
        words
            .windows(3)
            .filter(|w| matches!(w[1], "FROM" | "JOIN") && w[0] != "DISTINCT")
            .map(|w| w[2].trim_matches(|c: char| !c.is_alphanumeric() && c != '_'))
            .filter(|t| !t.is_empty() && *t != "SELECT")
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_statement_reads_only_listed_tables() {
        let listed: Vec<&str> = TABLES.iter().map(|t| t.table.name()).collect();
        let mut statements: Vec<String> = Table::ALL
            .iter()
            .flat_map(|t| [t.sql(true, true), t.sql(false, false)])
            .collect();
        // The lookups' statements are string literals in their source.
        statements.push(include_str!("db/lookups.rs").to_string());
        for sql in &statements {
            for table in tables_named(sql) {
                assert!(listed.contains(&table.as_str()), "{table} in {sql}");
            }
        }
        assert!(Table::ALL.iter().all(|t| listed.contains(&t.name())));
    }
}
