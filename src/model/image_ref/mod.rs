//! Docker/OCI distribution references of `container-image` platform property values
//! (`buck2-facts.md` §5): the lexical split of a reference into registry, path components, tag
//! and digest (with byte spans), the component and host grammar, and the grammar check through
//! `container_image_dist_ref` (a hand-written parser tested against `distribution/reference`)
//! that yields a [`ParsedImage`].
//!
//! What is wrong with a value, and how bad it is (R08 `re-container-image-invalid`, R09
//! `re-container-image-unpinned`, `re-container-image-registry-not-allowed`), is decided in
//! `rules::remote_execution::image_check`, on top of these pieces.

use std::fmt;
use std::ops::Range;

use container_image_dist_ref::ImgRef;
use container_image_dist_ref::digest::Standard;
use container_image_dist_ref::err::Kind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedImage {
    /// `Some("docker")` for `docker://…`, `None` without a scheme.
    pub scheme: Option<String>,
    /// `"docker.io"` for Docker Hub.
    pub registry: String,
    /// `"library/ubuntu"` for `ubuntu`.
    pub repository: String,
    /// The tag as written; `None` when absent (no implied `latest`).
    pub tag: Option<String>,
    /// `algorithm:hex`, e.g. `sha256:e3b0…`.
    pub digest: Option<String>,
}

pub(crate) const SCHEME: &str = "docker://";
pub(crate) const NAME_MAX: usize = 255;
pub(crate) const TAG_MAX: usize = 128;

pub(crate) fn is_scheme_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Lexical split of the reference after the scheme; ranges are relative to it.
pub(crate) struct Split {
    pub(crate) name: Range<usize>,
    pub(crate) domain: Option<Range<usize>>,
    pub(crate) path: Range<usize>,
    /// Excludes the `:`.
    pub(crate) tag: Option<Range<usize>>,
    /// Position of the `@`.
    pub(crate) at: Option<usize>,
    /// Excludes the `@`.
    pub(crate) digest: Option<Range<usize>>,
}

impl Split {
    pub(crate) fn new(rest: &str) -> Split {
        let at = rest.find('@');
        let name_tag_end = at.unwrap_or(rest.len());
        let digest = at.map(|i| i + 1..rest.len());
        let nt = &rest[..name_tag_end];
        // A `:` after the last `/` is a tag; with no `/`, the first `:` starts the tag.
        let colon = match nt.rfind('/') {
            Some(s) => nt[s + 1..].find(':').map(|c| s + 1 + c),
            None => nt.find(':'),
        };
        let name_end = colon.unwrap_or(name_tag_end);
        let tag = colon.map(|c| c + 1..name_tag_end);
        let name_s = &rest[..name_end];
        let (domain, path) = match name_s.find('/') {
            Some(s) if is_domain_like(&name_s[..s]) => (Some(0..s), s + 1..name_end),
            _ => (None, 0..name_end),
        };
        Split { name: 0..name_end, domain, path, tag, at, digest }
    }

    /// Path components with their ranges (relative to the reference).
    pub(crate) fn components<'a>(&self, rest: &'a str) -> Vec<(&'a str, Range<usize>)> {
        let mut v = Vec::new();
        let mut start = self.path.start;
        for comp in rest[self.path.clone()].split('/') {
            v.push((comp, start..start + comp.len()));
            start += comp.len() + 1;
        }
        v
    }

    pub(crate) fn normalized_repository(&self, rest: &str) -> String {
        let path = &rest[self.path.clone()];
        let hub = match &self.domain {
            None => true,
            Some(d) => matches!(&rest[d.clone()], "docker.io" | "index.docker.io"),
        };
        if hub && !path.contains('/') { format!("library/{path}") } else { path.to_string() }
    }
}

/// Docker's rule for "the part before the first `/` is a registry host".
fn is_domain_like(first: &str) -> bool {
    first.contains('.') || first.contains(':') || first == "localhost" || first.bytes().any(|b| b.is_ascii_uppercase())
}

pub(crate) enum CompErr {
    Empty,
    Upper,
    BadChar(char),
    BadEdge,
    BadSeparator(String),
}

/// `alnum { separator alnum }` with `alnum = [a-z0-9]+`, `separator = . | _ | __ | -+`.
pub(crate) fn check_component(c: &str) -> Result<(), CompErr> {
    if c.is_empty() {
        return Err(CompErr::Empty);
    }
    let allowed = |ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit() || matches!(ch, '.' | '_' | '-');
    if let Some(bad) = c.chars().find(|&ch| !allowed(ch) && !ch.is_ascii_uppercase()) {
        return Err(CompErr::BadChar(bad));
    }
    if c.chars().any(|ch| ch.is_ascii_uppercase()) {
        return Err(CompErr::Upper);
    }
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return Err(CompErr::BadEdge);
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|x| x == b'-');
        if !ok {
            return Err(CompErr::BadSeparator(sep.to_string()));
        }
    }
    Ok(())
}

