"""The README's examples are the ones the tests run, and its commands are the ones CI runs."""
import re

import pytest

BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


@pytest.fixture(scope="module")
def readme(root_dir):
    return (root_dir / "README.md").read_text()


def blocks(text, language):
    return [body for lang, body in BLOCK.findall(text) if lang == language]


def test_python_example_runs(readme, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    examples = blocks(readme, "python")
    assert examples, "the README has no Python example"
    for source in examples:
        exec(compile(source, "README.md", "exec"), {})


def test_cpp_example_is_the_installed_package_consumer(readme, root_dir):
    consumer = (root_dir / "tests" / "package" / "consumer" / "main.cpp").read_text()
    assert consumer in blocks(readme, "cpp")


def test_ci_runs_the_readme_test_command(readme, root_dir):
    commands = blocks(readme, "sh")[0]
    test_command = next(line.split("#")[0].strip() for line in commands.splitlines()
                        if "test" in line)
    assert test_command == "bash scripts/test.sh"
    assert test_command in (root_dir / ".ci" / "run").read_text()
