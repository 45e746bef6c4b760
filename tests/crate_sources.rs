//! The crate-source phase (`model::crate_scan`): vendored crates judged by their own sources,
//! findings that point into those sources, and the per-crate cache keyed by the Cargo.lock
//! checksum.

mod common;
use common::*;

#[test]
fn vendored_sources_drive_the_determinism_rules() {
    let o = expect_tree("crate-facts-vendored");
    assert!(o.stdout.contains("error[pipelined-nondeterministic-crate]: build-info 0.4.1"), "{}", o.stdout);
    assert!(o.stdout.contains("derive-glue → config-glue → build-info"), "{}", o.stdout);
    assert!(o.stdout.contains("warning[fixup-cargo-env-missing]: banner 2.0.0"), "{}", o.stdout);
    for quiet in ["asset-pack", "quiet-sys", "CARGO_PKG_HOMEPAGE"] {
        assert!(!o.stdout.contains(quiet), "{quiet}: {}", o.stdout);
    }
    // the rendered reports name the `env!` in the crate's source as a related span
    let full = run_in(
        &repo(),
        &[
            "check",
            "testdata/crate-facts-vendored",
            "--isolated",
            "--format",
            "full",
            "--color",
            "never",
            "--select",
            "pipelined-nondeterministic-crate,proc-macro-consumes-nondeterministic-rlib,fixup-cargo-env-missing",
        ],
    );
    expect_file(&repo().join("testdata/crate-facts-vendored/expected-full.txt"), &full.stdout);
    let lib = "testdata/crate-facts-vendored/third-party/rust/vendor/build-info-0.4.1/src/lib.rs:5:33";
    assert_eq!(full.stdout.matches(lib).count(), 2, "{}", full.stdout);
    assert!(full.stdout.contains("vendor/banner-2.0.0/src/lib.rs:2:27"), "{}", full.stdout);
}

/// With a cache directory, each crate's facts are kept under its checksum and read back: an
/// entry that says "no uses" silences the finding (so the cache is really read); a corrupt
/// entry is ignored and rewritten.
#[test]
fn crate_facts_are_cached_by_checksum() {
    let d = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("testdata/crate-facts-vendored"), d.path());
    let cache = d.path().join("cache");
    let app = d.path().join("app/BUCK");
    let mut edits = 0;
    // every run edits a build file, so the whole-run cache misses and the phase runs
    let mut run = || {
        edits += 1;
        let text = std::fs::read_to_string(&app).unwrap();
        std::fs::write(&app, format!("{text}# edit {edits}\n")).unwrap();
        let o = std::process::Command::new(bin())
            .args(["check", ".", "--isolated", "--format", "concise", "--cache-dir"])
            .arg(&cache)
            .current_dir(d.path())
            .env_remove("BUCK_LINT_NO_CACHE")
            .env("CARGO_HOME", repo().join("testdata/cargo-home"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let first = run();
    assert!(first.contains("pipelined-nondeterministic-crate"), "{first}");
    let lock = std::fs::read_to_string(d.path().join("third-party/rust/Cargo.lock")).unwrap();
    let sum = |name: &str| {
        let at = lock.find(&format!("name = \"{name}\"")).unwrap();
        let c = &lock[at..];
        let c = &c[c.find("checksum = \"").unwrap() + 12..];
        c[..64].to_string()
    };
    let entry = cache.join("crates").join(format!("{}.json", sum("build-info")));
    let kept = std::fs::read_to_string(&entry).unwrap();
    assert!(kept.contains("\"OUT_DIR\"") && kept.contains("src/lib.rs"), "{kept}");
    for name in ["asset-pack", "banner", "config-glue", "derive-glue", "quiet-sys"] {
        assert!(cache.join("crates").join(format!("{}.json", sum(name))).is_file(), "{name}");
    }
    assert_eq!(run(), first);

    // the cached facts are what the rules see
    let v: serde_json::Value = serde_json::from_str(&kept).unwrap();
    let empty = serde_json::json!({"format": v["format"], "version": v["version"], "uses": []});
    std::fs::write(&entry, empty.to_string()).unwrap();
    let silenced = run();
    assert!(!silenced.contains("build-info"), "{silenced}");

    // a corrupt entry is read again from the sources, and rewritten
    std::fs::write(&entry, "{not json").unwrap();
    assert_eq!(run(), first);
    assert_eq!(std::fs::read_to_string(&entry).unwrap(), kept);
}

/// Git and path packages of a non-vendored project: Cargo's checkout of the locked revision (a
/// workspace member inside it) and the manifest's `path = "…"` dependency are their sources.
#[test]
fn git_checkouts_and_path_dependencies_are_crate_sources() {
    let o = expect_tree("crate-facts-git-path");
    assert!(o.stdout.contains("error[pipelined-nondeterministic-crate]: git-baker 0.1.0"), "{}", o.stdout);
    assert!(o.stdout.contains("warning[fixup-cargo-env-missing]: local-stamp 0.2.0"), "{}", o.stdout);
}

/// A registry crate whose unpacked sources Cargo has cleaned away but whose `.crate` archive is
/// still in `registry/cache`: the archive is unpacked (once, under the temporary directory) and
/// judged like any other source.
#[test]
fn crate_archives_in_the_registry_cache_are_read() {
    let d = tempfile::tempdir().unwrap();
    let home = d.path().join("cargo-home");
    let cache = home.join("registry/cache/index.crates.io-1949cf8c6b5b557f");
    std::fs::create_dir_all(&cache).unwrap();
    // the archive of path-baker 0.2.0, built from the tests' unpacked copy
    let src = repo().join("testdata/cargo-home/registry/src/index.crates.io-1949cf8c6b5b557f/path-baker-0.2.0");
    let file = std::fs::File::create(cache.join("path-baker-0.2.0.crate")).unwrap();
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(file, flate2::Compression::default()));
    tar.append_dir_all("path-baker-0.2.0", &src).unwrap();
    tar.into_inner().unwrap().finish().unwrap();
    let tree = d.path().join("tree");
    copy_tree(&repo().join("testdata/precision-source-embedding"), &tree);
    let tmp = d.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let run = || {
        let o = std::process::Command::new(bin())
            .args(["check", ".", "--isolated", "--format", "concise", "--select", "pipelined-nondeterministic-crate"])
            .current_dir(&tree)
            .env("BUCK_LINT_NO_CACHE", "1")
            .env("CARGO_HOME", &home)
            .env("TMPDIR", &tmp)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let out = run();
    assert!(out.contains("error[pipelined-nondeterministic-crate]: path-baker 0.2.0"), "{out}");
    assert!(out.contains("read from its sources"), "{out}");
    let unpacked = std::fs::read_dir(&tmp).unwrap().flatten().next().unwrap().path();
    assert!(unpacked.join("path-baker-0.2.0/.buck-lint-ok").is_file());
    // a second run uses the unpacked copy
    assert_eq!(run(), out);
    // without the archive (and no unpacked copy), nothing is known: silent
    std::fs::remove_dir_all(&tmp).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::remove_file(cache.join("path-baker-0.2.0.crate")).unwrap();
    assert_eq!(run(), "");
}
