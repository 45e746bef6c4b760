use super::*;
use ImageProblemKind as K;

const HEX: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn check(v: &str) -> (Option<ParsedImage>, Vec<ImageProblem>) {
    check_image(v, &ImageCheckOptions::default())
}

fn kinds(v: &str) -> Vec<ImageProblemKind> {
    check(v).1.into_iter().map(|p| p.kind).collect()
}

fn only(v: &str, kind: ImageProblemKind) -> ImageProblem {
    let (_, p) = check(v);
    assert_eq!(p.len(), 1, "{v}: {p:#?}");
    assert_eq!(p[0].kind, kind, "{v}: {p:#?}");
    p[0].clone()
}

fn span_text<'a>(v: &'a str, p: &ImageProblem) -> &'a str {
    &v[p.span.clone()]
}

fn assert_style(p: &ImageProblem) {
    assert!(!p.message.ends_with('.'), "{}", p.message);
    assert!(p.message.contains('`'), "{}", p.message);
    assert_eq!(p.severity, p.kind.severity());
}

// --- buck2-facts.md §5 table ---

#[test]
fn table_docker_hub_pinned() {
    let v = format!("docker://ubuntu@sha256:{HEX}");
    let (img, p) = check(&v);
    assert!(p.is_empty(), "{p:#?}");
    let img = img.unwrap();
    assert_eq!(img.scheme.as_deref(), Some("docker"));
    assert_eq!(img.registry, "docker.io");
    assert_eq!(img.repository, "library/ubuntu");
    assert_eq!(img.tag, None);
    assert_eq!(img.digest, Some(format!("sha256:{HEX}")));
}

#[test]
fn table_gcr_latest_unpinned() {
    let v = "docker://gcr.io/acme/rbe:latest";
    let (img, _) = check(v);
    let img = img.unwrap();
    assert_eq!((img.registry.as_str(), img.repository.as_str()), ("gcr.io", "acme/rbe"));
    assert_eq!(img.tag.as_deref(), Some("latest"));
    assert_eq!(img.digest, None);
    let p = only(v, K::Unpinned);
    assert_eq!(p.severity, ImageSeverity::Warning);
    assert_eq!(span_text(v, &p), "latest");
    assert_style(&p);
}

#[test]
fn table_registry_with_port_pinned() {
    for v in [
        format!("docker://registry.example:5000/team/img@sha256:{HEX}"),
        format!("registry.example:5000/team/img@sha256:{HEX}"),
    ] {
        let (img, p) = check(&v);
        let img = img.unwrap();
        assert_eq!(img.registry, "registry.example:5000");
        assert_eq!(img.repository, "team/img");
        assert_eq!(img.tag, None);
        assert!(img.digest.is_some());
        // Only the missing scheme on the scheme-less variant.
        assert!(p.iter().all(|p| p.kind == K::MissingScheme), "{p:#?}");
    }
    let v = format!("registry.example:5000/team/img@sha256:{HEX}");
    assert_eq!(kinds(&v), vec![K::MissingScheme]);
    assert!(check_image(&v, &ImageCheckOptions { bare_image_names: true }).1.is_empty());
}

#[test]
fn table_seed_registry_read_as_repository() {
    let v = format!("docker://registry.com:image_name@sha256:{}", "a".repeat(64));
    let (img, p) = check(&v);
    assert_eq!(p.len(), 2, "{p:#?}");
    assert_eq!(p[0].kind, K::RegistryReadAsRepository);
    assert_eq!(p[0].severity, ImageSeverity::Warning);
    assert_eq!(span_text(&v, &p[0]), "registry.com:image_name");
    assert_eq!(p[0].span, 9..32);
    assert_eq!(
        p[0].message,
        "`registry.com:image_name@…` has no `/`, so Docker reads it as Docker Hub repository `library/registry.com` with tag `image_name`, not as registry `registry.com` and image `image_name`"
    );
    assert!(p[0].help.as_deref().unwrap().starts_with("write `registry.com/image_name@sha256:…`"));
    assert!(p[0].help.as_deref().unwrap().contains("real registry host"));
    assert_eq!(p[1].kind, K::PlaceholderDigest);
    assert_eq!(span_text(&v, &p[1]), "a".repeat(64));
    assert_eq!(p[1].span, 40..104);
    for q in &p {
        assert_style(q);
    }
    let img = img.unwrap();
    assert_eq!(img.registry, "docker.io");
    assert_eq!(img.repository, "library/registry.com");
    assert_eq!(img.tag.as_deref(), Some("image_name"));
}

