//! `docs/readiness-review.md` is a product page: it tells a team which items of
//! their hand-written readiness review readyctl decides. A page like that rots
//! silently when a check is renamed or a row is edited without redoing the
//! totals, so this test reads it the way a reader would and holds it to the
//! catalogue: every check it names exists, every row says how it is decided,
//! and the "Coverage per review" table is what the rows add up to.

use readyctl::Catalog;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// `none`: a tool could decide the item, but no check does yet.
const DECISIONS: [&str; 4] = ["full", "partly", "none", "human"];

struct Item {
    section: String,
    name: String,
    seeds: Vec<u32>,
    decision: String,
    checks: Vec<String>,
    notes: String,
}

#[derive(Debug, PartialEq, Eq)]
struct Coverage {
    automatable: usize,
    full: usize,
    partly: usize,
    share: String,
}

struct Page {
    items: Vec<Item>,
    coverage: BTreeMap<u32, Coverage>,
}

fn page_text() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/readiness-review.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The page's tables are plain GitHub pipe tables without escaped pipes, so a
/// row is its cells between the outer pipes.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

fn is_separator(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':'))
}

/// Check ids are the backticked words of the Checks cell.
fn check_ids(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn seeds(cell: &str, row: &str) -> Vec<u32> {
    if cell == "—" {
        return Vec::new();
    }
    cell.split(',')
        .map(|s| {
            s.trim()
                .parse()
                .unwrap_or_else(|_| panic!("Seeds cell {cell:?} is not a list of numbers: {row}"))
        })
        .collect()
}

fn parse(text: &str) -> Page {
    let mut items = Vec::new();
    let mut coverage = BTreeMap::new();
    let mut section = String::new();
    let mut header: Option<Vec<String>> = None;
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            section = title.trim().to_string();
            header = None;
            continue;
        }
        if !line.trim_start().starts_with('|') {
            header = None;
            continue;
        }
        let row = cells(line);
        if is_separator(&row) {
            continue;
        }
        let Some(head) = &header else {
            header = Some(row);
            continue;
        };
        assert_eq!(
            row.len(),
            head.len(),
            "row has {} cells, its table {}: {line}",
            row.len(),
            head.len()
        );
        match head[0].as_str() {
            "Item" => {
                assert_eq!(
                    head,
                    &["Item", "Seeds", "Decision", "Checks", "Notes"],
                    "item table columns in {section}"
                );
                items.push(Item {
                    section: section.clone(),
                    name: row[0].clone(),
                    seeds: seeds(&row[1], line),
                    decision: row[2].clone(),
                    checks: check_ids(&row[3]),
                    notes: row[4].clone(),
                });
            }
            "Seed" => {
                let seed: u32 = row[0]
                    .parse()
                    .unwrap_or_else(|_| panic!("coverage row without a seed number: {line}"));
                let number = |i: usize| -> usize {
                    row[i]
                        .parse()
                        .unwrap_or_else(|_| panic!("coverage cell {i} is not a number: {line}"))
                };
                let previous = coverage.insert(
                    seed,
                    Coverage {
                        automatable: number(1),
                        full: number(2),
                        partly: number(3),
                        share: row[4].clone(),
                    },
                );
                assert!(previous.is_none(), "seed {seed} has two coverage rows");
            }
            other => panic!("table with unknown first column {other:?} in {section}"),
        }
    }
    Page { items, coverage }
}

/// What the rows add up to for one review. Percentages round half up, as a
/// reader would.
fn computed(items: &[Item], seed: u32) -> Coverage {
    let asked: Vec<&Item> = items
        .iter()
        .filter(|i| i.seeds.contains(&seed) && i.decision != "human")
        .collect();
    let full = asked.iter().filter(|i| i.decision == "full").count();
    let partly = asked.iter().filter(|i| i.decision == "partly").count();
    let automatable = asked.len();
    let share = (full * 100 + automatable / 2)
        .checked_div(automatable)
        .map_or_else(|| "—".to_string(), |p| format!("{p}%"));
    Coverage {
        automatable,
        full,
        partly,
        share,
    }
}

#[test]
fn every_check_the_page_names_is_in_the_catalogue() {
    let catalog = Catalog::builtin().expect("built-in packs load");
    let known: BTreeSet<&str> = catalog.checks().iter().map(|c| c.id.as_str()).collect();
    let page = parse(&page_text());
    assert!(!page.items.is_empty(), "the page has no item rows");
    let unknown: Vec<String> = page
        .items
        .iter()
        .flat_map(|i| i.checks.iter().map(move |c| (i, c)))
        .filter(|(_, c)| !known.contains(c.as_str()))
        .map(|(i, c)| format!("{} / {}: `{c}`", i.section, i.name))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/readiness-review.md names checks that do not exist:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn every_row_says_how_it_is_decided() {
    let page = parse(&page_text());
    let mut problems = Vec::new();
    for item in &page.items {
        let at = format!("{} / {}", item.section, item.name);
        if !DECISIONS.contains(&item.decision.as_str()) {
            problems.push(format!("{at}: decision {:?}", item.decision));
        }
        match item.decision.as_str() {
            "full" if item.checks.is_empty() => {
                problems.push(format!("{at}: decided fully by no check"))
            }
            "human" | "none" if !item.checks.is_empty() => {
                problems.push(format!("{at}: {}, yet names checks", item.decision))
            }
            "partly" | "none" | "human" if item.notes.is_empty() => problems.push(format!(
                "{at}: {} without a note saying what is left",
                item.decision
            )),
            _ => {}
        }
        if item.seeds.iter().any(|s| *s > 4) {
            problems.push(format!("{at}: seeds are 0-4"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_coverage_table_is_what_the_rows_add_up_to() {
    let page = parse(&page_text());
    let expected: BTreeMap<u32, Coverage> =
        (0..=4).map(|s| (s, computed(&page.items, s))).collect();
    if page.coverage != expected {
        let table: String = expected
            .iter()
            .map(|(s, c)| {
                format!(
                    "| {s} | {} | {} | {} | {} |\n",
                    c.automatable, c.full, c.partly, c.share
                )
            })
            .collect();
        panic!(
            "the \"Coverage per review\" table does not match the rows; from the rows:\n{table}"
        );
    }
}
