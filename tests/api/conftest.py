from collections import Counter

# (operation, role) → Counter of status codes answered, filled by test_fuzz.py.
ANSWERS: dict[tuple[str, str], Counter] = {}


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
