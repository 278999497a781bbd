"""A command's ``--help`` from its module docstring, as plain text, in English or Japanese.
Apart from ``_args`` (typed values, which load numpy) because ``cyberloss --help`` and
``--version`` load this.

Every help text, description and word-like metavar is written in both languages side by side,
``both("print JSON instead of a table", "表ではなく JSON を出力")``: argparse reads the English (a
``str``), and :class:`JapaneseFormatter`, the formatter of a parser :func:`in_japanese` has
switched, shows the Japanese.  A command's epilog is its module docstring and ``DOC_JA``, the
same reference text in Japanese.  The parsing and the options are the same in either
language; a usage error (argparse's own sentences and the typed values' ``must be ...``) is
shown in Japanese by :func:`usage_error_in_japanese`.
"""
from __future__ import annotations

import argparse
import re
from collections.abc import Iterator, Sequence

from ..report import language
from ..report.text import width as display_width

_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")


class Words(str):
    """English text (what argparse reads) with its Japanese in ``ja``."""

    ja: str

    def __new__(cls, en: str, ja: str) -> Words:
        words = super().__new__(cls, en)
        words.ja = ja
        return words


def both(en: str, ja: str) -> str:
    """A help text, description or metavar in English and in Japanese."""
    return Words(en, ja)


def japanese(words: str) -> str:
    """The Japanese of ``words`` (argparse's own words included); ``words`` itself if it has none."""
    return getattr(words, "ja", None) or ARGPARSE_JA.get(words, words)


# argparse's own words in its help: the headings and the help of -h
ARGPARSE_JA = {"usage: ": "使用法: ", "positional arguments": "位置引数", "options": "オプション",
               "show this help message and exit": "このヘルプを表示して終了"}


# argparse's usage errors (Python 3.10-3.13 wording) and the typed values' (``_args``), in
# Japanese: (pattern over the whole message, its Japanese); {1}, {2} are the pattern's groups.
_USAGE_ERRORS_JA = tuple((re.compile(pattern, re.S), ja) for pattern, ja in (
    (r"the following arguments are required: (.+)", "次の引数が必要: {1}"),
    (r"unrecognized arguments: (.+)", "解釈できない引数: {1}"),
    (r"invalid choice: (.+) \(choose from (.+)\)", "無効な選択: {1}（選べるもの: {2}）"),
    (r"invalid (\S+) value: (.+)", "{1} として無効な値: {2}"),
    (r"expected one argument", "値を 1 つ指定する"),
    (r"expected at most one argument", "値は 1 つまで"),
    (r"expected at least one argument", "値を 1 つ以上指定する"),
    (r"expected (\d+) arguments?", "値を {1} 個指定する"),
    (r"ambiguous option: (\S+) could match (.+)", "あいまいなオプション: {1} は {2} のどれとも読める"),
    (r"not allowed with argument (.+)", "引数 {1} と同時には指定できない"),
    (r"one of the arguments (.+) is required", "引数 {1} のいずれかが必要"),
    (r"ignored explicit argument (.+)", "指定された値 {1} は使われない"),
    (r"must be an integer( .+)?, got (.+)", "整数{1}を指定する（入力: {2}）"),
    (r"must be a finite number( .+)? \(or a percentage such as 30%\), got (.+)",
     "有限の数値{1}、または '30%' のような百分率を指定する（入力: {2}）"),
    (r"must be a finite number( .+)?, got (.+)", "有限の数値{1}を指定する（入力: {2}）"),
))
_BOUNDS_JA = ((re.compile(r" >= (\S+) and <= (\S+)"), "（{1} 以上 {2} 以下）"),
              (re.compile(r" >= (\S+)"), "（{1} 以上）"), (re.compile(r" <= (\S+)"), "（{1} 以下）"))


