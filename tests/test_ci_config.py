"""The configuration a fork runs without us: GitHub workflows, Binder's runtime.txt, the claimed Python range.

The workflows cannot run here, so they are validated against the GitHub workflow schema that
check-jsonschema ships (no network), and checked for what they must do: the tests through .ci/run, the
site through `make book` and the official Pages actions. The Python versions named in runtime.txt, the
Pages workflow and the README must lie in pyproject.toml's requires-python (the Makefile reads it from there).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
TEST_WORKFLOW, PAGES_WORKFLOW = WORKFLOWS / "test.yml", WORKFLOWS / "pages.yml"
REQUIRES_PYTHON = SpecifierSet(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"])


def check_jsonschema(*paths: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema is not installed (requirements-test.txt)")
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           *map(str, paths)], capture_output=True, text=True)


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as true
    return workflow


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def uses(workflow: dict) -> dict[str, dict]:
    """Each action used, without its version, mapped to its `with:`."""
    return {step["uses"].split("@")[0]: step.get("with", {}) for step in steps(workflow) if "uses" in step}


def runs(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def test_workflows_match_the_github_schema():
    result = check_jsonschema(TEST_WORKFLOW, PAGES_WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    """The check above can fail: a job without `runs-on` and a step with an unknown key are rejected."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    steps:\n      - run: make test\n        shell-script: yes\n")
    result = check_jsonschema(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "broken.yml" in result.stdout


def test_test_workflow_runs_ci_on_pushes_and_pull_requests():
    workflow = load(TEST_WORKFLOW)
    assert {"push", "pull_request"} <= set(workflow["on"])
    assert re.search(r"^bash \.ci/run$", runs(workflow), re.MULTILINE)
    (job,) = workflow["jobs"].values()
    assert str(job["env"]["CI"]).lower() == "true"
    assert re.search(r"apt-get install\b.*\bchromium\b", runs(workflow).replace("\\\n", " "))
    cache = uses(workflow)["actions/cache"]
    assert cache["path"] == "~/.cache/pip"
    assert "hashFiles('requirements*.txt', 'constraints.txt')" in cache["key"]


def test_test_workflow_uses_an_interpreter_the_project_supports():
    """Debian 12's python3 is 3.11.2: the container's Python must be in the claimed range."""
    (job,) = load(TEST_WORKFLOW)["jobs"].values()
    assert job["container"] == "debian:bookworm"
    assert Version("3.11.2") in REQUIRES_PYTHON


def test_pages_workflow_builds_the_book_and_deploys_it():
    workflow = load(PAGES_WORKFLOW)
    assert "workflow_dispatch" in workflow["on"] and "push" in workflow["on"]
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"
    assert workflow["concurrency"]["group"]
    assert re.search(r"^make book\b", runs(workflow), re.MULTILINE)
    actions = uses(workflow)
    assert {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} <= set(actions)
    assert actions["actions/upload-pages-artifact"]["path"] == "_build/html"
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert "github.event.repository.default_branch" in build["if"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    setup = actions["actions/setup-python"]
    assert setup["cache"] == "pip"
    assert set(setup["cache-dependency-path"].split()) == {"requirements*.txt", "constraints.txt"}


def runtime_version() -> str:
    match = re.fullmatch(r"python-(\d+\.\d+)\n?", (ROOT / "runtime.txt").read_text())
    assert match, "runtime.txt must read python-X.Y (repo2docker's syntax)"
    return match[1]


def test_binder_and_pages_python_is_supported():
    version = runtime_version()
    assert Version(version) in REQUIRES_PYTHON
    setup = uses(load(PAGES_WORKFLOW))["actions/setup-python"]
    assert str(setup["python-version"]) == version


def test_readme_claims_the_range_of_pyproject():
    """README's "Python 3.11+" and requires-python = ">=3.11" say the same."""
    (spec,) = REQUIRES_PYTHON
    assert spec.operator == ">="
    claimed = re.findall(r"Python (\d+\.\d+)\+", (ROOT / "README.md").read_text())
    assert claimed and set(claimed) == {spec.version}
