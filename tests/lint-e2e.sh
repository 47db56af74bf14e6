#!/bin/sh
# SPDX-License-Identifier: MIT
# lint-e2e.sh - reject end-to-end test code whose failures cannot fail the test.
#
#   tests/lint-e2e.sh [SCRIPT...]      (default: tests/e2e/t*.sh)
#
# A test body runs under `set -e` (tests/lib.sh), and POSIX lets `set -e`
# ignore a failure in four places that look like checks but are not:
#
#   bang  `! cmd` outside an if/while condition: `set -e` ignores a pipeline
#         beginning with `!`, so the line passes whatever cmd does.  Use
#         test_must_fail cmd (or test_must_fail_with CODE cmd).
#   pipe  `a | b`: the pipeline's status is b's; a's is lost (dash has no
#         pipefail).  Write a's output to a file and read it: `a >out &&
#         b <out`.  A pipe whose left side cannot fail may stay if its line
#         says why: `# lint: pipe-ok <reason>`.
#   and   `a && b` that is not the last command of the body: when a fails, b
#         is skipped and `set -e` ignores it (it only looks at the last
#         command of an && list).  Put a and b on their own lines, or end the
#         chain with `|| return 1`, or, for a real condition, use `if`.
#   off   inside a command tested by && or || (`{ a; b; } && c`, a `for`
#         loop before `&&`), `set -e` is off: every command but the last
#         must be chained with && or handled with `|| return 1`, and a loop's
#         body must end with `|| return 1` (only the last turn counts).
#
# Bodies are the second argument of test_expect_success; shell functions the
# scripts define are checked the same way (tests call them under `set -e`);
# code at a script's top level (no `set -e`) is checked for bang and pipe.
# Each finding is printed as FILE:LINE: RULE: reason; the exit status is 1
# if there is one.  Before the scripts, the lint checks itself on a few
# samples that must be rejected (and one that must pass): a lint that no
# longer finds them exits 2.
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
	set -- "$here"/e2e/t[0-9][0-9][0-9][0-9]-*.sh
fi
exec /usr/bin/python3 - "$@" <<'PY'
import os
import re
import sys

OPS = ("&&", "||", ";;", "<<-", "<<", ">>", ">&", "<&", "<>", ">|", "|", "&", ";", "(", ")", "<", ">")
REDIRS = {"<<-", "<<", ">>", ">&", "<&", "<>", ">|", "<", ">"}
RESERVED = {"if", "then", "elif", "else", "fi", "do", "done", "case", "esac", "while", "until", "for",
            "{", "}", "!", "in"}
PIPE_OK = re.compile(r"lint:\s*pipe-ok\s+\S")


class LintError(Exception):
    def __init__(self, line, msg):
        super().__init__(msg)
        self.line = line


class Tok:
    def __init__(self, kind, val, line, qbody=None):
        self.kind = kind    # "word", "op", "nl" or "eof"
        self.val = val
        self.line = line
        self.qbody = qbody  # (code, first line) when the word is one quoted string

    def is_word(self, *vals):
        return self.kind == "word" and self.qbody is None and self.val in vals


class Source:
    """One piece of shell code: a file, a test body or a command substitution."""

    def __init__(self, text, line, findings, comments):
        self.s = text
        self.line = line
        self.findings = findings
        self.comments = comments  # line -> comment text


def dq_unescape(s):
    """The code a double-quoted test body holds, once the shell has read it."""
    return re.sub(r'\\([$`"\\])', r"\1", s)


