//! Checks for `container-image` platform property values (R08 `re-container-image-invalid`,
//! R09 `re-container-image-unpinned` and the opt-in `re-container-image-registry-not-allowed`).
//!
//! The grammar is the Docker/OCI distribution reference (`buck2-facts.md` §5). The
//! authoritative grammar check is `container_image_dist_ref`, a parser tested against
//! `distribution/reference` (no regex to compile at run time). Before it runs, a lexical pass
//! splits the value into scheme, registry, path components, tag and digest so that every
//! problem carries the byte span of the part at fault, and it adds the checks the crate's
//! grammar does not make, or makes differently from Docker:
//! - digests must use `sha256`, `sha384` or `sha512` with lower-case hex of that algorithm's
//!   length (the crate also takes other algorithms and OCI's wider alphabet), and a short
//!   digest is reported as a bad digest instead of an unparseable reference;
//! - the repository, as Docker normalizes it (`library/` for Docker Hub names), is at most 255
//!   characters; a registry host does not count (the crate counts it);
//! - `[IPv6]` registry hosts are checked here, not by the crate: Docker takes any hex digits
//!   and colons in brackets, the crate only a well-formed address. So are hosts of more than
//!   255 characters, which Docker takes and the crate does not.
//!
//! The registry and repository of a valid reference follow Docker's `splitDockerDomain`: a
//! first component with `.`, `:`, upper case letters or `localhost` is the registry host,
//! anything else is on Docker Hub (`docker.io`).
//!
//! Decisions:
//! - Scheme: only a literal `docker://` is accepted. Any other `xxx://` (including
//!   `DOCKER://`) is `InvalidReference` and nothing else is checked. `docker:/x` is a
//!   malformed scheme. `docker:24-dind` is the Docker Hub image `docker` and only lacks the
//!   scheme.
//! - Without a scheme and with `bare_image_names` off, the value is checked as an image that
//!   lacks its scheme: `MissingScheme` plus every other check, including `Unpinned`. With
//!   `bare_image_names` on, a scheme-less value is an opaque worker label: no parse, only
//!   `Empty`, surrounding whitespace and placeholder names are reported.
//! - `ParsedImage` is `Some` only when the reference after the scheme is valid and no problem
//!   has severity `Error` (so never for templates, placeholder-folded names or bare labels). Its
//!   `scheme` is `Some("docker")` or `None`; `tag` is the tag as written (no implied `latest`
//!   is filled in); `digest` is `algorithm:hex`.
//! - Folding (one report per component): a template placeholder (`<…>`, `${…}`) turns the
//!   whole value into a template: only the placeholders (and the scheme) are reported. A
//!   placeholder component (`YOUR`, `IMAGE`, …) replaces the grammar errors on that same
//!   component (then the value is invalid but reported as a warning). A
//!   `RegistryReadAsRepository` absorbs the placeholder name of its host (`registry.com`),
//!   whose help then says to replace the host.
//! - Placeholder digests: one repeated character, all zeros, or any hex made of a repeating
//!   pattern of at most 16 characters (`deadbeef…`, `0123456789abcdef…`).
//! - Leading or trailing whitespace is one `InvalidReference` each and the rest is still
//!   checked; whitespace inside the reference stops the check.

use std::ops::Range;

