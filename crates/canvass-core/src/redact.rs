//! Connection strings with their passwords hidden, safe to print.
//!
//! A database URL such as `postgres://canvass:hunter2@db.example.org/org`
//! holds a password. Anything canvass prints or stores about a connection
//! (errors, `canvass check`, logs, run reports) goes through
//! [`redact_url`] first.

/// What a hidden password reads as.
pub const REDACTED: &str = "***";

/// Query or key=value parameters whose values are secrets.
const SECRET_KEYS: [&str; 3] = ["password", "sslpassword", "passfile"];

/// `url` with every password replaced by `***`: the user-info password of a
/// URL (`postgres://user:***@host/db`), a `password=` query parameter, and a
/// `password=` pair of a libpq key=value string. Everything else is kept,
/// so the host and database still say which connection failed.
///
/// ```
/// use canvass_core::redact_url;
/// assert_eq!(
///     redact_url("postgres://canvass:hunter2@db.example.org:5432/org?sslmode=require"),
///     "postgres://canvass:***@db.example.org:5432/org?sslmode=require"
/// );
/// assert_eq!(redact_url("host=db user=c password=hunter2"), "host=db user=c password=***");
/// assert_eq!(redact_url("sqlite://canvass.db"), "sqlite://canvass.db");
/// ```
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", redact_url_body(rest)),
        None => redact_key_values(url),
    }
}

/// The part of a URL after `scheme://`.
fn redact_url_body(rest: &str) -> String {
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:{REDACTED}@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let (query, fragment) = match query.split_once('#') {
                Some((q, f)) => (q, Some(f)),
                None => (query, None),
            };
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if is_secret_key(k) => format!("{k}={REDACTED}"),
                    _ => pair.to_string(),
                })
                .collect();
            let mut out = format!("{path}?{}", query.join("&"));
            if let Some(f) = fragment {
                out.push('#');
                out.push_str(f);
            }
            out
        }
        None => tail.to_string(),
    };
    format!("{authority}{tail}")
}

/// A libpq `key=value key2='quoted value'` string.
fn redact_key_values(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(eq) = rest.find('=') {
        let before = rest[..eq].trim_end();
        let key_start = before
            .rfind(|c: char| c.is_whitespace())
            .map_or(0, |i| i + 1);
        let key = &before[key_start..];
        let after = &rest[eq + 1..];
        // libpq allows blanks around `=`.
        let blanks = after.len() - after.trim_start().len();
        out.push_str(&rest[..eq + 1 + blanks]);
        let after = &after[blanks..];
        let value_end = value_len(after);
        if is_secret_key(key) && value_end > 0 {
            out.push_str(REDACTED);
        } else {
            out.push_str(&after[..value_end]);
        }
        rest = &after[value_end..];
    }
    out.push_str(rest);
    out
}

/// The length of a key=value value at the start of `s`: up to the next
/// whitespace, or through the closing quote of a `'quoted'` value.
fn value_len(s: &str) -> usize {
    let mut chars = s.char_indices();
    if s.starts_with('\'') {
        chars.next();
        let mut escaped = false;
        for (i, c) in chars {
            match c {
                '\\' if !escaped => escaped = true,
                '\'' if !escaped => return i + 1,
                _ => escaped = false,
            }
        }
        s.len()
    } else {
        s.find(char::is_whitespace).unwrap_or(s.len())
    }
}

fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn user_info_query_and_key_value_passwords_are_hidden() {
        let cases = [
            (
                "postgresql://u:p%40ss@h1:5432,h2/db?password=x&sslmode=verify-full#frag",
                "postgresql://u:***@h1:5432,h2/db?password=***&sslmode=verify-full#frag",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("postgres://u:@h/db", "postgres://u:***@h/db"),
            (
                "postgres://h/db?user=u&PASSWORD=x",
                "postgres://h/db?user=u&PASSWORD=***",
            ),
            (
                "host=h password='it\\'s a secret' dbname=d",
                "host=h password=*** dbname=d",
            ),
            ("host=h password = x port=1", "host=h password = *** port=1"),
            ("sqlite:///tmp/a:b@c.db", "sqlite:///tmp/a:b@c.db"),
            ("canvass.db", "canvass.db"),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
    }

    proptest! {
        /// Whatever the password, it never survives redaction, and the host
        /// and database do.
        #[test]
        fn no_password_survives(
            user in "[a-z]{1,8}",
            password in "[A-Za-z0-9!$%*+,;=~._-]{4,24}",
            host in "[a-z]{3,10}\\.example\\.org",
            db in "[a-z]{1,8}",
        ) {
            prop_assume!(!user.contains(&password) && !host.contains(&password) && !db.contains(&password));
            prop_assume!(!"postgres".contains(&password) && !"sslmode=require".contains(&password));
            for url in [
                format!("postgres://{user}:{password}@{host}/{db}?sslmode=require"),
                format!("postgres://{user}@{host}/{db}?password={password}"),
                format!("host={host} user={user} password={password} dbname={db}"),
            ] {
                let shown = redact_url(&url);
                prop_assert!(!shown.contains(&password), "{shown}");
                prop_assert!(shown.contains(&host) && shown.contains(&db), "{shown}");
            }
        }
    }
}