def lex(src, pos=0, in_subst=False):
    """Tokens of src.s from pos; in a command substitution, up to its `)`."""
    s, toks, pending, depth = src.s, [], [], 0
    n = len(s)

    def newline_heredocs(p):
        for delim, strip in pending:
            while True:
                if p >= n:
                    raise LintError(src.line, "here-document %s is not closed" % delim)
                e = s.find("\n", p)
                e = n if e < 0 else e
                text = s[p:e]
                p = e + 1
                src.line += 1
                if (text.lstrip("\t") if strip else text) == delim:
                    break
        pending.clear()
        return p

    while pos < n:
        c = s[pos]
        if c in " \t":
            pos += 1
            continue
        if c == "\\" and s.startswith("\\\n", pos):
            pos += 2
            src.line += 1
            continue
        if c == "#":
            e = s.find("\n", pos)
            e = n if e < 0 else e
            src.comments[src.line] = src.comments.get(src.line, "") + s[pos:e]
            pos = e
            continue
        if c == "\n":
            toks.append(Tok("nl", "\n", src.line))
            src.line += 1
            pos = newline_heredocs(pos + 1)
            continue
        op = next((o for o in OPS if s.startswith(o, pos)), None)
        if op:
            if in_subst and op == ")" and depth == 0:
                toks.append(Tok("eof", "", src.line))
                return toks, pos + 1
            depth += op == "("
            depth -= op == ")"
            toks.append(Tok("op", op, src.line))
            pos += len(op)
            if op in ("<<", "<<-"):
                while pos < n and s[pos] in " \t":
                    pos += 1
                start = pos
                pos = scan_word(src, pos)
                delim = re.sub(r"[\"'\\]", "", s[start:pos])
                toks.append(Tok("word", delim, src.line))
                pending.append((delim, op == "<<-"))
            continue
        line = src.line
        start = pos
        pos = scan_word(src, pos)
        word = s[start:pos]
        qbody = None
        if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
            inner = word[1:-1]
            if word[0] == "'" and "'" not in inner:
                qbody = (inner, line)
            elif word[0] == '"' and scan_dquote(src_probe(word), 1) == len(word):
                qbody = (dq_unescape(inner), line)
        toks.append(Tok("word", word, line, qbody))
    if in_subst:
        raise LintError(src.line, "$( is not closed")
    if pending:
        raise LintError(src.line, "here-document %s is not closed" % pending[0][0])
    toks.append(Tok("eof", "", src.line))
    return toks, pos


def src_probe(word):
    """A throwaway source, to ask whether a double-quoted word is one string."""
    return Source(word, 0, [], {})


def scan_word(src, pos):
    """End of the word at pos; checks the command substitutions in it."""
    s, n = src.s, len(src.s)
    while pos < n:
        c = s[pos]
        if c in " \t\n" or any(s.startswith(o, pos) for o in OPS):
            return pos
        if c == "\\":
            src.line += s[pos + 1:pos + 2] == "\n"
            pos += 2
        elif c == "'":
            e = s.find("'", pos + 1)
            if e < 0:
                raise LintError(src.line, "' is not closed")
            src.line += s.count("\n", pos, e)
            pos = e + 1
        elif c == '"':
            pos = scan_dquote(src, pos + 1)
        elif c in "$`":
            pos = scan_dollar(src, pos)
        else:
            pos += 1
    return pos


def scan_dquote(src, pos):
    s, n = src.s, len(src.s)
    while pos < n:
        c = s[pos]
        if c == "\\":
            src.line += s[pos + 1:pos + 2] == "\n"
            pos += 2
        elif c == '"':
            return pos + 1
        elif c in "$`":
            pos = scan_dollar(src, pos)
        else:
            src.line += c == "\n"
            pos += 1
    raise LintError(src.line, '" is not closed')