#[test]
fn table_upper_case_repository() {
    for (v, start) in [("docker://Ubuntu:22.04", 9), ("Ubuntu:22.04", 0)] {
        let (img, p) = check(v);
        assert!(img.is_none());
        let e: Vec<_> = p.iter().filter(|p| p.severity == ImageSeverity::Error).collect();
        assert_eq!(e.len(), 1, "{p:#?}");
        assert_eq!(e[0].kind, K::InvalidReference);
        assert_eq!(e[0].span, start..start + 6);
        assert_eq!(span_text(v, e[0]), "Ubuntu");
        assert!(e[0].message.contains("`Ubuntu`"));
        assert_eq!(e[0].help.as_deref(), Some("repository names are lower case: write `ubuntu`"));
        assert_style(e[0]);
    }
    assert_eq!(kinds("Ubuntu:22.04"), vec![K::MissingScheme, K::InvalidReference]);
    assert_eq!(add_scheme_fix("Ubuntu:22.04"), None);
}

#[test]
fn table_worker_label() {
    let v = "worker-label";
    let (img, p) = check(v);
    assert!(img.is_some());
    assert_eq!(p[0].kind, K::MissingScheme);
    assert_eq!(p[0].severity, ImageSeverity::Warning);
    assert_eq!(p[0].span, 0..12);
    assert_style(&p[0]);
    assert!(p.iter().all(|p| p.severity == ImageSeverity::Warning));
    let (img, p) = check_image(v, &ImageCheckOptions { bare_image_names: true });
    assert!(img.is_none());
    assert!(p.is_empty(), "{p:#?}");
    assert_eq!(add_scheme_fix(v).as_deref(), Some("docker://worker-label"));
}

// --- silent ---

#[test]
fn pinned_references_are_silent() {
    for v in [
        format!("docker://ghcr.io/acme/ci@sha256:{HEX}"),
        format!("docker://ghcr.io/acme/ci:22.04@sha256:{HEX}"),
        format!("docker://localhost:5000/ci@sha256:{HEX}"),
        format!("docker://localhost/ci@sha256:{HEX}"),
        format!("docker://[::1]:5000/ci@sha256:{HEX}"),
        format!("docker://foo_bar.com/ci@sha256:{HEX}"),
        format!("docker://docker:24-dind@sha256:{HEX}"),
        format!("docker://a__b/c--d/e.f@sha256:{HEX}"),
        format!("docker://ghcr.io/acme/ci@sha512:{HEX}{HEX}"),
    ] {
        let (img, p) = check(&v);
        assert!(p.is_empty(), "{v}: {p:#?}");
        assert!(img.is_some(), "{v}");
    }
    let (img, _) = check(&format!("docker://ghcr.io/acme/ci:22.04@sha256:{HEX}"));
    let img = img.unwrap();
    assert_eq!(img.tag.as_deref(), Some("22.04"));
    assert_eq!(img.repository, "acme/ci");
    let (img, _) = check(&format!("docker://[::1]:5000/ci@sha256:{HEX}"));
    assert_eq!(img.unwrap().registry, "[::1]:5000");
    let (img, _) = check(&format!("docker://index.docker.io/ubuntu@sha256:{HEX}"));
    let img = img.unwrap();
    assert_eq!((img.registry.as_str(), img.repository.as_str()), ("docker.io", "library/ubuntu"));
}

#[test]
fn upper_case_first_component_is_a_registry() {
    let (img, p) = check(&format!("docker://Registry/ci@sha256:{HEX}"));
    assert!(p.is_empty(), "{p:#?}");
    let img = img.unwrap();
    assert_eq!((img.registry.as_str(), img.repository.as_str()), ("Registry", "ci"));
}

// --- R09 ---

#[test]
fn unpinned_variants() {
    let v = "docker://debian:bookworm";
    let p = only(v, K::Unpinned);
    assert_eq!(span_text(v, &p), "bookworm");
    let v = "docker://ubuntu";
    let p = only(v, K::Unpinned);
    assert_eq!(span_text(v, &p), "ubuntu");
    assert!(p.message.contains("`latest`"));
    assert_eq!(p.help.as_deref(), Some("pin it as `ubuntu@sha256:<digest>`"));
    let (img, _) = check(v);
    let img = img.unwrap();
    assert_eq!(img.tag, None);
    assert_eq!(img.repository, "library/ubuntu");
    // Digest with tag: pinned.
    assert!(check(&format!("docker://debian:bookworm@sha256:{HEX}")).1.is_empty());
}

// --- every kind, exact spans ---

#[test]
fn empty() {
    let p = only("", K::Empty);
    assert_eq!(p.span, 0..0);
    assert_eq!(p.severity, ImageSeverity::Warning);
    assert_style(&p);
    let p = only("   ", K::Empty);
    assert_eq!(p.span, 0..3);
    let p = only("", K::Empty);
    assert!(check_image("", &ImageCheckOptions { bare_image_names: true }).1[0].kind == p.kind);
}

