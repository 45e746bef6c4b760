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
