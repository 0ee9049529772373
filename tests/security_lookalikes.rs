//! `fixtures/security-lookalikes`: security findings are judged by what the
//! code around them does. `Access-Control-Allow-Origin: *` on public files
//! (a static file server's `setHeaders` hook, a response marked
//! `Cache-Control: public`) and SQL that pastes only a constant or the
//! object's own field as a table name are not findings; the API's `*` and
//! SQL that pastes a value are, at their lines, and nothing else is. A
//! PBKDF2 key handed to a cipher is no password hash.

use readyctl::model::Status;
use readyctl::{AuditOptions, Catalog, Config, audit};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// (check, path, line) of every located finding of a failing check among
/// `ids`.
fn located(ids: &[&str]) -> BTreeSet<(String, String, usize)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/security-lookalikes");
    let report = audit(
        &dir,
        &Catalog::builtin().unwrap(),
        &Config::default(),
        &AuditOptions::new("security-lookalikes".to_string()),
    )
    .unwrap();
    report
        .checks
        .iter()
        .filter(|c| ids.contains(&c.id.as_str()) && c.status == Status::Fail)
        .flat_map(|c| {
            c.findings
                .iter()
                .filter_map(|f| Some((c.id.clone(), f.path.clone()?, f.line?)))
        })
        .collect()
}

fn expected(rows: &[(&str, &str, usize)]) -> BTreeSet<(String, String, usize)> {
    rows.iter()
        .map(|(c, p, l)| (c.to_string(), p.to_string(), *l))
        .collect()
}

#[test]
fn public_files_and_constant_table_names_are_not_findings() {
    assert_eq!(
        located(&["security.cors-not-wildcard", "security.sql-string-building"]),
        expected(&[
            // The API, not the static files, the cached tracker script,
            // the status badge (an image, src/badge.js),
            // the `Origin` request header of src/feeds.js or the test
            // run's nginx (docker/test-nginx.conf).
            ("security.cors-not-wildcard", "src/api.js", 6),
            // A title pasted as a value; not `this.workingTable` (line 12).
            ("security.sql-string-building", "src/jobs.js", 20),
            // A name concatenated as a value; not TABLE_NAME (line 7).
            // Not the migration under db/migration/, which pastes table
            // names and runs once.
            ("security.sql-string-building", "app/store.py", 11),
            // A title %-formatted as a value; not the model's own table
            // name (`_meta.db_table`, line 19).
            ("security.sql-string-building", "app/store.py", 25),
        ])
    );
}

#[test]
fn a_key_derived_for_a_cipher_is_not_a_password_hash() {
    assert_eq!(
        located(&["security.password-hash-cost"]),
        // The stored password hash, not the key `encrypt` hands to
        // createCipheriv (line 4).
        expected(&[("security.password-hash-cost", "src/crypto.js", 17)])
    );
}

#[test]
fn a_rate_limiter_defined_and_never_applied_is_no_rate_limiting() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/security-lookalikes");
    let report = audit(
        &dir,
        &Catalog::builtin().unwrap(),
        &Config::default(),
        &AuditOptions::new("security-lookalikes".to_string()),
    )
    .unwrap();
    let check = report
        .checks
        .iter()
        .find(|c| c.id == "security.rate-limiting")
        .unwrap();
    // express-rate-limit in package.json and `rateLimit(` in src/limits.js
    // are mentions; nothing registers the limiter.
    assert_eq!(check.status, Status::Fail, "{}", check.message);
}

#[test]
fn a_password_digest_inside_an_hmac_or_a_comparison_is_not_storage() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/security-lookalikes");
    let report = audit(
        &dir,
        &Catalog::builtin().unwrap(),
        &Config::default(),
        &AuditOptions::new("security-lookalikes".to_string()),
    )
    .unwrap();
    let check = report
        .checks
        .iter()
        .find(|c| c.id == "security.password-hashing")
        .unwrap();
    // app/tokens.py hashes a password with SHA-256 for an HMAC and for
    // hmac.compare_digest; src/breach.js takes one's SHA-1 for Have I
    // Been Pwned's range API; the stored hash is PBKDF2 (src/crypto.js).
    assert_eq!(check.status, Status::Pass, "{}", check.message);
}
