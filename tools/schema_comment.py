"""Start every knowledge file with the line that points editors at knowledge/schema.json.

    python tools/schema_comment.py [KNOWLEDGE_DIR]   # default: knowledge/

yaml-language-server (VS Code's YAML extension and the editors built on it) reads
`# yaml-language-server: $schema=<path>` and then completes and checks the file. Files that
already start with that line are left alone; the others get it prepended and are otherwise
unchanged, byte for byte.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge.schema import editor_line, schema_files  # noqa: E402


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else ROOT / "knowledge"
    added = 0
    for path in schema_files(root):
        data = path.read_bytes()
        line = editor_line(path, root).encode()
        if data.split(b"\n", 1)[0] != line:
            path.write_bytes(line + b"\n" + data)
            added += 1
    print(f"added the schema line to {added} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
