"""The package as pip installs it: one version everywhere, and the files a site needs."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import maintenance_panel

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("de", "es", "fr")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel built from this checkout, as CI and a release build it."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("*.whl")
    return zipfile.ZipFile(built)


def wheel_metadata(wheel: zipfile.ZipFile) -> dict[str, str]:
    [name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return dict(Parser().parsestr(wheel.read(name).decode()).items())


def newest_changelog_release() -> str:
    """The first released version in CHANGELOG.md (Unreleased comes before it)."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(r"^## \[(\d+\.\d+\.\d+[^\]]*)\]", text, re.MULTILINE)
    assert match, "CHANGELOG.md has no released version"
    return match.group(1)


def test_one_version_in_the_wheel_the_code_the_changelog_and_the_readme(
    wheel: zipfile.ZipFile,
) -> None:
    version = maintenance_panel.__version__

    assert wheel_metadata(wheel)["Version"] == version
    assert newest_changelog_release() == version
    assert f"Current release: {version}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_changelog_keeps_an_unreleased_section_on_top() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", text, re.MULTILINE)

    assert headings[0] == "Unreleased"


def test_wheel_carries_the_licence_and_every_compiled_catalogue(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()

    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    for language in LANGUAGES:
        assert f"maintenance_panel/locale/{language}/LC_MESSAGES/django.mo" in names
    assert wheel_metadata(wheel)["License-Expression"] == "MIT"


def test_classifiers_name_every_django_and_python_of_the_matrix(wheel: zipfile.ZipFile) -> None:
    [name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    classifiers = set(Parser().parsestr(wheel.read(name).decode()).get_all("Classifier") or [])
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    matrix = re.search(r"MATRIX = \{(.*?)\n\}", noxfile, re.DOTALL)
    assert matrix
    djangos = set(re.findall(r'"(\d\.\d)": \[', matrix.group(1)))
    pythons = set(re.findall(r'"(3\.\d+)"', matrix.group(1)))

    assert djangos == {"5.2", "6.0", "6.1"}
    assert {f"Framework :: Django :: {d}" for d in djangos} <= classifiers
    assert {f"Programming Language :: Python :: {p}" for p in pythons} <= classifiers
