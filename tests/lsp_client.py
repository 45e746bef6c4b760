#!/usr/bin/env python3
"""End-to-end test of `buck-lint lsp` with an independent client (pygls).

Usage: python3 tests/lsp_client.py [PATH-TO-buck-lint]
(default: $BUCK_LINT_BIN, else target/debug/buck-lint next to this file's repository).

It builds a small Buck2 tree in a temporary directory and checks, over stdio:
  - initialize: positionEncoding is utf-16 by default and utf-8 when offered;
  - didOpen → publishDiagnostics with the right code, range (UTF-16 / UTF-8 columns after
    a non-BMP character), severity, source, codeDescription, relatedInformation and fix data;
  - codeAction → "Fix: …" (preferred) and "Disable <rule> for this line";
  - applying the disable edit, then the fix edit, with didChange → the diagnostic clears;
  - a change to another open file re-lints dependants (cross-file rule);
  - didClose clears; shutdown + exit → exit code 0;
  - navigation on the repository's own `testdata/` trees (pyo3-remote, reindeer-sync,
    lsp-nav): definition (load paths and symbols, labels in the same package, another
    package, another cell and a cell alias, a Reindeer alias; fixups.toml ↔ the generated
    library rule; a Cargo.lock package → its fixups file), hover (labels with rule kind and
    crate version, suppression comments, fixups keys), documentSymbol and workspace/symbol,
    with UTF-16 columns after a non-BMP character.
Exits non-zero on any failure.
"""

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient

RULE = "proc-macro-inner-target-dep"
TIMEOUT = 30.0

LIB_BUCK = """rust_library(
    name = "m-1.0.0",
    proc_macro = True,
    srcs = ["src/lib.rs"],
    crate = "m",
)

rust_library(name = "u\U0001F600", srcs = ["src/user.rs"], deps = [":_m-1.0.0"])
"""

APP_BUCK = """rust_library(
    name = "app",
    srcs = ["src/app.rs"],
    deps = ["//lib:_m-1.0.0"],
)
"""


class Failure(Exception):
    pass


