//! "Did you mean …?" for check ids typed by hand (`checks explain`, ids in
//! readyctl.toml): the closest known ids by edit similarity, plus those that
//! contain what was typed.

/// Up to three known ids close to `wanted`, best first.
pub fn close_ids<'a>(wanted: &str, known: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = known
        .filter_map(|id| {
            let score = if id.contains(wanted) && !wanted.is_empty() {
                1.0
            } else {
                strsim::jaro_winkler(wanted, id)
            };
            (score >= 0.85).then_some((score, id))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}

/// ` (did you mean `a`, `b`?)`, or nothing.
pub fn hint<'a>(wanted: &str, known: impl Iterator<Item = &'a str>) -> String {
    let close = close_ids(wanted, known);
    if close.is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = close.iter().map(|id| format!("`{id}`")).collect();
    format!(" (did you mean {}?)", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: [&str; 4] = [
        "secrets.private-key",
        "secrets.cloud-keys",
        "backups.schedule",
        "backups.job",
    ];

    #[test]
    fn typos_find_the_id() {
        assert_eq!(
            close_ids("secrets.privat-key", IDS.into_iter())[0],
            "secrets.private-key"
        );
        assert_eq!(
            close_ids("backup.schedule", IDS.into_iter())[0],
            "backups.schedule"
        );
    }

    #[test]
    fn unrelated_words_find_nothing() {
        assert!(close_ids("zzz", IDS.into_iter()).is_empty());
        assert_eq!(hint("zzz", IDS.into_iter()), "");
    }
}
