"""Check a city's organization list and walk a responsibility chain (一级抓一级).

Run: python examples/hierarchy_chain.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from partyflow.hierarchy import HierarchyError, load_hierarchy

CSV = Path(__file__).resolve().parent / "hierarchy.csv"


def main() -> None:
    h = load_hierarchy(CSV)  # built-in levels: city → district → street → community → grid
    print(f"{CSV.name}: {len(h)} organizations, no problems")

    print("responsibility chain of grid xg-grid-1:")
    for link in h.responsibility_chain("xg-grid-1"):
        duty = link.duty.zh if link.duty else "—"
        print(f"  {link.label.zh:<8} {link.name:<10} 责任：{duty:<5} 书记：{link.secretary or '—'}")

    sup = h.superior("xingguang")
    print("superior of xingguang:", sup.name if sup else None)
    print("xg-grid-2 within dongcheng:", h.is_within("xg-grid-2", "dongcheng"))
    print("xs-grid-1 within dongcheng:", h.is_within("xs-grid-1", "dongcheng"))
    print("below xicheng:", ", ".join(h.descendants("xicheng")))

    # the same list with three defects: every one is reported, each with its row
    broken = CSV.read_text(encoding="utf-8")
    broken = broken.replace("xingguang,星光社区党委,community,dongcheng-street,吴晓梅",
                            "xingguang,星光社区党委,community,dongcheng-street,")
    broken = broken.replace("chaoyang,朝阳社区党总支,community,dongcheng-street",
                            "chaoyang,朝阳社区党总支,community,dongcheng")
    broken = broken.replace("xg-grid-2,星光社区第二网格,grid,xingguang,,马强,林涛",
                            "xg-grid-2,星光社区第二网格,grid,xingguang,,马强,")
    with tempfile.TemporaryDirectory() as tmp:
        bad = Path(tmp) / "hierarchy-broken.csv"
        bad.write_text(broken, encoding="utf-8-sig")  # as Excel saves "CSV UTF-8": with a BOM
        try:
            load_hierarchy(bad)
        except HierarchyError as exc:
            for p in exc.problems:
                print(f"  row {p.line} {p.loc[0]}: {p.text.en}")


if __name__ == "__main__":
    main()