def fail(msg):
    raise Failure(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def column(line, index, encoding):
    """Column of the Python string index `index` in `line`, in LSP units."""
    if encoding == "utf-8":
        return len(line[:index].encode("utf-8"))
    return utf16_len(line[:index])


def offset_of(text, pos, encoding):
    """Python string index of an LSP position."""
    lines = text.split("\n")
    start = sum(len(l) + 1 for l in lines[: pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    units = 0
    for i, ch in enumerate(line):
        if units >= pos.character:
            return start + i
        units += len(ch.encode("utf-8")) if encoding == "utf-8" else utf16_len(ch)
    return start + len(line)


def apply_edits(text, edits, encoding):
    spans = [(offset_of(text, e.range.start, encoding), offset_of(text, e.range.end, encoding), e.new_text) for e in edits]
    for s, e, new in sorted(spans, reverse=True):
        text = text[:s] + new + text[e:]
    return text


def uri_of(path):
    return Path(path).as_uri()


CLIENTS = []


class Client(LanguageClient):
    def __init__(self):
        super().__init__("buck-lint-test-client", "1.0")
        CLIENTS.append(self)
        self.published = []  # (uri, version, diagnostics)
        self.event = asyncio.Event()

        @self.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: t.PublishDiagnosticsParams):
            self.published.append((params.uri, params.version, list(params.diagnostics)))
            self.event.set()

        @self.feature(t.WINDOW_LOG_MESSAGE)
        def on_log(params: t.LogMessageParams):
            print(f"server log: {params.message}", file=sys.stderr)

        @self.feature(t.WINDOW_SHOW_MESSAGE)
        def on_show(params: t.ShowMessageParams):
            print(f"server message: {params.message}", file=sys.stderr)

    async def wait_for(self, uri, pred, after=0, what=""):
        """The first publication for `uri` at index >= `after` that satisfies `pred`."""
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        i = after
        while True:
            while i < len(self.published):
                u, v, diags = self.published[i]
                i += 1
                if u == uri and pred(v, diags):
                    return diags
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                seen = [(u, v, [(d.code, d.range) for d in ds]) for u, v, ds in self.published[after:]]
                fail(f"timed out waiting for {what or 'diagnostics'} on {uri}; saw {seen}")
            self.event.clear()
            try:
                await asyncio.wait_for(self.event.wait(), remaining)
            except asyncio.TimeoutError:
                pass


def make_tree(root):
    (root / ".buckconfig").write_text("[cells]\n  root = .\n  prelude = prelude\n")
    (root / "lib").mkdir()
    (root / "app").mkdir()
    (root / "lib" / "BUCK").write_text(LIB_BUCK, encoding="utf-8")
    (root / "app" / "BUCK").write_text(APP_BUCK, encoding="utf-8")


async def start_server(binary, root, encodings=None):
    client = Client()
    await client.start_io(binary, "lsp", cwd=str(root))
    caps = t.ClientCapabilities(
        text_document=t.TextDocumentClientCapabilities(
            publish_diagnostics=t.PublishDiagnosticsClientCapabilities(
                related_information=True,
                version_support=True,
                code_description_support=True,
                data_support=True,
                tag_support=t.ClientDiagnosticsTagOptions(
                    value_set=[t.DiagnosticTag.Unnecessary, t.DiagnosticTag.Deprecated]
                ),
            ),
            code_action=t.CodeActionClientCapabilities(
                code_action_literal_support=t.ClientCodeActionLiteralOptions(
                    code_action_kind=t.ClientCodeActionKindOptions(value_set=["quickfix", "source.fixAll"])
                ),
                is_preferred_support=True,
                data_support=True,
            ),
        ),
        general=t.GeneralClientCapabilities(position_encodings=encodings) if encodings else None,
    )
    result = await asyncio.wait_for(
        client.initialize_async(
            t.InitializeParams(
                process_id=os.getpid(),
                root_uri=uri_of(root),
                capabilities=caps,
                initialization_options={"debounceMs": 50},
            )
        ),
        TIMEOUT,
    )
    client.initialized(t.InitializedParams())
    return client, result


async def stop(client):
    await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
    client.exit(None)
    server = client._server
    code = await asyncio.wait_for(server.wait(), TIMEOUT)
    await asyncio.wait_for(client.stop(), TIMEOUT)
    check(code == 0, f"server exited with {code} after shutdown + exit")


def open_doc(client, uri, text, version=1):
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(
            text_document=t.TextDocumentItem(uri=uri, language_id="starlark", version=version, text=text)
        )
    )


def change_doc(client, uri, text, version):
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def expected_range(text, needle, encoding):
    lines = text.split("\n")
    for n, line in enumerate(lines):
        i = line.find(needle)
        if i >= 0:
            return n, column(line, i, encoding), column(line, i + len(needle), encoding)
    fail(f"{needle!r} not in text")


def rule_diags(diags):
    return [d for d in diags if d.code == RULE]


async def session_utf16(binary, root):
    client, result = await start_server(binary, root)
    enc = result.capabilities.position_encoding
    check(enc in (None, "utf-16", t.PositionEncodingKind.Utf16), f"expected utf-16, server chose {enc}")
    enc = "utf-16"
    lib = root / "lib" / "BUCK"
    lib_uri = uri_of(lib)
    text = LIB_BUCK

    # 1. didOpen → the diagnostic
    mark = len(client.published)
    open_doc(client, lib_uri, text)
    diags = await client.wait_for(lib_uri, lambda v, ds: rule_diags(ds), mark, RULE)
    d = rule_diags(diags)[0]
    line, start, end = expected_range(text, '":_m-1.0.0"', enc)
    check(
        (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
        == (line, start, line, end),
        f"range {d.range} != {(line, start, line, end)} (UTF-16)",
    )
    check(d.severity == t.DiagnosticSeverity.Error, f"severity {d.severity}")
    check(d.source == "buck-lint", f"source {d.source}")
    check(
        d.code_description is not None and d.code_description.href.endswith(f"/rules/{RULE}.md"),
        f"codeDescription {d.code_description}",
    )
    rel = d.related_information or []
    check(len(rel) == 1 and rel[0].location.uri == lib_uri, f"relatedInformation {rel}")
    check(rel[0].location.range.start.line == 1, f"related range {rel[0].location.range}")
    check(isinstance(d.data, dict) and "fix" in d.data, f"data {d.data}")

    # 2. code actions
    actions = await asyncio.wait_for(
        client.text_document_code_action_async(
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=lib_uri),
                range=d.range,
                context=t.CodeActionContext(diagnostics=[d]),
            )
        ),
        TIMEOUT,
    )
    actions = [a for a in actions or [] if isinstance(a, t.CodeAction)]
    fix = [a for a in actions if a.title.startswith("Fix: ")]
    disable = [a for a in actions if a.title == f"Disable {RULE} for this line"]
    check(len(fix) == 1, f"expected one Fix action, got {[a.title for a in actions]}")
    check(len(disable) == 1, f"expected one Disable action, got {[a.title for a in actions]}")
    fix, disable = fix[0], disable[0]
    check(fix.is_preferred is True, "the safe fix is not preferred")
    check(fix.kind == t.CodeActionKind.QuickFix, f"fix kind {fix.kind}")
    check(fix.diagnostics and fix.diagnostics[0].code == RULE, "fix action lacks its diagnostic")

    # 3. the disable comment silences it
    disabled = apply_edits(text, disable.edit.changes[lib_uri], enc)
    check(f"  # buck-lint: disable={RULE}" in disabled.split("\n")[line], f"disable edit gave {disabled!r}")
    mark = len(client.published)
    change_doc(client, lib_uri, disabled, 2)
    await client.wait_for(lib_uri, lambda v, ds: v == 2 and not ds, mark, "no findings after disabling")

    # 4. back to the original text: the finding returns
    mark = len(client.published)
    change_doc(client, lib_uri, text, 3)
    await client.wait_for(lib_uri, lambda v, ds: v == 3 and rule_diags(ds), mark, "the finding again")

    # 5. the fix clears it
    fixed = apply_edits(text, fix.edit.changes[lib_uri], enc)
    check('deps = [":m-1.0.0"]' in fixed, f"fix edit gave {fixed!r}")
    mark = len(client.published)
    change_doc(client, lib_uri, fixed, 4)
    await client.wait_for(lib_uri, lambda v, ds: v == 4 and not ds, mark, "no findings after the fix")
    text = fixed

    # 5b. navigation on the edited buffer, UTF-16 columns after the non-BMP character
    line, start, _ = expected_range(text, '":m-1.0.0"', enc)
    locs = await definition(client, lib_uri, t.Position(line=line, character=start + 2))
    check(
        [(l.uri, l.range.start.line, l.range.start.character) for l in locs] == [(lib_uri, 1, 11)],
        f"definition of :m-1.0.0 in the buffer: {locs}",
    )
    syms = await document_symbols(client, lib_uri)
    emoji = [s for s in syms if s.name == "u\U0001F600"]
    check(len(emoji) == 1, f"documentSymbol of the buffer: {[s.name for s in syms]}")
    line, start, end = expected_range(text, '"u\U0001F600"', enc)
    r = emoji[0].selection_range
    check(
        (r.start.line, r.start.character, r.end.character) == (line, start, end),
        f"selectionRange {r} != {(line, start, end)} (UTF-16)",
    )

    # 6. cross-file: a change in lib/BUCK re-lints the open app/BUCK
    app_uri = uri_of(root / "app" / "BUCK")
    mark = len(client.published)
    open_doc(client, app_uri, APP_BUCK)
    await client.wait_for(app_uri, lambda v, ds: rule_diags(ds), mark, "the cross-package finding")
    mark = len(client.published)
    not_a_macro = text.replace("    proc_macro = True,\n", "")
    check(not_a_macro != text, "could not edit the fixture")
    change_doc(client, lib_uri, not_a_macro, 5)
    await client.wait_for(app_uri, lambda v, ds: not rule_diags(ds), mark, "re-lint of the dependant")

    # 7. didClose clears
    mark = len(client.published)
    client.text_document_did_close(t.DidCloseTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=app_uri)))
    await client.wait_for(app_uri, lambda v, ds: not ds, mark, "cleared diagnostics after close")

    await stop(client)


