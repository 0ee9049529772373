//! The CI model read from fixture repositories: every CI system, every
//! indirection, and the negatives (a test command in a comment, an `echo`,
//! a disabled job, a step allowed to fail).

use readyctl::repo::ci::{CiModel, Place, read};
use std::path::PathBuf;

fn model(fixture: &str) -> CiModel {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(fixture);
    read(&root, &Default::default()).expect("the fixture reads")
}

/// Every command chain (as `ci.yml:23 make x → Makefile:2 y`) of the steps
/// that have `class`, in the pipelines at `place`.
fn chains(model: &CiModel, class: &str, place: Place) -> Vec<String> {
    let mut found = Vec::new();
    for pipeline in model.pipelines.iter().filter(|p| p.place == place) {
        for job in pipeline.jobs.iter().filter(|j| !j.disabled) {
            for step in &job.steps {
                for command in step.commands.iter().filter(|c| c.classes.iter().any(|k| k == class)) {
                    found.push(command.describe());
                }
            }
        }
    }
    found
}

#[test]
#[ignore = "prints the model of $CI_DUMP for inspection"]
fn dump() {
    let path = std::env::var("CI_DUMP").unwrap();
    let model = read(std::path::Path::new(&path), &Default::default()).unwrap();
    println!("{}", serde_json::to_string_pretty(&model).unwrap());
}
