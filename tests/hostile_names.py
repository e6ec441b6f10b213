"""Tensor names that have broken pages and pictures elsewhere: markup, script, comment and CDATA ends,
DOT's own syntax, Unicode line separators, TeX's special characters, and a name of a megabyte."""

JAVASCRIPT_URL = '<x> URL="javascript:window.pwned=1" label=<replaced' + "y" * 30 + ">"

HOSTILE = [
    "double \" and single ' quotes",
    "<b>angle</b> & <i>brackets</i>",
    "</script><script>window.pwned=1</script>",
    "<!--<script>",
    "<svg onload=window.pwned=1>",
    "a ]]> CDATA end",
    JAVASCRIPT_URL,  # over 60 characters, shaped <...>: once read by Graphviz as an HTML-like string
    "<" + "javascript:window.pwned=1;" * 3 + ">",
    "line\u2028separator\u2029paragraph",
    "y%hidden # & _ { } \\ ^ ~ $ end",
    "\\N \\G \\n \\l backslash escapes",
    "<img src=x onerror=window.pwned=1>",
]
MEGABYTE = "m" * 1_000_000