async def definition(client, uri, pos):
    locs = await asyncio.wait_for(
        client.text_document_definition_async(
            t.DefinitionParams(text_document=t.TextDocumentIdentifier(uri=uri), position=pos)
        ),
        TIMEOUT,
    )
    if locs is None:
        return []
    return locs if isinstance(locs, list) else [locs]


async def hover(client, uri, pos):
    h = await asyncio.wait_for(
        client.text_document_hover_async(t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=pos)),
        TIMEOUT,
    )
    if h is None:
        return None
    c = h.contents
    return c.value if isinstance(c, t.MarkupContent) else str(c)


async def document_symbols(client, uri):
    syms = await asyncio.wait_for(
        client.text_document_document_symbol_async(
            t.DocumentSymbolParams(text_document=t.TextDocumentIdentifier(uri=uri))
        ),
        TIMEOUT,
    )
    return list(syms or [])


def position_of(path, needle, inside=1, nth=0):
    """The UTF-16 position `inside` characters into the `nth` occurrence of `needle` in a file."""
    text = Path(path).read_text(encoding="utf-8")
    i = -1
    for _ in range(nth + 1):
        i = text.find(needle, i + 1)
        check(i >= 0, f"{needle!r} not in {path}")
    i += inside
    line = text[:i].count("\n")
    line_start = text.rfind("\n", 0, i) + 1
    return t.Position(line=line, character=utf16_len(text[line_start:i]))


