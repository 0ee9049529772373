//! Secrets planted where non-secret checks quote the repository (a
//! destructive migration's line, a Dockerfile's base image) never appear in
//! any output: every format, the written baseline, and `diff` between two
//! reports. The report's one redactor knows every value the secret checks
//! saw, whichever check quotes it.

use assert_cmd::Command;
use std::path::Path;

/// Fake credentials, each of a shape a secrets check recognises.
const STRIPE: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dcQz8Rk2Lm"; // readyctl:allow secrets.* planted fake
const GITHUB: &str = "ghp_Qm8Zr2VxN4pLk7TbW1mYc9HsD3fGj6KuE0aB"; // readyctl:allow secrets.* planted fake

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn plant(root: &Path) {
    // The destructive-migrations check quotes the statement's line.
    write(
        root,
        "db/migrations/003_drop_legacy.sql",
        &format!("DROP TABLE legacy_keys; -- old key {STRIPE}\n"),
    );
    write(
        root,
        "db/migrations/001_init.sql",
        "CREATE TABLE t (id int);\n",
    );
    write(
        root,
        "db/migrations/002_more.sql",
        "CREATE TABLE u (id int);\n",
    );
    // The Dockerfile checks quote the base image.
    write(
        root,
        "Dockerfile",
        &format!("FROM registry.acme.io/{GITHUB}/base\nUSER app\nCMD [\"app\"]\n"),
    );
    write(root, "go.mod", "module acme.io/app\n\ngo 1.22\n");
    write(root, "main.go", "package main\n\nfunc main() {}\n");
}

fn readyctl() -> Command {
    let mut command = Command::cargo_bin("readyctl").unwrap();
    command
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .env("NO_COLOR", "1");
    command
}

fn assert_clean(what: &str, text: &str) {
    for secret in [STRIPE, GITHUB] {
        assert!(!text.contains(secret), "{what} prints `{secret}`:\n{text}");
    }
}