def scan_dollar(src, pos):
    """Skips $name, ${...} and $((...)); checks $(...) and `...` as code."""
    s = src.s
    if s.startswith("$((", pos):
        depth, pos = 0, pos + 1
        while pos < len(s):
            depth += (s[pos] == "(") - (s[pos] == ")")
            src.line += s[pos] == "\n"
            pos += 1
            if depth == 0:
                return pos
        raise LintError(src.line, "$(( is not closed")
    if s.startswith("$(", pos):
        toks, pos = lex(src, pos + 2, in_subst=True)
        check_tokens(src, toks, "sete")
        return pos
    if s.startswith("${", pos):
        e = s.find("}", pos)
        if e < 0:
            raise LintError(src.line, "${ is not closed")
        return e + 1
    if s[pos] == "`":
        e = pos + 1
        while e < len(s) and s[e] != "`":
            e += 2 if s[e] == "\\" else 1
        if e >= len(s):
            raise LintError(src.line, "` is not closed")
        sub = Source(s[pos + 1:e], src.line, src.findings, src.comments)
        check_tokens(sub, lex(sub)[0], "sete")
        src.line = sub.line
        return e + 1
    return pos + 1


# ---- a parser for the part of the shell grammar the tests use ----

class Parser:
    def __init__(self, toks):
        self.t = toks
        self.i = 0

    def peek(self):
        return self.t[self.i]

    def take(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def skip_nl(self):
        while self.peek().kind == "nl":
            self.i += 1

    def expect_word(self, val):
        self.skip_nl()
        tok = self.take()
        if not tok.is_word(val):
            raise LintError(tok.line, "expected %s, found %r" % (val, tok.val))

    def at_end(self, stops):
        tok = self.peek()
        return tok.kind == "eof" or (tok.kind == "op" and tok.val in (")", ";;")) or \
            (tok.kind == "word" and tok.qbody is None and tok.val in stops)

    def parse_list(self, stops=()):
        """[and-or list, ...]; each is (pipelines, ops)."""
        items = []
        while True:
            self.skip_nl()
            if self.at_end(stops):
                return items
            items.append(self.parse_and_or(stops))
            tok = self.peek()
            if tok.kind == "op" and tok.val in (";", "&"):
                self.i += 1
            elif tok.kind not in ("nl", "eof") and not self.at_end(stops):
                raise LintError(tok.line, "unexpected %r" % tok.val)

    def parse_and_or(self, stops):
        pipes, ops = [self.parse_pipeline(stops)], []
        while self.peek().kind == "op" and self.peek().val in ("&&", "||"):
            ops.append(self.take().val)
            self.skip_nl()
            pipes.append(self.parse_pipeline(stops))
        return pipes, ops

    def parse_pipeline(self, stops):
        bang = None
        if self.peek().is_word("!"):
            bang = self.take().line
        cmds, pipe_lines = [self.parse_command(stops)], []
        while self.peek().kind == "op" and self.peek().val == "|":
            pipe_lines.append(self.take().line)
            self.skip_nl()
            cmds.append(self.parse_command(stops))
        return {"bang": bang, "cmds": cmds, "pipes": pipe_lines}

    def redirs(self):
        while self.peek().kind == "op" and self.peek().val in REDIRS:
            self.take()
            self.take()

    def parse_command(self, stops):
        tok = self.peek()
        line = tok.line
        if tok.is_word("{"):
            self.take()
            body = self.parse_list(("}",))
            self.expect_word("}")
            self.redirs()
            return {"kind": "group", "body": body, "line": line}
        if tok.kind == "op" and tok.val == "(":
            self.take()
            body = self.parse_list()
            tok = self.take()
            if tok.val != ")":
                raise LintError(tok.line, "( is not closed")
            self.redirs()
            return {"kind": "subshell", "body": body, "line": line}
        if tok.is_word("if"):
            self.take()
            conds, bodies = [], []
            while True:
                conds.append(self.parse_list(("then",)))
                self.expect_word("then")
                bodies.append(self.parse_list(("elif", "else", "fi")))
                tok = self.take()
                if tok.is_word("elif"):
                    continue
                if tok.is_word("else"):
                    bodies.append(self.parse_list(("fi",)))
                    self.expect_word("fi")
                elif not tok.is_word("fi"):
                    raise LintError(tok.line, "if without fi")
                break
            self.redirs()
            return {"kind": "if", "conds": conds, "bodies": bodies, "line": line}
        if tok.is_word("while", "until"):
            self.take()
            cond = self.parse_list(("do",))
            self.expect_word("do")
            body = self.parse_list(("done",))
            self.expect_word("done")
            self.redirs()
            return {"kind": "loop", "conds": [cond], "body": body, "line": line}
        if tok.is_word("for"):
            self.take()
            self.take()  # the name
            if self.peek().kind == "nl":
                self.skip_nl()
            if self.peek().is_word("in"):
                self.take()
                while self.peek().kind == "word":
                    self.take()
            if self.peek().kind == "op" and self.peek().val == ";":
                self.take()
            self.expect_word("do")
            body = self.parse_list(("done",))
            self.expect_word("done")
            self.redirs()
            return {"kind": "loop", "conds": [], "body": body, "line": line}
        if tok.is_word("case"):
            self.take()
            self.take()  # the word
            self.expect_word("in")
            branches = []
            while True:
                self.skip_nl()
                if self.peek().is_word("esac"):
                    self.take()
                    break
                while not (self.peek().kind == "op" and self.peek().val == ")"):
                    if self.peek().kind == "eof":
                        raise LintError(line, "case without esac")
                    self.take()  # the patterns, their ( and |
                self.take()
                branches.append(self.parse_list(("esac",)))
                if self.peek().kind == "op" and self.peek().val == ";;":
                    self.take()
            self.redirs()
            return {"kind": "if", "conds": [], "bodies": branches, "line": line}
        # a function definition, or a simple command
        words, start = [], self.i
        while True:
            tok = self.peek()
            if tok.kind == "word":
                if not words and tok.qbody is None and tok.val in RESERVED:
                    raise LintError(tok.line, "unexpected %r" % tok.val)
                words.append(self.take())
            elif tok.kind == "op" and tok.val in REDIRS:
                self.take()
                if self.peek().kind != "word":
                    raise LintError(tok.line, "redirection without a target")
                self.take()
            elif tok.kind == "op" and tok.val == "(" and len(words) == 1:
                self.take()
                if self.take().val != ")":
                    raise LintError(tok.line, "bad function definition")
                self.skip_nl()
                return {"kind": "function", "name": words[0].val, "body": self.parse_command(stops),
                        "line": line}
            else:
                break
        if self.i == start:
            raise LintError(tok.line, "missing command before %r" % tok.val)
        return {"kind": "simple", "words": words, "line": line}


# ---- the rules ----

def find(src, line, rule, why):
    src.findings.append((line, rule, why))


def parse(toks):
    p = Parser(toks)
    items = p.parse_list()
    if p.peek().kind != "eof":
        raise LintError(p.peek().line, "unexpected %r" % p.peek().val)
    return items


def check_tokens(src, toks, ctx):
    check_list(src, parse(toks), ctx, True)


def check_list(src, items, ctx, tail):
    """ctx: "sete" (set -e on), "off" (set -e off, the status is tested),
    "cond" (an if/while condition), "top" (a script's top level)."""
    for k, (pipes, ops) in enumerate(items):
        item_tail = tail and k == len(items) - 1
        first = pipes[0]
        line = first["cmds"][0]["line"]
        if ctx == "sete" and ops and ops[-1] == "&&" and not item_tail:
            find(src, line, "and", "a failure before this && is ignored by set -e "
                 "(only the last command of an && list counts): one command a line, "
                 "or end the chain with || return 1")
        if ctx in ("off", "cond") and not item_tail and not (ops and ops[-1] == "||"):
            find(src, line, "off", "set -e is off here (this runs inside a command tested by "
                 "&& or ||, or an if condition): chain it with && or add || return 1")
        for j, pipe in enumerate(pipes):
            if pipe["bang"] is not None and ctx != "cond":
                find(src, pipe["bang"], "bang", "set -e ignores a pipeline that begins with !: "
                     "use test_must_fail (or test_must_fail_with CODE)")
            for pl in pipe["pipes"]:
                if not PIPE_OK.search(src.comments.get(pl, "")):
                    find(src, pl, "pipe", "the exit status left of | is lost: write it to a "
                         "file first, or say why it cannot fail with # lint: pipe-ok REASON")
            tested = j < len(pipes) - 1 or ctx in ("off", "cond")
            sub_tail = item_tail if j == len(pipes) - 1 else True
            for cmd in pipe["cmds"]:
                check_command(src, cmd, "top" if ctx == "top" else "off" if tested else "sete",
                              sub_tail)


def check_command(src, cmd, ctx, tail):
    kind = cmd["kind"]
    if kind == "simple":
        words = cmd["words"]
        if words and words[0].val == "test_expect_success" and len(words) >= 3 and words[2].qbody:
            code, line = words[2].qbody
            body = Source(code, line, src.findings, src.comments)
            check_tokens(body, lex(body)[0], "sete")
        return
    if kind == "function":
        check_command(src, cmd["body"], "sete", True)
        return
    if kind == "subshell":
        check_list(src, cmd["body"], ctx, True)
        return
    if kind == "group":
        check_list(src, cmd["body"], ctx, tail)
        return
    cond_ctx = "top" if ctx == "top" else "cond"
    for cond in cmd["conds"]:
        check_list(src, cond, cond_ctx, True)
    if kind == "if":
        for body in cmd["bodies"]:
            check_list(src, body, ctx, tail)
    else:
        # a loop: only the last turn's status is the loop's
        check_list(src, cmd["body"], ctx, False)


def lint_text(text):
    """[(line, rule, why)] for one script's text."""
    src = Source(text, 1, [], {})
    try:
        toks = lex(src)[0]
        check_list(src, parse(toks), "top", False)
    except LintError as e:
        src.findings.append((e.line, "parse", str(e)))
    return sorted(set(src.findings))


# ---- the lint checks itself first ----

# Each sample script and the (line, rule) findings it must give.
SAMPLES = [
    (r"""test_expect_success 'bang' '
	true
	! false
	true
'
""", [(3, "bang")]),
    (r"""test_expect_success 'pipe, also in $()' '
	false | cat >out
	x=$(false | cut -c1)
	test -s out
'
""", [(2, "pipe"), (3, "pipe")]),
    (r"""test_expect_success 'and' '
	false && true
	echo done
'
""", [(2, "and")]),
    (r"""test_expect_success 'off' '
	for f in a b; do
		false
		true
	done &&
	{ false; true; } &&
	true
'
""", [(3, "off"), (4, "off"), (6, "off")]),
    (r"""f() {
	printf x | grep -q x
}
for b in 1; do
	test_expect_success "a double-quoted body $b" "
		! test_grep \"x\" out
	"
done
""", [(2, "pipe"), (6, "bang")]),
    (r"""test_expect_success 'fine' '
	if ! false; then :; fi
	printf x | cat # lint: pipe-ok printf of a literal
	a=1 || true
	cat <<-EOF >x &&
	not | code
	EOF
	for n in 1 2; do
		true && true || return 1
	done &&
	true
'
""", []),
]


def self_test():
    ok = True
    for text, want in SAMPLES:
        got = [(line, rule) for line, rule, _ in lint_text(text)]
        if got != want:
            print("lint-e2e: self-test: expected %s, found %s in:\n%s" % (want, got, text),
                  file=sys.stderr)
            ok = False
    return ok


def main(paths):
    if not self_test():
        return 2
    bad = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        name = os.path.relpath(path)
        name = path if name.startswith("..") else name
        for line, rule, why in lint_text(text):
            print("%s:%d: %s: %s" % (name, line, rule, why))
            bad += 1
    if bad:
        print("lint-e2e: %d finding%s in %d script%s" % (bad, "" if bad == 1 else "s", len(paths),
              "" if len(paths) == 1 else "s"), file=sys.stderr)
        return 1
    return 0


sys.exit(main(sys.argv[1:]))
PY
