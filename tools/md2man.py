#!/usr/bin/env python3
"""Turns one of hookctl's Markdown documents into a man page (roff, man macros).

    md2man.py --name hookctl.toml --section 5 --summary "..." [--see-also "a(1), b(8)"]
              --version 0.1.0 IN.md OUT

So the man pages are made from the same text as docs/ (docs/config.md is
hookctl.toml(5)), not kept as a second copy that drifts. It knows the Markdown
those files use, and refuses anything else with the line number, rather than
printing it wrong:

  # Title            dropped (NAME is made from --name and --summary)
  ## Heading         .SH            ### Heading   .SS
  paragraph          .PP            * item / - item / 1. item   .IP
  ```fenced code```  indented, no fill
  | table |          one .TP entry per row: the first cell is the tag, the middle
                     cells "header: value", the last cell the text (tables wider
                     than 80 columns do not survive in a terminal)
  `code` **bold** *emphasis* [text](link)   inline
  <!-- comment -->   dropped (whole lines)

Text before the first ## heading goes under DESCRIPTION.
"""
import argparse
import re
import sys

# Non-ASCII characters the docs use, as groff escapes (so the page renders the same
# in any locale and `man --warnings` stays quiet).
GLYPHS = {
    "≥": r"\(>=", "≤": r"\(<=", "→": r"\(->", "←": r"\(<-", "×": r"\(mu", "−": r"\-",
    "…": r"\&...", "—": r"\(em", "–": r"\(en", "²": r"\(S2", "³": r"\(S3", "’": "'",
    "“": r"\(lq", "”": r"\(rq", "·": r"\(pc", "≠": r"\(!=", "±": r"\(+-", "°": r"\(de",
}


class Md2ManError(Exception):
    pass


def escape(text, code=False):
    """Escapes plain text for roff: backslashes, and in code every '-' as a minus."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append(r"\e")
        elif ch == "-" and code:
            out.append(r"\-")
        elif ord(ch) > 127:
            out.append(GLYPHS.get(ch, r"\[u%04X]" % ord(ch)))
        else:
            out.append(ch)
    return "".join(out)


INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])|\[([^\]]+)\]\(([^)]+)\)")


def inline(text):
    """Markdown inline markup to roff font escapes."""
    out, pos = [], 0
    for m in INLINE.finditer(text):
        out.append(escape(text[pos:m.start()]))
        code, bold, emph, link_text, link = m.groups()
        if code is not None:
            out.append(r"\fB" + escape(code, code=True) + r"\fR")
        elif bold is not None:
            out.append(r"\fB" + inline(bold) + r"\fR")
        elif emph is not None:
            out.append(r"\fI" + inline(emph) + r"\fR")
        else:
            out.append(inline(link_text))
            if link.startswith(("http://", "https://")):
                out.append(" <" + escape(link) + ">")
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def text_lines(text):
    """Inline-converted text as roff lines: no line may start with '.' or "'"."""
    line = inline(text.strip())
    return r"\&" + line if line.startswith((".", "'")) else line


def split_row(line):
    cells = re.split(r"(?<!\\)\|", line.strip())
    if cells and cells[0] == "":
        cells = cells[1:]
    if cells and cells[-1] == "":
        cells = cells[:-1]
    return [c.strip().replace(r"\|", "|") for c in cells]


def table(rows, lineno):
    header, body = rows[0], rows[2:]
    if not re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", rows[1].replace(" ", "")):
        raise Md2ManError(f"line {lineno + 1}: a table needs a |---| line under its header")
    names = split_row(header)
    out = []
    for row in body:
        cells = split_row(row)
        if len(cells) != len(names):
            raise Md2ManError(f"table row with {len(cells)} cells, header has {len(names)}: {row}")
        out.append(".TP")
        out.append(text_lines(cells[0]))
        if len(cells) == 2:
            out.append(text_lines(cells[1]) if cells[1] else r"\&")
            continue
        middle = [f"{n}: {c}" for n, c in zip(names[1:-1], cells[1:-1]) if c]
        if middle:
            out.append(text_lines("; ".join(middle) + ("." if cells[-1] else "")))
        if cells[-1]:
            if middle:
                out.append(".br")
            out.append(text_lines(cells[-1]))
        elif not middle:
            out.append(r"\&")
    return out


def convert(md, name, section, summary, version, see_also):
    lines = md.split("\n")
    out = [
        f'.TH "{name.upper()}" "{section}" "" "hookctl {version}" '
        f'"{"File Formats" if section == "5" else "System Administration"}"',
        ".SH NAME",
        escape(name, code=True) + r" \- " + escape(summary),
    ]
    in_description = False
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if line.startswith("# "):
            i += 1
            continue
        if stripped.startswith("<!--"):
            while i < len(lines) and "-->" not in lines[i]:
                i += 1
            if i == len(lines):
                raise Md2ManError("a <!-- comment is not closed")
            i += 1
            continue
        if line.startswith("## "):
            out.append('.SH "' + inline(line[3:].strip()).replace('"', '""') + '"')
            in_description = True
            i += 1
            continue
        if not in_description:
            out.append(".SH DESCRIPTION")
            in_description = True
        if line.startswith("### "):
            out.append('.SS "' + inline(line[4:].strip()).replace('"', '""') + '"')
            i += 1
            continue
        if line.startswith("#"):
            raise Md2ManError(f"line {i + 1}: heading level not supported: {line}")
        if stripped.startswith("```"):
            end = i + 1
            while end < len(lines) and not lines[end].strip().startswith("```"):
                end += 1
            if end == len(lines):
                raise Md2ManError(f"line {i + 1}: code block not closed")
            out += [".PP", ".RS 4", ".nf"]
            for code in lines[i + 1:end]:
                c = escape(code, code=True)
                out.append(r"\&" + c if c.startswith((".", "'")) or not c else c)
            out += [".fi", ".RE"]
            i = end + 1
            continue
        if stripped.startswith("|"):
            end = i
            while end < len(lines) and lines[end].strip().startswith("|"):
                end += 1
            out += table(lines[i:end], i)
            i = end
            continue
        item = re.match(r"(\s*)([*-]|\d+\.)\s+(.*)", line)
        if item:
            mark = r"\(bu" if item.group(2) in "*-" else item.group(2)
            text = [item.group(3)]
            i += 1
            # Continuation lines are indented; a blank line or a new item ends it.
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip() and \
                    not re.match(r"\s*([*-]|\d+\.)\s+", lines[i]):
                text.append(lines[i].strip())
                i += 1
            out += [f".IP {mark} 4", text_lines(" ".join(text))]
            continue
        if stripped.startswith(">") or stripped.startswith("<"):
            raise Md2ManError(f"line {i + 1}: not supported in a man page: {line}")
        text = []
        while i < len(lines) and lines[i].strip() and not re.match(
                r"(#|```|\||\s*([*-]|\d+\.)\s)", lines[i]):
            text.append(lines[i].strip())
            i += 1
        out += [".PP", text_lines(" ".join(text))]
    if see_also:
        out += [".SH \"SEE ALSO\"", escape(see_also)]
    return "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--name", required=True)
    p.add_argument("--section", required=True)
    p.add_argument("--summary", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--see-also", default="")
    p.add_argument("input")
    p.add_argument("output")
    a = p.parse_args()
    with open(a.input, encoding="utf-8") as f:
        md = f.read()
    try:
        page = convert(md, a.name, a.section, a.summary, a.version, a.see_also)
    except Md2ManError as e:
        sys.exit(f"{a.input}: {e}")
    with open(a.output, "w", encoding="ascii") as f:
        f.write(page)


if __name__ == "__main__":
    main()