#[test]
fn quoted_secrets_are_masked_in_every_output() {
    let repo = tempfile::tempdir().unwrap();
    plant(repo.path());
    let out = tempfile::tempdir().unwrap();

    // The planted values are quoted by non-secret checks at all: without
    // that, this test would prove nothing.
    let json = readyctl()
        .args(["audit", "--offline", "--exit-zero", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    let json = String::from_utf8_lossy(&json.stdout).into_owned();
    assert!(json.contains("DROP TABLE legacy_keys"), "{json}");
    assert!(json.contains("registry.acme.io/"), "{json}");
    assert_clean("--format json", &json);

    for format in ["table", "markdown", "sarif", "junit", "github", "json"] {
        let output = readyctl()
            .args(["audit", "--offline", "--exit-zero", "--format", format])
            .arg(repo.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        assert_clean(&format!("--format {format}"), &text);
    }

    let baseline = out.path().join("baseline.json");
    readyctl()
        .args(["audit", "--offline", "--exit-zero", "--write-baseline"])
        .arg(&baseline)
        .arg(repo.path())
        .output()
        .unwrap();
    assert_clean("the baseline", &std::fs::read_to_string(&baseline).unwrap());

    // `diff` between a clean report and the planted one shows the new
    // findings, masked.
    let clean = tempfile::tempdir().unwrap();
    write(clean.path(), "go.mod", "module acme.io/app\n\ngo 1.22\n");
    let old = out.path().join("old.json");
    let new = out.path().join("new.json");
    std::fs::write(
        &old,
        readyctl()
            .args(["audit", "--offline", "--exit-zero", "--format", "json"])
            .arg(clean.path())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    std::fs::write(&new, json.as_bytes()).unwrap();
    for format in ["table", "markdown", "json"] {
        let output = readyctl()
            .args(["diff", "--format", format])
            .arg(&old)
            .arg(&new)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        assert_clean(&format!("diff --format {format}"), &text);
    }
}

/// Default secrets found by reading code (a compiled-in constant, a Go
/// variable, an account literal, a project helper's fallback) are named by
/// key and kind in every format, never shown.
#[test]
fn code_defaults_are_named_never_shown() {
    const CONSTANT: &str = "Zq7-compiled-in-signing-value-Wx4"; // readyctl:allow secrets.* planted fake
    const SHORT: &str = "kz8Qdemo"; // readyctl:allow secrets.* planted fake
    const OWNER: &str = "gopher7"; // readyctl:allow secrets.* planted fake
    const HELPER: &str = "Jm3vq"; // readyctl:allow secrets.* planted fake
    let repo = tempfile::tempdir().unwrap();
    write(repo.path(), "go.mod", "module acme.io/app\n\ngo 1.22\n");
    write(
        repo.path(),
        "internal/auth/keys.go",
        &format!(
            "package auth\n\nconst SigningSecret = \"{CONSTANT}\"\n\nfunc key() string {{\n\tsecret := \"{SHORT}\"\n\treturn secret\n}}\n\nvar owner = Account{{\n\tPassword: \"{OWNER}\",\n}}\n"
        ),
    );
    write(
        repo.path(),
        "app/settings.py",
        &format!("SECRET_KEY = envsecret(\"SECRET_KEY\", \"{HELPER}\")\n"),
    );
    let json = readyctl()
        .args(["audit", "--offline", "--exit-zero", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    let json = String::from_utf8_lossy(&json.stdout).into_owned();
    // Found at all, by name: otherwise the test would prove nothing.
    for key in ["`SigningSecret`", "`secret`", "`Password`", "`SECRET_KEY`"] {
        assert!(json.contains(key), "{key} not reported:\n{json}");
    }
    for format in [
        "table", "markdown", "sarif", "junit", "github", "json", "html",
    ] {
        let output = readyctl()
            .args(["audit", "--offline", "--exit-zero", "--format", format])
            .arg(repo.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        for value in [CONSTANT, SHORT, OWNER, HELPER] {
            assert!(!text.contains(value), "--format {format} prints `{value}`");
        }
    }
}

/// The redactor masks values, never the names findings give: a committed
/// `.env`'s variables are named in every format (the generic shapes once
/// masked `CONFIG_SERVICE_PASSWORD` in "password: `CONFIG_SERVICE_PASSWORD`"),
/// and the value beside a name stays masked.
#[test]
fn key_names_are_shown_and_values_masked_in_every_output() {
    const VALUE: &str = "Xk29fjQ8vLmT3pZr7Wq1aB"; // readyctl:allow secrets.* planted fake
    const NAMES: [&str; 2] = ["CONFIG_SERVICE_PASSWORD", "ACCOUNT_SERVICE_PASSWORD"];
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        ".env",
        &format!("CONFIG_SERVICE_PASSWORD=password\nACCOUNT_SERVICE_PASSWORD={VALUE}\n"),
    );
    write(
        repo.path(),
        "docker-compose.yml",
        "services:\n  config:\n    image: acme/config:1.2.0\n    environment:\n      CONFIG_SERVICE_PASSWORD: $CONFIG_SERVICE_PASSWORD\n      ACCOUNT_SERVICE_PASSWORD: $ACCOUNT_SERVICE_PASSWORD\n",
    );
    write(repo.path(), "go.mod", "module acme.io/app\n\ngo 1.22\n");
    let out = tempfile::tempdir().unwrap();
    let audit = |format: &str| {
        let output = readyctl()
            .args([
                "audit",
                "--offline",
                "--exit-zero",
                "--details",
                "--format",
                format,
            ])
            .arg(repo.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr)
    };
    let json = audit("json");
    for format in [
        "table", "markdown", "sarif", "junit", "github", "json", "html",
    ] {
        let text = audit(format);
        assert!(!text.contains(VALUE), "--format {format} prints the value");
        for name in NAMES {
            assert!(
                text.contains(name),
                "--format {format} does not name `{name}`:\n{text}"
            );
        }
    }
    let baseline = out.path().join("baseline.json");
    readyctl()
        .args(["audit", "--offline", "--exit-zero", "--write-baseline"])
        .arg(&baseline)
        .arg(repo.path())
        .output()
        .unwrap();
    let written = std::fs::read_to_string(&baseline).unwrap();
    assert!(!written.contains(VALUE), "the baseline prints the value");
    let clean = tempfile::tempdir().unwrap();
    write(clean.path(), "go.mod", "module acme.io/app\n\ngo 1.22\n");
    let old = out.path().join("old.json");
    let new = out.path().join("new.json");
    std::fs::write(
        &old,
        readyctl()
            .args(["audit", "--offline", "--exit-zero", "--format", "json"])
            .arg(clean.path())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    std::fs::write(&new, json.as_bytes()).unwrap();
    for format in ["table", "markdown", "json"] {
        let output = readyctl()
            .args(["diff", "--format", format])
            .arg(&old)
            .arg(&new)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            !text.contains(VALUE),
            "diff --format {format} prints the value"
        );
        for name in NAMES {
            assert!(
                text.contains(name),
                "diff --format {format} does not name `{name}`:\n{text}"
            );
        }
    }
}

/// A committed Kubernetes Secret's literal values are read as YAML by
/// `secrets.k8s-secret-literal`, not by a content pattern: the redactor
/// learns them from that rule (`stringData` as written, `data` decoded from
/// base64 and as written) and masks them wherever another check quotes
/// them, here a destructive migration's comment.
#[test]
fn kubernetes_secret_values_are_masked_where_other_checks_quote_them() {
    const PLAIN: &str = "horse-battery-staple-4921"; // readyctl:allow secrets.* planted fake
    const DECODED: &str = "orchid-lantern-quartz-77"; // readyctl:allow secrets.* planted fake
    const ENCODED: &str = "b3JjaGlkLWxhbnRlcm4tcXVhcnR6LTc3"; // readyctl:allow secrets.* planted fake
    let repo = tempfile::tempdir().unwrap();
    write(repo.path(), "go.mod", "module acme.io/app\n\ngo 1.22\n");
    write(repo.path(), "main.go", "package main\n\nfunc main() {}\n");
    write(
        repo.path(),
        "deploy/k8s/secret.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\nstringData:\n  webhook: {PLAIN}\ndata:\n  dsn: {ENCODED}\n"
        ),
    );
    write(
        repo.path(),
        "db/migrations/001_init.sql",
        "CREATE TABLE hooks (id int);\n",
    );
    write(
        repo.path(),
        "db/migrations/002_more.sql",
        "CREATE TABLE dsns (id int);\n",
    );
    write(
        repo.path(),
        "db/migrations/003_drop.sql",
        &format!(
            "DROP TABLE hooks; -- was {PLAIN}\nDROP TABLE dsns; -- was {DECODED} ({ENCODED})\n"
        ),
    );
    let audit = |format: &str| {
        let output = readyctl()
            .args(["audit", "--offline", "--exit-zero", "--format", format])
            .arg(repo.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr)
    };
    let json = audit("json");
    // The Secret is reported and the migration's lines are quoted: without
    // both, this test would prove nothing.
    assert!(json.contains("stringData.webhook"), "{json}");
    assert!(json.contains("DROP TABLE hooks"), "{json}");
    assert!(json.contains("DROP TABLE dsns"), "{json}");
    for format in [
        "table", "markdown", "sarif", "junit", "github", "json", "html",
    ] {
        let text = if format == "json" {
            json.clone()
        } else {
            audit(format)
        };
        for value in [PLAIN, DECODED, ENCODED] {
            assert!(!text.contains(value), "--format {format} prints `{value}`");
        }
    }
}
