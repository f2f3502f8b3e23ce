"""What a user reads first: the help texts, the model list and the figure list (in-process)."""

import re

import pytest
from click.testing import CliRunner

from replicon.cli import main
from replicon.registry import Param, all_models

GRID_FORMS = ("a:b:n", "log:a:b:n", "x,y,z")


def run(*args):
    r = CliRunner().invoke(main, list(args), catch_exceptions=False, terminal_width=80)
    assert r.exit_code == 0, r.output
    return r.output


@pytest.mark.parametrize("args", [["--help"], ["scan", "--help"], ["compare", "--help"]])
def test_help_explains_the_grid_syntax(args):
    """--help, scan --help and compare --help name all three grid forms, with an example of each."""
    out = run(*args)
    for form in GRID_FORMS:
        assert form in out, f"{form!r} missing from replicon {' '.join(args)}"
    if args[0] != "compare":
        assert re.search(r"=log:[\d.]+:[\d.]+:\d+", out)    # a worked logarithmic example
        assert re.search(r"=[\d.]+:[\d.]+:\d+", out)         # a worked linear example


def test_command_list_is_not_truncated():
    """The one-line summaries in 'replicon --help' are whole sentences, not cut with '...'."""
    out = run("--help")
    commands = out.split("Commands:")[1].strip().splitlines()
    assert {line.split()[0] for line in commands} == set(main.commands)
    for line in commands:
        assert not line.rstrip().endswith("..."), line


def test_compare_help_names_its_default_model():
    """compare --help names the model it runs without one, and that is the real default."""
    default = next(p.default for p in main.commands["compare"].params if p.name == "model")
    assert default == "perceptron.teacher"
    assert default in run("compare", "--help")


def test_unbounded_parameter_reads_any_finite_number():
    """A parameter without a range is 'any finite number', not 'a number any number'."""
    assert Param("x", 0.0).allowed() == "any finite number"
    assert Param("n", 1, kind="int").allowed() == "any integer"
    assert Param("x", 0.0, lo=0).allowed() == "a number >= 0"


def test_models_never_say_a_number_any_number():
    """No registered parameter (theory or simulation) describes its range as 'a number any number'."""
    for m in all_models():
        for p in m.params + m.sim_params + [m.sim_view(m.param(k)) for k in m.sim_ranges]:
            text = p.allowed()
            assert "any number" not in text, f"{m.name}.{p.name}: {text}"
            assert not text.startswith(("a number a", "an integer a")), f"{m.name}.{p.name}: {text}"


def test_models_lists_every_model_and_describes_one():
    out = run("models")
    names = [line.split()[0] for line in out.strip().splitlines()]
    assert names == [m.name for m in all_models()]
    assert "any number" not in out
    one = run("models", "perceptron.teacher")
    assert one.startswith("perceptron.teacher: ")
    assert "alpha=" in one and "outputs:" in one and "any number" not in one


def test_figure_list_prints_whole_first_paragraphs():
    """'figure list' gives every script with a main() and its whole first docstring paragraph."""
    import ast
    import pathlib

    import replicon.paper_figures as pkg

    scripts = {}
    for path in sorted(pathlib.Path(pkg.__path__[0]).glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if not path.name.startswith("_") and "\ndef main(" in text:
            doc = ast.parse(text).body[0].value.value
            scripts[path.stem] = " ".join(doc.strip().split("\n\n")[0].split())
    out = run("figure", "list").strip().splitlines()
    assert [line.split()[0] for line in out] == list(scripts)
    for line in out:
        name, text = line.split(None, 1)
        assert text == scripts[name]
        assert text.endswith((".", ")")), f"{name}: the first paragraph is cut: {text!r}"


@pytest.mark.parametrize("model,args,first", [
    ("perceptron.transition", ["T=0"], "perceptron.transition ("),
    ("perceptron.capacity", ["kappa=0"], "perceptron.capacity ("),
])
def test_a_result_that_is_not_a_state_says_what_it_is(model, args, first):
    """A transition or a capacity is headed by its model and method, not by '[-] thermodynamic'."""
    out = run("solve", model, *args)
    assert out.startswith(first)
    assert "[-]" not in out and "thermodynamic" not in out.splitlines()[0]
