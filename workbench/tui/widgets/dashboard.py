"""The dashboard pane: rounds, the learning curve, the active model's scores and errors,
and the live progress of a running round."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import ProgressBar, Static
from textual_plotext import PlotextPlot

from workbench.ops.agreement import agreement_table
from workbench.ops.status import DashboardData
from workbench.store.rounds import RoundRecord


def _f(x: object) -> str:
    return f"{x:.3f}" if isinstance(x, int | float) else "-"


def rounds_table(data: DashboardData) -> Table:
    # one space between columns, none at the edges: all eleven fit in an 80-column terminal;
    # the strategy cell alone may wrap ("mnlp" over "quick"), so that no score or state is cut
    t = Table(
        title="Rounds (dev scores; a label's column is its F1)",
        title_justify="left",
        title_style="bold",
        expand=True,
        box=None,
        collapse_padding=True,
        pad_edge=False,
    )
    for col in ("#", "time", "sents"):
        t.add_column(col, no_wrap=True)
    t.add_column("strategy")
    for label in data.labels:
        t.add_column(label[:5], justify="right", no_wrap=True)  # the label's dev F1
    for col in ("P", "R", "F1", "acc", "state"):
        t.add_column(col, justify="right", no_wrap=True)
    for r in data.rounds[-8:]:
        per = (r.metrics.get("dev") or {}).get("per_label", {}) if r.metrics else {}
        state = _state(r)
        t.add_row(
            str(r.id),
            r.started_at[5:16].replace("T", " "),
            "-" if r.sentences is None else f"{r.sentences:,}",
            (r.strategy or r.kind)
            + (" quick" if r.metrics.get("note") else "")
            + (" warm" if r.metrics.get("went_on_from") else "")
            + (" +dev" if r.metrics.get("refit") else ""),
            *[_f(per.get(label, {}).get("f1")) for label in data.labels],
            _f(r.metrics.get("precision")),
            _f(r.metrics.get("recall")),
            _f(r.metrics.get("f1")),
            _f(r.metrics.get("accuracy")),
            state,
        )
    if not data.rounds:  # a caption, not a row: a long cell would squeeze the headers
        t.caption = "no rounds yet: press R to train"
    return t


def _state(r: RoundRecord) -> Text:
    if r.status == "running":
        return Text(r.phase, style="bold yellow")
    if r.status == "failed":
        return Text("failed", style="bold red")
    if r.active:
        return Text("active", style="bold green")
    return Text("promoted" if r.promoted else "kept", style="dim")


def model_report(data: DashboardData) -> RenderableType:
    m = data.active_metrics
    if m is None:
        return Text("No active model yet: suggestions come from the accepted entities.", "dim")
    if m.get("refit"):
        return Text(
            f"Model {data.active_id} was refit on train + dev: it has no dev score "
            "(`workbench evaluate --split test` scores the recipe).",
            "dim",
        )
    t = Table(
        title=f"Model {data.active_id} on dev",
        title_justify="left",
        title_style="bold",
        box=None,
    )
    for col in ("label", "P", "R", "F1", "support"):
        t.add_column(col, justify="right" if col != "label" else "left")
    for label, v in sorted(m.get("per_label", {}).items()):
        t.add_row(label, _f(v["precision"]), _f(v["recall"]), _f(v["f1"]), str(v["support"]))
    t.add_row("micro", _f(m.get("precision")), _f(m.get("recall")), _f(m.get("f1")), "")
    errors = m.get("errors") or {}
    lines = Text("Errors: ", style="bold")
    confusions = errors.get("type_confusions", {})
    lines.append(
        f"type {sum(confusions.values())}"
        + (" (" + ", ".join(f"{k} {n}" for k, n in confusions.items()) + ")" if confusions else "")
        + f" · boundary {errors.get('boundary', 0)}"
        + f" · spurious {errors.get('spurious', 0)} · missed {errors.get('missed', 0)}",
        style="",
    )
    examples = []
    for kind, items in (errors.get("examples") or {}).items():
        for ex in items[:1]:
            examples.append(Text(f"  {kind}: {ex}", style="dim", overflow="ellipsis", no_wrap=True))
    return Group(t, lines, *examples)


class Dashboard(VerticalScroll, can_focus=False):
    def compose(self) -> ComposeResult:
        yield Static(id="rounds")
        yield Static(id="round-progress-label")
        yield ProgressBar(id="round-progress", show_eta=False)
        yield PlotextPlot(id="curve")
        yield Static(id="model-report")
        yield Static(id="agreement")

    def show(self, data: DashboardData) -> None:
        self.query_one("#rounds", Static).update(rounds_table(data))
        running = data.running
        label = self.query_one("#round-progress-label", Static)
        bar = self.query_one("#round-progress", ProgressBar)
        last = data.rounds[-1] if data.rounds else None
        if running is not None:
            label.update(
                Text(f"Round {running.id}: {running.phase} {running.step}/{running.total}", "bold")
            )
            bar.display = True
            bar.update(total=running.total or None, progress=running.step)
        else:
            bar.display = False
            if last is not None and last.status == "failed":
                label.update(Text(f"Round {last.id} failed: {last.error}", style="bold red"))
            else:
                label.update("")
        plot = self.query_one("#curve", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.title("dev F1 against training sentences")
        if data.curve:
            xs = [x for x, _ in data.curve]
            ys = [y for _, y in data.curve]
            plt.plot(xs, ys, marker="dot")
        plot.refresh()
        self.query_one("#model-report", Static).update(model_report(data))
        agreement = self.query_one("#agreement", Static)
        agreement.display = data.agreement is not None and bool(data.agreement.rows)
        if data.agreement is not None and data.agreement.rows:
            agreement.update(agreement_table(data.agreement))