def at(path, needle, inside=0):
    """(uri, line, character) of a needle in a file: what a Location should point at."""
    p = position_of(path, needle, inside)
    return (uri_of(path), p.line, p.character)


def locs_of(locs):
    return sorted((l.uri, l.range.start.line, l.range.start.character) for l in locs)


class Doc:
    """A testdata file opened in the client."""

    def __init__(self, client, path):
        self.client, self.path, self.uri = client, path, uri_of(path)
        open_doc(client, self.uri, path.read_text(encoding="utf-8"))

    async def definition(self, needle, inside=1, nth=0):
        return locs_of(await definition(self.client, self.uri, position_of(self.path, needle, inside, nth)))

    async def hover(self, needle, inside=1, nth=0):
        return await hover(self.client, self.uri, position_of(self.path, needle, inside, nth))


async def session_navigation(binary, testdata):
    # pyo3-remote: load() paths and symbols, the Reindeer project, symbols
    root = testdata / "pyo3-remote"
    client, result = await start_server(binary, root)
    caps = result.capabilities
    check(caps.definition_provider and caps.hover_provider, f"definition/hover not advertised: {caps}")
    check(caps.document_symbol_provider and caps.workspace_symbol_provider, f"symbols not advertised: {caps}")
    buck = Doc(client, root / "BUCK")
    defs = root / "defs.bzl"
    got = await buck.definition('":defs.bzl"')
    check(got == [(uri_of(defs), 0, 0)], f"definition of a load path: {got}")
    got = await buck.definition('"execution_platform")')
    check(got == [at(defs, "execution_platform = rule(")], f"definition of a loaded symbol: {got}")
    got = await buck.definition("execution_platform(\n", 3)
    check(got == [at(defs, "execution_platform = rule(")], f"definition of a call of a loaded symbol: {got}")

    tp = root / "third_party"
    pyo3_fixups = Doc(client, tp / "fixups" / "pyo3" / "fixups.toml")
    got = await pyo3_fixups.definition("buildscript")
    check(got == [at(tp / "BUCK", 'name = "pyo3-0.26.0"', 7)], f"fixups.toml → library rule: {got}")
    text = await pyo3_fixups.hover("buildscript", 3)
    check(text and "build script" in text and "`buildscript`" in text, f"hover on a fixups key: {text!r}")
    third = Doc(client, tp / "BUCK")
    got = await third.definition('name = "pyo3-0.26.0"', 9)
    check(got == [(pyo3_fixups.uri, 0, 0)], f"library rule → fixups.toml: {got}")
    text = await third.hover('":pyo3-0.26.0"')
    check(
        text and "cargo.rust_library" in text and "**0.26.0**" in text and "fixups/pyo3/fixups.toml" in text,
        f"hover on a crate label: {text!r}",
    )
    lock = Doc(client, tp / "Cargo.lock")
    got = await lock.definition('name = "pyo3-ffi"', 9)
    check(got == [(uri_of(tp / "fixups" / "pyo3-ffi" / "fixups.toml"), 0, 0)], f"Cargo.lock → fixups: {got}")

    syms = await document_symbols(client, uri_of(root / "toolchains" / "BUCK"))
    names = [s.name for s in syms]
    check({"python", "zig", "cxx"} <= set(names), f"documentSymbol of toolchains/BUCK: {names}")
    zig = [s for s in syms if s.name == "cxx"][0]
    check(zig.detail == "cxx_zig_toolchain" and zig.kind == t.SymbolKind.Object, f"symbol {zig}")
    syms = await document_symbols(client, uri_of(defs))
    kinds = {s.name: s.kind for s in syms}
    check(
        kinds.get("_platform_impl") == t.SymbolKind.Function and "execution_platform" in kinds,
        f"documentSymbol of defs.bzl: {kinds}",
    )
    impl = [s for s in syms if s.name == "_platform_impl"][0]
    check(impl.range.start == t.Position(line=0, character=0), f"a def's range starts at `def`: {impl.range}")
    found = await asyncio.wait_for(client.workspace_symbol_async(t.WorkspaceSymbolParams(query="pyo3-ffi")), TIMEOUT)
    found = list(found or [])
    check(found and found[0].name.startswith("pyo3-ffi"), f"workspace/symbol pyo3-ffi: {[s.name for s in found]}")
    check(all("pyo3-ffi" in s.name for s in found), f"workspace/symbol matches: {[s.name for s in found]}")
    check(found[0].location.uri == third.uri, f"workspace/symbol location {found[0].location}")
    await stop(client)

    # reindeer-sync: a crate with two locked versions, a build-script crate
    root = testdata / "reindeer-sync"
    client, _ = await start_server(binary, root)
    tp = root / "third-party"
    foxtrot = Doc(client, tp / "fixups" / "foxtrot" / "fixups.toml")
    got = await foxtrot.definition("", 0)
    want = sorted([at(tp / "BUCK", 'name = "foxtrot-0.9.0"', 7), at(tp / "BUCK", 'name = "foxtrot-1.2.0"', 7)])
    check(got == want, f"fixups.toml of a crate locked twice: {got} != {want}")
    third = Doc(client, tp / "BUCK")
    text = await third.hover(":alpha-1.0.0-build-script-run[out_dir]", 3)
    check(text and "buildscript_run" in text, f"hover on a build script run target: {text!r}")
    await stop(client)

    # lsp-nav: labels across packages and cells
    root = testdata / "lsp-nav"
    client, _ = await start_server(binary, root)
    app = Doc(client, root / "app" / "BUCK")
    shared_lib = at(root / "shared" / "lib" / "BUCK", 'name = "shared_lib"', 7)
    got = await app.definition('"shared//lib:shared_lib"')
    check(got == [shared_lib], f"cross-cell label: {got} != {[shared_lib]}")
    got = await app.definition('"common//lib:shared_lib"', 20)
    check(got == [shared_lib], f"label through a cell alias: {got}")
    got = await app.definition('":util"')
    check(got == [at(app.path, 'name = "util"', 7)], f"label in the same package: {got}")
    serde_alias = at(root / "third-party" / "rust" / "BUCK", 'name = "serde"', 7)
    got = await app.definition('"//third-party/rust:serde"', 5)
    check(got == [serde_alias], f"//third-party/rust:serde: {got} != {[serde_alias]}")
    got = await app.definition('APP_VERSION = "VERSION"', 16)
    check(got == [at(root / "build" / "defs.bzl", "VERSION = _VERSION")], f"load symbol: {got}")
    got = await app.definition("app_binary(\n", 2)
    check(got == [at(root / "build" / "defs.bzl", "app_binary(name", 0)], f"macro call: {got}")
    tools = Doc(client, root / "tools" / "BUCK")
    got = await tools.definition('"//app:app"', 3)
    check(got == [at(app.path, 'name = "app"', 7)], f"a target declared by a macro: {got}")
    text = await tools.hover('"//app:app"', 3)
    check(text and "`app_binary`" in text, f"hover on a macro-declared target names the macro: {text!r}")
    got = await app.definition('"main.rs"')
    check(got == [], f"a plain string has no definition: {got}")
    text = await app.hover('"//third-party/rust:serde"')
    check(
        text and "`alias`" in text and "`serde` **1.0.200**" in text and "fixups/serde/fixups.toml" in text,
        f"hover on a Reindeer alias: {text!r}",
    )
    text = await app.hover('"shared//lib:shared_lib"')
    check(text and "shared//lib:shared_lib" in text and "`rust_library`" in text, f"hover cross-cell: {text!r}")
    text = await app.hover('"app"')
    check(text is None or "rule:" not in text or "rust_binary" in text, f"hover on the app name: {text!r}")
    text = await app.hover("private-versioned", 2)
    check(
        text and "dep-on-private-versioned-target" in text and "(R21)" in text and "/rules/dep-on-private-versioned-target.md" in text,
        f"hover on a suppression: {text!r}",
    )
    text = await app.hover("srcs")
    check(text is None, f"no hover on a keyword argument: {text!r}")
    serde_fixups = Doc(client, root / "third-party" / "rust" / "fixups" / "serde" / "fixups.toml")
    got = await serde_fixups.definition('":serde_derive"', 3)
    want = at(root / "third-party" / "rust" / "BUCK", 'name = "serde_derive"', 7)
    check(got == [want], f"a label in fixups.toml is written in the generated BUCK's package: {got}")
    got = await serde_fixups.definition("features")
    want = at(root / "third-party" / "rust" / "BUCK", 'name = "serde-1.0.200"', 7)
    check(got == [want], f"fixups.toml → library rule: {got}")
    found = await asyncio.wait_for(client.workspace_symbol_async(t.WorkspaceSymbolParams(query="shared_lib")), TIMEOUT)
    found = [(s.name, s.container_name, s.location.uri) for s in found or []]
    check(
        found == [("shared_lib", "shared//lib (rust_library)", uri_of(root / "shared" / "lib" / "BUCK"))],
        f"workspace/symbol across cells: {found}",
    )
    await stop(client)


