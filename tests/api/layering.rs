//! The house keeps the direction `src/lib.rs` states: each top-level module of `src/` may
//! name (as `crate::…`) only the modules listed for it here. An import against the
//! direction, or a new top-level module not placed in the table, fails this test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may import. Data flows
/// `http → protection → graphql → store → entity`; `config`, `error` and `locale` import
/// nothing of the crate; the rest are shared leaves of the domain.
const ALLOWED: &[(&str, &[&str])] = &[
    ("config", &[]),
    ("error", &[]),
    ("locale", &[]),
    ("global_id", &[]),
    ("telemetry", &["config"]),
    ("countries", &["locale"]),
    ("reference", &["error"]),
    ("keys", &["error"]),
    ("text", &["error"]),
    ("store", &["config", "error", "global_id", "keys", "locale", "reference", "telemetry", "text"]),
    ("exchange", &["config", "error", "locale", "reference", "store"]),
    ("synthetic", &["config", "error", "locale", "reference", "store"]),
    ("editorial", &["error", "exchange", "store"]),
    ("delivery", &["error", "store", "telemetry"]),
    (
        "graphql",
        &[
            "config",
            "countries",
            "delivery",
            "editorial",
            "error",
            "global_id",
            "keys",
            "locale",
            "reference",
            "store",
            "telemetry",
            "text",
        ],
    ),
    ("protection", &["config", "error", "graphql", "keys", "store", "telemetry"]),
    ("http", &["config", "error", "graphql", "keys", "locale", "protection", "store", "telemetry"]),
    (
        "app",
        &[
            "config",
            "delivery",
            "error",
            "exchange",
            "graphql",
            "http",
            "keys",
            "protection",
            "reference",
            "store",
            "synthetic",
            "telemetry",
        ],
    ),
    (
        "cli",
        &[
            "app",
            "config",
            "delivery",
            "error",
            "exchange",
            "graphql",
            "http",
            "keys",
            "protection",
            "reference",
            "store",
            "synthetic",
            "telemetry",
        ],
    ),
    ("lib", &[]),
    ("main", &[]),
];

fn rust_files(folder: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("readable folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

/// The top-level modules each module names, by the files that name them.
fn imports(source: &Path) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut files = Vec::new();
    rust_files(source, &mut files);
    let mut found: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(source).expect("under src");
        let first = relative.components().next().expect("a component").as_os_str().to_string_lossy();
        let module = first.trim_end_matches(".rs").to_owned();
        let text = std::fs::read_to_string(&file).expect("readable source");
        let entry = found.entry(module.clone()).or_default();
        for (start, _) in text.match_indices("crate::") {
            if start > 0 && text[..start].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue; // `async_graphql::…` and the like end in "crate" only by chance
            }
            let named: String = text[start + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if !named.is_empty() && named != module {
                entry.entry(named).or_default().insert(relative.display().to_string());
            }
        }
    }
    found
}

#[test]
fn every_module_imports_only_in_the_stated_direction() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut violations = Vec::new();
    for (module, named) in imports(&source) {
        let Some(may) = allowed.get(module.as_str()) else {
            violations.push(format!("src/{module} is not placed in tests/api/layering.rs"));
            continue;
        };
        for (target, files) in named {
            if !may.contains(&target.as_str()) {
                let files: Vec<&str> = files.iter().map(String::as_str).collect();
                violations.push(format!("{module} imports {target} (in {})", files.join(", ")));
            }
        }
    }
    assert!(violations.is_empty(), "imports against the stated direction:\n{}", violations.join("\n"));
}

#[test]
fn the_direction_has_no_circle() {
    // Allowed imports alone must form no circle, or the table itself would permit one.
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    fn visit<'a>(
        module: &'a str,
        allowed: &BTreeMap<&'a str, &'a [&'a str]>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(start) = path.iter().position(|seen| *seen == module) {
            return Some(path[start..].to_vec());
        }
        path.push(module);
        for next in allowed.get(module).copied().unwrap_or_default() {
            if let Some(circle) = visit(next, allowed, path) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    for module in allowed.keys() {
        assert_eq!(visit(module, &allowed, &mut Vec::new()), None, "a circle in the table");
    }
}