#[test]
fn missing_scheme_and_fix() {
    let v = format!("ghcr.io/acme/ci@sha256:{HEX}");
    let p = only(&v, K::MissingScheme);
    assert_eq!(p.span, 0..v.len());
    assert_eq!(
        p.help,
        Some(format!(
            "write `docker://ghcr.io/acme/ci@sha256:{}…`, or set `[re] bare-image-names = true` if it is a worker label",
            &HEX[..37]
        ))
    );
    assert_style(&p);
    assert_eq!(add_scheme_fix(&v), Some(format!("docker://{v}")));
    assert_eq!(add_scheme_fix(&format!("docker://{v}")), None);
    assert_eq!(add_scheme_fix(""), None);
    assert_eq!(add_scheme_fix(" ubuntu"), None);
    assert_eq!(add_scheme_fix("oci://ubuntu"), None);
    assert_eq!(add_scheme_fix("ubuntu@sha256:abc"), None);
    // Warnings in the rest do not block the fix.
    assert_eq!(add_scheme_fix("debian:bookworm").as_deref(), Some("docker://debian:bookworm"));
}

#[test]
fn other_schemes() {
    let v = "oci://ghcr.io/acme/ci:1";
    let p = only(v, K::InvalidReference);
    assert_eq!(span_text(v, &p), "oci://");
    assert_style(&p);
    let v = "DOCKER://ubuntu";
    let p = only(v, K::InvalidReference);
    assert_eq!(span_text(v, &p), "DOCKER://");
    assert_eq!(p.help.as_deref(), Some("write `docker://`"));
    let v = "docker:/ubuntu";
    let p = only(v, K::InvalidReference);
    assert_eq!(span_text(v, &p), "docker:/");
    // Other schemes are errors even with bare names allowed.
    let (_, p) = check_image("https://ghcr.io/x", &ImageCheckOptions { bare_image_names: true });
    assert_eq!(p[0].kind, K::InvalidReference);
    let v = "docker://";
    let p = only(v, K::InvalidReference);
    assert_eq!(p.span, 0..9);
    assert_style(&p);
}

#[test]
fn invalid_reference_spans() {
    let cases: &[(&str, &str)] = &[
        ("docker://gcr.io/Acme/rbe:1", "Acme"),
        ("docker://gcr.io/acme/r$be:1", "r$be"),
        ("docker://gcr.io/acme/rbe-:1", "rbe-"),
        ("docker://gcr.io/acme/r._be:1", "r._be"),
        ("docker://gcr.io/acme/rbe:-1", "-1"),
        ("docker://gcr.io/acme/rbe:1+2", "1+2"),
        ("docker://gcr.io/acme/rbe:é", "é"),
        ("docker://gcr.io/acme//rbe:1", "/"),
        ("docker://gcr.io/acme/rbe:", ":"),
        ("docker://gcr.io/acme/rbe:a:b", "a:b"),
        ("docker://foo_bar.com:5000/rbe:1", "foo_bar.com:5000"),
        ("docker://host:port/rbe:1", "host:port"),
        ("docker://ubuntu :22.04", " "),
        ("docker://ubu\u{0}ntu", "ubu\u{0}ntu"),
    ];
    for (v, part) in cases {
        let (img, p) = check(v);
        assert!(img.is_none(), "{v}");
        let e: Vec<_> = p.iter().filter(|p| p.kind == K::InvalidReference).collect();
        assert_eq!(e.len(), 1, "{v}: {p:#?}");
        assert_eq!(span_text(v, e[0]), *part, "{v}: {p:#?}");
        assert_eq!(e[0].severity, ImageSeverity::Error);
        assert_style(e[0]);
        assert!(!e[0].message.contains('\0'));
    }
    let long_tag = format!("docker://ubuntu:{}", "a".repeat(129));
    let p = only(&long_tag, K::InvalidReference);
    assert_eq!(p.span, 16..145);
    let v = ":latest";
    let (_, p) = check(&format!("docker://{v}"));
    assert_eq!(p[0].kind, K::InvalidReference);
    assert_eq!(p[0].span, 9..16);
    let long_name = format!("docker://{}", "a".repeat(250));
    let p = only(&long_name, K::InvalidReference);
    assert_eq!(p.span, 9..259);
}

#[test]
fn surrounding_whitespace() {
    let v = format!(" docker://ghcr.io/acme/ci@sha256:{HEX}\n");
    let (img, p) = check(&v);
    assert!(img.is_none());
    assert_eq!(p.len(), 2, "{p:#?}");
    assert_eq!(p[0].span, 0..1);
    assert_eq!(p[1].span, v.len() - 1..v.len());
    assert!(p.iter().all(|p| p.kind == K::InvalidReference));
}

