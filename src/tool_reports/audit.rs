//! Dependency audits: npm (7+ and legacy), pnpm, yarn (classic and berry),
//! pip-audit, govulncheck, cargo-audit, osv-scanner and Trivy JSON. Each
//! becomes a list of advisories with package, version, id and severity.

use super::config::Severity;
use super::{Body, Detection, Family, malformed, number, parse_time, report};
use serde_json::Value;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditSummary {
    /// Distinct (package, advisory) pairs.
    pub advisories: Vec<Advisory>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Advisory {
    pub package: String,
    pub version: Option<String>,
    pub id: String,
    pub severity: Severity,
}

fn summary(mut advisories: Vec<Advisory>) -> AuditSummary {
    let mut seen = BTreeSet::new();
    advisories.retain(|a| seen.insert((a.package.clone(), a.id.clone())));
    advisories.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.package.cmp(&b.package))
            .then(a.id.cmp(&b.id))
    });
    AuditSummary { advisories }
}

fn bad(format: &'static str, reason: impl Into<String>) -> Detection {
    malformed(Family::DependencyAudit, format, reason)
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The advisory id from a GitHub advisory URL (`…/advisories/GHSA-…`).
fn id_from_url(url: &str) -> Option<String> {
    url.rsplit('/')
        .next()
        .filter(|id| !id.is_empty())
        .map(str::to_string)
}

/// npm 7+: `vulnerabilities` keyed by package; `via` holds the advisories
/// (objects) or the names of vulnerable dependencies (strings, counted at
/// their own entry).
pub fn read_npm(value: &Value) -> Detection {
    let Some(vulnerabilities) = value["vulnerabilities"].as_object() else {
        return bad("npm audit", "`vulnerabilities` is not an object");
    };
    let mut advisories = Vec::new();
    for (package, entry) in vulnerabilities {
        for via in entry["via"].as_array().into_iter().flatten() {
            if !via.is_object() {
                continue;
            }
            let id = via["url"]
                .as_str()
                .and_then(id_from_url)
                .or_else(|| text(&via["source"]))
                .unwrap_or_else(|| "(no id)".to_string());
            advisories.push(Advisory {
                package: package.clone(),
                version: via["range"].as_str().map(str::to_string),
                id,
                severity: Severity::parse(
                    via["severity"]
                        .as_str()
                        .or(entry["severity"].as_str())
                        .unwrap_or(""),
                ),
            });
        }
    }
    report("npm audit", None, Body::Audit(summary(advisories)))
}

/// npm 6 and pnpm: `advisories` keyed by id.
pub fn read_npm_legacy(value: &Value) -> Detection {
    let Some(entries) = value["advisories"].as_object() else {
        return bad("npm/pnpm audit", "`advisories` is not an object");
    };
    let mut advisories = Vec::new();
    for (key, advisory) in entries {
        advisories.push(legacy_advisory(key, advisory));
    }
    let tool = if value.get("muted").is_some() {
        "pnpm audit"
    } else {
        "npm audit"
    };
    report(tool, None, Body::Audit(summary(advisories)))
}

fn legacy_advisory(key: &str, advisory: &Value) -> Advisory {
    Advisory {
        package: advisory["module_name"]
            .as_str()
            .unwrap_or("(unknown)")
            .to_string(),
        version: advisory["findings"][0]["version"]
            .as_str()
            .map(str::to_string),
        id: advisory["github_advisory_id"]
            .as_str()
            .map(str::to_string)
            .or_else(|| advisory["url"].as_str().and_then(id_from_url))
            .or_else(|| text(&advisory["id"]))
            .unwrap_or_else(|| key.to_string()),
        severity: Severity::parse(advisory["severity"].as_str().unwrap_or("")),
    }
}

/// yarn 1 `audit --json`: one `auditAdvisory` line per path to a
/// vulnerable package.
pub fn read_yarn_classic(events: &[Value]) -> Detection {
    let advisories = events
        .iter()
        .filter(|e| e["type"] == "auditAdvisory")
        .map(|e| {
            let advisory = &e["data"]["advisory"];
            legacy_advisory(&text(&advisory["id"]).unwrap_or_default(), advisory)
        })
        .collect();
    report("yarn audit", None, Body::Audit(summary(advisories)))
}

/// yarn 2+ `yarn npm audit --json`: `{"value": package, "children": {…}}`.
pub fn read_yarn_berry(events: &[Value]) -> Detection {
    let mut advisories = Vec::new();
    for event in events {
        let children = &event["children"];
        let Some(package) = event["value"].as_str() else {
            return bad("yarn npm audit", "a line without `value`");
        };
        advisories.push(Advisory {
            package: package.to_string(),
            version: children["Tree Versions"][0].as_str().map(str::to_string),
            id: children["URL"]
                .as_str()
                .and_then(id_from_url)
                .or_else(|| text(&children["ID"]))
                .unwrap_or_else(|| "(no id)".to_string()),
            severity: Severity::parse(children["Severity"].as_str().unwrap_or("")),
        });
    }
    report("yarn npm audit", None, Body::Audit(summary(advisories)))
}

/// pip-audit `-f json`: no severities; ids prefer the CVE/GHSA alias.
pub fn read_pip_audit(value: &Value) -> Detection {
    let mut advisories = Vec::new();
    for dependency in value["dependencies"].as_array().into_iter().flatten() {
        let Some(package) = dependency["name"].as_str() else {
            return bad("pip-audit", "a dependency without `name`");
        };
        for vuln in dependency["vulns"].as_array().into_iter().flatten() {
            advisories.push(Advisory {
                package: package.to_string(),
                version: dependency["version"].as_str().map(str::to_string),
                id: vuln["id"].as_str().unwrap_or("(no id)").to_string(),
                severity: Severity::Unknown,
            });
        }
    }
    report("pip-audit", None, Body::Audit(summary(advisories)))
}

/// govulncheck `-json`: a stream of messages. A `finding` whose trace
/// reaches a function is a vulnerability the code calls; module- or
/// package-level findings are not reported as affecting it, as
/// govulncheck's own text output does.
pub fn read_govulncheck(messages: &[Value]) -> Detection {
    let mut advisories = Vec::new();
    for message in messages {
        let finding = &message["finding"];
        if finding.is_null() {
            continue;
        }
        let trace = &finding["trace"][0];
        if trace["function"].as_str().is_none_or(str::is_empty) {
            continue;
        }
        advisories.push(Advisory {
            package: trace["module"].as_str().unwrap_or("(unknown)").to_string(),
            version: trace["version"].as_str().map(str::to_string),
            id: finding["osv"].as_str().unwrap_or("(no id)").to_string(),
            severity: Severity::Unknown,
        });
    }
    report("govulncheck", None, Body::Audit(summary(advisories)))
}

/// cargo-audit `--json`: `vulnerabilities.list`. Advisories carry a CVSS
/// vector, not a grade, so the severity is unknown.
pub fn read_cargo_audit(value: &Value) -> Detection {
    let Some(list) = value["vulnerabilities"]["list"].as_array() else {
        return bad("cargo-audit", "`vulnerabilities.list` is not an array");
    };
    let advisories = list
        .iter()
        .map(|entry| Advisory {
            package: entry["package"]["name"]
                .as_str()
                .or(entry["advisory"]["package"].as_str())
                .unwrap_or("(unknown)")
                .to_string(),
            version: entry["package"]["version"].as_str().map(str::to_string),
            id: entry["advisory"]["id"]
                .as_str()
                .unwrap_or("(no id)")
                .to_string(),
            severity: Severity::Unknown,
        })
        .collect();
    report("cargo-audit", None, Body::Audit(summary(advisories)))
}

/// osv-scanner `--format json`: per package, `groups` merge aliases into
/// one advisory with a `max_severity` CVSS score.
pub fn read_osv_scanner(value: &Value) -> Detection {
    let mut advisories = Vec::new();
    for result in value["results"].as_array().into_iter().flatten() {
        for package in result["packages"].as_array().into_iter().flatten() {
            let name = package["package"]["name"]
                .as_str()
                .unwrap_or("(unknown)")
                .to_string();
            let version = package["package"]["version"].as_str().map(str::to_string);
            let groups = package["groups"].as_array().filter(|g| !g.is_empty());
            match groups {
                Some(groups) => {
                    for group in groups {
                        advisories.push(Advisory {
                            package: name.clone(),
                            version: version.clone(),
                            id: group["ids"][0].as_str().unwrap_or("(no id)").to_string(),
                            severity: number(&group["max_severity"])
                                .map(Severity::from_score)
                                .unwrap_or(Severity::Unknown),
                        });
                    }
                }
                None => {
                    for vuln in package["vulnerabilities"].as_array().into_iter().flatten() {
                        advisories.push(Advisory {
                            package: name.clone(),
                            version: version.clone(),
                            id: vuln["id"].as_str().unwrap_or("(no id)").to_string(),
                            severity: Severity::parse(
                                vuln["database_specific"]["severity"].as_str().unwrap_or(""),
                            ),
                        });
                    }
                }
            }
        }
    }
    report("osv-scanner", None, Body::Audit(summary(advisories)))
}

/// Trivy `--format json` (schema 2): `Results[].Vulnerabilities[]`.
pub fn read_trivy(value: &Value) -> Detection {
    let mut advisories = Vec::new();
    for result in value["Results"].as_array().into_iter().flatten() {
        for vuln in result["Vulnerabilities"].as_array().into_iter().flatten() {
            let Some(id) = vuln["VulnerabilityID"].as_str() else {
                return bad("Trivy", "a vulnerability without `VulnerabilityID`");
            };
            advisories.push(Advisory {
                package: vuln["PkgName"].as_str().unwrap_or("(unknown)").to_string(),
                version: vuln["InstalledVersion"].as_str().map(str::to_string),
                id: id.to_string(),
                severity: Severity::parse(vuln["Severity"].as_str().unwrap_or("")),
            });
        }
    }
    let date = value["CreatedAt"].as_str().and_then(parse_time);
    report("Trivy", date, Body::Audit(summary(advisories)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisories(detection: Detection) -> Vec<Advisory> {
        match detection {
            Detection::Report(report) => match report.body {
                Body::Audit(audit) => audit.advisories,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn npm_counts_advisories_not_dependents() {
        let audit = serde_json::json!({
            "auditReportVersion": 2,
            "vulnerabilities": {
                "lodash": {"name": "lodash", "severity": "critical", "via": [
                    {"source": 1, "name": "lodash", "severity": "critical",
                     "url": "https://github.com/advisories/GHSA-jf85-cpcp-j695", "range": "<4.17.12"}
                ]},
                "app-lib": {"name": "app-lib", "severity": "critical", "via": ["lodash"]}
            },
            "metadata": {"vulnerabilities": {"critical": 2}}
        });
        let found = advisories(read_npm(&audit));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, "GHSA-jf85-cpcp-j695");
        assert_eq!(found[0].severity, Severity::Critical);
    }

    #[test]
    fn osv_groups_and_trivy_severities() {
        let osv = serde_json::json!({"results": [{"source": {"path": "go.mod", "type": "lockfile"},
            "packages": [{"package": {"name": "golang.org/x/net", "version": "0.7.0", "ecosystem": "Go"},
              "vulnerabilities": [{"id": "GO-2023-1988"}, {"id": "GHSA-2wrh-6pvc-2jm9"}],
              "groups": [{"ids": ["GO-2023-1988", "GHSA-2wrh-6pvc-2jm9"], "max_severity": "6.1"}]}]}]});
        let found = advisories(read_osv_scanner(&osv));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Medium);
        let trivy = serde_json::json!({"SchemaVersion": 2, "ArtifactName": ".", "Results": [
            {"Target": "package-lock.json", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2021-23337", "PkgName": "lodash", "InstalledVersion": "4.17.20", "Severity": "HIGH"}]}]});
        assert_eq!(advisories(read_trivy(&trivy))[0].severity, Severity::High);
    }

    #[test]
    fn govulncheck_counts_called_vulnerabilities_only() {
        let messages = [
            serde_json::json!({"config": {"scanner_name": "govulncheck"}}),
            serde_json::json!({"finding": {"osv": "GO-2023-2102", "trace": [{"module": "golang.org/x/net", "version": "v0.7.0"}]}}),
            serde_json::json!({"finding": {"osv": "GO-2023-2102", "trace": [{"module": "golang.org/x/net", "version": "v0.7.0", "package": "golang.org/x/net/http2", "function": "ServeConn"}]}}),
        ];
        let found = advisories(read_govulncheck(&messages));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, "GO-2023-2102");
    }
}