def usage_error_in_japanese(message: str) -> str:
    """A usage error in Japanese: ``argument --years: must be an integer >= 1000, got 'abc'``
    is ``引数 --years: 整数（1000 以上）を指定する（入力: 'abc'）``; a message of other words is
    returned as it is."""
    head, sep, rest = message.partition(": ")
    if head.startswith("argument ") and sep:
        return f"引数 {head[len('argument '):]}: {usage_error_in_japanese(rest)}"
    for pattern, ja in _USAGE_ERRORS_JA:
        match = pattern.fullmatch(message)
        if match:
            parts = [match.group(0), *(g or "" for g in match.groups())]
            if message.startswith("must be "):       # the typed values': their bounds first
                for bound, words in _BOUNDS_JA:
                    found = bound.fullmatch(parts[1])
                    if found:
                        parts[1] = words.format(None, *found.groups())
                        break
            return ja.format(*parts)
    return message


def plain(doc: str) -> str:
    """reST of a docstring as plain text for ``--help``: ``code`` and :func:`name` lose their
    markup, paragraphs stay."""
    return _ROLE.sub(r"\1", doc).replace("``", "").strip()


def document(parser: argparse.ArgumentParser, doc: str | None, doc_ja: str | None = None) -> None:
    """Give a command's parser its module docstring (``doc_ja``: the same in Japanese): the first
    paragraph as the description (unless it has one), the rest after the options, reST markup
    removed."""
    if not doc:
        return
    first, _, rest = doc.strip().partition("\n\n")
    first_ja, _, rest_ja = (doc_ja or "").strip().partition("\n\n")
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    if not parser.description:
        parser.description = both(plain(" ".join(first.split())), plain(first_ja))
    parser.epilog = both(plain(rest), plain(rest_ja)) if plain(rest) else None


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """``parser`` and its commands' parsers."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                yield from parsers(command)


def in_japanese(parser: argparse.ArgumentParser) -> None:
    """Show the help of ``parser`` and of its commands in Japanese."""
    for each in parsers(parser):
        each.formatter_class = JapaneseFormatter


def help_language(argv: Sequence[str]) -> str:
    """The language of the help ``argv`` asks for: its last ``--lang ja|en`` (also
    ``--lang=ja``), else the locale's.  A value that is not a language is left to the parser
    to refuse."""
    chosen = None
    for word, following in zip(argv, [*argv[1:], ""]):
        value = following if word == "--lang" else word[len("--lang="):] if word.startswith("--lang=") else None
        if value in language.LANGUAGES:
            chosen = value
    return language.resolve(chosen)


# A line does not start with closing punctuation, nor end with an opening one (禁則).
_NO_LINE_START = set("、。，．）」』】〕：；！？ー・ぁぃぅぇぉっゃゅょァィゥェォッャュョ…")
_NO_LINE_END = set("（「『【〔")


def _tokens(paragraph: str) -> list[str]:
    """``paragraph`` cut where a line may break: between two wide characters, at a space, and
    between an ASCII word and a wide character (an ASCII word is not cut), the 禁則 characters
    kept with their neighbour."""
    pieces = re.findall(r" +|[!-~]+|.", paragraph)
    tokens: list[str] = []
    glue = False        # the previous piece may not end a line
    for piece in pieces:
        if tokens and not piece.isspace() and not tokens[-1].isspace() and (glue or piece[0] in _NO_LINE_START):
            tokens[-1] += piece
        else:
            tokens.append(piece)
        glue = piece[-1] in _NO_LINE_END
    return tokens


# A line break of the source text joins without a space between two Japanese characters and
# next to Japanese punctuation ("、\n[stop_loss]"), else with one ("を\nJSON").
_PUNCTUATION = "、。，．：；（「『【）」』】"
_JOINED = re.compile(rf"(?<=[^ -~]) *\n *(?=[^ -~])|(?<=[{_PUNCTUATION}]) *\n *| *\n *(?=[{_PUNCTUATION}])")


def wrap(paragraph: str, columns: int) -> list[str]:
    """``paragraph`` (its line breaks joined) in lines of at most ``columns`` terminal columns,
    a word longer than that on a line of its own."""
    paragraph = _JOINED.sub("", paragraph.strip())
    lines: list[str] = []
    line = ""
    for token in _tokens(" ".join(paragraph.split())):
        if token.isspace():
            line += " " if line else ""
        elif line and display_width(line + token) > columns:
            lines.append(line.rstrip())
            line = token
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() else lines


class JapaneseFormatter(argparse.HelpFormatter):
    """argparse's help in Japanese: each text's ``Words.ja``, argparse's own headings, metavars
    and descriptions translated, lines wrapped and columns aligned by display width (a Japanese
    character takes two columns; argparse counts one)."""

    def start_section(self, heading):
        super().start_section(japanese(heading) if heading else heading)

    def add_text(self, text):
        super().add_text(japanese(text) if text else text)

    def add_argument(self, action):
        if action.help is not argparse.SUPPRESS:
            invocations = [self._format_action_invocation(action)]
            invocations += [self._format_action_invocation(sub) for sub in self._iter_indented_subactions(action)]
            self._action_max_length = max(self._action_max_length,
                                          max(map(display_width, invocations)) + self._current_indent)
            self._add_item(self._format_action, [action])

    def _format_usage(self, usage, actions, groups, prefix):
        """``使用法: PROG [OPTION ...] POSITIONAL ...`` in argparse's layout (on one line if it
        fits, else the options, then the positionals, on lines under the first option), wrapped
        by display width.  The commands have no exclusive groups nor a usage of their own."""
        prefix = japanese("usage: ")
        if usage is not None or groups:
            return super()._format_usage(usage, actions, groups, prefix)
        head = prefix + self._prog
        columns = self._width - self._current_indent
        optionals, positionals = ([part for action in actions if bool(action.option_strings) == kind
                                   if (part := self._format_actions_usage([action], []))]
                                  for kind in (True, False))
        if display_width(" ".join([head, *optionals, *positionals])) <= columns:
            return " ".join([head, *optionals, *positionals]) + "\n\n"
        indent = " " * (display_width(head) + 1)
        lines = _lines(optionals, head, indent, columns) + _lines(positionals, None, indent, columns)
        return "\n".join(lines) + "\n\n"

    def _format_action(self, action):
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = " " * self._current_indent + self._format_action_invocation(action)
        help_text = self._expand_help(action) if action.help and action.help.strip() else ""
        help_lines = self._split_lines(help_text, help_width) if help_text else []
        if not help_lines:
            parts = [header + "\n"]
        elif display_width(header) - self._current_indent <= action_width:
            gap = help_position - display_width(header)
            parts = [header + " " * gap + help_lines.pop(0) + "\n"]
        else:
            parts = [header + "\n"]
        parts += [" " * help_position + line + "\n" for line in help_lines]
        parts += [self._format_action(sub) for sub in self._iter_indented_subactions(action)]
        return self._join_parts(parts)

    def _metavar_formatter(self, action, default_metavar):
        if action.metavar is not None:
            shown = japanese(action.metavar)
        elif action.choices is not None:
            shown = "{%s}" % ",".join(map(str, action.choices))
        else:
            shown = default_metavar
        return lambda size: shown if isinstance(shown, tuple) else (shown,) * size

    def _get_help_string(self, action):
        return japanese(action.help)

    def _split_lines(self, text, width):
        return wrap(text, width)

    def _fill_text(self, text, width, indent):
        return "\n\n".join("\n".join(indent + line for line in wrap(paragraph, width))
                           for paragraph in re.split(r"\n\s*\n", text.strip()))


def _lines(parts: list[str], first: str | None, indent: str, columns: int) -> list[str]:
    """``parts`` joined by spaces in lines of at most ``columns`` columns (a longer part alone),
    the first line after ``first`` (None: a new line), the others after ``indent``."""
    lines, line = [], first
    for part in parts:
        if line is None:
            line = indent + part
        elif display_width(f"{line} {part}") > columns:
            lines.append(line)
            line = indent + part
        else:
            line = f"{line} {part}"
    return lines if line is None else [*lines, line]