async def session_utf8(binary, root):
    client, result = await start_server(binary, root, encodings=["utf-8", "utf-16"])
    enc = result.capabilities.position_encoding
    check(enc in ("utf-8", t.PositionEncodingKind.Utf8), f"expected utf-8, server chose {enc}")
    lib_uri = uri_of(root / "lib" / "BUCK")
    mark = len(client.published)
    open_doc(client, lib_uri, LIB_BUCK)
    diags = await client.wait_for(lib_uri, lambda v, ds: rule_diags(ds), mark, RULE)
    d = rule_diags(diags)[0]
    line, start, end = expected_range(LIB_BUCK, '":_m-1.0.0"', "utf-8")
    got = (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
    check(got == (line, start, line, end), f"range {got} != {(line, start, line, end)} (UTF-8)")
    await stop(client)


async def main():
    here = Path(__file__).resolve().parent.parent
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BUCK_LINT_BIN", str(here / "target" / "debug" / "buck-lint"))
    check(os.path.exists(binary), f"no binary at {binary}")
    with tempfile.TemporaryDirectory() as d:
        root = Path(d).resolve()
        make_tree(root)
        await session_utf16(binary, root)
        await session_utf8(binary, root)
    await session_navigation(binary, here / "testdata")
    print("lsp_client: all checks passed")


async def dump_server_stderr():
    for c in CLIENTS:
        proc = getattr(c, "_server", None)
        if proc is None or proc.stderr is None:
            continue
        if proc.returncode is None:
            proc.kill()
        try:
            err = await asyncio.wait_for(proc.stderr.read(), 5)
        except Exception:
            continue
        if err:
            print("--- server stderr ---", file=sys.stderr)
            print(err.decode("utf-8", "replace"), file=sys.stderr)


async def run():
    try:
        await main()
    except BaseException as e:
        if isinstance(e, Failure):
            print(f"FAIL: {e}", file=sys.stderr)
        else:
            import traceback

            traceback.print_exc()
        await dump_server_stderr()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(run()))
