//! Nickname equivalence from a public table (`data/nicknames.csv`, Apache-2.0;
//! see `data/README.md`).
//!
//! Each line `name,has_nickname,nickname` puts both names in the group of
//! `name`. Two first names are equivalent when they share a group: "bob" and
//! "robert" (robert has the nickname bob), "bob" and "rob" (both nicknames of
//! robert).

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../data/nicknames.csv");

/// Group ids of every name in the table, sorted.
fn groups() -> &'static HashMap<&'static str, Vec<u32>> {
    static GROUPS: OnceLock<HashMap<&'static str, Vec<u32>>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut group_of_root: HashMap<&'static str, u32> = HashMap::new();
        let mut groups: HashMap<&'static str, Vec<u32>> = HashMap::new();
        for line in TABLE.lines().skip(1) {
            let mut cells = line.split(',').map(str::trim);
            let (Some(name), Some(_), Some(nickname)) = (cells.next(), cells.next(), cells.next())
            else {
                continue;
            };
            if name.is_empty() || nickname.is_empty() {
                continue;
            }
            let next = group_of_root.len() as u32;
            let group = *group_of_root.entry(name).or_insert(next);
            for member in [name, nickname] {
                let list = groups.entry(member).or_default();
                if !list.contains(&group) {
                    list.push(group);
                }
            }
        }
        for list in groups.values_mut() {
            list.sort_unstable();
        }
        groups
    })
}

/// Whether two folded first names (lowercase ASCII letters, as
/// [`canvass_core::normalize::fold_name`] makes them) are nicknames of one
/// name. A name is not its own nickname: equal names answer `false`.
///
/// ```
/// use canvass_sync::identity::nicknames::are_nicknames;
/// assert!(are_nicknames("bob", "robert"));
/// assert!(are_nicknames("rob", "bob"));
/// assert!(!are_nicknames("robert", "roberta"));
/// ```
pub fn are_nicknames(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    let table = groups();
    let (Some(ga), Some(gb)) = (table.get(a), table.get(b)) else {
        return false;
    };
    // Both lists are short and sorted.
    let (mut i, mut j) = (0, 0);
    while i < ga.len() && j < gb.len() {
        match ga[i].cmp(&gb[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// How many names the table knows.
pub fn known_names() -> usize {
    groups().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_loads_and_is_symmetric() {
        assert!(known_names() > 1000, "{}", known_names());
        for (a, b) in [("bob", "robert"), ("bill", "william"), ("liz", "elizabeth")] {
            assert!(are_nicknames(a, b), "{a} {b}");
            assert!(are_nicknames(b, a), "{b} {a}");
        }
        assert!(!are_nicknames("ana", "luis"));
        assert!(!are_nicknames("unknownname", "robert"));
    }
}