#[test]
fn bad_digest_spans() {
    let short = "docker://ubuntu@sha256:abc";
    let p = only(short, K::BadDigest);
    assert_eq!(span_text(short, &p), "abc");
    assert_eq!(p.severity, ImageSeverity::Error);
    assert_eq!(p.message, "digest `sha256:abc` has 3 hex characters, not 64");
    assert_style(&p);

    let upper = format!("docker://ubuntu@sha256:{}", HEX.to_ascii_uppercase());
    let p = only(&upper, K::BadDigest);
    assert_eq!(p.span, 23..87);
    assert!(p.message.contains("upper-case"));

    let nonhex = format!("docker://ubuntu@sha256:{}", "g".repeat(64));
    let p = only(&nonhex, K::BadDigest);
    assert_eq!(p.span, 23..87);

    let v = "docker://ubuntu@sha256:";
    assert_eq!(span_text(v, &only(v, K::BadDigest)), "sha256:");
    let v = "docker://ubuntu@";
    assert_eq!(span_text(v, &only(v, K::BadDigest)), "@");
    let v = format!("docker://ubuntu@md5:{HEX}");
    assert_eq!(span_text(&v, &only(&v, K::BadDigest)), "md5");
    let v = format!("docker://ubuntu@{HEX}");
    assert_eq!(span_text(&v, &only(&v, K::BadDigest)), HEX);
    let v = format!("docker://ubuntu@sha256:{HEX}0");
    assert_eq!(only(&v, K::BadDigest).span, 23..88);
}

#[test]
fn placeholder_digests() {
    for hex in ["0".repeat(64), "f".repeat(64), "deadbeef".repeat(8), "0123456789abcdef".repeat(4)] {
        let v = format!("docker://ghcr.io/acme/ci@sha256:{hex}");
        let p = only(&v, K::PlaceholderDigest);
        assert_eq!(span_text(&v, &p), hex);
        assert_eq!(p.severity, ImageSeverity::Warning);
        assert_style(&p);
    }
    let v = "docker://ghcr.io/acme/ci@sha256:<digest>";
    let p = only(v, K::PlaceholderDigest);
    assert_eq!(span_text(v, &p), "<digest>");
}

#[test]
fn placeholder_names() {
    let cases: &[(&str, &str)] = &[
        ("docker://registry.com/acme/ci@sha256:", "registry.com"),
        ("docker://example.com/acme/ci@sha256:", "example.com"),
        ("docker://registry.example.com:5000/acme/ci@sha256:", "registry.example.com"),
        ("docker://ghcr.io/changeme/ci@sha256:", "changeme"),
        ("docker://ghcr.io/acme/image@sha256:", "image"),
        ("docker://ghcr.io/your-org/ci@sha256:", "your-org"),
        ("docker://ghcr.io/acme/YOUR@sha256:", "YOUR"),
        ("docker://ghcr.io/acme/IMAGE@sha256:", "IMAGE"),
        ("docker://<your-image>@sha256:", "<your-image>"),
        ("docker://ghcr.io/${IMAGE}@sha256:", "${IMAGE}"),
    ];
    for (v, part) in cases {
        let v = format!("{v}{HEX}");
        let p = only(&v, K::PlaceholderName);
        assert_eq!(span_text(&v, &p), *part, "{v}");
        assert_eq!(p.severity, ImageSeverity::Warning);
        assert_style(&p);
    }
    // Valid names with placeholder-like words are fine.
    assert!(check(&format!("docker://ghcr.io/acme/image-builder@sha256:{HEX}")).1.is_empty());
    assert!(check(&format!("docker://registry.example/acme/ci@sha256:{HEX}")).1.is_empty());
    // Bare labels: placeholders only.
    let (_, p) = check_image("YOUR_WORKER", &ImageCheckOptions { bare_image_names: true });
    assert_eq!(p[0].kind, K::PlaceholderName);
    assert_eq!(p[0].span, 0..11);
    let (_, p) = check_image("Linux-Large", &ImageCheckOptions { bare_image_names: true });
    assert!(p.is_empty());
    let (_, p) = check_image("<label>", &ImageCheckOptions { bare_image_names: true });
    assert_eq!(p[0].kind, K::PlaceholderName);
    assert_eq!(p[0].span, 0..7);
    let (_, p) = check_image("Linux Large", &ImageCheckOptions { bare_image_names: true });
    assert!(p.is_empty());
}

#[test]
fn registry_read_as_repository_variants() {
    let v = format!("docker://ghcr.io:acme@sha256:{HEX}");
    let p = only(&v, K::RegistryReadAsRepository);
    assert_eq!(span_text(&v, &p), "ghcr.io:acme");
    assert_eq!(p.help.as_deref(), Some("write `ghcr.io/acme@sha256:…`"));
    // Not host-looking, or has a `/`, or no digest.
    assert!(check(&format!("docker://python3.11:slim@sha256:{HEX}")).1.is_empty());
    assert!(check(&format!("docker://ghcr.io/acme:1@sha256:{HEX}")).1.is_empty());
    assert_eq!(kinds("docker://ghcr.io:acme"), vec![K::Unpinned]);
}