fn valid_host_label(l: &str) -> bool {
    !l.is_empty()
        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !l.starts_with('-')
        && !l.ends_with('-')
}

pub(crate) fn valid_port(p: &str) -> bool {
    !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
}

fn is_ipv6_domain(d: &str) -> bool {
    let Some(inner_end) = d.find(']') else {
        return false;
    };
    if !d.starts_with('[') {
        return false;
    }
    let inner = &d[1..inner_end];
    let after = &d[inner_end + 1..];
    inner.contains(':')
        && inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        && (after.is_empty() || after.strip_prefix(':').is_some_and(valid_port))
}

/// `host [":" port]`; also accepts what the grammar reads as a path component (`foo_bar.com`).
pub(crate) fn valid_domain(d: &str) -> bool {
    if is_ipv6_domain(d) {
        return true;
    }
    let (host, port) = match d.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    let host_ok = host.split('.').all(valid_host_label);
    let port_ok = port.is_none_or(valid_port);
    (host_ok && port_ok) || (port.is_none() && check_component(d).is_ok())
}

/// The host part of a domain (without port).
pub(crate) fn host_of(d: &str) -> &str {
    if d.starts_with('[') {
        return d;
    }
    d.split_once(':').map_or(d, |(h, _)| h)
}

/// The longest registry host (with port) the crate parses.
const HOST_MAX: usize = 255;
/// A valid host (`.invalid` is reserved) that stands in for one the crate cannot parse.
const STANDIN_HOST: &str = "host.invalid";
/// Docker Hub, the registry of a name without a registry host.
const DOCKER_HUB: &str = "docker.io";
/// Docker Hub's legacy name, normalized to [`DOCKER_HUB`].
const DOCKER_HUB_LEGACY: &str = "index.docker.io";

/// The grammar check's verdict on a reference that the lexical pass let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GrammarError(Kind);

impl fmt::Display for GrammarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Kind::NameTooLong | Kind::PathTooLong | Kind::HostOrPathTooLong => {
                "repository name must not be more than 255 characters"
            }
            _ => "invalid reference format",
        })
    }
}

/// The crate's grammar is authoritative; registry and repository follow Docker's
/// `splitDockerDomain` (via [`Split`]): Docker Hub by default, `library/` for one-component
/// Docker Hub names, and a first component with upper case letters is a registry host.
pub(crate) fn parse_with_crate(rest: &str, sp: &Split, scheme: Option<String>) -> Result<ParsedImage, GrammarError> {
    let domain = sp.domain.as_ref().map(|d| &rest[d.clone()]);
    // Docker accepts any `[hex:…]` host and hosts of any length; the crate only real IPv6
    // addresses and hosts of up to 255 characters. The lexical pass has checked the host, so
    // the crate checks the rest behind a stand-in host.
    let standin;
    let checked = match (&sp.domain, domain) {
        (Some(d), Some(host)) if is_ipv6_domain(host) || host.len() > HOST_MAX => {
            standin = format!("{STANDIN_HOST}{}", &rest[d.end..]);
            standin.as_str()
        }
        _ => rest,
    };
    check_grammar(checked)?;
    let registry = match domain {
        None | Some(DOCKER_HUB_LEGACY) => DOCKER_HUB,
        Some(d) => d,
    };
    Ok(ParsedImage {
        scheme,
        registry: registry.to_string(),
        repository: sp.normalized_repository(rest),
        tag: sp.tag.as_ref().map(|t| rest[t.clone()].to_string()),
        digest: sp.digest.as_ref().map(|d| rest[d.clone()].to_string()),
    })
}

/// `distribution/reference`'s grammar, as `container_image_dist_ref` checks it, with
/// Docker's limits where the crate's are stricter.
fn check_grammar(s: &str) -> Result<(), GrammarError> {
    let tail;
    let reference = match ImgRef::new(s) {
        // The crate counts the registry host in its 255-character name limit, Docker only the
        // repository (checked by the lexical pass). The host and path have parsed by then, so
        // the tag and digest after the name are checked behind a one-letter name.
        Err(e) if e.kind() == Kind::NameTooLong => {
            tail = format!("x{}", &s[usize::from(e.index())..]);
            ImgRef::new(&tail)
        }
        parsed => parsed,
    }
    .map_err(|e| GrammarError(e.kind()))?;
    // The crate also takes digests that only the OCI image spec allows (an algorithm component
    // that starts with a digit, fewer than 32 characters).
    match reference.digest() {
        Some(d) if !d.compliance().compliant_with(Standard::Distribution) => {
            Err(GrammarError(Kind::AlgorithmInvalidNumericPrefix))
        }
        _ => Ok(()),
    }
}
