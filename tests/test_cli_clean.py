"""A clean command line (#16): values printed as they are, no passwords, typos caught with
"did you mean", clear messages for a missing driver and for the migrations tool, migration
summaries, diagrams without ``None``, the demo re-run and piped into ``head``, the README's
rules excerpt valid, ``--format`` documented."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from partyflow import Actor, Engine, UsageError, load_rules, open_store
from partyflow.cli import commands, render
from partyflow.errors import Text
from partyflow.policy.migrate import MigrationOutcome, MigrationReport
from partyflow.rules.diagram import dot, mermaid, timeout_action
from partyflow.stores.open import redacted_url

from .conftest import MINI, ROOT, CliRun

CONFIG = ROOT / "config" / "rules.yaml"
ORGS = ROOT / "examples" / "hierarchy.csv"
SEC = Actor("sec-1", "secretary", "community-1")


def _marked_up_orgs(tmp_path: Path) -> Path:
    """The example hierarchy with the city named ``[/x]`` and a district ``[bold]东城``."""
    text = ORGS.read_text(encoding="utf-8")
    text = text.replace("xinghai,星海市委,", "xinghai,[/x],").replace(
        "dongcheng,东城区委,", "dongcheng,[bold]东城,")
    path = tmp_path / "orgs.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pf.db'}"


# -- 1. every value printed literally -------------------------------------------------------


def test_names_that_look_like_markup_are_printed_as_they_are(cli: CliRun,
                                                             tmp_path: Path) -> None:
    url = _url(tmp_path)
    code, _, err = cli("org", "import", str(_marked_up_orgs(tmp_path)), "--store", url)
    assert code == 0, err
    code, out, err = cli("report", "--org", "xinghai", "--store", url, "--lang", "en")
    assert code == 0, err
    assert "Instances of [/x] (xinghai) and below" in out and "Traceback" not in err
    code, out, err = cli("report", "--org", "dongcheng", "--store", url)
    assert code == 0, err
    assert "[bold]东城（dongcheng）及下级组织的实例" in out


def test_tables_show_cells_as_text() -> None:
    report = MigrationReport("v[2]", applied=False, outcomes=[MigrationOutcome(
        "id-[/x]", "p", "[bold]", None, "refused", Text("[red]没有[/red]", "[red]no[/red]"))])
    buf = io.StringIO()
    commands._Console(file=buf, width=200).print(render.migrate_table(report, False, "en"))
    shown = buf.getvalue()
    assert "id-[/x]" in shown and "[bold] → ?" in shown and "[red]no[/red]" in shown
    assert "Migration to rules v[2]" in shown


# -- 2. no password printed ------------------------------------------------------------------


@pytest.mark.parametrize("url", ["mysql://u:s3cret@h/db", "memory://u:s3cret@x",
                                 "xx:s3cret@//", "postgresql://u:s3cret@h:port/db",
                                 "postgresql+nodriver://u:s3cret@h/db"])
def test_no_command_prints_a_store_password(cli: CliRun, url: str) -> None:
    for args in (("org", "import", str(ORGS), "--store", url),
                 ("report", "--org", "xinghai", "--store", url),
                 ("verify", "--all", "--store", url)):
        code, out, err = cli(*args, "--lang", "en")
        assert code == 1 and "Traceback" not in err
        assert "s3cret" not in out + err, (args, out, err)
        assert "***" in err or "Could not parse" in err or "port" in err, err


def test_redacted_url() -> None:
    assert redacted_url("postgresql+psycopg://u:pw@h:5432/db") == \
        "postgresql+psycopg://u:***@h:5432/db"
    assert redacted_url("mysql://u:pw@h/db") == "mysql://u:***@h/db"
    assert redacted_url("not a url:pw@x") == "not a url:***@x"
    assert redacted_url("sqlite:///a@b.db") == "sqlite:///a@b.db"  # no password: as given
    assert redacted_url("sqlite://") == "sqlite://"


def test_a_successful_import_names_the_store_without_its_password(cli: CliRun,
                                                                  tmp_path: Path) -> None:
    url = _url(tmp_path)
    code, out, _ = cli("org", "import", str(ORGS), "--store", url, "--lang", "en")
    assert code == 0 and f"into {url}" in out


# -- 3. mistyped names: "did you mean", exit 1 -----------------------------------------------


def test_a_mistyped_procedure_or_organization_is_an_error_with_a_suggestion(
        cli: CliRun, tmp_path: Path) -> None:
    url = _url(tmp_path)
    assert cli("org", "import", str(ORGS), "--store", url)[0] == 0
    code, out, err = cli("report", "--org", "dongcheng", "--store", url, "--procedure",
                         "branch_establishmnt", "--lang", "en")
    assert code == 1 and out == ""
    assert "no procedure 'branch_establishmnt'" in err
    assert "did you mean 'branch_establishment'?" in err
    code, _, err = cli("report", "--org", "dongcheng", "--store", url, "-p",
                       "branch_establishmnt")
    assert code == 1 and "你是不是想写 “branch_establishment”" in err
    code, _, err = cli("report", "--org", "dongchen", "--store", url, "--lang", "en")
    assert code == 1 and "no organization 'dongchen'" in err
    assert "did you mean 'dongcheng'?" in err
    # a procedure the rules know, without instances, is a report of zeros
    code, out, err = cli("report", "--org", "dongcheng", "--store", url, "-p",
                         "member_transfer", "--csv")
    assert code == 0 and out == "procedure,state,open,overdue,escalated\n", err


def test_impact_and_diagram_refuse_a_mistyped_procedure(cli: CliRun, tmp_path: Path) -> None:
    url = _url(tmp_path)
    open_store(url).close()
    code, out, err = cli("impact", str(MINI), "--store", url, "-p", "mini_electoin",
                         "--lang", "en")
    assert code == 1 and out == "" and "did you mean 'mini_election'?" in err
    code, _, err = cli("diagram", "mini_electoin", "--rules", str(MINI), "--lang", "en")
    assert code == 1 and "did you mean 'mini_election'?" in err and "Traceback" not in err


# -- 4. no psycopg: name the extra -----------------------------------------------------------


@pytest.fixture
def no_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    """``import psycopg`` fails, as on a plain install."""
    monkeypatch.setitem(sys.modules, "psycopg", None)


@pytest.mark.usefixtures("no_psycopg")
@pytest.mark.parametrize("url", ["postgresql+psycopg://u:pw@127.0.0.1/db",
                                 "postgresql://u:pw@127.0.0.1/db"])
def test_postgres_without_psycopg_names_the_extra(url: str) -> None:
    for read_only in (False, True):
        with pytest.raises(UsageError) as caught:
            open_store(url, read_only=read_only)
        assert "pip install 'partyflow[postgres]'" in caught.value.message("en")
        assert "psycopg" in caught.value.message("zh")


@pytest.mark.usefixtures("no_psycopg")
def test_postgres_without_psycopg_on_the_command_line(cli: CliRun) -> None:
    url = "postgresql+psycopg://u:pw@127.0.0.1/db"
    for args in (("report", "--org", "x", "--store", url),
                 ("org", "import", str(ORGS), "--store", url)):
        code, _, err = cli(*args, "--lang", "en")
        assert code == 1 and "Traceback" not in err and "ModuleNotFoundError" not in err
        assert "pip install 'partyflow[postgres]'" in err


def test_another_postgres_driver_that_is_missing_points_at_psycopg(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    with pytest.raises(UsageError) as caught:
        open_store("postgresql+psycopg2://u:pw@127.0.0.1/db")
    assert "postgresql+psycopg://" in caught.value.message("en")


# -- 5. the migrations tool ------------------------------------------------------------------


def _migrations(*argv: str) -> tuple[int, str, str]:
    from partyflow.stores.migrations.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_migrations_tool_reports_bad_urls_and_paths(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from partyflow.stores import migrations

    monkeypatch.setenv("PARTYFLOW_LANG", "en")
    code, _, err = _migrations("not a url")
    assert code == 2 and "invalid store URL" in err
    code, _, err = _migrations("mysql://u:s3cret@h/db")
    assert code == 2 and "not installed" in err and "s3cret" not in err
    code, _, err = _migrations(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")
    assert code == 1 and "the database failed" in err
    code, _, err = _migrations("sqlite://", "frobnicate")
    assert code == 2 and "usage:" in err
    assert _migrations("--help")[0] == 0
    url = _url(tmp_path)
    assert _migrations(url, "current") == (0, f"(none) (head {migrations.head()})\n", "")
    assert _migrations(url) == (0, f"{migrations.head()} (head {migrations.head()})\n", "")
    with pytest.MonkeyPatch.context() as m:
        m.setitem(sys.modules, "psycopg", None)
        code, _, err = _migrations("postgresql+psycopg://u:pw@h/db")
        assert code == 2 and "pip install 'partyflow[postgres]'" in err


# -- 6. migrate's summary and full ids; impact's count ---------------------------------------


def _mini_v2(tmp_path: Path) -> Path:
    new = tmp_path / "mini-2.yaml"
    new.write_text(MINI.read_text(encoding="utf-8").replace('version: "test-1"',
                                                             'version: "test-2"'),
                   encoding="utf-8")
    return new


def test_migrate_prints_counts_whole_ids_and_nothing_to_do(cli: CliRun, tmp_path: Path) -> None:
    url = _url(tmp_path)
    engine = Engine(load_rules(MINI), store=url)
    long_id = "instance-" + "0123456789" * 7  # 79 characters: wider than 80 columns allow
    ids = [engine.start("mini_election", {"expected": 40}, SEC, instance_id=long_id).id,
           engine.start("mini_election", {"expected": 40}, SEC).id]
    engine.store.close()
    new, mapping = _mini_v2(tmp_path), tmp_path / "map.yaml"
    mapping.write_text("procedures: {}\n", encoding="utf-8")
    base = ("migrate", str(new), "--map", str(mapping), "--store", url, "--lang", "en")
    code, out, err = cli(*base)
    assert code == 0, err
    assert all(re.search(rf"│ {i} +│", out) for i in ids), out  # each id whole, on one line
    assert "2 instance(s): 2 would move" in out
    code, out, err = cli(*base, "--apply")
    assert code == 0 and "2 instance(s): 2 moved" in out, err
    code, out, err = cli(*base, "--apply")
    assert code == 0, err
    assert out.strip() == "nothing to do: no running instance needs migrating"
    code, out, _ = cli(*base, "--instance", ids[0], "--lang", "zh")
    assert code == 0 and "无需迁移" in out and "跳过 1 个" in out and ids[0] in out


def test_impact_progress_shows_a_count(cli: CliRun, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    url = _url(tmp_path)
    engine = Engine(load_rules(MINI), store=url)
    for _ in range(3):
        engine.start("mini_election", {"expected": 40}, SEC)
    engine.store.close()
    terminal = io.StringIO()
    monkeypatch.setattr(commands, "err", commands._Console(file=terminal, force_terminal=True,
                                                           width=100))
    code, _, _ = cli("impact", str(_mini_v2(tmp_path)), "--store", url, "--lang", "en")
    assert code == 0
    assert "3 checked" in terminal.getvalue()


# -- 7. diagrams never show None --------------------------------------------------------------


def test_an_escalating_state_shows_escalate_not_none(cli: CliRun) -> None:
    rules = load_rules(CONFIG)
    state = rules.procedures["branch_establishment"].states["under_review"]
    assert state.on_timeout is None and state.escalate  # why `→ None` appeared
    assert (timeout_action(state, "zh"), timeout_action(state, "en")) == ("督办", "escalate")
    for lang in ("zh", "en"):
        for fmt in ("mermaid", "dot"):
            code, out, err = cli("diagram", "branch_establishment", "--format", fmt,
                                 "--lang", lang)
            assert code == 0 and "None" not in out, err
    for proc in rules.procedures.values():
        assert "None" not in mermaid(proc, "en") + dot(proc, "en")
        page = (ROOT / "docs" / "procedures" / f"{proc.name}.md").read_text(encoding="utf-8")
        assert "`None`" not in page
    assert "review_within → 督办 / escalate" in (
        ROOT / "docs" / "procedures" / "branch_establishment.md").read_text(encoding="utf-8")


# -- 8. the demo: twice on one file, and into a closed pipe -----------------------------------


def test_demo_runs_twice_on_the_same_file(cli: CliRun, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    for _ in range(2):  # the file is reused: the second run adds a second branch
        code, out, err = cli("demo", "--db", str(db), "--lang", "en")
        assert code == 0, err
        assert "audit hash chain verified (7 records)" in out
    engine = Engine(load_rules(CONFIG), store=f"sqlite:///{db}")
    assert engine.organization("dongcheng-xingguang").name == "星光社区党支部"
    assert engine.organization("dongcheng-xingguang-2").name == "星光社区党支部"
    engine.store.close()
    _, out, _ = cli("demo", "--help")
    assert "reused" in out


class _ClosedPipe(io.StringIO):
    """stdout whose reader went away."""

    def write(self, s: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("args", [("demo",), ("schema",), ("validate", str(CONFIG)),
                                  ("diagram", "member_transfer")])
def test_a_closed_pipe_ends_the_command_quietly(args: tuple[str, ...]) -> None:
    err = io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(_ClosedPipe()), \
            contextlib.redirect_stderr(err):
        code = commands.main(list(args))
    assert code == 141 and err.getvalue() == ""


@pytest.mark.slow
def test_demo_piped_into_head_exits_quietly() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "partyflow.cli", "demo"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as `head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and "Traceback" not in err and err == ""


# -- 9. the README's rules excerpt -----------------------------------------------------------


def test_readme_rules_excerpt_is_a_valid_file_and_the_same_text() -> None:
    excerpt = ROOT / "docs" / "excerpt.yaml"
    rules = load_rules(excerpt)
    assert not rules.warnings and list(rules.procedures) == ["branch_establishment"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The rules file"):]
    block = re.search(r"```yaml\n(.*?)```", section, flags=re.S)
    assert block is not None
    assert block[1] == excerpt.read_text(encoding="utf-8"), \
        "the README's rules excerpt must be docs/excerpt.yaml, word for word"


# -- 10. --format documented -----------------------------------------------------------------


def _commands(group: click.Group) -> list[click.Command]:
    found: list[click.Command] = []
    for cmd in group.commands.values():
        found += _commands(cmd) if isinstance(cmd, click.Group) else [cmd]
    return found


def test_format_options_have_help_and_show_their_default(cli: CliRun) -> None:
    formats = [(cmd, p) for cmd in _commands(commands.app) for p in cmd.params
               if isinstance(p, click.Option) and "--format" in p.opts]
    assert {cmd.name for cmd, _ in formats} >= {"diagram", "diff", "impact"}
    for cmd, opt in formats:
        assert opt.help and opt.show_default and opt.default, cmd.name
        assert cmd.name is not None
        _, out, _ = cli(cmd.name, "--help")
        assert f"[default: {opt.default}]" in " ".join(out.split()), (cmd.name, out)
