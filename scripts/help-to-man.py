#!/usr/bin/env python3
"""Writes stripe-webhookd(1), a man page in roff, from the binary's own help texts.

usage: scripts/help-to-man.py BINARY [DATE] > stripe-webhookd.1

Runs `BINARY --help` and `BINARY help COMMAND` for every command the overview's USAGE names, so the
page always says what the binary says. A help text is a first paragraph ("stripe-webhookd CMD: what it
does."), then sections whose headings are lines in capitals (USAGE, OPTIONS, ...); their lines are
column-aligned, so they are set as they are (no filling). DATE (YYYY-MM-DD) defaults to today; the
package passes the date of the last commit, so the page is the same for the same source.
"""
import datetime
import re
import subprocess
import sys

HEADING = re.compile(r"^[A-Z][A-Z0-9 ]*[A-Z0-9]$")


def run(binary, *arguments):
    """The standard output of the binary, which must exit 0."""
    result = subprocess.run([binary, *arguments], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"help-to-man: {binary} {' '.join(arguments)} exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def escape(text):
    """Text as roff prints it literally: backslashes, minus signs and non-ASCII characters escaped."""
    out = []
    for character in text:
        if character == "\\":
            out.append("\\e")
        elif character == "-":
            out.append("\\-")
        elif ord(character) > 126:
            out.append(f"\\[u{ord(character):04X}]")
        else:
            out.append(character)
    line = "".join(out)
    # A line starting with a dot or an apostrophe would be read as a request.
    return "\\&" + line if line[:1] in (".", "'") else line


def parse(text):
    """(first paragraph, [(heading, [lines])]) of one help text; text before a heading has heading None."""
    lines = text.rstrip("\n").split("\n")
    first = []
    while lines and lines[0].strip():
        first.append(lines.pop(0).strip())
    sections = []
    for line in lines:
        if HEADING.match(line):
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line)
        elif line.strip():
            sections.append((None, [line]))
    trimmed = []
    for heading, body in sections:
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        trimmed.append((heading, body))
    return " ".join(first), trimmed


def verbatim(body):
    """Lines set as they are, less their common indentation, in an indented no-fill block."""
    indent = min((len(line) - len(line.lstrip(" ")) for line in body if line.strip()), default=0)
    out = [".RS 2", ".nf"]
    for line in body:
        out.append(escape(line[indent:]) if line.strip() else "")
    out += [".fi", ".RE"]
    return out


def commands(overview_sections):
    """The commands the overview's USAGE names, in its order (help, the options and duplicates left out)."""
    names = []
    for heading, body in overview_sections:
        if heading != "USAGE":
            continue
        for line in body:
            match = re.match(r"\s*stripe-webhookd\s+\[?([a-z][a-z-]*)", line)
            if match and match.group(1) not in names and match.group(1) != "help":
                names.append(match.group(1))
    return names


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().split("\n")[2])
    binary = sys.argv[1]
    date = sys.argv[2] if len(sys.argv) == 3 else datetime.date.today().isoformat()
    version = run(binary, "--version").split()[-1]
    summary, sections = parse(run(binary, "--help"))
    # "stripe-webhookd 1.2.3: a Stripe webhook receiver that ..." -> "a Stripe webhook receiver"
    description = summary.split(": ", 1)[-1]
    name = re.split(r" that |, |\. ", description, maxsplit=1)[0].rstrip(".")

    page = [
        f'.TH STRIPE\\-WEBHOOKD 1 "{date}" "stripe\\-webhookd {escape(version)}" "User Commands"',
        ".SH NAME",
        f"stripe\\-webhookd \\- {escape(name)}",
        ".SH SYNOPSIS",
    ]
    usage = next((body for heading, body in sections if heading == "USAGE"), [])
    page += verbatim(usage)
    page += [".SH DESCRIPTION", escape(description[:1].upper() + description[1:])]
    for heading, body in sections:
        if heading == "USAGE":
            continue
        page += [f".SH {escape(heading)}" if heading else ".PP"] + verbatim(body)

    page.append(".SH COMMANDS")
    for command in commands(sections):
        summary, parts = parse(run(binary, "help", command))
        page += [f'.SS "stripe\\-webhookd {escape(command)}"', escape(summary.split(": ", 1)[-1])]
        for heading, body in parts:
            page.append(".PP")
            if heading:
                page.append(f".B {escape(heading)}")
            page += verbatim(body)

    page += [
        ".SH FILES",
        ".TP",
        ".I /etc/stripe\\-webhookd/config.json",
        "the configuration the packaged systemd unit passes with \\-\\-config",
        ".TP",
        ".I /etc/stripe\\-webhookd/env",
        "environment of the unit (STRIPE_WEBHOOK_SECRET=whsec_...), mode 0640 root:stripe\\-webhookd",
        ".TP",
        ".I /var/lib/stripe\\-webhookd/events.sqlite",
        "the event store of the packaged unit",
        ".SH SEE ALSO",
        "The README (/usr/share/doc/stripe\\-webhookd/README.md.gz when installed from the package) and",
        "the annotated configuration example (/usr/share/doc/stripe\\-webhookd/examples/config.example.json).",
    ]
    sys.stdout.write("\n".join(page) + "\n")


if __name__ == "__main__":
    main()
