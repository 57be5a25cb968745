#!/usr/bin/python3
"""Plots dev accuracy per epoch per variant from wordnet_demo's dev_curve.csv.

    plot_results.py out/wordnet/dev_curve.csv out/wordnet/dev_accuracy.png

The line is the mean over seeds; the band spans the lowest to the highest seed.
Needs only matplotlib (Debian: python3-matplotlib).
"""
import collections
import csv
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    curves = collections.defaultdict(lambda: collections.defaultdict(list))
    with open(argv[1], newline="") as f:
        for row in csv.DictReader(f):
            curves[row["variant"]][int(row["epoch"])].append(100 * float(row["dev_accuracy"]))
    if not curves:
        sys.exit(f"{argv[1]}: no rows")
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for variant, by_epoch in curves.items():
        epochs = sorted(by_epoch)
        values = [by_epoch[e] for e in epochs]
        mean = [sum(v) / len(v) for v in values]
        line, = ax.plot(epochs, mean, marker="o", label=f"{variant} ({len(values[0])} seeds)")
        ax.fill_between(epochs, [min(v) for v in values], [max(v) for v in values],
                        color=line.get_color(), alpha=0.2)
    ax.set_xlabel("epoch")
    ax.set_ylabel("dev accuracy (%)")
    ax.set_title("WordNet lexicographer file from gloss: dev accuracy")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(argv[2])


if __name__ == "__main__":
    main(sys.argv)
