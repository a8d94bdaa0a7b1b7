"""The tally of API fuzzing answers and its line in the terminal summary: a pytest plugin, named in
tests/conftest.py's pytest_plugins. Under pytest-xdist the examples run in the workers and the
summary is printed by the controller, which collects no tests (so no conftest below tests/ is
read there): each worker sends its tally when it finishes and the controller adds them up."""

from collections import Counter

import pytest

# (operation, role) → Counter of status codes answered, filled by test_fuzz.py.
ANSWERS: dict[tuple[str, str], Counter] = {}
KEY = "api_fuzz_answers"


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)  # set in an xdist worker only
    if workeroutput is not None and ANSWERS:
        workeroutput[KEY] = [(operation, role, dict(codes)) for (operation, role), codes in ANSWERS.items()]


@pytest.hookimpl(optionalhook=True)  # an xdist hook: absent when the suite runs with -p no:xdist
def pytest_testnodedown(node, error):
    for operation, role, codes in getattr(node, "workeroutput", {}).get(KEY, []):
        ANSWERS.setdefault((operation, role), Counter()).update(codes)


def pytest_terminal_summary(terminalreporter):
    if not ANSWERS:
        return
    codes = sum(ANSWERS.values(), Counter())
    operations = {operation for operation, _ in ANSWERS}
    terminalreporter.write_line(
        f"API fuzzing: {codes.total()} examples over {len(operations)} operations × "
        f"{len({role for _, role in ANSWERS})} roles; answers: "
        + ", ".join(f"{code}×{n}" for code, n in sorted(codes.items()))
    )
