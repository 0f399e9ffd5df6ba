# Shortcuts for the README's two commands.
.PHONY: run test
run:
	python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt && .venv/bin/flask --app wsgi setup && .venv/bin/flask --app wsgi run
test:
	python3 -m venv .venv && .venv/bin/pip install -q -r requirements-dev.txt && .venv/bin/pybabel -q compile -d translations && .venv/bin/python -m pytest -q tests