// --- registry_allowed ---

fn img(registry: &str, repository: &str) -> ParsedImage {
    ParsedImage {
        scheme: Some("docker".into()),
        registry: registry.into(),
        repository: repository.into(),
        tag: None,
        digest: None,
    }
}

#[test]
fn registry_allowed_cases() {
    let allow =
        |pats: &[&str], i: &ParsedImage| registry_allowed(i, &pats.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let acme = ["ghcr.io/acme/*"];
    assert!(allow(&acme, &img("ghcr.io", "acme/ci")));
    assert!(allow(&acme, &img("ghcr.io", "acme/tools/ci")));
    assert!(allow(&acme, &img("GHCR.io", "acme/ci")));
    assert!(!allow(&acme, &img("ghcr.io", "acme")));
    assert!(!allow(&acme, &img("ghcr.io", "acmex/ci")));
    assert!(!allow(&acme, &img("ghcr.io", "other/ci")));
    assert!(!allow(&acme, &img("ghcr.io.evil.com", "acme/ci")));
    assert!(!allow(&acme, &img("docker.io", "library/ubuntu")));
    assert!(allow(&["docker://ghcr.io/acme/*"], &img("ghcr.io", "acme/ci")));
    // Middle `*` stays within one component.
    assert!(allow(&["gcr.io/*/rbe"], &img("gcr.io", "acme/rbe")));
    assert!(!allow(&["gcr.io/*/rbe"], &img("gcr.io", "acme/x/rbe")));
    assert!(allow(&["gcr.io/**/rbe"], &img("gcr.io", "acme/x/rbe")));
    // Registry-only patterns.
    assert!(allow(&["*.gcr.io"], &img("us.gcr.io", "acme/rbe")));
    assert!(allow(&["ghcr.io"], &img("ghcr.io", "anything/at/all")));
    assert!(!allow(&["ghcr.io"], &img("gcr.io", "acme")));
    // Exact, ports, Docker Hub.
    assert!(allow(&["registry.example:5000/team/img"], &img("registry.example:5000", "team/img")));
    assert!(allow(&["docker.io/library/*"], &img("docker.io", "library/ubuntu")));
    assert!(!allow(&[], &img("ghcr.io", "acme/ci")));
    assert!(!allow(&["", "  "], &img("ghcr.io", "acme/ci")));
    // Invalid glob: literal comparison, no panic.
    assert!(allow(&["ghcr.io/[acme"], &img("ghcr.io", "[acme")));
    assert!(!allow(&["ghcr.io/[acme"], &img("ghcr.io", "acme")));
    // Through check_image.
    let (i, _) = check(&format!("docker://ghcr.io/acme/ci@sha256:{HEX}"));
    assert!(allow(&acme, &i.unwrap()));
}

// --- robustness ---

#[test]
fn no_panic_on_garbage() {
    let mut inputs: Vec<String> = vec![
        "\0".into(),
        "docker://\0".into(),
        "docker://@".into(),
        "docker://:".into(),
        "docker:///".into(),
        "docker:////".into(),
        "docker://a@b@c".into(),
        "docker://[".into(),
        "docker://[::1]".into(),
        "docker://[::1]/".into(),
        "docker://]/x".into(),
        "docker://<".into(),
        "docker://<>".into(),
        "docker://${".into(),
        "://".into(),
        ":// ".into(),
        "docker://日本/語:タグ@sha256:ü".into(),
        "🐳".into(),
        "docker://🐳/🐳:🐳@🐳:🐳".into(),
        "\u{feff}docker://ubuntu".into(),
        "docker://ubuntu\u{a0}".into(),
        "a".repeat(100_000),
        format!("docker://{}", "a/".repeat(50_000)),
        format!("docker://{}:{}@sha256:{}", "x.".repeat(1000), "é".repeat(1000), "a".repeat(10_000)),
        "docker://".repeat(1000),
        "<".repeat(1000) + &">".repeat(1000),
        "x".to_string() + &"\u{0}".repeat(100),
    ];
    for b in 0u8..128 {
        inputs.push(format!("docker://ghcr.io/a{}b/ci:t{}g@sha256:{HEX}", b as char, b as char));
    }
    for v in &inputs {
        for bare in [false, true] {
            let (_, p) = check_image(v, &ImageCheckOptions { bare_image_names: bare });
            for q in &p {
                assert!(q.span.start <= q.span.end && q.span.end <= v.len(), "{q:?}");
                assert!(v.is_char_boundary(q.span.start) && v.is_char_boundary(q.span.end));
                assert!(q.message.chars().count() < 600, "{}", q.message);
                assert!(!q.message.ends_with('.'));
            }
        }
        let _ = add_scheme_fix(v);
    }
}

#[test]
fn problems_sorted_and_valid_iff_no_errors() {
    for v in [
        "docker://Ubuntu:22.04".to_string(),
        format!("docker://registry.com:image_name@sha256:{}", "a".repeat(64)),
        "docker://ubuntu".to_string(),
        "ubuntu".to_string(),
        format!("docker://gcr.io/Acme/x:é@sha256:{}", "A".repeat(64)),
    ] {
        let (img, p) = check(&v);
        assert!(p.windows(2).all(|w| w[0].span.start <= w[1].span.start));
        assert_eq!(img.is_some(), p.iter().all(|p| p.severity == ImageSeverity::Warning), "{v}: {p:#?}");
    }
    assert_eq!(
        kinds(&format!("docker://gcr.io/Acme/x:é@sha256:{}", "A".repeat(64))),
        vec![K::InvalidReference, K::InvalidReference, K::BadDigest]
    );
}

// --- the grammar check (`container_image_dist_ref`) against Docker ---

/// `distribution/reference`'s `ParseNormalizedNamed` (what `docker pull` parses), run on each
/// reference: `Some((domain, path))` when Docker accepts it. `{HEX}` is [`HEX`], `{HEX32}` its
/// first 32 characters.
const DOCKER_VERDICTS: &[(&str, Option<(&str, &str)>)] = &[
    ("ubuntu", Some(("docker.io", "library/ubuntu"))),
    ("ubuntu:22.04", Some(("docker.io", "library/ubuntu"))),
    ("library/ubuntu", Some(("docker.io", "library/ubuntu"))),
    ("docker.io/ubuntu", Some(("docker.io", "library/ubuntu"))),
    ("docker.io/library/ubuntu:22.04", Some(("docker.io", "library/ubuntu"))),
    ("index.docker.io/ubuntu", Some(("docker.io", "library/ubuntu"))),
    ("index.docker.io/acme/ci", Some(("docker.io", "acme/ci"))),
    ("acme/ci", Some(("docker.io", "acme/ci"))),
    ("acme/tools/ci:1", Some(("docker.io", "acme/tools/ci"))),
    ("ghcr.io/acme/ci", Some(("ghcr.io", "acme/ci"))),
    ("ghcr.io/acme/ci:v1.2.3", Some(("ghcr.io", "acme/ci"))),
    ("localhost/ci", Some(("localhost", "ci"))),
    ("localhost:5000/ci:1", Some(("localhost:5000", "ci"))),
    ("localhost", Some(("docker.io", "library/localhost"))),
    ("registry.example:5000/team/img", Some(("registry.example:5000", "team/img"))),
    ("127.0.0.1:5000/a", Some(("127.0.0.1:5000", "a"))),
    ("1.2.3.4/x", Some(("1.2.3.4", "x"))),
    ("[::1]:5000/ci", Some(("[::1]:5000", "ci"))),
    ("[2001:db8::1]/a/b", Some(("[2001:db8::1]", "a/b"))),
    ("[1:2]/x", Some(("[1:2]", "x"))),
    ("[1::2::3]/x", Some(("[1::2::3]", "x"))),
    ("[::1]", None),
    ("Registry/ci", Some(("Registry", "ci"))),
    ("REG.io/a", Some(("REG.io", "a"))),
    ("Foo/bar:Tag", Some(("Foo", "bar"))),
    ("a__b/c--d/e.f", Some(("docker.io", "a__b/c--d/e.f"))),
    ("a___b/c", None),
    ("a_.b/c", None),
    ("a--b", Some(("docker.io", "library/a--b"))),
    ("-a/b", None),
    ("a-/b", None),
    ("a/b/", None),
    ("a//b", None),
    ("docker:24-dind", Some(("docker.io", "library/docker"))),
    ("python3.11:slim", Some(("docker.io", "library/python3.11"))),
    ("ghcr.io:acme", Some(("docker.io", "library/ghcr.io"))),
    ("ghcr.io:5000", Some(("docker.io", "library/ghcr.io"))),
    ("host:port/x", None),
    ("h:1/p", Some(("h:1", "p"))),
    ("xn--n3h.com/myimage:xn--n3h.com", Some(("xn--n3h.com", "myimage"))),
    ("b.gcr.io/test.example.com/my-app:test.example.com", Some(("b.gcr.io", "test.example.com/my-app"))),
    ("sub-dom1.foo.com/bar/baz/quux:some-long-tag", Some(("sub-dom1.foo.com", "bar/baz/quux"))),
    ("foo_bar.com:8080", Some(("docker.io", "library/foo_bar.com"))),
    ("foo/foo_bar.com:8080", Some(("docker.io", "foo/foo_bar.com"))),
    ("-host.com/x", None),
    ("host-.com/x", None),
    ("ho_st.io:5000/x", None),
    ("Ubuntu", None),
    ("ubuntu:", None),
    ("ubuntu:-1", None),
    ("ubuntu:.1", None),
    ("ubuntu:_1", Some(("docker.io", "library/ubuntu"))),
    ("ubuntu:a:b", None),
    ("ubuntu:1+2", None),
    ("ubuntu@", None),
    ("ubuntu@sha256:", None),
    (":latest", None),
    ("@sha256:abc", None),
    ("a:b/c", None),
    ("ubuntu@sha256:{HEX}", Some(("docker.io", "library/ubuntu"))),
    ("ubuntu@sha512:{HEX}{HEX}", Some(("docker.io", "library/ubuntu"))),
    ("ubuntu@sha384:{HEX}{HEX32}", Some(("docker.io", "library/ubuntu"))),
    ("ubuntu@sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", None),
    ("ubuntu@sha256:{HEX32}27ae41e4649b934ca495991b7852b85", None),
    ("ubuntu@sha256:{HEX}0", None),
    ("ubuntu@md5:{HEX}", None),
    ("ubuntu@sha256+b64:{HEX}", None),
    ("ubuntu@sha384:{HEX}", None),
    ("ubuntu@{HEX}", None),
    ("ghcr.io/acme/ci:1@sha256:{HEX}", Some(("ghcr.io", "acme/ci"))),
];

#[test]
fn agrees_with_docker() {
    for (r, docker) in DOCKER_VERDICTS {
        let r = r.replace("{HEX}", HEX).replace("{HEX32}", &HEX[..32]);
        let (img, p) = check(&format!("docker://{r}"));
        let mine = img.as_ref().map(|i| (i.registry.as_str(), i.repository.as_str()));
        assert_eq!(mine, *docker, "{r}: {p:#?}");
    }
}

/// Docker counts only the repository (with `library/` on Docker Hub) against its 255
/// characters; the crate counts the registry host too, and a first component that is not a
/// host name (`foo_bar.com`) is part of the repository for both.
#[test]
fn repository_length_counts_as_docker_does() {
    let a = |n: usize| "a".repeat(n);
    for v in [
        format!("docker://ghcr.io/{}@sha256:{HEX}", a(255)),
        format!("docker://ghcr.io/{}:t@sha256:{HEX}", a(250)),
        format!("docker://registry.example:5000/acme/{}:{}@sha256:{HEX}", a(250), "t".repeat(128)),
        format!("docker://Registry/{}@sha256:{HEX}", a(250)),
        format!("docker://[::1]:5000/{}@sha256:{HEX}", a(255)),
    ] {
        let (img, p) = check(&v);
        assert!(p.is_empty(), "{v}: {p:#?}");
        assert!(img.unwrap().repository.len() >= 250);
    }
    let (img, _) = check(&format!("docker://Registry/{}@sha256:{HEX}", a(250)));
    assert_eq!(img.unwrap().registry, "Registry");

    let v = format!("docker://foo_bar.com/{}@sha256:{HEX}", a(245));
    let p = only(&v, K::InvalidReference);
    assert_eq!(p.span, 9..v.len());
    assert!(p.message.ends_with("is invalid (repository name must not be more than 255 characters)"), "{}", p.message);
    assert!(check(&format!("docker://foo_bar.com/{}@sha256:{HEX}", a(243))).1.is_empty());

    for v in [format!("docker://ghcr.io/{}", a(256)), format!("docker://{}", a(248))] {
        let p = only(&v, K::InvalidReference);
        assert!(p.message.ends_with("is longer than 255 characters"), "{}", p.message);
    }
}

/// Hosts Docker parses and the crate does not: any hex and colons in brackets, and names of
/// more than 255 characters.
#[test]
fn hosts_beyond_the_crate() {
    let long = format!("{}.io", "x".repeat(260));
    for host in ["[1:2]", "[1::2::3]", "[1:2:3:4:5:6:7:8:9]:5000", "[00000::1]", long.as_str()] {
        let v = format!("docker://{host}/{}@sha256:{HEX}", "a".repeat(200));
        let (img, p) = check(&v);
        assert!(p.is_empty(), "{host}: {p:#?}");
        let img = img.unwrap();
        assert_eq!((img.registry.as_str(), img.repository.len()), (host, 200));
    }
}

/// What the crate lets through and Docker does not is caught by the lexical pass.
#[test]
fn crate_leniency_is_caught() {
    // A 129-character tag after a `/`, which the crate lets through.
    let v = format!("docker://ghcr.io/acme/ci:{}@sha256:{HEX}", "t".repeat(129));
    assert_eq!(span_text(&v, &only(&v, K::InvalidReference)), "t".repeat(129));
    // Digests outside `sha256`/`sha384`/`sha512` with lower-case hex of the right length.
    for d in [
        format!("blake3:{HEX}"),
        format!("sha384:{HEX}"),
        format!("sha384:{HEX}{}", &HEX[..31]).replace('e', "-"),
        format!("sha256+b64:{HEX}"),
        format!("Sha256:{HEX}"),
        format!("1sha:{HEX}"),
    ] {
        let v = format!("docker://ghcr.io/acme/ci@{d}");
        only(&v, K::BadDigest);
    }
}

/// Docker's `splitDockerDomain` on a valid name, independent of `Split`.
fn docker_split(name: &str) -> (String, String) {
    let (domain, remote) = match name.split_once('/') {
        None => ("docker.io", name),
        Some((d, r)) if d == "localhost" || d.contains(['.', ':']) || d.to_lowercase() != d => (d, r),
        Some(_) => ("docker.io", name),
    };
    let domain = if domain == "index.docker.io" { "docker.io" } else { domain };
    let remote =
        if domain == "docker.io" && !remote.contains('/') { format!("library/{remote}") } else { remote.to_string() };
    (domain.to_string(), remote)
}

/// `go-digest`'s rule: a known algorithm with lower-case hex of its length.
fn docker_digest_ok(d: &str) -> bool {
    let want = |alg| match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => 0,
    };
    d.split_once(':').is_some_and(|(alg, hex)| {
        hex.len() == want(alg) && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

const PROPERTY_SEEDS: &[&str] = &[
    "ubuntu",
    "ubuntu:22.04",
    "docker.io/library/ubuntu:22.04",
    "index.docker.io/ubuntu",
    "ghcr.io/acme/ci:v1.2.3",
    "localhost:5000/ci",
    "registry.example:5000/team/img",
    "Registry/ci",
    "foo_bar.com/ci",
    "a__b/c--d/e.f",
    "docker:24-dind",
    "ghcr.io:acme",
    "127.0.0.1/a-b_c",
    "xn--n3h.com/x:xn--n3h.com",
];
const PROPERTY_DIGESTS: &[&str] = &[
    "",
    "@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "@sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
];
const PROPERTY_ALPHABET: &[char] = &['a', 'z', 'A', '0', '9', '.', '_', '-', ':', '/', '@', 'f', 'E'];

fn reference_like() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let random = proptest::collection::vec(proptest::sample::select(PROPERTY_ALPHABET), 1..24)
        .prop_map(|cs| cs.into_iter().collect::<String>());
    let edit = (any::<proptest::sample::Index>(), 0..4u8, proptest::sample::select(PROPERTY_ALPHABET));
    let mutated = (
        proptest::sample::select(PROPERTY_SEEDS),
        proptest::sample::select(PROPERTY_DIGESTS),
        proptest::collection::vec(edit, 0..4),
    )
        .prop_map(|(seed, digest, edits)| {
            let mut s: Vec<char> = format!("{seed}{digest}").chars().collect();
            for (at, op, c) in edits {
                let i = at.index(s.len() + 1);
                match op {
                    0 => s.insert(i, c),
                    1 if i < s.len() => s[i] = c,
                    2 if i < s.len() => drop(s.remove(i)),
                    _ if i < s.len() => s[i] = s[i].to_ascii_uppercase(),
                    _ => {}
                }
            }
            s.into_iter().collect::<String>()
        });
    prop_oneof![random, mutated]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, failure_persistence: None, ..Default::default() })]

    /// On references of ordinary length without `[IPv6]` hosts, `check_image` accepts exactly
    /// what the crate's grammar accepts with a tag of at most 128 characters (the crate lets
    /// 129 through after a `/`) and a digest Docker supports, and splits the name as Docker
    /// does.
    #[test]
    fn grammar_is_the_crates(r in reference_like()) {
        let (img, p) = check(&format!("docker://{r}"));
        if !r.contains('[') {
            let parsed = container_image_dist_ref::ImgRef::new(&r);
            let want = parsed.as_ref().ok().map(|i| {
                let (tag, digest) = (i.tag().map(str::to_string), i.digest().map(|d| d.to_str().to_string()));
                let suffix = tag.as_ref().map_or(0, |t| t.len() + 1) + digest.as_ref().map_or(0, |d| d.len() + 1);
                (docker_split(&r[..r.len() - suffix]), tag, digest)
            }).filter(|(_, t, d)| t.as_ref().is_none_or(|t| t.len() <= TAG_MAX) && d.as_deref().is_none_or(docker_digest_ok));
            let got = img.as_ref().map(|i| ((i.registry.clone(), i.repository.clone()), i.tag.clone(), i.digest.clone()));
            proptest::prop_assert_eq!(got, want, "{}: {:#?}", r, p);
        }
    }
}
