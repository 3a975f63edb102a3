"""Write the Traditional Chinese catalogue (zh_Hant) from the Simplified one (zh_Hans).

The translations are made once, in zh_Hans; zh_Hant is its character-level conversion with
OpenCC's ``s2t`` (mainland terms kept: 质量 → 質量, not the Taiwanese 品質/資訊 rewording, since
the users are mainland offices reading in Traditional script). Run by ``make messages``; needs the
``dev`` extra (``pip install -e '.[dev]'``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import opencc

LOCALE = Path(__file__).resolve().parent.parent / "uplift" / "locale"


def convert(text: str) -> str:
    converter = opencc.OpenCC("s2t")
    out, in_msgstr = [], False
    for line in text.splitlines():
        if line.startswith("msgstr"):
            in_msgstr = True
        elif not line.startswith('"'):
            in_msgstr = False
        if in_msgstr and not line.startswith('"Language:') and not line.startswith('"Plural-Forms'):
            # Convert only the quoted text: keys, placeholders and escapes are ASCII and unchanged.
            line = re.sub(r'"(.*)"$', lambda m: '"' + converter.convert(m.group(1)) + '"', line)
        out.append(line)
    result = "\n".join(out) + "\n"
    return result.replace('"Language: zh_Hans\\n"', '"Language: zh_Hant\\n"')


def main() -> int:
    source = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
    target = LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(convert(source.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {target.relative_to(LOCALE.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