use crate::model::image_ref::{
    CompErr, NAME_MAX, ParsedImage, SCHEME, Split, TAG_MAX, check_component, host_of, is_scheme_name, parse_with_crate,
    valid_domain, valid_port,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageSeverity {
    Error,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageProblemKind {
    /// The value is empty or blank (warning).
    Empty,
    /// No `docker://` scheme (warning, unless `bare_image_names`).
    MissingScheme,
    /// The reference breaks the grammar, or has an unsupported scheme (error).
    InvalidReference,
    /// The digest is not `sha256:` + 64 lower-case hex (or another known algorithm's length) (error).
    BadDigest,
    /// The digest is a placeholder such as 64 × `a` (warning).
    PlaceholderDigest,
    /// A component is a placeholder such as `registry.com`, `YOUR`, `<image>` (warning).
    PlaceholderName,
    /// `host.tld:name@digest` with no `/`: Docker reads a Docker Hub repository plus a tag (warning).
    RegistryReadAsRepository,
    /// R09: a valid reference without digest: tag only, `:latest`, or no tag (warning).
    Unpinned,
}

impl ImageProblemKind {
    /// The fixed severity of each kind.
    #[must_use]
    pub fn severity(self) -> ImageSeverity {
        match self {
            ImageProblemKind::InvalidReference | ImageProblemKind::BadDigest => ImageSeverity::Error,
            _ => ImageSeverity::Warning,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageProblem {
    pub kind: ImageProblemKind,
    pub severity: ImageSeverity,
    pub message: String,
    pub help: Option<String>,
    /// Byte range within the checked string: the part at fault.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImageCheckOptions {
    /// `[re] bare-image-names`: allow scheme-less worker labels.
    pub bare_image_names: bool,
}

/// Check a `container-image` platform property value. Returns the parsed reference (if it
/// parses) and every problem found, ordered by span start.
#[must_use]
pub fn check_image(value: &str, opts: &ImageCheckOptions) -> (Option<ParsedImage>, Vec<ImageProblem>) {
    let mut c = Checker { out: Vec::new() };
    let mut parsed = c.run(value, opts);
    let mut out = c.out;
    if out.iter().any(|p| p.severity == ImageSeverity::Error) {
        parsed = None;
    }
    out.sort_by_key(|p| p.span.start);
    (parsed, out)
}

/// For the fix of R08: `Some("docker://" + value)` when the scheme is missing and the rest is
/// a valid reference.
#[must_use]
pub fn add_scheme_fix(value: &str) -> Option<String> {
    if value.is_empty() || value.contains("://") || value.trim() != value {
        return None;
    }
    let fixed = format!("{SCHEME}{value}");
    let (parsed, problems) = check_image(&fixed, &ImageCheckOptions::default());
    let valid = parsed.is_some() && problems.iter().all(|p| p.severity != ImageSeverity::Error);
    valid.then_some(fixed)
}

/// For `re-container-image-registry-not-allowed`: does `<registry>/<repository>` match any
/// allowed glob?
///
/// Matching is ASCII case-insensitive and `*` does not cross `/`, except that a trailing
/// `/*` means "anything below": `ghcr.io/acme/*` matches `ghcr.io/acme/ci` and
/// `ghcr.io/acme/tools/ci` (not `ghcr.io/acme` itself). `**` crosses `/` anywhere. A pattern
/// without `/` matches the registry alone (`*.gcr.io`, `ghcr.io`). A leading `docker://` in a
/// pattern is ignored. Docker Hub images match as `docker.io/library/ubuntu`. An invalid glob
/// matches only itself, literally. An empty list allows nothing.
#[must_use]
pub fn registry_allowed(img: &ParsedImage, allowed: &[String]) -> bool {
    let full = format!("{}/{}", img.registry, img.repository);
    allowed.iter().any(|raw| {
        let pat = raw.trim();
        let pat = pat.strip_prefix(SCHEME).unwrap_or(pat);
        if pat.is_empty() {
            return false;
        }
        let subject = if pat.contains('/') { full.as_str() } else { img.registry.as_str() };
        let glob_src = match pat.strip_suffix("/*") {
            Some(prefix) => format!("{prefix}/**"),
            None => pat.to_string(),
        };
        match globset::GlobBuilder::new(&glob_src)
            .literal_separator(true)
            .case_insensitive(true)
            .backslash_escape(true)
            .build()
        {
            Ok(glob) => glob.compile_matcher().is_match(subject),
            Err(_) => pat.eq_ignore_ascii_case(subject),
        }
    })
}

// ---------------------------------------------------------------------------------------------

struct Checker {
    out: Vec<ImageProblem>,
}

fn problem(kind: ImageProblemKind, span: Range<usize>, message: String, help: Option<String>) -> ImageProblem {
    ImageProblem { kind, severity: kind.severity(), message, help, span }
}

fn shift(off: usize, r: &Range<usize>) -> Range<usize> {
    off + r.start..off + r.end
}

/// Text for a message: control characters escaped, long text cut to 60 characters.
fn show(s: &str) -> String {
    let mut out = String::new();
    for (n, ch) in s.chars().enumerate() {
        if n == 60 {
            out.push('…');
            break;
        }
        if ch.is_control() {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out
}

/// `sha256:aaaaaaaaaaaa…`
fn show_digest(d: &str) -> String {
    match d.split_once(':') {
        Some((alg, hex)) if hex.chars().count() > 12 => {
            format!("{}:{}…", show(alg), show(&hex.chars().take(12).collect::<String>()))
        }
        _ => show(d),
    }
}

fn is_placeholder_name(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    if matches!(l.as_str(), "registry.com" | "example.com" | "your" | "image" | "changeme")
        || l.ends_with(".example.com")
    {
        return true;
    }
    let mut words = l.split(['.', '_', '-']);
    let first = words.next().unwrap_or("");
    let rest: Vec<&str> = words.collect();
    (first == "your" && !rest.is_empty()) || first == "changeme" || rest.contains(&"changeme")
}

/// `<…>` and `${…}` template placeholders (ranges relative to `s`).
fn template_spans(s: &str) -> Vec<Range<usize>> {
    let mut v = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let tail = &s[i..];
        let (open, close) = match (tail.find('<'), tail.find("${")) {
            (Some(a), Some(b)) if b < a => (b, '}'),
            (Some(a), _) => (a, '>'),
            (None, Some(b)) => (b, '}'),
            (None, None) => break,
        };
        let start = i + open;
        match s[start + 1..].find(close) {
            Some(e) => {
                let end = start + 1 + e + 1;
                v.push(start..end);
                i = end;
            }
            None => break,
        }
    }
    v
}

/// Smallest period of the string (byte-wise); 64 × `a` has period 1.
fn period(s: &str) -> usize {
    let b = s.as_bytes();
    (1..=b.len()).find(|&p| (p..b.len()).all(|i| b[i] == b[i - p])).unwrap_or(b.len())
}

impl Checker {
    fn push(&mut self, kind: ImageProblemKind, span: Range<usize>, message: String, help: Option<String>) {
        self.out.push(problem(kind, span, message, help));
    }

    fn run(&mut self, value: &str, opts: &ImageCheckOptions) -> Option<ParsedImage> {
        use ImageProblemKind as K;
        if value.is_empty() {
            self.push(
                K::Empty,
                0..0,
                "`container-image` is empty".to_string(),
                Some("set it to `docker://<registry>/<repository>@sha256:<digest>`".to_string()),
            );
            return None;
        }
        let body_start = value.len() - value.trim_start().len();
        let body = value.trim();
        if body.is_empty() {
            self.push(
                K::Empty,
                0..value.len(),
                "`container-image` contains only whitespace".to_string(),
                Some("set it to `docker://<registry>/<repository>@sha256:<digest>`".to_string()),
            );
            return None;
        }
        let body_end = body_start + body.len();
        if body_start > 0 {
            self.push(
                K::InvalidReference,
                0..body_start,
                format!("image reference `{}` has leading whitespace", show(body)),
                Some("remove the whitespace; workers match the value literally".to_string()),
            );
        }
        if body_end < value.len() {
            self.push(
                K::InvalidReference,
                body_end..value.len(),
                format!("image reference `{}` has trailing whitespace", show(body)),
                Some("remove the whitespace; workers match the value literally".to_string()),
            );
        }

        // Scheme.
        let (scheme, rest, off) = if let Some(r) = body.strip_prefix(SCHEME) {
            (Some("docker".to_string()), r, body_start + SCHEME.len())
        } else if let Some(i) = body.find("://").filter(|&i| is_scheme_name(&body[..i])) {
            let scheme = &body[..i + 3];
            let (message, help) = if body[..i].eq_ignore_ascii_case("docker") {
                (format!("scheme `{}` must be lower case", show(scheme)), "write `docker://`".to_string())
            } else {
                (
                    format!("scheme `{}` is not supported for `container-image`", show(scheme)),
                    "use `docker://<image>`, the scheme remote execution workers pull".to_string(),
                )
            };
            self.push(K::InvalidReference, body_start..body_start + i + 3, message, Some(help));
            return None;
        } else if body.starts_with("docker:/") {
            let len = if body.starts_with("docker:///") { 10 } else { 8 };
            self.push(
                K::InvalidReference,
                body_start..body_start + len,
                format!("malformed scheme `{}`", &body[..len]),
                Some("write `docker://` followed by the image".to_string()),
            );
            return None;
        } else {
            (None, body, body_start)
        };

        if scheme.is_none() && opts.bare_image_names {
            self.check_bare_label(body, body_start);
            return None;
        }
        let missing_scheme_at = if scheme.is_none() {
            self.push(
                K::MissingScheme,
                body_start..body_end,
                format!("image reference `{}` has no `docker://` scheme", show(body)),
                None,
            );
            Some(self.out.len() - 1)
        } else {
            None
        };

        let parsed = self.check_reference(rest, off, scheme);

        if let Some(i) = missing_scheme_at {
            self.out[i].help = Some(if parsed.is_some() {
                format!(
                    "write `docker://{}`, or set `[re] bare-image-names = true` if it is a worker label",
                    show(body)
                )
            } else {
                "prefix the image with `docker://`, or set `[re] bare-image-names = true` if it is a worker label"
                    .to_string()
            });
        }
        parsed
    }

    /// Opaque worker label (`bare_image_names`): only placeholders.
    fn check_bare_label(&mut self, label: &str, off: usize) {
        let templates = template_spans(label);
        if !templates.is_empty() {
            for t in templates {
                self.push_template(label, off, t, false);
            }
            return;
        }
        let mut start = 0;
        for part in label.split(['/', ':', '@']) {
            if is_placeholder_name(part) {
                self.push_placeholder_name(part, off + start..off + start + part.len());
            }
            start += part.len() + 1;
        }
    }

    fn push_template(&mut self, s: &str, off: usize, t: Range<usize>, in_digest: bool) {
        let text = &s[t.clone()];
        if in_digest {
            self.push(
                ImageProblemKind::PlaceholderDigest,
                shift(off, &t),
                format!("digest `{}` is a template placeholder, not a real image digest", show(text)),
                Some(DIGEST_FIX_HELP.to_string()),
            );
        } else {
            self.push(
                ImageProblemKind::PlaceholderName,
                shift(off, &t),
                format!("`{}` is a template placeholder, not a real image name", show(text)),
                Some("replace it with the real registry and image".to_string()),
            );
        }
    }

    fn push_placeholder_name(&mut self, text: &str, span: Range<usize>) {
        self.push(
            ImageProblemKind::PlaceholderName,
            span,
            format!("`{}` looks like a placeholder, not a real registry or image name", show(text)),
            Some("replace it with the real registry and image".to_string()),
        );
    }

    /// Checks the reference after the scheme; `off` is its byte offset in the checked value.
    fn check_reference(&mut self, rest: &str, off: usize, scheme: Option<String>) -> Option<ParsedImage> {
        use ImageProblemKind as K;
        if rest.is_empty() {
            self.push(
                K::InvalidReference,
                off - SCHEME.len()..off,
                "no image name after `docker://`".to_string(),
                Some("write `docker://<registry>/<repository>@sha256:<digest>`".to_string()),
            );
            return None;
        }
        if let Some(i) = rest.find(char::is_whitespace) {
            let end = rest[i..].find(|c: char| !c.is_whitespace()).map_or(rest.len(), |e| i + e);
            self.push(
                K::InvalidReference,
                off + i..off + end,
                format!("image reference `{}` contains whitespace", show(rest)),
                Some("image references cannot contain spaces".to_string()),
            );
            return None;
        }

        let sp = Split::new(rest);

        let templates = template_spans(rest);
        if !templates.is_empty() {
            for t in templates {
                let in_digest = sp.at.is_some_and(|a| t.start > a);
                self.push_template(rest, off, t, in_digest);
            }
            return None;
        }

        // Grammar errors and warnings, with spans relative to `rest`.
        let mut errors = name_errors(rest, &sp);
        errors.extend(tag_error(rest, &sp));
        let (digest_error, placeholder_digest) = check_digest(rest, &sp);
        errors.extend(digest_error);
        let mut placeholders = placeholder_names(rest, &sp);
        let misread = misread_registry(rest, &sp, &mut placeholders);

        // Fold: a placeholder component replaces the grammar errors on it.
        let before = errors.len();
        errors.retain(|e| !placeholders.iter().any(|(_, r)| e.span.start >= r.start && e.span.end <= r.end));
        let valid = before == 0;

        for mut e in errors {
            e.span = shift(off, &e.span);
            self.out.push(e);
        }
        for (text, r) in &placeholders {
            self.push_placeholder_name(text, shift(off, r));
        }
        if let Some(mut m) = misread {
            m.span = shift(off, &m.span);
            self.out.push(m);
        }
        if let (Some(h), Some(d)) = (placeholder_digest, &sp.digest) {
            self.push(
                K::PlaceholderDigest,
                shift(off, &h),
                format!("digest `{}` is a placeholder, not a real image digest", show_digest(&rest[d.clone()])),
                Some(DIGEST_FIX_HELP.to_string()),
            );
        }
        if !valid {
            return None;
        }

        let image = match parse_with_crate(rest, &sp, scheme) {
            Ok(image) => image,
            Err(e) => {
                self.push(
                    K::InvalidReference,
                    off..off + rest.len(),
                    format!("image reference `{}` is invalid ({e})", show(rest)),
                    None,
                );
                return None;
            }
        };
        if image.digest.is_none() {
            self.push_unpinned(rest, off, &sp);
        }
        Some(image)
    }

    fn push_unpinned(&mut self, rest: &str, off: usize, sp: &Split) {
        let (span, message) = match &sp.tag {
            Some(t) => (
                t.clone(),
                format!(
                    "image `{}` is pinned only by the mutable tag `{}`, not by digest",
                    show(rest),
                    show(&rest[t.clone()])
                ),
            ),
            None => (
                sp.name.clone(),
                format!("image `{}` has no tag or digest, so it follows the mutable `latest`", show(rest)),
            ),
        };
        self.push(
            ImageProblemKind::Unpinned,
            shift(off, &span),
            message,
            Some(format!("pin it as `{}@sha256:<digest>`", show(rest))),
        );
    }
}

const DIGEST_FIX_HELP: &str = "pin the image by its real digest, e.g. from `docker buildx imagetools inspect <image>`";

/// Empty name, bad registry host, bad path components, too long a repository.
fn name_errors(rest: &str, sp: &Split) -> Vec<ImageProblem> {
    let invalid = |span, message, help: Option<&str>| {
        problem(ImageProblemKind::InvalidReference, span, message, help.map(str::to_string))
    };
    let mut errors = Vec::new();
    if sp.name.is_empty() {
        errors.push(invalid(
            0..rest.len(),
            format!("image reference `{}` has no image name", show(rest)),
            Some("write `<registry>/<repository>[:<tag>]@sha256:<digest>`"),
        ));
        return errors;
    }
    if let Some(d) = &sp.domain {
        let dom = &rest[d.clone()];
        if !valid_domain(dom) {
            errors.push(invalid(
                d.clone(),
                format!("registry `{}` is not a valid host or `host:port`", show(dom)),
                None,
            ));
        }
    }
    for (comp, r) in sp.components(rest) {
        let Err(e) = check_component(comp) else {
            continue;
        };
        errors.push(match e {
            CompErr::Empty => {
                // Point at the `/` next to the empty component.
                let s = if r.start > 0 && rest.as_bytes()[r.start - 1] == b'/' { r.start - 1 } else { r.start };
                invalid(
                    s..(s + 1).min(rest.len()),
                    format!("repository `{}` has an empty path component", show(&rest[sp.path.clone()])),
                    Some("remove the extra `/`"),
                )
            }
            CompErr::Upper => {
                let lower = comp.to_ascii_lowercase();
                let help = check_component(&lower)
                    .is_ok()
                    .then(|| format!("repository names are lower case: write `{lower}`"));
                problem(
                    ImageProblemKind::InvalidReference,
                    r,
                    format!("repository component `{}` contains upper case letters", show(comp)),
                    help,
                )
            }
            CompErr::BadChar(ch) => invalid(
                r,
                format!(
                    "repository component `{}` contains the invalid character `{}`",
                    show(comp),
                    show(&ch.to_string())
                ),
                Some("repository components use `a-z`, `0-9`, `.`, `_` and `-`"),
            ),
            CompErr::BadEdge => invalid(
                r,
                format!("repository component `{}` must start and end with a letter or digit", show(comp)),
                None,
            ),
            CompErr::BadSeparator(sep) => invalid(
                r,
                format!("repository component `{}` has the invalid separator `{}`", show(comp), show(&sep)),
                Some("separators are `.`, `_`, `__` or dashes"),
            ),
        });
    }
    let repo = sp.normalized_repository(rest);
    if repo.len() > NAME_MAX {
        errors.push(invalid(
            sp.path.clone(),
            format!("repository `{}` is longer than {NAME_MAX} characters", show(&repo)),
            None,
        ));
    }
    errors
}

/// `tag = /[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}/` (ASCII only).
fn tag_error(rest: &str, sp: &Split) -> Option<ImageProblem> {
    let t = sp.tag.clone()?;
    let tag = &rest[t.clone()];
    let bad_char = tag.chars().find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')));
    let (span, message) = if tag.is_empty() {
        (t.start - 1..t.start, format!("empty tag after `{}:`", show(&rest[sp.name.clone()])))
    } else if let Some(ch) = bad_char {
        (t, format!("tag `{}` contains the invalid character `{}`", show(tag), show(&ch.to_string())))
    } else if tag.starts_with(['.', '-']) {
        (t, format!("tag `{}` must start with a letter, digit or `_`", show(tag)))
    } else if tag.len() > TAG_MAX {
        (t, format!("tag `{}` is longer than {TAG_MAX} characters", show(tag)))
    } else {
        return None;
    };
    Some(problem(
        ImageProblemKind::InvalidReference,
        span,
        message,
        Some("tags use `A-Z`, `a-z`, `0-9`, `_`, `.` and `-`, up to 128 characters".to_string()),
    ))
}

/// The digest's `BadDigest` error, or else the range of a placeholder hex.
fn check_digest(rest: &str, sp: &Split) -> (Option<ImageProblem>, Option<Range<usize>>) {
    let (Some(at), Some(dr)) = (sp.at, sp.digest.clone()) else {
        return (None, None);
    };
    let digest = &rest[dr.clone()];
    let bad = |span, message| {
        let help = "a digest is `sha256:` followed by 64 lower-case hex characters";
        (Some(problem(ImageProblemKind::BadDigest, span, message, Some(help.to_string()))), None)
    };
    if digest.is_empty() {
        return bad(at..at + 1, format!("empty digest after `{}@`", show(&rest[..at])));
    }
    let Some((alg, hex)) = digest.split_once(':') else {
        return bad(dr, format!("digest `{}` has no algorithm prefix", show_digest(digest)));
    };
    let alg_r = dr.start..dr.start + alg.len();
    let hex_r = alg_r.end + 1..dr.end;
    let want = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return bad(alg_r, format!("unsupported digest algorithm `{}`", show(alg)));
        }
    };
    if hex.is_empty() {
        return bad(dr, format!("digest `{}` has no hex characters", show(digest)));
    }
    if let Some(ch) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
        return bad(
            hex_r,
            format!("digest `{}` contains the non-hex character `{}`", show_digest(digest), show(&ch.to_string())),
        );
    }
    if hex.len() != want {
        return bad(hex_r, format!("digest `{}` has {} hex characters, not {want}", show_digest(digest), hex.len()));
    }
    if hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return bad(hex_r, format!("digest `{}` uses upper-case hex", show_digest(digest)));
    }
    if period(hex) <= 16 {
        return (None, Some(hex_r));
    }
    (None, None)
}

/// Placeholder registry host, path components and tag (text, relative range).
fn placeholder_names(rest: &str, sp: &Split) -> Vec<(String, Range<usize>)> {
    let mut found = Vec::new();
    if let Some(d) = &sp.domain {
        let host = host_of(&rest[d.clone()]);
        if is_placeholder_name(host) {
            found.push((host.to_string(), d.start..d.start + host.len()));
        }
    }
    if !sp.name.is_empty() {
        for (comp, r) in sp.components(rest) {
            if is_placeholder_name(comp) {
                found.push((comp.to_string(), r));
            }
        }
    }
    if let Some(t) = &sp.tag
        && is_placeholder_name(&rest[t.clone()])
    {
        found.push((rest[t.clone()].to_string(), t.clone()));
    }
    found
}

/// `registry.com:image_name@…`: Docker Hub repository plus a tag. Absorbs the placeholder
/// names inside its span (the host then gets a note in the help).
fn misread_registry(rest: &str, sp: &Split, placeholders: &mut Vec<(String, Range<usize>)>) -> Option<ImageProblem> {
    let (None, Some(t), Some(at)) = (&sp.domain, &sp.tag, sp.at) else {
        return None;
    };
    let name = &rest[sp.name.clone()];
    if name.is_empty() || name.contains('/') || !looks_like_host(name) {
        return None;
    }
    let tag = &rest[t.clone()];
    let alg = sp.digest.as_ref().and_then(|d| rest[d.clone()].split_once(':')).map_or("sha256", |(a, _)| a);
    let (name_s, tag_s) = (show(name), show(tag));
    let span = 0..at;
    let placeholder_host = placeholders.iter().any(|(_, r)| *r == sp.name);
    placeholders.retain(|(_, r)| !(r.start >= span.start && r.end <= span.end));
    let mut help = format!("write `{name_s}/{tag_s}@{}:…`", show(alg));
    if placeholder_host {
        help.push_str(", and replace `");
        help.push_str(&name_s);
        help.push_str("` with your real registry host");
    }
    Some(problem(
        ImageProblemKind::RegistryReadAsRepository,
        span,
        format!(
            "`{name_s}:{tag_s}@…` has no `/`, so Docker reads it as Docker Hub repository `library/{name_s}` with tag `{tag_s}`, not as registry `{name_s}` and image `{tag_s}`"
        ),
        Some(help),
    ))
}

/// `registry.com`, `10.0.0.1`, `localhost`: a name Docker users mean as a registry host.
fn looks_like_host(name: &str) -> bool {
    if name == "localhost" {
        return true;
    }
    if !name.contains('.') {
        return false;
    }
    let labels: Vec<&str> = name.split('.').collect();
    let last = labels.last().copied().unwrap_or("");
    let ipv4 = labels.len() == 4 && labels.iter().all(|l| valid_port(l));
    ipv4 || last.bytes().any(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests;
