# Shortcuts for the README's two commands.
.PHONY: run test coverage lock
run:
	python3 -m venv .venv && .venv/bin/pip install -q -r requirements.lock && .venv/bin/flask --app wsgi setup && .venv/bin/flask --app wsgi run
test:
	python3 -m venv .venv && .venv/bin/pip install -q -r requirements-dev.lock && .venv/bin/pybabel -q compile -d translations && .venv/bin/python -m pytest -q -n auto tests
# Branch coverage with its floor (pyproject.toml fail_under); about twice the test time.
coverage:
	.venv/bin/python -m pytest -q -n auto tests --cov
lock:
	.venv/bin/python .ci/lock.py
