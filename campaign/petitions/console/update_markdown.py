"""An update's Markdown as the two parts of an e-mail: sanitised HTML and readable plain text.

Browsers send textarea lines with CRLF; both renderings read CRLF, CR and LF alike. The HTML is
CommonMark with raw HTML not interpreted, javascript:/data: links refused by the parser, and
nh3 after; images are off (a remote image in a signer's mail tells its server who read it);
the text part is built from the same parse, so what a text-only reader gets matches: no
`**`, a link followed by its address, lists as lists.
"""
from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

_parser = (MarkdownIt("commonmark", {"html": False, "linkify": False})
           .enable("table").disable("image"))
_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
         "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th",
         "td"}


def normalise(source: str) -> str:
    return (source or "").replace("\r\n", "\n").replace("\r", "\n")


def to_html(source: str) -> str:
    return nh3.clean(_parser.render(normalise(source)), tags=_TAGS,
                     url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow")


def _inline(token: Token) -> str:
    parts: list[str] = []
    href, start = None, 0
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
        elif child.type == "link_open":
            href, start = str(child.attrGet("href") or ""), len(parts)
        elif child.type == "link_close":
            label = "".join(parts[start:])
            if href and href not in (label, f"mailto:{label}"):
                parts.append(f" <{href}>")
            href = None
    return "".join(parts)


def to_text(source: str) -> str:  # noqa: C901 - one branch per Markdown block kind
    """Plain text: paragraphs split by a blank line, list items on their own lines."""
    blocks: list[tuple[str, bool]] = []   # (text, is a list item)
    lists: list[int | None] = []          # per open list: next number, or None for bullets
    marker = ""
    quote = 0
    for token in _parser.parse(normalise(source)):
        kind = token.type
        if kind == "bullet_list_open":
            lists.append(None)
        elif kind == "ordered_list_open":
            lists.append(int(token.attrGet("start") or 1))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            number = lists[-1]
            marker = "- " if number is None else f"{number}. "
            if number is not None:
                lists[-1] = number + 1
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind in ("inline", "fence", "code_block"):
            text = _inline(token) if kind == "inline" else token.content.rstrip("\n")
            indent = "  " * max(len(lists) - 1, 0)
            lead = indent + (marker or ("  " if lists else ""))
            rest = " " * len(lead)
            lines = text.split("\n")
            text = "\n".join([lead + lines[0]] + [rest + line for line in lines[1:]])
            if quote:
                text = "\n".join("> " * quote + line for line in text.split("\n"))
            blocks.append((text, bool(lists)))
            marker = ""
        elif kind == "hr":
            blocks.append(("―" * 10, False))
    out = ""
    for index, (text, in_list) in enumerate(blocks):
        if index:
            out += "\n" if in_list and blocks[index - 1][1] else "\n\n"
        out += text
    return out.strip("\n")
