//! Finds the link kinds: every file of src/link/kinds/ but mod.rs is one kind,
//! named as the file (its IFLA_INFO_KIND), and has options when it declares
//! `pub struct Options`, `pub enum Options` or (sharing another kind's)
//! `pub type Options`. Writes the `link_kinds!` call that
//! src/link/kinds/mod.rs includes, which derives everything else.
//!
//! The one thing it cannot derive is the kind's `mod` line in mod.rs:
//! cargo-mutants finds source files by their literal `mod` statements only
//! (not in macro expansions), so a kind declared by the macro would never be
//! mutation-tested. It checks those lines instead, and says which to add.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let dir = Path::new(&root).join("src/link/kinds");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut kinds = Vec::new();
    for entry in fs::read_dir(&dir).expect("src/link/kinds") {
        let path = entry.expect("src/link/kinds entry").path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().and_then(|e| e.to_str()) != Some("rs") || name == "mod" {
            continue;
        }
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
            "{}: a kind's file is named as its IFLA_INFO_KIND, in lowercase letters and digits",
            path.display()
        );
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).expect("kind file");
        let options = text.lines().any(|l| {
            ["pub struct Options", "pub enum Options", "pub type Options"]
                .iter()
                .any(|d| l.starts_with(d))
        });
        kinds.push((name.to_string(), options));
    }
    kinds.sort();
    check_mod_lines(&dir.join("mod.rs"), &kinds);
    let list = |with_options: bool| {
        kinds.iter().filter(|(_, o)| *o == with_options).fold(
            String::new(),
            |mut out, (name, _)| {
                let variant = name[..1].to_uppercase() + &name[1..];
                let _ = write!(out, "{name} {variant}, ");
                out
            },
        )
    };
    let call = format!(
        "link_kinds! {{ bare: [{}] with_options: [{}] }}\n",
        list(false),
        list(true)
    );
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("link_kinds.rs");
    fs::write(out, call).expect("write link_kinds.rs");
}

/// mod.rs declares each kind file, and nothing else, as `mod <kind>;`.
fn check_mod_lines(mod_rs: &Path, kinds: &[(String, bool)]) {
    let text = fs::read_to_string(mod_rs).expect("src/link/kinds/mod.rs");
    let declared: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';'))
        .collect();
    let missing: Vec<String> = kinds
        .iter()
        .filter(|(k, _)| !declared.contains(&k.as_str()))
        .map(|(k, _)| format!("mod {k};"))
        .collect();
    let stale: Vec<&&str> = declared
        .iter()
        .filter(|d| !kinds.iter().any(|(k, _)| k == *d))
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "src/link/kinds/mod.rs must declare each kind file: add {missing:?}, remove the lines of {stale:?}"
    );
}
