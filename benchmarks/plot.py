"""Plot hover p99 and edit-burst cost against file size, for both servers.

    python benchmarks/plot.py [benchmarks/results.json] [--out docs/images/benchmark.png]

Needs matplotlib (the ``bench`` extra: ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "docs" / "images" / "benchmark.png"
STYLE = {
    "ours": dict(color="#d62728", marker="o", label="transformers-glossary-ls"),
    "reference": dict(
        color="#7f7f7f", marker="s", linestyle="--", label="reference (minimal pygls)"
    ),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="?", default=str(HERE / "results.json"))
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    args = ap.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = json.loads(Path(args.results).read_text())
    sizes = sorted(int(s) for s in summary["sizes"])

    def series(server: str, metric: str, q: str | None = None) -> list[float | None]:
        out = []
        for s in sizes:
            d = summary["sizes"][str(s)].get(server, {})
            v = d.get(metric)
            if q is not None:
                v = v.get(q) if isinstance(v, dict) else None
            out.append(v)
        return out

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for server, style in STYLE.items():
        for metric, ls_extra in (("hover_term", {}), ("hover_nothing", {"alpha": 0.45})):
            ys = series(server, metric, "p99")
            if any(y is not None for y in ys):
                label = f"{style['label']}, {'term' if metric == 'hover_term' else 'nothing'}"
                ax1.plot(sizes, ys, **{**style, "label": label, **ls_extra})
        ys = series(server, "edit_burst_ms")
        if any(y is not None for y in ys):
            ax2.plot(sizes, ys, **style)
            for x, y in zip(sizes, ys, strict=True):
                if y is not None:
                    ax2.annotate(
                        f"{y:,.0f} ms",
                        (x, y),
                        textcoords="offset points",
                        xytext=(4, 6),
                        fontsize=8,
                    )

    ax1.set_title("Hover latency, p99 (median of sessions)")
    ax1.set_ylabel("ms")
    ax1.set_ylim(
        bottom=0,
        top=max(
            y
            for s in ("ours", "reference")
            for m in ("hover_term", "hover_nothing")
            for y in series(s, m, "p99")
            if y is not None
        )
        * 1.45,
    )
    ax2.set_title("200 incremental edits + 1 hover, until answered")
    ax2.set_ylabel("ms (log)")
    ax2.set_yscale("log")
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_xticks(sizes)
        ax.set_xticklabels([f"{s:,}" for s in sizes])
        ax.set_xlabel("document lines (Python and Markdown)")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8, loc="best", framealpha=0.85)
        ax.set_xlim(sizes[0] / 1.6, sizes[-1] * 1.9)
    m = summary.get("machine", {})
    fig.suptitle(
        "transformers-glossary-ls vs a minimal pygls server — "
        f"{m.get('cpu', '?')} x{m.get('cpus', '?')}, "
        f"Python {m.get('python', '?')}, pygls {m.get('pygls', '?')}",
        fontsize=9,
    )
    fig.tight_layout()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
