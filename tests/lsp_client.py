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
  - didClose clears; shutdown + exit → exit code 0.
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
