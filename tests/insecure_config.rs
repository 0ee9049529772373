//! `fixtures/insecure-config`: each deployment check finds its planted
//! setting at its line and nothing else: not the same settings in the
//! development compose file or a `-dev` properties file, not commented-out
//! lines, loopback-only ports or pg_hba lines, a connection to loopback
//! without TLS (`k8s/exporter.yaml`), pinned or digest images, or a Secret
//! whose value is an interpolation.

use readyctl::model::Status;
use readyctl::{AuditOptions, Catalog, Config, audit};
use std::collections::BTreeSet;
use std::path::PathBuf;

#[test]
fn each_setting_is_found_at_its_line_and_nothing_else() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/insecure-config");
    let report = audit(
        &dir,
        &Catalog::builtin().unwrap(),
        &Config::default(),
        &AuditOptions::new("insecure-config".to_string()),
    )
    .unwrap();
    let checks = [
        "infra.datastore-ports-private",
        "infra.image-tags-pinned",
        "database.pg-hba-no-trust",
        "database.tls-not-disabled",
        "security.actuator-exposure",
        "security.debug-off-in-production",
        "security.password-hash-cost",
        "secrets.k8s-secret-literal",
    ];
    let found: BTreeSet<(&str, String, usize)> = report
        .checks
        .iter()
        .filter(|c| checks.contains(&c.id.as_str()))
        .inspect(|c| assert_eq!(c.status, Status::Fail, "{}: {}", c.id, c.message))
        .flat_map(|c| {
            c.findings
                .iter()
                .filter_map(move |f| Some((c.id.as_str(), f.path.clone()?, f.line?)))
        })
        .collect();
    let expected: BTreeSet<(&str, String, usize)> = [
        ("infra.datastore-ports-private", "docker-compose.yml", 10),
        ("infra.image-tags-pinned", "docker-compose.yml", 3),
        ("infra.image-tags-pinned", "docker-compose.yml", 12),
        // A Kubernetes container's `latest`, not the digest-pinned one.
        ("infra.image-tags-pinned", "k8s/deployment.yaml", 12),
        ("database.pg-hba-no-trust", "db/pg_hba.conf", 5),
        // Not the exporter reaching its pod's database over loopback.
        ("database.tls-not-disabled", "docker-compose.yml", 5),
        (
            "security.actuator-exposure",
            "src/main/resources/application.yml",
            8,
        ),
        ("security.debug-off-in-production", "app/settings.py", 3),
        ("security.debug-off-in-production", "docker-compose.yml", 6),
        // Django hashes new passwords with the first hasher listed.
        ("security.password-hash-cost", "app/settings.py", 13),
        // pgcrypto's bcrypt at its default cost, 6.
        ("security.password-hash-cost", "db/users.sql", 4),
        // Each literal key at its own line, not the manifest's `kind:
        // Secret` or its first key only; not `host`, the Helm template, the
        // empty value or the ConfigMap's keys.
        ("secrets.k8s-secret-literal", "k8s/secret.yaml", 7),
        ("secrets.k8s-secret-literal", "k8s/secret.yaml", 9),
        ("secrets.k8s-secret-literal", "k8s/secret.yaml", 13),
    ]
    .into_iter()
    .map(|(c, p, l)| (c, p.to_string(), l))
    .collect();
    assert_eq!(found, expected);

    // A Secret's finding names its key and the value's length, never the
    // value.
    let secret = report
        .checks
        .iter()
        .find(|c| c.id == "secrets.k8s-secret-literal")
        .unwrap();
    let messages: Vec<&str> = secret.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "data.API_TOKEN: a literal value committed in a Secret (28-character literal)",
            "stringData.DB_PASSWORD: a literal value committed in a Secret (22-character literal)",
            "stringData.SESSION_KEY: a literal value committed in a Secret (25-character literal)",
        ]
    );
}
